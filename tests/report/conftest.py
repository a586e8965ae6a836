"""Small stored experiments in the engine's store format (synthetic numbers) and their reports."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from viachilena.experiments.columns import events_table, parameter_column, series_table
from viachilena.experiments.report import build_report
from viachilena.experiments.results import History, Target
from viachilena.experiments.runner import run

BASELINE = Path(__file__).resolve().parents[2] / "params" / "baseline.toml"

DATES = pd.date_range("1970-11-04", "1973-09-11", freq="D", name="date")
SERIES = ("gdp", "cpi_effective", "real_wage", "unemployment_rate")
METRICS = ("gdp_growth_1971", "inflation_1972", "unemployment_end_1971", "reserves_end_1972", "aps_firms_end")


def _series(rng: np.random.Generator, shift: float) -> pd.DataFrame:
    t = np.arange(len(DATES)) / 365.0
    walk = np.cumsum(rng.normal(0, 0.01, (len(DATES), len(SERIES))), axis=0)
    base = np.array([100, 100, 1.0, 0.08])
    trend = np.array([0.05, 0.6, -0.1, -0.01]) * (1 + shift)
    return pd.DataFrame(base * (1 + walk) + np.outer(t, trend), index=DATES, columns=SERIES)


def marked_events(index: int, scenario: str, replication: int) -> list[tuple[str, str, str, str]]:
    """A synthetic run's events (date, kind, agent, detail): a firm's requisition and marks.

    Every run has the municipal election on its day; the first scenario has the October strike on
    the record's dates and the turn with its military cabinet; the others have the strike on dates
    that vary with the replication (a start every 3 days from 1 October 1972, 4 weeks long) and no turn.
    """
    found = [
        ("1970-11-14", "requisition", "firm-1", "synthetic"),
        ("1971-04-04", "political", "municipal election", "militancy +0.1, risk +0 (test)"),
    ]
    if index == 0:
        start, end = pd.Timestamp("1972-10-09"), pd.Timestamp("1972-11-05")
        found += [
            ("1972-11-02", "stance", "government", "stance toward Popular Power: conciliate"),
            ("1972-11-02", "political", "military cabinet", "militancy -0.5, risk -0.05 (the turn to conciliate)"),
        ]
    else:
        start = pd.Timestamp("1972-10-01") + pd.Timedelta(days=3 * replication)
        end = start + pd.Timedelta(days=28)
    found += [(f"{start:%Y-%m-%d}", "strike_start", "october_strike", "100 firms locked out")]
    return found + [(f"{end:%Y-%m-%d}", "strike_end", "october_strike", "900 trucks withdrawn, 0 requisitioned")]


def write_store(
    directory: Path,
    *,
    scenarios=("baseline",),
    replications=3,
    points=None,
    sensitivity=False,
    failures=0,
    reference=None,
    seed=1970,
    events=marked_events,
) -> Path:
    """Write runs.parquet, series/, events/, manifest.json (and sensitivity.parquet).

    `points` is a list of {param: value} dicts (a sweep) or None (one point); `events(scenario
    index, scenario, replication)` gives each run's events as (date, kind, agent, detail).
    """
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "series").mkdir()
    (directory / "events").mkdir()
    points = points or [{}]
    rows, series, stored = [], [], []
    for s_index, scenario in enumerate(scenarios):
        for point, params in enumerate(points):
            for rep in range(replications):
                run_seed = seed + 1000 * point + rep
                run_id = f"s{s_index}-p{point}-r{rep}"
                rng = np.random.default_rng([run_seed, s_index])
                x = sum(float(v) for v in params.values() if not isinstance(v, str))
                shift = 0.3 * s_index + 0.5 * x
                failed = len(rows) < failures
                row = {
                    "run_id": run_id,
                    "scenario": scenario,
                    "point": point,
                    "replication": rep,
                    "seed": run_seed,
                    **{parameter_column(k): v for k, v in params.items()},
                    "status": "failed" if failed else "ok",
                    "error": "DegenerateEconomyError: synthetic" if failed else "",
                    "wall_time_s": 0.1,
                }
                for m_index, metric in enumerate(METRICS):
                    row[metric] = np.nan if failed else ((m_index + 1) * (0.1 + shift) + rng.normal(0, 0.05))
                rows.append(row)
                if not failed:
                    series.append(series_table(run_id, scenario, _series(rng, shift)))
                    logged = pd.DataFrame(events(s_index, scenario, rep), columns=["date", "kind", "agent", "detail"])
                    logged["date"] = pd.to_datetime(logged["date"])
                    stored.append(events_table(run_id, scenario, logged))
    pd.DataFrame(rows).to_parquet(directory / "runs.parquet")
    for kind, tables in (("series", series), ("events", stored)):  # one run a row group
        if tables:
            with pq.ParquetWriter(directory / kind / "part-000001.parquet", tables[0].schema) as writer:
                for table in tables:
                    writer.write_table(table)
    scenario_params = {
        s: {
            "events": {
                "copper_nationalisation": "1971-07-11",
                "strike_oct_1972_start": "1972-10-09" if i == 0 else "1972-06-01",
            },
            "economy": {"wage_readjustment": 0.4 + 0.1 * i},
        }
        for i, s in enumerate(scenarios)
    }
    names = sorted({k for p in points for k in p})
    manifest = {
        "experiment": {
            "name": "synthetic",
            "description": "A synthetic store for report tests.",
            "params": "params/base.toml",
            "seed": seed,
            "replications": replications,
            "reference": reference or scenarios[0],
            "scenarios": {s: {"overlays": [], "set": {}} for s in scenarios},
            "sweep": {
                "method": "saltelli" if sensitivity else "grid",
                "parameters": {n: {"low": 0.0, "high": 1.0} for n in names},
            }
            if names
            else None,
            "metrics": list(METRICS),
            "end": None,
        },
        "scenario_params": scenario_params,
        "inputs": {"params/base.toml": "ab" * 32},
        "git_commit": "0123456789abcdef0123456789abcdef01234567",
        "git_dirty": False,
        "packages": {"pandas": pd.__version__},
        "host": "test",
        "started": "2024-01-01T00:00:00+00:00",
        "finished": "2024-01-01T00:01:00+00:00",
        "counts": {
            "planned": len(rows),
            "stored": len(rows),
            "ok": len(rows) - failures,
            "failed": failures,
            "resumed": 0,
            "executed": len(rows),
        },
    }
    (directory / "manifest.json").write_text(json.dumps(manifest))
    if sensitivity:
        rng = np.random.default_rng(seed)
        indices = [
            {"scenario": s, "metric": m, "parameter": p, "S1": s1, "S1_conf": 0.05, "ST": s1 + 0.1, "ST_conf": 0.06}
            for s in scenarios
            for m in METRICS
            for p, s1 in zip(names, rng.uniform(0, 0.5, len(names)), strict=True)
        ]
        pd.DataFrame(indices).to_parquet(directory / "sensitivity.parquet")
    return directory


# Each kind of experiment the report handles, as arguments to write_store.
KINDS = {
    "replications": {"replications": 4},
    "scenarios": {"scenarios": ("baseline", "<script>alert(1)</script>", "no_strike"), "failures": 1},
    "sweep": {"points": [{"a": a / 4, "b": b} for a in range(5) for b in (1, 2, 3)], "replications": 2},
    "sensitivity": {
        "points": [{"x": i / 12, "y": (i * 5 % 12) / 12, "z": (i * 7 % 12) / 12} for i in range(12)],
        "replications": 1,
        "sensitivity": True,
    },
}

# Tiny real experiments (short horizon) on the baseline parameters: {kind: (method, samples)}.
REAL = {"real_grid": ("grid", 2), "real_saltelli": ("saltelli", 2)}
REAL_EXPERIMENT = """\
[experiment]
name = "{kind}"
description = "A tiny real {method} sweep of two scenarios (report tests)."
params = "{baseline}"
seed = 11
replications = {replications}
reference = "historical"
end = "1971-05-31"
series = ["gdp", "cpi_official", "real_wage"]
metrics = ["gdp_growth_1971", "reserves_end_1970", "aps_firms_end", "jap_active_end",
           "requisitioned_total", "capital_flight_total_usd"]

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


def run_real(folder: Path, kind: str) -> Path:
    """Run the tiny real experiment `kind` into `folder`/store and return that folder."""
    method, samples = REAL[kind]
    path = folder / f"{kind}.toml"
    path.write_text(
        REAL_EXPERIMENT.format(
            kind=kind, baseline=BASELINE, method=method, samples=samples, replications=1 if method == "saltelli" else 2
        )
    )
    return run(path, workers=1, out=folder / "store", progress=False).dir


# Published targets overlapping the synthetic metrics (one outside the simulated range).
HISTORY = History(
    {
        "gdp_growth_1971": Target("gdp_growth_1971", 0.12, 0.05, 0.2, "test"),
        "aps_firms_end": Target("aps_firms_end", 99.0, 90.0, 110.0, "test"),
    },
    History.load().events,
)


@pytest.fixture
def history() -> History:
    """The published targets the reports are validated against."""
    return HISTORY


@pytest.fixture
def fresh_store(tmp_path) -> Path:
    """A stored replications experiment of this test's own, without a report yet."""
    return write_store(tmp_path / "store", **KINDS["replications"])


@pytest.fixture(scope="session")
def report_of(tmp_path_factory):
    """Build (once per session) the report of a stored experiment of the given kind."""
    done: dict[str, Path] = {}

    def build(kind: str) -> Path:
        if kind not in done:
            folder = tmp_path_factory.mktemp(kind)
            directory = run_real(folder, kind) if kind in REAL else write_store(folder / "store", **KINDS[kind])
            build_report(directory, HISTORY)
            done[kind] = directory
        return done[kind]

    return build


@pytest.fixture(params=[*KINDS, *REAL])
def built(request, report_of) -> Path:
    """Folder of a stored experiment, of each kind in turn, with its report built."""
    return report_of(request.param)
