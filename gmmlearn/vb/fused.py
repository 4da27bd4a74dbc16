r"""A fused VB iteration: the same numbers as :mod:`gmmlearn.vb`, in one pass over the data.

The VB E-step has EM's shape. :math:`\ln\rho_{nk}` (PRML 10.46) is

.. math::
    \ln\rho_{nk} = c_k - \tfrac12\lVert U_k^\top(x_n - m_k)\rVert^2,\qquad
    c_k = \mathbb E[\ln\pi_k] + \tfrac12\mathbb E[\ln|\Lambda_k|] - \tfrac D2\ln 2\pi
          - \tfrac{D}{2\beta_k},

with :math:`U_kU_k^\top = \nu_kW_k`: EM's :math:`\ln\pi_k + \ln\mathcal N(x_n\mid m_k,
(\nu_kW_k)^{-1})` with another constant per component. So the chunked, threaded pass of
:mod:`gmmlearn.fused` (one matrix product per chunk for all components, r used at once and
thrown away) gives the sums that 10.51–10.53 need, about the old :math:`m_k`, and
:math:`\sum_n\ln\sum_k\rho_{nk}`.

The bound needs one more number, the entropy :math:`-\sum_{nk}r_{nk}\ln r_{nk}`; it comes from
the same sums, with no N×K array:

.. math::
    -\sum_{n,k}r_{nk}\ln r_{nk} = \sum_n\ln\sum_k\rho_{nk} - \sum_k\Bigl(c_kR_k
      - \tfrac12\operatorname{tr}\bigl(\nu_kW_k\textstyle\sum_nr_{nk}(x_n-m_k)(x_n-m_k)^\top
      \bigr)\Bigr),\qquad R_k = \sum_nr_{nk}.

The updates 10.58–10.63 are then :func:`gmmlearn.vb.params_from_statistics`, the same code as
the step-by-step path. Tests check both paths agree to 1e-10 relative.
"""

from __future__ import annotations

import numpy as np

from .. import _chunked
from ..params import GaussianMixtureParams
from .steps import (
    VBParams,
    VBPrior,
    _bound_from_entropy,
    expected_log_det_lambda,
    expected_log_pi,
    params_from_statistics,
)

__all__ = ["vb_iteration"]

_LOG_2PI = np.log(2.0 * np.pi)


def _gaussians(state: VBParams) -> GaussianMixtureParams:
    """The Gaussians N(m_k, (ν_kW_k)⁻¹) of the E-step (the weights are replaced in _plan)."""
    n_components = state.n_components
    weights = np.full(n_components, 1.0 / n_components)
    return GaussianMixtureParams(weights, state.m, state.covariances, state.covariance_type)


def _plan(state: VBParams, gaussians: GaussianMixtureParams) -> _chunked.Plan:
    """EM's per-iteration plan for those Gaussians, with the VB constants c_k."""
    n_features = state.n_features
    plan = _chunked.Plan(gaussians)
    const = (
        expected_log_pi(state.alpha, state.prior_type)
        + 0.5 * expected_log_det_lambda(state)
        - 0.5 * n_features * _LOG_2PI
        - 0.5 * n_features / state.beta
    )
    plan.const = np.asarray(const, dtype=np.float64)[:, np.newaxis]
    return plan


def vb_iteration(
    X: np.ndarray,
    state: VBParams,
    prior: VBPrior,
    reg_covar: float = 1e-6,
    *,
    chunk_size: int = _chunked.DEFAULT_CHUNK_SIZE,
    n_threads: int | None = None,
) -> tuple[VBParams, float]:
    r"""One VB iteration in one pass: equal to the E-step, M-step and bound of :mod:`gmmlearn.vb`.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    state : VBParams
        q_{t-1}.
    prior : VBPrior
    reg_covar : float, default=1e-6
    chunk_size, n_threads : int
        As in :func:`gmmlearn.fused.sufficient_statistics`.

    Returns
    -------
    new_state : VBParams
        q_t.
    lower_bound : float
        The bound of (r(q_{t-1}), q_t), as :func:`gmmlearn.vb.lower_bound`.
    """
    gaussians = _gaussians(state)
    X, chunk_size, n_threads = _chunked.check_arguments(X, gaussians, chunk_size, n_threads)
    with _chunked.one_blas_thread():
        plan = _plan(state, gaussians)
        sums = _chunked.statistics(X, plan, chunk_size, n_threads)
        total, resp_sums = sums[:2]
        # Σ_n r_nk ln ρ_nk = c_k R_k − ½ tr(ν_k W_k · Σ_n r_nk (x_n − m_k)(x_n − m_k)ᵀ)
        whitened = _chunked.expected_mahalanobis(plan, sums)
        entropy = total - float(np.sum(plan.const[:, 0] * resp_sums - 0.5 * whitened))
        nk, xbar, scatter = _chunked.new_means_and_scatter(
            X, plan, sums, chunk_size, n_threads, reg_covar
        )
        S = _chunked.covariances_from_scatter(
            scatter, nk, state.covariance_type, reg_covar, state.n_features
        )
        new_state = params_from_statistics(nk, xbar, S, prior)
        return new_state, _bound_from_entropy(entropy, new_state)
