"""Does a run's cost grow with its agents? The baseline at scale 1, 10 and 100.

``run.scale`` multiplies the agent counts (firms, neighbourhoods, truck agents). Each scale
runs in a fresh Python process, so its peak memory (``ru_maxrss``) is that scale's alone; the
time per simulated day is the median of several runs at scales 1 and 10 and one run at 100,
after a warm-up run at scale 1 (imports, caches). Targets: time per day at 10x at most 4 times
that at 1x, at 100x at most 30 times.

    python benchmarks/scaling.py [--scales 1 10 100] [--runs 3] [--seed 7] [--quick]
"""

from __future__ import annotations

import json
import time

from common import BASELINE, emit, median, parse_options, python_child, run_child

from viachilena import model

BENCHMARK = "scaling"
TARGETS = {10: 4.0, 100: 30.0}
MANY_AGENTS = 100  # from this scale on, a single run is enough


def one_scale(scale: float, runs: int, seed: int) -> None:
    """In the child process: time `runs` simulations at one scale, print their seconds per day as JSON."""
    model.simulate(model.load_params(BASELINE), seed)  # warm-up, at scale 1 so it is cheap
    params = model.load_params(BASELINE, overrides={"run.scale": scale})
    per_day = []
    for _ in range(runs):
        start = time.perf_counter()
        run = model.simulate(params, seed)
        per_day.append((time.perf_counter() - start) / len(run.series))
    print(json.dumps({"seconds_per_day": per_day, "simpy_events": run.simpy_events}))


def main() -> None:
    options = {
        "--scales": ([1.0, 10.0, 100.0], "scales (default 1 10 100)"),
        "--runs": (3, f"runs per scale below {MANY_AGENTS} (default 3)"),
        "--seed": (7, "seed of every run (default 7)"),
        "--quick": (False, "smoke run: one run per scale"),
        "--one-scale": (float, "internal: measure this scale in this process"),
    }
    args = parse_options(__doc__, options, quick={"runs": 1})
    if args.one_scale is not None:
        one_scale(args.one_scale, args.runs, args.seed)
        return

    per_day = {}
    for scale in args.scales:
        runs = 1 if scale >= MANY_AGENTS else args.runs
        child = run_child(
            python_child(__file__, "--one-scale", str(scale), "--runs", str(runs), "--seed", str(args.seed))
        )
        measured = json.loads(child.stdout)
        per_day[scale] = median(measured["seconds_per_day"])
        emit(
            BENCHMARK,
            "scale",
            scale=scale,
            runs=runs,
            seconds_per_day=per_day[scale],
            simpy_events=measured["simpy_events"],
            peak_rss_mb=child.peak_rss_mb,
        )

    summary = []
    for scale, target in TARGETS.items():
        if scale in per_day and 1 in per_day:
            ratio = per_day[scale] / per_day[1]
            emit(BENCHMARK, f"ratio_{scale}x_to_1x", value=ratio, target_max=target)
            summary.append(f"{scale}x/1x {ratio:.1f} ({'meets' if ratio <= target else 'misses'} <= {target:g})")
    times = ", ".join(f"{scale:g}x {1000 * s:.2f} ms" for scale, s in per_day.items())
    print("; ".join([f"time per simulated day: {times}", *summary]))


if __name__ == "__main__":
    main()
