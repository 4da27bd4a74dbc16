"""Moved: the VB explorer is :mod:`gmmlearn.widgets.vb`. This path forwards there and warns.

Kept so that notebooks written against ``gmmlearn.vb_widgets`` still run; import from
``gmmlearn.widgets.vb`` (or use ``gmmlearn.widgets.explore(X, method="vb")``).
"""

import warnings

from .widgets import vb as _moved_to

__all__ = list(_moved_to.__all__)

warnings.warn(
    "gmmlearn.vb_widgets moved to gmmlearn.widgets.vb: import from there "
    "(the old path will be removed)",
    DeprecationWarning,
    stacklevel=2,
)


def __getattr__(name: str):
    return getattr(_moved_to, name)


def __dir__() -> list[str]:
    return dir(_moved_to)
