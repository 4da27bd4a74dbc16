r"""Instant feedback for the exercises of lesson 3: write each EM equation yourself.

Every checker calls *your* function on several seeded random problems, compares the answer with
the reference in :mod:`gmmlearn.steps`, and either prints a one-line "correct" or raises
:class:`ExerciseError` saying what is wrong in words: wrong shape, rows of γ not summing to 1,
forgot to subtract μμᵀ, used Σ where Λ belongs, …  A mistake is recognised by computing the
mistaken formula too and seeing that your answer matches it. In a notebook the failure shows as
that one line (plus your own code's frames when it raised), never a traceback into this module;
under nbgrader a check cell scores full points or zero. Your function must return a float64 numpy
array and leave its arguments unchanged (no ``X -= mean``): the next exercise and the EM loop
compute with them. Exercises 2 and 7 call exercise 1: their checks run its check first.

The functions you write take plain numpy arrays (full covariances only):

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

import contextlib
import inspect
import io
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import logsumexp

from .. import steps
from ..params import GaussianMixtureParams

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

_RTOL = 1e-6
_ATOL = 1e-8
_N_CASES = 5


_HERE = str(Path(__file__).resolve().parent)


def _is_student_frame(frame: traceback.FrameSummary) -> bool:
    """A frame of the student's own code: not gmmlearn's, not a library's (numpy, scipy…)."""
    name = frame.filename
    return not (name.startswith(_HERE) or "site-packages" in name or "/lib/python" in name)


def _cell_name(filename: str) -> str:
    """ "Cell In[12]" for code typed in a notebook cell (as IPython says it), else the file."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        name = shell.compile.format_code_name(filename) if shell is not None else None
    except (ImportError, AttributeError):
        name = None
    return " ".join(name) if name else f'File "{filename}"'


class ExerciseError(AssertionError):
    """Your function gave a wrong answer; the message says what looks wrong and how to fix it."""

    def _render_traceback_(self) -> list[str]:
        """What IPython (and so nbgrader's graded notebook) shows instead of a traceback.

        The one-line message first; when the student's own code raised, their frames below it
        (never the 15–40 lines inside this module).
        """
        lines = [f"{type(self).__name__}: {self}"]
        cause = self.__cause__
        if cause is not None and cause.__traceback__ is not None:
            frames = [f for f in traceback.extract_tb(cause.__traceback__) if _is_student_frame(f)]
            if frames:
                lines.append("Where your code raised it:")
                for frame in frames:
                    lines.append(
                        f"  {_cell_name(frame.filename)}, line {frame.lineno}, in {frame.name}"
                    )
                    if frame.line:
                        lines.append(f"    {frame.line.strip()}")
                lines += traceback.format_exception_only(type(cause), cause)[-1:]
        return [line.rstrip("\n") for line in lines]


# ---------------------------------------------------------------------------
# Random problems
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One random test case: data, parameters θ and responsibilities γ, all full-covariance."""

    X: np.ndarray
    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    resp: np.ndarray

    @property
    def shape_text(self) -> str:
        (n, d), k = self.X.shape, len(self.weights)
        return f"N={n}, D={d}, K={k}"

    @property
    def params(self) -> GaussianMixtureParams:
        return GaussianMixtureParams(self.weights, self.means, self.covariances, "full")

    @property
    def nk(self) -> np.ndarray:
        return self.resp.sum(axis=0)


def random_problem(
    n_samples: int, n_features: int, n_components: int, random_state: int = 0
) -> Problem:
    """A random mixture problem with well-separated answers (so that mistakes show).

    Parameters
    ----------
    n_samples, n_features, n_components : int
    random_state : int

    Returns
    -------
    problem : Problem
        With ``X`` (N, D), ``weights`` (K,), ``means`` (K, D), ``covariances`` (K, D, D)
        (symmetric positive definite, not the identity) and ``resp`` (N, K) with rows summing to 1.
    """
    rng = np.random.default_rng(random_state)
    means = rng.normal(scale=2.0, size=(n_components, n_features))
    X = means[rng.integers(n_components, size=n_samples)] + rng.normal(size=(n_samples, n_features))
    A = rng.normal(scale=0.6, size=(n_components, n_features, n_features))
    covariances = A @ A.transpose(0, 2, 1) + np.eye(n_features) * rng.uniform(
        0.5, 1.5, size=(n_components, 1, 1)
    )
    weights = rng.dirichlet(np.full(n_components, 2.0))
    resp = rng.dirichlet(np.full(n_components, 0.7), size=n_samples)
    return Problem(X, weights, means, covariances, resp)


# (N, D, K): N ≠ K and D ≠ K so that transposes and divisions by the wrong count show.
_SIZES = ((7, 2, 3), (12, 3, 4), (9, 1, 2), (15, 2, 5), (6, 4, 2))


def _problems() -> list[Problem]:
    return [random_problem(n, d, k, random_state=seed) for seed, (n, d, k) in enumerate(_SIZES)]


def _far_problem() -> Problem:
    """One point far from every component: its densities underflow to 0 outside log space."""
    problem = random_problem(8, 2, 3, random_state=99)
    X = problem.X.copy()
    X[0] = [60.0, -60.0]
    return Problem(X, problem.weights, problem.means, problem.covariances, problem.resp)


# ---------------------------------------------------------------------------
# The comparison engine
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mistake:
    """A known wrong formula and what to tell a student whose answer matches it."""

    formula: Callable[[Problem], np.ndarray]
    message: str


def _close(got: np.ndarray, expected: np.ndarray) -> bool:
    return got.shape == expected.shape and bool(
        np.allclose(got, expected, rtol=_RTOL, atol=_ATOL, equal_nan=False)
    )


def _as_array(value, name: str) -> np.ndarray:
    __tracebackhide__ = True  # IPython: show the student's cell, not ours
    if value is None:
        raise ExerciseError(
            f"{name}: your function returned None — did you forget the `return` statement?"
        )
    if isinstance(value, (list, tuple)):
        # np.asarray would accept it here, but the next exercise computes with it
        # (`nk / n_samples`, `resp.T @ X`) and a list breaks there, far from the cause
        raise ExerciseError(
            f"{name}: your function returned a {type(value).__name__}: return a numpy array "
            "(np.array(…) or np.stack(…) of the pieces) — the next steps compute with it, and "
            "a list breaks them (e.g. `nk / n_samples`)"
        )
    dtype = getattr(value, "dtype", None)
    if dtype is not None and np.issubdtype(dtype, np.floating) and dtype.itemsize < 8:
        raise ExerciseError(
            f"{name}: your function returned {dtype} numbers (float32 keeps about 7 "
            "significant digits): compute in float64, numpy's default — drop dtype=np.float32 "
            "or .astype(np.float32)"
        )
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ExerciseError(
            f"{name}: your function returned {type(value).__name__}, which is not an array of "
            "numbers: return a numpy array"
        ) from None


def _parameter_names(student_fn: Callable, n_args: int) -> list[str]:
    try:
        names = list(inspect.signature(student_fn).parameters)
    except (TypeError, ValueError):
        names = []
    return (names + [f"number {i + 1}" for i in range(n_args)])[:n_args]


def _call(student_fn: Callable, name: str, args: tuple, problem: Problem):
    __tracebackhide__ = True  # IPython: show the student's cell, not ours
    if not callable(student_fn):
        raise ExerciseError(
            f"{name}: pass the function itself, check_…({name}), not the result of calling it"
        )
    # copies: a function that changes its inputs in place must not change the problem
    copies = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    try:
        result = student_fn(*copies)
    except NotImplementedError:
        raise ExerciseError(
            f"{name}: not implemented yet — write the body of `{name}` (replace the "
            "`raise NotImplementedError`) and run both cells again"
        ) from None
    except Exception as exc:  # a student's bug: report it briefly, keep the original for context
        raise ExerciseError(
            f"{name}: your function raised {type(exc).__name__}: {exc} (on a problem with "
            f"{problem.shape_text}; shapes: X {problem.X.shape}, weights "
            f"{problem.weights.shape}, means {problem.means.shape}, covariances "
            f"{problem.covariances.shape}, resp {problem.resp.shape})"
        ) from exc
    names = _parameter_names(student_fn, len(args))
    for arg_name, original, copy in zip(names, args, copies):
        if isinstance(original, np.ndarray) and not np.array_equal(original, copy, equal_nan=True):
            raise ExerciseError(
                f"{name}: your function changed its argument `{arg_name}` in place (e.g. "
                "`X -= mean` or `resp /= nk`): the caller's array changes too, and the next "
                "exercise or the EM loop then computes with wrong data — make a new array "
                "instead (`diff = X - mean`, `resp / nk`)"
            )
    return result


def _refers_to(code, global_name: str) -> bool:
    """Whether a function's code (or a comprehension or lambda inside it) uses a global name."""
    return global_name in code.co_names or any(
        _refers_to(const, global_name) for const in code.co_consts if inspect.iscode(const)
    )


def _check_dependency(name: str, student_fn: Callable, dependency: tuple[str, int, Callable]):
    """Run the check of an earlier exercise that the student's function calls, quietly."""
    __tracebackhide__ = True  # IPython: show the student's cell, not ours
    dep_name, number, dep_check = dependency
    code = getattr(student_fn, "__code__", None)
    dep_fn = getattr(student_fn, "__globals__", {}).get(dep_name)
    if code is None or not callable(dep_fn) or not _refers_to(code, dep_name):
        return
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            dep_check(dep_fn)
    except ExerciseError as error:
        why = str(error).removeprefix(f"{dep_name}: ")
        if why.startswith("not implemented yet"):
            raise ExerciseError(
                f"{name}: your {name} calls {dep_name} (exercise {number}), which is not "
                f"implemented yet: write it, check exercise {number} first, then run this "
                "check again"
            ) from None
        raise ExerciseError(
            f"{name}: your {name} calls {dep_name} (exercise {number}), which does not pass "
            f"its check yet: check exercise {number} first — it says: {why}"
        ) from None


def _shape_message(name: str, got: np.ndarray, expected: np.ndarray, what: str) -> str:
    if got.ndim == 2 and got.shape == expected.shape[::-1] and got.shape != expected.shape:
        return (
            f"{name}: wrong shape {got.shape}, expected {expected.shape} ({what}) — your answer "
            "looks transposed: swap the axes (e.g. `.T`) or check which axis you sum over"
        )
    return f"{name}: wrong shape {got.shape}, expected {expected.shape} ({what})"


def _digits(got: float, expected: float) -> tuple[str, str]:
    """Both numbers with just enough significant digits to show that they differ."""
    for precision in range(6, 18):
        a, b = f"{expected:.{precision}g}", f"{got:.{precision}g}"
        if a != b:
            return a, b
    return repr(expected), repr(got)


def _value_message(name: str, got: np.ndarray, expected: np.ndarray, problem: Problem) -> str:
    error = np.abs(got - expected)
    where = np.unravel_index(int(np.nanargmax(np.where(np.isnan(error), np.inf, error))), got.shape)
    at = f"[{', '.join(map(str, where))}]" if got.ndim else ""
    shown_expected, shown_got = _digits(float(got[where]), float(expected[where]))
    scale = max(float(np.max(np.abs(expected))), _ATOL)
    relative = float(np.max(error)) / scale
    message = (
        f"{name}: wrong values on a problem with {problem.shape_text}: at {at or 'the result'} "
        f"expected {shown_expected}, got {shown_got} (relative difference {relative:.1e})"
    )
    if relative < 1e-2:
        message += (
            ": close, but the check asks for 1e-6 — a rounded constant (3.14 for π?), a small "
            "term added, or a slightly different formula"
        )
    return message


def _generic_hint(
    name: str, got: np.ndarray, expected: np.ndarray, component_axis: int | None
) -> str | None:
    """Mistakes that look the same in every exercise: a `return` inside the loop over k,
    an εI added to covariances, float32 arithmetic."""
    if component_axis is not None and got.shape[component_axis] > 1:
        first = np.take(got, [0], axis=component_axis)
        rest = np.take(got, range(1, got.shape[component_axis]), axis=component_axis)
        rest_expected = np.take(expected, range(1, got.shape[component_axis]), axis=component_axis)
        if _close(first, np.take(expected, [0], axis=component_axis)) and not np.allclose(
            rest, rest_expected, rtol=1e-3
        ):
            return (
                f"{name}: only component 0 is right, the others are not: is your `return` "
                "inside the loop over k? Dedent it, so that the loop runs for every component"
            )
    if got.ndim == 3 and got.shape[1] == got.shape[2]:
        eye = np.eye(got.shape[1])
        added = float(np.mean(np.diagonal(got - expected, axis1=1, axis2=2)))
        if abs(added) > 1e-12 and np.allclose(got - expected, added * eye, rtol=1e-3, atol=1e-13):
            return (
                f"{name}: you added c·I with c = {added:.3g} to every Σ_k (like the library's "
                "reg_covar, or the README's εI): the exercise asks for the plain (9.25), with "
                "no term added"
            )
    as_float32 = got.astype(np.float32).astype(np.float64)
    if np.array_equal(got, as_float32) and np.allclose(got, expected, rtol=1e-4, atol=1e-6):
        return (
            f"{name}: your result has float32 precision (about 7 significant digits): compute "
            "in float64, numpy's default — drop dtype=np.float32 or .astype(np.float32)"
        )
    return None


def _name_the_mistake(name: str, got: np.ndarray, problem, mistakes) -> None:
    """Raise the message of the first classic mistake whose formula gives ``got``, if any."""
    __tracebackhide__ = True
    for mistake in mistakes:
        with np.errstate(all="ignore"):
            wrong = np.asarray(mistake.formula(problem), dtype=np.float64)
        if _close(got, wrong):
            raise ExerciseError(f"{name}: {mistake.message}")


def _check(
    name: str,
    student_fn: Callable,
    args: Callable[[Problem], tuple],
    reference: Callable[[Problem], np.ndarray],
    what: str,
    mistakes: tuple[_Mistake, ...] = (),
    hints: Callable[[np.ndarray, np.ndarray, Problem], str | None] | None = None,
    far_hint: str | None = None,
    component_axis: int | None = None,
    dependency: tuple[str, int, Callable] | None = None,
) -> None:
    __tracebackhide__ = True  # IPython: show the student's cell, not ours
    if dependency is not None:
        _check_dependency(name, student_fn, dependency)
    problems = _problems()
    for problem in problems:
        got = _as_array(_call(student_fn, name, args(problem), problem), name)
        expected = np.asarray(reference(problem), dtype=np.float64)
        if _close(got, expected):
            continue
        _name_the_mistake(name, got, problem, mistakes)
        if got.shape != expected.shape:
            raise ExerciseError(_shape_message(name, got, expected, what))
        if not np.all(np.isfinite(got)):
            raise ExerciseError(
                f"{name}: your answer contains nan or inf on a problem with "
                f"{problem.shape_text}; the correct answer is finite"
            )
        hint = _generic_hint(name, got, expected, component_axis)
        hint = hint or (hints(got, expected, problem) if hints else None)
        raise ExerciseError(hint or _value_message(name, got, expected, problem))
    if far_hint is not None:
        problem = _far_problem()
        with np.errstate(all="ignore"):
            got = _as_array(_call(student_fn, name, args(problem), problem), name)
        if not _close(got, np.asarray(reference(problem), dtype=np.float64)):
            raise ExerciseError(f"{name}: {far_hint}")
    extra = " (and one point far from every component)" if far_hint else ""
    print(f"✔ {name}: correct on {len(problems)} random problems{extra}.")


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


def check_log_gaussian_density(student_fn: Callable) -> None:
    r"""Check ``log_gaussian_density(X, mean, covariance) -> (N,)``, one component's log-density.

    .. math::
        \ln\mathcal{N}(x\mid\mu,\Sigma) = -\tfrac{D}{2}\ln 2\pi - \tfrac12\ln|\Sigma|
            - \tfrac12 (x-\mu)^\top \Sigma^{-1} (x-\mu)
    """
    __tracebackhide__ = True  # IPython: show the student's cell, not ours

    def args(p):
        return p.X, p.means[0], p.covariances[0]

    def reference(p):
        return _log_density_one(p.X, p.means[0], p.covariances[0])

    def piece(fn):
        return lambda p: fn(*_log_density_pieces(p.X, p.means[0], p.covariances[0]), p)

    mistakes = (
        _Mistake(
            lambda p: (
                reference(p)
                + 0.5 * _mahalanobis(p.X, p.means[0], _inv(p.covariances[0]))
                - 0.5 * _mahalanobis(p.X, p.means[0], p.covariances[0])
            ),
            _SIGMA_FOR_LAMBDA,
        ),
        _Mistake(
            lambda p: np.exp(reference(p)),
            "you returned the density N(x|μ,Σ) itself — return its logarithm (work in log "
            "space: no np.exp)",
        ),
        _Mistake(
            piece(lambda c, logdet, m, p: -0.5 * (c + m)),
            "forgot the −½ ln|Σ| term (the normalising determinant)",
        ),
        _Mistake(
            piece(lambda c, logdet, m, p: -0.5 * (c - logdet + m)),
            "the sign of the determinant term is wrong: it is −½ ln|Σ| (= +½ ln|Λ|)",
        ),
        _Mistake(
            piece(lambda c, logdet, m, p: -0.5 * (c + 2 * logdet + m)),
            "used ln|Σ| where ½ ln|Σ| belongs: the density has |Σ|^{1/2} in the denominator",
        ),
        _Mistake(
            piece(lambda c, logdet, m, p: -0.5 * (logdet + m)),
            "forgot the −(D/2) ln 2π term",
        ),
        _Mistake(
            piece(lambda c, logdet, m, p: -0.5 * (c / p.X.shape[1] + logdet + m)),
            "the constant is −(D/2) ln 2π: multiply ½ ln 2π by the dimension D",
        ),
        _Mistake(
            piece(lambda c, logdet, m, p: -0.5 * (c / p.X.shape[1] * p.X.shape[0] + logdet + m)),
            "the constant is −(D/2) ln 2π with D the dimension (X.shape[1]), not N, the "
            "number of points (X.shape[0])",
        ),
        _Mistake(
            piece(lambda c, logdet, m, p: -0.5 * (c + np.exp(logdet) + m)),
            "you used |Σ| where ln|Σ| belongs: take the logarithm of the determinant "
            "(np.linalg.slogdet(covariance)[1] does it without overflow)",
        ),
        _Mistake(
            lambda p: -reference(p),
            "the sign is wrong: ln N = −(D/2) ln 2π − ½ ln|Σ| − ½ (x−μ)ᵀ Λ (x−μ), every "
            "term with a minus",
        ),
        _Mistake(
            piece(lambda c, logdet, m, p: -0.5 * (c + logdet) - m),
            "forgot the ½ in front of the quadratic form: −½ (x−μ)ᵀ Λ (x−μ)",
        ),
        _Mistake(
            piece(lambda c, logdet, m, p: -0.5 * (c + logdet) + 0.5 * m),
            "the quadratic form enters with a minus: −½ (x−μ)ᵀ Λ (x−μ) (the density falls "
            "away from the mean)",
        ),
        _Mistake(
            piece(lambda c, logdet, m, p: -(c + logdet) - 0.5 * m),
            "the normaliser is −½ ln|2πΣ| = −(D/2) ln 2π − ½ ln|Σ|: you used −ln|2πΣ|, "
            "without the ½ (the density has |2πΣ|^{1/2} in the denominator)",
        ),
        _Mistake(
            lambda p: _log_density_one(p.X, p.means[0], _inv(p.covariances[0])),
            _LAMBDA_AS_COV,
        ),
        _Mistake(
            lambda p: _log_density_one(p.X, p.means[0], np.diag(np.diag(p.covariances[0]))),
            "you used only the diagonal of Σ (the variances): the full matrix goes into "
            "Λ = Σ⁻¹ and into ln|Σ|",
        ),
    )
    _check(
        "log_gaussian_density", student_fn, args, reference, "one value per point, (N,)", mistakes
    )


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


def check_responsibilities(student_fn: Callable) -> None:
    r"""Check ``responsibilities(X, weights, means, covariances) -> (N, K)``, the E-step (9.23).

    .. math::
        \gamma_{nk} = \frac{\pi_k\,\mathcal{N}(x_n\mid\mu_k,\Sigma_k)}
                           {\sum_j \pi_j\,\mathcal{N}(x_n\mid\mu_j,\Sigma_j)}
    """
    __tracebackhide__ = True  # IPython: show the student's cell, not ours

    def reference(p):
        return steps.responsibilities(p.X, p.params)

    def normalised(log_joint):
        return np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))

    mistakes = (
        _Mistake(
            lambda p: np.exp(_log_joint_using(p.X, p.weights, p.means, p.covariances)),
            "γ looks like the unnormalised π_k N(x_n|μ_k,Σ_k): divide each row by its sum "
            "over k (the denominator of 9.23) so that the rows sum to 1",
        ),
        _Mistake(
            lambda p: normalised(_log_density_table(p.X, p.means, p.covariances)),
            "forgot the mixing weights: multiply each density by π_k before normalising",
        ),
        _Mistake(
            lambda p: normalised(_log_joint_using(p.X, p.weights, p.means, _inv(p.covariances))),
            _LAMBDA_AS_COV,
        ),
        _Mistake(
            lambda p: normalised(
                _sigma_in_quadratic_table(p.X, p.means, p.covariances) + np.log(p.weights)
            ),
            _SIGMA_FOR_LAMBDA,
        ),
        _Mistake(
            lambda p: np.eye(len(p.weights))[reference(p).argmax(axis=1)],
            "your γ holds hard 0/1 assignments (argmax): the E-step gives soft "
            "responsibilities, the posterior probabilities (9.23) — normalise, do not pick "
            "the largest",
        ),
        _Mistake(
            lambda p: _shift_over_points(_log_joint_using(p.X, p.weights, p.means, p.covariances)),
            "you subtracted the maximum over the points (axis=0): subtract the maximum over k "
            "of each point (axis=1, keepdims=True) — a shift per point cancels when you "
            "normalise, one per component does not",
        ),
        _Mistake(
            lambda p: normalised(p.weights * _log_density_table(p.X, p.means, p.covariances)),
            "you multiplied ln N by π_k: in log space the weight is added, "
            "ln π_k + ln N(x_n|μ_k,Σ_k)",
        ),
        _Mistake(
            lambda p: normalised(
                _log_joint_using(p.X, p.weights, p.means, p.covariances) + np.log(p.weights)
            ),
            "π_k counts twice in your γ (ln π_k added twice, or π_k multiplied in twice): "
            "add ln π_k once",
        ),
        _Mistake(
            lambda p: (
                _log_joint_using(p.X, p.weights, p.means, p.covariances)
                / _log_joint_using(p.X, p.weights, p.means, p.covariances).sum(
                    axis=1, keepdims=True
                )
            ),
            "you divided the logarithms by their row sum: normalise the probabilities, not "
            "their logs — subtract logsumexp over k (axis=1, keepdims=True), then np.exp",
        ),
        _Mistake(
            lambda p: np.log(reference(p)),
            "you returned ln γ — return γ itself (np.exp of the log-responsibilities)",
        ),
        _Mistake(
            lambda p: reference(p).T,
            "your γ is transposed: it must have one row per point and one column per "
            "component, shape (N, K)",
        ),
        _Mistake(
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
    _check(
        "responsibilities",
        student_fn,
        _theta_args,
        reference,
        "one row per point, one column per component, (N, K)",
        mistakes,
        hints=_gamma_hints,
        component_axis=1,
        dependency=("log_gaussian_density", 1, check_log_gaussian_density),
        far_hint=(
            "correct on ordinary data, but wrong (nan?) when a point is far from every "
            "component: there π_k N(x|μ_k,Σ_k) underflows to 0 for every k and you divide "
            "0 by 0. Work in log space: compute ln π_k + ln N, then subtract "
            "scipy.special.logsumexp over k (axis=1, keepdims=True) before np.exp"
        ),
    )


check_e_step = check_responsibilities


def _shift_over_points(log_joint):
    shifted = np.exp(log_joint - log_joint.max(axis=0))
    return shifted / shifted.sum(axis=1, keepdims=True)


def check_effective_counts(student_fn: Callable) -> None:
    r"""Check ``effective_counts(resp) -> (K,)``: :math:`N_k = \sum_n \gamma_{nk}` (9.27)."""
    __tracebackhide__ = True  # IPython: show the student's cell, not ours
    mistakes = (
        _Mistake(
            lambda p: p.resp.sum(axis=1),
            "you summed over k (along each row): N_k sums γ_nk over the points n, axis=0",
        ),
        _Mistake(
            lambda p: p.resp.mean(axis=0),
            "you divided by N: that is π_k, not N_k — N_k is the plain sum over n",
        ),
        _Mistake(
            lambda p: p.resp.sum(),
            "you summed every entry of γ (that gives N): sum over the points only, axis=0",
        ),
        _Mistake(
            lambda p: np.bincount(p.resp.argmax(axis=1), minlength=p.resp.shape[1]),
            "you counted the points whose γ_nk is largest (hard assignments): N_k sums the "
            "soft responsibilities, Σ_n γ_nk",
        ),
        _Mistake(
            lambda p: (p.resp > 0).sum(axis=0),
            "you counted the points with γ_nk > 0: N_k sums the soft responsibilities "
            "themselves, Σ_n γ_nk",
        ),
    )
    _check(
        "effective_counts",
        student_fn,
        lambda p: (p.resp,),
        lambda p: p.nk,
        "one count per component, (K,)",
        mistakes,
        component_axis=0,
    )


def check_mixing_weights(student_fn: Callable) -> None:
    r"""Check ``mixing_weights(nk, n_samples) -> (K,)``: :math:`\pi_k = N_k / N` (9.26)."""
    __tracebackhide__ = True  # IPython: show the student's cell, not ours
    mistakes = (
        _Mistake(lambda p: p.nk, "forgot to divide by N: π_k = N_k / N"),
        _Mistake(
            lambda p: p.nk / len(p.nk),
            "divided by K (the number of components) instead of N (the number of points)",
        ),
        _Mistake(
            lambda p: np.full(len(p.nk), 1.0 / len(p.nk)),
            "every π_k is 1/K: that is the usual initialisation, not the update — use N_k / N",
        ),
        _Mistake(
            lambda p: p.X.shape[0] / p.nk,
            "upside down: π_k = N_k / N, not N / N_k",
        ),
    )
    _check(
        "mixing_weights",
        student_fn,
        lambda p: (p.nk, p.X.shape[0]),
        lambda p: steps.mixing_weights(p.nk),
        "one weight per component, (K,)",
        mistakes,
        component_axis=0,
        hints=lambda got, exp, p: (
            f"mixing_weights: the weights must sum to 1 but yours sum to {got.sum():.6g}"
            if abs(got.sum() - 1.0) > 1e-3
            else None
        ),
    )


def check_component_means(student_fn: Callable) -> None:
    r"""Check ``component_means(X, resp, nk) -> (K, D)`` (9.24).

    .. math:: \mu_k = \frac1{N_k}\sum_n\gamma_{nk}x_n
    """
    __tracebackhide__ = True  # IPython: show the student's cell, not ours
    mistakes = (
        _Mistake(
            lambda p: p.resp.T @ p.X,
            "forgot to divide by N_k: μ_k = (1/N_k) Σ_n γ_nk x_n",
        ),
        _Mistake(
            lambda p: p.resp.T @ p.X / p.X.shape[0],
            "divided by N instead of N_k: each component's weighted sum is divided by its own "
            "effective count N_k",
        ),
        _Mistake(
            lambda p: np.broadcast_to(p.X.mean(axis=0), p.means.shape),
            "every μ_k equals the plain mean of X: weight each point by γ_nk",
        ),
        _Mistake(
            lambda p: (p.resp.T @ p.X / p.nk[:, None]).T,
            "your means are transposed: one row per component, shape (K, D)",
        ),
        _Mistake(
            lambda p: p.X.sum(axis=0) / p.nk[:, None],
            "you summed x_n without the weights γ_nk: μ_k = (1/N_k) Σ_n γ_nk x_n",
        ),
        _Mistake(
            lambda p: p.resp.T @ p.X / p.nk[:, None] ** 2,
            "divided by N_k twice: μ_k = (1/N_k) Σ_n γ_nk x_n",
        ),
    )
    _check(
        "component_means",
        student_fn,
        lambda p: (p.X, p.resp, p.nk),
        lambda p: steps.component_means(p.X, p.resp, p.nk),
        "one mean vector per component, (K, D)",
        mistakes,
        component_axis=0,
    )


def check_component_covariances(student_fn: Callable) -> None:
    r"""Check ``component_covariances(X, resp, nk, means) -> (K, D, D)``: Σ_k = Λ_k⁻¹ (9.25).

    .. math::
        \Sigma_k = \frac1{N_k}\sum_n\gamma_{nk}x_nx_n^\top - \mu_k\mu_k^\top
                 = \frac1{N_k}\sum_n\gamma_{nk}(x_n-\mu_k)(x_n-\mu_k)^\top
    """
    __tracebackhide__ = True  # IPython: show the student's cell, not ours

    def means(p):
        return steps.component_means(p.X, p.resp, p.nk)

    def reference(p):
        return steps.component_covariances(p.X, p.resp, p.nk, means(p), "full", reg_covar=0.0)

    def second_moment(p):
        return np.einsum("nk,ni,nj->kij", p.resp, p.X, p.X)

    def outer(p):
        return np.einsum("ki,kj->kij", means(p), means(p))

    def centred_on(p, centres, resp):
        return np.stack(
            [(resp[:, k, None] * (p.X - c)).T @ (p.X - c) for k, c in enumerate(centres)]
        )

    mistakes = (
        _Mistake(
            lambda p: second_moment(p) / p.nk[:, None, None],
            "forgot to subtract μ_k μ_kᵀ: (1/N_k) Σ_n γ_nk x_n x_nᵀ is the second moment about "
            "the origin, not the covariance",
        ),
        _Mistake(
            lambda p: _inv(reference(p)),
            "you returned Λ_k (the precision, Σ_k⁻¹) — the update gives Σ_k = Λ_k⁻¹ itself: "
            "do not invert",
        ),
        _Mistake(
            lambda p: reference(p) * p.nk[:, None, None],
            "forgot to divide by N_k",
        ),
        _Mistake(
            lambda p: reference(p) * p.nk[:, None, None] / p.X.shape[0],
            "divided by N instead of N_k",
        ),
        _Mistake(
            lambda p: (
                second_moment(p) / p.nk[:, None, None]
                - np.einsum("ki,kj->kij", means(p), means(p)) * p.nk[:, None, None]
            ),
            "subtracted N_k μ_k μ_kᵀ after dividing by N_k: subtract just μ_k μ_kᵀ",
        ),
        _Mistake(
            lambda p: np.stack([np.cov(p.X.T, bias=True).reshape(p.X.shape[1], -1)] * len(p.nk)),
            "every Σ_k is the plain covariance of X: weight each point by γ_nk",
        ),
        _Mistake(
            lambda p: (
                np.einsum("ki,kj->kij", means(p), means(p)) - second_moment(p) / p.nk[:, None, None]
            ),
            "the sign is reversed: Σ_k = (1/N_k) Σ_n γ_nk x_n x_nᵀ − μ_k μ_kᵀ, not the other "
            "way round",
        ),
        _Mistake(
            lambda p: second_moment(p) / p.X.shape[0] - outer(p),
            "divided Σ_n γ_nk x_n x_nᵀ by N instead of N_k",
        ),
        _Mistake(
            lambda p: second_moment(p) - outer(p),
            "forgot to divide Σ_n γ_nk x_n x_nᵀ by N_k before subtracting μ_k μ_kᵀ",
        ),
        _Mistake(
            lambda p: centred_on(p, means(p), np.ones_like(p.resp)) / p.nk[:, None, None],
            "every point counts fully in every Σ_k: weight each term by γ_nk, "
            "Σ_n γ_nk (x_n−μ_k)(x_n−μ_k)ᵀ",
        ),
        _Mistake(
            lambda p: centred_on(p, [p.X.mean(axis=0)] * len(p.nk), p.resp) / p.nk[:, None, None],
            "you centred on the mean of all the data: centre each component on its own mean "
            "μ_k (the `means` argument)",
        ),
        _Mistake(
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
        _Mistake(
            lambda p: reference(p) * np.eye(p.X.shape[1]),
            "you kept only the diagonal of Σ_k: the update is the full D×D matrix",
        ),
        _Mistake(
            lambda p: reference(p) / p.nk[:, None, None],
            "divided by N_k twice: Σ_k = (1/N_k) Σ_n γ_nk (x_n−μ_k)(x_n−μ_k)ᵀ",
        ),
        _Mistake(
            lambda p: centred_on(p, means(p), p.resp**2) / p.nk[:, None, None],
            "you weighted both factors by γ_nk, which gives γ_nk²: weight the outer product "
            "once, (resp[:, k, None] * diff).T @ diff",
        ),
    )

    def hints(got, expected, p):
        if got.ndim == 3 and not np.allclose(got, got.transpose(0, 2, 1)):
            return (
                "component_covariances: your Σ_k are not symmetric — use the outer product "
                "(x−μ)(x−μ)ᵀ, shape (D, D), e.g. diff.T @ (resp[:, k, None] * diff)"
            )
        return None

    _check(
        "component_covariances",
        student_fn,
        lambda p: (p.X, p.resp, p.nk, means(p)),
        reference,
        "one D×D matrix per component, (K, D, D)",
        mistakes,
        hints=hints,
        component_axis=0,
    )


def check_log_likelihood(student_fn: Callable) -> None:
    r"""Check ``log_likelihood(X, weights, means, covariances) -> float`` (9.28).

    .. math:: \ln p(X\mid\theta) = \sum_n \ln \sum_k \pi_k\,\mathcal{N}(x_n\mid\mu_k,\Sigma_k)
    """
    __tracebackhide__ = True  # IPython: show the student's cell, not ours

    def reference(p):
        return steps.log_likelihood(p.X, p.params)

    def joint(p):
        return _log_joint_using(p.X, p.weights, p.means, p.covariances)

    mistakes = (
        _Mistake(
            lambda p: logsumexp(joint(p), axis=1),
            "you returned one log-likelihood per point, shape (N,): add them up over n "
            "(the log-likelihood of the data set is the sum)",
        ),
        _Mistake(
            lambda p: logsumexp(joint(p), axis=1).mean(),
            "you returned the mean over points (that is scikit-learn's score): the "
            "log-likelihood is the SUM over n",
        ),
        _Mistake(
            lambda p: joint(p).sum(),
            "used the sum of logs Σ_n Σ_k ln(π_k N) — the log comes OUTSIDE the sum over k: "
            "Σ_n ln Σ_k π_k N(x_n|μ_k,Σ_k)",
        ),
        _Mistake(
            lambda p: logsumexp(joint(p)),
            "took the log of one big sum over n and k: the log-likelihood is Σ_n ln(Σ_k …), "
            "a log for every point",
        ),
        _Mistake(
            lambda p: logsumexp(_log_density_table(p.X, p.means, p.covariances), axis=1).sum(),
            "forgot the mixing weights π_k inside the sum over k",
        ),
        _Mistake(
            lambda p: logsumexp(
                _log_density_table(p.X, p.means, p.covariances) - np.log(len(p.weights)), axis=1
            ).sum(),
            "you used equal weights 1/K: the mixing weights π_k (the `weights` argument) "
            "belong inside the sum over k",
        ),
        _Mistake(
            lambda p: joint(p).max(axis=1).sum(),
            "you took the largest term over k (a hard assignment): the log-likelihood sums "
            "over k inside the log — logsumexp over k (axis=1)",
        ),
        _Mistake(
            lambda p: logsumexp(
                _log_joint_using(p.X, p.weights, p.means, _inv(p.covariances)), axis=1
            ).sum(),
            _LAMBDA_AS_COV,
        ),
        _Mistake(
            lambda p: logsumexp(
                _sigma_in_quadratic_table(p.X, p.means, p.covariances) + np.log(p.weights),
                axis=1,
            ).sum(),
            _SIGMA_FOR_LAMBDA,
        ),
        _Mistake(
            lambda p: logsumexp(joint(p), axis=0).sum(),
            "you took the log-sum-exp over the points n (axis=0): it belongs over the "
            "components — logsumexp over k (axis=1), then the sum over n",
        ),
        _Mistake(
            lambda p: p.weights @ _log_density_table(p.X, p.means, p.covariances).sum(axis=0),
            "you weighted the log-densities by π_k: π_k goes inside the logarithm, "
            "Σ_n ln Σ_k π_k N(x_n|μ_k,Σ_k)",
        ),
        _Mistake(
            lambda p: -reference(p),
            "the sign is wrong: the log-likelihood is Σ_n ln Σ_k π_k N(x_n|μ_k,Σ_k), not its "
            "negative (that is what an optimiser would minimise)",
        ),
        _Mistake(
            lambda p: (steps.responsibilities(p.X, p.params) * joint(p)).sum(),
            "you computed the expected complete-data log-likelihood Σ_n Σ_k γ_nk (ln π_k + ln N) "
            "(9.40), which the M-step maximises — ln p(X|θ) is Σ_n ln Σ_k π_k N(x_n|μ_k,Σ_k)",
        ),
    )
    _check(
        "log_likelihood",
        student_fn,
        _theta_args,
        reference,
        "one number for the whole data set",
        mistakes,
        dependency=("log_gaussian_density", 1, check_log_gaussian_density),
        far_hint=(
            "correct on ordinary data, but -inf or nan when a point is far from every "
            "component: Σ_k π_k N(x|μ_k,Σ_k) underflows to 0 and ln 0 = -inf. Use "
            "scipy.special.logsumexp over k of ln π_k + ln N instead of np.log(np.sum(…))"
        ),
    )
