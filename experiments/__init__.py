"""Experiments at scale: scenarios, sweeps and replications of the model, run and stored.

``experiments.run("experiments/october_1972.toml")`` runs an experiment file and returns
its :class:`Results`; ``viachilena run`` is the same from the command line.
"""

from viachilena.experiments.results import Results
from viachilena.experiments.runner import run
from viachilena.experiments.spec import Experiment, load_experiment

__all__ = ["Experiment", "Results", "load_experiment", "run"]
