"""The explorer for variational Bayes: :func:`gmmlearn.widgets.explore` with ``method="vb"``.

:class:`VBExplorer` is the shared explorer (:class:`gmmlearn.widgets._base.Explorer`) with a VB
run: the same view (browser or matplotlib) and the same stepping as EM's, the run
made exactly as :class:`gmmlearn.BayesianGaussianMixture` makes it (its ``trace_``), and

* the colours are r_nk (PRML 10.49), the ellipsoids E[Λ_k]⁻¹ = W_k⁻¹/ν_k, the opacity of
  each component E[π_k] (a pruned component fades out), the curve the VB lower bound;
* α₀ (``weight_concentration_prior``) on a slider and the weight prior (the book's Dirichlet
  or scikit-learn's default Dirichlet process) in a picker: changing one runs VB again, as
  K, the initialisation, the covariance type and the seed do;
* the step label, the parameters and the equations are VB's (:mod:`gmmlearn.vb.equations`):
  no EM formula is shown for a VB run.

The 2-D playground (drag a mean, click to add or remove a point) runs EM and is not offered
here: the explorer refuses those actions with a message.
"""

from __future__ import annotations

import warnings

import ipywidgets as widgets
import numpy as np

from ..validation import check_n_components
from ..vb import PRIOR_TYPES
from ..vb.equations import VB_PHASE_EQUATIONS, vb_params_latex
from ..vb.trace import VBTrace
from ._base import Explorer

__all__ = ["VB_INIT_METHODS", "VBExplorer", "run_vb_trace"]

#: The starts BayesianGaussianMixture knows (scikit-learn's ``init_params``).
VB_INIT_METHODS: tuple[str, ...] = ("kmeans", "k-means++", "random", "random_from_data")

_PRIOR_LABELS = (
    ("Dirichlet process", "dirichlet_process"),
    ("Dirichlet (PRML)", "dirichlet_distribution"),
)

_VB_EQUATION_NAMES = {
    "E_ln_pi": "expected log weight",
    "E_ln_det": "expected log-determinant of the precision",
    "E_quad": "expected squared distance",
    "r": "responsibilities",
    "stats": "statistics of r",
    "alpha": "q(π)",
    "beta": "precision of the mean",
    "m": "mean of q(μ<sub>k</sub>)",
    "W": "scale matrix of q(Λ<sub>k</sub>)",
    "nu": "degrees of freedom",
}


def run_vb_trace(
    X: np.ndarray,
    n_components: int,
    init: str = "kmeans",
    *,
    covariance_type: str = "full",
    random_state=0,
    weight_concentration_prior: float | None = None,
    weight_concentration_prior_type: str = "dirichlet_process",
    max_iter: int = 100,
    tol: float = 1e-3,
    reg_covar: float = 1e-6,
) -> VBTrace:
    """Run VB once as ``BayesianGaussianMixture(...).fit(X)`` does; return its ``trace_``.

    A run that stops at ``max_iter`` is returned as it is (scikit-learn's ConvergenceWarning
    is not raised: the curve shows where it stopped).

    Raises
    ------
    ValueError
        For a bad K, start, prior or α₀, with the fix.
    """
    n_components = check_n_components(n_components, X.shape[0])
    if init not in VB_INIT_METHODS:
        raise ValueError(
            f"unknown init {init!r} for VB: use one of " + ", ".join(map(repr, VB_INIT_METHODS))
        )
    if weight_concentration_prior_type not in PRIOR_TYPES:
        raise ValueError(
            f"unknown weight prior {weight_concentration_prior_type!r}: use one of "
            + ", ".join(map(repr, PRIOR_TYPES))
        )
    alpha0 = weight_concentration_prior
    if alpha0 is not None and not (np.isfinite(alpha0) and alpha0 > 0):
        raise ValueError(f"α₀ (weight_concentration_prior) must be > 0, got {alpha0}")
    # scikit-learn is imported by the VB run itself, not by `from gmmlearn.widgets import …`
    from sklearn.exceptions import ConvergenceWarning

    from ..bayesian_mixture import BayesianGaussianMixture

    model = BayesianGaussianMixture(
        n_components=n_components,
        covariance_type=covariance_type,
        init_params=init,
        random_state=random_state,
        weight_concentration_prior=alpha0,
        weight_concentration_prior_type=weight_concentration_prior_type,
        max_iter=max_iter,
        tol=tol,
        reg_covar=reg_covar,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    return model.trace_


class VBExplorer(Explorer):
    """Step through a VB run with widgets; see :func:`gmmlearn.widgets.explore` (``method="vb"``).

    Parameters are those of :class:`~gmmlearn.widgets.EMExplorer` (but ``playground``), plus
    ``weight_concentration_prior`` (α₀; default 1/K, as scikit-learn) and
    ``weight_concentration_prior_type`` (default ``"dirichlet_process"``); ``init`` is one of
    :data:`VB_INIT_METHODS`.

    Attributes
    ----------
    trace : VBTrace
    alpha_input : ipywidgets.FloatLogSlider
        α₀; releasing it runs VB again.
    prior_input : ipywidgets.Dropdown
        The prior on π.
    """

    _algorithm = "VB"
    _init_methods = VB_INIT_METHODS
    # the toggle and the colour picker say what a VB half-step and its colours are
    _half_step_names = "r / q half-steps"
    _resp_symbol = "r"

    def __init__(
        self,
        X,
        n_components: int = 6,
        *,
        weight_concentration_prior: float | None = None,
        weight_concentration_prior_type: str = "dirichlet_process",
        **options,
    ) -> None:
        # read by _make_trace before the widgets exist; α₀ = None: 1/K, as scikit-learn
        # (K is checked by the explorer first, so a bad K gets EM's message)
        self._prior_choice = {
            "weight_concentration_prior": weight_concentration_prior,
            "weight_concentration_prior_type": weight_concentration_prior_type,
        }
        super().__init__(X, n_components, **options)
        self._say_if_stopped_early()

    # -- the run --------------------------------------------------------------------------
    def _make_trace(self, X, **choices) -> VBTrace:
        return run_vb_trace(X, **choices, **self._prior_choice, **self.options)

    def rerun(self) -> bool:
        """Run VB again with the K, init, covariance type, seed, α₀ and prior of the widgets."""
        previous = dict(self._prior_choice)
        self._prior_choice = {
            "weight_concentration_prior": float(self.alpha_input.value),
            "weight_concentration_prior_type": self.prior_input.value,
        }
        ok = super().rerun()
        if not ok:
            self._prior_choice = previous
        else:
            self._say_if_stopped_early()
        return ok

    def _say_if_stopped_early(self) -> None:
        if not self._trace.converged and self._trace.n_iter > 0:
            self._show_message(
                f"VB stopped after max_iter={self.options['max_iter']} iterations before "
                "converging (the bound was still rising).",
                error=False,
            )

    # -- EM's playground is not here ----------------------------------------------------------
    def move_mean(self, k: int, position) -> bool:
        """Not for VB: the playground runs EM."""
        return self._refuse("Dragging a mean")

    def add_point(self, position) -> bool:
        """Not for VB: the playground runs EM."""
        return self._refuse("Adding a point")

    def remove_point(self, index: int) -> bool:
        """Not for VB: the playground runs EM (the data and the run stay as they are)."""
        return self._refuse("Removing a point")

    def _refuse(self, action: str) -> bool:
        self._show_message(f"{action} runs EM: use explore(X, method='em') for that.")
        return False

    # -- widgets ----------------------------------------------------------------------------
    def _extra_rows(self) -> tuple:
        self._prior_choice["weight_concentration_prior"] = self._trace.prior.alpha0
        self.alpha_input = widgets.FloatLogSlider(
            value=self._prior_choice["weight_concentration_prior"],
            base=10,
            min=-4,
            max=2,
            step=0.25,
            readout_format=".2g",
            continuous_update=False,
            description="α₀",
            layout={"width": "300px"},
        )
        self.prior_input = widgets.Dropdown(
            options=_PRIOR_LABELS,
            value=self._prior_choice["weight_concentration_prior_type"],
            description="prior on π",
            style={"description_width": "initial"},
        )
        return (widgets.HBox([self.alpha_input, self.prior_input]),)

    def _wire(self) -> None:
        super()._wire()
        self._observe(self.alpha_input, self._on_run_choice)
        self._observe(self.prior_input, self._on_run_choice)

    # -- texts ------------------------------------------------------------------------------
    _applied_equations = VB_PHASE_EQUATIONS
    _equations_intro = (
        "Variational Bayes (PRML §10.2). E-step: r<sub>nk</sub> from q; M-step: q(π) "
        "and q(μ<sub>k</sub>, Λ<sub>k</sub>) from those r (point and component are "
        "1-based, as in the book)."
    )

    def _equation_title(self, name: str) -> str:
        return _VB_EQUATION_NAMES[name]

    def _params_text(self, h) -> str:
        t = h.resp_iteration if h.phase == "E" else h.iteration
        return (
            f"<p>q shown (q<sub>{t}</sub>): E[π<sub>k</sub>], the parameters of q(π) and "
            "q(μ<sub>k</sub>, Λ<sub>k</sub>), and the drawn E[Λ<sub>k</sub>]<sup>−1</sup>:</p>"
            f"$$ {vb_params_latex(self._trace.states[t])} $$"
        )
