"""A VB run in the explorer, headless: what is packed for the browser, the matplotlib view, and
the controls (explore(X, method="vb")) — the same view as EM, with VB's colours, ellipsoids,
opacity, curve and words."""

import json
import re
from functools import partial

import matplotlib

matplotlib.use("Agg")

import blob_data  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from gmmlearn import BayesianGaussianMixture, initialize, run_em  # noqa: E402
from gmmlearn.datasets import old_faithful  # noqa: E402
from gmmlearn.equations import format_number  # noqa: E402
from gmmlearn.plotting.colors import blend_colors, component_colors  # noqa: E402
from gmmlearn.plotting.ellipsoids import covariance_transform, share_alpha  # noqa: E402
from gmmlearn.plotting.view import EMView  # noqa: E402
from gmmlearn.steps import responsibilities  # noqa: E402
from gmmlearn.vb import expected_log_pi  # noqa: E402
from gmmlearn.vb.equations import (  # noqa: E402
    vb_equations_with_numbers,
    vb_params_latex,
    vb_step_description,
)
from gmmlearn.vb.trace import VBTrace  # noqa: E402
from gmmlearn.webview.frames import color_frames, to_uint8, trace_payload  # noqa: E402
from gmmlearn.webview.widget import TraceView  # noqa: E402
from gmmlearn.widgets import EMExplorer, Explorer, explore  # noqa: E402
from gmmlearn.widgets.vb import VB_INIT_METHODS, VBExplorer, run_vb_trace  # noqa: E402

# the symbols and numbers of EM's updates (PRML 9.23–9.28), which a VB run must not show
EM_WORDS = re.compile(r"γ|\\gamma|\(9\.2[3-8]|π_k, μ_k, Σ_k")


blobs = partial(blob_data.blobs, "vb_3d")


def vb_trace(X, k=5, init="kmeans", **options):
    options.setdefault("max_iter", 30)
    return run_vb_trace(X, k, init, random_state=0, **options)


@pytest.fixture(scope="module")
def fig_10_6():
    """PRML Fig. 10.6: Old Faithful, K = 6, Dirichlet prior with α₀ = 10⁻³."""
    return run_vb_trace(
        old_faithful(),
        6,
        "kmeans",
        random_state=0,
        weight_concentration_prior=1e-3,
        weight_concentration_prior_type="dirichlet_distribution",
        max_iter=200,
    )


def unpack(trace, **options):
    """meta, the colours of every r (the Python reference the page's own are tested against in
    tests/views/test_browser_gamma.py) and the ellipsoids sent."""
    meta, buffers = trace_payload(trace, **options)
    k = meta["n_components"]
    colors = color_frames(trace, component_colors(k), options.get("component"))
    ellipsoids = np.frombuffer(buffers["ellipsoids"], dtype="<f4").reshape(-1, k, 12)
    return meta, colors, ellipsoids


# -- packing a VB trace for the browser (frames.py) ----------------------------------------


def test_run_is_the_estimators_run():
    X = blobs()
    trace = vb_trace(X, k=4, weight_concentration_prior=0.5)
    fitted = BayesianGaussianMixture(
        n_components=4, random_state=0, weight_concentration_prior=0.5, max_iter=30
    ).fit(X)
    assert isinstance(trace, VBTrace) and trace.n_iter == fitted.n_iter_
    np.testing.assert_array_equal(trace.final_params.weights, fitted.weights_)
    np.testing.assert_array_equal(trace.final_params.covariances, fitted.covariances_)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_colours_are_r_and_ellipsoids_the_expected_covariance(covariance_type):
    X = blobs()
    trace = vb_trace(X, covariance_type=covariance_type, max_iter=6, tol=0.0)
    meta, colors, ellipsoids = unpack(trace)
    palette = component_colors(5)
    assert colors.shape[0] == trace.n_iter
    for r in range(trace.n_iter):
        expected = to_uint8(blend_colors(trace.responsibilities(r), palette)[:, :3])
        assert np.abs(colors[r].astype(int) - expected).max() <= 1
    # r is not the EM γ of the drawn mixture (E[ln π] ≠ ln E[π], D/β_k, E[ln|Λ|]): the packing
    # must use ln ρ, and these data tell the two apart
    gamma = responsibilities(X, trace.params[1])
    assert np.abs(gamma - trace.responsibilities(1)).max() > 1e-3
    low, high = np.array(meta["ranges"]).T
    half = (high - low) / 2
    for t, state in enumerate(trace.states):
        cov = trace.params[t].full_covariances()  # W⁻¹/ν = E[Λ]⁻¹, in full form
        np.testing.assert_allclose(state.covariances, trace.params[t].covariances)
        A = ellipsoids[t, :, 3:].reshape(-1, 3, 3).astype(np.float64)
        back = A * half[None, :, None]
        np.testing.assert_allclose(
            back @ back.transpose(0, 2, 1), cov, rtol=2e-5, atol=2e-6 * np.abs(cov).max()
        )
        expected = covariance_transform(cov) / half[None, :, None]
        np.testing.assert_allclose(A, expected, rtol=1e-5, atol=1e-6)


def test_opacity_follows_the_expected_weights_and_pruned_components_fade_out(fig_10_6):
    meta, _, _ = unpack(fig_10_6)
    weights = np.array(meta["weights"])
    np.testing.assert_allclose(weights, [s.weights for s in fig_10_6.states])
    np.testing.assert_allclose(meta["alphas"], [share_alpha(w) for w in weights])
    np.testing.assert_allclose(meta["mean_alphas"], [share_alpha(w, 1.0) for w in weights])
    # at the start every component is drawn; at the end the four pruned ones are invisible
    assert min(meta["alphas"][0]) > 0.3
    final = np.array(meta["alphas"][-1])
    assert np.sum(final > 0.5) == 2 and np.all(np.sort(final)[:4] < 1e-3)
    assert np.sum(np.array(meta["mean_alphas"][-1]) < 1e-3) == 4


def test_the_curve_is_the_bound_labelled_as_such_and_nan_is_null():
    X = blobs()
    trace = vb_trace(X, init="k-means++", max_iter=8, tol=0.0)  # one-hot start: no ℒ(q₀)
    assert np.isnan(trace.curve[0])
    meta, _, _ = unpack(trace)
    text = json.dumps(meta, allow_nan=False)  # valid JSON: no NaN
    assert meta["log_likelihoods"][0] is None
    np.testing.assert_allclose(meta["log_likelihoods"][1:], trace.lower_bounds)
    low, high = meta["curve_limits"]
    assert np.isfinite([low, high]).all()
    assert low < trace.lower_bounds.min() and high > trace.lower_bounds.max()
    assert meta["curve_label"] == trace.curve_label and "VB" in meta["curve_label"]
    assert "ln p" not in meta["curve_label"]
    assert meta["method"] == "vb"
    # the L/KL panel is EM's: nothing is sent for VB, so the browser hides it
    assert meta["lower_bounds"] is None and meta["kls"] is None and meta["log_p"] is None
    assert "NaN" not in text


def test_labels_say_what_a_vb_half_step_updates_in_the_books_symbols():
    trace = vb_trace(blobs(), max_iter=3, tol=0.0)
    meta, _, _ = unpack(trace)
    assert meta["labels"][0].startswith("half-step 0 of 6 · initial q₀")
    assert re.match(
        r"half-step 1 of 6 · iteration 1 · E-step \(10\.46–10\.49\): r_nk", meta["labels"][1]
    )
    assert re.match(
        r"half-step 2 of 6 · iteration 1 · M-step \(10\.51–10\.63\): α_k, β_k, m_k, W_k, ν_k",
        meta["labels"][2],
    )
    assert not any(EM_WORDS.search(label) for label in meta["labels"])


def test_em_payload_keeps_its_curve_and_panel():
    X = blobs()
    trace = run_em(X, initialize(X, 3, "kmeans", random_state=0), max_iter=4)
    meta, _, _ = unpack(trace)
    assert meta["method"] == "em" and meta["curve_label"] == "ln p(X | θₜ)"
    np.testing.assert_allclose(meta["log_likelihoods"], trace.log_likelihoods)
    assert meta["mean_alphas"] == [[1.0] * 3] * len(trace.params)
    assert len(meta["lower_bounds"]) == trace.n_half_steps


# -- the browser view and the matplotlib view ----------------------------------------------


def test_trace_view_takes_a_vb_trace_and_switches_to_em_and_back():
    X = blobs()
    trace = vb_trace(X, max_iter=5)
    view = TraceView(trace)
    assert view.meta["method"] == "vb" and view.n_frames() == trace.n_half_steps
    assert view.show(3) == trace.half_step(3)
    em = run_em(X, initialize(X, 3, "kmeans", random_state=0), max_iter=4)
    view.set_trace(em)
    assert view.meta["method"] == "em" and view.meta["n_components"] == 3
    view.set_trace(trace)
    assert view.meta["method"] == "vb"
    with pytest.raises(TypeError, match="VBTrace"):
        view.set_trace(trace.states)


def test_matplotlib_view_draws_a_vb_run(fig_10_6):
    view = EMView(fig_10_6, dims=(0, 1))
    try:
        assert view.ax_curve.get_ylabel() == fig_10_6.curve_label
        np.testing.assert_allclose(view.curve.get_ydata(), fig_10_6.curve)
        assert view.bound_text.get_text() == ""  # no ln p = L + KL for VB
        assert re.match(r"half-step 0/\d+ · initial q₀", view.title.get_text())
        last = fig_10_6.n_half_steps - 1
        h = view.show(last)
        np.testing.assert_allclose(view.means_positions(), h.params.means)
        np.testing.assert_allclose(
            view.point_colors(), blend_colors(fig_10_6.responsibilities(h.resp_iteration))
        )
        assert view.weight_texts[0].get_text().startswith("E[π₁] = ")
        mean_alpha = view.means_artist.get_facecolor()[:, 3]
        np.testing.assert_allclose(mean_alpha, share_alpha(h.params.weights, 1.0))
        assert np.sum(mean_alpha < 1e-3) == 4
        assert view.marker.get_visible()
        assert not EM_WORDS.search(view.title.get_text())
    finally:
        view.figure.clear()


def test_matplotlib_view_skips_an_undefined_first_bound():
    trace = vb_trace(blobs(), init="random_from_data", max_iter=4, tol=0.0)
    view = EMView(trace)
    try:
        assert not view.marker.get_visible()  # ℒ(q₀) is NaN: no marker, the curve starts at 1
        low, high = view.ax_curve.get_ylim()
        assert np.isfinite([low, high]).all() and low < trace.lower_bounds.min()
        view.show(2)
        assert view.marker.get_visible()
    finally:
        view.figure.clear()


# -- the equations and parameters ------------------------------------------------------------


def test_equations_hold_the_numbers_of_the_run():
    X = blobs()
    trace = vb_trace(
        X, max_iter=4, tol=0.0, weight_concentration_prior_type="dirichlet_distribution"
    )
    step, n, k = 3, 7, 2  # an E half-step: r(q₁) shown, the next M-step gives q₂
    h = trace.half_step(step)
    latex = vb_equations_with_numbers(trace, step, n, k)
    q = trace.states[h.resp_iteration]
    assert format_number(expected_log_pi(q.alpha, q.prior_type)[k]) in latex["E_ln_pi"]
    r = trace.responsibilities(h.resp_iteration)[n, k]
    assert f"r_{{{n + 1}{k + 1}}}" in latex["r"] and format_number(r) in latex["r"]
    new = trace.states[h.resp_iteration + 1]
    assert latex["alpha"].endswith(rf"{format_number(new.alpha[k])}\quad(10.58)")
    assert format_number(new.beta[k]) in latex["beta"]
    assert format_number(new.nu[k]) in latex["nu"]
    assert all(not EM_WORDS.search(text) for text in latex.values())
    params = vb_params_latex(new)
    assert r"\mathbb{E}[\pi_{1}]" in params and r"W_{1}^{-1}/\nu_{1}" in params
    with pytest.raises(ValueError, match="k=9 is out of range"):
        vb_equations_with_numbers(trace, step, n, 9)


def test_step_description_for_each_phase():
    trace = vb_trace(blobs(), max_iter=2, tol=0.0)
    words = [vb_step_description(trace.half_step(i), trace.n_half_steps) for i in range(5)]
    assert [w.split(" · ")[0] for w in words] == [f"half-step {i} of 4" for i in range(5)]
    assert "colours change" in words[1] and "ellipsoids move" in words[2]
    compact = vb_step_description(trace.half_step(2), trace.n_half_steps, compact=True)
    assert compact == "half-step 2/4 · iteration 1 · M-step (10.51–10.63): ellipsoids move"


# -- the controls: explore(X, method="vb") -----------------------------------------------------


@pytest.mark.parametrize("view", ["browser", "matplotlib"])
def test_explore_method_vb_wires_the_controls(view):
    X = old_faithful()
    ex = explore(
        X,
        6,
        method="vb",
        init="kmeans",
        weight_concentration_prior=1e-3,
        weight_concentration_prior_type="dirichlet_distribution",
        view=view,
        max_iter=200,
    )
    try:
        # the shared explorer, not EM's: VB does not inherit EM's playground
        assert isinstance(ex, VBExplorer) and isinstance(ex, Explorer)
        assert not isinstance(ex, EMExplorer)
        assert isinstance(ex.trace, VBTrace) and ex.trace.prior.alpha0 == 1e-3
        assert tuple(ex.init_input.options) == VB_INIT_METHODS
        assert ex.color_by.label == "r-blend of all"
        assert ex.alpha_input.value == pytest.approx(1e-3)
        assert ex.prior_input.value == "dirichlet_distribution"
        # the texts: VB's words and symbols, never EM's formulas
        for step in (0, 1, 2):
            ex.step_slider.value = step
            for text in (ex.step_label.value, ex.params_html.value, ex.equations_html.value):
                assert not EM_WORDS.search(text), text[:200]
        assert "just applied</b></p>$$ N_" in ex.equations_html.value  # M half-step 2
        assert r"\mathbb{E}[\pi_{1}]" in ex.params_html.value
        ex.step_slider.value = 1
        assert "expected log weight — <b>just applied" in ex.equations_html.value
        # α₀ re-runs VB with the new prior; so do the prior picker, K, the start and the seed
        ex.alpha_input.value = 1.0
        # ... and the step shown stays (issue 23): still half-step 1, now of the new run
        assert ex.trace.prior.alpha0 == pytest.approx(1.0) and ex.step_slider.value == 1
        assert ex.view.state.index == 1
        pruned = ex.trace.final_params.weights.min()
        # E[π_k] = (α₀ + N_k)/(Kα₀ + N) (PRML 10.69) never falls below α₀/(Kα₀ + N)
        assert 1.0 / (X.shape[0] + 6.0) <= pruned < 0.01
        ex.prior_input.value = "dirichlet_process"
        assert ex.trace.prior.prior_type == "dirichlet_process"
        ex.k_input.value = 3
        assert ex.trace.params[0].n_components == 3
        assert ex.step_slider.max == ex.trace.n_half_steps - 1
        if view == "browser":
            assert ex.view.meta["method"] == "vb" and ex.view.meta["n_components"] == 3
        ex.init_input.value = "k-means++"
        assert np.isnan(ex.trace.curve[0])
        ex.seed_input.value = 3
        expected = run_vb_trace(
            X,
            3,
            "k-means++",
            random_state=3,
            weight_concentration_prior=1.0,
            weight_concentration_prior_type="dirichlet_process",
            max_iter=200,
        )
        np.testing.assert_array_equal(ex.trace.final_params.m, expected.final_params.m)
        # a bad choice: the message says why, the run stays
        ex.k_input.value = 0
        assert "Could not run VB with K=0" in ex.message_text
        assert ex.trace.params[0].n_components == 3
    finally:
        if view == "matplotlib":
            ex.view.figure.clear()


def test_vb_explorer_says_when_a_run_stopped_early_and_refuses_the_playground():
    X = blobs(n_features=2)
    ex = explore(X, 4, method="vb", max_iter=2)
    assert "VB stopped after max_iter=2" in ex.message_text
    assert ex.view.playground is False
    assert ex.criteria_html.value == ""  # BIC/AIC are EM's: a VB run has a bound, not ln p(X|θ)
    ex.seed_input.value = 1
    assert "VB stopped after max_iter=2" in ex.message_text
    assert not ex.move_mean(0, [0.0, 0.0]) and "runs EM" in ex.message_text
    assert not ex.add_point([0.0, 0.0])
    # remove_point used to be EM's, inherited: it deleted the point and ran EM on a VB run
    X_before, trace_before = ex.X, ex.trace
    assert not ex.remove_point(0) and "Removing a point runs EM" in ex.message_text
    assert ex.X is X_before and ex.trace is trace_before and isinstance(ex.trace, VBTrace)
    with pytest.raises(ValueError, match="playground runs EM"):
        explore(X, 4, method="vb", playground=True)
    with pytest.raises(ValueError, match="unknown method 'bayes'"):
        explore(X, 4, method="bayes")
    with pytest.raises(ValueError, match="unknown init 'bounding-box' for VB"):
        explore(X, 4, method="vb", init="bounding-box")


def test_vb_explorer_exports(tmp_path):
    ex = explore(blobs(), 4, method="vb", max_iter=4)
    page = ex.export_html(tmp_path / "vb.html")
    assert '"method": "vb"' in open(page, encoding="utf-8").read()
    assert open(ex.export_gif(tmp_path / "vb.gif"), "rb").read(3) == b"GIF"


def test_static_panel_fades_components_by_the_given_opacities(fig_10_6):
    import matplotlib.pyplot as plt

    from gmmlearn.plotting import draw_mixture_2d

    q = fig_10_6.params[-1]
    alphas = share_alpha(q.weights, 1.0)
    fig, ax = plt.subplots()
    try:
        draw_mixture_2d(
            ax, fig_10_6.X, q, fig_10_6.responsibilities(fig_10_6.n_iter), alphas=alphas
        )
        np.testing.assert_allclose([line.get_alpha() for line in ax.lines], alphas)
        np.testing.assert_allclose(ax.collections[-1].get_facecolor()[:, 3], alphas)
        with pytest.raises(ValueError, match="alphas must be 6 opacities in"):
            draw_mixture_2d(ax, fig_10_6.X, q, alphas=[1.0, 2.0])
    finally:
        plt.close(fig)
