"""Where does a baseline run spend its time? Events and wall time per SimPy process and module.

Two runs of the same seed. The first counts SimPy events by the process that scheduled them: the
script swaps ``model.run.CountingEnvironment`` for a subclass that charges each scheduled event
to the active process's generator function ("(setup)" outside any process, e.g. the processes'
own start events). The second runs under cProfile: a process's time is the cumulative time of
its generator function (each resume is one call, callees included), so it covers the
mechanism's own arithmetic and numpy; what no process covers is SimPy's kernel, the set-up and
the summary ("(kernel, setup, summary)"). Tables sorted by share of wall time: per process, per
model module, and the model functions with the most own time. cProfile slows Python code more
than numpy, so shares lean towards Python-heavy code; use them to rank, not as timings.

    python benchmarks/events.py [--seed 7] [--scale 1] [--top 15] [--quick]
"""

from __future__ import annotations

import cProfile
import pstats
import time
from collections import Counter, defaultdict
from pathlib import Path

import simpy
from common import BASELINE, ROOT, emit, parse_options

from viachilena import model

BENCHMARK = "events"
MODEL_DIR = ROOT / "model"
OUTSIDE = "(kernel, setup, summary)"


class AttributingEnvironment(model.run.CountingEnvironment):
    """Counts scheduled events by the generator function of the process that scheduled them."""

    by_process: Counter[str] = Counter()  # of the latest run: simulate() builds the environment itself

    def __init__(self) -> None:
        super().__init__()
        self.owners: dict[simpy.Process, str] = {}

    def process(self, generator) -> simpy.Process:
        process = super().process(generator)
        self.owners[process] = _label(generator.gi_code.co_filename, generator.gi_code.co_name)
        return process

    def schedule(self, event, priority=simpy.core.NORMAL, delay=0) -> None:
        owner = self.owners[self.active_process] if self.active_process is not None else "(setup)"
        self.by_process[owner] += 1
        super().schedule(event, priority, delay)


def _label(filename: str, name: str) -> str:
    """module.function; the module is the file's stem for model/ files, else the file's name."""
    path = Path(filename)
    return f"{path.stem if path.parent == MODEL_DIR else path.name}.{name}"


def count_events(params: model.Params, seed: int) -> tuple[Counter[str], int]:
    """Events per process of one run, and the run's total."""
    original = model.run.CountingEnvironment
    model.run.CountingEnvironment = AttributingEnvironment
    try:
        AttributingEnvironment.by_process.clear()
        run = model.simulate(params, seed)
    finally:
        model.run.CountingEnvironment = original
    return Counter(AttributingEnvironment.by_process), run.simpy_events


def profile(params: model.Params, seed: int) -> tuple[pstats.Stats, float]:
    """cProfile statistics of one run, and its wall time under the profiler."""
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.runcall(model.simulate, params, seed)
    wall = time.perf_counter() - start
    return pstats.Stats(profiler), wall


def process_times(stats: pstats.Stats, processes: set[str]) -> dict[str, float]:
    """Cumulative seconds of each process generator function."""
    times = defaultdict(float)
    for (filename, _, name), (_, _, _, cumulative, _) in stats.stats.items():
        label = _label(filename, name)
        if label in processes:
            times[label] += cumulative
    return times


def own_times(stats: pstats.Stats) -> dict[str, float]:
    """Own (exclusive) seconds of each function defined under model/."""
    return {
        _label(filename, name): own
        for (filename, _, name), (_, _, own, _, _) in stats.stats.items()
        if Path(filename).parent == MODEL_DIR
    }


def table(title: str, rows: list[tuple[str, float, int | None]], wall: float) -> None:
    """Print rows (name, seconds, events or None) sorted by share of wall time."""
    print(f"\n{title}")
    print(f"  {'share':>6}  {'seconds':>8}  {'events':>8}  name")
    for name, seconds, events in sorted(rows, key=lambda row: -row[1]):
        print(f"  {seconds / wall:6.1%}  {seconds:8.3f}  {'' if events is None else events:>8}  {name}")


def main() -> None:
    options = {
        "--seed": (7, "seed of the runs (default 7)"),
        "--scale": (1.0, "run.scale (default 1)"),
        "--top": (15, "model functions listed by own time (default 15)"),
        "--quick": (False, "smoke run: list the top 5 functions only"),
    }
    args = parse_options(__doc__, options, quick={"top": 5})

    params = model.load_params(BASELINE, overrides={"run.scale": args.scale})
    model.simulate(params, args.seed)  # warm-up: imports, caches
    events, total_events = count_events(params, args.seed)
    stats, wall = profile(params, args.seed)
    seconds = process_times(stats, set(events) - {"(setup)"})

    processes = [(name, seconds.get(name, 0.0), count) for name, count in events.items()]
    outside = wall - sum(seconds.values())
    processes.append((OUTSIDE, outside, None))
    for name, secs, count in processes:
        emit(BENCHMARK, "process", name=name, events=count, seconds=secs, share=secs / wall)
    modules = defaultdict(float)
    module_events = Counter()
    for name, secs, count in processes:
        module = name.split(".")[0] if count is not None else OUTSIDE
        modules[module] += secs
        module_events[module] += count or 0
    module_rows = [(name, secs, module_events[name] if name != OUTSIDE else None) for name, secs in modules.items()]
    for name, secs, count in module_rows:
        emit(BENCHMARK, "module", name=name, events=count, seconds=secs, share=secs / wall)
    functions = sorted(own_times(stats).items(), key=lambda item: -item[1])[: args.top]
    for name, secs in functions:
        emit(BENCHMARK, "function_own_time", name=name, seconds=secs, share=secs / wall)

    print(
        f"\nbaseline, seed {args.seed}, scale {args.scale:g}: "
        f"{total_events:,} SimPy events, {wall:.2f} s under cProfile"
    )
    table("per process (cumulative time of its generator, callees included)", processes, wall)
    table("per module", module_rows, wall)
    table(f"top {args.top} model functions by own time", [(name, secs, None) for name, secs in functions], wall)
    top_name, top_secs, _ = max((row for row in processes if row[2] is not None), key=lambda row: row[1])
    print(
        f"\nsummary: {total_events:,} events; the costliest process is {top_name} "
        f"({top_secs / wall:.0%} of wall time); SimPy kernel, set-up and summary take {outside / wall:.0%}"
    )


if __name__ == "__main__":
    main()
