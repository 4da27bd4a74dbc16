"""How the explorer holds each of its two views: one small interface, two implementations.

:class:`BrowserHost` holds the browser view (:class:`gmmlearn.webview.widget.TraceView`): it
draws and steps in the page, linked to the slider there, so the texts may follow a moment
later. :class:`MatplotlibHost` holds the matplotlib view (:class:`gmmlearn.plotting.view.EMView`):
every step is drawn in the kernel and shown as a PNG (or in ipympl's canvas widget). The
explorer calls the same methods on either and never asks which one it holds.
"""

from __future__ import annotations

import io

import ipywidgets as widgets
import numpy as np

from ..webview.widget import TraceView

__all__ = ["HOSTS", "BrowserHost", "MatplotlibHost", "is_widget_backend"]

_WIDGET_BACKENDS = ("widget", "ipympl", "module://ipympl.backend_nbagg")


def is_widget_backend() -> bool:
    """Whether matplotlib runs on ipympl (``%matplotlib widget``), whose canvas is a widget."""
    import matplotlib  # the browser view's first frame does without it

    return matplotlib.get_backend().lower() in _WIDGET_BACKENDS


class BrowserHost:
    """The browser view: the run is sent once; stepping and turning happen in the page.

    Attributes
    ----------
    view : TraceView
    widget : TraceView
        What the explorer displays (the view itself).
    """

    #: Without WebGL nothing is drawn: the explorer then swaps in a :class:`MatplotlibHost`.
    needs_webgl = True
    #: The view writes the step in its own title, at once; the kernel's label would only
    #: repeat it late.
    writes_step_title = True
    #: The picture does not wait for the equations: they may follow a moment later.
    texts_may_follow = True
    uses_widget_canvas = False

    def __init__(
        self, run, *, dims, sigmas, half_steps, figsize, playground, axis_names=None
    ) -> None:
        self.view = TraceView(
            run,
            dims=dims,
            sigmas=sigmas,
            half_steps=half_steps,
            playground=bool(playground),
            axis_names=axis_names,
        )
        self.widget = self.view
        self.link = None

    @property
    def playground(self) -> bool:
        return self.view.playground

    def accepts(self, run) -> bool:
        """True: the browser view takes any run, new data included."""
        return True

    def remade(self, run, view_options) -> MatplotlibHost:
        """The matplotlib host that replaces this one where the browser has no WebGL."""
        return MatplotlibHost(run, half_steps=self.view.half_steps, **view_options)

    def connect(self, slider, on_webgl, speed=None):
        """Link the slider (and the speed of Space's play) to the view in the browser;
        returns the step's link."""
        # the figure follows the slider in the browser, before the kernel hears of it
        self.link = widgets.jslink((slider, "value"), (self.view, "step"))
        if speed is not None:
            self.view.interval = int(speed.value)
            self.speed_link = widgets.jslink((speed, "value"), (self.view, "interval"))
        self.view.observe(on_webgl, names="webgl")
        return self.link

    def disconnect(self) -> None:
        self.link.unlink()

    def on_playground(self, move_mean, add_point, remove_point, undo) -> None:
        """Where the playground's drag, click, shift-click and Ctrl+Z go."""
        self.view.on_mean_moved(move_mean)
        self.view.on_point_added(add_point)
        self.view.on_point_removed(remove_point)
        self.view.on_undo(undo)

    def follow(self, explorer) -> None:
        """The slider moved: the browser has drawn the step already (and may be further on:
        never write the step back); the texts may come a moment later."""
        self.view.follow(explorer.step_slider.value)
        explorer._schedule_texts()

    def move_to(self, index: int) -> None:
        """From Python: move the view too (no browser may link them)."""
        self.view.show(index)

    def publish(self) -> None:
        """Nothing to send: the page draws what it has."""

    def say_running(self, text: str) -> None:
        """The picture's title says ``text`` (a run computed after the first frame) until the
        next run is sent."""
        self.view.meta = {**self.view.meta, "running": text}

    def angles(self) -> dict:
        """The 3-D angle on screen (as the mouse left it), for the exports."""
        return {"elev": self.view.elev, "azim": self.view.azim}

    def slider_angles(self) -> tuple[int, int] | None:
        """None: the view turns with the mouse, no angle sliders are shown."""
        return None


class MatplotlibHost:
    """The matplotlib view: each step drawn in the kernel (a PNG, or ipympl's canvas).

    Attributes
    ----------
    view : EMView
    widget : ipywidgets.Image or the ipympl canvas
        What the explorer displays.
    uses_widget_canvas : bool
        Whether the figure is drawn in ipympl's canvas widget (``%matplotlib widget``).
    """

    needs_webgl = False
    writes_step_title = False
    #: The step's texts are drawn with its figure.
    texts_may_follow = False
    playground = False
    uses_widget_canvas = False  # set by __init__ from matplotlib's backend

    def __init__(
        self, run, *, dims, sigmas, half_steps, figsize, playground=False, axis_names=None
    ) -> None:
        self.uses_widget_canvas = is_widget_backend()
        from ..plotting.view import EMView  # matplotlib's figures: only for this view

        self.view = EMView(
            run,
            figure=self._new_figure(figsize),
            dims=dims,
            sigmas=sigmas,
            half_steps=half_steps,
            title=False,
        )
        if axis_names is not None:
            setters = (self.view.ax.set_xlabel, self.view.ax.set_ylabel)
            for set_label, name in zip(setters, axis_names):
                set_label(name)
        # a PNG of the Agg figure, replaced at each step: works with any non-widget backend,
        # needs no figure formatter, does not flicker
        self.widget = (
            self.view.figure.canvas if self.uses_widget_canvas else widgets.Image(format="png")
        )

    def _new_figure(self, figsize):
        if not self.uses_widget_canvas:
            return None  # the view makes an off-screen Agg figure, shown through an Image
        import matplotlib.pyplot as plt

        with plt.ioff():  # do not let pyplot display it on its own as well
            figure = plt.figure(figsize=figsize)
        figure.canvas.header_visible = False
        return figure

    def accepts(self, run) -> bool:
        """Whether the figure can show ``run``: only a run on the same data (its axes)."""
        X = self.view.trace.X
        return run.X.shape == X.shape and np.array_equal(run.X, X)

    def remade(self, run, view_options) -> MatplotlibHost:
        """A new figure for ``run`` (new data: a preset, a point added or removed)."""
        return MatplotlibHost(run, half_steps=self.view.half_steps, **view_options)

    def connect(self, slider, on_webgl, speed=None):
        """Nothing to link: the slider's callback draws each step in the kernel."""
        return None

    def disconnect(self) -> None:
        """Nothing was linked."""

    def on_playground(self, move_mean, add_point, remove_point, undo) -> None:
        """No playground: dragging needs the browser view."""

    def follow(self, explorer) -> None:
        """The slider moved: draw the step and its texts now."""
        explorer._render()

    def move_to(self, index: int) -> None:
        """Nothing more: the slider's callback has drawn ``index``."""

    def say_running(self, text: str) -> None:
        """Nothing: the step label under the figure and the message line say it."""

    def publish(self) -> None:
        """Send the figure just drawn: as a PNG, unless ipympl's canvas shows it itself."""
        if not self.uses_widget_canvas:
            buffer = io.BytesIO()
            self.view.figure.savefig(buffer, format="png")
            self.widget.value = buffer.getvalue()

    def angles(self) -> dict:
        """The 3-D angle of the axes (as the sliders left it), for the exports."""
        ax = self.view.ax
        return {"elev": ax.elev, "azim": ax.azim} if self.view.is_3d else {}

    def slider_angles(self) -> tuple[int, int] | None:
        """The angle the elevation/azimuth sliders start at (3-D only: the PNG cannot turn)."""
        if not self.view.is_3d:
            return None
        return round(self.view.ax.elev), round(self.view.ax.azim)


#: The explorer's ``view=`` choices.
HOSTS = {"browser": BrowserHost, "matplotlib": MatplotlibHost}
