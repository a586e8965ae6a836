"""Each switch removes its own mechanism and nothing else (paired seeds, switch off against on)."""

from __future__ import annotations

import pandas as pd

from tests.conftest import cached_run

TRADERS_STRIKE = "1972-08-21"


def _copper_nationalised(run) -> bool:
    return bool(((run.events["kind"] == "nationalisation") & (run.events["agent"] == "copper")).any())


def _firms_bought(run) -> int:
    return int(((run.events["kind"] == "nationalisation") & (run.events["agent"] != "copper")).sum())


def test_traders_strike_has_its_own_switch():
    base, off = cached_run(), cached_run(("no_commerce_strikes",))
    before = slice(None, "1972-08-20")
    pd.testing.assert_frame_equal(base.series[before], off.series[before])
    assert off.series["shortage_rate"][TRADERS_STRIKE] < base.series["shortage_rate"][TRADERS_STRIKE]


def test_hoarding_off_keeps_the_traders_strike():
    no_hoarding = cached_run(("no_hoarding",))
    neither = cached_run(("no_hoarding", "no_commerce_strikes"))
    assert neither.series["shortage_rate"][TRADERS_STRIKE] < no_hoarding.series["shortage_rate"][TRADERS_STRIKE]


def test_copper_nationalisation_has_its_own_switch():
    base, off = cached_run(), cached_run(("no_copper_nationalisation",))
    assert _copper_nationalised(base) and not _copper_nationalised(off)
    assert _firms_bought(off) > 0
    assert (off.events["kind"] == "seizure").any()
    before = slice(None, "1971-07-10")
    pd.testing.assert_frame_equal(base.series[before], off.series[before])


def test_the_list_switch_leaves_copper_and_seizures():
    off = cached_run(overrides=(("nationalisation.from_above.enabled", False),))
    assert _copper_nationalised(off)
    assert _firms_bought(off) == 0
    assert (off.events["kind"] == "seizure").any()


def test_tourism_and_remittances_have_their_own_switch():
    base, off = cached_run(), cached_run(("no_private_inflow",))
    assert off.summary["capital_flight_total_usd"] > 0.0
    assert off.series["private_dollars_usd"].iloc[-1] < base.series["private_dollars_usd"].iloc[-1]
    no_flight = cached_run(("no_capital_flight",))
    assert no_flight.summary["capital_flight_total_usd"] == 0.0
