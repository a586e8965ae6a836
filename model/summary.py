"""Summary metrics of a run: calendar-year growth and inflation, dated values, strike windows.

Growth and inflation are calendar-year, December to December (the mean of December against the
mean of the previous December), the convention of the published figures in the record (UCH;
VUSK). Deficits are shares of nominal GDP over a calendar year (for 1973, over the days run).
A metric whose dates fall outside the run is NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

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
}
SUMMARY_METRICS = tuple(METRIC_UNITS)
OCTOBER_STRIKE = ("1972-10-09", "1972-11-05")
MID_1973 = ("1973-06-01", "1973-07-25")  # before the July 1973 strike
AFTER_OCTOBER = ("1972-11-01", "1973-07-31")  # between the two recorded strikes
HALF_YEAR = 182
AUGUST_1972 = ("1972-07-31", "1972-08-31")  # the month of the August 1972 price adjustment
# the harvest seasons compared: the same months, so the seasonal cycle cancels
HARVEST_1970_71 = ("1970-11-04", "1971-04-30")
HARVEST_1972_73 = ("1972-11-04", "1973-04-30")


def _december(series: pd.Series, year: int) -> float:
    values = series.loc[f"{year}-12-01" : f"{year}-12-31"]
    return float(values.mean()) if len(values) == 31 else np.nan


def _dec_dec(series: pd.Series, year: int) -> float:
    return _ratio(_december(series, year), _december(series, year - 1)) - 1.0


def _ratio(a: float, b: float) -> float:
    """A / b, NaN when b is zero or undefined (a metric of an economy without that quantity)."""
    return a / b if b and np.isfinite(b) else np.nan


def _on(series: pd.Series, date: str) -> float:
    return float(series.loc[date]) if pd.Timestamp(date) in series.index else np.nan


def _deficit_share(s: pd.DataFrame, year: int) -> float:
    rows = s.loc[f"{year}-01-01" : f"{year}-12-31"]
    return float(rows["fiscal_deficit"].sum() / rows["nominal_gdp"].sum()) if len(rows) else np.nan


def _year_sum(series: pd.Series, year: int) -> float:
    values = series.loc[f"{year}-01-01" : f"{year}-12-31"]
    return float(values.sum()) if len(values) >= 365 else np.nan


def _window(series: pd.Series, window: tuple[str, str], how: str) -> float:
    values = series.loc[window[0] : window[1]]
    return float(getattr(values, how)()) if len(values) else np.nan


def _strike_start(events: pd.DataFrame, which: int, since: str) -> float:
    """Days from `since` to the start of owners' strike number `which` (0: the first), NaN if it never came."""
    starts = events.loc[events["kind"] == "strike_start", "date"].sort_values()
    return float((starts.iloc[which] - pd.Timestamp(since)).days) if len(starts) > which else np.nan


def _annualised_half_year(series: pd.Series) -> float:
    """Inflation over the last six months of the run (182 days), annualised; NaN before 1973."""
    if series.index[-1] < pd.Timestamp("1973-01-01") or len(series) <= HALF_YEAR:
        return np.nan
    return _ratio(float(series.iloc[-1]), float(series.iloc[-1 - HALF_YEAR])) ** (365.0 / HALF_YEAR) - 1.0


def summarise(series: pd.DataFrame, events: pd.DataFrame, scale: float) -> dict[str, float]:
    """Every summary metric of a run, from its daily series and event log."""
    s = series
    last = s.iloc[-1]
    a_year_before = s.index[-1] - pd.Timedelta(days=365)
    recent, earlier = s["gdp"].iloc[-30:].mean(), s["gdp"].loc[:a_year_before].iloc[-30:].mean()
    metrics = {
        "gdp_growth_1971": _dec_dec(s["gdp"], 1971),
        "gdp_growth_1972": _dec_dec(s["gdp"], 1972),
        "industrial_growth_1971": _dec_dec(s["industrial_output"], 1971),
        "industrial_growth_1972": _dec_dec(s["industrial_output"], 1972),
        "agricultural_growth_1971": _dec_dec(s["agricultural_output"], 1971),
        "harvest_change_1972_73": _ratio(
            _window(s["agricultural_output"], HARVEST_1972_73, "mean"),
            _window(s["agricultural_output"], HARVEST_1970_71, "mean"),
        )
        - 1.0,
        "inflation_1971": _dec_dec(s["cpi_official"], 1971),
        "inflation_1972": _dec_dec(s["cpi_official"], 1972),
        "inflation_effective_1972": _dec_dec(s["cpi_effective"], 1972),
        "unemployment_end_1971": _december(s["unemployment_rate"], 1971),
        "unemployment_end_1972": _december(s["unemployment_rate"], 1972),
        "real_wage_growth_1971": _dec_dec(s["real_wage"], 1971),
        "real_wage_growth_1972": _dec_dec(s["real_wage"], 1972),
        "money_growth_1971": _dec_dec(s["money_stock"], 1971),
        "money_growth_1972": _dec_dec(s["money_stock"], 1972),
        "deficit_share_gdp_1971": _deficit_share(s, 1971),
        "deficit_share_gdp_1972": _deficit_share(s, 1972),
        "deficit_share_gdp_1973": _deficit_share(s, 1973),
        "reserves_end_1970": _on(s["reserves_usd"], "1970-12-31"),
        "reserves_end_1971": _on(s["reserves_usd"], "1971-12-31"),
        "reserves_end_1972": _on(s["reserves_usd"], "1972-12-31"),
        "aps_firms_end_1971": _on(s["aps_firms"], "1971-12-31"),
        "aps_firms_mid_1972": _on(s["aps_firms"], "1972-06-30"),
        "aps_firms_end_1972": _on(s["aps_firms"], "1972-12-31"),
        "aps_firms_end": float(last["aps_firms"]),
        "aps_output_share_end_1972": _on(s["aps_output_share"], "1972-12-31"),
        "jap_active_end_1972": _on(s["jap_active"], "1972-12-31"),
        "jap_active_end": float(last["jap_active"]),
        "requisitioned_total": float(last["requisitioned"]),
        "capital_flight_total_usd": float(last["capital_flight_usd"]),
        "shortage_peak_oct_1972": _window(s["shortage_rate"], OCTOBER_STRIKE, "max"),
        "shortage_mean_oct_1972": _window(s["shortage_rate"], OCTOBER_STRIKE, "mean"),
        "deliveries_oct_1972": _window(s["deliveries"], OCTOBER_STRIKE, "mean"),
        "black_market_premium_end_1972": _december(s["black_market_premium"], 1972),
        "black_market_share_1972": _window(s["black_market_share"], ("1972-01-01", "1972-12-31"), "mean"),
        "gdp_change_to_end": _ratio(recent, earlier) - 1.0 if s.index[0] <= a_year_before else np.nan,
        "seizures": float((events["kind"] == "seizure").sum()) / scale,
        "imports_usd_1971": _year_sum(s["imports_usd"], 1971),
        "imports_usd_1972": _year_sum(s["imports_usd"], 1972),
        "velocity_1972": _window(s["velocity"], ("1972-01-01", "1972-12-31"), "mean"),
        "velocity_1973": _window(s["velocity"], ("1973-01-01", "1973-12-31"), "mean"),
        "velocity_change_1973": _ratio(
            _window(s["velocity"], ("1973-01-01", "1973-12-31"), "mean"),
            _window(s["velocity"], ("1972-01-01", "1972-12-31"), "mean"),
        )
        - 1.0,
        "private_investment_share_1972": _ratio(_year_sum(s["private_investment"], 1972), _year_sum(s["gdp"], 1972)),
        "shortage_mean_1972": _window(s["shortage_rate"], ("1972-01-01", "1972-12-31"), "mean"),
        "first_strike_day": _strike_start(events, 0, "1972-10-01"),
        "second_strike_day": _strike_start(events, 1, "1973-07-01"),
        "strike_days": float(s["owners_strike"].sum()),
        "military_cabinet": float(((events["kind"] == "political") & (events["agent"] == "military cabinet")).any()),
        "opposition_mobilisation_mid_1973": _window(s["opposition_mobilisation"], MID_1973, "mean"),
        "middle_class_support_mar_1973": _window(s["middle_class_support"], ("1973-03-01", "1973-03-31"), "mean"),
        "middle_class_support_end": float(last["middle_class_support"]),
        "organised_workers_nov72_jul73": _window(s["organised_workers"], AFTER_OCTOBER, "mean"),
        "shortage_mean_1973": _window(s["shortage_rate"], ("1973-01-01", s.index[-1]), "mean"),
        "shortage_mean_q3_1971": _window(s["shortage_rate"], ("1971-07-01", "1971-09-30"), "mean"),
        "dollar_premium_1972": _window(s["dollar_premium"], ("1972-01-01", "1972-12-31"), "mean"),
        "money_to_gdp_1970": _december(s["money_to_gdp"], 1970),
        "money_to_gdp_h1_1972": _window(s["money_to_gdp"], ("1972-01-01", "1972-06-30"), "mean"),
        "official_price_change_aug_1972": _ratio(
            _on(s["official_price"], AUGUST_1972[1]), _on(s["official_price"], AUGUST_1972[0])
        )
        - 1.0,
        "inflation_six_months_1973": _annualised_half_year(s["cpi_official"]),
        "unemployment_max_month": float(s["unemployment_rate"].resample("MS").mean().max()),
    }
    return metrics
