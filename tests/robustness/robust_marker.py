"""A module a hostile manifest names: importing it leaves a marker file (rerun must never import it)."""

from __future__ import annotations

import os
from pathlib import Path

Path(os.environ.get("VIACHILENA_TEST_MARKER", os.devnull)).write_text("imported")


def simulate(params, seed: int):
    """Never reached by rerun."""
    raise AssertionError("a stored folder chose the code to run")
