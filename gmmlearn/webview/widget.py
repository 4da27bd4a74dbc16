"""The browser view of an EM or VB trace: an anywidget that draws the whole run client-side.

:class:`TraceView` is the second implementation of the explorer's view interface (the first is
:class:`gmmlearn.plotting.view.EMView`, matplotlib): ``n_frames``, ``half_step_index``,
``show``, ``set_trace``, ``set_component``, ``set_view_angle`` and ``state``. The run is sent
once, as binary buffers (:mod:`gmmlearn.webview.frames`): the points once, θ per iteration;
the browser computes the colours γ itself. The JavaScript module
``explorer.js`` (shipped inside the package, no CDN) draws the points with WebGL and the axes,
ellipsoids, curve and key on 2-D canvases. Its ``step`` trait is what a Play widget or a slider
drives with ``ipywidgets.jslink``: stepping never waits for the kernel.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import threading
from pathlib import Path

import anywidget
import numpy as np
import traitlets

from ..runs import HalfStep, Run, check_run
from .frames import bound_split_json, trace_payload

__all__ = ["TraceView", "in_background", "kernel_loop", "on_loop"]

_HERE = Path(__file__).parent


def kernel_loop():
    """The running event loop of a Jupyter kernel, or None outside one (a script, a test)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def in_background(function, *args, **kwargs) -> concurrent.futures.Future:
    """``function(*args, **kwargs)`` in a daemon thread, for the work that follows a first
    frame (numpy releases the GIL in it); its future. A daemon: a kernel that restarts or
    shuts down does not wait for a run nobody will see."""
    future: concurrent.futures.Future = concurrent.futures.Future()

    def work():
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(function(*args, **kwargs))
        except BaseException as exc:  # handed to whoever waits, as an executor would
            future.set_exception(exc)

    threading.Thread(target=work, name="gmmlearn-view", daemon=True).start()
    return future


def on_loop(loop, callback):
    """A done-callback for a future of :func:`in_background`: ``callback(future)`` on the
    kernel's ``loop``, the thread that owns the widgets (not at all once it has stopped)."""

    def done(future) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: the kernel stopped
            loop.call_soon_threadsafe(callback, future)

    return done


class TraceView(anywidget.AnyWidget):
    """A run of EM (or VB) drawn in the browser; ``step`` selects what is shown.

    Parameters
    ----------
    trace : Run
        An :class:`~gmmlearn.trace.EMTrace` or any run of the :class:`~gmmlearn.runs.Run`
        protocol. A VB run (:func:`gmmlearn.vb.trace.run_vb`,
        ``BayesianGaussianMixture().fit(X).trace_``) is drawn the same way: colours r_nk,
        ellipsoids E[Λ_k]⁻¹, opacity E[π_k], the bound.
    dims : sequence of 2 or 3 int, optional
        Features to plot; default the first three (or two).
    sigmas : sequence of float, default=(1.0, 2.0)
        Mahalanobis radii of the drawn ellipsoids.
    half_steps : bool, default=True
        Whether ``step`` counts E/M half-steps (0 … 2T) or whole iterations (0 … T).
    component : int or None
        Colour the points by γ_nk of this component (0-based) instead of the γ-blend.
    elev, azim : float, default=22, -60
        Initial view angle (degrees, matplotlib's convention); the mouse turns it.
    height : int, default=0
        Height of the drawing in CSS pixels; 0: what the visible page leaves under the
        controls above it (at 1280×720 controls and picture fit together; the picture grows
        with the window). It takes the width it is given.
    axis_names : sequence of str, optional
        Names of the plotted axes (default x₁, x₂, …), e.g. a preset's "eruptions (min)".
    playground : bool, default=False
        2-D data only: dragging a mean, clicking on the plane or shift-clicking a point sends
        an event to the kernel (see :meth:`on_mean_moved`, :meth:`on_point_added`,
        :meth:`on_point_removed`); the explorer runs EM again. Hovering a point shows its row
        of γ, computed in the browser from the θ sent.

    Attributes
    ----------
    step : int (synced)
        The half-step (or iteration) shown; link a slider or Play to it with ``jslink``.
    interval : int (synced)
        Milliseconds between steps when Space plays in the picture (link the explorer's speed
        slider to it).
    glide : bool (synced)
        Whether the picture glides from one half-step to the next (means and covariances
        interpolated, colours faded); the view's "glide" box sets it. A step change during a
        glide jumps to its target.
    webgl : str (synced)
        What the browser reported: "" until drawn, "ok", or "missing" (no WebGL: nothing is
        drawn, and the explorer falls back to the matplotlib view).
    bounds : dict (synced)
        The L/KL split of the run (:func:`~gmmlearn.webview.frames.bound_split_json`), which
        the page lays over ``meta``; ``{}`` while it is computed. A fused EM run brings it
        (no cost); where it would cost a pass over the data per iteration (a run of the
        "steps" engine), in a kernel it follows the run, computed in a thread on one core
        after the run is sent: the first frame does not wait for it.
    """

    _esm = _HERE / "explorer.js"
    _css = _HERE / "explorer.css"

    step = traitlets.Int(0).tag(sync=True)
    half_steps = traitlets.Bool(True).tag(sync=True)
    elev = traitlets.Float(22.0).tag(sync=True)
    azim = traitlets.Float(-60.0).tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)
    interval = traitlets.Int(250).tag(sync=True)
    meta = traitlets.Dict().tag(sync=True)
    positions = traitlets.Bytes(b"").tag(sync=True)
    extra = traitlets.Bytes(b"").tag(sync=True)
    terms = traitlets.Bytes(b"").tag(sync=True)
    ellipsoids = traitlets.Bytes(b"").tag(sync=True)
    webgl = traitlets.Unicode("").tag(sync=True)
    playground = traitlets.Bool(False).tag(sync=True)
    glide = traitlets.Bool(True).tag(sync=True)
    bounds = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        trace: Run,
        *,
        dims=None,
        sigmas=(1.0, 2.0),
        half_steps: bool = True,
        component: int | None = None,
        elev: float = 22.0,
        azim: float = -60.0,
        height: int = 0,
        axis_names=None,
        playground: bool = False,
    ) -> None:
        check_run(trace)
        super().__init__(
            half_steps=bool(half_steps), elev=float(elev), azim=float(azim), height=int(height)
        )
        self.dims = dims
        self.sigmas = tuple(float(s) for s in sigmas)
        if any(not s > 0 for s in self.sigmas):
            raise ValueError(f"sigmas must be positive radii such as (1, 2), got {sigmas}")
        self._check_component(component, trace)
        self.component = None if component is None else int(component)
        self.axis_names = None if axis_names is None else [str(a) for a in axis_names]
        # the axes kept while the playground edits the data (None: fitted to each run's data)
        self.held_frame = None
        self.trace = trace
        self._send_run(trace)
        self.state = trace.half_step(0)
        self._playground_handlers: dict[str, list] = {
            "move_mean": [],
            "add_point": [],
            "remove_point": [],
            "undo": [],
        }
        self.playground = bool(playground)
        self.on_msg(self._on_front_message)

    # -- the view interface -------------------------------------------------------------
    def n_frames(self, half_steps: bool | None = None) -> int:
        """How many values ``step`` takes: 2T + 1 half-steps or T + 1 iterations."""
        return self.trace.n_steps(self.half_steps if half_steps is None else half_steps)

    def half_step_index(self, index: int, half_steps: bool | None = None) -> int:
        """The trace's half-step index of ``index`` (iteration t is its M half-step 2t)."""
        return self.trace.step_index(index, self.half_steps if half_steps is None else half_steps)

    def show(self, index: int, half_steps: bool | None = None) -> HalfStep:
        """Show ``index`` (the browser draws it); returns the state shown."""
        if half_steps is not None:
            self.half_steps = bool(half_steps)
        self.follow(index)
        self.step = int(index)
        return self.state

    def follow(self, index: int) -> HalfStep:
        """Record that the browser shows ``index``: a linked slider or Play moved ``step`` there.

        Unlike :meth:`show` this never writes ``step``: by the time the kernel hears of a step
        the browser may be several steps further, and writing the old value back would pull
        the view, the slider and Play back with it.
        """
        self.state = self.trace.half_step(self.half_step_index(index))
        return self.state

    def set_trace(self, trace: Run, index: int = 0) -> HalfStep:
        """Show another run (new K, initialisation or seed); everything is sent again once."""
        check_run(trace)
        if self.component is not None and self.component >= trace.params[0].n_components:
            self.component = None
        self.trace = trace
        self._send_run(trace)
        return self.show(index)

    def set_component(self, component: int | None, redraw: bool = True) -> None:
        """Colour by the γ-blend (``None``) or by γ_nk of one component k (0-based)."""
        self._check_component(component, self.trace)
        self.component = None if component is None else int(component)
        # the browser recolours from what it has: only the description changes
        self.meta = {**self.meta, "component": self.component}

    def set_view_angle(self, elev: float | None = None, azim: float | None = None) -> None:
        """Turn the 3-D view (degrees); the mouse does the same in the browser."""
        with self.hold_sync():
            if elev is not None:
                self.elev = float(elev)
            if azim is not None:
                self.azim = float(azim)

    # -- the 2-D playground ---------------------------------------------------------------
    def on_mean_moved(self, callback) -> None:
        """Call ``callback(k, position)`` when a mean is dragged to ``position`` (data coordinates,
        shape (2,)); ``k`` is 0-based."""
        self._playground_handlers["move_mean"].append(callback)

    def on_point_added(self, callback) -> None:
        """Call ``callback(position)`` when the plane is clicked at ``position`` (shape (2,))."""
        self._playground_handlers["add_point"].append(callback)

    def on_point_removed(self, callback) -> None:
        """Call ``callback(index)`` when point ``index`` (0-based row of the trace's X) is
        shift-clicked."""
        self._playground_handlers["remove_point"].append(callback)

    def on_undo(self, callback) -> None:
        """Call ``callback()`` when Ctrl+Z is pressed on the picture."""
        self._playground_handlers["undo"].append(callback)

    def hold_axes(self) -> None:
        """Keep the axes shown for the next runs (the playground edits the data: a point
        added outside must not rescale the picture under the mouse)."""
        ranges = np.asarray(self.meta["ranges"], dtype=np.float64)
        self.held_frame = (ranges.mean(axis=1), (ranges[:, 1] - ranges[:, 0]) / 2.0)

    def fit_axes(self) -> None:
        """Fit the axes to the data shown again (and to every later run's data)."""
        self.held_frame = None
        self._send_run(self.trace)

    def set_axis_names(self, axis_names) -> None:
        """Name the plotted axes (None: x₁, x₂, …); sent with the next run."""
        self.axis_names = None if axis_names is None else [str(a) for a in axis_names]

    def _on_front_message(self, widget, content, buffers) -> None:
        """A playground event from the browser, checked before it reaches the handlers."""
        if not self.playground or not isinstance(content, dict):
            return
        event = content.get("event")
        if event == "undo":
            for handler in self._playground_handlers[event]:
                handler()
            return
        if event == "remove_point":
            index = content.get("index")
            n_samples = self.trace.X.shape[0]
            if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < n_samples:
                for handler in self._playground_handlers[event]:
                    handler(index)
            return
        try:
            position = np.asarray(content.get("position"), dtype=np.float64)
        except (TypeError, ValueError):
            return
        if event not in self._playground_handlers or position.shape != (2,):
            return
        if not np.all(np.isfinite(position)):
            return
        if event == "move_mean":
            k = content.get("k")
            n_components = self.trace.params[0].n_components
            if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k < n_components:
                return
            args = (k, position)
        else:
            args = (position,)
        for handler in self._playground_handlers[event]:
            handler(*args)

    # -- sending ------------------------------------------------------------------------
    @staticmethod
    def _check_component(component, trace) -> None:
        n_components = trace.params[0].n_components
        if component is not None and not 0 <= int(component) < n_components:
            raise ValueError(
                f"component {component} does not exist: use 0 … {n_components - 1} or None"
            )

    def _send_run(self, trace: Run) -> None:
        meta, buffers = trace_payload(
            trace,
            dims=self.dims,
            sigmas=self.sigmas,
            component=self.component,
            frame=self.held_frame,
            axis_names=self.axis_names,
            bound_split=False,
        )
        slow = getattr(trace, "bound_split_costs_a_pass", False)
        loop = kernel_loop() if slow else None
        # one message: the browser never sees a new meta with old buffers (or old bounds)
        with self.hold_sync():
            for name, data in buffers.items():
                setattr(self, name, data)
            self.meta = meta
            self.bounds = {} if loop is not None else bound_split_json(trace)
        if loop is not None:
            future = in_background(bound_split_json, trace, n_threads=1)
            future.add_done_callback(on_loop(loop, functools.partial(self._receive_bounds, trace)))

    def _receive_bounds(self, trace: Run, done) -> None:
        """The split computed in the background, sent if its run is still the one shown."""
        if trace is not self.trace:
            return
        try:
            self.bounds = done.result()
        except Exception as exc:  # the panel stays hidden; the run itself is shown
            self.log.error("gmmlearn: the L/KL split could not be computed: %s", exc)
