"""A killed sweep resumes to the same result; a Dask cluster gives the same result."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from small_experiments import CLI, small_experiment

from tests.support import comparable, free_port, stop
from viachilena import experiments

PACED = "paced_model:simulate"


def environment() -> dict[str, str]:
    """This test process's import path, for the subprocesses it starts."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}


def stored_rows(out: Path) -> int:
    parts = list((out / "runs").glob("part-*.parquet"))
    return sum(len(pd.read_parquet(p)) for p in parts)


@pytest.mark.slow
def test_a_killed_sweep_resumes_to_the_uninterrupted_result(tmp_path):
    path = small_experiment(tmp_path, replications=8)
    out = tmp_path / "killed"
    command = [*CLI, "run", str(path), "--workers", "1", "--out", str(out), "--no-report", "--simulate", PACED]
    sweep = subprocess.Popen(command, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (out / "runs").is_dir() or not any((out / "runs").glob("part-*.parquet")):
        assert sweep.poll() is None, "the sweep ended before any runs were stored"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    sweep.send_signal(signal.SIGKILL)
    sweep.wait()
    assert 0 < stored_rows(out) < 32  # killed part-way
    assert not (out / "runs.parquet").exists()

    resumed = subprocess.run(command, env=environment(), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    results = experiments.Results(out)
    assert 0 < results.manifest["counts"]["resumed"] < 32
    assert results.manifest["counts"]["executed"] == 32 - results.manifest["counts"]["resumed"]

    whole = experiments.run(path, workers=2, out=tmp_path / "whole", progress=False, simulate=PACED)
    pd.testing.assert_frame_equal(comparable(results.runs), comparable(whole.runs))
    for run_id in whole.runs["run_id"]:
        pd.testing.assert_frame_equal(results.series(run_id), whole.series(run_id))
    assert not list(out.rglob(".*.tmp"))


@pytest.mark.slow
def test_dask_clusters_give_the_same_runs_as_serial(tmp_path):
    path = small_experiment(tmp_path)
    serial = experiments.run(path, workers=1, out=tmp_path / "serial", progress=False)
    address = f"tcp://127.0.0.1:{free_port()}"
    dask = Path(sys.executable).with_name("dask")
    logs = (tmp_path / "scheduler.log").open("w"), (tmp_path / "worker.log").open("w")
    scheduler = subprocess.Popen(
        [dask, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1], "--no-dashboard"],
        env=environment(),
        stdout=logs[0],
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [dask, "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
        env=environment(),
        stdout=logs[1],
        stderr=subprocess.STDOUT,
    )
    try:
        on_dask = experiments.run(path, scheduler=address, out=tmp_path / "dask", progress=False)
    finally:
        stop(worker)
        stop(scheduler)
        for log in logs:
            log.close()
    assert on_dask.manifest["executor"] == f"dask ({address})"
    local = experiments.run(path, dask_local=True, workers=2, out=tmp_path / "local", progress=False)
    assert local.manifest["executor"] == "dask (local cluster of 2 workers)"
    for results in (on_dask, local):
        pd.testing.assert_frame_equal(comparable(serial.runs), comparable(results.runs))
        for run_id in serial.runs["run_id"]:
            pd.testing.assert_frame_equal(serial.series(run_id), results.series(run_id))
