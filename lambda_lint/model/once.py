"""Code that per-invocation code reaches but that runs once per execution environment.

Two idioms make a factory run once even though every invocation calls it: a cache
decorator (`functools.cache`, `functools.lru_cache`, `cachetools.cached`, ...) and a
lazy-initialisation guard (`if _client is None: _client = make()`, `if key not in
CACHE: CACHE[key] = make()`, `_client = _client or make()`). This module answers both:
which functions a handler reaches without passing through a cached function, and
whether a statement only runs when a test on some state allowed it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Callable

import libcst as cst

from lambda_lint.model.calls import ChainStep, Reach
from lambda_lint.model.names import dotted_name
from lambda_lint.model.project import FunctionKey, ProjectModel
from lambda_lint.model.scope import qualify
from lambda_lint.walk import descendants

#: decorators after which a function body runs once per distinct arguments
CACHE_DECORATORS = frozenset(
    {
        "functools.cache",
        "functools.lru_cache",
        "functools.cached_property",
        "cachetools.cached",
        "cachetools.func.lru_cache",
        "cachetools.func.ttl_cache",
        "cachetools.func.fifo_cache",
        "cachetools.func.lfu_cache",
        "cachetools.func.rr_cache",
    }
)
TERMINATORS = (cst.Return, cst.Raise, cst.Continue, cst.Break)


def is_cached(model: ProjectModel, key: FunctionKey) -> bool:
    """Whether the function is decorated with a cache decorator."""
    function = model.function(key)
    module = model.modules.get(key[0])
    if function is None or module is None:
        return False
    return any(qualify(module, name) in CACHE_DECORATORS for name in function.decorators)


def _uncached(model: ProjectModel) -> Reach:
    """What the handlers reach without entering a cached function: every function
    reached runs on each invocation that reaches it."""
    return model.calls.reach(model.entry_points(), lambda key: not is_cached(model, key))


def per_invocation_chain(model: ProjectModel, key: FunctionKey | None) -> list[ChainStep] | None:
    """The calls from a handler to `key` along a path with no cached function on it
    (empty for a handler itself); None when no such path exists (module scope, code no
    handler reaches, or code reached only through a cached factory)."""
    if key is None:
        return None
    return model.analysis("uncached-invocation", _uncached).chain(key)


# -- guards ------------------------------------------------------------------------


Mentions = Callable[[cst.CSTNode], bool]


def mentions_any(names: set[str]) -> Mentions:
    """A test for "this expression reads one of `names`": a dotted name (`_client`,
    `self._client`), or a string literal naming the last attribute (`hasattr(self,
    "_client")`)."""
    attributes = {name.rsplit(".", 1)[1] for name in names if "." in name}
    if not names:
        return lambda node: False

    def reads(node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.Name, cst.Attribute)):
            return dotted_name(node) in names
        if isinstance(node, cst.SimpleString):
            return node.evaluated_value in attributes
        return False

    def mentions(node: cst.CSTNode) -> bool:
        return reads(node) or any(reads(n) for n in descendants(node))

    return mentions


def _ends_flow(body: cst.BaseSuite) -> bool:
    statements = body.body
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, cst.SimpleStatementLine):
        return any(isinstance(small, TERMINATORS) for small in last.body)
    return False


def runs_conditionally(ancestors: Sequence[cst.CSTNode], mentions: Mentions) -> bool:
    """Whether the node at the end of `ancestors` runs only when a test that reads the
    mentioned state let it: in an `if`/`while`/conditional expression whose test reads
    it, right of an `and`/`or` whose left side reads it, after an earlier
    `if <test>: return` (or raise/continue/break) that reads it, or in an `except` of a
    `try` whose body reads it. Stops at the enclosing function."""
    for depth in range(len(ancestors) - 1, 0, -1):
        parent, child = ancestors[depth - 1], ancestors[depth]
        if isinstance(parent, (cst.FunctionDef, cst.Lambda)):
            return False
        if isinstance(parent, (cst.If, cst.While, cst.IfExp)) and child is not parent.test:
            if mentions(parent.test):
                return True
        elif isinstance(parent, cst.BooleanOperation) and child is parent.right:
            if mentions(parent.left):
                return True
        elif isinstance(parent, cst.Try) and isinstance(child, cst.ExceptHandler):
            if mentions(parent.body):
                return True
        elif isinstance(parent, (cst.IndentedBlock, cst.Module)):
            for statement in parent.body:
                if statement is child:
                    break
                if (
                    isinstance(statement, cst.If)
                    and _ends_flow(statement.body)
                    and mentions(statement.test)
                ):
                    return True
    return False
