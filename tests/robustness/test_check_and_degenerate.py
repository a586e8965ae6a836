"""``viachilena check`` on every shipped file, and valid parameters that drive the economy to a degenerate state.

A degenerate economy stops with :class:`model.errors.DegenerateEconomyError` naming the day,
the mechanism and the quantity, through the API and as one line with exit status 2 through
``viachilena simulate``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from viachilena import model
from viachilena.experiments.cli import main
from viachilena.model.errors import DegenerateEconomyError, ViaChilenaError

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "params" / "baseline.toml"
OVERLAYS = sorted((REPO / "params" / "scenarios").glob("*.toml"))
EXPERIMENTS = sorted((REPO / "experiments").glob("*.toml"))


def test_check_accepts_every_shipped_parameter_and_experiment_file(capsys):
    assert len(EXPERIMENTS) >= 7  # six experiments and the calibration file
    files = [BASELINE, *EXPERIMENTS]
    assert main(["check", *map(str, files)]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [f"ok: {path}" for path in files]
    assert captured.err == ""


def test_check_with_base_accepts_every_shipped_overlay(capsys):
    assert len(OVERLAYS) >= 8
    assert main(["check", "--base", str(BASELINE), *map(str, OVERLAYS)]) == 0
    assert capsys.readouterr().out.splitlines() == [f"ok: {path}" for path in OVERLAYS]


def test_check_without_base_refuses_an_overlay_as_a_whole_parameter_file(capsys):
    assert main(["check", str(OVERLAYS[0])]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and OVERLAYS[0].name in err and "run: missing" in err


def test_check_stops_at_the_first_bad_file(capsys):
    bad = REPO / "tests" / "data" / "bad" / "overlay_typo_propensty.toml"
    status = main(["check", "--base", str(BASELINE), str(OVERLAYS[0]), str(bad), str(OVERLAYS[1])])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out.splitlines() == [f"ok: {OVERLAYS[0]}"]
    assert "hoarding.propensty: unknown key; did you mean 'propensity'?" in captured.err


# overrides, then what the error must name: day, date, mechanism, quantity
DEGENERATE = [
    ({"economy_1970.money_to_gdp": 0.0}, 0, "1970-11-04", "markets", "money stock"),
    ({"economy_1970.industry_share": 0.0}, 0, "1970-11-04", "production", "industrial capacity"),
]


@pytest.mark.parametrize(("overrides", "day", "date", "mechanism", "quantity"), DEGENERATE)
def test_a_degenerate_economy_stops_naming_day_mechanism_and_quantity(overrides, day, date, mechanism, quantity):
    params = model.load_params(BASELINE, [], {**overrides, "run.end": dt.date(1971, 1, 31)})
    with pytest.raises(DegenerateEconomyError) as caught:
        model.simulate(params, 1)
    error = caught.value
    assert isinstance(error, ViaChilenaError)
    assert (error.day, error.date, error.mechanism) == (day, date, mechanism)
    assert quantity in error.quantity
    assert f"day {day} ({date}): {mechanism}: " in str(error)


def test_a_degenerate_economy_mid_run_stops_with_the_day_it_broke_down():
    # a GDP of 1e300 escudos: the base year loads, the arithmetic overflows some days in
    end = dt.date(1972, 12, 31)  # long enough for the overflow to come, whichever day it comes
    params = model.load_params(BASELINE, [], {"economy_1970.gdp": 1e300, "run.end": end})
    with pytest.raises(DegenerateEconomyError) as caught:
        model.simulate(params, 1)
    assert 0 < caught.value.day <= (end - params.run.start).days
    assert caught.value.day > 0 and caught.value.date > "1970-11-04" and caught.value.mechanism
    assert "overflow" in caught.value.quantity


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("economy_1970.money_to_gdp=0", "day 0 (1970-11-04): markets: money stock became 0.0"),
        ("economy_1970.industry_share=0", "day 0 (1970-11-04): production: industrial capacity became 0.0"),
        ("economy_1970.gdp=1e300", "overflow"),
    ],
)
def test_simulate_prints_a_degenerate_economy_as_one_line_with_exit_2(setting, expected, tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["simulate", str(BASELINE), "--set", setting, "--set", "run.end=1972-12-31", "--out", str(out)]
    status = main(argv)
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert "Traceback" not in captured.err
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("viachilena: error: day ")
    assert expected in captured.err
    assert "the parameters drive the economy to a degenerate state" in captured.err
    assert not out.exists()
