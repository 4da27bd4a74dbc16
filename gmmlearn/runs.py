"""What every view reads of a recorded run: the half-step numbering and the :class:`Run` protocol.

A run of EM (:class:`gmmlearn.trace.EMTrace`) or of variational Bayes
(:class:`gmmlearn.vb.trace.VBTrace`) is shown the same way: states one half-step apart, the
points coloured by a responsibility matrix, the mixture drawn as ellipsoids, a curve that
climbs. The views (:mod:`gmmlearn.plotting.view`, :mod:`gmmlearn.webview`) read a run only
through :class:`Run`; a new method (say k-means) plugs in by implementing it, touching no view.

Half-steps
----------
Iteration t (t = 1 … T) is an E-step at θ_{t-1} then an M-step giving θ_t. Half-step 0 shows θ₀
over grey points: no E-step has run, so no point is assigned yet (its ``resp_iteration`` 0 is
what the first E-step will show, and what the L/KL split of half-step 0 takes as q); 2t − 1
(the E-step) θ_{t-1} with γ(θ_{t-1}): the colours appear (t = 1) or change; 2t (the M-step) θ_t
with γ(θ_{t-1}): the ellipsoids moved (the table in :mod:`gmmlearn.trace`). Every half-step
changes what is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from .params import GaussianMixtureParams

__all__ = ["HalfStep", "HalfSteps", "Run", "check_run", "component_index", "subscript"]

_SUBSCRIPT_DIGITS = "₀₁₂₃₄₅₆₇₈₉"


def subscript(number: int) -> str:
    """``number`` in subscript digits, as the book writes indices: 12 → ₁₂."""
    return "".join(_SUBSCRIPT_DIGITS[int(c)] for c in str(number))


def component_index(k: int) -> str:
    """The 1-based index of component ``k`` (0-based) as a key writes it: ₁ … ₉, then 10, 11…"""
    return _SUBSCRIPT_DIGITS[k + 1] if k < 9 else str(k + 1)


@dataclass(frozen=True)
class HalfStep:
    """One state of a run, as the explorer shows it.

    Attributes
    ----------
    index : int
        Position in the half-step sequence (0 … 2T).
    iteration : int
        The EM iteration t this half-step belongs to (0 for the initial state).
    phase : {"init", "E", "M"}
        What was just applied.
    params : GaussianMixtureParams
        θ shown (the ellipsoids).
    resp_iteration : int
        γ shown is γ(θ_{resp_iteration}) (the colours); at half-step 0 (phase "init") the
        points are drawn grey and this is the γ the first E-step brings.
    """

    @property
    def assigned(self) -> bool:
        """Whether the points have colours: False at half-step 0, before any E-step."""
        return self.phase != "init"

    index: int
    iteration: int
    phase: Literal["init", "E", "M"]
    params: GaussianMixtureParams
    resp_iteration: int


class HalfSteps:
    """The half-step numbering a view walks through, shared by EM and VB traces.

    Needs ``params`` (θ₀ … θ_T, or what a view draws for each q_t) and ``n_iter``; see the
    module docstring for what each index shows.
    """

    @property
    def n_half_steps(self) -> int:
        """2T + 1 states: the initialisation, then an E and an M state per iteration."""
        return 2 * self.n_iter + 1

    def half_step(self, index: int) -> HalfStep:
        """The state after half-step ``index`` (0 … 2T), see the module docstring."""
        if not 0 <= index < self.n_half_steps:
            raise IndexError(f"half-step {index} is outside 0 … {self.n_half_steps - 1}")
        if index == 0:
            return HalfStep(0, 0, "init", self.params[0], 0)
        t = (index + 1) // 2
        if index % 2:
            return HalfStep(index, t, "E", self.params[t - 1], t - 1)
        return HalfStep(index, t, "M", self.params[t], t - 1)

    def n_steps(self, half_steps: bool = True) -> int:
        """How many steps a viewer walks through: 2T + 1 half-steps or T + 1 iterations."""
        return self.n_half_steps if half_steps else self.n_iter + 1

    def step_index(self, index: int, half_steps: bool = True) -> int:
        """The half-step index of step ``index`` (counting iterations, t is its M half-step 2t)."""
        n = self.n_steps(half_steps)
        if not 0 <= int(index) < n:
            unit = "half-step" if half_steps else "iteration"
            raise IndexError(f"{unit} {index} is outside 0 … {n - 1}")
        return int(index) if half_steps else 2 * int(index)


@runtime_checkable
class Run(Protocol):
    """A recorded run as the views read it; :class:`HalfSteps` gives the numbering.

    Implemented by :class:`gmmlearn.trace.EMTrace` and :class:`gmmlearn.vb.trace.VBTrace`. A view
    reads nothing else of a run, and never asks which method made it.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features)
        The data the run was made on.
    params : sequence of GaussianMixtureParams, length T + 1
        The mixture drawn at each iteration (EM: θ_t; VB: E[π_k], m_k, E[Λ_k]⁻¹).
    n_iter : int
        T.
    curve : ndarray of shape (T + 1,)
        The number that climbs, one per iteration (EM: ln p(X | θ_t); VB: the lower bound);
        NaN where it is not defined.
    curve_label : str
        What ``curve`` holds, for an axis label.
    method : str
        A short name of the method ("em", "vb"), sent to the browser view with the run.
    prunes_components : bool
        Whether a component whose weight falls to 0 is gone (VB: it fades out entirely);
        otherwise its opacity grows with its weight but never vanishes (EM).
    ellipsoid_note : str
        What the ellipsoids and their opacity show, for a key ("ellipsoids, opacity ∝ π").
    """

    X: np.ndarray
    curve_label: str
    method: str
    prunes_components: bool
    ellipsoid_note: str

    @property
    def params(self) -> Sequence[GaussianMixtureParams]: ...

    @property
    def n_iter(self) -> int: ...

    @property
    def n_half_steps(self) -> int: ...

    @property
    def curve(self) -> np.ndarray: ...

    def half_step(self, index: int) -> HalfStep:
        """The state shown at half-step ``index`` (0 … 2T)."""

    def n_steps(self, half_steps: bool = True) -> int:
        """2T + 1 half-steps or T + 1 iterations."""

    def step_index(self, index: int, half_steps: bool = True) -> int:
        """The half-step index of step ``index``."""

    def responsibilities(self, iteration: int) -> np.ndarray:
        """The colours' source at iteration t, shape (n_samples, n_components)."""

    def log_joint(self, iteration: int) -> np.ndarray:
        """Its logarithm up to a constant per point, shape (n_samples, n_components)."""

    def log_joint_terms(self, iteration: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``log_joint(t)`` as a quadratic in x, so that a view computes the colours itself.

        Returns ``constants`` (K,), ``centres`` (K, D) and ``chol`` (K, D, D) with
        ``log_joint(t)[n, k] = constants[k] − ½ ‖chol[k]ᵀ (x_n − centres[k])‖²``.
        """

    def bound_split(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """ln p, L and KL per half-step, each of shape (2T + 1,), or None: no such split."""

    def describe_step(self, h: HalfStep, compact: bool = False) -> str:
        """One plain-text line saying which step ``h`` is and what it just applied."""

    def weight_name(self, k: int) -> str:
        """How the key names the weight of component ``k`` (0-based): "π₁", "E[π₁]"."""

    def equations_with_numbers(self, step: int, n: int, k: int) -> dict[str, str]:
        """The LaTeX of each update at half-step ``step`` with point n's and component k's
        numbers (0-based), by equation name: the equations panel."""


def check_run(trace) -> None:
    """Raise a TypeError unless ``trace`` is a run a view can draw (:class:`Run`)."""
    if not isinstance(trace, Run):
        raise TypeError(
            "trace must be a recorded run (gmmlearn.runs.Run): an EMTrace (gmmlearn.run_em) or a "
            f"VBTrace (BayesianGaussianMixture().fit(X).trace_), got {type(trace).__name__}"
        )
