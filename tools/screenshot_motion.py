"""Screenshots of the explorer's half-steps and glides in JupyterLab (docs/screenshots/motion_*).

    .venv/bin/python tools/screenshot_motion.py [OUT_DIR]

JupyterLab on 127.0.0.1 (the browser tests' temporary configuration), a notebook with
``explore(load_x(), 4, init="bounding-box")``, headless Chromium (Debian's, software WebGL) at
1280 × 720 with the file browser open (a classroom projector) and at 1920 × 1080. At each size:
half-step 0 (θ₀ over grey points), half-step 1 (the first E-step colours them), a frame in the
middle of the glide to half-step 2 (the scene alone, kept by the page: a screenshot takes longer
than a glide; its title, labelled as a transition, is printed) and half-step 2 itself.
"""

from __future__ import annotations

import base64
import sys
import tempfile
import time
from pathlib import Path

import browser_harness as harness  # servers, Chromium, the explorer in the page

CELL = (
    "from gmmlearn.datasets import load_x\n"
    "from gmmlearn.widgets import explore\n\n"
    'ex = explore(load_x(), n_components=4, init="bounding-box", random_state=0)\n'
    "ex"
)
SIZES = {"1280x720": (1280, 720, True), "1920x1080": (1920, 1080, False)}
SETTLED_JS = "(el) => el.dataset.transition === '0' && Number(el.dataset.halfStep) === %d"
# The first drawn frame of a glide past its first third: the scene's three layers composited
# (the WebGL layer keeps its drawing buffer), and the title.
CATCH_GLIDE_JS = """
(el) => {
    window.__glide = null;
    let start = null;
    const observer = new MutationObserver(() => {
        if (el.dataset.transition !== '1') return;
        start = start ?? performance.now();
        if (performance.now() - start < 80) return;
        observer.disconnect();
        const layers = el.querySelectorAll('.gmm-scene canvas');
        const c = document.createElement('canvas');
        c.width = layers[0].width;
        c.height = layers[0].height;
        const ctx = c.getContext('2d');
        ctx.fillStyle = '#fff';
        ctx.fillRect(0, 0, c.width, c.height);
        for (const layer of layers) ctx.drawImage(layer, 0, 0);
        window.__glide = {png: c.toDataURL('image/png'),
                          title: el.querySelector('.gmm-title').textContent};
    });
    observer.observe(el, {attributes: true, attributeFilter: ['data-frames-drawn']});
}
"""


def shoot(page, out: Path, tag: str) -> None:
    view = page.locator(".gmm-webview").first
    view.wait_for(state="attached", timeout=120_000)
    page.wait_for_function(
        "(el) => el.dataset.framesDrawn", arg=view.element_handle(), timeout=120_000
    )
    view.scroll_into_view_if_needed()
    time.sleep(2)

    def shot(name: str) -> None:
        path = out / f"motion_{tag}_{name}.png"
        page.screenshot(path=str(path))
        print(path, "·", view.locator(".gmm-title").inner_text())

    shot("step0_grey")
    handle = page.locator(".widget-slider .noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    handle.press("ArrowRight")
    page.wait_for_function(SETTLED_JS % 1, arg=view.element_handle(), timeout=30_000)
    time.sleep(0.5)
    shot("step1_first_e_step")
    # a glide lasts 240 ms, less than a screenshot takes: the page keeps its middle frame
    view.evaluate(CATCH_GLIDE_JS)
    handle.press("ArrowRight")
    page.wait_for_function("window.__glide !== null", timeout=30_000)
    glide = page.evaluate("window.__glide")
    path = out / f"motion_{tag}_step2_gliding_scene.png"
    path.write_bytes(base64.b64decode(glide["png"].split(",", 1)[1]))
    print(path, "·", glide["title"])
    page.wait_for_function(SETTLED_JS % 2, arg=view.element_handle(), timeout=30_000)
    time.sleep(0.5)
    shot("step2_m_step")


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    source = tmp / "explorer.ipynb"
    source.write_text(harness.notebook_json([CELL]))
    with harness.jupyterlab_server(source, tmp / "server") as server, sync_playwright() as pw:
        browser = harness.launch_chromium(pw)
        try:
            for tag, (width, height, file_browser) in SIZES.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(server.notebook_url)
                page.wait_for_function(harness.NOTEBOOK_OPEN_JS, timeout=60_000)
                page.evaluate(
                    """(fileBrowser) => {
                        const app = window.jupyterapp;
                        if (fileBrowser) app.commands.execute('filebrowser:activate');
                        else app.commands.execute('application:toggle-left-area');
                        const panel = app.shell.currentWidget;
                        panel.sessionContext.ready.then(
                            () => app.commands.execute('notebook:run-all-cells'));
                    }""",
                    file_browser,
                )
                shoot(page, out, tag)
                page.close()
        finally:
            browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[1] / "docs/screenshots")
