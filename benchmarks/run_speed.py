"""How fast is one baseline run, measured against SimPy's own speed on this machine?

Times a baseline run at the default scale (median of N after one warm-up run), then, in the
same process, SimPy's bare cost of 1,000,000 timeout events (1,000 processes each yielding
``env.timeout(1)`` for 1,000 days; median of 3). The figure is the ratio of the two, which
cancels most of the machine's speed: target at most 0.12 (a baseline run costs no more than
120,000 bare SimPy events: a few dozen vectorised operations a simulated day). Each figure is
also taken in CPU seconds of this process (``time.process_time``), and the ratio of those: on a
machine other jobs share, the steadier comparison.

    python benchmarks/run_speed.py [--runs 7] [--seed 7] [--quick]
"""

from __future__ import annotations

import time

import simpy
from common import BASELINE, emit, median, parse_options

from viachilena import model

BENCHMARK = "run_speed"
BARE_PROCESSES = 1_000
BARE_DAYS = 1_000
TARGET_RATIO = 0.12


def bare_simpy() -> tuple[float, float]:
    """Wall and CPU seconds SimPy takes for 1,000 processes x 1,000 daily timeouts."""
    env = simpy.Environment()

    def daily(env):
        for _ in range(BARE_DAYS):
            yield env.timeout(1)

    for _ in range(BARE_PROCESSES):
        env.process(daily(env))
    start, cpu = time.perf_counter(), time.process_time()
    env.run()
    return time.perf_counter() - start, time.process_time() - cpu


def baseline_run(params: model.Params, seed: int) -> tuple[float, float, model.Run]:
    """Wall and CPU seconds one baseline simulation takes, and the run."""
    start, cpu = time.perf_counter(), time.process_time()
    run = model.simulate(params, seed)
    return time.perf_counter() - start, time.process_time() - cpu, run


def main() -> None:
    options = {
        "--runs": (7, "timed baseline runs after the warm-up (default 7)"),
        "--bare-runs": (3, "timed bare SimPy runs (default 3)"),
        "--seed": (7, "seed of the baseline runs (default 7)"),
        "--quick": (False, "smoke run: 2 baseline runs, 1 bare SimPy run"),
    }
    args = parse_options(__doc__, options, quick={"runs": 2, "bare_runs": 1})

    params = model.load_params(BASELINE)
    baseline_run(params, args.seed)  # warm-up: imports, caches
    times, cpu_times, runs = zip(*(baseline_run(params, args.seed) for _ in range(args.runs)), strict=True)
    run_s, run_cpu = median(list(times)), median(list(cpu_times))
    events = runs[0].simpy_events
    emit(
        BENCHMARK,
        "baseline_run",
        seconds=run_s,
        cpu_seconds=run_cpu,
        runs=args.runs,
        simpy_events=events,
        events_per_second=events / run_s,
        days=len(runs[0].series),
    )

    bare_times, bare_cpu_times = zip(*(bare_simpy() for _ in range(args.bare_runs)), strict=True)
    bare_s, bare_cpu = median(list(bare_times)), median(list(bare_cpu_times))
    bare_events = BARE_PROCESSES * BARE_DAYS
    emit(
        BENCHMARK,
        "bare_simpy",
        seconds=bare_s,
        cpu_seconds=bare_cpu,
        runs=args.bare_runs,
        simpy_events=bare_events,
        events_per_second=bare_events / bare_s,
    )

    ratio = run_s / bare_s
    emit(BENCHMARK, "ratio_baseline_to_bare_simpy", value=ratio, cpu=run_cpu / bare_cpu, target_max=TARGET_RATIO)
    verdict = "meets" if ratio <= TARGET_RATIO else "misses"
    print(
        f"baseline run {run_s:.3f} s ({events:,} SimPy events, {events / run_s:,.0f}/s); "
        f"1M bare SimPy events {bare_s:.3f} s; ratio {ratio:.2f} {verdict} the target <= {TARGET_RATIO} "
        f"(CPU: run {run_cpu:.3f} s, bare SimPy {bare_cpu:.3f} s, ratio {run_cpu / bare_cpu:.2f})"
    )


if __name__ == "__main__":
    main()
