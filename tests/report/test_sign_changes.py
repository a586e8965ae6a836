"""Where a paired difference changes sign along a swept parameter (the strategy sensitivity's answer)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from viachilena.experiments import tables


def curve(metric: str, x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"scenario": "back minus conciliate", "metric": metric, "layer": "smoothed", "x": x, "y": y})


def test_sign_changes_are_found_where_the_smoothed_difference_crosses_zero():
    x = np.linspace(0.0, 2.0, 41)  # 1.3 is a point of the grid: the curve touches zero there
    runs = pd.DataFrame({"scenario": "back minus conciliate", "metric": "a", "layer": "run", "x": [1.0], "y": [-9.0]})
    table = pd.concat([curve("a", x, x - 1.3), curve("b", x, np.full_like(x, -0.2)), runs], ignore_index=True)
    found = tables.sign_changes(table, "p").set_index("metric")
    assert abs(float(found.loc["a", "crossings"]) - 1.3) < 1e-3
    assert (found.loc["a", "sign_low"], found.loc["a", "sign_high"]) == (-1.0, 1.0)
    assert found.loc["b", "crossings"] == ""
    assert (found.loc["b", "sign_low"], found.loc["b", "sign_high"]) == (-1.0, -1.0)
    assert (found["parameter"] == "p").all()


def test_a_curve_that_touches_zero_on_a_point_between_two_signs_crosses_there():
    x = np.array([0.0, 1.0, 2.0])
    found = tables.sign_changes(curve("a", x, np.array([-1.0, 0.0, 1.0])), "p")
    assert float(found["crossings"].iloc[0]) == 1.0
