"""A recorded variational Bayes run: q after every iteration and the lower bound.

The VB counterpart of :class:`gmmlearn.trace.EMTrace`. It keeps the variational parameters of
every iteration (:class:`~gmmlearn.vb.VBParams`, K·D² floats each) but not the
responsibilities r (N·K floats per iteration), which are recomputed on demand.

Iteration t (t = 1 … T) is an E-step at q_{t-1} (giving r) followed by an M-step giving q_t;
``lower_bounds[t - 1]`` is the bound of (r, q_t), as scikit-learn computes it. ``states[0]``
is the initialisation: the M-step applied to the starting responsibilities.

The stopping rule is scikit-learn's: stop after iteration t when the lower bound (the total
over the points, not divided by N) changed by less than ``tol``.

For the views, a ``VBTrace`` has the small interface of an ``EMTrace``: ``params`` (the mixture
drawn at each iteration: E[π_k], m_k and the expected covariance W_k⁻¹/ν_k),
``n_half_steps``/``half_step(i)`` with the same half-step numbering, ``n_steps``/
``step_index``, ``responsibilities(t)`` (r, the colours' source) and ``curve`` (the lower
bound of every state, in place of EM's log-likelihood).
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .._chunked import stacked_cholesky
from ..params import GaussianMixtureParams
from ..runs import HalfStep, component_index
from ..trace import HalfSteps
from ..validation import check_run_arguments
from .steps import (
    VBParams,
    VBPrior,
    expected_log_det_lambda,
    expected_log_pi,
    log_rho,
    lower_bound,
    vb_e_step,
    vb_m_step,
)

__all__ = ["VB_ENGINES", "VBTrace", "run_vb"]

VB_ENGINES: tuple[str, ...] = ("auto", "steps", "fused")


@dataclass(frozen=True, eq=False)
class VBTrace(HalfSteps):
    """The record of one VB run.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features)
        The data (a reference, not a copy).
    states : tuple of VBParams, length T + 1
        ``states[t]`` is q_t; ``states[0]`` the initialisation.
    lower_bounds : ndarray of shape (T,)
        ``lower_bounds[t - 1]`` is the bound after iteration t.
    converged : bool
        Whether the stopping rule fired before ``max_iter``.
    prior : VBPrior
    tol, reg_covar : float
    max_iter : int
    initial_lower_bound : float
        The bound of q_0 with the responsibilities it was made from: NaN if not given, or if
        those r were no distribution over components for every point (the one-hot starts
        "k-means++" and "random_from_data" leave all but K points out).
    """

    X: np.ndarray
    states: tuple[VBParams, ...]
    lower_bounds: np.ndarray
    converged: bool
    prior: VBPrior
    tol: float
    reg_covar: float
    max_iter: int
    initial_lower_bound: float = float("nan")

    @property
    def n_iter(self) -> int:
        """T, the number of iterations run."""
        return len(self.states) - 1

    @property
    def final_params(self) -> VBParams:
        """q_T."""
        return self.states[-1]

    @cached_property
    def params(self) -> tuple[GaussianMixtureParams, ...]:
        """The mixture a view draws at each iteration: E[π_k], m_k and E[Λ_k]⁻¹ = W_k⁻¹/ν_k."""
        return tuple(
            GaussianMixtureParams(s.weights, s.m, s.covariances, s.covariance_type)
            for s in self.states
        )

    def mixture(self, iteration: int) -> GaussianMixtureParams:
        """``params[iteration]``."""
        return self.params[iteration]

    @property
    def curve(self) -> np.ndarray:
        """The lower bound of q_0 … q_T, shape (T + 1,): what a view plots (EM: ln p)."""
        return np.concatenate([[self.initial_lower_bound], self.lower_bounds])

    # the half-steps a view walks through are numbered as in gmmlearn.trace (HalfSteps);
    # at an E half-step the colours are r(q_{t-1}), at an M half-step q_t is drawn

    #: What ``curve`` holds, for a view's axis label (EM's is ln p(X | θₜ)).
    curve_label = "VB lower bound ℒ(qₜ)"

    def log_joint(self, iteration: int) -> np.ndarray:
        """ln ρ_nk under q_t (PRML 10.46), shape (n_samples, n_components): r is its softmax.

        The colours' source for a view, as ln π_k + ln N(x_n | μ_k, Σ_k) is for EM. It is not
        that of the mixture in ``params[t]``: E[ln π_k] ≠ ln E[π_k], and so on.
        """
        return log_rho(self.X, self.states[iteration])

    def log_joint_terms(self, iteration: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`log_joint` as E[ln π_k] + ½E[ln|Λ_k|] − D/2 ln 2π − D/(2β_k) − ½‖U_kᵀ(x − m_k)‖²
        with ν_k W_k = U_k U_kᵀ (PRML 10.46 and 10.64).

        Returns
        -------
        constants : ndarray of shape (n_components,)
        centres : ndarray of shape (n_components, n_features)
            m_k.
        chol : ndarray of shape (n_components, n_features, n_features)
            U_k, upper triangular, whatever the covariance type.
        """
        state = self.states[iteration]
        n_features = state.n_features
        constants = (
            expected_log_pi(state.alpha, state.prior_type)
            + 0.5 * expected_log_det_lambda(state)
            - 0.5 * n_features * (np.log(2.0 * np.pi) + 1.0 / state.beta)
        )
        return constants, np.array(state.m), stacked_cholesky(state)

    def responsibilities(self, iteration: int) -> np.ndarray:
        """r under q_t, of shape (n_samples, n_components), recomputed."""
        if not -len(self.states) <= iteration < len(self.states):
            raise IndexError(f"iteration {iteration} is outside 0 … {self.n_iter}")
        return vb_e_step(self.X, self.states[iteration])[0]

    def __len__(self) -> int:
        return len(self.states)

    # -- the rest of what a view reads (gmmlearn.runs.Run) -------------------------------
    method = "vb"
    #: E[π_k] → 0 prunes component k: the views fade it out entirely.
    prunes_components = True
    ellipsoid_note = "ellipsoids of E[Λₖ]⁻¹, opacity ∝ E[πₖ]"

    def bound_split(self) -> None:
        """None: the VB curve is the bound itself, with no ln p = L + KL split."""
        return None

    def describe_step(self, h: HalfStep, compact: bool = False) -> str:
        """:func:`gmmlearn.vb.equations.vb_step_description` of ``h`` in this run."""
        from .equations import vb_step_description  # on use: vb_equations imports this module

        return vb_step_description(h, self.n_half_steps, compact=compact)

    def weight_name(self, k: int) -> str:
        """E[π] with the 1-based index of component ``k``: "E[π₁]"."""
        return f"E[π{component_index(k)}]"

    def equations_with_numbers(self, step: int, n: int, k: int) -> dict[str, str]:
        """:func:`gmmlearn.vb.equations.vb_equations_with_numbers` at half-step ``step``."""
        from .equations import vb_equations_with_numbers  # see describe_step

        return vb_equations_with_numbers(self, step, n, k)


def _steps_iteration(X, state, prior, reg_covar):
    """One iteration with the textbook functions: E-step, M-step, bound."""
    resp, log_resp = vb_e_step(X, state)
    new_state = vb_m_step(X, resp, prior, reg_covar)
    return new_state, lower_bound(log_resp, new_state)


def _check_run_arguments(X, initial_state, engine, max_iter, tol, reg_covar) -> np.ndarray:
    """``run_vb``'s arguments checked, one-line errors; X as float64."""
    if engine not in VB_ENGINES:
        raise ValueError(
            f"unknown engine {engine!r}: use one of " + ", ".join(repr(e) for e in VB_ENGINES)
        )
    if not isinstance(initial_state, VBParams):
        raise TypeError(
            f"initial_state must be a VBParams, got {type(initial_state).__name__}: make one "
            "with gmmlearn.vb.vb_m_step(X, resp, prior)"
        )
    start = (
        "initial_state",
        initial_state.n_features,
        "give q_0 of the same dimension as the data",
    )
    return check_run_arguments(X, start, max_iter=max_iter, tol=tol, reg_covar=reg_covar)


def run_vb(
    X: np.ndarray,
    initial_state: VBParams,
    prior: VBPrior,
    *,
    max_iter: int = 100,
    tol: float = 1e-3,
    reg_covar: float = 1e-6,
    previous_lower_bound: float = -np.inf,
    initial_lower_bound: float = float("nan"),
    engine: str = "auto",
) -> VBTrace:
    """Run VB from ``initial_state`` and record every iteration.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    initial_state : VBParams
        q_0, e.g. ``vb_m_step(X, resp0, prior)``.
    prior : VBPrior
    max_iter : int, default=100
    tol : float, default=1e-3
        Stop when the lower bound changes by less than ``tol`` (scikit-learn's rule).
    reg_covar : float, default=1e-6
        Added to the diagonal of S_k.
    previous_lower_bound : float, default=-inf
        What the first bound is compared with (a warm start passes the last fit's).
    initial_lower_bound : float, default=nan
        The bound of q_0, recorded as ``curve[0]`` (e.g. ``lower_bound(ln r_0, q_0)``).
    engine : {"auto", "steps", "fused"}, default="auto"
        ``"steps"`` chains the functions of :mod:`gmmlearn.vb`; ``"fused"`` uses
        :func:`gmmlearn.vb.fused.vb_iteration` (one chunked pass, no N×K array); ``"auto"``
        picks ``"fused"``. They agree to ~1e-10 relative.

    Returns
    -------
    trace : VBTrace
    """
    X = _check_run_arguments(X, initial_state, engine, max_iter, tol, reg_covar)
    if engine == "steps":
        iterate, context = _steps_iteration, nullcontext()
    else:
        from .._chunked import one_blas_thread
        from .fused import vb_iteration

        iterate, context = vb_iteration, one_blas_thread()
    states = [initial_state]
    bounds = []
    converged = False
    previous = previous_lower_bound
    with context:
        for _ in range(max_iter):
            state, bound = iterate(X, states[-1], prior, reg_covar)
            states.append(state)
            bounds.append(bound)
            if abs(bound - previous) < tol:
                converged = True
                break
            previous = bound
    return VBTrace(
        X=X,
        states=tuple(states),
        lower_bounds=np.array(bounds, dtype=np.float64),
        converged=converged,
        prior=prior,
        tol=tol,
        reg_covar=reg_covar,
        max_iter=max_iter,
        initial_lower_bound=float(initial_lower_bound),
    )
