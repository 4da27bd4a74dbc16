"""Input checks shared by the library, the estimator and the command line.

Every check raises ``ValueError`` or ``TypeError`` with a one-line message that names the
problem and says how to fix it, so a student never has to read a traceback from inside numpy.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from scipy import sparse

from .params import GaussianMixtureParams

__all__ = [
    "MAX_ABS_VALUE",
    "MIN_SPREAD",
    "check_data",
    "check_em_arguments",
    "check_fit_data",
    "check_n_components",
    "check_nonnegative",
    "check_params",
    "check_sample_weight",
    "check_step_data",
    "warn_if_below_reg_covar",
    "weight_scale",
]


# Squared distances of numbers beyond ±1e100 come near float64's overflow (1.8e308) once summed
# over features and scaled by precisions; spreads below 1e-100 come near its underflow and are
# swamped by any reg_covar. Inside that range EM is exact to rounding; outside it, say so.
MAX_ABS_VALUE = 1e100
MIN_SPREAD = 1e-100

_RESCALE = "rescale the data, e.g. divide each column by its largest absolute value"


def check_data(X, *, name: str = "X", min_samples: int = 1, first_index: int = 0) -> np.ndarray:
    """Return ``X`` as a C-contiguous float64 array of shape (n_samples, n_features).

    Messages name rows and columns counting from ``first_index``: 0 like numpy (the library),
    1 like the file readers of :mod:`gmmlearn.io` (the command line).

    Object arrays of numbers are converted (as scikit-learn does); booleans count as 0 and 1.

    Raises
    ------
    TypeError
        Sparse matrices; strings, or object arrays holding something that is not a number.
    ValueError
        Complex numbers; ragged rows; not 2-D; fewer than ``min_samples`` rows or no column;
        NaN or inf; values beyond ±``MAX_ABS_VALUE`` (their squares overflow).
    """
    if sparse.issparse(X):
        raise TypeError(
            f"{name} is a sparse matrix: a Gaussian mixture needs dense data, pass {name}.toarray()"
        )
    try:
        arr = np.asarray(X)
    except ValueError:
        raise ValueError(_ragged(name)) from None
    if arr.dtype.kind in "USV":
        raise TypeError(
            f"{name} holds strings (dtype {arr.dtype}), not numbers: convert them, "
            f"e.g. np.asarray({name}, dtype=float), or read the file with gmmlearn.io.read_points"
        )
    if np.iscomplexobj(arr):
        raise ValueError(
            f"Complex data not supported: {name} is complex; pass real numbers, "
            f"e.g. {name}.real or np.abs({name})"
        )
    if arr.dtype == object:
        arr = _object_to_float(arr, name)
    if arr.ndim == 0:
        raise ValueError(
            f"{name} is a single number: pass a 2-D array of shape (n_samples, n_features)"
        )
    if arr.ndim == 1:
        raise ValueError(
            f"{name} is 1-D (shape {arr.shape}). Reshape your data to (n_samples, n_features): "
            f"{name}.reshape(-1, 1) if it is one feature, {name}.reshape(1, -1) if it is one point"
        )
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D of shape (n_samples, n_features), got {arr.ndim}-D "
            f"shape {arr.shape}: reshape it, e.g. {name}.reshape(len({name}), -1)"
        )
    if arr.shape[1] == 0:
        raise ValueError(
            f"{name} has 0 feature(s) (shape={arr.shape}) while a minimum of 1 is required: "
            "pass data with at least one column"
        )
    if arr.shape[0] < min_samples:
        raise ValueError(
            f"{name} has {arr.shape[0]} sample(s) (shape {arr.shape}) but at least "
            f"{min_samples} are needed: pass more points"
        )
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    finite = np.isfinite(arr)
    if not finite.all():
        row, column = (int(i) for i in np.argwhere(~finite)[0])
        row, column = row + first_index, column + first_index
        what = "NaN" if np.isnan(arr[~finite][0]) else "inf"
        raise ValueError(
            f"{name} contains {what} (first in row {row}, column {column}): drop or impute "
            "those rows"
        )
    largest = np.abs(arr).max()
    if largest > MAX_ABS_VALUE:
        row, column = (
            int(i) + first_index for i in np.unravel_index(np.abs(arr).argmax(), arr.shape)
        )
        raise ValueError(
            f"{name} has values as large as {largest:.3g} (row {row}, column {column}), beyond "
            f"±{MAX_ABS_VALUE:g} where squared distances overflow: {_RESCALE}"
        )
    return arr


def _ragged(name: str) -> str:
    return f"{name} is ragged (rows of different lengths): give every row the same number of values"


def _object_to_float(arr: np.ndarray, name: str) -> np.ndarray:
    """An object array as float64, or a TypeError naming the first element that is no number."""
    try:
        return arr.astype(np.float64)
    except (TypeError, ValueError) as exc:
        for index, value in np.ndenumerate(arr):
            if isinstance(value, (list, tuple, np.ndarray)):
                raise ValueError(_ragged(name)) from None
            try:
                float(value)
            except (TypeError, ValueError):
                where = ", ".join(map(str, index))
                raise TypeError(
                    f"{name}[{where}] = {value!r} is not a number ({exc}): pass numbers only, "
                    "e.g. drop or convert that column"
                ) from None
        raise TypeError(f"{name} cannot be converted to numbers: {exc}") from None


def check_fit_data(
    X: np.ndarray, n_components: int, *, name: str = "X", first_index: int = 0
) -> None:
    """Whether a mixture of ``n_components`` can be fitted to ``X`` (already :func:`check_data`).

    Refused, each with its fix: more components than points or than *distinct* points (a
    component would have nothing of its own and collapse); all points equal; a constant column
    (it tells the components nothing and leaves every Σ_k singular but for ``reg_covar``); a
    column whose spread is below ``MIN_SPREAD``. Columns are counted from ``first_index``.

    Raises
    ------
    ValueError
    """
    n_samples = X.shape[0]
    check_n_components(n_components, n_samples)
    spread = np.ptp(X, axis=0)
    if not spread.any():
        what = f"all {n_samples} points of {name} are equal"
        if n_samples == 1:
            what = f"{name} has a single point"
        raise ValueError(f"{what}: there is nothing to fit; pass at least 2 distinct points")
    constant = np.flatnonzero(spread == 0)
    if constant.size:
        j = int(constant[0])
        raise ValueError(
            f"column {j + first_index} of {name} is constant (every value is {X[0, j]:g}): it "
            "tells the components nothing and makes every Σ_k singular; drop it"
        )
    tiny = np.flatnonzero(spread < MIN_SPREAD)
    if tiny.size:
        j = int(tiny[0])
        raise ValueError(
            f"column {j + first_index} of {name} varies by only {spread[j]:.3g}, below "
            f"{MIN_SPREAD:g} where squared distances underflow: {_RESCALE}"
        )
    n_distinct = _n_distinct_rows(X, n_components)
    if n_distinct < n_components:
        raise ValueError(
            f"{name} has only {n_distinct} distinct points but n_components={n_components}: "
            f"use at most {n_distinct} components"
        )


def _n_distinct_rows(X: np.ndarray, enough: int) -> int:
    """The number of distinct rows of X, or any number ≥ ``enough`` if there are that many."""
    head = X[: 4 * enough]  # usually enough on its own: then the full sort is skipped
    n_distinct = len(np.unique(head, axis=0))
    if n_distinct >= enough or len(head) == len(X):
        return n_distinct
    return len(np.unique(X, axis=0))


def check_n_components(n_components, n_samples: int | None = None) -> int:
    """K must be a positive integer, and at most the number of points."""
    if isinstance(n_components, bool) or not isinstance(n_components, numbers.Integral):
        raise TypeError(
            f"n_components must be an integer, got {n_components!r}: e.g. n_components=2"
        )
    if n_components < 1:
        raise ValueError(
            f"n_components must be at least 1, got {n_components}: use 1 or more components"
        )
    if n_samples is not None and n_components > n_samples:
        raise ValueError(
            f"n_components={n_components} is larger than the number of points "
            f"({n_samples}): use at most {n_samples} components or more data"
        )
    return int(n_components)


def check_nonnegative(value, name: str, *, integer: bool = False) -> float | int:
    """A number ≥ 0 (``tol``, ``reg_covar``, ``max_iter``)."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "an integer" if integer else "a number"
        raise TypeError(f"{name} must be {what}, got {value!r}")
    if not 0 <= value < np.inf:
        raise ValueError(f"{name} must be non-negative and finite, got {value}: pass a number ≥ 0")
    return value


def check_params(params, name: str = "params") -> GaussianMixtureParams:
    """``params`` itself if it is a :class:`~gmmlearn.params.GaussianMixtureParams`."""
    if not isinstance(params, GaussianMixtureParams):
        raise TypeError(
            f"{name} must be a GaussianMixtureParams, got {type(params).__name__}: make one with "
            "gmmlearn.initialize(X, K) or GaussianMixtureParams(weights, means, covariances)"
        )
    return params


def check_step_data(X, params) -> np.ndarray:
    """X for a step function of θ = ``params``: checked float64 data of θ's dimension.

    The one check of :mod:`gmmlearn.steps` and :mod:`gmmlearn.bound` (as :func:`run_em` has):
    2-D, finite, and as many columns as θ has features, else a one-line error.
    """
    check_params(params)
    X = check_data(X)
    if X.shape[1] != params.n_features:
        raise ValueError(
            f"X has {X.shape[1]} feature(s) but params has {params.n_features}: pass X of shape "
            f"(n_samples, {params.n_features}), the dimension of the parameters"
        )
    return X


def check_em_arguments(X, initial_params, *, max_iter, tol, reg_covar) -> np.ndarray:
    """The arguments of :func:`gmmlearn.trace.run_em`: return X as checked float64 data.

    ``initial_params`` must be a ``GaussianMixtureParams`` of X's dimension; ``max_iter`` an
    integer ≥ 0; ``tol`` and ``reg_covar`` numbers ≥ 0.
    """
    if not isinstance(initial_params, GaussianMixtureParams):
        raise TypeError(
            f"initial_params must be a GaussianMixtureParams, got {type(initial_params).__name__}:"
            " make one with gmmlearn.initialize(X, K) or GaussianMixtureParams(weights, means, "
            "covariances)"
        )
    fix = "give θ₀ means of the same dimension as the data"
    start = ("initial_params", initial_params.n_features, fix)
    return check_run_arguments(X, start, max_iter=max_iter, tol=tol, reg_covar=reg_covar)


def check_run_arguments(X, start: tuple, *, max_iter, tol, reg_covar) -> np.ndarray:
    """What every iterative run checks (EM's and VB's): return X as checked float64 data.

    ``start`` is (the starting point's argument name, its number of features, how to fix a
    mismatch); ``max_iter`` must be an integer ≥ 0, ``tol`` and ``reg_covar`` numbers ≥ 0.
    """
    name, n_features, fix = start
    X = check_data(X)
    if X.shape[1] != n_features:
        raise ValueError(f"X has {X.shape[1]} features but {name} has {n_features}: {fix}")
    check_nonnegative(max_iter, "max_iter", integer=True)
    check_nonnegative(tol, "tol")
    check_nonnegative(reg_covar, "reg_covar")
    return X


def check_sample_weight(
    sample_weight, n_samples: int, n_components: int | None = None
) -> np.ndarray | None:
    """``sample_weight`` as a float64 array of shape (n_samples,), or None if it is None.

    One weight per row of X, each finite and ≥ 0 (0 drops the row), not all 0; with
    ``n_components`` also at least K rows of positive weight.
    """
    if sample_weight is None:
        return None
    try:
        weights = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            "sample_weight must be numbers, one per row of X, e.g. np.ones(len(X))"
        ) from None
    if weights.ndim == 0:
        weights = np.full(n_samples, float(weights))  # one number for every row, as sklearn
    if weights.shape != (n_samples,):
        raise ValueError(
            f"sample_weight has shape {weights.shape} but X has {n_samples} rows: give one "
            "weight per row"
        )
    bad = ~np.isfinite(weights) | (weights < 0)
    if bad.any():
        n = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"sample_weight[{n}] = {float(weights[n])!r}: weights must be finite and ≥ 0 "
            "(0 drops the row)"
        )
    positive = int(np.count_nonzero(weights))
    if positive == 0:
        raise ValueError("sample_weight is all zero: give at least one row a positive weight")
    if n_components is not None and positive < n_components:
        raise ValueError(
            f"only {positive} rows have a positive sample_weight, fewer than the "
            f"{n_components} components: use fewer components or weigh more rows"
        )
    return weights


def weight_scale(sample_weight: np.ndarray | None) -> float:
    """The mean positive weight (1 without weights): the unit a count guard is taken in.

    N_k gets 10 ε of this added (:func:`gmmlearn.steps.effective_counts`), so that multiplying
    every weight by c multiplies every N_k by c exactly, and a row of weight 0 changes nothing.
    """
    if sample_weight is None:
        return 1.0
    return float(sample_weight.sum() / np.count_nonzero(sample_weight))


def warn_if_below_reg_covar(X: np.ndarray, reg_covar: float, *, first_index: int = 0) -> None:
    """Warn (UserWarning) if a column of X spreads less than √reg_covar.

    reg_covar is added to every variance: where the data's own standard deviation is smaller,
    the fitted variances along that column are mostly reg_covar, and the model says little
    about it. Not an error (the fit is well defined), but never silent.
    """
    if reg_covar <= 0:
        return
    spread = X.std(axis=0)
    below = np.flatnonzero(spread < np.sqrt(reg_covar))
    if below.size:
        j = int(below[0])
        warnings.warn(
            f"column {j + first_index} of X has a standard deviation of {spread[j]:.3g}, below "
            f"√reg_covar = {np.sqrt(reg_covar):.3g}: reg_covar, added to every variance, "
            "outweighs the data there and the fit says little about it; rescale X (e.g. "
            "X / X.std(axis=0)) or lower reg_covar",
            UserWarning,
            stacklevel=3,
        )
