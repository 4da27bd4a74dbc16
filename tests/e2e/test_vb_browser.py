"""A variational Bayes run in the browser view, in real Chromium (JupyterLab).

``explore(old_faithful(), 6, method="vb")`` (PRML Fig. 10.6) from a one-hot start (k-means++:
the bound of q₀ is not defined and is sent as null): stepping with the keyboard draws each
half-step with VB's label, the key shows E[π_k], the EM-only L/KL panel is hidden, the end of
the run has four components faded out, a new K re-runs VB in the kernel and the browser draws
the new run — with no console errors and nothing shown as an error in the widgets.
"""

from __future__ import annotations

import re

import pytest
from browser_harness import open_and_run, poll

pytestmark = pytest.mark.e2e

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
EXPLORER_CELL = (
    "from gmmlearn.datasets import old_faithful\n"
    "from gmmlearn.widgets import explore\n"
    'ex = explore(old_faithful(), 6, method="vb", init="k-means++", random_state=0,\n'
    "             weight_concentration_prior=1e-3,\n"
    '             weight_concentration_prior_type="dirichlet_distribution")\n'
    "ex"
)
SHOWN_JS = """
(el) => ({
    step: Number(el.dataset.halfStep),
    // the half-step once its glide has ended (-1 while gliding)
    settled: el.dataset.transition === '1' ? -1 : Number(el.dataset.halfStep),
    title: el.querySelector('.gmm-title').textContent,
    keys: Array.from(el.querySelectorAll('.gmm-key-row'), (r) => r.textContent),
    boundHidden: getComputedStyle(el.querySelector('.gmm-bound')).display === 'none',
    note: el.querySelector('.gmm-note').textContent,
    curve: el.querySelector('.gmm-curve').toDataURL(),
    scene: Array.from(el.querySelectorAll('.gmm-scene canvas'), (c) => c.toDataURL()).join('|'),
})
"""


@pytest.fixture(scope="module")
def lab_vb(lab_serving):
    return lab_serving({"vb.ipynb": [EXPLORER_CELL]})


def test_steps_a_vb_run_in_the_browser(lab_vb, page, explorer_factory):
    open_and_run(page, lab_vb.url_of("vb.ipynb"))
    explorer = explorer_factory(PANEL)
    view = explorer.output.locator(".gmm-webview").first
    explorer.wait_rendered()

    start = view.evaluate(SHOWN_JS)
    assert start["step"] == 0
    # the title says what the step changed first, then which step it is
    assert re.search(r"— half-step 0 of \d+ · initial q₀", start["title"]), start["title"]
    assert "no point is assigned yet" in start["title"]
    assert start["boundHidden"], "the L/KL panel is EM's and must be hidden for VB"
    assert len(start["keys"]) == 6 and all(
        k.startswith(f"E[π{s}] = ") for k, s in zip(start["keys"], "₁₂₃₄₅₆")
    )
    assert "E[Λₖ]⁻¹" in start["note"] and "opacity ∝ E[πₖ]" in start["note"]

    # one key press: the E half-step, drawn with VB's words
    explorer.press_right()
    poll(lambda: view.evaluate(SHOWN_JS)["settled"] == 1, "half-step 1 was not drawn")
    one = view.evaluate(SHOWN_JS)
    assert re.search(
        r"— half-step 1 of \d+ · iteration 1 · E-step \(10\.46–10\.49\): r_nk", one["title"]
    ), one["title"]
    assert one["title"].startswith("E-step: all ")
    # half-step 0 shows q₀ over grey points, the first E-step colours them with r(q₀); with no
    # ℒ(q₀) after a one-hot start there is no marker on the curve yet
    assert one["scene"] != start["scene"] and one["curve"] == start["curve"]
    explorer.press_right()
    poll(lambda: view.evaluate(SHOWN_JS)["settled"] == 2, "half-step 2 was not drawn")
    two = view.evaluate(SHOWN_JS)
    assert "M-step (10.51–10.63): α_k, β_k, m_k, W_k, ν_k" in two["title"]
    assert two["scene"] != one["scene"]  # the ellipsoids moved
    assert two["curve"] != one["curve"]  # the marker appeared at ℒ(q₁)
    explorer.press_right()
    poll(lambda: view.evaluate(SHOWN_JS)["settled"] == 3, "half-step 3 was not drawn")
    assert view.evaluate(SHOWN_JS)["scene"] != two["scene"]  # the colours r(q₁)

    # to the end: four of the six components are pruned (E[π_k] ≈ 0)
    explorer.handle.press("End")
    n_last = int(re.search(r"of (\d+)", start["title"]).group(1))
    poll(lambda: view.evaluate(SHOWN_JS)["settled"] == n_last, "the last half-step was not drawn")
    end = view.evaluate(SHOWN_JS)
    weights = [float(k.split("= ")[1]) for k in end["keys"]]
    assert sum(w < 0.001 for w in weights) == 4, end["keys"]

    # a new K: the kernel runs VB again and the browser draws the new run
    k_input = explorer.output.locator(".widget-inline-hbox", has_text="K").locator("input").first
    k_input.fill("3")
    k_input.press("Enter")
    poll(lambda: len(view.evaluate(SHOWN_JS)["keys"]) == 3, "K = 3 was not drawn")
    # the step shown stays (issue 23), clamped to the new run's last half-step
    shown = view.evaluate(SHOWN_JS)
    n_new = int(re.search(r"of (\d+)", shown["title"]).group(1))
    assert shown["step"] == min(n_last, n_new)

    assert explorer.widget_errors() == []
    assert page.console_log.errors == []


def test_static_export_of_a_vb_run_plays_from_a_file(page, tmp_path):
    from pathlib import Path

    from gmmlearn.datasets import old_faithful
    from gmmlearn.webview.export import export_html
    from gmmlearn.widgets.vb import run_vb_trace

    trace = run_vb_trace(old_faithful(), 6, "random_from_data", random_state=0, max_iter=40)
    path = Path(export_html(tmp_path / "vb.html", trace, interval=40))
    page.goto(path.as_uri())
    view = page.locator(".gmm-webview")
    poll(lambda: view.get_attribute("data-frames-drawn"), "the page drew nothing")
    start = view.evaluate(SHOWN_JS)
    assert start["boundHidden"] and "— half-step 0 of " in start["title"]
    page.click(".gmm-play")
    poll(lambda: view.evaluate(SHOWN_JS)["step"] >= 6, "the page did not play")
    page.click(".gmm-play")
    shown = view.evaluate(SHOWN_JS)
    assert shown["scene"] != start["scene"] and shown["curve"] != start["curve"]
    # Play at 40 ms/step jumps (no glide shorter than 40 ms): the title names the step shown
    assert re.search(r"— half-step \d+ of \d+ · iteration \d+ · [EM]-step \(10\.", shown["title"])
    assert page.console_log.errors == []
