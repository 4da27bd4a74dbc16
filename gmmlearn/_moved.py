"""Old import paths that keep working after a module moved or became a package.

:func:`forward`: a module that moved leaves a shim at its old path, which warns once, when
imported (a DeprecationWarning, as scikit-learn did for its private modules), and forwards every
attribute to the new module. :func:`was_one_module`: a module split into a package of parts
keeps its names, and a name patched on the package reaches the part that reads it.
"""

from __future__ import annotations

import builtins
import importlib
import sys
import warnings
from collections.abc import Callable
from types import ModuleType


def forward(old: str, new: str) -> tuple[Callable[[str], object], Callable[[], list[str]], list]:
    """Warn that module ``old`` moved to ``new``; return ``(__getattr__, __dir__, __all__)``
    for ``old``, which forward to ``new``.

    Use in the old module: ``__getattr__, __dir__, __all__ = forward(__name__, "gmmlearn.x.y")``.
    """
    target: ModuleType = importlib.import_module(new)
    # stacklevel 2 names the old module, not its importer: a notebook (``__main__``) would
    # show the warning, and the lessons' outputs must not change until they import the new path
    warnings.warn(
        f"{old} is deprecated: import from {new} instead", DeprecationWarning, stacklevel=2
    )

    def __getattr__(name: str) -> object:  # noqa: N807 (the module's own __getattr__)
        return getattr(target, name)

    def __dir__() -> list[str]:  # noqa: N807
        return sorted(dir(target))

    return __getattr__, __dir__, list(getattr(target, "__all__", []))


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
