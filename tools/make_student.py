"""Make the student versions of the exercise lessons: nbgrader's own release, nothing else.

Lessons 3, 6 and 7 are nbgrader source notebooks (cell metadata schema 3, points): this tool
copies one into a temporary course folder (``source/<assignment>/``), runs ``nbgrader
generate_assignment`` there and copies ``release/<assignment>/<notebook>`` to the destination:
what students get is byte for byte what a teacher's nbgrader would release. nbgrader replaces
each ``### BEGIN SOLUTION`` … ``### END SOLUTION`` block by ``raise NotImplementedError()``,
clears every output and locks the text and check cells.

Usage::

    python tools/make_student.py                 # all three → student/ (committed)
    python tools/make_student.py SOURCE DESTINATION

The assignment is named after the lesson's number: ``06_why_em_climbs.ipynb`` is ``lesson6``.
``student/`` also holds links to the lessons without exercises, so a student meets the whole
course there (the teacher's sources stay in ``notebooks/``). nbgrader must be installed
(``pip install -e '.[classroom]'``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = [
    "EXERCISE_LESSONS",
    "NbgraderError",
    "assignment_for",
    "nbgrader_command",
    "release",
    "release_all",
]

_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = _ROOT / "notebooks"
STUDENT = _ROOT / "student"
# the lessons whose exercises are graded: their student version is nbgrader's release
EXERCISE_LESSONS = ("03_exercises.ipynb", "06_why_em_climbs.ipynb", "07_variational_bayes.ipynb")
ASSIGNMENT = "lesson3"  # lesson 3's assignment, the first one (kept for older callers)


class NbgraderError(RuntimeError):
    """nbgrader refused the notebook or is missing; the message holds its own words."""


def assignment_for(source: Path) -> str:
    """The assignment of a lesson notebook: ``lesson6`` for ``06_why_em_climbs.ipynb``.

    Raises
    ------
    ValueError
        If the notebook's name does not start with the lesson's number.
    """
    match = re.match(r"(\d+)_", source.name)
    if match is None:
        raise ValueError(
            f"{source.name}: cannot tell its lesson — name the notebook NN_title.ipynb "
            "(e.g. 06_why_em_climbs.ipynb is assignment lesson6)"
        )
    return f"lesson{int(match[1])}"


def nbgrader_command(*args: str) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that run this Python's nbgrader.

    nbgrader calls ``alembic`` (its database migrations) by name: the folder of this Python's
    scripts goes first on PATH so that it is found inside a virtual environment that is not
    activated.
    """
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return [sys.executable, "-m", "nbgrader", *args], env


def release(source: Path, destination: Path, assignment: str | None = None) -> Path:
    """Write nbgrader's student version of ``source`` to ``destination`` and return it.

    ``assignment`` defaults to :func:`assignment_for` ``(source)``.

    Raises
    ------
    NbgraderError
        If nbgrader is not installed or refuses the notebook (bad metadata, unbalanced markers);
        the message names the assignment.
    """
    assignment = assignment or assignment_for(source)
    with tempfile.TemporaryDirectory(prefix="gmmlearn-course-") as tmp:
        course = Path(tmp)
        (course / "source" / assignment).mkdir(parents=True)
        shutil.copy(source, course / "source" / assignment / source.name)
        command, env = nbgrader_command(
            "generate_assignment", assignment, "--no-db", f"--CourseDirectory.root={course}"
        )
        # cwd=course: no nbgrader_config.py of the caller's folder changes what is released
        done = subprocess.run(command, cwd=course, env=env, capture_output=True, text=True)
        released = course / "release" / assignment / source.name
        if done.returncode != 0 or not released.is_file():
            words = (done.stderr or done.stdout).strip().splitlines()
            errors = [line for line in words if "ERROR" in line or "Error" in line]
            raise NbgraderError(
                f"nbgrader generate_assignment {assignment} failed: "
                + ("; ".join(errors[-3:]) or (words[-1] if words else f"exit {done.returncode}"))
            )
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(released, destination)
    return destination


def _link_lessons_without_exercises(folder: Path) -> None:
    """Relative links to the other lessons: their next/previous links work inside ``folder``."""
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        if notebook.name in EXERCISE_LESSONS:
            continue
        link = folder / notebook.name
        target = Path(os.path.relpath(notebook, folder))
        if link.is_symlink() and Path(os.readlink(link)) == target:
            continue
        link.unlink(missing_ok=True)
        link.symlink_to(target)


def release_all(folder: Path = STUDENT) -> list[Path]:
    """Release every exercise lesson into ``folder`` and link the other lessons beside them."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [release(NOTEBOOKS / name, folder / name) for name in EXERCISE_LESSONS]
    _link_lessons_without_exercises(folder)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, help="one lesson (default: all three)")
    parser.add_argument("destination", nargs="?", type=Path)
    args = parser.parse_args(argv)
    if args.source is None:
        try:
            written = release_all()
        except NbgraderError as exc:
            print(f"make_student: {exc}")
            return 1
        print(f"wrote {', '.join(str(p.relative_to(_ROOT)) for p in written)} (nbgrader's release)")
        return 0
    if args.destination is None:
        print("make_student: give the destination too: make_student.py SOURCE DESTINATION")
        return 2
    if not args.source.is_file():
        print(f"make_student: {args.source} does not exist: give the solution notebook's path")
        return 2
    if args.source.resolve() == args.destination.resolve():
        print("make_student: destination equals source: give another path (it would be lost)")
        return 2
    try:
        release(args.source, args.destination)
    except (NbgraderError, ValueError) as exc:
        print(f"make_student: {args.source}: {exc}")
        return 1
    print(f"wrote {args.destination} (nbgrader's release of {args.source.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
