"""Small data sets for the lessons, shipped inside the package.

======================  ==========  ==========================================================
file                    shape       what
======================  ==========  ==========================================================
``x.csv``               (3000, 3)   four overlapping 3-D Gaussian blobs, the 2019 original's
                                    input (:func:`make_four_blobs` with its defaults)
``old_faithful.csv``    (272, 2)    Old Faithful geyser: eruption time and waiting time
                                    (minutes), the data of PRML Fig. 9.8
======================  ==========  ==========================================================

:func:`make_preset` makes the playground's 2-D data sets (:data:`PRESETS`: Old Faithful,
separated, elongated, overlapping blobs, blobs with outliers, two moons, a ring).

:func:`path` gives the location of each file, for code that wants a file rather than an array
(``gmmlearn fit``, ``np.loadtxt``, a spreadsheet). Provenance is in ``README.md`` beside them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..params import GaussianMixtureParams

__all__ = [
    "FILES",
    "OLD_FAITHFUL_COLUMNS",
    "PRESETS",
    "PRESET_DESCRIPTIONS",
    "four_blobs_params",
    "load_four_blobs",
    "load_x",
    "make_four_blobs",
    "make_preset",
    "old_faithful",
    "path",
]

_HERE = Path(__file__).resolve().parent

FILES: tuple[str, ...] = ("x.csv", "old_faithful.csv")
OLD_FAITHFUL_COLUMNS: tuple[str, str] = ("eruptions", "waiting")


def path(name: str = "x.csv") -> Path:
    """Absolute path of a shipped data file.

    Parameters
    ----------
    name : {"x.csv", "old_faithful.csv"}, default="x.csv"

    Returns
    -------
    path : pathlib.Path

    Examples
    --------
    >>> import numpy as np
    >>> X = np.loadtxt(path("x.csv"), delimiter=",")
    """
    if name not in FILES:
        raise ValueError(f"no data file {name!r}: use one of " + ", ".join(map(repr, FILES)))
    return _HERE / name


# ---------------------------------------------------------------------------
# Four blobs in 3-D (the 2019 original's x.csv)
# ---------------------------------------------------------------------------

# The generating mixture. Each Σ_k = A_k A_kᵀ is given by a lower-triangular factor A_k, so
# sampling needs no matrix decomposition (whose last bits may differ between LAPACK builds)
# and x.csv can be regenerated exactly. Two blobs are elongated and tilted, one is flat and
# one is round, so "full" covariances visibly fit better than "diag" or "spherical". The means
# are 7 to 8 apart: the tails overlap, and about 2% of the points have no γ_nk above 0.9.
_BLOB_WEIGHTS = np.array([0.3, 0.25, 0.25, 0.2])
_BLOB_MEANS = np.array(
    [
        [-3.2, -2.8, 2.5],
        [2.8, -3.2, -2.1],
        [2.1, 3.2, 2.8],
        [-2.5, 2.5, -2.8],
    ]
)
_BLOB_FACTORS = np.array(
    [
        [[2.0, 0.0, 0.0], [0.8, 1.2, 0.0], [0.0, 0.5, 1.0]],
        [[1.0, 0.0, 0.0], [0.0, 2.2, 0.0], [0.0, -0.9, 1.1]],
        [[1.5, 0.0, 0.0], [-0.7, 1.0, 0.0], [0.6, 0.0, 1.6]],
        [[1.3, 0.0, 0.0], [0.0, 1.3, 0.0], [0.0, 0.0, 1.3]],
    ]
)


def four_blobs_params() -> GaussianMixtureParams:
    """The true θ that :func:`make_four_blobs` samples from (K=4, D=3, full covariances).

    Compare a fitted mixture with it: EM should find these up to the order of the components.
    """
    covariances = np.einsum("kij,klj->kil", _BLOB_FACTORS, _BLOB_FACTORS)
    return GaussianMixtureParams(_BLOB_WEIGHTS, _BLOB_MEANS, covariances, "full")


def make_four_blobs(
    n_samples: int = 3000, *, random_state=0, return_labels: bool = False
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    r"""Sample points from four overlapping 3-D Gaussians: the 2019 original's ``x.csv``.

    Each point picks a component :math:`z_n \sim \mathrm{Cat}(\pi)` with
    :math:`\pi = (0.3, 0.25, 0.25, 0.2)`, then :math:`x_n = \mu_{z_n} + A_{z_n} \varepsilon_n`
    with :math:`\varepsilon_n \sim \mathcal{N}(0, I_3)`, so that
    :math:`x_n \sim \mathcal{N}(\mu_k, A_k A_k^\top)` (see :func:`four_blobs_params`).
    The points lie roughly in :math:`[-10, 10]^3`.

    Parameters
    ----------
    n_samples : int, default=3000
        N, the number of points.
    random_state : None, int or numpy.random.Generator, default=0
        Seed of ``numpy.random.default_rng``; the defaults give the shipped ``x.csv``.
    return_labels : bool, default=False
        Also return the component each point was drawn from.

    Returns
    -------
    X : ndarray of shape (n_samples, 3)
    labels : ndarray of shape (n_samples,), only if ``return_labels``
        The true :math:`z_n \in \{0, 1, 2, 3\}`.
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, int | np.integer):
        raise TypeError(f"n_samples must be an integer, got {n_samples!r}")
    if n_samples < 1:
        raise ValueError(f"n_samples must be at least 1, got {n_samples}")
    rng = np.random.default_rng(random_state)
    # Inverse-CDF draw of the labels: simple, and stable across NumPy versions.
    labels = np.searchsorted(np.cumsum(_BLOB_WEIGHTS), rng.random(n_samples), side="right")
    labels = np.minimum(labels, len(_BLOB_WEIGHTS) - 1)
    noise = rng.standard_normal((n_samples, _BLOB_MEANS.shape[1]))
    # Elementwise, not BLAS: the same bits on every machine.
    X = _BLOB_MEANS[labels] + np.einsum("nij,nj->ni", _BLOB_FACTORS[labels], noise)
    return (X, labels) if return_labels else X


def load_four_blobs() -> np.ndarray:
    """The shipped ``x.csv``: 3000 points in 3-D, ndarray of shape (3000, 3).

    Equal (to its 6 written decimals) to ``make_four_blobs()``.
    """
    return np.loadtxt(path("x.csv"), delimiter=",", ndmin=2)


# The 2019 original read ``np.loadtxt("x.csv", delimiter=",")``; the same data by that name.
load_x = load_four_blobs


# ---------------------------------------------------------------------------
# Old Faithful
# ---------------------------------------------------------------------------


def old_faithful() -> np.ndarray:
    """Old Faithful geyser data: 272 eruptions, as in R's ``datasets::faithful``.

    Columns (see ``OLD_FAITHFUL_COLUMNS``): ``eruptions``, the eruption time in minutes, and
    ``waiting``, the waiting time to the next eruption in minutes. Two clear clusters (short
    and long eruptions): the data of PRML Fig. 9.8. Sources: Härdle (1991), Azzalini and
    Bowman (1990); see ``README.md`` in this folder.

    Returns
    -------
    X : ndarray of shape (272, 2)
    """
    return np.loadtxt(path("old_faithful.csv"), delimiter=",", skiprows=1, ndmin=2)


from .presets import PRESET_DESCRIPTIONS, PRESETS, make_preset  # noqa: E402
