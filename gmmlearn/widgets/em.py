"""The EM explorer: :func:`gmmlearn.widgets.explore` (``method="em"``, the default).

In a notebook::

    from gmmlearn.widgets import explore
    explore(X, n_components=4)

shows the data coloured by the responsibilities, the ellipsoids, the log-likelihood curve,
the parameters and the equations with their current numbers, with a step slider, a Play
button, an E/M half-step toggle, and pickers for K, the initialisation, the covariance type
and the seed. For 2-D data in the browser view it is also a playground: drag a mean to start
EM again from there, click the plane to add a point, shift-click a point to remove it, choose
a preset data set; every run's BIC/AIC is written under the controls.
"""

from __future__ import annotations

import functools

import numpy as np

from ..diagnostics import collapsed_components, information_criteria, regularisation_share
from ..equations import EQUATION_NAMES, EQUATION_NUMBERS, PHASE_EQUATIONS, params_latex
from ..initialization import INIT_METHODS
from ..params import GaussianMixtureParams
from ..runs import subscript
from ..trace import EMTrace, run_em, run_trace
from ..validation import check_data
from ..webview.widget import kernel_loop
from ._base import Explorer, _guarded

__all__ = ["EMExplorer"]

# reg_covar above this share of the narrowest feature's variance: advise rescaling.
_REG_SHARE_NOTE = 1e-3
#: N × max_iter above which explore() in a kernel shows θ₀ over the grey points first and
#: runs EM after that first frame (10⁵ points × 100 iterations: 0.4 s of EM here, 3 s at 10⁶).
FIRST_FRAME_FIRST = 2_000_000


def _unbroken(text: str) -> str:
    """``text`` kept on one line in HTML."""
    return f"<span style='white-space:nowrap'>{text}</span>"


class EMExplorer(Explorer):
    """Step through an EM run with widgets; see :func:`gmmlearn.widgets.explore`.

    The attributes are those of :class:`~gmmlearn.widgets._base.Explorer` (the widgets, the
    view, ``widget`` to display), with:

    Attributes
    ----------
    trace : EMTrace
        The run shown; changing K, init, covariance type or seed runs EM again.
    data_input, criteria_html : widgets
        The playground's data menu (presets; shown for 2-D data in the browser view) and the
        BIC/AIC line of the run.
    """

    _algorithm = "EM"
    _init_methods = INIT_METHODS

    def _make_trace(self, X, **choices) -> EMTrace:
        return run_trace(X, **choices, **self.options)

    def _start_run(self, X, **choices):
        """A long run in a kernel (N × max_iter above :data:`FIRST_FRAME_FIRST`): θ₀ is shown
        at once and EM runs from it after the first frame; otherwise the whole run now."""
        if X.shape[0] * self.options["max_iter"] <= FIRST_FRAME_FIRST or kernel_loop() is None:
            return super()._start_run(X, **choices)
        start = run_trace(X, **choices, **{**self.options, "max_iter": 0})
        rest = functools.partial(run_em, X, start.params[0], **self.options, keep_lower_bounds=True)
        return start, rest

    def _check_playground(self, playground: bool | None, view: str) -> bool:
        two_d_browser = view == "browser" and self.X.shape[1] == 2
        if playground is None:  # on where it can work: 2-D data drawn in the browser
            return two_d_browser
        if playground and not two_d_browser:
            raise ValueError(
                "playground=True needs 2-D data (two features) and the browser view: "
                "pass two columns of X and view='browser'"
            )
        return bool(playground)

    def _wire(self) -> None:
        super()._wire()
        # the playground's runs before each edit, for undo (newest last)
        self._history: list[EMTrace] = []
        self._start_X = self.X  # the data set as it came, for "reset data"
        self.host.on_playground(
            self._on_mean_moved, self._on_point_added, self._on_point_removed, self._on_undo
        )
        self.undo_button.on_click(self._on_undo)
        self.reset_data_button.on_click(self._on_reset_data)
        self.fit_axes_button.on_click(self._on_fit_axes)

    # -- texts --------------------------------------------------------------------------------
    _applied_equations = PHASE_EQUATIONS
    _equations_intro = (
        "E-step at the θ that made the colours shown; M-step on those colours "
        "(point and component are 1-based, as in the book)."
    )

    def _equation_title(self, name: str) -> str:
        return f"{EQUATION_NAMES[name]} ({EQUATION_NUMBERS[name]})"

    def _params_text(self, h) -> str:
        return (
            f"<p>θ shown (θ<sub>{h.resp_iteration if h.phase == 'E' else h.iteration}</sub>):</p>"
            f"$$ {params_latex(h.params)} $$"
        )

    def _update_texts(self) -> None:
        super()._update_texts()
        self._show_criteria()

    def _show_criteria(self) -> None:
        """The top line: ln p of the θ on screen, then BIC/AIC, which judge the run's end θ_T."""
        h = self.view.state
        t = h.resp_iteration if h.phase == "E" else h.iteration  # the θ_t drawn
        trace = self._trace
        # a name and its number never part at a line's end ("BIC =" then, alone, "39119.5")
        ln_p = trace.log_likelihoods[t]
        if self._pending_run is not None:  # θ₀ alone on screen: the run's end is not known yet
            self.criteria_html.value = (
                f"<span style='font-size:15px'>on screen θ<sub>{t}</sub>: "
                f"<b>{_unbroken(f'ln p = {ln_p:.2f}')}</b> · the run's end and its BIC/AIC "
                "follow when EM ends</span>"
            )
            return
        criteria = information_criteria(trace)
        params = trace.params[-1]
        ln_p_end = criteria["log_likelihood"]
        bic, aic, n_parameters = criteria["bic"], criteria["aic"], criteria["n_parameters"]
        end = "" if t == trace.n_iter else _unbroken(f"ln p = {ln_p_end:.2f}") + ", "
        self.criteria_html.value = (
            f"<span style='font-size:15px'>on screen θ<sub>{t}</sub>: "
            f"<b>{_unbroken(f'ln p = {ln_p:.2f}')}</b> · the run's end "
            f"θ<sub>{trace.n_iter}</sub>: {end}{_unbroken(f'p = {n_parameters} parameters')} "
            f"({params.covariance_type}, K={params.n_components}), "
            f"<b>{_unbroken(f'BIC = {bic:.1f}')}</b>, <b>{_unbroken(f'AIC = {aic:.1f}')}</b> "
            "(lower is better)</span>"
        )

    def _show_run_notes(self, done: str = "") -> None:
        """The message after a run (a collapse explained, in red) and its BIC/AIC."""
        self._show_criteria()
        params = self._trace.params[-1]
        collapsed = collapsed_components(self._trace)
        if not collapsed:
            self._show_message((done + self._scale_note()).strip(), error=False)
            return
        k = collapsed[0]
        n_k = float(params.weights[k] * self._trace.X.shape[0])
        sub = subscript(k + 1)
        if n_k < 0.5:  # no point is left to it: π_k → 0, Σ_k = reg_covar I
            self._show_message(
                f"{done} Component {k + 1} died: N{sub} = {n_k:.1f} points are left "
                f"to it (π{sub} → 0), so its Σ{sub} is only reg_covar·I. "
                "It describes nothing: drag its mean into the data, or use fewer components."
            )
            return
        self._show_message(
            f"{done} Component {k + 1} collapsed onto N{sub} = {n_k:.1f} "
            f"point{'' if round(n_k, 1) == 1 else 's'}: its Σ{sub} is singular but for "
            f"reg_covar = {self._trace.reg_covar:g} added to its diagonal. Without reg_covar "
            "ln p would grow without bound (the singularity of PRML §9.2.1), so this θ, its "
            "ln p, BIC and AIC mean nothing. Drag the mean elsewhere, shift-click the point "
            "away, use fewer components, or raise reg_covar (explore(..., reg_covar=1e-2))."
        )

    def _scale_note(self) -> str:
        """Advice when reg_covar is large next to the data's spread (issue 22, item 14)."""
        # the data's variances, once per data set (a new K or seed keeps X: 40 ms at 10⁶)
        cached = getattr(self, "_reg_share", None)
        if cached is None or cached[0] is not self._trace.X:
            self._reg_share = cached = (self._trace.X, regularisation_share(self._trace))
        if cached[1] <= _REG_SHARE_NOTE:
            return ""
        spread = float(np.sqrt(np.min(np.var(self._trace.X, axis=0))))
        reg_covar = self._trace.reg_covar
        return (
            f" The data's spread is small next to reg_covar: its narrowest feature has std "
            f"{spread:.2g} while √reg_covar = {np.sqrt(reg_covar):.2g}, so reg_covar = "
            f"{reg_covar:g} widens every Σₖ. Rescale X (e.g. standardise each column) or "
            "lower reg_covar."
        )

    # -- the 2-D playground -------------------------------------------------------------------
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
    def _on_undo(self, button=None) -> None:
        self.undo()

    @_guarded
    def _on_reset_data(self, button=None) -> None:
        self.reset_data()

    @_guarded
    def _on_fit_axes(self, button=None) -> None:
        self.fit_axes()

    def undo(self) -> bool:
        """Go back to the run before the last playground edit (drag, click, shift-click).

        Returns
        -------
        ok : bool
            False if there is nothing to undo.
        """
        self.wait_for_run()
        if not self._history:
            self._show_message("Nothing to undo: drag a mean, or click to add a point.")
            return False
        trace = self._history.pop()
        self._show_run(trace)
        self.host.follow(self)
        self.undo_button.disabled = not self._history
        self._show_run_notes(f"undone: back to N = {trace.X.shape[0]} points and that run.")
        return True

    def reset_data(self) -> bool:
        """Back to the data set as it came (before any point was added or removed), run again
        with the widgets' choices, the axes fitted to it; the edits' history is cleared."""
        self.wait_for_run()
        held = self.view.held_frame if self.host.playground else None
        if self.host.playground:
            self.view.held_frame = None
        if not self.rerun(self._start_X):
            if self.host.playground:
                self.view.held_frame = held
            return False
        self._history.clear()
        self.undo_button.disabled = True
        self._show_run_notes(f"data reset: the {self._start_X.shape[0]} points it started with.")
        return True

    def fit_axes(self) -> None:
        """Fit the browser view's axes to the data shown (while editing they stay put: a point
        added near the edge does not rescale the picture under the mouse). The matplotlib view
        has no playground and always fits its data: nothing to do there."""
        self.wait_for_run()
        if self.host.playground:
            self.view.fit_axes()

    def use_preset(self, name: str) -> bool:
        """Replace the data by the preset ``name`` (:data:`gmmlearn.datasets.PRESETS`) and run
        again with the K, init, covariance type and seed of the widgets; "reset data" comes
        back to it, and the edits' history is cleared."""
        if not super().use_preset(name):
            return False
        self._start_X = self.X
        self._history.clear()
        self.undo_button.disabled = True
        return True

    def move_mean(self, k: int, position) -> bool:
        """Start EM again from the θ shown, with the mean μ_k moved to ``position``.

        The playground's drag of a mean (2-D data) ends here; ``k`` is 0-based.

        Returns
        -------
        ok : bool
            False if EM failed from there (the message says why; the previous run stays).
        """
        self.wait_for_run()
        shown = self.view.state.params
        k = _check_component_index(k, shown.n_components)
        means = shown.means.copy()
        means[k] = self._check_position(position, "the mean's position")
        start = GaussianMixtureParams(
            shown.weights, means, shown.covariances, shown.covariance_type
        )
        where = ", ".join(f"{v:.3g}" for v in means[k])
        done = f"EM started again with μ{k + 1} at ({where}): press ▶ to watch it climb"
        return self._run_from(self.X, start, done)

    def add_point(self, position) -> bool:
        """Add one data point at ``position`` and run EM again from the same θ₀.

        The playground's click on the plane (2-D data) ends here.

        Returns
        -------
        ok : bool
        """
        self.wait_for_run()
        point = self._check_position(position, "the point's position").reshape(1, -1)
        X = check_data(np.vstack([self.X, point]), min_samples=2)
        where = ", ".join(f"{v:.3g}" for v in point[0])
        done = f"added point {X.shape[0]} at ({where}); EM ran again from θ₀"
        return self._run_from(X, self._trace.params[0], done)

    def remove_point(self, index: int) -> bool:
        """Remove data point ``index`` (0-based row of X) and run EM again from the same θ₀.

        The playground's shift-click on a point (2-D data) ends here.

        Returns
        -------
        ok : bool
        """
        self.wait_for_run()
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"index must be a 0-based row of X (an integer), got {index!r}")
        index = int(index)
        if not 0 <= index < self.X.shape[0]:
            raise ValueError(f"point {index + 1} does not exist: use 1 … {self.X.shape[0]}")
        K = self._trace.params[0].n_components
        if self.X.shape[0] <= max(K, 2):
            self._show_message(
                f"Cannot remove a point: {self.X.shape[0]} points are the fewest for K={K}. "
                "Add points or choose a smaller K."
            )
            return False
        where = ", ".join(f"{v:.3g}" for v in self.X[index])
        X = np.delete(self.X, index, axis=0)
        done = f"removed point {index + 1} at ({where}); EM ran again from θ₀"
        return self._run_from(X, self._trace.params[0], done)

    def _check_position(self, position, what: str) -> np.ndarray:
        """``position`` as a finite float array of shape (D,), or a one-line error."""
        n_features = self.X.shape[1]
        try:
            point = np.asarray(position, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"{what} must be {n_features} numbers (one per feature), got {position!r}"
            ) from None
        if point.shape != (n_features,):
            raise ValueError(
                f"{what} must be {n_features} numbers (one per feature of X), got shape "
                f"{point.shape}: pass e.g. {[0.0] * n_features}"
            )
        if not np.all(np.isfinite(point)):
            raise ValueError(f"{what} must be finite numbers, got {point.tolist()}")
        return point

    def _run_from(self, X, start: GaussianMixtureParams, done: str) -> bool:
        try:
            trace = run_em(X, start, **self.options, keep_lower_bounds=True)
        except (ValueError, TypeError, ArithmeticError, np.linalg.LinAlgError) as exc:
            self._show_message(
                f"Could not run EM from there: {exc}. Still showing the previous run."
            )
            return False
        previous = self._trace
        if self.host.playground:
            self.view.hold_axes()  # the picture must not move under the mouse
        self._show_run(trace)
        self._history.append(previous)
        self.undo_button.disabled = False
        # browser view: the new run first; typesetting the equations in the page (MathJax)
        # held the frame with the new run back by up to 0.1 s, so they follow a moment later
        self.host.follow(self)
        self._show_run_notes(done + ".")
        return True


def _check_component_index(k, n_components: int) -> int:
    """``k`` as a 0-based component index, or a one-line error (−1 is not "the last")."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k must be a 0-based component index (an integer), got {k!r}")
    if not 0 <= k < n_components:
        raise ValueError(
            f"component k={k} does not exist: k is 0-based, use 0 … {n_components - 1} (μ₁ is k=0)"
        )
    return int(k)
