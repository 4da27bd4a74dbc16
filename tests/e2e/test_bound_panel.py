"""The ln p = L + KL panel (PRML §9.4) in real Chromium: it follows the step, client-side.

* The static export, opened from a file (no kernel at all): stepping through E and M half-steps
  changes the panel; the L, KL and ln p it shows are Python's numbers; after an E-step KL is 0
  and after an M-step L has risen and KL is back.
* JupyterLab: the explorer's slider moves the panel the same way, with no console errors.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_harness import open_and_run, poll

pytestmark = pytest.mark.e2e

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
EXPLORER_CELL = (
    "from gmmlearn.datasets import load_x\n"
    "from gmmlearn.widgets import explore\n"
    'ex = explore(load_x(), n_components=4, init="bounding-box", random_state=0)\n'
    "ex"
)
# What the panel shows, as the page wrote it (full float precision) and the bars' pixels
SHOWN_JS = """
(el) => ({
    step: Number(el.dataset.halfStep),
    logP: Number(el.dataset.logLikelihood),
    lower: Number(el.dataset.lowerBound),
    kl: Number(el.dataset.kl),
    title: el.querySelector('.gmm-bound-title').textContent,
    numbers: el.querySelector('.gmm-bound-numbers').innerText,
    values: Array.from(el.querySelectorAll('.gmm-bound-value'), (v) => v.textContent),
    bars: el.querySelector('.gmm-bound-bars').toDataURL(),
})
"""
SET_SLIDER_JS = "(s, v) => { s.value = String(v); s.dispatchEvent(new Event('input')); }"


def _trace():
    from gmmlearn.datasets import load_x
    from gmmlearn.widgets import run_trace

    return run_trace(load_x(), 4, "bounding-box")


def _assert_shows(shown, trace, index):
    """The panel at half-step ``index`` shows the trace's ln p, L and KL, to float64."""
    log_p = trace.half_step_log_likelihoods()[index]
    lower, kl = trace.lower_bounds()[index], trace.kls()[index]
    assert shown["step"] == index
    assert shown["logP"] == pytest.approx(log_p, rel=1e-15)
    assert shown["lower"] == pytest.approx(lower, rel=1e-15)
    assert shown["kl"] == pytest.approx(kl, rel=1e-15, abs=0)
    # the numbers written out, three decimals, with a real minus sign
    assert shown["values"][:2] == [f"{v:.3f}".replace("-", "−") for v in (log_p, lower)]
    if kl == 0 or kl > 5e-4:  # exactly 0 after an E-step; a real gap after an M-step
        assert shown["values"][2] == f"{kl:.3f}"


def test_the_panel_follows_the_steps_of_a_static_page(page, tmp_path):
    from gmmlearn.webview.export import export_html

    trace = _trace()
    path = Path(export_html(tmp_path / "run.html", trace))
    page.goto(path.as_uri())
    view = page.locator(".gmm-webview")
    slider = page.locator(".gmm-step")
    poll(lambda: view.get_attribute("data-frames-drawn"), "the page drew nothing")

    seen = {}
    for index in (0, 9, 10, 11, 12):
        slider.evaluate(SET_SLIDER_JS, index)
        poll(lambda i=index: view.evaluate(SHOWN_JS)["step"] == i, f"half-step {index}")
        seen[index] = shown = view.evaluate(SHOWN_JS)
        _assert_shows(shown, trace, index)

    # initial state and E-steps: q = γ(θ), the gap is closed
    for index in (0, 9, 11):
        assert seen[index]["kl"] == 0
        assert seen[index]["lower"] == seen[index]["logP"]
    assert seen[9]["title"].startswith("E-step") and "KL = 0" in seen[9]["title"]
    # M-steps: L rose above the E-step's value, and the KL gap is open again
    for m in (10, 12):
        assert seen[m]["lower"] > seen[m - 1]["lower"]
        assert seen[m]["kl"] > 0
        assert seen[m]["logP"] > seen[m - 1]["logP"]
        assert seen[m]["title"].startswith("M-step")
    # every step draws different bars
    bars = [seen[i]["bars"] for i in (9, 10, 11, 12)]
    assert len(set(bars)) == len(bars)
    assert page.console_log.errors == []


@pytest.fixture(scope="module")
def lab_explorer(lab_serving):
    return lab_serving({"bound.ipynb": [EXPLORER_CELL]})


def test_the_panel_follows_the_slider_in_jupyterlab(lab_explorer, page, explorer_factory):
    trace = _trace()
    open_and_run(page, lab_explorer.url_of("bound.ipynb"))
    explorer = explorer_factory(PANEL)
    explorer.wait_rendered()
    view = explorer.output.locator(".gmm-webview").first
    _assert_shows(view.evaluate(SHOWN_JS), trace, 0)
    previous = None
    for index in (1, 2):
        explorer.press_right()
        poll(lambda i=index: view.evaluate(SHOWN_JS)["step"] == i, f"half-step {index}")
        shown = view.evaluate(SHOWN_JS)
        _assert_shows(shown, trace, index)
        assert shown["bars"] != previous
        previous = shown["bars"]
    assert shown["kl"] > 0  # half-step 2 is an M-step
    assert explorer.widget_errors() == []
    assert page.console_log.errors == []


def test_a_kl_at_rounding_level_is_written_as_about_zero(page, tmp_path):
    """Late in a long run KL after an M-step is ±1e-14: the panel writes "≈ 0", never "−"."""
    import numpy as np

    from gmmlearn.datasets import load_x
    from gmmlearn.webview.export import export_html
    from gmmlearn.widgets import run_trace

    trace = run_trace(load_x(), 4, "bounding-box", covariance_type="diag", max_iter=300, tol=0)
    index = int(np.flatnonzero(trace.kls() < 0)[0])
    path = Path(export_html(tmp_path / "long.html", trace, step=index))
    page.goto(path.as_uri())
    view = page.locator(".gmm-webview")
    poll(lambda: view.get_attribute("data-frames-drawn"), "the page drew nothing")
    shown = view.evaluate(SHOWN_JS)
    assert shown["step"] == index and shown["kl"] == trace.kls()[index] < 0
    assert shown["values"][2] == "≈ 0"  # ln p, L, KL
    assert page.console_log.errors == []
