"""Calibration: fit behavioural and policy parameters to the published record.

A calibration file names the parameters to fit (each within a plausible range) and the
targets: summary metrics with the range a fitted baseline should land in, taken from the
project's copy of the record (the shipped ``history``, each with its source) or given inline.
The objective averages every metric over a fixed set of replication seeds (common random
numbers, so the objective is a deterministic, smooth-enough function of the parameters) and
penalises the distance outside each range, scaled by the range's width, with a small pull
toward its middle. :func:`scipy.optimize.differential_evolution` searches the box; each
generation's candidates are spread over the experiment executors (process pool or Dask).

Every evaluation is appended to ``trace.jsonl`` as it ends. Differential evolution is
deterministic given its seed and the objective's values, so a stopped calibration resumes by
replaying the search with the finished evaluations read back from the trace: nothing is
computed twice, and the result is the one an uninterrupted search gives. The search writes
``fitted.toml`` (an overlay with the fitted values), and the fit report ``fit.csv`` and
``fit.md``: each target, its published value and range, the simulated mean and 95% interval
over ``check_replications`` fresh replications, and whether it lands inside.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomli_w
from pydantic import Field, StrictInt, StrictStr, ValidationError
from scipy import optimize, stats
from tqdm import tqdm

from viachilena import model
from viachilena.experiments.executors import Executor
from viachilena.experiments.spec import FOLDER_SAFE, MAX_NAME, _find_file, _param_error, _Table, shipped_experiment
from viachilena.experiments.store import FolderLock, write_atomically
from viachilena.model.errors import ParamError
from viachilena.model.loading import SCENARIOS, read_toml

PULL_TO_MIDDLE = 0.05
MAX_GENERATIONS = 10_000  # generations of the search (the file's maxiter and --maxiter)


class CalibrationTable(_Table):
    """The ``[calibration]`` table."""

    name: StrictStr = Field(pattern=FOLDER_SAFE, max_length=MAX_NAME)
    description: StrictStr = Field(min_length=1)
    params: StrictStr
    overlays: tuple[StrictStr, ...] = ()
    set: dict[str, Any] = Field(default_factory=dict)
    history: StrictStr = "history"
    seed: StrictInt = Field(ge=0, lt=2**63)
    replications: StrictInt = Field(ge=1, le=1000)
    check_replications: StrictInt = Field(default=20, ge=2, le=10000)
    maxiter: StrictInt = Field(ge=1, le=MAX_GENERATIONS)
    popsize: StrictInt = Field(ge=2, le=1000)
    targets_from_history: tuple[StrictStr, ...] = ()


class Bounds(_Table):
    """A fitted parameter's plausible range."""

    low: float
    high: float


class Target(_Table):
    """A target range given inline (instead of from the record)."""

    low: float
    high: float
    value: float | None = None
    source: StrictStr = "inline"


class CalibrationFile(_Table):
    """A whole calibration file."""

    calibration: CalibrationTable
    parameters: dict[str, Bounds] = Field(min_length=1)
    targets: dict[str, Target] = Field(default_factory=dict)


@dataclass(frozen=True)
class Calibration:
    """A resolved calibration: files found, targets with ranges, parameters with bounds."""

    path: Path
    spec: CalibrationTable
    params: Path
    overlays: tuple[Path, ...]
    names: tuple[str, ...]
    bounds: tuple[tuple[float, float], ...]
    targets: pd.DataFrame  # index metric; columns value, low, high, fit_low, fit_high, source


def is_calibration_file(path: Path | str) -> bool:
    """Whether a TOML file is a calibration file (it has a ``[calibration]`` table)."""
    return "calibration" in read_toml(path)


def load_calibration(path: Path | str) -> Calibration:
    """Read and check a calibration file; raise ParamError naming the file and key if unusable.

    `path` is a calibration file or the stable name of a shipped one (``"calibration"``).
    """
    path = shipped_experiment(path).resolve()
    try:
        table = CalibrationFile.model_validate(read_toml(path))
    except ValidationError as exc:
        raise _param_error(path, exc.errors()[0]) from None
    spec = table.calibration
    params = _find_file(path, spec.params, "calibration.params")
    overlays = tuple(_find_file(path, o, "calibration.overlays", SCENARIOS) for o in spec.overlays)
    for name, b in table.parameters.items():
        if not b.low < b.high:
            raise ParamError(path, f"parameters.{name}", f"low < high (got {b.low} and {b.high})")
        for value in (b.low, b.high):
            try:
                model.load_params(params, overlays, {**spec.set, name: value})
            except ParamError as err:
                raise ParamError(path, f"parameters.{name}", err.expected) from None
    rows = {}
    if spec.targets_from_history:
        record = read_toml(_find_file(path, spec.history, "calibration.history")).get("targets", {})
        for metric in spec.targets_from_history:
            if metric not in record:
                raise ParamError(
                    path, "calibration.targets_from_history", f"a target in {spec.history} (no '{metric}' there)"
                )
            t = record[metric]
            for bound in ("fit_low", "fit_high"):
                if not isinstance(t, dict) or type(t.get(bound)) not in (int, float):
                    raise ParamError(
                        _find_file(path, spec.history, "calibration.history"),
                        f"targets.{metric}.{bound}",
                        "a number (the range a fitted baseline should land in)",
                    )
            rows[metric] = dict(
                value=t.get("value"),
                low=t.get("low"),
                high=t.get("high"),
                fit_low=t["fit_low"],
                fit_high=t["fit_high"],
                source=t.get("source", ""),
            )
    for metric, t in table.targets.items():
        if not t.low < t.high:
            raise ParamError(path, f"targets.{metric}", f"low < high (got {t.low} and {t.high})")
        rows[metric] = dict(value=t.value, low=t.low, high=t.high, fit_low=t.low, fit_high=t.high, source=t.source)
    if not rows:
        raise ParamError(
            path, "targets", "at least one target ([targets.<metric>] or calibration.targets_from_history)"
        )
    for metric in rows:
        if metric not in model.SUMMARY_METRICS:
            raise ParamError(path, f"targets.{metric}", "a summary metric of the model")
    return Calibration(
        path=path,
        spec=spec,
        params=params,
        overlays=overlays,
        names=tuple(table.parameters),
        bounds=tuple((b.low, b.high) for b in table.parameters.values()),
        targets=pd.DataFrame.from_dict(rows, orient="index"),
    )


@dataclass(frozen=True)
class Evaluation:
    """One candidate, self-contained so a worker process can evaluate it."""

    params: str
    overlays: tuple[str, ...]
    base: tuple[tuple[str, Any], ...]
    names: tuple[str, ...]
    x: tuple[float, ...]
    seeds: tuple[int, ...]
    metrics: tuple[str, ...]


def evaluate(task: Evaluation) -> tuple[tuple[float, ...], dict[str, float]]:
    """Mean of each target metric over the task's replications at the candidate's values.

    A candidate whose runs end in a degenerate economy gets NaN metrics, hence an infinite loss.
    """
    overrides = {**dict(task.base), **dict(zip(task.names, task.x, strict=True))}
    params = model.load_params(task.params, task.overlays, _typed(task, overrides))
    try:
        runs = [model.simulate(params, seed).summary for seed in task.seeds]
    except model.DegenerateEconomyError:
        return task.x, dict.fromkeys(task.metrics, float("nan"))  # a candidate that breaks the economy
    return task.x, {m: float(np.mean([r[m] for r in runs])) for m in task.metrics}


def _typed(task: Evaluation, overrides: dict[str, Any]) -> dict[str, Any]:
    """Round fitted values of integer parameters, which the parameter tree refuses as floats."""
    probe = model.load_params(task.params, task.overlays, dict(task.base))
    typed = {}
    for key, value in overrides.items():
        node = operator.attrgetter(key)(probe)
        typed[key] = int(round(value)) if isinstance(node, int) and not isinstance(node, bool) else value
    return typed


def _start(cal: Calibration) -> np.ndarray:
    """The fitted parameters' values in the calibrated file (and its overlays), inside their bounds.

    The search starts from them (scipy's ``x0``: they replace the first member of the initial
    population), so a refit after a change to the model ends no worse, on the fit's seeds, than
    the values it starts from.
    """
    probe = model.load_params(cal.params, cal.overlays, dict(cal.spec.set))
    lows, highs = np.array(cal.bounds, dtype=float).T
    return np.clip([float(operator.attrgetter(key)(probe)) for key in cal.names], lows, highs)


def loss(means: dict[str, float], targets: pd.DataFrame) -> float:
    """Squared distance outside each range (in half-widths), plus a small pull to the middle."""
    total = 0.0
    for metric, t in targets.iterrows():
        middle, half = (t.fit_low + t.fit_high) / 2, (t.fit_high - t.fit_low) / 2
        value = means[metric]
        if not np.isfinite(value):
            return float("inf")
        d = abs(value - middle) / half
        total += max(0.0, d - 1.0) ** 2 + PULL_TO_MIDDLE * d**2
    return total


def seeds(root: int, replications: int, offset: int = 0) -> tuple[int, ...]:
    """Replication seeds from the root seed's SeedSequence tree."""
    children = np.random.SeedSequence(root).spawn(offset + replications)[offset:]
    return tuple(int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in children)


class Trace:
    """Every finished evaluation, appended to ``trace.jsonl`` and read back on resume.

    Rows that lack one of today's target metrics (a trace from a calibration with other
    targets) are not reused.
    """

    def __init__(self, path: Path, metrics: tuple[str, ...]):
        self.path = path
        self.known: dict[tuple[float, ...], dict[str, float]] = {}
        if path.exists():
            for line in path.read_text().splitlines():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut by a kill
                if set(metrics) <= set(row["metrics"]):
                    self.known[tuple(row["x"])] = row["metrics"]
        self._file = path.open("a")

    def add(self, x: tuple[float, ...], metrics: dict[str, float], value: float) -> None:
        """Record one evaluation durably."""
        self._file.write(json.dumps({"x": list(x), "metrics": metrics, "loss": value}) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        self.known[x] = metrics

    def close(self) -> None:
        """Close the trace file."""
        self._file.close()


def check_maxiter(maxiter: int | None) -> None:
    """Refuse a number of generations outside 1 to :data:`MAX_GENERATIONS` (None: the file's)."""
    if maxiter is not None and not 1 <= maxiter <= MAX_GENERATIONS:
        raise ParamError("--maxiter", "", f"a whole number from 1 to {MAX_GENERATIONS:,} (got {maxiter})")


def calibrate(
    cal: Calibration, out: Path, executor: Executor, maxiter: int | None = None, progress: bool = True
) -> pd.DataFrame:
    """Run the search (resuming from ``out/trace.jsonl``), then write the fitted file and fit report.

    The folder is locked while the search runs: a second calibration on it is refused.
    `maxiter` (generations, default the file's) must be from 1 to :data:`MAX_GENERATIONS`.
    """
    check_maxiter(maxiter)
    with FolderLock(out):
        return _search(cal, out, executor, maxiter, progress)


def _search(cal: Calibration, out: Path, executor: Executor, maxiter: int | None, progress: bool) -> pd.DataFrame:
    metrics = tuple(cal.targets.index)
    trace = Trace(out / "trace.jsonl", metrics)
    fit_seeds = seeds(cal.spec.seed, cal.spec.replications)

    def tasks(xs: Iterable[np.ndarray]) -> list[Evaluation]:
        return [
            Evaluation(
                str(cal.params),
                tuple(map(str, cal.overlays)),
                tuple(cal.spec.set.items()),
                cal.names,
                tuple(float(v) for v in x),
                fit_seeds,
                metrics,
            )
            for x in xs
        ]

    bar = tqdm(
        total=(maxiter or cal.spec.maxiter) + 1,
        desc=f"calibrating {cal.spec.name}",
        unit="generation",
        disable=not progress,
    )

    def population_map(function, xs):
        xs = [tuple(float(v) for v in x) for x in xs]
        missing = [x for x in dict.fromkeys(xs) if x not in trace.known]
        for x, means in executor.map_unordered(evaluate, tasks(np.array(missing))):
            trace.add(x, means, loss(means, cal.targets))
        bar.update(1)
        return [loss(trace.known[x], cal.targets) for x in xs]

    try:
        result = optimize.differential_evolution(
            lambda x: loss(trace.known[tuple(float(v) for v in x)], cal.targets),
            bounds=cal.bounds,
            x0=_start(cal),
            maxiter=maxiter or cal.spec.maxiter,
            popsize=cal.spec.popsize,
            seed=cal.spec.seed,
            polish=False,
            updating="deferred",
            workers=population_map,
        )
    finally:
        trace.close()
        bar.close()
    fitted = dict(zip(cal.names, result.x, strict=True))
    _write_fitted(cal, out / "fitted.toml", fitted, result.fun)
    return fit_report(cal, out, fitted, executor)


def _write_fitted(cal: Calibration, path: Path, fitted: dict[str, float], value: float) -> None:
    tree: dict[str, Any] = {}
    typed = _typed(
        Evaluation(str(cal.params), tuple(map(str, cal.overlays)), tuple(cal.spec.set.items()), cal.names, (), (), ()),
        fitted,
    )
    for key, v in typed.items():
        node = tree
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = round(v, 6) if isinstance(v, float) else v
    header = (
        f"# Fitted by `viachilena calibrate {cal.path.name}` ({cal.spec.name}) on {dt.date.today()}.\n"
        f"# Objective {value:.6g} over {cal.spec.replications} replications (seed {cal.spec.seed}).\n"
        "# An overlay: apply with --scenario, or copy the values into params/baseline.toml.\n"
    )
    _atomic_write(path, header + tomli_w.dumps(tree))


def fit_report(cal: Calibration, out: Path, fitted: dict[str, float], executor: Executor) -> pd.DataFrame:
    """Simulate the fitted values over fresh replications and compare each target with its range."""
    check = seeds(cal.spec.seed, cal.spec.check_replications, offset=cal.spec.replications)
    base = Evaluation(
        str(cal.params),
        tuple(map(str, cal.overlays)),
        tuple(cal.spec.set.items()),
        cal.names,
        tuple(fitted.values()),
        (),
        tuple(cal.targets.index),
    )
    per_seed = [dict(m) for _, m in executor.map_unordered(evaluate, [_with_seeds(base, (s,)) for s in check])]
    sims = pd.DataFrame(per_seed)
    rows = []
    for metric, t in cal.targets.iterrows():
        values = sims[metric].to_numpy(dtype=float)
        mean, sem = values.mean(), stats.sem(values)
        half = sem * stats.t.ppf(0.975, len(values) - 1) if len(values) > 1 else np.nan
        rows.append(
            dict(
                metric=metric,
                published=t.value,
                published_low=t.low,
                published_high=t.high,
                fit_low=t.fit_low,
                fit_high=t.fit_high,
                simulated_mean=mean,
                ci_low=mean - half,
                ci_high=mean + half,
                inside=bool(t.fit_low <= mean <= t.fit_high),
                source=t.source,
            )
        )
    report = pd.DataFrame(rows)
    _atomic_write(out / "fit.csv", report.to_csv(index=False))
    _atomic_write(out / "fit.md", _fit_markdown(cal, report, fitted))
    return report


def _with_seeds(task: Evaluation, chosen: tuple[int, ...]) -> Evaluation:
    return Evaluation(task.params, task.overlays, task.base, task.names, task.x, chosen, task.metrics)


def _fit_markdown(cal: Calibration, report: pd.DataFrame, fitted: dict[str, float]) -> str:
    lines = [
        f"# Fit report: {cal.spec.name}",
        "",
        cal.spec.description,
        "",
        f"{cal.spec.check_replications} replications at the fitted values "
        f"({int(report.inside.sum())} of {len(report)} targets inside their range).",
        "",
        "| metric | published | published range | fit range | simulated mean | 95% interval | inside | source |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in report.itertuples():
        lines.append(
            f"| {r.metric} | {_fmt(r.published)} | {_fmt(r.published_low)} to {_fmt(r.published_high)} | "
            f"{_fmt(r.fit_low)} to {_fmt(r.fit_high)} | {_fmt(r.simulated_mean)} | "
            f"{_fmt(r.ci_low)} to {_fmt(r.ci_high)} | {'yes' if r.inside else 'no'} | {r.source} |"
        )
    lines += ["", "Fitted values:", ""] + [f"- `{k}` = {v:.6g}" for k, v in fitted.items()]
    return "\n".join(lines) + "\n"


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    return f"{value:.4g}"


def _atomic_write(path: Path, text: str) -> None:
    write_atomically(path, lambda temporary: temporary.write_text(text))
