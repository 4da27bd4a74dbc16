"""Whole-window screenshots of the explorer in the room (docs/screenshots/room_*.png).

    .venv/bin/python tools/room_screenshots.py [OUT_DIR]

One command remakes them all: the EM explorer on 3-D data (``x.csv``, K = 4) and the 2-D
playground (Old Faithful, K = 2), each in JupyterLab at 1280 × 720 with the file browser open (a
classroom projector) and at 1920 × 1080, and in Voilà at both sizes, in headless Chromium
(Debian's, software WebGL); one more picture at 1280 × 720 shows the keys (?). The explorer is
scrolled to its top and the picture given the keyboard: the 3-D run is stepped with → to
half-step 9 (an E-step), the playground sent to its last step with End (a click would add a
point). Prints, for each picture, the explorer's and the picture's height and any text of the
explorer cut with "…", and fails when a text is cut or, at 1280 × 720, the picture is not
wholly on screen or the explorer in JupyterLab is taller than 620 px (in Voilà it may take the
whole window: no JupyterLab around it).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import browser_harness as harness  # the servers and Chromium of the browser tests

ROOT = Path(__file__).resolve().parents[1]
EM_3D = (
    "from gmmlearn.datasets import load_x\n"
    "from gmmlearn.widgets import explore\n\n"
    'explore(load_x(), n_components=4, init="bounding-box", random_state=0)'
)
PLAYGROUND = (
    "from gmmlearn.widgets import explore\n\n"
    'explore("old_faithful", n_components=2, init="kmeans", random_state=0)'
)
# the notebook (short: JupyterLab's file browser cuts long names), the name's part in the
# pictures' names, the cell, the keys that bring it to the step shown
SUBJECTS = (
    ("em3d.ipynb", "", EM_3D, ["ArrowRight"] * 9),
    ("playground.ipynb", "playground_", PLAYGROUND, ["End"]),
)
SIZES = ((1280, 720), (1920, 1080))
EXPLORER_LIMIT = 620  # px in JupyterLab at 1280 × 720 (issue 23): controls and picture together
MEASURE_JS = """() => {
  const view = document.querySelector('.gmm-webview');
  const outer = view.closest('.gmm-explorer').getBoundingClientRect();
  const scene = view.querySelector('.gmm-scene').getBoundingClientRect();
  return [outer.height, scene.height, scene.bottom, window.innerHeight];
}"""


def _to_step(page, keys: list[str]) -> None:
    view = page.locator(".gmm-webview").first
    view.evaluate("(v) => v.closest('.gmm-explorer').scrollIntoView({block: 'start'})")
    time.sleep(1)
    scene = view.locator(".gmm-scene")
    scene.evaluate("(s) => s.focus({preventScroll: true})")  # the picture takes the keyboard
    start = view.get_attribute("data-half-step")
    for key in keys:
        page.keyboard.press(key)
    harness.poll(lambda: view.get_attribute("data-half-step") != start, f"{keys[0]} did nothing")
    time.sleep(1.5)  # the glide and the kernel's texts


def _shoot(page, out: Path, name: str, width: int) -> list[str]:
    """Save the window as ``name``; return what is wrong with it (at 1280 px: the room's rules)."""
    page.screenshot(path=str(out / name))
    explorer, scene, scene_bottom, window = page.evaluate(MEASURE_JS)
    outer = page.locator(".gmm-explorer").first
    cut = harness.cut_texts(outer)
    print(f"{name}: explorer {explorer:.0f} px tall, picture {scene:.0f} px, cut texts {cut}")
    problems = [f"{name}: cut {cut}"] if cut else []
    if width == 1280 and name.startswith("room_lab") and explorer > EXPLORER_LIMIT:
        problems.append(f"{name}: explorer {explorer:.0f} px > {EXPLORER_LIMIT}")
    if width == 1280 and scene_bottom > window + 1:
        problems.append(f"{name}: the picture ends at {scene_bottom:.0f} px, below the window")
    return problems


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp())
    notebooks = {name: [cell] for name, _, cell, _ in SUBJECTS}
    problems = []
    with (
        harness.jupyterlab_serving(notebooks, tmp / "lab") as lab,
        sync_playwright() as pw,
    ):
        browser = harness.launch_chromium(pw)
        try:
            for name, prefix, cell, keys in SUBJECTS:
                (tmp / name).write_text(harness.notebook_json([cell]))
                with harness.voila_server(tmp / name, tmp / f"voila_{prefix}") as voila:
                    for width, height in SIZES:
                        size = f"{prefix}{width}x{height}.png"
                        page = browser.new_page(viewport={"width": width, "height": height})
                        harness.open_and_run(page, lab.url_of(name))
                        page.wait_for_selector(".gmm-webview[data-frames-drawn]", timeout=90_000)
                        _to_step(page, keys)
                        problems += _shoot(page, out, f"room_lab_{size}", width)
                        if width == 1280 and not prefix:
                            page.keyboard.press("?")
                            time.sleep(0.5)
                            problems += _shoot(page, out, "room_lab_keys.png", width)
                        page.close()
                        page = browser.new_page(viewport={"width": width, "height": height})
                        page.goto(voila.notebook_url)
                        page.wait_for_selector(".gmm-webview[data-frames-drawn]", timeout=120_000)
                        _to_step(page, keys)
                        problems += _shoot(page, out, f"room_voila_{size}", width)
                        page.close()
        finally:
            browser.close()
    if problems:
        raise SystemExit("the room's rules are not met:\n" + "\n".join(problems))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
