"""Hoarding: shopkeepers holding goods back from controlled shelves while holding pays.

With official prices frozen below costs and a monetary overhang growing, shops and wholesalers
held goods back and sold them on the black market or later at a higher official price (CIA ER IM
72-175; UCH; the source article's "shopkeeper hoarding"). Each day a shopkeeper weighs the gain
of holding a unit over a horizon, the larger of the expected black-market premium and the
expected rise of the official price (expected inflation, and the decree that an open gap between
costs and official prices announces, as far as the price policy in force closes it at a review),
against the chance that a JAP inspection finds the hoard and requisitions it at the official
price. The share of each delivery diverted to the hoard rises with that gain, logistic in form
and zero when holding does not pay; the hoard is held while the official price is expected to
rise faster than the premium pays today, and offered on the black market otherwise.

Hoarding is also political (the source article: "Rising wages alongside price controls,
redistributive programs, and the threat of nationalization provoked capital flight, strikes,
and hoarding"; "elite resistance intensified in October 1972 with a trucker owner-operator
strike, lockouts, and shopkeeper hoarding"). Two channels carry it:

- the opposition's mobilisation (:mod:`model.offensive`), which reads owners' expropriation
  risk, the government's threat, inflation, shortages and the squeeze on margins, adds
  ``hoarding.mobilisation_weight`` (a share of the price) to the gain of holding: the shopkeeper
  who expects the offensive, its strikes and its shortages expects scarcer goods and a higher
  price tomorrow, and withholding goods is part of the offensive itself (MODEL.md, politics);
- the threat of seizure: the government's stance scales how hard the JAPs inspect and
  requisition (``government.stances.*.requisition_backing``), so backing Popular Power raises
  the requisition risk, and deters hoarding, where a JAP acts, while the larger threat it makes
  to owners (``owners_threat``) raises the mobilisation, and hoarding, where none does.

(The traders' strikes that closed shops are in :mod:`model.strikes`.)
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.special import expit

from viachilena.model.calendar import ticks
from viachilena.model.economy import Economy
from viachilena.model.government import unit_cost
from viachilena.model.params import Params
from viachilena.model.popular_power import inspection_rate


def hoarding(env, eco: Economy, p: Params, rng: np.random.Generator):
    """SimPy process: each day shopkeepers revise their expectations and how much they hold back."""
    h = p.hoarding
    for tick in ticks(env, "hoarding"):
        yield tick
        if h.enabled:
            decide(eco, p)
        else:
            eco.divert = np.zeros(eco.n_neigh)
            eco.release = 1.0


def decide(eco: Economy, p: Params) -> None:
    """Today's diversion share in each neighbourhood and the share of hoards offered for sale."""
    h = p.hoarding
    eco.expected_premium += h.expectation_speed * (eco.premium - eco.expected_premium)
    rise = expected_price_rise(eco, p)
    political = h.mobilisation_weight * eco.mobilisation
    gain = (max(eco.expected_premium, rise) + political) * (1.0 - requisition_risk(eco, p))
    gain = gain - h.carrying_cost * h.horizon_days / 365
    eco.divert = h.propensity * diversion(gain, h.gain_threshold, h.gain_steepness)
    hold = float(expit(h.gain_steepness * (rise - eco.premium)))
    eco.release = h.release_max * (1.0 - hold) + h.release_min * hold


def expected_price_rise(eco: Economy, p: Params) -> float:
    """The official price rise a shopkeeper expects over the holding horizon: inflation and the next decree."""
    h = p.hoarding
    drift = (1.0 + max(eco.expected_inflation, -0.99)) ** (h.horizon_days / 365.0) - 1.0
    gap = max(0.0, unit_cost(eco, p) / eco.official_price - 1.0) if p.government.price_controls else 0.0
    eco.expected_decree = eco.review_catch_up * gap
    return drift + eco.expected_decree


def requisition_risk(eco: Economy, p: Params) -> np.ndarray:
    """Chance that a JAP finds and requisitions a hoard within the horizon (zero where no JAP acts).

    The inspections come at the rate the government's stance backs (:func:`model.popular_power.inspection_rate`).
    """
    pp = p.popular_power
    if not pp.enabled:
        return np.zeros(eco.n_neigh)
    found = 1.0 - np.exp(-inspection_rate(eco, p) * pp.detection_probability * p.hoarding.horizon_days)
    return eco.jap * found * pp.requisition_share


def diversion(gain: np.ndarray, threshold: float, steepness: float) -> np.ndarray:
    """Share of the most a shopkeeper will divert: a logistic in the gain of holding, zero at no gain."""
    at_zero = _at_zero(threshold, steepness)
    curve = expit(steepness * (np.asarray(gain) - threshold))
    return np.maximum(0.0, curve - at_zero) / (1.0 - at_zero)


@functools.lru_cache(maxsize=64)  # a sweep varies them: keep the latest few
def _at_zero(threshold: float, steepness: float) -> np.float64:
    """The logistic of :func:`diversion` at no gain: the same every day of a run, so computed once."""
    return expit(-steepness * threshold)
