"""gmmlearn.GaussianMixture as a scikit-learn estimator, and its own promises."""

import contextlib
import doctest
import io
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

import gmmlearn.gaussian_mixture
from gmmlearn import GaussianMixture
from gmmlearn.initialization import INIT_METHODS, initialize
from gmmlearn.params import COVARIANCE_TYPES


@pytest.fixture(autouse=True)
def _no_convergence_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


# ---------------------------------------------------------------------------
# scikit-learn's own estimator checks, one test each
# ---------------------------------------------------------------------------


@parametrize_with_checks([GaussianMixture()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_docstring_examples_run():
    result = doctest.testmod(gmmlearn.gaussian_mixture, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 5
    assert result.failed == 0


# ---------------------------------------------------------------------------
# Fitting
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize(("max_iter", "tol"), [(1, 0.0), (5, 0.0), (100, 1e-3)])
def test_fit_predict_equals_fit_then_predict(blobs, covariance_type, max_iter, tol):
    kwargs = dict(
        n_components=3,
        covariance_type=covariance_type,
        max_iter=max_iter,
        tol=tol,
        init_params="random",
        random_state=0,
    )
    labels = GaussianMixture(**kwargs).fit_predict(blobs)
    np.testing.assert_array_equal(labels, GaussianMixture(**kwargs).fit(blobs).predict(blobs))


def test_n_init_keeps_the_best(blobs):
    """n_init=5 draws the same five θ₀ as five fits sharing one generator, and keeps the best."""
    kwargs = dict(n_components=4, init_params="random_from_data", max_iter=20)
    shared = np.random.RandomState(3)
    singles = [GaussianMixture(**kwargs, random_state=shared).fit(blobs) for _ in range(5)]
    bounds = [g.lower_bound_ for g in singles]
    assert len(set(np.round(bounds, 8))) > 1, "the five starts should reach different optima"
    best = GaussianMixture(**kwargs, n_init=5, random_state=3).fit(blobs)
    winner = singles[int(np.argmax(bounds))]
    assert best.lower_bound_ == max(bounds)
    assert best.params_.allclose(winner.params_, rtol=0)
    assert best.lower_bounds_ == winner.lower_bounds_
    assert best.n_iter_ == winner.n_iter_


def test_warm_start_continues_the_previous_fit(blobs):
    """k warm fits of one iteration = one cold fit of k iterations from the same θ₀."""
    kwargs = dict(n_components=3, covariance_type="diag", tol=0, random_state=0)
    warm = GaussianMixture(**kwargs, max_iter=1, warm_start=True)
    for _ in range(6):
        warm.fit(blobs)
        assert warm.n_iter_ == 1
    cold = GaussianMixture(**kwargs, max_iter=6).fit(blobs)
    np.testing.assert_allclose(warm.means_, cold.means_, rtol=1e-12)
    np.testing.assert_allclose(warm.covariances_, cold.covariances_, rtol=1e-12)
    np.testing.assert_allclose(warm.lower_bound_, cold.lower_bounds_[-1], rtol=1e-12)
    # without warm_start a refit starts again from the same θ₀
    again = GaussianMixture(**kwargs, max_iter=1).fit(blobs).fit(blobs)
    assert again.params_.allclose(GaussianMixture(**kwargs, max_iter=1).fit(blobs).params_)


def test_warm_start_of_a_converged_fit_stops_at_once(blobs):
    gm = GaussianMixture(3, warm_start=True, random_state=0).fit(blobs)
    assert gm.converged_
    gm.fit(blobs)
    assert gm.converged_ and gm.n_iter_ == 1 and gm.trace_.n_iter == 1


def test_warm_start_with_a_changed_shape_says_how_to_fix(blobs):
    gm = GaussianMixture(3, warm_start=True, random_state=0).fit(blobs)
    gm.set_params(n_components=4)
    with pytest.raises(ValueError, match="warm_start=False"):
        gm.fit(blobs)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("init_params", INIT_METHODS)
def test_trace_matches_fitted_attributes(blobs, covariance_type, init_params):
    gm = GaussianMixture(
        3, covariance_type=covariance_type, init_params=init_params, random_state=1
    ).fit(blobs)
    trace, params = gm.trace_, gm.params_
    assert trace.final_params is params
    for name, value in [
        ("weights_", params.weights),
        ("means_", params.means),
        ("covariances_", params.covariances),
        ("precisions_cholesky_", params.precisions_cholesky),
        ("precisions_", params.precisions),
    ]:
        np.testing.assert_array_equal(getattr(gm, name), value, err_msg=name)
    assert trace.n_iter == gm.n_iter_ and trace.converged == gm.converged_
    np.testing.assert_array_equal(trace.mean_log_likelihoods[: gm.n_iter_], gm.lower_bounds_)
    assert gm.lower_bound_ == gm.lower_bounds_[-1]
    # the log-likelihood does not decrease here (reg_covar = 1e-6 could lower it, by at most
    # reg_covar_penalty's change: far below this rounding tolerance on these data)
    ll = trace.log_likelihoods
    assert np.all(np.diff(ll) >= -1e-10 * np.abs(ll[1:]))
    # score is the mean log-likelihood of the final θ, the trace's last entry
    np.testing.assert_allclose(gm.score(blobs), trace.mean_log_likelihoods[-1], rtol=1e-12)


def test_max_iter_zero_only_initialises(blobs):
    gm = GaussianMixture(3, max_iter=0, init_params="k-means++", random_state=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        gm.fit(blobs)
    theta0 = initialize(blobs, 3, "k-means++", random_state=4)
    assert gm.params_.allclose(theta0, rtol=0)
    assert (gm.n_iter_, gm.converged_, gm.lower_bound_, gm.lower_bounds_) == (0, False, -np.inf, [])


def test_same_random_state_same_fit_different_state_different_start(blobs):
    kwargs = dict(n_components=4, init_params="random_from_data", max_iter=3)
    a = GaussianMixture(**kwargs, random_state=11).fit(blobs)
    b = GaussianMixture(**kwargs, random_state=11).fit(blobs)
    c = GaussianMixture(**kwargs, random_state=12).fit(blobs)
    assert a.params_.allclose(b.params_, rtol=0)
    assert a.lower_bounds_ == b.lower_bounds_
    assert not np.array_equal(a.trace_.params[0].means, c.trace_.params[0].means)


def test_pickled_estimator_predicts_the_same(blobs):
    gm = GaussianMixture(3, covariance_type="tied", random_state=0).fit(blobs)
    copy = pickle.loads(pickle.dumps(gm))
    np.testing.assert_array_equal(copy.predict_proba(blobs), gm.predict_proba(blobs))
    np.testing.assert_array_equal(copy.means_, gm.means_)
    assert copy.trace_.n_iter == gm.trace_.n_iter
    np.testing.assert_array_equal(copy.trace_.responsibilities(-1), gm.predict_proba(blobs))
    assert clone(gm).get_params() == gm.get_params()


def test_fitted_arrays_are_read_only_views_of_params(blobs):
    gm = GaussianMixture(2, random_state=0).fit(blobs)
    with pytest.raises(ValueError, match="read-only"):
        gm.means_[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        gm.precisions_[0, 0, 0] = 1.0


# ---------------------------------------------------------------------------
# Using the fit
# ---------------------------------------------------------------------------


def test_methods_agree_with_each_other(blobs):
    gm = GaussianMixture(3, covariance_type="full", random_state=0).fit(blobs)
    resp = gm.predict_proba(blobs)
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(resp.argmax(axis=1), gm.predict(blobs))
    np.testing.assert_allclose(gm.score(blobs), gm.score_samples(blobs).mean(), rtol=1e-14)
    n, p = len(blobs), 3 * 2 * 3 / 2 + 3 * 2 + 2  # full covariances, means, weights
    total = gm.score(blobs) * n
    np.testing.assert_allclose(gm.bic(blobs), -2 * total + p * np.log(n), rtol=1e-12)
    np.testing.assert_allclose(gm.aic(blobs), -2 * total + 2 * p, rtol=1e-12)
    assert gm.bic(blobs.tolist()) == gm.bic(blobs)  # lists are accepted


@pytest.mark.parametrize(
    "covariance_type, n_covariance_parameters",
    [
        ("full", 3 * 2 * 3 / 2),  # K symmetric D×D matrices: D(D+1)/2 each
        ("tied", 2 * 3 / 2),  # one symmetric D×D matrix
        ("diag", 3 * 2),  # K·D variances
        ("spherical", 3),  # K variances
    ],
)
def test_bic_and_aic_count_the_free_parameters_of_every_covariance_type(
    blobs, covariance_type, n_covariance_parameters
):
    gm = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(blobs)
    n, n_features = blobs.shape
    assert n_features == 2
    p = n_covariance_parameters + 3 * 2 + (3 - 1)  # covariances, K·D means, K − 1 weights
    total = gm.score(blobs) * n
    np.testing.assert_allclose(gm.bic(blobs), -2 * total + p * np.log(n), rtol=1e-12)
    np.testing.assert_allclose(gm.aic(blobs), -2 * total + 2 * p, rtol=1e-12)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_sample_is_drawn_from_the_fit(blobs, covariance_type):
    gm = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(blobs)
    X, y = gm.sample(20_000)
    assert X.shape == (20_000, 2) and y.shape == (20_000,)
    counts = np.bincount(y, minlength=3) / len(y)
    np.testing.assert_allclose(counts, gm.weights_, atol=0.02)
    full = gm.params_.full_covariances()
    for k in range(3):
        np.testing.assert_allclose(X[y == k].mean(axis=0), gm.means_[k], atol=0.1)
        np.testing.assert_allclose(np.cov(X[y == k].T), full[k], rtol=0.1, atol=0.05)
    np.testing.assert_array_equal(gm.sample(5)[0], gm.sample(5)[0])  # int seed: repeatable


def test_unfitted_estimator_says_so(blobs):
    gm = GaussianMixture(2)
    for method in (gm.predict, gm.predict_proba, gm.score, gm.score_samples, gm.bic):
        with pytest.raises(NotFittedError):
            method(blobs)
    with pytest.raises(NotFittedError):
        gm.sample(3)


# ---------------------------------------------------------------------------
# Bad input: clear errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"tol": -1.0}, r"'tol' parameter .* range \[0.0, inf\)"),
        ({"reg_covar": -1e-6}, r"'reg_covar' parameter .* range \[0.0, inf\)"),
        ({"max_iter": -1}, r"'max_iter' parameter .* range \[0, inf\)"),
        ({"max_iter": 2.5}, r"'max_iter' parameter .* int"),
        ({"n_init": 0}, r"'n_init' parameter .* range \[1, inf\)"),
        ({"n_components": 0}, r"'n_components' parameter .* range \[1, inf\)"),
        ({"covariance_type": "fulll"}, r"'covariance_type' parameter .*'spherical'"),
        ({"init_params": "kmean"}, r"'init_params' parameter .*'bounding-box'"),
        ({"verbose_interval": 0}, r"'verbose_interval' parameter"),
    ],
)
def test_bad_hyperparameters_are_named(blobs, params, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixture(**params).fit(blobs)


def test_more_components_than_points_says_how_to_fix():
    X = np.arange(10.0).reshape(5, 2)
    with pytest.raises(ValueError, match=r"n_components=6 .* \(5\): use at most 5"):
        GaussianMixture(6).fit(X)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"weights_init": np.ones(2) / 2}, r"weights_init has shape \(2,\) .* need \(3,\)"),
        ({"means_init": np.zeros((3, 3))}, r"means_init has shape \(3, 3\) .* need \(3, 2\)"),
        ({"precisions_init": np.ones((3, 2))}, r"precisions_init has shape .* need \(3, 2, 2\)"),
        ({"weights_init": [0.5, 0.4, 0.3]}, r"weights_init sums to 1\.2, not 1"),
        ({"weights_init": [1.2, -0.1, -0.1]}, r"weights_init\[1\] = -0\.1 is negative"),
        ({"means_init": np.full((3, 2), np.nan)}, r"means_init contains NaN"),
        (
            {"precisions_init": -np.ones((3, 2, 2))},
            r"precisions_init\[0\] is not positive definite",
        ),
        ({"precisions_init": np.tile([[1.0, 0.5], [0.0, 1.0]], (3, 1, 1))}, "not symmetric"),
    ],
)
def test_bad_initial_parameters_are_named(blobs, params, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixture(3, **params).fit(blobs)


def test_bad_data_and_bad_sample_sizes(blobs):
    with pytest.raises(ValueError, match="1 sample"):
        GaussianMixture(1).fit(blobs[:1])
    gm = GaussianMixture(2, random_state=0).fit(blobs)
    with pytest.raises(ValueError, match="X has 3 features, but GaussianMixture is expecting 2"):
        gm.predict(np.ones((4, 3)))
    with pytest.raises(ValueError, match="n_samples must be at least 1"):
        gm.sample(0)
    with pytest.raises(TypeError, match="n_samples must be an integer"):
        gm.sample(2.5)


def test_verbose_prints_every_interval(blobs):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        gm = GaussianMixture(3, verbose=2, verbose_interval=1, tol=0, max_iter=4).fit(blobs)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Initialization 0"
    assert [line.split("\t")[0] for line in lines[1:5]] == [f"  Iteration {i}" for i in range(1, 5)]
    change = gm.lower_bounds_[3] - gm.lower_bounds_[2]
    assert lines[4].endswith(f"ll change {change:.5f}")
    assert lines[5].startswith("Initialization did not converge. time lapse")
    assert lines[5].endswith(f"lower bound {gm.lower_bound_:.5f}.")
