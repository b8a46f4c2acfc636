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
from collections.abc import Iterator

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
    in no particular order."""
    stack: list[ast.AST] = [*_up_to_a_way_out(body)]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _OPAQUE):
            continue
        if isinstance(node, (ast.If, ast.While, ast.IfExp)):
            stack.append(node.test)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            stack.append(node.iter)
        elif isinstance(node, ast.BoolOp):
            stack.append(node.values[0])
        elif isinstance(node, _TRY):
            stack += _up_to_a_way_out(node.body)
            stack += _up_to_a_way_out(node.finalbody)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            stack += node.items
            stack += _up_to_a_way_out(node.body)
        else:
            stack += ast.iter_child_nodes(node)


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
