"""Every test file, tool or benchmark that a lesson or a document names exists (the tests moved
into folders once, and a lesson kept the old path)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted(
    [*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("docs/*.md"), ROOT / "README.md"], key=str
)
PATH = re.compile(r"\b((?:tests|tools|benchmarks)/[\w/]+\.py)\b")


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_named_file_exists(document):
    named = set(PATH.findall(document.read_text(encoding="utf-8")))
    missing = sorted(path for path in named if not (ROOT / path).is_file())
    assert not missing, f"{document.name} names files that do not exist: {missing}"
