"""nbgrader's real pipeline on lessons 3, 6 and 7, unchanged: generate_assignment, autograde.

One temporary course folder holds the three assignments. Each is released by
``nbgrader generate_assignment`` and four students hand it in:

* ``perfect``: the solution notebook itself — full marks;
* ``blank``: the released student version, untouched — zero;
* ``mistake``: the solutions with classic mistakes — partial marks, each mistake named;
* ``loop_raise``: an endless loop in the first exercise and an exception in another — the
  feedback says "an endless loop?" (our time limit, well inside nbgrader's 30 s cell timeout)
  and names the exception.

They are graded by ``tools/grade.py`` (``nbgrader autograde`` with the teacher's solution as a
canary); its loud failure when the canary does not get full marks is tested at the end.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbgrader")
from nbgrader.api import Gradebook  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("make_student", ROOT / "tools" / "make_student.py")
make_student = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_student)

SOLUTION_START = "    ### BEGIN SOLUTION\n"
LOOP = SOLUTION_START + "    while True:\n        pass\n"
RAISE = SOLUTION_START + "    nothing = [][0]\n"
LESSONS = {
    "lesson3": {
        "notebook": "03_exercises.ipynb",
        "points": {
            "log_gaussian_density_check": 2,
            "responsibilities_check": 2,
            "effective_counts_check": 1,
            "mixing_weights_check": 1,
            "component_means_check": 1,
            "component_covariances_check": 2,
            "log_likelihood_check": 1,
        },
        # grade_id of the answer cell → (right line, wrong line), and the feedback it gets
        "mistakes": {
            "mixing_weights": ("return nk / n_samples", "return nk / len(nk)"),
            "component_covariances": (
                "covariances[k] = (resp[:, k, None] * diff).T @ diff / nk[k]",
                "covariances[k] = (resp[:, k, None] * diff).T @ diff",
            ),
        },
        "feedback": {
            "mixing_weights_check": "divided by K (the number of components) instead of N",
            "component_covariances_check": "forgot to divide by N_k",
        },
        "loop": "log_gaussian_density",  # exercises 2 and 7 call it: their checks say so
        "loop_costs": ("responsibilities_check", "log_likelihood_check"),
        "raise": "mixing_weights",
        "grades": {"perfect": 10, "blank": 0, "mistake": 7, "loop_raise": 4},
    },
    "lesson6": {
        "notebook": "06_why_em_climbs.ipynb",
        "points": {"lower_bound_check": 2, "kl_to_posterior_check": 2},
        "mistakes": {"lower_bound": (" - xlogy(q, q)))", "))")},
        "feedback": {"lower_bound_check": "the expected complete-data log-likelihood Q"},
        "loop": "lower_bound",
        "loop_costs": (),
        "raise": "kl_to_posterior",
        "grades": {"perfect": 4, "blank": 0, "mistake": 2, "loop_raise": 0},
    },
    "lesson7": {
        "notebook": "07_variational_bayes.ipynb",
        "points": {"expected_log_pi_check": 1, "W_inverse_check": 2},
        "mistakes": {
            "expected_log_pi": (
                "return digamma(alpha) - digamma(np.sum(alpha))",
                "return np.log(alpha / np.sum(alpha))",
            )
        },
        "feedback": {"expected_log_pi_check": "this is ln E[π_k] = ln(α_k / α̂)"},
        "loop": "expected_log_pi",
        "loop_costs": (),
        "raise": "W_inverse",
        "grades": {"perfect": 3, "blank": 0, "mistake": 2, "loop_raise": 0},
    },
}
LOOP_WORDS = (
    r"did not return within 5 s on (a 7-point problem|a problem with K=\d+.*) — an endless loop\?"
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # the kernels that autograde starts import this checkout's gmmlearn
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return env


def _nbgrader(course: Path, *args: str) -> None:
    command, env = make_student.nbgrader_command(*args, f"--CourseDirectory.root={course}")
    env.update({k: v for k, v in _env().items() if k != "PATH"})
    done = subprocess.run(command, cwd=course, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def _grade(course: Path, assignment: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """tools/grade.py: autograde with the canary, as a teacher runs it."""
    command = [sys.executable, str(ROOT / "tools" / "grade.py"), assignment]
    return subprocess.run(
        command, cwd=course, env=env or _env(), capture_output=True, text=True, timeout=900
    )


def _edited(solution, replacements: dict[str, tuple[str, str]]) -> nbformat.NotebookNode:
    """The solution with ``replacements`` (grade_id → (old, new)) made, outputs cleared."""
    notebook = nbformat.from_dict(solution)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in replacements:
            old, new = replacements[grade_id]
            assert old in cell.source, grade_id
            cell.source = cell.source.replace(old, new)
        if cell.cell_type == "code":
            cell.outputs = []
    return notebook


def _students(lesson: dict, solution, released) -> dict[str, nbformat.NotebookNode]:
    return {
        "perfect": solution,
        "blank": released,
        "mistake": _edited(solution, lesson["mistakes"]),
        "loop_raise": _edited(
            solution,
            {lesson["loop"]: (SOLUTION_START, LOOP), lesson["raise"]: (SOLUTION_START, RAISE)},
        ),
    }


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    for assignment, lesson in LESSONS.items():
        name = lesson["notebook"]
        (course / "source" / assignment).mkdir(parents=True)
        shutil.copy(ROOT / "notebooks" / name, course / "source" / assignment / name)
        _nbgrader(course, "generate_assignment", assignment)
        released = nbformat.read(course / "release" / assignment / name, as_version=4)
        solution = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        for student, notebook in _students(lesson, solution, released).items():
            folder = course / "submitted" / student / assignment
            folder.mkdir(parents=True)
            nbformat.write(notebook, folder / name)
        done = _grade(course, assignment)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "the canary (the teacher's solution) got" in done.stdout
    return course


def _scores(course: Path, assignment: str, student: str) -> dict[str, float]:
    name = LESSONS[assignment]["notebook"][:-6]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission_notebook(name, assignment, student)
        return {grade.name: grade.score for grade in submission.grades}


def _check_cells(course: Path, assignment: str, student: str):
    name = LESSONS[assignment]["notebook"]
    notebook = nbformat.read(course / "autograded" / student / assignment / name, as_version=4)
    return {
        c.metadata["nbgrader"]["grade_id"]: c
        for c in notebook.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    }


def _shown(cell) -> str:
    """What the graded notebook shows of a check cell's error, colour codes removed."""
    (error,) = [o for o in cell.outputs if o.output_type == "error"]
    return "\n".join(re.sub(r"\x1b\[[0-9;]*m", "", line) for line in error.traceback)


@pytest.mark.slow
@pytest.mark.parametrize("assignment", LESSONS)
def test_the_four_students_get_their_grades(course, assignment):
    lesson = LESSONS[assignment]
    grades = {s: sum(_scores(course, assignment, s).values()) for s in lesson["grades"]}
    assert grades == lesson["grades"]
    assert _scores(course, assignment, "perfect") == lesson["points"]


@pytest.mark.slow
@pytest.mark.parametrize("assignment", LESSONS)
def test_the_perfect_student_sees_only_ticks(course, assignment):
    for cell in _check_cells(course, assignment, "perfect").values():
        # a check prints its ✔ line and returns None: no number for nbgrader to read as credit
        assert [o.output_type for o in cell.outputs] == ["stream"], cell.source
        assert cell.outputs[0].text.startswith("✔ ")


@pytest.mark.slow
@pytest.mark.parametrize("assignment", LESSONS)
def test_the_blank_student_is_told_what_to_write(course, assignment):
    for grade_id, cell in _check_cells(course, assignment, "blank").items():
        assert "not implemented yet" in _shown(cell), grade_id


@pytest.mark.slow
@pytest.mark.parametrize("assignment", LESSONS)
def test_each_classic_mistake_is_named_in_one_message(course, assignment):
    cells = _check_cells(course, assignment, "mistake")
    for grade_id, words in LESSONS[assignment]["feedback"].items():
        shown = _shown(cells[grade_id])
        # the graded notebook shows the diagnosis, not a traceback into gmmlearn
        assert words in shown and "gmmlearn/exercises" not in shown, shown
        assert shown.startswith("ExerciseError: "), shown


@pytest.mark.slow
@pytest.mark.parametrize("assignment", LESSONS)
def test_an_endless_loop_and_an_exception_are_named(course, assignment):
    lesson = LESSONS[assignment]
    cells = _check_cells(course, assignment, "loop_raise")
    loop = _shown(cells[f"{lesson['loop']}_check"])
    assert re.search(LOOP_WORDS, loop), loop
    for grade_id in lesson["loop_costs"]:  # they call the looping exercise: one limit, said so
        assert re.search(LOOP_WORDS, _shown(cells[grade_id])), grade_id
    raised = _shown(cells[f"{lesson['raise']}_check"])
    assert "your function raised IndexError: list index out of range" in raised, raised
    for grade_id, cell in cells.items():  # no check cell ran into nbgrader's own timeout
        text = str(cell.outputs)
        assert "CellTimeoutError" not in text and "KeyboardInterrupt" not in text, grade_id


@pytest.mark.slow
def test_the_canary_is_removed_after_full_marks(course):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        assert "canary" not in {s.id for s in gradebook.students}
    assert not (course / "submitted" / "canary").exists()


def _lesson3_course(tmp_path: Path, source) -> Path:
    (tmp_path / "source" / "lesson3").mkdir(parents=True)
    nbformat.write(source, tmp_path / "source" / "lesson3" / "03_exercises.ipynb")
    _nbgrader(tmp_path, "generate_assignment", "lesson3")
    return tmp_path


@pytest.mark.slow
def test_the_canary_fails_loudly_when_gmmlearn_is_not_importable(tmp_path):
    solution = nbformat.read(ROOT / "notebooks" / "03_exercises.ipynb", as_version=4)
    course = _lesson3_course(tmp_path / "course", solution)
    # a gmmlearn that cannot be imported shadows the real one in the grading kernel
    shadow = tmp_path / "shadow" / "gmmlearn"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'gmmlearn'\")\n"
    )
    env = _env()
    env["PYTHONPATH"] = str(shadow.parent)
    done = _grade(course, "lesson3", env)
    assert done.returncode == 1
    assert "GRADING FAILED — the teacher's solution of lesson3 got 03_exercises 0/10" in done.stderr
    assert "gmmlearn is not importable in the grading kernel" in done.stderr


@pytest.mark.slow
def test_the_canary_fails_loudly_when_the_solution_loses_points(tmp_path):
    solution = nbformat.read(ROOT / "notebooks" / "03_exercises.ipynb", as_version=4)
    wrong = _edited(solution, {"mixing_weights": ("return nk / n_samples", "return nk / len(nk)")})
    done = _grade(_lesson3_course(tmp_path, wrong), "lesson3")
    assert done.returncode == 1
    assert "got 03_exercises 9/10: the source's solutions fail a check" in done.stderr
