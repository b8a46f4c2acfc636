"""Where event data reaches a security sink, from every handler down through the
functions it calls, in any module.

Each handler is analysed with its event parameter seeded (`Ref("event")`) and its
context parameter (`Ref("context")`); every call to a project function is followed
with the refs its arguments hold, so the callee is analysed in that caller's terms
(memoised per function and incoming refs, bounded in depth), and a call's result is
what the callee returns for those arguments. At every call the sink table
(`sinks.json`) is consulted, with the conditions of `inputs`; HTML built as text is
found by looking at the string expressions themselves. `frameworks` adds the requests
that Chalice and Powertools routers serve. A hit keeps the flow: the origin steps of the value, each
located in its file, from where it entered to the sink.

Each handler and each route is a unit walked on its own: its hits depend on nothing but
the project-wide facts and the files its walk read (which it records), so they can be
kept between runs. Analyses are shared between units only where recomputing one would
give the same result (`_Analysed.valid`). The units' hits are merged in a fixed order,
the first at each place kept.

Handlers whose trigger writes the event itself (a schedule's input, a custom
resource's properties) are not followed: their event is not a caller's data.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import Any, Callable

from lambda_lint.finding import Position
from lambda_lint.flow import ir
from lambda_lint.flow.engine import Analysis, CallArgs, analyse
from lambda_lint.flow.refs import DERIVED, MAX_ORIGIN, Ref, Refs, step_text
from lambda_lint.flow.semantics import Semantics, plain
from lambda_lint.flow.summary import SEEDED_KINDS, arguments_to_parameters, passed
from lambda_lint.index import CallSite
from lambda_lint.model.handlers import Handler
from lambda_lint.model.project import ProjectModel
from lambda_lint.model.symbols import FunctionKey, Symbols
from lambda_lint.path_order import path_key
from lambda_lint.project_context import StoredResults, handler_unit
from lambda_lint.security.code import FunctionSyntax, ParsedFile, ProjectCode
from lambda_lint.security.frameworks import framework_sources, routers
from lambda_lint.security.inputs import (
    StringParts,
    decoded_format,
    first_ref,
    formatted,
    leads,
    shell_true,
    sink_inputs,
    sink_text,
    string_parts,
    unsafe_loader,
    untrusted,
    where_filter,
    whole_value,
)
from lambda_lint.security.sinks import Sink, SinkTable, sink_table

#: how many calls deep from a handler values are followed
MAX_DEPTH = 6
#: methods that read a key of the mapping they are called on
READS = frozenset({"get", "pop", "setdefault"})


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
Memo = tuple[FunctionKey, frozenset[tuple[str, Refs]]]


class _Trace:
    """What a computation used: the project files it read, the `.get()` reads of
    tracked values its analyses found, the functions it analysed (the ones a recursion
    cut included) and how many calls deep below it values were followed (`span`)."""

    def __init__(self) -> None:
        self.files: set[Path] = set()
        self.reads: set[ir.Call] = set()
        self.functions: set[FunctionKey] = set()
        self.span = 0

    def add(self, entry: _Analysed) -> None:
        self.files |= entry.files
        self.reads |= entry.reads
        self.functions |= entry.functions


@dataclass(frozen=True)
class _Analysed:
    """A function's analysis for some seeds, with what it depends on besides them: the
    depth it was computed at, its `span` (it followed calls `span` levels down), the
    functions it analysed and those of them that were being analysed around it
    (`cut`: the recursion guard stopped there), the files it read and its reads. It is
    the analysis at another depth and below other functions too when the depth limit
    stops no call at either depth and exactly the same ones of its functions are being
    analysed around it."""

    analysis: Analysis
    depth: int
    span: int
    functions: frozenset[FunctionKey]
    cut: frozenset[FunctionKey]
    files: frozenset[Path]
    reads: frozenset[ir.Call]

    def valid(self, depth: int, active: set[FunctionKey]) -> bool:
        if depth != self.depth and max(depth, self.depth) + self.span > MAX_DEPTH:
            return False
        return {key for key in active if key in self.functions} == self.cut


class _Unit:
    """One handler's or route's walk: the pairs of function and seeds it checked, the
    hits it found (the first one at each place kept) and what it used."""

    def __init__(self) -> None:
        self.checked: set[Memo] = set()
        self.hits: dict[tuple[str, Path, Position], Hit] = {}
        self.trace = _Trace()


class _Walk:
    def __init__(
        self,
        model: ProjectModel,
        code: ProjectCode,
        table: SinkTable,
        additions: Mapping[str, Any],
    ) -> None:
        self.model = model
        self.code = code
        self.table = table
        # both read only the project's surface (and the table, the shipped one), so
        # they are kept between runs
        self.routers = model.kept_analysis(
            "security.routers", lambda m: routers(m, table), dict[Path, dict[str, str]]
        )
        self.semantics = Semantics.load(table.semantics, framework_sources(self.routers), additions)
        self.imported = model.kept_analysis(
            "security.imported-modules", _imported_modules, frozenset[str]
        )
        #: analyses by function and seeds, shared by every unit (see `_Analysed.valid`)
        self._analyses: dict[Memo, list[_Analysed]] = {}
        self._active: set[FunctionKey] = set()
        self._sites: dict[FunctionKey, dict[tuple[int, str], CallSite]] = {}
        #: what does not change from one unit to the next: the calls resolved, each
        #: call's sinks (with the call whose arguments they take), each function's HTML text
        self._resolved: dict[tuple[FunctionKey, int, str], FunctionKey | None] = {}
        self._sinks: dict[tuple[FunctionKey, ir.Call], list[tuple[Sink, ir.Call]]] = {}
        self._html: dict[FunctionKey, list[tuple[ir.Expr, StringParts]]] = {}
        self._unit = _Unit()
        #: what the unit and the analyses being computed used, innermost last
        self._traces = [self._unit.trace]

    # -- following values ------------------------------------------------------------------

    def units(self) -> list[tuple[str, Callable[[], _Unit]]]:
        """Every handler and route, by the name its hits are stored under, with the walk
        that finds them; in the order their hits are merged."""
        found: list[tuple[str, Callable[[], _Unit]]] = [
            (handler_unit(h), partial(self.walk, self.walk_handler, h))
            for h in sorted(
                self.model.handlers.values(), key=lambda h: (path_key(h.key[0]), h.key[1])
            )
        ]
        found.extend(
            (f"route:{key[0]}:{key[1]}", partial(self.walk, self.walk_route, key))
            for key in self.routes
        )
        return found

    def walk(self, start: Callable[[Any], None], origin: Any) -> _Unit:
        """One unit's hits, found with nothing but what this walk reads."""
        self._unit = _Unit()
        self._traces = [self._unit.trace]
        start(origin)
        return self._unit

    def walk_handler(self, handler: Handler) -> None:
        if self.trusted(handler):
            return
        self.check_logging_decorators(handler)
        seeds = self.handler_seeds(handler)
        if seeds or self.semantics.sources:
            self.visit(handler.key, seeds, 0)

    def walk_route(self, key: FunctionKey) -> None:
        self.visit(key, self.route_seeds(key), 0)

    def trusted(self, handler: Handler) -> bool:
        """The handler's event is written by the deployment or by AWS: its triggers say
        so, or its code reads keys only such events have (`event["RequestType"]`)."""
        if handler.triggers:
            return set(handler.triggers) <= self.table.trusted_triggers
        node = self.definition(handler.key)
        return node is not None and any(
            isinstance(n, ast.Constant) and n.value in self.table.trusted_event_keys
            for n in ast.walk(node)
        )

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
        function = self.function(key)
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
            function = self.function(handler.key)
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
        if memo in self._unit.checked:
            return
        self._unit.checked.add(memo)
        analysis = self.analysis(key, seeds, depth)
        parsed = self.file(key[0])
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
        analysed = self.analysed(key, seeds, depth)
        return analysed.analysis if analysed is not None else None

    def analysed(self, key: FunctionKey, seeds: Seeds, depth: int) -> _Analysed | None:
        """The analysis of `key` for `seeds` at `depth` below the functions being
        analysed; what it used is added to the trace of the one that asked."""
        trace = self._traces[-1]
        if key in self._active:
            trace.functions.add(key)
            return None
        memo = (key, frozenset(seeds.items()))
        known = self._analyses.setdefault(memo, [])
        found = next((a for a in known if a.valid(depth, self._active)), None)
        if found is None:
            found = self.analyse(key, seeds, depth)
            if found is None:
                return None
            known.append(found)
        trace.add(found)
        return found

    def analyse(self, key: FunctionKey, seeds: Seeds, depth: int) -> _Analysed | None:
        function = self.function(key)
        parsed = self.file(key[0])
        if function is None or parsed is None:
            return None
        around = frozenset(self._active)
        own = _Trace()
        own.functions.add(key)
        self._active.add(key)
        self._traces.append(own)
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
            self._traces.pop()
        for call in function.calls:
            func = call.func
            if isinstance(func, ir.Attribute) and func.attr in READS and result.refs(func.value):
                own.reads.add(call)
        return _Analysed(
            result,
            depth,
            own.span,
            frozenset(own.functions),
            around & own.functions,
            frozenset(own.files | {key[0]}),
            frozenset(own.reads),
        )

    def returned(
        self, caller: FunctionKey, call: ir.Call, args: CallArgs, depth: int
    ) -> Refs | None:
        """What a project function returns for these arguments (None: not one, or too
        deep, or recursive: the engine's rule for unknown calls applies)."""
        found = self.callee(caller, call, args)
        if found is None:
            return None
        trace = self._traces[-1]
        trace.span = max(trace.span, 1)
        if depth >= MAX_DEPTH:
            return None
        analysed = self.analysed(found[0], found[1], depth + 1)
        if analysed is None:
            return None
        trace.span = max(trace.span, 1 + analysed.span)
        return analysed.analysis.returns

    def callee(
        self, caller: FunctionKey, call: ir.Call, args: CallArgs
    ) -> tuple[FunctionKey, Seeds] | None:
        """The project function a call reaches and what its parameters receive."""
        target = self.resolve(caller, call)
        if target is None:
            return None
        function = self.function(target)
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
        known = (caller, line, call.name)
        if known not in self._resolved:
            site = sites.get((line, call.name)) or CallSite(call.name, line, 0)
            self._resolved[known] = self.model.resolve_call(caller, site)
        return self._resolved[known]

    # -- sinks -------------------------------------------------------------------------------

    def check(self, key: FunctionKey, parsed: ParsedFile, analysis: Analysis) -> None:
        for record in analysis.calls:
            call = record.call
            if call.name is not None and self.resolve(key, call) is not None:
                continue  # a project function: followed, not a sink
            for sink, taking in self.sinks_of(key, parsed, call):
                for expr, refs in sink_inputs(sink, taking, analysis.call_args(taking)):
                    ref = self.dangerous(sink, parsed, analysis, call, expr, refs)
                    if ref is not None:
                        self.hit(sink.rule, parsed, call.syntax, sink_text(call), ref)
                        break
        self.check_html(key, parsed, analysis)

    def sinks_of(
        self, key: FunctionKey, parsed: ParsedFile, call: ir.Call
    ) -> list[tuple[Sink, ir.Call]]:
        """The sinks a call of `key` is, each with the call whose arguments it takes."""
        known = self._sinks.get((key, call))
        if known is None:
            known = self._sinks[(key, call)] = self._find_sinks(parsed, call)
        return known

    def _find_sinks(self, parsed: ParsedFile, call: ir.Call) -> list[tuple[Sink, ir.Call]]:
        found: list[tuple[Sink, ir.Call]] = []
        if call.name is not None:
            for sink in self.table.by_call(plain(parsed.qualify(call.name))):
                found.append((sink, call))
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
                found.append((sink, call))
            inner = func.value
            if isinstance(inner, ir.Call) and inner.name is not None:
                constructor = plain(parsed.qualify(inner.name))
                for sink in self.table.by_path_method(func.attr, constructor):
                    found.append((sink, inner))
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
            table = self.table
            return first_ref(
                r for r in refs if whole_value(r, table.whole_value_steps, table.logged_already)
            )
        tainted = [r for r in refs if untrusted(r, sink.label) and self.caller_text(r)]
        if sink.label == "path":
            tainted = [r for r in tainted if not self.separators_removed(r)]
        if not tainted:
            return None
        if sink.shell and not shell_true(call) and string_parts(expr) is None:
            return None
        built = string_parts(expr)
        if sink.text_pattern and built is not None and not sink.text_pattern.search(built.text):
            return None
        if sink.unsafe_loaders and not unsafe_loader(sink, parsed, call):
            return None
        if sink.leading:
            tainted = [r for r in tainted if leads(r, expr, analysis, sink.label)]
        if sink.formatted:
            tainted = [r for r in tainted if formatted(r)]
        if sink.mongo:
            tainted = [r for r in tainted if decoded_format(r)] or where_filter(
                expr, analysis, sink
            )
        return first_ref(tainted)

    def check_html(self, key: FunctionKey, parsed: ParsedFile, analysis: Analysis) -> None:
        """String expressions that put event data into HTML text (LL609); only the
        outermost of nested ones."""
        found: list[tuple[ir.Expr, Ref]] = []
        for node, built in self.html_texts(key, analysis.function):
            ref = first_ref(
                r
                for v in built.values
                for r in analysis.refs(v)
                if untrusted(r, "html") and self.caller_text(r)
            )
            if ref is not None:
                found.append((node, ref))
        spans = [(parsed.start(n.syntax), parsed.end(n.syntax)) for n, _ in found]
        for (node, ref), (start, end) in zip(found, spans):
            if any(s <= start and end <= e and (s, e) != (start, end) for s, e in spans):
                continue
            self.hit("LL609", parsed, node.syntax, "", ref)

    def html_texts(
        self, key: FunctionKey, function: ir.Function
    ) -> list[tuple[ir.Expr, StringParts]]:
        """The string expressions of the function that build HTML text."""
        known = self._html.get(key)
        if known is None:
            known = self._html[key] = []
            for node in ir.walk(function):
                if isinstance(node, (ir.FString, ir.BinOp, ir.Call)):
                    built = string_parts(node)
                    if built is not None and self.table.html.search(built.text):
                        known.append((node, built))
        return known

    def check_logging_decorators(self, handler: Handler) -> None:
        """`@logger.inject_lambda_context(log_event=True)` on a handler (LL604), when
        its whole event is one `whole_value` reports (a known trigger's, not in the logs
        already)."""
        table = self.table
        event = Ref("event", (), handler.trigger)
        if not whole_value(event, table.whole_value_steps, table.logged_already):
            return
        parsed = self.file(handler.key[0])
        node = self.definition(handler.key)
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
                    self.hit("LL604", parsed, decorator, sink, event)

    def caller_text(self, ref: Ref) -> bool:
        """The value is still the caller's text: it is not a place of the event AWS
        writes itself (`SinkTable.aws_written`), and no step of its way called something
        that returns other data (a database read, an SDK request) other than a source
        of caller input. A way too long to keep whole (its middle steps dropped) is not
        trusted to be."""
        if len(ref.origin) >= MAX_ORIGIN:
            return False
        if ref.root == "event" and any(
            ref.path[: len(place)] == place for place in self.table.aws_written
        ):
            return False  # AWS wrote it (a presigned URL), not the caller
        for where, text in ref.origin:
            if not isinstance(text, ir.Call) or text in self._unit.trace.reads:
                continue
            func = text.func
            if isinstance(func, ir.Attribute) and func.attr in self.table.keeps_data_methods:
                continue
            owner = self.owner(where)
            name = plain(owner.qualify(text.name)) if owner and text.name else None
            if name is None or (
                name not in self.table.keeps_data_calls
                and name not in self.semantics.decoders
                and name not in self.semantics.pass_through
                and name not in self.semantics.sanitisers
                and name not in self.semantics.sources
            ):
                return False
        return True

    def separators_removed(self, ref: Ref) -> bool:
        """The value holds no directory separator: a place of the event that never has
        one (`SinkTable.separator_free`, an S3 bucket name), or a step removed them
        (`key.replace("/", "-")`, `key.split("/")[-1]`)."""
        # a value formatted or joined from the place: its own part holds none either
        place_of = ref.path[:-1] if ref.path[-1:] == (DERIVED,) else ref.path
        if ref.root == "event" and any(
            place_of[-len(place) :] == place for place in self.table.separator_free
        ):
            return True
        for _, text in ref.origin:
            if not isinstance(text, ir.Call) or not text.args:
                continue
            func, first = text.func, text.args[0]
            separator = first.value if isinstance(first, ir.Const) else ir.dotted(first)
            removes = isinstance(func, ir.Attribute) and func.attr in self.table.separator_methods
            if removes and separator in self.table.separators:
                return True
        return False

    def hit(self, rule: str, parsed: ParsedFile, node: object, sink: str, ref: Ref) -> None:
        start = parsed.start(node)  # type: ignore[arg-type]
        key = (rule, parsed.path, start)
        if key in self._unit.hits:
            return
        steps = []
        for where, text in ((w, step_text((w, t))) for w, t in ref.origin):
            located = self.locate(where, parsed)
            if located is not None:
                steps.append(FlowStep(located[0], located[1], text))
        self._unit.hits[key] = Hit(rule, parsed.path, start, parsed.end(node), sink, tuple(steps))  # type: ignore[arg-type]

    def locate(self, where: object, here: ParsedFile) -> tuple[Path, Position] | None:
        if isinstance(where, tuple):
            return (Path(where[0]), Position(where[1], where[2]))
        owner = self.owner(where)
        if owner is None or not hasattr(where, "lineno"):
            return None
        return (owner.path, owner.start(where))  # type: ignore[arg-type]

    # -- the project's code, noted in the trace of what asks --------------------------------

    def file(self, path: Path) -> ParsedFile | None:
        self._traces[-1].files.add(path)
        return self.code.file(path)

    def function(self, key: FunctionKey) -> ir.Function | None:
        self._traces[-1].files.add(key[0])
        return self.code.function(key)

    def definition(self, key: FunctionKey) -> FunctionSyntax | None:
        self._traces[-1].files.add(key[0])
        return self.code.definition(key)

    def owner(self, node: object) -> ParsedFile | None:
        owner = self.code.owner(node)
        if owner is not None:
            self._traces[-1].files.add(owner.path)
        return owner


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


def find_hits(
    model: ProjectModel,
    code: ProjectCode,
    additions: Mapping[str, Any],
    stored: StoredResults | None = None,
    name: str = "security.flows",
) -> list[Hit]:
    """Every place event data reaches a sink in the project; `additions` extend the flow
    semantics (the shape of `flow/semantics.json`). Each handler and route is walked on
    its own; with `stored`, the hits of one whose files did not change since a run
    stored them under `name` are read back instead (and its files are not parsed)."""
    walk = _Walk(model, code, sink_table(), additions)
    hits: dict[tuple[str, Path, Position], Hit] = {}
    for unit, find in walk.units():
        found = stored.get(name, unit, list[Hit]) if stored is not None else None
        if found is None:
            done = find()
            found = list(done.hits.values())
            if stored is not None:
                stored.put(name, unit, found, list[Hit], done.trace.files)
        for hit in found:
            hits.setdefault((hit.rule, hit.path, hit.start), hit)
    return sorted(hits.values(), key=lambda h: (str(h.path), h.start, h.rule))


__all__ = ["FlowStep", "Hit", "find_hits"]
