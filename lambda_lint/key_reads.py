"""The keys a function reads from its parameters on every path through it.

`event["RequestType"]` in the body of a function, with a string literal for the key, is
read on every path when nothing can skip it short of an exception: it is not in a branch
of an `if`, a loop's body, an `except`, `else` or `match` clause, a comprehension, a
lambda, a nested function or class, a conditional expression's branches or the right
side of `and`/`or`, and no `if ...: return` (`continue`, `break`) comes before it in an
enclosing block. A handler that reads two of a rarely invoked trigger's own keys that
way (a custom resource's `RequestType` and `PhysicalResourceId`) fails on any other
event, so that is the trigger it serves.
"""

from __future__ import annotations

import ast
import enum
from collections.abc import Iterator

from lambda_lint.ast_nodes import child_nodes

#: nodes whose insides may not run (a `match` statement is taken whole, its subject too)
_CONDITIONAL = tuple(
    getattr(ast, name)
    for name in ("Match", "Lambda", "ListComp", "SetComp", "DictComp", "GeneratorExp")
    if hasattr(ast, name)
)
_TRY = tuple(getattr(ast, name) for name in ("Try", "TryStar") if hasattr(ast, name))
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
#: nodes whose insides are not looked into
_OPAQUE = (*_SCOPES, *_CONDITIONAL)
_LEAVES = (ast.Return, ast.Continue, ast.Break)
#: statements that hold blocks (any other statement is a simple one)
_COMPOUND = (
    *_SCOPES,
    *_TRY,
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    *((ast.Match,) if hasattr(ast, "Match") else ()),
)


def keys_read_always(
    function: ast.FunctionDef | ast.AsyncFunctionDef,
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Per parameter name (in parameter order), the string keys the function's body
    subscripts it with on every path; parameters with none are left out."""
    arguments = function.args
    names = [a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]
    found: dict[str, set[str]] = {}
    for node in _always_run(function.body):
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id in names
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            found.setdefault(node.value.id, set()).add(node.slice.value)
    return tuple((name, tuple(sorted(found[name]))) for name in names if name in found)


def _always_run(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """The nodes of a function body that run whenever it does (see the module's doc),
    in no particular order (nodes that hold no other node, such as names, only where a
    statement or the body holds them directly)."""
    stack: list[ast.AST] = [*_up_to_a_way_out(body)]
    while stack:
        node = stack.pop()
        yield node
        kind = _KINDS.get(type(node))
        if kind is None:
            kind = _KINDS[type(node)] = _kind(node)
        if kind is _Kind.OPAQUE:
            continue
        if kind is _Kind.TESTED:
            stack.append(node.test)  # type: ignore[attr-defined]
        elif kind is _Kind.LOOP:
            stack.append(node.iter)  # type: ignore[attr-defined]
        elif kind is _Kind.SHORT_CIRCUIT:
            stack.append(node.values[0])  # type: ignore[attr-defined]
        elif kind is _Kind.TRY:
            stack += _up_to_a_way_out(node.body)  # type: ignore[attr-defined]
            stack += _up_to_a_way_out(node.finalbody)  # type: ignore[attr-defined]
        elif kind is _Kind.WITH:
            stack += node.items  # type: ignore[attr-defined]
            stack += _up_to_a_way_out(node.body)  # type: ignore[attr-defined]
        else:
            stack += child_nodes(node)


class _Kind(enum.Enum):
    """How `_always_run` goes into a node."""

    OPAQUE = enum.auto()
    TESTED = enum.auto()
    LOOP = enum.auto()
    SHORT_CIRCUIT = enum.auto()
    TRY = enum.auto()
    WITH = enum.auto()
    ALL = enum.auto()


def _kind(node: ast.AST) -> _Kind:
    if isinstance(node, _OPAQUE):
        return _Kind.OPAQUE
    if isinstance(node, (ast.If, ast.While, ast.IfExp)):
        return _Kind.TESTED
    if isinstance(node, (ast.For, ast.AsyncFor)):
        return _Kind.LOOP
    if isinstance(node, ast.BoolOp):
        return _Kind.SHORT_CIRCUIT
    if isinstance(node, _TRY):
        return _Kind.TRY
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return _Kind.WITH
    return _Kind.ALL


#: each node type's kind, found once
_KINDS: dict[type[ast.AST], _Kind] = {}


def _up_to_a_way_out(block: list[ast.stmt]) -> list[ast.stmt]:
    """The statements of a block up to the first `if ...: return` (`continue`,
    `break`), which is included: its test runs."""
    for index, statement in enumerate(block):
        if isinstance(statement, ast.If) and _leaves(statement.body):
            return block[: index + 1]
    return block


def _leaves(body: list[ast.stmt]) -> bool:
    """The block's last line holds a `return`, `continue` or `break` (`if x: return`,
    `if x: log(); return`)."""
    last = body[-1]
    if isinstance(last, _COMPOUND):
        return False
    return any(isinstance(s, _LEAVES) for s in body if s.lineno == last.lineno)
