"""``BayesianGaussianMixture``: variational Bayes (PRML §10.2) as a scikit-learn estimator.

A drop-in for :class:`sklearn.mixture.BayesianGaussianMixture`: the same parameters and
defaults, the same fitted attributes, the same random-number use (so the same ``random_state``
gives the same fit), the same stopping rule and best-of-``n_init`` choice. The work is done by
the student-facing functions: :func:`gmmlearn.initialization.initial_responsibilities` draws
the starting r, :func:`gmmlearn.vb.vb_m_step` turns it into q_0, :func:`gmmlearn.vb.trace.run_vb`
runs VB and records it. What it adds is ``trace_``, the whole run of the best initialisation.
What it shares with the EM estimator is in :mod:`gmmlearn._mixture_base`.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from ._mixture_base import BaseMixture
from .initialization import initial_responsibilities
from .validation import check_data, check_n_components
from .vb.steps import (
    PRIOR_TYPES,
    VBParams,
    VBPrior,
    default_prior,
    log_r,
    log_rho,
    lower_bound,
    predictive_log_density,
    vb_m_step,
)
from .vb.trace import VBTrace, run_vb

__all__ = ["BayesianGaussianMixture"]

_INIT_METHODS = ("kmeans", "k-means++", "random", "random_from_data")


def _real(value, name: str, shape: tuple) -> np.ndarray:
    """A user-given prior as float64 of the expected shape, finite, or a one-line error."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of real numbers, got {value!r}") from None
    if array.shape != shape:
        raise ValueError(
            f"{name} has shape {array.shape} but the data and covariance_type need {shape}: "
            "fix its shape"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or inf: pass finite numbers")
    return array


def _check_prior(estimator, X: np.ndarray) -> VBPrior:
    """The prior of ``estimator`` for X: its given parts checked, the rest sklearn's defaults."""
    n_features = X.shape[1]
    kind = estimator.covariance_type
    base = default_prior(X, estimator.n_components, kind, estimator.weight_concentration_prior_type)
    alpha0 = base.alpha0
    if estimator.weight_concentration_prior is not None:
        alpha0 = estimator.weight_concentration_prior
    beta0 = base.beta0 if estimator.mean_precision_prior is None else estimator.mean_precision_prior
    m0 = base.m0
    if estimator.mean_prior is not None:
        m0 = _real(estimator.mean_prior, "mean_prior", (n_features,))
    nu0 = base.nu0
    if estimator.degrees_of_freedom_prior is not None:
        nu0 = estimator.degrees_of_freedom_prior
        if not nu0 > n_features - 1.0:
            raise ValueError(
                f"degrees_of_freedom_prior must be greater than n_features - 1 = "
                f"{n_features - 1}, got {nu0:g}: pass a larger value, e.g. {n_features}"
            )
    W0_inverse = base.W0_inverse
    if estimator.covariance_prior is not None:
        W0_inverse = _check_covariance_prior(estimator.covariance_prior, kind, n_features)
    return VBPrior(alpha0, beta0, m0, W0_inverse, nu0, kind, base.prior_type)


def _check_covariance_prior(value, kind: str, n_features: int):
    if kind == "spherical":
        return _spherical_covariance_prior(value)
    shape = (n_features, n_features) if kind in ("full", "tied") else (n_features,)
    array = _real(value, f"{kind} covariance_prior", shape)
    if kind == "diag":
        if np.any(array <= 0):
            raise ValueError(
                "diag covariance_prior must be positive: pass one variance > 0 per feature"
            )
        return array
    if not np.allclose(array, array.T):
        raise ValueError(f"{kind} covariance_prior is not symmetric: pass (C + C.T) / 2")
    if np.linalg.eigvalsh(array).min() <= 0:
        raise ValueError(
            f"{kind} covariance_prior is not positive definite: pass a covariance matrix, "
            "e.g. np.cov(X.T)"
        )
    return array


def _spherical_covariance_prior(value) -> float:
    """One variance > 0: a number, a 0-d array or a length-1 array (as scikit-learn takes)."""
    number = None
    if not isinstance(value, (bool, np.bool_, str, bytes)):
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            array = None
        if array is not None and array.shape in ((), (1,)) and np.asarray(value).dtype != bool:
            number = float(array.reshape(()))
    if number is None or not 0 < number < np.inf:
        raise ValueError(
            f"covariance_prior for covariance_type='spherical' must be a number > 0, "
            f"got {value!r}: pass one variance"
        )
    return number


def _initial_lower_bound(resp: np.ndarray, initial: VBParams) -> float:
    """The bound of q_0 with the r it was made from, or NaN if that r is no q(Z).

    "k-means++" and "random_from_data" give r one-hot on K points and 0 on all others: rows
    that do not sum to 1 leave those points out, and the number is no bound for the data.
    """
    if not np.allclose(resp.sum(axis=1), 1.0, rtol=0, atol=1e-12):
        return float("nan")
    with np.errstate(divide="ignore"):  # ln 0 = −inf where r is 0 (its r ln r is 0)
        return lower_bound(np.log(resp), initial)


class BayesianGaussianMixture(BaseMixture):
    """Gaussian mixture fitted by variational Bayes (PRML §10.2), a drop-in for scikit-learn's.

    The parameters, defaults and fitted attributes are those of
    :class:`sklearn.mixture.BayesianGaussianMixture`, and so is every number: from the same
    ``random_state`` both draw the same starting responsibilities, run the same iterations
    and reach the same q, to rounding. See :mod:`gmmlearn.vb` for the equations and where
    scikit-learn departs from the book.

    Parameters
    ----------
    n_components : int, default=1
        K, the largest number of components; VB switches off those it does not need.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    tol : float, default=1e-3
        Stop when the lower bound (the total over the points) changes by less than ``tol``.
    reg_covar : float, default=1e-6
        Added to the diagonal of the scatter S_k.
    max_iter : int, default=100
    n_init : int, default=1
        Initialisations to run; the one with the highest final lower bound is kept.
    init_params : {"kmeans", "k-means++", "random", "random_from_data"}, default="kmeans"
        How the starting responsibilities are drawn (see :mod:`gmmlearn.initialization`).
    weight_concentration_prior_type : {"dirichlet_process", "dirichlet_distribution"}, \
            default="dirichlet_process"
        Stick-breaking prior on π, or the book's Dirichlet.
    weight_concentration_prior : float, default=None
        α₀ (1/K if None).
    mean_precision_prior : float, default=None
        β₀ (1 if None).
    mean_prior : array-like of shape (n_features,), default=None
        m₀ (the data mean if None).
    degrees_of_freedom_prior : float, default=None
        ν₀ > D − 1 (D if None).
    covariance_prior : float or array-like, default=None
        W₀⁻¹: (D, D) full and tied, (D,) diag, a float spherical (from the data if None).
    random_state : int, RandomState instance or None, default=None
    warm_start : bool, default=False
        If True, each ``fit`` after the first continues from the previous q (one run).
    verbose : int, default=0
        scikit-learn's messages, printed after each run (times are the run's average).
    verbose_interval : int, default=10

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
        E[π_k].
    weight_concentration_prior_ : float
    weight_concentration_ : ndarray of shape (n_components,) or tuple of two such arrays
        α_k, or the Beta parameters (a_k, b_k) of the sticks.
    mean_precision_prior_ : float
    mean_precision_ : ndarray of shape (n_components,)
        β_k.
    mean_prior_ : ndarray of shape (n_features,)
    means_ : ndarray of shape (n_components, n_features)
        m_k.
    degrees_of_freedom_prior_ : float
    degrees_of_freedom_ : ndarray of shape (n_components,), or float for tied
        ν_k.
    covariance_prior_ : float or ndarray
        W₀⁻¹.
    covariances_ : ndarray
        W_k⁻¹/ν_k = E[Λ_k]⁻¹, shaped by covariance type.
    precisions_ : ndarray
        E[Λ_k] = ν_k W_k.
    precisions_cholesky_ : ndarray
        Cholesky factor of ν_k W_k.
    converged_ : bool
    n_iter_ : int
    lower_bound_ : float
        The lower bound of the best run (scikit-learn's, constants dropped; −inf if
        ``max_iter=0``).
    lower_bounds_ : list of float
        The bound after every iteration of the best run.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    params_ : VBParams
        q as one value; the array attributes are read from it.
    trace_ : VBTrace
        The recorded run of the best initialisation; ``trace_.final_params`` is ``params_``.

    Examples
    --------
    >>> import numpy as np
    >>> from gmmlearn import BayesianGaussianMixture
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [4, 2], [12, 4], [10, 7]])
    >>> bgm = BayesianGaussianMixture(n_components=2, random_state=42).fit(X)
    >>> bgm.means_.round(2)
    array([[2.5 , 2.29],
           [8.46, 4.52]])
    >>> bgm.predict([[0, 0], [9, 3]])
    array([0, 1])
    >>> bool(np.all(np.diff(bgm.trace_.lower_bounds) >= 0))
    True
    """

    _parameter_constraints: dict = {
        **BaseMixture._parameter_constraints,
        "init_params": [StrOptions(set(_INIT_METHODS))],
        "weight_concentration_prior_type": [StrOptions(set(PRIOR_TYPES))],
        "weight_concentration_prior": [None, Interval(numbers.Real, 0.0, None, closed="neither")],
        "mean_precision_prior": [None, Interval(numbers.Real, 0.0, None, closed="neither")],
        "mean_prior": [None, "array-like"],
        "degrees_of_freedom_prior": [None, Interval(numbers.Real, 0.0, None, closed="neither")],
        "covariance_prior": [
            None,
            "array-like",
            Interval(numbers.Real, 0.0, None, closed="neither"),
        ],
    }

    def __init__(
        self,
        *,
        n_components: int = 1,
        covariance_type: str = "full",
        tol: float = 1e-3,
        reg_covar: float = 1e-6,
        max_iter: int = 100,
        n_init: int = 1,
        init_params: str = "kmeans",
        weight_concentration_prior_type: str = "dirichlet_process",
        weight_concentration_prior: float | None = None,
        mean_precision_prior: float | None = None,
        mean_prior=None,
        degrees_of_freedom_prior: float | None = None,
        covariance_prior=None,
        random_state=None,
        warm_start: bool = False,
        verbose: int = 0,
        verbose_interval: int = 10,
    ) -> None:
        self._set_hyperparameters(locals())

    # -- fitting --------------------------------------------------------------------
    def fit(self, X, y=None) -> BayesianGaussianMixture:
        """Fit q by VB, keeping the best of ``n_init`` initialisations.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        self : BayesianGaussianMixture
        """
        self.fit_predict(X, y)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_predict(self, X, y=None) -> np.ndarray:
        """Fit as :meth:`fit` does, then return argmax_k r_nk for each point.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        check_data(X, min_samples=2)  # one-line messages with the fix, before sklearn's own
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        check_n_components(self.n_components, X.shape[0])
        prior = _check_prior(self, X)
        do_init = not (self.warm_start and hasattr(self, "converged_"))
        if not do_init:
            self._check_warm_start(prior)
        rng = check_random_state(self.random_state)

        def run_once() -> tuple[VBTrace, float]:
            if do_init:
                resp = initial_responsibilities(X, self.n_components, self.init_params, rng)
                initial = vb_m_step(X, resp, prior, self.reg_covar)
                previous = -np.inf
                initial_bound = _initial_lower_bound(resp, initial)
            else:
                initial, previous = self.params_, self.lower_bound_
                initial_bound = previous
            trace = run_vb(
                X,
                initial,
                prior,
                max_iter=self.max_iter,
                tol=self.tol,
                reg_covar=self.reg_covar,
                previous_lower_bound=previous,
                initial_lower_bound=initial_bound,
            )
            return trace, previous

        best = self._best_run(self.n_init if do_init else 1, run_once)
        self._set_fitted(best, prior)
        return self._log_rho(X).argmax(axis=1)

    def _check_warm_start(self, prior: VBPrior) -> None:
        params = self.params_
        had = dict(
            n_components=params.n_components,
            n_features=params.n_features,
            covariance_type=params.covariance_type,
            weight_concentration_prior_type=params.prior_type,
        )
        wanted = (
            self.n_components,
            prior.m0.shape[0],
            self.covariance_type,
            self.weight_concentration_prior_type,
        )
        self._check_warm_start_fits(had, wanted)

    def _set_fitted(self, trace: VBTrace, prior: VBPrior) -> None:
        params = trace.final_params
        self.trace_ = trace
        self.params_ = params
        self.weight_concentration_prior_ = prior.alpha0
        self.mean_precision_prior_ = prior.beta0
        self.mean_prior_ = prior.m0
        self.degrees_of_freedom_prior_ = prior.nu0
        self.covariance_prior_ = prior.W0_inverse
        if params.prior_type == "dirichlet_process":
            self.weight_concentration_ = (params.alpha[0], params.alpha[1])
        else:
            self.weight_concentration_ = params.alpha
        self.mean_precision_ = params.beta
        self.means_ = params.m
        self.degrees_of_freedom_ = float(params.nu) if params.nu.ndim == 0 else params.nu
        self.covariances_ = params.covariances
        self.precisions_cholesky_ = params.precisions_cholesky
        self.precisions_ = params.precisions
        self.weights_ = params.weights
        self.converged_ = bool(trace.converged)
        self.n_iter_ = trace.n_iter
        if trace.n_iter == 0:
            self.lower_bound_ = -np.inf
        else:
            self.lower_bound_ = float(trace.lower_bounds[-1])
        self.lower_bounds_ = [float(b) for b in trace.lower_bounds]

    # -- what BaseMixture reads --------------------------------------------------------
    @staticmethod
    def _run_bounds(trace: VBTrace) -> np.ndarray:
        return trace.lower_bounds

    @staticmethod
    def _final_bound(trace: VBTrace) -> float:
        return trace.lower_bounds[-1]

    def _log_rho(self, X: np.ndarray) -> np.ndarray:
        return log_rho(X, self.params_)

    _log_joint = _log_rho

    def _log_resp(self, X: np.ndarray) -> np.ndarray:
        return log_r(self._log_rho(X))[0]

    def _mixture(self) -> tuple:
        params: VBParams = self.params_
        return params.weights, params.m, params.covariances, params.covariance_type

    # -- using the fit ----------------------------------------------------------------
    def score_samples(self, X) -> np.ndarray:
        r""":math:`\ln\sum_k\rho_{nk}` for each point, scikit-learn's ``score_samples``.

        Returns
        -------
        log_prob : ndarray of shape (n_samples,)
        """
        return self._score_samples(X)

    def predictive_log_density(self, X) -> np.ndarray:
        r""":math:`\ln p(\hat x\mid X)`, a mixture of Student-t's (PRML 10.81): see
        :func:`gmmlearn.vb.predictive_log_density`.

        Returns
        -------
        log_density : ndarray of shape (n_samples,)
        """
        return predictive_log_density(self._fitted_data(X), self.params_)

    def score(self, X, y=None) -> float:
        """The mean of :meth:`score_samples`.

        Returns
        -------
        score : float
        """
        return self._score(X)

    def predict(self, X) -> np.ndarray:
        """argmax_k ln ρ_nk for each point.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        return self._predict(X)

    def predict_proba(self, X) -> np.ndarray:
        """The responsibilities r_nk (PRML 10.49) under the fitted q.

        Returns
        -------
        resp : ndarray of shape (n_samples, n_components)
        """
        return self._predict_proba(X)

    def sample(self, n_samples: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Draw points from the mixture (E[π], m, E[Λ]⁻¹), with scikit-learn's RNG use.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        y : ndarray of shape (n_samples,)
        """
        return self._sample(n_samples)
