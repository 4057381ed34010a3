"""Run untrusted parsing in child processes with memory and time limits.

:func:`run_isolated` maps a top-level function over tasks in a small pool of worker
processes. Each worker gets an address-space limit (``RLIMIT_AS``, where the platform has
it) and each task a wall-clock limit. A worker that dies (crash, ``os._exit``, killed by a
signal) or a task that runs too long does not stop the batch: the task's result becomes
``on_failure(task, reason)``, the worker is replaced and the other tasks go on.

Design notes:

* Every worker has its own pipe. Tasks are sent in chunks (one message per chunk) and each
  result comes back as soon as it is ready, in order, so the parent always knows which task
  a worker is running: when a worker dies, exactly that task is the culprit, and the rest of
  its chunk is handed out again. The culprit of a death is retried once, alone in a fresh
  process, so that a death with an outside cause (e.g. the system's out-of-memory killer)
  does not condemn an innocent file; a task that exceeds the time limit or raises
  ``MemoryError`` is not retried (its own cost was measured).
* Processes are started with "forkserver" where available (Linux), else "spawn"
  (Windows, macOS): nothing of the parent's state is inherited, so ``func`` must be a
  top-level function and tasks and results must be picklable.
* A task's time starts when it is sent to an idle worker or when the worker answers the task
  before it; the first task of a new worker also pays for the process start.
* ``isolate=False`` runs everything in the calling process, with no memory or time limits:
  for tests of pure logic and for trusted tiny runs only.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import signal
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

try:  # POSIX only; on Windows workers run without an address-space limit
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

# (young objects, young collections, middle collections) between garbage collections in a batch process,
# against Python's (700, 10, 10): a batch allocates millions of small, long-lived, acyclic objects (cells,
# answers, scores), and at the default rate re-examining them took ~0.5 s of CPU in a 1,000-file merge
GC_THRESHOLDS = (100_000, 50, 100)
REASON_MEMORY = "memori {mb} MB"
REASON_TIME = "waktu {s:g} s"
REASON_DIED = "proses pembaca berhenti"
REASON_ERROR = "galat pembaca ({name})"


@dataclass(frozen=True)
class Failure:
    """The result of a failed task when no ``on_failure`` callback is given."""

    reason: str


def run_isolated(func: Callable[[Any], Any], tasks: Sequence[Any], workers: int = 2, timeout_s: float = 60,
                 memory_mb: int = 1024, on_progress: Callable[[int, int], None] | None = None,
                 on_failure: Callable[[Any, str], Any] | None = None, *, isolate: bool = True,
                 chunksize: int | None = None, start_method: str | None = None,
                 preload: Sequence[str] = ()) -> list[Any]:
    """Return ``[func(task) for task in tasks]``, computed in worker processes with limits.

    Args:
        func: a top-level (picklable) function of one argument.
        tasks: picklable arguments, one per call.
        workers: number of worker processes (at least 1).
        timeout_s: wall-clock limit for one task.
        memory_mb: address-space limit of each worker (POSIX only).
        on_progress: called in the parent as ``on_progress(done, total)`` after each task.
        on_failure: ``on_failure(task, reason)`` gives the result of a task whose worker died,
            ran out of time or memory, or raised; ``reason`` is a short Indonesian text such as
            "memori 1024 MB", "waktu 60 s" or "proses pembaca berhenti". Without it the result
            is a :class:`Failure`.
        isolate: False runs in this process, without limits (tests and trusted tiny runs).
        chunksize: tasks sent to a worker at once (default: from the number of tasks).
        start_method: multiprocessing start method (default "forkserver", else "spawn").
        preload: modules the fork server imports once before forking workers (forkserver only).

    Returns:
        One result per task, in task order.
    """
    tasks = list(tasks)
    fail = on_failure or _default_failure
    if not isolate:
        return _run_inline(func, tasks, memory_mb, on_progress, fail)
    if not tasks:
        return []
    workers = max(1, min(workers, len(tasks)))
    if chunksize is None:
        chunksize = max(1, min(16, len(tasks) // (workers * 8)))
    if start_method is None:
        start_method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    ctx = mp.get_context(start_method)
    if start_method == "forkserver" and preload:
        start_server(preload)  # no effect when this process's fork server is already running
    pool = _Pool(func, tasks, workers, timeout_s, memory_mb, on_progress, fail, chunksize, ctx)
    return pool.run()


def tune_gc() -> None:
    """Collect garbage less often in this process (:data:`GC_THRESHOLDS`): for the batch's own processes,
    whose objects are mostly acyclic; reference cycles are still collected, only in larger rounds."""
    gc.set_threshold(*GC_THRESHOLDS)


def start_server(preload: Sequence[str] = ()) -> None:
    """Start the fork server now, in the background, importing ``preload`` (forkserver platforms only).

    Optional: :func:`run_isolated` starts it when first needed. Started early (before the caller
    loads its own modules and lists its tasks) its start-up runs on another core meanwhile; every
    worker forked from it starts with ``preload`` already imported. No effect once it runs.
    """
    if "forkserver" not in mp.get_all_start_methods():
        return
    from multiprocessing import forkserver

    mp.get_context("forkserver").set_forkserver_preload(list(preload))
    forkserver.ensure_running()


def _default_failure(_task: Any, reason: str) -> Failure:
    return Failure(reason)


def _run_inline(func: Callable[[Any], Any], tasks: list[Any], memory_mb: int,
                on_progress: Callable[[int, int], None] | None, fail: Callable[[Any, str], Any]) -> list[Any]:
    results = []
    for i, task in enumerate(tasks, 1):
        try:
            result = func(task)
        except MemoryError:
            result = fail(task, REASON_MEMORY.format(mb=memory_mb))
        except Exception as exc:  # noqa: BLE001 - one bad task must not stop the batch
            result = fail(task, REASON_ERROR.format(name=type(exc).__name__))
        results.append(result)
        if on_progress is not None:
            on_progress(i, len(tasks))
    return results


# ---------------------------------------------------------------------- child side


def _limit_memory(memory_mb: int) -> None:
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


def _worker_main(conn: Connection, func: Callable[[Any], Any], memory_mb: int) -> None:
    """Worker loop: receive chunks of (index, task), send ("ok"|"mem"|"exc", index, payload) each."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        pass
    _limit_memory(memory_mb)
    tune_gc()
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        for idx, task in chunk:
            try:
                msg = ("ok", idx, func(task))
            except MemoryError:
                msg = ("mem", idx, None)
            except Exception as exc:  # noqa: BLE001 - reported to the parent as this task's failure
                msg = ("exc", idx, type(exc).__name__)
            try:
                conn.send(msg)
            except MemoryError:
                conn.send(("mem", idx, None))
            except (EOFError, OSError):
                return
            except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable result
                conn.send(("exc", idx, type(exc).__name__))


# ---------------------------------------------------------------------- parent side


class _Worker:
    def __init__(self, ctx: Any, func: Callable[[Any], Any], memory_mb: int) -> None:
        parent_end, child_end = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child_end, func, memory_mb), daemon=True)
        self.proc.start()
        child_end.close()
        self.conn: Connection = parent_end
        self.queue: deque[int] = deque()  # task indices sent and not yet answered, in order
        self.started = time.monotonic()  # when the task at the head of the queue started
        self.used = False

    def send(self, indices: list[int], tasks: list[Any]) -> bool:
        """Send a chunk; False when the worker is already gone (the chunk stays queued)."""
        if not self.queue:
            self.started = time.monotonic()
        self.queue.extend(indices)
        self.used = True
        try:
            self.conn.send([(i, tasks[i]) for i in indices])
        except (OSError, ValueError):
            return False
        return True

    def stop(self, kill: bool) -> None:
        if kill:
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                self.proc.kill()
        self.proc.join(5)
        if self.proc.is_alive():  # pragma: no cover - a process that ignores even SIGKILL for 5 s
            self.proc.kill()
            self.proc.join(1)
        self.conn.close()


_MISSING = object()


class _Pool:
    def __init__(self, func: Callable[[Any], Any], tasks: list[Any], workers: int, timeout_s: float, memory_mb: int,
                 on_progress: Callable[[int, int], None] | None, fail: Callable[[Any, str], Any], chunksize: int,
                 ctx: Any) -> None:
        self.func, self.tasks, self.n_workers = func, tasks, workers
        self.timeout_s, self.memory_mb = timeout_s, memory_mb
        self.on_progress, self.fail, self.chunksize, self.ctx = on_progress, fail, chunksize, ctx
        self.results: list[Any] = [_MISSING] * len(tasks)
        self.done = 0
        self.pending: deque[int] = deque(range(len(tasks)))
        self.retry: deque[int] = deque()  # culprits of a worker death, to run once more alone
        self.retried: set[int] = set()
        self.workers: list[_Worker] = []

    def run(self) -> list[Any]:
        try:
            while self.done < len(self.tasks):
                self._dispatch()
                self._wait()
        finally:
            for w in self.workers:
                w.stop(kill=bool(w.queue))
            self.workers = []
        return self.results

    def _dispatch(self) -> None:
        while len(self.workers) < self.n_workers and (self.pending or self.retry):
            self.workers.append(_Worker(self.ctx, self.func, self.memory_mb))
        for w in list(self.workers):
            if w.queue:
                continue
            if self.retry:
                if w.used:  # the retry runs alone in a fresh process
                    fresh = _Worker(self.ctx, self.func, self.memory_mb)
                    self.workers[self.workers.index(w)] = fresh
                    w.stop(kill=False)
                    w = fresh
                sent = w.send([self.retry.popleft()], self.tasks)
            elif self.pending:
                n = min(self.chunksize, max(1, len(self.pending) // self.n_workers))
                sent = w.send([self.pending.popleft() for _ in range(n)], self.tasks)
            else:
                continue
            if not sent:
                self._died(w)

    def _wait(self) -> None:
        busy = [w for w in self.workers if w.queue]
        if not busy:
            return
        now = time.monotonic()
        timeout = max(0.0, min(w.started + self.timeout_s for w in busy) - now)
        handles: dict[Any, _Worker] = {}
        for w in busy:
            handles[w.conn] = w
            handles[w.proc.sentinel] = w
        ready = wait(list(handles), timeout)
        for w in {id(handles[h]): handles[h] for h in ready}.values():
            dead = not w.proc.is_alive()  # checked first: all it sent before dying is still readable
            if not self._drain(w) or dead:
                self._died(w)
        now = time.monotonic()
        for w in list(self.workers):
            if w.queue and now - w.started > self.timeout_s:
                self._timed_out(w)

    def _drain(self, w: _Worker) -> bool:
        """Read every message a worker has sent; False when the worker is gone."""
        try:
            while w.conn.poll():
                kind, idx, payload = w.conn.recv()
                if not w.queue or w.queue[0] != idx:  # pragma: no cover - protocol error
                    return False
                w.queue.popleft()
                w.started = time.monotonic()
                if kind == "ok":
                    self._finish(idx, payload)
                elif kind == "mem":
                    self._finish(idx, self.fail(self.tasks[idx], REASON_MEMORY.format(mb=self.memory_mb)))
                else:
                    self._finish(idx, self.fail(self.tasks[idx], REASON_ERROR.format(name=payload)))
        except Exception:  # noqa: BLE001 - EOF or a half-written message from a dying worker
            return False
        return True

    def _finish(self, idx: int, result: Any) -> None:
        if self.results[idx] is _MISSING:
            self.done += 1
        self.results[idx] = result
        if self.on_progress is not None:
            self.on_progress(self.done, len(self.tasks))

    def _remove(self, w: _Worker) -> deque[int]:
        w.stop(kill=True)
        self.workers.remove(w)
        return w.queue

    def _died(self, w: _Worker) -> None:
        queue = self._remove(w)
        if not queue:
            return
        culprit = queue.popleft()
        self.pending.extendleft(reversed(queue))
        if culprit in self.retried:
            self._finish(culprit, self.fail(self.tasks[culprit], REASON_DIED))
        else:
            self.retried.add(culprit)
            self.retry.append(culprit)

    def _timed_out(self, w: _Worker) -> None:
        queue = self._remove(w)
        culprit = queue.popleft()
        self.pending.extendleft(reversed(queue))
        self._finish(culprit, self.fail(self.tasks[culprit], REASON_TIME.format(s=self.timeout_s)))
