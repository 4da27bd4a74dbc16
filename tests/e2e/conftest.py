"""Fixtures for the browser tests: JupyterLab or Voilà on 127.0.0.1 and headless Chromium.

The servers, Chromium and the explorer as seen in the page come from tools/browser_harness.py
(shared with benchmarks/ and tools/); this file holds only what is pytest's: the fixtures, the
missing-browser policy and the whole-test time limit.

Missing browser policy: when ``/usr/bin/chromium``, playwright, voila or jupyterlab is missing the
tests skip with the reason, unless ``GMMLEARN_REQUIRE_BROWSER=1`` (set by CI): then they fail.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

from browser_harness import (  # noqa: E402
    APP,
    LESSON,
    REQUIRE_BROWSER_ENV,
    UI_TIMEOUT_MS,
    ConsoleLog,
    Explorer,
    Server,
    axe_violations,
    block_remote,
    jupyterlab_server,
    jupyterlab_serving,
    launch_chromium_profile,
    missing_requirements,
    open_and_run,
    voila_server,
)

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"  # from npm
NOTEBOOK_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in front
TEST_TIME_LIMIT = 150  # seconds for one test and its per-test fixtures


@pytest.fixture(scope="session", autouse=True)
def _browser_requirements() -> None:
    missing = missing_requirements()
    if not missing:
        return
    reason = "browser tests need " + ", ".join(missing)
    if os.environ.get(REQUIRE_BROWSER_ENV) == "1":
        pytest.fail(f"{reason}; {REQUIRE_BROWSER_ENV}=1 makes this a failure", pytrace=False)
    pytest.skip(f"{reason}; set {REQUIRE_BROWSER_ENV}=1 to make this a failure")


class E2ETimeout(Exception):
    """A browser test ran longer than TEST_TIME_LIMIT seconds."""


@pytest.fixture(autouse=True)
def _time_limit() -> Iterator[None]:
    # SIGALRM interrupts a wait that has no timeout of its own; the fixtures' finally blocks
    # then still stop the servers.
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def _raise(signum, frame):
        raise E2ETimeout(f"browser test exceeded its limit of {TEST_TIME_LIMIT} s")

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.alarm(TEST_TIME_LIMIT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[Server]:
    """JupyterLab serving a copy of the first lesson."""
    with jupyterlab_server(LESSON, tmp_path_factory.mktemp("jupyterlab")) as server:
        yield server


@pytest.fixture(scope="module")
def voila_app(tmp_path_factory) -> Iterator[Server]:
    """Voilà serving a copy of the explorer app notebook."""
    with voila_server(APP, tmp_path_factory.mktemp("voila")) as server:
        yield server


@pytest.fixture(scope="module")
def lab_serving(tmp_path_factory):
    """``lab_serving({name: [cell source, …], …})`` -> JupyterLab serving those notebooks.

    The server has ``url_of(name)``; it is stopped at the end of the module.
    """
    with contextlib.ExitStack() as stack:

        def start(notebooks: dict[str, list[str]]) -> Server:
            tmp = tmp_path_factory.mktemp("lab-notebooks")
            return stack.enter_context(jupyterlab_serving(notebooks, tmp))

        yield start


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory: pytest.TempPathFactory):
    """Debian's Chromium, headless, with a fresh user-data dir; remote requests are aborted."""
    from playwright.sync_api import sync_playwright

    user_data = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = launch_chromium_profile(
            pw, user_data, viewport={"width": 1280, "height": 1600}, timeout=UI_TIMEOUT_MS
        )
        context.set_default_timeout(UI_TIMEOUT_MS)
        block_remote(context)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser_context):
    """A new tab whose console errors are collected in ``page.console_log``."""
    page = browser_context.new_page()
    page.console_log = ConsoleLog(page)
    try:
        yield page
    finally:
        page.close()


@pytest.fixture
def explorer_factory(page):
    """``explorer_factory(scope)`` -> the :class:`Explorer` inside ``scope`` of the page."""
    return lambda scope: Explorer(page, scope, SCREENSHOTS)


@pytest.fixture
def open_explorer(page, explorer_factory):
    """``open_explorer(server, name, width=1280, height=720)`` -> ``(explorer, view)``: notebook
    ``name`` of a :func:`lab_serving` server run in a window of that size, its explorer drawn
    and scrolled to its top; ``view`` is the browser view's ``.gmm-webview`` locator."""

    def open_(server: Server, name: str, width: int = 1280, height: int = 720):
        page.set_viewport_size({"width": width, "height": height})
        open_and_run(page, server.url_of(name))
        explorer = explorer_factory(NOTEBOOK_PANEL)
        explorer.wait_rendered()
        view = explorer.output.locator(".gmm-webview").first
        view.evaluate("(v) => v.closest('.gmm-explorer').scrollIntoView({block: 'start'})")
        return explorer, view

    return open_


@pytest.fixture
def axe(page):
    """``axe(node=None, impacts=("serious", "critical"))`` -> axe-core's violations in the page,
    or inside the element handle ``node``: ``[[rule id, impact, [failing elements]], …]``."""
    return lambda node=None, impacts=("serious", "critical"): axe_violations(
        page, AXE, node, impacts
    )
