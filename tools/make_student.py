"""Make the student version of an exercise notebook: nbgrader's own release, nothing else.

The solution notebook carries nbgrader's cell metadata (schema 3). This tool copies it into a
temporary course folder (``source/<assignment>/``), runs ``nbgrader generate_assignment`` there
and copies ``release/<assignment>/<notebook>`` to the destination: what the students get from
``make student`` is byte for byte what a teacher's nbgrader would release. nbgrader replaces each
``### BEGIN SOLUTION`` … ``### END SOLUTION`` block by ``raise NotImplementedError()``, clears
every output and locks the text and check cells.

Usage::

    python tools/make_student.py [SOURCE] [DESTINATION]

SOURCE defaults to ``notebooks/03_exercises.ipynb`` and DESTINATION to
``out/student/03_exercises.ipynb`` (``out/`` is not committed). nbgrader must be installed
(``pip install -e '.[classroom]'``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["ASSIGNMENT", "NbgraderError", "nbgrader_command", "release"]

ASSIGNMENT = "lesson3"

_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = _ROOT / "notebooks" / "03_exercises.ipynb"
DEFAULT_DESTINATION = _ROOT / "out" / "student" / "03_exercises.ipynb"


class NbgraderError(RuntimeError):
    """nbgrader refused the notebook or is missing; the message holds its own words."""


def nbgrader_command(*args: str) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that run this Python's nbgrader.

    nbgrader calls ``alembic`` (its database migrations) by name: the folder of this Python's
    scripts goes first on PATH so that it is found inside a virtual environment that is not
    activated.
    """
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return [sys.executable, "-m", "nbgrader", *args], env


def release(source: Path, destination: Path, assignment: str = ASSIGNMENT) -> Path:
    """Write nbgrader's student version of ``source`` to ``destination`` and return it.

    Raises
    ------
    NbgraderError
        If nbgrader is not installed or refuses the notebook (bad metadata, unbalanced markers).
    """
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
                "nbgrader generate_assignment failed: "
                + ("; ".join(errors[-3:]) or (words[-1] if words else f"exit {done.returncode}"))
            )
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(released, destination)
    return destination


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("destination", nargs="?", type=Path, default=DEFAULT_DESTINATION)
    args = parser.parse_args(argv)
    if not args.source.is_file():
        print(f"make_student: {args.source} does not exist: give the solution notebook's path")
        return 2
    if args.source.resolve() == args.destination.resolve():
        print("make_student: destination equals source: give another path (it would be lost)")
        return 2
    try:
        release(args.source, args.destination)
    except NbgraderError as exc:
        print(f"make_student: {args.source}: {exc}")
        return 1
    print(f"wrote {args.destination} (nbgrader's release of {args.source.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
