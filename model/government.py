"""Government: wage readjustments, price decrees, the budget financed by money, the stance.

Wages were readjusted by decree, by 100% of past inflation and more for the lower paid in
January 1971 (UCH; LOC), again in January and October 1972. Official prices moved only when
DIRINCO decreed, lagging costs, until the big adjustment of August 1972 (the basic basket went
from 190 to 421 escudos in a month: VUSK; CIA). The deficit, 2-3.5% of GDP in 1970, 10% in 1971
and about 25% in 1973 (LM; LOC; UCH), was public wages, purchases, subsidies and APS losses less
taxes that inflation eroded between assessment and collection (the Tanzi effect); the central
bank financed it with new money. The government backed Popular Power until the military joined
the cabinet on 2 November 1972 (Moulian), then sought conciliation; a switch lets the user back
it, or demobilise it earlier, instead.
"""

from __future__ import annotations

import numpy as np

from viachilena.model.calendar import day_of, on, once, ticks
from viachilena.model.economy import Economy
from viachilena.model.params import Params
from viachilena.model.record import Recorder


def budget(env, eco: Economy, p: Params, rng: np.random.Generator):
    """SimPy process: each day taxes come in and public spending goes out."""
    g = p.government
    lag = max(1, int(round(g.tax_lag_days)))
    tax_base = np.full(lag, _private_value_added(eco) * eco.price)
    trend = np.log1p(g.inflation_at_start) / 365.0 * 12 / 10
    yesterday = eco.price
    for tick in ticks(env, "incomes"):
        yield tick
        day = int(env.now)
        trend += (np.log(eco.price / yesterday) - trend) / 90.0
        yesterday = eco.price
        eco.expected_inflation = float(np.expm1(365.0 * trend))
        taxes = eco.base.tax_rate * tax_base[day % lag]
        tax_base[day % lag] = _private_value_added(eco) * eco.price
        eco.ledger.pay("capitalists", "treasury", taxes)
        growth = (1.0 + g.spending_growth) ** (day / 365.0) if g.enabled else 1.0
        eco.ledger.pay("treasury", "capitalists", eco.price * eco.base.purchases * growth)
        eco.ledger.pay("treasury", "capitalists", g.subsidy_share * eco.official_sales_value)
        if g.enabled:
            eco.public_employment *= 1.0 + g.public_employment_growth / 365.0
            eco.wage *= 1.0 + g.wage_drift / 365.0 * float(eco.militancy[: eco.n_large].mean())


def _private_value_added(eco: Economy) -> float:
    """Real value added by private owners: the base on which taxes are assessed."""
    f = eco.flows
    private_industry = f["industrial_output"] - f["aps_output"]
    copper = 0.0 if eco.copper_state else f["copper_output"]
    return private_industry + f["agricultural_output"] + f["services_output"] + copper


def wage_readjustments(env, eco: Economy, p: Params, log: Recorder):
    """SimPy process: on each readjustment date, wages catch up with official inflation."""
    for r in sorted(p.government.wage_readjustments, key=lambda r: r.date):
        for tick in once(env, day_of(r.date, p.run.start), eco.n_days):
            yield tick
            past = eco.price / eco.wage_at_last_readjustment_cpi - 1.0
            rise = r.indexation * past + r.real_increase
            eco.wage *= 1.0 + rise
            eco.wage_at_last_readjustment_cpi = eco.price
            log.event(
                env.now, "wage_readjustment", "government", f"wages +{rise:.1%} (inflation since last {past:.1%})"
            )


def unit_cost(eco: Economy, p: Params) -> float:
    """Unit cost: wages over productivity, imports at the official rate, materials as bought.

    Materials are priced at the effective price level, since firms bought part of their inputs
    on the black market; this is how the black market fed back into official prices. Labour
    productivity is the month's average (production keeps it), as a cost review would take it.
    """
    g, b = p.government, eco.base
    labour = eco.wage / max(eco.productivity, 1e-6)
    imported = eco.exchange_rate / b.exchange_rate
    materials = 1.0 - g.labour_cost_share - g.import_cost_share
    return g.labour_cost_share * labour + g.import_cost_share * imported + materials * eco.cpi_effective


def price_reviews(env, eco: Economy, p: Params, log: Recorder):
    """SimPy process: routine reviews close part of the cost gap; dated decrees close more."""
    g = p.government
    freeze_end = day_of(g.price_freeze_end, p.run.start)
    reviews = (int(k * g.price_review_days) for k in range(1, int(eco.n_days / g.price_review_days) + 1))
    schedule = {day: g.price_catch_up_freeze if day < freeze_end else g.price_catch_up_after for day in reviews}
    decrees = {day_of(d.date, p.run.start): d.catch_up for d in g.price_decrees}
    schedule.update(decrees)
    for day in sorted(d for d in schedule if 0 < d < eco.n_days):
        yield on(env, day)
        gap = max(0.0, unit_cost(eco, p) / eco.price - 1.0)
        eco.price *= 1.0 + schedule[day] * gap
        if day in decrees:
            log.event(env.now, "price_decree", "government", f"official prices +{schedule[day] * gap:.1%}")


def stance(env, eco: Economy, p: Params, log: Recorder):
    """SimPy process: the stance toward Popular Power changes on the conciliation date."""
    g = p.government
    for tick in once(env, day_of(g.conciliation_date, p.run.start), eco.n_days):
        yield tick
        eco.stance = g.stance_after_conciliation
        log.event(env.now, "stance", "government", f"stance toward Popular Power: {g.stance_after_conciliation}")


def rationing(env, eco: Economy, p: Params, log: Recorder):
    """SimPy process: rationing of basic goods through the JAPs from its announcement."""
    for tick in once(env, day_of(p.government.rationing, p.run.start), eco.n_days):
        yield tick
        eco.rationing = True
        log.event(env.now, "rationing", "government", "32 basic goods rationed through the JAPs")
