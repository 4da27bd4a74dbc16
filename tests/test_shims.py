"""Every old module path that issue 19 moved still imports, warns, and forwards: the list of shims.

Each shim is listed with where it now points and a few names it must forward; the objects must be
the new modules' own, so isinstance checks, pickles and monkeypatching keep working. Code outside
gmmlearn that uses a shim is warned; gmmlearn's own modules are not.
"""

import ast
import importlib
import sys
import warnings
from pathlib import Path

import pytest

# (old path, the new path its warning names, the module that holds the names, some names)
SHIMS = [
    ("gmmlearn.vb_fast", "gmmlearn.vb.fused", "gmmlearn.vb.fused", ["vb_iteration"]),
    ("gmmlearn.vb_trace", "gmmlearn.vb.trace", "gmmlearn.vb.trace", ["VBTrace", "run_vb"]),
    ("gmmlearn.vb_equations", "gmmlearn.vb.equations", "gmmlearn.vb.equations",
     ["vb_step_description", "vb_params_latex"]),
    ("gmmlearn.fast", "gmmlearn.fused", "gmmlearn.fused", ["em_iteration", "one_blas_thread"]),
    ("gmmlearn.fast", "gmmlearn.fused", "gmmlearn._chunked", ["MAX_CANCELLATION", "Plan"]),
    ("gmmlearn.init", "gmmlearn.initialization", "gmmlearn.initialization",
     ["INIT_METHODS", "initialize", "initial_responsibilities", "check_initial_parameters"]),
    ("gmmlearn.estimator", "gmmlearn.gaussian_mixture", "gmmlearn.gaussian_mixture",
     ["GaussianMixture", "_n_parameters"]),
    ("gmmlearn.estimator", "gmmlearn.gaussian_mixture", "gmmlearn._mixture_base",
     ["draw_from_mixture", "print_run"]),
    ("gmmlearn.bayesian", "gmmlearn.bayesian_mixture", "gmmlearn.bayesian_mixture",
     ["BayesianGaussianMixture"]),
    ("gmmlearn.vb_widgets", "gmmlearn.widgets.vb", "gmmlearn.widgets.vb",
     ["VBExplorer", "VB_INIT_METHODS", "run_vb_trace"]),
    ("gmmlearn.vb_exercises", "gmmlearn.exercises.lesson7", "gmmlearn.exercises.lesson7",
     ["check_W_inverse", "check_expected_log_pi", "ExerciseError", "random_problem"]),
    ("gmmlearn.bound_exercises", "gmmlearn.exercises.lesson6", "gmmlearn.exercises.lesson6",
     ["check_kl_to_posterior", "check_lower_bound", "ExerciseError", "Problem", "_ZERO_HINT"]),
]  # fmt: skip


def fresh_import(name: str):
    """Import ``name`` anew (and forget the warnings already shown for it)."""
    sys.modules.pop(name, None)
    return importlib.import_module(name)


@pytest.mark.parametrize("old, new, holder, names", SHIMS, ids=[s[2] for s in SHIMS])
def test_shim_warns_with_the_new_path_and_forwards(old, new, holder, names):
    shim = fresh_import(old)
    target = importlib.import_module(holder)
    for name in names:
        message = f"^{old} has moved to {new}: import {name} from there"
        with pytest.warns(DeprecationWarning, match=message):
            assert getattr(shim, name) is getattr(target, name)
    assert set(names) <= set(dir(shim))
    with pytest.raises(AttributeError, match="no_such_name"):
        shim.no_such_name  # noqa: B018


def test_from_import_warns_too():
    fresh_import("gmmlearn.bayesian")
    with pytest.warns(DeprecationWarning, match="^gmmlearn.bayesian has moved to gmmlearn.bayes"):
        from gmmlearn.bayesian import BayesianGaussianMixture  # noqa: F401


def test_gmmlearns_own_modules_import_no_shim():
    """The package reads its new homes only: a shim is for code outside it (and old pickles)."""
    package = Path(importlib.import_module("gmmlearn").__file__).parent
    old = {shim[0].removeprefix("gmmlearn.") for shim in SHIMS}
    users = []
    for path in sorted(package.rglob("*.py")):
        module = path.relative_to(package).with_suffix("").as_posix().replace("/", ".")
        if module in old or module == "__init__":  # the shims, and the package's lazy attributes
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module or ''}.{a.name}" for a in node.names]
                names = [n.lstrip(".") for n in names]
                hit = [
                    n
                    for n in names
                    if n.removeprefix("gmmlearn.") in old
                    and (node.level == 1 or n.startswith("gmmlearn."))
                ]
                users += [f"{module} imports {n}" for n in hit]
    assert not users, users


def test_setting_through_a_shim_sets_the_new_module_and_deleting_restores():
    shim = fresh_import("gmmlearn.fast")
    target = importlib.import_module("gmmlearn.fused")
    original = target.DEFAULT_CHUNK_SIZE
    with pytest.warns(DeprecationWarning, match="import DEFAULT_CHUNK_SIZE from there"):
        shim.DEFAULT_CHUNK_SIZE = 7
    assert target.DEFAULT_CHUNK_SIZE == 7
    del shim.DEFAULT_CHUNK_SIZE
    assert target.DEFAULT_CHUNK_SIZE == original


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_old_private_names_of_fast_reach_the_chunked_engine(monkeypatch):
    shim = fresh_import("gmmlearn.fast")
    engine = importlib.import_module("gmmlearn._chunked")
    assert shim._Plan is engine.Plan and shim._covariances is engine.covariances_from_scatter
    original = engine.MIN_ROWS_PER_THREAD
    with monkeypatch.context() as patch:
        patch.setattr(shim, "_MIN_ROWS_PER_THREAD", 1)
        assert engine.MIN_ROWS_PER_THREAD == 1
    assert engine.MIN_ROWS_PER_THREAD == original


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_monkeypatch_through_a_shim_is_undone(monkeypatch):
    shim = fresh_import("gmmlearn.init")
    target = importlib.import_module("gmmlearn.initialization")
    original = target.INIT_METHODS
    with monkeypatch.context() as patch:
        patch.setattr(shim, "INIT_METHODS", ("kmeans",))
        assert target.INIT_METHODS == ("kmeans",)
    assert target.INIT_METHODS is original


def test_the_warning_is_attributed_to_the_shim_machinery():
    """Not to the user's line: the default filters then hide it in a notebook's __main__."""
    shim = fresh_import("gmmlearn.estimator")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        shim.GaussianMixture  # noqa: B018
    assert [w.filename.endswith("_moved.py") for w in caught] == [True]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_moved_modules_stay_attributes_of_the_package():
    import gmmlearn

    assert gmmlearn.estimator.GaussianMixture is gmmlearn.GaussianMixture
    assert gmmlearn.bayesian.BayesianGaussianMixture is gmmlearn.BayesianGaussianMixture
    assert gmmlearn.init.initialize is gmmlearn.initialize
    with pytest.raises(AttributeError, match="no attribute 'no_such_module'"):
        gmmlearn.no_such_module  # noqa: B018


def test_vb_package_keeps_the_flat_modules_names():
    import gmmlearn.vb as vb
    from gmmlearn.vb import steps

    assert vb.__all__ == steps.__all__
    for name in steps.__all__ + ["_bound_from_entropy", "_log_det_W", "_LOG_2PI"]:
        assert getattr(vb, name) is getattr(steps, name)
