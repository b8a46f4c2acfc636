"""Calls that build a reusable client: an AWS SDK client, resource or session, a
database connection or pool, an HTTP session. Building one costs a TLS handshake or a
login (tens to hundreds of milliseconds), so Lambda code should build it once per
execution environment (https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html,
"Take advantage of execution environment reuse").

The constructors are facts about libraries, kept with their sources in
`data/clients.json`. Names are fully qualified (`boto3.client`, whatever the import
style); callers resolve them with `CheckContext.qualified_name`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Callable, Optional

import libcst as cst

from lambda_lint.index import CallSite
from lambda_lint.model.locals import assigned_values, returns_of
from lambda_lint.model.names import dotted_name
from lambda_lint.model.once import project_trees
from lambda_lint.model.project import FunctionKey, ProjectModel
from lambda_lint.model.scope import qualify

_CLIENTS = json.loads((Path(__file__).parent / "data" / "clients.json").read_text())


def _load(data: dict) -> dict[str, frozenset[str]]:
    """The constructor names of `data/clients.json` by kind, plus its word lists."""
    kinds: dict[str, set[str]] = {}
    for library in data["libraries"]:
        for name, kind in library["constructors"].items():
            kinds.setdefault(kind, set()).add(name)
    found = {kind: frozenset(names) for kind, names in kinds.items()}
    found["client_methods"] = frozenset(data["client_methods"])
    found["credential_keywords"] = frozenset(data["credential_keywords"])
    return found


_DATA = _load(_CLIENTS)
#: the regions a service's API is served from, for the services that have one (or a
#: few) whatever region calls them (`boto3.client("ce")`: us-east-1)
SERVICE_REGIONS: dict[str, frozenset[str]] = {
    entry["service"]: frozenset(entry["regions"])
    for entry in _CLIENTS["service_regions"]["services"]
}
#: SDK sessions: a client factory themselves, and a client when built per invocation
SESSION_CONSTRUCTORS = _DATA["session"]
#: synchronous clients, sessions and connections
CLIENT_CONSTRUCTORS = _DATA["client"] | SESSION_CONSTRUCTORS
#: methods of a session that build a client
CLIENT_METHODS = _DATA["client_methods"]
#: asyncio clients: bound to the event loop they first run on
ASYNC_CLIENT_CONSTRUCTORS = _DATA["async"]
#: async sessions whose clients are loop-bound (the session object itself is not)
ASYNC_SESSION_CONSTRUCTORS = _DATA["async-session"]
#: keyword arguments that hand a client explicit credentials
CREDENTIAL_KEYWORDS = _DATA["credential_keywords"]

Qualify = Callable[[cst.CSTNode], Optional[str]]


def session_client(call: cst.Call, qualify: Qualify, sessions: Iterable[str]) -> str | None:
    """`boto3.Session().client` for `boto3.Session(...).client(...)`: a client built
    straight from a session constructor (one of `sessions`); None otherwise."""
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in CLIENT_METHODS:
        return None
    if not isinstance(func.value, cst.Call):
        return None
    session = qualify(func.value.func)
    if session in sessions:
        return f"{session}().{func.attr.value}"
    return None


def client_constructor(call: cst.Call, qualify: Qualify, extra: Iterable[str] = ()) -> str | None:
    """The qualified name of the synchronous client a call builds, or None.
    `extra` are project-specific constructor names (the `client-constructors` setting)."""
    chained = session_client(call, qualify, SESSION_CONSTRUCTORS)
    if chained is not None:
        return chained
    name = qualify(call.func)
    if name is not None and (name in CLIENT_CONSTRUCTORS or name in extra):
        return name
    return None


def async_client_constructor(call: cst.Call, qualify: Qualify) -> str | None:
    """The qualified name of the asyncio client a call builds, or None."""
    chained = session_client(call, qualify, ASYNC_SESSION_CONSTRUCTORS)
    if chained is not None:
        return chained
    name = qualify(call.func)
    return name if name in ASYNC_CLIENT_CONSTRUCTORS else None


def chain_calls(expression: cst.BaseExpression) -> list[cst.Call]:
    """The calls along an attribute/subscript/call chain, outermost first:
    `boto3.resource("dynamodb").Table(name)` gives the `.Table(...)` call, then the
    `boto3.resource(...)` call."""
    calls: list[cst.Call] = []
    node: cst.BaseExpression = expression
    while True:
        if isinstance(node, cst.Call):
            calls.append(node)
            node = node.func
        elif isinstance(node, (cst.Attribute, cst.Subscript)):
            node = node.value
        elif isinstance(node, cst.Await):
            node = node.expression
        else:
            return calls


def chain_root(expression: cst.BaseExpression) -> cst.Name | None:
    """The name an attribute/subscript/call chain starts from (`CACHE` in
    `CACHE.setdefault(k, []).append(x)`), or None."""
    node: cst.BaseExpression = expression
    while True:
        if isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, (cst.Attribute, cst.Subscript)):
            node = node.value
        elif isinstance(node, cst.Name):
            return node
        else:
            return None


def _reset_attributes() -> dict[str, frozenset[str]]:
    data = json.loads((Path(__file__).parent / "data" / "library_state.json").read_text())
    return {
        constructor: frozenset(item["attributes"])
        for item in data["objects"]
        for constructor in item["constructors"]
    }


#: per constructor of a library object, the attributes the library itself resets at the
#: start of every invocation (`data/library_state.json`)
RESET_EACH_INVOCATION = _reset_attributes()


def _config_reads() -> frozenset[str]:
    data = json.loads((Path(__file__).parent / "data" / "config_stores.json").read_text())
    return frozenset(method for store in data["stores"] for method in store["methods"])


#: SDK methods that read a configuration store: SSM parameters, secrets, AppConfig
#: documents (`data/config_stores.json`)
CONFIG_READS = _config_reads()


# -- project functions that return a client ------------------------------------------------


class ClientFactories:
    """Project functions that hand back a client they (or a function they call) build:
    `def get_client(): return boto3.client("s3")`. Answers are kept per function."""

    def __init__(self, model: ProjectModel) -> None:
        self.model = model
        self._known: dict[FunctionKey, bool] = {}

    def returns_client(self, key: FunctionKey) -> bool:
        if key not in self._known:
            self._known[key] = False  # a recursive factory is not followed again
            self._known[key] = self._returns_client(key)
        return self._known[key]

    def _returns_client(self, key: FunctionKey) -> bool:
        summary = self.model.function(key)
        module = self.model.modules.get(key[0])
        tree = project_trees(self.model).tree(key[0])
        if summary is None or module is None or tree is None:
            return False
        function = tree.function_at(summary.line, summary.column)
        if function is None:
            return False

        def qualified(node: cst.CSTNode) -> str | None:
            dotted = dotted_name(node)
            return qualify(module, dotted) if dotted is not None else None

        extra = self.model.settings.client_constructors
        for returned in returns_of(function):
            values = [returned.value] if returned.value is not None else []
            if isinstance(returned.value, cst.Name):
                values.extend(assigned_values(function, returned.value.value))
            for value in values:
                for call in chain_calls(value):
                    if client_constructor(call, qualified, extra) or async_client_constructor(
                        call, qualified
                    ):
                        return True
                    target = dotted_name(call.func)
                    callee = (
                        self.model.resolve_call(key, CallSite(target, 0, 0)) if target else None
                    )
                    if callee is not None and self.returns_client(callee):
                        return True
        return False


def client_factories(model: ProjectModel) -> ClientFactories:
    return model.analysis("ll3.client-factories", ClientFactories)
