r"""Instant feedback for the exercises of lesson 7: two updates of variational Bayes yourself.

Like :mod:`gmmlearn.exercises` (lesson 3) and lesson 6's, on the same engine: each
checker calls *your* function on several seeded random problems, compares with the reference in
:mod:`gmmlearn.vb`, and either prints a one-line "correct" or raises
:class:`~gmmlearn.exercises.ExerciseError` saying what is wrong (a typical mistake is recognised
by computing the mistaken formula too).

==================================================  ==================================  =========
function you write                                  computes                            gives
==================================================  ==================================  =========
``expected_log_pi(alpha)``                          E[ln π_k], π ~ Dir(α) (PRML 10.66)  (K,)
``W_inverse(nk, xbar, S, beta0, m0, W0_inverse)``   W_k⁻¹ of q(Λ_k) (PRML 10.62)        (K, D, D)
==================================================  ==================================  =========

Shapes: ``alpha``, ``nk`` (K,); ``xbar`` (K, D); ``S`` (K, D, D); ``beta0`` a float; ``m0`` (D,);
``W0_inverse`` (D, D).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import digamma

from .. import vb
from ._engine import (
    _SIZES,
    Case,
    Exercise,
    ExerciseError,  # noqa: F401 (what the checks raise, importable here too)
    Mistake,
    _check,
    random_problem,
)

__all__ = ["check_W_inverse", "check_expected_log_pi"]


def _case(args: dict[str, object], text: str) -> Case:
    """A case whose arguments the reference and the mistakes read by name."""
    shapes = ", ".join(f"{name} {np.shape(value)}" for name, value in args.items())
    return Case(tuple(args.values()), args, text, shapes)


def _alpha_cases() -> list[Case]:
    cases = []
    for i, (n, _, k) in enumerate(_SIZES):
        rng = np.random.default_rng(70 + i)
        # α₀ + N_k: some components with data, some pruned (α_k = α₀, small)
        nk = rng.dirichlet(np.full(k, 0.7)) * n
        nk[rng.integers(k)] = 0.0
        alpha0 = float(10.0 ** rng.uniform(-3, 1))
        cases.append(_case({"alpha": alpha0 + nk}, f"K={k}, α₀={alpha0:.3g}"))
    return cases


def _w_cases() -> list[Case]:
    cases = []
    for i, (n, d, k) in enumerate(_SIZES):
        p = random_problem(n, d, k, random_state=80 + i)
        rng = np.random.default_rng(90 + i)
        nk, xbar, S = vb.statistics(p.X, p.resp, "full", reg_covar=0.0)
        A = rng.normal(size=(d, d))
        args = {
            "nk": nk,
            "xbar": xbar,
            "S": S,
            "beta0": float(rng.uniform(0.3, 3.0)),
            "m0": rng.normal(size=d),
            "W0_inverse": A @ A.T + np.eye(d),
        }
        cases.append(_case(args, f"N={n}, D={d}, K={k}"))
    return cases


def _shape_on_case(name: str, got: np.ndarray, expected: np.ndarray, case: Case) -> str | None:
    if got.shape == expected.shape:
        return None
    return (
        f"{name}: wrong shape {got.shape}, expected {expected.shape} on a problem with {case.text}"
    )


def _largest_difference(name: str, got: np.ndarray, expected: np.ndarray, case: Case) -> str:
    error = np.abs(got - expected)
    where = np.unravel_index(int(np.nanargmax(np.where(np.isnan(error), np.inf, error))), got.shape)
    return (
        f"{name}: wrong values on a problem with {case.text}: at [{', '.join(map(str, where))}]"
        f" expected {expected[where]:.6g}, got {got[where]:.6g}"
    )


def _exercise(
    name: str, cases: Callable[[], list[Case]], reference, mistakes, forbidden: tuple[str, ...]
) -> Exercise:
    """Lesson 7's exercise: ``reference`` and the ``mistakes``' formulas take the arguments by
    name; the answer is not fed to another exercise (not strict); ``forbidden`` as in
    :class:`Exercise`."""
    return Exercise(
        name,
        lambda args: reference(**args),
        cases,
        tuple(Mistake(lambda args, f=f: f(**args), message) for f, message in mistakes),
        (_shape_on_case,),
        _largest_difference,
        strict=False,
        forbidden=forbidden,
    )


def check_expected_log_pi(student_fn: Callable) -> None:
    r"""Check ``expected_log_pi(alpha) -> (K,)``, :math:`\mathbb E[\ln\pi_k]` (PRML 10.66).

    .. math:: \mathbb E[\ln\pi_k] = \psi(\alpha_k) - \psi(\hat\alpha),\qquad
              \hat\alpha = \sum_j\alpha_j
    """
    __tracebackhide__ = True  # IPython: show the student's cell, not ours

    def reference(alpha):
        return vb.expected_log_pi(alpha, "dirichlet_distribution")

    mistakes = (
        (
            lambda alpha: np.log(alpha / alpha.sum()),
            "this is ln E[π_k] = ln(α_k / α̂), the log of the mean weight. The E-step needs the "
            "mean of the log, E[ln π_k], which is smaller (Jensen: ln is concave), very much so "
            "for a component with little data: use the digamma function, "
            "scipy.special.digamma(α_k) − digamma(α̂)",
        ),
        (
            lambda alpha: digamma(alpha),
            "ψ(α_k) alone: subtract ψ(α̂), the digamma of the sum α̂ = Σ_j α_j",
        ),
        (
            lambda alpha: digamma(alpha) - np.log(alpha.sum()),
            "ψ(α_k) − ln α̂: the second term is also a digamma, ψ(α̂), not a logarithm",
        ),
        (
            lambda alpha: digamma(alpha) - digamma(alpha).sum(),
            "ψ(α_k) − Σ_j ψ(α_j): take the digamma of the sum, ψ(Σ_j α_j), not the sum of "
            "the digammas",
        ),
    )
    forbidden = ("gmmlearn.vb.steps.expected_log_pi",)
    _check(_exercise("expected_log_pi", _alpha_cases, reference, mistakes, forbidden), student_fn)


def check_W_inverse(student_fn: Callable) -> None:  # noqa: N802 (named after the book's W)
    r"""Check ``W_inverse(nk, xbar, S, beta0, m0, W0_inverse) -> (K, D, D)`` (PRML 10.62).

    .. math::
        W_k^{-1} = W_0^{-1} + N_kS_k + \frac{\beta_0N_k}{\beta_0+N_k}
                   (\bar x_k - m_0)(\bar x_k - m_0)^\top
    """
    __tracebackhide__ = True  # IPython: show the student's cell, not ours

    def outer(xbar, m0):
        diff = xbar - m0
        return diff[:, :, None] * diff[:, None, :]

    def reference(nk, xbar, S, beta0, m0, W0_inverse):
        return vb.update_W_inverse(nk, xbar, S, beta0, m0, beta0 + nk, W0_inverse)

    def scaled(nk, beta0):
        return (beta0 * nk / (beta0 + nk))[:, None, None]

    mistakes = (
        (
            lambda nk, xbar, S, beta0, m0, W0_inverse: (
                nk[:, None, None] * S + scaled(nk, beta0) * outer(xbar, m0)
            ),
            "the prior's scatter W₀⁻¹ is missing: add W0_inverse to every component's matrix "
            "(it is what keeps W_k⁻¹ invertible when N_k → 0)",
        ),
        (
            lambda nk, xbar, S, beta0, m0, W0_inverse: W0_inverse + nk[:, None, None] * S,
            "the last term is missing: the scatter of x̄_k about the prior mean m₀, "
            "β₀N_k/(β₀ + N_k) (x̄_k − m₀)(x̄_k − m₀)ᵀ",
        ),
        (
            lambda nk, xbar, S, beta0, m0, W0_inverse: (
                W0_inverse + S + scaled(nk, beta0) * outer(xbar, m0)
            ),
            "S_k is the average scatter (10.53): the update adds N_k S_k, the total",
        ),
        (
            lambda nk, xbar, S, beta0, m0, W0_inverse: (
                W0_inverse + nk[:, None, None] * S + nk[:, None, None] * outer(xbar, m0)
            ),
            "the weight of (x̄_k − m₀)(x̄_k − m₀)ᵀ is β₀N_k/(β₀ + N_k), not N_k: the prior's "
            "β₀ says how far m₀ may be from x̄_k",
        ),
        (
            lambda nk, xbar, S, beta0, m0, W0_inverse: (
                W0_inverse + nk[:, None, None] * S + beta0 * outer(xbar, m0)
            ),
            "the weight of (x̄_k − m₀)(x̄_k − m₀)ᵀ is β₀N_k/(β₀ + N_k), not β₀",
        ),
    )
    forbidden = ("gmmlearn.vb.steps.update_W_inverse", "gmmlearn.vb.steps.vb_m_step")
    _check(_exercise("W_inverse", _w_cases, reference, mistakes, forbidden), student_fn)
