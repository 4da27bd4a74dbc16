"""The 2-D playground in JupyterLab and real Chromium: drag a mean, click to add a point.

A mouse drag of a mean's cross is sent to the kernel, which runs EM again from there: the new
run's θ₀ has that mean where it was dropped (to a pixel). A click on the plane adds a point:
the new run has N + 1 points. Hovering a point shows its row of γ (computed in the page: equal
to Python's to 1e-3); a mean dragged onto an outlier collapses and the message says why, with
no traceback; a shift-click removes the point under the mouse; the data menu switches preset.
No console errors.
"""

from __future__ import annotations

import pytest
from browser_harness import open_and_run, poll

pytestmark = pytest.mark.e2e

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
CELL = (
    "from gmmlearn.datasets import old_faithful\n"
    "from gmmlearn.widgets import explore\n"
    'ex = explore(old_faithful(), n_components=2, init="bounding-box", random_state=0)\n'
    "ex"
)
MEANS_JS = "(el) => JSON.parse(el.dataset.meanPositions || '[]')"


OUTLIERS_CELL = (
    "from gmmlearn.widgets import explore\n"
    'ex = explore("outliers", 3, init="kmeans", random_state=0)\n'
    "ex"
)


@pytest.fixture(scope="module")
def lab_playground(lab_serving):
    return lab_serving({"playground.ipynb": [CELL], "outliers.ipynb": [OUTLIERS_CELL]})


def _open(page, lab_playground, explorer_factory, name):
    open_and_run(page, lab_playground.url_of(name))
    explorer = explorer_factory(PANEL)
    explorer.wait_rendered()
    return explorer, explorer.output.locator(".gmm-webview").first


def test_drag_a_mean_and_click_a_point(lab_playground, page, explorer_factory):
    from gmmlearn.datasets import old_faithful

    n_samples = len(old_faithful())
    explorer, view = _open(page, lab_playground, explorer_factory, "playground.ipynb")
    assert view.get_attribute("data-n-samples") == str(n_samples)
    assert "Drag a mean" in view.locator(".gmm-note").inner_text()
    front = view.locator(".gmm-front").bounding_box()

    # drag mean 1 by (−90, +60) pixels
    means = view.evaluate(MEANS_JS)
    x0, y0 = means[0]
    target = (x0 - 90, y0 + 60)
    page.mouse.move(front["x"] + x0, front["y"] + y0)
    page.mouse.down()
    page.mouse.move(front["x"] + target[0], front["y"] + target[1], steps=10)
    page.mouse.up()
    # the kernel ran EM again: the new run's θ₀ has the mean where it was dropped
    poll(
        lambda: (
            abs(view.evaluate(MEANS_JS)[0][0] - target[0]) <= 1.5
            and abs(view.evaluate(MEANS_JS)[0][1] - target[1]) <= 1.5
            and view.evaluate("(el) => Number(el.dataset.halfStep)") == 0
        ),
        "the dragged mean did not start a new run",
    )
    message = explorer.output.locator(".widget-html-content", has_text="EM started again")
    message.first.wait_for(state="visible")

    # a click far from both means adds a point
    means = view.evaluate(MEANS_JS)
    corner = (front["width"] * 0.85, front["height"] * 0.2)
    assert min(abs(corner[0] - x) + abs(corner[1] - y) for x, y in means) > 40
    page.mouse.click(front["x"] + corner[0], front["y"] + corner[1])
    poll(
        lambda: view.get_attribute("data-n-samples") == str(n_samples + 1),
        "a click did not add a point",
    )
    explorer.output.locator(".widget-html-content", has_text="added point").first.wait_for(
        state="visible"
    )
    assert explorer.widget_errors() == []
    assert page.console_log.errors == []


def test_hover_collapse_shift_click_and_presets(lab_playground, page, explorer_factory):
    import json

    import numpy as np

    from gmmlearn import responsibilities
    from gmmlearn.webview.frames import axis_frame
    from gmmlearn.widgets import explore

    # the same run in Python, at its last step
    ex = explore("outliers", 3, init="kmeans", random_state=0)
    last = ex.step_slider.max
    ex.show(last)
    X = ex.X
    gamma = responsibilities(X, ex.trace.params[ex.view.state.resp_iteration])

    explorer, view = _open(page, lab_playground, explorer_factory, "outliers.ipynb")
    explorer.handle.focus()
    explorer.handle.press("End")
    poll(lambda: view.get_attribute("data-half-step") == str(last), "End did not reach the end")

    def at(point):
        front = view.locator(".gmm-front").bounding_box()
        width, height, scale = json.loads(view.get_attribute("data-scene-scale"))
        centre, half = axis_frame(X, [0, 1])
        cube = (np.asarray(point) - centre) / half
        return front["x"] + width / 2 + cube[0] * scale, front["y"] + height / 2 - cube[1] * scale

    # hover the point whose γ is most uncertain: the page's row equals Python's
    n = int(np.argmin(gamma.max(axis=1)))
    assert gamma[n].max() < 0.9
    page.mouse.move(*at(X[n]), steps=3)
    shown = poll(lambda: view.get_attribute("data-hover-gamma"), "no γ row on hover")
    shown = json.loads(shown)
    assert shown["n"] == n
    np.testing.assert_allclose(shown["gamma"], gamma[n], atol=1e-3)
    box = view.locator(".gmm-hover")
    assert box.is_visible() and f"point {n + 1} (" in box.inner_text()

    # mean 3 dragged onto the outlier X[12]: the component collapses, the widget says why
    runs = int(view.get_attribute("data-run-drawn"))
    x0, y0 = json.loads(view.get_attribute("data-mean-positions"))[2]
    front = view.locator(".gmm-front").bounding_box()
    page.mouse.move(front["x"] + x0, front["y"] + y0)
    page.mouse.down()
    page.mouse.move(*at(X[12]), steps=8)
    page.mouse.up()
    poll(lambda: int(view.get_attribute("data-run-drawn")) > runs, "no run after the drag")
    message = explorer.output.locator(".widget-html-content", has_text="collapsed onto")
    message.first.wait_for(state="visible")
    text = message.first.inner_text()
    assert "Component 3 collapsed onto N₃ = 1.0 point" in text and "reg_covar" in text
    assert "Traceback" not in explorer.output.inner_text()

    # shift-click the point X[40]: it is gone
    n_samples = int(view.get_attribute("data-n-samples"))
    page.keyboard.down("Shift")
    page.mouse.click(*at(X[40]))
    page.keyboard.up("Shift")
    poll(
        lambda: view.get_attribute("data-n-samples") == str(n_samples - 1),
        "a shift-click did not remove the point",
    )
    explorer.output.locator(".widget-html-content", has_text="removed point 41").first.wait_for(
        state="visible"
    )

    # the data menu: Old Faithful
    explorer.output.locator("select").filter(
        has=page.locator("option", has_text="Old Faithful")
    ).select_option(label="Old Faithful")
    poll(lambda: view.get_attribute("data-n-samples") == "272", "the preset did not switch")
    explorer.output.locator(".widget-html-content", has_text="BIC = ").first.wait_for()
    assert explorer.widget_errors() == []
    assert page.console_log.errors == []
