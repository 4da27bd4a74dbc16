"""Frame time of the explorer's view, and the time to compute the trace it reads.

    .venv/bin/python benchmarks/bench_view.py [--n-samples 10000] [--steps 60] [--plot PATH]

Measures, on the Agg backend (what the inline backend and the exports use):

* one slider step: ``view.show(i)`` (new face colours, means, ellipsoids, legend, marker)
  followed by ``figure.canvas.draw()``, over ``--steps`` half-steps; median and p95 in ms;
* the part of it spent in ``show`` alone (updating the artists, no drawing);
* the CPU time of the process per step and the load average, because on a shared machine
  the wall-clock numbers mostly measure the neighbours: compare runs at a low load;
* the trace: ``initialize`` + ``run_em`` for 100 iterations (``tol=0``) at the same size.

Targets (issue #4): a step ≤ 60 ms at 10⁴ 3-D points, K = 4; the trace < 1 s.
``--plot PATH`` saves a histogram of the frame times.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from gmmlearn import initialize, run_em  # noqa: E402
from gmmlearn.plotting.view import EMView  # noqa: E402


def make_data(n_samples: int, seed: int = 0) -> np.ndarray:
    """Four elongated 3-D clusters."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0, 0], [5, 0, 0], [0, 5, 0], [0, 0, 5]], dtype=float)
    labels = rng.integers(0, 4, n_samples)
    shapes = rng.normal(size=(4, 3, 3)) * 0.7
    return centres[labels] + np.einsum(
        "nd,nde->ne", rng.normal(size=(n_samples, 3)), shapes[labels]
    )


def time_trace(X: np.ndarray, repeats: int = 3) -> tuple[float, float]:
    """Best-of time of (initialize, run_em with 100 iterations)."""
    best_init, best_run = np.inf, np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        params = initialize(X, 4, "kmeans", random_state=0)
        middle = time.perf_counter()
        trace = run_em(X, params, max_iter=100, tol=0.0)
        end = time.perf_counter()
        best_init, best_run = min(best_init, middle - start), min(best_run, end - middle)
    assert trace.n_iter == 100
    return best_init, best_run


def time_steps(X: np.ndarray, n_steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-step seconds of show(i) + canvas.draw() (wall and CPU), and of show(i) alone."""
    trace = run_em(X, initialize(X, 4, "random_from_data", random_state=1), max_iter=200, tol=0)
    view = EMView(trace)
    view.figure.canvas.draw()  # first draw builds caches (fonts, tick layout): not a step
    total, cpu, update = [], [], []
    indices = np.arange(1, n_steps + 1) % trace.n_half_steps
    for i in indices:
        start, start_cpu = time.perf_counter(), time.process_time()
        view.show(int(i))
        middle = time.perf_counter()
        view.figure.canvas.draw()
        end, end_cpu = time.perf_counter(), time.process_time()
        total.append(end - start)
        cpu.append(end_cpu - start_cpu)
        update.append(middle - start)
    return np.array(total), np.array(cpu), np.array(update)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--plot", default=None, help="save a histogram of frame times here")
    args = parser.parse_args(argv)

    X = make_data(args.n_samples)
    total, cpu, update = time_steps(X, args.steps)
    t_init, t_run = time_trace(X)
    ms = 1e3
    print(f"matplotlib {matplotlib.__version__}, numpy {np.__version__}, {platform.processor()}")
    print(f"view step, {args.n_samples} 3-D points, K=4, {args.steps} steps (show + draw, Agg):")
    print(
        f"  median {np.median(total) * ms:.1f} ms, p95 {np.percentile(total, 95) * ms:.1f} ms, "
        f"min {total.min() * ms:.1f} ms, max {total.max() * ms:.1f} ms  "
        f"(of which show() median {np.median(update) * ms:.1f} ms)"
    )
    print(f"  CPU time of the process per step: median {np.median(cpu) * ms:.1f} ms")
    print(f"  load average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(
        f"trace, {args.n_samples} points, 100 iterations: run_em {t_run:.3f} s "
        f"(+ kmeans init {t_init:.3f} s)"
    )
    if args.plot:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(6, 3.2))
        ax = fig.add_subplot()
        ax.hist(total * ms, bins=20, color="#0072B2", alpha=0.8, label="show + draw")
        ax.hist(update * ms, bins=20, color="#E69F00", alpha=0.8, label="show only")
        ax.axvline(60, color="#D55E00", ls="--", label="target 60 ms")
        ax.set_xlabel("ms per slider step")
        ax.set_ylabel("steps")
        ax.set_title(f"EMView, {args.n_samples} 3-D points, K=4, Agg", fontsize=10)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=110)
        print(f"histogram: {args.plot}")


if __name__ == "__main__":
    main()
