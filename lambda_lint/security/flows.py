"""Where event data reaches a security sink, from every handler down through the
functions it calls, in any module.

Each handler is analysed with its event parameter seeded (`Ref("event")`) and its
context parameter (`Ref("context")`); every call to a project function is followed
with the refs its arguments hold, so the callee is analysed in that caller's terms
(memoised per function and incoming refs, bounded in depth), and a call's result is
what the callee returns for those arguments. At every call the sink table
(`sinks.json`) is consulted; HTML built as text is found by looking at the string
expressions themselves. A hit keeps the flow: the origin steps of the value, each
located in its file, from where it entered to the sink.

Handlers whose trigger writes the event itself (a schedule's input, a custom
resource's properties) are not followed: their event is not a caller's data.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from lambda_lint.finding import Position
from lambda_lint.flow import ir
from lambda_lint.flow.engine import Analysis, CallArgs, analyse
from lambda_lint.flow.refs import DERIVED, Ref, Refs, step_text
from lambda_lint.flow.semantics import Semantics, plain
from lambda_lint.flow.summary import SEEDED_KINDS, arguments_to_parameters, passed
from lambda_lint.index import CallSite
from lambda_lint.model.handlers import Handler
from lambda_lint.model.project import ProjectModel
from lambda_lint.model.scope import import_target
from lambda_lint.model.symbols import FunctionKey, Symbols
from lambda_lint.security.code import ParsedFile, ProjectCode
from lambda_lint.security.sinks import Sink, SinkTable, sink_table

#: how many calls deep from a handler values are followed
MAX_DEPTH = 6
#: labels that make a value safe for every sink
CLEAN = frozenset({"all", "validated", "written"})
#: methods that read a key of the mapping they are called on
READS = frozenset({"get", "pop", "setdefault"})
#: origin steps that build a string from pieces
FORMATTING = frozenset(
    {"f-string", "%-formatting", "concatenation", "str.format(...)", "str.join(...)"}
)


@dataclass(frozen=True)
class FlowStep:
    """One step of a value's way to a sink, located."""

    path: Path
    start: Position
    text: str


@dataclass(frozen=True)
class Hit:
    """Event data reaching a sink."""

    rule: str
    path: Path
    start: Position
    end: Position
    #: the sink as written: "cursor.execute()"; empty for text built in place (HTML)
    sink: str
    steps: tuple[FlowStep, ...]


Seeds = dict[str, Refs]


class _Walk:
    def __init__(self, model: ProjectModel, code: ProjectCode, table: SinkTable) -> None:
        self.model = model
        self.code = code
        self.table = table
        self.routers = _routers(model, table)
        self.semantics = Semantics.load(table.semantics, _framework_sources(self.routers))
        self.imported = _imported_modules(model)
        self.hits: dict[tuple[str, Path, Position], Hit] = {}
        self._analyses: dict[tuple[FunctionKey, frozenset[tuple[str, Refs]]], Analysis] = {}
        self._active: set[FunctionKey] = set()
        self._checked: set[tuple[FunctionKey, frozenset[tuple[str, Refs]]]] = set()
        self._sites: dict[FunctionKey, dict[tuple[int, str], CallSite]] = {}
        #: `x.get(k)` calls whose receiver holds a tracked value: reads, not lookups
        self._reads: set[ir.Call] = set()

    # -- following values ------------------------------------------------------------------

    def run(self) -> list[Hit]:
        for handler in sorted(self.model.handlers.values(), key=lambda h: h.key):
            if handler.triggers and set(handler.triggers) <= self.table.trusted_triggers:
                continue
            self.check_logging_decorators(handler.key)
            seeds = self.handler_seeds(handler)
            if seeds or self.semantics.sources:
                self.visit(handler.key, seeds, 0)
        for key in self.routes:
            self.visit(key, self.route_seeds(key), 0)
        return sorted(self.hits.values(), key=lambda h: (str(h.path), h.start, h.rule))

    @cached_property
    def routes(self) -> list[FunctionKey]:
        """Functions a Chalice app or a Powertools resolver serves routes with
        (`@app.route("/orders/{order_id}")`, `@app.get("/orders/<order_id>")`)."""
        found = []
        for path, by_name in sorted(self.routers.items()):
            for qualname, function in self.model.modules[path].functions.items():
                for decorator in function.decorators:
                    owner, _, method = decorator.rpartition(".")
                    if owner in by_name and method in self.table.route_decorators:
                        found.append((path, qualname))
                        break
        return found

    def route_seeds(self, key: FunctionKey) -> Seeds:
        """A route's parameters: the captures of its URL path, each one value of the
        request (not the whole of it)."""
        function = self.code.function(key)
        params = function.params if function is not None else ()
        return {
            p.name: frozenset({Ref("event", ("pathParameters", p.name))})
            for p in params
            if p.kind in SEEDED_KINDS
        }

    def handler_seeds(self, handler: Handler) -> Seeds:
        """The event and context parameters; for a Chalice view or event function,
        every parameter (URL captures, the event object)."""
        event = frozenset({Ref("event", (), handler.trigger)})
        if handler.framework == "chalice":
            if handler.key in self.routes:
                return self.route_seeds(handler.key)
            function = self.code.function(handler.key)
            params = function.params if function is not None else ()
            return {p.name: event for p in params if p.kind in SEEDED_KINDS}
        if handler.framework is not None:
            return {}
        seeds: Seeds = {}
        if handler.event_param is not None:
            seeds[handler.event_param] = event
        if handler.context_param is not None:
            seeds[handler.context_param] = frozenset({Ref("context")})
        return seeds

    def visit(self, key: FunctionKey, seeds: Seeds, depth: int) -> None:
        memo = (key, frozenset(seeds.items()))
        if memo in self._checked:
            return
        self._checked.add(memo)
        analysis = self.analysis(key, seeds, depth)
        parsed = self.code.file(key[0])
        if analysis is None or parsed is None:
            return
        self.check(key, parsed, analysis)
        if depth >= MAX_DEPTH:
            return
        for record in analysis.calls:
            found = self.callee(key, record.call, record.args)
            if found is not None:
                self.visit(found[0], found[1], depth + 1)

    def analysis(self, key: FunctionKey, seeds: Seeds, depth: int) -> Analysis | None:
        memo = (key, frozenset(seeds.items()))
        if memo in self._analyses:
            return self._analyses[memo]
        function = self.code.function(key)
        parsed = self.code.file(key[0])
        if function is None or parsed is None or key in self._active:
            return None
        self._active.add(key)
        try:
            result = analyse(
                function,
                seeds,
                semantics=self.semantics,
                qualify=parsed.qualify,
                resolve_call=lambda call, args: self.returned(key, call, args, depth),
                constants=parsed.constants,
            )
        finally:
            self._active.discard(key)
        self._analyses[memo] = result
        for call in function.calls:
            func = call.func
            if isinstance(func, ir.Attribute) and func.attr in READS and result.refs(func.value):
                self._reads.add(call)
        return result

    def returned(
        self, caller: FunctionKey, call: ir.Call, args: CallArgs, depth: int
    ) -> Refs | None:
        """What a project function returns for these arguments (None: not one, or too
        deep, or recursive: the engine's rule for unknown calls applies)."""
        found = self.callee(caller, call, args)
        if found is None or depth >= MAX_DEPTH:
            return None
        analysis = self.analysis(found[0], found[1], depth + 1)
        return analysis.returns if analysis is not None else None

    def callee(
        self, caller: FunctionKey, call: ir.Call, args: CallArgs
    ) -> tuple[FunctionKey, Seeds] | None:
        """The project function a call reaches and what its parameters receive."""
        target = self.resolve(caller, call)
        if target is None:
            return None
        function = self.code.function(target)
        summary = self.model.function(target)
        if function is None or summary is None:
            return None
        params = [(p.name, p.kind) for p in function.params]
        offset = Symbols.bound_offset(summary, call.name or "")
        received = arguments_to_parameters(params, args, offset)
        seeds = {
            params[i][0]: passed(refs, call.syntax, call.name or "call", params[i][0])
            for i, refs in received.items()
            if params[i][1] in SEEDED_KINDS
        }
        return (target, seeds) if seeds or self.semantics.sources else None

    def resolve(self, caller: FunctionKey, call: ir.Call) -> FunctionKey | None:
        if call.name is None:
            return None
        sites = self._sites.get(caller)
        if sites is None:
            summary = self.model.function(caller)
            sites = self._sites[caller] = {
                (s.line, s.target): s for s in (summary.calls if summary else ())
            }
        line = getattr(call.syntax, "lineno", 0)
        site = sites.get((line, call.name)) or CallSite(call.name, line, 0)
        return self.model.resolve_call(caller, site)

    # -- sinks -------------------------------------------------------------------------------

    def check(self, key: FunctionKey, parsed: ParsedFile, analysis: Analysis) -> None:
        for record in analysis.calls:
            call = record.call
            if call.name is not None and self.resolve(key, call) is not None:
                continue  # a project function: followed, not a sink
            for sink, inputs in self.sinks_of(parsed, analysis, call):
                for expr, refs in inputs:
                    ref = self.dangerous(sink, parsed, analysis, call, expr, refs)
                    if ref is not None:
                        self.hit(sink.rule, parsed, call.syntax, _sink_text(call), ref)
                        break
        self.check_html(parsed, analysis)

    def sinks_of(
        self, parsed: ParsedFile, analysis: Analysis, call: ir.Call
    ) -> list[tuple[Sink, list[tuple[ir.Expr, Refs]]]]:
        found: list[tuple[Sink, list[tuple[ir.Expr, Refs]]]] = []
        args = analysis.call_args(call)
        if call.name is not None:
            for sink in self.table.by_call(plain(parsed.qualify(call.name))):
                found.append((sink, _inputs(sink, call, args)))
        func = call.func
        if isinstance(func, ir.Attribute):
            receiver = ir.dotted(func.value) or ""
            for sink in self.table.by_method(func.attr):
                if sink.receiver and sink.receiver not in receiver.lower():
                    continue
                if sink.when_imported and not any(
                    _imports(self.imported, m) for m in sink.when_imported
                ):
                    continue
                found.append((sink, _inputs(sink, call, args)))
            inner = func.value
            if isinstance(inner, ir.Call) and inner.name is not None:
                constructor = plain(parsed.qualify(inner.name))
                for sink in self.table.by_path_method(func.attr, constructor):
                    found.append((sink, _inputs(sink, inner, analysis.call_args(inner))))
        return found

    def dangerous(
        self,
        sink: Sink,
        parsed: ParsedFile,
        analysis: Analysis,
        call: ir.Call,
        expr: ir.Expr,
        refs: Refs,
    ) -> Ref | None:
        """The event ref that makes this input dangerous, or None."""
        if sink.whole:
            return _first(r for r in refs if _whole(r, self.table.whole_value_steps))
        tainted = [r for r in refs if _untrusted(r, sink.label) and self.caller_text(r)]
        if sink.label == "path":
            tainted = [r for r in tainted if not self.separators_removed(r)]
        if not tainted:
            return None
        if sink.shell and not _shell(call) and not _string_building(expr):
            return None
        built = _built(expr)
        if sink.text_pattern and built is not None and not sink.text_pattern.search(built.text):
            return None
        if sink.unsafe_loaders and not _unsafe_loader(sink, parsed, call):
            return None
        if sink.leading:
            tainted = [r for r in tainted if _leads(r, expr, analysis, sink.label)]
        if sink.formatted:
            tainted = [r for r in tainted if _formatted(r)]
        if sink.mongo:
            tainted = [r for r in tainted if _decoded_format(r)] or _where(expr, analysis, sink)
        return _first(tainted)

    def check_html(self, parsed: ParsedFile, analysis: Analysis) -> None:
        """String expressions that put event data into HTML text (LL609); only the
        outermost of nested ones."""
        found: list[tuple[ir.Expr, Ref]] = []
        for node in ir.walk(analysis.function):
            if not isinstance(node, (ir.FString, ir.BinOp, ir.Call)):
                continue
            built = _built(node)
            if built is None or not self.table.html.search(built.text):
                continue
            ref = _first(
                r
                for v in built.values
                for r in analysis.refs(v)
                if _untrusted(r, "html") and self.caller_text(r)
            )
            if ref is not None:
                found.append((node, ref))
        spans = [(parsed.start(n.syntax), parsed.end(n.syntax)) for n, _ in found]
        for (node, ref), (start, end) in zip(found, spans):
            if any(s <= start and end <= e and (s, e) != (start, end) for s, e in spans):
                continue
            self.hit("LL609", parsed, node.syntax, "", ref)

    def check_logging_decorators(self, key: FunctionKey) -> None:
        """`@logger.inject_lambda_context(log_event=True)` on a handler (LL604)."""
        parsed = self.code.file(key[0])
        node = parsed.functions.get(key[1]) if parsed else None
        if parsed is None or node is None:
            return
        for decorator in node.decorator_list:
            if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
                continue
            if decorator.func.attr not in self.table.logging_decorators:
                continue
            for keyword in decorator.keywords:
                value = keyword.value
                if keyword.arg == self.table.logging_keyword and (
                    isinstance(value, ast.Constant) and value.value is True
                ):
                    sink = f"{ast.unparse(decorator.func)}({keyword.arg}=True)"
                    self.hit("LL604", parsed, decorator, sink, Ref("event"))

    def caller_text(self, ref: Ref) -> bool:
        """The value is still the caller's text: no step of its way called something
        that returns other data (a database read, an SDK request)."""
        for where, text in ref.origin:
            if not isinstance(text, ir.Call) or text in self._reads:
                continue
            func = text.func
            if isinstance(func, ir.Attribute) and func.attr in self.table.keeps_data_methods:
                continue
            owner = self.code.owner(where)
            name = plain(owner.qualify(text.name)) if owner and text.name else None
            if name is None or (
                name not in self.table.keeps_data_calls
                and name not in self.semantics.decoders
                and name not in self.semantics.pass_through
                and name not in self.semantics.sanitisers
            ):
                return False
        return True

    def separators_removed(self, ref: Ref) -> bool:
        """A step replaced the directory separator (`key.replace("/", "-")`)."""
        for _, text in ref.origin:
            if not isinstance(text, ir.Call) or not text.args:
                continue
            func, first = text.func, text.args[0]
            separator = first.value if isinstance(first, ir.Const) else ir.dotted(first)
            replaced = isinstance(func, ir.Attribute) and func.attr == "replace"
            if replaced and separator in self.table.separators:
                return True
        return False

    def hit(self, rule: str, parsed: ParsedFile, node: object, sink: str, ref: Ref) -> None:
        start = parsed.start(node)  # type: ignore[arg-type]
        key = (rule, parsed.path, start)
        if key in self.hits:
            return
        steps = []
        for where, text in ((w, step_text((w, t))) for w, t in ref.origin):
            located = self.locate(where, parsed)
            if located is not None:
                steps.append(FlowStep(located[0], located[1], text))
        self.hits[key] = Hit(rule, parsed.path, start, parsed.end(node), sink, tuple(steps))  # type: ignore[arg-type]

    def locate(self, where: object, here: ParsedFile) -> tuple[Path, Position] | None:
        if isinstance(where, tuple):
            return (Path(where[0]), Position(where[1], where[2]))
        owner = self.code.owner(where)
        if owner is None or not hasattr(where, "lineno"):
            return None
        return (owner.path, owner.start(where))  # type: ignore[arg-type]


# -- the tests a sink applies ------------------------------------------------------------------


def _untrusted(ref: Ref, label: str) -> bool:
    return ref.root in ("event", "source") and not (
        CLEAN.intersection(ref.labels) or label in ref.labels
    )


def _first(refs: object) -> Ref | None:
    ordered = sorted(refs, key=lambda r: (len(r.origin), r.path))  # type: ignore[call-overload]
    return ordered[0] if ordered else None


def _inputs(sink: Sink, call: ir.Call, args: CallArgs) -> list[tuple[ir.Expr, Refs]]:
    inputs = []
    for index in sink.arguments:
        if index < len(call.args) and not any(args.starred[: index + 1]):
            inputs.append((call.args[index], args.positional[index]))
    for keyword, (name, refs) in zip(call.keywords, args.keywords):
        if name is not None and name in sink.keywords:
            inputs.append((keyword.value, refs))
    return inputs


def _keyword(call: ir.Call, name: str) -> ir.Expr | None:
    for keyword in call.keywords:
        if keyword.name == name:
            return keyword.value
    return None


def _shell(call: ir.Call) -> bool:
    value = _keyword(call, "shell")
    return isinstance(value, ir.Const) and value.value is True


def _string_building(expr: ir.Expr) -> bool:
    """A string built here from pieces: an f-string, `%`, `+`, `.format()`."""
    if isinstance(expr, ir.FString):
        return True
    if isinstance(expr, ir.BinOp):
        return expr.op in ("%", "+")
    return (
        isinstance(expr, ir.Call)
        and isinstance(expr.func, ir.Attribute)
        and expr.func.attr == "format"
        and isinstance(expr.func.value, ir.Const)
    )


def _unsafe_loader(sink: Sink, parsed: ParsedFile, call: ir.Call) -> bool:
    loader = _keyword(call, "Loader")
    if loader is None and len(call.args) > 1:
        loader = call.args[1]
    if loader is None:
        return True
    name = ir.dotted(loader)
    return name is not None and plain(parsed.qualify(name)) in sink.unsafe_loaders


def _leads(ref: Ref, expr: ir.Expr, analysis: Analysis, label: str) -> bool:
    """The event value starts the URL: the whole value, or the first piece of a string
    built right here."""
    built = _built(expr)
    if built is not None:
        return built.leads and any(
            _untrusted(r, label) for v in built.values[:1] for r in analysis.refs(v)
        )
    return not ref.path or ref.path[-1] != DERIVED


def _formatted(ref: Ref) -> bool:
    """The value's last step built a string from pieces, and the value is not a key
    name picked from event data (`", ".join(f"#{k} = :{k}" for k in changes)`: the
    names of attributes to set, whose values go separately)."""
    texts = [step_text(s) for s in ref.origin]
    return (
        bool(texts)
        and texts[-1] in FORMATTING
        and not any(t == "a key" or t.endswith("comprehension") for t in texts)
    )


def _decoded_format(ref: Ref) -> bool:
    """json.loads of a string formatted with the value."""
    texts = [step_text(s) for s in ref.origin]
    return any(
        text in FORMATTING and "json.loads(...)" in texts[position + 1 :]
        for position, text in enumerate(texts)
    )


def _where(expr: ir.Expr, analysis: Analysis, sink: Sink) -> list[Ref]:
    """Event refs given as the `$where` of a filter written as a dict literal."""
    if not isinstance(expr, ir.Dict):
        return []
    return [
        r
        for key, value in zip(expr.keys, expr.values)
        if isinstance(key, ir.Const) and key.value == "$where"
        for r in analysis.refs(value)
        if _untrusted(r, sink.label)
    ]


def _whole(ref: Ref, writes: tuple[str, ...]) -> bool:
    """The whole event or context, maybe formatted or serialised."""
    if ref.root not in ("event", "context"):
        return False
    if not ref.path:
        return True
    if ref.path != (DERIVED,):
        return False
    return all(step_text(s).startswith(writes) for s in ref.origin)


class _Built(NamedTuple):
    """A string built from pieces: its literal text, the values formatted into it, and
    whether a value comes first."""

    text: str
    values: list[ir.Expr]
    leads: bool


def _built(node: ir.Expr) -> _Built | None:
    """What an f-string, `+`, `%` or `"...".format()` builds from; None for other
    expressions."""
    if isinstance(node, ir.FString):
        syntax = node.syntax
        pieces = getattr(syntax, "values", ())
        text = "".join(p.value for p in pieces if isinstance(getattr(p, "value", None), str))
        leads = bool(pieces) and not isinstance(getattr(pieces[0], "value", None), str)
        return _Built(text, list(node.parts), leads)
    if isinstance(node, ir.BinOp) and node.op == "+":
        left = _built(node.left) if isinstance(node.left, ir.BinOp) else None
        if left is None:
            left = _Built(*_piece(node.left), leads=not isinstance(node.left, ir.Const))
        text, values = _piece(node.right)
        return _Built(left.text + text, left.values + values, left.leads)
    if isinstance(node, ir.BinOp) and node.op == "%" and isinstance(node.left, ir.Const):
        right = node.right
        values = list(right.elements) if isinstance(right, ir.Container) else [right]
        template = str(node.left.value or "")
        return _Built(template, values, template.startswith("%"))
    if (
        isinstance(node, ir.Call)
        and isinstance(node.func, ir.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ir.Const)
    ):
        template = str(node.func.value.value or "")
        values = [*node.args, *(k.value for k in node.keywords)]
        return _Built(template, values, template.startswith("{"))
    return None


def _piece(node: ir.Expr) -> tuple[str, list[ir.Expr]]:
    if isinstance(node, ir.Const):
        return (node.value if isinstance(node.value, str) else "", [])
    return ("", [node])


def _sink_text(call: ir.Call) -> str:
    return f"{call.name or 'call'}()"


def _imported_modules(model: ProjectModel) -> frozenset[str]:
    names = set()
    for summary in model.modules.values():
        for item in summary.imports:
            names.add(item.module)
            if item.name is not None:
                names.add(f"{item.module}.{item.name}")
    return frozenset(names)


def _imports(imported: frozenset[str], module: str) -> bool:
    return any(name == module or name.startswith(module + ".") for name in imported)


def _routers(model: ProjectModel, table: SinkTable) -> dict[Path, dict[str, str]]:
    """Module-level framework objects that serve requests (`app = Chalice(...)`,
    `app = APIGatewayRestResolver()`), per file: name -> request attribute."""
    found: dict[Path, dict[str, str]] = {}
    for path, summary in model.modules.items():
        for name, instance in summary.instances.items():
            constructor = import_target(summary, instance.constructor) or ""
            attribute = table.request_attributes.get(constructor)
            if attribute is not None:
                found.setdefault(path, {})[name] = attribute
    return found


def _framework_sources(routers: dict[Path, dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    """The request attributes of the framework objects (`app.current_request`)."""
    names = {f"{n}.{a}" for by_name in routers.values() for n, a in by_name.items()}
    reason = "the request a framework object serves"
    return {"sources": [{"name": n, "reason": reason} for n in sorted(names)]}


def find_hits(model: ProjectModel, code: ProjectCode) -> list[Hit]:
    """Every place event data reaches a sink in the project."""
    return _Walk(model, code, sink_table()).run()


__all__ = ["FlowStep", "Hit", "find_hits"]
