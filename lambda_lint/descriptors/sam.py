"""SAM and CloudFormation templates (YAML or JSON): functions, their code and events.

Property names and defaults follow the AWS SAM specification
(docs.aws.amazon.com/serverless-application-model/latest/developerguide) and the
CloudFormation `AWS::Lambda::Function` reference: `CodeUri` is relative to the template's
folder and defaults to it, `Globals.Function` supplies defaults for every
`AWS::Serverless::Function`, an HTTP API event uses payload 2.0 unless
`PayloadFormatVersion` says "1.0", and inline `ZipFile`/`InlineCode` is saved as `index`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from lambda_lint.descriptors.cloudformation import Linker, references, reports_failures
from lambda_lint.descriptors.draft import FunctionDraft, join_path
from lambda_lint.descriptors.json_loader import load_json
from lambda_lint.descriptors.model import (
    DescriptorProblem,
    DescriptorSet,
    SourceRef,
    TriggerBinding,
)
from lambda_lint.descriptors.values import (
    LineList,
    LineMap,
    Symbolic,
    detail_types,
    integer,
    line_of,
    text,
    whole_number,
)
from lambda_lint.descriptors.yaml_loader import DescriptorSyntaxError, load_yaml

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

_ARCHIVE_SUFFIXES = (".zip", ".jar", ".war")


def load_document(path: Path, source: str) -> Any:
    """Load a YAML or JSON descriptor: JSON for `.json` files; other files that start
    with `{` are tried as JSON (which keeps JSON's error messages) and then as YAML."""
    if path.suffix.lower() == ".json":
        return load_json(source)
    if source.lstrip().startswith("{"):
        try:
            return load_json(source)
        except DescriptorSyntaxError:
            pass
    return load_yaml(source)


def read_template(path: Path, source: str) -> DescriptorSet:
    """Read the functions a SAM or CloudFormation template declares."""
    try:
        document = load_document(path, source)
    except DescriptorSyntaxError as error:
        return DescriptorSet(problems=[DescriptorProblem(path, error.line, error.message)])
    result = DescriptorSet()
    if not isinstance(document, LineMap):
        return result
    resources = document.get("Resources")
    if not isinstance(resources, LineMap):
        return result
    kind = "sam" if is_sam(document) else "cloudformation"
    reader = _TemplateReader(path, kind, document)
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
    Linker(resources, drafts, path, kind).link()
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

    def __init__(self, path: Path, kind: str, document: LineMap) -> None:
        self.path = path
        self.folder = path.parent
        self.kind = kind
        globals_ = document.get("Globals")
        function_globals = globals_.get("Function") if isinstance(globals_, dict) else None
        self.globals = function_globals if isinstance(function_globals, LineMap) else LineMap()

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
        if uri is None or uri.startswith("s3://") or uri.lower().endswith(_ARCHIVE_SUFFIXES):
            return None
        return join_path(self.folder, uri)

    def _image(self, draft: FunctionDraft, props: LineMap, metadata: Any) -> None:
        draft.package_type = "Image"
        config = props.get("ImageConfig")
        command = config.get("Command") if isinstance(config, dict) else None
        if isinstance(command, list) and command:
            draft.handler = text(command[0])
            draft.source = self.ref(line_of(command, 0, draft.source.line))
        context = text(metadata.get("DockerContext")) if isinstance(metadata, dict) else None
        draft.code_root = join_path(self.folder, context) if context else None

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
        route = method = None
        if event_type in ("Api", "HttpApi"):
            route = text(props.get("Path"))
            method = (text(props.get("Method")) or "").upper() or None
            if event_type == "HttpApi" and text(props.get("PayloadFormatVersion")) == "1.0":
                trigger = "apigw-rest"
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
        )

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
        return draft


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
