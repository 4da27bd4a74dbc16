"""Issue 22, the files, the command line and the exports: each test failed before its fix."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from gmmlearn.io import read_points, read_responsibilities


def _write(tmp_path, text, name="data.csv", mode="w", **kwargs):
    path = tmp_path / name
    with open(path, mode, **kwargs) as f:
        f.write(text)
    return path


def _rows(n, seed=0):
    """n points in 2-D as text with a header: ~30 bytes a line, so 5000 rows pass 64 KB."""
    X = np.random.default_rng(seed).normal(size=(n, 2)) * [1.0, 10.0]
    return X, "a,b\n" + "".join(f"{x!r},{y!r}\n" for x, y in X.tolist())


# ---------------------------------------------------------------------------
# 1. a pipe, a FIFO, /dev/stdin: read once, no row lost


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_read_once_with_every_row(tmp_path):
    X, text = _rows(5000)
    fifo = tmp_path / "points.fifo"
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "w") as f:
            f.write(text)

    writer = threading.Thread(target=feed)
    writer.start()
    got = read_points(fifo)
    writer.join()
    assert got.shape == X.shape
    np.testing.assert_array_equal(got, X)


def test_the_command_fits_every_row_of_its_standard_input(tmp_path):
    X, text = _rows(5000, seed=1)
    out = tmp_path / "o"
    result = subprocess.run(
        [sys.executable, "-m", "gmmlearn", "fit", "/dev/stdin", "-q", "-k", "2", "--out", out],
        input=text, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")
    assert read_responsibilities(out / "z.csv").shape == (len(X), 2)


def test_an_error_in_a_pipe_names_the_pipe_not_a_temporary(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "gmmlearn", "fit", "/dev/stdin", "--out", tmp_path / "o"],
        input="1,2\n3,x\n", capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("error: /dev/stdin, line 2, column 2: 'x' is not a number")
