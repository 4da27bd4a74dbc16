r"""Variational Bayes for Gaussian mixtures, one function per equation of Bishop's PRML §10.2.

Read this module beside the book. The model (PRML 10.37–10.40) puts priors on the parameters,

.. math::
    p(\pi) = \mathrm{Dir}(\pi\mid\alpha_0),\qquad
    p(\mu_k, \Lambda_k) = \mathcal{N}\bigl(\mu_k\mid m_0, (\beta_0\Lambda_k)^{-1}\bigr)\,
                          \mathcal{W}(\Lambda_k\mid W_0, \nu_0),

and VB approximates the posterior by :math:`q(Z)\,q(\pi)\prod_k q(\mu_k,\Lambda_k)` of the same
forms, with parameters :math:`\alpha_k, \beta_k, m_k, W_k, \nu_k`. Each iteration alternates two
steps, exactly like EM:

===========  =====================================================  ===============================
PRML         quantity                                               function
===========  =====================================================  ===============================
10.51–10.53  :math:`N_k,\ \bar x_k,\ S_k` from :math:`r_{nk}`       :func:`statistics`
10.58        :math:`\alpha_k = \alpha_0 + N_k`                      :func:`update_alpha`
10.60        :math:`\beta_k = \beta_0 + N_k`                        :func:`update_beta`
10.61        :math:`m_k = (\beta_0 m_0 + N_k\bar x_k)/\beta_k`      :func:`update_m`
10.62        :math:`W_k^{-1} = W_0^{-1} + N_kS_k + \dots`           :func:`update_W_inverse`
10.63        :math:`\nu_k = \nu_0 + N_k`                            :func:`update_nu`
10.66        :math:`\mathbb{E}[\ln\pi_k]`                           :func:`expected_log_pi`
10.65        :math:`\mathbb{E}[\ln|\Lambda_k|]`                     :func:`expected_log_det_lambda`
10.64        :math:`\mathbb{E}[(x_n-\mu_k)^\top\Lambda_k(\dots)]`   :func:`expected_mahalanobis`
10.46        :math:`\ln\rho_{nk}`                                   :func:`log_rho`
10.49        :math:`r_{nk} = \rho_{nk}/\sum_j\rho_{nj}`             :func:`log_r`
10.70–10.77  the lower bound :math:`\mathcal L(q)`                  :func:`lower_bound`
10.70–10.77  the same with every constant, its seven terms          :func:`full_lower_bound`
10.81–10.82  the predictive density, a mixture of Student-t's       :func:`predictive_log_density`
===========  =====================================================  ===============================

The first six are the variational "M-step" (q(π), q(μ, Λ) given r), the next five the "E-step"
(r given q). :func:`lower_bound_terms` lists 10.71–10.77 one by one, and :func:`pruning_counts`
re-runs VB with one term of 10.46 swapped, to see which term prunes.

:func:`vb_m_step` and :func:`vb_e_step` chain them; :class:`VBParams` holds the variational
parameters and :class:`VBPrior` the prior, both with scikit-learn's names alongside the book's.

Where the book has a typo, and where scikit-learn departs from it
-----------------------------------------------------------------
* **10.63** reads :math:`\nu_k = \nu_0 + N_k + 1` in some printings; the correct update is
  :math:`\nu_k = \nu_0 + N_k` (scikit-learn's source says so too, in ``_estimate_wishart_full``).
* **The stored W.** scikit-learn keeps neither :math:`W_k` nor :math:`W_k^{-1}` but
  ``covariances_`` :math:`= W_k^{-1}/\nu_k` — the inverse of :math:`\mathbb E[\Lambda_k] =
  \nu_kW_k` — and ``precisions_cholesky_``, the Cholesky factor of :math:`\nu_kW_k`. So
  :math:`\ln|W_k| = 2\sum_i\ln(U_k)_{ii} - D\ln\nu_k`. :class:`VBParams` does the same.
* **reg_covar** is added to the diagonal of :math:`S_k` (10.53), as in EM.
* **Covariance types.** The book has full :math:`\Lambda_k`. scikit-learn also offers ``"tied"``
  (one Wishart shared by all components; its :math:`\nu = \nu_0 + N/K` and the shared
  statistics are the averages over components), ``"diag"`` and ``"spherical"`` (the same
  formulas on the diagonal or on its mean, keeping the full-Wishart digamma sum of 10.65 with
  D terms). These are scikit-learn's choices, reproduced here so that the numbers agree.
* **Dirichlet process.** With ``weight_concentration_prior_type="dirichlet_process"`` (the
  scikit-learn default) π is built by stick breaking, :math:`\pi_k = v_k\prod_{j<k}(1-v_j)`
  with :math:`v_k\sim\mathrm{Beta}(1, \alpha_0)` (Blei & Jordan 2006, truncated at K). Then
  10.58 becomes :math:`q(v_k) = \mathrm{Beta}(1 + N_k,\ \alpha_0 + \sum_{j>k} N_j)`, and 10.66
  :math:`\mathbb E[\ln v_k] + \sum_{j<k}\mathbb E[\ln(1-v_j)]`. ``"dirichlet_distribution"``
  is the book's finite model.
* **The lower bound** is scikit-learn's: the book's 10.70–10.77 evaluated at the optimal
  :math:`q(\pi,\mu,\Lambda)` for the current :math:`r_{nk}`, where most terms cancel, and with
  every term that depends only on N, D, K and the prior dropped (see :func:`lower_bound`). It
  differs from the book's :math:`\mathcal L` by a constant, so it rises exactly when the
  book's does.

Numerics: float64, log space (log-sum-exp for r), Cholesky factors for every determinant and
quadratic form, and centred sums for the scatter (scikit-learn expands
:math:`\mathbb E[x^2]-\bar x^2` for diag, spherical and tied).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import betaln, digamma, gammaln

from ..params import (
    check_covariance_type,
    check_update_finite,
    precisions_cholesky_from_covariances,
    precisions_from_cholesky,
)
from ..steps import (
    _log_det_cholesky,
    _normalize_log,
    component_covariances,
    component_means,
    effective_counts,
)

__all__ = [
    "PRIOR_TYPES",
    "WEIGHT_TERMS",
    "VBParams",
    "VBPrior",
    "default_prior",
    "expected_log_det_lambda",
    "expected_log_pi",
    "expected_mahalanobis",
    "full_lower_bound",
    "log_r",
    "log_rho",
    "lower_bound",
    "lower_bound_terms",
    "params_from_statistics",
    "predictive_log_density",
    "pruning_counts",
    "statistics",
    "update_W_inverse",
    "update_alpha",
    "update_beta",
    "update_m",
    "update_nu",
    "vb_e_step",
    "vb_m_step",
    "weights_from_alpha",
]

PRIOR_TYPES: tuple[str, ...] = ("dirichlet_process", "dirichlet_distribution")

_LOG_2PI = math.log(2.0 * math.pi)


def _check_prior_type(prior_type: str) -> str:
    if prior_type not in PRIOR_TYPES:
        raise ValueError(
            f"unknown weight_concentration_prior_type {prior_type!r}: use one of "
            + ", ".join(map(repr, PRIOR_TYPES))
        )
    return prior_type


# ---------------------------------------------------------------------------
# The prior and the variational parameters
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class VBPrior:
    r"""The prior :math:`(\alpha_0, \beta_0, m_0, W_0^{-1}, \nu_0)` (PRML 10.39–10.40).

    Attributes
    ----------
    alpha0 : float
        Weight concentration :math:`\alpha_0` (sklearn ``weight_concentration_prior_``).
    beta0 : float
        Mean precision :math:`\beta_0` (sklearn ``mean_precision_prior_``).
    m0 : ndarray of shape (n_features,)
        Mean prior :math:`m_0` (sklearn ``mean_prior_``).
    W0_inverse : ndarray
        :math:`W_0^{-1}` (sklearn ``covariance_prior_``): (D, D) for full and tied, (D,) for
        diag, a float for spherical.
    nu0 : float
        Degrees of freedom :math:`\nu_0 > D - 1` (sklearn ``degrees_of_freedom_prior_``).
    covariance_type : {"full", "tied", "diag", "spherical"}
    prior_type : {"dirichlet_process", "dirichlet_distribution"}
        The prior on π (sklearn ``weight_concentration_prior_type``).
    """

    alpha0: float
    beta0: float
    m0: np.ndarray
    W0_inverse: np.ndarray
    nu0: float
    covariance_type: str = "full"
    prior_type: str = "dirichlet_process"

    def __post_init__(self) -> None:
        check_covariance_type(self.covariance_type)
        _check_prior_type(self.prior_type)


def default_prior(
    X: np.ndarray,
    n_components: int,
    covariance_type: str = "full",
    prior_type: str = "dirichlet_process",
) -> VBPrior:
    r"""scikit-learn's default prior for data X.

    :math:`\alpha_0 = 1/K`, :math:`\beta_0 = 1`, :math:`m_0 = \bar x` (the data mean),
    :math:`\nu_0 = D`, and :math:`W_0^{-1}` the sample covariance of X (its diagonal for diag,
    the mean of that for spherical) — an empirical-Bayes choice, not the book's.
    """
    X = np.asarray(X, dtype=np.float64)
    check_covariance_type(covariance_type)
    W0_inverse = {
        "full": lambda: np.atleast_2d(np.cov(X.T)),
        "tied": lambda: np.atleast_2d(np.cov(X.T)),
        "diag": lambda: np.var(X, axis=0, ddof=1),
        "spherical": lambda: np.var(X, axis=0, ddof=1).mean(),
    }[covariance_type]()
    return VBPrior(
        alpha0=1.0 / n_components,
        beta0=1.0,
        m0=X.mean(axis=0),
        W0_inverse=W0_inverse,
        nu0=float(X.shape[1]),
        covariance_type=covariance_type,
        prior_type=prior_type,
    )


@dataclass(frozen=True, eq=False)
class VBParams:
    r"""The variational parameters of :math:`q(\pi)\prod_k q(\mu_k,\Lambda_k)` (PRML 10.55–10.59).

    Stored as scikit-learn stores them (see the module docstring for ``covariances``).

    Attributes
    ----------
    alpha : ndarray of shape (K,), or (2, K) for the Dirichlet process
        :math:`\alpha_k` (10.58), or the two Beta parameters of each stick
        (sklearn ``weight_concentration_``).
    beta : ndarray of shape (K,)
        :math:`\beta_k` (10.60, sklearn ``mean_precision_``).
    m : ndarray of shape (K, D)
        :math:`m_k` (10.61, sklearn ``means_``).
    nu : ndarray of shape (K,), or float for tied
        :math:`\nu_k` (10.63, sklearn ``degrees_of_freedom_``).
    covariances : ndarray
        :math:`W_k^{-1}/\nu_k = \mathbb E[\Lambda_k]^{-1}`, shaped by covariance type
        (sklearn ``covariances_``): the "expected covariance" drawn as an ellipsoid.
    covariance_type : {"full", "tied", "diag", "spherical"}
    prior_type : {"dirichlet_process", "dirichlet_distribution"}
    precisions_cholesky : ndarray (derived)
        Cholesky factor :math:`U_k` of :math:`\nu_kW_k = U_kU_k^\top`.
    """

    alpha: np.ndarray
    beta: np.ndarray
    m: np.ndarray
    nu: np.ndarray
    covariances: np.ndarray
    covariance_type: str = "full"
    prior_type: str = "dirichlet_process"
    precisions_cholesky: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        check_covariance_type(self.covariance_type)
        _check_prior_type(self.prior_type)
        for name in ("alpha", "beta", "m", "nu", "covariances"):
            value = np.array(getattr(self, name), dtype=np.float64)
            value.setflags(write=False)
            object.__setattr__(self, name, value)
        chol = precisions_cholesky_from_covariances(self.covariances, self.covariance_type)
        chol.setflags(write=False)
        object.__setattr__(self, "precisions_cholesky", chol)

    @property
    def n_components(self) -> int:
        """K."""
        return self.m.shape[0]

    @property
    def n_features(self) -> int:
        """D."""
        return self.m.shape[1]

    @property
    def precisions(self) -> np.ndarray:
        r""":math:`\mathbb E[\Lambda_k] = \nu_kW_k` (sklearn ``precisions_``)."""
        return precisions_from_cholesky(self.precisions_cholesky, self.covariance_type)

    @property
    def weights(self) -> np.ndarray:
        r""":math:`\mathbb E[\pi_k]` (sklearn ``weights_``), see :func:`weights_from_alpha`."""
        return weights_from_alpha(self.alpha, self.prior_type)

    def __repr__(self) -> str:
        return (
            f"VBParams(n_components={self.n_components}, n_features={self.n_features}, "
            f"covariance_type={self.covariance_type!r}, prior_type={self.prior_type!r})"
        )


def weights_from_alpha(alpha: np.ndarray, prior_type: str = "dirichlet_distribution"):
    r"""The expected mixing weights :math:`\mathbb E[\pi_k]` under :math:`q(\pi)`.

    Dirichlet (PRML B.17): :math:`\mathbb E[\pi_k] = \alpha_k / \sum_j\alpha_j`. Dirichlet
    process: :math:`\mathbb E[v_k]\prod_{j<k}\mathbb E[1-v_j]` with
    :math:`\mathbb E[v_k] = a_k/(a_k+b_k)`, renormalised to sum to 1 over the K kept sticks
    (as scikit-learn does).

    Parameters
    ----------
    alpha : ndarray of shape (K,) or (2, K)
    prior_type : {"dirichlet_process", "dirichlet_distribution"}

    Returns
    -------
    weights : ndarray of shape (K,)
    """
    if _check_prior_type(prior_type) == "dirichlet_process":
        a, b = alpha
        stick = b / (a + b)
        weights = a / (a + b) * np.hstack((1, np.cumprod(stick[:-1])))
        return weights / np.sum(weights)
    return alpha / np.sum(alpha)


# ---------------------------------------------------------------------------
# Statistics of the responsibilities (10.51–10.53)
# ---------------------------------------------------------------------------


def statistics(
    X: np.ndarray, resp: np.ndarray, covariance_type: str = "full", reg_covar: float = 1e-6
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The r-weighted counts, means and scatters (PRML 10.51–10.53).

    .. math::
        N_k = \sum_n r_{nk},\qquad
        \bar x_k = \frac1{N_k}\sum_n r_{nk}x_n,\qquad
        S_k = \frac1{N_k}\sum_n r_{nk}(x_n-\bar x_k)(x_n-\bar x_k)^\top + \epsilon I

    These are EM's M-step quantities (9.24–9.27) with γ replaced by r, so they are computed by
    the same functions of :mod:`gmmlearn.steps` (10 ε added to N_k, centred scatter,
    ε = ``reg_covar``). For "tied", :math:`S = \sum_kN_kS_k/\sum_kN_k`; for "diag" the
    diagonal of :math:`S_k`; for "spherical" its mean.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    resp : ndarray of shape (n_samples, n_components)
        :math:`r_{nk}`.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    reg_covar : float, default=1e-6

    Returns
    -------
    nk : ndarray of shape (K,)
    xbar : ndarray of shape (K, D)
    S : ndarray of shape (K, D, D), (D, D), (K, D) or (K,)
    """
    X = np.asarray(X, dtype=np.float64)
    nk = effective_counts(resp)
    xbar = component_means(X, resp, nk)
    S = component_covariances(X, resp, nk, xbar, covariance_type, reg_covar)
    return nk, xbar, S


# ---------------------------------------------------------------------------
# The "M-step": q(π) and q(μ, Λ) given r (10.58–10.63)
# ---------------------------------------------------------------------------


def update_alpha(
    nk: np.ndarray, alpha0: float, prior_type: str = "dirichlet_distribution"
) -> np.ndarray:
    r"""The parameters of :math:`q(\pi)` (PRML 10.58).

    .. math:: \alpha_k = \alpha_0 + N_k

    Dirichlet process (stick breaking, Blei & Jordan 2006): each stick
    :math:`v_k\sim\mathrm{Beta}(a_k, b_k)` with

    .. math:: a_k = 1 + N_k,\qquad b_k = \alpha_0 + \sum_{j>k}N_j

    What it means: a component's prior pseudo-count plus the points it owns now.

    Parameters
    ----------
    nk : ndarray of shape (K,)
    alpha0 : float
    prior_type : {"dirichlet_process", "dirichlet_distribution"}

    Returns
    -------
    alpha : ndarray of shape (K,), or (2, K) holding (a, b) for the Dirichlet process
    """
    if _check_prior_type(prior_type) == "dirichlet_process":
        tail = np.hstack((np.cumsum(nk[::-1])[-2::-1], 0))  # Σ_{j>k} N_j
        return np.stack((1.0 + nk, alpha0 + tail))
    return alpha0 + nk


def update_beta(nk: np.ndarray, beta0: float) -> np.ndarray:
    r"""The precision scale of :math:`q(\mu_k\mid\Lambda_k)` (PRML 10.60).

    .. math:: \beta_k = \beta_0 + N_k

    Parameters
    ----------
    nk : ndarray of shape (K,)
    beta0 : float

    Returns
    -------
    beta : ndarray of shape (K,)
    """
    return beta0 + nk


def update_m(
    nk: np.ndarray, xbar: np.ndarray, beta0: float, m0: np.ndarray, beta: np.ndarray
) -> np.ndarray:
    r"""The mean of :math:`q(\mu_k\mid\Lambda_k)` (PRML 10.61).

    .. math:: m_k = \frac{1}{\beta_k}\left(\beta_0 m_0 + N_k\bar x_k\right)

    What it means: the data mean of component k, pulled towards :math:`m_0` with the weight
    of :math:`\beta_0` pseudo-points.

    Parameters
    ----------
    nk : ndarray of shape (K,)
    xbar : ndarray of shape (K, D)
    beta0 : float
    m0 : ndarray of shape (D,)
    beta : ndarray of shape (K,)
        :math:`\beta_k` from :func:`update_beta`.

    Returns
    -------
    m : ndarray of shape (K, D)
    """
    return (beta0 * m0 + nk[:, np.newaxis] * xbar) / beta[:, np.newaxis]


def update_nu(nk: np.ndarray, nu0: float, covariance_type: str = "full"):
    r"""The degrees of freedom of :math:`q(\Lambda_k)` (PRML 10.63, corrected).

    .. math:: \nu_k = \nu_0 + N_k

    Some printings of the book have :math:`\nu_0 + N_k + 1`: a typo. For "tied" one Wishart is
    shared and scikit-learn uses the average count, :math:`\nu = \nu_0 + N/K`.

    Parameters
    ----------
    nk : ndarray of shape (K,)
    nu0 : float
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"

    Returns
    -------
    nu : ndarray of shape (K,), or float for tied
    """
    if check_covariance_type(covariance_type) == "tied":
        return nu0 + nk.sum() / len(nk)
    return nu0 + nk


def update_W_inverse(  # noqa: N802 (named after the book's W)
    nk: np.ndarray,
    xbar: np.ndarray,
    S: np.ndarray,
    beta0: float,
    m0: np.ndarray,
    beta: np.ndarray,
    W0_inverse: np.ndarray,
    covariance_type: str = "full",
) -> np.ndarray:
    r"""The scale matrix of :math:`q(\Lambda_k)`, inverted (PRML 10.62).

    .. math::
        W_k^{-1} = W_0^{-1} + N_kS_k + \frac{\beta_0N_k}{\beta_0+N_k}
                   (\bar x_k - m_0)(\bar x_k - m_0)^\top

    What it means: the prior scatter, plus the data's scatter about :math:`\bar x_k`, plus the
    scatter of :math:`\bar x_k` itself about the prior mean. (:math:`\beta_0+N_k = \beta_k`.)

    "tied": :math:`W^{-1} = W_0^{-1} + \frac NK S + \frac{\beta_0}K\sum_k\frac{N_k}{\beta_k}
    (\bar x_k-m_0)(\bar x_k-m_0)^\top`; "diag" and "spherical": the same on the diagonal
    (spherical: the mean of the squared differences over the D coordinates).

    Parameters
    ----------
    nk : ndarray of shape (K,)
    xbar : ndarray of shape (K, D)
    S : ndarray
        From :func:`statistics`, shaped by covariance type.
    beta0 : float
    m0 : ndarray of shape (D,)
    beta : ndarray of shape (K,)
    W0_inverse : ndarray or float
        (D, D) for full and tied, (D,) for diag, a float for spherical.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"

    Returns
    -------
    W_inverse : ndarray, shaped like S
    """
    diff = xbar - m0
    shrink = beta0 * nk / beta  # β₀N_k / (β₀ + N_k)
    kind = check_covariance_type(covariance_type)
    if kind == "full":
        outer = diff[:, :, np.newaxis] * diff[:, np.newaxis, :]
        return (
            W0_inverse
            + nk[:, np.newaxis, np.newaxis] * S
            + shrink[:, np.newaxis, np.newaxis] * outer
        )
    n_components = len(nk)
    if kind == "tied":
        return W0_inverse + S * nk.sum() / n_components + (shrink * diff.T) @ diff / n_components
    if kind == "diag":
        return W0_inverse + nk[:, np.newaxis] * S + shrink[:, np.newaxis] * diff**2
    return W0_inverse + nk * S + shrink * np.mean(diff**2, axis=1)


def vb_m_step(X: np.ndarray, resp: np.ndarray, prior: VBPrior, reg_covar: float = 1e-6) -> VBParams:
    r"""The variational "M-step": :math:`q(\pi)` and :math:`q(\mu,\Lambda)` given r.

    Chains :func:`statistics` (10.51–10.53) and the updates 10.58–10.63, and stores W as
    scikit-learn does (``covariances`` = :math:`W_k^{-1}/\nu_k`).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    resp : ndarray of shape (n_samples, n_components)
    prior : VBPrior
    reg_covar : float, default=1e-6

    Returns
    -------
    params : VBParams
    """
    nk, xbar, S = statistics(X, resp, prior.covariance_type, reg_covar)
    return params_from_statistics(nk, xbar, S, prior)


def params_from_statistics(
    nk: np.ndarray, xbar: np.ndarray, S: np.ndarray, prior: VBPrior
) -> VBParams:
    """10.58–10.63 from the statistics of 10.51–10.53 (shared by the fused engine)."""
    kind = prior.covariance_type
    alpha = update_alpha(nk, prior.alpha0, prior.prior_type)
    beta = update_beta(nk, prior.beta0)
    m = update_m(nk, xbar, prior.beta0, prior.m0, beta)
    nu = update_nu(nk, prior.nu0, kind)
    W_inverse = update_W_inverse(nk, xbar, S, prior.beta0, prior.m0, beta, prior.W0_inverse, kind)
    nu_b = nu if kind == "tied" else nu.reshape((-1,) + (1,) * (W_inverse.ndim - 1))
    covariances = W_inverse / nu_b
    # a prior or data near float64's limits (a mean prior of 1e300): say so, not "pass finite"
    check_update_finite(alpha, m, covariances, step="the VB update")
    return VBParams(alpha, beta, m, nu, covariances, kind, prior.prior_type)


# ---------------------------------------------------------------------------
# The "E-step": expectations under q and the responsibilities (10.64–10.66, 10.46, 10.49)
# ---------------------------------------------------------------------------


def expected_log_pi(alpha: np.ndarray, prior_type: str = "dirichlet_distribution"):
    r""":math:`\mathbb E[\ln\pi_k]` under :math:`q(\pi)` (PRML 10.66).

    .. math:: \mathbb E[\ln\pi_k] = \psi(\alpha_k) - \psi(\hat\alpha),\qquad
              \hat\alpha = \sum_k\alpha_k

    Dirichlet process: :math:`\mathbb E[\ln v_k] + \sum_{j<k}\mathbb E[\ln(1-v_j)]` with
    :math:`\mathbb E[\ln v_k] = \psi(a_k)-\psi(a_k+b_k)` and
    :math:`\mathbb E[\ln(1-v_k)] = \psi(b_k)-\psi(a_k+b_k)`. ψ is the digamma function.

    Parameters
    ----------
    alpha : ndarray of shape (K,) or (2, K)
    prior_type : {"dirichlet_process", "dirichlet_distribution"}

    Returns
    -------
    expected_log_pi : ndarray of shape (K,)
    """
    if _check_prior_type(prior_type) == "dirichlet_process":
        a, b = alpha
        digamma_sum = digamma(a + b)
        log_v = digamma(a) - digamma_sum
        log_one_minus_v = digamma(b) - digamma_sum
        return log_v + np.hstack((0, np.cumsum(log_one_minus_v)[:-1]))
    return digamma(alpha) - digamma(np.sum(alpha))


def _log_det_W(params: VBParams) -> np.ndarray:
    r""":math:`\ln|W_k|` from the Cholesky factor of :math:`\nu_kW_k`: :math:`2\sum\ln U_{ii} -
    D\ln\nu_k` (for diag and spherical, W is the diagonal, or σ⁻² times I)."""
    d = params.n_features
    return 2.0 * _log_det_cholesky(params.precisions_cholesky, params.covariance_type, d) - (
        d * np.log(params.nu)
    )


def expected_log_det_lambda(params: VBParams) -> np.ndarray:
    r""":math:`\mathbb E[\ln|\Lambda_k|]` under the Wishart :math:`q(\Lambda_k)` (PRML 10.65).

    .. math::
        \mathbb E[\ln|\Lambda_k|] = \sum_{i=1}^{D}\psi\!\left(\frac{\nu_k+1-i}{2}\right)
            + D\ln 2 + \ln|W_k|

    (scikit-learn uses the same D-term sum for "diag" and "spherical".)

    Parameters
    ----------
    params : VBParams

    Returns
    -------
    expected_log_det : ndarray of shape (K,), or float for tied
    """
    d = params.n_features
    i = np.arange(d).reshape((d,) + (1,) * np.ndim(params.nu))
    return np.sum(digamma(0.5 * (params.nu - i)), axis=0) + d * math.log(2.0) + _log_det_W(params)


def expected_mahalanobis(X: np.ndarray, params: VBParams) -> np.ndarray:
    r""":math:`\mathbb E_{\mu_k,\Lambda_k}[(x_n-\mu_k)^\top\Lambda_k(x_n-\mu_k)]` (PRML 10.64).

    .. math:: D\beta_k^{-1} + \nu_k(x_n-m_k)^\top W_k(x_n-m_k)

    With :math:`\nu_kW_k = U_kU_k^\top` the second term is :math:`\lVert U_k^\top(x_n-m_k)\rVert^2`
    (centred first, then whitened: no inverse, no cancellation far from the origin).

    What it means: the squared distance of :math:`x_n` to component k, plus :math:`D/\beta_k`
    for not knowing :math:`\mu_k` exactly.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    params : VBParams

    Returns
    -------
    expected : ndarray of shape (n_samples, n_components)
    """
    X = np.asarray(X, dtype=np.float64)
    chol, kind = params.precisions_cholesky, params.covariance_type
    out = np.empty((X.shape[0], params.n_components))
    for k, m_k in enumerate(params.m):
        diff = X - m_k
        if kind == "full":
            y = diff @ chol[k]
        elif kind == "tied":
            y = diff @ chol
        else:
            y = diff * chol[k]
        out[:, k] = np.einsum("nd,nd->n", y, y)
    return params.n_features / params.beta + out


def log_rho(X: np.ndarray, params: VBParams) -> np.ndarray:
    r""":math:`\ln\rho_{nk}`, the unnormalised log-responsibility (PRML 10.46).

    .. math::
        \ln\rho_{nk} = \mathbb E[\ln\pi_k] + \tfrac12\mathbb E[\ln|\Lambda_k|]
            - \tfrac D2\ln 2\pi
            - \tfrac12\mathbb E_{\mu_k,\Lambda_k}[(x_n-\mu_k)^\top\Lambda_k(x_n-\mu_k)]

    What it means: EM's :math:`\ln\pi_k + \ln\mathcal N(x_n\mid\mu_k,\Lambda_k^{-1})` with every
    parameter replaced by an expectation under q. (scikit-learn's
    ``_estimate_weighted_log_prob``.)

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    params : VBParams

    Returns
    -------
    log_rho : ndarray of shape (n_samples, n_components)
    """
    return (
        expected_log_pi(params.alpha, params.prior_type)
        + 0.5 * expected_log_det_lambda(params)
        - 0.5 * params.n_features * _LOG_2PI
        - 0.5 * expected_mahalanobis(X, params)
    )


def log_r(log_rho_nk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r""":math:`\ln r_{nk}` by log-sum-exp (PRML 10.49), and each row's :math:`\ln\sum_j\rho_{nj}`.

    .. math:: r_{nk} = \frac{\rho_{nk}}{\sum_{j=1}^K\rho_{nj}}

    Parameters
    ----------
    log_rho_nk : ndarray of shape (n_samples, n_components)

    Returns
    -------
    log_resp : ndarray of shape (n_samples, n_components)
    log_norm : ndarray of shape (n_samples,)
        :math:`\ln\sum_j\rho_{nj}` (what scikit-learn's ``score_samples`` returns).
    """
    return _normalize_log(np.array(log_rho_nk, dtype=np.float64))


def vb_e_step(X: np.ndarray, params: VBParams) -> tuple[np.ndarray, np.ndarray]:
    r"""The variational "E-step": :math:`r_{nk}` under the current q (10.46, 10.49).

    Returns
    -------
    resp : ndarray of shape (n_samples, n_components)
    log_resp : ndarray of shape (n_samples, n_components)
    """
    log_resp, _ = log_r(log_rho(X, params))
    return np.exp(log_resp), log_resp


# ---------------------------------------------------------------------------
# The lower bound (10.70–10.77)
# ---------------------------------------------------------------------------


def _log_wishart_norm(nu, log_det_W, n_features: int):
    r""":math:`\ln B(W,\nu)` (PRML B.79) without its :math:`-\frac{D(D-1)}4\ln\pi`."""
    i = np.arange(n_features).reshape((n_features,) + (1,) * np.ndim(nu))
    return -(
        0.5 * nu * log_det_W
        + 0.5 * nu * n_features * math.log(2.0)
        + np.sum(gammaln(0.5 * (nu - i)), axis=0)
    )


def lower_bound(log_resp: np.ndarray, params: VBParams) -> float:
    r"""The variational lower bound :math:`\mathcal L(q)` as scikit-learn computes it.

    Bishop's 10.70 sums seven expectations (10.71–10.77). When :math:`q(\pi,\mu,\Lambda)` is
    the optimum for the current :math:`r_{nk}` — right after :func:`vb_m_step` — the terms
    that involve the data cancel against each other, and what is left is the entropy of
    :math:`q(Z)` plus the log-normalisers of the posteriors:

    .. math::
        \mathcal L = -\sum_{n,k} r_{nk}\ln r_{nk}
            - \sum_k \ln B(W_k,\nu_k) - \ln C(\alpha) - \frac D2\sum_k\ln\beta_k
            + \text{const}

    with :math:`\ln B` the Wishart (B.79) and :math:`\ln C` the Dirichlet (B.23)
    log-normaliser; for the Dirichlet process :math:`-\ln C(\alpha)` becomes
    :math:`+\sum_k\ln\mathrm B(a_k,b_k)` (Beta functions). "tied" counts its one Wishart K
    times. **Dropped** (they depend only on N, D, K and the prior, so they never change during
    a run): the prior's normalisers :math:`\ln C(\alpha_0)`, :math:`\ln B(W_0,\nu_0)`,
    :math:`\frac{D}2 K\ln\beta_0`, the :math:`-\frac{ND}2\ln 2\pi` of the likelihood, and the
    :math:`\frac{D(D-1)}4\ln\pi` inside every :math:`\ln B(W_k,\nu_k)`.

    Parameters
    ----------
    log_resp : ndarray of shape (n_samples, n_components)
        :math:`\ln r_{nk}` used to make ``params`` (−inf allowed where r is 0).
    params : VBParams
        :math:`q(\pi,\mu,\Lambda)` made from those r by :func:`vb_m_step`.

    Returns
    -------
    lower_bound : float
        The total over all points (not divided by N), as scikit-learn's ``lower_bound_``.
    """
    log_resp = np.asarray(log_resp, dtype=np.float64)
    # r ln r → 0 as r → 0: a one-hot start (ln r = −inf off the hot entries) has entropy 0
    terms = np.exp(log_resp) * np.where(np.isneginf(log_resp), 0.0, log_resp)
    return _bound_from_entropy(-float(np.sum(terms)), params)


def _bound_from_entropy(entropy: float, params: VBParams) -> float:
    """The lower bound given −Σ r ln r (shared by the fused engine)."""
    d = params.n_features
    log_wishart = _log_wishart_norm(params.nu, _log_det_W(params), d)
    if params.covariance_type == "tied":
        log_wishart = params.n_components * float(log_wishart)
    else:
        log_wishart = float(np.sum(log_wishart))
    if params.prior_type == "dirichlet_process":
        log_norm_weight = -float(np.sum(betaln(params.alpha[0], params.alpha[1])))
    else:
        alpha = params.alpha
        log_norm_weight = float(gammaln(np.sum(alpha)) - np.sum(gammaln(alpha)))
    return float(entropy - log_wishart - log_norm_weight - 0.5 * d * np.sum(np.log(params.beta)))


# ---------------------------------------------------------------------------
# The book's bound with every constant (10.70–10.77)
# ---------------------------------------------------------------------------


def _check_book_model(params: VBParams, what: str) -> None:
    if params.covariance_type != "full" or params.prior_type != "dirichlet_distribution":
        raise ValueError(
            f"{what} is written for the book's model only: use covariance_type='full' and "
            "weight_concentration_prior_type='dirichlet_distribution' (got "
            f"{params.covariance_type!r}, {params.prior_type!r})"
        )


def _log_wishart_B(nu, log_det_W, n_features: int):  # noqa: N802 (the book's B)
    r""":math:`\ln B(W,\nu)` (PRML B.79), with its :math:`-\frac{D(D-1)}4\ln\pi`."""
    return _log_wishart_norm(nu, log_det_W, n_features) - 0.25 * n_features * (
        n_features - 1
    ) * math.log(math.pi)


def _log_dirichlet_C(alpha: np.ndarray) -> float:  # noqa: N802 (the book's C)
    r""":math:`\ln C(\alpha) = \ln\Gamma(\hat\alpha) - \sum_k\ln\Gamma(\alpha_k)` (PRML B.23)."""
    return float(gammaln(np.sum(alpha)) - np.sum(gammaln(alpha)))


def lower_bound_terms(
    X: np.ndarray, resp: np.ndarray, params: VBParams, prior: VBPrior, reg_covar: float = 0.0
) -> dict[str, float]:
    r"""The seven expectations of the bound (PRML 10.71–10.77), with every constant.

    .. math::
        \mathcal L = \mathbb E[\ln p(X\mid Z,\mu,\Lambda)] + \mathbb E[\ln p(Z\mid\pi)]
            + \mathbb E[\ln p(\pi)] + \mathbb E[\ln p(\mu,\Lambda)]
            - \mathbb E[\ln q(Z)] - \mathbb E[\ln q(\pi)] - \mathbb E[\ln q(\mu,\Lambda)]
            \quad (10.70)

    Unlike :func:`lower_bound` (scikit-learn's, at the optimal q, constants dropped), this is
    :math:`\mathcal L(q)` for any r and any q, and :math:`\mathcal L \le \ln p(X)`: the number
    to compare across K (PRML §10.2.4). The Wishart entropy in 10.77 is B.82.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    resp : ndarray of shape (n_samples, n_components)
        :math:`r_{nk}`, i.e. :math:`q(Z)`.
    params : VBParams
        :math:`q(\pi)\prod_k q(\mu_k,\Lambda_k)`; full covariances, the book's Dirichlet.
    prior : VBPrior
        :math:`(\alpha_0, \beta_0, m_0, W_0^{-1}, \nu_0)`.
    reg_covar : float, default=0.0
        Added to :math:`S_k` (10.53) as in :func:`vb_m_step`; 0 is the book's bound.

    Returns
    -------
    terms : dict of str to float
        Keys ``"10.71"`` … ``"10.77"``, each the expectation as printed in the book (the last
        three are subtracted in 10.70).
    """
    _check_book_model(params, "lower_bound_terms")
    X = np.asarray(X, dtype=np.float64)
    resp = np.asarray(resp, dtype=np.float64)
    d, k = params.n_features, params.n_components
    nk, xbar, S = statistics(X, resp, "full", reg_covar)
    W = params.precisions / params.nu[:, None, None]  # W_k = E[Λ_k]/ν_k
    log_pi = expected_log_pi(params.alpha)  # ln π̃_k (10.66)
    log_lam = expected_log_det_lambda(params)  # ln Λ̃_k (10.65)
    beta, nu, m = params.beta, params.nu, params.m

    def quad(v):  # v_kᵀ W_k v_k for v of shape (K, D)
        return np.einsum("ki,kij,kj->k", v, W, v)

    trace_SW = np.einsum("kij,kji->k", S, W)
    trace_W0W = np.einsum("ij,kji->k", np.atleast_2d(prior.W0_inverse), W)
    log_B = _log_wishart_B(nu, _log_det_W(params), d)
    log_B0 = _log_wishart_B(prior.nu0, float(np.linalg.slogdet(prior.W0_inverse)[1]) * -1.0, d)
    entropy_lam = -log_B - 0.5 * (nu - d - 1) * log_lam + 0.5 * nu * d  # H[q(Λ_k)] (B.82)
    with np.errstate(divide="ignore", invalid="ignore"):
        r_log_r = np.where(resp > 0, resp * np.log(resp), 0.0)
    return {
        "10.71": 0.5
        * float(
            np.sum(nk * (log_lam - d / beta - nu * trace_SW - nu * quad(xbar - m) - d * _LOG_2PI))
        ),
        "10.72": float(np.sum(nk * log_pi)),
        "10.73": _log_dirichlet_C(np.full(k, prior.alpha0)) + (prior.alpha0 - 1) * np.sum(log_pi),
        "10.74": 0.5
        * float(
            np.sum(
                d * math.log(prior.beta0 / (2 * math.pi))
                + log_lam
                - d * prior.beta0 / beta
                - prior.beta0 * nu * quad(m - prior.m0)
            )
        )
        + k * float(log_B0)
        + 0.5 * (prior.nu0 - d - 1) * float(np.sum(log_lam))
        - 0.5 * float(np.sum(nu * trace_W0W)),
        "10.75": float(np.sum(r_log_r)),
        "10.76": float(np.sum((params.alpha - 1) * log_pi)) + _log_dirichlet_C(params.alpha),
        "10.77": float(
            np.sum(0.5 * log_lam + 0.5 * d * np.log(beta / (2 * math.pi)) - 0.5 * d - entropy_lam)
        ),
    }


def full_lower_bound(
    X: np.ndarray, resp: np.ndarray, params: VBParams, prior: VBPrior, reg_covar: float = 0.0
) -> float:
    r"""The book's bound :math:`\mathcal L(q)` (PRML 10.70), constants included.

    The sum of :func:`lower_bound_terms`, the last three subtracted. At the q that
    :func:`vb_m_step` makes from r it differs from scikit-learn's :func:`lower_bound` by a
    constant that depends on N, D, K and the prior — the reason scikit-learn's number cannot
    compare two K, and this one can (with ln K! added, PRML §10.2.4).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    resp : ndarray of shape (n_samples, n_components)
    params : VBParams
    prior : VBPrior
    reg_covar : float, default=0.0

    Returns
    -------
    bound : float
        :math:`\mathcal L(q) \le \ln p(X)`.
    """
    t = lower_bound_terms(X, resp, params, prior, reg_covar)
    positive = t["10.71"] + t["10.72"] + t["10.73"] + t["10.74"]
    return float(positive - t["10.75"] - t["10.76"] - t["10.77"])


# ---------------------------------------------------------------------------
# The predictive density: a mixture of Student-t's (10.78–10.82)
# ---------------------------------------------------------------------------


def predictive_log_density(X: np.ndarray, params: VBParams) -> np.ndarray:
    r""":math:`\ln p(\hat x\mid X)`, the predictive density under q (PRML 10.81–10.82).

    .. math::
        p(\hat x\mid X) \simeq \frac1{\hat\alpha}\sum_k\alpha_k\,
            \mathrm{St}(\hat x\mid m_k, L_k, \nu_k+1-D),\qquad
        L_k = \frac{(\nu_k+1-D)\beta_k}{1+\beta_k}W_k

    with St the Student-t of B.68. It is the average of the mixture density
    :math:`\sum_k\pi_k\mathcal N(\hat x\mid\mu_k,\Lambda_k^{-1})` over
    :math:`q(\pi)\prod_kq(\mu_k,\Lambda_k)`: heavier-tailed than the plug-in density at
    :math:`\mathbb E[\pi_k], m_k, \mathbb E[\Lambda_k]`, the more so the fewer points a
    component owns. :math:`\alpha_k/\hat\alpha` is :attr:`VBParams.weights`
    (for the Dirichlet process, scikit-learn's renormalised stick weights).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The new points :math:`\hat x`.
    params : VBParams
        Full or tied covariances (q(Λ) a Wishart).

    Returns
    -------
    log_density : ndarray of shape (n_samples,)
    """
    if params.covariance_type not in ("full", "tied"):
        raise ValueError(
            "predictive_log_density needs a Wishart q(Λ): use covariance_type='full' or 'tied' "
            f"(got {params.covariance_type!r})"
        )
    X = np.asarray(X, dtype=np.float64)
    d = params.n_features
    dof = params.nu + 1.0 - d  # ν_k + 1 − D
    scale = dof * params.beta / (1.0 + params.beta)  # L_k = scale_k W_k
    # (x−m)ᵀ W_k (x−m) = ‖Uᵀ(x−m)‖²/ν_k, from expected_mahalanobis without its D/β_k
    sq = (expected_mahalanobis(X, params) - d / params.beta) / params.nu
    log_det_L = d * np.log(scale) + _log_det_W(params)
    log_t = (
        gammaln(0.5 * (dof + d))
        - gammaln(0.5 * dof)
        + 0.5 * log_det_L
        - 0.5 * d * np.log(math.pi * dof)
        - 0.5 * (dof + d) * np.log1p(scale * sq / dof)
    )
    with np.errstate(divide="ignore"):
        log_weights = np.log(params.weights)
    return _normalize_log(log_t + log_weights)[1]


# ---------------------------------------------------------------------------
# What prunes: the same iteration with the weight term or the Occam terms swapped
# ---------------------------------------------------------------------------

WEIGHT_TERMS: tuple[str, ...] = ("expected_log_pi", "log_expected_pi", "log_nk_over_n")


def pruning_counts(
    X: np.ndarray,
    resp: np.ndarray,
    prior: VBPrior,
    weight_term: str = "expected_log_pi",
    occam: bool = True,
    n_iter: int = 200,
    reg_covar: float = 1e-6,
) -> np.ndarray:
    r""":math:`N_k` along a VB run whose E-step (10.46) has one term swapped.

    ``weight_term`` replaces :math:`\mathbb E[\ln\pi_k]` (10.66, ``"expected_log_pi"``) by
    :math:`\ln\mathbb E[\pi_k] = \ln(\alpha_k/\hat\alpha)` (``"log_expected_pi"``) or by the
    point estimate :math:`\ln(N_k/N)` of 10.83 (``"log_nk_over_n"``). ``occam=False`` also
    replaces the two Occam terms by their plug-in values: :math:`\mathbb E[\ln|\Lambda_k|]`
    (10.65) by :math:`\ln|\mathbb E[\Lambda_k]| = \ln|\nu_kW_k|` and :math:`D/\beta_k` (10.64)
    by 0 — the E-step of EM at the parameters :math:`m_k, \mathbb E[\Lambda_k]`.
    The M-step is always :func:`vb_m_step`; only the book's Dirichlet model.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    resp : ndarray of shape (n_samples, n_components)
        The starting :math:`r_{nk}`.
    prior : VBPrior
    weight_term : {"expected_log_pi", "log_expected_pi", "log_nk_over_n"}
    occam : bool, default=True
    n_iter : int, default=200
    reg_covar : float, default=1e-6

    Returns
    -------
    nk : ndarray of shape (n_iter + 1, n_components)
        Row t is :math:`N_k` after t E-steps (row 0: the start).
    """
    if weight_term not in WEIGHT_TERMS:
        raise ValueError(
            f"unknown weight_term {weight_term!r}: use one of " + ", ".join(map(repr, WEIGHT_TERMS))
        )
    X = np.asarray(X, dtype=np.float64)
    history = []
    for _ in range(n_iter + 1):
        q = vb_m_step(X, resp, prior, reg_covar)
        _check_book_model(q, "pruning_counts")
        nk = q.alpha - prior.alpha0
        history.append(nk)
        log_weight = expected_log_pi(q.alpha)
        with np.errstate(divide="ignore"):  # an emptied component: ln 0 = −inf, r = 0
            swapped = {
                "expected_log_pi": log_weight,
                "log_expected_pi": np.log(q.weights),
                "log_nk_over_n": np.log(np.maximum(nk, 0.0) / X.shape[0]),
            }[weight_term]
        log_rho_nk = log_rho(X, q) - log_weight + swapped
        if not occam:
            plug_in = q.n_features * np.log(q.nu) + _log_det_W(q)  # ln|E[Λ_k]|
            log_rho_nk += 0.5 * (plug_in - expected_log_det_lambda(q)) + 0.5 * q.n_features / q.beta
        resp = np.exp(log_r(log_rho_nk)[0])
    return np.array(history)
