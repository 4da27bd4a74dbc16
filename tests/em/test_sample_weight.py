"""sample_weight: weighted N_k, π, μ, Σ and log-likelihood in the step functions, both engines and
the estimator (issue #14; scikit-learn's GaussianMixture has no weights, its issue #15647).

What a weight must mean: w_n counts point n as w_n points. So integer weights give exactly the
fit on the rows repeated (from the same θ₀), scaling every weight changes nothing, a weight of 0
is the same as leaving the row out, and bad weights get a one-line error.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gmmlearn import (
    GaussianMixture,
    component_covariances,
    component_means,
    e_step,
    effective_counts,
    initialize,
    log_likelihood,
    m_step,
    responsibilities,
    run_em,
)
from gmmlearn.datasets import make_four_blobs
from gmmlearn.params import COVARIANCE_TYPES

RTOL = 1e-10


@pytest.fixture(scope="module")
def data():
    X = make_four_blobs(120, random_state=5)[:, :2]
    weights = np.random.default_rng(1).integers(0, 4, len(X)).astype(float)
    weights[:3] = [1.0, 2.0, 3.0]  # some of each
    return X, weights


def _repeated(X, weights):
    return np.repeat(X, weights.astype(int), axis=0)


def _assert_same_params(a, b, rtol=RTOL):
    np.testing.assert_allclose(a.weights, b.weights, rtol=rtol, atol=1e-14)
    np.testing.assert_allclose(a.means, b.means, rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(a.covariances, b.covariances, rtol=rtol, atol=1e-12)


# ---------------------------------------------------------------------------
# Step functions against loops over the points
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_weighted_updates_equal_a_loop_over_points(data, covariance_type):
    X, w = data
    theta = initialize(X, 3, covariance_type=covariance_type, random_state=0)
    resp = responsibilities(X, theta)
    n_samples, n_components = resp.shape
    nk = effective_counts(resp, w)
    loop_nk = np.array([sum(w[n] * resp[n, k] for n in range(n_samples)) for k in range(3)])
    np.testing.assert_allclose(nk, loop_nk, rtol=1e-12)
    means = component_means(X, resp, nk, w)
    loop_means = np.array(
        [sum(w[n] * resp[n, k] * X[n] for n in range(n_samples)) / nk[k] for k in range(3)]
    )
    np.testing.assert_allclose(means, loop_means, rtol=1e-12)
    scatter = np.array(
        [
            sum(
                w[n] * resp[n, k] * np.outer(X[n] - means[k], X[n] - means[k])
                for n in range(n_samples)
            )
            / nk[k]
            for k in range(n_components)
        ]
    )
    expected = {
        "full": scatter,
        "tied": np.einsum("k,kij->ij", nk, scatter) / nk.sum(),
        "diag": np.diagonal(scatter, axis1=1, axis2=2),
        "spherical": np.diagonal(scatter, axis1=1, axis2=2).mean(axis=1),
    }[covariance_type]
    covariances = component_covariances(X, resp, nk, means, covariance_type, 0.0, w)
    np.testing.assert_allclose(covariances, expected, rtol=1e-11, atol=1e-14)
    from scipy.stats import multivariate_normal

    full = theta.full_covariances()
    densities = np.array(
        [
            [
                theta.weights[k] * multivariate_normal(theta.means[k], full[k]).pdf(x)
                for k in range(3)
            ]
            for x in X
        ]
    )
    np.testing.assert_allclose(
        log_likelihood(X, theta, w), np.dot(w, np.log(densities.sum(axis=1))), rtol=1e-12
    )
    assert e_step(X, theta, w)[1] == pytest.approx(log_likelihood(X, theta, w), rel=1e-13)


# ---------------------------------------------------------------------------
# What a weight means, through both engines
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["steps", "fused"])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_integer_weights_are_repeated_rows(data, covariance_type, engine):
    X, w = data
    theta0 = initialize(X, 3, covariance_type=covariance_type, random_state=2)
    weighted = run_em(X, theta0, max_iter=25, tol=0, engine=engine, sample_weight=w)
    repeated = run_em(_repeated(X, w), theta0, max_iter=25, tol=0, engine=engine)
    for a, b in zip(weighted.params, repeated.params):
        _assert_same_params(a, b)
    np.testing.assert_allclose(weighted.log_likelihoods, repeated.log_likelihoods, rtol=RTOL)
    np.testing.assert_allclose(
        weighted.mean_log_likelihoods, repeated.mean_log_likelihoods, rtol=RTOL
    )


@pytest.mark.parametrize("engine", ["steps", "fused"])
def test_scaling_every_weight_changes_nothing(data, engine):
    X, w = data
    theta0 = initialize(X, 3, random_state=2)
    one = run_em(X, theta0, max_iter=200, tol=1e-6, engine=engine, sample_weight=w)
    scaled = run_em(X, theta0, max_iter=200, tol=1e-6, engine=engine, sample_weight=7.3 * w)
    assert one.n_iter == scaled.n_iter  # tol is per unit of weight
    for a, b in zip(one.params, scaled.params):
        _assert_same_params(a, b)
    np.testing.assert_allclose(scaled.log_likelihoods, 7.3 * one.log_likelihoods, rtol=RTOL)
    np.testing.assert_allclose(scaled.mean_log_likelihoods, one.mean_log_likelihoods, rtol=RTOL)


@pytest.mark.parametrize("engine", ["steps", "fused"])
def test_a_zero_weight_drops_the_row(data, engine):
    X, w = data
    kept = w > 0
    theta0 = initialize(X, 3, random_state=2)
    weighted = run_em(X, theta0, max_iter=20, tol=0, engine=engine, sample_weight=w)
    dropped = run_em(X[kept], theta0, max_iter=20, tol=0, engine=engine, sample_weight=w[kept])
    for a, b in zip(weighted.params, dropped.params):
        _assert_same_params(a, b)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_both_engines_agree_with_weights(data, covariance_type):
    X, w = data
    theta0 = initialize(X, 4, covariance_type=covariance_type, random_state=3)
    steps = run_em(X, theta0, max_iter=15, tol=0, engine="steps", sample_weight=0.5 + w)
    fused = run_em(X, theta0, max_iter=15, tol=0, engine="fused", sample_weight=0.5 + w)
    for a, b in zip(steps.params, fused.params):
        _assert_same_params(a, b)
    np.testing.assert_allclose(steps.log_likelihoods, fused.log_likelihoods, rtol=RTOL)


def test_a_weighted_trace_splits_its_log_likelihood_into_l_and_kl(data):
    X, w = data
    trace = run_em(X, initialize(X, 3, random_state=4), max_iter=8, tol=0, sample_weight=w)
    np.testing.assert_allclose(
        trace.lower_bounds() + trace.kls(), trace.half_step_log_likelihoods(), rtol=1e-10
    )
    assert np.all(trace.kls()[1::2] == 0) and np.all(trace.kls()[2::2] >= -1e-9)


def test_unit_weights_change_nothing(data):
    X, _ = data
    theta0 = initialize(X, 3, random_state=2)
    plain = run_em(X, theta0, max_iter=10, tol=0)
    ones = run_em(X, theta0, max_iter=10, tol=0, sample_weight=np.ones(len(X)))
    for a, b in zip(plain.params, ones.params):
        _assert_same_params(a, b, rtol=1e-13)


# ---------------------------------------------------------------------------
# The estimator
# ---------------------------------------------------------------------------


def test_the_estimator_takes_weights(data):
    X, w = data
    start = GaussianMixture(3, random_state=0).fit(X)
    given = dict(
        weights_init=start.weights_, means_init=start.means_, precisions_init=start.precisions_
    )
    weighted = GaussianMixture(3, tol=1e-8, max_iter=2000, **given).fit(X, sample_weight=w)
    repeated = GaussianMixture(3, tol=1e-8, max_iter=2000, **given).fit(_repeated(X, w))
    _assert_same_params(weighted.params_, repeated.params_)
    assert weighted.n_iter_ == repeated.n_iter_
    assert weighted.lower_bound_ == pytest.approx(repeated.lower_bound_, rel=RTOL)
    labels = GaussianMixture(3, tol=1e-8, max_iter=2000, **given).fit_predict(X, sample_weight=w)
    np.testing.assert_array_equal(labels, weighted.predict(X))
    # from its own (weighted k-means) start: weighing the right half of the data up moves
    # the mixture's mass there
    heavy = np.where(X[:, 0] > np.median(X[:, 0]), 10.0, 1.0)
    centre = lambda gm: gm.weights_ @ gm.means_[:, 0]  # noqa: E731
    plain = GaussianMixture(3, random_state=0).fit(X)
    tilted = GaussianMixture(3, random_state=0).fit(X, sample_weight=heavy)
    assert centre(tilted) > centre(plain) + 0.5 * X[:, 0].std()
    np.testing.assert_allclose(centre(tilted), np.average(X[:, 0], weights=heavy), rtol=1e-6)


@pytest.mark.parametrize(
    "sample_weight, error, message",
    # fmt: off
    [
        (lambda n: np.ones(n - 1), ValueError, r"has shape \(\d+,\) but X has \d+ rows"),
        (lambda n: -np.ones(n), ValueError, r"sample_weight\[0\] = -1.0: weights must be finite"),
        (lambda n: np.r_[np.nan, np.ones(n - 1)], ValueError, r"sample_weight\[0\] = nan"),
        (lambda n: np.r_[np.ones(n - 1), np.inf], ValueError, r"= inf: weights must be finite"),
        (lambda n: np.zeros(n), ValueError, r"sample_weight is all zero: give at least one row"),
        (
            lambda n: np.r_[1.0, 1.0, np.zeros(n - 2)],
            ValueError,
            r"only 2 rows have a positive sample_weight, fewer than the 3 components",
        ),
        (lambda n: ["a"] * n, TypeError, r"sample_weight must be numbers, one per row of X"),
    ],
    # fmt: on
)
def test_bad_weights_get_one_line_errors(data, sample_weight, error, message):
    X, _ = data
    weights = sample_weight(len(X))
    theta0 = initialize(X, 3, random_state=0)
    for fit in (
        lambda: GaussianMixture(3).fit(X, sample_weight=weights),
        lambda: run_em(X, theta0, sample_weight=weights),
        lambda: initialize(X, 3, sample_weight=weights),
    ):
        with pytest.raises(error, match=message) as info:
            fit()
        assert "\n" not in str(info.value)


# ---------------------------------------------------------------------------
# Property: integer weights = repeated rows, for random data, K, covariance type, weights
# ---------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n_components=st.integers(1, 4),
    covariance_type=st.sampled_from(COVARIANCE_TYPES),
)
def test_integer_weights_are_repeated_rows_property(seed, n_components, covariance_type):
    rng = np.random.default_rng(seed)
    n_features = int(rng.integers(1, 4))
    X = rng.normal(size=(40, n_features)) * rng.uniform(0.1, 10) + rng.normal(size=n_features)
    w = rng.integers(0, 4, len(X)).astype(float)
    w[:n_components] = 1.0 + rng.integers(0, 3, n_components)  # at least K positive
    theta0 = initialize(X, n_components, covariance_type=covariance_type, random_state=seed)
    weighted = m_step(X, responsibilities(X, theta0), covariance_type, 1e-6, w)
    repeated_X = _repeated(X, w)
    repeated = m_step(repeated_X, responsibilities(repeated_X, theta0), covariance_type, 1e-6)
    _assert_same_params(weighted, repeated)
    assert log_likelihood(X, weighted, w) == pytest.approx(
        log_likelihood(repeated_X, weighted), rel=RTOL
    )


def test_the_fused_pass_weighs_every_chunk_and_thread(data):
    from gmmlearn import fast

    X, w = data
    X, w = np.tile(X, (30, 1)), np.tile(w + 0.25, 30)  # 3600 rows: 12 chunks of 300
    theta = initialize(X, 3, random_state=0)
    expected = m_step(X, responsibilities(X, theta), "full", 1e-6, w)
    for n_threads in (1, 2):
        new, total = fast.em_iteration(
            X, theta, 1e-6, sample_weight=w, chunk_size=300, n_threads=n_threads
        )
        _assert_same_params(new, expected)
        assert total == pytest.approx(log_likelihood(X, theta, w), rel=RTOL)
