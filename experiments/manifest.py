"""What an experiment folder records about how it was made.

The manifest names the experiment as resolved (every scenario's full parameters), the
sha256 of every input file, the git commit of the code, package versions, host, Python,
the executor, timestamps and counts. Its ``spec_hash`` fingerprints everything that
decides the runs' results, so a changed experiment is never mixed with old results.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import platform
import subprocess
import sys
from pathlib import Path

from viachilena.experiments.spec import Experiment
from viachilena.experiments.store import sha256_file

PACKAGES = ("viachilena", "simpy", "numpy", "scipy", "pandas", "pyarrow", "pydantic", "SALib", "dask", "distributed")
FORMAT = 1


def spec_hash(experiment: Experiment, simulate: str) -> str:
    """Fingerprint what decides the results: not names, descriptions or file locations."""
    described = experiment.describe()
    decisive = {
        key: described[key] for key in ("seed", "replications", "reference", "metrics", "series", "end", "sweep")
    }
    decisive["scenarios"] = list(described["scenarios"])
    decisive["scenario_params"] = experiment.scenario_params
    decisive["simulate"] = simulate
    canonical = json.dumps(decisive, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def new_manifest(experiment: Experiment, simulate: str, executor: str, previous: dict | None) -> dict:
    """Return the manifest of a run starting now (keeping the first start of a resumed one)."""
    now = _now()
    return {
        "tool": "viachilena",
        "format": FORMAT,
        "spec_hash": spec_hash(experiment, simulate),
        "experiment": experiment.describe(),
        "scenario_params": experiment.scenario_params,
        "simulate": simulate,
        "inputs": {str(p): sha256_file(p) for p in experiment.inputs()},
        **git_state(Path(__file__).resolve().parent.parent),
        "packages": package_versions(),
        "host": platform.node(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "executor": executor,
        "started": (previous or {}).get("started", now),
        "session_started": now,
        "finished": None,
        "counts": None,
    }


def finish_manifest(manifest: dict, counts: dict[str, int]) -> dict:
    """Return `manifest` stamped as finished with the run counts."""
    return {**manifest, "finished": _now(), "counts": counts}


def git_state(folder: Path) -> dict:
    """Return the commit checked out in `folder` and whether tracked files have changed.

    Both are None when `folder` is not in a git checkout or git is not installed.
    """

    def git(*args: str) -> str:
        return subprocess.run(
            ("git", *args), cwd=folder, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()

    try:
        return {
            "git_commit": git("rev-parse", "HEAD"),
            "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        }
    except (OSError, subprocess.SubprocessError):
        return {"git_commit": None, "git_dirty": None}


def package_versions() -> dict[str, str | None]:
    """Return the installed version of each package the results depend on."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _now() -> str:
    """Return the current UTC time as an ISO 8601 string."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
