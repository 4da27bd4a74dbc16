"""Matplotlib views of a Gaussian mixture and of an EM trace (never imports ipywidgets)."""

from .colors import OKABE_ITO, blend_colors, component_colors
from .ellipsoids import (
    covariance_transform,
    ellipse_segments,
    unit_circle,
    unit_sphere_wireframe,
    weight_alpha,
)

# The figures need matplotlib (a second to import): loaded on first use, so that the browser
# view, which reads only colors and ellipsoids, starts without it.
_LAZY = {
    "draw_mixture_2d": "static",
    "em_figure": "static",
    "EMView": "view",
    "intensity_colors": "view",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EMView",
    "OKABE_ITO",
    "blend_colors",
    "component_colors",
    "covariance_transform",
    "draw_mixture_2d",
    "ellipse_segments",
    "em_figure",
    "intensity_colors",
    "unit_circle",
    "unit_sphere_wireframe",
    "weight_alpha",
]
