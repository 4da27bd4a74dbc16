"""The explorer's structure (issue 19): a method table, one host interface, quiet updates."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

pytest.importorskip("ipywidgets")

import gmmlearn.widgets as widgets_package  # noqa: E402
from gmmlearn.trace import run_trace  # noqa: E402
from gmmlearn.widgets import METHODS, EMExplorer, explore  # noqa: E402
from gmmlearn.widgets._hosts import BrowserHost, MatplotlibHost  # noqa: E402
from gmmlearn.widgets.vb import VBExplorer  # noqa: E402


def blobs(seed=0, d=2):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0, 0.0], [4.0, 0.5, 1.0], [0.5, 4.0, -1.0]])[:, :d]
    return np.vstack([rng.normal(size=(50, d)) * 0.7 + c for c in centres])


def test_explore_looks_the_method_up_in_the_table(monkeypatch):
    assert METHODS == {"em": EMExplorer, "vb": VBExplorer}

    class CountingExplorer(EMExplorer):
        made = 0

        def _make_trace(self, X, **choices):
            CountingExplorer.made += 1
            return run_trace(X, **choices, **self.options)

    monkeypatch.setitem(widgets_package.METHODS, "counting", CountingExplorer)
    ex = explore(blobs(), 3, method="counting", view="matplotlib")
    assert isinstance(ex, CountingExplorer) and CountingExplorer.made == 1


def test_the_shared_explorer_is_abstract():
    with pytest.raises(TypeError, match="abstract"):
        widgets_package.Explorer(blobs(), 3, view="matplotlib")


def test_the_two_hosts_offer_the_same_interface():
    def public(cls):
        return {name for name in dir(cls) if not name.startswith("_")}

    assert public(BrowserHost) == public(MatplotlibHost)
    assert {"follow", "publish", "connect", "angles", "needs_webgl"} <= public(BrowserHost)


@pytest.mark.parametrize("view", ["browser", "matplotlib"])
def test_changes_made_quietly_run_no_callback_and_the_wiring_comes_back_once(view):
    ex = explore(blobs(), 3, view=view)
    runs = []
    original = ex._make_trace
    ex._make_trace = lambda X, **choices: runs.append(choices) or original(X, **choices)
    with ex._quietly():
        with ex._quietly():  # nested: still quiet inside, rewired once at the end
            ex.seed_input.value = 5
        ex.k_input.value = 2
    assert runs == [] and ex.trace.params[0].n_components == 3
    ex.seed_input.value = 6  # wired again, exactly once: one run per change
    assert len(runs) == 1 and runs[0]["random_state"] == 6 and runs[0]["n_components"] == 2
    ex.rerun()  # resets the slider and the pickers quietly: no second run from them
    assert len(runs) == 2


def test_a_vb_explorer_has_no_em_playground_in_its_ancestry():
    for name in ("_run_from", "_on_mean_moved", "_on_point_added", "_on_point_removed"):
        assert hasattr(EMExplorer, name) and not hasattr(VBExplorer, name), name
    ex = explore(blobs(), 3, method="vb", max_iter=5)
    before = (ex.X.shape, ex.trace)
    assert not ex.remove_point(0) and not ex.move_mean(0, [0.0, 0.0])
    assert not ex.add_point([1.0, 1.0])
    assert (ex.X.shape, ex.trace) == before
