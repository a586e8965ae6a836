"""Sobol indices from a saltelli sweep: right on a known function, stored for a real one."""

from __future__ import annotations

import numpy as np
import pandas as pd
from small_experiments import small_experiment

from viachilena import experiments
from viachilena.experiments.design import sweep_points
from viachilena.experiments.sensitivity import COLUMNS, indices
from viachilena.experiments.spec import SweepParameter, SweepTable


def test_indices_rank_parameters_of_a_known_function():
    names = ["strong", "weak", "inert"]
    sweep = SweepTable(method="saltelli", samples=512, parameters={n: SweepParameter(low=0.0, high=1.0) for n in names})
    points = sweep_points(sweep, root_seed=1)
    y = np.array([4 * p["strong"] + p["weak"] for p in points])
    problem = {"num_vars": 3, "names": names, "bounds": [[0.0, 1.0]] * 3}
    table = pd.DataFrame(indices(problem, y, seed=1, metric="y")).set_index("parameter")
    # Analytically S1 = 16/17 and 1/17 and 0; the model is additive, so ST = S1.
    assert abs(table.loc["strong", "S1"] - 16 / 17) < 0.05
    assert abs(table.loc["weak", "S1"] - 1 / 17) < 0.05
    assert abs(table.loc["inert", "ST"]) < 0.01
    assert (table.loc[["strong", "weak"], "S1_conf"] > 0).all()


def test_an_output_that_does_not_vary_has_no_indices():
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0.0, 1.0]] * 2}
    rows = indices(problem, np.ones(8), seed=0, metric="flat")
    assert len(rows) == 2 and all(np.isnan(r["S1"]) and np.isnan(r["ST"]) for r in rows)


def test_a_saltelli_sweep_stores_its_indices(tmp_path):
    path = small_experiment(tmp_path, method="saltelli", samples=2, replications=2)
    results = experiments.run(path, workers=2, out=tmp_path / "o", progress=False)
    assert len(results.runs) == 2 * 2 * (2 + 2) * 2
    table = pd.read_parquet(results.dir / "sensitivity.parquet")
    assert tuple(table.columns) == COLUMNS
    metrics = results.manifest["experiment"]["metrics"]
    assert len(table) == 2 * len(metrics) * 2
    assert set(table["parameter"]) == {"hoarding.propensity", "popular_power.belts"}
    pd.testing.assert_frame_equal(pd.read_csv(results.dir / "sensitivity.csv"), table, check_dtype=False)
