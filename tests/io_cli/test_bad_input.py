"""Every kind of bad input gets one clear line: the library, the estimator and the command line.

The table ``ROWS`` has one row per kind of bad input (issue #7). Each row says, for each layer
where it applies, how to provoke it and what the message must say:

* library: ``gmmlearn.initialize`` then ``gmmlearn.run_em`` (and ``gmmlearn.io`` for files)
  raise ``ValueError``/``TypeError`` (``OSError`` for files) with a one-line message naming
  the problem and the fix;
* estimator: ``GaussianMixture(...).fit(X)`` (or ``predict``) does the same;
* CLI: ``gmmlearn fit`` exits with code 2, prints exactly one line ``error: …`` on stderr and
  no traceback, and changes no file (an earlier result in the output folder is kept).

Choices made here (and in :mod:`gmmlearn.validation`): more components than *distinct* points,
all points equal, and a constant column are refused before fitting (a fit would only collapse
onto reg_covar); data beyond ±1e100, or a column whose spread is below 1e-100, are refused with
a suggestion to rescale (no silent rescaling).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from gmmlearn import GaussianMixture, initialize, run_em
from gmmlearn.cli import main
from gmmlearn.io import read_points, write_results

AS_ROOT = os.name == "posix" and os.geteuid() == 0


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


def _blobs(n_samples: int = 60) -> np.ndarray:
    """Three separated clusters in 2-D (fixed seed)."""
    rng = np.random.default_rng(7)
    centres = np.array([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]])
    return centres[np.arange(n_samples) % 3] + rng.normal(size=(n_samples, 2))


X = _blobs()


def _with(value, row: int = 3, column: int = 1) -> np.ndarray:
    bad = X.copy()
    bad[row, column] = value
    return bad


def _csv(data: np.ndarray) -> str:
    return "\n".join(",".join(repr(float(v)) for v in row) for row in data) + "\n"


THREE_POINTS = np.repeat([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], 20, axis=0)
CONSTANT_COLUMN = np.column_stack([X[:, 0], np.full(len(X), 5.0)])
ALL_EQUAL = np.full((60, 2), 2.5)
HUGE = X * 1e150
TINY = X * 1e-150
OBJECTS = X.astype(object)
OBJECTS[1, 1] = "n/a"


# ---------------------------------------------------------------------------
# The three layers
# ---------------------------------------------------------------------------


def library_fit(
    data,
    n_components=2,
    *,
    covariance_type="full",
    init="kmeans",
    reg_covar=1e-6,
    tol=1e-3,
    max_iter=20,
    **initial,
):
    """What a student writes: θ₀ by ``initialize``, then ``run_em``."""
    theta0 = initialize(
        data,
        n_components,
        init,
        covariance_type=covariance_type,
        reg_covar=reg_covar,
        random_state=0,
        **initial,
    )
    return run_em(data, theta0, max_iter=max_iter, tol=tol, reg_covar=reg_covar)


def estimator_fit(data, **params):
    return GaussianMixture(**{"n_components": 2, "random_state": 0, **params}).fit(data)


def _good_theta0():
    return initialize(X, 2, random_state=0)


FOLDER, BINARY, MISSING = "<folder>", b"\x89PNG\r\n\x1a\n\x00\xff\xfe", None


def _in_a_temporary_folder(action):
    with tempfile.TemporaryDirectory() as folder:
        return action(Path(folder) / "points.csv")


def _read_binary(path: Path):
    path.write_bytes(BINARY)
    return read_points(path)


def _write_into_a_file(path: Path):
    path.write_text(GOOD_CSV)
    return write_results(path, library_fit(X, max_iter=1))


@dataclass(frozen=True)
class Case:
    """How one layer meets one kind of bad input, and what its message must match."""

    run: Callable | tuple  # a call for library/estimator; (data file, options) for the CLI
    match: str
    error: type = ValueError


@dataclass(frozen=True)
class Row:
    kind: str
    library: Case | None = None
    estimator: Case | None = None
    cli: Case | None = None
    needs: dict = field(default_factory=dict)  # pytest marks by layer


def _cli(data, *options: str) -> tuple:
    return data, list(options)


GOOD_CSV = _csv(X)

ROWS = [
    # -- the data ---------------------------------------------------------------------
    Row(
        "NaN in X",
        Case(
            lambda: library_fit(_with(np.nan)),
            r"X contains NaN \(first in row 3, column 1\): "
            r"drop or impute those rows",
        ),
        Case(lambda: estimator_fit(_with(np.nan)), r"X contains NaN .*drop or impute"),
        Case(
            _cli("1,2\n3,4\n5,6\n7,nan\n"),
            r"line 4, column 2: 'nan' is not a finite number; "
            r"drop or impute that point",
        ),
    ),
    Row(
        "inf in X",
        Case(lambda: library_fit(_with(-np.inf)), r"X contains inf \(first in row 3, column 1\)"),
        Case(lambda: estimator_fit(_with(np.inf)), r"X contains inf .*drop or impute"),
        Case(_cli("1,2\n3,4\n5,6\n7,-inf\n"), r"line 4, column 2: '-inf' is not a finite number"),
    ),
    Row(
        "empty X",
        Case(lambda: library_fit(np.empty((0, 2))), r"X has 0 sample\(s\).*pass more points"),
        Case(lambda: estimator_fit(np.empty((0, 2))), r"X has 0 sample\(s\).*pass more points"),
        Case(_cli("# only a comment\n\n"), r"data\.csv is empty: give one point a line"),
    ),
    Row(
        "X without columns",
        Case(lambda: library_fit(np.empty((5, 0))), r"0 feature\(s\).*at least one column"),
        Case(lambda: estimator_fit(np.empty((5, 0))), r"0 feature\(s\).*at least one column"),
    ),
    Row(
        "1-D X",
        Case(
            lambda: library_fit(X[:, 0]),
            r"X is 1-D \(shape \(60,\)\)\. Reshape your data to "
            r"\(n_samples, n_features\): X\.reshape\(-1, 1\)",
        ),
        Case(lambda: estimator_fit(X[:, 0]), r"X is 1-D .*X\.reshape\(-1, 1\)"),
    ),
    Row(
        "3-D X",
        Case(lambda: library_fit(X.reshape(6, 10, 2)), r"must be 2-D .*got 3-D .*reshape it"),
        Case(lambda: estimator_fit(X.reshape(6, 10, 2)), r"must be 2-D .*got 3-D"),
    ),
    Row(
        "ragged X",
        Case(
            lambda: library_fit([[1.0, 2.0], [3.0], [4.0, 5.0]]),
            r"X is ragged \(rows of "
            r"different lengths\): give every row the same number of values",
        ),
        Case(lambda: estimator_fit([[1.0, 2.0], [3.0], [4.0, 5.0]]), r"X is ragged"),
        Case(
            _cli("1,2,3\n4,5,6\n7,8\n"),
            r"line 3: 2 values where line 1 has 3; give every "
            r"line the same number of comma-separated values",
        ),
    ),
    Row(
        "non-numeric X",
        Case(
            lambda: library_fit(X.astype(str)),
            r"X holds strings \(dtype <U\d+\), not "
            r"numbers: convert them",
            TypeError,
        ),
        Case(lambda: estimator_fit(X.astype(str)), r"X holds strings", TypeError),
        Case(
            _cli("1,2\nthree,4\n"),
            r"line 2, column 1: 'three' is not a number; fix or "
            r"delete that line",
        ),
    ),
    Row(
        "object X holding a non-number",
        Case(
            lambda: library_fit(OBJECTS),
            r"X\[1, 1\] = .n/a. is not a number .*pass numbers "
            r"only",
            TypeError,
        ),
        Case(lambda: estimator_fit(OBJECTS), r"X\[1, 1\] = .n/a. is not a number", TypeError),
    ),
    Row(
        "complex X",
        Case(
            lambda: library_fit(X + 1j),
            r"Complex data not supported: X is complex; pass "
            r"real numbers",
        ),
        Case(lambda: estimator_fit(X + 1j), r"Complex data not supported.*pass real numbers"),
    ),
    Row(
        "sparse X",
        Case(
            lambda: library_fit(sparse.csr_matrix(X)), r"sparse matrix: .*X\.toarray\(\)", TypeError
        ),
        Case(lambda: estimator_fit(sparse.csr_matrix(X)), r"sparse matrix", TypeError),
    ),
    Row(
        "values too large (1e150)",
        Case(
            lambda: library_fit(HUGE),
            r"X has values as large as \d\.\d+e\+150 \(row \d+, "
            r"column \d\), beyond ±1e\+100 .*: rescale the data, e\.g\. divide each column",
        ),
        Case(lambda: estimator_fit(HUGE), r"values as large as .*rescale the data"),
        Case(_cli(_csv(HUGE)), r"values as large as \d\.\d+e\+150 .*rescale the data"),
    ),
    Row(
        "spread too small (1e-150)",
        Case(
            lambda: library_fit(TINY),
            r"column 0 of X varies by only \d\.\d+e-150, below "
            r"1e-100 .*: rescale the data, e\.g\. divide each column",
        ),
        Case(lambda: estimator_fit(TINY), r"varies by only .*e-150.*rescale the data"),
        Case(_cli(_csv(TINY)), r"column 1 of .*data\.csv varies by only .*rescale the data"),
    ),
    Row(
        "a constant column",
        Case(
            lambda: library_fit(CONSTANT_COLUMN),
            r"column 1 of X is constant \(every value "
            r"is 5\): .*drop it",
        ),
        Case(lambda: estimator_fit(CONSTANT_COLUMN), r"column 1 of X is constant .*drop it"),
        Case(_cli(_csv(CONSTANT_COLUMN)), r"column 2 of .*data\.csv is constant .*drop it"),
    ),
    Row(
        "all points equal",
        Case(
            lambda: library_fit(ALL_EQUAL, 1),
            r"all 60 points of X are equal: there is "
            r"nothing to fit; pass at least 2 distinct points",
        ),
        Case(lambda: estimator_fit(ALL_EQUAL, n_components=1), r"all 60 points of X are equal"),
        Case(_cli(_csv(ALL_EQUAL), "-k", "1"), r"all 60 points of .*data\.csv are equal"),
    ),
    # -- the files ----------------------------------------------------------------------
    Row(
        "a missing file",
        Case(
            lambda: read_points("no/such/points.csv"),
            r"cannot read no/such/points\.csv: no "
            r"such file",
            FileNotFoundError,
        ),
        cli=Case(_cli(MISSING), r"cannot read .*data\.csv: no such file"),
    ),
    Row(
        "a folder given as the file",
        Case(
            lambda: read_points(Path(__file__).parent),
            r"it is a folder, not a file",
            IsADirectoryError,
        ),
        cli=Case(_cli(FOLDER), r"cannot read .*data\.csv: it is a folder, not a file"),
    ),
    Row(
        "a binary file",
        Case(
            lambda: _in_a_temporary_folder(_read_binary),
            r"cannot read .*points\.csv: not a "
            r"text file; give comma-separated numbers",
        ),
        cli=Case(
            _cli(BINARY),
            r"cannot read .*data\.csv: not a text file; give "
            r"comma-separated numbers",
        ),
    ),
    Row(
        "an unreadable file (no permission)",
        cli=Case(_cli("<no permission>"), r"cannot read .*data\.csv: Permission denied"),
        needs={"cli": pytest.mark.skipif(AS_ROOT, reason="root may read anything")},
    ),
    Row(
        "an output folder that is a file",
        Case(
            lambda: _in_a_temporary_folder(_write_into_a_file),
            r"cannot write into "
            r".*points\.csv: it is a file, not a folder",
            FileExistsError,
        ),
        cli=Case(
            _cli(GOOD_CSV, "--out", "{tmp}/data.csv"),
            r"cannot write into .*data\.csv: "
            r".*is a file, not a folder",
        ),
    ),
    Row(
        "an output folder inside a file",
        cli=Case(_cli(GOOD_CSV, "--out", "{tmp}/data.csv/out"), r"is a file, not a folder"),
    ),
    Row(
        "an output folder without permission",
        cli=Case(_cli(GOOD_CSV, "--out", "{tmp}/locked/out"), r"no permission to write in"),
        needs={"cli": pytest.mark.skipif(AS_ROOT, reason="root may write anywhere")},
    ),
    # -- the number of components ------------------------------------------------------
    Row(
        "K < 1",
        Case(
            lambda: library_fit(X, 0),
            r"n_components must be at least 1, got 0: use 1 or "
            r"more components",
        ),
        Case(
            lambda: estimator_fit(X, n_components=-1),
            r"'n_components' parameter of "
            r"GaussianMixture must be an int in the range \[1, inf\)\. Got -1",
        ),
        Case(_cli(GOOD_CSV, "-k", "0"), r"--components: n_components must be at least 1"),
    ),
    Row(
        "K not an integer",
        Case(lambda: library_fit(X, 2.5), r"n_components must be an integer, got 2\.5", TypeError),
        Case(
            lambda: estimator_fit(X, n_components=2.5),
            r"'n_components' parameter .* must be "
            r"an int",
        ),
        Case(
            _cli(GOOD_CSV, "-k", "2.5"),
            r"argument -k/--components: invalid int value: "
            r"'2\.5'; see 'gmmlearn fit --help'",
        ),
    ),
    Row(
        "K > number of points",
        Case(
            lambda: library_fit(X, 61),
            r"n_components=61 is larger than the number of "
            r"points \(60\): use at most 60 components",
        ),
        Case(
            lambda: estimator_fit(X, n_components=61),
            r"n_components=61 is larger than the "
            r"number of points \(60\)",
        ),
        Case(_cli(GOOD_CSV, "-k", "61"), r"n_components=61 is larger than the number of points"),
    ),
    Row(
        "K > number of distinct points",
        Case(
            lambda: library_fit(THREE_POINTS, 4),
            r"X has only 3 distinct points but "
            r"n_components=4: use at most 3 components",
        ),
        Case(lambda: estimator_fit(THREE_POINTS, n_components=4), r"only 3 distinct points"),
        Case(_cli(_csv(THREE_POINTS), "-k", "4"), r"only 3 distinct points but n_components=4"),
    ),
    # -- the initial parameters ------------------------------------------------------
    Row(
        "weights_init of the wrong shape",
        Case(
            lambda: library_fit(X, weights_init=np.ones(3) / 3),
            r"weights_init has shape "
            r"\(3,\) but .* need \(2,\): fix its shape or n_components",
        ),
        Case(lambda: estimator_fit(X, weights_init=np.ones(3) / 3), r"weights_init has shape"),
    ),
    Row(
        "means_init of the wrong shape",
        Case(
            lambda: library_fit(X, means_init=np.zeros((2, 3))),
            r"means_init has shape "
            r"\(2, 3\) but .*need \(2, 2\)",
        ),
        Case(lambda: estimator_fit(X, means_init=np.zeros((2, 3))), r"means_init has shape"),
    ),
    Row(
        "precisions_init of the wrong shape",
        Case(
            lambda: library_fit(X, covariance_type="diag", precisions_init=np.ones((2, 2, 2))),
            r"precisions_init has shape \(2, 2, 2\) but .*covariance_type='diag' need "
            r"\(2, 2\)",
        ),
        Case(lambda: estimator_fit(X, precisions_init=np.ones(2)), r"precisions_init has shape"),
    ),
    # numpy's own messages ("could not convert string to float", "setting an array element
    # with a sequence", a ComplexWarning) must not reach the user
    Row(
        "strings in means_init",
        estimator=Case(
            lambda: estimator_fit(X, means_init=[["a", "b"], ["c", "d"]]),
            r"^means_init holds something that is not a number \(dtype <U1\): pass numbers",
            TypeError,
        ),
    ),
    Row(
        "ragged precisions_init",
        estimator=Case(
            lambda: estimator_fit(X, precisions_init=[np.eye(2), np.eye(3)]),
            r"^precisions_init is ragged \(rows of different lengths\): pass a rectangular",
        ),
    ),
    Row(
        "complex means_init",
        estimator=Case(
            lambda: estimator_fit(X, means_init=np.zeros((2, 2)) + 1j),
            r"^means_init is complex: pass real numbers, e.g. np.real\(means_init\)",
        ),
    ),
    Row(
        "negative initial weights",
        Case(
            lambda: library_fit(X, weights_init=[1.5, -0.5]),
            r"weights_init\[1\] = -0\.5 is "
            r"negative: .*pass values ≥ 0 that sum to 1",
        ),
        Case(
            lambda: estimator_fit(X, weights_init=[1.5, -0.5]),
            r"weights_init\[1\] = -0\.5 is "
            r"negative: .*pass values ≥ 0 that sum to 1",
        ),
    ),
    Row(
        "initial weights not summing to 1",
        Case(
            lambda: library_fit(X, weights_init=[0.3, 0.3]),
            r"weights_init sums to 0\.6, not "
            r"1: pass weights_init / weights_init\.sum\(\)",
        ),
        Case(
            lambda: estimator_fit(X, weights_init=[0.3, 0.3]),
            r"weights_init sums to 0\.6, not "
            r"1: pass weights_init / weights_init\.sum\(\)",
        ),
    ),
    Row(
        "initial precisions not symmetric",
        Case(
            lambda: library_fit(X, precisions_init=[np.eye(2), [[1, 0.5], [0, 1]]]),
            r"precisions_init\[1\] is not symmetric: pass \(P \+ P\.T\) / 2",
        ),
        Case(
            lambda: estimator_fit(X, covariance_type="tied", precisions_init=[[1, 0.5], [0, 1]]),
            r"precisions_init is not symmetric: pass \(P \+ P\.T\) / 2",
        ),
    ),
    Row(
        "initial precisions not positive definite",
        Case(
            lambda: library_fit(X, precisions_init=[np.eye(2), [[1, 2], [2, 1]]]),
            r"precisions_init\[1\] is not positive definite \(smallest eigenvalue -1\): pass "
            r"the inverse of a covariance matrix",
        ),
        Case(
            lambda: estimator_fit(X, precisions_init=[np.eye(2), [[1, 2], [2, 1]]]),
            r"precisions_init\[1\] is not positive definite \(smallest eigenvalue -1\)",
        ),
    ),
    Row(
        "initial variances not positive (diag)",
        Case(
            lambda: library_fit(X, covariance_type="diag", precisions_init=[[1, 1], [1, 0]]),
            r"precisions_init has the entry 0 ≤ 0: .*pass positive values",
        ),
        Case(
            lambda: estimator_fit(X, covariance_type="diag", precisions_init=[[1, 1], [1, 0]]),
            r"precisions_init has the entry 0 ≤ 0: .*pass positive values",
        ),
    ),
    Row(
        "NaN in the initial parameters",
        Case(
            lambda: library_fit(X, means_init=np.full((2, 2), np.nan)),
            r"means_init contains "
            r"NaN or inf: pass finite numbers",
        ),
        Case(
            lambda: estimator_fit(X, means_init=np.full((2, 2), np.nan)),
            r"means_init "
            r"contains NaN",
        ),
    ),
    Row(
        "θ₀ of another dimension than X",
        Case(
            lambda: run_em(X[:, :1], _good_theta0()),
            r"X has 1 features but initial_params "
            r"has 2: give θ₀ means of the same dimension as the data",
        ),
        Case(
            lambda: estimator_fit(X).predict(X[:, :1]),
            r"X has 1 features, but "
            r"GaussianMixture is expecting 2 features",
        ),
    ),
    Row(
        "θ₀ that is not a parameter value",
        Case(
            lambda: run_em(X, {"weights": [1.0]}),
            r"initial_params must be a "
            r"GaussianMixtureParams, got dict: make one with gmmlearn\.initialize",
            TypeError,
        ),
    ),
    # -- the options -------------------------------------------------------------------
    Row(
        "negative reg_covar",
        Case(
            lambda: library_fit(X, reg_covar=-1e-6),
            r"reg_covar must be non-negative and "
            r"finite, got -1e-06: pass a number ≥ 0",
        ),
        Case(
            lambda: estimator_fit(X, reg_covar=-1e-6),
            r"'reg_covar' parameter of "
            r"GaussianMixture must be a float in the range \[0\.0, inf\)",
        ),
        Case(
            _cli(GOOD_CSV, "--reg-covar", "-0.001"),
            r"--reg-covar: reg_covar must be "
            r"non-negative",
        ),
    ),
    Row(
        "negative tol",
        Case(lambda: run_em(X, _good_theta0(), tol=-1.0), r"tol must be non-negative and finite"),
        Case(lambda: estimator_fit(X, tol=-1.0), r"'tol' parameter of GaussianMixture must be"),
        Case(_cli(GOOD_CSV, "--tol", "-1"), r"--tol: tol must be non-negative"),
    ),
    Row(
        "negative max_iter",
        Case(lambda: run_em(X, _good_theta0(), max_iter=-1), r"max_iter must be non-negative"),
        Case(
            lambda: estimator_fit(X, max_iter=-1),
            r"'max_iter' parameter of GaussianMixture "
            r"must be an int in the range \[0, inf\)",
        ),
        Case(
            _cli(GOOD_CSV, "--max-iter", "-1"),
            r"--max-iter must be at least 1, got -1: "
            r"pass 1 or more",
        ),
    ),
    Row(
        "unknown covariance type",
        Case(
            lambda: library_fit(X, covariance_type="round"),
            r"unknown covariance_type "
            r"'round': use one of 'full', 'tied', 'diag', 'spherical'",
        ),
        Case(
            lambda: estimator_fit(X, covariance_type="round"),
            r"'covariance_type' parameter "
            r"of GaussianMixture must be a str among",
        ),
        Case(
            _cli(GOOD_CSV, "--covariance-type", "round"),
            r"argument --covariance-type: "
            r"invalid choice: 'round'",
        ),
    ),
    Row(
        "unknown init name",
        Case(
            lambda: library_fit(X, init="kmeans++"),
            r"unknown init method 'kmeans\+\+': use "
            r"one of 'kmeans', 'k-means\+\+'",
        ),
        Case(
            lambda: estimator_fit(X, init_params="kmeans++"),
            r"'init_params' parameter of "
            r"GaussianMixture must be a str among",
        ),
        Case(
            _cli(GOOD_CSV, "--init", "kmeans++"),
            r"argument --init: invalid choice: "
            r"'kmeans\+\+'",
        ),
    ),
]


def _cases(layer: str) -> list:
    return [
        pytest.param(getattr(row, layer), id=row.kind, marks=row.needs.get(layer, ()))
        for row in ROWS
        if getattr(row, layer) is not None
    ]


def _assert_one_clear_line(message: str, case: Case) -> None:
    assert message and "\n" not in message, f"not one line: {message!r}"
    assert re.search(case.match, message), f"{message!r} does not match {case.match!r}"


# ---------------------------------------------------------------------------
# The table, layer by layer
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", _cases("library"))
def test_library(case):
    with pytest.raises(case.error) as info:
        case.run()
    assert type(info.value).__module__ == "builtins", "a numpy/scipy/sklearn error leaked out"
    _assert_one_clear_line(str(info.value), case)


@pytest.mark.parametrize("case", _cases("estimator"))
def test_estimator(case):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy warning (e.g. ComplexWarning) on the way
        with pytest.raises(case.error) as info:
            case.run()
    _assert_one_clear_line(str(info.value), case)


def _snapshot(folder: Path) -> dict:
    """Every file and folder below ``folder``: a file's bytes and time of change (folder: None)."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns) if p.is_file() else None
        for p in sorted(folder.rglob("*"))
        if os.access(p, os.R_OK)
    }


@pytest.mark.parametrize("case", _cases("cli"))
def test_cli(case, tmp_path, capsys):
    data, options = case.run
    path = tmp_path / "data.csv"
    if data == FOLDER:
        path.mkdir()
    elif data == "<no permission>":
        path.write_text(GOOD_CSV)
        path.chmod(0)
    elif isinstance(data, bytes):
        path.write_bytes(data)
    elif data is not MISSING:
        path.write_text(data)
    (tmp_path / "locked").mkdir(mode=0o555)
    out = tmp_path / "out"  # holds an earlier result, which must survive
    out.mkdir()
    (out / "z.csv").write_text("earlier result\n")
    options = [o.replace("{tmp}", str(tmp_path)) for o in options]
    if "--out" not in options:
        options += ["--out", str(out)]
    before = _snapshot(tmp_path)
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(["fit", str(path), *options])
    finally:
        (tmp_path / "locked").chmod(0o755)
    err = stderr.getvalue()
    assert code == 2
    assert err.startswith("error: ") and err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err and stdout.getvalue() == ""
    _assert_one_clear_line(err[len("error: ") : -1], case)
    assert _snapshot(tmp_path) == before, "the failed run changed or added a file"


def test_the_table_covers_every_kind_the_issue_names():
    kinds = {row.kind for row in ROWS}
    assert len(kinds) == len(ROWS), "two rows of the same kind"
    named = [
        "NaN in X",
        "inf in X",
        "empty X",
        "1-D X",
        "ragged X",
        "non-numeric X",
        "a missing file",
        "an unreadable file (no permission)",
        "an output folder that is a file",
        "K < 1",
        "K > number of distinct points",
        "a constant column",
        "all points equal",
        "weights_init of the wrong shape",
        "negative initial weights",
        "initial weights not summing to 1",
        "initial precisions not symmetric",
        "initial precisions not positive definite",
        "negative reg_covar",
        "negative tol",
        "negative max_iter",
        "unknown covariance type",
        "unknown init name",
        "complex X",
        "object X holding a non-number",
        "values too large (1e150)",
        "spread too small (1e-150)",
    ]
    assert set(named) <= kinds


# ---------------------------------------------------------------------------
# A failure part-way through writing: no partial file, no earlier file overwritten
# ---------------------------------------------------------------------------


def _fail_at_rename(monkeypatch, number: int, error: BaseException) -> None:
    """Make the ``number``-th ``os.replace`` of gmmlearn.io raise ``error`` (the rest work)."""
    import gmmlearn.io

    real, calls = os.replace, []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == number:
            raise error
        return real(src, dst)

    monkeypatch.setattr(gmmlearn.io.os, "replace", replace)


@pytest.mark.parametrize(
    "error, code, message",
    [
        (
            OSError(28, "No space left on device"),
            2,
            "error: cannot write {out}/em_likelihood.txt: No space left on device\n",
        ),
        (KeyboardInterrupt(), 130, "error: interrupted; the result files were not changed\n"),
    ],
    ids=["disk full", "interrupted"],
)
@pytest.mark.parametrize("earlier", [True, False], ids=["over an earlier result", "fresh"])
def test_a_failure_between_renames_puts_the_earlier_files_back(
    tmp_path, monkeypatch, capsys, error, code, message, earlier
):
    (tmp_path / "x.csv").write_text(GOOD_CSV)
    out = tmp_path / "out"
    if earlier:
        assert main(["fit", str(tmp_path / "x.csv"), "-k", "2", "-q", "--out", str(out)]) == 0
    before = _snapshot(tmp_path)
    _fail_at_rename(monkeypatch, 3, error)  # z.csv and params.dat are already renamed by then
    result = main(["fit", str(tmp_path / "x.csv"), "-k", "3", "-q", "--out", str(out)])
    assert result == code
    assert capsys.readouterr().err == message.format(out=out)
    # (a folder created for the run is removed again: issue 22 item 17)
    assert _snapshot(tmp_path) == before
