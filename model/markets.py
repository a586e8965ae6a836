"""Daily market clearing: JAP and state supply, official shelves, the black market, services.

Households spend out of income and money balances (``D = c_y * income + c_m * balances``).
Goods sell first through JAPs and state distribution, then off the shelves of open shops, both
at the controlled official price; unmet spending turns in part to the black market, where the
hoard released that day sells at the price that clears it, capped; the rest stays in money
balances, the forced saving behind the monetary overhang of 1972-73 (CIA ER IM 72-175,
"the supply-demand gap"; Larrain and Meller 1991). The official CPI prices goods at official
prices only, as the statistics office measured it; the effective CPI weights official and black
prices by where goods were actually bought.
"""

from __future__ import annotations

import numpy as np

from viachilena.model.calendar import ticks
from viachilena.model.economy import Economy
from viachilena.model.params import Params


def markets(env, eco: Economy, p: Params, rng: np.random.Generator):
    """SimPy process: each day households buy goods and services and prices are recorded."""
    for tick in ticks(env, "markets"):
        yield tick
        goods(eco, p)
        services(eco, p)


def goods(eco: Economy, p: Params) -> None:
    """Clear the goods markets of every neighbourhood and the national black market."""
    h, price = p.households, eco.price
    balances = eco.ledger.households
    eco.spending_income += p.production.demand_smoothing * (eco.income - eco.spending_income)
    demand = np.minimum(eco.base.goods_propensity * eco.spending_income + h.balance_spending_rate * balances, balances)
    demand = np.maximum(demand, 0.0)
    jap = np.minimum(eco.jap_stock, demand / price)
    open_share = max(0.0, 1.0 - eco.shop_closure - eco.commerce_closure)
    official = np.minimum(eco.shelf * open_share, demand / price - jap)
    unmet = demand - price * (jap + official)
    eco.jap_stock -= jap
    eco.shelf -= official
    black_bought, black_price = black_market(eco, p, h.black_market_share * unmet)
    spent_black = black_bought * black_price
    state_share = state_goods_share(eco, p)
    official_value = price * official
    eco.ledger.households_pay("treasury", price * jap + state_share * official_value)
    eco.ledger.households_pay("capitalists", (1.0 - state_share) * official_value + spent_black)
    sold = float(jap.sum() + official.sum() + black_bought.sum())
    eco.ledger.goods_flow("consumed", sold)
    unmet_after = unmet - spent_black
    total_demand = float(demand.sum())
    eco.flows.update(
        demand=total_demand,
        unmet=float(unmet_after.sum()),
        official_sales=float(official.sum()),
        jap_sales=float(jap.sum()),
        black_sales=float(black_bought.sum()),
    )
    eco.official_sales_value = float(official_value.sum()) + price * float(jap.sum())
    eco.shortage = np.divide(unmet_after, demand, out=np.zeros_like(demand), where=demand > 0)
    eco.cpi_effective = (
        (price * (sold - float(black_bought.sum())) + float(spent_black.sum())) / sold if sold > 0 else price
    )
    real_demand = total_demand / price / eco.base.consumer_goods
    eco.demand_index += p.production.demand_smoothing * (real_demand - eco.demand_index)


def black_market(eco: Economy, p: Params, seeking: np.ndarray) -> tuple[np.ndarray, float]:
    """Sell the hoard released today at the price that clears it; returns (bought, price)."""
    h, price = p.hoarding, eco.price
    offered = h.release_rate * eco.hoard
    supply, wanted = float(offered.sum()), float(seeking.sum())
    cap = price * (1.0 + h.premium_cap)
    if wanted <= 0:
        eco.premium = 0.0
        return np.zeros_like(seeking), price
    if supply <= 0:
        eco.premium = h.premium_cap
        return np.zeros_like(seeking), cap
    black_price = min(max(wanted / supply, price), cap)
    sold = min(supply, wanted / black_price)
    eco.hoard -= offered * (sold / supply)
    eco.premium = black_price / price - 1.0
    return seeking / wanted * sold, black_price


def state_goods_share(eco: Economy, p: Params) -> float:
    """Share of goods on official shelves made by the APS or imported by the state."""
    consumer = p.economy_1970.consumer_goods_share
    state = consumer * eco.flows["aps_output"] + eco.food_imported
    total = consumer * eco.flows["industrial_output"] + eco.flows["agricultural_output"] + eco.food_imported
    return state / total if total > 0 else 0.0


def services(eco: Economy, p: Params) -> None:
    """Private services sold up to capacity; what cannot be bought stays in balances."""
    b, pr = eco.base, p.production
    wanted = b.services_propensity * eco.spending_income
    wanted_real = float(wanted.sum()) / eco.price
    capacity = b.private_services * pr.services_headroom * max(0.0, 1.0 - eco.services_loss)
    capacity *= 1.0 - 0.5 * pr.imported_input_share * (1.0 - eco.import_ratio)
    bought = min(wanted_real, capacity) if pr.enabled else b.private_services
    share = bought * eco.price / float(wanted.sum()) if wanted.sum() > 0 else 0.0
    spend = np.minimum(wanted * min(share, 1.0), np.maximum(eco.ledger.households, 0.0))
    eco.ledger.households_pay("capitalists", spend)
    eco.flows["services_output"] = float(spend.sum()) / eco.price
    eco.flows["public_output"] = eco.public_employment * b.wage_per_worker
