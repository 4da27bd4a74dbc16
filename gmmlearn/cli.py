"""The ``gmmlearn`` command: the 2019 notebook as a program.

``gmmlearn fit [X.csv]`` reads points, runs EM, prints the log-likelihood of every step and
writes the original's four files (``z.csv``, ``params.dat``, ``em_likelihood.txt``,
``em.png``) into a folder. Bad input ends with one line ``error: …`` on stderr and exit code 2,
and leaves the folder as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__, datasets
from .initialization import INIT_METHODS, initialize
from .io._atomic import remove_folder_if_free
from .io.formats import OUTPUT_FILES, write_results
from .io.tables import _is_number, read_points
from .params import COVARIANCE_TYPES
from .trace import EMTrace, run_em
from .validation import check_data, check_fit_data, check_n_components, check_nonnegative

__all__ = ["build_parser", "main"]

DEFAULT_OUT = "gmm_out"
EXIT_USAGE = 2
MAX_SEED = 2**32 - 1  # numpy's limit for a seed
LARGE_FILE = 20e6  # bytes of input from which reading is announced
LARGE_RESULTS = 2e6  # N·D·K from which writing is announced
TRANSPOSED_BYTES = 2**30  # one D×D matrix this large, with D > N: rather a transposed file

_EXAMPLES = """\
examples:
  gmmlearn fit
      the shipped x.csv (3000 points in 3-D), K=4, results in ./gmm_out
  gmmlearn fit points.csv -k 3 --out run1
      your own data, 3 components, results in ./run1
  gmmlearn fit --init bounding-box --seed 1 --out original
      the 2019 original's initialisation (watch it need many more iterations)
  zcat points.csv.gz | gmmlearn fit - -k 3
      points from a pipe (read once: no row is lost)
  gmmlearn fit faithful.csv -k 2 --covariance-type diag
      2 components with diagonal covariances (a first line of column names is skipped)
  python -m gmmlearn fit --quiet
      the same program without the console script, printing nothing

files written into --out (created if needed; all four are replaced together or not at all):
  z.csv              responsibilities γ_nk of the final θ: N lines of K values
  params.dat         weights π_k, means μ_k and precision matrices Λ_k = Σ_k⁻¹
  em_likelihood.txt  step<TAB>log-likelihood, step 0 being the initialisation
  em.png             the points coloured by their most probable component, means marked
"""


# ---------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse whose usage errors are one line ``error: …`` (exit code 2), like every error."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"error: {message}; see '{self.prog} --help'\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``gmmlearn`` (one sub-command, ``fit``)."""
    parser = _Parser(
        prog="gmmlearn",
        description="Fit a Gaussian mixture by EM (Bishop, PRML §9.2) and write the results.",
        epilog="Run 'gmmlearn fit --help' for the options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    fit = commands.add_parser(
        "fit",
        help="fit a mixture to a CSV file of points and write z.csv, params.dat, "
        "em_likelihood.txt and em.png",
        description="Fit a K-component Gaussian mixture to points by EM (Bishop, PRML §9.2),\n"
        "print the log-likelihood after every step, and write the four result files.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fit.add_argument(
        "data",
        nargs="?",
        metavar="X.csv",
        help="comma-separated points, one a line, no header needed; '-' reads them from "
        "standard input (default: the shipped x.csv, four blobs in 3-D; see gmmlearn.datasets)",
    )
    fit.add_argument(
        "-k",
        "--components",
        type=int,
        default=4,
        metavar="K",
        help="number of mixture components, 1 ≤ K ≤ number of points (default: %(default)s)",
    )
    fit.add_argument(
        "-o",
        "--out",
        default=DEFAULT_OUT,
        metavar="DIR",
        help="folder for the four result files, created if needed (default: ./%(default)s)",
    )
    _add_run_options(fit)
    fit.set_defaults(run=_run_fit)
    return parser


def _add_run_options(fit: argparse.ArgumentParser) -> None:
    """The options of ``gmmlearn fit`` that shape the run: iterations, θ₀, Σ_k, output."""
    fit.add_argument(
        "--max-iter",
        type=int,
        default=100,
        metavar="N",
        help="at most this many EM iterations (default: %(default)s)",
    )
    fit.add_argument(
        "--tol",
        type=float,
        default=1e-5,
        help="stop when the total log-likelihood ln p(X|θ) gains less than TOL in an "
        "iteration, as in the 2019 original (default: %(default)s)",
    )
    fit.add_argument(
        "--init",
        choices=INIT_METHODS,
        default="kmeans",
        help="how to choose the starting θ₀: 'kmeans' is robust; 'bounding-box' reproduces "
        "the 2019 original (random means in the data's range); the others are "
        "scikit-learn's (default: %(default)s)",
    )
    fit.add_argument(
        "--seed",
        type=int,
        default=0,
        help="random seed of the initialisation, 0 … 4294967295 (2**32 - 1): the same seed "
        "gives the same run (default: %(default)s)",
    )
    fit.add_argument(
        "--covariance-type",
        choices=COVARIANCE_TYPES,
        default="full",
        help="shape of each Σ_k: full matrices, one shared (tied), diagonal, or spherical σ²I "
        "(default: %(default)s)",
    )
    fit.add_argument(
        "--reg-covar",
        type=float,
        default=1e-6,
        help="added to the diagonal of every Σ_k so that it stays invertible "
        "(default: %(default)s)",
    )
    fit.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing but warnings and errors"
    )


# ---------------------------------------------------------------------------
# fit
# ---------------------------------------------------------------------------


def _option(name: str, check: Callable, *args, **kwargs):
    """Run a validation check, naming the command-line option in its message."""
    try:
        return check(*args, **kwargs)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{name}: {exc}") from None


def _check_out_dir(out: Path) -> None:
    """Fail before the run, not after it, if nothing can be written into ``out``."""
    for _ in range(3):
        try:
            return _probe_out_dir(out)
        except _Vanished:  # another run removed its probe folder under ours: again
            continue
    raise OSError(f"cannot write into {out}: other runs keep making and removing it")


class _Vanished(Exception):
    """The folder being probed was removed by another run meanwhile."""


def _probe_out_dir(out: Path) -> None:
    probe = out.absolute()
    # the nearest existing ancestor (or a dangling link: no folder can be made there)
    while not probe.exists() and not probe.is_symlink() and probe != probe.parent:
        probe = probe.parent
    if probe.is_symlink() and not probe.exists():
        raise FileNotFoundError(
            f"cannot write into {out}: {probe} is a link to {os.readlink(probe)}, which does "
            "not exist; make that folder or give another --out"
        )
    if not probe.is_dir():
        raise NotADirectoryError(f"cannot write into {out}: {probe} is a file, not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        if _read_only(probe):
            raise OSError(f"cannot write into {out}: {probe} is on a read-only file system")
        raise PermissionError(f"cannot write into {out}: no permission to write in {probe}")
    # os.access does not know every file system (/proc, a read-only mount): really make the
    # folders and a file, then take the new folders away again
    missing = []  # the folders to make, outermost last
    folder = out.absolute()
    while folder != probe:
        missing.append(folder)
        folder = folder.parent
    created = []
    try:
        for folder in reversed(missing):
            try:
                folder.mkdir()
            except FileExistsError:  # another run made it meanwhile: not ours to remove
                continue
            created.append(folder)
        try:
            with tempfile.TemporaryFile(dir=out.absolute()):
                pass
        except FileNotFoundError:
            raise _Vanished() from None
    except OSError as exc:
        raise type(exc)(f"cannot write into {out}: {exc.strerror or exc}") from None
    finally:
        for folder in reversed(created):
            # never from under a run that is writing there (it holds the folder's lock)
            remove_folder_if_free(folder)


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs (Windows)
        return False


def _fit(args: argparse.Namespace, progress: _Progress) -> EMTrace:
    """Read and check everything, then run EM; nothing is written here."""
    if args.data == "-":  # the usual name of standard input; read once, as any pipe
        source = Path("/dev/stdin")
    else:
        source = Path(args.data) if args.data else datasets.path("x.csv")
    large = _is_large(source)
    if large:
        progress.say(f"reading {source} ({source.stat().st_size / 1e6:,.0f} MB)…")
    start = time.perf_counter()
    X, header = read_points(source, return_header=True)
    X = check_data(X, name=str(source), first_index=1)
    _check_not_transposed(X, args.covariance_type)
    if header is not None:
        _say_header(header, progress)
    if large:
        elapsed = time.perf_counter() - start
        progress.say(f"read {X.shape[0]:,} points × {X.shape[1]} in {elapsed:.1f} s")
    n_components = _option("--components", check_n_components, args.components, X.shape[0])
    check_fit_data(X, n_components, name=str(source), first_index=1)
    tol = _option("--tol", check_nonnegative, args.tol, "tol")
    reg_covar = _option("--reg-covar", check_nonnegative, args.reg_covar, "reg_covar")
    _option("--seed", check_nonnegative, args.seed, "seed", integer=True)
    if args.seed > MAX_SEED:
        raise ValueError(f"--seed must be at most {MAX_SEED} (2**32 - 1), got {args.seed}")
    if args.max_iter < 1:
        raise ValueError(f"--max-iter must be at least 1, got {args.max_iter}: pass 1 or more")
    if not args.out.strip():
        raise ValueError("--out is empty: name a folder, e.g. --out results (--out . for here)")
    _check_out_dir(Path(args.out))
    if large:
        progress.say(f"initialising K = {n_components} ({args.init})…")
    initial = initialize(
        X,
        n_components,
        args.init,
        covariance_type=args.covariance_type,
        reg_covar=reg_covar,
        random_state=args.seed,
    )

    def say_step(step: int, value: float) -> None:
        # the original's progress line, as soon as ln p(X | θ_t) is known
        progress.say(f"iter: {step}, log likelihood: {value:f}")

    # run_em's tol is on the mean log-likelihood per point; --tol is on the total.
    return run_em(
        X,
        initial,
        max_iter=args.max_iter,
        tol=tol / X.shape[0],
        reg_covar=reg_covar,
        callback=say_step,
    )


def _check_not_transposed(X, covariance_type: str) -> None:
    """Refuse before the D×D matrices are made: 3 points of 60,000 features need 29 GB each."""
    n_samples, n_features = X.shape
    square = covariance_type in ("full", "tied")  # diag and spherical hold no D×D matrix
    if square and n_features > n_samples and 8 * n_features**2 >= TRANSPOSED_BYTES:
        raise ValueError(
            f"{n_features} features for {n_samples} points: is the file transposed? "
            "(one point a line, its coordinates separated by commas)"
        )


def _say_header(header: tuple[int, str], progress: _Progress) -> None:
    """Say which line was skipped; on stderr even with -q when that line was numbers.

    A line of numbers is skipped only as pandas' default column names ``0,1,…``: should it
    have been a real point, a quiet run must not lose it without a word.
    """
    number, text = header
    if all(_is_number(field) for field in text.split(",")):
        print(
            f"warning: line {number} ({text}) was taken for pandas' column names, not a point; "
            "if it is a point, add a first line of names",
            file=sys.stderr,
        )
    else:
        progress.say(f"line {number} taken for column names: {text}")


def _is_large(path: Path) -> bool:
    """Large enough for progress lines while reading and writing (tens of seconds)."""
    try:
        return path.stat().st_size >= LARGE_FILE
    except OSError:
        return False  # the reader will say why


def _summary(trace: EMTrace, tol: float) -> list[str]:
    n_samples = trace.X.shape[0]
    final = trace.log_likelihoods[-1]
    if trace.converged:
        stop = f"converged after {trace.n_iter} iterations (the log-likelihood gained < {tol:g})"
    else:
        gain = trace.log_likelihoods[-1] - trace.log_likelihoods[-2]
        stop = (
            f"stopped after {trace.n_iter} iterations without converging (last gain "
            f"{gain:g} ≥ {tol:g}): raise --max-iter"
        )
    weights = " ".join(f"{w:.3f}" for w in trace.final_params.weights)
    return [
        stop,
        f"final log-likelihood: {final:f} ({final / n_samples:f} per point)",
        f"weights π: {weights}",
    ]


class _Progress:
    """Progress lines on stdout, best effort: a closed or full stdout never costs the fit.

    ``gmmlearn fit | head -1`` closes the pipe after one line, ``> /dev/full`` cannot take any:
    the run goes on and writes its files; only the printing stops (with a warning on stderr
    when stdout is full, not for a pipe closed on purpose). stdout is then pointed at
    /dev/null so that Python's own flush at exit does not fail either.
    """

    def __init__(self, quiet: bool):
        self.on = not quiet

    def say(self, text: str) -> None:
        if not self.on:
            return
        try:
            print(text, flush=True)
        except OSError as exc:
            self.on = False
            if not isinstance(exc, BrokenPipeError):
                reason = exc.strerror or type(exc).__name__
                print(
                    f"warning: cannot print the progress ({reason}); the run goes on",
                    file=sys.stderr,
                )
            with contextlib.suppress(OSError, ValueError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                os.close(devnull)


def _one_line_warnings(caught) -> None:
    for message in dict.fromkeys(" ".join(str(w.message).split()) for w in caught):
        print(f"warning: {message}", file=sys.stderr)


def _run_fit(args: argparse.Namespace) -> int:
    progress = _Progress(args.quiet)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trace = _fit(args, progress)
    _one_line_warnings(caught)
    large = trace.X.size * trace.params[0].n_components >= LARGE_RESULTS
    if large:
        progress.say(f"writing {', '.join(OUTPUT_FILES)} into {args.out}…")
    start = time.perf_counter()

    def say_waiting() -> None:
        progress.say(f"waiting for another run writing into {args.out}…")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = write_results(args.out, trace, on_wait=say_waiting, on_done=args.written.set)
    _one_line_warnings(caught)
    if large:
        progress.say(f"written in {time.perf_counter() - start:.1f} s")
    progress.say("\n".join(_summary(trace, args.tol)))
    progress.say(f"wrote {', '.join(str(paths[name]) for name in OUTPUT_FILES)}")
    return 0


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that the same clean-up runs as for Ctrl-C."""


def _terminated(signum, frame):
    raise _Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``gmmlearn`` with ``argv`` (default: ``sys.argv[1:]``) and return the exit code.

    0 on success; 2 on bad input (a usage error, or a one-line ``error: …`` on stderr with
    nothing written); 130 if interrupted (Ctrl-C), 143 if terminated (SIGTERM).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors: argparse has printed already
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    # SIGTERM (kill, a batch system's time limit) is handled as Ctrl-C is: the temporaries are
    # removed, the earlier results left as they were
    try:
        previous = signal.signal(signal.SIGTERM, _terminated)
    except ValueError:  # not the main thread: signals are not ours to handle
        previous = None
    args.written = threading.Event()  # set once the new result files are all in place
    try:
        return args.run(args)
    except (ValueError, TypeError, OSError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:
        print(
            "error: out of memory: fit fewer points, features or components",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        what = "terminated" if isinstance(exc, _Terminated) else "interrupted"
        if args.written.is_set():
            done = f"the new result files were all written into {args.out} first"
        else:
            done = "the result files were not changed"
        print(f"error: {what}; {done}", file=sys.stderr)
        return 128 + (signal.SIGTERM if isinstance(exc, _Terminated) else signal.SIGINT)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
