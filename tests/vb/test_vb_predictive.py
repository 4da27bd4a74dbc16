"""The book's full bound (10.70–10.77), the predictive density (10.81) and the pruning runs.

* the full bound equals the exact evidence ln p(X) for K = 1 (q is then the exact posterior);
* at the optimal q it differs from scikit-learn's bound by the constants scikit-learn drops;
* it stays below the evidence for K = 2 (by enumerating Z) and the M-step maximises it over q;
* the predictive density against a Monte-Carlo average of the mixture density over q;
* ``pruning_counts`` is VB itself when nothing is swapped.
"""

import itertools
import math
import warnings

import numpy as np
import pytest
from scipy.special import logsumexp, multigammaln
from scipy.stats import multivariate_normal, wishart

from gmmlearn import BayesianGaussianMixture, vb
from gmmlearn.initialization import initial_responsibilities
from gmmlearn.vb import _log_dirichlet_C, _log_wishart_B


def _data(n=60, d=2, seed=0):
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(size=(n // 2, d)), rng.normal(size=(n - n // 2, d)) + 3.0])


def _book_prior(X, k, alpha0=0.5):
    p = vb.default_prior(X, k, prior_type="dirichlet_distribution")
    return vb.VBPrior(alpha0, 0.7, p.m0, p.W0_inverse, p.nu0 + 0.5, prior_type=p.prior_type)


def _log_evidence_one_gaussian(X, prior):
    """ln p(X) of one Gaussian under the Gaussian–Wishart prior, in closed form."""
    n, d = X.shape
    q = vb.vb_m_step(X, np.ones((n, 1)), prior, reg_covar=0.0)
    W_n_inverse = q.covariances[0] * q.nu[0]
    return (
        -0.5 * n * d * math.log(math.pi)
        + multigammaln(0.5 * q.nu[0], d)
        - multigammaln(0.5 * prior.nu0, d)
        + 0.5 * prior.nu0 * np.linalg.slogdet(prior.W0_inverse)[1]
        - 0.5 * q.nu[0] * np.linalg.slogdet(W_n_inverse)[1]
        + 0.5 * d * math.log(prior.beta0 / q.beta[0])
    )


@pytest.mark.parametrize("d", [1, 2, 3])
def test_full_bound_is_the_evidence_for_one_component(d):
    X = _data(d=d)
    prior = _book_prior(X, 1)
    resp = np.ones((len(X), 1))
    q = vb.vb_m_step(X, resp, prior, reg_covar=0.0)
    assert vb.full_lower_bound(X, resp, q, prior) == pytest.approx(
        _log_evidence_one_gaussian(X, prior), rel=1e-12
    )


def _dropped(X, prior, k):
    """What scikit-learn's bound leaves out (gmmlearn.vb.lower_bound's docstring), in full."""
    n, d = X.shape
    log_det_W0 = -np.linalg.slogdet(np.atleast_2d(prior.W0_inverse))[1]
    return (
        _log_dirichlet_C(np.full(k, prior.alpha0))
        + k * _log_wishart_B(prior.nu0, log_det_W0, d)
        + 0.5 * d * k * math.log(prior.beta0)
        - 0.5 * n * d * math.log(2 * math.pi)
        + 0.25 * k * d * (d - 1) * math.log(math.pi)
    )


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("k", [2, 4])
def test_full_bound_minus_sklearns_is_the_dropped_constants(d, k):
    X = _data(d=d)
    prior = _book_prior(X, k)
    rng = np.random.default_rng(1)
    for _ in range(3):
        resp = rng.dirichlet(np.ones(k), size=len(X))
        q = vb.vb_m_step(X, resp, prior, reg_covar=0.0)
        full = vb.full_lower_bound(X, resp, q, prior)
        assert full - vb.lower_bound(np.log(resp), q) == pytest.approx(
            _dropped(X, prior, k), rel=1e-10
        )


def _log_evidence_by_enumeration(X, prior, k):
    """ln p(X) of a K-mixture: every assignment Z, Dirichlet-multinomial p(Z) times the groups'."""
    n = len(X)
    log_terms = []
    for z in itertools.product(range(k), repeat=n):
        z = np.array(z)
        counts = np.bincount(z, minlength=k)
        log_pz = _log_dirichlet_C(np.full(k, prior.alpha0)) - _log_dirichlet_C(
            prior.alpha0 + counts
        )
        log_px = sum(_log_evidence_one_gaussian(X[z == j], prior) for j in range(k) if counts[j])
        log_terms.append(log_pz + log_px)
    return float(logsumexp(log_terms))


def test_full_bound_is_below_the_evidence_and_maximised_by_the_m_step():
    X = _data(n=8)
    prior = _book_prior(X, 2)
    evidence = _log_evidence_by_enumeration(X, prior, 2)
    rng = np.random.default_rng(2)
    resp = rng.dirichlet(np.ones(2), size=len(X))
    for _ in range(30):
        q = vb.vb_m_step(X, resp, prior, reg_covar=0.0)
        bound = vb.full_lower_bound(X, resp, q, prior)
        assert bound <= evidence
        resp, _ = vb.vb_e_step(X, q)
    # not a loose bound: q sits on one of the K! = 2 label-swapped modes (≈ ln 2) plus its own gap
    assert math.log(2) < evidence - bound < 3.0
    worse = vb.VBParams(
        q.alpha * 1.1, q.beta, q.m + 0.05, q.nu, q.covariances, "full", q.prior_type
    )
    assert vb.full_lower_bound(X, resp, worse, prior) < vb.full_lower_bound(X, resp, q, prior)
    terms = vb.lower_bound_terms(X, resp, q, prior)
    assert sorted(terms) == [f"10.{i}" for i in range(71, 78)]


def test_full_bound_refuses_other_models():
    X = _data()
    p = vb.default_prior(X, 2)  # the Dirichlet process
    resp = np.full((len(X), 2), 0.5)
    q = vb.vb_m_step(X, resp, p)
    with pytest.raises(ValueError, match="book's model only.*dirichlet_distribution"):
        vb.full_lower_bound(X, resp, q, p)


def _monte_carlo_density(points, q, n_draws, rng):
    """Average of Σ_k π_k N(x | μ_k, Λ_k⁻¹) over draws of π, μ, Λ from q (10.80)."""
    W = q.precisions / q.nu[:, None, None]
    total = np.zeros(len(points))
    pis = rng.dirichlet(q.alpha, size=n_draws)
    for k in range(q.n_components):
        lams = wishart.rvs(df=q.nu[k], scale=W[k], size=n_draws, random_state=rng)
        for s in range(n_draws):
            cov = np.linalg.inv(lams[s])
            mu = rng.multivariate_normal(q.m[k], cov / q.beta[k])
            total += pis[s, k] * multivariate_normal.pdf(points, mu, cov)
    return total / n_draws


def test_predictive_density_is_the_average_of_the_mixture_over_q():
    X = _data(n=40)
    prior = _book_prior(X, 3)
    resp = initial_responsibilities(X, 3, "kmeans", np.random.RandomState(0))
    resp[:, 2] *= 0.05  # one component with few points: broad, heavy-tailed t
    resp /= resp.sum(axis=1, keepdims=True)
    q = vb.vb_m_step(X, resp, prior)
    points = np.array([[0.0, 0.0], [1.5, 1.5], [3.0, 2.5]])
    exact = np.exp(vb.predictive_log_density(points, q))
    rng = np.random.default_rng(3)
    draws = np.array([_monte_carlo_density(points, q, 500, rng) for _ in range(4)])
    estimate = draws.mean(axis=0)
    stderr = draws.std(axis=0, ddof=1) / 2.0
    assert np.all(np.abs(estimate - exact) < 4 * stderr + 1e-3 * exact)


def test_predictive_density_shapes_tails_and_estimator():
    X = _data()
    bgm = BayesianGaussianMixture(
        n_components=3, weight_concentration_prior_type="dirichlet_distribution", random_state=0
    ).fit(X)
    grid = np.random.default_rng(4).normal(size=(7, 2)) * 3
    log_p = bgm.predictive_log_density(grid)
    assert log_p.shape == (7,)
    np.testing.assert_allclose(log_p, vb.predictive_log_density(grid, bgm.params_))
    # heavier tails than the plug-in mixture at E[π], m, E[Λ]⁻¹ far from the data
    far = np.array([[12.0, -9.0]])
    assert bgm.predictive_log_density(far)[0] > bgm.score_samples(far)[0]
    # a density in 1-D: integrates to 1
    x1 = _data(d=1)
    b1 = BayesianGaussianMixture(n_components=2, random_state=0).fit(x1)
    line = np.linspace(-40, 45, 40001)[:, None]
    mass = np.trapezoid(np.exp(b1.predictive_log_density(line)), line[:, 0])
    assert mass == pytest.approx(1.0, abs=1e-3)


def test_predictive_density_refuses_diag():
    X = _data()
    q = vb.vb_m_step(X, np.full((len(X), 2), 0.5), vb.default_prior(X, 2, "diag"))
    with pytest.raises(ValueError, match="Wishart q.*'full' or 'tied'"):
        vb.predictive_log_density(X, q)


def test_pruning_counts_without_a_swap_is_vb():
    X = _data()
    prior = _book_prior(X, 4, alpha0=1e-3)
    resp = initial_responsibilities(X, 4, "kmeans", np.random.RandomState(0))
    counts = vb.pruning_counts(X, resp, prior, n_iter=5)
    assert counts.shape == (6, 4)
    q = vb.vb_m_step(X, resp, prior)
    for t in range(6):
        np.testing.assert_allclose(counts[t], q.alpha - prior.alpha0, rtol=1e-10, atol=1e-10)
        resp, _ = vb.vb_e_step(X, q)
        q = vb.vb_m_step(X, resp, prior)
    with pytest.raises(ValueError, match="unknown weight_term 'ln_pi'"):
        vb.pruning_counts(X, resp, prior, weight_term="ln_pi")


@pytest.mark.parametrize("d", [2, 3])
def test_full_bound_against_sklearns_own_bound(d):
    """scikit-learn's private _compute_lower_bound at its own q, plus the dropped constants."""
    from sklearn.mixture import BayesianGaussianMixture as SklearnBGM

    X, k = _data(n=80, d=d, seed=5), 3
    est = SklearnBGM(
        n_components=k,
        weight_concentration_prior_type="dirichlet_distribution",
        weight_concentration_prior=0.3,
        random_state=0,
        max_iter=5,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X)
    _, log_resp = est._estimate_log_prob_resp(X)
    est._m_step(X, log_resp)
    sklearn_bound = est._compute_lower_bound(log_resp, None)
    prior = vb.VBPrior(
        est.weight_concentration_prior_,
        est.mean_precision_prior_,
        est.mean_prior_,
        est.covariance_prior_,
        est.degrees_of_freedom_prior_,
        prior_type="dirichlet_distribution",
    )
    resp = np.exp(log_resp)
    q = vb.vb_m_step(X, resp, prior, reg_covar=est.reg_covar)
    np.testing.assert_allclose(q.covariances, est.covariances_, rtol=1e-10)  # the same q
    full = vb.full_lower_bound(X, resp, q, prior, reg_covar=est.reg_covar)
    assert full - sklearn_bound == pytest.approx(_dropped(X, prior, k), rel=1e-10)
