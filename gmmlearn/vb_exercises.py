"""Deprecated: lesson 7's checkers (variational Bayes) are in :mod:`gmmlearn.exercises.lesson7`."""

from ._moved import forward

__getattr__, __dir__, __all__ = forward(__name__, "gmmlearn.exercises.lesson7")
