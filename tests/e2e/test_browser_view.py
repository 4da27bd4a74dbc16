"""The browser view in real Chromium: it steps, plays and turns without the kernel.

* In JupyterLab, with the kernel kept busy by a second cell (``time.sleep``): a key press, Play,
  a mouse drag and the wheel each change the figure's pixels — proof that they run in the
  browser. No console errors, and no request leaves 127.0.0.1.
* The static HTML export, opened from a file with no server: it draws, plays and turns.
* A browser without WebGL: the explorer says so and falls back to the matplotlib view.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from browser_harness import poll

pytestmark = pytest.mark.e2e

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
LOCAL_URL = "http://127.0.0.1:"
BUSY_SECONDS = 240  # the second cell keeps the kernel busy this long (40 s ran out under load)

EXPLORER_CELL = (
    "from gmmlearn.datasets import load_x\n"
    "from gmmlearn.widgets import explore\n"
    'ex = explore(load_x(), n_components=4, init="bounding-box", random_state=0)\n'
    "ex"
)
BUSY_CELL = (
    "import time\n\n"
    "print('sleeping', flush=True)\n"
    f"time.sleep({BUSY_SECONDS})  # the kernel is busy from here on"
)

OPEN_JS = """
() => {
    const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    return Boolean(w && w.content && w.content.model && w.sessionContext);
}
"""
# Run every cell without waiting for them (the last one sleeps).
RUN_ALL_JS = """
() => {
    const app = window.jupyterapp;
    const panel = app.shell.currentWidget;
    panel.sessionContext.ready.then(() => app.commands.execute('notebook:run-all-cells'));
}
"""
# The busy cell (the last): [its prompt, its output]. "[*]" with "sleeping" printed: it runs.
# (Not the kernel's status: comm messages answered beside the sleeping cell report "idle".)
BUSY_CELL_JS = """
() => {
    const cells = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell');
    const last = cells[cells.length - 1];
    const output = last.querySelector('.jp-OutputArea');
    return [last.querySelector('.jp-InputPrompt').textContent.trim(),
            output ? output.textContent : ''];
}
"""
HALF_STEP_JS = "(el) => Number(el.dataset.halfStep)"
# The pixels of the 3-D scene alone (the back, points and front layers).
SCENE_JS = """
(el) => Array.from(el.querySelectorAll('.gmm-scene canvas'), (c) => c.toDataURL()).join('|')
"""
# No WebGL: every getContext('webgl…') answers null, as in a browser without it.
NO_WEBGL_JS = """
(() => {
    const original = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
        return /webgl/i.test(type) ? null : original.call(this, type, ...rest);
    };
})();
"""


def _requests(page) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


def _busy(page) -> bool:
    prompt, output = page.evaluate(BUSY_CELL_JS)
    return prompt == "[*]:" and "sleeping" in output


def _open_and_run(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(OPEN_JS)
    page.evaluate(RUN_ALL_JS)


@pytest.fixture(scope="module")
def lab_notebooks(lab_serving):
    """JupyterLab serving two notebooks: the explorer then a busy kernel; the explorer alone."""
    return lab_serving({"busy.ipynb": [EXPLORER_CELL, BUSY_CELL], "alone.ipynb": [EXPLORER_CELL]})


def test_steps_plays_and_turns_while_the_kernel_is_busy(lab_notebooks, page, explorer_factory):
    urls = _requests(page)
    _open_and_run(page, lab_notebooks.url_of("busy.ipynb"))
    explorer = explorer_factory(PANEL)
    view = explorer.output.locator(".gmm-webview").first
    before = explorer.wait_rendered()
    poll(lambda: _busy(page), "the busy cell never started running")
    start = time.monotonic()

    # a key press on the step slider: the next half-step is drawn
    assert view.evaluate(HALF_STEP_JS) == 0
    explorer.press_right()
    poll(lambda: view.evaluate(HALF_STEP_JS) == 1, "half-step 1 was not drawn")
    stepped = explorer.wait_figure_settled(differs_from=before)
    assert explorer.label_matches(1), explorer.label_text()

    # Play advances on its own, several frames
    explorer.play_pause.click()
    poll(lambda: view.evaluate(HALF_STEP_JS) >= 6, "Play did not advance to half-step 6")
    explorer.play_pause.click()
    played = explorer.wait_figure_settled(differs_from=stepped)

    # a drag turns the 3-D view; the wheel zooms
    scene = view.locator(".gmm-scene")
    box = scene.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    turned_from = view.evaluate(SCENE_JS)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 120, y + 40, steps=12)
    page.mouse.up()
    poll(lambda: view.evaluate(SCENE_JS) != turned_from, "a drag did not turn the view")
    turned = view.evaluate(SCENE_JS)
    page.mouse.wheel(0, -400)
    poll(lambda: view.evaluate(SCENE_JS) != turned, "the wheel did not zoom")

    # all of the above happened while the kernel was sleeping
    assert _busy(page)
    assert time.monotonic() - start < BUSY_SECONDS - 5
    assert played != stepped
    assert explorer.widget_errors() == []
    assert page.console_log.errors == []
    remote = [u for u in urls if not u.startswith((LOCAL_URL, "data:", "blob:"))]
    assert remote == [], f"requests left 127.0.0.1: {remote[:5]}"


def test_the_texts_follow_from_the_kernel(lab_notebooks, page, explorer_factory):
    _open_and_run(page, lab_notebooks.url_of("alone.ipynb"))
    explorer = explorer_factory(PANEL)
    explorer.wait_rendered()
    explorer.press_right()
    explorer.press_right()
    # the kernel's label (hidden: the figure's own title says it first) and the parameters
    label = explorer.output.locator(".widget-html-content", has_text="half-step ")
    poll(
        lambda: any(t.startswith("half-step 2 of") for t in label.all_text_contents()),
        "the kernel's texts did not follow the step",
    )
    assert explorer.label_matches(2)
    assert page.console_log.errors == []


def test_static_export_animates_from_a_file(page, tmp_path):
    from gmmlearn.datasets import load_x
    from gmmlearn.webview.export import export_html
    from gmmlearn.widgets import run_trace

    trace = run_trace(load_x(), 4, "bounding-box", max_iter=12)
    path = Path(export_html(tmp_path / "run.html", trace, interval=60))
    urls = _requests(page)
    page.goto(path.as_uri())
    view = page.locator(".gmm-webview")
    poll(lambda: view.get_attribute("data-frames-drawn"), "the page drew nothing")
    first = view.evaluate(SCENE_JS)
    page.click(".gmm-play")
    poll(lambda: view.evaluate(HALF_STEP_JS) >= 5, "the page did not play")
    assert view.evaluate(SCENE_JS) != first
    assert "half-step " in page.locator(".gmm-title").inner_text()
    page.click(".gmm-play")  # pause
    box = page.locator(".gmm-scene").bounding_box()
    turned_from = view.evaluate(SCENE_JS)
    page.mouse.move(box["x"] + 200, box["y"] + 200)
    page.mouse.down()
    page.mouse.move(box["x"] + 300, box["y"] + 220, steps=8)
    page.mouse.up()
    poll(lambda: view.evaluate(SCENE_JS) != turned_from, "a drag did not turn the view")
    page.mouse.dblclick(box["x"] + 300, box["y"] + 220)  # back to the first angle and zoom
    poll(lambda: view.evaluate(SCENE_JS) == turned_from, "a double-click did not reset")
    assert page.console_log.errors == []
    assert all(u.startswith(("file:", "data:", "blob:")) for u in urls), urls[:5]


def test_without_webgl_the_explorer_says_so_and_falls_back(lab_notebooks, page, explorer_factory):
    page.add_init_script(NO_WEBGL_JS)
    _open_and_run(page, lab_notebooks.url_of("alone.ipynb"))
    explorer = explorer_factory(PANEL)
    explorer.handle.wait_for(state="visible")
    message = explorer.output.locator(".widget-html-content", has_text="no WebGL").first
    message.wait_for(state="visible")
    # the matplotlib view took its place: a PNG that follows the slider through the kernel
    explorer.output.locator("img").first.wait_for(state="visible")
    before = explorer.wait_rendered()
    explorer.press_right()
    explorer.wait_value(1)
    explorer.wait_figure_settled(differs_from=before)
    assert explorer.label_matches(1), explorer.label_text()
    assert explorer.widget_errors() == []
    assert page.console_log.errors == []
