"""Stage 4, check: every enabled rule over one file's tree, in a single walk.

The engine builds a dispatch table from node type to the rules' `visit_*`/`leave_*`
methods, walks the module once, and keeps the context's ancestors and function stack
current. A rule that raises is dropped for the rest of the file and reported as an
internal error; the other rules go on.
"""

from __future__ import annotations

import traceback
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Callable

import libcst as cst

from lambda_lint.check_context import CheckContext
from lambda_lint.rule import Rule

Method = Callable[[cst.CSTNode], object]


@dataclass(frozen=True)
class InternalError:
    code: str
    path: str
    message: str


def _methods(rule: Rule, prefix: str) -> dict[str, Method]:
    found = {}
    for name in dir(type(rule)):
        if name.startswith(prefix) and callable(getattr(rule, name)):
            found[name[len(prefix) :]] = getattr(rule, name)
    return found


class _Walker(cst.CSTVisitor):
    def __init__(self, context: CheckContext, rules: Iterable[Rule]) -> None:
        self.context = context
        self.visits: dict[str, list[tuple[Rule, Method]]] = defaultdict(list)
        self.leaves: dict[str, list[tuple[Rule, Method]]] = defaultdict(list)
        for rule in rules:
            for node_type, method in _methods(rule, "visit_").items():
                self.visits[node_type].append((rule, method))
            for node_type, method in _methods(rule, "leave_").items():
                self.leaves[node_type].append((rule, method))
        self.failed: dict[str, str] = {}
        self.scope_names: list[tuple[str, bool]] = []

    def _call(self, rule: Rule, method: Method, node: cst.CSTNode) -> None:
        if rule.code in self.failed:
            return
        try:
            method(node)
        except Exception as error:  # a rule bug must not stop the run
            frame = traceback.extract_tb(error.__traceback__)[-1]
            self.failed[rule.code] = (
                f"{type(error).__name__}: {error} (at {frame.filename}:{frame.lineno})"
            )

    def _qualname(self, name: str) -> str:
        parts = []
        for scope, is_function in self.scope_names:
            parts.append(scope)
            if is_function:
                parts.append("<locals>")
        return ".".join([*parts, name])

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.context.ancestors.append(node)
        if isinstance(node, cst.FunctionDef):
            self.context.functions.append((self._qualname(node.name.value), node))
            self.scope_names.append((node.name.value, True))
        elif isinstance(node, cst.ClassDef):
            self.scope_names.append((node.name.value, False))
        for rule, method in self.visits.get(type(node).__name__, ()):
            self._call(rule, method, node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        for rule, method in self.leaves.get(type(original_node).__name__, ()):
            self._call(rule, method, original_node)
        if isinstance(original_node, cst.FunctionDef):
            self.context.functions.pop()
            self.scope_names.pop()
        elif isinstance(original_node, cst.ClassDef):
            self.scope_names.pop()
        self.context.ancestors.pop()


def check_module(
    context: CheckContext, rule_classes: Iterable[type[Rule]]
) -> list[InternalError]:
    """Run the rules over `context.module`; findings land in `context.findings`."""
    rules = [rule_class(context) for rule_class in rule_classes]
    walker = _Walker(context, rules)
    context.module.visit(walker)
    return [
        InternalError(code, context.display_path, message)
        for code, message in walker.failed.items()
    ]
