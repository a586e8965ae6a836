"""Shapley attribution: the arithmetic, the experiment kind, and one small real run."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from tests.experiments.switch_model import INFLATION, MECHANISMS, SHORTAGE
from viachilena.experiments import attribution
from viachilena.experiments.report import build_report
from viachilena.experiments.runner import run
from viachilena.experiments.spec import load_experiment
from viachilena.model.errors import ParamError

BASELINE = __import__("pathlib").Path(__file__).resolve().parents[2] / "params" / "baseline.toml"
SWEEP = '\n[sweep]\nmethod = "grid"\nsamples = 2\n[sweep.parameters]\n"hoarding.propensity" = {low = 0.1, high = 0.2}\n'
SWITCH = "tests.experiments.switch_model:simulate"

EXPERIMENT = """\
[experiment]
name = "attribution_test"
description = "Which switched mechanism explains the synthetic outcomes? (tests)"
params = "{baseline}"
seed = 5
replications = {replications}
reference = "base"
metrics = ["{shortage}", "{inflation}"]
{experiment_extra}

[scenarios.base]

[attribution]
outcomes = ["{shortage}", "{inflation}"]
exact_up_to = {exact_up_to}
permutations = 12

[attribution.mechanisms]
{mechanisms}
"""


def _file(folder, exact_up_to=8, replications=6, mechanisms=MECHANISMS, experiment_extra="", extra=""):
    path = folder / "attribution.toml"
    listed = "\n".join(f'"{key}" = {{ label = "{key.split(".")[0]}" }}' for key in mechanisms)
    path.write_text(
        EXPERIMENT.format(
            baseline=BASELINE,
            replications=replications,
            shortage=SHORTAGE,
            inflation=INFLATION,
            exact_up_to=exact_up_to,
            mechanisms=listed,
            experiment_extra=experiment_extra,
        )
        + extra
    )
    return path


def _attribution(folder, **kw) -> dict[str, pd.DataFrame]:
    results = run(_file(folder, **kw), workers=1, out=folder / "store", progress=False, simulate=SWITCH)
    described = results.manifest["experiment"]["attribution"]
    ok = results.runs[results.runs["status"] == "ok"]
    return {
        outcome: attribution.attribute(
            ok.pivot(index="replication", columns="scenario", values=outcome), described
        ).set_index("mechanism")
        for outcome in (SHORTAGE, INFLATION)
    }


@pytest.fixture(scope="module", params=["exact", "permutation"])
def found(request, tmp_path_factory):
    exact_up_to = 8 if request.param == "exact" else 2
    return request.param, _attribution(tmp_path_factory.mktemp(request.param), exact_up_to=exact_up_to)


def test_values_add_up_to_all_on_minus_all_off(found):
    _, tables = found
    for table in tables.values():
        shapley = table.loc[list(MECHANISMS), "value"]
        total = table.loc[attribution.TOTAL]
        assert shapley.sum() == pytest.approx(total["value"], abs=1e-12)
        assert table.loc[attribution.SUM, "value"] == pytest.approx(total["value"], abs=1e-12)
        assert total["ci_low"] <= total["value"] <= total["ci_high"]


def test_non_interacting_mechanisms_get_their_one_at_a_time_effects(found):
    method, tables = found
    table = tables[INFLATION]
    expected = {"hoarding.enabled": 0.5, "capital_flight.enabled": 0.25}
    for key, effect in expected.items():
        assert table.loc[key, "value"] == pytest.approx(effect, abs=1e-9)
        if method == "exact":
            assert table.loc[key, "one_at_a_time"] == pytest.approx(effect, abs=1e-9)


def test_a_mechanism_that_does_nothing_gets_zero(found):
    _, tables = found
    for table in tables.values():
        row = table.loc["popular_power.enabled"]
        assert row["value"] == pytest.approx(0.0, abs=1e-12)


def test_interacting_mechanisms_share_the_interaction(found):
    method, tables = found
    table = tables[SHORTAGE]
    if method == "exact":  # sampled orders split the interaction only on average
        assert table.loc["hoarding.enabled", "value"] == pytest.approx(0.1 + 0.15, abs=1e-9)
        assert table.loc["october_strike.enabled", "value"] == pytest.approx(0.2 + 0.15, abs=1e-9)
        one_at_a_time = table.loc[list(MECHANISMS), "one_at_a_time"].sum()
        assert one_at_a_time == pytest.approx(0.9, abs=1e-9)  # 0.4 + 0.5: more than the whole 0.6
    low, high = table.loc["hoarding.enabled", ["ci_low", "ci_high"]]
    assert low <= 0.25 <= high


def test_permutation_plan_runs_fewer_coalitions_and_records_its_orders(tmp_path):
    exact = load_experiment(_file(tmp_path, exact_up_to=8))
    sampled = load_experiment(_file(tmp_path, exact_up_to=3))
    assert len(exact.scenarios) == 2 ** len(MECHANISMS) and exact.attribution.exact
    assert not sampled.attribution.exact and len(sampled.attribution.permutations) == 12
    names = [s.name for s in sampled.scenarios]
    assert names[0] == "all_on" == sampled.reference and "all_off" in names
    assert len(names) == len(set(names))
    for scenario in sampled.scenarios:
        assert set(MECHANISMS) <= set(scenario.overrides)


def test_exact_values_of_random_games_are_efficient_and_match_every_order():
    rng = np.random.default_rng(3)
    k = 4
    games = {c: rng.normal(size=5) for c in itertools.product((True, False), repeat=k)}
    exact = attribution.exact_shapley(games)
    assert exact.sum(axis=0) == pytest.approx(games[(True,) * k] - games[(False,) * k])
    orders = list(itertools.permutations(range(k)))
    assert len(orders) == math.factorial(k)
    every_order = attribution.marginal_contributions(games, orders).mean(axis=0)
    assert every_order == pytest.approx(exact)


@pytest.mark.parametrize(
    ("kw", "key"),
    [
        ({"mechanisms": ("hoarding.enabled", "hoarding.enabld")}, 'attribution.mechanisms."hoarding.enabld"'),
        ({"extra": '"hoarding.propensity" = { on = 0.3, off = 0.3 }\n'}, "off"),
        ({"extra": '"hoarding.propensity" = { on = "high" }\n'}, "on"),
        ({"experiment_extra": "", "extra": "\n[scenarios.other]\n"}, "scenarios"),
        ({"extra": SWEEP}, "attribution"),
    ],
)
def test_bad_attribution_tables_name_the_key(tmp_path, kw, key):
    with pytest.raises(ParamError) as raised:
        load_experiment(_file(tmp_path, **kw))
    assert str(raised.value).split(": ")[1].endswith(key) or key in str(raised.value)


def test_an_outcome_must_be_a_recorded_metric(tmp_path):
    path = _file(tmp_path)
    path.write_text(path.read_text().replace(f'outcomes = ["{SHORTAGE}"', 'outcomes = ["seizures"'))
    with pytest.raises(ParamError, match=r"attribution\.outcomes\[0\]"):
        load_experiment(path)


def test_small_real_attribution_adds_up_and_reports(tmp_path):
    path = _file(
        tmp_path,
        replications=2,
        mechanisms=("october_strike.enabled", "popular_power.enabled"),
        experiment_extra='end = 1972-11-30\nseries = ["shortage_rate", "gdp"]',
    )
    results = run(path, workers=1, out=tmp_path / "store", progress=False)
    assert set(results.runs["status"]) == {"ok"} and len(results.runs) == 8
    ok = results.runs
    described = results.manifest["experiment"]["attribution"]
    table = attribution.attribute(ok.pivot(index="replication", columns="scenario", values=SHORTAGE), described)
    table = table.set_index("mechanism")
    assert table.loc[attribution.SUM, "value"] == pytest.approx(table.loc[attribution.TOTAL, "value"], abs=1e-12)
    page = build_report(results.dir).read_text()
    assert "Attribution" in page
