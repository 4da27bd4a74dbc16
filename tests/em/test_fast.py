"""The fused EM iteration (gmmlearn.fast) gives the numbers of the textbook step functions."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gmmlearn import COVARIANCE_TYPES, GaussianMixtureParams, fast, initialize, run_em, steps
from gmmlearn.trace import ENGINES

RTOL = 1e-10


def relative_error(actual, expected) -> float:
    """max |actual - expected| over max |expected|: the error relative to the array's scale."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    scale = np.max(np.abs(expected))
    return float(np.max(np.abs(actual - expected)) / (scale if scale > 0 else 1.0))


def assert_params_close(actual: GaussianMixtureParams, expected: GaussianMixtureParams):
    assert actual.covariance_type == expected.covariance_type
    for name in ("weights", "means", "covariances"):
        err = relative_error(getattr(actual, name), getattr(expected, name))
        assert err <= RTOL, f"{name} differ by {err:.2e} (relative)"


def textbook_iteration(X, params, reg_covar=1e-6):
    resp, total = steps.e_step(X, params)
    return steps.m_step(X, resp, params.covariance_type, reg_covar), total


def mixture_data(n_samples, n_features, n_components, seed=0, spread=5.0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=spread, size=(n_components, n_features))
    scales = rng.uniform(0.3, 2.0, size=(n_components, n_features))
    labels = rng.integers(n_components, size=n_samples)
    return centres[labels] + scales[labels] * rng.normal(size=(n_samples, n_features))


def random_params(rng, n_components, n_features, covariance_type, spread=5.0):
    """A random valid θ of any covariance type (not fitted to anything)."""
    a = rng.normal(size=(n_components, n_features, n_features))
    full = a @ np.swapaxes(a, 1, 2) + 0.5 * np.eye(n_features)
    covariances = {
        "full": full,
        "tied": full[0],
        "diag": np.diagonal(full, axis1=1, axis2=2),
        "spherical": np.trace(full, axis1=1, axis2=2) / n_features,
    }[covariance_type]
    return GaussianMixtureParams(
        rng.dirichlet(np.ones(n_components)),
        rng.normal(scale=spread, size=(n_components, n_features)),
        covariances,
        covariance_type,
    )


@pytest.fixture
def many_threads(monkeypatch):
    """Let the thread split happen even for small N (normally reserved for large N)."""
    monkeypatch.setattr(fast, "_MIN_ROWS_PER_THREAD", 1)


# ---------------------------------------------------------------------------
# One iteration equals e_step + m_step
# ---------------------------------------------------------------------------

SHAPES = [  # (N, D, K, chunk_size): one chunk, N < chunk, N not a multiple of it, many chunks
    (1, 2, 1, 64),
    (7, 2, 3, 64),
    (200, 3, 4, 6000),
    (257, 3, 4, 64),
    (1000, 1, 2, 333),
    (1500, 5, 6, 100),
    (20_001, 3, 4, fast.DEFAULT_CHUNK_SIZE),
]


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize(("n_samples", "n_features", "n_components", "chunk_size"), SHAPES)
def test_iteration_equals_the_steps(
    n_samples, n_features, n_components, chunk_size, covariance_type
):
    X = mixture_data(n_samples, n_features, n_components, seed=n_samples)
    if n_samples > 1:
        theta = initialize(
            X, n_components, "random_from_data", covariance_type=covariance_type, random_state=3
        )
    else:  # initialize() refuses a single point; EM itself does not
        theta = random_params(np.random.default_rng(3), n_components, n_features, covariance_type)
    expected, expected_ll = textbook_iteration(X, theta)
    new, total = fast.em_iteration(X, theta, chunk_size=chunk_size)
    assert total == pytest.approx(expected_ll, rel=RTOL)
    assert_params_close(new, expected)
    assert fast.log_likelihood(X, theta, chunk_size=chunk_size) == pytest.approx(
        steps.log_likelihood(X, theta), rel=RTOL
    )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("n_threads", [2, 3])
def test_threads_give_the_same_numbers(many_threads, covariance_type, n_threads):
    X = mixture_data(5003, 3, 4, seed=1)
    theta = initialize(X, 4, "kmeans", covariance_type=covariance_type, random_state=0)
    expected, expected_ll = textbook_iteration(X, theta, reg_covar=1e-3)
    new, total = fast.em_iteration(X, theta, 1e-3, chunk_size=500, n_threads=n_threads)
    assert total == pytest.approx(expected_ll, rel=RTOL)
    assert_params_close(new, expected)


def test_result_does_not_depend_on_the_number_of_threads(many_threads):
    """Chunk sums are added in chunk order: 1, 2 or 3 threads give the same bits."""
    X = mixture_data(7001, 3, 4, seed=13)
    theta = initialize(X, 4, "random", random_state=1)
    runs = [fast.em_iteration(X, theta, chunk_size=250, n_threads=t) for t in (1, 2, 3)]
    for new, total in runs[1:]:
        assert total == runs[0][1]
        for name in ("weights", "means", "covariances"):
            np.testing.assert_array_equal(getattr(new, name), getattr(runs[0][0], name))


def test_sufficient_statistics_are_the_weighted_moments():
    X = mixture_data(900, 3, 3, seed=2)
    theta = initialize(X, 3, "random", random_state=4)
    resp, total = steps.e_step(X, theta)
    ll, resp_sums, first, second = fast.sufficient_statistics(X, theta, chunk_size=128)
    diff = X[:, np.newaxis, :] - theta.means  # (N, K, D): x_n − μ_k at the OLD means
    assert ll == pytest.approx(total, rel=RTOL)
    assert relative_error(resp_sums, resp.sum(axis=0)) <= RTOL
    assert relative_error(first, np.einsum("nk,nkd->kd", resp, diff)) <= RTOL
    assert relative_error(second, np.einsum("nk,nkd,nke->kde", resp, diff, diff)) <= RTOL


@settings(max_examples=25, deadline=None)
@given(
    n_samples=st.integers(1, 300),
    n_features=st.integers(1, 4),
    n_components=st.integers(1, 5),
    chunk_size=st.integers(1, 400),
    covariance_type=st.sampled_from(COVARIANCE_TYPES),
    seed=st.integers(0, 10_000),
)
def test_iteration_equals_the_steps_for_any_shape(
    n_samples, n_features, n_components, chunk_size, covariance_type, seed
):
    X = mixture_data(n_samples, n_features, n_components, seed=seed)
    theta = random_params(np.random.default_rng(seed), n_components, n_features, covariance_type)
    expected, expected_ll = textbook_iteration(X, theta, reg_covar=1e-4)
    new, total = fast.em_iteration(X, theta, 1e-4, chunk_size=chunk_size)
    assert total == pytest.approx(expected_ll, rel=RTOL)
    assert_params_close(new, expected)


# ---------------------------------------------------------------------------
# Hard cases: far points, empty components, switched-off components
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_point_far_from_every_component(covariance_type):
    X = mixture_data(600, 3, 3, seed=5)
    X[17] = [4e3, -3e3, 5e3]  # every density underflows: the seed divided 0 by 0 here
    theta = initialize(X[X[:, 0] < 100], 3, "kmeans", covariance_type=covariance_type)
    expected, expected_ll = textbook_iteration(X, theta)
    new, total = fast.em_iteration(X, theta, chunk_size=100)
    assert np.isfinite(total)
    assert total == pytest.approx(expected_ll, rel=RTOL)
    assert_params_close(new, expected)
    _, resp_sums, _, _ = fast.sufficient_statistics(X, theta, chunk_size=100)
    assert resp_sums.sum() == pytest.approx(len(X), rel=1e-12)  # the far point counts once


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_component_that_owns_no_point(covariance_type):
    X = mixture_data(400, 2, 2, seed=6)
    good = initialize(X, 2, "kmeans", covariance_type=covariance_type, random_state=0)
    far_mean = np.vstack([good.means, [[1e4, 1e4]]])  # N_k underflows to 0 for component 2
    covariances = {
        "full": lambda c: np.concatenate([c, np.eye(2)[None]]),
        "tied": lambda c: c,
        "diag": lambda c: np.vstack([c, [1.0, 1.0]]),
        "spherical": lambda c: np.append(c, 1.0),
    }[covariance_type](good.covariances)
    theta = GaussianMixtureParams([0.5, 0.3, 0.2], far_mean, covariances, covariance_type)
    expected, expected_ll = textbook_iteration(X, theta)
    new, total = fast.em_iteration(X, theta, chunk_size=64)
    assert expected.weights[2] < 1e-12  # the case being tested: N_k → 0
    assert total == pytest.approx(expected_ll, rel=RTOL)
    assert_params_close(new, expected)
    assert np.all(np.isfinite(new.means)) and np.all(np.isfinite(new.covariances))


def test_component_with_zero_weight_is_switched_off():
    X = mixture_data(300, 2, 2, seed=7)
    theta = initialize(X, 3, "kmeans", random_state=0)
    theta = GaussianMixtureParams([0.6, 0.4, 0.0], theta.means, theta.covariances)
    expected, expected_ll = textbook_iteration(X, theta)
    new, total = fast.em_iteration(X, theta, chunk_size=50)
    assert total == pytest.approx(expected_ll, rel=RTOL)
    assert_params_close(new, expected)


def test_data_far_from_the_origin():
    """Sums taken about the old means: an offset of 1e6 costs no accuracy."""
    X = mixture_data(2000, 3, 3, seed=8) + 1e6
    theta = initialize(X, 3, "kmeans", random_state=0)
    expected, expected_ll = textbook_iteration(X, theta)
    new, total = fast.em_iteration(X, theta, chunk_size=300)
    assert total == pytest.approx(expected_ll, rel=RTOL)
    assert_params_close(new, expected)


@pytest.mark.parametrize("refine", [True, False])
def test_mean_jumping_far_takes_a_second_pass(monkeypatch, refine):
    """A tight cluster 50 old standard deviations away: sums about the old mean would cancel
    to ~1e-6; the iteration notices and recomputes them about the new mean."""
    if not refine:
        monkeypatch.setattr(fast, "_MAX_CANCELLATION", np.inf)
    X = 50.0 + 1e-3 * np.random.default_rng(0).normal(size=(500, 2))
    theta = GaussianMixtureParams([1.0], [[0.0, 0.0]], [400.0 * np.eye(2)])
    expected, _ = textbook_iteration(X, theta, reg_covar=1e-9)
    new, _ = fast.em_iteration(X, theta, 1e-9, chunk_size=128)
    err = relative_error(new.covariances, expected.covariances)
    assert err <= RTOL if refine else err > 1e-9


# ---------------------------------------------------------------------------
# Whole runs: engines agree
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_run_em_engines_agree(covariance_type):
    X = mixture_data(3000, 3, 4, seed=9)
    theta0 = initialize(X, 4, "kmeans", covariance_type=covariance_type, random_state=2)
    runs = {e: run_em(X, theta0, max_iter=40, tol=0.0, engine=e) for e in ENGINES}
    reference = runs["steps"]
    assert reference.n_iter == 40
    for engine in ("fused", "auto"):
        trace = runs[engine]
        assert trace.n_iter == reference.n_iter and trace.converged == reference.converged
        assert relative_error(trace.log_likelihoods, reference.log_likelihoods) <= RTOL
        for mine, theirs in zip(trace.params, reference.params):
            assert_params_close(mine, theirs)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_every_fused_iteration_of_a_hard_run_equals_the_steps(covariance_type):
    """From a random start a component nearly dies and comes back; the EM map itself then
    magnifies rounding differences (any two implementations drift apart by ~1e-10 there), so
    each recorded iteration is compared with the textbook iteration from the same θ_{t-1}."""
    X = mixture_data(3000, 3, 4, seed=9)
    theta0 = initialize(X, 4, "random", covariance_type=covariance_type, random_state=2)
    trace = run_em(X, theta0, max_iter=40, tol=0.0, engine="fused")
    for t in range(1, trace.n_iter + 1):
        expected, expected_ll = textbook_iteration(X, trace.params[t - 1])
        assert trace.log_likelihoods[t - 1] == pytest.approx(expected_ll, rel=RTOL)
        assert_params_close(trace.params[t], expected)
    assert trace.log_likelihoods[-1] == pytest.approx(
        steps.log_likelihood(X, trace.final_params), rel=RTOL
    )


def test_run_em_engines_stop_at_the_same_iteration():
    X = mixture_data(2000, 2, 3, seed=10)
    theta0 = initialize(X, 3, "k-means++", random_state=0)
    steps_run = run_em(X, theta0, max_iter=500, tol=1e-6, engine="steps")
    fused_run = run_em(X, theta0, max_iter=500, tol=1e-6, engine="fused")
    assert steps_run.converged and fused_run.converged
    assert fused_run.n_iter == steps_run.n_iter
    assert_params_close(fused_run.final_params, steps_run.final_params)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_fused_log_likelihood_never_decreases(covariance_type):
    X = mixture_data(2500, 3, 5, seed=11)
    theta0 = initialize(X, 5, "random", covariance_type=covariance_type, random_state=5)
    ll = run_em(X, theta0, max_iter=60, tol=0.0, engine="fused").log_likelihoods
    assert np.all(np.diff(ll) >= -1e-12 * np.abs(ll[1:])), "log-likelihood decreased"
    assert ll[-1] > ll[0]


def test_fused_trace_keeps_no_responsibilities():
    X = mixture_data(1000, 2, 3, seed=12)
    trace = run_em(X, initialize(X, 3, random_state=0), max_iter=20, tol=0.0, engine="fused")
    assert trace._resp_cache == {}  # γ is recomputed on demand, never stored by the run
    np.testing.assert_allclose(
        trace.responsibilities(5), steps.responsibilities(X, trace.params[5])
    )


# ---------------------------------------------------------------------------
# Arguments and the BLAS thread limit
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"chunk_size": 0}, ValueError, "chunk_size must be a positive integer"),
        ({"chunk_size": 2.5}, ValueError, "chunk_size must be a positive integer"),
        ({"n_threads": -1}, ValueError, "n_threads must be a positive integer"),
        ({"n_threads": True}, ValueError, "n_threads must be a positive integer"),
        ({"X": np.zeros((10, 3))}, ValueError, r"X must have shape \(n_samples, 2\)"),
        ({"X": np.zeros((0, 2))}, ValueError, "n_samples >= 1"),
        ({"params": "theta"}, TypeError, "params must be a GaussianMixtureParams"),
    ],
)
def test_bad_arguments_are_explained(kwargs, error, message):
    X = mixture_data(50, 2, 2)
    args = {"X": X, "params": initialize(X, 2, random_state=0)} | kwargs
    for function in (fast.em_iteration, fast.log_likelihood, fast.sufficient_statistics):
        with pytest.raises(error, match=message):
            function(**args)


def test_unknown_engine_is_explained():
    X = mixture_data(50, 2, 2)
    with pytest.raises(ValueError, match="unknown engine 'numba'.*'steps'"):
        run_em(X, initialize(X, 2, random_state=0), engine="numba")


def test_blas_limit_is_reentrant_and_restored():
    from threadpoolctl import ThreadpoolController

    def blas_threads():
        return [lib["num_threads"] for lib in ThreadpoolController().select(user_api="blas").info()]

    before = blas_threads()
    with fast.one_blas_thread():
        assert set(blas_threads()) <= {1}
        with fast.one_blas_thread():
            assert set(blas_threads()) <= {1}
        assert set(blas_threads()) <= {1}  # the inner exit does not lift the outer limit
    assert blas_threads() == before
