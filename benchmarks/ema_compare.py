"""Does a sweep run faster on viachilena's experiment engine than on EMA Workbench's?

The same design on both: a Latin hypercube of 256 points over three parameters of the baseline
(``ema_model.UNCERTAINTIES``), one replication, two worker processes, no daily series kept
(viachilena still stores each run's row and events; EMA keeps three outcomes). viachilena runs
``experiments.run`` on an experiment file (``series = []``) with the package's
``model.simulate``; EMA Workbench runs ``perform_experiments`` on a ``MultiprocessingEvaluator``
whose model function (``ema_model.ema_function``) calls the same ``simulate``. The two are
alternated, ``--repeats`` times each (median reported), both in this process, each starting
and stopping its own pool. Reported: wall time, runs per second, CPU seconds (this process and
its worker processes) and the ratio viachilena / EMA of runs per second (target at least 1).

viachilena's per-run overhead, everything but ``simulate``, is measured on the same design with
``ema_model.instant``, a simulate that only hands back a stored run: wall time / runs, the start
of the pool included (target at most 10 ms). EMA's, with a model function that returns
constants, is printed beside it.

    python benchmarks/ema_compare.py [--points 256] [--repeats 3] [--workers 2] [--quick]

Needs EMA Workbench: ``pip install -e ".[bench]"``. The model function lives in an importable
module (``ema_model``), not in this script: EMA's pool pickles it by reference.
"""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import ema_model
from common import cpu_seconds, emit, median, parse_options

import viachilena as vc
from viachilena import model

BENCHMARK = "ema_compare"
RATIO_TARGET = 1.0
OVERHEAD_TARGET_MS = 10.0
EXPERIMENT = """\
[experiment]
name = "ema_compare"
description = "Which engine runs a Latin hypercube faster? (benchmarks/ema_compare.py)"
params = "baseline"
seed = {seed}
replications = 1
reference = "baseline"
series = []
metrics = {metrics}

[scenarios.baseline]

[sweep]
method = "lhs"
samples = {points}
[sweep.parameters]
{parameters}
"""


def write_experiment(folder: Path, points: int) -> Path:
    """The experiment file of the design: `points` LHS points over the three parameters."""
    parameters = "\n".join(
        f'"{key}" = {{ low = {lo}, high = {hi} }}' for key, (lo, hi) in ema_model.UNCERTAINTIES.items()
    )
    metrics = "[" + ", ".join(f'"{name}"' for name in ema_model.OUTCOMES) + "]"
    path = folder / "ema_compare.toml"
    path.write_text(EXPERIMENT.format(seed=ema_model.SEED, metrics=metrics, points=points, parameters=parameters))
    return path


def timed(job: Callable[[], object]) -> tuple[float, float]:
    """Run `job`; return its wall and CPU seconds."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    job()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def viachilena_sweep(experiment: Path, out: Path, workers: int, simulate: str) -> Callable[[], object]:
    """The viachilena sweep, to be timed: a fresh folder each time, no report, no progress bar."""
    return lambda: vc.run(experiment, workers=workers, out=out, fresh=True, progress=False, simulate=simulate)


def ema_workbench():
    """Import EMA Workbench (here, not at the top: viachilena's spawned workers re-import this script)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "ipyparallel not installed": an evaluator this benchmark does not use
        import ema_workbench

    return ema_workbench


def ema_sweep(function: Callable, points: int, workers: int) -> Callable[[], object]:
    """The EMA Workbench sweep, to be timed: its LHS of `points` scenarios on a MultiprocessingEvaluator."""
    ema_api = ema_workbench()
    RealParameter, ScalarOutcome = ema_api.RealParameter, ema_api.ScalarOutcome  # noqa: N806 (EMA's class names)
    ema = ema_api.Model("viachilena", function=function)
    ema.uncertainties = [
        RealParameter(ema_model.ema_name(k), lo, hi) for k, (lo, hi) in ema_model.UNCERTAINTIES.items()
    ]
    ema.outcomes = [ScalarOutcome(name) for name in ema_model.OUTCOMES]

    def sweep() -> object:
        with ema_api.MultiprocessingEvaluator(ema, n_processes=workers) as evaluator:
            return evaluator.perform_experiments(scenarios=points, log_progress=True)  # default sampler: LHS

    return sweep


def measure(name: str, tool: str, points: int, job: Callable[[], object]) -> tuple[float, float]:
    """Time one sweep and emit it; return wall and CPU seconds."""
    wall, cpu = timed(job)
    emit(BENCHMARK, name, tool=tool, runs=points, seconds=wall, cpu_seconds=cpu, runs_per_second=points / wall)
    return wall, cpu


def main() -> None:
    options = {
        "--points": (256, "points of the Latin hypercube (default 256)"),
        "--repeats": (3, "sweeps of each tool, alternated (default 3)"),
        "--workers": (2, "worker processes of both tools (default 2)"),
        "--quick": (False, "smoke run: 16 points, one sweep each"),
        "--verbose": (False, "EMA Workbench's log on stderr"),
    }
    args = parse_options(__doc__, options, quick={"points": 16, "repeats": 1})
    ema_logging = ema_workbench().ema_logging
    ema_logging.log_to_stderr(ema_logging.INFO if args.verbose else logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="viachilena-ema-") as tmp:
        folder = Path(tmp)
        experiment = write_experiment(folder, args.points)
        stored = folder / "run.pickle"
        stored.write_bytes(pickle.dumps(model.simulate(model.load_params(), ema_model.SEED)))
        os.environ[ema_model.STORED_RUN] = str(stored)  # inherited by both tools' workers

        ours, theirs = [], []
        for _ in range(args.repeats):
            sweep = viachilena_sweep(experiment, folder / "out", args.workers, "viachilena.model:simulate")
            ours.append(measure("sweep", "viachilena", args.points, sweep))
            theirs.append(
                measure(
                    "sweep", "ema_workbench", args.points, ema_sweep(ema_model.ema_function, args.points, args.workers)
                )
            )
        instant = viachilena_sweep(experiment, folder / "instant", args.workers, "ema_model:instant")
        overhead_wall, overhead_cpu = measure("overhead", "viachilena", args.points, instant)
        ema_wall, _ = measure(
            "overhead", "ema_workbench", args.points, ema_sweep(ema_model.ema_constant, args.points, args.workers)
        )

    rate_ours = args.points / median([wall for wall, _ in ours])
    rate_theirs = args.points / median([wall for wall, _ in theirs])
    ratio = rate_ours / rate_theirs
    overhead_ms = 1000 * overhead_wall / args.points
    emit(
        BENCHMARK,
        "runs_per_second_ratio",
        value=ratio,
        viachilena=rate_ours,
        ema_workbench=rate_theirs,
        target_min=RATIO_TARGET,
    )
    emit(
        BENCHMARK,
        "overhead_ms_per_run",
        value=overhead_ms,
        cpu_ms_per_run=1000 * overhead_cpu / args.points,
        ema_workbench=1000 * ema_wall / args.points,
        target_max=OVERHEAD_TARGET_MS,
    )
    print(
        f"{args.points}-point LHS, 1 replication, {args.workers} workers, median of {args.repeats}: "
        f"viachilena {rate_ours:.2f} runs/s ({median([c for _, c in ours]):.0f} s CPU), "
        f"EMA Workbench {rate_theirs:.2f} runs/s ({median([c for _, c in theirs]):.0f} s CPU), "
        f"ratio {ratio:.3f} ({'meets' if ratio >= RATIO_TARGET else 'misses'} >= {RATIO_TARGET}); "
        f"viachilena's overhead {overhead_ms:.1f} ms a run, pool start included "
        f"({'meets' if overhead_ms <= OVERHEAD_TARGET_MS else 'misses'} <= {OVERHEAD_TARGET_MS:.0f}; "
        f"EMA Workbench's {1000 * ema_wall / args.points:.1f} ms)"
    )


if __name__ == "__main__":
    main()
