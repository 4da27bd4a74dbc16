"""The numbers of docs/answer-key.md that test_lesson_claims.py does not already pin."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs

import gmmlearn
from gmmlearn import datasets
from gmmlearn.estimator import GaussianMixture
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
