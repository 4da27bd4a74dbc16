"""Screenshots of the 2-D playground in JupyterLab: before and after a drag, and a collapse.

    PYTHONPATH=$PWD .venv/bin/python tools/screenshot_playground.py [OUT_DIR]

Starts JupyterLab (tools/browser_harness.py's ``jupyterlab_server``: temporary config, nothing of
the user's is read), opens a notebook running ``explore("old_faithful", 2)`` in Debian's
headless Chromium at 1600 × 1000 and, with the real mouse:

* ``playground_before.png``: the converged run (last step), a point hovered (its row of γ);
* ``playground_dragging.png``: mean 2 held over the lower-left cluster (not yet released);
* ``playground_after.png``: released: the new run from there, at its θ₀, its curve and BIC;
* ``playground_collapse.png``: the "outliers" preset, K = 3, mean 3 dragged onto an outlier:
  the component collapses and the message explains why and what to do.

Default OUT_DIR: ``docs/screenshots``. The kernel imports gmmlearn from PYTHONPATH.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import browser_harness as harness  # noqa: E402  (servers, Chromium, the explorer in the page)
import numpy as np  # noqa: E402

CELL = (
    "from gmmlearn.widgets import explore\n"
    'ex = explore("old_faithful", 2, init="kmeans", random_state=0)\n'
    "ex"
)
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def run_drawn(view) -> int:
    return int(view.get_attribute("data-run-drawn") or 0)


def drag(page, front, start, end) -> None:
    page.mouse.move(front["x"] + start[0], front["y"] + start[1])
    page.mouse.down()
    page.mouse.move(front["x"] + end[0], front["y"] + end[1], steps=12)
    page.mouse.up()


def last_step(page, explorer) -> None:
    explorer.handle.focus()
    explorer.handle.press("End")
    page.wait_for_timeout(600)


def screen_map(view, X):
    """Data → scene pixels of the 2-D view of ``X`` (``data-scene-scale`` and the axis frame)."""
    from gmmlearn.webview.frames import axis_frame

    width, height, scale = json.loads(view.get_attribute("data-scene-scale"))
    centre, half = axis_frame(np.asarray(X), [0, 1])

    def to_screen(point):
        cube = (np.asarray(point, dtype=float) - centre) / half
        return (width / 2 + cube[0] * scale, height / 2 - cube[1] * scale)

    return to_screen


def last_run(explore_args: dict):
    """The run the kernel shows, recomputed here (the same deterministic call)."""
    from gmmlearn.widgets import explore

    return explore(**explore_args)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    notebook = tmp / "playground.ipynb"
    notebook.write_text(harness.notebook_json([CELL]))
    faithful = last_run({"X": "old_faithful", "n_components": 2, "init": "kmeans"})
    with harness.lab_page(notebook, tmp) as page:
        explorer = harness.Explorer(page, PANEL)
        explorer.wait_rendered()
        page.wait_for_timeout(500)
        view = explorer.output.locator(".gmm-webview").first
        last_step(page, explorer)
        to_screen = screen_map(view, faithful.X)
        scroll_to(page, explorer)
        front = view.locator(".gmm-front").bounding_box()

        # before: the converged run, the point with the most uncertain γ hovered
        from gmmlearn import responsibilities

        X = faithful.X
        faithful.show(faithful.step_slider.max)
        gamma = responsibilities(X, faithful.trace.params[faithful.view.state.resp_iteration])
        n = int(gamma.max(axis=1).argmin())
        x, y = to_screen(X[n])
        page.mouse.move(front["x"] + x, front["y"] + y, steps=3)
        harness.poll(lambda: view.get_attribute("data-hover-gamma"), "no γ row on hover")
        page.screenshot(path=str(out / "playground_before.png"))
        print(out / "playground_before.png", view.get_attribute("data-hover-gamma"))

        # dragging: mean 2 held over the other cluster (a dashed line from where it was)
        means = faithful.trace.params[-1].means
        start, end = to_screen(means[1]), to_screen((2.0, 75.0))
        page.mouse.move(front["x"] + start[0], front["y"] + start[1])
        page.mouse.down()
        page.mouse.move(front["x"] + end[0], front["y"] + end[1], steps=12)
        page.wait_for_timeout(300)
        page.screenshot(path=str(out / "playground_dragging.png"))
        # after: released; the new run from there, at its θ₀
        before = run_drawn(view)
        page.mouse.up()
        harness.poll(lambda: run_drawn(view) > before, "no new run after the drag")
        page.mouse.move(front["x"] + 4, front["y"] + 4)
        page.wait_for_timeout(500)
        page.screenshot(path=str(out / "playground_after.png"))
        print(out / "playground_after.png", message(explorer))

        # the collapse: "outliers", K = 3, mean 3 dragged onto the outlier at (6.4, -10.1)
        outliers = last_run({"X": "outliers", "n_components": 3, "init": "kmeans"})
        select = explorer.output.locator("select").filter(
            has=page.locator("option", has_text="blobs + outliers")
        )
        select.select_option(label="blobs + outliers")
        harness.poll(
            lambda: "three" not in message(explorer) and "outliers" in message(explorer),
            "the preset did not switch",
        )
        set_k(explorer, 3)
        harness.poll(lambda: "K=3" in message(explorer), "K did not become 3")
        last_step(page, explorer)
        to_screen = screen_map(view, outliers.X)
        start = to_screen(outliers.trace.params[-1].means[2])
        end = to_screen(outliers.X[12])
        front = view.locator(".gmm-front").bounding_box()
        before = run_drawn(view)
        drag(page, front, start, end)
        harness.poll(lambda: run_drawn(view) > before, "no new run after the collapse drag")
        harness.poll(lambda: "collapsed" in message(explorer), "no collapse message")
        last_step(page, explorer)
        front = view.locator(".gmm-front").bounding_box()  # the message grew
        page.mouse.move(front["x"] + end[0] - 2, front["y"] + end[1] - 2, steps=3)
        page.wait_for_timeout(400)
        page.screenshot(path=str(out / "playground_collapse.png"))
        print(out / "playground_collapse.png", message(explorer))


def scroll_to(page, explorer) -> None:
    """Scroll the notebook so that the explorer's controls are at the top of the window."""
    explorer.output.evaluate("(el) => el.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)


def set_k(explorer, k: int) -> None:
    box = explorer.output.locator(".widget-text", has_text="K").locator("input").first
    box.fill(str(k))
    box.press("Enter")


def message(explorer) -> str:
    texts = explorer.output.locator(".widget-html-content").all_inner_texts()
    return " | ".join(t.strip() for t in texts if t.strip())


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
