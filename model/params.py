"""The parameter tree: one typed, frozen, validated section per mechanism.

Every field carries its unit and a one-line description (and, where the value comes from the
historical record, the record's source key in ``params/baseline.toml``). Unknown keys are
errors, so a typo never passes silently (the convention of Ciw's ``validify_dictionary`` and
pydantic's ``extra="forbid"``). Values live in ``params/baseline.toml``; the schema has no
defaults, so the file is the single place a number is set. Loading, overlays and overrides are
in :mod:`model.loading`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

PERIOD_START = dt.date(1970, 11, 4)
TERM_END = dt.date(1976, 11, 3)

Stance = Literal["back", "conciliate", "demobilise"]
Timing = Literal["historical", "endogenous"]


def field(unit: str, description: str, **bounds: Any) -> Any:
    """A required field with its unit and description (and numeric bounds, if any)."""
    return Field(..., description=description, json_schema_extra={"unit": unit}, **bounds)


SHARE = {"ge": 0.0, "le": 1.0}
NONNEG = {"ge": 0.0}
POS = {"gt": 0.0}


class Section(BaseModel):
    """A frozen section that refuses unknown keys and coerces nothing silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Switchable(Section):
    """A mechanism that can be switched off."""

    enabled: bool = field("flag", "run this mechanism (false: the counterfactual without it)")


def _in_period(value: dt.date, what: str = "date") -> dt.date:
    if not PERIOD_START <= value <= TERM_END:
        raise ValueError(f"{what} {value} is outside the period {PERIOD_START}..{TERM_END}")
    return value


Date = Annotated[dt.date, AfterValidator(_in_period)]


class Window(Section):
    """A dated interval."""

    start: Date = field("date", "first day")
    end: Date = field("date", "last day")

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        _in_period(self.start, "start")
        _in_period(self.end, "end")
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class RunSection(Section):
    """The simulated period and the agents' sampling scale."""

    start: Date = field("date", "day 0: Allende takes office")
    end: Date = field("date", "last simulated day (the coup; counterfactuals may run to 1976-11-03)")
    scale: float = field("x", "agents sampled per real agent group; outputs are scaled back", ge=0.05, le=200.0)
    neighbourhoods: int = field("count", "neighbourhoods (each with its shops) at scale 1", ge=10, le=2000)
    large_firms: int = field("count", "largest industrial firms modelled one by one at scale 1", ge=50, le=5000)
    small_firm_groups: int = field("count", "weighted groups standing for the long tail of small firms", ge=1, le=1000)
    structure_seed: int = field(
        "seed", "seed of the economy's structure (firm and neighbourhood attributes), fixed across replications", ge=0
    )

    @model_validator(mode="after")
    def _period(self) -> RunSection:
        if self.start != PERIOD_START:
            raise ValueError(f"start must be {PERIOD_START} (day 0 of the model)")
        _in_period(self.end, "end")
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        return self


class Economy1970(Section):
    """The base year: the sizes every flow is measured against (E°m = millions of escudos)."""

    gdp: float = field("E°m of 1970 a year", "gross domestic product, 1970", **POS)
    industry_share: float = field("share of GDP", "manufacturing value added", **SHARE)
    agriculture_share: float = field("share of GDP", "agriculture value added", **SHARE)
    copper_share: float = field("share of GDP", "large-scale copper mining value added", **SHARE)
    labour_share: float = field("share of GDP", "wages and salaries in national income", **SHARE)
    tax_share: float = field("share of GDP", "tax revenue", **SHARE)
    public_spending_share: float = field("share of GDP", "public wages and purchases", **SHARE)
    money_to_gdp: float = field("years of GDP", "money stock (M1) over annual GDP", **NONNEG)
    household_money_share: float = field(
        "share", "share of the money stock held by households (the rest by capitalists)", **SHARE
    )
    consumer_goods_share: float = field(
        "share", "share of industrial output that is consumer goods sold in shops", **SHARE
    )
    unemployment: float = field("share", "unemployment rate, Santiago, 1970", **SHARE)
    labour_force_growth: float = field("1/year", "growth of the labour force", ge=0.0, le=0.1)
    industry_employment: float = field("share of labour force", "employed in manufacturing", **SHARE)
    agriculture_employment: float = field("share of labour force", "employed in agriculture", **SHARE)
    copper_employment: float = field("share of labour force", "employed in large-scale copper mining", **SHARE)
    public_employment: float = field("share of labour force", "employed by the state", **SHARE)
    utilisation: float = field("share", "industrial capacity utilisation, 1970", gt=0.0, le=1.0)
    shop_stock_days: float = field("days", "shop stock, in days of sales", **POS)
    factory_stock_days: float = field("days", "goods waiting at factories and depots, in days of output", **POS)

    @model_validator(mode="after")
    def _room_for_services(self) -> Economy1970:
        if self.industry_share + self.agriculture_share + self.copper_share > 0.9:
            raise ValueError("industry, agriculture and copper shares must leave at least 10% of GDP to services")
        employed = self.industry_employment + self.agriculture_employment + self.copper_employment
        if employed + self.public_employment > 0.9 * (1.0 - self.unemployment):
            raise ValueError("sector and public employment must leave at least 10% of the employed to services")
        return self


class Households(Section):
    """Households' spending, forced saving and the turn to the black market."""

    balance_spending_rate: float = field(
        "1/day", "share of money balances spent on goods each day at 1970's expected inflation", **SHARE
    )
    balance_spending_max: float = field(
        "1/day", "highest share of balances spent a day, however high inflation is expected", **SHARE
    )
    cagan_semi_elasticity: float = field(
        "per unit of expected annual inflation",
        "Cagan semi-elasticity: log change of the balance spending rate per unit of expected inflation above 1970's",
        ge=0.0,
        le=10.0,
    )
    black_market_share: float = field("share", "share of unmet spending that seeks the black market", **SHARE)
    working_class_share: float = field("share", "share of neighbourhoods that are working-class", **SHARE)
    upper_class_share: float = field("share", "share of neighbourhoods that are upper-class", **SHARE)
    middle_wage_weight: float = field("x working", "wage income of a middle-class neighbourhood", ge=0.0, le=20.0)
    upper_wage_weight: float = field("x working", "wage income of an upper-class neighbourhood", ge=0.0, le=20.0)
    middle_profit_weight: float = field(
        "x upper", "distributed profits reaching a middle-class neighbourhood", ge=0.0, le=1.0
    )

    @model_validator(mode="after")
    def _classes(self) -> Households:
        if self.working_class_share + self.upper_class_share > 1.0:
            raise ValueError("working_class_share + upper_class_share must be at most 1")
        return self


class Production(Switchable):
    """Industry, copper and services; capacity and investment."""

    max_utilisation: float = field("share", "highest sustainable capacity utilisation", gt=0.0, le=1.0)
    demand_elasticity: float = field("-", "elasticity of utilisation to real demand", ge=0.0, le=3.0)
    demand_smoothing: float = field("1/day", "speed at which firms' orders follow real demand", gt=0.0, le=1.0)
    depreciation: float = field("1/year", "capital depreciation rate", ge=0.0, le=0.5)
    investment_growth: float = field("1/year", "net capacity growth at zero expropriation risk", ge=-0.2, le=0.3)
    investment_risk_elasticity: float = field(
        "-", "beta: how fast private investment dies as risk rises", ge=0.0, le=20.0
    )
    capital_strike: bool = field("flag", "private investment responds to expropriation risk")
    aps_investment_rate: float = field(
        "1/year of capital", "gross investment of APS firms, financed by the budget", ge=0.0, le=0.5
    )
    capital_output_ratio: float = field(
        "years of capacity output", "capital per unit of yearly industrial capacity", gt=0.0, le=10.0
    )
    restocking: float = field(
        "-", "extra orders per unit shortfall of the stock waiting at depots below its norm", ge=0.0, le=5.0
    )
    restocking_floor: float = field("share", "lowest consumer-goods orders when depots overflow", **SHARE)
    productivity_days: float = field(
        "days", "window of the labour productivity that cost reviews take", ge=1.0, le=365.0
    )
    profit_smoothing_days: float = field(
        "days", "window over which owners judge the operating profit they pay out", ge=1.0, le=365.0
    )
    services_import_dependence: float = field(
        "share", "how much of the imported-input shortfall services feel, relative to industry", **SHARE
    )
    aps_efficiency: float = field(
        "share", "output per unit of capacity in the APS relative to private firms", gt=0.0, le=1.5
    )
    workforce_shape: float = field(
        "-",
        "gamma shape of large firms' organisation and starting militancy (lower: a few stand out)",
        gt=0.0,
        le=100.0,
    )
    organisation_mean: float = field("units", "mean organisation of a large firm's workforce", ge=0.0, le=10.0)
    imported_share_concentration: float = field(
        "-",
        "beta concentration of firms' imported-input shares around the mean (higher: more alike)",
        gt=0.0,
        le=1000.0,
    )
    top_firms: int = field("firms", "the largest firms whose output share sets industry's concentration", ge=1, le=5000)
    top_firms_output_share: float = field(
        "share", "share of industrial output the largest top_firms make (sets the size distribution)", **SHARE
    )
    large_firms_output_share: float = field(
        "share", "industrial output made by the large firms modelled one by one", **SHARE
    )
    imported_input_share: float = field("share", "mean share of imported inputs in industrial costs", **SHARE)
    trucked_input_share: float = field("share", "share of industrial inputs that must arrive by truck", **SHARE)
    employment_elasticity: float = field("-", "elasticity of private employment to output", ge=0.0, le=1.5)
    restart_days: float = field(
        "days", "days a firm takes to bring output back to what its workforce can make", ge=1.0, le=90.0
    )
    employment_adjust_days: float = field(
        "days", "days employment takes to close the gap to the jobs output calls for", ge=1.0, le=365.0
    )
    aps_hiring: float = field("share", "extra employment the APS takes on over its capacity norm", ge=0.0, le=1.0)
    copper_post_nationalisation_productivity: float = field(
        "share", "copper output after nationalisation relative to before (technicians leaving)", gt=0.0, le=1.5
    )
    el_teniente_strike: Window = field("dates", "El Teniente strike (source: UCH)")
    el_teniente_output_loss: float = field("share", "copper output lost while El Teniente is on strike", **SHARE)
    services_headroom: float = field("x 1970", "services output cap relative to 1970", ge=1.0, le=3.0)


class LandReform(Switchable):
    """The expropriation of large estates at a dated pace, and the reform's credit."""

    window: Window = field("dates", "the period over which estates are expropriated at an even pace")
    reformed_1970: float = field("share of farmland", "land in the reformed sector on day 0 (Frei's reform)", **SHARE)
    reformed_target: float = field("share of farmland", "land in the reformed sector at the window's end", **SHARE)
    transition_days: float = field(
        "days", "mean time newly expropriated land takes to produce normally", gt=0.0, le=2000.0
    )
    transition_loss: float = field("share", "output lost on land still in transition", **SHARE)
    credit_growth: float = field("1/year", "farm capacity growth while the reform's credit flows", ge=-0.2, le=0.5)
    credit_end: Date = field("date", "last day of the reform's expansionary credit")

    @model_validator(mode="after")
    def _target(self) -> LandReform:
        if self.reformed_target < self.reformed_1970:
            raise ValueError("reformed_target must be at least reformed_1970")
        return self


class Tomas(Switchable):
    """Rural land seizures (tomas): their own waves, driven by the reform's pace and political events."""

    base_rate: float = field(
        "tomas/day", "seizures a day with no reform under way and no mobilisation", ge=0.0, le=50.0
    )
    pace_weight: float = field(
        "x per (share/year)", "extra seizure rate per unit of the reform's yearly pace", ge=0.0, le=100.0
    )
    event_push: float = field(
        "x per militancy jump",
        "rural mobilisation gained per unit of a political event's militancy jump",
        ge=0.0,
        le=20.0,
    )
    mobilisation_decay: float = field("1/day", "daily decay of rural mobilisation", ge=0.0, le=1.0)
    duration_days: float = field("days", "days a toma holds its farm", ge=1.0, le=365.0)
    land_per_toma: float = field("share of farmland", "land one toma holds", ge=0.0, le=0.1)
    output_loss: float = field("share", "output lost on land a toma holds", **SHARE)


class Agriculture(Switchable):
    """Farm output: seasons, land reform, tomas, food price controls and the harvest draw."""

    seasonality: float = field("share", "amplitude of the seasonal cycle in farm output", **SHARE)
    harvest_peak_day: int = field("day of year", "day of the year of the seasonal peak of farm output", ge=0, le=364)
    season_start_month: int = field("month", "month whose first day starts the agricultural year (sowing)", ge=1, le=12)
    price_memory_days: float = field("days", "days of real farm prices farmers weigh before sowing", ge=1.0, le=365.0)
    supply_elasticity: float = field("-", "elasticity of the area sown to the real farm price", ge=0.0, le=3.0)
    yield_sd: float = field("log points", "standard deviation of a season's yield (the weather)", ge=0.0, le=1.0)
    imported_input_share: float = field("share", "imported inputs in farm output", **SHARE)
    controlled_prices: bool = field(
        "flag", "farmers sell at controlled official prices (false: at prices that cover costs)"
    )
    labour_cost_share: float = field("share", "wages in farm costs", **SHARE)
    import_cost_share: float = field("share", "imported inputs, at the official exchange rate, in farm costs", **SHARE)
    diversion_sensitivity: float = field(
        "share per price gap", "share of the crop diverted per unit of official price below cost", ge=0.0, le=10.0
    )
    decapitalisation: float = field(
        "1/year per price gap", "farm capital run down a year per unit of official price below cost", ge=0.0, le=10.0
    )
    most_diverted: float = field("share", "largest share of the crop diverted from official channels", **SHARE)
    black_market_share: float = field(
        "share", "share of the diverted crop sold on the black market (the rest eaten on the farm)", **SHARE
    )
    black_premium_half: float = field(
        "premium", "expected black-market premium at which half the crop meant for it goes there", gt=0.0, le=10.0
    )
    reform: LandReform = field("-", "land reform")
    tomas: Tomas = field("-", "rural land seizures")

    @model_validator(mode="after")
    def _costs(self) -> Agriculture:
        if self.labour_cost_share + self.import_cost_share > 1.0:
            raise ValueError("labour_cost_share + import_cost_share must be at most 1")
        return self


class CapitalFlight(Switchable):
    """Capitalists moving liquid wealth abroad as expropriation risk and inflation rise."""

    base_rate: float = field(
        "1/year", "share of liquid wealth moved abroad at zero risk and zero inflation", ge=0.0, le=1.0
    )
    risk_sensitivity: float = field("1/year per risk", "extra flight per unit of expropriation risk", ge=0.0, le=5.0)
    inflation_sensitivity: float = field(
        "1/year per inflation", "extra flight per unit of expected annual inflation", ge=0.0, le=5.0
    )
    official_channel_share: float = field(
        "share", "share of flight through over/under-invoicing, draining reserves", **SHARE
    )
    premium_half: float = field(
        "premium", "parallel-dollar premium at which half the unofficial flight turns to official channels", gt=0.0
    )
    dollar_offer_rate: float = field(
        "1/day", "most of residents' dollars offered on the parallel market a day (at a high premium)", gt=0.0, le=1.0
    )
    dollar_offer_half: float = field(
        "premium", "parallel-dollar premium at which residents offer half of that most", gt=0.0, le=20.0
    )
    private_dollars_1970: float = field("US$m", "dollars held by residents in 1970", ge=0.0)
    hedging_rate: float = field(
        "1/year per unit of expected inflation",
        "share of their balances households with profit income turn into dollars a year, per unit of "
        "expected inflation",
        ge=0.0,
        le=5.0,
    )


class Hoarding(Switchable):
    """Shopkeepers diverting deliveries from controlled shelves to a hoard sold on the black market."""

    propensity: float = field("share", "most of a delivery a shopkeeper will divert", **SHARE)
    gain_threshold: float = field(
        "share of the price", "gain of holding at which half the propensity is used", ge=0.0, le=10.0
    )
    gain_steepness: float = field("1/share", "steepness of the logistic response to the gain", ge=0.1, le=100.0)
    expectation_speed: float = field(
        "1/day", "speed at which the expected premium follows the observed one", gt=0.0, le=1.0
    )
    horizon_days: float = field("days", "how long a shopkeeper plans to hold a hoard", ge=1.0, le=365.0)
    carrying_cost: float = field("1/year", "cost of holding goods (storage, spoilage, interest)", ge=0.0, le=5.0)
    release_max: float = field("1/day", "share of the hoard offered a day when holding does not pay", gt=0.0, le=1.0)
    release_min: float = field("1/day", "share of the hoard offered a day when holding pays", ge=0.0, le=1.0)
    black_premium_scale: float = field(
        "premium per unit shortage",
        "highest premium buyers would pay, per unit of shortage, at 1970's liquidity",
        ge=0.0,
        le=100.0,
    )
    liquidity_elasticity: float = field(
        "-", "elasticity of what buyers would pay to their money balances over income", ge=0.0, le=5.0
    )
    mobilisation_weight: float = field(
        "share of the price per index",
        "gain of holding added by the opposition's mobilisation (the offensive a shopkeeper expects and joins)",
        ge=0.0,
        le=2.0,
    )


class CommerceStrikes(Switchable):
    """Traders' strikes on their own: on their dated windows, or decided from the opposition's mobilisation."""

    windows: list[Window] = field("dates", "shop closures by traders' strikes (source: ESW; Moulian)")
    closure: float = field("share", "share of shops closed during a commerce strike", **SHARE)
    threshold: float = field(
        "index",
        "traders' reading (mobilisation and threat of seizure) above which they may strike on their own "
        "(strikes.timing = endogenous)",
        ge=0.0,
        lt=1.0,
    )
    rate: float = field(
        "1/day", "hazard of a traders' strike starting a day at a reading of 1 (endogenous timing)", ge=0.0, le=10.0
    )
    seizure_weight: float = field(
        "index per share",
        "traders' reading per share of neighbourhoods with a JAP, times the stance's backing of requisitions",
        ge=0.0,
        le=5.0,
    )


class Transport(Switchable):
    """Trucks as a SimPy resource: every shipment holds trucks for its trip."""

    freight_vehicles: float = field("trucks", "freight vehicles in 1972 (source: QP)", gt=0.0)
    private_share: float = field("share", "share of freight vehicles owned privately (source: QP)", **SHARE)
    trucks_per_agent: float = field("trucks", "real trucks one truck agent stands for at scale 1", ge=1.0)
    fleet_headroom: float = field("share", "trucks idle on a normal day in 1970", ge=0.0, le=0.9)
    trip_days: float = field("days", "time a truck is held by one shipment", ge=1.0, le=10.0)
    coordination_loads_per_day: float = field(
        "loads/truck/day", "loads a state-coordinated truck carries per trip slot (the telex network)", ge=0.5, le=5.0
    )


class TruckerStrike(Switchable):
    """An owner-operators' strike with its lockouts and shop closures."""

    window: Window = field("dates", "the strike's first and last day")
    share_withdrawn: float = field("share of private trucks", "private trucks withdrawn at the peak", **SHARE)
    withdrawal_days: float = field("days", "days for the withdrawal to reach its peak", gt=0.0, le=30.0)
    requisitioned: float = field("trucks", "struck trucks requisitioned by the state", ge=0.0)
    requisition_days: float = field("days", "days after the start by which they are requisitioned", gt=0.0, le=60.0)
    lockout_share: float = field("share of private firms", "private factories locked out by their owners", **SHARE)
    shop_closure: float = field("share of shops", "shops closed by the traders' strike", **SHARE)
    professional_strike_loss: float = field("share of services", "services lost to professionals' strikes", **SHARE)


class Offensive(Section):
    """The owners' offensive as decisions: when the owners' strikes start and how hard they come."""

    timing: Timing = field(
        "-",
        "historical: strikes on their dated windows; endogenous: strikes when the opposition's mobilisation decides",
    )
    mobilisation_days: float = field(
        "days", "time the opposition's mobilisation takes to follow the pressure on it", ge=1.0, le=365.0
    )
    risk_weight: float = field(
        "units per risk", "pressure per unit of owners' expected expropriation risk", ge=0.0, le=50.0
    )
    inflation_weight: float = field(
        "units per log point", "pressure per log point of expected effective inflation a year", ge=0.0, le=50.0
    )
    shortage_weight: float = field("units per shortage", "pressure per unit of the mean shortage rate", ge=0.0, le=50.0)
    squeeze_weight: float = field(
        "units per share", "pressure per unit of the gap between unit cost and the official price", ge=0.0, le=50.0
    )
    pressure_midpoint: float = field("units", "pressure at which the mobilisation index is one half", ge=-50.0, le=50.0)
    strike_threshold: float = field("index", "mobilisation above which the owners may strike", ge=0.0, lt=1.0)
    strike_rate: float = field(
        "1/day", "hazard of a strike starting a day at full mobilisation and full readiness", ge=0.0, le=10.0
    )
    recovery_days: float = field("days", "days after a strike's end before the owners strike again", ge=0.0, le=2000.0)
    reference_mobilisation: float = field(
        "index",
        "mobilisation at which a strike has its historical size (larger or smaller in proportion)",
        gt=0.0,
        le=1.0,
    )


class PopularPower(Switchable):
    """JAPs (supply and price committees) and cordones industriales."""

    jap_formation_rate: float = field(
        "1/day", "hazard of a JAP forming in a neighbourhood with no shortage", ge=0.0, le=1.0
    )
    jap_shortage_sensitivity: float = field(
        "-", "multiplier on the hazard per unit of local shortage rate", ge=0.0, le=200.0
    )
    legal_basis: Date = field("date", "DIRINCO Resolution 112 gives JAPs legal standing (source: Diario Oficial)")
    legal_basis_multiplier: float = field("x", "formation hazard multiplier once JAPs are legal", ge=1.0, le=20.0)
    working_class_multiplier: float = field(
        "x", "formation hazard multiplier in working-class neighbourhoods", ge=0.0, le=20.0
    )
    dissolution_rate: float = field(
        "1/day", "hazard of a JAP dissolving when the government demobilises", ge=0.0, le=1.0
    )
    inspection_rate: float = field("1/day", "inspections of its shops a JAP makes a day", ge=0.0, le=1.0)
    detection_probability: float = field("share", "chance an inspection finds a hoard", **SHARE)
    requisition_share: float = field("share", "share of a found hoard requisitioned", **SHARE)
    cordones: list[Date] = field(
        "dates", "known cordón founding dates; Cerrillos-Maipú 1972-06-19 (source: Gaudichaud)"
    )
    belts: int = field("count", "industrial belts where cordones can form", ge=1, le=50)
    cordon_formation_probability: float = field(
        "share", "chance a belt forms a cordón when its factories are locked out", **SHARE
    )
    reopening_efficiency: float = field(
        "share", "output of a factory reopened by its workers relative to normal", **SHARE
    )
    reopening_days: float = field("days", "days a cordón takes to reopen a locked-out factory", gt=0.0, le=60.0)
    volunteer_trucks: float = field("trucks per cordón", "factory vehicles a cordón puts on the road", ge=0.0)
    cordon_shortage_rate: float = field(
        "1/day per shortage",
        "hazard of a cordón forming in a belt without one, per unit of shortage, at full support",
        ge=0.0,
        le=1.0,
    )
    cordon_militancy_rate: float = field(
        "1/day per unit",
        "hazard of a cordón forming in a belt without one, per unit of the belt's mean militancy, at full support",
        ge=0.0,
        le=1.0,
    )
    cordon_dissolution_rate: float = field(
        "1/day",
        "hazard of a cordón dissolving with no lockout in its belt, times one minus the support",
        ge=0.0,
        le=1.0,
    )
    strike_response: bool = field(
        "flag",
        "Popular Power answers the owners' strikes: requisitions, cordones formed and factories reopened inside "
        "the strike windows (false: only that response is removed)",
    )


class FromAbove(Switchable):
    """The government's list of firms for the social property area."""

    start: Date = field("date", "first purchases from the list (bank shares and the first industrial firms)")
    monthly_takeovers: float = field(
        "firms/month", "firms the government takes from its list a month", ge=0.0, le=200.0
    )
    list_size: int = field(
        "firms", "firms named for the APS (253 in the bill of 1971-10-20; source: escolares.net)", ge=0, le=5000
    )
    list_cut: Date = field("date", "the list cut to 91 strategic firms")
    list_size_after_cut: int = field("firms", "firms on the list after the cut", ge=0, le=5000)
    compensation_years: float = field(
        "years of output",
        "price paid for a firm bought from the list, in years of its 1970 output (CORFO's share purchases)",
        ge=0.0,
        le=5.0,
    )


class FromBelow(Section):
    """Workers' militancy and seizures from the shop floor, Yarur-style."""

    enabled: bool = field("flag", "seizures from the shop floor")
    initial_militancy: float = field("units", "mean militancy of large firms' workers on day 0", ge=0.0, le=10.0)
    militancy_decay: float = field("1/day", "daily decay of militancy toward zero", ge=0.0, le=1.0)
    militancy_noise: float = field("units/day^0.5", "day-to-day variation of militancy", ge=0.0, le=5.0)
    sabotage_push: float = field(
        "units/day",
        "militancy gained a day while the owner locks out, or in proportion to investment withheld",
        ge=0.0,
        le=5.0,
    )
    nearby_seizure_push: float = field("units", "militancy gained in a belt for each seizure in it", ge=0.0, le=5.0)
    lockout_push: float = field(
        "units", "militancy gained by organised workers when their owner locks them out", ge=0.0, le=10.0
    )
    seizure_threshold: float = field("units", "militancy above which workers may seize the factory", ge=0.0, le=50.0)
    seizure_rate: float = field(
        "1/day per unit", "seizure hazard per unit of militancy over the threshold", ge=0.0, le=1.0
    )
    seizure_days: float = field(
        "days", "days a seizure stops production before the government decides", ge=0.0, le=120.0
    )
    militancy_kept_after_failure: float = field(
        "share", "share of their militancy workers keep after a seizure the government does not back", **SHARE
    )


class Nationalisation(Section):
    """Nationalisation of copper, from above and from the shop floor: each with its own switch."""

    copper_enabled: bool = field("flag", "copper's nationalisation (false: the mines stay foreign-owned)")
    copper: Date = field("date", "copper nationalised by constitutional reform (source: most sources; LOC says 11 Jun)")
    from_above: FromAbove = field("-", "the government's list")
    from_below: FromBelow = field("-", "seizures from the shop floor")
    risk_aps_weight: float = field(
        "risk per APS share", "expropriation risk per unit of APS output share", ge=0.0, le=5.0
    )
    risk_seizure_weight: float = field(
        "risk per seizure rate", "expropriation risk per recent seizure per firm", ge=0.0, le=1000.0
    )
    risk_list_weight: float = field("risk", "extra risk of a firm that is on the government's list", ge=0.0, le=1.0)
    risk_cap: float = field("risk", "highest expropriation risk owners expect", gt=0.0, le=1.0)
    seizure_memory_days: float = field(
        "days", "window over which owners remember the seizures around them", ge=1.0, le=365.0
    )


class WageReadjustment(Section):
    """A dated readjustment of wages (source: UCH; LOC)."""

    date: Date = field("date", "day the readjustment takes effect")
    indexation: float = field(
        "share of past inflation", "share of official inflation since the last readjustment granted", ge=0.0, le=3.0
    )
    real_increase: float = field("share", "real increase on top of indexation", ge=-0.5, le=1.0)


class PriceDecree(Section):
    """A dated general price adjustment (source: VUSK; CIA for August 1972)."""

    date: Date = field("date", "day of the decree")
    catch_up: float = field(
        "share of the cost gap", "share of the gap between unit cost and official price closed", ge=0.0, le=3.0
    )


class StanceEffects(Section):
    """What a stance toward Popular Power does."""

    jap_formation: float = field("x", "multiplier on the JAP formation hazard", ge=0.0, le=10.0)
    cordon_support: float = field("x", "multiplier on cordón formation and volunteer trucks", ge=0.0, le=10.0)
    intervention_probability: float = field("share", "chance the government intervenes a seized firm", **SHARE)
    direct_supply_share: float = field(
        "share", "share of a JAP neighbourhood's deliveries through state distribution", **SHARE
    )
    return_rate: float = field("1/day", "hazard of an intervened firm being returned to its owner", ge=0.0, le=1.0)
    owners_threat: float = field(
        "units of pressure", "what the stance adds to the pressure that mobilises the opposition", ge=-5.0, le=5.0
    )
    requisition_backing: float = field(
        "x", "multiplier on the JAPs' inspection rate: how far the government backs their requisitions", ge=0.0, le=10.0
    )
    turn_event: str = field(
        "-", "political event of a turn to this stance, logged with its jumps ('' : a turn to it is no event)"
    )
    turn_militancy_jump: float = field(
        "units", "militancy gained by every firm's workers at the turn", ge=-10.0, le=10.0
    )
    turn_risk_jump: float = field("risk", "owners' expected expropriation risk gained at the turn", ge=-1.0, le=1.0)


class Stances(Section):
    """The three stances a government can take toward Popular Power."""

    back: StanceEffects = field("-", "backing Popular Power")
    conciliate: StanceEffects = field("-", "conciliation with capital (the military cabinet)")
    demobilise: StanceEffects = field("-", "demobilising Popular Power")


class Government(Section):
    """Wage and price policy, the budget financed by money, and the stance toward Popular Power."""

    price_controls: bool = field(
        "flag", "official prices set by decree and review (false: free prices, moving daily with costs and demand)"
    )
    wage_policy: bool = field("flag", "wages readjusted by decree (false: wages move only by drift)")

    wage_readjustments: list[WageReadjustment] = field("-", "dated wage readjustments")
    inflation_at_start: float = field(
        "share", "official inflation from the January 1970 readjustment to day 0 (source: VUSK; LOC)", ge=0.0, le=2.0
    )
    wage_drift: float = field(
        "1/year per militancy unit", "wage gains between readjustments won by strikes", ge=0.0, le=2.0
    )
    wage_indexation_drift: float = field(
        "share of inflation", "share of current official inflation wages follow between readjustments", **SHARE
    )
    wage_indexation_max: float = field(
        "share of inflation", "most of current inflation wages follow between decrees, at runaway inflation", **SHARE
    )
    wage_indexation_half: float = field(
        "share a year", "annual official inflation at which wages follow half way from the drift to the most", gt=0.0
    )
    price_smoothing_days: float = field(
        "days", "window over which the effective price level is averaged before expectations read it", ge=1.0, le=365.0
    )
    expectation_days: float = field(
        "days", "window of adaptive inflation expectations (official and effective)", ge=1.0, le=720.0
    )
    productivity_floor: float = field(
        "x 1970", "lowest labour productivity a cost review takes (a stoppage does not set costs)", gt=0.0, le=1.0
    )
    free_price_cost_speed: float = field(
        "1/day", "share of the cost gap the free part of a good's price closes a day", ge=0.0, le=1.0
    )
    free_price_demand_speed: float = field(
        "1/day per shortage",
        "daily rise of the free part's log markup over cost per unit of its shortage",
        ge=0.0,
        le=1.0,
    )
    free_markup_relax: float = field(
        "1/day",
        "share of the free part's markup over cost given up a day (it falls back when queues end)",
        ge=0.0,
        le=1.0,
    )
    controlled_food: float = field("share", "share of food sales at controlled official prices", **SHARE)
    controlled_manufactures: float = field(
        "share", "share of manufactured consumer goods sales at controlled official prices", **SHARE
    )
    goods_share_of_purchases: float = field(
        "share", "share of public purchases that are industrial goods (the rest private services)", **SHARE
    )
    price_review_days: float = field("days", "days between routine price reviews", ge=1.0, le=365.0)
    price_catch_up_freeze: float = field(
        "share of the cost gap",
        "share of the cost gap a routine review closes under Vuskovic's price freeze",
        ge=0.0,
        le=1.0,
    )
    price_freeze_end: Date = field(
        "date", "end of the price freeze: Vuskovic leaves the economy ministry (source: VUSK)"
    )
    price_catch_up_after: float = field(
        "share of the cost gap", "share of the cost gap a routine review closes after the freeze", ge=0.0, le=1.0
    )
    price_decrees: list[PriceDecree] = field("-", "dated general price adjustments")
    labour_cost_share: float = field("share", "wages in unit cost", **SHARE)
    import_cost_share: float = field("share", "imported inputs in unit cost", **SHARE)
    outside_quota_share: float = field(
        "share", "share of imported inputs missing from the quota that firms buy with parallel dollars", **SHARE
    )
    spending_growth: float = field("1/year", "real growth of public spending under the UP programme", ge=-0.5, le=1.0)
    public_employment_growth: float = field(
        "1/year", "growth of public employment (the employment programme)", ge=-0.5, le=1.0
    )
    tax_lag_days: float = field(
        "days", "lag between income and tax collection at low inflation (the Tanzi effect)", ge=0.0, le=365.0
    )
    tax_delay: float = field(
        "lag per unit of expected inflation",
        "lengthening of the collection lag per unit of expected annual inflation (unindexed penalties)",
        ge=0.0,
        le=2.0,
    )
    subsidy_share: float = field("share of official sales", "subsidy to state distribution of goods", **SHARE)
    stance_before_conciliation: Stance = field("stance", "stance toward Popular Power before the military cabinet")
    conciliation_date: Date = field("date", "military cabinet: Prats at Interior (source: Moulian)")
    stance_after_conciliation: Stance = field("stance", "stance after the conciliation date")
    stances: Stances = field("-", "what each stance does")
    rationing: Date = field("date", "rationing of 32 items announced (source: UCH p198)")
    rationing_supply_boost: float = field(
        "share", "extra direct supply share to JAP neighbourhoods after rationing", **SHARE
    )

    @model_validator(mode="after")
    def _costs(self) -> Government:
        if self.labour_cost_share + self.import_cost_share > 1.0:
            raise ValueError("labour_cost_share + import_cost_share must be at most 1")
        return self


class CopperPrice(Section):
    """A year's average copper price."""

    year: int = field("year", "calendar year", ge=1970, le=1976)
    cents_per_lb: float = field("US cents/lb", "annual average price", gt=0.0)


class ExchangeRate(Section):
    """An official exchange rate in force from a date on."""

    date: Date = field("date", "first day the rate applies")
    escudos_per_dollar: float = field("E°/US$", "official rate", gt=0.0)


class PrivateInflow(Switchable):
    """Dollars reaching residents outside official channels."""

    usd_per_year: float = field("US$m/year", "tourism and remittances reaching residents", ge=0.0)


class External(Switchable):
    """Copper exports, the credit blockade and reserves limiting imports."""

    reserves_1970: float = field("US$m", "net international reserves at day 0 (source: UCH p20)")
    copper_exports_1970: float = field("US$m/year", "copper export value, 1970 (source: UCH Table 2)", ge=0.0)
    copper_returned_value: float = field(
        "share",
        "share of copper proceeds returned to Chile before nationalisation (the rest remitted as profit)",
        **SHARE,
    )
    other_exports_1970: float = field("US$m/year", "non-copper exports, 1970 (source: UCH Table 2)", ge=0.0)
    food_imports_1970: float = field("US$m/year", "food imports, 1970 (source: UCH)", ge=0.0)
    input_imports_1970: float = field("US$m/year", "imported industrial inputs, 1970", ge=0.0)
    capital_imports_1970: float = field("US$m/year", "imported capital goods, 1970", ge=0.0)
    copper_price: list[CopperPrice] = field("-", "annual average copper price (source: VUSK; CIA)")
    exchange_rate: list[ExchangeRate] = field("-", "official exchange rate steps (source: WB annual averages)")
    credit_1970: float = field("US$m/year", "new credit from the United States and multilateral lenders, 1970", ge=0.0)
    credit_cut: Date = field("date", "credit cut: the 'invisible blockade'")
    credit_after_cut: float = field("US$m/year", "new credit from those lenders after the cut", ge=0.0)
    other_credit: float = field(
        "US$m/year", "credits from other sources (socialist and Latin American lenders)", ge=0.0
    )
    other_credit_from: Date = field("date", "first day of the other credits")
    debt_service: float = field("US$m/year", "debt service paid in dollars", ge=0.0)
    debt_moratorium: Date = field("date", "moratorium on debt service declared")
    debt_service_after_moratorium: float = field("US$m/year", "debt service paid after the moratorium", ge=0.0)
    drawdown_rate: float = field("1/day", "share of positive net reserves spendable on imports a day", ge=0.0, le=1.0)
    short_term_credit: float = field(
        "US$m/year",
        "short-term credit (suppliers' credit, bank lines, arrears) lenders would extend at no short-term debt",
        ge=0.0,
    )
    short_term_debt_half: float = field(
        "US$m", "net short-term debt (net reserves below zero) at which lenders' willingness halves", gt=0.0
    )
    short_term_interest: float = field("1/year", "base interest on net reserves below zero", ge=0.0, le=1.0)
    short_term_spread: float = field(
        "1/year", "spread added to that interest per short_term_debt_half of debt", ge=0.0, le=1.0
    )
    under_invoicing: float = field(
        "share", "most of non-copper exports under-invoiced when the parallel premium is high", **SHARE
    )
    under_invoicing_half: float = field("premium", "parallel premium at which half that share is hidden", gt=0.0)
    food_gap_floor: float = field("x 1970", "lowest domestic food gap that sets food imports", ge=0.0, le=1.0)
    food_gap_days: float = field(
        "days", "window over which farm output is averaged to judge the food gap (a harvest year)", ge=1.0, le=730.0
    )
    food_import_elasticity: float = field("-", "elasticity of food imports to the domestic food gap", ge=0.0, le=5.0)
    private_inflow: PrivateInflow = field("-", "tourism and remittances")

    @model_validator(mode="after")
    def _paths(self) -> External:
        if 1970 not in {c.year for c in self.copper_price}:
            raise ValueError("copper_price must give the 1970 price, the base of the path")
        if not self.exchange_rate or min(r.date for r in self.exchange_rate) != PERIOD_START:
            raise ValueError(f"exchange_rate must give the rate in force on {PERIOD_START}")
        return self


class PoliticalEvent(Section):
    """A dated political event and its effect on militancy and owners' expectations."""

    name: str = field("-", "short name, shown in the event log and figures")
    date: Date = field("date", "the day")
    militancy_jump: float = field("units", "militancy gained by every firm's workers", ge=-10.0, le=10.0)
    risk_jump: float = field("risk", "owners' expected expropriation risk gained", ge=-1.0, le=1.0)
    source: str = field("-", "where the date comes from")


class Politics(Switchable):
    """Elections and dated events that shift militancy, expectations and stance; the political indicators."""

    events: list[PoliticalEvent] = field("-", "dated events")
    risk_decay: float = field("1/day", "decay of the political part of expected risk", ge=0.0, le=1.0)
    stance_timing: Timing = field(
        "-", "historical: the stance turns on government.conciliation_date; endogenous: when the pressure decides"
    )
    strike_pressure: float = field(
        "index per month", "pressure to turn added per month an owners' strike has run", ge=0.0, le=10.0
    )
    resistance_weight: float = field(
        "index per share", "pressure to turn taken off per unit of organised workers' strength", ge=0.0, le=10.0
    )
    turn_threshold: float = field("index", "pressure above which the government may turn", ge=-10.0, le=10.0)
    turn_rate: float = field(
        "1/day per index", "hazard of the turn per unit of pressure above the threshold", ge=0.0, le=10.0
    )
    support_1970: float = field("share", "middle classes' support for the government on day 0", gt=0.0, lt=1.0)
    support_inflation_weight: float = field(
        "logit per log point",
        "support lost per log point of expected effective inflation above day 0's",
        ge=0.0,
        le=20.0,
    )
    support_shortage_weight: float = field(
        "logit per shortage", "support lost per unit of middle-class neighbourhoods' shortage rate", ge=0.0, le=20.0
    )
    support_queue_weight: float = field(
        "logit per share", "support lost per unit of the share of goods bought on the black market", ge=0.0, le=20.0
    )
    support_days: float = field("days", "time support takes to follow what households live", ge=1.0, le=720.0)


class Accounting(Section):
    """Tolerances for the daily identity checks."""

    tolerance: float = field("relative", "largest relative error an identity may show", gt=0.0, le=1e-3)


class Params(Section):
    """The whole parameter tree."""

    def __repr__(self) -> str:
        """The period, the scale and the mechanisms switched off (the full tree is ``model_dump()``)."""
        off = [name for name in type(self).model_fields if getattr(getattr(self, name), "enabled", True) is False]
        return f"Params({self.run.start}..{self.run.end}, scale {self.run.scale}, off: {', '.join(off) or 'none'})"

    __str__ = __repr__

    run: RunSection = field("-", "period and scale")
    economy_1970: Economy1970 = field("-", "the base year")
    households: Households = field("-", "households")
    production: Production = field("-", "production")
    agriculture: Agriculture = field("-", "agriculture")
    capital_flight: CapitalFlight = field("-", "capital flight")
    hoarding: Hoarding = field("-", "hoarding")
    commerce_strikes: CommerceStrikes = field("-", "traders' strikes")
    transport: Transport = field("-", "trucks")
    october_strike: TruckerStrike = field("-", "the October 1972 strike (source: QP; ESW)")
    july_1973_strike: TruckerStrike = field("-", "the July 1973 strike (source: T73)")
    strikes: Offensive = field("-", "the owners' offensive: dated or decided")
    popular_power: PopularPower = field("-", "JAPs and cordones")
    nationalisation: Nationalisation = field("-", "nationalisation")
    government: Government = field("-", "government")
    external: External = field("-", "external sector")
    politics: Politics = field("-", "political events")
    accounting: Accounting = field("-", "identity checks")
