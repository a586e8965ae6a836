"""Nationalisation from above and from the shop floor; owners' expected risk of expropriation.

From above, the government took the largest firms into the social property area (APS) from a
list: 253 firms over US$1m of net assets named on 20 October 1971, later cut to 91
(escolares.net), and copper by the constitutional reform of 11 July 1971. From below, workers'
militancy rose with electoral victories, with their own owner's sabotage and with seizures
nearby; past a threshold they struck for nationalisation, as the Yarur workers did after the
April 1971 election (Winn), and the Ministry of the Economy intervened with a probability set
by how closely it worked with them (the source article). About 500 firms were in the APS by
September 1973 (Yotopoulos; Pressenza). Owners' expected risk rises with the APS's share of
output, recent seizures, and political events; it drives investment and capital flight.
"""

from __future__ import annotations

import numpy as np

from viachilena.model.arrays import sum_of
from viachilena.model.calendar import day_of, once, ticks
from viachilena.model.economy import APS, INTERVENED, PRIVATE, Economy
from viachilena.model.params import Params
from viachilena.model.production import investment_kept
from viachilena.model.record import Recorder

DAYS_PER_MONTH = 30.4  # an average month, to turn monthly rates into daily ones


def nationalise_copper(env, eco: Economy, p: Params, log: Recorder):
    """SimPy process: the copper mines pass to the state."""
    for tick in once(env, day_of(p.nationalisation.copper, p.run.start), eco.n_days):
        yield tick
        eco.copper_state = True
        log.event(env.now, "nationalisation", "copper", "large-scale copper mining nationalised")


def from_above(env, eco: Economy, p: Params, log: Recorder):
    """SimPy process: each day the government buys firms from its list, largest first.

    Firms on the list were bought (CORFO purchased their shares with newly issued money); firms
    seized from below were intervened without payment.
    """
    fa = p.nationalisation.from_above
    cut, first = day_of(fa.list_cut, p.run.start), day_of(fa.start, p.run.start)
    quota = 0.0
    for tick in ticks(env, "nationalisation"):
        yield tick
        eco.list_size_now = fa.list_size_after_cut if env.now >= cut else fa.list_size
        if env.now < first:
            continue
        quota += fa.monthly_takeovers * eco.scale / DAYS_PER_MONTH
        candidates = np.flatnonzero(eco.private & eco.on_list())
        take = candidates[: int(quota)]
        quota -= len(take)
        if len(candidates) <= len(take):
            quota = 0.0
        if len(take):
            eco.set_owner(take, APS)
        price = eco.price * 365.0 * fa.compensation_years * float(sum_of(eco.output0[take]))
        eco.ledger.pay("treasury", "capitalists", price, "firms")
        for firm in take:
            log.event(env.now, "nationalisation", f"firm {firm}", "taken into the APS from the list")


def shop_floor(env, eco: Economy, p: Params, rng: np.random.Generator, log: Recorder):
    """SimPy process: militancy moves each day; past the threshold workers seize their factory."""
    fb, n = p.nationalisation.from_below, p.nationalisation
    for tick in ticks(env, "nationalisation"):
        yield tick
        effects = getattr(p.government.stances, eco.stance)
        sabotage = eco.locked_out + eco.private * withheld_investment(eco, p)
        noise = fb.militancy_noise * rng.standard_normal(eco.n_firms)
        eco.militancy += -fb.militancy_decay * eco.militancy + noise + fb.sabotage_push * sabotage
        np.maximum(eco.militancy, 0.0, out=eco.militancy)  # what np.clip(m, 0.0, None) calls
        eco.militancy[eco.n_large :] = 0.0
        if fb.enabled:
            hazard = fb.seizure_rate * np.maximum(eco.militancy - fb.seizure_threshold, 0.0)
            seizing = eco.is_large & eco.private & ~eco.seized & (rng.random(eco.n_firms) < hazard)
            if seizing.any():
                env.process(seizures(env, eco, p, np.flatnonzero(seizing), rng, log))
            _spill_over(eco, p, seizing)
            eco.recent_seizures += (sum_of(seizing) / max(eco.n_large, 1) - eco.recent_seizures) / n.seizure_memory_days
        returning = eco.intervened & (rng.random(eco.n_firms) < effects.return_rate)
        if returning.any():
            eco.set_owner(returning, PRIVATE)
            for firm in np.flatnonzero(returning):
                log.event(env.now, "returned", f"firm {firm}", "intervened firm returned to its owner")
        aps_share = eco.flows["aps_output"] / max(eco.flows["industrial_output"], 1e-12)
        eco.risk = min(
            n.risk_cap, n.risk_aps_weight * aps_share + n.risk_seizure_weight * eco.recent_seizures + eco.political_risk
        )


def withheld_investment(eco: Economy, p: Params) -> np.ndarray:
    """Share of its investment each owner withholds for fear of expropriation: the sabotage workers see."""
    return 1.0 - investment_kept(eco, p)


def _spill_over(eco: Economy, p: Params, seizing: np.ndarray) -> None:
    """Seizures raise militancy in the other factories of their belt."""
    if not seizing.any():
        return
    counts = np.bincount(eco.belt[seizing], minlength=p.popular_power.belts)
    nearby = eco.in_belt
    eco.militancy[nearby] += p.nationalisation.from_below.nearby_seizure_push * counts[eco.belt[nearby]] / eco.scale


def seizures(env, eco: Economy, p: Params, firms: np.ndarray, rng: np.random.Generator, log: Recorder):
    """SimPy process: the workers of the firms seized on a day hold them; then the government decides.

    One process carries a day's seizures, so SimPy's events do not grow with the number of firms;
    the government decides on each firm with its own draw.
    """
    fb = p.nationalisation.from_below
    eco.seized[firms] = True
    for firm in firms:
        log.event(env.now, "seizure", f"firm {firm}", f"workers strike for nationalisation (belt {eco.belt[firm]})")
    yield env.timeout(fb.seizure_days)
    eco.seized[firms] = False
    effects = getattr(p.government.stances, eco.stance)
    intervened = rng.random(len(firms)) < effects.intervention_probability
    eco.set_owner(firms[intervened], INTERVENED)
    eco.militancy[firms[~intervened]] *= fb.militancy_kept_after_failure
    for firm, taken in zip(firms, intervened, strict=True):
        if taken:
            log.event(env.now, "intervention", f"firm {firm}", "the government intervenes: the firm joins the APS")
        else:
            log.event(env.now, "returned", f"firm {firm}", "seizure ends without intervention")
