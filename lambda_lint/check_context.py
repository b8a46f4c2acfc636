"""What a rule sees while the engine walks a file: the node's surroundings and the
project model's answers about them (handler, phase, trigger, value flow, call chain)."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Callable, TypeVar

import libcst as cst

from lambda_lint.config import Settings
from lambda_lint.finding import Edit, Finding, Fix, Position, RelatedLocation
from lambda_lint.index import CallSite, FunctionSummary
from lambda_lint.model.flow import EMPTY, CallResolver, FunctionFlow, Ref, Refs
from lambda_lint.model.locals import assigned_values, returns_constants
from lambda_lint.model.names import dotted_name
from lambda_lint.model.once import project_trees
from lambda_lint.model.project import ChainStep, FunctionKey, Handler, Phase, ProjectModel
from lambda_lint.model.scope import (
    FunctionScope,
    ModuleBinding,
    function_scope,
    module_bindings,
)
from lambda_lint.positions import NEWLINE, Positions, code_ranges

T = TypeVar("T")


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
        text: str | None = None,
    ) -> None:
        self.path = path
        self._text = text
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
        self._scopes: dict[cst.FunctionDef, FunctionScope] = {}
        self._module_names: dict[str, ModuleBinding] | None = None
        #: qualified names by node and innermost enclosing function (rules ask for the
        #: same call's name many times)
        self._qualified: dict[tuple[cst.CSTNode, cst.FunctionDef | None], str | None] = {}
        self._analyses: dict[str, Any] = {}

    def analysis(self, name: str, compute: Callable[[CheckContext], T]) -> T:
        """A reading of this file that several rules share (its module-level boolean
        constants, say): `compute(context)` runs for the first rule that asks for `name`, the
        others get its result."""
        if name not in self._analyses:
            self._analyses[name] = compute(self)
        return self._analyses[name]  # type: ignore[no-any-return]

    @property
    def text(self) -> str:
        """The file's source text (generated from the tree only when not given)."""
        if self._text is None:
            self._text = self.module.code
        return self._text

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

    # -- fixes -------------------------------------------------------------------------

    def replacement(
        self,
        node: cst.CSTNode,
        new: cst.CSTNode | str,
        message: str,
        applicability: str = "safe",
    ) -> Fix:
        """A fix that replaces `node` (its syntactic span) with `new`."""
        return Fix(applicability, message, (self.edit_replacing(node, new),))

    def edit_replacing(self, node: cst.CSTNode, new: cst.BaseExpression | str) -> Edit:
        """An edit that replaces `node` with `new`: an expression node (written in the
        module's style) or code as text. Only the syntactic span changes: leading
        comment lines and parentheses around an expression stay."""
        start, end = self.positions.span(node)
        if isinstance(new, str):
            return Edit(start, end, new)
        code = expression_code(self.module, new, [])
        if NEWLINE.search(code):
            # continuation lines inside brackets follow the enclosing blocks' indentation
            code = expression_code(self.module, new, self._indent_tokens(node))
        return Edit(start, end, code)

    def edits_around(self, node: cst.CSTNode, before: str, after: str = "") -> tuple[Edit, ...]:
        """Insert `before` and `after` around `node`, leaving its text untouched
        (`sorted(` + `)`, `` + `.isoformat()`)."""
        start, end = self.positions.span(node)
        edits = []
        if before:
            edits.append(Edit(start, start, before))
        if after:
            edits.append(Edit(end, end, after))
        return tuple(edits)

    def insertion_at_top(self, import_line: str) -> Edit | None:
        """An edit adding `import_line` (one `import ...`/`from ... import ...`
        statement) at module level: after the docstring and the imports that open the
        file, or before the first statement. None when the module already has it."""
        statement = cst.parse_statement(import_line.strip())
        wanted = _import_bindings(statement)
        if not wanted:
            raise ValueError(f"not an import statement: {import_line!r}")
        if wanted <= self._module_bindings():
            return None
        newline = self.module.default_newline
        body = self.module.body
        anchor = None
        for index, item in enumerate(body):
            if (index == 0 and _is_docstring(item)) or _import_bindings(item):
                anchor = item
            else:
                break
        line = import_line.strip() + newline
        if anchor is None:
            if not body:
                return Edit(Position(1, 0), Position(1, 0), line)
            # above the comments that introduce the first statement, below the others
            header = list(self.module.header)
            blank = max((i for i, e in enumerate(header) if e.comment is None), default=None)
            attached = len(header) - blank - 1 if blank is not None else 0
            first = body[0]
            above = len(first.leading_lines) or attached
            row = self.positions.span(first)[0].line - above
            return Edit(Position(row, 0), Position(row, 0), line)
        end = self.positions.span(anchor)[1]
        if anchor is body[-1] and not self.module.has_trailing_newline:
            code = self.module.code_for_node(anchor.with_changes(leading_lines=()))
            at = Position(end.line, len(code.rstrip("\r\n").split("\n")[-1]))
            return Edit(at, at, newline + import_line.strip())
        at = Position(end.line + 1, 0) if end.column else end
        return Edit(at, at, line)

    def _module_bindings(self) -> set[tuple[object, ...]]:
        found: set[tuple[object, ...]] = set()
        for item in self.module.body:
            found |= _import_bindings(item)
            if isinstance(item, cst.Try):
                for inner in item.body.body:
                    found |= _import_bindings(inner)
        return found

    def _indent_tokens(self, node: cst.CSTNode) -> list[str]:
        """The indentation of the blocks that enclose `node`."""
        chain: list[cst.CSTNode] | None = None
        for index in range(len(self.ancestors) - 1, -1, -1):
            below = _path_to(self.ancestors[index], node)
            if below is not None:
                chain = self.ancestors[:index] + below
                break
        chain = chain or _path_to(self.module, node) or []
        return [
            item.indent if item.indent is not None else self.module.default_indent
            for item in chain[:-1]
            if isinstance(item, cst.IndentedBlock)
        ]

    # -- where we are ----------------------------------------------------------------

    def function_key(self) -> FunctionKey | None:
        """The enclosing function, as the project model names it (None at module scope)."""
        return (self.path, self.functions[-1][0]) if self.functions else None

    def function_node(self) -> cst.FunctionDef | None:
        return self.functions[-1][1] if self.functions else None

    def function_summary(self) -> FunctionSummary | None:
        key = self.function_key()
        return self.model.function(key) if key else None

    def project_callee(self, call: cst.Call) -> tuple[FunctionKey, FunctionSummary] | None:
        """The project function a call in the visited function runs, with its summary;
        None for a library call, a call at module scope, or one the model cannot
        resolve."""
        key = self.function_key()
        return None if key is None else self._callee(key, call)

    def _callee(
        self, caller: FunctionKey, call: cst.Call
    ) -> tuple[FunctionKey, FunctionSummary] | None:
        """The project function a call in `caller` runs, with its summary."""
        target = dotted_name(call.func)
        if target is None:
            return None
        callee_key = self.model.resolve_call(caller, CallSite(target, 0, 0))
        callee = self.model.function(callee_key) if callee_key else None
        return None if callee_key is None or callee is None else (callee_key, callee)

    def arguments_by_parameter(
        self, callee: FunctionSummary, call: cst.Call
    ) -> dict[int, cst.BaseExpression]:
        """The arguments `call` gives `callee`, by the index of the parameter each binds:
        positional ones after the parameter the call binds itself, if any (`self` or
        `cls`; see `Symbols.bound_offset`), then keyword ones by name. Starred arguments
        bind nothing here."""
        offset = self.model.symbols.bound_offset(callee, dotted_name(call.func) or "")
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        found = {index + offset: value for index, value in enumerate(positional)}
        indexes = {param.name: index for index, param in enumerate(callee.params)}
        for argument in call.args:
            if argument.keyword is not None and argument.keyword.value in indexes:
                found.setdefault(indexes[argument.keyword.value], argument.value)
        return found

    def handler(self) -> Handler | None:
        """The handler whose body is being visited (directly, not through a call)."""
        key = self.function_key()
        return self.model.handler_for(key) if key else None

    def serving_handler(self) -> Handler | None:
        """The handler whose invocation reaches the code being visited: the enclosing
        handler, or the one at the start of the call chain to the enclosing function."""
        key = self.function_key()
        if key is None:
            return None
        chain = self.model.chain(key)
        return self.model.handler_for(chain[0].caller if chain else key)

    def phase(self) -> Phase:
        return self.model.phase(self.function_key(), self.path)

    def in_invoke_code(self) -> bool:
        """Whether the code being visited runs on every invocation."""
        return self.phase() in (Phase.INVOKE, Phase.BOTH)

    def in_reached_code(self) -> bool:
        """Whether the code being visited runs in Lambda: at INIT or on invocation."""
        return self.phase() is not Phase.UNKNOWN

    def function_scope(self, function: cst.FunctionDef | None = None) -> FunctionScope | None:
        """The names a function (default: the enclosing one) binds itself and declares
        `global`."""
        function = function or self.function_node()
        if function is None:
            return None
        if function not in self._scopes:
            self._scopes[function] = function_scope(function)
        return self._scopes[function]

    def module_binding(self, name: str) -> ModuleBinding | None:
        """The module-level binding `name` refers to where the visited node is; None when
        an enclosing function binds the name itself (a parameter, an assignment, a loop
        or `with` target, an import, a closure variable) or the module does not bind it."""
        for _, function in reversed(self.functions):
            scope = self.function_scope(function)
            assert scope is not None
            if name in scope.declared_global:
                break
            if name in scope.local:
                return None
        return self.module_names().get(name)

    def module_names(self) -> dict[str, ModuleBinding]:
        """Every name the module binds at module scope, with what binds it (read once
        per file, for every rule)."""
        if self._module_names is None:
            self._module_names = module_bindings(self.module)
        return self._module_names

    def bound_values(self, name: str) -> tuple[cst.BaseExpression, ...]:
        """What `name` holds where the visited node is: the values of its `name = ...`
        statements in the enclosing function, or of its module-level assignments.
        Empty when unknown (a parameter, a loop variable, an import, ...)."""
        function = self.function_node()
        if function is not None and self.is_local(function, name):
            return self.local_values(function, name)
        binding = self.module_binding(name)
        return binding.values if binding is not None and binding.kind == "assign" else ()

    def values_in(
        self, function: cst.FunctionDef | None, name: str
    ) -> tuple[cst.BaseExpression, ...]:
        """`bound_values` as seen from any function of the module (None: module scope)."""
        if function is not None and self.is_local(function, name):
            return self.local_values(function, name)
        binding = self.module_names().get(name)
        return binding.values if binding is not None and binding.kind == "assign" else ()

    def is_local(self, function: cst.FunctionDef, name: str) -> bool:
        """Whether `function` binds `name` itself."""
        scope = self.function_scope(function)
        return scope is not None and name in scope.local

    def local_values(self, function: cst.FunctionDef, name: str) -> tuple[cst.BaseExpression, ...]:
        """The values of the `name = ...` statements of `function` (none for a
        parameter)."""
        scope = self.function_scope(function)
        if scope is None or name in scope.params:
            return ()
        return tuple(assigned_values(function, name))

    def parent(self, levels: int = 1) -> cst.CSTNode | None:
        """The node `levels` above the one being visited."""
        index = len(self.ancestors) - 1 - levels
        return self.ancestors[index] if index >= 0 else None

    def qualified_name(self, node: cst.CSTNode) -> str | None:
        """A Name/Attribute chain with its import resolved: `b.client` after
        `import boto3 as b` is `boto3.client`; `exit` (not bound in the module) is
        `builtins.exit`. Names bound in the module itself keep their local spelling."""
        key = (node, self.functions[-1][1] if self.functions else None)
        if key not in self._qualified:
            self._qualified[key] = self._qualify(node)
        return self._qualified[key]

    def _qualify(self, node: cst.CSTNode) -> str | None:
        dotted = dotted_name(node)
        if dotted is None:
            return None
        summary = self.model.modules.get(self.path)
        if summary is None:
            return dotted
        imported = summary.import_target(dotted, {None, *(q for q, _ in self.functions)})
        if imported is not None:
            return imported
        head = dotted.partition(".")[0]
        function = self.function_summary()
        if head in summary.top_level_names or (
            function is not None and any(p.name == head for p in function.params)
        ):
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
            # every ref starts at a seeded parameter (what a project function returns
            # derives from its arguments): with none seeded, no flow to work out
            returned = self._resolver(key) if any(seeds.values()) else None
            self._flows[function] = FunctionFlow(function, seeds, returned)
        return self._flows[function]

    def call_site_refs(self, node: cst.CSTNode, sources: CallResolver | None = None) -> Refs:
        """`refs(node)`, with what the function's parameters hold worked out again at each
        call site with what the project functions called there return (the project
        model takes any call's result as derived from its arguments). Subset of
        `refs(node)`; slower, for confirming a finding. `sources` gives the refs of
        the calls a rule tracks (None for the others), here and at the call sites."""
        function, key = self.function_node(), self.function_key()
        if function is None or key is None:
            return EMPTY
        seeds = self._call_site_seeds(key, sources)
        if seeds is None:
            if sources is None:
                return self.refs(node)
            seeds = self.model.parameter_seeds(key)
        flow = FunctionFlow(function, seeds, self._resolver(key, sources))
        return flow.refs(node)

    def _call_site_seeds(
        self, key: FunctionKey, sources: CallResolver | None = None
    ) -> dict[str, Refs] | None:
        """What each parameter of `key` receives at its call sites, evaluated in each
        caller; None for a handler, a function no call site reaches, or one with a call
        site that cannot be read."""
        callee, callers = self.model.function(key), self.model.calls.callers(key)
        if callee is None or not callers or key in self.model.handlers:
            return None
        names = [p.name for p in callee.params]
        trees = project_trees(self.model)
        found: dict[str, Refs] = {}
        for caller, site in callers:
            summary, tree = self.model.function(caller), trees.tree(caller[0])
            call = tree.call_at(site.line, site.column) if tree is not None else None
            node = tree.function_at(summary.line, summary.column) if tree and summary else None
            if call is None or node is None or any(a.star for a in call.args):
                return None
            seeds = self.model.parameter_seeds(caller)
            flow = FunctionFlow(node, seeds, self._resolver(caller, sources))
            for index, argument in self.arguments_by_parameter(callee, call).items():
                if index < len(names):
                    found[names[index]] = found.get(names[index], EMPTY) | flow.refs(argument)
        return found

    def _resolver(self, caller: FunctionKey, sources: CallResolver | None = None) -> CallResolver:
        """`sources`, then `_returned`, for the calls in `caller`, holding this context
        weakly: the flows the context keeps would otherwise hold it in a reference
        cycle, and with it the file's trees, which only the cyclic collector would then
        free."""
        context = weakref.ref(self)

        def returned(call: cst.Call, flow: FunctionFlow) -> Refs | None:
            found = sources(call, flow) if sources is not None else None
            if found is not None:
                return found
            alive = context()
            return None if alive is None else alive._returned(caller, call, flow)

        return returned

    def _returned(self, caller: FunctionKey, call: cst.Call, flow: FunctionFlow) -> Refs | None:
        """Refs a project function returns when called with these arguments."""
        found = self._callee(caller, call)
        if found is None:
            return None
        callee_key, callee = found
        target = dotted_name(call.func) or ""
        if not callee.returns:
            # nothing from the arguments reaches a return: only constants come back, or
            # what the summary does not follow (a generator's items, a closure)
            if not any(flow.refs(a.value) for a in call.args):
                return None  # nothing given, nothing to keep out
            return EMPTY if self._returns_constants(callee_key, callee, target) else None
        arguments = self.arguments_by_parameter(callee, call)
        result: set[Ref] = set()
        for index, path in callee.returns:
            argument = arguments.get(index)
            if argument is not None:
                result.update(r.extend(*path) for r in flow.refs(argument))
        return frozenset(result)

    def _returns_constants(self, key: FunctionKey, callee: FunctionSummary, target: str) -> bool:
        """Whether calling `target` runs `callee` itself (not a constructor, a decorator's
        wrapper or an alias) and it returns only constants (`model.locals`)."""
        if (
            callee.decorators
            or callee.name.startswith("__")
            or target.split(".")[-1] != callee.name
        ):
            return False
        known = self.model.analysis("flow.constant-returns", lambda model: {})
        if key not in known:
            node = _defined(self.module, key[1]) if key[0] == self.path else None
            if node is None:
                tree = project_trees(self.model).tree(key[0])
                node = tree.function_at(callee.line, callee.column) if tree is not None else None
            known[key] = node is not None and returns_constants(node, function_scope(node).local)
        return bool(known[key])

    # -- explanations ---------------------------------------------------------------------

    def chain_locations(
        self, key: FunctionKey | None = None, steps: Sequence[ChainStep] | None = None
    ) -> tuple[RelatedLocation, ...]:
        """The calls from a handler down to `key` (default: the enclosing function), along
        `steps` when given (default: the model's chain)."""
        key = key or self.function_key()
        if key is None:
            return ()
        locations = []
        for step in self.model.chain(key) if steps is None else steps:
            caller = self.model.function(step.caller)
            name = caller.qualname if caller else step.caller[1]
            locations.append(
                RelatedLocation(
                    self.display(step.caller[0]),
                    Position(step.call.line, step.call.column),
                    f"{name}() calls {step.call.target}()",
                )
            )
        return tuple(locations)

    def chain_text(
        self, key: FunctionKey | None = None, steps: Sequence[ChainStep] | None = None
    ) -> str:
        """`handler -> process -> build_client`, for messages (along `steps` when given)."""
        key = key or self.function_key()
        if key is None:
            return ""
        chain = self.model.chain(key) if steps is None else steps
        names = [self.model.function(step.caller).qualname for step in chain]  # type: ignore[union-attr]
        function = self.model.function(key)
        if function:
            names.append(function.qualname)
        return " -> ".join(names)


def _path_to(root: cst.CSTNode, target: cst.CSTNode) -> list[cst.CSTNode] | None:
    """The nodes from `root` down to `target` (both included), or None."""
    if root is target:
        return [root]
    stack: list[tuple[cst.CSTNode, list[cst.CSTNode]]] = [(root, [root])]
    while stack:
        current, path = stack.pop()
        for child in current.children:
            if child is target:
                return [*path, child]
            stack.append((child, [*path, child]))
    return None


def expression_code(module: cst.Module, node: cst.BaseExpression, indent: list[str]) -> str:
    """`node` written in `module`'s style inside blocks indented by `indent`, cut to its
    syntactic span (what `Positions.span` measures in the file), so it can replace such
    a span."""
    statement: cst.BaseStatement = cst.SimpleStatementLine(body=[cst.Expr(value=node)])
    for token in reversed(indent):
        statement = cst.If(cst.Name("_"), cst.IndentedBlock(body=[statement], indent=token))
    wrapper = module.with_changes(header=(), body=(statement,), footer=())
    found = code_ranges(wrapper)[node]
    lines = NEWLINE.split(wrapper.code)
    if found.start.line == found.end.line:
        return lines[found.start.line - 1][found.start.column : found.end.column]
    newlines = NEWLINE.findall(wrapper.code)
    middle = [lines[i] + newlines[i] for i in range(found.start.line, found.end.line - 1)]
    first = lines[found.start.line - 1][found.start.column :] + newlines[found.start.line - 1]
    return first + "".join(middle) + lines[found.end.line - 1][: found.end.column]


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _import_bindings(statement: cst.CSTNode) -> set[tuple[object, ...]]:
    """What a line of only imports binds, comparable between lines (empty otherwise)."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return set()
    found: set[tuple[object, ...]] = set()
    for small in statement.body:
        if isinstance(small, cst.Import):
            for alias in small.names:
                found.add(("import", dotted_name(alias.name), _alias(alias)))
        elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
            module = dotted_name(small.module) if small.module is not None else ""
            for alias in small.names:
                found.add(
                    ("from", len(small.relative), module, dotted_name(alias.name), _alias(alias))
                )
        else:
            return set()
    return found


def _alias(alias: cst.ImportAlias) -> str | None:
    if alias.asname is None:
        return None
    return dotted_name(alias.asname.name)


def _defined(module: cst.Module, qualname: str) -> cst.FunctionDef | None:
    """The function `qualname` (`name` or `Class.name`) defined in the module's or the
    class's body itself (not under an `if` or a `try`)."""
    body: Sequence[cst.CSTNode] = module.body
    node: cst.CSTNode | None = None
    for part in qualname.split("."):
        node = next(
            (
                s
                for s in body
                if isinstance(s, (cst.FunctionDef, cst.ClassDef)) and s.name.value == part
            ),
            None,
        )
        if node is None:
            return None
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    return node if isinstance(node, cst.FunctionDef) else None
