"""The experiment folder: results streamed to disk as runs end, safe to kill and resume.

Layout of ``DIR``::

    manifest.json          what was run, from which inputs, with what, when, and counts
    runs.parquet           one row per run, sorted by run_id (consolidated at the end)
    runs/part-NNNNNN.parquet   the same rows as they were streamed, a few at a time
    series/<run_id>.parquet    each finished run's daily series (index "date")
    events/<run_id>.parquet    each finished run's events
    .lock                  held (flock) by the run writing the folder

Every file is written to a temporary name and moved into place with :func:`os.replace`,
so a reader or a killed writer never sees half a file. A run's series and events are
written before its row, so a row on disk means the run is complete; rows are flushed to a
new part file every few seconds or rows, so memory does not grow with the sweep and a
killed sweep loses at most the last few seconds. On resume, the latest row of each run
wins and finished runs are skipped; failed runs are run again. A temporary file a killed
writer left behind is never read, and is deleted when the folder is next opened for writing.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from viachilena.experiments.spec import SweepTable
from viachilena.experiments.worker import FAILED, OK, PARAM_PREFIX, Outcome
from viachilena.model.errors import ViaChilenaError

MANIFEST = "manifest.json"
RUNS = "runs.parquet"
PARTS, SERIES, EVENTS = "runs", "series", "events"
LOCK = ".lock"
TEMPORARY_SUFFIX = ".tmp"
FLUSH_ROWS = 256
FLUSH_SECONDS = 2.0
BOOKKEEPING = (
    ("run_id", pa.string()),
    ("scenario", pa.string()),
    ("point", pa.int64()),
    ("replication", pa.int64()),
    ("seed", pa.int64()),
)
OUTCOME = (("status", pa.string()), ("error", pa.string()), ("wall_time_s", pa.float64()))
CATEGORY_ARROW_TYPES = {bool: pa.bool_(), int: pa.int64(), float: pa.float64(), str: pa.string(), dt.date: pa.date32()}


class FolderError(ViaChilenaError):
    """An output folder that cannot be used: busy, foreign, or holding another experiment."""


def run_schema(sweep: SweepTable | None, metrics: Iterable[str]) -> pa.Schema:
    """Return the columns of ``runs.parquet``: bookkeeping, swept parameters, outcome, metrics."""
    swept = []
    for key, parameter in sweep.parameters.items() if sweep else ():
        if parameter.categorical:
            kind = CATEGORY_ARROW_TYPES[type(parameter.values[0])]
        else:
            kind = pa.int64() if parameter.type == "int" else pa.float64()
        swept.append((PARAM_PREFIX + key, kind))
    return pa.schema([*BOOKKEEPING, *swept, *OUTCOME, *((m, pa.float64()) for m in metrics)])


def write_atomically(path: Path, write: Callable[[Path], Any]) -> None:
    """Call ``write(temporary_path)``, then move the temporary file to `path`."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}{TEMPORARY_SUFFIX}")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def is_temporary(path: Path) -> bool:
    """Whether `path` is a temporary file :func:`write_atomically` writes before moving it into place."""
    return path.name.startswith(".") and path.name.endswith(TEMPORARY_SUFFIX)


def remove_temporary_files(directory: Path) -> list[Path]:
    """Delete the temporary files a killed writer left in `directory` and its subfolders; return them."""
    left = [p for p in directory.rglob(f".*{TEMPORARY_SUFFIX}") if p.is_file() and is_temporary(p)]
    for path in left:
        path.unlink(missing_ok=True)
    return left


def write_json(path: Path, data: dict) -> None:
    """Write `data` as indented JSON, atomically."""
    text = json.dumps(data, indent=2, sort_keys=False, default=str) + "\n"
    write_atomically(path, lambda p: p.write_text(text, encoding="utf-8"))


def read_manifest(directory: Path) -> dict | None:
    """Return the folder's manifest, or None if it has none."""
    path = directory / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def check_folder(directory: Path, spec_hash: str, fresh: bool) -> None:
    """Refuse a folder that holds something other than this experiment (unless `fresh`).

    A folder that does not exist, is empty, or holds this same experiment is fine. One
    with a different experiment is refused unless `fresh`; one that is not an experiment
    folder at all (no manifest) is always refused, so ``--fresh`` never deletes anything
    this tool did not write.
    """
    if not directory.exists():
        return
    if not directory.is_dir():
        raise FolderError(f"{directory} exists and is not a folder")
    manifest = read_manifest(directory)
    if manifest is None:
        if any(p.name != LOCK and not is_temporary(p) for p in directory.iterdir()):
            raise FolderError(
                f"{directory} is not empty and holds no experiment ({MANIFEST} missing); choose another --out folder"
            )
        return
    if manifest.get("spec_hash") != spec_hash and not fresh:
        raise FolderError(
            f"{directory} holds results of a different experiment "
            f"({manifest.get('experiment', {}).get('name', '?')}, spec hash "
            f"{str(manifest.get('spec_hash'))[:12]} vs {spec_hash[:12]}); "
            "use --fresh to discard them, or choose another --out folder"
        )


def clear_folder(directory: Path) -> None:
    """Delete everything in `directory` except the lock (held by the caller), the manifest last.

    A clearing killed part-way leaves the manifest, so the folder is still recognised as an
    experiment folder and ``--fresh`` can clear it again.
    """
    for entry in sorted(directory.iterdir(), key=lambda p: p.name == MANIFEST):
        if entry.name == LOCK:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


class FolderLock:
    """An exclusive ``flock`` on ``DIR/.lock``, released on exit or when the process dies.

    Entering creates the folder if needed and refuses, with a clear message, a folder that
    another run is writing.
    """

    def __init__(self, directory: Path):
        self.path = directory / LOCK
        self.handle: int | None = None

    def __enter__(self) -> FolderLock:
        """Take the lock, or raise FolderError naming the process that holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 64, 0).decode(errors="replace").strip() or "?"
            os.close(handle)
            raise FolderError(
                f"{self.path.parent} is being written by another viachilena run (pid {holder}); wait for it to finish"
            ) from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
        self.handle = handle
        return self

    def __exit__(self, *exc_info) -> None:
        """Release the lock."""
        if self.handle is not None:
            os.close(self.handle)  # closing the descriptor releases the flock
            self.handle = None


class RunStore:
    """Appends run outcomes to an experiment folder and consolidates them at the end.

    Open it only while holding the folder's lock: it deletes temporary files left by a
    writer that was killed.
    """

    def __init__(self, directory: Path, schema: pa.Schema):
        self.dir = directory
        remove_temporary_files(directory)
        self.schema = schema
        self.rows: list[dict] = []
        self.last_flush = time.monotonic()
        for sub in (PARTS, SERIES, EVENTS):
            (directory / sub).mkdir(parents=True, exist_ok=True)
        self.next_part = 1 + max((_part_number(p) for p in self._parts()), default=0)

    def finished(self) -> set[str]:
        """Return the run_ids whose latest stored row says they finished."""
        latest = self.latest_rows(columns=["run_id", "status"])
        return set(latest.loc[latest["status"] == OK, "run_id"])

    def record(self, outcome: Outcome) -> None:
        """Store one run: its frames now, its row with the next flush."""
        if outcome.series is not None:
            path = self.dir / SERIES / f"{outcome.run_id}.parquet"
            write_atomically(path, outcome.series.to_parquet)
        if outcome.events is not None:
            path = self.dir / EVENTS / f"{outcome.run_id}.parquet"
            write_atomically(path, lambda p: outcome.events.to_parquet(p, index=False))
        self.rows.append(outcome.row)
        if len(self.rows) >= FLUSH_ROWS or time.monotonic() - self.last_flush >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows as a new part file."""
        if self.rows:
            table = pa.Table.from_pylist(self.rows, schema=self.schema)
            self._write_part(table)
            self.rows = []
        self.last_flush = time.monotonic()

    def latest_rows(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Return every run's latest stored row (later part files win), sorted by run_id."""
        parts = sorted(self._parts(), key=_part_number)
        if not parts:
            return self.schema.empty_table().to_pandas()[columns or self.schema.names]
        frames = [pq.read_table(p, columns=columns, schema=self.schema).to_pandas() for p in parts]
        rows = pd.concat(frames, ignore_index=True)
        rows = rows.drop_duplicates("run_id", keep="last")
        return rows.sort_values("run_id", kind="stable").reset_index(drop=True)

    def consolidate(self) -> pd.DataFrame:
        """Write ``runs.parquet`` from the parts, compacting the parts into one; return it."""
        self.flush()
        latest = self.latest_rows()
        table = pa.Table.from_pandas(latest, schema=self.schema, preserve_index=False)
        old = list(self._parts())
        self._write_part(table)
        for part in old:
            part.unlink()
        write_atomically(self.dir / RUNS, lambda p: pq.write_table(table, p))
        return latest

    def _write_part(self, table: pa.Table) -> None:
        """Write `table` as the next part file."""
        path = self.dir / PARTS / f"part-{self.next_part:06d}.parquet"
        write_atomically(path, lambda p: pq.write_table(table, p))
        self.next_part += 1

    def _parts(self) -> Iterable[Path]:
        """Return the part files on disk."""
        return (self.dir / PARTS).glob("part-*.parquet")


class Results:
    """A finished (or partly finished) experiment folder, read back from disk."""

    def __init__(self, directory: Path | str):
        self.dir = Path(directory)
        self.manifest: dict = read_manifest(self.dir) or {}
        self.runs: pd.DataFrame = pd.read_parquet(self.dir / RUNS)

    @property
    def failed(self) -> pd.DataFrame:
        """Return the rows of the runs that failed (with their tracebacks in ``error``)."""
        return self.runs[self.runs["status"] == FAILED]

    def series(self, run_id: str) -> pd.DataFrame:
        """Return one run's stored daily series."""
        return pd.read_parquet(self.dir / SERIES / f"{run_id}.parquet")

    def events(self, run_id: str) -> pd.DataFrame:
        """Return one run's events."""
        return pd.read_parquet(self.dir / EVENTS / f"{run_id}.parquet")


def _part_number(path: Path) -> int:
    """Return the sequence number in ``part-NNNNNN.parquet``."""
    return int(path.stem.removeprefix("part-"))
