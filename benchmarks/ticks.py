"""What does a SimPy tick cost a run? The model's daily processes with no work, against a baseline run.

A daily mechanism is a SimPy process that iterates :func:`model.calendar.ticks` and yields each
day's timeout at its phase. The script runs that arrangement with nothing else in it: as many
processes as a baseline run has events a day (its SimPy events over its days), spread over the
day's phases, for the baseline's days, in :class:`model.run.CountingEnvironment`, and prints
the CPU microseconds an event costs (median of 7), what the baseline's events cost at that rate
and their share of a baseline run's CPU (median of 5 after a warm-up). Beside it, the same
processes yielding bare ``env.timeout`` in a plain ``simpy.Environment``: what the model's
wrapping (``ticks``, the counting environment) adds. This bounds what merging processes could save.

    python benchmarks/ticks.py [--runs 5] [--quick]
"""

from __future__ import annotations

import time

import simpy
from common import BASELINE, emit, median, parse_options

from viachilena import model
from viachilena.model.calendar import PHASE, ticks
from viachilena.model.run import CountingEnvironment

BENCHMARK = "ticks"
REPEATS = 7


def daily(env: simpy.Environment, phase: str):
    """A mechanism's process with its day's work taken out (the work would follow the yield)."""
    for tick in ticks(env, phase):  # noqa: UP028 - the mechanisms' loop, not a delegation
        yield tick


def bare(env: simpy.Environment, phase: str):
    """The same timeouts, yielded directly."""
    yield env.timeout(PHASE[phase])
    while True:
        yield env.timeout(1)


def tick_cost(environment: type[simpy.Environment], process, n_processes: int, days: int) -> float:
    """CPU microseconds an event costs: `n_processes` daily processes over the day's phases for `days` days."""
    phases = list(PHASE)
    samples = []
    for _ in range(REPEATS):
        env = environment()
        for i in range(n_processes):
            env.process(process(env, phases[i % len(phases)]))
        cpu = time.process_time()
        env.run(until=days)
        samples.append(time.process_time() - cpu)
    return median(samples) / (n_processes * days) * 1e6


def main() -> None:
    options = {
        "--runs": (5, "timed baseline runs after the warm-up (default 5)"),
        "--seed": (7, "seed of the baseline runs (default 7)"),
        "--quick": (False, "smoke run: 1 baseline run"),
    }
    args = parse_options(__doc__, options, quick={"runs": 1})

    params = model.load_params(BASELINE)
    run = model.simulate(params, args.seed)  # warm-up, and the run's events and days
    cpu_times = []
    for _ in range(args.runs):
        cpu = time.process_time()
        model.simulate(params, args.seed)
        cpu_times.append(time.process_time() - cpu)
    run_cpu, events, days = median(cpu_times), run.simpy_events, len(run.series)
    per_day = round(events / days)

    in_model = tick_cost(CountingEnvironment, daily, per_day, days)
    plain = tick_cost(simpy.Environment, bare, per_day, days)
    events_cpu = events * in_model * 1e-6
    emit(BENCHMARK, "tick", cpu_us=in_model, plain_simpy_cpu_us=plain, processes=per_day, days=days)
    emit(BENCHMARK, "run", cpu_seconds=run_cpu, simpy_events=events, events_cpu_seconds=events_cpu)
    print(
        f"a tick costs {in_model:.2f} µs of CPU ({plain:.2f} as a bare timeout in plain SimPy); "
        f"a baseline run's {events:,} events {events_cpu * 1e3:.1f} ms, "
        f"{events_cpu / run_cpu:.1%} of its {run_cpu:.3f} s of CPU"
    )


if __name__ == "__main__":
    main()
