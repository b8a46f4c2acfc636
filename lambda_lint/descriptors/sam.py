"""SAM and CloudFormation templates (YAML or JSON): functions, their code and events.

Property names and defaults follow the AWS SAM specification
(docs.aws.amazon.com/serverless-application-model/latest/developerguide) and the
CloudFormation `AWS::Lambda::Function` reference: `CodeUri` is relative to the template's
folder and defaults to it, `Globals.Function` supplies defaults for every
`AWS::Serverless::Function`, an HTTP API event uses payload 2.0 unless
`PayloadFormatVersion` says "1.0", and inline `ZipFile`/`InlineCode` is saved as `index`.
`Api`/`HttpApi` events are proxy integrations; an event's `Auth.Authorizer` (`NONE`: no
authorizer) overrides its API's `Auth.DefaultAuthorizer` (for the implicit API, the one
of `Globals.Api`/`Globals.HttpApi`). `Environment.Variables` and `Layers` of a function
are merged with those of `Globals.Function`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

from lambda_lint.descriptors.cloudformation import (
    Linker,
    arn_text,
    default_authorizer,
    notifies_some_writes,
    queue_is_fifo,
    references,
    reports_failures,
    variable_resources,
)
from lambda_lint.descriptors.dockerfile import builds_other_image
from lambda_lint.descriptors.draft import ARCHIVE_SUFFIXES, FunctionDraft, join_path
from lambda_lint.descriptors.model import (
    DescriptorProblem,
    DescriptorSet,
    SourceRef,
    TriggerBinding,
)
from lambda_lint.descriptors.openapi import load_document
from lambda_lint.descriptors.values import (
    LineList,
    LineMap,
    Symbolic,
    detail_types,
    dig,
    integer,
    line_of,
    parameter_defaults,
    text,
    text_by_default,
    truthy,
    version,
    whole_number,
)
from lambda_lint.descriptors.yaml_loader import DescriptorSyntaxError

#: a token a build script replaces before the template is deployed (`%VERSION%`, a
#: plain YAML scalar cannot start with `%`)
BUILD_PLACEHOLDER = re.compile(r"%[A-Z][A-Z0-9_]*%")
#: SAM event source types and the trigger each one means
SAM_EVENTS = {
    "Api": "apigw-rest",
    "HttpApi": "apigw-http",
    "SQS": "sqs",
    "SNS": "sns",
    "S3": "s3",
    "DynamoDB": "dynamodb-stream",
    "Kinesis": "kinesis",
    "Schedule": "schedule",
    "ScheduleV2": "schedule",
    "EventBridgeRule": "eventbridge",
    "CloudWatchEvent": "eventbridge",
    "CloudWatchLogs": "cloudwatch-logs",
    "Cognito": "cognito-user-pool",
    "MSK": "kafka",
    "SelfManagedKafka": "kafka",
    "MQ": "mq",
    "IoTRule": "iot",
    "AlexaSkill": "alexa",
    "DocumentDB": "documentdb",
}

#: the event property naming what triggers the function, per SAM event type
_EVENT_RESOURCE = {
    "SQS": "Queue",
    "SNS": "Topic",
    "S3": "Bucket",
    "DynamoDB": "Stream",
    "Kinesis": "Stream",
    "Schedule": "Name",
    "ScheduleV2": "Name",
    "EventBridgeRule": "RuleName",
    "CloudWatchEvent": "RuleName",
    "CloudWatchLogs": "LogGroupName",
    "Cognito": "UserPool",
    "MSK": "Stream",
    "MQ": "Broker",
    "DocumentDB": "Cluster",
}

#: SAM event types whose `BatchSize` sets the records per invocation
_BATCH_EVENTS = frozenset(
    ("SQS", "Kinesis", "DynamoDB", "MSK", "SelfManagedKafka", "MQ", "DocumentDB")
)


def _fails_on_build_placeholder(source: str, line: int) -> bool:
    """Whether the line where loading failed holds a build placeholder."""
    lines = source.splitlines()
    return 0 < line <= len(lines) and BUILD_PLACEHOLDER.search(lines[line - 1]) is not None


def read_template(path: Path, source: str) -> DescriptorSet:
    """Read the functions a SAM or CloudFormation template declares."""
    try:
        document = load_document(path, source)
    except DescriptorSyntaxError as error:
        if _fails_on_build_placeholder(source, error.line):
            return DescriptorSet()  # the source of a template a build script writes
        return DescriptorSet(problems=[DescriptorProblem(path, error.line, error.message)])
    result = DescriptorSet()
    if not isinstance(document, LineMap):
        return result
    resources = document.get("Resources")
    if not isinstance(resources, LineMap):
        return result
    kind = "sam" if is_sam(document) else "cloudformation"
    reader = _TemplateReader(path, kind, document, resources)
    drafts: dict[str, FunctionDraft] = {}
    for logical_id, resource in resources.items():
        if not isinstance(resource, LineMap):
            continue
        try:
            draft = reader.function(str(logical_id), resource, resources.key_line(logical_id))
        except (TypeError, ValueError, AttributeError, KeyError, IndexError) as error:
            line = resources.key_line(logical_id)
            result.problems.append(
                DescriptorProblem(path, line, f"cannot read resource {logical_id}: {error}")
            )
            continue
        if draft is not None:
            drafts[str(logical_id)] = draft
    Linker(resources, drafts, path, kind, reader.defaults).link()
    result.functions.extend(draft.freeze() for draft in drafts.values())
    return result


def is_sam(document: LineMap) -> bool:
    """A template with the Serverless transform or any `AWS::Serverless::` resource."""
    transform = document.get("Transform")
    transforms = transform if isinstance(transform, list) else [transform]
    if any(isinstance(t, str) and t.startswith("AWS::Serverless") for t in transforms):
        return True
    resources = document.get("Resources")
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and str(r.get("Type", "")).startswith("AWS::Serverless::")
        for r in resources.values()
    )


class _TemplateReader:
    """Reads function resources of one template."""

    def __init__(self, path: Path, kind: str, document: LineMap, resources: LineMap) -> None:
        self.path = path
        self.folder = path.parent
        self.kind = kind
        self.resources = resources
        #: parameter defaults, for schedules given as parameters (`text_by_default`)
        self.defaults = parameter_defaults(document)
        globals_ = document.get("Globals")
        globals_ = globals_ if isinstance(globals_, dict) else {}
        function_globals = globals_.get("Function")
        self.globals = function_globals if isinstance(function_globals, LineMap) else LineMap()
        #: whether the implicit API's routes have a default authorizer, per event type
        self.implicit_auth = {
            "Api": default_authorizer(globals_.get("Api")),
            "HttpApi": default_authorizer(globals_.get("HttpApi")),
        }

    def ref(self, line: int) -> SourceRef:
        return SourceRef(self.kind, self.path, line)

    def function(self, logical_id: str, resource: LineMap, line: int) -> FunctionDraft | None:
        resource_type = resource.get("Type")
        properties = resource.get("Properties")
        props = properties if isinstance(properties, LineMap) else LineMap(line)
        if resource_type == "AWS::Serverless::Function":
            return self._serverless_function(logical_id, resource, props, line)
        if resource_type == "AWS::Lambda::Function":
            return self._lambda_function(logical_id, props, line)
        return None

    # -- AWS::Serverless::Function ---------------------------------------------------------

    def _prop(self, props: LineMap, key: str) -> tuple[Any, LineMap | None]:
        """A function property or its `Globals.Function` default, and where it was found."""
        if key in props:
            return props[key], props
        if key in self.globals:
            return self.globals[key], self.globals
        return None, None

    def _serverless_function(
        self, logical_id: str, resource: LineMap, props: LineMap, line: int
    ) -> FunctionDraft:
        draft = FunctionDraft(logical_id, None, self.ref(line), None)
        package_type, _ = self._prop(props, "PackageType")
        if text(package_type) == "Image":
            self._image(draft, props, resource.get("Metadata"))
        else:
            handler, owner = self._prop(props, "Handler")
            draft.handler = text(handler)
            if owner is not None:
                draft.source = self.ref(owner.value_line("Handler"))
            inline = props.get("InlineCode")
            if inline is not None:
                draft.inline_code = _inline_text(inline)
            else:
                draft.code_root = self._code_uri(self._prop(props, "CodeUri")[0])
        self._common(draft, lambda key: self._prop(props, key)[0])
        draft.environment = {
            **_variables(self.globals.get("Environment")),
            **_variables(props.get("Environment")),
        }
        draft.environment_resources = {
            **variable_resources(self.globals.get("Environment")),
            **variable_resources(props.get("Environment")),
        }
        draft.layers = _layers(self.globals.get("Layers")) + _layers(props.get("Layers"))
        events = props.get("Events")
        if isinstance(events, LineMap):
            for name, event in events.items():
                binding = self._event(event, events.key_line(name))
                if binding is not None:
                    draft.add(binding)
        url, owner = self._prop(props, "FunctionUrlConfig")
        if isinstance(url, dict) and owner is not None:
            draft.add(TriggerBinding("function-url", self.ref(owner.key_line("FunctionUrlConfig"))))
        return draft

    def _code_uri(self, value: Any) -> Path | None:
        if value is None:
            return self.folder
        uri = text(value)
        if uri is None or uri.startswith("s3://") or uri.lower().endswith(ARCHIVE_SUFFIXES):
            return None
        return join_path(self.folder, uri)

    def _image(self, draft: FunctionDraft, props: LineMap, metadata: Any) -> None:
        draft.package_type = "Image"
        config = props.get("ImageConfig")
        command = config.get("Command") if isinstance(config, dict) else None
        if isinstance(command, list) and command:
            draft.handler = text(command[0])
            draft.source = self.ref(line_of(command, 0, draft.source.line))
        if not isinstance(metadata, dict):
            return
        context = text(metadata.get("DockerContext"))
        folder = join_path(self.folder, context) if context else None
        dockerfile = text(metadata.get("Dockerfile")) or "Dockerfile"
        if folder is not None and builds_other_image(join_path(folder, dockerfile)):
            return  # an image of another language (or none Lambda runs as Python)
        draft.code_root = folder

    def _common(self, draft: FunctionDraft, get: Callable[[str], Any]) -> None:
        """Runtime, timeout and SnapStart, read through `get` (which may apply Globals)."""
        draft.runtime = text(get("Runtime"))
        draft.timeout = integer(get("Timeout"))
        snap = get("SnapStart")
        draft.snapstart = isinstance(snap, dict) and text(snap.get("ApplyOn")) == (
            "PublishedVersions"
        )

    def _event(self, event: Any, line: int) -> TriggerBinding | None:
        if not isinstance(event, dict):
            return None
        event_type = text(event.get("Type")) or ""
        trigger = SAM_EVENTS.get(event_type)
        if trigger is None:
            return None
        props = event.get("Properties")
        props = props if isinstance(props, dict) else {}
        route = method = payload = authorizer = None
        # `RequestModel` marks the body required and has API Gateway validate it
        model = props.get("RequestModel") if event_type == "Api" else None
        rejects = truthy(dig(model, "Required")) and truthy(dig(model, "ValidateBody"))
        if event_type in ("Api", "HttpApi"):
            route = text(props.get("Path"))
            method = (text(props.get("Method")) or "").upper() or None
            authorizer = self._event_authorizer(event_type, props)
        if event_type == "HttpApi":
            payload = "1.0" if version(props.get("PayloadFormatVersion")) == "1.0" else "2.0"
            trigger = "apigw-rest" if payload == "1.0" else trigger
        resource = None
        resource_key = _EVENT_RESOURCE.get(event_type)
        if resource_key is not None:
            resource = _resource_name(props.get(resource_key))
        matched = detail_types(props.get("Pattern")) if trigger == "eventbridge" else ()
        batch = whole_number(props.get("BatchSize")) if event_type in _BATCH_EVENTS else None
        return TriggerBinding(
            trigger,
            self.ref(line),
            route=route,
            method=method,
            report_batch_item_failures=reports_failures(props.get("FunctionResponseTypes")),
            resource=resource,
            detail_types=matched,
            batch_size=batch,
            authorizer=authorizer,
            payload_version=payload,
            fifo=queue_is_fifo(props.get("Queue"), self.resources) if trigger == "sqs" else None,
            filtered=notifies_some_writes(trigger, props),
            rejects_missing_body=rejects,
            schedule=text_by_default(
                props.get("Schedule") or props.get("ScheduleExpression"), self.defaults
            )
            if trigger == "schedule"
            else None,
        )

    def _event_authorizer(self, event_type: str, props: dict[str, Any]) -> bool | None:
        """Whether an `Api`/`HttpApi` event's route has an authorizer: its own
        `Auth.Authorizer`, else its API's (or the implicit API's) default authorizer."""
        own = dig(props, "Auth", "Authorizer")
        if own is not None:
            name = text(own)
            return None if name is None else name != "NONE"
        api = props.get("RestApiId" if event_type == "Api" else "ApiId")
        if api is None:
            return self.implicit_auth[event_type]
        for name, _ in references(api):
            resource = self.resources.get(name)
            if isinstance(resource, dict):
                return default_authorizer(resource.get("Properties"))
        return None

    # -- AWS::Lambda::Function -------------------------------------------------------------

    def _lambda_function(self, logical_id: str, props: LineMap, line: int) -> FunctionDraft:
        draft = FunctionDraft(logical_id, None, self.ref(line), None)
        if text(props.get("PackageType")) == "Image":
            self._image(draft, props, None)
        else:
            draft.handler = text(props.get("Handler"))
            if "Handler" in props:
                draft.source = self.ref(props.value_line("Handler"))
            code = props.get("Code")
            if isinstance(code, dict) and "ZipFile" in code:
                draft.inline_code = _inline_text(code["ZipFile"])
            elif isinstance(code, str) and not code.startswith("s3://"):
                draft.code_root = self._code_uri(code)
        self._common(draft, props.get)
        draft.environment = _variables(props.get("Environment"))
        draft.environment_resources = variable_resources(props.get("Environment"))
        draft.layers = _layers(props.get("Layers"))
        return draft


def _variables(environment: Any) -> dict[str, str]:
    """The literal `Environment.Variables` of a function."""
    variables = dig(environment, "Variables")
    if not isinstance(variables, dict):
        return {}
    return {str(k): v for k, v in ((k, text(v)) for k, v in variables.items()) if v is not None}


def _layers(value: Any) -> list[str]:
    """Layer ARNs as written; a `!Sub` keeps its template text."""
    return [arn for arn in map(arn_text, value if isinstance(value, list) else []) if arn]


def _resource_name(value: Any) -> str | None:
    """The logical id a property refers to, or its literal text (a name or an ARN)."""
    for name, _ in references(value):
        return name
    return text(value)


def _inline_text(value: Any) -> str | None:
    """Inline code as written; for `!Sub` code, its template text."""
    if isinstance(value, str):
        return value
    if isinstance(value, Symbolic) and value.kind == "Sub":
        template = value.value[0] if isinstance(value.value, LineList) else value.value
        return template if isinstance(template, str) else None
    return None
