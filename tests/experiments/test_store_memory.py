"""The parent's memory does not grow with the length of a sweep: compacting its batches streams.

Each measurement runs ``store_memory.py`` in a fresh process: a peak resident set belongs to a
whole process, and one measurement's allocations must not serve the other's. The files are made
small (a few runs each), so that both sweeps compact into several files in a few seconds; a
store that wrote every run into one file, as it did before (its footer held in memory until
closed, about 2 KB a column chunk), took about six times the memory for four times the runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = 100  # daily series a run: many column chunks a run, so a footer's cost shows in few runs
CHUNKS = 2_048  # column chunks a file holds (the store's FILE_COLUMN_CHUNKS for this test): about 20 runs
RUNS = 80
BOUND = 1.5  # the compaction's memory for 4 x RUNS runs over that for RUNS runs, at most


def compaction(folder: Path, runs: int) -> dict:
    """Store and compact `runs` runs in a fresh process; its peak's growth while compacting, and the files."""
    command = [sys.executable, str(HERE / "store_memory.py"), str(folder), str(runs), str(COLUMNS), str(CHUNKS)]
    return json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def test_compacting_four_times_the_runs_takes_no_more_memory(tmp_path):
    short, long = compaction(tmp_path / "short", RUNS), compaction(tmp_path / "long", 4 * RUNS)
    assert 1 < short["series_files"] < long["series_files"]  # both compactions split, the longer more
    assert long["growth_mib"] <= BOUND * short["growth_mib"], (short, long)
