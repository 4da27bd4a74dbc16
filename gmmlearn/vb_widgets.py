"""Moved to :mod:`gmmlearn.widgets.vb` (the VB explorer; issue 19).

This module forwards every name there and warns when used; or call
``gmmlearn.widgets.explore(X, method="vb")``.
"""

from ._moved import forward_module

forward_module(__name__, "gmmlearn.widgets.vb")
