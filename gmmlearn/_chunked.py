r"""The chunked, two-thread pass over the data that the fused EM and VB iterations share.

Private: :mod:`gmmlearn.fused` (EM) and :mod:`gmmlearn.vb.fused` (VB) are the public faces, and
the first one's docstring tells the whole story. Here are its parts: the :class:`Plan` of one
iteration (every component's whitening stacked into one matrix product for full and tied; for
diag and spherical the O(K·D) expansion about the mixture's mean), :func:`passes` over
the rows in cache-sized chunks on up to two threads (numpy releases the GIL inside ``np.dot``),
the sums about the old means turned back into N_k, means and centred scatters
(:func:`statistics`, :func:`means_and_scatter`), the guard against a mean that moved too far
(:func:`new_means_and_scatter`, :data:`MAX_CANCELLATION`), and the covariance of each type from its
scatter (:func:`covariances_from_scatter`).
"""

from __future__ import annotations

import copy
import functools
import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .params import GaussianMixtureParams
from .validation import weight_scale

_LOG_2PI = np.log(2.0 * np.pi)
_EPS = np.finfo(np.float64).eps
_EPS10 = 10 * _EPS

# The error (nats) allowed in a diag/spherical log-density expanded about the mixture's mean;
# a component whose expansion would lose more is computed about its own mean (Plan).
MAX_EXPANDED_ERROR = 1e-12

#: Rows per chunk (at most). Large enough that numpy's per-call overhead (paid with the GIL held,
#: so by one thread at a time) is small; small enough that a chunk's work arrays, K·(D+1) rows
#: by this, stay in cache. Not a power of two: row strides of 2^k bytes make the rows of a
#: chunk collide in the cache (measured 3× slower at 8192 than at 6000).
DEFAULT_CHUNK_SIZE = 12000

# Below this many rows a second thread costs more than it saves.
MIN_ROWS_PER_THREAD = 16384


# ---------------------------------------------------------------------------
# The whitening that every covariance type shares
# ---------------------------------------------------------------------------


def stacked_cholesky(params: GaussianMixtureParams) -> np.ndarray:
    """U_k for every component as one (K, D, D) stack, whatever the covariance type (the
    explorer's γ terms; the O(K·D) plans of diag and spherical never build one)."""
    chol, kind = params.precisions_cholesky, params.covariance_type
    shape = (params.n_components, params.n_features, params.n_features)
    if kind == "full":
        return np.array(chol)
    if kind == "tied":
        return np.broadcast_to(chol, shape).copy()
    diagonal = chol if kind == "diag" else np.repeat(chol[:, np.newaxis], shape[1], axis=1)
    return diagonal[:, :, np.newaxis] * np.eye(shape[1])


class Plan:
    r"""What every chunk needs, computed once per iteration from θ.

    A chunk's work array holds, for every coordinate d and component k, the row
    :math:`(y_k)_d` of :math:`y_k = U_k^\top(x - \mu_k)`, then one row of ones per component:
    shape (D+1, K, n). With the chunk augmented by a row of ones, :math:`[x; 1]`,

    * ``proj`` (D·K, D+1): ``proj @ [x; 1]`` gives :math:`U_k^\top x - U_k^\top\mu_k` for all
      k in one product (the order of :func:`gmmlearn.steps.log_gaussian_density`);
    * ``quad`` (K, D·K) and ``const`` (K, 1): ``quad @ y**2 + const`` is
      :math:`-\tfrac12\lVert y_k\rVert^2 + \ln\pi_k - \tfrac D2\ln 2\pi
      + \tfrac12\ln|\Lambda_k|`, the joint :math:`\ln\pi_k + \ln\mathcal{N}`;
    * the γ-weighted products of :math:`[y_k; 1]` with itself hold :math:`\sum\gamma yy^\top`
      (block), :math:`\sum\gamma y` (border) and :math:`\sum\gamma` (corner) together.
    """

    def __init__(self, params: GaussianMixtureParams):
        n_components, n_features = params.n_components, params.n_features
        self.n_components, self.n_features = n_components, n_features
        self.means = params.means
        self.diagonal = params.covariance_type in ("diag", "spherical")
        self.spherical = params.covariance_type == "spherical"
        if self.diagonal:
            self._diagonal_plan(params)
            return
        chol = stacked_cholesky(params)
        log_det_half = np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
        with np.errstate(divide="ignore"):  # π_k = 0: ln 0 = -inf switches component k off
            log_weights = np.log(params.weights)

        proj = np.empty((n_features, n_components, n_features + 1))
        proj[:, :, :n_features] = chol.transpose(2, 0, 1)  # [d, k, e] = (U_k)_ed
        proj[:, :, n_features] = -np.einsum("kd,kde->ek", params.means, chol)
        quad = np.zeros((n_components, n_features, n_components))
        quad[np.arange(n_components), :, np.arange(n_components)] = -0.5

        self.chol = chol
        self.proj = proj.reshape(-1, n_features + 1)
        self.quad = quad.reshape(n_components, -1)
        self.const = (log_weights - 0.5 * n_features * _LOG_2PI + log_det_half)[:, np.newaxis]
        # the sums are taken about the old means unless recentred (see statistics)
        self.centres, self.centre_shift = params.means, None

    def _diagonal_plan(self, params: GaussianMixtureParams) -> None:
        r"""diag and spherical: O(K·D), never a D×D matrix.

        With :math:`x' = x - c` about one reference point c (the old mixture's mean
        :math:`\sum_k\pi_k\mu_k`, so that data far from the origin lose nothing) and
        :math:`\mu'_k = \mu_k - c`, the Mahalanobis distance is
        :math:`\sum_d \lambda_{kd}(x'^2_d - 2x'_d\mu'_{kd} + \mu'^2_{kd})`: a chunk's
        :math:`z = [x', x'^2, 1]` (spherical: :math:`[x', \lVert x'\rVert^2, 1]`) times
        ``weights_matrix`` gives every component's distance in one product, and
        :math:`\gamma^\top z` gives Σγ(x-c), Σγ(x-c)² (or Σγ‖x-c‖²) and Σγ.
        """
        n_features = self.n_features
        precisions, kind = params.precisions, params.covariance_type
        with np.errstate(divide="ignore"):  # π_k = 0: ln 0 = -inf switches component k off
            log_weights = np.log(params.weights)
        reference = params.weights @ params.means
        shifted = params.means - reference  # μ'_k
        if kind == "diag":
            log_det_half = 0.5 * np.log(precisions).sum(axis=1)
            weighted = precisions * shifted  # λ_kd μ'_kd
            square_rows = precisions.T  # multiplies x'²
            constant = (weighted * shifted).sum(axis=1)
        else:
            log_det_half = 0.5 * n_features * np.log(precisions)
            weighted = precisions[:, np.newaxis] * shifted
            square_rows = precisions[np.newaxis, :]  # multiplies ‖x'‖²
            constant = precisions * (shifted * shifted).sum(axis=1)
        self.weights_matrix = np.vstack([-2.0 * weighted.T, square_rows, constant[np.newaxis]])
        # The expanded distance loses about 2ε·λμ'² (in nats) near μ_k: nothing for usual
        # mixtures, but a tight component far from c (a collapsing one, 1e5 σ away) would lose
        # every digit. Those few components get their distance from x − μ_k directly.
        self.exact_components = np.flatnonzero(~(constant * _EPS < MAX_EXPANDED_ERROR))
        self.weights_matrix_t = np.ascontiguousarray(self.weights_matrix.T)
        self.precisions = precisions
        self.reference = reference
        self.const = (log_weights - 0.5 * n_features * _LOG_2PI + log_det_half)[:, np.newaxis]
        self.centres = np.broadcast_to(reference, params.means.shape)
        self.centre_shift = None

    def recentred(self, centres: np.ndarray) -> Plan:
        """The same E-step, with the sums taken about ``centres`` (K, D) instead of μ_k."""
        plan = copy.copy(self)
        plan.centres = centres
        if self.diagonal:  # one pass per component about its own centre (see _diagonal_worker)
            plan.centre_shift = centres
            return plan
        # y_k about c_k is U_kᵀ(x - c_k) = y_k - U_kᵀ(c_k - μ_k)
        plan.centre_shift = np.einsum("kd,kde->ek", centres - self.means, self.chol)[..., None]
        return plan

    @property
    def width(self) -> int:
        """Columns of a chunk's z for the diagonal family: [x', x'² or ‖x'‖², 1]."""
        return self.weights_matrix.shape[0]


# ---------------------------------------------------------------------------
# One block of rows, chunk by chunk
# ---------------------------------------------------------------------------

# Terms of a row's log-sum-exp more than e^700 below its largest are raised to e^-700 ≈ 1e-304
# before exponentiating: np.exp is several times slower on inputs whose result underflows or is
# subnormal. A row's sum (≥ 1, its largest term) cannot see the change, so the log-likelihood
# is unaffected, and γ moves by less than 1e-304.
_LOG_FLOOR = -700.0


def _chunk_worker(
    X, plan: Plan, edges, stats: bool, next_chunk, totals, moments, weights=None, entropies=None
) -> None:
    """Take chunks ``edges[i]:edges[i+1]`` until none is left; write chunk i's sums at [i].

    ``next_chunk()`` hands out the chunk indices (shared by the workers), so a thread that the
    operating system sets aside does not hold up the others. With ``entropies``, chunk i's
    Σ_nk w_n γ_nk ln γ_nk goes to ``entropies[i]`` (:func:`_log_sum_exp`). The long products use
    ``np.dot``, which releases the GIL around BLAS (``np.matmul`` on one pair of matrices keeps
    it, and the threads would take turns).
    """
    n_components, n_features = plan.n_components, plan.n_features
    kd = n_components * n_features
    size = int(np.diff(edges).max())
    # flat buffers, viewed as contiguous (rows, n) arrays whatever the chunk's length n
    x_buf, y_buf, sq_buf, lj_buf, shift_buf = _work_buffers(
        (n_features + 1) * size,
        (n_features + 1) * n_components * size,
        (n_features + 1) * n_components * size,
        n_components * size,
        n_components * size,
    )
    last_n = 0
    while (i := next_chunk()) < len(totals):
        lo, hi = edges[i], edges[i + 1]
        n = hi - lo
        x = x_buf[: (n_features + 1) * n].reshape(n_features + 1, n)
        y = y_buf[: (n_features + 1) * n_components * n]
        y = y.reshape(n_features + 1, n_components, n)
        y2 = y.reshape(-1, n)
        sq = sq_buf[: y.size].reshape(-1, n)
        log_joint = lj_buf[: n_components * n].reshape(n_components, n)
        if n != last_n:  # the rows of ones, [x; 1] and [y_k; 1]
            x[n_features] = 1.0
            y[n_features] = 1.0
            last_n = n
        x[:n_features] = X[lo:hi].T
        np.dot(plan.proj, x, out=y2[:kd])  # y_k for all k
        np.multiply(y2[:kd], y2[:kd], out=sq[:kd])
        np.dot(plan.quad, sq[:kd], out=log_joint)
        log_joint += plan.const  # ln π_k + ln N(x_n | μ_k, Λ_k⁻¹)
        chunk_weights = None if weights is None else weights[lo:hi]
        shifted = (
            None if entropies is None else shift_buf[: log_joint.size].reshape(log_joint.shape)
        )
        totals[i], resp, entropy = _log_sum_exp(log_joint, chunk_weights, stats, shifted)
        if entropies is not None:
            entropies[i] = entropy
        if not stats:
            continue
        if plan.centre_shift is not None:
            y[:n_features] -= plan.centre_shift
        # Σ_n γ_nk [y_k;1][y_k;1]ᵀ for every k: (K, D+1, n) @ (K, n, D+1)
        weighted = np.multiply(y, resp, out=sq.reshape(y.shape))
        np.matmul(weighted.transpose(1, 0, 2), y.transpose(1, 2, 0), out=moments[i])


def _log_sum_exp(log_joint, weights, stats: bool, shifted=None):
    """Σ_n w_n ln Σ_k exp(log_joint[k, n]) and, if ``stats``, w_n γ_nk in place of log_joint.

    γ = exp(log_joint - max) / Σ_k exp(log_joint - max), column by column (K, n). With
    ``stats`` and a work array ``shifted`` (K, n), also Σ_nk w_n γ_nk ln γ_nk (else None):
    ln γ = (log_joint − max) − ln Σ_k exp(…) (a term at the floor adds ~1e-301: nothing).
    """
    row_max = log_joint.max(axis=0)
    log_joint -= row_max
    np.maximum(log_joint, _LOG_FLOOR, out=log_joint)
    if shifted is not None:
        np.copyto(shifted, log_joint)
    resp = np.exp(log_joint, out=log_joint)
    norm = resp.sum(axis=0)
    log_norm = np.log(norm)
    if weights is None:
        total = log_norm.sum() + row_max.sum()
    else:  # Σ_n w_n ln p(x_n), and w_n γ_nk in the sums
        total = np.dot(weights, log_norm + row_max)
    if not stats:
        return total, resp, None
    if weights is None:
        resp *= np.reciprocal(norm, out=norm)
    else:
        resp *= np.divide(weights, norm, out=norm)
    if shifted is None:
        return total, resp, None
    # Σ_k γ_nk = 1 on each row (w_n with weights): Σ γ ln γ = Σ γ·shifted − Σ_n w_n ln norm_n
    spread = log_norm.sum() if weights is None else np.dot(weights, log_norm)
    return total, resp, float(np.vdot(resp, shifted)) - spread


def _diagonal_worker(
    X, plan: Plan, edges, stats: bool, next_chunk, totals, moments, weights=None, entropies=None
) -> None:
    """:func:`_chunk_worker` for diag and spherical: O(K·D) per row, rows kept as rows.

    ``moments[i]`` gets γᵀz, shape (K, width): Σγ(x-c), Σγ(x-c)² (spherical: Σγ‖x-c‖²), Σγ.
    """
    n_features, width, spherical = plan.n_features, plan.width, plan.spherical
    size = int(np.diff(edges).max())
    z_buf, lj_buf, shift_buf = _work_buffers(
        width * size, plan.n_components * size, plan.n_components * size
    )
    while (i := next_chunk()) < len(totals):
        lo, hi = edges[i], edges[i + 1]
        z = z_buf[: width * (hi - lo)].reshape(hi - lo, width)
        x = z[:, :n_features]
        np.subtract(X[lo:hi], plan.reference, out=x)
        if spherical:
            np.einsum("nd,nd->n", x, x, out=z[:, n_features])
        else:
            np.multiply(x, x, out=z[:, n_features:-1])
        z[:, -1] = 1.0
        # Mahalanobis distances, (K, n): (width, K)ᵀ @ zᵀ
        log_joint = lj_buf[: plan.n_components * (hi - lo)].reshape(plan.n_components, hi - lo)
        np.dot(plan.weights_matrix_t, z.T, out=log_joint)
        for k in plan.exact_components:
            diff = X[lo:hi] - plan.means[k]
            if spherical:
                log_joint[k] = np.einsum("nd,nd->n", diff, diff) * plan.precisions[k]
            else:
                log_joint[k] = (diff * diff) @ plan.precisions[k]
        log_joint *= -0.5
        log_joint += plan.const  # ln π_k + ln N(x_n | μ_k, Λ_k⁻¹)
        chunk_weights = None if weights is None else weights[lo:hi]
        shifted = (
            None if entropies is None else shift_buf[: log_joint.size].reshape(log_joint.shape)
        )
        totals[i], resp, entropy = _log_sum_exp(log_joint, chunk_weights, stats, shifted)
        if entropies is not None:
            entropies[i] = entropy
        if not stats:
            continue
        if plan.centre_shift is None:
            np.dot(resp, z, out=moments[i])
        else:
            _moments_about(X[lo:hi], resp, plan.centre_shift, spherical, moments[i])


def _moments_about(x, resp, centres, spherical, out) -> None:
    """γᵀ[x - c_k, (x - c_k)², 1] with each component about its own centre c_k (the second
    pass of a component whose mean moved far: K·n·D, still no D×D)."""
    n_features = x.shape[1]
    out[:, -1] = resp.sum(axis=1)
    for k, centre in enumerate(centres):
        diff = x - centre
        out[k, :n_features] = resp[k] @ diff
        square = np.einsum("nd,nd->n", diff, diff) if spherical else diff * diff
        out[k, n_features:-1] = resp[k] @ square


_thread_buffers = threading.local()


def _work_buffers(*sizes: int) -> list[np.ndarray]:
    """This thread's work arrays, kept from call to call (fresh megabyte-sized arrays cost
    page faults on every iteration: at N = 10⁴ more than the arithmetic)."""
    cached = getattr(_thread_buffers, "arrays", [])
    if len(cached) != len(sizes) or any(a.size < s for a, s in zip(cached, sizes)):
        cached = [np.empty(s) for s in sizes]
        _thread_buffers.arrays = cached
    return cached


def passes(
    X: np.ndarray,
    plan: Plan,
    chunk_size: int,
    n_threads: int,
    stats: bool,
    weights=None,
    entropy: bool = False,
):
    """The log-likelihood and the moment sums over all rows, chunk by chunk, in threads;
    with ``entropy`` (and ``stats``) also Σ_nk w_n γ_nk ln γ_nk, a third value.

    The rows are cut into chunks of equal length (at most ``chunk_size``). Each chunk's sums
    are kept apart and added in chunk order at the end, so the result does not depend on the
    number of threads or on which thread took which chunk.
    """
    n_samples = X.shape[0]
    n_chunks = -(-n_samples // chunk_size)
    edges = np.linspace(0, n_samples, n_chunks + 1).astype(np.intp)
    totals = np.zeros(n_chunks)
    if plan.diagonal:
        worker = _diagonal_worker
        moments = np.zeros((n_chunks, plan.n_components, plan.width))
    else:
        worker = _chunk_worker
        d1 = plan.n_features + 1
        moments = np.zeros((n_chunks, plan.n_components, d1, d1))
    next_chunk = itertools.count().__next__  # atomic under the GIL
    n_threads = max(1, min(n_threads, n_chunks, n_samples // MIN_ROWS_PER_THREAD))
    entropies = np.zeros(n_chunks) if entropy else None
    args = (X, plan, edges, stats, next_chunk, totals, moments, weights, entropies)
    if n_threads == 1:
        worker(*args)
    else:
        for future in [_pool(n_threads).submit(worker, *args) for _ in range(n_threads)]:
            future.result()
    if entropy:
        return float(totals.sum()), moments.sum(axis=0), float(entropies.sum())
    return float(totals.sum()), moments.sum(axis=0)


@functools.cache
def _pool(n_threads: int) -> ThreadPoolExecutor:
    """A thread pool kept for the life of the process (starting threads costs ~0.2 ms)."""
    return ThreadPoolExecutor(n_threads, thread_name_prefix="gmmlearn-fast")


@functools.cache
def _blas_controller():
    from threadpoolctl import ThreadpoolController  # installed with scikit-learn

    return ThreadpoolController()


class one_blas_thread:  # noqa: N801 (used like a function: ``with one_blas_thread():``)
    """Context manager: BLAS runs single-threaded inside; re-entrant, cheap when nested.

    Every matrix product here is small (K·(D+1) rows); the threads of the chunked pass are
    the parallelism. Letting BLAS wake its own threads as well oversubscribes the cores, and
    for the tiny Cholesky solves of each new θ (numpy and scipy each bring an OpenBLAS with its
    own threads) the wake-ups cost far more than the work: on a busy machine, milliseconds
    per call. A whole run can hold one ``with one_blas_thread():`` around its loop.
    """

    _lock = threading.Lock()
    _depth = 0
    _limiter = None

    def __enter__(self):
        cls = type(self)
        with cls._lock:
            if cls._depth == 0:
                cls._limiter = _blas_controller().limit(limits=1, user_api="blas")
            cls._depth += 1
        return self

    def __exit__(self, *exc_info):
        cls = type(self)
        with cls._lock:
            cls._depth -= 1
            if cls._depth == 0:
                cls._limiter.restore_original_limits()
                cls._limiter = None
        return False


@functools.cache
def default_threads() -> int:
    return min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


# ---------------------------------------------------------------------------
# From the sums to θ
# ---------------------------------------------------------------------------


def statistics(X, plan, chunk_size, n_threads, weights=None, entropy: bool = False):
    """(ln p, Σγ, Σγ(x-c), Σγ(x-c)(x-c)ᵀ) about the plan's centres c, in data coordinates;
    with ``weights``, w_n γ_nk for γ_nk and Σ_n w_n ln p(x_n). For diag the last is only the
    diagonal, (K, D); for spherical its trace, (K,). With ``entropy``: (those sums,
    Σ_nk w_n γ_nk ln γ_nk)."""
    if entropy:
        *sums, neg_entropy = passes(X, plan, chunk_size, n_threads, True, weights, True)
        return _statistics_from(plan, *sums), neg_entropy
    return _statistics_from(plan, *passes(X, plan, chunk_size, n_threads, True, weights))


def _statistics_from(plan, total, moments):
    d = plan.n_features
    if plan.diagonal:  # already in data coordinates; second is (K, D), or (K,) if spherical
        second = moments[:, d:-1]
        second = second[:, 0] if plan.spherical else second
        return total, moments[:, -1].copy(), moments[:, :d], second
    # back from the whitened frame: x - c_k = U_k⁻ᵀ y_k
    unwhiten = np.linalg.inv(plan.chol)  # U_k⁻¹, (K, D, D)
    first = np.einsum("kd,kde->ke", moments[:, :d, d], unwhiten)
    second = np.swapaxes(unwhiten, 1, 2) @ moments[:, :d, :d] @ unwhiten
    return total, moments[:, d, d].copy(), first, second


def means_and_scatter(centres, resp_sums, first, second, scale=1.0):
    """N_k, μ_k and the centred scatter Σγ(x-μ_k)(x-μ_k)ᵀ from sums about ``centres``;
    ``scale`` is the unit of the weights (:func:`gmmlearn.validation.weight_scale`)."""
    nk = resp_sums + _EPS10 * scale  # as gmmlearn.steps.effective_counts
    # μ_k = Σγx / N_k, with Σγx = Σγ(x-c) + c Σγ (an empty component gets μ = 0, as in m_step)
    means = (first + resp_sums[:, np.newaxis] * centres) / nk[:, np.newaxis]
    e = means - centres
    return nk, means, moments_about(e, resp_sums, first, second), e


def moments_about(e, resp_sums, first, second):
    """Σγ(x-c-e)(x-c-e)ᵀ from the sums about c (its diagonal for diag, trace for spherical)."""
    if second.ndim == 2:  # diag: Σγ(x_d-c_d-e_d)² = Σγ(x_d-c_d)² - 2e_d Σγ(x_d-c_d) + Σγ e_d²
        return second - 2.0 * first * e + resp_sums[:, np.newaxis] * e * e
    if second.ndim == 1:  # spherical: the same, summed over d
        return (
            second - 2.0 * np.einsum("kd,kd->k", first, e) + resp_sums * np.einsum("kd,kd->k", e, e)
        )
    # x-μ = (x-c) - e with e = μ - c: Σγ(x-μ)(x-μ)ᵀ = Σγ(x-c)(x-c)ᵀ - Σγ(x-c)eᵀ - e(...)ᵀ + Σγ eeᵀ
    cross = first[:, :, np.newaxis] * e[:, np.newaxis, :]
    scatter = (
        second
        - cross
        - np.swapaxes(cross, 1, 2)
        + resp_sums[:, np.newaxis, np.newaxis] * e[:, :, np.newaxis] * e[:, np.newaxis, :]
    )
    return 0.5 * (scatter + np.swapaxes(scatter, 1, 2))  # symmetric to the last bit


# A one-pass scatter about the old mean loses about ε·(1 + N_k eᵀΣ⁻¹e) of relative accuracy, e
# being how far the mean moved: nothing for EM's usual steps, but a component that jumps many
# of its new standard deviations at once (a bad start, a collapse) would lose digits. Beyond
# this factor the iteration takes a second pass, about the new means (a two-pass scatter).
MAX_CANCELLATION = 1e3


def cancellation(nk, resp_sums, scatter, e, reg_covar) -> np.ndarray:
    """1 + N_k eᵀ(N_k Σ_k)⁻¹e per component: the factor by which rounding errors grow
    (diag: the largest over the coordinates; spherical: 1 + ‖e‖²/(D σ_k²), the growth of the
    error of the one number kept, the trace)."""
    n_features = e.shape[-1]
    if scatter.ndim == 2:  # diag: N_k Σ_k = diag(scatter + N_k ε)
        spread, moved = scatter + (nk * reg_covar)[:, np.newaxis], e * e
    elif scatter.ndim == 1:  # spherical: what is kept is the trace, N_k D σ_k²
        spread, moved = scatter + nk * n_features * reg_covar, np.einsum("kd,kd->k", e, e)
    if scatter.ndim < 3:
        ratio = np.divide(moved, spread, out=np.full(moved.shape, np.inf), where=spread > 0)
        return 1.0 + resp_sums * (ratio.max(axis=1) if ratio.ndim == 2 else ratio)
    nk_cov = scatter + (nk * reg_covar)[:, np.newaxis, np.newaxis] * np.eye(n_features)
    try:
        solved = np.linalg.solve(nk_cov, e[:, :, np.newaxis])[:, :, 0]
    except np.linalg.LinAlgError:  # singular N_k Σ_k: take the second pass, then refuse clearly
        return np.full(len(nk), np.inf)
    return 1.0 + resp_sums * np.abs(np.einsum("kd,kd->k", e, solved))


def new_means_and_scatter(X, plan, sums, chunk_size, n_threads, reg_covar, weights=None):
    """N_k, the new means and their centred scatter from ``sums`` (what :func:`statistics`
    returned for ``plan``); a second pass about the new means if one moved too far."""
    _, resp_sums, first, second = sums
    scale = weight_scale(weights)
    nk, means, scatter, e = means_and_scatter(plan.centres, resp_sums, first, second, scale)
    with np.errstate(all="ignore"):  # a singular N_k Σ_k (reg_covar = 0) just means "refine"
        factor = cancellation(nk, resp_sums, scatter, e, reg_covar)
    if not np.all(factor <= MAX_CANCELLATION):
        recentred = plan.recentred(means)
        _, resp_sums, first, second = statistics(X, recentred, chunk_size, n_threads, weights)
        nk, means, scatter, _ = means_and_scatter(means, resp_sums, first, second, scale)
    return nk, means, scatter


def scatter_about_old_means(plan: Plan, sums):
    """(Σγ(x-μ_k), the scatter about μ_k) for the old means μ_k, from :func:`statistics`."""
    _, resp_sums, first, second = sums
    e = plan.means - plan.centres
    if not plan.diagonal and plan.centre_shift is None:  # already about the old means
        return first, second
    return first - resp_sums[:, np.newaxis] * e, moments_about(e, resp_sums, first, second)


def expected_mahalanobis(plan: Plan, sums) -> np.ndarray:
    """Σ_n γ_nk (x_n-μ_k)ᵀΛ_k(x_n-μ_k) per component, from the sums of :func:`statistics`."""
    _, scatter = scatter_about_old_means(plan, sums)
    if not plan.diagonal:
        return np.einsum("kdi,kde,kei->k", plan.chol, scatter, plan.chol)
    if scatter.ndim == 2:
        return np.einsum("kd,kd->k", plan.precisions, scatter)
    return plan.precisions * scatter


def covariances_from_scatter(scatter, nk, covariance_type, reg_covar, n_features=None):
    """Σ from the centred scatters Σ_n γ_nk (x_n-μ_k)(x_n-μ_k)ᵀ, as in component_covariances
    (diag: their diagonals, (K, D); spherical: their traces, (K,), and ``n_features`` D)."""
    if covariance_type == "diag":  # the scatter is only its diagonal, (K, D)
        return scatter / nk[:, np.newaxis] + reg_covar
    if covariance_type == "spherical":  # only its trace, (K,); σ_k² is the mean variance
        return scatter / (nk * n_features) + reg_covar
    if covariance_type == "full":
        covariances = scatter / nk[:, np.newaxis, np.newaxis]
    else:
        covariances = scatter.sum(axis=0) / nk.sum()
    return covariances + reg_covar * np.eye(covariances.shape[-1])


def check_arguments(X, params, chunk_size, n_threads):
    """Validate the arguments shared by the public functions; one-line errors."""
    if not isinstance(params, GaussianMixtureParams):
        raise TypeError(
            f"params must be a GaussianMixtureParams, got {type(params).__name__}: "
            "build one with GaussianMixtureParams(weights, means, covariances)"
        )
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != params.n_features or X.shape[0] == 0:
        raise ValueError(
            f"X must have shape (n_samples, {params.n_features}) with n_samples >= 1 to match "
            f"the parameters, got {X.shape}"
        )
    for name, value in (("chunk_size", chunk_size), ("n_threads", n_threads)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1
        ):
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return X, int(chunk_size), int(n_threads or default_threads())
