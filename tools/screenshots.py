"""Screenshots of the explorer in JupyterLab, as a student sees it (docs/screenshots/).

    .venv/bin/python tools/screenshots.py [OUT_DIR]

Starts JupyterLab on 127.0.0.1 with a temporary configuration (the helpers of the browser
tests), opens a notebook with ``explore(load_x(), 4, init="bounding-box")`` in headless Chromium
(Debian's, software WebGL) at 1280 × 1000 with the left side bar closed, and saves the controls
and figure at half-steps 0, 9 (an E-step), 10 (an M-step) and 10 turned by a mouse drag.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

import browser_harness as harness  # noqa: E402  (servers, Chromium, the explorer in the page)

CELL = (
    "from gmmlearn.datasets import load_x\n"
    "from gmmlearn.widgets import explore\n\n"
    'ex = explore(load_x(), n_components=4, init="bounding-box", random_state=0)\n'
    "ex"
)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    source = tmp / "explorer.ipynb"
    source.write_text(harness.notebook_json([CELL]))
    with harness.lab_page(source, tmp, width=1280) as page:
        view = page.locator(".gmm-webview").first
        view.wait_for(state="visible", timeout=60_000)
        output = page.locator(".jp-OutputArea-output").filter(has=view).first
        time.sleep(2)

        def shot(name: str) -> None:
            time.sleep(0.6)
            box, figure = output.bounding_box(), view.bounding_box()
            height = figure["y"] + figure["height"] - box["y"] + 10
            clip = {"x": box["x"], "y": box["y"], "width": box["width"], "height": height}
            page.screenshot(path=str(out / name), clip=clip)
            print(out / name)

        shot("browser_view_step00.png")
        handle = page.locator(".widget-slider .noUi-handle").first
        handle.focus()
        for _ in range(9):
            handle.press("ArrowRight")
            time.sleep(0.15)
        shot("browser_view_step09.png")
        handle.press("ArrowRight")
        shot("browser_view_step10.png")
        scene = page.locator(".gmm-scene").first.bounding_box()
        x, y = scene["x"] + scene["width"] / 2, scene["y"] + scene["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x - 160, y + 70, steps=15)
        page.mouse.up()
        shot("browser_view_rotated.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
