"""``GaussianMixture``: a scikit-learn estimator on top of the maths and the recorded trace.

A drop-in for :class:`sklearn.mixture.GaussianMixture`: the same parameters and defaults, the
same fitted attributes, the same random-number use (so the same ``random_state`` gives the same
fit), the same stopping rule and the same warnings. The work is done by the student-facing
functions: :func:`gmmlearn.initialization.initialize` draws θ₀, :func:`gmmlearn.trace.run_em`
runs EM and records it, :mod:`gmmlearn.steps` scores new data. What it adds is ``trace_``, the
whole run of the best initialisation, to step through or plot. What it shares with the VB
estimator is in :mod:`gmmlearn._mixture_base`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import logsumexp
from sklearn.base import _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import validate_data

from ._mixture_base import BaseMixture
from .diagnostics import n_parameters as _n_parameters  # the old private name
from .initialization import INIT_METHODS, check_initial_parameters, initialize
from .steps import log_responsibilities, log_weighted_densities
from .trace import EMTrace, run_em
from .validation import check_data, check_n_components, check_sample_weight

__all__ = ["GaussianMixture"]


# ---------------------------------------------------------------------------
# Helpers for fit
# ---------------------------------------------------------------------------


def _continue_lower_bound(trace: EMTrace, previous_lower_bound: float) -> EMTrace:
    """Apply sklearn's warm-start stopping rule to a run started from the previous fit.

    scikit-learn compares the first lower bound of a warm-started run with the last one of the
    previous fit; ``run_em`` compares it with −∞. If that first change is below ``tol`` the
    run stops after one iteration: keep θ₀, θ₁ and their log-likelihoods (the later
    iterations are deterministic, so the cut is exact).
    """
    if trace.n_iter == 0:
        return trace
    first = trace.mean_log_likelihoods[0]
    if not abs(first - previous_lower_bound) < trace.tol:
        return trace
    return EMTrace(
        X=trace.X,
        params=trace.params[:2],
        log_likelihoods=trace.log_likelihoods[:2],
        converged=True,
        tol=trace.tol,
        reg_covar=trace.reg_covar,
        max_iter=trace.max_iter,
    )


# ---------------------------------------------------------------------------
# The estimator
# ---------------------------------------------------------------------------


class GaussianMixture(BaseMixture):
    """Gaussian mixture fitted by EM (PRML §9.2), a drop-in for scikit-learn's.

    The parameters, defaults and fitted attributes are those of
    :class:`sklearn.mixture.GaussianMixture`, and so is every number: from the same
    ``random_state`` (or the same ``weights_init``/``means_init``/``precisions_init``) both
    give the same θ₀, the same iterations and the same result, to rounding. The default
    ``init_params="kmeans"`` is scikit-learn's too, so that it is a drop-in; the 2019 original's
    ``"bounding-box"`` initialisation is available but must be asked for.

    Where it departs on purpose: data that scikit-learn would fit into a degenerate model are
    refused with a message saying how to fix them — more components than distinct points, a
    constant column, and values so large or so finely spread (beyond ±1e100, or varying by less
    than 1e-100) that squared distances overflow or underflow (rescale, e.g. ``X / X.std()``).

    What this class adds is :attr:`trace_`, the recorded run of the best initialisation (θ and
    the log-likelihood after every iteration, γ on demand), which the lessons and the explorer
    widget read.

    Parameters
    ----------
    n_components : int, default=1
        K, the number of mixture components.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
        The form of the covariances: each component its own full Σ_k, one Σ shared by all,
        diagonal Σ_k, or σ_k² I.
    tol : float, default=1e-3
        Stop when the mean log-likelihood per point changes by less than ``tol``.
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance, to keep it positive definite.
    max_iter : int, default=100
        EM iterations per initialisation. 0 only initialises.
    n_init : int, default=1
        Initialisations to run; the one with the highest final lower bound is kept.
    init_params : {"kmeans", "k-means++", "random", "random_from_data", \
            "bounding-box"}, default="kmeans"
        How θ₀ is drawn (see :mod:`gmmlearn.initialization`). The first four are scikit-learn's.
    weights_init : array-like of shape (n_components,), default=None
        Initial π (non-negative, summing to 1); drawn by ``init_params`` if None.
    means_init : array-like of shape (n_components, n_features), default=None
        Initial μ; drawn by ``init_params`` if None.
    precisions_init : array-like, default=None
        Initial Λ = Σ⁻¹, shaped by ``covariance_type`` like ``precisions_``; drawn by
        ``init_params`` if None.
    random_state : int, RandomState instance or None, default=None
        Seeds the initialisations (one generator for all ``n_init`` of them, as scikit-learn)
        and :meth:`sample`.
    warm_start : bool, default=False
        If True, each ``fit`` after the first starts from the previous solution (and runs a
        single initialisation).
    verbose : int, default=0
        1 prints the initialisations and iterations, 2 also times and log-likelihood changes.
        The messages are scikit-learn's; they are printed after each run, and the time per
        iteration is the run's average (EM runs as one recorded trace).
    verbose_interval : int, default=10
        Iterations between two messages.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
        π_k.
    means_ : ndarray of shape (n_components, n_features)
        μ_k.
    covariances_ : ndarray
        Σ_k: (K, D, D) full, (D, D) tied, (K, D) diag, (K,) spherical.
    precisions_ : ndarray
        Λ_k = Σ_k⁻¹, shaped like ``covariances_``.
    precisions_cholesky_ : ndarray
        U_k with Λ_k = U_k U_kᵀ, shaped like ``covariances_``.
    converged_ : bool
        Whether the best initialisation met ``tol`` within ``max_iter``.
    n_iter_ : int
        EM iterations run by the best initialisation.
    lower_bound_ : float
        Mean log-likelihood per point, computed in the E-step of the last iteration of the best
        initialisation (−inf when ``max_iter=0``), as in scikit-learn.
    lower_bounds_ : list of float
        That value at each iteration of the best initialisation.
    n_features_in_ : int
        D, seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` had string column names.
    params_ : GaussianMixtureParams
        θ as one value; the array attributes above are read-only views of it, and the
        prediction methods use it.
    trace_ : EMTrace
        The recorded run of the best initialisation; ``trace_.final_params`` is ``params_``.
        It keeps a reference to the training data, so a pickled estimator holds the data too.

    See Also
    --------
    gmmlearn.trace.run_em : the EM loop, as a function.
    sklearn.mixture.GaussianMixture : the estimator this one reproduces.

    Examples
    --------
    >>> import numpy as np
    >>> from gmmlearn import GaussianMixture
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]])
    >>> gm = GaussianMixture(n_components=2, random_state=0).fit(X)
    >>> gm.means_
    array([[10.,  2.],
           [ 1.,  2.]])
    >>> gm.predict([[0, 0], [12, 3]])
    array([1, 0])
    >>> gm.trace_.n_iter == gm.n_iter_, gm.trace_.final_params.allclose(gm.params_)
    (True, True)
    """

    _parameter_constraints: dict = {
        **BaseMixture._parameter_constraints,
        "init_params": [StrOptions(set(INIT_METHODS))],
        "weights_init": ["array-like", None],
        "means_init": ["array-like", None],
        "precisions_init": ["array-like", None],
    }

    def __init__(
        self,
        n_components: int = 1,
        *,
        covariance_type: str = "full",
        tol: float = 1e-3,
        reg_covar: float = 1e-6,
        max_iter: int = 100,
        n_init: int = 1,
        init_params: str = "kmeans",
        weights_init: np.ndarray | None = None,
        means_init: np.ndarray | None = None,
        precisions_init: np.ndarray | None = None,
        random_state: int | np.random.RandomState | None = None,
        warm_start: bool = False,
        verbose: int = 0,
        verbose_interval: int = 10,
    ) -> None:
        self._set_hyperparameters(locals())

    # -- fitting --------------------------------------------------------------------
    def fit(self, X, y=None, sample_weight=None) -> GaussianMixture:
        """Estimate θ by EM, keeping the best of ``n_init`` initialisations.

        Each initialisation iterates E- and M-steps until the mean log-likelihood per point
        changes by less than ``tol``, or ``max_iter`` times; if the best one did not converge
        a :class:`~sklearn.exceptions.ConvergenceWarning` is issued. With ``warm_start=True``,
        a later call starts where the previous one stopped.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data, one point per row.
        y : Ignored
            Not used, present for API consistency.
        sample_weight : array-like of shape (n_samples,), optional
            w_n ≥ 0 per point (default: all 1): point n counts as w_n points in N_k, π, μ, Σ
            and the log-likelihood. Integer weights fit exactly what repeating the rows fits
            from the same start, scaling all weights changes nothing, and a weight of 0 is
            the same as leaving the row out. **Not in scikit-learn**, whose
            ``GaussianMixture.fit`` takes no weights (its issue #15647).

        Returns
        -------
        self : GaussianMixture
            The fitted estimator.
        """
        self.fit_predict(X, y, sample_weight=sample_weight)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_predict(self, X, y=None, sample_weight=None) -> np.ndarray:
        """Fit as :meth:`fit` does, then return the most probable component of each point.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored
        sample_weight : array-like of shape (n_samples,), optional
            As in :meth:`fit`.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            argmax_k γ_nk under the fitted θ (equal to ``fit(X).predict(X)``).
        """
        check_data(X, min_samples=2)  # one-line messages with the fix, before sklearn's own
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        n_samples, n_features = X.shape
        check_n_components(self.n_components, n_samples)
        weights = check_sample_weight(sample_weight, n_samples, self.n_components)
        check_initial_parameters(
            self.weights_init,
            self.means_init,
            self.precisions_init,
            self.covariance_type,
            self.n_components,
            n_features,
        )
        do_init = not (self.warm_start and hasattr(self, "converged_"))
        if not do_init:
            self._check_warm_start(n_features)
        previous = None if do_init else (self.params_, self.lower_bound_)
        rng = check_random_state(self.random_state)
        run_args = dict(
            max_iter=self.max_iter, tol=self.tol, reg_covar=self.reg_covar, sample_weight=weights
        )

        def run_once() -> tuple[EMTrace, float]:
            if previous is not None:
                trace = run_em(X, previous[0], **run_args)
                return _continue_lower_bound(trace, previous[1]), previous[1]
            initial = initialize(
                X,
                self.n_components,
                self.init_params,
                covariance_type=self.covariance_type,
                reg_covar=self.reg_covar,
                random_state=rng,
                weights_init=self.weights_init,
                means_init=self.means_init,
                precisions_init=self.precisions_init,
                sample_weight=weights,
            )
            return run_em(X, initial, **run_args), -np.inf

        best = self._best_run(self.n_init if do_init else 1, run_once)
        self._set_fitted(best)
        return log_responsibilities(X, self.params_).argmax(axis=1)

    def _check_warm_start(self, n_features: int) -> None:
        """The previous fit must have the shape the current hyperparameters ask for."""
        params = self.params_
        had = dict(
            n_components=params.n_components,
            n_features=params.n_features,
            covariance_type=params.covariance_type,
        )
        self._check_warm_start_fits(had, (self.n_components, n_features, self.covariance_type))

    def _set_fitted(self, trace: EMTrace) -> None:
        params = trace.final_params
        self.trace_ = trace
        self.params_ = params
        self.weights_ = params.weights
        self.means_ = params.means
        self.covariances_ = params.covariances
        self.precisions_cholesky_ = params.precisions_cholesky
        precisions = params.precisions
        precisions.setflags(write=False)
        self.precisions_ = precisions
        self.converged_ = bool(trace.converged)
        self.n_iter_ = trace.n_iter
        self.lower_bound_ = _lower_bound(trace)
        self.lower_bounds_ = [float(b) for b in trace.mean_log_likelihoods[: trace.n_iter]]

    # -- what BaseMixture reads --------------------------------------------------------
    @staticmethod
    def _run_bounds(trace: EMTrace) -> np.ndarray:
        return trace.mean_log_likelihoods[: trace.n_iter]

    @staticmethod
    def _final_bound(trace: EMTrace) -> float:
        return _lower_bound(trace)

    def _log_joint(self, X: np.ndarray) -> np.ndarray:
        return log_weighted_densities(X, self.params_)

    def _log_resp(self, X: np.ndarray) -> np.ndarray:
        return log_responsibilities(X, self.params_)

    def _mixture(self) -> tuple:
        params = self.params_
        return params.weights, params.means, params.covariances, params.covariance_type

    # -- using the fit ----------------------------------------------------------------
    def score_samples(self, X) -> np.ndarray:
        r"""Log-density of each point under the mixture, :math:`\ln p(x_n \mid \theta)`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_prob : ndarray of shape (n_samples,)
        """
        return self._score_samples(X)

    def score(self, X, y=None, sample_weight=None) -> float:
        """Mean log-likelihood per point, ``score_samples(X).mean()``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored
        sample_weight : array-like of shape (n_samples,), optional
            As in :meth:`fit`: the mean per unit of weight, Σ_n w_n ln p(x_n) / Σ_n w_n (integer
            weights score what the repeated rows score). Default: every point counts once.

        Returns
        -------
        log_likelihood : float
        """
        if sample_weight is None:
            return self._score(X)
        total, total_weight = self._weighted_log_likelihood(X, sample_weight)
        return total / total_weight

    def predict(self, X) -> np.ndarray:
        """The most probable component of each point, argmax_k ln π_k N(x_n | μ_k, Σ_k).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        return self._predict(X)

    def predict_proba(self, X) -> np.ndarray:
        """The responsibilities γ_nk of every component for every point (PRML 9.23).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        resp : ndarray of shape (n_samples, n_components)
            Each row sums to 1.
        """
        return self._predict_proba(X)

    def sample(self, n_samples: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Draw points from the fitted mixture, with scikit-learn's algorithm and RNG use.

        How many points each component gets is one multinomial draw; then each component's
        points are drawn from its Gaussian, component by component. The generator is
        ``check_random_state(random_state)``, so an integer seed gives the same sample as
        scikit-learn's estimator with the same fit.

        Parameters
        ----------
        n_samples : int, default=1

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            The points, grouped by component.
        y : ndarray of shape (n_samples,)
            The component each point was drawn from.
        """
        return self._sample(n_samples)

    def bic(self, X, sample_weight=None) -> float:
        r"""Bayesian information criterion of the fit on ``X`` (lower is better).

        .. math:: \mathrm{BIC} = -2 \ln p(X \mid \theta) + p \ln N,

        with p the number of free parameters and N the number of rows of ``X``. With
        ``sample_weight`` (as in :meth:`fit`), :math:`\ln p = \sum_n w_n \ln p(x_n)` and
        N = Σ_n w_n: integer weights give the BIC of the repeated rows.

        Returns
        -------
        bic : float
        """
        return self._penalised_deviance(X, math.log, sample_weight)

    def aic(self, X, sample_weight=None) -> float:
        r"""Akaike information criterion of the fit on ``X`` (lower is better).

        .. math:: \mathrm{AIC} = -2 \ln p(X \mid \theta) + 2p,

        with :math:`\ln p = \sum_n w_n \ln p(x_n)` if ``sample_weight`` is given (as in
        :meth:`fit`).

        Returns
        -------
        aic : float
        """
        return self._penalised_deviance(X, lambda n_samples: 2.0, sample_weight)

    def _penalised_deviance(self, X, cost_per_parameter, sample_weight=None) -> float:
        """−2 ln p(X | θ) + p · cost_per_parameter(N), with sklearn's order of operations."""
        if sample_weight is not None:
            total, total_weight = self._weighted_log_likelihood(X, sample_weight)
            return -2 * total + self._n_parameters() * cost_per_parameter(total_weight)
        X = self._fitted_data(X)
        n_samples = X.shape[0]
        score = float(np.mean(logsumexp(self._log_joint(X), axis=1)))
        return -2 * score * n_samples + self._n_parameters() * cost_per_parameter(n_samples)

    def _weighted_log_likelihood(self, X, sample_weight) -> tuple[float, float]:
        """(Σ_n w_n ln p(x_n), Σ_n w_n) for weights checked as :meth:`fit` checks them."""
        X = self._fitted_data(X)
        weights = check_sample_weight(sample_weight, X.shape[0])
        per_point = logsumexp(self._log_joint(X), axis=1)
        return float(np.dot(weights, per_point)), float(weights.sum())

    def _n_parameters(self) -> int:
        params = self.params_
        return _n_parameters(params.covariance_type, params.n_components, params.n_features)


def _lower_bound(trace: EMTrace) -> float:
    """sklearn's lower bound: the mean log-likelihood of the last iteration's E-step."""
    if trace.n_iter == 0:
        return -np.inf
    return float(trace.mean_log_likelihoods[trace.n_iter - 1])
