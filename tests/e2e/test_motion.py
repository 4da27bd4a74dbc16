"""Every half-step visibly does something, and the picture glides between them (real Chromium).

The run is opened as the static export (the explorer's own JavaScript, no kernel): what these
tests check is drawn by explorer.js alone.

* Half-step 0 draws θ₀ over grey points; the first E-step colours them; every half-step changes
  the pixels, and the title says what changed with a number.
* At the teaching pace a step glides: frames in between, labelled as a transition, whose
  pixels are neither the start nor the end; a change during a glide jumps to its target; the
  "glide" box turns it off.
* γ computed by the page equals Python's to 1e-5 (the page's own functions, in Chromium).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from browser_harness import POINT_PIXELS_FUNCTION, poll

pytestmark = pytest.mark.e2e

# The opaque pixels of the WebGL layer (the points), as [r, g, b] rows, and a hash of the scene.
POINT_PIXELS_JS = f"""
(el) => {{
    {POINT_PIXELS_FUNCTION}
    const d = pointPixels(el);
    const out = [];
    for (let i = 0; i < d.length; i += 4) {{
        if (d[i + 3] === 255) out.push([d[i], d[i + 1], d[i + 2]]);
    }}
    return out;
}}
"""
SCENE_JS = """
(el) => Array.from(el.querySelectorAll('.gmm-scene canvas'), (c) => c.toDataURL()).join('|')
"""
# Every draw of the view: [time, half-step, transition flag, hash of the scene's pixels].
RECORD_JS = """
(el) => {
    const frames = window.__frames = [];
    const hash = () => {
        let h = 0;
        for (const cv of el.querySelectorAll('.gmm-scene canvas')) {
            const s = cv.toDataURL();
            for (let i = 0; i < s.length; i += 7) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
        }
        return h;
    };
    new MutationObserver(() => frames.push([
        performance.now(), Number(el.dataset.halfStep), el.dataset.transition,
        hash(), el.querySelector('.gmm-title').textContent,
    ])).observe(el, {attributes: true, attributeFilter: ['data-frames-drawn']});
}
"""
SETTLED_JS = "(el) => el.dataset.transition === '0'"


@pytest.fixture
def export_page(page, tmp_path):
    """The static export of a 2-D run (K = 3, 8 iterations), opened from a file."""
    from gmmlearn.datasets import load_x
    from gmmlearn.webview.export import export_html
    from gmmlearn.widgets import run_trace

    X = load_x()[:, :2]
    trace = run_trace(X, 3, "bounding-box", max_iter=8, tol=0.0)
    path = Path(export_html(tmp_path / "run.html", trace, interval=250))
    page.goto(path.as_uri())
    view = page.locator(".gmm-webview")
    poll(lambda: view.get_attribute("data-frames-drawn"), "the page drew nothing")
    page.trace = trace
    return view


def _go(page, step: int) -> None:
    """Set the step as the page's slider does (no waiting)."""
    page.evaluate("(s) => window.gmmlearnModel.set('step', s)", step)


def _settle(view, step: int) -> None:
    poll(
        lambda: (
            view.evaluate("(el) => Number(el.dataset.halfStep)") == step
            and view.evaluate(SETTLED_JS)
        ),
        f"half-step {step} was not drawn",
    )


def test_half_step_0_is_grey_and_the_first_e_step_colours_the_points(page, export_page):
    view = export_page
    n = page.trace.X.shape[0]
    start = np.array(view.evaluate(POINT_PIXELS_JS))
    assert len(start) > 50
    # grey: r = g = b, the unassigned grey of gmmlearn.plotting.colors
    assert np.all(start.max(axis=1) - start.min(axis=1) <= 2), start[:5]
    title = page.locator(".gmm-title").inner_text()
    assert "no point is assigned yet" in title and "half-step 0 of" in title

    scenes = [view.evaluate(SCENE_JS)]
    for step in (1, 2, 3, 4):
        _go(page, step)
        _settle(view, step)
        scenes.append(view.evaluate(SCENE_JS))
        title = page.locator(".gmm-title").inner_text()
        if step == 1:
            coloured = np.array(view.evaluate(POINT_PIXELS_JS))
            spread = coloured.max(axis=1) - coloured.min(axis=1)
            assert np.mean(spread > 30) > 0.5  # most points now wear a component's colour
            assert f"all {n:,} points get their colours γ(θ₀)" in title, title
        elif step % 2:  # an E-step: how many points changed their main component
            gamma = [
                page.trace.responsibilities(r).argmax(axis=1)
                for r in ((step - 3) // 2, (step - 1) // 2)
            ]
            changed = int(np.sum(gamma[0] != gamma[1]))
            assert re.search(rf"E-step: {changed:,} points? changed", title), title
        else:  # an M-step: the mean that moved most, and ln p's rise
            t = step // 2
            moves = np.linalg.norm(
                page.trace.params[t].means - page.trace.params[t - 1].means, axis=1
            )
            k = int(np.argmax(moves))
            assert f"M-step: μ{'₁₂₃'[k]} moved" in title, title
            assert "ln p +" in title, title
    # every half-step changed the picture
    assert all(a != b for a, b in zip(scenes, scenes[1:]))
    assert page.console_log.errors == []


def test_a_step_glides_at_the_teaching_pace(page, export_page):
    view = export_page
    _go(page, 1)
    _settle(view, 1)
    before = view.evaluate(SCENE_JS)
    view.evaluate(RECORD_JS)
    _go(page, 2)  # the first M-step: the ellipses move
    _settle(view, 2)
    after = view.evaluate(SCENE_JS)
    frames = page.evaluate("window.__frames")
    between = [f for f in frames if f[2] == "1"]
    # frames in between, each labelled as a transition, with pixels of their own
    assert len(between) >= 3, frames
    assert all(f[1] == 2 and f[4].startswith("→ half-step 2") for f in between)
    assert "transition from half-step 1" in between[0][4]
    assert len({f[3] for f in between}) >= 3
    assert before != after
    last = frames[-1]
    assert last[2] == "0" and not last[4].startswith("→")
    # the glide takes about the time of one step at 250 ms, never longer than 240 ms
    duration = last[0] - between[0][0]
    assert 100 <= duration <= 600, duration
    assert page.console_log.errors == []


def test_a_change_during_a_glide_jumps_and_the_box_turns_gliding_off(page, export_page):
    view = export_page
    _go(page, 1)
    _settle(view, 1)
    view.evaluate(RECORD_JS)
    _go(page, 2)
    page.wait_for_timeout(40)
    _go(page, 3)  # during the glide to 2: straight to 3, no glide
    _settle(view, 3)
    frames = page.evaluate("window.__frames")
    assert frames and all(f[1] != 3 or f[2] == "0" for f in frames), frames

    box = page.locator(".gmm-glide input")
    assert box.is_checked()
    box.uncheck()
    assert view.get_attribute("data-glide") == "off"
    view.evaluate(RECORD_JS)
    page.wait_for_timeout(400)  # past the pace rule: a lone step would glide if it could
    _go(page, 4)
    _settle(view, 4)
    frames = page.evaluate("window.__frames")
    assert frames and all(f[2] == "0" for f in frames), frames
    assert page.console_log.errors == []


def test_gamma_in_the_page_equals_pythons(page, export_page):
    trace = page.trace
    gamma = page.evaluate(
        """(r) => {
            const E = window.gmmlearnExplorer;
            const meta = window.gmmlearnModel.get('meta');
            const f32 = (name) => new Float32Array(window.gmmlearnModel.get(name).buffer);
            const data = E.gammaData(meta, f32('positions'), f32('extra'),
                                     new Float64Array(window.gmmlearnModel.get('terms').buffer));
            return Array.from(E.responsibilities(data, r));
        }""",
        3,
    )
    expected = trace.responsibilities(3)
    np.testing.assert_allclose(np.reshape(gamma, expected.shape), expected, rtol=0, atol=1e-5)
