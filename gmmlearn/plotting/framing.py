"""What both views frame alike: the features plotted and the curve's y-limits.

Numpy only (no matplotlib): the browser view imports it for its first frame.
"""

from __future__ import annotations

import numpy as np

__all__ = ["check_dims", "curve_limits"]


def check_dims(dims, n_features: int) -> tuple[int, ...]:
    """The features to plot: ``dims`` checked (2 or 3 distinct indices), or the first three."""
    if n_features < 2:
        raise ValueError(
            f"the explorer plots 2-D or 3-D data, got {n_features} feature: "
            "add a second feature (e.g. np.column_stack([x, noise]))"
        )
    if dims is None:
        return tuple(range(min(n_features, 3)))
    dims = tuple(int(d) for d in dims)
    if len(dims) not in (2, 3) or len(set(dims)) != len(dims):
        raise ValueError(f"dims must be 2 or 3 distinct feature indices, got {dims}")
    if not all(0 <= d < n_features for d in dims):
        raise ValueError(f"dims {dims} out of range: the data has features 0 … {n_features - 1}")
    return dims


def curve_limits(curve: np.ndarray, n_samples: int) -> tuple[float, float]:
    """y-limits of the log-likelihood curve; a θ₀ far below the rest is left off scale.

    Far means both 10 times the range of the rest of the curve and 10 nats per point: an
    initial Σ_k collapsed onto one point (``reg_covar`` only) scores around -10⁹ and would
    flatten everything else into a line.
    """
    values = curve
    if curve.size > 2:
        rest = curve[1:]
        gap = float(rest.min() - curve[0])
        if gap > 10.0 * float(rest.max() - rest.min()) and gap > 10.0 * n_samples:
            values = rest
    low, high = float(values.min()), float(values.max())
    pad = 0.06 * (high - low) if high > low else max(1.0, abs(high) * 0.01)
    return low - pad, high + pad
