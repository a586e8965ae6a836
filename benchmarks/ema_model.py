"""The model as both tools call it in ``ema_compare.py``: importable, so worker processes find it.

EMA Workbench's ``MultiprocessingEvaluator`` pickles the model function by reference; defined in
a script's ``__main__`` it is re-imported by every worker, and started from a piped child
process that hung. Here it is a module on the benchmark's ``sys.path`` (the scripts' folder),
which spawned workers of either tool import by name.

:func:`ema_function` is EMA's model function (keyword uncertainties in, a dict of outcomes
out) around the package's :func:`viachilena.model.simulate`; :func:`instant` is a simulate
that does nothing but hand back a stored run, so a sweep of it measures the experiment
system's own cost per run, and :func:`ema_constant` is EMA's equivalent.
"""

from __future__ import annotations

import functools
import os
import pickle
from pathlib import Path

from viachilena import model
from viachilena.experiments.worker import with_values

UNCERTAINTIES = {  # dotted key: (low, high), the three swept parameters
    "hoarding.propensity": (0.1, 0.6),
    "october_strike.share_withdrawn": (0.4, 0.9),
    "popular_power.jap_formation_rate": (0.0002, 0.002),
}
OUTCOMES = ("gdp_growth_1972", "inflation_1972", "shortage_mean_oct_1972")
SEED = 1972
STORED_RUN = "VIACHILENA_BENCH_RUN"  # environment variable: the pickled run :func:`instant` returns


def ema_name(key: str) -> str:
    """The EMA Workbench name of a dotted parameter key (EMA names are identifiers)."""
    return key.replace(".", "__")


@functools.cache
def baseline() -> model.Params:
    """The shipped baseline, loaded once per process."""
    return model.load_params()


def ema_function(**uncertainties: float) -> dict[str, float]:
    """EMA's model function: set the swept values on the baseline, simulate, return the outcomes."""
    values = {key: uncertainties[ema_name(key)] for key in UNCERTAINTIES}
    run = model.simulate(with_values(baseline(), values), SEED)
    return {name: float(run.summary[name]) for name in OUTCOMES}


@functools.cache
def stored_run() -> model.Run:
    """The run :func:`instant` returns, read once per process from the file ``$VIACHILENA_BENCH_RUN`` names."""
    return pickle.loads(Path(os.environ[STORED_RUN]).read_bytes())


def instant(params: model.Params, seed: int) -> model.Run:
    """A simulate that costs nothing: the stored run, whatever the parameters and seed."""
    return stored_run()


def ema_constant(**uncertainties: float) -> dict[str, float]:
    """EMA's model function that costs nothing: constant outcomes, whatever the parameters."""
    return dict.fromkeys(OUTCOMES, 0.0)
