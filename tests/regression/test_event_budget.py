"""The number of SimPy events a baseline run schedules: a guard against event explosions, not a timing.

Measured after a day's shipments and a day's seizures became one process each (seed 7): 20,537 events at scale 1,
21,043 at scale 10 (events do not grow with agents; before that batching, 78,921). The owners'
offensive (the opposition's mobilisation, model/offensive.py) and the political indicators
(model/politics.py) each wake once a day: 24,695 at scale 1. The bound, 31,000, leaves about 25%
headroom over the measurement; a change that needs more events should say why and move it.
"""

from __future__ import annotations

from tests.conftest import cached_run

EVENT_BUDGET = 31_000  # ~1.25 x 24,695 measured at scale 1
EVENT_FLOOR = 10_000  # a model that does nothing schedules almost none
MAX_GROWTH_AT_SCALE_10 = 1.5  # ten times the agents may not cost half as many events again


def test_a_baseline_run_stays_within_its_event_budget():
    events = cached_run().simpy_events
    assert EVENT_FLOOR < events <= EVENT_BUDGET, f"{events:,} SimPy events; budget {EVENT_BUDGET:,}"


def test_events_do_not_scale_with_agents():
    small = cached_run().simpy_events
    large = cached_run(overrides=(("run.scale", 10.0),)).simpy_events
    assert large < MAX_GROWTH_AT_SCALE_10 * small, f"{small:,} events at scale 1, {large:,} at scale 10"
