"""Invariants of EM, property-tested with hypothesis on random data, K, covariance types and θ₀."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gmmlearn import effective_counts, initialize, reg_covar_penalty, responsibilities, run_em
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
    # What EM guarantees, exactly: ln p(X|θ) never falls by more than the change of the
    # reg_covar penalty ½ε Σ_k N_k tr Λ_k (N_k of the E-step at θ_t); with ε = 0, never at all.
    # Only the sums' rounding (~1e-16·N·|terms|) is allowed on top.
    for t in range(trace.n_iter):
        nk = effective_counts(trace.responsibilities(t))
        bound = reg_covar_penalty(nk, trace.params[t + 1], trace.reg_covar) - reg_covar_penalty(
            nk, trace.params[t], trace.reg_covar
        )
        rounding = 1e-10 * max(abs(ll[t]), trace.X.shape[0])
        assert ll[t + 1] - ll[t] >= bound - rounding, f"log-likelihood decreased at step {t}: {ll}"


@PROPERTY_SETTINGS
@given(problems())
def test_responsibilities_do_not_depend_on_row_order(problem):
    X, theta0, _ = problem
    order = np.random.default_rng(0).permutation(len(X))
    np.testing.assert_allclose(
        responsibilities(X, theta0)[order], responsibilities(X[order], theta0), atol=1e-12
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_reg_covar_can_lower_the_log_likelihood_but_only_by_the_penalty(covariance_type):
    """The counter-example to "ln p never decreases": start at the ε = 0 optimum, step with ε."""
    from gmmlearn import datasets
    from gmmlearn.io import read_points

    X = read_points(datasets.path("old_faithful.csv"))
    start = initialize(X, 2, covariance_type=covariance_type, reg_covar=0, random_state=0)
    optimum = run_em(X, start, max_iter=500, tol=0, reg_covar=0).final_params
    for reg_covar in (1e-3, 0.1):
        trace = run_em(X, optimum, max_iter=1, tol=0, reg_covar=reg_covar)
        gain = trace.log_likelihoods[1] - trace.log_likelihoods[0]
        nk = effective_counts(trace.responsibilities(0))
        bound = reg_covar_penalty(nk, trace.params[1], reg_covar) - reg_covar_penalty(
            nk, optimum, reg_covar
        )
        assert bound <= gain < 0  # it falls, and by no more than the penalty allows
    # the penalty is what an εI on Σ_k maximises: ε = 0 gives no penalty at all
    assert reg_covar_penalty(nk, optimum, 0.0) == 0.0
