"""What a student is given opens the student versions: no solution is one click away.

The entry points a student is handed are ``make lab`` (the Makefile's ``FIRST_LESSON``), the
README's links into ``student/`` and the Binder badge. Each opens a notebook or a folder of
``student/``; a student then follows the lessons' next/previous links, so the whole folder counts.
``student/`` holds nbgrader's release of lessons 3, 6 and 7 (``tools/make_student.py``) and links
to the other lessons; a release older than its source fails here.
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

ROOT = Path(__file__).resolve().parents[2]
STUDENT = ROOT / "student"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"

_spec = importlib.util.spec_from_file_location("make_student", ROOT / "tools" / "make_student.py")
make_student = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_student)


def _readme() -> str:
    return (ROOT / "README.md").read_text()


def _binder_badge() -> re.Match:
    match = re.search(
        r"https://mybinder\.org/v2/gh/([\w-]+/[\w-]+)/([^?\s)]+)\?labpath=([^)\s]+)", _readme()
    )
    assert match, "the README has no Binder badge"
    return match


def entry_points() -> dict[str, Path]:
    """Every path a student is told to open, by where it is given."""
    makefile = (ROOT / "Makefile").read_text()
    points = {"make lab": ROOT / re.search(r"^FIRST_LESSON := (\S+)$", makefile, re.M)[1]}
    points["Binder badge"] = ROOT / _binder_badge()[3]
    for link in re.findall(r"\]\((student/[^)]*)\)", _readme()):
        points[f"README link {link}"] = ROOT / link
    return points


def _opened(path: Path) -> list[Path]:
    """The notebooks a student reaches from ``path``: its folder's (the lessons link each other)."""
    folder = path if path.is_dir() else path.parent
    return sorted(folder.glob("*.ipynb"))


def _solution_lines() -> set[str]:
    """Lines of the teachers' solutions that appear nowhere else in their notebooks' text."""
    lines: set[str] = set()
    for name in make_student.EXERCISE_LESSONS:
        notebook = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        outside = []
        for cell in notebook.cells:
            inside = False
            for line in cell.source.splitlines():
                if line.strip() in (BEGIN, END):
                    inside = line.strip() == BEGIN
                elif inside:
                    lines.add(line.strip())
                else:
                    outside.append(line.strip())
        # a line the text also shows (a hint quoting `diff = X - mean`) gives nothing away
        lines = {line for line in lines if line not in "\n".join(outside)}
    return {line for line in lines if len(line) >= 12 and not line.startswith("#")}


def test_the_entry_points_are_the_student_folder():
    points = entry_points()
    assert {"make lab", "Binder badge"} <= set(points)
    assert len([p for p in points if p.startswith("README link")]) >= 3
    for where, path in points.items():
        assert path.exists(), f"{where} opens {path}, which does not exist"
        assert STUDENT in (path, *path.parents), f"{where} opens {path}, not student/"


def test_no_entry_point_opens_a_solution():
    solutions = _solution_lines()
    assert len(solutions) > 20  # the teachers' solutions were found
    for where, path in entry_points().items():
        for notebook_path in _opened(path):
            notebook = nbformat.read(notebook_path, as_version=4)
            text = "\n".join(
                [cell.source for cell in notebook.cells]
                + [str(cell.get("outputs", "")) for cell in notebook.cells]
            )
            assert BEGIN not in text, f"{where}: {notebook_path.name} holds a solution block"
            leaked = sorted(line for line in solutions if line in text)
            assert not leaked, f"{where}: {notebook_path.name} shows solution lines {leaked[:3]}"


def test_student_folder_has_every_lesson():
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        copy = STUDENT / notebook.name
        assert copy.exists(), f"student/ lacks {notebook.name}: run make student"
        if notebook.name in make_student.EXERCISE_LESSONS:
            assert not copy.is_symlink()
        else:  # the same lesson, linked (relative, so it works in a clone and on Binder)
            assert copy.is_symlink() and not os.path.isabs(os.readlink(copy))
            assert copy.resolve() == notebook.resolve()


@pytest.mark.slow
@pytest.mark.parametrize("name", make_student.EXERCISE_LESSONS)
def test_student_version_is_nbgrader_release_of_the_current_source(name, tmp_path):
    fresh = make_student.release(ROOT / "notebooks" / name, tmp_path / name)
    assert fresh.read_bytes() == (STUDENT / name).read_bytes(), (
        f"student/{name} is stale (its source changed): run `make student` and commit student/"
    )


def test_binder_badge_is_pinned_to_a_commit_of_this_history():
    """A fixed commit, not a branch, a tag nobody pushed, or HEAD: a push does not rebuild the
    image a class is using. The classroom guide's links and install line name the same commit."""
    ref = _binder_badge()[2]
    assert re.fullmatch(r"[0-9a-f]{40}", ref), f"the Binder badge builds {ref!r}: pin a commit id"
    guide = (ROOT / "docs" / "classroom-nbgrader.md").read_text()
    pins = set(re.findall(r"gmmlearn/gmmlearn/([^?\s)']+)\?labpath=", guide))
    pins |= set(re.findall(r"git\+https://github\.com/gmmlearn/gmmlearn@([^'\s]+)", guide))
    assert pins == {ref}, f"docs/classroom-nbgrader.md pins {sorted(pins)}, the README {ref}"
    git = ["git", "-C", str(ROOT)]
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("no git history here to look the commit up in")
    shallow = subprocess.run([*git, "rev-parse", "--is-shallow-repository"], capture_output=True)
    if shallow.stdout.strip() == b"true":
        pytest.skip("a shallow clone: the pinned commit may be older than its history")
    known = subprocess.run([*git, "merge-base", "--is-ancestor", ref, "HEAD"], capture_output=True)
    assert known.returncode == 0, f"the Binder badge's commit {ref} is not in this history"


def test_lesson_3_intro_matches_what_students_open():
    """The intro tells students to replace `raise NotImplementedError`: their version has it."""
    student = nbformat.read(STUDENT / "03_exercises.ipynb", as_version=4)
    intro = student.cells[0].source
    assert "replace `raise NotImplementedError" in intro
    stubs = [c for c in student.cells if "raise NotImplementedError()" in c.source]
    assert len(stubs) == 7 and all(c.cell_type == "code" for c in stubs)
