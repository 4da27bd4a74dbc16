"""Reading points, writing and reading back the four result files, atomically; em.png."""

import os
import re
import subprocess
import sys

import matplotlib.image
import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

import gmmlearn.plotting.static
from gmmlearn import COVARIANCE_TYPES, initialize, run_em
from gmmlearn.datasets import load_four_blobs, make_four_blobs
from gmmlearn.io import (
    OUTPUT_FILES,
    read_likelihood,
    read_params,
    read_points,
    read_responsibilities,
    write_likelihood,
    write_params,
    write_responsibilities,
    write_results,
)
from gmmlearn.plotting.colors import component_colors
from gmmlearn.plotting.static import em_figure


def _write(tmp_path, text, name="data.csv", mode="w"):
    path = tmp_path / name
    with open(path, mode) as f:
        f.write(text)
    return path


@pytest.fixture(scope="module")
def trace():
    X = make_four_blobs(400, random_state=5)
    return run_em(X, initialize(X, 3, random_state=0), max_iter=30, tol=1e-6)


# ---------------------------------------------------------------------------
# read_points
# ---------------------------------------------------------------------------


def test_read_points_reads_comma_separated_rows(tmp_path):
    path = _write(tmp_path, "1.5,-2,3e2\n4,5,6\n")
    np.testing.assert_array_equal(read_points(path), [[1.5, -2, 300], [4, 5, 6]])


def test_read_points_one_column_is_one_feature(tmp_path):
    X = read_points(_write(tmp_path, "1\n2\n3\n"))
    assert X.shape == (3, 1)


def test_read_points_skips_blank_lines_comments_a_header_and_a_bom(tmp_path):
    text = "\ufefferuptions, waiting\n# a comment\n\n3.6, 79\n  1.8 ,54  \n\n"
    path = _write(tmp_path, text, mode="w")
    np.testing.assert_array_equal(read_points(path), [[3.6, 79], [1.8, 54]])


def test_read_points_reads_the_shipped_x_csv_like_numpy():
    from gmmlearn.datasets import path

    np.testing.assert_array_equal(
        read_points(path("x.csv")), np.loadtxt(path("x.csv"), delimiter=",")
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("", r"data.csv is empty"),
        ("\n  \n# only a comment\n", r"data.csv is empty"),
        ("x,y\n", r"header line but no data"),
        ("1,2,3\n\n4,5,6\n7,8\n", r"line 4: 2 values where line 1 has 3"),
        ("1,2\n3,4,5\n", r"line 2: 3 values where line 1 has 2"),
        ("1,2\n3,abc\n", r"line 2, column 2: 'abc' is not a number"),
        ("1,2\n3,\n", r"line 2, column 2: an empty value"),
        ("1 2\n3 4\n", r"line 1, column 1: '1 2' is not a number \(separate values by commas\)"),
        ("1,2\n3,4\nnan,1\n", r"line 3, column 1: 'nan' is not a finite number"),
        ("1,2\n3,-inf\n", r"line 2, column 2: '-inf' is not a finite number"),
    ],
)
def test_read_points_errors_name_the_file_line_and_fix(tmp_path, text, message):
    with pytest.raises(ValueError, match=message) as info:
        read_points(_write(tmp_path, text))
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "1;2\n3;4\n",
            r"line 1, column 1: '1;2' is not a number \(separate values by commas, "
            r"not ';'",
        ),
        ("1\t2\n3\t4\n", r"line 1, column 1: '1\\t2' is not a number \(separate values by comm"),
        ("1,2\n1_000,3\n", r"line 2, column 1: '1_000' is not a number"),
        (
            "x,y\n1,2\n3,q\n",
            r"line 3, column 2: 'q' is not a number; fix or delete that line "
            r"\(line 1 was taken for column names\)$",
        ),
        ("x,y,z\n1,2\n", r"line 1 was taken for column names but has 3 where line 2 has 2"),
        (
            ",0,1\n0,1.5,2.5\n",
            r"line 1, column 1: an empty value \(pandas' to_csv wrote its "
            r"index: write with index=False\)",
        ),
        ("1,2\n3,4\ninf,1\n", r"line 3, column 1: 'inf' is not a finite number"),
    ],
)
def test_read_points_errors_give_the_likely_cause(tmp_path, text, message):
    with pytest.raises(ValueError, match=message) as info:
        read_points(_write(tmp_path, text))
    assert "\n" not in str(info.value)


def test_read_points_skips_pandas_default_column_names_above_real_numbers(tmp_path):
    X, header = read_points(_write(tmp_path, "0,1\n0.5,2.5\n1.5,3\n"), return_header=True)
    np.testing.assert_array_equal(X, [[0.5, 2.5], [1.5, 3]])
    assert header == (1, "0,1")
    # above integers "0,1" may well be a point: it stays one
    X, header = read_points(_write(tmp_path, "0,1\n2,3\n"), return_header=True)
    np.testing.assert_array_equal(X, [[0, 1], [2, 3]])
    assert header is None


def test_read_points_reports_the_header_it_skipped(tmp_path):
    path = _write(tmp_path, "# from the survey\neruptions,waiting\n3.6,79\n")
    X, header = read_points(path, return_header=True)
    assert header == (2, "eruptions,waiting")
    np.testing.assert_array_equal(X, [[3.6, 79]])


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "utf-8-sig", "cp1252"])
def test_read_points_reads_other_encodings(tmp_path, encoding):
    path = tmp_path / "data.csv"
    path.write_bytes("température,durée\n1.5,20\n-2,30\n".encode(encoding))
    np.testing.assert_array_equal(read_points(path), [[1.5, 20], [-2, 30]])


def test_read_points_utf16_without_byte_order_mark_says_what_to_do(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes("1.5,20\n-2,30\n".encode("utf-16-le"))
    with pytest.raises(ValueError, match="UTF-16 text without a byte-order mark; save it as UTF"):
        read_points(path)


def test_read_points_inline_comments_and_lines_of_spaces(tmp_path):
    path = _write(tmp_path, "1,2 # first\n   \n\t\n3,4\n")
    np.testing.assert_array_equal(read_points(path), [[1, 2], [3, 4]])


def test_read_points_valid_files_never_take_the_slow_path(tmp_path, monkeypatch):
    import gmmlearn.io

    def slow(*args):
        raise AssertionError("read line by line")

    monkeypatch.setattr(gmmlearn.io, "_diagnose", slow)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2000, 3)) * 10.0 ** rng.integers(-300, 300, (2000, 3))
    path = tmp_path / "x.csv"
    np.savetxt(path, X, fmt="%.17g", delimiter=",", header="a,b,c", comments="")
    np.testing.assert_array_equal(read_points(path), X)


def test_read_points_missing_file_is_a_one_line_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"cannot read .*nope.csv: no such file$"):
        read_points(tmp_path / "nope.csv")


def test_read_points_folder_and_binary_file(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a folder, not a file"):
        read_points(tmp_path)
    binary = _write(tmp_path, b"\x89PNG\r\n\x1a\n\xff\xfe\x00", name="a.png", mode="wb")
    with pytest.raises(ValueError, match="not a text file"):
        read_points(binary)


# ---------------------------------------------------------------------------
# z.csv, params.dat, em_likelihood.txt: formats and round trips
# ---------------------------------------------------------------------------


def test_responsibilities_round_trip_exactly(tmp_path, trace):
    resp = trace.responsibilities(-1).copy()
    resp[:4] = [[1.0, 0.0, 0.0], [5e-324, 1e-300, 1.0], [1 / 3, 2 / 3, 0.0], [0.1, 0.2, 0.7]]
    write_responsibilities(tmp_path / "z.csv", resp)
    lines = (tmp_path / "z.csv").read_text().splitlines()
    assert len(lines) == resp.shape[0]
    # np.savetxt's format, as the original wrote it: every float64 reads back exactly
    assert lines[:3] == [
        "1.000000000000000000e+00,0.000000000000000000e+00,0.000000000000000000e+00",
        "4.940656458412465442e-324,1.000000000000000025e-300,1.000000000000000000e+00",
        "3.333333333333333148e-01,6.666666666666666297e-01,0.000000000000000000e+00",
    ]
    assert lines[-1] == ",".join(f"{value:.18e}" for value in resp[-1])
    np.testing.assert_array_equal(read_responsibilities(tmp_path / "z.csv"), resp)


def test_likelihood_file_format_and_round_trip(tmp_path, trace):
    write_likelihood(tmp_path / "em_likelihood.txt", trace.log_likelihoods)
    lines = (tmp_path / "em_likelihood.txt").read_text().splitlines()
    assert lines[0] == "step\tlog-likelihood"
    assert len(lines) == trace.n_iter + 2
    step, value = lines[1].split("\t")
    assert step == "0" and float(value) == trace.log_likelihoods[0]
    np.testing.assert_array_equal(
        read_likelihood(tmp_path / "em_likelihood.txt"), trace.log_likelihoods
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("iteration,ll\n0,1\n", "line 1: expected the header"),
        ("step\tlog-likelihood\n0\t-5.0\n2\t-4.0\n", "line 3: expected step 1"),
        ("step\tlog-likelihood\n0\tabc\n", "line 2: expected"),
    ],
)
def test_read_likelihood_errors(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        read_likelihood(_write(tmp_path, text))


def _precision_blocks(text):
    """The precision matrices of a params.dat, parsed independently of read_params."""
    section = text.split("precision matrix:\n")[1]
    blocks = re.split(r"cluster \d+\n", section)[1:]
    return [np.array(re.sub(r"[\[\]]", " ", b).split(), dtype=float) for b in blocks]


def test_params_file_has_the_original_sections_and_the_precisions(tmp_path, trace):
    params = trace.final_params
    write_params(tmp_path / "params.dat", params)
    text = (tmp_path / "params.dat").read_text()
    lines = text.splitlines()
    assert lines[1:5] == ["pi:"] + [f"cluster {k}: {float(params.weights[k])!r}" for k in range(3)]
    assert lines[5:7] == ["", "means:"]
    assert lines[7].startswith("cluster 0: [") and lines[7].endswith("]")
    assert lines[10:13] == ["", "precision matrix:", "cluster 0"]
    precisions = _precision_blocks(text)
    assert len(precisions) == 3
    for precision, covariance in zip(precisions, params.covariances):
        np.testing.assert_allclose(precision.reshape(3, 3) @ covariance, np.eye(3), atol=1e-9)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_params_round_trip_for_every_covariance_type(tmp_path, covariance_type):
    X = make_four_blobs(300, random_state=1)
    params = initialize(X, 4, covariance_type=covariance_type, random_state=0)
    write_params(tmp_path / "params.dat", params)
    back = read_params(tmp_path / "params.dat")
    assert back.covariance_type == covariance_type
    np.testing.assert_array_equal(back.weights, params.weights)
    np.testing.assert_array_equal(back.means, params.means)
    assert back.allclose(params, rtol=1e-12)


def test_read_params_reads_the_2019_originals_file(tmp_path):
    """Written exactly as the seed notebook did (6-decimal π, numpy's str, its spelling)."""
    # Rounded to 6 decimals these weights sum to 0.999998, outside the params' tolerance.
    weights = np.array([0.1000004, 0.1000004, 0.2000004, 0.2000004, 0.3999984])
    means = np.array([[1.25, -3.5], [0.001, 7.0], [-2.0, 2.0], [0.0, 0.0], [1e5, -1e-5]])
    covariances = np.array(
        [[[2.0, 0.3], [0.3, 1.0]], np.eye(2) * 1e-3, [[5.0, -1], [-1, 4]], np.eye(2), np.eye(2)]
    )
    with open(tmp_path / "params.dat", "w") as f:
        f.write("pi:\n")
        for k in range(5):
            f.write(f"cluster {k}: {weights[k]:f}\n")
        f.write("\nmeans:\n")
        for k in range(5):
            f.write(f"cluster {k}: {means[k]}\n")
        f.write("\nprecison matrix:\n")
        for k in range(5):
            f.write(f"cluster {k}\n")
            f.write(f"{np.linalg.inv(covariances[k])}\n")
    params = read_params(tmp_path / "params.dat")
    assert params.covariance_type == "full"
    np.testing.assert_allclose(params.weights, weights, atol=2e-6)
    np.testing.assert_allclose(params.means, means)
    np.testing.assert_allclose(params.covariances, covariances, rtol=1e-5)


@pytest.mark.parametrize(
    "text, message",
    [
        ("pi:\ncluster 0: 1.0\n", "section 'means' must list clusters"),
        ("hello\n", "line 1: unexpected 'hello'"),
        ("pi:\ncluster 0: one\n", "line 2: expected numbers"),
        (
            "pi:\ncluster 0: 1.0\n\nmeans:\ncluster 0: [1 2]\n\n"
            "precision matrix:\ncluster 0\n[[1]]\n",
            "truncated or malformed",
        ),
    ],
)
def test_read_params_errors(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        read_params(_write(tmp_path, text, name="params.dat"))


def test_writers_reject_bad_values(tmp_path):
    with pytest.raises(ValueError, match="n_samples, n_components"):
        write_responsibilities(tmp_path / "z.csv", np.ones(3))
    with pytest.raises(ValueError, match="1-D"):
        write_likelihood(tmp_path / "em_likelihood.txt", np.ones((2, 2)))
    with pytest.raises(TypeError, match="GaussianMixtureParams"):
        write_params(tmp_path / "params.dat", {"weights": [1.0]})
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------
# Atomic writes
# ---------------------------------------------------------------------------


def test_write_results_writes_the_four_files_with_normal_permissions(tmp_path, trace):
    paths = write_results(tmp_path / "a" / "b", trace)
    assert list(paths) == list(OUTPUT_FILES)
    assert sorted(p.name for p in (tmp_path / "a" / "b").iterdir()) == sorted(OUTPUT_FILES)
    umask = os.umask(0)
    os.umask(umask)
    for path in paths.values():
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    assert read_params(paths["params.dat"]).allclose(trace.final_params)
    assert matplotlib.image.imread(paths["em.png"]).ndim == 3


def test_a_failure_part_way_leaves_earlier_results_untouched(tmp_path, trace, monkeypatch):
    write_results(tmp_path, trace)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    X = load_four_blobs()[:300]
    other = run_em(X, initialize(X, 2, random_state=0), max_iter=5)

    def broken_figure(*args, **kwargs):
        raise RuntimeError("simulated failure while drawing em.png")

    monkeypatch.setattr(gmmlearn.plotting.static, "em_figure", broken_figure)
    with pytest.raises(RuntimeError, match="simulated failure"):
        write_results(tmp_path, other)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before  # no temporary left, no file replaced


def test_a_failure_in_a_fresh_folder_leaves_no_file(tmp_path, trace, monkeypatch):
    def broken_savefig(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", broken_savefig)
    with pytest.raises(OSError, match=r"cannot write .*em.png: No space left on device"):
        write_results(tmp_path / "out", trace)
    assert not (tmp_path / "out").exists()  # the folder made for the files is removed again


def test_a_single_write_is_atomic_too(tmp_path, trace, monkeypatch):
    target = tmp_path / "em_likelihood.txt"
    target.write_text("old content\n")

    def failing_fsync(*args, **kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="cannot write .*z.csv"):
        write_responsibilities(tmp_path / "z.csv", trace.responsibilities(-1))
    assert [p.name for p in tmp_path.iterdir()] == ["em_likelihood.txt"]
    assert target.read_text() == "old content\n"


def test_write_results_into_a_file_is_a_one_line_error(tmp_path, trace):
    (tmp_path / "taken").write_text("not a folder")
    with pytest.raises(FileExistsError, match="it is a file, not a folder"):
        write_results(tmp_path / "taken", trace)
    with pytest.raises(OSError, match="cannot create the folder"):
        write_results(tmp_path / "taken" / "sub", trace)
    assert (tmp_path / "taken").read_text() == "not a folder"


# ---------------------------------------------------------------------------
# em.png
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("n_features", [1, 2, 3, 5])
def test_em_figure_draws_points_and_means_in_two_scatter_calls(n_features):
    X, labels = make_four_blobs(300, random_state=2, return_labels=True)
    X = np.column_stack([X, X[:, :2] ** 2])[:, :n_features]
    params = initialize(X, 4, random_state=0)
    resp = np.eye(4)[labels] * 0.9 + 0.025
    figure = em_figure(X, params, resp, log_likelihood=-1234.5678)
    (ax,) = figure.axes
    points, means = ax.collections
    assert len(points.get_offsets()) == 300 and len(means.get_offsets()) == 4
    # PathCollection's getter: the 3-D one reorders by depth (and, before a draw, drops a row).
    colors = PathCollection.get_facecolor(points)[:, :3]
    np.testing.assert_allclose(colors, component_colors(4)[labels])
    assert "K = 4" in ax.get_title() and "-1234.57" in ax.get_title()
    assert ax.get_xlabel() == "$x_1$"
    assert ("first 3 of 5" in ax.get_title()) == (n_features == 5)
    assert ax.name == ("3d" if n_features >= 3 else "rectilinear")
    if n_features == 1:
        np.testing.assert_array_equal(points.get_offsets()[:, 0], X[:, 0])


def test_em_figure_draws_a_fixed_random_subset_of_many_points():
    X, labels = make_four_blobs(500, random_state=3, return_labels=True)
    X = X[:, :2]
    params = initialize(X, 4, random_state=0)
    resp = np.eye(4)[labels]
    figure = em_figure(X, params, resp, max_points=120)
    points = figure.axes[0].collections[0]
    drawn = points.get_offsets()
    assert len(drawn) == 120 and len(np.unique(drawn, axis=0)) == 120
    rows = [int(np.flatnonzero((X == point).all(axis=1))[0]) for point in drawn]
    np.testing.assert_allclose(points.get_facecolor()[:, :3], component_colors(4)[labels[rows]])
    assert "120 of the 500 points, drawn at random" in figure.axes[0].get_title()
    again = em_figure(X, params, resp, max_points=120).axes[0].collections[0].get_offsets()
    np.testing.assert_array_equal(again, drawn)


def test_em_png_shows_the_final_fit_not_the_start(tmp_path, trace, monkeypatch):
    seen = {}
    real = gmmlearn.plotting.static.em_figure

    def spy(X, params, resp, **kwargs):
        seen.update(params=params, resp=resp, **kwargs)
        return real(X, params, resp, **kwargs)

    monkeypatch.setattr(gmmlearn.plotting.static, "em_figure", spy)
    write_results(tmp_path, trace)
    assert trace.n_iter > 1
    np.testing.assert_array_equal(seen["params"].means, trace.final_params.means)
    np.testing.assert_array_equal(seen["params"].covariances, trace.final_params.covariances)
    np.testing.assert_array_equal(seen["resp"], trace.responsibilities(trace.n_iter))
    assert seen["log_likelihood"] == trace.log_likelihoods[-1]


def test_em_figure_uses_no_pyplot_state():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    X = make_four_blobs(50, random_state=0)
    em_figure(X, initialize(X, 2, random_state=0), np.full((50, 2), 0.5))
    assert plt.get_fignums() == before


def test_em_figure_rejects_mismatched_responsibilities():
    X = make_four_blobs(50, random_state=0)
    params = initialize(X, 2, random_state=0)
    with pytest.raises(ValueError, match=r"resp must have shape .*\(50, 2\), got \(50, 3\)"):
        em_figure(X, params, np.full((50, 3), 1 / 3))


def test_two_runs_into_one_folder_take_turns(tmp_path, trace):
    import fcntl
    import threading

    other = run_em(trace.X, initialize(trace.X, 2, random_state=1), max_iter=5)
    out = tmp_path / "out"
    write_results(out, other)
    held = os.open(out, os.O_RDONLY)  # another run writing: it holds the folder's lock
    fcntl.flock(held, fcntl.LOCK_EX)
    waited = threading.Event()
    writer = threading.Thread(
        target=write_results, args=(out, trace), kwargs={"on_wait": waited.set}
    )
    writer.start()
    assert waited.wait(10)
    writer.join(0.5)
    assert writer.is_alive()  # still waiting: nothing of this run written yet
    assert read_responsibilities(out / "z.csv").shape[1] == 2
    os.close(held)
    writer.join(30)
    assert not writer.is_alive()
    assert read_responsibilities(out / "z.csv").shape[1] == 3
    assert read_params(out / "params.dat").n_components == 3
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)  # no lock file left


def test_concurrent_cli_runs_leave_one_runs_four_files(tmp_path):
    out = tmp_path / "out"
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "gmmlearn", "fit", "-q", "-k", str(k), "--out", str(out)]
        )
        for k in (2, 3, 2, 3)
    ]
    assert [run.wait(120) for run in runs] == [0, 0, 0, 0]
    k = read_params(out / "params.dat").n_components
    assert read_responsibilities(out / "z.csv").shape[1] == k
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_z_csv_of_many_rows_is_written_by_two_processes_identically(tmp_path, monkeypatch):
    import gmmlearn.io

    resp = np.random.default_rng(0).dirichlet(np.ones(3), 1001)
    resp[7] = [1.0, 5e-324, 0.0]
    write_responsibilities(tmp_path / "serial.csv", resp)
    forks = []
    real_fork = os.fork
    monkeypatch.setattr(gmmlearn.io, "_ROWS_TO_SHARE", 100)
    monkeypatch.setattr(gmmlearn.io, "_ROWS_PER_BLOCK", 64)
    monkeypatch.setattr(gmmlearn.io, "_can_share", lambda: True)
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    write_responsibilities(tmp_path / "shared.csv", resp)
    assert forks == [1]
    assert (tmp_path / "shared.csv").read_bytes() == (tmp_path / "serial.csv").read_bytes()
    np.testing.assert_array_equal(read_responsibilities(tmp_path / "shared.csv"), resp)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["serial.csv", "shared.csv"]
