"""Government: wage readjustments, price decrees, the budget financed by money, the stance.

Wages were readjusted by decree, by 100% of past inflation and more for the lower paid in
January 1971 (UCH; LOC), again in January and October 1972. Controlled prices moved only when
DIRINCO decreed, lagging costs, until the big adjustment of August 1972 (the basic basket went
from 190 to 421 escudos in a month: VUSK; CIA); the rest of each good's sales was free, and the
official CPI weighed both (:func:`reprice`). The deficit, 2-3.5% of GDP in 1970, 10% in 1971
and about 25% in 1973 (LM; LOC; UCH), was public wages, purchases, subsidies and APS losses less
taxes that inflation eroded between assessment and collection (the Tanzi effect); the central
bank financed it with new money. The government backed Popular Power until the military joined
the cabinet on 2 November 1972 (Moulian), then sought conciliation; a switch lets the user back
it, or demobilise it earlier, instead.
"""

from __future__ import annotations

import functools

import numpy as np

from viachilena.model import politics
from viachilena.model.arrays import mean_of
from viachilena.model.calendar import day_of, on, once, ticks
from viachilena.model.economy import Economy
from viachilena.model.params import Params
from viachilena.model.record import Recorder

DAYS_PER_MONTH = 30.4  # an average month: the pressure of a strike grows with the months it has run


def budget(env, eco: Economy, p: Params, rng: np.random.Generator):
    """SimPy process: each day taxes come in, subsidies go out and the state's real spending grows.

    Taxes collected today were assessed :func:`collection_lag` days before. Public wages are
    paid with the other wages (production); public purchases buy real goods (production) and
    services (markets); APS investment buys capital goods (production); food imports are paid
    when they land (external). What the treasury spends beyond what it receives
    is lent to it by the central bank: new money.
    """
    g = p.government
    assessed = np.full(eco.n_days + 1, _private_value_added(eco) * eco.price)  # each day's nominal tax base
    for tick in ticks(env, "incomes"):
        yield tick
        day = int(env.now)
        expect_inflation(eco, p)
        taxes = eco.base.tax_rate * assessed[max(day - collection_lag(eco, p), 0)]
        assessed[day] = _private_value_added(eco) * eco.price
        eco.ledger.pay("capitalists", "treasury", taxes, "taxes")
        eco.ledger.pay("treasury", "capitalists", g.subsidy_share * max(eco.private_sales_value, 0.0), "subsidies")
        eco.public_purchases_index = (1.0 + g.spending_growth) ** (day / 365.0)
        eco.public_employment *= 1.0 + g.public_employment_growth / 365.0
        drift = wage_indexation(eco, p) * eco.official_inflation_trend + g.wage_drift / 365.0 * _militancy(eco)
        eco.wage *= 1.0 + drift


def collection_lag(eco: Economy, p: Params) -> int:
    """Days between assessing a tax and collecting it: longer, the faster prices are expected to rise.

    Taxes were paid on incomes earned months before, in escudos of that time, so inflation
    eroded what the treasury got (Tanzi 1977, "Inflation, lags in collection, and the real value
    of tax revenue", IMF Staff Papers 24); penalties for paying late were fixed in escudos, so the
    faster prices rose the more it paid to pay late, and the lag itself lengthened
    (``tax_delay`` x expected annual inflation, as a share of ``tax_lag_days``). This is how the
    revenue side of the 1973 deficit grew (LM; UCH: the deficit was 42% of current revenue in 1972
    and 76% in 1973).
    """
    g = p.government
    lag = g.tax_lag_days * (1.0 + g.tax_delay * max(eco.expected_inflation, 0.0))
    return max(1, int(round(lag)))


def wage_indexation(eco: Economy, p: Params) -> float:
    """Share of current official inflation wages follow between decrees: more, the faster prices rise.

    At low inflation wages move between readjustments only through drift (``wage_indexation_drift``);
    as inflation rises, unions renegotiate and employers pay bonuses more often, so wages follow
    prices more closely, toward ``wage_indexation_max``, half way there at an annual official
    inflation of ``wage_indexation_half`` (the shortening of wage contracts in high inflation).
    """
    g = p.government
    inflation = max(float(np.expm1(365.0 * eco.official_inflation_trend)), 0.0)
    closer = inflation / (inflation + g.wage_indexation_half)
    return g.wage_indexation_drift + (g.wage_indexation_max - g.wage_indexation_drift) * closer


def expect_inflation(eco: Economy, p: Params) -> None:
    """Adaptive expectations of inflation, official and effective (prices as households paid them).

    The effective price level is first averaged over a month, so that a day's swing in what the
    black market charges reads as noise, not as inflation.
    """
    g = p.government
    speed = 1.0 / g.expectation_days
    smoothed = eco.cpi_effective_smoothed + (eco.cpi_effective - eco.cpi_effective_smoothed) / g.price_smoothing_days
    official = float(np.log(eco.price / eco.price_yesterday))
    effective = float(np.log(smoothed / eco.cpi_effective_smoothed))
    eco.official_inflation_trend += speed * (official - eco.official_inflation_trend)
    eco.effective_inflation_trend += speed * (effective - eco.effective_inflation_trend)
    eco.price_yesterday, eco.cpi_effective_smoothed = eco.price, smoothed
    eco.expected_inflation = float(np.expm1(365.0 * eco.effective_inflation_trend))


def _private_value_added(eco: Economy) -> float:
    """Real value added by private owners: the base on which taxes are assessed."""
    f = eco.flows
    private_industry = f["industrial_output"] - f["aps_output"]
    copper = 0.0 if eco.copper_state else f["copper_output"]
    return private_industry + f["agricultural_output"] + f["services_output"] + copper


def _militancy(eco: Economy) -> float:
    return float(mean_of(eco.militancy[: eco.n_large]))


def wage_readjustments(env, eco: Economy, p: Params, log: Recorder):
    """SimPy process: on each readjustment date, wages catch up with official inflation.

    The decree sets wages to the last decree's level raised by its share of the inflation since;
    what wages drifted up in between counts as an advance on it (no wage falls by decree).
    """
    if not p.government.wage_policy:
        return
    for r in sorted(p.government.wage_readjustments, key=lambda r: r.date):
        for tick in once(env, day_of(r.date, p.run.start), eco.n_days):
            yield tick
            past = eco.price / eco.wage_at_last_readjustment_cpi - 1.0
            rise = r.indexation * past + r.real_increase
            eco.wage = max(eco.wage, eco.wage_at_last_readjustment * (1.0 + max(rise, -0.9)))
            eco.wage_at_last_readjustment_cpi, eco.wage_at_last_readjustment = eco.price, eco.wage
            log.event(
                env.now, "wage_readjustment", "government", f"wages +{rise:.1%} (inflation since last {past:.1%})"
            )


def unit_cost(eco: Economy, p: Params) -> float:
    """Unit cost: wages over productivity, imports at the official rate, materials as bought.

    Materials are priced at the effective price level, since firms bought part of their inputs
    on the black market; imported inputs missing from the official quota were bought with
    parallel dollars at the premium. This is how the black markets fed back into official prices.
    Labour productivity and the effective price level are the month's averages (production and
    :func:`expect_inflation` keep them), as a cost review would take them: a week's spike of
    black-market prices is not a cost.
    """
    g, b = p.government, eco.base
    labour = eco.wage / max(eco.productivity, g.productivity_floor)
    outside = g.outside_quota_share * (1.0 - eco.import_ratio) * eco.dollar_premium
    imported = eco.exchange_rate / b.exchange_rate * (1.0 + outside)
    materials = 1.0 - g.labour_cost_share - g.import_cost_share
    return g.labour_cost_share * labour + g.import_cost_share * imported + materials * eco.cpi_effective_smoothed


@functools.lru_cache(maxsize=64)  # a sweep varies them: keep the latest few
def sales_shares(controls: bool, food: float, manufactures: float) -> tuple[np.ndarray, np.ndarray]:
    """Share of each good's sales at the controlled official price (none without price controls), and the free share.

    Read-only arrays, the same every day of a run, so made once.
    """
    controlled = np.array([food, manufactures]) if controls else np.zeros(2)
    free = 1.0 - controlled
    controlled.flags.writeable = free.flags.writeable = False
    return controlled, free


def reprice(eco: Economy, p: Params) -> None:
    """Each good's price from its controlled and free parts; the official CPI on the base year's basket.

    The statistics office priced the basket where it was sold legally: at official prices where
    they were controlled, at market prices where they were not (INE's CPI); black-market prices
    are left out of it, as they were.
    """
    g = p.government
    controlled, free = sales_shares(g.price_controls, g.controlled_food, g.controlled_manufactures)
    eco.goods_price = controlled * eco.official_price + free * eco.free_price
    eco.price = float(eco.weights @ eco.goods_price)


def price_reviews(env, eco: Economy, p: Params, log: Recorder):
    """SimPy process: routine reviews close part of the controlled price's cost gap; dated decrees close more.

    Without price controls (``government.price_controls = false``) there is nothing to review:
    every price is free (:func:`model.markets.free_prices`).
    """
    g = p.government
    if not g.price_controls:
        return
    freeze_end = day_of(g.price_freeze_end, p.run.start)
    reviews = (int(k * g.price_review_days) for k in range(1, int(eco.n_days / g.price_review_days) + 1))
    schedule = {day: g.price_catch_up_freeze if day < freeze_end else g.price_catch_up_after for day in reviews}
    decrees = {day_of(d.date, p.run.start): d.catch_up for d in g.price_decrees}
    schedule.update(decrees)
    eco.review_catch_up = g.price_catch_up_freeze
    for day in sorted(d for d in schedule if 0 < d < eco.n_days):
        yield on(env, day)
        eco.review_catch_up = g.price_catch_up_freeze if day < freeze_end else g.price_catch_up_after
        gap = max(0.0, unit_cost(eco, p) / eco.official_price - 1.0)
        eco.official_price *= 1.0 + schedule[day] * gap
        reprice(eco, p)
        if day in decrees:
            log.event(env.now, "price_decree", "government", f"official prices +{schedule[day] * gap:.1%}")


def stance(env, eco: Economy, p: Params, rng: np.random.Generator, log: Recorder):
    """SimPy process: the government's turn from its first stance toward Popular Power to its second.

    With ``politics.stance_timing = "historical"`` the turn comes on ``conciliation_date``; with
    ``"endogenous"`` on a day drawn with the hazard of :func:`turn_hazard`: the opposition's
    mobilisation, sharper the longer the owners strike, pushes the leadership to turn; organised
    workers' strength (the rank and file against a cautious leadership) holds it back. The turn
    brings the political event of the stance turned to (the military cabinet for conciliation:
    Moulian); a turn to the stance already held is no turn, and nothing happens.
    """
    g = p.government
    if g.stance_after_conciliation == eco.stance:
        return
    if p.politics.stance_timing == "historical":
        for tick in once(env, day_of(g.conciliation_date, p.run.start), eco.n_days):
            yield tick
            turn(eco, p, log, env.now)
        return
    for tick in ticks(env, "dated"):
        yield tick
        if rng.random() < turn_hazard(eco, p, int(env.now)):
            turn(eco, p, log, env.now)
            return


def turn_hazard(eco: Economy, p: Params, day: int) -> float:
    """Chance that the government turns today (endogenous stance timing)."""
    pol = p.politics
    striking = (day - eco.strike_first) / DAYS_PER_MONTH if eco.strikes_running else 0.0
    push = eco.mobilisation + pol.strike_pressure * striking - pol.resistance_weight * eco.organised
    return min(1.0, pol.turn_rate * max(0.0, push - pol.turn_threshold))


def turn(eco: Economy, p: Params, log: Recorder, now: float) -> None:
    """The stance changes, with the political event that comes with it."""
    after = p.government.stance_after_conciliation
    effects = getattr(p.government.stances, after)
    eco.stance = after
    log.event(now, "stance", "government", f"stance toward Popular Power: {after}")
    if effects.turn_event:
        politics.happen(eco, effects.turn_militancy_jump, effects.turn_risk_jump)
        detail = f"militancy {effects.turn_militancy_jump:+g}, risk {effects.turn_risk_jump:+g} (the turn to {after})"
        log.event(now, "political", effects.turn_event, detail)


def rationing(env, eco: Economy, p: Params, log: Recorder):
    """SimPy process: rationing of basic goods through the JAPs from its announcement."""
    for tick in once(env, day_of(p.government.rationing, p.run.start), eco.n_days):
        yield tick
        eco.rationing = True
        log.event(env.now, "rationing", "government", "32 basic goods rationed through the JAPs")
