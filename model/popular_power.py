"""Popular Power: JAPs requisitioning hoards, cordones reopening factories and adding trucks.

The Juntas de Abastecimiento y Precios (JAPs) were neighbourhood committees that watched shops,
found hoarded goods, requisitioned them and sold them at official prices; from 4 April 1972
DIRINCO Resolution 112 gave them legal standing (Diario Oficial), and from January 1973 they
distributed rationed goods (UCH p198). The cordones industriales linked the factories of an
industrial belt: Cerrillos-Maipu first, on 19 June 1972, five more in October 1972, when workers
reopened factories their owners had locked out and put factory vehicles on the road (Gaudichaud;
the source article). JAPs form with a hazard that rises with local shortage, with legal
backing and with the government's stance; each inspects its shops at a rate, which the stance's
backing of requisitions scales (``government.stances.*.requisition_backing``: a government that
backs the JAPs backs their requisitions; shopkeepers read the same rate as the threat of seizure,
:mod:`model.hoarding`), finds a hoard of the food basket with a probability and requisitions part
of it; the JAPs' direct supply is food.
Cordones form at any time, not only in answer to lockouts: in answer to shortages and to their
workers' militancy, faster with the government's backing, and they wane where it withdraws it
(they kept growing after October 1972 despite the government's conciliation: the source
article; Gaudichaud). With ``popular_power.strike_response = false`` Popular Power stays as it
is but does not answer the owners' strikes: while an owners' strike runs no hoard is requisitioned, no
cordón forms and no locked-out factory is reopened (the ``strike_without_popular_power``
scenario of october_1972).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from viachilena.model.arrays import mean_of, sum_of
from viachilena.model.calendar import day_of, ticks
from viachilena.model.economy import FOOD, Economy
from viachilena.model.params import Params
from viachilena.model.record import Recorder


@dataclass(frozen=True)
class Belts:
    """Where the industrial belts' large firms are: fixed for the run, so worked out once."""

    firms: np.ndarray  # indices of the large firms in a belt
    of_firm: np.ndarray  # the belt of each of those firms
    size: np.ndarray  # large firms in each belt, at least 1 (a mean's divisor)
    belted: np.ndarray  # mask of firms in a belt
    none_locked: np.ndarray  # no belt has a locked-out factory

    @classmethod
    def of(cls, eco: Economy, n_belts: int) -> Belts:
        """The belts of an economy's firms."""
        firms = np.flatnonzero(eco.in_belt)
        of_firm = eco.belt[firms]
        size = np.maximum(np.bincount(of_firm, minlength=n_belts), 1)
        return cls(firms, of_firm, size, eco.belt >= 0, np.zeros(n_belts, dtype=bool))


def popular_power(env, eco: Economy, p: Params, rng: np.random.Generator, log: Recorder):
    """SimPy process: each day JAPs form or dissolve, inspect and requisition; cordones act."""
    pp = p.popular_power
    legal = day_of(pp.legal_basis, p.run.start)
    founding = {day_of(d, p.run.start): belt for belt, d in enumerate(sorted(pp.cordones))}
    belts = Belts.of(eco, pp.belts)
    class_multiplier = np.where(eco.working, pp.working_class_multiplier, 1.0)
    for tick in ticks(env, "popular_power"):
        yield tick
        day = int(env.now)
        responds = pp.strike_response or eco.strikes_running == 0  # the switch removes the answer to strikes
        effects = getattr(p.government.stances, eco.stance)
        form_japs(eco, p, rng, day >= legal, effects.jap_formation, class_multiplier, log, env.now)
        if responds:
            inspect(eco, p, rng, log, env.now)
        boost = p.government.rationing_supply_boost if eco.rationing else 0.0
        eco.direct_supply = eco.jap * min(1.0, effects.direct_supply_share + boost)
        if responds and day in founding and founding[day] < len(eco.cordon) and not eco.cordon[founding[day]]:
            found_cordon(eco, founding[day], log, env.now, "founded")
        if responds:
            cordones(eco, p, rng, effects.cordon_support, day, belts, log, env.now)


def form_japs(
    eco: Economy,
    p: Params,
    rng: np.random.Generator,
    legal: bool,
    support: float,
    class_multiplier: np.ndarray,
    log: Recorder,
    now: float,
) -> None:
    """JAPs form where shortage bites, faster once legal and when the government backs them.

    `class_multiplier` is each neighbourhood's factor for its class (working-class neighbourhoods form them faster).
    """
    pp = p.popular_power
    hazard = pp.jap_formation_rate * (1.0 + pp.jap_shortage_sensitivity * eco.shortage) * support
    hazard = hazard * class_multiplier
    if legal:
        hazard = hazard * pp.legal_basis_multiplier
    draws = rng.random(eco.n_neigh)
    formed = ~eco.jap & (draws < hazard)
    dissolved = eco.jap & (draws < pp.dissolution_rate * max(0.0, 1.0 - support))
    eco.jap = (eco.jap | formed) & ~dissolved
    for n in np.flatnonzero(formed):
        log.event(now, "jap_formed", f"neighbourhood {n}", "")
    for n in np.flatnonzero(dissolved):
        log.event(now, "jap_dissolved", f"neighbourhood {n}", "")


def inspection_rate(eco: Economy, p: Params) -> float:
    """Inspections a day per JAP: the JAPs' own rate times the backing the government's stance gives requisitions."""
    return p.popular_power.inspection_rate * getattr(p.government.stances, eco.stance).requisition_backing


def inspect(eco: Economy, p: Params, rng: np.random.Generator, log: Recorder, now: float) -> None:
    """Each JAP inspects its shops; a found hoard is requisitioned into the JAP's store."""
    pp = p.popular_power
    inspections = rng.poisson(inspection_rate(eco, p), eco.n_neigh) * eco.jap
    found = rng.random(eco.n_neigh) < 1.0 - (1.0 - pp.detection_probability) ** inspections
    found &= eco.hoard[FOOD] > 0
    if found.any():
        taken = np.where(found, pp.requisition_share * eco.hoard[FOOD], 0.0)
        eco.hoard[FOOD] -= taken
        eco.jap_stock[FOOD] += taken
        eco.cumulative["requisitioned"] += float(sum_of(taken))
        log.event(
            now,
            "requisition",
            "JAPs",
            f"hoards requisitioned in {int(sum_of(found))} neighbourhoods: {float(sum_of(taken)):.3f} E°m of 1970",
        )


def found_cordon(eco: Economy, belt: int, log: Recorder, now: float, how: str) -> None:
    """A cordón becomes active in an industrial belt."""
    eco.cordon[belt] = True
    log.event(now, "cordon_formed", f"belt {belt}", how)


def cordones(
    eco: Economy, p: Params, rng: np.random.Generator, support: float, day: int, belts: Belts, log: Recorder, now: float
) -> None:
    """Cordones form and wane at any time; lockouts provoke them; they reopen locked-out factories.

    A belt without a cordón forms one with a daily hazard that rises with the shortage and with
    its workers' militancy, times the government's support; a locked-out belt forms one with
    ``cordon_formation_probability`` spread over the reopening days. A cordón with no lockout in
    its belt dissolves with a hazard that rises as the government's support falls.
    """
    pp = p.popular_power
    locked = eco.locked_out & ~eco.reopened & belts.belted
    any_locked = locked.any()
    belt_militancy = np.bincount(belts.of_firm, weights=eco.militancy[belts.firms], minlength=pp.belts) / belts.size
    hazard = support * (
        pp.cordon_shortage_rate * float(mean_of(eco.shortage)) + pp.cordon_militancy_rate * belt_militancy
    )
    locked_belts = belts.none_locked
    if any_locked:
        locked_belts = np.bincount(eco.belt[locked], minlength=pp.belts) > 0
        hazard = np.where(locked_belts, pp.cordon_formation_probability * support / pp.reopening_days, hazard)
    draws = rng.random(pp.belts)
    for belt in np.flatnonzero(~eco.cordon & (draws < np.minimum(hazard, 1.0))):
        found_cordon(eco, int(belt), log, now, "in answer to lockouts" if locked_belts[belt] else "from below")
    waning = eco.cordon & ~locked_belts & (draws < pp.cordon_dissolution_rate * max(0.0, 1.0 - support))
    for belt in np.flatnonzero(waning):
        eco.cordon[belt] = False
        log.event(now, "cordon_dissolved", f"belt {belt}", "")
    if not any_locked:
        return
    ready = locked & eco.cordon[np.maximum(eco.belt, 0)] & (day - eco.lockout_day >= pp.reopening_days)
    if ready.any():
        eco.reopened |= ready
        eco.militancy[ready] += p.nationalisation.from_below.sabotage_push * pp.reopening_days
        log.event(
            now,
            "factories_reopened",
            "cordones",
            f"{int(sum_of(ready))} locked-out factories reopened by their workers",
        )
