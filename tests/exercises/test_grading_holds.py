"""Grading that cannot be gamed or hang: time limits, the library's answer refused, fresh checkers.

Each test fails without its safeguard: an endless loop hangs the check (no time limit), an
answer calling gmmlearn's own function passes (no refusal), a redefined checker passes (a check
cell that does not import afresh).
"""

from __future__ import annotations

import contextlib
import io
import time

import numpy as np
import pytest

import gmmlearn
from gmmlearn import exercises
from gmmlearn.exercises import ExerciseError, _engine
from gmmlearn.params import GaussianMixtureParams
from gmmlearn.steps import e_step as library_e_step  # an alias: refused all the same
from gmmlearn.vb import steps as vb_steps


@pytest.fixture
def short_limit(monkeypatch):
    monkeypatch.setattr(_engine, "TIME_LIMIT", 0.3)


def _endless(*args):
    while True:
        pass


def _endless_swallowing(*args):
    while True:  # a student's `except Exception` must not swallow the time limit
        try:
            time.sleep(0.01)
        except Exception:
            pass


@pytest.mark.parametrize("student_fn", [_endless, _endless_swallowing])
@pytest.mark.parametrize("check", [exercises.check_effective_counts, exercises.check_lower_bound])
def test_an_endless_loop_is_stopped_and_named(short_limit, check, student_fn):
    started = time.perf_counter()
    with pytest.raises(
        ExerciseError, match="did not return within 0.3 s on a 7-point problem — an endless loop"
    ):
        check(student_fn)
    assert time.perf_counter() - started < 3


def test_an_endless_loop_in_lesson_7_names_its_problem(short_limit):
    with pytest.raises(
        ExerciseError, match=r"within 0.3 s on a problem with K=\d+, .* — an endless loop"
    ):
        exercises.check_expected_log_pi(_endless)


def test_the_time_limit_leaves_no_alarm_behind(short_limit):
    import signal

    with contextlib.suppress(ExerciseError):
        exercises.check_effective_counts(_endless)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)


def _theta(w, m, c):
    return GaussianMixtureParams(w, m, c)


LIBRARY_ANSWERS = {
    "log_gaussian_density": (
        exercises.check_log_gaussian_density,
        lambda X, mean, cov: gmmlearn.steps.log_gaussian_density(
            X, GaussianMixtureParams(np.ones(1), mean[None], cov[None])
        )[:, 0],
        "gmmlearn.steps.log_gaussian_density",
    ),
    "responsibilities": (
        exercises.check_responsibilities,
        lambda X, w, m, c: library_e_step(X, _theta(w, m, c))[1],
        "gmmlearn.steps.e_step",
    ),
    "effective_counts": (
        exercises.check_effective_counts,
        lambda resp: gmmlearn.steps.effective_counts(resp),
        "gmmlearn.steps.effective_counts",
    ),
    "mixing_weights": (
        exercises.check_mixing_weights,
        lambda nk, n: gmmlearn.steps.mixing_weights(nk),
        "gmmlearn.steps.mixing_weights",
    ),
    "component_means": (
        exercises.check_component_means,
        lambda X, resp, nk: gmmlearn.steps.component_means(X, resp, nk),
        "gmmlearn.steps.component_means",
    ),
    "log_likelihood": (
        exercises.check_log_likelihood,
        lambda X, w, m, c: gmmlearn.steps.log_likelihood(X, _theta(w, m, c)),
        "gmmlearn.steps.log_likelihood",
    ),
    "lower_bound": (
        exercises.check_lower_bound,
        lambda X, q, w, m, c: gmmlearn.bound.lower_bound(X, q, _theta(w, m, c)),
        "gmmlearn.bound.lower_bound",
    ),
    "kl_to_posterior": (
        exercises.check_kl_to_posterior,
        lambda X, q, w, m, c: gmmlearn.bound.kl_to_posterior(X, q, _theta(w, m, c)),
        "gmmlearn.bound.kl_to_posterior",
    ),
    "expected_log_pi": (
        exercises.check_expected_log_pi,
        lambda alpha: vb_steps.expected_log_pi(alpha),
        "gmmlearn.vb.steps.expected_log_pi",
    ),
    "W_inverse": (
        exercises.check_W_inverse,
        lambda nk, xbar, S, beta0, m0, W0_inverse: vb_steps.update_W_inverse(
            nk, xbar, S, beta0, m0, beta0 + nk, W0_inverse
        ),
        "gmmlearn.vb.steps.update_W_inverse",
    ),
}


@pytest.mark.parametrize("name", sorted(LIBRARY_ANSWERS))
def test_an_answer_calling_the_library_is_refused_with_why(name):
    check, answer, library = LIBRARY_ANSWERS[name]
    with pytest.raises(ExerciseError) as error:
        check(answer)
    assert str(error.value) == (
        f"{name}: your function calls gmmlearn's own {library}, the very answer this check "
        f"compares with, so it would prove nothing: write `{name}` yourself with numpy (and "
        "scipy where the exercise says)"
    )


def test_the_library_s_own_functions_still_work_after_a_refusal():
    import sys

    with contextlib.suppress(ExerciseError):
        exercises.check_effective_counts(lambda resp: gmmlearn.steps.effective_counts(resp))
    assert sys.getprofile() is None
    with contextlib.redirect_stdout(io.StringIO()) as out:
        exercises.check_effective_counts(lambda resp: resp.sum(axis=0))
    assert "✔ effective_counts" in out.getvalue()


def test_a_check_cell_imports_its_checker_afresh():
    """An answer cell that redefines the checker changes nothing: the check cell re-imports it."""
    namespace: dict = {}
    answer_cell = (
        "def check_effective_counts(fn):\n    print('✔ effective_counts: correct')\n\n"
        "def effective_counts(resp):\n    return resp\n"
    )
    check_cell = (
        "from gmmlearn.exercises import check_effective_counts  # noqa: F811 (imported afresh)\n\n"
        "check_effective_counts(effective_counts)"
    )
    exec(answer_cell, namespace)
    with pytest.raises(ExerciseError, match="effective_counts: wrong shape"):
        exec(check_cell, namespace)
