"""The EM explorer: ipywidgets controls around an :class:`~gmmlearn.plotting.view.EMView`.

In a notebook::

    from gmmlearn.widgets import explore
    explore(X, n_components=4)

shows the data coloured by the responsibilities, the ellipsoids, the log-likelihood curve,
the parameters and the equations with their current numbers, with a step slider, a Play
button, an E/M half-step toggle, and pickers for K, the initialisation, the covariance type
and the seed.

Model, view and controls are kept apart: the run (an :class:`~gmmlearn.trace.EMTrace`) is
computed once per choice of K/init/seed; the view owns the figure and only updates its
artists; this module owns the widgets and wires them with ``observe``. It is the only
module of the package that imports ipywidgets.

Backends: with the default inline backend the figure is redrawn off-screen (Agg) and shown as
a PNG in an ``Image`` widget after every step; with ``%matplotlib widget`` (ipympl) the
figure's canvas is itself a widget that redraws in place and can be rotated with the mouse.
"""

from __future__ import annotations

import functools
import html
import io

import ipywidgets as widgets
import matplotlib
import numpy as np
from IPython.display import display

from .equations import (
    EQUATION_NAMES,
    EQUATION_NUMBERS,
    PHASE_EQUATIONS,
    all_equations_with_numbers,
    params_latex,
    step_description,
)
from .init import INIT_METHODS, initialize
from .params import COVARIANCE_TYPES, check_covariance_type
from .plotting.view import EMView
from .trace import EMTrace, run_em
from .validation import check_data, check_n_components, check_nonnegative

__all__ = ["EMExplorer", "explore", "is_widget_backend", "run_trace"]

_WIDGET_BACKENDS = ("widget", "ipympl", "module://ipympl.backend_nbagg")


def is_widget_backend() -> bool:
    """Whether matplotlib runs on ipympl (``%matplotlib widget``), whose canvas is a widget."""
    return matplotlib.get_backend().lower() in _WIDGET_BACKENDS


def run_trace(
    X: np.ndarray,
    n_components: int,
    init: str = "kmeans",
    *,
    covariance_type: str = "full",
    random_state=0,
    max_iter: int = 100,
    tol: float = 1e-3,
    reg_covar: float = 1e-6,
) -> EMTrace:
    """Initialise and run EM once, checking the choices first (the explorer's model).

    Raises
    ------
    ValueError, TypeError
        For a bad K, method or covariance type, or a component that collapses during the run.
    """
    n_components = check_n_components(n_components, X.shape[0])
    check_covariance_type(covariance_type)
    params = initialize(
        X, n_components, init, covariance_type=covariance_type, reg_covar=reg_covar,
        random_state=random_state,
    )  # fmt: skip
    return run_em(X, params, max_iter=max_iter, tol=tol, reg_covar=reg_covar)


def _guarded(callback):
    """Run a widget callback; show any error in the explorer's message instead of raising.

    An exception escaping an ``observe`` callback is only printed to the kernel log, where a
    student never sees it, and it leaves the widgets half-updated.
    """

    @functools.wraps(callback)
    def wrapper(self, *args, **kwargs):
        try:
            return callback(self, *args, **kwargs)
        except Exception as exc:  # every error goes to the message line
            self._show_message(f"{type(exc).__name__}: {exc}")
            return None

    return wrapper


class EMExplorer:
    """Step through an EM run with widgets; see :func:`explore`.

    Attributes
    ----------
    trace : EMTrace
        The run shown.
    view : EMView
        The figure and its artists.
    widget : ipywidgets.VBox
        Everything, ready to display (displaying the explorer displays it).
    step_slider, play, prev_button, next_button, half_steps_toggle : widgets
        Stepping through the run.
    k_input, init_input, covariance_input, seed_input : widgets
        The choices of the run; changing one runs EM again.
    color_by, point_input, component_input, elev_slider, azim_slider : widgets
        What is shown: γ-blend or one component's γ_nk; the point and component whose numbers
        the equations show (1-based, as in the book); the 3-D view angle.
    message, step_label, equations_html, params_html : widgets
        Text outputs.
    """

    def __init__(
        self,
        X,
        n_components: int = 4,
        *,
        init: str = "kmeans",
        covariance_type: str = "full",
        random_state: int = 0,
        max_iter: int = 100,
        tol: float = 1e-3,
        reg_covar: float = 1e-6,
        half_steps: bool = True,
        dims=None,
        sigmas=(1.0, 2.0),
        interval: int = 600,
        figsize=(11.0, 5.5),
    ) -> None:
        self.X = check_data(X, min_samples=2)
        self.options = {
            "max_iter": check_nonnegative(max_iter, "max_iter", integer=True),
            "tol": check_nonnegative(tol, "tol"),
            "reg_covar": check_nonnegative(reg_covar, "reg_covar"),
        }
        if not isinstance(random_state, (int, np.integer)) or isinstance(random_state, bool):
            raise TypeError(f"random_state must be an integer seed, got {random_state!r}")
        self.trace = run_trace(
            self.X, n_components, init, covariance_type=covariance_type,
            random_state=int(random_state), **self.options,
        )  # fmt: skip
        self.uses_widget_canvas = is_widget_backend()
        self.view = EMView(
            self.trace, figure=self._new_figure(figsize), dims=dims, sigmas=sigmas,
            half_steps=half_steps, title=False,
        )  # fmt: skip
        self._updating = False
        self._build_widgets(n_components, init, covariance_type, int(random_state), interval)
        self._wire()
        self._render()

    # ---------------------------------------------------------------------------
    # Building
    # ---------------------------------------------------------------------------

    def _new_figure(self, figsize):
        if not self.uses_widget_canvas:
            return None  # the view makes an off-screen Agg figure, shown through an Output
        import matplotlib.pyplot as plt

        with plt.ioff():  # do not let pyplot display it on its own as well
            figure = plt.figure(figsize=figsize)
        figure.canvas.header_visible = False
        return figure

    def _build_widgets(self, n_components, init, covariance_type, seed, interval) -> None:
        n_frames = self.view.n_frames()
        self.step_slider = widgets.IntSlider(
            value=0, min=0, max=n_frames - 1, description="step", continuous_update=True,
            layout=widgets.Layout(width="420px"),
        )  # fmt: skip
        self.play = widgets.Play(
            value=0, min=0, max=n_frames - 1, interval=interval, description="play"
        )
        # in the browser, without a round trip through the kernel
        self._play_link = widgets.jslink((self.play, "value"), (self.step_slider, "value"))
        self.prev_button = widgets.Button(description="◀ back", layout={"width": "80px"})
        self.next_button = widgets.Button(description="step ▶", layout={"width": "80px"})
        self.half_steps_toggle = widgets.ToggleButtons(
            options=[("E / M half-steps", True), ("whole iterations", False)],
            value=self.view.half_steps,
            style={"button_width": "130px"},
        )
        self.step_label = widgets.HTML()
        self.message = widgets.HTML()
        self.message_text = ""
        self.k_input = widgets.IntText(
            value=n_components, description="K", layout={"width": "140px"}
        )
        self.init_input = widgets.Dropdown(options=INIT_METHODS, value=init, description="init")
        self.covariance_input = widgets.Dropdown(
            options=COVARIANCE_TYPES, value=covariance_type, description="covariance"
        )
        self.seed_input = widgets.IntText(value=seed, description="seed", layout={"width": "160px"})
        self.color_by = widgets.Dropdown(description="colour by")
        self.point_input = widgets.BoundedIntText(
            value=1, min=1, max=self.X.shape[0], description="point n", layout={"width": "170px"}
        )
        self.component_input = widgets.Dropdown(description="component k")
        self._set_component_options()
        self.elev_slider = widgets.IntSlider(
            value=round(self.view.ax.elev) if self.view.is_3d else 0, min=-90, max=90,
            description="elevation",
        )  # fmt: skip
        self.azim_slider = widgets.IntSlider(
            value=round(self.view.ax.azim) if self.view.is_3d else 0, min=-180, max=180,
            description="azimuth",
        )  # fmt: skip
        self.equations_html = widgets.HTMLMath()
        self.params_html = widgets.HTMLMath()
        if self.uses_widget_canvas:
            self.figure_area = self.view.figure.canvas
        else:
            # a PNG of the Agg figure, replaced at each step: works with any non-widget
            # backend, needs no figure formatter, does not flicker
            self.figure_area = widgets.Image(format="png")

        stepping = widgets.HBox(
            [self.prev_button, self.play, self.step_slider, self.next_button,
             self.half_steps_toggle]
        )  # fmt: skip
        run = widgets.HBox([self.k_input, self.init_input, self.covariance_input, self.seed_input])
        shown = [self.color_by, self.point_input, self.component_input]
        angles = [widgets.HBox([self.elev_slider, self.azim_slider])] if self.view.is_3d else []
        texts = widgets.Tab(children=[self.equations_html, self.params_html])
        texts.set_title(0, "equations")
        texts.set_title(1, "parameters")
        self.widget = widgets.VBox(
            [self.message, run, stepping, self.step_label, self.figure_area, *angles,
             widgets.HBox(shown), texts]
        )  # fmt: skip

    def _set_component_options(self) -> None:
        n_components = self.trace.params[0].n_components
        self._updating = True
        try:
            keep = self.color_by.value if self.color_by.value is not None else None
            self.color_by.options = [("γ-blend of all", None)] + [
                (f"γ of component {k + 1}", k) for k in range(n_components)
            ]
            self.color_by.value = keep if keep is not None and keep < n_components else None
            chosen = self.component_input.value
            self.component_input.options = [(str(k + 1), k) for k in range(n_components)]
            self.component_input.value = (
                chosen if chosen is not None and chosen < n_components else 0
            )
        finally:
            self._updating = False

    def _wire(self) -> None:
        self.step_slider.observe(self._on_step, names="value")
        self.half_steps_toggle.observe(self._on_half_steps, names="value")
        self.prev_button.on_click(self._on_prev)
        self.next_button.on_click(self._on_next)
        for control in (self.k_input, self.init_input, self.covariance_input, self.seed_input):
            control.observe(self._on_run_choice, names="value")
        self.color_by.observe(self._on_color_by, names="value")
        self.point_input.observe(self._on_step, names="value")
        self.component_input.observe(self._on_step, names="value")
        self.elev_slider.observe(self._on_angle, names="value")
        self.azim_slider.observe(self._on_angle, names="value")

    # ---------------------------------------------------------------------------
    # Callbacks (none lets an exception escape)
    # ---------------------------------------------------------------------------

    @_guarded
    def _on_step(self, change=None) -> None:
        if not self._updating:
            self._render()

    @_guarded
    def _on_prev(self, button=None) -> None:
        self.step_slider.value = max(self.step_slider.value - 1, 0)

    @_guarded
    def _on_next(self, button=None) -> None:
        self.step_slider.value = min(self.step_slider.value + 1, self.step_slider.max)

    @_guarded
    def _on_half_steps(self, change) -> None:
        # stay at the same place in the run: iteration t ↔ its M half-step 2t
        current = self.view.state.index
        half_steps = bool(change["new"])
        self.view.half_steps = half_steps
        self._set_slider(current if half_steps else current // 2)
        self._render()

    @_guarded
    def _on_color_by(self, change) -> None:
        if not self._updating:
            self.view.set_component(change["new"])
            self._render()

    @_guarded
    def _on_angle(self, change=None) -> None:
        self.view.set_view_angle(self.elev_slider.value, self.azim_slider.value)
        self._render()

    @_guarded
    def _on_run_choice(self, change=None) -> None:
        if self._updating:
            return
        self.rerun()

    # ---------------------------------------------------------------------------
    # Actions
    # ---------------------------------------------------------------------------

    def rerun(self) -> bool:
        """Run EM again with the K, init, covariance type and seed of the widgets.

        Returns
        -------
        ok : bool
            False if the choices were invalid or the run failed; the message says why and the
            previous run stays on screen.
        """
        choices = {
            "n_components": self.k_input.value,
            "init": self.init_input.value,
            "covariance_type": self.covariance_input.value,
            "random_state": self.seed_input.value,
        }
        try:
            trace = run_trace(self.X, **choices, **self.options)
        except (ValueError, TypeError, ArithmeticError, np.linalg.LinAlgError) as exc:
            previous = self.trace.params[0]
            self._show_message(
                f"Could not run EM with K={choices['n_components']}, init={choices['init']!r}, "
                f"seed={choices['random_state']}: {exc}. Still showing the previous run "
                f"(K={previous.n_components})."
            )
            return False
        self.trace = trace
        self._show_message("")
        self.view.set_trace(trace)
        self._set_component_options()
        self._set_slider(0)
        self._render()
        return True

    def show(self, index: int) -> None:
        """Move the slider to ``index`` (a half-step, or an iteration in whole-iteration mode)."""
        self.step_slider.value = index

    def export_html(self, path, interval: int = 500) -> str:
        """Write the run as a self-contained HTML player (for nbviewer, slides); returns path."""
        return self._offscreen_view().save_html(path, interval=interval)

    def export_gif(self, path, fps: float = 2.0, dpi: float = 72.0) -> str:
        """Write the run as an animated GIF, one frame per step of the current mode."""
        return self._offscreen_view().save_gif(path, fps=fps, dpi=dpi)

    def _offscreen_view(self) -> EMView:
        # a separate Agg figure: exporting must not animate (or resize) the one on screen
        view = self.view
        return EMView(
            self.trace, dims=view.dims, sigmas=view.sigmas, half_steps=view.half_steps,
            component=view.component, figsize=tuple(view.figure.get_size_inches()),
            elev=view.ax.elev if view.is_3d else 22.0, azim=view.ax.azim if view.is_3d else -60.0,
        )  # fmt: skip

    # ---------------------------------------------------------------------------
    # Output
    # ---------------------------------------------------------------------------

    def _set_slider(self, value: int) -> None:
        self._updating = True
        try:
            n_frames = self.view.n_frames()
            self.step_slider.max = self.play.max = n_frames - 1
            self.step_slider.value = self.play.value = min(value, n_frames - 1)
        finally:
            self._updating = False

    def _render(self) -> None:
        h = self.view.show(self.step_slider.value)
        self.step_label.value = (
            f"<b>{html.escape(step_description(h, self.trace.n_half_steps))}</b>"
        )
        self.params_html.value = (
            f"<p>θ shown (θ<sub>{h.resp_iteration if h.phase == 'E' else h.iteration}</sub>):</p>"
            f"$$ {params_latex(h.params)} $$"
        )
        self.equations_html.value = self._equations(h.index)
        if not self.uses_widget_canvas:
            buffer = io.BytesIO()
            self.view.figure.savefig(buffer, format="png")
            self.figure_area.value = buffer.getvalue()

    def _equations(self, step: int) -> str:
        n = self.point_input.value - 1
        k = self.component_input.value
        if not 0 <= n < self.X.shape[0]:
            raise ValueError(f"point n={n + 1} does not exist: use 1 … {self.X.shape[0]}")
        latex = all_equations_with_numbers(self.trace, step, n, k)
        applied = PHASE_EQUATIONS[self.view.state.phase]
        rows = []
        for name, text in latex.items():
            tag = " — <b>just applied</b>" if name in applied else ""
            rows.append(
                f"<p>{EQUATION_NAMES[name]} ({EQUATION_NUMBERS[name]}){tag}</p>$$ {text} $$"
            )
        return (
            "<p><i>E-step at the θ that made the colours shown; M-step on those colours "
            "(point and component are 1-based, as in the book).</i></p>" + "".join(rows)
        )

    def _show_message(self, text: str) -> None:
        self.message_text = text
        self.message.value = (
            f'<div style="color:#B00020"><b>{html.escape(text)}</b></div>' if text else ""
        )

    def _ipython_display_(self) -> None:
        display(self.widget)


def explore(
    X,
    n_components: int = 4,
    *,
    init: str = "kmeans",
    covariance_type: str = "full",
    random_state: int = 0,
    **options,
) -> EMExplorer:
    """Step through EM for a Gaussian mixture on ``X`` with widgets (Jupyter).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        2 or more features; with more than 3 the first three are shown (``dims=`` chooses).
    n_components : int, default=4
        K.
    init : str, default="kmeans"
        One of ``gmmlearn.INIT_METHODS``.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    random_state : int, default=0
        Seed of the initialisation.
    **options
        ``max_iter``, ``tol``, ``reg_covar`` of the run; ``half_steps``, ``dims``, ``sigmas``,
        ``interval`` (ms between Play frames) and ``figsize`` of the display.

    Returns
    -------
    explorer : EMExplorer
        Displays itself as the last expression of a cell; ``.export_html(path)`` and
        ``.export_gif(path)`` save the animation for places where widgets do not run.
    """
    return EMExplorer(
        X, n_components, init=init, covariance_type=covariance_type, random_state=random_state,
        **options,
    )  # fmt: skip
