"""The numbers of docs/answer-key.md that test_lesson_claims.py does not already pin."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs

import gmmlearn
from gmmlearn import GaussianMixture, datasets
from gmmlearn.params import GaussianMixtureParams

THETA_TRUE = GaussianMixtureParams(  # lesson 0
    weights=np.array([0.5, 0.3, 0.2]),
    means=np.array([[0.25, 0.35], [0.5, 0.7], [0.75, 0.35]]),
    covariances=np.array(
        [
            [[0.020, 0.015], [0.015, 0.024]],
            [[0.024, -0.012], [-0.012, 0.016]],
            [[0.012, -0.008], [-0.008, 0.020]],
        ]
    ),
)
FIG_9_8_START = GaussianMixtureParams(  # lessons 2 and 5
    weights=np.array([0.5, 0.5]),
    means=np.array([[-1.5, 1.0], [1.5, -1.0]]),
    covariances=np.stack([0.25 * np.eye(2)] * 2),
)


def ancestral_sample(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Lesson 0's sampler, draw for draw."""
    rng = np.random.default_rng(seed)
    z = rng.choice(3, size=n, p=THETA_TRUE.weights)
    X = np.array(
        [rng.multivariate_normal(THETA_TRUE.means[k], THETA_TRUE.covariances[k]) for k in z]
    )
    return X, z


@pytest.fixture(scope="module")
def faithful() -> np.ndarray:
    X = datasets.old_faithful()
    return (X - X.mean(axis=0)) / X.std(axis=0)


def test_l0_ex1_frequencies_and_group_means_approach_the_truth():
    X, z = ancestral_sample(10_000, seed=1)
    np.testing.assert_allclose(np.bincount(z) / len(z), THETA_TRUE.weights, atol=0.01)
    for k in range(3):
        np.testing.assert_allclose(X[z == k].mean(axis=0), THETA_TRUE.means[k], atol=0.01)


def test_l0_ex2_prior_and_posterior_differ():
    x = np.array([[0.5, 0.45]])
    joint = THETA_TRUE.weights * np.exp(gmmlearn.log_gaussian_density(x, THETA_TRUE))
    np.testing.assert_allclose(joint / joint.sum(), gmmlearn.responsibilities(x, THETA_TRUE))
    np.testing.assert_allclose(joint[0] / joint.sum(), [0.7288, 0.1276, 0.1437], atol=1e-4)


def test_l0_ex3_the_order_of_the_three_log_likelihoods():
    X, z = ancestral_sample(500, seed=0)
    Z = np.eye(3)[z]
    complete = gmmlearn.m_step(X, Z, reg_covar=0.0)
    gm = GaussianMixture(3, random_state=0).fit(X)
    ln_p = [gmmlearn.log_likelihood(X, theta) for theta in (THETA_TRUE, complete, gm.params_)]
    np.testing.assert_allclose(ln_p, [267.98, 274.47, 275.69], atol=0.01)

    def complete_ll(theta):
        return np.sum(Z * gmmlearn.log_weighted_densities(X, theta))

    assert complete_ll(complete) > complete_ll(THETA_TRUE)  # (9.36) is maximised by `complete`
    assert complete_ll(gm.params_) < -4000  # EM's labels are permuted: label switching


@pytest.fixture(scope="module")
def x_csv_run():
    X = np.loadtxt(datasets.path("x.csv"), delimiter=",")
    return X, gmmlearn.run_em(X, gmmlearn.init_bounding_box(X, 4, random_state=0))


def test_l1_ex2_shared_points_along_the_run(x_csv_run):
    _, trace = x_csv_run
    counts = [int(np.sum(trace.responsibilities(t).max(axis=1) <= 0.9)) for t in (0, 1, 5)]
    assert counts == [2773, 2308, 1050]
    assert trace.n_iter == 21
    assert int(np.sum(trace.responsibilities(21).max(axis=1) <= 0.9)) == 65


def test_l1_ex4_spherical_fits_the_elongated_blobs_worse(x_csv_run):
    X, full = x_csv_run
    spherical = gmmlearn.run_em(
        X, gmmlearn.init_bounding_box(X, 4, random_state=0, covariance_type="spherical")
    )
    assert spherical.log_likelihoods[-1] == pytest.approx(-20371.02, abs=0.01)
    assert full.log_likelihoods[-1] - spherical.log_likelihoods[-1] > 900
    ratios = [np.ptp(np.log(np.linalg.eigvalsh(c))) for c in full.final_params.covariances]
    assert sorted(np.exp(ratios))[-1] > 6 and sorted(np.exp(ratios))[0] < 1.2  # one round blob


def test_l2_ex1_bound_holds_on_ten_steps_with_eps_0_1(faithful):
    eps = 0.1
    trace = gmmlearn.run_em(faithful, FIG_9_8_START, max_iter=10, tol=0, reg_covar=eps)
    for t in range(10):
        nk = gmmlearn.effective_counts(trace.responsibilities(t))
        bound = gmmlearn.reg_covar_penalty(nk, trace.params[t + 1], eps)
        bound -= gmmlearn.reg_covar_penalty(nk, trace.params[t], eps)
        assert trace.log_likelihoods[t + 1] - trace.log_likelihoods[t] >= bound - 1e-9


def test_l2_ex4_bound_touches_at_zero_and_peaks_at_the_update(faithful):
    resp = gmmlearn.responsibilities(faithful, FIG_9_8_START)
    new = gmmlearn.m_step(faithful, resp, reg_covar=0)
    s = np.linspace(0, 1.5, 31)
    bound, ln_p = [], []
    for step in s:
        theta = GaussianMixtureParams(
            FIG_9_8_START.weights,
            FIG_9_8_START.means + step * (new.means - FIG_9_8_START.means),
            FIG_9_8_START.covariances,
        )
        bound.append(gmmlearn.lower_bound(faithful, resp, theta))
        ln_p.append(gmmlearn.log_likelihood(faithful, theta))
    gap = np.array(ln_p) - np.array(bound)
    assert gap[0] == pytest.approx(0, abs=1e-8) and np.all(gap[1:] > 1)
    assert s[np.argmax(bound)] == 1.0
    assert s[np.argmax(ln_p)] > 1.0  # ln p itself peaks beyond the update along this line


def test_l4_ex1_spread_of_the_four_initialisations():
    X, _ = make_blobs(600, centers=6, cluster_std=0.6, center_box=(-8, 8), random_state=2)
    spread = {}
    for init in ("bounding-box", "kmeans", "random_from_data", "k-means++"):
        values = [
            GaussianMixture(6, init_params=init, random_state=seed, max_iter=500).fit(X).score(X)
            * len(X)
            for seed in range(8)
        ]
        spread[init] = max(values) - min(values)
    np.testing.assert_allclose(
        [spread[i] for i in ("k-means++", "kmeans", "bounding-box", "random_from_data")],
        [20.7, 21.1, 71.2, 108.3],
        atol=0.1,
    )


def test_l4_ex4_spherical_variances_match_kmeans_within_cluster_variances(faithful):
    km = KMeans(2, n_init=10, random_state=0).fit(faithful)
    gm = GaussianMixture(
        2, covariance_type="spherical", means_init=km.cluster_centers_, random_state=0
    ).fit(faithful)
    within = [
        ((faithful[km.labels_ == k] - km.cluster_centers_[k]) ** 2).sum(axis=1).mean() / 2
        for k in range(2)
    ]
    np.testing.assert_allclose(gm.covariances_, [0.1206, 0.1610], atol=1e-4)
    np.testing.assert_allclose(within, [0.1275, 0.1569], atol=1e-4)
    np.testing.assert_allclose(gm.weights_, np.bincount(km.labels_) / len(faithful), atol=0.005)


def test_l0_ex2_mahalanobis_distances_of_the_point():
    x = np.array([0.5, 0.45])
    distances = [
        np.sqrt((x - mu) @ precision @ (x - mu))
        for mu, precision in zip(THETA_TRUE.means, THETA_TRUE.precisions)
    ]
    np.testing.assert_allclose(distances, [1.93, 2.50, 2.35], atol=0.005)


def test_l5_ex4_weighted_fractions_inside_the_final_ellipses(faithful):
    final = gmmlearn.run_em(faithful, FIG_9_8_START, max_iter=20, tol=0).final_params
    resp = gmmlearn.responsibilities(faithful, final)
    fractions = []
    for k in range(2):
        diff = faithful - final.means[k]
        delta = np.sqrt(np.einsum("ni,ij,nj->n", diff, final.precisions[k], diff))
        fractions.append([resp[delta <= r, k].sum() / resp[:, k].sum() for r in (1, 2)])
    np.testing.assert_allclose(fractions, [[0.42, 0.89], [0.39, 0.87]], atol=0.01)


# --- lesson 3, end-of-lesson exercises 8–11 (issue #20 item 11) -----------------------------------


@pytest.fixture(scope="module")
def converged_resp(faithful) -> np.ndarray:
    run = gmmlearn.run_em(faithful, FIG_9_8_START, max_iter=30, tol=0.0, reg_covar=0.0)
    return run.responsibilities(30)


def test_l3_ex8_uncentred_covariance_cancels_catastrophically(faithful, converged_resp):
    resp, nk = converged_resp, converged_resp.sum(axis=0)

    def centred(X):
        means = resp.T @ X / nk[:, None]
        return np.stack(
            [(resp[:, k, None] * (X - means[k])).T @ (X - means[k]) / nk[k] for k in range(2)]
        )

    def uncentred(X):
        means = resp.T @ X / nk[:, None]
        return np.stack(
            [(resp[:, k, None] * X).T @ X / nk[k] - np.outer(means[k], means[k]) for k in range(2)]
        )

    truth = centred(faithful)
    shifted = faithful + 1e8
    assert np.abs(centred(shifted) - truth).max() < 1e-9
    assert np.abs(uncentred(faithful) - truth).max() < 1e-13  # the same algebraically …
    error = np.abs(uncentred(shifted) - truth).max()
    assert 15 < error < 30  # … "off by about 22"
    assert np.linalg.eigvalsh(uncentred(shifted)).min() < -10  # not positive definite
    assert 0.04 < np.linalg.eigvalsh(truth).min() and np.linalg.eigvalsh(truth).max() < 0.24


def test_l3_ex9_diagonal_m_step(faithful):
    resp = gmmlearn.responsibilities(faithful, FIG_9_8_START)
    nk = resp.sum(axis=0)
    means = resp.T @ faithful / nk[:, None]
    mine = np.stack([resp[:, k] @ (faithful - means[k]) ** 2 / nk[k] for k in range(2)])
    exact = gmmlearn.m_step(faithful, resp, covariance_type="diag", reg_covar=0).covariances
    default = gmmlearn.m_step(faithful, resp, covariance_type="diag").covariances
    np.testing.assert_allclose(mine, exact, rtol=0, atol=1e-15)
    np.testing.assert_allclose(mine + 1e-6, default, rtol=0, atol=1e-15)


def test_l3_ex10_cholesky_log_density():
    from scipy.linalg import solve_triangular

    from gmmlearn import steps

    rng = np.random.default_rng(0)
    X, mean = rng.normal(size=(50, 4)), rng.normal(size=4)
    A = rng.normal(size=(4, 4))
    covariance = A @ A.T + 0.1 * np.eye(4)
    L = np.linalg.cholesky(covariance)
    z = solve_triangular(L, (X - mean).T, lower=True)
    mine = -0.5 * (4 * np.log(2 * np.pi) + 2 * np.log(np.diag(L)).sum() + (z**2).sum(axis=0))
    params = GaussianMixtureParams(np.ones(1), mean[None], covariance[None])
    np.testing.assert_allclose(mine, steps.log_gaussian_density(X, params)[:, 0], rtol=1e-12)


def test_l3_ex11_own_loop_stops_one_iteration_before_run_em(faithful):
    N, theta = len(faithful), FIG_9_8_START
    previous = gmmlearn.log_likelihood(faithful, theta)
    iterations = 0
    while True:
        theta = gmmlearn.m_step(faithful, gmmlearn.responsibilities(faithful, theta), reg_covar=0)
        iterations += 1
        current = gmmlearn.log_likelihood(faithful, theta)
        if abs(current - previous) / N < 1e-3:  # the change this iteration made
            break
        previous = current
    assert iterations == 11
    assert gmmlearn.run_em(faithful, FIG_9_8_START, reg_covar=0).n_iter == 12


# --- lesson 6, exercises 3-7 (issue #20 item 11; exercise 3: issue #21 item 6) ------------------


def hard_em_log_likelihoods(X: np.ndarray, theta: GaussianMixtureParams, n: int) -> np.ndarray:
    values = [gmmlearn.log_likelihood(X, theta)]
    for _ in range(n):
        hard = np.eye(theta.n_components)[gmmlearn.responsibilities(X, theta).argmax(axis=1)]
        theta = gmmlearn.m_step(X, hard, reg_covar=0)
        values.append(gmmlearn.log_likelihood(X, theta))
    return np.array(values)


def test_l6_ex3_one_iteration_closes_then_reopens_the_gap(faithful):
    gamma = gmmlearn.responsibilities(faithful, FIG_9_8_START)
    theta_new = gmmlearn.m_step(faithful, gamma, reg_covar=0)
    after_e = gmmlearn.lower_bound_and_kl(faithful, gamma, FIG_9_8_START)
    after_m = gmmlearn.lower_bound_and_kl(faithful, gamma, theta_new)
    assert after_e[0] == pytest.approx(-2465.5134, abs=1e-4)
    assert after_e[1] == pytest.approx(0.0, abs=1e-9)
    assert after_m[0] == pytest.approx(-521.2606, abs=1e-4)
    assert after_m[1] == pytest.approx(13.4700, abs=1e-4)
    assert gmmlearn.log_likelihood(faithful, theta_new) == pytest.approx(-507.7907, abs=1e-4)


def test_l6_ex4_hard_em_can_lower_ln_p(faithful):
    gamma = gmmlearn.responsibilities(faithful, FIG_9_8_START)
    hard = np.eye(2)[gamma.argmax(axis=1)]
    assert gmmlearn.kl_to_posterior(faithful, hard, FIG_9_8_START) == pytest.approx(22.33, abs=0.01)
    assert gmmlearn.lower_bound(faithful, hard, FIG_9_8_START) == pytest.approx(-2487.85, abs=0.01)
    from_theta = hard_em_log_likelihoods(faithful, FIG_9_8_START, 30)
    assert np.all(np.diff(from_theta) >= -1e-9)
    assert from_theta[-1] == pytest.approx(-385.48, abs=0.005)
    start = gmmlearn.initialize(faithful, 2, "bounding-box", random_state=9)
    falls = np.diff(hard_em_log_likelihoods(faithful, start, 30))
    assert falls[1] == pytest.approx(-0.14, abs=0.005)  # iteration 2


def test_l6_ex5_bound_is_q_plus_entropy(faithful):
    from scipy.special import xlogy

    gamma = gmmlearn.responsibilities(faithful, FIG_9_8_START)
    theta_new = gmmlearn.m_step(faithful, gamma, reg_covar=0)
    Q = np.sum(gamma * gmmlearn.log_weighted_densities(faithful, theta_new))
    H = -np.sum(xlogy(gamma, gamma))
    bound = gmmlearn.lower_bound(faithful, gamma, theta_new)
    assert bound == pytest.approx(Q + H, rel=1e-12)
    assert bound == pytest.approx(-521.2606, abs=1e-4) and H == pytest.approx(46.44, abs=0.005)


def test_l6_ex6_the_explorers_run_stops_near_the_saddle(faithful):
    from gmmlearn.widgets import explore

    trace = explore(faithful, n_components=2, init="bounding-box", random_state=2).trace
    start = gmmlearn.initialize(faithful, 2, "bounding-box", random_state=2)
    same = gmmlearn.run_em(faithful, start)
    np.testing.assert_allclose(same.log_likelihoods, trace.log_likelihoods, rtol=1e-12)
    assert trace.n_iter == 10 and trace.log_likelihoods[-1] == pytest.approx(-541.70, abs=0.005)
    change = np.diff(trace.log_likelihoods)[-1] / len(faithful)
    assert change == pytest.approx(7.7e-4, abs=0.05e-4)
    assert np.all(trace.kls()[-5::2] > 0.09)  # after the last three M-steps
    more = gmmlearn.run_em(faithful, start, max_iter=2000, tol=0.0)
    assert more.log_likelihoods[200] == pytest.approx(-540.51, abs=0.005)
    assert more.log_likelihoods[2000] == pytest.approx(more.log_likelihoods[200], abs=1e-3)
    final = more.final_params
    assert final.weights.min() == pytest.approx(0.17, abs=0.005)
    variances = np.linalg.eigvalsh(final.full_covariances())[int(final.weights.argmin())]
    np.testing.assert_allclose(variances, [0.019, 2.07], atol=0.005)


def test_l6_ex7_half_way_m_step_is_generalised_em(faithful):
    def half_way(old, new):
        return GaussianMixtureParams(
            (old.weights + new.weights) / 2,
            (old.means + new.means) / 2,
            (old.covariances + new.covariances) / 2,
        )

    gamma = gmmlearn.responsibilities(faithful, FIG_9_8_START)
    full = gmmlearn.m_step(faithful, gamma, reg_covar=0)
    half = half_way(FIG_9_8_START, full)
    assert gmmlearn.lower_bound(faithful, gamma, half) == pytest.approx(-1146.22, abs=0.005)
    assert gmmlearn.log_likelihood(faithful, half) == pytest.approx(-1135.26, abs=0.005)
    theta, values = FIG_9_8_START, [gmmlearn.log_likelihood(faithful, FIG_9_8_START)]
    for _ in range(60):
        step = gmmlearn.m_step(faithful, gmmlearn.responsibilities(faithful, theta), reg_covar=0)
        theta = half_way(theta, step)
        values.append(gmmlearn.log_likelihood(faithful, theta))
    assert np.all(np.diff(values) >= -1e-9)
    assert values[20] == pytest.approx(-386.93, abs=0.005)
    assert values[60] == pytest.approx(-385.46, abs=0.005)
