"""The old paths of the modules that issue 19 moved, and packages that were one module.

:data:`MOVED` is the one list of old paths. ``import gmmlearn`` installs a finder that answers
for each of them with a forwarding module (:func:`forward_module`): reading an attribute of it
reads the new module's, and setting one (``monkeypatch.setattr``) sets the new module's, so old
code, old tests and old pickles keep working, and the package's folder shows only the modules
that hold code. Deleting a name set that way gives back the new module's own value: that is how
``monkeypatch`` undoes.

Code outside gmmlearn that reads or sets a name through an old path (``from gmmlearn.init import
initialize`` included) gets a :class:`DeprecationWarning` naming the new path, the way
scikit-learn moved its private modules. The package itself never uses an old path
(``tests/test_shims.py``). The warning is attributed to this module, not to the user's line, so
Python's default filters keep it out of the lessons' outputs (a notebook is ``__main__``); pytest
and ``python -W default`` show it.

:func:`was_one_module`: a module split into a package of parts (``gmmlearn.io``,
``gmmlearn.exercises``) keeps its names, and a name patched on the package reaches the part
that reads it.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.abc
import importlib.util
import sys
import types
import warnings
from types import ModuleType

#: Every module issue 19 moved: its old path → the modules that hold its names now (searched in
#: order; the warning names the first) and the names that changed on the way.
MOVED: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "gmmlearn.init": (("gmmlearn.initialization",), {}),
    "gmmlearn.fast": (
        ("gmmlearn.fused", "gmmlearn._chunked"),
        {  # the engine's old private names
            "_MIN_ROWS_PER_THREAD": "MIN_ROWS_PER_THREAD",
            "_MAX_CANCELLATION": "MAX_CANCELLATION",
            "_Plan": "Plan",
            "_statistics": "statistics",
            "_means_and_scatter": "means_and_scatter",
            "_cancellation": "cancellation",
            "_covariances": "covariances_from_scatter",
            "_check": "check_arguments",
            "_passes": "passes",
            "_default_threads": "default_threads",
        },
    ),
    "gmmlearn.estimator": (("gmmlearn.gaussian_mixture", "gmmlearn._mixture_base"), {}),
    "gmmlearn.bayesian": (("gmmlearn.bayesian_mixture",), {}),
    "gmmlearn.vb_fast": (("gmmlearn.vb.fused",), {}),
    "gmmlearn.vb_trace": (("gmmlearn.vb.trace",), {}),
    "gmmlearn.vb_equations": (("gmmlearn.vb.equations",), {}),
    "gmmlearn.vb_widgets": (("gmmlearn.widgets.vb",), {}),
    "gmmlearn.vb_exercises": (("gmmlearn.exercises.lesson7",), {}),
    "gmmlearn.bound_exercises": (("gmmlearn.exercises.lesson6",), {}),
}


class _OldPaths(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers the imports of :data:`MOVED`'s old paths with forwarding modules."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        return None  # a plain module, which exec_module turns into a forwarder

    def exec_module(self, module) -> None:
        new, renamed = MOVED[module.__name__]
        module.__doc__ = f"Moved to {new[0]} (issue 19): forwards every name there, with a warning."
        forward_module(module.__name__, *new, renamed=renamed)


def install() -> None:
    """Let the old paths of :data:`MOVED` import (called by ``import gmmlearn``; idempotent)."""
    if not any(isinstance(finder, _OldPaths) for finder in sys.meta_path):
        sys.meta_path.append(_OldPaths())


def _called_from_outside() -> bool:
    """Whether the code using the shim (importlib's frames skipped) is not gmmlearn's own."""
    frame = sys._getframe(2)  # the caller of the _ForwardingModule method
    while frame is not None and "importlib" in frame.f_code.co_filename:
        frame = frame.f_back
    name = "" if frame is None else frame.f_globals.get("__name__", "")
    return not (name == "gmmlearn" or name.startswith("gmmlearn."))


class _ForwardingModule(types.ModuleType):
    """A module whose names live in other modules (the first that has a name owns it)."""

    def _locate(self, name: str):
        """(the module that holds ``name`` now or None, its name there)."""
        new_name = self.__dict__["_renamed"].get(name, name)
        for target in self.__dict__["_targets"]:
            if hasattr(target, new_name):
                return target, new_name
        return None, new_name

    def _warn(self, name: str) -> None:
        old, new = self.__name__, self.__dict__["_targets"][0].__name__
        warnings.warn(
            f"{old} has moved to {new}: import {name} from there "
            f"({old} forwards to it for now and will be removed)",
            DeprecationWarning,
            stacklevel=2,  # this module's line: hidden by the default filters
        )

    def __getattr__(self, name: str):
        owner, new_name = self._locate(name)
        if owner is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        if _called_from_outside():
            self._warn(name)
        return getattr(owner, new_name)

    def __setattr__(self, name: str, value) -> None:
        owner, new_name = (None, name) if name.startswith("__") else self._locate(name)
        if owner is None:
            super().__setattr__(name, value)
            return
        if _called_from_outside():
            self._warn(name)
        # Keep the new module's own value, so that deleting the name here restores it.
        self.__dict__["_replaced"].setdefault(name, (owner, new_name, getattr(owner, new_name)))
        setattr(owner, new_name, value)

    def __delattr__(self, name: str) -> None:
        # monkeypatch's undo deletes what it set through the shim: give back the original.
        replaced = self.__dict__["_replaced"]
        if name in replaced:
            owner, new_name, value = replaced.pop(name)
            setattr(owner, new_name, value)
        else:
            super().__delattr__(name)

    def __dir__(self) -> list[str]:
        names = set(self.__dict__) | set(self.__dict__["_renamed"])
        for target in self.__dict__["_targets"]:
            names.update(dir(target))
        return sorted(names)


def forward_module(old: str, *new: str, renamed: dict[str, str] | None = None) -> None:
    """Turn module ``old`` into a forwarder to the modules ``new``.

    Parameters
    ----------
    old : str
        The shim's own ``__name__``, e.g. ``"gmmlearn.init"``.
    *new : str
        The modules that now hold its names, searched in this order; the warning names the
        first (the others hold private parts).
    renamed : dict, optional
        Old name → new name, for the names that changed on the way.
    """
    module = sys.modules[old]
    module.__dict__["_targets"] = tuple(importlib.import_module(name) for name in new)
    module.__dict__["_renamed"] = dict(renamed or {})
    module.__dict__["_replaced"] = {}
    module.__class__ = _ForwardingModule


def _readers(package: ModuleType, name: str) -> list[ModuleType]:
    """The parts of ``package`` whose code reads the global ``name``: those that define or
    import it, or all of them for a builtin (``open``), which any of them may call."""
    if name.startswith("__"):  # the module's own attributes (__doc__, …)
        return []
    parts = vars(package)["__parts__"]
    if hasattr(builtins, name):
        return list(parts)
    return [part for part in parts if name in vars(part)]


class _SplitModule(ModuleType):
    """A package that was one module, whose patched names reach the code of its parts.

    When it was one module, ``monkeypatch.setattr(gmmlearn.io, "_ROWS_TO_SHARE", 100)`` (or
    ``"open"``, or ``gmmlearn.exercises._RTOL``) changed what its functions saw; tests still
    patch so. A name set or deleted here is set or deleted in each part that reads it too.
    """

    def __setattr__(self, name: str, value: object) -> None:
        for part in _readers(self, name):
            setattr(part, name, value)
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        for part in _readers(self, name):
            if name in vars(part):
                delattr(part, name)
        super().__delattr__(name)


def was_one_module(package: str, parts: tuple[ModuleType, ...]) -> None:
    """Make a name patched on ``package`` reach its ``parts`` (call at the end of its
    ``__init__``), as when the package was one module."""
    module = sys.modules[package]
    module.__parts__ = parts
    module.__class__ = _SplitModule
