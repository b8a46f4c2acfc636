"""What code says about a handler's trigger: Powertools decorators, resolvers, parsers
and batch processors, and type annotations (`aws_lambda_typing`, Powertools data
classes and parser models). Names are matched on their last segment, and only when the
module imports them from those libraries."""

from __future__ import annotations

from lambda_lint.index import FunctionSummary, ModuleSummary

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
