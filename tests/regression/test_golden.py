"""The baseline's key series at a fixed seed equal the golden file (update deliberately)."""

from __future__ import annotations

import pandas as pd

from tests.regression.golden import current, stored


def test_baseline_matches_golden_series():
    got, want = current(), stored()
    got.index.freq = want.index.freq = None
    want.index = want.index.astype(got.index.dtype)
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9, atol=0.0)
