"""Issue 22, the maths: one check for the step functions, weights that change nothing they
should not, true messages, and the collapse rule's accept side (each test failed before)."""

import re

import numpy as np
import pytest

from gmmlearn import (
    BayesianGaussianMixture,
    GaussianMixture,
    GaussianMixtureParams,
    _chunked,
    component_covariances,
    component_means,
    e_step,
    effective_counts,
    fused,
    initialize,
    log_gaussian_density,
    log_likelihood,
    log_responsibilities,
    log_weighted_densities,
    m_step,
    responsibilities,
    run_em,
)
from gmmlearn import params as params_module
from gmmlearn.bound import kl_to_posterior, lower_bound, lower_bound_and_kl
from gmmlearn.params import COVARIANCE_TYPES, check_not_collapsed


@pytest.fixture
def data():
    rng = np.random.default_rng(22)
    X = np.vstack([rng.normal(size=(60, 2)), rng.normal(size=(60, 2)) + [6.0, 1.0]])
    return X, initialize(X, 2, random_state=0)


def _uniform_q(n, k=2):
    return np.full((n, k), 1.0 / k)


# -- item 6 and 18: one check of X for every step function ---------------------------

STEP_FUNCTIONS = {
    "log_gaussian_density": lambda X, p: log_gaussian_density(X, p),
    "log_weighted_densities": lambda X, p: log_weighted_densities(X, p),
    "log_responsibilities": lambda X, p: log_responsibilities(X, p),
    "responsibilities": lambda X, p: responsibilities(X, p),
    "log_likelihood": lambda X, p: log_likelihood(X, p),
    "e_step": lambda X, p: e_step(X, p),
    "lower_bound": lambda X, p: lower_bound(X, _uniform_q(len(X)), p),
    "kl_to_posterior": lambda X, p: kl_to_posterior(X, _uniform_q(len(X)), p),
}


@pytest.mark.parametrize("function", STEP_FUNCTIONS, ids=str)
@pytest.mark.parametrize(
    "make_bad, message",
    [
        (lambda X: X[:, :1], r"X has 1 feature\(s\) but params has 2: pass X of shape"),
        (lambda X: np.where(np.arange(X.size).reshape(X.shape) == 7, np.nan, X), "contains NaN"),
        (lambda X: X[:, 0], "X is 1-D"),
    ],
    ids=["one-column", "nan", "1-d"],
)
def test_every_step_function_checks_x_as_run_em_does(data, function, make_bad, message):
    X, theta = data
    with pytest.raises(ValueError, match=message) as info:
        STEP_FUNCTIONS[function](make_bad(X), theta)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("function", ["lower_bound", "kl_to_posterior"])
def test_the_bound_refuses_a_dict_for_theta_with_one_line(data, function):
    X, theta = data
    as_dict = {"weights": theta.weights, "means": theta.means}
    with pytest.raises(TypeError, match="params must be a GaussianMixtureParams, got dict"):
        STEP_FUNCTIONS[function](X, as_dict)


def test_a_row_of_q_off_by_a_little_says_by_how_much(data):
    X, theta = data
    q = _uniform_q(len(X))
    q[3] *= 1.00001
    with pytest.raises(ValueError, match=r"row 3 of resp sums to 1\.00001\d* \(off by 1e-05\)"):
        lower_bound_and_kl(X, q, theta)


# -- item 13: the step functions check sample_weight as run_em does ---------------------


STEP_WEIGHTS = {
    "log_likelihood": lambda X, p, w: log_likelihood(X, p, w),
    "e_step": lambda X, p, w: e_step(X, p, w),
    "effective_counts": lambda X, p, w: effective_counts(responsibilities(X, p), w),
    "component_means": lambda X, p, w: component_means(
        X, responsibilities(X, p), np.ones(2), sample_weight=w
    ),
    "component_covariances": lambda X, p, w: component_covariances(
        X, responsibilities(X, p), np.ones(2), p.means, sample_weight=w
    ),
    "m_step": lambda X, p, w: m_step(X, responsibilities(X, p), sample_weight=w),
}


@pytest.mark.parametrize("function", STEP_WEIGHTS, ids=str)
@pytest.mark.parametrize(
    "make_weight, message",
    [
        (lambda n: np.ones((n, 1)), r"sample_weight has shape \(120, 1\) but X has 120 rows"),
        (lambda n: np.ones(n - 1), r"sample_weight has shape \(119,\) but X has 120 rows"),
        (lambda n: np.r_[-1.0, np.ones(n - 1)], r"sample_weight\[0\] = -1.0: weights must be"),
        (lambda n: np.r_[np.ones(n - 1), np.nan], r"sample_weight\[119\] = nan"),
        (lambda n: ["a"] * n, "sample_weight must be numbers"),
    ],
    ids=["column", "short", "negative", "nan", "strings"],
)
def test_the_step_functions_check_sample_weight(data, function, make_weight, message):
    X, theta = data
    with pytest.raises((ValueError, TypeError), match=message):
        STEP_WEIGHTS[function](X, theta, make_weight(len(X)))


def test_a_list_of_weights_is_the_array(data):
    X, theta = data
    w = np.linspace(0.5, 2.0, len(X))
    resp = responsibilities(X, theta)
    np.testing.assert_array_equal(effective_counts(resp, list(w)), effective_counts(resp, w))
    assert log_likelihood(X, theta, list(w)) == log_likelihood(X, theta, w)


# -- item 7: scaling every weight changes nothing, however small ------------------------


@pytest.mark.parametrize("engine", ["steps", "fused"])
@pytest.mark.parametrize("scale", [1e-20, 1e-300, 1e20])
def test_tiny_or_huge_weights_fit_what_unit_weights_fit(data, engine, scale):
    X, theta = data
    w = np.linspace(0.5, 2.0, len(X))
    one = run_em(X, theta, max_iter=10, tol=0, engine=engine, sample_weight=w).final_params
    scaled = run_em(X, theta, max_iter=10, tol=0, engine=engine, sample_weight=scale * w)
    assert scaled.final_params.allclose(one, rtol=1e-10, atol=1e-12)


def test_effective_counts_scale_with_the_weights():
    resp = np.array([[1.0, 0.0], [1.0, 0.0]])  # component 2 owns nothing
    w = np.array([1e-20, 3e-20])
    np.testing.assert_allclose(effective_counts(resp, w), 1e-20 * effective_counts(resp, w / 1e-20))


# -- item 8: a row of weight 0 is left out of the start ---------------------------------


@pytest.mark.parametrize("method", ["kmeans", "k-means++", "random", "random_from_data"])
def test_a_zero_weight_row_never_steers_the_start(data, method):
    X, _ = data
    w = np.linspace(0.5, 2.0, len(X))
    sentinel = np.vstack([X, [1e12, 1e12]])
    w0 = np.r_[w, 0.0]
    with_it = initialize(sentinel, 3, method, random_state=4, sample_weight=w0)
    without = initialize(X, 3, method, random_state=4, sample_weight=w)
    assert with_it.allclose(without, rtol=1e-12)


# -- item 9: the data checks see the rows of positive weight ----------------------------


def test_five_copies_of_one_point_are_refused_when_weighted_too():
    X = np.vstack([np.tile([1.0, 2.0], (5, 1)), [[3.0, 4.0], [5.0, -1.0]]])
    w = np.r_[np.ones(5), 0.0, 0.0]
    with pytest.raises(ValueError, match="all 5 points of X are equal"):
        GaussianMixture(3, random_state=0).fit(X, sample_weight=w)


def test_a_column_constant_on_the_weighted_rows_is_refused():
    rng = np.random.default_rng(1)
    X = np.column_stack([rng.normal(size=40), np.r_[np.full(30, 2.0), rng.normal(size=10)]])
    w = np.r_[np.ones(30), np.zeros(10)]
    with pytest.raises(ValueError, match="column 1 of X is constant"):
        initialize(X, 2, sample_weight=w)


# -- item 15: overflow inside EM is called overflow -------------------------------------


@pytest.mark.parametrize("engine", ["steps", "fused"])
def test_overflow_inside_em_is_reported_as_overflow(data, engine):
    X, _ = data
    # both means at 1e200: every squared distance overflows, every γ is 0/0
    huge = GaussianMixtureParams(
        [0.5, 0.5], [[1e200, 0.0], [1e200, 1.0]], np.array([np.eye(2)] * 2)
    )
    with np.errstate(all="ignore"), pytest.raises(ValueError) as info:
        run_em(X, huge, max_iter=3, engine=engine)
    message = str(info.value)
    assert "overflowed" in message and "rescale the data" in message
    assert "pass finite numbers" not in message


def test_a_bgm_mean_prior_beyond_float64_is_reported_as_overflow(data):
    X, _ = data
    model = BayesianGaussianMixture(n_components=2, mean_prior=[1e300, 0.0], random_state=0)
    with np.errstate(all="ignore"), pytest.raises(ValueError, match="the VB update overflowed"):
        model.fit(X)


# -- item 22: a spherical covariance_prior as scikit-learn takes it ---------------------


@pytest.mark.parametrize("prior", [2.0, np.array(2.0), [2.0], np.array([2.0])], ids=repr)
def test_spherical_covariance_prior_as_0d_or_length_1(data, prior):
    X, _ = data
    model = BayesianGaussianMixture(
        n_components=2, covariance_type="spherical", covariance_prior=prior, random_state=0
    ).fit(X)
    reference = BayesianGaussianMixture(
        n_components=2, covariance_type="spherical", covariance_prior=2.0, random_state=0
    ).fit(X)
    assert model.covariance_prior_ == 2.0
    np.testing.assert_array_equal(model.covariances_, reference.covariances_)


@pytest.mark.parametrize("prior", [[1.0, 2.0], np.array([[2.0]]), [True]], ids=repr)
def test_spherical_covariance_prior_of_another_shape_is_refused(data, prior):
    X, _ = data
    model = BayesianGaussianMixture(
        n_components=2, covariance_type="spherical", covariance_prior=prior
    )
    with pytest.raises(ValueError, match="must be a number > 0"):
        model.fit(X)


# -- item 23: a subnormal variance is refused when θ is made ----------------------------


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_a_subnormal_variance_is_refused(covariance_type):
    variances = np.array([[1e-320, 1.0], [1.0, 1.0]])
    full = np.array([np.diag(v) for v in variances])
    covariances = {
        "full": full,
        "tied": full[0],
        "diag": variances,
        "spherical": variances[:, 0],
    }[covariance_type]
    with pytest.raises(ValueError, match="precisions overflow: pass variances of at least"):
        GaussianMixtureParams([0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]], covariances, covariance_type)


# -- item 25: the collapse rule accepts thin, sound covariances -------------------------


def _thin(ratio=1e-10, angle=0.6):
    """A sound 2-D covariance 10⁵ times thinner across than along, turned by ``angle``."""
    c, s = np.cos(angle), np.sin(angle)
    rotation = np.array([[c, -s], [s, c]])
    return rotation @ np.diag([1.0, ratio]) @ rotation.T


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag"])
def test_thin_sound_covariances_are_accepted(covariance_type):
    means = np.array([[0.0, 0.0], [50.0, 3.0]])
    covariances = {
        "full": np.array([_thin(), _thin(angle=-1.1)]),
        "tied": _thin(),
        "diag": np.array([[1.0, 1e-10], [1e-10, 1.0]]),
    }[covariance_type]
    check_not_collapsed(covariances, means, covariance_type)  # no error
    # …and a singular one, at the level of rounding, is still refused
    singular = {
        "full": np.array([_thin(1e-17), _thin()]),
        "tied": _thin(1e-17),
        "diag": np.array([[1.0, 1e-17], [1.0, 1.0]]),
    }[covariance_type]
    with pytest.raises(ValueError, match="not positive definite to float64's precision"):
        check_not_collapsed(singular, means, covariance_type)


def _thin_clusters(n=400, seed=5, same_direction=False):
    """Two clusters, each 10⁵ times thinner across than along (variance ratio 1e-10), lying
    in different directions (or the same one, for a tied covariance)."""
    rng = np.random.default_rng(seed)
    turns = [np.array([[0.8, 0.6], [-0.6, 0.8]]), np.array([[0.6, -0.8], [0.8, 0.6]])]
    clusters = []
    for k, centre in enumerate([[0.0, 0.0], [10.0, 0.0]]):
        line = rng.normal(size=(n, 1)) * [[1.0, 0.0]] + rng.normal(size=(n, 1)) * [[0.0, 1e-5]]
        clusters.append(line @ turns[0 if same_direction else k] + centre)
    return np.vstack(clusters)


@pytest.mark.parametrize("engine", ["steps", "fused"])
@pytest.mark.parametrize("covariance_type", ["full", "tied"])
def test_a_reg_covar_0_fit_of_thin_clusters_is_accepted_by_every_engine(engine, covariance_type):
    X = _thin_clusters(same_direction=covariance_type == "tied")
    theta0 = initialize(X, 2, random_state=0, reg_covar=0.0, covariance_type=covariance_type)
    trace = run_em(X, theta0, max_iter=30, reg_covar=0.0, engine=engine)
    variances = np.linalg.eigvalsh(trace.final_params.full_covariances())
    assert variances[:, 0].min() < 1e-8 * variances[:, 1].min()  # thin indeed
    assert np.all(np.diff(trace.log_likelihoods) > -1e-6 * np.abs(trace.log_likelihoods[1:]))


def test_the_estimator_fits_thin_clusters_at_reg_covar_0():
    X = _thin_clusters()
    model = GaussianMixture(2, reg_covar=0.0, random_state=0).fit(X)
    assert model.converged_
    assert np.linalg.eigvalsh(model.covariances_)[:, 0].max() < 1e-9


def test_the_collapse_docstring_gives_the_code_s_factors():
    doc = " ".join(check_not_collapsed.__doc__.split())
    shape, size = re.search(r"at most ``(\S+)·ε·λ_max`` .* plus ``\((\S+)·ε·s\)²``", doc).groups()
    assert float(shape) == params_module.COLLAPSE_SHAPE
    assert float(size) == params_module.COLLAPSE_SIZE


# -- item 11: diag and spherical in O(K·D) time and memory ------------------------------


def _wide_problem(covariance_type, n_samples=120, n_features=3000, seed=11):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    X[: n_samples // 2] += 2.0
    theta = initialize(X, 2, covariance_type=covariance_type, random_state=0)
    return X, theta


@pytest.mark.parametrize("covariance_type", ["diag", "spherical"])
@pytest.mark.parametrize("engine", ["steps", "fused"])
def test_diag_and_spherical_never_build_a_d_by_d_matrix(covariance_type, engine):
    """At D = 3000 one D×D matrix is 72 MB; an iteration must stay far below that."""
    import tracemalloc

    X, theta = _wide_problem(covariance_type)
    w = np.linspace(0.5, 2.0, len(X))
    tracemalloc.start()
    try:
        run_em(X, theta, max_iter=2, tol=0, engine=engine, sample_weight=w)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20, f"peak {peak / 2**20:.0f} MB"


@pytest.mark.parametrize("covariance_type", ["diag", "spherical"])
def test_the_fused_pass_equals_the_steps_at_high_d(covariance_type):
    X, theta = _wide_problem(covariance_type, n_features=300)
    assert _chunked.Plan(theta).exact_components.size == 0  # the one-product path
    expected = m_step(X, responsibilities(X, theta), covariance_type)
    new, total = fused.em_iteration(X, theta, chunk_size=37)
    assert new.allclose(expected, rtol=1e-10)
    assert total == pytest.approx(log_likelihood(X, theta), rel=1e-12)


@pytest.mark.parametrize("covariance_type", ["diag", "spherical"])
def test_a_tight_component_far_from_the_mixture_s_mean_keeps_its_digits(covariance_type):
    """Its distance expanded about the mixture's mean would lose ε·(1e5 σ)² ≈ 2 nats: the
    pass computes that component about its own mean."""
    rng = np.random.default_rng(3)
    near = rng.normal(size=(300, 2))
    far = 1e3 + 1e-2 * rng.normal(size=(300, 2))
    X = np.vstack([near, far])
    covariances = {"diag": np.array([[1.0, 1.0], [1e-4, 1e-4]]), "spherical": [1.0, 1e-4]}
    theta = GaussianMixtureParams(
        [0.5, 0.5], [[0.0, 0.0], [1e3, 1e3]], covariances[covariance_type], covariance_type
    )
    assert 1 in _chunked.Plan(theta).exact_components
    expected = m_step(X, responsibilities(X, theta), covariance_type)
    new, total = fused.em_iteration(X, theta)
    assert new.allclose(expected, rtol=1e-10)
    assert total == pytest.approx(log_likelihood(X, theta), rel=1e-12)


@pytest.mark.parametrize("covariance_type", ["diag", "spherical"])
@pytest.mark.parametrize("refine", [True, False])
def test_a_diag_mean_jumping_far_takes_a_second_pass(monkeypatch, covariance_type, refine):
    if not refine:
        monkeypatch.setattr(_chunked, "MAX_CANCELLATION", np.inf)
    X = 50.0 + 1e-3 * np.random.default_rng(0).normal(size=(500, 2))
    theta = GaussianMixtureParams([1.0], [[0.0, 0.0]], [[400.0, 400.0]], "diag")
    theta = theta.with_covariance_type(covariance_type)
    expected = m_step(X, responsibilities(X, theta), covariance_type, reg_covar=1e-9)
    new, _ = fused.em_iteration(X, theta, 1e-9, chunk_size=128)
    error = np.max(np.abs(new.covariances - expected.covariances) / expected.covariances)
    assert error <= 1e-10 if refine else error > 1e-9


@pytest.mark.parametrize("covariance_type", ["diag", "spherical"])
def test_sufficient_statistics_of_diag_types_are_about_the_old_means(covariance_type):
    X, theta = _wide_problem(covariance_type, n_features=5)
    resp = responsibilities(X, theta)
    _, resp_sums, first, second = fused.sufficient_statistics(X, theta, chunk_size=50)
    diff = X[:, np.newaxis, :] - theta.means  # (N, K, D)
    np.testing.assert_allclose(resp_sums, resp.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(first, np.einsum("nk,nkd->kd", resp, diff), rtol=1e-9, atol=1e-9)
    diagonal = np.einsum("nk,nkd->kd", resp, diff**2)
    expected = diagonal if covariance_type == "diag" else diagonal.sum(axis=1)
    np.testing.assert_allclose(second, expected, rtol=1e-10)


# -- judgment calls: weighted score/bic/aic; data below √reg_covar ----------------------


def test_score_bic_and_aic_take_the_fit_s_weights(data):
    X, _ = data
    counts = np.random.default_rng(2).integers(1, 4, size=len(X))
    model = GaussianMixture(2, random_state=0).fit(X, sample_weight=counts)
    repeated = np.repeat(X, counts, axis=0)
    assert model.score(X, sample_weight=counts) == pytest.approx(model.score(repeated), rel=1e-12)
    assert model.bic(X, sample_weight=counts) == pytest.approx(model.bic(repeated), rel=1e-12)
    assert model.aic(X, sample_weight=counts) == pytest.approx(model.aic(repeated), rel=1e-12)
    assert model.score(X) != pytest.approx(model.score(repeated), rel=1e-6)  # default: unweighted
    with pytest.raises(ValueError, match="sample_weight has shape"):
        model.bic(X, sample_weight=counts[:-1])


def test_data_spread_below_the_square_root_of_reg_covar_is_warned_about():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=200), 1e-4 * rng.normal(size=200)])
    with pytest.warns(UserWarning, match=r"column 1 of X has a standard deviation of .* below"):
        GaussianMixture(2, random_state=0).fit(X)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GaussianMixture(2, random_state=0, reg_covar=1e-10).fit(X)  # below it no more
        GaussianMixture(2, random_state=0).fit(X * [1.0, 1e4])  # or rescaled
