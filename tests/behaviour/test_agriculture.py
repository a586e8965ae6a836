"""Agriculture's own drivers, each switched off with the same seed: price controls and land seizures."""

from __future__ import annotations

import pandas as pd

from tests.conftest import cached_run

YEAR_1972 = slice("1972-01-01", "1972-12-31")


def test_food_price_controls_cut_marketed_food():
    controlled, free = cached_run(), cached_run(overrides=(("agriculture.controlled_prices", False),))
    marketed, marketed_free = controlled.series["marketed_food"][YEAR_1972], free.series["marketed_food"][YEAR_1972]
    assert marketed_free.sum() > marketed.sum()
    # without controls nothing is diverted: all the crop reaches the depots
    pd.testing.assert_series_equal(free.series["marketed_food"], free.series["agricultural_output"], check_names=False)
    # with them, part of the crop leaves official channels
    assert (controlled.series["marketed_food"] < controlled.series["agricultural_output"])[YEAR_1972].all()


def test_land_seizures_cut_farm_output():
    seized, calm = cached_run(), cached_run(overrides=(("agriculture.tomas.enabled", False),))
    assert calm.series["land_seizures"].max() == 0.0
    assert calm.series["land_held"].max() == 0.0
    assert seized.series["land_seizures"].iloc[-1] > 0.0
    assert seized.series["land_held"][YEAR_1972].min() > 0.0
    assert calm.series["agricultural_output"][YEAR_1972].sum() > seized.series["agricultural_output"][YEAR_1972].sum()


def test_land_seizures_do_not_follow_factory_militancy():
    with_factory_seizures, without = cached_run(), cached_run(("no_seizures",))
    pd.testing.assert_series_equal(with_factory_seizures.series["land_seizures"], without.series["land_seizures"])


def test_land_reform_moves_land_at_its_pace_and_switches_off():
    reform, none = cached_run(), cached_run(overrides=(("agriculture.reform.enabled", False),))
    reformed = reform.series["land_reformed"]
    assert reformed.is_monotonic_increasing and reformed.iloc[-1] > reformed.iloc[0]
    assert none.series["land_reformed"].nunique() == 1


def test_political_events_drive_land_seizures():
    base, calm = cached_run(), cached_run(overrides=(("politics.enabled", False),))
    assert calm.series["land_seizures"].iloc[-1] < base.series["land_seizures"].iloc[-1]
