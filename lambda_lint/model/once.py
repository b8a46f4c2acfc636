"""Code that per-invocation code reaches but that runs once per execution environment,
rarely, or never.

These idioms make code that every invocation reaches run less often than that:
- a cache decorator (`functools.cache`, `functools.lru_cache`, `cachetools.cached`,
  ...): the function body runs once per distinct arguments;
- a lazy-initialisation guard (`if _client is None: _client = make()`, `if key not
  in CACHE: CACHE[key] = make()`, `_client = _client or make()`, `if not
  os.path.exists(path):` for a file kept in `/tmp`): the guarded code runs once, and
  so does everything it calls;
- a branch under a module-level boolean constant (`ASSUME_ROLE = False`, then `if
  ASSUME_ROLE:`): the branch never runs;
- a branch only the event of a rarely invoked trigger takes (`elif "RequestType" in
  event:`), and a function crhelper runs for stack requests (`@helper.create`);
- an `except` block, or a branch that logs an error and leaves: it runs when
  something failed.

This module answers, for one function, whether a statement only runs when a test on
state allowed it, and for the project, which functions a handler reaches on every
invocation: through calls that are neither cached nor guarded nor never taken.
Call sites in other files are judged on their own syntax tree, parsed on demand.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Collection, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Callable

import libcst as cst

from lambda_lint.model.calls import ChainStep, Reach
from lambda_lint.model.evidence import (
    answers_stack_requests,
    custom_resource_library,
    rare_event_keys,
    rare_trigger_read,
    signature_trigger,
)
from lambda_lint.model.flow import environment_read
from lambda_lint.model.names import dotted_name, string_value
from lambda_lint.model.project import FunctionKey, ProjectModel
from lambda_lint.model.scope import declared_global, function_scope, module_bindings, qualify
from lambda_lint.node_starts import NodeStarts
from lambda_lint.source import ParseProblem, SourceFile, parse_source
from lambda_lint.triggers import TRIGGERS
from lambda_lint.walk import children, descendants

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

Mentions = Callable[[cst.CSTNode], bool]
#: a question about one call on the way from a handler (does it run each time?)
StepTest = Callable[[ChainStep], bool]


# -- guards in one function --------------------------------------------------------------


def mentions_any(names: Collection[str]) -> Mentions:
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


def _ends_flow(body: cst.BaseSuite, raises: bool = True) -> bool:
    """The block ends in `return`, `continue`, `break` (or `raise`, with `raises`)."""
    statements = body.body
    if not statements:
        return False
    last = statements[-1]
    ends = TERMINATORS if raises else (cst.Return, cst.Continue, cst.Break)
    if isinstance(last, cst.SimpleStatementLine):
        return any(isinstance(small, ends) for small in last.body)
    return False


def _exit_tests_before(
    block: cst.IndentedBlock | cst.Module, child: cst.CSTNode
) -> Iterator[cst.BaseExpression]:
    """The tests of the `if <test>: return` (raise, continue, break) statements of
    `block` that come before `child`, in order."""
    for statement in block.body:
        if statement is child:
            return
        if isinstance(statement, cst.If) and _ends_flow(statement.body):
            yield statement.test


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
        elif isinstance(parent, (cst.IndentedBlock, cst.Module)) and any(
            mentions(test) for test in _exit_tests_before(parent, child)
        ):
            return True
    return False


def filled_places(
    function: cst.FunctionDef,
) -> tuple[list[cst.BaseExpression], list[cst.BaseExpression]]:
    """What a function body (not its nested functions) assigns to (`x = `, `x[k] = `,
    `x.a = `), and the containers it fills with `setdefault`."""
    targets: list[cst.BaseExpression] = []
    containers: list[cst.BaseExpression] = []
    for node in descendants(function.body, into_functions=False):
        if isinstance(node, cst.Assign):
            targets.extend(t.target for t in node.targets)
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
            targets.append(node.target)
        elif (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "setdefault"
        ):
            containers.append(node.func.value)
    return targets, containers


def _root_name(expression: cst.BaseExpression) -> cst.Name | None:
    node: cst.BaseExpression = expression
    while isinstance(node, (cst.Attribute, cst.Subscript, cst.Call)):
        node = node.func if isinstance(node, cst.Call) else node.value
    return node if isinstance(node, cst.Name) else None


#: `os.path` functions that tell whether a file exists (also called as `path.exists`
#: after `from os import path`), and the `pathlib.Path` methods that do (no arguments)
FILE_CHECKS = ("path.exists", "path.isfile", "path.lexists")
PATH_CHECKS = frozenset({"exists", "is_file"})


def checks_file(node: cst.CSTNode) -> bool:
    """Whether an expression asks whether a file exists (`os.path.exists(path)`,
    `Path(path).is_file()`). A file written to `/tmp` stays there for the later
    invocations of the execution environment, so code that runs only when it is
    missing (a download to `/tmp`) runs once per environment."""
    for call in (node, *descendants(node)):
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute):
            if (dotted_name(call.func) or "").endswith(FILE_CHECKS):
                return True
            if call.func.attr.value in PATH_CHECKS and not call.args:
                return True
    return False


def file_flags(function: cst.FunctionDef) -> set[str]:
    """The local names a function body binds to whether a file exists: to a value that
    checks (`cached = os.path.exists(path)`), or in the branch of an `if` that checks
    (`if os.path.exists(candidate): found = candidate`)."""
    flags: set[str] = set()
    for node in descendants(function.body, into_functions=False):
        if isinstance(node, cst.Assign) and checks_file(node.value):
            assigns: Iterator[cst.CSTNode] = iter((node,))
        elif isinstance(node, cst.If) and checks_file(node.test):
            assigns = descendants(node.body, into_functions=False)
        else:
            continue
        flags.update(
            target.target.value
            for assign in assigns
            if isinstance(assign, cst.Assign)
            for target in assign.targets
            if isinstance(target.target, cst.Name)
        )
    return flags


def lazy_places(function: cst.FunctionDef, module_names: Collection[str]) -> set[str]:
    """The dotted text of the places that outlive `function` and that it fills: the
    globals it assigns, the module-level containers and objects it writes into, and
    the attributes of `self`/`cls` it sets; and the local names that record whether a
    file exists (`file_flags`: the file outlives the invocation)."""
    scope = function_scope(function)
    targets, containers = filled_places(function)
    places: set[str] = file_flags(function)
    for target, container in [(t, False) for t in targets] + [(c, True) for c in containers]:
        if isinstance(target, cst.Name) and not container:
            if target.value in scope.declared_global:
                places.add(target.value)
            continue
        place = target.value if isinstance(target, cst.Subscript) and not container else target
        root = _root_name(place)
        if root is None:
            continue
        outlives = root.value in ("self", "cls") or (
            root.value in module_names
            and (root.value not in scope.local or root.value in scope.declared_global)
        )
        if outlives:
            places.add(dotted_name(place) or root.value)
    return places


def lazily_initialised(
    ancestors: Sequence[cst.CSTNode],
    places: Collection[str],
    extra: Mentions | None = None,
) -> bool:
    """Whether the node at the end of `ancestors` only runs when a test on one of the
    `places` its function fills (see `lazy_places`), or on a file (`checks_file`), says
    it is missing: a lazy initialisation. `extra` adds other tests that count."""
    filled = mentions_any(places)

    def mentions(node: cst.CSTNode) -> bool:
        return filled(node) or checks_file(node) or (extra is not None and extra(node))

    return runs_conditionally(ancestors, mentions)


# -- constant conditions -----------------------------------------------------------------


def boolean_constants(module: cst.Module) -> dict[str, bool]:
    """Module-level names bound once, to `True` or `False` (or to a read of a variable
    only local emulators set: false in Lambda), that no function rebinds (`global`):
    `ASSUME_ROLE_MODE = False`, `IS_OFFLINE = os.environ.get("IS_OFFLINE")`."""
    constants: dict[str, bool] = {}
    for name, binding in module_bindings(module).items():
        if binding.kind != "assign" or len(binding.values) != 1:
            continue
        value = binding.values[0]
        if isinstance(value, cst.Name) and value.value in ("True", "False"):
            constants[name] = value.value == "True"
        elif _reads_emulator_variable(value):
            constants[name] = False
    if not constants:
        return constants  # no candidate: the module need not be walked for `global`
    rebound = declared_global(module)
    return {name: value for name, value in constants.items() if name not in rebound}


@lru_cache(maxsize=1)
def local_emulator_variables() -> frozenset[str]:
    """Environment variables only tools emulating Lambda locally set
    (`data/local_emulators.json`, with their sources)."""
    data = json.loads((Path(__file__).parent / "data" / "local_emulators.json").read_text())
    return frozenset(entry["name"] for entry in data["variables"])


def _reads_emulator_variable(test: cst.BaseExpression) -> bool:
    """`os.environ.get("IS_OFFLINE")`, `os.getenv("AWS_SAM_LOCAL") == "true"`,
    `"IS_OFFLINE" in os.environ`, `os.environ["IS_LOCAL"]`: true only off Lambda."""
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        comparison = test.comparisons[0]
        if isinstance(comparison.operator, cst.In):
            return (
                dotted_name(comparison.comparator) == "os.environ"
                and string_value(test.left) in local_emulator_variables()
            )
        if isinstance(comparison.operator, cst.Equal):
            return _reads_emulator_variable(test.left)
        return False
    return environment_read(test, dotted_name) in local_emulator_variables()


def truth(test: cst.BaseExpression, constants: dict[str, bool]) -> bool | None:
    """The value a test always has, from literals and module-level boolean constants
    (`not`, `and`, `or` folded), and false for a read of a variable only tools that
    emulate Lambda locally set (`IS_OFFLINE`); None when it depends on anything else."""
    if isinstance(test, cst.Name):
        if test.value in ("True", "False"):
            return test.value == "True"
        return constants.get(test.value)
    if _reads_emulator_variable(test):
        return False
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = truth(test.expression, constants)
        return None if inner is None else not inner
    if isinstance(test, cst.BooleanOperation):
        left, right = truth(test.left, constants), truth(test.right, constants)
        if isinstance(test.operator, cst.And):
            if left is False or right is False:
                return False
            return True if left and right else None
        if left is True or right is True:
            return True
        return False if left is False and right is False else None
    return None


def never_runs(ancestors: Sequence[cst.CSTNode], constants: dict[str, bool]) -> bool:
    """Whether the node at the end of `ancestors` sits in a branch that a constant test
    rules out (`if DEBUG:` with `DEBUG = False`, the `else:` of `if True:`, `if
    "IS_OFFLINE" in os.environ:`), or after
    an `if <always true>: return` (raise, continue, break). Stops at the enclosing
    function."""
    for depth in range(len(ancestors) - 1, 0, -1):
        parent, child = ancestors[depth - 1], ancestors[depth]
        if isinstance(parent, (cst.FunctionDef, cst.Lambda)):
            return False
        if isinstance(parent, cst.IndentedBlock) and any(
            truth(test, constants) is True for test in _exit_tests_before(parent, child)
        ):
            return True
        if isinstance(parent, (cst.If, cst.IfExp, cst.While)) and child is not parent.test:
            value = truth(parent.test, constants)
            in_body = child is parent.body
            if value is not None and value != in_body:
                return True
        elif isinstance(parent, cst.BooleanOperation) and child is parent.right:
            value = truth(parent.left, constants)
            if value is not None and value == isinstance(parent.operator, cst.Or):
                return True
    return False


# -- branches for the events of a rarely invoked trigger -------------------------------------


def _key_read(node: cst.BaseExpression) -> str | None:
    """The key an item read takes: `x["K"]`, `x.get("K")`."""
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            key = index.value.evaluated_value
            return key if isinstance(key, str) else None
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "get"
        and node.args
        and isinstance(node.args[0].value, cst.SimpleString)
    ):
        key = node.args[0].value.evaluated_value
        return key if isinstance(key, str) else None
    return None


def _reads_key(node: cst.BaseExpression, keys: Collection[str]) -> bool:
    """Whether an item read, or one it is taken from, takes one of `keys`
    (`event["ResourceProperties"]["Bucket"]`)."""
    while isinstance(node, (cst.Subscript, cst.Call)):
        if _key_read(node) in keys:
            return True
        if isinstance(node, cst.Subscript):
            node = node.value
        elif isinstance(node.func, cst.Attribute):
            node = node.func.value
        else:
            return False
    return False


class RareEvents:
    """Tests that hold only for the event of a rarely invoked trigger, read through
    one of its own keys (`rare_event_keys`): `"RequestType" in event`,
    `event["RequestType"] == "Create"`, `event.get("SecretId")`, or such a comparison
    of a local name that holds the key's value (`kind = event["RequestType"]`)."""

    def __init__(self, keys: Collection[str]) -> None:
        self.keys = keys
        self._flags: dict[cst.FunctionDef, set[str]] = {}

    def flags(self, function: cst.FunctionDef) -> set[str]:
        """The local names the function binds to a read of one of the keys."""
        if function not in self._flags:
            self._flags[function] = {
                target.target.value
                for node in descendants(function.body, into_functions=False)
                if isinstance(node, cst.Assign) and _reads_key(node.value, self.keys)
                for target in node.targets
                if isinstance(target.target, cst.Name)
            }
        return self._flags[function]

    def holds_only_for_them(self, test: cst.BaseExpression, flags: Collection[str]) -> bool:
        """Whether `test` is true only for such an event (`flags`: the local names that
        hold one of the keys' values)."""
        if isinstance(test, cst.BooleanOperation):
            left = self.holds_only_for_them(test.left, flags)
            right = self.holds_only_for_them(test.right, flags)
            return (left or right) if isinstance(test.operator, cst.And) else (left and right)
        if isinstance(test, cst.Comparison):
            if len(test.comparisons) != 1:
                return False
            operator = test.comparisons[0].operator
            if isinstance(operator, cst.In) and isinstance(test.left, cst.SimpleString):
                return test.left.evaluated_value in self.keys
            return isinstance(operator, (cst.Equal, cst.In)) and self._reads(test.left, flags)
        return self._reads(test, flags)

    def _reads(self, node: cst.BaseExpression, flags: Collection[str]) -> bool:
        return (isinstance(node, cst.Name) and node.value in flags) or _reads_key(node, self.keys)

    def only_for_them(self, ancestors: Sequence[cst.CSTNode]) -> bool:
        """Whether the node at the end of `ancestors` sits in the body of an `if` (an
        `elif`, a conditional expression) whose test holds only for such an event: it
        runs when a custom resource request, a rotation step, ... comes in."""
        function = enclosing_function(ancestors)
        flags = self.flags(function) if function is not None else set()
        for depth in range(len(ancestors) - 1, 0, -1):
            parent, child = ancestors[depth - 1], ancestors[depth]
            if isinstance(parent, (cst.FunctionDef, cst.Lambda)):
                return False
            if (
                isinstance(parent, (cst.If, cst.IfExp))
                and child is parent.body
                and self.holds_only_for_them(parent.test, flags)
            ):
                return True
        return False


# -- what runs every time its function runs -------------------------------------------------

#: comprehensions: their element and later clauses run once per item, maybe never
COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


def always_runs(
    ancestors: Sequence[cst.CSTNode], matches: Callable[[cst.CSTNode], bool] | None = None
) -> bool:
    """Whether the node at the end of `ancestors` runs whenever its function does,
    barring exceptions: not in a loop body, an `except`/`else` of a `try`, a
    comprehension, the right side of `and`/`or`, a lambda, or after an earlier
    `if ...: return` (continue, break) of an enclosing block; and not in a branch of an
    `if`, unless `matches` accepts a statement of every branch of that `if` (an `else`
    included; a branch that ends in `raise` counts too): then the same thing happens
    whichever way the test goes."""
    depth = len(ancestors) - 1
    while depth > 0:
        parent, child = ancestors[depth - 1], ancestors[depth]
        depth -= 1
        if isinstance(parent, cst.FunctionDef):
            return True
        if isinstance(parent, cst.If) and child is not parent.test:
            while depth > 0 and isinstance(ancestors[depth - 1], cst.If):
                if ancestors[depth - 1].orelse is not ancestors[depth]:  # type: ignore[attr-defined]
                    break
                depth -= 1  # up an `elif` chain to its `if`
            if matches is None or not _covered(ancestors[depth], matches):  # type: ignore[arg-type]
                return False
        elif isinstance(parent, (cst.While, cst.IfExp)):
            if child is not parent.test:
                return False
        elif isinstance(parent, cst.For):
            if child is not parent.iter:
                return False
        elif isinstance(parent, (cst.Try, cst.TryStar)):
            if child is not parent.body and child is not parent.finalbody:
                return False
        elif isinstance(parent, cst.BooleanOperation):
            if child is parent.right:
                return False
        elif isinstance(parent, (cst.Match, cst.Lambda, *COMPREHENSIONS)):
            return False
        elif isinstance(parent, (cst.IndentedBlock, cst.Module)):
            for statement in parent.body:
                if statement is child:
                    break
                if isinstance(statement, cst.If) and _ends_flow(statement.body, raises=False):
                    return False
    return True


def _covered(top: cst.If, matches: Callable[[cst.CSTNode], bool]) -> bool:
    """Every branch of an `if`/`elif`/`else` chain (which must have an `else`) has a
    statement that `matches`, or ends in `raise`."""
    bodies: list[cst.BaseSuite] = []
    node: cst.If = top
    while True:
        bodies.append(node.body)
        if isinstance(node.orelse, cst.If):
            node = node.orelse
            continue
        if not isinstance(node.orelse, cst.Else):
            return False
        bodies.append(node.orelse.body)
        break
    return all(
        _ends_in_raise(body) or any(matches(statement) for statement in body.body)
        for body in bodies
    )


def _ends_in_raise(body: cst.BaseSuite) -> bool:
    last = body.body[-1] if body.body else None
    return isinstance(last, cst.SimpleStatementLine) and any(
        isinstance(small, cst.Raise) for small in last.body
    )


#: logging methods that report a failure
ERROR_LOGS = frozenset({"error", "exception", "critical", "fatal"})


def handles_errors(ancestors: Sequence[cst.CSTNode]) -> bool:
    """Whether the node at the end of `ancestors` is in an `except` block of its
    function, or in the branch of an `if` that reports a failure and leaves
    (`reports_failure`): it runs when something failed, not on every invocation."""
    for depth in range(len(ancestors) - 1, -1, -1):
        node = ancestors[depth]
        if isinstance(node, (cst.FunctionDef, cst.Lambda)):
            return False
        if isinstance(node, (cst.ExceptHandler, cst.ExceptStarHandler)):
            return True
        if (
            isinstance(node, cst.If)
            and depth + 1 < len(ancestors)
            and ancestors[depth + 1] is node.body
            and reports_failure(node.body)
        ):
            return True
    return False


def reports_failure(body: cst.BaseSuite) -> bool:
    """Whether a block logs an error (`logger.error(...)`, `logging.exception(...)`) and
    ends in `return` or `raise`: the way out of an invocation that failed (a malformed
    event, a call that gave nothing back)."""
    last = body.body[-1] if body.body else None
    if not (
        isinstance(last, cst.SimpleStatementLine)
        and any(isinstance(small, (cst.Return, cst.Raise)) for small in last.body)
    ):
        return False
    for statement in body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            call = small.value if isinstance(small, cst.Expr) else None
            if (
                isinstance(call, cst.Call)
                and isinstance(call.func, cst.Attribute)
                and call.func.attr.value in ERROR_LOGS
                and "log" in (dotted_name(call.func.value) or "").lower()
            ):
                return True
    return False


# -- statements that run before ------------------------------------------------------------


def preceded_by(ancestors: Sequence[cst.CSTNode], matches: Callable[[cst.CSTNode], bool]) -> bool:
    """Whether a statement that `matches` runs before the node at the end of `ancestors`
    on every path through the enclosing function: an earlier statement of the same
    block or of an enclosing block (not one nested in an earlier `if`, loop or `try`)."""
    for depth in range(len(ancestors) - 1, 0, -1):
        parent, child = ancestors[depth - 1], ancestors[depth]
        if isinstance(parent, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            return False
        if isinstance(parent, (cst.IndentedBlock, cst.Module)):
            for statement in parent.body:
                if statement is child:
                    break
                if isinstance(statement, cst.SimpleStatementLine) and matches(statement):
                    return True
    return False


# -- call sites in any file of the project ---------------------------------------------------


class ModuleTree:
    """One parsed module of the project: its calls by position, and what a call site
    needs to be judged (its ancestors, the module's names and boolean constants)."""

    def __init__(self, module: cst.Module, source: SourceFile) -> None:
        self.module = module
        self.source = source
        self._parents: dict[cst.CSTNode, cst.CSTNode] = {}
        stack: list[cst.CSTNode] = [module]
        while stack:
            node = stack.pop()
            for child in children(node):
                self._parents[child] = node
                stack.append(child)
        self._at: NodeStarts | None = None
        self.names = frozenset(module_bindings(module))
        self.constants = boolean_constants(module)
        self._places: dict[cst.FunctionDef, set[str]] = {}

    def call_at(self, line: int, column: int) -> cst.Call | None:
        """The call that starts at this position (as the index records call sites)."""
        found = self._starts().at(line, column)
        return found if isinstance(found, cst.Call) else None

    def function_at(self, line: int, column: int) -> cst.FunctionDef | None:
        """The function whose name starts at this position (as the index records
        functions)."""
        found = self._starts().at(line, column)
        parent = self._parents.get(found) if found is not None else None
        return parent if isinstance(parent, cst.FunctionDef) else None

    def _starts(self) -> NodeStarts:
        """The calls, function names and imported names the index records, by where
        they start."""
        if self._at is None:
            self._at = NodeStarts(self.module, self.source.ast, self.source.text)
        return self._at

    def ancestors(self, node: cst.CSTNode) -> list[cst.CSTNode]:
        """The nodes from the module down to `node`, `node` included."""
        found = [node]
        while found[-1] in self._parents:
            found.append(self._parents[found[-1]])
        return list(reversed(found))

    def places(self, function: cst.FunctionDef) -> set[str]:
        if function not in self._places:
            self._places[function] = lazy_places(function, self.names)
        return self._places[function]


def enclosing_function(ancestors: Sequence[cst.CSTNode]) -> cst.FunctionDef | None:
    return next((n for n in reversed(ancestors) if isinstance(n, cst.FunctionDef)), None)


class ProjectTrees:
    """The syntax trees of the project's files, parsed on first use from the text the
    run read (a file that could not be read or parsed has none)."""

    def __init__(self, model: ProjectModel) -> None:
        self.model = model
        self._trees: dict[Path, ModuleTree | None] = {}
        self.rare_events = RareEvents(rare_event_keys())

    def tree(self, path: Path) -> ModuleTree | None:
        if path not in self._trees:
            self._trees[path] = self._parse(self.model.texts.get(path))
        return self._trees[path]

    @staticmethod
    def _parse(text: str | None) -> ModuleTree | None:
        source = parse_source(text) if text is not None else None
        if not isinstance(source, SourceFile) or isinstance(source.cst, ParseProblem):
            return None
        return ModuleTree(source.cst, source)

    def site(self, step: ChainStep) -> tuple[ModuleTree, list[cst.CSTNode]] | None:
        """The tree of the caller's file and the ancestors of the call (the call last)."""
        tree = self.tree(step.caller[0])
        call = tree.call_at(step.call.line, step.call.column) if tree is not None else None
        if tree is None or call is None:
            return None
        return tree, tree.ancestors(call)

    def handles_errors(self, step: ChainStep) -> bool:
        """Whether the call is in an `except` block of its function."""
        found = self.site(step)
        return found is not None and handles_errors(found[1])

    def for_rare_events(self, step: ChainStep) -> bool:
        """Whether the call runs only for the events of a rarely invoked trigger (in the
        branch of an `if "RequestType" in event:`)."""
        found = self.site(step)
        return found is not None and self.rare_events.only_for_them(found[1])

    def runs_once(self, step: ChainStep) -> bool:
        """Whether the call runs at most once per environment (under a lazy
        initialisation guard of its function) or never (under a constant test)."""
        found = self.site(step)
        if found is None:
            return False
        tree, ancestors = found
        if never_runs(ancestors, tree.constants):
            return True
        function = enclosing_function(ancestors)
        return function is not None and lazily_initialised(ancestors, tree.places(function))


# -- what runs on every invocation -----------------------------------------------------------


def is_cached(model: ProjectModel, key: FunctionKey) -> bool:
    """Whether the function is decorated with a cache decorator."""
    function = model.function(key)
    module = model.modules.get(key[0])
    if function is None or module is None:
        return False
    return any(qualify(module, name) in CACHE_DECORATORS for name in function.decorators)


def entries(model: ProjectModel, reused_only: bool = False) -> list[FunctionKey]:
    """The handlers; with `reused_only`, only those whose execution environments serve
    many invocations (not a custom resource, a secret rotation, a pipeline action)."""
    keys = model.entry_points()
    return [k for k in keys if not rarely_invoked(model, k)] if reused_only else keys


def rarely_invoked(model: ProjectModel, key: FunctionKey) -> bool:
    """Whether the handler is invoked too rarely for its environment to be reused: as
    its triggers say (`Handler.rarely_invoked`), or, when nothing names a trigger, as
    its code says: it answers CloudFormation through a custom-resource library
    (`cfnresponse`, crhelper), or the event keys it reads are a rarely invoked
    trigger's own (`SecretId` and `ClientRequestToken`: a rotation; `event["RequestType"]`
    and `event["PhysicalResourceId"]` read on every path: a custom resource)."""
    handler = model.handlers[key]
    if handler.rarely_invoked or handler.triggers:
        return handler.rarely_invoked
    function, module = model.function(key), model.modules.get(key[0])
    if function is None or module is None:
        return False
    if custom_resource_library(module, function) is not None:
        return True
    read = dict(function.keys_read_always).get(handler.event_param or "", ())
    if rare_trigger_read(set(read)) is not None:
        return True
    names = [p.name for p in function.params]
    index = names.index(handler.event_param) if handler.event_param in names else 0
    trigger = signature_trigger(function, index)
    return trigger is not None and TRIGGERS[trigger].rarely_invoked


def _uncached(model: ProjectModel, reused_only: bool) -> Reach:
    """What the handlers reach without entering a cached function (with `reused_only`,
    nor a function that only stack requests run: `answers_stack_requests`)."""
    starts = entries(model, reused_only)

    def enter(key: FunctionKey) -> bool:
        if is_cached(model, key):
            return False
        return not (reused_only and for_stack_requests(model, key))

    return model.calls.reach(starts, enter)


def for_stack_requests(model: ProjectModel, key: FunctionKey) -> bool:
    """Whether crhelper runs the function for a kind of stack request."""
    function, module = model.function(key), model.modules.get(key[0])
    return function is not None and module is not None and answers_stack_requests(module, function)


def project_trees(model: ProjectModel) -> ProjectTrees:
    return model.analysis("ll3.trees", ProjectTrees)


def per_invocation_chain(
    model: ProjectModel,
    key: FunctionKey | None,
    blocked: StepTest | None = None,
    reused_only: bool = False,
) -> list[ChainStep] | None:
    """The calls from a handler to `key` along a path that every invocation taking it
    runs: no cached function on it, and no call that runs once (lazily initialised) or
    never (under a constant test). Empty for a handler itself; None when no such path
    exists (module scope, code no handler reaches, code reached only through a cached
    factory or a guarded call). `blocked` rules out more calls (a rule's own reason);
    `reused_only` starts only from handlers whose environments are reused (`entries`)."""
    if key is None:
        return None
    name = "ll3.uncached-reused" if reused_only else "ll3.uncached-invocation"
    reach = model.analysis(name, lambda model: _uncached(model, reused_only))
    chain = reach.chain(key)
    if chain is None:
        return None
    trees = project_trees(model)

    def stops(step: ChainStep) -> bool:
        if trees.runs_once(step) or (reused_only and trees.for_rare_events(step)):
            return True
        return blocked is not None and blocked(step)

    if not any(stops(step) for step in chain):
        return chain
    return _open_chain(model, reach, key, stops, set(entries(model, reused_only)))


def _open_chain(
    model: ProjectModel, reach: Reach, key: FunctionKey, stops: StepTest, starts: set[FunctionKey]
) -> list[ChainStep] | None:
    """A chain from one of the `starts` to `key` through reached functions and calls that
    do not stop, searched backwards from `key` over its callers; None when there is none."""
    toward: dict[FunctionKey, tuple[ChainStep, FunctionKey] | None] = {key: None}
    queue: deque[FunctionKey] = deque([key])
    while queue:
        current = queue.popleft()
        if current in starts:
            steps: list[ChainStep] = []
            link = toward[current]
            while link is not None:
                steps.append(link[0])
                link = toward[link[1]]
            return steps
        for caller, call in model.calls.callers(current):
            if caller in toward or caller not in reach:
                continue
            step = ChainStep(caller, call)
            if not stops(step):
                toward[caller] = (step, current)
                queue.append(caller)
    return None
