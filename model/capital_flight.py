"""Capital flight: capitalists moving liquid wealth abroad as risk and inflation rise.

Capital flight, capital strikes and lockouts were capitalists' rational response to rising
wages, price controls and the threat of nationalisation (the source article; Larrain and Meller
1991). Each day capitalists move a share of their wealth abroad (cash, and the inventories they
can sell off: stocks at depots and hoards, at official prices), paid out of their cash; the
share rises with the expected risk of expropriation and with expected inflation. Part goes
through official channels (over-invoiced imports, under-invoiced exports), draining reserves at
the official rate, a part that grows as the parallel dollar gets dearer; the rest buys dollars
from residents on the parallel market, which clears each day: the escudos offered for dollars
against the dollars residents offer (from tourism and remittances) set the parallel rate.
"""

from __future__ import annotations

import numpy as np

from viachilena.model.calendar import ticks
from viachilena.model.economy import Economy
from viachilena.model.params import Params


def capital_flight(env, eco: Economy, p: Params, rng: np.random.Generator):
    """SimPy process: each day a share of capitalists' liquid wealth leaves the country."""
    for tick in ticks(env, "capital_flight"):
        yield tick
        flee(eco, p)


def flee(eco: Economy, p: Params) -> None:
    """Move today's flight through the official channel and the parallel market."""
    c, x = p.capital_flight, p.external
    led = eco.ledger
    cash = max(led.escudos["capitalists"], 0.0)
    inventories = eco.price * (eco.depot - eco.depot_state + float(eco.hoard.sum()))
    rate = (
        c.base_rate + c.risk_sensitivity * eco.risk + c.inflation_sensitivity * max(eco.expected_inflation, 0.0)
    ) / 365.0
    escudos = min(min(rate, 1.0) * (cash + inventories), cash)
    premium = eco.dollar_premium
    official_share = c.official_channel_share + (1.0 - c.official_channel_share) * premium / (premium + c.premium_half)
    official = official_share * escudos
    official_usd = min(official / eco.exchange_rate, max(led.dollars["reserves"] - x.reserve_floor, 0.0))
    led.pay("capitalists", "central_bank", official_usd * eco.exchange_rate, "dollars")
    led.move_dollars("reserves", "capitalists_abroad", official_usd, "official_flight")
    unofficial = escudos - official_usd * eco.exchange_rate
    offered = c.dollar_offer_rate * max(led.dollars["private_dollars"], 0.0)
    parallel = max(eco.exchange_rate, unofficial / offered) if offered > 0 else eco.exchange_rate * (1.0 + premium)
    bought = min(unofficial / parallel, offered)
    led.pay_households("capitalists", bought * parallel * eco.profit_weight, "dollars")
    led.move_dollars("private_dollars", "capitalists_abroad", bought)
    eco.dollar_premium = parallel / eco.exchange_rate - 1.0
    eco.cumulative["capital_flight_usd"] += official_usd + bought
