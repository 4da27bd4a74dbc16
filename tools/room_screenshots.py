"""Whole-window screenshots of the explorer in the room (docs/screenshots/room_*.png).

    .venv/bin/python tools/room_screenshots.py [OUT_DIR]

JupyterLab at 1280 × 720 with the file browser open (a classroom projector) and at
1920 × 1080, and Voilà (notebooks/explorer_app.ipynb) at both sizes, in headless Chromium
(Debian's, software WebGL). The explorer is scrolled to its top, the picture clicked and
stepped with → to half-step 9 (an E-step); one more picture at 1280 × 720 shows the keys (?).
Prints the explorer's and the picture's height at each size.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import browser_harness as harness  # the servers and Chromium of the browser tests

ROOT = Path(__file__).resolve().parents[1]
CELL = (
    "from gmmlearn.datasets import load_x\n"
    "from gmmlearn.widgets import explore\n\n"
    'explore(load_x(), n_components=4, init="bounding-box", random_state=0)'
)
SIZES = ((1280, 720), (1920, 1080))
HEIGHTS_JS = """() => {
  const view = document.querySelector('.gmm-webview');
  const outer = view.closest('.gmm-explorer');
  return [outer.getBoundingClientRect().height, view.querySelector('.gmm-scene').clientHeight];
}"""


def _step_to_9(page) -> None:
    view = page.locator(".gmm-webview").first
    view.evaluate("(v) => v.closest('.gmm-explorer').scrollIntoView({block: 'start'})")
    time.sleep(1)
    box = view.locator(".gmm-scene").bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + box["height"] - 15)
    for _ in range(9):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.gmm-webview').dataset.halfStep === '9'")
    time.sleep(1.5)


def _shoot(page, out: Path, name: str) -> None:
    page.screenshot(path=str(out / name))
    explorer, scene = page.evaluate(HEIGHTS_JS)
    print(f"{name}: explorer {explorer:.0f} px tall, picture {scene} px")


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp())
    with (
        harness.jupyterlab_serving({"explorer.ipynb": [CELL]}, tmp / "lab") as lab,
        harness.voila_server(ROOT / "notebooks" / "explorer_app.ipynb", tmp / "voila") as voila,
        sync_playwright() as pw,
    ):
        browser = harness.launch_chromium(pw)
        try:
            for width, height in SIZES:
                page = browser.new_page(viewport={"width": width, "height": height})
                harness.open_and_run(page, lab.url_of("explorer.ipynb"))
                page.wait_for_selector(".gmm-webview[data-frames-drawn]", timeout=90_000)
                _step_to_9(page)
                _shoot(page, out, f"room_lab_{width}x{height}.png")
                if width == 1280:
                    page.keyboard.press("?")
                    time.sleep(0.5)
                    _shoot(page, out, "room_lab_keys.png")
                page.close()
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(voila.notebook_url)
                page.wait_for_selector(".gmm-webview[data-frames-drawn]", timeout=120_000)
                _step_to_9(page)
                _shoot(page, out, f"room_voila_{width}x{height}.png")
                page.close()
        finally:
            browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
