r"""The exercises of lesson 3: write each EM equation yourself (how the feedback works:
:mod:`gmmlearn.exercises`).

Each answer must be a float64 numpy array that leaves its arguments unchanged: the next exercise
and the EM loop compute with it. Exercises 2 and 7 call exercise 1: their checks run its check
first. The functions you write take plain numpy arrays (full covariances only):

====================================================  ====================  =========
function you write                                    computes              returns
====================================================  ====================  =========
``log_gaussian_density(X, mean, covariance)``         ln N(x_n | μ, Σ)      (N,)
``responsibilities(X, weights, means, covariances)``  γ_nk, E-step (9.23)   (N, K)
``effective_counts(resp)``                            N_k (9.27)            (K,)
``mixing_weights(nk, n_samples)``                     π_k = N_k / N (9.26)  (K,)
``component_means(X, resp, nk)``                      μ_k (9.24)            (K, D)
``component_covariances(X, resp, nk, means)``         Σ_k = Λ_k⁻¹ (9.25)    (K, D, D)
``log_likelihood(X, weights, means, covariances)``    ln p(X | θ) (9.28)    float
====================================================  ====================  =========

Shapes: ``X`` (N, D), ``weights`` (K,), ``means`` (K, D), ``covariances`` (K, D, D),
``resp`` (N, K), ``nk`` (K,); ``mean`` (D,) and ``covariance`` (D, D) for one component.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import logsumexp

from .. import steps
from ..params import GaussianMixtureParams
from ._engine import (
    _ATOL,
    Edge,
    Exercise,
    ExerciseError,
    Mistake,
    Problem,
    _check,
    generic_hints,
    not_finite,
    problem_case,
    problem_cases,
    random_problem,
    wrong_shape,
)

__all__ = [
    "ExerciseError",
    "check_component_covariances",
    "check_component_means",
    "check_e_step",
    "check_effective_counts",
    "check_log_gaussian_density",
    "check_log_likelihood",
    "check_mixing_weights",
    "check_responsibilities",
    "random_problem",
]


def _far_problem() -> Problem:
    """One point far from every component: its densities underflow to 0 outside log space."""
    problem = random_problem(8, 2, 3, random_state=99)
    X = problem.X.copy()
    X[0] = [60.0, -60.0]
    return Problem(X, problem.weights, problem.means, problem.covariances, problem.resp)


_FAR = " (and one point far from every component)"


def _far(args: Callable[[Problem], tuple], hint: str) -> Edge:
    """The last case of lesson 3: one point far from every component."""
    return Edge(lambda: problem_case(_far_problem(), args), hint, _FAR)


def _diagnoses(what: str, component_axis: int | None = None, hints=None) -> tuple:
    """Lesson 3's diagnoses after the named mistakes: the shape (``what`` the answer holds),
    nan or inf, the slips of every exercise, then the exercise's own ``hints(got, expected,
    problem)``."""
    own = (
        ()
        if hints is None
        else (lambda name, got, expected, case: hints(got, expected, case.data),)
    )
    return (wrong_shape(what), not_finite, generic_hints(component_axis), *own)


# ---------------------------------------------------------------------------
# Reference pieces and mistaken formulas (full covariances)
# ---------------------------------------------------------------------------


def _theta_args(p: Problem) -> tuple:
    """The arguments of the functions that take θ: X, weights, means, covariances."""
    return p.X, p.weights, p.means, p.covariances


def _log_density_one(X, mean, covariance):
    """ln N(x_n | mean, covariance) for one component, via the library (shape (N,))."""
    params = GaussianMixtureParams(np.ones(1), mean[None], covariance[None], "full")
    return steps.log_gaussian_density(X, params)[:, 0]


def _log_density_table(X, means, covariances):
    return np.column_stack([_log_density_one(X, m, c) for m, c in zip(means, covariances)])


def _log_joint_using(X, weights, means, covariances):
    return _log_density_table(X, means, covariances) + np.log(weights)


def _inv(covariances):
    return np.linalg.inv(covariances)


def _mahalanobis(X, mean, matrix):
    diff = X - mean
    return np.einsum("ni,ij,nj->n", diff, matrix, diff)


def _log_density_pieces(X, mean, covariance):
    d = X.shape[1]
    _, logdet = np.linalg.slogdet(covariance)
    return d * np.log(2 * np.pi), logdet, _mahalanobis(X, mean, np.linalg.inv(covariance))


_SIGMA_FOR_LAMBDA = (
    "used Σ where Λ belongs — the quadratic form is (x−μ)ᵀ Λ (x−μ) with Λ = Σ⁻¹, the "
    "inverse of the covariance (np.linalg.inv(covariance), or better np.linalg.solve)"
)
_LAMBDA_AS_COV = (
    "this is the density with covariance Λ = Σ⁻¹: you passed the precision where the "
    "covariance belongs (e.g. multivariate_normal(mean, cov=Λ)) — pass Σ itself, the function "
    "inverts it"
)


def _sigma_in_quadratic_table(X, means, covariances):
    """ln N with Σ instead of Λ in the quadratic form only (the determinant right), (N, K)."""
    return np.column_stack(
        [
            _log_density_one(X, m, c)
            + 0.5 * _mahalanobis(X, m, _inv(c))
            - 0.5 * _mahalanobis(X, m, c)
            for m, c in zip(means, covariances)
        ]
    )


# ---------------------------------------------------------------------------
# The checkers
# ---------------------------------------------------------------------------


def _density_args(p: Problem) -> tuple:
    return p.X, p.means[0], p.covariances[0]


def _density_reference(p: Problem) -> np.ndarray:
    return _log_density_one(p.X, p.means[0], p.covariances[0])


def _piece(fn):
    """A mistaken ln N from its pieces: fn(D ln 2π, ln|Σ|, (x−μ)ᵀΛ(x−μ), problem)."""
    return lambda p: fn(*_log_density_pieces(p.X, p.means[0], p.covariances[0]), p)


_DENSITY_MISTAKES = (
    Mistake(
        lambda p: (
            _density_reference(p)
            + 0.5 * _mahalanobis(p.X, p.means[0], _inv(p.covariances[0]))
            - 0.5 * _mahalanobis(p.X, p.means[0], p.covariances[0])
        ),
        _SIGMA_FOR_LAMBDA,
    ),
    Mistake(
        lambda p: np.exp(_density_reference(p)),
        "you returned the density N(x|μ,Σ) itself — return its logarithm (work in log "
        "space: no np.exp)",
    ),
    Mistake(
        _piece(lambda c, logdet, m, p: -0.5 * (c + m)),
        "forgot the −½ ln|Σ| term (the normalising determinant)",
    ),
    Mistake(
        _piece(lambda c, logdet, m, p: -0.5 * (c - logdet + m)),
        "the sign of the determinant term is wrong: it is −½ ln|Σ| (= +½ ln|Λ|)",
    ),
    Mistake(
        _piece(lambda c, logdet, m, p: -0.5 * (c + 2 * logdet + m)),
        "used ln|Σ| where ½ ln|Σ| belongs: the density has |Σ|^{1/2} in the denominator",
    ),
    Mistake(
        _piece(lambda c, logdet, m, p: -0.5 * (logdet + m)),
        "forgot the −(D/2) ln 2π term",
    ),
    Mistake(
        _piece(lambda c, logdet, m, p: -0.5 * (c / p.X.shape[1] + logdet + m)),
        "the constant is −(D/2) ln 2π: multiply ½ ln 2π by the dimension D",
    ),
    Mistake(
        _piece(lambda c, logdet, m, p: -0.5 * (c / p.X.shape[1] * p.X.shape[0] + logdet + m)),
        "the constant is −(D/2) ln 2π with D the dimension (X.shape[1]), not N, the "
        "number of points (X.shape[0])",
    ),
    Mistake(
        _piece(lambda c, logdet, m, p: -0.5 * (c + np.exp(logdet) + m)),
        "you used |Σ| where ln|Σ| belongs: take the logarithm of the determinant "
        "(np.linalg.slogdet(covariance)[1] does it without overflow)",
    ),
    Mistake(
        lambda p: -_density_reference(p),
        "the sign is wrong: ln N = −(D/2) ln 2π − ½ ln|Σ| − ½ (x−μ)ᵀ Λ (x−μ), every "
        "term with a minus",
    ),
    Mistake(
        _piece(lambda c, logdet, m, p: -0.5 * (c + logdet) - m),
        "forgot the ½ in front of the quadratic form: −½ (x−μ)ᵀ Λ (x−μ)",
    ),
    Mistake(
        _piece(lambda c, logdet, m, p: -0.5 * (c + logdet) + 0.5 * m),
        "the quadratic form enters with a minus: −½ (x−μ)ᵀ Λ (x−μ) (the density falls "
        "away from the mean)",
    ),
    Mistake(
        _piece(lambda c, logdet, m, p: -(c + logdet) - 0.5 * m),
        "the normaliser is −½ ln|2πΣ| = −(D/2) ln 2π − ½ ln|Σ|: you used −ln|2πΣ|, "
        "without the ½ (the density has |2πΣ|^{1/2} in the denominator)",
    ),
    Mistake(
        lambda p: _log_density_one(p.X, p.means[0], _inv(p.covariances[0])),
        _LAMBDA_AS_COV,
    ),
    Mistake(
        lambda p: _log_density_one(p.X, p.means[0], np.diag(np.diag(p.covariances[0]))),
        "you used only the diagonal of Σ (the variances): the full matrix goes into "
        "Λ = Σ⁻¹ and into ln|Σ|",
    ),
)

_LOG_GAUSSIAN_DENSITY = Exercise(
    "log_gaussian_density",
    _density_reference,
    problem_cases(_density_args),
    _DENSITY_MISTAKES,
    _diagnoses("one value per point, (N,)"),
    forbidden=("gmmlearn.steps.log_gaussian_density", "gmmlearn.steps.log_weighted_densities"),
)


def check_log_gaussian_density(student_fn: Callable) -> None:
    r"""Check ``log_gaussian_density(X, mean, covariance) -> (N,)``, one component's log-density.

    .. math::
        \ln\mathcal{N}(x\mid\mu,\Sigma) = -\tfrac{D}{2}\ln 2\pi - \tfrac12\ln|\Sigma|
            - \tfrac12 (x-\mu)^\top \Sigma^{-1} (x-\mu)
    """
    __tracebackhide__ = True  # IPython: show the student's cell, not ours
    _check(_LOG_GAUSSIAN_DENSITY, student_fn)


def _gamma_hints(got, expected, problem):
    row_sums = got.sum(axis=1)
    if np.any(got < -_ATOL):
        return (
            "responsibilities: γ has negative values — did you return ln γ? γ_nk is a "
            "probability in [0, 1]; exponentiate the log-responsibilities"
        )
    if not np.allclose(row_sums, 1.0, rtol=1e-6):
        n = int(np.argmax(np.abs(row_sums - 1.0)))
        return (
            f"responsibilities: the rows of γ must sum to 1 (each point is shared out among "
            f"the K components), but row {n} sums to {row_sums[n]:.4g}: normalise each row "
            "by its sum over k"
        )
    return None


def _gamma_reference(p):
    return steps.responsibilities(p.X, p.params)


def _normalised(log_joint):
    return np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))


_GAMMA_MISTAKES = (
    Mistake(
        lambda p: np.exp(_log_joint_using(p.X, p.weights, p.means, p.covariances)),
        "γ looks like the unnormalised π_k N(x_n|μ_k,Σ_k): divide each row by its sum "
        "over k (the denominator of 9.23) so that the rows sum to 1",
    ),
    Mistake(
        lambda p: _normalised(_log_density_table(p.X, p.means, p.covariances)),
        "forgot the mixing weights: multiply each density by π_k before normalising",
    ),
    Mistake(
        lambda p: _normalised(_log_joint_using(p.X, p.weights, p.means, _inv(p.covariances))),
        _LAMBDA_AS_COV,
    ),
    Mistake(
        lambda p: _normalised(
            _sigma_in_quadratic_table(p.X, p.means, p.covariances) + np.log(p.weights)
        ),
        _SIGMA_FOR_LAMBDA,
    ),
    Mistake(
        lambda p: np.eye(len(p.weights))[_gamma_reference(p).argmax(axis=1)],
        "your γ holds hard 0/1 assignments (argmax): the E-step gives soft "
        "responsibilities, the posterior probabilities (9.23) — normalise, do not pick "
        "the largest",
    ),
    Mistake(
        lambda p: _shift_over_points(_log_joint_using(p.X, p.weights, p.means, p.covariances)),
        "you subtracted the maximum over the points (axis=0): subtract the maximum over k "
        "of each point (axis=1, keepdims=True) — a shift per point cancels when you "
        "normalise, one per component does not",
    ),
    Mistake(
        lambda p: _normalised(p.weights * _log_density_table(p.X, p.means, p.covariances)),
        "you multiplied ln N by π_k: in log space the weight is added, ln π_k + ln N(x_n|μ_k,Σ_k)",
    ),
    Mistake(
        lambda p: _normalised(
            _log_joint_using(p.X, p.weights, p.means, p.covariances) + np.log(p.weights)
        ),
        "π_k counts twice in your γ (ln π_k added twice, or π_k multiplied in twice): "
        "add ln π_k once",
    ),
    Mistake(
        lambda p: (
            _log_joint_using(p.X, p.weights, p.means, p.covariances)
            / _log_joint_using(p.X, p.weights, p.means, p.covariances).sum(axis=1, keepdims=True)
        ),
        "you divided the logarithms by their row sum: normalise the probabilities, not "
        "their logs — subtract logsumexp over k (axis=1, keepdims=True), then np.exp",
    ),
    Mistake(
        lambda p: np.log(_gamma_reference(p)),
        "you returned ln γ — return γ itself (np.exp of the log-responsibilities)",
    ),
    Mistake(
        lambda p: _gamma_reference(p).T,
        "your γ is transposed: it must have one row per point and one column per "
        "component, shape (N, K)",
    ),
    Mistake(
        lambda p: (
            np.exp(_log_joint_using(p.X, p.weights, p.means, p.covariances))
            / np.exp(_log_joint_using(p.X, p.weights, p.means, p.covariances)).sum(
                axis=0, keepdims=True
            )
        ),
        "you normalised over the points (columns) instead of over the components: each "
        "ROW of γ must sum to 1 — sum over k (axis=1, keepdims=True)",
    ),
)

_RESPONSIBILITIES = Exercise(
    "responsibilities",
    _gamma_reference,
    problem_cases(_theta_args),
    _GAMMA_MISTAKES,
    _diagnoses(
        "one row per point, one column per component, (N, K)", component_axis=1, hints=_gamma_hints
    ),
    edge=_far(
        _theta_args,
        "correct on ordinary data, but wrong (nan?) when a point is far from every "
        "component: there π_k N(x|μ_k,Σ_k) underflows to 0 for every k and you divide "
        "0 by 0. Work in log space: compute ln π_k + ln N, then subtract "
        "scipy.special.logsumexp over k (axis=1, keepdims=True) before np.exp",
    ),
    depends_on=("log_gaussian_density", 1, check_log_gaussian_density),
    forbidden=(
        "gmmlearn.steps.responsibilities",
        "gmmlearn.steps.log_responsibilities",
        "gmmlearn.steps.e_step",
    ),
)


def check_responsibilities(student_fn: Callable) -> None:
    r"""Check ``responsibilities(X, weights, means, covariances) -> (N, K)``, the E-step (9.23).

    .. math::
        \gamma_{nk} = \frac{\pi_k\,\mathcal{N}(x_n\mid\mu_k,\Sigma_k)}
                           {\sum_j \pi_j\,\mathcal{N}(x_n\mid\mu_j,\Sigma_j)}
    """
    __tracebackhide__ = True  # IPython: show the student's cell, not ours
    _check(_RESPONSIBILITIES, student_fn)


check_e_step = check_responsibilities


def _shift_over_points(log_joint):
    shifted = np.exp(log_joint - log_joint.max(axis=0))
    return shifted / shifted.sum(axis=1, keepdims=True)


_NK_MISTAKES = (
    Mistake(
        lambda p: p.resp.sum(axis=1),
        "you summed over k (along each row): N_k sums γ_nk over the points n, axis=0",
    ),
    Mistake(
        lambda p: p.resp.mean(axis=0),
        "you divided by N: that is π_k, not N_k — N_k is the plain sum over n",
    ),
    Mistake(
        lambda p: p.resp.sum(),
        "you summed every entry of γ (that gives N): sum over the points only, axis=0",
    ),
    Mistake(
        lambda p: np.bincount(p.resp.argmax(axis=1), minlength=p.resp.shape[1]),
        "you counted the points whose γ_nk is largest (hard assignments): N_k sums the "
        "soft responsibilities, Σ_n γ_nk",
    ),
    Mistake(
        lambda p: (p.resp > 0).sum(axis=0),
        "you counted the points with γ_nk > 0: N_k sums the soft responsibilities "
        "themselves, Σ_n γ_nk",
    ),
)

_EFFECTIVE_COUNTS = Exercise(
    "effective_counts",
    lambda p: p.nk,
    problem_cases(lambda p: (p.resp,)),
    _NK_MISTAKES,
    _diagnoses("one count per component, (K,)", component_axis=0),
    forbidden=("gmmlearn.steps.effective_counts",),
)


def check_effective_counts(student_fn: Callable) -> None:
    r"""Check ``effective_counts(resp) -> (K,)``: :math:`N_k = \sum_n \gamma_{nk}` (9.27)."""
    __tracebackhide__ = True  # IPython: show the student's cell, not ours
    _check(_EFFECTIVE_COUNTS, student_fn)


_PI_MISTAKES = (
    Mistake(lambda p: p.nk, "forgot to divide by N: π_k = N_k / N"),
    Mistake(
        lambda p: p.nk / len(p.nk),
        "divided by K (the number of components) instead of N (the number of points)",
    ),
    Mistake(
        lambda p: np.full(len(p.nk), 1.0 / len(p.nk)),
        "every π_k is 1/K: that is the usual initialisation, not the update — use N_k / N",
    ),
    Mistake(
        lambda p: p.X.shape[0] / p.nk,
        "upside down: π_k = N_k / N, not N / N_k",
    ),
)

_MIXING_WEIGHTS = Exercise(
    "mixing_weights",
    lambda p: steps.mixing_weights(p.nk),
    problem_cases(lambda p: (p.nk, p.X.shape[0])),
    _PI_MISTAKES,
    _diagnoses(
        "one weight per component, (K,)",
        component_axis=0,
        hints=lambda got, exp, p: (
            f"mixing_weights: the weights must sum to 1 but yours sum to {got.sum():.6g}"
            if abs(got.sum() - 1.0) > 1e-3
            else None
        ),
    ),
    forbidden=("gmmlearn.steps.mixing_weights",),
)


def check_mixing_weights(student_fn: Callable) -> None:
    r"""Check ``mixing_weights(nk, n_samples) -> (K,)``: :math:`\pi_k = N_k / N` (9.26)."""
    __tracebackhide__ = True  # IPython: show the student's cell, not ours
    _check(_MIXING_WEIGHTS, student_fn)


_MU_MISTAKES = (
    Mistake(
        lambda p: p.resp.T @ p.X,
        "forgot to divide by N_k: μ_k = (1/N_k) Σ_n γ_nk x_n",
    ),
    Mistake(
        lambda p: p.resp.T @ p.X / p.X.shape[0],
        "divided by N instead of N_k: each component's weighted sum is divided by its own "
        "effective count N_k",
    ),
    Mistake(
        lambda p: np.broadcast_to(p.X.mean(axis=0), p.means.shape),
        "every μ_k equals the plain mean of X: weight each point by γ_nk",
    ),
    Mistake(
        lambda p: (p.resp.T @ p.X / p.nk[:, None]).T,
        "your means are transposed: one row per component, shape (K, D)",
    ),
    Mistake(
        lambda p: p.X.sum(axis=0) / p.nk[:, None],
        "you summed x_n without the weights γ_nk: μ_k = (1/N_k) Σ_n γ_nk x_n",
    ),
    Mistake(
        lambda p: p.resp.T @ p.X / p.nk[:, None] ** 2,
        "divided by N_k twice: μ_k = (1/N_k) Σ_n γ_nk x_n",
    ),
)

_COMPONENT_MEANS = Exercise(
    "component_means",
    lambda p: steps.component_means(p.X, p.resp, p.nk),
    problem_cases(lambda p: (p.X, p.resp, p.nk)),
    _MU_MISTAKES,
    _diagnoses("one mean vector per component, (K, D)", component_axis=0),
    forbidden=("gmmlearn.steps.component_means", "gmmlearn.steps.m_step"),
)


def check_component_means(student_fn: Callable) -> None:
    r"""Check ``component_means(X, resp, nk) -> (K, D)`` (9.24).

    .. math:: \mu_k = \frac1{N_k}\sum_n\gamma_{nk}x_n
    """
    __tracebackhide__ = True  # IPython: show the student's cell, not ours
    _check(_COMPONENT_MEANS, student_fn)


def _cov_means(p):
    return steps.component_means(p.X, p.resp, p.nk)


def _cov_reference(p):
    return steps.component_covariances(p.X, p.resp, p.nk, _cov_means(p), "full", reg_covar=0.0)


def _second_moment(p):
    return np.einsum("nk,ni,nj->kij", p.resp, p.X, p.X)


def _outer_means(p):
    return np.einsum("ki,kj->kij", _cov_means(p), _cov_means(p))


def _centred_on(p, centres, resp):
    return np.stack([(resp[:, k, None] * (p.X - c)).T @ (p.X - c) for k, c in enumerate(centres)])


def _covariance_hints(got, expected, p):
    if got.ndim == 3 and not np.allclose(got, got.transpose(0, 2, 1)):
        return (
            "component_covariances: your Σ_k are not symmetric — use the outer product "
            "(x−μ)(x−μ)ᵀ, shape (D, D), e.g. diff.T @ (resp[:, k, None] * diff)"
        )
    return None


_SIGMA_MISTAKES = (
    Mistake(
        lambda p: _second_moment(p) / p.nk[:, None, None],
        "forgot to subtract μ_k μ_kᵀ: (1/N_k) Σ_n γ_nk x_n x_nᵀ is the second moment about "
        "the origin, not the covariance",
    ),
    Mistake(
        lambda p: _inv(_cov_reference(p)),
        "you returned Λ_k (the precision, Σ_k⁻¹) — the update gives Σ_k = Λ_k⁻¹ itself: "
        "do not invert",
    ),
    Mistake(
        lambda p: _cov_reference(p) * p.nk[:, None, None],
        "forgot to divide by N_k",
    ),
    Mistake(
        lambda p: _cov_reference(p) * p.nk[:, None, None] / p.X.shape[0],
        "divided by N instead of N_k",
    ),
    Mistake(
        lambda p: (
            _second_moment(p) / p.nk[:, None, None]
            - np.einsum("ki,kj->kij", _cov_means(p), _cov_means(p)) * p.nk[:, None, None]
        ),
        "subtracted N_k μ_k μ_kᵀ after dividing by N_k: subtract just μ_k μ_kᵀ",
    ),
    Mistake(
        lambda p: np.stack([np.cov(p.X.T, bias=True).reshape(p.X.shape[1], -1)] * len(p.nk)),
        "every Σ_k is the plain covariance of X: weight each point by γ_nk",
    ),
    Mistake(
        lambda p: (
            np.einsum("ki,kj->kij", _cov_means(p), _cov_means(p))
            - _second_moment(p) / p.nk[:, None, None]
        ),
        "the sign is reversed: Σ_k = (1/N_k) Σ_n γ_nk x_n x_nᵀ − μ_k μ_kᵀ, not the other way round",
    ),
    Mistake(
        lambda p: _second_moment(p) / p.X.shape[0] - _outer_means(p),
        "divided Σ_n γ_nk x_n x_nᵀ by N instead of N_k",
    ),
    Mistake(
        lambda p: _second_moment(p) - _outer_means(p),
        "forgot to divide Σ_n γ_nk x_n x_nᵀ by N_k before subtracting μ_k μ_kᵀ",
    ),
    Mistake(
        lambda p: _centred_on(p, _cov_means(p), np.ones_like(p.resp)) / p.nk[:, None, None],
        "every point counts fully in every Σ_k: weight each term by γ_nk, "
        "Σ_n γ_nk (x_n−μ_k)(x_n−μ_k)ᵀ",
    ),
    Mistake(
        lambda p: _centred_on(p, [p.X.mean(axis=0)] * len(p.nk), p.resp) / p.nk[:, None, None],
        "you centred on the mean of all the data: centre each component on its own mean "
        "μ_k (the `means` argument)",
    ),
    Mistake(
        lambda p: np.stack(
            [
                np.cov(p.X.T, aweights=p.resp[:, k]).reshape(p.X.shape[1], -1)
                for k in range(len(p.nk))
            ]
        ),
        "you divided by N_k − Σ_n γ_nk²/N_k (np.cov's default ddof=1, the 'unbiased' "
        "estimate): EM's update divides by N_k — np.cov(…, aweights=resp[:, k], "
        "bias=True), or divide yourself",
    ),
    Mistake(
        lambda p: _cov_reference(p) * np.eye(p.X.shape[1]),
        "you kept only the diagonal of Σ_k: the update is the full D×D matrix",
    ),
    Mistake(
        lambda p: _cov_reference(p) / p.nk[:, None, None],
        "divided by N_k twice: Σ_k = (1/N_k) Σ_n γ_nk (x_n−μ_k)(x_n−μ_k)ᵀ",
    ),
    Mistake(
        lambda p: _centred_on(p, _cov_means(p), p.resp**2) / p.nk[:, None, None],
        "you weighted both factors by γ_nk, which gives γ_nk²: weight the outer product "
        "once, (resp[:, k, None] * diff).T @ diff",
    ),
)

_COMPONENT_COVARIANCES = Exercise(
    "component_covariances",
    _cov_reference,
    problem_cases(lambda p: (p.X, p.resp, p.nk, _cov_means(p))),
    _SIGMA_MISTAKES,
    _diagnoses(
        "one D×D matrix per component, (K, D, D)", component_axis=0, hints=_covariance_hints
    ),
    forbidden=("gmmlearn.steps.component_covariances", "gmmlearn.steps.m_step"),
)


def check_component_covariances(student_fn: Callable) -> None:
    r"""Check ``component_covariances(X, resp, nk, means) -> (K, D, D)``: Σ_k = Λ_k⁻¹ (9.25).

    .. math::
        \Sigma_k = \frac1{N_k}\sum_n\gamma_{nk}x_nx_n^\top - \mu_k\mu_k^\top
                 = \frac1{N_k}\sum_n\gamma_{nk}(x_n-\mu_k)(x_n-\mu_k)^\top
    """
    __tracebackhide__ = True  # IPython: show the student's cell, not ours
    _check(_COMPONENT_COVARIANCES, student_fn)


def _ll_reference(p):
    return steps.log_likelihood(p.X, p.params)


def _joint(p):
    return _log_joint_using(p.X, p.weights, p.means, p.covariances)


_LL_MISTAKES = (
    Mistake(
        lambda p: logsumexp(_joint(p), axis=1),
        "you returned one log-likelihood per point, shape (N,): add them up over n "
        "(the log-likelihood of the data set is the sum)",
    ),
    Mistake(
        lambda p: logsumexp(_joint(p), axis=1).mean(),
        "you returned the mean over points (that is scikit-learn's score): the "
        "log-likelihood is the SUM over n",
    ),
    Mistake(
        lambda p: _joint(p).sum(),
        "used the sum of logs Σ_n Σ_k ln(π_k N) — the log comes OUTSIDE the sum over k: "
        "Σ_n ln Σ_k π_k N(x_n|μ_k,Σ_k)",
    ),
    Mistake(
        lambda p: logsumexp(_joint(p)),
        "took the log of one big sum over n and k: the log-likelihood is Σ_n ln(Σ_k …), "
        "a log for every point",
    ),
    Mistake(
        lambda p: logsumexp(_log_density_table(p.X, p.means, p.covariances), axis=1).sum(),
        "forgot the mixing weights π_k inside the sum over k",
    ),
    Mistake(
        lambda p: logsumexp(
            _log_density_table(p.X, p.means, p.covariances) - np.log(len(p.weights)), axis=1
        ).sum(),
        "you used equal weights 1/K: the mixing weights π_k (the `weights` argument) "
        "belong inside the sum over k",
    ),
    Mistake(
        lambda p: _joint(p).max(axis=1).sum(),
        "you took the largest term over k (a hard assignment): the log-likelihood sums "
        "over k inside the log — logsumexp over k (axis=1)",
    ),
    Mistake(
        lambda p: logsumexp(
            _log_joint_using(p.X, p.weights, p.means, _inv(p.covariances)), axis=1
        ).sum(),
        _LAMBDA_AS_COV,
    ),
    Mistake(
        lambda p: logsumexp(
            _sigma_in_quadratic_table(p.X, p.means, p.covariances) + np.log(p.weights),
            axis=1,
        ).sum(),
        _SIGMA_FOR_LAMBDA,
    ),
    Mistake(
        lambda p: logsumexp(_joint(p), axis=0).sum(),
        "you took the log-sum-exp over the points n (axis=0): it belongs over the "
        "components — logsumexp over k (axis=1), then the sum over n",
    ),
    Mistake(
        lambda p: p.weights @ _log_density_table(p.X, p.means, p.covariances).sum(axis=0),
        "you weighted the log-densities by π_k: π_k goes inside the logarithm, "
        "Σ_n ln Σ_k π_k N(x_n|μ_k,Σ_k)",
    ),
    Mistake(
        lambda p: -_ll_reference(p),
        "the sign is wrong: the log-likelihood is Σ_n ln Σ_k π_k N(x_n|μ_k,Σ_k), not its "
        "negative (that is what an optimiser would minimise)",
    ),
    Mistake(
        lambda p: (steps.responsibilities(p.X, p.params) * _joint(p)).sum(),
        "you computed the expected complete-data log-likelihood Σ_n Σ_k γ_nk (ln π_k + ln N) "
        "(9.40), which the M-step maximises — ln p(X|θ) is Σ_n ln Σ_k π_k N(x_n|μ_k,Σ_k)",
    ),
)

_LOG_LIKELIHOOD = Exercise(
    "log_likelihood",
    _ll_reference,
    problem_cases(_theta_args),
    _LL_MISTAKES,
    _diagnoses("one number for the whole data set"),
    edge=_far(
        _theta_args,
        "correct on ordinary data, but -inf or nan when a point is far from every "
        "component: Σ_k π_k N(x|μ_k,Σ_k) underflows to 0 and ln 0 = -inf. Use "
        "scipy.special.logsumexp over k of ln π_k + ln N instead of np.log(np.sum(…))",
    ),
    depends_on=("log_gaussian_density", 1, check_log_gaussian_density),
    forbidden=(
        "gmmlearn.steps.log_likelihood",
        "gmmlearn.steps.e_step",
        "gmmlearn.fused.log_likelihood",
    ),
)


def check_log_likelihood(student_fn: Callable) -> None:
    r"""Check ``log_likelihood(X, weights, means, covariances) -> float`` (9.28).

    .. math:: \ln p(X\mid\theta) = \sum_n \ln \sum_k \pi_k\,\mathcal{N}(x_n\mid\mu_k,\Sigma_k)
    """
    __tracebackhide__ = True  # IPython: show the student's cell, not ours
    _check(_LOG_LIKELIHOOD, student_fn)
