"""Errors survive SimPy's re-raise and pickling, and a mid-run breakdown is named in one line."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest

from tests.conftest import BASELINE
from viachilena import model
from viachilena.experiments.cli import main
from viachilena.model.errors import AccountingError, DegenerateEconomyError, ParamError

ERRORS = [
    ParamError("a.toml", "hoarding.propensity", "a share between 0 and 1"),
    AccountingError(4, "1970-11-08", "goods", "off by 1"),
    DegenerateEconomyError(9, "1970-11-13", "markets", "money stock", 0.0),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_rebuilt_and_pickled_errors_keep_their_message(error):
    assert str(type(error)(*error.args)) == str(error)
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


def test_a_breakdown_inside_a_process_names_day_and_mechanism():
    params = model.load_params(
        BASELINE, overrides={"production.large_firms_output_share": 0.0, "run.end": dt.date(1971, 1, 31)}
    )
    with pytest.raises(DegenerateEconomyError) as err:
        model.simulate(params, 1)
    assert err.value.mechanism == "production"
    assert err.value.date.startswith("1970-")


def test_mid_run_breakdown_through_the_cli_is_one_line(tmp_path, capsys):
    status = main(
        [
            "simulate",
            str(BASELINE),
            "--set",
            "economy_1970.gdp=1e300",
            "--set",
            "run.end=1972-12-31",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(err) == 1
    assert "degenerate" in err[0] and "Traceback" not in err[0]
    assert not (tmp_path / "out").exists()
