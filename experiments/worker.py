"""Runs, as a worker process executes them: apply each run's values, simulate, keep the outcome.

A :class:`Task` is a chunk of planned runs, self-contained and picklable: it carries the
parameters of its runs' scenarios, resolved and validated once before the first run (sent
once per chunk, not once per run), so no worker reads an input file (an edit during a sweep
changes nothing). The function that simulates is named by a dotted reference
(``"viachilena.model:simulate"``) and imported where the task runs. A worker also turns each
run's series and events into the Arrow tables the store writes, so the process that stores
them only writes. :func:`execute` never raises: any exception becomes a failed
:class:`Outcome` carrying the traceback, and so does a run whose recorded metrics are all
undefined (NaN), so one bad run does not take the sweep down and no undefined result passes
as a finished one; a run with some undefined metrics is kept, their names in its ``error``
column.
"""

from __future__ import annotations

import importlib
import math
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa

from viachilena import model
from viachilena.experiments.columns import events_table, parameter_column, series_table
from viachilena.experiments.design import PlannedRun
from viachilena.model.errors import ParamError

DEFAULT_SIMULATE = "viachilena.model:simulate"
OK, FAILED = "ok", "failed"
UNDEFINED = "metrics undefined for this run"


@dataclass(frozen=True)
class Task:
    """Everything a worker needs to execute a chunk of planned runs, one after another.

    ``params`` holds the resolved parameters of the scenarios the runs belong to;
    ``series`` lists the daily columns to keep (``None``: all, ``()``: none, and then no
    series file is written); with ``fail_fast`` the chunk stops at its first failed run.
    """

    runs: tuple[PlannedRun, ...]
    params: dict[str, model.Params]
    metrics: tuple[str, ...]
    series: tuple[str, ...] | None
    simulate: str = DEFAULT_SIMULATE
    fail_fast: bool = False


@dataclass(frozen=True)
class Outcome:
    """What a run produced: its row of the run table and, if it finished, its frames.

    The frames are the model's (DataFrames) or already the stored tables (Arrow, keyed by
    run and scenario), as :func:`execute` returns them.
    """

    row: dict[str, Any]
    series: pd.DataFrame | pa.Table | None
    events: pd.DataFrame | pa.Table | None

    @property
    def run_id(self) -> str:
        """The run's id."""
        return self.row["run_id"]

    @property
    def failed(self) -> bool:
        """Whether the run raised instead of finishing."""
        return self.row["status"] == FAILED


def resolve_simulate(reference: str) -> Callable:
    """Import the simulate function named ``"package.module:function"``."""
    module_name, _, function = reference.partition(":")
    try:
        found = getattr(importlib.import_module(module_name), function or "simulate")
    except (ImportError, AttributeError) as exc:
        raise ParamError("--simulate", "", f"an importable 'module:function' ({exc})") from None
    if not callable(found):
        raise ParamError("--simulate", "", f"{reference!r} to name a function")
    return found


class UndefinedMetrics(ValueError):
    """A run that finished but left every recorded metric undefined (NaN or infinite)."""

    def __init__(self, names: list[str]):
        super().__init__(
            f"{UNDEFINED}, all of them: {', '.join(names)} (is the horizon too short to measure them? "
            "choose a later end or other metrics)"
        )


def with_values(params: model.Params, values: dict[str, Any]) -> model.Params:
    """Return `params` with the dotted `values` set (a sweep point), validated again."""
    if not values:
        return params
    tree = params.model_dump()
    for key, value in values.items():
        *sections, last = key.split(".")
        node = tree
        for section in sections:
            node = node[section]
        node[last] = value
    return model.Params.model_validate(tree)


def execute(task: Task) -> list[Outcome]:
    """Execute the runs of `task` in order; return their outcomes, frames as the stored tables.

    With ``task.fail_fast`` the runs after the first failed one are not executed (nor returned).
    """
    outcomes = []
    for run in task.runs:
        outcomes.append(_execute_one(task, run))
        if task.fail_fast and outcomes[-1].failed:
            break
    return outcomes


def _execute_one(task: Task, run: PlannedRun) -> Outcome:
    """Execute one run of `task`; return its outcome, failed with the traceback if anything raised."""
    started = time.perf_counter()
    try:
        simulate = resolve_simulate(task.simulate)
        result = simulate(with_values(task.params[run.scenario], run.values), run.seed)
        metrics = {name: float(result.summary[name]) for name in task.metrics}
        undefined = [name for name, value in metrics.items() if not math.isfinite(value)]
        if undefined and len(undefined) == len(metrics):
            raise UndefinedMetrics(undefined)
        series = None
        if task.series != ():
            kept = result.series if task.series is None else result.series.loc[:, list(task.series)]
            series = series_table(run.run_id, run.scenario, kept)
        events = events_table(run.run_id, run.scenario, result.events)
        status, error = OK, f"{UNDEFINED}: {', '.join(undefined)}" if undefined else ""
    except Exception:
        metrics = dict.fromkeys(task.metrics, math.nan)
        series = events = None
        status, error = FAILED, traceback.format_exc()
    row = {
        "run_id": run.run_id,
        "scenario": run.scenario,
        "point": run.point,
        "replication": run.replication,
        "seed": run.seed,
        **{parameter_column(key): value for key, value in run.values.items()},
        "status": status,
        "error": error,
        "wall_time_s": time.perf_counter() - started,
        **metrics,
    }
    return Outcome(row, series, events)
