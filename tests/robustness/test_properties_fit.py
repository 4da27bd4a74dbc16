"""Invariants of whole fits, property-tested with hypothesis: the estimator, symmetries, the CLI.

``tests/robustness/test_properties.py`` checks EM's invariants on ``run_em`` from θ₀ drawn by
``initialize``. This file adds what a user of the fit relies on:

* from *user-given* random θ₀ (random π on the simplex, random means, random SPD precisions, every
  covariance type) the estimator's run keeps γ rows on the simplex, π summing to 1, every Σ_k
  symmetric positive definite, and never lowers the log-likelihood by more than reg_covar's
  penalty allows;
* the fit does not depend on the order of the rows of X, up to relabelling the components;
* ``random_state`` makes a fit exactly reproducible (bit for bit);
* the CLI's output files read back to the γ and θ the library computes.

Cases per run: 200 + 100 + 60 + 30 = 390 here (590 with ``tests/robustness/test_properties.py``).
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import warnings
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment
from sklearn.exceptions import ConvergenceWarning

from gmmlearn import (
    GaussianMixture,
    effective_counts,
    initialize,
    reg_covar_penalty,
    responsibilities,
    run_em,
)
from gmmlearn.cli import main
from gmmlearn.initialization import INIT_METHODS
from gmmlearn.io import read_likelihood, read_params, read_responsibilities
from gmmlearn.params import COVARIANCE_TYPES


def _settings(n: int) -> settings:
    return settings(max_examples=n, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextlib.contextmanager
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


# ---------------------------------------------------------------------------
# Generators
# ---------------------------------------------------------------------------


def _blobs(rng, n_samples, n_features, n_centres, scale, duplicates):
    centres = rng.normal(scale=5 * scale, size=(n_centres, n_features))
    X = centres[rng.integers(n_centres, size=n_samples)] + scale * rng.normal(
        size=(n_samples, n_features)
    )
    if duplicates:  # half the rows one point; n_samples ≥ 2K keeps K ≤ distinct points
        X[: n_samples // 2] = X[0]
    return X


def _random_precisions(rng, covariance_type, n_components, n_features, scale):
    """Random symmetric positive definite Λ, shaped by covariance type, of the data's scale."""
    spread = scale**2 * 10.0 ** rng.uniform(-1, 1, size=n_components)
    if covariance_type == "spherical":
        return 1.0 / spread
    if covariance_type == "diag":
        return 1.0 / (spread[:, None] * rng.uniform(0.2, 2.0, size=(n_components, n_features)))
    a = rng.normal(size=(n_components, n_features, n_features))
    covariances = (a @ np.swapaxes(a, 1, 2) + 0.5 * np.eye(n_features)) * spread[:, None, None]
    precisions = np.linalg.inv(covariances)
    precisions = (precisions + np.swapaxes(precisions, 1, 2)) / 2
    return precisions if covariance_type == "full" else precisions[0]


def _draw_sizes(draw, max_features, max_components, per_component, max_samples, max_exponent):
    """A generator, D, K, N ≥ per_component·K and a scale 10^±max_exponent, drawn."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n_features = draw(st.integers(1, max_features))
    n_components = draw(st.integers(1, max_components))
    n_samples = draw(st.integers(max(per_component * n_components, 4), max_samples))
    scale = 10.0 ** draw(st.integers(-max_exponent, max_exponent))
    return rng, n_features, n_components, n_samples, scale


def _initial(rng, covariance_type, means, concentration, scale) -> dict:
    """A user-given θ₀: π ~ Dirichlet(concentration), the given μ, random SPD Λ."""
    n_components, n_features = means.shape
    return {
        "weights_init": rng.dirichlet(concentration * np.ones(n_components)),
        "means_init": means,
        "precisions_init": _random_precisions(
            rng, covariance_type, n_components, n_features, scale
        ),
    }


@st.composite
def fits(draw):
    """Random data, K, covariance type and a random user-given θ₀ = (π, μ, Λ)."""
    rng, n_features, n_components, n_samples, scale = _draw_sizes(draw, 4, 5, 2, 80, 3)
    X = _blobs(rng, n_samples, n_features, draw(st.integers(1, 4)), scale, draw(st.booleans()))
    covariance_type = draw(st.sampled_from(COVARIANCE_TYPES))
    means = X[rng.integers(n_samples, size=n_components)]
    means = means + scale * rng.normal(size=means.shape)
    initial = _initial(rng, covariance_type, means, 1.0, scale)
    return X, n_components, covariance_type, initial, 1e-6 * scale**2


# ---------------------------------------------------------------------------
# Invariants along a run
# ---------------------------------------------------------------------------


def assert_em_invariants(trace) -> None:
    """γ on the simplex, π summing to 1, Σ_k SPD at every step; ln p(X|θ_t) falls by no more
    than the reg_covar penalty allows (not at all with reg_covar=0)."""
    for t in range(trace.n_iter + 1):
        resp = trace.responsibilities(t)
        assert np.all((resp >= 0) & (resp <= 1))
        np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=0, atol=1e-12)
        params = trace.params[t]
        assert np.all(params.weights >= 0) and abs(params.weights.sum() - 1) <= 1e-12
        full = params.full_covariances()
        size = np.abs(full).max(axis=(1, 2), keepdims=True)
        assert np.all(np.abs(full - np.swapaxes(full, 1, 2)) <= 1e-12 * size)
        np.linalg.cholesky(full)  # raises unless every Σ_k is positive definite
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
        assert ll[t + 1] - ll[t] >= bound - rounding, f"ln p(X|θ) fell at step {t}: {ll}"


@_settings(200)
@given(fits())
def test_estimator_invariants_from_random_initial_parameters(fit):
    X, n_components, covariance_type, initial, reg_covar = fit
    gm = GaussianMixture(
        n_components,
        covariance_type=covariance_type,
        reg_covar=reg_covar,
        tol=0,
        max_iter=12,
        **initial,
    )
    with _quiet():
        gm.fit(X)
    assert gm.n_iter_ == 12
    assert_em_invariants(gm.trace_)
    np.testing.assert_allclose(gm.predict_proba(X), gm.trace_.responsibilities(-1), atol=1e-12)


# ---------------------------------------------------------------------------
# Row order, up to relabelling
# ---------------------------------------------------------------------------


@st.composite
def separated_fits(draw):
    """Well-separated clusters, θ₀ near them, and a permutation of rows and of components."""
    rng, n_features, n_components, n_samples, scale = _draw_sizes(draw, 3, 4, 5, 100, 2)
    centres = 20 * scale * rng.normal(size=(n_components, n_features))
    labels = np.arange(n_samples) % n_components
    X = centres[labels] + scale * rng.normal(size=(n_samples, n_features))
    covariance_type = draw(st.sampled_from(COVARIANCE_TYPES))
    means = centres + scale * rng.normal(size=centres.shape)
    initial = _initial(rng, covariance_type, means, 5.0, scale)
    return (
        X,
        covariance_type,
        initial,
        1e-6 * scale**2,
        rng.permutation(n_samples),
        (rng.permutation(n_components)),
    )


def _relabelled(initial: dict, covariance_type: str, order: np.ndarray) -> dict:
    """The same θ₀ with component k moved to position k' (order[k'] = k)."""
    shared = {"precisions_init"} if covariance_type == "tied" else set()  # one Λ for all
    return {
        name: value if name in shared else np.asarray(value)[order]
        for name, value in initial.items()
    }


@_settings(100)
@given(separated_fits())
def test_row_order_does_not_matter_up_to_label_permutation(case):
    X, covariance_type, initial, reg_covar, rows, labels = case
    options = dict(covariance_type=covariance_type, reg_covar=reg_covar, tol=1e-10, max_iter=30)
    n_components = len(labels)
    with _quiet():
        a = GaussianMixture(n_components, **options, **initial).fit(X)
        b = GaussianMixture(
            n_components, **options, **_relabelled(initial, covariance_type, labels)
        ).fit(X[rows])
    # Find the relabelling from the fits alone (Hungarian matching of the means) ...
    cost = np.linalg.norm(a.means_[:, None, :] - b.means_[None, :, :], axis=2)
    matched_a, matched_b = linear_sum_assignment(cost)
    order = matched_b[np.argsort(matched_a)]  # b's component for each of a's
    # ... it must be the one we applied, and then everything agrees to rounding.
    np.testing.assert_array_equal(labels[order], np.arange(n_components))
    scale = np.abs(X).max()
    np.testing.assert_allclose(b.weights_[order], a.weights_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(b.means_[order], a.means_, rtol=1e-9, atol=1e-12 * scale)
    cov_b = b.covariances_ if covariance_type == "tied" else b.covariances_[order]
    np.testing.assert_allclose(cov_b, a.covariances_, rtol=1e-9, atol=1e-12 * scale**2)
    np.testing.assert_allclose(b.predict_proba(X)[:, order], a.predict_proba(X), atol=1e-9)
    np.testing.assert_allclose(
        b.trace_.responsibilities(-1)[:, order], a.trace_.responsibilities(-1)[rows], atol=1e-9
    )
    assert a.n_iter_ == b.n_iter_
    np.testing.assert_allclose(b.lower_bound_, a.lower_bound_, rtol=1e-10)


# ---------------------------------------------------------------------------
# random_state
# ---------------------------------------------------------------------------

FITTED = ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_")


@_settings(60)
@given(
    seed=st.integers(0, 2**31 - 1),
    data_seed=st.integers(0, 2**31 - 1),
    init_params=st.sampled_from(INIT_METHODS),
    covariance_type=st.sampled_from(COVARIANCE_TYPES),
    n_components=st.integers(1, 4),
    n_init=st.integers(1, 2),
)
def test_random_state_makes_fits_exactly_reproducible(
    seed, data_seed, init_params, covariance_type, n_components, n_init
):
    rng = np.random.default_rng(data_seed)
    X = _blobs(rng, 60, 2, 3, 1.0, duplicates=False)
    options = dict(
        covariance_type=covariance_type, init_params=init_params, n_init=n_init, max_iter=20
    )
    with _quiet():
        a, b = (GaussianMixture(n_components, random_state=seed, **options).fit(X) for _ in "ab")
    for name in FITTED:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    np.testing.assert_array_equal(a.trace_.log_likelihoods, b.trace_.log_likelihoods)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(a.sample(5)[0], b.sample(5)[0])


# ---------------------------------------------------------------------------
# The CLI's files round-trip
# ---------------------------------------------------------------------------


@_settings(30)
@given(
    data_seed=st.integers(0, 2**31 - 1),
    n_samples=st.integers(12, 60),
    n_features=st.integers(1, 3),
    n_components=st.integers(1, 3),
    covariance_type=st.sampled_from(COVARIANCE_TYPES),
    init=st.sampled_from(INIT_METHODS),
    seed=st.integers(0, 1000),
)
def test_cli_output_files_round_trip(
    data_seed, n_samples, n_features, n_components, covariance_type, init, seed
):
    rng = np.random.default_rng(data_seed)
    X = _blobs(rng, n_samples, n_features, 3, 10.0 ** rng.integers(-2, 3), duplicates=False)
    tol = 1e-6
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        np.savetxt(folder / "x.csv", X, delimiter=",", fmt="%.17g")
        args = ["fit", str(folder / "x.csv"), "-k", str(n_components), "--out", str(folder)]
        args += ["--covariance-type", covariance_type, "--init", init, "--seed", str(seed)]
        args += ["--tol", str(tol), "--quiet"]
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            code = main(args)
        assert code == 0, stderr.getvalue()
        resp = read_responsibilities(folder / "z.csv")
        params = read_params(folder / "params.dat")
        lls = read_likelihood(folder / "em_likelihood.txt")
    theta0 = initialize(X, n_components, init, covariance_type=covariance_type, random_state=seed)
    trace = run_em(X, theta0, max_iter=100, tol=tol / n_samples)
    np.testing.assert_array_equal(lls, trace.log_likelihoods)  # written in full, read exactly
    np.testing.assert_allclose(resp, trace.responsibilities(-1), rtol=0, atol=1e-15)
    final = trace.final_params
    assert params.covariance_type == covariance_type
    np.testing.assert_array_equal(params.weights, final.weights)  # every digit written
    np.testing.assert_array_equal(params.means, final.means)
    # params.dat holds Λ_k; Σ_k = Λ_k⁻¹ comes back to within its condition number times ε
    covariances = final.full_covariances()
    slack = 1e-14 * np.linalg.cond(covariances).max() * np.abs(covariances).max()
    np.testing.assert_allclose(params.full_covariances(), covariances, rtol=0, atol=slack)
    # and the files agree with each other: γ of the θ read back is the γ read back
    np.testing.assert_allclose(responsibilities(X, params), resp, rtol=0, atol=1e-9)
