"""Transport: headroom in normal times, coordination only in strikes, and strikes of any size."""

from __future__ import annotations

import pandas as pd

from tests.conftest import cached_run

STRIKE = slice("1972-10-09", "1972-11-05")


def test_the_fleet_has_headroom_on_non_strike_days_of_1972():
    use = cached_run().series["fleet_utilisation"]["1972-01-01":"1972-12-31"]
    outside = use.drop(use[STRIKE].index)
    assert len(outside) > 300
    assert (outside < 1.0).all()


def test_coordination_changes_nothing_outside_strikes():
    plain, coordinated = (
        cached_run(overrides=(("transport.coordination_loads_per_day", value),)) for value in (1.0, 2.0)
    )
    before = slice(None, "1972-10-08")
    pd.testing.assert_frame_equal(plain.series[before], coordinated.series[before])
    assert coordinated.series["deliveries"][STRIKE].sum() > plain.series["deliveries"][STRIKE].sum()


def test_strikes_that_withdraw_no_trucks_run_to_the_end():
    run = cached_run(
        overrides=(("october_strike.share_withdrawn", 0.0), ("july_1973_strike.share_withdrawn", 0.0)),
    )
    trucks = run.series["trucks_available"]
    assert len(trucks) == len(cached_run().series)
    assert trucks[STRIKE].min() >= trucks["1972-10-08"]
