"""Value flow inside one function of a libcst tree, for the rules of the check stage:
which expressions carry the event, the context, or data derived from them.

The analysis is seeded with what each parameter holds and computes, for any expression
of the function, the set of `Ref`s it may evaluate to: a root (the event of a trigger,
the context, or symbolically "parameter i") plus an access path (`("Records", "*",
"body")`). It follows assignments (also tuple unpacking and `:=`), `for` loops and
comprehensions (a list item is `*`), literal subscripts and `.get`, decoders
(`json.loads` appends `<json>`, base64 `<base64>`, `unquote_plus` `<unquoted>`), and
anything else computed from a ref (`~`: derived, shape unknown). It is flow-insensitive
(a name holds the union of everything assigned to it), which is what its consumers
need: guards are a separate question (`lambda_lint.model.guards`).

Calls into other project functions are followed through a `CallResolver`: the check
stage asks the project model what a callee returns, which the index recorded with the
flow-sensitive engine of `lambda_lint.flow` (the same path steps and roots).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Callable, Union

import libcst as cst

from lambda_lint.model.names import dotted_name, string_value
from lambda_lint.walk import Visitor

ITEM = "*"
DERIVED = "~"
JSON = "<json>"
BASE64 = "<base64>"
UNQUOTED = "<unquoted>"
UNKNOWN_KEY = "?"
MAX_PATH = 10

DECODERS = {
    "json.loads": JSON,
    "loads": JSON,
    "base64.b64decode": BASE64,
    "b64decode": BASE64,
    "base64.standard_b64decode": BASE64,
    "base64.urlsafe_b64decode": BASE64,
    "urllib.parse.unquote_plus": UNQUOTED,
    "parse.unquote_plus": UNQUOTED,
    "unquote_plus": UNQUOTED,
    "urllib.parse.unquote": UNQUOTED,
    "unquote": UNQUOTED,
}
#: calls that hand back (a view of) their argument unchanged
PASS_THROUGH = {"list", "tuple", "dict", "copy.copy", "copy.deepcopy", "sorted", "reversed"}
#: methods of a dict or list that return the same data
SAME_DATA_METHODS = {"copy"}


@dataclass(frozen=True)
class Ref:
    """A value reached from a root by an access path.

    `root` is "event", "context" or "param" (symbolic, in summaries: `index` says which
    parameter); `trigger` is the trigger of the event when known.
    """

    root: str
    path: tuple[str, ...] = ()
    trigger: str | None = None
    index: int = -1
    #: how the value was read: "" by subscript, "get" by `.get(key)` (None when the key
    #: is missing), "absent" by `.get(key, default)` (a missing key is defaulted), "null"
    #: by `value or default` (a missing key read with `.get`, or a None value, defaulted)
    default: str = ""

    def extend(self, *keys: str) -> Ref:
        if not keys:
            return self
        path = self.path
        for key in keys:
            if path and path[-1] == DERIVED:
                break
            path = (*path, key)
        if len(path) > MAX_PATH:
            path = (*path[:MAX_PATH], DERIVED)
        return Ref(self.root, path, self.trigger, self.index)

    def defaulted(self, how: str) -> Ref:
        return Ref(self.root, self.path, self.trigger, self.index, how)

    @property
    def exact(self) -> bool:
        """Whether the path names a place in the event (no derived step, no decoding)."""
        return not any(step in (DERIVED, JSON, BASE64, UNQUOTED, UNKNOWN_KEY) for step in self.path)


Refs = frozenset[Ref]
EMPTY: Refs = frozenset()

#: given a call node, what the callee returns, in terms of the call's argument refs
CallResolver = Callable[[cst.Call, "FunctionFlow"], Union[Refs, None]]


def literal_key(node: cst.BaseExpression) -> str | None:
    """The text of a string or int literal used as a key, else None."""
    # `type(...) is`, not isinstance: see `walk.node_types`
    if type(node) is cst.SimpleString:
        return string_value(node)
    if type(node) is cst.Integer:
        return ITEM
    if type(node) is cst.UnaryOperation and type(node.expression) is cst.Integer:
        return ITEM
    return None


def subscript_key(node: cst.Subscript) -> str | None:
    """The key of `x["k"]` / `x[0]`; `*` for any integer index; None for slices and
    computed keys."""
    if len(node.slice) != 1:
        return None
    element = node.slice[0].slice
    if isinstance(element, cst.Index):
        return literal_key(element.value)
    return None


#: how a variable is read from the environment
ENV_READS = frozenset({"os.getenv", "os.environ.get"})


def environment_read(
    node: cst.BaseExpression, qualified: Callable[[cst.CSTNode], str | None]
) -> str | None:
    """The environment variable `node` reads: `os.environ["X"]`, `os.environ.get("X")`,
    `os.getenv("X")`, by the names `qualified` gives the callee and the mapping; None
    for anything else."""
    if isinstance(node, cst.Call):
        if node.args and qualified(node.func) in ENV_READS:
            return string_value(node.args[0].value)
        return None
    if isinstance(node, cst.Subscript) and qualified(node.value) == "os.environ":
        return subscript_key(node)
    return None


class FunctionFlow:
    """The value flow of one function body, seeded with its parameters' refs."""

    def __init__(
        self,
        function: cst.FunctionDef | cst.Lambda | None,
        seeds: Mapping[str, Refs],
        resolve_call: CallResolver | None = None,
        body: Iterable[cst.CSTNode] | None = None,
    ) -> None:
        self.function = function
        self.resolve_call = resolve_call
        self.env: dict[str, Refs] = dict(seeds)
        self._memo: dict[cst.CSTNode, Refs] = {}
        #: each binding: its target, the expression bound, and the path step the bound
        #: value adds to what the expression holds (None: the same value)
        self._bindings: list[tuple[cst.CSTNode, cst.CSTNode, str | None]] = []
        if not any(self.env.values()) and resolve_call is None:
            return  # nothing flows in: every name keeps what it was seeded with
        nodes = body if body is not None else ([function.body] if function is not None else [])
        collector = _BindingCollector(self)
        for node in nodes:
            collector.walk(node)
        self._solve()

    # -- solving ------------------------------------------------------------------

    def _solve(self) -> None:
        for _ in range(6):
            self._memo.clear()
            changed = False
            for target, value, step in self._bindings:
                refs = self.refs(value)
                if step is not None:
                    refs = frozenset(r.extend(step) for r in refs)
                if self._bind(target, refs):
                    changed = True
            if not changed:
                break
        self._memo.clear()

    def _bind(self, target: cst.CSTNode, refs: Refs) -> bool:
        if isinstance(target, cst.Name):
            old = self.env.get(target.value, EMPTY)
            new = old | refs
            if new != old:
                self.env[target.value] = new
                return True
            return False
        if isinstance(target, (cst.Tuple, cst.List)):
            derived = frozenset(r.extend(DERIVED) for r in refs)
            changed = False
            for element in target.elements:
                changed |= self._bind(element.value, derived)
            return changed
        if isinstance(target, cst.StarredElement):
            return self._bind(target.value, refs)
        return False  # attributes and subscripts do not bind names

    def add_binding(self, target: cst.CSTNode, value: cst.CSTNode, step: str | None = None) -> None:
        """`target` is bound to what `value` holds, extended by `step` if given."""
        self._bindings.append((target, value, step))

    # -- evaluation -----------------------------------------------------------------

    def refs(self, node: cst.CSTNode) -> Refs:
        """What an expression of this function may hold."""
        if not self.env and self.resolve_call is None:
            return EMPTY
        cached = self._memo.get(node)
        if cached is None:
            self._memo[node] = EMPTY  # cycles through the memo end empty
            cached = self._memo[node] = self._evaluate(node)
        return cached

    def _derived(self, *nodes: cst.CSTNode | None) -> Refs:
        result: set[Ref] = set()
        for node in nodes:
            if node is not None:
                result.update(r.extend(DERIVED) for r in self.refs(node))
        return frozenset(result)

    def _evaluate(self, node: cst.CSTNode) -> Refs:
        # the commonest first, by `type(...) is` (not isinstance: see `walk.node_types`)
        if type(node) is cst.Name:
            return self.env.get(node.value, EMPTY)
        if type(node) is cst.Subscript:
            base = self.refs(node.value)
            if not base:
                return EMPTY
            key = subscript_key(node)
            if key is None and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Slice):
                return base  # a slice of a list is the same list
            return frozenset(r.extend(key or UNKNOWN_KEY) for r in base)
        if type(node) is cst.Call:
            return self._call(node)
        if type(node) is cst.Attribute:
            base = self.refs(node.value)
            return frozenset(
                r.extend(node.attr.value)
                if r.root == "context" and not r.path
                else r.extend(DERIVED)
                for r in base
            )
        if type(node) is cst.BooleanOperation:
            left = self.refs(node.left)
            if isinstance(node.operator, cst.Or):
                left = frozenset(r.defaulted("null") for r in left)
            return left | self.refs(node.right)
        if type(node) is cst.IfExp:
            return self.refs(node.body) | self.refs(node.orelse)
        if type(node) is cst.Await:
            return self.refs(node.expression)
        if type(node) is cst.NamedExpr:
            return self.refs(node.value)
        if type(node) is cst.BinaryOperation:
            return self._derived(node.left, node.right)
        if type(node) is cst.UnaryOperation:
            return self._derived(node.expression)
        if type(node) is cst.FormattedString:
            return self._derived(
                *(p.expression for p in node.parts if isinstance(p, cst.FormattedStringExpression))
            )
        if type(node) is cst.ConcatenatedString:
            return self._derived(node.left, node.right)
        if type(node) in (cst.List, cst.Tuple, cst.Set):
            return self._derived(*(e.value for e in node.elements))
        if type(node) is cst.Dict:
            parts: list[cst.CSTNode] = []
            for element in node.elements:
                if isinstance(element, cst.DictElement):
                    parts.extend((element.key, element.value))
                else:
                    parts.append(element.value)
            return self._derived(*parts)
        if type(node) in (cst.ListComp, cst.SetComp, cst.GeneratorExp):
            return self._derived(node.elt)
        if type(node) is cst.DictComp:
            return self._derived(node.key, node.value)
        if type(node) is cst.Comparison:
            return EMPTY
        return EMPTY

    def _call(self, node: cst.Call) -> Refs:
        func = node.func
        name = dotted_name(func)
        first = node.args[0].value if node.args else None
        if isinstance(func, cst.Attribute) and func.attr.value == "get" and first is not None:
            base = self.refs(func.value)
            if base:
                key = literal_key(first) or UNKNOWN_KEY
                has_default = len(node.args) > 1 and not (
                    isinstance(node.args[1].value, cst.Name) and node.args[1].value.value == "None"
                )
                how = "absent" if has_default else "get"
                return frozenset(r.extend(key).defaulted(how) for r in base)
        if name in DECODERS and first is not None:
            marker = DECODERS[name]
            return frozenset(r.extend(marker) for r in self.refs(first))
        if name in PASS_THROUGH and first is not None and len(node.args) == 1:
            return self.refs(first)
        if isinstance(func, cst.Attribute):
            receiver = self.refs(func.value)
            if func.attr.value in SAME_DATA_METHODS and receiver:
                return receiver
            if func.attr.value == "decode" and receiver:
                return receiver  # bytes.decode keeps the data what it was
            if receiver:
                return frozenset(r.extend(DERIVED) for r in receiver)
        if self.resolve_call is not None:
            resolved = self.resolve_call(node, self)
            if resolved is not None:
                return resolved
        return self._derived(*(arg.value for arg in node.args))


class _BindingCollector(Visitor):
    """Collects the name bindings of one function body (not of nested functions)."""

    def __init__(self, flow: FunctionFlow) -> None:
        self.flow = flow

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self.flow.add_binding(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self.flow.add_binding(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.flow.add_binding(node.target, node.value, DERIVED)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.flow.add_binding(node.target, node.value)

    def visit_For(self, node: cst.For) -> None:
        self._iteration(node.target, node.iter)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._iteration(node.target, node.iter)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self.flow.add_binding(node.asname.name, node.item, DERIVED)

    def _iteration(
        self, target: cst.BaseAssignTargetExpression, iterable: cst.BaseExpression
    ) -> None:
        # `for i, record in enumerate(records)`: the second name is the item
        if (
            isinstance(iterable, cst.Call)
            and dotted_name(iterable.func) == "enumerate"
            and iterable.args
            and isinstance(target, cst.Tuple)
            and len(target.elements) == 2
        ):
            self.flow.add_binding(target.elements[1].value, iterable.args[0].value, ITEM)
            return
        self.flow.add_binding(target, iterable, ITEM)
