"""The real model, slowed down a little so a test can kill a sweep part-way through."""

from __future__ import annotations

import time

from viachilena import model

PAUSE_S = 0.05


def simulate(params, seed: int):
    time.sleep(PAUSE_S)
    return model.simulate(params, seed)
