"""Does a compiled kernel earn its dependency? The core of ``markets.goods`` in numpy and in numba.

The kernel is the daily clearing of the two goods in every neighbourhood as
:func:`model.markets.goods` does it: spending out of smoothed income and balances, sales through
the JAPs and the open shelves, the state-owned part of each sale, and what each neighbourhood
pays the treasury and capitalists. Both versions run on the same synthetic arrays (2 goods x 200
neighbourhoods); the script prints whether each output is bit-identical, the microseconds a call
takes (best of 7 batches of 1,000), the time numba takes to compile the kernel on its first call,
and the saving that implies for a baseline run of ``--days`` days. The element-wise arithmetic is
the same in both; numpy sums with pairwise summation and numba in sequence, so any sum over the
neighbourhoods moves the last digits. Needs numba (not a dependency of the project: install it to
run this).

    python benchmarks/numba_kernel.py [--days 1043]
"""

from __future__ import annotations

import time

import numba
import numpy as np
from common import emit, parse_options

BENCHMARK = "numba_kernel"
NEIGHBOURHOODS = 200
OUTPUTS = ("paid_to_treasury", "paid_to_capitalists", "wanted_by_good", "unmet_by_good", "state_sold")


def _sell(quantity, stock, owned_by_state):
    share = np.divide(owned_by_state, stock, out=np.zeros_like(stock), where=stock > 0)
    state = np.minimum(quantity * share, owned_by_state)
    owned_by_state -= state
    return state


def clear_numpy(price, weights, income, spending_income, balances, jap, jap_state, shelf, shelf_state, rates):
    """The clearing as model.markets.goods writes it: whole-array numpy operations."""
    open_share, smoothing, propensity, balance_rate = rates
    spending_income += smoothing * (income - spending_income)
    spending = propensity * spending_income + balance_rate * balances
    wanted = weights[:, None] * np.maximum(np.minimum(spending, balances), 0.0)[None, :] / price[:, None]
    from_jap = np.minimum(jap, wanted)
    official = np.minimum(shelf * open_share, wanted - from_jap)
    state = _sell(from_jap, jap, jap_state) + _sell(official, shelf, shelf_state)
    jap -= from_jap
    shelf -= official
    got = from_jap + official
    return (
        (price[:, None] * state).sum(axis=0),
        (price[:, None] * (got - state)).sum(axis=0),
        wanted.sum(axis=1),
        (wanted - got).sum(axis=1),
        float(state.sum()),
    )


@numba.njit
def clear_numba(price, weights, income, spending_income, balances, jap, jap_state, shelf, shelf_state, rates):
    """The same clearing as one compiled loop over neighbourhoods and goods."""
    open_share, smoothing, propensity, balance_rate = rates
    n = balances.shape[0]
    treasury, capitalists = np.zeros(n), np.zeros(n)
    wanted_by_good, unmet_by_good = np.zeros(2), np.zeros(2)
    state_sold = 0.0
    for j in range(n):
        spending_income[j] += smoothing * (income[j] - spending_income[j])
        spend = max(min(propensity * spending_income[j] + balance_rate * balances[j], balances[j]), 0.0)
        for g in range(2):
            wanted = weights[g] * spend / price[g]
            from_jap = min(jap[g, j], wanted)
            official = min(shelf[g, j] * open_share, wanted - from_jap)
            from_jap_state = min(from_jap * (jap_state[g, j] / jap[g, j]), jap_state[g, j]) if jap[g, j] > 0 else 0.0
            shelf_state_sold = (
                min(official * (shelf_state[g, j] / shelf[g, j]), shelf_state[g, j]) if shelf[g, j] > 0 else 0.0
            )
            jap_state[g, j] -= from_jap_state
            shelf_state[g, j] -= shelf_state_sold
            jap[g, j] -= from_jap
            shelf[g, j] -= official
            state, got = from_jap_state + shelf_state_sold, from_jap + official
            treasury[j] += price[g] * state
            capitalists[j] += price[g] * (got - state)
            wanted_by_good[g] += wanted
            unmet_by_good[g] += wanted - got
            state_sold += state
    return treasury, capitalists, wanted_by_good, unmet_by_good, state_sold


def inputs() -> tuple:
    """A fresh set of synthetic arrays (the kernel changes its stocks in place)."""
    rng = np.random.default_rng(2)
    shape = (2, NEIGHBOURHOODS)
    shelf, jap = rng.random(shape), rng.random(shape) * (rng.random(shape) < 0.5)
    income, spending_income, balances = (
        rng.random(NEIGHBOURHOODS),
        rng.random(NEIGHBOURHOODS),
        rng.random(NEIGHBOURHOODS),
    )
    rates = (0.9, 0.05, 0.8, 0.02)
    return (
        np.array([1.3, 1.7]),
        np.array([0.45, 0.55]),
        income,
        spending_income,
        3 * balances,
        jap,
        0.3 * jap,
        shelf,
        0.2 * shelf,
        rates,
    )


def microseconds(kernel) -> float:
    """Best of 7 batches of 1,000 calls, microseconds a call."""
    best = float("inf")
    for _ in range(7):
        args = inputs()
        start = time.perf_counter()
        for _ in range(1000):
            kernel(*args)
        best = min(best, (time.perf_counter() - start) / 1000 * 1e6)
    return best


def main() -> None:
    args = parse_options(__doc__, {"--days": (1043, "days of a baseline run (default 1043)")})
    start = time.perf_counter()
    compiled = clear_numba(*inputs())
    compile_s = time.perf_counter() - start
    reference = clear_numpy(*inputs())
    identical = {name: bool(np.array_equal(a, b)) for name, a, b in zip(OUTPUTS, reference, compiled, strict=True)}
    numpy_us, numba_us = microseconds(clear_numpy), microseconds(clear_numba)
    saving_s = (numpy_us - numba_us) * args.days / 1e6
    emit(BENCHMARK, "bit_identical", **identical)
    emit(BENCHMARK, "kernel", numpy_us=numpy_us, numba_us=numba_us, compile_s=compile_s, run_saving_s=saving_s)
    differ = [name for name, same in identical.items() if not same] or ["none"]
    print(
        f"numpy {numpy_us:.1f} us, numba {numba_us:.1f} us a call "
        f"({saving_s * 1000:.0f} ms saved over {args.days} days); "
        f"numba compiles in {compile_s:.2f} s; outputs that differ in the last digits: {', '.join(differ)}"
    )


if __name__ == "__main__":
    main()
