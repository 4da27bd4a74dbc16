"""Big files: ``gmmlearn fit`` end to end against the fit alone, and its peak memory.

    .venv/bin/python benchmarks/bench_bigfile.py [--rows 1.5e6 5e6] [--out results.json]

The problem (issue #14, "Big files"): an ``x.csv`` of N rows × 3 values (four blobs, each
value written as ``%.15g``, about 44 bytes a row: 5 M rows are ~220 MB), K = 4, full
covariances, the command's defaults otherwise (k-means start, seed 0, ``--max-iter 100``,
``--tol 1e-5``).

* **end to end**: wall time of ``python -m gmmlearn fit x.csv --out DIR`` in a child process
  (reading, checking, initialising, EM, writing the four files, em.png included), and that
  child's peak resident memory (``ru_maxrss`` from ``os.wait4``).
* **fit alone**: in this process, from the same array already in memory, what the command
  computes between reading and writing: ``initialize(X, 4, "kmeans", random_state=0)`` then
  ``run_em`` with the command's tolerance, and γ of the final θ (which z.csv needs).

Targets: end to end ≤ 4 × fit alone + 5 s; peak ≤ 3 × the file's size + 300 MB.
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
from pathlib import Path

import numpy as np

from gmmlearn import initialize, run_em

N_COMPONENTS, TOL = 4, 1e-5
MB = 1e6


def make_file(path: Path, n_rows: int) -> np.ndarray:
    """Four unit blobs in 3-D, written in chunks as ``%.15g`` values (the data returned)."""
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0, 0], [6, 0, 0], [0, 6, 0], [0, 0, 6]], dtype=float)
    X = centres[rng.integers(0, 4, n_rows)] + rng.standard_normal((n_rows, 3))
    with open(path, "w") as f:
        for start in range(0, n_rows, 500_000):
            np.savetxt(f, X[start : start + 500_000], fmt="%.15g", delimiter=",")
    return np.loadtxt(path, delimiter=",")  # exactly what the file says


def fit_alone(X: np.ndarray) -> float:
    start = time.perf_counter()
    initial = initialize(X, N_COMPONENTS, "kmeans", random_state=0)
    trace = run_em(X, initial, max_iter=100, tol=TOL / X.shape[0])
    trace.responsibilities(-1)
    return time.perf_counter() - start


def end_to_end(path: Path, out: Path) -> tuple[float, float, str]:
    command = [sys.executable, "-m", "gmmlearn", "fit", str(path), "--out", str(out)]
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout_lines = []
    for line in child.stdout:  # read as it comes, so that progress lines can be timed
        stdout_lines.append(f"{time.perf_counter() - start:7.2f} s  {line.rstrip()}")
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    stderr = child.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"gmmlearn fit failed: {stderr}")
    return seconds, usage.ru_maxrss * 1024 / MB, "\n".join(stdout_lines[:3] + stdout_lines[-6:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, nargs="+", default=[1.5e6, 5e6])
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    parser.add_argument("--show-output", action="store_true", help="print the command's lines")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for n_rows in map(int, args.rows):
            path = Path(folder) / "x.csv"
            X = make_file(path, n_rows)
            size = path.stat().st_size / MB
            fit = fit_alone(X)
            del X
            seconds, peak, output = end_to_end(path, Path(folder) / "out")
            target_seconds, target_peak = 4 * fit + 5, 3 * size + 300
            results.append(
                dict(
                    rows=n_rows,
                    file_mb=size,
                    fit_s=fit,
                    end_to_end_s=seconds,
                    peak_mb=peak,
                    target_s=target_seconds,
                    target_peak_mb=target_peak,
                )
            )
            print(
                f"N = {n_rows:>9,}  file {size:6.0f} MB | fit alone {fit:6.2f} s | "
                f"gmmlearn fit {seconds:6.2f} s (target ≤ {target_seconds:5.1f} s: "
                f"{'met' if seconds <= target_seconds else 'MISSED'}) | peak {peak:6.0f} MB "
                f"(target ≤ {target_peak:4.0f} MB: {'met' if peak <= target_peak else 'MISSED'})",
                flush=True,
            )
            if args.show_output:
                print(output, flush=True)
            path.unlink()
    if args.out:
        machine = dict(
            python=platform.python_version(),
            numpy=np.__version__,
            cpus=os.cpu_count(),
            machine=platform.machine(),
        )
        args.out.write_text(json.dumps(dict(machine=machine, results=results), indent=1))


if __name__ == "__main__":
    main()
