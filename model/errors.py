"""Errors the model raises: bad input and broken accounting.

Every error names where it happened, so the command line can print one line and exit 2
(bad input) without a traceback.
"""

from __future__ import annotations


class ViaChilenaError(Exception):
    """Base of every error this package raises on purpose.

    Subclasses pass their fields to ``Exception.__init__``, so that an error can be rebuilt as
    ``type(e)(*e.args)`` (SimPy does this when a process fails) and pickled across processes;
    ``str(e)`` is the one-line message.
    """

    def __str__(self) -> str:
        return self.message()

    def message(self) -> str:
        """The one-line message."""
        return " ".join(str(a) for a in self.args)


class ParamError(ViaChilenaError):
    """A parameter or experiment file, or an override, that cannot be used.

    ``file`` is the path of the offending file (or ``"--set"`` for a command-line override),
    ``key`` the dotted key (``"hoarding.propensity"``; empty when the file as a whole is bad),
    ``expected`` what would have been accepted.
    """

    def __init__(self, file: str, key: str, expected: str):
        self.file, self.key, self.expected = str(file), key, expected
        super().__init__(self.file, key, expected)

    def message(self) -> str:  # noqa: D102
        where = f"{self.file}: {self.key}: " if self.key else f"{self.file}: "
        return where + self.expected


class AccountingError(ViaChilenaError):
    """A stock-flow identity that did not close on a simulated day."""

    def __init__(self, day: int, date: str, stock: str, detail: str):
        self.day, self.date, self.stock, self.detail = day, date, stock, detail
        super().__init__(day, date, stock, detail)

    def message(self) -> str:  # noqa: D102
        return f"day {self.day} ({self.date}): {self.stock} identity does not close: {self.detail}"


class DegenerateEconomyError(ViaChilenaError):
    """A valid parameter set that drove the economy to a state the model cannot continue from."""

    def __init__(self, day: int, date: str, mechanism: str, quantity: str, value: float):
        self.day, self.date = day, date
        self.mechanism, self.quantity, self.value = mechanism, quantity, float(value)
        super().__init__(day, date, mechanism, quantity, value)

    def message(self) -> str:  # noqa: D102
        return (
            f"day {self.day} ({self.date}): {self.mechanism}: {self.quantity} became {self.value!r}; "
            "the parameters drive the economy to a degenerate state"
        )
