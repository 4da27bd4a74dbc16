"""Matplotlib views of a Gaussian mixture and of an EM trace (never imports ipywidgets)."""

from .colors import OKABE_ITO, blend_colors, component_colors
from .ellipsoids import (
    covariance_transform,
    ellipse_segments,
    unit_circle,
    unit_sphere_wireframe,
    weight_alpha,
)
from .static import draw_mixture_2d, em_figure
from .view import EMView, intensity_colors

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
