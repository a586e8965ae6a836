"""Every file of the bad-input corpus (tests/data/bad/) is refused as a new user would meet it.

Each case gives exit status 2, exactly one line on stderr naming the file and the key and
saying what was expected (with "did you mean" for near misses), no traceback, and no output
folder. Most cases call ``experiments.cli.main`` in this process; a handful run the installed
``viachilena`` command to prove the same end to end.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from viachilena.experiments.cli import main

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "params" / "baseline.toml"
BAD = REPO / "tests" / "data" / "bad"
BINARY = {"overlay_binary_garbage.toml", "overlay_not_utf8.toml"}
PREFIX = "viachilena: error: "

# file, what it is (overlay | params | experiment), text the error must contain (the key, or for
# a file that is bad as a whole, where), whether a "did you mean" is due, and the file the error
# must name when it is not the file itself. Files marked ABSENT do not exist on purpose.
ABSENT = "absent"
CASES = [
    ("overlay_syntax_unclosed_table.toml", "overlay", "not valid TOML", False, None),
    ("overlay_syntax_missing_value.toml", "overlay", "line 3", False, None),
    ("overlay_syntax_duplicate_key.toml", "overlay", "line 4", False, None),
    ("overlay_unknown_section.toml", "overlay", "hoardin:", True, None),
    ("overlay_unknown_key.toml", "overlay", "hoarding.colour_of_the_shop", False, None),
    ("overlay_typo_propensty.toml", "overlay", "hoarding.propensty", True, None),
    ("overlay_typo_nested_section.toml", "overlay", "nationalisation.from_abov", True, None),
    ("overlay_string_for_number.toml", "overlay", "hoarding.propensity", False, None),
    ("overlay_string_for_bool.toml", "overlay", "capital_flight.enabled", False, None),
    ("overlay_number_for_date.toml", "overlay", "government.rationing", False, None),
    ("overlay_float_for_count.toml", "overlay", "popular_power.belts", False, None),
    ("overlay_negative_share.toml", "overlay", "hoarding.propensity", False, None),
    ("overlay_share_above_one.toml", "overlay", "economy_1970.labour_share", False, None),
    ("overlay_nan_share.toml", "overlay", "hoarding.propensity", False, None),
    ("overlay_window_end_before_start.toml", "overlay", "october_strike.window", False, None),
    ("overlay_window_before_period.toml", "overlay", "july_1973_strike.window", False, None),
    ("overlay_run_end_after_term.toml", "overlay", "run.end: date 1977-01-01 is outside the period", False, None),
    ("overlay_run_end_before_start.toml", "overlay", "run.end: date 1970-10-01 is outside the period", False, None),
    ("overlay_run_start_moved.toml", "overlay", "run: start must be 1970-11-04", False, None),
    ("overlay_stance_misspelt.toml", "overlay", "government.stance_after_conciliation", False, None),
    ("overlay_section_as_value.toml", "overlay", "hoarding:", False, None),
    ("overlay_value_as_section.toml", "overlay", "hoarding.propensity", False, None),
    ("overlay_list_item_end_before_start.toml", "overlay", "commerce_strikes.windows.0", False, None),
    # a typo inside a list item is reported as the correct key missing (see the report of issue 7)
    ("overlay_list_item_unknown_key.toml", "overlay", "government.wage_readjustments.0.real_increse", True, None),
    ("overlay_include_missing.toml", "overlay", "file not found", False, "no_such_overlay.toml"),
    ("overlay_include_not_a_list.toml", "overlay", "include:", False, None),
    ("overlay_circular_include_a.toml", "overlay", "include: overlays include each other in a circle", False, None),
    ("overlay_circular_include_b.toml", "overlay", "include: overlays include each other in a circle", False, None),
    ("overlay_includes_itself.toml", "overlay", "include: overlays include each other in a circle", False, None),
    ("overlay_includes_bad_overlay.toml", "overlay", "hoarding.propensty", True, "overlay_typo_propensty.toml"),
    ("overlay_not_utf8.toml", "overlay", "is not UTF-8", False, None),
    ("overlay_binary_garbage.toml", "overlay", "byte 0 is not UTF-8", False, None),
    ("overlay_missing.toml", "overlay", "file not found", False, ABSENT),
    ("params_empty.toml", "params", "run: missing", False, None),
    ("params_only_accounting_section.toml", "params", "run: missing", False, None),
    ("params_run_as_array.toml", "params", "run:", False, None),
    ("params_syntax_bad_date.toml", "params", "line 3", False, None),
    ("params_missing.toml", "params", "file not found", False, ABSENT),
    ("experiment_syntax_error.toml", "experiment", "not valid TOML", False, None),
    ("experiment_unknown_table.toml", "experiment", "sweeps:", True, None),
    ("experiment_typo_replicatons.toml", "experiment", "experiment.replicatons", True, None),
    ("experiment_string_for_seed.toml", "experiment", "experiment.seed", False, None),
    ("experiment_zero_replications.toml", "experiment", "experiment.replications", False, None),
    ("experiment_empty_scenarios.toml", "experiment", "scenarios:", False, None),
    ("experiment_unknown_reference.toml", "experiment", "experiment.reference", True, None),
    ("experiment_scenario_name_with_space.toml", "experiment", 'scenarios."no strike"', False, None),
    ("experiment_sweep_bound_reversed.toml", "experiment", 'sweep.parameters."hoarding.propensity".high', False, None),
    ("experiment_sweep_range_outside_bounds.toml", "experiment", 'sweep.parameters."hoarding.propensity"', False, None),
    ("experiment_sweep_unknown_key.toml", "experiment", 'sweep.parameters."hoarding.propensty"', True, None),
    ("experiment_sobol_not_power_of_two.toml", "experiment", "sweep.samples: a power of two", False, None),
    ("experiment_sweep_method_unknown.toml", "experiment", "sweep.method", False, None),
    ("experiment_overlay_missing.toml", "experiment", "scenarios.base.overlays", False, None),
    ("experiment_overlay_circular.toml", "experiment", "include:", False, "overlay_circular_include_a.toml"),
    ("experiment_params_missing.toml", "experiment", "experiment.params", False, None),
    ("experiment_set_typo.toml", "experiment", 'scenarios.base.set."hoarding.propensty"', True, None),
    ("experiment_set_share_above_one.toml", "experiment", 'scenarios.base.set."hoarding.propensity"', False, None),
    ("experiment_end_after_term.toml", "experiment", "experiment.end", False, None),
    ("experiment_end_as_number.toml", "experiment", "experiment.end", False, None),
    ("experiment_metric_typo.toml", "experiment", "experiment.metrics[1]", True, None),
    ("experiment_missing.toml", "experiment", "file not found", False, ABSENT),
]

# --set overrides on the baseline: the text, what the error must contain, "did you mean" due (None: either)
SET_CASES = [
    ("hoarding.propensty=0.3", "--set: hoarding.propensty", True),
    ("hoardin.propensity=0.1", "--set: hoardin.propensity", True),
    ("hoarding.propensity=abc", "--set: hoarding.propensity", False),
    ("hoarding.propensity=1.5", "--set: hoarding.propensity", False),
    ("hoarding.propensity=-0.1", "--set: hoarding.propensity", False),
    ("hoarding.propensity=nan", "--set: hoarding.propensity", False),
    ("hoarding.propensity=", "--set: hoarding.propensity", False),
    ("hoarding.propensity=[1, 2]", "--set: hoarding.propensity", False),
    # says "did you mean 'propensity'" of the key itself: a harmless oddity, not asserted either way
    ("hoarding.propensity.x=1", "--set: hoarding.propensity.x", None),
    ("hoarding.propensity", "expected section.key=value", False),
    ("propensity=0.3", "expected section.key=value", False),
    ("=3", "expected section.key=value", False),
    ("run.end=1977-01-01", "outside the period", False),
    ("run.end=19730911", "--set: run.end", False),
    ("run.end=1970-11-04", "must be after start", False),
    ("government.stance_after_conciliation=bak", "--set: government.stance_after_conciliation", False),
    ("october_strike.window={ start = 1972-10-26, end = 1972-10-09 }", "--set: october_strike.window", False),
    # a check across keys: the line blames params/baseline.toml rather than --set (see the report of issue 7)
    ("economy_1970.industry_share=0.85", "industry, agriculture and copper shares", False),
]


def argv_for(path: Path, kind: str, out: Path) -> list[str]:
    """The command a new user would type to use `path`."""
    if kind == "overlay":
        return ["simulate", str(BASELINE), "--scenario", str(path), "--out", str(out)]
    if kind == "params":
        return ["check", str(path)]
    return ["run", str(path), "--out", str(out), "--workers", "1", "--no-report"]


def assert_refused(status: int, stdout: str, stderr: str, must_name: list[str], did_you_mean: bool) -> str:
    """Exit 2, one line on stderr naming everything in `must_name`, no traceback; return the line."""
    assert status == 2, (status, stdout, stderr)
    assert "Traceback" not in stdout + stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    line = lines[0]
    assert line.startswith(PREFIX), line
    for text in must_name:
        assert text in line, (text, line)
    if did_you_mean is not None:
        assert ("did you mean" in line) == did_you_mean, line
    assert len(line) >= len(PREFIX) + sum(map(len, must_name)) + 10, f"{line}: says nothing of what was expected"
    return line


def run_main(argv: list[str], capsys) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize(("name", "kind", "expected", "did_you_mean", "names"), CASES, ids=[c[0] for c in CASES])
def test_each_bad_file_is_refused_in_one_line(name, kind, expected, did_you_mean, names, tmp_path, capsys):
    path = BAD / name
    assert path.exists() == (names != ABSENT), f"{name}: corpus file {'missing' if names != ABSENT else 'present'}"
    out = tmp_path / "out"
    status, stdout, stderr = run_main(argv_for(path, kind, out), capsys)
    named = names if names not in (None, ABSENT) else name
    assert_refused(status, stdout, stderr, [named, expected], did_you_mean)
    assert stdout == ""
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "kind", "expected", "did_you_mean", "names"),
    [c for c in CASES if c[1] != "params"],
    ids=[c[0] for c in CASES if c[1] != "params"],
)
def test_check_refuses_each_bad_overlay_and_experiment(name, kind, expected, did_you_mean, names, capsys):
    argv = ["check", str(BAD / name)] + (["--base", str(BASELINE)] if kind == "overlay" else [])
    status, stdout, stderr = run_main(argv, capsys)
    named = names if names not in (None, ABSENT) else name
    assert_refused(status, stdout, stderr, [named, expected], did_you_mean)
    assert "ok:" not in stdout


def test_the_corpus_is_all_in_the_table_and_says_what_it_tests():
    files = {p.name for p in BAD.iterdir()}
    listed = {c[0] for c in CASES if c[4] != ABSENT}
    assert files == listed
    assert len(files) >= 30
    for name in files - BINARY:
        first = (BAD / name).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# Tests: "), name
    for name in BINARY:
        with pytest.raises(UnicodeDecodeError):
            (BAD / name).read_bytes().decode("utf-8")
    assert sum(p.stat().st_size for p in BAD.iterdir()) < 50_000


@pytest.mark.parametrize(("text", "expected", "did_you_mean"), SET_CASES, ids=[c[0] for c in SET_CASES])
def test_each_bad_set_is_refused_in_one_line(text, expected, did_you_mean, tmp_path, capsys):
    out = tmp_path / "out"
    status, stdout, stderr = run_main(["simulate", str(BASELINE), "--set", text, "--out", str(out)], capsys)
    assert_refused(status, stdout, stderr, [expected], did_you_mean)
    assert not out.exists()


def test_a_negative_seed_is_refused_in_one_line(tmp_path, capsys):
    out = tmp_path / "out"
    status, stdout, stderr = run_main(["simulate", str(BASELINE), "--seed", "-1", "--out", str(out)], capsys)
    assert_refused(status, stdout, stderr, ["--seed", "from 0 to 2**63 - 1"], False)
    assert not out.exists()


@pytest.fixture(scope="module")
def huge(tmp_path_factory) -> Path:
    """A 10 MB file of valid TOML comments (never committed: generated here)."""
    path = tmp_path_factory.mktemp("huge") / "huge.toml"
    line = "# " + "x" * 97 + "\n"
    with path.open("w") as file:
        file.write("# Tests: a file too large to be a parameter file.\n")
        file.writelines(line for _ in range(10 * 1024 * 1024 // len(line)))
    assert path.stat().st_size >= 10_000_000
    return path


@pytest.mark.parametrize("kind", ["overlay", "params", "experiment"])
def test_a_10_mb_file_is_refused_without_reading_it_all(kind, huge, tmp_path, capsys):
    out = tmp_path / "out"
    status, stdout, stderr = run_main(argv_for(huge, kind, out), capsys)
    assert_refused(status, stdout, stderr, ["huge.toml", "bytes; expected a TOML file under"], False)
    assert not out.exists()


def viachilena() -> list[str]:
    """The installed console script (next to this Python), as a new user runs it."""
    script = Path(sys.executable).with_name("viachilena")
    assert script.is_file(), f"the console script is not installed next to {sys.executable}"
    return [str(script)]


SUBPROCESS_CASES = [
    ("overlay_typo_propensty.toml", "hoarding.propensty", True),
    ("overlay_binary_garbage.toml", "is not UTF-8", False),
    ("params_empty.toml", "run: missing", False),
    ("experiment_sobol_not_power_of_two.toml", "sweep.samples", False),
    ("experiment_unknown_reference.toml", "experiment.reference", True),
]


@pytest.mark.parametrize(("name", "expected", "did_you_mean"), SUBPROCESS_CASES, ids=[c[0] for c in SUBPROCESS_CASES])
def test_the_installed_command_refuses_bad_files_end_to_end(name, expected, did_you_mean, tmp_path):
    kind = next(c[1] for c in CASES if c[0] == name)
    out = tmp_path / "out"
    done = subprocess.run(
        viachilena() + argv_for(BAD / name, kind, out), capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert_refused(done.returncode, done.stdout, done.stderr, [name, expected], did_you_mean)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_installed_command_refuses_a_bad_set_end_to_end(tmp_path):
    done = subprocess.run(
        viachilena() + ["simulate", str(BASELINE), "--set", "hoarding.propensty=0.3", "--out", str(tmp_path / "x")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert_refused(done.returncode, done.stdout, done.stderr, ["--set: hoarding.propensty"], True)
    assert not (tmp_path / "x").exists()
