r"""Covariance ellipses (2-D) and ellipsoid wireframes (3-D), as plain vertex arrays.

The ``r``-σ ellipsoid of a Gaussian is the set of points at Mahalanobis distance ``r`` from
its mean,

.. math:: \{x : (x-\mu)^\top \Sigma^{-1} (x-\mu) = r^2\} = \{\mu + r A u : \|u\| = 1\},
    \quad A A^\top = \Sigma,

so it is a unit circle (or sphere) mapped by :math:`A = V \operatorname{diag}(\sqrt{\lambda})`,
from the eigendecomposition :math:`\Sigma = V \operatorname{diag}(\lambda) V^\top`. The unit
shapes are built once; a step of the explorer only applies the K small linear maps to them.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "covariance_transform",
    "ellipse_segments",
    "unit_circle",
    "unit_sphere_wireframe",
    "weight_alpha",
]


def unit_circle(n_points: int = 61) -> np.ndarray:
    """Closed unit circle, ndarray of shape (1, n_points, 2): one polyline."""
    angle = np.linspace(0.0, 2.0 * np.pi, n_points)
    return np.stack([np.cos(angle), np.sin(angle)], axis=-1)[np.newaxis]


def unit_sphere_wireframe(
    n_meridians: int = 6, n_parallels: int = 5, n_points: int = 25
) -> np.ndarray:
    """Meridians and parallels of the unit sphere, ndarray of shape (L, n_points, 3).

    ``L = n_meridians + n_parallels`` closed polylines; few and short, because every line is
    projected and drawn again at each step of the animation.
    """
    angle = np.linspace(0.0, 2.0 * np.pi, n_points)
    cos, sin = np.cos(angle), np.sin(angle)
    lines = []
    for phi in np.linspace(0.0, np.pi, n_meridians, endpoint=False):
        lines.append(np.stack([cos * np.cos(phi), cos * np.sin(phi), sin], axis=-1))
    # parallels strictly between the poles
    for theta in np.linspace(-np.pi / 2, np.pi / 2, n_parallels + 2)[1:-1]:
        ring = np.cos(theta)
        lines.append(np.stack([ring * cos, ring * sin, np.full_like(cos, np.sin(theta))], -1))
    return np.array(lines)


def covariance_transform(covariances: np.ndarray) -> np.ndarray:
    r"""Matrices :math:`A_k` with :math:`A_k A_k^\top = \Sigma_k`, from the eigendecomposition.

    Parameters
    ----------
    covariances : ndarray of shape (K, D, D)

    Returns
    -------
    transforms : ndarray of shape (K, D, D)
        Columns are the principal axes scaled by their standard deviations (tiny negative
        eigenvalues from round-off are clipped to 0).
    """
    eigenvalues, eigenvectors = np.linalg.eigh(covariances)
    return eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))[:, np.newaxis, :]


def ellipse_segments(
    means: np.ndarray, covariances: np.ndarray, radii, unit: np.ndarray
) -> np.ndarray:
    r"""The ``r``-σ ellipses / ellipsoids of all components, for every radius.

    Parameters
    ----------
    means : ndarray of shape (K, D)
    covariances : ndarray of shape (K, D, D)
    radii : sequence of float
        Mahalanobis radii (1 for 1σ, 2 for 2σ).
    unit : ndarray of shape (L, P, D)
        The unit shape (:func:`unit_circle` or :func:`unit_sphere_wireframe`).

    Returns
    -------
    segments : ndarray of shape (K * len(radii) * L, P, D)
        Ordered component-major, then radius, then line: ``x = μ_k + r A_k u``.
    """
    radii = np.asarray(radii, dtype=np.float64)
    transforms = covariance_transform(covariances)
    # (K, R, L, P, D) = μ_k + r · (u @ A_kᵀ)
    mapped = np.einsum("lpd,ked->klpe", unit, transforms)
    out = means[:, None, None, None, :] + radii[None, :, None, None, None] * mapped[:, None]
    return out.reshape(-1, unit.shape[1], means.shape[1])


def weight_alpha(weights: np.ndarray, low: float = 0.15, high: float = 0.9) -> np.ndarray:
    r"""Opacity of each component's ellipsoid, growing with its weight.

    .. math:: \alpha_k = \text{low} + (\text{high}-\text{low})\,\pi_k / \max_j \pi_j

    Relative to the largest weight, so that the heaviest component is always clearly
    visible and a component that is dying out (π_k → 0) fades away.
    """
    weights = np.asarray(weights, dtype=np.float64)
    return low + (high - low) * weights / weights.max()


def share_alpha(weights: np.ndarray, high: float = 0.9) -> np.ndarray:
    r"""Opacity of each component of a VB run: full from its fair share 1/K up, fading to 0.

    .. math:: \alpha_k = \text{high}\cdot\min(1,\ K\,\mathbb E[\pi_k])

    A component VB switches off (E[π_k] → α₀/(α₀K + N), PRML 10.69) fades out entirely, while
    every component holding at least 1/K of the data stays fully drawn.
    """
    weights = np.asarray(weights, dtype=np.float64)
    return high * np.minimum(1.0, weights.size * weights)
