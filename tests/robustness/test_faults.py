"""Faults: kills, a busy folder, a lost Dask worker, a full or forbidden disk, leftover temporary files.

After any of them the output folder holds only whole files, and running the same command again
finishes with the same runs an uninterrupted sweep gives (timings aside).
"""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.support import comparable, free_port, stop
from viachilena import experiments
from viachilena.experiments import runner, store
from viachilena.experiments.cli import main

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BASELINE = REPO / "params" / "baseline.toml"
CLI = [sys.executable, "-m", "viachilena"]
PACED = "robust_paced:simulate"

SWEEP = f"""\
[experiment]
name = "faults"
description = "Does a sweep survive faults? (tests)"
params = "{BASELINE}"
seed = 5
replications = {{replications}}
reference = "historical"
end = 1971-02-28
series = ["gdp", "cpi_official"]
metrics = ["reserves_end_1970", "aps_firms_end", "capital_flight_total_usd"]

[scenarios.historical]

[scenarios.backed]
set = {{{{ "government.stance_after_conciliation" = "back" }}}}

[sweep]
method = "lhs"
samples = 2
[sweep.parameters]
"hoarding.propensity" = {{{{ low = 0.1, high = 0.6 }}}}
"""


def sweep_file(folder: Path, replications: int) -> Path:
    path = folder / "faults.toml"
    path.write_text(SWEEP.format(replications=replications))
    return path


def environment(pace: float = 0.05) -> dict[str, str]:
    """This process's import path (so workers import robust_paced) and the pace of each run."""
    path = os.pathsep.join(dict.fromkeys([str(HERE), *(p for p in sys.path if p)]))
    return {**os.environ, "PYTHONPATH": path, "VIACHILENA_TEST_PACE_S": str(pace)}


def assert_same_results(folder: Path, whole: experiments.Results) -> None:
    results = experiments.Results(folder)
    pd.testing.assert_frame_equal(comparable(results.runs), comparable(whole.runs))
    for run_id in whole.runs["run_id"]:
        pd.testing.assert_frame_equal(results.series(run_id), whole.series(run_id))


def assert_only_whole_files(folder: Path) -> None:
    """Every file the tool wrote reads back whole; temporary files are the only other thing allowed."""
    for path in folder.rglob("*"):
        if path.is_dir() or path.name == store.LOCK or store.is_temporary(path):
            continue
        if path.suffix == ".parquet":
            pq.read_table(path)
        elif path.suffix == ".json":
            json.loads(path.read_text())
        elif path.name == store.LEDGER:
            assert store.read_ledger(folder)[0] is not None, "the record of files lost its header"
        else:
            raise AssertionError(f"unexpected file {path}")


def stored_runs(folder: Path) -> int:
    """How many runs the folder holds a row of so far."""
    committed = any((folder / store.PARTS).glob("part-*.parquet"))
    return store.latest_rows(folder).num_rows if committed else 0


def temporary_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if store.is_temporary(p)]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> tuple[Path, experiments.Results]:
    folder = tmp_path_factory.mktemp("whole")
    path = sweep_file(folder, replications=5)
    return path, experiments.run(path, workers=1, out=folder / "out", progress=False)


@pytest.mark.slow
def test_a_sweep_killed_three_times_at_random_resumes_to_the_uninterrupted_result(uninterrupted, tmp_path):
    path, whole = uninterrupted
    out = tmp_path / "killed"
    command = [*CLI, "run", str(path), "--workers", "1", "--out", str(out), "--no-report", "--simulate", PACED]
    seed = random.randrange(2**32)
    chance = random.Random(seed)
    stored_before = 0
    # 20 runs of at least 0.5 s each: three kills, each at most 3 s after start, leave work to resume
    slow = environment(pace=0.5)
    for kill in range(3):
        sweep = subprocess.Popen(command, env=slow, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(chance.uniform(0.5, 3.0))  # the first second or so is Python starting up
        assert sweep.poll() is None, f"kill {kill}: the sweep ended before it was killed (seed {seed})"
        sweep.send_signal(signal.SIGKILL)
        sweep.wait()
        if out.exists():
            assert_only_whole_files(out)
            stored = set(experiments.store.RunStore(out, whole_schema(whole)).latest_rows()["run_id"])
            assert len(stored) >= stored_before, f"seed {seed}"
            stored_before = len(stored)
    resumed = subprocess.run(command, env=slow, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, f"seed {seed}: {resumed.stderr}"
    assert resumed.stderr == ""
    counts = experiments.Results(out).manifest["counts"]
    assert counts["resumed"] + counts["executed"] == counts["planned"] == len(whole.runs)
    assert_same_results(out, whole)
    assert temporary_files(out) == []
    assert_only_whole_files(out)


def whole_schema(whole: experiments.Results):
    """The run table schema of the sweep (read back from its runs.parquet)."""
    return pq.read_schema(whole.dir / store.RUNS)


def test_leftover_temporary_files_are_ignored_and_deleted_on_resume(uninterrupted, tmp_path, capsys):
    path, whole = uninterrupted
    out = tmp_path / "out"
    out.mkdir()
    (out / ".manifest.json.999.tmp").write_text('{"half": ')  # a writer killed before its first manifest
    argv = ["run", str(path), "--workers", "1", "--out", str(out), "--no-report"]
    assert main(argv) == 0
    leftovers = [out / "runs" / ".part-000099.parquet.999.tmp", out / "series" / ".x.parquet.999.tmp"]
    for leftover in leftovers:
        leftover.parent.mkdir(exist_ok=True)  # a finished folder has no runs/ (its parts are consolidated)
        leftover.write_bytes(b"PAR1 half a file")
    assert main(argv) == 0
    capsys.readouterr()
    assert temporary_files(out) == []
    assert experiments.Results(out).manifest["counts"]["resumed"] == len(whole.runs)
    assert_same_results(out, whole)


@pytest.mark.slow
def test_a_second_run_on_a_busy_folder_is_refused_in_one_line(uninterrupted, tmp_path, capsys):
    path, _ = uninterrupted
    out = tmp_path / "busy"
    command = [*CLI, "run", str(path), "--workers", "1", "--out", str(out), "--no-report", "--simulate", PACED]
    first = subprocess.Popen(command, env=environment(pace=0.5), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (out / store.MANIFEST).exists():
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        status = main(command[len(CLI) :])
        captured = capsys.readouterr()
        assert first.poll() is None, "the first run ended before the second was tried"
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert status == 2
    assert captured.out == ""
    busy = f"{out} is being written by another viachilena run (pid {first.pid}); wait for it to finish"
    assert captured.err == f"viachilena: error: {busy}\n"


@pytest.mark.slow
def test_a_dask_worker_killed_mid_sweep_has_its_runs_retried_elsewhere(uninterrupted, tmp_path):
    path, whole = uninterrupted
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).with_name("dask"))
    env = environment(pace=0.4)
    logs = [(tmp_path / f"{name}.log").open("w") for name in ("scheduler", "worker_a", "worker_b", "sweep")]
    scheduler = subprocess.Popen(
        [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        env=env,
        stdout=logs[0],
        stderr=subprocess.STDOUT,
    )
    worker = [dask, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard", "--host", "127.0.0.1"]
    workers = [subprocess.Popen(worker, env=env, stdout=log, stderr=subprocess.STDOUT) for log in logs[1:3]]
    out = tmp_path / "dask"
    sweep = None
    try:
        command = [*CLI, "run", str(path), "--scheduler", address, "--out", str(out), "--no-report"]
        sweep = subprocess.Popen([*command, "--simulate", PACED], env=env, stdout=logs[3], stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while stored_runs(out) < 3:
            assert sweep.poll() is None, (tmp_path / "sweep.log").read_text()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait()
        finished_at_kill = stored_runs(out)
        assert sweep.poll() is None and finished_at_kill < len(whole.runs), "the sweep ended before the kill"
        assert sweep.wait(timeout=300) == 0, (tmp_path / "sweep.log").read_text()
    finally:
        for process in (sweep, *workers, scheduler):
            if process is not None:
                stop(process)
        for log in logs:
            log.close()
    results = experiments.Results(out)
    assert results.manifest["executor"] == f"dask ({address})"
    assert set(results.runs["status"]) == {"ok"}
    assert_same_results(out, whole)


@pytest.mark.slow
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES])
def test_a_full_or_forbidden_disk_stops_in_one_line_and_keeps_finished_runs(
    code, uninterrupted, tmp_path, capsys, monkeypatch
):
    path, whole = uninterrupted
    out = tmp_path / "out"
    argv = ["run", str(path), "--workers", "1", "--out", str(out), "--no-report"]
    real_write = store.write_atomically
    series_written = []

    def failing_write(target: Path, write) -> None:
        if target.parent.name == store.SERIES and len(series_written) >= 7:

            def half_then_fail(temporary: Path) -> None:
                temporary.write_bytes(b"PAR1 half a file")
                raise OSError(code, os.strerror(code), str(temporary))

            real_write(target, half_then_fail)
        real_write(target, write)
        if target.parent.name == store.SERIES:
            series_written.append(target)

    monkeypatch.setattr(store, "write_atomically", failing_write)
    monkeypatch.setattr(store, "FLUSH_ROWS", 1)
    monkeypatch.setattr(runner, "MAX_CHUNK", 1)  # a batch a run
    status = main(argv)
    captured = capsys.readouterr()
    assert status == 2
    assert "Traceback" not in captured.out + captured.err
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"viachilena: error: {os.strerror(code)}: {out / store.SERIES}")
    assert temporary_files(out) == []
    assert_only_whole_files(out)
    kept = pd.concat(pd.read_parquet(p) for p in (out / store.PARTS).glob("part-*.parquet"))
    assert len(kept) == 7 and set(kept["status"]) == {"ok"}

    monkeypatch.undo()
    assert main(argv) == 0
    counts = experiments.Results(out).manifest["counts"]
    assert (counts["resumed"], counts["executed"]) == (7, len(whole.runs) - 7)
    assert_same_results(out, whole)
