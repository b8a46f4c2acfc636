"""The package's layers hold: a module imports only from its own layer or the layers
below it, and no modules import each other in a cycle (imports inside functions and
under `TYPE_CHECKING` count too). docs/architecture.md describes the layers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import lambda_lint

PACKAGE = Path(lambda_lint.__file__).parent

#: bottom to top; a module belongs to the layer of its longest matching prefix
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "syntax and inputs",
        (
            "finding",
            "triggers",
            "lambda_context",
            "typed_json",
            "walk",
            "source",
            "reparse",
            "recent",
            "positions",
            "ast_nodes",
            "key_reads",
            "collector",
            "slots",
            "node_starts",
            "statement_starts",
            "reads",
            "stamps",
            "path_order",
            "config",
            "flow",
            "events",
            "reliability",
            "schedules",
            "descriptors",
            "model.names",
            "model.flow",
            "model.locals",
            "model.event_access",
            "coldstart.costs",
            "coldstart.usage",
        ),
    ),
    ("index", ("index", "index_files")),
    ("model", ("model",)),
    (
        "rules",
        (
            "check_context",
            "project_context",
            "rule",
            "rules",
            "engine",
            "registry",
            "suppress",
            "handlers_report",
            "coldstart",
            "security",
        ),
    ),
    (
        "pipeline",
        (
            "api",
            "parallel",
            "cache",
            "read_files",
            "slices",
            "handler_results",
            "discover",
            "fix",
            "add_noqa",
            "report",
            "session",
            "testing",
            "rule_docs",
        ),
    ),
    (
        "commands",
        (
            "cli",
            "__main__",
            "check_run",
            "replay",
            "lsp",
            "watch",
            "terminal",
            "coldstart.command",
            "coldstart.lens",
        ),
    ),
]


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The package's modules that `name` imports, anywhere in the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base == "lambda_lint" and all(a.name == "__version__" for a in node.names):
                continue  # the version is read from the package by everyone
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in MODULES else base)
    return {module for module in found if module in MODULES and module != name}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    """Each of the package's modules and the package modules it imports."""
    return {name: _imports(name, path) for name, path in MODULES.items()}


def layer_of(module: str) -> int:
    """The index of the module's layer in `LAYERS`; the package itself (the public API,
    which re-exports from every layer) is above them all, -1 is no layer."""
    if module == "lambda_lint":
        return len(LAYERS)
    best, best_length = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            full = f"lambda_lint.{prefix}"
            if (module == full or module.startswith(full + ".")) and len(full) > best_length:
                best, best_length = index, len(full)
    return best


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(m for m in MODULES if m != "lambda_lint" and layer_of(m) < 0)
    assert unplaced == []


def test_no_module_imports_from_a_layer_above_its_own(graph: dict[str, set[str]]) -> None:
    upward = [
        f"{module} imports {imported}"
        for module, imports in sorted(graph.items())
        for imported in sorted(imports)
        if layer_of(imported) > layer_of(module)
    ]
    assert upward == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm,
    iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_no_import_cycles(graph: dict[str, set[str]]) -> None:
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
