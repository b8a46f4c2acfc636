"""Is a possibly-missing value checked before it is used?

A *subject* is the value that may be `None` or absent (`context.client_context`,
`event["queryStringParameters"]`). A use of it is guarded when, on every path to the
use, code has checked it: an enclosing `if`/conditional expression/`and`, an earlier
`if <missing>: return|continue|raise|break` in an enclosing block, an earlier `if
<missing>: name = <value>` that replaces it, an `assert`, or a
`try` that catches the error the use raises when the subject is missing (`KeyError`
for an absent key; `TypeError`/`AttributeError` for a `None` used as a value: a
`try` catching only `KeyError` does not make a `None` safe). Checks are recognised on
the subject itself, on a name holding it, and as `"key" in mapping` / `mapping.get(key)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Callable

import libcst as cst

from lambda_lint.index import CallSite
from lambda_lint.model.flow import literal_key
from lambda_lint.model.names import dotted_name
from lambda_lint.positions import Positions

#: does this expression denote the subject?
Subject = Callable[[cst.BaseExpression], bool]
#: does `"key" in this` test for the subject (this is the subject's container)?
Container = Callable[[cst.BaseExpression, str], bool]
#: a domain-specific check: does `test` evaluating to the given truth value imply that
#: the subject is present? (e.g. a DynamoDB record's `eventName` comparison)
Implies = Callable[[cst.BaseExpression, bool], bool]

TERMINATORS = (cst.Return, cst.Raise, cst.Continue, cst.Break)
#: handlers that catch any error
CATCH_ALL = frozenset({"Exception", "BaseException"})
#: what reading an absent key raises, by the names a handler may catch it with
KEY_ERRORS = frozenset({"KeyError", "LookupError"})
#: what using `None` as a mapping, sequence or object raises
NONE_ERRORS = frozenset({"TypeError", "AttributeError"})


def _present(
    test: cst.BaseExpression,
    subject: Subject,
    container: Container | None,
    implies: Implies | None = None,
) -> bool:
    """Whether `test` being true implies the subject is present and not None."""
    if implies is not None and implies(test, True):
        return True
    if subject(test):
        return True
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return _present(test.left, subject, container, implies) or _present(
            test.right, subject, container, implies
        )
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        comparison = test.comparisons[0]
        operator = comparison.operator
        if isinstance(operator, (cst.IsNot, cst.NotEqual)) and subject(test.left):
            return True
        if isinstance(operator, cst.In) and container is not None:
            key = literal_key(test.left)
            return key is not None and container(comparison.comparator, key)
    if isinstance(test, cst.Call):
        name = dotted_name(test.func)
        if name in ("isinstance", "bool", "len") and test.args and subject(test.args[0].value):
            return True
        if (
            isinstance(test.func, cst.Attribute)
            and test.func.attr.value == "get"
            and test.args
            and container is not None
        ):
            key = literal_key(test.args[0].value)
            return key is not None and container(test.func.value, key)
    if isinstance(test, cst.NamedExpr):
        return _present(test.value, subject, container, implies)
    return False


def _absent(
    test: cst.BaseExpression,
    subject: Subject,
    container: Container | None,
    implies: Implies | None = None,
) -> bool:
    """Whether `test` being false implies the subject is present: the condition of an
    early exit (`if x is None: return`) or of the branch skipped by an `else`."""
    if implies is not None and implies(test, False):
        return True
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _present(test.expression, subject, container, implies)
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        return _absent(test.left, subject, container, implies) or _absent(
            test.right, subject, container, implies
        )
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        comparison = test.comparisons[0]
        operator = comparison.operator
        if isinstance(operator, (cst.Is, cst.Equal)) and subject(test.left):
            return True
        if isinstance(operator, cst.NotIn) and container is not None:
            key = literal_key(test.left)
            return key is not None and container(comparison.comparator, key)
    return False


def _ends_flow(body: cst.BaseSuite) -> bool:
    statements: Sequence[cst.CSTNode] = body.body  # type: ignore[assignment]
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, cst.SimpleStatementLine):
        return any(isinstance(s, TERMINATORS) for s in last.body)
    return isinstance(last, TERMINATORS)


def is_guarded(
    ancestors: Sequence[cst.CSTNode],
    subject: Subject,
    container: Container | None = None,
    implies: Implies | None = None,
    raises: frozenset[str] = KEY_ERRORS | NONE_ERRORS,
    catch_all: bool = True,
) -> bool:
    """Whether the node at the end of `ancestors` (the use) is guarded; `raises` names
    the errors the use raises when the subject is missing. With `catch_all` false, a
    `try` guards only when it names one of those errors: a bare `except:` or `except
    Exception:` catches whatever fails, and says nothing about the subject."""
    for depth in range(len(ancestors) - 1, 0, -1):
        parent, child = ancestors[depth - 1], ancestors[depth]
        if isinstance(parent, (cst.FunctionDef, cst.Lambda)):
            return False
        if isinstance(parent, (cst.If, cst.While)):
            if child is parent.body and _present(parent.test, subject, container, implies):
                return True
            orelse = getattr(parent, "orelse", None)
            if child is orelse and _absent(parent.test, subject, container, implies):
                return True
        elif isinstance(parent, cst.IfExp):
            if child is parent.body and _present(parent.test, subject, container, implies):
                return True
            if child is parent.orelse and _absent(parent.test, subject, container, implies):
                return True
        elif isinstance(parent, cst.BooleanOperation) and child is parent.right:
            if isinstance(parent.operator, cst.And) and _present(
                parent.left, subject, container, implies
            ):
                return True
            if isinstance(parent.operator, cst.Or) and _absent(
                parent.left, subject, container, implies
            ):
                return True
        elif isinstance(parent, cst.Try) and child is parent.body:
            if any(_handles(h, raises, catch_all) for h in parent.handlers):
                return True
        elif isinstance(parent, (cst.IndentedBlock, cst.Module)) and _earlier_check(
            parent.body, child, subject, container, implies
        ):
            return True
    return False


def _handles(handler: cst.ExceptHandler, raises: frozenset[str], catch_all: bool) -> bool:
    if handler.type is None:
        return catch_all
    types = handler.type.elements if isinstance(handler.type, cst.Tuple) else [handler.type]
    names = {dotted_name(t.value if isinstance(t, cst.Element) else t) for t in types}
    return bool(names & ((raises | CATCH_ALL) if catch_all else raises))


def _earlier_check(
    statements: Sequence[cst.CSTNode],
    child: cst.CSTNode,
    subject: Subject,
    container: Container | None,
    implies: Implies | None,
) -> bool:
    for statement in statements:
        if statement is child:
            return False
        if (
            isinstance(statement, cst.If)
            and _absent(statement.test, subject, container, implies)
            and (_ends_flow(statement.body) or _replaces(statement.body, subject))
        ):
            return True
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assert) and _present(
                    small.test, subject, container, implies
                ):
                    return True
    return False


def _replaces(body: cst.BaseSuite, subject: Subject) -> bool:
    """Whether a block binds the name holding the subject to a value (`if not qs: qs =
    {}`): after it, the name holds something present either way."""
    for statement in body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if not isinstance(small, cst.Assign) or _is_none(small.value):
                continue
            if any(isinstance(t.target, cst.Name) and subject(t.target) for t in small.targets):
                return True
    return False


def _is_none(value: cst.BaseExpression) -> bool:
    return isinstance(value, cst.Name) and value.value == "None"


def call_ancestors(module: cst.Module, positions: Positions, call: CallSite) -> list[cst.CSTNode]:
    """The nodes from the module down to the call the index recorded at `call`'s
    position (empty when the module has no call there), for `is_guarded` on a caller."""
    wanted = (call.line, call.column)
    path: list[cst.CSTNode] = [module]
    children: Sequence[cst.CSTNode] = module.body
    while True:
        for child in children:
            try:
                start, end = positions.span(child)
            except KeyError:  # whitespace and comments have no span of their own
                continue
            if (start.line, start.column) <= wanted < (end.line, end.column):
                break
        else:
            return []
        path.append(child)
        if isinstance(child, cst.Call) and (start.line, start.column) == wanted:
            return path
        children = child.children
