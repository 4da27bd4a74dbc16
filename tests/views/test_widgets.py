"""The explorer, driven headless: set the widgets and check what the view and texts now hold."""

import io
import json
import os
import re
import subprocess
import sys
from functools import partial

import matplotlib

matplotlib.use("Agg")

import blob_data  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from gmmlearn.equations import format_number  # noqa: E402
from gmmlearn.plotting.colors import UNASSIGNED, blend_colors  # noqa: E402
from gmmlearn.widgets import EMExplorer, explore, is_widget_backend  # noqa: E402

blobs = partial(blob_data.blobs, "close_3d", n_per=50)


@pytest.fixture()
def explorer():
    ex = explore(blobs(), n_components=3, max_iter=6, tol=0.0, view="matplotlib")
    yield ex
    ex.view.figure.clear()


def assert_view_shows(ex, index):
    """The scatter, means, curve marker and texts all hold the state of half-step ``index``."""
    h = ex.trace.half_step(index)
    assert ex.view.state == h
    if h.assigned:
        resp = ex.trace.responsibilities(h.resp_iteration)
        np.testing.assert_allclose(ex.view.point_colors(), blend_colors(resp), atol=1e-12)
    else:  # half-step 0: θ₀ over grey points, before the first E-step
        np.testing.assert_array_equal(ex.view.point_colors()[:, :3], [UNASSIGNED] * len(ex.trace.X))
    np.testing.assert_allclose(ex.view.means_positions(), h.params.means, atol=1e-12)
    t = h.resp_iteration if h.phase == "E" else h.iteration  # the θ_t shown
    np.testing.assert_allclose(ex.view.marker.get_xdata(), [t])
    bottom = ex.view.ax_curve.get_ylim()[0]  # a hopeless θ₀ is drawn at the bottom edge
    np.testing.assert_allclose(
        ex.view.marker.get_ydata(), [max(ex.trace.log_likelihoods[t], bottom)]
    )
    assert f"half-step {index} of" in ex.step_label.value


def test_builds_without_a_browser(explorer):
    assert not explorer.uses_widget_canvas and not is_widget_backend()
    assert explorer.figure_area.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert explorer.step_slider.max == explorer.trace.n_half_steps - 1 == explorer.play.max
    # the message line right under the picture: a long message never moves the picture
    children = explorer.widget.children
    assert children[children.index(explorer.figure_area) + 1] is explorer.message
    assert "gmm-message-line" in explorer.message._dom_classes
    assert explorer.message_text == ""
    assert not explorer.view.title.get_visible()  # the step label widget says it instead
    assert_view_shows(explorer, 0)
    assert isinstance(explorer, EMExplorer)


@pytest.mark.parametrize("index", [3, 4, 9])
def test_slider_moves_the_view_and_the_texts(explorer, index):
    figure, before = explorer.view.figure, explorer.figure_area.value
    explorer.step_slider.value = index
    assert_view_shows(explorer, index)
    assert explorer.view.figure is figure  # updated, not re-created
    assert explorer.figure_area.value != before  # the picture shown was redrawn
    with Image.open(io.BytesIO(explorer.figure_area.value)) as png:
        assert png.size[0] > 500
    h = explorer.view.state
    # the equations show this step's numbers for point n=1, component k=1
    gamma = explorer.trace.responsibilities(h.resp_iteration)[0, 0]
    assert f"= {format_number(gamma)} $$" in explorer.equations_html.value
    assert format_number(h.params.weights[0], 3) in explorer.params_html.value
    phase_word = {"E": "E-step", "M": "M-step"}[h.phase]
    assert phase_word in explorer.step_label.value


def _unbroken_removed(html: str) -> str:
    """The top line without the spans that keep a name and its number on one line."""
    return re.sub(r"<span style='white-space:nowrap'>(.*?)</span>", r"\1", html)


def test_the_top_line_says_the_ln_p_on_screen_not_the_final_one(explorer):
    trace = explorer.trace
    assert "<span style='white-space:nowrap'>BIC = " in explorer.criteria_html.value
    shown = _unbroken_removed(explorer.criteria_html.value)
    assert f"on screen θ<sub>0</sub>: <b>ln p = {trace.log_likelihoods[0]:.2f}</b>" in shown
    assert f"ln p = {trace.log_likelihoods[-1]:.2f}" in shown  # the end, named as such
    explorer.step_slider.value = 4  # the M-step of iteration 2: θ₂ on screen
    shown = _unbroken_removed(explorer.criteria_html.value)
    assert f"on screen θ<sub>2</sub>: <b>ln p = {trace.log_likelihoods[2]:.2f}</b>" in shown
    assert f"the run's end θ<sub>{trace.n_iter}</sub>" in shown and "BIC = " in shown


def test_equations_follow_the_selected_point_and_component(explorer):
    explorer.step_slider.value = 5
    explorer.point_input.value = 17
    explorer.component_input.value = 2
    h = explorer.view.state
    gamma = explorer.trace.responsibilities(h.resp_iteration)[16, 2]
    value = explorer.equations_html.value
    assert r"\gamma_{17,3}" in value and f"= {format_number(gamma)} $$" in value
    assert r"\pi_{3}^{\text{new}}" in value
    assert "just applied" in value.split("effective counts")[0]  # E half-step: γ was applied


def test_step_buttons(explorer):
    explorer.next_button.click()
    explorer.next_button.click()
    assert explorer.step_slider.value == 2
    assert_view_shows(explorer, 2)
    explorer.prev_button.click()
    assert_view_shows(explorer, 1)
    explorer.prev_button.click()
    explorer.prev_button.click()  # stops at 0
    assert explorer.step_slider.value == 0
    explorer.step_slider.value = explorer.step_slider.max
    explorer.next_button.click()  # stops at the end
    assert explorer.step_slider.value == explorer.trace.n_half_steps - 1


def test_half_step_toggle_changes_which_state_is_shown(explorer):
    explorer.step_slider.value = 5  # E-step of iteration 3: colours γ(θ₂), θ₂
    assert explorer.view.state.phase == "E"
    explorer.half_steps_toggle.value = False
    assert explorer.step_slider.max == explorer.trace.n_iter
    assert explorer.step_slider.value == 2
    assert_view_shows(explorer, 4)
    explorer.step_slider.value = 3
    assert_view_shows(explorer, 6)  # iteration t shows its M half-step 2t
    explorer.half_steps_toggle.value = True
    assert explorer.step_slider.max == explorer.trace.n_half_steps - 1
    assert_view_shows(explorer, 6)


def test_changing_k_init_seed_runs_again_in_the_same_figure(explorer):
    figure, scatter = explorer.view.figure, explorer.view.scatter
    explorer.step_slider.value = 6
    explorer.k_input.value = 2
    assert explorer.trace.params[0].n_components == 2
    assert explorer.view.means_positions().shape == (2, 3)
    assert [v for _, v in explorer.component_input.options] == [0, 1]
    assert len(explorer.color_by.options) == 3
    # the step shown stays where it was (issue 23): the new run's half-step 6
    assert explorer.step_slider.value == 6 and explorer.message_text == ""
    assert_view_shows(explorer, 6)
    assert explorer.view.figure is figure and explorer.view.scatter is scatter
    first = explorer.trace.params[0].means
    explorer.init_input.value = "random_from_data"
    explorer.seed_input.value = 7
    assert not np.allclose(explorer.trace.params[0].means, first)
    explorer.covariance_input.value = "diag"
    assert explorer.trace.params[0].covariance_type == "diag"
    assert_view_shows(explorer, 6)


def test_a_new_run_keeps_the_step_clamped_to_its_length():
    ex = explore(blobs(), n_components=3, max_iter=6, tol=0.0, view="matplotlib")
    ex.step_slider.value = ex.step_slider.max  # half-step 12 of a 6-iteration run
    ex.options["max_iter"] = 2  # the next run is shorter: 5 half-steps
    ex.seed_input.value = 3
    assert ex.trace.n_iter == 2
    assert ex.step_slider.max == 4 and ex.step_slider.value == 4
    assert_view_shows(ex, 4)


@pytest.mark.parametrize(
    ("k", "message"),
    [(151, "larger than the number of points"), (0, "at least 1")],
)
def test_bad_k_shows_a_message_and_keeps_the_run(explorer, k, message):
    trace = explorer.trace
    explorer.step_slider.value = 4
    explorer.k_input.value = k  # no exception escapes the callback
    assert message in explorer.message_text
    assert "Still showing the previous run (K=3)" in explorer.message_text
    assert message in explorer.message.value
    assert explorer.trace is trace
    assert_view_shows(explorer, 4)
    explorer.k_input.value = 3  # a good choice clears the message
    assert explorer.message_text == ""


def test_collapsed_component_shows_a_message():
    # then one point per component and no regularisation: Σ_k = 0
    X = np.random.default_rng(3).normal(size=(12, 3))
    ex = explore(X, n_components=2, reg_covar=0.0, max_iter=3)
    ex.k_input.value = 12
    assert "collapsed" in ex.message_text and "reg_covar" in ex.message_text
    assert ex.trace.params[0].n_components == 2


def test_no_exception_escapes_a_callback(explorer, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(explorer.view, "show", broken)
    explorer.step_slider.value = 2
    explorer.next_button.click()
    assert explorer.message_text == "RuntimeError: drawing failed"


def test_colour_by_and_view_angle(explorer):
    explorer.step_slider.value = 3
    explorer.color_by.value = 1
    assert explorer.view.component == 1
    resp = explorer.trace.responsibilities(explorer.view.state.resp_iteration)
    owned = resp[:, 1] > 0.99
    np.testing.assert_allclose(
        explorer.view.point_colors()[owned, :3],
        np.broadcast_to(explorer.view.colors[1], (owned.sum(), 3)),
        atol=0.01,
    )
    explorer.color_by.value = None
    np.testing.assert_allclose(explorer.view.point_colors(), blend_colors(resp))
    explorer.elev_slider.value = 50
    explorer.azim_slider.value = 15
    assert (explorer.view.ax.elev, explorer.view.ax.azim) == (50, 15)


def test_exports(explorer, tmp_path):
    explorer.step_slider.value = 3
    with Image.open(explorer.export_gif(tmp_path / "run.gif", dpi=30)) as gif:
        assert gif.n_frames == explorer.trace.n_half_steps
    explorer.half_steps_toggle.value = False
    page = open(explorer.export_html(tmp_path / "run.html"), encoding="utf-8").read()
    # the browser view's page: the whole run as data, opened at the step and mode shown
    data = json.loads(re.search(r'<script id="gmm-data"[^>]*>(.*?)</script>', page, re.S)[1])
    assert data["state"]["step"] == 1 and data["state"]["half_steps"] is False
    assert data["state"]["meta"]["n_half_steps"] == explorer.trace.n_half_steps
    assert "src=" not in page and "https://" not in page  # nothing loaded from elsewhere
    assert explorer.view.state.index == 2  # the explorer's own view did not move


def test_bad_arguments_raise_at_the_call():
    with pytest.raises(ValueError, match="larger than the number of points"):
        explore(blobs()[:5], n_components=6)
    with pytest.raises(ValueError, match="1-D"):
        explore(np.arange(10.0))
    with pytest.raises(TypeError, match="random_state"):
        explore(blobs(), random_state="x")


def test_ipympl_backend_uses_the_canvas_widget():
    code = (
        "import numpy as np\n"
        "from gmmlearn.widgets import explore\n"
        "import ipywidgets\n"
        "rng = np.random.default_rng(0)\n"
        "ex = explore(rng.normal(size=(60, 3)), n_components=2, max_iter=3, view='matplotlib')\n"
        "assert ex.uses_widget_canvas\n"
        "assert ex.figure_area is ex.view.figure.canvas\n"
        "assert isinstance(ex.figure_area, ipywidgets.DOMWidget)\n"
        "ex.step_slider.value = 3\n"
        "assert ex.view.state.index == 3\n"
    )
    env = dict(os.environ, MPLBACKEND="module://ipympl.backend_nbagg")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
