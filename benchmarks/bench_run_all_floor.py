"""The floor under "run-all → on screen": the same timing as bench_browser.py, on notebooks that
do almost nothing.

    .venv/bin/python benchmarks/bench_run_all_floor.py [--repeats 3]

bench_browser.py times the explorer from a kernel restart to its first presented frame (issue
23's target at 10⁵ points: ≤ 1.5 s). This script times three notebooks the same way, in the
same JupyterLab and Chromium (``[swiftshader]`` flags, a new tab and a fresh kernel each time):

* ``print(1)``: the restart, run-all and an output, nothing of ours;
* one ``ipywidgets.Button``: the same with the widget machinery;
* the imports of the explorer's notebook (numpy, ``gmmlearn.widgets``) and the Button.

The first output (or ``.widget-button``) in the page, +1 animation frame, is "on screen".
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_browser as bench  # noqa: E402  (the JupyterLab page, the run-all timing)

CASES = {  # name: (cell source, what is on screen)
    "print(1)": ("print(1)", ".jp-OutputArea-output"),
    "one ipywidgets.Button": (
        "import ipywidgets as w\nw.Button(description='x')",
        ".widget-button",
    ),
    "imports of the explorer + Button": (
        "import numpy as np\nfrom gmmlearn.widgets import explore\n"
        "import ipywidgets as w\nw.Button(description='x')",
        ".widget-button",
    ),
}
# the output polled once per animation frame from the moment run-all starts, +1 frame
WAIT_SHOWN_JS = """
(selector) => {
    window.__shown = null;
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    const tick = () => {
        if (panel.querySelector(selector)) {
            requestAnimationFrame(() => { window.__shown = performance.now(); });
            return;
        }
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
}
"""


def time_run_all(context, server, notebook: str, selector: str) -> float:
    """Seconds from the kernel's restart to ``selector`` on screen after run-all."""
    page = bench.NotebookPage(context, server, notebook, "browser")
    try:
        page.page.evaluate(bench.INSTRUMENT_JS, [bench.PANEL, "browser"])
        page.page.evaluate(WAIT_SHOWN_JS, selector)
        page.page.evaluate(bench.RUN_ALL_JS)
        page.page.wait_for_function("window.__shown !== null", timeout=bench.CELL_TIMEOUT_MS)
        return page.page.evaluate("(window.__shown - window.__bench.runStart) / 1000")
    finally:
        page.close()
        bench.shut_down_kernels(server)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per notebook (default 3)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    names = {name: f"floor_{i}.ipynb" for i, name in enumerate(CASES)}
    seconds: dict[str, list[float]] = {name: [] for name in CASES}
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp_name:
        tmp = Path(tmp_name)
        sources = tmp / "notebooks"
        sources.mkdir()
        for name, (source, _) in CASES.items():
            (sources / names[name]).write_text(bench.harness.notebook_json([source]))
        first = sources / names["print(1)"]
        with bench.harness.jupyterlab_server(first, tmp / "lab") as server:
            root = tmp / "lab" / "root"
            for name in CASES:
                if not (root / names[name]).exists():
                    (root / names[name]).write_bytes((sources / names[name]).read_bytes())
            with sync_playwright() as pw:
                browser, context = bench.launch(pw, bench.LATENCY_FLAGS)
                try:
                    for name, (_, selector) in CASES.items():
                        for _ in range(args.repeats):
                            seconds[name].append(
                                time_run_all(context, server, names[name], selector)
                            )
                finally:
                    context.close()
                    browser.close()
    print("| notebook | run-all → on screen: min / median / max (s) |\n|---|---:|")
    for name, values in seconds.items():
        print(
            f"| {name} | {min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
