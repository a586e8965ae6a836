"""Capital flight: capitalists moving liquid wealth abroad as risk and inflation rise.

Capital flight, capital strikes and lockouts were capitalists' rational response to rising
wages, price controls and the threat of nationalisation (the source article; Larrain and Meller
1991). Each day capitalists move a share of their liquid escudos abroad; the share rises with
the expected risk of expropriation and with expected inflation. Part goes through official
channels (over-invoiced imports, under-invoiced exports), draining reserves at the official
rate; the rest buys dollars from residents on the black market, raising the black-market dollar
premium.
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
    """Move today's flight through the official and the black-market channels."""
    c, x = p.capital_flight, p.external
    led = eco.ledger
    rate = (
        c.base_rate + c.risk_sensitivity * eco.risk + c.inflation_sensitivity * max(eco.expected_inflation, 0.0)
    ) / 365.0
    escudos = min(rate, 1.0) * max(led.escudos["capitalists"], 0.0)
    official = c.official_channel_share * escudos
    official_usd = min(official / eco.exchange_rate, max(led.dollars["reserves"] - x.reserve_floor, 0.0))
    led.pay("capitalists", "central_bank", official_usd * eco.exchange_rate)
    led.move_dollars("reserves", "capitalists_abroad", official_usd, "official_flight")
    black_rate = eco.exchange_rate * (1.0 + eco.dollar_premium)
    unofficial_usd = min((escudos - official) / black_rate, max(led.dollars["private_dollars"], 0.0))
    led.pay_households("capitalists", unofficial_usd * black_rate * eco.profit_weight)
    led.move_dollars("private_dollars", "capitalists_abroad", unofficial_usd)
    held = max(led.dollars["private_dollars"], 1e-9)
    eco.dollar_premium = c.dollar_premium_sensitivity * (escudos - official) / eco.exchange_rate / held
    eco.cumulative["capital_flight_usd"] += official_usd + unofficial_usd
