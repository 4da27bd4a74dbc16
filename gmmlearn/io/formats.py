"""The 2019 original's files: ``x.csv`` in; ``z.csv``, ``params.dat``, ``em_likelihood.txt``
and ``em.png`` out.

=====================  ==================================================================
file                   content
=====================  ==================================================================
``x.csv``              the points, one per line, values separated by commas
``z.csv``              γ of the final θ, N rows of K comma-separated values ('%.18e')
``params.dat``         π, μ and the precision matrices Λ_k = Σ_k⁻¹, in the original's
                       sections, every number written in full (shortest exact repr)
``em_likelihood.txt``  ``step<TAB>log-likelihood``, then ln p(X | θ_t) for t = 0 … T
``em.png``             the points coloured by most probable component, means marked
=====================  ==================================================================

Readers raise a one-line ``ValueError`` naming the file, the line and the fix; a missing or
unreadable file raises ``OSError`` (``FileNotFoundError``, …) with a one-line message.

Every write is atomic: the content goes to a temporary file in the target folder, which then
replaces the target (``os.replace``). :func:`write_results` writes all four files to temporaries
first and renames them only when all four were written, so a failure part-way leaves neither a
partial file nor a mix of old and new results. Should a rename itself fail (or the run be
interrupted) after some files were renamed, those are put back: each earlier file is kept as a
hard link until all four renames are done.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import re
import shutil
import signal
import tempfile
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import IO

import numpy as np

from ..params import GaussianMixtureParams, check_covariance_type

__all__ = [
    "OUTPUT_FILES",
    "read_likelihood",
    "read_params",
    "read_points",
    "read_responsibilities",
    "write_likelihood",
    "write_params",
    "write_responsibilities",
    "write_results",
]

OUTPUT_FILES: tuple[str, ...] = ("z.csv", "params.dat", "em_likelihood.txt", "em.png")

PathLike = str | os.PathLike


# ---------------------------------------------------------------------------
# Reading tables of numbers
# ---------------------------------------------------------------------------

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _open_error(exc: OSError, path: Path) -> OSError:
    """A one-line OSError of the same kind, saying why ``path`` cannot be read."""
    if isinstance(exc, FileNotFoundError):
        return FileNotFoundError(f"cannot read {path}: no such file")
    if isinstance(exc, IsADirectoryError):
        return IsADirectoryError(f"cannot read {path}: it is a folder, not a file")
    return type(exc)(f"cannot read {path}: {exc.strerror or exc}")


def _encoding(path: Path) -> str:
    """The text encoding to read ``path`` with, from its first bytes.

    UTF-8 (a spreadsheet's byte-order mark skipped), or UTF-16 when a byte-order mark says so
    (Excel's "Unicode text"). Files that are not UTF-8 are retried as Latin-1 by the reader:
    numbers read the same in both, only a header's accents differ.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 16)
    except OSError as exc:
        raise _open_error(exc, path) from None
    if head.startswith(_UTF16_BOMS):
        return "utf-16"
    if b"\x00" in head:
        # UTF-16 without a byte-order mark: every other byte of ASCII text is zero
        if head.count(b"\x00") * 3 >= len(head) and b"\x00\x00" not in head:
            raise ValueError(
                f"cannot read {path}: it looks like UTF-16 text without a byte-order mark; "
                "save it as UTF-8 (or 'CSV UTF-8' in a spreadsheet)"
            )
        raise ValueError(
            f"cannot read {path}: not a text file; give comma-separated numbers, one point a line"
        )
    return "utf-8-sig"  # -sig: a spreadsheet's BOM is not data


def _read_text(path: Path) -> str:
    """The whole file as text, or a one-line OSError/ValueError saying why not."""
    encoding = _encoding(path)
    try:
        return path.read_text(encoding=encoding)
    except UnicodeDecodeError:
        return path.read_text(encoding="latin-1")
    except OSError as exc:
        raise _open_error(exc, path) from None


def _is_number(field: str) -> bool:
    if "_" in field:  # float() takes '1_000', numpy's parser does not: neither do we
        return False
    try:
        float(field)
    except ValueError:
        return False
    return True


def _looks_numeric(field: str) -> bool:
    """A number, or numbers separated by spaces or ';' (a wrongly delimited row, not a header)."""
    parts = [part for part in re.split(r"[\s;]+", field) if part]
    return bool(parts) and all(map(_is_number, parts))


def _is_integer(field: str) -> bool:
    return field.lstrip("+-").isdigit()


def _fields(text: str) -> list[str]:
    return [field.strip() for field in text.split(",")]


def _data_lines(path: Path, encoding: str, start: int = 0):
    """Yield (line number, text) of the lines after line ``start`` that hold data.

    Blank lines and comments (from ``#`` to the end of the line) are left out; the text is
    stripped. Streams the file: memory does not grow with its length.
    """
    try:
        with open(path, encoding=encoding) as f:
            for number, line in enumerate(f, start=1):
                if number <= start:
                    continue
                text = line.split("#", 1)[0].strip()
                if text:
                    yield number, text
    except OSError as exc:
        raise _open_error(exc, path) from None


def _find_header(path: Path, encoding: str, header: bool | str) -> tuple[int, str | None]:
    """(the line number of the header, or 0, and its text): what :func:`_read_table` skips.

    With ``header="auto"`` the first data line is a header when it holds no number at all
    (``eruptions,waiting``), or when it is pandas' default column names ``0,1,…,D-1`` above
    data that are not all integers.
    """
    first_two = list(itertools.islice(_data_lines(path, encoding), 2))
    if not first_two:
        raise ValueError(f"{path} is empty: give one point a line, values separated by commas")
    (number, text), rest = first_two[0], first_two[1:]
    fields = _fields(text)
    if header is True:
        is_header = True
    elif header == "auto":
        below = _fields(rest[0][1]) if rest else []
        is_header = not any(map(_looks_numeric, fields)) or (
            fields == [str(i) for i in range(len(fields))]
            and len(below) == len(fields)
            and not all(map(_is_integer, below))
        )
    else:
        is_header = False
    if not is_header:
        return 0, None
    if not rest:
        raise ValueError(f"{path} has a header line but no data: add rows of numbers")
    below_number, below_text = rest[0]
    width = len(_fields(below_text))
    if len(fields) != width and any(map(_is_number, _fields(below_text))):
        raise ValueError(
            f"{path}, line {number} was taken for column names but has {len(fields)} where "
            f"line {below_number} has {width} values; give one name per column, or none"
        )
    return number, text


def _hint(field: str) -> str:
    """Why a field that is not a number probably is not one."""
    if ";" in field:
        return " (separate values by commas, not ';'; a spreadsheet's 'CSV' export does)"
    if "\t" in field or len(field.split()) > 1:
        return " (separate values by commas)"
    return ""


def _diagnose(path: Path, encoding: str, start: int, header_note: str) -> None:
    """Raise the one-line error for the first line numpy's parser could not read, if any.

    The slow path, run only after the fast parser failed: one line at a time, no memory
    growth. Returns normally if every line is fine by our rules (a line of spaces, say).
    """
    width = first = None
    for number, text in _data_lines(path, encoding, start):
        fields = _fields(text)
        if width is None:
            width, first = len(fields), number
        elif len(fields) != width:
            raise ValueError(
                f"{path}, line {number}: {len(fields)} values where line {first} has {width}; "
                f"give every line the same number of comma-separated values{header_note}"
            )
        for column, field in enumerate(fields, start=1):
            if not _is_number(field):
                what = "an empty value" if not field else f"{field!r} is not a number"
                pandas_index = fields[1:] == [str(i) for i in range(len(fields) - 1)]
                if not field and column == 1 and number == first and pandas_index:
                    what += " (pandas' to_csv wrote its index: write with index=False)"
                raise ValueError(
                    f"{path}, line {number}, column {column}: {what}{_hint(field)}; fix or "
                    f"delete that line{header_note}"
                )


def _parse(path: Path, encoding: str, start: int, header_note: str) -> np.ndarray:
    """All numbers after line ``start`` as a float64 array of shape (rows, columns)."""
    try:
        # numpy's C parser: ~0.1 µs a value, memory ≈ the result (no text kept)
        return np.loadtxt(
            path, delimiter=",", comments="#", skiprows=start, ndmin=2, encoding=encoding
        )
    except ValueError:
        pass  # find which line, and say it the way a person would
    _diagnose(path, encoding, start, header_note)
    # every line is fine by our rules, numpy's are stricter (a line of spaces): feed it ours
    lines = (text for _, text in _data_lines(path, encoding, start))
    return np.loadtxt(lines, delimiter=",", ndmin=2)


def _read_table(
    path: PathLike, *, header: bool | str = False
) -> tuple[np.ndarray, tuple[int, str] | None]:
    """Parse a comma-separated file of numbers into a float64 array of shape (rows, columns).

    Blank lines and comments (``#`` to the end of the line) are skipped. With
    ``header="auto"`` a first line of column names is skipped (see :func:`_find_header`).
    Returns the array and the header skipped, as (line number, text), or None.
    """
    path = Path(path)
    encoding = _encoding(path)
    try:
        start, header_text = _find_header(path, encoding, header)
    except UnicodeDecodeError:
        encoding = "latin-1"
        start, header_text = _find_header(path, encoding, header)
    header_note = f" (line {start} was taken for column names)" if start else ""
    try:
        values = _parse(path, encoding, start, header_note)
    except UnicodeDecodeError:
        values = _parse(path, "latin-1", start, header_note)
        encoding = "latin-1"
    if values.size == 0:
        raise ValueError(f"{path} is empty: give one point a line, values separated by commas")
    bad = ~np.isfinite(values)
    if bad.any():
        row, column = (int(i) for i in np.argwhere(bad)[0])
        number, text = next(itertools.islice(_data_lines(path, encoding, start), row, None))
        raise ValueError(
            f"{path}, line {number}, column {column + 1}: {_fields(text)[column]!r} is not a "
            f"finite number; drop or impute that point{header_note}"
        )
    return values, (start, header_text) if start else None


def read_points(
    path: PathLike, *, return_header: bool = False
) -> np.ndarray | tuple[np.ndarray, tuple[int, str] | None]:
    """Read points from a comma-separated file such as ``x.csv``.

    One point a line, its D coordinates separated by commas (one column is fine: D = 1).
    Blank lines and ``#`` comments are skipped, and so is a first line of column names: a
    line with no number at all (``eruptions,waiting``), or pandas' default names ``0,1,…``
    above values that are not all integers.

    The text is UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark, or
    any other 8-bit encoding (read as Latin-1: the numbers are the same in all of them).
    Parsing is numpy's C reader (about 0.3 s for a million rows of three values); only when it
    fails is the file read again line by line, to name the line, the column and the fix.

    Parameters
    ----------
    path : str or path-like
    return_header : bool, default=False
        Also return the header line that was skipped.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    header : (int, str) or None
        Only with ``return_header=True``: the line number and text of the skipped header.

    Raises
    ------
    OSError
        The file is missing or unreadable (``FileNotFoundError``, ``PermissionError``, …).
    ValueError
        Empty file; a binary file; a line with another number of values than the first (the
        line is named); a value that is not a number, or NaN or inf (line and column named,
        with a hint for ``;`` or tab separators).
    """
    values, header = _read_table(path, header="auto")
    return (values, header) if return_header else values


def read_responsibilities(path: PathLike) -> np.ndarray:
    """Read ``z.csv`` as written by :func:`write_responsibilities`.

    Returns
    -------
    resp : ndarray of shape (n_samples, n_components)
    """
    return _read_table(path)[0]


# ---------------------------------------------------------------------------
# Atomic writes
# ---------------------------------------------------------------------------

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


def tidy_stale_temporaries(out_dir: PathLike) -> list[Path]:
    """Remove the hidden temporaries that a killed run left in ``out_dir``; returns them.

    A run writes ``.z.csv.<pid>.<random>.tmp`` (and ``.old`` backups while renaming); a run
    killed by SIGKILL or a power cut cannot remove them. Those whose process is gone are
    removed; a live run's (the same pid still running) are kept.
    """
    removed = []
    for name in OUTPUT_FILES:
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


# ---------------------------------------------------------------------------
# z.csv: the responsibilities
# ---------------------------------------------------------------------------


_ROWS_PER_BLOCK = 20_000
_ROWS_TO_SHARE = 400_000  # from here a second process formats half of the rows


def _format_rows(resp: np.ndarray, row: str):
    """Yield the text of ``resp``, a block of rows at a time.

    One %-format per block: the formatting loop runs in C, not row by row in Python as
    np.savetxt's does (3× faster on millions of rows).
    """
    for start in range(0, resp.shape[0], _ROWS_PER_BLOCK):
        block = resp[start : start + _ROWS_PER_BLOCK]
        yield (row * block.shape[0]) % tuple(block.ravel().tolist())


def _can_share() -> bool:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return hasattr(os, "fork") and (cores or 1) >= 2


def _write_rows_shared(f: IO, resp: np.ndarray, row: str) -> None:
    """Write the rows of ``resp``: this process the first half, a forked one the second.

    Formatting floats is the slow part of writing z.csv (~0.5 µs a number) and holds the GIL,
    so a thread cannot share it. The child writes into an unnamed temporary file (nothing to
    clean up, even after SIGKILL), which is appended once both halves are done. The child
    only formats and writes: no lock that another thread could hold is needed there.
    """
    half = resp.shape[0] // 2
    with tempfile.TemporaryFile(dir=Path(f.name).parent) as second:
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
                for text in _format_rows(resp[half:], row):
                    second.write(text.encode("utf-8"))
                second.flush()
                status = 0
            finally:
                os._exit(status)
        try:
            for text in _format_rows(resp[:half], row):
                f.write(text)
        except BaseException:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise
        if os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0:
            raise OSError(errno.EIO, "the process formatting the second half of the rows failed")
        f.flush()
        second.seek(0)
        shutil.copyfileobj(second, f.buffer, 1 << 20)


def _responsibilities_writer(resp: np.ndarray) -> Writer:
    resp = np.asarray(resp, dtype=np.float64)
    if resp.ndim != 2:
        raise ValueError(f"resp must have shape (n_samples, n_components), got {resp.shape}")
    n_components = resp.shape[1]
    row = ",".join(["%.18e"] * n_components) + "\n"  # np.savetxt's, as the original wrote

    def write(f: IO) -> None:
        if resp.shape[0] >= _ROWS_TO_SHARE and _can_share():
            _write_rows_shared(f, resp, row)
        else:
            f.writelines(_format_rows(resp, row))

    return write


def write_responsibilities(path: PathLike, resp: np.ndarray) -> None:
    """Write γ as ``z.csv``: N lines of K comma-separated values, '%.18e' (exact round trip).

    Parameters
    ----------
    path : str or path-like
    resp : ndarray of shape (n_samples, n_components)
    """
    _write_atomically({Path(path): (_responsibilities_writer(resp), False)})


# ---------------------------------------------------------------------------
# params.dat: π, μ and the precision matrices Λ_k
# ---------------------------------------------------------------------------


def _number(x: float) -> str:
    """Shortest text that reads back as exactly the same float."""
    return repr(float(x))


def _vector(v: np.ndarray) -> str:
    return "[" + " ".join(map(_number, v)) + "]"


def _params_writer(params: GaussianMixtureParams) -> Writer:
    # Λ_k as full D×D matrices whatever the covariance type, as the original wrote them.
    full = params if params.covariance_type == "full" else params.with_covariance_type("full")
    precisions = full.precisions

    def write(f: IO) -> None:
        f.write(
            f"# gmmlearn Gaussian mixture: K={params.n_components}, D={params.n_features}, "
            f"covariance_type={params.covariance_type}\n"
        )
        f.write("pi:\n")
        for k, weight in enumerate(params.weights):
            f.write(f"cluster {k}: {_number(weight)}\n")
        f.write("\nmeans:\n")
        for k, mean in enumerate(params.means):
            f.write(f"cluster {k}: {_vector(mean)}\n")
        f.write("\nprecision matrix:\n")
        for k, precision in enumerate(precisions):
            rows = [_vector(row) for row in precision]
            f.write(f"cluster {k}\n[" + "\n ".join(rows) + "]\n")

    return write


def write_params(path: PathLike, params: GaussianMixtureParams) -> None:
    """Write θ as ``params.dat``, in the 2019 original's sections.

    For Old Faithful with K = 2 (numbers shortened here; the file has all their digits)::

        # gmmlearn Gaussian mixture: K=2, D=2, covariance_type=full
        pi:
        cluster 0: 0.356
        cluster 1: 0.644

        means:
        cluster 0: [2.04 54.48]
        cluster 1: [4.29 79.97]

        precision matrix:
        cluster 0
        [[15.736 -0.203]
         [-0.203 0.032]]
        cluster 1
        [[6.876 -0.179]
         [-0.179 0.032]]

    The matrices are the precisions Λ_k = Σ_k⁻¹ (as in the original), written as full D×D
    matrices for every covariance type; the first line records the type, and
    :func:`read_params` restores it. Every number is written as its shortest exact ``repr``:
    π and μ read back bit for bit, Σ_k (recomputed from Λ_k) to within rounding, ~1e-15.
    """
    if not isinstance(params, GaussianMixtureParams):
        raise TypeError(f"params must be a GaussianMixtureParams, got {type(params).__name__}")
    _write_atomically({Path(path): (_params_writer(params), False)})


_SECTIONS = {
    "pi:": "pi",
    "means:": "means",
    "precision matrix:": "precisions",
    "precison matrix:": "precisions",  # the 2019 original's spelling
}
_CLUSTER = re.compile(r"cluster\s+(\d+)\s*:?\s*(.*)$")
_TYPE = re.compile(r"covariance_type\s*=\s*(\w+)")


def _parse_numbers(text: str, path: Path, line: int) -> np.ndarray:
    try:
        return np.array(text.replace("[", " ").replace("]", " ").split(), dtype=np.float64)
    except ValueError:
        raise ValueError(f"{path}, line {line}: expected numbers, got {text.strip()!r}") from None


def read_params(path: PathLike) -> GaussianMixtureParams:
    """Read ``params.dat`` (as written by :func:`write_params`, or by the 2019 original).

    Returns
    -------
    params : GaussianMixtureParams
        With the covariance type recorded in the file ("full" if none is).
    """
    path = Path(path)
    lines = _read_text(path).splitlines()
    covariance_type = "full"
    found: dict[str, dict[int, np.ndarray]] = {"pi": {}, "means": {}, "precisions": {}}
    section = None
    i = 0
    while i < len(lines):
        number, line = i + 1, lines[i].strip()
        i += 1
        if not line:
            continue
        if line.startswith("#"):
            match = _TYPE.search(line)
            covariance_type = match.group(1) if match else covariance_type
            continue
        if line in _SECTIONS:
            section = _SECTIONS[line]
            continue
        match = _CLUSTER.match(line)
        if section is None or match is None:
            raise ValueError(
                f"{path}, line {number}: unexpected {line!r}; expected a section ('pi:', "
                "'means:', 'precision matrix:') or a line 'cluster k: ...'"
            )
        k, text = int(match.group(1)), match.group(2)
        if not text and i < len(lines):  # "cluster k" alone: the matrix starts below
            text, i = lines[i], i + 1
        # A vector or matrix may run over several lines: read until its brackets close.
        while text.count("[") > text.count("]") and i < len(lines):
            text += " " + lines[i]
            i += 1
        found[section][k] = _parse_numbers(text, path, number)
    for name, values in found.items():
        if sorted(values) != list(range(len(values))) or not values:
            raise ValueError(
                f"{path}: section {name!r} must list clusters 0, 1, …, K-1, got "
                f"{sorted(values)}; is this a params.dat file?"
            )
    n_components = len(found["pi"])
    if len(found["means"]) != n_components or len(found["precisions"]) != n_components:
        raise ValueError(
            f"{path}: {n_components} weights but {len(found['means'])} means and "
            f"{len(found['precisions'])} precision matrices; every cluster needs all three"
        )
    weights = np.concatenate([found["pi"][k] for k in range(n_components)])
    means = np.array([found["means"][k] for k in range(n_components)])
    n_features = means.shape[1] if means.ndim == 2 else 0
    flat = [found["precisions"][k] for k in range(n_components)]
    if weights.shape != (n_components,) or any(p.size != n_features**2 for p in flat):
        raise ValueError(
            f"{path}: expected one weight, {n_features} mean values and a {n_features}×"
            f"{n_features} matrix per cluster; the file is truncated or malformed"
        )
    # The original wrote π with 6 decimals, so its weights may miss 1 by a few 1e-6.
    if 1e-9 < abs(weights.sum() - 1.0) < 1e-4:
        weights = weights / weights.sum()
    precisions = np.array(flat).reshape(n_components, n_features, n_features)
    params = GaussianMixtureParams.from_precisions(weights, means, precisions, "full")
    check_covariance_type(covariance_type)
    if covariance_type == "full":
        return params
    return params.with_covariance_type(covariance_type)


# ---------------------------------------------------------------------------
# em_likelihood.txt: the log-likelihood at every step
# ---------------------------------------------------------------------------

_LIKELIHOOD_HEADER = "step\tlog-likelihood"


def _likelihood_writer(log_likelihoods: np.ndarray) -> Writer:
    values = np.asarray(log_likelihoods, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"log_likelihoods must be 1-D, got shape {values.shape}")

    def write(f: IO) -> None:
        f.write(_LIKELIHOOD_HEADER + "\n")
        f.writelines(f"{t}\t{_number(value)}\n" for t, value in enumerate(values))

    return write


def write_likelihood(path: PathLike, log_likelihoods: np.ndarray) -> None:
    """Write ``em_likelihood.txt``: a header ``step<TAB>log-likelihood``, then one line a step.

    Step t holds ln p(X | θ_t), the total over the points; step 0 is the initialisation θ₀.
    (The 2019 original's step 0 was after the first iteration, and it wrote 6 decimals; here
    every value is written so that it reads back exactly.)

    Parameters
    ----------
    path : str or path-like
    log_likelihoods : ndarray of shape (T + 1,)
    """
    _write_atomically({Path(path): (_likelihood_writer(log_likelihoods), False)})


def read_likelihood(path: PathLike) -> np.ndarray:
    """Read ``em_likelihood.txt``.

    Returns
    -------
    log_likelihoods : ndarray of shape (T + 1,)
        Indexed by step.
    """
    path = Path(path)
    lines = _read_text(path).splitlines()
    if not lines or lines[0].split() != _LIKELIHOOD_HEADER.split():
        raise ValueError(f"{path}, line 1: expected the header 'step<TAB>log-likelihood'")
    values = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split()
        try:
            step, value = int(fields[0]), float(fields[1])
        except (ValueError, IndexError):
            raise ValueError(
                f"{path}, line {number}: expected 'step<TAB>log-likelihood', got {line!r}"
            ) from None
        if step != len(values) or len(fields) != 2:
            raise ValueError(
                f"{path}, line {number}: expected step {len(values)} and one value, got {line!r}"
            )
        values.append(value)
    return np.array(values)


# ---------------------------------------------------------------------------
# All four files of a run
# ---------------------------------------------------------------------------


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


def write_results(
    out_dir: PathLike, trace, *, on_wait: Callable[[], object] | None = None
) -> dict[str, Path]:
    """Write ``z.csv``, ``params.dat``, ``em_likelihood.txt`` and ``em.png`` of a run, atomically.

    All four go to temporary files in ``out_dir`` first; only when all four were written are
    they renamed into place. If anything fails, the temporaries are removed and whatever
    ``out_dir`` held before (an earlier run's results, say) is left untouched.

    Two runs writing into the same folder at once take turns (a lock on the folder): the
    second waits until the first has renamed its four files, then replaces all four, so the
    folder never holds one run's ``z.csv`` beside another's ``params.dat``.

    Parameters
    ----------
    out_dir : str or path-like
        Created if needed (with its parents).
    trace : EMTrace
        The run (see :func:`gmmlearn.run_em`); the files describe its final θ_T.
    on_wait : callable, optional
        Called once if another run is writing into ``out_dir`` and this one has to wait.

    Returns
    -------
    paths : dict
        File name → path written, in the order of ``OUTPUT_FILES``.
    """
    from ..plotting.static import em_figure  # matplotlib only when a figure is written

    out_dir = Path(out_dir)
    _make_folder(out_dir)  # fail early, before the figure is drawn
    params = trace.final_params
    resp = trace.responsibilities(-1)
    log_likelihoods = np.asarray(trace.log_likelihoods)

    def write_png(f: IO) -> None:
        figure = em_figure(trace.X, params, resp, log_likelihood=log_likelihoods[-1])
        figure.savefig(f, format="png")

    writers = {
        "z.csv": (_responsibilities_writer(resp), False),
        "params.dat": (_params_writer(params), False),
        "em_likelihood.txt": (_likelihood_writer(log_likelihoods), False),
        "em.png": (write_png, True),
    }
    paths = {name: out_dir / name for name in OUTPUT_FILES}
    with _folder_lock(out_dir, on_wait):
        tidy_stale_temporaries(out_dir)
        _write_atomically({paths[name]: writers[name] for name in OUTPUT_FILES})
    return paths
