"""The one pool of worker processes: reading untrusted files and writing per-OPD workbooks.

Built on pebble's :class:`~pebble.ProcessPool` (why pebble: it gives each task its own time limit and
reports a worker that died as the failure of the one task it was running, which is what a batch of
hostile files needs; see the README). On top of it this module adds:

* a memory limit per worker (``RLIMIT_AS``, POSIX only) and no core dumps, set when a worker starts;
* workers that end with the process that owns the pool (a thread waiting on its sentinel; on Linux also
  ``PR_SET_PDEATHSIG``), so a killed run leaves none behind (the fork server and multiprocessing's resource
  tracker end by themselves when the owner's pipes close);
* failures as data: a task that ran out of time or memory, raised, or whose worker died, gives
  :class:`Failed` with a reason (:class:`~pipeline.i18n.Msg`), never an exception; a task whose worker
  died is run once more, in case something outside killed it (the system's out-of-memory killer);
* a pool pebble gave up (it does when a worker dies while it runs no task) is replaced by a fresh one, and
  its tasks count as their workers' death;
* processes started by "forkserver" (Linux) or "spawn": nothing of the parent's state is inherited,
  so functions must be top-level and tasks and results picklable.

``Workers(inline=True)`` runs every task in the calling process, without limits: for tests of pure
logic and tiny trusted runs.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, TimeoutError, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from pebble import ProcessExpired, ProcessPool

from pipeline import settings
from pipeline.i18n import Msg, msg

try:  # POSIX only; on Windows workers run without an address-space limit
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]


# modules the fork server imports once, so that every worker starts with them: reading, and writing
PRELOAD_READ = ("pipeline.intake.read",)
PRELOAD_MERGE = (*PRELOAD_READ, "pipeline.history.read", "pipeline.report.per_opd")


@dataclass(frozen=True)
class Failed:
    """The result of a task that did not finish: why (a catalogue message)."""

    reason: Msg


def prestart(preload: Sequence[str] = ()) -> None:
    """Start the fork server now, in the background, with ``preload`` imported once (forkserver platforms).

    Optional: call it first thing, before loading the rest, so that its start-up overlaps the caller's.
    """
    if settings.START_METHOD != "forkserver":
        return
    from multiprocessing import forkserver

    mp.get_context("forkserver").set_forkserver_preload(list(preload))
    forkserver.ensure_running()


def _start_worker(memory_mb: int) -> None:
    """A worker's start: limits, no Ctrl-C of its own (the parent stops it), end with the parent."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        pass
    _die_with_parent()
    if resource is None:  # pragma: no cover - Windows
        return
    limit = memory_mb * 1024 * 1024
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core dumps from crashing parsers
    except (ValueError, OSError):  # pragma: no cover - limits not settable here
        pass


def _die_with_parent() -> None:
    """End this worker when the process that owns the pool ends, however it ends (kill -9 included).

    Linux: SIGKILL when the parent (the fork server) dies (prctl PR_SET_PDEATHSIG). Everywhere: a thread
    waits on the owner's sentinel (the pipe multiprocessing keeps to it) and exits when it closes; this also
    covers a worker whose parent died before it could ask for the signal.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    owner = mp.parent_process()
    if owner is not None:
        threading.Thread(target=_exit_after, args=(owner,), daemon=True, name="die-with-parent").start()


def _exit_after(owner: Any) -> None:
    owner.join()  # returns when the owner's end of the pipe closes: it has ended
    os._exit(1)


class Workers:
    """A pool of worker processes with a time limit per task and a memory limit per worker.

    Use as a context manager; :meth:`map` runs a function over tasks and returns one result (or
    :class:`Failed`) per task, in order; :meth:`submit` starts one task and returns its future (see
    :meth:`result`).
    """

    def __init__(self, n: int | None = None, *, memory_mb: int = settings.WORKER_MEMORY_MB,
                 inline: bool = False, preload: Sequence[str] = ()) -> None:
        self.n = max(1, n or settings.WORKERS)
        self.memory_mb = memory_mb
        self.inline = inline
        self._preload = tuple(preload)
        self._pool: ProcessPool | None = None
        self._owner: dict[Future, ProcessPool] = {}  # a pending future -> the pool running it

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _get(self) -> ProcessPool:
        if self._pool is not None and not self._pool.active:
            # pebble gives a pool up when a worker dies while it runs no task (killed from outside between two
            # tasks): a fresh pool takes the next tasks, the given-up one's tasks count as their workers' death
            self.close()
        if self._pool is None:
            if settings.START_METHOD == "forkserver" and self._preload:
                prestart(self._preload)
            self._pool = ProcessPool(self.n, initializer=_start_worker, initargs=(self.memory_mb,),
                                     context=mp.get_context(settings.START_METHOD))
        return self._pool

    def close(self) -> None:
        """Stop every worker (running tasks are cancelled)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.stop()
            pool.join(timeout=10)

    def submit(self, func: Callable[[Any], Any], task: Any, timeout: float) -> Future:
        """Start ``func(task)`` in a worker (inline: run it now); collect it with :meth:`result`."""
        if self.inline:
            fut: Future = Future()
            try:
                fut.set_result(func(task))
            except Exception as exc:  # noqa: BLE001 - a failed task is data (see result())
                fut.set_exception(exc)
            return fut
        pool = self._get()
        fut = pool.schedule(func, (task,), timeout=timeout)
        self._owner[fut] = pool
        return fut

    def result(self, fut: Future) -> Any:
        """The future's result, or :class:`Failed` saying why there is none (never raises for the task)."""
        pool = self._owner.pop(fut, None)
        while not fut.done():  # a pool given up never starts the tasks still queued in it
            wait([fut], timeout=0.2)
            if pool is not None and not pool.active and not fut.done():
                return Failed(msg("reason.worker-died"))
        if fut.cancelled() and pool is not None and not pool.active:
            return Failed(msg("reason.worker-died"))
        try:
            return fut.result()
        except TimeoutError as exc:
            return Failed(msg("reason.time", s=f"{exc.args[1]:g}" if len(exc.args) > 1 else "?"))
        except (ProcessExpired, BrokenProcessPool):
            return Failed(msg("reason.worker-died"))
        except MemoryError:
            return Failed(msg("reason.memory", mb=self.memory_mb))
        except Exception as exc:  # noqa: BLE001 - reported as this task's failure
            return Failed(msg("reason.worker-error", name=type(exc).__name__))

    def map(self, func: Callable[[Any], Any], tasks: Iterable[Any], timeout: float | Callable[[Any], float],
            on_progress: Callable[[int, int], None] | None = None, chunk: int = 1) -> list[Any]:
        """``[func(t) for t in tasks]`` in the workers; a task that fails gives :class:`Failed`.

        ``timeout`` is the time limit of one task, or a function giving each task's. With ``chunk`` > 1 the
        tasks go to the workers ``chunk`` at a time (one message each way instead of one per task) within
        the sum of their time limits; a chunk that fails is run again one task at a time,
        so a bad task still costs only itself. A task whose worker died is run once more before it counts
        as failed. ``on_progress(done, total)`` is called in this process as tasks finish (in task order).
        """
        tasks = list(tasks)
        limit = timeout if callable(timeout) else lambda _task: timeout
        size = max(1, min(chunk, len(tasks) // (2 * self.n) or 1))
        groups = [tasks[k:k + size] for k in range(0, len(tasks), size)]
        futures = [self.submit(_run_all, (func, group), sum(map(limit, group))) for group in groups]
        out: list[Any] = []
        for group, fut in zip(groups, futures, strict=True):
            results = self.result(fut)
            if isinstance(results, Failed):
                results = [self._retried(func, task, limit(task)) for task in group]
            out.extend(results)
            if on_progress is not None:
                on_progress(len(out), len(tasks))
        return out

    def _retried(self, func: Callable[[Any], Any], task: Any, timeout: float) -> Any:
        result = self.result(self.submit(func, task, timeout))
        if isinstance(result, Failed) and result.reason.key == "reason.worker-died":
            result = self.result(self.submit(func, task, timeout))  # once more, in case it was killed from outside
        return result


def _run_all(args: tuple[Callable[[Any], Any], list[Any]]) -> list[Any]:
    func, tasks = args
    return [func(task) for task in tasks]
