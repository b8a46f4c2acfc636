"""LL3, module state: per-invocation code writing request data into module-level
state (LL302) or growing it without bound (LL303)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from lambda_lint.model.constructors import (
    chain_calls,
    chain_root,
)
from lambda_lint.model.flow import FunctionFlow, Ref
from lambda_lint.model.names import dotted_name
from lambda_lint.model.once import Mentions, mentions_any, runs_conditionally
from lambda_lint.model.project import ChainStep
from lambda_lint.model.scope import (
    ModuleBinding,
    function_scope,
    parameter_names,
    qualify,
)
from lambda_lint.rule import Example
from lambda_lint.walk import Visitor, descendants

if TYPE_CHECKING:
    from lambda_lint.check_context import CheckContext

from lambda_lint.rules.reuse_base import (
    ReuseRule,
    call_argument,
    calls,
    is_constant,
)

# -- LL302 / LL303 ---------------------------------------------------------------------------

#: methods that add to a list, dict, set or deque in place
MUTATORS = {"append", "extend", "insert", "add", "update", "setdefault", "appendleft", "extendleft"}
#: methods that take out of one
TRIMMERS = {"clear", "pop", "popleft", "popitem", "remove", "discard"}


@dataclass(frozen=True)
class StateWrite:
    """Per-invocation code writing to module-level state."""

    node: cst.CSTNode  # what to report
    root: str  # the module-level name written to (or through)
    place: str  # what is written, for messages: `_cache`, `Settings.tenant`
    binding: ModuleBinding | None
    how: str  # "global", "augmented", "item", "attribute" or a mutator method name
    direct: bool  # the module-level object itself is written, not one reached from it
    keys: tuple[cst.BaseExpression, ...]
    values: tuple[cst.BaseExpression, ...]


class _StateRule(ReuseRule):
    """Finds writes to module-level state; subclasses judge them."""

    def check(self, write: StateWrite, steps: list[ChainStep]) -> bool:
        """Report the write if it is this rule's case; whether it did."""
        raise NotImplementedError

    def _dispatch(self, writes: Iterator[StateWrite]) -> None:
        found = list(writes)
        if not found:
            return
        steps = self.per_invocation()
        if steps is None:
            return
        for write in found:
            if self.check(write, steps):
                return  # one finding per statement (`a.x, b.y = ...`)

    def visit_Assign(self, node: cst.Assign) -> None:
        self._dispatch(w for t in node.targets for w in self._writes_to(t.target, node.value, node))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._dispatch(self._writes_to(node.target, node.value, node))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._dispatch(self._writes_to(node.target, node.value, node, augmented=True))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in MUTATORS:
            return
        found = self._state(func.value, through_module=False)
        if found is None or self.holds_client(func.value):
            return
        args = tuple(a.value for a in node.args)
        method = func.attr.value
        keys: tuple[cst.BaseExpression, ...] = ()
        if method == "setdefault":
            keys, args = args[:1], args[1:]
        elif method == "insert":
            args = args[1:]
        direct = isinstance(func.value, cst.Name)
        place = dotted_name(func.value) or found[0]
        write = StateWrite(node, found[0], place, found[1], method, direct, keys, args)
        self._dispatch(iter([write]))

    def _writes_to(
        self,
        target: cst.BaseExpression,
        value: cst.BaseExpression,
        node: cst.CSTNode,
        augmented: bool = False,
    ) -> Iterator[StateWrite]:
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                yield from self._writes_to(element.value, value, node, augmented)
            return
        if isinstance(target, cst.Name):
            scope = self.context.function_scope()
            if scope is not None and target.value in scope.declared_global:
                how = "augmented" if augmented else "global"
                binding = self.context.module_binding(target.value)
                name = target.value
                yield StateWrite(node, name, name, binding, how, True, (), (value,))
            return
        if isinstance(target, cst.Subscript):
            found = self._state(target.value)
            if found is not None:
                keys = tuple(e.slice.value for e in target.slice if isinstance(e.slice, cst.Index))
                direct = isinstance(target.value, cst.Name)
                place = dotted_name(target.value) or found[0]
                yield StateWrite(node, found[0], place, found[1], "item", direct, keys, (value,))
        elif isinstance(target, cst.Attribute):
            found = self._state(target.value)
            if found is not None:
                place = dotted_name(target) or found[0]
                yield StateWrite(node, found[0], place, found[1], "attribute", False, (), (value,))

    def _state(
        self, receiver: cst.BaseExpression, through_module: bool = True
    ) -> tuple[str, ModuleBinding] | None:
        """The module-level name a receiver is (or is reached from), when it is state the
        module keeps: a module-level variable or class, or a variable, class or module of
        the project imported at module scope. A project module itself is a receiver only
        when `through_module` (`config.X = ...`, not `config.update(...)`)."""
        root = chain_root(receiver)
        if root is None:
            return None
        binding = self.context.module_binding(root.value)
        if binding is None or binding.kind == "function":
            return None
        if binding.kind != "assign" and chain_calls(receiver):
            return None  # what a module's or a class's function returns: not known
        if binding.kind == "import":
            kind = self._imported_kind(root.value)
            if kind is None or (kind == "module" and receiver is root and not through_module):
                return None
        return root.value, binding

    def _imported_kind(self, alias: str) -> str | None:
        """`module` or `state` for a name imported from the project; None otherwise."""
        found = self.imported(alias)
        if found is None:
            return None
        other, attribute = found
        if attribute is None:
            return "module"
        if (
            attribute in other.assigned
            or attribute in other.instances
            or attribute in other.classes
        ):
            return "state"
        return None


class RequestDataInGlobal(_StateRule):
    """
    ## What it does
    Reports per-invocation code that stores event or context data in module-level
    state: an assignment to a `global`, an item or attribute assignment on a
    module-level object (`CACHE[user] = ...`, `Settings.tenant = ...`), or a call that
    adds to one (`append`, `extend`, `add`, `update`, `setdefault`, `insert`,
    `appendleft`). Event data is followed through variables, helpers and `json.loads`;
    a key taken from the event counts too.

    Not reported: a client cached under an event-derived key (`_clients[region] =
    boto3.client(..., region_name=region)`: the recommended per-tenant cache), a global
    that the same function resets in a `finally:` block, and counts (`len(...)`).

    ## Why is this bad?
    Module-level state survives the invocation: the next request served by the same
    execution environment, possibly another user's or tenant's, sees the data. Code
    that reads the global before setting it reads the previous caller's value, and
    caches keyed by request data grow with every distinct caller.

    ## Example
    ```python
    _current_user = None


    def handler(event, context):
        global _current_user
        _current_user = event["requestContext"]["authorizer"]["claims"]["sub"]
        return load_profile()
    ```

    ## Use instead
    ```python
    def handler(event, context):
        user = event["requestContext"]["authorizer"]["claims"]["sub"]
        return load_profile(user)
    ```
    """

    code = "LL302"
    name = "request-data-in-global"
    summary = "Event or context data stored in module-level state"
    VALID = [
        Example(
            "_seen = 0\n\ndef handler(event, context):\n    global _seen\n"
            "    _seen += len(event['Records'])\n    return _seen\n"
        ),
        Example(
            "import boto3\n\n_clients = {}\n\ndef handler(event, context):\n"
            "    region = event['region']\n"
            "    client = _clients.setdefault(region, boto3.client('s3', region_name=region))\n"
            "    return client.list_buckets()\n"
        ),
        Example(
            "_request = None\n\ndef handler(event, context):\n    global _request\n"
            "    _request = event\n    try:\n        return work()\n    finally:\n"
            "        _request = None\n\ndef work():\n    return _request['id']\n"
        ),
        Example(
            "def handler(event, context):\n    seen = []\n    seen.append(event['id'])\n"
            "    return seen\n"
        ),
        Example(
            "REGISTRY = {}\n\ndef register(name):\n    REGISTRY[name] = name\n\n"
            "register('orders')\n\n"
            "def handler(event, context):\n    return REGISTRY.get(event['n'])\n"
        ),
    ]
    INVALID = [
        Example(
            "_job = None\n\ndef handler(event, context):\n    global _job\n"
            "    _job = event['detail']\n    return _job['id']\n",
            message="`_job`",
        ),
        Example(
            "_cache = {}\n\ndef handler(event, context):\n"
            "    user = event['requestContext']['authorizer']['claims']['sub']\n"
            "    if user not in _cache:\n        _cache[user] = {'hits': 0}\n"
            "    return _cache[user]\n",
            trigger="apigw-rest",
        ),
        Example(
            "from state import SEEN\n\ndef handler(event, context):\n"
            "    for record in event['Records']:\n        SEEN.add(record['messageId'])\n",
            files={"state.py": "SEEN = set()\n"},
            trigger="sqs",
        ),
        Example(
            "import json\n\nclass Settings:\n    tenant = None\n\n"
            "def configure(body):\n    Settings.tenant = json.loads(body)['tenant']\n\n"
            "def handler(event, context):\n    configure(event['body'])\n",
            message="`Settings.tenant` (handler -> configure)",
        ),
    ]

    def check(self, write: StateWrite, steps: list[ChainStep]) -> bool:
        if not any(self.from_request(e) for e in (*write.keys, *write.values)):
            return False
        if write.how in ("item", "setdefault") and any(self.holds_client(v) for v in write.values):
            return False
        if write.how == "global" and self._reset_in_finally(write.root):
            return False
        if write.how in ("global", "augmented"):
            what = f"the global `{write.place}`"
        else:
            what = f"module-level `{write.place}`"
        self.report_here(
            write.node,
            f"request data is stored in {what}{self.where(steps)}: it outlives the "
            "invocation, and the next request in this environment (possibly another "
            "caller's) sees it; keep it in local variables and pass it along",
            steps,
        )
        return True

    def _reset_in_finally(self, name: str) -> bool:
        """`finally: name = None`: the global only holds the data during the call."""
        function = self.context.function_node()
        if function is None:
            return False
        return any(
            isinstance(statement, cst.Assign)
            and any(
                isinstance(t.target, cst.Name) and t.target.value == name for t in statement.targets
            )
            for block in descendants(function.body, into_functions=False)
            if isinstance(block, cst.Finally)
            for statement in descendants(block, into_functions=False)
        )


#: module-level values that grow without bound, by what built them
UNBOUNDED_CALLS = {
    "builtins.list": "list",
    "builtins.dict": "dict",
    "builtins.set": "set",
    "collections.defaultdict": "dict",
    "collections.OrderedDict": "dict",
    "collections.Counter": "dict",
    "collections.deque": "deque",
}


class UnboundedGlobalGrowth(_StateRule):
    """
    ## What it does
    Reports per-invocation code that adds to a module-level list, dict, set or deque
    (`append`, `extend`, `add`, `update`, `setdefault`, `insert`, item assignment with
    a computed key, `+=`) when nothing bounds it. Data from the event is LL302's case.

    Not reported: a `deque(maxlen=...)`; a container the module also trims (`clear()`,
    `pop()`, `popleft()`, `del x[...]`, reassignment of the global); an addition that
    only runs under a `len(...)` check; a constant key (`CACHE["config"] = ...`); a
    memoising cache filled under `if key not in CACHE:` whose key is made from the
    function's parameters (its callers choose the keys; event-derived keys are LL302's).

    ## Why is this bad?
    The container lives as long as the execution environment, through thousands of
    warm invocations. It grows until the function runs out of memory and the
    environment is recycled mid-request.

    ## Example
    ```python
    import time

    _durations = []


    def handler(event, context):
        started = time.monotonic()
        process(event)
        _durations.append(time.monotonic() - started)
    ```

    ## Use instead
    ```python
    import collections
    import time

    _durations = collections.deque(maxlen=100)


    def handler(event, context):
        started = time.monotonic()
        process(event)
        _durations.append(time.monotonic() - started)
    ```
    """

    code = "LL303"
    name = "unbounded-global-growth"
    summary = "Module-level container grows on every invocation"
    VALID = [
        Example(
            "from collections import deque\nimport time\n\n_latencies = deque(maxlen=100)\n\n"
            "def handler(event, context):\n    _latencies.append(time.time())\n"
        ),
        Example(
            "import boto3\n\n_params = {}\n\ndef param(name):\n    if name not in _params:\n"
            "        _params[name] = boto3.client('ssm').get_parameter(Name=name)\n"
            "    return _params[name]\n\n"
            "def handler(event, context):\n    return param('/app/db-url')\n"
        ),
        Example(
            "_batch = []\n\ndef flush():\n    _batch.clear()\n\n"
            "def handler(event, context):\n    _batch.append(1)\n    if len(_batch) > 10:\n"
            "        flush()\n"
        ),
        Example(
            "_config = {}\n\ndef handler(event, context):\n    _config['loaded'] = True\n"
            "    return _config\n"
        ),
        Example(
            "_log = []\n\ndef handler(event, context):\n    _log.append(event['id'])\n",
        ),
    ]
    INVALID = [
        Example(
            "import time\n\n_durations = []\n\ndef handler(event, context):\n"
            "    started = time.monotonic()\n    _durations.append(time.monotonic() - started)\n",
            message="`_durations`",
        ),
        Example(
            "import os\n\n_seen = set()\n\ndef remember():\n    _seen.add(os.getpid())\n\n"
            "def handler(event, context):\n    remember()\n",
            message="handler -> remember",
        ),
        Example(
            "from collections import deque\n\n_events = deque()\n\n"
            "def process(event, context):\n    for i in range(3):\n        _events.appendleft(i)\n",
            trigger="sqs",
            handler="process",
        ),
        Example(
            "import uuid\n\n_runs = {}\n\ndef handler(event, context):\n"
            "    _runs[str(uuid.uuid4())] = 'started'\n",
        ),
    ]

    def __init__(self, context: CheckContext) -> None:
        super().__init__(context)
        self._trimmed: set[str] | None = None
        self._flows: dict[cst.FunctionDef, FunctionFlow] = {}

    def check(self, write: StateWrite, steps: list[ChainStep]) -> bool:
        if not write.direct or any(self.from_request(e) for e in (*write.keys, *write.values)):
            return False
        kind = self._container(write)
        if kind is None or not self._grows(write, kind):
            return False
        if write.root in self._trimmed_names():
            return False
        ancestors = self.context.ancestors
        if runs_conditionally(ancestors, _mentions_len(write.root)):
            return False
        if write.how in ("item", "setdefault", "add") and self._memoised(write):
            return False
        self.report_here(
            write.node,
            f"module-level {kind} `{write.root}` grows on every invocation{self.where(steps)} "
            "and nothing trims it: it lives as long as the execution environment; bound it "
            "(collections.deque(maxlen=...), a size check) or keep it local",
            steps,
        )
        return True

    def _container(self, write: StateWrite) -> str | None:
        """`list`, `dict`, `set` or `deque` for an unbounded container; None when
        bounded or unknown."""
        if write.binding is None:
            return None
        if write.binding.kind == "import":
            return self._imported_container(write.root)
        kinds = {self._kind(value) for value in write.binding.values}
        kinds.discard("none")
        if len(kinds) != 1:
            return None
        return next(iter(kinds))

    def _kind(self, value: cst.BaseExpression) -> str | None:
        if isinstance(value, (cst.List, cst.ListComp)):
            return "list"
        if isinstance(value, (cst.Dict, cst.DictComp)):
            return "dict"
        if isinstance(value, (cst.Set, cst.SetComp)):
            return "set"
        if isinstance(value, cst.Name) and value.value == "None":
            return "none"
        if isinstance(value, cst.Call):
            kind = UNBOUNDED_CALLS.get(self.context.qualified_name(value.func) or "")
            if kind == "deque" and call_argument(value, 1, "maxlen") is not None:
                return None
            return kind
        return None

    def _imported_container(self, alias: str) -> str | None:
        """The kind of a container another module of the project builds with a call
        (`SEEN = set()`); a deque's bound is not known from there."""
        found = self.imported(alias)
        instance = found[0].instances.get(found[1]) if found and found[1] else None
        if found is None or instance is None:
            return None
        constructor = qualify(found[0], instance.constructor)
        if "." not in constructor:
            constructor = f"builtins.{constructor}"
        kind = UNBOUNDED_CALLS.get(constructor)
        return None if kind == "deque" else kind

    def _grows(self, write: StateWrite, kind: str) -> bool:
        how = write.how
        if how in ("append", "extend", "insert", "appendleft", "extendleft"):
            return True
        if how == "add":
            return not all(is_constant(v) for v in write.values)
        if how in ("item", "setdefault"):
            return kind in ("dict", "set") and not all(self._constant_key(k) for k in write.keys)
        if how == "update" and isinstance(write.node, cst.Call):
            return not all(self._constant_keys(arg) for arg in write.node.args)
        if how == "augmented":
            return isinstance(write.node, cst.AugAssign) and isinstance(
                write.node.operator, (cst.AddAssign, cst.BitOrAssign)
            )
        if how == "global":  # `items = items + [item]`
            return any(_extends(v, write.root) for v in write.values)
        return False

    def _constant_keys(self, arg: cst.Arg) -> bool:
        """An `update()` argument that only adds constant keys: `x=1`, `{"a": 1}`."""
        if arg.keyword is not None:
            return True
        value = arg.value
        if arg.star or not isinstance(value, (cst.Dict, cst.Set)):
            return False
        if isinstance(value, cst.Set):
            return all(is_constant(e.value) for e in value.elements)
        return all(
            isinstance(e, cst.DictElement) and self._constant_key(e.key) for e in value.elements
        )

    def _constant_key(self, key: cst.BaseExpression) -> bool:
        if is_constant(key):
            return True
        if isinstance(key, cst.Name):
            binding = self.context.module_binding(key.value)
            return (
                binding is not None
                and binding.kind == "assign"
                and len(binding.values) == 1
                and is_constant(binding.values[0])
            )
        return False

    def _memoised(self, write: StateWrite) -> bool:
        """`if key not in CACHE: CACHE[key] = ...` with a key made from the function's
        parameters: the callers choose the keys (and LL302 sees event-derived ones)."""
        keys = write.values if write.how == "add" else write.keys
        if not keys or not runs_conditionally(self.context.ancestors, mentions_any({write.root})):
            return False
        flow = self._parameter_flow()
        for key in keys:
            refs = flow.refs(key) if flow is not None else frozenset()
            if not refs or any(ref.root != "param" for ref in refs):
                return False
        return True

    def _parameter_flow(self) -> FunctionFlow | None:
        """The enclosing function's value flow with every parameter as its own root."""
        function = self.context.function_node()
        if function is None:
            return None
        if function not in self._flows:
            names = sorted(parameter_names(function.params))
            seeds = {name: frozenset({Ref("param", index=i)}) for i, name in enumerate(names)}
            self._flows[function] = FunctionFlow(function, seeds)
        return self._flows[function]

    def _trimmed_names(self) -> set[str]:
        """Module-level names the module ever empties, shrinks or rebinds in a function."""
        if self._trimmed is None:
            trimmed: set[str] = set()
            for call, _ in calls(self.context.module):
                func = call.func
                if (
                    isinstance(func, cst.Attribute)
                    and func.attr.value in TRIMMERS
                    and isinstance(func.value, cst.Name)
                ):
                    trimmed.add(func.value.value)
            collector = _Rebinds()
            collector.walk(self.context.module)
            self._trimmed = trimmed | collector.names
        return self._trimmed


class _Rebinds(Visitor):
    """Names rebound (as a `global`) or deleted from inside functions, and slices
    assigned (`x[:] = ...`)."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.globals: list[set[str]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.globals.append(set(function_scope(node).declared_global))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.globals.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._target(target.target, node.value)

    def visit_Del(self, node: cst.Del) -> None:
        target = node.target
        targets = [e.value for e in target.elements] if isinstance(target, cst.Tuple) else [target]
        for item in targets:
            if isinstance(item, cst.Subscript) and isinstance(item.value, cst.Name):
                self.names.add(item.value.value)
            elif isinstance(item, cst.Name):
                self.names.add(item.value)

    def _target(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name) and self.globals and target.value in self.globals[-1]:
            if not _extends(value, target.value):
                self.names.add(target.value)
        elif (
            isinstance(target, cst.Subscript)
            and isinstance(target.value, cst.Name)
            and any(isinstance(e.slice, cst.Slice) for e in target.slice)
        ):
            self.names.add(target.value.value)


def _extends(value: cst.BaseExpression, name: str) -> bool:
    """`name + [...]` / `[...] + name`: a bigger copy of the container."""
    return isinstance(value, cst.BinaryOperation) and any(
        isinstance(side, cst.Name) and side.value == name for side in (value.left, value.right)
    )


def _mentions_len(name: str) -> Mentions:
    """A test for "this expression checks `len(name)`"."""

    def mentions(node: cst.CSTNode) -> bool:
        return any(
            isinstance(call, cst.Call)
            and dotted_name(call.func) == "len"
            and bool(call.args)
            and dotted_name(call.args[0].value) == name
            for call in (node, *descendants(node))
        )

    return mentions
