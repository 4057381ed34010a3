"""Run one command from a small process and report its wall time and ``RUSAGE_CHILDREN.ru_maxrss``.

Why a launcher: on Linux a child's ``ru_maxrss`` starts from the RSS of the process that forked
it (the high-water mark is carried over ``exec``), so measured straight from the benchmark
process every command would look at least as big as the benchmark itself. Started with
``python -I -S`` this process is a few MB, so its children's ``ru_maxrss`` is their own.

Usage: ``python -I -S bench/launch.py RESULT.json CMD [ARG ...]`` (writes {"wall_s", "returncode",
"ru_maxrss_kb", "cpu_s"} to RESULT.json; the command's stdout and stderr pass through).
"""

import json
import os
import resource
import sys
import time


def main() -> None:
    result, cmd = sys.argv[1], sys.argv[2:]
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status = os.waitpid(pid, 0)
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(result, "w", encoding="utf-8") as fh:
        json.dump({"wall_s": wall, "returncode": os.waitstatus_to_exitcode(status),
                   "ru_maxrss_kb": usage.ru_maxrss, "cpu_s": usage.ru_utime + usage.ru_stime}, fh)


if __name__ == "__main__":
    main()
