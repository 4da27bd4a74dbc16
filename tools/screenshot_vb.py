"""Screenshots of the VB explorer in JupyterLab: PRML Fig. 10.6 stepped (docs/screenshots/).

    PYTHONPATH=$PWD .venv/bin/python tools/screenshot_vb.py [OUT_DIR]

Old Faithful, K = 6, the book's Dirichlet prior with α₀ = 10⁻³, started from k-means
(seed 0): ``vb_start.png`` at half-step 0, ``vb_pruned.png`` at the end of
the run, when four of the six components have faded out. Headless Chromium (Debian's, software
WebGL) at 1600 × 1000 with the left side bar closed, through the browser tests' helpers.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

import browser_harness as harness  # noqa: E402  (servers, Chromium, the explorer in the page)

CELL = (
    "from gmmlearn.datasets import old_faithful\n"
    "from gmmlearn.widgets import explore\n\n"
    'ex = explore(old_faithful(), 6, method="vb", init="kmeans", random_state=0,\n'
    "             weight_concentration_prior=1e-3,\n"
    '             weight_concentration_prior_type="dirichlet_distribution")\n'
    "ex"
)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    source = tmp / "vb_explorer.ipynb"
    source.write_text(harness.notebook_json([CELL]))
    with harness.lab_page(source, tmp) as page:
        view = page.locator(".gmm-webview").first
        view.wait_for(state="visible", timeout=60_000)
        output = page.locator(".jp-OutputArea-output").filter(has=view).first
        time.sleep(2)

        def shot(name: str) -> None:
            time.sleep(1.5)  # the kernel's texts follow the step
            output.scroll_into_view_if_needed()
            page.screenshot(path=str(out / name))
            print(out / name)

        shot("vb_start.png")
        explorer = harness.Explorer(page, ".jp-NotebookPanel:not(.lm-mod-hidden)")
        explorer.handle.focus()
        explorer.handle.press("End")
        shot("vb_pruned.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
