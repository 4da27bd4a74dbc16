"""Moved to :mod:`gmmlearn.gaussian_mixture` (issue 19); its shared part to ``_mixture_base``.

This module forwards every name there and warns when used.
"""

from ._moved import forward_module

forward_module(__name__, "gmmlearn.gaussian_mixture", "gmmlearn._mixture_base")
