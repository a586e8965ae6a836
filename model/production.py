"""Production: industry and copper (agriculture through model.agriculture); capacity, investment and the capital strike.

Industry is the 1970 structure of a few hundred large firms that make most output and a long
tail of small ones (the APS took about 500 firms by 1973: UCH; Yotopoulos). Each firm turns
capacity into output, limited by demand (the 1971 boom used idle capacity, utilisation about
75% in 1970), by imported inputs that reserves allow, by inputs that arrived by truck, and by
lockouts and seizures. Output falls at once when something stops it but rises only as far as
the firm's workforce allows, and toward that over ``production.restart_days`` (a restart as
inputs and shipments arrive); the workforce follows what the firm would make over
``production.employment_adjust_days``, so the 1971 boom is spread over months of hiring while
depots and shops draw their stocks down. Workers locked out or occupying their factory stay
employed as the labour-force surveys counted them, unpaid while it stands still, so a factory
restarts with its workforce. Industry's consumer goods are the
manufactures; food comes from the farms and food imports. Private investment falls as the risk
of expropriation rises, the capital strike described by the source article and by Larrain and Meller (1991); the APS
invests from the budget and accepts a lower return. Farm output is made by
:mod:`model.agriculture`, called each day from here. Copper is
exported; after the nationalisation of 11 July 1971 its proceeds go to the treasury, and the
El Teniente strike of April-July 1973 cuts output.
"""

from __future__ import annotations

import numpy as np

from viachilena.model.agriculture import agriculture
from viachilena.model.arrays import sum_of
from viachilena.model.calendar import day_of, ticks
from viachilena.model.economy import MANUFACTURES, Economy
from viachilena.model.params import Params


def production(env, eco: Economy, p: Params, rng: np.random.Generator):
    """SimPy process: each day firms, farms and mines produce, invest and pay wages."""
    for tick in ticks(env, "production"):
        yield tick
        day = int(env.now)
        industry(eco, p)
        agriculture(eco, p, day)
        copper(eco, p, day)
        pay_incomes(eco, p)


def firm_risk(eco: Economy, p: Params) -> np.ndarray:
    """Each firm's expected risk of expropriation: the economy's, plus being on the list."""
    return np.clip(eco.risk + p.nationalisation.risk_list_weight * eco.on_list(), 0.0, 1.0)


def investment_kept(eco: Economy, p: Params) -> np.ndarray:
    """Share of its investment each owner still makes, ``(1 - firm risk)^beta``: the capital strike.

    Production and the shop floor both read it each day; it is computed once for each risk and list size.
    """
    key = (eco.risk, eco.list_size_now)
    if eco.investment_kept_for[0] != key:
        eco.investment_kept_for = (key, (1.0 - firm_risk(eco, p)) ** p.production.investment_risk_elasticity)
    return eco.investment_kept_for[1]


def industry(eco: Economy, p: Params) -> None:
    """Output, sales of producer goods, employment and investment of every industrial firm.

    Orders come from the shops (consumer goods, through the smoothed real demand and the stock
    waiting at depots) and from buyers of producer goods: investors (the domestic part of their
    capital goods), the state's purchases of goods, and other uses that follow activity.
    """
    pr, e, b = p.production, p.economy_1970, eco.base
    public = eco.public
    wanted = investment_demand(eco, p, public)
    wanted_by_owner = (float(sum_of(wanted[eco.private])), float(sum_of(wanted[public])))  # private, APS
    halted = stopped(eco)
    domestic = (1.0 - b.imported_capital_share) * float(sum_of(wanted))
    public_goods = b.public_goods * eco.public_purchases_index
    other = b.other_absorption * eco.demand_index
    producer_orders = domestic + public_goods + other
    wanted_index = producer_orders / b.producer_goods if b.producer_goods > 0 else 1.0
    eco.producer_index += pr.demand_smoothing * (wanted_index - eco.producer_index)
    if not pr.enabled:
        eco.output = eco.output0.copy()
    else:
        depot_ratio = eco.depot[MANUFACTURES] / (e.factory_stock_days * b.goods[MANUFACTURES])
        restock = float(min(max(1.0 + pr.restocking * (1.0 - depot_ratio), pr.restocking_floor), 1.0))
        c = e.consumer_goods_share
        orders = c * eco.demand_index * restock + (1.0 - c) * eco.producer_index
        utilisation = min(pr.max_utilisation, e.utilisation * orders**pr.demand_elasticity)
        inputs = 1.0 - eco.imported_share * (1.0 - eco.import_ratio)
        inputs -= pr.trucked_input_share * (1.0 - eco.input_delivery_ratio)
        eco.running = eco.capacity * utilisation * np.clip(inputs, 0.0, 1.0) * availability(eco, p)
        target = np.where(halted, 0.0, eco.running)
        staffed = np.minimum(target, eco.output0 * (eco.jobs / eco.jobs_1970) ** (1.0 / pr.employment_elasticity))
        eco.output = np.minimum(target, np.maximum(eco.output, eco.output + (staffed - eco.output) / pr.restart_days))
    made = float(sum_of(eco.output))
    aps_made = float(sum_of(eco.output[public]))
    state_share = aps_made / made if made > 0 else 0.0
    consumer = e.consumer_goods_share * made
    eco.depot[MANUFACTURES] += consumer
    eco.depot_state[MANUFACTURES] += state_share * consumer
    eco.ledger.goods_flow("produced", made)
    eco.ledger.state_goods_flow("made", state_share * consumer)
    producer = made - consumer
    delivered = min(1.0, producer / producer_orders) if producer_orders > 0 else 0.0
    _sell_producer_goods(eco, state_share, delivered, wanted_by_owner, public_goods, other)
    eco.ledger.goods_flow("absorbed", producer)
    eco.flows["industrial_output"] = made
    eco.flows["aps_output"] = aps_made
    eco.flows["producer_goods"] = producer
    _employment(eco, p, public, halted)
    _invest(eco, p, public, wanted, wanted_by_owner, delivered)


def investment_demand(eco: Economy, p: Params, public: np.ndarray) -> np.ndarray:
    """Each firm's gross investment wanted today, E°m of 1970 a day.

    Private owners replace and add to their capital ``K = capital_output_ratio * capacity`` at
    ``(depreciation + growth) * K``, cut by ``(1 - risk)^beta`` as expropriation risk rises: the
    capital strike (Larrain and Meller 1991). The APS invests from the budget at its own rate.
    """
    pr = p.production
    capital = pr.capital_output_ratio * 365.0 * eco.capacity
    private = (pr.depreciation + pr.investment_growth) / 365.0 * capital
    if pr.capital_strike:
        private = private * investment_kept(eco, p)
    aps = pr.aps_investment_rate / 365.0 * capital
    return np.where(public, aps, private) if pr.enabled else np.zeros(eco.n_firms)


def _sell_producer_goods(eco, state_share, delivered, wanted_by_owner, public_goods, other) -> None:
    """Buyers of producer goods pay their makers: the treasury for the APS's share, capitalists for the rest."""
    led, price, b = eco.ledger, eco.price, eco.base
    domestic = (1.0 - b.imported_capital_share) * delivered
    private_buys = domestic * wanted_by_owner[0] + delivered * other
    state_buys = domestic * wanted_by_owner[1] + delivered * public_goods
    led.pay("capitalists", "treasury", state_share * private_buys * price, "producer_goods")
    led.pay("treasury", "capitalists", (1.0 - state_share) * state_buys * price, "producer_goods")


def _invest(
    eco: Economy, p: Params, public: np.ndarray, wanted: np.ndarray, wanted_by_owner: tuple, delivered: float
) -> None:
    """Capital grows by the investment realised (domestic goods delivered, imports allowed) and depreciates."""
    pr, b = p.production, eco.base
    if not pr.enabled:
        eco.flows["private_investment"] = b.investment
        return
    realised = wanted * (
        (1.0 - b.imported_capital_share) * delivered + b.imported_capital_share * eco.capital_import_ratio
    )
    eco.capacity += realised / (pr.capital_output_ratio * 365.0) - pr.depreciation / 365.0 * eco.capacity
    eco.flows["private_investment"] = float(sum_of(realised[eco.private]))
    eco.flows["public_investment"] = float(sum_of(realised[public]))
    eco.capital_wanted = wanted_by_owner


def stopped(eco: Economy) -> np.ndarray:
    """Firms stopped today: locked out by their owners (and not reopened), or seized and not yet decided."""
    return (eco.locked_out & ~eco.reopened) | eco.seized


def availability(eco: Economy, p: Params) -> np.ndarray:
    """Share of normal output each firm can make when it runs: APS efficiency, factories reopened by workers."""
    avail = np.where(eco.public, p.production.aps_efficiency, 1.0)
    return np.where(eco.reopened & eco.locked_out, p.popular_power.reopening_efficiency, avail)


def _employment(eco: Economy, p: Params, public: np.ndarray, halted: np.ndarray) -> None:
    """Jobs follow what firms would make, over months (hiring and layoffs take ``employment_adjust_days``).

    A firm's jobs follow what it would make if it ran: workers locked out by their owner or
    occupying their factory stay employed, as the labour-force surveys counted them; they are
    paid no wage while the factory stands still (:func:`pay_incomes`).
    """
    pr = p.production
    norm = eco.jobs_1970
    private_jobs = norm * (eco.running / eco.output0) ** pr.employment_elasticity
    aps_jobs = norm * (1.0 + pr.aps_hiring) * eco.capacity / eco.capacity0
    target = np.where(public, aps_jobs, private_jobs)
    eco.jobs += (target - eco.jobs) / pr.employment_adjust_days
    eco.industry_jobs_private = float(sum_of(eco.jobs[eco.private]))
    eco.industry_jobs_public = float(sum_of(eco.jobs[public]))
    eco.industry_jobs_idle = float(sum_of(eco.jobs[halted]))
    jobs = eco.industry_jobs_private + eco.industry_jobs_public - eco.industry_jobs_idle
    if jobs > 0:
        today = (eco.flows["industrial_output"] / jobs) / (eco.base.industry / eco.base.employment["industry"])
        eco.productivity += (today - eco.productivity) / pr.productivity_days


def copper(eco: Economy, p: Params, day: int) -> None:
    """Copper output, exported as it is mined."""
    pr = p.production
    level = eco.base.copper
    if pr.enabled:
        if eco.copper_state:
            level *= pr.copper_post_nationalisation_productivity
        strike = pr.el_teniente_strike
        if day_of(strike.start, p.run.start) <= day <= day_of(strike.end, p.run.start):
            level *= 1.0 - pr.el_teniente_output_loss
    eco.ledger.goods_flow("produced", level)
    eco.ledger.goods_flow("exported", level)
    eco.flows["copper_output"] = level


def services_employment(eco: Economy, p: Params) -> float:
    """Jobs in private services follow what the open providers sell, over months; returns the idle ones.

    Providers closed by the owners' strike (``eco.services_loss``) lock their staff out: those
    workers stay employed, as the surveys counted them, unpaid while closed, and jobs follow what
    the providers would sell if open (sales over the open share), over
    ``production.employment_adjust_days`` as everywhere else.
    """
    pr, b = p.production, eco.base
    open_share = max(1.0 - eco.services_loss, 0.0)
    sold = eco.flows["services_output"] / b.private_services if b.private_services > 0 else 1.0
    would_sell = sold / open_share if open_share > 0 else 0.0  # bounded: sales are capped by the open capacity
    target = b.employment["services"] * would_sell**pr.employment_elasticity
    eco.services_jobs += (target - eco.services_jobs) / pr.employment_adjust_days
    return eco.services_jobs * (1.0 - open_share)


def pay_incomes(eco: Economy, p: Params) -> None:
    """Wages from private employers and the state."""
    b = eco.base
    wage = eco.wage * b.wage_per_worker
    services_idle = services_employment(eco, p)
    copper_jobs = b.employment["copper"]
    farm_jobs = b.employment["agriculture"]
    private_jobs = eco.industry_jobs_private + farm_jobs + eco.services_jobs
    private_jobs += 0.0 if eco.copper_state else copper_jobs
    state_jobs = eco.industry_jobs_public + eco.public_employment + (copper_jobs if eco.copper_state else 0.0)
    idle = eco.industry_jobs_idle + services_idle  # counted employed, paid nothing while their workplace is shut
    eco.ledger.pay_households("capitalists", wage * (private_jobs - idle) * eco.wage_weight, "wages")
    eco.ledger.pay_households("treasury", wage * state_jobs * eco.wage_weight, "wages")
    eco.wage_income = wage * (private_jobs + state_jobs - idle) * eco.wage_weight
    eco.flows["employment"] = private_jobs + state_jobs
    eco.labour_force *= 1.0 + p.economy_1970.labour_force_growth / 365.0


OPERATING = ("goods", "black_market", "services", "producer_goods", "exports", "subsidies")
COSTS = ("wages", "taxes", "imports")


def distribute_profits(env, eco: Economy, p: Params):
    """SimPy process: at the end of each day capitalists pay out a share of their smoothed operating profit.

    Operating profit is what capitalists received for goods, services, producer goods and
    exports, and in subsidies, less what they paid in wages, taxes and imported inputs (the
    day's flow matrix); the payout ratio is the base year's, which makes households spend their
    whole income at day 0.
    """
    led, b = eco.ledger, eco.base
    for tick in ticks(env, "profits"):
        yield tick
        received_for, paid_for = led.by_purpose(payee="capitalists"), led.by_purpose(payer="capitalists")
        received = sum(received_for.get(what, 0) for what in OPERATING)
        paid = sum(paid_for.get(what, 0) for what in COSTS)
        eco.profit += (received - paid - eco.profit) / p.production.profit_smoothing_days
        dividends = b.payout * max(eco.profit, 0.0)
        led.pay_households("capitalists", dividends * eco.profit_weight, "dividends")
        eco.income = eco.wage_income + dividends * eco.profit_weight
