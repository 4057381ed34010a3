"""Every limit and default of the pipeline, in one place (the README's *Limits* lists them)."""

from __future__ import annotations

import multiprocessing as mp
import os
from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Resource limits for reading one workbook."""

    max_file_bytes: int = 25 * MiB  # the file on disk
    max_member_bytes: int = 50 * MiB  # one zip part, uncompressed
    max_total_uncompressed: int = 200 * MiB  # all parts, uncompressed (declared and read)
    max_ratio: float = 200.0  # uncompressed/compressed, checked for parts above ratio_min_bytes
    ratio_min_bytes: int = 1 * MiB
    max_members: int = 10_000  # parts in the archive
    max_cells_per_sheet: int = 500_000
    max_seconds: float = 20.0  # reading one file (the reader's own clock)
    # saved e-mails and archives (containers): every entry inside is then held to the limits above
    max_message_bytes: int = 64 * MiB  # one saved e-mail (.eml, .msg, one message of an .mbox)
    max_mailbox_bytes: int = 2048 * MiB  # an .mbox file (streamed, message by message)
    max_parts: int = 500  # MIME parts of one message (attachments of a .msg)
    max_depth: int = 10  # multipart nesting, and containers inside containers
    max_header_lines: int = 1000  # header lines of one message
    max_entries: int = 10_000  # messages of an .mbox, files of a zip
    max_zip_depth: int = 2  # a zip inside a zip is opened; a zip inside that one is not


LIMITS = Limits()
# an earlier rekap (history) is read by the same reader; its Data sheet of format 1 has a row per OPD and
# indicator (about 28,000 rows of 16 cells for 600 OPDs), so more cells and time are allowed than for a questionnaire
HISTORY_LIMITS = Limits(max_file_bytes=100 * MiB, max_member_bytes=100 * MiB, max_total_uncompressed=400 * MiB,
                        max_cells_per_sheet=2_000_000, max_seconds=60.0)
HISTORY_TIMEOUT_S = 90.0  # wall-clock limit of reading one earlier rekap in a worker

# worker processes (reading files, writing per-OPD workbooks)
WORKERS = min(2, os.cpu_count() or 1)  # default number of worker processes
WORKER_MEMORY_MB = 1024  # address-space limit of a worker (POSIX only)
READ_TIMEOUT_S = 60.0  # wall-clock limit of reading one file (or one chunk of files) in a worker
READ_CHUNK = 8  # files sent to a worker at once (a chunk that fails is read again one file at a time)
WRITE_TIMEOUT_S = 600.0  # wall-clock limit of writing one chunk of per-OPD workbooks

# the consolidated workbook
PER_OPD_LIMIT = 100  # above this many scored OPDs the gap sheets go to one workbook per OPD
CHART_MAX_OPDS = 60  # charts with one bar per OPD are drawn up to this many bars
STREAM_ABOVE = 2000  # above this many OPDs the main workbook streams its rows (xlsxwriter constant_memory)
EXCEL_MAX_CHARS = 32767  # Excel's longest cell text

# A pause after each per-OPD workbook, and 20 times as long before and after the main workbook is renamed into place
# (after the per-OPD folder was, before the older sets are deleted), so that the fault tests
# (tests/test_faults.py) can kill a run at a known stage; 0 (no pause) unless the environment sets SPBE_FAULT_DELAY.
FAULT_DELAY_S = float(os.environ.get("SPBE_FAULT_DELAY") or 0)

# How worker processes start: "forkserver" where the platform has it (Linux), else "spawn" (Windows, macOS);
# SPBE_START_METHOD=spawn forces spawn (nothing inherited, everything pickled: how Windows runs, tested on Linux).
START_METHOD = os.environ.get("SPBE_START_METHOD") or ("forkserver" if "forkserver" in mp.get_all_start_methods()
                                                       else "spawn")
# The accelerators are on unless the environment says SPBE_PLAIN=1 (all off) or names them (SPBE_PLAIN=reader,
# rows, template; report: rows and template): the benchmark measures the merge with and without each, and the
# tests compare each with its plain twin.
_PLAIN = {part.strip() for part in os.environ.get("SPBE_PLAIN", "").split(",")} - {"", "0"}
ACCELERATE_READER = not _PLAIN & {"1", "all", "reader"}  # pipeline.intake.fastxml
ACCELERATE = not _PLAIN & {"1", "all", "report"}  # pipeline.report.fast, both of its accelerators:
REPORT_PLAIN = frozenset(_PLAIN & {"rows", "template"})  # except those named (its streamed rows, its per-OPD template)
