"""`make clean` removes everything generated (all that .gitignore lists) and nothing else."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")

# Generated paths, one per .gitignore pattern (a pattern missing here fails the first test).
GENERATED = {
    ".venv/": ".venv/bin/python",
    "__pycache__/": "gmmlearn/__pycache__/steps.cpython-313.pyc",
    "*.egg-info/": "gmmlearn.egg-info/PKG-INFO",
    ".pytest_cache/": ".pytest_cache/README.md",
    ".hypothesis/": ".hypothesis/examples/x",
    ".ruff_cache/": ".ruff_cache/CACHEDIR.TAG",
    ".ipynb_checkpoints/": "notebooks/.ipynb_checkpoints/00-checkpoint.ipynb",
    "build/": "build/lib/gmmlearn/steps.py",
    "dist/": "dist/gmmlearn-0.1.tar.gz",
    "out/": "out/student/03_exercises.ipynb",
    "tests/e2e/screenshots/": "tests/e2e/screenshots/jupyterlab_after.png",
    "benchmarks/results/": "benchmarks/results/bench.json",
    "*.pyc": "tools/browser_harness.pyc",
    "gmm_out/": "gmm_out/params.dat",
}
# Written by lesson 1 inside notebooks/ (out/ in .gitignore matches it too).
ALSO_GENERATED = ["notebooks/out/lesson1/em.png"]
KEPT = ["Makefile", "gmmlearn/steps.py", "notebooks/01_em_step_by_step.ipynb", "tests/conftest.py"]


def test_every_ignored_pattern_has_a_generated_example():
    lines = (ROOT / ".gitignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert sorted(patterns) == sorted(GENERATED)


def test_make_clean_removes_the_generated_and_keeps_the_sources(tmp_path):
    shutil.copy2(ROOT / "Makefile", tmp_path / "Makefile")
    for path in [*GENERATED.values(), *ALSO_GENERATED, *KEPT[1:]]:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("x")
    subprocess.run(["make", "--no-print-directory", "clean"], cwd=tmp_path, check=True)
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert left == sorted(KEPT)
    folders = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_dir())
    assert folders == ["benchmarks", "gmmlearn", "notebooks", "tests", "tests/e2e", "tools"]
