"""Atomic writes of several files at once, one writer at a time per folder.

Nothing here knows about mixtures: a *writer* is a function that writes a file's content to an
open file. :func:`_write_atomically` writes every file to a hidden temporary beside its target
(``.NAME.<token>.tmp``, locked while the run lives), then renames them all, or none: should a
rename fail after some files were renamed, those are put back from hard links kept until all
the renames are done; Ctrl-C and SIGTERM wait for the renames. A run killed between renames
(SIGKILL) is undone by the next one (:func:`_tidy_leftovers`). :func:`_folder_lock` lets one
process at a time write into a folder (``flock`` on the folder itself);
:func:`_write_in_two_processes` lets a forked child format half of a long file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
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
# a run's token in its hidden files' names: 16 hex digits (before issue 22: <pid>.<random>)
_RUN_TOKEN = re.compile(r"[0-9a-f]{16}|\d+\.\w+")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _os_error(exc: OSError, path: Path) -> OSError:
    """The same kind of error with a one-line message naming the target, not the temporary."""
    return type(exc)(f"cannot write {path}: {exc.strerror or exc}")


def _lock(fd: int) -> None:
    """Hold an exclusive ``flock`` on an open file: the mark of a live run (see
    :func:`_owner_alive`). Released by the kernel when the process ends, however it ends."""
    with contextlib.suppress(ImportError, OSError):  # no fcntl (Windows), no flock (some NFS)
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _owner_alive(path: Path) -> bool:
    """Whether the run that made the leftover ``path`` still holds its lock on it.

    A lock, not a pid: in a container the next run often gets the dead run's pid.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: never take another run's files
        return True
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return True  # gone already, or not ours to read
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # also releases the lock just taken
    return False


def _hidden(path: Path, token: str, kind: str) -> Path:
    """``.NAME.<token>.<kind>`` beside ``path``: kind is tmp (new), old (backup) or none."""
    return path.with_name(f".{path.name}.{token}.{kind}")


def _stage(path: Path, write: Writer, binary: bool, token: str, locks: list[int]) -> Path:
    """Write to a new locked temporary file beside ``path`` and return the temporary's path."""
    tmp = _hidden(path, token, "tmp")
    try:
        # 0o666 less the umask: the mode a plain open() would give the target
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise _os_error(exc, path) from None
    locks.append(fd)
    _lock(fd)
    try:
        mode = "wb" if binary else "w"
        encoding = None if binary else "utf-8"
        # reopened by name: writers may need to know where the file is
        with open(tmp, mode, encoding=encoding, newline=None if binary else "\n") as f:
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
    """Whether process ``pid`` runs (kept for callers of the old module; runs use locks)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


def _tidy_leftovers(out_dir: PathLike, names: Iterable[str]) -> list[Path]:
    """Undo what dead runs left in ``out_dir`` of the files ``names``; returns the leftovers.

    A run's hidden files share a token: ``.NAME.<token>.tmp`` (written, not yet renamed),
    ``.old`` (the earlier file, kept until every rename is done) and ``.none`` (there was no
    earlier file). A run whose files nobody holds a lock on is dead. If any of its ``.tmp``
    remains it died between renames: its backups are put back (and the files it added
    removed), so the folder holds the earlier results again, all of them. Otherwise its
    renames were all done and the backups are only removed.
    """
    runs: dict[str, list[tuple[Path, str, Path]]] = {}
    for name in names:
        for leftover in Path(out_dir).glob(f".{name}.*"):
            token, _, kind = leftover.name[len(name) + 2 :].rpartition(".")
            if _RUN_TOKEN.fullmatch(token) and kind in ("tmp", "old", "none"):
                runs.setdefault(token, []).append((leftover, kind, Path(out_dir) / name))
    removed = []
    for files in runs.values():
        if any(_owner_alive(leftover) for leftover, _, _ in files):
            continue
        unfinished = any(kind == "tmp" for _, kind, _ in files)
        for leftover, kind, target in files:
            if unfinished and kind == "old":
                os.replace(leftover, target)  # does nothing if the target is its twin still
            elif unfinished and kind == "none":
                target.unlink(missing_ok=True)
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    return removed


def _write_atomically(
    writers: dict[Path, tuple[Writer, bool]], on_done: Callable[[], object] | None = None
) -> None:
    """Write every file to a temporary, then rename them all; on failure remove the temporaries.

    ``writers`` maps each target path to ``(write(file), binary)``. ``on_done()`` is called
    once every file is in place, before a signal that came during the renames is handled.
    """
    token = uuid.uuid4().hex[:16]
    locks: list[int] = []  # held until the end: the leftovers of a live run are never taken
    staged: list[tuple[Path, Path]] = []
    try:
        try:
            for path, (write, binary) in writers.items():
                staged.append((_stage(path, write, binary, token, locks), path))
        except BaseException:
            for tmp, _ in staged:
                tmp.unlink(missing_ok=True)
            raise
        with _signals_held():
            _replace_all(staged, token, locks)
            if on_done is not None:
                on_done()
    finally:
        for fd in locks:
            os.close(fd)


@contextlib.contextmanager
def _signals_held():
    """Hold SIGINT and SIGTERM back until the block ends (the renames and their rollback).

    A signal handled inside would stop the renames half-way, or the rollback itself. Python
    runs its handlers in the main thread only, so the handlers are swapped for one that
    notes the signal; the real handler runs, with the real signal, once the block is done.
    """
    caught: list[int] = []
    previous = {}
    with contextlib.suppress(ValueError):  # not the main thread: no handler runs here anyway
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            # None: a handler installed outside Python, which cannot be put back from here
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)


def _backup(path: Path, token: str, locks: list[int]) -> Path:
    """Keep the current ``path`` as ``.NAME.<token>.old`` (a hard link, else a copy), or mark
    with an empty ``.none`` that there was none; the mark is locked as the temporaries are."""
    backup = _hidden(path, token, "old")
    try:
        os.link(path, backup)
    except FileNotFoundError:
        backup = _hidden(path, token, "none")
        os.close(os.open(backup, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError:  # a file system without hard links
        shutil.copy2(path, backup)
    fd = os.open(backup, os.O_RDONLY)
    locks.append(fd)
    _lock(fd)
    return backup


def _replace_all(staged: list[tuple[Path, Path]], token: str, locks: list[int]) -> None:
    """Rename every temporary onto its target, all or none: a failure puts the earlier back."""
    backups: list[tuple[Path, Path]] = []
    replaced: list[Path] = []
    path = None
    try:
        for _, path in staged:  # every backup before the first rename: see _tidy_leftovers
            backups.append((path, _backup(path, token, locks)))
        for tmp, path in staged:
            os.replace(tmp, path)
            replaced.append(path)
    except BaseException as exc:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        for done, old in reversed(backups):
            if done in replaced:
                if old.suffix == ".none":
                    done.unlink(missing_ok=True)
                else:
                    os.replace(old, done)
            old.unlink(missing_ok=True)  # (a rename of a hard link onto its twin does nothing)
        if isinstance(exc, OSError):
            raise _os_error(exc, path) from None
        raise
    for _, old in backups:
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


def _new_folders(out_dir: Path) -> list[Path]:
    """The folders that making ``out_dir`` would create, outermost first."""
    missing = []
    folder = out_dir.absolute()
    while not folder.exists() and not folder.is_symlink() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing[::-1]


def _remove_new_folders(folders: list[Path]) -> None:
    """Remove the folders a failed write made, innermost first, if they are empty and free."""
    for folder in reversed(folders):
        if not remove_folder_if_free(folder):
            break


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
