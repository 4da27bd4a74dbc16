"""Screenshots of lesson 3's feedback as a student (and the grader) sees it, in JupyterLab.

    .venv/bin/python tools/screenshot_feedback.py [OUT_DIR]

Takes nbgrader's student version, fills in the model solutions except two classic mistakes
(π_k divided by K; a student's own bug raising in exercise 5), runs it in a kernel (errors
allowed, as ``nbgrader autograde`` does), opens it in JupyterLab in headless Chromium at projector
size (1600 × 1000) and saves the two failed checks: ``feedback_one_line.png`` and
``feedback_student_frames.png`` (in docs/screenshots/ by default).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]

import browser_harness as harness  # noqa: E402  (servers, Chromium, the explorer in the page)

SOLUTION = ROOT / "notebooks" / "03_exercises.ipynb"
MISTAKES = {
    "mixing_weights": ("return nk / n_samples", "return nk / len(nk)"),
    "component_means": ("return resp.T @ X / nk[:, None]", "return resp.T @ X / nk"),
}


def _student_notebook(tmp: Path) -> Path:
    spec = importlib.util.spec_from_file_location(
        "make_student", ROOT / "tools" / "make_student.py"
    )
    make_student = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_student)
    released = nbformat.read(make_student.release(SOLUTION, tmp / "release.ipynb"), as_version=4)
    solution = nbformat.read(SOLUTION, as_version=4)
    for mine, model in zip(released.cells, solution.cells):
        grade_id = mine.metadata.get("nbgrader", {}).get("grade_id")
        if mine.metadata.get("nbgrader", {}).get("solution"):
            mine.source = model.source.replace("    ### BEGIN SOLUTION\n", "").replace(
                "\n    ### END SOLUTION", ""
            )
            if grade_id in MISTAKES:
                mine.source = mine.source.replace(*MISTAKES[grade_id])
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
    )
    NotebookClient(
        released, timeout=120, allow_errors=True, resources={"metadata": {"path": str(tmp)}}
    ).execute()
    path = tmp / "03_exercises.ipynb"
    nbformat.write(released, path)
    return path


# the position of a cell among the notebook's cells
_INDEX_JS = "c => [...c.parentElement.querySelectorAll('.jp-Cell')].indexOf(c)"


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    notebook = _student_notebook(tmp)
    with harness.lab_page(notebook, tmp, run_all=False) as page:
        time.sleep(2)
        failed = page.locator(".jp-CodeCell:has([data-mime-type='application/vnd.jupyter.stderr'])")
        for name, index in (("feedback_one_line.png", 0), ("feedback_student_frames.png", 1)):
            cell = failed.nth(index)
            answer = page.locator(".jp-Cell").nth(cell.evaluate(_INDEX_JS) - 1)
            cell.evaluate("c => c.scrollIntoView({block: 'center'})")
            time.sleep(0.8)
            top, box = answer.bounding_box()["y"], cell.bounding_box()
            clip = {
                "x": box["x"],
                "y": top,
                "width": box["width"],
                "height": box["y"] + box["height"] - top + 8,
            }
            page.screenshot(path=str(out / name), clip=clip)
            print(out / name)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
