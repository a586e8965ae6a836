"""How well does the experiment engine use the cores, and does its memory stay flat as sweeps grow?

Writes a temporary experiment (the baseline and the no-October-strike scenario, replicated so
that they make 256 runs, every daily series stored as in a real experiment) and runs it with
``viachilena run ... --no-report --fresh --out TMP`` in a fresh subprocess, once with 1 worker
and once with 2. Reported: runs per second (wall time of the whole command, start-up and
consolidation included) and CPU seconds per run (the command's process tree), the files left in
the folder, parallel efficiency rate2 / (2 * rate1) (target >= 0.85), and peak
memory: ``ru_maxrss`` of the command's process tree (the largest single process in it, from
``os.wait4``; the target applies to this) and the sampled sum over the tree. Then the same
experiment with 2,048 runs and 2 workers: its peak memory against the 256-run one's (target
ratio <= 1.3, i.e. results are streamed to disk, not held). About 15 minutes on 2 quiet
cores; ``--quick`` uses 32 and 256 runs.

    python benchmarks/sweep.py [--runs 256] [--large-runs 2048] [--workers 2] [--quick]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from common import BASELINE, ROOT, ChildUsage, emit, parse_options, run_child

BENCHMARK = "sweep"
EFFICIENCY_TARGET = 0.85
MEMORY_RATIO_TARGET = 1.3
SERIES = "all daily series stored"
EXPERIMENT = """\
[experiment]
name = "benchmark_sweep"
description = "How fast does the engine run many baseline runs? (benchmarks/sweep.py)"
params = "{baseline}"
seed = 1970
replications = {replications}
reference = "historical"

[scenarios.historical]

[scenarios.no_october_strike]
overlays = ["{overlay}"]
"""


def write_experiment(folder: Path, runs: int) -> Path:
    """An experiment of `runs` runs: two scenarios, runs / 2 replications each."""
    path = folder / f"sweep_{runs}.toml"
    overlay = ROOT / "params" / "scenarios" / "no_october_strike.toml"
    path.write_text(EXPERIMENT.format(baseline=BASELINE, overlay=overlay, replications=runs // 2))
    return path


def run_sweep(folder: Path, runs: int, workers: int) -> ChildUsage:
    """Run the experiment with `runs` runs on `workers` workers; emit and return what it cost."""
    out = folder / f"out_{runs}_{workers}"
    viachilena = Path(sys.executable).with_name("viachilena")
    command = [str(viachilena), "run", str(write_experiment(folder, runs))]
    usage = run_child([*command, "--workers", str(workers), "--no-report", "--fresh", "--out", str(out)])
    files = sum(1 for p in out.rglob("*") if p.is_file())
    shutil.rmtree(out)
    emit(
        BENCHMARK,
        "sweep",
        runs=runs,
        workers=workers,
        series=SERIES,
        seconds=usage.wall_s,
        cpu_seconds=usage.cpu_s,
        runs_per_second=runs / usage.wall_s,
        cpu_seconds_per_run=usage.cpu_s / runs,
        files_left=files,
        peak_rss_mb=usage.peak_rss_mb,
        tree_peak_rss_mb=usage.tree_peak_rss_mb,
    )
    return usage


def main() -> None:
    options = {
        "--runs": (256, "runs of the speed sweeps (default 256)"),
        "--large-runs": (2048, "runs of the memory sweep (default 2048)"),
        "--workers": (2, "workers of the parallel sweeps (default 2)"),
        "--quick": (False, "smoke run: 32 runs, and 256 for the memory sweep"),
    }
    args = parse_options(__doc__, options, quick={"runs": 32, "large_runs": 256})

    with tempfile.TemporaryDirectory(prefix="viachilena-bench-") as tmp:
        folder = Path(tmp)
        serial = run_sweep(folder, args.runs, 1)
        parallel = run_sweep(folder, args.runs, args.workers)
        large = run_sweep(folder, args.large_runs, args.workers)

    efficiency = serial.wall_s / (args.workers * parallel.wall_s)  # = rate_w / (w * rate_1) at equal runs
    emit(BENCHMARK, "parallel_efficiency", value=efficiency, workers=args.workers, target_min=EFFICIENCY_TARGET)
    memory_ratio = large.peak_rss_mb / parallel.peak_rss_mb
    tree_ratio = large.tree_peak_rss_mb / parallel.tree_peak_rss_mb
    emit(
        BENCHMARK,
        f"peak_memory_ratio_{args.large_runs}_to_{args.runs}",
        value=memory_ratio,
        tree_value=tree_ratio,
        target_max=MEMORY_RATIO_TARGET,
    )
    print(
        f"{args.runs} runs: {args.runs / serial.wall_s:.2f} runs/s on 1 worker, "
        f"{args.runs / parallel.wall_s:.2f} on {args.workers} ({serial.cpu_s / args.runs:.2f} and "
        f"{parallel.cpu_s / args.runs:.2f} CPU s a run); efficiency {efficiency:.2f} "
        f"({'meets' if efficiency >= EFFICIENCY_TARGET else 'misses'} >= {EFFICIENCY_TARGET}); "
        f"peak memory {parallel.peak_rss_mb:.0f} MB -> {large.peak_rss_mb:.0f} MB at {args.large_runs} runs, "
        f"ratio {memory_ratio:.2f} ({'meets' if memory_ratio <= MEMORY_RATIO_TARGET else 'misses'} "
        f"<= {MEMORY_RATIO_TARGET}; tree sum {tree_ratio:.2f}) [{SERIES}]"
    )


if __name__ == "__main__":
    main()
