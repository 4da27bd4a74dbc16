"""Autograde an assignment with a canary: the teacher's own solution graded alongside the students.

Usage (in the course folder, the one with ``source/`` and ``submitted/``)::

    python /path/to/gmmlearn/tools/grade.py lesson3

runs ``nbgrader autograde lesson3`` with the source notebook submitted as student ``canary``.
The solution must get full marks: if it does not — gmmlearn is not importable in the grading
kernel, a checker changed, the source's solutions are wrong — every student's grade from this run
is wrong too, so the tool says why in a banner and exits 1 (nbgrader itself exits 0 then). When
the canary gets full marks it is removed again (gradebook and folders), so ``nbgrader export``
lists only the students.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_student import nbgrader_command  # noqa: E402 (tools/ is not a package)

CANARY = "canary"

__all__ = ["CANARY", "CanaryError", "grade"]


class CanaryError(RuntimeError):
    """The teacher's solution did not get full marks: this run's grades cannot be trusted."""


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    command, env = nbgrader_command(*args, f"--CourseDirectory.root={course}")
    return subprocess.run(command, cwd=course, env=env, capture_output=True, text=True)


def _canary_scores(course: Path, assignment: str) -> dict[str, tuple[float, float]]:
    """Per notebook of the canary's submission: (score, max score) from the gradebook."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for notebook in gradebook.find_submission(assignment, CANARY).notebooks:
            scores[notebook.name] = (notebook.score, notebook.max_score)
    return scores


def _why(course: Path, assignment: str) -> str:
    """The likeliest cause, read from the canary's graded notebooks."""
    graded = course / "autograded" / CANARY / assignment
    text = "".join(p.read_text() for p in graded.glob("*.ipynb")) if graded.is_dir() else ""
    if "No module named 'gmmlearn'" in text or "ModuleNotFoundError" in text:
        return (
            "gmmlearn is not importable in the grading kernel: run nbgrader from the environment "
            "where gmmlearn is installed (activate it), or pip install gmmlearn there"
        )
    if "ImportError" in text:
        return "importing gmmlearn failed in the grading kernel (see the notebook): reinstall it"
    return "the source's solutions fail a check (see the notebook): fix source/ and regenerate"


def grade(course: Path, assignment: str) -> dict[str, tuple[float, float]]:
    """Autograde ``assignment`` in ``course`` with the canary; return the canary's scores.

    Raises
    ------
    CanaryError
        If nbgrader fails or the canary does not get full marks; the canary's graded notebook
        is left in ``autograded/canary/`` to read.
    """
    # nbgrader's gradebook calls `alembic` by name: this Python's scripts first on PATH
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    source = course / "source" / assignment
    if not any(source.glob("*.ipynb")):
        raise CanaryError(f"no notebook in {source}: put the assignment's source there first")
    submitted = course / "submitted" / CANARY / assignment
    shutil.rmtree(submitted, ignore_errors=True)
    shutil.copytree(source, submitted)
    done = _nbgrader(course, "autograde", assignment, "--force")
    if done.returncode != 0:
        raise CanaryError(f"nbgrader autograde {assignment} failed: {done.stderr.strip()[-500:]}")
    scores = _canary_scores(course, assignment)
    short = {name: s for name, s in scores.items() if s[0] < s[1]}
    if short or not scores:
        got = ", ".join(f"{name} {s[0]:g}/{s[1]:g}" for name, s in (short or scores).items())
        raise CanaryError(
            f"the teacher's solution of {assignment} got {got or 'no grade'}: "
            f"{_why(course, assignment)} — no grade of this run can be trusted "
            f"(read autograded/{CANARY}/{assignment}/)"
        )
    shutil.rmtree(submitted.parent, ignore_errors=True)
    shutil.rmtree(course / "autograded" / CANARY, ignore_errors=True)
    _nbgrader(course, "db", "student", "remove", CANARY, "--force")
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", help="e.g. lesson3")
    parser.add_argument("--course", type=Path, default=Path.cwd(), help="default: this folder")
    args = parser.parse_args(argv)
    try:
        scores = grade(args.course.resolve(), args.assignment)
    except CanaryError as exc:
        bar = "!" * 78
        print(f"{bar}\nGRADING FAILED — {exc}\n{bar}", file=sys.stderr)
        return 1
    total = sum(s[1] for s in scores.values())
    print(f"graded {args.assignment}; the canary (the teacher's solution) got {total:g}/{total:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
