"""Variational Bayes (PRML §10.2): the maths, the recorded run and the estimator.

* every function of :mod:`gmmlearn.vb` against a slow loop written from the book (and the
  lower bound against scikit-learn's private method);
* the fused engine against the step functions;
* ``gmmlearn.BayesianGaussianMixture`` against scikit-learn's, number for number, from the same
  ``random_state``, for every covariance type and both weight priors;
* scikit-learn's estimator checks, the bound never decreasing (hypothesis), and one-line errors.
"""

import doctest
import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.special import betaln, digamma, gammaln
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import BayesianGaussianMixture as SklearnBGM
from sklearn.utils.estimator_checks import parametrize_with_checks

import gmmlearn.bayesian_mixture
from gmmlearn import BayesianGaussianMixture, vb
from gmmlearn.initialization import initial_responsibilities
from gmmlearn.params import COVARIANCE_TYPES
from gmmlearn.vb.trace import run_vb

RTOL = 1e-8
PRIOR_TYPES = vb.PRIOR_TYPES
SKLEARN_INITS = ("kmeans", "k-means++", "random", "random_from_data")

ATTRIBUTES = (
    "weights_",
    "means_",
    "covariances_",
    "precisions_",
    "precisions_cholesky_",
    "weight_concentration_",
    "mean_precision_",
    "degrees_of_freedom_",
    "mean_prior_",
    "degrees_of_freedom_prior_",
    "covariance_prior_",
    "weight_concentration_prior_",
    "mean_precision_prior_",
    "lower_bound_",
    "lower_bounds_",
)


@pytest.fixture(autouse=True)
def _no_convergence_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def make_data(n_samples: int, n_features: int, seed: int = 0) -> np.ndarray:
    X, _ = make_blobs(n_samples=n_samples, n_features=n_features, centers=3, random_state=seed)
    return X


def max_relative_difference(actual, desired) -> float:
    """max |a − d| / max |d| over the array (0 for two empty arrays): one number per attribute."""
    actual = np.asarray(actual, dtype=np.float64).ravel()
    desired = np.asarray(desired, dtype=np.float64).ravel()
    assert actual.shape == desired.shape
    if desired.size == 0:
        return 0.0
    scale = float(np.max(np.abs(desired)))
    return float(np.max(np.abs(actual - desired))) / (scale if scale > 0 else 1.0)


def assert_same_fit(ours, theirs, X) -> None:
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.converged_ == theirs.converged_
    for name in ATTRIBUTES:
        difference = max_relative_difference(getattr(ours, name), getattr(theirs, name))
        assert difference <= RTOL, f"{name}: max relative difference {difference:.3g}"
    for method in ("predict_proba", "score_samples"):
        difference = max_relative_difference(getattr(ours, method)(X), getattr(theirs, method)(X))
        assert difference <= RTOL, f"{method}: max relative difference {difference:.3g}"
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.score(X) == pytest.approx(theirs.score(X), rel=RTOL)


# ---------------------------------------------------------------------------
# Slow references written from the book, one loop per sum
# ---------------------------------------------------------------------------


def naive_statistics(X, resp, reg_covar):
    """10.51–10.53 for full covariances, point by point."""
    n_samples, n_features = X.shape
    n_components = resp.shape[1]
    nk = np.zeros(n_components)
    xbar = np.zeros((n_components, n_features))
    S = np.zeros((n_components, n_features, n_features))
    for k in range(n_components):
        for n in range(n_samples):
            nk[k] += resp[n, k]
        nk[k] += 10 * np.finfo(float).eps
        for n in range(n_samples):
            xbar[k] += resp[n, k] * X[n] / nk[k]
        for n in range(n_samples):
            diff = X[n] - xbar[k]
            S[k] += resp[n, k] * np.outer(diff, diff) / nk[k]
        S[k] += reg_covar * np.eye(n_features)
    return nk, xbar, S


def naive_full_state(nk, xbar, S, prior):
    """10.58–10.63 for full covariances, component by component, with W kept as W (not W⁻¹)."""
    n_components = len(nk)
    alpha = np.array([prior.alpha0 + nk[k] for k in range(n_components)])
    beta = np.array([prior.beta0 + nk[k] for k in range(n_components)])
    m = np.array(
        [(prior.beta0 * prior.m0 + nk[k] * xbar[k]) / beta[k] for k in range(n_components)]
    )
    nu = np.array([prior.nu0 + nk[k] for k in range(n_components)])  # 10.63 without the typo
    W = []
    for k in range(n_components):
        diff = xbar[k] - prior.m0
        W_inv = (
            prior.W0_inverse
            + nk[k] * S[k]
            + prior.beta0 * nk[k] / (prior.beta0 + nk[k]) * np.outer(diff, diff)
        )
        W.append(np.linalg.inv(W_inv))
    return alpha, beta, m, nu, np.array(W)


def naive_log_rho(X, alpha, beta, m, nu, W):
    """10.46 with 10.64–10.66 for full covariances and the Dirichlet distribution."""
    n_samples, n_features = X.shape
    n_components = len(alpha)
    out = np.zeros((n_samples, n_components))
    for k in range(n_components):
        e_log_pi = digamma(alpha[k]) - digamma(alpha.sum())
        e_log_det = (
            sum(digamma((nu[k] + 1 - i) / 2) for i in range(1, n_features + 1))
            + n_features * math.log(2)
            + np.linalg.slogdet(W[k])[1]
        )
        for n in range(n_samples):
            diff = X[n] - m[k]
            e_quad = n_features / beta[k] + nu[k] * diff @ W[k] @ diff
            out[n, k] = (
                e_log_pi + 0.5 * e_log_det - 0.5 * n_features * math.log(2 * math.pi) - 0.5 * e_quad
            )
    return out


def naive_bishop_bound(X, resp, alpha, beta, m, nu, W, prior):
    """The whole of PRML 10.70–10.77 (full covariances, Dirichlet distribution), term by term."""
    n_samples, n_features = X.shape
    n_components = len(alpha)
    D = n_features
    W0 = np.linalg.inv(prior.W0_inverse)

    def ln_B(W_, nu_):  # B.79
        return (
            -0.5 * nu_ * np.linalg.slogdet(W_)[1]
            - 0.5 * nu_ * D * math.log(2)
            - D * (D - 1) / 4 * math.log(math.pi)
            - sum(gammaln((nu_ + 1 - i) / 2) for i in range(1, D + 1))
        )

    def ln_C(a):  # B.23
        return gammaln(np.sum(a)) - np.sum(gammaln(a))

    nk, xbar, S = naive_statistics(X, resp, 0.0)
    e_log_pi = digamma(alpha) - digamma(alpha.sum())
    e_log_det = np.array(
        [
            sum(digamma((nu[k] + 1 - i) / 2) for i in range(1, D + 1))
            + D * math.log(2)
            + np.linalg.slogdet(W[k])[1]
            for k in range(n_components)
        ]
    )
    entropy_wishart = [
        -ln_B(W[k], nu[k]) - 0.5 * (nu[k] - D - 1) * e_log_det[k] + 0.5 * nu[k] * D
        for k in range(n_components)
    ]
    e_p_x = 0.0  # 10.71
    e_p_mu_lambda = 0.0  # 10.74
    for k in range(n_components):
        diff = xbar[k] - m[k]
        e_p_x += (
            0.5
            * nk[k]
            * (
                e_log_det[k]
                - D / beta[k]
                - nu[k] * np.trace(S[k] @ W[k])
                - nu[k] * diff @ W[k] @ diff
                - D * math.log(2 * math.pi)
            )
        )
        diff0 = m[k] - prior.m0
        e_p_mu_lambda += 0.5 * (
            D * math.log(prior.beta0 / (2 * math.pi))
            + e_log_det[k]
            - D * prior.beta0 / beta[k]
            - prior.beta0 * nu[k] * diff0 @ W[k] @ diff0
        )
        e_p_mu_lambda += 0.5 * (prior.nu0 - D - 1) * e_log_det[k]
        e_p_mu_lambda -= 0.5 * nu[k] * np.trace(np.linalg.inv(W0) @ W[k])
    e_p_mu_lambda += n_components * ln_B(W0, prior.nu0)
    alpha0 = np.full(n_components, prior.alpha0)
    e_p_z = float(np.sum(resp * e_log_pi))  # 10.72
    e_p_pi = ln_C(alpha0) + (prior.alpha0 - 1) * e_log_pi.sum()  # 10.73
    e_q_z = float(np.sum(resp * np.log(resp)))  # 10.75
    e_q_pi = ((alpha - 1) * e_log_pi).sum() + ln_C(alpha)  # 10.76
    e_q_mu_lambda = sum(  # 10.77
        0.5 * e_log_det[k]
        + 0.5 * D * math.log(beta[k] / (2 * math.pi))
        - 0.5 * D
        - entropy_wishart[k]
        for k in range(n_components)
    )
    return e_p_x + e_p_z + e_p_pi + e_p_mu_lambda - e_q_z - e_q_pi - e_q_mu_lambda


@pytest.fixture
def problem():
    X = make_data(60, 2, seed=4)
    rng = np.random.RandomState(0)
    resp = rng.dirichlet(np.ones(4), size=len(X))
    return X, resp


def test_statistics_and_m_step_match_the_loops(problem):
    X, resp = problem
    prior = vb.default_prior(X, 4, "full", "dirichlet_distribution")
    nk, xbar, S = vb.statistics(X, resp, "full", 1e-6)
    for ours, theirs in zip((nk, xbar, S), naive_statistics(X, resp, 1e-6)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    state = vb.vb_m_step(X, resp, prior, 1e-6)
    alpha, beta, m, nu, W = naive_full_state(nk, xbar, S, prior)
    np.testing.assert_allclose(state.alpha, alpha, rtol=1e-12)
    np.testing.assert_allclose(state.beta, beta, rtol=1e-12)
    np.testing.assert_allclose(state.m, m, rtol=1e-12)
    np.testing.assert_allclose(state.nu, nu, rtol=1e-12)
    # sklearn's storage: covariances = W⁻¹/ν, precisions = νW
    np.testing.assert_allclose(state.precisions, nu[:, None, None] * W, rtol=1e-10)
    W_inverse = vb.update_W_inverse(nk, xbar, S, prior.beta0, prior.m0, beta, prior.W0_inverse)
    np.testing.assert_allclose(W_inverse, np.linalg.inv(W), rtol=1e-10)


def test_e_step_matches_the_loops(problem):
    X, resp = problem
    prior = vb.default_prior(X, 4, "full", "dirichlet_distribution")
    state = vb.vb_m_step(X, resp, prior, 1e-6)
    nk, xbar, S = vb.statistics(X, resp, "full", 1e-6)
    alpha, beta, m, nu, W = naive_full_state(nk, xbar, S, prior)
    expected = naive_log_rho(X, alpha, beta, m, nu, W)
    np.testing.assert_allclose(vb.log_rho(X, state), expected, rtol=1e-12)
    naive_r = np.exp(expected) / np.exp(expected).sum(axis=1, keepdims=True)
    resp_vb, log_resp = vb.vb_e_step(X, state)
    np.testing.assert_allclose(resp_vb, naive_r, rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(np.exp(log_resp), resp_vb)


def test_dirichlet_process_updates_match_the_loops():
    nk = np.array([5.0, 0.5, 3.0, 0.0, 2.0])
    alpha0 = 0.7
    a, b = vb.update_alpha(nk, alpha0, "dirichlet_process")
    np.testing.assert_array_equal(a, 1 + nk)
    np.testing.assert_allclose(b, [alpha0 + nk[k + 1 :].sum() for k in range(len(nk))])
    e_log_pi = vb.expected_log_pi(np.stack((a, b)), "dirichlet_process")
    naive = []
    for k in range(len(nk)):
        value = digamma(a[k]) - digamma(a[k] + b[k])  # E ln v_k
        for j in range(k):
            value += digamma(b[j]) - digamma(a[j] + b[j])  # E ln(1 − v_j)
        naive.append(value)
    np.testing.assert_allclose(e_log_pi, naive, rtol=1e-13)
    # E[π_k] = E[v_k] Π_{j<k} E[1 − v_j], renormalised over the K sticks
    sticks = [a[k] / (a[k] + b[k]) * np.prod(b[:k] / (a[:k] + b[:k])) for k in range(len(nk))]
    np.testing.assert_allclose(
        vb.weights_from_alpha(np.stack((a, b)), "dirichlet_process"),
        np.array(sticks) / np.sum(sticks),
        rtol=1e-13,
    )


def test_nu_is_nu0_plus_nk_not_plus_one():
    """10.63 without the typo of some printings (ν₀ + N_k + 1)."""
    nk = np.array([3.0, 4.0])
    np.testing.assert_array_equal(vb.update_nu(nk, 2.0), [5.0, 6.0])
    assert vb.update_nu(nk, 2.0, "tied") == 2.0 + 3.5


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("prior_type", PRIOR_TYPES)
def test_every_step_matches_sklearns_private_functions(covariance_type, prior_type):
    X = make_data(200, 3, seed=1)
    rng = np.random.RandomState(2)
    resp = rng.dirichlet(np.ones(5), size=len(X))
    theirs = SklearnBGM(
        n_components=5, covariance_type=covariance_type, weight_concentration_prior_type=prior_type
    )
    theirs._check_parameters(X)
    theirs._initialize(X, resp)
    prior = vb.default_prior(X, 5, covariance_type, prior_type)
    state = vb.vb_m_step(X, resp, prior, 1e-6)
    pairs = [
        (state.alpha, np.array(theirs.weight_concentration_)),
        (state.beta, theirs.mean_precision_),
        (state.m, theirs.means_),
        (state.nu, theirs.degrees_of_freedom_),
        (state.covariances, theirs.covariances_),
        (state.precisions_cholesky, theirs.precisions_cholesky_),
        (vb.expected_log_pi(state.alpha, prior_type), theirs._estimate_log_weights()),
        (vb.log_rho(X, state), theirs._estimate_weighted_log_prob(X)),
    ]
    for ours, expected in pairs:
        assert max_relative_difference(ours, expected) < 1e-13
    log_resp, _ = vb.log_r(vb.log_rho(X, state))
    assert vb.lower_bound(log_resp, state) == pytest.approx(
        float(np.squeeze(theirs._compute_lower_bound(log_resp, None))), rel=1e-13
    )


def test_lower_bound_differs_from_bishops_by_a_constant():
    """sklearn's bound = PRML 10.70–10.77 minus terms that depend only on N, D, K and the prior."""
    X = make_data(80, 2, seed=5)
    prior = vb.default_prior(X, 3, "full", "dirichlet_distribution")
    resp = initial_responsibilities(X, 3, "random", 0)
    state = vb.vb_m_step(X, resp, prior, 0.0)
    differences = []
    for _ in range(4):
        resp, log_resp = vb.vb_e_step(X, state)
        state = vb.vb_m_step(X, resp, prior, 0.0)
        nk, xbar, S = vb.statistics(X, resp, "full", 0.0)
        alpha, beta, m, nu, W = naive_full_state(nk, xbar, S, prior)
        bishop = naive_bishop_bound(X, resp, alpha, beta, m, nu, W, prior)
        differences.append(bishop - vb.lower_bound(log_resp, state))
    np.testing.assert_allclose(differences, differences[0], rtol=1e-9)
    # the constant, written out: what vb.lower_bound's docstring says it drops
    n_samples, D = X.shape
    K = 3
    W0 = np.linalg.inv(prior.W0_inverse)
    ln_B0 = (
        -0.5 * prior.nu0 * np.linalg.slogdet(W0)[1]
        - 0.5 * prior.nu0 * D * math.log(2)
        - D * (D - 1) / 4 * math.log(math.pi)
        - sum(gammaln((prior.nu0 + 1 - i) / 2) for i in range(1, D + 1))
    )
    ln_C0 = gammaln(K * prior.alpha0) - K * gammaln(prior.alpha0)
    constant = (
        ln_C0
        + K * ln_B0
        + 0.5 * D * K * math.log(prior.beta0)
        - 0.5 * n_samples * D * math.log(2 * math.pi)
        + K * D * (D - 1) / 4 * math.log(math.pi)
    )
    assert differences[0] == pytest.approx(constant, rel=1e-9)


def test_dirichlet_process_bound_uses_beta_functions(problem):
    X, resp = problem
    prior = vb.default_prior(X, 4, "diag", "dirichlet_process")
    state = vb.vb_m_step(X, resp, prior, 1e-6)
    other = vb.VBParams(
        state.alpha + 1.0,
        state.beta,
        state.m,
        state.nu,
        state.covariances,
        "diag",
        state.prior_type,
    )
    log_resp = np.log(resp)
    change = vb.lower_bound(log_resp, other) - vb.lower_bound(log_resp, state)
    a, b = state.alpha
    assert change == pytest.approx(np.sum(betaln(a + 1, b + 1) - betaln(a, b)), rel=1e-12)


# ---------------------------------------------------------------------------
# The recorded run and the fused engine
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("prior_type", PRIOR_TYPES)
def test_fused_engine_equals_the_steps(covariance_type, prior_type):
    X = make_data(3000, 3, seed=2)
    prior = vb.default_prior(X, 6, covariance_type, prior_type)
    start = vb.vb_m_step(X, initial_responsibilities(X, 6, "random", 0), prior)
    steps = run_vb(X, start, prior, max_iter=25, tol=0, engine="steps")
    fused = run_vb(X, start, prior, max_iter=25, tol=0, engine="fused")
    assert fused.n_iter == steps.n_iter == 25
    np.testing.assert_allclose(fused.lower_bounds, steps.lower_bounds, rtol=1e-10)
    for a, b in zip(fused.states, steps.states):
        for name in ("alpha", "beta", "m", "nu", "covariances"):
            assert max_relative_difference(getattr(a, name), getattr(b, name)) < 1e-10, name


def test_trace_is_the_fit(blobs):
    gm = BayesianGaussianMixture(n_components=4, random_state=0).fit(blobs)
    trace = gm.trace_
    assert trace.final_params is gm.params_
    assert trace.n_iter == gm.n_iter_ == len(gm.lower_bounds_)
    np.testing.assert_array_equal(trace.lower_bounds, gm.lower_bounds_)
    np.testing.assert_allclose(trace.responsibilities(-1), gm.predict_proba(blobs), rtol=1e-12)
    mixture = trace.mixture(gm.n_iter_)
    np.testing.assert_array_equal(mixture.weights, gm.weights_)
    np.testing.assert_allclose(mixture.covariances, gm.covariances_)
    with pytest.raises(IndexError, match="outside"):
        trace.responsibilities(gm.n_iter_ + 1)


def test_trace_has_the_interface_of_an_em_trace(blobs):
    """What a view reads: params per state, half-steps numbered as EMTrace's, r, the curve."""
    gm = BayesianGaussianMixture(n_components=4, random_state=0, tol=1e-6).fit(blobs)
    trace = gm.trace_
    T = trace.n_iter
    assert len(trace.params) == T + 1 == len(trace.curve)
    assert trace.n_half_steps == 2 * T + 1
    assert trace.n_steps() == 2 * T + 1 and trace.n_steps(half_steps=False) == T + 1
    assert trace.step_index(3, half_steps=False) == 6
    first = trace.half_step(0)
    assert (first.phase, first.params) == ("init", trace.params[0])
    for t in (1, T):
        e_step, m_step = trace.half_step(2 * t - 1), trace.half_step(2 * t)
        assert (e_step.phase, e_step.iteration, e_step.resp_iteration) == ("E", t, t - 1)
        assert e_step.params is trace.params[t - 1]
        assert (m_step.phase, m_step.iteration, m_step.resp_iteration) == ("M", t, t - 1)
        assert m_step.params is trace.params[t]
    last = trace.params[T]
    np.testing.assert_array_equal(last.weights, gm.weights_)
    np.testing.assert_array_equal(last.means, gm.means_)
    np.testing.assert_allclose(last.covariances, gm.covariances_, rtol=1e-14)
    # curve[0]: the bound of q₀ with the initial (one-hot k-means) r, whose entropy is 0
    q0 = trace.states[0]
    assert trace.curve[0] == pytest.approx(vb.lower_bound(np.zeros((1, 1)), q0), rel=1e-14)
    assert trace.curve[0] < trace.curve[1]
    # the colours' source: r is the softmax of ln ρ (not γ of the expected mixture)
    log_joint = trace.log_joint(1)
    r = np.exp(log_joint - log_joint.max(axis=1, keepdims=True))
    np.testing.assert_allclose(r / r.sum(axis=1, keepdims=True), trace.responsibilities(1))
    assert "bound" in trace.curve_label
    for bad in (-1, trace.n_half_steps):
        with pytest.raises(IndexError, match="outside"):
            trace.half_step(bad)
    with pytest.raises(IndexError, match="outside"):
        trace.step_index(T + 1, half_steps=False)


# ---------------------------------------------------------------------------
# The estimator against scikit-learn's
# ---------------------------------------------------------------------------

# (N, D, K) cycled with the init methods; each (covariance type, prior type) pair meets all.
_SIZES = [(60, 1, 2), (400, 2, 5), (1500, 3, 4), (800, 5, 6)]


def _agreement_cases():
    for i, covariance_type in enumerate(COVARIANCE_TYPES):
        for j, prior_type in enumerate(PRIOR_TYPES):
            for s, size in enumerate(_SIZES):
                init = SKLEARN_INITS[(i + j + s) % 4]
                if covariance_type == "tied" and init in ("k-means++", "random_from_data"):
                    init = "kmeans" if s % 2 else "random"  # see the xfail below
                yield pytest.param(covariance_type, prior_type, size, init, id=f"{init}-{size}")


@pytest.mark.parametrize(
    ("covariance_type", "prior_type", "size", "init_params"), list(_agreement_cases())
)
def test_same_random_state_same_fit(covariance_type, prior_type, size, init_params):
    n_samples, n_features, n_components = size
    X = make_data(n_samples, n_features, seed=n_samples + n_features)
    kwargs = dict(
        n_components=n_components,
        covariance_type=covariance_type,
        weight_concentration_prior_type=prior_type,
        init_params=init_params,
        random_state=n_components,
    )
    assert_same_fit(BayesianGaussianMixture(**kwargs).fit(X), SklearnBGM(**kwargs).fit(X), X)


@pytest.mark.parametrize("init_params", ["k-means++", "random_from_data"])
@pytest.mark.xfail(strict=True, reason="sklearn's tied scatter from one-hot r uses all of XᵀX")
def test_tied_start_from_one_hot_responsibilities_differs(init_params):
    """These two inits give r one-hot on K points and 0 elsewhere. sklearn's tied scatter is
    (XᵀX − Σ_k N_k x̄_k x̄_kᵀ) / Σ_k N_k, which counts the points that no component owns; the
    centred scatter of gmmlearn.vb.statistics does not. q₀ differs, so the runs do."""
    X = make_data(400, 2)
    kwargs = dict(n_components=3, covariance_type="tied", init_params=init_params, random_state=0)
    assert_same_fit(BayesianGaussianMixture(**kwargs).fit(X), SklearnBGM(**kwargs).fit(X), X)


def test_given_priors_same_fit():
    X = make_data(300, 2, seed=7)
    kwargs = dict(
        n_components=4,
        weight_concentration_prior=0.3,
        mean_precision_prior=0.5,
        mean_prior=[1.0, -2.0],
        degrees_of_freedom_prior=3.5,
        covariance_prior=[[2.0, 0.3], [0.3, 1.0]],
        reg_covar=1e-4,
        tol=1e-6,
        max_iter=300,
        random_state=1,
    )
    assert_same_fit(BayesianGaussianMixture(**kwargs).fit(X), SklearnBGM(**kwargs).fit(X), X)
    for kind, prior in (("diag", [2.0, 1.0]), ("spherical", 1.5)):
        kw = dict(kwargs, covariance_type=kind, covariance_prior=prior)
        assert_same_fit(BayesianGaussianMixture(**kw).fit(X), SklearnBGM(**kw).fit(X), X)


def test_n_init_and_max_iter_zero_and_sample_same_as_sklearn():
    X = make_data(500, 2, seed=3)
    kwargs = dict(n_components=6, n_init=3, init_params="random", random_state=5, tol=1e-6)
    ours, theirs = BayesianGaussianMixture(**kwargs).fit(X), SklearnBGM(**kwargs).fit(X)
    assert_same_fit(ours, theirs, X)
    sample, labels = ours.sample(50)
    their_sample, their_labels = theirs.sample(50)
    np.testing.assert_allclose(sample, their_sample, rtol=RTOL)
    np.testing.assert_array_equal(labels, their_labels)
    zero = dict(kwargs, max_iter=0)
    ours, theirs = BayesianGaussianMixture(**zero).fit(X), SklearnBGM(**zero).fit(X)
    assert ours.lower_bound_ == theirs.lower_bound_ == -np.inf
    assert ours.lower_bounds_ == theirs.lower_bounds_ == []
    assert ours.n_iter_ == 0 and not ours.converged_
    np.testing.assert_allclose(ours.means_, theirs.means_, rtol=RTOL)


@pytest.mark.parametrize("verbose", [1, 2])
def test_verbose_messages_are_sklearns(verbose, capsys):
    X = make_data(300, 2, seed=9)
    kwargs = dict(n_components=3, n_init=2, verbose=verbose, verbose_interval=2, random_state=0)
    BayesianGaussianMixture(**kwargs).fit(X)
    ours = capsys.readouterr().out
    SklearnBGM(**kwargs).fit(X)
    theirs = capsys.readouterr().out

    def without_times(text):
        return re.sub(r"time lapse [0-9.]+s", "time lapse …", text).splitlines()

    assert without_times(ours) == without_times(theirs)
    assert "Initialization 1" in ours


def test_n_init_keeps_the_best():
    X = make_data(300, 2)
    kwargs = dict(n_components=5, init_params="random_from_data", max_iter=15)
    shared = np.random.RandomState(3)
    singles = [BayesianGaussianMixture(**kwargs, random_state=shared).fit(X) for _ in range(4)]
    bounds = [g.lower_bound_ for g in singles]
    best = BayesianGaussianMixture(**kwargs, n_init=4, random_state=3).fit(X)
    assert best.lower_bound_ == max(bounds)
    np.testing.assert_array_equal(best.means_, singles[int(np.argmax(bounds))].means_)


def test_warm_start_same_as_sklearn():
    X = make_data(300, 2, seed=8)
    kwargs = dict(n_components=3, max_iter=2, warm_start=True, random_state=0)
    ours, theirs = BayesianGaussianMixture(**kwargs), SklearnBGM(**kwargs)
    for _ in range(4):
        ours.fit(X)
        theirs.fit(X)
        assert_same_fit(ours, theirs, X)
    ours.set_params(n_components=4)
    with pytest.raises(ValueError, match="warm_start=False"):
        ours.fit(X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_far_from_the_origin_same_fit(covariance_type):
    """Centred sums: shifting the data by 10⁶ moves the means and nothing else.

    (scikit-learn's E[x²] − x̄² for diag, tied and spherical loses about 1e-4 here, and at a
    shift of 10⁸ its diag fit fails with "ill-defined empirical covariance".)
    """
    X = make_data(500, 2, seed=1)
    kwargs = dict(
        n_components=4, covariance_type=covariance_type, init_params="random", random_state=0
    )
    here = BayesianGaussianMixture(**kwargs, max_iter=30, tol=0).fit(X)
    for shift, rtol in ((1e6, 1e-8), (1e8, 1e-6)):
        far = BayesianGaussianMixture(**kwargs, max_iter=30, tol=0).fit(X + shift)
        assert max_relative_difference(far.means_ - shift, here.means_) < rtol
        assert max_relative_difference(far.covariances_, here.covariances_) < rtol
        assert max_relative_difference(far.predict_proba(X + shift), here.predict_proba(X)) < rtol


# ---------------------------------------------------------------------------
# scikit-learn's estimator checks, the bound, the errors
# ---------------------------------------------------------------------------


@parametrize_with_checks([BayesianGaussianMixture()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_docstring_examples_run():
    result = doctest.testmod(gmmlearn.bayesian_mixture, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 3
    assert result.failed == 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n_samples=st.integers(20, 200),
    n_features=st.integers(1, 4),
    n_components=st.integers(1, 6),
    covariance_type=st.sampled_from(COVARIANCE_TYPES),
    prior_type=st.sampled_from(PRIOR_TYPES),
    init_params=st.sampled_from(SKLEARN_INITS),
)
def test_lower_bound_never_decreases(
    seed, n_samples, n_features, n_components, covariance_type, prior_type, init_params
):
    rng = np.random.RandomState(seed)
    X = rng.standard_normal((n_samples, n_features)) * rng.uniform(0.1, 10, n_features)
    X[: n_samples // 2] += rng.uniform(-5, 5, n_features)
    gm = BayesianGaussianMixture(
        n_components=n_components,
        covariance_type=covariance_type,
        weight_concentration_prior_type=prior_type,
        init_params=init_params,
        random_state=seed,
        max_iter=40,
        tol=0,
    ).fit(X)
    # the trace's curve starts with the bound of q₀ (made from the initial r): the first
    # E-step and M-step can only raise it too
    bounds = gm.trace_.curve
    np.testing.assert_array_equal(bounds[1:], gm.lower_bounds_)
    if init_params in ("k-means++", "random_from_data"):  # r₀ one-hot on K points only
        assert np.isnan(bounds[0])
        bounds = bounds[1:]
    assert np.all(np.isfinite(bounds))
    assert np.all(np.diff(bounds) >= -1e-9 * np.abs(bounds[1:])), np.diff(bounds).min()


@pytest.mark.parametrize(
    ("X", "kwargs", "match"),
    [
        ([[1.0, np.nan], [2.0, 3.0], [0.0, 1.0]], {}, "contains NaN"),
        ([1.0, 2.0, 3.0], {}, "Reshape your data"),
        ([[1.0], [2.0]], {"n_components": 3}, "larger than the number of points"),
        (None, {"degrees_of_freedom_prior": 0.5}, "greater than n_features - 1"),
        (None, {"mean_prior": [1.0, 2.0, 3.0]}, "mean_prior has shape"),
        (None, {"covariance_prior": [[1.0, 2.0], [2.0, 1.0]]}, "not positive definite"),
        (None, {"covariance_prior": [[1.0, 0.5], [0.0, 1.0]]}, "not symmetric"),
        (None, {"covariance_prior": [1.0, 2.0]}, "covariance_prior has shape"),
        (None, {"covariance_type": "diag", "covariance_prior": [1.0, -2.0]}, "positive"),
        (None, {"covariance_type": "spherical", "covariance_prior": [1.0, 2.0]}, "a number > 0"),
    ],
)
def test_bad_input_one_line_value_error(X, kwargs, match):
    data = make_data(30, 2) if X is None else X
    with pytest.raises(ValueError, match=match) as error:
        BayesianGaussianMixture(n_components=kwargs.pop("n_components", 2), **kwargs).fit(data)
    assert "\n" not in str(error.value)


def test_run_vb_refuses_bad_arguments(blobs):
    prior = vb.default_prior(blobs, 2)
    start = vb.vb_m_step(blobs, initial_responsibilities(blobs, 2, "random", 0), prior)
    with pytest.raises(TypeError, match="VBParams"):
        run_vb(blobs, "theta", prior)
    with pytest.raises(ValueError, match="features"):
        run_vb(blobs[:, :1], start, prior)
    with pytest.raises(ValueError, match="unknown engine"):
        run_vb(blobs, start, prior, engine="gpu")
    with pytest.raises(ValueError, match="weight_concentration_prior_type"):
        vb.update_alpha(np.ones(2), 1.0, "pitman-yor")
