"""The recorder: daily series into preallocated arrays, and the event log.

Recording is separate from behaviour (Mesa's DataCollector, Ciw's injected tracker): the
mechanisms change the state, and once a day, after everything else has acted, the recorder
samples it into one row of a preallocated numpy array and resets the day's flow counters.
Series are reported for the real economy: counts of agents are scaled back by ``run.scale``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from viachilena.model.arrays import mean_of, sum_of
from viachilena.model.calendar import dates, ticks
from viachilena.model.economy import FOOD, MANUFACTURES, Economy

SERIES_UNITS = {
    "gdp": "E°m of 1970 a day",
    "industrial_output": "E°m of 1970 a day",
    "agricultural_output": "E°m of 1970 a day",
    "copper_output": "E°m of 1970 a day",
    "services_output": "E°m of 1970 a day",
    "cpi_official": "index, 1970-11-04 = 100",
    "cpi_effective": "index, 1970-11-04 = 100",
    "cpi_food": "index, 1970-11-04 = 100: food's price, its controlled and free parts weighted by sales",
    "cpi_manufactures": "index, 1970-11-04 = 100: manufactured consumer goods' price, controlled and free parts",
    "official_price": "index, 1970-11-04 = 100: the controlled price level, moved by decree and review",
    "black_market_premium": "black over official price, minus 1",
    "dollar_premium": "black over official exchange rate, minus 1",
    "shortage_rate": "goods wanted at official prices and not got, over goods wanted",
    "food_shortage_rate": "food wanted at its price and not got, over food wanted",
    "manufactures_shortage_rate": "manufactures wanted at their price and not got, over manufactures wanted",
    "black_market_share": "share of goods bought on the black market",
    "black_market_sales": "E°m of 1970 a day bought on the black market",
    "jap_supply_share": "share of goods bought through JAPs and state supply",
    "working_class_goods": "E°m of 1970 a day bought at official prices in working-class neighbourhoods",
    "working_class_food": "E°m of 1970 a day of food bought at official prices in working-class neighbourhoods",
    "real_wage": "index, 1970-11-04 = 100",
    "nominal_wage": "index, 1970-11-04 = 100",
    "unemployment_rate": "share of the labour force",
    "money_stock": "E°m",
    "velocity": "nominal GDP a year over the money stock",
    "money_to_gdp": "money stock over a year's nominal GDP (years; the inverse of velocity)",
    "fiscal_deficit": "E°m a day",
    "nominal_gdp": "E°m a day",
    "reserves_usd": "US$m",
    "exchange_rate": "E° per US$",
    "capital_flight_usd": "US$m, cumulative",
    "private_dollars_usd": "US$m held by residents (tourism, remittances, under-invoicing, less what they sold)",
    "hedged_dollars_usd": "US$m households bought on the parallel market and hold against inflation",
    "exports_usd": "US$m a day",
    "imports_usd": "US$m a day",
    "import_ratio": "share of needed imported inputs bought",
    "private_investment": "E°m of 1970 a day",
    "public_investment": "E°m of 1970 a day (the APS)",
    "industrial_capacity": "E°m of 1970 a day",
    "hoarded_stock": "E°m of 1970",
    "shelf_stock": "E°m of 1970",
    "requisitioned": "E°m of 1970, cumulative",
    "aps_firms": "firms",
    "aps_output_share": "share of industrial output",
    "expropriation_risk": "probability-like index, 0-1",
    "militancy": "mean militancy of large firms' workers, units",
    "jap_active": "share of neighbourhoods with a JAP",
    "cordones_active": "cordones",
    "trucks_available": "trucks on the road or free",
    "shipments_queued": "E°m of 1970 waiting at depots",
    "deliveries": "E°m of 1970 a day delivered (goods and inputs)",
    "state_goods_sold": "E°m of 1970 a day of goods the state owned, sold",
    "treasury_goods_revenue": "E°m a day the treasury received for consumer goods",
    "fleet_utilisation": "share of the free trucks' capacity loaded today",
    "marketed_food": "E°m of 1970 a day of farm output sent to the depots",
    "land_reformed": "share of farmland in the reformed sector",
    "land_held": "share of farmland held by rural land seizures (tomas)",
    "land_seizures": "rural land seizures (tomas), cumulative",
    "owners_strike": "size of the owners' strike running, 1 = the recorded strike's, 0 = none",
    "opposition_mobilisation": "index, 0 to 1",
    "middle_class_support": "index, 0 to 1",
    "organised_workers": "share of industrial employment in cordón belts or occupied firms",
}
SERIES_COLUMNS = tuple(SERIES_UNITS)


class Recorder:
    """Preallocated daily rows and an event log."""

    def __init__(self, eco: Economy):
        self.eco = eco
        self.rows = np.full((eco.n_days, len(SERIES_COLUMNS)), np.nan)
        self.events: list[tuple[float, str, str, str]] = []
        self._treasury = (0.0, 0.0)

    def event(self, now: float, kind: str, agent: str, detail: str) -> None:
        """Log a discrete event."""
        self.events.append((now, kind, agent, detail))

    def process(self, env, check):
        """SimPy process: sample the day, reset its flows, then run the accounting checks."""
        for tick in ticks(env, "record"):
            yield tick
            day = int(env.now)
            if day >= self.eco.n_days:
                return
            self.rows[day] = self.sample()
            self.eco.flows["deliveries"] = 0.0
            self.eco.flows["state_goods_sold"] = 0.0
            self.eco.ledger.new_day()
            check(day)

    def sample(self) -> list[float]:
        """Today's row, in the order of SERIES_COLUMNS."""
        eco, f, led = self.eco, self.eco.flows, self.eco.ledger
        spent, received = led.treasury_spent, led.treasury_received
        deficit = (spent - self._treasury[0]) - (received - self._treasury[1])
        self._treasury = (spent, received)
        gdp = (
            f["industrial_output"]
            + f["agricultural_output"]
            + f["copper_output"]
            + f["services_output"]
            + f["public_output"]
        )
        sold = f["official_sales"] + f["black_sales"] + f["jap_sales"]
        money = led.money_stock
        return [
            gdp,
            f["industrial_output"],
            f["agricultural_output"],
            f["copper_output"],
            f["services_output"],
            100.0 * eco.price,
            100.0 * eco.cpi_effective,
            100.0 * float(eco.goods_price[FOOD]),
            100.0 * float(eco.goods_price[MANUFACTURES]),
            100.0 * eco.official_price,
            eco.premium,
            eco.dollar_premium,
            f["unmet"] / f["demand"] if f["demand"] > 0 else 0.0,
            float(eco.goods_shortage[FOOD]),
            float(eco.goods_shortage[MANUFACTURES]),
            f["black_sales"] / sold if sold > 0 else 0.0,
            f["black_sales"],
            f["jap_sales"] / sold if sold > 0 else 0.0,
            f["working_class_goods"],
            f["working_class_food"],
            100.0 * eco.wage / eco.price,
            100.0 * eco.wage,
            max(0.0, 1.0 - f["employment"] / eco.labour_force),
            money,
            365.0 * gdp * eco.price / money if money > 0 else 0.0,
            money / (365.0 * gdp * eco.price) if gdp > 0 else 0.0,
            deficit,
            gdp * eco.price,
            led.dollars["reserves"],
            eco.exchange_rate,
            eco.cumulative["capital_flight_usd"],
            led.dollars["private_dollars"],
            led.dollars["households_dollars"],
            f["exports_usd"],
            f["imports_usd"],
            eco.import_ratio,
            f["private_investment"],
            f["public_investment"],
            float(sum_of(eco.capacity)),
            float(sum_of(eco.hoard)),
            float(sum_of(eco.shelf)),
            eco.cumulative["requisitioned"],
            np.count_nonzero(eco.public[: eco.n_large]) * eco.real_firms_per_agent,  # the APS's large firms
            f["aps_output"] / f["industrial_output"] if f["industrial_output"] > 0 else 0.0,
            eco.risk,
            float(mean_of(eco.militancy[: eco.n_large])),
            np.count_nonzero(eco.jap) / eco.n_neigh,
            float(sum_of(eco.cordon)),
            eco.trucks_real(eco.private_agents + eco.state_agents - eco.struck_agents + eco.volunteer_agents),
            f["shipments_queued"],
            f["deliveries"],
            f["state_goods_sold"],
            led.flow(None, "treasury", "goods"),
            f["fleet_utilisation"],
            f["marketed_food"],
            f["land_reformed"],
            f["land_held"],
            eco.cumulative["land_seizures"],
            eco.owners_strike,
            eco.mobilisation,
            eco.middle_class_support,
            eco.organised,
        ]

    def series(self) -> pd.DataFrame:
        """The daily table, one row a day, indexed by date."""
        index = pd.DatetimeIndex(dates(self.eco.start, self.eco.n_days), name="date")
        return pd.DataFrame(self.rows, index=index, columns=list(SERIES_COLUMNS))

    def event_table(self) -> pd.DataFrame:
        """The event log: date, kind, agent, detail."""
        start = np.datetime64(self.eco.start, "D")
        days = np.array([int(e[0]) for e in self.events], dtype="timedelta64[D]")
        return pd.DataFrame(
            {
                "date": pd.to_datetime(start + days) if len(days) else pd.to_datetime([]),
                "kind": [e[1] for e in self.events],
                "agent": [e[2] for e in self.events],
                "detail": [e[3] for e in self.events],
            }
        )
