"""2-D data sets for the playground: where a Gaussian mixture fits well, badly, or not at all.

=================  =====================================================================
name               what
=================  =====================================================================
``old_faithful``   the geyser data of PRML Fig. 9.8 (272 points, always the same)
``separated``      three round, well separated blobs: EM finds them from almost anywhere
``elongated``      three long, tilted blobs: "full" covariances fit, "diag"/"spherical" do not
``overlapping``    three blobs that overlap: slow convergence, local optima, soft γ
``outliers``       two blobs and 6 % of points spread widely: a component may chase them
``moons``          two interleaved half-circles: not Gaussian, a GMM needs many components
``ring``           a noisy circle: no mixture of a few Gaussians describes it
=================  =====================================================================

Every generator is deterministic: the same ``n_samples`` and ``random_state`` give the same
bits on every machine (``numpy.random.default_rng``, elementwise arithmetic, no BLAS).
"""

from __future__ import annotations

import numpy as np

__all__ = ["PRESETS", "PRESET_DESCRIPTIONS", "make_preset"]

PRESET_DESCRIPTIONS: dict[str, str] = {
    "old_faithful": "Old Faithful: eruption time and waiting time (PRML Fig. 9.8)",
    "separated": "separated blobs: three round blobs far apart; EM finds them from almost anywhere",
    "elongated": "elongated blobs: three long, tilted blobs; try 'full' against 'diag'",
    "overlapping": "overlapping blobs: three blobs that overlap; soft γ, slow climbs, local optima",
    "outliers": "blobs + outliers: two blobs and 6 % outliers; a component may chase (or collapse "
    "onto) them",
    "moons": "two moons: not Gaussian at all; a GMM is the wrong model here",
    "ring": "ring: a noisy circle; a GMM is the wrong model, it tiles the circle with ellipses",
}
"""One line per preset: its short name (before the colon, the playground's menu) and what it
shows."""
PRESETS: tuple[str, ...] = tuple(PRESET_DESCRIPTIONS)

# (weights, means, lower-triangular factors A_k with Σ_k = A_k A_kᵀ) of the Gaussian presets
_MIXTURES = {
    "separated": (
        [0.35, 0.35, 0.3],
        [[-4.0, -2.5], [4.0, -2.5], [0.0, 4.5]],
        [[[0.9, 0.0], [0.0, 0.9]], [[0.8, 0.0], [0.0, 0.8]], [[1.0, 0.0], [0.0, 1.0]]],
    ),
    "elongated": (
        [0.35, 0.35, 0.3],
        [[-3.0, 0.0], [3.0, 1.0], [0.0, -4.0]],
        [[[2.4, 0.0], [2.1, 0.45]], [[2.4, 0.0], [-2.1, 0.45]], [[2.8, 0.0], [0.0, 0.4]]],
    ),
    "overlapping": (
        [0.4, 0.35, 0.25],
        [[-1.2, 0.0], [1.3, 0.6], [0.0, 2.2]],
        [[[1.1, 0.0], [0.3, 0.9]], [[1.0, 0.0], [-0.2, 1.1]], [[0.9, 0.0], [0.0, 0.8]]],
    ),
    "outliers": (
        [0.5, 0.5],
        [[-2.5, 0.0], [2.5, 0.5]],
        [[[1.0, 0.0], [0.3, 0.7]], [[0.8, 0.0], [-0.2, 1.0]]],
    ),
}
_OUTLIER_FRACTION = 0.06
_OUTLIER_BOX = 12.0  # outliers are uniform in [-12, 12]²


def _check_n_samples(n_samples) -> int:
    if isinstance(n_samples, bool) or not isinstance(n_samples, int | np.integer):
        raise TypeError(f"n_samples must be an integer, got {n_samples!r}")
    if n_samples < 2:
        raise ValueError(f"n_samples must be at least 2, got {n_samples}")
    return int(n_samples)


def _check_random_state(random_state):
    """An int ≥ 0, a ``numpy.random.Generator`` or None, as ``numpy.random.default_rng`` takes."""
    if random_state is None or isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, bool) or not isinstance(random_state, int | np.integer):
        raise TypeError(
            f"random_state must be an integer seed or a numpy Generator, got {random_state!r}"
        )
    if random_state < 0:
        raise ValueError(f"random_state must be 0 or more, got {random_state}: pass a seed ≥ 0")
    return int(random_state)


def _mixture(name: str, n_samples: int, rng: np.random.Generator) -> np.ndarray:
    weights, means, factors = (np.asarray(a, dtype=np.float64) for a in _MIXTURES[name])
    labels = np.searchsorted(np.cumsum(weights), rng.random(n_samples), side="right")
    labels = np.minimum(labels, len(weights) - 1)
    noise = rng.standard_normal((n_samples, 2))
    # elementwise, not BLAS: the same bits everywhere
    return means[labels] + np.einsum("nij,nj->ni", factors[labels], noise)


def make_preset(name: str, n_samples: int | None = None, *, random_state=0) -> np.ndarray:
    r"""A 2-D data set for the playground, by name (see :data:`PRESETS`).

    Parameters
    ----------
    name : str
        One of :data:`PRESETS`: ``"old_faithful"``, ``"separated"``, ``"elongated"``,
        ``"overlapping"``, ``"outliers"``, ``"moons"``, ``"ring"``.
    n_samples : int, optional
        N; default 300 (Old Faithful always has its 272 rows and accepts only None or 272).
    random_state : int or numpy.random.Generator or None, default=0
        Seed (0 or more) of ``numpy.random.default_rng``, or a generator to draw from.

    Raises
    ------
    TypeError
        ``name`` is not a string, ``n_samples`` or ``random_state`` not an integer (``272.0``
        is refused by every preset alike).
    ValueError
        An unknown name, ``n_samples`` < 2 (or not 272 for Old Faithful), a negative seed.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)

    Notes
    -----
    The Gaussian presets draw :math:`z_n \sim \mathrm{Cat}(\pi)` and
    :math:`x_n = \mu_{z_n} + A_{z_n}\varepsilon_n`, :math:`\varepsilon_n \sim \mathcal N(0, I)`.
    ``"outliers"`` replaces 6 % of such points by uniform ones in :math:`[-12, 12]^2`.
    ``"moons"`` puts points on two interleaved half-circles of radius 1 (noise 0.1), and
    ``"ring"`` on a circle of radius 3 (noise 0.25): no few Gaussians describe either.
    """
    if not isinstance(name, str):
        raise TypeError(
            f"name must be a string, one of {', '.join(map(repr, PRESETS))}; got {name!r}"
        )
    if name not in PRESET_DESCRIPTIONS:
        raise ValueError(f"no preset {name!r}: use one of " + ", ".join(map(repr, PRESETS)))
    # checked for every preset alike, though Old Faithful draws nothing
    n_samples = None if n_samples is None else _check_n_samples(n_samples)
    random_state = _check_random_state(random_state)
    if name == "old_faithful":
        from . import old_faithful

        if n_samples not in (None, 272):
            raise ValueError(
                f"Old Faithful has 272 eruptions, got n_samples={n_samples}: leave n_samples out"
            )
        return old_faithful()
    n_samples = 300 if n_samples is None else n_samples
    rng = np.random.default_rng(random_state)
    if name in _MIXTURES:
        X = _mixture(name, n_samples, rng)
        if name == "outliers":
            n_out = max(1, round(_OUTLIER_FRACTION * n_samples))
            X[:n_out] = rng.uniform(-_OUTLIER_BOX, _OUTLIER_BOX, size=(n_out, 2))
        return X
    if name == "moons":
        upper = rng.random(n_samples) < 0.5
        angle = np.pi * rng.random(n_samples)
        x = np.where(upper, np.cos(angle), 1.0 - np.cos(angle))
        y = np.where(upper, np.sin(angle), 0.5 - np.sin(angle))
        return np.column_stack([x, y]) + 0.1 * rng.standard_normal((n_samples, 2))
    # ring
    angle = 2.0 * np.pi * rng.random(n_samples)
    radius = 3.0 + 0.25 * rng.standard_normal(n_samples)
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
