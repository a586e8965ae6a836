"""What the report reads: a stored experiment folder and the historical record.

`ReportData` extends the engine's `experiments.store.Results` (manifest,
runs, per-run series) with what the report asks of them: metric and parameter
columns, scenarios in order, the Sobol table, dates that scenarios move.
`History` reads the published targets and dated events of `params/history.toml`.
Nothing is re-run.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

import pandas as pd

from viachilena.experiments.spec import flatten
from viachilena.experiments.store import BOOKKEEPING, OUTCOME, SERIES, Results
from viachilena.experiments.worker import OK, PARAM_PREFIX

NOT_METRICS = {name for name, _ in BOOKKEEPING + OUTCOME}
HISTORY_FILE = Path(str(resources.files("viachilena.params") / "history.toml"))


@dataclass(frozen=True)
class Event:
    """A dated event to mark on a time axis; `end` makes it a shaded span."""

    label: str
    start: pd.Timestamp
    end: pd.Timestamp | None = None


@dataclass(frozen=True)
class Target:
    """A published value of a summary metric, with its range and source."""

    metric: str
    value: float
    low: float
    high: float
    source: str


def _as_timestamp(value) -> pd.Timestamp | None:
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
    start = _as_timestamp(entry.get("date"))
    if start is None:
        return None
    return Event(str(entry.get("label", key)), start, _as_timestamp(entry.get("end")))


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
        """The `param:` columns, one per varied sweep parameter."""
        return [c for c in self.runs.columns if c.startswith(PARAM_PREFIX)]

    @cached_property
    def metrics(self) -> list[str]:
        """Summary metric columns: everything not bookkeeping and not a parameter."""
        return [
            c
            for c in self.runs.columns
            if c not in NOT_METRICS and not c.startswith(PARAM_PREFIX) and pd.api.types.is_numeric_dtype(self.runs[c])
        ]

    @cached_property
    def scenarios(self) -> list[str]:
        """Scenario names, reference first, then in the order the experiment lists them."""
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

    def series(self, run_id: str, columns: list[str] | None = None) -> pd.DataFrame:
        """Return one run's daily series (only `columns` if given)."""
        return pd.read_parquet(self.dir / SERIES / f"{run_id}.parquet", columns=columns)

    @cached_property
    def series_columns(self) -> list[str]:
        """Columns of the stored daily series (read from the first finished run)."""
        for run_id in self.ok["run_id"]:
            path = self.dir / SERIES / f"{run_id}.parquet"
            if path.exists():
                return list(pd.read_parquet(path).columns)
        return []

    def scenario_dates(self) -> dict[str, dict[str, pd.Timestamp]]:
        """Date-valued resolved parameters that differ between scenarios.

        Returns {scenario: {dotted key: date}} with only the keys whose date is
        not the same in every scenario.
        """
        resolved = self.manifest.get("scenario_params") or {}
        flat = {
            s: {k: d for k, v in flatten(p).items() if (d := _as_timestamp(v)) is not None}
            for s, p in resolved.items()
            if isinstance(p, dict)
        }
        keys = set().union(*(d.keys() for d in flat.values())) if flat else set()
        varying = {k for k in keys if len({d.get(k) for d in flat.values()}) > 1}
        return {s: {k: d[k] for k in sorted(varying) if k in d} for s, d in flat.items()}
