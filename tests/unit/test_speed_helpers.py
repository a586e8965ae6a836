"""The speed helpers give the arithmetic they replace to the last bit, and cached state follows its events."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import simpy
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from viachilena import model
from viachilena.model import summary
from viachilena.model.arrays import mean_of, sum_of
from viachilena.model.economy import APS, INTERVENED, PRIVATE, Economy
from viachilena.model.government import sales_shares
from viachilena.model.ledger import PURPOSES, Ledger
from viachilena.model.run import CountingEnvironment

FINITE = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@given(arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 300)), elements=FINITE))
def test_sum_of_and_mean_of_are_numpys_sums_and_means(x):
    assert sum_of(x).tobytes() == x.sum().tobytes()
    for axis in (0, 1):
        assert sum_of(x, axis=axis).tobytes() == x.sum(axis=axis).tobytes()
    row = x[0]
    assert mean_of(row).tobytes() == row.mean().tobytes()


SECTORS = st.sampled_from(["capitalists", "treasury", "central_bank"])


@given(st.lists(st.tuples(SECTORS, SECTORS, st.sampled_from(PURPOSES), FINITE), max_size=40))
def test_flows_by_purpose_are_the_flows_of_each_purpose(payments):
    led = Ledger(np.array([10.0, 20.0]), 30.0, {"reserves": 300.0}, 100.0, 1e-9)
    for payer, payee, purpose, amount in payments:
        led.pay(payer, payee, amount, purpose)
    for side in ("capitalists", "treasury", "central_bank"):
        received, paid = led.by_purpose(payee=side), led.by_purpose(payer=side)
        for purpose in PURPOSES:
            assert received.get(purpose, 0) == led.flow(None, side, purpose)
            assert paid.get(purpose, 0) == led.flow(side, None, purpose)


def test_ownership_masks_follow_every_change_of_owner():
    eco = Economy(model.load_params(), np.random.default_rng(3))
    eco.set_owner(np.array([0, 2, 5]), APS)
    eco.set_owner(np.array([5, 7]), INTERVENED)
    eco.set_owner(eco.owner == INTERVENED, PRIVATE)  # the intervened firms returned, as the shop floor does
    eco.set_owner(np.array([9]), INTERVENED)
    assert np.array_equal(eco.private, eco.owner == PRIVATE)
    assert np.array_equal(eco.public, eco.owner != PRIVATE)
    assert np.array_equal(eco.intervened, eco.owner == INTERVENED)
    assert list(np.flatnonzero(eco.public)) == [0, 2, 9]


def test_the_list_follows_its_size():
    eco = Economy(model.load_params(), np.random.default_rng(3))
    for size in (eco.list_size_now, 10, 10, 3):
        eco.list_size_now = size
        assert np.array_equal(eco.on_list(), eco.is_large & (eco.rank < size * eco.scale))


SERIES_START = np.datetime64("1972-11-20")
WITH_NAN = st.one_of(FINITE, st.just(np.nan))


@given(
    arrays(np.float64, st.integers(1, 120), elements=WITH_NAN),
    st.integers(-5, 125),
    st.integers(-5, 125),
    st.sampled_from(["sum", "mean", "max"]),
)
def test_summary_windows_are_pandas_label_slices_and_reductions(values, first, last, how):
    index = pd.DatetimeIndex(SERIES_START + np.arange(len(values)), name="date")
    series = pd.DataFrame({"x": values}, index=index)
    window = (str(SERIES_START + first), str(SERIES_START + last))
    want = series["x"].loc[window[0] : window[1]]
    got = summary._Daily(series).window("x", window, how)
    expected = float(getattr(want, how)()) if len(want) else np.nan
    assert np.float64(got).tobytes() == np.float64(expected).tobytes()


def test_the_environment_counts_every_event_simpy_schedules():
    counted = []

    class Counted(CountingEnvironment):
        def schedule(self, event, priority=simpy.core.NORMAL, delay=0):
            counted.append(event)
            super().schedule(event, priority, delay)

    def daily(env, days):
        for _ in range(days):
            yield env.timeout(1)

    env = Counted()
    for days in (3, 5, 8):
        env.process(daily(env, days))
    env.run(until=6)
    assert env.scheduled() == len(counted) > 3 + 5 + 5


def test_the_sales_shares_are_made_once_and_cannot_be_changed():
    controlled, free = sales_shares(True, 0.6, 0.3)
    assert sales_shares(True, 0.6, 0.3)[0] is controlled
    assert np.array_equal(free, 1.0 - np.array([0.6, 0.3]))
    assert not sales_shares(False, 0.6, 0.3)[0].any()
    with pytest.raises(ValueError):
        controlled[0] = 0.0
