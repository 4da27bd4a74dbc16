"""Matplotlib views of a Gaussian mixture and of an EM trace (never imports ipywidgets)."""

from .colors import OKABE_ITO, blend_colors, component_colors
from .static import em_figure

__all__ = ["OKABE_ITO", "blend_colors", "component_colors", "em_figure"]
