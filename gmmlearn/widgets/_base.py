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
artists; this module owns the widgets and wires them with ``observe``. It and
:mod:`gmmlearn.vb_widgets` (``explore(X, method="vb")``, a subclass stepping through variational
Bayes) are the only modules of the package that import ipywidgets.

Two views, one interface. The default, ``view="browser"``
(:class:`gmmlearn.webview.widget.TraceView`), receives the whole run once and draws it in the
browser: the step slider and Play are linked to it with ``jslink``, so stepping, playing and
turning the 3-D view with the mouse never wait for the kernel; the equations and parameters
follow from the kernel a moment later. ``view="matplotlib"``
(:class:`gmmlearn.plotting.view.EMView`) redraws a matplotlib figure in the kernel at every
step: with the inline backend as a PNG in an ``Image`` widget, with ``%matplotlib widget``
(ipympl) in its canvas widget. The browser view falls back to it by itself where the browser
has no WebGL.
"""

from __future__ import annotations

import asyncio
import functools
import html
import io
import time

import ipywidgets as widgets
import matplotlib
import numpy as np
from IPython.display import display

from ..datasets.presets import PRESET_DESCRIPTIONS, make_preset
from ..diagnostics import collapsed_components, information_criteria
from ..equations import (
    EQUATION_NAMES,
    EQUATION_NUMBERS,
    PHASE_EQUATIONS,
    all_equations_with_numbers,
    params_latex,
    step_description,
)
from ..init import INIT_METHODS
from ..params import COVARIANCE_TYPES, GaussianMixtureParams
from ..plotting.view import EMView
from ..trace import run_em, run_trace
from ..validation import check_data, check_n_components, check_nonnegative
from ..webview.export import export_html as _export_browser_html
from ..webview.widget import TraceView

__all__ = [
    "MAX_COMPONENTS",
    "VIEWS",
    "EMExplorer",
    "collapsed_components",
    "explore",
    "information_criteria",
    "is_widget_backend",
    "run_trace",
]

VIEWS = ("browser", "matplotlib")
# More components than this is no longer something to look at, and a huge K (say 4000) would
# keep the kernel busy for minutes: the explorer refuses it with a message.
MAX_COMPONENTS = 20
# While stepping fast, the equations are re-typeset in the browser at most this often (s).
_TEXT_DELAY = 0.15
# A re-run longer than this shows "running EM…" first.
_SLOW_RUN_S = 0.5
_BLEND = -1  # the "colour by" choice of the γ-blend (a Dropdown value of None shows blank)

_WIDGET_BACKENDS = ("widget", "ipympl", "module://ipympl.backend_nbagg")


def is_widget_backend() -> bool:
    """Whether matplotlib runs on ipympl (``%matplotlib widget``), whose canvas is a widget."""
    return matplotlib.get_backend().lower() in _WIDGET_BACKENDS


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
    data_input, criteria_html : widgets
        The playground's data menu (presets; shown for 2-D data in the browser view) and the
        BIC/AIC line of the run.
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
        interval: int = 250,
        figsize=(11.0, 5.5),
        view: str = "browser",
        playground: bool | None = None,
    ) -> None:
        if view not in VIEWS:
            raise ValueError(f"unknown view {view!r}: use 'browser' (default) or 'matplotlib'")
        preset = X if isinstance(X, str) else ""
        if preset:
            X = make_preset(preset)
        self.X = check_data(X, min_samples=2)
        self.options = {
            "max_iter": check_nonnegative(max_iter, "max_iter", integer=True),
            "tol": check_nonnegative(tol, "tol"),
            "reg_covar": check_nonnegative(reg_covar, "reg_covar"),
        }
        if not isinstance(random_state, (int, np.integer)) or isinstance(random_state, bool):
            raise TypeError(f"random_state must be an integer seed, got {random_state!r}")
        _check_explorer_k(n_components, self.X.shape[0])
        self.trace = self._make_trace(
            self.X, n_components=n_components, init=init, covariance_type=covariance_type,
            random_state=int(random_state),
        )  # fmt: skip
        self._view_options = {"dims": dims, "sigmas": sigmas, "figsize": figsize}
        self.uses_widget_canvas = view == "matplotlib" and is_widget_backend()
        if playground is None:  # on where it can work: 2-D data drawn in the browser
            playground = view == "browser" and self.X.shape[1] == 2
        if playground and (view != "browser" or self.X.shape[1] != 2):
            raise ValueError(
                "playground=True needs 2-D data (two features) and the browser view: "
                "pass two columns of X and view='browser'"
            )
        if view == "browser":
            self.view = TraceView(
                self.trace, dims=dims, sigmas=sigmas, half_steps=half_steps,
                playground=bool(playground),
            )  # fmt: skip
        else:
            self.view = self._matplotlib_view(half_steps)
        self._updating = False
        self._texts_pending = False
        self._build_widgets(n_components, init, covariance_type, int(random_state), interval)
        self.data_input.value = preset
        self._wire()
        self._render()
        self._show_run_notes()

    # ---------------------------------------------------------------------------
    # Building
    # ---------------------------------------------------------------------------

    #: What the messages call the run (the VB explorer, gmmlearn.vb_widgets, says "VB").
    _algorithm = "EM"

    def _make_trace(self, X, **choices):
        """The run for these choices (K, init, covariance type, seed); VB overrides it."""
        return run_trace(X, **choices, **self.options)

    def _matplotlib_view(self, half_steps: bool) -> EMView:
        options = self._view_options
        return EMView(
            self.trace, figure=self._new_figure(options["figsize"]), dims=options["dims"],
            sigmas=options["sigmas"], half_steps=half_steps, title=False,
        )  # fmt: skip

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
            value=0, min=0, max=n_frames - 1, interval=interval, description="play",
            tooltip="play / pause (the square stops and rewinds)",
        )  # fmt: skip
        self.speed = widgets.IntSlider(
            value=interval, min=10, max=1000, step=10, description="ms / step",
            style={"description_width": "initial"}, layout={"width": "260px"},
        )  # fmt: skip
        # in the browser, without a round trip through the kernel
        self._play_link = widgets.jslink((self.play, "value"), (self.step_slider, "value"))
        self._speed_link = widgets.jslink((self.speed, "value"), (self.play, "interval"))
        self.prev_button = widgets.Button(description="◀ back", layout={"width": "80px"})
        self.next_button = widgets.Button(description="step ▶", layout={"width": "80px"})
        self.half_steps_toggle = widgets.ToggleButtons(
            options=[("E / M half-steps", True), ("whole iterations", False)],
            value=self.view.half_steps,
            style={"button_width": "130px"},
        )
        self.half_steps_toggle.layout.flex = "0 0 auto"
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
        # the playground: preset data sets, and BIC/AIC of every run
        self.data_input = widgets.Dropdown(
            options=[("the data passed in", "")]
            + [(text.split(":")[0], name) for name, text in PRESET_DESCRIPTIONS.items()],
            description="data", layout={"width": "300px"},
        )  # fmt: skip
        self.data_input.layout.display = None if self._is_playground() else "none"
        if self._is_playground():  # a line kept for the message: the plane must not jump
            self.message.layout.min_height = "1.6em"  # under the mouse when it appears
        self.criteria_html = widgets.HTML()
        wide = {"description_width": "initial"}
        self.color_by = widgets.Dropdown(description="colour by", style=wide)
        self.point_input = widgets.BoundedIntText(
            value=1, min=1, max=self.X.shape[0], description="point n", style=wide,
            layout={"width": "150px"},
        )  # fmt: skip
        self.component_input = widgets.Dropdown(
            description="component k", style=wide, layout={"width": "170px"}
        )
        self._set_component_options()
        self.elev_slider = widgets.IntSlider(value=22, min=-90, max=90, description="elevation")
        self.azim_slider = widgets.IntSlider(value=-60, min=-180, max=180, description="azimuth")
        self.equations_html = widgets.HTMLMath()
        self.params_html = widgets.HTMLMath()
        self.angles = widgets.HBox([self.elev_slider, self.azim_slider])
        self.figure_area = self._figure_widget()

        nowrap = widgets.Layout(flex_flow="row nowrap", align_items="center")
        stepping = widgets.HBox(
            [self.prev_button, self.play, self.step_slider, self.next_button], layout=nowrap
        )
        run = widgets.HBox([self.k_input, self.init_input, self.covariance_input, self.seed_input])
        shown = [self.half_steps_toggle, self.speed]
        picks = [self.color_by, self.point_input, self.component_input]
        texts = widgets.Tab(children=[self.equations_html, self.params_html])
        texts.set_title(0, "equations")
        texts.set_title(1, "parameters")
        playground = widgets.HBox([self.data_input, self.criteria_html], layout=nowrap)
        self.widget = widgets.VBox(
            [self.message, run, playground, stepping, widgets.HBox(shown, layout=nowrap),
             self.step_label, self.figure_area, self.angles, widgets.HBox(picks), texts]
        )  # fmt: skip
        self._show_angle_sliders()

    def _figure_widget(self):
        # the browser view writes the step in its own title, at once; the kernel's label
        # would only repeat it late
        self.step_label.layout.display = "none" if isinstance(self.view, TraceView) else None
        if isinstance(self.view, TraceView):
            return self.view
        if self.uses_widget_canvas:
            return self.view.figure.canvas
        # a PNG of the Agg figure, replaced at each step: works with any non-widget backend,
        # needs no figure formatter, does not flicker
        return widgets.Image(format="png")

    def _show_angle_sliders(self) -> None:
        # the browser view turns with the mouse; matplotlib's inline PNG needs the sliders
        matplotlib_3d = isinstance(self.view, EMView) and self.view.is_3d
        self.angles.layout.display = None if matplotlib_3d else "none"
        if matplotlib_3d:
            self.elev_slider.value = round(self.view.ax.elev)
            self.azim_slider.value = round(self.view.ax.azim)

    def _set_component_options(self) -> None:
        n_components = self.trace.params[0].n_components
        self._updating = True
        try:
            keep = self.color_by.value if self.color_by.value is not None else _BLEND
            self.color_by.options = [("γ-blend of all", _BLEND)] + [
                (f"γ of component {k + 1}", k) for k in range(n_components)
            ]
            self.color_by.value = keep if keep < n_components else _BLEND
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
        self.play.observe(self._on_playing, names="playing")
        if isinstance(self.view, TraceView):
            # the figure follows the slider in the browser, before the kernel hears of it
            self._view_link = widgets.jslink((self.step_slider, "value"), (self.view, "step"))
            self.view.observe(self._on_webgl, names="webgl")
            self.view.on_mean_moved(self._on_mean_moved)
            self.view.on_point_added(self._on_point_added)
            self.view.on_point_removed(self._on_point_removed)
        self.data_input.observe(self._on_data, names="value")

    # ---------------------------------------------------------------------------
    # Callbacks (none lets an exception escape)
    # ---------------------------------------------------------------------------

    @_guarded
    def _on_step(self, change=None) -> None:
        if self._updating:
            return
        if isinstance(self.view, TraceView):
            # the browser has drawn the step already (and may be further on: never write
            # the step back); the texts may come a moment later
            self.view.follow(self.step_slider.value)
            self._schedule_texts()
        else:
            self._render()

    @_guarded
    def _on_playing(self, change) -> None:
        if not change["new"]:
            self._update_texts()  # paused or at the end: the equations of the step shown

    @_guarded
    def _on_webgl(self, change) -> None:
        if change["new"] == "missing":
            self.use_matplotlib_view()
            self._show_message(
                "This browser has no WebGL: showing the matplotlib view instead (each step is "
                "drawn in the kernel, so it responds more slowly)."
            )

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
            choice = change["new"]
            self.view.set_component(None if choice == _BLEND else choice)
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

    @_guarded
    def _on_mean_moved(self, k, position) -> None:
        self.move_mean(k, position)

    @_guarded
    def _on_point_added(self, position) -> None:
        self.add_point(position)

    @_guarded
    def _on_point_removed(self, index) -> None:
        self.remove_point(index)

    @_guarded
    def _on_data(self, change) -> None:
        if not self._updating and change["new"]:
            self.use_preset(change["new"])

    # ---------------------------------------------------------------------------
    # Actions
    # ---------------------------------------------------------------------------

    def move_mean(self, k: int, position) -> bool:
        """Start EM again from the θ shown, with the mean μ_k moved to ``position``.

        The playground's drag of a mean (2-D data) ends here; ``k`` is 0-based.

        Returns
        -------
        ok : bool
            False if EM failed from there (the message says why; the previous run stays).
        """
        shown = self.view.state.params
        means = shown.means.copy()
        means[int(k)] = np.asarray(position, dtype=np.float64)
        start = GaussianMixtureParams(
            shown.weights, means, shown.covariances, shown.covariance_type
        )
        where = ", ".join(f"{v:.3g}" for v in means[int(k)])
        done = f"EM started again with μ{int(k) + 1} at ({where}): press ▶ to watch it climb"
        return self._run_from(self.X, start, done)

    def add_point(self, position) -> bool:
        """Add one data point at ``position`` and run EM again from the same θ₀.

        The playground's click on the plane (2-D data) ends here.

        Returns
        -------
        ok : bool
        """
        point = np.asarray(position, dtype=np.float64).reshape(1, -1)
        X = check_data(np.vstack([self.X, point]), min_samples=2)
        where = ", ".join(f"{v:.3g}" for v in point[0])
        done = f"added point {X.shape[0]} at ({where}); EM ran again from θ₀"
        return self._run_from(X, self.trace.params[0], done)

    def remove_point(self, index: int) -> bool:
        """Remove data point ``index`` (0-based row of X) and run EM again from the same θ₀.

        The playground's shift-click on a point (2-D data) ends here.

        Returns
        -------
        ok : bool
        """
        index = int(index)
        if not 0 <= index < self.X.shape[0]:
            raise ValueError(f"point {index + 1} does not exist: use 1 … {self.X.shape[0]}")
        K = self.trace.params[0].n_components
        if self.X.shape[0] <= max(K, 2):
            self._show_message(
                f"Cannot remove a point: {self.X.shape[0]} points are the fewest for K={K}. "
                "Add points or choose a smaller K."
            )
            return False
        where = ", ".join(f"{v:.3g}" for v in self.X[index])
        X = np.delete(self.X, index, axis=0)
        done = f"removed point {index + 1} at ({where}); EM ran again from θ₀"
        return self._run_from(X, self.trace.params[0], done)

    def use_preset(self, name: str) -> bool:
        """Replace the data by the preset ``name`` (:data:`gmmlearn.datasets.PRESETS`) and run
        EM again with the K, init, covariance type and seed of the widgets."""
        X = check_data(make_preset(name), min_samples=2)
        previous = self.X
        self.X = X
        if not self.rerun():
            self.X = previous
            return False
        if self.data_input.value != name:
            self._updating = True
            try:
                self.data_input.value = name
            finally:
                self._updating = False
        self._show_run_notes(f"{PRESET_DESCRIPTIONS[name]} (N = {X.shape[0]}).")
        return True

    def _run_from(self, X, start: GaussianMixtureParams, done: str) -> bool:
        try:
            trace = run_em(X, start, **self.options)
        except (ValueError, TypeError, ArithmeticError, np.linalg.LinAlgError) as exc:
            self._show_message(
                f"Could not run EM from there: {exc}. Still showing the previous run."
            )
            return False
        self.X = X
        self.trace = trace
        self.view.set_trace(trace)
        self._set_component_options()
        self._fit_point_input()
        self._set_slider(0)
        if isinstance(self.view, TraceView):
            # the new run first: typesetting the equations in the page (MathJax) held the
            # frame with the new run back by up to 0.1 s; they follow a moment later
            self._schedule_texts()
        else:
            self._render()
        self._show_run_notes(done + ".")
        return True

    def _fit_point_input(self) -> None:
        """The point picker's range follows N (a point added or removed, another data set)."""
        n_samples = self.X.shape[0]
        self._updating = True
        try:
            if self.point_input.value > n_samples:
                self.point_input.value = n_samples
            self.point_input.max = n_samples
        finally:
            self._updating = False

    def _show_run_notes(self, done: str = "") -> None:
        """The message after a run (a collapse explained, in red) and its BIC/AIC."""
        criteria = information_criteria(self.trace)
        collapsed = collapsed_components(self.trace)
        params = self.trace.params[-1]
        self.criteria_html.value = (
            f"<span style='font-size:15px'>θ<sub>{self.trace.n_iter}</sub>: "
            f"ln p = {criteria['log_likelihood']:.2f} · p = {criteria['n_parameters']} "
            f"parameters ({params.covariance_type}, K={params.n_components}) · "
            f"<b>BIC = {criteria['bic']:.1f}</b> · <b>AIC = {criteria['aic']:.1f}</b> "
            "(lower is better)</span>"
        )
        if not collapsed:
            self._show_message(done, error=False)
            return
        k = collapsed[0]
        n_k = float(params.weights[k] * self.trace.X.shape[0])
        if n_k < 0.5:  # no point is left to it: π_k → 0, Σ_k = reg_covar I
            self._show_message(
                f"{done} Component {k + 1} died: N{_sub(k + 1)} = {n_k:.1f} points are left "
                f"to it (π{_sub(k + 1)} → 0), so its Σ{_sub(k + 1)} is only reg_covar·I. "
                "It describes nothing: drag its mean into the data, or use fewer components."
            )
            return
        self._show_message(
            f"{done} Component {k + 1} collapsed onto N{_sub(k + 1)} = {n_k:.1f} "
            f"point{'' if round(n_k, 1) == 1 else 's'}: its Σ{_sub(k + 1)} is singular but for "
            f"reg_covar = {self.trace.reg_covar:g} added to its diagonal. Without reg_covar "
            "ln p would grow without bound (the singularity of PRML §9.2.1), so this θ, its "
            "ln p, BIC and AIC mean nothing. Drag the mean elsewhere, shift-click the point "
            "away, use fewer components, or raise reg_covar (explore(..., reg_covar=1e-2))."
        )

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
        started = time.perf_counter()
        if self.X.shape[0] * self.options["max_iter"] > 2_000_000:
            # a long run: say so before the kernel is busy (the message is sent at once)
            self._show_message(f"running {self._algorithm}…", error=False)
        try:
            _check_explorer_k(choices["n_components"], self.X.shape[0])
            trace = self._make_trace(self.X, **choices)
        except (ValueError, TypeError, ArithmeticError, np.linalg.LinAlgError) as exc:
            previous = self.trace.params[0]
            self._show_message(
                f"Could not run {self._algorithm} with K={choices['n_components']}, "
                f"init={choices['init']!r}, "
                f"seed={choices['random_state']}: {exc}. Still showing the previous run "
                f"(K={previous.n_components})."
            )
            return False
        self.trace = trace
        elapsed = time.perf_counter() - started
        self.view.set_trace(trace)
        self._set_component_options()
        self._fit_point_input()
        self._set_slider(0)
        self._render()
        self._show_run_notes(
            f"{self._algorithm} ran in {elapsed:.1f} s." if elapsed > _SLOW_RUN_S else ""
        )
        return True

    def show(self, index: int) -> None:
        """Move the slider to ``index`` (a half-step, or an iteration in whole-iteration mode)."""
        self.step_slider.value = index
        if isinstance(self.view, TraceView):
            self.view.show(index)  # from Python: move the view too (no browser may link them)
        self._update_texts()

    def use_matplotlib_view(self) -> None:
        """Swap the browser view for the matplotlib one (where the browser has no WebGL)."""
        if isinstance(self.view, EMView):
            return
        browser = self.view
        self.view = self._matplotlib_view(browser.half_steps)
        self.view.set_component(browser.component, redraw=False)
        self.uses_widget_canvas = is_widget_backend()
        old = self.figure_area
        self.figure_area = self._figure_widget()
        self.widget.children = tuple(
            self.figure_area if child is old else child for child in self.widget.children
        )
        self._view_link.unlink()
        self._show_angle_sliders()
        self._render()

    def export_html(self, path, interval: int | None = None) -> str:
        """Write the run as one self-contained HTML page that steps, plays and rotates with no
        kernel and no network (for nbviewer, course pages, slides); returns the path."""
        return _export_browser_html(
            path, self.trace, dims=self._view_options["dims"],
            sigmas=self._view_options["sigmas"], half_steps=self.view.half_steps,
            component=self.view.component, step=self.step_slider.value,
            interval=self.play.interval if interval is None else interval,
            **self._view_angles(),
        )  # fmt: skip

    def export_gif(self, path, fps: float = 2.0, dpi: float = 72.0) -> str:
        """Write the run as an animated GIF, one frame per step of the current mode."""
        return self._offscreen_view().save_gif(path, fps=fps, dpi=dpi)

    def _offscreen_view(self) -> EMView:
        # a separate Agg figure: exporting must not animate (or resize) the one on screen
        view = self.view
        return EMView(
            self.trace, dims=self._view_options["dims"], sigmas=self._view_options["sigmas"],
            half_steps=view.half_steps, component=view.component,
            figsize=self._view_options["figsize"], **self._view_angles(),
        )  # fmt: skip

    def _view_angles(self) -> dict:
        """The 3-D angle on screen (as the mouse or the sliders left it), for the exports."""
        view = self.view
        if isinstance(view, TraceView):
            return {"elev": view.elev, "azim": view.azim}
        return {"elev": view.ax.elev, "azim": view.ax.azim} if view.is_3d else {}

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
        self.view.show(self.step_slider.value)
        self._update_texts()
        if isinstance(self.view, EMView) and not self.uses_widget_canvas:
            buffer = io.BytesIO()
            self.view.figure.savefig(buffer, format="png")
            self.figure_area.value = buffer.getvalue()

    def _schedule_texts(self) -> None:
        """Update the texts soon, once for a burst of steps; not at all while Play runs.

        Re-typesetting the equations in the browser costs more than drawing a step: during a
        burst (a held arrow key) only the last step's texts are sent, and while Play runs they
        wait for the pause (:meth:`_on_playing`). Outside a kernel's running event loop (a
        script, a test) they are updated at once.
        """
        if self.play.playing:
            return
        loop = _kernel_loop()
        if loop is None:
            self._update_texts()
            return
        if not self._texts_pending:
            self._texts_pending = True
            loop.call_later(_TEXT_DELAY, self._flush_texts)

    @_guarded
    def _flush_texts(self) -> None:
        self._texts_pending = False
        self._update_texts()

    def _update_texts(self) -> None:
        h = self.view.state
        self.step_label.value = (
            f"<b>{html.escape(step_description(h, self.trace.n_half_steps))}</b>"
        )
        self.params_html.value = (
            f"<p>θ shown (θ<sub>{h.resp_iteration if h.phase == 'E' else h.iteration}</sub>):</p>"
            f"$$ {params_latex(h.params)} $$"
        )
        self.equations_html.value = self._equations(h.index)

    def _chosen_point(self) -> int:
        """The 0-based n of the "point n" box (1-based, as in the book), checked."""
        n = self.point_input.value - 1
        if not 0 <= n < self.X.shape[0]:
            raise ValueError(f"point n={n + 1} does not exist: use 1 … {self.X.shape[0]}")
        return n

    def _equations(self, step: int) -> str:
        n, k = self._chosen_point(), self.component_input.value
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

    def _is_playground(self) -> bool:
        return isinstance(self.view, TraceView) and self.view.playground

    def _show_message(self, text: str, error: bool = True) -> None:
        self.message_text = text
        color = "#B00020" if error else "#333"
        self.message.value = (
            f'<div style="color:{color}"><b>{html.escape(text)}</b></div>' if text else ""
        )

    def _ipython_display_(self) -> None:
        display(self.widget)


def _sub(n: int) -> str:
    return "".join("₀₁₂₃₄₅₆₇₈₉"[int(c)] for c in str(n))


def _kernel_loop():
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


def _check_explorer_k(n_components, n_samples: int) -> None:
    n_components = check_n_components(n_components, n_samples)
    if n_components > MAX_COMPONENTS:
        raise ValueError(
            f"the explorer shows at most {MAX_COMPONENTS} components, got K={n_components}: "
            "choose a smaller K (gmmlearn.GaussianMixture fits any K without drawing it)"
        )


def explore(
    X,
    n_components: int = 4,
    *,
    init: str = "kmeans",
    covariance_type: str = "full",
    random_state: int = 0,
    method: str = "em",
    **options,
) -> EMExplorer:
    """Step through EM (or variational Bayes) for a Gaussian mixture on ``X`` with widgets.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or str
        2 or more features; with more than 3 the first three are shown (``dims=`` chooses).
        A name of :data:`gmmlearn.datasets.PRESETS` (``"old_faithful"``, ``"moons"``, …) uses
        that 2-D data set and shows it in the playground's data menu.
    n_components : int, default=4
        K.
    init : str, default="kmeans"
        One of ``gmmlearn.INIT_METHODS``.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    random_state : int, default=0
        Seed of the initialisation.
    method : {"em", "vb"}, default="em"
        ``"vb"``: step through variational Bayes (PRML §10.2) as
        :class:`gmmlearn.BayesianGaussianMixture` runs it, with a slider for α₀
        (``weight_concentration_prior``) and a picker for the weight prior
        (:class:`gmmlearn.vb_widgets.VBExplorer`; the 2-D playground is EM's only).
    **options
        ``max_iter``, ``tol``, ``reg_covar`` of the run; ``half_steps``, ``dims``, ``sigmas``,
        ``interval`` (ms between Play frames); ``view``: ``"browser"`` (default: drawn in the
        browser with WebGL, stepping and rotating without the kernel) or ``"matplotlib"``
        (drawn in the kernel; ``figsize`` sets its size); ``playground`` (default: on for 2-D
        data in the browser view): drag a mean to start EM again from there, click the plane
        to add a point, shift-click a point to remove it, hover a point to read its γ row,
        choose a preset data set; BIC/AIC of every run (:meth:`EMExplorer.move_mean`,
        :meth:`EMExplorer.add_point`, :meth:`EMExplorer.remove_point`,
        :meth:`EMExplorer.use_preset`, :func:`information_criteria`).

    Returns
    -------
    explorer : EMExplorer
        Displays itself as the last expression of a cell; ``.export_html(path)`` and
        ``.export_gif(path)`` save the animation for places where widgets do not run.
    """
    if method not in ("em", "vb"):
        raise ValueError(f"unknown method {method!r}: use 'em' or 'vb' (variational Bayes)")
    if method == "vb":
        from .vb import VBExplorer

        explorer = VBExplorer
    else:
        explorer = EMExplorer
    return explorer(
        X, n_components, init=init, covariance_type=covariance_type, random_state=random_state,
        **options,
    )  # fmt: skip
