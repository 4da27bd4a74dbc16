"""Make the student version of an exercise notebook: solutions out, outputs cleared.

Every block of lines from ``### BEGIN SOLUTION`` to ``### END SOLUTION`` (nbgrader's markers) in a
code cell is replaced by ``raise NotImplementedError(...)`` at the same indentation, and every
output and execution count is cleared, so that the student starts from a clean notebook.

Usage::

    python tools/make_student.py [SOURCE] [DESTINATION]

SOURCE defaults to ``notebooks/03_exercises.ipynb`` and DESTINATION to
``out/student/03_exercises.ipynb`` (``out/`` is not committed).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

__all__ = ["BEGIN", "END", "STUB", "make_student", "strip_solutions"]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB = 'raise NotImplementedError("write your solution here, then run the check below")'

_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = _ROOT / "notebooks" / "03_exercises.ipynb"
DEFAULT_DESTINATION = _ROOT / "out" / "student" / "03_exercises.ipynb"

_BEGIN_RE = re.compile(r"^(?P<indent>[ \t]*)" + re.escape(BEGIN) + r"\s*$")
_END_RE = re.compile(r"^[ \t]*" + re.escape(END) + r"\s*$")


def strip_solutions(source: str) -> str:
    """Replace each BEGIN/END SOLUTION block of a cell's source by a NotImplementedError stub.

    Raises
    ------
    ValueError
        If the markers are unbalanced (a BEGIN without its END, an END without a BEGIN, or nested).
    """
    out: list[str] = []
    inside = False
    for number, line in enumerate(source.splitlines(), start=1):
        begin = _BEGIN_RE.match(line)
        if begin:
            if inside:
                raise ValueError(f"line {number}: nested {BEGIN!r}: close the first block")
            inside = True
            out.append(begin["indent"] + STUB)
        elif _END_RE.match(line):
            if not inside:
                raise ValueError(f"line {number}: {END!r} without a {BEGIN!r} before it")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{BEGIN!r} without a matching {END!r}: add the END marker")
    return "\n".join(out)


def make_student(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``notebook`` with solutions stubbed out and all outputs cleared."""
    student = nbformat.from_dict(notebook)
    for cell in student.cells:
        if cell.cell_type != "code":
            continue
        cell.source = strip_solutions(cell.source)
        cell.outputs = []
        cell.execution_count = None
    return student


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
        student = make_student(nbformat.read(args.source, as_version=4))
    except ValueError as exc:
        print(f"make_student: {args.source}: {exc}")
        return 1
    args.destination.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(student, args.destination)
    n_stubs = sum(c.source.count(STUB) for c in student.cells if c.cell_type == "code")
    print(f"wrote {args.destination} ({n_stubs} solutions replaced by stubs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
