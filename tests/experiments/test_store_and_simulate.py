"""The store streams bounded batches and keeps each run's latest row; simulate writes files."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pyarrow.parquet as pq
import pytest
from small_experiments import BASELINE

from viachilena.experiments import store
from viachilena.experiments.cli import main
from viachilena.experiments.columns import run_schema
from viachilena.experiments.store import RunStore
from viachilena.experiments.worker import Outcome


def outcome(run_id: str, status: str = "ok") -> Outcome:
    row = {
        "run_id": run_id,
        "scenario": "s",
        "point": 0,
        "replication": 0,
        "seed": 1,
        "status": status,
        "error": "" if status == "ok" else "Traceback ...",
        "wall_time_s": 0.1,
        "m": 1.0 if status == "ok" else math.nan,
    }
    return Outcome(row, None, None)


def test_rows_are_flushed_in_bounded_batches_and_the_latest_row_wins(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "FLUSH_ROWS", 3)
    runs = RunStore(tmp_path, run_schema(None, ["m"]))
    runs.record(outcome("a", "failed"))
    for name in "bcdef":
        runs.record(outcome(name))
    runs.record(outcome("a"))  # "a" run again, and finished this time
    assert len(list((tmp_path / "runs").glob("part-*.parquet"))) == 2
    assert len(runs.rows) == 1
    assert runs.finished() == set("bcdef")
    table = runs.consolidate()
    assert list(table["run_id"]) == list("abcdef")
    assert (table["status"] == "ok").all()
    assert not (tmp_path / "runs").exists()  # runs.parquet holds the rows: the parts are gone
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "runs.parquet"), table)
    assert RunStore(tmp_path, run_schema(None, ["m"])).finished() == set("abcdef")


def test_simulate_writes_series_events_and_summary(tmp_path, capsys):
    out = tmp_path / "sim"
    assert (
        main(
            [
                "simulate",
                str(BASELINE),
                "--set",
                "run.end=1971-02-28",
                "--set",
                "hoarding.propensity=0.5",
                "--seed",
                "3",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    series = pd.read_parquet(out / "series.parquet")
    assert set(series["run_id"]) == {"simulate-3"} and set(series["scenario"]) == {"baseline"}
    assert series["date"].iloc[-1] == dt.date(1971, 2, 28)
    schema = pq.read_schema(out / "series.parquet")
    assert schema.field("gdp").metadata[b"unit"].decode() == "E°m of 1970 a day"
    assert {"run_id", "date", "kind", "agent", "detail"} <= set(pd.read_parquet(out / "events.parquet"))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 3 and "aps_firms_end" in summary["summary"]
    printed = capsys.readouterr().out
    assert "seed 3" in printed and "aps_firms_end" in printed


@pytest.mark.parametrize(
    "argument,named",
    [
        ("--set=hoarding.propensty=0.5", "hoarding.propensty"),
        ("--set=hoarding.propensity=7", "hoarding.propensity"),
        ("--seed=-1", "--seed"),
    ],
)
def test_simulate_refuses_bad_input_in_one_line_without_output(argument, named, tmp_path, capsys):
    out = tmp_path / "sim"
    assert main(["simulate", str(BASELINE), argument, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("viachilena: error: ") and err.count("\n") == 1 and named in err
    assert not out.exists()
