"""Plain CloudFormation resources that wire an event source to a function.

Used for SAM/CloudFormation templates and for the `resources:` section of a Serverless
service. Each linker looks at one resource type, finds the function it points at (by
`!Ref`, `!GetAtt`, `!Sub "${Fn.Arn}"`, an alias or version of it, or its literal name)
and adds a `TriggerBinding` to that function's draft. Resource types follow the
CloudFormation resource reference (docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from lambda_lint.descriptors.draft import (
    BEDROCK_PRINCIPAL,
    DEFAULT_FREQUENCY,
    FREQUENCIES,
    PRINCIPAL_TRIGGERS,
    FunctionDraft,
)
from lambda_lint.descriptors.model import SourceRef, TriggerBinding
from lambda_lint.descriptors.openapi import ApiStyle, Definition, definition
from lambda_lint.descriptors.request_validation import (
    built_in_schema,
    rejects_missing_body,
    schema_of,
)
from lambda_lint.descriptors.values import (
    PLACEHOLDER,
    LineList,
    LineMap,
    Symbolic,
    detail_types,
    dig,
    function_name_from_arn,
    text,
    text_by_default,
    truthy,
    version,
    whole_number,
)
from lambda_lint.descriptors.yaml_loader import DescriptorSyntaxError, load_yaml

#: the Automation runbook action that invokes a Lambda function
#: https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-lamb.html
INVOKE_LAMBDA_ACTION = "aws:invokeLambdaFunction"

#: resource types an event source mapping can read from, and the trigger each one means
SOURCE_TYPES = {
    "AWS::SQS::Queue": "sqs",
    "AWS::Kinesis::Stream": "kinesis",
    "AWS::DynamoDB::Table": "dynamodb-stream",
    "AWS::DynamoDB::GlobalTable": "dynamodb-stream",
    "AWS::MSK::Cluster": "kafka",
    "AWS::MSK::ServerlessCluster": "kafka",
    "AWS::AmazonMQ::Broker": "mq",
    "AWS::DocDB::DBCluster": "documentdb",
}

#: the service part of an event source ARN and the trigger it means
_ARN_SERVICES = (
    (re.compile(r"arn:[^:]*:sqs:"), "sqs"),
    (re.compile(r"arn:[^:]*:kinesis:"), "kinesis"),
    (re.compile(r"arn:[^:]*:dynamodb:.*/stream/"), "dynamodb-stream"),
    (re.compile(r"arn:[^:]*:kafka:"), "kafka"),
    (re.compile(r"arn:[^:]*:mq:"), "mq"),
    (re.compile(r"arn:[^:]*:rds:"), "documentdb"),
)


def references(value: Any) -> Iterator[tuple[str, str | None]]:
    """The resources a value refers to, as `(logical id, attribute or None)`."""
    if isinstance(value, Symbolic):
        if value.kind == "Ref" and isinstance(value.value, str):
            if not value.value.startswith("AWS::"):
                yield value.value, None
        elif value.kind == "GetAtt" and isinstance(value.value, list) and value.value:
            attribute = value.value[1] if len(value.value) > 1 else None
            yield str(value.value[0]), attribute if isinstance(attribute, str) else None
        elif value.kind == "Sub":
            yield from _sub_references(value.value)
        else:
            yield from references(value.value)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from references(item)


def variable_resources(environment: Any) -> dict[str, str]:
    """The `Variables` of a function's environment that hold a resource of the template
    itself (`!Ref Bucket`, `!GetAtt Queue.Arn`): variable -> logical id."""
    variables = dig(environment, "Variables")
    found: dict[str, str] = {}
    for key, value in variables.items() if isinstance(variables, dict) else ():
        if isinstance(value, Symbolic) and value.kind in ("Ref", "GetAtt"):
            for name, _ in references(value):
                found[str(key)] = name
    return found


def notifies_some_writes(trigger: str, config: Any) -> bool:
    """Whether an S3, SNS or SQS event source invokes the function for only some of the
    writes to its resource: an S3 key filter or events other than object creation
    (`Filter`, `Events`), an SNS subscription `FilterPolicy`, SQS `FilterCriteria`."""
    if not isinstance(config, dict):
        return False
    if trigger == "s3":
        events = config.get("Events", config.get("Event"))
        events = events if isinstance(events, list) else [events]
        created = all((text(e) or "").startswith("s3:ObjectCreated:") for e in events)
        return config.get("Filter") is not None or not created
    if trigger == "sns":
        return config.get("FilterPolicy") is not None
    if trigger == "sqs":
        return config.get("FilterCriteria") is not None
    return False


def _sub_references(value: Any) -> Iterator[tuple[str, str | None]]:
    template, variables = value, {}
    if isinstance(value, list) and value:
        template = value[0]
        variables = value[1] if len(value) > 1 and isinstance(value[1], dict) else {}
    if not isinstance(template, str):
        return
    for name in PLACEHOLDER.findall(template):
        if name.startswith(("AWS::", "!")):
            continue
        if name in variables:
            yield from references(variables[name])
            continue
        resource, _, attribute = name.partition(".")
        yield resource, attribute or None


def arn_text(value: Any) -> str:
    """The literal text of an ARN-like value (a `!Sub` template counts), for sniffing."""
    if isinstance(value, str):
        return value
    if isinstance(value, Symbolic):
        if value.kind == "Sub":
            return arn_text(value.value[0] if isinstance(value.value, list) else value.value)
        if value.kind == "Join" and isinstance(value.value, list) and len(value.value) == 2:
            parts = value.value[1] if isinstance(value.value[1], list) else []
            return "".join(part for part in parts if isinstance(part, str))
    return ""


def queue_is_fifo(arn: Any, resources: dict[str, Any]) -> bool | None:
    """Whether the SQS queue an ARN-like value names is a FIFO queue: a literal name or
    ARN ending `.fifo`, or a queue resource of `resources` with `FifoQueue: true` or a
    `.fifo` `QueueName`; None when the value does not tell."""
    literal = arn_text(arn)
    if literal and "${" not in literal:
        return literal.endswith(".fifo")
    for name, _ in references(arn):
        queue = resources.get(name)
        if dig(queue, "Type") != "AWS::SQS::Queue":
            continue
        props = dig(queue, "Properties")
        fifo = truthy(dig(props, "FifoQueue")) or (text(dig(props, "QueueName")) or "").endswith(
            ".fifo"
        )
        return fifo
    return literal.endswith(".fifo") or None


def trigger_from_arn(arn: str) -> str | None:
    """The event-source trigger an ARN's service names (`arn:aws:sqs:...` → sqs)."""
    for pattern, trigger in _ARN_SERVICES:
        if pattern.search(arn):
            return trigger
    return None


#: object key prefixes whose text URL encoding leaves as it is
_UNENCODED_PREFIX = re.compile(r"[A-Za-z0-9._~/-]*")


def _mail_buckets(actions: Any) -> Iterator[str]:
    """The buckets (logical ids) SES receipt rule actions store mail in, under a
    prefix URL encoding leaves as it is."""
    for action, _ in _items(actions):
        s3 = dig(action, "S3Action")
        prefix = dig(s3, "ObjectKeyPrefix")
        plain = prefix is None or _UNENCODED_PREFIX.fullmatch(text(prefix) or " ") is not None
        for name, _ in references(dig(s3, "BucketName")) if plain else ():
            yield name


def _items(value: Any) -> list[tuple[Any, int]]:
    """The items of a list with their lines (a single item counts as a list of one)."""
    if isinstance(value, LineList):
        return [(item, value.item_line(i)) for i, item in enumerate(value)]
    if isinstance(value, list):
        return [(item, 0) for item in value]
    return [] if value is None else [(value, 0)]


class Linker:
    """Adds the triggers that other resources of a template declare for its functions."""

    def __init__(
        self,
        resources: dict[str, Any],
        functions: dict[str, FunctionDraft],
        path: Path,
        kind: str,
        defaults: dict[str, str] | None = None,
    ) -> None:
        self.resources = resources if isinstance(resources, dict) else {}
        self.functions = functions
        self.path = path
        self.kind = kind
        #: the template's parameter defaults (`parameter_defaults`), for schedules
        self.defaults = defaults or {}
        self._aliases = self._alias_map()
        self._names = self._physical_names()

    # -- finding the function a value points at -------------------------------------------

    def _alias_map(self) -> dict[str, str]:
        aliases: dict[str, str] = {}
        for logical_id, resource in self.resources.items():
            if dig(resource, "Type") in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
                for name, _ in references(dig(resource, "Properties", "FunctionName")):
                    if name in self.functions:
                        aliases[logical_id] = name
        return aliases

    def _physical_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for logical_id in self.functions:
            name = text(dig(self.resources.get(logical_id), "Properties", "FunctionName"))
            if name:
                names[name] = logical_id
        return names

    def function(self, value: Any) -> FunctionDraft | None:
        """The function (draft) that `value` refers to, if it is one of this template's."""
        for name, _ in references(value):
            logical_id = self._function_id(name)
            if logical_id is not None:
                return self.functions[logical_id]
        literal = text(value)
        if literal:
            logical_id = self._names.get(function_name_from_arn(literal) or literal)
            if logical_id is not None:
                return self.functions[logical_id]
        return None

    def _function_id(self, name: str) -> str | None:
        for candidate in (name, name.split(".", 1)[0]):  # SAM's `!Ref Fn.Alias` / `Fn.Version`
            if candidate in self.functions:
                return candidate
            if candidate in self._aliases:
                return self._aliases[candidate]
        for logical_id in self.functions:  # SAM's generated `<Fn>Alias<name>` / `<Fn>Version<hash>`
            rest = name[len(logical_id) :]
            if name.startswith(logical_id) and rest.startswith(("Alias", "Version")):
                return logical_id
        return None

    def resource_type(self, value: Any) -> tuple[str | None, str | None, str | None]:
        """`(type, logical id, attribute)` of the first resource `value` refers to."""
        for name, attribute in references(value):
            resource = self.resources.get(name)
            if isinstance(resource, dict):
                return text(resource.get("Type")), name, attribute
        return None, None, None

    # -- bindings --------------------------------------------------------------------------

    def ref(self, line: int) -> SourceRef:
        return SourceRef(self.kind, self.path, line)

    def binding(self, trigger: str, line: int, **extra: Any) -> TriggerBinding:
        return TriggerBinding(trigger, self.ref(line), **extra)

    def link(self) -> None:
        """Run every resource linker over the template."""
        linkers: dict[str, Callable[[str, LineMap, int], None]] = {
            "AWS::Lambda::EventSourceMapping": self._event_source_mapping,
            "AWS::Lambda::Permission": self._permission,
            "AWS::Lambda::Url": self._function_url,
            "AWS::S3::Bucket": self._bucket,
            "AWS::SNS::Subscription": self._sns_subscription,
            "AWS::SNS::Topic": self._sns_topic,
            "AWS::Events::Rule": self._events_rule,
            "AWS::Scheduler::Schedule": self._scheduler,
            "AWS::Config::ConfigRule": self._config_rule,
            "AWS::ApiGateway::Method": self._rest_method,
            "AWS::ApiGatewayV2::Integration": self._v2_integration,
            "AWS::ApiGatewayV2::Api": self._v2_quick_create,
            "AWS::Cognito::UserPool": self._user_pool,
            "AWS::Logs::SubscriptionFilter": self._log_subscription,
            "AWS::ElasticLoadBalancingV2::TargetGroup": self._target_group,
            "AWS::IoT::TopicRule": self._iot_rule,
            "AWS::SecretsManager::RotationSchedule": self._rotation,
            "AWS::CloudFormation::CustomResource": self._custom_resource,
            "AWS::ApiGateway::Authorizer": self._rest_authorizer,
            "AWS::ApiGatewayV2::Authorizer": self._v2_authorizer,
            "AWS::Serverless::Api": self._sam_api,
            "AWS::Serverless::HttpApi": self._sam_api,
            "AWS::ApiGateway::RestApi": self._api_body,
            "AWS::Bedrock::Agent": self._agent,
            "AWS::SSM::Document": self._runbook,
        }
        for logical_id, resource in self.resources.items():
            if not isinstance(resource, LineMap):
                continue
            kind = text(resource.get("Type")) or ""
            properties = resource.get("Properties")
            if not isinstance(properties, LineMap):
                continue
            line = self.resources.key_line(logical_id) if isinstance(self.resources, LineMap) else 0
            linker = linkers.get(kind)
            if linker is None and kind.startswith("Custom::"):
                linker = self._custom_resource
            if linker is not None:
                linker(logical_id, properties, line or resource.line)
        self._mark_mail_buckets()

    def _mark_mail_buckets(self) -> None:
        """S3 triggers of buckets SES receipt rules store mail in: message-id keys."""
        buckets = {
            bucket
            for resource in self.resources.values()
            if dig(resource, "Type") == "AWS::SES::ReceiptRule"
            for bucket in _mail_buckets(dig(resource, "Properties", "Rule", "Actions"))
        }
        for draft in self.functions.values():
            draft.triggers = [
                replace(b, unencoded_keys=True)
                if b.trigger == "s3" and b.resource in buckets
                else b
                for b in draft.triggers
            ]

    def _event_source_mapping(self, logical_id: str, props: LineMap, line: int) -> None:
        draft = self.function(props.get("FunctionName"))
        if draft is None:
            return
        arn = props.get("EventSourceArn")
        resource_type, source_id, _ = self.resource_type(arn)
        trigger = SOURCE_TYPES.get(resource_type or "") or trigger_from_arn(arn_text(arn))
        if trigger is None and "SelfManagedEventSource" in props:
            trigger = "kafka"
        if trigger is None:
            return
        draft.add(
            self.binding(
                trigger,
                line,
                report_batch_item_failures=reports_failures(props.get("FunctionResponseTypes")),
                resource=source_id or text(arn),
                batch_size=whole_number(props.get("BatchSize")),
                fifo=queue_is_fifo(arn, self.resources) if trigger == "sqs" else None,
                filtered=notifies_some_writes(trigger, props),
            )
        )

    def _permission(self, logical_id: str, props: LineMap, line: int) -> None:
        draft = self.function(props.get("FunctionName"))
        principal = text(props.get("Principal"))
        if draft is None or principal is None:
            return
        trigger = PRINCIPAL_TRIGGERS.get(principal)
        source_type, source_id, _ = self.resource_type(props.get("SourceArn"))
        if principal == "apigateway.amazonaws.com":
            trigger = self._api_trigger(source_type, source_id)
        if principal == BEDROCK_PRINCIPAL and source_type == "AWS::Bedrock::Agent":
            trigger = "bedrock-agent"
        schedule = self._rule_schedule(source_id) if trigger == "eventbridge" else None
        if schedule is not None:
            trigger = "schedule"
        if trigger is not None:
            # what API Gateway sends (proxy event, mapping template, authorizer request)
            # is not said by a permission
            proxy = None if principal == "apigateway.amazonaws.com" else True
            binding = self.binding(
                trigger, line, resource=source_id, proxy=proxy, schedule=text(schedule)
            )
            draft.add_fallback(binding)

    def _api_trigger(self, api_type: str | None, api_id: str | None) -> str | None:
        if api_type in ("AWS::ApiGateway::RestApi", "AWS::Serverless::Api"):
            return "apigw-rest"
        if api_type == "AWS::Serverless::HttpApi":
            return "apigw-http"
        if api_type == "AWS::ApiGatewayV2::Api":
            protocol = text(dig(self.resources.get(api_id or ""), "Properties", "ProtocolType"))
            return "apigw-websocket" if protocol == "WEBSOCKET" else "apigw-http"
        return None

    def _rule_schedule(self, rule_id: str | None) -> Any:
        """The `ScheduleExpression` of an `AWS::Events::Rule`; None for another rule."""
        rule = self.resources.get(rule_id or "")
        if dig(rule, "Type") != "AWS::Events::Rule":
            return None
        return dig(rule, "Properties", "ScheduleExpression") or None

    def _function_url(self, logical_id: str, props: LineMap, line: int) -> None:
        draft = self.function(props.get("TargetFunctionArn"))
        if draft is not None:
            draft.add(self.binding("function-url", line))

    def _bucket(self, logical_id: str, props: LineMap, line: int) -> None:
        configs = dig(props, "NotificationConfiguration", "LambdaConfigurations")
        for config, config_line in _items(configs):
            draft = self.function(dig(config, "Function"))
            if draft is not None:
                filtered = notifies_some_writes("s3", config)
                binding = self.binding(
                    "s3", config_line or line, resource=logical_id, filtered=filtered
                )
                draft.add(binding)

    def _agent(self, logical_id: str, props: LineMap, line: int) -> None:
        """The Lambda executors of an agent's action groups."""
        for group, item_line in _items(props.get("ActionGroups")):
            draft = self.function(dig(group, "ActionGroupExecutor", "Lambda"))
            if draft is not None:
                draft.add(self.binding("bedrock-agent", item_line or line, resource=logical_id))

    def _sns_subscription(self, logical_id: str, props: LineMap, line: int) -> None:
        if (text(props.get("Protocol")) or "").lower() != "lambda":
            return
        draft = self.function(props.get("Endpoint"))
        if draft is not None:
            _, topic_id, _ = self.resource_type(props.get("TopicArn"))
            resource = topic_id or text(props.get("TopicArn"))
            filtered = notifies_some_writes("sns", props)
            draft.add(self.binding("sns", line, resource=resource, filtered=filtered))

    def _sns_topic(self, logical_id: str, props: LineMap, line: int) -> None:
        for subscription, item_line in _items(props.get("Subscription")):
            if (text(dig(subscription, "Protocol")) or "").lower() != "lambda":
                continue
            draft = self.function(dig(subscription, "Endpoint"))
            if draft is not None:
                filtered = notifies_some_writes("sns", subscription)
                binding = self.binding(
                    "sns", item_line or line, resource=logical_id, filtered=filtered
                )
                draft.add(binding)

    def _events_rule(self, logical_id: str, props: LineMap, line: int) -> None:
        scheduled = props.get("ScheduleExpression") is not None
        trigger = "schedule" if scheduled else "eventbridge"
        matched = () if scheduled else detail_types(props.get("EventPattern"))
        for target, item_line in _items(props.get("Targets")):
            draft = self.function(dig(target, "Arn"))
            if draft is not None:
                binding = self.binding(
                    trigger,
                    item_line or line,
                    resource=logical_id,
                    detail_types=matched,
                    schedule=text_by_default(props.get("ScheduleExpression"), self.defaults),
                )
                draft.add(binding)

    def _scheduler(self, logical_id: str, props: LineMap, line: int) -> None:
        draft = self.function(dig(props, "Target", "Arn"))
        if draft is not None:
            schedule = text_by_default(props.get("ScheduleExpression"), self.defaults)
            draft.add(self.binding("schedule", line, resource=logical_id, schedule=schedule))

    def _config_rule(self, logical_id: str, props: LineMap, line: int) -> None:
        """A custom Config rule: evaluated when a configuration changes, or periodically
        (`MessageType: ScheduledNotification`, at its `MaximumExecutionFrequency`)."""
        source = props.get("Source")
        if text(dig(source, "Owner")) != "CUSTOM_LAMBDA":
            return
        draft = self.function(dig(source, "SourceIdentifier"))
        if draft is None:
            return
        for detail, item_line in _items(dig(source, "SourceDetails")):
            schedule = None
            if text(dig(detail, "MessageType")) == "ScheduledNotification":
                frequency = text(dig(detail, "MaximumExecutionFrequency")) or DEFAULT_FREQUENCY
                schedule = FREQUENCIES.get(frequency)
            binding = self.binding(
                "config-rule", item_line or line, resource=logical_id, schedule=schedule
            )
            draft.add(binding)

    def _rest_method(self, logical_id: str, props: LineMap, line: int) -> None:
        integration = props.get("Integration")
        kind = (text(dig(integration, "Type")) or "").upper()
        if kind not in ("AWS_PROXY", "AWS"):
            return
        draft = self.function(dig(integration, "Uri"))
        if draft is None:
            return
        method = (text(props.get("HttpMethod")) or "").upper() or None
        route = self._rest_path(props.get("ResourceId"), depth=0)
        binding = self.binding(
            "apigw-rest",
            line,
            route=route,
            method=method,
            proxy=kind == "AWS_PROXY",
            authorizer=_authorization(props.get("AuthorizationType")),
            rejects_missing_body=self._rejects_missing_body(props),
        )
        draft.add(binding)

    def _rejects_missing_body(self, method: LineMap) -> bool:
        """Whether the method's request validator validates bodies against a model that
        a request without a body fails."""
        validator_type, validator_id, _ = self.resource_type(method.get("RequestValidatorId"))
        if validator_type != "AWS::ApiGateway::RequestValidator":
            return False
        validator = dig(self.resources.get(validator_id or ""), "Properties")
        models = method.get("RequestModels")
        return rejects_missing_body(
            truthy(dig(validator, "ValidateRequestBody")),
            [(key, self._model_schema(value)) for key, value in models.items()]
            if isinstance(models, dict)
            else [],
        )

    def _model_schema(self, model: Any) -> Any:
        """The JSON schema of an `AWS::ApiGateway::Model` a method names; a built-in
        model (`Empty`, `Error`) has none that requires fields."""
        model_type, model_id, _ = self.resource_type(model)
        if model_type != "AWS::ApiGateway::Model":
            return built_in_schema(text(model))
        return schema_of(dig(self.resources.get(model_id or ""), "Properties", "Schema"))

    def _rest_path(self, resource_id: Any, depth: int) -> str | None:
        """The path of an `AWS::ApiGateway::Resource`, following `ParentId` to the root."""
        for name, attribute in references(resource_id):
            if attribute == "RootResourceId":
                return "/"
            resource = self.resources.get(name)
            if depth > 30 or dig(resource, "Type") != "AWS::ApiGateway::Resource":
                return None
            part = text(dig(resource, "Properties", "PathPart"))
            parent = self._rest_path(dig(resource, "Properties", "ParentId"), depth + 1)
            if part is None or parent is None:
                return None
            return parent.rstrip("/") + "/" + part
        return None

    def _v2_integration(self, logical_id: str, props: LineMap, line: int) -> None:
        draft = self.function(props.get("IntegrationUri"))
        if draft is None:
            return
        api_type, api_id, _ = self.resource_type(props.get("ApiId"))
        trigger = self._api_trigger(api_type, api_id) or "apigw-http"
        payload = version(props.get("PayloadFormatVersion"))
        extra: dict[str, Any] = {}
        if trigger == "apigw-http":
            # HTTP APIs require the version; the event shape is unknown without it
            extra = {"payload_version": payload, "proxy": payload in ("1.0", "2.0") or None}
            trigger = "apigw-rest" if payload == "1.0" else trigger
        routes = list(self._v2_routes(logical_id))
        if trigger == "apigw-websocket" or not routes:
            draft.add(self.binding(trigger, line, **extra))
            return
        for route_key, route_line, authorizer in routes:
            method, route = split_route_key(route_key)
            binding = self.binding(
                trigger, route_line, route=route, method=method, authorizer=authorizer, **extra
            )
            draft.add(binding)

    def _v2_routes(self, integration_id: str) -> Iterator[tuple[str, int, bool | None]]:
        for route_id, resource in self.resources.items():
            if dig(resource, "Type") != "AWS::ApiGatewayV2::Route":
                continue
            props = resource.get("Properties")
            target = dig(props, "Target")
            if any(name == integration_id for name, _ in references(target)):
                key = text(dig(props, "RouteKey"))
                if key:
                    authorizer = _authorization(dig(props, "AuthorizationType"))
                    yield key, self.resources.key_line(route_id), authorizer

    def _v2_quick_create(self, logical_id: str, props: LineMap, line: int) -> None:
        self._api_body(logical_id, props, line)
        draft = self.function(props.get("Target"))
        if draft is not None:
            method, route = split_route_key(text(props.get("RouteKey")) or "$default")
            draft.add(self.binding("apigw-http", line, route=route, method=method))

    def _rest_authorizer(self, logical_id: str, props: LineMap, line: int) -> None:
        kind = (text(props.get("Type")) or "").upper()
        draft = self.function(props.get("AuthorizerUri"))
        if draft is not None and kind in ("TOKEN", "REQUEST"):
            trigger = f"apigw-authorizer-{kind.lower()}"
            draft.add(self.binding(trigger, line, resource=logical_id))

    def _v2_authorizer(self, logical_id: str, props: LineMap, line: int) -> None:
        draft = self.function(props.get("AuthorizerUri"))
        if draft is None:
            return
        api_type, api_id, _ = self.resource_type(props.get("ApiId"))
        if self._api_trigger(api_type, api_id) == "apigw-websocket":
            draft.add(self.binding("apigw-authorizer-request", line, resource=logical_id))
            return
        simple = props.get("EnableSimpleResponses")
        binding = self.binding(
            "apigw-authorizer-http",
            line,
            resource=logical_id,
            payload_version=version(props.get("AuthorizerPayloadFormatVersion")),
            simple_responses=truthy(simple) if simple is not None else False,
        )
        draft.add(binding)

    def _sam_api(self, logical_id: str, props: LineMap, line: int) -> None:
        """A SAM API: its Lambda authorizers (`Auth.Authorizers.<name>.FunctionArn`) and
        the routes of its OpenAPI definition."""
        http_api = dig(self.resources.get(logical_id), "Type") == "AWS::Serverless::HttpApi"
        body = props.get("DefinitionBody", props.get("DefinitionUri"))
        style = ApiStyle(http_api, default_authorizer(props))
        self._definition(body, style)
        authorizers = dig(props, "Auth", "Authorizers")
        for name, config in authorizers.items() if isinstance(authorizers, LineMap) else ():
            draft = self.function(dig(config, "FunctionArn"))
            if draft is None:
                continue
            extra: dict[str, Any] = {}
            if http_api:
                trigger = "apigw-authorizer-http"
                simple = dig(config, "EnableSimpleResponses")
                extra["payload_version"] = version(dig(config, "AuthorizerPayloadFormatVersion"))
                extra["simple_responses"] = truthy(simple) if simple is not None else False
            elif text(dig(config, "FunctionPayloadType")) == "REQUEST":
                trigger = "apigw-authorizer-request"
            else:
                trigger = "apigw-authorizer-token"
            binding = self.binding(
                trigger, authorizers.key_line(name), resource=logical_id, **extra
            )
            draft.add(binding)

    def _api_body(self, logical_id: str, props: LineMap, line: int) -> None:
        """The OpenAPI `Body` of an `AWS::ApiGateway::RestApi` / `AWS::ApiGatewayV2::Api`."""
        http_api = dig(self.resources.get(logical_id), "Type") == "AWS::ApiGatewayV2::Api"
        self._definition(props.get("Body"), ApiStyle(http_api))

    def _definition(self, body: Any, style: ApiStyle) -> None:
        found = definition(body, self.path.parent, self.path) if body is not None else None
        if found is not None:
            document, path = found
            Definition(document, path, self.kind, style, self.function).bind()

    def _user_pool(self, logical_id: str, props: LineMap, line: int) -> None:
        config = props.get("LambdaConfig")
        if not isinstance(config, LineMap):
            return
        for key, value in config.items():
            if isinstance(value, dict) and "LambdaArn" in value:
                value = value["LambdaArn"]
            draft = self.function(value)
            if draft is not None:
                draft.add(
                    self.binding("cognito-user-pool", config.value_line(key), resource=logical_id)
                )

    def _log_subscription(self, logical_id: str, props: LineMap, line: int) -> None:
        draft = self.function(props.get("DestinationArn"))
        if draft is not None:
            resource = text(props.get("LogGroupName"))
            draft.add(self.binding("cloudwatch-logs", line, resource=resource))

    def _target_group(self, logical_id: str, props: LineMap, line: int) -> None:
        if (text(props.get("TargetType")) or "").lower() != "lambda":
            return
        for target, item_line in _items(props.get("Targets")):
            draft = self.function(dig(target, "Id"))
            if draft is not None:
                draft.add(self.binding("alb", item_line or line, resource=logical_id))

    def _iot_rule(self, logical_id: str, props: LineMap, line: int) -> None:
        for action, item_line in _items(dig(props, "TopicRulePayload", "Actions")):
            draft = self.function(dig(action, "Lambda", "FunctionArn"))
            if draft is not None:
                draft.add(self.binding("iot", item_line or line, resource=logical_id))

    def _rotation(self, logical_id: str, props: LineMap, line: int) -> None:
        draft = self.function(props.get("RotationLambdaARN"))
        if draft is not None:
            draft.add(self.binding("secrets-manager", line))

    def _runbook(self, logical_id: str, props: LineMap, line: int) -> None:
        """An Automation runbook whose `aws:invokeLambdaFunction` steps invoke a function
        (`inputs.FunctionName`); its `Content` is a mapping or JSON or YAML text."""
        if text(props.get("DocumentType")) != "Automation":
            return
        for step, step_line in _runbook_steps(props.get("Content")):
            if text(dig(step, "action")) != INVOKE_LAMBDA_ACTION:
                continue
            draft = self.function(dig(step, "inputs", "FunctionName"))
            if draft is not None:
                line_in_template = step_line or props.value_line("Content", line)
                draft.add(self.binding("ssm-automation", line_in_template, resource=logical_id))

    def _custom_resource(self, logical_id: str, props: LineMap, line: int) -> None:
        draft = self.function(props.get("ServiceToken"))
        if draft is not None:
            draft.add(self.binding("cloudformation-custom-resource", line, resource=logical_id))


def _runbook_steps(content: Any) -> list[tuple[Any, int]]:
    """The `mainSteps` of an Automation runbook's content with their template lines; the
    steps of content written as text have none (0)."""
    if isinstance(content, str):
        try:
            content = load_yaml(content)  # JSON text is YAML too
        except DescriptorSyntaxError:
            return []
        return [(step, 0) for step, _ in _items(dig(content, "mainSteps"))]
    return _items(dig(content, "mainSteps"))


def _authorization(value: Any) -> bool | None:
    """Whether an `AuthorizationType` (absent: `NONE`) guards a method or route."""
    if value is None:
        return False
    literal = text(value)
    return None if literal is None else literal.upper() != "NONE"


def default_authorizer(props: Any) -> bool:
    """A SAM API's `Auth.DefaultAuthorizer` guards its routes (any value but `NONE`)."""
    name = text(dig(props, "Auth", "DefaultAuthorizer"))
    return bool(name) and name != "NONE"


def split_route_key(route_key: str) -> tuple[str | None, str | None]:
    """`"GET /items/{id}"` → `("GET", "/items/{id}")`; `$default` and WebSocket keys → Nones."""
    method, _, route = route_key.strip().partition(" ")
    if not route.startswith("/"):
        return None, None
    method = method.upper()
    return ("ANY" if method in ("ANY", "*") else method), route.strip()


def reports_failures(value: Any) -> bool:
    """Whether a `FunctionResponseTypes`-style list holds `ReportBatchItemFailures`."""
    return any(text(item) == "ReportBatchItemFailures" for item, _ in _items(value))
