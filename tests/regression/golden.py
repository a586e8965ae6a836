"""Golden series: a few key daily series of the baseline at a fixed seed, kept in git.

``python -m tests.regression.golden --update`` rewrites them; that is the only way they change,
so a change in the model's results shows up as a failing regression test until someone decides,
deliberately, that the new results are intended (and says why in the commit).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from viachilena import model

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FILE = HERE / "golden" / "baseline_seed7.csv"
SEED = 7
COLUMNS = [
    "gdp",
    "industrial_output",
    "cpi_official",
    "shortage_rate",
    "money_stock",
    "reserves_usd",
    "aps_firms",
    "jap_active",
    "deliveries",
    "hoarded_stock",
]


def current() -> pd.DataFrame:
    """The golden columns of today's baseline run, sampled weekly."""
    run = model.simulate(model.load_params(ROOT / "params" / "baseline.toml"), SEED)
    return run.series[COLUMNS].iloc[::7]


def stored() -> pd.DataFrame:
    """The golden columns as last written."""
    return pd.read_csv(FILE, index_col="date", parse_dates=["date"]).astype(float)


def main() -> None:
    """Rewrite the golden file (only with --update)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the golden file from the current model")
    if parser.parse_args().update:
        FILE.parent.mkdir(exist_ok=True)
        current().to_csv(FILE, float_format="%.17g")
        print(f"wrote {FILE}")
    else:
        parser.print_help()


if __name__ == "__main__":
    main()
