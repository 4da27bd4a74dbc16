"""Initial parameters θ₀ for EM.

EM only climbs to the nearest local maximum of the likelihood, so where it starts matters.
Every initialisation takes a ``random_state`` (None, an int, or a ``numpy.random.RandomState``)
so that a run can be repeated exactly.

==========================  ==============================================================
``method``                  what it does
==========================  ==============================================================
``"bounding-box"``          the 2019 original's scheme (weak; kept to show why)
``"random_from_data"``      K distinct data points as the means
``"k-means++"``             k-means++ seeding (scikit-learn's ``kmeans_plusplus``)
``"kmeans"``                a full k-means run (scikit-learn's ``KMeans``), the default
``"random"``                random responsibilities, then an M-step
==========================  ==============================================================

``"kmeans"``, ``"k-means++"``, ``"random"`` and ``"random_from_data"`` are exactly
scikit-learn's: the same ``random_state`` gives the same θ₀ as
``sklearn.mixture.GaussianMixture``. They build a starting γ and apply one M-step to it.
"""

from __future__ import annotations

import numbers

import numpy as np

from .params import GaussianMixtureParams, check_covariance_type, covariance_shape
from .steps import m_step
from .validation import (
    check_data,
    check_fit_data,
    check_n_components,
    check_nonnegative,
    check_sample_weight,
    warn_if_below_reg_covar,
)

__all__ = [
    "INIT_METHODS",
    "check_initial_parameters",
    "init_bounding_box",
    "initial_responsibilities",
    "initialize",
]

INIT_METHODS: tuple[str, ...] = (
    "kmeans",
    "k-means++",
    "random",
    "random_from_data",
    "bounding-box",
)


def check_init_method(method: str) -> str:
    """Return ``method`` if it is known, else raise a ValueError listing the known ones."""
    if method not in INIT_METHODS:
        raise ValueError(
            f"unknown init method {method!r}: use one of " + ", ".join(map(repr, INIT_METHODS))
        )
    return method


def init_bounding_box(
    X: np.ndarray,
    n_components: int,
    covariance_type: str = "full",
    random_state=None,
    reg_covar: float = 0.0,
) -> GaussianMixtureParams:
    r"""The 2019 original's initialisation: random means in the data's range, one shared Σ.

    * :math:`\pi_k = 1/K`;
    * every coordinate of every :math:`\mu_k` uniform in ``[X.min(), X.max()]`` (the smallest
      cube that holds all the data, as the original drew them);
    * every :math:`\Sigma_k = X^\top X / N` (plus ``reg_covar`` on the diagonal, which the
      original lacked: without it, data on a line or plane give a singular Σ).

    Why it is weak: a mean drawn in an empty corner of the cube may own no point at all
    (N_k → 0, a wasted component); the means ignore where the data actually are; and
    :math:`X^\top X/N` is the second moment about the *origin*, not the covariance about the
    data's mean, so for data far from 0 every component starts far too broad (or, after
    centring, the same for all). Runs from it converge slowly and to different local optima
    for different seeds. Compare it with ``"k-means++"`` in the pitfalls lesson.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_components : int
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    random_state : None, int or RandomState
    reg_covar : float, default=0.0

    Returns
    -------
    params : GaussianMixtureParams
    """
    X = np.asarray(X, dtype=np.float64)
    rng = check_random_state(random_state)
    n_samples, n_features = X.shape
    weights = np.full(n_components, 1.0 / n_components)
    means = rng.uniform(X.min(), X.max(), size=(n_components, n_features))
    second_moment = X.T @ X / n_samples + reg_covar * np.eye(n_features)
    full = np.broadcast_to(second_moment, (n_components, n_features, n_features))
    params = GaussianMixtureParams(weights, means, full, "full")
    return params.with_covariance_type(covariance_type)


def check_random_state(seed) -> np.random.RandomState:
    """scikit-learn's ``check_random_state`` without importing scikit-learn (the k-means starts
    import it when they run): None → numpy's global RandomState, an int → a new one seeded
    with it, a RandomState → itself."""
    if seed is None or seed is np.random:
        return np.random.mtrand._rand
    if isinstance(seed, numbers.Integral):
        return np.random.RandomState(seed)
    if isinstance(seed, np.random.RandomState):
        return seed
    raise ValueError(f"{seed!r} cannot be used to seed a numpy.random.RandomState instance")


def initial_responsibilities(
    X: np.ndarray,
    n_components: int,
    method: str = "kmeans",
    random_state=None,
    sample_weight: np.ndarray | None = None,
) -> np.ndarray:
    """A starting γ, as scikit-learn builds it (one-hot rows, or random rows summing to 1).

    With ``sample_weight``, k-means and k-means++ weigh the points (scikit-learn's own
    ``sample_weight``). Every method sees only the rows of positive weight, exactly as if the
    others were left out (a weight of 0 is the same as leaving the row out: a far-away row of
    weight 0 cannot pull a k-means centre); those others get γ = 1/K, which their weight of 0
    makes irrelevant.

    Returns
    -------
    resp : ndarray of shape (n_samples, n_components)
    """
    X = np.asarray(X, dtype=np.float64)
    rng = check_random_state(random_state)
    n_samples = X.shape[0]
    if sample_weight is not None and not np.all(sample_weight > 0):
        kept = sample_weight > 0
        resp = np.full((n_samples, n_components), 1.0 / n_components)
        resp[kept] = initial_responsibilities(
            X[kept], n_components, method, rng, sample_weight[kept]
        )
        return resp
    resp = np.zeros((n_samples, n_components))
    if method == "kmeans":
        from sklearn.cluster import KMeans

        kmeans = KMeans(n_clusters=n_components, n_init=1, random_state=rng)
        labels = kmeans.fit(X, sample_weight=sample_weight).labels_
        resp[np.arange(n_samples), labels] = 1
    elif method == "random":
        resp = rng.uniform(size=(n_samples, n_components))
        resp /= resp.sum(axis=1)[:, np.newaxis]
    elif method == "random_from_data":
        indices = rng.choice(n_samples, size=n_components, replace=False)
        resp[indices, np.arange(n_components)] = 1
    elif method == "k-means++":
        from sklearn.cluster import kmeans_plusplus

        _, indices = kmeans_plusplus(X, n_components, random_state=rng, sample_weight=sample_weight)
        resp[indices, np.arange(n_components)] = 1
    else:
        raise ValueError(
            f"{method!r} does not start from responsibilities: use one of "
            "'kmeans', 'k-means++', 'random', 'random_from_data'"
        )
    return resp


def initialize(
    X: np.ndarray,
    n_components: int,
    method: str = "kmeans",
    *,
    covariance_type: str = "full",
    reg_covar: float = 1e-6,
    random_state=None,
    weights_init: np.ndarray | None = None,
    means_init: np.ndarray | None = None,
    precisions_init: np.ndarray | None = None,
    sample_weight: np.ndarray | None = None,
) -> GaussianMixtureParams:
    """Initial parameters θ₀ by ``method``, with any user-given parts taking precedence.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_components : int
        K.
    method : str, default="kmeans"
        One of ``INIT_METHODS`` (see the module docstring).
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    reg_covar : float, default=1e-6
        Added to the diagonal of the covariances built by the first M-step.
    random_state : None, int or RandomState
    weights_init : ndarray of shape (K,), optional
        User-given π; must be ≥ 0 and sum to 1.
    means_init : ndarray of shape (K, D), optional
        User-given μ.
    precisions_init : ndarray, optional
        User-given Λ (shape by covariance type), symmetric positive definite.
    sample_weight : ndarray of shape (n_samples,), optional
        w_n ≥ 0 per point: the first M-step is weighted, k-means and k-means++ weigh the
        points, and the sampling methods only pick rows of positive weight. The random draws
        differ from those of the rows repeated: compare weighted and repeated fits from the
        same θ₀.

    Returns
    -------
    params : GaussianMixtureParams
    """
    check_covariance_type(covariance_type)
    check_init_method(method)
    X = check_data(X)
    n_components = check_n_components(n_components)
    check_nonnegative(reg_covar, "reg_covar")
    weights_n = check_sample_weight(sample_weight, X.shape[0], n_components)
    # the rows of positive weight are the data (weight 0 = left out): they must be fittable
    kept = X if weights_n is None else X[weights_n > 0]
    check_fit_data(kept, n_components)
    warn_if_below_reg_covar(kept, reg_covar)
    weights_init, means_init, precisions_init = check_initial_parameters(
        weights_init, means_init, precisions_init, covariance_type, n_components, X.shape[1]
    )
    if all(a is not None for a in (weights_init, means_init, precisions_init)):
        # Everything given: nothing to draw (θ₀ equals scikit-learn's in this case too).
        return GaussianMixtureParams.from_precisions(
            weights_init, means_init, precisions_init, covariance_type
        )
    if method == "bounding-box":
        base = init_bounding_box(kept, n_components, covariance_type, random_state, reg_covar)
    else:
        resp = initial_responsibilities(X, n_components, method, random_state, weights_n)
        base = m_step(X, resp, covariance_type, reg_covar, weights_n)
    weights = base.weights if weights_init is None else weights_init
    means = base.means if means_init is None else means_init
    if precisions_init is None:
        return GaussianMixtureParams(weights, means, base.covariances, covariance_type)
    return GaussianMixtureParams.from_precisions(weights, means, precisions_init, covariance_type)


def _check_init_shapes(
    weights_init, means_init, precisions_init, covariance_type, n_components, n_features
) -> None:
    expected = {
        "weights_init": (n_components,),
        "means_init": (n_components, n_features),
        "precisions_init": covariance_shape(covariance_type, n_components, n_features),
    }
    for name, value in zip(expected, (weights_init, means_init, precisions_init)):
        if value is not None and np.shape(value) != expected[name]:
            raise ValueError(
                f"{name} has shape {np.shape(value)} but n_components={n_components}, "
                f"n_features={n_features} and covariance_type={covariance_type!r} need "
                f"{expected[name]}: fix its shape or n_components"
            )


def _real_array(value, name: str) -> np.ndarray:
    """``value`` as float64, or a one-line error naming the parameter (not numpy's message)."""
    try:
        array = np.asarray(value)
    except ValueError:
        raise ValueError(
            f"{name} is ragged (rows of different lengths): pass a rectangular array"
        ) from None
    if np.iscomplexobj(array):
        raise ValueError(f"{name} is complex: pass real numbers, e.g. np.real({name})")
    try:
        if array.dtype.kind not in "biufO":  # strings, dates: not numbers, even "1.5"
            raise TypeError
        return array.astype(np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} holds something that is not a number (dtype {array.dtype}): "
            f"pass numbers, e.g. np.asarray({name}, dtype=float)"
        ) from None


def check_initial_parameters(
    weights_init,
    means_init,
    precisions_init,
    covariance_type: str,
    n_components: int,
    n_features: int,
) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """User-given parts of θ₀ as float arrays, checked; None stays None.

    Each must have the shape ``n_components``, ``n_features`` and ``covariance_type`` ask for
    and be real and finite; π must be ≥ 0 and sum to 1; every Λ_k must be symmetric positive
    definite (diag and spherical: positive).

    The one place that checks them: :func:`initialize` and
    :meth:`gmmlearn.GaussianMixture.fit` both call it.

    Raises
    ------
    TypeError
        Arrays of something other than numbers.
    ValueError
        A ragged or complex array, a wrong shape, NaN or inf, or a value outside its domain,
        each with the fix.
    """
    given = {
        "weights_init": weights_init,
        "means_init": means_init,
        "precisions_init": precisions_init,
    }
    arrays = {name: None if v is None else _real_array(v, name) for name, v in given.items()}
    if all(a is None for a in arrays.values()):
        return None, None, None
    _check_init_shapes(*arrays.values(), covariance_type, n_components, n_features)
    for name, arr in arrays.items():
        if arr is not None and not np.isfinite(arr).all():
            raise ValueError(f"{name} contains NaN or inf: pass finite numbers")
    weights, means, precisions = arrays.values()
    if weights is not None:
        if weights.min() < 0:
            raise ValueError(
                f"weights_init[{int(weights.argmin())}] = {weights.min():g} is negative: weights "
                "are probabilities, pass values ≥ 0 that sum to 1"
            )
        if not abs(weights.sum() - 1.0) <= 1e-6:
            raise ValueError(
                f"weights_init sums to {weights.sum():.6g}, not 1: pass "
                "weights_init / weights_init.sum()"
            )
    if precisions is not None:
        _check_precisions(precisions, covariance_type)
    return weights, means, precisions


def _check_precisions(precisions: np.ndarray, covariance_type: str) -> None:
    """Λ_k symmetric positive definite (diag, spherical: every entry > 0)."""
    if covariance_type in ("diag", "spherical"):
        if precisions.min() <= 0:
            raise ValueError(
                f"precisions_init has the entry {precisions.min():g} ≤ 0: for covariance_type="
                f"{covariance_type!r} pass positive values, 1 / variance"
            )
        return
    stack = precisions if covariance_type == "full" else precisions[np.newaxis]
    for k, prec in enumerate(stack):
        which = f"precisions_init[{k}]" if covariance_type == "full" else "precisions_init"
        if np.abs(prec - prec.T).max() > 1e-6 * np.abs(prec).max():
            raise ValueError(
                f"{which} is not symmetric: pass (P + P.T) / 2, or the inverse of a covariance"
            )
        try:
            np.linalg.cholesky(prec)
        except np.linalg.LinAlgError:
            smallest = np.linalg.eigvalsh(prec).min()
            raise ValueError(
                f"{which} is not positive definite (smallest eigenvalue {smallest:.3g}): pass "
                "the inverse of a covariance matrix, e.g. np.linalg.inv(np.cov(X.T))"
            ) from None
