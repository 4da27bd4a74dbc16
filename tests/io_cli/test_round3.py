"""Issue 22, the files, the command line and the exports: each test failed before its fix."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from gmmlearn.cli import main
from gmmlearn.io import read_params, read_points, read_responsibilities


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


# ---------------------------------------------------------------------------
# 5. pandas' index column; 16. decimal commas; 19. other digits, UTF-32, quoted numbers


@pytest.mark.parametrize(
    "text, name",
    [
        (",a,b\n0,1.5,2.5\n1,0.5,3.25\n2,4.0,1.0\n", "an empty name"),
        ("Unnamed: 0,a,b\n0,1.5,2.5\n1,0.5,3.25\n2,4.0,1.0\n", "'Unnamed: 0'"),
        (",a,b\n7,1.5,2.5\n3,0.5,3.25\n", "an empty name"),  # after df.sample: shuffled
    ],
)
def test_pandas_index_column_is_named_not_fitted(tmp_path, text, name):
    with pytest.raises(ValueError) as caught:
        read_points(_write(tmp_path, text))
    message = str(caught.value)
    assert "\n" not in message
    assert f"line 1: column 1, headed {name}, is pandas' row index" in message
    assert "to_csv(..., index=False)" in message


def test_a_first_column_of_real_values_under_an_empty_name_is_read(tmp_path):
    X = read_points(_write(tmp_path, ",a\n0.5,1.5\n2.25,2.5\n"))
    np.testing.assert_array_equal(X, [[0.5, 1.5], [2.25, 2.5]])


@pytest.mark.parametrize("text", ["1,2573;-0,1321\n2,5;3,75\n", "1,25\t3,5\n2,0\t-1,5\n"])
def test_decimal_commas_are_recognised(tmp_path, text):
    with pytest.raises(ValueError, match=r"line 1: '1,25.*' has decimal commas; export the "
                       r"file with '\.' as the decimal mark and ',' between values$"):  # fmt: skip
        read_points(_write(tmp_path, text))


@pytest.mark.parametrize("digits", ["١٫٥,٢", "１.５,２"])  # Arabic-Indic, full-width
def test_other_digits_are_named_with_file_and_line(tmp_path, digits):
    path = _write(tmp_path, f"1.0,2.0\n3.0,4.0\n{digits}\n", encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        read_points(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, line 3, column 1: ")
    assert "digits other than 0-9" in message


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-be"])
def test_utf32_with_a_byte_order_mark_is_read(tmp_path, encoding):
    data = "x,y\n1.5,2.5\n-3.0,4.0\n".encode(encoding)
    if encoding == "utf-32-be":
        data = b"\x00\x00\xfe\xff" + data
    path = _write(tmp_path, data, mode="wb")
    np.testing.assert_array_equal(read_points(path), [[1.5, 2.5], [-3.0, 4.0]])


def test_quoted_numbers_say_remove_the_quotes(tmp_path):
    path = _write(tmp_path, '"1.5","2.5"\n"3.5","4.5"\n')
    with pytest.raises(ValueError) as caught:
        read_points(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, line 1, column 1: ")
    assert "remove the quotes" in message and "taken for column names" not in message


def test_quoted_column_names_are_still_a_header(tmp_path):
    path = _write(tmp_path, '"a","b"\n1.5,2.5\n3.5,4.5\n')
    np.testing.assert_array_equal(read_points(path), [[1.5, 2.5], [3.5, 4.5]])


# ---------------------------------------------------------------------------
# 12. a transposed file; the '0,1' header guess under -q


def test_a_transposed_file_is_exit_2_with_one_line(tmp_path, capsys):
    path = tmp_path / "wide.csv"
    row = ",".join(["0.5", "1.5"] * 30_000) + "\n"
    path.write_text(row + row.replace("0.5", "2.5") + row.replace("1.5", "3.5"))
    assert main(["fit", str(path), "-k", "2", "--out", str(tmp_path / "o")]) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        "error: 60000 features for 3 points: is the file transposed? (one point a line, "
        "its coordinates separated by commas)\n"
    )
    assert not (tmp_path / "o").exists()


def test_a_guessed_numeric_header_is_said_even_under_quiet(tmp_path, capsys):
    X = np.random.default_rng(3).normal(size=(40, 2))
    path = _write(tmp_path, "0,1\n" + "".join(f"{a!r},{b!r}\n" for a, b in X.tolist()))
    assert main(["fit", str(path), "-q", "-k", "2", "--out", str(tmp_path / "o")]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "warning: line 1 (0,1) was taken for pandas' column names, not a point; if it is a "
        "point, add a first line of names\n"
    )


def test_a_header_of_names_stays_quiet_under_quiet(tmp_path, capsys):
    path = _write(tmp_path, "a,b\n" + "".join(f"{i * 0.37 % 1},{i * 0.11}\n" for i in range(30)))
    assert main(["fit", str(path), "-q", "-k", "2", "--out", str(tmp_path / "o")]) == 0
    assert capsys.readouterr() == ("", "")


# ---------------------------------------------------------------------------
# 21. make_preset's messages; 272.0 alike for every preset


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        (("separated",), {"random_state": -1}, ValueError, r"must be 0 or more, got -1"),
        (("separated",), {"random_state": "7"}, TypeError, r"random_state must be an integer seed"),
        ((["ring"],), {}, TypeError, r"name must be a string, one of .*got \['ring'\]"),
        (("old_faithful", 272.0), {}, TypeError, r"n_samples must be an integer, got 272\.0"),
        (("separated", 272.0), {}, TypeError, r"n_samples must be an integer, got 272\.0"),
        (("old_faithful",), {"random_state": -1}, ValueError, r"random_state must be 0 or more"),
    ],
)  # fmt: skip
def test_make_preset_says_what_is_wrong_alike_for_every_preset(args, kwargs, error, match):
    from gmmlearn.datasets import make_preset

    with pytest.raises(error, match=match):
        make_preset(*args, **kwargs)


def test_make_preset_still_takes_a_generator_and_272():
    from gmmlearn.datasets import make_preset

    assert make_preset("old_faithful", 272).shape == (272, 2)
    rng = np.random.default_rng(5)
    np.testing.assert_array_equal(
        make_preset("ring", 10, random_state=rng), make_preset("ring", 10, random_state=5)
    )


# ---------------------------------------------------------------------------
# 23. read_params: a duplicated "cluster k" line


def test_read_params_refuses_a_duplicated_cluster_line(tmp_path):
    text = (
        "pi:\ncluster 0: 0.5\ncluster 1: 0.5\ncluster 1: 0.25\n\nmeans:\ncluster 0: [0.0]\n"
        "cluster 1: [1.0]\n\nprecision matrix:\ncluster 0\n[[1.0]]\ncluster 1\n[[1.0]]\n"
    )
    path = _write(tmp_path, text, name="params.dat")
    with pytest.raises(ValueError) as caught:
        read_params(path)
    assert str(caught.value) == (
        f"{path}, line 4: a second 'cluster 1' in section 'pi'; give each cluster once"
    )
