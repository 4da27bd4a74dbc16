"""Still figures: ``em.png`` (the result of a run) and 2-D panels of a mixture for the lessons.

Built on :class:`matplotlib.figure.Figure` directly, not ``pyplot``: no global state, no GUI
backend, so it works headless (in the command line, in CI) and never shows a stray window.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from ..params import GaussianMixtureParams
from ..steps import responsibilities
from .colors import blend_colors, component_colors
from .ellipsoids import ellipse_segments, unit_circle

__all__ = ["draw_mixture_2d", "em_figure"]

_JITTER_SEED = 20190721  # the date of the 2019 original
_LEGEND_MAX = 24  # components listed in em.png's legend (the largest weights)


def em_figure(
    X: np.ndarray,
    params: GaussianMixtureParams,
    resp: np.ndarray,
    *,
    log_likelihood: float | None = None,
    figsize: tuple[float, float] = (8.5, 6.0),
    max_points: int = 100_000,
) -> Figure:
    """The 2019 original's ``em.png``, done right: points coloured by their likeliest component.

    3-D data get a 3-D scatter, 2-D data a plane scatter, 1-D data a strip (the vertical
    spread is jitter, for visibility); with D > 3 the first three coordinates are shown. Each
    mean μ_k is marked with a large ✕ in its component's colour; the legend gives π_k (for
    more than 24 components, the 24 largest and how many more there are).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    params : GaussianMixtureParams
        The fitted θ (means and weights are shown).
    resp : ndarray of shape (n_samples, n_components)
        γ; each point takes the colour of argmax_k γ_nk.
    log_likelihood : float, optional
        ln p(X | θ), shown in the title.
    figsize : (float, float), default=(8.5, 6)
        Inches.
    max_points : int, default=100_000
        Draw at most this many points, a random subset (the same every time), which the title
        says: beyond that a scatter is solid colour anyway and takes seconds to draw.

    Returns
    -------
    figure : matplotlib.figure.Figure
        Save it with ``figure.savefig("em.png")``.
    """
    X = np.asarray(X, dtype=np.float64)
    resp = np.asarray(resp, dtype=np.float64)
    n_samples, n_features = X.shape
    n_components = params.n_components
    if resp.shape != (n_samples, n_components):
        raise ValueError(
            f"resp must have shape (n_samples, n_components) = {(n_samples, n_components)}, "
            f"got {resp.shape}"
        )
    colors = component_colors(n_components)
    shown = slice(None)
    if n_samples > max_points:
        shown = np.sort(np.random.default_rng(_JITTER_SEED).choice(n_samples, max_points, False))
    point_colors = colors[np.argmax(resp[shown], axis=1)]
    n_shown = min(n_features, 3)
    figure = Figure(figsize=figsize, layout="constrained")
    ax = _scatter_points_and_means(
        figure, X[shown, :n_shown], params.means[:, :n_shown], colors, point_colors
    )
    _legend_of_weights(figure, params.weights, colors)
    # few ticks, and axis labels clear of the tick labels
    for axis in (ax.xaxis, ax.yaxis) + ((ax.zaxis,) if n_shown == 3 else ()):
        axis.set_major_locator(MaxNLocator(5))
        axis.label.set_size("large")
    if n_shown == 3:
        ax.xaxis.labelpad = ax.yaxis.labelpad = ax.zaxis.labelpad = 12
    ax.set_title(_em_title(n_components, n_samples, n_features, log_likelihood, max_points))
    return figure


def _scatter_points_and_means(figure, points, means, colors, point_colors):
    """The points in their component's colour and each mean as a large ✕: 3-D, plane or strip."""
    n_shown = points.shape[1]
    if n_shown == 3:
        ax = figure.add_subplot(projection="3d", computed_zorder=False)  # means on top
        ax.scatter(*points.T, c=point_colors, s=6, alpha=0.6, linewidths=0, depthshade=False)
        ax.scatter(
            *means.T,
            c=colors,
            s=220,
            marker="X",
            edgecolors="black",
            linewidths=1.5,
            depthshade=False,
        )
        ax.set_zlabel("$x_3$")
    else:
        ax = figure.add_subplot()
        if n_shown == 1:
            # A strip: jitter spreads the points out. Its seed is fixed, so the figure is
            # reproducible, and unusual, so it is not the stream that drew the data.
            jitter = np.random.default_rng(_JITTER_SEED).uniform(-1.0, 1.0, len(points))
            points = np.column_stack([points[:, 0], jitter])
            means = np.column_stack([means[:, 0], np.zeros(len(means))])
            ax.set_yticks([])
            ax.set_ylim(-1.5, 1.5)
        ax.scatter(*points.T, c=point_colors, s=8, alpha=0.6, linewidths=0)
        ax.scatter(*means.T, c=colors, s=220, marker="X", edgecolors="black", linewidths=1.5)
    ax.set_xlabel("$x_1$")
    if n_shown >= 2:
        ax.set_ylabel("$x_2$")
    return ax


def _legend_of_weights(figure, weights, colors) -> None:
    """π_k beside the plot: the largest ones only, in their order (60 entries do not fit)."""
    listed = np.sort(np.argsort(-weights, kind="stable")[:_LEGEND_MAX])
    handles = [
        # numbered from 1, as in the book and the explorer
        Line2D(
            [],
            [],
            linestyle="",
            marker="o",
            markersize=9,
            color=colors[k],
            label=rf"$\pi_{{{k + 1}}}$ = {weights[k]:.3f}",
        )
        for k in listed
    ]
    if len(weights) > len(listed):
        rest = np.delete(weights, listed)
        handles.append(
            Line2D([], [], linestyle="", label=f"{len(rest)} more, each π ≤ {rest.max():.3f}")
        )
    handles.append(
        Line2D(
            [],
            [],
            linestyle="",
            marker="X",
            markersize=12,
            markerfacecolor="white",
            markeredgecolor="black",
            label=r"means $\mu_k$",
        )
    )
    # many components: more columns and a smaller font, so the legend fits beside the plot
    ncols = -(-len(handles) // 14)
    size = "large" if len(handles) <= 9 else "medium" if len(handles) <= 21 else "small"
    # a figure legend "outside": the constrained layout makes room for it (an axes legend
    # anchored outside a 3-D axes was cut off at the figure's edge)
    figure.legend(
        handles=handles,
        loc="outside right upper",
        fontsize=size,
        title="components",
        title_fontsize=size,
        ncols=ncols,
    )


def _em_title(n_components, n_samples, n_features, log_likelihood, max_points) -> str:
    """K, N, the final ln p, and what of the data is not drawn."""
    title = f"EM for a Gaussian mixture: K = {n_components}, N = {n_samples}"
    if log_likelihood is not None:
        title += f"\nfinal log-likelihood ln p(X | θ) = {log_likelihood:.2f}"
    notes = []
    if n_samples > max_points:
        notes.append(f"{max_points:,} of the {n_samples:,} points, drawn at random")
    if n_features > 3:
        notes.append(f"first 3 of {n_features} coordinates")
    if notes:
        title += f"\n({'; '.join(notes)} shown)"
    return title


def draw_mixture_2d(
    ax,
    X: np.ndarray,
    params: GaussianMixtureParams,
    resp: np.ndarray | None = None,
    *,
    sigmas=(1.0,),
    color_by: str = "blend",
    point_size: float = 10.0,
    alphas=None,
):
    """One 2-D panel of a mixture: the points, the σ-ellipses of every Σ_k and the means.

    The picture of PRML Fig. 9.8, on an existing matplotlib ``ax`` (the first two coordinates
    of higher-dimensional data).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    X : ndarray of shape (n_samples, n_features)
    params : GaussianMixtureParams
        θ drawn as ellipses (any covariance type) and mean markers.
    resp : ndarray of shape (n_samples, n_components), optional
        γ that colours the points; by default γ(θ) of ``params``. After an M-step the colours
        come from the previous θ: pass that γ.
    sigmas : sequence of float, default=(1.0,)
        Mahalanobis radii of the ellipses drawn (1σ, 2σ, …).
    color_by : {"blend", "argmax", "none"}, default="blend"
        Each point's colour: the γ-weighted mix of the component colours, the colour of its
        likeliest component, or plain grey (the data before any E-step).
    point_size : float, default=10
    alphas : array-like of shape (n_components,), optional
        Opacity of each component's ellipses and mean marker, e.g.
        :func:`~gmmlearn.plotting.ellipsoids.share_alpha` of E[π_k] for a VB run, where a
        pruned component fades out. Default: all opaque.

    Returns
    -------
    ax : matplotlib.axes.Axes
    """
    if color_by not in ("blend", "argmax", "none"):
        raise ValueError(f"color_by must be 'blend', 'argmax' or 'none', got {color_by!r}")
    X = np.asarray(X, dtype=np.float64)
    colors = component_colors(params.n_components)
    if color_by == "none":
        point_colors = "0.55"
    else:
        resp = responsibilities(X, params) if resp is None else resp
        point_colors = (
            blend_colors(resp, colors) if color_by == "blend" else colors[np.argmax(resp, axis=1)]
        )
    ax.scatter(*X[:, :2].T, c=point_colors, s=point_size, edgecolors="0.25", linewidths=0.3)
    means = params.means[:, :2]
    covariances = params.full_covariances()[:, :2, :2]
    segments = ellipse_segments(means, covariances, sigmas, unit_circle())
    alphas = np.ones(len(colors)) if alphas is None else np.asarray(alphas, dtype=np.float64)
    if alphas.shape != (len(colors),) or not np.all((alphas >= 0) & (alphas <= 1)):
        raise ValueError(f"alphas must be {len(colors)} opacities in [0, 1], got {alphas}")
    for i, outline in enumerate(segments):
        k = i // len(sigmas)
        ax.plot(*outline.T, color=colors[k], lw=1.8, alpha=alphas[k])
    faces = np.column_stack([colors[:, :3], alphas])
    edges = np.column_stack([np.zeros((len(colors), 3)), alphas])
    ax.scatter(*means.T, c=faces, s=90, marker="X", edgecolors=edges, linewidths=1, zorder=3)
    ax.set_aspect("equal")
    return ax
