"""Plain data to JSON and back, guided by type hints: the cache's storage format.

`encode(value, hint)` turns a value of type `hint` into JSON-ready data and
`decode(data, hint)` rebuilds it, checking every part against the hint: data of any other
shape raises `ShapeError`, and nothing in the data decides which class is built (the hint
does), so a stored entry can never run code. Supported hints, nested freely:

- `str`, `int`, `float`, `bool`, `None`, `Any` (JSON values only), `pathlib.Path`, enums;
- dataclasses (every field, by its annotation; string annotations are resolved in the
  class's module, `X | None` included on Python 3.9), stored as the list of their
  fields' values in declaration order (a summary holds thousands of small records:
  their field names would be most of its text, and of the time reading it);
- `tuple[X, ...]`, `tuple[X, Y]`, `list[X]`, `set[X]`, `frozenset[X]`, `dict[K, V]`;
- `Optional[X]` and `Union[...]` (a union of several types is stored as `[index, value]`).

`shape(hint)` is a digest of the hint's structure (field names and types, recursively):
data stored under one shape is never decoded as another after a class changes.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import hashlib
import sys
import typing
from pathlib import PurePath
from typing import Any, Callable, Union

_NONE = type(None)
_SCALARS = (str, int, float, bool)


class ShapeError(ValueError):
    """A value or stored data that does not have the shape its type hint describes."""


# -- type hints -----------------------------------------------------------------------------


class _PipeToUnion(ast.NodeTransformer):
    """`A | B` -> `Union[A, B]`, so string annotations evaluate on Python 3.9 too."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.op, ast.BitOr):
            return node
        members = ast.Tuple(elts=[node.left, node.right], ctx=ast.Load())
        return ast.Subscript(
            value=ast.Name(id="__union__", ctx=ast.Load()), slice=members, ctx=ast.Load()
        )


def _evaluate(annotation: Any, owner: type) -> Any:
    if not isinstance(annotation, str):
        return annotation
    tree = _PipeToUnion().visit(ast.parse(annotation, mode="eval"))
    namespace = dict(vars(sys.modules[owner.__module__]))
    namespace.setdefault(owner.__name__, owner)
    namespace["__union__"] = Union
    try:
        code = compile(ast.fix_missing_locations(tree), "<annotation>", "eval")
        return eval(code, namespace)  # our own annotations, never stored data
    except Exception as error:
        raise ShapeError(f"cannot resolve {annotation!r} in {owner.__qualname__}") from error


_field_hints: dict[type, tuple[tuple[str, Any], ...]] = {}


def _fields(cls: type) -> tuple[tuple[str, Any], ...]:
    """The (name, resolved hint) of every field of a dataclass."""
    known = _field_hints.get(cls)
    if known is None:
        fields = dataclasses.fields(cls)
        if not all(f.init for f in fields):
            raise ShapeError(f"{cls.__qualname__} has fields its constructor does not take")
        known = _field_hints[cls] = tuple((f.name, _evaluate(f.type, cls)) for f in fields)
    return known


def _members(hint: Any) -> tuple[Any, tuple[Any, ...]]:
    """The container class of a generic hint and its arguments."""
    origin = typing.get_origin(hint)
    return (origin, typing.get_args(hint)) if origin is not None else (hint, ())


def _is_dataclass_type(hint: Any) -> bool:
    return isinstance(hint, type) and dataclasses.is_dataclass(hint)


# -- encoding -------------------------------------------------------------------------------


def encode(value: Any, hint: Any) -> Any:
    """`value` (of type `hint`) as JSON-ready data; `ShapeError` if it is not of that type."""
    origin, args = _members(hint)
    if hint is Any:
        return _plain(value)
    if hint is None or hint is _NONE:
        return _expect(value, value is None, hint)
    if origin is Union:
        return _encode_union(value, args)
    if hint in _SCALARS:
        return _expect(value, _is_scalar(value, hint), hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _plain(_expect(value, isinstance(value, hint), hint).value)
    if isinstance(hint, type) and issubclass(hint, PurePath):
        return str(_expect(value, isinstance(value, PurePath), hint))
    if _is_dataclass_type(hint):
        _expect(value, type(value) is hint, hint)
        return [encode(getattr(value, name), field) for name, field in _fields(hint)]
    if origin is tuple:
        _expect(value, isinstance(value, tuple), hint)
        return [encode(item, field) for item, field in zip(value, _tuple_fields(args, value))]
    if origin is list:
        _expect(value, isinstance(value, list), hint)
        return [encode(item, _only(args)) for item in value]
    if origin in (set, frozenset):
        _expect(value, isinstance(value, (set, frozenset)), hint)
        items = [encode(item, _only(args)) for item in value]
        return sorted(items, key=repr)
    if origin is dict:
        _expect(value, isinstance(value, dict), hint)
        key_hint, value_hint = args or (Any, Any)
        if key_hint is str:
            return {
                _expect(k, isinstance(k, str), str): encode(v, value_hint) for k, v in value.items()
            }
        return [[encode(k, key_hint), encode(v, value_hint)] for k, v in value.items()]
    raise ShapeError(f"unsupported type hint {hint!r}")


def _expect(value: Any, ok: bool, hint: Any) -> Any:
    if not ok:
        raise _mismatch(hint, value)
    return value


def _mismatch(hint: Any, value: Any) -> ShapeError:
    """The error for `value` where a value of type `hint` was expected (the decoders on
    the hottest paths test inline and raise it themselves)."""
    return ShapeError(f"expected {hint!r}, got {type(value).__name__}")


def _is_scalar(value: Any, hint: type) -> bool:
    if hint is float:
        return type(value) in (float, int)
    return type(value) is hint


def _plain(value: Any) -> Any:
    """A value of an `Any` field: JSON data as it is, nothing else."""
    if value is None or type(value) in _SCALARS:
        return value
    if type(value) is list:
        return [_plain(item) for item in value]
    if type(value) is dict and all(type(key) is str for key in value):
        return {key: _plain(item) for key, item in value.items()}
    raise ShapeError(f"{type(value).__name__} is not plain JSON data")


def _only(args: tuple[Any, ...]) -> Any:
    return args[0] if args else Any


def _tuple_fields(args: tuple[Any, ...], value: Any) -> list[Any]:
    """The hint of each item of a tuple: `tuple[X, ...]` or one hint per position."""
    if not args or (len(args) == 2 and args[1] is Ellipsis):
        return [_only(args)] * len(value)
    if args == ((),):  # `tuple[()]`
        args = ()
    if len(value) != len(args):
        raise ShapeError(f"expected {len(args)} items, got {len(value)}")
    return list(args)


def _encode_union(value: Any, args: tuple[Any, ...]) -> Any:
    if value is None and _NONE in args:
        return None
    options = [arg for arg in args if arg is not _NONE]
    if len(options) == 1:
        return encode(value, options[0])
    for index, option in enumerate(options):
        try:
            return [index, encode(value, option)]
        except ShapeError:
            continue
    raise ShapeError(f"{type(value).__name__} is none of {options!r}")


# -- decoding -------------------------------------------------------------------------------


def decode(data: Any, hint: Any) -> Any:
    """The value of type `hint` that `encode` stored as `data`; `ShapeError` if `data`
    does not have that shape."""
    return _decoder(hint)(data)


Decoder = Callable[[Any], Any]
_decoders: dict[Any, Decoder] = {}


def _decoder(hint: Any) -> Decoder:
    """The decoding function of `hint`, worked out once (a summary holds thousands of
    values of a few types)."""
    known = _decoders.get(hint)
    if known is None:
        # a self-referring dataclass finds its own decoder while it is being built
        _decoders[hint] = lambda data: _decoders[hint](data)
        try:
            known = _decoders[hint] = _build_decoder(hint)
        except ShapeError:
            del _decoders[hint]
            raise
    return known


def _build_decoder(hint: Any) -> Decoder:
    origin, args = _members(hint)
    if hint is Any:
        return _plain
    if hint is None or hint is _NONE:
        return lambda data: _expect(data, data is None, hint)
    if origin is Union:
        return _union_decoder(args)
    if hint in _SCALARS:
        if hint is float:
            return lambda data: float(_expect(data, type(data) in (float, int), hint))
        return _scalar_decoder(hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return lambda data: _enum_member(hint, data)
    if isinstance(hint, type) and issubclass(hint, PurePath):
        return _path_decoder(hint)
    if _is_dataclass_type(hint):
        return _dataclass_decoder(hint)
    if origin is tuple:
        return _tuple_decoder(hint, args)
    if origin in (list, set, frozenset):
        item = _decoder(_only(args))
        return lambda data: origin(map(item, _expect(data, isinstance(data, list), hint)))
    if origin is dict:
        return _dict_decoder(hint, args)
    raise ShapeError(f"unsupported type hint {hint!r}")


def _enum_member(hint: type[enum.Enum], data: Any) -> Any:
    try:
        return hint(data)
    except (ValueError, TypeError) as error:
        raise ShapeError(f"{data!r} is not a {hint.__name__}") from error


def _path_decoder(hint: type[PurePath]) -> Decoder:
    """Paths are immutable and a project has few: each is built once and shared (the
    stored call tables alone name a project's files tens of thousands of times)."""
    known: dict[str, PurePath] = {}

    def run(data: Any) -> Any:
        if type(data) is not str:
            raise _mismatch(str, data)
        found = known.get(data)
        if found is None:
            found = known[data] = hint(data)
        return found

    return run


def _scalar_decoder(hint: type) -> Decoder:
    def run(data: Any) -> Any:
        if type(data) is hint:
            return data
        raise _mismatch(hint, data)

    return run


def _dataclass_decoder(hint: type) -> Decoder:
    fields = _fields(hint)
    # every field is an argument of `__init__` (see `_fields`), in order: positionally
    # unless some are keyword-only (a tenth faster than by keyword)
    positional = not any(getattr(f, "kw_only", False) for f in dataclasses.fields(hint))
    names = [None if positional else name for name, _ in fields]
    return _record_decoder(hint, [field for _, field in fields], names, "hint({})")


def _tuple_decoder(hint: Any, args: tuple[Any, ...]) -> Decoder:
    if not args or (len(args) == 2 and args[1] is Ellipsis):
        return _sequence_decoder(hint, _only(args))
    if args == ((),):  # `tuple[()]`
        args = ()
    return _record_decoder(hint, list(args), [None] * len(args), "({},)" if args else "()")


def _record_decoder(hint: Any, hints: list[Any], names: list[str | None], build: str) -> Decoder:
    """The decoder of a record stored as a list of values of `hints` (a dataclass, a
    tuple of fixed length), written for it as `dataclasses` writes `__init__`: a
    summary holds tens of thousands of records, most of whose values are strings,
    numbers and flags, tested in line here instead of by a decoder call each. `build`
    makes the value of its arguments (`names`: by keyword where given)."""
    namespace: dict[str, Any] = {"hint": hint, "mismatch": _mismatch}
    lines = [
        "def run(data):",
        f"    if type(data) is not list or len(data) != {len(hints)}:",
        "        raise mismatch(hint, data)",
    ]
    arguments = []
    for index, (name, item_hint) in enumerate(zip(names, hints)):
        value = f"v{index}"
        lines.append(f"    {value} = data[{index}]")
        test, argument = _inline_test(item_hint, value)
        if test is None:
            namespace[f"d{index}"] = _decoder(item_hint)
            argument = f"d{index}({value})"
        else:
            namespace[f"h{index}"] = item_hint
            lines += [f"    if {test}:", f"        raise mismatch(h{index}, {value})"]
        arguments.append(argument if name is None else f"{name}={argument}")
    lines.append(f"    return {build.format(', '.join(arguments))}")
    exec("\n".join(lines), namespace)  # built from our own type hints, never from data
    return namespace["run"]  # type: ignore[no-any-return]


def _inline_test(hint: Any, name: str) -> tuple[str | None, str]:
    """For a value of a plain type (`str`, `int`, `bool`, `float`, one of them or None):
    the test that the stored value `name` is not of it, and the value it gives;
    `(None, "")` for any other type."""
    origin, args = _members(hint)
    optional = origin is Union and len(args) == 2 and _NONE in args
    inner = next(arg for arg in args if arg is not _NONE) if optional else hint
    if inner not in _SCALARS:
        return None, ""
    if inner is float:
        test, argument = f"type({name}) not in (float, int)", f"float({name})"
    else:
        test, argument = f"type({name}) is not {inner.__name__}", name
    if optional:
        return f"{name} is not None and {test}", f"None if {name} is None else {argument}"
    return test, argument


def _sequence_decoder(hint: Any, item_hint: Any) -> Decoder:
    """`tuple[X, ...]`: most stored ones are empty, or of strings (dotted names, keys)."""
    if item_hint in (str, int, bool):

        def scalars(data: Any) -> Any:
            if type(data) is not list:
                raise _mismatch(hint, data)
            for value in data:
                if type(value) is not item_hint:
                    raise _mismatch(hint, data)
            return tuple(data)

        return scalars
    item = _decoder(item_hint)

    def run(data: Any) -> Any:
        if type(data) is not list:
            raise _mismatch(hint, data)
        return tuple([item(value) for value in data]) if data else ()

    return run


def _dict_decoder(hint: Any, args: tuple[Any, ...]) -> Decoder:
    key_hint, value_hint = args or (Any, Any)
    value = _decoder(value_hint)
    if key_hint is str:
        return lambda data: {
            k: value(v) for k, v in _expect(data, isinstance(data, dict), hint).items()
        }
    key = _decoder(key_hint)

    def run(data: Any) -> Any:
        _expect(data, isinstance(data, list) and all(_is_pair(p) for p in data), hint)
        return {key(k): value(v) for k, v in data}

    return run


def _is_pair(data: Any) -> bool:
    return isinstance(data, list) and len(data) == 2


def _union_decoder(args: tuple[Any, ...]) -> Decoder:
    optional = _NONE in args
    options = [_decoder(arg) for arg in args if arg is not _NONE]
    if len(options) == 1:
        (only,) = options
        return lambda data: None if data is None and optional else only(data)

    def run(data: Any) -> Any:
        if data is None and optional:
            return None
        _expect(data, _is_pair(data) and type(data[0]) is int, Union)
        index, item = data
        if not 0 <= index < len(options):
            raise ShapeError(f"no union member {index}")
        return options[index](item)

    return run


# -- shapes ---------------------------------------------------------------------------------


_shapes: dict[Any, str] = {}


def shape(hint: Any) -> str:
    """A digest of the structure of `hint`: it changes when a field of a dataclass inside
    it is added, removed, renamed or retyped. (Worked out once per hint: every cache
    entry read or written checks it.)"""
    known = _shapes.get(hint)
    if known is None:
        described = _describe(hint, set()).encode("utf-8")
        known = _shapes[hint] = hashlib.sha256(described).hexdigest()[:16]
    return known


def _describe(hint: Any, seen: set[type]) -> str:
    if _is_dataclass_type(hint):
        name = f"{hint.__module__}.{hint.__qualname__}"
        if hint in seen:
            return name
        seen = seen | {hint}
        fields = ",".join(f"{n}:{_describe(h, seen)}" for n, h in _fields(hint))
        return f"{name}({fields})"
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return f"{hint.__qualname__}{sorted(repr(m.value) for m in hint)}"
    origin, args = _members(hint)
    if args:
        inner = ",".join(_describe(arg, seen) for arg in args)
        return f"{getattr(origin, '__name__', repr(origin))}[{inner}]"
    return getattr(hint, "__name__", repr(hint))
