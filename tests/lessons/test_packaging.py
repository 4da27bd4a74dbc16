"""pyproject.toml, environment.yml and binder/ list the same dependencies; Binder's build works."""

import os
import re
import subprocess
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
tomllib = pytest.importorskip("tomllib")  # Python ≥ 3.11; the files are the same on 3.10

# What a lesson needs: the package's own dependencies plus the lesson extras.
LESSON_EXTRAS = ("widgets", "lessons")


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0].lower()


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def lesson_requirements() -> dict[str, str]:
    project = _pyproject()
    reqs = list(project["dependencies"])
    for extra in LESSON_EXTRAS:
        reqs += [r for r in project["optional-dependencies"][extra] if not r.startswith("gmmlearn")]
    return {_name(r): r.replace(" ", "") for r in reqs}


def test_binder_requirements_are_a_lock_consistent_with_pyproject():
    """binder/requirements.txt pins every package (a lock: a push cannot change the image), and
    each of pyproject's lesson dependencies is pinned to a version its specifier allows."""
    from packaging.requirements import Requirement

    lines = (ROOT / "binder" / "requirements.txt").read_text().splitlines()
    pins = [r.strip() for r in lines if r.strip() and not r.startswith("#")]
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[^=\s]+", pin) for pin in pins), pins
    locked = {_name(pin): pin.split("==")[1] for pin in pins}
    assert "gmmlearn" not in locked  # postBuild installs it from the checkout
    for name, requirement in lesson_requirements().items():
        assert name in locked, f"{name} is not pinned in binder/requirements.txt"
        allowed = Requirement(requirement).specifier
        assert allowed.contains(locked[name]), f"{name}=={locked[name]} breaks {requirement}"


def test_environment_yml_matches_pyproject():
    text = (ROOT / "environment.yml").read_text()
    conda = {}
    for line in text.split("dependencies:", 1)[1].splitlines():
        m = re.match(r"^  - ([A-Za-z][\w.-]*)(.*)$", line)
        if m and m.group(1) not in ("python", "pip"):
            conda[m.group(1).lower()] = (m.group(1) + m.group(2)).replace(" ", "")
    assert conda == lesson_requirements()
    python = re.search(r"^  - python(.*)$", text, re.M).group(1)
    assert python == _pyproject()["requires-python"]
    assert "- -e ." in text, "the conda route must install gmmlearn itself"


def test_binder_postbuild_installs_the_package():
    post = (ROOT / "binder" / "postBuild").read_text().splitlines()
    assert post[0].startswith("#!")
    body = [line for line in post[1:] if line.strip() and not line.startswith("#")]
    assert body[0] == "set -e"
    assert any("pip install" in line and line.rstrip().endswith(" .") for line in body)
    assert os.access(ROOT / "binder" / "postBuild", os.X_OK)
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    assert re.fullmatch(r"python-3\.\d+", runtime)


@pytest.mark.slow
def test_binder_build_rehearsal(tmp_path):
    """What repo2docker does, without docker: a fresh venv, binder/requirements.txt, postBuild,
    then the first lesson executes in that environment."""
    env_dir = tmp_path / "binder-env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    run = dict(check=True, capture_output=True, text=True, timeout=900)
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "-r", ROOT / "binder" / "requirements.txt"],
        **run,
    )
    env = {**os.environ, "PATH": f"{env_dir / 'bin'}:{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    subprocess.run(["bash", ROOT / "binder" / "postBuild"], env=env, cwd=tmp_path, **run)
    # The package came from postBuild, not from this checkout's editable install.
    where = subprocess.run(
        [python, "-c", "import gmmlearn; print(gmmlearn.__file__)"], env=env, cwd=tmp_path, **run
    ).stdout
    assert str(env_dir) in where
    lesson = ROOT / "notebooks" / "01_em_step_by_step.ipynb"
    if not lesson.exists():
        pytest.fail("notebooks/01_em_step_by_step.ipynb is missing")
    out = tmp_path / "executed.ipynb"
    subprocess.run(
        [
            python,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            str(lesson),
            "--output",
            str(out),
            "--ExecutePreprocessor.timeout=300",
        ],
        env=env,
        cwd=lesson.parent,
        **run,
    )
    assert out.exists()
