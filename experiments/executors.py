"""Where runs execute: in this process, in a local process pool, or on a Dask cluster.

Each executor maps a function over tasks and yields the results as they finish (not in
task order), keeping only a bounded window of tasks in flight so that memory does not grow
with the length of a sweep. The function is pure, so the results are the same whichever
executor runs them. Executors hold no resources between calls: the pool or the Dask client
is opened when iteration starts and closed when it ends, is stopped early or fails.

Worker processes this package starts ignore Ctrl-C (the parent stops the sweep and prints
one line) and exit as soon as their parent dies, even by SIGKILL, so no worker outlives
the command that started it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import multiprocessing
import os
import signal
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from itertools import islice
from typing import Protocol

from viachilena.model.errors import ParamError

TASKS_IN_FLIGHT_PER_WORKER = 4
DEFAULT_START_METHOD = "fork" if sys.platform == "linux" else "spawn"
SCHEDULER_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")


class Executor(Protocol):
    """Something that maps a function over tasks, yielding results as they finish, on `workers` processes."""

    workers: int

    def map_unordered(self, function: Callable, tasks: Iterable) -> Iterator:
        """Yield ``function(task)`` for every task, in order of completion."""

    def describe(self) -> str:
        """Describe the executor in a few words (recorded in the manifest)."""


def available_cores() -> int:
    """Return the number of cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@dataclass(frozen=True)
class Serial:
    """Runs tasks one after another in this process."""

    workers: int = 1

    def map_unordered(self, function: Callable, tasks: Iterable) -> Iterator:
        """Yield ``function(task)`` for every task, in task order."""
        for task in tasks:
            yield function(task)

    def describe(self) -> str:
        """Describe the executor in a few words."""
        return "serial"


@dataclass(frozen=True)
class ProcessPool:
    """A local pool of worker processes started with an explicit start method.

    The start method is passed to the pool, never set globally. On Linux it is ``fork``:
    a worker starts as a copy of this process, with the package already imported, in
    milliseconds (a ``spawn``ed one imports numpy, pandas, pyarrow, SciPy and the model
    again, a second or more of CPU per worker, which is most of a short sweep's overhead).
    The pool is started before any thread of this process that a worker could need, and
    its workers only run tasks. Elsewhere it is ``spawn``, which works everywhere (macOS
    frameworks are not fork-safe; Windows has no fork).
    """

    workers: int
    start_method: str = DEFAULT_START_METHOD

    def map_unordered(self, function: Callable, tasks: Iterable) -> Iterator:
        """Yield ``function(task)`` for every task as the pool finishes them."""
        context = multiprocessing.get_context(self.start_method)
        pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context, initializer=bind_to_parent)
        try:
            tasks = iter(tasks)
            window = self.workers * TASKS_IN_FLIGHT_PER_WORKER
            pending = {pool.submit(function, task) for task in islice(tasks, window)}
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    pending.update(pool.submit(function, t) for t in islice(tasks, 1))
                    yield future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def describe(self) -> str:
        """Describe the executor in a few words."""
        return f"process pool ({self.workers} workers, {self.start_method})"


@dataclass(frozen=True)
class DaskCluster:
    """A Dask distributed cluster: an existing scheduler, or a LocalCluster started here.

    With ``address`` the tasks go to that scheduler, whose workers must be able to import
    this package; tasks carry resolved parameters, so no shared file system is needed.
    Without it a :class:`distributed.LocalCluster` of ``workers`` single-threaded processes
    is started and stopped around the sweep.
    """

    address: str | None
    workers: int

    def map_unordered(self, function: Callable, tasks: Iterable) -> Iterator:
        """Yield ``function(task)`` for every task as the cluster finishes them."""
        from distributed import Client, LocalCluster, as_completed

        with contextlib.ExitStack() as stack:
            if self.address is None:
                with _ignoring_interrupts():  # the cluster's processes inherit it: Ctrl-C reaches only this one
                    cluster = stack.enter_context(
                        LocalCluster(
                            n_workers=self.workers,
                            threads_per_worker=1,
                            processes=True,
                            dashboard_address=None,
                            silence_logs=logging.CRITICAL,
                        )
                    )
                client = stack.enter_context(Client(cluster))
            else:
                client = stack.enter_context(Client(self.address))
            tasks = iter(tasks)
            window = self.workers * TASKS_IN_FLIGHT_PER_WORKER
            running = as_completed(client.submit(function, t, pure=False) for t in islice(tasks, window))
            for future in running:
                for task in islice(tasks, 1):
                    running.add(client.submit(function, task, pure=False))
                result = future.result()
                future.release()
                yield result

    def describe(self) -> str:
        """Describe the executor in a few words."""
        where = self.address or f"local cluster of {self.workers} workers"
        return f"dask ({where})"


def bind_to_parent() -> None:
    """Make this worker process ignore Ctrl-C and exit as soon as its parent process dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:

        def exit_with_parent() -> None:
            parent.join()  # returns when the parent's sentinel closes: it has exited or was killed
            os._exit(1)

        threading.Thread(target=exit_with_parent, name="exit-with-parent", daemon=True).start()


@contextlib.contextmanager
def _ignoring_interrupts():
    """Ignore SIGINT while starting processes, so that they start ignoring it too (main thread only)."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def check_scheduler(address: str) -> str:
    """Return a Dask scheduler address if it is well formed (``tcp://host:port``), else raise ParamError."""
    text = address if "://" in address else f"tcp://{address}"
    try:
        parsed = urllib.parse.urlsplit(text)
        well_formed = bool(
            parsed.scheme in SCHEDULER_SCHEMES and parsed.hostname and parsed.port and parsed.path in ("", "/")
        )
    except ValueError:  # a port that is not a number or out of range, a broken IPv6 address
        well_formed = False
    if not well_formed:
        raise ParamError("--scheduler", "", f"a scheduler address such as tcp://host:8786 (got {address!r})")
    return address


def choose_executor(workers: int | None = None, scheduler: str | None = None, dask_local: bool = False) -> Executor:
    """Return the executor the command line asks for; a process pool by default.

    ``workers=1`` without Dask runs serially in this process. Dask is an optional extra
    (``viachilena[dask]``), imported only when `scheduler` or `dask_local` asks for it.
    """
    if scheduler is not None and dask_local:
        raise ParamError("--scheduler", "", "either --scheduler ADDRESS or --dask-local, not both")
    if workers is not None and workers < 1:
        raise ParamError("--workers", "", f"a whole number of at least 1 (got {workers})")
    count = workers or available_cores()
    if (scheduler is not None or dask_local) and importlib.util.find_spec("distributed") is None:
        option = "--scheduler" if scheduler is not None else "--dask-local"
        raise ParamError(option, "", "Dask, which is not installed: pip install 'viachilena[dask]'")
    if scheduler is not None:
        return DaskCluster(check_scheduler(scheduler), count)
    if dask_local:
        return DaskCluster(None, count)
    return Serial() if count == 1 else ProcessPool(count)
