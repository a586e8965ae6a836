"""Bad experiment files are refused before anything runs: exit 2, one line, no folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from small_experiments import BASELINE, small_experiment

from viachilena.experiments.cli import main
from viachilena.experiments.spec import load_experiment
from viachilena.model.errors import ParamError

BAD = {
    "unknown key": (
        (("replications = 2", "replicatons = 2"),),
        "experiment.replicatons",
        "did you mean 'replications'",
    ),
    "unknown parameter": (
        (('"hoarding.propensity" =', '"hoarding.propensty" ='),),
        'sweep.parameters."hoarding.propensty"',
        "did you mean 'hoarding.propensity'",
    ),
    "sobol not a power of two": (
        (('method = "lhs"', 'method = "sobol"'), ("samples = 2", "samples = 6")),
        "sweep.samples",
        "power of two",
    ),
    "reversed bounds": (
        (("low = 0.1, high = 0.6", "low = 0.6, high = 0.1"),),
        'sweep.parameters."hoarding.propensity".high',
        "greater than low",
    ),
    "unknown reference": (
        (('reference = "historical"', 'reference = "historic"'),),
        "experiment.reference",
        "did you mean 'historical'",
    ),
    "missing overlay": (
        (("[scenarios.backed]", '[scenarios.backed]\noverlays = ["nowhere.toml"]'),),
        "scenarios.backed.overlays",
        "nowhere.toml",
    ),
    "value the model refuses": (
        (('= "back"', '= "forward"'),),
        'scenarios.backed.set."government.stance_after_conciliation"',
        "forward",
    ),
    "unknown metric": (
        (('series = ["gdp", "cpi_official"]', 'series = ["gdp", "cpi_oficial"]'),),
        "experiment.series[1]",
        "did you mean 'cpi_official'",
    ),
    "integer range with fractions": (
        (("low = 2, high = 8", "low = 2.5, high = 8"),),
        'sweep.parameters."popular_power.belts".low',
        "whole",
    ),
    "scenario sets a swept key": (
        (('= "back" }', '= "back", "hoarding.propensity" = 0.2 }'),),
        'scenarios.backed.set."hoarding.propensity"',
        "sweep",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_experiment_exits_2_with_one_line_naming_file_and_key(case, tmp_path, capsys):
    replace, key, hint = BAD[case]
    path = small_experiment(tmp_path, replace=replace)
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--workers", "1", "--no-report"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"viachilena: error: {path}: {key}: "), err
    assert hint in err
    assert not out.exists()


def test_check_tells_experiment_and_parameter_files_apart(tmp_path, capsys):
    good = small_experiment(tmp_path)
    assert main(["check", str(good), str(BASELINE)]) == 0
    assert capsys.readouterr().out.splitlines() == [f"ok: {good}", f"ok: {BASELINE}"]


def test_check_stops_at_the_first_bad_file(tmp_path, capsys):
    good = small_experiment(tmp_path)
    bad = small_experiment(tmp_path, name="bad.toml", replace=(("seed = 7", "seed = -1"),))
    assert main(["check", str(good), str(bad), str(BASELINE)]) == 2
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [f"ok: {good}"]
    assert captured.err.startswith(f"viachilena: error: {bad}: experiment.seed: ")


def test_missing_and_malformed_files_are_one_line_errors(tmp_path, capsys):
    broken = tmp_path / "broken.toml"
    broken.write_text("[experiment\nname = ")
    for path in (tmp_path / "absent.toml", broken):
        assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"viachilena: error: {path}: ") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_paths_resolve_against_the_experiment_folder_first(tmp_path, monkeypatch):
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "base.toml").write_text(BASELINE.read_text())
    path = small_experiment(tmp_path, replace=((f'"{BASELINE}"', '"params/base.toml"'),))
    monkeypatch.chdir(BASELINE.parent)  # cwd has no params/ folder of its own
    assert load_experiment(path).params == tmp_path / "params" / "base.toml"


def test_every_scenario_is_resolved_with_its_overrides(tmp_path):
    experiment = load_experiment(small_experiment(tmp_path))
    stances = {name: p["government"]["stance_after_conciliation"] for name, p in experiment.scenario_params.items()}
    assert stances == {"historical": "conciliate", "backed": "back"}


def test_horizon_the_model_refuses_is_blamed_on_end(tmp_path):
    path = small_experiment(tmp_path, extra="end = 1990-01-01")
    with pytest.raises(ParamError) as caught:
        load_experiment(path)
    assert caught.value.file == str(Path(path)) and caught.value.key == "experiment.end"


SHIPPED = (
    "history",
    "october_1972",
    "strategy",
    "strategy_1976",
    "mechanisms",
    "sensitivity",
    "attribution",
    "coordination",
)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_experiments_are_valid_and_ask_a_question(name, capsys):
    path = Path(__file__).resolve().parents[2] / "experiments" / f"{name}.toml"
    assert main(["check", str(path)]) == 0, capsys.readouterr().err
    experiment = load_experiment(path)
    assert experiment.name == name
    assert experiment.description.endswith("?")
