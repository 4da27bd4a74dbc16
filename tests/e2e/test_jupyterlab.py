"""The first lesson in JupyterLab, headless Chromium: cells run, the explorer renders and moves."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the visible notebook, not a restored tab
RUN_TIMEOUT_MS = 120_000

# notebook:run-all-cells resolves once every cell has run; page.evaluate has no timeout of its
# own, so the result goes into a flag that wait_for_function polls with one.
RUN_ALL_JS = """
() => {
    window.__gmmlearnRunAll = null;
    const app = window.jupyterapp;
    const panel = app.shell.currentWidget;
    (async () => {
        await panel.context.ready;
        await panel.sessionContext.ready;
        const ok = await app.commands.execute('notebook:run-all-cells');
        window.__gmmlearnRunAll = ok === false ? 'a cell failed' : 'ok';
    })().catch((err) => { window.__gmmlearnRunAll = 'error: ' + err; });
}
"""
NOTEBOOK_OPEN_JS = """
() => {
    const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    return Boolean(w && w.content && w.content.model && w.sessionContext);
}
"""
# Error and stderr outputs, and code cells that never ran, read from the notebook model.
CELL_PROBLEMS_JS = """
() => {
    const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
    const problems = [];
    for (let i = 0; i < cells.length; i++) {
        const cell = cells.get(i);
        if (cell.type !== 'code') continue;
        if (cell.executionCount === null) problems.push(`cell ${i} did not run`);
        for (const out of cell.outputs.toJSON()) {
            if (out.output_type === 'error') {
                problems.push(`cell ${i}: ${out.ename}: ${out.evalue}`);
            } else if (out.output_type === 'stream' && out.name === 'stderr') {
                const text = Array.isArray(out.text) ? out.text.join('') : out.text;
                problems.push(`cell ${i} wrote to stderr: ${text.slice(0, 500)}`);
            }
        }
    }
    return problems;
}
"""


def test_lesson_runs_and_explorer_moves(lab, page, explorer_factory):
    page.goto(lab.notebook_url)
    page.wait_for_function(NOTEBOOK_OPEN_JS)
    page.evaluate(RUN_ALL_JS)
    page.wait_for_function("window.__gmmlearnRunAll !== null", timeout=RUN_TIMEOUT_MS)
    run_all = page.evaluate("window.__gmmlearnRunAll")
    problems = page.evaluate(CELL_PROBLEMS_JS)
    assert run_all == "ok" and not problems, f"run all cells: {run_all}; {problems}"

    explorer = explorer_factory(PANEL)
    figure_before = explorer.wait_rendered()
    step_before = explorer.value()
    explorer.screenshot("jupyterlab_before.png")

    # One step to the right with the keyboard: the readout, the label and the figure follow.
    explorer.press_right()
    explorer.wait_value(step_before + 1)
    figure_after = explorer.wait_figure_settled(differs_from=figure_before)
    assert explorer.label_matches(step_before + 1), explorer.label_text()
    explorer.screenshot("jupyterlab_after.png")

    # Play advances the step on its own; pause it and the figure shows a later step.
    step_played = explorer.play_until_past(step_before + 1)
    explorer.wait_figure_settled(differs_from=figure_after)
    assert explorer.label_matches(step_played), explorer.label_text()

    assert explorer.widget_errors() == []
    assert page.evaluate(CELL_PROBLEMS_JS) == []
    assert page.console_log.errors == []
