"""simulate(): one run of the economy, from a parameter tree and a seed, as SimPy processes.

The run's seed becomes a ``numpy.random.SeedSequence`` spawned into one stream per mechanism, in
a fixed order, so switching one mechanism off leaves the others' draws unchanged and
counterfactuals share their random numbers (common random numbers). Nothing here writes files.
"""

from __future__ import annotations

import math
import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import simpy

from viachilena.model import (
    agriculture,
    capital_flight,
    external,
    government,
    hoarding,
    markets,
    nationalisation,
    offensive,
    politics,
    popular_power,
    production,
    record,
    strikes,
    summary,
    transport,
)
from viachilena.model.arrays import sum_of
from viachilena.model.calendar import date_of
from viachilena.model.economy import Economy
from viachilena.model.errors import DegenerateEconomyError, ViaChilenaError
from viachilena.model.params import Params

STREAMS = (
    "setup",
    "production",
    "external",
    "transport",
    "october_strike",
    "july_1973_strike",
    "hoarding",
    "popular_power",
    "markets",
    "capital_flight",
    "nationalisation",
    "government",
    "agriculture",
    "offensive",
    "politics",
)


@dataclass
class Run:
    """One simulation: daily series, the event log, summary metrics and SimPy's event count."""

    series: pd.DataFrame
    events: pd.DataFrame
    summary: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    simpy_events: int = 0


class CountingEnvironment(simpy.Environment):
    """A SimPy environment that counts the events it schedules (a guard against event explosions).

    SimPy numbers each event it schedules, from 0, with a counter (``_eid``, the tie-breaker of its
    queue): the count is that counter's next number. Reading it there, rather than counting in an
    override of ``schedule``, spares a Python call for each of a run's ~23,600 events.
    """

    def scheduled(self) -> int:
        """Events scheduled so far (the read takes a number, which only orders later events)."""
        return next(self._eid)


def streams(seed: int) -> dict[str, np.random.Generator]:
    """One independent generator per mechanism, derived from the run's seed."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)}


def simulate(params: Params, seed: int) -> Run:
    """Run the economy from day 0 to ``run.end`` and return its series, events and summary.

    Arguments:
        params: the validated parameter tree (:func:`load_params`; ``load_params()`` is the
            shipped baseline).
        seed: the run's seed, 0 <= seed < 2**63; the same seed gives bit-identical output.

    Returns a :class:`Run`: ``series`` (one row a day, indexed by date), ``events`` (date,
    kind, agent, detail), ``summary`` (named scalar metrics). Raises
    :class:`DegenerateEconomyError` if the parameters drive the economy to a state it cannot
    continue from, :class:`AccountingError` if an identity does not close.
    """
    rng = streams(seed)
    p = params
    eco = Economy(p, rng["setup"])
    eco.farms = agriculture.Farms(eco, p, rng["agriculture"])
    env = CountingEnvironment()
    log = record.Recorder(eco)
    fleet = transport.Fleet(env, eco)
    start = env.process
    start(external.external_sector(env, eco, p, rng["external"]))
    start(production.production(env, eco, p, rng["production"]))
    start(transport.dispatch(env, eco, fleet, p, rng["transport"]))
    if p.strikes.timing == "historical":
        for name in offensive.SEQUENCE:
            strike = getattr(p, name)
            if strike.enabled:
                start(strikes.trucker_strike(env, eco, fleet, p, strike, name, rng[name], log))
    start(offensive.offensive(env, eco, fleet, p, rng, log))
    start(hoarding.hoarding(env, eco, p, rng["hoarding"]))
    if p.commerce_strikes.enabled and p.strikes.timing == "historical":
        start(strikes.commerce_strikes(env, eco, p, log))
    if p.popular_power.enabled:
        start(popular_power.popular_power(env, eco, p, rng["popular_power"], log))
    start(government.budget(env, eco, p, rng["government"]))
    start(government.wage_readjustments(env, eco, p, log))
    start(government.price_reviews(env, eco, p, log))
    start(government.stance(env, eco, p, rng["politics"], log))
    start(government.rationing(env, eco, p, log))
    start(production.distribute_profits(env, eco, p))
    start(markets.markets(env, eco, p, rng["markets"]))
    if p.capital_flight.enabled:
        start(capital_flight.capital_flight(env, eco, p, rng["capital_flight"]))
    if p.nationalisation.copper_enabled:
        start(nationalisation.nationalise_copper(env, eco, p, log))
    if p.nationalisation.from_above.enabled:
        start(nationalisation.from_above(env, eco, p, log))
    start(nationalisation.shop_floor(env, eco, p, rng["nationalisation"], log))
    if p.politics.enabled:
        start(politics.political_calendar(env, eco, p, log))
    start(politics.risk_decay(env, eco, p))
    start(politics.indicators(env, eco, p))
    start(log.process(env, lambda day: _close_day(eco, day)))
    try:
        with np.errstate(divide="raise", invalid="raise", over="raise"):
            env.run(until=eco.n_days)
    except (ZeroDivisionError, FloatingPointError, OverflowError) as exc:
        raise _degenerate(exc, int(env.now), eco) from None
    except ViaChilenaError as exc:
        raise (exc.__cause__ if isinstance(exc.__cause__, ViaChilenaError) else exc) from None
    series = log.series()
    events = log.event_table()
    metrics = summary.summarise(series, events, eco.scale)
    return Run(series=series, events=events, summary=metrics, seed=seed, simpy_events=env.scheduled())


def _degenerate(exc: Exception, day: int, eco: Economy) -> DegenerateEconomyError:
    """Name the mechanism whose arithmetic broke down, from the innermost model frame."""
    origin = exc.__cause__ or exc  # SimPy re-raises a process's error with the original as its cause
    frames = [f for f in traceback.extract_tb(origin.__traceback__) if f"{os.sep}model{os.sep}" in f.filename]
    where = Path(frames[-1].filename).stem if frames else "model"
    what = f"{frames[-1].name}: {exc}" if frames else str(exc)
    return DegenerateEconomyError(day, date_of(day, eco.start).isoformat(), where, what, float("nan"))


def _close_day(eco: Economy, day: int) -> None:
    """End-of-day checks: no quantity degenerate, every identity closed."""
    date = date_of(day, eco.start).isoformat()
    for mechanism, quantity, value in (
        ("government", "official price level", eco.price),
        ("government", "nominal wage", eco.wage),
        ("markets", "money stock", eco.ledger.money_stock),
        ("production", "industrial capacity", float(sum_of(eco.capacity))),
        ("markets", "black-market price", eco.black_price),
        ("external", "exchange rate", eco.exchange_rate),
        ("capital_flight", "dollar premium", eco.dollar_premium),
        ("markets", "demand index", eco.demand_index),
    ):
        if not math.isfinite(value) or value <= 0 and quantity not in ("dollar premium",):
            raise DegenerateEconomyError(day, date, mechanism, quantity, value)
    eco.ledger.check(day, date, eco.goods_stock(), eco.state_goods_stock())
