"""No import cycle inside the casework package. Every import counts, also one inside a function
(a local import that dodges a cycle at load time is still a cycle in the design); only imports
under `if TYPE_CHECKING:` are left out, since they never run."""

from __future__ import annotations

import ast
from pathlib import Path

import casework

PACKAGE_ROOT = Path(casework.__file__).parent


def module_names(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package at root."""
    modules = {}
    for path in root.rglob("*.py"):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The ids of every node inside an `if TYPE_CHECKING:` block."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                skipped.update(id(inner) for statement in node.body for inner in ast.walk(statement))
    return skipped


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports, at any depth in the file. `from a import b`
    points at the module a.b when there is one, else at a."""
    modules = module_names(root)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skipped = _type_checking_only(tree)
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                graph[name].update(alias.name for alias in node.names if alias.name in modules)
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: from the module's package, up level - 1
                    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                    package = package[: len(package) - node.level + 1]
                    base = ".".join([*package, *([node.module] if node.module else [])])
                else:
                    base = node.module or ""
                for alias in node.names:
                    target = f"{base}.{alias.name}"
                    if target in modules:
                        graph[name].add(target)
                    elif base in modules:
                        graph[name].add(base)
        graph[name].discard(name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _describe(graph: dict[str, set[str]], component: list[str]) -> str:
    return "; ".join(f"{m} -> {', '.join(sorted(graph[m] & set(component)))}" for m in component)


def test_casework_has_no_import_cycle() -> None:
    graph = import_graph(PACKAGE_ROOT)
    assert "casework.reviews.lifecycle" in graph  # the walk found the package's modules
    assert [_describe(graph, c) for c in cycles(graph)] == []


def test_the_lifecycle_imports_none_of_the_services_of_later_steps() -> None:
    graph = import_graph(PACKAGE_ROOT)
    steps = ("referral", "appointments", "drafts", "publication", "settings")
    later = {m for m in graph if m.startswith(tuple(f"casework.reviews.{step}." for step in steps))}
    later.add("casework.actions.services")
    assert "casework.reviews.referral.referral" in later  # the walk found the step packages
    assert graph["casework.reviews.lifecycle"] & later == set()


def _graph(root: Path, files: dict[str, str]) -> dict[str, set[str]]:
    """The import graph of a package "pkg" of these files (an empty __init__.py added)."""
    for name, text in {"__init__.py": "", **files}.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return import_graph(root / "pkg")


def test_a_cycle_through_a_function_level_import_is_found(tmp_path: Path) -> None:
    graph = _graph(
        tmp_path,
        {
            "a.py": "from pkg.b import thing\n",
            "b.py": "def thing():\n    from pkg import a\n    return a\n",
            "c.py": "from . import a\n",
        },
    )
    assert graph["pkg.c"] == {"pkg.a"}  # a relative import resolves to the module
    assert cycles(graph) == [["pkg.a", "pkg.b"]]


def test_type_checking_imports_are_not_cycles(tmp_path: Path) -> None:
    typing_only = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import x\n"
    assert cycles(_graph(tmp_path, {"a.py": "import pkg.b\n", "b.py": typing_only})) == []
