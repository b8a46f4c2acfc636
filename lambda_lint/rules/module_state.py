"""LL3, module state: per-invocation code writing request data into module-level
state (LL302) or growing it without bound (LL303)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import libcst as cst

from lambda_lint.model.constructors import (
    CONFIG_READS,
    RESET_EACH_INVOCATION,
    chain_calls,
    chain_root,
)
from lambda_lint.model.flow import FunctionFlow, Ref
from lambda_lint.model.names import dotted_name
from lambda_lint.model.once import (
    Mentions,
    always_runs,
    enclosing_function,
    mentions_any,
    preceded_by,
    project_trees,
    runs_conditionally,
)
from lambda_lint.model.project import ChainStep
from lambda_lint.model.scope import (
    ModuleBinding,
    declared_global,
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
    background_target,
    call_argument,
    calls,
    is_constant,
    uses,
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
    #: "global", "augmented" (`x += ...`), "item", "augmented-item" (`x[k] += ...`),
    #: "attribute" or a mutator method name
    how: str
    direct: bool  # the module-level object itself is written, not one reached from it
    keys: tuple[cst.BaseExpression, ...]
    values: tuple[cst.BaseExpression, ...]


class _StateRule(ReuseRule):
    """Finds writes to module-level state; subclasses judge them."""

    def check(self, write: StateWrite, steps: list[ChainStep]) -> bool:
        """Report the write if it is this rule's case; whether it did."""
        raise NotImplementedError

    def rebound(self) -> frozenset[str]:
        """The names some function of the module declares `global` (none in a module
        whose text never says `global`: its tree is then not walked for them)."""
        return self.context.analysis(
            "module-state.declared-global",
            lambda context: (
                declared_global(context.module) if "global" in context.text else frozenset()
            ),
        )

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
        if isinstance(func.value, cst.Name) and self._defines(func.value.value, func.attr.value):
            return  # a method of the project's class (a repository's `update`), not a container's
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
            if target.value not in self.rebound():
                return  # no function of the module declares the name `global`
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
                how = "augmented-item" if augmented else "item"
                yield StateWrite(node, found[0], place, found[1], how, direct, keys, (value,))
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

    def _defines(self, name: str, method: str) -> bool:
        """Whether the module-level object `name` (of this module, or imported from a
        project module) is an instance of a class of the project that defines
        `method`: built at module scope, or, in this module, by whatever assigns the
        name (a lazy initialisation, `_CACHE = Cache()` under `global _CACHE`)."""
        model = self.context.model
        imported = self.imported(name)
        if imported is not None:
            other, attribute = imported
            instance = other.instances.get(attribute or "")
            module, constructors = Path(other.path), {instance.constructor} if instance else set()
        else:
            module, constructors = self.context.path, self._constructors(name)
        for constructor in constructors:
            found = model.class_of(module, constructor)
            owner = model.modules.get(found[0]) if found else None
            if found and owner is not None and f"{found[1]}.{method}" in owner.functions:
                return True
        return False

    def _constructors(self, name: str) -> set[str]:
        """The callees of the calls this module assigns to `name` (`name = Cache()`)."""
        return self.context.analysis("module-state.constructors", _assigned_calls).get(name, set())

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


def _assigned_calls(context: CheckContext) -> dict[str, set[str]]:
    """Per name, the callees of the calls the module assigns to it anywhere (read once
    per file)."""
    found: dict[str, set[str]] = {}
    for node in descendants(context.module):
        if not isinstance(node, cst.Assign) or not isinstance(node.value, cst.Call):
            continue
        callee = dotted_name(node.value.func)
        for target in node.targets:
            if callee and isinstance(target.target, cst.Name):
                found.setdefault(target.target.value, set()).add(callee)
    return found


class RequestDataInGlobal(_StateRule):
    """
    ## What it does
    Reports per-invocation code that leaves event or context data in module-level state
    where a later invocation finds it:
    - it adds the data to a module-level container (`CACHE[user] = ...`, `append`,
      `extend`, `add`, `update`, `setdefault`, `insert`, `appendleft`, `+=`) that is not
      emptied first on every invocation (`x = {}` or `x.clear()` before the write, in
      the function or before every call that leads to it);
    - it assigns the data to a `global`, to an attribute of a module-level object or
      class (`Settings.tenant = ...`) or to a constant key, but only on some
      invocations: in a branch, a loop or an `except`, after an early return, or in a
      function called that way. An invocation that skips the assignment sees the
      previous request's value;
    - it appends the data to the keys of a module-level Powertools `Logger`
      (`logger.append_keys(...)`, `structure_logs(append=True, ...)`), again only on
      some invocations, and nothing clears them (`inject_lambda_context(clear_state=True)`,
      `remove_keys`, `clear_state`).

    Event data is followed through variables, helpers and `json.loads`; a key taken
    from the event counts too.

    Not reported:
    - a value assigned on every invocation, before the code after it reads it: the
      global then holds this invocation's data, as a local would (also a loop that
      replaces the value of every key a container has, `for k in X: X[k] = ...`, and
      branches that each store the request in an attribute of the same object, such
      as `Router.current_event` or `Router.current_batch_event`). Unless a function
      the module runs in the background (a thread's target, an executor task) reads
      it: that may run after the invocation, when a later one has replaced the value;
    - a value set once per environment under a lazy-initialisation guard (`if _cache
      is None:`, `if not _config:`);
    - SDK, database and HTTP clients, also those a project function returns
      (`_clients[region] = get_client(region)`: the recommended per-tenant cache);
    - a call of a method the project's class defines on a module-level instance of it,
      built at module scope or on first use (`tasks.update(task_id, status)` on a
      repository, `_CACHE.add(key, True)` on a cache object): the class's own code
      decides what it keeps;
    - values made only of the context attributes that are the same for every
      invocation (`function_name`, `function_version`, `invoked_function_arn`,
      `memory_limit_in_mb`, `log_group_name`, `log_stream_name`);
    - what a project function returns when its every `return` gives a constant (a
      literal, `None`, a module-level constant, an enum member such as
      `EventType.S3`): it classifies the event without carrying any of it;
    - attributes a library resets at the start of every invocation (crhelper's
      `helper.Data`, `helper.PhysicalResourceId`, ...);
    - a global that the same function resets in a `finally:` block, and counts
      (`len(...)`).

    Handlers invoked too rarely for an environment to be reused (custom resources,
    secret rotation, pipeline actions, Automation runbook steps, hourly or rarer
    schedules; see LL301) are not judged.

    ## Why is this bad?
    Module-level state survives the invocation: the next request served by the same
    execution environment, possibly another user's or tenant's, sees the data. An
    invocation that does not set the global reads the previous caller's value, and
    containers keyed by request data grow with every distinct caller.

    ## Example
    ```python
    _tenant = None


    def handler(event, context):
        global _tenant
        claims = event["requestContext"]["authorizer"].get("claims")
        if claims:
            _tenant = claims["custom:tenant"]
        return load_orders(_tenant)
    ```

    ## Use instead
    ```python
    def handler(event, context):
        claims = event["requestContext"]["authorizer"].get("claims")
        tenant = claims["custom:tenant"] if claims else None
        return load_orders(tenant)
    ```
    """

    code = "LL302"
    name = "request-data-in-global"
    summary = "Event or context data left in module-level state for later invocations"
    VALID = [
        Example(
            "_seen = 0\n\ndef handler(event, context):\n    global _seen\n"
            "    _seen += len(event['Records'])\n    return _seen\n"
        ),
        # a cache object of the project, made on first use: its own `add` decides
        Example(
            "from cache import Cache\n\n_CACHE = None\n\ndef handler(event, context):\n"
            "    global _CACHE\n    if not _CACHE:\n        _CACHE = Cache()\n"
            "    if not _CACHE.exists(event['account']):\n"
            "        _CACHE.add(event['account'], True)\n",
            files={
                "cache.py": "class Cache:\n    def __init__(self):\n        self._seen = {}\n\n"
                "    def exists(self, key):\n        return key in self._seen\n\n"
                "    def add(self, key, value):\n        self._seen[key] = value\n"
            },
        ),
        # a repository of the project: its `update` writes to a table, not to module state
        Example(
            "from repo import tasks\n\ndef handler(event, context):\n"
            "    return tasks.update(event['id'], 'done')\n",
            files={
                "repo.py": "class Tasks:\n    def update(self, task_id, status):\n"
                "        return (task_id, status)\n\ntasks = Tasks()\n"
            },
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
            "REGISTRY = {}\n\ndef register(name):\n    REGISTRY[name] = name\n\n"
            "register('orders')\n\n"
            "def handler(event, context):\n    return REGISTRY.get(event['n'])\n"
        ),
        Example(
            "_job = None\n\ndef handler(event, context):\n    global _job\n"
            "    _job = event['detail']\n    return _job['id']\n"
        ),
        Example(
            "from clients import table_for\n\n_table = None\n\n"
            "def handler(event, context):\n    global _table\n    if _table is None:\n"
            "        _table = table_for(event['region'])\n    return _table.scan()\n",
            files={
                "clients.py": "import boto3\n\ndef table_for(region):\n"
                "    return boto3.resource('dynamodb', region_name=region).Table('t')\n"
            },
        ),
        Example(
            "_tags = []\n\ndef handler(event, context):\n    global _tags\n"
            "    if not _tags:\n"
            "        _tags = [context.function_name, str(context.memory_limit_in_mb)]\n"
            "    return _tags\n"
        ),
        Example(
            "_failures = []\n\ndef handler(event, context):\n    _failures.clear()\n"
            "    for record in event['Records']:\n        process(record)\n"
            "    return {'batchItemFailures': _failures}\n\n"
            "def process(record):\n    if not record['body']:\n"
            "        _failures.append({'itemIdentifier': record['messageId']})\n",
            trigger="sqs",
        ),
        Example(
            "from crhelper import CfnResource\n\nhelper = CfnResource()\n\n@helper.create\n"
            "def create(event, context):\n"
            "    helper.Data['Bucket'] = event['ResourceProperties']['Bucket']\n\n"
            "def handler(event, context):\n    helper(event, context)\n"
        ),
        Example(
            "import json\n\nCHECKS = {'encryption': True, 'logging': True}\n\n"
            "def handler(event, context):\n"
            "    wanted = json.loads(event.get('ruleParameters', '{}'))\n"
            "    for check, default in CHECKS.items():\n"
            "        CHECKS[check] = wanted.get(check, default)\n"
            "    return [name for name, on in CHECKS.items() if on]\n"
        ),
        Example(
            "import enum\n\nclass Source(enum.Enum):\n    S3 = 's3'\n    SNS = 'sns'\n\n"
            "_source = None\n\ndef source_of(event):\n"
            "    if 'Sns' in event['Records'][0]:\n        return Source.SNS\n"
            "    return Source.S3\n\n"
            "def handler(event, context):\n    global _source\n"
            "    if event.get('Records'):\n        _source = source_of(event)\n"
            "    return _source\n"
        ),
        Example(
            "_tags = []\n\ndef kind_of(event):\n"
            "    return 'batch' if 'Records' in event else 'single'\n\n"
            "def tag(context, kind):\n    global _tags\n"
            "    _tags = [context.function_name, kind]\n\n"
            "def handler(event, context):\n    if event.get('retry'):\n        return _tags\n"
            "    tag(context, kind_of(event))\n    return _tags\n"
        ),
        Example(
            "class Router:\n    current_event = None\n    current_batch = None\n\n"
            "def resolve(event):\n    if isinstance(event, list):\n"
            "        Router.current_batch = event\n    else:\n"
            "        Router.current_event = event\n    return route()\n\n"
            "def route():\n    return Router.current_event or Router.current_batch\n\n"
            "def handler(event, context):\n    return resolve(event)\n"
        ),
    ]
    INVALID = [
        Example(
            "_tenant = None\n\ndef handler(event, context):\n    global _tenant\n"
            "    if 'tenant' in event:\n        _tenant = event['tenant']\n"
            "    return _tenant\n",
            message="the global `_tenant`",
        ),
        Example(
            "_cache = {}\n\ndef handler(event, context):\n"
            "    user = event['requestContext']['authorizer']['claims']['sub']\n"
            "    if user not in _cache:\n        _cache[user] = {'hits': 0}\n"
            "    return _cache[user]\n",
            trigger="apigw-rest",
        ),
        Example(
            "CHECKS = {'encryption': True}\n\ndef handler(event, context):\n"
            "    for check in event['checks']:\n        CHECKS[check] = True\n"
            "    return CHECKS\n",
            message="module-level `CHECKS`",
        ),
        Example(
            "class Router:\n    current_event = None\n    current_batch = None\n\n"
            "def handler(event, context):\n    if isinstance(event, list):\n"
            "        Router.current_batch = event\n"
            "    return Router.current_event\n",
            message="`Router.current_batch`",
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
            "def handler(event, context):\n    if event.get('body'):\n"
            "        configure(event['body'])\n",
            message="`Settings.tenant` (handler -> configure)",
        ),
        Example(
            "_source = None\n\ndef source_of(event):\n"
            "    if 'Sns' in event['Records'][0]:\n        return 'sns'\n"
            "    return event['Records'][0]['eventSource']\n\n"
            "def handler(event, context):\n    global _source\n"
            "    if event.get('Records'):\n        _source = source_of(event)\n"
            "    return _source\n",
            message="the global `_source`",
        ),
        Example(
            "_tags = []\n\ndef tag(context, kind):\n    global _tags\n"
            "    _tags = [context.function_name, kind]\n\n"
            "def handler(event, context):\n    if event.get('retry'):\n        return _tags\n"
            "    tag(context, event['kind'])\n    return _tags\n",
            message="the global `_tags` (handler -> tag)",
        ),
        Example(
            "from aws_lambda_powertools import Logger\n\nlogger = Logger()\n\n"
            "def handler(event, context):\n    order = event.get('order_id')\n"
            "    if order:\n        logger.append_keys(order_id=order)\n"
            "    logger.info('processing')\n",
            message="Powertools logger `logger`",
        ),
    ]

    def check(self, write: StateWrite, steps: list[ChainStep]) -> bool:
        if not any(self.from_request(e) for e in (*write.keys, *write.values)):
            return False
        if any(self.holds_client(v) for v in write.values) or self._library_resets(write):
            return False
        if write.how == "global" and self._reset_in_finally(write.root):
            return False
        refreshed = self._refreshing_loop(write)
        if self._single_value(write) or refreshed is not None:
            owner = write.place.rsplit(".", 1)[0] if write.how == "attribute" else None
            same = _assigns(write.place, owner)
            if self.runs_once():
                return False
            ancestors = refreshed or self.context.ancestors
            if self._set_on_every_invocation(steps, same, ancestors) and not self._read_later(
                write.root
            ):
                return False
        else:
            unemptied = self._unemptied_chain(write.place)
            if unemptied is None:
                return False
            steps = unemptied
        if not any(self.from_request(e, confirm=True) for e in (*write.keys, *write.values)):
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

    def _single_value(self, write: StateWrite) -> bool:
        """The write replaces one value (a global, an attribute, a constant key) rather
        than adding to a container."""
        if write.how in ("global", "attribute"):
            return True
        return write.how == "item" and bool(write.keys) and all(is_constant(k) for k in write.keys)

    def _refreshing_loop(self, write: StateWrite) -> list[cst.CSTNode] | None:
        """The ancestors of the loop, when the write replaces the value of every key the
        container has (`for key, old in SETTINGS.items(): SETTINGS[key] = ...`): the
        container does not grow, and the loop replaces all it holds."""
        if write.how != "item" or len(write.keys) != 1 or not isinstance(write.keys[0], cst.Name):
            return None
        key = write.keys[0].value
        ancestors = self.context.ancestors
        for depth in range(len(ancestors) - 1, 0, -1):
            loop = ancestors[depth]
            if isinstance(loop, (cst.FunctionDef, cst.Lambda)):
                return None
            if isinstance(loop, cst.For) and _iterates_keys(loop, write.place, key):
                return list(ancestors[: depth + 1])
        return None

    def _set_on_every_invocation(
        self,
        steps: list[ChainStep],
        same: Callable[[cst.CSTNode], bool],
        ancestors: Sequence[cst.CSTNode] | None = None,
    ) -> bool:
        """The write (or the statement at the end of `ancestors`) runs whenever the
        handler does: in its function and at every call on the way, unconditionally or
        in an `if` whose every branch does the `same` (or raises). Each invocation then
        replaces the value before the code after it reads it."""
        if not always_runs(ancestors or self.context.ancestors, same):
            return False
        trees = project_trees(self.context.model)
        for step in steps:
            site = trees.site(step)
            if site is None or not always_runs(site[1], _calls(step.call.target)):
                return False
        return True

    def _read_later(self, name: str) -> bool:
        """A function of the module that runs in the background (a thread's target, an
        executor task) reads `name`: it may run after the invocation, when a later one
        has replaced the value."""
        bindings = self.module_names()
        for call, _ in calls(self.context.module):
            target = background_target(call, self.context.qualified_name(call.func))
            binding = bindings.get(target.value) if isinstance(target, cst.Name) else None
            function = binding.node if binding is not None else None
            if isinstance(function, cst.FunctionDef) and uses(function.body, name):
                return True
        return False

    def _unemptied_chain(self, place: str) -> list[ChainStep] | None:
        """A chain from a handler on which the container is not emptied (`x = {}`,
        `x.clear()`) before the write: neither earlier in the function nor before a
        call on the way. None when every invocation empties it first."""
        if preceded_by(self.context.ancestors, _empties(place, self.context.function_node())):
            return None
        trees = project_trees(self.context.model)

        def emptied(step: ChainStep) -> bool:
            site = trees.site(step)
            if site is None:
                return False
            return preceded_by(site[1], _empties(place, enclosing_function(site[1])))

        return self.per_invocation(emptied)

    def _library_resets(self, write: StateWrite) -> bool:
        """The write goes to an attribute that the library owning the object resets on
        every invocation (crhelper's `helper.Data`)."""
        attribute = write.place.split(".")[1] if "." in write.place else None
        if attribute is None or write.binding is None:
            return False
        constructors: set[str] = set()
        if write.binding.kind == "import":
            found = self.imported(write.root)
            instance = found[0].instances.get(found[1]) if found and found[1] else None
            if found is not None and instance is not None:
                constructors.add(qualify(found[0], instance.constructor))
        else:
            for value in write.binding.values:
                if isinstance(value, cst.Call):
                    constructors.add(self.context.qualified_name(value.func) or "")
        return any(attribute in RESET_EACH_INVOCATION.get(c, ()) for c in constructors)

    # -- Powertools logger keys ----------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        func = node.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
            return
        if func.attr.value == "append_keys":
            values = [a.value for a in node.args]
        elif func.attr.value == "structure_logs" and _is_true(call_argument(node, -1, "append")):
            values = [
                a.value for a in node.args if a.keyword is None or a.keyword.value != "append"
            ]
        else:
            return
        name = func.value.value
        if not self._powertools_logger(name) or not any(self.from_request(v) for v in values):
            return
        steps = self.per_invocation()
        same = _calls(f"{name}.{func.attr.value}")
        if (
            steps is None
            or self._set_on_every_invocation(steps, same)
            or self._keys_cleared(name, steps)
        ):
            return
        self.report_here(
            node,
            f"request data is appended to the keys of the module-level Powertools logger "
            f"`{name}`{self.where(steps)}, and not on every invocation: the keys persist "
            "across warm invocations, so later log lines (possibly another caller's) carry "
            f"them; use `@{name}.inject_lambda_context(clear_state=True)` or "
            f"`{name}.remove_keys(...)`",
            steps,
        )

    def _powertools_logger(self, name: str) -> bool:
        """`name` is a module-level Powertools `Logger()` of this module or of another
        module of the project."""
        binding = self.context.module_binding(name)
        if binding is None:
            return False
        if binding.kind == "import":
            found = self.imported(name)
            instance = found[0].instances.get(found[1]) if found and found[1] else None
            return instance is not None and qualify(found[0], instance.constructor) in LOGGERS
        return any(
            isinstance(value, cst.Call) and self.context.qualified_name(value.func) in LOGGERS
            for value in binding.values
        )

    def _keys_cleared(self, name: str, steps: list[ChainStep]) -> bool:
        """The module removes keys from the logger (`remove_keys`, `clear_state`), or the
        handler is decorated with `inject_lambda_context(clear_state=True)`."""
        for call, _ in calls(self.context.module):
            func = call.func
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value in ("remove_keys", "clear_state")
                and dotted_name(func.value) == name
            ):
                return True
        handler = self._handler_node(steps)
        return handler is not None and any(
            isinstance(d.decorator, cst.Call)
            and (dotted_name(d.decorator.func) or "").endswith("inject_lambda_context")
            and _is_true(call_argument(d.decorator, -1, "clear_state"))
            for d in handler.decorators
        )

    def _handler_node(self, steps: list[ChainStep]) -> cst.FunctionDef | None:
        """The handler function at the start of the chain."""
        if not steps:
            return self.context.function_node()
        key = steps[0].caller
        summary = self.context.model.function(key)
        tree = project_trees(self.context.model).tree(key[0])
        if summary is None or tree is None:
            return None
        return tree.function_at(summary.line, summary.column)

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


#: containers where reading a missing key adds it
KEY_MAKERS = frozenset({"collections.defaultdict", "collections.Counter"})
#: Powertools loggers, whose appended keys persist across invocations
#: (https://docs.powertools.aws.dev/lambda/python/latest/core/logger/#clearing-all-state)
LOGGERS = frozenset(
    {
        "aws_lambda_powertools.Logger",
        "aws_lambda_powertools.logging.Logger",
        "aws_lambda_powertools.logging.logger.Logger",
    }
)


def _is_true(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"


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


#: the root of what a configuration store returns (`CONFIG_READS`)
CONFIG_STORE = "config-store"


def _config_reads(call: cst.Call, flow: FunctionFlow) -> frozenset[Ref] | None:
    """A read of a configuration store (SSM parameters, a secret, an AppConfig
    document) gives a value of its own; None for other calls."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in CONFIG_READS:
        return frozenset({Ref(CONFIG_STORE)})
    return None


class UnboundedGlobalGrowth(_StateRule):
    """
    ## What it does
    Reports per-invocation code that adds to a module-level list, dict, set or deque
    (`append`, `extend`, `add`, `update`, `setdefault`, `insert`, item assignment with
    a computed key, `+=`) when nothing bounds it. Data from the event is LL302's case.

    Not reported:
    - a `deque(maxlen=...)`; a container the module also trims (`clear()`, `pop()`,
      `popleft()`, `del x[...]`, reassignment of the global);
    - an addition that only runs under a `len(...)` check, or that fills the container
      once: under a test on a constant key (`if "db" not in CONFIG:`,
      `CONFIG.get("db")`) or on its emptiness (`if not NAMES:`);
    - a constant key (`CACHE["config"] = ...`, `COUNTS["calls"] += 1`): one entry,
      replaced or updated in place;
    - a key a configuration store gives (the `Name` of each SSM parameter that
      `get_parameters` returns, here or in a caller that hands the response on): one
      entry per stored name;
    - `COUNTS[key] += 1` on a plain dict: a missing key raises `KeyError`, so it only
      updates keys added elsewhere (that addition is the one reported). On a
      `Counter` or `defaultdict` it adds the key, and varying keys are growth;
    - a memoising cache filled under `if key not in CACHE:` whose key is made from the
      function's parameters (its callers choose the keys; event-derived keys are
      LL302's).

    Handlers invoked too rarely for an environment to be reused (custom resources,
    secret rotation, pipeline actions, Automation runbook steps, hourly or rarer
    schedules; see LL301) are not judged.

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
        Example(
            "import os\n\nURL_KEY = f\"{os.environ['STAGE']}-url\"\n_config = {}\n\n"
            "def handler(event, context):\n    _config[URL_KEY] = load(URL_KEY)\n\n"
            "def load(name):\n    return name\n"
        ),
        Example(
            "import boto3\n\n_config = {}\n\ndef keep(response):\n"
            "    for parameter in response['Parameters']:\n"
            "        _config[parameter['Name']] = parameter['Value']\n\n"
            "def handler(event, context):\n"
            "    found = boto3.client('ssm').get_parameters(Names=['/app/url', '/app/key'])\n"
            "    keep(found)\n"
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
        Example(
            "import boto3\n\n_seen = {}\n\ndef keep(response):\n"
            "    for item in response['Items']:\n        _seen[item['id']] = True\n\n"
            "def handler(event, context):\n"
            "    keep(boto3.resource('dynamodb').Table('orders').scan())\n",
            message="handler -> keep",
        ),
        Example(
            "import uuid\n\nRUN_KEY = 'run'\n_runs = {}\n\ndef handler(event, context):\n"
            "    global RUN_KEY\n    RUN_KEY = str(uuid.uuid4())\n    _runs[RUN_KEY] = 'started'\n",
            message="`_runs`",
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
        if runs_conditionally(ancestors, _tests_constant_key(write.root)):
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
            return kind in ("dict", "set") and not all(self._bounded_key(k) for k in write.keys)
        if how == "augmented-item":  # `x[k] += 1` only adds `k` to a dict that makes keys
            return self._makes_keys(write) and not all(self._bounded_key(k) for k in write.keys)
        if how == "update" and isinstance(write.node, cst.Call):
            return not all(self._constant_keys(arg) for arg in write.node.args)
        if how == "augmented":
            return isinstance(write.node, cst.AugAssign) and isinstance(
                write.node.operator, (cst.AddAssign, cst.BitOrAssign)
            )
        if how == "global":  # `items = items + [item]`
            return any(_extends(v, write.root) for v in write.values)
        return False

    def _makes_keys(self, write: StateWrite) -> bool:
        """A `defaultdict` or `Counter`: reading a missing key adds it (a plain dict
        raises KeyError on `x[k] += 1` instead)."""
        values = write.binding.values if write.binding is not None else ()
        return any(
            isinstance(v, cst.Call) and self.context.qualified_name(v.func) in KEY_MAKERS
            for v in values
        )

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

    def _bounded_key(self, key: cst.BaseExpression) -> bool:
        """A key from a set the invocations do not grow: a constant, or a name a
        configuration store gives (`CONFIG_READS`), read here or by a caller that hands
        the response on."""
        if self._constant_key(key):
            return True
        refs = self.context.call_site_refs(key, _config_reads)
        return bool(refs) and all(ref.root == CONFIG_STORE for ref in refs)

    def _constant_key(self, key: cst.BaseExpression) -> bool:
        """A literal, or a module-level name assigned once: evaluated at INIT, it is the
        same key on every invocation unless a function rebinds it (`global`)."""
        if is_constant(key):
            return True
        if not isinstance(key, cst.Name):
            return False
        binding = self.context.module_binding(key.value)
        if binding is None or binding.kind != "assign" or len(binding.values) != 1:
            return False
        return key.value not in self.rebound()

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


def _tests_constant_key(name: str) -> Mentions:
    """A test for "this expression checks a constant key of `name`, or whether it is
    empty": `"k" not in name`, `name.get("k")`, `not name`. What it guards runs once
    per key, and the key is fixed."""

    def membership(node: cst.CSTNode) -> bool:
        return (
            isinstance(node, cst.Comparison)
            and is_constant(node.left)
            and any(
                isinstance(c.operator, (cst.In, cst.NotIn))
                and dotted_name(c.comparator) in (name, f"{name}.keys")
                for c in node.comparisons
            )
        )

    def lookup(node: cst.CSTNode) -> bool:
        if not (isinstance(node, cst.Call) and dotted_name(node.func) == f"{name}.get"):
            return False
        key = call_argument(node, 0)
        return key is not None and is_constant(key)

    def emptiness(node: cst.CSTNode) -> bool:
        return (
            isinstance(node, cst.UnaryOperation)
            and isinstance(node.operator, cst.Not)
            and dotted_name(node.expression) == name
        )

    def tests(node: cst.CSTNode) -> bool:
        return any(membership(n) or lookup(n) or emptiness(n) for n in (node, *descendants(node)))

    return tests


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


def _iterates_keys(loop: cst.For, place: str, key: str) -> bool:
    """`for key in place`, `for key in place.keys()`, `for key, value in place.items()`."""
    iterated = loop.iter
    if isinstance(iterated, cst.Call) and isinstance(iterated.func, cst.Attribute):
        if iterated.func.attr.value not in ("keys", "items") or iterated.args:
            return False
        iterated = iterated.func.value
    target = loop.target
    if isinstance(target, (cst.Tuple, cst.List)) and target.elements:
        target = target.elements[0].value
    return dotted_name(iterated) == place and isinstance(target, cst.Name) and target.value == key


def _assigns(place: str, owner: str | None = None) -> Callable[[cst.CSTNode], bool]:
    """A test for "this statement assigns `place`" (`place = ...`, `place[...] = ...`),
    or, with `owner`, any attribute of it: an object that keeps the current request in
    one attribute per kind of event (`Router.current_event`, `Router.current_batch_event`)
    has it replaced whichever branch sets it."""

    def names_place(target: cst.BaseExpression) -> bool:
        if isinstance(target, cst.Subscript):
            target = target.value
        name = dotted_name(target)
        if name is None:
            return False
        return name == place or (owner is not None and name.startswith(owner + "."))

    def assigns(statement: cst.CSTNode) -> bool:
        if not isinstance(statement, cst.SimpleStatementLine):
            return False
        for small in statement.body:
            if isinstance(small, cst.Assign) and any(names_place(t.target) for t in small.targets):
                return True
            if isinstance(small, cst.AnnAssign) and names_place(small.target):
                return True
        return False

    return assigns


def _calls(target: str) -> Callable[[cst.CSTNode], bool]:
    """A test for "this statement calls `target`" (the callee as written)."""

    def calls_target(statement: cst.CSTNode) -> bool:
        return isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(node, cst.Call) and dotted_name(node.func) == target
            for node in descendants(statement)
        )

    return calls_target


def _empties(place: str, function: cst.FunctionDef | None) -> Callable[[cst.CSTNode], bool]:
    """A test for "this statement empties `place`": rebinds it (`x = {}`; a global only
    under `global x`), calls `x.clear()`, or assigns or deletes its whole slice
    (`x[:] = []`, `del x[:]`)."""
    declared = function_scope(function).declared_global if function is not None else frozenset()

    def whole(target: cst.BaseExpression, rebinding: bool) -> bool:
        if isinstance(target, cst.Subscript) and any(
            isinstance(e.slice, cst.Slice) for e in target.slice
        ):
            return dotted_name(target.value) == place
        if not rebinding or dotted_name(target) != place:
            return False
        return not isinstance(target, cst.Name) or place in declared

    def empties(small: cst.BaseSmallStatement) -> bool:
        if isinstance(small, cst.Assign):
            return any(whole(t.target, rebinding=True) for t in small.targets)
        if isinstance(small, cst.AnnAssign):
            return small.value is not None and whole(small.target, rebinding=True)
        if isinstance(small, cst.Del):
            return whole(small.target, rebinding=False)
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            func = small.value.func
            return (
                isinstance(func, cst.Attribute)
                and func.attr.value == "clear"
                and dotted_name(func.value) == place
            )
        return False

    def statement_empties(statement: cst.CSTNode) -> bool:
        return isinstance(statement, cst.SimpleStatementLine) and any(
            empties(small) for small in statement.body
        )

    return statement_empties
