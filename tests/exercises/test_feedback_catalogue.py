"""A catalogue of classic mistakes in lesson 3's exercises, one line each, and the words its message
must contain; right answers written in every usual way; near misses that must be rejected.

Each wrong answer is counted as

* **specific**: the check fails with an :class:`~gmmlearn.exercises.ExerciseError` whose message
  contains the catalogue's words (it names the mistake);
* **vague**: the check fails, but with another message (or another exception) — the mistakes in
  ``UNNAMED`` are known to get only "wrong values … expected a, got b";
* **false accept**: the check passes.

A right answer that fails is a **false reject**. Goal (issue #13): ≥ 90 % specific, no false
accept, no false reject. Print the figures with::

    PYTHONPATH=. python tests/exercises/test_feedback_catalogue.py [-v]
"""

from __future__ import annotations

import contextlib
import io
import sys

import numpy as np
import pytest
import scipy.linalg
from scipy.special import logsumexp, softmax
from scipy.stats import multivariate_normal as mvn

from gmmlearn import exercises as ex

CHECKS = {
    "log_gaussian_density": ex.check_log_gaussian_density,
    "responsibilities": ex.check_responsibilities,
    "effective_counts": ex.check_effective_counts,
    "mixing_weights": ex.check_mixing_weights,
    "component_means": ex.check_component_means,
    "component_covariances": ex.check_component_covariances,
    "log_likelihood": ex.check_log_likelihood,
}

# ---------------------------------------------------------------------------
# Pieces students build their answers from
# ---------------------------------------------------------------------------


def _quad(X, m, A):
    """(x−m)ᵀ A (x−m) for every row."""
    d = X - m
    return np.einsum("ni,ij,nj->n", d, A, d)


def ld(X, m, S, *, pi=np.pi, quad=None, half_det=0.5, half_quad=0.5, const=None):
    """ln N(x|m, S), with knobs to reproduce the usual slips."""
    D = X.shape[1]
    c = D * np.log(2 * pi) if const is None else const
    q = _quad(X, m, np.linalg.inv(S) if quad is None else quad)
    return -0.5 * c - half_det * np.linalg.slogdet(S)[1] - half_quad * q


def table(X, w, M, S, dens=ld):
    """The (N, K) table ln π_k + ln N(x_n | μ_k, Σ_k)."""
    return np.log(w) + np.column_stack([dens(X, m, s) for m, s in zip(M, S)])


def norm(t):
    return np.exp(t - logsumexp(t, axis=1, keepdims=True))


def dens_table(X, M, S):
    return np.column_stack([ld(X, m, s) for m, s in zip(M, S)])


def second(X, r):
    """Σ_n γ_nk x_n x_nᵀ, (K, D, D)."""
    return np.einsum("nk,ni,nj->kij", r, X, X)


def outer(M):
    return np.einsum("ki,kj->kij", M, M)


def centred(X, r, M):
    """Σ_n γ_nk (x_n−μ_k)(x_n−μ_k)ᵀ, (K, D, D), not divided."""
    return np.stack([(r[:, k, None] * (X - M[k])).T @ (X - M[k]) for k in range(len(M))])


def cov(X, r, nk, M):
    return centred(X, r, M) / nk[:, None, None]


def only_first(values):
    """A loop over k whose `return` is indented into the loop: components 1… stay zero."""
    out = np.zeros_like(values)
    out[0] = values[0]
    return out


def only_first_column(values):
    out = np.zeros_like(values)
    out[:, 0] = values[:, 0]
    return out


def f32(fn):
    """The same formula computed in float32 (e.g. an array created with dtype=np.float32)."""
    return lambda *a: fn(*(x.astype(np.float32) if isinstance(x, np.ndarray) else x for x in a))


def hard(r):
    return np.eye(r.shape[1])[r.argmax(axis=1)]


def shift_over_n(t):
    z = np.exp(t - t.max(axis=0))
    return z / z.sum(axis=1, keepdims=True)


def q_function(X, w, M, S):
    """The expected complete-data log-likelihood Q(θ, θ) (9.40), not ln p(X|θ)."""
    t = table(X, w, M, S)
    return float((norm(t) * t).sum())


def centre_in_place(X, m, S):
    X -= m  # the classic: the caller's X is now centred
    return ld(X, np.zeros_like(m), S)


def divide_resp_in_place(X, resp, nk):
    resp /= nk  # the classic: the caller's γ is now divided by N_k
    return resp.T @ X


def scale_resp_in_place(X, resp, nk, M):
    resp /= nk
    return np.stack([(resp[:, k, None] * (X - M[k])).T @ (X - M[k]) for k in range(len(M))])


def np_cov_ddof1(X, r, nk, M):
    return np.stack([np.cov(X.T, aweights=r[:, k]).reshape(X.shape[1], -1) for k in range(len(M))])


def using(density):
    """A student's E-step (or ln p) in a notebook whose `log_gaussian_density` is ``density``."""
    namespace = {"np": np, "logsumexp": logsumexp, "log_gaussian_density": density}
    exec(
        "def responsibilities(X, weights, means, covariances):\n"
        "    t = np.column_stack([np.log(weights[k]) + log_gaussian_density(X, means[k],"
        " covariances[k]) for k in range(len(weights))])\n"
        "    return np.exp(t - logsumexp(t, axis=1, keepdims=True))\n"
        "def log_likelihood(X, weights, means, covariances):\n"
        "    t = np.column_stack([np.log(weights[k]) + log_gaussian_density(X, means[k],"
        " covariances[k]) for k in range(len(weights))])\n"
        "    return float(logsumexp(t, axis=1).sum())\n",
        namespace,
    )
    return namespace


def _stub(*args):
    raise NotImplementedError()


def _raises_name_error(*args):
    return undefined_name  # noqa: F821  (a typo in the student's code)


E1_NO_HALF = using(lambda X, m, S: ld(X, m, S, half_quad=1.0))
E1_STUB = using(_stub)

# ---------------------------------------------------------------------------
# The catalogue: (exercise, the mistake, the wrong answer, words the message must contain)
# ---------------------------------------------------------------------------

# fmt: off
WRONG = [
    ("log_gaussian_density", "Σ in the quadratic form", lambda X, m, S: ld(X, m, S, quad=S), "used Σ where Λ belongs"),  # noqa: E501
    ("log_gaussian_density", "the density, not its log", lambda X, m, S: np.exp(ld(X, m, S)), "return its logarithm"),  # noqa: E501
    ("log_gaussian_density", "no determinant term", lambda X, m, S: ld(X, m, S, half_det=0.0), "forgot the −½ ln|Σ| term"),  # noqa: E501
    ("log_gaussian_density", "+½ ln|Σ|", lambda X, m, S: ld(X, m, S, half_det=-0.5), "sign of the determinant term"),  # noqa: E501
    ("log_gaussian_density", "ln|Σ| without ½", lambda X, m, S: ld(X, m, S, half_det=1.0), "where ½ ln|Σ| belongs"),  # noqa: E501
    ("log_gaussian_density", "no 2π term", lambda X, m, S: ld(X, m, S, const=0.0), "forgot the −(D/2) ln 2π term"),  # noqa: E501
    ("log_gaussian_density", "½ ln 2π not times D", lambda X, m, S: ld(X, m, S, const=np.log(2 * np.pi)), "multiply ½ ln 2π by the dimension D"),  # noqa: E501
    ("log_gaussian_density", "no ½ on the quadratic form", lambda X, m, S: ld(X, m, S, half_quad=1.0), "forgot the ½ in front of the quadratic form"),  # noqa: E501
    ("log_gaussian_density", "+½ on the quadratic form", lambda X, m, S: ld(X, m, S, half_quad=-0.5), "the quadratic form enters with a minus"),  # noqa: E501
    ("log_gaussian_density", "−ln det(2πΣ)", lambda X, m, S: -np.linalg.slogdet(2 * np.pi * S)[1] - 0.5 * _quad(X, m, np.linalg.inv(S)), "−½ ln|2πΣ|"),  # noqa: E501
    ("log_gaussian_density", "Λ passed as cov to scipy", lambda X, m, S: mvn(m, np.linalg.inv(S)).logpdf(X).reshape(len(X)), "pass Σ itself"),  # noqa: E501
    ("log_gaussian_density", "only the diagonal of Σ", lambda X, m, S: ld(X, m, np.diag(np.diag(S))), "only the diagonal of Σ"),  # noqa: E501
    ("log_gaussian_density", "N in place of D", lambda X, m, S: ld(X, m, S, const=len(X) * np.log(2 * np.pi)), "not N, the number of points"),  # noqa: E501
    ("log_gaussian_density", "|Σ| without the log", lambda X, m, S: -0.5 * (X.shape[1] * np.log(2 * np.pi) + np.linalg.det(S) + _quad(X, m, np.linalg.inv(S))), "|Σ| where ln|Σ| belongs"),  # noqa: E501
    ("log_gaussian_density", "every sign flipped", lambda X, m, S: -ld(X, m, S), "every term with a minus"),  # noqa: E501
    ("log_gaussian_density", "shape (N, 1)", lambda X, m, S: ld(X, m, S)[:, None], "wrong shape (7, 1), expected (7,)"),  # noqa: E501
    ("log_gaussian_density", "summed over the points", lambda X, m, S: ld(X, m, S).sum(), "wrong shape (), expected (7,)"),  # noqa: E501
    ("log_gaussian_density", "forgot return", lambda X, m, S: None, "forget the `return` statement"),  # noqa: E501
    ("log_gaussian_density", "returned float32", lambda X, m, S: ld(X, m, S).astype(np.float32), "float32"),  # noqa: E501
    ("log_gaussian_density", "X -= mean in place", centre_in_place, "changed its argument `X` in place"),  # noqa: E501
    ("log_gaussian_density", "a NameError in the student's code", _raises_name_error, "your function raised NameError"),  # noqa: E501
    ("log_gaussian_density", "stub left", _stub, "not implemented yet"),
    ("responsibilities", "unnormalised", lambda X, w, M, S: np.exp(table(X, w, M, S)), "divide each row by its sum"),  # noqa: E501
    ("responsibilities", "no mixing weights", lambda X, w, M, S: norm(dens_table(X, M, S)), "forgot the mixing weights"),  # noqa: E501
    ("responsibilities", "Σ for Λ", lambda X, w, M, S: norm(table(X, w, M, S, lambda X, m, s: ld(X, m, s, quad=s))), "used Σ where Λ belongs"),  # noqa: E501
    ("responsibilities", "ln γ", lambda X, w, M, S: np.log(norm(table(X, w, M, S))), "you returned ln γ"),  # noqa: E501
    ("responsibilities", "transposed", lambda X, w, M, S: norm(table(X, w, M, S)).T, "one row per point and one column per component"),  # noqa: E501
    ("responsibilities", "normalised over the points", lambda X, w, M, S: np.exp(table(X, w, M, S)) / np.exp(table(X, w, M, S)).sum(0), "each ROW of γ must sum to 1"),  # noqa: E501
    ("responsibilities", "rows sum to 2", lambda X, w, M, S: 2 * norm(table(X, w, M, S)), "rows of γ must sum to 1"),  # noqa: E501
    ("responsibilities", "hard 0/1 assignments (argmax)", lambda X, w, M, S: hard(norm(table(X, w, M, S))), "hard 0/1 assignments"),  # noqa: E501
    ("responsibilities", "max-shift over the points", lambda X, w, M, S: shift_over_n(table(X, w, M, S)), "the maximum over k"),  # noqa: E501
    ("responsibilities", "π_k · ln N", lambda X, w, M, S: norm(w * dens_table(X, M, S)), "ln π_k + ln N"),  # noqa: E501
    ("responsibilities", "normalised the logs", lambda X, w, M, S: table(X, w, M, S) / table(X, w, M, S).sum(1, keepdims=True), "normalise the probabilities, not their logs"),  # noqa: E501
    ("responsibilities", "normalised over every entry", lambda X, w, M, S: np.exp(table(X, w, M, S)) / np.exp(table(X, w, M, S)).sum(), "rows of γ must sum to 1"),  # noqa: E501
    ("responsibilities", "π_k twice", lambda X, w, M, S: norm(table(X, w, M, S) + np.log(w)), "π_k counts twice"),  # noqa: E501
    ("responsibilities", "logsumexp over the points", lambda X, w, M, S: np.exp(table(X, w, M, S) - logsumexp(table(X, w, M, S), axis=0)), "each ROW of γ must sum to 1"),  # noqa: E501
    ("responsibilities", "ratio of densities, no log space", lambda X, w, M, S: np.exp(table(X, w, M, S)) / np.exp(table(X, w, M, S)).sum(1, keepdims=True), "Work in log space"),  # noqa: E501
    ("responsibilities", "a list of rows", lambda X, w, M, S: norm(table(X, w, M, S)).tolist(), "return a numpy array"),  # noqa: E501
    ("responsibilities", "only component 0 (return in the loop)", lambda X, w, M, S: only_first_column(norm(table(X, w, M, S))), "only component 0"),  # noqa: E501
    ("responsibilities", "built on a wrong exercise 1", E1_NO_HALF["responsibilities"], "check exercise 1 first"),  # noqa: E501
    ("responsibilities", "exercise 1 still a stub", E1_STUB["responsibilities"], "calls log_gaussian_density (exercise 1), which is not implemented yet"),  # noqa: E501
    ("effective_counts", "summed over k", lambda r: r.sum(axis=1), "you summed over k"),
    ("effective_counts", "mean: π_k", lambda r: r.mean(axis=0), "that is π_k, not N_k"),
    ("effective_counts", "sum of everything", lambda r: r.sum(), "you summed every entry"),
    ("effective_counts", "hard counts", lambda r: np.bincount(r.argmax(1), minlength=r.shape[1]).astype(float), "hard"),  # noqa: E501
    ("effective_counts", "count of γ > 0", lambda r: (r > 0).sum(0).astype(float), "points with γ_nk > 0"),  # noqa: E501
    ("effective_counts", "a list", lambda r: list(r.sum(axis=0)), "return a numpy array"),
    ("effective_counts", "float32", f32(lambda r: r.sum(axis=0)), "float32"),
    ("mixing_weights", "no ÷N", lambda nk, n: nk, "forgot to divide by N"),
    ("mixing_weights", "÷K", lambda nk, n: nk / len(nk), "divided by K"),
    ("mixing_weights", "1/K", lambda nk, n: np.full(len(nk), 1 / len(nk)), "the usual initialisation"),  # noqa: E501
    ("mixing_weights", "N / N_k", lambda nk, n: n / nk, "upside down"),
    ("mixing_weights", "÷(N+1)", lambda nk, n: nk / (n + 1), "the weights must sum to 1"),
    ("mixing_weights", "N_k / N_k", lambda nk, n: nk / nk, "the weights must sum to 1"),
    ("mixing_weights", "a list", lambda nk, n: [c / n for c in nk], "return a numpy array"),
    ("component_means", "no ÷N_k", lambda X, r, nk: r.T @ X, "forgot to divide by N_k"),
    ("component_means", "÷N", lambda X, r, nk: r.T @ X / len(X), "divided by N instead of N_k"),
    ("component_means", "plain mean", lambda X, r, nk: np.tile(X.mean(0), (len(nk), 1)), "weight each point by γ_nk"),  # noqa: E501
    ("component_means", "transposed", lambda X, r, nk: (r.T @ X / nk[:, None]).T, "means are transposed: one row per component"),  # noqa: E501
    ("component_means", "no γ but ÷N_k", lambda X, r, nk: np.tile(X.sum(0), (len(nk), 1)) / nk[:, None], "without the weights γ_nk"),  # noqa: E501
    ("component_means", "only component 0 (return in the loop)", lambda X, r, nk: only_first(r.T @ X / nk[:, None]), "only component 0"),  # noqa: E501
    ("component_means", "resp /= nk in place", divide_resp_in_place, "changed its argument `resp` in place"),  # noqa: E501
    ("component_means", "÷nk without [:, None]", lambda X, r, nk: r.T @ X / nk, "raised ValueError"),  # noqa: E501
    ("component_means", "÷N_k twice", lambda X, r, nk: r.T @ X / nk[:, None] ** 2, "divided by N_k twice"),  # noqa: E501
    ("component_means", "a list of rows", lambda X, r, nk: [r[:, k] @ X / nk[k] for k in range(len(nk))], "return a numpy array"),  # noqa: E501
    ("component_covariances", "no −μμᵀ", lambda X, r, nk, M: second(X, r) / nk[:, None, None], "forgot to subtract μ_k μ_kᵀ"),  # noqa: E501
    ("component_covariances", "returned Λ", lambda X, r, nk, M: np.linalg.inv(cov(X, r, nk, M)), "you returned Λ_k"),  # noqa: E501
    ("component_covariances", "centred, no ÷N_k", lambda X, r, nk, M: centred(X, r, M), "forgot to divide by N_k"),  # noqa: E501
    ("component_covariances", "centred, ÷N", lambda X, r, nk, M: centred(X, r, M) / len(X), "divided by N instead of N_k"),  # noqa: E501
    ("component_covariances", "uncentred, ÷N", lambda X, r, nk, M: second(X, r) / len(X) - outer(M), "by N instead of N_k"),  # noqa: E501
    ("component_covariances", "uncentred, no ÷N_k", lambda X, r, nk, M: second(X, r) - outer(M), "by N_k before subtracting μ_k μ_kᵀ"),  # noqa: E501
    ("component_covariances", "subtracted N_k μμᵀ", lambda X, r, nk, M: second(X, r) / nk[:, None, None] - outer(M) * nk[:, None, None], "subtract just μ_k μ_kᵀ"),  # noqa: E501
    ("component_covariances", "plain covariance of X", lambda X, r, nk, M: np.stack([np.cov(X.T, bias=True).reshape(X.shape[1], -1)] * len(nk)), "plain covariance of X"),  # noqa: E501
    ("component_covariances", "sign reversed", lambda X, r, nk, M: outer(M) - second(X, r) / nk[:, None, None], "the sign is reversed"),  # noqa: E501
    ("component_covariances", "not weighted by γ", lambda X, r, nk, M: centred(X, np.ones_like(r), M) / nk[:, None, None], "weight each term by γ_nk"),  # noqa: E501
    ("component_covariances", "centred on the global mean", lambda X, r, nk, M: cov(X, r, nk, np.tile(X.mean(0), (len(nk), 1))), "its own mean μ_k"),  # noqa: E501
    ("component_covariances", "np.cov with ddof=1", np_cov_ddof1, "bias=True"),
    ("component_covariances", "only component 0 (return in the loop)", lambda X, r, nk, M: only_first(cov(X, r, nk, M)), "only component 0"),  # noqa: E501
    ("component_covariances", "+1e-6·I (reg_covar)", lambda X, r, nk, M: cov(X, r, nk, M) + 1e-6 * np.eye(X.shape[1]), "you added c·I"),  # noqa: E501
    ("component_covariances", "+1e-3·I", lambda X, r, nk, M: cov(X, r, nk, M) + 1e-3 * np.eye(X.shape[1]), "you added c·I"),  # noqa: E501
    ("component_covariances", "float32 inside the loop", f32(cov), "float32"),
    ("component_covariances", "only the diagonal", lambda X, r, nk, M: cov(X, r, nk, M) * np.eye(X.shape[1]), "only the diagonal"),  # noqa: E501
    ("component_covariances", "resp /= nk in place", scale_resp_in_place, "changed its argument `resp` in place"),  # noqa: E501
    ("component_covariances", "a list of matrices", lambda X, r, nk, M: list(cov(X, r, nk, M)), "return a numpy array"),  # noqa: E501
    ("component_covariances", "÷N_k twice", lambda X, r, nk, M: centred(X, r, M) / nk[:, None, None] ** 2, "divided by N_k twice"),  # noqa: E501
    ("component_covariances", "γ on both factors", lambda X, r, nk, M: centred(X, r**2, M) / nk[:, None, None], "gives γ_nk²"),  # noqa: E501
    ("component_covariances", "inner product, not outer", lambda X, r, nk, M: np.array([(r[:, k] * ((X - M[k]) ** 2).sum(1)).sum() / nk[k] for k in range(len(M))]), "wrong shape (3,), expected (3, 2, 2)"),  # noqa: E501
    ("component_covariances", "(N, N) instead of (D, D)", lambda X, r, nk, M: np.stack([(X - M[k]) @ (r[:, k, None] * (X - M[k])).T / nk[k] for k in range(len(M))]), "wrong shape (3, 7, 7)"),  # noqa: E501
    ("component_covariances", "one matrix only", lambda X, r, nk, M: cov(X, r, nk, M)[0], "wrong shape"),  # noqa: E501
    ("log_likelihood", "one value per point", lambda X, w, M, S: logsumexp(table(X, w, M, S), axis=1), "one log-likelihood per point"),  # noqa: E501
    ("log_likelihood", "mean over points", lambda X, w, M, S: logsumexp(table(X, w, M, S), axis=1).mean(), "the mean over points"),  # noqa: E501
    ("log_likelihood", "Σ_n Σ_k ln(π N)", lambda X, w, M, S: table(X, w, M, S).sum(), "the log comes OUTSIDE the sum over k"),  # noqa: E501
    ("log_likelihood", "one big logsumexp", lambda X, w, M, S: logsumexp(table(X, w, M, S)), "a log for every point"),  # noqa: E501
    ("log_likelihood", "no mixing weights", lambda X, w, M, S: logsumexp(dens_table(X, M, S), axis=1).sum(), "forgot the mixing weights"),  # noqa: E501
    ("log_likelihood", "Σ for Λ", lambda X, w, M, S: logsumexp(table(X, w, M, S, lambda X, m, s: ld(X, m, s, quad=s)), axis=1).sum(), "used Σ where Λ belongs"),  # noqa: E501
    ("log_likelihood", "logsumexp over n", lambda X, w, M, S: logsumexp(table(X, w, M, S), axis=0).sum(), "logsumexp over k"),  # noqa: E501
    ("log_likelihood", "Σ_k π_k Σ_n ln N", lambda X, w, M, S: float(w @ dens_table(X, M, S).sum(0)), "inside the logarithm"),  # noqa: E501
    ("log_likelihood", "negated", lambda X, w, M, S: -logsumexp(table(X, w, M, S), axis=1).sum(), "not its negative"),  # noqa: E501
    ("log_likelihood", "the expected complete-data Q", q_function, "complete-data"),
    ("log_likelihood", "ln Σ exp, no logsumexp", lambda X, w, M, S: np.log(np.exp(table(X, w, M, S)).sum(1)).sum(), "underflows to 0"),  # noqa: E501
    ("log_likelihood", "equal weights 1/K", lambda X, w, M, S: (logsumexp(dens_table(X, M, S), axis=1) - np.log(len(w))).sum(), "equal weights 1/K"),  # noqa: E501
    ("log_likelihood", "max over k", lambda X, w, M, S: table(X, w, M, S).max(1).sum(), "largest term over k"),  # noqa: E501
    ("log_likelihood", "log of the product", lambda X, w, M, S: np.log(np.prod(np.exp(table(X, w, M, S)).sum(1))), "underflows to 0"),  # noqa: E501
    ("log_likelihood", "built on a wrong exercise 1", E1_NO_HALF["log_likelihood"], "check exercise 1 first"),  # noqa: E501
]

# Mistakes the checks reject without naming them (counted as vague in the figures): words None.
UNNAMED = [
    ("log_likelihood", "K times the value", lambda X, w, M, S: logsumexp(table(X, w, M, S), axis=1).sum() * len(w), None),  # noqa: E501
]

# Wrong by about 1e-4 relative or less: must be rejected, with the size of the difference.
NEAR = [
    ("log_gaussian_density", "π ≈ 3.14", lambda X, m, S: ld(X, m, S, pi=3.14), "relative difference"),  # noqa: E501
    ("log_gaussian_density", "× (1 + 1e-4)", lambda X, m, S: ld(X, m, S) * (1 + 1e-4), "relative difference"),  # noqa: E501
    ("responsibilities", "π_k × (1 + 1e-4) for k = 0", lambda X, w, M, S: norm(table(X, w * np.r_[1.001, np.ones(len(w) - 1)], M, S)), "relative difference"),  # noqa: E501
    ("effective_counts", "× (1 + 1e-4)", lambda r: r.sum(0) * (1 + 1e-4), "relative difference"),
    ("mixing_weights", "÷ (N − 0.001)", lambda nk, n: nk / (n - 1e-3), "relative difference"),
    ("component_means", "+ 1e-4 relative", lambda X, r, nk: r.T @ X / nk[:, None] * (1 + 1e-4), "relative difference"),  # noqa: E501
    ("component_covariances", "× (1 + 1e-4)", lambda X, r, nk, M: cov(X, r, nk, M) * (1 + 1e-4), "relative difference"),  # noqa: E501
    ("log_likelihood", "π ≈ 3.14", lambda X, w, M, S: float(logsumexp(table(X, w, M, S, lambda X, m, s: ld(X, m, s, pi=3.14)), axis=1).sum()), "relative difference"),  # noqa: E501
]


def chol_ld(X, m, S):
    L = np.linalg.cholesky(S)
    z = scipy.linalg.solve_triangular(L, (X - m).T, lower=True)
    return -0.5 * X.shape[1] * np.log(2 * np.pi) - np.log(np.diag(L)).sum() - 0.5 * (z**2).sum(0)


def loop_ld(X, m, S):
    P, D = np.linalg.inv(S), X.shape[1]
    out = np.empty(len(X))
    for n in range(len(X)):
        d = X[n] - m
        out[n] = -0.5 * (D * np.log(2 * np.pi) + np.log(np.linalg.det(S)) + d @ P @ d)
    return out


def loop_resp(X, w, M, S):
    N, K = len(X), len(w)
    t = np.empty((N, K))
    for n in range(N):
        for k in range(K):
            t[n, k] = np.log(w[k]) + mvn(M[k], S[k]).logpdf(X[n])
    return np.exp(t - logsumexp(t, axis=1, keepdims=True))


def loop_cov(X, r, nk, M):
    K, D = M.shape
    out = np.zeros((K, D, D))
    for k in range(K):
        for n in range(len(X)):
            out[k] += r[n, k] * np.outer(X[n] - M[k], X[n] - M[k])
        out[k] /= nk[k]
    return out


def uncentred_loop_cov(X, r, nk, M):
    out = np.empty((len(M), X.shape[1], X.shape[1]))
    for k in range(len(M)):
        out[k] = (r[:, k] * X.T) @ X / nk[k] - np.outer(M[k], M[k])
    return out


RIGHT = [
    ("log_gaussian_density", "inv + einsum", ld),
    ("log_gaussian_density", "Cholesky + solve_triangular", chol_ld),
    ("log_gaussian_density", "a loop over the points, det", loop_ld),
    ("log_gaussian_density", "scipy", lambda X, m, S: mvn(m, S).logpdf(X).reshape(len(X))),
    ("log_gaussian_density", "np.linalg.solve", lambda X, m, S: -0.5 * (X.shape[1] * np.log(2 * np.pi) + np.linalg.slogdet(S)[1] + np.einsum("ni,in->n", X - m, np.linalg.solve(S, (X - m).T)))),  # noqa: E501
    ("log_gaussian_density", "X = X - mean (a new array)", lambda X, m, S: ld(X - m, np.zeros_like(m), S)),  # noqa: E501
    ("responsibilities", "logsumexp", lambda X, w, M, S: norm(table(X, w, M, S))),
    ("responsibilities", "loops and scipy", loop_resp),
    ("responsibilities", "scipy.special.softmax", lambda X, w, M, S: softmax(table(X, w, M, S, chol_ld), axis=1)),  # noqa: E501
    ("responsibilities", "using a right exercise 1", using(ld)["responsibilities"]),
    ("effective_counts", "sum", lambda r: r.sum(axis=0)),
    ("effective_counts", "einsum", lambda r: np.einsum("nk->k", r)),
    ("effective_counts", "ones @ γ", lambda r: np.ones(len(r)) @ r),
    ("effective_counts", "a loop", lambda r: np.array([sum(row[k] for row in r) for k in range(r.shape[1])])),  # noqa: E501
    ("mixing_weights", "N_k / N", lambda nk, n: nk / n),
    ("mixing_weights", "N_k / Σ N_k", lambda nk, n: nk / nk.sum()),
    ("component_means", "matrix product", lambda X, r, nk: r.T @ X / nk[:, None]),
    ("component_means", "einsum", lambda X, r, nk: np.einsum("nk,nd->kd", r, X) / nk[:, None]),
    ("component_means", "np.average", lambda X, r, nk: np.stack([np.average(X, axis=0, weights=r[:, k]) for k in range(len(nk))])),  # noqa: E501
    ("component_covariances", "centred, loop over k", cov),
    ("component_covariances", "centred, loops over k and n", loop_cov),
    ("component_covariances", "uncentred", uncentred_loop_cov),
    ("component_covariances", "einsum", lambda X, r, nk, M: np.einsum("nk,nki,nkj->kij", r, X[:, None] - M, X[:, None] - M) / nk[:, None, None]),  # noqa: E501
    ("component_covariances", "np.cov(aweights, bias=True)", lambda X, r, nk, M: np.stack([np.cov(X.T, aweights=r[:, k], bias=True).reshape(X.shape[1], -1) for k in range(len(M))])),  # noqa: E501
    ("log_likelihood", "logsumexp", lambda X, w, M, S: float(logsumexp(table(X, w, M, S), axis=1).sum())),  # noqa: E501
    ("log_likelihood", "np.logaddexp.reduce, Cholesky", lambda X, w, M, S: np.logaddexp.reduce(table(X, w, M, S, chol_ld), axis=1).sum()),  # noqa: E501
    ("log_likelihood", "a 0-d array", lambda X, w, M, S: logsumexp(table(X, w, M, S), axis=1).sum()),  # noqa: E501
    ("log_likelihood", "using a right exercise 1", using(ld)["log_likelihood"]),
]
# fmt: on


def outcome(name: str, fn) -> tuple[str, str]:
    """("pass", printed) or ("fail", message) or ("crash", what raised) for one answer."""
    with contextlib.redirect_stdout(io.StringIO()) as printed, np.errstate(all="ignore"):
        try:
            CHECKS[name](fn)
        except ex.ExerciseError as error:
            return "fail", str(error)
        except Exception as error:  # noqa: BLE001  (a checker that crashes is counted, not hidden)
            return "crash", f"{type(error).__name__}: {error}"
    return "pass", printed.getvalue()


def figures(verbose: bool = False) -> dict[str, int]:
    counts = dict.fromkeys(
        ["specific", "vague", "false accepts", "near misses accepted", "false rejects"], 0
    )
    for name, what, fn, words in WRONG + UNNAMED:
        kind, message = outcome(name, fn)
        if kind == "pass":
            counts["false accepts"] += 1
        elif kind == "fail" and words is not None and words in message:
            counts["specific"] += 1
        else:
            counts["vague"] += 1
        if verbose and not (kind == "fail" and words is not None and words in message):
            print(f"  {kind}: {name}, {what}: {message.strip()}")
    counts["near misses accepted"] = sum(outcome(n, fn)[0] == "pass" for n, _, fn, _ in NEAR)
    counts["false rejects"] = sum(outcome(n, fn)[0] != "pass" for n, _, fn in RIGHT)
    return counts


@pytest.mark.parametrize(
    ("name", "fn", "words"),
    [(n, fn, w) for n, _, fn, w in WRONG + NEAR],
    ids=[f"{n}: {what}" for n, what, _, _ in WRONG + NEAR],
)
def test_a_classic_mistake_is_named(name, fn, words):
    kind, message = outcome(name, fn)
    assert kind == "fail", f"{kind}: {message}"
    assert message.startswith(f"{name}: ")
    assert words in message, message


@pytest.mark.parametrize(
    ("name", "fn"),
    [(n, fn) for n, _, fn, _ in UNNAMED],
    ids=[f"{n}: {w}" for n, w, _, _ in UNNAMED],
)
def test_an_unnamed_mistake_is_still_rejected(name, fn):
    kind, message = outcome(name, fn)
    assert kind == "fail" and message.startswith(f"{name}: wrong values"), message


@pytest.mark.parametrize(
    ("name", "fn"), [(n, fn) for n, _, fn in RIGHT], ids=[f"{n}: {w}" for n, w, _ in RIGHT]
)
def test_a_right_answer_is_accepted(name, fn):
    kind, message = outcome(name, fn)
    assert kind == "pass", message


def test_the_catalogue_reaches_the_goal():
    counts = figures()
    assert counts["false accepts"] == counts["near misses accepted"] == 0, counts
    assert counts["false rejects"] == 0, counts
    assert counts["specific"] >= 0.9 * len(WRONG + UNNAMED), counts


if __name__ == "__main__":
    result = figures(verbose="-v" in sys.argv)
    total = len(WRONG + UNNAMED)
    print(f"{total} classic mistakes, {len(NEAR)} near misses, {len(RIGHT)} right answers")
    print(
        f"specific {result['specific']} ({100 * result['specific'] / total:.0f} %), "
        f"vague {result['vague']}, false accepts {result['false accepts']}, "
        f"near misses accepted {result['near misses accepted']}, "
        f"false rejects {result['false rejects']}"
    )
    sys.exit(0)
