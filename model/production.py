"""Production: industry and copper (agriculture through model.agriculture); capacity, investment and the capital strike.

Industry is the 1970 structure of a few hundred large firms that make most output and a long
tail of small ones (the APS took about 500 firms by 1973: UCH; Yotopoulos). Each firm turns
capacity into output, limited by demand (the 1971 boom used idle capacity, utilisation about
75% in 1970), by imported inputs that reserves allow, by inputs that arrived by truck, and by
lockouts and seizures. Private investment falls as the risk of expropriation rises, the
capital strike described by the source article and by Larrain and Meller (1991); the APS
invests from the budget and accepts a lower return. Farm output is made by
:mod:`model.agriculture`, called each day from here. Copper is
exported; after the nationalisation of 11 July 1971 its proceeds go to the treasury, and the
El Teniente strike of April-July 1973 cuts output.
"""

from __future__ import annotations

import numpy as np

from viachilena.model.agriculture import agriculture
from viachilena.model.calendar import day_of, ticks
from viachilena.model.economy import PRIVATE, Economy
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
    on_list = eco.is_large & (eco.rank < eco.list_size_now * eco.scale)
    return np.clip(eco.risk + p.nationalisation.risk_list_weight * on_list, 0.0, 1.0)


def industry(eco: Economy, p: Params) -> None:
    """Output, employment and investment of every industrial firm."""
    pr, e = p.production, p.economy_1970
    if not pr.enabled:
        eco.output = eco.output0.copy()
    else:
        depot_ratio = eco.depot / (e.factory_stock_days * eco.base.consumer_goods)
        demand = e.utilisation * eco.demand_index**pr.demand_elasticity
        utilisation = min(pr.max_utilisation, demand) * float(np.clip(1.5 - 0.5 * depot_ratio, 0.3, 1.0))
        inputs = 1.0 - eco.imported_share * (1.0 - eco.import_ratio)
        inputs -= pr.trucked_input_share * (1.0 - eco.input_delivery_ratio)
        eco.output = eco.capacity * utilisation * np.clip(inputs, 0.0, 1.0) * availability(eco, p)
    public = eco.owner != PRIVATE
    made = float(eco.output.sum())
    consumer = p.economy_1970.consumer_goods_share * made
    eco.depot += consumer
    eco.ledger.goods_flow("produced", made)
    eco.ledger.goods_flow("absorbed", made - consumer)
    # the APS sells its intermediate and capital goods to private firms at official prices
    aps_other = (1.0 - p.economy_1970.consumer_goods_share) * float(eco.output[eco.owner != PRIVATE].sum())
    eco.ledger.pay("capitalists", "treasury", eco.price * aps_other)
    eco.flows["industrial_output"] = made
    eco.flows["aps_output"] = float(eco.output[public].sum())
    _employment(eco, p, public)
    _invest(eco, p, public)


def availability(eco: Economy, p: Params) -> np.ndarray:
    """Share of normal output each firm can make: APS efficiency, lockouts, seizures, reopenings."""
    avail = np.where(eco.owner != PRIVATE, p.production.aps_efficiency, 1.0)
    stopped = (eco.locked_out & ~eco.reopened) | eco.seized
    avail = np.where(eco.reopened & eco.locked_out, p.popular_power.reopening_efficiency, avail)
    return np.where(stopped, 0.0, avail)


def _employment(eco: Economy, p: Params, public: np.ndarray) -> None:
    pr = p.production
    norm = eco.jobs_1970
    private_jobs = norm * (eco.output / eco.output0) ** pr.employment_elasticity
    aps_jobs = norm * (1.0 + pr.aps_hiring) * eco.capacity / eco.capacity0
    eco.industry_jobs_private = float(private_jobs[~public].sum())
    eco.industry_jobs_public = float(aps_jobs[public].sum())
    jobs = eco.industry_jobs_private + eco.industry_jobs_public
    if jobs > 0:
        today = (float(eco.output.sum()) / jobs) / (eco.base.industry / eco.base.employment["industry"])
        eco.productivity += (today - eco.productivity) / 30.0


def _invest(eco: Economy, p: Params, public: np.ndarray) -> None:
    pr = p.production
    if not pr.enabled:
        eco.flows["private_investment"] = eco.base.investment
        return
    depreciation = pr.depreciation / 365.0
    gross = (pr.depreciation + pr.investment_growth) / 365.0 * eco.capacity
    if pr.capital_strike:
        gross = gross * (1.0 - firm_risk(eco, p)) ** pr.investment_risk_elasticity
    aps = pr.aps_investment_ratio * depreciation * eco.capacity
    investment = np.where(public, aps, gross)
    eco.capacity += investment - depreciation * eco.capacity
    eco.flows["private_investment"] = float(investment[~public].sum())
    eco.ledger.pay("treasury", "capitalists", eco.price * float(investment[public].sum()))


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


def pay_incomes(eco: Economy, p: Params) -> None:
    """Wages from private employers and the state; profits distributed to upper households."""
    b = eco.base
    wage = eco.wage * b.wage_per_worker
    services_jobs = (
        b.employment["services"]
        * (eco.flows["services_output"] / b.private_services if b.private_services > 0 else 1.0)
        ** p.production.employment_elasticity
    )
    copper_jobs = b.employment["copper"]
    farm_jobs = b.employment["agriculture"]
    private_jobs = eco.industry_jobs_private + farm_jobs + services_jobs + (0.0 if eco.copper_state else copper_jobs)
    state_jobs = eco.industry_jobs_public + eco.public_employment + (copper_jobs if eco.copper_state else 0.0)
    eco.ledger.pay_households("capitalists", wage * private_jobs * eco.wage_weight)
    eco.ledger.pay_households("treasury", wage * state_jobs * eco.wage_weight)
    dividends = b.dividend_rate * max(eco.ledger.escudos["capitalists"], 0.0)
    eco.ledger.pay_households("capitalists", dividends * eco.profit_weight)
    eco.income = wage * (private_jobs + state_jobs) * eco.wage_weight + dividends * eco.profit_weight
    eco.flows["employment"] = private_jobs + state_jobs
    eco.labour_force *= 1.0 + p.economy_1970.labour_force_growth / 365.0
