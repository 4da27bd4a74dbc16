"""Each EM step function against a slow, obviously-correct reference (loops, scipy.stats)."""

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from gmmlearn import (
    GaussianMixtureParams,
    component_covariances,
    component_means,
    component_precisions,
    e_step,
    effective_counts,
    log_gaussian_density,
    log_likelihood,
    log_responsibilities,
    m_step,
    mixing_weights,
    responsibilities,
)
from gmmlearn.params import COVARIANCE_TYPES

EPS10 = 10 * np.finfo(float).eps


def random_params(rng, n_components, n_features, covariance_type="full"):
    weights = rng.dirichlet(np.ones(n_components))
    means = rng.normal(scale=3, size=(n_components, n_features))
    a = rng.normal(size=(n_components, n_features, n_features))
    full = a @ np.swapaxes(a, 1, 2) + 0.5 * np.eye(n_features)
    params = GaussianMixtureParams(weights, means, full, "full")
    return params.with_covariance_type(covariance_type)


def naive_log_density(X, params):
    full = params.full_covariances()
    return np.column_stack(
        [
            multivariate_normal(params.means[k], full[k]).logpdf(X).reshape(len(X))
            for k in range(params.n_components)
        ]
    )


@pytest.fixture(params=[(1, 1), (2, 3), (3, 4), (5, 2)], ids=lambda p: f"D{p[0]}K{p[1]}")
def problem(request):
    n_features, n_components = request.param
    rng = np.random.default_rng(n_features * 10 + n_components)
    X = rng.normal(scale=4, size=(60, n_features))
    return X, rng, n_components


# ---------------------------------------------------------------------------
# E-step
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_log_gaussian_density_matches_scipy(problem, covariance_type):
    X, rng, k = problem
    params = random_params(rng, k, X.shape[1], covariance_type)
    np.testing.assert_allclose(
        log_gaussian_density(X, params), naive_log_density(X, params), rtol=1e-10, atol=1e-10
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_responsibilities_match_bayes_rule(problem, covariance_type):
    X, rng, k = problem
    params = random_params(rng, k, X.shape[1], covariance_type)
    joint = params.weights * np.exp(naive_log_density(X, params))
    expected = joint / joint.sum(axis=1, keepdims=True)
    resp = responsibilities(X, params)
    np.testing.assert_allclose(resp, expected, rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.exp(log_responsibilities(X, params)), resp)


def test_log_likelihood_is_sum_of_log_of_sum(problem):
    X, rng, k = problem
    params = random_params(rng, k, X.shape[1])
    expected = sum(
        np.log(
            sum(
                params.weights[j]
                * multivariate_normal(params.means[j], params.covariances[j]).pdf(x)
                for j in range(k)
            )
        )
        for x in X
    )
    assert log_likelihood(X, params) == pytest.approx(expected, rel=1e-10)
    resp, total = e_step(X, params)
    assert total == pytest.approx(expected, rel=1e-10)
    np.testing.assert_allclose(resp, responsibilities(X, params))


def test_far_away_point_is_not_lost_to_zero_over_zero():
    # The 2019 original computed exp(-huge) / Σ exp(-huge) = 0/0 = NaN for such points.
    rng = np.random.default_rng(0)
    params = random_params(rng, 3, 2)
    X = np.array([[1e4, -1e4], [0.0, 0.0]])
    assert np.all(np.exp(naive_log_density(X[:1], params)) == 0.0)  # the seed's 0/0
    resp = responsibilities(X, params)
    assert np.all(np.isfinite(resp))
    np.testing.assert_allclose(resp.sum(axis=1), 1.0)
    assert np.isfinite(log_likelihood(X, params))


def test_zero_weight_component_gets_no_responsibility():
    rng = np.random.default_rng(1)
    base = random_params(rng, 3, 2)
    params = GaussianMixtureParams([0.5, 0.5, 0.0], base.means, base.covariances)
    resp = responsibilities(rng.normal(size=(20, 2)), params)
    assert np.all(resp[:, 2] == 0.0)
    np.testing.assert_allclose(resp.sum(axis=1), 1.0)


# ---------------------------------------------------------------------------
# M-step, one equation at a time, against explicit sums
# ---------------------------------------------------------------------------


def test_m_step_equations_against_explicit_sums(problem):
    X, rng, k = problem
    n, d = X.shape
    resp = rng.dirichlet(np.ones(k), size=n)

    nk = effective_counts(resp)
    expected_nk = np.array([sum(resp[i, j] for i in range(n)) for j in range(k)])
    np.testing.assert_allclose(nk, expected_nk + EPS10, rtol=1e-12)

    weights = mixing_weights(nk)
    np.testing.assert_allclose(weights, expected_nk / n, rtol=1e-10)

    means = component_means(X, resp, nk)
    expected_means = np.array(
        [sum(resp[i, j] * X[i] for i in range(n)) / expected_nk[j] for j in range(k)]
    )
    np.testing.assert_allclose(means, expected_means, rtol=1e-10, atol=1e-12)

    # The seed's form, Σ = 1/N_k Σ γ x xᵀ − μ μᵀ, equals the centred one.
    covariances = component_covariances(X, resp, nk, means, "full", reg_covar=0.0)
    expected_cov = np.array(
        [
            sum(resp[i, j] * np.outer(X[i], X[i]) for i in range(n)) / expected_nk[j]
            - np.outer(expected_means[j], expected_means[j])
            for j in range(k)
        ]
    )
    np.testing.assert_allclose(covariances, expected_cov, rtol=1e-9, atol=1e-10)

    np.testing.assert_allclose(
        component_precisions(covariances + 1e-3 * np.eye(d)),
        np.linalg.inv(covariances + 1e-3 * np.eye(d)),
        rtol=1e-9,
    )


@pytest.mark.parametrize("covariance_type", ["tied", "diag", "spherical"])
def test_constrained_covariances_are_reductions_of_full(problem, covariance_type):
    X, rng, k = problem
    d = X.shape[1]
    resp = rng.dirichlet(np.ones(k), size=len(X))
    nk = effective_counts(resp)
    means = component_means(X, resp, nk)
    full = component_covariances(X, resp, nk, means, "full", reg_covar=0.0)
    got = component_covariances(X, resp, nk, means, covariance_type, reg_covar=0.0)
    expected = {
        "tied": np.einsum("k,kij->ij", nk, full) / nk.sum(),
        "diag": np.diagonal(full, axis1=1, axis2=2),
        "spherical": np.trace(full, axis1=1, axis2=2) / d,
    }[covariance_type]
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-10)


def test_reg_covar_is_added_to_the_diagonal():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 3))
    resp = rng.dirichlet(np.ones(2), size=30)
    nk = effective_counts(resp)
    means = component_means(X, resp, nk)
    a = component_covariances(X, resp, nk, means, reg_covar=0.0)
    b = component_covariances(X, resp, nk, means, reg_covar=0.25)
    np.testing.assert_allclose(b - a, 0.25 * np.broadcast_to(np.eye(3), a.shape), atol=1e-12)


@pytest.mark.parametrize(
    "covariance_type, added",
    [
        ("tied", 0.25 * np.eye(3)),  # one matrix: ε on its diagonal
        ("diag", np.full((2, 3), 0.25)),  # every stored variance
        ("spherical", np.full(2, 0.25)),  # every σ_k²
    ],
)
def test_reg_covar_is_added_to_every_variance_of_the_other_types(covariance_type, added):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 3)) * [1.0, 10.0, 0.1]
    resp = rng.dirichlet(np.ones(2), size=30)
    nk = effective_counts(resp)
    means = component_means(X, resp, nk)
    a = component_covariances(X, resp, nk, means, covariance_type, reg_covar=0.0)
    b = component_covariances(X, resp, nk, means, covariance_type, reg_covar=0.25)
    assert a.shape == added.shape
    np.testing.assert_allclose(b - a, added, atol=1e-12)


def test_m_step_returns_valid_params_and_increases_likelihood(problem):
    X, rng, k = problem
    params = random_params(rng, k, X.shape[1])
    resp, before = e_step(X, params)
    new = m_step(X, resp)
    assert isinstance(new, GaussianMixtureParams)
    assert new.weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert log_likelihood(X, new) >= before - 1e-10 * abs(before)


def test_single_point_component_is_kept_proper_by_reg_covar():
    X = np.array([[0.0, 0.0], [5.0, 5.0], [5.1, 4.9], [4.9, 5.2]])
    resp = np.array([[1, 0], [0, 1], [0, 1], [0, 1]], dtype=float)
    params = m_step(X, resp, reg_covar=1e-6)
    np.testing.assert_allclose(params.covariances[0], 1e-6 * np.eye(2))
    assert np.all(np.isfinite(responsibilities(X, params)))


def test_collapsed_component_without_reg_covar_explains_the_fix():
    X = np.array([[0.0, 0.0], [5.0, 5.0], [5.1, 4.9], [4.9, 5.2]])
    resp = np.array([[1, 0], [0, 1], [0, 1], [0, 1]], dtype=float)
    with pytest.raises(ValueError, match="increase reg_covar"):
        m_step(X, resp, reg_covar=0.0)


def test_empty_component_stays_finite():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(40, 2))
    resp = np.zeros((40, 3))
    resp[:, :2] = rng.dirichlet(np.ones(2), size=40)
    params = m_step(X, resp)
    assert params.weights[2] == pytest.approx(0.0, abs=1e-12)
    assert np.all(np.isfinite(params.means)) and np.all(np.isfinite(params.covariances))
