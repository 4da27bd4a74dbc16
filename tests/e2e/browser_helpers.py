"""Small helpers shared by the browser tests (imported by name: pytest puts this folder first
on sys.path when it imports a test module of it)."""

from __future__ import annotations

import time

WAIT_S = 45.0  # as conftest's UI_TIMEOUT_MS: one element or condition


def poll(condition, what: str, timeout: float = WAIT_S):
    """``condition()`` once it is truthy, checked every 50 ms; else fail saying ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"{what} within {timeout:.0f} s")


NOTEBOOK_READY_JS = (
    "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
    " return Boolean(w && w.content && w.content.model && w.sessionContext); }"
)
RUN_ALL_JS = (
    "() => { const app = window.jupyterapp; app.shell.currentWidget.sessionContext.ready"
    ".then(() => app.commands.execute('notebook:run-all-cells')); }"
)


def open_and_run(page, url: str) -> None:
    """Open a notebook of JupyterLab at ``url`` and start all its cells (not waiting)."""
    page.goto(url)
    page.wait_for_function(NOTEBOOK_READY_JS)
    page.evaluate(RUN_ALL_JS)
