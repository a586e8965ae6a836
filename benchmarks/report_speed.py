"""How fast is a report built from a stored experiment of 200 and of 2,000 runs?

Writes, through the engine's own store (``RunStore``, so the folder has the layout a real run
leaves), the October 1972 experiment (four scenarios) with 50 and with 500 replications, each
run's row and every daily series of the model over 1970-11-04..1973-09-11 filled with
synthetic numbers (random walks: what is timed is the report, not the model) and the record's
dated events as its events (the experiment's timing is historical: every run has them on their dates). Then times
``build_report`` on each folder (median of N builds, each from scratch: the figures of the
previous build deleted; figures on the default two processes), and once more as a rebuild of
an unchanged folder, which keeps the figures already drawn. Targets: 200 runs under 10 s,
2,000 runs under 30 s. Beside the wall time it prints the CPU time of the build (this process
and its drawing processes): on a machine that other jobs keep busy, wall time is noise, and
CPU time / 2 is what two idle cores would need at best; the load average over the build
(``os.getloadavg``, before and after) says how busy the machine was.

    python benchmarks/report_speed.py [--repeats 3] [--sizes 200 2000] [--quick]
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from common import ROOT, cpu_seconds, emit, median, parse_options

from viachilena import model
from viachilena.experiments import manifest as manifests
from viachilena.experiments.columns import run_schema
from viachilena.experiments.design import run_table
from viachilena.experiments.report import build_report
from viachilena.experiments.results import History
from viachilena.experiments.spec import load_experiment
from viachilena.experiments.store import MANIFEST, RunStore, write_json, write_scenarios
from viachilena.experiments.worker import DEFAULT_SIMULATE, OK, Outcome

BENCHMARK = "report_speed"
EXPERIMENT = ROOT / "experiments" / "october_1972.toml"
TARGETS = {200: 10.0, 2000: 30.0}
DATES = pd.date_range("1970-11-04", "1973-09-11", freq="D", name="date")
HISTORY = History.load()


def marked_events() -> list[tuple]:
    """A run's events as the report marks them: the record's dated events, on their dates (historical timing)."""
    found = [(DATES[700], "lockout", "firm-1", "-")]
    for event in HISTORY.events:
        if event.end is None:
            found.append((event.start, "political", event.label, "-"))
        else:
            found += [(event.start, "strike_start", event.key, "-"), (event.end, "strike_end", event.key, "-")]
    return found


def write_store(folder: Path, runs: int) -> Path:
    """Store `runs` synthetic runs of the October 1972 experiment in `folder`."""
    experiment = load_experiment(EXPERIMENT)
    experiment = experiment.with_replications(runs // len(experiment.scenarios))
    manifest = manifests.new_manifest(experiment, DEFAULT_SIMULATE, "benchmark", None)
    write_json(folder / MANIFEST, manifest)
    store = RunStore(folder, run_schema(experiment.sweep, experiment.metrics))
    write_scenarios(folder, experiment.scenario_params)
    columns = list(model.SERIES_COLUMNS)
    for planned in run_table(experiment):
        rng = np.random.default_rng(planned.seed + hash(planned.scenario) % 1000)
        walk = 1.0 + np.cumsum(rng.normal(0, 0.01, (len(DATES), len(columns))), axis=0)
        series = pd.DataFrame(walk, index=DATES, columns=columns)
        events = pd.DataFrame(marked_events(), columns=["date", "kind", "agent", "detail"])
        row = {
            "run_id": planned.run_id,
            "scenario": planned.scenario,
            "point": planned.point,
            "replication": planned.replication,
            "seed": planned.seed,
            "status": OK,
            "error": "",
            "wall_time_s": 0.5,
            **dict(zip(experiment.metrics, rng.normal(0.1, 0.05, len(experiment.metrics)), strict=True)),
        }
        store.record(Outcome(row, series, events))
    runs_table = store.consolidate()
    counts = {"planned": len(runs_table), "stored": len(runs_table), "ok": len(runs_table)}
    write_json(folder / MANIFEST, manifests.finish_manifest(manifest, counts))
    return folder


def time_report(folder: Path, repeats: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each of `repeats` builds of the report of `folder`."""
    walls, cpus = [], []
    for _ in range(repeats):
        shutil.rmtree(folder / "figures", ignore_errors=True)
        start, cpu = time.perf_counter(), cpu_seconds()
        build_report(folder)
        walls.append(time.perf_counter() - start)
        cpus.append(cpu_seconds() - cpu)
    return walls, cpus


def main() -> None:
    options = {
        "--repeats": (3, "builds of each report (the median is reported)"),
        "--sizes": (list(TARGETS), "runs in each stored experiment"),
        "--quick": (False, "smoke run: one build of a 200-run report"),
    }
    args = parse_options(__doc__, options, quick={"repeats": 1, "sizes": [200]})
    summary = []
    for runs in args.sizes:
        folder = Path(tempfile.mkdtemp(prefix=f"report_speed_{runs}_"))
        try:
            start = time.perf_counter()
            write_store(folder, runs)
            written = time.perf_counter() - start
            load_before = os.getloadavg()[0]
            times, cpus = time_report(folder, args.repeats)
            figures = len(list((folder / "figures").glob("*.png")))
            start = time.perf_counter()
            build_report(folder)
            rebuilt = time.perf_counter() - start
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        target = TARGETS.get(runs)
        emit(
            BENCHMARK,
            f"report of {runs} runs",
            runs=runs,
            figures=figures,
            seconds=round(median(times), 2),
            all_seconds=[round(t, 2) for t in times],
            cpu_seconds=round(median(cpus), 2),
            rebuild_unchanged_s=round(rebuilt, 2),
            store_written_s=round(written, 1),
            load_average=[round(load_before, 2), round(os.getloadavg()[0], 2)],
            target_max=target,
        )
        summary.append(
            f"{runs} runs: {median(times):.1f} s, {median(cpus):.1f} s CPU, rebuilt unchanged {rebuilt:.1f} s, "
            f"load {load_before:.1f} to {os.getloadavg()[0]:.1f}" + (f" (target < {target:g} s)" if target else "")
        )
    print("report_speed: " + "; ".join(summary))


if __name__ == "__main__":
    main()
