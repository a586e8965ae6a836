"""Double-entry accounting in escudos, dollars and goods, with the daily identity checks.

Stock-flow consistency after Godley and Lavoie (*Monetary Economics*, 2007) and the balance-sheet
checks of sfctools: every payment leaves one balance sheet and enters another, so the escudo
balances of households, capitalists, the treasury and the central bank sum to zero, and every
payment names what it pays for (``PURPOSES``), so a day's flows can be read as a flow matrix:
who paid whom, for what. Dollars move
between reserves, capitalists' holdings abroad, residents' dollars (offered on the parallel
market), the dollars households bought to hold and the rest of the world,
and the change in reserves equals exports - imports - official capital flight + net credit -
debt service; goods produced and imported equal goods consumed, exported and absorbed plus the
change in every stock; goods the state owns (made by the APS, imported by the state) are tracked
apart through every stock, so the treasury's sales revenue can be checked against the state's
goods sold. :meth:`Ledger.check` runs at the end of every simulated day and raises
:class:`model.errors.AccountingError` naming the day and the stock that does not close.
"""

from __future__ import annotations

import math

import numpy as np

from viachilena.model.arrays import sum_of
from viachilena.model.errors import AccountingError

ESCUDO_ACCOUNTS = ("capitalists", "treasury", "central_bank")
DOLLAR_ACCOUNTS = ("reserves", "capitalists_abroad", "private_dollars", "households_dollars", "rest_of_world")
RESERVE_FLOWS = ("exports", "imports", "official_flight", "credit", "debt_service")
GOODS_IN = ("produced", "imported")
GOODS_OUT = ("consumed", "exported", "absorbed")
STATE_GOODS_IN = ("made", "imported")
STATE_GOODS_OUT = ("sold",)
PURPOSES = (
    "goods",  # consumer goods bought at official prices (shops, JAPs, hoarders buying stock)
    "black_market",  # goods bought on the black market
    "services",  # private services bought
    "producer_goods",  # capital and intermediate goods bought from industry
    "wages",
    "dividends",  # profits distributed to their owners
    "taxes",
    "subsidies",  # price subsidies on goods sold at official prices
    "imports",  # escudos paid to the central bank for the dollars of an import of food or inputs
    "capital_goods",  # escudos paid to the central bank for the dollars of an imported capital good
    "exports",  # escudos paid by the central bank for the dollars of an export
    "dollars",  # dollars bought or sold for escudos outside trade (flight, the parallel market)
    "firms",  # shares of firms bought by CORFO
    "interest",  # interest on short-term foreign debt, paid by the treasury
)
_PURPOSE_SET = frozenset(PURPOSES)


class Ledger:
    """Balances and cumulative flows; the only place money and dollars change hands."""

    def __init__(
        self,
        households: np.ndarray,
        capitalists: float,
        dollars: dict[str, float],
        goods_stock: float,
        tolerance: float,
    ):
        self.households = households.astype(float)
        self.escudos = {"capitalists": float(capitalists), "treasury": 0.0}
        self.escudos["central_bank"] = -(sum_of(self.households) + capitalists)
        self.dollars = {name: float(dollars.get(name, 0.0)) for name in DOLLAR_ACCOUNTS}
        self.dollars["rest_of_world"] = -sum(v for k, v in self.dollars.items() if k != "rest_of_world")
        self.reserves_start = self.dollars["reserves"]
        self.reserve_flows = dict.fromkeys(RESERVE_FLOWS, 0.0)
        self.goods = dict.fromkeys(GOODS_IN + GOODS_OUT, 0.0)
        self.goods_stock_start = goods_stock
        self.tolerance = tolerance
        self.treasury_spent = 0.0
        self.treasury_received = 0.0
        self.today: dict[tuple[str, str, str], float] = {}
        self.state_goods = dict.fromkeys(STATE_GOODS_IN + STATE_GOODS_OUT, 0.0)
        self.state_goods_start = 0.0

    # -- escudos
    def pay(self, payer: str, payee: str, amount: float, purpose: str) -> None:
        """Move escudos between two sector accounts, for the goods or service `purpose` names."""
        self.escudos[payer] -= amount
        self.escudos[payee] += amount
        self._track(payer, payee, amount, purpose)

    def pay_households(self, payer: str, amounts: np.ndarray, purpose: str) -> None:
        """A sector pays each neighbourhood's households."""
        total = float(sum_of(amounts))
        self.escudos[payer] -= total
        self.households += amounts
        self._track(payer, "households", total, purpose)

    def households_pay(self, payee: str, amounts: np.ndarray, purpose: str) -> None:
        """Each neighbourhood's households pay a sector."""
        total = float(sum_of(amounts))
        self.households -= amounts
        self.escudos[payee] += total
        self._track("households", payee, total, purpose)

    def households_transfer(self, paid: np.ndarray, received: np.ndarray, purpose: str) -> None:
        """Neighbourhoods' households pay each other: `paid` leaves each, `received` enters each (equal totals)."""
        self.households += received - paid
        self._track("households", "households", float(sum_of(paid)), purpose)

    def _track(self, payer: str, payee: str, amount: float, purpose: str) -> None:
        if purpose not in _PURPOSE_SET:
            raise ValueError(f"a payment must pay for one of {PURPOSES}, not {purpose!r}")
        key = (payer, payee, purpose)
        self.today[key] = self.today.get(key, 0.0) + amount
        if payer == "treasury":
            self.treasury_spent += amount
        if payee == "treasury":
            self.treasury_received += amount

    def flow(self, payer: str | None, payee: str | None, purpose: str | None = None) -> float:
        """Today's payments so far from `payer` to `payee` for `purpose` (None matches any)."""
        return sum(
            v
            for (a, b, what), v in self.today.items()
            if (payer is None or a == payer) and (payee is None or b == payee) and (purpose is None or what == purpose)
        )

    def by_purpose(self, payer: str | None = None, payee: str | None = None) -> dict[str, float]:
        """Today's payments so far from `payer` to `payee` (None matches any), summed by purpose in one pass.

        Each purpose's sum is :meth:`flow`'s for it, added in the same order.
        """
        sums: dict[str, float] = {}
        for (a, b, what), v in self.today.items():
            if (payer is None or a == payer) and (payee is None or b == payee):
                sums[what] = sums.get(what, 0) + v
        return sums

    def new_day(self) -> None:
        """Forget the day's flow matrix (balances and cumulative tallies stay)."""
        self.today = {}

    @property
    def money_stock(self) -> float:
        """Escudos held by the private sector (households and capitalists), E°m."""
        return float(sum_of(self.households)) + self.escudos["capitalists"]

    # -- dollars
    def move_dollars(self, source: str, destination: str, amount: float, flow: str | None = None) -> None:
        """Move dollars; a flow into or out of reserves must name its place in the identity."""
        touches_reserves = "reserves" in (source, destination)
        if touches_reserves != (flow is not None):
            raise ValueError(
                f"a dollar movement {source}->{destination} must name a reserve flow iff it touches reserves"
            )
        self.dollars[source] -= amount
        self.dollars[destination] += amount
        if flow is not None:
            self.reserve_flows[flow] += amount if destination == "reserves" else -amount

    # -- goods
    def goods_flow(self, kind: str, amount: float) -> None:
        """Tally a flow of goods into or out of the economy's stocks (E°m of 1970)."""
        self.goods[kind] += amount

    def state_goods_flow(self, kind: str, amount: float) -> None:
        """Tally goods entering (made by the APS, imported by the state) or leaving (sold) state ownership."""
        self.state_goods[kind] += amount

    # -- checks
    def check(self, day: int, date: str, goods_stock: float, state_goods_stock: float) -> None:
        """Raise :class:`AccountingError` if any identity fails to close today."""
        households = float(sum_of(self.households))
        balances = [*self.escudos.values(), households]
        if not all(map(math.isfinite, balances)):
            raise AccountingError(day, date, "escudos", "a balance is not a finite number")
        size = sum(map(abs, balances))
        self._close(day, date, "escudos", sum(balances), size)
        dollars = list(self.dollars.values())
        self._close(day, date, "dollars", sum(dollars), sum(map(abs, dollars)))
        implied = self.reserves_start + sum(self.reserve_flows.values())
        self._close(day, date, "reserves", self.dollars["reserves"] - implied, abs(implied) + 1.0)
        net = self._net_goods()
        self._close(
            day,
            date,
            "goods",
            goods_stock - self.goods_stock_start - net,
            self.goods_stock_start + sum(self.goods.values()),
        )
        state_net = sum(self.state_goods[k] for k in STATE_GOODS_IN) - self.state_goods["sold"]
        self._close(
            day,
            date,
            "state-owned goods",
            state_goods_stock - self.state_goods_start - state_net,
            self.state_goods_start + sum(self.state_goods.values()) + 1e-12,
        )
        if self.households.min() < -self.tolerance * max(1.0, size):
            worst = int(np.argmin(self.households))
            raise AccountingError(day, date, "escudos", f"households of neighbourhood {worst} hold a negative balance")

    def _net_goods(self) -> float:
        return sum(self.goods[k] for k in GOODS_IN) - sum(self.goods[k] for k in GOODS_OUT)

    def _close(self, day: int, date: str, stock: str, gap: float, size: float) -> None:
        if not math.isfinite(gap) or abs(gap) > self.tolerance * max(1.0, size):
            raise AccountingError(day, date, stock, f"off by {gap:.6g} (tolerance {self.tolerance:g} of {size:.6g})")
