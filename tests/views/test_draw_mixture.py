"""The 2-D panel of a mixture used by the lessons (PRML Fig. 9.8)."""

import numpy as np
import pytest
from matplotlib.figure import Figure  # no pyplot: no backend, no global state

from gmmlearn import initialize, responsibilities
from gmmlearn.plotting import blend_colors, component_colors, draw_mixture_2d


@pytest.fixture
def problem():
    rng = np.random.default_rng(3)
    X = np.concatenate([rng.normal(c, 0.5, size=(40, 2)) for c in ([0, 0], [3, 3])])
    return X, initialize(X, 2, random_state=0)


def test_points_ellipses_and_means(problem):
    X, params = problem
    ax = Figure().add_subplot()
    draw_mixture_2d(ax, X, params, sigmas=(1.0, 2.0))
    points, means = ax.collections
    np.testing.assert_allclose(points.get_offsets(), X)
    np.testing.assert_allclose(
        points.get_facecolors(), blend_colors(responsibilities(X, params)), atol=1e-12
    )
    np.testing.assert_allclose(means.get_offsets(), params.means)
    assert len(ax.lines) == 2 * 2  # two radii per component
    # the 1σ ellipse of component 0: (x − μ)ᵀ Λ (x − μ) = 1 on every point of the outline
    outline = ax.lines[0].get_xydata() - params.means[0]
    np.testing.assert_allclose(
        np.einsum("pd,de,pe->p", outline, params.precisions[0], outline), 1.0, rtol=1e-9
    )


def test_colour_choices(problem):
    X, params = problem
    resp = responsibilities(X, params)
    ax = Figure().add_subplot()
    draw_mixture_2d(ax, X, params, resp, color_by="argmax")
    expected = component_colors(2)[resp.argmax(axis=1)]
    np.testing.assert_allclose(ax.collections[0].get_facecolors()[:, :3], expected)
    grey = Figure().add_subplot()
    draw_mixture_2d(grey, X, params, color_by="none")
    assert np.unique(grey.collections[0].get_facecolors(), axis=0).shape[0] == 1
    with pytest.raises(ValueError, match="color_by"):
        draw_mixture_2d(Figure().add_subplot(), X, params, color_by="rainbow")


def test_higher_dimensions_show_the_first_two_coordinates():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    params = initialize(X, 2, random_state=0, covariance_type="diag")
    ax = draw_mixture_2d(Figure().add_subplot(), X, params)
    np.testing.assert_allclose(ax.collections[0].get_offsets(), X[:, :2])
