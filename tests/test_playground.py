"""The 2-D playground: a dragged mean re-seeds EM, a click adds a point (kernel side).

The browser sends ``{"event": "move_mean", "k", "position"}`` or ``{"event": "add_point",
"position"}`` (data coordinates) to the TraceView; the explorer runs EM again. The browser side
is tested in tests/e2e/test_playground_browser.py.
"""

import numpy as np
import pytest

from gmmlearn import run_em
from gmmlearn.datasets import load_x, old_faithful
from gmmlearn.widgets import explore


def _send(explorer, content):
    explorer.view._on_front_message(explorer.view, content, [])


@pytest.fixture
def explorer():
    return explore(old_faithful(), 2, init="bounding-box", random_state=0)


def test_on_for_2d_data_in_the_browser_only():
    assert explore(old_faithful(), 2).view.playground
    assert not explore(load_x(), 3).view.playground
    assert not explore(old_faithful(), 2, playground=False).view.playground
    with pytest.raises(ValueError, match="needs 2-D data"):
        explore(load_x(), 3, playground=True)
    with pytest.raises(ValueError, match="view='browser'"):
        explore(old_faithful(), 2, view="matplotlib", playground=True)


def test_a_dragged_mean_starts_em_again_from_there(explorer):
    explorer.show(3)  # an E half-step: θ₁ is shown
    shown = explorer.view.state.params
    _send(explorer, {"event": "move_mean", "k": 1, "position": [4.5, 85.0]})
    start = explorer.trace.params[0]
    np.testing.assert_array_equal(start.means[1], [4.5, 85.0])
    np.testing.assert_array_equal(start.means[0], shown.means[0])
    np.testing.assert_array_equal(start.covariances, shown.covariances)
    np.testing.assert_array_equal(start.weights, shown.weights)
    # the run is EM from that θ₀, shown from its start
    expected = run_em(explorer.X, start, **explorer.options)
    np.testing.assert_allclose(explorer.trace.log_likelihoods, expected.log_likelihoods)
    assert explorer.step_slider.value == 0 and explorer.view.state.index == 0
    assert explorer.view.meta["log_p"][0] == pytest.approx(expected.log_likelihoods[0])
    assert "μ2 at (4.5, 85)" in explorer.message.value


def test_a_click_adds_a_point_and_runs_em_again_from_the_same_start(explorer):
    before = explorer.trace.params[0]
    n = explorer.X.shape[0]
    _send(explorer, {"event": "add_point", "position": [3.0, 70.0]})
    assert explorer.X.shape == explorer.trace.X.shape == (n + 1, 2)
    np.testing.assert_array_equal(explorer.X[-1], [3.0, 70.0])
    assert explorer.trace.params[0] is before
    assert explorer.view.meta["n_samples"] == n + 1
    assert explorer.point_input.max == n + 1
    assert f"added point {n + 1}" in explorer.message.value
    # a new choice of K runs on the data with the point
    explorer.k_input.value = 3
    assert explorer.trace.X.shape[0] == n + 1


@pytest.mark.parametrize(
    "content",
    [
        {"event": "move_mean", "k": 2, "position": [1.0, 2.0]},  # K = 2
        {"event": "move_mean", "k": True, "position": [1.0, 2.0]},
        {"event": "move_mean", "k": 0, "position": [1.0, 2.0, 3.0]},
        {"event": "add_point", "position": [float("nan"), 2.0]},
        {"event": "add_point", "position": "here"},
        {"event": "delete_everything"},
        ["not", "a", "dict"],
    ],
)
def test_malformed_events_change_nothing(explorer, content):
    trace = explorer.trace
    _send(explorer, content)
    assert explorer.trace is trace


def test_nothing_happens_with_the_playground_off():
    explorer = explore(old_faithful(), 2, playground=False)
    trace = explorer.trace
    _send(explorer, {"event": "add_point", "position": [3.0, 70.0]})
    assert explorer.trace is trace


def test_a_run_that_fails_keeps_the_previous_one_and_says_why(explorer, monkeypatch):
    import gmmlearn.widgets

    def collapse(*args, **kwargs):
        raise ValueError("covariance of component 0 is not positive definite")

    monkeypatch.setattr(gmmlearn.widgets, "run_em", collapse)
    trace, X = explorer.trace, explorer.X
    _send(explorer, {"event": "move_mean", "k": 0, "position": [1e6, 1e6]})
    _send(explorer, {"event": "add_point", "position": [3.0, 70.0]})
    assert explorer.trace is trace and explorer.X is X
    assert "Could not run EM from there: covariance of component 0" in explorer.message.value
