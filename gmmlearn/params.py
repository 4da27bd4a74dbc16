"""The parameters θ = (π, μ, Λ⁻¹) of a Gaussian mixture, as one small immutable value.

Shapes follow scikit-learn, so that arrays move freely between the two libraries:

=================  ==================  ==========================================
covariance_type    covariances         meaning
=================  ==================  ==========================================
``"full"``         (K, D, D)           each component has its own Σ_k
``"tied"``         (D, D)              all components share one Σ
``"diag"``         (K, D)              each Σ_k is diagonal; the diagonal is kept
``"spherical"``    (K,)                each Σ_k = σ_k² I; σ_k² is kept
=================  ==================  ==========================================

The precision Λ_k = Σ_k⁻¹ and its Cholesky factor are derived once, when the value is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import linalg

CovarianceType = Literal["full", "tied", "diag", "spherical"]
COVARIANCE_TYPES: tuple[str, ...] = ("full", "tied", "diag", "spherical")

__all__ = [
    "COVARIANCE_TYPES",
    "CovarianceType",
    "GaussianMixtureParams",
    "check_covariance_type",
    "check_not_collapsed",
    "check_update_finite",
    "covariance_shape",
    "precisions_cholesky_from_covariances",
    "covariances_from_precisions",
    "precisions_from_cholesky",
]

# Relative tolerance for "the weights sum to 1" and "Σ is symmetric".
_RTOL = 1e-6


def check_covariance_type(covariance_type: str) -> str:
    """Return ``covariance_type`` if it is known, else raise a ValueError saying which are."""
    if covariance_type not in COVARIANCE_TYPES:
        raise ValueError(
            f"unknown covariance_type {covariance_type!r}: use one of "
            + ", ".join(repr(c) for c in COVARIANCE_TYPES)
        )
    return covariance_type


def covariance_shape(covariance_type: str, n_components: int, n_features: int) -> tuple:
    """Shape of the covariance (or precision) array for a covariance type."""
    return {
        "full": (n_components, n_features, n_features),
        "tied": (n_features, n_features),
        "diag": (n_components, n_features),
        "spherical": (n_components,),
    }[check_covariance_type(covariance_type)]


# ---------------------------------------------------------------------------
# Conversions between Σ, Λ = Σ⁻¹ and the Cholesky factor of Λ
# ---------------------------------------------------------------------------

# The collapse rule's two factors (see check_not_collapsed): of ε·λ_max and of ε·|μ|.
COLLAPSE_SHAPE = 1e3
COLLAPSE_SIZE = 1e4

_COLLAPSE_HINT = (
    "the component has collapsed onto too few points (fewer than D+1, or all equal); "
    "increase reg_covar (e.g. 1e-3), use fewer components, or rescale the data"
)


def precisions_cholesky_from_covariances(
    covariances: np.ndarray, covariance_type: str
) -> np.ndarray:
    r"""Cholesky factor of each precision, :math:`\Lambda_k = U_k U_k^\top`, from Σ_k.

    With :math:`\Sigma_k = L_k L_k^\top` (Cholesky), :math:`U_k = L_k^{-\top}` is upper
    triangular. Densities and log-determinants are then computed without ever inverting Σ_k.

    Parameters
    ----------
    covariances : ndarray of shape (K, D, D), (D, D), (K, D) or (K,)
        Σ, shaped by ``covariance_type``.
    covariance_type : {"full", "tied", "diag", "spherical"}

    Returns
    -------
    precisions_cholesky : ndarray, same shape as ``covariances``

    Raises
    ------
    ValueError
        If a covariance is not positive definite: names the component (1 … K, as the lessons
        count) and the fix.
    """
    check_covariance_type(covariance_type)
    covariances = np.asarray(covariances, dtype=np.float64)
    if covariance_type in ("full", "tied"):
        stack = covariances if covariance_type == "full" else covariances[np.newaxis]
        try:
            chol = np.linalg.cholesky(stack)  # batched over the K components
        except np.linalg.LinAlgError:
            k = next(k for k, cov in enumerate(stack) if not _is_positive_definite(cov))
            which = f"component {k + 1}" if covariance_type == "full" else "the tied covariance"
            raise ValueError(
                f"covariance of {which} is not positive definite: {_COLLAPSE_HINT}"
            ) from None
        identity = np.broadcast_to(np.eye(stack.shape[-1]), stack.shape)
        out = np.swapaxes(np.linalg.solve(chol, identity), -1, -2)
        return out if covariance_type == "full" else out[0]
    if np.any(~(covariances > 0)):
        k = int(np.flatnonzero(~(covariances > 0).reshape(len(covariances), -1).all(1))[0])
        raise ValueError(
            f"variance of component {k + 1} is not positive ({covariance_type}): {_COLLAPSE_HINT}"
        )
    return 1.0 / np.sqrt(covariances)


def check_not_collapsed(covariances: np.ndarray, means: np.ndarray, covariance_type: str) -> None:
    """Raise the collapse error if a new Σ_k is singular to float64's precision.

    The one rule of both EM engines (the step functions and the fused pass), so that they
    agree on when a component has collapsed. A Σ_k is singular when its smallest variance
    λ_min is at the level of rounding: at most ``1e3·ε·λ_max`` (its shape has lost every
    digit: points on a line in 2-D; ≈ 2.2e-13·λ_max) plus ``(1e4·ε·s)²`` with ``s`` the
    largest coordinate of μ_k (its size has: a component on one point, with "variances" of
    1e-29; the 1e4 covers the rounding of the scatter about means of size s). ε is float64's
    machine epsilon. A thin but sound cluster, λ_min/λ_max = 1e-10 (10⁵ times thinner across
    than along), is far above that floor and is accepted. Without this rule, rounding decides:
    a Cholesky factorisation of a singular matrix succeeds or fails by chance, and an engine
    carries on with a meaningless θ.
    The engines apply it with ``reg_covar=0`` only: with ``reg_covar`` > 0, λ_min ≥ reg_covar
    and the regularisation is what keeps a component proper.

    Raises
    ------
    ValueError
        Naming the component and how to fix it.
    """
    covariances = np.asarray(covariances, dtype=np.float64)
    means = np.asarray(means, dtype=np.float64)
    n_features = means.shape[1]
    if covariance_type == "full":
        variances = np.linalg.eigvalsh(covariances)  # (K, D), ascending
    elif covariance_type == "tied":
        variances = np.broadcast_to(np.linalg.eigvalsh(covariances), means.shape)
    elif covariance_type == "diag":
        variances = np.sort(covariances, axis=1)
    else:
        variances = np.repeat(covariances[:, np.newaxis], n_features, axis=1)
    eps = np.finfo(np.float64).eps
    size = np.abs(means).max(axis=1)
    floor = COLLAPSE_SHAPE * eps * variances[:, -1] + (COLLAPSE_SIZE * eps * size) ** 2
    collapsed = ~(variances[:, 0] > floor)  # NaN counts as collapsed
    if collapsed.any():
        k = int(np.flatnonzero(collapsed)[0])
        which = "the tied covariance" if covariance_type == "tied" else f"component {k + 1}"
        raise ValueError(
            f"covariance of {which} is not positive definite to float64's precision (smallest "
            f"variance {variances[k, 0]:.3g}): "
            f"{_COLLAPSE_HINT}"
        )


def check_update_finite(weights, means, covariances, step: str = "EM's M-step") -> None:
    """Raise a true one-line error if an update of θ left float64's range (inf or NaN).

    Without it the new θ would be refused with "weights contain NaN or inf: pass finite
    numbers", about a quantity the user never passed: the update overflowed because θ or the
    data are near float64's limits (a mean dragged to 1e200, precisions of 1e308).
    """
    for name, value in (("weights", weights), ("means", means), ("covariances", covariances)):
        if not np.all(np.isfinite(value)):
            raise ValueError(
                f"{step} overflowed: the new {name} are not finite (float64 ends at 1.8e308), "
                "because the parameters or the data are too extreme for float64 (a mean or a "
                "precision near 1e200 or more); start from parameters on the data's scale, "
                "or rescale the data"
            )


def _is_positive_definite(matrix: np.ndarray) -> bool:
    try:
        np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        return False
    return True


def precisions_from_cholesky(precisions_cholesky: np.ndarray, covariance_type: str) -> np.ndarray:
    r"""Precisions :math:`\Lambda_k = U_k U_k^\top` from their Cholesky factors."""
    check_covariance_type(covariance_type)
    if covariance_type == "full":
        return np.einsum("kij,klj->kil", precisions_cholesky, precisions_cholesky)
    if covariance_type == "tied":
        return precisions_cholesky @ precisions_cholesky.T
    return precisions_cholesky**2


def covariances_from_precisions(precisions: np.ndarray, covariance_type: str) -> np.ndarray:
    r"""Covariances :math:`\Sigma_k = \Lambda_k^{-1}` from precisions (via Cholesky of Λ_k)."""
    check_covariance_type(covariance_type)
    precisions = np.asarray(precisions, dtype=np.float64)
    if covariance_type in ("full", "tied"):
        stack = precisions if covariance_type == "full" else precisions[np.newaxis]
        out = np.empty_like(stack)
        for k, prec in enumerate(stack):
            try:
                out[k] = linalg.cho_solve(linalg.cho_factor(prec, lower=True), np.eye(len(prec)))
            except linalg.LinAlgError:
                raise ValueError(
                    f"precision matrix {k} is not positive definite: pass symmetric "
                    "positive definite precisions (the inverse of a covariance matrix)"
                ) from None
        return out if covariance_type == "full" else out[0]
    if np.any(~(precisions > 0)):
        raise ValueError("precisions must be positive for 'diag' and 'spherical' covariances")
    return 1.0 / precisions


# ---------------------------------------------------------------------------
# The value
# ---------------------------------------------------------------------------


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64, copy=True)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class GaussianMixtureParams:
    r"""The parameters θ = (π, μ, Σ) of a K-component Gaussian mixture in D dimensions.

    .. math:: p(x) = \sum_{k=1}^{K} \pi_k \, \mathcal{N}(x \mid \mu_k, \Lambda_k^{-1})

    Immutable: the arrays are read-only copies, so a trace of a run can keep every step.
    Validated when made, with messages that say how to fix the input.

    Parameters
    ----------
    weights : ndarray of shape (K,)
        Mixing coefficients π_k ≥ 0, summing to 1.
    means : ndarray of shape (K, D)
        Component means μ_k.
    covariances : ndarray
        Σ_k = Λ_k⁻¹, shaped by ``covariance_type`` (see the module docstring).
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"

    Attributes
    ----------
    precisions_cholesky : ndarray, same shape as covariances
        U_k with Λ_k = U_k U_kᵀ (derived).
    precisions : ndarray, same shape as covariances
        Λ_k = Σ_k⁻¹ (derived).
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    covariance_type: str = "full"
    precisions_cholesky: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        check_covariance_type(self.covariance_type)
        weights = _frozen(_as_real_array(self.weights, "weights"))
        means = _frozen(_as_real_array(self.means, "means"))
        covariances = _frozen(_as_real_array(self.covariances, "covariances"))
        if weights.ndim != 1 or weights.size == 0:
            raise ValueError(
                f"weights must be a 1-D array of shape (n_components,), got shape {weights.shape}"
            )
        k = weights.size
        if means.ndim != 2 or means.shape[0] != k:
            raise ValueError(
                f"means must have shape (n_components, n_features) = ({k}, D), got {means.shape}"
            )
        d = means.shape[1]
        expected = covariance_shape(self.covariance_type, k, d)
        if covariances.shape != expected:
            raise ValueError(
                f"covariances for covariance_type={self.covariance_type!r} must have shape "
                f"{expected}, got {covariances.shape}"
            )
        for name, a in (("weights", weights), ("means", means), ("covariances", covariances)):
            if not np.all(np.isfinite(a)):
                raise ValueError(f"{name} contain NaN or inf: pass finite numbers")
        if np.any(weights < 0):
            raise ValueError(f"weights must be non-negative, got {weights}: use π_k ≥ 0")
        if not np.isclose(weights.sum(), 1.0, rtol=0, atol=_RTOL):
            raise ValueError(
                f"weights must sum to 1, they sum to {weights.sum():.6g}: divide them by their sum"
            )
        if self.covariance_type in ("full", "tied"):
            stack = covariances if self.covariance_type == "full" else covariances[np.newaxis]
            asym = np.abs(stack - np.swapaxes(stack, -1, -2)).max(axis=(-1, -2))
            scale = np.abs(stack).max(axis=(-1, -2))
            bad = np.flatnonzero(asym > _RTOL * scale)
            if bad.size:
                raise ValueError(
                    f"covariance {int(bad[0])} is not symmetric: pass (S + S.T) / 2 "
                    "or a symmetric positive definite matrix"
                )
        chol = precisions_cholesky_from_covariances(covariances, self.covariance_type)
        # Λ = UUᵀ sums D squares of U's entries: beyond √(max/D) it overflows to inf (a
        # subnormal variance, 1e-320, has a precision of 1e320), and γ would come out NaN
        if not np.all(np.abs(chol) < np.sqrt(np.finfo(np.float64).max / d)):
            raise ValueError(
                "covariances are so small (a variance near or below float64's smallest normal "
                f"number, {np.finfo(np.float64).tiny:.3g}) that their precisions overflow: "
                "pass variances of at least 1e-300, or rescale the data"
            )
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "means", means)
        object.__setattr__(self, "covariances", covariances)
        object.__setattr__(self, "precisions_cholesky", _frozen(chol))

    # -- derived ------------------------------------------------------------------
    @property
    def n_components(self) -> int:
        """K, the number of components."""
        return self.weights.shape[0]

    @property
    def n_features(self) -> int:
        """D, the dimension of the data."""
        return self.means.shape[1]

    @property
    def precisions(self) -> np.ndarray:
        r"""Λ_k = Σ_k⁻¹, same shape as ``covariances``."""
        return precisions_from_cholesky(self.precisions_cholesky, self.covariance_type)

    def full_covariances(self) -> np.ndarray:
        """Σ_k as K full (D, D) matrices, whatever the covariance type (for plotting)."""
        k, d, c = self.n_components, self.n_features, self.covariances
        if self.covariance_type == "full":
            return np.array(c)
        if self.covariance_type == "tied":
            return np.broadcast_to(c, (k, d, d)).copy()
        if self.covariance_type == "diag":
            return np.einsum("kd,de->kde", c, np.eye(d))
        return c[:, None, None] * np.eye(d)

    # -- constructors ---------------------------------------------------------------
    @classmethod
    def from_precisions(
        cls,
        weights: np.ndarray,
        means: np.ndarray,
        precisions: np.ndarray,
        covariance_type: str = "full",
    ) -> GaussianMixtureParams:
        """Make the parameters from precisions Λ_k instead of covariances Σ_k."""
        check_covariance_type(covariance_type)
        precisions = _as_real_array(precisions, "precisions")
        return cls(
            weights,
            means,
            covariances_from_precisions(precisions, covariance_type),
            covariance_type,
        )

    def with_covariance_type(self, covariance_type: str) -> GaussianMixtureParams:
        """The same mixture with covariances of another type ('full' → 'diag' keeps diagonals)."""
        full = self.full_covariances()
        cov = {
            "full": full,
            "tied": np.einsum("k,kij->ij", self.weights, full),
            "diag": np.diagonal(full, axis1=1, axis2=2),
            "spherical": np.trace(full, axis1=1, axis2=2) / self.n_features,
        }[check_covariance_type(covariance_type)]
        return GaussianMixtureParams(self.weights, self.means, cov, covariance_type)

    def allclose(
        self, other: GaussianMixtureParams, rtol: float = 1e-10, atol: float = 0.0
    ) -> bool:
        """Whether two parameter values agree to ``rtol`` (same covariance type)."""
        return self.covariance_type == other.covariance_type and all(
            a.shape == b.shape and np.allclose(a, b, rtol=rtol, atol=atol)
            for a, b in (
                (self.weights, other.weights),
                (self.means, other.means),
                (self.covariances, other.covariances),
            )
        )

    def __repr__(self) -> str:
        return (
            f"GaussianMixtureParams(n_components={self.n_components}, "
            f"n_features={self.n_features}, covariance_type={self.covariance_type!r})"
        )


def _as_real_array(a, name: str) -> np.ndarray:
    arr = np.asarray(a)
    if arr.dtype == object or np.iscomplexobj(arr) or not np.issubdtype(arr.dtype, np.number):
        if arr.dtype == bool:
            return arr.astype(np.float64)
        raise TypeError(f"{name} must be real numbers, got dtype {arr.dtype}: pass a float array")
    return arr.astype(np.float64, copy=False)
