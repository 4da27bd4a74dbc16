"""nbgrader's real pipeline on lesson 3, unchanged: generate_assignment, then autograde.

A temporary course folder gets the solution notebook as ``source/``;
``nbgrader generate_assignment`` releases it; three submissions are graded by
``nbgrader autograde`` (which runs them in a kernel):

* ``model``: the solution notebook itself — full marks;
* ``blank``: the released student version, untouched — zero;
* ``two_mistakes``: the solutions with two classic mistakes (π_k divided by K, Σ_k not divided by
  N_k) — partial marks, and the graded notebook shows our one-line diagnosis of each.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbgrader")
from nbgrader.api import Gradebook  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "notebooks" / "03_exercises.ipynb"
NOTEBOOK = SOLUTION.name

_spec = importlib.util.spec_from_file_location("make_student", ROOT / "tools" / "make_student.py")
make_student = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_student)
ASSIGNMENT = make_student.ASSIGNMENT

POINTS = {  # grade_id of each check cell → its points
    "log_gaussian_density_check": 2,
    "responsibilities_check": 2,
    "effective_counts_check": 1,
    "mixing_weights_check": 1,
    "component_means_check": 1,
    "component_covariances_check": 2,
    "log_likelihood_check": 1,
}
# Two classic mistakes, each replacing the return line of a solution.
MISTAKES = {
    "mixing_weights": ("return nk / n_samples", "return nk / len(nk)"),
    "component_covariances": (
        "covariances[k] = (resp[:, k, None] * diff).T @ diff / nk[k]",
        "covariances[k] = (resp[:, k, None] * diff).T @ diff",
    ),
}
FEEDBACK = {
    "mixing_weights_check": "divided by K (the number of components) instead of N",
    "component_covariances_check": "forgot to divide by N_k",
}


def _nbgrader(course: Path, *args: str) -> None:
    command, env = make_student.nbgrader_command(*args, f"--CourseDirectory.root={course}")
    # the kernels that autograde starts import this checkout's gmmlearn
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    done = subprocess.run(command, cwd=course, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def _submit(course: Path, student: str, notebook: nbformat.NotebookNode) -> None:
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / NOTEBOOK)


def _with_mistakes(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    notebook = nbformat.from_dict(solution)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in MISTAKES:
            right, wrong = MISTAKES[grade_id]
            assert right in cell.source, grade_id
            cell.source = cell.source.replace(right, wrong)
        cell.outputs = [] if cell.cell_type == "code" else cell.get("outputs")
    return notebook


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(SOLUTION, course / "source" / ASSIGNMENT / NOTEBOOK)
    _nbgrader(course, "generate_assignment", ASSIGNMENT)
    released = nbformat.read(course / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    solution = nbformat.read(SOLUTION, as_version=4)
    _submit(course, "model", solution)
    _submit(course, "blank", released)
    _submit(course, "two_mistakes", _with_mistakes(solution))
    _nbgrader(course, "autograde", ASSIGNMENT)
    return course


def _scores(course: Path, student: str) -> dict[str, float]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission_notebook(NOTEBOOK[:-6], ASSIGNMENT, student)
        return {grade.name: grade.score for grade in submission.grades}


def _graded(course: Path, student: str) -> nbformat.NotebookNode:
    return nbformat.read(course / "autograded" / student / ASSIGNMENT / NOTEBOOK, as_version=4)


def _check_cells(notebook):
    return {
        c.metadata["nbgrader"]["grade_id"]: c
        for c in notebook.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    }


@pytest.mark.slow
def test_the_model_solution_gets_full_marks(course):
    assert _scores(course, "model") == POINTS
    for cell in _check_cells(_graded(course, "model")).values():
        # a check prints its ✔ line and returns None: no number for nbgrader to read as credit
        assert [o.output_type for o in cell.outputs] == ["stream"], cell.source
        assert cell.outputs[0].text.startswith("✔ ")


@pytest.mark.slow
def test_the_released_student_version_gets_zero(course):
    assert _scores(course, "blank") == dict.fromkeys(POINTS, 0.0)
    for grade_id, cell in _check_cells(_graded(course, "blank")).items():
        (error,) = [o for o in cell.outputs if o.output_type == "error"]
        assert "not implemented yet" in error.evalue, grade_id


@pytest.mark.slow
def test_two_classic_mistakes_get_partial_marks_and_our_feedback(course):
    scores = _scores(course, "two_mistakes")
    assert scores == {**POINTS, **dict.fromkeys(FEEDBACK, 0.0)}
    assert 0 < sum(scores.values()) == sum(POINTS.values()) - 3
    cells = _check_cells(_graded(course, "two_mistakes"))
    for grade_id, words in FEEDBACK.items():
        (error,) = [o for o in cells[grade_id].outputs if o.output_type == "error"]
        # the graded notebook shows the one-line diagnosis, not a traceback into gmmlearn
        shown = "\n".join(re.sub(r"\x1b\[[0-9;]*m", "", line) for line in error.traceback)
        assert words in shown and "gmmlearn/exercises/" not in shown, shown
        assert len(shown.splitlines()) <= 2, shown
