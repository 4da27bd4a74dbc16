"""Lesson 7's checkers: right answers pass, each typical mistake gets its own diagnosis."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from scipy.special import digamma

from gmmlearn.exercises import ExerciseError, check_expected_log_pi, check_W_inverse

# ---------------------------------------------------------------------------
# Answers written differently from the library: loops, plain numpy
# ---------------------------------------------------------------------------


def good_expected_log_pi(alpha):
    total = sum(alpha)
    return np.array([digamma(a) - digamma(total) for a in alpha])


def good_W_inverse(nk, xbar, S, beta0, m0, W0_inverse):  # noqa: N802
    out = []
    for k in range(len(nk)):
        d = (xbar[k] - m0).reshape(-1, 1)
        out.append(W0_inverse + nk[k] * S[k] + beta0 * nk[k] / (beta0 + nk[k]) * (d @ d.T))
    return np.array(out)


def test_right_answers_pass(capsys):
    check_expected_log_pi(good_expected_log_pi)
    check_W_inverse(good_W_inverse)
    out = capsys.readouterr().out
    assert "✔ expected_log_pi: correct on 5 random problems." in out
    assert "✔ W_inverse: correct on 5 random problems." in out


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (lambda alpha: np.log(alpha / alpha.sum()), "this is ln E[π_k]"),
        (lambda alpha: digamma(alpha), "ψ(α_k) alone"),
        (lambda alpha: digamma(alpha) - math.log(alpha.sum()), "also a digamma"),
        (lambda alpha: digamma(alpha) - digamma(alpha).sum(), "not the sum of the digammas"),
        (lambda alpha: digamma(alpha)[:-1], "wrong shape"),
        (lambda alpha: digamma(alpha) - digamma(alpha.sum()) + 1e-3, "wrong values"),
    ],
)
def test_expected_log_pi_mistakes(answer, diagnosis):
    with pytest.raises(ExerciseError, match=f"^expected_log_pi: .*{re.escape(diagnosis)}"):
        check_expected_log_pi(answer)


def _outer(xbar, m0):
    d = xbar - m0
    return d[:, :, None] * d[:, None, :]


@pytest.mark.parametrize(
    ("answer", "diagnosis"),
    [
        (
            lambda nk, xbar, S, b0, m0, W0: (
                nk[:, None, None] * S + (b0 * nk / (b0 + nk))[:, None, None] * _outer(xbar, m0)
            ),
            "W₀⁻¹ is missing",
        ),
        (lambda nk, xbar, S, b0, m0, W0: W0 + nk[:, None, None] * S, "the last term is missing"),
        (
            lambda nk, xbar, S, b0, m0, W0: (
                W0 + S + (b0 * nk / (b0 + nk))[:, None, None] * _outer(xbar, m0)
            ),
            "adds N_k S_k",
        ),
        (
            lambda nk, xbar, S, b0, m0, W0: W0 + nk[:, None, None] * (S + _outer(xbar, m0)),
            "not N_k",
        ),
        (
            lambda nk, xbar, S, b0, m0, W0: W0 + nk[:, None, None] * S + b0 * _outer(xbar, m0),
            "not β₀",
        ),
        (lambda nk, xbar, S, b0, m0, W0: W0 + nk[:, None, None] * S * 1.01, "wrong values"),
        (lambda nk, xbar, S, b0, m0, W0: W0, "wrong shape"),
    ],
)
def test_W_inverse_mistakes(answer, diagnosis):  # noqa: N802
    with pytest.raises(ExerciseError, match=f"^W_inverse: .*{re.escape(diagnosis)}"):
        check_W_inverse(answer)


def test_unwritten_crashing_and_called_answers():
    def unwritten(alpha):
        raise NotImplementedError

    with pytest.raises(ExerciseError, match="not implemented yet"):
        check_expected_log_pi(unwritten)
    with pytest.raises(ExerciseError, match=r"raised IndexError: .*shapes: nk \(3,\)"):
        check_W_inverse(lambda nk, xbar, S, b0, m0, W0: S[:, :, :, 0])
    with pytest.raises(ExerciseError, match="pass the function itself"):
        check_expected_log_pi(good_expected_log_pi(np.ones(3)))


def test_inputs_are_not_changed_for_the_next_problem():
    def in_place(alpha):
        alpha -= 1.0  # a student's in-place edit must not leak into the reference
        return digamma(alpha + 1.0) - digamma((alpha + 1.0).sum())

    check_expected_log_pi(in_place)
