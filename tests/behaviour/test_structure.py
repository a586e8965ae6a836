"""The economy's structure holds across replications: seeds change behaviour, not the economy."""

from __future__ import annotations

import datetime as dt

import numpy as np

from viachilena import model
from viachilena.model.economy import Economy
from viachilena.model.run import streams
from viachilena.model.structure import build, firm_sizes


def test_aps_share_of_industry_in_january_1971_holds_across_seeds(baseline_params):
    short = baseline_params.model_copy(
        update={"run": baseline_params.run.model_copy(update={"end": dt.date(1971, 1, 31)})}
    )
    shares = [model.simulate(short, seed).series["aps_output_share"].iloc[-1] for seed in range(1, 11)]
    assert max(shares) > 0.0
    assert max(shares) - min(shares) < 0.06


def test_structure_does_not_depend_on_the_run_seed(baseline_params):
    a, b = (Economy(baseline_params, streams(seed)["setup"]) for seed in (1, 2))
    for name in ("capacity", "belt", "organisation", "imported_share", "cls", "wage_weight"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.militancy, b.militancy)


def test_largest_firms_make_the_published_share(baseline_params):
    pr = baseline_params.production
    capacity = build(baseline_params).capacity
    top = round(pr.top_firms * baseline_params.run.scale)
    assert np.isclose(capacity[:top].sum() / capacity.sum(), pr.top_firms_output_share)
    assert np.all(np.diff(capacity[: baseline_params.run.large_firms]) <= 0.0)


def test_firm_sizes_span_equal_to_steep():
    assert np.allclose(firm_sizes(50, 5, 0.05), 1.0)
    for share in (0.3, 0.6, 0.9):
        sizes = firm_sizes(50, 5, share)
        assert np.isclose(sizes[:5].sum() / sizes.sum(), share)
