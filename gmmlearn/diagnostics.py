"""What a finished EM run says about the model: free parameters, BIC/AIC, collapsed components.

The explorer writes these under every run (:mod:`gmmlearn.widgets`); lesson 4 compares models
with them. They read a :class:`~gmmlearn.trace.EMTrace` and draw nothing.
"""

from __future__ import annotations

import numpy as np

from .params import check_covariance_type
from .trace import EMTrace

__all__ = [
    "collapsed_components",
    "information_criteria",
    "n_parameters",
    "regularisation_share",
]

# A component whose smallest variance is within this factor of reg_covar has collapsed: only
# the regularisation keeps its Σ_k invertible (PRML §9.2.1).
_COLLAPSE_FACTOR = 10.0
# ... and what the data gave it (λ_min − reg_covar) is below this share of the data's variance.
_COLLAPSE_SHARE = 1e-5


def n_parameters(covariance_type: str, n_components: int, n_features: int) -> int:
    """Free parameters of a mixture of K Gaussians in D dimensions, as scikit-learn counts them.

    K − 1 weights (they sum to 1), K·D means, and the covariances: K·D(D+1)/2 "full",
    D(D+1)/2 "tied", K·D "diag", K "spherical".

    Parameters
    ----------
    covariance_type : {"full", "tied", "diag", "spherical"}
    n_components : int
        K.
    n_features : int
        D.

    Returns
    -------
    n_parameters : int
    """
    check_covariance_type(covariance_type)
    covariance_parameters = {
        "full": n_components * n_features * (n_features + 1) / 2.0,
        "tied": n_features * (n_features + 1) / 2.0,
        "diag": n_components * n_features,
        "spherical": n_components,
    }[covariance_type]
    return int(covariance_parameters + n_features * n_components + n_components - 1)


def information_criteria(trace: EMTrace) -> dict:
    r"""BIC and AIC of the run's last θ_T (lower is better).

    .. math:: \mathrm{BIC} = -2 \ln p(X \mid \theta_T) + p \ln N, \qquad
              \mathrm{AIC} = -2 \ln p(X \mid \theta_T) + 2p,

    with p the free parameters: K − 1 weights, K·D means and the covariances (K·D(D+1)/2
    "full", D(D+1)/2 "tied", K·D "diag", K "spherical"), counted as scikit-learn counts them.

    Returns
    -------
    criteria : dict
        ``log_likelihood``, ``n_parameters``, ``bic``, ``aic``, ``n_samples``.
    """
    params = trace.params[-1]
    n_samples = trace.X.shape[0]
    count = n_parameters(params.covariance_type, params.n_components, params.n_features)
    log_likelihood = float(trace.log_likelihoods[-1])
    return {
        "log_likelihood": log_likelihood,
        "n_parameters": count,
        "n_samples": n_samples,
        "bic": -2.0 * log_likelihood + count * np.log(n_samples),
        "aic": -2.0 * log_likelihood + 2.0 * count,
    }


def collapsed_components(trace: EMTrace) -> list[int]:
    """Components (0-based) of θ_T held up only by ``reg_covar``.

    Component k has collapsed (PRML §9.2.1) when its smallest variance λ_min(Σ_k) is within a
    factor 10 of ``reg_covar`` **and** what the data gave it, λ_min − reg_covar, is negligible
    against the data's own scale s² (the mean variance of X's features): it sits on fewer than
    D + 1 distinct points. Judged against s², data of any scale is treated alike: clusters of
    std 0.003 are thin but sound (the explorer advises rescaling such data instead,
    :func:`regularisation_share`).
    """
    reg_covar = trace.reg_covar
    if not reg_covar > 0:
        return []  # with reg_covar = 0 a collapse raises during the run instead
    params = trace.params[-1]
    variances = np.linalg.eigvalsh(params.full_covariances())[:, 0]
    scale = float(np.mean(np.var(trace.X, axis=0)))
    held_up = variances <= _COLLAPSE_FACTOR * reg_covar
    from_data = variances - reg_covar <= _COLLAPSE_SHARE * scale
    return [int(k) for k in np.flatnonzero(held_up & from_data)]


def regularisation_share(trace: EMTrace) -> float:
    """``reg_covar`` over the smallest variance of X's features.

    Above about 1e-3 the ``reg_covar·I`` added to every Σ_k visibly widens the components of
    this data (std 0.003 against √1e-6 = 0.001 gives 0.11): rescale X or lower ``reg_covar``.
    """
    smallest = float(np.min(np.var(trace.X, axis=0)))
    if not smallest > 0:
        return float("inf")
    return float(trace.reg_covar) / smallest
