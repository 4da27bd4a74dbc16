r"""A fused EM iteration: the same numbers as :mod:`gmmlearn.steps`, in one pass over the data.

:func:`gmmlearn.steps.e_step` and :func:`gmmlearn.steps.m_step` are written to be read: each
equation is one function, and each builds whole (N, K) arrays. That is clear, but at large N it
reads the data several times and holds γ (N·K floats) in memory. This module computes the *same*
iteration (PRML 9.23–9.28) differently:

1. the data are read in cache-sized chunks of rows, handed out to two threads (numpy releases
   the GIL inside its ufuncs and ``np.dot``);
2. for each chunk, one matrix product with the stacked Cholesky factors of the precisions gives
   :math:`y_{nk} = U_k^\top(x_n - \mu_k)` for every component at once; from it come
   :math:`\ln\pi_k + \ln\mathcal{N}(x_n\mid\mu_k,\Lambda_k^{-1})`, the log-sum-exp per row
   (by hand, in place) and the responsibilities γ of the chunk;
3. γ of the chunk is used at once and thrown away: only the sufficient statistics are kept,

   .. math::
       \sum_n \gamma_{nk},\qquad
       \sum_n \gamma_{nk}\, y_{nk},\qquad
       \sum_n \gamma_{nk}\, y_{nk} y_{nk}^\top,

   taken in the whitened frame of the *old* component, so relative to the old mean μ_k: the
   sums stay small, and little cancels when the new covariance is formed. (If a mean jumps
   so far that it would, by more than ``gmmlearn._chunked.MAX_CANCELLATION``, the iteration
   takes a second pass about the new means.) Each chunk's sums are kept apart and added in
   chunk order, so the result does not depend on the number of threads;
4. the new θ is formed from these sums exactly as :func:`~gmmlearn.steps.m_step` forms it
   (10 ε in the unit of the weights added to N_k, π = N_k / Σ N_k, centred scatter, ``reg_covar``
   on the diagonal).

Memory beyond the data is a few chunks per thread (a few megabytes), whatever N is. All four
covariance types are supported: tied through the same whitening with U_k shared; diag and
spherical in O(K·D) per point, never a D×D matrix: distances expanded about the mixture's mean
c in one product with :math:`[x - c, (x - c)^2, 1]`, and the sums Σγ(x−c), Σγ(x−c)² (spherical:
Σγ‖x−c‖²) from which the variances come (a component that this expansion would cost digits is
computed about its own mean; the same guard as above takes a second pass when a mean moved
far). The tests check that the results equal the step functions to
1e-10 relative; :func:`gmmlearn.trace.run_em` uses this path by default (``engine="auto"``).
"""

from __future__ import annotations

import numpy as np

from . import _chunked
from ._chunked import (
    _LOG_FLOOR,
    DEFAULT_CHUNK_SIZE,
    Plan,
    _pool,
    check_arguments,
    covariances_from_scatter,
    default_threads,
    new_means_and_scatter,
    one_blas_thread,
    passes,
    scatter_about_old_means,
    statistics,
)
from .params import GaussianMixtureParams, check_not_collapsed, check_update_finite
from .validation import check_sample_weight

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "em_iteration",
    "em_iteration_with_bound",
    "log_likelihood",
    "m_step_bounds",
    "one_blas_thread",
    "sufficient_statistics",
]


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------


def sufficient_statistics(
    X: np.ndarray,
    params: GaussianMixtureParams,
    *,
    sample_weight: np.ndarray | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    n_threads: int | None = None,
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    r"""The E-step reduced to sums: ln p(X|θ) and the γ-weighted moments about the old means.

    .. math::
        \sum_n\gamma_{nk},\qquad \sum_n\gamma_{nk}(x_n-\mu_k),\qquad
        \sum_n\gamma_{nk}(x_n-\mu_k)(x_n-\mu_k)^\top

    with γ and μ_k those of ``params``. This is all the M-step needs from the data.
    With ``sample_weight``, every γ_nk is w_n γ_nk and ln p is Σ_n w_n ln p(x_n).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    params : GaussianMixtureParams
        θ of the E-step.
    sample_weight : ndarray of shape (n_samples,), optional
        w_n ≥ 0 (default: all 1), as in :func:`gmmlearn.steps.m_step`.
    chunk_size : int, default=DEFAULT_CHUNK_SIZE
        Rows per chunk.
    n_threads : int, optional
        Threads sharing the rows. Default: 2 (1 on a one-core machine); 1 when N is small.

    Returns
    -------
    log_likelihood : float
        :math:`\ln p(X\mid\theta)`, as :func:`gmmlearn.steps.e_step` returns it.
    resp_sums : ndarray of shape (n_components,)
        :math:`\sum_n\gamma_{nk}` (without the 10 ε of :func:`~gmmlearn.steps.effective_counts`).
    first : ndarray of shape (n_components, n_features)
        :math:`\sum_n\gamma_{nk}(x_n-\mu_k)`.
    second : ndarray of shape (n_components, n_features, n_features)
        :math:`\sum_n\gamma_{nk}(x_n-\mu_k)(x_n-\mu_k)^\top`; for ``"diag"`` only its
        diagonal, shape (n_components, n_features), and for ``"spherical"`` its trace
        :math:`\sum_n\gamma_{nk}\lVert x_n-\mu_k\rVert^2`, shape (n_components,): those
        types never need, nor build, a D×D matrix.
    """
    X, chunk_size, n_threads = check_arguments(X, params, chunk_size, n_threads)
    weights = check_sample_weight(sample_weight, X.shape[0])
    plan = Plan(params)
    with one_blas_thread():
        sums = statistics(X, plan, chunk_size, n_threads, weights)
    first, second = scatter_about_old_means(plan, sums)
    return sums[0], sums[1], first, second


def em_iteration(
    X: np.ndarray,
    params: GaussianMixtureParams,
    reg_covar: float = 1e-6,
    *,
    sample_weight: np.ndarray | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    n_threads: int | None = None,
) -> tuple[GaussianMixtureParams, float]:
    r"""One EM iteration in one pass: equal to ``m_step(X, e_step(X, params)[0], ...)``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    params : GaussianMixtureParams
        θ_{t-1}; its covariance type is kept.
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance, as in :func:`gmmlearn.steps.m_step`.
    sample_weight : ndarray of shape (n_samples,), optional
        w_n ≥ 0 (default: all 1), as in :func:`gmmlearn.steps.m_step`.
    chunk_size, n_threads : int
        As in :func:`sufficient_statistics`.

    Returns
    -------
    new_params : GaussianMixtureParams
        θ_t.
    log_likelihood : float
        ln p(X | θ_{t-1}), the total over points, as :func:`gmmlearn.steps.e_step` returns it.
    """
    X, chunk_size, n_threads = check_arguments(X, params, chunk_size, n_threads)
    weights = check_sample_weight(sample_weight, X.shape[0])
    plan = Plan(params)
    with one_blas_thread():
        return _m_step(X, plan, chunk_size, n_threads, params.covariance_type, reg_covar, weights)


def em_iteration_with_bound(
    X: np.ndarray,
    params: GaussianMixtureParams,
    reg_covar: float = 1e-6,
    *,
    sample_weight: np.ndarray | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    n_threads: int | None = None,
) -> tuple[GaussianMixtureParams, float, float]:
    r""":func:`em_iteration`, and the lower bound L(q, θ_t) that its M-step reached (PRML 9.71).

    With q = γ(θ_{t-1}), the E-step's γ, L = Σ_nk q_nk ln π_k N(x_n | θ_t) − Σ_nk q_nk ln q_nk.
    Both come with the iteration's own pass, so L costs no pass over the data
    (:func:`m_step_bounds` costs one per iteration): Σ q ln q is summed chunk by chunk beside
    ln p (ln γ is at hand there), and the first sum comes from the M-step's sufficient
    statistics,

    .. math::
        \sum_n q_{nk}\ln\pi_k\mathcal N(x_n\mid\theta_k)
        = N_k c_k - \tfrac12\operatorname{tr}(\Lambda_k S_k),

    c_k = ln π_k − D/2 ln 2π + ½ ln|Λ_k| of θ_t and S_k = Σ_n q_nk (x_n − μ_k)(x_n − μ_k)ᵀ, the
    scatter about the new means (tr(Λ_k S_k) ≈ N_k D: no digits cancel). KL(q ‖ p(Z | X, θ_t))
    is then ln p(X | θ_t) − L, known after the next E-step. Equal to
    :func:`gmmlearn.bound.m_step_bounds` to ~1e-12 of |L| (tests/em/test_bound.py); a KL far
    below that (late in a converged run) is rounding, ±1e-12 |ln p|.

    Returns
    -------
    new_params : GaussianMixtureParams
        θ_t.
    log_likelihood : float
        ln p(X | θ_{t-1}).
    lower_bound : float
        L(γ(θ_{t-1}), θ_t).
    """
    X, chunk_size, n_threads = check_arguments(X, params, chunk_size, n_threads)
    weights = check_sample_weight(sample_weight, X.shape[0])
    plan = Plan(params)
    with one_blas_thread():
        sums, neg_entropy = statistics(X, plan, chunk_size, n_threads, weights, entropy=True)
        new_params, scatter = _new_params(
            X, plan, sums, chunk_size, n_threads, params.covariance_type, reg_covar, weights
        )
    # Σ q ln π N(θ_t) from the new scatter; Σ q ln q was summed in the pass
    new_plan = Plan(new_params)
    expected = _expected_log_joint(
        sums[1], new_plan.const[:, 0], _trace_of_product(new_params, scatter)
    )
    return new_params, sums[0], expected - neg_entropy


def _expected_log_joint(resp_sums, const, mahalanobis) -> float:
    """Σ_k (N_k c_k − ½ Σ_n q_nk (x_n − μ_k)ᵀΛ_k(x_n − μ_k)). A component switched off
    (π_k = 0, c_k = -inf) adds 0: q gives it no mass (the pass floors its γ at ~1e-304)."""
    with np.errstate(invalid="ignore"):
        terms = resp_sums * const - 0.5 * mahalanobis
    return float(np.sum(np.where((resp_sums > 0) & np.isfinite(const), terms, 0.0)))


def _trace_of_product(params: GaussianMixtureParams, scatter: np.ndarray) -> np.ndarray:
    """tr(Λ_k S_k) per component, with S_k as the M-step holds it (diag: its diagonal;
    spherical: its trace)."""
    precisions = params.precisions
    kind = params.covariance_type
    if kind == "full":
        return np.einsum("kij,kij->k", precisions, scatter)
    if kind == "tied":
        return np.einsum("ij,kij->k", precisions, scatter)
    if kind == "diag":
        return np.einsum("kd,kd->k", precisions, scatter)
    return precisions * scatter


def log_likelihood(
    X: np.ndarray,
    params: GaussianMixtureParams,
    *,
    sample_weight: np.ndarray | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    n_threads: int | None = None,
) -> float:
    r"""ln p(X | θ) (PRML 9.28) in one pass, equal to :func:`gmmlearn.steps.log_likelihood`.

    The E-step without the statistics: what a run needs to score its last θ.
    ``sample_weight``, ``chunk_size`` and ``n_threads`` are as in :func:`sufficient_statistics`.

    Returns
    -------
    log_likelihood : float
    """
    X, chunk_size, n_threads = check_arguments(X, params, chunk_size, n_threads)
    weights = check_sample_weight(sample_weight, X.shape[0])
    with one_blas_thread():
        return passes(X, Plan(params), chunk_size, n_threads, False, weights)[0]


# ---------------------------------------------------------------------------
# From the sums to θ
# ---------------------------------------------------------------------------


def _m_step(X, plan, chunk_size, n_threads, covariance_type, reg_covar, weights=None):
    """E-step sums, then θ_t with the formulas of :func:`gmmlearn.steps.m_step`."""
    sums = statistics(X, plan, chunk_size, n_threads, weights)
    new_params, _ = _new_params(
        X, plan, sums, chunk_size, n_threads, covariance_type, reg_covar, weights
    )
    return new_params, sums[0]


def _new_params(X, plan, sums, chunk_size, n_threads, covariance_type, reg_covar, weights):
    """θ_t from the E-step's sums, and the scatter about its means."""
    nk, means, scatter = new_means_and_scatter(
        X, plan, sums, chunk_size, n_threads, reg_covar, weights
    )
    covariances = covariances_from_scatter(scatter, nk, covariance_type, reg_covar, plan.n_features)
    new_weights = nk / nk.sum()
    check_update_finite(new_weights, means, covariances)
    if reg_covar == 0:  # else εI decides; without it, the same rule as m_step
        check_not_collapsed(covariances, means, covariance_type)
    return GaussianMixtureParams(new_weights, means, covariances, covariance_type), scatter


# ---------------------------------------------------------------------------
# Why EM climbs, in chunks: L and KL after every M-step (PRML §9.4)
# ---------------------------------------------------------------------------


def _chunk_log_joint(x: np.ndarray, plan: Plan) -> np.ndarray:
    """ln π_k + ln N(x_n | μ_k, Λ_k⁻¹) of one chunk of rows, shape (K, n): two products.

    Components along the first axis: a reduction over k is then a loop over K contiguous
    rows, several times faster in numpy than over a short last axis.
    """
    if plan.diagonal:
        # diag and spherical: Σ_d λ_kd (x_d − μ_kd)², O(K·D) per row, no D×D matrix
        squares = (x[np.newaxis] - plan.means[:, np.newaxis]) ** 2  # (K, n, D)
        if plan.spherical:
            distance = squares.sum(axis=2) * plan.precisions[:, np.newaxis]
        else:
            distance = np.einsum("knd,kd->kn", squares, plan.precisions)
        return plan.const - 0.5 * distance
    n_features = plan.n_features
    y = plan.proj[:, :n_features] @ x.T  # y_k for all k, (D·K, n)
    y += plan.proj[:, n_features : n_features + 1]
    y *= y
    return plan.quad @ y + plan.const


def _log_posterior(log_joint: np.ndarray) -> np.ndarray:
    """ln γ from a chunk's (K, n) ln π_k + ln N, by log-sum-exp over k (-inf rows stay -inf)."""
    top = log_joint.max(axis=0)
    top[~np.isfinite(top)] = 0.0
    shifted = log_joint - top
    # exp of a term far below the row's largest is slow (subnormal) and adds nothing to the sum
    terms = np.exp(np.maximum(shifted, _LOG_FLOOR))
    with np.errstate(divide="ignore"):
        return shifted - np.log(terms.sum(axis=0))


def _exp_or_zero(log_q: np.ndarray) -> np.ndarray:
    """exp(ln q), 0 below e^-700 (≈ 1e-304) at once: np.exp is slow on subnormal results."""
    q = np.exp(np.maximum(log_q, _LOG_FLOOR))
    q[log_q < _LOG_FLOOR] = 0.0
    return q


def _q_times(q: np.ndarray, log_values: np.ndarray) -> float:
    """Σ q_nk ln v_nk over a chunk; a term with q_nk = 0 is exactly 0 (even at ln v = -∞)."""
    if np.isfinite(log_values).all():
        return float(np.vdot(q, log_values))
    with np.errstate(invalid="ignore"):  # 0 · -∞ where q = 0: masked out
        return float(np.sum(q * log_values, where=q > 0))


def m_step_bounds(
    X: np.ndarray,
    params,
    sample_weight: np.ndarray | None = None,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    n_threads: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    r""":func:`gmmlearn.bound.m_step_bounds` chunk by chunk: the same L_t and KL_t of a run.

    For t = 1 … T, q = γ(θ_{t-1}) and θ_t: L_t (PRML 9.71) and KL_t (9.72), KL from ln γ (not as
    ln p − L), so a small gap keeps its digits. Each chunk of rows is read once for the whole
    run: its ln γ(θ_t) is the q of iteration t + 1, and no (N, K) array is ever formed. The
    chunks are shared by up to two threads and their sums added in chunk order (the result does
    not depend on the threads). Equal to the reference to ~1e-12 relative (the sums are taken
    in another order).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    params : sequence of GaussianMixtureParams, length T + 1
    sample_weight : ndarray of shape (n_samples,), optional
        Every sum over n counts point n w_n times.
    chunk_size : int, default=DEFAULT_CHUNK_SIZE
    n_threads : int, optional
        As in :func:`sufficient_statistics`.

    Returns
    -------
    lower_bounds, kls : ndarray of shape (T,)
    """
    X = np.asarray(X, dtype=np.float64)
    n_iter = len(params) - 1
    if n_iter < 1:
        return np.zeros(0), np.zeros(0)
    plans = [Plan(p) for p in params]
    starts = range(0, X.shape[0], chunk_size)
    n_threads = default_threads() if n_threads is None else n_threads
    # the engine's constant, read at call time: one value for every chunked pass
    n_threads = max(1, min(n_threads, len(starts), X.shape[0] // _chunked.MIN_ROWS_PER_THREAD))

    def chunk(lo: int) -> np.ndarray:
        x = X[lo : lo + chunk_size]
        w = None if sample_weight is None else sample_weight[lo : lo + chunk_size]
        return _chunk_bounds(x, w, plans)

    with one_blas_thread():
        if n_threads == 1:
            sums = [chunk(lo) for lo in starts]
        else:
            sums = list(_pool(n_threads).map(chunk, starts))
    total = np.sum(sums, axis=0)  # in chunk order
    return total[0], total[1]


def _chunk_bounds(x: np.ndarray, w: np.ndarray | None, plans: list[Plan]) -> np.ndarray:
    """One chunk's share of L_t and KL_t for t = 1 … T, shape (2, T)."""
    out = np.zeros((2, len(plans) - 1))
    log_q = _log_posterior(_chunk_log_joint(x, plans[0]))
    for t in range(1, len(plans)):
        q = _exp_or_zero(log_q)
        if w is not None:
            q *= w
        log_joint = _chunk_log_joint(x, plans[t])
        log_gamma = _log_posterior(log_joint)
        neg_entropy = _q_times(q, log_q)  # Σ q ln q
        out[0, t - 1] = _q_times(q, log_joint) - neg_entropy
        out[1, t - 1] = neg_entropy - _q_times(q, log_gamma)
        log_q = log_gamma
    return out
