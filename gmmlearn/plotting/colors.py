"""Colours for components and for points blended by their responsibilities.

The palette is Okabe & Ito's (2008), distinguishable with the common forms of colour
blindness; more than eight components fall back to matplotlib's "tab20".
"""

from __future__ import annotations

import numpy as np

__all__ = ["OKABE_ITO", "UNASSIGNED", "component_colors", "blend_colors"]

# Okabe–Ito, without black (kept for the means' outlines).
OKABE_ITO = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#999999",  # grey
)

#: The points before the first E-step (half-step 0): no γ yet, so no component's colour.
#: Lighter than the palette's grey, so that it reads as "not assigned", not as a component.
UNASSIGNED = (0.77, 0.77, 0.77)


def _hex_to_rgb(code: str) -> tuple[float, float, float]:
    code = code.lstrip("#")
    return tuple(int(code[i : i + 2], 16) / 255 for i in (0, 2, 4))


def component_colors(n_components: int) -> np.ndarray:
    """RGB colours of the K components, ndarray of shape (n_components, 3)."""
    if n_components <= len(OKABE_ITO):
        return np.array([_hex_to_rgb(c) for c in OKABE_ITO[:n_components]])
    from matplotlib import colormaps  # only needed for large K

    return np.asarray(colormaps["tab20"](np.arange(n_components) % 20))[:, :3]


def blend_colors(resp: np.ndarray, colors: np.ndarray | None = None) -> np.ndarray:
    r"""Each point's colour as the γ-weighted mix of the component colours.

    .. math:: c_n = \sum_k \gamma_{nk}\, c_k

    A point one component owns gets that component's colour; an uncertain point looks mixed.

    Parameters
    ----------
    resp : ndarray of shape (n_samples, n_components)
    colors : ndarray of shape (n_components, 3), optional
        Defaults to :func:`component_colors`.

    Returns
    -------
    rgba : ndarray of shape (n_samples, 4)
    """
    if colors is None:
        colors = component_colors(resp.shape[1])
    rgba = np.ones((resp.shape[0], 4))
    rgba[:, :3] = np.clip(resp @ colors, 0.0, 1.0)
    return rgba
