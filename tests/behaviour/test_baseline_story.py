"""The baseline tells the story, in the right order: boom, shortages, October, decline."""

from __future__ import annotations


def test_1971_boom(baseline_run):
    s = baseline_run.summary
    assert s["gdp_growth_1971"] > 0.03
    assert s["industrial_growth_1971"] > 0.03
    assert s["unemployment_end_1971"] < 0.06
    assert s["real_wage_growth_1971"] > 0.05
    assert s["inflation_1971"] < 0.5


def test_1972_shortages_premia_and_accelerating_inflation(baseline_run):
    s, series = baseline_run.summary, baseline_run.series
    assert s["inflation_1972"] > 2 * s["inflation_1971"]
    assert series["shortage_rate"]["1972"].mean() > series["shortage_rate"]["1971-01":"1971-03"].mean()
    assert series["black_market_premium"]["1972"].mean() > 0.2
    assert series["hoarded_stock"]["1972"].mean() > series["hoarded_stock"]["1971-01":"1971-03"].mean()


def test_october_supply_collapse(baseline_run):
    series = baseline_run.series
    october = series["deliveries"]["1972-10-12":"1972-11-05"].mean()
    september = series["deliveries"]["1972-09"].mean()
    assert october < 0.8 * september
    assert baseline_run.summary["shortage_peak_oct_1972"] > series["shortage_rate"]["1972-09"].max()


def test_decline_into_1973(baseline_run):
    series = baseline_run.series
    assert series["gdp"]["1973-08"].mean() < series["gdp"]["1972-08"].mean()
    assert series["real_wage"]["1973-08"].mean() < series["real_wage"]["1972-01"].mean()
    assert baseline_run.summary["reserves_end_1972"] < baseline_run.summary["reserves_end_1970"]


def test_events_in_historical_order(baseline_run):
    ev = baseline_run.events
    first = {kind: ev.loc[ev["kind"] == kind, "date"].min() for kind in ("strike_start", "stance", "rationing")}
    assert str(first["strike_start"].date()) == "1972-10-09"
    assert first["strike_start"] < first["stance"] < first["rationing"]
