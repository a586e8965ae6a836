"""Helpers shared by the benchmark scripts: their command line, JSON-line output, measuring a child process.

:func:`parse_options` builds a script's command line from a table of its options, so that the
scripts declare what they take (``--runs``, ``--quick`` and the values a smoke run uses) and
parse it the same way.

A child's peak memory comes from ``os.wait4``, which returns the resource usage of that child
and of the children it waited for: ``ru_maxrss`` is then the peak resident set of the largest
single process in its tree (Linux reports it in KiB), and ``ru_utime + ru_stime`` the CPU time
of the whole tree (on a shared machine, the figure other jobs disturb least). While the child
runs, the summed resident set of the whole tree is also sampled with psutil (a dependency of
dask.distributed), so a sweep with two workers reports both its largest process and the tree's
total.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "params" / "baseline.toml"
SAMPLE_SECONDS = 0.1


def parse_options(
    doc: str, options: dict[str, tuple[Any, str]], quick: dict[str, Any] | None = None
) -> argparse.Namespace:
    """Parse a benchmark's command line; its description is the first line of the script's `doc`.

    `options` maps each option, in the order ``--help`` lists them, to ``(default, help)``. The
    default says what the option takes: ``False`` makes a switch, a list one or more values of
    its items' type, a type (``float``) one value of that type and no default, anything else one
    value of the default's type. With ``--quick`` among them, `quick` holds the values a smoke
    run sets in place of the parsed ones (by destination: ``{"runs": 1}``).
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    for option, (default, text) in options.items():
        if isinstance(default, bool):
            parser.add_argument(option, action="store_true", help=text)
        elif isinstance(default, list):
            parser.add_argument(option, type=type(default[0]), nargs="+", default=default, help=text)
        elif isinstance(default, type):
            parser.add_argument(option, type=default, help=text)
        else:
            parser.add_argument(option, type=type(default), default=default, help=text)
    args = parser.parse_args()
    if getattr(args, "quick", False):
        vars(args).update(quick or {})
    return args


def emit(benchmark: str, measure: str, **figures) -> None:
    """Print one measurement as a JSON line: which benchmark, what was measured, the figures."""
    print(json.dumps({"benchmark": benchmark, "measure": measure, **figures}), flush=True)


def cpu_seconds() -> float:
    """User and system CPU time of this process and of its child processes that have ended."""
    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def median(values: list[float]) -> float:
    """The median, for readability at the call sites."""
    return statistics.median(values)


@dataclass
class ChildUsage:
    """What one child process cost (wall time to within 0.1 s, its tree's CPU time, peak memory); what it printed."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    tree_peak_rss_mb: float
    stdout: str


def run_child(command: list[str]) -> ChildUsage:
    """Run a command to completion; measure its wall time and the peak memory of its process tree.

    A non-zero exit status raises ``RuntimeError`` with the end of the child's stderr.
    """
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors, subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors) as proc:
        tree_peak = 0
        chunks = []
        os.set_blocking(proc.stdout.fileno(), False)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            chunks.append(proc.stdout.read() or b"")
            if pid:
                break
            tree_peak = max(tree_peak, _tree_rss(proc.pid))
            time.sleep(SAMPLE_SECONDS)
        proc.returncode = os.waitstatus_to_exitcode(status)
        os.set_blocking(proc.stdout.fileno(), True)
        chunks.append(proc.stdout.read())
        if proc.returncode:
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(command)} exited with {proc.returncode}:\n{tail}")
    wall = time.perf_counter() - start
    return ChildUsage(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss / 1024,
        tree_peak_rss_mb=tree_peak / 2**20,
        stdout=b"".join(chunks).decode(),
    )


def python_child(script: Path, *args: str) -> list[str]:
    """The command that runs a script with this interpreter."""
    return [sys.executable, str(script), *args]


def _tree_rss(pid: int) -> int:
    """Summed resident set (bytes) of a process and its descendants, 0 if it is gone."""
    try:
        parent = psutil.Process(pid)
        procs = [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total
