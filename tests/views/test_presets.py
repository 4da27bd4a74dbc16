"""The playground's 2-D presets (gmmlearn.datasets.make_preset): deterministic, the shapes and
the structure each one promises."""

import numpy as np
import pytest

from gmmlearn import GaussianMixture
from gmmlearn.datasets import PRESET_DESCRIPTIONS, PRESETS, make_preset, old_faithful
from gmmlearn.datasets.presets import _MIXTURES

# X.sum() of each default preset, recorded when they were made: the same bits on every machine
# (default_rng's PCG64 streams are stable, the arithmetic is elementwise)
SUMS = {
    "old_faithful": 20232.677000000003,
    "separated": 72.31534298808012,
    "elongated": -330.4981857363239,
    "overlapping": 269.3474074065697,
    "outliers": 85.81106360803241,
    "moons": 237.8779726256967,
    "ring": -25.530342781194054,
}


def test_every_preset_is_named_and_described():
    assert set(PRESETS) == set(SUMS) == set(PRESET_DESCRIPTIONS)
    for text in PRESET_DESCRIPTIONS.values():
        label, _, explanation = text.partition(": ")
        assert label and explanation  # the menu shows the label


@pytest.mark.parametrize("name", PRESETS)
def test_deterministic_two_dimensional_and_finite(name):
    X = make_preset(name)
    assert X.shape == ((272, 2) if name == "old_faithful" else (300, 2))
    assert X.dtype == np.float64 and np.isfinite(X).all()
    np.testing.assert_array_equal(X, make_preset(name))
    assert float(X.sum()) == pytest.approx(SUMS[name], rel=1e-12, abs=0)
    if name != "old_faithful":
        assert make_preset(name, 50).shape == (50, 2)
        assert not np.array_equal(make_preset(name, random_state=1), X)
        np.testing.assert_array_equal(make_preset(name, random_state=np.random.default_rng(0)), X)


def test_old_faithful_is_the_shipped_file():
    np.testing.assert_array_equal(make_preset("old_faithful"), old_faithful())
    np.testing.assert_array_equal(make_preset("old_faithful", 272), old_faithful())
    with pytest.raises(ValueError, match="272 eruptions.*leave n_samples out"):
        make_preset("old_faithful", 100)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (("blobs",), ValueError, "no preset 'blobs': use one of 'old_faithful'"),
        (("ring", 1), ValueError, "at least 2"),
        (("ring", 2.5), TypeError, "integer"),
        (("ring", True), TypeError, "integer"),
    ],
)
def test_bad_arguments_say_what_to_do(args, error, match):
    with pytest.raises(error, match=match):
        make_preset(*args)


@pytest.mark.parametrize("name", ["separated", "elongated"])
def test_gaussian_presets_are_found_by_em(name):
    # a GMM is the right model: EM on many points finds the generating means
    weights, means, factors = (np.asarray(a) for a in _MIXTURES[name])
    X = make_preset(name, 6000)
    fitted = GaussianMixture(3, n_init=3, random_state=0).fit(X)
    order = [int(np.argmin(np.linalg.norm(fitted.means_ - m, axis=1))) for m in means]
    assert sorted(order) == [0, 1, 2]
    np.testing.assert_allclose(fitted.means_[order], means, atol=0.25)
    np.testing.assert_allclose(fitted.weights_[order], weights, atol=0.03)
    covariances = np.einsum("kij,klj->kil", factors, factors)
    np.testing.assert_allclose(fitted.covariances_[order], covariances, atol=0.3)


def test_outliers_spread_widely_and_the_ring_and_moons_are_not_blobs():
    X = make_preset("outliers", 1000)
    n_out = 60
    assert np.abs(X[:n_out]).max() <= 12 and np.abs(X[:n_out]).max(axis=1).mean() > 5
    # the blobs themselves lie within a few units of their means
    assert np.median(np.abs(X[n_out:]).max(axis=1)) < 4
    ring = make_preset("ring", 2000)
    radius = np.hypot(ring[:, 0], ring[:, 1])
    assert radius.mean() == pytest.approx(3.0, abs=0.03) and radius.std() < 0.3
    assert (radius > 2).all()  # nothing near the centre, where a single Gaussian puts its mean
    moons = make_preset("moons", 2000)
    assert moons[:, 0].min() > -1.5 and moons[:, 0].max() < 2.5
    assert moons[:, 1].min() > -1.0 and moons[:, 1].max() < 1.5
