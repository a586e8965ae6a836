"""Calibration recovers known parameter values from targets the model itself produced."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
import tomli_w

from tests.conftest import BASELINE
from viachilena import model
from viachilena.experiments.calibrate import calibrate, load_calibration, seeds
from viachilena.experiments.executors import Serial
from viachilena.experiments.store import FolderError, FolderLock

TRUE = {"capital_flight.risk_sensitivity": 0.8, "nationalisation.from_above.monthly_takeovers": 10.0}
BOUNDS = {"capital_flight.risk_sensitivity": (0.1, 2.0), "nationalisation.from_above.monthly_takeovers": (4.0, 20.0)}
METRICS = ("capital_flight_total_usd", "aps_firms_end")
END = dt.date(1971, 9, 30)
# seizures from the shop floor add firms to the APS at random: off, the APS's size identifies the takeovers
FIXED = {"run.end": END, "nationalisation.from_below.enabled": False}


ONE_PARAMETER = {"capital_flight.risk_sensitivity": (0.1, 2.0)}
ONE_TARGET = {"capital_flight_total_usd": {"low": 20.0, "high": 30.0}}


def calibration_file(folder, name, end, seed, maxiter, popsize, bounds, targets):
    """Write a small calibration file on the baseline, ending the runs at `end`."""
    spec = {
        "calibration": {
            "name": name,
            "description": f"Test calibration {name}.",
            "params": str(BASELINE),
            "set": {**FIXED, "run.end": end},
            "seed": seed,
            "replications": 1,
            "check_replications": 2,
            "maxiter": maxiter,
            "popsize": popsize,
        },
        "parameters": {key: {"low": low, "high": high} for key, (low, high) in bounds.items()},
        "targets": targets,
    }
    path = folder / f"{name}.toml"
    path.write_text(tomli_w.dumps(spec))
    return path


def test_differential_evolution_recovers_two_known_values(tmp_path):
    seed_list = seeds(5, 1)
    truth = model.simulate(model.load_params(BASELINE, overrides={**TRUE, **FIXED}), seed_list[0]).summary
    targets = {m: {"low": truth[m] * 0.995, "high": truth[m] * 1.005, "value": truth[m]} for m in METRICS}
    spec = calibration_file(tmp_path, "small", END, seed=5, maxiter=12, popsize=6, bounds=BOUNDS, targets=targets)
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
    spec = calibration_file(
        tmp_path, "tiny", dt.date(1971, 3, 31), seed=9, maxiter=3, popsize=3, bounds=ONE_PARAMETER, targets=ONE_TARGET
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
    spec = calibration_file(
        tmp_path, "busy", dt.date(1971, 3, 31), seed=1, maxiter=1, popsize=2, bounds=ONE_PARAMETER, targets=ONE_TARGET
    )
    with FolderLock(tmp_path / "out"), pytest.raises(FolderError, match="another viachilena run"):
        calibrate(load_calibration(spec), tmp_path / "out", Serial(), progress=False)
    assert not (tmp_path / "out" / "trace.jsonl").exists()


def test_the_search_starts_from_the_values_in_the_parameter_file_and_ends_no_worse(tmp_path):
    spec = calibration_file(
        tmp_path, "start", dt.date(1971, 3, 31), seed=3, maxiter=1, popsize=2, bounds=ONE_PARAMETER, targets=ONE_TARGET
    )
    calibrate(load_calibration(spec), tmp_path / "out", Serial(), progress=False)
    trace = [json.loads(line) for line in (tmp_path / "out" / "trace.jsonl").read_text().splitlines()]
    start = model.load_params(BASELINE).capital_flight.risk_sensitivity
    at_start = [t["loss"] for t in trace if abs(t["x"][0] - start) < 1e-9]  # scipy scales the box and back
    assert at_start, "the file's value was not evaluated"
    assert min(t["loss"] for t in trace) <= at_start[0]
    fitted = model.load_params(BASELINE, [tmp_path / "out" / "fitted.toml"]).capital_flight.risk_sensitivity
    assert [t["loss"] for t in trace if abs(t["x"][0] - fitted) < 1e-5][0] <= at_start[0]
