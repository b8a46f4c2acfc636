"""What makes a sink's input dangerous: event data that is still the caller's text,
a shell that parses it, an unsafe YAML loader, a URL it starts, an expression string it
was formatted into, HTML text around it."""

from __future__ import annotations

from typing import NamedTuple

from lambda_lint.flow import ir
from lambda_lint.flow.engine import Analysis, CallArgs
from lambda_lint.flow.refs import DERIVED, WRITTEN, Ref, Refs, step_text
from lambda_lint.flow.semantics import plain
from lambda_lint.security.code import ParsedFile
from lambda_lint.security.sinks import Sink

#: labels that make a value safe for every sink
CLEAN = frozenset({"all", "validated", "written"})
#: origin steps after which a value may be a key of a mapping rather than event data
NAME_SOURCES = frozenset({"a key", "in a dict"})
#: origin steps that build a string from pieces
FORMATTING = frozenset(
    {"f-string", "%-formatting", "concatenation", "str.format(...)", "str.join(...)"}
)


def untrusted(ref: Ref, label: str) -> bool:
    return ref.root in ("event", "source") and not (
        CLEAN.intersection(ref.labels) or label in ref.labels
    )


def first_ref(refs: object) -> Ref | None:
    ordered = sorted(refs, key=lambda r: (len(r.origin), r.path))  # type: ignore[call-overload]
    return ordered[0] if ordered else None


def sink_inputs(sink: Sink, call: ir.Call, args: CallArgs) -> list[tuple[ir.Expr, Refs]]:
    inputs = []
    for index in sink.arguments:
        if index < len(call.args) and not any(args.starred[: index + 1]):
            inputs.append((call.args[index], args.positional[index]))
    for keyword, (name, refs) in zip(call.keywords, args.keywords):
        if name is not None and name in sink.keywords:
            inputs.append((keyword.value, refs))
    return inputs


def keyword(call: ir.Call, name: str) -> ir.Expr | None:
    for keyword in call.keywords:
        if keyword.name == name:
            return keyword.value
    return None


def shell_true(call: ir.Call) -> bool:
    value = keyword(call, "shell")
    return isinstance(value, ir.Const) and value.value is True


def unsafe_loader(sink: Sink, parsed: ParsedFile, call: ir.Call) -> bool:
    loader = keyword(call, "Loader")
    if loader is None and len(call.args) > 1:
        loader = call.args[1]
    if loader is None:
        return True
    name = ir.dotted(loader)
    return name is not None and plain(parsed.qualify(name)) in sink.unsafe_loaders


def leads(ref: Ref, expr: ir.Expr, analysis: Analysis, label: str) -> bool:
    """The event value starts the URL: the whole value, or the first piece of a string
    built right here."""
    built = string_parts(expr)
    if built is not None:
        return built.leads and any(
            untrusted(r, label) for v in built.values[:1] for r in analysis.refs(v)
        )
    return not ref.path or ref.path[-1] != DERIVED


def formatted(ref: Ref) -> bool:
    """The value's last step built a string from pieces, and the value is not an
    attribute name picked from a mapping holding event data (`", ".join(f"#{k} = :{k}"
    for k in changes)`, `for name in {"owner": event["owner"]}`: the names of the
    attributes to set, whose values go separately)."""
    texts = [step_text(s) for s in ref.origin]
    return (
        bool(texts)
        and texts[-1] in FORMATTING
        and not any(t in NAME_SOURCES or t.endswith("comprehension") for t in texts)
    )


def decoded_format(ref: Ref) -> bool:
    """json.loads of a string formatted with the value."""
    texts = [step_text(s) for s in ref.origin]
    return any(
        text in FORMATTING and "json.loads(...)" in texts[position + 1 :]
        for position, text in enumerate(texts)
    )


def where_filter(expr: ir.Expr, analysis: Analysis, sink: Sink) -> list[Ref]:
    """Event refs given as the `$where` of a filter written as a dict literal."""
    if not isinstance(expr, ir.Dict):
        return []
    return [
        r
        for key, value in zip(expr.keys, expr.values)
        if isinstance(key, ir.Const) and key.value == "$where"
        for r in analysis.refs(value)
        if untrusted(r, sink.label)
    ]


def whole_value(ref: Ref, writes: tuple[str, ...], logged_already: frozenset[str]) -> bool:
    """The whole event of a known trigger, maybe formatted or serialised, unless that
    trigger's events are in the logs already (`logged_already`)."""
    if ref.root != "event" or ref.trigger is None or ref.trigger in logged_already:
        return False
    if any(kind == WRITTEN for _, kind, _ in ref.facts):
        return False  # a field was replaced first: `copy["body"] = redact(...)`
    if not ref.path:
        return True
    if ref.path != (DERIVED,):
        return False
    return all(step_text(s).startswith(writes) for s in ref.origin)


class StringParts(NamedTuple):
    """A string built from pieces: its literal text, the values formatted into it, and
    whether a value comes first."""

    text: str
    values: list[ir.Expr]
    leads: bool


def string_parts(node: ir.Expr) -> StringParts | None:
    """What an f-string, `+`, `%` or `"...".format()` builds from; None for other
    expressions."""
    if isinstance(node, ir.FString):
        return StringParts(node.text, list(node.parts), node.leads)
    if isinstance(node, ir.BinOp) and node.op == "+":
        left = string_parts(node.left) if isinstance(node.left, ir.BinOp) else None
        if left is None:
            left = StringParts(*piece_of(node.left), leads=not isinstance(node.left, ir.Const))
        text, values = piece_of(node.right)
        return StringParts(left.text + text, left.values + values, left.leads)
    if isinstance(node, ir.BinOp) and node.op == "%" and isinstance(node.left, ir.Const):
        right = node.right
        values = list(right.elements) if isinstance(right, ir.Container) else [right]
        template = str(node.left.value or "")
        return StringParts(template, values, template.startswith("%"))
    if (
        isinstance(node, ir.Call)
        and isinstance(node.func, ir.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ir.Const)
    ):
        template = str(node.func.value.value or "")
        values = [*node.args, *(k.value for k in node.keywords)]
        return StringParts(template, values, template.startswith("{"))
    return None


def piece_of(node: ir.Expr) -> tuple[str, list[ir.Expr]]:
    if isinstance(node, ir.Const):
        return (node.value if isinstance(node.value, str) else "", [])
    return ("", [node])


def sink_text(call: ir.Call) -> str:
    return f"{call.name or 'call'}()"
