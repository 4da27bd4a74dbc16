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

import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO

import numpy as np

from .params import GaussianMixtureParams, check_covariance_type

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


def _read_text(path: Path) -> str:
    """The whole file as text, or a one-line OSError/ValueError saying why not."""
    try:
        return path.read_text(encoding="utf-8-sig")  # -sig: a spreadsheet's BOM is not data
    except FileNotFoundError:
        raise FileNotFoundError(f"cannot read {path}: no such file") from None
    except IsADirectoryError:
        raise IsADirectoryError(f"cannot read {path}: it is a folder, not a file") from None
    except UnicodeDecodeError:
        raise ValueError(
            f"cannot read {path}: not a text file; give comma-separated numbers, one point a line"
        ) from None
    except OSError as exc:
        raise type(exc)(f"cannot read {path}: {exc.strerror or exc}") from None


def _is_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def _looks_numeric(field: str) -> bool:
    """A number, or numbers separated by spaces (a wrongly delimited row, not a header)."""
    return bool(field.split()) and all(map(_is_number, field.split()))


def _read_table(path: PathLike, *, header: bool | str = False) -> np.ndarray:
    """Parse a comma-separated file of numbers into a float64 array of shape (rows, columns).

    Blank lines and lines starting with ``#`` are skipped. With ``header="auto"`` a first line
    holding no number at all is taken for column names and skipped.
    """
    path = Path(path)
    rows: list[list[str]] = []
    lines: list[int] = []
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            rows.append([field.strip() for field in stripped.split(",")])
            lines.append(number)
    if not rows:
        raise ValueError(f"{path} is empty: give one point a line, values separated by commas")
    if header is True or (header == "auto" and not any(map(_looks_numeric, rows[0]))):
        rows, lines = rows[1:], lines[1:]
        if not rows:
            raise ValueError(f"{path} has a header line but no data: add rows of numbers")
    width = len(rows[0])
    for row, number in zip(rows, lines):
        if len(row) != width:
            raise ValueError(
                f"{path}, line {number}: {len(row)} values where line {lines[0]} has {width}; "
                "give every line the same number of comma-separated values"
            )
    try:
        values = np.array(rows, dtype=np.float64)
    except ValueError:
        number, column, field = next(
            (number, column, field)
            for row, number in zip(rows, lines)
            for column, field in enumerate(row, start=1)
            if not _is_number(field)
        )
        hint = " (separate values by commas)" if len(field.split()) > 1 else ""
        what = "an empty value" if not field else f"{field!r} is not a number{hint}"
        raise ValueError(
            f"{path}, line {number}, column {column}: {what}; fix or delete that line"
        ) from None
    bad = ~np.isfinite(values)
    if bad.any():
        row, column = (int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{path}, line {lines[row]}, column {column + 1}: {rows[row][column]!r} is not a "
            "finite number; drop or impute that point"
        )
    return values


def read_points(path: PathLike) -> np.ndarray:
    """Read points from a comma-separated file such as ``x.csv``.

    One point a line, its D coordinates separated by commas (one column is fine: D = 1).
    Blank lines and ``#`` comments are skipped, and so is a first line of column names
    (a line with no number at all, e.g. ``eruptions,waiting``).

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)

    Raises
    ------
    OSError
        The file is missing or unreadable (``FileNotFoundError``, ``PermissionError``, …).
    ValueError
        Empty file; a line with another number of values than the first (the line is named);
        a value that is not a number, or NaN or inf (line and column named).
    """
    return _read_table(path, header="auto")


def read_responsibilities(path: PathLike) -> np.ndarray:
    """Read ``z.csv`` as written by :func:`write_responsibilities`.

    Returns
    -------
    resp : ndarray of shape (n_samples, n_components)
    """
    return _read_table(path)


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
        with os.fdopen(fd, mode, encoding=encoding, newline=None if binary else "\n") as f:
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


def _responsibilities_writer(resp: np.ndarray) -> Writer:
    resp = np.asarray(resp, dtype=np.float64)
    if resp.ndim != 2:
        raise ValueError(f"resp must have shape (n_samples, n_components), got {resp.shape}")
    return lambda f: np.savetxt(f, resp, fmt="%.18e", delimiter=",")


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


def write_results(out_dir: PathLike, trace) -> dict[str, Path]:
    """Write ``z.csv``, ``params.dat``, ``em_likelihood.txt`` and ``em.png`` of a run, atomically.

    All four go to temporary files in ``out_dir`` first; only when all four were written are
    they renamed into place. If anything fails, the temporaries are removed and whatever
    ``out_dir`` held before (an earlier run's results, say) is left untouched.

    Parameters
    ----------
    out_dir : str or path-like
        Created if needed (with its parents).
    trace : EMTrace
        The run (see :func:`gmmlearn.run_em`); the files describe its final θ_T.

    Returns
    -------
    paths : dict
        File name → path written, in the order of ``OUTPUT_FILES``.
    """
    from .plotting.static import em_figure  # matplotlib only when a figure is written

    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise FileExistsError(f"cannot write into {out_dir}: it is a file, not a folder") from None
    except OSError as exc:
        raise type(exc)(f"cannot create the folder {out_dir}: {exc.strerror or exc}") from None
    tidy_stale_temporaries(out_dir)
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
    _write_atomically({paths[name]: writers[name] for name in OUTPUT_FILES})
    return paths
