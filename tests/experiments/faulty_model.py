"""A simulate function that fails on purpose for even seeds (fault injection in tests)."""

from __future__ import annotations

from viachilena import model


def simulate(params, seed: int):
    if seed % 2 == 0:
        raise RuntimeError(f"injected failure for even seed {seed}")
    return model.simulate(params, seed)
