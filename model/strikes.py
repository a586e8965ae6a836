"""The owners' strikes: October 1972 and July 1973, and the traders' strikes that closed shops.

From 9 October to 5 November 1972 the truck owners' confederation (165 unions, 40,000 members)
withdrew about 30,000 of Chile's 50,000 freight vehicles (QP; ESW); retail and wholesale
traders closed their shops, SOFOFA industrialists locked out their workers and professionals
struck (Moulian). The state requisitioned 400-500 trucks by 19 October (ESW; QP). The second
strike began on 26 July 1973 and lasted until the coup, with about half of more than 40,000
trucks off the road and about 1,000 requisitioned (Time; NYT, August 1973). Struck trucks are
taken out of the private SimPy container for the strike; requisitioned ones move to the
state's; cordones add volunteer trucks while a strike lasts. Traders' strikes on their own (the
commerce strike of 21 August 1972: ESW) close a share of shops for their days. With
``strikes.timing = "historical"`` the owners' and the traders' strikes come on their dated
windows, each owners' strike closing its recorded share of shops; with ``"endogenous"``
:mod:`model.offensive` decides when they start and how large they are, :func:`strike` and
:func:`traders_strike` carry them out the same way, and inside an owners' strike the shopkeepers
decide each day how many shops to keep closed from the opposition's mobilisation
(:func:`shops_closed`).
"""

from __future__ import annotations

import numpy as np

from viachilena.model.arrays import sum_of
from viachilena.model.calendar import day_of, on
from viachilena.model.economy import PRIVATE, Economy
from viachilena.model.params import Params, TruckerStrike
from viachilena.model.record import Recorder
from viachilena.model.transport import Fleet


def trucker_strike(
    env, eco: Economy, fleet: Fleet, p: Params, s: TruckerStrike, name: str, rng: np.random.Generator, log: Recorder
):
    """SimPy process: the strike on its dated window (``strikes.timing = "historical"``)."""
    first, last = day_of(s.window.start, p.run.start), day_of(s.window.end, p.run.start)
    if first >= eco.n_days:
        return
    yield on(env, first, "strike")
    yield from strike(env, eco, fleet, p, s, name, rng, log, last, 1.0)


def strike(
    env,
    eco: Economy,
    fleet: Fleet,
    p: Params,
    s: TruckerStrike,
    name: str,
    rng: np.random.Generator,
    log: Recorder,
    last: int,
    size: float,
):
    """SimPy process from today to day `last`: withdraw trucks, lock out factories and close shops, then return them.

    `size` scales the historical shares (trucks withdrawn, lockouts, shops closed, services lost),
    each capped at all of them: 1 is the strike of the record.
    """
    first = eco.strike_first = int(env.now)
    eco.strikes_running += 1
    eco.owners_strike = size
    lockout_share = min(1.0, size * s.lockout_share)
    services_loss = min(1.0, size * s.professional_strike_loss)
    locked = (eco.owner == PRIVATE) & (rng.random(eco.n_firms) < lockout_share) & ~eco.locked_out
    eco.locked_out |= locked
    eco.lockout_day[locked] = first
    eco.militancy[locked] += p.nationalisation.from_below.lockout_push * eco.organisation[locked]
    eco.services_loss += services_loss
    scaled = "" if size == 1.0 else f" (x{size:.2f} the recorded strike's size)"
    log.event(env.now, "strike_start", name, f"{int(locked.sum())} firms locked out{scaled}")
    peak = min(1.0, size * s.share_withdrawn) * eco.private_agents
    requisition_goal = min(s.requisitioned / eco.trucks_per_agent, peak)
    withdrawn = requisitioned = volunteers = closed = 0.0
    while env.now < last + 1:
        elapsed = env.now - first + 1
        shut = shops_closed(eco, p, s.shop_closure, size)
        eco.shop_closure += shut - closed
        closed = shut
        take = min(peak * min(1.0, elapsed / s.withdrawal_days) - withdrawn, fleet.private.level)
        if take > 0:
            yield fleet.private.get(take)
            withdrawn += take
        seize = min(requisition_goal * min(1.0, elapsed / s.requisition_days), withdrawn) - requisitioned
        if seize > 0:
            yield fleet.state.put(seize)
            requisitioned += seize
        add = _volunteer_agents(eco, p) - volunteers
        if add > 0:
            yield fleet.state.put(add)
            volunteers += add
        eco.struck_agents = withdrawn - requisitioned
        eco.volunteer_agents = volunteers
        yield env.timeout(1)
    log.event(
        env.now,
        "strike_end",
        name,
        f"{eco.trucks_real(withdrawn):.0f} trucks withdrawn, {eco.trucks_real(requisitioned):.0f} requisitioned",
    )
    eco.locked_out &= ~locked
    eco.reopened &= ~locked
    eco.shop_closure -= closed
    eco.services_loss -= services_loss
    eco.struck_agents = eco.volunteer_agents = 0.0
    eco.strikes_running -= 1
    eco.owners_strike = 0.0
    eco.last_strike_end = int(env.now)
    # SimPy refuses a get or put of nothing: a strike that withdrew no trucks returns none
    if requisitioned + volunteers > 0:
        yield fleet.state.get(requisitioned + volunteers)
    if withdrawn > 0:
        yield fleet.private.put(withdrawn)


def shops_closed(eco: Economy, p: Params, recorded: float, size: float) -> float:
    """Share of shops the traders keep closed today in an owners' strike of the given size.

    Historical timing: the recorded share times the size, for the whole strike. Endogenous: the
    shopkeepers decide day by day, closing in proportion to the opposition's mobilisation today
    over ``strikes.reference_mobilisation``.
    """
    if p.strikes.timing == "endogenous":
        return min(1.0, recorded * eco.mobilisation / p.strikes.reference_mobilisation)
    return min(1.0, size * recorded)


def commerce_strikes(env, eco: Economy, p: Params, log: Recorder):
    """SimPy process: the traders' strikes on their dated windows (``strikes.timing = "historical"``)."""
    for window in sorted(p.commerce_strikes.windows, key=lambda w: w.start):
        first, last = day_of(window.start, p.run.start), day_of(window.end, p.run.start)
        if first >= eco.n_days:
            return
        yield on(env, first, "hoarding")
        yield from traders_strike(env, eco, p, last, 1.0, log)


def traders_strike(env, eco: Economy, p: Params, last: int, size: float, log: Recorder):
    """SimPy process from today to day `last`: traders close ``commerce_strikes.closure`` times `size` of the shops."""
    closure = min(1.0, size * p.commerce_strikes.closure)
    eco.commerce_closure += closure
    eco.traders_striking = True
    days = last - int(env.now) + 1
    log.event(env.now, "traders_strike", "traders", f"{closure:.0%} of shops closed for {days} day(s)")
    yield on(env, last + 1, "hoarding")
    eco.commerce_closure -= closure
    eco.traders_striking = False
    eco.last_traders_end = int(env.now)


def _volunteer_agents(eco: Economy, p: Params) -> float:
    """Truck agents the active cordones put on the road."""
    pp = p.popular_power
    if not pp.enabled:
        return 0.0
    support = getattr(p.government.stances, eco.stance).cordon_support
    return float(sum_of(eco.cordon)) * pp.volunteer_trucks * support / eco.trucks_per_agent
