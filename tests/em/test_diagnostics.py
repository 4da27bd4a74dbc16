"""gmmlearn.diagnostics: parameter counts, BIC/AIC and collapsed components of an EM run."""

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

from gmmlearn.datasets import load_x
from gmmlearn.diagnostics import collapsed_components, information_criteria, n_parameters
from gmmlearn.params import COVARIANCE_TYPES, GaussianMixtureParams
from gmmlearn.trace import run_em, run_trace


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize(("n_components", "n_features"), [(1, 1), (3, 2), (5, 4)])
def test_n_parameters_counts_as_scikit_learn(covariance_type, n_components, n_features):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, n_features))
    reference = SklearnGaussianMixture(n_components, covariance_type=covariance_type).fit(X)
    assert n_parameters(covariance_type, n_components, n_features) == reference._n_parameters()


def test_n_parameters_by_hand():
    # K = 3, D = 2, full: 2 weights + 6 means + 3·3 covariance entries
    assert n_parameters("full", 3, 2) == 2 + 6 + 9
    assert n_parameters("tied", 3, 2) == 2 + 6 + 3


def test_n_parameters_names_a_bad_covariance_type():
    with pytest.raises(ValueError, match="covariance"):
        n_parameters("ful", 3, 2)


def test_information_criteria_follow_their_formulas():
    trace = run_trace(load_x(), 3, "kmeans")
    criteria = information_criteria(trace)
    p, n = n_parameters("full", 3, load_x().shape[1]), load_x().shape[0]
    assert criteria["n_parameters"] == p and criteria["n_samples"] == n
    assert criteria["log_likelihood"] == pytest.approx(trace.log_likelihoods[-1])
    assert criteria["bic"] == pytest.approx(-2 * trace.log_likelihoods[-1] + p * np.log(n))
    assert criteria["aic"] == pytest.approx(-2 * trace.log_likelihoods[-1] + 2 * p)


def test_a_component_on_one_point_has_collapsed():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(size=(60, 2)), [[40.0, 40.0]]])
    start = GaussianMixtureParams(
        np.array([0.5, 0.5]), np.array([[0.0, 0.0], [40.0, 40.0]]), np.stack([np.eye(2)] * 2)
    )
    assert collapsed_components(run_em(X, start)) == [1]
    assert collapsed_components(run_trace(X[:-1], 2, "kmeans")) == []
