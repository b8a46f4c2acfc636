"""What the LL4 rules share: one hook for every read of the event, the event paths an
expression holds, and one finding per (function, event path) and rule.

Every LL4 rule needs the trigger: where it is unknown or mixed, the reads below are not
event reads and the rules stay silent. Keys the function itself writes into the event
(`event["user"] = ...`, `.setdefault`, `.update`) are not the trigger's and are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Callable

import libcst as cst

from lambda_lint.finding import Fix, RelatedLocation
from lambda_lint.model.event_access import Access, EventValue, access_of, event_value
from lambda_lint.model.flow import literal_key, subscript_key
from lambda_lint.model.names import update_keys
from lambda_lint.rule import Rule
from lambda_lint.walk import descendants

if TYPE_CHECKING:
    from lambda_lint.check_context import CheckContext
    from lambda_lint.descriptors.model import TriggerBinding

#: does this expression hold the event path a guard is about?
Subject = Callable[[cst.BaseExpression], bool]
#: does `"key" in this` test for that path (this being its container)?
Container = Callable[[cst.BaseExpression, str], bool]
#: the event path an expression holds, if any
ValueOf = Callable[[cst.BaseExpression], "EventValue | None"]


#: methods of a logger (`logging`, Powertools `Logger`)
LOGGER_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}
)


def dotted(path: tuple[str, ...]) -> str:
    """An event path as messages show it: `Records.*.body`."""
    return ".".join(path) if path else "the event"


def key_literal(node: cst.CSTNode) -> cst.SimpleString | None:
    """The string literal naming the key of `x["k"]` or `x.get("k")`."""
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        element = node.slice[0].slice
        if isinstance(element, cst.Index) and isinstance(element.value, cst.SimpleString):
            return element.value
    if (
        isinstance(node, cst.Call)
        and node.args
        and isinstance(node.args[0].value, cst.SimpleString)
    ):
        return node.args[0].value
    return None


def denoting(value_of: ValueOf, path: tuple[str, ...]) -> Subject:
    """A test for expressions holding exactly `path`, by what `value_of` says they hold."""

    def subject(expression: cst.BaseExpression) -> bool:
        value = value_of(expression)
        return value is not None and value.path == path

    return subject


def holding(value_of: ValueOf, path: tuple[str, ...]) -> Container:
    """A test for `key in expression` naming `path`, by what `value_of` says the
    expression holds."""

    def container(expression: cst.BaseExpression, key: str) -> bool:
        value = value_of(expression)
        return value is not None and (*value.path, key) == path

    return container


class EventRule(Rule):
    """Shared plumbing of the event rules (not a rule itself: it has no code)."""

    reached_code_only = True

    def __init__(self, context: CheckContext) -> None:
        super().__init__(context)
        self._written: dict[cst.FunctionDef, set[tuple[str, ...]]] = {}
        self._reported: set[tuple[cst.FunctionDef | None, tuple[str, ...]]] = set()

    # -- the read hook ---------------------------------------------------------------

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self.on_read(node)

    def visit_Call(self, node: cst.Call) -> None:
        self.on_read(node)

    def on_read(self, node: cst.Subscript | cst.Call) -> None:
        """Called for every `x[...]` and call; rules that judge reads override it."""

    # -- what an expression holds ----------------------------------------------------

    def access(self, node: cst.CSTNode) -> Access | None:
        """The event read `node` is; None for keys the function itself wrote."""
        found = access_of(self.context.refs, node)
        if found is None or self._written_over(found.path):
            return None
        return found

    def value(self, node: cst.CSTNode) -> EventValue | None:
        """The event path `node` holds; None below a key the function itself wrote."""
        found = event_value(self.context.refs, node)
        if found is None or self._written_over(found.path):
            return None
        return found

    def denotes(self, path: tuple[str, ...]) -> Subject:
        """A test for expressions holding exactly `path`."""
        return denoting(self.value, path)

    def holds(self, path: tuple[str, ...]) -> Container:
        """A test for `key in expression` naming `path`."""
        return holding(self.value, path)

    def shows(self, call: cst.Call) -> bool:
        """Whether `call` only shows its arguments: `print()` or a logger method."""
        if self.context.qualified_name(call.func) == "builtins.print":
            return True
        func = call.func
        return isinstance(func, cst.Attribute) and func.attr.value in LOGGER_METHODS

    def bindings(self) -> tuple[TriggerBinding, ...]:
        """The descriptor's bindings of the handler whose invocation reaches this code."""
        handler = self.context.serving_handler()
        return handler.bindings if handler else ()

    # -- reporting -------------------------------------------------------------------

    def report_path(
        self,
        node: cst.CSTNode,
        path: tuple[str, ...],
        message: str,
        *,
        fix: Fix | None = None,
        related: tuple[RelatedLocation, ...] = (),
    ) -> None:
        """Report at `node`, once per enclosing function and event path: the later
        reads of a path that already failed repeat the same finding."""
        key = (self.context.function_node(), path)
        if key in self._reported:
            return
        self._reported.add(key)
        self.report(node, message, fix=fix, related=related)

    # -- keys the function writes ----------------------------------------------------

    def _written_over(self, path: tuple[str, ...]) -> bool:
        return any(path[: len(written)] == written for written in self._written_paths())

    def _written_paths(self) -> set[tuple[str, ...]]:
        """Event paths the enclosing function assigns (`event["user"] = ...`,
        `.setdefault`, `.update`): what the code put there is not the trigger's."""
        function = self.context.function_node()
        if function is None:
            return set()
        if function not in self._written:
            self._written[function] = set(self._writes(function))
        return self._written[function]

    def _writes(self, function: cst.FunctionDef) -> Iterator[tuple[str, ...]]:
        for node in descendants(function.body, into_functions=False):
            targets: list[tuple[cst.BaseExpression, str]] = []
            # `type(...) is`, not isinstance: see `walk.node_types`
            assigned: list[cst.BaseExpression] = []
            if type(node) is cst.Assign:
                assigned = [t.target for t in node.targets]
            elif type(node) is cst.AugAssign or type(node) is cst.AnnAssign:
                assigned = [node.target]
            if assigned:
                for target in assigned:
                    if isinstance(target, cst.Subscript) and subscript_key(target):
                        targets.append((target.value, subscript_key(target) or ""))
            elif type(node) is cst.Call and type(node.func) is cst.Attribute:
                method, receiver = node.func.attr.value, node.func.value
                if method == "setdefault" and node.args and literal_key(node.args[0].value):
                    targets.append((receiver, literal_key(node.args[0].value) or ""))
                elif method == "update":
                    targets.extend((receiver, key) for key in update_keys(node))
            for container, key in targets:
                value = event_value(self.context.refs, container)
                if value is not None:
                    yield (*value.path, key)
