"""Data far from the origin: shifting X by 10⁸ moves the means and nothing else (issue #14).

The expanded quadratic form ‖x‖² − 2xᵀμ + ‖μ‖² cancelled catastrophically there (γ off by 0.9 at
a shift of 10⁸); every public path that computes densities is checked against the same data at
the origin.
"""

import numpy as np
import pytest

from gmmlearn import (
    GaussianMixture,
    GaussianMixtureParams,
    initialize,
    log_gaussian_density,
    log_likelihood,
    responsibilities,
    run_em,
)

SHIFT = 1e8
TYPES = ["full", "tied", "diag", "spherical"]


def three_blobs(seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0, 0.0], [2.5, 0.0, 1.0], [0.0, 2.5, -1.0]])
    return np.vstack([rng.normal(size=(80, 3)) + c for c in centres])


def shifted(params: GaussianMixtureParams, shift: float) -> GaussianMixtureParams:
    return GaussianMixtureParams(
        params.weights, params.means + shift, params.covariances, params.covariance_type
    )


@pytest.mark.parametrize("covariance_type", TYPES)
def test_densities_and_responsibilities_do_not_move(covariance_type):
    X = three_blobs()
    params = initialize(X, 3, "kmeans", covariance_type=covariance_type, random_state=0)
    far_X, far_params = X + SHIFT, shifted(params, SHIFT)
    # x − μ is exact to ~1e-8 at 10⁸ (float64 spacing there is 1.5e-8)
    np.testing.assert_allclose(
        log_gaussian_density(far_X, far_params), log_gaussian_density(X, params), atol=1e-6
    )
    np.testing.assert_allclose(
        responsibilities(far_X, far_params), responsibilities(X, params), atol=1e-6
    )
    np.testing.assert_allclose(
        log_likelihood(far_X, far_params), log_likelihood(X, params), rtol=1e-9
    )


@pytest.mark.parametrize("covariance_type", TYPES)
@pytest.mark.parametrize("engine", ["steps", "fused"])
def test_a_whole_run_moves_only_its_means(covariance_type, engine):
    X = three_blobs(1)
    params = initialize(X, 3, "kmeans", covariance_type=covariance_type, random_state=0)
    near = run_em(X, params, max_iter=8, tol=0.0, engine=engine)
    far = run_em(X + SHIFT, shifted(params, SHIFT), max_iter=8, tol=0.0, engine=engine)
    np.testing.assert_allclose(far.log_likelihoods, near.log_likelihoods, rtol=1e-7)
    for a, b in zip(far.params, near.params):
        np.testing.assert_allclose(a.means - SHIFT, b.means, atol=1e-6)
        np.testing.assert_allclose(a.weights, b.weights, atol=1e-6)
        np.testing.assert_allclose(a.covariances, b.covariances, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(far.responsibilities(8), near.responsibilities(8), atol=1e-6)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # max_iter=1
@pytest.mark.parametrize("covariance_type", TYPES)
def test_the_estimator_predicts_the_same_far_away(covariance_type):
    X = three_blobs(2)
    near = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    far = GaussianMixture(
        3,
        covariance_type=covariance_type,
        means_init=near.means_ + SHIFT,
        weights_init=near.weights_,
        precisions_init=near.precisions_,
        max_iter=1,
        tol=0.0,
    ).fit(X + SHIFT)
    again = GaussianMixture(
        3,
        covariance_type=covariance_type,
        means_init=near.means_,
        weights_init=near.weights_,
        precisions_init=near.precisions_,
        max_iter=1,
        tol=0.0,
    ).fit(X)
    np.testing.assert_allclose(far.predict_proba(X + SHIFT), again.predict_proba(X), atol=1e-6)
    np.testing.assert_array_equal(far.predict(X + SHIFT), again.predict(X))
    np.testing.assert_allclose(far.score(X + SHIFT), again.score(X), rtol=1e-9)
    np.testing.assert_allclose(far.bic(X + SHIFT), again.bic(X), rtol=1e-9)
