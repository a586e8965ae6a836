"""Shared fixtures: the project's root, the baseline parameters, and cached model runs."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from viachilena import model

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "params" / "baseline.toml"
SCENARIOS = ROOT / "params" / "scenarios"


@functools.lru_cache(maxsize=64)
def cached_run(overlays: tuple[str, ...] = (), overrides: tuple[tuple[str, object], ...] = (), seed: int = 7):
    """One model run, shared across tests that ask for the same one."""
    params = model.load_params(BASELINE, [SCENARIOS / f"{o}.toml" for o in overlays], dict(overrides))
    return model.simulate(params, seed)


@pytest.fixture(scope="session")
def baseline_params():
    return model.load_params(BASELINE)


@pytest.fixture(scope="session")
def baseline_run():
    return cached_run()
