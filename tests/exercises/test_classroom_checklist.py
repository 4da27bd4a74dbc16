"""docs/classroom-nbgrader.md's laptop route, run as written: the page cannot drift from what works.

The ```bash blocks of "The laptop route, step by step" run in order in one bash (``set -e``), in
a temporary home (``~``), with ``/path/to/gmmlearn`` read as this checkout and a PATH without
this venv (so step 1's activation is what makes nbgrader and gmmlearn found). Where the page
says the students hand in (an HTML comment ``checklist:``), the test saves a Moodle-style bulk
download of three students: the model solution, the untouched release, two classic mistakes.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import re
import subprocess
import zipfile
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbgrader")

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "classroom-nbgrader.md"
SOURCE = ROOT / "notebooks" / "03_exercises.ipynb"
_spec = importlib.util.spec_from_file_location("make_student", ROOT / "tools" / "make_student.py")
make_student = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_student)

MISTAKES = {
    "mixing_weights": ("return nk / n_samples", "return nk / len(nk)"),
    "component_covariances": (
        "covariances[k] = (resp[:, k, None] * diff).T @ diff / nk[k]",
        "covariances[k] = (resp[:, k, None] * diff).T @ diff",
    ),
}
# Moodle's folder per student: "Full Name_<participant id>_assignsubmission_file_"
STUDENTS = {"Ada Lovelace_101": 10.0, "Blank Page_102": 0.0, "Classic Mistake_103": 7.0}


def route() -> list[tuple[str, str]]:
    """The laptop route's steps in order: ("bash", commands) or ("hand-in", the comment)."""
    text = DOC.read_text()
    section = text.split("## The laptop route, step by step", 1)[1].split("\n## ", 1)[0]
    steps = re.findall(r"```bash\n(.*?)```|<!-- checklist: (.*?) -->", section, re.S)
    return [("bash", code) if code else ("hand-in", note) for code, note in steps]


def _moodle_zip(path: Path, tmp: Path) -> Path:
    solution = nbformat.read(SOURCE, as_version=4)
    mistaken = nbformat.from_dict(solution)
    for cell in mistaken.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in MISTAKES:
            cell.source = cell.source.replace(*MISTAKES[grade_id])
    released = make_student.release(SOURCE, tmp / "released" / SOURCE.name)
    notebooks = dict(zip(STUDENTS, [solution, nbformat.read(released, as_version=4), mistaken]))
    with zipfile.ZipFile(path, "w") as archive:
        for student, notebook in notebooks.items():
            name = f"{student}_assignsubmission_file_/{SOURCE.name}"
            archive.writestr(name, nbformat.writes(notebook))
    return path


@pytest.mark.slow
def test_the_laptop_route_runs_as_written(tmp_path):
    steps = route()
    kinds = [kind for kind, _ in steps]
    assert kinds.count("bash") >= 6 and kinds.count("hand-in") == 1
    home = tmp_path / "home"
    home.mkdir()
    download = _moodle_zip(tmp_path / "moodle-lesson3.zip", tmp_path)
    script = ["set -euo pipefail"]
    for kind, text in steps:
        if kind == "hand-in":
            assert "~/em-course/moodle-lesson3.zip" in text
            script.append(f'cp "{download}" ~/em-course/moodle-lesson3.zip')
        else:
            script.append(text.replace("/path/to/gmmlearn", str(ROOT)))
    env = {
        "HOME": str(home),
        "PATH": "/usr/local/bin:/usr/bin:/bin",  # not this venv: step 1 activates it
        "LANG": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }
    done = subprocess.run(
        ["bash", "-x", "-c", "\n".join(script)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    course = home / "em-course"
    assert "3 files collected" in done.stderr + done.stdout
    assert "the canary (the teacher's solution) got 10/10" in done.stdout
    with open(course / "grades.csv") as grades:
        rows = {row["student_id"]: float(row["score"]) for row in csv.DictReader(grades)}
    assert rows == {name.rsplit("_", 1)[1]: score for name, score in STUDENTS.items()}
    pages = sorted(p.parts[-3] for p in course.glob("feedback/*/lesson3/03_exercises.html"))
    assert pages == ["101", "102", "103"]
    page = (course / "feedback" / "103" / "lesson3" / "03_exercises.html").read_text()
    assert "Check of <code>mixing_weights</code>" in page  # gmmlearn's feedback template
    assert "divided by K" in page


def test_the_route_names_each_stage():
    """Activation first, then generate, collect, grade (with the canary), feedback, export."""
    commands = "\n".join(text for kind, text in route() if kind == "bash")
    order = [
        "source /path/to/gmmlearn/.venv/bin/activate",
        "nbgrader generate_assignment lesson3",
        "nbgrader zip_collect lesson3",
        "tools/grade.py lesson3",
        "nbgrader generate_feedback lesson3",
        "nbgrader export",
    ]
    positions = [commands.find(command) for command in order]
    assert -1 not in positions and positions == sorted(positions), positions
    assert os.path.isfile(ROOT / "tools" / "grade.py")
