"""Capital flight: capitalists moving liquid wealth abroad as risk and inflation rise.

Capital flight, capital strikes and lockouts were capitalists' rational response to rising
wages, price controls and the threat of nationalisation (the source article; Larrain and Meller
1991). Each day capitalists move a share of their wealth abroad (cash, and the inventories they
can sell off: stocks at depots and hoards, at official prices), paid out of their cash; the
share rises with the expected risk of expropriation and with expected inflation. Part goes
through official channels (over-invoiced imports, under-invoiced exports), draining reserves at
the official rate, a part that grows as the parallel dollar gets dearer; the rest buys dollars
from residents on the parallel market. That market clears each day: the escudos that flight,
households hedging against inflation and firms buying inputs outside the import quota offer for
dollars, against the dollars residents offer (from tourism, remittances and under-invoiced
exports), set the parallel rate. Its premium feeds back into the official share of flight,
into under-invoicing (:mod:`model.external`), into unit cost (imported inputs bought at the
parallel rate: :func:`model.government.unit_cost`) and so into free prices, expected inflation
and the gain of hoarding.
"""

from __future__ import annotations

import math

import numpy as np

from viachilena.model.arrays import sum_of
from viachilena.model.calendar import ticks
from viachilena.model.economy import Economy
from viachilena.model.external import short_term_credit, short_term_debt
from viachilena.model.params import Params


def capital_flight(env, eco: Economy, p: Params, rng: np.random.Generator):
    """SimPy process: each day a share of capitalists' liquid wealth leaves the country."""
    most = eco.profit_weight.max()
    hedgers = eco.profit_weight / most if most > 0 else eco.profit_weight  # fixed for the run
    for tick in ticks(env, "capital_flight"):
        yield tick
        flee(eco, p, hedgers)


def flee(eco: Economy, p: Params, hedgers: np.ndarray) -> None:
    """Move today's flight through the official channel, and clear the parallel dollar market."""
    c, led = p.capital_flight, eco.ledger
    cash = max(led.escudos["capitalists"], 0.0)
    inventories = float(eco.goods_price @ (eco.depot - eco.depot_state + sum_of(eco.hoard, axis=1)))
    rate = (
        c.base_rate + c.risk_sensitivity * eco.risk + c.inflation_sensitivity * max(eco.expected_inflation, 0.0)
    ) / 365.0
    escudos = min(min(rate, 1.0) * (cash + inventories), cash)
    premium = eco.dollar_premium
    official_share = c.official_channel_share + (1.0 - c.official_channel_share) * premium / (premium + c.premium_half)
    official = official_share * escudos
    reserves = led.dollars["reserves"]
    payable = max(reserves, 0.0) + short_term_credit(p, short_term_debt(reserves))  # positive reserves, today's credit
    official_usd = min(official / eco.exchange_rate, payable)
    led.pay("capitalists", "central_bank", official_usd * eco.exchange_rate, "dollars")
    led.move_dollars("reserves", "capitalists_abroad", official_usd, "official_flight")
    flight = escudos - official_usd * eco.exchange_rate
    bought = parallel_market(eco, p, flight, hedgers)
    eco.cumulative["capital_flight_usd"] += official_usd + bought


def parallel_market(eco: Economy, p: Params, flight: float, hedgers: np.ndarray) -> float:
    """Clear the day's parallel dollar market; returns the dollars capitalists bought to take abroad.

    Demand, in escudos: capitalists' flight outside the official channel; households hedging
    their balances against expected inflation (those with profit income, in proportion to it:
    `hedgers`, each neighbourhood's profit weight over the largest;
    the dearer yesterday's parallel dollar, the fewer escudos they bring);
    firms buying the imported inputs missing from the official quota (``outside_quota_share`` of
    them, at yesterday's parallel rate). Supply: residents' dollars (tourism, remittances,
    under-invoiced exports), offered the more the dearer the parallel dollar: nobody sells a
    dollar there for what the central bank pays, so at premium ``pi`` residents offer
    ``dollar_offer_rate * pi / (pi + dollar_offer_half)`` of their dollars a day
    (:func:`clearing_premium`). The rate clears the escudos offered against the dollars offered,
    so the parallel dollar stays dearer than the official one as long as anyone wants it; every
    buyer gets dollars in proportion to the escudos it brings. Hedgers hold their dollars; inputs
    bought this way are imported outside the official channel and reach the firms the next day.
    """
    c, led = p.capital_flight, eco.ledger
    rate = min(c.hedging_rate / 365.0 * max(eco.expected_inflation, 0.0) / (1.0 + eco.dollar_premium), 1.0)
    hedge = rate * np.maximum(led.households, 0.0) * hedgers
    inputs = eco.outside_need_usd * eco.exchange_rate * (1.0 + eco.dollar_premium)
    hedged = float(sum_of(hedge))
    demand = flight + hedged + inputs
    most = c.dollar_offer_rate * max(led.dollars["private_dollars"], 0.0)
    if most <= 0 or demand <= 0:
        eco.outside_inputs_usd = 0.0
        return 0.0
    parallel = eco.exchange_rate * (1.0 + clearing_premium(demand, eco.exchange_rate * most, c.dollar_offer_half))
    led.pay_households("capitalists", (flight + inputs) * eco.profit_weight, "dollars")
    led.households_transfer(hedge, hedged * eco.profit_weight, "dollars")
    led.move_dollars("private_dollars", "capitalists_abroad", flight / parallel)
    led.move_dollars("private_dollars", "households_dollars", hedged / parallel)
    led.move_dollars("private_dollars", "rest_of_world", inputs / parallel)
    eco.outside_inputs_usd = inputs / parallel
    led.goods_flow("imported", eco.outside_inputs_usd * eco.base.exchange_rate)
    led.goods_flow("absorbed", eco.outside_inputs_usd * eco.base.exchange_rate)
    eco.dollar_premium = parallel / eco.exchange_rate - 1.0
    return flight / parallel


def clearing_premium(demand: float, most: float, half: float) -> float:
    """The premium ``pi`` at which ``demand`` escudos buy what residents offer: ``pi / (pi + half)`` of ``most``.

    ``most`` is the escudo value at the official rate of the most residents would offer.
    Clearing, ``demand / (1 + pi) = most * pi / (pi + half)``, is, with ``r = demand / most``,
    the quadratic ``pi^2 + (1 - r) * pi - r * half = 0``; its positive root, written so that it
    loses no digits when demand is small against the offer and does not overflow when it is huge.
    """
    r = demand / most
    b = 1.0 - r
    root = math.hypot(b, 2.0 * math.sqrt(r * half))  # sqrt(b^2 + 4 r half), without overflow
    return 2.0 * r * half / (b + root) if b >= 0 else (root - b) / 2.0
