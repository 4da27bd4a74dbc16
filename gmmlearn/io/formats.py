"""The seed's files of a run: ``z.csv`` (γ), ``params.dat`` (θ), ``em_likelihood.txt`` and
``em.png`` (see :mod:`gmmlearn.io` for their content); ``x.csv`` is read by
:mod:`gmmlearn.io.tables`.

Readers raise a one-line ``ValueError`` naming the file, the line and the fix. Every write is
atomic (:mod:`gmmlearn.io._atomic`): :func:`write_results` writes all four files to temporaries
first and renames them only when all four were written, so a failure part-way leaves neither a
partial file nor a mix of old and new results; renames that fail part-way are rolled back.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import IO

import numpy as np

from ..params import GaussianMixtureParams, check_covariance_type
from ._atomic import (
    Writer,
    _can_share,
    _folder_lock,
    _make_folder,
    _new_folders,
    _remove_new_folders,
    _tidy_leftovers,
    _write_atomically,
    _write_in_two_processes,
)
from .tables import PathLike, _read_text

__all__ = [
    "OUTPUT_FILES",
    "read_likelihood",
    "read_params",
    "write_likelihood",
    "write_params",
    "write_responsibilities",
    "write_results",
]

OUTPUT_FILES: tuple[str, ...] = ("z.csv", "params.dat", "em_likelihood.txt", "em.png")


def tidy_stale_temporaries(out_dir: PathLike) -> list[Path]:
    """Undo what a killed run left in ``out_dir``; returns the hidden files it removed.

    A run writes ``.z.csv.<token>.tmp`` and, while renaming, keeps the earlier files as
    ``.old`` backups; a run killed by SIGKILL or a power cut cannot remove them. A run holds a
    lock on each while it lives: the files nobody holds are a dead run's. If it died between
    two renames its backups are put back (the earlier four files, not a mix); else they are
    removed. A live run's files are kept.
    """
    return _tidy_leftovers(out_dir, OUTPUT_FILES)


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


def _write_rows_shared(f: IO, resp: np.ndarray, row: str) -> None:
    """Write the rows of ``resp``: this process the first half, a forked one the second."""
    half = resp.shape[0] // 2
    _write_in_two_processes(f, _format_rows(resp[:half], row), _format_rows(resp[half:], row))


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
        if k in found[section]:  # else the later line would silently win
            raise ValueError(
                f"{path}, line {number}: a second 'cluster {k}' in section {section!r}; "
                "give each cluster once"
            )
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


def write_results(
    out_dir: PathLike,
    trace,
    *,
    on_wait: Callable[[], object] | None = None,
    on_done: Callable[[], object] | None = None,
) -> dict[str, Path]:
    """Write ``z.csv``, ``params.dat``, ``em_likelihood.txt`` and ``em.png`` of a run, atomically.

    All four go to temporary files in ``out_dir`` first; only when all four were written are
    they renamed into place. If anything fails, the temporaries are removed and whatever
    ``out_dir`` held before (an earlier run's results, say) is left untouched; folders made
    for the files are removed again. Ctrl-C and SIGTERM wait until the renames are done (or
    rolled back).

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
    on_done : callable, optional
        Called once all four files are in place, before a Ctrl-C or SIGTERM that came
        during the renames is handled: the caller knows which files the folder holds.

    Returns
    -------
    paths : dict
        File name → path written, in the order of ``OUTPUT_FILES``.
    """
    from ..plotting.static import em_figure  # matplotlib only when a figure is written

    out_dir = Path(out_dir)
    new_folders = _new_folders(out_dir)
    _make_folder(out_dir)  # fail early, before the figure is drawn
    params = trace.final_params
    resp = trace.responsibilities(-1)
    log_likelihoods = np.asarray(trace.log_likelihoods)

    def write_png(f: IO) -> None:
        with warnings.catch_warnings():
            # matplotlib's layout advice is for its user, not the command's (issue 22)
            warnings.filterwarnings("ignore", "constrained_layout not applied")
            figure = em_figure(trace.X, params, resp, log_likelihood=log_likelihoods[-1])
            figure.savefig(f, format="png")

    writers = {
        "z.csv": (_responsibilities_writer(resp), False),
        "params.dat": (_params_writer(params), False),
        "em_likelihood.txt": (_likelihood_writer(log_likelihoods), False),
        "em.png": (write_png, True),
    }
    paths = {name: out_dir / name for name in OUTPUT_FILES}
    try:
        with _folder_lock(out_dir, on_wait):
            tidy_stale_temporaries(out_dir)
            _write_atomically({paths[name]: writers[name] for name in OUTPUT_FILES}, on_done)
    except BaseException:
        _remove_new_folders(new_folders)  # a full disk leaves no empty folder behind
        raise
    return paths
