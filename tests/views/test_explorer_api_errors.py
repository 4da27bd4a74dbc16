"""The explorer's Python API refuses bad input with one line (issue 22, items 10, 14, 20).

Each case failed before: ``move_mean(-1, …)`` moved the last component, an out-of-range k or a
wrong-length position gave numpy's errors, ``export_gif(fps=0)`` divided by zero, a preset on the
matplotlib view left the explorer's data out of step with its figure.
"""

import re
from pathlib import Path

import numpy as np
import pytest

from gmmlearn.datasets import old_faithful
from gmmlearn.diagnostics import collapsed_components
from gmmlearn.widgets import explore

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def explorer():
    return explore(old_faithful(), 2, init="bounding-box", max_iter=5)


@pytest.mark.parametrize(
    ("k", "error", "message"),
    [
        (-1, ValueError, r"component k=-1 does not exist: k is 0-based, use 0 … 1"),
        (2, ValueError, r"component k=2 does not exist"),
        (1.5, TypeError, r"k must be a 0-based component index"),
        (True, TypeError, r"k must be a 0-based component index"),
    ],
)
def test_move_mean_refuses_a_component_that_does_not_exist(explorer, k, error, message):
    trace = explorer.trace
    with pytest.raises(error, match=message):
        explorer.move_mean(k, [3.0, 70.0])
    assert explorer.trace is trace


@pytest.mark.parametrize(
    ("position", "message"),
    [
        ([3.0], r"must be 2 numbers .* got shape \(1,\)"),
        ([3.0, 70.0, 1.0], r"must be 2 numbers .* got shape \(3,\)"),
        ([3.0, np.nan], r"must be finite numbers"),
    ],
)
def test_positions_of_the_wrong_length_are_refused(explorer, position, message):
    trace, X = explorer.trace, explorer.X
    with pytest.raises(ValueError, match=message):
        explorer.move_mean(0, position)
    with pytest.raises(ValueError, match=message):
        explorer.add_point(position)
    assert explorer.trace is trace and explorer.X is X


def test_remove_point_refuses_a_non_integer(explorer):
    with pytest.raises(TypeError, match="index must be a 0-based row of X"):
        explorer.remove_point(1.5)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"fps": 0}, ValueError, r"fps \(frames per second\) must be > 0"),
        ({"fps": float("inf")}, TypeError, r"fps .* must be a positive number"),
        ({"dpi": -1}, ValueError, r"dpi \(pixels per inch\) must be > 0"),
        ({"dpi": "72"}, TypeError, r"dpi .* must be a positive number"),
    ],
)
def test_export_gif_refuses_bad_numbers(explorer, tmp_path, kwargs, error, message):
    path = tmp_path / "run.gif"
    with pytest.raises(error, match=message):
        explorer.export_gif(path, **kwargs)
    assert not path.exists()


@pytest.mark.parametrize("export", ["export_gif", "export_html"])
def test_exports_refuse_a_folder_or_a_missing_folder(explorer, tmp_path, export):
    with pytest.raises(ValueError, match="is a folder: give a file name in it"):
        getattr(explorer, export)(tmp_path)
    with pytest.raises(ValueError, match="does not exist: create it first"):
        getattr(explorer, export)(tmp_path / "missing" / "run.out")
    assert list(tmp_path.iterdir()) == []


def test_vb_with_no_k_gets_ems_message():
    with pytest.raises(TypeError, match="n_components") as error:
        explore(old_faithful(), None, method="vb")
    assert "int()" not in str(error.value)


def test_the_readme_vb_example_converges():
    # the README's one-liner must not open with "stopped after max_iter=100"
    line = re.search(r"`(explore\(old_faithful\(\), 6, method=\"vb\"\))`", README.read_text())
    assert line, "the README's VB example changed: update this test"
    ex = eval(line.group(1), {"explore": explore, "old_faithful": old_faithful})  # noqa: S307
    assert ex.trace.converged and "stopped" not in ex.message_text


# -- item 10: the run changes only once the view took it --------------------------------------
def test_a_preset_on_the_matplotlib_view_is_refused_and_changes_nothing():
    ex = explore(old_faithful(), 2, view="matplotlib", max_iter=5)
    trace, X = ex.trace, ex.X
    with pytest.raises(ValueError, match="belong to the 2-D playground"):
        ex.use_preset("moons")
    assert ex.trace is trace and ex.X is X
    ex.seed_input.value = 4  # later choices still run (they failed with "make a new EMView")
    assert ex.trace is not trace and ex.message_text == ""


def test_playground_methods_on_the_matplotlib_view_keep_data_and_figure_together():
    ex = explore(old_faithful(), 2, view="matplotlib", max_iter=5)
    assert ex.add_point([3.0, 70.0])
    assert ex.X.shape == (273, 2) and ex.view.trace is ex.trace
    assert ex.view.trace.X.shape == (273, 2)
    assert ex.remove_point(0)
    assert ex.X.shape == (272, 2) and ex.view.trace.X.shape == (272, 2)
    ex.k_input.value = 3
    assert ex.trace.params[0].n_components == 3 and ex.message_text == ""


def test_after_the_no_webgl_fallback_the_data_menu_goes_and_choices_still_run():
    ex = explore(old_faithful(), 2, max_iter=5)
    assert ex.data_input.layout.display is None  # the playground's menu
    ex.view.webgl = "missing"  # what the browser reports without WebGL
    assert not ex.host.needs_webgl
    assert ex.data_input.layout.display == "none"
    assert ex.add_point([3.0, 70.0]) and ex.view.trace.X.shape == (273, 2)
    ex.seed_input.value = 5
    assert ex.view.trace is ex.trace and ex.message_text == ""


# -- item 14: collapse judged against the data's scale --------------------------------------
def _small_blobs():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [0.02, 0.0], [0.0, 0.02]])
    return np.vstack([c + 0.003 * rng.standard_normal((100, 2)) for c in centres])


def test_small_scale_clusters_are_not_called_collapsed_and_rescaling_is_advised():
    ex = explore(_small_blobs(), 3, view="matplotlib")
    assert collapsed_components(ex.trace) == []
    text = ex.message_text
    assert "collapsed" not in text and "raise reg_covar" not in text
    assert "Rescale X (e.g. standardise each column) or lower reg_covar" in text
    assert "std 0.0" in text and "√reg_covar = 0.001" in text
    assert "#B00020" not in ex.message.value  # advice, not an error


def test_a_real_collapse_is_still_found_at_any_scale():
    from gmmlearn import GaussianMixtureParams, run_em

    for scale in (1.0, 1e-3):
        X = scale * np.vstack([np.random.default_rng(1).normal(size=(60, 2)), [[40.0, 40.0]]])
        start = GaussianMixtureParams(
            np.array([0.5, 0.5]),
            np.array([[0.0, 0.0], X[-1]]),
            np.stack([scale**2 * np.eye(2)] * 2),
        )
        assert collapsed_components(run_em(X, start, reg_covar=1e-6 * scale**2)) == [1]


def test_unit_scale_data_gets_no_rescaling_advice():
    ex = explore(old_faithful(), 2, view="matplotlib", max_iter=5)
    assert "Rescale" not in ex.message_text
