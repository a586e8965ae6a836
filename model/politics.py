"""Politics as dated events: elections, the military cabinet, the Tanquetazo.

Popular Unity won 50% in the municipal elections of April 1971, which inspired the Yarur
workers to strike for nationalisation (the source article; Winn); the military joined the
cabinet on 2 November 1972 (Moulian); UP won 43.4% in the parliamentary election of March 1973;
the Tanquetazo of 29 June 1973 was followed by a wave of factory occupations. Each event shifts
workers' militancy and owners' expected risk of expropriation; the political part of that risk
decays between events. The coup is the end date.
"""

from __future__ import annotations

from viachilena.model.calendar import day_of, once, ticks
from viachilena.model.economy import Economy
from viachilena.model.params import Params, PoliticalEvent
from viachilena.model.record import Recorder


def political_calendar(env, eco: Economy, p: Params, log: Recorder):
    """SimPy process: the dated events, in order."""
    for event in sorted(p.politics.events, key=lambda e: e.date):
        for tick in once(env, day_of(event.date, p.run.start), eco.n_days):
            yield tick
            happen(eco, event)
            log.event(
                env.now,
                "political",
                event.name,
                f"militancy {event.militancy_jump:+g}, risk {event.risk_jump:+g} ({event.source})",
            )


def happen(eco: Economy, event: PoliticalEvent) -> None:
    """An event shifts militancy in every large firm, by how organised its workers are, and owners' risk."""
    eco.militancy += event.militancy_jump * eco.organisation
    eco.militancy.clip(0.0, None, out=eco.militancy)
    eco.political_risk = min(1.0, max(0.0, eco.political_risk + event.risk_jump))


def risk_decay(env, eco: Economy, p: Params):
    """SimPy process: the political part of owners' risk fades between events."""
    for tick in ticks(env, "nationalisation"):
        yield tick
        eco.political_risk *= 1.0 - p.politics.risk_decay
