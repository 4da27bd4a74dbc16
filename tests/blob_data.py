"""The tests' small data sets: Gaussian blobs with a fixed seed, one factory for every test.

``blobs(recipe, ...)`` draws the same array every time for the same arguments. The recipes are
the data sets the tests were written against (their numbers are pinned by those tests), so a
recipe is never changed in place: add a new one instead. Test modules import it by name
(``from blob_data import blobs``): pytest puts ``tests/`` on ``sys.path`` when it loads
``tests/conftest.py``, which also serves ``RECIPES["separated_2d"]`` as the ``blobs`` fixture.
"""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_blobs

# centres: one row per blob; scale: the standard deviation of every coordinate; n_per: points
# per blob; draw_all_columns: draw at the centres' full width and keep the first n_features
# columns afterwards (instead of dropping the centres' columns before drawing).
RECIPES: dict[str, dict] = {
    # 300 points in 2-D, three well separated blobs: scikit-learn's make_blobs, random_state=0
    "separated_2d": {"sklearn": True},
    # three blobs 3.5 apart, σ = 0.8 (the explorer and the browser view)
    "close_3d": {
        "centres": [[0.0, 0.0, 0.0], [3.5, 0.5, 0.0], [0.5, 3.5, 1.5]],
        "scale": 0.8,
        "n_per": 60,
    },
    # three blobs 4 apart, σ = 0.7 (the VB views)
    "vb_3d": {
        "centres": [[0.0, 0.0, 0.0], [4.0, 0.5, 0.0], [0.5, 4.0, 1.5]],
        "scale": 0.7,
        "n_per": 50,
    },
    # the same in 4-D, drawn at full width (the matplotlib view picks 1 to 4 of its columns)
    "view_4d": {
        "centres": [[0.0, 0.0, 0.0, 1.0], [4.0, 0.5, 0.0, 0.0], [0.5, 4.0, 1.5, -1.0]],
        "scale": 0.7,
        "n_per": 70,
        "n_features": 3,
        "draw_all_columns": True,
    },
    # three blobs 6 apart, σ = 1 (initialisations and the trace)
    "far_3d": {
        "centres": [[0.0, 0.0, 0.0], [6.0, 0.0, 0.0], [0.0, 6.0, 6.0]],
        "scale": 1.0,
        "n_per": 100,
        "seed": 7,
    },
}


def blobs(
    recipe: str = "separated_2d",
    *,
    n_per: int | None = None,
    n_features: int | None = None,
    seed: int | None = None,
    shift: float = 0.0,
) -> np.ndarray:
    """The points of ``RECIPES[recipe]``, blob after blob, shape (K · n_per, n_features).

    ``n_per``, ``n_features`` and ``seed`` override the recipe's; ``shift`` is added to every
    coordinate (data far from the origin).
    """
    spec = RECIPES[recipe]
    if spec.get("sklearn"):
        X, _ = make_blobs(n_samples=300, centers=3, cluster_std=1.0, random_state=0)
        return X + shift if shift else X
    centres = np.array(spec["centres"])
    n_per = spec["n_per"] if n_per is None else n_per
    n_features = n_features or spec.get("n_features", centres.shape[1])
    rng = np.random.default_rng(spec.get("seed", 0) if seed is None else seed)
    width = centres.shape[1] if spec.get("draw_all_columns") else n_features
    X = np.vstack([rng.normal(size=(n_per, width)) * spec["scale"] + c[:width] for c in centres])
    X = X[:, :n_features]
    return X + shift if shift else X
