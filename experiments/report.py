"""Build an experiment's report from its stored results alone (nothing is re-run).

`build_report(dir)` writes `dir/report.md`, a self-contained `dir/report.html`,
every figure as PNG and SVG in `dir/figures/` and the table behind every figure
and every shown table as CSV in `dir/tables/`.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from viachilena.experiments import figures, tables, text
from viachilena.experiments.results import History, ReportData
from viachilena.experiments.store import write_atomically

# The series charted when the experiment does not list the series it keeps.
KEY_SERIES = (
    "gdp",
    "industrial_output",
    "cpi_official",
    "cpi_effective",
    "black_market_premium",
    "real_wage",
    "unemployment_rate",
    "shortage_rate",
    "reserves_usd",
    "aps_output_share",
)


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


@dataclass
class Section:
    """A titled part of the report."""

    title: str
    text: str = ""
    figures: list[FigureRef] = field(default_factory=list)
    tables: list[TableRef] = field(default_factory=list)


def _cell(value) -> str:
    """Format one table cell for display (CSV files keep full precision)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return "–" if pd.isna(value) else f"{value:.4g}"
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _slug(text: str) -> str:
    """Return a file-name-safe form of `text`."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.") or "x"


class _Writer:
    """Writes figures and tables into the report folder and returns references to them."""

    def __init__(self, directory: Path, source: str):
        self.dir = directory
        self.source = source
        self.count = 0
        for sub in ("figures", "tables"):
            shutil.rmtree(directory / sub, ignore_errors=True)
            (directory / sub).mkdir()

    def _stem(self, kind: str, name: str = "") -> str:
        self.count += 1
        return f"{self.count:02d}-{kind}" + (f"-{_slug(name)}" if name else "")

    def figure(self, kind: str, name: str, draw, data: pd.DataFrame, title: str, caption: str) -> FigureRef:
        """Draw `draw(data, title, source)`, save it and the data behind it."""
        stem = self._stem(kind, name)
        figures.save(draw(data, title, self.source), self.dir / "figures", stem)
        write_atomically(self.dir / "tables" / f"{stem}.csv", lambda path: data.to_csv(path, index=False))
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
        rows = [[_cell(v) for v in row] for row in data.itertuples(index=False)]
        return TableRef(stem, title, list(data.columns), rows, note)


def _header(results: ReportData) -> dict:
    """Collect what the top of the report says about the experiment and its provenance."""
    manifest, spec, runs = results.manifest, results.experiment, results.runs
    commit = manifest.get("git_commit") or "not recorded"
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
        "hashes": sorted((manifest.get("inputs") or manifest.get("hashes") or {}).items()),
        "git_commit": commit + (" (with uncommitted changes)" * bool(manifest.get("git_dirty"))),
        "started": manifest.get("started") or "",
        "finished": manifest.get("finished") or "not finished",
        "built": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def _summary_sections(results: ReportData, out: _Writer, history: History) -> list[Section]:
    """Per-scenario metric tables, failed runs and the validation against history."""
    summary = tables.metric_summary(results)
    section = Section(
        "Summary metrics",
        "Mean over finished runs with the 95% t-interval of the "
        "mean (ci_low, ci_high), standard deviation, and the 2.5%–97.5% range "
        "across runs (range_low, range_high).",
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
        sections.append(
            Section(
                "Validation against the historical record",
                f"Reference scenario {results.reference} against the published values of "
                "params/history.toml: is the published value inside the simulated 2.5%–97.5% "
                "range, and is the simulated mean inside the published range?",
                tables=[out.table("validation", "", checked, "Simulated vs published")],
            )
        )
    return sections


def _time_sections(results: ReportData, out: _Writer, history: History) -> list[Section]:
    """Fan charts per scenario and, with several scenarios, paired differences over time."""
    columns = [c for c in results.experiment.get("series") or KEY_SERIES if c in results.series_columns]
    if not columns:
        return []
    events = list(history.events)
    changed = results.scenario_dates()
    fans = Section(
        "Time series",
        "Median, 50% and 90% bands across finished runs. Grey marks: "
        "historical events; vermillion marks: dates this scenario sets differently "
        "from the others.",
    )
    for scenario in results.scenarios:
        runs = results.ok.loc[results.ok["scenario"] == scenario, "run_id"]
        data = tables.fan(tables.stack_series(results, runs, columns))
        fans.figures.append(
            out.figure(
                "fan",
                scenario,
                partial(figures.fan_chart, events=events, changed=changed.get(scenario, {})),
                data,
                f"Key series across {len(runs)} runs, scenario {scenario}",
                f"Scenario {scenario}: median with 50% and 90% bands across runs.",
            )
        )
    sections = [fans]
    if len(results.scenarios) > 1:
        diffs = Section(
            "Scenario differences over time",
            f"Each scenario minus reference {results.reference}, paired by point "
            "and replication (same seeds): mean difference and 95% t-interval.",
        )
        for scenario in results.scenarios[1:]:
            data = tables.series_differences(results, scenario, columns)
            diffs.figures.append(
                out.figure(
                    "diff",
                    scenario,
                    partial(figures.difference_bands, events=events, changed=changed.get(scenario, {})),
                    data,
                    f"{scenario} minus {results.reference}: paired differences of key series",
                    f"Mean paired difference with 95% CI, {scenario} minus {results.reference}.",
                )
            )
        sections.append(diffs)
    return sections


def _comparison_section(results: ReportData, out: _Writer) -> list[Section]:
    """Paired differences of the summary metrics: dot-and-whisker chart and table."""
    if len(results.scenarios) < 2:
        return []
    data = tables.paired_differences(results)
    title = f"Summary metrics: each scenario minus {results.reference} (95% CI)"
    chart = out.figure(
        "paired", "", figures.dot_whisker, data, title, "Dots: mean paired difference; whiskers: 95% t-interval."
    )
    return [
        Section(
            "Scenario comparisons",
            f"Paired differences (scenario minus {results.reference}) of each summary metric over "
            "runs with the same point and replication; same_seeds says whether every pair shared "
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
        "Each finished run as a dot; the line is a LOWESS "
        "smoother (numeric parameters) or the mean per value (text parameters).",
    )
    for column in results.param_columns:
        param = results.parameters[column]
        section.figures.append(
            out.figure(
                "sweep",
                param,
                partial(figures.sweep_scatter, param=param),
                tables.sweep_points(results, column),
                f"Summary metrics against {param}",
                f"Runs and smoothed response to {param}.",
            )
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
        "First-order (S1) and total (ST) Sobol indices with 95% confidence half-widths (S1_conf, ST_conf).",
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
        f"{len(runs)}, seeds {runs['seed'].min()}–{runs['seed'].max()}, commit {commit}"
    )


def build_report(directory: Path | str, history: History | None = None) -> Path:
    """Build the report of the experiment stored in `directory`; return the HTML page's path."""
    directory = Path(directory)
    results = ReportData(directory)
    history = history or History.load()
    out = _Writer(directory, _source_line(results))
    sections = (
        _summary_sections(results, out, history)
        + _time_sections(results, out, history)
        + _comparison_section(results, out)
        + _sweep_sections(results, out)
        + _sensitivity_section(results, out)
    )
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
