"""Every numerical claim of lesson 7's prose and of its answer-key section, recomputed (issue 20).

nbval re-runs the lesson and compares its printed numbers; these tests pin what the *prose* says
about them (which term prunes, which K the full bound picks, how the predictive's tails compare,
…), so that a change of the library that moves a number past what the text claims fails here,
with the claim in the test's name.
"""

import math
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import gmmlearn
from gmmlearn import BayesianGaussianMixture, GaussianMixture, datasets, vb
from gmmlearn.initialization import initial_responsibilities

K = 6


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture(scope="module")
def faithful() -> np.ndarray:
    X = datasets.old_faithful()
    return (X - X.mean(axis=0)) / X.std(axis=0)


@pytest.fixture(scope="module")
def prior(faithful):
    p = vb.default_prior(faithful, K, prior_type="dirichlet_distribution")
    return vb.VBPrior(1e-3, p.beta0, p.m0, p.W0_inverse, p.nu0, prior_type=p.prior_type)


@pytest.fixture(scope="module")
def r0(faithful):
    return initial_responsibilities(faithful, K, "kmeans", np.random.RandomState(0))


def fit(X, k=K, alpha0=1e-3, init="kmeans", seed=0, **kw):
    return BayesianGaussianMixture(
        n_components=k,
        weight_concentration_prior_type="dirichlet_distribution",
        weight_concentration_prior=alpha0,
        init_params=init,
        random_state=seed,
        max_iter=kw.pop("max_iter", 1000),
        tol=kw.pop("tol", 1e-6),
        **kw,
    ).fit(X)


@pytest.fixture(scope="module")
def bgm(faithful):
    return fit(faithful, max_iter=500)


def live(model) -> int:
    return int(np.sum(model.weights_ > 0.01))


def died_at(counts: np.ndarray) -> list:
    """The iteration at which each N_k falls below ½, None if alive at the end."""
    return [
        int(np.argmax(counts[:, k] < 0.5)) if counts[-1, k] < 0.5 else None
        for k in range(counts.shape[1])
    ]


# --- the model and one step --------------------------------------------------------------------


def test_l7_em_runs_of_the_k_table_stop_by_tol_within_20_iterations(faithful):
    """L7 c29 (W1 of the second review): EM at K = 1…6 stops by tol after 2, 3, 6, 8, 20, 20
    iterations, with max_iter = 100 or 500: no ConvergenceWarning to hide."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        for max_iter in (100, 500):
            n_iter = []
            for k in range(1, 7):
                em = GaussianMixture(n_components=k, random_state=0, max_iter=max_iter)
                em.fit(faithful)
                assert em.converged_
                n_iter.append(em.n_iter_)
            assert n_iter == [2, 3, 6, 8, 20, 20]


def test_l7_alpha_is_alpha0_plus_nk_exactly(faithful, prior, r0):
    """c3 (item 20): α_k = α₀ + N_k with no slack; the prior is the empirical one."""
    nk, _, _ = vb.statistics(faithful, r0)
    assert np.array_equal(vb.vb_m_step(faithful, r0, prior).alpha, prior.alpha0 + nk)
    np.testing.assert_allclose(prior.m0, faithful.mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(prior.W0_inverse, np.cov(faithful.T))
    assert (prior.beta0, prior.nu0) == (1.0, 2.0)


def test_l7_sklearns_bound_is_not_a_bound_on_the_evidence(faithful, prior, r0):
    """c3–c4 (item 17): scikit-learn's number is positive, the book's ℒ ≤ ln p(X) far below."""
    r1, log_r1 = vb.vb_e_step(faithful, vb.vb_m_step(faithful, r0, prior))
    q1 = vb.vb_m_step(faithful, r1, prior)
    assert vb.lower_bound(log_r1, q1) > 0
    assert vb.full_lower_bound(faithful, r1, q1, prior, reg_covar=1e-6) < -400


def test_l7_vb_responsibilities_approach_ems_like_one_over_n(faithful, prior, r0):
    """c5: max |r_VB − γ_EM(plug-in)| falls by about ten per ten copies of the data."""
    r1, _ = vb.vb_e_step(faithful, vb.vb_m_step(faithful, r0, prior))
    gaps = []
    for copies in (1, 10, 100, 1000):
        q = vb.vb_m_step(np.tile(faithful, (copies, 1)), np.tile(r1, (copies, 1)), prior)
        plug_in = gmmlearn.GaussianMixtureParams(q.weights, q.m, q.covariances)
        r_vb, _ = vb.vb_e_step(faithful, q)
        gaps.append(np.abs(r_vb - gmmlearn.responsibilities(faithful, plug_in)).max())
    ratios = np.array(gaps[:-1]) / np.array(gaps[1:])
    assert np.all((ratios > 7) & (ratios < 13))


def test_l7_sup_of_the_likelihood_is_infinite_for_two_components(faithful):
    """c0 (item 5): a component shrinking onto one point sends ln p past EM's K = 6 fit, rising by
    ln 10 per decade of its variance (D = 2): no maximum, the supremum is +∞."""
    best_em = GaussianMixture(6, random_state=0, max_iter=500).fit(faithful).score(faithful)
    exponents = np.array([32, 64, 128, 256])
    values = []
    for exponent in exponents:
        params = gmmlearn.GaussianMixtureParams(
            np.array([0.5, 0.5]),
            np.stack([faithful[0], faithful.mean(axis=0)]),
            np.stack([10.0**-exponent * np.eye(2), np.cov(faithful.T)]),
        )
        values.append(gmmlearn.log_likelihood(faithful, params))
    np.testing.assert_allclose(np.diff(values), np.diff(exponents) * math.log(10), rtol=1e-3)
    assert values[-1] > best_em * len(faithful)


# --- Fig. 10.6 and what prunes -------------------------------------------------------------------


def test_l7_fig_10_6_run_converges_before_iteration_120(bgm):
    """c12 (item 26): the book's last panel is iteration 120; our run has ended before it."""
    assert bgm.trace_.converged and bgm.trace_.n_iter < 120
    assert bgm.trace_.n_iter == 73  # c13 and docs/teaching.md: "stops … after 73 iterations"
    assert live(bgm) == 2


def test_l7_the_same_components_die_with_each_weight_term(faithful, prior, r0):
    """c18–c20 (item 6): E[ln π], ln E[π], ln(N_k/N) kill the same four in the same order, the
    last two no earlier than VB; without the Occam terms only two of those four die, later (at
    iterations 37 and 75), and four are alive after 200 iterations (W1 of the fresh review)."""
    runs = {
        term: died_at(vb.pruning_counts(faithful, r0, prior, term, n_iter=200))
        for term in vb.WEIGHT_TERMS
    }
    vb_run = runs["expected_log_pi"]
    assert sum(t is not None for t in vb_run) == 4
    order = np.argsort([np.inf if t is None else t for t in vb_run])
    for term, died in runs.items():
        assert [t is None for t in died] == [t is None for t in vb_run], term
        assert list(np.argsort([np.inf if t is None else t for t in died])) == list(order)
        assert all(a is None or a >= b for a, b in zip(died, vb_run))
    no_occam = died_at(
        vb.pruning_counts(faithful, r0, prior, "log_nk_over_n", occam=False, n_iter=200)
    )
    assert sum(t is None for t in no_occam) == 4
    dead = [k for k, t in enumerate(no_occam) if t is not None]
    assert set(dead) < {k for k, t in enumerate(vb_run) if t is not None}
    assert sorted(no_occam[k] for k in dead) == [37, 75]
    assert all(no_occam[k] > vb_run[k] for k in dead)


def test_l7_the_occam_handicap_is_several_times_the_digammas(faithful, prior, r0, bgm):
    """c21–c22 (item 6): with component 1 at ~24 points the digamma gap is ~ −0.02 nats, and the
    Occam handicap against component 2 is several times the digamma one."""
    counts = vb.pruning_counts(faithful, r0, prior, n_iter=200)
    t = int(np.argmax(counts[:, 1] < 24.5))
    q_t = bgm.trace_.states[t]
    np.testing.assert_allclose(q_t.alpha - prior.alpha0, counts[t], atol=1e-6)  # the same run
    assert 20 < counts[t, 1] < 24.5
    digamma_gap = vb.expected_log_pi(q_t.alpha) - np.log(q_t.weights)
    log_det_gap = vb.expected_log_det_lambda(q_t) - np.linalg.slogdet(q_t.precisions)[1]
    occam = -1.0 / q_t.beta + 0.5 * log_det_gap  # −D/(2β_k) with D = 2
    assert -0.05 < digamma_gap[1] < 0
    assert occam[2] - occam[1] > 3 * (digamma_gap[2] - digamma_gap[1]) > 0


# --- the predictive density ----------------------------------------------------------------------


def test_l7_predictive_agrees_near_the_data_and_has_far_heavier_tails(faithful, bgm):
    """c31–c33: within a fraction of a nat of both plug-ins at the data; at (3, −3) far above."""
    from scipy.special import logsumexp

    em = GaussianMixture(K, random_state=0).fit(faithful)
    points = np.array([[0.9, 0.8], [0.0, 0.0], [3.0, -3.0]])
    em_plug_in = em.score_samples(points)
    vb_plug_in = logsumexp(gmmlearn.log_weighted_densities(points, bgm.trace_.params[-1]), axis=1)
    predictive = bgm.predictive_log_density(points)
    assert np.all(np.abs(predictive[:2] - em_plug_in[:2]) < 1)
    assert np.all(np.abs(predictive[:2] - vb_plug_in[:2]) < 1)
    assert predictive[2] > max(em_plug_in[2], vb_plug_in[2]) + 20  # e²⁰: orders of magnitude


# --- α₀ and the rest of the prior -------------------------------------------------------------


def test_l7_expected_weights_are_never_zero(faithful, bgm):
    """c34 (item 18): E[π_k] ≥ α₀/(Kα₀ + N) > 0, which is why 'live' means E[π_k] > 0.01."""
    floor = 1e-3 / (K * 1e-3 + len(faithful))
    assert np.all(bgm.weights_ >= floor * (1 - 1e-9)) and floor > 0


def test_l7_alpha0_one_keeps_two_here_and_a_vaguer_mean_prior_keeps_three(faithful):
    """c35–c37 (item 18): PRML's three at α₀ = 1 need another prior; β₀ = 10⁻³ gives 3, 3, 6."""
    assert [live(fit(faithful, alpha0=a)) for a in (1e-3, 1.0, 10.0)] == [2, 2, 6]
    vague = [
        live(fit(faithful, alpha0=a, mean_precision_prior=1e-3, max_iter=2000, tol=1e-7))
        for a in (1e-3, 1.0, 10.0)
    ]
    assert vague == [3, 3, 6]


def test_l7_dirichlet_below_one_is_a_sparsity_prior():
    """c38–c39 (Fig. 2.5): the fraction of draws with some π_k < 0.01 falls as α₀ grows."""
    rng = np.random.default_rng(0)
    fractions = [
        np.mean(rng.dirichlet(np.full(3, a), size=2000).min(axis=1) < 0.01) for a in (0.1, 1, 10)
    ]
    assert fractions[0] > 0.5 > fractions[1] > fractions[2] == 0


# --- choosing K (Fig. 10.7) -------------------------------------------------------------------


def full_bound(X, model):
    used = vb.VBPrior(
        model.weight_concentration_prior_,
        model.mean_precision_prior_,
        model.mean_prior_,
        model.covariance_prior_,
        model.degrees_of_freedom_prior_,
        prior_type="dirichlet_distribution",
    )
    r = model.predict_proba(X)
    return vb.full_lower_bound(X, r, vb.vb_m_step(X, r, used, reg_covar=0.0), used)


def test_l7_full_bound_plus_ln_k_factorial_peaks_at_two(faithful):
    """c43–c46 (item 17, Fig. 10.7; W2 of the fresh review): at α₀ = 10 every fit keeps all K
    components, and ℒ + ln K! is highest at K = 2 from every one of ten random starts; the best
    values are the ones the lesson prints."""
    models = {
        k: [fit(faithful, k, 10.0, "random", seed) for seed in range(10)] for k in range(1, 7)
    }
    for k, fits in models.items():
        assert [live(m) for m in fits] == [k] * 10, k
    corrected = {
        k: [full_bound(faithful, m) + math.lgamma(k + 1) for m in fits]
        for k, fits in models.items()
    }
    for k in (1, 3, 4, 5, 6):
        assert min(corrected[2]) > max(corrected[k])
    best = [max(corrected[k]) for k in range(1, 7)]
    np.testing.assert_allclose(
        best, [-559.09, -432.56, -441.81, -452.02, -463.57, -474.21], atol=0.006
    )


def test_l7_alpha0_one_prunes_so_it_cannot_compare_k(faithful):
    """c36, c43 (W2 of the fresh review): α₀ = 1 empties components, so every K from 2 to 6
    would end with the same two live ones; that is why the K comparison uses α₀ = 10."""
    assert [live(fit(faithful, k, 1.0, "random", 0)) for k in range(2, 7)] == [2] * 5


def test_l7_sklearns_bound_and_ln_k_factorial_climb_when_components_are_pruned(faithful):
    """c43, c45 (item 17): at α₀ = 10⁻³ every K ≥ 2 keeps two live components, yet scikit-learn's
    bound climbs with K (74.8 → 116.9) and so does ℒ + ln K! (ln K! over-counts)."""
    models = [fit(faithful, k) for k in range(2, 7)]
    assert [live(m) for m in models] == [2] * 5
    sklearn_bounds = [m.lower_bound_ for m in models]
    corrected = [full_bound(faithful, m) + math.lgamma(k + 2) for k, m in enumerate(models)]
    assert np.all(np.diff(sklearn_bounds) > 5)
    assert sklearn_bounds[0] == pytest.approx(74.84, abs=0.01)
    assert sklearn_bounds[-1] == pytest.approx(116.93, abs=0.01)
    assert np.all(np.diff(corrected) > 0)


# --- docs/answer-key.md, lesson 7 exercise 3 --------------------------------------------------


def test_l7_ex3_1_component_5_fades_first_at_iteration_11(bgm):
    """Answer key L7 ex 3.1: component 5 (index 4), the one in the gap between the clusters with
    the fewest points at the start (24), is the first with E[π_k] < 0.01, at iteration 11."""
    weights = np.array([s.weights for s in bgm.trace_.states])
    first = [int(np.argmax(w < 0.01)) if np.any(w < 0.01) else np.inf for w in weights.T]
    assert int(np.argmin(first)) == 4 and first[4] == 11
    start = bgm.trace_.states[0]
    assert int(np.argmin(start.alpha)) == 4 and round(start.alpha[4]) == 24
    assert np.linalg.norm(start.m[4]) < 0.3  # near the centre, between the two clusters


def test_l7_ex3_2_the_dirichlet_process_keeps_two_even_at_alpha0_1000(faithful):
    """Answer key L7 ex 3.2: with stick breaking two components live from α₀ = 10⁻³ to 10³."""
    for alpha0 in (1e-3, 1.0, 1e3):
        dp = BayesianGaussianMixture(
            n_components=K, weight_concentration_prior=alpha0, random_state=0, max_iter=1000
        ).fit(faithful)
        assert live(dp) == 2, alpha0


def test_l7_ex3_3_one_component_is_em_up_to_the_prior(faithful):
    """Answer key L7 ex 3.3: K = 1, m₁ = x̄ exactly (m₀ = x̄), W₁⁻¹/ν₁ = N²/((N−1)(N+D)) = 0.9964
    times EM's covariance."""
    n, d = faithful.shape
    one = BayesianGaussianMixture(n_components=1, random_state=0).fit(faithful)
    em = GaussianMixture(1).fit(faithful)
    np.testing.assert_allclose(one.means_, em.means_, atol=1e-12)
    factor = n * n / ((n - 1) * (n + d))
    assert factor == pytest.approx(0.9964, abs=1e-4)
    np.testing.assert_allclose(one.covariances_, factor * em.covariances_, rtol=1e-5)
