"""Helpers shared by the test folders: comparing run tables and folders, and processes on loopback."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pandas as pd

from viachilena import experiments


def comparable(runs: pd.DataFrame) -> pd.DataFrame:
    """The run table without what legitimately differs between executions (timings)."""
    return runs.drop(columns=["wall_time_s"]).reset_index(drop=True)


def same_results(folder: Path, reference: Path) -> None:
    """Assert two experiment folders hold the same runs, series and events (timings aside)."""
    got, want = experiments.Results(folder), experiments.Results(reference)
    pd.testing.assert_frame_equal(comparable(got.runs), comparable(want.runs))
    for run_id in want.runs.loc[want.runs["status"] == "ok", "run_id"]:
        pd.testing.assert_frame_equal(got.series(run_id), want.series(run_id))
        pd.testing.assert_frame_equal(got.events(run_id), want.events(run_id))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    """Terminate a process that may still run, killing it if it does not end in 20 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
