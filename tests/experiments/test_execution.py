"""Running experiments: executors agree, failures are isolated, folders are protected."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
from small_experiments import small_experiment

from tests.support import comparable
from viachilena import experiments
from viachilena.experiments import runner
from viachilena.experiments.cli import main
from viachilena.experiments.design import replication_seed, run_table

FAULTY = "faulty_model:simulate"


def test_serial_and_process_pool_store_identical_runs(tmp_path):
    path = small_experiment(tmp_path)
    serial = experiments.run(path, workers=1, out=tmp_path / "serial", progress=False)
    pooled = experiments.run(path, workers=2, out=tmp_path / "pool", progress=False)
    assert serial.manifest["executor"] == "serial"
    assert pooled.manifest["executor"].startswith("process pool")
    assert len(serial.runs) == 2 * 2 * 2 and serial.failed.empty
    pd.testing.assert_frame_equal(comparable(serial.runs), comparable(pooled.runs))
    for run_id in serial.runs["run_id"]:
        pd.testing.assert_frame_equal(serial.series(run_id), pooled.series(run_id))
        pd.testing.assert_frame_equal(serial.events(run_id), pooled.events(run_id))


def test_run_table_layout(tmp_path):
    results = experiments.run(small_experiment(tmp_path), workers=1, out=tmp_path / "o", progress=False)
    runs = results.runs
    assert list(runs.columns[:12]) == [
        "run_id",
        "scenario",
        "point",
        "replication",
        "seed",
        "param_hoarding_propensity",
        "param_popular_power_belts",
        "status",
        "error",
        "wall_time_s",
        *results.manifest["experiment"]["metrics"][:2],
    ]
    assert list(runs["run_id"]) == sorted(runs["run_id"])
    assert runs["param_popular_power_belts"].dtype == "int64"
    assert (runs["status"] == "ok").all() and (runs["error"] == "").all()
    series = results.series(runs["run_id"].iloc[0])
    assert series.index.name == "date" and list(series.columns) == ["gdp", "cpi_official"]
    manifest = results.manifest
    assert set(manifest["scenario_params"]) == {"historical", "backed"}
    assert len(manifest["inputs"]) == 2 and all(len(h) == 64 for h in manifest["inputs"].values())
    assert manifest["counts"] == {"planned": 8, "stored": 8, "ok": 8, "failed": 0, "resumed": 0, "executed": 8}
    assert manifest["finished"] >= manifest["started"]
    assert manifest["packages"]["numpy"] and manifest["python"]


def test_failing_runs_are_isolated_with_their_traceback(tmp_path, capsys):
    path = small_experiment(tmp_path, replications=4)
    out = tmp_path / "out"
    assert main(["run", str(path), "--workers", "2", "--out", str(out), "--no-report", "--simulate", FAULTY]) == 1
    runs = experiments.Results(out).runs
    even = runs["seed"] % 2 == 0
    assert even.any() and (~even).any()
    assert (runs.loc[even, "status"] == "failed").all()
    assert (runs.loc[~even, "status"] == "ok").all()
    assert runs.loc[even, "error"].str.contains("Traceback").all()
    assert runs.loc[even, "error"].str.contains("injected failure for even seed").all()
    metrics = experiments.Results(out).manifest["experiment"]["metrics"]
    assert runs.loc[even, metrics].isna().all().all()
    assert runs.loc[~even, metrics].notna().all().all()
    stored = set(pd.read_parquet(out / "series", columns=["run_id"])["run_id"])
    assert stored == set(runs.loc[~even, "run_id"])
    assert "injected failure" in capsys.readouterr().err


def test_fail_fast_stops_at_the_first_failure(tmp_path):
    path = small_experiment(tmp_path, replications=4)
    first_even = next(r for r in range(4) if replication_seed(7, r) % 2 == 0)
    results = experiments.run(path, workers=1, out=tmp_path / "o", progress=False, fail_fast=True, simulate=FAULTY)
    assert len(results.runs) == first_even + 1
    assert list(results.runs["status"]).count("failed") == 1


def test_a_changed_experiment_is_refused_unless_fresh(tmp_path, capsys):
    path = small_experiment(tmp_path)
    out = tmp_path / "out"
    args = ["run", str(path), "--workers", "1", "--out", str(out), "--no-report"]
    assert main(args) == 0
    capsys.readouterr()
    small_experiment(tmp_path, replace=(("high = 0.6", "high = 0.5"),))
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "different experiment" in err and "--fresh" in err and err.count("\n") == 1
    assert main([*args, "--fresh"]) == 0
    assert experiments.Results(out).runs["param_hoarding_propensity"].max() <= 0.5


def test_rerunning_a_finished_experiment_runs_nothing(tmp_path):
    path = small_experiment(tmp_path)
    first = experiments.run(path, workers=1, out=tmp_path / "o", progress=False)
    small_experiment(tmp_path, replace=(("What do", "What, again, do"),))  # wording only
    again = experiments.run(path, workers=1, out=tmp_path / "o", progress=False)
    assert again.manifest["counts"]["executed"] == 0
    assert again.manifest["counts"]["resumed"] == 8
    assert again.manifest["started"] == first.manifest["started"]
    pd.testing.assert_frame_equal(first.runs, again.runs)


def test_a_second_run_on_the_same_folder_is_refused(tmp_path, capsys):
    path = small_experiment(tmp_path)
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from experiments.store import FolderLock\n"
            f"with FolderLock(Path({str(out)!r})):\n"
            "    print('locked', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "locked\n"
        args = ["run", str(path), "--workers", "1", "--out", str(out), "--no-report"]
        assert main(args) == 2
        err = capsys.readouterr().err
        assert f"being written by another viachilena run (pid {holder.pid})" in err
        assert not (out / "manifest.json").exists()
    finally:
        holder.communicate("")
    assert holder.returncode == 0
    assert main(args) == 0


def test_a_folder_that_is_not_an_experiment_is_never_cleared(tmp_path, capsys):
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    path = small_experiment(tmp_path)
    assert main(["run", str(path), "--out", str(out), "--fresh", "--no-report"]) == 2
    assert "holds no experiment" in capsys.readouterr().err
    assert (out / "thesis.tex").read_text() == "years of work"


def test_unwritable_output_folder_is_a_one_line_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    path = small_experiment(tmp_path)
    assert main(["run", str(path), "--out", str(blocker / "out"), "--no-report"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("viachilena: error: ") and err.count("\n") == 1


def test_workers_receive_every_run_once_in_chunks_that_shrink_to_one_run(tmp_path):
    experiment = experiments.load_experiment(small_experiment(tmp_path, replications=25, samples=4))
    planned = run_table(experiment)  # 2 scenarios x 4 points x 25 replications
    params = runner.resolved_params(experiment)
    tasks = list(runner._tasks(experiment, params, planned, "viachilena.model:simulate", False, 2))
    assert [run for task in tasks for run in task.runs] == planned  # all, once, in order
    sizes = [len(task.runs) for task in tasks]
    assert sizes == sorted(sizes, reverse=True) and max(sizes) <= runner.MAX_CHUNK and sizes[-4:] == [1] * 4
    assert len(tasks) < len(planned) / 3  # far fewer messages than runs
    for task in tasks:  # each chunk carries its runs' scenarios, resolved, and no other
        assert set(task.params) == {run.scenario for run in task.runs}
        assert all(task.params[name] is params[name] for name in task.params)
