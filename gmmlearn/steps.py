r"""The EM algorithm for Gaussian mixtures, one function per equation of Bishop's PRML §9.2.

Read this module beside the book. Notation:

* :math:`x_n`, :math:`n = 1..N` — the data, ``X`` of shape (N, D);
* :math:`\pi_k, \mu_k, \Sigma_k = \Lambda_k^{-1}`, :math:`k = 1..K` — weights, means, covariances
  (Λ is the precision), held together in a :class:`~gmmlearn.params.GaussianMixtureParams`;
* :math:`\gamma_{nk} = \gamma(z_{nk})` — the responsibility of component k for point n.

One EM iteration (PRML p. 438–439):

========  ======================================================  ===========================
step      equation                                                function
========  ======================================================  ===========================
density   :math:`\ln\mathcal{N}(x_n\mid\mu_k,\Lambda_k^{-1})`     :func:`log_gaussian_density`
E (9.23)  :math:`\gamma_{nk}`                                     :func:`responsibilities`
M (9.27)  :math:`N_k = \sum_n \gamma_{nk}`                        :func:`effective_counts`
M (9.26)  :math:`\pi_k = N_k / N`                                 :func:`mixing_weights`
M (9.24)  :math:`\mu_k = \frac1{N_k}\sum_n\gamma_{nk}x_n`          :func:`component_means`
M (9.25)  :math:`\Lambda_k^{-1} = \Sigma_k`                       :func:`component_covariances`
          :math:`\Lambda_k = \Sigma_k^{-1}`                       :func:`component_precisions`
(9.28)    :math:`\ln p(X\mid\theta)`                              :func:`log_likelihood`
========  ======================================================  ===========================

:func:`e_step` and :func:`m_step` chain them. Everything is float64 and works in log space: a
point far from every component has tiny densities, but its responsibilities are still exact
(the 2019 original divided 0 by 0 there).
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from .params import (
    GaussianMixtureParams,
    check_covariance_type,
    check_not_collapsed,
    check_update_finite,
    precisions_cholesky_from_covariances,
    precisions_from_cholesky,
)
from .validation import check_data, check_sample_weight, check_step_data, weight_scale

__all__ = [
    "log_gaussian_density",
    "log_weighted_densities",
    "log_responsibilities",
    "responsibilities",
    "effective_counts",
    "reg_covar_penalty",
    "mixing_weights",
    "component_means",
    "component_covariances",
    "component_precisions",
    "log_likelihood",
    "e_step",
    "m_step",
]

_LOG_2PI = np.log(2.0 * np.pi)


# ---------------------------------------------------------------------------
# Densities
# ---------------------------------------------------------------------------


def _log_det_cholesky(precisions_cholesky: np.ndarray, covariance_type: str, n_features: int):
    """ln|Λ_k|^{1/2} = Σ ln diag(U_k): the log-determinant costs nothing given the Cholesky."""
    if covariance_type == "full":
        return np.log(np.diagonal(precisions_cholesky, axis1=1, axis2=2)).sum(axis=1)
    if covariance_type == "tied":
        return np.log(np.diag(precisions_cholesky)).sum()
    if covariance_type == "diag":
        return np.log(precisions_cholesky).sum(axis=1)
    return n_features * np.log(precisions_cholesky)


def log_gaussian_density(X: np.ndarray, params: GaussianMixtureParams) -> np.ndarray:
    r"""Log-density of every point under every component, via the Cholesky factor of Λ_k.

    .. math::
        \ln\mathcal{N}(x_n \mid \mu_k, \Lambda_k^{-1})
        = -\tfrac{D}{2}\ln 2\pi + \tfrac12\ln|\Lambda_k|
          - \tfrac12 (x_n-\mu_k)^\top \Lambda_k (x_n-\mu_k)

    With :math:`\Lambda_k = U_k U_k^\top`, the quadratic form is :math:`\lVert U_k^\top(x_n-\mu_k)
    \rVert^2` and :math:`\tfrac12\ln|\Lambda_k| = \sum_i \ln (U_k)_{ii}`: no inverse, no
    determinant, stable in float64.

    What it means: how well component k explains point n, on a log scale.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    params : GaussianMixtureParams

    Returns
    -------
    log_density : ndarray of shape (n_samples, n_components)

    Raises
    ------
    ValueError
        If X is not 2-D finite data with ``params.n_features`` columns (one line, as
        :func:`~gmmlearn.trace.run_em` says it).
    """
    return _log_gaussian_density(check_step_data(X, params), params)


def _log_gaussian_density(X: np.ndarray, params: GaussianMixtureParams) -> np.ndarray:
    """:func:`log_gaussian_density` of X already checked."""
    n_samples, n_features = X.shape
    means, chol, kind = params.means, params.precisions_cholesky, params.covariance_type
    log_det_half = _log_det_cholesky(chol, kind, n_features)

    # Centred: x_n − μ_k first. The expanded ‖x‖² − 2xᵀμ + ‖μ‖² cancels catastrophically for
    # data far from the origin (shifted by 10⁸, γ was off by 0.9).
    mahalanobis = np.empty((n_samples, params.n_components))
    for k, mu in enumerate(means):
        diff = X - mu
        if kind == "full":
            y = diff @ chol[k]
        elif kind == "tied":
            y = diff @ chol
        else:  # diag: a row of 1/σ_kd; spherical: one 1/σ_k
            y = diff * chol[k]
        mahalanobis[:, k] = np.einsum("nd,nd->n", y, y)
    return -0.5 * (n_features * _LOG_2PI + mahalanobis) + log_det_half


def log_weighted_densities(X: np.ndarray, params: GaussianMixtureParams) -> np.ndarray:
    r"""The numerator of γ in log space.

    .. math:: \ln \pi_k + \ln\mathcal{N}(x_n\mid\mu_k,\Lambda_k^{-1})

    What it means: the joint log-probability :math:`\ln p(x_n, z_{nk}=1)`.

    Returns
    -------
    log_joint : ndarray of shape (n_samples, n_components)
    """
    return _log_joint(check_step_data(X, params), params)


def _log_joint(X: np.ndarray, params: GaussianMixtureParams) -> np.ndarray:
    """:func:`log_weighted_densities` of X already checked."""
    with np.errstate(divide="ignore"):  # π_k = 0 gives ln 0 = -inf: that component is off
        return _log_gaussian_density(X, params) + np.log(params.weights)


# ---------------------------------------------------------------------------
# E-step
# ---------------------------------------------------------------------------


def _normalize_log(log_joint: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ln γ and their log-normaliser ln Σ_k exp(log_joint), by log-sum-exp.

    The row maximum is subtracted first and ln γ is formed from the shifted values: computing
    ``log_joint - logsumexp(log_joint)`` would add the maximum back and subtract it again,
    losing ε·|max| (1e-8 for a point far from every component), and the rows of γ would no
    longer sum to 1.
    """
    row_max = log_joint.max(axis=1, keepdims=True)
    row_max[~np.isfinite(row_max)] = 0.0
    shifted = log_joint - row_max
    log_sum = logsumexp(shifted, axis=1, keepdims=True)
    return shifted - log_sum, (row_max + log_sum)[:, 0]


def log_responsibilities(X: np.ndarray, params: GaussianMixtureParams) -> np.ndarray:
    r"""E-step in log space: :math:`\ln\gamma_{nk}` (PRML 9.23), normalised with log-sum-exp.

    .. math::
        \ln\gamma_{nk} = \ln\pi_k + \ln\mathcal{N}(x_n\mid\mu_k,\Lambda_k^{-1})
          - \ln\sum_{j=1}^{K}\exp\bigl(\ln\pi_j + \ln\mathcal{N}(x_n\mid\mu_j,\Lambda_j^{-1})\bigr)

    Log-sum-exp subtracts the largest term before exponentiating, so a point far from every
    component still gets responsibilities that sum to 1 (no 0/0).

    Returns
    -------
    log_resp : ndarray of shape (n_samples, n_components)
    """
    log_resp, _ = _normalize_log(log_weighted_densities(X, params))
    return log_resp


def responsibilities(X: np.ndarray, params: GaussianMixtureParams) -> np.ndarray:
    r"""E-step: the responsibilities :math:`\gamma_{nk}` (PRML 9.23).

    .. math::
        \gamma_{nk} = \frac{\pi_k\,\mathcal{N}(x_n\mid\mu_k,\Lambda_k^{-1})}
                           {\sum_{j=1}^{K}\pi_j\,\mathcal{N}(x_n\mid\mu_j,\Lambda_j^{-1})}

    What it means: the posterior probability that point n was drawn from component k.
    Each row lies in [0, 1] and sums to 1.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    params : GaussianMixtureParams

    Returns
    -------
    resp : ndarray of shape (n_samples, n_components)
    """
    return np.exp(log_responsibilities(X, params))


def log_likelihood(
    X: np.ndarray, params: GaussianMixtureParams, sample_weight: np.ndarray | None = None
) -> float:
    r"""The log-likelihood of the data under the mixture (PRML 9.28).

    .. math::
        \ln p(X\mid\pi,\mu,\Sigma) = \sum_{n=1}^{N} w_n \ln \sum_{k=1}^{K}
            \pi_k\,\mathcal{N}(x_n\mid\mu_k,\Lambda_k^{-1})

    (w_n = 1 in the book; ``sample_weight``, shape (n_samples,), gives other weights.)

    What it means: how probable the whole data set is under θ. EM with ``reg_covar=0``
    never lets it decrease; with ``reg_covar`` = ε > 0 it may fall, by at most what
    :func:`reg_covar_penalty` says (tiny for ε = 1e-6). (scikit-learn reports this divided by
    N, as ``score``.)

    Returns
    -------
    log_likelihood : float
    """
    X = check_step_data(X, params)
    sample_weight = check_sample_weight(sample_weight, X.shape[0])
    per_point = logsumexp(_log_joint(X, params), axis=1)
    return float(per_point.sum() if sample_weight is None else np.dot(sample_weight, per_point))


def e_step(
    X: np.ndarray, params: GaussianMixtureParams, sample_weight: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    r"""The E-step: responsibilities γ (9.23) and, for free, the log-likelihood (9.28) of θ.

    Both come from the same :math:`\ln\pi_k + \ln\mathcal{N}` table, so computing them together
    costs one pass. γ does not depend on ``sample_weight``; the log-likelihood is weighted by it
    (see :func:`log_likelihood`).

    Returns
    -------
    resp : ndarray of shape (n_samples, n_components)
    log_likelihood : float
        :math:`\ln p(X\mid\theta)` for the parameters that were given (before the M-step).
    """
    X = check_step_data(X, params)
    sample_weight = check_sample_weight(sample_weight, X.shape[0])
    log_resp, log_norm = _normalize_log(_log_joint(X, params))
    total = log_norm.sum() if sample_weight is None else np.dot(sample_weight, log_norm)
    return np.exp(log_resp), float(total)


# ---------------------------------------------------------------------------
# M-step, one equation at a time
# ---------------------------------------------------------------------------


def _weighted(resp: np.ndarray, sample_weight: np.ndarray | None) -> np.ndarray:
    """w_n γ_nk: with sample weights every sum over n counts point n w_n times."""
    return resp if sample_weight is None else resp * sample_weight[:, np.newaxis]


def effective_counts(resp: np.ndarray, sample_weight: np.ndarray | None = None) -> np.ndarray:
    r"""Effective number of points of each component (PRML 9.27).

    .. math:: N_k = \sum_{n=1}^{N} w_n\,\gamma_{nk}

    (w_n = 1, the book's equation, unless ``sample_weight`` is given: a weight w_n counts
    point n as w_n points.)

    What it means: how many points component k "owns", counting each point fractionally.
    Ten machine epsilons are added (as scikit-learn does) so that a component that owns no
    point at all does not divide by zero in the updates below; with ``sample_weight``, ten
    epsilons of the mean positive weight, so that scaling every weight scales N_k and
    changes no π, μ or Σ (weights of 1e-20 fit what weights of 1 fit).

    Parameters
    ----------
    resp : ndarray of shape (n_samples, n_components)
    sample_weight : ndarray of shape (n_samples,), optional
        w_n ≥ 0 (default: all 1).

    Returns
    -------
    nk : ndarray of shape (n_components,)
    """
    resp = _check_resp_shape(resp)
    sample_weight = check_sample_weight(sample_weight, resp.shape[0])
    return _counts(_weighted(resp, sample_weight), sample_weight)


def _counts(weighted_resp: np.ndarray, sample_weight: np.ndarray | None) -> np.ndarray:
    """Σ_n w_n γ_nk plus the guard, 10 ε in the unit of the weights."""
    guard = 10 * np.finfo(np.float64).eps * weight_scale(sample_weight)
    return weighted_resp.sum(axis=0) + guard


def _check_resp_shape(resp, n_samples: int | None = None) -> np.ndarray:
    """γ as a float64 (N, K) array, or a one-line error."""
    resp = np.asarray(resp, dtype=np.float64)
    if resp.ndim != 2 or (n_samples is not None and resp.shape[0] != n_samples):
        rows = "n_samples" if n_samples is None else n_samples
        raise ValueError(
            f"resp has shape {resp.shape}: pass γ of shape ({rows}, n_components), one row per "
            "point, e.g. from responsibilities(X, params)"
        )
    return resp


def mixing_weights(nk: np.ndarray) -> np.ndarray:
    r"""New mixing coefficients (PRML 9.26).

    .. math:: \pi_k^{\text{new}} = \frac{N_k}{N}

    What it means: the share of the data that component k explains.
    (N = Σ_k N_k, which keeps the weights summing to 1 exactly.)

    Parameters
    ----------
    nk : ndarray of shape (n_components,)

    Returns
    -------
    weights : ndarray of shape (n_components,)
    """
    return nk / nk.sum()


def component_means(
    X: np.ndarray, resp: np.ndarray, nk: np.ndarray, sample_weight: np.ndarray | None = None
) -> np.ndarray:
    r"""New means (PRML 9.24).

    .. math:: \mu_k^{\text{new}} = \frac{1}{N_k} \sum_{n=1}^{N} w_n\,\gamma_{nk}\, x_n

    (w_n = 1 in the book; ``sample_weight`` gives other weights.)

    What it means: the centre of mass of the data, each point weighted by how much
    component k is responsible for it.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    resp : ndarray of shape (n_samples, n_components)
    nk : ndarray of shape (n_components,)
    sample_weight : ndarray of shape (n_samples,), optional

    Returns
    -------
    means : ndarray of shape (n_components, n_features)
    """
    sample_weight = check_sample_weight(sample_weight, len(resp))
    return (_weighted(resp, sample_weight).T @ X) / nk[:, np.newaxis]


def component_covariances(
    X: np.ndarray,
    resp: np.ndarray,
    nk: np.ndarray,
    means: np.ndarray,
    covariance_type: str = "full",
    reg_covar: float = 1e-6,
    sample_weight: np.ndarray | None = None,
) -> np.ndarray:
    r"""New covariances :math:`\Sigma_k = \Lambda_k^{-1}` (PRML 9.25), with ``reg_covar`` added.

    .. math::
        \Lambda_k^{-1\,\text{new}} = \frac{1}{N_k}\sum_{n=1}^{N}w_n\,\gamma_{nk}
            (x_n-\mu_k^{\text{new}})(x_n-\mu_k^{\text{new}})^\top + \epsilon I

    (w_n = 1 in the book; ``sample_weight`` gives other weights.)

    This equals the seed's :math:`\frac1{N_k}\sum_n\gamma_{nk}x_nx_n^\top - \mu_k\mu_k^\top`, but
    centring first avoids subtracting two large, nearly equal numbers. ε = ``reg_covar`` keeps
    Σ_k positive definite when a component collapses onto fewer than D+1 points.

    What it means: the spread of the data around μ_k, as seen by component k.

    For the other covariance types: ``"tied"`` pools the K scatter matrices,
    :math:`\Sigma = \frac1N\sum_k N_k\Sigma_k`; ``"diag"`` keeps only the diagonal of each Σ_k;
    ``"spherical"`` keeps the mean of that diagonal, :math:`\sigma_k^2`.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    resp : ndarray of shape (n_samples, n_components)
    nk : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features)
        The *new* means :math:`\mu_k^{\text{new}}`.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    reg_covar : float, default=1e-6
    sample_weight : ndarray of shape (n_samples,), optional

    Returns
    -------
    covariances : ndarray of shape (K, D, D), (D, D), (K, D) or (K,)
    """
    check_covariance_type(covariance_type)
    n_components, n_features = means.shape
    resp = _weighted(resp, check_sample_weight(sample_weight, len(resp)))
    if covariance_type in ("diag", "spherical"):
        # only the diagonal of each scatter, Σ_n γ_nk (x_nd − μ_kd)² / N_k: O(K·N·D) time and
        # memory, never the D×D matrix these types throw away
        variances = np.empty((n_components, n_features))
        for k in range(n_components):
            diff = X - means[k]
            variances[k] = resp[:, k] @ (diff * diff) / nk[k]
        covariances = variances if covariance_type == "diag" else variances.mean(axis=1)
        return covariances + reg_covar  # ε on every stored variance
    # Centred scatter of each component: Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ / N_k.
    scatter = np.empty((n_components, n_features, n_features))
    for k in range(n_components):
        diff = X - means[k]
        scatter[k] = (resp[:, k] * diff.T) @ diff / nk[k]
    if covariance_type == "tied":
        scatter = np.einsum("k,kij->ij", nk, scatter) / nk.sum()
    return scatter + reg_covar * np.eye(n_features)


def component_precisions(covariances: np.ndarray, covariance_type: str = "full") -> np.ndarray:
    r"""Precisions :math:`\Lambda_k = \Sigma_k^{-1}`, through the Cholesky factor of Σ_k.

    .. math:: \Sigma_k = L_k L_k^\top,\quad \Lambda_k = L_k^{-\top} L_k^{-1}

    What it means: how sharply component k is peaked along each direction (large Λ = narrow).

    Parameters
    ----------
    covariances : ndarray of shape (K, D, D), (D, D), (K, D) or (K,)
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"

    Returns
    -------
    precisions : ndarray, same shape as ``covariances``

    Raises
    ------
    ValueError
        If a covariance is not positive definite (a collapsed component), saying how to fix it.
    """
    chol = precisions_cholesky_from_covariances(covariances, covariance_type)
    return precisions_from_cholesky(chol, covariance_type)


def reg_covar_penalty(nk: np.ndarray, params: GaussianMixtureParams, reg_covar: float) -> float:
    r"""What ``reg_covar`` = ε costs the M-step's objective: :math:`\tfrac12\varepsilon
    \sum_k N_k \operatorname{tr}\Lambda_k`.

    Adding εI to Σ_k is exactly maximising :math:`Q(\theta) - \tfrac12\varepsilon\sum_k N_k
    \operatorname{tr}\Lambda_k` instead of Q (for every covariance type: set the derivative
    in Λ_k to zero and Σ_k = S_k + εI comes out). With the N_k of the E-step at
    :math:`\theta^{\text{old}}`, the M-step therefore guarantees

    .. math::
        \ln p(X\mid\theta^{\text{new}}) - \ln p(X\mid\theta^{\text{old}}) \;\ge\;
        \tfrac12\varepsilon\sum_k N_k\left(\operatorname{tr}\Lambda_k^{\text{new}}
        - \operatorname{tr}\Lambda_k^{\text{old}}\right)

    which is what is monotone: with ε = 0, ln p never decreases (PRML §9.4); with ε > 0 it
    may, by at most the penalty's change, when components tighten (tr Λ grows). The bound is
    ``reg_covar_penalty(nk, new) - reg_covar_penalty(nk, old)`` with the same ``nk``.

    Parameters
    ----------
    nk : ndarray of shape (n_components,)
        :math:`N_k` of the E-step (:func:`effective_counts`).
    params : GaussianMixtureParams
    reg_covar : float

    Returns
    -------
    penalty : float
    """
    precisions, kind = params.precisions, params.covariance_type
    if kind == "full":
        traces = np.trace(precisions, axis1=1, axis2=2)
    elif kind == "tied":
        traces = np.full(params.n_components, np.trace(precisions))
    elif kind == "diag":
        traces = precisions.sum(axis=1)
    else:  # spherical: Λ_k = λ_k I
        traces = params.n_features * precisions
    return float(0.5 * reg_covar * np.dot(nk, traces))


def m_step(
    X: np.ndarray,
    resp: np.ndarray,
    covariance_type: str = "full",
    reg_covar: float = 1e-6,
    sample_weight: np.ndarray | None = None,
) -> GaussianMixtureParams:
    r"""The M-step: re-estimate θ from the responsibilities (PRML 9.24–9.27).

    .. math::
        N_k = \sum_n w_n\gamma_{nk},\quad \pi_k = \frac{N_k}{\sum_j N_j},\quad
        \mu_k = \frac1{N_k}\sum_n w_n\gamma_{nk}x_n,\quad
        \Lambda_k^{-1} = \frac1{N_k}\sum_n w_n\gamma_{nk}(x_n-\mu_k)(x_n-\mu_k)^\top

    with w_n = 1 (the book's equations) unless ``sample_weight`` gives other weights: a weight
    w_n counts point n as w_n points, so integer weights fit exactly what repeating the rows
    would, and a weight of 0 drops the row.

    What it means: each component is refitted to the points it is responsible for,
    each point counted with weight γ_nk. With ``reg_covar`` = ε the covariances are
    :math:`\Lambda_k^{-1} + \varepsilon I`: the maximum of Q minus a penalty, see
    :func:`reg_covar_penalty` for what that changes in EM's guarantee.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    resp : ndarray of shape (n_samples, n_components)
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    reg_covar : float, default=1e-6
    sample_weight : ndarray of shape (n_samples,), optional
        w_n ≥ 0 (default: all 1).

    Returns
    -------
    params : GaussianMixtureParams
    """
    X = check_data(X)
    resp = _check_resp_shape(resp, X.shape[0])
    sample_weight = check_sample_weight(sample_weight, X.shape[0])
    resp = _weighted(resp, sample_weight)  # then the book's formulas, with w_n γ_nk for γ_nk
    nk = _counts(resp, sample_weight)
    weights = mixing_weights(nk)
    means = component_means(X, resp, nk)
    covariances = component_covariances(X, resp, nk, means, covariance_type, reg_covar)
    check_update_finite(weights, means, covariances)
    if reg_covar == 0:  # else εI decides; without it, the same rule as the fused pass
        check_not_collapsed(covariances, means, covariance_type)
    return GaussianMixtureParams(weights, means, covariances, covariance_type)
