"""The explorer app in Voilà in headless Chromium: the page renders and the slider moves it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

BODY = "body"
PAGE_TIMEOUT_MS = 120_000  # Voilà runs the whole notebook before it sends the page
VOILA_ERROR = "There was an error when executing cell"
STDERR_OUTPUTS = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"


def test_app_renders_and_slider_moves(voila_app, page, explorer_factory):
    page.goto(voila_app.notebook_url, timeout=PAGE_TIMEOUT_MS)

    explorer = explorer_factory(BODY)
    figure_before = explorer.wait_rendered()
    assert VOILA_ERROR not in page.inner_text(BODY)
    assert page.locator(STDERR_OUTPUTS).all_inner_texts() == []
    step_before = explorer.value()

    explorer.press_right()
    explorer.wait_value(step_before + 1)
    explorer.wait_figure_settled(differs_from=figure_before)
    assert explorer.label_matches(step_before + 1), explorer.label_text()
    explorer.screenshot("voila_after.png")

    assert explorer.widget_errors() == []
    assert page.locator(STDERR_OUTPUTS).all_inner_texts() == []
    assert page.console_log.errors == []
