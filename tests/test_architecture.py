"""The house's import rules (ARCHITECTURE: maths → trace → view → controls), read with ``ast``.

Every module of gmmlearn/ belongs to one layer of ``LAYERS`` by its name directly under
gmmlearn/ (``gmmlearn.vb.steps`` is ``vb``, ``gmmlearn.plotting.view`` is ``plotting``); a layer
never imports the layers it lists in ``never_imports``. Imports inside functions count: a lazy
import is still a dependency. The rules only read the source, nothing is imported.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "gmmlearn"

# layer: the modules or packages directly under gmmlearn/ that make it, and the layers it must
# never import. The old paths of moved modules (gmmlearn._moved.MOVED, no files of their own;
# tests/test_shims.py) are a layer of their own: nothing in the package imports them.
LAYERS: dict[str, dict[str, set[str]]] = {
    "maths": {
        "modules": set(
            "params validation steps bound equations trace runs initialization fused _chunked"
            " diagnostics vb _mixture_base gaussian_mixture bayesian_mixture".split()
        ),
        "never_imports": {"views", "widgets", "exercises", "io_cli", "shims"},
    },
    # the package's __init__: `import gmmlearn` loads the maths only
    "package": {
        "modules": {"__init__"},
        "never_imports": {"views", "widgets", "exercises", "io_cli"},
    },
    "data": {
        "modules": {"datasets"},
        "never_imports": {"views", "widgets", "exercises", "io_cli", "shims"},
    },
    "views": {
        "modules": {"plotting", "webview"},
        "never_imports": {"widgets", "exercises", "io_cli", "shims"},
    },
    "widgets": {"modules": {"widgets"}, "never_imports": {"shims"}},
    "exercises": {
        "modules": {"exercises"},
        "never_imports": {"views", "widgets", "io_cli", "shims"},
    },
    "io_cli": {
        "modules": {"io", "cli", "__main__"},
        "never_imports": {"widgets", "exercises", "shims"},
    },
    # how the shims forward, and how a package that was one module keeps its patched names
    "internals": {
        "modules": {"_moved", "_files"},
        "never_imports": {"maths", "data", "views", "widgets", "exercises", "io_cli", "shims"},
    },
    "shims": {
        "modules": set(
            "init fast vb_fast vb_trace vb_equations estimator bayesian vb_widgets"
            " vb_exercises bound_exercises".split()
        ),
        "never_imports": set(),
    },
}
# Top-level names that are the tests' own: never imported by the package, benchmarks, tools.
TEST_MODULES = {"tests", "conftest", "blob_data"}


def module_name(path: Path) -> str:
    """``gmmlearn/vb/steps.py`` -> ``gmmlearn.vb.steps``; ``vb/__init__.py`` -> ``gmmlearn.vb``."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, name: str) -> set[str]:
    """The absolute names of every module ``path`` (module ``name``) imports, lazily or not.

    ``from . import x`` names the submodule ``x`` when there is one, else the package itself.
    """
    is_package = path.name == "__init__.py"
    found = set()
    for node in _runtime_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = name.split(".")[: len(name.split(".")) - node.level + is_package]
                base = ".".join(parent + ([node.module] if node.module else []))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if _exists(candidate) else base)
    return found


def _runtime_nodes(tree: ast.AST):
    """Every node of ``tree`` but those under ``if TYPE_CHECKING:`` (type hints, never run)."""
    for node in ast.iter_child_nodes(tree):
        test = node.test if isinstance(node, ast.If) else None
        if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


def _exists(module: str) -> bool:
    parts = module.split(".")
    if parts[0] != PACKAGE.name:
        return False
    path = PACKAGE.parent.joinpath(*parts)
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def unit(module: str) -> str | None:
    """The name directly under gmmlearn/ that ``module`` belongs to; None outside gmmlearn."""
    parts = module.split(".")
    if parts[0] != PACKAGE.name:
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def layer_of(module: str) -> str | None:
    name = unit(module)
    return next((layer for layer, spec in LAYERS.items() if name in spec["modules"]), None)


@functools.cache
def package_imports() -> dict[str, set[str]]:
    """{module of gmmlearn: the modules it imports}, for every .py file under gmmlearn/."""
    return {
        module_name(path): imported_modules(path, module_name(path))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def unit_graph() -> dict[str, set[str]]:
    """The import graph between the names directly under gmmlearn/ (packages as one node)."""
    graph: dict[str, set[str]] = {}
    for module, imports in package_imports().items():
        targets = {unit(target) for target in imports} - {None, unit(module)}
        graph.setdefault(unit(module), set()).update(targets)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of ``graph`` with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


# --- the rules ---------------------------------------------------------------------------------


def test_every_module_of_the_package_has_one_layer():
    names = {unit(module) for module in package_imports()}
    homeless = sorted(name for name in names if layer_of(f"gmmlearn.{name}") is None)
    assert not homeless, f"add {homeless} to a layer of LAYERS in tests/test_architecture.py"
    members = [name for spec in LAYERS.values() for name in spec["modules"]]
    assert len(members) == len(set(members)), "a name stands in two layers of LAYERS"


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_a_layer_never_imports_the_layers_it_must_not(layer):
    forbidden = LAYERS[layer]["never_imports"]
    broken = sorted(
        f"{module} imports {target} ({layer_of(target)})"
        for module, imports in package_imports().items()
        if layer_of(module) == layer
        for target in imports
        if layer_of(target) in forbidden
    )
    assert not broken, f"{layer} never imports {sorted(forbidden)}:\n" + "\n".join(broken)


def test_nothing_in_the_package_imports_the_tests():
    broken = sorted(
        f"{module} imports {target}"
        for module, imports in package_imports().items()
        for target in imports
        if target.split(".")[0] in TEST_MODULES
    )
    assert not broken, "\n".join(broken)


def imports_and_strings(path: Path) -> tuple[set[str], set[str]]:
    """The names ``path`` imports (absolute and as written) and its string constants."""
    names, strings = set(), set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            strings.add(node.value)
    return names, strings


@pytest.mark.parametrize("folder", ["benchmarks", "tools"])
def test_benchmarks_and_tools_do_not_import_the_tests(folder):
    """Neither by import nor by putting a folder of tests/ on sys.path: what they share with the
    browser tests is tools/browser_harness.py."""
    broken = []
    for path in sorted((ROOT / folder).glob("*.py")):
        names, strings = imports_and_strings(path)
        broken += [f"{path.name} imports {n}" for n in names if n.split(".")[0] in TEST_MODULES]
        broken += [f"{path.name} names the folder {text!r}" for text in strings & {"tests", "e2e"}]
    assert not broken, "\n".join(sorted(broken))


def test_no_import_cycle_inside_the_package():
    assert cycles(unit_graph()) == []


# --- the checker itself ------------------------------------------------------------------------


def test_the_checker_finds_cycles_and_reads_relative_lazy_and_package_imports(tmp_path):
    """Hints under ``if TYPE_CHECKING:`` never run, so they are no dependency."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    source = tmp_path / "x.py"
    source.write_text(
        "import numpy as np\n"
        "from . import steps, __version__\n"
        "from .params import GaussianMixtureParams\n\n\n"
        "if TYPE_CHECKING:\n"
        "    from .trace import EMTrace\n"
        "else:\n"
        "    import gmmlearn.bound\n\n\n"
        "def f():\n"
        "    import gmmlearn.plotting.view\n"
    )
    assert imported_modules(source, "gmmlearn.x") == {
        "numpy",
        "gmmlearn.steps",
        "gmmlearn",
        "gmmlearn.params",
        "gmmlearn.bound",
        "gmmlearn.plotting.view",
    }
    assert layer_of("gmmlearn.vb.steps") == "maths" and layer_of("gmmlearn.widgets.em") == "widgets"
    assert layer_of("gmmlearn") == "package" and layer_of("numpy") is None
    names, strings = imports_and_strings(ROOT / "tests" / "e2e" / "conftest.py")
    assert "browser_harness" in names and "tools" in strings
