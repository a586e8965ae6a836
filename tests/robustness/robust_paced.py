"""The real model, slowed down so a test can kill a sweep (or a worker) part-way through."""

from __future__ import annotations

import os
import time

from viachilena import model

PAUSE_S = float(os.environ.get("VIACHILENA_TEST_PACE_S", "0.05"))


def simulate(params, seed: int):
    """Sleep, then simulate."""
    time.sleep(PAUSE_S)
    return model.simulate(params, seed)
