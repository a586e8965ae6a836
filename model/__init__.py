"""viachilena's model: Chile's economy from November 1970 to September 1973 as SimPy processes.

The public names: :func:`simulate` runs one simulation, :func:`load_params` reads and validates
a parameter file with overlays and overrides, :class:`Params` is the parameter tree and
:class:`Run` a run's result (daily ``series``, ``events``, ``summary`` metrics).
"""

from viachilena.model.errors import AccountingError, DegenerateEconomyError, ParamError, ViaChilenaError
from viachilena.model.loading import load_params, parse_override
from viachilena.model.params import Params
from viachilena.model.record import SERIES_COLUMNS, SERIES_UNITS
from viachilena.model.run import Run, simulate
from viachilena.model.summary import METRIC_UNITS, SUMMARY_METRICS

__all__ = [
    "METRIC_UNITS",
    "SERIES_COLUMNS",
    "SERIES_UNITS",
    "SUMMARY_METRICS",
    "AccountingError",
    "DegenerateEconomyError",
    "ParamError",
    "Params",
    "Run",
    "ViaChilenaError",
    "load_params",
    "parse_override",
    "simulate",
]
