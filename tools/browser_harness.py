"""JupyterLab or Voilà on 127.0.0.1 and headless Chromium: what the browser tests, the browser
benchmarks and the screenshot tools share.

Import it with ``tools/`` on ``sys.path`` (``sys.path.insert(0, str(REPO / "tools"))``); the
browser tests' fixtures (tests/e2e/conftest.py) are built on it, and nothing here needs pytest.

Every server runs in its own process group with a temporary root, config, data, runtime and
settings directory, and is stopped by its own process id in a ``finally``, also when a test
fails or times out. Chromium is Debian's ``/usr/bin/chromium`` driven by Playwright for Python;
``playwright install`` is never used.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
# JupyterLab settings of the test environment: no autosave, no news pop-up
OVERRIDES = Path(__file__).resolve().parent / "jupyterlab_overrides.json"
LESSON = NOTEBOOKS / "01_em_step_by_step.ipynb"  # opened in JupyterLab
APP = NOTEBOOKS / "explorer_app.ipynb"  # served by Voilà

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # software WebGL (SwiftShader): the explorer's browser view draws its points with WebGL,
    # and --disable-gpu alone leaves a headless Chromium without it
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--ignore-gpu-blocklist",
]
REQUIRE_BROWSER_ENV = "GMMLEARN_REQUIRE_BROWSER"

SERVER_START_TIMEOUT = 60.0  # seconds until the server's port accepts connections
SERVER_STOP_TIMEOUT = 10.0  # seconds between SIGTERM and SIGKILL
UI_TIMEOUT_MS = 45_000  # Playwright's default wait for one element or condition
FIGURE_SETTLE_S = 1.0  # a figure is drawn once its image stayed the same this long


# =============================================================================
# Requirements


def missing_requirements() -> list[str]:
    """What the browser tests need and this machine lacks, each with how to install it."""
    missing = []
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"{CHROMIUM} (apt-get install -y chromium)")
    for module, package in [
        ("playwright", "playwright"),
        ("voila", "voila"),
        ("jupyterlab", "jupyterlab"),
        ("ipywidgets", "ipywidgets"),
    ]:
        if importlib.util.find_spec(module) is None:
            missing.append(f"{module} (pip install {package})")
    return missing


# =============================================================================
# Servers


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (servers get port_retries=0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(log_path: Path, n_chars: int = 3000) -> str:
    try:
        return log_path.read_text(errors="replace")[-n_chars:]
    except OSError:
        return "<no log>"


def _wait_for_port(proc: subprocess.Popen, port: int, timeout: float, log_path: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"server exited with code {proc.returncode} before listening on port {port}; "
                f"log {log_path}:\n{_log_tail(log_path)}"
            )
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(1.0)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(
        f"server did not listen on port {port} within {timeout:.0f} s; "
        f"log {log_path}:\n{_log_tail(log_path)}"
    )


def _descendant_pids(pid: int) -> list[int]:
    # Kernels run in sessions of their own, so killing the server's group misses them.
    try:
        import psutil
    except ImportError:
        return []
    try:
        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return []


def _signal_pid(pid: int, sig: int, group: bool = False) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        (os.killpg if group else os.kill)(pid, sig)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_server(proc: subprocess.Popen) -> None:
    """Stop a server started by :func:`running_server` and its kernels, by their process ids."""
    children = _descendant_pids(proc.pid)
    _signal_pid(proc.pid, signal.SIGTERM, group=True)  # the group id is the server's pid
    try:
        proc.wait(timeout=SERVER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        _signal_pid(proc.pid, signal.SIGKILL, group=True)
        proc.wait(timeout=SERVER_STOP_TIMEOUT)
    deadline = time.monotonic() + SERVER_STOP_TIMEOUT
    while any(_pid_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in children:
        _signal_pid(pid, signal.SIGKILL)


@contextlib.contextmanager
def running_server(cmd: list[str], *, cwd: Path, env: dict, port: int, log_path: Path):
    """Start ``cmd`` in a new process group, wait for its port, always stop it afterwards."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _wait_for_port(proc, port, SERVER_START_TIMEOUT, log_path)
            yield proc
        finally:
            stop_server(proc)


def jupyter_env(base: Path) -> dict[str, str]:
    """The environment for a server: the user's Jupyter/IPython config and state are not read."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JUPYTER", "IPYTHON", "MPLBACKEND"))
    }
    for name in ["config", "data", "runtime", "ipython"]:
        (base / name).mkdir(parents=True, exist_ok=True)
    env.update(
        JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTER_DATA_DIR=str(base / "data"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        IPYTHONDIR=str(base / "ipython"),
        PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    return env


def copy_notebook(notebook: Path, root: Path) -> Path:
    """Copy ``notebook`` into a fresh server root so nothing the browser does reaches the repo."""
    root.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(notebook, root / notebook.name))


class Server:
    """A running server: its base URL, token and the URL of the notebook it serves."""

    def __init__(self, base_url: str, token: str, notebook_url: str, log_path: Path):
        self.base_url = base_url
        self.token = token
        self.notebook_url = notebook_url
        self.log_path = log_path


@contextlib.contextmanager
def jupyterlab_server(notebook: Path, tmp: Path) -> Iterator[Server]:
    root = tmp / "root"
    copied = copy_notebook(notebook, root)
    app_settings = tmp / "app-settings"
    app_settings.mkdir()
    shutil.copy2(OVERRIDES, app_settings / "overrides.json")
    port, token = free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--allow-root",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.app_settings_dir={app_settings}",
        f"--LabApp.user_settings_dir={tmp / 'user-settings'}",
        f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    log_path = tmp / "jupyterlab.log"
    with running_server(cmd, cwd=root, env=jupyter_env(tmp), port=port, log_path=log_path):
        base = f"http://127.0.0.1:{port}"
        # ?reset drops any restored layout; the token logs the browser in.
        url = f"{base}/lab/tree/{copied.name}?reset&token={token}"
        yield Server(base, token, url, log_path)


@contextlib.contextmanager
def lab_page(notebook: Path, tmp: Path, width: int = 1600, height: int = 1000, run_all=True):
    """JupyterLab on ``notebook`` in headless Chromium, as the screenshot tools need it.

    The page is open at ``width`` × ``height`` with the notebook's kernel ready, the left side
    bar closed (the notebook gets the width) and, with ``run_all``, every cell started.
    """
    from playwright.sync_api import sync_playwright

    with jupyterlab_server(notebook, tmp / "server") as server, sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(server.notebook_url)
            page.wait_for_function(NOTEBOOK_OPEN_JS, timeout=60_000)
            page.evaluate(
                """(runAll) => {
                    const app = window.jupyterapp;
                    app.commands.execute('application:toggle-left-area');
                    if (runAll) {
                        app.shell.currentWidget.sessionContext.ready.then(
                            () => app.commands.execute('notebook:run-all-cells'));
                    }
                }""",
                run_all,
            )
            yield page
        finally:
            browser.close()


@contextlib.contextmanager
def voila_server(notebook: Path, tmp: Path) -> Iterator[Server]:
    root = tmp / "root"
    copied = copy_notebook(notebook, root)
    # the repository's Voilà settings, read from the folder Voilà starts in (as the README's
    # command does from the repository root)
    shutil.copy(REPO / "voila.json", root / "voila.json")
    port, token = free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable,
        "-m",
        "voila",
        str(copied),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        f"--token={token}",
    ]
    log_path = tmp / "voila.log"
    with running_server(cmd, cwd=root, env=jupyter_env(tmp), port=port, log_path=log_path):
        base = f"http://127.0.0.1:{port}"
        yield Server(base, token, f"{base}/?token={token}", log_path)


# True once JupyterLab shows a notebook with its model and kernel session (a page of JupyterLab
# started with expose_app_in_browser).
NOTEBOOK_OPEN_JS = """
() => {
    const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    return Boolean(w && w.content && w.content.model && w.sessionContext);
}
"""


def notebook_json(cells: list[str]) -> str:
    """A notebook of code cells, not yet run."""
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "execution_count": None,
                    "metadata": {},
                    "outputs": [],
                    "source": source,
                }
                for source in cells
            ],
            "metadata": {
                "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


@contextlib.contextmanager
def jupyterlab_serving(notebooks: dict[str, list[str]], tmp: Path) -> Iterator[Server]:
    """JupyterLab serving ``{name: [cell source, …], …}`` as notebooks, not yet run.

    The server's ``url_of(name)`` is the URL that opens notebook ``name`` (fresh layout, logged in).
    """
    sources = tmp / "sources"
    sources.mkdir(parents=True)
    for name, cells in notebooks.items():
        (sources / name).write_text(notebook_json(cells))
    first = sources / next(iter(notebooks))
    with jupyterlab_server(first, tmp / "server") as server:
        for name in notebooks:
            shutil.copy2(sources / name, tmp / "server" / "root" / name)
        server.url_of = lambda name: f"{server.base_url}/lab/tree/{name}?reset&token={server.token}"
        yield server


# =============================================================================
# Browser


def launch_chromium(pw, args: list[str] | None = None, **options):
    """Debian's Chromium, headless, with the flags ``args`` (default :data:`CHROMIUM_ARGS`).

    ``pw`` is a started ``sync_playwright()``; ``options`` go to ``chromium.launch``.
    """
    args = CHROMIUM_ARGS if args is None else args
    return pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args, **options)


def launch_chromium_profile(pw, user_data: Path, **options):
    """As :func:`launch_chromium`, a persistent context with the user-data dir ``user_data``."""
    return pw.chromium.launch_persistent_context(
        str(user_data), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, **options
    )


def block_remote(context) -> None:
    """Abort every request of ``context`` to a host other than 127.0.0.1 (the tests run offline).

    Voilà's template links a CDN stylesheet; only remote requests pass through Python, so the
    local ones stay fast.
    """
    context.route(is_remote, lambda route: route.abort())


LOCAL_URL = "http://127.0.0.1:"


def is_remote(url: str) -> bool:
    """Whether ``url`` is an http(s) request to a host other than 127.0.0.1."""
    return url.startswith(("http://", "https://")) and not url.startswith(LOCAL_URL)


class ConsoleLog:
    """Console errors and uncaught exceptions of one page.

    ``errors`` holds everything except a blocked request to a remote host, which is kept in
    ``remote`` instead: the page works without it and the tests run offline.
    """

    def __init__(self, page):
        self.errors: list[str] = []
        self.remote: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))

    def _on_console(self, msg) -> None:
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        text = f"console.error: {msg.text} ({url})"
        if msg.text.startswith("Failed to load resource") and is_remote(url):
            self.remote.append(text)
        else:
            self.errors.append(text)


# =============================================================================
# The explorer as seen in the page

# gmmlearn.widgets.EMExplorer: an IntSlider described "step", a Play widget, a step label
# ("half-step i of n · …") and the figure: by default the browser view (gmmlearn.webview: a
# `.gmm-webview` element with canvases and its own `.gmm-title` label), with view="matplotlib"
# a PNG in an Image widget (inline backend) or an ipympl canvas (%matplotlib widget) and an HTML
# label. Everything is looked up inside the output that holds the step slider, itself inside
# ``scope``: the visible notebook panel in JupyterLab, the body in Voilà.
STEP_DESCRIPTION = "step"
STEP_LABEL_START = "half-step "

# The figure's pixels as a data URL: an <img> drawn onto a canvas (its blob URL changes on
# every update even when the picture does not), or the ipympl canvas itself.
# A JavaScript function `pointPixels(el)`: the RGBA bytes of the points' WebGL layer of the
# explorer `el`, read back through a 2-D canvas; declare it in the body of the function that
# calls it.
POINT_PIXELS_FUNCTION = """
function pointPixels(el) {
    const cv = el.querySelector('canvas.gmm-points');
    const c = document.createElement('canvas');
    c.width = cv.width;
    c.height = cv.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(cv, 0, 0);
    return ctx.getImageData(0, 0, c.width, c.height).data;
}
"""
FIGURE_JS = """
(output) => {
    const view = output.querySelector('.gmm-webview');
    if (view) {
        if (!view.dataset.framesDrawn) return null;
        return Array.from(view.querySelectorAll('canvas'), (c) => c.toDataURL()).join('|');
    }
    const img = output.querySelector('img.widget-image, .widget-output img');
    if (img) {
        if (!img.complete || img.naturalWidth === 0) return null;
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        canvas.getContext('2d').drawImage(img, 0, 0);
        return canvas.toDataURL();
    }
    const canvas = output.querySelector('.jupyter-matplotlib-figure canvas');
    return canvas && canvas.width > 0 ? canvas.toDataURL() : null;
}
"""


def expected_step_label(step: int) -> re.Pattern:
    """The start of the step label for half-step ``step`` (gmmlearn.equations.step_description)."""
    if step == 0:
        what = "initial θ₀"
    elif step % 2:
        what = f"iteration {(step + 1) // 2} · E-step"
    else:
        what = f"iteration {step // 2} · M-step"
    # the browser view's title says first what the half-step changed, then "— half-step …"
    return re.compile(rf"^(?:.* — )?{STEP_LABEL_START}{step} of \d+ · {re.escape(what)}")


class Explorer:
    """The first explorer inside ``scope`` of ``page``: step slider, Play, label, figure."""

    def __init__(self, page, scope: str, screenshot_dir: Path | None = None):
        self.page = page
        self.scope = scope
        self.screenshot_dir = screenshot_dir  # where screenshot() saves
        # has= locators are relative to the element they filter
        step_description = page.locator(".widget-label", has_text=re.compile(r"^\s*step\s*$"))
        step_slider = page.locator(".widget-slider").filter(has=step_description)
        outputs = page.locator(scope).locator(".jp-OutputArea-output")
        self.output = outputs.filter(has=step_slider).first
        self.slider = self.output.locator(".widget-slider").filter(has=step_description).first
        self.handle = self.slider.locator(".noUi-handle").first
        self.readout = self.slider.locator(".widget-readout").first
        # ipywidgets 8's Play: one play/pause toggle, then stop (which rewinds) and repeat.
        self.play_pause = self.output.locator(".widget-play button").first

    # --- reading -------------------------------------------------------------

    @property
    def label(self):
        """The step label: the browser view's own title, else the explorer's HTML label."""
        title = self.output.locator(".gmm-title")
        if title.count():
            return title.first
        return self.output.locator(
            ".widget-html-content", has_text=re.compile(rf"^\s*{STEP_LABEL_START}")
        ).first

    def figure(self) -> str | None:
        """A hash of the figure's pixels, None while it is not drawn."""
        data = self.output.evaluate(FIGURE_JS)
        return None if data is None else hashlib.sha1(data.encode()).hexdigest()

    def value(self) -> int:
        return int(self.readout.inner_text().strip())

    def label_text(self) -> str:
        return self.label.inner_text().strip()

    def label_matches(self, step: int) -> bool:
        """Whether the step label names half-step ``step`` and its phase."""
        return expected_step_label(step).match(self.label_text()) is not None

    def widget_errors(self) -> list[str]:
        """Error text shown inside widgets: failed views, tracebacks caught by Output widgets."""
        selectors = [
            ".jupyter-widgets-error-widget",
            ".widget-output [data-mime-type='application/vnd.jupyter.stderr']",
        ]
        return [
            f"{selector}: {text.strip()[:500]}"
            for selector in selectors
            for text in self.page.locator(self.scope).locator(selector).all_inner_texts()
        ]

    # --- waiting -------------------------------------------------------------

    def _poll(self, condition, what: str):
        deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
        while time.monotonic() < deadline:
            result = condition()
            if result is not None:
                return result
            time.sleep(0.1)
        raise AssertionError(f"{what} within {UI_TIMEOUT_MS // 1000} s")

    def wait_rendered(self) -> str:
        """Wait for the step slider and a drawn figure; return the figure's hash."""
        self.handle.wait_for(state="visible")
        self._poll(self.figure, "no figure was drawn")
        return self.wait_figure_settled()

    def wait_figure_settled(self, *, differs_from: str | None = None) -> str:
        """Wait until the figure differs from ``differs_from`` and then stays the same."""
        state = {"last": self.figure(), "since": time.monotonic()}

        def settled():
            now = self.figure()
            if now != state["last"]:
                state.update(last=now, since=time.monotonic())
                return None
            steady = time.monotonic() - state["since"] >= FIGURE_SETTLE_S
            return now if steady and now is not None and now != differs_from else None

        new = " on a new image" if differs_from else ""
        return self._poll(settled, f"the figure did not settle{new}")

    def wait_value(self, value: int) -> None:
        """Wait until the slider's readout shows ``value``."""
        self._poll(
            lambda: True if self.value() == value else None, f"the step never became {value}"
        )

    # --- acting --------------------------------------------------------------

    def press_right(self) -> None:
        """One step forward with the keyboard, as a student would."""
        self.handle.focus()
        self.handle.press("ArrowRight")

    def play_until_past(self, value: int) -> int:
        """Press Play, wait for a step beyond ``value``, pause; return the step it stopped at."""
        self.play_pause.click()
        self._poll(lambda: True if self.value() > value else None, f"Play never passed {value}")
        self.play_pause.click()
        return self._poll(self._steady_value, "the step kept changing after pause")

    def _steady_value(self) -> int | None:
        before = self.value()
        time.sleep(FIGURE_SETTLE_S)
        return before if self.value() == before else None

    def screenshot(self, name: str) -> Path:
        """Save a picture of the explorer as ``name`` in ``screenshot_dir``; return its path."""
        if self.screenshot_dir is None:
            raise ValueError("Explorer(page, scope, screenshot_dir=...) names where to save it")
        self.screenshot_dir.mkdir(parents=True, exist_ok=True)
        path = self.screenshot_dir / name
        self.output.screenshot(path=str(path))
        return path


# =============================================================================
# Waiting and running

WAIT_S = UI_TIMEOUT_MS / 1000  # one element or condition


def poll(condition, what: str, timeout: float = WAIT_S):
    """``condition()`` once it is truthy, checked every 50 ms; else fail saying ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"{what} within {timeout:.0f} s")


RUN_ALL_JS = (
    "() => { const app = window.jupyterapp; app.shell.currentWidget.sessionContext.ready"
    ".then(() => app.commands.execute('notebook:run-all-cells')); }"
)


def open_and_run(page, url: str) -> None:
    """Open a notebook of JupyterLab at ``url`` and start all its cells (not waiting)."""
    page.goto(url)
    page.wait_for_function(NOTEBOOK_OPEN_JS)
    page.evaluate(RUN_ALL_JS)


KERNEL_RUN_JS = """async (code) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const reply = await kernel.requestExecute({code, store_history: false}).done;
  return reply.content.status === 'ok' ? null : reply.content.ename + ': ' + reply.content.evalue;
}"""


def run_in_kernel(page, code: str) -> None:
    """Run ``code`` in the kernel of the notebook JupyterLab shows in ``page`` and wait for it."""
    error = page.evaluate(KERNEL_RUN_JS, code)
    if error:
        raise AssertionError(f"the kernel failed to run {code!r}: {error}")


# =============================================================================
# What a student would see as wrong: serious accessibility faults, text cut with "…"

AXE_RUN_JS = """async ([node, impacts]) => {
  const result = await axe.run(node || document);
  return result.violations
    .filter((v) => impacts.includes(v.impact))
    .map((v) => [v.id, v.impact, v.nodes.map((n) => n.html.slice(0, 120))]);
}"""
CUT_TEXT_JS = """(root) => {
  // visible elements whose text overflows into an ellipsis
  const cut = [];
  for (const node of root.querySelectorAll('*')) {
    if (getComputedStyle(node).textOverflow !== 'ellipsis') continue;
    if (!node.offsetParent || !node.textContent.trim()) continue;
    if (node.scrollWidth > node.clientWidth + 1) cut.push(node.textContent.trim().slice(0, 80));
  }
  return cut;
}"""


def axe_violations(page, axe_script: Path, node=None, impacts=("serious", "critical")) -> list:
    """axe-core's violations of ``impacts`` inside the element handle ``node`` (None: the page),
    each as ``[rule id, impact, [the first 120 characters of each failing element]]``;
    ``axe_script`` is axe.min.js (the browser tests vendor it), added to the page once."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script))
    return page.evaluate(AXE_RUN_JS, [node, list(impacts)])


def cut_texts(locator) -> list[str]:
    """The visible texts inside ``locator``'s element that are cut with "…"."""
    return locator.evaluate(CUT_TEXT_JS)
