"""The old module paths that house-core moved (issue 19) still import, warn, and forward.

Each shim is listed with where it now points and a few names it must forward; the objects must be
the new modules' own, so isinstance checks, pickles and monkeypatching keep working.
"""

import importlib
import sys
import warnings

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
]  # fmt: skip


def fresh_import(name: str):
    """Import ``name`` anew (a module warns only the first time it is imported)."""
    sys.modules.pop(name, None)
    return importlib.import_module(name)


@pytest.mark.parametrize("old, new, holder, names", SHIMS, ids=[s[2] for s in SHIMS])
def test_shim_warns_with_the_new_path_and_forwards(old, new, holder, names):
    with pytest.warns(DeprecationWarning, match=f"^{old} has moved to {new}: import from there"):
        shim = fresh_import(old)
    target = importlib.import_module(holder)
    for name in names:
        assert getattr(shim, name) is getattr(target, name)
    assert set(names) <= set(dir(shim))
    with pytest.raises(AttributeError, match="no_such_name"):
        shim.no_such_name  # noqa: B018


def test_setting_through_a_shim_sets_the_new_module_and_deleting_restores():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        shim = fresh_import("gmmlearn.fast")
    target = importlib.import_module("gmmlearn.fused")
    original = target.DEFAULT_CHUNK_SIZE
    shim.DEFAULT_CHUNK_SIZE = 7
    assert target.DEFAULT_CHUNK_SIZE == 7
    del shim.DEFAULT_CHUNK_SIZE
    assert target.DEFAULT_CHUNK_SIZE == original


def test_old_private_names_of_fast_reach_the_chunked_engine(monkeypatch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        shim = fresh_import("gmmlearn.fast")
    engine = importlib.import_module("gmmlearn._chunked")
    assert shim._Plan is engine.Plan and shim._covariances is engine.covariances_from_scatter
    original = engine.MIN_ROWS_PER_THREAD
    with monkeypatch.context() as patch:
        patch.setattr(shim, "_MIN_ROWS_PER_THREAD", 1)
        assert engine.MIN_ROWS_PER_THREAD == 1
    assert engine.MIN_ROWS_PER_THREAD == original


def test_monkeypatch_through_a_shim_is_undone(monkeypatch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        shim = fresh_import("gmmlearn.init")
    target = importlib.import_module("gmmlearn.initialization")
    original = target.INIT_METHODS
    with monkeypatch.context() as patch:
        patch.setattr(shim, "INIT_METHODS", ("kmeans",))
        assert target.INIT_METHODS == ("kmeans",)
    assert target.INIT_METHODS is original


def test_the_warning_is_attributed_to_the_shim():
    """Not to the importing line: the default filters then hide it in a notebook's __main__."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()
        warnings.simplefilter("default")
        fresh_import("gmmlearn.estimator")
    assert [w.filename.endswith("estimator.py") for w in caught] == [True]


def test_moved_modules_stay_attributes_of_the_package():
    import gmmlearn

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
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
