"""The wheel, installed into a fresh virtual environment, runs from an empty folder.

Built from a copy of the sources (so the build leaves nothing in the repository), installed
with its dependencies by pip as a user would (without the Dask extra), then used from a folder
holding nothing: ``init``, ``simulate``, ``run`` on a shipped experiment, ``report`` with its
validation against the shipped record.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pandas as pd
import pytest

from viachilena.experiments.results import History

REPO = Path(__file__).resolve().parents[2]
NOT_SOURCES = (".git", ".venv", "build", "dist", "reports", "*.egg-info", ".*_cache", ".hypothesis", "__pycache__")


def call(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 240) -> subprocess.CompletedProcess:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A fresh virtual environment with the wheel installed; its bin folder and environment."""
    root = tmp_path_factory.mktemp("wheel")
    sources = root / "sources"
    shutil.copytree(REPO, sources, ignore=shutil.ignore_patterns(*NOT_SOURCES))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    call([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(root / "dist"), str(sources)], root, env)
    (wheel,) = (root / "dist").glob("viachilena-*.whl")
    venv.create(root / "venv", with_pip=False)  # this pip installs into it: no ensurepip, no bytecode (time)
    bin_dir = root / "venv" / "bin"
    install = [sys.executable, "-m", "pip", "--python", str(bin_dir / "python"), "install", "-q", "--no-compile"]
    call([*install, str(wheel)], root, env, timeout=600)
    return bin_dir, {**env, "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"}


@pytest.mark.slow
def test_the_installed_wheel_inits_simulates_runs_and_reports_from_an_empty_folder(installed, tmp_path):
    bin_dir, env = installed
    here = tmp_path / "empty"
    here.mkdir()
    where = call([str(bin_dir / "python"), "-c", "import viachilena; print(viachilena.__file__)"], here, env).stdout
    assert Path(where.strip()).is_relative_to(bin_dir.parent)
    site = Path(where.strip()).parents[1]
    assert not (site / "model").exists() and not (site / "experiments").exists()
    version = call(["viachilena", "--version"], here, env).stdout
    assert version.strip() == call([str(bin_dir / "python"), "-m", "viachilena", "--version"], here, env).stdout.strip()

    call(["viachilena", "init", "mine"], here, env)
    assert (here / "mine" / "params" / "baseline.toml").is_file()
    assert (here / "mine" / "experiments" / "october_1972.toml").is_file()

    simulated = call(["viachilena", "simulate", "--seed", "3", "--out", "sim"], here, env).stdout
    assert "seed 3" in simulated and (here / "sim" / "series.parquet").is_file()

    call(["viachilena", "run", "october_1972", "--replications", "2", "--out", "oct", "--no-report"], here, env)
    reported = call(["viachilena", "report", "oct"], here, env).stdout
    assert "report" in reported
    assert "Validation against the historical record" in (here / "oct" / "report.html").read_text()
    (validation,) = (here / "oct" / "tables").glob("*-validation.csv")
    assert set(pd.read_csv(validation)["metric"]) == set(History.load().targets)  # the shipped record was found

    dask_run = ["viachilena", "run", "history", "--dask-local", "--out", "d"]
    dask = subprocess.run(dask_run, cwd=here, env=env, capture_output=True, text=True)
    assert dask.returncode == 2 and "pip install 'viachilena[dask]'" in dask.stderr
    assert dask.stderr.count("\n") == 1 and not (here / "d").exists()
