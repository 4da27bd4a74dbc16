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


@pytest.mark.parametrize("name", ["/dev/stdin", "-"])
def test_the_command_fits_every_row_of_its_standard_input(tmp_path, name):
    X, text = _rows(5000, seed=1)
    out = tmp_path / "o"
    result = subprocess.run(
        [sys.executable, "-m", "gmmlearn", "fit", name, "-q", "-k", "2", "--out", out],
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


@pytest.mark.parametrize(
    "text, line",
    [("1,2573;-0,1321\n2,5;3,75\n", 1), ("1,25\t3,5\n2,0\t-1,5\n", 1), ("x;y\n1,25;3,5\n", 2)],
)
def test_decimal_commas_are_recognised(tmp_path, text, line):
    with pytest.raises(ValueError, match=rf"line {line}: '1,25.*' has decimal commas; export the "
                       r"file with '\.' as the decimal mark and ',' between values$"):  # fmt: skip
        read_points(_write(tmp_path, text))


@pytest.mark.parametrize("digits", ["١٫٥,٢", "１.５,２"])  # Arabic-Indic, full-width
@pytest.mark.parametrize("line", [1, 3])
def test_other_digits_are_named_with_file_and_line(tmp_path, digits, line):
    lines = ["1.0,2.0", "3.0,4.0"]
    lines.insert(line - 1, digits)
    path = _write(tmp_path, "\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        read_points(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, line {line}, column 1: ")
    assert "digits other than 0-9" in message and "column names" not in message


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


# ---------------------------------------------------------------------------
# 2. SIGTERM during the renames; SIGKILL between two renames; 4. locks, not pids


def _files(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_sigterm_during_the_renames_leaves_all_four_new_files_and_says_so(
    tmp_path, capsys, monkeypatch
):
    import signal

    out = tmp_path / "o"
    assert main(["fit", "-q", "-k", "2", "--out", str(out)]) == 0
    before = _files(out)
    real_replace, renames = os.replace, []

    def replace_then_terminated(src, dst):
        real_replace(src, dst)
        renames.append(dst)
        if len(renames) == 2:  # the signal lands after a rename returned, before the next
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(os, "replace", replace_then_terminated)
    assert main(["fit", "-q", "-k", "3", "--out", str(out)]) == 128 + signal.SIGTERM
    monkeypatch.undo()
    assert capsys.readouterr().err == (
        f"error: terminated; the new result files were all written into {out} first\n"
    )
    after = _files(out)
    assert sorted(after) == sorted(before)  # no hidden file left
    assert all(after[name] != before[name] for name in before)  # all four are the new run's
    assert read_responsibilities(out / "z.csv").shape[1] == 3


_KILLED_BETWEEN_RENAMES = """
import os, signal, sys
real_replace, renames = os.replace, []
def replace(src, dst):
    real_replace(src, dst)
    renames.append(dst)
    if len(renames) == 2:
        os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace
from gmmlearn.cli import main
main(["fit", "-q", "-k", "3", "--out", sys.argv[1]])
"""


def test_after_a_sigkill_between_renames_the_earlier_files_are_restored(tmp_path):
    from gmmlearn.io import tidy_stale_temporaries

    out = tmp_path / "o"
    assert main(["fit", "-q", "-k", "2", "--out", str(out)]) == 0
    before = _files(out)
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_BETWEEN_RENAMES, out], capture_output=True, timeout=120
    )
    assert killed.returncode == -9
    assert _files(out) != before  # a mix: two new files, hidden leftovers
    tidy_stale_temporaries(out)  # what the next run does first, holding the folder's lock
    assert _files(out) == before


def test_a_killed_run_with_this_runs_pid_is_tidied_a_locked_one_is_not(tmp_path):
    import fcntl

    from gmmlearn.io import tidy_stale_temporaries

    out = tmp_path / "o"
    out.mkdir()
    # in a container the next run often has the dead run's pid: here, our own
    stale = out / f".z.csv.{os.getpid()}.k3j2.tmp"
    live = out / ".params.dat.0123456789abcdef.tmp"
    stale.write_text("partial")
    live.write_text("partial")
    with open(live) as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert tidy_stale_temporaries(out) == [stale]
    assert live.exists() and not stale.exists()


# ---------------------------------------------------------------------------
# 17. --out on a dangling link, a read-only file system, a full disk


@pytest.mark.parametrize("below", ["", "sub"])
def test_out_on_a_dangling_link_says_so(tmp_path, capsys, below):
    link = tmp_path / "results"
    link.symlink_to(tmp_path / "gone")
    out = link / below if below else link
    assert main(["fit", "-q", "-k", "2", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"error: cannot write into {out}: {link} is a link to {tmp_path / 'gone'}, which does "
        "not exist; make that folder or give another --out\n"
    )


def test_out_on_a_read_only_file_system_says_read_only(tmp_path, capsys, monkeypatch):
    import gmmlearn.cli

    monkeypatch.setattr(gmmlearn.cli.os, "access", lambda *args, **kwargs: False)
    monkeypatch.setattr(gmmlearn.cli, "_read_only", lambda folder: folder == tmp_path)
    assert main(["fit", "-q", "-k", "2", "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err == (
        f"error: cannot write into {tmp_path / 'o'}: {tmp_path} is on a read-only file system\n"
    )


def test_a_full_disk_leaves_no_new_empty_folders(tmp_path, capsys, monkeypatch):
    import errno

    from matplotlib.figure import Figure

    def disk_full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", disk_full)
    out = tmp_path / "a" / "b"
    assert main(["fit", "-q", "-k", "2", "--out", str(out)]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------
# 3. export_html / export_gif: atomic, one-line errors; 24. the VB page is titled "VB …"


@pytest.fixture(scope="module")
def small_run():
    from gmmlearn import initialize, run_em

    X = np.random.default_rng(0).normal(size=(60, 2)) + np.repeat([[0, 0], [6, 0]], 30, axis=0)
    return run_em(X, initialize(X, 2, random_state=0), max_iter=3)


def test_export_html_on_a_full_disk_leaves_the_earlier_page(tmp_path, small_run, monkeypatch):
    import errno

    from gmmlearn.webview.export import export_html

    page = tmp_path / "run.html"
    page.write_text("the earlier page")

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError) as caught:
        export_html(page, small_run)
    assert str(caught.value) == f"cannot write {page}: No space left on device"
    assert [p.name for p in tmp_path.iterdir()] == ["run.html"]
    assert page.read_text() == "the earlier page"


@pytest.mark.parametrize("where", ["folder", "missing", "under a file"])
def test_export_html_to_a_bad_place_is_one_line(tmp_path, small_run, where):
    from gmmlearn.webview.export import export_html

    target = {
        "folder": tmp_path,
        "missing": tmp_path / "nowhere" / "run.html",
        "under a file": tmp_path / "a.txt" / "run.html",
    }[where]
    (tmp_path / "a.txt").write_text("")
    with pytest.raises(OSError) as caught:
        export_html(target, small_run)
    message = str(caught.value)
    expected = {
        "folder": f"cannot write {tmp_path}: it is a folder; give a file name, e.g. "
        f"{tmp_path / 'run.html'}",
        "missing": f"cannot write {target}: the folder {tmp_path / 'nowhere'} does not exist; "
        "make it first",
        "under a file": f"cannot write {target}: the folder {tmp_path / 'a.txt'} is a file, not "
        "a folder; make it first",
    }[where]
    assert message == expected


def test_explorer_export_gif_is_atomic_and_refuses_a_folder(tmp_path, monkeypatch):
    from gmmlearn.plotting.view import EMView
    from gmmlearn.widgets import explore

    X = np.random.default_rng(1).normal(size=(40, 2))
    explorer = explore(X, 2, max_iter=2, view="matplotlib")
    gif = tmp_path / "run.gif"
    gif.write_bytes(b"GIF89a the earlier one")

    def broken(self, path, **kwargs):
        with open(path, "wb") as f:
            f.write(b"GIF89a half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(EMView, "save_gif", broken)
    with pytest.raises(OSError, match=f"^cannot write {gif}: No space left on device$"):
        explorer.export_gif(gif)
    assert [p.name for p in tmp_path.iterdir()] == ["run.gif"]
    assert gif.read_bytes() == b"GIF89a the earlier one"
    with pytest.raises(ValueError, match="is a folder: give a file name in it, such as .*run.gif"):
        explorer.export_gif(tmp_path)


def test_the_vb_explorers_page_is_titled_vb(tmp_path, small_run):
    from gmmlearn.webview.export import standalone_html
    from gmmlearn.widgets import explore

    explorer = explore(small_run.X, 3, method="vb", max_iter=3, view="matplotlib")
    page = open(explorer.export_html(tmp_path / "vb.html"), encoding="utf-8").read()
    assert "<title>VB for a Gaussian mixture, step by step</title>" in page
    assert "<title>EM for a Gaussian mixture, step by step</title>" in standalone_html(small_run)


# ---------------------------------------------------------------------------
# 24. em.png at K = 60 and 120: title and legend inside the figure, no layout warning


@pytest.mark.parametrize("n_components, n_features", [(60, 2), (120, 3)])
def test_em_png_of_many_components_fits_its_title_and_legend(n_components, n_features):
    import warnings

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from gmmlearn import GaussianMixtureParams
    from gmmlearn.plotting.static import em_figure
    from gmmlearn.steps import responsibilities

    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, n_features)) * 10
    covariances = np.tile(np.eye(n_features), (n_components, 1, 1))
    means = rng.normal(size=(n_components, n_features)) * 10
    params = GaussianMixtureParams(np.full(n_components, 1 / n_components), means, covariances)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's "constrained_layout not applied"
        figure = em_figure(X, params, responsibilities(X, params), log_likelihood=-1234.5)
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
    renderer = canvas.get_renderer()
    inside = figure.bbox
    (ax,) = figure.axes
    for artist in (figure.legends[0], ax.title):
        box = artist.get_window_extent(renderer)
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1 + 0.5, artist
        assert inside.y0 <= box.y0 and box.y1 <= inside.y1 + 0.5, artist
    labels = [text.get_text() for text in figure.legends[0].get_texts()]
    assert len(labels) == 26 and labels[-2] == f"{n_components - 24} more, each π ≤ " + (
        f"{1 / n_components:.3f}"
    )


def test_many_components_print_no_layout_warning_under_quiet(tmp_path, capsys):
    code = main(["fit", "-q", "-k", "60", "--max-iter", "1", "--out", str(tmp_path / "o")])
    assert (code, capsys.readouterr()) == (0, ("", ""))


def test_a_users_own_hidden_file_is_not_taken_for_a_leftover(tmp_path):
    from gmmlearn.io import tidy_stale_temporaries

    mine = tmp_path / ".em.png.backup.old"
    mine.write_text("kept by hand")
    assert tidy_stale_temporaries(tmp_path) == [] and mine.exists()


def test_repeated_whole_numbers_under_an_empty_name_are_data(tmp_path):
    X = read_points(_write(tmp_path, ",a\n3,1.5\n3,2.5\n1,0.5\n"))
    np.testing.assert_array_equal(X, [[3, 1.5], [3, 2.5], [1, 0.5]])
