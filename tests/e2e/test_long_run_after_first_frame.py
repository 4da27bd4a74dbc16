"""A long EM run lands after the explorer's first frame, in JupyterLab (issue 23: run-all).

explore() with N × max_iter above ``FIRST_FRAME_FIRST`` shows θ₀ over the grey points, then
runs EM in a thread of the kernel; the run must reach the page by itself (the kernel's loop,
not a later cell): the page loads a second run, the slider gets its 2T half-steps, the top line
its BIC, the message line empties, and the keys step through the run.
"""

from __future__ import annotations

import json

import pytest
from browser_harness import poll, run_in_kernel

pytestmark = pytest.mark.e2e

N_POINTS, MAX_ITER = 30_000, 100  # 3·10⁶ > FIRST_FRAME_FIRST
NOTEBOOKS = {
    "long_run.ipynb": [
        "import numpy as np\n"
        "from gmmlearn.widgets import explore\n"
        "from gmmlearn.widgets.em import FIRST_FRAME_FIRST\n"
        "rng = np.random.default_rng(0)\n"
        "centres = np.array([[0, 0, 0], [5, 0, 1], [0, 5, -1], [4, 4, 3]], float)\n"
        f"X = np.vstack([rng.normal(c, 1.0, size=({N_POINTS} // 4, 3)) for c in centres])\n"
        f"assert X.shape[0] * {MAX_ITER} > FIRST_FRAME_FIRST\n"
        f"ex = explore(X, 4, init='bounding-box', random_state=0, max_iter={MAX_ITER}, tol=0)\n"
        "ex"
    ],
}


@pytest.fixture(scope="module")
def lab_long(lab_serving):
    return lab_serving(NOTEBOOKS)


def test_the_run_reaches_the_page_by_itself(lab_long, page, open_explorer):
    explorer, view = open_explorer(lab_long, "long_run.ipynb")
    handle = explorer.slider.locator("[role=slider]")
    # nothing but the kernel's loop brings the run: no other cell runs after explore()
    poll(lambda: view.get_attribute("data-run-drawn") == "2", "the run did not reach the page")
    poll(
        lambda: float(handle.get_attribute("aria-valuemax")) == 2 * MAX_ITER,
        "the slider did not get the run's half-steps",
    )
    poll(lambda: "BIC =" in explorer.output.inner_text(), "the top line has no BIC after the run")
    assert "of 0" not in view.locator(".gmm-title").inner_text()
    # the message said EM was running; it is gone once the run is there
    run_in_kernel(page, "assert ex.message_text == '', ex.message_text")

    scene = view.locator(".gmm-scene").bounding_box()
    page.mouse.click(scene["x"] + 20, scene["y"] + scene["height"] - 20)
    page.keyboard.press("ArrowRight")
    poll(lambda: view.get_attribute("data-half-step") == "1", "→ did not step to the E-step")
    assert explorer.widget_errors() == [] and page.console_log.errors == []


def test_the_picture_makes_room_when_the_lines_above_it_grow(lab_long, page, open_explorer):
    # the top line wraps once the run is there (BIC, AIC): the picture must fit again at once,
    # not at the next key press (at 10⁶ points that press paid a new index pass, ~0.7 s)
    explorer, view = open_explorer(lab_long, "long_run.ipynb")
    poll(lambda: view.get_attribute("data-run-drawn") == "2", "the run did not reach the page")

    def scene_height():
        return json.loads(view.get_attribute("data-scene-scale"))[1]

    poll(lambda: "BIC =" in explorer.output.inner_text(), "the top line has no BIC")

    def steady():
        first = scene_height()
        page.wait_for_timeout(400)
        return first if scene_height() == first else None

    before = poll(steady, "the picture kept changing size")
    run_in_kernel(page, "ex.criteria_html.value = '<p>one</p><p>two</p><p>three</p>'")
    poll(lambda: scene_height() < before, "the picture kept its height under a taller top line")
    assert explorer.widget_errors() == [] and page.console_log.errors == []
