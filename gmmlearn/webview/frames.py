"""An EM trace packed for the browser: a few binary buffers and a small JSON description.

The browser view (:mod:`gmmlearn.webview.widget`, and the static HTML export) receives a whole
run once and then only indexes into it. This module makes that package and knows nothing of
widgets, so the tests can check it headless.

What is sent
------------
==============  ===============================  ============================================
buffer          dtype, shape                      what
==============  ===============================  ============================================
``positions``   float32 (N, 3)                    the points, scaled into the cube [-1, 1]³
                                                  (z = 0 for 2-D data)
``extra``       float32 (N, D − d)                the features not plotted (d = 2 or 3 plotted),
                                                  scaled the same way: γ needs every feature
                                                  (empty when all are plotted)
``terms``       float64 (T + 1, K, 1 + D + D²)    per θ_t and component, the colours' source as a
                                                  quadratic (:meth:`~gmmlearn.runs.Run.
                                                  log_joint_terms`) in the scaled coordinates
                                                  (plotted features first): the constant c_k,
                                                  the centre m_k (D), a factor U_k (D × D,
                                                  row-major), with ln π_k N(x | μ_k, Σ_k) =
                                                  c_k − ½‖U_kᵀ(z − m_k)‖² + a constant
``ellipsoids``  float32 (T + 1, K, 12)            per θ_t and component: the mean (3) and a
                                                  matrix A (3 × 3, row-major) with A Aᵀ = Σ_k,
                                                  both in the cube's coordinates
==============  ===============================  ============================================

The browser computes γ(θ_r) = softmax_k of the quadratic for the colours itself (explorer.js,
``responsibilityFrame``; tested equal to :meth:`~gmmlearn.runs.Run.responsibilities` to 1e-5):
what is sent grows with N once and with T only by K·(1 + D + D²) numbers per iteration, not
N·3 bytes per iteration as colours would.

``meta``: sizes, the axis ranges, ticks and names, the component colours and the grey of the
unassigned points (half-step 0, before the first E-step), per half-step which γ(θ_r) colours
it (``color_index``; -1: grey) / θ_t / log-likelihood it shows and its label, the weights π of
every θ_t, which mean moved most in each M-step and by how much (``mean_moves``, in data
units), the log-likelihood curve and its y-limits, and per half-step the split ln p(X | θ) =
L(q, θ) + KL(q ‖ p(Z | X, θ)) of PRML §9.4 (``log_p``, ``lower_bounds``, ``kls``; see
:meth:`~gmmlearn.trace.EMTrace.lower_bounds`, computed by the fused pass).

A variational Bayes run (:class:`~gmmlearn.vb.trace.VBTrace`) is packed the same way: the
colours are r_nk (the softmax of ln ρ_nk, PRML 10.46), the ellipsoids E[Λ_k]⁻¹ = W_k⁻¹/ν_k,
``weights`` are E[π_k] and ``alphas``/``mean_alphas`` fall to 0 with them below 1/K (a
pruned component fades out), ``log_likelihoods`` holds the VB lower bound (``null`` where it
is not defined: q₀ after a one-hot start), ``curve_label`` says so, ``method`` is ``"vb"``,
and the L/KL split of EM is ``null`` (the panel is hidden).

The cube's coordinates are ``(x - centre) / half_width`` per axis, computed in float64 before
the cast: data far from the origin keeps its full precision on screen.
"""

from __future__ import annotations

import base64
import math

import numpy as np

from ..plotting.colors import UNASSIGNED, blend_colors, component_colors
from ..plotting.ellipsoids import covariance_transform, share_alpha, weight_alpha
from ..plotting.framing import check_dims, curve_limits
from ..runs import Run

__all__ = [
    "BOUND_KEYS",
    "axis_frame",
    "bound_split_json",
    "color_frames",
    "ellipsoid_frames",
    "encode_buffers",
    "gamma_terms",
    "mean_moves",
    "pending_bound_split",
    "trace_payload",
]

# The cube is padded so that points on the data's edge do not sit on the axes box.
_PAD = 1.08
_SUBSCRIPTS = "₁₂₃₄₅₆₇₈₉"


def axis_frame(X: np.ndarray, dims) -> tuple[np.ndarray, np.ndarray]:
    """Centre and half-width of each plotted axis; the cube [-1, 1] spans the padded range.

    Returns
    -------
    centre, half_width : ndarray of shape (len(dims),)
    """
    xyz = X[:, list(dims)]
    low, high = xyz.min(axis=0), xyz.max(axis=0)
    centre = (low + high) / 2.0
    half = (high - low) / 2.0 * _PAD
    # a constant axis: any positive width shows it as a flat line
    half = np.where(half > 0, half, np.maximum(np.abs(centre), 1.0) * 0.5)
    return centre, half


def _to_cube(points: np.ndarray, centre: np.ndarray, half: np.ndarray) -> np.ndarray:
    """(…, d) data coordinates → (…, 3) cube coordinates, z = 0 when d = 2."""
    cube = (points - centre) / half
    if cube.shape[-1] == 2:
        cube = np.concatenate([cube, np.zeros(cube.shape[:-1] + (1,))], axis=-1)
    return cube


def to_uint8(rgb: np.ndarray) -> np.ndarray:
    """Colours in [0, 1] → bytes 0 … 255, rounded to the nearest (error ≤ 1/510)."""
    return np.rint(np.clip(rgb, 0.0, 1.0) * 255.0).astype(np.uint8)


def color_frames(trace: Run, colors: np.ndarray, component: int | None = None) -> np.ndarray:
    """The points' colours for every γ(θ_r) a half-step can show, uint8 of shape (R, N, 3).

    Not sent (the browser computes them from :func:`gamma_terms`): the reference that the
    browser's colours are tested against, and what a tool without a browser can draw.

    ``R`` is the number of distinct colourings: γ(θ_0) … γ(θ_{T-1}) (at least one). Each is
    :func:`~gmmlearn.plotting.colors.blend_colors` of γ (or, with ``component``, that
    component's γ_nk from grey to its colour), rounded to bytes.

    γ is the softmax over k of ``trace.log_joint(r)`` (EM: :func:`~gmmlearn.steps.
    log_weighted_densities`; VB: ln ρ_nk, whose softmax is r_nk), the same numbers as
    ``trace.responsibilities(r)`` (its log-sum-exp is only needed for ln γ), and not cached
    in the trace.
    """
    from ..plotting.view import intensity_colors  # matplotlib: not needed for a first frame

    n_frames = max(trace.n_iter, 1)
    out = np.empty((n_frames, trace.X.shape[0], 3), dtype=np.uint8)

    for r in range(n_frames):
        # EM: ln π_k N(x_n | μ_k, Σ_k); VB: ln ρ_nk (10.46), whose softmax is r_nk
        resp = trace.log_joint(r)
        resp -= resp.max(axis=1, keepdims=True)
        np.exp(resp, out=resp)
        resp /= resp.sum(axis=1, keepdims=True)
        if component is None:
            rgba = blend_colors(resp, colors)
        else:
            rgba = intensity_colors(resp[:, component], colors[component])
        out[r] = to_uint8(rgba[:, :3])
    return out


def gamma_terms(trace: Run, order, centre, half) -> np.ndarray:
    """The colours' source of every θ_t in the scaled coordinates z = (x − centre) / half.

    Row ``[t, k]`` holds c_k, then m_k (D numbers), then U_k (D × D, row-major) with
    ``trace.log_joint(t)[n, k] = c_k − ½‖U_kᵀ(z_n − m_k)‖²`` up to a constant per point, the
    features in ``order`` (the plotted ones first). With x = centre + half ⊙ z,
    U_kᵀ(x − μ_k) = (diag(half) U_k)ᵀ(z − (μ_k − centre) / half): the same numbers.

    Returns
    -------
    terms : ndarray of shape (T + 1, K, 1 + D + D²), float64
    """
    order = list(order)
    n_features = len(order)
    n_components = trace.params[0].n_components
    out = np.empty((len(trace.params), n_components, 1 + n_features + n_features**2))
    for t in range(len(trace.params)):
        constants, centres, chol = trace.log_joint_terms(t)
        chol = chol[:, order][:, :, order] * half[np.newaxis, :, np.newaxis]
        out[t, :, 0] = constants
        out[t, :, 1 : 1 + n_features] = (centres[:, order] - centre) / half
        out[t, :, 1 + n_features :] = chol.reshape(n_components, -1)
    return out


def mean_moves(trace: Run) -> list:
    """Per iteration t ≥ 1, [k, distance]: the mean that moved most from θ_{t-1} to θ_t and
    how far (Euclidean, data units, every feature); ``None`` for t = 0."""
    moves: list = [None]
    for before, after in zip(trace.params[:-1], trace.params[1:]):
        distances = np.linalg.norm(after.means - before.means, axis=1)
        k = int(np.argmax(distances))
        moves.append([k, float(distances[k])])
    return moves


def ellipsoid_frames(trace: Run, dims, centre, half) -> np.ndarray:
    """Means and covariance factors of every θ_t in cube coordinates, (T + 1, K, 12) float32.

    Row ``[t, k]`` holds μ_k (3 numbers) then A_k row-major (9), with A_k A_kᵀ = Σ_k: the
    r-σ ellipsoid is {μ_k + r A_k u : ‖u‖ = 1}. Scaling the axes by ``1 / half`` maps
    A_k to diag(1 / half) A_k.
    """
    dims = list(dims)
    d = len(dims)
    n_components = trace.params[0].n_components
    out = np.zeros((len(trace.params), n_components, 12), dtype=np.float64)
    for t, params in enumerate(trace.params):
        out[t, :, :3] = _to_cube(params.means[:, dims], centre, half)
        covariances = params.full_covariances()[:, dims][:, :, dims]
        transforms = covariance_transform(covariances) / half[np.newaxis, :, np.newaxis]
        full = np.zeros((n_components, 3, 3))
        full[:, :d, :d] = transforms
        out[t, :, 3:] = full.reshape(n_components, 9)
    return out.astype(np.float32)


def _hex(rgb) -> str:
    return "#" + "".join(f"{int(round(c * 255)):02x}" for c in rgb[:3])


# matplotlib's MaxNLocator(4) steps (its default [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]), extended
# a decade down and one step up as its _staircase does
_TICK_STEPS = np.array([1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10], dtype=np.float64)
_TICK_STAIRCASE = np.concatenate([0.1 * _TICK_STEPS[:-1], _TICK_STEPS, [10 * _TICK_STEPS[1]]])


def tick_values(low: float, high: float, n_bins: int = 4) -> np.ndarray:
    """What ``matplotlib.ticker.MaxNLocator(n_bins).tick_values(low, high)`` returns, for
    ``low < high``, without importing matplotlib (a tenth of a second before the first frame;
    tests/views/test_webview.py checks the two agree): at most ``n_bins`` intervals of a round
    step, covering [low, high], at least two ticks inside it."""
    low, high = float(low), float(high)
    largest = max(abs(low), abs(high))
    if largest < 1e20 * np.finfo(np.float64).tiny:  # both ~0: matplotlib's _nonsingular
        low, high = -1e-13, 1e-13
    elif high - low <= 1e-14 * largest:  # too narrow for its digits: widened a little
        low, high = low - 1e-13 * abs(low), high + 1e-13 * abs(high)
    span = abs(high - low)
    middle = (high + low) / 2
    offset = 0.0
    if abs(middle) / span >= 100:  # far from 0: ticks about a round offset
        offset = math.copysign(10 ** (math.log10(abs(middle)) // 1), middle)
    scale = 10 ** (math.log10(span / n_bins) // 1)
    low_, high_ = low - offset, high - offset
    steps = _TICK_STAIRCASE * scale
    large = np.flatnonzero(steps >= (high_ - low_) / n_bins)
    first = large[0] if large.size else len(steps) - 1
    # tolerance of a tick on an edge: more slop when the offset is large next to the step
    for step in steps[: first + 1][::-1]:
        tolerance = 1e-10
        if offset != 0:
            tolerance = min(0.4999, max(1e-10, 10 ** (np.log10(abs(offset) / step) - 12)))
        best_low = (low_ // step) * step
        below, rest = divmod(low_ - best_low, step)
        below += abs(rest / step - 1) < tolerance
        above, rest = divmod(high_ - best_low, step)
        above += not abs(rest / step) < tolerance
        ticks = np.arange(below, above + 1) * step + best_low
        if ((ticks <= high_) & (ticks >= low_)).sum() >= 2:
            break
    return ticks + offset


def _ticks(centre: float, half: float) -> tuple[list[float], list[str]]:
    """A few round tick values inside the padded axis, their cube positions and labels."""
    low, high = centre - half, centre + half
    values = [v for v in tick_values(low, high) if low <= v <= high]
    spacing = values[1] - values[0] if len(values) > 1 else abs(values[0]) or 1.0
    # the fewest decimals that write every tick exactly (2.5 needs one, 2 and 4 none)
    decimals = next(
        (d for d in range(12) if all(abs(round(v, d) - v) <= 1e-9 * spacing for v in values)), 12
    )
    labels = [f"{v:.{decimals}f}" if abs(v) < 1e6 else f"{v:.3g}" for v in values]
    labels = ["0" if label.strip("-0.") == "" else label for label in labels]
    return [float((v - centre) / half) for v in values], labels


def _opacities(weights: list[np.ndarray], prunes: bool) -> dict[str, list]:
    """``alphas`` of the ellipsoids and ``mean_alphas`` of the means, per θ_t and component."""
    if prunes:  # VB: opacity ∝ E[π_k] up to 1/K, so that a pruned component fades out entirely
        return {
            "alphas": [share_alpha(w).tolist() for w in weights],
            "mean_alphas": [share_alpha(w, 1.0).tolist() for w in weights],
        }
    return {
        "alphas": [weight_alpha(w, low=0.3).tolist() for w in weights],
        "mean_alphas": [np.ones_like(w).tolist() for w in weights],
    }


#: The keys of :func:`bound_split_json`, in ``meta``.
BOUND_KEYS = ("log_p", "lower_bounds", "kls")


def bound_split_json(trace: Run, **options) -> dict[str, list | None]:
    """Why EM climbs: ln p = L + KL at every half-step (the bar panel), or null (VB).

    ``options`` go to ``trace.bound_split`` (EM: ``n_threads``).
    """
    split = trace.bound_split(**options)
    if split is None:
        return dict.fromkeys(BOUND_KEYS)
    return {name: values.tolist() for name, values in zip(BOUND_KEYS, split)}


def pending_bound_split(trace: Run) -> dict[str, list | None]:
    """What ``meta`` holds while the split is computed after the first frame: empty lists for
    a run that has a split (the panel keeps its room, hidden until the numbers arrive), null
    for one that has none."""
    if getattr(trace, "has_bound_split", False):
        return {name: [] for name in BOUND_KEYS}
    return dict.fromkeys(BOUND_KEYS)


def trace_payload(
    trace: Run,
    *,
    dims=None,
    sigmas=(1.0, 2.0),
    component: int | None = None,
    frame=None,
    axis_names=None,
    bound_split: bool = True,
) -> tuple[dict, dict[str, bytes]]:
    """Everything the browser view draws, for the whole run.

    Parameters
    ----------
    trace : Run
        An :class:`~gmmlearn.trace.EMTrace` or any run of the :class:`~gmmlearn.runs.Run`
        protocol (VB's :class:`~gmmlearn.vb.trace.VBTrace`).
    dims : sequence of 2 or 3 int, optional
        Features to plot (default the first three, or two).
    sigmas : sequence of float
        Mahalanobis radii of the ellipsoids.
    component : int or None
        Colour by this component's γ_nk (0-based) instead of the γ-blend.
    frame : (centre, half_width), optional
        The axes' frame (:func:`axis_frame`) to keep, e.g. while points are added; default the
        data's own.
    axis_names : sequence of str, optional
        Names of the plotted axes (default x₁, x₂, …).
    bound_split : bool, default=True
        Whether ``meta`` holds the L/KL split (:func:`bound_split_json`, one more pass over
        the data per iteration); False: :func:`pending_bound_split`, for a view that sends the
        split after its first frame.

    Returns
    -------
    meta : dict
        JSON-serialisable description (see the module docstring).
    buffers : dict of bytes
        ``positions``, ``extra``, ``terms``, ``ellipsoids`` as little-endian bytes.
    """
    X = trace.X
    dims = check_dims(dims, X.shape[1])
    sigmas = [float(s) for s in sigmas]
    n_samples = X.shape[0]
    n_components = trace.params[0].n_components
    # γ needs every feature: the plotted ones, then the rest, each scaled into [-1, 1]
    order = list(dims) + [j for j in range(X.shape[1]) if j not in dims]
    centre_all, half_all = (np.array(a, dtype=np.float64) for a in axis_frame(X, order))
    if frame is not None:  # the playground's axes, held while the data are edited
        centre_all[: len(dims)], half_all[: len(dims)] = map(np.asarray, frame)
    centre, half = centre_all[: len(dims)], half_all[: len(dims)]
    colors = component_colors(n_components)
    positions = _to_cube(X[:, list(dims)], centre, half).astype(np.float32)
    extra = (X[:, order[len(dims) :]] - centre_all[len(dims) :]) / half_all[len(dims) :]
    terms = gamma_terms(trace, order, centre_all, half_all)
    ellipsoids = ellipsoid_frames(trace, dims, centre, half)

    steps = [trace.half_step(i) for i in range(trace.n_half_steps)]
    # VB: the bound of q₀ is NaN after a one-hot start; JSON has no NaN, the view skips null
    curve = trace.curve
    finite = curve[np.isfinite(curve)]
    weights = [p.weights for p in trace.params]
    ticks = [_ticks(c, h) for c, h in zip(centre, half)]
    meta = {
        "n_samples": n_samples,
        "n_dims": len(dims),
        "n_components": n_components,
        "n_iter": trace.n_iter,
        "n_half_steps": trace.n_half_steps,
        "n_color_frames": max(trace.n_iter, 1),
        "n_features": X.shape[1],
        "axis_names": list(axis_names)
        if axis_names is not None
        else [f"x{_SUBSCRIPTS[d] if d < 9 else d + 1}" for d in dims],
        "ranges": [[float(c - h), float(c + h)] for c, h in zip(centre, half)],
        "ticks": [t[0] for t in ticks],
        "tick_labels": [t[1] for t in ticks],
        "colors": [_hex(c) for c in colors],
        "unassigned_color": _hex(UNASSIGNED),
        "sigmas": sigmas,
        "component": component,
        "labels": [trace.describe_step(h) for h in steps],
        "phases": [h.phase for h in steps],
        # -1: grey, no γ yet (half-step 0, before the first E-step)
        "color_index": [h.resp_iteration if h.assigned else -1 for h in steps],
        "params_index": [h.iteration if h.phase != "E" else h.resp_iteration for h in steps],
        "weights": [w.tolist() for w in weights],
        "mean_moves": mean_moves(trace),
        **_opacities(weights, trace.prunes_components),
        "log_likelihoods": [float(v) if np.isfinite(v) else None for v in curve],
        "curve_limits": list(curve_limits(finite, n_samples) if finite.size else (-1.0, 1.0)),
        "curve_label": trace.curve_label,
        "method": trace.method,
        **(bound_split_json(trace) if bound_split else pending_bound_split(trace)),
    }
    buffers = {
        "positions": positions.astype("<f4").tobytes(),
        "extra": extra.astype("<f4").tobytes(),
        "terms": terms.astype("<f8").tobytes(),
        "ellipsoids": ellipsoids.astype("<f4").tobytes(),
    }
    return meta, buffers


def encode_buffers(buffers: dict[str, bytes]) -> dict[str, str]:
    """Base64 text of each buffer, for a page that has no kernel to send them."""
    return {name: base64.b64encode(data).decode("ascii") for name, data in buffers.items()}
