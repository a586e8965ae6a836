"""The experiment file: which scenarios to compare, what to sweep, how many replications.

An experiment file is TOML with an ``[experiment]`` table, one ``[scenarios.<name>]`` table
per scenario (overlay files and ``set`` overrides applied on top of the base parameters)
and an optional ``[sweep]`` over parameter ranges, or an optional ``[attribution]`` over
switchable mechanisms (which turns the one base scenario into one scenario per coalition of
mechanisms, see :mod:`experiments.attribution`). :func:`load_experiment` reads it,
checks its shape with pydantic and its meaning against the model: every overlay exists
and every ``set`` and sweep key is a real parameter that accepts the given values,
because each scenario's parameters are actually loaded. Every problem is a
:class:`~model.errors.ParamError` naming the file and the dotted key, with a "did you mean"
for near misses, so nothing runs on a file that cannot run to the end.
"""

from __future__ import annotations

import datetime as dt
import difflib
import types
import typing
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from viachilena import model
from viachilena.experiments import attribution
from viachilena.model.errors import ParamError
from viachilena.model.loading import SCENARIOS, STABLE_NAME, read_toml, shipped, shipped_names

SAMPLERS = ("grid", "lhs", "sobol", "halton", "saltelli")
POWER_OF_TWO_SAMPLERS = ("sobol", "saltelli")
CATEGORY_TYPES = (bool, int, float, str, dt.date)
HORIZON_KEY = "run.end"
FOLDER_SAFE = r"^[A-Za-z0-9_]+$"
SHIPPED_EXPERIMENTS = "viachilena.experiments"
PARAMS_FOLDER = "params"
MAX_NAME = 64  # characters of an experiment or scenario name (they become folder and file names)
MIN_SALTELLI_N = 2  # Saltelli's N: with one base sample the Sobol estimators have no variance to split


class _Table(BaseModel):
    """A TOML table: unknown keys are errors and nothing changes after reading."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ExperimentTable(_Table):
    """The ``[experiment]`` table."""

    name: StrictStr = Field(pattern=FOLDER_SAFE, max_length=MAX_NAME)
    description: StrictStr = Field(min_length=1)
    params: StrictStr
    seed: StrictInt = Field(ge=0, lt=2**63)
    replications: StrictInt = Field(ge=1)
    reference: StrictStr
    metrics: tuple[StrictStr, ...] | None = None
    series: tuple[StrictStr, ...] | None = None
    end: dt.date | None = None


class ScenarioTable(_Table):
    """One ``[scenarios.<name>]`` table: overlay files, then ``set`` overrides."""

    overlays: tuple[StrictStr, ...] = ()
    overrides: dict[str, Any] = Field(default_factory=dict, alias="set")


class SweepParameter(_Table):
    """One swept parameter: a range ``low``..``high`` (``type`` float or int) or ``values``."""

    low: float | None = None
    high: float | None = None
    type: Literal["float", "int"] = "float"
    values: tuple[Any, ...] | None = None

    @property
    def categorical(self) -> bool:
        """Whether the parameter takes one of listed values rather than a range."""
        return self.values is not None

    def probe_values(self) -> tuple[Any, ...]:
        """Values that show whether the model accepts the whole range.

        The ends of a range, plus an interior non-round point for a real range (so that an
        integer parameter swept as ``float`` is caught); every value of a categorical one.
        """
        if self.categorical:
            return self.values
        if self.type == "int":
            return int(self.low), int(self.high)
        return self.low, self.low + 0.382 * (self.high - self.low), self.high


class SweepTable(_Table):
    """The ``[sweep]`` table."""

    method: Literal[SAMPLERS]
    samples: StrictInt = Field(ge=1)
    parameters: dict[str, SweepParameter] = Field(min_length=1)


class MechanismSwitch(_Table):
    """One switchable mechanism of ``[attribution.mechanisms]``: its values on and off, a label."""

    on: Any = True
    off: Any = False
    label: StrictStr | None = None


class AttributionTable(_Table):
    """The ``[attribution]`` table: mechanisms (dotted keys), outcomes, the exact/sampled choice."""

    mechanisms: dict[str, MechanismSwitch] = Field(min_length=1)
    outcomes: tuple[StrictStr, ...] = Field(min_length=1)
    exact_up_to: StrictInt = Field(default=8, ge=1, le=12)
    permutations: StrictInt = Field(default=32, ge=2)


class ExperimentFile(_Table):
    """The whole experiment file, as written."""

    experiment: ExperimentTable
    scenarios: dict[str, ScenarioTable] = Field(min_length=1)
    sweep: SweepTable | None = None
    attribution: AttributionTable | None = None


@dataclass(frozen=True)
class Scenario:
    """A scenario with its overlay files resolved to absolute paths."""

    name: str
    overlays: tuple[Path, ...]
    overrides: dict[str, Any]


@dataclass(frozen=True)
class Experiment:
    """A validated experiment: paths resolved, names checked, parameters loadable.

    ``metrics`` are the summary metrics to record (all by default); ``series`` the daily
    series columns to store, ``None`` for all of them and ``()`` for none.
    ``scenario_params`` holds each scenario's fully resolved parameters (before any sweep).
    """

    path: Path
    name: str
    description: str
    params: Path
    seed: int
    replications: int
    reference: str
    metrics: tuple[str, ...]
    series: tuple[str, ...] | None
    end: dt.date | None
    scenarios: tuple[Scenario, ...]
    sweep: SweepTable | None
    scenario_params: dict[str, dict]
    attribution: attribution.Plan | None = None

    def __repr__(self) -> str:
        """Name the experiment and the size of its design (the full spec is :meth:`describe`)."""
        sweep = (
            f", {self.sweep.method} sweep of {self.sweep.samples} over {len(self.sweep.parameters)}"
            if self.sweep
            else ""
        )
        scenarios = ", ".join(s.name for s in self.scenarios)
        return f"Experiment({self.name!r}, scenarios [{scenarios}]{sweep}, {self.replications} replications)"

    def overrides(self, scenario: Scenario) -> dict[str, Any]:
        """Return the ``--set``-style overrides of `scenario`, including the horizon if given."""
        horizon = {HORIZON_KEY: self.end} if self.end is not None else {}
        return {**scenario.overrides, **horizon}

    def with_replications(self, replications: int) -> Experiment:
        """Return the same experiment with a different number of replications."""
        if replications < 1:
            raise ParamError("--replications", "", "a whole number of at least 1")
        return replace(self, replications=replications)

    def inputs(self) -> tuple[Path, ...]:
        """Every file the experiment reads: itself, the parameters and the overlays."""
        overlays = (p for s in self.scenarios for p in s.overlays)
        return tuple(dict.fromkeys((self.path, self.params, *overlays)))

    def describe(self) -> dict:
        """Return the experiment as plain JSON-able data (what the manifest records)."""
        sweep = self.sweep.model_dump(mode="json", exclude_none=True) if self.sweep else None
        return {
            "name": self.name,
            "description": self.description,
            "file": str(self.path),
            "params": str(self.params),
            "seed": self.seed,
            "replications": self.replications,
            "reference": self.reference,
            "metrics": list(self.metrics),
            "series": None if self.series is None else list(self.series),
            "end": None if self.end is None else self.end.isoformat(),
            "scenarios": {
                s.name: {"overlays": [str(p) for p in s.overlays], "set": _jsonable(s.overrides)}
                for s in self.scenarios
            },
            "sweep": sweep,
            "attribution": self.attribution.describe() if self.attribution else None,
        }


def shipped_experiments() -> list[str]:
    """Return the stable names of the experiments shipped with the package."""
    root = resources.files(SHIPPED_EXPERIMENTS)
    return sorted(f.name.removesuffix(".toml") for f in root.iterdir() if f.name.endswith(".toml"))


def shipped_experiment(reference: Path | str) -> Path:
    """Return the experiment file `reference` names: itself if it is a file, else the shipped one of that name."""
    path = Path(reference)
    if path.is_file() or not STABLE_NAME.match(str(reference)):
        return path
    if str(reference) not in shipped_experiments():
        names = ", ".join(shipped_experiments())
        raise ParamError(str(reference), "", f"an existing file or a shipped experiment ({names})")
    return Path(str(resources.files(SHIPPED_EXPERIMENTS) / f"{reference}.toml"))


def is_experiment_file(path: Path | str) -> bool:
    """Whether the TOML file at `path` is an experiment (it has an ``[experiment]`` table)."""
    return "experiment" in read_toml(Path(path))


def load_experiment(path: Path | str) -> Experiment:
    """Read, check and resolve an experiment; raise ParamError if it cannot run to the end.

    `path` is an experiment file or the stable name of a shipped experiment
    (``"october_1972"``; see :func:`shipped_experiments`).
    """
    path = shipped_experiment(path).resolve()
    try:
        table = ExperimentFile.model_validate(read_toml(path))
    except ValidationError as exc:
        unknown_first = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        raise _param_error(path, unknown_first[0]) from None
    exp = table.experiment
    if exp.reference not in table.scenarios:
        raise ParamError(
            path, "experiment.reference", f"the name of a scenario{_did_you_mean(exp.reference, table.scenarios)}"
        )
    for name in table.scenarios:
        _check_name(path, f"scenarios.{_quote(name)}", name)
    params = _find_file(path, exp.params, "experiment.params")
    scenarios = tuple(
        Scenario(
            name,
            tuple(_find_file(path, ref, f"scenarios.{_quote(name)}.overlays", SCENARIOS) for ref in s.overlays),
            dict(s.overrides),
        )
        for name, s in table.scenarios.items()
    )
    if table.sweep is not None:
        _check_sweep(path, table.sweep)
    experiment = Experiment(
        path=path,
        name=exp.name,
        description=exp.description,
        params=params,
        seed=exp.seed,
        replications=exp.replications,
        reference=exp.reference,
        metrics=_check_metrics(path, exp.metrics),
        series=(
            None if exp.series is None else _check_names(path, "experiment.series", exp.series, model.SERIES_COLUMNS)
        ),
        end=exp.end,
        scenarios=scenarios,
        sweep=table.sweep,
        scenario_params={},
    )
    if table.attribution is not None:
        experiment = _expand_attribution(path, experiment, table.attribution)
    return replace(experiment, scenario_params=_load_scenarios(experiment))


def _expand_attribution(path: Path, experiment: Experiment, table: AttributionTable) -> Experiment:
    """Replace the one base scenario by one scenario per coalition of the mechanisms."""
    if experiment.sweep is not None:
        raise ParamError(path, "attribution", "no [sweep] beside it (an attribution runs coalitions, not points)")
    if len(experiment.scenarios) != 1:
        raise ParamError(path, "scenarios", "exactly one scenario, the base the mechanisms are switched on")
    (base,) = experiment.scenarios
    known = flatten(model.load_params(experiment.params).model_dump(mode="json"))
    mechanisms = []
    for key, switch in table.mechanisms.items():
        where = f"attribution.mechanisms.{_quote(key)}"
        _check_key(path, where, key, known)
        if key in base.overrides:
            raise ParamError(path, where, f"a key the base scenario {base.name!r} does not set")
        if switch.on == switch.off:
            raise ParamError(path, f"{where}.off", f"a value other than on ({switch.on!r})")
        for end in ("on", "off"):
            _load(path, f"{where}.{end}", experiment, base, {**experiment.overrides(base), key: getattr(switch, end)})
        mechanisms.append(attribution.Mechanism(key, switch.on, switch.off, switch.label or key))
    for i, outcome in enumerate(table.outcomes):
        if outcome not in experiment.metrics:
            raise ParamError(
                path,
                f"attribution.outcomes[{i}]",
                "one of the experiment's metrics" + _did_you_mean(outcome, experiment.metrics),
            )
    found = attribution.plan(tuple(mechanisms), table.outcomes, table.exact_up_to, table.permutations, experiment.seed)
    scenarios = tuple(
        Scenario(attribution.coalition_name(c), base.overlays, {**base.overrides, **found.overrides(c)})
        for c in found.coalitions
    )
    return replace(experiment, scenarios=scenarios, reference=scenarios[0].name, attribution=found)


def _load_scenarios(experiment: Experiment) -> dict[str, dict]:
    """Load every scenario's parameters, probing each swept value; return them resolved."""
    path = experiment.path
    known = flatten(model.load_params(experiment.params).model_dump(mode="json"))
    swept = experiment.sweep.parameters if experiment.sweep else {}
    for key in swept:
        _check_key(path, f"sweep.parameters.{_quote(key)}", key, known)
    if experiment.end is not None:
        _load(path, "experiment.end", experiment, Scenario("", (), {}), {HORIZON_KEY: experiment.end})
    resolved = {}
    for scenario in experiment.scenarios:
        where = f"scenarios.{_quote(scenario.name)}"
        for key in scenario.overrides:
            _check_key(path, f"{where}.set.{_quote(key)}", key, known)
            if key in swept:
                raise ParamError(
                    path, f"{where}.set.{_quote(key)}", "a key the sweep does not vary (it is in [sweep.parameters])"
                )
        model.load_params(experiment.params, scenario.overlays)  # overlay errors name the overlay
        overrides = experiment.overrides(scenario)
        resolved[scenario.name] = _load(path, f"{where}.set", experiment, scenario, overrides)
        for key, parameter in swept.items():
            for value in parameter.probe_values():
                _load(path, f"sweep.parameters.{_quote(key)}", experiment, scenario, {**overrides, key: value})
    return resolved


def _load(path: Path, where: str, experiment: Experiment, scenario: Scenario, overrides: dict[str, Any]) -> dict:
    """Load `scenario` with `overrides`; blame `where` in the experiment file if it fails."""
    try:
        params = model.load_params(experiment.params, scenario.overlays, overrides)
    except ParamError as exc:
        if exc.key in scenario.overrides and where.endswith(".set"):
            where = f"{where}.{_quote(exc.key)}"
        detail = f"{exc.key}: {exc.expected}" if exc.key else exc.expected
        raise ParamError(path, where, f"a value the model accepts ({detail})") from None
    return params.model_dump(mode="json")


def _check_sweep(path: Path, sweep: SweepTable) -> None:
    """Check the meaning of a well-formed ``[sweep]`` table."""
    if sweep.method in POWER_OF_TWO_SAMPLERS and sweep.samples & (sweep.samples - 1):
        raise ParamError(path, "sweep.samples", f"a power of two for method {sweep.method!r} (got {sweep.samples})")
    if sweep.method == "saltelli" and sweep.samples < MIN_SALTELLI_N:
        raise ParamError(
            path,
            "sweep.samples",
            f"Saltelli's N of at least {MIN_SALTELLI_N} (got {sweep.samples}: no indices to estimate)",
        )
    for key, parameter in sweep.parameters.items():
        where = f"sweep.parameters.{_quote(key)}"
        if parameter.categorical:
            if parameter.low is not None or parameter.high is not None:
                raise ParamError(path, where, "either values = [...] or low and high, not both")
            kinds = {type(v) for v in parameter.values}
            if not parameter.values or len(kinds) > 1 or not kinds <= set(CATEGORY_TYPES):
                raise ParamError(
                    path, f"{where}.values", "a non-empty list of strings, numbers, booleans or dates, all of one type"
                )
            continue
        for end in ("low", "high"):
            value = getattr(parameter, end)
            if value is None:
                raise ParamError(path, f"{where}.{end}", "a number (or give values = [...])")
            if parameter.type == "int" and not float(value).is_integer():
                raise ParamError(path, f"{where}.{end}", 'a whole number for type = "int"')
        if not parameter.low < parameter.high:
            raise ParamError(path, f"{where}.high", f"a number greater than low ({parameter.low} >= {parameter.high})")


def _check_names(path: Path, key: str, names: tuple[str, ...] | None, known: tuple[str, ...]) -> tuple[str, ...]:
    """Check that every name is one of `known`; ``None`` means all of them."""
    if names is None:
        return tuple(known)
    for i, name in enumerate(names):
        if name not in known:
            raise ParamError(
                path, f"{key}[{i}]", f"one of the model's names, not {name!r}" + _did_you_mean(name, known)
            )
    if len(set(names)) != len(names):
        raise ParamError(path, key, "a list without repeated names")
    return tuple(names)


def _check_metrics(path: Path, names: tuple[str, ...] | None) -> tuple[str, ...]:
    """Check the metrics to record: known names, at least one (the report compares them)."""
    if names == ():
        raise ParamError(path, "experiment.metrics", "at least one metric (leave the key out to record every metric)")
    return _check_names(path, "experiment.metrics", names, model.SUMMARY_METRICS)


def _check_key(path: Path, where: str, key: str, known: dict[str, Any]) -> None:
    """Check that the dotted parameter `key` exists."""
    if key not in known:
        raise ParamError(path, where, "a parameter of the model" + _did_you_mean(key, known))


def _check_name(path: Path, where: str, name: str) -> None:
    """Scenario names become file names: letters, digits and underscores only."""
    if not name or not all(c.isascii() and (c.isalnum() or c == "_") for c in name):
        raise ParamError(path, where, "a scenario name of letters, digits and underscores")
    if len(name) > MAX_NAME:
        raise ParamError(path, where, f"a scenario name of at most {MAX_NAME} characters (got {len(name)})")


def _find_file(experiment: Path, reference: str, key: str, folder: str = "") -> Path:
    """Resolve `reference` as a path, else as a stable name (``baseline``, ``no_october_strike``).

    A path is tried against the experiment file's folder, then the cwd. A stable name is
    looked up in the ``params/`` folder beside the experiment's folder (as the repository and
    ``viachilena init`` lay them out, so edited copies are used), then among the shipped
    files; `folder` is the subfolder of ``params/`` it lives in (``"scenarios"`` for overlays).
    """
    for base in (experiment.parent, Path.cwd()):
        candidate = base / reference
        if candidate.is_file():
            return candidate.resolve()
    if STABLE_NAME.match(reference):
        beside = experiment.parent.parent / PARAMS_FOLDER / folder / f"{reference}.toml"
        if beside.is_file():
            return beside.resolve()
        if reference in shipped_names(folder):
            return shipped(reference, folder)
    raise ParamError(
        experiment,
        key,
        f"an existing file or a shipped name; {reference!r} is neither in {experiment.parent} nor in {Path.cwd()}",
    )


def _param_error(path: Path, error: dict) -> ParamError:
    """Turn a pydantic error into a ParamError naming the dotted key."""
    loc = error["loc"]
    key = _dotted(loc)
    if error["type"] == "extra_forbidden":
        return ParamError(path, key, "not a known key" + _did_you_mean(str(loc[-1]), _allowed_keys(loc[:-1])))
    if error["type"] == "missing":
        return ParamError(path, key, "a value (this key is required)")
    return ParamError(path, key, error["msg"])


def _allowed_keys(loc: tuple) -> list[str]:
    """Return the keys the experiment file accepts inside the table at `loc`."""
    annotation: Any = ExperimentFile
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = {f.alias or n: f for n, f in annotation.model_fields.items()}
            annotation = fields[part].annotation if part in fields else None
        else:
            annotation = typing.get_args(annotation)[-1] if typing.get_args(annotation) else None
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [f.alias or n for n, f in annotation.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """``X | None`` -> ``X``."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return next(a for a in typing.get_args(annotation) if a is not type(None))
    return annotation


def _did_you_mean(word: str, choices) -> str:
    """``"; did you mean 'x'?"`` if `word` is close to one of `choices`, else empty."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _quote(key: str) -> str:
    """Quote a TOML key for a dotted path if it is not a bare key."""
    bare = key and all(c.isascii() and (c.isalnum() or c in "_-") for c in key)
    return key if bare else f'"{key}"'


def _dotted(loc: tuple) -> str:
    """Write a pydantic location as a dotted TOML path, list positions as ``[i]``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f"{'.' if text else ''}{_quote(part)}"
    return text


def flatten(tree: dict, prefix: str = "") -> dict[str, Any]:
    """Flatten nested tables: ``{"a": {"b": 1}}`` -> ``{"a.b": 1}``."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _jsonable(value: Any) -> Any:
    """Dates as ISO strings, containers recursively; everything else as is."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
