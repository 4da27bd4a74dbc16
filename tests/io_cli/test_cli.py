"""The gmmlearn command end to end: the four files, their formats, the errors, atomicity."""

import contextlib
import io
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import gmmlearn.plotting.static
from gmmlearn import datasets, initialize, run_em
from gmmlearn.cli import main
from gmmlearn.initialization import INIT_METHODS
from gmmlearn.io import (
    OUTPUT_FILES,
    read_likelihood,
    read_params,
    read_points,
    read_responsibilities,
)
from gmmlearn.steps import log_weighted_densities


def _library_trace(X, k=4, init="kmeans", seed=0, tol=1e-5, covariance_type="full"):
    """What `gmmlearn fit` should compute, by the library (TOL is on the total)."""
    params = initialize(X, k, init, covariance_type=covariance_type, random_state=seed)
    return run_em(X, params, max_iter=100, tol=tol / len(X))


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """One default run on the shipped x.csv: (output folder, stdout, stderr, exit code)."""
    out = tmp_path_factory.mktemp("cli") / "gmm_out"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["fit", "--out", str(out)])
    return out, stdout.getvalue(), stderr.getvalue(), code


@pytest.fixture(scope="module")
def expected():
    return _library_trace(datasets.load_four_blobs())


# ---------------------------------------------------------------------------
# A successful run
# ---------------------------------------------------------------------------


def test_fit_on_the_shipped_data_writes_exactly_the_four_files(fitted):
    out, _, stderr, code = fitted
    assert code == 0 and stderr == ""
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)


def test_progress_lines_like_the_original_then_a_summary(fitted, expected):
    _, stdout, _, _ = fitted
    lines = stdout.splitlines()
    progress = [line for line in lines if line.startswith("iter: ")]
    assert len(progress) == expected.n_iter + 1
    for step, line in enumerate(progress):
        match = re.fullmatch(r"iter: (\d+), log likelihood: (-?\d+\.\d{6})", line)
        assert match and int(match[1]) == step
        assert float(match[2]) == pytest.approx(expected.log_likelihoods[step], abs=1e-6)
    summary = "\n".join(lines[len(progress) :])
    assert f"converged after {expected.n_iter} iterations" in summary
    assert "final log-likelihood: " in summary and "wrote " in summary


def test_the_cli_computes_what_the_library_computes(fitted, expected):
    out = fitted[0]
    assert read_params(out / "params.dat").allclose(expected.final_params, rtol=1e-9)
    np.testing.assert_allclose(
        read_likelihood(out / "em_likelihood.txt"), expected.log_likelihoods, rtol=1e-13
    )


def test_tol_is_on_the_total_log_likelihood(fitted, expected):
    lls = read_likelihood(fitted[0] / "em_likelihood.txt")
    gains = np.diff(lls)
    # The last iteration's E-step scored θ_{T-1}: its gain over θ_{T-2} fell below TOL=1e-5,
    # while every earlier gain was at least TOL (with tol/N per point it would stop far later).
    assert abs(gains[-2]) < 1e-5
    assert np.all(np.abs(gains[:-2]) >= 1e-5)


def test_z_csv_holds_responsibilities_rows_summing_to_one(fitted, expected):
    text = (fitted[0] / "z.csv").read_text()
    assert re.fullmatch(r"(-?\d\.\d{18}e[+-]\d\d)(,-?\d\.\d{18}e[+-]\d\d){3}", text.split("\n")[0])
    resp = read_responsibilities(fitted[0] / "z.csv")
    assert resp.shape == (3000, 4)
    assert np.all((resp >= 0) & (resp <= 1))
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(resp, expected.responsibilities(-1), atol=1e-9)


def test_params_dat_holds_the_inverse_of_the_fitted_covariances(fitted, expected):
    text = (fitted[0] / "params.dat").read_text()
    assert text.index("pi:") < text.index("means:") < text.index("precision matrix:")
    blocks = re.split(r"cluster \d+\n", text.split("precision matrix:\n")[1])[1:]
    assert len(blocks) == 4
    for block, covariance in zip(blocks, expected.final_params.covariances):
        precision = np.array(re.sub(r"[\[\]]", " ", block).split(), dtype=float).reshape(3, 3)
        np.testing.assert_allclose(precision @ covariance, np.eye(3), atol=1e-8)


def test_em_likelihood_has_a_header_and_increases(fitted):
    lines = (fitted[0] / "em_likelihood.txt").read_text().splitlines()
    assert lines[0] == "step\tlog-likelihood"
    assert [line.split("\t")[0] for line in lines[1:]] == [str(t) for t in range(len(lines) - 1)]
    assert np.all(np.diff(read_likelihood(fitted[0] / "em_likelihood.txt")) > -1e-8)


def test_em_png_is_a_png_image(fitted):
    import matplotlib.image

    data = (fitted[0] / "em.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = matplotlib.image.imread(fitted[0] / "em.png")
    assert image.shape[0] > 300 and image.shape[1] > 300


def test_every_output_file_round_trips(fitted, expected, tmp_path):
    from gmmlearn.io import write_likelihood, write_params, write_responsibilities

    out = fitted[0]
    params, resp, lls = (
        read_params(out / "params.dat"),
        read_responsibilities(out / "z.csv"),
        read_likelihood(out / "em_likelihood.txt"),
    )
    write_params(tmp_path / "params.dat", params)
    write_responsibilities(tmp_path / "z.csv", resp)
    write_likelihood(tmp_path / "em_likelihood.txt", lls)
    for name in ("z.csv", "em_likelihood.txt"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes()
    assert read_params(tmp_path / "params.dat").allclose(params, rtol=1e-13)


def test_quiet_prints_nothing_and_the_same_seed_reproduces(tmp_path, capsys, fitted):
    assert main(["fit", "--quiet", "--out", str(tmp_path)]) == 0
    assert capsys.readouterr() == ("", "")
    for name in ("z.csv", "params.dat", "em_likelihood.txt"):
        assert (tmp_path / name).read_bytes() == (fitted[0] / name).read_bytes()


def test_python_dash_m_gmmlearn_runs(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "gmmlearn", "fit", "-k", "3", "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("iter: 0, log likelihood: ")
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == sorted(OUTPUT_FILES)
    assert read_params(tmp_path / "o" / "params.dat").n_components == 3


def test_options_reach_the_fit(tmp_path):
    X = read_points(datasets.path("old_faithful.csv"))
    out = tmp_path / "faithful"
    args = ["fit", str(datasets.path("old_faithful.csv")), "-k", "2", "--out", str(out)]
    args += ["--covariance-type", "diag", "--init", "k-means++", "--seed", "3", "--tol", "1e-8"]
    assert main([*args, "-q"]) == 0
    params = read_params(out / "params.dat")
    expected = _library_trace(X, 2, "k-means++", 3, 1e-8, "diag")
    assert params.covariance_type == "diag"
    assert params.allclose(expected.final_params, rtol=1e-9)


def test_the_originals_initialisation_reaches_the_same_optimum_more_slowly(tmp_path, expected):
    assert main(["fit", "--init", "bounding-box", "--seed", "1", "-q", "--out", str(tmp_path)]) == 0
    lls = read_likelihood(tmp_path / "em_likelihood.txt")
    assert lls[-1] == pytest.approx(expected.log_likelihoods[-1], abs=1e-3)
    assert len(lls) > len(expected.log_likelihoods)


def test_one_column_data_is_one_dimensional(tmp_path):
    (tmp_path / "one.csv").write_text("\n".join(f"{v}" for v in datasets.load_x()[:500, 0]))
    assert main(["fit", str(tmp_path / "one.csv"), "-k", "2", "-q", "--out", str(tmp_path)]) == 0
    assert read_params(tmp_path / "params.dat").n_features == 1


def test_a_point_far_from_every_component_gets_finite_responsibilities(tmp_path):
    """The 2019 original divided 0 by 0 here: every π_k N(x | μ_k, Σ_k) underflowed to 0.

    Two tight clouds and one point far above them. k-means keeps the clouds apart rather
    than isolating the point, so it stays far (in Mahalanobis distance) from both components.
    """
    rng = np.random.default_rng(0)
    clouds = [rng.normal(size=(2500, 3)) + [x, 0, 0] for x in (-20, 20)]
    X = np.vstack([*clouds, [[0.0, 0.0, 1000.0]]])
    np.savetxt(tmp_path / "far.csv", X, delimiter=",")
    code = main(["fit", str(tmp_path / "far.csv"), "-k", "2", "-q", "--out", str(tmp_path / "o")])
    assert code == 0
    params = read_params(tmp_path / "o" / "params.dat")
    tiny = np.log(np.finfo(float).smallest_subnormal)
    assert np.all(log_weighted_densities(X[-1:], params) < tiny)  # far indeed
    resp = read_responsibilities(tmp_path / "o" / "z.csv")
    assert np.all(np.isfinite(resp))
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, atol=1e-12)
    assert np.all(np.isfinite(read_likelihood(tmp_path / "o" / "em_likelihood.txt")))


# ---------------------------------------------------------------------------
# Bad input: exit code 2, one line on stderr, nothing written
# ---------------------------------------------------------------------------

BAD_FILES = {
    "missing": (None, "no such file"),
    "ragged": ("1,2,3\n4,5,6\n7,8\n", "line 3: 2 values where line 1 has 3"),
    "non-numeric": ("1,2\nthree,4\n", "line 2, column 1: 'three' is not a number"),
    "empty": ("", "is empty"),
    "nan": ("1,2\n3,4\nnan,5\n", "line 3, column 1: 'nan' is not a finite number"),
}


def _assert_failed(code, capsys, message, out):
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err
    assert "Traceback" not in err
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_data_files(tmp_path, capsys, case):
    text, message = BAD_FILES[case]
    data = tmp_path / f"{case}.csv"
    if text is not None:
        data.write_text(text)
    out = tmp_path / "out"
    _assert_failed(main(["fit", str(data), "--out", str(out)]), capsys, message, out)


@pytest.mark.parametrize(
    "options, message",
    [
        (["-k", "0"], "--components: n_components must be at least 1, got 0"),
        (["-k", "-3"], "at least 1"),
        (["-k", "3001"], "n_components=3001 is larger than the number of points (3000)"),
        (["--max-iter", "0"], "--max-iter must be at least 1"),
        (["--tol", "-1"], "--tol: tol must be non-negative"),
        (["--reg-covar", "nan"], "--reg-covar: reg_covar must be non-negative"),
        (["--seed", "-1"], "--seed: seed must be non-negative"),
    ],
)
def test_bad_options(tmp_path, capsys, options, message):
    out = tmp_path / "out"
    _assert_failed(main(["fit", *options, "--out", str(out)]), capsys, message, out)


def test_k_larger_than_a_small_file(tmp_path, capsys):
    (tmp_path / "three.csv").write_text("1,2\n3,4\n5,7\n")
    out = tmp_path / "out"
    code = main(["fit", str(tmp_path / "three.csv"), "-k", "4", "--out", str(out)])
    _assert_failed(code, capsys, "larger than the number of points (3)", out)


def test_unwritable_output_folder_fails_before_the_run(tmp_path, capsys):
    (tmp_path / "afile").write_text("keep me")
    for out in (tmp_path / "afile", tmp_path / "afile" / "sub"):
        code = main(["fit", "--out", str(out)])
        _assert_failed(code, capsys, "is a file, not a folder", tmp_path / "nothing")
    assert (tmp_path / "afile").read_text() == "keep me"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anywhere")
def test_read_only_output_folder(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    try:
        code = main(["fit", "--out", str(locked / "out")])
        _assert_failed(code, capsys, "no permission to write", locked / "out")
    finally:
        locked.chmod(0o755)


def test_a_failure_while_writing_leaves_the_earlier_result_untouched(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    assert main(["fit", "-q", "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(gmmlearn.plotting.static, "em_figure", disk_full)
    code = main(["fit", "-k", "3", "-q", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and err == f"error: cannot write {out / 'em.png'}: No space left on device\n"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


# ---------------------------------------------------------------------------
# argparse
# ---------------------------------------------------------------------------


def test_usage_errors_exit_2(capsys):
    assert main([]) == 2
    assert main(["fit", "--init", "nope"]) == 2
    assert main(["fit", "-k", "four"]) == 2
    assert main(["fit", "--covariance-type", "round"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_help_explains_every_option_with_examples(capsys):
    assert main(["fit", "--help"]) == 0
    text = capsys.readouterr().out
    for option in ("--components", "--out", "--max-iter", "--tol", "--init", "--seed"):
        assert option in text
    for words in ("--covariance-type", "--reg-covar", "--quiet", "examples:", "gmm_out"):
        assert words in text
    assert "bounding-box' reproduces" in re.sub(r"\s+", " ", text)
    assert all(method in text for method in INIT_METHODS)


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"gmmlearn {gmmlearn.__version__}"


# ---------------------------------------------------------------------------
# A stdout that cannot take the progress never costs the fit (issue #14)


def _cli(args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "gmmlearn", *args], capture_output=True, text=True, **kwargs
    )


def test_a_pipe_closed_early_still_writes_the_results(tmp_path):
    out = tmp_path / "o"
    # `| head -1`: the reader goes away after the first line
    command = f"{sys.executable} -m gmmlearn fit --out {out} | head -1"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("iter: 0, log likelihood: ")
    assert result.stderr == ""  # a pipe closed on purpose is no error
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_stdout_still_writes_the_results(tmp_path):
    out = tmp_path / "o"
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "gmmlearn", "fit", "--out", str(out)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "warning: cannot print the progress (No space left on device); the run goes on"
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)


def test_seed_beyond_numpys_range_names_the_option(tmp_path, capsys):
    assert main(["fit", "--seed", str(2**32), "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err == (
        "error: --seed must be at most 4294967295 (2**32 - 1), got 4294967296\n"
    )
    assert not (tmp_path / "o").exists()
    assert main(["fit", "-q", "--seed", str(2**32 - 1), "--out", str(tmp_path / "o")]) == 0
    help_text = _cli(["fit", "--help"]).stdout
    assert "0 … 4294967295" in " ".join(help_text.split())


def test_many_components_no_raw_warning_and_a_legend_that_fits(tmp_path):
    result = _cli(["fit", "-k", "40", "-q", "--max-iter", "5", "--out", str(tmp_path / "o")])
    assert result.returncode == 0
    assert result.stderr == "" and result.stdout == ""


# ---------------------------------------------------------------------------
# SIGTERM and the leftovers of killed runs (issue #14)


def test_sigterm_while_writing_leaves_the_earlier_results_and_no_temporaries(
    tmp_path, capsys, monkeypatch
):
    import signal

    out = tmp_path / "o"
    assert main(["fit", "-q", "-k", "2", "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def killed(*args, **kwargs):  # the run is terminated while it writes em.png
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("SIGTERM did not stop the run")

    monkeypatch.setattr(gmmlearn.plotting.static, "em_figure", killed)
    assert main(["fit", "-q", "-k", "3", "--out", str(out)]) == 128 + signal.SIGTERM
    assert capsys.readouterr().err == "error: terminated; the result files were not changed\n"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no hidden file either
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # restored


def test_a_run_removes_what_a_killed_run_left_and_keeps_a_live_runs(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead = int(finished.stdout)  # that process has exited
    stale = [out / f".z.csv.{dead}.k3j2.tmp", out / f".em.png.{dead}.ab12.old"]
    live = out / f".z.csv.{os.getpid()}.x9y8.tmp"  # a run still writing: it holds a lock
    for path in (*stale, live):
        path.write_text("partial")
    import fcntl

    with open(live) as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert main(["fit", "-q", "-k", "2", "--out", str(out)]) == 0
    assert not any(p.exists() for p in stale)
    assert live.exists()
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == sorted(
        OUTPUT_FILES
    )


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc")
def test_an_out_folder_that_cannot_be_made_is_found_before_the_fit(capsys, monkeypatch):
    import gmmlearn.cli

    def no_fit(*args, **kwargs):
        raise AssertionError("the fit ran before --out was checked")

    monkeypatch.setattr(gmmlearn.cli, "run_em", no_fit)
    # os.access says yes for /proc as root; only making the folder tells
    assert main(["fit", "--out", "/proc/gmmlearn-results"]) == 2
    assert capsys.readouterr().err.startswith("error: cannot write into /proc/gmmlearn-results: ")


def test_an_empty_out_is_refused_and_new_folders_are_not_left_behind(tmp_path, capsys, monkeypatch):
    import gmmlearn.cli

    assert main(["fit", "--out", ""]) == 2
    assert capsys.readouterr().err.startswith("error: --out is empty: name a folder")

    def collapsed(*args, **kwargs):
        raise ValueError("component 1 collapsed")

    # a failure after the --out check: the folders made to probe it are gone again
    monkeypatch.setattr(gmmlearn.cli, "run_em", collapsed)
    assert main(["fit", "--out", str(tmp_path / "a" / "b")]) == 2
    assert capsys.readouterr().err == "error: component 1 collapsed\n"
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------
# Permission errors, also as root (CI runs as root, where chmod does not stop anyone)


def test_an_unreadable_file_gives_one_line_as_anyone(tmp_path, capsys, monkeypatch):
    data = tmp_path / "data.csv"
    data.write_text("1,2\n3,4\n5,7\n")
    import builtins

    import gmmlearn.io

    def denied(file, *args, **kwargs):
        if os.fspath(file) == str(data):
            raise PermissionError(13, "Permission denied")
        return builtins.open(file, *args, **kwargs)

    monkeypatch.setattr(gmmlearn.io, "open", denied, raising=False)
    assert main(["fit", str(data), "-k", "1", "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err == f"error: cannot read {data}: Permission denied\n"
    assert not (tmp_path / "o").exists()


def test_an_out_folder_without_permission_gives_one_line_as_anyone(tmp_path, capsys, monkeypatch):
    import gmmlearn.cli

    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.access
    monkeypatch.setattr(
        gmmlearn.cli.os, "access", lambda p, mode: False if p == locked else real(p, mode)
    )
    assert main(["fit", "--out", str(locked / "out")]) == 2
    assert capsys.readouterr().err == (
        f"error: cannot write into {locked / 'out'}: no permission to write in {locked}\n"
    )
    assert list(locked.iterdir()) == []


# ---------------------------------------------------------------------------
# Progress: live, and on large inputs also while reading and writing


def test_progress_lines_come_while_em_runs_not_after(tmp_path, monkeypatch):
    import gmmlearn.cli

    events = []
    monkeypatch.setattr(gmmlearn.cli._Progress, "say", lambda self, text: events.append(text))
    real_run_em = gmmlearn.cli.run_em

    def watched_run_em(*args, **kwargs):
        trace = real_run_em(*args, **kwargs)
        events.append("run_em returned")
        return trace

    monkeypatch.setattr(gmmlearn.cli, "run_em", watched_run_em)
    assert main(["fit", "--out", str(tmp_path / "o"), "--max-iter", "5", "--tol", "0"]) == 0
    end = events.index("run_em returned")
    assert [e.split(",")[0] for e in events[:end]] == [f"iter: {t}" for t in range(6)]


def test_large_inputs_say_what_they_are_doing(tmp_path, capsys, monkeypatch):
    import gmmlearn.cli

    monkeypatch.setattr(gmmlearn.cli, "LARGE_FILE", 1000)
    monkeypatch.setattr(gmmlearn.cli, "LARGE_RESULTS", 1000)
    data = tmp_path / "faithful.csv"
    data.write_bytes(datasets.path("old_faithful.csv").read_bytes())
    assert main(["fit", str(data), "-k", "2", "--out", str(tmp_path / "o")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(rf"reading {re.escape(str(data))} \(\d+ MB\)…", lines[0])
    assert lines[1] == "line 1 taken for column names: eruptions,waiting"
    assert re.fullmatch(r"read 272 points × 2 in \d+\.\d s", lines[2])
    assert lines[3] == "initialising K = 2 (kmeans)…"
    assert lines[4].startswith("iter: 0, log likelihood: ")
    writing = lines.index(
        f"writing z.csv, params.dat, em_likelihood.txt, em.png into {tmp_path / 'o'}…"
    )
    assert lines[writing - 1].startswith("iter: ")
    assert re.fullmatch(r"written in \d+\.\d s", lines[writing + 1])
    assert lines[writing + 2].startswith("converged after")


def test_small_inputs_keep_the_originals_lines(tmp_path, capsys):
    assert main(["fit", "--out", str(tmp_path / "o")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("iter: 0, log likelihood: ")
    assert not any(line.startswith(("reading", "writing", "line 1 taken")) for line in lines)
