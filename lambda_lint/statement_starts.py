"""Where each statement of a libcst tree starts, read from CPython's `ast` tree of the
same text.

libcst computes positions by generating code; CPython's `ast`, which the source check
builds anyway (`lambda_lint.source`), knows the line and column of every statement. Both
trees hold the same statements in the same order: a libcst `SimpleStatementLine` holds
one small statement per `ast` statement, and a compound statement is one `ast` statement
whose suites follow it. `statement_starts` walks both in step, checks that each pair is
the same kind of statement, and gives up (returns None) at the first difference, so a
caller falls back to libcst's own positions rather than use a wrong one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Sequence
from itertools import zip_longest
from typing import Optional

import libcst as cst

#: the fields of a compound statement that hold its suites, in source order (both trees)
SUITES = ("body", "handlers", "orelse", "finalbody", "cases")
#: libcst statement names that `ast` spells differently
AST_NAMES = {"Del": "Delete"}
#: libcst statements that `ast` names `Async...` when they are `async`
ASYNC = ("FunctionDef", "For", "With")

CstPair = tuple[Optional[cst.CSTNode], cst.CSTNode]


def statement_starts(
    module: cst.Module, tree: ast.Module, lines: Sequence[str]
) -> dict[cst.CSTNode, int] | None:
    """The lines before every `SimpleStatementLine` and compound statement of `module`
    (its leading blank and comment lines belong to it, not to those), or None when its statements do not pair up with those of `tree` (parsed from the
    same text, split into `lines`)."""
    found: dict[cst.CSTNode, int] = {}
    pairs = zip_longest(_cst_statements(module.body), _ast_statements(tree.body))
    for pair, statement in pairs:
        if pair is None or statement is None or _ast_name(pair[1]) != type(statement).__name__:
            return None
        holder = pair[0]
        if holder is None:
            continue
        first = statement.lineno
        leading = len(getattr(holder, "leading_lines", ()))
        decorators = getattr(statement, "decorator_list", ())
        if decorators:
            first = min(d.lineno for d in decorators)
            if not lines[first - 1].lstrip().startswith("@"):
                return None  # `@` on a line of its own, continued: not worth the guess
            leading += len(holder.decorators[0].leading_lines)  # type: ignore[attr-defined]
        found[holder] = first - 1 - leading
    return found


def _ast_name(node: cst.CSTNode) -> str:
    name = type(node).__name__
    if name in ASYNC and getattr(node, "asynchronous", None) is not None:
        return "Async" + name
    return AST_NAMES.get(name, name)


def _cst_statements(statements: Iterable[cst.CSTNode]) -> Iterator[CstPair]:
    """Every statement in source order, with the node whose start it gives: the line of
    the first small statement of a line, the compound statement itself, else None."""
    for item in statements:
        if isinstance(item, cst.SimpleStatementLine):
            for index, small in enumerate(item.body):
                yield (item if index == 0 else None), small
        elif isinstance(item, cst.BaseSmallStatement):  # in a one-line suite
            yield None, item
        else:
            yield item, item
            yield from _cst_statements(_inner(item))


def _inner(statement: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The statements of a compound statement's suites, in source order."""
    for name in SUITES:
        value = getattr(statement, name, None)
        for part in value if isinstance(value, (tuple, list)) else (value,):
            if part is None:
                continue
            if isinstance(part, cst.BaseCompoundStatement):  # an `elif`
                yield part
                continue
            suite = part if isinstance(part, cst.BaseSuite) else part.body  # except, else...
            yield from suite.body  # type: ignore[attr-defined]


def _ast_statements(statements: Iterable[ast.stmt]) -> Iterator[ast.stmt]:
    for statement in statements:
        yield statement
        for name in SUITES:
            for part in getattr(statement, name, ()):
                if isinstance(part, ast.stmt):
                    yield from _ast_statements((part,))
                else:  # an except handler, a match case
                    yield from _ast_statements(part.body)
