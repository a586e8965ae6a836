"""Single mechanisms in isolation: hoarding's response, the calendar, trucks held by shipments,
the parallel dollar market's clearing, the tax collection lag."""

from __future__ import annotations

import datetime as dt

import numpy as np
import simpy
from hypothesis import given
from hypothesis import strategies as st

from viachilena.model.calendar import date_of, day_of
from viachilena.model.capital_flight import clearing_premium
from viachilena.model.economy import Economy
from viachilena.model.government import collection_lag
from viachilena.model.hoarding import diversion
from viachilena.model.run import streams
from viachilena.model.transport import Fleet, shipments


def test_diversion_is_zero_when_holding_does_not_pay_and_rises_with_the_gain():
    shares = [float(diversion(x, 0.5, 4.0)) for x in (-0.5, 0.0, 0.25, 0.5, 1.0, 3.0)]
    assert shares[0] == 0.0 and shares[1] == 0.0
    assert all(a < b for a, b in zip(shares[1:], shares[2:], strict=False))
    assert shares[-1] <= 1.0


AMOUNTS = st.floats(min_value=1e-6, max_value=1e6)


@given(demand=AMOUNTS, most=AMOUNTS, half=st.floats(min_value=0.01, max_value=20.0))
def test_the_parallel_premium_clears_the_escudos_offered_against_the_dollars_offered(demand, most, half):
    """Dollars bought (escudos over the parallel rate) equal dollars offered at the premium, to 1e-9."""
    premium = clearing_premium(demand, most, half)
    assert premium > 0.0
    bought, offered = demand / (1.0 + premium), most * premium / (premium + half)
    assert abs(bought - offered) <= 1e-9 * max(bought, offered)
    assert clearing_premium(2.0 * demand, most, half) > premium  # more escudos chasing dollars, dearer dollars


def test_the_tax_collection_lag_lengthens_with_expected_inflation(baseline_params):
    eco = Economy(baseline_params, streams(1)["setup"])
    lags = []
    for inflation in (0.0, 0.3, 1.5, 6.0):
        eco.expected_inflation = inflation
        lags.append(collection_lag(eco, baseline_params))
    assert lags[0] == round(baseline_params.government.tax_lag_days)
    assert all(a < b for a, b in zip(lags, lags[1:], strict=False))
    eco.expected_inflation = -0.5  # falling prices do not shorten the lag below the normal one
    assert collection_lag(eco, baseline_params) == lags[0]


def test_calendar_round_trip():
    start = dt.date(1970, 11, 4)
    assert day_of(dt.date(1973, 9, 11), start) == 1042
    assert date_of(1042, start) == dt.date(1973, 9, 11)


def test_a_shipment_holds_its_trucks_for_the_trip(baseline_params):
    eco = Economy(baseline_params, streams(1)["setup"])
    env = simpy.Environment()
    fleet = Fleet(env, eco)
    before = fleet.private.level
    in_transit = np.array([2.0, 3.0])  # food, manufactures
    eco.in_transit = in_transit.copy()
    eco.inputs_arrived = 0.0
    eco.in_transit_state = np.array([1.0, 0.0])
    goods = (in_transit.copy(), np.array([1.0, 0.0]))
    env.process(shipments(env, eco, fleet, baseline_params, goods, 2.0, 10.0, 0.0))
    env.run(until=0.5)
    assert fleet.private.level == before - 10.0
    env.run(until=2.0)
    assert fleet.private.level == before
    assert (eco.in_transit == 0.0).all() and (eco.in_transit_state == 0.0).all()
    assert eco.inputs_arrived == 2.0
    start = Economy(baseline_params, streams(1)["setup"])
    arrived = eco.shelf + eco.hoard + eco.jap_stock - start.shelf
    assert np.allclose(arrived.sum(axis=1), in_transit)  # each good arrives as itself
