"""LL4, trigger events: reads of the event checked against the shape of the event the
handler's trigger really delivers (the shipped catalogue). Every rule here needs the
trigger: where it is unknown or mixed, they stay silent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import libcst as cst

from lambda_lint.finding import Fix
from lambda_lint.model.event_access import Access, EventValue, access_of, event_value
from lambda_lint.model.flow import ITEM, literal_key, subscript_key
from lambda_lint.model.guards import is_guarded
from lambda_lint.model.names import dotted_name, string_value, update_keys
from lambda_lint.rule import Example, Rule
from lambda_lint.triggers import TRIGGERS
from lambda_lint.walk import descendants

if TYPE_CHECKING:
    from lambda_lint.check_context import CheckContext

#: triggers whose event is replaced by the rule's constant `Input` when one is set
CUSTOM_INPUT_TRIGGERS = ("eventbridge", "schedule")
#: keys never reported as missing: real traffic always has them (RULES: headers)
ALWAYS_THERE = ("headers", "multiValueHeaders")
#: absent only for some event names of the notification, which the descriptor filters
FILTERED_ABSENCE = {("s3", "object", "size"), ("s3", "object", "eTag")}
#: triggers whose catalogue shape merges several kinds of event (the Cognito trigger
#: sources, AppSync direct and batch resolvers): a key absent from one kind is present
#: in the kind a handler serves, so a missing key is not reported for them
VARIANT_TRIGGERS = ("cognito-user-pool", "appsync")
#: missing-when fields of the rule catalogue's table that the event catalogue states
#: without an explanatory note; every other field is reported only when the catalogue
#: explains when it is missing (a field merely optional in a schema is not enough)
DOCUMENTED_MISSING = {
    "apigw-http": {
        ("pathParameters",),
        ("stageVariables",),
        ("requestContext", "authorizer"),
        ("requestContext", "authentication"),
    },
    "function-url": {("requestContext", "authorizer"), ("requestContext", "authentication")},
}
#: keys absent only in payloads of a framework the handler does not use (the CDK
#: provider framework answers CloudFormation itself)
FRAMEWORK_ABSENCE = {("ResponseURL",), ("ServiceToken",)}
DYNAMODB_EVENT_NAMES = frozenset({"INSERT", "MODIFY", "REMOVE"})
IMAGE_EVENT_NAMES = {"NewImage": {"INSERT", "MODIFY"}, "OldImage": {"MODIFY", "REMOVE"}}


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(path) if path else "the event"


def _subscript_text(path: tuple[str, ...]) -> str:
    return "event" + "".join("[0]" if p == ITEM else f"[{p!r}]" for p in path)


class EventRule(Rule):
    """Shared plumbing of the event rules (not a rule itself: it has no code)."""

    def __init__(self, context: CheckContext) -> None:
        super().__init__(context)
        self._written: dict[cst.FunctionDef, set[tuple[str, ...]]] = {}

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self.on_read(node)

    def visit_Call(self, node: cst.Call) -> None:
        self.on_read(node)

    def on_read(self, node: cst.Subscript | cst.Call) -> None:
        """Called for every `x[...]` and call; rules that judge reads override it."""

    def access(self, node: cst.CSTNode) -> Access | None:
        """The event read `node` is; None for keys the function itself wrote."""
        found = access_of(self.context.refs, node)
        if found is None or self._written_over(found.path):
            return None
        return found

    def value(self, node: cst.CSTNode) -> EventValue | None:
        """The event path `node` holds; None below a key the function itself wrote."""
        found = event_value(self.context.refs, node)
        if found is None or self._written_over(found.path):
            return None
        return found

    def _written_over(self, path: tuple[str, ...]) -> bool:
        return any(path[: len(written)] == written for written in self._written_paths())

    def _written_paths(self) -> set[tuple[str, ...]]:
        """Event paths the enclosing function assigns (`event["user"] = ...`,
        `.setdefault`, `.update`): what the code put there is not the trigger's."""
        function = self.context.function_node()
        if function is None:
            return set()
        if function not in self._written:
            self._written[function] = set(self._writes(function))
        return self._written[function]

    def _writes(self, function: cst.FunctionDef) -> Iterator[tuple[str, ...]]:
        for node in descendants(function.body, into_functions=False):
            targets: list[tuple[cst.BaseExpression, str]] = []
            if isinstance(node, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
                assigned = (
                    [t.target for t in node.targets]
                    if isinstance(node, cst.Assign)
                    else [node.target]
                )
                for target in assigned:
                    if isinstance(target, cst.Subscript) and subscript_key(target):
                        targets.append((target.value, subscript_key(target) or ""))
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
                method, receiver = node.func.attr.value, node.func.value
                if method == "setdefault" and node.args and literal_key(node.args[0].value):
                    targets.append((receiver, literal_key(node.args[0].value) or ""))
                elif method == "update":
                    targets.extend((receiver, key) for key in update_keys(node))
            for container, key in targets:
                value = event_value(self.context.refs, container)
                if value is not None:
                    yield (*value.path, key)

    def denotes(self, path: tuple[str, ...]):
        def subject(expression: cst.BaseExpression) -> bool:
            value = self.value(expression)
            return value is not None and value.path == path

        return subject

    def holds(self, path: tuple[str, ...]):
        def container(expression: cst.BaseExpression, key: str) -> bool:
            value = self.value(expression)
            return value is not None and (*value.path, key) == path

        return container

    def handler_routes(self) -> tuple[str, ...]:
        """Route templates of the handler whose invocation reaches this code."""
        handler = self.context.serving_handler()
        return handler.routes if handler else ()


def _spelling_slip(key: str, keys: tuple[str, ...]) -> bool:
    """`detailType` for `detail-type`, `Source` for `source`: the same key misspelt."""
    folded = "".join(ch for ch in key.casefold() if ch.isalnum())
    return any("".join(ch for ch in k.casefold() if ch.isalnum()) == folded for k in keys)


class UnknownEventKey(EventRule):
    """
    ## What it does
    Reports a key that does not exist at that place in the event of the handler's
    trigger: a typo, the wrong case, another trigger's field, or an API Gateway payload
    1.0 field on a 2.0 event (and the reverse). The message suggests the nearest valid
    key or the equivalent field of the other payload version. Open maps (headers,
    message attributes, images, path and query parameters) accept any key; their values
    are still checked (`messageAttributes["x"]["StringValue"]` → `stringValue`).

    ## Why is this bad?
    `event["Record"]` raises `KeyError` on every invocation; `.get("Record")` silently
    returns `None` and the handler does nothing. Tests with hand-written events do not
    catch it.

    ## Example
    ```python
    # HTTP API (payload 2.0)
    def handler(event, context):
        method = event["httpMethod"]
    ```

    ## Use instead
    ```python
    def handler(event, context):
        method = event["requestContext"]["http"]["method"]
    ```

    An EventBridge or scheduled rule may replace the event with a constant `Input`, so
    at the top of those events only misspellings of real keys (`detailType` for
    `detail-type`) are reported.
    """

    code = "LL401"
    name = "unknown-event-key"
    summary = "Key that does not exist in the trigger's event"
    VALID = [
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        print(r['body'], r['messageAttributes']['kind']['stringValue'])\n",
            trigger="sqs",
        ),
        Example(
            "def handler(event, context):\n    return event['requestContext']['http']['method']\n",
            trigger="apigw-http",
        ),
        Example(
            "def handler(event, context):\n    return event['httpMethod']\n", trigger="apigw-rest"
        ),
        Example("def handler(event, context):\n    return event['anything']\n"),
        Example(
            "def handler(event, context):\n    return event.get('dry_run')\n", trigger="schedule"
        ),
        Example(
            "def handler(event, context):\n    event['tenant'] = 'acme'\n    return event['tenant']\n",
            trigger="apigw-rest",
        ),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    return event['httpMethod']\n",
            trigger="apigw-http",
            message="requestContext.http.method",
        ),
        Example(
            "def handler(event, context):\n    for r in event['Record']:\n        print(r)\n",
            trigger="sqs",
            message="'Records'",
        ),
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        print(r['messageAttributes']['kind']['StringValue'])\n",
            trigger="sqs",
            message="'stringValue'",
        ),
        Example(
            "from work import process\n\ndef handler(event, context):\n"
            "    for record in event['Records']:\n        process(record)\n",
            files={"work.py": "def process(record):\n    return record['dynamodb']['newImage']\n"},
            trigger="dynamodb-stream",
            message="'NewImage'",
        ),
    ]

    def on_read(self, node: cst.Subscript | cst.Call) -> None:
        access = self.access(node)
        if access is None or access.key == ITEM:
            return
        container = access.container
        shape = container.shape
        if shape.is_open(container.path):
            return
        keys = shape.keys_at(container.path)
        if not keys or access.key in keys:
            return
        custom_input = not container.path and container.trigger in CUSTOM_INPUT_TRIGGERS
        if custom_input and not _spelling_slip(access.key, keys):
            return
        if keys == (ITEM,):
            self.report(
                node,
                f"`{_dotted(container.path)}` is a list in {container.title} events; "
                f"index it or loop over it before reading '{access.key}'",
            )
            return
        hint = shape.suggest(container.path, access.key)
        where = f"at `{_dotted(container.path)}`" if container.path else "at the top"
        self.report(
            node,
            f"{container.title} events have no key '{access.key}' {where}"
            + (f"; {hint}" if hint else ""),
        )


class NullableEventField(EventRule):
    """
    ## What it does
    Reports a field that is `null` (API Gateway payload 1.0) or absent (payload 2.0 and
    most other triggers) in real events, used without a guard: subscripted, `.get()`
    on, a method called on, or iterated. The catalogue of event shapes is the authority;
    typical fields: `queryStringParameters`, `pathParameters`, `body`,
    `requestContext.authorizer` (API Gateway), `dynamodb.NewImage`/`OldImage` (DynamoDB
    Streams), `s3.object.versionId` (S3), `Sns.Subject` (SNS).

    Only fields the catalogue documents as missing in real traffic are reported (with
    the reason in the message); a field that is merely optional in a schema is not.

    Recognised guards: `or {}` / `or ""`, `"key" in event`, `is not None`, truthiness,
    an early `return`/`continue`/`raise` on the negated check, a `try` catching
    `KeyError`/`TypeError`, and for DynamoDB images an `eventName` check that excludes
    the events without that image. `.get(key, default)` guards an *absent* key only: on
    payload 1.0 the key is present with `null`, so
    `event.get("queryStringParameters", {})["x"]` still fails and is reported.
    `pathParameters` is safe when every route of the handler (from the descriptor)
    declares the parameter. `headers` is never reported.

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
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        if r['eventName'] == 'REMOVE':\n            continue\n"
            "        print(r['dynamodb']['NewImage'])\n",
            trigger="dynamodb-stream",
        ),
        Example(
            "def handler(event, context):\n    return event['headers']['Host']\n",
            trigger="apigw-rest",
        ),
        Example(
            "def handler(event, context):\n    return event['pathParameters']['id']\n",
            files={
                "template.yaml": "Transform: AWS::Serverless-2016-10-31\nResources:\n"
                "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                "      Handler: app.handler\n      CodeUri: .\n      Events:\n        Get:\n"
                "          Type: Api\n          Properties:\n            Path: /items/{id}\n"
                "            Method: get\n"
            },
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
    ]

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self._absent_key(node)
        self._dereference(node, node.value)

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "get":
            self._dereference(node, node.func.value)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        parent = self.context.parent()
        if isinstance(parent, cst.Call) and parent.func is node and node.attr.value != "get":
            self._dereference(node, node.value)

    def visit_For(self, node: cst.For) -> None:
        self._dereference(node.iter, node.iter, iteration=True)

    def _skipped(self, value: EventValue) -> bool:
        path = value.path
        if path and path[-1] in ALWAYS_THERE:
            return True
        info = value.info
        documented = info is not None and info.note is not None
        if not documented and path not in DOCUMENTED_MISSING.get(value.trigger, ()):
            return True
        return any(
            path[-len(tail) :] == tail for tail in FILTERED_ABSENCE if len(path) >= len(tail)
        )

    def _absent_key(self, node: cst.Subscript) -> None:
        """`event["k"]` where `k` may be missing: KeyError."""
        access = self.access(node)
        if access is None or access.key == ITEM:
            return
        value = EventValue(access.container.trigger, access.container.shape, access.path, "")
        info = value.info
        if info is None or not info.declared or not info.absent or self._skipped(value):
            return
        if info.nullable:
            return  # mostly present with null: reported where the null is dereferenced
        if value.trigger in VARIANT_TRIGGERS or value.path in FRAMEWORK_ABSENCE:
            return
        if value.path[-1] == "pathParameters" and self._routes_declare(None):
            return
        if self._guarded(value):
            return
        self.report(
            node,
            f"`{_dotted(value.path)}` is absent from some {value.title} events"
            + (f" ({info.note})" if info.note else "")
            + "; check for it or use .get()",
        )

    def _dereference(self, node: cst.CSTNode, target: cst.CSTNode, iteration: bool = False) -> None:
        """A value that may be None used as a mapping, list or string: TypeError."""
        value = self.value(target)
        if value is None or not value.path:
            return
        info = value.info
        if info is None or not info.declared or self._skipped(value):
            return
        may_be_none = (info.nullable and value.default != "null") or (
            info.absent and value.default == "get"
        )
        if not may_be_none:
            return
        if info.encoding and isinstance(node, (cst.Subscript, cst.Call)) and not iteration:
            return  # using an encoded string as a mapping: LL404 reports it
        if value.path[-1] == "pathParameters":
            literal = _key_literal(node)
            key = string_value(literal) if literal is not None else None
            if self._routes_declare(key):
                return
        if self._guarded(value):
            return
        state = "null" if info.nullable else "absent"
        self.report(
            node,
            f"`{_dotted(value.path)}` is {state} in some {value.title} events"
            + (f" ({info.note})" if info.note else "")
            + "; guard it (e.g. `or {}`) before use",
        )

    def _routes_declare(self, key: str | None) -> bool:
        """Every route of the handler declares path parameters (`key`, if given)."""
        routes = self.handler_routes()
        if not routes:
            return False
        if key is None:
            return all("{" in route for route in routes)
        return all(f"{{{key}}}" in route or f"{{{key}+}}" in route for route in routes)

    def _guarded(self, value: EventValue) -> bool:
        path = value.path
        implies = None
        if len(path) >= 2 and path[-2] == "dynamodb" and path[-1] in IMAGE_EVENT_NAMES:
            implies = self._event_name_check(path[:-2], IMAGE_EVENT_NAMES[path[-1]])
        return is_guarded(self.context.ancestors, self.denotes(path), self.holds(path), implies)

    def _event_name_check(self, record: tuple[str, ...], having: set[str]):
        """`eventName` comparisons that leave only events carrying the image."""

        def implies(test: cst.BaseExpression, when: bool) -> bool:
            if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
                return False
            value = self.value(test.left)
            if value is None or value.path != (*record, "eventName"):
                return False
            comparison = test.comparisons[0]
            names = _string_literals(comparison.comparator)
            if not names:
                return False
            operator = comparison.operator
            if isinstance(operator, (cst.Equal, cst.In)):
                true_set = names
            elif isinstance(operator, (cst.NotEqual, cst.NotIn)):
                true_set = DYNAMODB_EVENT_NAMES - names
            else:
                return False
            outcome = true_set if when else DYNAMODB_EVENT_NAMES - true_set
            return bool(outcome) and outcome <= having

        return implies


def _string_literals(node: cst.BaseExpression) -> frozenset[str]:
    if isinstance(node, cst.SimpleString):
        value = string_value(node)
        return frozenset({value}) if value is not None else frozenset()
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        found = set()
        for element in node.elements:
            found |= _string_literals(element.value)
        return frozenset(found)
    return frozenset()


class FirstRecordOnly(EventRule):
    """
    ## What it does
    Reports a handler of a batch trigger (SQS, Kinesis, DynamoDB Streams, Kafka,
    Firehose, Amazon MQ) that reads only the first record (`event["Records"][0]`) and
    never iterates over the records. SNS and S3 deliver one record per event and are
    not reported, nor is a handler whose event sources all set `BatchSize: 1`.

    ## Why is this bad?
    The event source mapping delivers up to `BatchSize` records per invocation. Every
    record but the first is deleted from the queue (or skipped in the stream) as if it
    had been processed: silent data loss that grows with load.

    ## Example
    ```python
    def handler(event, context):
        message = json.loads(event["Records"][0]["body"])
        process(message)
    ```

    ## Use instead
    ```python
    def handler(event, context):
        for record in event["Records"]:
            process(json.loads(record["body"]))
    ```
    """

    code = "LL403"
    name = "first-record-only"
    summary = "Batch handler reads only the first record"
    VALID = [
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n        print(r['body'])\n",
            trigger="sqs",
        ),
        Example(
            "def handler(event, context):\n    return event['Records'][0]['Sns']['Message']\n",
            trigger="sns",
        ),
        Example(
            "def handler(event, context):\n    first = event['Records'][0]\n"
            "    return [r['body'] for r in event['Records']], first\n",
            trigger="sqs",
        ),
        Example(
            "def handler(event, context):\n    return event['Records'][0]['s3']['bucket']['name']\n",
            trigger="s3",
        ),
        Example(
            "def handler(event, context):\n    return event['Records'][0]['body']\n",
            files={
                "template.yaml": "Transform: AWS::Serverless-2016-10-31\nResources:\n"
                "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                "      Handler: app.handler\n      CodeUri: .\n      Events:\n        Q:\n"
                "          Type: SQS\n          Properties:\n            Queue: arn:aws:sqs:x\n"
                "            BatchSize: 1\n"
            },
        ),
    ]
    INVALID = [
        Example(
            "import json\n\ndef handler(event, context):\n"
            "    return json.loads(event['Records'][0]['body'])\n",
            trigger="sqs",
        ),
        Example(
            "def handler(event, context):\n    record = event['Records'][0]\n"
            "    return record['kinesis']['data']\n",
            trigger="kinesis",
        ),
        Example(
            "def handler(event, context):\n    records = event['Records']\n"
            "    return records[0]['dynamodb']\n",
            trigger="dynamodb-stream",
        ),
    ]

    def visit_Subscript(self, node: cst.Subscript) -> None:
        access = self.access(node)
        if access is None or access.key != ITEM or access.by_get:
            return
        container = access.container
        trigger = TRIGGERS.get(container.trigger)
        info = container.info
        if trigger is None or not trigger.batch or info is None or not info.batch:
            return
        if not _is_first_index(node) or self._one_record_per_batch():
            return
        function = self.context.function_node()
        if function is None or self._iterates(function, container.path):
            return
        self.report(
            node,
            f"only the first record of the {trigger.title} batch is read; the others are "
            f"dropped as if processed: loop over `{_dotted(container.path)}`",
        )

    def _one_record_per_batch(self) -> bool:
        """The descriptor sets `BatchSize: 1` on every event source of the handler."""
        handler = self.context.serving_handler()
        sizes = [b.batch_size for b in handler.bindings] if handler else []
        return bool(sizes) and all(size == 1 for size in sizes)

    def _iterates(self, function: cst.FunctionDef, path: tuple[str, ...]) -> bool:
        """Whether the function loops over the batch (or hands it whole to a call)."""
        for node in descendants(function.body):
            if isinstance(node, (cst.For, cst.CompFor)):
                candidates = [node.iter]
            elif isinstance(node, cst.Call):
                candidates = [arg.value for arg in node.args]
            else:
                continue
            for candidate in candidates:
                value = self.value(candidate)
                if value is not None and value.path == path:
                    return True
        return False


def _key_literal(node: cst.CSTNode) -> cst.SimpleString | None:
    """The string literal naming the key of `x["k"]` or `x.get("k")`."""
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        element = node.slice[0].slice
        if isinstance(element, cst.Index) and isinstance(element.value, cst.SimpleString):
            return element.value
    if (
        isinstance(node, cst.Call)
        and node.args
        and isinstance(node.args[0].value, cst.SimpleString)
    ):
        return node.args[0].value
    return None


def _is_first_index(node: cst.Subscript) -> bool:
    element = node.slice[0].slice
    return (
        isinstance(element, cst.Index)
        and isinstance(element.value, cst.Integer)
        and (element.value.evaluated_value == 0)
    )


class EncodedFieldUsedRaw(EventRule):
    """
    ## What it does
    Reports a field that arrives encoded used as if it were decoded: a JSON string
    (API Gateway and Function URL `body`, SQS `body`, SNS `Message`) subscripted or
    `.get()` on, or base64 data (Kinesis and Firehose `data`, CloudWatch Logs
    `awslogs.data` — gzip too —, Kafka `value`) given to `json.loads` before
    `base64.b64decode`.

    ## Why is this bad?
    `event["body"]["id"]` raises `TypeError: string indices must be integers`;
    `json.loads` of base64 text raises `JSONDecodeError`. Local tests often pass dicts
    where Lambda passes strings.

    ## Example
    ```python
    def handler(event, context):
        for record in event["Records"]:
            order_id = record["body"]["orderId"]
    ```

    ## Use instead
    ```python
    def handler(event, context):
        for record in event["Records"]:
            order_id = json.loads(record["body"])["orderId"]
    ```
    """

    code = "LL404"
    name = "encoded-field-used-raw"
    summary = "Encoded event field used before decoding"
    VALID = [
        Example(
            "import json\n\ndef handler(event, context):\n"
            "    return json.loads(event['body'] or '{}')['id']\n",
            trigger="apigw-rest",
        ),
        Example(
            "import base64, json\n\ndef handler(event, context):\n"
            "    for r in event['Records']:\n"
            "        print(json.loads(base64.b64decode(r['kinesis']['data'])))\n",
            trigger="kinesis",
        ),
        Example(
            "import json\n\ndef handler(event, context):\n    for r in event['Records']:\n"
            "        body = json.loads(r['body'])\n        print(body['id'])\n",
            trigger="sqs",
        ),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    return event['body']['reason']\n",
            trigger="apigw-rest",
            message="JSON",
        ),
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        print(r['Sns']['Message'].get('id'))\n",
            trigger="sns",
        ),
        Example(
            "import json\n\ndef handler(event, context):\n    for r in event['Records']:\n"
            "        print(json.loads(r['kinesis']['data']))\n",
            trigger="kinesis",
            message="base64",
        ),
        Example(
            "import json\n\ndef handler(event, context):\n"
            "    return json.loads(event['awslogs']['data'])\n",
            trigger="cloudwatch-logs",
            message="gzip",
        ),
    ]

    def on_read(self, node: cst.Subscript | cst.Call) -> None:
        self._raw_use(node)
        if isinstance(node, cst.Call):
            self._base64_parsed_as_json(node)

    def _base64_parsed_as_json(self, node: cst.Call) -> None:
        name = self.context.qualified_name(node.func)
        if name not in ("json.loads", "json.load") or not node.args:
            return
        value = self.value(node.args[0].value)
        info = value.info if value else None
        if value is None or info is None or info.encoding not in ("base64", "gzip-base64"):
            return
        steps = "base64-decode and gunzip" if info.encoding == "gzip-base64" else "base64-decode"
        self.report(
            node,
            f"`{_dotted(value.path)}` of {value.title} events is {info.encoding} data, "
            f"not JSON: {steps} it before json.loads",
        )

    def _raw_use(self, node: cst.CSTNode) -> None:
        access = self.access(node)
        if access is None:
            return
        info = access.container.info
        if info is None or info.kind != "string" or info.encoding is None:
            return
        encoding = {
            "json": "a JSON string",
            "base64": "base64 text",
            "gzip-base64": "gzip+base64 text",
            "url": "a URL-encoded string",
        }[info.encoding]
        decode = {
            "json": "json.loads",
            "base64": "base64.b64decode",
            "gzip-base64": "base64.b64decode + gzip.decompress",
            "url": "unquote_plus",
        }[info.encoding]
        self.report(
            node,
            f"`{_dotted(access.container.path)}` of {access.container.title} events is "
            f"{encoding}; decode it with {decode}(...) before reading '{access.key}'",
        )


class S3KeyNotUnquoted(EventRule):
    """
    ## What it does
    Reports an S3 object key read from an S3 event notification that is not passed
    through `urllib.parse.unquote_plus` (directly, or through the variable it is
    assigned to).

    ## Why is this bad?
    Object keys arrive URL-encoded: `reports/2024 Q1.csv` arrives as
    `reports/2024+Q1.csv`. `get_object` with the raw key fails with `NoSuchKey` for every
    key with a space or special character.

    ## Example
    ```python
    def handler(event, context):
        for record in event["Records"]:
            key = record["s3"]["object"]["key"]
            s3.get_object(Bucket=bucket, Key=key)
    ```

    ## Use instead
    ```python
    from urllib.parse import unquote_plus

    def handler(event, context):
        for record in event["Records"]:
            key = unquote_plus(record["s3"]["object"]["key"])
            s3.get_object(Bucket=bucket, Key=key)
    ```

    ## Fix safety
    Unsafe: wraps the read in `unquote_plus(...)` and adds the import.
    """

    code = "LL405"
    name = "s3-key-not-unquoted"
    summary = "S3 object key used without unquote_plus"
    fixable = "unsafe"
    VALID = [
        Example(
            "from urllib.parse import unquote_plus\n\ndef handler(event, context):\n"
            "    for r in event['Records']:\n        print(unquote_plus(r['s3']['object']['key']))\n",
            trigger="s3",
        ),
        Example(
            "import urllib.parse\n\ndef handler(event, context):\n    for r in event['Records']:\n"
            "        key = r['s3']['object']['key']\n        print(urllib.parse.unquote_plus(key))\n",
            trigger="s3",
        ),
        Example(
            "def handler(event, context):\n    return event['Records'][0]['s3']['bucket']['name']\n",
            trigger="s3",
        ),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        print(r['s3']['object']['key'])\n",
            trigger="s3",
        ),
        Example(
            "def handler(event, context):\n    record = event['Records'][0]\n"
            "    key = record['s3']['object']['key']\n    return key.split('/')\n",
            trigger="s3",
        ),
        Example(
            "from store import fetch\n\ndef handler(event, context):\n"
            "    for r in event['Records']:\n        fetch(r)\n",
            files={
                "store.py": "def fetch(record):\n    return record['s3']['object'].get('key')\n"
            },
            trigger="s3",
        ),
    ]
    UNQUOTE = (
        "urllib.parse.unquote_plus",
        "urllib.parse.unquote",
        "parse.unquote_plus",
        "unquote_plus",
    )

    def on_read(self, node: cst.Subscript | cst.Call) -> None:
        access = self.access(node)
        if access is None or access.key == ITEM:
            return
        value = EventValue(access.container.trigger, access.container.shape, access.path, "")
        info = value.info
        if info is None or info.encoding != "url":
            return
        if self._unquoted(node):
            return
        edits = [*self.context.edits_around(node, "unquote_plus(", ")")]
        imported = self.context.insertion_at_top("from urllib.parse import unquote_plus")
        if imported is not None:
            edits.append(imported)
        self.report(
            node,
            "S3 object keys arrive URL-encoded (a space is '+'); pass the key through "
            "urllib.parse.unquote_plus() before using it",
            fix=Fix("unsafe", "Wrap the key in unquote_plus()", tuple(edits)),
        )

    def _is_unquote(self, call: cst.CSTNode | None) -> bool:
        if not isinstance(call, cst.Call):
            return False
        name = self.context.qualified_name(call.func) or ""
        return name.endswith(("unquote_plus", "unquote"))

    def _unquoted(self, node: cst.CSTNode) -> bool:
        parent, grand = self.context.parent(), self.context.parent(2)
        if isinstance(parent, cst.Arg) and self._is_unquote(grand):
            return True
        if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
            target = parent.targets[0].target
            if isinstance(target, cst.Name):
                return self._name_unquoted(target.value)
        return False

    def _name_unquoted(self, name: str) -> bool:
        function = self.context.function_node()
        if function is None:
            return False
        return any(
            isinstance(node, cst.Call)
            and self._is_unquote(node)
            and any(isinstance(a.value, cst.Name) and a.value.value == name for a in node.args)
            for node in descendants(function.body)
        )


class HeaderCase(EventRule):
    """
    ## What it does
    Reports a header looked up with a name that is not all lower-case on an HTTP API
    (payload 2.0) or Lambda function URL event.

    ## Why is this bad?
    Those front doors deliver header names lower-cased: `event["headers"]["Content-Type"]`
    raises `KeyError` and `.get("Authorization")` is always `None` — authentication
    that never sees a token. (REST APIs and ALBs keep the client's case; they are not
    reported.)

    ## Example
    ```python
    def handler(event, context):  # HTTP API
        token = event["headers"].get("Authorization")
    ```

    ## Use instead
    ```python
    def handler(event, context):
        token = event["headers"].get("authorization")
    ```

    ## Fix safety
    Safe: lower-cases the literal.
    """

    code = "LL408"
    name = "header-case"
    summary = "Non-lowercase header lookup on an HTTP API v2 / function URL event"
    fixable = "safe"
    VALID = [
        Example(
            "def handler(event, context):\n    return event['headers'].get('authorization')\n",
            trigger="apigw-http",
        ),
        Example(
            "def handler(event, context):\n    return event['headers'].get('Authorization')\n",
            trigger="apigw-rest",
        ),
        Example(
            "def handler(event, context):\n    return event['headers']['content-type']\n",
            trigger="function-url",
        ),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    return event['headers'].get('Authorization')\n",
            trigger="apigw-http",
            message="'authorization'",
            at="event['headers'].get('Authorization')",
            fixed="def handler(event, context):\n    return event['headers'].get('authorization')\n",
        ),
        Example(
            "def handler(event, context):\n    return event['headers']['Content-Type']\n",
            trigger="function-url",
        ),
        Example(
            "def handler(event, context):\n    headers = event.get('headers') or {}\n"
            "    return headers.get('X-Api-Key')\n",
            trigger="apigw-http",
        ),
    ]

    def on_read(self, node: cst.Subscript | cst.Call) -> None:
        access = self.access(node)
        if access is None or access.container.path != ("headers",):
            return
        trigger = TRIGGERS.get(access.container.trigger)
        if trigger is None or trigger.http != "v2" or access.key == access.key.lower():
            return
        self.report(
            node,
            f"{access.container.title} events deliver header names in lower case: "
            f"'{access.key}' never matches; use '{access.key.lower()}'",
            fix=self._lowercase(node, access.key),
        )

    def _lowercase(self, node: cst.CSTNode, key: str) -> Fix | None:
        literal = _key_literal(node)
        if literal is None:
            return None
        new = literal.with_changes(value=literal.value.replace(key, key.lower()))
        return self.context.replacement(literal, new, f"Look up '{key.lower()}'")


BATCH_FAILURE_TRIGGERS = ("sqs", "kinesis", "dynamodb-stream")


class BatchWithoutPartialFailure(EventRule):
    """
    ## What it does
    Reports an SQS, Kinesis or DynamoDB Streams handler that loops over its records
    with no per-record error handling and no `batchItemFailures` in its answer (one
    record's exception fails the whole batch), and a handler that returns
    `batchItemFailures` while its event source mapping, as the descriptor declares it,
    lacks `ReportBatchItemFailures` (the list is ignored). Handlers using Powertools
    batch processing are fine.

    ## Why is this bad?
    Without partial batch responses one poison message makes Lambda retry the whole
    batch — records that succeeded are processed again, and the batch blocks the shard
    or queue until it expires. Returning failures without enabling the setting retries
    nothing selectively: the batch counts as a success.

    ## Example
    ```python
    def handler(event, context):
        for record in event["Records"]:
            process(record)
    ```

    ## Use instead
    ```python
    def handler(event, context):
        failures = []
        for record in event["Records"]:
            try:
                process(record)
            except Exception:
                failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}
    ```
    """

    code = "LL406"
    name = "batch-without-partial-failure"
    summary = "Batch handler without partial batch failure reporting"
    default_enabled = False
    VALID = [
        Example(
            "def handler(event, context):\n    failures = []\n    for r in event['Records']:\n"
            "        try:\n            work(r)\n        except Exception:\n"
            "            failures.append({'itemIdentifier': r['messageId']})\n"
            "    return {'batchItemFailures': failures}\n\ndef work(r):\n    return r\n",
            trigger="sqs",
        ),
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n        print(r)\n",
            trigger="sns",
        ),
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n        try:\n"
            "            work(r)\n        except ValueError:\n            continue\n\n"
            "def work(r):\n    return r\n",
            trigger="kinesis",
        ),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n        work(r)\n\n"
            "def work(r):\n    return r\n",
            trigger="sqs",
            message="whole batch",
        ),
        Example(
            "def handler(event, context):\n    records = event['Records']\n"
            "    for r in records:\n        work(r)\n\ndef work(r):\n    return r\n",
            trigger="dynamodb-stream",
        ),
        Example(
            "def handler(event, context):\n    return {'batchItemFailures': []}\n",
            files={
                "template.yaml": "Transform: AWS::Serverless-2016-10-31\nResources:\n"
                "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                "      Handler: app.handler\n      CodeUri: .\n      Events:\n        Q:\n"
                "          Type: SQS\n          Properties:\n            Queue: arn:aws:sqs:x\n"
            },
            message="ReportBatchItemFailures",
        ),
    ]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        handler = self.context.handler()
        if handler is None or handler.trigger not in BATCH_FAILURE_TRIGGERS:
            return
        returns_failures = _mentions(node, "batchItemFailures")
        if returns_failures:
            declared = [b for b in handler.bindings if b.source.kind != "config"]
            if declared and not any(b.report_batch_item_failures for b in declared):
                self.report(
                    node.name,
                    "the handler returns batchItemFailures but its event source mapping "
                    "does not enable ReportBatchItemFailures: the list is ignored",
                )
            return
        loop = self._unprotected_record_loop(node)
        if loop is not None and not _mentions(node, "process_partial_response"):
            self.report(
                node.name,
                "one failing record fails the whole batch (no try/except per record, no "
                "batchItemFailures): every record is retried",
            )

    def _unprotected_record_loop(self, function: cst.FunctionDef) -> cst.For | None:
        for node in descendants(function.body):
            if isinstance(node, cst.For):
                value = self.value(node.iter)
                info = value.info if value else None
                if info is not None and info.batch and not _has_try(node.body):
                    return node
        return None


def _has_try(body: cst.BaseSuite) -> bool:
    return any(isinstance(node, cst.Try) for node in descendants(body))


def _mentions(function: cst.FunctionDef, text: str) -> bool:
    """Whether a string literal or name in the function is `text`."""
    for node in descendants(function.body):
        if isinstance(node, cst.SimpleString) and string_value(node) == text:
            return True
        if isinstance(node, cst.Name) and node.value == text:
            return True
    return False


ATTRIBUTE_VALUE_TYPES = {"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"}
PLAIN_VALUE_CALLS = {"int", "float", "str", "bool", "Decimal", "decimal.Decimal", "len"}


class DynamoDbImageRaw(EventRule):
    """
    ## What it does
    Reports a DynamoDB stream image attribute (`NewImage`, `OldImage`, `Keys`) used as
    a plain value — in arithmetic, a comparison, a string method, an f-string or
    `int()`/`float()` — instead of through its typed form (`["S"]`, `["N"]`, ...) or a
    `TypeDeserializer`.

    ## Why is this bad?
    Stream images hold DynamoDB's wire format: `{"price": {"N": "9.5"}}`.
    `image["price"] * 2` raises `TypeError`; `image["status"] == "PAID"` is always false.

    ## Example
    ```python
    def handler(event, context):
        for record in event["Records"]:
            total = float(record["dynamodb"]["NewImage"]["total"])
    ```

    ## Use instead
    ```python
    def handler(event, context):
        for record in event["Records"]:
            total = float(record["dynamodb"]["NewImage"]["total"]["N"])
    ```
    """

    code = "LL407"
    name = "dynamodb-image-raw"
    summary = "DynamoDB stream image attribute used as a plain value"
    default_enabled = False
    VALID = [
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        print(float(r['dynamodb']['NewImage']['total']['N']))\n",
            trigger="dynamodb-stream",
        ),
        Example(
            "from boto3.dynamodb.types import TypeDeserializer\nd = TypeDeserializer()\n\n"
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        print(d.deserialize(r['dynamodb']['NewImage']['total']))\n",
            trigger="dynamodb-stream",
        ),
        Example("def handler(event, context):\n    return float(event['total'])\n", trigger="sqs"),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        print(float(r['dynamodb']['NewImage']['total']))\n",
            trigger="dynamodb-stream",
        ),
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        if r['dynamodb']['Keys']['pk'] == 'ORDER':\n            print(r)\n",
            trigger="dynamodb-stream",
        ),
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        image = r['dynamodb'].get('NewImage') or {}\n"
            "        print(image['name'].upper())\n",
            trigger="dynamodb-stream",
        ),
    ]

    def on_read(self, node: cst.Subscript | cst.Call) -> None:
        access = self.access(node)
        if access is None or access.container.trigger != "dynamodb-stream":
            return
        path = access.path
        if len(path) < 2 or path[-2] not in ("NewImage", "OldImage", "Keys") or path[-1] == ITEM:
            return
        parent = self.context.parent()
        plain = isinstance(parent, (cst.BinaryOperation, cst.Comparison, cst.ComparisonTarget))
        plain |= isinstance(parent, cst.FormattedStringExpression)
        if isinstance(parent, cst.Attribute) and parent.value is node:
            plain = parent.attr.value not in ("get", "keys", "items", "values")
        if isinstance(parent, cst.Arg):
            call = self.context.parent(2)
            name = dotted_name(call.func) if isinstance(call, cst.Call) else None
            plain = name in PLAIN_VALUE_CALLS
        if plain:
            self.report(
                node,
                f'`{path[-2]}` attributes are typed DynamoDB values ({{"S": ...}}, '
                f"{{\"N\": ...}}): read `['{path[-1]}']['S']`/`['N']` or use a TypeDeserializer",
            )
