"""Small experiment files on the real baseline parameters, and helpers to compare stores."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "params" / "baseline.toml"
HERE = Path(__file__).resolve().parent
CLI = [sys.executable, "-m", "viachilena"]

SMALL = """\
[experiment]
name = "small"
description = "What do a few short runs of two scenarios look like? (tests)"
params = "{baseline}"
seed = 7
replications = {replications}
reference = "historical"
series = ["gdp", "cpi_official"]
metrics = ["reserves_end_1970", "aps_firms_end", "jap_active_end", "capital_flight_total_usd"]
{extra}

[scenarios.historical]

[scenarios.backed]
set = {{ "government.stance_after_conciliation" = "back" }}

[sweep]
method = "{method}"
samples = {samples}
[sweep.parameters]
"hoarding.propensity" = {{ low = 0.1, high = 0.6 }}
"popular_power.belts" = {{ low = 2, high = 8, type = "int" }}
"""


def small_experiment(
    folder: Path,
    *,
    replications: int = 2,
    samples: int = 2,
    method: str = "lhs",
    extra: str = "end = 1971-03-31",
    name: str = "small.toml",
    replace: tuple[tuple[str, str], ...] = (),
) -> Path:
    """Write the small experiment (optionally with text replaced) and return its path.

    Runs end in March 1971 (about 0.1 s each), so metrics are ones defined by then.
    """
    text = SMALL.format(baseline=BASELINE, replications=replications, samples=samples, method=method, extra=extra)
    for old, new in replace:
        assert old in text, old
        text = text.replace(old, new)
    path = folder / name
    path.write_text(text)
    return path
