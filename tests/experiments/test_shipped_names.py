"""Shipped files by stable name, ``viachilena init``, and the quick look's own folder."""

from __future__ import annotations

from pathlib import Path

import pytest

import viachilena as vc
from viachilena.experiments.cli import main
from viachilena.experiments.runner import default_folder
from viachilena.model.errors import ParamError

REPO = Path(__file__).resolve().parents[2]


def test_load_params_without_a_path_is_the_shipped_baseline_and_overlays_go_by_name():
    assert vc.load_params() == vc.load_params(REPO / "params" / "baseline.toml")
    by_name = vc.load_params(scenarios=["no_october_strike"])
    by_path = vc.load_params(scenarios=[REPO / "params" / "scenarios" / "no_october_strike.toml"])
    assert by_name == by_path and by_name != vc.load_params()


def test_an_unknown_name_is_refused_with_the_names_that_exist():
    with pytest.raises(ParamError, match="no_october_strike") as error:
        vc.load_params(scenarios=["no_octobre_strike"])
    assert error.value.file == "no_octobre_strike"
    with pytest.raises(ParamError, match="october_1972"):
        vc.load_experiment("octobre_1972")


def test_shipped_experiments_load_by_name_and_name_shipped_files(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # an empty folder: nothing to find but the package
    experiment = vc.load_experiment("october_1972")
    assert experiment.params == (REPO / "params" / "baseline.toml").resolve()
    overlays = {s.name: [p.name for p in s.overlays] for s in experiment.scenarios}
    assert overlays["no_strike"] == ["no_october_strike.toml"]
    assert repr(experiment).startswith("Experiment('october_1972', scenarios [historical, no_strike")


def test_init_copies_parameters_and_experiments_whose_names_then_resolve_to_the_copies(tmp_path, capsys):
    folder = tmp_path / "mine"
    assert main(["init", str(folder)]) == 0
    shipped = {p.relative_to(REPO).as_posix() for p in REPO.glob("params/**/*.toml")}
    shipped |= {p.relative_to(REPO).as_posix() for p in REPO.glob("experiments/*.toml")}
    assert {p.relative_to(folder).as_posix() for p in folder.rglob("*.toml")} == shipped
    baseline = folder / "params" / "baseline.toml"
    baseline.write_text(baseline.read_text().replace("propensity = ", "propensity = 0.123 #", 1))
    experiment = vc.load_experiment(folder / "experiments" / "october_1972.toml")
    assert experiment.params == baseline.resolve()
    assert experiment.scenarios[1].overlays == ((folder / "params" / "scenarios" / "no_october_strike.toml").resolve(),)
    assert 0.123 in {section.get("propensity") for section in experiment.scenario_params["historical"].values()}
    capsys.readouterr()


def test_init_refuses_a_folder_that_is_not_empty_unless_forced(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["init", str(tmp_path)]) == 2
    assert "is not empty" in capsys.readouterr().err and not (tmp_path / "params").exists()
    assert main(["init", str(tmp_path), "--force"]) == 0
    assert (tmp_path / "notes.txt").read_text() == "mine" and (tmp_path / "params" / "baseline.toml").is_file()


def test_a_quick_look_with_fewer_replications_gets_its_own_folder():
    experiment = vc.load_experiment("october_1972")
    full = default_folder(experiment)
    assert default_folder(experiment, experiment.replications) == full
    assert default_folder(experiment, 5) == full.with_name(f"{full.name}_r5") != full
