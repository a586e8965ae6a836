"""Matplotlib figures of the report, drawn from the tables of `experiments.tables`.

Each function takes a long table and returns a `matplotlib.figure.Figure`
(constrained layout, Okabe-Ito colours, a source line at the bottom) drawn on
its own Agg canvas; nothing touches pyplot's global state. `save` writes a figure as PNG and SVG.
"""

from __future__ import annotations

import importlib
import itertools
import math
import textwrap
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from viachilena.experiments.results import Event
from viachilena.experiments.store import write_atomically

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
BLUE, ORANGE, GREEN, VERMILLION = OKABE_ITO[:4]
GREY = "#7F7F7F"


def units(kind: str) -> dict[str, str]:
    """`model.SERIES_UNITS` or `model.METRIC_UNITS` (kind "SERIES"/"METRIC"), or {}."""
    try:
        model = importlib.import_module("viachilena.model")
    except ImportError:
        return {}
    return dict(getattr(model, f"{kind}_UNITS", {}))


def label(name: str, unit_map: dict[str, str], prefix: str = "") -> str:
    """Axis label of a panel titled `name`: its unit, or the bare name if it has none."""
    return textwrap.fill(prefix + unit_map.get(name, name), 34)


def _panels(n: int, ncols: int, panel: tuple[float, float], **kw) -> tuple[Figure, list]:
    """Make a constrained-layout figure with `n` panels in at most `ncols` columns.

    With no panels to draw, the figure says so instead.
    """
    ncols = max(1, min(ncols, n))
    nrows = max(1, math.ceil(n / ncols))
    fig = Figure(figsize=(panel[0] * ncols, panel[1] * nrows + 1.2), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    if n == 0:
        fig.text(0.5, 0.5, "No finite values to show.", ha="center", va="center")
    return fig, list(axes[:n])


def _finite(table: pd.DataFrame, by: str, value: str) -> list[str]:
    """Return the values of column `by`, in order, whose rows have some finite `value`."""
    finite = table[value].notna() & np.isfinite(table[value].astype(float))
    return list(dict.fromkeys(table.loc[finite, by]))


def _finish(fig: Figure, title: str, source: str, key: list | None = None) -> Figure:
    """Add the title (heading the `key` legend handles, if any) and the source line."""
    if key:
        legend = fig.legend(
            handles=key,
            loc="outside upper center",
            ncols=3,
            frameon=False,
            fontsize="x-small",
            title=title,
            title_fontsize="large",
        )
        legend.get_title().set_multialignment("center")
    else:
        fig.suptitle(title, fontsize="large")
    fig.supxlabel(source, x=0.01, ha="left", fontsize="x-small", color="#404040")
    return fig


def save(fig: Figure, directory: Path, stem: str) -> None:
    """Write `fig` as `stem.png` and `stem.svg` into `directory` (laid out once, for both)."""
    directory.mkdir(parents=True, exist_ok=True)
    write_atomically(directory / f"{stem}.png", lambda path: fig.savefig(path, dpi=110, format="png"))
    fig.set_layout_engine("none")
    write_atomically(directory / f"{stem}.svg", lambda path: fig.savefig(path, format="svg", metadata={"Date": None}))


def _date_axis(ax) -> None:
    """Readable dates: concise labels on an automatic locator."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _mark_events(axes: list, events: list[Event], changed: dict[str, pd.Timestamp]) -> list:
    """Mark historical events (grey) and scenario-changed dates (vermillion) on every panel.

    Each mark is numbered above the panel (marks on one date share a label);
    returns legend handles that say what each number is.
    """
    marks = [(e, GREY) for e in events] + [(Event(k, d), VERMILLION) for k, d in changed.items()]
    lo, hi = (mdates.num2date(v).replace(tzinfo=None) for v in axes[0].get_xlim())
    shown = [(n, e, c) for n, (e, c) in enumerate(marks, start=1) if lo <= e.start <= hi]
    for ax in axes:
        for _, event, colour in shown:
            if event.end is not None:
                ax.axvspan(event.start, min(event.end, hi), color=colour, alpha=0.15, lw=0)
            else:
                ax.axvline(event.start, color=colour, lw=0.8, ls="--")
        for group in _clusters(shown):
            ax.text(
                group[0][1].start,
                1.0,
                ",".join(str(n) for n, _, _ in sorted(group)),
                color=group[0][2] if len(group) == 1 else "black",
                fontsize="x-small",
                ha="left" if len(group) > 1 else "center",
                va="bottom",
                transform=ax.get_xaxis_transform(),
            )
        ax.set_xlim(lo, hi)
    return [_event_handle(number, event, colour) for number, event, colour in shown]


def _clusters(shown: list, days: int = 45) -> list[list]:
    """Chain marks less than `days` apart into groups that share one label, so labels don't collide."""
    groups: list[list] = []
    for mark in sorted(shown, key=lambda m: m[1].start):
        if groups and (mark[1].start - groups[-1][-1][1].start).days < days:
            groups[-1].append(mark)
        else:
            groups.append([mark])
    return groups


def _event_handle(number: int, event: Event, colour: str):
    """Legend entry for a numbered event mark: a dashed line, or a patch for a span."""
    if event.end is not None:
        text = f"{number}: {event.label} ({event.start:%Y-%m-%d} to {event.end:%Y-%m-%d})"
        return Patch(color=colour, alpha=0.3, label=text)
    text = f"{number}: {event.label} ({event.start:%Y-%m-%d})"
    return Line2D([], [], color=colour, ls="--", label=text)


def _series_panels(
    table: pd.DataFrame,
    title: str,
    source: str,
    events: list[Event],
    changed: dict[str, pd.Timestamp],
    draw,
    prefix: str = "",
) -> Figure:
    """One dated panel per series of `table`, drawn by `draw(ax, rows)`, with the events marked."""
    unit_map = units("SERIES")
    names = list(dict.fromkeys(table["series"]))
    fig, axes = _panels(len(names), 2, (5.2, 2.6), sharex=True)
    for ax, name in zip(axes, names, strict=True):
        draw(ax, table[table["series"] == name])
        ax.set_title(name, fontsize="medium", pad=12)
        ax.set_ylabel(label(name, unit_map, prefix), fontsize="small")
        _date_axis(ax)
    key = axes[0].get_legend_handles_labels()[0] + _mark_events(axes, events, changed)
    return _finish(fig, title, source, key)


def fan_chart(
    table: pd.DataFrame, title: str, source: str, events: list[Event], changed: dict[str, pd.Timestamp]
) -> Figure:
    """Median line with 50% and 90% bands across runs, one panel per series."""

    def draw(ax, data: pd.DataFrame) -> None:
        ax.fill_between(data["date"], data["q5"], data["q95"], color=BLUE, alpha=0.18, lw=0, label="90% band")
        ax.fill_between(data["date"], data["q25"], data["q75"], color=BLUE, alpha=0.35, lw=0, label="50% band")
        ax.plot(data["date"], data["q50"], color=BLUE, lw=1.2, label="median")

    return _series_panels(table, title, source, events, changed, draw)


def difference_bands(
    table: pd.DataFrame, title: str, source: str, events: list[Event], changed: dict[str, pd.Timestamp]
) -> Figure:
    """Mean paired difference over time with its 95% CI band, one panel per series."""

    def draw(ax, data: pd.DataFrame) -> None:
        ax.axhline(0, color="black", lw=0.6)
        ax.fill_between(data["date"], data["ci_low"], data["ci_high"], color=ORANGE, alpha=0.35, lw=0, label="95% CI")
        ax.plot(data["date"], data["mean"], color=ORANGE, lw=1.2, label="mean difference")

    return _series_panels(table, title, source, events, changed, draw, "difference, ")


def dot_whisker(table: pd.DataFrame, title: str, source: str) -> Figure:
    """Mean paired difference per scenario with its 95% CI, one panel per metric."""
    unit_map = units("METRIC")
    metrics = _finite(table, "metric", "mean_diff")
    scenarios = list(dict.fromkeys(table["scenario"]))
    fig, axes = _panels(len(metrics), 4, (3.4, 0.45 * len(scenarios) + 1.2), sharey=True)
    for ax, metric in zip(axes, metrics, strict=True):
        data = table[table["metric"] == metric].set_index("scenario").loc[scenarios]
        y = np.arange(len(scenarios))
        err = np.vstack([data["mean_diff"] - data["ci_low"], data["ci_high"] - data["mean_diff"]])
        ax.axvline(0, color="black", lw=0.6)
        ax.errorbar(data["mean_diff"], y, xerr=err, fmt="o", color=BLUE, ecolor=BLUE, capsize=3)
        ax.set_yticks(y, scenarios, fontsize="small")
        ax.set_title(metric, fontsize="small")
        ax.set_xlabel(label(metric, unit_map, "difference, "), fontsize="x-small")
    axes[0].set_ylim(len(scenarios) - 0.3, -0.7)
    return _finish(fig, title, source)


def sweep_scatter(table: pd.DataFrame, title: str, source: str, param: str) -> Figure:
    """Each metric against one swept parameter: the runs and a smoothed curve per scenario."""
    unit_map = units("METRIC")
    metrics = _finite(table, "metric", "y")
    fig, axes = _panels(len(metrics), 4, (3.2, 2.6))
    for ax, metric in zip(axes, metrics, strict=True):
        groups = table[table["metric"] == metric].groupby("scenario", sort=False)
        for colour, (scenario, data) in zip(itertools.cycle(OKABE_ITO), groups):
            runs, smooth = data[data["layer"] == "run"], data[data["layer"] == "smoothed"]
            ax.scatter(runs["x"], runs["y"], s=8, color=colour, alpha=0.5, lw=0, label=f"{scenario}: runs")
            ax.plot(smooth["x"], smooth["y"], color=colour, lw=1.5, label=f"{scenario}: smoothed")
        ax.set_title(metric, fontsize="small")
        ax.set_ylabel(label(metric, unit_map), fontsize="x-small")
        ax.set_xlabel(param, fontsize="x-small")
    return _finish(fig, title, source, axes[0].get_legend_handles_labels()[0] if axes else None)


def grid_heatmaps(table: pd.DataFrame, title: str, source: str, params: list[str]) -> Figure:
    """Mean of each metric over a two-parameter grid, one heat map per metric."""
    unit_map = units("METRIC")
    a, b = params
    metrics = _finite(table, "metric", "mean")
    fig, axes = _panels(len(metrics), 3, (3.8, 3.0))
    for ax, metric in zip(axes, metrics, strict=True):
        grid = table[table["metric"] == metric].pivot(index=b, columns=a, values="mean")
        image = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="cividis")
        ax.set_xticks(
            range(grid.shape[1]),
            [f"{v:.3g}" if isinstance(v, float) else str(v) for v in grid.columns],
            fontsize="x-small",
        )
        ax.set_yticks(
            range(grid.shape[0]),
            [f"{v:.3g}" if isinstance(v, float) else str(v) for v in grid.index],
            fontsize="x-small",
        )
        ax.set_xlabel(a, fontsize="x-small")
        ax.set_ylabel(b, fontsize="x-small")
        ax.set_title(metric, fontsize="small")
        fig.colorbar(image, ax=ax).set_label(label(metric, unit_map), fontsize="x-small")
    return _finish(fig, title, source)


def sobol_bars(table: pd.DataFrame, title: str, source: str) -> Figure:
    """First-order and total Sobol indices with their CIs, one panel per metric."""
    metrics = _finite(table, "metric", "ST")
    parameters = list(dict.fromkeys(table["parameter"]))
    fig, axes = _panels(len(metrics), 3, (3.8, 0.5 * len(parameters) + 1.2))
    y = np.arange(len(parameters))
    for ax, metric in zip(axes, metrics, strict=True):
        data = table[table["metric"] == metric].set_index("parameter").reindex(parameters)
        ax.barh(y - 0.2, data["S1"], 0.4, xerr=data["S1_conf"], color=BLUE, label="first order S1")
        ax.barh(y + 0.2, data["ST"], 0.4, xerr=data["ST_conf"], color=ORANGE, label="total ST")
        ax.set_yticks(y, parameters, fontsize="x-small")
        ax.invert_yaxis()
        ax.axvline(0, color="black", lw=0.6)
        ax.set_title(metric, fontsize="small")
        ax.set_xlabel("Sobol index [share of variance]", fontsize="x-small")
    return _finish(fig, title, source, axes[0].get_legend_handles_labels()[0])
