"""Politics: dated events, and three political indicators measured every day.

Dated events. Popular Unity won 50% in the municipal elections of April 1971, which inspired
the Yarur workers to strike for nationalisation (the source article; Winn); UP won 43.4% in the
parliamentary election of March 1973; the Tanquetazo of 29 June 1973 was followed by a wave of
factory occupations. Each event shifts workers' militancy and owners' expected risk of
expropriation; the political part of that risk decays between events. The military cabinet of
2 November 1972 (Moulian) is not dated here: it is the event of the government's turn to
conciliation (:func:`model.government.turn`), so a scenario whose government does not turn has
none. The coup is the end date.

Indicators, stated as measures, not as prophecy:

- the middle classes' support for the government (``middle_class_support``, 0-1): its logit
  is the 1970 value's less what inflation, shortages and queues take from it, followed over
  ``politics.support_days``. Inflation is expected effective inflation (log points a year above
  day 0's), shortages are the shortage rate of middle-class neighbourhoods, queues the share of
  goods that had to be bought on the black market. Edwards (2024) argues that this is how the
  inflation undid the government: the middle classes, whose votes gave UP 50% in April 1971,
  turned against it as prices ran and shelves emptied (also Moulian; the source article on the
  "middle- and professional-class strikes");
- the opposition's mobilisation (``opposition_mobilisation``, 0-1): :mod:`model.offensive`;
- organised workers' strength (``organised_workers``, share of industrial employment): the
  jobs of the large firms in industrial belts with an active cordón, or in firms their workers
  occupy or that the government intervened after an occupation (Gaudichaud; Winn); the JAPs are
  the ``jap_active`` series.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.special import expit, logit

from viachilena.model.arrays import mean_of, sum_of
from viachilena.model.calendar import day_of, once, ticks
from viachilena.model.economy import Economy
from viachilena.model.params import Params
from viachilena.model.record import Recorder


def political_calendar(env, eco: Economy, p: Params, log: Recorder):
    """SimPy process: the dated events, in order."""
    for event in sorted(p.politics.events, key=lambda e: e.date):
        for tick in once(env, day_of(event.date, p.run.start), eco.n_days):
            yield tick
            happen(eco, event.militancy_jump, event.risk_jump)
            log.event(
                env.now,
                "political",
                event.name,
                f"militancy {event.militancy_jump:+g}, risk {event.risk_jump:+g} ({event.source})",
            )


def happen(eco: Economy, militancy_jump: float, risk_jump: float) -> None:
    """An event shifts militancy in every large firm, by how organised its workers are, and owners' risk."""
    eco.militancy += militancy_jump * eco.organisation
    eco.militancy.clip(0.0, None, out=eco.militancy)
    eco.political_risk = min(1.0, max(0.0, eco.political_risk + risk_jump))


def risk_decay(env, eco: Economy, p: Params):
    """SimPy process: the political part of owners' risk fades between events."""
    for tick in ticks(env, "nationalisation"):
        yield tick
        eco.political_risk *= 1.0 - p.politics.risk_decay


def indicators(env, eco: Economy, p: Params):
    """SimPy process: each day, after the markets, the middle classes' support and organised workers' strength."""
    eco.middle_class_support = p.politics.support_1970
    for tick in ticks(env, "profits"):
        yield tick
        eco.middle_class_support += (support_target(eco, p) - eco.middle_class_support) / p.politics.support_days
        eco.organised = organised_workers(eco)


def support_target(eco: Economy, p: Params) -> float:
    """The support today's inflation, shortages and queues would settle at."""
    pol, f = p.politics, eco.flows
    at_start, anchor = _constants(p.government.inflation_at_start, pol.support_1970)
    inflation = float(np.log1p(max(eco.expected_inflation, -0.99)) - at_start)
    shortage = float(mean_of(eco.shortage[eco.middle_index])) if len(eco.middle_index) else float(mean_of(eco.shortage))
    sold = f["official_sales"] + f["black_sales"] + f["jap_sales"]
    queue = f["black_sales"] / sold if sold > 0 else 0.0
    lost = (
        pol.support_inflation_weight * inflation
        + pol.support_shortage_weight * shortage
        + pol.support_queue_weight * queue
    )
    return float(expit(anchor - lost))


@functools.cache
def _constants(inflation_at_start: float, support_1970: float) -> tuple[np.float64, np.float64]:
    """The parts of the support target that are fixed for a run: log1p of day 0's inflation, logit of 1970's support."""
    return np.log1p(inflation_at_start), logit(support_1970)


def organised_workers(eco: Economy) -> float:
    """Share of industrial employment in cordón belts or in firms their workers occupied."""
    large = eco.n_large  # the large firms are the first n_large
    belt_active = (eco.belt[:large] >= 0) & eco.cordon[np.maximum(eco.belt[:large], 0)]
    occupied = eco.seized[:large] | eco.intervened[:large]
    total = float(sum_of(eco.jobs_1970))
    return float(eco.jobs_1970[:large][belt_active | occupied].sum()) / total if total > 0 else 0.0
