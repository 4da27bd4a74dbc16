"""The explorers: ipywidgets controls around a view of a run (see :func:`explore`)."""

from ._base import (
    MAX_COMPONENTS,
    VIEWS,
    EMExplorer,
    collapsed_components,
    explore,
    information_criteria,
    is_widget_backend,
    run_trace,
)

__all__ = [
    "MAX_COMPONENTS",
    "VIEWS",
    "EMExplorer",
    "collapsed_components",
    "explore",
    "information_criteria",
    "is_widget_backend",
    "run_trace",
]
