"""Matplotlib views of a Gaussian mixture and of an EM trace (never imports ipywidgets)."""

from .colors import OKABE_ITO, blend_colors, component_colors

__all__ = ["OKABE_ITO", "blend_colors", "component_colors"]
