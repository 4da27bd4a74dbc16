"""The 2-D playground: a dragged mean re-seeds EM, a click adds a point (kernel side).

The browser sends ``{"event": "move_mean", "k", "position"}`` or ``{"event": "add_point",
"position"}`` (data coordinates) to the TraceView; the explorer runs EM again. The browser side
is tested in tests/e2e/test_playground_browser.py.
"""

import re

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
    assert explorer.view.bounds["log_p"][0] == pytest.approx(expected.log_likelihoods[0])
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
    import gmmlearn.widgets.em

    def collapse(*args, **kwargs):
        raise ValueError("covariance of component 0 is not positive definite")

    monkeypatch.setattr(gmmlearn.widgets.em, "run_em", collapse)
    trace, X = explorer.trace, explorer.X
    _send(explorer, {"event": "move_mean", "k": 0, "position": [1e6, 1e6]})
    _send(explorer, {"event": "add_point", "position": [3.0, 70.0]})
    assert explorer.trace is trace and explorer.X is X
    assert "Could not run EM from there: covariance of component 0" in explorer.message.value


# ---------------------------------------------------------------------------------------------
# shift-click removes a point; presets; BIC/AIC; a collapse explained


def test_a_shift_click_removes_that_point_and_runs_em_again_from_the_same_start(explorer):
    before = explorer.trace.params[0]
    X = explorer.X.copy()
    explorer.point_input.value = len(X)
    _send(explorer, {"event": "remove_point", "index": 5})
    np.testing.assert_array_equal(explorer.X, np.delete(X, 5, axis=0))
    assert explorer.trace.X.shape == (len(X) - 1, 2)
    assert explorer.trace.params[0] is before
    assert explorer.view.meta["n_samples"] == len(X) - 1
    assert explorer.point_input.max == explorer.point_input.value == len(X) - 1
    assert "removed point 6 at (" in explorer.message.value


@pytest.mark.parametrize("index", [272, -1, True, 2.0, "3", None])
def test_a_removal_of_no_point_changes_nothing(explorer, index):
    trace = explorer.trace
    _send(explorer, {"event": "remove_point", "index": index})
    assert explorer.trace is trace and explorer.X.shape[0] == 272


def test_the_last_points_are_not_removed():
    explorer = explore(old_faithful()[:3], 2, init="random", random_state=0)
    _send(explorer, {"event": "remove_point", "index": 0})
    assert explorer.X.shape[0] == 2
    _send(explorer, {"event": "remove_point", "index": 0})
    assert explorer.X.shape[0] == 2
    assert "Cannot remove a point: 2 points are the fewest for K=2" in explorer.message.value


def test_a_preset_by_name_and_from_the_menu():
    from gmmlearn.datasets import make_preset

    explorer = explore("old_faithful", 2)
    assert explorer.data_input.value == "old_faithful"
    assert explorer.data_input.layout.display is None  # shown in the playground
    np.testing.assert_array_equal(explorer.X, old_faithful())
    explorer.k_input.value = 3
    explorer.covariance_input.value = "diag"
    explorer.data_input.value = "moons"
    np.testing.assert_array_equal(explorer.X, make_preset("moons"))
    assert explorer.trace.X.shape == (300, 2) and explorer.view.meta["n_samples"] == 300
    # the run uses the choices of the widgets
    assert explorer.trace.params[0].n_components == 3
    assert explorer.trace.params[0].covariance_type == "diag"
    assert "two moons: not Gaussian" in explorer.message.value
    assert explorer.point_input.max == 300
    explorer.point_input.value = 300  # then a smaller data set: the picker follows
    explorer.data_input.value = "old_faithful"
    assert explorer.point_input.value == explorer.point_input.max == 272
    assert explorer.message_text.startswith("Old Faithful")
    with pytest.raises(ValueError, match="no preset 'moon'"):
        explore("moon", 2)
    # the menu is for the playground only
    assert explore(load_x(), 3).data_input.layout.display == "none"
    # data passed in: the menu says so
    assert explore(old_faithful(), 2).data_input.value == ""


def _sklearn_mixture(params):
    from sklearn.mixture import GaussianMixture as SkGaussianMixture
    from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky

    mixture = SkGaussianMixture(params.n_components, covariance_type=params.covariance_type)
    mixture.weights_ = params.weights
    mixture.means_ = params.means
    mixture.covariances_ = params.covariances
    mixture.precisions_cholesky_ = _compute_precision_cholesky(
        params.covariances, params.covariance_type
    )
    return mixture


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
@pytest.mark.parametrize("n_components", [1, 3])
def test_bic_and_aic_of_the_run_agree_with_scikit_learn(covariance_type, n_components):
    from gmmlearn.widgets import information_criteria

    explorer = explore("elongated", n_components, covariance_type=covariance_type)
    trace = explorer.trace
    criteria = information_criteria(trace)
    # scikit-learn's own count and formulas, on the θ_T of the run
    reference = _sklearn_mixture(trace.params[-1])
    assert criteria["n_parameters"] == reference._n_parameters()
    # D = 2: a full Σ_k has 3 free numbers, diag 2, spherical 1; tied one Σ for all
    covariance_p = {"full": 3 * n_components, "tied": 3, "diag": 2 * n_components}
    expected_p = covariance_p.get(covariance_type, n_components) + 3 * n_components - 1
    assert criteria["n_parameters"] == expected_p
    assert criteria["bic"] == pytest.approx(reference.bic(trace.X), rel=1e-10)
    assert criteria["aic"] == pytest.approx(reference.aic(trace.X), rel=1e-10)
    # without the spans that keep a name and its number on one line
    unbroken = r"<span style='white-space:nowrap'>(.*?)</span>"
    shown = re.sub(unbroken, r"\1", explorer.criteria_html.value)
    assert f"BIC = {criteria['bic']:.1f}" in shown and f"AIC = {criteria['aic']:.1f}" in shown
    assert f"p = {expected_p} parameters ({covariance_type}, K={n_components})" in shown


def test_bic_follows_every_new_run(explorer):
    shown = explorer.criteria_html.value
    explorer.k_input.value = 3
    assert explorer.criteria_html.value != shown and "K=3" in explorer.criteria_html.value
    _send(explorer, {"event": "add_point", "position": [3.0, 70.0]})
    assert "K=3" in explorer.criteria_html.value


def test_a_mean_dragged_onto_one_outlier_collapses_and_the_widget_says_why():
    from gmmlearn.widgets import collapsed_components

    explorer = explore("outliers", 3, init="kmeans", random_state=0)
    explorer.show(explorer.step_slider.max)
    outlier = explorer.X[12]
    assert collapsed_components(explorer.trace) == []
    _send(explorer, {"event": "move_mean", "k": 2, "position": outlier.tolist()})
    # the collapsed run is shown: that is what the student came to see
    assert collapsed_components(explorer.trace) == [2]
    final = explorer.trace.params[-1]
    np.testing.assert_allclose(final.means[2], outlier, atol=1e-6)
    assert final.weights[2] * explorer.X.shape[0] == pytest.approx(1.0, abs=0.05)
    text = explorer.message_text
    assert "Component 3 collapsed onto N₃ = 1.0 point" in text
    assert "reg_covar = 1e-06" in text and "PRML §9.2.1" in text
    assert "raise reg_covar" in text and "Traceback" not in text
    assert "#B00020" in explorer.message.value  # in red


def test_without_reg_covar_the_collapse_is_refused_and_the_previous_run_stays():
    explorer = explore("outliers", 3, init="kmeans", random_state=0, reg_covar=0.0)
    explorer.show(explorer.step_slider.max)
    trace = explorer.trace
    _send(explorer, {"event": "move_mean", "k": 2, "position": explorer.X[12].tolist()})
    assert explorer.trace is trace
    assert explorer.message_text.startswith("Could not run EM from there: covariance of")
    assert "increase reg_covar" in explorer.message_text
    assert explorer.message_text.endswith("Still showing the previous run.")


def test_a_component_left_without_points_is_said_to_have_died():
    explorer = explore("old_faithful", 2, init="bounding-box", random_state=0)
    assert "Component 2 died: N₂ = 0.0 points are left to it" in explorer.message_text


# -- issue 23 item 6: fixed axes while editing, undo, reset data, the presets' axis names ----
def test_a_point_added_outside_keeps_the_axes_until_asked(explorer):
    ranges = explorer.view.meta["ranges"]
    _send(explorer, {"event": "add_point", "position": [9.0, 140.0]})  # far outside the box
    assert explorer.X.shape[0] == 273
    # the picture did not rescale (the frame is read back from the ranges: to rounding)
    np.testing.assert_allclose(explorer.view.meta["ranges"], ranges, rtol=1e-12)
    explorer.fit_axes_button.click()
    wider = explorer.view.meta["ranges"]
    assert wider[0][1] > 9.0 and wider[1][1] > 140.0


def test_undo_goes_back_one_edit_at_a_time_and_reset_data_to_the_start(explorer):
    first = explorer.trace
    assert explorer.undo_button.disabled
    _send(explorer, {"event": "add_point", "position": [3.0, 70.0]})
    after_add = explorer.trace
    _send(explorer, {"event": "move_mean", "k": 0, "position": [2.0, 55.0]})
    assert not explorer.undo_button.disabled
    _send(explorer, {"event": "undo"})  # Ctrl+Z on the picture
    assert explorer.trace is after_add and explorer.X.shape[0] == 273
    explorer.undo_button.click()
    assert explorer.trace is first and explorer.X.shape[0] == 272
    assert explorer.view.trace is first and explorer.undo_button.disabled
    assert not explorer.undo()
    assert "Nothing to undo" in explorer.message_text
    _send(explorer, {"event": "remove_point", "index": 0})
    _send(explorer, {"event": "remove_point", "index": 0})
    assert explorer.X.shape[0] == 270
    explorer.reset_data_button.click()
    np.testing.assert_array_equal(explorer.X, old_faithful())
    assert explorer.undo_button.disabled and "data reset" in explorer.message_text


def test_old_faithful_axes_have_their_names():
    ex = explore("old_faithful", 2)
    assert ex.view.meta["axis_names"] == ["eruptions (min)", "waiting (min)"]
    ex.use_preset("moons")
    assert ex.view.meta["axis_names"] == ["x₁", "x₂"]
    ex.use_preset("old_faithful")
    assert ex.view.meta["axis_names"] == ["eruptions (min)", "waiting (min)"]
    named = explore(old_faithful(), 2, axis_names=("eruption", "wait"))
    assert named.view.meta["axis_names"] == ["eruption", "wait"]
