"""LL3, execution-environment reuse: what per-invocation code does to the state that
outlives the invocation.

Lambda runs the module scope once per execution environment and the handler once per
invocation; the environment, its globals, its `/tmp` and its threads are then reused by
later invocations (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
These rules report work that should be done once but is done every time (LL301, LL306),
state that leaks from one invocation into the next (LL302, LL303, LL304), and work that
the freeze after the handler returns cuts off (LL305, LL307).

Every rule here looks only at per-invocation code, found through the project model
(handlers and what they call, across files), and leaves code no handler reaches alone.
"""

from __future__ import annotations

import posixpath
import weakref
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from lambda_lint.finding import Edit, Fix, Position
from lambda_lint.index import ModuleSummary
from lambda_lint.model.constructors import (
    ASYNC_CLIENT_CONSTRUCTORS,
    CLIENT_METHODS,
    SESSION_CONSTRUCTORS,
    async_client_constructor,
    chain_calls,
    chain_root,
    client_constructor,
)
from lambda_lint.model.flow import FunctionFlow, Ref
from lambda_lint.model.locals import assigned_values
from lambda_lint.model.names import dotted_name, keyword_argument
from lambda_lint.model.once import Mentions, mentions_any, per_invocation_chain, runs_conditionally
from lambda_lint.model.project import ChainStep, FunctionKey, ProjectModel
from lambda_lint.model.scope import (
    ModuleBinding,
    function_scope,
    module_bindings,
    parameter_names,
    qualify,
)
from lambda_lint.rule import Example, Rule
from lambda_lint.walk import Visitor, children, descendants

if TYPE_CHECKING:
    from lambda_lint.check_context import CheckContext

REQUEST_ROOTS = ("event", "context")
#: calls whose result describes request data without holding it
NOT_DATA_CALLS = {"builtins.len", "builtins.bool", "builtins.isinstance", "builtins.hasattr"}


def _argument(call: cst.Call, index: int, keyword: str | None = None) -> cst.BaseExpression | None:
    """The argument at positional `index`, or passed as `keyword`."""
    if keyword is not None:
        found = keyword_argument(call, keyword)
        if found is not None:
            return found.value
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    return positional[index] if 0 <= index < len(positional) else None


def _is_constant(node: cst.BaseExpression) -> bool:
    """A literal (string, number, bytes, None/True/False) or a tuple of literals."""
    if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float, cst.ConcatenatedString)):
        return True
    if isinstance(node, cst.Name) and node.value in ("None", "True", "False"):
        return True
    if isinstance(node, cst.FormattedString):
        return all(isinstance(p, cst.FormattedStringText) for p in node.parts)
    if isinstance(node, cst.UnaryOperation):
        return _is_constant(node.expression)
    if isinstance(node, cst.Tuple):
        return all(_is_constant(e.value) for e in node.elements)
    return False


def _uses(
    body: cst.CSTNode, name: str
) -> list[tuple[cst.Name, cst.CSTNode | None, cst.CSTNode | None]]:
    """Every occurrence of a name below `body`, with its parent and grandparent."""
    found: list[tuple[cst.Name, cst.CSTNode | None, cst.CSTNode | None]] = []
    stack: list[tuple[cst.CSTNode, cst.CSTNode | None, cst.CSTNode | None]] = [(body, None, None)]
    while stack:
        node, parent, grand = stack.pop()
        if isinstance(node, cst.Name) and node.value == name:
            found.append((node, parent, grand))
        stack.extend((child, node, parent) for child in children(node))
    return found


def _filled(function: cst.FunctionDef) -> tuple[list[cst.BaseExpression], list[cst.BaseExpression]]:
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


class _Calls(Visitor):
    """Every call of a subtree, with the innermost function around it."""

    def __init__(self) -> None:
        self.functions: list[cst.FunctionDef | None] = [None]
        self.calls: list[tuple[cst.Call, cst.FunctionDef | None]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.functions.pop()

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append((node, self.functions[-1]))


def _calls(node: cst.CSTNode) -> list[tuple[cst.Call, cst.FunctionDef | None]]:
    collector = _Calls()
    collector.walk(node)
    return collector.calls


class _ReuseRule(Rule):
    """Shared by the LL3 rules (not a rule itself: it has no code)."""

    def __init__(self, context: CheckContext) -> None:
        super().__init__(context)
        self._chains: dict[cst.FunctionDef, list[ChainStep] | None] = {}
        self._module_names: dict[str, ModuleBinding] | None = None
        self._filled: dict[cst.FunctionDef, set[str]] = {}

    # -- where we are ------------------------------------------------------------------

    def per_invocation(self) -> list[ChainStep] | None:
        """The chain from a handler to the enclosing function when it runs on every
        invocation (not at module scope, not only through a cached factory)."""
        function = self.context.function_node()
        if function is None:
            return None
        if function not in self._chains:
            chain = None
            if self.context.in_invoke_code():
                chain = per_invocation_chain(self.context.model, self.context.function_key())
            self._chains[function] = chain
        return self._chains[function]

    def where(self, steps: Sequence[ChainStep]) -> str:
        """` (handler -> save_order)` for code below the handler, else empty."""
        return f" ({self.context.chain_text(steps=steps)})" if steps else ""

    def report_here(self, node: cst.CSTNode, message: str, steps: Sequence[ChainStep]) -> None:
        self.report(node, message, related=self.context.chain_locations(steps=steps))

    # -- values --------------------------------------------------------------------------

    def from_request(self, node: cst.BaseExpression) -> bool:
        """Whether an expression holds event or context data."""
        if isinstance(node, cst.Call) and self.context.qualified_name(node.func) in NOT_DATA_CALLS:
            return False
        return any(ref.root in REQUEST_ROOTS for ref in self.context.refs(node))

    def bound_values(self, name: str) -> tuple[cst.BaseExpression, ...]:
        """What `name` holds where the visited node is: the values of its `name = ...`
        statements in the enclosing function, or of its module-level assignments.
        Empty when unknown (a parameter, a loop variable, an import, ...)."""
        function = self.context.function_node()
        if function is not None and self._is_local(function, name):
            return self._local_values(function, name)
        binding = self.context.module_binding(name)
        return binding.values if binding is not None and binding.kind == "assign" else ()

    def values_in(
        self, function: cst.FunctionDef | None, name: str
    ) -> tuple[cst.BaseExpression, ...]:
        """`bound_values` as seen from any function of the module (None: module scope)."""
        if function is not None and self._is_local(function, name):
            return self._local_values(function, name)
        if self._module_names is None:
            self._module_names = module_bindings(self.context.module)
        binding = self._module_names.get(name)
        return binding.values if binding is not None and binding.kind == "assign" else ()

    def _is_local(self, function: cst.FunctionDef, name: str) -> bool:
        scope = self.context.function_scope(function)
        return scope is not None and name in scope.local

    def _local_values(self, function: cst.FunctionDef, name: str) -> tuple[cst.BaseExpression, ...]:
        scope = self.context.function_scope(function)
        if scope is None or name in scope.params:
            return ()
        return tuple(assigned_values(function, name))

    def imported(self, alias: str) -> tuple[ModuleSummary, str | None] | None:
        """For a name imported at module scope from a project module: that module's
        summary, and the name imported from it (None when the name is the module)."""
        model = self.context.model
        summary = model.modules.get(self.context.path)
        for item in summary.imports if summary is not None else ():
            if item.alias != alias or item.function is not None:
                continue
            target, attribute = model.resolver.resolve_import(item, self.context.path)
            return (model.modules[target], attribute) if target is not None else None
        return None

    def built_by(self, node: cst.BaseExpression, names: set[str]) -> str | None:
        """The qualified constructor (one of `names`) that built this value: a call to
        it, or a name bound to such a call."""
        calls = self.bound_values(node.value) if isinstance(node, cst.Name) else (node,)
        for call in calls:
            if isinstance(call, cst.Call):
                name = self.context.qualified_name(call.func)
                if name in names:
                    return name
        return None

    def holds_client(self, node: cst.BaseExpression, depth: int = 0) -> bool:
        """Whether a value is (or is reached from) an SDK/database/HTTP client."""
        extra = self.context.settings.client_constructors
        for call in chain_calls(node):
            if client_constructor(call, self.context.qualified_name, extra):
                return True
            if async_client_constructor(call, self.context.qualified_name):
                return True
        root = chain_root(node)
        if root is None or depth > 3:
            return False
        return any(self.holds_client(v, depth + 1) for v in self.bound_values(root.value))

    def runs_once(self, extra: Mentions | None = None) -> bool:
        """Whether the visited node only runs when a test on state that its function
        fills says it is missing: a lazy initialisation (`if _client is None: _client =
        ...`, `if key not in CACHE: ... CACHE[key] = ...`, `_c = _c or ...`, an earlier
        `if key in CACHE: return CACHE[key]`). `extra` adds other tests that count."""
        function = self.context.function_node()
        if function is None:
            return False
        if function not in self._filled:
            targets, containers = _filled(function)
            places = {self._state_place(t) for t in targets}
            places |= {self._state_place(c, container=True) for c in containers}
            self._filled[function] = {p for p in places if p is not None}
        filled = mentions_any(self._filled[function])

        def mentions(node: cst.CSTNode) -> bool:
            return filled(node) or (extra is not None and extra(node))

        return runs_conditionally(self.context.ancestors, mentions)

    def _state_place(self, target: cst.BaseExpression, container: bool = False) -> str | None:
        """The dotted text of a place that outlives the function: a global it assigns,
        a module-level container or object (`container`: the target is the container
        itself, as in `CACHE.setdefault(...)`), or an attribute of `self`/`cls`."""
        scope = self.context.function_scope()
        if isinstance(target, cst.Name) and not container:
            return target.value if scope and target.value in scope.declared_global else None
        place = target.value if isinstance(target, cst.Subscript) and not container else target
        root = chain_root(place)  # type: ignore[arg-type]
        if root is None:
            return None
        if root.value in ("self", "cls") or self.context.module_binding(root.value) is not None:
            return dotted_name(place) or root.value
        return None

    def uses_elsewhere(self, name: str, node: cst.CSTNode, harmless: set[str]) -> bool:
        """Whether the enclosing function reads `name` anywhere but at `node`, its own
        assignments, and calls of the `harmless` methods (`t.start()`)."""
        function = self.context.function_node()
        if function is None:
            return True
        for found, parent, grand in _uses(function.body, name):
            if found is node or isinstance(parent, cst.AssignTarget):
                continue
            if isinstance(parent, cst.Attribute) and parent.value is found:
                if isinstance(grand, cst.Call) and parent.attr.value in harmless:
                    continue
                if isinstance(grand, cst.AssignTarget):
                    continue  # `t.daemon = True`
            return True
        return False


# -- LL301 ---------------------------------------------------------------------------------


class ClientPerInvocation(_ReuseRule):
    """
    ## What it does
    Reports an AWS SDK client, resource or session, a database connection or pool, or
    an HTTP session built in code that runs on every invocation: the handler, or any
    function or method it calls, in any module. Recognised constructors include
    `boto3.client`/`resource`/`Session` (also `Session().client(...)`), botocore
    sessions, `pymysql`/`psycopg`/`psycopg2`/`mysql.connector` `connect`,
    `pymongo.MongoClient`, `redis.Redis`, `sqlalchemy.create_engine`,
    `requests.Session`, `httpx.Client` and `urllib3.PoolManager`, whatever the import
    style; the `client-constructors` setting adds more (dotted names).

    Not reported: a client stored into a global or a cache only when a test on it says
    it is missing (`if _client is None:`, `if key not in _clients:`), a factory
    decorated with `functools.cache`/`lru_cache` (and everything only it calls), a
    client built from event or context data (per-tenant credentials or region: a
    module-level client cannot serve every tenant; keep a cache keyed by tenant), and
    asyncio clients (see LL307). The message shows the call chain from the handler.

    ## Why is this bad?
    Creating a client resolves credentials and configuration, and its first request
    opens a new TLS connection: tens to hundreds of milliseconds, paid on every
    invocation instead of once per execution environment. Database connections also
    pile up on the server. AWS best practices: "Initialize SDK clients and database
    connections outside of the function handler"
    (https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html).

    ## Example
    ```python
    import boto3


    def handler(event, context):
        s3 = boto3.client("s3")
        return s3.get_object(Bucket="reports", Key=event["key"])["ContentLength"]
    ```

    ## Use instead
    ```python
    import boto3

    s3 = boto3.client("s3")


    def handler(event, context):
        return s3.get_object(Bucket="reports", Key=event["key"])["ContentLength"]
    ```

    ## Fix safety
    Unsafe: a client built with constant arguments in a variable at the top of a
    module-level function moves to module scope after the imports; it is then built
    at import time and shared by every invocation.
    """

    code = "LL301"
    name = "client-per-invocation"
    fixable = "unsafe"
    summary = "SDK client, DB connection or HTTP session built on every invocation"
    VALID = [
        Example(
            "import boto3\n\ns3 = boto3.client('s3')\n\n"
            "def handler(event, context):\n    return s3.list_buckets()\n"
        ),
        Example(
            "import boto3\n\n_table = None\n\ndef table():\n    global _table\n"
            "    if _table is None:\n        _table = boto3.resource('dynamodb').Table('t')\n"
            "    return _table\n\n"
            "def handler(event, context):\n    return table().get_item(Key={'id': event['id']})\n"
        ),
        Example(
            "import functools\nimport boto3\n\n@functools.lru_cache(maxsize=None)\n"
            "def client(service):\n    return boto3.client(service)\n\n"
            "def handler(event, context):\n    return client('sqs').list_queues()\n"
        ),
        Example(
            "import boto3\n\nsts = boto3.client('sts')\n\ndef handler(event, context):\n"
            "    creds = sts.assume_role(RoleArn=event['roleArn'], RoleSessionName='t')"
            "['Credentials']\n"
            "    s3 = boto3.client('s3', aws_access_key_id=creds['AccessKeyId'],\n"
            "                      aws_secret_access_key=creds['SecretAccessKey'],\n"
            "                      aws_session_token=creds['SessionToken'])\n"
            "    return s3.list_buckets()\n"
        ),
        Example(
            "import boto3\n\n_clients = {}\n\ndef handler(event, context):\n"
            "    region = event['region']\n    if region not in _clients:\n"
            "        _clients[region] = boto3.client('s3', region_name=region)\n"
            "    return _clients[region].list_buckets()\n"
        ),
        Example(
            "import asyncio\nimport httpx\n\nasync def fetch(url):\n"
            "    async with httpx.AsyncClient() as http:\n"
            "        return (await http.get(url)).text\n\n"
            "def handler(event, context):\n    return asyncio.run(fetch(event['url']))\n"
        ),
        Example(
            "import boto3\n\ndef make_report():\n    return boto3.client('s3')\n\n"
            "if __name__ == '__main__':\n    make_report()\n"
        ),
    ]
    INVALID = [
        Example(
            "import boto3\n\ndef handler(event, context):\n    s3 = boto3.client('s3')\n"
            "    return s3.list_buckets()\n",
            message="boto3.client() is built on every invocation",
        ),
        Example(
            "from boto3 import resource as res\n\ndef process(event, context):\n"
            "    table = res('dynamodb').Table('orders')\n"
            "    return table.get_item(Key={'id': event['Records'][0]['body']})\n",
            trigger="sqs",
            handler="process",
            message="boto3.resource()",
        ),
        Example(
            "from orders import save_order\n\ndef handler(event, context):\n"
            "    save_order(event['detail'])\n",
            files={
                "orders.py": "import boto3\n\ndef _table():\n"
                "    return boto3.resource('dynamodb').Table('orders')\n\n"
                "def save_order(order):\n    _table().put_item(Item=order)\n"
            },
            message="(handler -> save_order -> _table)",
        ),
        Example(
            "import boto3.session\nimport pymysql\n\ndef handler(event, context):\n"
            "    s3 = boto3.session.Session().client('s3')\n"
            "    db = pymysql.connect(host='db', user='app')\n"
            "    return s3, db\n",
            count=2,
        ),
        Example(
            "import requests\n\nclass Api:\n    def __init__(self):\n"
            "        self.http = requests.Session()\n\n"
            "def handler(event, context):\n    return Api().http.get('https://example.com').text\n",
            message="handler -> Api.__init__",
        ),
        Example(
            "import acme\n\ndef handler(event, context):\n    return acme.connect('db').query()\n",
            config={"client-constructors": ["acme.connect"]},
        ),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        qualify = self.context.qualified_name
        label = client_constructor(node, qualify, self.context.settings.client_constructors)
        if label is None:
            label = self._module_session_client(node)
        if label is None or self._feeds_outer_client(node):
            return
        steps = self.per_invocation()
        if steps is None or self._per_tenant(node) or self.runs_once():
            return
        self.report(
            node,
            f"{label}() is built on every invocation{self.where(steps)}; "
            "create it once at module scope (or in a cached factory) and reuse it",
            fix=self._hoist(node),
            related=self.context.chain_locations(steps=steps),
        )

    def _hoist(self, node: cst.Call) -> Fix | None:
        """`s3 = boto3.client("s3")` at the top of a module-level function, with constant
        arguments, moves to module scope after the imports (unsafe: the client is then
        shared by every invocation, and built at import)."""
        assign, line, block, function = (self.context.parent(i) for i in (1, 2, 3, 4))
        if not (
            isinstance(assign, cst.Assign)
            and isinstance(line, cst.SimpleStatementLine)
            and len(line.body) == 1
            and isinstance(block, cst.IndentedBlock)
            and isinstance(function, cst.FunctionDef)
            and len(self.context.functions) == 1
            and len(assign.targets) == 1
            and isinstance(assign.targets[0].target, cst.Name)
            and all(_is_constant(arg.value) for arg in node.args)
        ):
            return None
        name = assign.targets[0].target.value
        summary = self.context.model.modules.get(self.context.path)
        head = (dotted_name(node.func) or "").split(".")[0]
        if summary is None or name in summary.top_level_names():
            return None
        if not any(i.alias == head and i.function is None for i in summary.imports):
            return None
        if len(assigned_values(function, name)) != 1 or name in {
            p.name.value for p in function.params.params
        }:
            return None
        imports = [
            statement
            for statement in self.context.module.body
            if isinstance(statement, cst.SimpleStatementLine)
            and any(isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body)
        ]
        if not imports:
            return None
        last_import = self.context.positions.span(imports[-1])[1].line
        start, end = self.context.positions.span(line)
        code = cst.Module([]).code_for_node(node)
        removal = Edit(Position(start.line, 0), Position(end.line + 1, 0), "")
        insertion = Edit(
            Position(last_import + 1, 0), Position(last_import + 1, 0), f"\n{name} = {code}\n"
        )
        return Fix("unsafe", f"Build `{name}` once at module scope", (insertion, removal))

    def _module_session_client(self, node: cst.Call) -> str | None:
        """`session.client(...)` on a module-level boto3/botocore session."""
        func = node.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
            return None
        if func.attr.value not in CLIENT_METHODS:
            return None
        binding = self.context.module_binding(func.value.value)
        if binding is None or binding.kind != "assign":
            return None
        for value in binding.values:
            if (
                isinstance(value, cst.Call)
                and self.context.qualified_name(value.func) in SESSION_CONSTRUCTORS
            ):
                return f"{func.value.value}.{func.attr.value}"
        return None

    def _feeds_outer_client(self, node: cst.Call) -> bool:
        """`boto3.Session()` in `boto3.Session().client(...)`: the outer call reports."""
        parent, grand = self.context.parent(), self.context.parent(2)
        if not (isinstance(parent, cst.Attribute) and isinstance(grand, cst.Call)):
            return False
        if grand.func is not parent:
            return False
        extra = self.context.settings.client_constructors
        return client_constructor(grand, self.context.qualified_name, extra) is not None

    def _per_tenant(self, node: cst.Call) -> bool:
        """Any argument (of the call or of the session it chains from) holds request data."""
        return any(self.context.refs(arg.value) for call in chain_calls(node) for arg in call.args)


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


class _StateRule(_ReuseRule):
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
            if kind == "deque" and _argument(value, 1, "maxlen") is not None:
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
            return not all(_is_constant(v) for v in write.values)
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
            return all(_is_constant(e.value) for e in value.elements)
        return all(
            isinstance(e, cst.DictElement) and self._constant_key(e.key) for e in value.elements
        )

    def _constant_key(self, key: cst.BaseExpression) -> bool:
        if _is_constant(key):
            return True
        if isinstance(key, cst.Name):
            binding = self.context.module_binding(key.value)
            return (
                binding is not None
                and binding.kind == "assign"
                and len(binding.values) == 1
                and _is_constant(binding.values[0])
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
            for call, _ in _calls(self.context.module):
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


# -- LL304 ---------------------------------------------------------------------------------

TMP = "/tmp"
OPENERS = {"builtins.open", "io.open", "codecs.open"}
COPIERS = {"shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree", "shutil.move"}
#: methods that write the file named by their first argument
SAVERS = {
    "to_csv", "to_parquet", "to_json", "to_excel", "to_pickle", "to_feather", "savefig", "save",
    "extractall",
}  # fmt: skip
PATH_CALLS = {"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "builtins.str", "os.fspath"}
JOINS = {"os.path.join", "posixpath.join"}
REMOVERS = {"os.remove", "os.unlink", "os.rmdir", "os.removedirs", "shutil.rmtree"}
EXISTS = {"os.path.exists", "os.path.isfile", "os.path.isdir", "os.path.lexists"}
PATH_CHECK_METHODS = {"unlink", "rmdir", "exists", "is_file", "is_dir"}


def _write_mode(node: cst.BaseExpression | None) -> bool:
    if not isinstance(node, cst.SimpleString):
        return False
    mode = node.evaluated_value
    return isinstance(mode, str) and any(flag in mode for flag in "wax+")


class TmpFileLeak(_ReuseRule):
    """
    ## What it does
    Reports per-invocation code that writes a fixed path under `/tmp` — `open(...,
    "w"/"a"/"x")`, `Path(...).write_text()`/`write_bytes()`, `shutil.copy(...)`,
    `download_file(...)`, `urlretrieve(...)`, `to_csv(...)` and similar — when the
    module never removes that path (`os.remove`, `os.unlink`, `Path.unlink`,
    `shutil.rmtree` of it or of a folder holding it). The path is a string literal,
    an `os.path.join`/`Path` of literals, or a name bound to one.

    Not reported: `tempfile` files and folders; paths built at run time (f-strings,
    `%`-formatting, event data), which LL606 looks at; a path the module checks for
    first (`os.path.exists(path)`), the usual "download once per environment" cache.

    ## Why is this bad?
    `/tmp` belongs to the execution environment, not to the invocation: the file is
    still there for the next request (which may read stale or another caller's data
    if a write fails half-way), and files left behind fill the ephemeral storage
    (512 MB by default). Under Lambda Managed Instances several requests share one
    `/tmp` at the same time, so a fixed name also collides.

    ## Example
    ```python
    def handler(event, context):
        with open("/tmp/report.csv", "w") as out:
            out.write(render(event))
        upload("/tmp/report.csv")
    ```

    ## Use instead
    ```python
    import tempfile


    def handler(event, context):
        with tempfile.NamedTemporaryFile("w", suffix=".csv") as out:
            out.write(render(event))
            out.flush()
            upload(out.name)
    ```
    """

    code = "LL304"
    name = "tmp-file-leak"
    summary = "Fixed /tmp path written per invocation and never removed"
    VALID = [
        Example(
            "import tempfile\n\ndef handler(event, context):\n"
            "    with tempfile.NamedTemporaryFile('w') as out:\n        out.write('x')\n"
        ),
        Example(
            "import os\n\nPATH = '/tmp/report.csv'\n\ndef handler(event, context):\n"
            "    try:\n        with open(PATH, 'w') as out:\n            out.write('x')\n"
            "    finally:\n        os.remove(PATH)\n"
        ),
        Example(
            "def handler(event, context):\n"
            "    with open(f\"/tmp/{context.aws_request_id}.json\", 'w') as out:\n"
            "        out.write('x')\n"
        ),
        Example(
            "import os\nimport boto3\n\ns3 = boto3.client('s3')\nMODEL = '/tmp/model.bin'\n\n"
            "def handler(event, context):\n    if not os.path.exists(MODEL):\n"
            "        s3.download_file('models', 'model.bin', MODEL)\n    return MODEL\n"
        ),
        Example("def handler(event, context):\n    return open('/tmp/config.json').read()\n"),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    with open('/tmp/import.csv', 'w+b') as fh:\n"
            "        fh.write(b'x')\n",
            message="'/tmp/import.csv'",
        ),
        Example(
            "import os\nimport boto3\n\ns3 = boto3.client('s3')\n\n"
            "def fetch(record):\n    local = os.path.join('/tmp', 'input.json')\n"
            "    s3.download_file(record['s3']['bucket']['name'], 'input.json', local)\n"
            "    return local\n\n"
            "def handler(event, context):\n    return fetch(event['Records'][0])\n",
            trigger="s3",
            message="handler -> fetch",
        ),
        Example(
            "from pathlib import Path\nfrom helpers import render\n\n"
            "def handler(event, context):\n    render()\n",
            files={
                "helpers.py": "from pathlib import Path\n\n"
                "def render():\n    Path('/tmp/out.html').write_text('<p>')\n"
            },
        ),
        Example(
            "import shutil\n\ndef handler(event, context):\n"
            "    shutil.copy('/var/task/seed.db', '/tmp/seed.db')\n",
        ),
    ]

    def __init__(self, context: CheckContext) -> None:
        super().__init__(context)
        self._managed: set[str] | None = None
        self._reported: set[tuple[cst.FunctionDef | None, str]] = set()

    def visit_Call(self, node: cst.Call) -> None:
        path = None
        for candidate in self._written(node):
            path = self._tmp_path(candidate, self.context.function_node())
            if path is not None:
                break
        if path is None:
            return
        steps = self.per_invocation()
        if steps is None or self._is_managed(path):
            return
        key = (self.context.function_node(), path)
        if key in self._reported:
            return
        self._reported.add(key)
        self.report_here(
            node,
            f"writes the fixed path '{path}'{self.where(steps)} and the module never removes "
            "it: /tmp outlives the invocation, so the file is left for the next request and "
            "fills the disk; use tempfile, or remove it in a `finally:` block",
            steps,
        )

    def _written(self, call: cst.Call) -> list[cst.BaseExpression]:
        """The expressions a call may write to as a file path."""
        name = self.context.qualified_name(call.func)
        found: list[cst.BaseExpression | None] = []
        if name in OPENERS or name in ("zipfile.ZipFile", "tarfile.open"):
            if _write_mode(_argument(call, 1, "mode")):
                found.append(_argument(call, 0, "file" if name in OPENERS else None))
        elif name in COPIERS:
            found.append(_argument(call, 1, "dst"))
        elif name == "urllib.request.urlretrieve":
            found.append(_argument(call, 1, "filename"))
        elif isinstance(call.func, cst.Attribute):
            method = call.func.attr.value
            if method in ("write_text", "write_bytes", "touch") or (
                method == "open" and _write_mode(_argument(call, 0, "mode"))
            ):
                found.append(call.func.value)
            elif method == "download_file":
                keyword = keyword_argument(call, "Filename")
                found.append(keyword.value if keyword else None)
                found.extend(a.value for a in call.args if a.keyword is None)
            elif method in SAVERS:
                found.append(_argument(call, 0, "path"))
        return [f for f in found if f is not None]

    def _tmp_path(
        self, node: cst.BaseExpression, function: cst.FunctionDef | None, depth: int = 0
    ) -> str | None:
        """The constant path under /tmp an expression of `function` denotes, or None."""
        text = self._constant_path(node, function, depth)
        if text is None:
            return None
        normal = posixpath.normpath(text)
        return normal if normal.startswith(TMP + "/") else None

    def _constant_path(
        self, node: cst.BaseExpression, function: cst.FunctionDef | None, depth: int
    ) -> str | None:
        if depth > 4:
            return None
        if isinstance(node, cst.SimpleString):
            value = node.evaluated_value
            return value if isinstance(value, str) else None
        if isinstance(node, cst.FormattedString):
            parts = node.parts
            if all(isinstance(p, cst.FormattedStringText) for p in parts):
                return "".join(p.value for p in parts)  # type: ignore[union-attr]
            return None
        if isinstance(node, cst.ConcatenatedString):
            left = self._constant_path(node.left, function, depth + 1)
            right = self._constant_path(node.right, function, depth + 1)  # type: ignore[arg-type]
            return left + right if left is not None and right is not None else None
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            left = self._constant_path(node.left, function, depth + 1)
            right = self._constant_path(node.right, function, depth + 1)
            return posixpath.join(left, right) if left is not None and right is not None else None
        if isinstance(node, cst.Call):
            name = self.context.qualified_name(node.func)
            if name in JOINS or name in PATH_CALLS:
                parts = [self._constant_path(a.value, function, depth + 1) for a in node.args]
                if (
                    parts
                    and all(p is not None for p in parts)
                    and not any(a.keyword for a in node.args)
                ):
                    return posixpath.join(*parts)  # type: ignore[arg-type]
            return None
        if isinstance(node, cst.Name):
            values = self.values_in(function, node.value)
            scope = (
                function if function is not None and self._is_local(function, node.value) else None
            )
            found = {self._constant_path(v, scope, depth + 1) for v in values}
            if len(found) == 1:
                return found.pop()
        return None

    def _is_managed(self, path: str) -> bool:
        """Whether the function, or any code of the module, removes the path (or a
        folder holding it) or checks that it exists."""
        if self._managed is None:
            managed: set[str] = set()
            for call, function in _calls(self.context.module):
                for target in self._cleaned(call):
                    found = self._tmp_path(target, function)
                    if found is not None:
                        managed.add(found)
            self._managed = managed
        return any(path == m or path.startswith(m + "/") for m in self._managed)

    def _cleaned(self, call: cst.Call) -> list[cst.BaseExpression]:
        name = self.context.qualified_name(call.func)
        if name in REMOVERS or name in EXISTS:
            argument = _argument(call, 0, "path")
            return [argument] if argument is not None else []
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in PATH_CHECK_METHODS:
            return [call.func.value]
        return []


# -- LL305 ---------------------------------------------------------------------------------

THREADS = {"threading.Thread", "threading.Timer", "multiprocessing.Process"}
EXECUTORS = {
    "concurrent.futures.ThreadPoolExecutor",
    "concurrent.futures.ProcessPoolExecutor",
    "concurrent.futures.thread.ThreadPoolExecutor",
}
TASK_STARTERS = {"asyncio.create_task", "asyncio.ensure_future"}
LOOPS = {"asyncio.get_event_loop", "asyncio.get_running_loop", "asyncio.new_event_loop"}


class BackgroundWorkAfterReturn(_ReuseRule):
    """
    ## What it does
    Reports work started in per-invocation code and left running when the function
    returns:
    - a `threading.Thread`/`Timer` (or `multiprocessing.Process`) that is started and
      never joined: `Thread(...).start()`, or `t.start()` with no other use of `t`;
    - `submit(...)`/`map(...)` on a `ThreadPoolExecutor` that is not a `with` block,
      not `shutdown()` in the function, and whose futures are thrown away;
    - `asyncio.create_task`/`ensure_future`/`loop.create_task`/`run_in_executor` whose
      task is thrown away.

    A handle that is kept and used (joined, awaited, passed to `gather`/`wait`, put in
    a list, returned) is taken as waited for.

    ## Why is this bad?
    When the handler returns, Lambda freezes the execution environment. Background work
    stops mid-way and only resumes if a later invocation thaws the same environment —
    maybe minutes later, maybe never (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
    Notifications go missing and writes land late; an asyncio task is simply cancelled
    when `asyncio.run()` closes the loop.

    ## Example
    ```python
    import threading


    def handler(event, context):
        threading.Thread(target=notify, args=(event["id"],)).start()
        return {"ok": True}
    ```

    ## Use instead
    ```python
    import threading


    def handler(event, context):
        worker = threading.Thread(target=notify, args=(event["id"],))
        worker.start()
        result = do_other_work(event)
        worker.join()
        return result
    ```
    """

    code = "LL305"
    name = "background-work-after-return"
    summary = "Thread, executor or asyncio task not waited for before returning"
    VALID = [
        Example(
            "import threading\n\ndef handler(event, context):\n"
            "    t = threading.Thread(target=print)\n    t.start()\n    t.join()\n"
        ),
        Example(
            "from concurrent.futures import ThreadPoolExecutor\n\n"
            "def handler(event, context):\n    with ThreadPoolExecutor(max_workers=4) as pool:\n"
            "        pool.submit(print, 1)\n        pool.map(print, [1, 2])\n"
        ),
        Example(
            "import asyncio\n\nasync def main(items):\n"
            "    tasks = [asyncio.create_task(asyncio.sleep(i)) for i in items]\n"
            "    await asyncio.gather(*tasks)\n\n"
            "def handler(event, context):\n    asyncio.run(main([1, 2]))\n"
        ),
        Example(
            "from concurrent.futures import ThreadPoolExecutor\n\nPOOL = ThreadPoolExecutor(4)\n\n"
            "def handler(event, context):\n    future = POOL.submit(sum, [1, 2])\n"
            "    return future.result()\n"
        ),
        Example(
            "import threading\n\ndef start_worker():\n    threading.Thread(target=print).start()\n"
        ),
    ]
    INVALID = [
        Example(
            "import threading\n\ndef handler(event, context):\n"
            "    threading.Thread(target=print, args=(1,)).start()\n    return {}\n",
            message="never joined",
        ),
        Example(
            "from threading import Thread\n\ndef notify(n):\n    print(n)\n\n"
            "def consume(event, context):\n    worker = Thread(target=notify, args=(1,))\n"
            "    worker.daemon = True\n    worker.start()\n",
            trigger="sqs",
            handler="consume",
        ),
        Example(
            "from concurrent.futures import ThreadPoolExecutor\n\nPOOL = ThreadPoolExecutor(4)\n\n"
            "def handler(event, context):\n    POOL.submit(print, event['id'])\n",
            message="executor",
        ),
        Example(
            "import asyncio\n\nasync def audit(x):\n    await asyncio.sleep(x)\n\n"
            "async def main(event):\n    asyncio.create_task(audit(1))\n    return event\n\n"
            "def handler(event, context):\n    return asyncio.run(main(event))\n",
            message="asyncio",
        ),
        Example(
            "from jobs import kick_off\n\ndef handler(event, context):\n    kick_off()\n",
            files={
                "jobs.py": "import threading\n\ndef kick_off():\n"
                "    threading.Timer(5, print).start()\n"
            },
            message="handler -> kick_off",
        ),
    ]

    THREAD_MESSAGE = (
        "a thread started here is never joined{where}: Lambda freezes the environment when "
        "the handler returns, and the work only resumes if a later invocation thaws it; "
        "join it before returning, or do the work inline"
    )
    EXECUTOR_MESSAGE = (
        "work submitted to this executor is never waited for{where}: Lambda freezes the "
        "environment when the handler returns; use `with ThreadPoolExecutor() as ...:` or "
        "wait for the futures (`.result()`, `concurrent.futures.wait`)"
    )
    TASK_MESSAGE = (
        "this asyncio task is never awaited{where}: asyncio.run() cancels it when the "
        "coroutine returns, and a frozen loop does not run it; await it or gather it"
    )

    def visit_Call(self, node: cst.Call) -> None:
        message = self._background(node)
        if message is None:
            return
        steps = self.per_invocation()
        if steps is None:
            return
        self.report_here(node, message.format(where=self.where(steps)), steps)

    def _background(self, node: cst.Call) -> str | None:
        name = self.context.qualified_name(node.func)
        if name in TASK_STARTERS:
            return None if self._result_kept(node) else self.TASK_MESSAGE
        func = node.func
        if not isinstance(func, cst.Attribute):
            return None
        method, receiver = func.attr.value, func.value
        if method == "start" and self._is_thread(receiver):
            harmless = {"start", "setDaemon", "setName"}
            if isinstance(receiver, cst.Name) and self.uses_elsewhere(
                receiver.value, receiver, harmless
            ):
                return None
            return self.THREAD_MESSAGE
        if method in ("submit", "map") and self.built_by(receiver, EXECUTORS):
            if isinstance(receiver, cst.Name) and self._executor_closed(receiver.value):
                return None
            return None if self._result_kept(node) else self.EXECUTOR_MESSAGE
        if method in ("create_task", "run_in_executor") and self.built_by(receiver, LOOPS):
            return None if self._result_kept(node) else self.TASK_MESSAGE
        return None

    def _is_thread(self, receiver: cst.BaseExpression) -> bool:
        if self.built_by(receiver, THREADS):
            return True
        call = receiver if isinstance(receiver, cst.Call) else None
        if isinstance(receiver, cst.Name):
            values = self.bound_values(receiver.value)
            call = next((v for v in values if isinstance(v, cst.Call)), None)
        constructor = dotted_name(call.func) if call is not None else None
        if constructor is None:
            return False
        owner = self.context.model.class_of(self.context.path, constructor)
        if owner is None:
            return False
        module = self.context.model.modules[owner[0]]
        return any(qualify(module, base) in THREADS for base in module.classes.get(owner[1], ()))

    def _executor_closed(self, name: str) -> bool:
        """`with ... as name` in the function, or `name.shutdown()` (waiting)."""
        function = self.context.function_node()
        if function is None:
            return False
        for found, parent, grand in _uses(function.body, name):
            if isinstance(parent, cst.AsName) and isinstance(grand, cst.WithItem):
                return True
            if isinstance(parent, cst.WithItem) and parent.item is found:
                return True
            if (
                isinstance(parent, cst.Attribute)
                and parent.value is found
                and parent.attr.value == "shutdown"
                and isinstance(grand, cst.Call)
            ):
                wait = _argument(grand, 0, "wait")
                if not (isinstance(wait, cst.Name) and wait.value == "False"):
                    return True
        return False

    def _result_kept(self, node: cst.Call) -> bool:
        """Whether the future/task a call returns is kept for later: not a bare
        statement, and not bound to a name nothing else reads."""
        parent = self.context.parent()
        if isinstance(parent, cst.Expr):
            return False
        if isinstance(parent, cst.Assign) and parent.value is node:
            names = [t.target for t in parent.targets if isinstance(t.target, cst.Name)]
            if len(names) == len(parent.targets):
                return any(self.uses_elsewhere(n.value, n, set()) for n in names)
        return True


# -- LL306 ---------------------------------------------------------------------------------

CONFIGURERS = {"logging.basicConfig", "logging.config.dictConfig", "logging.config.fileConfig"}
LOG_HANDLERS = {"logging.StreamHandler", "logging.FileHandler"}


class LoggingSetupPerInvocation(_ReuseRule):
    """
    ## What it does
    Reports logging set-up in per-invocation code: `logging.basicConfig()`,
    `logging.config.dictConfig()`/`fileConfig()`, `<logger>.addHandler(...)`, and new
    handlers (`logging.StreamHandler()`, `logging.FileHandler(...)`,
    `logging.handlers.*Handler(...)`) created there. `logger.setLevel(...)` is fine.

    Not reported: set-up that only runs when `logger.handlers`/`hasHandlers()` says
    none is installed, or under a flag the function sets (`if not _configured:`),
    set-up in a `functools.cache`d function, and an `addHandler` undone by
    `removeHandler` in the same function.

    ## Why is this bad?
    The Python runtime installs a handler on the root logger before your module is
    imported. Each warm invocation then adds one more handler, so every log line is
    written once more per invocation served — and CloudWatch Logs bills each copy.
    `logging.basicConfig()` does nothing at all when the root logger already has a
    handler (so its `level=` is silently ignored); with `force=True` it tears down and
    rebuilds logging on every invocation.

    ## Example
    ```python
    import logging


    def handler(event, context):
        logger = logging.getLogger()
        logger.addHandler(logging.StreamHandler())
        logger.info("processing %s", event["id"])
    ```

    ## Use instead
    ```python
    import logging

    logger = logging.getLogger()
    logger.setLevel(logging.INFO)


    def handler(event, context):
        logger.info("processing %s", event["id"])
    ```
    """

    code = "LL306"
    name = "logging-setup-per-invocation"
    summary = "Logging configured or a log handler added on every invocation"
    VALID = [
        Example(
            "import logging\n\nlogger = logging.getLogger()\n"
            "logger.addHandler(logging.StreamHandler())\n\n"
            "def handler(event, context):\n    logger.setLevel(logging.INFO)\n"
            "    logger.info('hi')\n"
        ),
        Example(
            "import logging\n\nlogger = logging.getLogger('app')\n\n"
            "def handler(event, context):\n    if not logger.handlers:\n"
            "        logger.addHandler(logging.StreamHandler())\n    logger.info('hi')\n"
        ),
        Example(
            "import functools\nimport logging\n\n@functools.cache\ndef setup():\n"
            "    logging.basicConfig(level=logging.INFO, force=True)\n\n"
            "def handler(event, context):\n    setup()\n"
        ),
        Example(
            "import logging\n\n_configured = False\n\ndef handler(event, context):\n"
            "    global _configured\n    if not _configured:\n"
            "        logging.basicConfig(level=logging.INFO, force=True)\n"
            "        _configured = True\n"
        ),
    ]
    INVALID = [
        Example(
            "import logging\n\ndef handler(event, context):\n"
            "    logging.basicConfig(level=logging.INFO)\n",
            message="logging.basicConfig()",
        ),
        Example(
            "import logging\n\ndef handler(event, context):\n    log = logging.getLogger()\n"
            "    log.addHandler(logging.StreamHandler())\n",
            message="addHandler()",
        ),
        Example(
            "from log_setup import configure\n\ndef run(event, context):\n    configure()\n",
            files={
                "log_setup.py": "import logging\n"
                "from logging.handlers import WatchedFileHandler\n\n"
                "def configure():\n    handler = WatchedFileHandler('/tmp/app.log')\n"
                "    logging.getLogger().addHandler(handler)\n"
            },
            trigger="schedule",
            handler="run",
            message="run -> configure",
        ),
        Example(
            "import logging\n\ndef handler(event, context):\n"
            "    return logging.FileHandler('/tmp/trace.log')\n",
            message="logging.FileHandler()",
        ),
    ]

    def __init__(self, context: CheckContext) -> None:
        super().__init__(context)
        self._setup_functions: dict[cst.FunctionDef, bool] = {}

    def visit_Call(self, node: cst.Call) -> None:
        name = self.context.qualified_name(node.func)
        method = node.func.attr.value if isinstance(node.func, cst.Attribute) else None
        if name in CONFIGURERS:
            message = (
                f"{name}() runs on every invocation{{where}}: the runtime has already "
                "installed a root handler, so it does nothing (and its level is ignored) "
                "unless force=True, which rebuilds logging each time; configure logging "
                "once at module scope"
            )
        elif method == "addHandler":
            if self._removes_handler():
                return
            message = (
                "addHandler() runs on every invocation{where}: each warm invocation adds "
                "another handler and every log line is written once more; add handlers "
                "once at module scope"
            )
        elif self._is_handler_class(name) and not self._sets_up_logging():
            message = (
                f"{name}() creates a new log handler on every invocation{{where}}; create "
                "handlers once at module scope"
            )
        else:
            return
        steps = self.per_invocation()
        if steps is None or self.runs_once(_checks_handlers):
            return
        self.report_here(node, message.format(where=self.where(steps)), steps)

    @staticmethod
    def _is_handler_class(name: str | None) -> bool:
        if name is None:
            return False
        return name in LOG_HANDLERS or (
            name.startswith("logging.handlers.") and name.endswith("Handler")
        )

    def _function_calls(self) -> list[tuple[str | None, str | None]]:
        function = self.context.function_node()
        if function is None:
            return []
        return [
            (
                self.context.qualified_name(call.func),
                call.func.attr.value if isinstance(call.func, cst.Attribute) else None,
            )
            for call, _ in _calls(function.body)
        ]

    def _sets_up_logging(self) -> bool:
        """The function also configures logging or adds a handler: that call reports."""
        function = self.context.function_node()
        if function is None:
            return False
        if function not in self._setup_functions:
            self._setup_functions[function] = any(
                name in CONFIGURERS or method == "addHandler"
                for name, method in self._function_calls()
            )
        return self._setup_functions[function]

    def _removes_handler(self) -> bool:
        return any(method == "removeHandler" for _, method in self._function_calls())


def _checks_handlers(node: cst.CSTNode) -> bool:
    """A test on a logger's handlers (`if not logger.handlers`, `hasHandlers()`)."""
    return any(
        isinstance(attribute, cst.Attribute) and attribute.attr.value in ("handlers", "hasHandlers")
        for attribute in (node, *descendants(node))
    )


# -- LL307 ---------------------------------------------------------------------------------

#: calls that start a new event loop and close it when they are done (a bare
#: `asyncio.new_event_loop()` is left out: it is as often kept for every invocation)
LOOP_STARTERS = {"asyncio.run", "asyncio.Runner"}
_ON_NEW_LOOP: weakref.WeakKeyDictionary[ProjectModel, set[FunctionKey]] = (
    weakref.WeakKeyDictionary()
)


def _on_new_loops(model: ProjectModel) -> set[FunctionKey]:
    """Functions that run under a loop some function of the project starts: everything
    reachable through resolved calls from a function that calls `asyncio.run()` (or
    runs a `with asyncio.Runner()`), excluding that function itself."""
    found = _ON_NEW_LOOP.get(model)
    if found is not None:
        return found
    found = set()
    queue: deque[FunctionKey] = deque()
    for key, function in model.functions():
        module = model.modules[key[0]]
        if any(qualify(module, call.target) in LOOP_STARTERS for call in function.calls):
            queue.extend(target for _, target in model.callees(key))
    while queue:
        key = queue.popleft()
        if key not in found:
            found.add(key)
            queue.extend(target for _, target in model.callees(key))
    _ON_NEW_LOOP[model] = found
    return found


class AsyncClientAcrossLoops(_ReuseRule):
    """
    ## What it does
    Reports a module-level asyncio client — `aiohttp.ClientSession()`,
    `httpx.AsyncClient()`, a client of an `aioboto3.Session()`,
    `motor.motor_asyncio.AsyncIOMotorClient()`, `redis.asyncio.Redis()` — used by a
    coroutine that the handler runs with `asyncio.run()` (or an `asyncio.Runner`), or
    passed into such a call. The finding points at the use: the first call on the
    client in each coroutine (or the argument of `asyncio.run(...)`), which is where
    the client should be created instead.

    ## Why is this bad?
    `asyncio.run()` creates a new event loop and closes it when the invocation's
    coroutine returns. The client binds its connections to the loop of its first use;
    on the next warm invocation, the new loop finds them attached to a closed loop and
    the request fails (`RuntimeError: Event loop is closed`, "attached to a different
    loop"). This is the exception to LL301's advice to build clients once.

    ## Example
    ```python
    import asyncio
    import httpx

    http = httpx.AsyncClient()


    async def fetch(url):
        return (await http.get(url)).text


    def handler(event, context):
        return asyncio.run(fetch(event["url"]))
    ```

    ## Use instead
    ```python
    import asyncio
    import httpx


    async def fetch(url):
        async with httpx.AsyncClient() as http:
            return (await http.get(url)).text


    def handler(event, context):
        return asyncio.run(fetch(event["url"]))
    ```
    """

    code = "LL307"
    name = "async-client-across-loops"
    summary = "Module-level asyncio client used from asyncio.run() in the handler"
    default_enabled = False
    VALID = [
        Example(
            "import asyncio\nimport httpx\n\nasync def fetch(url):\n"
            "    async with httpx.AsyncClient() as http:\n        return await http.get(url)\n\n"
            "def handler(event, context):\n    return asyncio.run(fetch(event['url']))\n"
        ),
        Example(
            "import asyncio\nimport aiohttp\n\nLOOP = asyncio.new_event_loop()\n"
            "session = aiohttp.ClientSession(loop=LOOP)\n\nasync def fetch(url):\n"
            "    return await session.get(url)\n\n"
            "def handler(event, context):\n"
            "    return LOOP.run_until_complete(fetch(event['url']))\n"
        ),
        Example(
            "import asyncio\nimport aioboto3\n\nsession = aioboto3.Session()\n\n"
            "async def main():\n    async with session.client('s3') as s3:\n"
            "        return await s3.list_buckets()\n\n"
            "def handler(event, context):\n    return asyncio.run(main())\n"
        ),
        Example(
            "import httpx\n\nhttp = httpx.AsyncClient()\n\nasync def fetch(url):\n"
            "    return await http.get(url)\n"
        ),
    ]
    INVALID = [
        Example(
            "import asyncio\nimport httpx\n\nhttp = httpx.AsyncClient()\n\n"
            "async def fetch(url):\n    return (await http.get(url)).text\n\n"
            "def handler(event, context):\n    return asyncio.run(fetch(event['url']))\n",
            message="httpx.AsyncClient()",
        ),
        Example(
            "import asyncio\nimport aiohttp\n\nsession = aiohttp.ClientSession()\n\n"
            "async def fetch(http, url):\n    return await http.get(url)\n\n"
            "def handler(event, context):\n    return asyncio.run(fetch(session, event['url']))\n",
            message="`session` (aiohttp.ClientSession() built at module scope)",
        ),
        Example(
            "import asyncio\nfrom redis import asyncio as aioredis\n\n"
            "cache = aioredis.Redis(host='cache')\n\n"
            "async def get(key):\n    await cache.ping()\n    return await cache.get(key)\n\n"
            "def consume(event, context):\n"
            "    return asyncio.run(get(event['Records'][0]['body']))\n",
            trigger="sqs",
            handler="consume",
            message="redis.asyncio.Redis()",
        ),
        Example(
            "import asyncio\nfrom clients import http\nfrom work import run\n\n"
            "def handler(event, context):\n    return asyncio.run(run(event))\n",
            files={
                "clients.py": "import httpx\n\nhttp = httpx.AsyncClient()\n",
                "work.py": "from clients import http\n\nasync def run(event):\n"
                "    return await http.post('https://example.com', json=event)\n",
            },
        ),
    ]

    def __init__(self, context: CheckContext) -> None:
        super().__init__(context)
        self._clients: dict[str, str] | None = None
        self._reported: set[tuple[cst.FunctionDef | None, str]] = set()

    def visit_Name(self, node: cst.Name) -> None:
        label = self._async_clients().get(node.value)
        if label is None or self.context.module_binding(node.value) is None:
            return
        parent, grand = self.context.parent(), self.context.parent(2)
        at: cst.CSTNode = node
        if isinstance(parent, cst.Attribute) and parent.value is node:
            if isinstance(grand, cst.Call) and grand.func is parent:
                at = grand
        elif not isinstance(parent, (cst.Arg, cst.WithItem)):
            return
        key = (self.context.function_node(), node.value)
        if key in self._reported or not self._on_new_loop():
            return
        self._reported.add(key)
        self.report(
            at,
            f"`{node.value}` ({label}() built at module scope) is used on the event loop of "
            "asyncio.run(), which is closed when the invocation ends: the next warm "
            "invocation finds the client bound to a closed loop ('Event loop is closed'); "
            "create the client inside the coroutine (`async with`), or run every "
            "invocation on one module-level loop",
        )

    def _async_clients(self) -> dict[str, str]:
        """Module-level names holding an asyncio client, with its constructor."""
        if self._clients is None:
            clients: dict[str, str] = {}
            for name, binding in module_bindings(self.context.module).items():
                for value in binding.values:
                    if isinstance(value, cst.Call):
                        label = async_client_constructor(value, self.context.qualified_name)
                        if label is not None:
                            clients[name] = label
                if binding.kind == "import":
                    label = self._imported_client(name)
                    if label is not None:
                        clients[name] = label
            self._clients = clients
        return self._clients

    def _imported_client(self, alias: str) -> str | None:
        """The constructor of an asyncio client another module of the project builds."""
        found = self.imported(alias)
        instance = found[0].instances.get(found[1]) if found and found[1] else None
        if found is None or instance is None:
            return None
        constructor = qualify(found[0], instance.constructor)
        return constructor if constructor in ASYNC_CLIENT_CONSTRUCTORS else None

    def _on_new_loop(self) -> bool:
        """The visited code runs on the loop of a per-invocation `asyncio.run()` (or
        `asyncio.Runner`): it is an argument of such a call, or a coroutine below a
        function that makes one."""
        if not self.context.in_invoke_code():
            return False
        for ancestor in reversed(self.context.ancestors):
            if isinstance(ancestor, cst.FunctionDef):
                break
            if (
                isinstance(ancestor, cst.Call)
                and self.context.qualified_name(ancestor.func) in LOOP_STARTERS
            ):
                return True
        function = self.context.function_node()
        key = self.context.function_key()
        if function is None or function.asynchronous is None or key is None:
            return False
        return key in _on_new_loops(self.context.model)
