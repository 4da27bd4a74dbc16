"""Reading tables of numbers: ``x.csv`` (the points) and ``z.csv`` (γ).

The reader finds the text's encoding (UTF-8 with or without a byte-order mark, UTF-16 with
one, else Latin-1), skips blank lines, ``#`` comments and a header of column names, parses with
numpy's C reader and, only when that fails, reads again line by line to name the line, the
column and the fix in a one-line ``ValueError``. A missing or unreadable file raises
``OSError`` (``FileNotFoundError``, …) with a one-line message.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

__all__ = ["read_points", "read_responsibilities"]

PathLike = str | os.PathLike

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
# '1,2573;-0,1321' or '1,25<TAB>3,5': numbers with a decimal comma, separated by ';' or blanks
_DECIMAL_COMMA_FIELD = r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?|[+-]?\d+"
_DECIMAL_COMMAS = re.compile(
    rf"\s*(?:{_DECIMAL_COMMA_FIELD})(?:\s*[;\s]\s*(?:{_DECIMAL_COMMA_FIELD}))+\s*"
)
# the header of pandas' to_csv with its index: ',a,b' or 'Unnamed: 0,a,b' (read and written again)
_PANDAS_INDEX_NAME = re.compile(r"|Unnamed: \d+")


def _open_error(exc: OSError, path: Path) -> OSError:
    """A one-line OSError of the same kind, saying why ``path`` cannot be read."""
    if isinstance(exc, FileNotFoundError):
        return FileNotFoundError(f"cannot read {path}: no such file")
    if isinstance(exc, IsADirectoryError):
        return IsADirectoryError(f"cannot read {path}: it is a folder, not a file")
    return type(exc)(f"cannot read {path}: {exc.strerror or exc}")


class _Spooled:
    """A pipe's text, copied once into a temporary file: opened as that file, named as the pipe.

    ``open()`` and numpy open the copy (``__fspath__``); messages name what the user gave
    (``__str__``), e.g. ``/dev/stdin``.
    """

    def __init__(self, name: Path, copy: str):
        self.name, self.copy = name, copy

    def __fspath__(self) -> str:
        return self.copy

    def __str__(self) -> str:
        return str(self.name)

    def open(self, mode: str = "r", encoding: str | None = None):
        return open(self.copy, mode, encoding=encoding)


@contextlib.contextmanager
def _readable_again(path: Path) -> Iterator[Path | _Spooled]:
    """``path`` itself if it can be read more than once (a file), else a copy of its stream.

    The reader opens its input up to three times (encoding, header, numbers): a pipe, a FIFO,
    ``/dev/stdin`` or ``<(zcat f.gz)`` would lose to the first two what they read. Such a
    stream is read once into a temporary file (removed afterwards) and parsed from there.
    """
    try:
        regular = stat.S_ISREG(os.stat(path).st_mode) or stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        regular = True  # missing or unreadable: the reader says why
    if regular:
        yield path
        return
    try:
        fd, copy = tempfile.mkstemp(prefix="gmmlearn-input.", suffix=".csv")
    except OSError as exc:
        raise type(exc)(
            f"cannot read {path}: no room for its copy in {tempfile.gettempdir()} "
            f"({exc.strerror or exc}); set TMPDIR to a folder with space"
        ) from None
    try:
        with os.fdopen(fd, "wb") as spool:
            try:
                with open(path, "rb") as stream:
                    shutil.copyfileobj(stream, spool, 1 << 20)
            except OSError as exc:
                if exc.errno in (errno.ENOSPC, errno.EDQUOT):  # the copy, not the pipe
                    raise type(exc)(
                        f"cannot read {path}: no room for its copy in "
                        f"{tempfile.gettempdir()}; set TMPDIR to a folder with space"
                    ) from None
                raise _open_error(exc, path) from None
        yield _Spooled(path, copy)
    finally:
        os.unlink(copy)


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
    if head.startswith(_UTF32_BOMS):  # before UTF-16: FF FE starts both
        return "utf-32"
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
    """The whole file (or pipe) as text, or a one-line OSError/ValueError saying why not."""
    with _readable_again(path) as readable:
        encoding = _encoding(readable)
        try:
            with open(readable, encoding=encoding) as f:
                return f.read()
        except UnicodeDecodeError:
            with open(readable, encoding="latin-1") as f:
                return f.read()
        except OSError as exc:
            raise _open_error(exc, path) from None


def _is_number(field: str) -> bool:
    if "_" in field or not field.isascii():
        # float() takes '1_000', '١٫٥' and '１.５', numpy's parser does not: neither do we
        return False
    try:
        float(field)
    except ValueError:
        return False
    return True


def _looks_numeric(field: str) -> bool:
    """A number, or numbers separated by spaces or ';' (a wrongly delimited row, not a header)."""
    parts = [part.strip("\"'") for part in re.split(r"[\s;]+", field) if part]
    return (bool(parts) and all(map(_is_number, parts))) or _other_digits(field)


def _other_digits(field: str) -> bool:
    """Digits other than 0-9 (Arabic-Indic '٣', full-width '３'): numbers, not a name."""
    return any(char.isdigit() and not char.isascii() for char in field)


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
    _check_decimal_commas(path, below_number, below_text)  # a header 'x;y' above them
    width = len(_fields(below_text))
    if len(fields) != width and any(map(_is_number, _fields(below_text))):
        raise ValueError(
            f"{path}, line {number} was taken for column names but has {len(fields)} where "
            f"line {below_number} has {width} values; give one name per column, or none"
        )
    return number, text


def _hint(field: str) -> str:
    """Why a field that is not a number probably is not one."""
    if len(field) >= 2 and field[0] == field[-1] and field[0] in "\"'":
        if _is_number(field[1:-1]):
            return " (remove the quotes around the numbers)"
    if _other_digits(field):
        return " (digits other than 0-9, e.g. Arabic-Indic or full-width: write them as 0-9)"
    if ";" in field:
        return " (separate values by commas, not ';'; a spreadsheet's 'CSV' export does)"
    if "\t" in field or len(field.split()) > 1:
        return " (separate values by commas)"
    return ""


def _check_decimal_commas(path: Path, number: int, text: str, header_note: str = "") -> None:
    """Refuse '1,2573;-0,1321' (a spreadsheet's CSV in a decimal-comma locale) by its name."""
    if "," in text and _DECIMAL_COMMAS.fullmatch(text):
        raise ValueError(
            f"{path}, line {number}: {text!r} has decimal commas; export the file with '.' "
            f"as the decimal mark and ',' between values{header_note}"
        )


def _diagnose(path: Path, encoding: str, start: int, header_note: str) -> None:
    """Raise the one-line error for the first line numpy's parser could not read, if any.

    The slow path, run only after the fast parser failed: one line at a time, no memory
    growth. Returns normally if every line is fine by our rules (a line of spaces, say).
    """
    width = first = None
    for number, text in _data_lines(path, encoding, start):
        _check_decimal_commas(path, number, text, header_note)
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


def _check_no_pandas_index(path, start: int, header_text: str, values: np.ndarray) -> None:
    """Refuse the row numbers that pandas' ``to_csv`` writes as a first column by default.

    Its header then starts with an empty name (``,a,b``), or ``Unnamed: 0`` after a file was
    read and written again: the column under it holds integers, not a coordinate.
    """
    name = _fields(header_text)[0]
    first_column = values[:, 0]
    if not _PANDAS_INDEX_NAME.fullmatch(name) or values.shape[1] < 2:
        return
    # an index: distinct whole numbers ≥ 0 (0 … N-1, or a subset of them after df.sample)
    whole = np.all(first_column == np.round(first_column)) and first_column.min() >= 0
    if not whole or len(np.unique(first_column)) != len(first_column):
        return
    shown = repr(name) if name else "an empty name"
    raise ValueError(
        f"{path}, line {start}: column 1, headed {shown}, is pandas' row index, not a "
        "coordinate; write the file with to_csv(..., index=False) or drop that column"
    )


def _read_table(
    path: PathLike, *, header: bool | str = False
) -> tuple[np.ndarray, tuple[int, str] | None]:
    """Parse a comma-separated file of numbers into a float64 array of shape (rows, columns).

    Blank lines and comments (``#`` to the end of the line) are skipped. With
    ``header="auto"`` a first line of column names is skipped (see :func:`_find_header`).
    Returns the array and the header skipped, as (line number, text), or None.
    """
    with _readable_again(Path(path)) as readable:
        return _read_readable(readable, header)


def _read_readable(
    path: Path | _Spooled, header: bool | str
) -> tuple[np.ndarray, tuple[int, str] | None]:
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
    if header_text is not None:
        _check_no_pandas_index(path, start, header_text, values)
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

    A pipe, a FIFO or ``/dev/stdin`` is read once, into a temporary file, and parsed from
    there: no row is lost to the sniffing of its encoding and header.

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
