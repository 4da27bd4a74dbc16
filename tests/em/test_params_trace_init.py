"""The parameters value, the initialisations and the recorded trace."""

import pickle

import blob_data
import numpy as np
import pytest

from gmmlearn import (
    INIT_METHODS,
    GaussianMixtureParams,
    init_bounding_box,
    initialize,
    log_likelihood,
    responsibilities,
    run_em,
)
from gmmlearn.params import COVARIANCE_TYPES


@pytest.fixture
def blobs():
    return blob_data.blobs("far_3d")


# ---------------------------------------------------------------------------
# GaussianMixtureParams
# ---------------------------------------------------------------------------


def test_params_are_immutable_and_derive_precisions():
    cov = np.array([[[2.0, 0.5], [0.5, 1.0]]])
    p = GaussianMixtureParams([1.0], [[0.0, 1.0]], cov)
    np.testing.assert_allclose(p.precisions[0], np.linalg.inv(cov[0]))
    np.testing.assert_allclose(
        p.precisions_cholesky[0] @ p.precisions_cholesky[0].T, np.linalg.inv(cov[0])
    )
    with pytest.raises(ValueError):
        p.means[0, 0] = 3.0
    with pytest.raises(AttributeError):
        p.weights = np.array([1.0])


def test_caller_arrays_are_copied():
    means = np.zeros((1, 2))
    p = GaussianMixtureParams([1.0], means, np.eye(2)[None])
    means[0, 0] = 9.0
    assert p.means[0, 0] == 0.0


@pytest.mark.parametrize(
    "weights, means, cov, kind, message",
    [
        ([0.5, 0.6], np.zeros((2, 2)), np.stack([np.eye(2)] * 2), "full", "sum to 1"),
        ([1.5, -0.5], np.zeros((2, 2)), np.stack([np.eye(2)] * 2), "full", "non-negative"),
        ([1.0], np.zeros((2, 2)), np.stack([np.eye(2)] * 2), "full", "means must have shape"),
        ([1.0], np.zeros((1, 2)), np.eye(3)[None], "full", "must have shape"),
        ([1.0], np.zeros((1, 2)), np.array([[[1.0, 2.0], [0.0, 1.0]]]), "full", "not symmetric"),
        ([1.0], np.zeros((1, 2)), np.array([[[1.0, 2.0], [2.0, 1.0]]]), "full", "reg_covar"),
        ([1.0], np.zeros((1, 2)), np.array([[1.0, -1.0]]), "diag", "not positive"),
        ([1.0], np.zeros((1, 2)), np.eye(2), "banana", "unknown covariance_type"),
        ([1.0], [[np.nan, 0.0]], np.eye(2)[None], "full", "NaN"),
    ],
)
def test_invalid_params_say_how_to_fix(weights, means, cov, kind, message):
    with pytest.raises(ValueError, match=message):
        GaussianMixtureParams(weights, means, cov, kind)


def test_complex_params_are_refused():
    with pytest.raises(TypeError, match="real numbers"):
        GaussianMixtureParams([1.0], np.zeros((1, 2), complex), np.eye(2)[None])


def test_from_precisions_round_trips():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(3, 4, 4))
    cov = a @ a.transpose(0, 2, 1) + np.eye(4)
    p = GaussianMixtureParams(np.ones(3) / 3, rng.normal(size=(3, 4)), cov)
    q = GaussianMixtureParams.from_precisions(p.weights, p.means, p.precisions)
    assert p.allclose(q, rtol=1e-10)


# ---------------------------------------------------------------------------
# Initialisation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", INIT_METHODS)
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_every_init_is_valid_and_reproducible(blobs, method, covariance_type):
    a = initialize(blobs, 3, method, covariance_type=covariance_type, random_state=5)
    b = initialize(blobs, 3, method, covariance_type=covariance_type, random_state=5)
    assert a.n_components == 3 and a.n_features == 3
    assert a.covariance_type == covariance_type
    assert a.allclose(b, rtol=0)


def test_bounding_box_is_the_seeds_scheme(blobs):
    p = init_bounding_box(blobs, 4, random_state=0)
    np.testing.assert_allclose(p.weights, 0.25)
    assert np.all(p.means >= blobs.min()) and np.all(p.means <= blobs.max())
    for cov in p.covariances:
        np.testing.assert_allclose(cov, blobs.T @ blobs / len(blobs))


def test_user_given_parts_take_precedence(blobs):
    means = np.array([[0.0, 0, 0], [1, 1, 1], [2, 2, 2]])
    p = initialize(blobs, 3, "kmeans", random_state=0, means_init=means)
    np.testing.assert_array_equal(p.means, means)
    full = initialize(
        blobs,
        3,
        weights_init=[0.2, 0.3, 0.5],
        means_init=means,
        precisions_init=np.stack([np.eye(3)] * 3),
    )
    np.testing.assert_allclose(full.covariances, np.stack([np.eye(3)] * 3))


def test_wrong_init_shape_and_method_are_explained(blobs):
    with pytest.raises(ValueError, match="means_init has shape"):
        initialize(blobs, 3, means_init=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="unknown init method 'kmean'"):
        initialize(blobs, 3, "kmean")


def test_init_equals_sklearn_for_the_same_random_state(blobs):
    from sklearn.mixture import GaussianMixture

    for method in ("kmeans", "k-means++", "random", "random_from_data"):
        sk = GaussianMixture(3, init_params=method, random_state=11, max_iter=0).fit(blobs)
        ours = initialize(blobs, 3, method, random_state=11)
        np.testing.assert_allclose(ours.means, sk.means_, rtol=1e-12, atol=1e-12)
        # sklearn leaves θ₀'s weights unnormalised for one-point inits (they sum to K/N);
        # γ does not change with a common factor, so only the proportions must agree.
        np.testing.assert_allclose(ours.weights, sk.weights_ / sk.weights_.sum(), rtol=1e-12)


# ---------------------------------------------------------------------------
# Trace
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_trace_records_every_iteration(blobs, covariance_type):
    theta0 = initialize(blobs, 3, "bounding-box", covariance_type=covariance_type, random_state=1)
    trace = run_em(blobs, theta0, max_iter=25, tol=0.0)
    assert trace.n_iter == 25 and len(trace.params) == 26 and not trace.converged
    assert trace.params[0] is theta0
    for t in (0, 7, 25):
        assert trace.log_likelihoods[t] == pytest.approx(
            log_likelihood(blobs, trace.params[t]), rel=1e-12
        )
        np.testing.assert_allclose(
            trace.responsibilities(t), responsibilities(blobs, trace.params[t])
        )
    ll = trace.log_likelihoods
    assert np.all(np.diff(ll) >= -1e-10 * np.abs(ll[1:])), "log-likelihood decreased"


def test_trace_stops_by_tolerance(blobs):
    trace = run_em(blobs, initialize(blobs, 3, random_state=0), max_iter=500, tol=1e-6)
    assert trace.converged and trace.n_iter < 500
    mean = trace.mean_log_likelihoods
    assert abs(mean[trace.n_iter - 1] - mean[trace.n_iter - 2]) < 1e-6


def test_half_steps(blobs):
    trace = run_em(blobs, initialize(blobs, 3, random_state=0), max_iter=3, tol=0)
    assert trace.n_half_steps == 7
    phases = [trace.half_step(i).phase for i in range(7)]
    assert phases == ["init", "E", "M", "E", "M", "E", "M"]
    e, m = trace.half_step(3), trace.half_step(4)
    assert e.iteration == m.iteration == 2
    assert e.params is trace.params[1] and m.params is trace.params[2]
    assert e.resp_iteration == m.resp_iteration == 1  # the M-step keeps the colours
    with pytest.raises(IndexError):
        trace.half_step(7)


def test_trace_does_not_store_responsibilities(blobs):
    trace = run_em(blobs, initialize(blobs, 3, random_state=0), max_iter=50, tol=0)
    for t in range(trace.n_iter + 1):
        trace.responsibilities(t)
    stored = sum(a.size for a in trace._resp_cache.values())
    assert stored <= 8 * blobs.shape[0] * 3  # a small cache, not N·K·T
    trace2 = pickle.loads(pickle.dumps(trace))
    np.testing.assert_allclose(trace2.responsibilities(4), trace.responsibilities(4))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_trace_computes_responsibilities_of_many_points_in_blocks(
    blobs, covariance_type, monkeypatch
):
    import gmmlearn.trace

    calls = []
    real = gmmlearn.trace.responsibilities

    def counted(X, params):
        calls.append(X.shape[0])
        return real(X, params)

    monkeypatch.setattr(gmmlearn.trace, "_ROWS_PER_BLOCK", 64)
    monkeypatch.setattr(gmmlearn.trace, "responsibilities", counted)
    initial = initialize(blobs, 3, covariance_type=covariance_type, random_state=0)
    trace = run_em(blobs, initial, max_iter=5, tol=0)
    resp = trace.responsibilities(-1)
    assert calls == [64, 64, 64, 64, 44]  # 300 rows: never N×K temporaries at once
    np.testing.assert_allclose(resp, real(blobs, trace.final_params), rtol=1e-13, atol=1e-300)
