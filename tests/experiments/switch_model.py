"""A synthetic simulate function whose outcomes are known sums of switched mechanisms (attribution tests).

``shortage``: 0.1 hoarding + 0.2 strike + 0.3 hoarding x strike (an interaction);
``inflation``: 0.5 hoarding + 0.25 capital flight (no interaction); Popular Power does nothing.
Each seed adds its own noise to both, the same in every coalition (common random numbers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from viachilena.model import Run

SHORTAGE, INFLATION = "shortage_mean_oct_1972", "inflation_1972"
MECHANISMS = ("hoarding.enabled", "october_strike.enabled", "capital_flight.enabled", "popular_power.enabled")


def simulate(params, seed: int) -> Run:
    hoarding, strike, flight = (
        float(params.hoarding.enabled),
        float(params.october_strike.enabled),
        float(params.capital_flight.enabled),
    )
    noise = np.random.default_rng(seed).normal(0, 0.05, 2)
    summary = {
        SHORTAGE: 0.1 * hoarding + 0.2 * strike + 0.3 * hoarding * strike + noise[0],
        INFLATION: 0.5 * hoarding + 0.25 * flight + noise[1],
    }
    dates = pd.date_range("1972-10-01", periods=3, freq="D", name="date")
    series = pd.DataFrame({"shortage_rate": summary[SHORTAGE]}, index=dates)
    return Run(series, pd.DataFrame(columns=["date", "kind", "agent", "detail"]), summary, seed)
