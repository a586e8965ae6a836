"""Build an experiment's report from its stored results alone (nothing is re-run).

`build_report(dir)` writes `dir/report.md`, a self-contained `dir/report.html`,
every figure as PNG (300 dpi), SVG and PDF in `dir/figures/` and the table behind every
figure and every shown table as CSV in `dir/tables/`. The stored runs and series are read
once; figures are drawn on two processes (where there are two cores) while the next tables
are computed, and a figure whose data, code and style have not changed since the last build
is kept, not drawn again. Tables are shown with their units, three significant
digits, and zero (or floating-point noise around it) as 0; paths relative to the
experiment file's folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import multiprocessing
import os
import re
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from viachilena.experiments import figures, tables, text
from viachilena.experiments.figures import METRIC_WORDS, SERIES_WORDS, Mark, readable, words
from viachilena.experiments.results import History, ReportData
from viachilena.experiments.store import write_atomically, write_json

# The series charted when the experiment does not list the series it keeps: the outcomes the
# model's questions are about (one figure each, and one of differences with several scenarios).
KEY_SERIES = ("gdp", "shortage_rate", "cpi_official", "black_market_premium", "real_wage", "reserves_usd")
MAX_ZOOMS = 3
MIN_SHARE = 0.1  # an event in fewer of a scenario's runs is listed in the events table, not marked on figures
EVERY_SCENARIO = "every scenario"
WHISKER_GAP_DAYS = 20  # whiskers of runs' date ranges closer than this go on separate rows
FINGERPRINTS = ".fingerprints.json"
NOISE = 1e-9  # a value this small against its column's largest is shown as 0


@dataclass(frozen=True)
class FigureRef:
    """A figure as the page shows it: files `figures/<stem>.{png,svg}`, `tables/<stem>.csv`."""

    stem: str
    title: str
    caption: str


@dataclass(frozen=True)
class TableRef:
    """A table as the page shows it (formatted cells), stored as `tables/<stem>.csv`."""

    stem: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    note: str = ""
    numeric: list[bool] = field(default_factory=list)  # per column: right-aligned numbers


@dataclass
class Section:
    """A titled part of the report."""

    title: str
    text: str = ""
    figures: list[FigureRef] = field(default_factory=list)
    tables: list[TableRef] = field(default_factory=list)


def _cell(value, scale: float = 0.0) -> str:
    """Format one table cell for display (CSV files keep full precision).

    Numbers get three significant digits in fixed notation (thousands separated; below 0.0001
    in scientific notation); a number within `NOISE` of zero against `scale`, its column's
    largest magnitude, is shown as 0.
    """
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, float | np.floating):
        if pd.isna(value):
            return "–"
        if value == 0 or abs(value) <= NOISE * scale:
            return "0"
        if abs(value) < 1e-4:
            return f"{value:.2e}"
        return f"{value:,.{max(0, 2 - math.floor(math.log10(abs(value))))}f}"
    if value is pd.NaT:
        return "–"
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _display(data: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """Column headers (words, not identifiers) and formatted rows of `data`."""
    scales = {
        c: float(np.nanmax(np.abs(data[c].to_numpy(float)), initial=0.0))
        for c in data.columns
        if pd.api.types.is_float_dtype(data[c])
    }
    rows = [
        [_cell(v, scales.get(c, 0.0)) for c, v in zip(data.columns, row, strict=True)]
        for row in data.itertuples(index=False)
    ]
    return [str(c).replace("_", " ") for c in data.columns], rows


def _slug(text: str) -> str:
    """Return a file-name-safe form of `text`."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.") or "x"


@dataclass(frozen=True)
class _Job:
    """A figure to draw: ``draw(data, title, source)`` saved as `stem` in `directory`."""

    directory: Path
    stem: str
    draw: object
    data: pd.DataFrame
    title: str
    source: str


def _render(job: _Job) -> None:
    """Draw one queued figure in the report's style and save it in every format."""
    with figures.styled(job.directory):
        fig = job.draw(job.data, job.title, job.source)
        figures.save(fig, job.directory / "figures", job.stem)


def _fingerprint(job: _Job, csv: str) -> str:
    """What decides a figure's files: its data, title, source, drawing function and options, style, code."""
    draw = job.draw
    function, options = (draw.func, sorted(draw.keywords.items())) if isinstance(draw, partial) else (draw, [])
    user_style = job.directory / figures.USER_STYLE
    parts = [
        csv,
        job.title,
        job.source,
        f"{function.__module__}.{function.__qualname__}",
        repr(options),
        figures.STYLE.read_text(),
        user_style.read_text() if user_style.is_file() else "",
        Path(figures.__file__).read_text(),
        matplotlib.__version__,
    ]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


class _Writer:
    """Writes tables into the report folder, draws figures, and returns references to both.

    With more than one worker, each figure goes to a process pool as soon as it is queued,
    so figures are drawn while the next tables are computed. A figure whose data, title,
    drawing code and style are those of the files already in ``figures/`` (recorded in
    ``figures/.fingerprints.json``) is not drawn again; files no figure of this build owns
    are deleted at the end.
    """

    def __init__(self, directory: Path, source: str, workers: int):
        self.dir = directory
        self.source = source
        self.count = 0
        self.jobs: list[_Job] = []
        self.pool = None
        self.pending = []
        self.fingerprints: dict[str, str] = {}
        shutil.rmtree(directory / "tables", ignore_errors=True)
        (directory / "tables").mkdir()
        (directory / "figures").mkdir(exist_ok=True)
        try:
            self.drawn = json.loads((directory / "figures" / FINGERPRINTS).read_text())
        except (OSError, ValueError):
            self.drawn = {}
        if workers > 1:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")  # fork: no re-imports
            self.pool = ProcessPoolExecutor(workers, mp_context=context)

    def _stem(self, kind: str, name: str = "") -> str:
        self.count += 1
        return f"{self.count:02d}-{kind}" + (f"-{_slug(name)}" if name else "")

    def figure(self, kind: str, name: str, draw, data: pd.DataFrame, title: str, caption: str) -> FigureRef:
        """Queue `draw(data, title, source)` (start it, with a pool) and save the data behind it now."""
        stem = self._stem(kind, name)
        job = _Job(self.dir, stem, draw, data, title, self.source)
        csv = data.to_csv(index=False)
        write_atomically(self.dir / "tables" / f"{stem}.csv", lambda path: path.write_text(csv, encoding="utf-8"))
        key = self.fingerprints[stem] = _fingerprint(job, csv)
        files = [self.dir / "figures" / f"{stem}.{fmt}" for fmt in figures.FORMATS]
        if self.drawn.get(stem) == key and all(f.is_file() for f in files):
            return FigureRef(stem, title, caption)
        self.jobs.append(job)
        if self.pool is not None:
            self.pending.append(self.pool.submit(_render, job))
        return FigureRef(stem, title, caption)

    def table(
        self, kind: str, name: str, data: pd.DataFrame, title: str, note: str = "", figure: FigureRef | None = None
    ) -> TableRef:
        """Save `data` as CSV (unless it is `figure`'s data) and return it formatted for display."""
        if figure is None:
            stem = self._stem(kind, name)
            write_atomically(self.dir / "tables" / f"{stem}.csv", lambda path: data.to_csv(path, index=False))
        else:
            stem = figure.stem
        columns, rows = _display(data)
        numeric = [pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c]) for c in data]
        return TableRef(stem, title, columns, rows, note, numeric)

    def draw(self) -> None:
        """Finish every queued figure (wait for the pool, or draw here); forget stale files."""
        if self.pool is None:
            for job in self.jobs:
                _render(job)
        for future in self.pending:
            future.result()
        owned = {f"{stem}.{fmt}" for stem in self.fingerprints for fmt in figures.FORMATS}
        for path in (self.dir / "figures").iterdir():
            if path.name not in owned and path.name != FINGERPRINTS:
                path.unlink()
        write_json(self.dir / "figures" / FINGERPRINTS, self.fingerprints)

    def close(self) -> None:
        """Stop the pool (cancelling what has not started, if the report failed)."""
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def _relative(path: str, experiment_file: str | None) -> str:
    """`path` relative to the experiment file's folder (as the experiment file names it)."""
    if not experiment_file or not Path(path).is_absolute():
        return path
    return Path(os.path.relpath(path, Path(experiment_file).parent)).as_posix()


def _header(results: ReportData) -> dict:
    """Collect what the top of the report says about the experiment and its provenance."""
    manifest, spec, runs = results.manifest, results.experiment, results.runs
    commit = manifest.get("git_commit") or "not recorded"
    hashes = manifest.get("inputs") or manifest.get("hashes") or {}
    return {
        "name": results.name,
        "description": spec.get("description", ""),
        "n_runs": len(runs),
        "n_failed": int((runs["status"] != "ok").sum()),
        "root_seed": spec.get("seed", "not recorded"),
        "seed_range": f"{runs['seed'].min()}–{runs['seed'].max()}",
        "replications": spec.get("replications", runs["replication"].nunique()),
        "end": spec.get("end") or "",
        "scenarios": results.scenarios,
        "reference": results.reference,
        "parameters": [results.parameters[c] for c in results.param_columns],
        "hashes": sorted((_relative(path, spec.get("file")), digest) for path, digest in hashes.items()),
        "git_commit": commit + (" (with uncommitted changes)" * bool(manifest.get("git_dirty"))),
        "started": manifest.get("started") or "",
        "finished": manifest.get("finished") or "not finished",
        "built": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def _scenario_section(results: ReportData, out: _Writer) -> list[Section]:
    """What each shown scenario changes: its overlay files and its ``set`` values."""
    listed = results.experiment.get("scenarios") or {}
    rows = [
        {
            "scenario": name,
            "overlays": ", ".join(
                _relative(p, results.experiment.get("file")) for p in listed.get(name, {}).get("overlays", [])
            ),
            "set": ", ".join(f"{k} = {v}" for k, v in listed.get(name, {}).get("set", {}).items()),
        }
        for name in results.scenarios
    ]
    text = f"Every scenario runs the same {results.experiment.get('replications', '')} seeds (common random numbers)."
    if results.experiment.get("attribution"):
        text += (
            " Of the attribution's coalitions, only all mechanisms on and all off are shown below;"
            " the others enter through the Shapley values."
        )
    return [Section("Scenarios", text, tables=[out.table("scenarios", "", pd.DataFrame(rows), "Scenarios")])]


def _attribution_sections(results: ReportData, out: _Writer) -> list[Section]:
    """Each outcome's Shapley values: a waterfall figure and a table, the sum shown against the total."""
    found = tables.attributions(results)
    if not found:
        return []
    described = results.experiment["attribution"]
    method = (
        f"exact, over all {len(described['coalitions'])} coalitions"
        if described["method"] == "exact"
        else f"estimated from {len(described['permutations'])} sampled orders "
        f"({len(described['coalitions'])} coalitions); the intervals add the orders' sampling error"
    )
    text = (
        f"Each mechanism's Shapley value ({method}): its average contribution to the outcome over every order in "
        "which the mechanisms could be switched on, with a 95% interval across replications (same seeds in every "
        "coalition). The values add up to the total, all mechanisms on minus all off; one at a time is all on "
        "minus all on but that mechanism, which need not add up."
    )
    sections = []
    for outcome, data in found.items():
        unit = data["unit"].iloc[0]
        total, summed = (
            data.loc[data["kind"] == "total", "value"].iloc[0],
            data.loc[data["kind"] == "sum", "value"].iloc[0],
        )
        factor, shown = readable(unit, difference=True)
        title = f"{words(outcome, METRIC_WORDS)}: what each mechanism contributes [{shown}]"
        chart = out.figure(
            "attribution",
            outcome,
            partial(figures.attribution_waterfall, unit=unit),
            data,
            title,
            f"Bars: Shapley values, chained from all off to all on; whiskers: 95% intervals; grey: the total. "
            f"Sum of the values {_cell(summed * factor)} = total {_cell(total * factor)} {shown}.",
        )
        shown_columns = ["label", "value", "ci_low", "ci_high", "one_at_a_time", "n", "unit"]
        table = out.table("", "", data[shown_columns], f"{words(outcome, METRIC_WORDS)} ({outcome})", figure=chart)
        sections.append(
            Section(f"Attribution: {words(outcome, METRIC_WORDS)}", text if not sections else "", [chart], [table])
        )
    return sections


def _summary_sections(results: ReportData, out: _Writer, history: History) -> list[Section]:
    """Per-scenario metric tables, failed runs and the validation against history."""
    summary = tables.metric_summary(results)
    section = Section(
        "Summary metrics",
        "Mean over finished runs with the 95% t-interval of the "
        "mean (ci low, ci high), standard deviation, and the 2.5%–97.5% range "
        "across runs (range low, range high), in each metric's unit.",
    )
    for scenario in results.scenarios:
        data = summary[summary["scenario"] == scenario].drop(columns="scenario")
        section.tables.append(out.table("summary", scenario, data, f"Scenario {scenario}"))
    failed = results.runs[results.runs["status"] != "ok"]
    if len(failed):
        section.tables.append(
            out.table(
                "failed",
                "",
                failed[["run_id", "scenario", "point", "replication", "seed", "error"]],
                "Failed runs",
                "Excluded from every statistic in this report.",
            )
        )
    sections = [section]
    checked = tables.validation(summary, results.reference, history)
    if len(checked):
        chart = out.figure(
            "validation",
            "",
            figures.validation_chart,
            checked,
            f"Simulated ({results.reference}) against the published record",
            "Grey: published range; diamond: published value; blue: the simulated runs' 2.5%–97.5% range and mean.",
        )
        sections.append(
            Section(
                "Validation against the historical record",
                f"Reference scenario {results.reference} against the published values of "
                "params/history.toml: is the published value inside the simulated 2.5%–97.5% "
                "range, and is the simulated mean inside the published range?",
                figures=[chart],
                tables=[out.table("", "", checked, "Simulated vs published", figure=chart)],
            )
        )
    return sections


def _marks(
    table: pd.DataFrame, scenarios: list[str]
) -> tuple[list[Mark], list[tuple[str, pd.Timestamp, pd.Timestamp]]]:
    """Numbered marks for the time axes, from the runs' events, and the strike windows to zoom into.

    `table` is :func:`tables.event_marks`. An event is drawn where it happened in at least
    `MIN_SHARE` of a scenario's runs, on its median date with the 10%-90% range of its runs'
    dates. An event every scenario has on the same dates is one grey mark; otherwise the
    scenarios that have it on the same dates share a mark, named after them and in the first
    one's colour. A zoom spans an event's earliest start to its latest end (10% and 90%) over the
    scenarios whose windows overlap the earliest one's (the same strike, not one decided months later).
    """
    colours = dict(zip(scenarios, figures.OKABE_ITO, strict=False))
    mine = table[table["scenario"].isin(scenarios)]
    shown = mine[mine["share"] >= MIN_SHARE].sort_values("date", kind="stable")
    same = ["event", "share", "happened", "runs", "date", "date_q10", "date_q90", "end", "end_q10", "end_q90"]
    groups: dict[tuple, list] = {}
    for row in shown.itertuples(index=False):
        groups.setdefault(tuple(getattr(row, c) for c in same), []).append(row)
    marks: list[Mark] = []
    windows: dict[str, tuple[str, pd.Timestamp, pd.Timestamp]] = {}
    rows_taken: list[list[tuple[pd.Timestamp, pd.Timestamp]]] = []
    for rows in groups.values():
        row, having = rows[0], [r.scenario for r in rows]
        everywhere = len(having) == len(scenarios)
        rare = mine[(mine["event"] == row.event) & (mine["share"] < MIN_SHARE)]
        notes = [f"{r.scenario}: in {r.happened} of {r.runs} runs, not marked" for r in rare.itertuples()]
        if row.share < 1:
            notes.insert(0, f"in {row.happened} of {row.runs} runs")
        others = [s for s in scenarios if s not in having]
        named = f"all but {', '.join(others)}" if len(others) < len(having) - 1 else ", ".join(having)
        text = ("" if everywhere else f"{named}: ") + f"{row.event}, {_when(row)}"
        end = None if pd.isna(row.end) else row.end
        spreads = [(lo, hi) for lo, hi in ((row.date_q10, row.date_q90), (row.end_q10, row.end_q90)) if lo != hi]
        marks.append(
            Mark(
                len(marks) + 1,
                text + (f" ({'; '.join(notes)})" if notes else ""),
                row.date,
                end,
                figures.GREY if everywhere else colours[having[0]],
                row.date_q10,
                row.date_q90,
                None if end is None else row.end_q10,
                None if end is None else row.end_q90,
                _free_row(rows_taken, [(lo, hi) for lo, hi in spreads if not pd.isna(lo)]),
            )
        )
        if end is not None:
            _, low, high = windows.get(row.event, (row.event, row.date_q10, row.end_q90))
            if row.date_q10 <= high and row.end_q90 >= low:  # a strike far from the first one's window is not zoomed
                windows[row.event] = (row.event, min(low, row.date_q10), max(high, row.end_q90))
    return marks, list(windows.values())[:MAX_ZOOMS]


def _free_row(taken: list[list[tuple[pd.Timestamp, pd.Timestamp]]], spans: list) -> int:
    """The lowest row of whiskers where `spans` (date ranges) meet none already there; take it."""
    gap = pd.Timedelta(days=WHISKER_GAP_DAYS)
    for number, row in enumerate(taken):
        if not any(lo <= b + gap and a <= hi + gap for lo, hi in spans for a, b in row):
            row.extend(spans)
            return number
    taken.append(list(spans))
    return len(taken) - 1


def _when(row) -> str:
    """A mark's date (or its window's) in words: the median where its runs' dates differ."""
    first = _dates(row.date, None if pd.isna(row.end) else row.end)
    spread = row.date_q10 != row.date_q90 or (not pd.isna(row.end) and row.end_q10 != row.end_q90)
    return first + (" (median)" if pd.isna(row.end) else " (medians)") * spread


def _dates(start: pd.Timestamp, end: pd.Timestamp | None) -> str:
    """A date or a span of dates, in words (07–13 Oct 1972, 07 Oct to 13 Nov 1972, 07 Oct 1972 to 13 Jan 1973)."""
    if end is None:
        return f"{start:%d %b %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%d}–{end:%d %b %Y}"
    return f"{start:%d %b} to {end:%d %b %Y}" if start.year == end.year else f"{start:%d %b %Y} to {end:%d %b %Y}"


def _record_marks(history: History) -> list[Mark]:
    """The record's dated events (params/history.toml), lettered: what happened in Chile, not in the runs."""
    return [
        Mark(
            chr(ord("A") + i),
            f"in Chile: {event.label}, {_dates(event.start, event.end)}",
            event.start,
            event.end,
            "black",
            line=":",
        )
        for i, event in enumerate(sorted(history.events, key=lambda e: e.start)[:26])
    ]


def _events_section(out: _Writer, table: pd.DataFrame) -> list[Section]:
    """What happened in each scenario's runs: the events table (the marks of the figures).

    An event the same in every scenario (same dates, same share of runs) is one row, of "every scenario".
    """
    if table.empty:
        return []
    scenarios = table["scenario"].unique()
    rest = [c for c in table.columns if c not in ("scenario", "kind")]
    same = table[rest].astype(object).fillna("").astype(str).agg("|".join, axis=1)
    everywhere = (table.groupby(same)["scenario"].transform("nunique") == len(scenarios)) & (len(scenarios) > 1)
    common = table[everywhere].loc[~same[everywhere].duplicated()].assign(scenario=EVERY_SCENARIO)
    shown = pd.concat([common, table[~everywhere]], ignore_index=True)[["scenario", *rest]]
    text = (
        "The political events, owners' and traders' strikes, stance turns, rationing and price decrees of each "
        "scenario, read from "
        "its runs' event logs: in how many runs each happened, its median date across those runs and the "
        "10% and 90% quantiles (each a run's date); for a strike, when it ended (a strike still on when the "
        "run ends counts as ending on the last day). Events on the same days in every run are one row, and so "
        "is an event the same in every scenario. "
        f"The time-series figures mark the events of at least {MIN_SHARE:.0%} of a scenario's runs. "
        "Record: the date of the same event in Chile (params/history.toml), where there is one: what happened "
        "in history, beside what happened in the model."
    )
    return [Section("Events by scenario", text, tables=[out.table("events", "", shown, "Events by scenario")])]


def _finished_runs(results: ReportData) -> dict[str, list[str]]:
    """The finished runs of each shown scenario that has any."""
    runs = {s: list(results.ok.loc[results.ok["scenario"] == s, "run_id"]) for s in results.scenarios}
    return {s: r for s, r in runs.items() if r}


def _time_sections(
    results: ReportData, out: _Writer, history: History, events: pd.DataFrame, runs: dict[str, list[str]]
) -> list[Section]:
    """One figure per key series (all shown scenarios, a zoom per strike) and, with scenarios, their differences."""
    columns = [c for c in results.experiment.get("series") or KEY_SERIES if c in results.series_columns]
    if not columns:
        return []
    paths = {c for c, _, _ in tables.TARGET_PATHS.values() if c in results.series_columns}
    cube = tables.SeriesCube(
        results, [r for ids in runs.values() for r in ids], list(dict.fromkeys(columns + sorted(paths)))
    )
    record = _record_section(results, out, history, cube, runs.get(results.reference, []))
    marks, windows = _marks(events, list(runs))
    order = tuple(runs)  # each scenario's colour, the same in every figure and on its marks
    series_units = figures.units("SERIES")
    counts = ", ".join(f"{len(ids)} of {s}" for s, ids in runs.items())
    fans = Section(
        "Time series",
        f"Median across finished runs ({counts}) with the 50% band (and the 90% band for a single scenario); "
        "below, each strike window zoomed. Numbered marks: the events of the runs (see Events by scenario), on "
        "their median date, with a whisker over the 10%–90% range of the runs' dates where they differ; grey where "
        "every scenario that has the event has it on the same dates, else in each scenario's colour.",
    )
    diffs = Section(
        "Scenario differences over time",
        f"Each scenario minus reference {results.reference}, paired by point "
        "and replication (same seeds): mean difference and its 95% t-interval.",
    )
    for column in columns:
        unit = series_units.get(column, "")
        fans.figures.append(
            out.figure(
                "fan",
                column,
                partial(figures.series_figure, unit=unit, marks=marks, windows=windows, order=order),
                tables.fan(cube, runs, column),
                f"{words(column, SERIES_WORDS)} [{readable(unit)[1]}]",
                f"{words(column, SERIES_WORDS)}: median and bands across runs, by scenario.",
            )
        )
        if len(results.scenarios) > 1:
            diffs.figures.append(
                out.figure(
                    "diff",
                    column,
                    partial(
                        figures.series_figure, unit=unit, marks=marks, windows=windows, difference=True, order=order
                    ),
                    tables.series_differences(results, cube, column),
                    f"{words(column, SERIES_WORDS)}: each scenario minus {results.reference} "
                    f"[{readable(unit, difference=True)[1]}]",
                    f"{words(column, SERIES_WORDS)}: mean paired difference with its 95% interval.",
                )
            )
    return record + [fans] + ([diffs] if diffs.figures else [])


def _record_section(results: ReportData, out: _Writer, history: History, cube, run_ids: list[str]) -> list[Section]:
    """The published targets drawn on the reference scenario's simulated paths."""
    data = tables.record_paths(cube, run_ids, history) if run_ids else pd.DataFrame()
    if data.empty:
        return []
    chart = out.figure(
        "record",
        "",
        partial(figures.record_paths, events=tuple(_record_marks(history))),
        data,
        f"The published record on the simulated paths, scenario {results.reference}",
        "Blue: median path across runs and its 5%–95% band (growth: each day's 31-day mean against the same a "
        "year before, so 31 December reads the December-to-December growth); black: published value and range; "
        "lettered: the record's dated events in Chile (params/history.toml), not the runs' events.",
    )
    return [Section("The record against the simulated paths", figures=[chart])]


def _comparison_section(results: ReportData, out: _Writer) -> list[Section]:
    """Paired differences of the summary metrics: dot-and-interval chart and table."""
    if len(results.scenarios) < 2:
        return []
    data = tables.paired_differences(results)
    title = f"Summary metrics: each scenario minus {results.reference}, paired by seed (95% intervals)"
    chart = out.figure(
        "paired",
        "",
        figures.dot_interval,
        data,
        title,
        "Dots: mean paired difference; lines: 95% t-interval; shares in percentage points. "
        "Metrics with no difference in any pair have no panel.",
    )
    return [
        Section(
            "Scenario comparisons",
            f"Paired differences (scenario minus {results.reference}) of each summary metric over "
            "runs with the same point and replication; same seeds says whether every pair shared "
            "its seed.",
            figures=[chart],
            tables=[out.table("", "", data, "Paired differences", figure=chart)],
        )
    ]


def _sweep_sections(results: ReportData, out: _Writer) -> list[Section]:
    """Each metric against each varied parameter, and heat maps for a two-parameter grid."""
    if not results.param_columns:
        return []
    section = Section(
        "Parameter sweep",
        "Each finished run as a dot; the line is a LOWESS smoother (numeric parameters) or the mean per value "
        "(text parameters); the dashed line is the parameter's value in the base parameters.",
    )
    base = results.flat_params.get(results.reference, {})
    for column in results.param_columns:
        param = results.parameters[column]
        value = base.get(param)
        section.figures.append(
            out.figure(
                "sweep",
                param,
                partial(figures.sweep_scatter, param=param, base=value if isinstance(value, int | float) else None),
                tables.sweep_points(results, column),
                f"Summary metrics against {param}",
                f"Runs and smoothed response to {param}.",
            )
        )
    if len(results.scenarios) > 1:
        section.text += (
            f" Then each scenario's paired difference from {results.reference} against each parameter, and the "
            "parameter values where its smoothed curve crosses zero: where the answer changes sign."
        )
        for column in results.param_columns:
            param = results.parameters[column]
            differences = tables.sweep_differences(results, column)
            chart = out.figure(
                "sweep_difference",
                param,
                partial(figures.sweep_scatter, param=param, zero=True),
                differences,
                f"Paired differences from {results.reference} against {param}",
                "Runs and smoothed response; the dotted line is zero.",
            )
            section.figures.append(chart)
            crossings = tables.sign_changes(differences, param)
            section.tables.append(
                out.table("sign_changes", param, crossings, f"Where the answer changes sign with {param}")
            )
    if tables.is_grid(results):
        params = [results.parameters[c] for c in results.param_columns]
        means = tables.grid_means(results).rename(columns=dict(zip(results.param_columns, params, strict=True)))
        for scenario, data in means.groupby("scenario", sort=False):
            section.figures.append(
                out.figure(
                    "grid",
                    scenario,
                    partial(figures.grid_heatmaps, params=params),
                    data,
                    f"Mean of each metric over the {params[0]} × {params[1]} grid, scenario {scenario}",
                    "Mean over finished runs at each grid point.",
                )
            )
    return [section]


def _sensitivity_section(results: ReportData, out: _Writer) -> list[Section]:
    """Sobol indices per scenario: bar chart and table."""
    data = results.sensitivity
    if data is None or data.empty:
        return []
    section = Section(
        "Sensitivity",
        "First-order (S1) and total (ST) Sobol indices with 95% confidence half-widths (S1 conf, ST conf).",
    )
    groups = data.groupby("scenario", sort=False) if "scenario" in data else [("", data)]
    for scenario, indices in groups:
        where = f", scenario {scenario}" if scenario else ""
        chart = out.figure(
            "sobol",
            scenario,
            figures.sobol_bars,
            indices,
            f"Sobol indices of each metric by parameter{where}",
            "Bars: index; whiskers: 95% confidence half-width.",
        )
        section.figures.append(chart)
        section.tables.append(out.table("", "", indices, f"Sobol indices{where}", figure=chart))
    return [section]


def _source_line(results: ReportData) -> str:
    """Return the provenance line printed under every figure."""
    runs = results.runs
    commit = str(results.manifest.get("git_commit") or "unknown")[:10]
    return (
        f"viachilena experiment '{results.name}': {len(results.ok)} finished runs of "
        f"{len(runs)}, seeds {runs['seed'].min()} to {runs['seed'].max()}, commit {commit}"
    )


def build_report(directory: Path | str, history: History | None = None, workers: int | None = None) -> Path:
    """Build the report of the experiment stored in `directory`; return the HTML page's path.

    Figures are drawn on `workers` processes (default: one per core, at most two).
    """
    directory = Path(directory)
    results = ReportData(directory)
    history = history or History.load()
    out = _Writer(directory, _source_line(results), workers or min(2, os.cpu_count() or 1))
    try:
        head = _scenario_section(results, out) + _attribution_sections(results, out)
        comparison = _comparison_section(results, out)  # the costliest figure: queued before the series are read
        runs = _finished_runs(results)
        events = tables.event_marks(tables.mark_events(results), runs, history, tables.scenario_ends(results))
        sections = (
            head
            + _summary_sections(results, out, history)
            + _events_section(out, events)
            + _time_sections(results, out, history, events, runs)
            + comparison
            + _sweep_sections(results, out)
            + _sensitivity_section(results, out)
        )
        out.draw()
    finally:
        out.close()
    context = {"header": _header(results), "sections": sections}
    for name in ("report.md", "report.html"):
        page = _environment(name).get_template(f"{name}.j2").render(context)
        write_atomically(directory / name, lambda path, page=page: path.write_text(page, encoding="utf-8"))
    return directory / "report.html"


def _finalize(escape):
    """Jinja2 finalize: `escape` every value the template prints, except text already escaped (Markup)."""
    return lambda value: value if isinstance(value, Markup) else escape(value)


def _environment(name: str) -> Environment:
    """Jinja2 environment: HTML autoescaped, Markdown escaped by :func:`text.markdown`; no control characters."""
    markdown = name.endswith(".md")
    env = Environment(
        loader=PackageLoader("viachilena.experiments", "templates"),
        autoescape=not markdown,
        finalize=_finalize(text.markdown if markdown else partial(text.printable, one_line=False)),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cell"] = str
    if markdown:  # each item escaped on its own, so that the separators (" | " in a table row) stay markup
        env.filters["join"] = lambda items, separator="": Markup(separator.join(map(text.markdown, items)))
    return env
