r"""Instant feedback for the exercises of lesson 6: the lower bound L and the gap KL yourself.

Like lesson 3's (:mod:`gmmlearn.exercises`), and on the same engine: each checker calls *your*
function on several seeded random problems, compares with the reference in
:mod:`gmmlearn.bound`, and either prints a one-line "correct" or raises
:class:`~gmmlearn.exercises.ExerciseError` saying what is wrong (a mistake is recognised by
computing the mistaken formula too). A last problem has exact zeros
in q, where :math:`0\ln 0 = 0` must hold.

========================================================  ===========================  =====
function you write                                        computes                     gives
========================================================  ===========================  =====
``lower_bound(X, q, weights, means, covariances)``        L(q, θ) (PRML 9.71)          float
``kl_to_posterior(X, q, weights, means, covariances)``    KL(q ‖ p(Z|X, θ)) (9.72)     float
========================================================  ===========================  =====

Shapes: ``X`` (N, D), ``q`` (N, K) with rows summing to 1, ``weights`` (K,), ``means`` (K, D),
``covariances`` (K, D, D) (full).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import logsumexp, xlogy

from .. import bound
from ._engine import (
    Case,
    Edge,
    Exercise,
    ExerciseError,  # noqa: F401 (what the checks raise, importable here too)
    Mistake,
    Problem,
    _check,
    problem_case,
    problem_cases,
    random_problem,
)
from .lesson3 import _log_density_table, _log_joint_using

__all__ = ["check_kl_to_posterior", "check_lower_bound"]

_ZERO_HINT = (
    "correct when every q_nk > 0, but nan or inf when some q_nk = 0: the term q ln q must be 0 "
    "there (0 · ln 0 = 0), and numpy gives 0 · (−inf) = nan. Use scipy.special.xlogy(q, q) for "
    "q ln q, and multiply only where q > 0 (e.g. np.where(q > 0, q * …, 0.0))"
)


def _problem_with_zeros() -> Problem:
    """A problem whose q has exact zeros (hard assignments in places)."""
    p = random_problem(10, 2, 3, random_state=61)
    q = p.resp.copy()
    hard = np.arange(0, 10, 3)
    q[hard] = np.eye(3)[hard % 3]  # rows 0, 3, 6, 9: one component each
    q[1, 2] = 0.0
    q[4, 0] = 0.0
    q /= q.sum(axis=1, keepdims=True)
    return Problem(p.X, p.weights, p.means, p.covariances, q)


def _args(p: Problem) -> tuple:
    return p.X, p.resp, p.weights, p.means, p.covariances


def _one_number(name: str, got: np.ndarray, expected: np.ndarray, case: Case) -> str | None:
    """Lesson 6's diagnosis of a wrong shape: the answer is one number."""
    if got.shape == ():
        return None
    return f"{name}: wrong shape {got.shape}, expected one number (a float): sum over every n and k"


_ZEROS = Edge(
    lambda: problem_case(_problem_with_zeros(), _args), _ZERO_HINT, " (and a q with exact zeros)"
)


def _joint(p: Problem) -> np.ndarray:
    return _log_joint_using(p.X, p.weights, p.means, p.covariances)


def _log_gamma(p: Problem) -> np.ndarray:
    joint = _joint(p)
    return joint - logsumexp(joint, axis=1, keepdims=True)


def check_lower_bound(student_fn: Callable) -> None:
    r"""Check ``lower_bound(X, q, weights, means, covariances) -> float`` (PRML 9.71).

    .. math::
        \mathcal{L}(q,\theta) = \sum_n\sum_k q_{nk}
            \ln\frac{\pi_k\,\mathcal{N}(x_n\mid\mu_k,\Sigma_k)}{q_{nk}}
    """
    __tracebackhide__ = True  # IPython: show the student's cell, not ours

    def reference(p):
        return bound.lower_bound(p.X, p.resp, p.params)

    def entropy(p):
        return -xlogy(p.resp, p.resp).sum()

    mistakes = (
        Mistake(
            lambda p: np.sum(p.resp * _joint(p)),
            "you returned Σ q ln(π_k N), the expected complete-data log-likelihood Q of "
            "lesson 2: L also has the entropy of q, −Σ_n Σ_k q_nk ln q_nk (the /q_nk in the log)",
        ),
        Mistake(
            lambda p: np.sum(p.resp * _joint(p)) - entropy(p),
            "the q ln q term has the wrong sign: L = Σ q ln(π N / q) = Σ q ln(π N) − Σ q ln q",
        ),
        Mistake(
            lambda p: np.sum(p.resp * _joint(p) - xlogy(p.resp, p.resp), axis=1),
            "you returned one number per point, shape (N,): L sums over n as well as k",
        ),
        Mistake(
            lambda p: logsumexp(_joint(p), axis=1).sum(),
            "you returned ln p(X | θ), which does not depend on q: L weights each "
            "ln(π_k N / q_nk) by q_nk (they are equal only when q is the posterior γ)",
        ),
        Mistake(
            lambda p: np.sum(p.resp * _log_density_table(p.X, p.means, p.covariances)) + entropy(p),
            "forgot the mixing weights: the numerator is π_k N(x_n | μ_k, Σ_k)",
        ),
        Mistake(
            lambda p: np.sum(p.resp * _log_gamma(p)) + entropy(p),
            "used the posterior γ_nk in the numerator: L has the joint π_k N(x_n | μ_k, Σ_k), "
            "not normalised over k (your answer is −KL)",
        ),
    )
    exercise = Exercise(
        "lower_bound",
        reference,
        problem_cases(_args),
        mistakes,
        (_one_number,),
        edge=_ZEROS,
        forbidden=("gmmlearn.bound.lower_bound", "gmmlearn.bound.lower_bound_and_kl"),
    )
    _check(exercise, student_fn)


def check_kl_to_posterior(student_fn: Callable) -> None:
    r"""Check ``kl_to_posterior(X, q, weights, means, covariances) -> float`` (PRML 9.72).

    .. math::
        \mathrm{KL}(q\,\|\,p(Z\mid X,\theta)) = -\sum_n\sum_k q_{nk}\ln\frac{\gamma_{nk}}{q_{nk}}
    """
    __tracebackhide__ = True  # IPython: show the student's cell, not ours

    def reference(p):
        return bound.kl_to_posterior(p.X, p.resp, p.params)

    def q_log_q(p):
        return xlogy(p.resp, p.resp).sum()

    mistakes = (
        Mistake(
            lambda p: -reference(p),
            "your KL is negative: KL = −Σ q ln(γ / q) = Σ q ln(q / γ) ≥ 0 (check the sign)",
        ),
        Mistake(
            lambda p: np.sum(np.exp(_log_gamma(p)) * (_log_gamma(p) - np.log(p.resp))),
            "that is KL(p ‖ q), the other direction: the sum is weighted by q_nk, "
            "Σ q ln(q / γ), not by γ_nk",
        ),
        Mistake(
            lambda p: q_log_q(p) - np.sum(p.resp * _joint(p)),
            "used π_k N(x_n | μ_k, Σ_k) where the posterior γ_nk belongs: divide it by "
            "Σ_j π_j N(x_n | μ_j, Σ_j) (your answer is −L)",
        ),
        Mistake(
            lambda p: np.sum(xlogy(p.resp, p.resp) - p.resp * _log_gamma(p), axis=1),
            "you returned one number per point, shape (N,): KL sums over n as well as k",
        ),
        Mistake(
            lambda p: -np.sum(p.resp * _log_gamma(p)),
            "forgot the q ln q term: KL = Σ q ln q − Σ q ln γ",
        ),
    )
    exercise = Exercise(
        "kl_to_posterior",
        reference,
        problem_cases(_args),
        mistakes,
        (_one_number,),
        edge=_ZEROS,
        forbidden=("gmmlearn.bound.kl_to_posterior", "gmmlearn.bound.lower_bound_and_kl"),
    )
    _check(exercise, student_fn)
