"""Deprecated: lesson 6's checkers (the bound L, the gap KL) are in
:mod:`gmmlearn.exercises.lesson6`."""

from ._moved import forward

__getattr__, __dir__, __all__ = forward(__name__, "gmmlearn.exercises.lesson6")
