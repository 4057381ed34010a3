"""Publishing the output as one set: the main workbook and the folder of its per-OPD workbooks.

A run holds a lock on the output folder (the operating system's: it ends with the process, so a killed
run never leaves it behind). The per-OPD workbooks are written into a hidden staging folder, checked, and
renamed to a folder named after their content (``<rekap>-opd-<hash>``); only then is the main workbook,
whose links point into that folder, renamed over the old one. Folders of older sets, temporary files and
staging folders are deleted after that, and at the start of the next run (a killed run's leftovers). So
after any fault the main workbook and the folder it links to are the old set or the new one, complete.
Every file is flushed to the disk before the rename that makes it part of the set, and so is every folder
whose entries changed (:func:`sync`), so that a power cut cannot publish a name whose content was still in
memory.
"""

from __future__ import annotations

import contextlib
import errno
import filecmp
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from pipeline.errors import OutputError, OutputPathError
from pipeline.i18n import msg

LOCK_FILE = ".~spbe.lock"  # Windows only: elsewhere the folder itself is locked
_TEMP = re.compile(r"\.~.*-[a-z0-9_]{8}(\.xlsx)?")  # temporary files and staging folders (tempfile's 8 characters)
_held: dict[str, int] = {}  # folders this process holds, and how many times (the lock is re-entrant)


def opd_folder(path: Path, digest: str) -> Path:
    """The folder of the per-OPD workbooks of the main workbook ``path`` with content ``digest``."""
    return path.parent / f"{path.stem}-opd-{digest[:12]}"


def _sets(path: Path) -> re.Pattern[str]:
    return re.compile(re.escape(path.stem) + r"-opd-[0-9a-f]{12}")


@contextlib.contextmanager
def lock(folder: Path) -> Iterator[None]:
    """Hold the output ``folder`` (made when missing) for this run; another run into it refuses.

    Raises:
        OutputError: another run holds the folder ("error.output-busy"), or it cannot be made.
        OutputPathError: a part of the folder's path is a regular file.
    """
    make_folder(folder)
    key = os.path.realpath(folder)
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    fd = _acquire(folder)
    _held[key] = 1
    try:
        yield
    finally:
        del _held[key]
        os.close(fd)  # closing the descriptor releases the lock


def _acquire(folder: Path) -> int:
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            os.close(fd)
            raise OutputError("error.output-busy", folder=folder) from None
        return fd
    import fcntl

    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise OutputError("error.output-busy", folder=folder) from None
    except OSError:
        pass  # a file system without locks (some network shares): the run goes on unlocked
    return fd


def make_folder(folder: Path) -> None:
    """Make ``folder`` and its parents; a file in the way is a usage error, anything else an output error."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocker = next((p for p in (folder, *folder.parents) if p.exists()), None)
        if blocker is not None and not blocker.is_dir():
            raise OutputPathError("error.output-under-file", path=folder, file=blocker) from None
        raise error(exc, folder) from None


def error(exc: BaseException, path: Path) -> OutputError:
    """The output error that says what happened to ``path`` (an OSError, or xlsxwriter's wrapper of one)."""
    cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else exc
    code = getattr(cause, "errno", None)
    folder = path.parent.parent if path.parent.name.startswith(".~") else path.parent  # not a staging folder
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG):
        return OutputError("error.disk-full", path=path, folder=folder)
    if getattr(cause, "winerror", None) in (32, 33) or (os.name == "nt" and isinstance(cause, PermissionError)):
        return OutputError("error.output-locked", path=path)  # a sharing violation: open in Excel
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError("error.output-not-writable", path=path, folder=folder)
    why = getattr(cause, "strerror", None) or str(cause) or type(cause).__name__
    return OutputError("error.output-write", path=path, error=why)


def check_target(path: Path) -> None:
    """Refuse a target that is a folder or a read-only file (a read-only rekap is kept, never replaced)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:
            make_folder(path.parent)  # raises: a file in the way
        raise error(exc, path) from None
    if stat.S_ISDIR(st.st_mode):
        raise OutputPathError("error.output-is-folder", path=path)
    if not st.st_mode & stat.S_IWUSR:
        raise OutputError("error.output-readonly", path=path)


def clean(folder: Path, keep: Path | None = None, main: Path | None = None) -> None:
    """Delete leftovers in ``folder``: temporary files and staging folders; with ``main``, also the per-OPD
    folders of ``main`` other than ``keep``. Whatever cannot be deleted now (open elsewhere) is left for the
    next run."""
    sets = _sets(main) if main is not None else None
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for e in entries:
        if not (_TEMP.fullmatch(e.name) or (sets and sets.fullmatch(e.name) and Path(e.path) != keep)):
            continue
        try:
            if e.is_dir(follow_symlinks=False):
                shutil.rmtree(e.path, ignore_errors=True)
            else:
                os.unlink(e.path)
        except OSError:
            pass  # held open elsewhere (a virus scanner): the next run deletes it


def staging(final: Path) -> Path:
    """A new hidden folder beside ``final`` to write its files into."""
    try:
        folder = Path(tempfile.mkdtemp(prefix=f".~{final.name}-", dir=final.parent))
        folder.chmod(0o755)  # mkdtemp makes it private; the workbooks are meant to be shared
        return folder
    except OSError as exc:
        raise error(exc, final) from None


# what fsync says on a file system that cannot flush (some network shares): nothing to do there
_NO_FSYNC = {errno.EINVAL, errno.EBADF, errno.EACCES, errno.EPERM, errno.ENOTSUP, getattr(errno, "EOPNOTSUPP", errno.ENOTSUP)}


def sync(fd: int) -> None:
    """Flush an open file's data to the disk (``fsync``), so that a rename after it never publishes a hole."""
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in _NO_FSYNC:
            raise


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (names created or renamed in it) to the disk; POSIX only (on Windows the file
    system journals its folders itself and a folder cannot be opened)."""
    if os.name == "nt":  # pragma: no cover - Windows
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        if exc.errno not in _NO_FSYNC:
            raise
        return
    try:
        sync(fd)
    finally:
        os.close(fd)


def write_new(path: Path, payload: bytes) -> None:
    """Write a new file into a staging folder (which is never made again here: a run that gave up removed it).

    Raises:
        OutputError: it cannot be written (the disk is full, the staging folder is gone...).
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
            sync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise error(exc, path) from None


def remove(folder: Path) -> None:
    """Delete a staging folder; again while a worker that was stopped may still be adding a file to it."""
    for _ in range(50):
        shutil.rmtree(folder, ignore_errors=True)
        if not os.path.lexists(folder):
            return
        time.sleep(0.1)


def check_staged(folder: Path, names: Mapping[str, Path]) -> None:
    """Every file of ``names`` (code -> path under ``folder``) written, none empty, nothing else."""
    try:
        found = {e.name: e.stat().st_size for e in os.scandir(folder)}
    except OSError as exc:
        raise error(exc, folder) from None
    wanted = {p.name for p in names.values()}
    bad = sorted(set(found) ^ wanted) or sorted(n for n, size in found.items() if not size)
    if bad:
        raise OutputError("error.output-verify", path=folder / bad[0], why=msg("reason.verify-per-opd"))
    try:
        sync_folder(folder)  # its entries, before it is renamed into the set
    except OSError as exc:
        raise error(exc, folder) from None


def swap_in(staged: Path, final: Path) -> None:
    """Make the staged folder ``final``. A ``final`` already there has the same content name: when its files
    are the same it is kept (and the staged copy dropped), else (changed by hand) it is replaced."""
    try:
        if not final.exists():
            os.rename(staged, final)
            sync_folder(final.parent)
            return
        names = sorted(os.listdir(staged))
        same = sorted(os.listdir(final)) == names and all(
            filecmp.cmp(staged / n, final / n, shallow=False) for n in names)
        if same:
            shutil.rmtree(staged, ignore_errors=True)
            return
        old = Path(tempfile.mkdtemp(prefix=f".~{final.name}-", dir=final.parent))
        os.replace(final, old / "old")
        os.rename(staged, final)
        sync_folder(final.parent)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise error(exc, final) from None
