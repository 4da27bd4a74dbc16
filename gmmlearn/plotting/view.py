"""The explorer's figure: an EM trace drawn once, then updated in place step by step.

:class:`EMView` owns one matplotlib figure with three parts:

* the data (3-D scatter, or 2-D for two features), each point coloured by the γ-blend of the
  component colours (or by one component's γ_nk); the means as large markers; the 1σ/2σ
  ellipsoids (ellipses in 2-D) of every Σ_k, their opacity following π_k;
* the log-likelihood curve ln p(X | θ_t) with the step shown marked;
* a key with the colour and π_k of each component, and a line saying which step is shown.

The artists are made once, in ``__init__``; :meth:`EMView.show` only changes their data
(face colours, offsets, segments, text) and asks the canvas for an idle redraw. Nothing here
knows about widgets: :mod:`gmmlearn.widgets` calls :meth:`show` from its callbacks.
"""

from __future__ import annotations

import numpy as np
from matplotlib import rc_context
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .._files import write_file_atomically
from ..runs import HalfStep, Run, check_run
from .colors import UNASSIGNED, blend_colors, component_colors
from .ellipsoids import (
    ellipse_segments,
    share_alpha,
    unit_circle,
    unit_sphere_wireframe,
    weight_alpha,
)
from .framing import check_dims as _check_dims
from .framing import curve_limits as _curve_limits

__all__ = ["EMView", "intensity_colors"]

# Points not owned by the selected component fade to this grey.
_BACKGROUND_GREY = 0.88
_SUBSCRIPTS = "₁₂₃₄₅₆₇₈₉"
_MARKER_COLOR = "#D55E00"
# 2σ lines are drawn fainter than 1σ lines.
_OUTER_FADE = 0.55


def intensity_colors(resp_k: np.ndarray, color) -> np.ndarray:
    """Colour each point by one component's responsibility: grey (γ=0) to its colour (γ=1).

    Parameters
    ----------
    resp_k : ndarray of shape (n_samples,)
        γ_nk of one component k.
    color : array-like of shape (3,)
        RGB of component k.

    Returns
    -------
    rgba : ndarray of shape (n_samples, 4)
    """
    resp_k = np.clip(np.asarray(resp_k, dtype=np.float64), 0.0, 1.0)[:, np.newaxis]
    rgba = np.ones((resp_k.shape[0], 4))
    rgba[:, :3] = (1.0 - resp_k) * _BACKGROUND_GREY + resp_k * np.asarray(color)[:3]
    return rgba


class _PlainTextFigure(Figure):
    """A figure that renders its text without font hinting.

    Hinting snaps glyphs to the pixel grid; at 100 dpi the text looks the same without it,
    and an explorer step, which redraws some 25 labels, is about 10 ms faster.
    """

    def draw(self, renderer):
        with rc_context({"text.hinting": "no_hinting"}):
            super().draw(renderer)


def _bound_text(trace: Run, index: int) -> str:
    """ln p = L + KL at half-step ``index``, three short lines (KL is 0 after an E-step).

    A run with no such split (VB: its curve is the bound itself) writes nothing.
    """
    split = trace.bound_split()
    if split is None:
        return ""
    log_p, lower, kl = (values[index] for values in split)
    # a KL within rounding below 0 (late in a run, −1e-14) is written 0.00, not −0.00
    values = [f"{v:.2f}".replace("-0.00", "0.00") for v in (log_p, lower, kl)]
    width = max(len(v) for v in values)
    return "\n".join(
        f"{name:<5}{value:>{width}}".replace("-", "−")
        for name, value in zip(("ln p", "L", "KL"), values)
    )


class EMView:
    """A figure of a run (:class:`~gmmlearn.runs.Run`) that steps through it in place.

    Parameters
    ----------
    trace : Run
        An :class:`~gmmlearn.trace.EMTrace`, or any run the :class:`~gmmlearn.runs.Run`
        protocol describes: a VB run is drawn the same way (colours r_nk, ellipsoids of
        E[Λ_k]⁻¹ = W_k⁻¹/ν_k, the opacity of ellipsoids and means ∝ E[π_k] as pruned
        components fade out, the VB bound).
    figure : matplotlib.figure.Figure, optional
        An empty figure to draw into (e.g. one made by pyplot under ``%matplotlib widget``).
        By default a new off-screen figure with an Agg canvas.
    dims : sequence of 2 or 3 int, optional
        Which features to plot; default the first three (or two).
    sigmas : sequence of float, default=(1.0, 2.0)
        Mahalanobis radii of the drawn ellipsoids; ``()`` draws none.
    half_steps : bool, default=True
        Whether :meth:`show` indices count E/M half-steps (0 … 2T) or iterations (0 … T).
    component : int or None, default=None
        Colour the points by γ_nk of this component (0-based) instead of the γ-blend.
    figsize : (float, float), default=(11, 5.5)
        Only used when ``figure`` is not given.
    elev, azim : float, default=22, -60
        Initial view angle of the 3-D axes.
    title : bool, default=True
        Write which step is shown above the plot (the explorer says it in a widget instead).

    Attributes
    ----------
    figure, ax, ax_curve, ax_info : matplotlib objects
    scatter : PathCollection
        The data points (their face colours are the γ colours of the step shown).
    means_artist : PathCollection
    ellipses_artist : LineCollection (Line3DCollection in 3-D)
        All ellipsoid wireframes, component-major then radius.
    curve, marker : Line2D
        The log-likelihood curve ln p(X | θ_t) and the marker at the θ_t shown (filled; open
        after an E-step, which changes γ but not θ).
    bound_text : Text
        ln p(X | θ) = L(q, θ) + KL(q ‖ p(Z | X, θ)) at the half-step shown (PRML §9.4).
    state : HalfStep
        The state shown.
    """

    def __init__(
        self,
        trace: Run,
        *,
        figure: Figure | None = None,
        dims=None,
        sigmas=(1.0, 2.0),
        half_steps: bool = True,
        component: int | None = None,
        figsize=(11.0, 5.5),
        elev: float = 22.0,
        azim: float = -60.0,
        title: bool = True,
    ) -> None:
        check_run(trace)
        self.trace = trace
        self.dims = _check_dims(dims, trace.X.shape[1])
        self.sigmas = tuple(float(s) for s in sigmas)
        if any(not s > 0 for s in self.sigmas):
            raise ValueError(f"sigmas must be positive radii such as (1, 2), got {sigmas}")
        self.half_steps = bool(half_steps)
        self.is_3d = len(self.dims) == 3
        if figure is None:
            figure = _PlainTextFigure(figsize=figsize)
            FigureCanvasAgg(figure)
        self.figure = figure
        self._build_axes(elev, azim)
        self.title.set_visible(bool(title))
        self.component = None
        self._set_data(trace.X)
        self._build_components()
        self.set_component(component, redraw=False)
        self.show(0)

    # ---------------------------------------------------------------------------
    # Building (once)
    # ---------------------------------------------------------------------------

    def _build_axes(self, elev: float, azim: float) -> None:
        fig = self.figure
        grid = fig.add_gridspec(2, 2, width_ratios=(1.75, 1.0), height_ratios=(1.0, 1.0))
        if self.is_3d:
            # computed_zorder=False: means over ellipsoids over points, whatever the angle
            self.ax = fig.add_subplot(grid[:, 0], projection="3d", computed_zorder=False)
            self.ax.view_init(elev=elev, azim=azim)
        else:
            self.ax = fig.add_subplot(grid[:, 0])
        self.ax_curve = fig.add_subplot(grid[0, 1])
        self.ax_info = fig.add_subplot(grid[1, 1])
        self.ax_info.set_axis_off()
        self.ax_info.set(xlim=(0.0, 1.0), ylim=(0.0, 1.0), autoscale_on=False)
        # plain text, not mathtext: cheaper to draw at every step
        names = [f"x{_SUBSCRIPTS[d] if d < 9 else d + 1}" for d in self.dims]
        self.ax.set_xlabel(names[0])
        self.ax.set_ylabel(names[1])
        axes = (self.ax.xaxis, self.ax.yaxis) + ((self.ax.zaxis,) if self.is_3d else ())
        if self.is_3d:
            self.ax.set_zlabel(names[2])
        for axis in axes:
            # few tick labels: text is most of the cost of a redraw
            axis.set_major_locator(MaxNLocator(3))
        self.ax_curve.set_xlabel("iteration t")
        self.ax_curve.set_ylabel("ln p(X | θₜ)")
        what = " " + self.trace.ellipsoid_note
        self.ax_info.text(
            0.0,
            0.9,
            " and ".join(f"{s:g}σ" for s in self.sigmas) + what,
            fontsize=10,
            va="top",
        )
        self.ax_curve.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        self.ax_curve.yaxis.set_major_locator(MaxNLocator(3))
        (self.curve,) = self.ax_curve.plot([], [], "-", color="0.3", lw=1.5)
        (self.marker,) = self.ax_curve.plot(
            [], [], "o", color=_MARKER_COLOR, mew=2, ms=8, zorder=3, clip_on=False
        )
        # ln p = L + KL (PRML §9.4) of the half-step shown, in the curve's empty lower right
        self.bound_text = self.ax_curve.text(
            0.97,
            0.05,
            "",
            transform=self.ax_curve.transAxes,
            ha="right",
            va="bottom",
            fontsize=10,
            family="monospace",
            linespacing=1.3,
        )
        self.title = fig.text(0.01, 0.99, "", ha="left", va="top", fontsize=10)
        left, wspace = (0.0, 0.18) if self.is_3d else (0.06, 0.3)
        fig.subplots_adjust(left=left, right=0.98, bottom=0.09, top=0.93, wspace=wspace)

    def _set_data(self, X: np.ndarray) -> None:
        """The data scatter and fixed axis limits (the view does not jump between steps)."""
        xyz = X[:, self.dims]
        size = float(np.clip(3000.0 / len(xyz), 3.0, 30.0))
        # at a few pixels a square looks like a dot and is cheaper for Agg than a circle
        style = {"s": size, "c": np.ones((len(xyz), 4)), "linewidths": 0, "zorder": 1}
        # antialiasing a 2-pixel marker changes little and costs time on 10⁴ of them
        style["antialiased"] = len(xyz) <= 5000
        style["marker"] = "s" if len(xyz) > 5000 else "o"
        if self.is_3d:
            # no depth shading: the colour must be the γ-blend and nothing else
            self.scatter = self.ax.scatter(*xyz.T, depthshade=False, **style)
        else:
            self.scatter = self.ax.scatter(*xyz.T, **style)
        low, high = xyz.min(axis=0), xyz.max(axis=0)
        pad = 0.08 * np.where(high > low, high - low, 1.0)
        setters = (self.ax.set_xlim, self.ax.set_ylim) + ((self.ax.set_zlim,) if self.is_3d else ())
        for setter, lo, hi in zip(setters, low - pad, high + pad):
            setter(lo, hi)
        self.ax.set_autoscale_on(False)
        self._xyz = xyz

    def _build_components(self) -> None:
        """Means, ellipsoids, legend: the artists whose number depends on K."""
        n_components = self.trace.params[0].n_components
        self.colors = component_colors(n_components)
        self._unit = unit_sphere_wireframe() if self.is_3d else unit_circle()
        empty = np.zeros((0, self._unit.shape[1], len(self.dims)))
        if self.is_3d:
            from mpl_toolkits.mplot3d.art3d import Line3DCollection

            self.ellipses_artist = Line3DCollection(empty, linewidths=0.9, zorder=2)
            self.ax.add_collection3d(self.ellipses_artist, autolim=False)
            zeros = np.zeros(n_components)
            self.means_artist = self.ax.scatter(
                zeros,
                zeros,
                zeros,
                s=160,
                c=self.colors,
                marker="X",
                edgecolors="k",
                linewidths=1.2,
                depthshade=False,
                zorder=3,
            )
        else:
            self.ellipses_artist = LineCollection(empty, linewidths=1.4, zorder=2)
            self.ax.add_collection(self.ellipses_artist, autolim=False)
            self.means_artist = self.ax.scatter(
                np.zeros(n_components),
                np.zeros(n_components),
                s=160,
                c=self.colors,
                marker="X",
                edgecolors="k",
                linewidths=1.2,
                zorder=3,
            )
        # a hand-made key (a Legend re-lays itself out at every draw, which costs ~10 ms)
        rows = 0.76 - min(0.1, 0.74 / n_components) * np.arange(n_components)
        self.key_markers = self.ax_info.scatter(
            np.full(n_components, 0.03),
            rows,
            s=70,
            c=self.colors,
            edgecolors="k",
            linewidths=0.6,
            clip_on=False,
        )
        self.weight_texts = [
            self.ax_info.text(0.08, y, "", va="center", fontsize=10, family="monospace")
            for y in rows
        ]
        # EM: ln p(X | θ_t); VB: the lower bound, NaN for q₀ after a one-hot start (a gap)
        curve = self.trace.curve
        self.curve.set_data(np.arange(curve.size), curve)
        span = max(curve.size - 1, 1)
        self.ax_curve.set_xlim(-0.03 * span, 1.03 * span)
        finite = curve[np.isfinite(curve)]
        if finite.size:
            self.ax_curve.set_ylim(*_curve_limits(finite, self.trace.X.shape[0]))
        self.ax_curve.set_ylabel(self.trace.curve_label)

    # ---------------------------------------------------------------------------
    # Changing what is shown
    # ---------------------------------------------------------------------------

    def n_frames(self, half_steps: bool | None = None) -> int:
        """How many indices :meth:`show` accepts: 2T + 1 half-steps or T + 1 iterations."""
        return self.trace.n_steps(self.half_steps if half_steps is None else half_steps)

    def half_step_index(self, index: int, half_steps: bool | None = None) -> int:
        """The trace's half-step index of ``index`` (iteration t is its M half-step 2t)."""
        return self.trace.step_index(index, self.half_steps if half_steps is None else half_steps)

    def show(self, index: int, half_steps: bool | None = None) -> HalfStep:
        """Update every artist to the state at ``index`` and request a redraw.

        Parameters
        ----------
        index : int
            A half-step (0 … 2T) or, with ``half_steps=False``, an iteration (0 … T).
        half_steps : bool, optional
            Change the counting mode (kept for the next calls).

        Returns
        -------
        state : HalfStep
        """
        if half_steps is not None:
            self.half_steps = bool(half_steps)
        h = self.trace.half_step(self.half_step_index(index))
        self.state = h
        self._update_points()
        self._update_components(h.params)
        t = h.resp_iteration if h.phase == "E" else h.iteration
        value = self.trace.curve[t]
        bottom = self.ax_curve.get_ylim()[0]
        # a θ₀ far below the rest of the curve is off scale: point down at it from the edge
        self.marker.set_data([t], [max(value, bottom)])
        self.marker.set_marker("o" if value >= bottom else "v")
        # after an E-step θ (hence the curve) has not moved yet: an open marker says so
        self.marker.set_markerfacecolor("white" if h.phase == "E" else _MARKER_COLOR)
        self.marker.set_visible(bool(np.isfinite(value)))  # VB: no bound for some q₀
        self.bound_text.set_text(_bound_text(self.trace, h.index))
        if self.title.get_visible():
            self.title.set_text(self.trace.describe_step(h, compact=True))
        self._request_redraw()
        return h

    def set_component(self, component: int | None, redraw: bool = True) -> None:
        """Colour by the γ-blend (``None``) or by γ_nk of one component k (0-based)."""
        if component is not None:
            n_components = len(self.colors)
            if not 0 <= int(component) < n_components:
                raise ValueError(
                    f"component {component} does not exist: use 0 … {n_components - 1} or None"
                )
            component = int(component)
        self.component = component
        if redraw:
            self._update_points()
            self._request_redraw()

    def set_trace(self, trace: Run, index: int = 0) -> HalfStep:
        """Show another run of the same data (new K, initialisation or seed) in the same figure."""
        if trace.X.shape != self.trace.X.shape or not np.array_equal(trace.X, self.trace.X):
            raise ValueError("set_trace needs a run on the same data: make a new EMView instead")
        self.means_artist.remove()
        self.ellipses_artist.remove()
        self.key_markers.remove()
        for text in self.weight_texts:
            text.remove()
        self.trace = trace
        if self.component is not None and self.component >= trace.params[0].n_components:
            self.component = None
        self._build_components()
        return self.show(index)

    def set_view_angle(self, elev: float | None = None, azim: float | None = None) -> None:
        """Turn the 3-D axes (no effect in 2-D)."""
        if self.is_3d:
            self.ax.view_init(
                elev=self.ax.elev if elev is None else elev,
                azim=self.ax.azim if azim is None else azim,
            )
            self._request_redraw()

    # ---------------------------------------------------------------------------
    # Updating the artists
    # ---------------------------------------------------------------------------

    def point_colors(self) -> np.ndarray:
        """The points' RGBA face colours held by the scatter, in data order (N, 4)."""
        # mplot3d returns them sorted by depth after a draw; the stored ones are in data order
        return np.asarray(PathCollection.get_facecolor(self.scatter))

    def means_positions(self) -> np.ndarray:
        """The plotted means, ndarray of shape (K, len(dims))."""
        if self.is_3d:
            return np.column_stack([np.asarray(a) for a in self.means_artist._offsets3d])
        return np.asarray(self.means_artist.get_offsets())

    def ellipse_vertices(self) -> np.ndarray:
        """The plotted ellipsoid polylines, ndarray of shape (K * len(sigmas) * L, P, len(dims))."""
        if self.is_3d:
            return np.asarray(self.ellipses_artist._segments3d)
        return np.asarray(self.ellipses_artist.get_segments())

    def _update_points(self) -> None:
        if not self.state.assigned:  # half-step 0: no E-step has run, no point has a colour
            colors = np.tile([*UNASSIGNED, 1.0], (self.trace.X.shape[0], 1))
            self.scatter.set_facecolor(colors)
            return
        resp = self.trace.responsibilities(self.state.resp_iteration)
        if self.component is None:
            colors = blend_colors(resp, self.colors)
        else:
            colors = intensity_colors(resp[:, self.component], self.colors[self.component])
        self.scatter.set_facecolor(colors)

    def _update_components(self, params) -> None:
        dims = list(self.dims)
        means = params.means[:, dims]
        covariances = params.full_covariances()[:, dims][:, :, dims]
        if self.is_3d:
            self.means_artist._offsets3d = tuple(means.T)
        else:
            self.means_artist.set_offsets(means)
        prunes = self.trace.prunes_components
        if prunes:  # a mean fades with E[π_k] (a pruned component's sits at the prior mean m₀)
            faded = np.column_stack([self.colors[:, :3], share_alpha(params.weights, 1.0)])
            self.means_artist.set_facecolor(faded)
            self.means_artist.set_edgecolor(
                np.column_stack([np.zeros((len(faded), 3)), faded[:, 3]])
            )
        if self.sigmas:
            segments = ellipse_segments(means, covariances, self.sigmas, self._unit)
            per_line = len(self._unit)
            alpha = (share_alpha if prunes else weight_alpha)(params.weights)[:, None] * np.array(
                [1.0] + [_OUTER_FADE] * (len(self.sigmas) - 1)
            )
            rgba = np.concatenate(
                [np.repeat(self.colors, len(self.sigmas), 0), alpha.reshape(-1, 1)], axis=1
            )
            self.ellipses_artist.set_segments(segments)
            self.ellipses_artist.set_color(np.repeat(rgba, per_line, axis=0))
        # short labels: every glyph is rendered again at each step
        for k, text in enumerate(self.weight_texts):
            text.set_text(f"{self.trace.weight_name(k)} = {params.weights[k]:.3f}")

    def _request_redraw(self) -> None:
        canvas = self.figure.canvas
        # Interactive canvases (ipympl, GUI) redraw when idle. A plain Agg canvas would draw
        # synchronously here for nothing: it is drawn when it is saved or displayed.
        if type(canvas).draw_idle is not FigureCanvasBase.draw_idle:
            canvas.draw_idle()

    # ---------------------------------------------------------------------------
    # Exports for places without widgets
    # ---------------------------------------------------------------------------

    def animation(self, half_steps: bool | None = None, interval: int = 500) -> FuncAnimation:
        """A ``FuncAnimation`` with one frame per half-step (or per iteration)."""
        half_steps = self.half_steps if half_steps is None else bool(half_steps)
        n = self.n_frames(half_steps)
        return FuncAnimation(
            self.figure,
            lambda i: self.show(i, half_steps),
            frames=n,
            init_func=lambda: None,
            interval=interval,
            repeat=False,
            cache_frame_data=False,
        )

    def to_jshtml(self, half_steps: bool | None = None, interval: int = 500) -> str:
        """The run as a self-contained HTML/JavaScript player (``FuncAnimation.to_jshtml``)."""
        import matplotlib

        previous = (self.half_steps, self.state.index)
        anim = self.animation(half_steps, interval)
        # the frames are embedded as PNG; lift the 20 MB default for long runs
        with matplotlib.rc_context({"animation.embed_limit": 200.0}):
            html = anim.to_jshtml(default_mode="once")
        self._restore(*previous)
        return html

    def save_html(self, path, half_steps: bool | None = None, interval: int = 500) -> str:
        """Write :meth:`to_jshtml` to ``path`` as a complete HTML page; returns the path.

        Written to a temporary and renamed: an existing page is replaced only by a complete one.
        """
        body = self.to_jshtml(half_steps, interval)
        page = (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>EM run</title></head>'
            f"<body>\n{body}\n</body></html>\n"
        )
        write_file_atomically(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))
        return str(path)

    def save_gif(
        self, path, half_steps: bool | None = None, fps: float = 2.0, dpi: float = 72.0
    ) -> str:
        """Write the run as an animated GIF (Pillow), one frame per step; returns the path.

        Written to a temporary and renamed: an existing GIF is replaced only by a complete one.
        """
        previous = (self.half_steps, self.state.index)
        anim = self.animation(half_steps)
        try:
            write_file_atomically(
                path,
                lambda tmp: anim.save(str(tmp), writer=PillowWriter(fps=fps), dpi=dpi),
                "run.gif",
            )
        finally:
            self._restore(*previous)
        return str(path)

    def _restore(self, half_steps: bool, half_step_index: int) -> None:
        self.half_steps = half_steps
        self.show(half_step_index if half_steps else half_step_index // 2)
