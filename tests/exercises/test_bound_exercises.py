"""Lesson 6's checkers: right answers pass, each typical mistake gets its own diagnosis."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from gmmlearn.exercises import ExerciseError, check_kl_to_posterior, check_lower_bound

# ---------------------------------------------------------------------------
# Answers written differently from the library: scipy densities, loops, np.where for 0 ln 0
# ---------------------------------------------------------------------------


def _log_joint(X, weights, means, covariances):
    return np.log(weights) + np.column_stack(
        [multivariate_normal(m, c).logpdf(X).reshape(len(X)) for m, c in zip(means, covariances)]
    )


def _q_log(q, log_values):
    return np.where(q > 0, q * log_values, 0.0)


def _safe_log(q):
    with np.errstate(divide="ignore"):
        return np.log(q)


def good_lower_bound(X, q, weights, means, covariances):
    joint = _log_joint(X, weights, means, covariances)
    return float(np.sum(_q_log(q, joint) - _q_log(q, _safe_log(q))))


def good_kl(X, q, weights, means, covariances):
    joint = _log_joint(X, weights, means, covariances)
    log_gamma = joint - logsumexp(joint, axis=1, keepdims=True)
    return float(np.sum(_q_log(q, _safe_log(q)) - _q_log(q, log_gamma)))


def kl_as_the_gap(X, q, weights, means, covariances):
    """KL = ln p − L: also right (PRML 9.70)."""
    joint = _log_joint(X, weights, means, covariances)
    return float(logsumexp(joint, axis=1).sum()) - good_lower_bound(
        X, q, weights, means, covariances
    )


def test_right_answers_pass(capsys):
    check_lower_bound(good_lower_bound)
    check_kl_to_posterior(good_kl)
    check_kl_to_posterior(kl_as_the_gap)
    out = capsys.readouterr().out
    assert out.count("✔") == 3
    assert "✔ lower_bound: correct on 5 random problems (and a q with exact zeros)." in out


# ---------------------------------------------------------------------------
# Mistakes and their diagnoses
# ---------------------------------------------------------------------------


def lb_without_entropy(X, q, w, m, c):
    return float(np.sum(q * _log_joint(X, w, m, c)))


def lb_wrong_sign(X, q, w, m, c):
    return float(np.sum(_q_log(q, _log_joint(X, w, m, c)) + _q_log(q, _safe_log(q))))


def lb_per_point(X, q, w, m, c):
    return np.sum(_q_log(q, _log_joint(X, w, m, c)) - _q_log(q, _safe_log(q)), axis=1)


def lb_is_log_likelihood(X, q, w, m, c):
    return float(logsumexp(_log_joint(X, w, m, c), axis=1).sum())


def lb_without_weights(X, q, w, m, c):
    return good_lower_bound(X, q, np.ones_like(w), m, c)


def lb_with_gamma(X, q, w, m, c):
    return -good_kl(X, q, w, m, c)


def lb_nan_at_zero(X, q, w, m, c):
    return float(np.sum(q * (_log_joint(X, w, m, c) - np.log(q))))


def kl_negative(*args):
    return -good_kl(*args)


def kl_reversed(X, q, w, m, c):
    joint = _log_joint(X, w, m, c)
    log_gamma = joint - logsumexp(joint, axis=1, keepdims=True)
    return float(np.sum(np.exp(log_gamma) * (log_gamma - np.log(q))))


def kl_with_joint(X, q, w, m, c):
    return -good_lower_bound(X, q, w, m, c)


def kl_per_point(X, q, w, m, c):
    joint = _log_joint(X, w, m, c)
    log_gamma = joint - logsumexp(joint, axis=1, keepdims=True)
    return np.sum(_q_log(q, _safe_log(q)) - _q_log(q, log_gamma), axis=1)


def kl_without_q_log_q(X, q, w, m, c):
    joint = _log_joint(X, w, m, c)
    return float(-np.sum(_q_log(q, joint - logsumexp(joint, axis=1, keepdims=True))))


def kl_nan_at_zero(X, q, w, m, c):
    joint = _log_joint(X, w, m, c)
    return float(np.sum(q * (np.log(q) - joint + logsumexp(joint, axis=1, keepdims=True))))


def not_written(*args):
    raise NotImplementedError("replace this")


def returns_nothing(*args):
    return None


@pytest.mark.parametrize(
    "check, answer, words",
    [
        (check_lower_bound, lb_without_entropy, "the entropy of q"),
        (check_lower_bound, lb_wrong_sign, "wrong sign"),
        (check_lower_bound, lb_per_point, "shape (N,)"),
        (check_lower_bound, lb_is_log_likelihood, "does not depend on q"),
        (check_lower_bound, lb_without_weights, "forgot the mixing weights"),
        (check_lower_bound, lb_with_gamma, "your answer is −KL"),
        (check_lower_bound, lb_nan_at_zero, "0 · ln 0 = 0"),
        (check_kl_to_posterior, kl_negative, "your KL is negative"),
        (check_kl_to_posterior, kl_reversed, "KL(p ‖ q), the other direction"),
        (check_kl_to_posterior, kl_with_joint, "your answer is −L"),
        (check_kl_to_posterior, kl_per_point, "shape (N,)"),
        (check_kl_to_posterior, kl_without_q_log_q, "forgot the q ln q term"),
        (check_kl_to_posterior, kl_nan_at_zero, "scipy.special.xlogy"),
        (check_kl_to_posterior, not_written, "not implemented yet"),
        (check_lower_bound, returns_nothing, "forget the `return`"),
    ],
)
def test_each_mistake_gets_its_diagnosis(check, answer, words, capsys):
    with pytest.raises(ExerciseError) as error:
        check(answer)
    assert words in str(error.value)
    assert "✔" not in capsys.readouterr().out


def test_a_plain_wrong_value_says_where():
    def off_by_one(*args):
        return good_lower_bound(*args) + 1.0

    with pytest.raises(ExerciseError, match=r"lower_bound: wrong values .* expected"):
        check_lower_bound(off_by_one)
