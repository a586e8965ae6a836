"""Summary metrics of a run: calendar-year growth and inflation, dated values, strike windows.

Growth and inflation are calendar-year, December to December (the mean of December against the
mean of the previous December), the convention of the published figures in the record (UCH;
VUSK). Deficits are shares of nominal GDP over a calendar year (for 1973, over the days run).
A metric whose dates fall outside the run is NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from viachilena.model.arrays import sum_of

METRIC_UNITS = {
    "gdp_growth_1971": "share, Dec-Dec",
    "gdp_growth_1972": "share, Dec-Dec",
    "industrial_growth_1971": "share, Dec-Dec",
    "industrial_growth_1972": "share, Dec-Dec",
    "agricultural_growth_1971": "share, Dec-Dec",
    "harvest_change_1972_73": "share, farm output Nov 1972-Apr 1973 vs Nov 1970-Apr 1971",
    "inflation_1971": "share, official CPI Dec-Dec",
    "inflation_1972": "share, official CPI Dec-Dec",
    "inflation_effective_1972": "share, effective CPI Dec-Dec",
    "unemployment_end_1971": "share, December mean",
    "unemployment_end_1972": "share, December mean",
    "real_wage_growth_1971": "share, Dec-Dec",
    "real_wage_growth_1972": "share, Dec-Dec",
    "money_growth_1971": "share, Dec-Dec",
    "money_growth_1972": "share, Dec-Dec",
    "deficit_share_gdp_1971": "share of nominal GDP",
    "deficit_share_gdp_1972": "share of nominal GDP",
    "deficit_share_gdp_1973": "share of nominal GDP, Jan to end of run",
    "reserves_end_1970": "US$m",
    "reserves_end_1971": "US$m",
    "reserves_end_1972": "US$m",
    "aps_firms_end_1971": "firms",
    "aps_firms_mid_1972": "firms, 30 June 1972",
    "aps_firms_end_1972": "firms",
    "aps_firms_end": "firms, last day",
    "aps_output_share_end_1972": "share of industrial output",
    "jap_active_end_1972": "share of neighbourhoods",
    "jap_active_end": "share of neighbourhoods, last day",
    "requisitioned_total": "E°m of 1970",
    "capital_flight_total_usd": "US$m",
    "shortage_peak_oct_1972": "share, max over 1972-10-09..11-05",
    "shortage_mean_oct_1972": "share, mean over 1972-10-09..11-05",
    "deliveries_oct_1972": "E°m of 1970 a day, mean over 1972-10-09..11-05",
    "black_market_premium_end_1972": "December 1972 mean",
    "black_market_share_1972": "share of goods, 1972 mean",
    "gdp_change_to_end": "share, last 30 days vs same days a year before",
    "seizures": "count of seizures (real firms)",
    "imports_usd_1971": "US$m, calendar year",
    "imports_usd_1972": "US$m, calendar year",
    "velocity_1972": "nominal GDP a year over money, 1972 mean",
    "velocity_1973": "nominal GDP a year over money, 1973 mean to the end of the run",
    "velocity_change_1973": "share, velocity_1973 over velocity_1972 minus 1",
    "private_investment_share_1972": "share of GDP, 1972",
    "shortage_mean_1972": "share of goods wanted at official prices, 1972 mean",
    "first_strike_day": "days from 1972-10-01 to the first owners' strike's start (NaN: none)",
    "second_strike_day": "days from 1973-07-01 to the second owners' strike's start (NaN: none)",
    "strike_days": "days of owners' strikes, each weighted by the strike's size",
    "military_cabinet": "1 if the military joined the cabinet (the turn to conciliation), else 0",
    "opposition_mobilisation_mid_1973": "index 0-1, mean 1973-06-01..07-25",
    "middle_class_support_mar_1973": "index 0-1, mean of March 1973 (the parliamentary election)",
    "middle_class_support_end": "index 0-1, last day",
    "organised_workers_nov72_jul73": "share of industrial employment, mean 1972-11-01..1973-07-31",
    "shortage_mean_1973": "share of goods wanted at official prices, mean 1973-01-01 to the end of the run",
    "shortage_mean_q3_1971": "share of goods wanted at official prices, July-September 1971 mean",
    "dollar_premium_1972": "parallel over official exchange rate minus 1, 1972 mean",
    "money_to_gdp_1970": "years of nominal GDP, December 1970 mean",
    "money_to_gdp_h1_1972": "years of nominal GDP, January-June 1972 mean",
    "official_price_change_aug_1972": "share, controlled official price on 31 August over 31 July 1972",
    "inflation_six_months_1973": "share a year, official CPI over the six months to the end of the run, annualised",
    "unemployment_max_month": "share, highest monthly mean of the run",
    "inflation_12_months_aug_1973": "share, official CPI August 1973 mean over August 1972 mean, minus 1",
    "real_wage_aug_1973": "index, 1970-11-04 = 100, August 1973 mean",
}
SUMMARY_METRICS = tuple(METRIC_UNITS)
OCTOBER_STRIKE = ("1972-10-09", "1972-11-05")
MID_1973 = ("1973-06-01", "1973-07-25")  # before the July 1973 strike
AFTER_OCTOBER = ("1972-11-01", "1973-07-31")  # between the two recorded strikes
HALF_YEAR = 182
AUGUST_1972 = ("1972-07-31", "1972-08-31")  # the month of the August 1972 price adjustment
AUGUST_1972_MONTH, AUGUST_1973 = ("1972-08-01", "1972-08-31"), ("1973-08-01", "1973-08-31")
# the harvest seasons compared: the same months, so the seasonal cycle cancels
HARVEST_1970_71 = ("1970-11-04", "1971-04-30")
HARVEST_1972_73 = ("1972-11-04", "1973-04-30")


class _Daily:
    """A run's daily series as numpy columns read by date: the metrics' pandas reductions, without label lookups.

    Sums and means are pandas' (``skipna``): NaN counts as zero in the pairwise sum and is left
    out of the count, so each figure is the one ``Series.loc[...].mean()`` gives, to the last bit.
    """

    def __init__(self, series: pd.DataFrame):
        self.days = series.index.to_numpy().astype("datetime64[D]")
        self.columns = dict(zip(series.columns, series.to_numpy().T, strict=True))

    def rows(self, first: str, last: str) -> slice:
        """The rows from date `first` to date `last`, both included (``Series.loc[first:last]``)."""
        return slice(
            int(np.searchsorted(self.days, np.datetime64(first, "D"), side="left")),
            int(np.searchsorted(self.days, np.datetime64(last, "D"), side="right")),
        )

    def values(self, name: str, first: str, last: str) -> np.ndarray:
        return self.columns[name][self.rows(first, last)]

    def on(self, name: str, date: str) -> float:
        at = int(np.searchsorted(self.days, np.datetime64(date, "D")))
        return float(self.columns[name][at]) if at < len(self.days) and self.days[at] == np.datetime64(date) else np.nan

    def december(self, name: str, year: int) -> float:
        values = self.values(name, f"{year}-12-01", f"{year}-12-31")
        return _reduce(values, "mean") if len(values) == 31 else np.nan

    def dec_dec(self, name: str, year: int) -> float:
        return _ratio(self.december(name, year), self.december(name, year - 1)) - 1.0

    def year_sum(self, name: str, year: int) -> float:
        values = self.values(name, f"{year}-01-01", f"{year}-12-31")
        return _reduce(values, "sum") if len(values) >= 365 else np.nan

    def window(self, name: str, window: tuple[str, str], how: str) -> float:
        values = self.values(name, *window)
        return _reduce(values, how) if len(values) else np.nan

    def deficit_share(self, year: int) -> float:
        rows = self.rows(f"{year}-01-01", f"{year}-12-31")
        deficit, gdp = self.columns["fiscal_deficit"][rows], self.columns["nominal_gdp"][rows]
        return float(_reduce(deficit, "sum") / _reduce(gdp, "sum")) if len(deficit) else np.nan

    def last(self, name: str) -> float:
        return float(self.columns[name][-1])

    def change_to_end(self, name: str) -> float:
        """The last 30 days' mean against the mean of the 30 days to a year before the last, minus 1."""
        a_year_before = self.days[-1] - np.timedelta64(365, "D")
        if self.days[0] > a_year_before:
            return np.nan
        values = self.columns[name]
        earlier = values[: int(np.searchsorted(self.days, a_year_before, side="right"))][-30:]
        return _ratio(_reduce(values[-30:], "mean"), _reduce(earlier, "mean")) - 1.0

    def annualised_half_year(self, name: str) -> float:
        """Growth over the last six months of the run (182 days), annualised; NaN before 1973."""
        values = self.columns[name]
        if self.days[-1] < np.datetime64("1973-01-01") or len(values) <= HALF_YEAR:
            return np.nan
        return _ratio(float(values[-1]), float(values[-1 - HALF_YEAR])) ** (365.0 / HALF_YEAR) - 1.0


def _reduce(values: np.ndarray, how: str) -> np.float64:
    """The ``sum``, ``mean`` or ``max`` pandas gives of a column slice, NaN skipped (a sum of nothing is 0)."""
    present = ~np.isnan(values)
    count = np.count_nonzero(present)
    if how == "max":
        return np.max(values[present]) if count else np.float64(np.nan)
    total = sum_of(np.where(present, values, 0.0)) if count < len(values) else sum_of(values)
    if how == "sum":
        return total
    return total / count if count else np.float64(np.nan)


def _ratio(a: float, b: float) -> float:
    """A / b, NaN when b is zero or undefined (a metric of an economy without that quantity)."""
    return a / b if b and np.isfinite(b) else np.nan


def _strike_start(events: pd.DataFrame, which: int, since: str) -> float:
    """Days from `since` to the start of owners' strike number `which` (0: the first), NaN if it never came."""
    starts = events.loc[events["kind"] == "strike_start", "date"].sort_values()
    return float((starts.iloc[which] - pd.Timestamp(since)).days) if len(starts) > which else np.nan


def summarise(series: pd.DataFrame, events: pd.DataFrame, scale: float) -> dict[str, float]:
    """Every summary metric of a run, from its daily series and event log."""
    d = _Daily(series)
    end = str(d.days[-1])
    metrics = {
        "gdp_growth_1971": d.dec_dec("gdp", 1971),
        "gdp_growth_1972": d.dec_dec("gdp", 1972),
        "industrial_growth_1971": d.dec_dec("industrial_output", 1971),
        "industrial_growth_1972": d.dec_dec("industrial_output", 1972),
        "agricultural_growth_1971": d.dec_dec("agricultural_output", 1971),
        "harvest_change_1972_73": _ratio(
            d.window("agricultural_output", HARVEST_1972_73, "mean"),
            d.window("agricultural_output", HARVEST_1970_71, "mean"),
        )
        - 1.0,
        "inflation_1971": d.dec_dec("cpi_official", 1971),
        "inflation_1972": d.dec_dec("cpi_official", 1972),
        "inflation_effective_1972": d.dec_dec("cpi_effective", 1972),
        "unemployment_end_1971": d.december("unemployment_rate", 1971),
        "unemployment_end_1972": d.december("unemployment_rate", 1972),
        "real_wage_growth_1971": d.dec_dec("real_wage", 1971),
        "real_wage_growth_1972": d.dec_dec("real_wage", 1972),
        "money_growth_1971": d.dec_dec("money_stock", 1971),
        "money_growth_1972": d.dec_dec("money_stock", 1972),
        "deficit_share_gdp_1971": d.deficit_share(1971),
        "deficit_share_gdp_1972": d.deficit_share(1972),
        "deficit_share_gdp_1973": d.deficit_share(1973),
        "reserves_end_1970": d.on("reserves_usd", "1970-12-31"),
        "reserves_end_1971": d.on("reserves_usd", "1971-12-31"),
        "reserves_end_1972": d.on("reserves_usd", "1972-12-31"),
        "aps_firms_end_1971": d.on("aps_firms", "1971-12-31"),
        "aps_firms_mid_1972": d.on("aps_firms", "1972-06-30"),
        "aps_firms_end_1972": d.on("aps_firms", "1972-12-31"),
        "aps_firms_end": d.last("aps_firms"),
        "aps_output_share_end_1972": d.on("aps_output_share", "1972-12-31"),
        "jap_active_end_1972": d.on("jap_active", "1972-12-31"),
        "jap_active_end": d.last("jap_active"),
        "requisitioned_total": d.last("requisitioned"),
        "capital_flight_total_usd": d.last("capital_flight_usd"),
        "shortage_peak_oct_1972": d.window("shortage_rate", OCTOBER_STRIKE, "max"),
        "shortage_mean_oct_1972": d.window("shortage_rate", OCTOBER_STRIKE, "mean"),
        "deliveries_oct_1972": d.window("deliveries", OCTOBER_STRIKE, "mean"),
        "black_market_premium_end_1972": d.december("black_market_premium", 1972),
        "black_market_share_1972": d.window("black_market_share", ("1972-01-01", "1972-12-31"), "mean"),
        "gdp_change_to_end": d.change_to_end("gdp"),
        "seizures": float((events["kind"] == "seizure").sum()) / scale,
        "imports_usd_1971": d.year_sum("imports_usd", 1971),
        "imports_usd_1972": d.year_sum("imports_usd", 1972),
        "velocity_1972": d.window("velocity", ("1972-01-01", "1972-12-31"), "mean"),
        "velocity_1973": d.window("velocity", ("1973-01-01", "1973-12-31"), "mean"),
        "velocity_change_1973": _ratio(
            d.window("velocity", ("1973-01-01", "1973-12-31"), "mean"),
            d.window("velocity", ("1972-01-01", "1972-12-31"), "mean"),
        )
        - 1.0,
        "private_investment_share_1972": _ratio(d.year_sum("private_investment", 1972), d.year_sum("gdp", 1972)),
        "shortage_mean_1972": d.window("shortage_rate", ("1972-01-01", "1972-12-31"), "mean"),
        "first_strike_day": _strike_start(events, 0, "1972-10-01"),
        "second_strike_day": _strike_start(events, 1, "1973-07-01"),
        "strike_days": float(_reduce(d.columns["owners_strike"], "sum")),
        "military_cabinet": float(((events["kind"] == "political") & (events["agent"] == "military cabinet")).any()),
        "opposition_mobilisation_mid_1973": d.window("opposition_mobilisation", MID_1973, "mean"),
        "middle_class_support_mar_1973": d.window("middle_class_support", ("1973-03-01", "1973-03-31"), "mean"),
        "middle_class_support_end": d.last("middle_class_support"),
        "organised_workers_nov72_jul73": d.window("organised_workers", AFTER_OCTOBER, "mean"),
        "shortage_mean_1973": d.window("shortage_rate", ("1973-01-01", end), "mean"),
        "shortage_mean_q3_1971": d.window("shortage_rate", ("1971-07-01", "1971-09-30"), "mean"),
        "dollar_premium_1972": d.window("dollar_premium", ("1972-01-01", "1972-12-31"), "mean"),
        "money_to_gdp_1970": d.december("money_to_gdp", 1970),
        "money_to_gdp_h1_1972": d.window("money_to_gdp", ("1972-01-01", "1972-06-30"), "mean"),
        "official_price_change_aug_1972": _ratio(
            d.on("official_price", AUGUST_1972[1]), d.on("official_price", AUGUST_1972[0])
        )
        - 1.0,
        "inflation_six_months_1973": d.annualised_half_year("cpi_official"),
        "unemployment_max_month": float(series["unemployment_rate"].resample("MS").mean().max()),
        "inflation_12_months_aug_1973": _ratio(
            d.window("cpi_official", AUGUST_1973, "mean"), d.window("cpi_official", AUGUST_1972_MONTH, "mean")
        )
        - 1.0,
        "real_wage_aug_1973": d.window("real_wage", AUGUST_1973, "mean"),
    }
    return metrics
