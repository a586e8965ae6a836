"""The real model, but the first run edits an input file (as a user might while a sweep runs)."""

from __future__ import annotations

import os
from pathlib import Path

from viachilena import model

EDITED = "propensity = 0.55"


def simulate(params, seed: int):
    """Rewrite the overlay named by VIACHILENA_TEST_EDIT (once), then simulate."""
    path = Path(os.environ["VIACHILENA_TEST_EDIT"])
    text = path.read_text()
    if EDITED not in text:
        path.write_text(text.replace("propensity = 0.2", EDITED))
    return model.simulate(params, seed)
