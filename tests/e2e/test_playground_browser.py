"""The 2-D playground in JupyterLab and real Chromium: drag a mean, click to add a point.

A mouse drag of a mean's cross is sent to the kernel, which runs EM again from there: the new
run's θ₀ has that mean where it was dropped (to a pixel). A click on the plane adds a point:
the new run has N + 1 points. No console errors.
"""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.e2e

WAIT_S = 45.0
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
CELL = (
    "from gmmlearn.datasets import old_faithful\n"
    "from gmmlearn.widgets import explore\n"
    'ex = explore(old_faithful(), n_components=2, init="bounding-box", random_state=0)\n'
    "ex"
)
MEANS_JS = "(el) => JSON.parse(el.dataset.meanPositions || '[]')"


def _poll(condition, what: str, timeout: float = WAIT_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"{what} within {timeout:.0f} s")


@pytest.fixture(scope="module")
def lab_playground(lab_serving):
    return lab_serving({"playground.ipynb": [CELL]})


def test_drag_a_mean_and_click_a_point(lab_playground, page, explorer_factory):
    from gmmlearn.datasets import old_faithful

    n_samples = len(old_faithful())
    page.goto(lab_playground.url_of("playground.ipynb"))
    page.wait_for_function(
        "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " return Boolean(w && w.content && w.sessionContext); }"
    )
    page.evaluate(
        "() => { const app = window.jupyterapp; app.shell.currentWidget.sessionContext.ready"
        ".then(() => app.commands.execute('notebook:run-all-cells')); }"
    )
    explorer = explorer_factory(PANEL)
    explorer.wait_rendered()
    view = explorer.output.locator(".gmm-webview").first
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
    _poll(
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
    _poll(
        lambda: view.get_attribute("data-n-samples") == str(n_samples + 1),
        "a click did not add a point",
    )
    explorer.output.locator(".widget-html-content", has_text="added point").first.wait_for(
        state="visible"
    )
    assert explorer.widget_errors() == []
    assert page.console_log.errors == []
