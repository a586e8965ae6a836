"""A property of every command: random experiment and parameter files, random ``--set`` values, random damage.

For each generated case: ``check``, ``run``, ``report``, ``rerun`` and ``simulate`` exit 0, 1 or 2
with at most one line on stderr and no traceback; no file outside the output folders changes; a
``run`` refused as bad input writes nothing; a stored folder with one file deleted, truncated or
replaced with random bytes is refused by ``report`` naming that file; and a resume on it ends
with the results of the undamaged folder. Bounded to about a minute.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.support import same_results
from viachilena import experiments
from viachilena.experiments import store
from viachilena.experiments.cli import main

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "params" / "baseline.toml"
KEYS = ["hoarding.propensity", "government.stance_after_conciliation", "popular_power.belts", "hoarding.nope", "run"]
VALUES = ["0.3", "-1", "2", "1e400", "true", '"back"', "back", '"bak"', "1972-10-13", "[]", "{}", '"\\u001b[2J"']
METRICS = [
    '["reserves_end_1970", "aps_firms_end"]',
    '["capital_flight_total_usd"]',
    '["gdp_growth_1972"]',
    '["reserves_end_1970", "gdp_growth_1972"]',
    "[]",
    '["no_such_metric"]',
]
GOOD = {
    ("hoarding.propensity", "0.3"),
    ("government.stance_after_conciliation", '"back"'),
    ("government.stance_after_conciliation", "back"),
    ("popular_power.belts", "2"),
}
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=24)


def toml_string(value: str) -> str:
    """A TOML basic string holding `value` (JSON's escapes are TOML's, bar a few TOML refuses)."""
    return json.dumps(value, ensure_ascii=False)


@st.composite
def cases(draw) -> dict:
    valid = draw(st.integers(0, 3)) > 0  # three cases in four are meant to run, the rest is anything
    others = st.sampled_from(["backed", "alt", "bad name", "n" * 70] if not valid else ["backed", "alt"])
    names = ["historical", *draw(st.lists(others, max_size=1))] if valid or draw(st.booleans()) else [draw(others)]
    overlay = "\n".join(
        f"[{key.split('.')[0]}]\n{key.split('.', 1)[-1]} = {value}"
        for key, value in draw(st.lists(st.tuples(st.sampled_from(KEYS[:4]), st.sampled_from(VALUES)), max_size=2))
        if not valid or (key, value) in GOOD
    )
    sets = draw(st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), max_size=2))
    sets = sets if not valid else {k: v for k, v in sets.items() if (k, v) in GOOD}
    replications = draw(st.integers(1, 2))
    sweep = replications == 1 and draw(st.booleans())
    return {
        "names": names,
        "description": draw(text),
        "overlay": overlay,
        "sets": sets,
        "replications": replications,
        "end": draw(st.sampled_from(["1970-11-05", "1970-12-31"])),
        "metrics": draw(st.sampled_from(METRICS[:4] if valid else METRICS)),
        "sweep": sweep,
        "victim": draw(st.integers(0, 10**6)),
        "damage": draw(st.sampled_from(["delete", "truncate", "random"])),
        "seed": draw(st.binary(min_size=8, max_size=8)),
        "set_argument": f"{draw(st.sampled_from(KEYS))}={draw(st.sampled_from(VALUES + ['', '=', 'x y']))}",
    }


def write_files(folder: Path, case: dict) -> Path:
    (folder / "overlay.toml").write_text(case["overlay"] + "\n")
    scenarios = ""
    for name in case["names"]:
        scenarios += f'\n[scenarios.{toml_string(name)}]\noverlays = ["overlay.toml"]\n'
        if name != "historical" and case["sets"]:
            scenarios += "set = { " + ", ".join(f'"{k}" = {v}' for k, v in case["sets"].items()) + " }\n"
    sweep = '\n[sweep]\nmethod = "lhs"\nsamples = 2\n[sweep.parameters]\n' if case["sweep"] else ""
    sweep += '"hoarding.propensity" = { low = 0.1, high = 0.5 }\n' if case["sweep"] else ""
    path = folder / "experiment.toml"
    path.write_text(
        f'[experiment]\nname = "prop"\ndescription = {toml_string(case["description"] or "x")}\n'
        f'params = "{BASELINE}"\nseed = 1\nreplications = {case["replications"]}\nreference = "historical"\n'
        f'end = {case["end"]}\nseries = ["gdp"]\nmetrics = {case["metrics"]}\n{scenarios}{sweep}',
        encoding="utf-8",
    )
    return path


def command(*argv) -> int:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main([str(a) for a in argv])
        except SystemExit as exit_:  # argparse's usage errors
            status = exit_.code
    errors = err.getvalue()
    assert status in (0, 1, 2), (argv, status, errors)
    assert "Traceback" not in errors and errors.count("\n") <= 1, (argv, errors)
    assert "\x1b" not in out.getvalue() + errors
    command.last_error = errors
    return status


def snapshot(folder: Path, outputs: tuple[Path, ...]) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file() and not any(o in p.parents for o in outputs)
    }


def damage(out: Path, case: dict) -> Path:
    recorded = sorted(store.read_ledger(out)[1])
    victim = out / recorded[case["victim"] % len(recorded)]
    size = victim.stat().st_size
    if case["damage"] == "delete":
        victim.unlink()
    elif case["damage"] == "truncate":
        victim.write_bytes(victim.read_bytes()[: size // 2])
    else:
        victim.write_bytes(hashlib.sha256(case["seed"]).digest() * (size // 32 + 1))
    return victim


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_every_command_keeps_its_promises_on_random_files_settings_and_damage(case):
    with tempfile.TemporaryDirectory() as name, contextlib.chdir(name):  # a stray relative write lands in root
        root = Path(name)
        path = write_files(root, case)
        out, reference, single = root / "out", root / "reference", root / "single"
        before = snapshot(root, (out, reference, single))
        command("check", path)
        command("simulate", BASELINE, "--set", case["set_argument"], "--set", "run.end=1970-11-30", "--out", single)
        status = command("run", path, "--workers", "1", "--out", out, "--no-report")
        event(f"run exit {status}")
        if status == 2:
            assert not out.exists(), "a refused run wrote its output folder"
        else:
            shutil.copytree(out, reference)
            victim = damage(out, case)
            assert command("report", out) == 2 and str(victim) in command.last_error
            run_id = experiments.Results(reference).runs["run_id"].iloc[0]
            assert command("rerun", out, run_id) == 2
            assert command("run", path, "--workers", "1", "--out", out, "--no-report") == status
            assert store.damaged_files(out) == {}
            same_results(out, reference)
            assert command("rerun", out, run_id) in (0, 2)  # 2: the run itself failed, nothing to compare
        assert snapshot(root, (out, reference, single)) == before
        assert {p.name for p in root.iterdir()} <= {"experiment.toml", "overlay.toml", "out", "reference", "single"}
