"""The external sector: copper exports, the credit blockade, and reserves limiting imports.

Copper earned about three quarters of Chile's export revenue; its price fell from 64 US cents
a pound in 1970 to 49 in 1971 and 48.5 in 1972 (VUSK; CIA). After the copper expropriation the
United States cut short-term credit lines (the "invisible blockade"), and Chile declared a
moratorium on debt service in November 1971. Imports (UCH Table 2: US$1,020m in 1970, 1,124m in
1971 and 1,287m in 1972 while exports fell) were kept up by running reserves down and then into the
red, through short-term credit, suppliers' credit and arrears, at a cost; as the dollars ran out
they were rationed by priority: food first, then industrial inputs, then capital goods. Each
import is paid in escudos by whoever imports it: the state for food (its agencies imported it)
and for the APS's inputs and capital goods, capitalists for theirs. Tourism and remittances
bring residents dollars outside official channels.
"""

from __future__ import annotations

import numpy as np

from viachilena.model.calendar import date_of, day_of, ticks
from viachilena.model.economy import FOOD, Economy, exchange_rate_on
from viachilena.model.params import Params


def external_sector(env, eco: Economy, p: Params, rng: np.random.Generator):
    """SimPy process: each day dollars come in from exports and credit and go out for imports."""
    prices = _copper_prices(eco, p)
    devaluations = {0} | {day_of(step.date, p.run.start) for step in p.external.exchange_rate}
    for tick in ticks(env, "external"):
        yield tick
        day = int(env.now)
        if day in devaluations:  # the rate in force changes only on the days of its steps
            eco.exchange_rate = exchange_rate_on(p, day)
        exports(eco, p, prices[min(day, len(prices) - 1)])
        credit(eco, p, day)
        if p.external.private_inflow.enabled:
            eco.ledger.move_dollars("rest_of_world", "private_dollars", p.external.private_inflow.usd_per_year / 365.0)
        imports(eco, p)


def _copper_prices(eco: Economy, p: Params) -> np.ndarray:
    """Daily copper price relative to 1970, from the annual averages."""
    table = {c.year: c.cents_per_lb for c in p.external.copper_price}
    base = table.get(1970, next(iter(table.values())))
    years = [date_of(d, p.run.start).year for d in range(eco.n_days)]
    last = max(table)
    return np.array([table.get(min(y, last), base) / base for y in years])


def exports(eco: Economy, p: Params, copper_price: float) -> None:
    """Copper and other exports earn dollars; the central bank pays their owners escudos.

    Before nationalisation only the returned value of the foreign-owned mines reaches Chile;
    the rest is remitted as profit and never enters reserves. Private exporters under-invoice
    a share of their exports that grows with the parallel-dollar premium: those dollars stay
    with residents and supply the parallel market instead of reserves.
    """
    x = p.external
    b = eco.base
    price = copper_price if x.enabled else 1.0
    mined = eco.flows["copper_output"] / b.copper if b.copper > 0 else 0.0
    copper_usd = x.copper_exports_1970 / 365.0 * mined * price
    if not eco.copper_state:
        copper_usd *= x.copper_returned_value
    activity = (eco.flows["industrial_output"] + eco.flows["agricultural_output"]) / (b.industry + b.agriculture)
    other_usd = x.other_exports_1970 / 365.0 * activity
    premium = eco.dollar_premium
    hidden = x.under_invoicing * premium / (premium + x.under_invoicing_half) * other_usd
    eco.ledger.move_dollars("rest_of_world", "reserves", copper_usd + other_usd - hidden, "exports")
    eco.ledger.move_dollars("rest_of_world", "private_dollars", hidden)
    copper_owner = "treasury" if eco.copper_state else "capitalists"
    eco.ledger.pay("central_bank", copper_owner, copper_usd * eco.exchange_rate, "exports")
    eco.ledger.pay("central_bank", "capitalists", (other_usd - hidden) * eco.exchange_rate, "exports")
    eco.flows["exports_usd"] = copper_usd + other_usd - hidden


def credit(eco: Economy, p: Params, day: int) -> None:
    """New credit, cut by the blockade; other lenders later; debt service until the moratorium.

    Net reserves below zero are short-term debt (suppliers' credit, central-bank borrowing,
    arrears), on which interest is paid in dollars at a rate whose spread grows with the debt
    (:func:`short_term_rate`).
    """
    x = p.external
    cut = x.enabled and day >= day_of(x.credit_cut, p.run.start)
    drawn = (x.credit_after_cut if cut else x.credit_1970) / 365.0
    if x.enabled and day >= day_of(x.other_credit_from, p.run.start):
        drawn += x.other_credit / 365.0
    eco.ledger.move_dollars("rest_of_world", "reserves", drawn, "credit")
    moratorium = x.enabled and day >= day_of(x.debt_moratorium, p.run.start)
    service = (x.debt_service_after_moratorium if moratorium else x.debt_service) / 365.0
    debt = short_term_debt(eco.ledger.dollars["reserves"])
    service += short_term_rate(p, debt) / 365.0 * debt
    eco.ledger.move_dollars("reserves", "rest_of_world", service, "debt_service")


def short_term_debt(reserves: float) -> float:
    """Net short-term debt (US$m): net reserves below zero."""
    return max(-reserves, 0.0)


def short_term_rate(p: Params, debt: float) -> float:
    """Interest a year on short-term debt (US$m): a base rate plus a spread that grows with the debt."""
    x = p.external
    return x.short_term_interest + x.short_term_spread * debt / x.short_term_debt_half


def short_term_credit(p: Params, debt: float) -> float:
    """New short-term credit lenders would extend today (US$m/day), falling smoothly as the debt grows.

    Suppliers' credit, short-term bank lines and arrears: at no debt lenders offer
    ``short_term_credit`` a year; their willingness halves when the net short-term debt reaches
    ``short_term_debt_half``, and keeps falling, never to a hard stop, as it grows.
    """
    x = p.external
    return x.short_term_credit / 365.0 * x.short_term_debt_half / (x.short_term_debt_half + debt)


def imports(eco: Economy, p: Params) -> None:
    """Imports of food, industrial inputs and capital goods, rationed in that order as dollars run out.

    Food imports fill the gap between the food households' incomes would buy and what the farms
    grow over a harvest year; inputs follow industrial output; capital goods, investment. The
    dollars for them are the day's exports, a share of positive reserves (import licences tighten
    as reserves fall) and the short-term credit lenders still extend: what is spent beyond
    exports takes net reserves down, below zero as short-term debt.
    """
    x, b = p.external, eco.base
    eco.farm_output_trend += (eco.flows["agricultural_output"] - eco.farm_output_trend) / x.food_gap_days
    farms = b.agriculture / eco.farm_output_trend if eco.farm_output_trend > 0 else 1.0
    food_gap = eco.income_demand_index * farms
    food = x.food_imports_1970 / 365.0 * max(food_gap, x.food_gap_floor) ** x.food_import_elasticity
    inputs = x.input_imports_1970 / 365.0 * eco.flows["industrial_output"] / b.industry
    private_capital, aps_capital = (b.imported_capital_share * w / b.exchange_rate for w in eco.capital_wanted)
    reserves = eco.ledger.dollars["reserves"]
    credit_today = short_term_credit(p, short_term_debt(reserves))
    available = x.drawdown_rate * max(reserves, 0.0) + credit_today + eco.flows["exports_usd"]
    if not x.enabled:
        available = float("inf")
    bought = {}
    for kind, need in (("food", food), ("inputs", inputs), ("capital", private_capital + aps_capital)):
        bought[kind] = min(need, max(available, 0.0))
        available -= bought[kind]
    eco.food_import_ratio = bought["food"] / food if food > 0 else 1.0
    outside = min(eco.outside_inputs_usd, inputs - bought["inputs"])
    eco.import_ratio = (bought["inputs"] + outside) / inputs if inputs > 0 else 1.0
    eco.outside_need_usd = p.government.outside_quota_share * (inputs - bought["inputs"])
    capital_need = private_capital + aps_capital
    eco.capital_import_ratio = bought["capital"] / capital_need if capital_need > 0 else 1.0
    _pay_for(eco, bought, inputs, aps_capital / capital_need if capital_need > 0 else 0.0)
    total = sum(bought.values())
    eco.ledger.move_dollars("reserves", "rest_of_world", total, "imports")
    eco.flows["imports_usd"] = total


def _pay_for(eco: Economy, bought: dict[str, float], inputs: float, aps_capital_share: float) -> None:
    """Each importer pays the central bank for its dollars; the goods enter the goods ledger."""
    led, rate, b = eco.ledger, eco.exchange_rate, eco.base
    aps_inputs = eco.flows["aps_output"] / max(eco.flows["industrial_output"], 1e-12)
    led.pay("treasury", "central_bank", bought["food"] * rate, "imports")
    led.pay("treasury", "central_bank", bought["inputs"] * aps_inputs * rate, "imports")
    led.pay("capitalists", "central_bank", bought["inputs"] * (1.0 - aps_inputs) * rate, "imports")
    led.pay("treasury", "central_bank", bought["capital"] * aps_capital_share * rate, "capital_goods")
    led.pay("capitalists", "central_bank", bought["capital"] * (1.0 - aps_capital_share) * rate, "capital_goods")
    food = bought["food"] * b.exchange_rate  # E°m of 1970
    eco.depot[FOOD] += food
    eco.depot_state[FOOD] += food
    led.state_goods_flow("imported", food)
    led.goods_flow("imported", food + (bought["inputs"] + bought["capital"]) * b.exchange_rate)
    led.goods_flow("absorbed", (bought["inputs"] + bought["capital"]) * b.exchange_rate)
