"""The explorers: step through a run of EM or variational Bayes with widgets.

In a notebook::

    from gmmlearn.widgets import explore
    explore(X, n_components=4)                # EM (PRML §9.2)
    explore(X, n_components=6, method="vb")   # variational Bayes (PRML §10.2)

:func:`explore` looks the method up in :data:`METHODS`; each explorer is the shared
:class:`~gmmlearn.widgets._base.Explorer` (controls, stepping, the two views, exports) with
how its run is made and what its texts say (:mod:`.em`, :mod:`.vb`). A new method plugs in
as one more entry of the table and one more module. This package is the only one of gmmlearn
that imports ipywidgets.
"""

from __future__ import annotations

from ..diagnostics import collapsed_components, information_criteria
from ..trace import run_trace
from ._base import MAX_COMPONENTS, VIEWS, Explorer
from ._hosts import is_widget_backend
from .em import EMExplorer
from .vb import VBExplorer

__all__ = [
    "MAX_COMPONENTS",
    "METHODS",
    "VIEWS",
    "EMExplorer",
    "Explorer",
    "collapsed_components",
    "explore",
    "information_criteria",
    "is_widget_backend",
    "run_trace",
]

#: ``explore(..., method=name)`` → the explorer of that method.
METHODS: dict[str, type[Explorer]] = {"em": EMExplorer, "vb": VBExplorer}


def explore(
    X,
    n_components: int = 4,
    *,
    init: str = "kmeans",
    covariance_type: str = "full",
    random_state: int = 0,
    method: str = "em",
    **options,
) -> EMExplorer:
    """Step through EM (or variational Bayes) for a Gaussian mixture on ``X`` with widgets.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or str
        2 or more features; with more than 3 the first three are shown (``dims=`` chooses).
        A name of :data:`gmmlearn.datasets.PRESETS` (``"old_faithful"``, ``"moons"``, …) uses
        that 2-D data set and shows it in the playground's data menu.
    n_components : int, default=4
        K.
    init : str, default="kmeans"
        One of ``gmmlearn.INIT_METHODS``.
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
    random_state : int, default=0
        Seed of the initialisation.
    method : {"em", "vb"}, default="em"
        ``"vb"``: step through variational Bayes (PRML §10.2) as
        :class:`gmmlearn.BayesianGaussianMixture` runs it, with a slider for α₀
        (``weight_concentration_prior``) and a picker for the weight prior
        (:class:`gmmlearn.widgets.vb.VBExplorer`; the 2-D playground is EM's only).
    **options
        ``max_iter``, ``tol``, ``reg_covar`` of the run; ``half_steps``, ``dims``, ``sigmas``,
        ``interval`` (ms between Play frames); ``view``: ``"browser"`` (default: drawn in the
        browser with WebGL, stepping and rotating without the kernel) or ``"matplotlib"``
        (drawn in the kernel; ``figsize`` sets its size); ``playground`` (default: on for 2-D
        data in the browser view): drag a mean to start EM again from there, click the plane
        to add a point, shift-click a point to remove it, hover a point to read its γ row,
        choose a preset data set; BIC/AIC of every run (:meth:`EMExplorer.move_mean`,
        :meth:`EMExplorer.add_point`, :meth:`EMExplorer.remove_point`,
        :meth:`EMExplorer.use_preset`, :func:`information_criteria`).

    Returns
    -------
    explorer : EMExplorer
        Displays itself as the last expression of a cell; ``.export_html(path)`` and
        ``.export_gif(path)`` save the animation for places where widgets do not run.

    Notes
    -----
    In a kernel, a long EM run (N × max_iter above 2·10⁶, e.g. 10⁵ points and 100 iterations)
    shows θ₀ over the grey points first and runs EM in a thread; the run is there before the
    next cell runs, and ``explorer.trace`` and the explorer's methods wait for it.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: use 'em' or 'vb' (variational Bayes)")
    return METHODS[method](
        X,
        n_components,
        init=init,
        covariance_type=covariance_type,
        random_state=random_state,
        **options,
    )
