"""The shared state: agent arrays, aggregate stocks, prices and the base year they start from.

The base year is derived, not assumed flow by flow: from the 1970 national accounts in
``economy_1970`` (GDP, sector shares, the wage share, taxes, public spending, money) the daily
flows of November 1970 are computed so that households' spending, wages and distributed profits
are consistent at day 0 (the steady-state starting point of stock-flow-consistent models,
Godley and Lavoie 2007, ch. 3). Agents are sampled at ``run.scale``: firm capacities, truck
agents and neighbourhoods are normalised so that the totals are those of the real economy and
only the noise changes with the scale. The firms and neighbourhoods come from
:mod:`model.structure`, drawn from the experiment's structural seed, not the run's. Every stock
of consumer goods is an array over the two goods, food (``FOOD``: farms and food imports) and
manufactures (``MANUFACTURES``: industry's consumer goods); the official CPI weighs their prices
by the base year's spending on each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from viachilena.model import structure
from viachilena.model.arrays import sum_of
from viachilena.model.calendar import day_of
from viachilena.model.errors import DegenerateEconomyError
from viachilena.model.ledger import Ledger
from viachilena.model.params import Params

PRIVATE, INTERVENED, APS = 0, 1, 2
FOOD, MANUFACTURES = 0, 1  # the two consumer goods: every stock of goods is an array over them


@dataclass(frozen=True)
class Base:
    """Daily flows of the base year (E°m of 1970 a day unless said)."""

    gdp: float
    industry: float
    agriculture: float
    copper: float
    private_services: float
    public_value_added: float
    consumer_goods: float
    goods: np.ndarray  # consumer goods by good (food: farms and food imports; manufactures), a day
    producer_goods: float
    wage_per_worker: float
    employment: dict
    dividends: float
    payout: float
    goods_propensity: float
    services_propensity: float
    tax_rate: float
    public_goods: float
    public_services: float
    household_services: float
    investment: float
    imported_capital_share: float
    other_absorption: float
    capital: float
    trucking: float
    load_per_trip: float
    exchange_rate: float


def exchange_rate_on(p: Params, day: int) -> float:
    """The official exchange rate in force on a day (E° per US$)."""
    rate = p.external.exchange_rate[0].escudos_per_dollar
    for step in p.external.exchange_rate:
        if day_of(step.date, p.run.start) <= day:
            rate = step.escudos_per_dollar
    return rate


class Economy:
    """Everything the mechanisms read and change; built once per run."""

    def __init__(self, p: Params, rng: np.random.Generator):
        self.p = p
        self.start = p.run.start
        self.n_days = day_of(p.run.end, p.run.start) + 1
        self.scale = p.run.scale
        self._make_agents(p, rng)
        self.base = self._derive_base(p)
        self._make_stocks(p)
        self._make_trucks(p)
        self._refuse_degenerate_start()

    def _refuse_degenerate_start(self) -> None:
        """Stop before day 0 if the base year leaves nothing to simulate."""
        money = self.ledger.money_stock
        for mechanism, quantity, value in (
            ("production", "industrial capacity", float(self.capacity.sum())),
            ("production", "consumer goods supplied a day", self.base.consumer_goods),
            ("markets", "money stock", money),
            ("markets", "households' income", float(self.income.sum())),
            ("transport", "load a truck carries", self.base.load_per_trip),
        ):
            if not np.isfinite(value) or value <= 0:
                raise DegenerateEconomyError(0, self.start.isoformat(), mechanism, quantity, value)

    # ---------------------------------------------------------------- agents
    def _make_agents(self, p: Params, rng: np.random.Generator) -> None:
        """Firms and neighbourhoods from the experiment's structure; workers' militancy from the run's seed."""
        e, st = p.economy_1970, structure.build(p)
        self.n_large, self.n_firms = st.n_large, len(st.capacity)
        self.capacity = st.capacity.copy()
        self.capacity0 = self.capacity.copy()
        self.is_large = np.arange(self.n_firms) < self.n_large
        self.rank = np.where(self.is_large, np.arange(self.n_firms), self.n_firms)
        self._on_list = (None, None)  # the list size and the mask of firms on it (:meth:`on_list`)
        self.investment_kept_for = (None, None)  # (risk, list size) and the shares kept (model.production)
        self.owner = np.zeros(self.n_firms, dtype=np.int8)
        self._owners_changed()
        self.belt, self.organisation, self.imported_share = st.belt, st.organisation, st.imported_share
        self.in_belt = self.is_large & (self.belt >= 0)  # large firms in an industrial belt, fixed for the run
        mean = p.nationalisation.from_below.initial_militancy
        self.militancy = np.where(
            self.is_large,
            rng.gamma(p.production.workforce_shape, mean / p.production.workforce_shape, self.n_firms),
            0.0,
        )
        self.locked_out = np.zeros(self.n_firms, dtype=bool)
        self.seized = np.zeros(self.n_firms, dtype=bool)
        self.reopened = np.zeros(self.n_firms, dtype=bool)
        self.output = self.capacity * e.utilisation
        self.output0 = self.output.copy()
        self.running = self.output.copy()  # what each firm would make today if nothing stopped it
        total = self.capacity0.sum()
        self.jobs_1970 = e.industry_employment * self.capacity0 / total if total > 0 else np.zeros(self.n_firms)
        self.jobs = self.jobs_1970.copy()
        self.real_firms_per_agent = 1.0 / self.scale
        self.cls, self.n_neigh = st.cls, len(st.cls)
        self.working, self.middle = st.cls == structure.WORKING, st.cls == structure.MIDDLE  # fixed for the run
        self.working_index, self.middle_index = np.flatnonzero(self.working), np.flatnonzero(self.middle)
        self.wage_weight, self.profit_weight = st.wage_weight, st.profit_weight

    def set_owner(self, firms: np.ndarray, owner: int) -> None:
        """Firms (indices or a mask) pass to an owner; the owner masks below follow."""
        self.owner[firms] = owner
        self._owners_changed()

    def on_list(self) -> np.ndarray:
        """Large firms on the government's list for the APS at today's list size (kept while the size stands)."""
        size, mask = self._on_list
        if size != self.list_size_now:
            size, mask = self.list_size_now, self.is_large & (self.rank < self.list_size_now * self.scale)
            self._on_list = (size, mask)
        return mask

    def _owners_changed(self) -> None:
        """The masks of ownership the mechanisms read every day, refreshed only when a firm changes hands."""
        self.private = self.owner == PRIVATE
        self.public = ~self.private  # the APS: intervened or taken over
        self.intervened = self.owner == INTERVENED

    # ---------------------------------------------------------------- base year
    def _derive_base(self, p: Params) -> Base:
        """The base year's daily flows, closed so that every sector's spending is someone's income.

        Industry's output is consumer goods (to the shops) and producer goods: capital goods for
        investment (the domestic part of it), goods bought by the state, and other uses (the
        residual). Public purchases are part goods, part private services. Households spend their
        whole income at day 0; dividends are the part of capitalists' operating profit that makes
        that so, which fixes the payout ratio out of profits used afterwards.
        """
        e, x, pr, g = p.economy_1970, p.external, p.production, p.government
        gdp = e.gdp / 365.0
        industry, agriculture, copper = e.industry_share * gdp, e.agriculture_share * gdp, e.copper_share * gdp
        services = gdp - industry - agriculture - copper
        rate0 = exchange_rate_on(p, 0)
        employed = 1.0 - e.unemployment
        wage_bill = e.labour_share * gdp
        w0 = wage_bill / employed
        employment = {
            "industry": e.industry_employment,
            "agriculture": e.agriculture_employment,
            "copper": e.copper_employment,
            "public": e.public_employment,
        }
        employment["services"] = employed - sum(employment.values())
        public_va = e.public_employment * w0
        private_services = max(services - public_va, 0.0)
        food_imports = x.food_imports_1970 / 365.0 * rate0
        consumer_goods = e.consumer_goods_share * industry + agriculture + food_imports
        producer_goods = (1.0 - e.consumer_goods_share) * industry
        purchases = max(e.public_spending_share * gdp - public_va, 0.0)
        public_goods = min(g.goods_share_of_purchases * purchases, producer_goods)
        public_services = min(purchases - public_goods, private_services)
        household_services = private_services - public_services
        capital = pr.capital_output_ratio * 365.0 * float(self.capacity.sum())
        investment = (pr.depreciation + pr.investment_growth) / 365.0 * capital
        capital_imports = x.capital_imports_1970 / 365.0 * rate0
        imported_share = min(capital_imports / investment, 1.0) if investment > 0 else 0.0
        domestic_investment = min((1.0 - imported_share) * investment, producer_goods - public_goods)
        other_absorption = producer_goods - public_goods - domestic_investment
        income_needed = consumer_goods + household_services
        dividends = max(income_needed - wage_bill, 0.0)
        exports_escudos = (x.copper_exports_1970 * x.copper_returned_value + x.other_exports_1970) / 365.0 * rate0
        private_wages = wage_bill - public_va
        taxes = e.tax_share * gdp
        receipts = consumer_goods - food_imports + private_services + public_goods + exports_escudos
        profit = receipts - private_wages - taxes - x.input_imports_1970 / 365.0 * rate0
        income = wage_bill + dividends
        money = e.money_to_gdp * e.gdp
        households_money = e.household_money_share * money
        propensity = max(consumer_goods - p.households.balance_spending_rate * households_money, 0.0) / income
        trucking = consumer_goods + pr.trucked_input_share * industry
        private_agents, state_agents = self._truck_agents(p)
        load = trucking * p.transport.trip_days / ((1.0 - p.transport.fleet_headroom) * (private_agents + state_agents))
        return Base(
            gdp=gdp,
            industry=industry,
            agriculture=agriculture,
            copper=copper,
            private_services=private_services,
            public_value_added=public_va,
            consumer_goods=consumer_goods,
            goods=np.array([agriculture + food_imports, e.consumer_goods_share * industry]),
            producer_goods=producer_goods,
            wage_per_worker=w0,
            employment=employment,
            dividends=dividends,
            payout=min(dividends / profit, 1.0) if profit > 0 else 1.0,
            goods_propensity=propensity,
            services_propensity=household_services / income,
            tax_rate=taxes / (gdp - public_va),
            public_goods=public_goods,
            public_services=public_services,
            household_services=household_services,
            investment=investment,
            imported_capital_share=imported_share,
            other_absorption=other_absorption,
            capital=capital,
            trucking=trucking,
            load_per_trip=load,
            exchange_rate=rate0,
        )

    def _truck_agents(self, p: Params) -> tuple[int, int]:
        t = p.transport
        private = max(1, round(t.freight_vehicles * t.private_share / t.trucks_per_agent * self.scale))
        state = max(1, round(t.freight_vehicles * (1.0 - t.private_share) / t.trucks_per_agent * self.scale))
        return private, state

    # ---------------------------------------------------------------- stocks
    def _make_stocks(self, p: Params) -> None:
        b, e = self.base, p.economy_1970
        income = b.wage_per_worker * (1.0 - e.unemployment) * self.wage_weight + b.dividends * self.profit_weight
        share = income / income.sum()
        food_imports = p.external.food_imports_1970 / 365.0 * b.exchange_rate
        state_share = np.array([food_imports / b.goods[FOOD] if b.goods[FOOD] > 0 else 0.0, 0.0])
        self.weights = b.goods / b.goods.sum()  # the official CPI's basket: the base year's spending
        self.shelf = e.shop_stock_days * b.goods[:, None] * share[None, :]
        self.shelf_state = state_share[:, None] * self.shelf
        self.hoard = np.zeros((2, self.n_neigh))
        self.jap_stock = np.zeros((2, self.n_neigh))
        self.jap_state = np.zeros((2, self.n_neigh))
        self.depot = e.factory_stock_days * b.goods
        self.depot_state = state_share * self.depot
        self.in_transit = np.zeros(2)
        self.in_transit_state = np.zeros(2)
        money = e.money_to_gdp * e.gdp
        households = e.household_money_share * money * share
        self.ledger = Ledger(
            households=households,
            capitalists=money - households.sum(),
            dollars={
                "reserves": p.external.reserves_1970,
                "private_dollars": p.capital_flight.private_dollars_1970,
            },
            goods_stock=self.goods_stock(),
            tolerance=p.accounting.tolerance,
        )
        self.ledger.state_goods_start = self.state_goods_stock()
        # prices and policy
        self.official_price = 1.0  # the controlled price level, moved by decree and review
        self.free_price = np.ones(2)  # each good's free part, moving daily with cost and excess demand
        self.free_markup = np.zeros(2)  # each free price's log markup over unit cost, growing with excess demand
        self.goods_price = np.ones(2)  # each good's price: its controlled and free parts, by sales
        self.goods_shortage = np.zeros(2)
        self.price = 1.0  # the official CPI: the goods' prices on the base year's basket
        self.black_price = 1.0
        self.wage = 1.0
        self.wage_at_last_readjustment_cpi = 1.0 / (1.0 + p.government.inflation_at_start)
        self.wage_at_last_readjustment = 1.0  # the wage the last decree set
        self.exchange_rate = b.exchange_rate
        self.dollar_premium = 0.0
        self.premium = 0.0
        self.expected_premium = 0.0
        self.price_yesterday = 1.0
        self.cpi_effective_smoothed = 1.0
        self.official_inflation_trend = float(np.log1p(p.government.inflation_at_start)) / 365.0
        self.effective_inflation_trend = self.official_inflation_trend
        self.expected_inflation = p.government.inflation_at_start
        self.expected_decree = 0.0
        self.review_catch_up = 0.0  # share of the cost gap the price policy in force closes at a review
        self.farm_output_trend = b.agriculture  # a year's moving average of farm output
        self.cpi_effective = 1.0
        self.stance = p.government.stance_before_conciliation
        self.copper_state = False
        self.rationing = False
        # signals between mechanisms
        self.demand_index = 1.0  # real goods households want at official prices, relative to 1970
        self.income_demand_index = 1.0  # the part of that their incomes alone would buy
        self.producer_index = 1.0
        self.import_ratio = 1.0  # share of needed imported inputs bought (officially or with parallel dollars)
        self.outside_need_usd = 0.0  # dollars of missing inputs firms seek on the parallel market today
        self.outside_inputs_usd = 0.0  # dollars of inputs they bought there yesterday
        self.food_import_ratio = 1.0
        self.capital_import_ratio = 1.0
        self.input_delivery_ratio = 1.0
        self.input_need = p.production.trucked_input_share * b.industry
        self.shortage = np.zeros(self.n_neigh)
        self.shop_closure = 0.0
        self.services_loss = 0.0
        self.services_supply = b.private_services  # services providers are ready to sell today
        self.divert = np.zeros(self.n_neigh)
        self.release = p.hoarding.release_max
        self.direct_supply = np.zeros(self.n_neigh)
        self.jap = np.zeros(self.n_neigh, dtype=bool)
        self.cordon = np.zeros(p.popular_power.belts, dtype=bool)
        self.risk = 0.0
        self.political_risk = 0.0
        self.recent_seizures = 0.0
        self.public_employment = p.economy_1970.public_employment
        self.public_purchases_index = 1.0  # real public purchases relative to 1970
        self.labour_force = 1.0
        self.productivity = 1.0  # industrial output per worker relative to 1970, a month's average
        self.commerce_closure = 0.0
        self.list_size_now = p.nationalisation.from_above.list_size
        self.lockout_day = np.zeros(self.n_firms, dtype=int)
        self.volunteer_agents = 0.0
        # the political indicators and the owners' offensive (model.politics, model.offensive)
        self.mobilisation = 0.0  # the opposition's mobilisation, 0-1
        self.middle_class_support = p.politics.support_1970
        self.organised = 0.0  # organised workers' strength: share of industrial employment
        self.owners_strike = 0.0  # size of the owners' strike running today (0: none; 1: the recorded one)
        self.last_strike_end: int | None = None
        self.traders_striking = False  # a traders' strike on their own is running (model.strikes)
        self.last_traders_end: int | None = None
        self.strike_first = 0  # first day of the owners' strike running (or of the last one)
        self.inputs_arrived = self.input_need
        self.capital_wanted = (b.investment, 0.0)  # private and APS investment wanted, E°m of 1970 a day
        self.wage_income = self.wage_weight * b.wage_per_worker * (1.0 - e.unemployment)
        self.profit = b.dividends / b.payout if b.payout > 0 else 0.0
        self.private_sales_value = b.consumer_goods * (1.0 - self.weights @ state_share)
        self.industry_jobs_private = p.economy_1970.industry_employment
        self.industry_jobs_public = 0.0
        self.industry_jobs_idle = 0.0  # jobs in firms locked out or occupied: employed, unpaid
        self.services_jobs = b.employment["services"]  # jobs in private services, following their sales over months
        self.income = b.wage_per_worker * (1.0 - e.unemployment) * self.wage_weight + b.dividends * self.profit_weight
        self.spending_income = self.income.copy()
        # the day's flows, for the recorder (yesterday's values stand in on day 0)
        self.flows: dict[str, float] = dict.fromkeys(FLOW_NAMES, 0.0)
        self.flows.update(
            industrial_output=b.industry,
            agricultural_output=b.agriculture,
            copper_output=b.copper,
            services_output=b.private_services,
            public_output=b.public_value_added,
            private_investment=b.investment,
            employment=1.0 - e.unemployment,
            demand=b.consumer_goods,
        )
        self.cumulative = {"requisitioned": 0.0, "capital_flight_usd": 0.0, "land_seizures": 0.0}

    def _make_trucks(self, p: Params) -> None:
        private, state = self._truck_agents(p)
        self.private_agents, self.state_agents = private, state
        self.trucks_per_agent = p.transport.freight_vehicles * p.transport.private_share / private
        self.struck_agents = 0.0
        self.strikes_running = 0  # owners' strikes under way: the state coordinates its trucks

    def goods_stock(self) -> float:
        """Every stock of goods: depots, in transit, shelves, hoards and JAP stores (E°m of 1970)."""
        return float(
            sum_of(self.depot)
            + sum_of(self.in_transit)
            + sum_of(self.shelf)
            + sum_of(self.hoard)
            + sum_of(self.jap_stock)
        )

    def state_goods_stock(self) -> float:
        """The part of those stocks the state owns: made by the APS or imported by the state (E°m of 1970)."""
        return float(
            sum_of(self.depot_state) + sum_of(self.in_transit_state) + sum_of(self.shelf_state) + sum_of(self.jap_state)
        )

    def trucks_real(self, agents: float) -> float:
        """Real trucks that a number of truck agents stands for."""
        return agents * self.trucks_per_agent


FLOW_NAMES = (
    "working_class_goods",
    "working_class_food",
    "public_investment",
    "producer_goods",
    "state_goods_sold",
    "industrial_output",
    "agricultural_output",
    "copper_output",
    "services_output",
    "public_output",
    "private_investment",
    "deliveries",
    "shipments_queued",
    "exports_usd",
    "imports_usd",
    "official_sales",
    "black_sales",
    "jap_sales",
    "demand",
    "unmet",
    "employment",
    "aps_output",
    "fleet_utilisation",
    "marketed_food",
    "land_reformed",
    "land_held",
)
