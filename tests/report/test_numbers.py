"""The report's tables equal the statistics recomputed from runs.parquet."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from viachilena import experiments
from viachilena.experiments.report import _display


def _table(directory, kind):
    (path,) = sorted((directory / "tables").glob(f"*-{kind}*.csv"))
    return pd.read_csv(path)


def _t_interval(x):
    x = np.asarray(x, dtype=float)
    if x.std() == 0:
        return x.mean(), x.mean(), x.mean()
    low, high = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    return x.mean(), low, high


def test_summary_tables_equal_recomputed(built):
    runs = pd.read_parquet(built / "runs.parquet")
    metrics = json.loads((built / "manifest.json").read_text())["experiment"]["metrics"]
    ok = runs[runs["status"] == "ok"]
    scenarios = list(dict.fromkeys(runs["scenario"]))
    paths = sorted((built / "tables").glob("*-summary-*.csv"))
    assert len(paths) == len(scenarios)
    for path, scenario in zip(paths, scenarios, strict=True):
        table = pd.read_csv(path).set_index("metric")
        mine = ok[ok["scenario"] == scenario]
        assert list(table.index) == metrics
        for metric in metrics:
            values = mine[metric].dropna()
            row = table.loc[metric]
            assert row["n"] == len(values)
            if len(values) < 2:
                continue
            assert row[["mean", "ci_low", "ci_high"]].to_list() == pytest.approx(_t_interval(values))
            assert row["sd"] == pytest.approx(values.std(ddof=1))
            assert row[["range_low", "range_high"]].to_list() == pytest.approx(np.percentile(values, [2.5, 97.5]))


def test_paired_differences_equal_recomputed(report_of):
    directory = report_of("scenarios")
    runs = pd.read_parquet(directory / "runs.parquet")
    ok = runs[runs["status"] == "ok"].set_index(["scenario", "point", "replication"]).sort_index()
    table = _table(directory, "paired")
    assert set(table["scenario"]) == {"<script>alert(1)</script>", "no_strike"}
    assert (table["reference"] == "baseline").all()
    for _, row in table.iterrows():
        diff = (ok.loc[row["scenario"], row["metric"]] - ok.loc["baseline", row["metric"]]).dropna()
        mean, low, high = _t_interval(diff)
        assert row["n_pairs"] == len(diff)
        assert [row["mean_diff"], row["ci_low"], row["ci_high"]] == pytest.approx([mean, low, high])
        assert row["same_seeds"]


def test_tables_shown_with_their_figure_share_its_csv(report_of):
    for kind, stem in (("scenarios", "paired"), ("sensitivity", "sobol")):
        page = (report_of(kind) / "report.html").read_text()
        (name,) = {n for n in re.findall(r'tables/([^"]+)\.csv', page) if stem in n}
        assert f'src="figures/{name}.png"' in page


def test_a_published_value_outside_the_simulated_range_says_so(report_of):
    table = _table(report_of("replications"), "validation").set_index("metric")
    assert not table.loc["aps_firms_end", "published_in_range"]
    assert table.loc["gdp_growth_1971", "mean_in_published_range"]


def test_failed_runs_are_listed_and_excluded(report_of):
    directory = report_of("scenarios")
    failed = _table(directory, "failed")
    assert len(failed) == 1 and failed["error"].str.contains("DegenerateEconomyError").all()
    summary = _table(directory, "summary-baseline")
    assert (summary["n"] == 2).all()


def test_validation_against_published_targets(built, history):
    runs = pd.read_parquet(built / "runs.parquet")
    manifest = json.loads((built / "manifest.json").read_text())
    ok = runs[(runs["status"] == "ok") & (runs["scenario"] == manifest["experiment"]["reference"])]
    table = _table(built, "validation").set_index("metric")
    assert set(table.index) == set(history.targets)
    for metric, target in history.targets.items():
        row = table.loc[metric]
        low, high = np.percentile(ok[metric], [2.5, 97.5])
        assert row["simulated_mean"] == pytest.approx(ok[metric].mean(), nan_ok=True)
        assert row["published"] == target.value
        assert row["published_in_range"] == (low <= target.value <= high)
        assert row["mean_in_published_range"] == (target.low <= ok[metric].mean() <= target.high)


def test_fan_quantiles_equal_recomputed(report_of):
    directory = report_of("replications")
    fan = _table(directory, "fan-gdp").query("scenario == 'baseline'").set_index("date")
    runs = pd.read_parquet(directory / "runs.parquet")
    gdp = pd.DataFrame({r: experiments.Results(directory).series(r)["gdp"] for r in runs["run_id"]})
    day = gdp.index[100]
    row = fan.loc[str(day.date())]
    assert row[["q5", "q50", "q95"]].to_list() == pytest.approx(np.percentile(gdp.loc[day], [5, 50, 95]))


def test_series_differences_equal_recomputed(report_of):
    directory = report_of("scenarios")
    diff = _table(directory, "diff-real_wage").query("scenario == 'no_strike'").set_index("date")
    runs = pd.read_parquet(directory / "runs.parquet").query("status == 'ok'")

    def series(scenario, rep):
        run_id = runs.query("scenario == @scenario and replication == @rep")["run_id"].item()
        return experiments.Results(directory).series(run_id)["real_wage"]

    reps = sorted(set(runs.query("scenario == 'baseline'")["replication"]))
    pairs = pd.DataFrame({r: series("no_strike", r) - series("baseline", r) for r in reps})
    day = pairs.index[500]
    mean, low, high = _t_interval(pairs.loc[day])
    assert diff.loc[str(day.date()), ["mean", "ci_low", "ci_high"]].to_list() == pytest.approx([mean, low, high])


def test_sensitivity_table_is_the_stored_indices(report_of):
    directory = report_of("sensitivity")
    stored = pd.read_parquet(directory / "sensitivity.parquet")
    pd.testing.assert_frame_equal(_table(directory, "sobol"), stored, check_dtype=False)


def test_grid_means_equal_recomputed(report_of):
    directory = report_of("sweep")
    grid = _table(directory, "grid")
    runs = pd.read_parquet(directory / "runs.parquet")
    expected = runs.groupby(["param_a", "param_b"])["inflation_1972"].mean()
    mine = grid[grid["metric"] == "inflation_1972"].set_index(["a", "b"])["mean"]
    assert mine.to_numpy() == pytest.approx(expected.to_numpy())


def test_html_shows_the_table_numbers_to_three_significant_digits(report_of):
    directory = report_of("replications")
    page = (directory / "report.html").read_text()
    cells = re.findall(r"<td class=\"num\">(-?[0-9][0-9,]*(?:\.[0-9]+)?)</td>", page)
    summary = _table(directory, "summary-baseline")
    for value in summary["mean"]:
        close = [c for c in cells if float(c.replace(",", "")) == pytest.approx(value, rel=5e-3)]
        assert close, value
        digits = close[0].replace(",", "").replace(".", "").lstrip("-").lstrip("0")
        assert len(digits) == 3


def test_noise_around_zero_is_shown_as_zero():
    frame = pd.DataFrame({"a": [-5.684e-16, 0.25, 1234.5678, np.nan], "b": [0.0, 1e-7, -0.0123456, 2.0]})
    columns, rows = _display(frame)
    assert [row[0] for row in rows] == ["0", "0.250", "1,235", "–"]
    assert [row[1] for row in rows] == ["0", "1.00e-07", "-0.0123", "2.00"]


def test_every_metric_row_has_its_unit(report_of):
    from viachilena.model import METRIC_UNITS

    directory = report_of("scenarios")
    for kind in ("summary-baseline", "paired", "validation"):
        table = _table(directory, kind)
        assert (table["unit"] == table["metric"].map(METRIC_UNITS)).all(), kind


def test_record_path_reads_december_to_december_growth_on_31_december(report_of):
    directory = report_of("replications")
    table = _table(directory, "record")
    path = table[(table["layer"] == "path") & (table["path"] == "gdp (growth over a year)")].set_index("date")
    runs = pd.read_parquet(directory / "runs.parquet")
    gdp = pd.DataFrame({r: experiments.Results(directory).series(r)["gdp"] for r in runs["run_id"]})
    growth = gdp.loc["1971-12-01":"1971-12-31"].mean() / gdp.loc["1970-12-01":"1970-12-31"].mean() - 1
    assert path.loc["1971-12-31", "q50"] == pytest.approx(growth.median())
    published = table[table["layer"] == "published"].set_index("metric")
    assert published.loc["gdp_growth_1971", "date"] == "1971-12-31"
    assert published.loc["gdp_growth_1971", "published"] == 0.12
