"""The explorer's control bar: its widgets, their layout, and wiring that can be silenced.

:class:`ControlBar` is a mixin of :class:`gmmlearn.widgets._base.Explorer`: it makes the
widgets as attributes of the explorer (``step_slider``, ``k_input``, …, as the lessons and
tests read them) and lays them out. A new run resets the slider and the pickers from Python;
those changes are made inside :meth:`ControlBar._quietly`, which detaches every observer
meanwhile, so that no callback has to ask whether the explorer itself made the change.
"""

from __future__ import annotations

import html
from contextlib import contextmanager

import ipywidgets as widgets

from ..datasets.presets import PRESET_DESCRIPTIONS
from ..params import COVARIANCE_TYPES

__all__ = ["BLEND", "ControlBar"]

BLEND = -1  # the "colour by" choice of the blend (a Dropdown value of None shows blank)


class ControlBar:
    """The widgets of an explorer, built by :meth:`_build_controls`; see the module docstring.

    A subclass sets ``_init_methods`` (the init picker's options), ``_half_step_names`` (the
    toggle's label of half-steps) and ``_resp_symbol`` (γ or r, for the colour picker).
    """

    _init_methods: tuple[str, ...] = ()
    _half_step_names = "E / M half-steps"
    _resp_symbol = "γ"

    def _build_controls(self, n_components, init, covariance_type, seed, interval) -> None:
        self._wiring: list[tuple] = []
        self._quiet_depth = 0
        self._build_stepping(interval)
        self._build_choices(n_components, init, covariance_type, seed)
        self._build_pickers()

    def _build_stepping(self, interval: int) -> None:
        n_frames = self.view.n_frames()
        self.step_slider = widgets.IntSlider(
            value=0,
            min=0,
            max=n_frames - 1,
            description="step",
            continuous_update=True,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="230px"),
        )
        self.play = widgets.Play(
            value=0,
            min=0,
            max=n_frames - 1,
            interval=interval,
            description="play",
            tooltip="play / pause (the square stops and rewinds)",
        )
        self.speed = widgets.IntSlider(
            value=interval,
            min=10,
            max=1000,
            step=10,
            description="ms / step",
            style={"description_width": "initial"},
            layout={"width": "200px"},
        )
        # in the browser, without a round trip through the kernel
        self._play_link = widgets.jslink((self.play, "value"), (self.step_slider, "value"))
        self._speed_link = widgets.jslink((self.speed, "value"), (self.play, "interval"))
        self.prev_button = widgets.Button(
            description="◀ back", tooltip="one step back", layout={"width": "72px"}
        )
        self.next_button = widgets.Button(
            description="step ▶", tooltip="one step forward", layout={"width": "72px"}
        )
        self.half_steps_toggle = widgets.ToggleButtons(
            options=[(self._half_step_names, True), ("whole iterations", False)],
            value=self.view.half_steps,
            style={"button_width": "136px"},
        )
        self.half_steps_toggle.layout.flex = "0 0 auto"
        self.step_label = widgets.HTML()
        self.message = widgets.HTML()
        self.message_text = ""
        self.message_is_error = False

    def _build_choices(self, n_components, init, covariance_type, seed) -> None:
        compact = {"description_width": "initial"}
        self.k_input = widgets.IntText(
            value=n_components, description="K", style=compact, layout={"width": "84px"}
        )
        self.init_input = widgets.Dropdown(
            options=self._init_methods,
            value=init,
            description="init",
            style=compact,
            layout={"width": "180px"},
        )
        self.covariance_input = widgets.Dropdown(
            options=COVARIANCE_TYPES,
            value=covariance_type,
            description="covariance",
            style=compact,
            layout={"width": "180px"},
        )
        self.seed_input = widgets.IntText(
            value=seed, description="seed", style=compact, layout={"width": "110px"}
        )
        # the playground: preset data sets, and BIC/AIC of every run
        self.data_input = widgets.Dropdown(
            options=[("the data passed in", "")]
            + [(text.split(":")[0], name) for name, text in PRESET_DESCRIPTIONS.items()],
            description="data",
            style=compact,
            layout={"width": "210px"},
        )
        # the playground's edits: undo (also Ctrl+Z on the picture), the data set as it came,
        # the axes fitted to the data again (they stay put while points are added)
        self.undo_button = widgets.Button(
            description="undo",
            tooltip="undo the last drag, click or shift-click (Ctrl+Z)",
            icon="undo",
            disabled=True,
            layout={"width": "80px"},
        )
        self.reset_data_button = widgets.Button(
            description="reset data",
            tooltip="the data set as it was before any edit",
            layout={"width": "100px"},
        )
        self.fit_axes_button = widgets.Button(
            description="fit axes",
            tooltip="fit the axes to the data (edits keep them put)",
            layout={"width": "90px"},
        )
        self.data_input.layout.display = None if self.host.playground else "none"
        for button in (self.undo_button, self.reset_data_button, self.fit_axes_button):
            button.layout.display = self.data_input.layout.display
        # the message line sits under the picture, one line kept for it (ipywidgets' inline
        # height, 28 px): a message of any length appears, wraps and goes without moving the
        # picture or the controls above it (explorer.js, Layout, keeps the line on screen)
        self.message.layout.min_height = "28px"
        self.message.add_class("gmm-message-line")
        self.criteria_html = widgets.HTML()

    def _build_pickers(self) -> None:
        wide = {"description_width": "initial"}
        self.color_by = widgets.Dropdown(description="colour by", style=wide)
        self.point_input = widgets.BoundedIntText(
            value=1,
            min=1,
            max=self.X.shape[0],
            description="point n",
            style=wide,
            layout={"width": "150px"},
        )
        self.component_input = widgets.Dropdown(
            description="component k", style=wide, layout={"width": "170px"}
        )
        self._set_component_options()
        self.elev_slider = widgets.IntSlider(value=22, min=-90, max=90, description="elevation")
        self.azim_slider = widgets.IntSlider(value=-60, min=-180, max=180, description="azimuth")
        self.equations_html = widgets.HTMLMath()
        self.params_html = widgets.HTMLMath()
        self.angles = widgets.HBox([self.elev_slider, self.azim_slider])

    def _layout(self, extra_rows=()) -> widgets.VBox:
        """A compact bar of rows above the picture (they wrap on a narrow screen), the message
        line and the folded texts under it: at 1280×720 controls and picture are on screen
        together. ``extra_rows`` go under the run's choices."""
        wrap = widgets.Layout(flex_flow="row wrap", align_items="center")
        stepping = widgets.HBox(
            [
                self.prev_button,
                self.play,
                self.step_slider,
                self.next_button,
                self.half_steps_toggle,
            ],
            layout=wrap,
        )
        run = widgets.HBox(
            [self.k_input, self.init_input, self.covariance_input, self.seed_input, self.speed],
            layout=wrap,
        )
        playground = widgets.HBox(
            [
                self.data_input,
                self.undo_button,
                self.reset_data_button,
                self.fit_axes_button,
                self.criteria_html,
            ],
            layout=wrap,
        )
        texts = widgets.Tab(children=[self.equations_html, self.params_html])
        texts.set_title(0, "equations")
        texts.set_title(1, "parameters")
        picks = widgets.HBox([self.color_by, self.point_input, self.component_input], layout=wrap)
        self.details = widgets.Accordion(children=[widgets.VBox([picks, texts])])
        self.details.set_title(0, "colours, equations and parameters of the step shown")
        box = widgets.VBox(
            [
                stepping,
                run,
                *extra_rows,
                playground,
                self.step_label,
                self.figure_area,
                self.message,
                self.angles,
                self.details,
            ]
        )
        box.add_class("gmm-explorer")  # the browser view measures its controls from here
        return box

    # -- wiring ---------------------------------------------------------------------------
    def _observe(self, widget, handler, names: str = "value") -> None:
        """``widget.observe(handler, names)``, remembered so that :meth:`_quietly` can detach it."""
        self._wiring.append((widget, handler, names))
        widget.observe(handler, names=names)

    @contextmanager
    def _quietly(self):
        """Change widgets from Python without running the explorer's callbacks."""
        if self._quiet_depth == 0:
            for widget, handler, names in self._wiring:
                widget.unobserve(handler, names=names)
        self._quiet_depth += 1
        try:
            yield
        finally:
            self._quiet_depth -= 1
            if self._quiet_depth == 0:
                for widget, handler, names in self._wiring:
                    widget.observe(handler, names=names)

    # -- following a new run ----------------------------------------------------------------
    def _set_slider(self, value: int) -> None:
        with self._quietly():
            n_frames = self.view.n_frames()
            self.step_slider.max = self.play.max = n_frames - 1
            self.step_slider.value = self.play.value = min(value, n_frames - 1)

    def _set_component_options(self) -> None:
        n_components = self._trace.params[0].n_components
        symbol = self._resp_symbol
        with self._quietly():
            keep = self.color_by.value if self.color_by.value is not None else BLEND
            self.color_by.options = [(f"{symbol}-blend of all", BLEND)] + [
                (f"{symbol} of component {k + 1}", k) for k in range(n_components)
            ]
            self.color_by.value = keep if keep < n_components else BLEND
            chosen = self.component_input.value
            self.component_input.options = [(str(k + 1), k) for k in range(n_components)]
            self.component_input.value = (
                chosen if chosen is not None and chosen < n_components else 0
            )

    def _fit_point_input(self) -> None:
        """The point picker's range follows N (a point added or removed, another data set)."""
        n_samples = self.X.shape[0]
        with self._quietly():
            if self.point_input.value > n_samples:
                self.point_input.value = n_samples
            self.point_input.max = n_samples

    def _show_message(self, text: str, error: bool = True) -> None:
        self.message_text = text
        self.message_is_error = bool(text) and error
        color = "#B00020" if error else "#333"
        self.message.value = (
            f'<div style="color:{color}"><b>{html.escape(text)}</b></div>' if text else ""
        )
