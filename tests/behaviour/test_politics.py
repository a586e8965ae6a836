"""The owners' offensive, the government's turn and Popular Power as decisions (issue 17).

Paired runs share their seeds, so a difference between scenarios is the scenario's, not
chance's. The scenarios are read from the shipped experiment files, so the tests check what
``viachilena run strategy`` runs.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from tests.conftest import ROOT, cached_run
from viachilena.experiments import load_experiment
from viachilena.model.strikes import shops_closed

SEEDS = tuple(range(1, 9))
TWENTY = tuple(range(1, 21))
NEW_EXPERIMENTS = ("capital_strike", "credit_blockade", "programme_slowed", "strategy_sensitivity")
ENDOGENOUS = (("strikes.timing", "endogenous"),)


def scenario_run(experiment: str, scenario: str, seed: int):
    """A run of one scenario of a shipped experiment (its overlays and overrides)."""
    spec = load_experiment(ROOT / "experiments" / f"{experiment}.toml")
    chosen = {s.name: s for s in spec.scenarios}[scenario]
    return cached_run(tuple(path.stem for path in chosen.overlays), tuple(sorted(spec.overrides(chosen).items())), seed)


def political(run, name: str) -> pd.Series:
    """Dates of the political events called `name` in a run's event log."""
    events = run.events
    return events.loc[(events["kind"] == "political") & (events["agent"] == name), "date"]


def test_the_dated_form_is_kept_as_the_baseline_switch(baseline_params):
    assert baseline_params.strikes.timing == "historical"
    assert baseline_params.politics.stance_timing == "historical"
    events = cached_run(seed=3).events
    starts = events.loc[events["kind"] == "strike_start", "date"].dt.strftime("%Y-%m-%d").tolist()
    assert starts == ["1972-10-09", "1973-07-26"]
    assert political(cached_run(seed=3), "military cabinet").dt.strftime("%Y-%m-%d").tolist() == ["1972-11-02"]


def test_backing_popular_power_has_no_military_cabinet_and_meets_a_larger_offensive():
    back = [scenario_run("strategy", "back", s) for s in SEEDS]
    conciliate = [scenario_run("strategy", "conciliate", s) for s in SEEDS]
    assert all(political(r, "military cabinet").empty for r in back)
    assert all((r.events["kind"] != "stance").all() for r in back)
    assert all(not political(r, "military cabinet").empty for r in conciliate)
    larger = np.array(
        [b.summary["strike_days"] - c.summary["strike_days"] for b, c in zip(back, conciliate, strict=True)]
    )
    assert (larger >= 0).all()
    assert larger.mean() > 2.0  # more than two strike-days of the recorded size, on average


def test_endogenous_october_strike_starts_in_the_first_twenty_days_of_october_and_varies():
    firsts = np.array(
        [cached_run((), (("strikes.timing", "endogenous"),), s).summary["first_strike_day"] for s in TWENTY]
    )
    assert ((firsts >= 0) & (firsts <= 19)).mean() >= 0.8  # 1-20 October 1972
    assert len(set(firsts)) > 2


def test_endogenous_july_1973_strike_comes_in_late_july_in_most_runs():
    seconds = np.array(
        [cached_run((), (("strikes.timing", "endogenous"),), s).summary["second_strike_day"] for s in TWENTY]
    )
    assert ((seconds >= 15) & (seconds <= 30)).mean() > 0.5  # 16-31 July 1973


def first_strike_or_never(run) -> float:
    """Days from 1 October 1972 to the first owners' strike; a run with none counts as the days to its end."""
    start = run.summary["first_strike_day"]
    return float((run.series.index[-1] - pd.Timestamp("1972-10-01")).days + 1) if np.isnan(start) else start


def test_the_programme_slowed_delays_or_weakens_the_october_strike():
    pushing = [scenario_run("programme_slowed", "pushing_on", s) for s in SEEDS]
    slowed = [scenario_run("programme_slowed", "programme_slowed", s) for s in SEEDS]
    delays = []
    for a, b in zip(pushing, slowed, strict=True):
        october = slice("1972-10-01", "1972-11-30")
        delay = first_strike_or_never(b) - first_strike_or_never(a)
        weaker = b.series["owners_strike"][october].sum() < a.series["owners_strike"][october].sum()
        assert delay > 0 or weaker
        delays.append(delay)
    assert np.mean(delays) > 0


def test_cordones_form_outside_the_strike_windows():
    outside = 0
    for seed in SEEDS:
        run = scenario_run("strategy", "conciliate", seed)
        formed = run.events.loc[run.events["kind"] == "cordon_formed", "date"]
        outside += int((run.series["owners_strike"].reindex(formed) == 0).sum())
    assert outside > 0


def test_backing_popular_power_organises_more_workers_between_the_two_strikes():
    pairs = [(scenario_run("strategy", "back", s), scenario_run("strategy", "conciliate", s)) for s in SEEDS]
    gain = np.array(
        [b.summary["organised_workers_nov72_jul73"] - c.summary["organised_workers_nov72_jul73"] for b, c in pairs]
    )
    assert (gain >= -1e-12).all()
    assert gain.mean() > 0.0


def test_demobilising_earlier_moves_the_turn_before_conciliation_s():
    turns = []
    for seed in SEEDS:
        early = political(scenario_run("strategy", "demobilise_earlier", seed), "demobilisation")
        cabinet = political(scenario_run("strategy", "conciliate", seed), "military cabinet")
        assert political(scenario_run("strategy", "demobilise_earlier", seed), "military cabinet").empty
        if len(early) and len(cabinet):
            turns.append((cabinet.iloc[0] - early.iloc[0]).days)
    assert len(turns) >= len(SEEDS) // 2
    assert np.mean(turns) > 0


def test_middle_class_support_falls_with_inflation_and_shortages():
    run = cached_run(seed=3)
    support = run.series["middle_class_support"]
    assert support.between(0.0, 1.0).all()
    assert support["1973-03"].mean() < support.iloc[0]
    steeper = cached_run((), (("politics.support_inflation_weight", 1.0),), 3).series["middle_class_support"]
    assert steeper["1973-03"].mean() < support["1973-03"].mean()


@pytest.mark.parametrize("experiment", ["strategy", "strategy_1976", *NEW_EXPERIMENTS])
def test_strategy_and_new_experiments_meet_an_offensive_that_answers(experiment):
    spec = load_experiment(ROOT / "experiments" / f"{experiment}.toml")
    for name, params in spec.scenario_params.items():
        assert params["strikes"]["timing"] == "endogenous", name
        assert params["politics"]["stance_timing"] == "endogenous", name


def hoarded(overrides: tuple[tuple[str, object], ...], seed: int, start: str, end: str = "1973-09-11") -> float:
    """Mean hoarded stock (E°m of 1970, goods) of a baseline run between two dates."""
    return float(cached_run((), overrides, seed).series["hoarded_stock"][start:end].mean())


def test_hoarding_rises_with_the_political_risk_the_owners_read():
    # With the dated offensive the mobilisation moves nothing but hoarding: reading risk more
    # heavily mobilises the opposition, and the shopkeepers hoard more goods
    riskier = (("strikes.risk_weight", 20.5),)
    more = np.array([hoarded(riskier, s, "1972-01-01") - hoarded((), s, "1972-01-01") for s in SEEDS[:4]])
    assert (more > 0).all()
    deaf = (("hoarding.mobilisation_weight", 0.0),)
    for seed in SEEDS[:2]:  # shopkeepers who do not read the mobilisation do not answer the risk at all
        a = cached_run((), deaf, seed).series["hoarded_stock"]
        b = cached_run((), (*deaf, *riskier), seed).series["hoarded_stock"]
        pd.testing.assert_series_equal(a, b)
        assert hoarded(deaf, seed, "1972-01-01") < hoarded((), seed, "1972-01-01")


def test_the_stance_deters_hoarding_where_jap_requisitions_are_backed_and_pushes_it_through_the_owners_threat():
    after = "1972-11-02"  # under the conciliation the baseline turns to
    backed = (("government.stances.conciliate.requisition_backing", 1.0),)  # requisitions backed as before the turn
    threat = (("government.stances.conciliate.owners_threat", 0.5),)  # the threat backing makes to owners
    for seed in SEEDS[:4]:
        assert hoarded(backed, seed, after) < hoarded((), seed, after)
        assert hoarded(threat, seed, after) > hoarded((), seed, after)


def traders_strikes(run) -> pd.Series:
    """Dates of the traders' strikes on their own in a run."""
    return run.events.loc[run.events["kind"] == "traders_strike", "date"]


def test_historical_timing_keeps_the_traders_strike_of_21_august_1972():
    dates = traders_strikes(cached_run(seed=3)).dt.strftime("%Y-%m-%d").tolist()
    assert dates == ["1972-08-21"]


def test_endogenous_traders_strike_comes_with_the_mobilisation():
    calmer = (*ENDOGENOUS, ("strikes.pressure_midpoint", 15.7))  # the same pressure mobilises less

    def first(overrides, seed):
        run = cached_run((), overrides, seed)
        dates = traders_strikes(run)
        return dates.iloc[0] if len(dates) else run.series.index[-1]

    firsts = [first(ENDOGENOUS, s) for s in SEEDS]
    assert sum(d < pd.Timestamp("1972-10-01") for d in firsts) >= len(SEEDS) // 2  # before the owners' strike
    assert len(set(firsts)) > 2
    later = [first(calmer, s) - f for s, f in zip(SEEDS, firsts, strict=True)]
    assert all(d >= pd.Timedelta(0) for d in later)
    assert np.mean([d.days for d in later]) > 14


def test_shops_closed_in_an_owners_strike_follow_the_mobilisation_only_when_decided(baseline_params):
    recorded = baseline_params.october_strike.shop_closure
    endogenous = baseline_params.model_copy(
        update={"strikes": baseline_params.strikes.model_copy(update={"timing": "endogenous"})}
    )
    calm, mobilised = SimpleNamespace(mobilisation=0.2), SimpleNamespace(mobilisation=0.8)
    assert shops_closed(calm, baseline_params, recorded, 1.0) == shops_closed(mobilised, baseline_params, recorded, 1.0)
    assert shops_closed(calm, endogenous, recorded, 1.0) < shops_closed(mobilised, endogenous, recorded, 1.0) <= 1.0


def test_strategy_1976_backing_organises_more_and_hoards_less_after_1973():
    for seed in SEEDS[:3]:
        back, conciliate = (
            scenario_run("strategy_1976", "back", seed),
            scenario_run("strategy_1976", "conciliate", seed),
        )
        assert back.series.index[-1] == conciliate.series.index[-1] == pd.Timestamp("1976-11-03")
        later = slice("1973-09-12", None)
        assert back.series["organised_workers"][later].mean() > conciliate.series["organised_workers"][later].mean()
        assert back.series["hoarded_stock"][later].mean() < conciliate.series["hoarded_stock"][later].mean()
