"""The owners' offensive as decisions: the opposition's mobilisation and when the owners strike.

The truck owners' strikes of October 1972 and July 1973, with the SOFOFA lockouts, the traders'
shop closures and the professionals' strikes that came with them, were decided by organised
owners (the truck owners' confederation, SOFOFA, the retailers' and professional associations)
that read what they faced: the threat of expropriation and of seizure by workers, the
government's stance toward Popular Power, inflation and shortages (Moulian; ESW; the source
article: "a rational response of capitalists and privileged sections of the middle class to
UP's socialist program"). Here that reading is one state variable, the opposition's
mobilisation, an index in 0-1 that follows, over ``strikes.mobilisation_days``, a logistic of
the pressure on the owners: owners' expected expropriation risk (which carries the APS's share,
recent seizures and political events), expected effective inflation, the mean shortage, the
squeeze of controlled prices on margins (the gap between unit cost and the official price,
which a wage readjustment opens at once, as the readjustment of 1 October 1972 did: UCH) and
what the government's stance threatens (``government.stances.*.owners_threat``).

With ``strikes.timing = "endogenous"`` a strike starts on a day with the hazard
``strike_rate * (mobilisation - strike_threshold) / (1 - strike_threshold)``, once the owners
are ready: always before the first strike, and ``recovery_days`` after the last one ended
(owner-operators' lost income and strike funds, the truce the settlement bought, the opposition
waiting for the parliamentary election of March 1973 to impeach by vote: Moulian). The
first strike has the October 1972 strike's form and length, the next ones the July 1973
strike's; each is larger or smaller than the recorded one in proportion to the mobilisation on
its first day over ``reference_mobilisation``. The traders decide the same way on their own
strikes (the commerce strike of 21 August 1972: ESW), from the mobilisation and the threat of
seizure they face where JAPs inspect (:func:`traders_reading`), with the hazard
``commerce_strikes.rate * (reading - commerce_strikes.threshold) / (1 - threshold)``, once
``recovery_days`` have passed since their last closure, on their own or inside an owners'
strike; theirs has the form and length of the recorded one and closes shops in proportion to
the mobilisation; inside an owners' strike they decide each day how many shops to keep closed
(:func:`model.strikes.shops_closed`). With ``"historical"`` the strikes come on their dated
windows (:mod:`model.strikes`) and the mobilisation is only measured and read by the
shopkeepers' hoarding (:mod:`model.hoarding`).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from viachilena.model import strikes
from viachilena.model.arrays import mean_of
from viachilena.model.calendar import day_of, ticks
from viachilena.model.economy import Economy
from viachilena.model.government import unit_cost
from viachilena.model.params import Params, Window
from viachilena.model.record import Recorder
from viachilena.model.transport import Fleet

SEQUENCE = ("october_strike", "july_1973_strike")  # the recorded strikes whose form the decided ones take


def pressure(eco: Economy, p: Params) -> float:
    """The pressure on the owners today, in units of the logistic's argument."""
    o = p.strikes
    inflation = float(np.log1p(max(eco.expected_inflation, -0.99)))
    squeeze = max(0.0, unit_cost(eco, p) / eco.official_price - 1.0)  # the controlled price, not the CPI
    threat = getattr(p.government.stances, eco.stance).owners_threat
    return (
        o.risk_weight * eco.risk
        + o.inflation_weight * inflation
        + o.shortage_weight * float(mean_of(eco.shortage))
        + o.squeeze_weight * squeeze
        + threat
    )


def mobilise(eco: Economy, p: Params) -> None:
    """The opposition's mobilisation takes a day's step toward the logistic of the pressure."""
    o = p.strikes
    target = float(expit(pressure(eco, p) - o.pressure_midpoint))
    eco.mobilisation += (target - eco.mobilisation) / o.mobilisation_days


def ready(eco: Economy, p: Params, day: int) -> bool:
    """Whether the owners can strike again: always before the first strike, ``recovery_days`` after the last."""
    return eco.last_strike_end is None or day - eco.last_strike_end >= p.strikes.recovery_days


def _rising(mobilisation: float, threshold: float, rate: float) -> float:
    """A daily hazard: ``rate`` times the mobilisation's excess over ``threshold``, in share of the way to 1."""
    return min(1.0, rate * max(0.0, mobilisation - threshold) / (1.0 - threshold))


def hazard(eco: Economy, p: Params, day: int) -> float:
    """Chance that the owners start a strike today."""
    o = p.strikes
    if not ready(eco, p, day):
        return 0.0
    return _rising(eco.mobilisation, o.strike_threshold, o.strike_rate)


def traders_hazard(eco: Economy, p: Params, day: int) -> float:
    """Chance that the traders close their shops on their own today.

    Not while a strike of theirs or the owners' runs (in that one they close shops anyway), and
    not within ``strikes.recovery_days`` of the end of the last: the traders' closures cost them
    the same lost sales and keep the same truce as the owners' strikes.
    """
    c = p.commerce_strikes
    ends = [d for d in (eco.last_strike_end, eco.last_traders_end) if d is not None]
    if eco.strikes_running or eco.traders_striking or (ends and day - max(ends) < p.strikes.recovery_days):
        return 0.0
    return _rising(traders_reading(eco, p), c.threshold, c.rate)


def traders_reading(eco: Economy, p: Params) -> float:
    """What moves the traders: the opposition's mobilisation and the threat of seizure they face.

    The threat is the share of neighbourhoods whose shops a JAP inspects, times the backing the
    government's stance gives its requisitions (``government.stances.*.requisition_backing``),
    times ``commerce_strikes.seizure_weight``.
    """
    backing = getattr(p.government.stances, eco.stance).requisition_backing
    return eco.mobilisation + p.commerce_strikes.seizure_weight * float(mean_of(eco.jap)) * backing


def offensive(env, eco: Economy, fleet: Fleet, p: Params, rng: dict[str, np.random.Generator], log: Recorder):
    """SimPy process: each day the mobilisation moves; with endogenous timing the owners decide to strike.

    `rng` holds the ``offensive`` stream (the decisions) and one stream per recorded strike (its lockouts).
    """
    endogenous = p.strikes.timing == "endogenous"
    forms = [name for name in SEQUENCE if getattr(p, name).enabled]
    traders = p.commerce_strikes.windows[:1] if p.commerce_strikes.enabled else []  # the form of theirs
    struck = 0
    eco.mobilisation = float(expit(pressure(eco, p) - p.strikes.pressure_midpoint))
    for tick in ticks(env, "strike"):
        yield tick
        day = int(env.now)
        mobilise(eco, p)
        if not endogenous:
            continue
        owners = bool(forms) and not eco.strikes_running and rng["offensive"].random() < hazard(eco, p, day)
        if owners:
            name = forms[min(struck, len(forms) - 1)]
            s = getattr(p, name)
            struck += 1
            last, size = _decided(eco, p, s.window, day)
            env.process(strikes.strike(env, eco, fleet, p, s, name, rng[name], log, last, size))
        chance = traders_hazard(eco, p, day) if traders and not owners else 0.0  # in the owners' they close anyway
        if chance > 0 and rng["offensive"].random() < chance:
            env.process(strikes.traders_strike(env, eco, p, *_decided(eco, p, traders[0], day), log))


def _decided(eco: Economy, p: Params, recorded: Window, day: int) -> tuple[int, float]:
    """The last day and the size of a strike decided today: the recorded one's length, sized by the mobilisation."""
    length = day_of(recorded.end, p.run.start) - day_of(recorded.start, p.run.start)
    return day + length, eco.mobilisation / p.strikes.reference_mobilisation
