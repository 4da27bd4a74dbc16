"""The browser view, headless: what is sent equals what the trace says, and the view interface."""

import json
import re
from functools import partial

import blob_data
import numpy as np
import pytest

from gmmlearn import initialize, run_em
from gmmlearn.plotting.view import EMView
from gmmlearn.webview.export import standalone_html
from gmmlearn.webview.frames import trace_payload
from gmmlearn.webview.widget import TraceView
from gmmlearn.widgets import explore

blobs = partial(blob_data.blobs, "close_3d")


def make_trace(X, k=3, covariance_type="full", max_iter=5):
    params = initialize(X, k, "random_from_data", covariance_type=covariance_type, random_state=1)
    return run_em(X, params, max_iter=max_iter, tol=0.0)


def unpack(trace, **options):
    meta, buffers = trace_payload(trace, **options)
    n, k = meta["n_samples"], meta["n_components"]
    positions = np.frombuffer(buffers["positions"], dtype="<f4").reshape(n, 3)
    terms = np.frombuffer(buffers["terms"], dtype="<f8").reshape(len(trace.params), k, -1)
    ellipsoids = np.frombuffer(buffers["ellipsoids"], dtype="<f4").reshape(-1, k, 12)
    return meta, positions, terms, ellipsoids


def gamma_from_terms(terms_t, z):
    """γ from one θ's packed terms and the scaled points z (N, D), as explorer.js computes it."""
    d = z.shape[1]
    constants, centres = terms_t[:, 0], terms_t[:, 1 : 1 + d]
    chol = terms_t[:, 1 + d :].reshape(-1, d, d)
    y = np.einsum("nkd,kde->nke", z[:, None, :] - centres[None], chol)
    log_joint = constants - 0.5 * (y**2).sum(axis=2)
    log_joint -= log_joint.max(axis=1, keepdims=True)
    gamma = np.exp(log_joint)
    return gamma / gamma.sum(axis=1, keepdims=True)


def from_cube(meta, cube):
    """Cube coordinates back to data coordinates (the inverse of what the browser gets)."""
    low, high = np.array(meta["ranges"]).T
    return (low + high) / 2 + cube[..., : len(low)] * (high - low) / 2


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_every_half_step_sends_the_traces_colours_means_and_covariances(covariance_type):
    X = blobs()
    trace = make_trace(X, covariance_type=covariance_type)
    meta, positions, terms, ellipsoids = unpack(trace)
    assert meta["n_half_steps"] == trace.n_half_steps == len(meta["labels"])
    np.testing.assert_allclose(from_cube(meta, positions), X, rtol=0, atol=1e-5)
    # half-step 0 is drawn grey: no E-step has run
    assert meta["color_index"][0] == -1
    for index in range(1, trace.n_half_steps):
        h = trace.half_step(index)
        # the colours' source the browser evaluates (tests/views/test_browser_gamma.py runs
        # explorer.js itself): γ of the trace
        r = meta["color_index"][index]
        assert r == h.resp_iteration
        gamma = gamma_from_terms(terms[r], positions.astype(np.float64))
        np.testing.assert_allclose(gamma, trace.responsibilities(r), rtol=0, atol=1e-5)
        # the θ shown: its means and covariances (A Aᵀ = Σ in data coordinates)
        t = meta["params_index"][index]
        assert trace.params[t] is h.params
        np.testing.assert_allclose(meta["weights"][t], h.params.weights)
        rows = ellipsoids[t].astype(np.float64)
        np.testing.assert_allclose(from_cube(meta, rows[:, :3]), h.params.means, atol=1e-5)
        low, high = np.array(meta["ranges"]).T
        half = (high - low) / 2
        A = rows[:, 3:].reshape(-1, 3, 3) * half[None, :, None]
        np.testing.assert_allclose(
            A @ A.transpose(0, 2, 1), h.params.full_covariances(), rtol=1e-5, atol=1e-6
        )
        assert meta["log_likelihoods"][t] == trace.log_likelihoods[t]
        assert meta["phases"][index] == h.phase


def test_labels_and_the_curve_marker_follow_the_matplotlib_view():
    trace = make_trace(blobs())
    meta, *_ = unpack(trace)
    view = EMView(trace)
    for index in (0, 3, 4):
        h = view.show(index)
        t = meta["params_index"][index]
        np.testing.assert_allclose(view.marker.get_xdata(), [t])
        assert meta["labels"][index].startswith(f"half-step {index} of")
        assert meta["phases"][index] == h.phase
    view.figure.clear()


def test_colour_by_one_component_and_2d_data():
    X = blobs(n_features=2)
    trace = make_trace(X)
    meta, positions, terms, ellipsoids = unpack(trace, component=1)
    assert meta["n_dims"] == 2 and np.all(positions[:, 2] == 0)
    assert np.all(ellipsoids[..., 5::3] == 0)  # no z in 2-D: the third column of A is 0
    # the page colours by γ_n2 (tests/views/test_browser_gamma.py checks its colours)
    assert meta["component"] == 1 and terms.shape[2] == 1 + 2 + 4
    gamma = gamma_from_terms(terms[2], positions[:, :2].astype(np.float64))
    np.testing.assert_allclose(gamma, trace.responsibilities(2), rtol=0, atol=1e-5)


def test_data_far_from_the_origin_keeps_its_precision_on_screen():
    # float32 positions would round 1e8 + x to a multiple of 8: the cube's coordinates don't
    X = blobs(shift=1e8)
    meta, positions, _, _ = unpack(make_trace(X))
    near = unpack(make_trace(blobs()))[1]
    np.testing.assert_allclose(positions, near, atol=1e-5)
    assert np.abs(positions).max() <= 1.0


def test_ticks_are_round_and_inside_the_box():
    meta, *_ = unpack(make_trace(blobs()))
    for ticks, labels, (low, high) in zip(meta["ticks"], meta["tick_labels"], meta["ranges"]):
        assert 2 <= len(ticks) <= 6 and all(-1 <= t <= 1 for t in ticks)
        values = [float(label) for label in labels]
        np.testing.assert_allclose(
            values, [(low + high) / 2 + t * (high - low) / 2 for t in ticks], atol=1e-9
        )


def test_trace_view_interface():
    trace = make_trace(blobs())
    view = TraceView(trace)
    assert view.n_frames() == trace.n_half_steps and view.n_frames(False) == trace.n_iter + 1
    assert view.show(3).index == 3 and view.step == 3
    view.half_steps = False
    assert view.show(2) == trace.half_step(4) and view.step == 2
    with pytest.raises(IndexError, match="iteration 9 is outside"):
        view.show(9)
    with pytest.raises(ValueError, match="component 7 does not exist"):
        view.set_component(7)
    view.set_component(2)
    assert view.meta["component"] == 2
    other = make_trace(blobs(), k=2)
    view.set_trace(other)  # component 2 no longer exists: back to the blend
    assert view.meta["n_components"] == 2 and view.component is None
    assert view.step == 0
    view.set_view_angle(40, 10)
    assert (view.elev, view.azim) == (40.0, 10.0)
    with pytest.raises(TypeError, match="EMTrace"):
        TraceView("not a trace")


def test_explorer_drives_the_browser_view_and_links_it_in_the_browser():
    ex = explore(blobs(), n_components=3, max_iter=4, tol=0.0)
    assert isinstance(ex.view, TraceView) and ex.figure_area is ex.view
    # the slider moves the view in the browser (jslink), not through a kernel callback
    assert ex._view_link.source == (ex.step_slider, "value")
    assert ex._view_link.target == (ex.view, "step")
    assert ex._play_link.source == (ex.play, "value")
    assert ex.angles.layout.display == "none"  # the mouse turns this view
    ex.step_slider.value = 5
    assert ex.view.state == ex.trace.half_step(5)
    # the kernel never writes the step back: the browser (jslink) may already be further on,
    # and an old value sent back would pull the view, the slider and Play back
    assert ex.view.step == 0
    assert "half-step 5 of" in ex.step_label.value  # no event loop here: texts at once
    ex.color_by.value = 1
    assert ex.view.meta["component"] == 1
    assert ex.color_by.label == "γ of component 2"
    ex.color_by.value = -1
    assert ex.color_by.label == "γ-blend of all" and ex.view.meta["component"] is None
    ex.show(3)  # from Python: the kernel moves the view itself
    assert ex.view.step == 3
    ex.k_input.value = 2
    # a new run keeps the step shown (issue 23)
    assert ex.view.meta["n_components"] == 2 and ex.view.step == 3


def test_no_webgl_switches_to_the_matplotlib_view():
    ex = explore(blobs(), n_components=3, max_iter=4, tol=0.0)
    ex.step_slider.value = 3
    browser = ex.view
    browser.webgl = "missing"  # what the browser reports
    assert isinstance(ex.view, EMView) and ex.view.state.index == 3
    assert ex.figure_area in ex.widget.children and browser not in ex.widget.children
    assert ex.figure_area.value[:4] == b"\x89PNG"
    assert "no WebGL" in ex.message_text
    ex.step_slider.value = 4
    assert ex.view.state.index == 4
    ex.view.figure.clear()


def test_colour_by_starts_on_the_blend_not_blank():
    ex = explore(blobs(), n_components=3, max_iter=2)
    assert ex.color_by.value == -1 and ex.color_by.label == "γ-blend of all"


@pytest.mark.parametrize(
    ("k", "message"),
    [(21, "at most 20 components"), (181, "larger than the number of points")],
)
def test_k_is_capped_in_the_widget(k, message):
    ex = explore(blobs(), n_components=3, max_iter=2)
    ex.k_input.value = k
    assert message in ex.message_text and ex.trace.params[0].n_components == 3
    with pytest.raises(ValueError, match=message):
        explore(blobs(), n_components=k)


def test_standalone_page_holds_the_run_and_loads_nothing():
    trace = make_trace(blobs())
    page = standalone_html(trace, step=3, elev=10.0, azim=30.0, title="a <b>run</b>")
    data = json.loads(re.search(r'<script id="gmm-data"[^>]*>(.*?)</script>', page, re.S)[1])
    assert data["state"]["step"] == 3 and data["state"]["elev"] == 10.0
    meta, buffers = trace_payload(trace)
    assert data["state"]["meta"] == json.loads(json.dumps(meta))
    assert set(data["buffers"]) == set(buffers)
    assert "a &lt;b&gt;run&lt;/b&gt;" in page and "<b>run</b>" not in page
    assert "window.gmmlearnExplorer = { render," in page and "export default" not in page
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", page)


def test_texts_wait_for_play_to_pause():
    ex = explore(blobs(), n_components=3, max_iter=4, tol=0.0)
    at_start = ex.equations_html.value
    ex.play.playing = True  # what the browser reports while Play runs
    ex.step_slider.value = 4
    assert ex.view.state.index == 4 and "half-step 0 of" in ex.step_label.value
    assert ex.equations_html.value == at_start  # not re-typeset at every frame
    ex.play.playing = False
    assert "half-step 4 of" in ex.step_label.value
    assert ex.equations_html.value == ex._equations(4) != at_start


def test_colouring_by_one_component_sends_no_buffer_again():
    # the browser computes the colours: a new colouring is a new description, not new data
    view = TraceView(make_trace(blobs()))
    sent = []
    view.observe(
        lambda change: sent.append(change["name"]), names=list(view.trait_names(sync=True))
    )
    view.set_component(1)
    assert sent == ["meta"] and view.meta["component"] == 1
    view.set_component(None)
    assert sent == ["meta", "meta"] and view.meta["component"] is None
