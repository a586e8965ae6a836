"""The run table: samplers cover their bounds, seeds are common random numbers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from small_experiments import small_experiment

from viachilena.experiments.design import (
    from_unit,
    replication_seed,
    run_table,
    sweep_points,
    unit_sample,
)
from viachilena.experiments.spec import SweepParameter, SweepTable, load_experiment

REAL = SweepParameter(low=-2.0, high=3.0)
INTEGER = SweepParameter(low=1, high=5, type="int")
CHOICE = SweepParameter(values=("conciliate", "back", "demobilise"))
DATES = SweepParameter(values=(dt.date(1972, 6, 1), dt.date(1972, 11, 2)))


def sweep(method: str, samples: int) -> SweepTable:
    return SweepTable(method=method, samples=samples, parameters={"a": REAL, "b": INTEGER, "c": CHOICE, "d": DATES})


@pytest.mark.parametrize("method,samples", [("lhs", 64), ("sobol", 64), ("halton", 64), ("saltelli", 16), ("grid", 5)])
def test_samplers_cover_bounds_and_respect_types(method, samples):
    points = sweep_points(sweep(method, samples), root_seed=3)
    a = np.array([p["a"] for p in points])
    assert a.min() >= -2.0 and a.max() <= 3.0
    assert a.min() < -1.5 and a.max() > 2.5  # spread over the range, not bunched
    assert all(type(p["b"]) is int for p in points)
    assert {p["b"] for p in points} == {1, 2, 3, 4, 5}
    assert {p["c"] for p in points} == set(CHOICE.values)
    assert {p["d"] for p in points} == set(DATES.values)


def test_point_counts():
    assert len(sweep_points(sweep("sobol", 32), 1)) == 32
    assert len(sweep_points(sweep("lhs", 10), 1)) == 10
    assert len(sweep_points(sweep("saltelli", 8), 1)) == 8 * (4 + 2)
    assert len(sweep_points(sweep("grid", 5), 1)) == 5 * 5 * 3 * 2
    assert sweep_points(None, 1) == [{}]


def test_latin_hypercube_puts_one_point_in_each_stratum():
    unit = unit_sample("lhs", 3, 20, np.random.default_rng(0))
    for column in unit.T:
        assert sorted(np.floor(column * 20).astype(int)) == list(range(20))


def test_sweep_points_are_reproducible_from_the_root_seed():
    assert sweep_points(sweep("sobol", 16), 11) == sweep_points(sweep("sobol", 16), 11)
    assert sweep_points(sweep("sobol", 16), 11) != sweep_points(sweep("sobol", 16), 12)


@given(st.floats(min_value=0.0, max_value=1.0, exclude_max=True))
def test_unit_coordinates_map_inside_every_parameter(u):
    assert -2.0 <= from_unit(REAL, u) <= 3.0
    assert from_unit(INTEGER, u) in {1, 2, 3, 4, 5}
    assert from_unit(CHOICE, u) in CHOICE.values


def test_integer_and_categorical_bins_are_equal():
    u = (np.arange(1000) + 0.5) / 1000
    counts = np.unique([from_unit(INTEGER, x) for x in u], return_counts=True)[1]
    assert list(counts) == [200] * 5
    counts = np.unique([from_unit(CHOICE, x) for x in u], return_counts=True)[1]
    assert sorted(counts) == [333, 333, 334]


def test_replication_seeds_are_shared_across_scenarios_and_points(tmp_path):
    experiment = load_experiment(small_experiment(tmp_path, replications=3, samples=4))
    table = run_table(experiment)
    assert len(table) == 2 * 4 * 3
    assert len({r.run_id for r in table}) == len(table)
    seeds = {}
    for run in table:
        assert type(run.seed) is int and 0 <= run.seed < 2**63
        seeds.setdefault(run.replication, set()).add(run.seed)
    assert all(len(s) == 1 for s in seeds.values())
    assert len({s.pop() for s in seeds.values()}) == 3
    values = {(r.scenario, r.point): r.values for r in table}
    assert all(values["historical", p] == values["backed", p] for p in range(4))


def test_replication_seeds_do_not_depend_on_how_many_there_are():
    assert [replication_seed(5, r) for r in range(3)] == [replication_seed(5, r) for r in range(10)][:3]
    assert replication_seed(5, 0) != replication_seed(6, 0)


def test_run_ids_are_stable(tmp_path):
    experiment = load_experiment(small_experiment(tmp_path))
    assert run_table(experiment)[0].run_id == "historical-p00000-r0000"
    assert run_table(experiment)[-1].run_id == "backed-p00001-r0001"
