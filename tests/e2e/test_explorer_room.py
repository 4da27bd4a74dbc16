"""The explorer in the room (issue 23, items 1, 4, 6) in JupyterLab and real Chromium.

- Layout: at 1280×720 with the file browser open the whole explorer is at most 620 px tall and,
  scrolled to its top, its controls and its picture are on screen together; at 1920×1080 the
  picture grows with the window.
- Keys: a click on the picture gives it the keyboard; → / ← step (the notebook does not scroll),
  Home / End, Space plays and pauses, + zooms, Shift+← turns the 3-D view, ? shows the keys; an
  aria-live line describes the half-step shown.
- Playground: a point added near the box's edge leaves the axes where they were; Ctrl+Z on the
  picture undoes it.
- axe-core (vendored under tests/e2e/vendor, from the npm registry) finds no serious or
  critical violation in the explorer's output (EM in 3-D with its texts open, the playground,
  VB).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser_harness import poll

pytestmark = pytest.mark.e2e

NOTEBOOKS = {
    "em3d.ipynb": [
        "from gmmlearn.datasets import load_x\n"
        "from gmmlearn.widgets import explore\n"
        'explore(load_x(), 4, init="bounding-box")'
    ],
    "playground.ipynb": [
        "from gmmlearn.widgets import explore\n"
        'ex = explore("old_faithful", 2, init="bounding-box")\n'
        "ex"
    ],
    "vb.ipynb": [
        "from gmmlearn.datasets import old_faithful\n"
        "from gmmlearn.widgets import explore\n"
        'explore(old_faithful(), 6, method="vb")'
    ],
}
BOXES_JS = """(view) => {
  const box = (node) => {
    const r = node.getBoundingClientRect();
    return [r.top, r.bottom, r.width, r.height];
  };
  const outer = view.closest('.gmm-explorer');
  const notebook = view.closest('.jp-WindowedPanel-outer');
  return {explorer: box(outer), scene: box(view.querySelector('.gmm-scene')),
          notebook: box(notebook), scrollTop: notebook.scrollTop};
}"""


@pytest.fixture(scope="module")
def lab_room(lab_serving):
    return lab_serving(NOTEBOOKS)


def _data(view, name):
    return view.evaluate(f"(v) => v.dataset.{name}")


def _boxes(view):
    # measured once the picture stopped changing size
    def settled():
        first = view.evaluate(BOXES_JS)
        page_wait = view.page.wait_for_timeout
        page_wait(300)
        second = view.evaluate(BOXES_JS)
        return second if first == second else None

    return poll(settled, "the explorer kept changing size")


def test_controls_and_picture_fit_a_720p_screen_and_grow_at_1080p(lab_room, page, open_explorer):
    explorer, view = open_explorer(lab_room, "em3d.ipynb")
    assert page.locator(".jp-FileBrowser").first.is_visible()  # the file browser is open
    boxes = _boxes(view)
    top, bottom, _, height = boxes["explorer"]
    assert height <= 620, boxes
    scene_top, scene_bottom, scene_width, scene_height = boxes["scene"]
    assert scene_height >= 300, boxes
    # scrolled to its top: the stepping controls and the whole picture are on screen
    notebook_top, notebook_bottom = boxes["notebook"][:2]
    assert explorer.handle.bounding_box()["y"] >= notebook_top
    assert scene_bottom <= notebook_bottom + 1, boxes

    page.set_viewport_size({"width": 1920, "height": 1080})
    view.evaluate("(v) => v.closest('.gmm-explorer').scrollIntoView({block: 'start'})")
    big = poll(
        lambda: (b := _boxes(view)) and b["scene"][3] > 1.5 * scene_height and b,
        "the picture did not grow at 1920×1080",
    )
    assert big["scene"][2] > 1.5 * scene_width
    assert big["scene"][1] <= big["notebook"][1] + 1, big  # still on screen with its controls
    # long titles wrap, never "…"
    assert view.locator(".gmm-title").evaluate("(t) => getComputedStyle(t).textOverflow") == "clip"


def test_the_picture_takes_the_keyboard(lab_room, page, open_explorer):
    explorer, view = open_explorer(lab_room, "em3d.ipynb")
    scene = view.locator(".gmm-scene")
    box = scene.bounding_box()
    page.mouse.click(box["x"] + 20, box["y"] + box["height"] - 20)  # a click, no drag
    assert scene.evaluate("(s) => document.activeElement === s")
    scroll = _boxes(view)["scrollTop"]

    top = scene.bounding_box()["y"]
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    poll(lambda: _data(view, "halfStep") == "2", "→ did not step")
    assert scene.bounding_box()["y"] == top  # a longer title does not push the picture
    explorer.wait_value(2)  # the slider follows (jslink)
    assert _boxes(view)["scrollTop"] == scroll  # the notebook did not scroll
    page.keyboard.press("ArrowLeft")
    poll(lambda: _data(view, "halfStep") == "1", "← did not step back")
    live = view.locator("[role=status][aria-live=polite]")
    poll(lambda: live.inner_text().startswith("half-step 1 of"), "no aria-live description")
    assert "E-step" in live.inner_text() and "Weights: π₁" in live.inner_text()
    page.keyboard.press("End")
    last = int(float(explorer.slider.locator("[role=slider]").get_attribute("aria-valuemax")))
    poll(lambda: _data(view, "halfStep") == str(last), "End did not go to the last step")
    assert scene.bounding_box()["y"] == top
    page.keyboard.press("Home")
    poll(lambda: _data(view, "halfStep") == "0", "Home did not go to the first step")

    page.keyboard.press(" ")  # Space plays
    poll(lambda: int(_data(view, "halfStep")) >= 3, "Space did not play")
    page.keyboard.press(" ")  # and pauses
    poll(lambda: _data(view, "playing") is None, "Space did not pause")
    stopped = _data(view, "halfStep")
    page.wait_for_timeout(700)
    assert _data(view, "halfStep") == stopped
    assert _boxes(view)["scrollTop"] == scroll  # Space did not scroll the page either

    scale = json.loads(_data(view, "sceneScale"))[2]
    page.keyboard.press("+")
    poll(lambda: json.loads(_data(view, "sceneScale"))[2] > scale * 1.2, "+ did not zoom")
    means = _data(view, "meanPositions")
    page.keyboard.press("Shift+ArrowLeft")
    poll(lambda: _data(view, "meanPositions") != means, "Shift+← did not rotate")
    help_box = view.locator(".gmm-keys-help")
    assert not help_box.is_visible()
    page.keyboard.press("?")
    help_box.wait_for(state="visible")
    assert "Space" in help_box.inner_text() and "Home / End" in help_box.inner_text()
    assert explorer.widget_errors() == [] and page.console_log.errors == []


def test_playground_axes_stay_put_and_ctrl_z_undoes(lab_room, page, open_explorer):
    explorer, view = open_explorer(lab_room, "playground.ipynb")
    ranges = json.loads(_data(view, "ranges"))
    front = view.locator(".gmm-front").bounding_box()
    scale = json.loads(_data(view, "sceneScale"))
    # the box's top-right corner area, beyond the data (the axes are padded by 8 %)
    width, height, pixels = scale
    x = width / 2 + 0.97 * pixels
    y = height / 2 - 0.97 * pixels
    page.mouse.click(front["x"] + x, front["y"] + y)
    poll(lambda: _data(view, "nSamples") == "273", "the click added no point")
    now = json.loads(_data(view, "ranges"))
    assert sum(now, []) == pytest.approx(sum(ranges, []), rel=1e-9)  # no rescale
    page.keyboard.press("Control+z")  # the click focused the picture
    poll(lambda: _data(view, "nSamples") == "272", "Ctrl+Z did not undo the point")
    message = explorer.output.locator(".widget-html-content", has_text="undone")
    message.first.wait_for(state="visible")
    # a click beyond the box's top-right corner adds the point on the corner (clamped drop)
    page.mouse.click(front["x"] + width / 2 + pixels + 25, front["y"] + height / 2 - pixels - 25)
    poll(lambda: _data(view, "nSamples") == "273", "the click beyond the box added no point")
    corner = f"({ranges[0][1]:.3g}, {ranges[1][1]:.3g})"
    added = explorer.output.locator(".widget-html-content", has_text=f"added point 273 at {corner}")
    added.first.wait_for(state="visible")
    assert explorer.widget_errors() == [] and page.console_log.errors == []


@pytest.mark.parametrize("name", ["em3d.ipynb", "playground.ipynb", "vb.ipynb"])
def test_axe_finds_no_serious_violation(lab_room, page, open_explorer, axe, name):
    explorer, view = open_explorer(lab_room, name)
    if name == "em3d.ipynb":  # the folded texts too
        explorer.output.locator(
            ".jupyter-widget-Accordion .lm-AccordionPanel-title, .jupyter-widget-Collapse-header"
        ).first.click()
        explorer.output.locator(".widget-tab").first.wait_for(state="visible")
    poll(lambda: view.locator(".gmm-side").get_attribute("aria-label"), "no side label")
    assert axe(view.evaluate_handle("(v) => v.closest('.gmm-explorer')")) == []


def test_static_export_fits_the_window_and_its_controls_follow_the_keys(page, tmp_path):
    from gmmlearn.datasets import load_x
    from gmmlearn.webview.export import export_html
    from gmmlearn.widgets import run_trace

    trace = run_trace(load_x(), 4, "bounding-box", max_iter=12)
    path = Path(export_html(tmp_path / "run.html", trace))
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(path.as_uri())
    view = page.locator(".gmm-webview")
    poll(lambda: view.get_attribute("data-frames-drawn"), "the page drew nothing")
    scene = page.locator(".gmm-scene")
    box = poll(lambda: (b := scene.bounding_box()) and b["height"] >= 300 and b, "no picture")
    assert box["y"] + box["height"] <= 720  # the page's controls and the picture: one screen
    page.mouse.click(box["x"] + 20, box["y"] + box["height"] - 20)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    poll(lambda: _data(view, "halfStep") == "2", "→ did not step in the page")
    assert page.locator(".gmm-step").input_value() == "2"  # the page's slider followed
    assert page.locator(".gmm-readout").inner_text().startswith("half-step 2 /")
    play = page.locator(".gmm-play")
    page.keyboard.press(" ")  # Space presses the page's own Play: its label follows
    poll(lambda: play.inner_text() == "❚❚ pause", "Space did not show pause on the page")
    assert _data(view, "playing") == "1"
    page.keyboard.press(" ")
    poll(lambda: play.inner_text() == "▶ play", "Space did not show play again")
    assert _data(view, "playing") is None
    page.set_viewport_size({"width": 1920, "height": 1080})
    poll(lambda: scene.bounding_box()["height"] > 1.4 * box["height"], "did not grow")
    assert page.console_log.errors == []


def test_voila_at_720p_shows_controls_and_picture_together(voila_app, page, explorer_factory):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(voila_app.notebook_url, timeout=120_000)
    explorer = explorer_factory("body")
    explorer.wait_rendered()
    view = explorer.output.locator(".gmm-webview").first
    view.evaluate("(v) => v.closest('.gmm-explorer').scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    scene = view.locator(".gmm-scene").bounding_box()
    assert scene["height"] >= 300
    assert explorer.handle.bounding_box()["y"] >= 0  # the stepping controls on screen …
    assert scene["y"] + scene["height"] <= 720 + 1  # … with the whole picture
    page.set_viewport_size({"width": 1920, "height": 1080})
    poll(
        lambda: view.locator(".gmm-scene").bounding_box()["height"] > 1.4 * scene["height"],
        "the picture did not grow at 1920×1080 in Voilà",
    )
    assert page.console_log.errors == []
