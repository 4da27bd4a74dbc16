"""weights_init / means_init / precisions_init are checked in one place (issue 19).

``gmmlearn.initialize`` and ``GaussianMixture.fit`` both call
``gmmlearn.initialization.check_initial_parameters``, so a bad initial array gets the same
one-line error from the library and from the estimator.
"""

import numpy as np
import pytest

from gmmlearn import GaussianMixture, initialize

X = np.random.default_rng(0).normal(size=(40, 2))

BAD = [
    ({"means_init": [["a", "b"], ["c", "d"]]}, TypeError, r"^means_init holds something that is"),
    ({"means_init": [["1", "2"], ["3", "4"]]}, TypeError, r"^means_init holds something that is"),
    ({"precisions_init": [np.eye(2), np.eye(3)]}, ValueError, r"^precisions_init is ragged"),
    ({"means_init": np.zeros((2, 2)) + 1j}, ValueError, r"^means_init is complex: pass real"),
    ({"weights_init": [0.3, 0.3]}, ValueError, r"^weights_init sums to 0\.6, not 1: pass"),
    ({"weights_init": [1.5, -0.5]}, ValueError, r"^weights_init\[1\] = -0\.5 is negative"),
    ({"means_init": np.full((2, 2), np.inf)}, ValueError, r"^means_init contains NaN or inf"),
    ({"weights_init": [0.5, 0.5, 0.0]}, ValueError, r"^weights_init has shape \(3,\)"),
    (
        {"precisions_init": [np.eye(2), [[1.0, 2.0], [2.0, 1.0]]]},
        ValueError,
        r"^precisions_init\[1\] is not positive definite \(smallest eigenvalue -1\)",
    ),
]


@pytest.mark.parametrize(("given", "error", "match"), BAD)
def test_library_and_estimator_give_the_same_error(given, error, match):
    with pytest.raises(error, match=match) as from_library:
        initialize(X, 2, random_state=0, **given)
    with pytest.raises(error, match=match) as from_estimator:
        GaussianMixture(2, random_state=0, **given).fit(X)
    assert str(from_library.value) == str(from_estimator.value)


def test_good_initial_arrays_of_booleans_and_lists_are_taken():
    theta0 = initialize(X, 2, random_state=0, weights_init=[0.5, 0.5], means_init=[[0, 0], [1, 1]])
    np.testing.assert_array_equal(theta0.means, [[0.0, 0.0], [1.0, 1.0]])
    fitted = GaussianMixture(2, random_state=0, precisions_init=np.array([[True, True]] * 2),
                             covariance_type="diag", max_iter=1).fit(X)  # fmt: skip
    assert fitted.means_.shape == (2, 2)
