"""`make lab` for a teacher: runs as root, takes LAB_ARGS, opens the repository root."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The lesson `make lab` puts in front, as the Makefile names it.
FIRST_LESSON = re.search(r"^FIRST_LESSON := (\S+)$", (ROOT / "Makefile").read_text(), re.M)[1]
# The venv running the tests; `-o` tells make its install stamp is up to date (no pip here).
VENV = Path(sys.executable).parent.parent
MAKE = ["make", "--no-print-directory", f"VENV={VENV}", "-o", f"{VENV}/.lessons-installed"]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def test_make_lab_command_line():
    done = subprocess.run(
        [*MAKE, "-n", "lab", "LAB_ARGS=--port 9000 --no-browser"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    (line,) = [line for line in done.stdout.splitlines() if "jupyter lab" in line]
    assert f'--ServerApp.root_dir="{ROOT}"' in line
    assert line.endswith(f"--port 9000 --no-browser {FIRST_LESSON}")
    assert ("--allow-root" in line) == (os.geteuid() == 0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_make_lab_serves_the_repository_root_with_the_first_lesson_in_front(tmp_path):
    port, token = _free_port(), "classroom-test"
    env = dict(
        os.environ,
        BROWSER="true",  # "open" the browser with a command that does nothing
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
    )
    args = (
        f"--ip 127.0.0.1 --port {port} --ServerApp.port_retries=0 --IdentityProvider.token={token}"
    )
    server = subprocess.Popen(
        [*MAKE, "lab", f"LAB_ARGS={args}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped below with everything it started
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{url}/api/contents?token={token}", timeout=5) as r:
                    contents = json.load(r)
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not answer within 60 s")
        names = {item["name"] for item in contents["content"]}
        assert {"README.md", "notebooks", "Makefile"} <= names  # the root, not notebooks/
        # the page the browser is sent to: the first lesson, relative to the repository root
        for _ in range(40):
            openers = list((tmp_path / "runtime").glob("jpserver-file-to-run-*-open.html"))
            if openers:
                break
            time.sleep(0.25)
        (opener,) = openers
        target = re.search(r'href="([^"]+)"', opener.read_text())[1]
        assert target == f"{url}/lab/tree/{FIRST_LESSON}?token={token}"
        with urllib.request.urlopen(target, timeout=10) as page:
            assert page.status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        server.stdout.close()
