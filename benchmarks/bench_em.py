"""Seconds per EM iteration: the 2019 seed's loops, scikit-learn and gmmlearn, side by side.

    .venv/bin/python benchmarks/bench_em.py [--sizes 1e4 1e5 1e6] [--iters 6] [--repeat 3]

The problem (issue #3): D = 3, K = 4, full covariances, ``reg_covar=1e-6``, ``tol=0``. The data
are a fixed 4-component mixture; θ₀ is the seed's own start (``initialize(X, 4,
"bounding-box", random_state=0)``) and every contender starts from that same θ₀.

How each is timed (like with like: one E-step + one M-step, with the log-likelihood)
-------------------------------------------------------------------------------------
* **scikit-learn**: ``GaussianMixture(max_iter=n, tol=0, weights_init, means_init,
  precisions_init = θ₀).fit(X)``. A fit also validates X, initialises (it runs an initial
  responsibility computation even when θ₀ is given) and scores the result; that overhead is
  the same for any ``max_iter``, so seconds per iteration = (t(n) − t(1)) / (n − 1), each
  t the best of ``--repeat`` runs. (``n = --iters``.)
* **gmmlearn**: the same difference for ``run_em(X, θ₀, max_iter=n, tol=0)`` — the recorded
  trace used by the explorer, default engine (the fused pass of ``gmmlearn.fused``), and for
  ``engine="steps"`` (the textbook step functions, for reference).
* **seed**: ``benchmarks/seed_em.py`` (a faithful copy of the 2019 loops) has no setup to
  subtract: one pass of its ``fit`` loop (E-step, M-step, log-likelihood, all in Python loops
  over points and components) is timed directly, only at small N (``--seed-sizes``).
* **peak memory above the data**: each contender runs one whole fit (``--iters``
  iterations) in a fresh child process (this script with ``--child``) that loads X from a
  .npy file and reports ``VmHWM`` from /proc/self/status; a baseline child that only imports
  everything, loads X and makes θ₀ is subtracted.
* **trace**: wall time of ``run_em`` for 100 iterations at N = 10⁴ (``tol=0``), best of
  ``--repeat``.
* **D sweep** (issue 22): seconds per iteration at N = ``--sweep-n`` (10⁴), K = 4, for every
  covariance type at D ∈ ``--sweep-dims`` (2, 3, 16, 64, 256), scikit-learn and gmmlearn from
  the same k-means θ₀, timed as above with fits of ``--sweep-iters`` iterations. With
  ``--before DIR`` (a folder holding an earlier ``gmmlearn`` package, e.g. made by
  ``git archive REV gmmlearn | tar -x -C DIR``) that version is timed too, in a child process
  run right after the other two on the same data and θ₀: before and after in one run.
  ``--sweep-only`` skips everything else.

Timings on a shared machine are noisy; the best of ``--repeat`` keeps the noise down, but
re-run on a quiet machine for numbers to publish. A full run takes about 1–3 minutes, and
the D sweep about 10 more (`--sweep-dims` with no value skips it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import scipy
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

from gmmlearn import GaussianMixtureParams, initialize, run_em

N_FEATURES, N_COMPONENTS, REG_COVAR = 3, 4, 1e-6

# Targets of issue #3 (ratios against scikit-learn measured in the same run).
TARGET_RATIO = {10**4: 0.20, 10**5: 0.20, 10**6: 0.10}
TARGET_SEED_SPEEDUP = 1000.0  # at N = 10⁴
TARGET_MEMORY_RATIO = 0.25  # at N = 10⁶
TARGET_TRACE_SECONDS = 0.5  # 100 iterations at N = 10⁴
TARGET_SWEEP_RATIO = 0.5  # issue 22: every covariance type, every D of the sweep
SWEEP_COMPONENTS = 4


# ---------------------------------------------------------------------------
# The problem
# ---------------------------------------------------------------------------


def make_data(n_samples: int, seed: int = 0) -> np.ndarray:
    """A fixed 3-D mixture of 4 anisotropic Gaussians, ``n_samples`` points."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0, 0.0], [6.0, 1.0, -2.0], [-4.0, 5.0, 3.0], [2.0, -6.0, 4.0]])
    mixing = rng.normal(scale=0.8, size=(N_COMPONENTS, N_FEATURES, N_FEATURES))
    labels = rng.choice(N_COMPONENTS, size=n_samples, p=[0.4, 0.3, 0.2, 0.1])
    X = rng.standard_normal((n_samples, N_FEATURES))
    for k in range(N_COMPONENTS):
        rows = labels == k
        X[rows] = X[rows] @ (mixing[k] + np.eye(N_FEATURES)) + centres[k]
    return X


def initial_params(X: np.ndarray):
    """θ₀: the seed's start (uniform means in the data's range, Σ_k = XᵀX/N)."""
    return initialize(X, N_COMPONENTS, "bounding-box", random_state=0)


def sklearn_model(theta0, max_iter: int) -> GaussianMixture:
    return GaussianMixture(
        N_COMPONENTS,
        covariance_type="full",
        tol=0.0,
        reg_covar=REG_COVAR,
        max_iter=max_iter,
        init_params="random_from_data",  # cheapest; weights/means/precisions_init override it
        weights_init=theta0.weights,
        means_init=theta0.means,
        precisions_init=theta0.precisions,
    )


def fit_sklearn(X, theta0, max_iter):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return sklearn_model(theta0, max_iter).fit(X)


def fit_gmmlearn(X, theta0, max_iter, engine="auto"):
    return run_em(X, theta0, max_iter=max_iter, tol=0.0, reg_covar=REG_COVAR, engine=engine)


def seed_iteration(X, theta0):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from seed_em import EM_GMM  # noqa: PLC0415 (benchmarks only: never in the package)

    return EM_GMM(N_COMPONENTS).iteration(X, theta0.weights, theta0.means, theta0.covariances)


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------


def _seconds(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def per_iteration(fit, iters: int, repeat: int, budget: float = 2.0) -> float:
    """(t(iters) − t(1)) / (iters − 1), each t the best of its runs.

    The two fits alternate, ``repeat`` times at least and then on while the pair takes less
    than ``budget`` seconds in all (small N gets many runs, so its minimum is a true minimum).
    """
    one, many = [], []
    start = time.perf_counter()
    while len(one) < repeat or (time.perf_counter() - start < budget and len(one) < 200):
        one.append(_seconds(lambda: fit(1)))
        many.append(_seconds(lambda: fit(iters)))
    return max(min(many) - min(one), 0.0) / (iters - 1)


def peak_memory_mb(data_path: str, engine: str, iters: int) -> float:
    """VmHWM (MB) of a fresh process that loads X and runs ``engine`` (see --child)."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", engine, "--data", data_path, "--iters", str(iters)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["vmhwm_mb"]


def child(engine: str, data_path: str, iters: int) -> None:
    """Run one contender on the saved data and print the process's peak resident memory."""
    X = np.load(data_path)
    theta0 = initial_params(X)
    if engine == "sklearn":
        fit_sklearn(X, theta0, iters)
    elif engine in ("gmmlearn", "steps"):
        fit_gmmlearn(X, theta0, iters, engine="auto" if engine == "gmmlearn" else "steps")
    elif engine != "baseline":
        raise SystemExit(f"unknown --child engine {engine!r}")
    status = Path("/proc/self/status").read_text()
    kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    print(json.dumps({"vmhwm_mb": kb / 1024}))


# ---------------------------------------------------------------------------
# The D sweep (issue 22)
# ---------------------------------------------------------------------------


def make_sweep_data(n_samples: int, n_features: int, seed: int = 0) -> np.ndarray:
    """K = 4 axis-aligned Gaussians in D dimensions, centres 3 apart per coordinate on average,
    spreads from 0.5 to 1.5 per coordinate and component."""
    rng = np.random.default_rng(seed + n_features)
    centres = rng.normal(scale=3.0, size=(SWEEP_COMPONENTS, n_features))
    spreads = rng.uniform(0.5, 1.5, size=(SWEEP_COMPONENTS, n_features))
    labels = rng.integers(0, SWEEP_COMPONENTS, size=n_samples)
    return rng.standard_normal((n_samples, n_features)) * spreads[labels] + centres[labels]


def sklearn_sweep_model(theta0, max_iter: int) -> GaussianMixture:
    return GaussianMixture(
        theta0.n_components,
        covariance_type=theta0.covariance_type,
        tol=0.0,
        reg_covar=REG_COVAR,
        max_iter=max_iter,
        init_params="random_from_data",
        weights_init=theta0.weights,
        means_init=theta0.means,
        precisions_init=theta0.precisions,
    )


def sweep_contender(name: str, X, theta0, args) -> float:
    """Seconds per iteration of one contender on one (D, covariance type)."""
    if name == "sklearn":

        def fit(m):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                sklearn_sweep_model(theta0, m).fit(X)

    else:

        def fit(m):
            run_em(X, theta0, max_iter=m, tol=0.0, reg_covar=REG_COVAR)

    return per_iteration(fit, args.sweep_iters, args.repeat, budget=args.sweep_budget)


def sweep_child(data_path: str, args) -> None:
    """Time the gmmlearn on sys.path (an earlier one, via PYTHONPATH) on saved X and θ₀."""
    saved = np.load(data_path)
    theta0 = GaussianMixtureParams(
        saved["weights"], saved["means"], saved["covariances"], str(saved["covariance_type"])
    )
    print(json.dumps({"seconds": sweep_contender("gmmlearn", saved["X"], theta0, args)}))


def time_before(before: str, X, theta0, args, tmp: str) -> float:
    path = os.path.join(tmp, "sweep.npz")
    np.savez(
        path,
        X=X,
        weights=theta0.weights,
        means=theta0.means,
        covariances=theta0.covariances,
        covariance_type=theta0.covariance_type,
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([before, os.environ.get("PYTHONPATH", "")]))
    options = ["--sweep-iters", str(args.sweep_iters), "--repeat", str(args.repeat)]
    options += ["--sweep-budget", str(args.sweep_budget)]
    out = subprocess.run(
        [sys.executable, __file__, "--child-sweep", "--data", path, *options],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def sweep(args, tmp: str) -> list[dict]:
    rows = []
    for n_features in args.sweep_dims:
        X = make_sweep_data(args.sweep_n, n_features)
        for covariance_type in ("full", "tied", "diag", "spherical"):
            print(f"D = {n_features}, {covariance_type} …", file=sys.stderr, flush=True)
            theta0 = initialize(
                X, SWEEP_COMPONENTS, covariance_type=covariance_type, random_state=0
            )
            row = {"D": n_features, "type": covariance_type, "before": None}
            row["sklearn"] = sweep_contender("sklearn", X, theta0, args)
            row["gmmlearn"] = sweep_contender("gmmlearn", X, theta0, args)
            if args.before:
                row["before"] = time_before(args.before, X, theta0, args, tmp)
            rows.append(row)
    return rows


def print_sweep(rows: list[dict], args) -> list[tuple[str, bool]]:
    print(
        f"\nD sweep: N = {args.sweep_n:,}, K = {SWEEP_COMPONENTS}, reg_covar = {REG_COVAR}, "
        f"tol = 0; seconds per EM iteration (fits of {args.sweep_iters} iterations, best of "
        f"{args.repeat} or more)\n"
    )
    print(
        "| D | covariance | scikit-learn | gmmlearn before | before / sklearn (×) | "
        "gmmlearn | gmmlearn / sklearn (×) |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|")
    checks = []
    for r in rows:
        ratio = r["gmmlearn"] / r["sklearn"] if r["sklearn"] else None
        before = r["before"] / r["sklearn"] if r["before"] and r["sklearn"] else None
        print(
            f"| {r['D']} | {r['type']} | {fmt_seconds(r['sklearn'])} | "
            f"{fmt_seconds(r['before'])} | {fmt(before, '.2f')} | "
            f"{fmt_seconds(r['gmmlearn'])} | {fmt(ratio, '.2f')} |"
        )
        if ratio is not None:
            checks.append(
                (
                    f"D = {r['D']}, {r['type']}: gmmlearn / sklearn = {ratio:.2f} ≤ "
                    f"{TARGET_SWEEP_RATIO}",
                    ratio <= TARGET_SWEEP_RATIO,
                )
            )
    return checks


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{model}, {cores} cores (load average {load:.1f} at the end); Python "
        f"{platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"scikit-learn {sklearn.__version__}"
    )


def fmt_seconds(s) -> str:
    if s is None:
        return "–"
    return f"{s * 1e3:.3g} ms" if s < 1 else f"{s:.3g} s"


def fmt(x, spec) -> str:
    return "–" if x is None else format(x, spec)


def measure(n: int, args, tmp: str) -> dict:
    """One row of the table: seconds per iteration (and peak memory) at N = n."""
    X = make_data(n)
    theta0 = initial_params(X)
    row = {"N": n, "seed": None, "steps": None, "sk_mb": None, "gm_mb": None}
    print(f"N = {n:,} …", file=sys.stderr, flush=True)
    if n in {int(s) for s in args.seed_sizes}:
        runs = 1 if n > 5000 else 2
        row["seed"] = min(_seconds(lambda: seed_iteration(X, theta0)) for _ in range(runs))
    row["sklearn"] = per_iteration(lambda m: fit_sklearn(X, theta0, m), args.iters, args.repeat)
    row["gmmlearn"] = per_iteration(lambda m: fit_gmmlearn(X, theta0, m), args.iters, args.repeat)
    row["steps"] = per_iteration(
        lambda m: fit_gmmlearn(X, theta0, m, "steps"),
        args.iters,
        args.repeat,
    )
    if not args.no_memory and n >= 10**5:
        path = os.path.join(tmp, f"x{n}.npy")
        np.save(path, X)
        base = peak_memory_mb(path, "baseline", args.iters)
        row["sk_mb"] = peak_memory_mb(path, "sklearn", args.iters) - base
        row["gm_mb"] = peak_memory_mb(path, "gmmlearn", args.iters) - base
        row["data_mb"] = X.nbytes / 2**20
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1e4, 1e5, 1e6])
    parser.add_argument("--iters", type=int, default=6, help="iterations per timed fit (≥ 2)")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    parser.add_argument("--seed-sizes", type=float, nargs="*", default=[1e3, 1e4])
    parser.add_argument("--no-memory", action="store_true", help="skip the child processes")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--sweep-dims", type=int, nargs="*", default=[2, 3, 16, 64, 256])
    parser.add_argument("--sweep-n", type=int, default=10**4)
    parser.add_argument("--sweep-iters", type=int, default=4)
    parser.add_argument("--sweep-budget", type=float, default=3.0, help="seconds per timing")
    parser.add_argument("--before", help="folder holding an earlier gmmlearn to time too")
    parser.add_argument("--sweep-only", action="store_true", help="only the D sweep")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-sweep", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.data, args.iters)
        return 0
    if args.child_sweep:
        sweep_child(args.data, args)
        return 0
    if args.iters < 2 or args.sweep_iters < 2:
        parser.error("--iters must be at least 2 (time per iteration is a difference)")
    if args.before and not os.path.isdir(os.path.join(args.before, "gmmlearn")):
        parser.error(f"--before {args.before}: no gmmlearn package in that folder")
    if args.sweep_only:
        with tempfile.TemporaryDirectory() as tmp:
            checks = print_sweep(sweep(args, tmp), args)
        return report_checks(checks, args)

    sizes = sorted({int(n) for n in args.sizes} | {int(n) for n in args.seed_sizes})
    rows, checks = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            rows.append(measure(n, args, tmp))

        X = make_data(10**4)
        theta0 = initial_params(X)
        trace_s = min(_seconds(lambda: fit_gmmlearn(X, theta0, 100)) for _ in range(args.repeat))
        sweep_rows = sweep(args, tmp) if args.sweep_dims else []

    print(
        f"\nD = {N_FEATURES}, K = {N_COMPONENTS}, full covariances, reg_covar = {REG_COVAR}, "
        f"tol = 0; seconds per EM iteration (best of {args.repeat}, fits of {args.iters} "
        "iterations)\n"
    )
    print(
        "| N | seed (2019 loops) | scikit-learn | gmmlearn steps | gmmlearn | "
        "gmmlearn / sklearn (×) | seed / gmmlearn (×) | peak MB above data: sklearn | gmmlearn |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        ratio = r["gmmlearn"] / r["sklearn"] if r["sklearn"] else None
        speedup = r["seed"] / r["gmmlearn"] if r["seed"] and r["gmmlearn"] else None
        print(
            f"| {r['N']:,} | {fmt_seconds(r['seed'])} | {fmt_seconds(r['sklearn'])} | "
            f"{fmt_seconds(r['steps'])} | {fmt_seconds(r['gmmlearn'])} | {fmt(ratio, '.3f')} | "
            f"{fmt(speedup, ',.0f')} | {fmt(r['sk_mb'], '.1f')} | {fmt(r['gm_mb'], '.1f')} |"
        )
        if r["N"] in TARGET_RATIO and ratio is not None:
            checks.append(
                (
                    f"N = {r['N']:,}: gmmlearn / sklearn = {ratio:.3f} ≤ {TARGET_RATIO[r['N']]}",
                    ratio <= TARGET_RATIO[r["N"]],
                )
            )
        if r["N"] == 10**4 and speedup is not None:
            checks.append(
                (
                    f"N = 10,000: seed / gmmlearn = {speedup:,.0f} ≥ {TARGET_SEED_SPEEDUP:,.0f}",
                    speedup >= TARGET_SEED_SPEEDUP,
                )
            )
        if r["N"] == 10**6 and r["sk_mb"]:
            mem = r["gm_mb"] / r["sk_mb"]
            checks.append(
                (
                    f"N = 1,000,000: peak memory gmmlearn / sklearn = {mem:.3f} ≤ "
                    f"{TARGET_MEMORY_RATIO}",
                    mem <= TARGET_MEMORY_RATIO,
                )
            )
    checks.append(
        (
            f"100-iteration trace at N = 10,000: {trace_s:.3f} s < {TARGET_TRACE_SECONDS} s",
            trace_s < TARGET_TRACE_SECONDS,
        )
    )
    if sweep_rows:
        checks += print_sweep(sweep_rows, args)
    return report_checks(checks, args)


def report_checks(checks: list[tuple[str, bool]], args) -> int:
    print(f"\nMachine: {machine()}\n")
    print("Targets (issues #3 and #22):")
    for text, ok in checks:
        print(f"- [{'x' if ok else ' '}] {text}")
    return 1 if args.strict and not all(ok for _, ok in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
