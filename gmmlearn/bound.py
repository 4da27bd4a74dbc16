r"""Why EM climbs: the lower bound L(q, θ) and the gap KL(q ‖ p(Z|X, θ)) (PRML §9.4).

For *any* distribution q(Z) over the latent assignments — here a table ``resp`` of
:math:`q_{nk} = q(z_{nk} = 1)`, each row summing to 1 — the log-likelihood splits into two
parts (PRML 9.70):

.. math::
    \ln p(X\mid\theta) = \mathcal{L}(q, \theta) + \mathrm{KL}\bigl(q \,\|\, p(Z\mid X, \theta)\bigr)

* :func:`lower_bound` (PRML 9.71):
  :math:`\mathcal{L}(q,\theta) = \sum_n\sum_k q_{nk}
  \ln\frac{\pi_k\,\mathcal{N}(x_n\mid\mu_k,\Lambda_k^{-1})}{q_{nk}}`;
* :func:`kl_to_posterior` (PRML 9.72):
  :math:`\mathrm{KL}(q\,\|\,p) = -\sum_n\sum_k q_{nk}\ln\frac{\gamma_{nk}}{q_{nk}}`;
* :func:`lower_bound_and_kl`: both from one pass; :func:`m_step_bounds`: both after every
  M-step of a run.

Because KL ≥ 0 (Jensen's inequality), L is a lower bound on ln p. EM is coordinate ascent
on L:

* **E-step**: q ← γ(θ), the posterior. Then KL = 0 and L touches ln p (PRML Fig. 9.12).
* **M-step**: θ ← argmax_θ L(q, θ) with q held. L rises; ln p rises at least as much, since
  the KL of the old q to the new posterior reappears on top (Fig. 9.13).

With ``reg_covar`` = ε > 0 the M-step of :func:`gmmlearn.steps.m_step` adds εI to each
covariance: it then maximises the penalised bound
:math:`\mathcal{L}(q,\theta) - \tfrac{\varepsilon}{2}\sum_k N_k\operatorname{tr}\Lambda_k`
(the same form for every covariance type), see :func:`gmmlearn.steps.reg_covar_penalty`.

Terms with :math:`q_{nk} = 0` contribute exactly 0 (:math:`0\ln 0 = 0`, by
:func:`scipy.special.xlogy`), so a hard assignment is a valid q.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import xlogy

from .params import GaussianMixtureParams
from .steps import log_weighted_densities
from .validation import check_step_data

__all__ = [
    "check_resp",
    "kl_to_posterior",
    "lower_bound",
    "lower_bound_and_kl",
    "m_step_bounds",
]

# |Σ_k q_nk − 1| allowed for a row of q
_ROW_SUM_ATOL = 1e-6


def check_resp(resp, n_samples: int, n_components: int) -> np.ndarray:
    r"""``resp`` as a float64 (N, K) array of probabilities :math:`q_{nk}` with rows summing to 1.

    Raises
    ------
    ValueError
        With one line saying what is wrong and how to fix it.
    """
    resp = np.asarray(resp, dtype=np.float64)
    if resp.shape != (n_samples, n_components):
        raise ValueError(
            f"resp has shape {resp.shape}: pass q of shape (n_samples, n_components) = "
            f"({n_samples}, {n_components}), one row per point"
        )
    if not np.all(np.isfinite(resp)) or np.any(resp < 0):
        raise ValueError("resp has negative or non-finite entries: q_nk must lie in [0, 1]")
    sums = resp.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1.0) > _ROW_SUM_ATOL)
    if bad.size:
        n = int(bad[0])
        raise ValueError(
            f"row {n} of resp sums to {float(sums[n])!r} (off by {sums[n] - 1:.2g}), not 1: "
            "normalise each row, resp / resp.sum(axis=1, keepdims=True)"
        )
    return resp


def _entropy_terms(resp: np.ndarray) -> np.ndarray:
    """:math:`q_{nk}\\ln q_{nk}`, exactly 0 where q_nk = 0."""
    return xlogy(resp, resp)


def _weighted_log(resp: np.ndarray, log_values: np.ndarray) -> np.ndarray:
    r""":math:`q_{nk}\,\ln v_{nk}`, exactly 0 where q_nk = 0 (even when ln v_nk = −∞)."""
    out = np.zeros_like(resp)
    np.multiply(resp, log_values, out=out, where=resp > 0)
    return out


def lower_bound(X: np.ndarray, resp: np.ndarray, params: GaussianMixtureParams) -> float:
    r"""The lower bound :math:`\mathcal{L}(q, \theta)` on the log-likelihood (PRML 9.71).

    .. math::
        \mathcal{L}(q, \theta) = \sum_{n=1}^{N}\sum_{k=1}^{K} q_{nk}
            \ln\frac{\pi_k\,\mathcal{N}(x_n\mid\mu_k,\Lambda_k^{-1})}{q_{nk}}
        = \underbrace{\sum_{n,k} q_{nk}\ln\bigl(\pi_k\,\mathcal{N}(x_n\mid\mu_k,
            \Lambda_k^{-1})\bigr)}_{\text{expected complete-data log-likelihood}}
          \;\underbrace{-\sum_{n,k} q_{nk}\ln q_{nk}}_{\text{entropy of } q}

    What it means: how well θ explains the data when each point is split among the
    components as q says. It never exceeds :math:`\ln p(X\mid\theta)`, and equals it when q is
    the posterior γ(θ). Terms with :math:`q_{nk} = 0` are exactly 0.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    resp : ndarray of shape (n_samples, n_components)
        Any q: entries in [0, 1], each row summing to 1 (not necessarily γ).
    params : GaussianMixtureParams
        θ = (π, μ, Λ⁻¹), any covariance type.

    Returns
    -------
    lower_bound : float
        May be −∞ if q puts mass on a component with :math:`\pi_k = 0`.
    """
    return lower_bound_and_kl(X, resp, params)[0]


def kl_to_posterior(X: np.ndarray, resp: np.ndarray, params: GaussianMixtureParams) -> float:
    r"""The gap :math:`\mathrm{KL}(q \,\|\, p(Z\mid X, \theta))` between ln p and L (PRML 9.72).

    .. math::
        \mathrm{KL}(q \,\|\, p) = -\sum_{n=1}^{N}\sum_{k=1}^{K} q_{nk}
            \ln\frac{\gamma_{nk}}{q_{nk}},
        \qquad \gamma_{nk} = p(z_{nk}=1\mid x_n, \theta)\ \text{(PRML 9.23)}

    What it means: how far q is from the posterior responsibilities of θ. It is ≥ 0, and 0
    exactly when :math:`q = \gamma(\theta)`: right after an E-step. Computed from
    :math:`\ln\gamma` (log-sum-exp), not as ln p − L, so a small gap keeps its digits.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    resp : ndarray of shape (n_samples, n_components)
        Any q: entries in [0, 1], each row summing to 1.
    params : GaussianMixtureParams

    Returns
    -------
    kl : float
        ≥ 0 up to rounding; +∞ if q puts mass where γ is exactly 0.
    """
    return lower_bound_and_kl(X, resp, params)[1]


def _log_posterior(log_joint: np.ndarray) -> np.ndarray:
    """ln γ from the ln π_k + ln N table, by log-sum-exp with the row maximum taken out first."""
    row_max = log_joint.max(axis=1, keepdims=True)
    row_max[~np.isfinite(row_max)] = 0.0
    shifted = log_joint - row_max
    # log-sum-exp of the shifted rows (each has a 0, so no overflow and a sum ≥ 1); plain numpy
    # is ten times faster than scipy's logsumexp here, which the explorer pays T times
    with np.errstate(divide="ignore"):
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _split(resp, q_log_q, log_joint, log_gamma) -> tuple[float, float]:
    """(L, KL) from q, its q ln q terms, and θ's tables of ln π_k + ln N and of ln γ."""
    expected = np.sum(_weighted_log(resp, log_joint))  # Σ q ln(π N)
    gamma_term = np.sum(_weighted_log(resp, log_gamma))  # Σ q ln γ
    neg_entropy = np.sum(q_log_q)  # Σ q ln q
    return float(expected - neg_entropy), float(neg_entropy - gamma_term)


def lower_bound_and_kl(
    X: np.ndarray, resp: np.ndarray, params: GaussianMixtureParams
) -> tuple[float, float]:
    r"""Both parts of :math:`\ln p(X\mid\theta) = \mathcal{L}(q,\theta) + \mathrm{KL}(q\,\|\,p)`
    from one table of :math:`\ln\pi_k + \ln\mathcal{N}(x_n\mid\mu_k,\Lambda_k^{-1})`.

    Same numbers as :func:`lower_bound` and :func:`kl_to_posterior` (which call this), at the
    cost of one pass over the data.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    resp : ndarray of shape (n_samples, n_components)
        Any q: entries in [0, 1], each row summing to 1.
    params : GaussianMixtureParams

    Returns
    -------
    lower_bound, kl : float
    """
    X = check_step_data(X, params)
    resp = check_resp(resp, X.shape[0], params.n_components)
    log_joint = log_weighted_densities(X, params)
    return _split(resp, _entropy_terms(resp), log_joint, _log_posterior(log_joint))


def m_step_bounds(
    X: np.ndarray,
    params: Sequence[GaussianMixtureParams],
    sample_weight: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    r"""L and KL after each M-step of a run θ₀, θ₁, …, θ_T (PRML Fig. 9.13).

    For t = 1 … T, with :math:`q = \gamma(\theta_{t-1})` (the E-step of iteration t):

    .. math::
        \mathcal{L}_t = \mathcal{L}(\gamma(\theta_{t-1}), \theta_t),\qquad
        \mathrm{KL}_t = \mathrm{KL}\bigl(\gamma(\theta_{t-1}) \,\|\,
            p(Z\mid X, \theta_t)\bigr),\qquad
        \mathcal{L}_t + \mathrm{KL}_t = \ln p(X\mid\theta_t)

    (After the E-step itself q is the posterior of θ_{t-1}: KL = 0 and L = ln p(X | θ_{t-1}).)
    One pass over the data per θ_t: the ln γ of θ_t is the q of iteration t + 1.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    params : sequence of GaussianMixtureParams, length T + 1
    sample_weight : ndarray of shape (n_samples,), optional
        For a weighted run: every sum over n counts point n w_n times.

    Returns
    -------
    lower_bounds, kls : ndarray of shape (T,)
    """
    X = np.asarray(X, dtype=np.float64)
    n_iter = len(params) - 1
    lower_bounds = np.empty(n_iter)
    kls = np.empty(n_iter)
    if n_iter < 1:
        return lower_bounds, kls
    log_q = _log_posterior(log_weighted_densities(X, params[0]))
    for t in range(1, n_iter + 1):
        resp = np.exp(log_q)
        # q ln q from ln q itself (more digits than ln(exp(ln q))); 0 where q underflows to 0
        q_log_q = _weighted_log(resp, log_q)
        if sample_weight is not None:
            resp = resp * sample_weight[:, np.newaxis]
            q_log_q *= sample_weight[:, np.newaxis]
        log_joint = log_weighted_densities(X, params[t])
        log_gamma = _log_posterior(log_joint)
        lower_bounds[t - 1], kls[t - 1] = _split(resp, q_log_q, log_joint, log_gamma)
        log_q = log_gamma
    return lower_bounds, kls
