"""Write the pickles that tests/test_pickles.py loads: objects fitted by the code of their day.

Run once, with the code whose pickles must keep loading (here: the flat layout before issue 19)::

    .venv/bin/python tests/data/make_pickles.py

It writes tests/data/pickles_v0_1.pkl (the fitted objects) and tests/data/pickles_v0_1.npz
(the data they were fitted on and what ``predict`` / ``score_samples`` gave then).
Re-running it with newer code would only test that code against itself: do not.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from gmmlearn import BayesianGaussianMixture, GaussianMixture, GaussianMixtureParams

OUT = Path(__file__).resolve().parent  # tests/data, beside this script
COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def blobs() -> np.ndarray:
    """Three Gaussian blobs in 2-D, 150 points, from a fixed seed."""
    rng = np.random.default_rng(19)
    centres = np.array([[0.0, 0.0], [4.0, 1.0], [1.0, 5.0]])
    return np.concatenate([c + rng.normal(scale=0.8, size=(50, 2)) for c in centres])


def main() -> None:
    X = blobs()
    objects = {}
    expected = {"X": X}
    for covariance_type in COVARIANCE_TYPES:
        gm = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
        objects[f"gm_{covariance_type}"] = gm
        expected[f"gm_{covariance_type}_predict"] = gm.predict(X)
        expected[f"gm_{covariance_type}_score_samples"] = gm.score_samples(X)
    bgm = BayesianGaussianMixture(n_components=4, random_state=0).fit(X)
    objects["bgm"] = bgm
    expected["bgm_predict"] = bgm.predict(X)
    expected["bgm_score_samples"] = bgm.score_samples(X)
    params = objects["gm_full"].params_
    objects["params"] = GaussianMixtureParams(
        params.weights, params.means, params.covariances, "full"
    )
    expected["params_weights"] = params.weights
    expected["params_means"] = params.means
    expected["params_covariances"] = params.covariances
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "pickles_v0_1.pkl", "wb") as f:
        pickle.dump(objects, f, protocol=4)
    np.savez(OUT / "pickles_v0_1.npz", **expected)


if __name__ == "__main__":
    main()
