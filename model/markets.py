"""Daily market clearing: JAP and state supply, official shelves, the black market, services.

Households spend out of income and money balances (``D = c_y * income + c_m * balances``); the
share of balances spent a day rises with expected effective inflation, a Cagan (1956) form, so
velocity rises when people flee money, as it did from mid-1972 (CIA ER IM 72-175, "the
supply-demand gap"). Goods sell first through JAPs and state distribution, then off the shelves
of open shops, both at the controlled official price; what households wanted at that price and
did not get is the shortage, counted in goods. Part of the unmet demand turns to the black
market, where hoards are offered; its price clears that demand against the offer along a
linear demand curve whose top, what buyers would pay for the first unit, rises with how short
they are and how liquid (the monetary overhang of 1972-73: Larrain and Meller 1991). The rest of
the unmet spending stays in money balances: forced saving. Every sale pays whoever owns the
goods: the treasury for goods the APS made or the state imported, capitalists for the rest and
for every black-market sale. The official CPI prices goods at official prices, as the statistics
office measured it; the effective CPI weights official and black prices by where goods were
bought.
"""

from __future__ import annotations

import numpy as np

from viachilena.model.calendar import ticks
from viachilena.model.economy import Economy
from viachilena.model.params import Params
from viachilena.model.structure import WORKING


def markets(env, eco: Economy, p: Params, rng: np.random.Generator):
    """SimPy process: each day households buy goods and services and prices are recorded."""
    for tick in ticks(env, "markets"):
        yield tick
        goods(eco, p)
        services(eco, p)


def balance_spending_rate(eco: Economy, p: Params) -> float:
    """Share of money balances households spend a day: Cagan's form in expected effective inflation."""
    h = p.households
    surprise = eco.expected_inflation - p.government.inflation_at_start
    return min(
        h.balance_spending_rate * float(np.exp(h.cagan_semi_elasticity * min(surprise, 50.0))), h.balance_spending_max
    )


def goods(eco: Economy, p: Params) -> None:
    """Clear the goods markets of every neighbourhood and the national black market."""
    h, price, led = p.households, eco.price, eco.ledger
    balances = led.households
    eco.spending_income += p.production.demand_smoothing * (eco.income - eco.spending_income)
    spending = eco.base.goods_propensity * eco.spending_income + balance_spending_rate(eco, p) * balances
    wanted = np.maximum(np.minimum(spending, balances), 0.0) / price
    jap = np.minimum(eco.jap_stock, wanted)
    open_share = max(0.0, 1.0 - eco.shop_closure - eco.commerce_closure)
    official = np.minimum(eco.shelf * open_share, wanted - jap)
    jap_state = _sell(jap, eco.jap_stock, eco.jap_state)
    shelf_state = _sell(official, eco.shelf, eco.shelf_state)
    eco.jap_stock -= jap
    eco.shelf -= official
    state_sold = float(jap_state.sum() + shelf_state.sum())
    got = jap + official
    led.households_pay("treasury", price * (jap_state + shelf_state), "goods")
    led.households_pay("capitalists", price * (got - jap_state - shelf_state), "goods")
    led.state_goods_flow("sold", state_sold)
    eco.flows["state_goods_sold"] += state_sold
    unmet = wanted - got
    total_wanted = float(wanted.sum())
    shortage = float(unmet.sum()) / total_wanted if total_wanted > 0 else 0.0
    bought, black_price = black_market(eco, p, h.black_market_share * unmet, shortage)
    led.households_pay("capitalists", black_price * bought, "black_market")
    sold_official, sold_black = float(got.sum()), float(bought.sum())
    led.goods_flow("consumed", sold_official + sold_black)
    eco.flows.update(
        working_class_goods=float(got[eco.cls == WORKING].sum()),
        demand=total_wanted,
        unmet=float(unmet.sum()),
        official_sales=float(official.sum()),
        jap_sales=float(jap.sum()),
        black_sales=sold_black,
    )
    eco.official_sales_value = price * sold_official
    eco.shortage = np.divide(unmet, wanted, out=np.zeros_like(wanted), where=wanted > 0)
    sold = sold_official + sold_black
    eco.cpi_effective = (price * sold_official + black_price * sold_black) / sold if sold > 0 else price
    real_demand = total_wanted / eco.base.consumer_goods
    eco.demand_index += p.production.demand_smoothing * (real_demand - eco.demand_index)
    from_income = eco.base.goods_propensity * float(eco.spending_income.sum()) / price / eco.base.consumer_goods
    eco.income_demand_index += p.production.demand_smoothing * (from_income - eco.income_demand_index)


def _sell(quantity: np.ndarray, stock: np.ndarray, owned_by_state: np.ndarray) -> np.ndarray:
    """The state-owned part of a sale from a stock whose goods are mixed in proportion; updates that part."""
    share = np.divide(owned_by_state, stock, out=np.zeros_like(stock), where=stock > 0)
    state = np.minimum(quantity * share, owned_by_state)
    owned_by_state -= state
    return state


def black_market(eco: Economy, p: Params, seeking: np.ndarray, shortage: float) -> tuple[np.ndarray, float]:
    """Sell what hoarders offer today to the unmet demand that seeks it; returns (bought, price).

    Demand is linear in the premium: at premium ``pi`` buyers take ``Q * (1 - pi / top)``, where
    ``Q`` is the unmet demand that seeks the black market and ``top``, the most anyone would pay
    over the official price, rises with the shortage and with households' liquidity (balances
    over a month's income, against 1970's). An offer that covers ``Q`` sells at the official
    price; a thin offer sells whole at the premium that clears it; with nothing offered, the
    premium is ``top``: what buyers would pay, with no goods changing hands.
    """
    h, price = p.hoarding, eco.price
    offered = eco.release * eco.hoard
    supply, wanted = float(offered.sum()), float(seeking.sum())
    top = h.black_premium_scale * shortage * _liquidity(eco, p) ** h.liquidity_elasticity
    if wanted <= 0:
        eco.premium, eco.black_price = 0.0, price
        return np.zeros_like(seeking), price
    premium = top * max(0.0, 1.0 - supply / wanted)
    sold = min(supply, wanted * (1.0 - premium / top) if top > 0 else wanted)
    black_price = price * (1.0 + premium)
    affordable = np.maximum(eco.ledger.households, 0.0) / black_price
    bought = np.minimum(seeking / wanted * sold, affordable)
    taken = float(bought.sum())
    if supply > 0:
        eco.hoard -= offered * (taken / supply)
    eco.premium, eco.black_price = premium, black_price
    return bought, black_price


def _liquidity(eco: Economy, p: Params) -> float:
    """Households' money balances over a month of their income, relative to 1970's."""
    base = p.economy_1970
    balances_1970 = base.household_money_share * base.money_to_gdp * base.gdp
    income_1970 = eco.base.wage_per_worker * (1.0 - base.unemployment) + eco.base.dividends
    now = float(eco.ledger.households.sum()) / max(float(eco.income.sum()), 1e-12)
    normal = balances_1970 / income_1970
    return max(now / normal, 0.0) if normal > 0 else 1.0


def services(eco: Economy, p: Params) -> None:
    """Private services sold to households and the state up to capacity; unmet spending stays in balances."""
    b, pr = eco.base, p.production
    wanted = b.services_propensity * eco.spending_income
    wanted_real = float(wanted.sum()) / eco.price
    public_real = b.public_services * eco.public_purchases_index
    capacity = b.private_services * pr.services_headroom * max(0.0, 1.0 - eco.services_loss)
    capacity *= 1.0 - pr.services_import_dependence * pr.imported_input_share * (1.0 - eco.import_ratio)
    public_bought = min(public_real, capacity)
    bought = min(wanted_real, capacity - public_bought) if pr.enabled else b.household_services
    share = bought * eco.price / float(wanted.sum()) if wanted.sum() > 0 else 0.0
    spend = np.minimum(wanted * min(share, 1.0), np.maximum(eco.ledger.households, 0.0))
    eco.ledger.households_pay("capitalists", spend, "services")
    eco.ledger.pay("treasury", "capitalists", public_bought * eco.price, "services")
    eco.flows["services_output"] = float(spend.sum()) / eco.price + public_bought
    eco.flows["public_output"] = eco.public_employment * b.wage_per_worker
