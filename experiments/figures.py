"""Matplotlib figures of the report, drawn from the tables of `experiments.tables`.

Each function takes a long table and returns a `matplotlib.figure.Figure` on its own Agg
canvas (nothing touches pyplot's state). Figures are drawn inside the report's style
(`viachilena.mplstyle`, overridden by a `report.mplstyle` in the experiment folder: see
:func:`styled`), titled in words with their unit, shares in percent (differences of shares in
percentage points), and laid out once: the layout is then frozen and the numbered event labels
are placed where they collide with no other label. :func:`save` writes PNG (300 dpi), SVG and PDF.
"""

from __future__ import annotations

import importlib
import itertools
import math
import re
import textwrap
from contextlib import AbstractContextManager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import matplotlib
import matplotlib.dates as mdates
import matplotlib.style
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import FigureCanvasPdf
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from viachilena.experiments.store import write_atomically

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
BLUE, ORANGE, GREEN, VERMILLION = OKABE_ITO[:4]
GREY = "#7F7F7F"
STYLE = Path(str(resources.files("viachilena.experiments") / "viachilena.mplstyle"))
USER_STYLE = "report.mplstyle"
FORMATS = ("png", "svg", "pdf")
# Each format's canvas, imported with this module: a drawing process forked from the report's
# process has them already and does not import them again for its first figure.
CANVASES = {"png": FigureCanvasAgg, "svg": FigureCanvasSVG, "pdf": FigureCanvasPdf}
WIDTH = 7.2  # inches: a page's text width
ZOOM_MARGIN = pd.Timedelta(days=10)
LABEL_ROWS = 8
LABEL_TOP, LABEL_STEP = 0.985, 0.085  # the numbered marks' first row and rows' spacing, in panel heights
WHISKER_FOOT, WHISKER_STEP = 0.035, 0.04  # the runs' date ranges: first row and rows' spacing, in panel heights
SPREAD_LABEL = "a mark's 10%–90% range of dates across runs"

SERIES_WORDS = {
    "gdp": "GDP",
    "industrial_output": "Industrial output",
    "agricultural_output": "Agricultural output",
    "copper_output": "Copper output",
    "services_output": "Output of services",
    "cpi_official": "Consumer prices, official index",
    "cpi_effective": "Consumer prices, effective (official and black-market)",
    "black_market_premium": "Black-market price premium",
    "dollar_premium": "Black-market dollar premium",
    "shortage_rate": "Shortage: share of the goods wanted at official prices not got",
    "black_market_share": "Goods bought on the black market",
    "jap_supply_share": "Goods bought through JAPs and state supply",
    "real_wage": "Real wage",
    "nominal_wage": "Nominal wage",
    "unemployment_rate": "Unemployment",
    "money_stock": "Money stock",
    "fiscal_deficit": "Fiscal deficit",
    "reserves_usd": "Net international reserves",
    "deliveries": "Deliveries by truck",
    "aps_output_share": "Social property area's share of industrial output",
    "aps_firms": "Firms in the social property area",
    "trucks_available": "Trucks available",
    "velocity": "Velocity of money",
    "black_market_sales": "Goods bought on the black market",
    "working_class_goods": "Goods reaching working-class neighbourhoods at official prices",
    "private_investment": "Private investment",
    "public_investment": "Investment of the social property area",
    "industrial_capacity": "Industrial capacity",
    "private_dollars_usd": "Dollars held by residents",
    "imports_usd": "Imports",
    "opposition_mobilisation": "The opposition's mobilisation",
    "middle_class_support": "The middle classes' support for the government",
    "organised_workers": "Organised workers: employment in cordón belts and occupied firms",
    "owners_strike": "Owners' strike under way (its size)",
}
METRIC_WORDS = {
    "shortage_mean_oct_1972": "Shortage during the October 1972 strike",
    "shortage_peak_oct_1972": "Peak shortage during the October 1972 strike",
    "deliveries_oct_1972": "Deliveries during the October 1972 strike",
    "inflation_1972": "Inflation in 1972",
    "inflation_1971": "Inflation in 1971",
    "gdp_growth_1972": "GDP growth in 1972",
    "gdp_growth_1971": "GDP growth in 1971",
    "gdp_change_to_end": "Change of GDP to the end of the run",
    "reserves_end_1972": "Reserves at the end of 1972",
    "real_wage_growth_1972": "Real wage growth in 1972",
}
SHARE_UNIT = re.compile(r"^share|minus 1$|^unmet over|0 to 1$")


@dataclass(frozen=True)
class Mark:
    """A numbered (or lettered) mark on a time axis: a dashed line, or a shaded span if it has an `end`.

    `low`-`high` (and `end_low`-`end_high`) is the range of its date (its end's) across runs,
    drawn as a whisker near the panel's foot, on row `level`, where it is not a single day;
    `line` is the dashed line's pattern.
    """

    number: int | str
    text: str
    start: pd.Timestamp
    end: pd.Timestamp | None = None
    colour: str = GREY
    low: pd.Timestamp | None = None
    high: pd.Timestamp | None = None
    end_low: pd.Timestamp | None = None
    end_high: pd.Timestamp | None = None
    level: int = 0
    line: str = "--"

    def spreads(self) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
        """The ranges of its dates across runs that are longer than a day."""
        found = [(self.low, self.high), (self.end_low, self.end_high)]
        return [(lo, hi) for lo, hi in found if lo is not None and hi is not None and lo != hi]


def units(kind: str) -> dict[str, str]:
    """`model.SERIES_UNITS` or `model.METRIC_UNITS` (kind "SERIES"/"METRIC"), or {}."""
    try:
        model = importlib.import_module("viachilena.model")
    except ImportError:
        return {}
    return dict(getattr(model, f"{kind}_UNITS", {}))


def words(name: str, table: dict[str, str]) -> str:
    """A series or metric named in words (its name with spaces if no words are known)."""
    return table.get(name) or name.replace("_", " ").capitalize()


def readable(unit: str, difference: bool = False) -> tuple[float, str]:
    """Factor and unit to show a quantity in: shares as % (differences as percentage points)."""
    if not SHARE_UNIT.search(unit):
        return 1.0, unit
    shown = "percentage points" if difference else "%"
    return 100.0, shown + unit.removeprefix("share") if unit.startswith("share") else shown


def styled(directory: Path | None = None) -> AbstractContextManager:
    """The report's style, with the folder's own ``report.mplstyle`` on top if it has one."""
    user = directory / USER_STYLE if directory is not None else None
    return matplotlib.style.context([str(STYLE)] + ([str(user)] if user and user.is_file() else []))


def _figure(height: float, width: float = WIDTH) -> Figure:
    """A constrained-layout figure on its own Agg canvas."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _panels(n: int, columns: int, panel_h: float, key_labels: tuple[str, ...] = (), key_columns: int = 2, **kw):
    """A figure with `n` panels in `columns` columns and a row below them for a legend.

    Returns the figure, the panels (extra cells hidden) and the legend's cell.
    """
    nrows = max(1, math.ceil(n / columns))
    key_h = _key_height(key_labels, key_columns)
    fig = _figure(panel_h * nrows + key_h + 0.7)
    grid = fig.add_gridspec(nrows + 1, columns, height_ratios=[panel_h] * nrows + [key_h])
    axes = [fig.add_subplot(grid[i // columns, i % columns], **kw) for i in range(nrows * columns)]
    for ax in axes[n:]:
        ax.set_visible(False)
    if n == 0:
        fig.text(0.5, 0.5, "Nothing to show.", ha="center")
    return fig, axes[:n], grid[-1, :]


def _key(fig: Figure, cell, handles: list, columns: int = 2) -> None:
    """Draw the legend `handles` (labels wrapped to fit a column) in an empty axes `cell`."""
    ax = fig.add_subplot(cell)
    ax.axis("off")
    ax.set_label("key")
    for handle in handles:
        handle.set_label(textwrap.fill(handle.get_label(), 96 // columns))
    if handles:
        ax.legend(handles=handles, loc="upper left", ncols=columns, mode="expand", borderaxespad=0, handlelength=1.6)


def _key_height(labels: tuple[str, ...], columns: int = 2) -> float:
    """Inches a legend of `labels`, wrapped as :func:`_key` wraps them, needs in `columns`.

    An estimate: :func:`_fit_key` grows the row if the legend turns out taller.
    """
    lines = [len(textwrap.wrap(label, 96 // columns)) or 1 for label in labels]
    rows = max((sum(lines[i::columns]) for i in range(columns)), default=0)
    return 0.17 * rows + 0.15 if labels else 0.05


def _fit_key(fig: Figure) -> None:
    """Give the legend row the height its legend needs (growing the figure by as much), then lay the figure out.

    A legend's height does not depend on the layout (its labels are wrapped by
    :func:`_key`), so it is measured first and the layout engine runs once.
    """
    keys = [ax for ax in fig.axes if ax.get_label() == "key" and ax.get_legend() is not None]
    if keys:
        grid = keys[0].get_subplotspec().get_gridspec()
        ratios = list(grid.get_height_ratios())
        need = keys[0].get_legend().get_window_extent(fig.canvas.get_renderer()).height / fig.dpi + 0.08
        if need > ratios[-1]:
            fig.set_figheight(fig.get_figheight() + need - ratios[-1])
            ratios[-1] = need
            grid.set_height_ratios(ratios)
    fig.get_layout_engine().execute(fig)


def _finish(fig: Figure, title: str, source: str) -> Figure:
    """Add the title and the source line, lay the figure out once and freeze the layout."""
    fig.suptitle(textwrap.fill(title, 95))
    fig.supxlabel(source, x=0.01, ha="left", fontsize=6, color="#404040")
    _fit_key(fig)
    with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)  # frozen: saving does not lay the figure out again
    return fig


def save(fig: Figure, directory: Path, stem: str) -> None:
    """Write `fig` as `stem.png` (at the style's resolution), `stem.svg` and `stem.pdf`."""
    directory.mkdir(parents=True, exist_ok=True)
    options = {
        "png": {"pil_kwargs": {"compress_level": 3}},  # a third faster than the default 6, files 10% larger
        "svg": {"metadata": {"Date": None}},
        "pdf": {"metadata": {"CreationDate": None}},
    }
    for fmt in FORMATS:
        CANVASES[fmt](fig)  # the figure on this format's canvas
        write_atomically(
            directory / f"{stem}.{fmt}", lambda path, fmt=fmt: fig.savefig(path, format=fmt, **options[fmt])
        )


def _days(dates) -> np.ndarray:
    """Dates as matplotlib's day numbers: what a date axis plots, without matplotlib converting them one by one."""
    return mdates.date2num(np.asarray(dates, dtype="datetime64[ns]"))


def _date_axis(ax, most: int = 8) -> None:
    """Readable dates: concise labels on an automatic locator."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=most)
    locator.intervald[mdates.MONTHLY] = [1, 2, 3, 4, 6, 12]  # a few ticks over three years need every 12th month
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))


def _draw_marks(ax, marks: list[Mark]) -> None:
    """Shade spans and draw dashed lines for the marks inside the panel's dates."""
    lo, hi = (pd.Timestamp(mdates.num2date(v)).tz_localize(None) for v in ax.get_xlim())
    for mark in marks:
        end = mark.end if mark.end is not None else mark.start
        if end < lo or mark.start > hi:
            continue
        if mark.end is not None:
            ax.axvspan(max(mark.start, lo), min(mark.end, hi), color=mark.colour, alpha=0.13, lw=0)
        else:
            ax.axvline(mark.start, color=mark.colour, lw=0.7, ls=mark.line)
        y = WHISKER_FOOT + WHISKER_STEP * mark.level
        for low, high in mark.spreads():
            ax.plot(
                _days([low, high]),
                [y, y],
                transform=ax.get_xaxis_transform(),
                color=mark.colour,
                lw=1.0,
                marker="|",
                ms=4,
                gid=f"spread {mark.number}",
            )
    ax.set_xlim(lo, hi)


def _number_marks(fig: Figure, ax, marks: list[Mark]) -> None:
    """Number the marks inside the top of a panel, each on the highest row where it touches no label.

    Runs on a laid-out, frozen figure, so the boxes measured here are the ones saved. A label
    is measured once; its box on a lower row is the same box moved down by the rows' spacing.
    """
    renderer = fig.canvas.get_renderer()
    panel = ax.get_window_extent(renderer)
    lo, hi = ax.get_xlim()
    first = pd.Timestamp(mdates.num2date(lo)).tz_localize(None)
    placed = []
    for mark in sorted(marks, key=lambda m: m.start):
        x = mdates.date2num(max(mark.start, first))
        if not lo <= x <= hi:
            continue
        text = ax.text(
            x,
            LABEL_TOP,
            str(mark.number),
            transform=ax.get_xaxis_transform(),
            ha="left" if mark.end is not None else "center",
            va="top",
            fontsize=6,
            color="black" if mark.colour == GREY else mark.colour,
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
        )
        top = text.get_window_extent(renderer).padded(1.5)
        rows = [top.translated(0, -LABEL_STEP * row * panel.height) for row in range(LABEL_ROWS)]
        free = (
            row
            for row, box in enumerate(rows)
            if panel.x0 <= box.x0 and box.x1 <= panel.x1 and not any(box.overlaps(other) for other in placed)
        )
        row = next(free, None)
        if row is None:
            text.remove()
            continue
        text.set_y(LABEL_TOP - LABEL_STEP * row)
        placed.append(rows[row])


def _mark_handle(mark: Mark):
    """Legend entry for a numbered mark."""
    if mark.end is not None:
        return Patch(color=mark.colour, alpha=0.3, label=f"{mark.number} {mark.text}")
    return Line2D([], [], color=mark.colour, ls=mark.line, lw=0.8, label=f"{mark.number} {mark.text}")


def series_figure(
    table: pd.DataFrame,
    title: str,
    source: str,
    unit: str,
    marks: list[Mark],
    windows: list[tuple[str, pd.Timestamp, pd.Timestamp]],
    difference: bool = False,
    order: tuple[str, ...] = (),
) -> Figure:
    """One key series over the whole run, with a zoomed panel for each strike window.

    `table` is long (date, scenario and the fan quantiles q5..q95, or a paired difference's
    mean, ci_low, ci_high); each scenario is one colour, in the order of `order` (the
    table's, if it does not name them all). `windows` are (name, start, end).
    """
    factor, shown = readable(unit, difference)
    scenarios = list(dict.fromkeys(table["scenario"]))
    order = order if set(scenarios) <= set(order) else tuple(scenarios)
    colours = dict(zip(order, itertools.cycle(OKABE_ITO), strict=False))
    handles_for = _difference_layer if difference else _fan_layer
    layers = ["mean difference, 95% interval"] if difference else ["median", "50% band"]
    layers += ["90% band"] if len(scenarios) == 1 and not difference else []
    labels = tuple(f"{s}: {layer}" for s in scenarios for layer in layers) + tuple(
        f"{m.number} {m.text}" for m in marks
    )
    labels += (SPREAD_LABEL,) if any(m.spreads() for m in marks) else ()
    key_h = _key_height(labels)
    rows = [2.4] + ([1.8] if windows else []) + [key_h]
    fig = _figure(sum(rows) + 0.7)
    grid = fig.add_gridspec(len(rows), max(1, len(windows)), height_ratios=rows)
    main = fig.add_subplot(grid[0, :])
    zooms = [fig.add_subplot(grid[1, i]) for i in range(len(windows))]
    spans = [(start - ZOOM_MARGIN, end + ZOOM_MARGIN) for _, start, end in windows]
    handles = []
    for scenario, rows_of in table.groupby("scenario", sort=False):
        rows_of = rows_of.set_index("date")
        for ax, shown_rows in [
            (main, rows_of),
            *((z, _between(rows_of, *s)) for z, s in zip(zooms, spans, strict=True)),
        ]:
            found = handles_for(ax, shown_rows, factor, colours[scenario], scenario, len(scenarios) == 1)
        handles += found
    if difference:
        main.axhline(0, color="black", lw=0.6)
    main.set_ylabel(textwrap.fill(shown, 40))
    _date_axis(main)
    _draw_marks(main, marks)
    for ax, (name, start, end), (lo, hi) in zip(zooms, windows, spans, strict=True):
        ax.set_xlim(lo, hi)
        _fit_y(ax, table, lo, hi, factor, difference)
        _date_axis(ax, 5)
        _draw_marks(ax, marks)
        ax.set_title(f"{name}, {start:%d %b %Y} to {end:%d %b %Y}", loc="left")
    if zooms:
        zooms[0].set_ylabel(textwrap.fill(shown, 30))
    spread = [Line2D([], [], color=GREY, marker="|", label=SPREAD_LABEL)] if any(m.spreads() for m in marks) else []
    _key(fig, grid[-1, :], handles + [_mark_handle(m) for m in marks] + spread)
    _finish(fig, title, source)
    for ax in [main, *zooms]:
        _number_marks(fig, ax, marks)
    return fig


def _between(rows: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DataFrame:
    """The rows of a date-indexed, date-sorted table from `lo` to `hi`, and one more on each side.

    A zoomed panel draws only these: its lines and bands still run to the panel's edges, and
    the vector files do not carry the whole run's points outside the panel.
    """
    first, last = rows.index.searchsorted(lo, "left"), rows.index.searchsorted(hi, "right")
    return rows.iloc[max(first - 1, 0) : last + 1]


def _fan_layer(ax, rows: pd.DataFrame, factor: float, colour: str, scenario: str, alone: bool) -> list:
    """Median and bands of one scenario: 50% and 90% alone, the 50% band beside other scenarios."""
    if alone:
        ax.fill_between(_days(rows.index), rows["q5"] * factor, rows["q95"] * factor, color=colour, alpha=0.15, lw=0)
    ax.fill_between(_days(rows.index), rows["q25"] * factor, rows["q75"] * factor, color=colour, alpha=0.3, lw=0)
    ax.plot(_days(rows.index), rows["q50"] * factor, color=colour, lw=1.1)
    name = "" if alone else f"{scenario}: "
    handles = [
        Line2D([], [], color=colour, label=f"{name}median"),
        Patch(color=colour, alpha=0.3, label=f"{name}50% band"),
    ]
    if alone:
        handles.append(Patch(color=colour, alpha=0.15, label="90% band"))
    return handles


def _difference_layer(ax, rows: pd.DataFrame, factor: float, colour: str, scenario: str, alone: bool) -> list:
    """Mean paired difference of one scenario with its 95% interval."""
    ax.fill_between(_days(rows.index), rows["ci_low"] * factor, rows["ci_high"] * factor, color=colour, alpha=0.3, lw=0)
    ax.plot(_days(rows.index), rows["mean"] * factor, color=colour, lw=1.1)
    return [Line2D([], [], color=colour, lw=4, alpha=0.6, label=f"{scenario}: mean difference, 95% interval")]


def _fit_y(ax, table: pd.DataFrame, start, end, factor: float, difference: bool) -> None:
    """Scale a zoomed panel's y axis to the data inside its dates."""
    inside = table[(table["date"] >= start) & (table["date"] <= end)]
    columns = ["ci_low", "ci_high", "mean"] if difference else ["q5", "q95"] if "q5" in table else ["q50"]
    values = inside[[c for c in columns if c in inside]].to_numpy(float) * factor
    values = values[np.isfinite(values)]
    if difference:
        values = np.append(values, 0.0)
    if len(values):
        low, high = values.min(), values.max()
        pad = 0.06 * (high - low) or 0.05 * abs(high) or 1.0
        ax.set_ylim(low - pad, high + pad * 3)  # room at the top for the numbered marks


def dot_interval(table: pd.DataFrame, title: str, source: str) -> Figure:
    """Mean paired difference per scenario with its 95% interval, one small panel per metric.

    Metrics whose differences are zero in every pair (or missing) get no panel.
    """
    unit_map = units("METRIC")
    shown = [m for m in dict.fromkeys(table["metric"]) if _moves(table[table["metric"] == m])]
    scenarios = list(dict.fromkeys(table["scenario"]))
    fig, axes, _ = _panels(len(shown), 3, 0.22 * len(scenarios) + 0.75)
    y = np.arange(len(scenarios))
    for ax, metric in zip(axes, shown, strict=False):
        factor, unit = readable(unit_map.get(metric, ""), difference=True)
        data = table[table["metric"] == metric].set_index("scenario").reindex(scenarios)
        mean, low, high = (data[c].to_numpy(float) * factor for c in ("mean_diff", "ci_low", "ci_high"))
        ax.axvline(0, color="black", lw=0.6)
        ax.hlines(y, low, high, color=BLUE, lw=1.4)
        ax.plot(mean, y, "o", color=BLUE, ms=3.5)
        ax.set_yticks(y, scenarios if ax.get_subplotspec().is_first_col() else [""] * len(scenarios))
        ax.set_ylim(len(scenarios) - 0.5, -0.5)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.grid(axis="x", color="#E6E6E6")
        ax.set_title(textwrap.fill(words(metric, METRIC_WORDS), 30), fontsize=7.5, loc="left")
        ax.set_xlabel(textwrap.fill(unit, 38), fontsize=6.5)
    return _finish(fig, title, source)


def _moves(rows: pd.DataFrame) -> bool:
    """Whether a metric's paired differences are finite and not all zero."""
    values = rows[["mean_diff", "ci_low", "ci_high"]].to_numpy(float)
    values = values[np.isfinite(values)]
    return bool(len(values)) and bool(np.any(values != 0))


def attribution_waterfall(table: pd.DataFrame, title: str, source: str, unit: str) -> Figure:
    """Each mechanism's Shapley value as a step from all off to all on, with its 95% interval.

    The steps add up to the total (all on minus all off), drawn as the last bar with its
    interval and as a dashed line the last step ends on.
    """
    factor, shown = readable(unit, difference=True)
    total = table[table["kind"] == "total"].iloc[0]
    parts = table[table["kind"] == "mechanism"].sort_values("value", key=abs, ascending=False)
    labels = [*parts["label"], "total: all on minus all off"]
    handles = [
        Patch(color=BLUE, label="raises the outcome"),
        Patch(color=VERMILLION, label="lowers the outcome"),
        Patch(color=GREY, label="total, all on minus all off"),
        Line2D([], [], color="black", lw=0.8, marker="|", label="95% interval"),
    ]
    fig, (ax,), key = _panels(1, 1, 0.28 * len(labels) + 0.9, tuple(h.get_label() for h in handles), 4)
    start = 0.0
    for i, (_, row) in enumerate(parts.iterrows()):
        value = row["value"] * factor
        colour = BLUE if value >= 0 else VERMILLION
        ax.barh(i, value, left=start, color=colour, height=0.6)
        end = start + value
        ax.errorbar(
            end,
            i,
            xerr=[[end - (start + row["ci_low"] * factor)], [start + row["ci_high"] * factor - end]],
            color="black",
            lw=0.8,
            capsize=2,
        )
        if i + 1 < len(parts):
            ax.plot([end, end], [i + 0.3, i + 0.7], color=GREY, lw=0.6)
        start = end
    i = len(parts)
    value = total["value"] * factor
    ax.barh(i, value, color=GREY, height=0.6)
    ax.errorbar(
        value,
        i,
        xerr=[[value - total["ci_low"] * factor], [total["ci_high"] * factor - value]],
        color="black",
        lw=0.8,
        capsize=2,
    )
    ax.axvline(value, color="black", ls="--", lw=0.7)
    ax.axvline(0, color="black", lw=0.6)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(len(labels) - 0.4, -0.6)
    ax.grid(axis="x", color="#E6E6E6")
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_locator(MaxNLocator(6))
    ax.set_xlabel(f"contribution, {shown}")
    _key(fig, key, handles, 4)
    return _finish(fig, title, source)


def validation_chart(table: pd.DataFrame, title: str, source: str) -> Figure:
    """Each published target against the simulated runs, one row per metric on its own scale.

    Grey band: the published range; black diamond: the published value; blue line: the
    simulated 2.5%-97.5% range across runs; blue dot: the simulated mean.
    """
    unit_map = units("METRIC")
    handles = [
        Patch(color=GREY, alpha=0.3, label="published range"),
        Line2D([], [], marker="D", color="black", ls="", label="published value"),
        Line2D([], [], color=BLUE, lw=2, label="simulated 2.5% to 97.5% across runs"),
        Line2D([], [], marker="o", color=BLUE, ls="", label="simulated mean"),
    ]
    fig, axes, key = _panels(len(table), 1, 0.5, tuple(h.get_label() for h in handles), 4)
    for ax, (_, row) in zip(axes, table.iterrows(), strict=False):
        factor, unit = readable(unit_map.get(row["metric"], ""))
        ax.axvspan(row["published_low"] * factor, row["published_high"] * factor, color=GREY, alpha=0.3, lw=0)
        ax.plot([row["range_low"] * factor, row["range_high"] * factor], [0, 0], color=BLUE, lw=2)
        ax.plot(row["simulated_mean"] * factor, 0, "o", color=BLUE, ms=4)
        ax.plot(row["published"] * factor, 0, "D", color="black", ms=4)
        ax.set_yticks([0], [f"{words(row['metric'], METRIC_WORDS)} [{unit}]"])
        ax.set_ylim(-1, 1)
        ax.grid(False)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.tick_params(axis="x", labelsize=6.5)
    _key(fig, key, handles, 4)
    return _finish(fig, title, source)


def record_paths(table: pd.DataFrame, title: str, source: str, events: tuple[Mark, ...] = ()) -> Figure:
    """Each published target on the simulated path it is read from, one panel per path.

    Blue: the median path across runs with its 5%-95% band; black: the published value with
    its published range, on the date the metric reads it; `events`, the record's dated events
    (lettered), as a layer of their own.
    """
    unit_map = units("SERIES")
    paths = list(dict.fromkeys(table["path"]))
    handles = [
        Line2D([], [], color=BLUE, label="simulated median"),
        Patch(color=BLUE, alpha=0.25, label="simulated 5% to 95% across runs"),
        Line2D([], [], color="black", marker="D", ls="", label="published value and range"),
    ]
    handles += [_mark_handle(m) for m in events]
    fig, axes, key = _panels(len(paths), 2, 1.9, tuple(h.get_label() for h in handles), 3)
    for ax, path in zip(axes, paths, strict=False):
        rows = table[table["path"] == path]
        column, kind = path.split(" (")[0], path.split(" (")[-1].rstrip(")")
        changes = {"growth over a year": "% over a year", "change over a month": "% over a month"}
        changes["half-year, annualised"] = "% a year"
        factor, unit = (100.0, changes[kind]) if kind in changes else readable(unit_map.get(column, ""))
        line, points = rows[rows["layer"] == "path"], rows[rows["layer"] == "published"]
        ax.fill_between(_days(line["date"]), line["q5"] * factor, line["q95"] * factor, color=BLUE, alpha=0.25, lw=0)
        ax.plot(_days(line["date"]), line["q50"] * factor, color=BLUE, lw=1.1)
        value = points["published"].to_numpy(float) * factor
        error = [value - points["published_low"] * factor, points["published_high"] * factor - value]
        ax.errorbar(_days(points["date"]), value, yerr=error, fmt="D", color="black", ms=3.5, capsize=2, lw=0.9)
        name = words(column, SERIES_WORDS) + (f", {kind}" if kind in changes else "")
        ax.set_title(textwrap.fill(name, 48), fontsize=7.5, loc="left")
        ax.set_ylabel(textwrap.fill(unit, 28), fontsize=6.5)
        _date_axis(ax, 5)
        _draw_marks(ax, list(events))
    _key(fig, key, handles, 3)
    _finish(fig, title, source)
    for ax in axes:
        _number_marks(fig, ax, list(events))
    return fig


def sweep_scatter(
    table: pd.DataFrame, title: str, source: str, param: str, base: float | None = None, zero: bool = False
) -> Figure:
    """Each metric against one swept parameter: the runs and a smoothed curve per scenario.

    `base` (the parameter's value in the base parameters) is marked with a dashed line; `zero`
    draws a dotted line at zero (for differences: where the answer changes sign).
    """
    unit_map = units("METRIC")
    metrics = _finite(table, "metric", "y")
    labels = tuple(f"{s}: {layer}" for s in dict.fromkeys(table["scenario"]) for layer in ("runs", "smoothed"))
    labels += (f"base value ({base:g})",) if base is not None else ()
    fig, axes, key = _panels(len(metrics), 3, 2.1, labels, 3)
    for ax, metric in zip(axes, metrics, strict=False):
        factor, unit = readable(unit_map.get(metric, ""))
        groups = table[table["metric"] == metric].groupby("scenario", sort=False)
        for colour, (scenario, data) in zip(itertools.cycle(OKABE_ITO), groups):
            runs, smooth = data[data["layer"] == "run"], data[data["layer"] == "smoothed"]
            ax.scatter(runs["x"], runs["y"] * factor, s=7, color=colour, alpha=0.5, lw=0, label=f"{scenario}: runs")
            ax.plot(smooth["x"], smooth["y"] * factor, color=colour, lw=1.4, label=f"{scenario}: smoothed")
        if base is not None:
            ax.axvline(base, color="black", ls="--", lw=0.8, label=f"base value ({base:g})")
        if zero:
            ax.axhline(0.0, color="black", ls=":", lw=0.8)
        ax.set_title(textwrap.fill(words(metric, METRIC_WORDS), 34), fontsize=7.5, loc="left")
        ax.set_ylabel(textwrap.fill(unit, 30), fontsize=6.5)
        ax.set_xlabel(param, fontsize=6.5)
        ax.xaxis.set_major_locator(MaxNLocator(4))
    _key(fig, key, axes[0].get_legend_handles_labels()[0] if axes else [], 3)
    return _finish(fig, title, source)


def _finite(table: pd.DataFrame, by: str, value: str) -> list[str]:
    """Return the values of column `by`, in order, whose rows have some finite `value`."""
    finite = table[value].notna() & np.isfinite(table[value].astype(float))
    return list(dict.fromkeys(table.loc[finite, by]))


def grid_heatmaps(table: pd.DataFrame, title: str, source: str, params: list[str]) -> Figure:
    """Mean of each metric over a two-parameter grid, one heat map per metric."""
    unit_map = units("METRIC")
    a, b = params
    metrics = _finite(table, "metric", "mean")
    fig, axes, _ = _panels(len(metrics), 3, 2.4)
    for ax, metric in zip(axes, metrics, strict=False):
        factor, unit = readable(unit_map.get(metric, ""))
        grid = table[table["metric"] == metric].pivot(index=b, columns=a, values="mean")
        image = ax.imshow(grid.to_numpy() * factor, origin="lower", aspect="auto", cmap="cividis")
        ax.set_xticks(range(grid.shape[1]), [_tick(v) for v in grid.columns], fontsize=6)
        ax.set_yticks(range(grid.shape[0]), [_tick(v) for v in grid.index], fontsize=6)
        ax.set_xlabel(a, fontsize=6.5)
        ax.set_ylabel(b, fontsize=6.5)
        ax.grid(False)
        ax.set_title(textwrap.fill(words(metric, METRIC_WORDS), 34), fontsize=7.5, loc="left")
        fig.colorbar(image, ax=ax).set_label(textwrap.fill(unit, 30), fontsize=6)
    return _finish(fig, title, source)


def _tick(value) -> str:
    """A grid value as a tick label."""
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def sobol_bars(table: pd.DataFrame, title: str, source: str) -> Figure:
    """First-order and total Sobol indices with their CIs, one panel per metric."""
    metrics = _finite(table, "metric", "ST")
    parameters = list(dict.fromkeys(table["parameter"]))
    fig, axes, key = _panels(len(metrics), 3, 0.25 * len(parameters) + 0.9, ("first order S1", "total ST"))
    y = np.arange(len(parameters))
    for ax, metric in zip(axes, metrics, strict=False):
        data = table[table["metric"] == metric].set_index("parameter").reindex(parameters)
        ax.barh(y - 0.2, data["S1"], 0.4, xerr=data["S1_conf"], color=BLUE, label="first order S1")
        ax.barh(y + 0.2, data["ST"], 0.4, xerr=data["ST_conf"], color=ORANGE, label="total ST")
        ax.set_yticks(y, parameters if ax.get_subplotspec().is_first_col() else [""] * len(parameters), fontsize=6)
        ax.invert_yaxis()
        ax.axvline(0, color="black", lw=0.6)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.set_title(textwrap.fill(words(metric, METRIC_WORDS), 34), fontsize=7.5, loc="left")
        ax.set_xlabel("share of variance", fontsize=6.5)
    _key(fig, key, axes[0].get_legend_handles_labels()[0] if axes else [])
    return _finish(fig, title, source)
