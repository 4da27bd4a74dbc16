"""Input checks shared by the library, the estimator and the command line.

Every check raises ``ValueError`` or ``TypeError`` with a one-line message that names the
problem and says how to fix it, so a student never has to read a traceback from inside numpy.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["check_data", "check_n_components", "check_nonnegative"]


def check_data(X, *, name: str = "X", min_samples: int = 1) -> np.ndarray:
    """Return ``X`` as a C-contiguous float64 array of shape (n_samples, n_features).

    Raises
    ------
    TypeError
        Complex, object, string or other non-numeric data.
    ValueError
        Not 2-D, fewer than ``min_samples`` rows, no columns, NaN or inf.
    """
    try:
        arr = np.asarray(X)
    except ValueError:
        raise ValueError(
            f"{name} is ragged (rows of different lengths): give every row the same "
            "number of values"
        ) from None
    if arr.dtype == object or arr.dtype.kind in "USV":
        raise TypeError(
            f"{name} must hold numbers, got dtype {arr.dtype}: convert it with "
            "np.asarray(X, dtype=float)"
        )
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} is complex: pass real numbers (e.g. X.real or np.abs(X))")
    if arr.ndim == 1:
        raise ValueError(
            f"{name} is 1-D (shape {arr.shape}): pass a 2-D array of shape "
            "(n_samples, n_features), e.g. X.reshape(-1, 1) for one feature"
        )
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D of shape (n_samples, n_features), got {arr.ndim}-D "
            f"shape {arr.shape}"
        )
    if arr.shape[0] < min_samples or arr.shape[1] == 0:
        raise ValueError(
            f"{name} has shape {arr.shape} but needs at least {min_samples} sample(s) and "
            "one feature: pass non-empty data"
        )
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    finite = np.isfinite(arr)
    if not finite.all():
        row = int(np.flatnonzero(~finite.all(axis=1))[0])
        raise ValueError(
            f"{name} contains NaN or inf (first in row {row}): drop or impute those rows"
        )
    return arr


def check_n_components(n_components, n_samples: int | None = None) -> int:
    """K must be a positive integer, and at most the number of points."""
    if isinstance(n_components, bool) or not isinstance(n_components, numbers.Integral):
        raise TypeError(f"n_components must be an integer, got {n_components!r}")
    if n_components < 1:
        raise ValueError(f"n_components must be at least 1, got {n_components}")
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
    if not value >= 0:
        raise ValueError(f"{name} must be non-negative, got {value}")
    return value
