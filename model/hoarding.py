"""Hoarding: shopkeepers diverting deliveries from controlled shelves to the black market.

With official prices frozen below costs and a monetary overhang growing, shops and wholesalers
held goods back and sold them on the black market (CIA ER IM 72-175; UCH; the source article's
"shopkeeper hoarding"). The share of each delivery diverted to the hoard rises with the expected
black-market premium, logistic in form and zero when there is no premium, and is damped where a
JAP inspects. (The traders' strikes that closed shops are in :mod:`model.strikes`.)
"""

from __future__ import annotations

import numpy as np

from viachilena.model.calendar import ticks
from viachilena.model.economy import Economy
from viachilena.model.params import Params


def hoarding(env, eco: Economy, p: Params, rng: np.random.Generator):
    """SimPy process: each day shopkeepers revise their expectations and how much they hold back."""
    h = p.hoarding
    for tick in ticks(env, "hoarding"):
        yield tick
        if h.enabled:
            eco.expected_premium += h.expectation_speed * (eco.premium - eco.expected_premium)
            eco.divert = diversion(eco.expected_premium, h.propensity, h.premium_threshold, h.premium_steepness)
            eco.divert = eco.divert * (1.0 - h.jap_damping * eco.jap)


def diversion(expected_premium: float, propensity: float, threshold: float, steepness: float) -> float:
    """Share of a delivery held back: a logistic in the expected premium, zero at no premium."""

    def logistic(x: float) -> float:
        return 1.0 / (1.0 + np.exp(-steepness * (x - threshold)))

    at_zero = logistic(0.0)
    return propensity * max(0.0, logistic(expected_premium) - at_zero) / (1.0 - at_zero)
