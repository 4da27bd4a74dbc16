"""Views read a run through gmmlearn.runs.Run only: a run of a third kind draws in both views.

The fake run below is neither an EMTrace nor a VBTrace: a plain class holding an EM run's
numbers (not a new algorithm) and answering the Run protocol with texts of its own. Both views
must draw it, and say what it says (its step labels, curve label, weight names), with no
change to any view: that is where a third method (say k-means) would plug in.
"""

import ast
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import gmmlearn  # noqa: E402
from gmmlearn import initialize, run_em  # noqa: E402
from gmmlearn.plotting.colors import blend_colors, component_colors  # noqa: E402
from gmmlearn.plotting.view import EMView  # noqa: E402
from gmmlearn.runs import HalfStep, HalfSteps, Run, check_run  # noqa: E402
from gmmlearn.webview.frames import trace_payload  # noqa: E402
from gmmlearn.webview.widget import TraceView  # noqa: E402


class FakeRun(HalfSteps):
    """An EM run's numbers behind the Run protocol, with texts of its own."""

    method = "fake"
    curve_label = "the fake curve"
    prunes_components = True
    ellipsoid_note = "ellipsoids of the fake run"

    def __init__(self, trace):
        self.X = trace.X
        self.params = trace.params
        self.curve = trace.log_likelihoods
        self._trace = trace

    @property
    def n_iter(self) -> int:
        return len(self.params) - 1

    def responsibilities(self, iteration):
        return self._trace.responsibilities(iteration)

    def log_joint(self, iteration):
        return self._trace.log_joint(iteration)

    def log_joint_terms(self, iteration):
        return self._trace.log_joint_terms(iteration)

    def bound_split(self):
        return None

    def describe_step(self, h: HalfStep, compact: bool = False) -> str:
        return f"fake step {h.index}{' (short)' if compact else ''}"

    def weight_name(self, k: int) -> str:
        return f"w{k}"

    def equations_with_numbers(self, step, n, k):
        return {"fake": f"x_{{{n}}}"}


@pytest.fixture(scope="module")
def em_trace():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(40, 2)) + c for c in ([0, 0], [5, 1], [1, 5])])
    return run_em(X, initialize(X, 3, "random_from_data", random_state=1), max_iter=4, tol=0)


@pytest.fixture(scope="module")
def fake(em_trace):
    return FakeRun(em_trace)


def test_the_traces_and_the_fake_are_runs(em_trace, fake):
    assert isinstance(em_trace, Run) and isinstance(fake, Run)
    vb_trace = gmmlearn.BayesianGaussianMixture(n_components=3, random_state=0, max_iter=5).fit(
        em_trace.X
    )
    assert isinstance(vb_trace.trace_, Run) and vb_trace.trace_.bound_split() is None
    assert not isinstance(fake, gmmlearn.EMTrace)
    with pytest.raises(TypeError, match="gmmlearn.runs.Run"):
        check_run(em_trace.params)


def test_the_matplotlib_view_draws_a_fake_run(em_trace, fake):
    view = EMView(fake)
    state = view.show(3)
    assert state == em_trace.half_step(3)
    assert view.title.get_text() == "fake step 3 (short)"
    assert view.ax_curve.get_ylabel() == "the fake curve"
    assert [t.get_text().split(" = ")[0] for t in view.weight_texts] == ["w0", "w1", "w2"]
    assert view.bound_text.get_text() == ""  # no ln p = L + KL split offered
    colours = blend_colors(em_trace.responsibilities(1), component_colors(3))
    np.testing.assert_allclose(view.point_colors(), colours)
    # prunes_components: the means fade with their weights, as a VB run's do
    assert view.means_artist.get_facecolor().shape == (3, 4)
    notes = [t.get_text() for t in view.ax_info.texts]
    assert any(note.endswith("ellipsoids of the fake run") for note in notes)


def test_the_browser_view_draws_a_fake_run(em_trace, fake):
    view = TraceView(fake)
    meta = view.meta
    assert meta["method"] == "fake" and meta["curve_label"] == "the fake curve"
    assert meta["labels"] == [f"fake step {i}" for i in range(em_trace.n_half_steps)]
    assert meta["log_p"] is None and meta["kls"] is None
    # the pictures are the EM run's: same points, colours and ellipsoids
    _, fake_buffers = trace_payload(fake)
    _, em_buffers = trace_payload(em_trace)
    assert fake_buffers == em_buffers
    assert view.show(4) == em_trace.half_step(4)


def test_no_view_imports_a_method_module():
    """The views know runs only through gmmlearn.runs (no vb_trace, vb_equations, equations)."""
    root = Path(gmmlearn.__file__).parent
    forbidden = {"vb_trace", "vb_equations", "equations", "trace", "vb"}
    for path in [
        *sorted((root / "plotting").glob("*.py")),
        *sorted((root / "webview").glob("*.py")),
    ]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                module = (node.module or "").split(".")[0]
                assert module not in forbidden, f"{path.name} imports {node.module}"
            if isinstance(node, ast.Name):
                assert node.id not in {"EMTrace", "VBTrace"}, f"{path.name} names {node.id}"
