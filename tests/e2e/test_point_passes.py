"""The points drawn in two passes give the direct drawing's pixels, and a drag thins a big cloud.

The explorer draws its points in an index pass (every point's index into an offscreen texture,
only when the camera, zoom, size or points change) and a colour pass (each pixel looks its
point's colour up). These tests open the static export of a 3-D run of 70,000 points — indices
above 2¹⁶ (the third byte), colour textures of several rows and a partial last one, more points
than the drag's subset — and compare, in real Chromium, the picture of the two passes with the
one drawn point by point (``window.gmmlearnPointDrawing = "direct"``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from browser_harness import POINT_PIXELS_FUNCTION, poll

pytestmark = pytest.mark.e2e

N_POINTS = 70_000  # > 2¹⁶: every byte of the index is used
LOD_POINTS = 20_000  # explorer.js: drawn while the view turns

# The WebGL layer's pixels, kept in the page under a name (read back whole they would be
# megabytes of JSON).
KEEP_JS = f"""
(el, name) => {{
    {POINT_PIXELS_FUNCTION}
    (window.__pictures ||= {{}})[name] = pointPixels(el);
}}
"""
# Two kept pictures compared: pixels covered by a point in each, pixels covered in one only,
# the largest colour difference, and the share of covered pixels not grey (r, g, b spread > 30).
COMPARE_JS = """
([a, b]) => {
    const A = window.__pictures[a], B = window.__pictures[b];
    const out = {covered: [0, 0], alpha_mismatch: 0, max_diff: 0, coloured: 0};
    for (let i = 0; i < A.length; i += 4) {
        if (A[i + 3] === 255) out.covered[0]++;
        if (B[i + 3] === 255) out.covered[1]++;
        if (A[i + 3] !== B[i + 3]) out.alpha_mismatch++;
        for (let j = 0; j < 3; j++) {
            out.max_diff = Math.max(out.max_diff, Math.abs(A[i + j] - B[i + j]));
        }
        if (B[i + 3] === 255) {
            const v = [B[i], B[i + 1], B[i + 2]];
            if (Math.max(...v) - Math.min(...v) > 30) out.coloured++;
        }
    }
    return out;
}
"""


@pytest.fixture(scope="module")
def big_run(tmp_path_factory):
    from gmmlearn.webview.export import export_html
    from gmmlearn.widgets import run_trace

    rng = np.random.default_rng(3)
    centres = np.array([[0, 0, 0], [6, 0, 0], [0, 6, 0]], dtype=float)
    X = centres[rng.integers(0, 3, N_POINTS)] + rng.normal(size=(N_POINTS, 3))
    trace = run_trace(X, 3, "bounding-box", max_iter=4, tol=0.0)
    path = tmp_path_factory.mktemp("passes") / "run.html"
    return Path(export_html(path, trace, interval=250))


def _open(page, path: Path):
    page.goto(path.as_uri())
    view = page.locator(".gmm-webview")
    poll(lambda: view.get_attribute("data-frames-drawn"), "the page drew nothing")
    return view


def _draw(page, view, step: int, name: str | None = None) -> None:
    """Half-step ``step`` at rest; its picture kept as ``name``."""
    page.evaluate("(s) => window.gmmlearnModel.set('step', s)", step)
    poll(
        lambda: view.evaluate(
            "(el, s) => Number(el.dataset.halfStep) === s && el.dataset.transition === '0'", step
        ),
        f"half-step {step} was not drawn",
    )
    if name:
        view.evaluate(KEEP_JS, name)


def _both_paths(page, view, step: int) -> dict:
    for drawing, path in ((None, "two-pass"), ("direct", "direct")):
        page.evaluate("(d) => { window.gmmlearnPointDrawing = d; }", drawing)
        _draw(page, view, step + 1)  # a redraw with the drawing chosen, then the step
        _draw(page, view, step, path)
        assert view.get_attribute("data-point-path") == path
    page.evaluate("window.gmmlearnPointDrawing = undefined")
    return page.evaluate(COMPARE_JS, ["two-pass", "direct"])


@pytest.mark.parametrize("step", [0, 1, 4])
def test_two_passes_draw_the_pixels_of_the_direct_drawing(page, big_run, step):
    view = _open(page, big_run)
    assert view.get_attribute("data-n-samples") == str(N_POINTS)
    found = _both_paths(page, view, step)
    assert found["covered"][1] > 20_000, found  # the cloud covers much of the picture
    # the same pixels covered, in the same colours (to one level in 255: rounding)
    assert found["alpha_mismatch"] == 0 and found["max_diff"] <= 1, found
    if step:  # coloured by γ: most points not grey
        assert found["coloured"] > 0.5 * found["covered"][1], found
    assert page.console_log.errors == []


def test_a_drag_draws_a_fixed_subset_and_the_release_all_points(page, big_run):
    view = _open(page, big_run)
    assert view.get_attribute("data-points-drawn") == str(N_POINTS)
    azim = page.evaluate("window.gmmlearnModel.get('azim')")
    box = page.locator(".gmm-scene").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, 6):
        page.mouse.move(x + 12 * i, y + 4 * i)
    poll(lambda: view.get_attribute("data-point-path") == "subset", "the drag drew no subset")
    assert view.get_attribute("data-points-drawn") == str(LOD_POINTS)
    page.mouse.up()
    poll(
        lambda: view.get_attribute("data-points-drawn") == str(N_POINTS),
        "all points did not come back at release",
    )
    assert view.get_attribute("data-point-path") == "two-pass"
    # the view stays where the drag left it: 60 px to the right turn the azimuth by 30°
    assert page.evaluate("window.gmmlearnModel.get('azim')") == pytest.approx(azim - 30)
    assert page.console_log.errors == []
