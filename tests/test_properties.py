"""Invariants of EM, property-tested with hypothesis on random data, K, covariance types and θ₀."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gmmlearn import initialize, responsibilities, run_em
from gmmlearn.params import COVARIANCE_TYPES, GaussianMixtureParams

PROPERTY_SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def problems(draw):
    """Random data (clusters, scales, duplicates), K, covariance type and a random θ₀."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_features = draw(st.integers(1, 4))
    n_components = draw(st.integers(1, 5))
    n_samples = draw(st.integers(2 * n_components, 80))  # ≥ K distinct after the duplicates
    scale = 10.0 ** draw(st.integers(-3, 3))
    centres = rng.normal(scale=5 * scale, size=(draw(st.integers(1, 4)), n_features))
    X = centres[rng.integers(len(centres), size=n_samples)] + scale * rng.normal(
        size=(n_samples, n_features)
    )
    if draw(st.booleans()):  # duplicated points
        X[: n_samples // 2] = X[0]
    covariance_type = draw(st.sampled_from(COVARIANCE_TYPES))
    method = draw(st.sampled_from(["random", "random_from_data", "bounding-box", "k-means++"]))
    theta0 = initialize(
        X,
        n_components,
        method,
        covariance_type=covariance_type,
        reg_covar=1e-6 * scale**2,
        random_state=seed % 2**31,
    )
    return X, theta0, scale


def assert_valid(params: GaussianMixtureParams) -> None:
    assert np.all(params.weights >= 0)
    np.testing.assert_allclose(params.weights.sum(), 1.0, atol=1e-12)
    full = params.full_covariances()
    np.testing.assert_allclose(full, np.swapaxes(full, 1, 2), rtol=1e-12, atol=0)
    assert np.all(np.linalg.eigvalsh(full) > 0), "covariance not positive definite"


@PROPERTY_SETTINGS
@given(problems())
def test_em_invariants(problem):
    X, theta0, scale = problem
    trace = run_em(X, theta0, max_iter=15, tol=0, reg_covar=1e-6 * scale**2)
    for t in (0, trace.n_iter // 2, trace.n_iter):
        resp = trace.responsibilities(t)
        assert np.all((resp >= 0) & (resp <= 1))
        np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=1e-12)
        assert_valid(trace.params[t])
    ll = trace.log_likelihoods
    assert np.all(np.isfinite(ll))
    # Exact EM never decreases ln p(X|θ). reg_covar = ε makes the M-step maximise Q only up to
    # O((ε/λ)²) per point (λ the smallest eigenvalue of a new Σ_k; first order vanishes at the
    # maximum), and the sum's rounding is ~1e-16·N·|terms|: both are allowed, nothing more.
    n_samples = X.shape[0]
    for t in range(trace.n_iter):
        smallest = np.linalg.eigvalsh(trace.params[t + 1].full_covariances()).min()
        slack = 1e-10 * max(abs(ll[t]), n_samples) + n_samples * (trace.reg_covar / smallest) ** 2
        assert ll[t + 1] >= ll[t] - slack, f"log-likelihood decreased at step {t}: {ll}"


@PROPERTY_SETTINGS
@given(problems())
def test_responsibilities_do_not_depend_on_row_order(problem):
    X, theta0, _ = problem
    order = np.random.default_rng(0).permutation(len(X))
    np.testing.assert_allclose(
        responsibilities(X, theta0)[order], responsibilities(X[order], theta0), atol=1e-12
    )
