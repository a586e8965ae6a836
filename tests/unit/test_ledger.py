"""The accounting checks fail loudly, naming the day and the stock."""

from __future__ import annotations

import numpy as np
import pytest

from viachilena.model.errors import AccountingError
from viachilena.model.ledger import Ledger


def make_ledger():
    return Ledger(np.array([10.0, 20.0]), 30.0, {"reserves": 300.0, "private_dollars": 50.0}, 100.0, 1e-9)


def test_balanced_postings_close():
    led = make_ledger()
    led.pay("capitalists", "treasury", 5.0, "taxes")
    led.pay_households("treasury", np.array([1.0, 2.0]), "wages")
    led.households_pay("capitalists", np.array([0.5, 0.5]), "goods")
    led.move_dollars("rest_of_world", "reserves", 3.0, "exports")
    led.goods_flow("produced", 4.0)
    led.check(3, "1970-11-07", 104.0, 0.0)
    assert led.money_stock == pytest.approx(10 + 20 + 30 - 5 + 3)


def test_one_sided_escudo_change_is_caught():
    led = make_ledger()
    led.escudos["treasury"] += 1.0
    with pytest.raises(AccountingError) as err:
        led.check(12, "1970-11-16", 100.0, 0.0)
    assert err.value.stock == "escudos" and err.value.day == 12


def test_goods_that_vanish_are_caught():
    led = make_ledger()
    led.goods_flow("produced", 4.0)
    with pytest.raises(AccountingError) as err:
        led.check(5, "1970-11-09", 100.0, 0.0)
    assert err.value.stock == "goods"
    assert "1970-11-09" in str(err.value)


def test_reserve_flow_must_be_named():
    led = make_ledger()
    with pytest.raises(ValueError):
        led.move_dollars("rest_of_world", "reserves", 1.0)
    led.dollars["reserves"] += 1.0
    led.dollars["rest_of_world"] -= 1.0
    with pytest.raises(AccountingError) as err:
        led.check(0, "1970-11-04", 100.0, 0.0)
    assert err.value.stock == "reserves"


def test_every_payment_names_what_it_pays_for():
    led = make_ledger()
    with pytest.raises(ValueError):
        led.pay("treasury", "capitalists", 1.0, "nothing in particular")
    led.pay("treasury", "capitalists", 2.0, "producer_goods")
    led.pay("treasury", "capitalists", 1.0, "services")
    assert led.flow("treasury", "capitalists") == 3.0
    assert led.flow("treasury", None, "services") == 1.0
    led.new_day()
    assert led.flow(None, None) == 0.0


def test_state_goods_that_vanish_are_caught():
    led = make_ledger()
    led.state_goods_flow("made", 2.0)
    led.state_goods_flow("sold", 0.5)
    led.check(1, "1970-11-05", 100.0, 1.5)
    with pytest.raises(AccountingError) as err:
        led.check(2, "1970-11-06", 100.0, 1.0)
    assert err.value.stock == "state-owned goods"
