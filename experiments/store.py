"""The experiment folder: results streamed to disk in batches as runs end, safe to kill and resume.

Layout of ``DIR``::

    manifest.json              what was run, from which inputs, with what, when, and counts
    scenarios.parquet          one row per scenario: its resolved parameters as flat columns
    runs.parquet               one row per run, sorted by run_id (compacted at the end)
    runs/part-NNNNNN.parquet   while a sweep runs: the rows of batch NNNNNN, as they were streamed
    series/part-NNNNNN.parquet the daily series of batch NNNNNN's runs (run_id, scenario, date, ...);
                               a batch too large for one file goes on in part-NNNNNN-001.parquet, ...
    events/part-NNNNNN.parquet the events of batch NNNNNN's runs (run_id, scenario, date, kind, ...), so too
    files.jsonl                the record of every file stored here: path, size, sha256, runs it holds
    .lock                      held (filelock) by the run writing the folder; gone when it ends

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
the batches are compacted into one: its series and events parts first (numbered above every
other), then ``runs.parquet``, which holds every run's latest row and names in its schema's
metadata the batch it commits (the runs part of the compacted batch, and the commit marker);
every part below that number, and every runs part, is then deleted. A kill at any point of
the compaction leaves either the old batches (the new frames, uncommitted, are deleted on
reopening) or the new one (the old parts are deleted on reopening). A finished sweep so
leaves a handful of files: ``runs.parquet``, the manifest, the scenarios, the record and the
compacted batch's series and events, in files of at most :data:`FILE_COLUMN_CHUNKS` column
chunks (row groups x columns: about 250 runs of every daily series, 2,700 runs' events): a
Parquet writer holds the footer of the file it writes, about 2 KB a column chunk, until it
closes it, so a single file for every run made the compaction's memory grow with the sweep.
On resume, the latest row of each run wins (the parts numbered above the batch
``runs.parquet`` commits are newer than it) and finished runs are skipped; failed runs are
run again. A temporary file a killed writer left behind is never read, and is deleted when
the folder is next opened for writing.

Every stored file is recorded in ``files.jsonl`` (its size and sha256, and the runs it holds)
before it is moved into place. The record is the folder's proof of ownership and its check:
on resume a batch with a file that is missing or differs from its record is dropped whole and
its runs are run again; ``report`` and ``rerun`` refuse a damaged folder naming the file;
``--fresh`` deletes only recorded files, and a folder with no record is never written. Only
recorded parts are read back. The lock is deleted when the run ends.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from viachilena.experiments.columns import events_table, scenarios_table, series_table
from viachilena.experiments.worker import OK, Outcome
from viachilena.model.errors import ViaChilenaError

MANIFEST = "manifest.json"
RUNS = "runs.parquet"
SCENARIOS = "scenarios.parquet"
PARTS, SERIES, EVENTS = "runs", "series", "events"
FRAMES = (SERIES, EVENTS)
LOCK = ".lock"
LEDGER = "files.jsonl"
TOOL = "viachilena"
ROWS, FRAME_ROLE, RECORD = "rows", "frames", "record"  # what a recorded file holds
DERIVED = "derived"  # rebuilt from the others (the report, Sobol indices): deleted by --fresh, never checked
TEMPORARY_SUFFIX = ".tmp"
FLUSH_ROWS = 256
FLUSH_FRAME_ROWS = 200_000  # about 200 runs' daily series: bounds the memory a batch holds
FLUSH_SECONDS = 2.0
FILE_COLUMN_CHUNKS = 16_384  # row groups x columns of a series or events file: its footer (~30 MB) bounds the writer
BATCH = b"viachilena.batch"  # in runs.parquet's schema metadata: the batch of frames it commits


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
    write_atomically(path, lambda p: p.write_text(_json_text(data), encoding="utf-8"))


def write_manifest(directory: Path, data: dict) -> None:
    """Write the folder's manifest, atomically and recorded."""
    write_recorded(directory, directory / MANIFEST, lambda p: p.write_text(_json_text(data), encoding="utf-8"), RECORD)


def read_manifest(directory: Path) -> dict | None:
    """Return the folder's manifest, or None if it has none; FolderError if it is not a JSON object."""
    path = directory / MANIFEST
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict):
        raise FolderError(f"{path} is damaged (not a JSON object); {_repair_hint(directory)}")
    return manifest


def check_folder(directory: Path, spec_hash: str, fresh: bool) -> None:
    """Refuse a folder this tool did not create, or one holding another experiment (unless `fresh`).

    A folder that does not exist, is empty, or holds this same experiment is fine. One
    with a different experiment is refused unless `fresh`. One this tool did not create
    (neither a record of its files nor a manifest of its own) is always refused, so
    ``--fresh`` never deletes anything this tool did not write.
    """
    if not directory.exists():
        return
    if not directory.is_dir():
        raise FolderError(f"{directory} exists and is not a folder")
    owner = folder_owner(directory)
    if owner is None:
        if any(p.name != LOCK and not is_temporary(p) for p in directory.iterdir()):
            raise FolderError(
                f"{directory} is not empty and holds no experiment this tool created "
                f"(no {LEDGER} record of its files); choose another --out folder"
            )
        return
    if owner != spec_hash and not fresh:
        manifest = own_manifest(directory) or {}
        raise FolderError(
            f"{directory} holds results of a different experiment "
            f"({manifest.get('experiment', {}).get('name', '?')}, spec hash "
            f"{str(owner)[:12]} vs {spec_hash[:12]}); "
            "use --fresh to discard them, or choose another --out folder"
        )


def folder_owner(directory: Path) -> str | None:
    """Return the spec hash of the experiment a folder of this tool holds, or None if it is not one.

    The record of files says so; if it is lost, a manifest of this tool's format does.
    """
    header, _ = read_ledger(directory)
    if header is not None:
        return str(header.get("spec_hash"))
    manifest = own_manifest(directory)
    return None if manifest is None else str(manifest["spec_hash"])


def open_ledger(directory: Path, spec_hash: str) -> None:
    """Start the record of files of a folder that has none (or an unreadable one), for experiment `spec_hash`."""
    header, _ = read_ledger(directory)
    if header is None:
        header = {"tool": TOOL, "format": 1, "spec_hash": spec_hash}
        write_atomically(directory / LEDGER, lambda p: p.write_text(json.dumps(header) + "\n", encoding="utf-8"))


def clear_folder(directory: Path) -> None:
    """Delete every file this tool recorded in `directory`, the manifest and the record last.

    Files it did not record (the user's own) stay. A clearing killed part-way leaves the
    record, so the folder is still recognised and ``--fresh`` can clear it again.
    """
    remove_temporary_files(directory)
    _, entries = read_ledger(directory)
    for name in sorted(entries, key=lambda n: n == MANIFEST):
        (directory / name).unlink(missing_ok=True)
    folders = {(directory / name).parent for name in entries} | {directory / s for s in (PARTS, SERIES, EVENTS)}
    for folder in sorted(folders - {directory}, key=lambda f: len(f.parts), reverse=True):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if empty: the user's files stay
    (directory / LEDGER).unlink(missing_ok=True)


class FolderLock:
    """An exclusive lock on ``DIR/.lock`` (:mod:`filelock`), released on exit or when the process dies.

    Entering creates the folder if needed and refuses, naming the holder's pid, a folder that
    another run is writing. Leaving deletes the lock file while it is still held, so a
    finished folder holds no lock and no waiting process can take a lock on a deleted file.
    """

    def __init__(self, directory: Path):
        self.path = directory / LOCK
        try:
            self.lock = FileLock(self.path, timeout=0, on_acquired=_write_pid)
        except ValueError:  # a soft lock (no native locking here): it writes the holder's pid itself
            self.lock = FileLock(self.path, timeout=0)

    def __enter__(self) -> FolderLock:
        """Take the lock, or raise FolderError naming the process that holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.lock.acquire()
        except Timeout:
            try:
                holder = (self.path.read_text(errors="replace").split() or ["?"])[0]
            except OSError:
                holder = "?"
            raise FolderError(
                f"{self.path.parent} is being written by another viachilena run (pid {holder}); wait for it to finish"
            ) from None
        return self

    def __exit__(self, *exc_info) -> None:
        """Delete the lock file, then release the lock."""
        self.path.unlink(missing_ok=True)
        self.lock.release()


def _write_pid(descriptor: int) -> None:
    """Write this process's id into the lock file just locked (the message of a refused second writer)."""
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)


def latest_rows(directory: Path, schema: pa.Schema | None = None, columns: list[str] | None = None) -> pa.Table:
    """Return every run's latest row in `directory`, by run_id: ``runs.parquet``, then newer runs parts.

    The runs parts numbered above the batch ``runs.parquet`` commits are newer than it (a
    resumed sweep's), and later parts win. `schema` is the run table's (read from the
    stored rows if not given); with none and no rows, a FolderError says the folder holds
    no runs.
    """
    batch = committed_batch(directory)
    sources = [p for p in trusted_parts(directory, PARTS) if _part_number(p) > batch]
    if trusted(directory, RUNS):
        sources.insert(0, directory / RUNS)
    if schema is None:
        if not sources:
            raise FolderError(f"{directory} holds no stored runs")
        schema = pq.read_schema(sources[0]).remove_metadata()
    names = columns or schema.names
    if not sources:
        return schema.empty_table().select(names)
    table = pa.concat_tables(pq.read_table(p, columns=names, schema=schema) for p in sources)
    latest = {run_id: i for i, run_id in enumerate(table.column("run_id").to_pylist())}
    order = sorted(latest.items())
    return table.take([i for _, i in order])


def read_runs(directory: Path) -> pa.Table:
    """Return the run table of `directory`: ``runs.parquet`` and the rows of sweeps resumed since."""
    return latest_rows(directory)


def committed_batch(directory: Path) -> int:
    """Return the number of the batch ``runs.parquet`` commits; 0 if it commits none (or is not there)."""
    if not trusted(directory, RUNS):
        return 0
    try:
        metadata = pq.read_schema(directory / RUNS).metadata or {}
        return int(metadata.get(BATCH, b"0"))
    except (OSError, ValueError, pa.ArrowException):  # damaged: repair() forgets it
        return 0


def write_scenarios(directory: Path, scenario_params: dict[str, dict]) -> None:
    """Write ``scenarios.parquet``: each scenario's resolved parameters as flat columns."""
    table = scenarios_table(scenario_params)
    write_recorded(directory, directory / SCENARIOS, lambda p: pq.write_table(table, p), RECORD)


class RunStore:
    """Appends run outcomes to an experiment folder in batches and compacts them at the end.

    Open it only while holding the folder's lock: it deletes temporary files and unfinished
    batches left by a writer that was killed.
    """

    def __init__(self, directory: Path, schema: pa.Schema):
        self.dir = directory
        self.schema = schema
        for sub in (PARTS, *FRAMES):
            if (directory / sub).is_symlink():
                raise FolderError(f"{directory / sub} is a symbolic link; results are written only inside {directory}")
        directory.mkdir(parents=True, exist_ok=True)
        remove_temporary_files(directory)
        open_ledger(directory, "")  # no-op when the runner opened it with the experiment's fingerprint
        self.repaired = repair(directory)
        self._repair()
        numbers = [committed_batch(directory), *(n for kind in (PARTS, *FRAMES) for n in self._numbers(kind))]
        self.next_part = 1 + max(numbers)  # above the committed batch, whose runs part is runs.parquet
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
        self.record_all([outcome])

    def record_all(self, outcomes: Iterable[Outcome]) -> None:
        """Buffer the frames and rows of runs (a worker's chunk); flush the batch when it is big or old enough.

        Frames come as the model's DataFrames or, from a worker, already as the stored tables.
        """
        for outcome in outcomes:
            run_id, scenario = outcome.run_id, outcome.row["scenario"]
            frames = ((SERIES, outcome.series, series_table), (EVENTS, outcome.events, events_table))
            for kind, frame, to_table in frames:
                if frame is not None:
                    table = frame if isinstance(frame, pa.Table) else to_table(run_id, scenario, frame)
                    self.frames[kind].append(table)
                    self.frame_rows += len(table) if kind == SERIES else 0
            self.rows.append(outcome.row)
        full = len(self.rows) >= FLUSH_ROWS or self.frame_rows >= FLUSH_FRAME_ROWS
        if full or time.monotonic() - self.last_flush >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write the buffered batch: its series and events parts, then its runs part."""
        if self.rows:
            number = self.next_part
            for kind in FRAMES:
                _write_run_groups(self.dir, self._pieces(kind, number), self.frames[kind])
            rows = pa.Table.from_pylist(self.rows, schema=self.schema)
            (self.dir / PARTS).mkdir(exist_ok=True)
            write_recorded(self.dir, self._path(PARTS, number), lambda p: pq.write_table(rows, p), ROWS)
            self.next_part += 1
            self.rows, self.frames, self.frame_rows = [], {kind: [] for kind in FRAMES}, 0
        self.last_flush = time.monotonic()

    def latest_rows(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Return every run's latest stored row (later part files win), sorted by run_id."""
        return latest_rows(self.dir, self.schema, columns).to_pandas()

    def consolidate(self) -> pd.DataFrame:
        """Compact the batches into one, committed by ``runs.parquet``, delete the rest; return the runs.

        The compacted frames are written first, then ``runs.parquet`` naming their batch
        (the commit), then the parts it supersedes are deleted: a kill at any step leaves a
        folder that :meth:`_repair` completes or rolls back. A single batch is committed
        as it is, without copying its frames.
        """
        self.flush()
        latest = self.latest_rows()
        committed = committed_batch(self.dir)
        newer = sorted(self._numbers(PARTS))  # all above `committed`: _repair deleted the rest
        if newer or not trusted(self.dir, RUNS):
            if committed == 0 and len(newer) == 1:
                number = newer[0]
            else:
                number = self.next_part
                for kind in FRAMES:
                    _write_run_groups(self.dir, self._pieces(kind, number), self._groups(kind, [committed, *newer]))
                self.next_part += 1
            table = pa.Table.from_pandas(latest, schema=self.schema, preserve_index=False)
            marked = table.replace_schema_metadata({**(table.schema.metadata or {}), BATCH: str(number).encode()})
            write_recorded(self.dir, self.dir / RUNS, lambda p: pq.write_table(marked, p), ROWS)
            self._repair()
        return latest

    def _groups(self, kind: str, numbers: list[int]) -> Iterable[pa.Table]:
        """Yield every run's rows of `kind` stored in the parts `numbers`, one run at a time."""
        files = sorted(self._parts(kind).items(), key=lambda item: _part_key(item[0]))
        for number in (n for n in numbers if n > 0):
            for path in (path for path, part in files if part == number):
                stored = pq.ParquetFile(path)
                yield from (stored.read_row_group(i) for i in range(stored.num_row_groups))

    def _repair(self) -> None:
        """Delete what a killed writer left unfinished or superseded.

        A series or events part is committed by the runs part of its number, or by
        ``runs.parquet`` if it names that batch; one that is not was never committed. Every
        part below the batch ``runs.parquet`` commits, and that batch's runs part, has been
        copied into it. An empty ``runs/`` folder goes too.
        """
        floor = committed_batch(self.dir)
        committed = {_part_number(p) for p in trusted_parts(self.dir, PARTS)} | {floor}
        for kind in (*FRAMES, PARTS):
            for path, number in self._parts(kind).items():
                if number < floor or (kind == PARTS and number == floor) or number not in committed:
                    forget(self.dir, [path])
        with contextlib.suppress(OSError):
            (self.dir / PARTS).rmdir()  # only if empty

    def _path(self, kind: str, number: int, piece: int = 0) -> Path:
        """Return the path of part `number` of `kind` (runs, series or events): its first file, or file `piece`."""
        return self.dir / kind / (f"part-{number:06d}-{piece:03d}.parquet" if piece else f"part-{number:06d}.parquet")

    def _pieces(self, kind: str, number: int) -> Callable[[int], Path]:
        """Return the function that names the files of part `number` of `kind`, the first being 0."""
        return lambda piece: self._path(kind, number, piece)

    def _parts(self, kind: str) -> dict[Path, int]:
        """Return the files of the parts of `kind` on disk, each with its part's number."""
        keys = {path: _part_key(path) for path in (self.dir / kind).glob("part-*.parquet")}
        return {path: key[0] for path, key in keys.items() if key is not None}

    def _numbers(self, kind: str) -> set[int]:
        """Return the numbers of the parts of `kind` on disk."""
        return set(self._parts(kind).values())


def _write_run_groups(directory: Path, path: Callable[[int], Path], tables: Iterable[pa.Table]) -> None:
    """Write `tables` (one run each), one row group per run, to the files ``path(0)``, ``path(1)``, ...

    A file holds at most :data:`FILE_COLUMN_CHUNKS` column chunks (a run with more has a
    file of its own); each is recorded. Nothing is written if there are no tables. The
    tables are taken one at a time, so the compaction streams.
    """
    tables = iter(tables)
    first = next(tables, None)
    schema = None if first is None else first.schema
    for piece in itertools.count():
        if first is None:
            return
        first = _write_file(directory, path(piece), schema, first, tables)


def _write_file(
    directory: Path, path: Path, schema: pa.Schema, first: pa.Table, tables: Iterator[pa.Table]
) -> pa.Table | None:
    """Write `first` and the next `tables` to `path` while it has room, recorded; return the table left out, or None."""
    runs: list[str] = []
    left_out = None

    def write(temporary: Path) -> None:
        nonlocal left_out
        table, chunks = first, 0
        with pq.ParquetWriter(temporary, schema) as writer:
            while table is not None and (chunks == 0 or chunks + table.num_columns <= FILE_COLUMN_CHUNKS):
                writer.write_table(table.cast(schema), row_group_size=max(len(table), 1))
                runs.extend(dict.fromkeys(table.column("run_id").to_pylist()))
                chunks += table.num_columns
                table = next(tables, None)
        left_out = table

    path.parent.mkdir(exist_ok=True)
    write_recorded(directory, path, write, FRAME_ROLE, runs)
    return left_out


PART_NAME = re.compile(r"part-(\d+)(?:-(\d+))?\.parquet")  # part-NNNNNN.parquet, then part-NNNNNN-PPP.parquet


def _part_key(path: Path) -> tuple[int, int] | None:
    """Return (part number, file of the part) of ``part-NNNNNN[-PPP].parquet``; None for another name."""
    match = PART_NAME.fullmatch(path.name)
    return None if match is None else (int(match[1]), int(match[2] or 0))


def _part_number(path: Path) -> int:
    """Return the part number of ``part-NNNNNN.parquet`` (or of its file ``part-NNNNNN-PPP.parquet``)."""
    return _part_key(path)[0]


# The record of stored files (files.jsonl): one JSON line per file written or forgotten.


def write_recorded(
    directory: Path, path: Path, write: Callable[[Path], Any], role: str, runs: Iterable[str] = ()
) -> None:
    """Write a file like :func:`write_atomically`, recording its size and hash before it is moved into place.

    A file at a recorded path is therefore always recorded; a kill between the record and
    the move leaves a record of a file that is missing, which resume treats as damage.
    """

    def write_and_record(temporary: Path) -> None:
        write(temporary)
        entry = {"path": path.relative_to(directory).as_posix(), "role": role, "runs": list(runs)}
        _append_record(directory, {**entry, "bytes": temporary.stat().st_size, "sha256": sha256_file(temporary)})

    write_atomically(path, write_and_record)


def forget(directory: Path, paths: Iterable[Path]) -> None:
    """Delete recorded files, recording that they are gone."""
    for path in paths:
        _append_record(directory, {"path": path.relative_to(directory).as_posix(), "removed": True})
        path.unlink(missing_ok=True)


def read_ledger(directory: Path) -> tuple[dict | None, dict[str, dict]]:
    """Return the record's header and the latest entry of every recorded file still stored.

    No header (no record, or a damaged first line) means the folder is not provably this
    tool's; a damaged later line is skipped, so the file it recorded is not trusted.
    """
    try:
        lines = (directory / LEDGER).read_bytes().splitlines()
    except OSError:
        return None, {}
    header, entries = None, {}
    for number, line in enumerate(lines):
        try:
            item = json.loads(line)
        except ValueError:
            item = None
        if number == 0:
            if not (isinstance(item, dict) and item.get("tool") == TOOL and isinstance(item.get("spec_hash"), str)):
                return None, {}
            header = item
        elif isinstance(item, dict) and _inside(directory, item.get("path")):
            if item.get("removed"):
                entries.pop(item["path"], None)
            elif isinstance(item.get("bytes"), int) and isinstance(item.get("sha256"), str):
                entries[item["path"]] = item
    return header, entries


def file_problem(directory: Path, entry: dict) -> str | None:
    """Say how a recorded file differs from its record (missing, size, content), or None if it does not."""
    path = directory / entry["path"]
    if not path.is_file():
        return "is missing"
    size = path.stat().st_size
    if size != entry["bytes"]:
        return f"has {size} bytes, {entry['bytes']} when it was stored"
    if sha256_file(path) != entry["sha256"]:
        return "differs from what was stored (sha256)"
    return None


def damaged_files(directory: Path) -> dict[str, str]:
    """Return each recorded file that is missing or changed, with what is wrong with it."""
    _, entries = read_ledger(directory)
    checked = {name: entry for name, entry in entries.items() if entry.get("role") != DERIVED}
    return {name: problem for name, entry in checked.items() if (problem := file_problem(directory, entry))}


def record_files(directory: Path, paths: Iterable[Path], role: str = DERIVED) -> None:
    """Record files another module wrote into the folder (so that ``--fresh`` deletes them too)."""
    for path in paths:
        if path.is_file() and _inside(directory, path.relative_to(directory).as_posix()):
            entry = {"path": path.relative_to(directory).as_posix(), "role": role, "runs": []}
            _append_record(directory, {**entry, "bytes": path.stat().st_size, "sha256": sha256_file(path)})


def verify_folder(directory: Path) -> None:
    """Raise FolderError naming the first damaged file of a stored experiment, and how to repair it.

    A folder without a record of files (written by hand, or by an older version) has
    nothing to check against and passes. A folder verified before in this process whose
    record and recorded files kept their sizes and modification times is not hashed again.
    """
    if not directory.is_dir():
        raise FolderError(f"{directory} is not a folder")
    if not (directory / LEDGER).exists():
        return
    header, entries = read_ledger(directory)
    if header is None:
        raise FolderError(f"{directory / LEDGER} is damaged; {_repair_hint(directory)}")
    stamp = _stamp(directory, [LEDGER, *entries])
    if _VERIFIED.get(directory.resolve()) == stamp:
        return
    for name, problem in damaged_files(directory).items():
        raise FolderError(f"{directory / name} {problem}; {_repair_hint(directory)}")
    read_manifest(directory)
    _VERIFIED[directory.resolve()] = stamp


_VERIFIED: dict[Path, tuple] = {}  # folder: the sizes and times of its files when they last checked out


def _stamp(directory: Path, names: list[str]) -> tuple:
    """The size and modification time of each file `names` of `directory` (None for a missing one)."""
    stamps = []
    for name in names:
        try:
            stat = (directory / name).stat()
            stamps.append((name, stat.st_size, stat.st_mtime_ns))
        except OSError:
            stamps.append((name, None, None))
    return tuple(stamps)


def trusted(directory: Path, name: str) -> bool:
    """Whether the file `name` of `directory` may be read: it is there and recorded (or the folder keeps no record)."""
    if not (directory / name).is_file():
        return False
    return not (directory / LEDGER).exists() or name in read_ledger(directory)[1]


def trusted_parts(directory: Path, kind: str) -> list[Path]:
    """Return the parts of `kind` to read back, by number: the recorded ones (all, in a folder with no record)."""
    if not (directory / LEDGER).exists():
        return sorted((p for p in (directory / kind).glob("part-*.parquet") if _part_key(p)), key=_part_key)
    _, entries = read_ledger(directory)
    prefix = f"{kind}/part-"
    found = [directory / name for name in entries if name.startswith(prefix) and name.endswith(".parquet")]
    return sorted((p for p in found if p.is_file() and _part_key(p)), key=_part_key)


def repair(directory: Path) -> dict[str, str]:
    """Drop every batch that holds a damaged file; forget other damaged files; return what was damaged.

    A batch is the runs, series and events parts of one number (``runs.parquet`` is the runs
    part of the batch it commits): its rows vouch for its frames, so a batch with any file
    missing or changed is forgotten whole and its runs are run again (their older rows, if
    any, are then the latest). A damaged manifest or ``scenarios.parquet`` is forgotten;
    they are written again before the end.
    """
    damaged = damaged_files(directory)
    numbers = {_batch_number(name) for name in damaged} - {None}
    _, entries = read_ledger(directory)
    batches = [directory / name for name in entries if _batch_number(name) in numbers]
    if RUNS not in damaged and committed_batch(directory) in numbers:  # runs.parquet holds that batch's rows
        batches.append(directory / RUNS)
    forget(directory, [*batches, *(directory / name for name in damaged if directory / name not in batches)])
    return damaged


def _batch_number(name: str) -> int | None:
    """Return the batch of a recorded ``runs|series|events/part-NNNNNN[-PPP].parquet``, else None."""
    path = Path(name)
    key = _part_key(path)
    return key[0] if key is not None and path.parent.name in (PARTS, *FRAMES) else None


def sha256_file(path: Path) -> str:
    """Return the sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _inside(directory: Path, name: Any) -> bool:
    """Whether `name` is a relative path that stays inside `directory` (a record never points out)."""
    if not isinstance(name, str) or not name or "\\" in name:
        return False
    relative = Path(name)
    if relative.is_absolute() or ".." in relative.parts:
        return False
    return (directory / relative).resolve().is_relative_to(directory.resolve())


def _append_record(directory: Path, entry: dict) -> None:
    """Append one line to the folder's record of files."""
    with (directory / LEDGER).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")


def own_manifest(directory: Path) -> dict | None:
    """Return the folder's manifest if it is one this tool wrote (and whole), else None."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    keys = {"format": int, "spec_hash": str, "experiment": dict}
    if not isinstance(manifest, dict) or not all(isinstance(manifest.get(k), t) for k, t in keys.items()):
        return None
    return manifest


def _repair_hint(directory: Path) -> str:
    """Say how to repair a damaged experiment folder."""
    manifest = own_manifest(directory) or {}
    source = manifest.get("experiment", {}).get("file")
    command = f"viachilena run {source if isinstance(source, str) else 'EXPERIMENT.toml'} --out {directory}"
    return f"run `{command}` again: it keeps what is intact and re-runs the rest"


def _json_text(data: dict) -> str:
    """Return `data` as indented JSON text."""
    return json.dumps(data, indent=2, sort_keys=False, default=str) + "\n"
