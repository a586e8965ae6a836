"""Run an experiment end to end: validate, plan, execute, stream to disk, resume.

:func:`run` is what ``viachilena run`` calls. Everything that can be checked is checked
before the output folder is touched: the experiment file, the executor options, the
simulate function and whether the folder holds a different experiment. Then the folder is
locked, runs already finished on disk are skipped, the rest execute wherever the options
say, in chunks (:func:`chunk_size`), and each chunk's outcomes are stored as they arrive.
:func:`report_folder` builds a stored folder's report and records its files.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import math
from collections.abc import Iterator
from pathlib import Path

from tqdm import tqdm

from viachilena import model
from viachilena.experiments import manifest as manifests
from viachilena.experiments import sensitivity
from viachilena.experiments.columns import run_schema
from viachilena.experiments.design import PlannedRun, check_size, run_table
from viachilena.experiments.executors import choose_executor
from viachilena.experiments.results import Results
from viachilena.experiments.spec import Experiment, load_experiment
from viachilena.experiments.store import (
    LEDGER,
    RUNS,
    FolderError,
    FolderLock,
    RunStore,
    check_folder,
    clear_folder,
    open_ledger,
    own_manifest,
    read_manifest,
    read_runs,
    record_files,
    verify_folder,
    write_manifest,
    write_scenarios,
)
from viachilena.experiments.text import printable
from viachilena.experiments.worker import DEFAULT_SIMULATE, OK, Task, execute, resolve_simulate

REPORTS = Path("reports")
REPORT_MODULE = "viachilena.experiments.report"  # imported only when a report is asked for (matplotlib)
CHUNKS_PER_WORKER = 8  # a chunk is at most this share of a worker's remaining runs: chunks shrink to one run
MAX_CHUNK = 16  # runs a chunk holds at most: a kill or Ctrl-C loses little, the progress bar moves


def default_folder(experiment: Experiment, replications: int | None = None) -> Path:
    """Return where an experiment's results go unless told otherwise: ``reports/<name>``.

    With `replications` other than the file's (a quick look), ``reports/<name>_r<replications>``,
    so a quick look and the full run never share a folder.
    """
    if replications is None or replications == experiment.replications:
        return REPORTS / experiment.name
    return REPORTS / f"{experiment.name}_r{replications}"


def run(
    spec_or_path: Experiment | Path | str,
    *,
    replications: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: bool = False,
    out: Path | str | None = None,
    resume: bool = True,
    fresh: bool = False,
    fail_fast: bool = False,
    progress: bool = True,
    simulate: str = DEFAULT_SIMULATE,
    report: bool = False,
    max_runs: int | None = None,
) -> Results:
    """Run every run of an experiment not yet stored in its folder; return the results.

    Arguments:
        spec_or_path: an experiment file, the stable name of a shipped experiment
            (``"october_1972"``), or a loaded :class:`Experiment`.
        replications: replications per scenario and sweep point (default: the file's).
        workers: worker processes (default one per core; 1 runs serially in this process).
        scheduler: the address of a Dask scheduler (``"tcp://host:8786"``) to run on;
            needs the ``viachilena[dask]`` extra.
        dask_local: start a Dask cluster on this machine and run on it (the same extra).
        out: the output folder (default ``reports/<experiment name>``, or
            ``reports/<experiment name>_r<replications>`` when `replications` differs from the file's).
        resume: keep finished runs already in `out` and run the rest; with False a
            folder that already holds runs is refused.
        fresh: empty `out` first (needed when the experiment changed).
        fail_fast: stop at the first failed run.
        progress: show a progress bar.
        simulate: the function that simulates one run, as ``"module:function"``.
        report: also build the report (``report.html``, figures, tables) in `out`;
            without it nothing but the results is written (``viachilena run`` builds it
            unless ``--no-report``).
        max_runs: refuse an experiment of more than this many runs before anything starts
            (default :data:`~experiments.design.MAX_RUNS`).

    Returns the :class:`Results` read back from `out`. Raises :class:`ParamError` for an
    experiment that cannot run and :class:`FolderError` for a folder that cannot be used,
    before anything is written.
    """
    experiment = spec_or_path if isinstance(spec_or_path, Experiment) else load_experiment(spec_or_path)
    directory = Path(out) if out is not None else default_folder(experiment, replications)
    if replications is not None:
        experiment = experiment.with_replications(replications)
    check_size(experiment, max_runs)
    planned = run_table(experiment)
    executor = choose_executor(workers, scheduler, dask_local)
    resolve_simulate(simulate)
    params = resolved_params(experiment)
    fingerprint = manifests.spec_hash(experiment, simulate)
    check_folder(directory, fingerprint, fresh)

    with FolderLock(directory):
        check_folder(directory, fingerprint, fresh)  # again, now that no one else can write
        if fresh:
            clear_folder(directory)
        open_ledger(directory, fingerprint)  # before anything else: the folder is now provably this tool's
        previous = own_manifest(directory)
        manifest = manifests.new_manifest(experiment, simulate, executor.describe(), previous)
        store = RunStore(directory, run_schema(experiment.sweep, experiment.metrics))
        done = store.finished()
        if done and not resume:
            raise FolderError(
                f"{directory} already holds {len(done)} finished runs; "
                "use --resume to keep them or --fresh to discard them"
            )
        write_manifest(directory, manifest)
        write_scenarios(directory, experiment.scenario_params)
        todo = [p for p in planned if p.run_id not in done]
        failures = executed = 0
        bar = tqdm(
            total=len(planned),
            initial=len(planned) - len(todo),
            disable=not progress,
            desc=experiment.name,
            unit="run",
            dynamic_ncols=True,
        )
        tasks = _tasks(experiment, params, todo, simulate, fail_fast, executor.workers)
        chunks = executor.map_unordered(execute, tasks)
        try:
            with bar, contextlib.closing(chunks):
                for outcomes in chunks:
                    store.record_all(outcomes)
                    failed = sum(outcome.failed for outcome in outcomes)
                    failures += failed
                    executed += len(outcomes)
                    bar.set_postfix(failed=failures, refresh=False)
                    bar.update(len(outcomes))
                    if failed and fail_fast:
                        break
        finally:
            store.flush()
        runs = store.consolidate()
        if experiment.sweep is not None and experiment.sweep.method == "saltelli":
            sensitivity.analyse(directory)  # rebuilt from runs.parquet on every finish
            record_files(directory, [directory / f"{sensitivity.TABLE}.{kind}" for kind in ("parquet", "csv")])
        counts = {
            "planned": len(planned),
            "stored": len(runs),
            "ok": int((runs["status"] == "ok").sum()),
            "failed": int((runs["status"] == "failed").sum()),
            "resumed": len(done),
            "executed": executed,
        }
        write_manifest(directory, manifests.finish_manifest(manifest, counts))
    if report:
        report_folder(directory)
    return Results(directory, verify=False)  # just written, under the lock


def report_folder(directory: Path | str) -> Path:
    """Build the report of a stored experiment and record its files; return the HTML page's path.

    The folder's files are checked first (a damaged one is named with the command that
    repairs it), and a reference scenario whose every run failed is refused. The report's
    files are recorded in the folder's record, so ``--fresh`` deletes them too.
    """
    directory = Path(directory)
    verify_folder(directory)
    manifest = read_manifest(directory) or {}
    reference = (manifest.get("experiment") or {}).get("reference")
    if (directory / RUNS).is_file() and isinstance(reference, str):
        runs = read_runs(directory).select(["scenario", "status"]).to_pandas()
        if not ((runs["scenario"] == reference) & (runs["status"] == OK)).any():
            raise FolderError(
                f"{directory / RUNS}: every run of the reference scenario {printable(reference)!r} failed, "
                "so there is nothing to compare with; fix the failure (the error column says why) and run again"
            )
    page = importlib.import_module(REPORT_MODULE).build_report(directory)
    if (directory / LEDGER).is_file():  # a folder of this tool: --fresh deletes its report too
        built = [directory / name for name in ("report.md", "report.html")]
        record_files(directory, [*built, *(p for sub in ("figures", "tables") for p in (directory / sub).rglob("*"))])
    return page


def resolved_params(experiment: Experiment) -> dict[str, model.Params]:
    """Each scenario's parameters as the manifest records them, validated once before the first run."""
    return {
        name: model.Params.model_validate_json(json.dumps(tree)) for name, tree in experiment.scenario_params.items()
    }


def chunk_size(remaining: int, workers: int) -> int:
    """Runs the next task holds, with `remaining` runs still to hand out (guided self-scheduling).

    A chunk is at most 1 / :data:`CHUNKS_PER_WORKER` of a worker's share of the remaining
    runs and at most :data:`MAX_CHUNK`: large while much remains (few messages), down to one
    run at the end (no worker idles while another finishes a long chunk).
    """
    return max(1, min(MAX_CHUNK, math.ceil(remaining / (workers * CHUNKS_PER_WORKER))))


def _tasks(
    experiment: Experiment,
    params: dict[str, model.Params],
    planned: list[PlannedRun],
    simulate: str,
    fail_fast: bool,
    workers: int,
) -> Iterator[Task]:
    """Turn planned runs into self-contained chunks for `workers` workers (no input file is read again).

    Chunks are made as the executor asks for them, each sized by :func:`chunk_size`.
    """
    start = 0
    while start < len(planned):
        chunk = tuple(planned[start : start + chunk_size(len(planned) - start, workers)])
        start += len(chunk)
        yield Task(
            runs=chunk,
            params={name: params[name] for name in dict.fromkeys(run.scenario for run in chunk)},
            metrics=experiment.metrics,
            series=experiment.series,
            simulate=simulate,
            fail_fast=fail_fast,
        )
