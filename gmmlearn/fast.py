"""Moved to :mod:`gmmlearn.fused` (issue 19), its engine to :mod:`gmmlearn._chunked`.

This module forwards every name there (the engine's under their old private names) and warns
when used.
"""

from ._moved import forward_module

forward_module(
    __name__,
    "gmmlearn.fused",
    "gmmlearn._chunked",
    renamed={
        "_MIN_ROWS_PER_THREAD": "MIN_ROWS_PER_THREAD",
        "_MAX_CANCELLATION": "MAX_CANCELLATION",
        "_Plan": "Plan",
        "_statistics": "statistics",
        "_means_and_scatter": "means_and_scatter",
        "_cancellation": "cancellation",
        "_covariances": "covariances_from_scatter",
        "_check": "check_arguments",
        "_passes": "passes",
        "_default_threads": "default_threads",
    },
)
