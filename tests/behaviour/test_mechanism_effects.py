"""Each mechanism does what its name says, measured in goods, on paired seeds (switch off against on).

Means over a few seeds, each pair sharing its seed, so the comparison is the mechanism's effect and
not the luck of one run. Every direction asserted is the one the record implies.
"""

from __future__ import annotations

import numpy as np

from tests.conftest import cached_run

SEEDS = (1, 2, 3, 4)
OCTOBER = slice("1972-10-09", "1972-11-05")
YEAR_1972 = slice("1972-01-01", "1972-12-31")


def paired(overrides: dict, what) -> tuple[float, float]:
    """Mean of `what(run)` over the seeds, with the mechanism on (baseline) and switched off."""
    on = [what(cached_run(seed=s)) for s in SEEDS]
    off = [what(cached_run(overrides=tuple(overrides.items()), seed=s)) for s in SEEDS]
    return float(np.mean(on)), float(np.mean(off))


def test_hoarding_off_lowers_the_1972_shortage_in_goods():
    on, off = paired({"hoarding.enabled": False}, lambda r: r.series["shortage_rate"][YEAR_1972].mean())
    assert off < on


def test_hoarding_off_leaves_more_goods_on_official_shelves_in_1972():
    on, off = paired({"hoarding.enabled": False}, lambda r: r.series["working_class_goods"][YEAR_1972].sum())
    assert off > on


def test_capital_flight_off_raises_reserves_and_imports():
    # the dollars flight takes would have paid for imports once licences tighten (1973)
    reserves = paired({"capital_flight.enabled": False}, lambda r: r.summary["reserves_end_1972"])
    imports = paired({"capital_flight.enabled": False}, lambda r: r.series["imports_usd"].sum())
    assert reserves[1] > reserves[0]
    assert imports[1] > imports[0]


def test_capital_strike_off_raises_investment_and_1973_capacity():
    investment = paired({"production.capital_strike": False}, lambda r: r.series["private_investment"].sum())
    capacity = paired({"production.capital_strike": False}, lambda r: r.series["industrial_capacity"]["1973-06-30"])
    assert investment[1] > investment[0]
    assert capacity[1] > capacity[0]


def test_popular_power_off_lowers_goods_reaching_working_class_neighbourhoods_in_october_1972():
    on, off = paired({"popular_power.enabled": False}, lambda r: r.series["working_class_goods"][OCTOBER].sum())
    assert off < on


def test_no_price_controls_is_a_runnable_counterfactual_with_prices_that_move_daily():
    run = cached_run(overrides=(("government.price_controls", False),), seed=1)
    moved = (run.series["cpi_official"].diff().abs() > 0).loc["1971"].mean()
    assert moved > 0.9
    controlled = cached_run(seed=1).series["black_market_share"][YEAR_1972].mean()
    assert run.series["black_market_share"][YEAR_1972].mean() < controlled


def test_treasury_sales_revenue_is_the_value_of_the_state_goods_sold_every_day():
    """Every state-owned good sells at one of the day's prices: food's, manufactures' or the controlled one."""
    series = cached_run(seed=3).series
    prices = series[["cpi_food", "cpi_manufactures", "official_price"]] / 100.0
    sold = series["state_goods_sold"]
    revenue = series["treasury_goods_revenue"]
    assert (revenue >= prices.min(axis=1) * sold * (1 - 1e-9) - 1e-9).all()
    assert (revenue <= prices.max(axis=1) * sold * (1 + 1e-9) + 1e-9).all()
    assert (sold > 0).mean() > 0.99


def test_velocity_rises_from_1972_into_1973():
    velocity = [
        (cached_run(seed=s).summary["velocity_1972"], cached_run(seed=s).summary["velocity_1973"]) for s in SEEDS
    ]
    assert np.mean([b for _, b in velocity]) > np.mean([a for a, _ in velocity])


def test_imports_in_1971_and_1972_within_15_percent_of_the_record():
    # UCH Table 2: 1,124 and 1,287 US$m
    for metric, record in (("imports_usd_1971", 1124.0), ("imports_usd_1972", 1287.0)):
        simulated = np.mean([cached_run(seed=s).summary[metric] for s in SEEDS])
        assert abs(simulated / record - 1.0) <= 0.15, (metric, simulated)


def test_private_investment_is_a_few_percent_of_gdp():
    share = np.mean([cached_run(seed=s).summary["private_investment_share_1972"] for s in SEEDS])
    assert 0.005 < share < 0.08
    base = cached_run(seed=1).series["private_investment"].iloc[0] / cached_run(seed=1).series["gdp"].iloc[0]
    assert 0.02 < base < 0.10


def test_taxes_paid_later_as_inflation_rises_widen_the_1973_deficit():
    """The Tanzi effect's lengthening lag: with it, the 1973 deficit is a larger share of GDP than without."""
    year_1973 = slice("1973-01-01", "1973-09-11")

    def deficit_share(run):
        s = run.series[year_1973]
        return s["fiscal_deficit"].sum() / s["nominal_gdp"].sum()

    on, off = paired({"government.tax_delay": 0.0}, deficit_share)
    assert on > off + 0.005
