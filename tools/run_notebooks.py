"""Re-execute the lesson notebooks in place, so that their outputs come from the current code.

``make test`` runs the notebooks with nbval, which compares every fresh output with the stored
one: after a change of the library that legitimately changes a number, run this script, look at
the diff (``git diff notebooks/``) and commit the notebooks with their new outputs.

Usage::

    python tools/run_notebooks.py [NOTEBOOK ...]

Without arguments, every ``notebooks/[0-9]*.ipynb``. Each notebook runs in a fresh kernel in its
own folder (as nbval runs it) and the time it took is printed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

_ROOT = Path(__file__).resolve().parent.parent
_TIMEOUT = 300  # seconds per cell: a lesson that needs this long is broken anyway


def _coalesce_streams(outputs: list) -> list:
    """Join consecutive stdout (or stderr) chunks: where the kernel split them is timing."""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.output_type == "stream"
            and previous is not None
            and previous.output_type == "stream"
            and previous.name == output.name
        ):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def run_notebook(path: Path) -> float:
    """Execute the notebook at ``path`` in place and return the time it took, in seconds."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=_TIMEOUT,
        kernel_name="python3",
        # no widget state in the file: it would store every frame the explorer drew
        store_widget_state=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)  # timestamps would make every run a diff
        if cell.cell_type == "code":
            cell.outputs = _coalesce_streams(cell.outputs)
    notebook.metadata.pop("widgets", None)
    nbformat.write(notebook, path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((_ROOT / "notebooks").glob("[0-9]*.ipynb"))
    for path in paths:
        if not path.is_file():
            print(f"run_notebooks: {path} does not exist")
            return 2
        try:
            seconds = run_notebook(path)
        except CellExecutionError as error:
            print(f"run_notebooks: {path.name} failed, left unchanged:\n{error}")
            return 1
        print(f"{path.name:<42} {seconds:6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
