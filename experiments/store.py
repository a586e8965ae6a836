"""The experiment folder: results streamed to disk in batches as runs end, safe to kill and resume.

Layout of ``DIR``::

    manifest.json              what was run, from which inputs, with what, when, and counts
    scenarios.parquet          one row per scenario: its resolved parameters as flat columns
    runs.parquet               one row per run, sorted by run_id (consolidated at the end)
    runs/part-NNNNNN.parquet   the same rows as they were streamed, a batch at a time
    series/part-NNNNNN.parquet the daily series of batch NNNNNN's runs (run_id, scenario, date, ...)
    events/part-NNNNNN.parquet the events of batch NNNNNN's runs (run_id, scenario, date, kind, ...)
    .lock                      held (flock) by the run writing the folder

``series/`` and ``events/`` are each one Parquet dataset: ``SELECT ... FROM
'DIR/series/*.parquet'`` in DuckDB or ``pandas.read_parquet('DIR/series')`` read every run,
told apart by ``run_id``; one row group holds one run, so reading a run reads only its rows.
Columns, types and units are in :mod:`viachilena.experiments.columns`.

Every file is written to a temporary name and moved into place with :func:`os.replace`,
so a reader or a killed writer never sees half a file. A batch's series and events parts are
written before its runs part of the same number, so a row on disk means the run is complete;
a series or events part without its runs part (a writer killed between them) is deleted when
the folder is next opened for writing. Batches are flushed every few seconds or rows, so memory
does not grow with the sweep and a killed sweep loses at most the last few seconds. At the end
the parts are compacted into one part of each kind (numbered above every other, its runs part
marked as superseding the lower numbers, written last), so a finished sweep of any length
leaves a handful of files. On resume, the latest row of each run wins and finished runs are
skipped; failed runs are run again. A temporary file a killed writer left behind is never read,
and is deleted when the folder is next opened for writing.
"""

from __future__ import annotations

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

from viachilena.experiments.columns import events_table, scenarios_table, series_table
from viachilena.experiments.worker import OK, Outcome
from viachilena.model.errors import ViaChilenaError

MANIFEST = "manifest.json"
RUNS = "runs.parquet"
SCENARIOS = "scenarios.parquet"
PARTS, SERIES, EVENTS = "runs", "series", "events"
FRAMES = (SERIES, EVENTS)
LOCK = ".lock"
TEMPORARY_SUFFIX = ".tmp"
FLUSH_ROWS = 256
FLUSH_FRAME_ROWS = 200_000  # about 200 runs' daily series: bounds the memory a batch holds
FLUSH_SECONDS = 2.0
SUPERSEDES = b"viachilena.supersedes_lower_parts"


class FolderError(ViaChilenaError):
    """An output folder that cannot be used: busy, foreign, or holding another experiment."""


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


def latest_rows(directory: Path, schema: pa.Schema | None = None, columns: list[str] | None = None) -> pa.Table:
    """Return every run's latest row in the runs parts of `directory` (later parts win), by run_id.

    `schema` is the run table's (read from the first part if not given); with none and no
    parts, a FolderError says the folder holds no runs.
    """
    parts = sorted((directory / PARTS).glob("part-*.parquet"), key=_part_number)
    if schema is None:
        if not parts:
            raise FolderError(f"{directory} holds no stored runs")
        schema = pq.read_schema(parts[0])
    names = columns or schema.names
    if not parts:
        return schema.empty_table().select(names)
    table = pa.concat_tables(pq.read_table(p, columns=names, schema=schema) for p in parts)
    latest = {run_id: i for i, run_id in enumerate(table.column("run_id").to_pylist())}
    order = sorted(latest.items())
    return table.take([i for _, i in order])


def read_runs(directory: Path) -> pa.Table:
    """Return the run table of `directory`: ``runs.parquet`` once written, else the latest rows of its parts."""
    path = directory / RUNS
    return pq.read_table(path) if path.is_file() else latest_rows(directory)


def write_scenarios(directory: Path, scenario_params: dict[str, dict]) -> None:
    """Write ``scenarios.parquet``: each scenario's resolved parameters as flat columns."""
    table = scenarios_table(scenario_params)
    write_atomically(directory / SCENARIOS, lambda p: pq.write_table(table, p))


class RunStore:
    """Appends run outcomes to an experiment folder in batches and compacts them at the end.

    Open it only while holding the folder's lock: it deletes temporary files and unfinished
    batches left by a writer that was killed.
    """

    def __init__(self, directory: Path, schema: pa.Schema):
        self.dir = directory
        self.schema = schema
        remove_temporary_files(directory)
        for sub in (PARTS, *FRAMES):
            (directory / sub).mkdir(parents=True, exist_ok=True)
        self._repair()
        self.next_part = 1 + max(self._numbers(PARTS), default=0)
        self.rows: list[dict] = []
        self.frames: dict[str, list[pa.Table]] = {kind: [] for kind in FRAMES}
        self.frame_rows = 0
        self.last_flush = time.monotonic()

    def finished(self) -> set[str]:
        """Return the run_ids whose latest stored row says they finished."""
        latest = self.latest_rows(columns=["run_id", "status"])
        return set(latest.loc[latest["status"] == OK, "run_id"])

    def record(self, outcome: Outcome) -> None:
        """Buffer one run's frames and row; flush the batch when it is big or old enough."""
        run_id, scenario = outcome.run_id, outcome.row["scenario"]
        if outcome.series is not None:
            self.frames[SERIES].append(series_table(run_id, scenario, outcome.series))
            self.frame_rows += len(outcome.series)
        if outcome.events is not None:
            self.frames[EVENTS].append(events_table(run_id, scenario, outcome.events))
        self.rows.append(outcome.row)
        full = len(self.rows) >= FLUSH_ROWS or self.frame_rows >= FLUSH_FRAME_ROWS
        if full or time.monotonic() - self.last_flush >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write the buffered batch: its series and events parts, then its runs part."""
        if self.rows:
            number = self.next_part
            for kind in FRAMES:
                _write_run_groups(self._path(kind, number), self.frames[kind])
            rows = pa.Table.from_pylist(self.rows, schema=self.schema)
            write_atomically(self._path(PARTS, number), lambda p: pq.write_table(rows, p))
            self.next_part += 1
            self.rows, self.frames, self.frame_rows = [], {kind: [] for kind in FRAMES}, 0
        self.last_flush = time.monotonic()

    def latest_rows(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Return every run's latest stored row (later part files win), sorted by run_id."""
        return latest_rows(self.dir, self.schema, columns).to_pandas()

    def consolidate(self) -> pd.DataFrame:
        """Compact the parts into one of each kind, write ``runs.parquet``; return the runs."""
        self.flush()
        latest = self.latest_rows()
        table = pa.Table.from_pandas(latest, schema=self.schema, preserve_index=False)
        old = sorted(self._numbers(PARTS))
        if len(old) > 1:
            number = self.next_part
            for kind in FRAMES:
                _write_run_groups(self._path(kind, number), self._groups(kind, old))
            marked = table.replace_schema_metadata({**(table.schema.metadata or {}), SUPERSEDES: b"1"})
            write_atomically(self._path(PARTS, number), lambda p: pq.write_table(marked, p))
            self.next_part += 1
            self._repair()
        write_atomically(self.dir / RUNS, lambda p: pq.write_table(table, p))
        return latest

    def _groups(self, kind: str, numbers: list[int]) -> Iterable[pa.Table]:
        """Yield every run's rows of `kind` stored in the parts `numbers`, one run at a time."""
        for number in numbers:
            path = self._path(kind, number)
            if path.is_file():
                stored = pq.ParquetFile(path)
                yield from (stored.read_row_group(i) for i in range(stored.num_row_groups))

    def _repair(self) -> None:
        """Delete what a killed writer left unfinished or superseded.

        A series or events part without the runs part of its number was never committed;
        every part below the latest compacted runs part has been copied into it.
        """
        numbers = self._numbers(PARTS)
        compacted = [n for n in numbers if SUPERSEDES in (pq.read_schema(self._path(PARTS, n)).metadata or {})]
        floor = max(compacted, default=0)
        for kind in (*FRAMES, PARTS):
            for number in self._numbers(kind):
                if number < floor or (kind != PARTS and number not in numbers):
                    self._path(kind, number).unlink()

    def _path(self, kind: str, number: int) -> Path:
        """Return the path of part `number` of `kind` (runs, series or events)."""
        return self.dir / kind / f"part-{number:06d}.parquet"

    def _numbers(self, kind: str) -> set[int]:
        """Return the numbers of the parts of `kind` on disk."""
        return {_part_number(p) for p in (self.dir / kind).glob("part-*.parquet")}


def _write_run_groups(path: Path, tables: Iterable[pa.Table]) -> None:
    """Write `tables` (one run each) to `path`, one row group per run; nothing if there are none."""
    tables = iter(tables)
    first = next(tables, None)
    if first is None:
        return

    def write(temporary: Path) -> None:
        with pq.ParquetWriter(temporary, first.schema) as writer:
            writer.write_table(first, row_group_size=max(len(first), 1))
            for table in tables:
                writer.write_table(table.cast(first.schema), row_group_size=max(len(table), 1))

    write_atomically(path, write)


def _part_number(path: Path) -> int:
    """Return the sequence number in ``part-NNNNNN.parquet``."""
    return int(path.stem.removeprefix("part-"))
