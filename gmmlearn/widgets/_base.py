"""The explorer both methods share: ipywidgets controls around a view of one run.

:class:`Explorer` owns the run (a :class:`~gmmlearn.runs.Run`, computed once per choice of
K/init/seed), holds its view through a host (:mod:`gmmlearn.widgets._hosts`: the browser view
or the matplotlib one, the same calls on either), builds its widgets (:mod:`._controls`) and
wires them with ``observe``. It steps, plays, re-runs on a new choice, shows the step's texts
and exports the run. What differs between EM and VB (how a run is made, the texts of a step,
EM's 2-D playground) is in :mod:`gmmlearn.widgets.em` and :mod:`gmmlearn.widgets.vb`.

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

import concurrent.futures
import contextlib
import functools
import html
import numbers
import os
import time
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

import numpy as np
from IPython.display import display

from .._files import write_file_atomically
from ..datasets.presets import PRESET_DESCRIPTIONS, make_preset
from ..validation import check_data, check_n_components, check_nonnegative
from ..webview.export import export_html as _export_browser_html
from ..webview.widget import in_background, kernel_loop, on_loop
from ._controls import BLEND, ControlBar
from ._hosts import HOSTS

if TYPE_CHECKING:
    from ..plotting.view import EMView

__all__ = ["MAX_COMPONENTS", "VIEWS", "Explorer"]

VIEWS = tuple(HOSTS)
# More components than this is no longer something to look at, and a huge K (say 4000) would
# keep the kernel busy for minutes: the explorer refuses it with a message.
MAX_COMPONENTS = 20
# While stepping fast, the equations are re-typeset in the browser at most this often (s).
_TEXT_DELAY = 0.15
# The presets whose axes have names of their own (the others are x₁, x₂).
_PRESET_AXIS_NAMES = {"old_faithful": ("eruptions (min)", "waiting (min)")}
# A re-run longer than this shows "running EM…" first.
_SLOW_RUN_S = 0.5


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


class Explorer(ControlBar, ABC):
    """Step through a run with widgets; :class:`~gmmlearn.widgets.em.EMExplorer` and
    :class:`~gmmlearn.widgets.vb.VBExplorer` say how a run is made and what its texts are.

    Attributes
    ----------
    trace : Run
        The run shown.
    view : EMView or TraceView
        The figure and its artists (held by ``host``).
    widget : ipywidgets.VBox
        Everything, ready to display (displaying the explorer displays it).
    step_slider, play, prev_button, next_button, half_steps_toggle : widgets
        Stepping through the run.
    k_input, init_input, covariance_input, seed_input : widgets
        The choices of the run; changing one runs it again.
    color_by, point_input, component_input, elev_slider, azim_slider : widgets
        What is shown: the blend or one component's responsibility; the point and component
        whose numbers the equations show (1-based, as in the book); the 3-D view angle.
    message, step_label, equations_html, params_html : widgets
        Text outputs.
    data_input, criteria_html : widgets
        The data menu (presets; shown in EM's 2-D playground) and a line about the run.
    """

    #: What the messages call the run ("EM", "VB").
    _algorithm = ""

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
        axis_names=None,
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
        playground = self._check_playground(playground, view)
        self._pending_run = self._cell_hook = None
        self._trace, rest = self._start_run(
            self.X,
            n_components=n_components,
            init=init,
            covariance_type=covariance_type,
            random_state=int(random_state),
        )
        if axis_names is None:
            axis_names = _PRESET_AXIS_NAMES.get(preset)
        self._view_options = {
            "dims": dims,
            "sigmas": sigmas,
            "figsize": figsize,
            "axis_names": axis_names,
        }
        self.host = HOSTS[view](
            self._trace, half_steps=half_steps, playground=playground, **self._view_options
        )
        self._texts_pending = False
        self._build_widgets(n_components, init, covariance_type, int(random_state), interval)
        self.data_input.value = preset
        self._wire()
        self._render(texts_later=True)
        if rest is None:
            self._show_run_notes()
        else:
            self._run_after_first_frame(rest)

    # ---------------------------------------------------------------------------
    # Building
    # ---------------------------------------------------------------------------

    @property
    def trace(self):
        """The run shown (a long first run that is still under way is waited for)."""
        self.wait_for_run()
        return self._trace

    @property
    def view(self):
        """The view shown (:class:`~gmmlearn.webview.widget.TraceView` or
        :class:`~gmmlearn.plotting.view.EMView`)."""
        return self.host.view

    @property
    def uses_widget_canvas(self) -> bool:
        """Whether the figure is drawn in ipympl's canvas widget (``%matplotlib widget``)."""
        return self.host.uses_widget_canvas

    @abstractmethod
    def _make_trace(self, X, **choices):
        """The run for these choices (K, init, covariance type, seed)."""

    def _start_run(self, X, **choices):
        """``(run, rest)``: the first run to show and ``None``, or (EM, a long run in a
        kernel) a run of θ₀ alone and the function that computes the whole run after the
        first frame (:meth:`_run_after_first_frame`)."""
        return self._make_trace(X, **choices), None

    def _run_after_first_frame(self, rest) -> None:
        """Compute the whole run in a background thread while the page draws θ₀.

        The run lands on the kernel's event loop (:meth:`_land_run`) or, at the latest,
        before the next cell runs (IPython's ``pre_run_cell``); ``trace`` and the methods
        that need the run wait for it (:meth:`wait_for_run`).
        """
        loop = kernel_loop()
        n_samples, max_iter = self.X.shape[0], self.options["max_iter"]
        self._show_message(
            f"{self._algorithm} is running on {n_samples:,} points (up to {max_iter} "
            "iterations); its steps appear here when it ends.",
            error=False,
        )
        self.host.say_running(f"{self._algorithm} is running: its steps follow")
        future = in_background(rest)
        self._pending_run = future
        future.add_done_callback(on_loop(loop, self._land_run))
        shell = _shell()
        if shell is not None:  # the next cell waits for the run
            self._cell_hook = lambda *args: self.wait_for_run()
            shell.events.register("pre_run_cell", self._cell_hook)

    def _forget_cell_hook(self) -> None:
        shell = _shell()
        if shell is not None and self._cell_hook is not None:
            with contextlib.suppress(ValueError):
                shell.events.unregister("pre_run_cell", self._cell_hook)
        self._cell_hook = None

    def wait_for_run(self) -> None:
        """Wait until a long first run computed after the first frame has landed (it lands
        by itself before the next cell runs; a script never has one)."""
        future = self._pending_run
        if future is not None:
            concurrent.futures.wait([future])
            self._land_run(future)

    @_guarded
    def _land_run(self, future) -> None:
        if future is not self._pending_run:
            return  # landed already (waited for)
        self._pending_run = None
        self._forget_cell_hook()
        try:
            trace = future.result()
        except (ValueError, TypeError, ArithmeticError, np.linalg.LinAlgError) as exc:
            self._show_message(
                f"{self._algorithm} stopped: {exc}. Showing θ₀ of the run; change K, the "
                "init or the seed to run it again."
            )
            return
        self._show_run(trace, step=self.step_slider.value)
        self._render(texts_later=True)
        self._show_run_notes()

    def _check_playground(self, playground: bool | None, view: str) -> bool:
        """Whether to offer EM's 2-D playground; a method without one refuses it."""
        if playground:
            raise ValueError("the 2-D playground runs EM: drop playground=True, or use method='em'")
        return False

    def _build_widgets(self, n_components, init, covariance_type, seed, interval) -> None:
        self._build_controls(n_components, init, covariance_type, seed, interval)
        self.figure_area = self._figure_widget()
        self.widget = self._layout(self._extra_rows())
        self._show_angle_sliders()

    def _extra_rows(self) -> tuple:
        """Rows of widgets of one method, shown under the run's choices."""
        return ()

    def _figure_widget(self):
        self.step_label.layout.display = "none" if self.host.writes_step_title else None
        return self.host.widget

    def _show_angle_sliders(self) -> None:
        # the browser view turns with the mouse; matplotlib's inline PNG needs the sliders
        angles = self.host.slider_angles()
        self.angles.layout.display = None if angles else "none"
        if angles:
            self.elev_slider.value, self.azim_slider.value = angles

    def _wire(self) -> None:
        self._observe(self.step_slider, self._on_step)
        self._observe(self.half_steps_toggle, self._on_half_steps)
        self.prev_button.on_click(self._on_prev)
        self.next_button.on_click(self._on_next)
        for control in (self.k_input, self.init_input, self.covariance_input, self.seed_input):
            self._observe(control, self._on_run_choice)
        self._observe(self.color_by, self._on_color_by)
        self._observe(self.point_input, self._on_step)
        self._observe(self.component_input, self._on_step)
        self._observe(self.elev_slider, self._on_angle)
        self._observe(self.azim_slider, self._on_angle)
        self._observe(self.play, self._on_playing, names="playing")
        self._view_link = self.host.connect(self.step_slider, self._on_webgl, self.speed)
        self._observe(self.data_input, self._on_data)

    # ---------------------------------------------------------------------------
    # Callbacks (none lets an exception escape)
    # ---------------------------------------------------------------------------

    @_guarded
    def _on_step(self, change=None) -> None:
        self.host.follow(self)

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
        choice = change["new"]
        self.view.set_component(None if choice == BLEND else choice)
        self._render()

    @_guarded
    def _on_angle(self, change=None) -> None:
        self.view.set_view_angle(self.elev_slider.value, self.azim_slider.value)
        self._render()

    @_guarded
    def _on_run_choice(self, change=None) -> None:
        self.rerun()

    @_guarded
    def _on_data(self, change) -> None:
        if change["new"]:
            self.use_preset(change["new"])

    # ---------------------------------------------------------------------------
    # Actions
    # ---------------------------------------------------------------------------

    def rerun(self, X=None) -> bool:
        """Run again with the K, init, covariance type and seed of the widgets, on ``X`` (default:
        the data shown); the step shown stays (clamped to the new run's length).

        Returns
        -------
        ok : bool
            False if the choices were invalid or the run failed; the message says why and the
            previous run (and its data) stays on screen.
        """
        self.wait_for_run()
        X = self.X if X is None else X
        choices = {
            "n_components": self.k_input.value,
            "init": self.init_input.value,
            "covariance_type": self.covariance_input.value,
            "random_state": self.seed_input.value,
        }
        started = time.perf_counter()
        if X.shape[0] * self.options["max_iter"] > 2_000_000:
            # a long run: say so before the kernel is busy (the message is sent at once)
            self._show_message(f"running {self._algorithm}…", error=False)
        try:
            _check_explorer_k(choices["n_components"], X.shape[0])
            trace = self._make_trace(X, **choices)
        except (ValueError, TypeError, ArithmeticError, np.linalg.LinAlgError) as exc:
            previous = self._trace.params[0]
            self._show_message(
                f"Could not run {self._algorithm} with K={choices['n_components']}, "
                f"init={choices['init']!r}, "
                f"seed={choices['random_state']}: {exc}. Still showing the previous run "
                f"(K={previous.n_components})."
            )
            return False
        elapsed = time.perf_counter() - started
        self._show_run(trace, step=self.step_slider.value)
        self._render(texts_later=True)
        self._show_run_notes(
            f"{self._algorithm} ran in {elapsed:.1f} s." if elapsed > _SLOW_RUN_S else ""
        )
        return True

    def _show_run(self, trace, step: int = 0) -> None:
        """Put a new run (and its data) on screen at ``step``, clamped to the run's length.

        The view takes the run first: the explorer's ``trace`` and ``X`` change only once it
        has, so a view that refuses leaves the explorer as it was (issue 22, item 10).
        """
        last = trace.n_steps(self.view.half_steps) - 1
        step = min(max(int(step), 0), last)
        if self.host.accepts(trace):
            self.view.set_trace(trace, step)
        else:  # matplotlib draws one data set per figure: a new figure for new data
            self._replace_host(self.host.remade(trace, self._view_options))
        self._trace = trace
        self.X = trace.X
        self._set_component_options()
        self._fit_point_input()
        self._set_slider(step)

    def use_preset(self, name: str) -> bool:
        """Replace the data by the preset ``name`` (:data:`gmmlearn.datasets.PRESETS`) and run
        again with the K, init, covariance type and seed of the widgets."""
        if not self.host.playground:
            raise ValueError(
                "the preset data sets belong to the 2-D playground of the browser view: "
                f"use explore({name!r}, ...) to start on one"
            )
        X = check_data(make_preset(name), min_samples=2)
        names = self.view.axis_names, self.view.held_frame
        self.view.set_axis_names(_PRESET_AXIS_NAMES.get(name))
        self.view.held_frame = None  # new data: axes fitted to it
        if not self.rerun(X):
            self.view.set_axis_names(names[0])
            self.view.held_frame = names[1]
            return False
        self._view_options["axis_names"] = self.view.axis_names
        if self.data_input.value != name:
            with self._quietly():
                self.data_input.value = name
        self._show_run_notes(f"{PRESET_DESCRIPTIONS[name]} (N = {X.shape[0]}).")
        return True

    def _show_run_notes(self, done: str = "") -> None:
        """The message after a run; EM adds its BIC/AIC and explains a collapse."""
        self.criteria_html.value = ""
        self._show_message(done, error=False)

    def show(self, index: int) -> None:
        """Move the slider to ``index`` (a half-step, or an iteration in whole-iteration mode)."""
        self.wait_for_run()
        self.step_slider.value = index
        self.host.move_to(index)
        self._update_texts()

    def use_matplotlib_view(self) -> None:
        """Swap the browser view for the matplotlib one (where the browser has no WebGL)."""
        self.wait_for_run()
        if not self.host.needs_webgl:
            return
        browser = self.host
        self._replace_host(browser.remade(self._trace, self._view_options))
        browser.disconnect()
        # the playground (presets, drags, clicks) needs the browser: its data menu goes too
        with self._quietly():
            self.data_input.value = ""
        for control in (
            self.data_input,
            self.undo_button,
            self.reset_data_button,
            self.fit_axes_button,
        ):
            control.layout.display = "none"
        self._render()

    def _replace_host(self, host) -> None:
        """Show ``host``'s figure where the old one was, with the same colouring."""
        component = self.view.component
        if component is not None and component >= host.view.trace.params[0].n_components:
            component = None
        host.view.set_component(component, redraw=False)
        self.host = host
        old = self.figure_area
        self.figure_area = self._figure_widget()
        self.widget.children = tuple(
            self.figure_area if child is old else child for child in self.widget.children
        )
        self._show_angle_sliders()

    def export_html(self, path, interval: int | None = None) -> str:
        """Write the run as one self-contained HTML page that steps, plays and rotates with no
        kernel and no network (for nbviewer, course pages, slides); returns the path."""
        self.wait_for_run()
        _check_export_path(path, ".html")
        if interval is not None:
            interval = _check_positive(interval, "interval (ms between frames)", "250")
        return _export_browser_html(
            path,
            self._trace,
            dims=self._view_options["dims"],
            sigmas=self._view_options["sigmas"],
            half_steps=self.view.half_steps,
            component=self.view.component,
            step=self.step_slider.value,
            interval=self.play.interval if interval is None else interval,
            **self.host.angles(),
        )

    def export_gif(self, path, fps: float = 2.0, dpi: float = 72.0) -> str:
        """Write the run as an animated GIF, one frame per step of the current mode.

        Written to a temporary and renamed: an existing GIF is replaced only by a complete one.
        """
        self.wait_for_run()
        _check_export_path(path, ".gif")
        fps = _check_positive(fps, "fps (frames per second)", "2")
        dpi = _check_positive(dpi, "dpi (pixels per inch)", "72")
        view = self._offscreen_view()
        write_file_atomically(path, lambda tmp: view.save_gif(tmp, fps=fps, dpi=dpi), "run.gif")
        return str(path)

    def _offscreen_view(self) -> EMView:
        from ..plotting.view import EMView  # matplotlib: imported when a figure is wanted

        # a separate Agg figure: exporting must not animate (or resize) the one on screen
        view = self.view
        return EMView(
            self._trace,
            dims=self._view_options["dims"],
            sigmas=self._view_options["sigmas"],
            half_steps=view.half_steps,
            component=view.component,
            figsize=self._view_options["figsize"],
            **self.host.angles(),
        )

    # ---------------------------------------------------------------------------
    # Output
    # ---------------------------------------------------------------------------

    def _render(self, texts_later: bool = False) -> None:
        """Show the slider's step; ``texts_later``: the equations follow if the host allows
        (a new run's first frame does not wait for them: at 10⁶ points γ for the
        equations' numbers costs more than packing the run)."""
        self.view.show(self.step_slider.value)
        if texts_later and self.host.texts_may_follow:
            self._schedule_texts()
        else:
            self._update_texts()
        self.host.publish()

    def _schedule_texts(self) -> None:
        """Update the texts soon, once for a burst of steps; not at all while Play runs.

        Re-typesetting the equations in the browser costs more than drawing a step: during a
        burst (a held arrow key) only the last step's texts are sent, and while Play runs they
        wait for the pause (:meth:`_on_playing`). Outside a kernel's running event loop (a
        script, a test) they are updated at once.
        """
        if self.play.playing:
            return
        loop = kernel_loop()
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

    # What one method's texts say: the equations applied at each phase, the title of each
    # equation, a line above them, the parameters shown (see gmmlearn.widgets.em and .vb).
    _applied_equations: dict = {}
    _equations_intro = ""

    @abstractmethod
    def _equation_title(self, name: str) -> str:
        """The heading of equation ``name`` in the equations panel."""

    @abstractmethod
    def _params_text(self, h) -> str:
        """The parameters panel at state ``h`` (HTML with LaTeX)."""

    def _update_texts(self) -> None:
        h = self.view.state
        self.step_label.value = f"<b>{html.escape(self._trace.describe_step(h))}</b>"
        self.params_html.value = self._params_text(h)
        self.equations_html.value = self._equations(h.index)

    def _chosen_point(self) -> int:
        """The 0-based n of the "point n" box (1-based, as in the book), checked."""
        n = self.point_input.value - 1
        if not 0 <= n < self.X.shape[0]:
            raise ValueError(f"point n={n + 1} does not exist: use 1 … {self.X.shape[0]}")
        return n

    def _equations(self, step: int) -> str:
        n, k = self._chosen_point(), self.component_input.value
        latex = self._trace.equations_with_numbers(step, n, k)
        applied = self._applied_equations[self.view.state.phase]
        rows = []
        for name, text in latex.items():
            tag = " — <b>just applied</b>" if name in applied else ""
            rows.append(f"<p>{self._equation_title(name)}{tag}</p>$$ {text} $$")
        return f"<p><i>{self._equations_intro}</i></p>" + "".join(rows)

    def _ipython_display_(self) -> None:
        display(self.widget)


def _shell():
    """The IPython shell running this code, or None (a script)."""
    from IPython import get_ipython

    return get_ipython()


def _check_explorer_k(n_components, n_samples: int) -> None:
    n_components = check_n_components(n_components, n_samples)
    if n_components > MAX_COMPONENTS:
        raise ValueError(
            f"the explorer shows at most {MAX_COMPONENTS} components, got K={n_components}: "
            "choose a smaller K (gmmlearn.GaussianMixture fits any K without drawing it)"
        )


def _check_export_path(path, suffix: str) -> None:
    """A file path in an existing folder, or a one-line error naming the fix."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file name such as 'run{suffix}', got {path!r}")
    path = os.fspath(path)
    if os.path.isdir(path) or path.endswith(("/", os.sep)):
        raise ValueError(
            f"{path!r} is a folder: give a file name in it, such as "
            f"{os.path.join(path, 'run' + suffix)!r}"
        )
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise ValueError(f"the folder {folder!r} does not exist: create it first, or pick another")


def _check_positive(value, name: str, example: str) -> float:
    """A finite number > 0, or a one-line error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise TypeError(f"{name} must be a positive number such as {example}, got {value!r}")
    if not value > 0:
        raise ValueError(f"{name} must be > 0 (e.g. {example}), got {value!r}")
    return value
