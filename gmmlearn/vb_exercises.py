"""Moved to :mod:`gmmlearn.exercises.lesson7` (lesson 7's checkers, variational Bayes; issue 19).

This module forwards every name there and warns when used.
"""

from ._moved import forward_module

forward_module(__name__, "gmmlearn.exercises.lesson7")
