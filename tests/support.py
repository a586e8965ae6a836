"""Helpers shared by the test folders: comparing run tables, and processes on loopback."""

from __future__ import annotations

import socket
import subprocess

import pandas as pd


def comparable(runs: pd.DataFrame) -> pd.DataFrame:
    """The run table without what legitimately differs between executions (timings)."""
    return runs.drop(columns=["wall_time_s"]).reset_index(drop=True)


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
