"""Sizing a classroom: kernel memory per lesson, a server's memory, grading time per student.

    .venv/bin/python benchmarks/bench_classroom.py [N_STUDENTS]

1. Each of lessons 3, 6 and 7 (the teacher's source, so every cell runs) executes top to bottom
   in a fresh kernel (nbclient); the kernel's resident memory (RSS, psutil) is read at the end:
   what one student's kernel holds after the lesson.
2. A JupyterLab server with no kernel: its RSS after start (one per student on a hub).
3. ``nbgrader autograde`` of N_STUDENTS (default 4) copies of the model solution per lesson:
   wall time divided by N, the grading time per student (one at a time, as nbgrader grades).

Prints one table (docs/classroom-nbgrader.md quotes it). Run it with nothing else busy: the
times scale with the cores' load.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from make_student import EXERCISE_LESSONS, assignment_for, nbgrader_command  # noqa: E402


def kernel_rss_mb(notebook: Path) -> float:
    """RSS of the kernel after running ``notebook`` top to bottom, in MB (read by a last cell)."""
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "import os, psutil\nprint(psutil.Process(os.getpid()).memory_info().rss)"
        )
    )
    NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(ROOT)}}).execute()
    return int(nb.cells[-1].outputs[0].text) / 1e6


def server_rss_mb() -> float:
    """RSS of an idle JupyterLab server, in MB."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            str(Path(sys.executable).parent / "jupyter"),
            "lab",
            "--no-browser",
            "--allow-root",
            f"--port={port}",
            "--ServerApp.port_retries=0",
            "--IdentityProvider.token=x",
            f"--ServerApp.root_dir={tmp}",
        ]
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(120):
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.5)
            time.sleep(3)
            return psutil.Process(proc.pid).memory_info().rss / 1e6
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def grading_seconds_per_student(notebook: Path, n_students: int) -> float:
    """Wall time of nbgrader autograde over ``n_students`` model solutions, per student."""
    assignment = assignment_for(notebook)
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        (course / "source" / assignment).mkdir(parents=True)
        shutil.copy(notebook, course / "source" / assignment)
        for i in range(n_students):
            (course / "submitted" / f"s{i}" / assignment).mkdir(parents=True)
            shutil.copy(notebook, course / "submitted" / f"s{i}" / assignment)
        env_args = (f"--CourseDirectory.root={course}",)
        for step in ("generate_assignment", "autograde"):
            command, env = nbgrader_command(step, assignment, *env_args)
            started = time.perf_counter()
            subprocess.run(command, cwd=course, env=env, check=True, capture_output=True)
        return (time.perf_counter() - started) / n_students


def main() -> None:
    n_students = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    print(f"{'lesson':<28} {'kernel RSS':>11} {'grading / student':>18}")
    for name in EXERCISE_LESSONS:
        notebook = ROOT / "notebooks" / name
        rss = kernel_rss_mb(notebook)
        seconds = grading_seconds_per_student(notebook, n_students)
        print(f"{name:<28} {rss:>8.0f} MB {seconds:>16.1f} s")
    print(f"JupyterLab server, idle, no kernel: {server_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
