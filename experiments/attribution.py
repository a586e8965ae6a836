"""Shapley attribution: how much of an outcome each switchable mechanism explains.

Mechanisms interact (hoarding feeds on the shortage a strike makes), so switching each off in
turn gives parts that do not add up to the whole. The Shapley value does: mechanism i gets the
average, over every order in which the mechanisms could be switched on, of the change in the
outcome when i is switched on, and the values of all mechanisms add up exactly to the outcome
with every mechanism on minus the outcome with every mechanism off.

A *coalition* is the set of mechanisms switched on, written as a tuple of booleans in the order
the experiment lists the mechanisms; each coalition becomes a scenario named by
:func:`coalition_name`. With k mechanisms the exact value needs all 2^k coalitions; beyond
``exact_up_to`` mechanisms the value is estimated from sampled orders (permutations), which
need only the coalitions the orders pass through (at most k - 1 per order plus both ends).

Every coalition runs the same replications with the same seeds (common random numbers), so each
replication r gives its own game v_r(S) and its own Shapley values; the report gives their mean
over replications with a Student-t 95% interval. For sampled orders the estimate carries a
second error, the orders drawn: its standard error (across orders of the replication-averaged
contributions) is added in quadrature to the replications' one.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

ATTRIBUTION_BRANCH = 2  # of the experiment's seed tree: 0 sampler, 1 replications (experiments.design)
LEVEL = 0.95
TOTAL = "total: all on minus all off"
SUM = "sum of the Shapley values"

Coalition = tuple[bool, ...]


@dataclass(frozen=True)
class Mechanism:
    """A switchable parameter: its dotted key, its values when on and off, and a label."""

    key: str
    on: Any
    off: Any
    label: str


@dataclass(frozen=True)
class Plan:
    """The coalitions to run, the outcomes to attribute and, if sampled, the orders drawn."""

    mechanisms: tuple[Mechanism, ...]
    outcomes: tuple[str, ...]
    coalitions: tuple[Coalition, ...]
    permutations: tuple[tuple[int, ...], ...] | None

    @property
    def exact(self) -> bool:
        """Whether every coalition is run (exact Shapley values)."""
        return self.permutations is None

    def overrides(self, coalition: Coalition) -> dict[str, Any]:
        """The parameter values that switch on exactly the mechanisms in `coalition`."""
        return {m.key: m.on if on else m.off for m, on in zip(self.mechanisms, coalition, strict=True)}

    def describe(self) -> dict:
        """The plan as plain JSON-able data (what the manifest records and the report reads)."""
        return {
            "mechanisms": [{"key": m.key, "on": m.on, "off": m.off, "label": m.label} for m in self.mechanisms],
            "outcomes": list(self.outcomes),
            "method": "exact" if self.exact else "permutation",
            "coalitions": {coalition_name(c): [int(b) for b in c] for c in self.coalitions},
            "permutations": None if self.exact else [list(p) for p in self.permutations],
        }


def coalition_name(coalition: Coalition) -> str:
    """Scenario name of a coalition: ``all_on``, ``all_off`` or ``on_`` and one bit per mechanism."""
    if all(coalition):
        return "all_on"
    if not any(coalition):
        return "all_off"
    return "on_" + "".join("1" if on else "0" for on in coalition)


def plan(
    mechanisms: tuple[Mechanism, ...], outcomes: tuple[str, ...], exact_up_to: int, permutations: int, seed: int
) -> Plan:
    """Choose the coalitions: all of them up to `exact_up_to` mechanisms, else sampled orders.

    Orders are drawn from branch ``ATTRIBUTION_BRANCH`` of the experiment's seed tree, so the
    same file always runs the same coalitions. The all-on coalition comes first.
    """
    k = len(mechanisms)
    if k <= exact_up_to:
        coalitions = [tuple(bool(b) for b in bits) for bits in itertools.product((True, False), repeat=k)]
        return Plan(mechanisms, outcomes, tuple(coalitions), None)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(ATTRIBUTION_BRANCH,)))
    orders = tuple(tuple(int(i) for i in rng.permutation(k)) for _ in range(permutations))
    found = {tuple([True] * k): None}
    for order in orders:
        found.update({c: None for c in _prefixes(order, k)})
    return Plan(mechanisms, outcomes, tuple(found), orders)


def _prefixes(order: tuple[int, ...], k: int) -> list[Coalition]:
    """The coalitions an order passes through, from all off to all on."""
    on = [False] * k
    passed = [tuple(on)]
    for i in order:
        on[i] = True
        passed.append(tuple(on))
    return passed


def exact_shapley(games: dict[Coalition, np.ndarray]) -> np.ndarray:
    """Exact Shapley values (k x R) of R games given on every coalition (arrays of length R)."""
    k = len(next(iter(games)))
    values = np.zeros((k, len(next(iter(games.values())))))
    for coalition, outcome in games.items():
        size = sum(coalition)
        for i, on in enumerate(coalition):
            if on:  # coalition = S + {i}, with |S| = size - 1
                weight = math.factorial(size - 1) * math.factorial(k - size) / math.factorial(k)
                values[i] += weight * outcome
            else:  # coalition = S without i, |S| = size
                weight = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
                values[i] -= weight * outcome
    return values


def marginal_contributions(games: dict[Coalition, np.ndarray], orders) -> np.ndarray:
    """Contributions (orders x k x R): each mechanism's change of the outcome along each order."""
    k = len(next(iter(games)))
    found = np.zeros((len(orders), k, len(next(iter(games.values())))))
    for p, order in enumerate(orders):
        passed = _prefixes(order, k)
        for step, i in enumerate(order):
            found[p, i] = games[passed[step + 1]] - games[passed[step]]
    return found


def attribute(outcomes: pd.DataFrame, described: dict) -> pd.DataFrame:
    """Shapley values of one outcome with 95% intervals, the total effect and their sum.

    `outcomes` has one row per replication and one column per coalition (scenario name);
    `described` is :meth:`Plan.describe`. Replications missing any coalition (a failed run)
    are left out. Returns rows per mechanism, then the total and the sum, with columns
    mechanism, label, key, value, ci_low, ci_high, one_at_a_time (all on minus that one off,
    when the plan ran it) and n (replications).
    """
    names = list(described["coalitions"])
    complete = outcomes.reindex(columns=names).dropna()
    games = {
        tuple(bool(b) for b in bits): complete[name].to_numpy(float) for name, bits in described["coalitions"].items()
    }
    mechanisms = described["mechanisms"]
    k, n = len(mechanisms), len(complete)
    all_on, all_off = tuple([True] * k), tuple([False] * k)
    if described["permutations"] is None:
        per_replication = exact_shapley(games)
        values, half = _t_mean(per_replication)
    else:
        contributions = marginal_contributions(games, described["permutations"])
        values, half_reps = _t_mean(contributions.mean(axis=0))
        _, half_orders = _t_mean(contributions.mean(axis=2).T)
        half = np.hypot(half_reps, half_orders)
    total = games[all_on] - games[all_off]
    rows = []
    for i, mechanism in enumerate(mechanisms):
        without = tuple(j != i for j in range(k))
        alone = (games[all_on] - games[without]).mean() if without in games and n else np.nan
        rows.append(_row(mechanism["key"], mechanism["label"], values[i], half[i], alone, n))
    total_mean, total_half = _t_mean(total[None, :])
    rows.append(_row(TOTAL, TOTAL, total_mean[0], total_half[0], np.nan, n))
    rows.append(_row(SUM, SUM, values.sum(), np.nan, np.nan, n))
    return pd.DataFrame(rows)


def _row(key: str, label: str, value: float, half: float, alone: float, n: int) -> dict:
    """One row of the attribution table."""
    return {
        "mechanism": key,
        "label": label,
        "value": value,
        "ci_low": value - half,
        "ci_high": value + half,
        "one_at_a_time": alone,
        "n": n,
    }


def _t_mean(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row means of `samples` (rows x draws) and the half-widths of their 95% t-intervals."""
    draws = samples.shape[1]
    mean = samples.mean(axis=1) if draws else np.full(len(samples), np.nan)
    if draws < 2:
        return mean, np.full(len(samples), np.nan)
    quantile = stats.t.ppf(0.5 + LEVEL / 2, draws - 1)
    return mean, quantile * samples.std(axis=1, ddof=1) / np.sqrt(draws)
