"""Sobol sensitivity indices of a ``saltelli`` sweep: which parameters move which metrics.

For each scenario and summary metric, the replications of each sweep point are averaged
(so the indices describe the parameters, not the model's noise) and SALib's
:func:`SALib.analyze.sobol.analyze` gives first-order (S1) and total (ST) indices with
bootstrap confidence intervals. The table is written next to the runs as
``sensitivity.parquet`` and ``sensitivity.csv`` with columns scenario, metric, parameter,
S1, S1_conf, ST, ST_conf. A metric that some point has no finished run for, or that does
not vary at all, gets NaN indices rather than made-up ones.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from SALib.analyze import sobol

from viachilena.experiments.store import RUNS, read_manifest, write_atomically
from viachilena.experiments.worker import OK

COLUMNS = ("scenario", "metric", "parameter", "S1", "S1_conf", "ST", "ST_conf")
INDICES = COLUMNS[3:]
TABLE = "sensitivity"


def analyse(directory: Path) -> pd.DataFrame:
    """Compute the indices of the stored ``saltelli`` sweep in `directory` and store them."""
    manifest = read_manifest(directory) or {}
    experiment = manifest["experiment"]
    sweep = experiment["sweep"]
    names = list(sweep["parameters"])
    points = sweep["samples"] * (len(names) + 2)
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    runs = pd.read_parquet(directory / RUNS)
    ok = runs[runs["status"] == OK]
    rows = []
    for scenario in experiment["scenarios"]:
        means = ok[ok["scenario"] == scenario].groupby("point")[experiment["metrics"]].mean().reindex(range(points))
        for metric in experiment["metrics"]:
            rows += indices(problem, means[metric].to_numpy(), experiment["seed"], scenario=scenario, metric=metric)
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    write_atomically(directory / f"{TABLE}.parquet", lambda p: table.to_parquet(p, index=False))
    write_atomically(directory / f"{TABLE}.csv", lambda p: table.to_csv(p, index=False))
    return table


def indices(problem: dict, outputs: np.ndarray, seed: int, **labels: str) -> list[dict]:
    """Return one row per parameter with its Sobol indices for one output vector."""
    if not np.all(np.isfinite(outputs)) or np.ptp(outputs) == 0:
        found = dict.fromkeys(INDICES, [np.nan] * problem["num_vars"])
    else:
        found = sobol.analyze(problem, outputs, calc_second_order=False, seed=seed % 2**32, print_to_console=False)
    return [
        {**labels, "parameter": name, **{k: float(found[k][i]) for k in INDICES}}
        for i, name in enumerate(problem["names"])
    ]
