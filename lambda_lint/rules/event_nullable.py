"""LL402: a field that is null or absent in real events, used without a guard.

The catalogue says why each such field may be missing (`KeyInfo.missing`); this rule
reports the causes a handler's code has to deal with itself:

- `request`, `schema`: the request or message decides (no query string, no body);
- `route`: the route decides, so the descriptor's routes must show one without it;
- `event-type`: the kind of event decides, and the code must check it first (the
  record's `eventName`, the request's `RequestType`).

Fields missing for a `variant`, a `setup`, a `test-invoke` or a `framework` are not the
handler's concern: a handler is wired to one variant and one setup.
"""

from __future__ import annotations

import libcst as cst

from lambda_lint.events.catalogue import KeyInfo
from lambda_lint.model.event_access import EventValue, event_value
from lambda_lint.model.flow import ITEM, FunctionFlow
from lambda_lint.model.guards import KEY_ERRORS, NONE_ERRORS, Implies, call_ancestors, is_guarded
from lambda_lint.model.names import string_value
from lambda_lint.rule import Example
from lambda_lint.rules.event_reads import EventRule, denoting, dotted, holding, key_literal

#: where an API event names its route: comparing one with a literal tells the branch
#: which route it serves
ROUTE_KEYS = {
    ("resource",),
    ("routeKey",),
    ("requestContext", "resourcePath"),
    ("requestContext", "routeKey"),
}
#: calls that fail on None (`json.loads(None)` raises TypeError)
NONE_REJECTING_CALLS = ("json.loads",)

_TEMPLATE = (
    "Transform: AWS::Serverless-2016-10-31\nResources:\n"
    "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
    "      Handler: app.handler\n      CodeUri: .\n      Events:\n"
)


def _api_event(name: str, path: str, method: str = "get", auth: str = "") -> str:
    text = (
        f"        {name}:\n          Type: Api\n          Properties:\n"
        f"            Path: {path}\n            Method: {method}\n"
    )
    if auth:
        text += f"            Auth:\n              Authorizer: {auth}\n"
    return text


class NullableEventField(EventRule):
    """
    ## What it does
    Reports a field that is `null` (API Gateway payload 1.0) or absent (payload 2.0 and
    most other triggers) in real events, used without a guard: subscripted, `.get()`
    on, a method called on, iterated, or given to `json.loads`. The catalogue of event
    shapes is the authority, and says why the field is missing; only these causes are
    reported:

    - the request or message decides: `queryStringParameters`, `body` (API Gateway),
      `Sns.Subject` (SNS), `s3.object.versionId` (S3);
    - the route decides: `pathParameters` when a route of the handler in the descriptor
      declares no such parameter, `requestContext.authorizer` when a route of the
      handler has no authorizer (without a descriptor saying so, neither is reported);
    - the kind of event decides: `dynamodb.NewImage`/`OldImage` (DynamoDB Streams,
      by `eventName`), `PhysicalResourceId`/`OldResourceProperties` (CloudFormation
      custom resources, by `RequestType`).

    A field missing only in another variant of the trigger (a Cognito trigger source, a
    WebSocket route), under another configuration (ALB multi-value headers, stage
    variables, a standard queue's `MessageGroupId`), in console test events
    (`headers: null`) or behind a framework (the CDK Provider's `ResponseURL`) is not
    reported.

    A REST API route whose request validator checks the body against a model that
    requires fields (SAM `RequestModel` with `Required` and `ValidateBody`, a
    CloudFormation or Terraform method's validator and `RequestModels`, OpenAPI's
    `x-amazon-apigateway-request-validator`) answers 400 to a request without a body
    before the function runs: there `body` is not reported.

    Recognised guards: `or {}` / `or ""`, `"key" in event`, `is not None`, truthiness,
    an early `return`/`continue`/`raise` on the negated check, a `try` catching the
    error the use raises, a check of the kind of event (`eventName`, `RequestType`,
    with `==`, `!=`, `in`, `and`, `or`) that excludes the events without the field, and
    for path parameters a comparison of `resource`, `routeKey` or
    `requestContext.resourcePath` with a route that declares the parameter.
    `.get(key, default)` guards an *absent* key only: on payload 1.0 the key is present
    with `null`, so `event.get("queryStringParameters", {})["x"]` still fails; and a
    `try` catching only `KeyError` does not guard a `null`, whose use raises `TypeError`.

    In a function the handler calls, a field missing because of the request or message
    is reported only when that function reads it from what it is given and every call
    to it, in the handler's module, is made without checking the field first; other
    causes are reported in the handler's own body only.

    Each field is reported once per function.

    There is no automatic fix: what the code should do without the field (a default,
    an error response, skipping the record) is a decision only its author can make,
    and a default alone (`(event.get("queryStringParameters") or {})["limit"]`) only
    turns the `TypeError` into a `KeyError`.

    ## Why is this bad?
    The handler works for the requests it was tested with and raises `TypeError:
    'NoneType' object is not subscriptable` (or `KeyError`) for the first request
    without a query string, the first delete in the stream, the first message without a
    subject.

    ## Example
    ```python
    def handler(event, context):  # REST API
        limit = int(event["queryStringParameters"]["limit"])
    ```

    ## Use instead
    ```python
    def handler(event, context):
        params = event.get("queryStringParameters") or {}
        limit = int(params.get("limit", 20))
    ```
    """

    code = "LL402"
    name = "nullable-event-field"
    summary = "Field that is null or absent in real events used without a guard"
    VALID = [
        Example(
            "def handler(event, context):\n    params = event.get('queryStringParameters') or {}\n"
            "    return params.get('limit')\n",
            trigger="apigw-rest",
        ),
        Example(
            "def handler(event, context):\n"
            "    event['queryStringParameters'] = event.get('queryStringParameters') or {}\n"
            "    return event['queryStringParameters']['q']\n",
            trigger="apigw-rest",
        ),
        Example(
            "def handler(event, context):\n    if not event.get('queryStringParameters'):\n"
            "        return {'statusCode': 400, 'body': ''}\n"
            "    return event['queryStringParameters']['q']\n",
            trigger="apigw-rest",
        ),
        # the name is given a value where the field is null
        Example(
            "def handler(event, context):\n    params = event.get('queryStringParameters')\n"
            "    if not params:\n        params = {}\n    return params.get('q')\n",
            trigger="apigw-rest",
        ),
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        if r['eventName'] == 'REMOVE':\n            continue\n"
            "        print(r['dynamodb']['NewImage'])\n",
            trigger="dynamodb-stream",
        ),
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        if r['eventName'] == 'INSERT' or r['eventName'] == 'MODIFY':\n"
            "            print(r['dynamodb']['NewImage'])\n",
            trigger="dynamodb-stream",
        ),
        Example(
            "def handler(event, context):\n    if event['RequestType'] in ('Update', 'Delete'):\n"
            "        return event['PhysicalResourceId']\n",
            trigger="cloudformation-custom-resource",
        ),
        # real requests always carry headers: only a console test sends null
        Example(
            "def handler(event, context):\n    return event['headers']['Host']\n",
            trigger="apigw-rest",
        ),
        Example(
            "def handler(event, context):\n    return event['pathParameters']['id']\n",
            files={"template.yaml": _TEMPLATE + _api_event("Get", "/items/{id}")},
        ),
        # without routes in a descriptor, nothing says a route lacks the parameter
        Example(
            "def handler(event, context):\n    return event['pathParameters']['id']\n",
            trigger="apigw-rest",
        ),
        Example(
            "def handler(event, context):\n    if event['resource'] == '/items/{id}':\n"
            "        return event['pathParameters']['id']\n    return None\n",
            files={
                "template.yaml": _TEMPLATE
                + _api_event("List", "/items")
                + _api_event("Get", "/items/{id}")
            },
        ),
        Example(
            "def handler(event, context):\n"
            "    return event['requestContext']['authorizer']['claims']['sub']\n",
            files={
                "template.yaml": _TEMPLATE
                + _api_event("Get", "/items", auth="Cognito")
                + _api_event("Put", "/items", "put", auth="Cognito")
            },
        ),
        # a FIFO queue or a standard one: the handler is written for the one it reads
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        print(r['attributes']['MessageGroupId'])\n",
            trigger="sqs",
        ),
        Example(
            "import json\n\ndef handler(event, context):\n"
            "    return json.loads(event['body'] or '{}')\n",
            trigger="apigw-rest",
        ),
        # API Gateway validates the body against a required model: 400 without one
        Example(
            "import json\n\ndef handler(event, context):\n    return json.loads(event['body'])\n",
            files={
                "template.yaml": _TEMPLATE
                + _api_event("Create", "/orders", "post")
                + "            RequestModel:\n              Model: Order\n"
                "              Required: true\n              ValidateBody: true\n"
            },
        ),
        # the caller checks or defaults what a helper reads
        Example(
            "def handler(event, context):\n"
            "    if event['queryStringParameters'] is not None:\n"
            "        return search(event)\n    return None\n\n"
            "def search(event):\n    return event['queryStringParameters']['q']\n",
            trigger="apigw-rest",
        ),
        Example(
            "def handler(event, context):\n"
            "    return search(event.get('queryStringParameters') or {})\n\n"
            "def search(params):\n    return params.get('q')\n",
            trigger="apigw-rest",
        ),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    return event['queryStringParameters']['q']\n",
            trigger="apigw-rest",
            message="null",
        ),
        Example(
            "def handler(event, context):\n    return event['queryStringParameters']['q']\n",
            trigger="apigw-http",
            message="absent",
        ),
        Example(
            "def handler(event, context):\n    return event.get('queryStringParameters', {})['q']\n",
            trigger="apigw-rest",
        ),
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        print(r['Sns']['Subject'].strip())\n",
            trigger="sns",
        ),
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        if r['eventName'] == 'REMOVE':\n            continue\n"
            "        print(r['dynamodb']['OldImage'])\n",
            trigger="dynamodb-stream",
            message="OldImage",
        ),
        Example(
            "def handler(event, context):\n    return event['PhysicalResourceId']\n",
            trigger="cloudformation-custom-resource",
            message="Create",
        ),
        # a KeyError handler does not catch the TypeError of a null query string
        Example(
            "def handler(event, context):\n    try:\n"
            "        return event['queryStringParameters']['q']\n    except KeyError:\n"
            "        return None\n",
            trigger="apigw-rest",
        ),
        Example(
            "import json\n\ndef handler(event, context):\n    return json.loads(event['body'])\n",
            trigger="apigw-rest",
            at="json.loads(event['body'])",
            message='or "{}"',
        ),
        Example(
            "def handler(event, context):\n    return event['body'].split('&')\n",
            trigger="apigw-rest",
            at="event['body'].split",
            message='or ""',
        ),
        Example(
            "import json\n\ndef handler(event, context):\n"
            "    if event['httpMethod'] == 'POST':\n        return create(event)\n"
            "    return None\n\ndef create(event):\n    return json.loads(event['body'])\n",
            trigger="apigw-rest",
            at="json.loads(event['body'])",
            message='or "{}"',
        ),
        Example(
            "def handler(event, context):\n    return event['pathParameters']['id']\n",
            files={
                "template.yaml": _TEMPLATE
                + _api_event("List", "/items")
                + _api_event("Get", "/items/{id}")
            },
            message="/items",
        ),
        Example(
            "def handler(event, context):\n"
            "    return event['requestContext']['authorizer']['claims']['sub']\n",
            files={
                "template.yaml": _TEMPLATE
                + _api_event("Get", "/items", auth="Cognito")
                + _api_event("Health", "/health", auth="NONE")
            },
            message="authorizer",
        ),
        # one finding per field and function: the later reads fail the same way
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        print(r['dynamodb']['NewImage']['a'], r['dynamodb']['NewImage']['b'])\n",
            trigger="dynamodb-stream",
            count=1,
        ),
    ]

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self._absent_key(node)
        self._dereference(node, node.value)

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "get":
            self._dereference(node, node.func.value)
        elif node.args and self.context.qualified_name(node.func) in NONE_REJECTING_CALLS:
            self._dereference(node, node.args[0].value, decoded=True)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        parent = self.context.parent()
        if isinstance(parent, cst.Call) and parent.func is node and node.attr.value != "get":
            # a string method is right for an encoded string too: only None breaks it
            self._dereference(node, node.value, decoded=hasattr(str, node.attr.value))

    def visit_For(self, node: cst.For) -> None:
        self._dereference(node.iter, node.iter, decoded=True)

    # -- the two failures ------------------------------------------------------------

    def _absent_key(self, node: cst.Subscript) -> None:
        """`event["k"]` where `k` may be absent: KeyError."""
        access = self.access(node)
        if access is None or access.key == ITEM:
            return
        value = EventValue(access.container.trigger, access.container.shape, access.path, "")
        info = value.info
        if info is None or not info.absent or info.nullable:
            return  # a key mostly present with null is reported where the null is used
        why = self._unhandled(value, None, KEY_ERRORS)
        if why is not None:
            self.report_path(
                node,
                value.path,
                f"`{dotted(value.path)}` is absent from some {value.title} events{why}; "
                "check for it or give .get() a default",
            )

    def _dereference(self, node: cst.CSTNode, target: cst.CSTNode, decoded: bool = False) -> None:
        """A value that may be None used as a mapping, list or string: TypeError."""
        value = self.value(target)
        if value is None or not value.path:
            return
        info = value.info
        if info is None:
            return
        may_be_none = (info.nullable and value.default != "null") or (
            info.absent and value.default == "get"
        )
        if not may_be_none:
            return
        if info.encoding and not decoded:
            return  # an encoded string used as a mapping: LL404 reports it
        literal = key_literal(node)
        key = string_value(literal) if literal is not None else None
        why = self._unhandled(value, key, NONE_ERRORS)
        if why is not None:
            state = "null" if info.nullable else "absent"
            self.report_path(
                node,
                value.path,
                f"`{dotted(value.path)}` is {state} in some {value.title} events{why}; "
                f"guard it (e.g. `{self._fallback(info, node)}`) before use",
            )

    def _fallback(self, info: KeyInfo, use: cst.CSTNode) -> str:
        """A default of the field's own kind, for the message: `or "{}"` for text given
        to `json.loads` (`json.loads(event["body"] or {})` would fail in its turn)."""
        if isinstance(use, cst.Call) and self.context.qualified_name(use.func) in (
            NONE_REJECTING_CALLS
        ):
            return 'or "{}"'
        return {"object": "or {}", "list": "or []", "string": 'or ""'}.get(info.kind, "or {}")

    # -- why the field may be missing here -------------------------------------------

    def _unhandled(self, value: EventValue, key: str | None, raises: frozenset[str]) -> str | None:
        """Why `value` may be missing where it is used, as a parenthesised clause for the
        message, when the code does not deal with it; None when it does, or when the
        cause is not one this rule reports."""
        info = value.info
        if info is None or not info.declared:
            return None
        implies: Implies | None = None
        if info.missing == "route":
            why = self._route_without(value, key)
            if why is None:
                return None
        elif info.missing == "event-type" and info.present_when is not None:
            implies = self._kind_check(value, *info.present_when)
            why = f" ({info.note})" if info.note else ""
        elif info.missing in ("request", "schema"):
            if value.path == ("body",) and self._body_validated():
                return None
            why = f" ({info.note})" if info.note else ""
        else:
            return None
        path = value.path
        if is_guarded(
            self.context.ancestors, self.denotes(path), self.holds(path), implies, raises
        ):
            return None
        if self.context.handler() is None and (
            info.missing not in ("request", "schema") or not self._called_unguarded(path, raises)
        ):
            return None
        return why

    def _body_validated(self) -> bool:
        """Whether API Gateway rejects a request without a body on every route of the
        handler, so the function never sees one."""
        routes = [b for b in self.bindings() if b.trigger.startswith("apigw-")]
        return bool(routes) and all(b.rejects_missing_body for b in routes)

    def _called_unguarded(self, path: tuple[str, ...], raises: frozenset[str]) -> bool:
        """For a function the handler calls: whether the field reaches it unchecked.
        Only when the function reads the field itself from what it is given, and every
        call to it is made by a handler of this module without checking the field
        first; a caller elsewhere, or one that read the field itself (and may have
        defaulted it), may have dealt with it."""
        model = self.context.model
        key = self.context.function_key()
        if key is None:
            return False
        for refs in model.parameter_seeds(key).values():
            if any(r.root == "event" and r.path[: len(path)] == path for r in refs):
                return False
        callers = model.calls.callers(key)
        for caller, call in callers:
            if caller[0] != self.context.path or model.handler_for(caller) is None:
                return False
            ancestors = call_ancestors(self.context.module, self.context.positions, call)
            function = next(
                (n for n in reversed(ancestors) if isinstance(n, cst.FunctionDef)), None
            )
            if function is None:
                return False
            flow = FunctionFlow(function, model.parameter_seeds(caller))
            if _checked_in(ancestors, flow, path, raises):
                return False
        return bool(callers)

    def _route_without(self, value: EventValue, key: str | None) -> str | None:
        """A route of the handler without the path parameter (`key`, or any) or without
        an authorizer, as a clause for the message; None when no route is known to
        lack it."""
        if value.path[-1] == "pathParameters":
            if value.trigger == "function-url":
                return " (function URLs have no routes and no path parameters)"
            branch = self._branch_routes()
            if branch and all(_declares(route, key) for route in branch):
                return None
            routes = [b.route for b in self.bindings() if b.route is not None]
            lacking = [route for route in routes if not _declares(route, key)]
            if not lacking:
                return None
            wanted = f"{{{key}}}" if key else "path parameters"
            return f" (the route {lacking[0]} has no {wanted})"
        handler = self.context.serving_handler()
        if handler is None or handler.authorized is not False:
            return None
        open_routes = [
            b.route for b in handler.bindings if b.authorizer is False and b.route is not None
        ]
        where = f" such as {open_routes[0]}" if open_routes else ""
        return f" (only on routes with an authorizer; the handler serves routes without one{where})"

    def _branch_routes(self) -> frozenset[str]:
        """The routes an enclosing `if` restricts the code to by comparing the event's
        route (`resource`, `routeKey`, `requestContext.resourcePath`) with literals."""
        ancestors = self.context.ancestors
        for depth in range(len(ancestors) - 1, 0, -1):
            parent, child = ancestors[depth - 1], ancestors[depth]
            if isinstance(parent, (cst.FunctionDef, cst.Lambda)):
                break
            if isinstance(parent, (cst.If, cst.IfExp)) and child is parent.body:
                routes = self._compared_routes(parent.test)
                if routes:
                    return routes
        return frozenset()

    def _compared_routes(self, test: cst.BaseExpression) -> frozenset[str]:
        if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
            return frozenset()
        comparison = test.comparisons[0]
        if not isinstance(comparison.operator, (cst.Equal, cst.In)):
            return frozenset()
        value = self.value(test.left)
        if value is None or value.path not in ROUTE_KEYS:
            return frozenset()
        return _string_literals(comparison.comparator)

    def _kind_check(
        self, value: EventValue, at: tuple[str, ...], having: frozenset[str]
    ) -> Implies:
        """Comparisons of the value telling the kinds of event apart (at `at`, from the
        root) that leave only kinds having the field."""
        info = value.shape.lookup(at)
        domain = info.enum if info is not None else None

        def possible(test: cst.BaseExpression, when: bool) -> frozenset[str] | None:
            """The values `at` may hold when `test` is `when`; None when unknown."""
            if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
                return possible(test.expression, not when)
            if isinstance(test, cst.BooleanOperation):
                left, right = possible(test.left, when), possible(test.right, when)
                narrows = isinstance(test.operator, cst.And) == when
                return _combine(left, right, narrows)
            if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
                return None
            found = self.value(test.left)
            if found is None or found.path != at:
                return None
            comparison = test.comparisons[0]
            names = _string_literals(comparison.comparator)
            if not names:
                return None
            positive = isinstance(comparison.operator, (cst.Equal, cst.In))
            if not positive and not isinstance(comparison.operator, (cst.NotEqual, cst.NotIn)):
                return None
            if positive == when:
                return names
            return domain - names if domain is not None else None

        def implies(test: cst.BaseExpression, when: bool) -> bool:
            left = possible(test, when)
            return left is not None and bool(left) and left <= having

        return implies


def _checked_in(
    ancestors: list[cst.CSTNode], flow: FunctionFlow, path: tuple[str, ...], raises: frozenset[str]
) -> bool:
    """Whether the node at the end of `ancestors`, in the function `flow` follows, is
    guarded against the event field at `path` being missing."""

    def value_of(expression: cst.BaseExpression) -> EventValue | None:
        return event_value(flow.refs, expression)

    return is_guarded(ancestors, denoting(value_of, path), holding(value_of, path), None, raises)


def _combine(
    left: frozenset[str] | None, right: frozenset[str] | None, narrows: bool
) -> frozenset[str] | None:
    """What two tests together allow: both hold (`narrows`: the intersection, an
    unknown side allowing anything) or either does (the union, unknown if either is)."""
    if narrows:
        if left is None or right is None:
            return left if right is None else right
        return left & right
    if left is None or right is None:
        return None
    return left | right


def _declares(route: str, key: str | None) -> bool:
    """Whether a route template (`/items/{id}`, `GET /files/{path+}`) has the path
    parameter `key`, or any when `key` is None."""
    if key is None:
        return "{" in route
    return f"{{{key}}}" in route or f"{{{key}+}}" in route


def _string_literals(node: cst.BaseExpression) -> frozenset[str]:
    if isinstance(node, cst.SimpleString):
        value = string_value(node)
        return frozenset({value}) if value is not None else frozenset()
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        found: set[str] = set()
        for element in node.elements:
            found |= _string_literals(element.value)
        return frozenset(found)
    return frozenset()
