"""Daily market clearing of the two consumer goods: JAP and state supply, shelves, the black market, services.

Households spend out of income and money balances (``D = c_y * income + c_m * balances``); the
share of balances spent a day rises with expected effective inflation, a Cagan (1956) form, so
velocity rises when people flee money, as it did from mid-1972 (CIA ER IM 72-175, "the
supply-demand gap"). There are two consumer goods: food (farm output and food imports, the JAPs'
basket) and manufactures (industry's consumer goods); households split their spending between
them by the base year's budget shares. Only part of each good's sales was price-controlled:
each good sells at the mean of its controlled official price (decrees and reviews:
:mod:`model.government`) and its free price, which follows unit cost and the good's excess
demand every day. Goods sell first through JAPs and state supply (food), then off the shelves
of open shops; what households wanted at those prices and did not get is the shortage, counted
in goods. Part of the unmet demand turns to the black market, where hoards are offered; its
price clears that demand against the offer along a linear demand curve whose top, what buyers
would pay for the first unit, rises with how short they are and how liquid (the monetary
overhang of 1972-73: Larrain and Meller 1991). The rest of the unmet spending stays in money
balances: forced saving. Every sale pays whoever owns the goods: the treasury for goods the APS
made or the state imported, capitalists for the rest and for every black-market sale. The
official CPI prices the base year's basket at legal prices, controlled and free, as the
statistics office measured it, so it moves every day; the effective CPI weights legal and
black prices by where goods were bought.
"""

from __future__ import annotations

import numpy as np

from viachilena.model.arrays import sum_of
from viachilena.model.calendar import ticks
from viachilena.model.economy import FOOD, Economy
from viachilena.model.government import reprice, unit_cost
from viachilena.model.params import Params


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
    """Clear the markets for food and manufactures in every neighbourhood, and their black markets.

    Households split their spending between the two goods by the base year's budget shares; each
    good sells at its price, the sales-weighted mean of its controlled and free parts.
    """
    h, led = p.households, eco.ledger
    free_prices(eco, p)
    price = eco.goods_price[:, None]
    balances = led.households
    eco.spending_income += p.production.demand_smoothing * (eco.income - eco.spending_income)
    spending = eco.base.goods_propensity * eco.spending_income + balance_spending_rate(eco, p) * balances
    budget = eco.weights[:, None] * np.maximum(np.minimum(spending, balances), 0.0)[None, :]
    wanted = budget / price
    jap = np.minimum(eco.jap_stock, wanted)
    open_share = max(0.0, 1.0 - eco.shop_closure - eco.commerce_closure)
    official = np.minimum(eco.shelf * open_share, wanted - jap)
    jap_state = _sell(jap, eco.jap_stock, eco.jap_state)
    shelf_state = _sell(official, eco.shelf, eco.shelf_state)
    eco.jap_stock -= jap
    eco.shelf -= official
    state = jap_state + shelf_state
    state_sold = float(sum_of(state))
    got = jap + official
    led.households_pay("treasury", sum_of(price * state, axis=0), "goods")
    private_paid = sum_of(price * (got - state), axis=0)
    led.households_pay("capitalists", private_paid, "goods")
    led.state_goods_flow("sold", state_sold)
    eco.flows["state_goods_sold"] += state_sold
    unmet = wanted - got
    wanted_by_good, unmet_by_good = sum_of(wanted, axis=1), sum_of(unmet, axis=1)
    eco.goods_shortage = np.divide(unmet_by_good, wanted_by_good, out=np.zeros(2), where=wanted_by_good > 0)
    bought, black_price = black_market(eco, p, h.black_market_share * unmet, eco.goods_shortage)
    led.households_pay("capitalists", sum_of(black_price[:, None] * bought, axis=0), "black_market")
    sold_official, sold_black = sum_of(got, axis=1), sum_of(bought, axis=1)
    sold = float(sum_of(sold_official) + sum_of(sold_black))
    led.goods_flow("consumed", sold)
    total_wanted = float(sum_of(wanted_by_good))
    eco.flows.update(
        working_class_goods=float(sum_of(got[:, eco.working_index])),
        working_class_food=float(sum_of(got[FOOD, eco.working_index])),
        demand=total_wanted,
        unmet=float(sum_of(unmet_by_good)),
        official_sales=float(sum_of(official)),
        jap_sales=float(sum_of(jap)),
        black_sales=float(sum_of(sold_black)),
    )
    eco.private_sales_value = float(sum_of(private_paid))
    wanted_here = sum_of(wanted, axis=0)
    eco.shortage = np.divide(sum_of(unmet, axis=0), wanted_here, out=np.zeros(eco.n_neigh), where=wanted_here > 0)
    paid = float(eco.goods_price @ sold_official + black_price @ sold_black)
    eco.cpi_effective = paid / sold if sold > 0 else eco.price
    eco.demand_index += p.production.demand_smoothing * (total_wanted / eco.base.consumer_goods - eco.demand_index)
    from_income = eco.base.goods_propensity * float(sum_of(eco.spending_income)) / eco.price / eco.base.consumer_goods
    eco.income_demand_index += p.production.demand_smoothing * (from_income - eco.income_demand_index)


def free_prices(eco: Economy, p: Params) -> None:
    """The free part of each good's price follows unit cost times a markup that grows with excess demand.

    Sellers of a good that buyers queue for raise their markup over cost every day the queue
    lasts (``free_price_demand_speed`` per unit of the good's shortage, yesterday's), and let it
    fall back toward cost slowly once the shelves stay stocked (``free_markup_relax``): so excess
    demand that persists keeps raising free prices, instead of holding them a step above cost.
    With price controls off (``government.price_controls = false``) every sale is free.
    """
    g = p.government
    eco.free_markup += g.free_price_demand_speed * eco.goods_shortage - g.free_markup_relax * eco.free_markup
    target = unit_cost(eco, p) * np.exp(eco.free_markup)
    change = 1.0 + g.free_price_cost_speed * (target / eco.free_price - 1.0)
    eco.free_price = eco.free_price * np.maximum(change, 0.5)
    reprice(eco, p)


def _sell(quantity: np.ndarray, stock: np.ndarray, owned_by_state: np.ndarray) -> np.ndarray:
    """The state-owned part of a sale from a stock whose goods are mixed in proportion; updates that part."""
    share = np.divide(owned_by_state, stock, out=np.zeros_like(stock), where=stock > 0)
    state = np.minimum(quantity * share, owned_by_state)
    owned_by_state -= state
    return state


def black_market(eco: Economy, p: Params, seeking: np.ndarray, shortage: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sell what hoarders offer of each good to the unmet demand that seeks it; returns (bought, prices).

    Demand is linear in the premium: at premium ``pi`` buyers take ``Q * (1 - pi / top)``, where
    ``Q`` is the unmet demand for the good that seeks the black market and ``top``, the most anyone
    would pay over the good's price, rises with the good's shortage and with households' liquidity
    (balances over a month's income, against 1970's). An offer that covers ``Q`` sells at the
    good's price; a thin offer sells whole at the premium that clears it; with nothing offered, the
    premium is ``top``: what buyers would pay, with no goods changing hands.
    """
    h = p.hoarding
    offered = eco.release * eco.hoard
    supply, wanted = sum_of(offered, axis=1), sum_of(seeking, axis=1)
    top = h.black_premium_scale * shortage * _liquidity(eco, p) ** h.liquidity_elasticity
    short = np.divide(supply, wanted, out=np.ones(2), where=wanted > 0)
    premium = np.where(wanted > 0, top * np.maximum(0.0, 1.0 - short), 0.0)
    taken = np.divide(premium, top, out=np.zeros(2), where=top > 0)
    sold = np.minimum(supply, wanted * (1.0 - taken))
    black_price = eco.goods_price * (1.0 + premium)
    affordable = eco.weights[:, None] * np.maximum(eco.ledger.households, 0.0)[None, :] / black_price[:, None]
    share = np.divide(sold, wanted, out=np.zeros(2), where=wanted > 0)
    bought = np.minimum(seeking * share[:, None], affordable)
    eco.hoard -= offered * np.divide(sum_of(bought, axis=1), supply, out=np.zeros(2), where=supply > 0)[:, None]
    eco.premium = float(eco.weights @ premium)
    eco.black_price = eco.price * (1.0 + eco.premium)
    return bought, black_price


def _liquidity(eco: Economy, p: Params) -> float:
    """Households' money balances over a month of their income, relative to 1970's."""
    base = p.economy_1970
    balances_1970 = base.household_money_share * base.money_to_gdp * base.gdp
    income_1970 = eco.base.wage_per_worker * (1.0 - base.unemployment) + eco.base.dividends
    now = float(sum_of(eco.ledger.households)) / max(float(sum_of(eco.income)), 1e-12)
    normal = balances_1970 / income_1970
    return max(now / normal, 0.0) if normal > 0 else 1.0


def services(eco: Economy, p: Params) -> None:
    """Private services sold to households and the state up to what providers supply; unmet spending stays in balances.

    Supply follows what buyers want up to capacity, rising over ``production.employment_adjust_days``
    as providers hire (and falling at once when demand falls).
    """
    b, pr = eco.base, p.production
    wanted = b.services_propensity * eco.spending_income
    wanted_total = float(sum_of(wanted))
    wanted_real = wanted_total / eco.price
    public_real = b.public_services * eco.public_purchases_index
    capacity = b.private_services * pr.services_headroom * max(0.0, 1.0 - eco.services_loss)
    capacity *= 1.0 - pr.services_import_dependence * pr.imported_input_share * (1.0 - eco.import_ratio)
    supplied = min(public_real + wanted_real, capacity)
    rising = eco.services_supply + (supplied - eco.services_supply) / pr.employment_adjust_days
    eco.services_supply = min(supplied, rising)
    public_bought = min(public_real, eco.services_supply)
    bought = min(wanted_real, eco.services_supply - public_bought) if pr.enabled else b.household_services
    share = bought * eco.price / wanted_total if wanted_total > 0 else 0.0
    spend = np.minimum(wanted * min(share, 1.0), np.maximum(eco.ledger.households, 0.0))
    eco.ledger.households_pay("capitalists", spend, "services")
    eco.ledger.pay("treasury", "capitalists", public_bought * eco.price, "services")
    eco.flows["services_output"] = float(sum_of(spend)) / eco.price + public_bought
    eco.flows["public_output"] = eco.public_employment * b.wage_per_worker
