"""ln p(X|θ) = L(q, θ) + KL(q ‖ p(Z|X, θ)) (PRML §9.4), property-tested, and the trace's split.

The references are slow, naive loops over n and k with scipy.stats' Gaussian density, written
from PRML 9.71 and 9.72 directly.
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal

from gmmlearn import (
    GaussianMixtureParams,
    initialize,
    kl_to_posterior,
    log_likelihood,
    lower_bound,
    m_step,
    reg_covar_penalty,
    responsibilities,
    run_em,
)
from gmmlearn.bound import lower_bound_and_kl, m_step_bounds
from gmmlearn.datasets import load_x
from gmmlearn.fused import DEFAULT_CHUNK_SIZE
from gmmlearn.params import COVARIANCE_TYPES

PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


# ---------------------------------------------------------------------------
# Random problems: data, θ of every covariance type, and a q that is not γ(θ)
# ---------------------------------------------------------------------------


def _random_params(rng, X, n_components, covariance_type, scale):
    n_features = X.shape[1]
    weights = rng.dirichlet(np.full(n_components, 1.5))
    means = X[rng.integers(len(X), size=n_components)] + scale * rng.normal(
        size=(n_components, n_features)
    )
    if covariance_type == "full":
        A = rng.normal(size=(n_components, n_features, n_features))
        cov = (A @ A.transpose(0, 2, 1) + 0.2 * np.eye(n_features)) * scale**2
    elif covariance_type == "tied":
        A = rng.normal(size=(n_features, n_features))
        cov = (A @ A.T + 0.2 * np.eye(n_features)) * scale**2
    elif covariance_type == "diag":
        cov = rng.uniform(0.2, 3.0, size=(n_components, n_features)) * scale**2
    else:
        cov = rng.uniform(0.2, 3.0, size=n_components) * scale**2
    return GaussianMixtureParams(weights, means, cov, covariance_type)


def _random_q(rng, n_samples, n_components, zeros: bool):
    q = rng.dirichlet(np.full(n_components, 0.8), size=n_samples)
    if zeros and n_components > 1:  # exact zeros: 0 ln 0 = 0 must hold
        q[rng.random(q.shape) < 0.3] = 0.0
        empty = q.sum(axis=1) == 0
        q[empty, rng.integers(n_components, size=int(empty.sum()))] = 1.0
        q /= q.sum(axis=1, keepdims=True)
    return q


@st.composite
def problems(draw):
    """(X, θ, q): random data (1–4 features, scale 1e-2 … 1e2), K, covariance type, θ and q."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_features = draw(st.integers(1, 4))
    n_components = draw(st.integers(1, 5))
    n_samples = draw(st.integers(n_features + 2, 60))
    scale = 10.0 ** draw(st.integers(-2, 2))
    centres = rng.normal(scale=4 * scale, size=(draw(st.integers(1, 3)), n_features))
    X = centres[rng.integers(len(centres), size=n_samples)] + scale * rng.normal(
        size=(n_samples, n_features)
    )
    covariance_type = draw(st.sampled_from(COVARIANCE_TYPES))
    params = _random_params(rng, X, n_components, covariance_type, scale)
    q = _random_q(rng, n_samples, n_components, zeros=draw(st.booleans()))
    return X, params, q


# ---------------------------------------------------------------------------
# Naive references: PRML 9.71 and 9.72 as loops
# ---------------------------------------------------------------------------


def naive_log_joint(X, params):
    """ln π_k + ln N(x_n | μ_k, Σ_k), one scipy call per (n, k)."""
    full = params.full_covariances()
    out = np.empty((len(X), params.n_components))
    for n in range(len(X)):
        for k in range(params.n_components):
            density = multivariate_normal(params.means[k], full[k]).logpdf(X[n])
            out[n, k] = math.log(params.weights[k]) + density
    return out


def naive_lower_bound_and_kl(X, q, params):
    log_joint = naive_log_joint(X, params)
    lower, kl = 0.0, 0.0
    for n in range(len(X)):
        top = max(log_joint[n])
        log_px = top + math.log(sum(math.exp(v - top) for v in log_joint[n]))
        for k in range(params.n_components):
            if q[n, k] == 0.0:
                continue  # 0 ln 0 = 0
            log_gamma = log_joint[n, k] - log_px
            lower += q[n, k] * (log_joint[n, k] - math.log(q[n, k]))
            kl -= q[n, k] * (log_gamma - math.log(q[n, k]))
    return lower, kl


# ---------------------------------------------------------------------------
# The decomposition
# ---------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(problems())
def test_lower_bound_plus_kl_is_the_log_likelihood(problem):
    X, params, q = problem
    lower, kl = lower_bound(X, q, params), kl_to_posterior(X, q, params)
    log_p = log_likelihood(X, params)
    # relative to the largest of the three: with a far component L and KL are both large and
    # of opposite sign, and their sum is exact only to rounding of that size
    assert abs(lower + kl - log_p) <= 1e-10 * max(abs(log_p), abs(lower), abs(kl))
    assert kl >= -1e-12 * max(abs(log_p), 1.0)
    assert lower <= log_p + 1e-10 * max(abs(log_p), abs(lower))
    assert lower_bound_and_kl(X, q, params) == (lower, kl)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_equal_to_the_naive_loops(problem):
    X, params, q = problem
    naive_lower, naive_kl = naive_lower_bound_and_kl(X, q, params)
    scale = max(abs(naive_lower), abs(naive_kl), 1.0)
    assert lower_bound(X, q, params) == pytest.approx(naive_lower, rel=1e-9, abs=1e-9 * scale)
    assert kl_to_posterior(X, q, params) == pytest.approx(naive_kl, rel=1e-9, abs=1e-9 * scale)


@PROPERTY_SETTINGS
@given(problems())
def test_kl_vanishes_after_an_e_step_and_only_then(problem):
    X, params, q = problem
    gamma = responsibilities(X, params)
    log_p = log_likelihood(X, params)
    # q = γ(θ): the E-step closes the gap, and L touches ln p
    assert abs(kl_to_posterior(X, gamma, params)) <= 1e-12 * max(abs(log_p), len(X))
    assert lower_bound(X, gamma, params) == pytest.approx(log_p, rel=1e-12, abs=1e-12 * len(X))
    # any other q: KL > 0, and at least Pinsker's ½ Σ_n ‖q_n − γ_n‖₁² (exact, not a tolerance)
    pinsker = 0.5 * np.sum(np.abs(q - gamma).sum(axis=1) ** 2)
    kl = kl_to_posterior(X, q, params)
    assert kl >= pinsker * (1 - 1e-9) - 1e-12 * max(abs(log_p), len(X))
    if pinsker > 1e-6:
        assert kl > 0


@st.composite
def m_step_problems(draw):
    """(X, q, covariance type): q with no zero, data in general position (Σ_k invertible)."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_features = draw(st.integers(1, 3))
    n_components = draw(st.integers(1, 4))
    n_samples = draw(st.integers(n_features + 3, 50))
    scale = 10.0 ** draw(st.integers(-1, 1))
    X = scale * rng.normal(size=(n_samples, n_features)) * rng.uniform(0.5, 2, n_features)
    q = rng.dirichlet(np.full(n_components, 1.0), size=n_samples)
    return X, q, draw(st.sampled_from(COVARIANCE_TYPES)), scale, rng


@PROPERTY_SETTINGS
@given(m_step_problems())
def test_the_m_step_maximises_the_lower_bound(problem):
    """With reg_covar = 0: L(q, m_step(q)) ≥ L(q, θ) for every θ tried (the previous θ and
    random ones); with reg_covar = ε > 0 exactly the same for L − (ε/2) Σ_k N_k tr Λ_k."""
    X, q, covariance_type, scale, rng = problem
    K = q.shape[1]
    others = [_random_params(rng, X, K, covariance_type, scale) for _ in range(3)]
    nk = q.sum(axis=0)
    for eps in (0.0, 1e-3 * scale**2, 0.5 * scale**2):
        best = m_step(X, q, covariance_type, reg_covar=eps)
        others.append(m_step(X, q, covariance_type, reg_covar=eps + 0.1 * scale**2))
        objective = lambda p, eps=eps: lower_bound(X, q, p) - reg_covar_penalty(nk, p, eps)  # noqa: E731
        top = objective(best)
        for other in others:
            assert top >= objective(other) - 1e-9 * abs(top)
        # and small moves away from the maximiser do not help either
        for _ in range(3):
            weights = best.weights * np.exp(0.01 * rng.normal(size=K))
            nudged = GaussianMixtureParams(
                weights / weights.sum(),
                best.means + 0.01 * scale * rng.normal(size=best.means.shape),
                best.covariances * np.exp(0.01 * rng.normal()),
                covariance_type,
            )
            assert top >= objective(nudged) - 1e-9 * abs(top)


def test_with_reg_covar_the_m_step_can_lower_l_itself():
    """Why the penalty: with a large ε the M-step's θ is not the maximiser of L alone."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    q = rng.dirichlet(np.ones(3), size=40)
    exact = lower_bound(X, q, m_step(X, q, "full", reg_covar=0.0))
    assert lower_bound(X, q, m_step(X, q, "full", reg_covar=1.0)) < exact


# ---------------------------------------------------------------------------
# q = 0 and the checks on q
# ---------------------------------------------------------------------------


def test_hard_assignments_and_switched_off_components_are_exact():
    X = load_x()[:200]
    params = initialize(X, 3, "bounding-box", random_state=0)
    hard = np.eye(3)[np.argmax(responsibilities(X, params), axis=1)]
    lower, kl = lower_bound_and_kl(X, hard, params)
    assert np.isfinite(lower) and np.isfinite(kl) and kl > 0
    assert lower + kl == pytest.approx(log_likelihood(X, params), rel=1e-12)
    # π_3 = 0: q that never uses component 3 is fine; q that does has L = −∞, KL = +∞
    off = GaussianMixtureParams([0.5, 0.5, 0.0], params.means, params.covariances, "full")
    two = np.eye(3)[np.argmax(responsibilities(X, off), axis=1)]
    assert np.isfinite(lower_bound(X, two, off))
    assert lower_bound(X, hard, off) == -np.inf
    assert kl_to_posterior(X, hard, off) == np.inf


@pytest.mark.parametrize(
    "bad, words",
    [
        (np.full((200, 2), 0.5), "shape (200, 2): pass q of shape (n_samples, n_components)"),
        (np.full((200, 3), 0.5), "resp / resp.sum(axis=1, keepdims=True)"),
        (np.full((200, 3), np.nan), "must lie in [0, 1]"),
        (np.tile([1.5, -0.5, 0.0], (200, 1)), "must lie in [0, 1]"),
    ],
)
def test_a_bad_q_is_refused_in_one_line(bad, words):
    X = load_x()[:200]
    params = initialize(X, 3, "bounding-box", random_state=0)
    for function in (lower_bound, kl_to_posterior):
        with pytest.raises(ValueError) as error:
            function(X, bad, params)
        assert words in str(error.value)
        assert "\n" not in str(error.value)


# ---------------------------------------------------------------------------
# The trace: L and KL at every half-step
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trace():
    X = load_x()
    return run_em(X, initialize(X, 4, "bounding-box", random_state=0), max_iter=25, tol=0)


def test_the_trace_splits_every_half_step(trace):
    X = trace.X
    lower, kls, log_p = trace.lower_bounds(), trace.kls(), trace.half_step_log_likelihoods()
    assert lower.shape == kls.shape == log_p.shape == (trace.n_half_steps,)
    np.testing.assert_allclose(lower + kls, log_p, rtol=1e-10)
    for index in (0, 1, 2, 9, 10, trace.n_half_steps - 1):
        state = trace.half_step(index)
        q = trace.responsibilities(state.resp_iteration)  # the colours shown
        assert log_p[index] == pytest.approx(log_likelihood(X, state.params), rel=1e-10)
        assert lower[index] == pytest.approx(lower_bound(X, q, state.params), rel=1e-10)
        assert kls[index] == pytest.approx(
            kl_to_posterior(X, q, state.params), rel=1e-8, abs=1e-9 * len(X)
        )
    # after E-steps the gap is closed; after M-steps it reappears (this run has not converged)
    assert np.all(kls[1::2] == 0) and kls[0] == 0
    assert np.all(kls[2::2] > 0)


def test_l_never_decreases_along_a_run_without_reg_covar():
    X = load_x()
    trace = run_em(
        X, initialize(X, 4, "bounding-box", random_state=0), max_iter=25, tol=0, reg_covar=0.0
    )
    lower, log_p = trace.lower_bounds(), trace.half_step_log_likelihoods()
    slack = 1e-10 * np.abs(lower).max()
    assert np.all(np.diff(lower) >= -slack), np.diff(lower).min()
    # an M-step raises ln p by at least what it raised L: the KL that reappears is ≥ 0
    assert np.all(log_p[2::2] - log_p[1::2] >= lower[2::2] - lower[1::2] - slack)


def test_m_step_bounds_do_not_depend_on_the_engine():
    X = load_x()[:500]
    theta0 = initialize(X, 3, "k-means++", covariance_type="diag", random_state=1)
    fused = run_em(X, theta0, max_iter=8, tol=0, engine="fused")
    plain = run_em(X, theta0, max_iter=8, tol=0, engine="steps")
    np.testing.assert_allclose(fused.lower_bounds(), plain.lower_bounds(), rtol=1e-9)
    np.testing.assert_allclose(fused.kls(), plain.kls(), rtol=1e-6, atol=1e-8 * len(X))
    assert m_step_bounds(X, fused.params[:1])[0].shape == (0,)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("weighted", [False, True])
def test_the_fused_split_equals_the_reference(covariance_type, weighted):
    # gmmlearn.fused.m_step_bounds (chunked, what EMTrace uses) against bound.m_step_bounds,
    # over more rows than a chunk, with a component switched off (π_k = 0) in the last θ
    from gmmlearn import fused

    X = np.vstack([load_x()] * 5)
    theta0 = initialize(X, 3, "k-means++", covariance_type=covariance_type, random_state=1)
    params = list(run_em(X, theta0, max_iter=6, tol=0).params)
    last = params[-1]
    params[-1] = GaussianMixtureParams(
        np.array([0.0, *last.weights[1:] / last.weights[1:].sum()]), last.means,
        last.covariances, covariance_type,
    )  # fmt: skip
    weights = np.random.default_rng(0).uniform(0, 2, len(X)) if weighted else None
    expected = m_step_bounds(X, params, weights)
    got = fused.m_step_bounds(X, params, weights, chunk_size=4000)
    assert len(X) > 4000
    # q of the last M-step puts mass on the switched-off component: L = -∞ and KL = +∞ there
    assert got[0][-1] == expected[0][-1] == -np.inf and got[1][-1] == expected[1][-1] == np.inf
    scale = np.abs(expected[0][:-1]).max()
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a[:-1], b[:-1], rtol=1e-10, atol=1e-12 * scale)
    assert np.all(got[1][:-1] > 0)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("weighted", [False, True])
def test_the_split_a_fused_run_brings_equals_the_reference(covariance_type, weighted):
    # L from the EM pass's own sums (fused.em_iteration_with_bound), KL = ln p − L: the
    # reference bound.m_step_bounds on the same θ_t, over more rows than a chunk, from a θ₀
    # with a component switched off (π₁ = 0: q gives it no mass in the first E-step)
    X = np.vstack([load_x()] * 5)
    theta0 = initialize(X, 3, "k-means++", covariance_type=covariance_type, random_state=1)
    theta0 = GaussianMixtureParams(
        np.array([0.0, *theta0.weights[1:] / theta0.weights[1:].sum()]), theta0.means,
        theta0.covariances, covariance_type,
    )  # fmt: skip
    weights = np.random.default_rng(0).uniform(0, 2, len(X)) if weighted else None
    trace = run_em(X, theta0, max_iter=12, tol=0, sample_weight=weights, keep_lower_bounds=True)
    assert not trace.bound_split_costs_a_pass and len(X) > DEFAULT_CHUNK_SIZE
    expected_lower, expected_kl = m_step_bounds(X, trace.params, weights)
    scale = np.abs(expected_lower).max()
    np.testing.assert_allclose(
        trace.lower_bounds()[2::2], expected_lower, rtol=0, atol=1e-12 * scale
    )
    np.testing.assert_allclose(trace.kls()[2::2], expected_kl, rtol=0, atol=1e-12 * scale)
    assert np.all(trace.kls()[2::2] > 0)
    # without keep_lower_bounds (and with the textbook engine, which has no such pass) a
    # chunked pass of its own gives the same split
    for engine in ("fused", "steps"):
        other = run_em(X, theta0, max_iter=12, tol=0, sample_weight=weights, engine=engine)
        assert other.bound_split_costs_a_pass
        np.testing.assert_allclose(other.lower_bounds(), trace.lower_bounds(), rtol=1e-10)


def test_the_browser_view_gets_the_split_of_every_half_step(trace):
    import json

    from gmmlearn.webview.frames import trace_payload

    meta, _ = trace_payload(trace)
    meta = json.loads(json.dumps(meta))  # as the browser receives it
    assert meta["log_p"] == trace.half_step_log_likelihoods().tolist()
    assert meta["lower_bounds"] == trace.lower_bounds().tolist()
    assert meta["kls"] == trace.kls().tolist()
    assert len(meta["kls"]) == meta["n_half_steps"]


def test_the_matplotlib_view_writes_the_split(trace):
    from gmmlearn.plotting.view import EMView

    view = EMView(trace)
    shown_kl = {}
    for index in (9, 10):
        view.show(index)
        text = view.bound_text.get_text()
        lower, kl = trace.lower_bounds()[index], trace.kls()[index]
        assert f"{lower:.2f}".replace("-", "−") in text
        assert text.splitlines()[2].split()[-1] == f"{kl:.2f}"
        shown_kl[index] = float(text.splitlines()[2].split()[-1])
    assert shown_kl[9] == 0 and shown_kl[10] > 1  # E closes the gap; the M-step reopens it


def test_rounding_below_zero_is_not_shown_as_a_negative_kl():
    from gmmlearn.plotting.view import EMView

    X = load_x()
    converged = run_em(
        X,
        initialize(X, 4, "bounding-box", covariance_type="diag", random_state=0),
        max_iter=300,
        tol=0,
    )
    kls = converged.kls()
    # late in a run the gap is at rounding level, either side of 0, never more than that
    assert np.all(kls >= -1e-13 * np.abs(converged.half_step_log_likelihoods()))
    index = int(np.flatnonzero(kls < 0)[0])
    view = EMView(converged)
    view.show(index)
    assert view.bound_text.get_text().splitlines()[2].split() == ["KL", "0.00"]
