"""Data safety (issue 12): the tool never deletes a user's files, never mixes inputs, never trusts a stored file.

Each test is written so that it failed before the fix it stands for: ``--fresh`` wiping a folder
with someone else's ``manifest.json``, workers re-reading an edited parameter file, damaged
results counted as done, ``rerun`` importing what a manifest names, Markdown and control
characters passing into reports and the terminal, tracebacks, unchecked sizes, workers
outliving their parent, a noisy Ctrl-C, stale files in a finished folder, a lock that needs fcntl.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import typing
from pathlib import Path

import pandas as pd
import psutil
import pyarrow.parquet as pq
import pytest

from tests.support import comparable, same_results, stop
from viachilena import experiments, model
from viachilena.experiments import store, text
from viachilena.experiments.cli import main

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BASELINE = REPO / "params" / "baseline.toml"
CLI = [sys.executable, "-m", "viachilena"]
PREFIX = "viachilena: error: "

TINY = """\
[experiment]
name = "tiny"
description = {description}
params = "{baseline}"
seed = 3
replications = {replications}
reference = "historical"
end = {end}
series = ["gdp", "cpi_official"]
metrics = {metrics}

[scenarios.historical]
{overlays}
[scenarios.backed]
set = {{ "government.stance_after_conciliation" = "back" }}
{extra}
"""
METRICS = '["reserves_end_1970", "aps_firms_end", "capital_flight_total_usd"]'


def tiny(
    folder: Path,
    *,
    replications: int = 2,
    end: str = "1970-12-31",
    metrics: str = METRICS,
    description: str = '"Is the folder safe? (tests)"',
    overlays: str = "",
    extra: str = "",
) -> Path:
    """Write a tiny experiment (4 runs of two months by default) and return its path."""
    path = folder / "tiny.toml"
    path.write_text(
        TINY.format(
            baseline=BASELINE,
            replications=replications,
            end=end,
            metrics=metrics,
            description=description,
            overlays=overlays,
            extra=extra,
        )
    )
    return path


def cli(argv: list[str], capsys) -> tuple[int, str, str]:
    status = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def one_line_error(status: int, err: str, *must: str) -> str:
    assert status == 2, err
    assert "Traceback" not in err and err.count("\n") == 1 and err.startswith(PREFIX), err
    for piece in must:
        assert piece in err, (piece, err)
    return err


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> Path:
    """The tiny experiment run once; tests copy its output folder before changing anything."""
    folder = tmp_path_factory.mktemp("stored")
    experiments.run(tiny(folder), workers=1, out=folder / "out", progress=False)
    return folder


def copy_of(stored: Path, tmp_path: Path) -> Path:
    shutil.copytree(stored / "out", tmp_path / "out")
    return tmp_path / "out"


# --fresh and foreign folders


def test_fresh_refuses_a_folder_with_someone_elses_manifest_and_deletes_nothing(tmp_path, capsys):
    web = tmp_path / "site"
    web.mkdir()
    (web / "manifest.json").write_text('{"name": "my web app", "icons": []}')
    (web / "index.html").write_text("<html>years of work</html>")
    before = {p.name: p.read_bytes() for p in web.iterdir()}
    status, _, err = cli(["run", tiny(tmp_path), "--out", web, "--fresh", "--no-report"], capsys)
    one_line_error(status, err, str(web), "holds no experiment this tool created")
    assert {p.name: p.read_bytes() for p in web.iterdir()} == before


def test_fresh_deletes_only_the_files_the_tool_recorded(stored, tmp_path, capsys):
    out = copy_of(stored, tmp_path)
    (out / "notes.txt").write_text("my notes on these runs")
    (out / "series" / "my_own.parquet").write_bytes(b"mine")
    (out / "figures").mkdir()
    (out / "figures" / "01-fan.png").write_bytes(b"a figure the report drew")
    store.record_files(out, [out / "figures" / "01-fan.png"])  # as `viachilena report` records its files
    recorded = set(store.read_ledger(out)[1])
    assert main(["run", str(tiny(tmp_path, replications=1)), "--out", str(out), "--fresh", "--no-report"]) == 0
    capsys.readouterr()
    assert (out / "notes.txt").read_text() == "my notes on these runs"
    assert (out / "series" / "my_own.parquet").read_bytes() == b"mine"
    assert not (out / "figures").exists()
    assert len(experiments.Results(out).runs) == 2  # the fresh experiment's runs only
    stale = recorded - set(store.read_ledger(out)[1])
    assert "figures/01-fan.png" in stale and not any((out / n).exists() for n in stale)


def test_a_forged_record_cannot_make_fresh_delete_outside_the_folder(tmp_path, capsys):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (tmp_path / "victim.txt").write_text("precious")
    (elsewhere / "x.parquet").write_text("precious too")
    (out / "series").symlink_to(elsewhere)
    forged = [
        {"tool": "viachilena", "format": 1, "spec_hash": "another experiment"},
        *(
            {"path": name, "bytes": 8, "sha256": "0" * 64}
            for name in (
                "../victim.txt",
                str(tmp_path / "victim.txt"),
                "series/x.parquet",
                "series\\..\\..\\victim.txt",
            )
        ),
    ]
    (out / store.LEDGER).write_text("".join(json.dumps(line) + "\n" for line in forged))
    status, _, err = cli(["run", tiny(tmp_path, replications=1), "--out", out, "--fresh", "--no-report"], capsys)
    assert (tmp_path / "victim.txt").read_text() == "precious"
    assert (elsewhere / "x.parquet").read_text() == "precious too"
    one_line_error(status, err, "series is a symbolic link")


# inputs resolved once


def test_an_input_edited_during_a_sweep_changes_no_run(tmp_path, monkeypatch):
    overlay = tmp_path / "mine.toml"
    overlay.write_text("[hoarding]\npropensity = 0.2\n")
    path = tiny(tmp_path, replications=3, overlays=f'overlays = ["{overlay}"]')
    whole = experiments.run(path, workers=1, out=tmp_path / "whole", progress=False)
    monkeypatch.setenv("VIACHILENA_TEST_EDIT", str(overlay))
    edited = experiments.run(
        path, workers=1, out=tmp_path / "edited", progress=False, simulate="robust_editing:simulate"
    )
    assert "propensity = 0.55" in overlay.read_text()  # the file was edited after the first run
    pd.testing.assert_frame_equal(comparable(edited.runs), comparable(whole.runs))
    stored = edited.manifest["scenario_params"]["historical"]["hoarding"]["propensity"]
    assert stored == 0.2


def test_a_worker_task_carries_parameters_not_file_paths():
    fields = typing.get_type_hints(experiments.worker.Task)
    assert "overlays" not in fields and fields["params"] == dict[str, model.Params]


# stored files recorded and verified


@pytest.mark.parametrize(
    ("victim", "damage"),
    [
        ("series/part-*.parquet", "delete"),
        ("events/part-*.parquet", "truncate"),
        ("scenarios.parquet", "random"),
        ("runs.parquet", "random"),
        ("manifest.json", "truncate"),
    ],
)
def test_damage_is_named_by_report_and_rerun_and_resume_repairs_it(stored, tmp_path, capsys, victim, damage):
    out = copy_of(stored, tmp_path)
    (path,) = out.glob(victim)  # a compacted folder holds one part of each kind, whatever its number
    if damage == "delete":
        path.unlink()
    elif damage == "truncate":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    else:
        path.write_bytes(os.urandom(path.stat().st_size))
    status, _, err = cli(["report", out], capsys)
    one_line_error(status, err, str(path), "run `viachilena run", "again")
    with pytest.raises(store.FolderError, match="run `viachilena run .* again") as opened:
        experiments.Results(out)  # from Python too
    assert str(path) in str(opened.value)
    status, _, err = cli(["rerun", out, "historical-p00000-r0000"], capsys)
    one_line_error(status, err, str(path))
    status, _, err = cli(["run", stored / "tiny.toml", "--out", out, "--workers", "1", "--no-report"], capsys)
    assert (status, err) == (0, "")
    counts = experiments.Results(out).manifest["counts"]
    lost = 4 if victim.endswith("part-*.parquet") or victim == "runs.parquet" else 0  # its batch runs again
    assert (counts["executed"], counts["resumed"]) == (lost, 4 - lost)
    assert store.damaged_files(out) == {}
    same_results(out, stored / "out")


def test_a_finished_folder_holds_only_its_results(stored):
    out = stored / "out"
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert store.LOCK not in names and not any(store.is_temporary(Path(n)) for n in names)
    assert names == set(store.read_ledger(out)[1]) | {store.LEDGER}
    for kind in store.FRAMES:  # compacted: one part of each kind, committed by runs.parquet
        assert len(list((out / kind).glob("part-*.parquet"))) == 1
    assert not (out / store.PARTS).exists()


# rerun chooses no code from the folder


def test_rerun_never_imports_what_the_manifest_names(stored, tmp_path, capsys, monkeypatch):
    out = copy_of(stored, tmp_path)
    marker = tmp_path / "imported"
    monkeypatch.setenv("VIACHILENA_TEST_MARKER", str(marker))
    manifest = json.loads((out / store.MANIFEST).read_text())
    store.write_manifest(out, {**manifest, "simulate": "robust_marker:simulate"})  # recorded: the check passes
    status, stdout, err = cli(["rerun", out, "backed-p00000-r0001"], capsys)
    assert (status, err) == (0, "")
    assert "simulated by 'robust_marker:simulate'" in stdout and "reproduced" in stdout
    assert not marker.exists()


# escaping


HOSTILE = "![x](javascript:alert(1)) [y](javascript:z)\n# Owned\x1b[2J\x00 <img src=x onerror=alert(1)> *b* `c` | d"


def test_markdown_escaping_leaves_no_markup_and_no_control_characters():
    escaped = text.markdown(HOSTILE)
    assert "\n" not in escaped and "\x1b" not in escaped and "\x00" not in escaped
    assert "<" not in escaped and ">" not in escaped  # as entities: &lt; &gt;
    for special in "![]`*|#":  # every character Markdown reads as markup here comes escaped
        assert all(escaped[i - 1] == "\\" for i, c in enumerate(escaped) if c == special), special
    assert text.markdown("# heading").startswith("\\#") and text.markdown("1. item").startswith("1\\.")
    assert text.markdown("- item").startswith("\\-") and text.markdown("a_b") == "a_b"
    assert text.printable("ok\x1b]0;title\x07 done\x9b") == "ok]0;title done"


@pytest.mark.slow
def test_a_hostile_description_reaches_the_report_as_text(tmp_path):
    description = json.dumps(HOSTILE)  # a TOML basic string: the same escapes as JSON
    results = experiments.run(
        tiny(tmp_path, replications=1, description=description),
        workers=1,
        progress=False,
        out=tmp_path / "out",
        report=True,
    )
    stored_files = {p.relative_to(results.dir).as_posix() for p in results.dir.rglob("*") if p.is_file()}
    recorded = set(store.read_ledger(results.dir)[1])
    assert {"report.md", "report.html"} <= recorded and any(n.startswith("figures/") for n in recorded)
    assert stored_files == recorded | {store.LEDGER}  # the API's report is recorded as the command's is
    page = (results.dir / "report.md").read_text()
    html = (results.dir / "report.html").read_text()
    assert "javascript:alert" in page  # the text is there, as text
    assert "![x](" not in page and "<img" not in page and "\n# Owned" not in page
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert "\x1b" not in page + html and "\x00" not in page + html


def test_control_characters_never_reach_the_terminal(tmp_path, capsys):
    status, out, err = cli(["simulate", BASELINE, "--set", "hoarding.\x1b[31mred=1", "--out", tmp_path], capsys)
    one_line_error(status, err, "hoarding.[31mred")
    assert "\x1b" not in out + err


# one line for every error


def deep_toml(folder: Path) -> Path:
    path = folder / "deep.toml"
    path.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    return path


def symlink_loop(folder: Path) -> Path:
    (folder / "loop_a.toml").symlink_to(folder / "loop_b.toml")
    (folder / "loop_b.toml").symlink_to(folder / "loop_a.toml")
    path = folder / "includes_loop.toml"
    path.write_text('include = ["loop_a.toml"]\n')
    return path


def test_deep_nesting_and_include_loops_are_one_line(tmp_path, capsys):
    status, _, err = cli(["check", deep_toml(tmp_path)], capsys)
    one_line_error(status, err, "deep.toml", "nested too deeply")
    status, _, err = cli(["check", "--base", BASELINE, symlink_loop(tmp_path)], capsys)
    one_line_error(status, err, "loop_a.toml", "loop of symbolic links")


def test_empty_metrics_and_a_bad_scheduler_are_one_line(tmp_path, capsys):
    status, _, err = cli(["check", tiny(tmp_path, metrics="[]")], capsys)
    one_line_error(status, err, "experiment.metrics", "at least one metric")
    for address in ("tcp://host:port", "localhost:99999", "http://[::1", "tcp://:8786"):
        status, _, err = cli(["run", tiny(tmp_path), "--scheduler", address, "--out", tmp_path / "o"], capsys)
        one_line_error(status, err, "--scheduler", repr(address))
    assert not (tmp_path / "o").exists()


def test_a_reference_whose_runs_all_failed_is_one_line(tmp_path, capsys):
    path = tiny(tmp_path, replications=1, end="1970-11-05", metrics='["gdp_growth_1972"]')  # undefined after a day
    status, out, err = cli(["run", path, "--workers", "1", "--out", tmp_path / "o"], capsys)
    assert status == 1 and err.count("\n") == 1 and "metrics undefined for this run, all of them" in err
    assert "no report: " in out and "every run of the reference scenario 'historical' failed" in out
    status, _, err = cli(["report", tmp_path / "o"], capsys)
    one_line_error(status, err, "every run of the reference scenario")


def test_bad_manifests_and_tables_are_one_line(stored, tmp_path, capsys):
    out = copy_of(stored, tmp_path)
    store.write_recorded(out, out / store.MANIFEST, lambda p: p.write_text("[1, 2]"), store.RECORD)
    status, _, err = cli(["rerun", out, "historical-p00000-r0000"], capsys)
    one_line_error(status, err, "manifest.json is damaged (not a JSON object)")
    out = copy_of(stored, tmp_path / "second")
    runs = pq.read_table(out / store.RUNS).drop_columns(["seed"])
    store.write_recorded(out, out / store.RUNS, lambda p: pq.write_table(runs, p), store.RECORD)
    status, _, err = cli(["rerun", out, "historical-p00000-r0000"], capsys)
    one_line_error(status, err, "runs.parquet lacks the column 'seed'")
    unrecorded = tmp_path / "by_hand"
    shutil.copytree(stored / "out", unrecorded)
    (unrecorded / store.LEDGER).unlink()
    (unrecorded / store.RUNS).write_bytes(b"PAR1 not really")
    status, _, err = cli(["report", unrecorded], capsys)
    one_line_error(status, err)


def test_an_exception_from_the_model_is_one_line(tmp_path, capsys, monkeypatch):
    def refuse(params, seed):
        raise ValueError("amount(=0) must be > 0.")

    monkeypatch.setattr(model, "simulate", refuse)
    status, _, err = cli(["simulate", BASELINE, "--out", tmp_path], capsys)
    one_line_error(status, err, str(BASELINE), "ValueError: amount(=0) must be > 0.")


def test_a_calibration_target_missing_a_bound_is_one_line(tmp_path, capsys):
    history = tmp_path / "history.toml"
    history.write_text('[targets.aps_firms_end]\nvalue = 300.0\nfit_low = 250.0\nsource = "test"\n')
    calibration = tmp_path / "cal.toml"
    calibration.write_text(
        f'[calibration]\nname = "c"\ndescription = "d"\nparams = "{BASELINE}"\nhistory = "{history}"\n'
        'seed = 1\nreplications = 1\nmaxiter = 1\npopsize = 2\ntargets_from_history = ["aps_firms_end"]\n'
        '[parameters]\n"hoarding.propensity" = { low = 0.1, high = 0.5 }\n'
    )
    status, _, err = cli(["check", calibration], capsys)
    one_line_error(status, err, str(history), "targets.aps_firms_end.fit_high")
    status, _, err = cli(["calibrate", calibration, "--maxiter", "-5", "--out", tmp_path / "cal"], capsys)
    one_line_error(status, err, "--maxiter", "from 1 to 10,000")
    assert not (tmp_path / "cal").exists()


def test_a_usage_error_is_one_line(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["run", "x.toml", "--workers", "many"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and err.startswith(PREFIX)


# limits


@pytest.mark.parametrize(
    ("edit", "argv", "expected"),
    [
        ({}, ["--replications", "1000000000"], "at most 1,000,000 runs (this experiment plans 2,000,000,000"),
        (
            {
                "extra": '[sweep]\nmethod = "grid"\nsamples = 100000\n[sweep.parameters]\n'
                '"hoarding.propensity" = { low = 0.1, high = 0.6 }\n'
                '"capital_flight.base_rate" = { low = 0, high = 0.1 }'
            },
            [],
            "this experiment plans 40,000,000,000",
        ),
        ({}, ["--replications", "3", "--max-runs", "5"], "at most 5 runs (this experiment plans 6"),
    ],
)
def test_sizes_are_checked_before_anything_starts(tmp_path, capsys, edit, argv, expected):
    started = time.perf_counter()
    status, _, err = cli(["run", tiny(tmp_path, **edit), "--out", tmp_path / "o", *argv], capsys)
    one_line_error(status, err, expected, "--max-runs")
    assert time.perf_counter() - started < 10 and not (tmp_path / "o").exists()


def test_a_raised_limit_lets_the_experiment_run(tmp_path, capsys):
    argv = ["run", tiny(tmp_path, replications=3), "--max-runs", "6", "--workers", "1", "--no-report"]
    assert cli([*argv, "--out", tmp_path / "o"], capsys)[0] == 0


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            {
                "extra": '[sweep]\nmethod = "saltelli"\nsamples = 1\n[sweep.parameters]\n'
                '"hoarding.propensity" = { low = 0.1, high = 0.6 }'
            },
            "sweep.samples: Saltelli's N of at least 2",
        ),
        ({"extra": "[scenarios." + "n" * 65 + "]"}, "a scenario name of at most 64 characters"),
    ],
)
def test_degenerate_designs_and_long_names_are_refused(tmp_path, capsys, edit, expected):
    status, _, err = cli(["check", tiny(tmp_path, **edit)], capsys)
    one_line_error(status, err, expected)


def test_a_run_with_some_undefined_metrics_is_marked(tmp_path, capsys):
    metrics = '["reserves_end_1970", "gdp_growth_1972"]'  # the second is undefined before 1973
    path = tiny(tmp_path, replications=1, metrics=metrics)
    results = experiments.run(path, workers=1, out=tmp_path / "o", progress=False)
    assert (results.runs["status"] == "ok").all()
    assert results.runs["error"].str.contains("metrics undefined for this run: gdp_growth_1972").all()
    status, out, _ = cli(["run", path, "--workers", "1", "--out", tmp_path / "o", "--no-report"], capsys)
    assert status == 0 and "2 runs ok (2 with undefined metrics: see the error column" in out


# processes: parent death, Ctrl-C, the lock


def pool_run(tmp_path: Path, *extra: str, pace: float = 0.5) -> subprocess.Popen:
    path = tiny(tmp_path, replications=20)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), *sys.path]), "VIACHILENA_TEST_PACE_S": str(pace)}
    command = [
        *CLI,
        "run",
        str(path),
        "--out",
        str(tmp_path / "o"),
        "--no-report",
        "--simulate",
        "robust_paced:simulate",
        *extra,
    ]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )


def wait_for_runs(process: subprocess.Popen, folder: Path, count: int) -> None:
    deadline = time.monotonic() + 120
    while len(list((folder / "series").glob("*.parquet"))) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.parametrize("where", [["--workers", "2"], ["--dask-local", "--workers", "2"]])
def test_workers_die_with_their_parent(tmp_path, where):
    with pool_run(tmp_path, *where) as sweep:
        try:
            wait_for_runs(sweep, tmp_path / "o", 2)
            workers = psutil.Process(sweep.pid).children(recursive=True)
            assert len(workers) >= 2
            sweep.send_signal(signal.SIGKILL)
            sweep.wait()
            gone, alive = psutil.wait_procs(workers, timeout=10)
            assert alive == [], f"{len(alive)} workers outlived their parent"
        finally:
            stop(sweep)


@pytest.mark.slow
@pytest.mark.parametrize("where", [["--workers", "2"], ["--dask-local", "--workers", "2"]])
def test_ctrl_c_prints_one_line(tmp_path, where):
    with pool_run(tmp_path, *where) as sweep:
        try:
            wait_for_runs(sweep, tmp_path / "o", 2)
            os.killpg(sweep.pid, signal.SIGINT)  # as a terminal does: the whole process group
            _, err = sweep.communicate(timeout=120)
        finally:
            stop(sweep)
    assert sweep.returncode == 130
    assert err == "viachilena: interrupted; run the same command again to resume\n", err


def test_the_lock_is_portable_and_leaves_nothing_behind(tmp_path):
    blocked = (
        "import sys, warnings; sys.modules['fcntl'] = None\n"  # as on Windows: no fcntl module
        "warnings.simplefilter('ignore')\n"
        "from pathlib import Path\n"
        "from viachilena.experiments import cli, runner, store\n"
        f"with store.FolderLock(Path({str(tmp_path / 'f')!r})):\n"
        "    pass\n"
    )
    done = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    with store.FolderLock(tmp_path / "g"):
        assert (tmp_path / "g" / store.LOCK).read_text().strip() == str(os.getpid())
        with pytest.raises(store.FolderError, match=f"another viachilena run \\(pid {os.getpid()}\\)"):
            with store.FolderLock(tmp_path / "g"):
                pass
    assert list((tmp_path / "g").iterdir()) == []
