"""A recorded EM run: θ after every iteration, the log-likelihoods, and each half-step.

The trace is what the explorer widget and the lessons read. It keeps the parameters of every
iteration (K·D² floats each: small) but **not** the responsibilities (N·K floats per
iteration: large); γ is recomputed from the parameters on demand, with a small cache for the
steps being looked at.

Iterations and half-steps
-------------------------
Iteration t (t = 1 … T) is an E-step at θ_{t-1} followed by an M-step giving θ_t:

=================  ============================  ==========================
half-step index    state shown                    what just changed
=================  ============================  ==========================
0                  θ₀, points grey               initialisation
2t − 1             θ_{t-1} and γ(θ_{t-1})        E-step: the colours
2t                 θ_t and γ(θ_{t-1})            M-step: the ellipsoids
=================  ============================  ==========================

The stopping rule is scikit-learn's: stop after iteration t when the mean log-likelihood
per point, computed in that iteration's E-step, changed by less than ``tol``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np

from . import fused
from ._chunked import stacked_cholesky
from .initialization import initialize
from .params import GaussianMixtureParams, check_covariance_type
from .runs import HalfStep, HalfSteps, component_index
from .steps import e_step, log_weighted_densities, m_step, responsibilities
from .validation import check_em_arguments, check_n_components, check_sample_weight

__all__ = ["ENGINES", "EMTrace", "HalfStep", "run_em", "run_trace"]

_CACHE_SIZE = 8


_ROWS_PER_BLOCK = 1 << 16


def _responsibilities_in_blocks(X: np.ndarray, params: GaussianMixtureParams) -> np.ndarray:
    """γ(θ), a block of rows at a time: γ_n depends on x_n only, and blocks keep the
    temporaries (several N×K arrays at once) small on millions of points."""
    if X.shape[0] <= _ROWS_PER_BLOCK:
        return responsibilities(X, params)
    resp = np.empty((X.shape[0], params.n_components))
    for start in range(0, X.shape[0], _ROWS_PER_BLOCK):
        rows = slice(start, start + _ROWS_PER_BLOCK)
        resp[rows] = responsibilities(X[rows], params)
    return resp


@dataclass(frozen=True, eq=False)
class EMTrace(HalfSteps):
    """The record of one EM run.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features)
        The data (a reference, not a copy).
    params : tuple of GaussianMixtureParams, length T + 1
        ``params[t]`` is θ_t; ``params[0]`` is the initialisation.
    log_likelihoods : ndarray of shape (T + 1,)
        ``log_likelihoods[t]`` = ln p(X | θ_t), the total over all points (PRML 9.28).
    converged : bool
        Whether the stopping rule fired before ``max_iter``.
    tol, reg_covar : float
        The options of the run.
    max_iter : int
    sample_weight : ndarray of shape (n_samples,) or None
        The weights w_n of the points, if the run had any: then every log-likelihood is
        Σ_n w_n ln p(x_n | θ), and the mean is per unit of weight.
    """

    X: np.ndarray
    params: tuple[GaussianMixtureParams, ...]
    log_likelihoods: np.ndarray
    converged: bool
    tol: float
    reg_covar: float
    max_iter: int
    sample_weight: np.ndarray | None = None
    # γ of the few iterations looked at last; a plain dict so that the trace pickles.
    _resp_cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    # L and KL after each M-step (PRML §9.4), computed on first use
    _bound_cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    # -- sizes -----------------------------------------------------------------------
    @property
    def n_iter(self) -> int:
        """T, the number of EM iterations run."""
        return len(self.params) - 1

    @property
    def final_params(self) -> GaussianMixtureParams:
        """θ_T."""
        return self.params[-1]

    @property
    def mean_log_likelihoods(self) -> np.ndarray:
        """ln p(X | θ_t) / N (/ Σ_n w_n with weights): what scikit-learn calls the lower bound."""
        return self.log_likelihoods / self.total_weight

    @property
    def total_weight(self) -> float:
        """N, or Σ_n w_n for a run with sample weights."""
        if self.sample_weight is None:
            return float(self.X.shape[0])
        return float(self.sample_weight.sum())

    # -- on demand -----------------------------------------------------------------
    def responsibilities(self, iteration: int) -> np.ndarray:
        """γ(θ_t) for iteration t, of shape (n_samples, n_components), recomputed (cached)."""
        if not -len(self.params) <= iteration < len(self.params):
            raise IndexError(f"iteration {iteration} is outside 0 … {self.n_iter}")
        t = iteration % len(self.params)
        if t not in self._resp_cache:
            if len(self._resp_cache) >= _CACHE_SIZE:
                self._resp_cache.pop(next(iter(self._resp_cache)))
            self._resp_cache[t] = _responsibilities_in_blocks(self.X, self.params[t])
        return self._resp_cache[t]

    def __len__(self) -> int:
        return len(self.params)

    # -- what a view reads of EM and VB runs alike (see gmmlearn.vb.trace.VBTrace) --------
    #: What ``curve`` holds, for a view's axis label.
    curve_label = "ln p(X | θₜ)"

    @property
    def curve(self) -> np.ndarray:
        """ln p(X | θ_t) for t = 0 … T: what a view plots (VB: its lower bound)."""
        return self.log_likelihoods

    def log_joint(self, iteration: int) -> np.ndarray:
        """ln π_k + ln N(x_n | μ_k, Σ_k) under θ_t, shape (N, K): γ is its softmax."""
        return log_weighted_densities(self.X, self.params[iteration])

    def log_joint_terms(self, iteration: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`log_joint` as ln π_k − ½ ln|Σ_k| − D/2 ln 2π − ½ ‖U_kᵀ(x − μ_k)‖², Λ_k = U_k U_kᵀ.

        Returns
        -------
        constants : ndarray of shape (n_components,)
        centres : ndarray of shape (n_components, n_features)
            μ_k.
        chol : ndarray of shape (n_components, n_features, n_features)
            U_k, upper triangular, whatever the covariance type.
        """
        params = self.params[iteration]
        n_features = params.n_features
        chol = stacked_cholesky(params)
        log_det_half = np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
        with np.errstate(divide="ignore"):  # π_k = 0: ln 0 = -inf
            constants = np.log(params.weights) + log_det_half - 0.5 * n_features * np.log(2 * np.pi)
        return constants, np.array(params.means), chol

    # -- the rest of what a view reads (gmmlearn.runs.Run) -------------------------------
    method = "em"
    #: A component whose π_k is small is still drawn, faintly: EM never removes one.
    prunes_components = False
    ellipsoid_note = "ellipsoids, opacity ∝ π"

    #: A view shows :meth:`bound_split` (see :attr:`bound_split_costs_a_pass`).
    has_bound_split = True

    @property
    def bound_split_costs_a_pass(self) -> bool:
        """Whether :meth:`bound_split` still needs a pass over the data per iteration (a
        view may then send it after its first frame): not after a fused run, which keeps
        L from its own sums (:func:`gmmlearn.fused.em_iteration_with_bound`)."""
        return not ({"split", "after_m"} & self._bound_cache.keys())

    def bound_split(
        self, n_threads: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """ln p = L + KL per half-step (PRML §9.4): :meth:`half_step_log_likelihoods`,
        :meth:`lower_bounds`, :meth:`kls`, each of shape (2T + 1,).

        ``n_threads`` is that of the chunked pass (:func:`gmmlearn.fused.m_step_bounds`) when
        it has not run yet: 1 leaves a core to the browser while it draws.
        """
        lower, kls = self._bounds(n_threads)
        return self.half_step_log_likelihoods(), lower.copy(), kls.copy()

    def describe_step(self, h: HalfStep, compact: bool = False) -> str:
        """:func:`gmmlearn.equations.step_description` of ``h`` in this run."""
        from .equations import step_description  # imported on use: equations imports this module

        return step_description(h, self.n_half_steps, compact=compact)

    def weight_name(self, k: int) -> str:
        """π with the 1-based index of component ``k``: "π₁"."""
        return f"π{component_index(k)}"

    def equations_with_numbers(self, step: int, n: int, k: int) -> dict[str, str]:
        """:func:`gmmlearn.equations.all_equations_with_numbers` at half-step ``step``."""
        from .equations import all_equations_with_numbers  # see describe_step

        return all_equations_with_numbers(self, step, n, k)

    # -- why EM climbs: ln p = L + KL at every half-step (PRML §9.4) ---------------------
    def half_step_log_likelihoods(self) -> np.ndarray:
        """ln p(X | θ shown) per half-step 0 … 2T: θ₀, then θ_{t-1} (E) and θ_t (M).

        Returns
        -------
        log_likelihoods : ndarray of shape (2T + 1,)
        """
        # θ shown at half-step i is θ_{i // 2}: 0 → θ₀, 2t − 1 → θ_{t-1}, 2t → θ_t
        return self.log_likelihoods[np.arange(self.n_half_steps) // 2].copy()

    def _bounds(self, n_threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        if "split" not in self._bound_cache:
            if "after_m" in self._bound_cache:  # L from the fused run's own sums
                lower_after_m = self._bound_cache["after_m"]
                after_m = lower_after_m, self.log_likelihoods[1:] - lower_after_m
            else:  # a chunked pass (gmmlearn.fused): the reference bound.m_step_bounds
                after_m = fused.m_step_bounds(
                    self.X, self.params, self.sample_weight, n_threads=n_threads
                )
            # half-steps 0 and 2t − 1 show q = γ(θ) with θ itself: KL = 0, L = ln p (PRML 9.70)
            lower = self.half_step_log_likelihoods()
            kls = np.zeros(self.n_half_steps)
            lower[2::2], kls[2::2] = after_m
            self._bound_cache["split"] = (lower, kls)
        return self._bound_cache["split"]

    def lower_bounds(self) -> np.ndarray:
        """L(q, θ) per half-step (PRML 9.71), with q = γ shown (the colours) and θ shown.

        At half-steps 0 and 2t − 1 q is the posterior of θ, so L = ln p(X | θ) (KL = 0); at an
        M half-step 2t, L(γ(θ_{t-1}), θ_t) (:func:`gmmlearn.bound.m_step_bounds`).

        Returns
        -------
        lower_bounds : ndarray of shape (2T + 1,)
        """
        return self._bounds()[0].copy()

    def kls(self) -> np.ndarray:
        """KL(q ‖ p(Z | X, θ)) per half-step (PRML 9.72): 0 except after an M-step.

        ``lower_bounds() + kls()`` is :meth:`half_step_log_likelihoods`.

        Returns
        -------
        kls : ndarray of shape (2T + 1,)
        """
        return self._bounds()[1].copy()


ENGINES: tuple[str, ...] = ("auto", "steps", "fused")


def _steps_iteration(X, params, reg_covar, sample_weight=None):
    """One iteration with the textbook functions: E-step, then M-step."""
    resp, total = e_step(X, params, sample_weight)
    return m_step(X, resp, params.covariance_type, reg_covar, sample_weight), total


def _steps_log_likelihood(X, params, sample_weight=None):
    return e_step(X, params, sample_weight)[1]


def _fused_iteration(X, params, reg_covar, sample_weight=None):
    return fused.em_iteration(X, params, reg_covar, sample_weight=sample_weight)


def _fused_iteration_with_bound(X, params, reg_covar, sample_weight=None):
    # L after the M-step comes with it, from the same pass
    return fused.em_iteration_with_bound(X, params, reg_covar, sample_weight=sample_weight)


def _fused_log_likelihood(X, params, sample_weight=None):
    return fused.log_likelihood(X, params, sample_weight=sample_weight)


def run_em(
    X: np.ndarray,
    initial_params: GaussianMixtureParams,
    *,
    max_iter: int = 100,
    tol: float = 1e-3,
    reg_covar: float = 1e-6,
    engine: str = "auto",
    callback: Callable[[int, float], object] | None = None,
    sample_weight: np.ndarray | None = None,
    keep_lower_bounds: bool = False,
) -> EMTrace:
    """Run EM from ``initial_params`` and record every iteration.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    initial_params : GaussianMixtureParams
        θ₀; its ``covariance_type`` is kept throughout.
    max_iter : int, default=100
        At most this many E+M iterations.
    tol : float, default=1e-3
        Stop when the mean log-likelihood per point changes by less than ``tol`` between two
        E-steps (scikit-learn's rule). ``tol=0`` runs all ``max_iter`` iterations.
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance in the M-step.
    engine : {"auto", "steps", "fused"}, default="auto"
        How each iteration is computed; the numbers are the same to ~1e-10 relative.
        ``"steps"`` chains :func:`~gmmlearn.steps.e_step` and :func:`~gmmlearn.steps.m_step`
        (the equations, one by one); ``"fused"`` uses :func:`gmmlearn.fused.em_iteration`
        (one chunked pass over the data, no N×K array, many times faster at large N);
        ``"auto"`` picks ``"fused"``, which supports every covariance type.
    callback : callable, optional
        ``callback(t, log_likelihood)`` as soon as ln p(X | θ_t) is known, for t = 0 … T:
        progress on long runs (``gmmlearn fit`` prints its lines with it).
    sample_weight : ndarray of shape (n_samples,), optional
        w_n ≥ 0 per point (default: all 1): point n counts as w_n points in N_k, π, μ, Σ and
        the log-likelihood (see :func:`gmmlearn.steps.m_step`), and ``tol`` is on the mean per
        unit of weight. Integer weights give the run on the rows repeated; 0 drops a row.
    keep_lower_bounds : bool, default=False
        With the fused engine, keep L(γ(θ_{t-1}), θ_t) of every M-step from the iteration's
        own pass (:func:`gmmlearn.fused.em_iteration_with_bound`, ~15 % more per
        iteration), so that :meth:`EMTrace.lower_bounds` and :meth:`EMTrace.kls` need no
        pass of their own (about the run's time again): what the explorer draws.

    Returns
    -------
    trace : EMTrace
        With T + 1 parameter sets and log-likelihoods (a final E-step scores θ_T).
    """
    if engine not in ENGINES:
        raise ValueError(
            f"unknown engine {engine!r}: use one of " + ", ".join(repr(e) for e in ENGINES)
        )
    X = check_em_arguments(X, initial_params, max_iter=max_iter, tol=tol, reg_covar=reg_covar)
    weights = check_sample_weight(sample_weight, X.shape[0], initial_params.n_components)
    total_weight = X.shape[0] if weights is None else weights.sum()
    if engine == "steps":
        iterate, score, context = _steps_iteration, _steps_log_likelihood, nullcontext()
    else:
        iterate = _fused_iteration_with_bound if keep_lower_bounds else _fused_iteration
        score, context = _fused_log_likelihood, fused.one_blas_thread()
    params = [initial_params]
    log_likelihoods = []
    lower_bounds = []  # L(γ(θ_{t-1}), θ_t), given by the fused engine
    converged = False
    previous = -np.inf
    with context:
        for _ in range(max_iter):
            new_params, total, *bound = iterate(X, params[-1], reg_covar, weights)
            lower_bounds += bound
            log_likelihoods.append(total)
            if callback is not None:
                callback(len(log_likelihoods) - 1, total)
            params.append(new_params)
            mean = total / total_weight
            if abs(mean - previous) < tol:
                converged = True
                break
            previous = mean
        log_likelihoods.append(score(X, params[-1], weights))
    if callback is not None:
        callback(len(log_likelihoods) - 1, log_likelihoods[-1])
    trace = EMTrace(
        X=X,
        params=tuple(params),
        log_likelihoods=np.array(log_likelihoods),
        converged=converged,
        tol=tol,
        reg_covar=reg_covar,
        max_iter=max_iter,
        sample_weight=weights,
    )
    if len(lower_bounds) == trace.n_iter:
        trace._bound_cache["after_m"] = np.array(lower_bounds)
    return trace


def run_trace(
    X: np.ndarray,
    n_components: int,
    init: str = "kmeans",
    *,
    covariance_type: str = "full",
    random_state=0,
    max_iter: int = 100,
    tol: float = 1e-3,
    reg_covar: float = 1e-6,
) -> EMTrace:
    """Initialise and run EM once, checking the choices first (the explorer's model): the
    L/KL split of every M-step is kept from the run's own passes (``keep_lower_bounds``).

    Raises
    ------
    ValueError, TypeError
        For a bad K, method or covariance type, or a component that collapses during the run.
    """
    n_components = check_n_components(n_components, X.shape[0])
    check_covariance_type(covariance_type)
    params = initialize(
        X,
        n_components,
        init,
        covariance_type=covariance_type,
        reg_covar=reg_covar,
        random_state=random_state,
    )
    return run_em(
        X, params, max_iter=max_iter, tol=tol, reg_covar=reg_covar, keep_lower_bounds=True
    )
