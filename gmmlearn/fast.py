"""Moved to :mod:`gmmlearn.fused` (issue 19): this module forwards there and warns when imported."""

from ._moved import forward_module

forward_module(__name__, "gmmlearn.fused")
