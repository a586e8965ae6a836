"""The ``viachilena`` command line.

Subcommands::

    viachilena --version
    viachilena init DIR [--force]
    viachilena simulate [PARAMS.toml] [--scenario OVERLAY.toml ...] [--set section.key=value ...]
                        [--seed N] [--out DIR]
    viachilena run EXPERIMENT.toml [--replications N] [--workers N]
                   [--scheduler ADDRESS | --dask-local] [--out DIR] [--resume | --fresh]
                   [--fail-fast] [--no-report]
    viachilena check FILE... [--base PARAMS.toml]
    viachilena report DIR
    viachilena rerun DIR RUN_ID
    viachilena calibrate CALIBRATION.toml [--workers N] [--scheduler ADDRESS | --dask-local]
                         [--out DIR] [--maxiter N] [--fresh]
    viachilena params [PARAMS.toml] [--scenario OVERLAY.toml ...]

Files shipped with the package may be named by their stable names instead of paths:
``viachilena simulate`` (the baseline), ``--scenario no_october_strike``,
``viachilena run october_1972``.

Each subcommand is a :class:`Command` in :data:`COMMANDS`: a function that adds its
arguments and one that handles them and returns the exit status. To add a subcommand, write
those two functions and add a line to :data:`COMMANDS`.

Exit status: 0 success, 1 some runs failed, 2 bad input. Bad input (a parameter or
experiment file that cannot be used, a missing or unreadable file, an output folder that
cannot be written or a stored folder that is damaged) is reported as one line
``viachilena: error: <message>`` on stderr, without a traceback, and everything is
validated before any output folder is created. Any other error, and Ctrl-C, is one line
too; everything echoed is stripped of control characters (:mod:`experiments.text`).
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from pydantic import ValidationError

import viachilena
from viachilena import model
from viachilena.experiments import runner
from viachilena.experiments.calibrate import (
    MAX_GENERATIONS,
    calibrate,
    check_maxiter,
    is_calibration_file,
    load_calibration,
)
from viachilena.experiments.columns import events_table, series_frame, series_table
from viachilena.experiments.design import MAX_RUNS
from viachilena.experiments.executors import available_cores, choose_executor
from viachilena.experiments.results import Results
from viachilena.experiments.spec import is_experiment_file, load_experiment
from viachilena.experiments.store import (
    MANIFEST,
    RUNS,
    FolderError,
    read_manifest,
    sha256_file,
    verify_folder,
    write_atomically,
    write_json,
)
from viachilena.experiments.text import printable
from viachilena.experiments.worker import DEFAULT_SIMULATE, OK, UNDEFINED, resolve_simulate, with_values
from viachilena.experiments.workspace import init_folder
from viachilena.model.errors import ParamError, ViaChilenaError
from viachilena.model.loading import BASELINE, parse_override
from viachilena.model.reference import markdown

PROG = "viachilena"
DEFAULT_SEED = 1972


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, one line of help, its arguments and its handler."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    handle: Callable[[argparse.Namespace], int]


def _params_file_argument(parser: argparse.ArgumentParser) -> None:
    """Add the optional parameter file (or shipped name) that ``simulate`` and ``params`` read."""
    parser.add_argument(
        "params",
        type=Path,
        nargs="?",
        default=Path(BASELINE),
        help=f"parameter file (TOML) or shipped name (default {BASELINE})",
    )


def _simulate_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``simulate``."""
    _params_file_argument(parser)
    parser.add_argument(
        "--scenario",
        type=Path,
        action="append",
        default=[],
        metavar="OVERLAY.toml",
        help="overlay file or shipped overlay name (no_october_strike, ...) applied on top (repeatable)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override one parameter; VALUE is a TOML value (repeatable)",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed, 0 <= N < 2**63 (default {DEFAULT_SEED})"
    )
    parser.add_argument("--out", type=Path, metavar="DIR", help="output folder (default reports/simulate-<seed>/)")


def simulate_command(args: argparse.Namespace) -> int:
    """Simulate once; write series, events and summary; print the headline numbers."""
    if not 0 <= args.seed < 2**63:
        raise ParamError("--seed", "", f"a whole number from 0 to 2**63 - 1 (got {args.seed})")
    overrides = dict(parse_override(text) for text in args.set)
    params = model.load_params(args.params, args.scenario, overrides)
    try:
        result = model.simulate(params, args.seed)
    except ViaChilenaError:
        raise
    except Exception as exc:  # the model (or SimPy) refused a value part-way: still bad input, in one line
        raise ParamError(
            args.params, "", f"parameters the model can run to the end (it stopped: {type(exc).__name__}: {exc})"
        ) from None
    out = args.out or runner.REPORTS / f"simulate-{args.seed}"
    out.mkdir(parents=True, exist_ok=True)
    run_id = f"simulate-{args.seed}"
    scenario = "+".join(Path(str(s)).stem for s in args.scenario) or "baseline"
    series, events = series_table(run_id, scenario, result.series), events_table(run_id, scenario, result.events)
    write_atomically(out / "series.parquet", lambda p: pq.write_table(series, p))
    write_atomically(out / "events.parquet", lambda p: pq.write_table(events, p))
    write_json(
        out / "summary.json",
        {
            "params_file": str(args.params),
            "scenarios": [str(s) for s in args.scenario],
            "set": args.set,
            "seed": args.seed,
            "summary": result.summary,
        },
    )
    dates = result.series.index
    print(
        f"{PROG} simulate: seed {args.seed}, {dates[0]:%Y-%m-%d} to {dates[-1]:%Y-%m-%d} "
        f"({len(dates)} days), {len(result.events)} events -> {out}"
    )
    width = max(map(len, result.summary), default=0)
    for name, value in result.summary.items():
        print(f"  {name:<{width}}  {value:>12.4g}")
    return 0


def _run_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``run``."""
    parser.add_argument(
        "experiment", type=Path, help="experiment file (TOML) or shipped experiment name (october_1972, ...)"
    )
    parser.add_argument(
        "--replications", type=int, metavar="N", help="replications per scenario and sweep point (overrides the file)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help=f"worker processes (default one per core, here {available_cores()}); 1 runs serially in this process",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on the Dask cluster of this scheduler (tcp://host:port)"
    )
    where.add_argument("--dask-local", action="store_true", help="start a local Dask cluster and run on it")
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="output folder (default reports/<experiment name>/; with --replications N other than the file's, "
        "reports/<experiment name>_rN/)",
    )
    again = parser.add_mutually_exclusive_group()
    again.add_argument(
        "--resume",
        action="store_true",
        default=True,
        help="keep runs already finished in DIR and run the rest (default)",
    )
    again.add_argument(
        "--fresh", action="store_true", help="discard everything in DIR first (needed if the experiment changed)"
    )
    parser.add_argument("--fail-fast", action="store_true", help="stop at the first failed run")
    parser.add_argument("--no-report", action="store_true", help="do not build the report")
    parser.add_argument(
        "--max-runs",
        type=int,
        default=MAX_RUNS,
        metavar="N",
        help=f"refuse an experiment of more than N runs before starting (default {MAX_RUNS:,})",
    )
    _simulate_option(parser)


def _simulate_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--simulate MODULE:FUNCTION``."""
    parser.add_argument(
        "--simulate",
        default=DEFAULT_SIMULATE,
        metavar="MODULE:FUNCTION",
        help=f"function that simulates one run (default {DEFAULT_SIMULATE}); "
        "for fault injection and alternative models",
    )


def run_command(args: argparse.Namespace) -> int:
    """Run an experiment; exit 1 if any run failed."""
    results = runner.run(
        args.experiment,
        replications=args.replications,
        workers=args.workers,
        scheduler=args.scheduler,
        dask_local=args.dask_local,
        out=args.out,
        resume=not args.fresh,
        fresh=args.fresh,
        fail_fast=args.fail_fast,
        progress=sys.stderr.isatty(),  # a progress bar on a terminal; logs and pipes get the one-line messages only
        simulate=args.simulate,
        max_runs=args.max_runs,
    )
    failed = results.failed
    ok = results.runs[results.runs["status"] == OK]
    undefined = int(ok["error"].str.startswith(UNDEFINED).sum())
    marked = f" ({undefined} with undefined metrics: see the error column of {RUNS})" if undefined else ""
    print(f"{PROG} run: {len(ok)} runs ok{marked}, {len(failed)} failed -> {results.dir}")
    for run_id, error in zip(failed["run_id"][:1], failed["error"][:1], strict=True):
        last_line = error.strip().splitlines()[-1] if error.strip() else "unknown error"
        more = f" (and {len(failed) - 1} more; tracebacks in {results.dir / RUNS})" if len(failed) > 1 else ""
        print(f"{PROG} run: failed: {run_id}: {printable(last_line)}{more}", file=sys.stderr)
    if not args.no_report and importlib.util.find_spec(runner.REPORT_MODULE) is not None:
        try:
            print(f"{PROG} run: report {runner.report_folder(results.dir)}")
        except ViaChilenaError as exc:
            if not len(failed):
                raise
            print(f"{PROG} run: no report: {printable(exc)}")  # the failed runs are the news (stderr)
    return 1 if len(failed) else 0


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``check``."""
    parser.add_argument(
        "files",
        type=Path,
        nargs="+",
        metavar="FILE",
        help="parameter or experiment files (an [experiment] table marks one)",
    )
    parser.add_argument(
        "--base",
        type=Path,
        metavar="PARAMS.toml",
        help="check parameter files as overlays on this parameter file (as simulate --scenario reads them)",
    )


def check_command(args: argparse.Namespace) -> int:
    """Validate parameter, overlay and experiment files; stop at the first bad one."""
    for path in args.files:
        if is_experiment_file(path):
            load_experiment(path)
        elif is_calibration_file(path):
            load_calibration(path)
        elif args.base is not None:
            model.load_params(args.base, [path])
        else:
            model.load_params(path)
        print(f"ok: {path}")
    return 0


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``report``."""
    parser.add_argument(
        "directory", type=Path, metavar="DIR", help="folder an experiment wrote (runs.parquet, manifest.json, ...)"
    )


def report_command(args: argparse.Namespace) -> int:
    """Rebuild the report of a stored experiment from its results alone (refusing a damaged folder)."""
    print(f"{PROG} report: {runner.report_folder(args.directory)}")
    return 0


def _rerun_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``rerun``."""
    parser.add_argument("directory", type=Path, metavar="DIR", help="folder an experiment wrote")
    parser.add_argument("run_id", metavar="RUN_ID", help="the run to reproduce (a run_id of DIR/runs.parquet)")
    _simulate_option(parser)


def rerun_command(args: argparse.Namespace) -> int:
    """Re-run one stored run from its folder's manifest; exit 1 unless it reproduces exactly.

    The parameters are the scenario's resolved parameters stored in the manifest (the
    parameter file, overlays and overrides as they were when the run ran) with the run's
    sweep values on top; the seed is the stored one. The function that simulates is the
    package's model, or the one named with ``--simulate``: a stored folder is data and never
    chooses code to run. Its series and metrics must equal the stored ones exactly.
    """
    directory, run_id = args.directory, args.run_id
    verify_folder(directory)
    manifest = read_manifest(directory)
    if manifest is None:
        raise FolderError(f"{directory} holds no experiment ({MANIFEST} missing)")
    stored = Results(directory)
    row = _stored_row(stored, run_id)
    if row["status"] != OK:
        raise FolderError(f"{directory}: run {run_id} did not finish when it ran ({row['status']}); nothing to compare")
    scenarios = manifest.get("scenario_params")
    if not isinstance(scenarios, dict) or not isinstance(scenarios.get(row["scenario"]), dict):
        raise FolderError(f"{directory / MANIFEST}: no resolved parameters of scenario {row['scenario']!r}")
    values = {key: _value(row[column]) for column, key in stored.parameters.items()}
    try:
        params = with_values(model.Params.model_validate_json(json.dumps(scenarios[row["scenario"]])), values)
    except ValidationError as exc:
        detail = printable(exc.errors()[0]["msg"])
        raise ParamError(directory / MANIFEST, "scenario_params", f"parameters this model accepts ({detail})") from None
    for path, digest in manifest.get("inputs", {}).items():
        if not Path(path).is_file() or sha256_file(Path(path)) != digest:
            print(f"{PROG} rerun: note: {printable(path)} changed since the run; the stored parameters are used")
    simulated_by = manifest.get("simulate", DEFAULT_SIMULATE)
    if simulated_by != args.simulate:
        print(
            f"{PROG} rerun: note: the run was simulated by {printable(simulated_by)!r}; this rerun uses "
            f"{args.simulate!r} (name another with --simulate)"
        )
    result = resolve_simulate(args.simulate)(params, int(row["seed"]))
    difference = _first_difference(stored, row, result)
    if difference:
        print(f"{PROG} rerun: {run_id} not reproduced: {printable(difference)}", file=sys.stderr)
        return 1
    print(f"{PROG} rerun: {run_id} reproduced (seed {row['seed']}): series and metrics identical")
    return 0


def _stored_row(stored: Results, run_id: str) -> dict:
    """Return the stored row of `run_id` (from runs.parquet, or the parts of an unfinished sweep)."""
    missing = [c for c in ("run_id", "scenario", "seed", "status") if c not in stored.runs.columns]
    if missing:
        raise FolderError(f"{stored.dir / RUNS} lacks the column {missing[0]!r}; it was not written by this version")
    match = stored.runs[stored.runs["run_id"] == run_id]
    if match.empty:
        hint = _close(run_id, stored.runs["run_id"])
        raise ParamError("RUN_ID", "", f"a run_id stored in {stored.dir} (got {run_id!r}){hint}")
    return match.iloc[0].to_dict()


def _close(word: str, choices) -> str:
    """``"; did you mean 'x'?"`` for a near miss, else empty."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _value(value):
    """A parameter value from a parquet row as Python (numpy scalars unwrapped; dates stay dates)."""
    return value.item() if hasattr(value, "item") else value


def _plain(value):
    """A value from a parquet row as JSON: numpy scalars as Python, dates as ISO text."""
    value = value.item() if hasattr(value, "item") else value
    return value.isoformat() if hasattr(value, "isoformat") else value


def _first_difference(stored_results: Results, row: dict, result: model.Run) -> str:
    """Describe the first difference between a rerun and the stored run, or return ``""``."""
    manifest = stored_results.manifest
    for metric in manifest["experiment"]["metrics"]:
        stored, now = float(row[metric]), float(result.summary[metric])
        if stored != now and not (math.isnan(stored) and math.isnan(now)):
            return f"metric {metric}: stored {stored!r}, now {now!r}"
    columns = manifest["experiment"]["series"]
    if columns == []:
        return ""
    stored = stored_results.series(row["run_id"])
    frame = result.series if columns is None else result.series.loc[:, columns]
    now = series_frame(series_table(row["run_id"], row["scenario"], frame))  # through the stored columns' types
    if list(now.columns) != list(stored.columns):
        return f"columns: stored {list(stored.columns)}, now {list(now.columns)}"
    if not now.index.equals(stored.index):
        return f"dates: stored {stored.index[0]:%Y-%m-%d}..{stored.index[-1]:%Y-%m-%d} ({len(stored)}), " + (
            f"now {now.index[0]:%Y-%m-%d}..{now.index[-1]:%Y-%m-%d} ({len(now)})"
        )
    for column in stored.columns:
        same = (stored[column] == now[column]) | (stored[column].isna() & now[column].isna())
        if not same.all():
            date = same.index[~same.to_numpy()][0]
            was, is_now = _plain(stored.at[date, column]), _plain(now.at[date, column])
            return f"column {column} on {date:%Y-%m-%d}: stored {was!r}, now {is_now!r}"
    try:
        pd.testing.assert_frame_equal(now, stored, check_exact=True)
    except AssertionError as exc:
        return " ".join(str(exc).split())
    return ""


def _calibrate_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``calibrate``."""
    parser.add_argument("calibration", type=Path, help="calibration file (TOML with a [calibration] table)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--scheduler", default=None, metavar="ADDRESS", help="Dask scheduler to send runs to")
    where.add_argument("--dask-local", action="store_true", help="start a local Dask cluster for the runs")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default reports/<name>/)")
    parser.add_argument(
        "--maxiter",
        type=int,
        default=None,
        help=f"generations of the search, 1 to {MAX_GENERATIONS:,} (default: the file's)",
    )
    parser.add_argument("--fresh", action="store_true", help="discard an earlier trace instead of resuming from it")


def calibrate_command(args: argparse.Namespace) -> int:
    """Fit parameters to the record; resume from the folder's trace unless --fresh."""
    check_maxiter(args.maxiter)  # limits first: nothing is read or written with a bad one
    cal = load_calibration(args.calibration)
    executor = choose_executor(args.workers, args.scheduler, args.dask_local)
    out = args.out or Path("reports") / cal.spec.name
    if args.fresh and (out / "trace.jsonl").exists():
        (out / "trace.jsonl").unlink()
    report = calibrate(cal, out, executor, maxiter=args.maxiter)
    print(report[["metric", "fit_low", "fit_high", "simulated_mean", "inside"]].to_string(index=False))
    print(f"{PROG} calibrate: {int(report.inside.sum())} of {len(report)} targets inside -> {out / 'fitted.toml'}")
    return 0


def _params_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``params``."""
    _params_file_argument(parser)
    parser.add_argument("--scenario", type=Path, action="append", default=[], metavar="OVERLAY.toml")


def params_command(args: argparse.Namespace) -> int:
    """Print the parameter reference (key, value, unit, description) as Markdown."""
    print(markdown(model.load_params(args.params, args.scenario)), end="")
    return 0


def _init_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``init``."""
    parser.add_argument("directory", type=Path, metavar="DIR", help="folder to create (or an empty one)")
    parser.add_argument(
        "--force", action="store_true", help="copy into a folder that is not empty, overwriting earlier copies"
    )


def init_command(args: argparse.Namespace) -> int:
    """Copy the shipped parameters and experiments into a folder to edit."""
    written = init_folder(args.directory, force=args.force)
    print(f"{PROG} init: {len(written)} files -> {args.directory} (params/, experiments/)")
    print(f"  try: cd {args.directory} && {PROG} run experiments/october_1972.toml --replications 5")
    return 0


COMMANDS = (
    Command("init", "copy the shipped parameters and experiments into a folder to edit", _init_arguments, init_command),
    Command(
        "simulate", "simulate once and write its series, events and summary", _simulate_arguments, simulate_command
    ),
    Command("run", "run an experiment file (scenarios x sweep x replications)", _run_arguments, run_command),
    Command("check", "validate parameter and experiment files", _check_arguments, check_command),
    Command("report", "rebuild an experiment's report from its stored results", _report_arguments, report_command),
    Command("rerun", "re-run one stored run and check it reproduces exactly", _rerun_arguments, rerun_command),
    Command("calibrate", "fit parameters to the historical record", _calibrate_arguments, calibrate_command),
    Command("params", "print the parameter reference of a parameter file", _params_arguments, params_command),
)


class Parser(argparse.ArgumentParser):
    """An argument parser that reports a usage error in one line (and exit status 2)."""

    def error(self, message: str):  # noqa: D102
        self.exit(2, f"{PROG}: error: {printable(message)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand of :data:`COMMANDS`."""
    parser = Parser(prog=PROG, description=model.__doc__ and model.__doc__.strip().splitlines()[0])
    parser.add_argument("--version", action="version", version=f"{PROG} {viachilena.__version__}")
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        sub = subcommands.add_parser(command.name, help=command.help, description=command.help)
        command.add_arguments(sub)
        sub.set_defaults(handle=command.handle)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.handle(args)
    except (ViaChilenaError, OSError) as exc:
        print(f"{PROG}: error: {printable(_describe(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    except Exception as exc:  # anything else is still one line, never a traceback
        print(f"{PROG}: error: {printable(_describe(exc))} (unexpected {type(exc).__name__})", file=sys.stderr)
        return 2


def _describe(exc: BaseException) -> str:
    """Return an error as one line: an OSError as its reason and file name."""
    if isinstance(exc, OSError) and exc.strerror:
        names = " -> ".join(str(n) for n in (exc.filename, exc.filename2) if n is not None)
        text = f"{exc.strerror}: {names}" if names else exc.strerror
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.split())
