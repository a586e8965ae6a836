"""Where runs execute: in this process, in a local process pool, or on a Dask cluster.

Each executor maps a function over tasks and yields the results as they finish (not in
task order), keeping only a bounded window of tasks in flight so that memory does not grow
with the length of a sweep. The function is pure, so the results are the same whichever
executor runs them. Executors hold no resources between calls: the pool or the Dask client
is opened when iteration starts and closed when it ends, is stopped early or fails.
"""

from __future__ import annotations

import contextlib
import importlib.util
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from itertools import islice
from typing import Protocol

from viachilena.model.errors import ParamError

TASKS_IN_FLIGHT_PER_WORKER = 4


class Executor(Protocol):
    """Something that maps a function over tasks, yielding results as they finish."""

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

    The start method is passed to the pool, never set globally; ``spawn`` works everywhere
    and does not copy the parent's threads or open files.
    """

    workers: int
    start_method: str = "spawn"

    def map_unordered(self, function: Callable, tasks: Iterable) -> Iterator:
        """Yield ``function(task)`` for every task as the pool finishes them."""
        context = multiprocessing.get_context(self.start_method)
        pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
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
    this package and read the parameter files at the same paths (a shared file system).
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
                cluster = stack.enter_context(
                    LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True, dashboard_address=None)
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
        return DaskCluster(scheduler, count)
    if dask_local:
        return DaskCluster(None, count)
    return Serial() if count == 1 else ProcessPool(count)
