"""The economy's structure: firms' sizes and attributes, neighbourhoods' classes and incomes.

The structure is drawn once per experiment from ``run.structure_seed``, not from the run's seed,
so replications differ in behaviour and events (their own seeds) but simulate the same economy.
Large firms' capacities are the deterministic quantiles of a Pareto distribution whose tail is
solved so that the largest ``production.top_firms`` make ``production.top_firms_output_share``
of industrial output, the concentration of Chilean industry in the 1960s; the long tail of
small firms is a few equal groups. Belts, organisation and imported-input shares of firms, and
the class of each neighbourhood, are drawn from the same structural seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from viachilena.model.params import Params

WORKING, MIDDLE, UPPER = 0, 1, 2


@dataclass(frozen=True)
class Structure:
    """Firms (large ones first, by falling size, then small-firm groups) and neighbourhoods."""

    capacity: np.ndarray
    n_large: int
    belt: np.ndarray
    organisation: np.ndarray
    imported_share: np.ndarray
    cls: np.ndarray
    wage_weight: np.ndarray
    profit_weight: np.ndarray


def build(p: Params) -> Structure:
    """The structure of the economy for these parameters, from the structural seed."""
    rng = np.random.default_rng(p.run.structure_seed)
    e, pr, scale = p.economy_1970, p.production, p.run.scale
    n_large = max(1, round(p.run.large_firms * scale))
    n_small = max(1, round(p.run.small_firm_groups * scale))
    n_top = min(n_large, max(1, round(pr.top_firms * scale)))
    capacity_total = e.industry_share * e.gdp / 365.0 / e.utilisation
    large_share = pr.large_firms_output_share
    sizes = firm_sizes(n_large, n_top, pr.top_firms_output_share / large_share if large_share > 0 else 0.0)
    large = sizes / sizes.sum() * pr.large_firms_output_share * capacity_total
    small = np.full(n_small, (1.0 - pr.large_firms_output_share) * capacity_total / n_small)
    n_firms = n_large + n_small
    is_large = np.arange(n_firms) < n_large
    mean_import, spread = pr.imported_input_share, pr.imported_share_concentration
    h = p.households
    n = max(1, round(p.run.neighbourhoods * scale))
    n_working, n_upper = round(n * h.working_class_share), round(n * h.upper_class_share)
    cls = rng.permutation(np.array([WORKING] * n_working + [UPPER] * n_upper + [MIDDLE] * (n - n_working - n_upper)))
    wage_w = np.choose(cls, [1.0, h.middle_wage_weight, h.upper_wage_weight])
    profit_w = np.choose(cls, [0.0, h.middle_profit_weight, 1.0])
    return Structure(
        capacity=np.concatenate([large, small]),
        n_large=n_large,
        belt=np.where(is_large, rng.integers(0, p.popular_power.belts, n_firms), -1),
        # how strongly each workforce is organised (unions, parties): it scales their response to events
        organisation=np.where(
            is_large, rng.gamma(pr.workforce_shape, pr.organisation_mean / pr.workforce_shape, n_firms), 0.0
        ),
        imported_share=rng.beta(spread * mean_import + 1e-9, spread * (1 - mean_import) + 1e-9, n_firms),
        cls=cls,
        wage_weight=wage_w / wage_w.sum(),
        profit_weight=profit_w / profit_w.sum() if profit_w.sum() > 0 else np.full(n, 1.0 / n),
    )


def firm_sizes(n: int, top: int, top_share: float) -> np.ndarray:
    """Sizes of n firms, largest first: Pareto quantiles whose largest ``top`` hold ``top_share``.

    A share at or below equal sizes gives equal firms; a share the steepest tail allowed cannot
    reach (near or above one), that steepest tail.
    """
    quantiles = (np.arange(n) + 0.5) / n

    def sizes(tail: float) -> np.ndarray:
        return (1.0 - quantiles) ** (-1.0 / tail)

    def gap(tail: float) -> float:
        s = sizes(tail)
        return float(s[::-1][:top].sum() / s.sum()) - top_share

    low, high = 0.2, 50.0
    if gap(high) >= 0.0:
        return np.ones(n)
    tail = low if gap(low) <= 0.0 else brentq(gap, low, high)
    return sizes(tail)[::-1]
