"""Agriculture: the seasons, land reform, rural land seizures, food price controls and the harvest.

Farm output has its own drivers, not industry's. Land reform expropriated the large estates at
a dated pace (Frei's reform from 1965, then Allende's, which took nearly all estates over 80
basic irrigated hectares by the end of 1972: UCH; LOC); the reform's credit raised output early,
and newly expropriated land produced less while its new owners organised. Rural land seizures
(tomas) came in waves of their own, driven by the reform's pace and by political events, not by
factory militancy: a toma holds a farm for weeks, and the land it holds produces less. Official
food prices held below farm costs led producers to divert part of their crop to the black market
(into the neighbourhoods' hoards, as far as buyers there pay a premium) or to their own use (CIA
ER IM 72-175), to sow less, and to
run down their herds and machinery (decapitalisation, at a rate set by the price gap). The
harvest is seasonal, with one yield draw per agricultural year (the weather), and the area sown
is decided before the season from the real farm price of the preceding months. The 1972/73
harvest was about 25% below 1970/71 (UCH; CIA). Imported farm inputs are cut, like industry's,
by the share of needed imports that reserves allow.
"""

from __future__ import annotations

import numpy as np

from viachilena.model.calendar import date_of, day_of
from viachilena.model.economy import FOOD, Economy
from viachilena.model.params import Params


class Farms:
    """The farm sector's state: land reformed and seized, the season's sown area and yield."""

    def __init__(self, eco: Economy, p: Params, rng: np.random.Generator):
        a = p.agriculture
        self.rng = rng
        # the seasons' weather, drawn first so that tomas' draws never shift it (common random numbers)
        self.weather = rng.standard_normal(eco.n_days // 365 + 2)
        self.seasons_sown = 0
        self.season = seasonal_cycle(eco, p)
        self.capacity = 1.0
        self.area = 1.0
        self.crop_yield = 1.0  # the crop in the ground on day 0 is the base year's
        self.reformed = a.reform.reformed_1970
        self.in_transition = 0.0
        self.mobilisation = 0.0
        self.tomas_ending = np.zeros(eco.n_days + int(a.tomas.duration_days) + 1)
        self.tomas_active = 0.0
        self.real_price = np.ones(max(1, int(a.price_memory_days)))
        political = p.politics.events if p.politics.enabled else []
        self.events = {day_of(e.date, p.run.start): e.militancy_jump for e in political}
        self.weights = eco.shelf.sum(axis=0) / eco.shelf.sum()
        # the reform's dates and the daily decay of land in transition, fixed for the run
        r = a.reform
        self.reform_window = (day_of(r.window.start, p.run.start), day_of(r.window.end, p.run.start))
        self.credit_end = day_of(r.credit_end, p.run.start)
        self.transition_decay = np.exp(-1.0 / r.transition_days)


def seasonal_cycle(eco: Economy, p: Params) -> np.ndarray:
    """Daily farm output relative to the year's mean: a cosine peaking at the harvest (March)."""
    start = np.datetime64(p.run.start, "D")
    day_of_year = (start + np.arange(eco.n_days) - start.astype("datetime64[Y]")).astype(int) % 365
    amplitude = p.agriculture.seasonality
    cycle = 1.0 + amplitude * np.cos(2.0 * np.pi * (day_of_year - p.agriculture.harvest_peak_day) / 365.0)
    return cycle / cycle.mean()


def agriculture(eco: Economy, p: Params, day: int) -> None:
    """Today's farm output, and where it goes: to the depots, the black market or the farm."""
    a, farms = p.agriculture, eco.farms
    base = eco.base.agriculture
    if not a.enabled:
        _deliver(eco, base, 0.0, 0.0)
        return
    real_price = _real_farm_price(eco, p)
    farms.real_price[day % len(farms.real_price)] = real_price
    today = date_of(day, p.run.start)
    if today.month == a.season_start_month and today.day == 1:
        _sow(farms, p)
    _reform(farms, p, day)
    farms.capacity *= 1.0 - a.decapitalisation / 365.0 * max(0.0, 1.0 - real_price)
    held = _tomas(farms, p, day, eco)
    inputs = 1.0 - a.imported_input_share * (1.0 - eco.import_ratio)
    loss = a.reform.transition_loss * farms.in_transition + a.tomas.output_loss * held
    level = base * farms.season[min(day, len(farms.season) - 1)] * farms.capacity * farms.area * farms.crop_yield
    level *= max(0.0, 1.0 - loss) * inputs
    diverted = (
        min(a.most_diverted, a.diversion_sensitivity * max(0.0, 1.0 - real_price)) if a.controlled_prices else 0.0
    )
    premium = max(eco.expected_premium, 0.0)
    to_black = a.black_market_share * premium / (premium + a.black_premium_half)
    _deliver(eco, level, diverted * to_black * level, diverted * (1.0 - a.black_market_share) * level)
    eco.flows["land_reformed"] = farms.reformed
    eco.flows["land_held"] = held


def _deliver(eco: Economy, level: float, to_black: float, own_use: float) -> None:
    """Book the day's crop: marketed through the depots, diverted to hoards, or eaten on the farm."""
    marketed = level - to_black - own_use
    eco.depot[FOOD] += marketed
    eco.hoard[FOOD] += to_black * eco.farms.weights
    eco.ledger.goods_flow("produced", level)
    eco.ledger.goods_flow("consumed", own_use)
    eco.flows["agricultural_output"] = level
    eco.flows["marketed_food"] = marketed


def _real_farm_price(eco: Economy, p: Params) -> float:
    """The official price over farm costs (wages, imported inputs at the official rate, the rest)."""
    a = p.agriculture
    if not a.controlled_prices:
        return 1.0
    other = 1.0 - a.labour_cost_share - a.import_cost_share
    imported = eco.price * eco.exchange_rate / eco.base.exchange_rate
    cost = a.labour_cost_share * eco.wage + a.import_cost_share * imported + other * eco.price
    return float(eco.goods_price[FOOD]) / cost


def _sow(farms: Farms, p: Params) -> None:
    """Before the season: the area sown answers the real farm price; the weather sets the yield."""
    a = p.agriculture
    farms.area = float(np.mean(farms.real_price)) ** a.supply_elasticity
    farms.crop_yield = float(np.exp(a.yield_sd * farms.weather[farms.seasons_sown] - 0.5 * a.yield_sd**2))
    farms.seasons_sown += 1


def _reform(farms: Farms, p: Params, day: int) -> None:
    """Expropriate estates at the reform's pace; reform credit raises capacity while it flows."""
    r = p.agriculture.reform
    farms.in_transition *= farms.transition_decay
    if not r.enabled:
        return
    first, last = farms.reform_window
    if first <= day <= last:
        taken = (r.reformed_target - r.reformed_1970) / (last - first + 1)
        farms.reformed += taken
        farms.in_transition += taken
    if day <= farms.credit_end:
        farms.capacity *= 1.0 + r.credit_growth / 365.0


def _tomas(farms: Farms, p: Params, day: int, eco: Economy) -> float:
    """Rural land seizures of the day; returns the share of farmland held by tomas."""
    t, r = p.agriculture.tomas, p.agriculture.reform
    farms.mobilisation *= 1.0 - t.mobilisation_decay
    farms.mobilisation += t.event_push * farms.events.get(day, 0.0)
    farms.tomas_active -= farms.tomas_ending[day]
    if t.enabled:
        first, last = farms.reform_window
        pace = (r.reformed_target - r.reformed_1970) / max(last - first + 1, 1) * 365.0
        reforming = r.enabled and first <= day <= last
        rate = t.base_rate * (1.0 + t.pace_weight * pace * reforming + max(farms.mobilisation, 0.0))
        new = float(farms.rng.poisson(rate * eco.scale)) / eco.scale
        farms.tomas_active += new
        farms.tomas_ending[day + int(t.duration_days)] += new
        eco.cumulative["land_seizures"] += new
    return min(1.0, farms.tomas_active * t.land_per_toma)
