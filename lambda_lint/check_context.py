"""What a rule sees while the engine walks a file: the node's surroundings and the
project model's answers about them (handler, phase, trigger, value flow, call chain)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Callable
from pathlib import Path

import libcst as cst

from lambda_lint.config import Settings
from lambda_lint.finding import Finding, Fix, Position, RelatedLocation
from lambda_lint.index import CallSite, FunctionSummary
from lambda_lint.model.flow import EMPTY, FunctionFlow, Ref, Refs
from lambda_lint.model.names import dotted_name
from lambda_lint.model.project import FunctionKey, Handler, Phase, ProjectModel
from lambda_lint.positions import Positions


class CheckContext:
    """Shared by all rules checking one file; the engine keeps `ancestors` and the
    function stack up to date as it walks."""

    def __init__(
        self,
        path: Path,
        display: Callable[[Path], str],
        module: cst.Module,
        positions: Positions,
        model: ProjectModel,
        settings: Settings,
    ) -> None:
        self.path = path
        #: turns a project file's path into the path findings show
        self.display = display
        self.display_path = display(path)
        self.module = module
        self.positions = positions
        self.model = model
        self.settings = settings
        #: every node from the module down to the one being visited (inclusive)
        self.ancestors: list[cst.CSTNode] = []
        #: (qualname, node) of the enclosing functions, innermost last
        self.functions: list[tuple[str, cst.FunctionDef]] = []
        self.findings: list[Finding] = []
        self._flows: dict[cst.FunctionDef, FunctionFlow] = {}

    # -- reporting -------------------------------------------------------------------

    def add_finding(
        self,
        code: str,
        node: cst.CSTNode,
        message: str,
        *,
        fix: Fix | None = None,
        related: Sequence[RelatedLocation] = (),
    ) -> None:
        start, end = self.positions.span(node)
        self.findings.append(
            Finding(code, message, self.display_path, start, end, fix, tuple(related), start.line)
        )

    # -- where we are ----------------------------------------------------------------

    def function_key(self) -> FunctionKey | None:
        """The enclosing function, as the project model names it (None at module scope)."""
        return (self.path, self.functions[-1][0]) if self.functions else None

    def function_node(self) -> cst.FunctionDef | None:
        return self.functions[-1][1] if self.functions else None

    def function_summary(self) -> FunctionSummary | None:
        key = self.function_key()
        return self.model.function(key) if key else None

    def handler(self) -> Handler | None:
        """The handler whose body is being visited (directly, not through a call)."""
        key = self.function_key()
        return self.model.handler_for(key) if key else None

    def phase(self) -> Phase:
        return self.model.phase(self.function_key(), self.path)

    def in_invoke_code(self) -> bool:
        """Whether the code being visited runs on every invocation."""
        return self.phase() in (Phase.INVOKE, Phase.BOTH)

    def parent(self, levels: int = 1) -> cst.CSTNode | None:
        """The node `levels` above the one being visited."""
        index = len(self.ancestors) - 1 - levels
        return self.ancestors[index] if index >= 0 else None

    def qualified_name(self, node: cst.CSTNode) -> str | None:
        """A Name/Attribute chain with its import resolved: `b.client` after
        `import boto3 as b` is `boto3.client`; `exit` (not bound in the module) is
        `builtins.exit`. Names bound in the module itself keep their local spelling."""
        dotted = dotted_name(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        summary = self.model.modules.get(self.path)
        if summary is None:
            return dotted
        scopes = {None, *(q for q, _ in self.functions)}
        for item in reversed(summary.imports):
            if item.alias != head or item.function not in scopes:
                continue
            prefix = "." * item.level + item.module
            if item.name is None:
                base = item.module if item.alias != item.module.split(".")[0] else head
            else:
                base = f"{prefix}.{item.name}" if prefix else item.name
            return base + ("." + rest if rest else "")
        function = self.function_summary()
        local_names = {p.name for p in function.params} if function else set()
        if head in summary.top_level_names() or head in local_names:
            return dotted
        return f"builtins.{dotted}"

    # -- values ----------------------------------------------------------------------

    def refs(self, node: cst.CSTNode) -> Refs:
        """What an expression of the enclosing function may hold (event, context, ...)."""
        flow = self.flow()
        return flow.refs(node) if flow is not None else EMPTY

    def flow(self, function: cst.FunctionDef | None = None) -> FunctionFlow | None:
        function = function or self.function_node()
        if function is None:
            return None
        if function not in self._flows:
            qualname = next(q for q, f in reversed(self.functions) if f is function)
            key = (self.path, qualname)
            seeds = self.model.parameter_seeds(key)
            self._flows[function] = FunctionFlow(
                function, seeds, lambda call, flow: self._returned(key, call, flow)
            )
        return self._flows[function]

    def _returned(self, caller: FunctionKey, call: cst.Call, flow: FunctionFlow) -> Refs | None:
        """Refs a project function returns when called with these arguments."""
        target = dotted_name(call.func)
        if target is None:
            return None
        callee_key = self.model.resolve_call(caller, CallSite(target, 0, 0))
        callee = self.model.function(callee_key) if callee_key else None
        if callee is None or not callee.returns:
            return None
        offset = 1 if callee.class_name and "." in target else 0
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        result: set[Ref] = set()
        for index, path in callee.returns:
            argument = None
            if 0 <= index - offset < len(positional):
                argument = positional[index - offset]
            elif index < len(callee.params):
                argument = keywords.get(callee.params[index].name)
            if argument is not None:
                result.update(r.extend(*path) for r in flow.refs(argument))
        return frozenset(result)

    # -- explanations ---------------------------------------------------------------------

    def chain_locations(self, key: FunctionKey | None = None) -> tuple[RelatedLocation, ...]:
        """The calls from a handler down to `key` (default: the enclosing function)."""
        key = key or self.function_key()
        if key is None:
            return ()
        steps = []
        for step in self.model.chain(key):
            caller = self.model.function(step.caller)
            name = caller.qualname if caller else step.caller[1]
            steps.append(
                RelatedLocation(
                    self.display(step.caller[0]),
                    Position(step.call.line, step.call.column),
                    f"{name}() calls {step.call.target}()",
                )
            )
        return tuple(steps)

    def chain_text(self, key: FunctionKey | None = None) -> str:
        """`handler -> process -> build_client`, for messages."""
        key = key or self.function_key()
        if key is None:
            return ""
        names = [self.model.function(step.caller).qualname for step in self.model.chain(key)]  # type: ignore[union-attr]
        function = self.model.function(key)
        if function:
            names.append(function.qualname)
        return " -> ".join(names)
