"""The value-flow analysis of one lowered function: an abstract interpretation over the
structured IR.

State. At each program point the state maps names to the `Refs` they may hold (names
holding nothing tracked are left out); an unreachable point has no state (`None`).
Statements run in order; a branch runs on a copy of the state and the copies are
joined where the branches meet: the union of each name's refs, where refs that differ
only in facts merge into one that keeps the facts true on every path (`refs.merge`).
`return`, `raise`, `break` and `continue` end a path, so code after `if x is None:
return` only sees the paths where `x` was not None. A loop body runs again while the
state at the loop head changes for a name the body reads before assigning it
(`reads.exposed_reads`); after `MAX_PASSES` passes the refs still changing are widened
to derived values and one last pass runs. A `try` body's states at every statement join into its handlers;
`finally` runs after the joined normal and handler exits. Comprehensions run in a
scope of their own; nested functions, classes and lambdas are opaque (their names are
rebound, their bodies are separate functions). An assignment replaces what a name held:
`x = shlex.quote(x)` leaves `x` clean.

Values. Expressions evaluate as the model has always had them: literal subscripts and
`.get` extend the path (`.get(k, default)` and `x or default` mark how a missing value
was defaulted), decoders append a marker, pass-through calls keep their argument,
sanitisers label theirs, formatting and concatenation (f-strings, `%`, `.format()`,
`+`, `.join()`) derive a value that keeps the labels and records the step in the
origin, `context.<attr>` extends the context's path, and anything else computed from a
tracked value is derived from it. Calls the semantics table does not know go to the
caller's `resolve_call` (project functions: the caller composes the callee's summary),
and failing that derive from their receiver, or from their arguments.

Narrowing. A test (an `if`, `while`, `assert`, conditional expression, `and`/`or`
operand or comprehension condition) adds facts to the refs of the branch it guards:
truthiness, `is None`/`is not None`, `isinstance`, `bool()`, `len()` and `not`
(NOT_NONE), `==`/`!=`/`in` a literal (EQ, NE, ONE_OF), `"k" in x` (HAS_KEY of key k),
and membership in a literal container or a constant name (the label "all": an
allow-list). Facts are about places, not names: testing `event.get("body")` informs
every name holding the event, and a `x["k"] = v` write kills what was known under `k`
(and records WRITTEN). A name read inside a `try` body carries CAUGHT facts for what
the handlers catch, so a KeyError there is known to be handled (a None value still
raises TypeError unless that is caught too).

Results (`Analysis`): the refs of every evaluated expression (joined over the visits
of loops), every call site's argument refs and result, and the refs returned. With
symbolic seeds (`Ref("param", index=i)`, see `lambda_lint.flow.summary`), they tell
which parameter paths reach each call and the return value.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Callable, NamedTuple, Optional

from lambda_lint.flow import ir
from lambda_lint.flow.reads import bound_names, exposed_reads
from lambda_lint.flow.refs import (
    CAUGHT,
    DERIVED,
    EMPTY,
    EQ,
    HAS_KEY,
    ITEM,
    LABEL,
    NE,
    NOT_NONE,
    ONE_OF,
    UNKNOWN_KEY,
    WRITTEN,
    Fact,
    Ref,
    Refs,
    Text,
    Where,
    collect,
    merge,
)
from lambda_lint.flow.semantics import Semantics, plain

#: loop passes before the refs still changing are widened
MAX_PASSES = 3
#: the label an allow-list check gives: clean for every kind of sink
CLEAN = "all"
#: calls whose truth implies their argument is not None (they raise on None, or are
#: false for it)
PRESENCE_CHECKS = frozenset({"isinstance", "bool", "len", "callable"})

State = Optional[dict[str, Refs]]


class CallArgs(NamedTuple):
    """What flows into one call: per positional argument (`starred` flags `*x`), per
    keyword argument (name None for `**x`), and the receiver of a method call."""

    positional: tuple[Refs, ...] = ()
    starred: tuple[bool, ...] = ()
    keywords: tuple[tuple[str | None, Refs], ...] = ()
    receiver: Refs = EMPTY

    def joined(self, other: CallArgs) -> CallArgs:
        """Both visits' refs, position by position."""
        if other == self:
            return self
        return CallArgs(
            tuple(merge(a | b) for a, b in zip(self.positional, other.positional)),
            self.starred,
            tuple((k, merge(a | b)) for (k, a), (_, b) in zip(self.keywords, other.keywords)),
            merge(self.receiver | other.receiver),
        )

    def values(self) -> Refs:
        """Every argument's refs together."""
        found: set[Ref] = set()
        for refs in self.positional:
            found |= refs
        for _, refs in self.keywords:
            found |= refs
        return frozenset(found)


#: what a project function returns when called with these arguments; None: unknown
CallResolver = Callable[[ir.Call, CallArgs], Optional[Refs]]


@dataclass(frozen=True)
class CallRecord:
    """One call site: its arguments and its result, joined over the visits."""

    call: ir.Call
    args: CallArgs
    result: Refs


class Analysis:
    """The result of analysing one function; every query is a lookup."""

    def __init__(
        self,
        function: ir.Function,
        refs: dict[ir.Expr, Refs],
        calls: dict[ir.Call, CallArgs],
        returns: Refs,
    ) -> None:
        self.function = function
        self._refs = refs
        self._calls = calls
        self.returns = returns

    def refs(self, expr: ir.Expr | None) -> Refs:
        """What `expr` may hold (joined over all the times it is evaluated); EMPTY for
        None."""
        return self._refs.get(expr, EMPTY) if expr is not None else EMPTY  # type: ignore[arg-type]

    def facts_at(self, expr: ir.Expr | None) -> frozenset[Fact]:
        """The facts that hold for every value `expr` may hold (paths from the root)."""
        refs = self.refs(expr)
        if not refs:
            return frozenset()
        facts = None
        for ref in refs:
            facts = frozenset(ref.facts) if facts is None else facts & frozenset(ref.facts)
        return facts or frozenset()

    def call_args(self, call: ir.Call) -> CallArgs:
        return self._calls.get(call) or _empty_args(call)

    @property
    def calls(self) -> tuple[CallRecord, ...]:
        """Every call site of the function, in `Call.index` order."""
        return tuple(CallRecord(c, self.call_args(c), self.refs(c)) for c in self.function.calls)


def _empty_args(call: ir.Call) -> CallArgs:
    return CallArgs(
        tuple(EMPTY for _ in call.args),
        tuple(isinstance(a, ir.Starred) for a in call.args),
        tuple((k.name, EMPTY) for k in call.keywords),
    )


def analyse(
    function: ir.Function,
    seeds: Mapping[str, Refs],
    *,
    semantics: Semantics,
    qualify: Callable[[str], str] = str,
    resolve_call: CallResolver | None = None,
    module_env: Mapping[str, Refs] | None = None,
    constants: Collection[str] = (),
) -> Analysis:
    """Analyse `function` with `seeds` (parameter name -> refs).

    `qualify` turns a dotted name as written into a qualified one (the caller resolves
    imports); `resolve_call` answers for calls the semantics table does not know;
    `module_env` holds what module-level names refer to; `constants` names the
    module-level names bound once to a literal container (allow-lists)."""
    seeded = {name: refs for name, refs in seeds.items() if refs}
    env_refs = {name: refs for name, refs in (module_env or {}).items() if refs}
    if not seeded and not env_refs and resolve_call is None and not semantics.sources:
        return Analysis(function, {}, {}, EMPTY)  # nothing can flow: every answer is empty
    interpreter = _Interpreter(
        function, seeded, semantics, qualify, resolve_call, env_refs, frozenset(constants)
    )
    interpreter.run(function.body)
    return Analysis(function, interpreter.known, interpreter.call_args, interpreter.returns)


# -- the interpreter -----------------------------------------------------------------------


def _join(a: State, b: State) -> State:
    if a is None:
        return b
    if b is None or a is b:
        return a
    joined = dict(a)
    for name, refs in b.items():
        old = joined.get(name)
        if old is None:
            joined[name] = refs
        elif old is not refs and old != refs:
            joined[name] = merge(old | refs)
    return joined


def _join_all(states: list[State]) -> State:
    joined: State = None
    for state in states:
        joined = _join(joined, state)
    return joined


def _copy(state: State) -> State:
    return dict(state) if state is not None else None


class _Loop:
    """The states leaving a loop body early."""

    __slots__ = ("breaks", "continues")

    def __init__(self) -> None:
        self.breaks: list[State] = []
        self.continues: list[State] = []


class _Interpreter:
    def __init__(
        self,
        function: ir.Function,
        seeds: dict[str, Refs],
        semantics: Semantics,
        qualify: Callable[[str], str],
        resolve_call: CallResolver | None,
        module_env: dict[str, Refs],
        constants: frozenset[str],
    ) -> None:
        self.function = function
        self.semantics = semantics
        self._qualify = qualify
        self._qualified: dict[str, str] = {}
        self.resolve_call = resolve_call
        self.module_env = module_env
        self.constants = constants
        self.env: State = dict(seeds)
        #: the refs of every expression evaluated (only those holding some)
        self.known: dict[ir.Expr, Refs] = {}
        self.call_args: dict[ir.Call, CallArgs] = {}
        self.returns: Refs = EMPTY
        self.loops: list[_Loop] = []
        #: exception names caught around the code being run (innermost try last)
        self.caught: tuple[str, ...] = ()
        #: the states inside the try bodies being run, for their handlers
        self.try_states: list[list[State]] = []
        self._carried_names: dict[ir.Stmt, frozenset[str]] = {}
        self.inherited_caught = frozenset(
            f[2] for refs in seeds.values() for r in refs for f in r.facts if f[1] == CAUGHT
        )

    def qualify(self, dotted: str) -> str:
        found = self._qualified.get(dotted)
        if found is None:
            found = self._qualified[dotted] = plain(self._qualify(dotted))
        return found

    # -- statements ------------------------------------------------------------------

    def run(self, body: ir.Body) -> None:
        for statement in body:
            if self.env is None:
                return
            _STATEMENTS[statement.__class__](self, statement)
            if self.try_states and self.env is not None:
                self.try_states[-1].append(dict(self.env))

    def _expr_stmt(self, node: ir.ExprStmt) -> None:
        self.eval(node.value)

    def _assign(self, node: ir.Assign) -> None:
        refs = self.eval(node.value)
        for target in node.targets:
            self.bind(target, refs, node.value)

    def _aug_assign(self, node: ir.AugAssign) -> None:
        current = self.eval(node.target)
        added = self.eval(node.value)
        refs = _derive(current | added, node.syntax, f"'{node.op}=' operation")
        self.bind(node.target, refs, None)

    def _if(self, node: ir.If) -> None:
        self.eval(node.test)
        entry = self.env
        self.env = self.narrow(entry, node.test, True)
        self.run(node.body)
        after_body = self.env
        self.env = self.narrow(entry, node.test, False)
        self.run(node.orelse)
        self.env = _join(after_body, self.env)

    def _while(self, node: ir.While) -> None:
        always = isinstance(node.test, ir.Const) and bool(node.test.value)

        def body() -> None:
            self.eval(node.test)
            head = self.env
            self.env = self.narrow(head, node.test, True)
            self.run(node.body)

        def exit_state(head: State) -> State:
            return None if always else self.narrow(head, node.test, False)

        self._loop(node, body, exit_state, node.orelse)

    def _for(self, node: ir.For) -> None:
        items = self._items(node.iter, self.eval(node.iter), node.target)

        def body() -> None:
            for target, refs in items:
                self.bind(target, refs, None)
            self.run(node.body)

        self._loop(node, body, _copy, node.orelse)

    def _items(self, iterable: ir.Expr, refs: Refs, target: ir.Expr) -> list[tuple[ir.Expr, Refs]]:
        """What each part of a loop target is bound to: the item of the iterable, or
        for `enumerate(x)`, `zip(a, b)`, `d.items()` with a tuple target, the parts."""
        parts = target.elements if isinstance(target, ir.Container) else ()
        if (
            isinstance(iterable, ir.Call)
            and len(parts) == 2
            and iterable.name
            and iterable.args
            and self.qualify(iterable.name) == "enumerate"
        ):
            items = _step_all(self.known.get(iterable.args[0], EMPTY), ITEM)
            return [(parts[0], EMPTY), (parts[1], items)]
        if isinstance(iterable, ir.Call) and parts:
            func = iterable.func
            if isinstance(func, ir.Attribute) and func.attr == "items" and len(parts) == 2:
                receiver = self.known.get(func.value, EMPTY)
                keys = _derive(receiver, iterable.syntax, "a key") if receiver else EMPTY
                return [(parts[0], keys), (parts[1], _step_all(receiver, UNKNOWN_KEY))]
            zipped = iterable.name and self.qualify(iterable.name) == "zip"
            if zipped and len(parts) == len(iterable.args):
                args = [self.known.get(a, EMPTY) for a in iterable.args]
                return [(p, _step_all(a, ITEM)) for p, a in zip(parts, args)]
        return [(target, _step_all(refs, ITEM))]

    def _loop(
        self,
        node: ir.For | ir.While,
        body: Callable[[], None],
        exit_state: Callable[[State], State],
        orelse: ir.Body,
    ) -> None:
        """Run a loop body until the state at the loop head stops changing for the
        names the body reads before assigning them."""
        head = self.env
        previous: State = None
        loop = _Loop()
        for attempt in range(MAX_PASSES + 1):
            if attempt == MAX_PASSES:
                head = _widen(previous, head)
            loop = _Loop()
            self.loops.append(loop)
            self.env = _copy(head)
            body()
            self.loops.pop()
            grown = _join(head, _join_all([self.env, *loop.continues]))
            if grown == head:
                break
            changed = _changed(head, grown)
            previous, head = head, grown
            if changed.isdisjoint(self._carried(node)):
                break
        self.env = exit_state(head)
        self.run(orelse)
        self.env = _join_all([self.env, *loop.breaks])

    def _carried(self, node: ir.For | ir.While) -> frozenset[str]:
        """The names a loop's body (and test) read before assigning them."""
        found = self._carried_names.get(node)
        if found is None:
            if isinstance(node, ir.For):
                found = exposed_reads(node.body, bound_names(node.target))
            else:
                found = exposed_reads(node.body, first=node.test)
            self._carried_names[node] = found
        return found

    def _break(self, node: ir.Break) -> None:
        if self.loops:
            self.loops[-1].breaks.append(self.env)
        self.env = None

    def _continue(self, node: ir.Continue) -> None:
        if self.loops:
            self.loops[-1].continues.append(self.env)
        self.env = None

    def _try(self, node: ir.Try) -> None:
        names = tuple(_caught_names(node.handlers))
        outer = self.caught
        self.caught = outer + names
        self.try_states.append([_copy(self.env)])
        self.run(node.body)
        inside = self.try_states.pop()
        self.caught = outer
        self.run(node.orelse)
        exits = [self.env]
        local = frozenset(names) - frozenset(outer) - self.inherited_caught
        handler_entry = _strip_caught(_join_all([*inside, self.env]), local)
        for handler in node.handlers:
            self.env = _copy(handler_entry)
            if handler.type is not None:
                self.eval(handler.type)
            if handler.name is not None and self.env is not None:
                self.env.pop(handler.name, None)
            self.run(handler.body)
            exits.append(self.env)
        after = _strip_caught(_join_all(exits), local)
        if node.finalbody:
            self.env = _copy(after if after is not None else handler_entry)
            self.run(node.finalbody)
            if after is None:
                self.env = None
        else:
            self.env = after

    def _with(self, node: ir.With) -> None:
        for item in node.items:
            refs = self.eval(item.expr)
            if item.target is not None:
                self.bind(item.target, _derive(refs, item.syntax, "with"), None)
        self.run(node.body)

    def _return(self, node: ir.Return) -> None:
        if node.value is not None:
            self.returns = self.returns | self.eval(node.value)
        self.env = None

    def _raise(self, node: ir.Raise) -> None:
        if node.exc is not None:
            self.eval(node.exc)
        if node.cause is not None:
            self.eval(node.cause)
        self.env = None

    def _assert(self, node: ir.Assert) -> None:
        self.eval(node.test)
        self.env = self.narrow(self.env, node.test, True)

    def _delete(self, node: ir.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ir.Name):
                self.env.pop(target.id, None)  # type: ignore[union-attr]
            elif isinstance(target, ir.Subscript):
                self.eval(target.value)
                self.eval(target.index)
                self._write(target.value, target.key, None)
            else:
                self.eval(target)

    def _nothing(self, node: ir.Stmt) -> None:
        """`global`: the lowering already knows which names are global."""

    def _import(self, node: ir.Import) -> None:
        for name, _ in node.bindings:
            self.env.pop(name, None)  # type: ignore[union-attr]

    def _definition(self, node: ir.FunctionDef | ir.ClassDef) -> None:
        for expr in node.decorators:
            self.eval(expr)
        for expr in node.defaults if isinstance(node, ir.FunctionDef) else node.bases:
            self.eval(expr)
        self.env.pop(node.name, None)  # type: ignore[union-attr]

    def _match(self, node: ir.Match) -> None:
        subject = self.eval(node.subject)
        captured = _derive(subject, node.subject.syntax, "match pattern")
        entry = self.env
        exits: list[State] = [_copy(entry)]
        for case in node.cases:
            self.env = _copy(entry)
            for name in case.captures:
                self._set(name, captured)
            if case.guard is not None:
                self.eval(case.guard)
                self.env = self.narrow(self.env, case.guard, True)
            self.run(case.body)
            exits.append(self.env)
        self.env = _join_all(exits)

    # -- binding -----------------------------------------------------------------------

    def _set(self, name: str, refs: Refs) -> None:
        env = self.env
        if env is None:
            return
        if refs:
            env[name] = refs
        else:
            env.pop(name, None)

    def bind(self, target: ir.Expr, refs: Refs, value: ir.Expr | None) -> None:
        """Bind an assignment target to `refs` (the value's, when `value` is given)."""
        if isinstance(target, ir.Name):
            self._set(target.id, refs)
            self._record(target, refs)
        elif isinstance(target, ir.Container):
            self._unpack(target, refs, value)
        elif isinstance(target, ir.Starred):
            self.bind(target.value, refs, None)
        elif isinstance(target, ir.Subscript):
            container = self.eval(target.value)
            self.eval(target.index)
            self._write(target.value, target.key, None)
            self._record(target, _step_all(container, _key_step(target)))
        elif isinstance(target, ir.Attribute):
            self.eval(target.value)

    def _unpack(self, target: ir.Container, refs: Refs, value: ir.Expr | None) -> None:
        """`a, b = x`: pairwise when `x` is a display of the same length, else each
        part is derived from the whole."""
        parts = target.elements
        if (
            isinstance(value, ir.Container)
            and len(value.elements) == len(parts)
            and not any(isinstance(e, ir.Starred) for e in (*parts, *value.elements))
        ):
            for part, element in zip(parts, value.elements):
                self.bind(part, self.known.get(element, EMPTY), element)
            return
        derived = _derive(refs, target.syntax, "unpacked") if refs else EMPTY
        for part in parts:
            self.bind(part, derived, None)

    def _write(self, container: ir.Expr, key: str | int | None, fact: str | None) -> None:
        """`container[key] = ...` (also `del`, `.pop`, `.update`, `.setdefault`): what
        was known under the key is gone; the function wrote the key itself."""
        if key is None or self.env is None:
            return
        step = key if isinstance(key, str) else ITEM
        targets = [r for r in self.known.get(container, EMPTY) if r.placed]
        places = [(*r.path, step) for r in targets]
        if not targets:
            return
        env = self.env
        for name, refs in list(env.items()):
            updated = collect([_rewritten(r, targets, places, fact) for r in refs])
            if updated != refs:
                env[name] = updated

    def _record(self, node: ir.Expr, refs: Refs) -> None:
        if refs:
            old = self.known.get(node)
            self.known[node] = refs if old is None or old == refs else merge(old | refs)

    # -- expressions ---------------------------------------------------------------------

    def eval(self, node: ir.Expr) -> Refs:
        """What `node` holds here; recorded (joined with the earlier visits of a loop)."""
        refs = _EXPRESSIONS[node.__class__](self, node)
        if refs:
            old = self.known.get(node)
            self.known[node] = refs if old is None or old == refs else merge(old | refs)
        return refs

    def _nothing_expr(self, node: ir.Expr) -> Refs:
        return EMPTY

    def _name(self, node: ir.Name) -> Refs:
        env = self.env
        refs = env.get(node.id) if env is not None else None
        if refs is None:
            function = self.function
            if node.id in function.declared_global or node.id not in function.local:
                refs = self.module_env.get(node.id, EMPTY)
            else:
                return EMPTY
        if self.caught and refs:
            refs = collect([r.with_facts(((), CAUGHT, n) for n in self.caught) for r in refs])
        return refs

    def _attribute(self, node: ir.Attribute) -> Refs:
        return self._attribute_of(node, self.eval(node.value))

    def _attribute_of(self, node: ir.Attribute, base: Refs) -> Refs:
        if self.semantics.sources:
            source = self._source(node)
            if source:
                return source
        if not base:
            return EMPTY
        kinds = self._attribute_sanitiser(node)
        if kinds:
            return collect([r.derive(node.syntax, node).labelled(*kinds) for r in base])
        return collect(
            [
                r.extend(node.attr)
                if r.root == "context" and not r.path
                else r.derive(node.syntax, node)
                for r in base
            ]
        )

    def _attribute_sanitiser(self, node: ir.Attribute) -> tuple[str, ...]:
        value = node.value
        if not self.semantics.attribute_sanitisers or not isinstance(value, ir.Call):
            return ()
        if not value.name:
            return ()
        return self.semantics.attribute_sanitisers.get((self.qualify(value.name), node.attr), ())

    def _source(self, node: ir.Expr) -> Refs:
        name = ir.dotted(node.func if isinstance(node, ir.Call) else node)  # type: ignore[attr-defined]
        if name is None:
            return EMPTY
        qualified = self.qualify(name)
        if qualified not in self.semantics.sources:
            return EMPTY
        return frozenset({Ref("source", trigger=qualified, origin=((node.syntax, node),))})

    def _subscript(self, node: ir.Subscript) -> Refs:
        base = self.eval(node.value)
        self.eval(node.index)
        if not base or node.slice:
            return base
        step = _key_step(node)
        inner = node.value.syntax
        return collect([_read(r, step, node.syntax, node, inner) for r in base])

    def _starred(self, node: ir.Starred) -> Refs:
        return self.eval(node.value)

    def _keyword(self, node: ir.Keyword) -> Refs:
        return self.eval(node.value)

    def _await(self, node: ir.Await) -> Refs:
        return self.eval(node.value)

    def _yield(self, node: ir.Yield | ir.YieldFrom) -> Refs:
        if node.value is not None:
            self.eval(node.value)
        return EMPTY

    def _named_expr(self, node: ir.NamedExpr) -> Refs:
        refs = self.eval(node.value)
        self.bind(node.target, refs, None)
        return refs

    def _slice(self, node: ir.Slice) -> Refs:
        for part in (node.lower, node.upper, node.step):
            if part is not None:
                self.eval(part)
        return EMPTY

    def _bin_op(self, node: ir.BinOp) -> Refs:
        refs = self.eval(node.left) | self.eval(node.right)
        if not refs:
            return EMPTY
        text = (
            "%-formatting"
            if node.op == "%" and _is_text(node.left)
            else ("concatenation" if node.op == "+" else f"'{node.op}' operation")
        )
        return _derive(refs, node.syntax, text)

    def _unary_op(self, node: ir.UnaryOp) -> Refs:
        refs = self.eval(node.operand)
        if node.op == "not" or not refs:
            return EMPTY
        return _derive(refs, node.syntax, f"'{node.op}' operation")

    def _compare(self, node: ir.Compare) -> Refs:
        self.eval(node.left)
        for comparator in node.comparators:
            self.eval(comparator)
        return EMPTY

    def _bool_op(self, node: ir.BoolOp) -> Refs:
        """`a and b`: `b` runs where `a` was true; `a or b`: where `a` was false; the
        state after is the join of every way out."""
        result: set[Ref] = set()
        exits: list[State] = []
        last = len(node.values) - 1
        for position, value in enumerate(node.values):
            refs = self.eval(value)
            if position < last:
                if node.op == "or":
                    refs = collect([r.defaulted("null") for r in refs])
                exits.append(self.narrow(self.env, value, node.op == "or"))
                self.env = self.narrow(self.env, value, node.op == "and")
            result |= refs
        exits.append(self.env)
        self.env = _join_all(exits)
        return frozenset(result)

    def _if_exp(self, node: ir.IfExp) -> Refs:
        self.eval(node.test)
        entry = self.env
        self.env = self.narrow(entry, node.test, True)
        refs = self.eval(node.body)
        after_body = self.env
        self.env = self.narrow(entry, node.test, False)
        refs = refs | self.eval(node.orelse)
        self.env = _join(after_body, self.env)
        return refs

    def _fstring(self, node: ir.FString) -> Refs:
        refs: Refs = EMPTY
        for part in node.parts:
            refs = refs | self.eval(part)
        return _derive(refs, node.syntax, "f-string") if refs else EMPTY

    def _container(self, node: ir.Container) -> Refs:
        refs: Refs = EMPTY
        for element in node.elements:
            refs = refs | self.eval(element)
        return _derive(refs, node.syntax, f"in a {node.kind}") if refs else EMPTY

    def _dict(self, node: ir.Dict) -> Refs:
        refs: Refs = EMPTY
        for key, value in zip(node.keys, node.values):
            if key is not None:
                refs = refs | self.eval(key)
            refs = refs | self.eval(value)
        return _derive(refs, node.syntax, "in a dict") if refs else EMPTY

    def _comprehension(self, node: ir.Comprehension) -> Refs:
        outer = self.env
        self.env = _copy(outer)
        for generator in node.generators:
            items = self._items(generator.iter, self.eval(generator.iter), generator.target)
            for target, refs in items:
                self.bind(target, refs, None)
            for condition in generator.ifs:
                self.eval(condition)
                self.env = self.narrow(self.env, condition, True)
        refs = self.eval(node.element)
        if node.value is not None:
            refs = refs | self.eval(node.value)
        inner, self.env = self.env, outer
        for name in _walrus_names(node):
            if inner is not None and outer is not None and name in inner:
                outer[name] = inner[name]
        return _derive(refs, node.syntax, f"{node.kind} comprehension") if refs else EMPTY

    # -- calls ---------------------------------------------------------------------------

    def _call(self, node: ir.Call) -> Refs:
        func = node.func
        if isinstance(func, ir.Attribute):
            receiver = self.eval(func.value)
            self._record(func, self._attribute_of(func, receiver))
        else:
            receiver = EMPTY
            self.eval(func)
        args = CallArgs(
            tuple(self.eval(a) for a in node.args),
            tuple(isinstance(a, ir.Starred) for a in node.args),
            tuple((k.name, self.eval(k)) for k in node.keywords),
            receiver,
        )
        old = self.call_args.get(node)
        self.call_args[node] = args if old is None else old.joined(args)
        result = self._call_result(node, args)
        self._call_effects(node, args)
        return result

    def _call_result(self, node: ir.Call, args: CallArgs) -> Refs:
        func = node.func
        if isinstance(func, ir.Attribute) and args.receiver:
            method = self._method_result(node, func, args)
            if method is not None:
                return method
        if (
            isinstance(func, ir.Attribute)
            and func.attr in ("format", "join")
            and _is_text(func.value)
        ):
            values = args.values()
            return _derive(values, node.syntax, f"str.{func.attr}(...)") if values else EMPTY
        known = self._known_call(node, args) if node.name else None
        if known is not None:
            return known
        if self.resolve_call is not None:
            resolved = self.resolve_call(node, args)
            if resolved is not None:
                return resolved
        return derived_result(args, node.syntax, node)

    def _method_result(self, node: ir.Call, func: ir.Attribute, args: CallArgs) -> Refs | None:
        """`x.get(k)`, `x.pop(k)`, `x.setdefault(k, d)`, and methods that keep the data."""
        receiver = args.receiver
        method = func.attr
        if method in ("get", "pop", "setdefault") and node.args:
            key = ir.literal_key(node.args[0])
            step = UNKNOWN_KEY if key is None else (key if isinstance(key, str) else ITEM)
            defaulted = len(node.args) > 1 and not _is_none(node.args[1])
            how = (
                "absent"
                if defaulted or method == "setdefault"
                else ("get" if method == "get" else "")
            )
            return collect(
                [
                    _read(r, step, node.syntax, node, func.value.syntax).defaulted(how)
                    for r in receiver
                ]
            )
        if method in self.semantics.same_data_methods:
            return receiver
        if method in ("format", "join"):
            return _derive(receiver | args.values(), node.syntax, f"str.{method}(...)")
        return None

    def _known_call(self, node: ir.Call, args: CallArgs) -> Refs | None:
        """Calls the semantics table knows: decoders, pass-throughs, sanitisers, sources."""
        semantics = self.semantics
        name = self.qualify(node.name)  # type: ignore[arg-type]
        first = args.positional[0] if args.positional else EMPTY
        marker = semantics.decoders.get(name)
        if marker is not None and node.args:
            return collect([r.extend(marker).step(node.syntax, node) for r in first])
        if name in semantics.pass_through and len(node.args) == 1 and not node.keywords:
            return first
        kinds = semantics.sanitisers.get(name)
        if kinds is not None:
            return collect([r.derive(node.syntax, node).labelled(*kinds) for r in first])
        if semantics.sources and name in semantics.sources:
            return self._source(node)
        return None

    def _call_effects(self, node: ir.Call, args: CallArgs) -> None:
        """What a call does to the state: writes into a tracked mapping, validation."""
        func = node.func
        if isinstance(func, ir.Attribute) and args.receiver:
            method = func.attr
            if method in ("pop", "setdefault") and node.args:
                fact = HAS_KEY if method == "setdefault" else None
                self._write(func.value, ir.literal_key(node.args[0]), fact)
            elif method == "update":
                for key in _update_keys(node):
                    self._write(func.value, key, None)
        if node.name and self.semantics.validators:
            found = self.semantics.validators.get(self.qualify(node.name))
            if found is not None and found[0] < len(node.args):
                argument = node.args[found[0]]
                self.env = self._apply(self.env, argument, LABEL, found[1])

    # -- narrowing -----------------------------------------------------------------------

    def narrow(self, state: State, test: ir.Expr, truth: bool) -> State:
        """A copy of `state` knowing that `test` evaluated to `truth`."""
        if state is None:
            return None
        if isinstance(test, ir.UnaryOp) and test.op == "not":
            return self.narrow(state, test.operand, not truth)
        if isinstance(test, ir.BoolOp):
            return self._narrow_bool(state, test, truth)
        if isinstance(test, ir.NamedExpr):
            return self.narrow(state, test.value, truth)
        if isinstance(test, ir.Compare) and len(test.ops) == 1:
            return self._narrow_compare(state, test, truth)
        if (
            isinstance(test, ir.Call)
            and test.name
            and test.args
            and self.qualify(test.name) in PRESENCE_CHECKS
        ):
            return self._apply(state, test.args[0], NOT_NONE) if truth else dict(state)
        if isinstance(test, ir.Const) and test.kind in ("bool", "int", "str", "None"):
            return dict(state) if bool(test.value) == truth else None  # dead code: `if False:`
        return self._apply(state, test, NOT_NONE) if truth else dict(state)

    def _narrow_bool(self, state: State, test: ir.BoolOp, truth: bool) -> State:
        """`a and b` true: both true; false: some operand false after the earlier ones
        were true (and the dual for `or`)."""
        all_of = (test.op == "and") == truth
        if all_of:
            for value in test.values:
                state = self.narrow(state, value, truth)
            return state
        ways: list[State] = []
        for value in test.values:
            ways.append(self.narrow(state, value, truth))
            state = self.narrow(state, value, not truth)
        return _join_all(ways)

    def _narrow_compare(self, state: State, test: ir.Compare, truth: bool) -> State:
        op, left, right = test.ops[0], test.left, test.comparators[0]
        if op in ("is", "is not", "==", "!="):
            if _is_none(left):
                left, right = right, left
            negated = op in ("is not", "!=")
            equal = truth != negated  # the values are equal on this branch
            if _is_none(right):
                return dict(state) if equal else self._apply(state, left, NOT_NONE)
            literal = (
                ir.literal_value(right)
                if ir.literal_value(right) is not None
                else ir.literal_value(left)
            )
            subject = left if ir.literal_value(right) is not None else right
            if literal is not None and op in ("==", "!="):
                if not equal:
                    return self._apply(state, subject, NE, literal)
                return self._apply(self._apply(state, subject, NOT_NONE), subject, EQ, literal)
            return dict(state)
        if op in ("in", "not in"):
            inside = truth == (op == "in")
            key = ir.literal_key(left)
            if isinstance(key, str) and not ir.literal_values(right):
                return self._apply(state, right, HAS_KEY, key=key) if inside else dict(state)
            return self._narrow_membership(state, left, right, inside)
        if isinstance(left, ir.Call) and left.name == "len" and left.args:
            return self._apply(state, left.args[0], NOT_NONE) if truth else dict(state)
        return dict(state)

    def _narrow_membership(
        self, state: State, value: ir.Expr, container: ir.Expr, inside: bool
    ) -> State:
        """`x in ("a", "b")`, `x in ALLOWED`: an allow-list."""
        literals = ir.literal_values(container)
        if literals is not None:
            if inside:
                state = self._apply(state, value, ONE_OF, literals)
                return self._apply(state, value, LABEL, CLEAN)
            for literal in literals:
                state = self._apply(state, value, NE, literal)
            return state
        if inside and isinstance(container, ir.Name) and self._is_constant(container.id):
            return self._apply(state, value, LABEL, CLEAN)
        return dict(state)

    def _is_constant(self, name: str) -> bool:
        if name in self.function.local:
            return name in self.function.constants
        return name in self.constants

    def _apply(
        self, state: State, expr: ir.Expr, kind: str, value: object = None, key: str | None = None
    ) -> State:
        """A copy of `state` where the places `expr` holds (and their `key`, when
        given) have the fact: on the name tested itself, and on every name holding
        a ref of the same root."""
        if state is None:
            return None
        while isinstance(expr, ir.NamedExpr):
            expr = expr.value
        targets = self.known.get(expr, EMPTY)
        updated = dict(state)
        if not targets:
            return updated
        extra = (key,) if key is not None else ()
        if isinstance(expr, ir.Name) and expr.id in updated:
            updated[expr.id] = collect(
                [r.with_fact(r.path + extra, kind, value) for r in updated[expr.id]]
            )
        places = [(t, t.path + extra) for t in targets if t.placed]
        if not places:
            return updated
        roots = {t.base for t, _ in places}
        for name, refs in updated.items():
            if any(r.base in roots for r in refs):
                updated[name] = collect([_with_place_facts(r, places, kind, value) for r in refs])
        return updated


# -- helpers ---------------------------------------------------------------------------------


def derived_result(args: CallArgs, where: Where, text: Text) -> Refs:
    """The result of a call nothing knows: derived from its receiver (a method of a
    tracked value) or else from its arguments."""
    refs = args.receiver or args.values()
    return _derive(refs, where, text) if refs else EMPTY


def _derive(refs: Refs, where: Where, text: Text) -> Refs:
    return collect([r.derive(where, text) for r in refs])


def _step_all(refs: Refs, step: str) -> Refs:
    return collect([r.extend(step) for r in refs]) if refs else EMPTY


def _key_step(node: ir.Subscript) -> str:
    key = node.key
    if key is None:
        return UNKNOWN_KEY
    return key if isinstance(key, str) else ITEM


def _read(ref: Ref, step: str, where: ir.Syntax, text: Text, inner: ir.Syntax) -> Ref:
    """`ref` read one step down, its origin ending in this read (replacing the read of
    the container it was just taken from: `event['a']['b']` is one step)."""
    read = ref.extend(step)
    if read.derived:
        return read
    origin = read.origin
    if origin and origin[-1][0] is inner:
        origin = origin[:-1]
    return read._but(origin=origin).step(where, text)


def _with_place_facts(
    ref: Ref, places: list[tuple[Ref, tuple[str, ...]]], kind: str, value: object
) -> Ref:
    if not ref.placed:
        return ref
    for target, path in places:
        if ref.same_root(target):
            ref = ref.with_fact(path, kind, value)
    return ref


def _rewritten(
    ref: Ref, targets: list[Ref], places: list[tuple[str, ...]], fact: str | None
) -> Ref:
    for target, place in zip(targets, places):
        if ref.same_root(target) and ref.placed:
            ref = ref.without_facts(below=place).with_fact(place, WRITTEN)
            if fact is not None:
                ref = ref.with_fact(place, fact)
    return ref


def _strip_caught(state: State, names: frozenset[str]) -> State:
    """`state` without the CAUGHT facts of `names` (leaving the `try` that caught them)."""
    if state is None or not names:
        return state
    stripped = {}
    for name, refs in state.items():
        if any(r.facts for r in refs):
            refs = collect([_uncaught(r, names) for r in refs])
        stripped[name] = refs
    return stripped


def _uncaught(ref: Ref, names: frozenset[str]) -> Ref:
    kept = tuple(f for f in ref.facts if not (f[1] == CAUGHT and f[2] in names))
    return ref if len(kept) == len(ref.facts) else ref._but(facts=kept)


def _changed(before: State, after: State) -> frozenset[str]:
    """The names whose refs differ between two states (`after` joins `before`)."""
    if after is None:
        return frozenset()
    if before is None:
        return frozenset(after)
    return frozenset(name for name, refs in after.items() if before.get(name) != refs)


def _widen(previous: State, head: State) -> State:
    """The loop head with every name whose refs still grow reduced to derived values."""
    if previous is None or head is None:
        return head
    widened = dict(head)
    for name, refs in head.items():
        if previous.get(name) != refs:
            widened[name] = collect([r.extend(DERIVED) for r in refs])
    return widened


def _caught_names(handlers: tuple[ir.Handler, ...]) -> list[str]:
    names: list[str] = []
    for handler in handlers:
        if not handler.types and handler.type is None:
            names.append("BaseException")
        names += [t.rsplit(".", 1)[-1] for t in handler.types]
    return names


def _walrus_names(node: ir.Comprehension) -> list[str]:
    return [n.target.id for n in ir.walk(node) if isinstance(n, ir.NamedExpr)]


def _update_keys(call: ir.Call) -> list[str]:
    """The literal keys `x.update({...})` / `x.update(k=v)` sets."""
    keys = [k.name for k in call.keywords if k.name is not None]
    for arg in call.args:
        if isinstance(arg, ir.Dict):
            keys += [
                k.value for k in arg.keys if isinstance(k, ir.Const) and isinstance(k.value, str)
            ]  # type: ignore[misc]
    return keys


def _is_none(expr: ir.Expr) -> bool:
    return isinstance(expr, ir.Const) and expr.kind == "None"


def _is_text(expr: ir.Expr) -> bool:
    return isinstance(expr, (ir.FString,)) or (isinstance(expr, ir.Const) and expr.kind == "str")


_STATEMENTS: dict[type, Callable[[_Interpreter, ir.Stmt], None]] = {
    ir.ExprStmt: _Interpreter._expr_stmt,
    ir.Assign: _Interpreter._assign,
    ir.AugAssign: _Interpreter._aug_assign,
    ir.If: _Interpreter._if,
    ir.While: _Interpreter._while,
    ir.For: _Interpreter._for,
    ir.Try: _Interpreter._try,
    ir.With: _Interpreter._with,
    ir.Return: _Interpreter._return,
    ir.Raise: _Interpreter._raise,
    ir.Break: _Interpreter._break,
    ir.Continue: _Interpreter._continue,
    ir.Assert: _Interpreter._assert,
    ir.Delete: _Interpreter._delete,
    ir.Global: _Interpreter._nothing,
    ir.Import: _Interpreter._import,
    ir.FunctionDef: _Interpreter._definition,
    ir.ClassDef: _Interpreter._definition,
    ir.Match: _Interpreter._match,
}  # type: ignore[dict-item]

_EXPRESSIONS: dict[type, Callable[[_Interpreter, ir.Expr], Refs]] = {
    ir.Name: _Interpreter._name,
    ir.Const: _Interpreter._nothing_expr,
    ir.Attribute: _Interpreter._attribute,
    ir.Subscript: _Interpreter._subscript,
    ir.Starred: _Interpreter._starred,
    ir.Keyword: _Interpreter._keyword,
    ir.Call: _Interpreter._call,
    ir.BinOp: _Interpreter._bin_op,
    ir.BoolOp: _Interpreter._bool_op,
    ir.UnaryOp: _Interpreter._unary_op,
    ir.Compare: _Interpreter._compare,
    ir.IfExp: _Interpreter._if_exp,
    ir.FString: _Interpreter._fstring,
    ir.Container: _Interpreter._container,
    ir.Dict: _Interpreter._dict,
    ir.Comprehension: _Interpreter._comprehension,
    ir.Lambda: _Interpreter._nothing_expr,
    ir.Await: _Interpreter._await,
    ir.Yield: _Interpreter._yield,
    ir.YieldFrom: _Interpreter._yield,
    ir.NamedExpr: _Interpreter._named_expr,
    ir.Slice: _Interpreter._slice,
    ir.Opaque: _Interpreter._nothing_expr,
}  # type: ignore[dict-item]
