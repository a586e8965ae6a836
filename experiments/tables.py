"""The statistics behind the report: every table and every figure's data as a DataFrame.

Intervals for means and paired differences are Student-t 95% confidence
intervals; "range" columns are the 2.5% and 97.5% quantiles across runs. Every table of
metrics carries a ``unit`` column. Daily series are read once for the whole report
(:class:`SeriesCube`) and every time table is cut from that.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from viachilena.experiments import attribution
from viachilena.experiments.figures import units
from viachilena.experiments.results import History, ReportData, as_timestamp
from viachilena.experiments.store import EVENTS, trusted_parts

LEVEL = 0.95
FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
PAIR_KEYS = ["point", "replication"]
# The event kinds the model writes (model/*.py ``log.event``) that are marks on the time axes:
# the owners' strikes (a window from start to end), the government's turn of stance, the
# political events (the dated calendar and the turn's event: the military cabinet), the traders'
# strikes (on the day they start), rationing and the price decrees. Firm-level and
# neighbourhood-level events are not marks.
MARK_KINDS = ("strike_start", "strike_end", "stance", "political", "traders_strike", "rationing", "price_decree")
MARK_SPREAD = (0.1, 0.5, 0.9)  # a mark's date: the median across the runs that have it, and its 10%-90% range


def t_interval(values) -> tuple[int, float, float, float]:
    """Return (n, mean, low, high): the mean of the finite values and its t-interval."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return 0, np.nan, np.nan, np.nan
    mean = float(x.mean())
    if n < 2:
        return n, mean, np.nan, np.nan
    half = stats.t.ppf(0.5 + LEVEL / 2, n - 1) * x.std(ddof=1) / np.sqrt(n)
    return n, mean, mean - half, mean + half


def _t_band(frame: pd.DataFrame) -> pd.DataFrame:
    """Row-wise t-interval of the mean across the columns of `frame`."""
    n = frame.notna().sum(axis=1)
    mean = frame.mean(axis=1)
    half = stats.t.ppf(0.5 + LEVEL / 2, (n - 1).clip(lower=1)) * frame.std(axis=1) / np.sqrt(n)
    return pd.DataFrame({"n": n, "mean": mean, "ci_low": mean - half, "ci_high": mean + half})


def metric_summary(results: ReportData) -> pd.DataFrame:
    """Per scenario and metric: n, mean, 95% CI of the mean, sd and 2.5-97.5% range."""
    metric_units = units("METRIC")
    rows = []
    for scenario in results.scenarios:
        runs = results.ok[results.ok["scenario"] == scenario]
        for metric in results.metrics:
            n, mean, low, high = t_interval(runs[metric])
            values = runs[metric].dropna()
            rows.append(
                {
                    "scenario": scenario,
                    "metric": metric,
                    "n": n,
                    "mean": mean,
                    "ci_low": low,
                    "ci_high": high,
                    "sd": values.std(),
                    "range_low": values.quantile(0.025),
                    "range_high": values.quantile(0.975),
                    "unit": metric_units.get(metric, ""),
                }
            )
    return pd.DataFrame(rows)


def pairs(results: ReportData, scenario: str) -> pd.DataFrame:
    """Finished runs of `scenario` joined with the reference run of the same point and replication.

    Columns: run_id, run_id_ref, seed, seed_ref, and each metric for both (`_ref` suffix).
    """
    ok = results.ok
    cols = ["run_id", "seed", *PAIR_KEYS, *results.metrics]
    return ok.loc[ok["scenario"] == scenario, cols].merge(
        ok.loc[ok["scenario"] == results.reference, cols], on=PAIR_KEYS, suffixes=("", "_ref")
    )


def paired_differences(results: ReportData) -> pd.DataFrame:
    """Each scenario minus the reference, per metric: mean paired difference and its 95% CI."""
    metric_units = units("METRIC")
    rows = []
    for scenario in results.scenarios[1:]:
        joined = pairs(results, scenario)
        same_seeds = bool((joined["seed"] == joined["seed_ref"]).all())
        for metric in results.metrics:
            n, mean, low, high = t_interval(joined[metric] - joined[f"{metric}_ref"])
            rows.append(
                {
                    "scenario": scenario,
                    "reference": results.reference,
                    "metric": metric,
                    "n_pairs": n,
                    "mean_diff": mean,
                    "ci_low": low,
                    "ci_high": high,
                    "same_seeds": same_seeds,
                    "unit": metric_units.get(metric, ""),
                }
            )
    return pd.DataFrame(rows)


def validation(summary: pd.DataFrame, scenario: str, history: History) -> pd.DataFrame:
    """Compare the simulated mean and 2.5-97.5% range of `scenario` with published targets."""
    sim = summary[(summary["scenario"] == scenario) & summary["metric"].isin(history.targets)].set_index("metric")
    rows = []
    for metric, row in sim.iterrows():
        target = history.targets[metric]
        rows.append(
            {
                "metric": metric,
                "simulated_mean": row["mean"],
                "range_low": row["range_low"],
                "range_high": row["range_high"],
                "published": target.value,
                "published_low": target.low,
                "published_high": target.high,
                "published_in_range": row["range_low"] <= target.value <= row["range_high"],
                "mean_in_published_range": target.low <= row["mean"] <= target.high,
                "unit": row["unit"],
                "source": target.source,
            }
        )
    return pd.DataFrame(rows)


class SeriesCube:
    """Every listed run's daily series of some columns, read once and kept as arrays."""

    def __init__(self, results: ReportData, run_ids, columns: list[str]):
        run_ids = list(run_ids)
        frames = [results.series(run_id, columns) for run_id in run_ids]
        self.dates = frames[0].index if frames else pd.DatetimeIndex([], name="date")
        for frame in frames:
            if len(frame.index) != len(self.dates) or not frame.index.equals(self.dates):
                self.dates = self.dates.union(frame.index)
        frames = [f if f.index.equals(self.dates) else f.reindex(self.dates) for f in frames]
        self.position = {run_id: i for i, run_id in enumerate(run_ids)}
        self.values = {c: np.column_stack([f[c].to_numpy(float) for f in frames]) for c in columns} if frames else {}

    def frame(self, column: str, run_ids) -> np.ndarray:
        """The values of `column` (days x runs) of `run_ids`, in their order."""
        return self.values[column][:, [self.position[r] for r in run_ids]]


def _quantiles(values: np.ndarray, levels) -> np.ndarray:
    """Each row's quantiles at `levels` across its columns, missing values left out (levels x rows)."""
    quantile = np.nanquantile if np.isnan(values).any() else np.quantile  # the first is far slower
    return quantile(values, levels, axis=1)


def fan(cube: SeriesCube, runs: dict[str, list[str]], column: str) -> pd.DataFrame:
    """Long table of date, scenario and the fan quantiles across runs (q5, q25, q50, q75, q95)."""
    pieces = []
    for scenario, run_ids in runs.items():
        quantiles = _quantiles(cube.frame(column, run_ids), FAN_QUANTILES)
        piece = pd.DataFrame(quantiles.T, columns=[f"q{round(q * 100)}" for q in FAN_QUANTILES])
        pieces.append(piece.assign(date=cube.dates, scenario=scenario))
    return pd.concat(pieces, ignore_index=True)[["date", "scenario", *pieces[0].columns[:-2]]]


def series_differences(results: ReportData, cube: SeriesCube, column: str) -> pd.DataFrame:
    """Long table of date, scenario, n, the mean paired difference to the reference and its 95% CI."""
    pieces = []
    for scenario in results.scenarios[1:]:
        joined = pairs(results, scenario)
        diff = cube.frame(column, joined["run_id"]) - cube.frame(column, joined["run_id_ref"])
        band = _t_band(pd.DataFrame(diff, index=cube.dates))
        pieces.append(band.reset_index(names="date").assign(scenario=scenario))
    return pd.concat(pieces, ignore_index=True)[["date", "scenario", "n", "mean", "ci_low", "ci_high"]]


# Published targets as points on a daily path: metric -> (series, "growth" over a year of its
# 31-day mean, or its "level"; the date the metric reads it, "end" for the run's last day),
# as model/summary.py defines the metrics.
TARGET_PATHS = {
    "gdp_growth_1971": ("gdp", "growth", "1971-12-31"),
    "gdp_growth_1972": ("gdp", "growth", "1972-12-31"),
    "industrial_growth_1971": ("industrial_output", "growth", "1971-12-31"),
    "inflation_1971": ("cpi_official", "growth", "1971-12-31"),
    "inflation_1972": ("cpi_official", "growth", "1972-12-31"),
    "real_wage_growth_1971": ("real_wage", "growth", "1971-12-31"),
    "money_growth_1971": ("money_stock", "growth", "1971-12-31"),
    "unemployment_end_1971": ("unemployment_rate", "level", "1971-12-16"),
    "reserves_end_1970": ("reserves_usd", "level", "1970-12-31"),
    "aps_firms_mid_1972": ("aps_firms", "level", "1972-06-30"),
    "aps_firms_end": ("aps_firms", "level", "end"),
    "money_to_gdp_1970": ("money_to_gdp", "level", "1970-12-31"),
    "money_to_gdp_h1_1972": ("money_to_gdp", "level", "1972-03-31"),
    "official_price_change_aug_1972": ("official_price", "month", "1972-08-31"),
    "inflation_six_months_1973": ("cpi_official", "half year", "end"),
    "inflation_12_months_aug_1973": ("cpi_official", "growth", "1973-08-31"),
    "real_wage_aug_1973": ("real_wage", "level", "1973-08-16"),
}
LAGS = {"growth": 365, "month": 31, "half year": 182}
PATH_NAMES = {"growth": "growth over a year", "month": "change over a month", "half year": "half-year, annualised"}
YEAR, MONTH = 365, 31


def record_paths(cube: SeriesCube, run_ids: list[str], history: History) -> pd.DataFrame:
    """The published targets against the simulated daily paths they are read from.

    Long table with one row per path, date and layer: layer "path" has the 5%, 50% and 95%
    quantiles across runs of the series' level or of its growth over a year (31-day means, so
    its value on 31 December is the December-to-December growth the target is); layer
    "published" has the published value, low and high on the date the metric reads.
    """
    pieces = []
    for metric, (column, kind, date) in TARGET_PATHS.items():
        if metric not in history.targets or column not in cube.values:
            continue
        values = cube.frame(column, run_ids)
        if kind in LAGS:
            lag = LAGS[kind]
            means = pd.DataFrame(values).rolling(MONTH).mean().to_numpy() if kind == "growth" else values
            values = np.full_like(means, np.nan)
            values[lag:] = means[lag:] / means[:-lag] - 1.0
            if kind == "half year":
                values = (1.0 + values) ** (365.0 / lag) - 1.0
        path = f"{column} ({PATH_NAMES.get(kind, 'level')})"
        finite = np.isfinite(values).any(axis=1)
        if not finite.any():
            continue
        if not any(p["path"].iloc[0] == path for p in pieces if p["layer"].iloc[0] == "path"):
            quantiles = _quantiles(values[finite], (0.05, 0.5, 0.95))
            pieces.append(
                pd.DataFrame(
                    {
                        "path": path,
                        "layer": "path",
                        "date": cube.dates[finite],
                        "q5": quantiles[0],
                        "q50": quantiles[1],
                        "q95": quantiles[2],
                    }
                )
            )
        target = history.targets[metric]
        when = cube.dates[-1] if date == "end" else pd.Timestamp(date)
        pieces.append(
            pd.DataFrame(
                {
                    "path": path,
                    "layer": "published",
                    "date": [when],
                    "metric": metric,
                    "published": target.value,
                    "published_low": target.low,
                    "published_high": target.high,
                }
            )
        )
    return pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame()


def attributions(results: ReportData) -> dict[str, pd.DataFrame]:
    """Per outcome of an attribution experiment: Shapley values, the total and their sum, with units."""
    described = results.experiment.get("attribution")
    if not described:
        return {}
    metric_units = units("METRIC")
    found = {}
    for outcome in described["outcomes"]:
        games = results.ok.pivot_table(index="replication", columns="scenario", values=outcome, dropna=False)
        table = attribution.attribute(games, described)
        kinds = ["mechanism"] * (len(table) - 2) + ["total", "sum"]
        found[outcome] = table.assign(kind=kinds, unit=metric_units.get(outcome, ""))
    return found


def lowess(x, y, frac: float = 2 / 3, points: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Locally weighted linear fit (tricube weights, one pass) evaluated on an even grid.

    Each grid point uses the nearest `frac` of the data; where those all share
    one x value the fit is their weighted mean.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    grid = np.linspace(x.min(), x.max(), points) if len(x) else np.array([])
    if len(x) == 0:
        return grid, grid
    k = min(len(x), max(3, int(np.ceil(frac * len(x)))))
    dist = np.abs(x[None, :] - grid[:, None])
    radius = np.partition(dist, k - 1, axis=1)[:, k - 1 : k]
    w = np.clip(1 - (dist / np.where(radius > 0, radius * 1.0001, 1)) ** 3, 0, None) ** 3
    w = np.where(radius > 0, w, dist == 0)
    sw, sx, sy = w.sum(1), w @ x, w @ y
    sxx, sxy = w @ (x * x), w @ (x * y)
    denom = sw * sxx - sx**2
    flat = np.abs(denom) <= 1e-12 * np.maximum(sw * sxx, 1e-300)
    slope = np.where(flat, 0.0, (sw * sxy - sx * sy) / np.where(flat, 1.0, denom))
    fit = (sy - slope * sx) / sw + slope * grid
    return grid, fit


def sweep_points(results: ReportData, param: str) -> pd.DataFrame:
    """Long table for one parameter: each run's metric values and the smoothed curves.

    Columns: scenario, metric, layer ("run" or "smoothed"), x, y; one smoothed
    curve per scenario and metric. For a text-valued parameter the smoothed
    layer is the mean per value.
    """
    pieces = []
    for scenario in results.scenarios:
        ok = results.ok[results.ok["scenario"] == scenario]
        for metric in results.metrics:
            pieces += _run_and_smoothed(scenario, metric, ok[param], ok[metric])
    return pd.concat(pieces, ignore_index=True)


def sweep_differences(results: ReportData, param: str) -> pd.DataFrame:
    """The same long table for each scenario's paired difference from the reference, against one parameter.

    Scenario labels read "<scenario> minus <reference>"; where a smoothed curve crosses zero the
    answer to "is the scenario better or worse than the reference?" changes sign.
    """
    pieces = []
    for scenario in results.scenarios[1:]:
        joined = pairs(results, scenario).merge(results.ok[["run_id", param]], on="run_id")
        label = f"{scenario} minus {results.reference}"
        for metric in results.metrics:
            pieces += _run_and_smoothed(label, metric, joined[param], joined[metric] - joined[f"{metric}_ref"])
    return (
        pd.concat(pieces, ignore_index=True)
        if pieces
        else pd.DataFrame(columns=["scenario", "metric", "layer", "x", "y"])
    )


def sign_changes(differences: pd.DataFrame, param: str) -> pd.DataFrame:
    """Where each smoothed paired difference crosses zero: parameter values, by linear interpolation.

    Columns: scenario, metric, parameter, crossings (the values, "" if the sign never changes),
    sign at the low end, sign at the high end.
    """
    rows = []
    smooth = differences[differences["layer"] == "smoothed"]
    for (scenario, metric), curve in smooth.groupby(["scenario", "metric"], sort=False):
        x, y = curve["x"].to_numpy(dtype=float), curve["y"].to_numpy(dtype=float)
        keep = np.isfinite(x) & np.isfinite(y)
        if not keep.any():
            continue
        low, high = np.sign(y[keep][0]), np.sign(y[keep][-1])
        keep &= y != 0  # a curve that touches zero between two signs crosses it there
        x, y = x[keep], y[keep]
        cross = np.flatnonzero(np.sign(y[:-1]) * np.sign(y[1:]) < 0)
        at = x[cross] - y[cross] * (x[cross + 1] - x[cross]) / (y[cross + 1] - y[cross])
        rows.append(
            {
                "scenario": scenario,
                "metric": metric,
                "parameter": param,
                "crossings": ", ".join(f"{v:.4g}" for v in at),
                "sign_low": float(low),
                "sign_high": float(high),
            }
        )
    return pd.DataFrame(rows)


def _run_and_smoothed(label: str, metric: str, x: pd.Series, y: pd.Series) -> list[pd.DataFrame]:
    """The runs of one metric against one parameter and their smoothed curve (mean per value for text)."""
    runs = pd.DataFrame({"scenario": label, "metric": metric, "layer": "run", "x": x, "y": y})
    if pd.api.types.is_numeric_dtype(x):
        sx, sy = lowess(x, y)
    else:
        means = y.groupby(x, sort=True).mean()
        sx, sy = means.index, means.to_numpy()
    return [runs, pd.DataFrame({"scenario": label, "metric": metric, "layer": "smoothed", "x": sx, "y": sy})]


def is_grid(results: ReportData) -> bool:
    """Whether the sweep varies exactly two parameters over a full grid of points."""
    if len(results.param_columns) != 2:
        return False
    a, b = results.param_columns
    points = results.runs.drop_duplicates("point")
    combos = points[[a, b]].drop_duplicates()
    return len(combos) == points[a].nunique() * points[b].nunique() > 1


def grid_means(results: ReportData) -> pd.DataFrame:
    """Long table of scenario, the two grid parameters, metric, n and mean over finished runs."""
    a, b = results.param_columns
    means = results.ok.groupby(["scenario", a, b])[results.metrics].agg(["count", "mean"])
    means = means.stack(level=0).rename_axis(["scenario", a, b, "metric"])
    return means.rename(columns={"count": "n"}).reset_index()


def mark_events(results: ReportData) -> pd.DataFrame:
    """The finished runs' events of the kinds in `MARK_KINDS`: run_id, scenario, date, kind, agent, detail.

    The events dataset is read once, only the rows of those kinds; a run stored in several parts
    (run again) keeps its rows of the latest part that has any.
    """
    columns = ["run_id", "scenario", "date", "kind", "agent", "detail"]
    pieces = [
        pd.read_parquet(path, columns=columns, filters=[("kind", "in", list(MARK_KINDS))]).assign(part=i)
        for i, path in enumerate(trusted_parts(results.dir, EVENTS))
    ]
    if not pieces:
        return pd.DataFrame(columns=columns)
    found = pd.concat(pieces, ignore_index=True)
    found = found[found["run_id"].isin(results.ok["run_id"])]
    found = found[found["part"] == found.groupby("run_id")["part"].transform("max")]
    return found.drop(columns="part").assign(date=pd.to_datetime(found["date"]))


def _mark_name(kind: str, agent: str, detail: str) -> str:
    """An event in words: the strike's name, the stance turned to, the political event's name."""
    if kind in ("strike_start", "strike_end"):
        return agent.replace("_", " ").capitalize()
    if kind == "stance":
        return f"Turn to {detail.rsplit(': ', 1)[-1]}"
    if kind == "political":
        return agent[:1].upper() + agent[1:]
    if kind == "traders_strike":
        return "Traders' strike"
    return kind.replace("_", " ").capitalize()


def _record_of(kind: str, agent: str, history: History):
    """The record's dated event this model event is (same key or label in params/history.toml), or None."""
    keys = {agent.lower().replace(" ", "_"), kind}
    return next((e for e in history.events if e.key in keys or e.label.lower() == agent.lower()), None)


def _run_dates(events: pd.DataFrame) -> pd.DataFrame:
    """One row per run and mark: run_id, scenario, event (its name), kind, agent, start and end (None: no end).

    A strike's end is its ``strike_end``; a run's second event of a name is a mark of its own ("2nd").
    """
    named = events.assign(
        event=[_mark_name(k, a, d) for k, a, d in zip(events["kind"], events["agent"], events["detail"], strict=True)],
        edge=np.where(events["kind"] == "strike_end", "end", "start"),
    ).sort_values(["run_id", "date"], kind="stable")
    nth = named.groupby(["run_id", "event", "edge"]).cumcount()
    named["event"] = named["event"].where(nth == 0, named["event"] + nth.map(lambda n: f" ({_ordinal(n + 1)})"))
    starts = named[named["edge"] == "start"]
    ends = named[named["edge"] == "end"].set_index(["run_id", "event"])["date"].rename("end")
    dated = starts.join(ends, on=["run_id", "event"]).rename(columns={"date": "start"})
    return dated[["run_id", "scenario", "event", "kind", "agent", "start", "end"]]


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th."""
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n if n < 20 else n % 10, 'th') }"


def event_marks(
    events: pd.DataFrame, runs: dict[str, list[str]], history: History, last: dict[str, pd.Timestamp]
) -> pd.DataFrame:
    """Per scenario and event: in how many runs it happened, when, and the record's date beside it.

    When: the median, 10% and 90% quantiles of its date across the runs that have it and, for a
    strike, of the day it ended.

    `events` is :func:`mark_events`; `runs` the finished runs of each scenario; `last` each scenario's
    last simulated day, the end of a strike still on when its run ends. Events that happen on the same
    days in every run of a scenario (the stance's turn and the military cabinet it brings) are one row.
    Quantiles are the nearest run's date. Rows are in order of scenario, then median date.
    """
    columns = [
        "scenario", "event", "kind", "runs", "happened", "share", "date", "date_q10", "date_q90",
        "end", "end_q10", "end_q90", "record_date", "record_end",
    ]  # fmt: skip
    if events.empty:  # runs too short for any (and pandas cannot join empty Arrow-backed keys)
        return pd.DataFrame(columns=columns)
    dated = _run_dates(events)
    rows = []
    for scenario, run_ids in runs.items():
        mine = dated[dated["run_id"].isin(run_ids)].copy()
        span = mine["kind"] == "strike_start"
        mine.loc[span, "end"] = mine.loc[span, "end"].fillna(last.get(scenario, pd.NaT))
        groups = {}
        for event, rows_of in mine.groupby("event", sort=False):
            days = tuple(sorted(zip(rows_of["run_id"], rows_of["start"], rows_of["end"].fillna(pd.NaT), strict=True)))
            groups.setdefault(days if not rows_of["end"].notna().any() else (event,), []).append(rows_of)
        for same in groups.values():
            first = same[0]
            found = (_record_of(r["kind"].iloc[0], r["agent"].iloc[0], history) for r in same)
            record = next((r for r in found if r is not None), None)
            row = {
                "scenario": scenario,
                "event": "; ".join(r["event"].iloc[0] for r in same),
                "kind": ", ".join(dict.fromkeys(r["kind"].iloc[0] for r in same)),
                "runs": len(run_ids),
                "happened": first["run_id"].nunique(),
                "record_date": record.start if record else pd.NaT,
                "record_end": record.end if record and record.end is not None else pd.NaT,
            }
            row["share"] = row["happened"] / len(run_ids)
            for name, dates in (("date", first["start"]), ("end", first["end"])):
                values = _date_quantiles(dates)
                row.update(zip((f"{name}_q10", name, f"{name}_q90"), values, strict=True))
            rows.append(row)
    table = pd.DataFrame(rows, columns=columns)
    order = {s: i for i, s in enumerate(runs)}
    return table.sort_values(["scenario", "date"], key=lambda c: c.map(order) if c.name == "scenario" else c)


def _date_quantiles(dates: pd.Series) -> list:
    """The 10%, 50% and 90% quantiles of `dates` (each a run's date), or three NaT if there are none."""
    days = dates.dropna().to_numpy("datetime64[D]").astype(np.int64)
    if not len(days):
        return [pd.NaT] * 3
    return [pd.Timestamp(np.datetime64(int(d), "D")) for d in np.quantile(days, MARK_SPREAD, method="nearest")]


def scenario_ends(results: ReportData) -> dict[str, pd.Timestamp]:
    """Each scenario's last simulated day (its resolved ``run.end``), where the folder records it."""
    ends = {s: as_timestamp(p.get("run.end")) for s, p in results.flat_params.items()}
    return {s: end for s, end in ends.items() if end is not None}
