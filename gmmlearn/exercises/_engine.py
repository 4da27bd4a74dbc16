r"""The one engine behind the exercise checkers of lessons 3, 6 and 7.

An exercise is described as data, an :class:`Exercise`: its name, the reference that computes
the right answer, the cases an answer is tried on, the catalogue of named mistakes, the
diagnoses tried when no mistake is named, and a last harder case. :func:`_check` runs a
student's function through one:

1. if the function calls an earlier exercise's function, that exercise is checked first;
2. on every case, the function is called on copies of the arguments — under a time limit
   (:data:`TIME_LIMIT`, "an endless loop?") and refusing calls to the library's own answer
   (:attr:`Exercise.forbidden`) — and its answer compared with the reference (rtol 1e-6); a
   wrong answer is named by the first mistaken formula of the catalogue that gives the same
   answer, else by the first diagnosis that has something to say (wrong shape, nan, …), else by
   the largest difference;
3. the harder case (a point far from every component, a q with exact zeros) has its own hint;
4. "✔ name: correct on 5 random problems" is printed.

A failure raises :class:`ExerciseError`, which a notebook shows as one line (plus the student's
own frames when their code raised), never a traceback into gmmlearn.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..params import GaussianMixtureParams

_RTOL = 1e-6
_ATOL = 1e-8
_N_CASES = 5
# A right answer takes milliseconds on these problems: more than this is an endless loop, and
# it stops well inside nbgrader's 30 s cell timeout (exercises 2 and 7 also re-run exercise 1).
TIME_LIMIT = 5.0


# gmmlearn/, not gmmlearn/exercises/: a frame in gmmlearn.steps is not the student's either
_HERE = str(Path(__file__).resolve().parent.parent)


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


# ---------------------------------------------------------------------------
# The comparison engine
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Mistake:
    """A known wrong formula and what to tell a student whose answer matches it.

    ``formula`` takes what the reference takes (the case's ``data``).
    """

    formula: Callable[[Any], np.ndarray]
    message: str


_Mistake = Mistake  # its name when exercises.py was one module (lesson 6 imported it)


@dataclass(frozen=True)
class Case:
    """One problem an answer is tried on.

    ``args`` are passed to the student's function (as copies); ``data`` is what the reference
    and the mistaken formulas read (a :class:`Problem`, or the arguments by name); ``text``
    names the problem in a message ("N=7, D=2, K=3") and ``shapes`` gives its arrays' shapes
    when the student's function raises.
    """

    args: tuple
    data: Any
    text: str
    shapes: str


@dataclass(frozen=True)
class Edge:
    """A last, harder case: tried once every ordinary case passes, with its own hint.

    ``said`` is added to the "correct" line, e.g. " (and a q with exact zeros)".
    """

    case: Callable[[], Case]
    hint: str
    said: str


# What to say about a wrong answer (name, got, expected, case), or None to let the next one say it.
Diagnosis = Callable[[str, np.ndarray, np.ndarray, Case], str | None]


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


class _OutOfTime(BaseException):
    """Raised into the student's function at its time limit (not an Exception: an
    ``except Exception`` in their loop must not swallow it)."""


class _LibraryCall(BaseException):
    """Raised into the student's function when it calls the library's answer to the exercise."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Interrupt the body after ``seconds`` with :class:`_OutOfTime` (SIGALRM: POSIX, main thread).

    Elsewhere (Windows, a worker thread) the body runs without a limit.
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def alarm(signum, frame):
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _library_codes(dotted_names: tuple[str, ...]) -> dict:
    """The code objects of gmmlearn functions named ``module.function`` → their dotted names."""
    codes = {}
    for dotted in dotted_names:
        module, _, function = dotted.rpartition(".")
        code = getattr(getattr(importlib.import_module(module), function), "__code__", None)
        if code is not None:
            codes[code] = dotted
    return codes


@contextlib.contextmanager
def _refusing(codes: dict):
    """Raise :class:`_LibraryCall` when the body calls one of ``codes``, however it was imported.

    A profile hook sees the call itself, so an alias (``from gmmlearn.steps import e_step as f``)
    or a bound method is caught as well as ``gmmlearn.steps.e_step``.
    """
    if not codes:
        yield
        return
    previous = sys.getprofile()

    def watch(frame, event, arg):
        if event == "call" and frame.f_code in codes:
            raise _LibraryCall(codes[frame.f_code])

    sys.setprofile(watch)
    try:
        yield
    finally:
        sys.setprofile(previous)


def _size_text(case: Case) -> str:
    """ "a 7-point problem" for a data problem, else the case's own words."""
    X = getattr(case.data, "X", None)
    return f"a {len(X)}-point problem" if X is not None else f"a problem with {case.text}"


def _run_student(student_fn: Callable, name: str, case: Case, copies: tuple, forbidden: dict):
    """``student_fn(*copies)`` under the time limit, refusing calls to ``forbidden``."""
    __tracebackhide__ = True  # IPython: show the student's cell, not ours
    try:
        with _time_limit(TIME_LIMIT), _refusing(forbidden):
            return student_fn(*copies)
    except _OutOfTime:
        raise ExerciseError(
            f"{name}: your function did not return within {TIME_LIMIT:g} s on "
            f"{_size_text(case)} — an endless loop? Check that every loop ends (a `while` whose "
            "condition never changes, or an index that never moves)"
        ) from None
    except _LibraryCall as call:
        raise ExerciseError(
            f"{name}: your function calls gmmlearn's own {call}, the very answer this check "
            f"compares with, so it would prove nothing: write `{name}` yourself with numpy "
            "(and scipy where the exercise says)"
        ) from None


def _call(
    student_fn: Callable,
    name: str,
    case: Case,
    untouched: bool = True,
    forbidden: dict | None = None,
):
    """The student's function's answer on ``case`` (called on copies of its arguments).

    Raises the :class:`ExerciseError` that says what went wrong: not a function, not written
    yet, raised an exception, did not return in time, called one of ``forbidden`` (the
    library's own answer), or (``untouched``) changed an argument in place.
    """
    __tracebackhide__ = True  # IPython: show the student's cell, not ours
    if not callable(student_fn):
        raise ExerciseError(
            f"{name}: pass the function itself, check_…({name}), not the result of calling it"
        )
    # copies: a function that changes its inputs in place must not change the problem
    args = case.args
    copies = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    try:
        result = _run_student(student_fn, name, case, copies, forbidden or {})
    except ExerciseError:  # out of time, or the library's answer called: already said
        raise
    except NotImplementedError:
        raise ExerciseError(
            f"{name}: not implemented yet — write the body of `{name}` (replace the "
            "`raise NotImplementedError`) and run both cells again"
        ) from None
    except Exception as exc:  # a student's bug: report it briefly, keep the original for context
        raise ExerciseError(
            f"{name}: your function raised {type(exc).__name__}: {exc} (on a problem with "
            f"{case.text}; shapes: {case.shapes})"
        ) from exc
    names = _parameter_names(student_fn, len(args)) if untouched else []
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
    """Wrong shape: the two shapes and ``what`` the answer holds; a transposed one said so."""
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


def _value_message(name: str, got: np.ndarray, expected: np.ndarray, case: Case) -> str:
    """Where the answer differs most: the entry, both values, the relative difference."""
    error = np.abs(got - expected)
    where = np.unravel_index(int(np.nanargmax(np.where(np.isnan(error), np.inf, error))), got.shape)
    at = f"[{', '.join(map(str, where))}]" if got.ndim else ""
    shown_expected, shown_got = _digits(float(got[where]), float(expected[where]))
    scale = max(float(np.max(np.abs(expected))), _ATOL)
    relative = float(np.max(error)) / scale
    message = (
        f"{name}: wrong values on a problem with {case.text}: at {at or 'the result'} "
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


def _name_the_mistake(name: str, got: np.ndarray, data, mistakes) -> None:
    """Raise the message of the first classic mistake whose formula gives ``got``, if any."""
    __tracebackhide__ = True
    for mistake in mistakes:
        with np.errstate(all="ignore"):
            wrong = np.asarray(mistake.formula(data), dtype=np.float64)
        if _close(got, wrong):
            raise ExerciseError(f"{name}: {mistake.message}")


@dataclass(frozen=True)
class Exercise:
    """An exercise described as data: what :func:`_check` needs to give feedback on an answer.

    Attributes
    ----------
    name : str
        The student's function's name, the first word of every message.
    reference : callable
        ``reference(case.data)``: the right answer, from the library's maths.
    cases : callable
        ``cases()``: the list of :class:`Case` an answer is tried on.
    mistakes : tuple of Mistake
        The catalogue of named mistakes, tried in order.
    diagnoses : tuple of callables
        ``diagnosis(name, got, expected, case) -> str or None``, tried in order when no
        mistake is named (wrong shape, nan, …).
    value_message : callable
        ``value_message(name, got, expected, case) -> str``: the last word, the difference.
    edge : Edge or None
        A last, harder case.
    depends_on : (str, int, callable) or None
        ``(function name, exercise number, its check)`` of an earlier exercise that the
        student's function may call: that check runs first.
    strict : bool
        The answer feeds the next exercise: it must be a float64 array (not None, a list, or
        float32) and leave its arguments unchanged. Lesson 7's checks are not strict.
    forbidden : tuple of str
        The library's own implementations of the exercise (``"gmmlearn.steps.e_step"``): an
        answer that calls one is refused, saying why.
    """

    name: str
    reference: Callable[[Any], Any]
    cases: Callable[[], list[Case]]
    mistakes: tuple[Mistake, ...] = ()
    diagnoses: tuple[Diagnosis, ...] = ()
    value_message: Callable[[str, np.ndarray, np.ndarray, Case], str] = _value_message
    edge: Edge | None = None
    depends_on: tuple[str, int, Callable] | None = None
    strict: bool = True
    forbidden: tuple[str, ...] = ()


_PROBLEM_ARRAYS = ("X", "weights", "means", "covariances", "resp")


def problem_case(problem: Problem, args: Callable[[Problem], tuple]) -> Case:
    """The case of a :class:`Problem`: ``args(problem)`` passed, the problem read."""
    shapes = ", ".join(f"{name} {getattr(problem, name).shape}" for name in _PROBLEM_ARRAYS)
    return Case(args(problem), problem, problem.shape_text, shapes)


def problem_cases(args: Callable[[Problem], tuple]) -> Callable[[], list[Case]]:
    """``cases()`` of the five seeded random problems of lessons 3 and 6."""
    return lambda: [problem_case(problem, args) for problem in _problems()]


def _plain_array(value, name: str) -> np.ndarray:
    __tracebackhide__ = True  # IPython: show the student's cell, not ours
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ExerciseError(
            f"{name}: returned {type(value).__name__}, expected a numpy array of numbers"
        ) from None


def _answer(exercise: Exercise, student_fn: Callable, case: Case) -> np.ndarray:
    """The student's answer on ``case`` as a float64 array (see :attr:`Exercise.strict`)."""
    __tracebackhide__ = True  # IPython: show the student's cell, not ours
    forbidden = _library_codes(exercise.forbidden)
    result = _call(student_fn, exercise.name, case, untouched=exercise.strict, forbidden=forbidden)
    if exercise.strict:
        return _as_array(result, exercise.name)
    return _plain_array(result, exercise.name)


def wrong_shape(what: str) -> Diagnosis:
    """The diagnosis of a wrong shape; ``what`` says what the answer holds, e.g. "(N, K)"."""
    return lambda name, got, expected, case: (
        _shape_message(name, got, expected, what) if got.shape != expected.shape else None
    )


def not_finite(name: str, got: np.ndarray, expected: np.ndarray, case: Case) -> str | None:
    """The diagnosis of nan or inf in an answer whose right value is finite."""
    if np.all(np.isfinite(got)):
        return None
    return (
        f"{name}: your answer contains nan or inf on a problem with {case.text}; the correct "
        "answer is finite"
    )


def generic_hints(component_axis: int | None) -> Diagnosis:
    """The diagnosis of the slips every exercise sees (see :func:`_generic_hint`)."""
    return lambda name, got, expected, case: _generic_hint(name, got, expected, component_axis)


def _check(exercise: Exercise, student_fn: Callable) -> None:
    """Check the student's function ``student_fn`` against ``exercise``; print one line if right.

    Raises
    ------
    ExerciseError
        The first thing found wrong, in words: see :class:`Exercise` for the order.
    """
    __tracebackhide__ = True  # IPython: show the student's cell, not ours
    name = exercise.name
    if exercise.depends_on is not None:
        _check_dependency(name, student_fn, exercise.depends_on)
    cases = exercise.cases()
    for case in cases:
        got = _answer(exercise, student_fn, case)
        expected = np.asarray(exercise.reference(case.data), dtype=np.float64)
        if _close(got, expected):
            continue
        _name_the_mistake(name, got, case.data, exercise.mistakes)
        for diagnosis in exercise.diagnoses:
            message = diagnosis(name, got, expected, case)
            if message is not None:
                raise ExerciseError(message)
        raise ExerciseError(exercise.value_message(name, got, expected, case))
    edge = exercise.edge
    if edge is not None:
        case = edge.case()
        with np.errstate(all="ignore"):
            got = _answer(exercise, student_fn, case)
        if not _close(got, np.asarray(exercise.reference(case.data), dtype=np.float64)):
            raise ExerciseError(f"{name}: {edge.hint}")
    said = edge.said if edge is not None else ""
    print(f"✔ {name}: correct on {len(cases)} random problems{said}.")
