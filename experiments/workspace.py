"""``viachilena init DIR``: the shipped parameters and experiments, copied into a folder to edit.

The folder gets the layout of the repository: ``params/`` (the baseline, the historical
record, ``scenarios/`` with the overlays) and ``experiments/`` (the shipped experiment and
calibration files). The experiment files name parameters by stable names (``params =
"baseline"``), which resolve to the ``params/`` folder beside them first, so the copies
use the edited parameters without any change.
"""

from __future__ import annotations

import shutil
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from viachilena.experiments.spec import PARAMS_FOLDER, SHIPPED_EXPERIMENTS
from viachilena.model.errors import ViaChilenaError
from viachilena.model.loading import SCENARIOS, SHIPPED_PACKAGE

EXPERIMENTS_FOLDER = "experiments"


class InitError(ViaChilenaError):
    """A folder ``init`` will not write into."""


def _toml_files(folder: Traversable) -> list[Traversable]:
    """The TOML files directly in a package folder."""
    return sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)


def shipped_files() -> dict[Path, Traversable]:
    """Return {path inside the new folder: shipped file} for every file ``init`` copies."""
    params = resources.files(SHIPPED_PACKAGE)
    layout = {
        Path(PARAMS_FOLDER): params,
        Path(PARAMS_FOLDER) / SCENARIOS: params / SCENARIOS,
        Path(EXPERIMENTS_FOLDER): resources.files(SHIPPED_EXPERIMENTS),
    }
    return {where / f.name: f for where, folder in layout.items() for f in _toml_files(folder)}


def init_folder(directory: Path, force: bool = False) -> list[Path]:
    """Copy the shipped parameters and experiments into `directory`; return the files written.

    `directory` is created if needed. A folder that already holds anything is refused
    (:class:`InitError`) unless `force`, which overwrites the copies of shipped files and
    leaves everything else in the folder as it is.
    """
    if directory.exists() and not directory.is_dir():
        raise InitError(f"{directory} exists and is not a folder")
    if directory.is_dir() and any(directory.iterdir()) and not force:
        raise InitError(f"{directory} is not empty; choose an empty folder, or add --force to overwrite the copies")
    written = []
    for relative, source in shipped_files().items():
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with source.open("rb") as read, target.open("wb") as write:
            shutil.copyfileobj(read, write)
        written.append(target)
    return written
