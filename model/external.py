"""The external sector: copper exports, the credit blockade, and reserves limiting imports.

Copper earned about three quarters of Chile's export revenue; its price fell from 64 US cents
a pound in 1970 to 49 in 1971 and 48.5 in 1972 (VUSK; CIA). After the copper expropriation the
United States cut short-term credit lines (the "invisible blockade"), and Chile declared a
moratorium on debt service in November 1971. Imports of food and inputs (UCH Table 2: imports
rose from US$1,020m in 1970 to 1,287m in 1972 while exports fell) are cut to what reserves and
credit allow; the import ratio then limits industrial inputs (production) and the food arriving
in the shops. Tourism and remittances bring residents dollars outside official channels.
"""

from __future__ import annotations

import numpy as np

from viachilena.model.calendar import date_of, day_of, ticks
from viachilena.model.economy import Economy, exchange_rate_on
from viachilena.model.params import Params


def external_sector(env, eco: Economy, p: Params, rng: np.random.Generator):
    """SimPy process: each day dollars come in from exports and credit and go out for imports."""
    prices = _copper_prices(eco, p)
    for tick in ticks(env, "external"):
        yield tick
        day = int(env.now)
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
    the rest is remitted as profit and never enters reserves.
    """
    x = p.external
    b = eco.base
    price = copper_price if x.enabled else 1.0
    copper_usd = x.copper_exports_1970 / 365.0 * eco.flows["copper_output"] / b.copper * price
    if not eco.copper_state:
        copper_usd *= x.copper_returned_value
    activity = (eco.flows["industrial_output"] + eco.flows["agricultural_output"]) / (b.industry + b.agriculture)
    other_usd = x.other_exports_1970 / 365.0 * activity
    eco.ledger.move_dollars("rest_of_world", "reserves", copper_usd + other_usd, "exports")
    copper_owner = "treasury" if eco.copper_state else "capitalists"
    eco.ledger.pay("central_bank", copper_owner, copper_usd * eco.exchange_rate)
    eco.ledger.pay("central_bank", "capitalists", other_usd * eco.exchange_rate)
    eco.flows["exports_usd"] = copper_usd + other_usd


def credit(eco: Economy, p: Params, day: int) -> None:
    """New credit, cut by the blockade; other lenders later; debt service until the moratorium."""
    x = p.external
    cut = x.enabled and day >= day_of(x.credit_cut, p.run.start)
    drawn = (x.credit_after_cut if cut else x.credit_1970) / 365.0
    if x.enabled and day >= day_of(x.other_credit_from, p.run.start):
        drawn += x.other_credit / 365.0
    eco.ledger.move_dollars("rest_of_world", "reserves", drawn, "credit")
    moratorium = x.enabled and day >= day_of(x.debt_moratorium, p.run.start)
    service = (x.debt_service_after_moratorium if moratorium else x.debt_service) / 365.0
    eco.ledger.move_dollars("reserves", "rest_of_world", service, "debt_service")


def imports(eco: Economy, p: Params) -> None:
    """Imports needed by industry, investment and the food gap, cut to what dollars allow."""
    x, b = p.external, eco.base
    food_gap = eco.demand_index * b.agriculture / max(eco.flows["agricultural_output"], 1e-9 * b.agriculture)
    food = x.food_imports_1970 / 365.0 * max(food_gap, 0.25) ** x.food_import_elasticity
    inputs = x.input_imports_1970 / 365.0 * eco.flows["industrial_output"] / b.industry
    capital = x.capital_imports_1970 / 365.0 * eco.flows["private_investment"] / b.investment
    needed = food + inputs + capital
    reserves = eco.ledger.dollars["reserves"]
    available = x.drawdown_rate * max(reserves - x.reserve_floor, 0.0) + eco.flows["exports_usd"]
    ratio = 1.0 if not x.enabled or needed <= available else available / needed
    eco.import_ratio = ratio
    bought = needed * ratio
    eco.ledger.move_dollars("reserves", "rest_of_world", bought, "imports")
    rate = eco.exchange_rate
    aps_share = eco.flows["aps_output"] / max(eco.flows["industrial_output"], 1e-12)
    eco.ledger.pay("treasury", "central_bank", food * ratio * rate)
    eco.ledger.pay("treasury", "central_bank", inputs * ratio * rate * aps_share)
    eco.ledger.pay("capitalists", "central_bank", (inputs * (1.0 - aps_share) + capital) * ratio * rate)
    eco.food_imported = food * ratio * b.exchange_rate
    eco.depot += eco.food_imported
    eco.ledger.goods_flow("imported", eco.food_imported)
    eco.flows["imports_usd"] = bought
