"""The run table: every scenario at every sweep point, replicated.

Sweep points come from a low-discrepancy or space-filling design on the unit cube
(``lhs``, ``sobol``, ``halton`` from :mod:`scipy.stats.qmc`; ``saltelli`` from SALib, whose
points :mod:`experiments.sensitivity` can analyse) or from a full ``grid``, and are then
mapped to parameter values: a real range linearly, an integer range and a list of
categorical values by cutting [0, 1) into equal bins, one per integer or value.

Seeds form one :class:`numpy.random.SeedSequence` tree under the experiment's root seed:
child ``(0,)`` drives the sampler, child ``(1, r)`` gives replication ``r`` its seed. A
replication's seed is therefore the same in every scenario and at every sweep point
(common random numbers: differences between scenarios are not sampling noise), and does
not depend on how many replications there are.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from SALib.sample import sobol as saltelli
from scipy.stats import qmc

from viachilena.experiments.spec import Experiment, SweepParameter, SweepTable
from viachilena.model.errors import ParamError

SAMPLER_BRANCH = 0
REPLICATION_BRANCH = 1
MAX_RUNS = 1_000_000  # runs an experiment may plan; raise it with --max-runs


@dataclass(frozen=True)
class PlannedRun:
    """One row of the run table: a scenario, a sweep point, a replication and its seed."""

    run_id: str
    scenario: str
    point: int
    replication: int
    seed: int
    values: dict[str, Any]


def run_table(experiment: Experiment) -> list[PlannedRun]:
    """Every run of `experiment`, ordered by scenario (as listed), point and replication."""
    points = sweep_points(experiment.sweep, experiment.seed)
    seeds = [replication_seed(experiment.seed, r) for r in range(experiment.replications)]
    return [
        PlannedRun(run_id(scenario.name, point, rep), scenario.name, point, rep, seed, values)
        for scenario in experiment.scenarios
        for point, values in enumerate(points)
        for rep, seed in enumerate(seeds)
    ]


def planned_runs(experiment: Experiment) -> int:
    """Count the runs of `experiment` without building them (sizes are checked before any allocation)."""
    return len(experiment.scenarios) * sweep_size(experiment.sweep) * experiment.replications


def sweep_size(sweep: SweepTable | None) -> int:
    """Count the points of a sweep: a grid's product of axes, Saltelli's N x (k + 2), else `samples`."""
    if sweep is None:
        return 1
    if sweep.method == "grid":
        return math.prod(_axis_length(p, sweep.samples) for p in sweep.parameters.values())
    if sweep.method == "saltelli":
        return sweep.samples * (len(sweep.parameters) + 2)
    return sweep.samples


def check_size(experiment: Experiment, max_runs: int | None = None) -> None:
    """Refuse an experiment of more than `max_runs` runs (default :data:`MAX_RUNS`) before anything starts."""
    limit = MAX_RUNS if max_runs is None else max_runs
    if limit < 1:
        raise ParamError("--max-runs", "", f"a whole number of at least 1 (got {limit})")
    count = planned_runs(experiment)
    if count > limit:
        raise ParamError(
            experiment.path,
            "",
            f"at most {limit:,} runs (this experiment plans {count:,}: {len(experiment.scenarios)} scenarios x "
            f"{sweep_size(experiment.sweep):,} sweep points x {experiment.replications:,} replications); "
            "make it smaller, or raise the limit with --max-runs",
        )


def run_id(scenario: str, point: int, replication: int) -> str:
    """Name a run stably; the name is also its file name: ``historical-p00000-r0003``."""
    return f"{scenario}-p{point:05d}-r{replication:04d}"


def replication_seed(root_seed: int, replication: int) -> int:
    """Return the seed of `replication` under `root_seed`: a plain int below 2**63."""
    sequence = np.random.SeedSequence(root_seed, spawn_key=(REPLICATION_BRANCH, replication))
    return int(sequence.generate_state(1, np.uint64)[0] >> np.uint64(1))


def sweep_points(sweep: SweepTable | None, root_seed: int) -> list[dict[str, Any]]:
    """Return the parameter values at each sweep point; one empty point without a sweep."""
    if sweep is None:
        return [{}]
    keys = list(sweep.parameters)
    if sweep.method == "grid":
        axes = [grid_axis(sweep.parameters[k], sweep.samples) for k in keys]
        return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*axes)]
    unit = unit_sample(sweep.method, len(keys), sweep.samples, _sampler_rng(root_seed))
    return [{k: from_unit(sweep.parameters[k], u) for k, u in zip(keys, row, strict=True)} for row in unit]


def unit_sample(method: str, dimensions: int, samples: int, rng: np.random.Generator) -> np.ndarray:
    """Points in [0, 1)^dimensions drawn by `method` (one row per point).

    ``samples`` is the number of points, except for ``saltelli``, where it is Saltelli's
    base sample size N and the design has N * (dimensions + 2) points (first-order and
    total indices only).
    """
    if method == "lhs":
        return qmc.LatinHypercube(dimensions, rng=rng).random(samples)
    if method == "halton":
        return qmc.Halton(dimensions, scramble=True, rng=rng).random(samples)
    if method == "sobol":
        return qmc.Sobol(dimensions, scramble=True, rng=rng).random_base2(int(np.log2(samples)))
    if method == "saltelli":
        problem = {
            "num_vars": dimensions,
            "names": [f"x{i}" for i in range(dimensions)],
            "bounds": [[0.0, 1.0]] * dimensions,
        }
        seed = int(rng.integers(2**31))
        return saltelli.sample(problem, samples, calc_second_order=False, seed=seed)
    raise ValueError(f"unknown sampling method {method!r}")


def from_unit(parameter: SweepParameter, u: float) -> Any:
    """Map a coordinate in [0, 1) to a value of `parameter`.

    Real ranges are scaled linearly; integer ranges and categorical values cut [0, 1) into
    equal bins so that each integer or value is equally likely.
    """
    if parameter.categorical:
        return parameter.values[_bin(u, len(parameter.values))]
    if parameter.type == "int":
        low, high = int(parameter.low), int(parameter.high)
        return low + _bin(u, high - low + 1)
    return float(parameter.low + u * (parameter.high - parameter.low))


def grid_axis(parameter: SweepParameter, samples: int) -> list[Any]:
    """Return the grid values of one parameter.

    That is `samples` evenly spaced values of a real range, as many distinct integers as
    that gives for an integer range, every value of a categorical one.
    """
    if parameter.categorical:
        return list(parameter.values)
    axis = np.linspace(parameter.low, parameter.high, samples)
    if parameter.type == "int":
        return [int(v) for v in dict.fromkeys(np.rint(axis).astype(int))]
    return [float(v) for v in axis]


def _axis_length(parameter: SweepParameter, samples: int) -> int:
    """Return ``len(grid_axis(parameter, samples))`` without building the axis."""
    if parameter.categorical:
        return len(parameter.values)
    if parameter.type == "int":
        return min(samples, int(parameter.high) - int(parameter.low) + 1)
    return samples


def _bin(u: float, bins: int) -> int:
    """Return the bin of `u` when [0, 1) is cut into `bins` equal parts."""
    return min(int(u * bins), bins - 1)


def _sampler_rng(root_seed: int) -> np.random.Generator:
    """Return the random generator the sampler draws from (branch 0 of the seed tree)."""
    return np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=(SAMPLER_BRANCH,)))
