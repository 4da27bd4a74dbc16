"""The shipped data: x.csv regenerates from its generator, Old Faithful matches R's faithful."""

import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from gmmlearn import datasets
from gmmlearn.datasets import (
    four_blobs_params,
    load_four_blobs,
    load_x,
    make_four_blobs,
    old_faithful,
)
from gmmlearn.steps import responsibilities

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------------
# x.csv and its generator
# ---------------------------------------------------------------------------


def test_shipped_x_csv_is_make_four_blobs_with_defaults():
    shipped = load_four_blobs()
    assert shipped.shape == (3000, 3)
    # Written with 6 decimals: equal up to rounding half a unit of the 6th decimal.
    np.testing.assert_allclose(shipped, make_four_blobs(), rtol=0, atol=5.01e-7)


def test_x_csv_is_plain_comma_separated_without_header():
    lines = datasets.path("x.csv").read_text().splitlines()
    assert len(lines) == 3000
    assert all(len(line.split(",")) == 3 for line in lines)
    first = [float(v) for v in lines[0].split(",")]
    np.testing.assert_array_equal(first, load_x()[0])


def test_load_x_is_the_seed_name_for_the_same_data():
    np.testing.assert_array_equal(load_x(), load_four_blobs())


def test_make_four_blobs_is_reproducible_and_seeded():
    a = make_four_blobs(500, random_state=1)
    np.testing.assert_array_equal(a, make_four_blobs(500, random_state=1))
    assert not np.allclose(a, make_four_blobs(500, random_state=2))
    # A Generator is accepted too, and draws the same as its seed.
    np.testing.assert_array_equal(a, make_four_blobs(500, random_state=np.random.default_rng(1)))


def test_make_four_blobs_samples_the_stated_mixture():
    X, labels = make_four_blobs(20000, random_state=3, return_labels=True)
    params = four_blobs_params()
    assert X.shape == (20000, 3) and labels.shape == (20000,)
    np.testing.assert_allclose(np.bincount(labels) / len(labels), params.weights, atol=0.015)
    for k in range(4):
        members = X[labels == k]
        np.testing.assert_allclose(members.mean(axis=0), params.means[k], atol=0.1)
        np.testing.assert_allclose(np.cov(members.T), params.covariances[k], atol=0.2)


def test_four_blobs_are_in_the_cube_and_overlap_a_little():
    X, labels = make_four_blobs(return_labels=True)
    assert np.mean(np.all(np.abs(X) <= 10, axis=1)) > 0.99
    resp = responsibilities(X, four_blobs_params())
    ambiguous = np.mean(resp.max(axis=1) < 0.9)
    assert 0.005 < ambiguous < 0.05  # overlapping, but well separated
    assert np.mean(resp.argmax(axis=1) == labels) > 0.98


@pytest.mark.parametrize(
    "n_samples, error", [(0, ValueError), (-5, ValueError), (2.5, TypeError), (True, TypeError)]
)
def test_make_four_blobs_rejects_bad_n_samples(n_samples, error):
    with pytest.raises(error, match="n_samples"):
        make_four_blobs(n_samples)


# ---------------------------------------------------------------------------
# Old Faithful
# ---------------------------------------------------------------------------


def test_old_faithful_matches_r_faithful_summaries():
    X = old_faithful()
    assert X.shape == (272, 2)
    eruptions, waiting = X.T
    # summary(faithful) and var() in R.
    assert round(eruptions.mean(), 6) == 3.487783
    assert round(waiting.mean(), 5) == 70.89706
    assert (eruptions.min(), eruptions.max(), np.median(eruptions)) == (1.6, 5.1, 4.0)
    assert (waiting.min(), waiting.max(), np.median(waiting)) == (43, 96, 76)
    assert round(eruptions.var(ddof=1), 6) == 1.302728
    assert round(waiting.var(ddof=1), 4) == 184.8233
    np.testing.assert_array_equal(
        X[:10],
        [
            [3.6, 79],
            [1.8, 54],
            [3.333, 74],
            [2.283, 62],
            [4.533, 85],
            [2.883, 55],
            [4.7, 88],
            [3.6, 85],
            [1.95, 51],
            [4.35, 85],
        ],
    )
    np.testing.assert_array_equal(X[-1], [4.467, 74])


def test_old_faithful_file_has_a_header_and_waiting_times_are_whole_minutes():
    lines = datasets.path("old_faithful.csv").read_text().splitlines()
    assert lines[0] == ",".join(datasets.OLD_FAITHFUL_COLUMNS) == "eruptions,waiting"
    assert len(lines) == 273
    assert np.all(old_faithful()[:, 1] % 1 == 0)


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", datasets.FILES)
def test_path_gives_an_existing_file_inside_the_package(name):
    path = datasets.path(name)
    assert path.is_absolute() and path.is_file()
    assert path.parent == Path(datasets.__file__).resolve().parent


def test_path_rejects_unknown_names_listing_the_known_ones():
    with pytest.raises(ValueError, match="'x.csv', 'old_faithful.csv'"):
        datasets.path("y.csv")


def test_provenance_readme_names_the_sources():
    text = (Path(datasets.__file__).parent / "README.md").read_text()
    for source in ("Härdle", "Azzalini", "faithful", "Fig. 9.8", "make_four_blobs"):
        assert source in text


@pytest.mark.slow
@pytest.mark.skipif(not (ROOT / "pyproject.toml").exists(), reason="needs the source tree")
def test_the_wheel_contains_the_data_files(tmp_path):
    command = [sys.executable, "-m", "pip", "wheel", str(ROOT), "-w", str(tmp_path)]
    command += ["--no-deps", "--no-build-isolation", "-q"]
    subprocess.run(command, check=True, capture_output=True)
    (wheel,) = tmp_path.glob("gmmlearn-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (*datasets.FILES, "README.md"):
        assert f"gmmlearn/datasets/{name}" in names
    # the browser view's own JavaScript and CSS: nothing is fetched from a CDN at run time
    assert {"gmmlearn/webview/explorer.js", "gmmlearn/webview/explorer.css"} <= names
