"""AWS CDK apps in Python, read statically with libcst: never imported, never run.

The reader evaluates the module the way a person reads it: module constants first, then
every function and method body in order (helpers the module calls itself are evaluated at
their call sites, with the arguments they get there). Names bound in the same scope are
followed (`fn = _lambda.Function(...)` then `fn.add_event_source(...)`), constant strings
and paths are computed (`ASSET_DIR + "/api"`, f-strings, `os.path.join`, `pathlib`), loops
over constant lists are unrolled, and anything else stays unknown. What a construct means
is in `cdk_constructs`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import libcst as cst

from lambda_lint.descriptors.cdk_constructs import Constructs
from lambda_lint.descriptors.cdk_values import (
    UNKNOWN,
    Const,
    Fn,
    Mapping,
    Obj,
    Qual,
    Seq,
)
from lambda_lint.descriptors.draft import join_path
from lambda_lint.descriptors.model import DescriptorSet
from lambda_lint.model.names import imported_names
from lambda_lint.positions import Positions
from lambda_lint.walk import descendants

KIND = "cdk"
_MAX_UNROLL = 32
_MAX_INLINE_DEPTH = 6
_MAX_INLINED_CALLS = 500
_MAX_PARENTS = 8
_FIELD_ACCESS = re.compile(r"\{[^}]*[.\[]")
_PATH_CALLS = {"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.PurePosixPath"}


def read_cdk(
    path: Path, module: cst.Module, line_of: Callable[[cst.CSTNode], int] | None = None
) -> DescriptorSet:
    """The functions a CDK app module declares; empty unless it imports `aws_cdk`.

    `line_of` gives a node's 1-based start line; a caller that already computes node
    positions can pass it, otherwise they are computed here.
    """
    imports = module_imports(module)
    if not any(name == "aws_cdk" or name.startswith("aws_cdk.") for name in imports.values()):
        return DescriptorSet()
    app = _App(path, module, imports, line_of or Positions(module).line)
    app.run()
    return DescriptorSet(functions=app.constructs.functions())


def module_imports(module: cst.Module) -> dict[str, str]:
    """Local name → the dotted name it imports, for the absolute imports at module level
    (also those inside module-level `if`/`try` blocks); a later import of a name wins."""
    names: dict[str, str] = {}
    for statement in _module_statements(module.body):
        for small in statement.body:
            if isinstance(small, (cst.Import, cst.ImportFrom)):
                for _, item in imported_names(small):
                    if item.level == 0 and item.name != "*":
                        names[item.alias] = item.target
    return names


def _module_statements(body: Sequence[cst.CSTNode]) -> Iterator[cst.SimpleStatementLine]:
    """The simple statements of `body`, in source order, with those of its `if`/`try`
    blocks (every branch and handler)."""
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            yield statement
        elif isinstance(statement, (cst.If, cst.Try)):
            yield from _module_statements(statement.body.body)
            if isinstance(statement, cst.Try):
                for handler in statement.handlers:
                    yield from _module_statements(handler.body.body)
            orelse = statement.orelse
            if isinstance(orelse, cst.If):
                yield from _module_statements((orelse,))
            elif orelse is not None:
                yield from _module_statements(orelse.body.body)


def normalise(dotted: str) -> str:
    """Drop the `aws_cdk.` (and CDK v1 `core.`) prefix: `aws_cdk.aws_lambda.Function` →
    `aws_lambda.Function`, `aws_cdk.core.Duration` → `Duration`."""
    for prefix in ("aws_cdk.", "core."):
        if dotted.startswith(prefix):
            dotted = dotted[len(prefix) :]
    return dotted


@lru_cache(maxsize=256)
def project_folder(folder: Path) -> Path:
    """The nearest folder at or above `folder` holding `cdk.json` (where `cdk` runs the
    app), else `folder` itself; spelled relative to `folder` as given."""
    for up in range(_MAX_PARENTS):
        candidate = join_path(folder, "/".join([".."] * up)) if up else folder
        if (candidate / "cdk.json").is_file():
            return candidate
    return folder


@dataclass
class _SelfRef:
    """`self` inside a method: attributes are shared by the class's methods."""

    attributes: dict[str, Any]
    methods: dict[str, cst.FunctionDef]


@dataclass
class _Frame:
    env: dict[str, Any] = field(default_factory=dict)
    self_ref: _SelfRef | None = None
    returned: list[Any] = field(default_factory=list)


class _App:
    """Evaluates one CDK module."""

    def __init__(
        self,
        path: Path,
        module: cst.Module,
        imports: dict[str, str],
        line_of: Callable[[cst.CSTNode], int],
    ) -> None:
        self.path = path
        self.module = module
        self.imports = imports
        self.line_of = line_of
        self.module_frame = _Frame()
        self.functions: dict[str, cst.FunctionDef] = {}
        self.classes: dict[str, _SelfRef] = {}
        self.helpers = _called_names(module)
        self.stack: list[cst.FunctionDef] = []
        self.inlined = 0
        self.constructs = Constructs(self.line, path, project_folder(path.parent))

    def line(self, node: cst.CSTNode | None) -> int:
        if node is None:
            return 1
        try:
            return self.line_of(node)
        except KeyError:
            return 1

    # -- scopes ----------------------------------------------------------------------------

    def run(self) -> None:
        for statement in self.module.body:
            if isinstance(statement, cst.FunctionDef):
                self.functions[statement.name.value] = statement
            elif isinstance(statement, cst.ClassDef):
                methods = {
                    s.name.value: s for s in statement.body.body if isinstance(s, cst.FunctionDef)
                }
                self.classes[statement.name.value] = _SelfRef({}, methods)
        self.execute(self.module.body, self.module_frame)
        for statement in self.module.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value not in self.helpers:
                self.call_function(statement, [], {}, None)
            elif isinstance(statement, cst.ClassDef):
                self_ref = self.classes[statement.name.value]
                for name, method in self_ref.methods.items():
                    if name == "__init__" or name not in self.helpers:
                        self.call_function(method, [], {}, self_ref)
        self.constructs.finish()

    def call_function(
        self,
        function: cst.FunctionDef,
        args: list[Any],
        kwargs: dict[str, Any],
        self_ref: _SelfRef | None,
    ) -> Any:
        """Evaluate a function body with its parameters bound; return what it returns."""
        if function in self.stack or len(self.stack) >= _MAX_INLINE_DEPTH:
            return UNKNOWN
        if self.inlined >= _MAX_INLINED_CALLS:
            return UNKNOWN
        self.inlined += 1
        frame = _Frame(self_ref=self_ref)
        params = list(function.params.posonly_params) + list(function.params.params)
        if self_ref is not None and params and not _is_static(function):
            params = params[1:]
        for index, param in enumerate(params):
            name = param.name.value
            if index < len(args):
                frame.env[name] = args[index]
            elif name in kwargs:
                frame.env[name] = kwargs[name]
            elif param.default is not None:
                frame.env[name] = self.evaluate(param.default, self.module_frame)
            else:
                frame.env[name] = UNKNOWN
        for param in function.params.kwonly_params:
            name = param.name.value
            default = param.default
            fallback = self.evaluate(default, self.module_frame) if default else UNKNOWN
            frame.env[name] = kwargs.get(name, fallback)
        self.stack.append(function)
        try:
            if isinstance(function.body, cst.IndentedBlock):
                self.execute(function.body.body, frame)
            else:
                self.execute([function.body], frame)
        finally:
            self.stack.pop()
        known = [value for value in frame.returned if value is not UNKNOWN]
        return known[0] if known else UNKNOWN

    # -- statements ------------------------------------------------------------------------

    def execute(self, statements: Any, frame: _Frame) -> None:
        for statement in statements:
            self.statement(statement, frame)

    def statement(self, node: cst.CSTNode, frame: _Frame) -> None:
        if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            for small in node.body:
                self.small_statement(small, frame)
        elif isinstance(node, cst.If):
            self.evaluate(node.test, frame)
            self.execute(node.body.body, frame)
            if isinstance(node.orelse, cst.If):
                self.statement(node.orelse, frame)
            elif node.orelse is not None:
                self.execute(node.orelse.body.body, frame)
        elif isinstance(node, cst.For):
            self.loop(node, frame)
        elif isinstance(node, (cst.While, cst.With)):
            if isinstance(node, cst.With):
                for item in node.items:
                    self.evaluate(item.item, frame)
                    if item.asname is not None:
                        self.assign(item.asname.name, UNKNOWN, frame)
            self.execute(node.body.body, frame)
        elif isinstance(node, cst.Try):
            self.execute(node.body.body, frame)
            for handler in node.handlers:
                self.execute(handler.body.body, frame)
            for extra in (node.orelse, node.finalbody):
                if extra is not None:
                    self.execute(extra.body.body, frame)

    def small_statement(self, node: cst.BaseSmallStatement, frame: _Frame) -> None:
        if isinstance(node, cst.Assign):
            value = self.evaluate(node.value, frame)
            for target in node.targets:
                self.assign(target.target, value, frame)
        elif isinstance(node, cst.AnnAssign) and node.value is not None:
            self.assign(node.target, self.evaluate(node.value, frame), frame)
        elif isinstance(node, cst.AugAssign):
            current = self.evaluate(node.target, frame)
            value = self.binary(current, node.operator, self.evaluate(node.value, frame), node)
            self.assign(node.target, value, frame)
        elif isinstance(node, cst.Expr):
            self.evaluate(node.value, frame)
        elif isinstance(node, cst.Return) and node.value is not None:
            frame.returned.append(self.evaluate(node.value, frame))

    def assign(self, target: cst.BaseExpression, value: Any, frame: _Frame) -> None:
        if isinstance(target, cst.Name):
            frame.env[target.value] = value
        elif (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value == "self"
            and frame.self_ref is not None
        ):
            frame.self_ref.attributes[target.attr.value] = value
        elif isinstance(target, (cst.Tuple, cst.List)):
            items = value.items if isinstance(value, Seq) else None
            elements = target.elements
            for index, element in enumerate(elements):
                item = items[index] if items is not None and index < len(items) else UNKNOWN
                self.assign(element.value, item, frame)

    def loop(self, node: cst.For, frame: _Frame) -> None:
        iterable = self.evaluate(node.iter, frame)
        items: list[Any] | None = None
        if isinstance(iterable, Seq):
            items = iterable.items
        elif isinstance(iterable, Mapping):
            items = list(iterable.items)
        if items is None or len(items) > _MAX_UNROLL:
            items = [UNKNOWN]
        for item in items:
            self.assign(node.target, item, frame)
            self.execute(node.body.body, frame)

    # -- expressions -----------------------------------------------------------------------

    def evaluate(self, node: cst.BaseExpression, frame: _Frame) -> Any:
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            value = node.evaluated_value
            return Const(value, node) if isinstance(value, str) else UNKNOWN
        if isinstance(node, (cst.Integer, cst.Float)):
            return Const(node.evaluated_value, node)
        if isinstance(node, cst.FormattedString):
            return self.fstring(node, frame)
        if isinstance(node, cst.Name):
            return self.lookup(node, frame)
        if isinstance(node, cst.Attribute):
            return self.attribute(self.evaluate(node.value, frame), node.attr.value, node)
        if isinstance(node, cst.Call):
            return self.call(node, frame)
        if isinstance(node, cst.BinaryOperation):
            left = self.evaluate(node.left, frame)
            right = self.evaluate(node.right, frame)
            return self.binary(left, node.operator, right, node)
        if isinstance(node, (cst.List, cst.Tuple)):
            return self.sequence(node.elements, frame)
        if isinstance(node, cst.Dict):
            return self.mapping(node, frame)
        if isinstance(node, cst.Subscript):
            return self.subscript(node, frame)
        return UNKNOWN

    def lookup(self, node: cst.Name, frame: _Frame) -> Any:
        name = node.value
        if name in frame.env:
            return frame.env[name]
        if name == "self" and frame.self_ref is not None:
            return frame.self_ref
        if name in self.module_frame.env:
            return self.module_frame.env[name]
        if name in self.imports:
            return Qual(self.imports[name])
        if name == "__file__":
            return Const(str(self.path), node, anchored=True)
        if name in ("True", "False", "None"):
            return Const({"True": True, "False": False, "None": None}[name], node)
        return UNKNOWN

    def attribute(self, base: Any, name: str, node: cst.CSTNode) -> Any:
        if isinstance(base, Qual):
            return Qual(f"{base.name}.{name}")
        if isinstance(base, _SelfRef):
            return base.attributes.get(name, UNKNOWN)
        if isinstance(base, Fn):
            return base  # versions, aliases and ARNs of a function stand for it
        if isinstance(base, Const) and base.is_path and isinstance(base.value, str):
            if name == "parent":
                return Const(os.path.dirname(base.value), node, base.anchored, is_path=True)
            return UNKNOWN
        if isinstance(base, Obj):
            return self.constructs.attribute(base, name, node)
        return UNKNOWN

    def fstring(self, node: cst.FormattedString, frame: _Frame) -> Any:
        parts: list[str] = []
        anchored = False
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(part.value)
                continue
            if not isinstance(part, cst.FormattedStringExpression):
                return UNKNOWN
            value = self.evaluate(part.expression, frame)
            if part.format_spec or part.conversion or not isinstance(value, Const):
                return UNKNOWN
            if isinstance(value.value, bool) or not isinstance(value.value, (str, int, float)):
                return UNKNOWN
            anchored = anchored or value.anchored
            parts.append(str(value.value))
        return Const("".join(parts), node, anchored)

    def binary(self, left: Any, operator: cst.CSTNode, right: Any, node: cst.CSTNode) -> Any:
        if not isinstance(left, Const) or not isinstance(right, Const):
            return UNKNOWN
        anchored = left.anchored or right.anchored
        if isinstance(operator, (cst.Add, cst.AddAssign)):
            both_text = isinstance(left.value, str) and isinstance(right.value, str)
            both_numbers = all(
                isinstance(v, (int, float)) and not isinstance(v, bool)
                for v in (left.value, right.value)
            )
            if both_text or both_numbers:
                return Const(left.value + right.value, node, anchored)
        divide = isinstance(operator, (cst.Divide, cst.DivideAssign))
        if divide and left.is_path and isinstance(left.value, str) and isinstance(right.value, str):
            return Const(os.path.join(left.value, right.value), node, anchored, is_path=True)
        return UNKNOWN

    def sequence(self, elements: Any, frame: _Frame) -> Any:
        items: list[Any] = []
        for element in elements:
            if isinstance(element, cst.StarredElement):
                value = self.evaluate(element.value, frame)
                if not isinstance(value, Seq):
                    return UNKNOWN
                items.extend(value.items)
            else:
                items.append(self.evaluate(element.value, frame))
        return Seq(items)

    def mapping(self, node: cst.Dict, frame: _Frame) -> Any:
        items: dict[Any, Any] = {}
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                return UNKNOWN
            key = self.evaluate(element.key, frame)
            if not isinstance(key, Const) or not isinstance(key.value, (str, int)):
                return UNKNOWN
            items[key.value] = self.evaluate(element.value, frame)
        return Mapping(items)

    def subscript(self, node: cst.Subscript, frame: _Frame) -> Any:
        base = self.evaluate(node.value, frame)
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return UNKNOWN
        key = self.evaluate(node.slice[0].slice.value, frame)
        if not isinstance(key, Const):
            return UNKNOWN
        if isinstance(base, Mapping) and isinstance(key.value, (str, int)):
            return base.items.get(key.value, UNKNOWN)
        index = key.value
        if isinstance(base, Seq) and isinstance(index, int) and not isinstance(index, bool):
            return base.items[index] if -len(base.items) <= index < len(base.items) else UNKNOWN
        return UNKNOWN

    # -- calls -----------------------------------------------------------------------------

    def call(self, node: cst.Call, frame: _Frame) -> Any:
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for arg in node.args:
            value = self.evaluate(arg.value, frame)
            if arg.keyword is not None:
                kwargs[arg.keyword.value] = value
            elif arg.star:
                if arg.star == "*" and isinstance(value, Seq):
                    args.extend(value.items)
                elif arg.star == "**" and isinstance(value, Mapping):
                    kwargs.update({str(k): v for k, v in value.items.items()})
            else:
                args.append(value)
        func = node.func
        if isinstance(func, cst.Name):
            if func.value in self.functions and func.value not in frame.env:
                return self.call_function(self.functions[func.value], args, kwargs, None)
            if func.value in self.classes:
                return UNKNOWN
            if func.value in ("str", "list", "tuple") and len(args) == 1 and not kwargs:
                return _convert(func.value, args[0], node)
            callee = self.lookup(func, frame)
        elif isinstance(func, cst.Attribute):
            receiver = self.evaluate(func.value, frame)
            method = func.attr.value
            if isinstance(receiver, _SelfRef) and method in receiver.methods:
                return self.call_function(receiver.methods[method], args, kwargs, receiver)
            if not isinstance(receiver, Qual):
                return self.method(receiver, method, args, kwargs, node)
            callee = Qual(f"{receiver.name}.{method}")
        else:
            return UNKNOWN
        if isinstance(callee, Qual):
            return self.qualified_call(callee.name, args, kwargs, node)
        return UNKNOWN

    def qualified_call(
        self, dotted: str, args: list[Any], kwargs: dict[str, Any], node: cst.Call
    ) -> Any:
        path = _path_call(dotted, args, node)
        if path is not None:
            return path
        return self.constructs.call(normalise(dotted), args, kwargs, node)

    def method(
        self, receiver: Any, name: str, args: list[Any], kwargs: dict[str, Any], node: cst.Call
    ) -> Any:
        if isinstance(receiver, Const):
            return _const_method(receiver, name, args, kwargs, node)
        if isinstance(receiver, Mapping):
            if name == "items":
                return Seq([Seq([Const(k), v]) for k, v in receiver.items.items()])
            if name == "values":
                return Seq(list(receiver.items.values()))
            if name == "keys":
                return Seq([Const(k) for k in receiver.items])
            if name == "get" and args and isinstance(args[0], Const):
                default = args[1] if len(args) > 1 else Const(None)
                return receiver.items.get(args[0].value, default)
            return UNKNOWN
        return self.constructs.method(receiver, name, args, kwargs, node)


def _called_names(module: cst.Module) -> set[str]:
    """Names the module calls as `name(...)`, `self.name(...)` or `cls.name(...)`."""

    names: set[str] = set()
    for node in descendants(module):
        if not isinstance(node, cst.Call):
            continue
        func = node.func
        if isinstance(func, cst.Name):
            names.add(func.value)
        elif (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value in ("self", "cls")
        ):
            names.add(func.attr.value)
    return names


def _is_static(function: cst.FunctionDef) -> bool:
    return any(
        isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod"
        for d in function.decorators
    )


def _convert(kind: str, value: Any, node: cst.CSTNode) -> Any:
    plain = isinstance(value, Const) and not isinstance(value.value, bool)
    if kind == "str" and plain and isinstance(value.value, (str, int, float)):
        return Const(str(value.value), node, value.anchored)
    if kind in ("list", "tuple") and isinstance(value, Seq):
        return value
    return UNKNOWN


def _strings(args: list[Any]) -> list[str] | None:
    values = [a.value for a in args if isinstance(a, Const) and isinstance(a.value, str)]
    return values if len(values) == len(args) else None


def _path_call(dotted: str, args: list[Any], node: cst.Call) -> Const | None:
    """`os.path.join/dirname/abspath/realpath/normpath` and `pathlib.Path(...)` of constants."""
    strings = _strings(args)
    if strings is None:
        return None
    anchored = any(isinstance(a, Const) and a.anchored for a in args)
    if dotted in _PATH_CALLS:
        value = os.path.join(*strings) if strings else "."
        return Const(value, node, anchored, is_path=True)
    if dotted == "os.path.join" and strings:
        return Const(os.path.join(*strings), node, anchored)
    if dotted == "os.path.dirname" and len(strings) == 1:
        return Const(os.path.dirname(strings[0]), node, anchored)
    if dotted in ("os.path.abspath", "os.path.realpath", "os.path.normpath") and len(strings) == 1:
        return Const(strings[0], node, anchored)
    return None


def _const_method(
    receiver: Const, name: str, args: list[Any], kwargs: dict[str, Any], node: cst.Call
) -> Any:
    value = receiver.value
    if not isinstance(value, str):
        return UNKNOWN
    if receiver.is_path:
        if name in ("resolve", "absolute", "expanduser"):
            return receiver
        if name == "joinpath":
            strings = _strings(args)
            if strings is None:
                return UNKNOWN
            return Const(os.path.join(value, *strings), node, receiver.anchored, is_path=True)
        if name == "as_posix":
            return Const(value, node, receiver.anchored)
        return UNKNOWN
    if name in ("upper", "lower", "strip") and not args:
        return Const(getattr(value, name)(), node, receiver.anchored)
    if name == "format":
        positional = _strings(args)
        named = {
            k: v.value
            for k, v in kwargs.items()
            if isinstance(v, Const) and isinstance(v.value, (str, int))
        }
        if positional is None or len(named) != len(kwargs) or _FIELD_ACCESS.search(value):
            return UNKNOWN
        try:
            return Const(value.format(*positional, **named), node, receiver.anchored)
        except (IndexError, KeyError, ValueError, AttributeError):
            return UNKNOWN
    return UNKNOWN
