"""The README's commands, as a user runs them: the main job and the test command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def command_after(marker: str) -> str:
    block = re.search(rf"<!-- {marker} -->\s*```sh\n(.+?)\n```", README, re.S)
    assert block, f"README has no {marker} block"
    return block.group(1).strip()


def test_ci_runs_the_readme_test_command():
    test_command = command_after("test-command")
    assert "python -m pytest" in test_command
    assert test_command.split("&& ")[-1] in (ROOT / ".ci" / "run").read_text()


def test_main_command_runs_the_experiment_and_writes_a_report(tmp_path):
    main = command_after("main-command").split("&& ")[-1]
    argv = main.split()
    assert argv[:2] == ["viachilena", "run"]
    viachilena = Path(sys.executable).with_name("viachilena")
    done = subprocess.run(
        [str(viachilena), *argv[1:], "--replications", "2", "--out", str(tmp_path / "out")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert set(runs.status) == {"ok"}
    assert runs.groupby("scenario").size().min() == 2
    assert (tmp_path / "out" / "report.html").stat().st_size > 1000


def test_the_python_api_example_runs_as_a_script_from_an_empty_folder(tmp_path):
    block = re.search(r"<!-- api-example -->\s*```python\n(.+?)\n```", README, re.S)
    assert block, "README has no api-example block"
    (tmp_path / "example.py").write_text(block.group(1))
    done = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    params_line, results_line = done.stdout.splitlines()
    assert params_line.startswith("Params(") and "off: hoarding" in params_line
    assert results_line == "Results('reports/api_october_1972', 12 runs, 4 scenarios, 0 failed)"
    folder = tmp_path / "reports" / "api_october_1972"
    assert (folder / "runs.parquet").is_file() and not (folder / "report.html").exists()


def test_every_series_column_and_metric_is_documented():
    from viachilena import model

    for column in model.SERIES_COLUMNS:
        assert f"`{column}`" in README, f"README does not document the series {column}"
    for metric in model.SUMMARY_METRICS:
        assert f"`{metric}`" in README or metric.rsplit("_", 1)[0] in README, f"README does not mention {metric}"
