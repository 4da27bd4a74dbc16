"""The feedback page a student receives, in Chromium at 1280 px: the whole fix is visible.

A lesson-3 course folder grades one student (π_k divided by K; an exception in exercise 5, whose
message lists every shape: the longest line a check writes) and ``nbgrader generate_feedback``
writes the page with gmmlearn's template (``gmmlearn.exercises.feedback``). With nbgrader's own
template the messages sit behind a horizontal scrollbar and the index says "Test cell" seven
times; here every message wraps inside the page and each graded cell is named.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbgrader")
pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
_spec = importlib.util.spec_from_file_location("make_student", ROOT / "tools" / "make_student.py")
make_student = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_student)

NOTEBOOK = "03_exercises.ipynb"
MISTAKES = {
    "mixing_weights": ("return nk / n_samples", "return nk / len(nk)"),
    "component_means": (
        "    ### BEGIN SOLUTION\n",
        "    ### BEGIN SOLUTION\n    nothing = [][0]\n",
    ),
}
CONFIG = """c = get_config()
c.CourseDirectory.course_id = "em-course"

from gmmlearn.exercises.feedback import use_gmmlearn_feedback

use_gmmlearn_feedback(c)
"""


def _nbgrader(course: Path, *args: str) -> None:
    command, env = make_student.nbgrader_command(*args)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(command, cwd=course, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def feedback(tmp_path_factory) -> Path:
    course = tmp_path_factory.mktemp("course")
    (course / "nbgrader_config.py").write_text(CONFIG)
    (course / "source" / "lesson3").mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, course / "source" / "lesson3" / NOTEBOOK)
    _nbgrader(course, "generate_assignment", "lesson3")
    student = nbformat.read(ROOT / "notebooks" / NOTEBOOK, as_version=4)
    for cell in student.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in MISTAKES:
            cell.source = cell.source.replace(*MISTAKES[grade_id])
    (course / "submitted" / "alice" / "lesson3").mkdir(parents=True)
    nbformat.write(student, course / "submitted" / "alice" / "lesson3" / NOTEBOOK)
    _nbgrader(course, "autograde", "lesson3")
    _nbgrader(course, "generate_feedback", "lesson3")
    return course / "feedback" / "alice" / "lesson3" / "03_exercises.html"


def test_the_index_names_every_graded_cell(feedback):
    html = feedback.read_text()
    assert "Test cell" not in html
    for name in ("log_gaussian_density", "responsibilities", "mixing_weights", "log_likelihood"):
        assert f"Check of <code>{name}</code>" in html


@pytest.mark.e2e
@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_every_message_wraps_inside_the_page(feedback, size, browser_context):
    """In the session's Chromium (a second sync_playwright in one thread would fail)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page = browser_context.new_page()
    try:
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page.goto(feedback.as_uri())  # MathJax is on a CDN: blocked, the messages need none
        errors = page.locator(".output_error pre")
        assert errors.count() >= 2  # the two checks (and the "put it together" cell)
        for i in range(errors.count()):
            error = errors.nth(i)
            overflow = error.evaluate("e => e.scrollWidth - e.clientWidth")
            box = error.bounding_box()
            assert overflow <= 1 and box["x"] + box["width"] <= size[0], error.inner_text()
        # the end of the longest message, its fix, is on the page
        texts = [errors.nth(i).inner_text() for i in range(errors.count())]
        assert any("shapes: X (7, 2)" in t and "resp (7, 3))" in t for t in texts), texts
        assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
        longest = next(i for i, t in enumerate(texts) if "shapes: X (7, 2)" in t)
        errors.nth(longest).evaluate("e => e.scrollIntoView({block: 'center'})")
        page.screenshot(path=str(SCREENSHOTS / f"feedback_html_{size[0]}.png"))
    finally:
        page.close()
