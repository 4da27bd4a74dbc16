"""Every numerical claim of the lessons' prose and of docs/answer-key.md, recomputed (issue #15).

nbval re-runs the lessons and compares their printed numbers; these tests pin what the *prose*
and the answer key say about those numbers (a saddle, label switching, "stopped ≠ converged",
which K BIC picks, …), so that a change of the library that moves a number past what the text
claims fails here, with the claim in the test's name.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs

import gmmlearn
from gmmlearn import GaussianMixture, datasets
from gmmlearn.diagnostics import n_parameters as _n_parameters
from gmmlearn.params import GaussianMixtureParams, precisions_cholesky_from_covariances

# --- the data and starts of the lessons --------------------------------------------------------


@pytest.fixture(scope="module")
def faithful() -> np.ndarray:
    X = datasets.old_faithful()
    return (X - X.mean(axis=0)) / X.std(axis=0)


@pytest.fixture(scope="module")
def x_csv() -> np.ndarray:
    return np.loadtxt(datasets.path("x.csv"), delimiter=",")


# PRML Fig. 9.8(a)'s start, the one of lessons 2 and 5.
FIG_9_8_START = GaussianMixtureParams(
    weights=np.array([0.5, 0.5]),
    means=np.array([[-1.5, 1.0], [1.5, -1.0]]),
    covariances=np.stack([0.25 * np.eye(2)] * 2),
)
# Lesson 4's saddle start: the means exactly across the data.
SADDLE_START = GaussianMixtureParams(
    weights=np.array([0.3, 0.7]),
    means=np.array([[-1.5, 1.5], [1.5, -1.5]]),
    covariances=np.stack([0.5 * np.eye(2)] * 2),
)


def one_gaussian_log_likelihood(X: np.ndarray) -> float:
    return GaussianMixture(1).fit(X).score(X) * len(X)


def three_duplicates_and_start(faithful: np.ndarray) -> tuple[np.ndarray, GaussianMixtureParams]:
    """Lesson 4 part 2: Old Faithful with three identical readings, and a start near them."""
    X_dup = np.vstack([faithful, np.tile([2.5, -2.0], (3, 1))])
    theta0 = GaussianMixtureParams(
        np.array([0.45, 0.45, 0.1]),
        np.array([[-1.0, -1.0], [1.0, 1.0], [2.4, -1.9]]),
        np.stack([0.5 * np.eye(2)] * 3),
    )
    return X_dup, theta0


# --- lesson 2 --------------------------------------------------------------------------------


def test_l2_reg_covar_counter_example_lowers_ln_p_by_at_most_the_penalty(faithful):
    """L2 c24: from the ε = 0 optimum one step with ε > 0 lowers ln p, within the bound."""
    optimum = gmmlearn.run_em(faithful, FIG_9_8_START, max_iter=500, tol=0, reg_covar=0)
    expected_fall = {1e-6: 1.69e-8, 1e-3: 0.0165, 0.1: 48.7}
    for eps, fall in expected_fall.items():
        step = gmmlearn.run_em(faithful, optimum.final_params, max_iter=1, tol=0, reg_covar=eps)
        gain = step.log_likelihoods[1] - step.log_likelihoods[0]
        nk = gmmlearn.effective_counts(step.responsibilities(0))
        bound = gmmlearn.reg_covar_penalty(nk, step.params[1], eps) - gmmlearn.reg_covar_penalty(
            nk, optimum.final_params, eps
        )
        assert gain == pytest.approx(-fall, rel=0.01)
        assert bound <= gain < 0


def test_l2_q_is_not_jointly_concave_but_the_update_is_its_maximum(faithful):
    """L2 c14/c15: the 1-D Hessian of Q in (m, λ) is indefinite beyond |m − x̄| = σ/√2; profiled,
    the weighted mean and the weighted scatter are the maximum."""
    resp = gmmlearn.responsibilities(faithful, FIG_9_8_START)
    x, g = faithful[:, 0], resp[:, 0]
    n1 = g.sum()
    x_bar = g @ x / n1
    sigma2 = g @ (x - x_bar) ** 2 / n1

    def hessian_det(m, lam):  # analytic, for q(m, λ) = Σ g [½ ln λ − ½ λ (x − m)²]
        d_mm, d_ll, d_ml = -n1 * lam, -n1 / (2 * lam**2), g @ (x - m)
        return d_mm * d_ll - d_ml**2

    lam = 1 / sigma2
    assert hessian_det(x_bar + 0.69 * np.sqrt(sigma2), lam) > 0
    assert hessian_det(x_bar + 0.72 * np.sqrt(sigma2), lam) < 0
    assert hessian_det(x_bar + np.sqrt(sigma2 / 2), lam) == pytest.approx(0, abs=1e-6 * n1**2)

    def q(m, lam):
        return float(np.sum(g * (0.5 * np.log(lam) - 0.5 * lam * (x - m) ** 2)))

    rng = np.random.default_rng(0)
    for lam_any in rng.uniform(0.05, 20, size=50):  # any λ: the weighted mean is the best m
        assert q(x_bar, lam_any) >= max(q(x_bar + d, lam_any) for d in (-0.1, 0.1))
        assert q(x_bar, lam) >= q(x_bar, lam_any)  # and then 1/σ² the best λ


def test_l2_seed_7_needs_reg_covar(faithful):
    """L2 c20: with reg_covar=0 seed 7 of the ten bounding-box runs collapses onto two points and
    stops with an error; with the default ε it runs on, its smallest variance at the floor."""
    start = gmmlearn.initialize(faithful, 2, "bounding-box", random_state=7)
    with pytest.raises(ValueError, match="collapsed"):
        gmmlearn.run_em(faithful, start, max_iter=40, tol=0.0, reg_covar=0.0)
    trace = gmmlearn.run_em(faithful, start, max_iter=40, tol=0.0)
    smallest = np.linalg.eigvalsh(trace.final_params.full_covariances()).min()
    assert smallest == pytest.approx(1e-6, rel=0.01)


def test_l2_and_l4_saddle_stopped_is_not_converged(faithful):
    """L2 c20 and L4 c9/c10: the default tol stops 3 iterations in at −541.90, just above one
    Gaussian (−544.99); a longer run leaves the saddle for the two-cluster optimum −385.46."""
    stopped = gmmlearn.run_em(faithful, SADDLE_START)
    assert stopped.converged and stopped.n_iter == 3
    assert stopped.log_likelihoods[-1] == pytest.approx(-541.90, abs=0.005)
    one = one_gaussian_log_likelihood(faithful)
    assert one == pytest.approx(-544.99, abs=0.005)
    assert 0 < stopped.log_likelihoods[-1] - one < 3.2
    longer = gmmlearn.run_em(faithful, SADDLE_START, max_iter=100, tol=0.0)
    assert longer.log_likelihoods[30] < -541  # still on the plateau at 30 …
    assert longer.log_likelihoods[100] == pytest.approx(-385.46, abs=0.005)  # … not at 100


# --- lesson 4 --------------------------------------------------------------------------------


def test_l4_stopped_runs_continue_and_converged_is_not_the_maximum():
    """L4 c11/c12: continued with tol=0, five of the eight bounding-box runs end at −2088.0, the
    worst reaches −2088.3 in 50 more iterations, and none reaches the k-means starts' −2085.0."""
    X, _ = make_blobs(600, centers=6, cluster_std=0.6, center_box=(-8, 8), random_state=2)
    fits = [
        GaussianMixture(6, init_params="bounding-box", random_state=seed, max_iter=500).fit(X)
        for seed in range(8)
    ]
    more = [gmmlearn.run_em(X, gm.params_, max_iter=600, tol=0.0) for gm in fits]
    final = np.array([trace.log_likelihoods[-1] for trace in more])
    assert np.sum(np.abs(final + 2087.97) < 0.05) == 5
    worst = int(np.argmin([gm.score(X) for gm in fits]))
    assert more[worst].log_likelihoods[50] == pytest.approx(-2088.3, abs=0.05)
    best_kmeans = max(
        GaussianMixture(6, random_state=seed, max_iter=500).fit(X).score(X) * len(X)
        for seed in range(8)
    )
    assert best_kmeans == pytest.approx(-2085.0, abs=0.05)
    assert final.max() < best_kmeans - 2


def test_l4_kmeans_limit_holds_for_unequal_weights(faithful):
    """L4 c24/c25: π = (0.9, 0.1) at ε = 1e-3 gives the k-means assignment, and
    −½ Σ γ ‖x − μ‖² → −J/2 (9.43)."""
    km = KMeans(2, n_init=10, random_state=0).fit(faithful)
    params = GaussianMixtureParams(
        np.array([0.9, 0.1]), km.cluster_centers_, np.full(2, 1e-3), "spherical"
    )
    resp = gmmlearn.responsibilities(faithful, params)
    assert np.all(resp.max(axis=1) > 0.999)
    np.testing.assert_array_equal(resp.argmax(axis=1), km.labels_)
    sq_dist = ((faithful[:, None, :] - km.cluster_centers_) ** 2).sum(axis=2)
    assert -0.5 * np.sum(resp * sq_dist) == pytest.approx(-km.inertia_ / 2, rel=1e-6)
    coarse = GaussianMixtureParams(params.weights, params.means, np.full(2, 1.0), "spherical")
    coarse_resp = gmmlearn.responsibilities(faithful, coarse)
    assert np.mean(coarse_resp.argmax(axis=1) == km.labels_) < 0.95  # at ε = 1 the π still count


@pytest.mark.parametrize("kind", ["full", "tied", "diag", "spherical"])
@pytest.mark.parametrize(("K", "D"), [(1, 1), (2, 2), (4, 3), (7, 5)])
def test_l4_parameter_counts_of_the_four_covariance_types(kind, K, D):
    """L4 c19's table: (K − 1) + KD + the covariance parameters of each type."""
    covariance = {"full": K * D * (D + 1) // 2, "tied": D * (D + 1) // 2, "diag": K * D}
    assert _n_parameters(kind, K, D) == (K - 1) + K * D + covariance.get(kind, K)


@pytest.mark.parametrize("kind", ["full", "tied", "diag", "spherical"])
def test_l4_bic_is_minus_twice_prml_4_139(faithful, kind):
    """L4 c19: scikit-learn's BIC is −2 × PRML's ln p(X | θ̂) − ½ p ln N (smaller is better)."""
    gm = GaussianMixture(2, covariance_type=kind, random_state=0).fit(faithful)
    N = len(faithful)
    prml = gm.score(faithful) * N - 0.5 * _n_parameters(kind, 2, 2) * np.log(N)
    assert gm.bic(faithful) == pytest.approx(-2 * prml, rel=1e-12)


def test_l4_diag_bic_counts_density_components_not_clusters():
    """L4 exercise 3: diagonal covariances on the tilted blobs of x.csv; BIC picks K = 6 on
    1…7 but 12 on 1…20 (a misspecified model), full covariances pick the 4 blobs."""
    X3 = datasets.load_four_blobs()
    bic = np.array(
        [
            GaussianMixture(K, covariance_type="diag", random_state=0).fit(X3).bic(X3)
            for K in range(1, 21)
        ]
    )
    assert np.argmin(bic[:7]) + 1 == 6
    assert np.argmin(bic) + 1 == 12
    full = [GaussianMixture(K, random_state=0).fit(X3).bic(X3) for K in range(1, 8)]
    assert np.argmin(full) + 1 == 4


def test_l4_ln_p_of_the_bic_table_dips_at_k_5_and_k_7():
    """L4 c20 and the table of c23: ln p at EM's optimum grows with K, flattens from K = 4 and
    dips at K = 5 and K = 7 (local optima), nowhere else."""
    X3 = datasets.load_four_blobs()
    ln_p = np.array([GaussianMixture(K, random_state=0).fit(X3).score(X3) for K in range(1, 8)])
    ln_p *= len(X3)
    dips = [K + 1 for K in range(1, 7) if ln_p[K] < ln_p[K - 1]]
    assert dips == [5, 7]
    assert np.ptp(ln_p[3:]) < 5  # flat from K = 4 on


def test_l4_no_reg_covar_makes_component_3_own_more_than_the_duplicates(faithful):
    """L4 exercise 2: N₃ stays 3.0 up to ε = 0.3; at ε = 1 the component drops even those."""
    X_dup, theta0 = three_duplicates_and_start(faithful)
    n3 = {}
    for eps in (1e-6, 1e-2, 0.1, 0.3, 1.0):
        final = gmmlearn.run_em(X_dup, theta0, reg_covar=eps, max_iter=500).final_params
        n3[eps] = gmmlearn.responsibilities(X_dup, final)[:, 2].sum()
    for eps in (1e-6, 1e-2, 0.1, 0.3):
        assert n3[eps] == pytest.approx(3.0, abs=0.01)
    assert n3[1.0] < 1


def test_l4_three_duplicates_add_22_nats_far_more_than_any_other_three(faithful):
    """L4 c18–c19 (I17 of the fresh review): at ε = 10⁻⁶ the duplicates add about +22 nats to
    ln p (the rest of the data make it −366); the best three other points add about −1.2; at
    ε = 10⁻² the duplicates' bonus is gone."""
    X_dup, theta0 = three_duplicates_and_start(faithful)
    added = {}
    for eps in (1e-6, 1e-2):
        final = gmmlearn.run_em(X_dup, theta0, reg_covar=eps, max_iter=200).final_params
        per_point = np.logaddexp.reduce(gmmlearn.log_weighted_densities(X_dup, final), axis=1)
        added[eps] = (per_point[-3:].sum(), np.sort(per_point[:-3])[-3:].sum())
    assert added[1e-6][0] == pytest.approx(22.4, abs=0.05)
    assert added[1e-6][1] == pytest.approx(-1.2, abs=0.05)
    assert added[1e-2][0] < added[1e-2][1] < 0


def test_l4_lower_bound_is_ln_p_before_the_last_m_step():
    """L4 c8, c30 (I11 of the fresh review): `lower_bound_` is ln p / N of the last E-step, i.e.
    of the parameters before the final M-step, a little below `score` (the final θ's)."""
    X3 = datasets.load_four_blobs()
    gm = GaussianMixture(4, random_state=0).fit(X3)
    assert gm.lower_bound_ == pytest.approx(-6.467948, abs=1e-6)
    assert gm.score(X3) == pytest.approx(-6.467894, abs=1e-6)
    # the trace records ln p of every θ_t: the last is the final θ, lower_bound_ the one before
    lls = gm.trace_.log_likelihoods
    assert gm.score(X3) * len(X3) == pytest.approx(lls[-1], abs=1e-6)
    assert gm.lower_bound_ * len(X3) == pytest.approx(lls[-2], abs=1e-6)


def test_l4_collapse_adds_d_ln_10_per_factor_10(faithful):
    """L4 c15: each factor 10 in σ adds D ln 10 (D = 2: ln 100) to ln p."""
    good = GaussianMixture(2, random_state=0).fit(faithful).params_

    def with_spike(sigma):
        return gmmlearn.log_likelihood(
            faithful,
            GaussianMixtureParams(
                np.append(0.95 * good.weights, 0.05),
                np.vstack([good.means, faithful[:1]]),
                np.concatenate([good.covariances, [sigma**2 * np.eye(2)]]),
            ),
        )

    assert with_spike(1e-16) - with_spike(1e-8) == pytest.approx(8 * 2 * np.log(10), rel=1e-6)


# --- lesson 1 --------------------------------------------------------------------------------


def test_l1_label_switching_four_seeds_one_optimum_permuted(x_csv):
    """L1 exercise 1: seeds 0–3 all reach −19403.64 with the components permuted."""
    finals = [
        gmmlearn.run_em(x_csv, gmmlearn.init_bounding_box(x_csv, 4, random_state=seed))
        for seed in range(4)
    ]
    values = [trace.log_likelihoods[-1] for trace in finals]
    assert values == pytest.approx([-19403.64] * 4, abs=0.005)
    reference = finals[0].final_params.means
    orders = set()
    for trace in finals:
        means = trace.final_params.means
        # match every component to the nearest reference mean: a permutation, same means
        order = tuple(np.argmin(((means[:, None] - reference) ** 2).sum(axis=2), axis=1))
        assert sorted(order) == [0, 1, 2, 3]
        np.testing.assert_allclose(means, reference[list(order)], atol=0.02)
        orders.add(order)
    assert len(orders) == 4  # four different labellings of one mixture


def test_l1_second_moment_is_close_to_the_covariance_only_because_x_is_centred(x_csv):
    """L1 c4: XᵀX/N − cov = x̄x̄ᵀ, small because x̄ is near 0."""
    second = x_csv.T @ x_csv / len(x_csv)
    cov = np.cov(x_csv.T, bias=True)
    mean = x_csv.mean(axis=0)
    np.testing.assert_allclose(second - cov, np.outer(mean, mean), atol=1e-9)
    assert np.abs(mean).max() < 0.35
    shifted = x_csv + 10.0  # the same data, not centred: the second moment is far off
    assert np.abs(shifted.T @ shifted / len(x_csv) - cov).max() > 90


# --- lesson 5 --------------------------------------------------------------------------------


def test_l5_the_log_likelihood_curve_is_converged_by_l_11(faithful):
    """L5 c13 and teaching.md: gains 1958 (of 2080 in all 20 cycles), 38, 19, …; from L ≈ 11
    nothing visible moves."""
    trace = gmmlearn.run_em(faithful, FIG_9_8_START, max_iter=20, tol=0.0)
    gains = np.diff(trace.log_likelihoods)
    np.testing.assert_allclose(gains[:3], [1957.7, 38.3, 18.8], atol=0.1)
    assert gains.sum() == pytest.approx(2080.05, abs=0.05)
    assert gains[0] / gains.sum() > 0.9  # "the first cycle does most of the work"
    assert np.all(gains[1:9] < 40) and np.all(gains[1:9] > 5)
    assert np.all(gains[10:] < 0.05)


def test_l5_exercise_1_symmetric_start_stops_on_the_saddle(faithful):
    """L5 exercise 1: the default tol stops at L = 6 at −541.94; tol=0 escapes by L = 40 and
    stays at −385.46 at L = 60."""
    sym = GaussianMixtureParams(
        FIG_9_8_START.weights, SADDLE_START.means, FIG_9_8_START.covariances
    )
    stopped = gmmlearn.run_em(faithful, sym)
    assert stopped.n_iter == 6
    assert stopped.log_likelihoods[-1] == pytest.approx(-541.94, abs=0.005)
    longer = gmmlearn.run_em(faithful, sym, max_iter=60, tol=0.0).log_likelihoods
    assert longer[20] < -541 and longer[40] == pytest.approx(-385.48, abs=0.01)
    assert longer[60] == pytest.approx(-385.46, abs=0.005)


def test_l5_exercise_3_em_is_equivariant_in_minutes():
    """L5 exercise 3: the start mapped to minutes gives the same fit; ln p shifts by N Σ ln s."""
    raw = datasets.old_faithful()
    mean, s = raw.mean(axis=0), raw.std(axis=0)
    X = (raw - mean) / s
    ref = gmmlearn.run_em(X, FIG_9_8_START, max_iter=20, tol=0, reg_covar=0)
    mapped = GaussianMixtureParams(
        FIG_9_8_START.weights,
        FIG_9_8_START.means * s + mean,
        np.stack([0.25 * np.diag(s**2)] * 2),
    )
    minutes = gmmlearn.run_em(raw, mapped, max_iter=20, tol=0, reg_covar=0)
    np.testing.assert_allclose(minutes.final_params.means, ref.final_params.means * s + mean)
    shift = len(raw) * np.log(s).sum()
    assert minutes.log_likelihoods[-1] == pytest.approx(ref.log_likelihoods[-1] - shift)
    # (b) Σ_k = 0.25 I in minutes: nearly hard at first, same two clusters in the end (swapped)
    circular = GaussianMixtureParams(mapped.weights, mapped.means, np.stack([0.25 * np.eye(2)] * 2))
    assert np.mean(gmmlearn.responsibilities(raw, circular).max(axis=1) > 0.999) > 0.99
    end = gmmlearn.run_em(raw, circular, max_iter=200, tol=0).final_params
    np.testing.assert_allclose(end.means[::-1], ref.final_params.means * s + mean, atol=1e-3)


def test_l5_exercise_2_bic_prefers_two_components(faithful):
    fits = {K: GaussianMixture(K, random_state=0).fit(faithful) for K in (2, 3)}
    assert fits[3].score(faithful) > fits[2].score(faithful)  # ln p improves a little …
    assert fits[2].bic(faithful) < fits[3].bic(faithful)  # … but not enough for BIC


def test_l5_exercise_4_a_1_sigma_ellipse_holds_39_percent():
    """P(Δ ≤ r) = 1 − exp(−r²/2) in 2-D: 39.3 % at 1σ, 86.5 % at 2σ (checked by sampling)."""
    rng = np.random.default_rng(0)
    cov = np.array([[2.0, 0.8], [0.8, 1.0]])
    x = rng.multivariate_normal([0, 0], cov, size=200_000)
    delta2 = np.einsum("ni,ij,nj->n", x, np.linalg.inv(cov), x)
    for r, expected in ((1, 0.3935), (2, 0.8647)):
        assert 1 - np.exp(-(r**2) / 2) == pytest.approx(expected, abs=1e-4)
        assert np.mean(delta2 <= r**2) == pytest.approx(expected, abs=0.005)


# --- lesson 0 --------------------------------------------------------------------------------


def test_l0_complete_data_fit_is_the_m_step_with_one_hot_z():
    """L0 c12/c13: with the true z, the M-step with one-hot γ is the per-group ML fit (9.37)."""
    rng = np.random.default_rng(3)
    z = rng.choice(3, size=200, p=[0.5, 0.3, 0.2])
    X = rng.normal(size=(200, 2)) + np.array([[0, 0], [4, 0], [0, 4]])[z]
    fit = gmmlearn.m_step(X, np.eye(3)[z], reg_covar=0.0)
    for k in range(3):
        np.testing.assert_allclose(fit.means[k], X[z == k].mean(axis=0))
        np.testing.assert_allclose(fit.covariances[k], np.cov(X[z == k].T, bias=True))
    np.testing.assert_allclose(fit.weights, np.bincount(z) / 200)


# --- issue #20 ----------------------------------------------------------------------------------


def test_l2_reg_covar_fall_needs_the_components_to_widen(faithful):
    """L2 c23 (item 1): the guarantee ½ε Σ N_k (tr Λ_new − tr Λ_old) is negative only when
    Σ N_k tr Λ_k drops — the components widen — and the counter-example's steps do widen."""
    optimum = gmmlearn.run_em(faithful, FIG_9_8_START, max_iter=500, tol=0, reg_covar=0)
    for eps in (1e-6, 1e-3, 0.1):
        step = gmmlearn.run_em(faithful, optimum.final_params, max_iter=1, tol=0, reg_covar=eps)
        nk = gmmlearn.effective_counts(step.responsibilities(0))

        def weighted_trace(params, nk=nk):
            return float(np.sum(nk * np.trace(params.precisions, axis1=1, axis2=2)))

        bound = gmmlearn.reg_covar_penalty(nk, step.params[1], eps) - gmmlearn.reg_covar_penalty(
            nk, optimum.final_params, eps
        )
        drop = weighted_trace(optimum.final_params) - weighted_trace(step.params[1])
        assert drop > 0  # widened
        assert bound == pytest.approx(-0.5 * eps * drop, rel=1e-9)
        assert step.log_likelihoods[1] < step.log_likelihoods[0]


def test_l2_six_of_ten_runs_are_far_below_at_t_40_and_go_three_ways(faithful):
    """L2 c21–c25 (item 14): at t = 40 four bounding-box runs reach −385.46; six are between
    −541.7 and −537.6, a few nats above one Gaussian, with their means close together. Run on to
    t = 500: the two with both components large (seeds 0, 9) leave the saddle's plateau for
    −385.46; three with a small component (2, 4, 8) settle at −540.51 with a thin component of
    46.9 points; seed 7's tiny component already sits on two points at reg_covar's variance."""
    one = one_gaussian_log_likelihood(faithful)
    ends = {}
    for seed in range(10):
        start = gmmlearn.initialize(faithful, 2, "bounding-box", random_state=seed)
        trace = gmmlearn.run_em(faithful, start, max_iter=500, tol=0.0)
        at_40 = trace.params[40]
        value = trace.log_likelihoods[40]
        gap = np.linalg.norm(at_40.means[0] - at_40.means[1])
        final = trace.final_params
        smallest_nk = len(faithful) * final.weights.min()
        variance = np.linalg.eigvalsh(final.full_covariances())[:, 0].min()
        if value == pytest.approx(-385.46, abs=0.005):
            assert gap == pytest.approx(2.73, abs=0.005)
            ends[seed] = "reached"
            continue
        assert -541.75 < value < -537.5 and value - one < 8 and gap < 1.3
        small = at_40.weights.min() < 0.2
        if trace.log_likelihoods[500] == pytest.approx(-385.46, abs=0.005):
            ends[seed] = "saddle" if not small else "?"
        elif trace.log_likelihoods[500] == pytest.approx(-540.51, abs=0.005):
            assert small and smallest_nk == pytest.approx(46.9, abs=0.05)
            assert variance == pytest.approx(0.019, abs=0.0005)
            ends[seed] = "thin"
        else:
            assert small and smallest_nk == pytest.approx(2.0, abs=0.05)
            assert variance == pytest.approx(1e-6, rel=0.01)
            assert trace.log_likelihoods[40] == pytest.approx(trace.log_likelihoods[500], abs=1e-6)
            ends[seed] = "collapse"  # already at t = 40
    assert ends == {
        0: "saddle", 1: "reached", 2: "thin", 3: "reached", 4: "thin",
        5: "reached", 6: "reached", 7: "collapse", 8: "thin", 9: "saddle",
    }  # fmt: skip


def test_l4_the_runs_at_2088_hold_a_two_point_component_only_by_reg_covar():
    """L4 c6/c11/c12 (items 2, 3): the five bounding-box runs that end at −2088.0 have a component
    on two points whose smallest variance is reg_covar; the best start already has it; the worst
    had only stopped (+77 in 50 more iterations); the k-means start has no such component."""
    X, _ = make_blobs(600, centers=6, cluster_std=0.6, center_box=(-8, 8), random_state=2)
    N = len(X)

    def smallest(params):
        variance = np.linalg.eigvalsh(params.full_covariances())[:, 0].min()
        return N * params.weights.min(), variance

    fits = [
        GaussianMixture(6, init_params="bounding-box", random_state=seed, max_iter=500).fit(X)
        for seed in range(8)
    ]
    at_2088 = 0
    for gm in fits:
        more = gmmlearn.run_em(X, gm.params_, max_iter=600, tol=0.0)
        if abs(more.log_likelihoods[-1] + 2087.97) < 0.05:
            at_2088 += 1
            nk, variance = smallest(more.final_params)
            assert nk == pytest.approx(2.0, abs=0.01)
            assert variance == pytest.approx(1e-6, rel=0.01)  # reg_covar's floor
    assert at_2088 == 5
    scores = [gm.score(X) * N for gm in fits]
    best, worst = fits[int(np.argmax(scores))], fits[int(np.argmin(scores))]
    nk, variance = smallest(best.params_)
    assert nk == pytest.approx(2.0, abs=0.01) and variance == pytest.approx(1e-6, rel=0.01)
    worst_more = gmmlearn.run_em(X, worst.params_, max_iter=50, tol=0.0)
    assert worst_more.log_likelihoods[50] - min(scores) == pytest.approx(77, abs=0.5)
    kmeans = GaussianMixture(6, random_state=0, max_iter=500).fit(X)
    nk, variance = smallest(kmeans.params_)
    assert nk > 80 and variance > 0.1


def test_l4_collapse_error_numbers_the_component_as_the_text(faithful):
    """L4 c16 (item 24): the library's message names component 3, the text's π₃ (index 2)."""
    X_dup, theta0 = three_duplicates_and_start(faithful)
    with pytest.raises(ValueError, match="covariance of component 3 is not positive definite"):
        gmmlearn.run_em(X_dup, theta0, reg_covar=0.0)
    bad = np.stack([np.eye(2), np.eye(2), -np.eye(2)])
    with pytest.raises(ValueError, match="covariance of component 3 is not"):
        precisions_cholesky_from_covariances(bad, "full")
    with pytest.raises(ValueError, match="variance of component 2 is not positive"):
        precisions_cholesky_from_covariances(np.array([1.0, 0.0]), "spherical")


def _playground_on(name):
    from gmmlearn.widgets import explore

    pg = explore("separated", 3, init="kmeans", random_state=0)
    pg.use_preset(name)
    return pg


def test_l4_playground_ln_p_at_k_8_is_below_k_7_on_separated():
    """L4 c38/c39 (item 4): ln p does not rise with every component: K = 8 < K = 7."""
    from gmmlearn.widgets import information_criteria

    pg = _playground_on("separated")
    values = {}
    for K in (7, 8):
        pg.k_input.value = K
        values[K] = information_criteria(pg.trace)["log_likelihood"]
    assert values[8] < values[7]


def test_l4_playground_dragged_run_stopped_and_climbs_when_continued():
    """L4 c33–c35 (item 25): the dragged run stops at −1275.81; run on it reaches −1271.98 by
    50 more iterations and stays there to 2000, far below k-means' −1083.8."""
    pg = _playground_on("separated")
    pg.show(pg.step_slider.max)
    pg.move_mean(1, [-2.9, 1.0])
    assert pg.trace.converged
    assert pg.trace.log_likelihoods[-1] == pytest.approx(-1275.81, abs=0.005)
    more = gmmlearn.run_em(pg.X, pg.trace.final_params, max_iter=2000, tol=0.0)
    assert more.log_likelihoods[50] == pytest.approx(-1271.98, abs=0.005)
    assert more.log_likelihoods[2000] == pytest.approx(more.log_likelihoods[50], abs=0.005)
    assert more.log_likelihoods[-1] < -1083.8 - 100


def test_l4_answer_key_ex2_component_3_empties_when_run_on(faithful):
    """Answer key L4 ex 2 (item 27): at ε = 1 the run stops with N₃ = 0.42; run on, N₃ → 0."""
    X_dup, theta0 = three_duplicates_and_start(faithful)
    stopped = gmmlearn.run_em(X_dup, theta0, reg_covar=1.0, max_iter=500)
    n3 = gmmlearn.responsibilities(X_dup, stopped.final_params)[:, 2].sum()
    assert n3 == pytest.approx(0.42, abs=0.005)
    more = gmmlearn.run_em(X_dup, theta0, reg_covar=1.0, max_iter=1000, tol=0.0)
    assert gmmlearn.responsibilities(X_dup, more.final_params)[:, 2].sum() < 1e-4


def test_l1_l4_l5_stopping_rule_is_one_iteration_after_a_naive_loop(x_csv):
    """L1 c14, L4 c4, L5 c4 (item 23): on x.csv the library stops after 21 iterations, having
    tested iteration 20's change (6.2e-4 per point < tol); a loop testing the change it has just
    made stops after 20."""
    start = gmmlearn.init_bounding_box(x_csv, 4, random_state=0)
    trace = gmmlearn.run_em(x_csv, start)
    assert trace.n_iter == 21
    change = np.diff(trace.log_likelihoods) / len(x_csv)
    assert change[19] == pytest.approx(6.16e-4, abs=0.005e-4) and np.all(change[:19] >= 1e-3)
    theta, previous, iterations = start, gmmlearn.log_likelihood(x_csv, start), 0
    while True:
        theta = gmmlearn.m_step(x_csv, gmmlearn.responsibilities(x_csv, theta))
        iterations += 1
        current = gmmlearn.log_likelihood(x_csv, theta)
        if abs(current - previous) / len(x_csv) < 1e-3:
            break
        previous = current
    assert iterations == 20


# --- lesson 1: em.png as shown ---------------------------------------------------------------


@pytest.mark.parametrize("K", [4, 40])
def test_l1_em_png_legend_is_inside_the_picture(x_csv, K):
    """L1 c24 (style): em.png's legend (π_k, the means) lies wholly inside the 850-px image —
    it was cut at the right edge — and its text is at least 10 pt for K = 4."""
    from gmmlearn.plotting.static import em_figure

    params = gmmlearn.initialize(x_csv, K, random_state=0)
    figure = em_figure(x_csv, params, gmmlearn.responsibilities(x_csv, params))
    figure.canvas.draw()  # a Figure made without pyplot gets its Agg canvas on first draw
    (legend,) = figure.legends
    box, frame = legend.get_window_extent(), figure.bbox
    assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
    if K == 4:
        assert min(text.get_fontsize() for text in legend.get_texts()) >= 10


def test_l1_explorer_still_picture_text_is_at_least_10_pt(x_csv):
    """L1 c20 (figures a room can read): every text of the explorer's matplotlib view is at
    least 10 pt (≥ 14 px at the notebook's 100 dpi) and the figure at most 1150 px wide."""
    from matplotlib.text import Text

    from gmmlearn.plotting.view import EMView

    trace = gmmlearn.run_em(x_csv, gmmlearn.init_bounding_box(x_csv, 4, random_state=0))
    view = EMView(trace)
    view.show(trace.n_half_steps - 1)
    figure = view.figure
    texts = [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert min(t.get_fontsize() for t in texts) >= 10
    assert figure.get_size_inches()[0] * figure.dpi <= 1150


# --- lesson 6 --------------------------------------------------------------------------------


def test_l6_staircase_from_the_fig_9_8_start_climbs_off_any_plateau(faithful):
    """L6 c2/c13/c14 (item 7): from the start of lessons 2, 3 and 5 (not lesson 4's saddle start)
    each of the first five M-steps raises ln p by more than 5 nats and leaves a visible gap
    (KL > 1), while from the saddle start the same steps move ln p by less than 0.1."""
    trace = gmmlearn.run_em(faithful, FIG_9_8_START, max_iter=20, tol=0.0, reg_covar=0.0)
    assert np.all(np.diff(trace.log_likelihoods[1:7]) > 5)
    assert np.all(trace.kls()[2:12:2] > 1)
    saddle = gmmlearn.run_em(faithful, SADDLE_START, max_iter=20, tol=0.0, reg_covar=0.0)
    assert np.all(np.abs(np.diff(saddle.log_likelihoods[1:7])) < 0.1)


# --- docs/teaching.md ------------------------------------------------------------------------

_ROOT = Path(__file__).resolve().parents[2]
_ROW = re.compile(r"^\| (\d+)–(\d+) \| \*\*(\d)\*\* c(\d+)–c(\d+) \| ([^|]*) \|", re.MULTILINE)


def _notebook(lesson: int) -> dict:
    (path,) = (_ROOT / "notebooks").glob(f"0{lesson}_*.ipynb")
    return json.loads(path.read_text(encoding="utf-8"))


def first_timer_minutes(lesson: int, first: int, last: int, students_write: bool) -> float:
    """docs/teaching.md's estimate: 60 words a minute of prose (without the Summary and the
    end-of-lesson exercises), 45 s a code cell, 5 min for each function the students write."""
    minutes = 0.0
    for cell in _notebook(lesson)["cells"][first : last + 1]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            minutes += len(source.split("## Summary")[0].split()) / 60
        else:
            minutes += 0.75 + (5 if students_write and "### BEGIN SOLUTION" in source else 0)
    return minutes


def test_teaching_md_minutes_cover_a_first_timers_pace():
    """docs/teaching.md (issue #20, re-timing): every row of the two class tables gives at least
    the minutes a first-timer needs for its cells, and each class fills 90 minutes."""
    text = (_ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")
    rows = _ROW.findall(text)
    assert len(rows) >= 10
    for start, end, lesson, first, last, who in rows:
        needed = first_timer_minutes(int(lesson), int(first), int(last), "students" in who)
        assert int(end) - int(start) >= round(needed), (lesson, first, last, needed)
    by_lesson = text[text.index("By lesson (body only") : text.index("So the path is")]
    for lesson, minutes in re.findall(r"(\d) · (\d+)", by_lesson):
        cells = _notebook(int(lesson))["cells"]
        body = next(i for i, c in enumerate(cells) if "## Summary" in "".join(c["source"]))
        needed = first_timer_minutes(int(lesson), 0, body, students_write=False)
        assert abs(int(minutes) - needed) <= 1, (lesson, minutes, needed)
    for title in ("## Class 1", "## Class 2"):
        table = text[text.index(title) :].split("\n## ")[0]
        ends = [int(m) for m in re.findall(r"^\| \d+–(\d+) \|", table, re.MULTILINE)]
        assert ends[-1] == 90


def test_gamma_nk_is_first_written_in_lesson_2_as_lesson_0_and_teaching_md_say():
    """W2 of the second review: lesson 0 c6 and teaching.md say γ_nk is written from lesson 2 on;
    lesson 5, between them on the path, writes only γ."""

    def writes_gamma_nk(lesson: int) -> bool:
        return any(r"\gamma_{nk}" in "".join(c["source"]) for c in _notebook(lesson)["cells"])

    assert not writes_gamma_nk(5) and writes_gamma_nk(2)
    assert "from lesson 2 on" in "".join(_notebook(0)["cells"][6]["source"])
    assert "written γ_nk from lesson 2 on" in (_ROOT / "docs" / "teaching.md").read_text("utf-8")


def test_previous_and_next_links_follow_teaching_md():
    """Every lesson's Previous/Next links, in its first cell and again at its end (S4 of the
    fresh review), follow the order of docs/teaching.md."""
    text = (_ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")
    order_line = text[text.index("**The order:**") : text.index("Beyond the two classes")]
    order = [int(n) for n in re.findall(r"notebooks/0(\d)_", order_line)]
    assert order == [0, 5, 2, 3, 6, 4, 1]
    for before, lesson, after in zip([None, *order], order, [*order[1:], None]):
        cells = _notebook(lesson)["cells"]
        head = "".join(cells[0]["source"])
        tail = "".join([c for c in cells if c["cell_type"] == "markdown"][-1]["source"])
        previous = rf"Previous: \[lesson {before}\b[^\]]*\]\(0{before}_"
        following = rf"Next:\s+\[lesson {after}\b[^\]]*\]\(0{after}_"
        for where in (head, tail):
            assert before is None or re.search(previous, where), lesson
            assert after is None or re.search(following, where), lesson
    # lesson 7, beyond the path: its end links back to lesson 1, the end of the path
    tail = "".join([c for c in _notebook(7)["cells"] if c["cell_type"] == "markdown"][-1]["source"])
    assert re.search(r"Previous: \[lesson 1\b[^\]]*\]\(01_", tail)
