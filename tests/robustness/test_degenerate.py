"""Degenerate fits: collapse, duplicates, empty components and far points never give NaN or +inf.

The contract (issue #7): a component that collapses onto one point, or onto fewer than D + 1
points, either stays proper because ``reg_covar`` > 0 keeps its Σ_k positive definite, or the
fit stops with a one-line ``ValueError`` that explains the singularity and suggests a larger
``reg_covar``, fewer components or rescaled data. Never NaN, never a positive-infinite
log-likelihood. Each case is run with both engines of ``run_em`` (the equations one by one,
and the fused fast path) and, where it applies, through the estimator and the CLI.
"""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from gmmlearn import (
    GaussianMixture,
    GaussianMixtureParams,
    e_step,
    initialize,
    responsibilities,
    run_em,
)
from gmmlearn.cli import main
from gmmlearn.io import read_likelihood, read_responsibilities

ENGINES = ("steps", "fused")
REG_COVAR = 1e-6


def _rng():
    return np.random.default_rng(11)


def _assert_proper(trace) -> None:
    """Everything finite, γ on the simplex, Σ_k positive definite, ln p(X|θ) < +inf."""
    assert np.all(np.isfinite(trace.log_likelihoods)), trace.log_likelihoods
    for t in (0, trace.n_iter):
        resp = trace.responsibilities(t)
        assert np.all(np.isfinite(resp))
        np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=0, atol=1e-12)
        params = trace.params[t]
        for a in (params.weights, params.means, params.covariances, params.precisions):
            assert np.all(np.isfinite(a))
        np.testing.assert_allclose(params.weights.sum(), 1.0, rtol=0, atol=1e-12)
        assert np.linalg.eigvalsh(params.full_covariances()).min() > 0


def _assert_explains_the_singularity(message: str) -> None:
    assert "\n" not in message
    for words in ("not positive definite", "collapsed", "reg_covar", "fewer components", "rescale"):
        assert words in message, message


def _run_or_explain(X, theta0, engine, reg_covar, max_iter=40):
    """Run EM; return the trace if it stayed proper, None if it stopped with the explanation."""
    try:
        trace = run_em(X, theta0, max_iter=max_iter, tol=0, reg_covar=reg_covar, engine=engine)
    except ValueError as error:
        _assert_explains_the_singularity(str(error))
        return None
    _assert_proper(trace)
    return trace


# ---------------------------------------------------------------------------
# A component collapsing onto one point, or onto fewer than D + 1 points
# ---------------------------------------------------------------------------


def _collapse_problem(n_points: int, n_features: int):
    """A cloud, plus ``n_points`` isolated points with a narrow component sitting on them."""
    rng = _rng()
    cloud = rng.normal(size=(60, n_features))
    isolated = 12.0 + 0.3 * rng.normal(size=(n_points, n_features))
    X = np.vstack([cloud, isolated])
    covariances = np.stack([np.eye(n_features), 0.05 * np.eye(n_features)])
    theta0 = GaussianMixtureParams(
        [0.9, 0.1], [np.zeros(n_features), isolated.mean(axis=0)], covariances
    )
    return X, theta0


COLLAPSES = {
    "one point (D=2)": (1, 2),
    "two points (D=3)": (2, 3),
    "three points (D=3)": (3, 3),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("collapse", COLLAPSES)
def test_reg_covar_keeps_a_collapsed_component_proper(collapse, engine):
    n_points, n_features = COLLAPSES[collapse]
    X, theta0 = _collapse_problem(n_points, n_features)
    trace = run_em(X, theta0, max_iter=40, tol=0, reg_covar=REG_COVAR, engine=engine)
    _assert_proper(trace)
    final = trace.final_params
    # the narrow component owns exactly the isolated points ...
    np.testing.assert_allclose(final.weights[1], n_points / len(X), rtol=1e-9)
    # ... and its Σ has n_points - 1 < D directions of spread: the others are reg_covar alone
    eigenvalues = np.linalg.eigvalsh(final.full_covariances()[1])
    np.testing.assert_allclose(eigenvalues[: n_features - n_points + 1], REG_COVAR, rtol=1e-6)
    # the log-likelihood is large (a spike of width √reg_covar) but finite, and it rose
    assert trace.log_likelihoods[-1] > trace.log_likelihoods[0]


@pytest.mark.parametrize(
    "collapse, engine",
    [(collapse, engine) for collapse in COLLAPSES for engine in ENGINES],
)
def test_without_reg_covar_a_collapse_is_proper_or_explained(collapse, engine):
    n_points, n_features = COLLAPSES[collapse]
    X, theta0 = _collapse_problem(n_points, n_features)
    trace = _run_or_explain(X, theta0, engine, reg_covar=0.0)
    if n_points <= n_features:  # fewer than D + 1 points: Σ_k is singular, EM must stop
        assert trace is None, "a singular Σ_k went unnoticed"


def _collapse_initial():
    X, theta0 = _collapse_problem(1, 2)
    initial = dict(weights_init=theta0.weights, means_init=theta0.means)
    return X, {**initial, "precisions_init": theta0.precisions}


def test_the_estimator_explains_a_collapse():
    X, initial = _collapse_initial()
    with pytest.raises(ValueError) as info:
        GaussianMixture(2, reg_covar=0.0, tol=0, max_iter=40, **initial).fit(X)
    _assert_explains_the_singularity(str(info.value))


def test_the_estimator_fits_a_collapse_with_reg_covar():
    X, initial = _collapse_initial()
    gm = GaussianMixture(2, reg_covar=REG_COVAR, **initial).fit(X)
    _assert_proper(gm.trace_)
    assert np.isfinite(gm.score(X)) and gm.predict(X[-1:])[0] == 1


# ---------------------------------------------------------------------------
# Duplicate points
# ---------------------------------------------------------------------------

THREE_POINTS = np.repeat([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], 20, axis=0)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_as_many_components_as_distinct_points(covariance_type, engine):
    """Each component sits on one repeated point: Σ_k = reg_covar I, ln p(X|θ) finite."""
    theta0 = initialize(
        THREE_POINTS,
        3,
        "k-means++",
        covariance_type=covariance_type,
        reg_covar=REG_COVAR,
        random_state=0,
    )
    trace = run_em(THREE_POINTS, theta0, max_iter=20, tol=0, reg_covar=REG_COVAR, engine=engine)
    _assert_proper(trace)
    final = trace.final_params
    np.testing.assert_allclose(np.sort(final.weights), 1 / 3, rtol=1e-12)
    if covariance_type != "tied":
        np.testing.assert_allclose(
            final.full_covariances(), np.broadcast_to(REG_COVAR * np.eye(2), (3, 2, 2)), atol=1e-12
        )
    # a mixture of spikes: ln p = N (ln ⅓ − ln 2π − ln reg_covar) for the non-tied types
    if covariance_type != "tied":
        expected = len(THREE_POINTS) * (np.log(1 / 3) - np.log(2 * np.pi) - np.log(REG_COVAR))
        np.testing.assert_allclose(trace.log_likelihoods[-1], expected, rtol=1e-9)


def test_duplicates_without_reg_covar_are_explained():
    with pytest.raises(ValueError) as info:
        initialize(THREE_POINTS, 3, "kmeans", reg_covar=0.0, random_state=0)
    _assert_explains_the_singularity(str(info.value))


def test_duplicates_among_spread_points_fit_normally():
    rng = _rng()
    X = np.vstack([rng.normal(size=(40, 2)), np.tile([[5.0, 5.0]], (40, 1))])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        gm = GaussianMixture(2, random_state=0).fit(X)
    _assert_proper(gm.trace_)
    spike = int(np.argmin(np.linalg.det(gm.covariances_)))
    np.testing.assert_allclose(gm.means_[spike], [5.0, 5.0], atol=1e-9)
    np.testing.assert_allclose(gm.weights_[spike], 0.5, atol=1e-9)


# ---------------------------------------------------------------------------
# A component that loses all its points (N_k → 0)
# ---------------------------------------------------------------------------


def _empty_component_problem(n_features: int = 2):
    X = _rng().normal(size=(80, n_features))
    means = np.stack([np.zeros(n_features), np.full(n_features, 1e4)])  # the second: nowhere
    theta0 = GaussianMixtureParams([0.5, 0.5], means, np.stack([np.eye(n_features)] * 2))
    return X, theta0


@pytest.mark.parametrize("engine", ENGINES)
def test_a_component_without_points_stays_proper_with_reg_covar(engine):
    X, theta0 = _empty_component_problem()
    assert responsibilities(X, theta0)[:, 1].max() == 0.0  # it owns nothing from the start
    trace = run_em(X, theta0, max_iter=10, tol=0, reg_covar=REG_COVAR, engine=engine)
    _assert_proper(trace)
    final = trace.final_params
    assert final.weights[1] < 1e-12  # N_k = 10 ε, as scikit-learn
    assert np.linalg.eigvalsh(final.full_covariances()[1]).min() >= REG_COVAR * (1 - 1e-9)
    # the empty component does not disturb the other one: it is the plain Gaussian fit
    np.testing.assert_allclose(final.means[0], X.mean(axis=0), rtol=1e-9)
    np.testing.assert_allclose(
        final.covariances[0], np.cov(X.T, bias=True) + REG_COVAR * np.eye(2), rtol=1e-9
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_a_component_without_points_and_no_reg_covar_is_proper_or_explained(engine):
    X, theta0 = _empty_component_problem()
    _run_or_explain(X, theta0, engine, reg_covar=0.0, max_iter=10)


# ---------------------------------------------------------------------------
# Points far from every component: the 2019 original's 0/0
# ---------------------------------------------------------------------------


def _far_point_problem():
    X = np.vstack([_rng().normal(size=(50, 2)), [[0.0, 1e6]]])
    theta0 = GaussianMixtureParams(
        [0.5, 0.5], [[-1.0, 0.0], [1.0, 0.0]], np.stack([0.1 * np.eye(2)] * 2)
    )
    return X, theta0


def test_a_far_point_gets_finite_responsibilities_where_the_seed_divided_zero_by_zero():
    X, theta0 = _far_point_problem()
    from gmmlearn.steps import log_weighted_densities

    # every π_k N(x | μ_k, Σ_k) of the far point underflows to 0: the seed's γ was 0/0 = NaN
    assert np.all(np.exp(log_weighted_densities(X[-1:], theta0)) == 0.0)
    resp, total = e_step(X, theta0)
    assert np.all(np.isfinite(resp)) and np.isfinite(total)
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    # its γ goes to the component it is nearest to in Mahalanobis distance (here: equally near)
    np.testing.assert_allclose(resp[-1], [0.5, 0.5], atol=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_far_point_keeps_the_run_finite(engine):
    X, theta0 = _far_point_problem()
    trace = run_em(X, theta0, max_iter=20, tol=0, reg_covar=REG_COVAR, engine=engine)
    _assert_proper(trace)
    assert np.isfinite(trace.log_likelihoods[0]) and trace.log_likelihoods[0] < -1e10


def test_the_estimator_predicts_far_points():
    X, theta0 = _far_point_problem()
    gm = GaussianMixture(2, random_state=0).fit(X[:-1])
    far = np.array([[1e6, 1e6], [-1e8, 0.0], [0.0, 1e99]])
    proba = gm.predict_proba(far)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert np.all(np.isfinite(gm.score_samples(far[:2])))


def test_the_cli_writes_finite_files_for_duplicates_and_far_points(tmp_path):
    X = np.vstack([THREE_POINTS, [[0.0, 1e6]]])
    np.savetxt(tmp_path / "x.csv", X, delimiter=",")
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = main(["fit", str(tmp_path / "x.csv"), "-k", "3", "-q", "--out", str(tmp_path)])
    assert code == 0, stderr.getvalue()
    resp = read_responsibilities(tmp_path / "z.csv")
    assert np.all(np.isfinite(resp))
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert np.all(np.isfinite(read_likelihood(tmp_path / "em_likelihood.txt")))


def test_the_cli_explains_a_collapse(tmp_path, capsys):
    np.savetxt(tmp_path / "x.csv", THREE_POINTS, delimiter=",")
    out = tmp_path / "out"
    code = main(["fit", str(tmp_path / "x.csv"), "-k", "3", "--reg-covar", "0", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1
    _assert_explains_the_singularity(err[len("error: ") : -1])
    assert not out.exists()


# ---------------------------------------------------------------------------
# reg_covar = 0: one rule for a collapse, in both engines (issue #14)


def _degenerate_problems(n_problems: int):
    """Small data sets with three identical points, at scales 1e-3 … 1e3 and offsets to 1e4."""
    rng = np.random.default_rng(0)
    for trial in range(n_problems):
        n_features, n_samples = rng.integers(1, 4), rng.integers(5, 30)
        X = rng.standard_normal((n_samples, n_features)) * 10 ** rng.uniform(-3, 3)
        X += rng.standard_normal(n_features) * 10 ** rng.uniform(0, 4)
        X[:3] = X[rng.integers(0, n_samples)]
        for covariance_type in ("full", "tied", "diag", "spherical"):
            n_components = int(rng.integers(2, 5))
            try:
                theta0 = initialize(
                    X,
                    n_components,
                    "random_from_data",
                    covariance_type=covariance_type,
                    random_state=trial,
                    reg_covar=1e-3 * X.std() ** 2,
                )
            except ValueError:
                continue
            yield X, theta0


def test_without_reg_covar_both_engines_take_the_same_collapse_decision():
    """Before, rounding decided: on 6 of these 988 runs one engine raised while the other
    carried on with variances of 1e-29 (or 1e-283) times the data's."""
    outcomes = []
    for X, theta0 in _degenerate_problems(250):
        results = []
        for engine in ENGINES:
            try:
                trace = run_em(X, theta0, max_iter=30, tol=0, reg_covar=0, engine=engine)
            except ValueError as error:
                _assert_explains_the_singularity(str(error))
                results.append("collapsed")
            else:
                _assert_proper(trace)
                results.append("proper")
        outcomes.append(results)
    assert all(steps == fused for steps, fused in outcomes)
    assert 200 < sum(steps == "collapsed" for steps, _ in outcomes) < 800  # both kinds tested


@pytest.mark.parametrize(
    "covariances, means, covariance_type, collapsed",
    [
        (np.zeros((1, 2, 2)), [[0.5, 1.0]], "full", True),  # one point: Σ = 0
        (np.full((1, 2, 2), 1e-29), [[0.5, 1.0]], "full", True),  # the same, after rounding
        (np.array([[[1.0, 1.0], [1.0, 1.0 + 1e-15]]]), [[0.0, 0.0]], "full", True),  # a line
        (np.eye(2)[None], [[1e8, -1e8]], "full", False),  # far from 0, a sound unit spread
        (np.array([[1e-20, 0.0], [0.0, 1.0]]), [[3.0, 0.0]], "tied", True),
        (np.array([[1.0, 1e-31]]), [[1.0, 2.0]], "diag", True),
        (np.array([1e-12]), [[1.0, 2.0]], "spherical", False),  # tight, but 10⁴ ulps wide
        (np.array([np.nan]), [[1.0, 2.0]], "spherical", True),
    ],
)
def test_the_collapse_rule(covariances, means, covariance_type, collapsed):
    from gmmlearn.params import check_not_collapsed

    if collapsed:
        with pytest.raises(ValueError) as info:
            check_not_collapsed(covariances, np.array(means), covariance_type)
        _assert_explains_the_singularity(str(info.value))
    else:
        check_not_collapsed(covariances, np.array(means), covariance_type)
