"""Shared ground of the LL3 rules (execution-environment reuse): what per-invocation
code is, and small readers of calls, constants and uses.

Lambda runs the module scope once per execution environment and the handler once per
invocation; the environment, its globals, its `/tmp` and its threads are then reused by
later invocations (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
Every LL3 rule looks only at per-invocation code, found through the project model
(handlers and what they call, across files), and leaves code no handler reaches alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import libcst as cst

from lambda_lint.index import CallSite, ModuleSummary
from lambda_lint.lambda_context import ENVIRONMENT_MEMBERS
from lambda_lint.model.constructors import (
    async_client_constructor,
    chain_calls,
    chain_root,
    client_constructor,
    client_factories,
)
from lambda_lint.model.names import dotted_name, keyword_argument
from lambda_lint.model.once import (
    Mentions,
    StepTest,
    boolean_constants,
    lazily_initialised,
    lazy_places,
    never_runs,
    per_invocation_chain,
    project_trees,
)
from lambda_lint.model.project import ChainStep
from lambda_lint.model.scope import (
    ModuleBinding,
)
from lambda_lint.rule import Rule
from lambda_lint.walk import Visitor, children

if TYPE_CHECKING:
    from lambda_lint.check_context import CheckContext

REQUEST_ROOTS = ("event", "context")
#: calls that start work in the background, and executors that run it
THREADS = {"threading.Thread", "threading.Timer", "multiprocessing.Process"}
EXECUTORS = {
    "concurrent.futures.ThreadPoolExecutor",
    "concurrent.futures.ProcessPoolExecutor",
    "concurrent.futures.thread.ThreadPoolExecutor",
}
#: calls whose result describes request data without holding it
NOT_DATA_CALLS = {"builtins.len", "builtins.bool", "builtins.isinstance", "builtins.hasattr"}


def call_argument(
    call: cst.Call, index: int, keyword: str | None = None
) -> cst.BaseExpression | None:
    """The argument at positional `index`, or passed as `keyword`."""
    if keyword is not None:
        found = keyword_argument(call, keyword)
        if found is not None:
            return found.value
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    return positional[index] if 0 <= index < len(positional) else None


def is_constant(node: cst.BaseExpression) -> bool:
    """A literal (string, number, bytes, None/True/False) or a tuple of literals."""
    if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float, cst.ConcatenatedString)):
        return True
    if isinstance(node, cst.Name) and node.value in ("None", "True", "False"):
        return True
    if isinstance(node, cst.FormattedString):
        return all(isinstance(p, cst.FormattedStringText) for p in node.parts)
    if isinstance(node, cst.UnaryOperation):
        return is_constant(node.expression)
    if isinstance(node, cst.Tuple):
        return all(is_constant(e.value) for e in node.elements)
    return False


def uses(
    body: cst.CSTNode, name: str
) -> list[tuple[cst.Name, cst.CSTNode | None, cst.CSTNode | None]]:
    """Every occurrence of a name below `body`, with its parent and grandparent."""
    found: list[tuple[cst.Name, cst.CSTNode | None, cst.CSTNode | None]] = []
    stack: list[tuple[cst.CSTNode, cst.CSTNode | None, cst.CSTNode | None]] = [(body, None, None)]
    while stack:
        node, parent, grand = stack.pop()
        if isinstance(node, cst.Name) and node.value == name:
            found.append((node, parent, grand))
        stack.extend((child, node, parent) for child in children(node))
    return found


def background_target(call: cst.Call, qualified: str | None) -> cst.BaseExpression | None:
    """The function a call runs in the background: a thread's or timer's target, or
    what is submitted to an executor (`pool.submit(work, ...)`)."""
    if qualified in ("threading.Thread", "multiprocessing.Process"):
        return call_argument(call, 1, "target")
    if qualified == "threading.Timer":
        return call_argument(call, 1, "function")
    if isinstance(call.func, cst.Attribute) and call.func.attr.value == "submit":
        return call_argument(call, 0, "fn")
    return None


class CallCollector(Visitor):
    """Every call of a subtree, with the innermost function around it."""

    def __init__(self) -> None:
        self.functions: list[cst.FunctionDef | None] = [None]
        self.calls: list[tuple[cst.Call, cst.FunctionDef | None]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.functions.pop()

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append((node, self.functions[-1]))


def calls(node: cst.CSTNode) -> list[tuple[cst.Call, cst.FunctionDef | None]]:
    collector = CallCollector()
    collector.walk(node)
    return collector.calls


class ReuseRule(Rule):
    """Shared by the LL3 rules (not a rule itself: it has no code)."""

    reached_code_only = True

    #: the problem arises only when a warm environment serves later invocations, so
    #: handlers that are rarely invoked (custom resources, secret rotation, pipeline
    #: actions, runbook steps; `Trigger.rarely_invoked`) are not judged
    needs_reuse = True

    def __init__(self, context: CheckContext) -> None:
        super().__init__(context)
        self._chains: dict[cst.FunctionDef, list[ChainStep] | None] = {}
        self._filled: dict[cst.FunctionDef, set[str]] = {}

    # -- where we are ------------------------------------------------------------------

    def per_invocation(self, blocked: StepTest | None = None) -> list[ChainStep] | None:
        """The chain from a handler to the enclosing function when it runs on every
        invocation (not at module scope, not only through a cached factory, a lazily
        initialised call or a branch that never runs; with `needs_reuse`, not in a
        branch only a rarely invoked trigger's events take). `blocked` rules out more
        calls on the way (the answer is then not kept)."""
        function = self.context.function_node()
        if function is None or not self.context.in_invoke_code():
            return None
        model, key = self.context.model, self.context.function_key()
        if self.needs_reuse and project_trees(model).rare_events.only_for_them(
            self.context.ancestors
        ):
            return None
        if blocked is not None:
            return per_invocation_chain(model, key, blocked, self.needs_reuse)
        if function not in self._chains:
            self._chains[function] = per_invocation_chain(model, key, reused_only=self.needs_reuse)
        return self._chains[function]

    def where(self, steps: Sequence[ChainStep]) -> str:
        """` (handler -> save_order)` for code below the handler, else empty."""
        return f" ({self.context.chain_text(steps=steps)})" if steps else ""

    def report_here(self, node: cst.CSTNode, message: str, steps: Sequence[ChainStep]) -> None:
        self.report(node, message, related=self.context.chain_locations(steps=steps))

    # -- values --------------------------------------------------------------------------

    def from_request(self, node: cst.BaseExpression, confirm: bool = False) -> bool:
        """Whether an expression holds event or context data (not counting the context
        attributes that are the same for every invocation, like `function_name`).
        `confirm` works out the parameters again at their call sites (slower, more
        precise: `CheckContext.call_site_refs`)."""
        if isinstance(node, cst.Call) and self.context.qualified_name(node.func) in NOT_DATA_CALLS:
            return False
        refs = self.context.call_site_refs(node) if confirm else self.context.refs(node)
        return any(
            ref.root == "event"
            or (ref.root == "context" and not (ref.path and ref.path[0] in ENVIRONMENT_MEMBERS))
            for ref in refs
        )

    def module_names(self) -> dict[str, ModuleBinding]:
        """Every name the module binds at module scope."""
        return self.context.module_names()

    def imported(self, alias: str) -> tuple[ModuleSummary, str | None] | None:
        """For a name imported at module scope from a project module: that module's
        summary, and the name imported from it (None when the name is the module)."""
        model = self.context.model
        summary = model.modules.get(self.context.path)
        for item in summary.imports if summary is not None else ():
            if item.alias != alias or item.function is not None:
                continue
            target, attribute = model.resolver.resolve_import(item, self.context.path)
            return (model.modules[target], attribute) if target is not None else None
        return None

    def built_by(self, node: cst.BaseExpression, names: set[str]) -> str | None:
        """The qualified constructor (one of `names`) that built this value: a call to
        it, or a name bound to such a call."""
        calls = self.context.bound_values(node.value) if isinstance(node, cst.Name) else (node,)
        for call in calls:
            if isinstance(call, cst.Call):
                name = self.context.qualified_name(call.func)
                if name in names:
                    return name
        return None

    def holds_client(self, node: cst.BaseExpression, depth: int = 0) -> bool:
        """Whether a value is (or is reached from) an SDK/database/HTTP client: built
        here, or returned by a project function that builds one (`get_client()`)."""
        extra = self.context.settings.client_constructors
        for call in chain_calls(node):
            if client_constructor(call, self.context.qualified_name, extra):
                return True
            if async_client_constructor(call, self.context.qualified_name):
                return True
            if self._from_factory(call):
                return True
        root = chain_root(node)
        if root is None or depth > 3:
            return False
        return any(self.holds_client(v, depth + 1) for v in self.context.bound_values(root.value))

    def _from_factory(self, call: cst.Call) -> bool:
        """A call of a project function that returns a client."""
        key, target = self.context.function_key(), dotted_name(call.func)
        if key is None or target is None:
            return False
        callee = self.context.model.resolve_call(key, CallSite(target, 0, 0))
        return callee is not None and client_factories(self.context.model).returns_client(callee)

    def runs_once(self, extra: Mentions | None = None) -> bool:
        """Whether the visited node only runs when a test on state that its function
        fills says it is missing: a lazy initialisation (`if _client is None: _client =
        ...`, `if key not in CACHE: ... CACHE[key] = ...`, `_c = _c or ...`, an earlier
        `if key in CACHE: return CACHE[key]`). `extra` adds other tests that count."""
        function = self.context.function_node()
        if function is None:
            return False
        if function not in self._filled:
            self._filled[function] = lazy_places(function, self.module_names())
        return lazily_initialised(self.context.ancestors, self._filled[function], extra)

    def never_runs(self) -> bool:
        """Whether the visited node sits in a branch a module-level boolean constant
        rules out (`if ASSUME_ROLE:` with `ASSUME_ROLE = False`)."""
        constants = self.context.analysis(
            "boolean-constants", lambda context: boolean_constants(context.module)
        )
        return never_runs(self.context.ancestors, constants)

    def uses_elsewhere(self, name: str, node: cst.CSTNode, harmless: set[str]) -> bool:
        """Whether the enclosing function reads `name` anywhere but at `node`, its own
        assignments, and calls of the `harmless` methods (`t.start()`)."""
        function = self.context.function_node()
        if function is None:
            return True
        for found, parent, grand in uses(function.body, name):
            if found is node or isinstance(parent, cst.AssignTarget):
                continue
            if isinstance(parent, cst.Attribute) and parent.value is found:
                if isinstance(grand, cst.Call) and parent.attr.value in harmless:
                    continue
                if isinstance(grand, cst.AssignTarget):
                    continue  # `t.daemon = True`
            return True
        return False
