"""Validation: the baseline's mean over 20 replications lands inside the published ranges.

Each target, its fit range (the published range, widened slightly where sources disagree) and
its source come from the project's copy of the record, params/history.toml. The targets to the
end of 1972 (annual figures and path points) are validated; the 1973 ones (``out_of_sample``)
are not fitted and the README reports them, inside their range or not.
"""

from __future__ import annotations

import functools
import tomllib

import numpy as np
import pytest

from tests.conftest import BASELINE, ROOT
from viachilena import model
from viachilena.experiments.calibrate import seeds

RECORD = tomllib.loads((ROOT / "params" / "history.toml").read_text())["targets"]
TARGETS = {metric: t for metric, t in RECORD.items() if not t.get("out_of_sample", False)}
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


def test_the_1973_targets_are_out_of_sample_and_reported_in_the_readme():
    """The calibration fits the record to the end of 1972; the README reports every 1973 point."""
    readme = (ROOT / "README.md").read_text()
    out = {metric for metric, t in RECORD.items() if t.get("out_of_sample", False)}
    assert out, "no target is out of sample"
    for metric in out:
        assert f"| `{metric}` |" in readme, f"the README's validation table does not report {metric}"
    calibration = tomllib.loads((ROOT / "experiments" / "calibration.toml").read_text())["calibration"]
    assert not out & set(calibration["targets_from_history"]), "a 1973 target is fitted"
