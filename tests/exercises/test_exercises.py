"""The exercise checkers: right answers pass, each typical mistake gets its own diagnosis."""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from gmmlearn import exercises as ex

# ---------------------------------------------------------------------------
# Correct answers, written differently from the library (scipy's densities)
# ---------------------------------------------------------------------------


def good_log_density(X, mean, covariance):
    return multivariate_normal(mean, covariance).logpdf(X).reshape(len(X))


def _log_joint(X, weights, means, covariances):
    return np.log(weights) + np.column_stack(
        [good_log_density(X, m, c) for m, c in zip(means, covariances)]
    )


def good_resp(X, weights, means, covariances):
    log_joint = _log_joint(X, weights, means, covariances)
    return np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))


def good_nk(resp):
    return resp.sum(axis=0)


def good_weights(nk, n_samples):
    return nk / n_samples


def good_means(X, resp, nk):
    return np.einsum("nk,nd->kd", resp, X) / nk[:, None]


def good_covariances(X, resp, nk, means):
    diff = X[:, None, :] - means[None]  # (N, K, D)
    return np.einsum("nk,nki,nkj->kij", resp, diff, diff) / nk[:, None, None]


def good_log_likelihood(X, weights, means, covariances):
    return float(logsumexp(_log_joint(X, weights, means, covariances), axis=1).sum())


CHECKS = {
    "log_gaussian_density": (ex.check_log_gaussian_density, good_log_density),
    "responsibilities": (ex.check_responsibilities, good_resp),
    "effective_counts": (ex.check_effective_counts, good_nk),
    "mixing_weights": (ex.check_mixing_weights, good_weights),
    "component_means": (ex.check_component_means, good_means),
    "component_covariances": (ex.check_component_covariances, good_covariances),
    "log_likelihood": (ex.check_log_likelihood, good_log_likelihood),
}


@pytest.mark.parametrize("name", CHECKS)
def test_correct_answer_passes(name, capsys):
    check, good = CHECKS[name]
    check(good)
    assert capsys.readouterr().out.startswith(f"✔ {name}: correct on 5 random problems")


def test_e_step_alias():
    assert ex.check_e_step is ex.check_responsibilities


# ---------------------------------------------------------------------------
# Mistakes and their diagnoses
# ---------------------------------------------------------------------------


def _naive_joint(X, weights, means, covariances):
    return np.column_stack(
        [
            w * multivariate_normal(m, c).pdf(X).reshape(len(X))
            for w, m, c in zip(*[weights, means, covariances])
        ]
    )


def _quadratic(X, mean, matrix):
    diff = X - mean
    return np.einsum("ni,ij,nj->n", diff, matrix, diff)


def _log_density_with(X, mean, covariance, matrix):
    d = X.shape[1]
    return -0.5 * (
        d * np.log(2 * np.pi) + np.linalg.slogdet(covariance)[1] + _quadratic(X, mean, matrix)
    )


def _second_moment(X, resp, nk):
    return np.einsum("nk,ni,nj->kij", resp, X, X) / nk[:, None, None]


MISTAKES = [
    # log-density
    (
        "log_gaussian_density",
        lambda X, m, c: _log_density_with(X, m, c, c),
        "used Σ where Λ belongs",
    ),
    (
        "log_gaussian_density",
        lambda X, m, c: np.exp(good_log_density(X, m, c)),
        "return its logarithm",
    ),
    (
        "log_gaussian_density",
        lambda X, m, c: good_log_density(X, m, c) + 0.5 * np.linalg.slogdet(c)[1],
        "forgot the −½ ln|Σ| term",
    ),
    (
        "log_gaussian_density",
        lambda X, m, c: good_log_density(X, m, c) + 0.5 * X.shape[1] * np.log(2 * np.pi),
        "forgot the −(D/2) ln 2π term",
    ),
    (
        "log_gaussian_density",
        lambda X, m, c: good_log_density(X, m, c)[:, None],
        "wrong shape",
    ),
    # E-step
    ("responsibilities", _naive_joint, "divide each row by its sum"),
    (
        "responsibilities",
        lambda X, w, m, c: (
            _naive_joint(X, w, m, c) / _naive_joint(X, w, m, c).sum(1, keepdims=True)
        ),
        "underflows to 0 for every k",
    ),
    (
        "responsibilities",
        lambda X, w, m, c: good_resp(X, np.ones_like(w), m, c),
        "forgot the mixing weights",
    ),
    (
        "responsibilities",
        lambda X, w, m, c: good_resp(X, w, m, np.linalg.inv(c)),
        "you passed the precision where the covariance belongs",
    ),
    (
        "responsibilities",
        lambda X, w, m, c: np.log(good_resp(X, w, m, c)),
        "you returned ln γ",
    ),
    ("responsibilities", lambda X, w, m, c: good_resp(X, w, m, c).T, "transposed"),
    (
        "responsibilities",
        lambda X, w, m, c: _naive_joint(X, w, m, c) / _naive_joint(X, w, m, c).sum(0),
        "each ROW of γ must sum to 1",
    ),
    (
        "responsibilities",
        lambda X, w, m, c: 2 * good_resp(X, w, m, c),
        "rows of γ must sum to 1",
    ),
    # N_k
    ("effective_counts", lambda r: r.sum(axis=1), "you summed over k"),
    ("effective_counts", lambda r: r.mean(axis=0), "that is π_k, not N_k"),
    ("effective_counts", lambda r: r.sum(), "you summed every entry"),
    # π
    ("mixing_weights", lambda nk, n: nk, "forgot to divide by N"),
    ("mixing_weights", lambda nk, n: nk / len(nk), "divided by K"),
    ("mixing_weights", lambda nk, n: np.ones(len(nk)) / len(nk), "the usual initialisation"),
    ("mixing_weights", lambda nk, n: nk / (n + 1), "the weights must sum to 1"),
    # μ
    ("component_means", lambda X, r, nk: r.T @ X, "forgot to divide by N_k"),
    ("component_means", lambda X, r, nk: r.T @ X / len(X), "divided by N instead of N_k"),
    (
        "component_means",
        lambda X, r, nk: np.tile(X.mean(0), (len(nk), 1)),
        "weight each point by γ_nk",
    ),
    ("component_means", lambda X, r, nk: (r.T @ X / nk[:, None]).T, "transposed"),
    # Σ
    (
        "component_covariances",
        lambda X, r, nk, m: _second_moment(X, r, nk),
        "forgot to subtract μ_k μ_kᵀ",
    ),
    (
        "component_covariances",
        lambda X, r, nk, m: np.linalg.inv(good_covariances(X, r, nk, m)),
        "you returned Λ_k",
    ),
    (
        "component_covariances",
        lambda X, r, nk, m: good_covariances(X, r, nk, m) * nk[:, None, None],
        "forgot to divide by N_k",
    ),
    (
        "component_covariances",
        lambda X, r, nk, m: good_covariances(X, r, nk, m) * nk[:, None, None] / len(X),
        "divided by N instead of N_k",
    ),
    (
        "component_covariances",
        lambda X, r, nk, m: np.einsum("ki,kj->kij", m, m) - _second_moment(X, r, nk),
        "the sign is reversed",
    ),
    (
        "component_covariances",
        lambda X, r, nk, m: good_covariances(X, r, nk, m)[0],
        "wrong shape",
    ),
    # ln p(X | θ)
    (
        "log_likelihood",
        lambda X, w, m, c: logsumexp(_log_joint(X, w, m, c), axis=1),
        "one log-likelihood per point",
    ),
    (
        "log_likelihood",
        lambda X, w, m, c: good_log_likelihood(X, w, m, c) / len(X),
        "the mean over points",
    ),
    (
        "log_likelihood",
        lambda X, w, m, c: _log_joint(X, w, m, c).sum(),
        "the log comes OUTSIDE the sum over k",
    ),
    (
        "log_likelihood",
        lambda X, w, m, c: logsumexp(_log_joint(X, w, m, c)),
        "a log for every point",
    ),
    (
        "log_likelihood",
        lambda X, w, m, c: np.log(_naive_joint(X, w, m, c).sum(1)).sum(),
        "ln 0 = -inf",
    ),
    (
        "log_likelihood",
        lambda X, w, m, c: good_log_likelihood(X, np.ones_like(w), m, c),
        "forgot the mixing weights",
    ),
]


@pytest.mark.parametrize(
    ("name", "wrong", "diagnosis"), MISTAKES, ids=[f"{n}-{d[:25]}" for n, _, d in MISTAKES]
)
def test_mistake_is_diagnosed(name, wrong, diagnosis):
    check, _ = CHECKS[name]
    with pytest.raises(ex.ExerciseError, match=None) as info, np.errstate(all="ignore"):
        check(wrong)
    message = str(info.value)
    assert message.startswith(f"{name}: ")
    assert diagnosis in message, message


def _stub(*args):
    raise NotImplementedError("write your solution here, then run the check below")


@pytest.mark.parametrize("name", CHECKS)
def test_stub_says_not_implemented(name):
    check, _ = CHECKS[name]
    with pytest.raises(ex.ExerciseError, match=rf"{name}: not implemented yet — write the body"):
        check(_stub)


@pytest.mark.parametrize("name", CHECKS)
def test_returning_none_is_explained(name):
    check, _ = CHECKS[name]
    with pytest.raises(ex.ExerciseError, match="forget the `return` statement"):
        check(lambda *args: None)


def test_student_exception_is_reported_with_shapes():
    def buggy(X, weights, means, covariances):
        return X @ means  # (N, D) @ (K, D): shapes do not match

    with pytest.raises(ex.ExerciseError, match=r"raised ValueError: .*N=7, D=2, K=3") as info:
        ex.check_responsibilities(buggy)
    assert isinstance(info.value.__cause__, ValueError)


def test_passing_the_result_instead_of_the_function():
    with pytest.raises(ex.ExerciseError, match="pass the function itself"):
        ex.check_effective_counts(np.ones(3))


def test_generic_wrong_values_say_where():
    with pytest.raises(ex.ExerciseError, match=r"wrong values .* at \[0, 0\] expected"):
        ex.check_component_means(
            lambda X, r, nk: good_means(X, r, nk) + np.eye(*nk.shape, len(X.T))
        )


def test_a_function_that_changes_its_inputs_in_place_is_told_so():
    def centring_in_place(X, mean, covariance):
        X -= mean  # right values, but the caller's X is now centred
        return good_log_density(X, np.zeros_like(mean), covariance)

    with pytest.raises(ex.ExerciseError, match="changed its argument `X` in place"):
        ex.check_log_gaussian_density(centring_in_place)

    def doubling_in_place(resp):
        resp *= 2  # wrong, and the reference must still be computed from the original γ
        return resp.sum(axis=0)

    with pytest.raises(ex.ExerciseError, match="changed its argument `resp` in place"):
        ex.check_effective_counts(doubling_in_place)


def test_values_are_printed_with_enough_digits_to_differ():
    def off_by_a_little(X, resp, nk, means):
        return good_covariances(X, resp, nk, means) + 1e-6 * np.arange(means.shape[1])

    with pytest.raises(ex.ExerciseError, match=r"relative difference") as info:
        ex.check_component_covariances(off_by_a_little)
    expected, got = re.search(r"expected (\S+), got (\S+) ", str(info.value)).groups()
    assert expected != got and abs(float(expected) - float(got)) < 1e-5


def test_the_failure_shows_one_line_not_a_traceback():
    with pytest.raises(ex.ExerciseError) as info:
        ex.check_mixing_weights(lambda nk, n: nk / len(nk))
    assert info.value._render_traceback_() == [f"ExerciseError: {info.value}"]


def test_the_students_own_frames_are_shown_when_their_code_raised():
    def buggy(X, weights, means, covariances):
        return X @ means  # (N, D) @ (K, D): shapes do not match

    with pytest.raises(ex.ExerciseError) as info:
        ex.check_responsibilities(buggy)
    lines = info.value._render_traceback_()
    assert lines[0].startswith("ExerciseError: responsibilities: your function raised ValueError")
    shown = "\n".join(lines)
    assert "return X @ means" in shown and "in buggy" in shown
    assert "gmmlearn/exercises/" not in shown and lines[-1].startswith("ValueError: ")


def test_the_check_runs_an_earlier_exercise_only_if_the_answer_calls_it(capsys):
    # a notebook with a wrong exercise 1 and an E-step that does not call it (scipy's density)
    namespace = {"log_gaussian_density": lambda *a: 0.0, "good_resp": good_resp}
    header = "def e_step(X, weights, means, covariances):\n    return "
    exec(header + "good_resp(X, weights, means, covariances)", namespace)
    ex.check_responsibilities(namespace["e_step"])
    assert capsys.readouterr().out.startswith("✔ responsibilities")
    exec(header + "log_gaussian_density(X)", namespace)
    with pytest.raises(ex.ExerciseError, match="check exercise 1 first"):
        ex.check_responsibilities(namespace["e_step"])


def test_the_strict_tolerance_is_what_rejects_near_misses(monkeypatch):
    """Pins the tolerance: loosened to 1e-2, an answer with π ≈ 3.14 would pass exercise 1."""

    def pi_314(X, mean, covariance):
        d = X.shape[1]
        return good_log_density(X, mean, covariance) + 0.5 * d * np.log(np.pi / 3.14)

    with pytest.raises(ex.ExerciseError, match="relative difference"):
        ex.check_log_gaussian_density(pi_314)
    monkeypatch.setattr(ex, "_RTOL", 1e-2)
    ex.check_log_gaussian_density(pi_314)


def test_random_problem_is_valid_and_seeded():
    a = ex.random_problem(20, 3, 4, random_state=1)
    b = ex.random_problem(20, 3, 4, random_state=1)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.covariances, b.covariances)
    assert a.X.shape == (20, 3) and a.resp.shape == (20, 4) and a.covariances.shape == (4, 3, 3)
    np.testing.assert_allclose(a.resp.sum(axis=1), 1.0)
    np.testing.assert_allclose(a.weights.sum(), 1.0)
    assert np.all(np.linalg.eigvalsh(a.covariances) > 0)
