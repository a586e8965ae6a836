"""viachilena: a discrete-event economic model of Chile under the Popular Unity government, 1970-1973.

One namespace holds the model, the experiment system and the shipped data::

    import viachilena as vc

    params = vc.load_params()                  # the calibrated baseline shipped with the package
    run = vc.simulate(params, seed=1)          # one run: daily series, event log, summary metrics
    results = vc.run("october_1972", replications=5, out="reports/quick")   # a shipped experiment

:mod:`viachilena.model` is the economy as SimPy processes; :mod:`viachilena.experiments`
runs experiments at scale and writes reports; :mod:`viachilena.params` holds the shipped
parameter files, scenarios and the historical record.
"""

from importlib.metadata import PackageNotFoundError, version

from viachilena.experiments import Experiment, Results, load_experiment, run
from viachilena.model import Params, Run, load_params, simulate

try:
    __version__ = version("viachilena")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["Experiment", "Params", "Results", "Run", "__version__", "load_experiment", "load_params", "run", "simulate"]
