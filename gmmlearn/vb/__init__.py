r"""Variational Bayes for Gaussian mixtures, PRML §10.2: the same four modules as EM's.

* :mod:`gmmlearn.vb.steps` — one function per equation (10.46–10.77); its names are this
  package's names, so ``gmmlearn.vb.vb_m_step`` is ``gmmlearn.vb.steps.vb_m_step``;
* :mod:`gmmlearn.vb.fused` — one chunked pass per iteration, tested equal to the steps;
* :mod:`gmmlearn.vb.trace` — a recorded run (:class:`~gmmlearn.vb.trace.VBTrace`, ``run_vb``);
* :mod:`gmmlearn.vb.equations` — the updates in LaTeX with the current numbers.
"""

from . import steps
from .steps import *  # noqa: F403 (steps' __all__ is this package's: a new equation is exported at once)
from .steps import __all__  # noqa: F401


def __getattr__(name: str):
    # The private helpers of the flat gmmlearn.vb (before issue 19) stay reachable here.
    try:
        return getattr(steps, name)
    except AttributeError:
        raise AttributeError(f"module 'gmmlearn.vb' has no attribute {name!r}") from None
