"""Every module the explorer split moved keeps a forwarding shim at its old path (issue 19).

Each shim warns once, on import, naming the new path, and hands out the new module's objects
(the same objects, not copies: ``isinstance`` and pickles keep working).
"""

import importlib
import sys
import warnings

import pytest

pytest.importorskip("ipywidgets")

# old path -> (new path, names it must forward)
SHIMS = {
    "gmmlearn.vb_widgets": (
        "gmmlearn.widgets.vb",
        ("VBExplorer", "VB_INIT_METHODS", "run_vb_trace", "_PRIOR_LABELS"),
    ),
}


@pytest.mark.parametrize("old", sorted(SHIMS))
def test_shim_warns_and_forwards_the_new_objects(old):
    new, names = SHIMS[old]
    sys.modules.pop(old, None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        shim = importlib.import_module(old)
    messages = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
    assert any(new in message for message in messages), messages
    moved = importlib.import_module(new)
    for name in names:
        assert getattr(shim, name) is getattr(moved, name), name
    assert set(shim.__all__) == set(moved.__all__)


def test_shim_refuses_a_name_the_new_module_lacks():
    shim = importlib.import_module("gmmlearn.vb_widgets")
    with pytest.raises(AttributeError):
        shim.no_such_name  # noqa: B018
