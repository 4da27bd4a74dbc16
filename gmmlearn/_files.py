"""Writing a file whole or not at all: what every export of gmmlearn writes through (the browser
view's page, the matplotlib view's GIF and HTML, the explorer's exports)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

__all__ = ["write_file_atomically"]


def _check_target(path: Path, example: str) -> None:
    """One-line errors for a target that cannot be a file: a folder, or in a missing folder."""
    if path.is_dir():
        raise IsADirectoryError(
            f"cannot write {path}: it is a folder; give a file name, e.g. {path / example}"
        )
    parent = path.absolute().parent
    if not parent.is_dir():
        what = "is a file, not a folder" if parent.exists() else "does not exist"
        raise FileNotFoundError(f"cannot write {path}: the folder {parent} {what}; make it first")


def write_file_atomically(path, write: Callable[[Path], object], example: str = "run.html") -> Path:
    """Have ``write(tmp)`` make the file at a temporary path beside ``path``, then rename it.

    An existing file is replaced only once the new one is complete: a full disk or an error
    part-way leaves it as it was, and no temporary behind. The temporary keeps the suffix of
    ``path`` (Pillow picks the GIF format by it). Errors are one-line ``OSError``s naming
    ``path``.

    Parameters
    ----------
    path : str or path-like
    write : callable
        Called with the temporary's path; it writes the whole file there.
    example : str, default="run.html"
        A file name the error for a folder ``path`` suggests.

    Returns
    -------
    path : pathlib.Path
    """
    path = Path(path)
    _check_target(path, example)
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:12]}.tmp{path.suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise type(exc)(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
    return path
