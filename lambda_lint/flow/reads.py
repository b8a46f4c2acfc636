"""Which names a block of IR may read before it assigns them itself.

The engine runs a loop body again only while the state at the loop head changes for a
name the body reads before assigning it (an upward-exposed read): a name the body
always assigns before reading gets the same value on every pass. This module computes
those names, conservatively: an assignment inside a branch, a loop or a `try` does not
count as made, any read counts.
"""

from __future__ import annotations

from lambda_lint.flow import ir


def exposed_reads(
    body: ir.Body, assigned: frozenset[str] = frozenset(), first: ir.Expr | None = None
) -> frozenset[str]:
    """The names `body` may read before assigning them (`assigned`: names bound before
    it runs, like a loop's target; `first`: an expression read before it, like a
    `while` test)."""
    reads: set[str] = set()
    if first is not None:
        _expression(first, set(assigned), reads)
    _block(body, set(assigned), reads)
    return frozenset(reads)


def bound_names(target: ir.Expr) -> frozenset[str]:
    """The names an assignment target binds."""
    assigned: set[str] = set()
    _target(target, assigned, set())
    return frozenset(assigned)


def _block(body: ir.Body, assigned: set[str], reads: set[str]) -> None:
    """Add to `reads` what `body` reads that `assigned` (updated in place as the block
    assigns names on every path) does not cover."""
    for statement in body:
        if isinstance(statement, ir.Assign):
            _expression(statement.value, assigned, reads)
            for target in statement.targets:
                _target(target, assigned, reads)
        elif isinstance(statement, (ir.If, ir.While, ir.For, ir.Try, ir.With, ir.Match)):
            _compound(statement, assigned, reads)
        else:
            for child in ir.children(statement):
                _expression(child, assigned, reads)
            if isinstance(statement, ir.AugAssign):
                _target(statement.target, assigned, reads)


def _compound(statement: ir.Stmt, assigned: set[str], reads: set[str]) -> None:
    """A statement with blocks: its expressions are read; each block is read with
    what is assigned so far, and nothing it assigns counts afterwards."""
    if isinstance(statement, ir.Try):
        handlers = statement.handlers
        expressions = [h.type for h in handlers]
        blocks = [
            statement.body,
            statement.orelse,
            statement.finalbody,
            *(h.body for h in handlers),
        ]
    elif isinstance(statement, ir.Match):
        expressions = [statement.subject, *(c.guard for c in statement.cases)]
        blocks = [c.body for c in statement.cases]
    elif isinstance(statement, ir.With):
        expressions = [e for item in statement.items for e in (item.expr, item.target)]
        blocks = [statement.body]
    else:  # if, while, for (a loop target counts as read: conservative)
        expressions = [c for c in ir.children(statement) if not isinstance(c, ir.Stmt)]
        blocks = [statement.body, statement.orelse]  # type: ignore[attr-defined]
    for expression in expressions:
        if expression is not None:
            _expression(expression, assigned, reads)
    for block in blocks:
        _block(block, set(assigned), reads)


def _target(target: ir.Expr, assigned: set[str], reads: set[str]) -> None:
    """An assignment target: a name is assigned; a subscript or attribute reads its
    container."""
    if isinstance(target, ir.Name):
        assigned.add(target.id)
    elif isinstance(target, ir.Container):
        for element in target.elements:
            _target(element, assigned, reads)
    elif isinstance(target, ir.Starred):
        _target(target.value, assigned, reads)
    else:
        _expression(target, assigned, reads)


def _expression(expr: ir.Node, assigned: set[str], reads: set[str]) -> None:
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Name):
            if node.id not in assigned:
                reads.add(node.id)
        else:
            stack.extend(ir.children(node))
