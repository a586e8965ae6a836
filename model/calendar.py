"""Simulated days and historical dates; the order of the day's work.

One time unit is one day; day 0 is 1970-11-04, when Allende took office. Within a day the
mechanisms act in a fixed order, set by the fraction of the day at which each acts (SimPy
orders events by time): trucks return, dated events fire, goods are made and shipped, incomes
are paid, markets clear, and the recorder and the accounting checks close the day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator

import numpy as np
import simpy

PHASE = {
    "dated": 0.01,
    "external": 0.05,
    "production": 0.10,
    "arrival": 0.12,
    "strike": 0.15,
    "dispatch": 0.20,
    "hoarding": 0.30,
    "popular_power": 0.35,
    "incomes": 0.45,
    "markets": 0.50,
    "capital_flight": 0.70,
    "nationalisation": 0.75,
    "profits": 0.80,
    "record": 0.90,
}


def day_of(date: dt.date, start: dt.date) -> int:
    """The simulated day of a date."""
    return (date - start).days


def date_of(day: int, start: dt.date) -> dt.date:
    """The date of a simulated day."""
    return start + dt.timedelta(days=int(day))


def dates(start: dt.date, n_days: int) -> np.ndarray:
    """The dates of days 0..n_days-1 as numpy datetime64[D]."""
    return np.datetime64(start, "D") + np.arange(n_days)


def ticks(env: simpy.Environment, phase: str) -> Generator[simpy.Event, None, None]:
    """A day's timeout at the given phase, from day 0 on.

    A process iterates it and yields each tick to SimPy: ``for tick in ticks(env, "markets"):
    yield tick; clear(...)``.
    """
    yield env.timeout(PHASE[phase])
    while True:
        yield env.timeout(1)


def once(env: simpy.Environment, day: int, n_days: int, phase: str = "dated") -> Generator[simpy.Event, None, None]:
    """Yield the tick of a dated event inside the run (none after its end)."""
    if day < n_days:
        yield on(env, day, phase)


def on(env: simpy.Environment, day: int, phase: str = "dated") -> simpy.Event:
    """An event at the given phase of a future day (now, if that day has passed)."""
    return env.timeout(max(0.0, day + PHASE[phase] - env.now))
