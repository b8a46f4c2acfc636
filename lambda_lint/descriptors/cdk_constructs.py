"""What CDK constructs mean for Lambda functions and their triggers.

Construct and property names follow the AWS CDK v2 Python API reference
(docs.aws.amazon.com/cdk/api/v2/python): `aws_lambda.Function` and its relatives,
`aws_lambda_event_sources.*EventSource`, `aws_apigateway.LambdaRestApi` /
`LambdaIntegration`, `aws_apigatewayv2_integrations.HttpLambdaIntegration`,
`aws_events.Rule` with `aws_events_targets.LambdaFunction`, S3 and SNS destinations,
`custom_resources.Provider`, ... Names arrive without their `aws_cdk.` prefix.

Defaults, from the same reference and the construct library's source: an HTTP API Lambda
integration (v2 `HttpLambdaIntegration`, v1 `LambdaProxyIntegration`) sends payload 2.0;
an `HttpLambdaAuthorizer` sends payload 1.0 and expects an IAM policy unless its
`response_types` include `SIMPLE` (then payload 2.0 and `{"isAuthorized": ...}`); a
`LambdaIntegration(proxy=False)` gets what its mapping template makes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import libcst as cst

from lambda_lint.descriptors.cdk_values import (
    UNKNOWN,
    Const,
    Fn,
    Mapping,
    Obj,
    Qual,
    Seq,
    Wire,
    duration_seconds,
    runtime_name,
    text,
    whole_number,
)
from lambda_lint.descriptors.cloudformation import trigger_from_arn
from lambda_lint.descriptors.draft import PRINCIPAL_TRIGGERS, FunctionDraft, join_path
from lambda_lint.descriptors.model import DeclaredFunction, SourceRef, TriggerBinding
from lambda_lint.descriptors.values import detail_types

KIND = "cdk"

#: function constructs and how their code is given
FUNCTIONS = {
    "aws_lambda.Function": "zip",
    "aws_lambda.SingletonFunction": "zip",
    "aws_cloudfront.experimental.EdgeFunction": "zip",
    "aws_lambda.DockerImageFunction": "image",
    "aws_lambda.CfnFunction": "cfn",
    "aws_lambda_python_alpha.PythonFunction": "python",
    "aws_lambda_python.PythonFunction": "python",
}

#: `aws_lambda_event_sources` classes and the trigger each one means
EVENT_SOURCES = {
    "SqsEventSource": "sqs",
    "SnsEventSource": "sns",
    "S3EventSource": "s3",
    "S3EventSourceV2": "s3",
    "DynamoEventSource": "dynamodb-stream",
    "KinesisEventSource": "kinesis",
    "ManagedKafkaEventSource": "kafka",
    "SelfManagedKafkaEventSource": "kafka",
    "ApiEventSource": "apigw-rest",
}

#: helpers that hand a function to an event source: (trigger, argument index, keyword)
WIRES = {
    "aws_events_targets.LambdaFunction": ("eventbridge", 0, "handler"),
    "aws_apigateway.LambdaIntegration": ("apigw-rest", 0, "handler"),
    "aws_apigatewayv2_integrations.HttpLambdaIntegration": ("apigw-http", 1, "handler"),
    "aws_apigatewayv2_integrations_alpha.HttpLambdaIntegration": ("apigw-http", 1, "handler"),
    "aws_apigatewayv2_integrations.LambdaProxyIntegration": ("apigw-http", -1, "handler"),
    "aws_apigatewayv2_integrations.WebSocketLambdaIntegration": ("apigw-websocket", 1, "handler"),
    "aws_apigatewayv2_integrations_alpha.WebSocketLambdaIntegration": (
        "apigw-websocket",
        1,
        "handler",
    ),
    "aws_s3_notifications.LambdaDestination": ("s3", 0, "fn"),
    "aws_sns_subscriptions.LambdaSubscription": ("sns", 0, "fn"),
    "aws_logs_destinations.LambdaDestination": ("cloudwatch-logs", 0, "fn"),
    "aws_elasticloadbalancingv2_targets.LambdaTarget": ("alb", 0, "fn"),
    "aws_iot_actions_alpha.LambdaFunctionAction": ("iot", 0, "func"),
    "aws_iot_actions.LambdaFunctionAction": ("iot", 0, "func"),
    "aws_kinesisfirehose_alpha.LambdaFunctionProcessor": ("firehose", 0, "lambda_function"),
    "aws_kinesisfirehose.LambdaFunctionProcessor": ("firehose", 0, "lambda_function"),
}

#: constructs that bind a function at once: (trigger, [(argument index, keyword), ...])
DIRECT = {
    "custom_resources.Provider": (
        "cloudformation-custom-resource",
        [(-1, "on_event_handler"), (-1, "is_complete_handler")],
    ),
    "CustomResource": ("cloudformation-custom-resource", [(-1, "service_token")]),
    "aws_cloudformation.CfnCustomResource": (
        "cloudformation-custom-resource",
        [(-1, "service_token")],
    ),
    "aws_stepfunctions_tasks.LambdaInvoke": ("step-functions", [(-1, "lambda_function")]),
    "aws_lambda.FunctionUrl": ("function-url", [(-1, "function")]),
    "aws_apigateway.TokenAuthorizer": ("apigw-authorizer-token", [(-1, "handler")]),
    "aws_apigateway.RequestAuthorizer": ("apigw-authorizer-request", [(-1, "handler")]),
    "aws_scheduler_targets.LambdaInvoke": ("schedule", [(0, "func")]),
    "aws_scheduler_targets_alpha.LambdaInvoke": ("schedule", [(0, "func")]),
    "aws_bedrock.CfnAgent.ActionGroupExecutorProperty": ("bedrock-agent", [(-1, "lambda_")]),
}

#: `<construct>.<attribute>` ARNs an event source mapping reads, and their trigger
_ARN_ATTRIBUTES = {
    "queue_arn": "sqs",
    "table_stream_arn": "dynamodb-stream",
    "stream_arn": "kinesis",
    "cluster_arn": "kafka",
}

_HTTP_AUTHORIZERS = (
    "aws_apigatewayv2_authorizers.HttpLambdaAuthorizer",
    "aws_apigatewayv2_authorizers_alpha.HttpLambdaAuthorizer",
)
_AUTHORIZERS = (
    "aws_apigateway.TokenAuthorizer",
    "aws_apigateway.RequestAuthorizer",
    "aws_apigateway.CognitoUserPoolsAuthorizer",
    *_HTTP_AUTHORIZERS,
    "aws_apigatewayv2_authorizers.HttpJwtAuthorizer",
    "aws_apigatewayv2_authorizers.HttpUserPoolAuthorizer",
    "aws_apigatewayv2_authorizers.HttpIamAuthorizer",
)
_REST_APIS = ("aws_apigateway.RestApi", "aws_apigateway.LambdaRestApi")
#: a bucket's notification methods, and the event each one adds (the first argument
#: of `add_event_notification`)
_BUCKET_NOTIFICATIONS = {
    "add_event_notification": None,
    "add_object_created_notification": Qual("aws_s3.EventType.OBJECT_CREATED"),
    "add_object_removed_notification": Qual("aws_s3.EventType.OBJECT_REMOVED"),
}
_HTTP_APIS = ("aws_apigatewayv2.HttpApi", "aws_apigatewayv2_alpha.HttpApi")
_CODE_ASSETS = (
    "aws_lambda.Code.from_asset",
    "aws_lambda.Code.asset",
    "aws_lambda.AssetCode",
    "aws_lambda.AssetCode.from_asset",
)
_CODE_INLINE = ("aws_lambda.Code.from_inline", "aws_lambda.Code.inline", "aws_lambda.InlineCode")
_CODE_IMAGE_ASSETS = (
    "aws_lambda.DockerImageCode.from_image_asset",
    "aws_lambda.Code.from_asset_image",
)
_CODE_IMAGES = ("aws_lambda.DockerImageCode.from_ecr", "aws_lambda.Code.from_ecr_image")


def _argument(args: list[Any], kwargs: dict[str, Any], index: int, keyword: str) -> Any:
    if keyword in kwargs:
        return kwargs[keyword]
    if 0 <= index < len(args):
        return args[index]
    return UNKNOWN


def _flag(value: Any) -> bool:
    return isinstance(value, Const) and value.value is True


def _is_false(value: Any) -> bool:
    return isinstance(value, Const) and value.value is False


def _method_name(value: Any) -> str | None:
    """`"get"` / `HttpMethod.GET` / `apigwv2.HttpMethod.ANY` → `GET` / `ANY`."""
    if isinstance(value, Const) and isinstance(value.value, str):
        name = value.value.upper()
    elif isinstance(value, Qual):
        name = value.name.rsplit(".", 1)[-1].upper()
    else:
        return None
    return "ANY" if name in ("ANY", "*") else name


def _payload_version(value: Any, default: str) -> str | None:
    """`PayloadFormatVersion.VERSION_1_0` → "1.0"; `default` when not given."""
    if value is None:
        return default
    if isinstance(value, Qual) and value.name.endswith(("VERSION_1_0", "VERSION_2_0")):
        return "1.0" if value.name.endswith("VERSION_1_0") else "2.0"
    return None


def _authorized(options: Any, inherited: bool | None = False) -> bool | None:
    """Whether method options (`authorizer=`, `authorization_type=`, as keywords, a
    `MethodOptions(...)` or a dict) guard a route; `inherited` when they say nothing."""
    if isinstance(options, Obj):
        options = options.kwargs
    elif isinstance(options, Mapping):
        options = options.items
    if not isinstance(options, dict):
        return inherited if options is None else None
    kind = options.get("authorization_type")
    if isinstance(kind, Qual):
        return not kind.name.endswith(".NONE")
    authorizer = options.get("authorizer")
    if authorizer is None and kind is None:
        return inherited
    if isinstance(authorizer, Obj) and authorizer.kind.endswith("HttpNoneAuthorizer"):
        return False
    if isinstance(authorizer, Obj) and authorizer.kind in _AUTHORIZERS:
        return True
    return None


def _join_route(parent: str, part: str) -> str:
    return parent.rstrip("/") + "/" + part.strip("/")


def _detail_types(pattern: Any) -> tuple[str, ...]:
    """`detail_type` of an `events.EventPattern(...)` or of a dict literal pattern."""
    if isinstance(pattern, Obj) and pattern.kind == "aws_events.EventPattern":
        fields = pattern.kwargs
    elif isinstance(pattern, Mapping):
        fields = pattern.items
    else:
        return ()
    plain = {key: value.items if isinstance(value, Seq) else value for key, value in fields.items()}
    return detail_types(plain, text)


def _given(value: Any) -> bool:
    """Whether an optional argument is given: a list with items, or any other value."""
    return value is not None and not (isinstance(value, Seq) and not value.items)


def _s3_filtered(events: list[Any], filters: list[Any]) -> bool:
    """Whether an S3 notification invokes the function for only some writes: a key
    filter (`NotificationKeyFilter`), or an event other than object creation (an
    event the reader cannot name counts as other)."""
    if any(_given(f) for f in filters):
        return True
    return not all(
        isinstance(e, Qual) and e.name.rsplit(".", 1)[-1].startswith("OBJECT_CREATED")
        for e in events
    )


def _source_filtered(trigger: str, kwargs: dict[str, Any]) -> bool:
    """Whether an event source (`S3EventSource`, `SqsEventSource`, `SnsEventSource`)
    or an SNS subscription invokes the function for only some writes."""
    if trigger == "s3":
        events = kwargs.get("events")
        listed = events.items if isinstance(events, Seq) else [events]
        return _s3_filtered(listed, [kwargs.get("filters")])
    if trigger == "sqs":
        return _given(kwargs.get("filters"))
    if trigger == "sns":
        return _given(kwargs.get("filter_policy")) or _given(
            kwargs.get("filter_policy_with_message_body")
        )
    return False


def _wire_details(trigger: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """What an integration adds to its routes' bindings: a REST integration's `proxy`
    (default true), an HTTP API integration's payload format (default 2.0), an SNS
    subscription's filter policy."""
    if trigger == "sns":
        return {"filtered": _source_filtered(trigger, kwargs)}
    if trigger == "apigw-rest":
        return {"proxy": not _is_false(kwargs.get("proxy"))}
    if trigger == "apigw-http":
        payload = _payload_version(kwargs.get("payload_format_version"), "2.0")
        return {"payload_version": payload, "proxy": payload is not None}
    return {}


def _http_authorizer(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Payload format and response style of an `HttpLambdaAuthorizer`."""
    types = kwargs.get("response_types")
    simple = isinstance(types, Seq) and any(
        isinstance(t, Qual) and t.name.endswith(".SIMPLE") for t in types.items
    )
    default = "2.0" if simple else "1.0"
    if "response_types" in kwargs and not isinstance(types, Seq):
        return {}
    return {
        "payload_version": _payload_version(kwargs.get("payload_format_version"), default),
        "simple_responses": simple,
    }


def _property(value: Any, key: str) -> Any:
    """A property of an L1 property object (`CfnSchedule.TargetProperty(arn=...)`) or of
    the dict written in its place."""
    if isinstance(value, Obj):
        return value.kwargs.get(key)
    if isinstance(value, Mapping):
        return value.items.get(key)
    return None


def _schedule_expression(value: Any) -> str | None:
    """A constant schedule expression, or the constant `default` of the `CfnParameter`
    whose `value_as_string` gives it: the expression deployed when the stack keeps the
    default (as a template's `!Ref` of a parameter is read)."""
    if isinstance(value, Obj) and value.kind == "attribute":
        owner = value.data.get("owner")
        if value.data.get("name") != "value_as_string" or not isinstance(owner, Obj):
            return None
        return text(owner.kwargs.get("default")) if owner.kind == "CfnParameter" else None
    return text(value)


def _layer_arn(layer: Any) -> str | None:
    """The ARN of `LayerVersion.from_layer_version_arn(scope, id, arn)`, when constant."""
    if isinstance(layer, Obj) and layer.kind.endswith("LayerVersion.from_layer_version_arn"):
        return text(_argument(layer.args, layer.kwargs, 2, "layer_version_arn"))
    return None


def _queue_fifo(queue: Any) -> bool | None:
    """Whether an `sqs.Queue(...)` is FIFO: `fifo=True` or a `.fifo` `queue_name`."""
    if not isinstance(queue, Obj) or queue.kind != "aws_sqs.Queue":
        return None
    name = text(queue.kwargs.get("queue_name")) or ""
    return _flag(queue.kwargs.get("fifo")) or name.endswith(".fifo")


class Constructs:
    """Creates function drafts and bindings as the evaluator meets constructs."""

    def __init__(
        self, line_of: Callable[[cst.CSTNode | None], int], path: Path, root: Path
    ) -> None:
        #: the line a node of the app module starts on
        self.line_of = line_of
        self.path = path
        self.root = root
        self.drafts: list[FunctionDraft] = []
        self.wires: list[Wire] = []

    # -- results ---------------------------------------------------------------------------

    def ref(self, node: cst.CSTNode | None) -> SourceRef:
        return SourceRef(KIND, self.path, self.line_of(node))

    def bind(self, fn: Any, trigger: str, node: cst.CSTNode, **extra: Any) -> None:
        if isinstance(fn, Fn):
            fn.draft.add(TriggerBinding(trigger, self.ref(node), **extra))

    def use(
        self,
        wire: Any,
        node: cst.CSTNode,
        resource: str | None = None,
        route: str | None = None,
        method: str | None = None,
        scheduled: bool = False,
        matched: tuple[str, ...] = (),
        authorizer: bool | None = None,
        filtered: bool = False,
    ) -> None:
        """Bind a wired function where it is attached to its event source; `matched` are
        the `detail-type`s of the rule it is attached to; `filtered` says the source
        invokes it for only some writes."""
        if not isinstance(wire, Wire):
            return
        wire.used = True
        trigger = "schedule" if scheduled and wire.trigger == "eventbridge" else wire.trigger
        route = route if route is not None else wire.route
        method = method or wire.method
        self.bind(
            wire.fn,
            trigger,
            node,
            route=route,
            method=method,
            resource=resource,
            detail_types=matched if trigger == "eventbridge" else (),
            authorizer=authorizer,
            **{**wire.extra, **({"filtered": True} if filtered else {})},
        )

    def use_all(self, values: Any, node: cst.CSTNode, resource: str | None = None) -> None:
        for value in values:
            if isinstance(value, Seq):
                self.use_all(value.items, node, resource)
            else:
                self.use(value, node, resource)

    def finish(self) -> None:
        """Wired functions never attached anywhere visible still have that trigger."""
        for wire in self.wires:
            if not wire.used:
                self.use(wire, wire.node)

    def functions(self) -> list[DeclaredFunction]:
        return [draft.freeze() for draft in self.drafts]

    # -- calls of imported names -----------------------------------------------------------

    def call(self, name: str, args: list[Any], kwargs: dict[str, Any], node: cst.Call) -> Any:
        if name in FUNCTIONS:
            return self.function(FUNCTIONS[name], name, args, kwargs, node)
        special = self._special(name, args, kwargs, node)
        if special is not None:
            return special
        if name in WIRES:
            trigger, index, keyword = WIRES[name]
            fn = _argument(args, kwargs, index, keyword)
            if not isinstance(fn, Fn):
                return UNKNOWN
            extra = _wire_details(trigger, kwargs)
            if extra.get("payload_version") == "1.0":
                trigger = "apigw-rest"  # an HTTP API route with the REST-style event
            wire = Wire(trigger, fn, node, extra=extra)
            self.wires.append(wire)
            return wire
        if name in DIRECT:
            trigger, places = DIRECT[name]
            for index, keyword in places:
                self.bind(_argument(args, kwargs, index, keyword), trigger, node)
            return Obj(name, node, args, kwargs)
        short = name.rsplit(".", 1)[-1]
        if name.startswith("aws_lambda_event_sources.") and short in EVENT_SOURCES:
            return self._event_source(EVENT_SOURCES[short], args, kwargs, node)
        obj = Obj(name, node, args, kwargs)
        self.use_all([*args, *kwargs.values()], node, obj.construct_id)
        return obj

    def _special(
        self, name: str, args: list[Any], kwargs: dict[str, Any], node: cst.Call
    ) -> Any | None:
        """Calls with their own meaning; None for the others."""
        if name in _CODE_ASSETS:
            return Obj("code", node, args, kwargs, {"asset": _argument(args, kwargs, 0, "path")})
        if name in _CODE_INLINE:
            return Obj(
                "code", node, args, kwargs, {"inline": text(_argument(args, kwargs, 0, "code"))}
            )
        if name in _CODE_IMAGE_ASSETS or name in _CODE_IMAGES:
            asset = _argument(args, kwargs, 0, "directory") if name in _CODE_IMAGE_ASSETS else None
            data = {"image": True, "asset": asset, "cmd": kwargs.get("cmd")}
            return Obj("code", node, args, kwargs, data)
        if name in _HTTP_AUTHORIZERS:
            self.bind(
                _argument(args, kwargs, 1, "handler"),
                "apigw-authorizer-http",
                node,
                **_http_authorizer(kwargs),
            )
            return Obj(name, node, args, kwargs)
        if name in ("aws_lambda.Alias", "aws_lambda.Version"):  # stand for their function
            target = kwargs.get("version", kwargs.get("lambda_"))
            return target if isinstance(target, Fn) else Obj(name, node, args, kwargs)
        if name == "aws_lambda.Runtime":
            return _argument(args, kwargs, 0, "name")
        if name.startswith("Duration."):
            found = duration_seconds(name.split(".", 1)[1], _argument(args, kwargs, 0, "amount"))
            return found if found is not None else UNKNOWN
        if name == "aws_events.Rule":
            scheduled = "schedule" in kwargs
            matched = _detail_types(kwargs.get("event_pattern"))
            data = {"scheduled": scheduled, "detail_types": matched}
            rule = Obj(name, node, args, kwargs, data)
            targets = kwargs.get("targets")
            for target in targets.items if isinstance(targets, Seq) else []:
                self.use(target, node, rule.construct_id, scheduled=scheduled, matched=matched)
            return rule
        if name == "aws_scheduler.CfnSchedule":
            schedule = Obj(name, node, args, kwargs)
            self.bind(
                _property(kwargs.get("target"), "arn"),
                "schedule",
                node,
                resource=schedule.construct_id,
                schedule=_schedule_expression(kwargs.get("schedule_expression")),
            )
            return schedule
        if name in _REST_APIS:
            return self._rest_api(name, args, kwargs, node)
        if name in _HTTP_APIS:
            auth = _authorized({"authorizer": kwargs.get("default_authorizer")})
            api = Obj(name, node, args, kwargs, {"http_api": True, "auth": auth})
            self.use(kwargs.get("default_integration"), node, api.construct_id, authorizer=auth)
            return api
        if name == "aws_lambda.EventSourceMapping":
            self._mapping(kwargs.get("target"), kwargs, node)
            return Obj(name, node, args, kwargs)
        if name == "aws_sns.Subscription":
            protocol = kwargs.get("protocol")
            if isinstance(protocol, Qual) and protocol.name.endswith(".LAMBDA"):
                topic = kwargs.get("topic")
                resource = topic.construct_id if isinstance(topic, Obj) else None
                self.bind(kwargs.get("endpoint"), "sns", node, resource=resource)
            return Obj(name, node, args, kwargs)
        if name == "aws_cognito.UserPool":
            pool = Obj(name, node, args, kwargs)
            triggers = kwargs.get("lambda_triggers")
            if isinstance(triggers, Obj):
                for fn in triggers.kwargs.values():
                    self.bind(fn, "cognito-user-pool", node, resource=pool.construct_id)
            return pool
        return None

    def _event_source(
        self, trigger: str, args: list[Any], kwargs: dict[str, Any], node: cst.Call
    ) -> Obj:
        source = args[0] if args else UNKNOWN
        data: dict[str, Any] = {
            "trigger": trigger,
            "failures": _flag(kwargs.get("report_batch_item_failures")),
            "resource": source.construct_id if isinstance(source, Obj) else None,
            "batch_size": whole_number(kwargs.get("batch_size")),
            "fifo": _queue_fifo(source) if trigger == "sqs" else None,
            "filtered": _source_filtered(trigger, kwargs),
        }
        if trigger == "apigw-rest":  # ApiEventSource(method, path)
            data["method"] = _method_name(source)
            data["route"] = text(_argument(args, kwargs, 1, "path"))
            data["resource"] = None
        return Obj("event-source", node, args, kwargs, data)

    def attach_source(self, fn: Any, source: Any, node: cst.CSTNode) -> None:
        if isinstance(source, Obj) and "trigger" in source.data:
            data = source.data
            self.bind(
                fn,
                data["trigger"],
                node,
                route=data.get("route"),
                method=data.get("method"),
                report_batch_item_failures=data["failures"],
                resource=data["resource"],
                batch_size=data.get("batch_size"),
                fifo=data.get("fifo"),
                filtered=data.get("filtered", False),
            )

    def _mapping(self, fn: Any, kwargs: dict[str, Any], node: cst.CSTNode) -> None:
        arn = kwargs.get("event_source_arn")
        trigger = resource = owner = None
        if isinstance(arn, Obj) and arn.kind == "attribute":
            owner = arn.data["owner"]
            trigger = _ARN_ATTRIBUTES.get(arn.data["name"])
            resource = owner.construct_id if isinstance(owner, Obj) else None
        elif text(arn):
            trigger = trigger_from_arn(text(arn) or "")
        if trigger is not None:
            self.bind(
                fn,
                trigger,
                node,
                report_batch_item_failures=_flag(kwargs.get("report_batch_item_failures")),
                resource=resource,
                batch_size=whole_number(kwargs.get("batch_size")),
                fifo=_queue_fifo(owner) if trigger == "sqs" else None,
            )

    # -- functions -------------------------------------------------------------------------

    def function(
        self, kind: str, name: str, args: list[Any], kwargs: dict[str, Any], node: cst.Call
    ) -> Fn:
        construct_id = text(args[1]) if len(args) > 1 else None
        line = self.line_of(node)
        draft = FunctionDraft(construct_id or f"{name}@{line}", None, self.ref(node), None)
        if kind == "python":
            self._python_function(draft, kwargs)
        elif kind == "cfn":
            handler = kwargs.get("handler")
            draft.handler = text(handler)
            code = kwargs.get("code")
            if isinstance(code, Obj):
                draft.inline_code = text(code.kwargs.get("zip_file"))
            self._handler_line(draft, handler, node)
        else:
            self._code(draft, kind, kwargs, node)
        draft.runtime = runtime_name(kwargs.get("runtime"))
        environment = kwargs.get("environment")
        if isinstance(environment, Mapping):
            draft.environment = {
                str(k): v.value
                for k, v in environment.items.items()
                if isinstance(v, Const) and isinstance(v.value, str)
            }
        layers = kwargs.get("layers")
        draft.layers = [
            arn for arn in map(_layer_arn, layers.items if isinstance(layers, Seq) else []) if arn
        ]
        timeout = kwargs.get("timeout")
        if isinstance(timeout, Const) and isinstance(timeout.value, int):
            draft.timeout = timeout.value
        snap = kwargs.get("snap_start")
        draft.snapstart = isinstance(snap, Qual) and snap.name.endswith("ON_PUBLISHED_VERSIONS")
        self.drafts.append(draft)
        fn = Fn(draft)
        events = kwargs.get("events")
        for source in events.items if isinstance(events, Seq) else []:
            self.attach_source(fn, source, source.node if isinstance(source, Obj) else node)
        if name == "aws_cloudfront.experimental.EdgeFunction":
            self.bind(fn, "cloudfront", node)
        return fn

    def _handler_line(self, draft: FunctionDraft, value: Any, call: cst.Call) -> None:
        """Point at the string that gives the handler, else at the `handler=` argument."""
        if isinstance(value, Const) and value.node is not None:
            draft.source = self.ref(value.node)
            return
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "handler":
                draft.source = self.ref(arg.value)

    def _code(
        self, draft: FunctionDraft, kind: str, kwargs: dict[str, Any], node: cst.Call
    ) -> None:
        code = kwargs.get("code")
        data = code.data if isinstance(code, Obj) and code.kind == "code" else {}
        if kind == "image" or data.get("image"):
            draft.package_type = "Image"
            command = data.get("cmd")
            first = command.items[0] if isinstance(command, Seq) and command.items else None
            draft.handler = text(first)
            self._handler_line(draft, first, node)
        else:
            handler = kwargs.get("handler")
            draft.handler = text(handler)
            self._handler_line(draft, handler, node)
        if data.get("inline") is not None:
            draft.inline_code = data["inline"]
        else:
            draft.code_root = self.asset_root(data.get("asset"))

    def _python_function(self, draft: FunctionDraft, kwargs: dict[str, Any]) -> None:
        """`PythonFunction(entry=..., index="index.py", handler="handler")`: the runtime
        handler is `<index without .py, slashes as dots>.<handler>`."""
        index = kwargs.get("index", Const("index.py"))
        handler = kwargs.get("handler", Const("handler"))
        index_name, handler_name = text(index), text(handler)
        if index_name and handler_name and index_name.endswith(".py"):
            draft.handler = index_name[:-3].replace("/", ".") + "." + handler_name
        for written in (handler, index, kwargs.get("entry")):
            if isinstance(written, Const) and written.node is not None:
                draft.source = self.ref(written.node)
                break
        draft.code_root = self.asset_root(kwargs.get("entry"))

    def asset_root(self, value: Any) -> Path | None:
        """An asset folder: relative paths are relative to the `cdk.json` folder."""
        folder = text(value)
        if folder is None:
            return None
        if os.path.isabs(folder) or (isinstance(value, Const) and value.anchored):
            return Path(os.path.normpath(folder))
        return join_path(self.root, folder)

    # -- API Gateway REST ------------------------------------------------------------------

    def _rest_api(self, name: str, args: list[Any], kwargs: dict[str, Any], node: cst.Call) -> Obj:
        default = kwargs.get("default_integration")
        auth = _authorized(kwargs.get("default_method_options"))
        if name == "aws_apigateway.LambdaRestApi":
            fn = kwargs.get("handler")
            if isinstance(fn, Fn):
                default = Wire("apigw-rest", fn, node, extra={"proxy": True})
                if not _is_false(kwargs.get("proxy")):
                    self.use(default, node, authorizer=auth)
        data = {"path": "/", "default": default if isinstance(default, Wire) else None}
        return Obj(name, node, args, kwargs, {**data, "auth": auth})

    def attribute(self, obj: Obj, name: str, node: cst.CSTNode) -> Any:
        if name == "root" and obj.kind in _REST_APIS:
            return Obj("rest-resource", node, data=dict(obj.data))
        return Obj("attribute", node, data={"owner": obj, "name": name})

    def _resource_method(
        self, resource: Obj, name: str, args: list[Any], kwargs: dict[str, Any], node: cst.Call
    ) -> Any:
        path = resource.data["path"]
        default = kwargs.get("default_integration", resource.data["default"])
        default = default if isinstance(default, Wire) else resource.data["default"]
        auth = _authorized(kwargs.get("default_method_options"), resource.data["auth"])
        if name in ("add_resource", "resource_for_path"):
            part = text(
                _argument(args, kwargs, 0, "path_part" if name == "add_resource" else "path")
            )
            if part is None:
                return UNKNOWN
            data = {"path": _join_route(path, part), "default": default, "auth": auth}
            return Obj("rest-resource", node, data=data)
        if name == "add_method":
            method = _method_name(_argument(args, kwargs, 0, "http_method"))
            integration = _argument(args, kwargs, 1, "integration")
            wire = integration if isinstance(integration, Wire) else resource.data["default"]
            guarded = _authorized(kwargs, resource.data["auth"])
            self.use(wire, node, route=path, method=method, authorizer=guarded)
            return UNKNOWN
        if name == "add_proxy":
            proxy = _join_route(path, "{proxy+}")
            if kwargs.get("any_method") is None or _flag(kwargs.get("any_method")):
                self.use(default, node, route=proxy, method="ANY", authorizer=auth)
            return Obj(
                "rest-resource", node, data={"path": proxy, "default": default, "auth": auth}
            )
        return UNKNOWN

    # -- methods of values -----------------------------------------------------------------

    def method(
        self, receiver: Any, name: str, args: list[Any], kwargs: dict[str, Any], node: cst.Call
    ) -> Any:
        if isinstance(receiver, Fn):
            return self._function_method(receiver, name, args, kwargs, node)
        if isinstance(receiver, Obj):
            if receiver.kind == "rest-resource":
                return self._resource_method(receiver, name, args, kwargs, node)
            if receiver.kind == "event-source" and name == "bind" and args:
                self.attach_source(args[0], receiver, node)
                return UNKNOWN
            if name == "add_target" and receiver.kind == "aws_events.Rule":
                scheduled = bool(receiver.data.get("scheduled"))
                self.use(
                    _argument(args, kwargs, 0, "target"),
                    node,
                    receiver.construct_id,
                    scheduled=scheduled,
                    matched=receiver.data.get("detail_types", ()),
                )
                return UNKNOWN
            if name == "add_routes" and receiver.data.get("http_api"):
                self._add_routes(kwargs, node, receiver.data["auth"])
                return UNKNOWN
            if name == "add_trigger" and receiver.kind == "aws_cognito.UserPool":
                fn = _argument(args, kwargs, 1, "fn")
                self.bind(fn, "cognito-user-pool", node, resource=receiver.construct_id)
                return UNKNOWN
        resource = receiver.construct_id if isinstance(receiver, Obj) else None
        if name in _BUCKET_NOTIFICATIONS:
            added = _BUCKET_NOTIFICATIONS[name]
            if added is None:  # add_event_notification(event, dest, *filters)
                event, dest, filters = args[:1] or [kwargs.get("event")], args[1:2], args[2:]
            else:  # add_object_created_notification(dest, *filters)
                event, dest, filters = [added], args[:1], args[1:]
            wire = dest[0] if dest else kwargs.get("dest")
            self.use(wire, node, resource, filtered=_s3_filtered(event, filters))
            return UNKNOWN
        if name == "add_rotation_schedule":
            self.bind(kwargs.get("rotation_lambda"), "secrets-manager", node)
        elif name == "add_lambda_data_source":
            self.bind(_argument(args, kwargs, 1, "lambda_function"), "appsync", node)
        self.use_all([*args, *kwargs.values()], node, resource)
        return UNKNOWN

    def _add_routes(self, kwargs: dict[str, Any], node: cst.Call, inherited: bool | None) -> None:
        route = text(kwargs.get("path"))
        methods = kwargs.get("methods")
        names = [_method_name(m) for m in methods.items] if isinstance(methods, Seq) else ["ANY"]
        auth = _authorized({"authorizer": kwargs.get("authorizer")}, inherited)
        for method in names:
            self.use(kwargs.get("integration"), node, route=route, method=method, authorizer=auth)

    def _function_method(
        self, fn: Fn, name: str, args: list[Any], kwargs: dict[str, Any], node: cst.Call
    ) -> Any:
        if name == "add_event_source":
            self.attach_source(fn, _argument(args, kwargs, 0, "source"), node)
        elif name == "add_event_source_mapping":
            self._mapping(fn, kwargs, node)
        elif name == "add_function_url":
            self.bind(fn, "function-url", node)
        elif name == "add_permission":
            principal = kwargs.get("principal")
            service = (
                text(principal.args[0]) if isinstance(principal, Obj) and principal.args else None
            )
            trigger = PRINCIPAL_TRIGGERS.get(service or "")
            if trigger is not None:
                fn.draft.add_fallback(TriggerBinding(trigger, self.ref(node)))
        elif name in ("add_alias", "add_version"):
            return fn
        return UNKNOWN
