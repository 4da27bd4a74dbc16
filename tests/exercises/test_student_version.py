"""The exercise notebook both ways: the solutions pass every check, every stub fails helpfully.

The student version is nbgrader's own release (``tools/make_student.py`` runs
``nbgrader generate_assignment``); the whole grading pipeline is in ``test_nbgrader.py``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
from pathlib import Path

import matplotlib
import nbformat
import pytest

from gmmlearn.exercises import ExerciseError

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "notebooks" / "03_exercises.ipynb"
EXERCISES = (
    "log_gaussian_density",
    "responsibilities",
    "effective_counts",
    "mixing_weights",
    "component_means",
    "component_covariances",
    "log_likelihood",
)


def _load_tool():
    spec = importlib.util.spec_from_file_location(
        "make_student", ROOT / "tools" / "make_student.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_student = _load_tool()


@pytest.fixture(scope="module")
def solution():
    return nbformat.read(SOLUTION, as_version=4)


STUB = "# YOUR CODE HERE\nraise NotImplementedError()"  # nbgrader's own stub
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    destination = tmp_path_factory.mktemp("student") / "03_exercises.ipynb"
    return nbformat.read(make_student.release(SOLUTION, destination), as_version=4)


def _code(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code"]


# A check cell imports its checker afresh, then calls it: its last line is the call.
# a check cell: a comment saying why it imports its checker, the import, then the one call
CHECK = re.compile(
    r"(?:#[^\n]*\n)?from gmmlearn\.exercises import (check_\w+)[^\n]*\n\n(\1)\((\w+)\)"
)


def _check_of(source: str) -> str | None:
    """The name of the function a check cell checks, or None for any other cell."""
    match = CHECK.fullmatch(source.strip())
    return match[3] if match else None


def _run(source: str, namespace: dict) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<cell>", "exec"), namespace)
    return out.getvalue()


# ---------------------------------------------------------------------------
# The solution notebook
# ---------------------------------------------------------------------------


def test_every_exercise_has_one_solution_block_and_a_check(solution):
    sources = [cell.source for cell in _code(solution)]
    assert sum(s.count(BEGIN) for s in sources) == len(EXERCISES)
    assert sum(s.count(END) for s in sources) == len(EXERCISES)
    for name in EXERCISES:
        assert any(s.startswith(f"def {name}(") and BEGIN in s for s in sources), name
        assert any(_check_of(s) == name for s in sources), name


def test_solution_passes_every_check(solution):
    namespace: dict = {}
    printed = "".join(_run(cell.source, namespace) for cell in _code(solution))
    for name in EXERCISES:
        assert f"✔ {name}: correct on 5 random problems" in printed
    assert "same log-likelihoods: True" in printed
    assert "same final means:     True" in printed


# ---------------------------------------------------------------------------
# The student version
# ---------------------------------------------------------------------------


def test_student_version_has_stubs_and_no_solutions(solution, student):
    assert len(student.cells) == len(solution.cells)
    for before, after in zip(solution.cells, student.cells):
        if before.cell_type == "markdown":
            assert after.source == before.source
            continue
        assert after.outputs == [] and after.execution_count is None
        assert BEGIN not in after.source and END not in after.source
    stubs = [c.source for c in _code(student) if "raise NotImplementedError()" in c.source]
    assert len(stubs) == len(EXERCISES)
    # the body is gone, the signature and the indentation of the stub stay
    responsibilities = next(s for s in stubs if s.startswith("def responsibilities("))
    assert responsibilities == (
        "def responsibilities(X, weights, means, covariances):\n    " + STUB.replace("\n", "\n    ")
    )
    assert all("logsumexp(log_joint" not in c.source for c in _code(student))


def test_student_version_does_not_say_it_is_the_solution(student):
    text = "".join(cell.source for cell in student.cells).lower()
    assert "solution version" not in text and "for teachers" not in text


def test_every_cell_carries_valid_nbgrader_metadata(solution, student):
    ids = [c.metadata["nbgrader"]["grade_id"] for c in solution.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[a-zA-Z0-9_-]+", i) for i in ids)
    for cell in solution.cells:
        meta = cell.metadata.get("nbgrader")
        if cell.cell_type == "code" and _check_of(cell.source):
            assert meta["grade"] and meta["locked"] and meta["points"] > 0, cell.source
        if BEGIN in cell.source:
            assert meta["solution"] and not meta["grade"] and not meta["locked"], cell.source
    # nbgrader locks the checks in what students get
    checks = [c for c in _code(student) if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(checks) == len(EXERCISES)
    assert all(c.metadata["deletable"] is False and c.metadata["editable"] is False for c in checks)


def test_solution_notebook_is_left_untouched(solution, student):
    assert BEGIN in "".join(c.source for c in _code(solution))
    assert any(c.outputs for c in _code(solution))


def test_each_stub_fails_with_a_helpful_message(student):
    namespace: dict = {}
    messages = {}
    for cell in _code(student):
        try:
            _run(cell.source, namespace)
        except ExerciseError as error:
            name = _check_of(cell.source)
            messages[name] = str(error)
        except NotImplementedError:
            assert "responsibilities(" in cell.source  # the "put it together" cell
        else:
            assert not _check_of(cell.source), cell.source
    assert set(messages) == set(EXERCISES)
    for name, message in messages.items():
        assert message.startswith(f"{name}: not implemented yet — write the body of `{name}`")


def test_a_wrong_student_answer_gets_a_diagnosis(student):
    namespace: dict = {}
    for cell in _code(student)[:3]:  # imports, exercise 1, its check
        with contextlib.suppress(ExerciseError):
            _run(cell.source, namespace)
    wrong = "def log_gaussian_density(X, mean, covariance):\n    return np.zeros(len(X))\n"
    _run(wrong, namespace)
    with pytest.raises(ExerciseError, match=r"log_gaussian_density: wrong values .* expected"):
        _run("check_log_gaussian_density(log_gaussian_density)", namespace)


# ---------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------


def test_command_line_writes_the_student_notebook(tmp_path, capsys):
    destination = tmp_path / "student" / "03_exercises.ipynb"
    assert make_student.main([str(SOLUTION), str(destination)]) == 0
    assert "nbgrader's release of 03_exercises.ipynb" in capsys.readouterr().out
    written = nbformat.read(destination, as_version=4)
    nbformat.validate(written)
    assert sum("raise NotImplementedError()" in c.source for c in _code(written)) == len(EXERCISES)


@pytest.mark.parametrize(
    ("name", "assignment"),
    [("03_exercises.ipynb", "lesson3"), ("07_variational_bayes.ipynb", "lesson7")],
)
def test_command_line_reports_nbgrader_refusing_a_notebook(name, assignment, tmp_path, capsys):
    broken = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    cell = next(c for c in broken.cells if BEGIN in c.source)
    cell.source = cell.source.replace(END, "")  # a BEGIN without its END
    nbformat.write(broken, tmp_path / name)
    assert make_student.main([str(tmp_path / name), str(tmp_path / "out.ipynb")]) == 1
    # the error names this notebook's assignment, not lesson 3's
    assert f"nbgrader generate_assignment {assignment} failed" in capsys.readouterr().out
    assert not (tmp_path / "out.ipynb").exists()


def test_command_line_refuses_a_notebook_without_its_lesson_number(tmp_path, capsys):
    nbformat.write(nbformat.read(SOLUTION, as_version=4), tmp_path / "exercises.ipynb")
    assert make_student.main([str(tmp_path / "exercises.ipynb"), str(tmp_path / "o.ipynb")]) == 1
    assert "name the notebook NN_title.ipynb" in capsys.readouterr().out


def test_command_line_refuses_a_missing_source_and_overwriting_it(tmp_path, capsys):
    assert make_student.main([str(tmp_path / "nope.ipynb"), str(tmp_path / "out.ipynb")]) == 2
    assert "does not exist" in capsys.readouterr().out
    assert make_student.main([str(SOLUTION), str(SOLUTION)]) == 2
    assert "destination equals source" in capsys.readouterr().out
