"""Calibration recovers known parameter values from targets the model itself produced."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import model
from experiments.calibrate import calibrate, load_calibration, seeds
from experiments.executors import Serial
from tests.conftest import BASELINE

TRUE = {"capital_flight.risk_sensitivity": 0.8, "nationalisation.from_above.monthly_takeovers": 10.0}
BOUNDS = {"capital_flight.risk_sensitivity": (0.1, 2.0), "nationalisation.from_above.monthly_takeovers": (4.0, 20.0)}
METRICS = ("capital_flight_total_usd", "aps_firms_end")
END = dt.date(1971, 9, 30)


def test_differential_evolution_recovers_two_known_values(tmp_path):
    seed_list = seeds(5, 1)
    truth = model.simulate(model.load_params(BASELINE, overrides={**TRUE, "run.end": END}), seed_list[0]).summary
    targets = "\n".join(
        f"[targets.{m}]\nlow = {truth[m] * 0.995!r}\nhigh = {truth[m] * 1.005!r}\nvalue = {truth[m]!r}\n"
        for m in METRICS
    )
    parameters = "\n".join(f'"{k}" = {{ low = {lo}, high = {hi} }}' for k, (lo, hi) in BOUNDS.items())
    spec = tmp_path / "small.toml"
    spec.write_text(
        f"""[calibration]
name = "small"
description = "Recover two known values."
params = "{BASELINE}"
set = {{ "run.end" = {END.isoformat()} }}
seed = 5
replications = 1
check_replications = 2
maxiter = 12
popsize = 6

[parameters]
{parameters}

{targets}"""
    )
    report = calibrate(load_calibration(spec), tmp_path / "out", Serial(), progress=False)
    fitted = model.load_params(BASELINE, [tmp_path / "out" / "fitted.toml"])
    for key, (low, high) in BOUNDS.items():
        section, *rest = key.split(".")
        value = getattr(fitted, section)
        for part in rest:
            value = getattr(value, part)
        assert abs(value - TRUE[key]) < 0.1 * (high - low), (key, value)
    assert set(report.metric) == set(METRICS)
    assert np.all(np.isfinite(report.simulated_mean))
    assert (tmp_path / "out" / "fit.md").read_text().count("|") > 10


def test_a_stopped_calibration_resumes_to_the_same_result(tmp_path):
    spec = tmp_path / "tiny.toml"
    spec.write_text(
        f"""[calibration]
name = "tiny"
description = "Resume test."
params = "{BASELINE}"
set = {{ "run.end" = 1971-03-31 }}
seed = 9
replications = 1
check_replications = 2
maxiter = 3
popsize = 3

[parameters]
"capital_flight.risk_sensitivity" = {{ low = 0.1, high = 2.0 }}

[targets.capital_flight_total_usd]
low = 20.0
high = 30.0
"""
    )
    cal = load_calibration(spec)
    calibrate(cal, tmp_path / "whole", Serial(), progress=False)
    lines = (tmp_path / "whole" / "trace.jsonl").read_text().splitlines()
    (tmp_path / "cut").mkdir()
    (tmp_path / "cut" / "trace.jsonl").write_text("\n".join(lines[: len(lines) // 2]) + '\n{"x": [0.5, ')
    calibrate(cal, tmp_path / "cut", Serial(), progress=False)
    assert (tmp_path / "cut" / "fitted.toml").read_text().split("\n", 3)[3] == (
        (tmp_path / "whole" / "fitted.toml").read_text().split("\n", 3)[3]
    )
    resumed = [line for line in (tmp_path / "cut" / "trace.jsonl").read_text().splitlines() if line.endswith("}")]
    assert len(resumed) == len(lines)


def test_a_second_calibration_on_a_busy_folder_is_refused(tmp_path):
    from experiments.store import FolderError, FolderLock

    spec = tmp_path / "busy.toml"
    spec.write_text(
        f"""[calibration]
name = "busy"
description = "Lock test."
params = "{BASELINE}"
seed = 1
replications = 1
maxiter = 1
popsize = 2

[parameters]
"capital_flight.risk_sensitivity" = {{ low = 0.1, high = 2.0 }}

[targets.capital_flight_total_usd]
low = 20.0
high = 30.0
"""
    )
    with FolderLock(tmp_path / "out"), pytest.raises(FolderError, match="another viachilena run"):
        calibrate(load_calibration(spec), tmp_path / "out", Serial(), progress=False)
    assert not (tmp_path / "out" / "trace.jsonl").exists()
