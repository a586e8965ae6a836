"""The stored folder as the field's tools read it: DuckDB, pandas, Arrow and EMA Workbench.

Series and events are batched Parquet datasets keyed by run_id and scenario, with dates as
Parquet dates and units in the schema; parameter columns are SQL-safe; the batches of any
sweep compact into one part of each kind; a killed writer's leftovers are repaired.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ema_workbench.analysis import feature_scoring, prim
from small_experiments import small_experiment

from viachilena import experiments, model
from viachilena.experiments import store
from viachilena.experiments.columns import units
from viachilena.experiments.store import RunStore

FIRST, LAST = dt.date(1970, 11, 4), dt.date(1971, 3, 31)
METRIC = "capital_flight_total_usd"


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> experiments.Results:
    """A 2-scenario x 8-point x 2-replication sweep, flushed after every chunk (the most parts a sweep can make)."""
    folder = tmp_path_factory.mktemp("sweep")
    path = small_experiment(folder, samples=8)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "FLUSH_SECONDS", 0.0)
        return experiments.run(path, workers=1, out=folder / "out", progress=False)


def test_duckdb_reads_every_run_with_one_glob_and_groups_by_run_id(sweep):
    query = f"""
        SELECT run_id, scenario, count(*) AS days, min(date) AS first, max(date) AS last, avg(gdp) AS gdp
        FROM '{sweep.dir}/series/*.parquet' GROUP BY run_id, scenario ORDER BY run_id
    """
    per_run = duckdb.sql(query).df()
    assert list(per_run["run_id"]) == sorted(sweep.runs["run_id"])
    assert (per_run["days"] == (LAST - FIRST).days + 1).all()
    assert set(per_run["first"]) == {pd.Timestamp(FIRST)} and set(per_run["last"]) == {pd.Timestamp(LAST)}
    expected = {r: sweep.series(r)["gdp"].mean() for r in sweep.runs["run_id"]}
    assert np.allclose(per_run["gdp"], [expected[r] for r in per_run["run_id"]], rtol=1e-12)
    assert set(per_run.groupby("scenario")["run_id"].count()) == {16}


def test_runs_series_and_scenarios_join_in_sql_without_quoting(sweep):
    joined = duckdb.sql(f"""
        SELECT r.run_id, r.param_hoarding_propensity, r.param_popular_power_belts,
               c.government_stance_after_conciliation AS stance, max(s.date) AS last
        FROM '{sweep.dir}/runs.parquet' r
        JOIN '{sweep.dir}/series/*.parquet' s USING (run_id)
        JOIN '{sweep.dir}/scenarios.parquet' c ON c.scenario = r.scenario
        WHERE r.scenario = 'backed'
        GROUP BY ALL
    """).df()
    assert len(joined) == 16 and set(joined["stance"]) == {"back"}
    assert joined["param_hoarding_propensity"].between(0.1, 0.6).all()
    assert joined["param_popular_power_belts"].between(2, 8).all()


def test_pandas_reads_the_series_folder_as_one_dataset_telling_runs_apart(sweep):
    frame = pd.read_parquet(sweep.dir / "series")
    assert set(frame["run_id"]) == set(sweep.runs["run_id"])
    one = sweep.runs["run_id"].iloc[3]
    stored = frame[frame["run_id"] == one].set_index("date")["cpi_official"]
    assert np.array_equal(stored.to_numpy(), sweep.series(one)["cpi_official"].to_numpy())


def test_dates_are_parquet_dates_and_every_column_carries_its_unit(sweep):
    series = pq.read_schema(next((sweep.dir / "series").glob("*.parquet")))
    events = pq.read_schema(next((sweep.dir / "events").glob("*.parquet")))
    assert series.field("date").type == pa.date32() and events.field("date").type == pa.date32()
    assert units(series)["gdp"] == model.SERIES_UNITS["gdp"]
    assert units(series)["cpi_official"] == model.SERIES_UNITS["cpi_official"]
    runs = units(pq.read_schema(sweep.dir / "runs.parquet"))
    assert runs[METRIC] == model.METRIC_UNITS[METRIC]
    assert (
        runs["param_hoarding_propensity"]
        == units(pq.read_schema(sweep.dir / "scenarios.parquet"))["hoarding_propensity"]
    )


def test_scenarios_parquet_holds_each_scenarios_resolved_parameters_as_flat_columns(sweep):
    table = pd.read_parquet(sweep.dir / "scenarios.parquet").set_index("scenario")
    assert list(table.index) == ["historical", "backed"]
    resolved = {
        s: model.Params.model_validate_json(json.dumps(p)) for s, p in sweep.manifest["scenario_params"].items()
    }
    assert table.loc["backed", "government_stance_after_conciliation"] == "back"
    assert table.loc["historical", "run_end"] == resolved["historical"].run.end == LAST
    assert table.loc["historical", "hoarding_propensity"] == resolved["historical"].hoarding.propensity
    assert all(name.isidentifier() and name == name.lower() for name in table.columns)
    pd.testing.assert_frame_equal(sweep.scenario_params, table)


def test_a_sweep_of_any_length_leaves_one_part_of_each_kind(sweep):
    files = sorted(p.relative_to(sweep.dir).as_posix() for p in sweep.dir.rglob("*") if p.is_file())
    part = files[0].split("/")[1]
    assert files == [  # no lock: it is deleted when the run ends
        "events/" + part,
        "files.jsonl",
        "manifest.json",
        "runs.parquet",
        "scenarios.parquet",
        "series/" + part,
    ]
    assert not (sweep.dir / store.PARTS).exists()  # runs.parquet commits the compacted batch: no runs parts
    assert pq.read_schema(sweep.dir / "runs.parquet").metadata[store.BATCH] == part[5:11].lstrip("0").encode()
    assert pq.ParquetFile(sweep.dir / files[-1]).num_row_groups == len(sweep.runs) == 32  # one run a row group


@pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.drop is deprecated")  # inside EMA Workbench
def test_to_ema_gives_experiments_and_outcomes_that_prim_and_feature_scoring_take(sweep):
    x, outcomes = sweep.to_ema()
    ok = sweep.runs
    assert list(x.columns) == ["hoarding.propensity", "popular_power.belts", "scenario", "policy", "model"]
    assert np.array_equal(x["hoarding.propensity"], ok["param_hoarding_propensity"])
    assert np.array_equal(outcomes[METRIC], ok[METRIC]) and set(outcomes) == set(sweep.metrics_stored)
    y = outcomes[METRIC] > np.median(outcomes[METRIC])
    box = prim.Prim(x, y, threshold=0.6).find_box()
    chosen = box.peeling_trajectory.iloc[box._cur_box]
    assert chosen["density"] >= y.mean() and 0 < chosen["coverage"] <= 1
    assert set(box.box_lims[-1].columns) <= {"hoarding.propensity", "popular_power.belts", "policy"}
    scores = feature_scoring.get_feature_scores_all(x, outcomes)
    assert set(scores.index) == {"hoarding.propensity", "popular_power.belts", "policy"}
    assert set(scores.columns) == set(outcomes) and scores.notna().all().all()


def test_results_have_a_short_repr(sweep):
    assert repr(sweep) == f"Results({str(sweep.dir)!r}, 32 runs, 2 scenarios, 0 failed)"
    assert len(repr(experiments.load_experiment(sweep.manifest["experiment"]["file"]))) < 200
    assert len(repr(model.load_params())) < 200


def batches(sweep: experiments.Results, folder, runs: int) -> tuple[RunStore, pa.Schema, list[str]]:
    """A store in `folder` holding the sweep's first `runs` runs, one batch each, as the worker returned them."""
    schema = pq.read_schema(sweep.dir / "runs.parquet").remove_metadata()
    writer = RunStore(folder, schema)
    ids = list(sweep.runs["run_id"][:runs])
    rows = sweep.runs.set_index("run_id")
    for run_id in ids:
        row = rows.loc[run_id].to_dict() | {"run_id": run_id}
        writer.record(store.Outcome(row, sweep.series(run_id), sweep.events(run_id)))
        writer.flush()
    return writer, schema, ids


def test_a_batch_whose_runs_part_was_never_written_is_dropped_on_reopening(sweep, tmp_path):
    _, schema, ids = batches(sweep, tmp_path, 4)
    (tmp_path / "runs" / "part-000004.parquet").unlink()  # killed between the frames and the row
    reopened = RunStore(tmp_path, schema)
    assert reopened.finished() == set(ids[:3])
    assert not (tmp_path / "series" / "part-000004.parquet").exists()
    assert not (tmp_path / "events" / "part-000004.parquet").exists()


def test_a_compaction_killed_before_it_deleted_the_old_parts_is_finished_on_reopening(sweep, tmp_path, monkeypatch):
    writer, schema, ids = batches(sweep, tmp_path, 5)

    def killed() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(writer, "_repair", killed)
    with pytest.raises(KeyboardInterrupt):
        writer.consolidate()
    assert len(list((tmp_path / "series").glob("*.parquet"))) == 6  # five batches and their compaction
    RunStore(tmp_path, schema).consolidate()
    assert [p.name for p in (tmp_path / "series").glob("*.parquet")] == ["part-000006.parquet"]
    reread = experiments.Results(tmp_path)
    assert list(reread.runs["run_id"]) == sorted(ids)
    for run_id in ids:
        pd.testing.assert_frame_equal(reread.series(run_id), sweep.series(run_id))
        pd.testing.assert_frame_equal(reread.events(run_id), sweep.events(run_id))


def same_as_sweep(folder, sweep: experiments.Results, ids: list[str]) -> None:
    """Assert that `folder` holds exactly the runs `ids` of `sweep`, rows, series and events."""
    reread = experiments.Results(folder)
    assert list(reread.runs["run_id"]) == sorted(ids)
    expected = sweep.runs.set_index("run_id").loc[sorted(ids)].reset_index()
    pd.testing.assert_frame_equal(reread.runs, expected)
    for run_id in ids:
        pd.testing.assert_frame_equal(reread.series(run_id), sweep.series(run_id))
        pd.testing.assert_frame_equal(reread.events(run_id), sweep.events(run_id))


def kill_at_step(step: int, patch: pytest.MonkeyPatch) -> None:
    """Make the `step`-th file the store writes or deletes from now on raise KeyboardInterrupt instead."""
    calls = itertools.count(1)

    def killing(action):
        def wrapped(*args, **kwargs):
            if next(calls) == step:
                raise KeyboardInterrupt
            return action(*args, **kwargs)

        return wrapped

    patch.setattr(store, "write_recorded", killing(store.write_recorded))
    patch.setattr(store, "forget", killing(store.forget))


@pytest.mark.parametrize("files_a_kind", [1, 4])
def test_a_compaction_killed_at_any_step_is_completed_or_rolled_back_on_reopening(
    sweep, tmp_path, monkeypatch, files_a_kind
):
    if files_a_kind > 1:  # files too small for two runs: the compacted batch's series and events split, a run a file
        monkeypatch.setattr(store, "FILE_COLUMN_CHUNKS", 1)
    step = 0
    while True:  # kill before the step-th file written or deleted, for every step the compaction takes
        step += 1
        folder = tmp_path / f"killed_{step}"
        writer, schema, ids = batches(sweep, folder, 4)
        with monkeypatch.context() as patch:
            kill_at_step(step, patch)
            try:
                writer.consolidate()
                break  # the compaction took fewer steps: every step has been killed once
            except KeyboardInterrupt:
                pass
        RunStore(folder, schema).consolidate()
        files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.parquet"))
        kinds = [name.split("/")[0] for name in files]
        assert kinds == ["events"] * files_a_kind + ["runs.parquet"] + ["series"] * files_a_kind, (step, files)
        assert store.damaged_files(folder) == {}
        same_as_sweep(folder, sweep, ids)
    assert step > 2 * files_a_kind + 1 + 12  # the frame files, runs.parquet, then four batches of three parts deleted


def test_a_resumed_sweep_adds_batches_above_the_committed_one_and_compacts_them_again(sweep, tmp_path):
    writer, schema, ids = batches(sweep, tmp_path, 3)
    writer.consolidate()
    first = store.committed_batch(tmp_path)
    reopened = RunStore(tmp_path, schema)
    assert reopened.next_part > first and reopened.finished() == set(ids)
    rows = sweep.runs.set_index("run_id")
    more = list(sweep.runs["run_id"][3:6])
    for run_id in more:
        row = rows.loc[run_id].to_dict() | {"run_id": run_id}
        reopened.record(store.Outcome(row, sweep.series(run_id), sweep.events(run_id)))
        reopened.flush()
    assert experiments.Results(tmp_path).runs["run_id"].tolist() == sorted(ids + more)  # before compacting too
    reopened.consolidate()
    assert store.committed_batch(tmp_path) > first
    assert [p.name for p in (tmp_path / "series").glob("*.parquet")] == [
        f"part-{store.committed_batch(tmp_path):06d}.parquet"
    ]
    same_as_sweep(tmp_path, sweep, ids + more)
