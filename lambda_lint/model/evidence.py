"""What code says about a handler's trigger: Powertools decorators, resolvers, parsers
and batch processors, and type annotations (`aws_lambda_typing`, Powertools data
classes and parser models). Names are matched on their last segment, and only when the
module imports them from those libraries.

Chalice apps say more: each function registered on a `Chalice` app or `Blueprint` is
deployed by Chalice, as a Lambda function of its own or as a view of the app's API
function."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from lambda_lint.events.catalogue import catalogue_triggers, shape_for
from lambda_lint.index import FunctionSummary, ModuleSummary
from lambda_lint.model.scope import qualify
from lambda_lint.triggers import TRIGGERS

EVIDENCE_LIBRARIES = ("aws_lambda_typing", "aws_lambda_powertools")

#: type names (aws_lambda_typing.events, Powertools data classes, parser models) -> trigger
TYPE_TRIGGERS: dict[str, str] = {
    # aws_lambda_typing.events
    "APIGatewayProxyEventV1": "apigw-rest",
    "APIGatewayProxyEventV2": "apigw-http",
    "SQSEvent": "sqs",
    "SNSEvent": "sns",
    "S3Event": "s3",
    "DynamoDBStreamEvent": "dynamodb-stream",
    "KinesisStreamEvent": "kinesis",
    "KinesisFirehoseEvent": "firehose",
    "EventBridgeEvent": "eventbridge",
    "CloudWatchEventsMessageEvent": "eventbridge",
    "CloudWatchLogsEvent": "cloudwatch-logs",
    "ALBEvent": "alb",
    "MSKEvent": "kafka",
    "KafkaEvent": "kafka",
    "CloudFormationCustomResourceEvent": "cloudformation-custom-resource",
    "AppSyncResolverEvent": "appsync",
    "CodePipelineEvent": "codepipeline",
    "CodePipelineJobEvent": "codepipeline",
    "SESEvent": "ses",
    "SecretsManagerRotationEvent": "secrets-manager",
    "SecretsManagerEvent": "secrets-manager",
    "ConfigEvent": "config-rule",
    "AWSConfigRuleEvent": "config-rule",
    "LambdaFunctionUrlEvent": "function-url",
    "BedrockAgentEvent": "bedrock-agent",
    "ActiveMQEvent": "mq",
    "RabbitMQEvent": "mq",
    "APIGatewayAuthorizerTokenEvent": "apigw-authorizer-token",
    "APIGatewayAuthorizerRequestEvent": "apigw-authorizer-request",
    "APIGatewayAuthorizerEventV2": "apigw-authorizer-http",
    "APIGatewayWebSocketEvent": "apigw-websocket",
    "S3BatchOperationEvent": "s3-batch",
    "S3ObjectLambdaEvent": "s3-object-lambda",
    "VPCLatticeEvent": "vpc-lattice",
    "VPCLatticeEventV2": "vpc-lattice",
    # Powertools data classes (utilities.data_classes)
    "APIGatewayProxyEvent": "apigw-rest",
    "PreSignUpTriggerEvent": "cognito-user-pool",
    "PostConfirmationTriggerEvent": "cognito-user-pool",
    "PreAuthenticationTriggerEvent": "cognito-user-pool",
    "PostAuthenticationTriggerEvent": "cognito-user-pool",
    "PreTokenGenerationTriggerEvent": "cognito-user-pool",
    "PreTokenGenerationV2TriggerEvent": "cognito-user-pool",
    "CustomMessageTriggerEvent": "cognito-user-pool",
    "UserMigrationTriggerEvent": "cognito-user-pool",
    "DefineAuthChallengeTriggerEvent": "cognito-user-pool",
    "CreateAuthChallengeTriggerEvent": "cognito-user-pool",
    "VerifyAuthChallengeResponseTriggerEvent": "cognito-user-pool",
    # Powertools parser models
    "APIGatewayProxyEventModel": "apigw-rest",
    "APIGatewayProxyEventV2Model": "apigw-http",
    "SqsModel": "sqs",
    "SnsModel": "sns",
    "S3Model": "s3",
    "S3EventNotificationEventBridgeModel": "eventbridge",
    "DynamoDBStreamModel": "dynamodb-stream",
    "KinesisDataStreamModel": "kinesis",
    "KinesisFirehoseModel": "firehose",
    "EventBridgeModel": "eventbridge",
    "CloudWatchLogsModel": "cloudwatch-logs",
    "AlbModel": "alb",
    "LambdaFunctionUrlModel": "function-url",
    "KafkaMskEventModel": "kafka",
    "KafkaSelfManagedEventModel": "kafka",
    "SesModel": "ses",
    "CloudFormationCustomResourceCreateModel": "cloudformation-custom-resource",
    "CloudFormationCustomResourceUpdateModel": "cloudformation-custom-resource",
    "CloudFormationCustomResourceDeleteModel": "cloudformation-custom-resource",
    "BedrockAgentEventModel": "bedrock-agent",
}

#: Powertools event handler resolvers -> trigger
RESOLVER_TRIGGERS = {
    "APIGatewayRestResolver": "apigw-rest",
    "ApiGatewayResolver": "apigw-rest",
    "APIGatewayHttpResolver": "apigw-http",
    "ALBResolver": "alb",
    "LambdaFunctionUrlResolver": "function-url",
    "AppSyncResolver": "appsync",
    "BedrockAgentResolver": "bedrock-agent",
    "VPCLatticeResolver": "vpc-lattice",
    "VPCLatticeV2Resolver": "vpc-lattice",
}

#: `EventType.X` of Powertools batch processing -> trigger
BATCH_EVENT_TYPES = {
    "EventType.SQS": "sqs",
    "EventType.KinesisDataStreams": "kinesis",
    "EventType.DynamoDBStreams": "dynamodb-stream",
}

#: decorators that take the event type as `data_class=` / `model=` (matched by name)
TYPED_DECORATORS = ("event_source", "event_parser")


def _imports_evidence_library(module: ModuleSummary) -> bool:
    return any(i.module.split(".")[0] in EVIDENCE_LIBRARIES for i in module.imports)


def _last(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def custom_resource_library(
    module: ModuleSummary, function: FunctionSummary, through: int = 1
) -> str | None:
    """How the handler answers CloudFormation, when it does so through a library made
    for custom resources (not a trigger: the handler may take other events too, and
    dispatch only some to the library): `cfnresponse.send(event, context, ...)` (the module AWS gives
    inline `ZipFile` code, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-lambda-function-code-cfnresponsemodule.html)
    or a crhelper `CfnResource` called with the event
    (https://github.com/aws-cloudformation/custom-resource-helper). Also when it hands
    the whole event to a function of its module that does so (`orchestrator(event,
    context)`), `through` such calls deep."""
    modules = {i.alias: i.module for i in module.imports if i.name is None}
    for call in function.calls:
        receiver, _, method = call.target.rpartition(".")
        if method == "send" and modules.get(receiver) == "cfnresponse":
            return "cfnresponse.send"
        if _is_crhelper(module, call.target):
            return "crhelper CfnResource"
        callee = module.functions.get(call.target)
        if through and callee is not None and any((0, ()) in group for group in call.args):
            found = custom_resource_library(module, callee, through - 1)
            if found is not None:
                return f"{found} in {call.target}"
    return None


#: crhelper's decorators that register a function for one kind of stack request
CRHELPER_DECORATORS = frozenset(
    {"create", "update", "delete", "poll_create", "poll_update", "poll_delete"}
)


def _is_crhelper(module: ModuleSummary, name: str) -> bool:
    """Whether a module-level name holds a crhelper `CfnResource()`."""
    instance = module.instances.get(name)
    return instance is not None and qualify(module, instance.constructor) == "crhelper.CfnResource"


def answers_stack_requests(module: ModuleSummary, function: FunctionSummary) -> bool:
    """Whether the function is registered with crhelper for a kind of CloudFormation
    request (`@helper.create`, `@helper.delete`, ... on a `CfnResource()`): it runs
    only when a stack is created, updated or deleted, whoever calls it."""
    for decorator in function.decorators:
        receiver, _, method = decorator.rpartition(".")
        if method in CRHELPER_DECORATORS and _is_crhelper(module, receiver):
            return True
    return False


def code_triggers(module: ModuleSummary, function: FunctionSummary) -> list[tuple[str, str]]:
    """(trigger, why) pairs the handler's own code gives, strongest first."""
    if not _imports_evidence_library(module):
        return []
    found: list[tuple[str, str]] = []
    for name in function.decorators:
        if _last(name) in TYPED_DECORATORS:
            for argument in dict(function.decorator_args).get(name, ()):
                trigger = TYPE_TRIGGERS.get(_last(argument))
                if trigger:
                    found.append((trigger, f"@{_last(name)}({_last(argument)})"))
    for call in function.calls:
        # `app.resolve(event, context)` on a module-level resolver instance
        receiver, _, method = call.target.rpartition(".")
        instance = module.instances.get(receiver)
        if instance and method == "resolve":
            trigger = RESOLVER_TRIGGERS.get(_last(instance.constructor))
            if trigger:
                found.append((trigger, f"{_last(instance.constructor)}.resolve"))
        if _last(call.target) in ("process_partial_response", "batch_processor"):
            for instance in module.instances.values():
                for argument in instance.args:
                    if argument in BATCH_EVENT_TYPES:
                        found.append((BATCH_EVENT_TYPES[argument], f"BatchProcessor({argument})"))
        if _last(call.target) == "parse":
            for argument in call.names:
                trigger = TYPE_TRIGGERS.get(_last(argument))
                if trigger:
                    found.append((trigger, f"parse(model={_last(argument)})"))
    params = [p for p in function.params if p.kind in ("posonly", "positional")]
    if params and params[0].annotation:
        trigger = TYPE_TRIGGERS.get(_last(params[0].annotation))
        if trigger:
            found.append((trigger, f"annotated {_last(params[0].annotation)}"))
    return found


# -- event-key signatures ---------------------------------------------------------------


@lru_cache(maxsize=1)
def _event_keys() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Per trigger of the event catalogue, the keys at the top of its event, and those
    of them no other trigger's event has."""
    tops: dict[str, frozenset[str]] = {}
    for trigger in catalogue_triggers():
        shape = shape_for(trigger)
        if shape is not None:
            tops[trigger] = frozenset(shape.keys_at(()))
    found = {}
    for trigger, own in tops.items():
        others = frozenset().union(*(keys for t, keys in tops.items() if t != trigger))
        found[trigger] = (own, own - others)
    return found


@lru_cache(maxsize=1)
def rare_event_keys() -> frozenset[str]:
    """The top-level event keys that only the events of rarely invoked triggers have
    (`RequestType` of a custom resource, `SecretId` of a secret rotation): code that
    reads one on the event only runs for such an event."""
    return frozenset().union(
        *(
            unique
            for trigger, (_, unique) in _event_keys().items()
            if TRIGGERS[trigger].rarely_invoked
        )
    )


def rare_trigger_read(keys: set[str]) -> str | None:
    """The rarely invoked trigger at least two of whose own event keys (no other
    trigger's event has them) are among `keys`: `RequestType` and `PhysicalResourceId`
    single out a custom resource request."""
    for trigger, (_, unique) in _event_keys().items():
        if TRIGGERS[trigger].rarely_invoked and len(keys & unique) >= 2:
            return trigger
    return None


def _read_keys(function: FunctionSummary, index: int) -> set[str]:
    """The top-level keys of parameter `index` whose values the function passes to a
    call or returns (`create_secret(event["SecretId"], event["ClientRequestToken"])`)."""
    paths = [*function.returns]
    for call in function.calls:
        paths.extend(p for group in call.args for p in group)
        paths.extend(p for _, group in call.kwargs for p in group)
    return {path[0] for param, path in paths if param == index and path}


def signature_trigger(function: FunctionSummary, index: int) -> str | None:
    """The trigger whose event the function's parameter `index` must be, by the keys it
    reads: at least two top-level keys that no other trigger's event has (per the event
    catalogue), or the one key such an event consists of (`CodePipeline.job`), and none
    that this trigger's event lacks. None when the keys do not single out one trigger."""
    read = _read_keys(function, index)
    for trigger, (own, unique) in _event_keys().items():
        matched = read & unique
        if read <= own and (len(matched) >= 2 or (matched and matched == own)):
            return trigger
    return None


# -- Chalice ------------------------------------------------------------------------------

#: the Chalice classes whose instances register handlers
CHALICE_APPS = ("Chalice", "Blueprint")

#: Chalice's registering decorators -> (the trigger, whether Chalice passes Lambda's own
#: event and context through). Chalice deploys `app.app` as the REST API's function (proxy
#: integration, payload 1.0) and calls a `route` view with the URL's parameters; a
#: built-in `authorizer` is a TOKEN authorizer called with an `AuthRequest`; every event
#: source gets a function of its own, called with a Chalice event object (`SQSEvent`,
#: `S3Event`, `CloudWatchEvent`, ...: `event.to_dict()` is the raw event); only a
#: `lambda_function` is called as `(event, context)`.
#: (https://aws.github.io/chalice/api.html, https://aws.github.io/chalice/topics/events.html,
#: https://aws.github.io/chalice/topics/purelambda.html)
CHALICE_DECORATORS: dict[str, tuple[str | None, bool]] = {
    "route": ("apigw-rest", False),
    "authorizer": ("apigw-authorizer-token", False),
    "lambda_function": (None, True),
    "on_s3_event": ("s3", False),
    "on_sns_message": ("sns", False),
    "on_sqs_message": ("sqs", False),
    "on_cw_event": ("eventbridge", False),
    "schedule": ("schedule", False),
    "on_kinesis_record": ("kinesis", False),
    "on_dynamodb_record": ("dynamodb-stream", False),
    "on_ws_connect": ("apigw-websocket", False),
    "on_ws_message": ("apigw-websocket", False),
    "on_ws_disconnect": ("apigw-websocket", False),
}


@dataclass(frozen=True)
class ChaliceRegistration:
    """A function a Chalice decorator registers."""

    #: the decorator as written (`app.on_sqs_message`)
    decorator: str
    trigger: str | None
    #: Chalice calls the function as `(event, context)` with Lambda's own values
    raw: bool

    @property
    def why(self) -> str:
        kind = "view" if self.decorator.endswith(".route") else "function"
        return f"@{self.decorator}, a Chalice {kind}"


def chalice_registration(module: ModuleSummary, decorator: str) -> ChaliceRegistration | None:
    """What `@decorator` registers, when it is a method of a module-level `Chalice` app or
    `Blueprint` of a module that imports Chalice."""
    receiver, _, method = decorator.rpartition(".")
    instance = module.instances.get(receiver)
    if method not in CHALICE_DECORATORS or instance is None:
        return None
    if _last(instance.constructor) not in CHALICE_APPS or not _imports_chalice(module):
        return None
    trigger, raw = CHALICE_DECORATORS[method]
    return ChaliceRegistration(decorator, trigger, raw)


def has_chalice_app(module: ModuleSummary) -> bool:
    """Whether a module imports Chalice and holds a module-level `Chalice` app or
    `Blueprint`: in no other module does `chalice_registration` find anything."""
    apps = any(_last(i.constructor) in CHALICE_APPS for i in module.instances.values())
    return apps and _imports_chalice(module)


def _imports_chalice(module: ModuleSummary) -> bool:
    return any(i.module.split(".")[0] == "chalice" for i in module.imports)


def chalice_function(
    module: ModuleSummary, function: FunctionSummary
) -> ChaliceRegistration | None:
    """The Chalice registration of a module-level function, if a decorator makes one."""
    if not function.top_level or function.class_name:
        return None
    for decorator in function.decorators:
        found = chalice_registration(module, decorator)
        if found is not None:
            return found
    return None
