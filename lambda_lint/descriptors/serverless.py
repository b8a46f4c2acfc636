"""Serverless Framework services (`serverless.yml`): functions, handlers and events.

Semantics follow the Serverless Framework AWS provider documentation
(serverless.com/framework/docs/providers/aws): a handler `dir/module.func` names a module
path relative to the service folder; `http` events are API Gateway REST APIs (payload
1.0) and `httpApi` events HTTP APIs whose payload defaults to 2.0 unless
`provider.httpApi.payload` is "1.0"; functions get the CloudFormation logical id
`<NormalizedName>LambdaFunction`, so `resources:` can wire more events to them. With the
serverless-python-requirements plugin, `package.individually` plus a function's `module`
makes the handler relative to that module folder. `${...}` variables stay unresolved.

Only the `aws` provider deploys Lambda functions; a service for another provider
(openwhisk, azure, google, kubeless, knative, ...) declares none. A function without a
runtime (neither its own nor the provider's) runs the framework's default, Node.js. An
`http` event is a proxy event unless its `integration` is `lambda` (or `aws`), whose
event is what the request mapping template makes. `httpApi` Lambda authorizers default
to payload format 2.0 and IAM-policy responses (`enableSimpleResponses: false`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lambda_lint.descriptors.cloudformation import (
    SOURCE_TYPES,
    Linker,
    arn_text,
    queue_is_fifo,
    references,
    reports_failures,
    trigger_from_arn,
)
from lambda_lint.descriptors.draft import FunctionDraft, join_path
from lambda_lint.descriptors.model import (
    DescriptorProblem,
    DescriptorSet,
    SourceRef,
    TriggerBinding,
)
from lambda_lint.descriptors.values import (
    LineList,
    LineMap,
    detail_types,
    dig,
    integer,
    line_of,
    text,
    truthy,
    version,
    whole_number,
)
from lambda_lint.descriptors.yaml_loader import DescriptorSyntaxError, load_yaml

KIND = "serverless"
AWS_PROVIDER = "aws"
#: the runtime of a function that names none (serverless.com/framework/docs/providers/aws
#: /guide/functions: "runtime ... default is nodejs")
DEFAULT_RUNTIME = "nodejs"

#: `integration` values of an `http` event and whether each delivers the proxy event
#: (serverless.com/framework/docs/providers/aws/events/apigateway: `lambda-proxy`, the
#: default, also written `aws-proxy`/`aws_proxy`; `lambda`, also written `aws`)
_INTEGRATION_PROXY = {"lambda-proxy": True, "aws-proxy": True, "lambda": False, "aws": False}

#: defaults of an `httpApi` Lambda authorizer (serverless.com/framework/docs/providers/aws
#: /events/http-api, "Lambda Request Authorizers")
_HTTP_AUTHORIZER_PAYLOAD = "2.0"


def _schedule(kind: str, config: Any) -> str | None:
    """The expression of a `schedule` event (`schedule: rate(1 day)`, or `rate:` given as
    text or as a list of one) or of a scheduled `eventBridge` event (`schedule:`)."""
    value = config if kind == "schedule" and isinstance(config, str) else None
    if isinstance(config, dict):
        value = config.get("rate" if kind == "schedule" else "schedule")
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value if isinstance(value, str) else None


#: event keys that need no more than a trigger id
_SIMPLE_EVENTS = {
    "schedule": "schedule",
    "cloudwatchEvent": "eventbridge",
    "cloudwatchLog": "cloudwatch-logs",
    "cognitoUserPool": "cognito-user-pool",
    "alb": "alb",
    "websocket": "apigw-websocket",
    "kafka": "kafka",
    "msk": "kafka",
    "alexaSkill": "alexa",
    "alexaSmartHome": "alexa",
    "iot": "iot",
    "activemq": "mq",
    "rabbitmq": "mq",
}

#: where the name of what triggers the function sits, per event key
_RESOURCE_KEYS = {
    "sqs": ("arn",),
    "sns": ("topicName", "arn"),
    "s3": ("bucket",),
    "stream": ("arn",),
    "cloudwatchLog": ("logGroup",),
    "cognitoUserPool": ("pool",),
    "kafka": ("topic",),
    "msk": ("topic",),
    "eventBridge": ("eventBus",),
}

#: event keys whose `batchSize` sets the records per invocation
_BATCH_EVENTS = frozenset(("sqs", "stream", "kafka", "msk", "activemq", "rabbitmq"))


def read_serverless(path: Path, source: str) -> DescriptorSet:
    """Read the functions a `serverless.yml` declares."""
    try:
        document = load_yaml(source)
    except DescriptorSyntaxError as error:
        return DescriptorSet(problems=[DescriptorProblem(path, error.line, error.message)])
    result = DescriptorSet()
    if not isinstance(document, LineMap):
        return result
    if not _is_aws(document.get("provider")):
        return DescriptorSet(foreign=[path.parent])
    reader = _ServiceReader(path, document)
    drafts: dict[str, FunctionDraft] = {}
    functions = _functions(document.get("functions"))
    for key, config, line in functions:
        try:
            drafts[logical_id(key)] = reader.function(key, config, line)
        except (TypeError, ValueError, AttributeError, KeyError, IndexError) as error:
            result.problems.append(DescriptorProblem(path, line, f"cannot read {key}: {error}"))
    reader.link_authorizers(drafts, [config for _, config, _ in functions])
    Linker(reader.resources, drafts, path, KIND).link()
    result.functions.extend(draft.freeze() for draft in drafts.values())
    return result


def logical_id(function_key: str) -> str:
    """The CloudFormation logical id Serverless gives a function (`get-user` →
    `GetDashuserLambdaFunction`), per its AWS provider naming rules."""
    name = function_key.replace("-", "Dash").replace("_", "Underscore")
    return name[:1].upper() + name[1:] + "LambdaFunction"


def _functions(value: Any) -> list[tuple[str, LineMap, int]]:
    """`(key, config, line)` for each function; `functions` may be a list of maps."""
    groups = value if isinstance(value, list) else [value]
    found = []
    for group in groups:
        if not isinstance(group, LineMap):
            continue
        for key, config in group.items():
            if isinstance(config, LineMap):
                found.append((str(key), config, group.key_line(key)))
    return found


def _is_aws(provider: Any) -> bool:
    """The service deploys to AWS: its provider is named `aws`, or not literally named."""
    name = dig(provider, "name") if isinstance(provider, dict) else provider
    literal = _plain(name)
    return literal is None or literal.strip().lower() == AWS_PROVIDER


def _setting(config: LineMap, key: str) -> Any:
    """`config[key]`, the key matched in any case (`runtime`, `Runtime`)."""
    if key in config:
        return config[key]
    for name, value in config.items():
        if isinstance(name, str) and name.lower() == key.lower():
            return value
    return None


def _plain(value: Any) -> str | None:
    """A string without `${...}` variables, else None."""
    literal = text(value)
    return None if literal is None or "${" in literal else literal


class _ServiceReader:
    def __init__(self, path: Path, document: LineMap) -> None:
        self.path = path
        self.folder = path.parent
        provider = document.get("provider")
        self.provider = provider if isinstance(provider, LineMap) else LineMap()
        self.individually = truthy(dig(document, "package", "individually"))
        self.resources = self._resources(document.get("resources"))
        payload = dig(self.provider, "httpApi", "payload")
        self.http_api_trigger = "apigw-rest" if version(payload) == "1.0" else "apigw-http"

    @staticmethod
    def _resources(value: Any) -> LineMap:
        merged = LineMap()
        for group in value if isinstance(value, list) else [value]:
            resources = dig(group, "Resources")
            if isinstance(resources, LineMap):
                for key, resource in resources.items():
                    merged.put(key, resource, resources.key_line(key), resources.value_line(key))
        return merged

    def ref(self, line: int) -> SourceRef:
        return SourceRef(KIND, self.path, line)

    def function(self, key: str, config: LineMap, line: int) -> FunctionDraft:
        draft = FunctionDraft(key, None, self.ref(line), self.folder)
        image = config.get("image")
        if image is not None:
            self._image(draft, image, config)
        else:
            handler = text(config.get("handler"))
            draft.handler = _plain(handler)
            if "handler" in config:
                draft.source = self.ref(config.value_line("handler"))
            draft.code_root = self._code_root(config)
        draft.runtime = self._runtime(config, image is not None)
        draft.timeout = integer(config.get("timeout", self.provider.get("timeout")))
        draft.environment = self._environment(config)
        draft.layers = [t for t in map(text, _list(config.get("layers"))) if t]
        draft.snapstart = truthy(config.get("snapStart"))
        events = config.get("events")
        if isinstance(events, LineList):
            for index, event in enumerate(events):
                binding = self._event(event, events.item_line(index))
                if binding is not None:
                    draft.add(binding)
        url = config.get("url")
        if truthy(url) or isinstance(url, dict):
            draft.add(TriggerBinding("function-url", self.ref(config.key_line("url"))))
        return draft

    def _runtime(self, config: LineMap, image: bool) -> str | None:
        """The function's runtime, else the provider's, else the framework's default
        (not for container images, whose image decides); None when a variable."""
        for owner in (config, self.provider):
            value = _setting(owner, "runtime")
            if value is not None:
                return _plain(value)
        return None if image else DEFAULT_RUNTIME

    def _environment(self, config: LineMap) -> dict[str, str]:
        """The literal environment variables: the provider's, then the function's."""
        found: dict[str, str] = {}
        for owner in (self.provider, config):
            variables = owner.get("environment")
            for key, value in variables.items() if isinstance(variables, dict) else ():
                literal = _plain(value)
                if literal is not None:
                    found[str(key)] = literal
        return found

    def link_authorizers(self, drafts: dict[str, FunctionDraft], configs: list[LineMap]) -> None:
        """Functions of this service used as API Gateway Lambda authorizers."""
        for config in configs:
            events = config.get("events")
            for index, event in enumerate(events if isinstance(events, LineList) else ()):
                authorizer = dig(event, "http", "authorizer")
                name = text(dig(authorizer, "name") or authorizer)
                target = drafts.get(logical_id(name or ""))
                if target is None or dig(authorizer, "arn") is not None:
                    continue
                kind = (text(dig(authorizer, "type")) or "token").lower()
                trigger = (
                    "apigw-authorizer-request" if kind == "request" else "apigw-authorizer-token"
                )
                target.add(TriggerBinding(trigger, self.ref(events.item_line(index))))
        authorizers = dig(self.provider, "httpApi", "authorizers")
        for name, authorizer in authorizers.items() if isinstance(authorizers, LineMap) else ():
            target = drafts.get(logical_id(text(dig(authorizer, "functionName")) or ""))
            if target is not None:
                payload = dig(authorizer, "payloadVersion")
                simple = dig(authorizer, "enableSimpleResponses")
                binding = TriggerBinding(
                    "apigw-authorizer-http",
                    self.ref(authorizers.key_line(name)),
                    payload_version=version(payload) if payload else _HTTP_AUTHORIZER_PAYLOAD,
                    simple_responses=truthy(simple) if simple is not None else False,
                )
                target.add(binding)

    def _code_root(self, config: LineMap) -> Path | None:
        if dig(config, "package", "artifact") is not None:
            return None
        module = _plain(config.get("module"))
        individually = self.individually or truthy(dig(config, "package", "individually"))
        if module and individually:
            return join_path(self.folder, module)
        return self.folder

    def _image(self, draft: FunctionDraft, image: Any, config: LineMap) -> None:
        draft.package_type = "Image"
        draft.code_root = None
        if not isinstance(image, LineMap):
            return
        command = image.get("command")
        if isinstance(command, list) and command:
            draft.handler = _plain(command[0])
            draft.source = self.ref(line_of(command, 0, image.line))
        name = _plain(image.get("name"))
        folder = _plain(dig(self.provider, "ecr", "images", name or "", "path"))
        if folder:
            draft.code_root = join_path(self.folder, folder)

    def _event(self, event: Any, line: int) -> TriggerBinding | None:
        if not isinstance(event, dict) or len(event) != 1:
            return None
        ((kind, config),) = event.items()
        route = method = payload = None
        proxy: bool | None = True
        authorizer = None
        failures = reports_failures(dig(config, "functionResponseType"))
        if kind == "http":
            trigger = "apigw-rest"
            method, route = _http_route(config)
            proxy = _integration_proxy(dig(config, "integration"))
            authorizer = dig(config, "authorizer") is not None
        elif kind == "httpApi":
            trigger = self.http_api_trigger
            payload = "1.0" if trigger == "apigw-rest" else "2.0"
            method, route = _http_route(config)
            authorizer = dig(config, "authorizer") is not None
        elif kind == "stream":
            trigger = self._stream_trigger(config)
        elif kind == "eventBridge":
            trigger = "schedule" if dig(config, "schedule") is not None else "eventbridge"
        elif kind in ("sqs", "sns", "s3"):
            trigger = kind
        else:
            trigger = _SIMPLE_EVENTS.get(str(kind))
        if trigger is None:
            return None
        return TriggerBinding(
            trigger,
            self.ref(line),
            route=route,
            method=method,
            report_batch_item_failures=failures,
            resource=_event_resource(str(kind), config),
            detail_types=_detail_types(str(kind), config) if trigger == "eventbridge" else (),
            batch_size=whole_number(dig(config, "batchSize")) if kind in _BATCH_EVENTS else None,
            proxy=proxy,
            authorizer=authorizer,
            payload_version=payload,
            fifo=self._fifo(config) if trigger == "sqs" else None,
            filtered=_filtered(trigger, config),
            schedule=_schedule(str(kind), config) if trigger == "schedule" else None,
        )

    def _fifo(self, config: Any) -> bool | None:
        arn = dig(config, "arn") if isinstance(config, dict) else config
        if isinstance(arn, str) and "${" in arn:
            return True if arn.endswith(".fifo") else None
        return queue_is_fifo(arn, self.resources)

    def _stream_trigger(self, config: Any) -> str | None:
        declared = text(dig(config, "type"))
        if declared in ("dynamodb", "kinesis"):
            return "dynamodb-stream" if declared == "dynamodb" else "kinesis"
        arn = dig(config, "arn") if isinstance(config, dict) else config
        for name, attribute in references(arn):
            resource_type = text(dig(self.resources.get(name), "Type"))
            if resource_type in SOURCE_TYPES:
                return SOURCE_TYPES[resource_type]
            if attribute == "StreamArn":
                return "dynamodb-stream"
        found = trigger_from_arn(arn_text(arn))
        return found if found in ("dynamodb-stream", "kinesis") else None


def _integration_proxy(value: Any) -> bool | None:
    """Whether an `http` event's `integration` delivers the proxy event (the default)."""
    if value is None:
        return True
    literal = _plain(value)
    if literal is None:
        return None
    return _INTEGRATION_PROXY.get(literal.strip().lower().replace("_", "-"), False)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _http_route(config: Any) -> tuple[str | None, str | None]:
    """`(method, route)` of an `http`/`httpApi` event: `"GET users/{id}"` or a map."""
    if isinstance(config, str):
        method, _, path = config.strip().partition(" ")
        if not path:
            return None, None  # `httpApi: '*'`: the catch-all route
    elif isinstance(config, dict):
        method, path = text(config.get("method")) or "", text(config.get("path")) or ""
    else:
        return None, None
    method = method.strip().upper()
    method_value = "ANY" if method in ("ANY", "*") else (method or None)
    path = path.strip()
    if not path or path == "*":
        return method_value, None
    return method_value, "/" + path.lstrip("/")


def _detail_types(kind: str, config: Any) -> tuple[str, ...]:
    """The `detail-type`s of an `eventBridge` event's `pattern` (a `cloudwatchEvent`'s
    `event`); `${...}` variables are skipped."""
    key = "pattern" if kind == "eventBridge" else "event"
    return detail_types(dig(config, key), _plain)


def _filtered(trigger: str, config: Any) -> bool:
    """Whether an `s3`, `sns` or `sqs` event invokes the function for only some writes:
    S3 `rules` or an `event` other than object creation (the default), an SNS
    `filterPolicy`, SQS `filterPatterns`."""
    if not isinstance(config, dict):
        return False
    if trigger == "s3":
        event = text(config.get("event")) or "s3:ObjectCreated:*"
        return config.get("rules") is not None or not event.startswith("s3:ObjectCreated:")
    key = {"sns": "filterPolicy", "sqs": "filterPatterns"}.get(trigger)
    return key is not None and config.get(key) is not None


def _event_resource(kind: str, config: Any) -> str | None:
    if isinstance(config, str):
        return _plain(config) if kind in ("sqs", "sns", "s3", "stream", "cloudwatchLog") else None
    for key in _RESOURCE_KEYS.get(kind, ()):
        value = dig(config, key)
        for name, _ in references(value):
            return name
        if _plain(value):
            return _plain(value)
    return None
