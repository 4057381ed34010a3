"""The worker pool: a task that dies, hangs, eats memory or raises costs only itself; order and progress kept."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import i18n
from pipeline.workers import Failed, Workers


def probe(task: tuple[str, object]) -> object:
    """Misbehave on request: ("ok", x) -> 2x; "exit", "segv", "sleep" (seconds), "alloc" (MB), "raise", "pid";
    ("loaded", name) -> whether that module was imported before the task came."""
    action, value = task
    if action == "loaded":
        return value in sys.modules
    if action == "exit":
        os._exit(3)
    if action == "segv":
        os.kill(os.getpid(), getattr(signal, "SIGSEGV", signal.SIGTERM))
        time.sleep(5)
    if action == "sleep":
        time.sleep(value)
    if action == "alloc":
        return float(len(bytearray(int(value) * 1024 * 1024)))
    if action == "raise":
        raise ValueError("rusak")
    if action == "pid":
        return os.getpid()
    return value * 2


def reasons(results: list) -> list:
    return [i18n.render(r.reason) if isinstance(r, Failed) else r for r in results]


def test_dead_slow_greedy_and_failing_tasks_cost_only_themselves() -> None:
    tasks = [("ok", 1.0), ("exit", 0), ("ok", 2.0), ("sleep", 60), ("ok", 3.0), ("alloc", 4000), ("ok", 4.0),
             ("raise", 0), ("ok", 5.0)]
    if sys.platform != "win32":
        tasks += [("segv", 0), ("ok", 6.0)]
    progress: list = []
    start = time.monotonic()
    with Workers(2, memory_mb=400) as pool:
        results = pool.map(probe, tasks, timeout=3, on_progress=lambda d, t: progress.append((d, t)))
    expected = [2.0, "proses pembaca berhenti", 4.0, "waktu 3 s", 6.0, "memori 400 MB", 8.0,
                "galat pembaca (ValueError)", 10.0]
    if len(tasks) > 9:
        expected += ["proses pembaca berhenti", 12.0]
    assert reasons(results) == expected
    assert i18n.render(results[3].reason, "en") == "time 3 s"
    assert progress == [(k, len(tasks)) for k in range(1, len(tasks) + 1)]
    assert time.monotonic() - start < 40  # the sleeping task was stopped at its limit, not waited for


def test_order_is_kept_over_many_small_tasks() -> None:
    with Workers(2) as pool:
        assert pool.map(probe, [("ok", float(i)) for i in range(2000)], timeout=30) == [2.0 * i for i in range(2000)]


def test_inline_runs_in_this_process_without_limits() -> None:
    pool = Workers(inline=True)
    assert reasons(pool.map(probe, [("ok", 1.0), ("raise", 0)], timeout=1)) == [2.0, "galat pembaca (ValueError)"]
    assert pool.map(probe, [("loaded", "pytest")], timeout=1) == [True]
    assert pool.map(probe, [], timeout=1) == []


def test_spawn_start_method_as_on_windows_and_macos(tmp_path: Path) -> None:
    """Nothing inherited, everything pickled: run in a fresh interpreter forced to "spawn"."""
    code = ("import sys, multiprocessing as mp\nsys.path.insert(0, sys.argv[1])\n"
            "from pipeline import settings, workers\nassert settings.START_METHOD == 'spawn'\n"
            "from tests.test_workers import probe\n"
            "if __name__ == '__main__':\n"
            "    with workers.Workers(2) as pool:\n"
            "        print([getattr(r, 'reason', r) for r in pool.map(probe, [('ok', 1.0), ('exit', 0), ('ok', 2.0)], 30)])")
    script = tmp_path / "spawn.py"
    script.write_text(code, encoding="utf-8")
    out = subprocess.run([sys.executable, str(script), str(Path(__file__).resolve().parents[1])], capture_output=True,
                         text=True, timeout=120, cwd=tmp_path, env={**os.environ, "SPBE_START_METHOD": "spawn"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[2.0, Msg(key='reason.worker-died', args=()), 4.0]"


@pytest.mark.skipif("forkserver" not in multiprocessing.get_all_start_methods(), reason="no fork server here")
def test_the_fork_server_preloads_the_reading_and_writing_modules(tmp_path: Path) -> None:
    """``spbe merge`` starts the fork server first thing with the reading modules and the per-OPD writer: every
    worker then starts with them imported (run in a fresh interpreter: this one's fork server may run)."""
    code = ("import sys; sys.path.insert(0, sys.argv[1])\n"
            "from pipeline import workers\nworkers.prestart(workers.PRELOAD_READ)\n"
            "from tests.test_workers import probe\n"
            "with workers.Workers(1, preload=workers.PRELOAD_READ) as pool:\n"
            "    print(pool.map(probe, [('loaded', 'pipeline.intake.read'), ('loaded', 'openpyxl')], 60))")
    out = subprocess.run([sys.executable, "-c", code, str(Path(__file__).resolve().parents[1])], capture_output=True,
                         text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[True, False]"


@pytest.mark.skipif(sys.platform == "win32", reason="kills worker processes with SIGKILL")
def test_workers_killed_between_tasks_cost_no_task() -> None:
    """Every worker killed from outside while idle (the out-of-memory killer, an administrator): pebble then
    gives its pool up; the next tasks run in a fresh one instead of the batch stopping."""
    with Workers(2) as pool:
        pids = set(pool.map(probe, [("pid", 0)] * 8, timeout=10))
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        time.sleep(1)  # the pool notices its workers are gone
        start = time.monotonic()
        assert pool.map(probe, [("ok", x) for x in range(6)], timeout=10) == [0, 2, 4, 6, 8, 10]
        assert pool.map(probe, [("ok", 1)], timeout=10, chunk=4) == [2]
    assert time.monotonic() - start < 30
