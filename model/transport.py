"""Transport: trucks as a SimPy resource, every shipment holding trucks for its trip.

Chile moved its freight by road: about 50,000 freight vehicles in 1972, 80% of them owned by
private owner-operators (QP). Each day the goods waiting at factories, farms and ports, and the
inputs factories need, are loaded onto the trucks that are free; a shipment is a SimPy process
that holds its trucks (a ``simpy.Container`` for private trucks, another for the state's,
requisitioned and volunteer trucks) for the trip, then delivers and releases them. A day's
shipments travel as one process, so the number of SimPy events does not grow with the number
of trucks or shops.
In normal times the fleet has headroom (``transport.fleet_headroom`` of it idle in 1970), and
trucks for factory inputs follow what factories made, not what households wanted. While an
owners' strike runs, state-coordinated trucks carry more loads per trip slot: the telex network
that routed about 200 loyal trucks in October 1972 (Project Cybersyn accounts), a parameter so a
user can ask what better coordination would have saved; outside strikes it changes nothing.
"""

from __future__ import annotations

import numpy as np
import simpy

from viachilena.model.arrays import sum_of
from viachilena.model.calendar import PHASE, ticks
from viachilena.model.economy import FOOD, Economy
from viachilena.model.params import Params


class Fleet:
    """The trucks: private owner-operators and the state's pool, as SimPy containers of agents."""

    def __init__(self, env: simpy.Environment, eco: Economy):
        self.private = simpy.Container(env, init=eco.private_agents)
        self.state = simpy.Container(env, init=eco.state_agents)
        self.destination = sum_of(eco.shelf, axis=0) / sum_of(eco.shelf)


def dispatch(env: simpy.Environment, eco: Economy, fleet: Fleet, p: Params, rng: np.random.Generator):
    """SimPy process: each day, load the free trucks with what waits to be shipped."""
    for tick in ticks(env, "dispatch"):
        yield tick
        load_trucks(env, eco, fleet, p)


def load_trucks(env: simpy.Environment, eco: Economy, fleet: Fleet, p: Params) -> None:
    """Share today's free trucks between consumer goods for the shops and factory inputs."""
    t, e = p.transport, p.economy_1970
    if eco.input_need > 0:
        eco.input_delivery_ratio = min(1.0, eco.inputs_arrived / eco.input_need)
    eco.inputs_arrived = 0.0
    goods = eco.depot / e.factory_stock_days
    inputs = p.production.trucked_input_share * eco.flows["industrial_output"]
    need = float(sum_of(goods)) + inputs
    load = eco.base.load_per_trip
    private_free, state_free = fleet.private.level, fleet.state.level
    if t.enabled:
        coordination = t.coordination_loads_per_day if eco.strikes_running > 0 else 1.0
        capacity = (private_free + state_free * coordination) * load
        shipped = min(1.0, capacity / need) if need > 0 else 0.0
        private_used = min(private_free, shipped * need / load)
        state_used = min(state_free, (shipped * need - private_used * load) / (load * coordination))
        eco.flows["fleet_utilisation"] = shipped * need / capacity if capacity > 0 else 1.0
    else:
        shipped, private_used, state_used = 1.0, 0.0, 0.0
        eco.flows["fleet_utilisation"] = 0.0
    state_goods = eco.depot_state * (shipped / e.factory_stock_days)
    eco.depot -= goods * shipped
    eco.depot_state -= state_goods
    eco.in_transit += goods * shipped
    eco.in_transit_state += state_goods
    eco.input_need = inputs
    eco.flows["shipments_queued"] = float(sum_of(eco.depot))
    if need * shipped > 0:
        # a hair under what is free, so that rounding never makes a shipment wait for a truck
        trucks = (private_used * (1 - 1e-9), state_used * (1 - 1e-9))
        env.process(shipments(env, eco, fleet, p, (goods * shipped, state_goods), inputs * shipped, *trucks))


def shipments(
    env,
    eco: Economy,
    fleet: Fleet,
    p: Params,
    goods: tuple[np.ndarray, np.ndarray],
    inputs: float,
    private: float,
    state: float,
):
    """SimPy process: the day's shipments hold their trucks for the trip, then deliver.

    One process carries a day's loads on every route: batching keeps the number of SimPy
    events independent of the number of trucks and shops.
    """
    if private > 0:
        yield fleet.private.get(private)
    if state > 0:
        yield fleet.state.get(state)
    yield env.timeout(p.transport.trip_days - (PHASE["dispatch"] - PHASE["arrival"]))
    # releasing never waits (the containers are unbounded), so the puts are not yielded
    if private > 0:
        fleet.private.put(private)
    if state > 0:
        fleet.state.put(state)
    deliver(eco, fleet, *goods)
    eco.inputs_arrived += inputs
    eco.flows["deliveries"] += float(sum_of(goods[0])) + inputs


def deliver(eco: Economy, fleet: Fleet, amount: np.ndarray, state_amount: np.ndarray) -> None:
    """Goods reach the shops: food partly through the JAPs, some into the hoard, the rest on shelves.

    `amount` is each good's shipment and `state_amount` the part of it the state owns (made by
    the APS or imported by the state). The JAPs' direct supply is the food basket. Goods the
    shopkeeper diverts to the hoard are bought from their maker at the controlled official price;
    the hoard is the shopkeeper's.
    """
    state_share = np.divide(state_amount, amount, out=np.zeros(2), where=amount > 0)[:, None]
    arriving = amount[:, None] * fleet.destination[None, :]
    direct = np.zeros_like(arriving)
    direct[FOOD] = arriving[FOOD] * eco.direct_supply
    left = arriving - direct
    hoarded = left * eco.divert[None, :]
    shelved = left - hoarded
    eco.jap_stock += direct
    eco.jap_state += state_share * direct
    eco.hoard += hoarded
    eco.shelf += shelved
    eco.shelf_state += state_share * shelved
    bought = float(sum_of(state_share * hoarded))
    eco.ledger.pay("capitalists", "treasury", bought * eco.official_price, "goods")
    eco.ledger.state_goods_flow("sold", bought)
    eco.flows["state_goods_sold"] += bought
    eco.in_transit -= amount
    eco.in_transit_state -= state_amount
