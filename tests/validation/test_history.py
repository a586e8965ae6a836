"""Validation: the baseline's mean over 20 replications lands inside the published ranges.

Each target, its fit range (the published range, widened slightly where sources disagree) and
its source come from the project's copy of the record, params/history.toml.
"""

from __future__ import annotations

import functools
import tomllib

import numpy as np
import pytest

from tests.conftest import BASELINE, ROOT
from viachilena import model
from viachilena.experiments.calibrate import seeds

TARGETS = tomllib.loads((ROOT / "params" / "history.toml").read_text())["targets"]
REPLICATIONS = 20


@functools.cache
def baseline_means() -> dict[str, float]:
    params = model.load_params(BASELINE)
    runs = [model.simulate(params, s).summary for s in seeds(2024, REPLICATIONS)]
    return {m: float(np.mean([r[m] for r in runs])) for m in TARGETS}


@pytest.mark.slow
@pytest.mark.parametrize("metric", sorted(TARGETS))
def test_baseline_lands_inside_the_published_range(metric):
    target = TARGETS[metric]
    mean = baseline_means()[metric]
    assert target["fit_low"] <= mean <= target["fit_high"], (
        f"{metric}: simulated mean {mean:.4g} over {REPLICATIONS} replications, "
        f"published {target['value']} (range {target['fit_low']} to {target['fit_high']}; source: {target['source']})"
    )
