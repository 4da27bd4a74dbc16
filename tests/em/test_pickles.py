"""Pickles made before the package was re-arranged (issue 19) still load and give the same answers.

The pickles and the values beside them were written by ``tests/data/make_pickles.py`` with the
code of the flat layout (gmmlearn.estimator, gmmlearn.bayesian, gmmlearn.vb_trace); loading them
now goes through the shims at those old paths.
"""

import pickle
import warnings
from pathlib import Path

import numpy as np
import pytest

from gmmlearn import BayesianGaussianMixture, GaussianMixture, GaussianMixtureParams

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="module")
def stored():
    with warnings.catch_warnings():
        # The old module paths inside the pickles now warn that they moved.
        warnings.simplefilter("ignore", DeprecationWarning)
        with open(DATA / "pickles_v0_1.pkl", "rb") as f:
            objects = pickle.load(f)
    with np.load(DATA / "pickles_v0_1.npz") as npz:
        expected = dict(npz)
    return objects, expected


@pytest.mark.parametrize("name", ["gm_full", "gm_tied", "gm_diag", "gm_spherical", "bgm"])
def test_fitted_estimator_predicts_as_when_pickled(stored, name):
    objects, expected = stored
    estimator = objects[name]
    assert isinstance(estimator, BayesianGaussianMixture if name == "bgm" else GaussianMixture)
    X = expected["X"]
    np.testing.assert_array_equal(estimator.predict(X), expected[f"{name}_predict"])
    np.testing.assert_allclose(
        estimator.score_samples(X), expected[f"{name}_score_samples"], rtol=1e-12, atol=0
    )


def test_fitted_estimator_still_refits(stored):
    objects, expected = stored
    refitted = pickle.loads(pickle.dumps(objects["gm_full"])).fit(expected["X"])
    np.testing.assert_array_equal(refitted.predict(expected["X"]), expected["gm_full_predict"])


def test_params_load_with_their_arrays(stored):
    objects, expected = stored
    params = objects["params"]
    assert isinstance(params, GaussianMixtureParams)
    for name in ("weights", "means", "covariances"):
        np.testing.assert_array_equal(getattr(params, name), expected[f"params_{name}"])
    np.testing.assert_allclose(
        params.precisions @ params.covariances, np.broadcast_to(np.eye(2), (3, 2, 2)), atol=1e-12
    )
