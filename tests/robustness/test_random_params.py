"""Random ``--set`` overrides and random overlay tables: each loads or is refused naming its key.

Nothing else may happen: no exception but :class:`model.errors.ParamError` while loading, and
for plausible perturbations of the baseline, no exception but a
:class:`model.errors.ViaChilenaError` while running a short horizon.
"""

from __future__ import annotations

import datetime as dt
import string
import tempfile
from pathlib import Path

import pydantic
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from viachilena import model
from viachilena.experiments.spec import flatten
from viachilena.model.errors import DegenerateEconomyError, ParamError, ViaChilenaError
from viachilena.model.loading import parse_override

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "params" / "baseline.toml"
SHORT = dt.date(1971, 1, 31)


BASE = model.load_params(BASELINE)
LEAVES = flatten(BASE.model_dump())
KEYS = sorted(LEAVES)
SECTIONS = sorted({k.rsplit(".", 1)[0] for k in KEYS})
LETTERS = string.ascii_lowercase + "_"


@st.composite
def near_miss(draw) -> str:
    """A real key with its last part one letter off (dropped, changed or added)."""
    key = draw(st.sampled_from(KEYS))
    head, _, last = key.rpartition(".")
    i = draw(st.integers(0, len(last) - 1))
    how = draw(st.sampled_from(["drop", "change", "add"]))
    letter = draw(st.sampled_from(LETTERS))
    last = {
        "drop": last[:i] + last[i + 1 :],
        "change": last[:i] + letter + last[i + 1 :],
        "add": last[:i] + letter + last[i:],
    }[how]
    return f"{head}.{last}" if head else last


identifier = st.text(LETTERS, min_size=1, max_size=12)
keys = st.one_of(
    st.sampled_from(KEYS),
    st.sampled_from(KEYS),
    near_miss(),
    st.lists(identifier, min_size=1, max_size=4).map(".".join),
    st.sampled_from(SECTIONS),
)
dates = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))
toml_values = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["true", "false", "nan", "inf", "-inf", "0", "1", "-1", "0.5", "1e-300", "[]", "{}"]),
    dates.map(dt.date.isoformat),
    st.sampled_from(["back", "conciliate", "demobilise", '"back"', "'bak'"]),
    st.text(max_size=20),
    st.lists(dates, max_size=3).map(lambda ds: "[" + ", ".join(d.isoformat() for d in ds) + "]"),
)


def names_the_key(error: ParamError, key: str) -> bool:
    """Whether the refusal points at `key` (or its section, for a check across keys)."""
    if error.key:
        return error.key in key or key in error.key or key.startswith(error.key.split(".")[0])
    return key.split(".")[0] in error.expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=keys, value=toml_values, spaces=st.booleans())
def test_a_random_set_loads_or_is_refused_naming_its_key(key, value, spaces):
    text = f"{key} = {value}" if spaces else f"{key}={value}"
    try:
        parsed_key, parsed = parse_override(text)
        params = model.load_params(BASELINE, [], {parsed_key: parsed})
    except ParamError as error:
        assert error.file in ("--set", str(BASELINE)), error
        assert names_the_key(error, key.strip()), (text, str(error))
        assert "\n" not in str(error).strip() or "\n" in value, str(error)
        return
    assert isinstance(params, model.Params)
    assert key in LEAVES or key in SECTIONS  # only real keys load


def toml_scalar():
    return st.one_of(
        st.integers(-(10**9), 10**9),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        dates,
        st.text(max_size=10),
    )


def toml_value():
    return st.recursive(
        toml_scalar(),
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(identifier, inner, max_size=3)),
        max_leaves=6,
    )


@st.composite
def overlay_tables(draw) -> tuple[dict, list[str]]:
    """A random overlay: a few keys (real or near misses) of a few sections, random values."""
    table: dict = {}
    written = []
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.one_of(st.sampled_from(KEYS), st.sampled_from(KEYS), near_miss(), identifier))
        value = draw(st.one_of(toml_value(), st.just(LEAVES.get(key)).filter(lambda v: v is not None)))
        *sections, last = key.split(".")
        node = table
        for section in sections:
            node = node.setdefault(section, {})
            if not isinstance(node, dict):
                break
        else:
            node[last] = value
            written.append(key)
    return table, written


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overlay=overlay_tables())
def test_a_random_overlay_loads_or_is_refused_naming_its_key(overlay):
    table, written = overlay
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.toml"
        path.write_text(tomli_w.dumps(table))
        try:
            model.load_params(BASELINE, [path])
        except ParamError as error:
            assert error.file in (str(path), str(BASELINE)), str(error)
            assert any(names_the_key(error, key) for key in written), (table, str(error))
            assert "\n" not in str(error), str(error)


def perturbed(key: str, base, factor: float, shift: int, flip: bool):
    """A plausible value for `key`: near the baseline's, of the same type."""
    if isinstance(base, bool):
        return base != flip
    if isinstance(base, int):
        return max(0, round(base * factor))
    if isinstance(base, float):
        return base * factor
    if isinstance(base, dt.date):
        return base + dt.timedelta(days=shift)
    if key.startswith("government.stance_"):
        return ["back", "conciliate", "demobilise"][shift % 3]
    return base


scalar_keys = [k for k, v in LEAVES.items() if isinstance(v, bool | int | float | dt.date | str) and k != "run.end"]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    chosen=st.lists(st.sampled_from(scalar_keys), min_size=1, max_size=4, unique=True),
    factor=st.floats(0.5, 2.0),
    shift=st.integers(-60, 60),
    flip=st.booleans(),
    seed=st.integers(0, 2**63 - 1),
)
def test_plausible_random_parameters_run_a_short_horizon_or_stop_with_a_model_error(chosen, factor, shift, flip, seed):
    overrides = {key: perturbed(key, LEAVES[key], factor, shift, flip) for key in chosen}
    try:
        params = model.load_params(BASELINE, [], {**overrides, "run.end": SHORT})
    except ParamError as error:
        assert any(names_the_key(error, key) for key in chosen), str(error)
        return
    try:
        run = model.simulate(params, seed)
    except ViaChilenaError as error:
        assert "day " in str(error)
        return
    assert run.series.index[-1].date() == SHORT


def _bounded_leaves(section: type[pydantic.BaseModel], prefix: str = "") -> dict[str, tuple[float, float, type]]:
    """Every numeric parameter with a lower and an upper bound in the schema: key -> (low, high, type)."""
    found = {}
    for name, info in section.model_fields.items():
        key = f"{prefix}{name}"
        kind = info.annotation
        if isinstance(kind, type) and issubclass(kind, pydantic.BaseModel):
            found.update(_bounded_leaves(kind, f"{key}."))
            continue
        if kind not in (float, int):
            continue
        low = next((getattr(m, a) for m in info.metadata for a in ("ge", "gt") if hasattr(m, a)), None)
        high = next((getattr(m, a) for m in info.metadata for a in ("le", "lt") if hasattr(m, a)), None)
        if low is not None and high is not None and key in LEAVES:
            found[key] = (float(low), float(high), kind)
    return found


BOUNDED = {k: v for k, v in _bounded_leaves(type(BASE)).items() if not k.startswith("run.")}  # run sizes: valid, slow


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(sorted(BOUNDED)), where=st.floats(0.0, 1.0), seed=st.integers(0, 2**32 - 1))
def test_any_single_parameter_inside_its_valid_range_runs_with_its_identities_closed(key, where, seed):
    low, high, kind = BOUNDED[key]
    value = low + where * (high - low)
    value = round(value) if kind is int else value
    try:
        params = model.load_params(BASELINE, [], {key: value})
    except ParamError as error:  # a cross-field rule (shares that must add up, dates in order) refused it
        assert names_the_key(error, key), str(error)
        return
    try:
        run = model.simulate(params, seed)
    except DegenerateEconomyError as error:  # the model's own one-line statement, never a broken identity
        assert "day " in str(error) and "\n" not in str(error)
        return
    assert run.series.index[-1].date() == params.run.end
    assert run.series.notna().all().all(), key
