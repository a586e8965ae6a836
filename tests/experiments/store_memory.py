"""How much memory storing a sweep costs the parent process: a script the memory test runs in a fresh process.

``python store_memory.py FOLDER RUNS COLUMNS CHUNKS`` streams RUNS synthetic runs (each COLUMNS
daily series over a few days, as the Arrow tables workers hand the parent) through a
:class:`RunStore` in FOLDER as ``viachilena run`` does, recorded as they arrive and flushed in
batches, with files of at most CHUNKS column chunks (the store's ``FILE_COLUMN_CHUNKS``; 0
keeps the store's). Then it compacts them, as the end of a sweep does, and prints as JSON the
growth of the process's peak resident set during the compaction (Linux's ``VmHWM``, reset
through ``/proc/self/clear_refs`` just before) over its resident set before it, in MiB, and
the number of series files the compaction left. Parquet
writers hold their footers in C++ memory, which neither tracemalloc nor Arrow's memory pool
sees: the process's resident set does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa

from viachilena.experiments import store as stores
from viachilena.experiments.columns import run_schema
from viachilena.experiments.store import SERIES, RunStore
from viachilena.experiments.worker import OK, Outcome

DAYS = 8
BATCH = 64  # runs a batch holds, as if they ended a few seconds apart
SCENARIO = "historical"


def series(run_id: str, columns: int) -> pa.Table:
    """A run's daily series as the store keeps them: run_id, scenario, date, then `columns` numbers."""
    dates = np.arange(np.datetime64("1970-11-04"), np.datetime64("1970-11-04") + DAYS)
    keys = {"run_id": [run_id] * DAYS, "scenario": [SCENARIO] * DAYS, "date": pa.array(dates, pa.date32())}
    values = {f"series_{i}": np.full(DAYS, float(i)) for i in range(columns)}
    return pa.table({**keys, **values})


def outcome(number: int, columns: int) -> Outcome:
    """A finished run's outcome: its row and its series (no events)."""
    run_id = f"run{number:06d}"
    row = {"run_id": run_id, "scenario": SCENARIO, "point": 0, "replication": number, "seed": number}
    return Outcome({**row, "status": OK, "error": "", "wall_time_s": 0.0}, series(run_id, columns), None)


def resident_mib(field: str) -> float:
    """This process's ``VmRSS`` or ``VmHWM`` (peak) from ``/proc/self/status``, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def main(folder: Path, runs: int, columns: int, chunks: int) -> None:
    """Store `runs` runs of `columns` series in `folder` and compact them; print the peak's growth and the files."""
    stores.FILE_COLUMN_CHUNKS = chunks or stores.FILE_COLUMN_CHUNKS
    store = RunStore(folder, run_schema(None, ()))
    for number in range(runs):
        store.record_all([outcome(number, columns)])
        if number % BATCH == BATCH - 1:
            store.flush()
    store.flush()
    Path("/proc/self/clear_refs").write_text("5")  # the peak resident set starts again from here
    before = resident_mib("VmRSS")
    store.consolidate()
    files = len(list((folder / SERIES).glob("*.parquet")))
    print(json.dumps({"growth_mib": resident_mib("VmHWM") - before, "series_files": files}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), *map(int, sys.argv[2:5]))
