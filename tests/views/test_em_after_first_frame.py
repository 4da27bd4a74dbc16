"""A long EM run follows the explorer's first frame (issue 23: run-all → on screen).

In a kernel, ``explore()`` with N × max_iter above ``FIRST_FRAME_FIRST`` shows θ₀ over the
grey points at once and runs EM from that θ₀ in a thread; the run lands on the kernel's loop,
or before the next cell (``pre_run_cell``), or as soon as ``trace`` or a method needs it. It is
the same run as the one computed at once. A short run, or any run outside a kernel, is
computed at once as before.
"""

import numpy as np
import pytest
from IPython.core.events import EventManager, available_events
from kernel_like import until

from gmmlearn.trace import run_trace
from gmmlearn.widgets import em, explore

N, MAX_ITER = 2_100, 1_000  # N × max_iter just above FIRST_FRAME_FIRST
CHOICES = {"n_components": 3, "init": "bounding-box", "random_state": 0}


@pytest.fixture
def X():
    rng = np.random.default_rng(5)
    centres = np.array([[0.0, 0.0, 0.0], [4.0, 0.0, 1.0], [0.0, 4.0, -1.0]])
    return np.vstack([rng.normal(c, 0.8, size=(N // 3, 3)) for c in centres])


def assert_same_run(a, b):
    assert a.n_iter == b.n_iter
    for p, q in zip(a.params, b.params, strict=True):
        np.testing.assert_allclose(p.means, q.means, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(p.covariances, q.covariances, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(p.weights, q.weights, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(a.log_likelihoods, b.log_likelihoods, rtol=1e-12)


def test_threshold_is_just_below_these_runs():
    assert N * MAX_ITER > em.FIRST_FRAME_FIRST >= N * 100  # a lesson's run is not deferred


def test_theta0_first_then_the_same_run_lands_on_the_loop(in_a_kernel, X):
    async def check():
        ex = explore(X, **CHOICES, max_iter=MAX_ITER, tol=1e-6)
        ex._update_texts()  # the texts follow the first frame by 0.15 s: now, for the test
        first = {
            "pending": ex._pending_run is not None,
            "slider_max": ex.step_slider.max,
            "frames": ex.view.n_frames(),
            "message": ex.message_text,
            "message_is_error": ex.message_is_error,
            "criteria": ex.criteria_html.value,
            "title": ex.view.meta.get("running"),
        }
        await until(lambda: ex._pending_run is None)
        return ex, first

    ex, first = in_a_kernel(check)
    assert first["pending"] and first["slider_max"] == 0 and first["frames"] == 1
    assert first["message"].startswith(f"EM is running on {N:,} points (up to {MAX_ITER} ")
    assert not first["message_is_error"]  # a note, in black
    assert "BIC =" not in first["criteria"] and "follow when EM ends" in first["criteria"]
    expected = run_trace(X, **CHOICES, max_iter=MAX_ITER, tol=1e-6)
    assert_same_run(ex._trace, expected)
    assert ex.step_slider.max == ex.play.max == 2 * expected.n_iter
    assert ex.view.n_frames() == 2 * expected.n_iter + 1
    assert "BIC =" in ex.criteria_html.value
    # the picture's title says so while θ₀ alone is there, and no more once the run is
    assert first["title"] == "EM is running: its steps follow"
    assert "running" not in ex.view.meta
    assert not ex.message_text.startswith("EM is running")


def test_trace_and_methods_wait_for_the_run(in_a_kernel, X):
    async def check():
        ex = explore(X, **CHOICES, max_iter=MAX_ITER, tol=1e-6)
        assert ex._pending_run is not None
        n_iter = ex.trace.n_iter  # waits: the run has landed when trace returns
        assert ex._pending_run is None and ex.step_slider.max == 2 * n_iter
        ex2 = explore(X, **CHOICES, max_iter=MAX_ITER, tol=1e-6)
        ex2.show(3)  # a step of the whole run, not refused as beyond θ₀
        return ex, ex2

    ex, ex2 = in_a_kernel(check)
    assert ex2.step_slider.value == 3 and ex2.view.state.index == 3


def test_the_run_lands_before_the_next_cell(in_a_kernel, X, monkeypatch):
    class Shell:
        kernel = object()

    shell = Shell()
    shell.events = EventManager(shell, available_events)
    monkeypatch.setattr("IPython.get_ipython", lambda: shell)

    async def check():
        ex = explore(X, **CHOICES, max_iter=MAX_ITER, tol=1e-6)
        hooks = list(shell.events.callbacks["pre_run_cell"])
        shell.events.trigger("pre_run_cell", None)  # the next cell starts
        landed = ex._pending_run is None and ex.step_slider.max > 0
        return hooks, landed, list(shell.events.callbacks["pre_run_cell"])

    hooks, landed, after = in_a_kernel(check)
    assert len(hooks) == 1 and landed and after == []


def test_a_run_that_fails_keeps_theta0_and_says_why(in_a_kernel, X, monkeypatch):
    def collapse(*args, **kwargs):
        raise ValueError("component 2 collapsed")

    monkeypatch.setattr(em, "run_em", collapse)

    async def check():
        ex = explore(X, **CHOICES, max_iter=MAX_ITER)
        await until(lambda: ex._pending_run is None)
        return ex

    ex = in_a_kernel(check)
    assert ex.message_text.startswith("EM stopped: component 2 collapsed. Showing θ₀")
    assert ex.message_is_error
    assert ex.step_slider.max == 0


def test_short_runs_and_scripts_are_computed_at_once(in_a_kernel, X):
    async def check():
        return explore(X, **CHOICES, max_iter=100, tol=1e-6)

    script = explore(X, **CHOICES, max_iter=MAX_ITER, tol=1e-6)  # no kernel loop
    short = in_a_kernel(check)
    for ex in (short, script):
        assert ex._pending_run is None and ex.step_slider.max == 2 * ex.trace.n_iter > 0
