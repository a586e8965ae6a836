"""A user's own ``model.py`` or ``experiments`` package does not change what ``import viachilena`` loads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import viachilena

PACKAGE = Path(viachilena.__file__).resolve().parent
PROBE = """
import sys
import viachilena as vc
from viachilena import experiments, model
params = vc.load_params()
print(model.__file__)
print(experiments.__file__)
print("model" in sys.modules, "experiments" in sys.modules)
print(sorted(m for m in ("dask", "distributed", "matplotlib") if m in sys.modules))
"""


def test_a_model_py_and_an_experiments_package_in_the_working_directory_are_not_imported(tmp_path):
    (tmp_path / "model.py").write_text("raise ImportError('the user model.py was imported')\n")
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "__init__.py").write_text("raise ImportError('the user experiments was imported')\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    model_file, experiments_file, shadowed, heavy = done.stdout.splitlines()
    assert Path(model_file).resolve() == Path(viachilena.model.__file__).resolve()
    assert Path(experiments_file).resolve() == Path(viachilena.experiments.__file__).resolve()
    assert shadowed == "False False"
    assert heavy == "[]"  # Dask only with a Dask option, matplotlib only for a report
    version = subprocess.run(
        [sys.executable, "-m", "viachilena", "--version"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert version.returncode == 0 and version.stdout.strip() == f"viachilena {viachilena.__version__}"
