"""Atomic writes of several files at once, one writer at a time per folder.

Nothing here knows about mixtures: a *writer* is a function that writes a file's content to an
open file. :func:`_write_atomically` writes every file to a hidden temporary beside its target
(``.NAME.<pid>.<random>.tmp``), then renames them all, or none: should a rename fail (or the
run be interrupted) after some files were renamed, those are put back from hard links kept
until all the renames are done. :func:`_folder_lock` lets one process at a time write into a
folder (``flock`` on the folder itself); :func:`_write_in_two_processes` lets a forked child
format half of a long file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import tempfile
import uuid
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from .tables import PathLike

Writer = Callable[[IO], None]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _os_error(exc: OSError, path: Path) -> OSError:
    """The same kind of error with a one-line message naming the target, not the temporary."""
    return type(exc)(f"cannot write {path}: {exc.strerror or exc}")


def _stage(path: Path, write: Writer, binary: bool) -> Path:
    """Write to a new temporary file beside ``path`` and return the temporary's path."""
    try:
        # the pid in the name lets a later run tell a dead run's leftovers from a live one's
        prefix = f".{path.name}.{os.getpid()}."
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".tmp")
    except OSError as exc:
        raise _os_error(exc, path) from None
    tmp = Path(tmp)
    try:
        mode = "wb" if binary else "w"
        encoding = None if binary else "utf-8"
        os.close(fd)  # reopened by name: writers may need to know where the file is
        with open(tmp, mode, encoding=encoding, newline=None if binary else "\n") as f:
            # mkstemp makes the file private (0600); give it the mode a plain open() would.
            os.chmod(tmp, 0o666 & ~_umask())
            write(f)
            f.flush()
            os.fsync(f.fileno())
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _os_error(exc, path) from None
        raise
    return tmp


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process, or not a pid: leave its files alone
    return True


def _tidy_leftovers(out_dir: PathLike, names: Iterable[str]) -> list[Path]:
    """Remove the temporaries and backups of the files ``names`` that dead runs left in
    ``out_dir``; returns them (see :func:`gmmlearn.io.tidy_stale_temporaries`)."""
    removed = []
    for name in names:
        for leftover in [
            *Path(out_dir).glob(f".{name}.*.tmp"),
            *Path(out_dir).glob(f".{name}.*.old"),
        ]:
            pid = leftover.name[len(name) + 2 :].split(".", 1)[0]
            if pid.isdigit() and not _pid_alive(int(pid)):
                leftover.unlink(missing_ok=True)
                removed.append(leftover)
    return removed


def _write_atomically(writers: dict[Path, tuple[Writer, bool]]) -> None:
    """Write every file to a temporary, then rename them all; on failure remove the temporaries.

    ``writers`` maps each target path to ``(write(file), binary)``.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, (write, binary) in writers.items():
            staged.append((_stage(path, write, binary), path))
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    _replace_all(staged)


def _backup(path: Path) -> Path | None:
    """Keep the current ``path`` under a hidden name beside it (a hard link, else a copy)."""
    if not path.exists():
        return None
    backup = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.old")
    try:
        os.link(path, backup)
    except OSError:  # a file system without hard links
        shutil.copy2(path, backup)
    return backup


def _replace_all(staged: list[tuple[Path, Path]]) -> None:
    """Rename every temporary onto its target, all or none: a failure puts the earlier back."""
    replaced: list[tuple[Path, Path | None]] = []
    backup = None
    try:
        for tmp, path in staged:
            backup = _backup(path)
            os.replace(tmp, path)
            replaced.append((path, backup))
            backup = None
    except BaseException as exc:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        if backup is not None:
            backup.unlink(missing_ok=True)
        for done, old in reversed(replaced):
            if old is None:
                done.unlink(missing_ok=True)
            else:
                os.replace(old, done)
        if isinstance(exc, OSError):
            raise _os_error(exc, path) from None
        raise
    for _, old in replaced:
        if old is not None:
            old.unlink(missing_ok=True)


def _can_share() -> bool:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return hasattr(os, "fork") and (cores or 1) >= 2


def _write_in_two_processes(f: IO, first: Iterable[str], second: Iterable[str]) -> None:
    """Write the texts of ``first`` (this process) and then of ``second`` (a forked one) to ``f``.

    ``first`` and ``second`` are lazy (generators): each is formatted by the process that
    iterates it. Formatting floats is the slow part of writing a long table (~0.5 µs a number)
    and holds the GIL, so a thread cannot share it. The child writes into an unnamed temporary
    file (nothing to clean up, even after SIGKILL), which is appended once both halves are
    done. The child only formats and writes: no lock that another thread could hold is needed.
    """
    with tempfile.TemporaryFile(dir=Path(f.name).parent) as spill:
        with warnings.catch_warnings():
            # Python 3.12+ warns about fork in a process with threads (the fused engine's
            # pool): the child touches nothing they could hold
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child: format the second half, then leave at once
            status = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                for text in second:
                    spill.write(text.encode("utf-8"))
                spill.flush()
                status = 0
            finally:
                os._exit(status)
        try:
            for text in first:
                f.write(text)
        except BaseException:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise
        if os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0:
            raise OSError(errno.EIO, "the process formatting the second half of the rows failed")
        f.flush()
        spill.seek(0)
        shutil.copyfileobj(spill, f.buffer, 1 << 20)


def _make_folder(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise FileExistsError(f"cannot write into {out_dir}: it is a file, not a folder") from None
    except OSError as exc:
        raise type(exc)(f"cannot create the folder {out_dir}: {exc.strerror or exc}") from None


@contextlib.contextmanager
def _folder_lock(folder: Path, on_wait: Callable[[], object] | None = None):
    """Make ``folder`` if needed and hold an exclusive lock on it: one run writes at a time.

    ``flock`` on the folder itself (no lock file left behind); it is released when the
    process ends, however it ends. If another run holds it, ``on_wait()`` is called, then this
    waits. A folder that another run removed meanwhile (see :func:`remove_folder_if_free`) is
    made again. Without ``fcntl`` (Windows) there is no lock.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        _make_folder(folder)
        yield
        return
    waited = False
    while True:
        _make_folder(folder)
        try:
            fd = os.open(folder, os.O_RDONLY)
        except FileNotFoundError:  # removed between the two lines: make it again
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None and not waited:
                on_wait()
            waited = True
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            still_there = os.stat(folder).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            still_there = False
        if still_there:
            break
        os.close(fd)  # we locked a folder that was removed meanwhile: start again
    try:
        yield
    finally:
        os.close(fd)  # releases the lock


def remove_folder_if_free(folder: PathLike) -> bool:
    """Remove the empty ``folder`` unless a run holds its lock; True if it was removed.

    For a folder made only to check that it could be (``gmmlearn fit`` does that before a
    run): taking the lock first means a run that is writing there is never pulled from under.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        fcntl = None
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.rmdir(folder)
    except OSError:  # locked, not empty, or gone already
        return False
    finally:
        os.close(fd)
    return True
