"""An experiment folder read back from disk, for the user, the field's tools and the report.

:class:`Results` reads what the store wrote (manifest, runs, scenarios, each run's series
and events) and hands it on: ``to_ema()`` gives EMA Workbench's ``(experiments, outcomes)``
pair. :class:`ReportData` extends it with what the report asks: metric and parameter columns,
scenarios in order, the Sobol table, dates that scenarios move. :class:`History` reads the
published targets and dated events of the shipped ``history.toml``. Nothing is re-run.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from viachilena.experiments.columns import (
    BOOKKEEPING,
    OUTCOME,
    RUN_KEYS,
    events_frame,
    parameter_column,
    series_frame,
)
from viachilena.experiments.spec import flatten
from viachilena.experiments.store import (
    EVENTS,
    SCENARIOS,
    SERIES,
    read_manifest,
    read_runs,
    trusted_parts,
    verify_folder,
)
from viachilena.experiments.worker import FAILED, OK

NOT_METRICS = {name for name, _ in BOOKKEEPING + OUTCOME}
HISTORY_FILE = Path(str(resources.files("viachilena.params") / "history.toml"))
EMA_MODEL = "viachilena"


class Results:
    """A finished (or partly finished) experiment folder, read back from disk.

    ``runs`` is the run table (one row per run: run_id, scenario, point, replication,
    seed, swept parameters, status, metrics); :meth:`series` and :meth:`events` read one
    run's frames; :meth:`to_ema` gives the whole sweep in EMA Workbench's shape.
    """

    def __init__(self, directory: Path | str, *, verify: bool = True):
        """Open the folder `directory` an experiment wrote (finished, or stopped part-way).

        With `verify` (the default) every file the folder's record lists is first checked
        against its size and sha256: a missing or altered one raises :class:`FolderError`
        naming it and the command that repairs it (running the experiment again).
        """
        self.dir = Path(directory)
        if verify:
            verify_folder(self.dir)
        self.manifest: dict = read_manifest(self.dir) or {}
        table = read_runs(self.dir)
        self.schema = table.schema
        self.runs: pd.DataFrame = table.to_pandas()
        self._open: dict[Path, pq.ParquetFile] = {}

    def __repr__(self) -> str:
        """Say where the results are and how many runs and scenarios they hold."""
        failed = len(self.failed)
        return (
            f"Results({str(self.dir)!r}, {len(self.runs)} runs, "
            f"{self.runs['scenario'].nunique()} scenarios, {failed} failed)"
        )

    @property
    def failed(self) -> pd.DataFrame:
        """Return the rows of the runs that failed (with their tracebacks in ``error``)."""
        return self.runs[self.runs["status"] == FAILED]

    @cached_property
    def parameters(self) -> dict[str, str]:
        """Return {runs column: dotted parameter key} for the swept parameters (as the manifest names them)."""
        sweep = self.manifest.get("experiment", {}).get("sweep") or {}
        return {parameter_column(key): key for key in sweep.get("parameters", {})}

    @cached_property
    def scenario_params(self) -> pd.DataFrame:
        """Return each scenario's resolved parameters, one row per scenario (``scenarios.parquet``)."""
        return pd.read_parquet(self.dir / SCENARIOS).set_index("scenario")

    def series(self, run_id: str, columns: list[str] | None = None) -> pd.DataFrame:
        """Return one run's daily series, indexed by date (only `columns` if given)."""
        wanted = None if columns is None else ["date", *columns]
        return series_frame(self._read(SERIES, run_id, wanted))

    def events(self, run_id: str) -> pd.DataFrame:
        """Return one run's events: date, kind, agent, detail."""
        return events_frame(self._read(EVENTS, run_id, None))

    def to_ema(self, outcomes: list[str] | None = None) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
        """Return the finished runs as EMA Workbench's ``(experiments, outcomes)`` pair.

        `experiments` has one row per finished run: a column per swept parameter (named by
        its dotted key, EMA's uncertainties), ``scenario`` (the sweep point), ``policy`` (this
        experiment's scenario, EMA's policy) and ``model``. `outcomes` maps each summary
        metric (only those in `outcomes` if given) to an array with one value per run, in
        the same order, as ``ema_workbench.perform_experiments`` returns them.
        """
        ok = self.runs[self.runs["status"] == OK].reset_index(drop=True)
        experiments = ok[list(self.parameters)].rename(columns=self.parameters)
        experiments["scenario"] = ok["point"].to_numpy()
        experiments["policy"] = ok["scenario"].astype("category")
        experiments["model"] = EMA_MODEL
        names = outcomes if outcomes is not None else self.metrics_stored
        return experiments, {name: ok[name].to_numpy(dtype=float) for name in names}

    @property
    def metrics_stored(self) -> list[str]:
        """Return the summary metrics this experiment recorded."""
        return list(self.manifest.get("experiment", {}).get("metrics") or [])

    def _read(self, kind: str, run_id: str, columns: list[str] | None) -> pa.Table:
        """Read the rows of `run_id` from the `kind` dataset (none if the run stored none)."""
        found = self._row_groups[kind].get(run_id)
        if found is None:
            schema = self._schema(kind)
            return schema.empty_table().select([n for n in schema.names if columns is None or n in columns])
        path, group, shared = found
        wanted = None if columns is None or not shared else ["run_id", *columns]
        table = self._file(path).read_row_group(group, columns=wanted or columns)
        if shared:  # a row group holding several runs: a file rewritten by another tool
            table = table.filter(pc.equal(table["run_id"], run_id))
            table = table.select(columns) if columns is not None else table
        return table

    def _file(self, path: Path) -> pq.ParquetFile:
        """Open `path` once."""
        if path not in self._open:
            self._open[path] = pq.ParquetFile(path)
        return self._open[path]

    def _parts(self, kind: str) -> list[Path]:
        """The committed parts of `kind`, oldest first (the recorded ones, where the folder keeps a record)."""
        return trusted_parts(self.dir, kind)

    def _schema(self, kind: str) -> pa.Schema:
        """The columns of the `kind` dataset."""
        parts = self._parts(kind)
        if not parts:
            raise FileNotFoundError(f"{self.dir / kind} holds no stored {kind}")
        return self._file(parts[0]).schema_arrow

    @cached_property
    def _row_groups(self) -> dict[str, dict[str, tuple[Path, int, bool]]]:
        """For series and events: each run_id's part, row group, and whether the group holds other runs.

        The store writes one run a row group, so the group's statistics name its run and
        nothing but metadata is read; a group holding several runs has its run_id column read.
        Later parts win.
        """
        where: dict[str, dict[str, tuple[Path, int, bool]]] = {SERIES: {}, EVENTS: {}}
        key = [n for n, _ in RUN_KEYS].index("run_id")
        for kind, found in where.items():
            for path in self._parts(kind):
                stored = self._file(path)
                for group in range(stored.metadata.num_row_groups):
                    statistics = stored.metadata.row_group(group).column(key).statistics
                    if statistics is not None and statistics.has_min_max and statistics.min == statistics.max:
                        found[statistics.min] = (path, group, False)
                        continue
                    ids = stored.read_row_group(group, columns=["run_id"]).column(0).unique().to_pylist()
                    found.update((run_id, (path, group, True)) for run_id in ids)
        return where


@dataclass(frozen=True)
class Event:
    """A dated event to mark on a time axis; `end` makes it a shaded span.

    `key` is its name in ``[events]``; the report puts the record's date beside the runs' own
    dates of the same event (:func:`experiments.tables.event_marks`) by it or by the label.
    """

    label: str
    start: pd.Timestamp
    end: pd.Timestamp | None = None
    key: str = ""


@dataclass(frozen=True)
class Target:
    """A published value of a summary metric, with its range and source."""

    metric: str
    value: float
    low: float
    high: float
    source: str


def as_timestamp(value) -> pd.Timestamp | None:
    """Return `value` as a Timestamp if it is a date or an ISO date string, else None."""
    if isinstance(value, dt.date):
        return pd.Timestamp(value)
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:
            return pd.Timestamp(dt.date.fromisoformat(value[:10]))
        except ValueError:
            return None
    return None


def _event_from_toml(key: str, entry: dict) -> Event | None:
    """Read one [events] entry (date, optional end, label); None if it has no date."""
    start = as_timestamp(entry.get("date"))
    if start is None:
        return None
    return Event(str(entry.get("label", key)), start, as_timestamp(entry.get("end")), key)


@dataclass(frozen=True)
class History:
    """Published targets and dated events from `params/history.toml`."""

    targets: dict[str, Target]
    events: tuple[Event, ...]

    @classmethod
    def load(cls, path: Path = HISTORY_FILE) -> History:
        """Read `path`; a missing file gives no targets and no events."""
        if not path.exists():
            return cls({}, ())
        data = tomllib.loads(path.read_text())
        targets = {}
        for metric, entry in data.get("targets", {}).items():
            if isinstance(entry, dict) and "value" in entry:
                value = float(entry["value"])
                targets[metric] = Target(
                    metric,
                    value,
                    float(entry.get("low", value)),
                    float(entry.get("high", value)),
                    str(entry.get("source", "")),
                )
        events = tuple(
            e for key, entry in data.get("events", {}).items() if (e := _event_from_toml(key, entry)) is not None
        )
        return cls(targets, events)


class ReportData(Results):
    """A stored experiment folder as the report reads it."""

    @property
    def experiment(self) -> dict:
        """The experiment spec as recorded in the manifest."""
        return self.manifest.get("experiment") or {}

    @property
    def name(self) -> str:
        """Experiment name (the folder name if the manifest has none)."""
        return str(self.experiment.get("name") or self.dir.name)

    @cached_property
    def ok(self) -> pd.DataFrame:
        """Runs that finished."""
        return self.runs[self.runs["status"] == OK]

    @cached_property
    def param_columns(self) -> list[str]:
        """The parameter columns, one per varied sweep parameter (see :attr:`parameters`)."""
        return list(self.parameters)

    @cached_property
    def metrics(self) -> list[str]:
        """Summary metric columns: everything not bookkeeping and not a parameter."""
        return [
            c
            for c in self.runs.columns
            if c not in NOT_METRICS and c not in self.parameters and pd.api.types.is_numeric_dtype(self.runs[c])
        ]

    @cached_property
    def scenarios(self) -> list[str]:
        """Scenario names, reference first, then in the order the experiment lists them.

        Of an attribution experiment, only all mechanisms on and all off: the other
        coalitions are shown through the Shapley values they give.
        """
        if self.experiment.get("attribution"):
            present = set(self.runs["scenario"])
            return [s for s in ("all_on", "all_off") if s in present]
        listed = list(self.experiment.get("scenarios") or {})
        present = list(dict.fromkeys(self.runs["scenario"]))
        ordered = [s for s in listed if s in present] + [s for s in present if s not in listed]
        ref = self.reference
        return [ref] + [s for s in ordered if s != ref] if ref in ordered else ordered

    @cached_property
    def reference(self) -> str:
        """The reference scenario (the first one if the experiment names none)."""
        ref = self.experiment.get("reference")
        present = list(dict.fromkeys(self.runs["scenario"]))
        return ref if ref in present else present[0]

    @cached_property
    def sensitivity(self) -> pd.DataFrame | None:
        """Sobol indices, if this is a sensitivity experiment."""
        path = self.dir / "sensitivity.parquet"
        return pd.read_parquet(path) if path.exists() else None

    @cached_property
    def series_columns(self) -> list[str]:
        """Columns of the stored daily series (none if no series were stored)."""
        if not self._parts(SERIES):
            return []
        return [n for n in self._schema(SERIES).names if n not in {"date", *(k for k, _ in RUN_KEYS)}]

    @cached_property
    def flat_params(self) -> dict[str, dict]:
        """Each scenario's resolved parameters (as the manifest records them) as flat dotted keys."""
        resolved = self.manifest.get("scenario_params") or {}
        return {s: flatten(p) for s, p in resolved.items() if isinstance(p, dict)}
