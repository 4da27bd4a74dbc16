"""EMView: artists made once and updated in place to the state of each step."""

import subprocess
import sys
from functools import partial

import matplotlib

matplotlib.use("Agg")

import blob_data  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from gmmlearn import initialize, run_em  # noqa: E402
from gmmlearn.plotting.colors import UNASSIGNED, blend_colors, component_colors  # noqa: E402
from gmmlearn.plotting.ellipsoids import (  # noqa: E402
    covariance_transform,
    unit_sphere_wireframe,
    weight_alpha,
)
from gmmlearn.plotting.view import EMView, intensity_colors  # noqa: E402

blobs = partial(blob_data.blobs, "view_4d")


def make_trace(X, n_components=3, max_iter=6, init="kmeans", seed=2):
    return run_em(X, initialize(X, n_components, init, random_state=seed), max_iter=max_iter, tol=0)


@pytest.fixture(scope="module")
def trace():
    return make_trace(blobs())


@pytest.fixture()
def view(trace):
    v = EMView(trace)
    yield v
    v.figure.clear()


def mahalanobis_sq(points, mean, cov):
    diff = points - mean
    return np.einsum("...i,ij,...j->...", diff, np.linalg.inv(cov), diff)


# -- what the artists hold at each step --------------------------------------------------


@pytest.mark.parametrize("index", [0, 1, 2, 3, 6, 11])
def test_artists_hold_the_state_of_the_step(view, trace, index):
    h = view.show(index)
    assert h == view.state and h.index == index
    if index == 0:  # θ₀ over grey points: no E-step has run yet
        np.testing.assert_array_equal(
            view.point_colors()[:, :3], np.tile(UNASSIGNED, (len(trace.X), 1))
        )
    else:
        resp = trace.responsibilities(h.resp_iteration)
        np.testing.assert_allclose(view.point_colors(), blend_colors(resp), atol=1e-12)
    np.testing.assert_allclose(view.means_positions(), h.params.means, atol=1e-12)
    t = h.resp_iteration if h.phase == "E" else h.iteration
    np.testing.assert_allclose(view.marker.get_xdata(), [t])
    np.testing.assert_allclose(view.marker.get_ydata(), [trace.log_likelihoods[t]])
    assert (view.marker.get_markerfacecolor() == "white") == (h.phase == "E")
    assert f"half-step {index}/{trace.n_half_steps - 1} · " in view.title.get_text()


def test_e_step_changes_colours_m_step_moves_ellipsoids(view):
    states = {}
    for index in (2, 3, 4):  # M of iteration 1, E and M of iteration 2
        view.show(index)
        states[index] = (view.point_colors().copy(), view.ellipse_vertices().copy())
    colors_m1, ellipses_m1 = states[2]
    colors_e2, ellipses_e2 = states[3]
    colors_m2, ellipses_m2 = states[4]
    assert not np.allclose(colors_m1, colors_e2)  # E: colours change …
    np.testing.assert_array_equal(ellipses_m1, ellipses_e2)  # … ellipsoids stay
    np.testing.assert_array_equal(colors_e2, colors_m2)  # M: colours stay …
    assert not np.allclose(ellipses_e2, ellipses_m2)  # … ellipsoids move
    view.show(3)
    assert "E-step" in view.title.get_text()
    at_e = view.marker.get_data()
    view.show(4)
    assert "M-step" in view.title.get_text()
    at_m = view.marker.get_data()
    assert at_m[0][0] == at_e[0][0] + 1 and at_m[1][0] > at_e[1][0]  # the M-step climbed


def test_whole_iterations_show_the_m_states(view, trace):
    assert view.n_frames(half_steps=False) == trace.n_iter + 1
    h = view.show(2, half_steps=False)
    assert (h.index, h.phase, h.iteration) == (4, "M", 2)
    np.testing.assert_allclose(view.marker.get_xdata(), [2.0])
    assert view.show(0).phase == "init"  # the mode is kept
    with pytest.raises(IndexError, match="iteration 7"):
        view.show(trace.n_iter + 1)
    view.show(trace.n_half_steps - 1, half_steps=True)
    with pytest.raises(IndexError, match="half-step"):
        view.show(trace.n_half_steps)


def test_ellipsoids_are_the_1_and_2_sigma_surfaces_with_alpha_from_weights(view, trace):
    h = view.show(6)
    vertices = view.ellipse_vertices()
    n_lines = len(unit_sphere_wireframe())
    assert vertices.shape[0] == h.params.n_components * 2 * n_lines
    per_component = vertices.reshape(h.params.n_components, 2, -1, 3)
    for k in range(h.params.n_components):
        for radius, block in zip((1.0, 2.0), per_component[k]):
            d2 = mahalanobis_sq(block, h.params.means[k], h.params.covariances[k])
            np.testing.assert_allclose(d2, radius**2, rtol=1e-8)
    colors = view.ellipses_artist.get_edgecolor().reshape(h.params.n_components, 2, n_lines, 4)
    np.testing.assert_allclose(colors[:, 0, 0, 3], weight_alpha(h.params.weights))
    np.testing.assert_allclose(colors[:, 0, 0, :3], component_colors(3))
    assert np.all(colors[:, 1, 0, 3] < colors[:, 0, 0, 3])  # 2σ fainter


def test_a_hopeless_start_is_off_the_curve_scale():
    # one data point per initial component: Σ_k = reg_covar·I, ln p(X | θ₀) ≈ -10⁸
    trace = make_trace(blobs(), init="random_from_data", max_iter=5)
    view = EMView(trace)
    bottom, top = view.ax_curve.get_ylim()
    assert trace.log_likelihoods[0] < bottom < trace.log_likelihoods[1:].min()
    view.show(0)
    assert view.marker.get_marker() == "v" and view.marker.get_ydata()[0] == bottom
    view.show(2)
    assert view.marker.get_marker() == "o"
    assert view.marker.get_ydata()[0] == trace.log_likelihoods[1]


def test_covariance_transform_factors_sigma():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(4, 3, 3))
    cov = a @ np.swapaxes(a, 1, 2) + 0.1 * np.eye(3)
    transforms = covariance_transform(cov)
    np.testing.assert_allclose(transforms @ np.swapaxes(transforms, 1, 2), cov, atol=1e-12)


def test_show_updates_artists_without_making_new_ones(view):
    figure, scatter, means, ellipses = (
        view.figure,
        view.scatter,
        view.means_artist,
        view.ellipses_artist,
    )
    n_children = len(view.ax.get_children())
    for index in range(view.n_frames()):
        view.show(index)
        view.figure.canvas.draw()
    assert view.figure is figure and view.scatter is scatter
    assert view.means_artist is means and view.ellipses_artist is ellipses
    assert len(view.ax.get_children()) == n_children
    assert len(view.figure.axes) == 3


def test_colour_by_one_component(view, trace):
    view.show(5)
    view.set_component(1)
    resp = trace.responsibilities(view.state.resp_iteration)
    expected = intensity_colors(resp[:, 1], component_colors(3)[1])
    np.testing.assert_allclose(view.point_colors(), expected)
    owned = resp[:, 1] > 0.99
    assert owned.sum() > 10 and (resp[:, 1] < 0.01).sum() > 10
    color = np.broadcast_to(component_colors(3)[1], (owned.sum(), 3))
    np.testing.assert_allclose(view.point_colors()[owned, :3], color, atol=0.01)
    np.testing.assert_allclose(view.point_colors()[resp[:, 1] < 0.01, :3], 0.88, atol=0.01)
    view.show(7)  # the choice persists across steps
    resp = trace.responsibilities(view.state.resp_iteration)
    expected = intensity_colors(resp[:, 1], component_colors(3)[1])
    np.testing.assert_allclose(view.point_colors(), expected)
    view.set_component(None)
    np.testing.assert_allclose(view.point_colors(), blend_colors(resp))
    with pytest.raises(ValueError, match="component 3 does not exist"):
        view.set_component(3)


def test_set_trace_with_another_k_keeps_the_figure(view, trace):
    figure, scatter = view.figure, view.scatter
    other = make_trace(trace.X, n_components=5, max_iter=3)
    h = view.set_trace(other)
    assert view.figure is figure and view.scatter is scatter
    assert view.means_positions().shape == (5, 3)
    assert len(view.weight_texts) == 5 and len(view.key_markers.get_offsets()) == 5
    assert h.index == 0 and view.n_frames() == other.n_half_steps
    np.testing.assert_array_equal(view.point_colors()[:, :3], [UNASSIGNED] * len(trace.X))
    view.show(1)  # the first E-step colours the points by the new run's γ(θ₀)
    np.testing.assert_allclose(view.point_colors(), blend_colors(other.responsibilities(0)))
    np.testing.assert_allclose(view.curve.get_ydata(), other.log_likelihoods)
    with pytest.raises(ValueError, match="same data"):
        view.set_trace(make_trace(blobs(seed=5)))


def test_view_angle(view):
    view.set_view_angle(elev=40, azim=10)
    assert (view.ax.elev, view.ax.azim) == (40, 10)


# -- 2-D data and other shapes -------------------------------------------------------------


def test_two_dimensional_data_gets_a_2d_plot_with_ellipses():
    X = blobs(n_features=2)
    trace = make_trace(X)
    view = EMView(trace, sigmas=(2.0,))
    assert not view.is_3d and view.ax.name == "rectilinear"
    h = view.show(4)
    np.testing.assert_allclose(view.point_colors(), blend_colors(trace.responsibilities(1)))
    np.testing.assert_allclose(view.means_positions(), h.params.means)
    vertices = view.ellipse_vertices().reshape(3, -1, 2)
    for k in range(3):
        d2 = mahalanobis_sq(vertices[k], h.params.means[k], h.params.covariances[k])
        np.testing.assert_allclose(d2, 4.0, rtol=1e-8)


def test_more_than_three_features_shows_chosen_dims():
    X = blobs(n_features=4)
    trace = make_trace(X, max_iter=2)
    view = EMView(trace, dims=(3, 0, 1))
    h = view.show(2)
    np.testing.assert_allclose(view.means_positions(), h.params.means[:, [3, 0, 1]])
    assert view.ax.get_xlabel() == "x₄"
    with pytest.raises(ValueError, match="out of range"):
        EMView(trace, dims=(0, 1, 4))


@pytest.mark.parametrize("covariance_type", ["tied", "diag", "spherical"])
def test_other_covariance_types_draw_their_ellipsoids(covariance_type):
    X = blobs()
    params = initialize(X, 3, "kmeans", covariance_type=covariance_type, random_state=0)
    trace = run_em(X, params, max_iter=2, tol=0)
    view = EMView(trace, sigmas=(1.0,))
    h = view.show(2)
    full = h.params.full_covariances()
    vertices = view.ellipse_vertices().reshape(3, -1, 3)
    for k in range(3):
        np.testing.assert_allclose(mahalanobis_sq(vertices[k], h.params.means[k], full[k]), 1.0)


def test_bad_inputs_are_one_line_errors(trace):
    with pytest.raises(ValueError, match="add a second feature"):
        EMView(make_trace(blobs(n_features=1), max_iter=1))
    with pytest.raises(ValueError, match="sigmas must be positive"):
        EMView(trace, sigmas=(0.0,))
    with pytest.raises(TypeError, match="EMTrace"):
        EMView(trace.params)


# -- exports -------------------------------------------------------------------------------


def test_gif_has_one_frame_per_step(tmp_path):
    trace = make_trace(blobs(), max_iter=3)
    view = EMView(trace, figsize=(6, 3))
    view.show(5)
    path = view.save_gif(tmp_path / "run.gif", dpi=40)
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == trace.n_half_steps
    assert view.state.index == 5  # the view is left where it was
    path = view.save_gif(tmp_path / "iterations.gif", half_steps=False, dpi=40)
    with Image.open(path) as gif:
        assert gif.n_frames == trace.n_iter + 1


def test_html_is_a_playable_page_with_one_frame_per_step(tmp_path):
    trace = make_trace(blobs(), max_iter=2)
    view = EMView(trace, figsize=(5, 3))
    path = view.save_html(tmp_path / "run.html")
    page = open(path, encoding="utf-8").read()
    assert page.startswith("<!DOCTYPE html>") and "<script" in page
    assert page.count('"data:image/png;base64,') == trace.n_half_steps
    assert (
        f"frames[{trace.n_half_steps - 1}]" in page and f"frames[{trace.n_half_steps}]" not in page
    )


def test_a_failed_export_leaves_the_earlier_file_and_no_temporary(tmp_path, monkeypatch):
    import pathlib

    from matplotlib.animation import FuncAnimation

    view = EMView(make_trace(blobs(), max_iter=2), figsize=(5, 3))
    view.show(3)
    gif, page = tmp_path / "run.gif", tmp_path / "run.html"
    gif.write_bytes(b"GIF89a the earlier one")
    page.write_text("<p>the earlier page</p>", encoding="utf-8")

    def half_a_gif(self, filename, *args, **kwargs):
        pathlib.Path(filename).write_bytes(b"GIF89a half")
        raise OSError(28, "No space left on device")

    write_text = pathlib.Path.write_text

    def half_a_page(self, text, *args, **kwargs):
        if self.parent != tmp_path:  # matplotlib's own files, while it makes the page
            return write_text(self, text, *args, **kwargs)
        with open(self, "w", encoding="utf-8") as f:
            f.write(text[:100])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FuncAnimation, "save", half_a_gif)
    with pytest.raises(OSError, match=f"^cannot write {gif}: No space left on device$"):
        view.save_gif(gif, dpi=40)
    assert view.state.index == 3  # left where it was, also after a failure
    monkeypatch.undo()  # to_jshtml saves through FuncAnimation.save too
    monkeypatch.setattr(pathlib.Path, "write_text", half_a_page)
    with pytest.raises(OSError, match=f"^cannot write {page}: No space left on device$"):
        view.save_html(page)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.gif", "run.html"]
    assert gif.read_bytes() == b"GIF89a the earlier one"
    assert page.read_text(encoding="utf-8") == "<p>the earlier page</p>"


# -- layering ----------------------------------------------------------------------------


def test_core_and_plotting_do_not_import_widgets():
    code = (
        "import sys, gmmlearn, gmmlearn.equations, gmmlearn.trace\n"
        "assert 'matplotlib' not in sys.modules, 'core imports matplotlib'\n"
        "assert 'ipywidgets' not in sys.modules\n"
        "import gmmlearn.plotting.view\n"
        "assert 'ipywidgets' not in sys.modules, 'plotting imports ipywidgets'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
