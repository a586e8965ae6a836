"""Single mechanisms in isolation: hoarding's response, the calendar, trucks held by shipments."""

from __future__ import annotations

import datetime as dt

import numpy as np
import simpy

from viachilena.model.calendar import date_of, day_of
from viachilena.model.economy import Economy
from viachilena.model.hoarding import diversion
from viachilena.model.run import streams
from viachilena.model.transport import Fleet, shipments


def test_diversion_is_zero_when_holding_does_not_pay_and_rises_with_the_gain():
    shares = [float(diversion(x, 0.5, 4.0)) for x in (-0.5, 0.0, 0.25, 0.5, 1.0, 3.0)]
    assert shares[0] == 0.0 and shares[1] == 0.0
    assert all(a < b for a, b in zip(shares[1:], shares[2:], strict=False))
    assert shares[-1] <= 1.0


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
