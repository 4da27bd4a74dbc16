"""The colours the browser computes itself: explorer.js's γ, run by Node on a packed run, equals
Python's γ to 1e-5, and its colours the Python reference (frames.color_frames) to 1/255.

The page gets the points once and θ per iteration (gmmlearn.webview.frames); these tests run
the page's own functions (``responsibilities``, ``colourFrame``, ``mixEllipsoid``, exported by
explorer.js beside ``render``) on exactly the bytes the widget sends.
"""

import json
import shutil
import subprocess
from pathlib import Path

import blob_data
import numpy as np
import pytest

from gmmlearn import BayesianGaussianMixture, initialize, run_em
from gmmlearn.plotting.colors import component_colors
from gmmlearn.webview import frames
from gmmlearn.webview.frames import color_frames, trace_payload

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="needs Node.js to run explorer.js")

EXPLORER_JS = Path(frames.__file__).with_name("explorer.js")

# Reads the payload's buffers, runs one of explorer.js's functions, writes float64 or bytes.
RUNNER = """
import { readFileSync, writeFileSync } from "node:fs";
const mod = (await import(process.argv[2])).default;
const job = JSON.parse(readFileSync(process.argv[3], "utf8"));
const read = (name, Type) => {
  const b = readFileSync(job.dir + "/" + name);
  return new Type(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const data = mod.gammaData(job.meta, read("positions", Float32Array), read("extra", Float32Array),
                           read("terms", Float64Array));
const out = [];
if (job.what === "mix") {  // one component between θ_t0 and θ_t1, at each u
  const E = read("ellipsoids", Float32Array);
  const [t0, t1, k] = job.frames;
  const o = (t) => (t * job.meta.n_components + k) * 12;
  for (const u of job.u) out.push(Buffer.from(mod.mixEllipsoid(E, o(t0), o(t1), u).buffer));
  job.frames = [];
}
for (const r of job.frames) {
  if (job.what === "gamma") out.push(Buffer.from(mod.responsibilities(data, r).buffer));
  else {
    const frame = mod.colourFrame(data, r, job.rgb, job.component);
    out.push(Buffer.from(frame.colors.buffer), Buffer.from(frame.main.buffer));
  }
}
writeFileSync(job.dir + "/out", Buffer.concat(out));
"""


def run_page_code(tmp_path, trace, what, frames_wanted, *, dims=None, component=None, u=()):
    """explorer.js on the run as the widget sends it: γ (R, N, K) or (colours, main)."""
    meta, buffers = trace_payload(trace, dims=dims, component=component)
    for name, data in buffers.items():
        (tmp_path / name).write_bytes(data)
    module = tmp_path / "explorer.mjs"  # .mjs: Node loads it as the ES module it is
    module.write_text(EXPLORER_JS.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "runner.mjs").write_text(RUNNER, encoding="utf-8")
    job = {
        "dir": str(tmp_path),
        "meta": meta,
        "frames": list(frames_wanted),
        "what": what,
        "rgb": component_colors(meta["n_components"]).tolist(),
        "component": component,
        "u": list(u),
    }
    (tmp_path / "job.json").write_text(json.dumps(job), encoding="utf-8")
    subprocess.run(
        [NODE, str(tmp_path / "runner.mjs"), module.as_uri(), str(tmp_path / "job.json")],
        check=True, timeout=120, capture_output=True,
    )  # fmt: skip
    raw = (tmp_path / "out").read_bytes()
    n, k = meta["n_samples"], meta["n_components"]
    if what == "mix":
        return np.frombuffer(raw, dtype=np.float64).reshape(len(u), 12), meta
    if what == "gamma":
        return np.frombuffer(raw, dtype=np.float64).reshape(len(frames_wanted), n, k)
    per_frame = np.frombuffer(raw, dtype=np.uint8).reshape(len(frames_wanted), 4 * n)
    return per_frame[:, : 3 * n].reshape(-1, n, 3), per_frame[:, 3 * n :]


def em_trace(X, k=3, covariance_type="full", max_iter=6):
    params = initialize(X, k, "random_from_data", covariance_type=covariance_type, random_state=1)
    return run_em(X, params, max_iter=max_iter, tol=0.0)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_gamma_computed_in_the_page_equals_pythons(tmp_path, covariance_type):
    X = blob_data.blobs("close_3d")
    trace = em_trace(X, covariance_type=covariance_type)
    wanted = range(trace.n_iter)
    gamma = run_page_code(tmp_path, trace, "gamma", wanted)
    for r in wanted:
        np.testing.assert_allclose(gamma[r], trace.responsibilities(r), rtol=0, atol=1e-5)
    # not trivially equal: the components share the points
    assert 0.05 < np.mean((trace.responsibilities(1) > 0.01) & (trace.responsibilities(1) < 0.99))


def test_gamma_uses_the_features_not_plotted(tmp_path):
    # 5 features, 2 plotted (in another order): γ depends on all five
    X = np.random.default_rng(3).normal(size=(400, 5)) + np.repeat([[0.0], [2.5]], 200, 0)
    trace = em_trace(X, k=2, max_iter=4)
    gamma = run_page_code(tmp_path, trace, "gamma", [0, 3], dims=[3, 1])
    for i, r in enumerate([0, 3]):
        np.testing.assert_allclose(gamma[i], trace.responsibilities(r), rtol=0, atol=1e-5)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_vb_colours_are_r_of_the_run(tmp_path):
    X = blob_data.blobs("close_3d")
    model = BayesianGaussianMixture(n_components=5, max_iter=8, tol=0.0, random_state=0).fit(X)
    trace = model.trace_
    gamma = run_page_code(tmp_path, trace, "gamma", [0, trace.n_iter - 1])
    for i, r in enumerate([0, trace.n_iter - 1]):
        np.testing.assert_allclose(gamma[i], trace.responsibilities(r), rtol=0, atol=1e-5)


@pytest.mark.parametrize("component", [None, 1])
def test_colours_and_main_components_of_the_page(tmp_path, component):
    X = blob_data.blobs("close_3d")
    trace = em_trace(X)
    colors, main = run_page_code(tmp_path, trace, "colours", [0, 2], component=component)
    expected = color_frames(trace, component_colors(3), component)
    for i, r in enumerate([0, 2]):
        assert np.abs(colors[i].astype(int) - expected[r].astype(int)).max() <= 1
        np.testing.assert_array_equal(main[i], trace.responsibilities(r).argmax(axis=1))


def test_far_from_the_origin_the_page_keeps_its_digits(tmp_path):
    # data at 1e6 with unit spread: scaled in float64 before the float32 cast
    X = blob_data.blobs("close_3d") + 1e6
    trace = em_trace(X)
    gamma = run_page_code(tmp_path, trace, "gamma", [1])
    np.testing.assert_allclose(gamma[0], trace.responsibilities(1), rtol=0, atol=1e-5)


def test_a_glide_mixes_means_and_covariances_and_stays_positive_definite(tmp_path):
    # the first M-step of a run moves every component: what a glide draws between θ₀ and θ₁
    X = blob_data.blobs("close_3d")
    trace = em_trace(X)
    u = [0.0, 0.25, 0.5, 1.0]
    rows, meta = run_page_code(tmp_path, trace, "mix", [0, 1, 2], u=u)
    ellipsoids = frames.ellipsoid_frames(trace, [0, 1, 2], *frames.axis_frame(X, [0, 1, 2])).astype(
        np.float64
    )
    a0, a1 = ellipsoids[0, 2], ellipsoids[1, 2]
    cov = [a[3:].reshape(3, 3) @ a[3:].reshape(3, 3).T for a in (a0, a1)]
    assert not np.allclose(cov[0], cov[1], rtol=0.05)  # the glide has something to show
    for row, w in zip(rows, u):
        np.testing.assert_allclose(row[:3], (1 - w) * a0[:3] + w * a1[:3], atol=1e-6)
        A = row[3:].reshape(3, 3)
        S = (1 - w) * cov[0] + w * cov[1]
        np.testing.assert_allclose(A @ A.T, S, rtol=1e-6, atol=1e-9)
        # A's columns are the principal axes, as the kernel's factors: orthogonal
        gram = A.T @ A
        np.testing.assert_allclose(gram - np.diag(np.diag(gram)), 0, atol=1e-9)
        assert np.linalg.eigvalsh(S).min() > 0
