"""Moved to :mod:`gmmlearn.vb.trace` (issue 19).

This module forwards every name there and warns when used.
"""

from ._moved import forward_module

forward_module(__name__, "gmmlearn.vb.trace")
