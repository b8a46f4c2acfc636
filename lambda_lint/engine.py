"""Stage 4, check: every enabled rule over one file's tree, in a single walk.

The engine builds a dispatch table from node type to the rules' `visit_*`/`leave_*`
methods, walks the module once (with the fast walk of `lambda_lint.walk`: whitespace and
punctuation tokens are not visited), and keeps the context's ancestors and function stack
current. A rule that raises is dropped for the rest of the file and reported as an
internal error; the other rules go on.
"""

from __future__ import annotations

import traceback
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import libcst as cst

from lambda_lint.check_context import CheckContext
from lambda_lint.model.names import qualname
from lambda_lint.project_context import ProjectContext
from lambda_lint.rule import BaseRule, ProjectRule, Rule
from lambda_lint.walk import children

Method = Callable[[cst.CSTNode], object]
Calls = tuple[tuple[Rule, Method], ...]


@dataclass(frozen=True)
class InternalError:
    code: str
    path: str
    message: str


_method_names: dict[type, list[str]] = {}


def _visitor_methods(cls: type[Rule]) -> list[str]:
    """The names of the rule class's `visit_*` and `leave_*` methods."""
    names = _method_names.get(cls)
    if names is None:
        names = _method_names[cls] = [
            n for n in dir(cls) if n.startswith(("visit_", "leave_")) and callable(getattr(cls, n))
        ]
    return names


def _methods(rule: Rule, prefix: str) -> dict[str, Method]:
    """The rule's `visit_*` or `leave_*` methods by node type name."""
    names = _visitor_methods(type(rule))
    return {n[len(prefix) :]: getattr(rule, n) for n in names if n.startswith(prefix)}


class _Walker:
    """Walks one module once, calling every rule's methods for each node."""

    def __init__(self, context: CheckContext, rules: Iterable[Rule]) -> None:
        self.context = context
        self.visits: dict[str, list[tuple[Rule, Method]]] = defaultdict(list)
        self.leaves: dict[str, list[tuple[Rule, Method]]] = defaultdict(list)
        for rule in rules:
            for node_type, method in _methods(rule, "visit_").items():
                self.visits[node_type].append((rule, method))
            for node_type, method in _methods(rule, "leave_").items():
                self.leaves[node_type].append((rule, method))
        #: per node type: the (rule, method) pairs to call on entering and on leaving it
        self.dispatch: dict[type, tuple[Calls, Calls]] = {}
        self.failed: dict[str, str] = {}
        self.scope_names: list[tuple[str, bool]] = []

    def _calls(self, node_type: type) -> tuple[Calls, Calls]:
        found = self.dispatch.get(node_type)
        if found is None:
            name = node_type.__name__
            found = self.dispatch[node_type] = (
                tuple(self.visits.get(name, ())),
                tuple(self.leaves.get(name, ())),
            )
        return found

    def _call(self, calls: Calls, node: cst.CSTNode) -> None:
        failed = self.failed
        for rule, method in calls:
            if rule.code in failed:
                continue
            try:
                method(node)
            except Exception as error:  # a rule bug must not stop the run
                failed[rule.code] = _describe(error)

    def walk(self, node: cst.CSTNode) -> None:
        cls = type(node)
        if cls is cst.FunctionDef or cls is cst.ClassDef:
            self._walk_scope(node)  # type: ignore[arg-type]
            return
        ancestors = self.context.ancestors
        ancestors.append(node)
        visits, leaves = self._calls(cls)
        if visits:
            self._call(visits, node)
        for child in children(node):
            self.walk(child)
        if leaves:
            self._call(leaves, node)
        ancestors.pop()

    def _walk_scope(self, node: cst.FunctionDef | cst.ClassDef) -> None:
        """`walk` for a function or class: its name joins the scope while inside."""
        context = self.context
        is_function = isinstance(node, cst.FunctionDef)
        context.ancestors.append(node)
        self.scope_names.append((node.name.value, is_function))
        if is_function:
            context.functions.append((qualname(self.scope_names), node))  # type: ignore[arg-type]
        visits, leaves = self._calls(type(node))
        self._call(visits, node)
        for child in children(node):
            self.walk(child)
        self._call(leaves, node)
        if is_function:
            context.functions.pop()
        self.scope_names.pop()
        context.ancestors.pop()


def _runs_on(rule: type[BaseRule], path: Path, text: str, reached: bool) -> bool:
    """Whether `rule` is run on the file `path` holding `text` (`reached`: a handler
    reaches it): see `Rule.reached_code_only` and `Rule.may_report_in`. A rule without
    visitor methods, like the pipeline's own LL0 codes, visits nothing. Raises what a
    plugin's `may_report_in` raises."""
    return (
        issubclass(rule, Rule)
        and bool(_visitor_methods(rule))
        and (reached or not rule.reached_code_only)
        and rule.may_report_in(path, text)
    )


def walks_file(
    rule_classes: Iterable[type[BaseRule]], path: Path, text: str, reached: bool
) -> bool:
    """Whether some of these rules are run on the file `path` holding `text` (`reached`:
    a handler reaches it); the file is parsed only then."""
    for rule in rule_classes:
        try:
            if _runs_on(rule, path, text, reached):
                return True
        except Exception:  # the rule runs there, and `check_module` reports its failure
            return True
    return False


def check_module(
    context: CheckContext, rule_classes: Iterable[type[BaseRule]]
) -> list[InternalError]:
    """Run the visitor rules that may report in the file over `context.module`; findings
    land in `context.findings`."""
    rules, failed = [], {}
    reached = context.path in context.model.reached_files
    for rule_class in rule_classes:
        if not issubclass(rule_class, Rule):
            continue
        try:
            if _runs_on(rule_class, context.path, context.text, reached):
                rules.append(rule_class(context))
        except Exception as error:  # a plugin's bug must not stop the run
            failed[rule_class.code] = _describe(error)
    walker = _Walker(context, rules)
    walker.failed.update(failed)
    walker.walk(context.module)
    return [
        InternalError(code, context.display_path, message)
        for code, message in walker.failed.items()
    ]


def check_project(
    context: ProjectContext, rule_classes: Iterable[type[BaseRule]], where: str
) -> list[InternalError]:
    """Run the project rules once; findings land in `context.findings`. A rule that
    raises is an internal error for the project (named by `where`); the others go on."""
    errors = []
    for rule_class in rule_classes:
        if not issubclass(rule_class, ProjectRule):
            continue
        try:
            rule_class(context).check_project()
        except Exception as error:  # a plugin's rule must not stop the run
            errors.append(InternalError(rule_class.code, where, _describe(error)))
    return errors


def _describe(error: Exception) -> str:
    frame = traceback.extract_tb(error.__traceback__)[-1]
    return f"{type(error).__name__}: {error} (at {frame.filename}:{frame.lineno})"
