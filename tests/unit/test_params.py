"""Loading parameter files: overlays, overrides, validation, and clear errors."""

from __future__ import annotations

import datetime as dt

import pydantic
import pytest

from tests.conftest import BASELINE, SCENARIOS
from viachilena import model
from viachilena.model.errors import ParamError


def test_baseline_loads_frozen_and_typed(baseline_params):
    assert baseline_params.october_strike.window.start == dt.date(1972, 10, 9)
    assert baseline_params.transport.freight_vehicles == 50000.0
    with pytest.raises(pydantic.ValidationError):
        baseline_params.hoarding.propensity = 0.9


def test_overlay_then_override_in_order():
    p = model.load_params(BASELINE, [SCENARIOS / "no_hoarding.toml"], {"hoarding.enabled": True})
    assert p.hoarding.enabled is True
    p = model.load_params(BASELINE, [SCENARIOS / "no_hoarding.toml"])
    assert p.hoarding.enabled is False


def test_typo_gets_did_you_mean():
    with pytest.raises(ParamError) as err:
        model.load_params(BASELINE, overrides={"hoarding.propensty": 0.3})
    assert err.value.file == "--set"
    assert err.value.key == "hoarding.propensty"
    assert "did you mean 'propensity'" in str(err.value)


def test_out_of_range_names_key_and_bound():
    with pytest.raises(ParamError) as err:
        model.load_params(BASELINE, overrides={"hoarding.propensity": 1.5})
    assert err.value.key == "hoarding.propensity"
    assert "less than or equal to 1" in err.value.expected


def test_string_for_number_is_refused():
    with pytest.raises(ParamError) as err:
        model.load_params(BASELINE, overrides={"hoarding.propensity": "0.3"})
    assert err.value.key == "hoarding.propensity"


def test_error_names_the_overlay_that_broke_it(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[october_strike]\nwindow = { start = 1972-11-10, end = 1972-10-09 }\n")
    with pytest.raises(ParamError) as err:
        model.load_params(BASELINE, [bad])
    assert err.value.file == str(bad)
    assert err.value.key == "october_strike.window"
    assert "before start" in err.value.expected


def test_circular_overlays_refused(tmp_path):
    (tmp_path / "a.toml").write_text('include = ["b.toml"]\n')
    (tmp_path / "b.toml").write_text('include = ["a.toml"]\n')
    with pytest.raises(ParamError, match="circle"):
        model.load_params(BASELINE, [tmp_path / "a.toml"])


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(ParamError, match="file not found"):
        model.load_params(tmp_path / "nope.toml")
    raw = tmp_path / "latin1.toml"
    raw.write_bytes("[run]\nend = 'Se\xf1or'\n".encode("latin-1"))
    with pytest.raises(ParamError, match="not UTF-8"):
        model.load_params(BASELINE, [raw])


def test_parse_override_reads_toml_values():
    assert model.parse_override("october_strike.window.start=1972-10-13") == (
        "october_strike.window.start",
        dt.date(1972, 10, 13),
    )
    assert model.parse_override("government.stance_after_conciliation=back") == (
        "government.stance_after_conciliation",
        "back",
    )
    assert model.parse_override("hoarding.enabled=false") == ("hoarding.enabled", False)
    with pytest.raises(ParamError):
        model.parse_override("no_equals_sign")


def test_every_field_has_unit_and_description():
    def walk(cls):
        for name, info in cls.model_fields.items():
            assert info.description, f"{cls.__name__}.{name} has no description"
            assert (info.json_schema_extra or {}).get("unit"), f"{cls.__name__}.{name} has no unit"
            inner = info.annotation
            args = getattr(inner, "__args__", ())
            for t in (inner, *args):
                if isinstance(t, type) and issubclass(t, pydantic.BaseModel):
                    walk(t)

    walk(model.Params)
