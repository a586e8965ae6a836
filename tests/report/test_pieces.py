"""The smoother, the history reader and the scenario-date comparison."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from viachilena.experiments.results import History
from viachilena.experiments.tables import lowess, t_interval


@given(st.floats(-5, 5), st.floats(-5, 5), st.integers(5, 60))
def test_lowess_reproduces_a_line(slope, intercept, n):
    x = np.linspace(0, 1, n)
    grid, fit = lowess(x, intercept + slope * x)
    assert fit == pytest.approx(intercept + slope * grid, abs=1e-9)


def test_lowess_on_repeated_x_values_gives_local_means():
    x = np.repeat([0.0, 1.0, 2.0], 10)
    y = np.repeat([1.0, 5.0, 2.0], 10) + np.tile(np.linspace(-0.1, 0.1, 10), 3)
    grid, fit = lowess(x, y, frac=0.2)
    assert fit[[0, len(grid) // 2, -1]] == pytest.approx([1.0, 5.0, 2.0])
    assert np.isfinite(fit).all()


def test_lowess_ignores_missing_values():
    grid, fit = lowess([0, 1, 2, np.nan, 4], [0, 1, 2, 3, np.nan])
    assert grid[-1] == 2 and np.isfinite(fit).all()


def test_t_interval_of_too_few_values():
    assert t_interval([])[0] == 0
    n, mean, low, high = t_interval([2.0, np.nan])
    assert (n, mean) == (1, 2.0) and np.isnan(low) and np.isnan(high)


def test_history_reads_targets_and_events(tmp_path):
    path = tmp_path / "history.toml"
    path.write_text("""
[targets.gdp_growth_1971]
value = 0.083
low = 0.077
high = 0.086
source = "UCH; LOC; VUSK"

[targets.inflation_1972]
value = 1.63

[events.copper]
date = 1971-07-11
label = "Copper nationalisation"
source = "LOC"

[events.october_strike]
date = 1972-10-09
end = 1972-11-05
label = "October strike"

[events.undated]
label = "not drawn"
""")
    history = History.load(path)
    target = history.targets["gdp_growth_1971"]
    assert (target.value, target.low, target.high, target.source) == (0.083, 0.077, 0.086, "UCH; LOC; VUSK")
    assert history.targets["inflation_1972"].low == history.targets["inflation_1972"].high == 1.63
    events = {e.label: e for e in history.events}
    assert events["Copper nationalisation"].start == pd.Timestamp("1971-07-11")
    assert events["October strike"].end == pd.Timestamp("1972-11-05")
    assert events["Copper nationalisation"].end is None
    assert len(events) == 2


def test_missing_history_gives_nothing(tmp_path):
    history = History.load(tmp_path / "absent.toml")
    assert history.targets == {} and history.events == ()


def test_project_history_has_targets_and_events():
    history = History.load()
    assert "gdp_growth_1971" in history.targets
    labels = [e.label for e in history.events]
    assert any("October strike" in label for label in labels)
