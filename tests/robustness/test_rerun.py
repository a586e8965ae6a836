"""``viachilena rerun DIR RUN_ID`` reproduces a stored run exactly, or names the first difference."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pandas as pd
import pytest
import tomli_w

from viachilena import experiments
from viachilena.experiments import store
from viachilena.experiments.cli import main

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "params" / "baseline.toml"
OVERLAY = REPO / "params" / "scenarios" / "no_hoarding.toml"

TINY = """\
[experiment]
name = "tiny"
description = "Does a stored run reproduce? (tests)"
params = "baseline.toml"
seed = 11
replications = 1
reference = "historical"
end = 1971-03-31
series = ["gdp", "cpi_official", "black_market_premium"]
metrics = ["reserves_end_1970", "aps_firms_end", "capital_flight_total_usd"]

[scenarios.historical]

[scenarios.no_hoarding]
overlays = ["{overlay}"]
set = {{ "government.stance_after_conciliation" = "back" }}

[sweep]
method = "lhs"
samples = 2
[sweep.parameters]
"popular_power.belts" = {{ low = 2, high = 8, type = "int" }}
"capital_flight.base_rate" = {{ low = 0.0, high = 0.2 }}
"government.stance_before_conciliation" = {{ values = ["conciliate", "back"] }}
"""


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> Path:
    """A tiny experiment run once, on a private copy of the baseline."""
    folder = tmp_path_factory.mktemp("rerun")
    shutil.copy(BASELINE, folder / "baseline.toml")
    (folder / "tiny.toml").write_text(TINY.format(overlay=OVERLAY))
    experiments.run(folder / "tiny.toml", workers=1, out=folder / "out", progress=False)
    return folder


def rerun(stored: Path, run_id: str, capsys) -> tuple[int, str, str]:
    status = main(["rerun", str(stored / "out"), run_id])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_every_stored_run_reproduces_exactly(stored, capsys):
    runs = experiments.Results(stored / "out").runs
    assert len(runs) == 4 and set(runs["status"]) == {"ok"}
    for run_id in runs["run_id"]:
        status, out, err = rerun(stored, run_id, capsys)
        assert (status, err) == (0, ""), err
        assert f"{run_id} reproduced" in out


def test_a_changed_stored_series_is_named_by_column_and_date(stored, capsys, tmp_path):
    copy = tmp_path / "out"
    shutil.copytree(stored / "out", copy)
    run_id = "no_hoarding-p00001-r0000"
    path = next(p for p in (copy / "series").glob("*.parquet") if run_id in set(pd.read_parquet(p)["run_id"]))
    series = pd.read_parquet(path)  # every run of the part, as another tool would rewrite it
    row = series.index[series["run_id"] == run_id][40]
    date = series.at[row, "date"]
    series.loc[row, "cpi_official"] *= 1 + 1e-12
    store.write_recorded(copy, path, lambda p: series.to_parquet(p, index=False), store.FRAME_ROLE, [run_id])
    status = main(["rerun", str(copy), run_id])
    captured = capsys.readouterr()
    assert status == 1
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert f"{run_id} not reproduced: column cpi_official on {date:%Y-%m-%d}" in captured.err


def test_a_changed_stored_metric_is_named(stored, capsys, tmp_path):
    copy = tmp_path / "out"
    shutil.copytree(stored / "out", copy)
    runs = pd.read_parquet(copy / "runs.parquet")
    runs.loc[0, "aps_firms_end"] += 1
    store.write_recorded(copy, copy / "runs.parquet", runs.to_parquet, store.RECORD)
    status = main(["rerun", str(copy), runs.loc[0, "run_id"]])
    assert status == 1
    assert "not reproduced: metric aps_firms_end" in capsys.readouterr().err


def test_rerun_uses_the_stored_parameters_when_an_input_file_changed(stored, capsys):
    base = stored / "baseline.toml"
    original = base.read_text()
    tree = tomllib.loads(original)
    tree["hoarding"]["propensity"] = tree["hoarding"]["propensity"] / 2
    try:
        base.write_text(tomli_w.dumps(tree))
        status, out, err = rerun(stored, "historical-p00000-r0000", capsys)
    finally:
        base.write_text(original)
    assert (status, err) == (0, "")
    assert f"note: {base} changed since the run" in out
    assert "historical-p00000-r0000 reproduced" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["historical-p00000-r000"], "did you mean 'historical-p00000-r0000'?"),
        (["nothing"], "a run_id stored in"),
    ],
)
def test_an_unknown_run_id_is_refused_in_one_line(stored, args, expected, capsys):
    status, out, err = rerun(stored, args[0], capsys)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and expected in err


def test_a_folder_without_a_manifest_is_refused_in_one_line(tmp_path, capsys):
    status = main(["rerun", str(tmp_path), "historical-p00000-r0000"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "manifest.json missing" in err
