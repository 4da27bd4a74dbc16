"""Screenshots of the ln p = L + KL panel (PRML §9.4) at an E and an M half-step.

    .venv/bin/python tools/screenshot_bound.py [OUT_DIR]

Exports ``explore``'s default run on ``x.csv`` (K = 4, bounding-box initialisation) as a static
page (:func:`gmmlearn.webview.export.export_html`), opens it in headless Chromium (Debian's,
software WebGL) at 1600 × 1000 and saves the page at half-steps 9 (an E-step) and 10 (an
M-step) as ``why_em_climbs_E09.png`` and ``why_em_climbs_M10.png`` (default ``docs/screenshots``),
printing the L and KL each shows.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import browser_harness as harness  # noqa: E402  (servers, Chromium, the explorer in the page)
from playwright.sync_api import sync_playwright  # noqa: E402

from gmmlearn.datasets import load_x  # noqa: E402
from gmmlearn.webview.export import export_html  # noqa: E402
from gmmlearn.widgets import run_trace  # noqa: E402

STEPS = {9: "why_em_climbs_E09.png", 10: "why_em_climbs_M10.png"}


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    trace = run_trace(load_x(), 4, "bounding-box")
    page_path = Path(tempfile.mkdtemp()) / "run.html"
    export_html(page_path, trace, elev=22, azim=-60)
    with sync_playwright() as pw:
        browser = harness.launch_chromium(pw)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(page_path.as_uri())
            view = page.locator(".gmm-webview")
            view.wait_for(state="visible")
            for step, name in STEPS.items():
                # through the page's own slider, as a student would
                page.locator(".gmm-step").evaluate(
                    f"(s) => {{ s.value = '{step}'; s.dispatchEvent(new Event('input')); }}"
                )
                page.wait_for_function(
                    f"document.querySelector('.gmm-webview').dataset.halfStep === '{step}'"
                )
                page.wait_for_timeout(300)
                page.screenshot(path=str(out / name))
                shown = view.evaluate("(el) => [el.dataset.lowerBound, el.dataset.kl]")
                print(f"{out / name}: half-step {step}, L = {shown[0]}, KL = {shown[1]}")
        finally:
            browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
