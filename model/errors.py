"""Errors the model raises: bad input and broken accounting.

Every error names where it happened, so the command line can print one line and exit 2
(bad input) without a traceback.
"""

from __future__ import annotations


class ViaChilenaError(Exception):
    """Base of every error this package raises on purpose."""


class ParamError(ViaChilenaError):
    """A parameter or experiment file, or an override, that cannot be used.

    ``file`` is the path of the offending file (or ``"--set"`` for a command-line override),
    ``key`` the dotted key (``"hoarding.propensity"``; empty when the file as a whole is bad),
    ``expected`` what would have been accepted.
    """

    def __init__(self, file: str, key: str, expected: str):
        self.file = str(file)
        self.key = key
        self.expected = expected
        where = f"{self.file}: {key}: " if key else f"{self.file}: "
        super().__init__(where + expected)


class AccountingError(ViaChilenaError):
    """A stock-flow identity that did not close on a simulated day."""

    def __init__(self, day: int, date: str, stock: str, detail: str):
        self.day, self.date, self.stock, self.detail = day, date, stock, detail
        super().__init__(f"day {day} ({date}): {stock} identity does not close: {detail}")


class DegenerateEconomyError(ViaChilenaError):
    """A valid parameter set that drove the economy to a state the model cannot continue from."""

    def __init__(self, day: int, date: str, mechanism: str, quantity: str, value: float):
        self.day, self.date = day, date
        self.mechanism, self.quantity, self.value = mechanism, quantity, value
        super().__init__(
            f"day {day} ({date}): {mechanism}: {quantity} became {value!r}; "
            "the parameters drive the economy to a degenerate state"
        )
