"""Moved to :mod:`gmmlearn.exercises.lesson6` (lesson 6's checkers: the bound L, the gap KL;
issue 19).

This module forwards every name there and warns when used.
"""

from ._moved import forward_module

forward_module(__name__, "gmmlearn.exercises.lesson6")
