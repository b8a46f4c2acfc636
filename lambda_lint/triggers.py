"""The event sources a handler can be wired to, by the ids lambda-lint uses everywhere.

The ids are lower-case and stable: they appear in `lambda-lint handlers` output, in the
`handlers` config key and in the event catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Trigger:
    id: str
    title: str
    #: the event carries several records and one failure fails them all
    batch: bool = False
    #: an HTTP front door whose handler must return a proxy response
    http: str | None = None  # "v1" (REST, ALB) or "v2" (HTTP API, Function URL)
    #: invoked asynchronously: a returned error counts as success
    asynchronous: bool = False
    #: the event source mapping can report partial batch failures (`batchItemFailures`
    #: with `ReportBatchItemFailures`): SQS, Kinesis and DynamoDB Streams.
    #: https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html,
    #: https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html,
    #: https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
    partial_batch_response: bool = False
    #: the rule's target may replace the event with its own `Input`, `InputPath` or
    #: `InputTransformer`, so the event need not have the trigger's shape at all.
    #: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
    replaceable_input: bool = False
    #: invoked so seldom that an execution environment is almost never reused: once per
    #: stack operation, secret rotation, pipeline run or runbook execution. Costs and
    #: leftovers that build up across the invocations of one warm environment do not
    #: arise there.
    rarely_invoked: bool = False


TRIGGERS: dict[str, Trigger] = {
    t.id: t
    for t in (
        Trigger("apigw-rest", "API Gateway REST API (payload 1.0)", http="v1"),
        Trigger("apigw-http", "API Gateway HTTP API (payload 2.0)", http="v2"),
        Trigger("apigw-websocket", "API Gateway WebSocket API"),
        Trigger("apigw-authorizer-token", "API Gateway token authorizer"),
        Trigger("apigw-authorizer-request", "API Gateway request authorizer (REST)"),
        Trigger("apigw-authorizer-http", "API Gateway Lambda authorizer (HTTP API)"),
        Trigger("function-url", "Lambda function URL", http="v2"),
        Trigger("alb", "Application Load Balancer", http="v1"),
        Trigger("sqs", "Amazon SQS", batch=True, partial_batch_response=True),
        Trigger("sns", "Amazon SNS", asynchronous=True),
        Trigger("s3", "Amazon S3 event notification", asynchronous=True),
        Trigger("s3-eventbridge", "Amazon S3 event delivered by EventBridge", asynchronous=True),
        Trigger("s3-batch", "S3 Batch Operations"),
        Trigger("s3-object-lambda", "S3 Object Lambda"),
        Trigger("dynamodb-stream", "DynamoDB Streams", batch=True, partial_batch_response=True),
        Trigger("kinesis", "Kinesis Data Streams", batch=True, partial_batch_response=True),
        Trigger("firehose", "Amazon Data Firehose transformation", batch=True),
        Trigger(
            "eventbridge", "Amazon EventBridge rule", asynchronous=True, replaceable_input=True
        ),
        Trigger(
            "schedule",
            "Scheduled event (EventBridge rule or Scheduler)",
            asynchronous=True,
            replaceable_input=True,
        ),
        Trigger("cloudwatch-logs", "CloudWatch Logs subscription", asynchronous=True),
        Trigger("kafka", "Amazon MSK or self-managed Kafka", batch=True),
        Trigger("mq", "Amazon MQ", batch=True),
        Trigger("documentdb", "Amazon DocumentDB change stream", batch=True),
        Trigger("cognito-user-pool", "Amazon Cognito user pool trigger"),
        # invoked when the stack creates, updates or deletes the resource
        # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-custom-resources.html
        Trigger(
            "cloudformation-custom-resource", "CloudFormation custom resource", rarely_invoked=True
        ),
        Trigger("appsync", "AWS AppSync resolver"),
        Trigger("iot", "AWS IoT rule", asynchronous=True),
        Trigger("config-rule", "AWS Config rule", asynchronous=True),
        # invoked once per pipeline execution that reaches the action
        # https://docs.aws.amazon.com/codepipeline/latest/userguide/actions-invoke-lambda-function.html
        Trigger("codepipeline", "AWS CodePipeline job", rarely_invoked=True),
        # invoked once per runbook execution that reaches the step; the payload is what
        # the step's `InputPayload` or `Payload` holds, so it has no shape of its own
        # https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-lamb.html
        Trigger("ssm-automation", "Systems Manager Automation runbook step", rarely_invoked=True),
        Trigger("ses", "Amazon SES receipt rule"),
        # invoked four times per rotation (createSecret, setSecret, testSecret,
        # finishSecret); rotation runs at most every four hours
        # https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html
        # https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html
        Trigger("secrets-manager", "Secrets Manager rotation", rarely_invoked=True),
        Trigger("lex", "Amazon Lex V1"),
        Trigger("lex-v2", "Amazon Lex V2"),
        Trigger("bedrock-agent", "Amazon Bedrock agent action group"),
        Trigger("step-functions", "AWS Step Functions task (payload is the state input)"),
        Trigger("alexa", "Alexa Skills Kit"),
        Trigger("cloudfront", "CloudFront Lambda@Edge"),
        Trigger("vpc-lattice", "VPC Lattice"),
    )
}


def is_known(trigger_id: str) -> bool:
    return trigger_id in TRIGGERS
