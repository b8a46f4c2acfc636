"""Plain CloudFormation (YAML and JSON): functions and the resources that trigger them."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambda_lint.descriptors import DeclaredFunction, read_descriptor

DATA = Path(__file__).parent / "data" / "descriptors" / "cloudformation"
STACK = DATA / "billing-stack.yaml"
JSON_STACK = DATA / "exports.template.json"


def line_with(path: Path, needle: str, after: str = "") -> int:
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and needle in line) + 1


def read(path: Path) -> dict[str, DeclaredFunction]:
    result = read_descriptor(path, path.read_text())
    assert result.problems == []
    return {function.name: function for function in result.functions}


@pytest.fixture(scope="module")
def stack() -> dict[str, DeclaredFunction]:
    return read(STACK)


def summary(function: DeclaredFunction) -> list[tuple]:
    return [
        (t.trigger, t.route, t.method, t.resource, t.report_batch_item_failures)
        for t in function.triggers
    ]


def test_lambda_function_properties(stack: dict[str, DeclaredFunction]) -> None:
    invoices = stack["InvoiceFunction"]
    assert invoices.handler == "invoices.handler"
    assert invoices.source.kind == "cloudformation"
    assert invoices.source.line == line_with(STACK, "Handler: invoices.handler")
    assert invoices.code_root == DATA / "src" / "invoices"
    assert (invoices.timeout, invoices.snapstart) == (45, True)
    assert stack["PaymentsFunction"].code_root is None  # S3Bucket/S3Key


def test_event_source_mappings_by_referenced_resource_type(
    stack: dict[str, DeclaredFunction],
) -> None:
    assert summary(stack["InvoiceFunction"]) == [
        ("sqs", None, None, "InvoiceQueue", True),  # through the alias
        ("sqs", None, None, "arn:aws:sqs:eu-west-1:123456789012:imported", False),  # by name
    ]
    assert summary(stack["PaymentsFunction"]) == [
        ("kinesis", None, None, "PaymentsStream", False),
        ("dynamodb-stream", None, None, "LedgerTable", False),
    ]
    mapping_line = line_with(STACK, "InvoiceMapping:")
    assert stack["InvoiceFunction"].triggers[0].source.line == mapping_line


def test_bucket_notification_wins_over_its_permission(stack: dict[str, DeclaredFunction]) -> None:
    receipts = stack["ReceiptsFunction"]
    assert summary(receipts) == [("s3", None, None, "ReceiptsBucket", False)]
    assert receipts.triggers[0].source.line == line_with(STACK, "- Event: s3:ObjectCreated:*")
    assert receipts.inline_code is not None and "def handler" in receipts.inline_code
    assert receipts.code_root is None


def test_topics_rules_and_permissions(stack: dict[str, DeclaredFunction]) -> None:
    assert summary(stack["NotifyFunction"]) == [
        ("sns", None, None, "NotifyTopic", False),
        ("sns", None, None, "AuditTopic", False),
        ("schedule", None, None, "NightlyRule", False),
        ("eventbridge", None, None, "PaidRule", False),
        ("cloudwatch-logs", None, None, None, False),  # only a logs.amazonaws.com permission
    ]


def test_api_gateway_routes_from_resources_and_v2_routes(
    stack: dict[str, DeclaredFunction],
) -> None:
    assert summary(stack["ApiFunction"]) == [
        ("apigw-rest", "/invoices/{invoiceId}", "GET", None, False),
        ("apigw-rest", "/", "POST", None, False),
        ("apigw-http", "/v2/invoices/{invoiceId}", "GET", None, False),
        ("function-url", None, None, None, False),
    ]
    rest, custom, http, _ = stack["ApiFunction"].triggers
    assert http.source.line == line_with(STACK, "HttpRoute:")
    # an `AWS` (non-proxy) integration gets what its mapping template makes
    assert (rest.proxy, custom.proxy, http.proxy) == (True, False, True)
    assert (rest.authorizer, custom.authorizer, http.authorizer) == (False, False, False)
    assert http.payload_version == "2.0"


def test_custom_resource_and_cognito(stack: dict[str, DeclaredFunction]) -> None:
    assert summary(stack["SeedFunction"]) == [
        ("cloudformation-custom-resource", None, None, "SeedData", False)
    ]
    assert summary(stack["PreSignUpFunction"]) == [
        ("cognito-user-pool", None, None, "CustomersPool", False)
    ]
    assert stack["PreSignUpFunction"].triggers[0].source.line == line_with(
        STACK, "PreSignUp: !GetAtt"
    )


def test_other_runtimes_are_reported_with_their_runtime(
    stack: dict[str, DeclaredFunction],
) -> None:
    assert stack["NodeFunction"].runtime == "nodejs20.x"


def test_json_template_lines_and_long_form_intrinsics() -> None:
    functions = read(JSON_STACK)
    exporter = functions["ExportFunction"]
    assert exporter.handler == "exporter.run"
    assert exporter.source.line == line_with(JSON_STACK, '"Handler": "exporter.run"')
    assert exporter.code_root == DATA / "lambda"
    assert exporter.timeout == 120
    assert summary(exporter) == [("sqs", None, None, "ExportQueue", True)]
    assert exporter.triggers[0].source.line == line_with(JSON_STACK, '"ExportMapping"')
    parametrised = functions["ParamFunction"]
    assert parametrised.handler is None  # Fn::Join with a Ref
    assert parametrised.source.line == line_with(JSON_STACK, '"Handler": {"Fn::Join"')


def test_malformed_json_is_one_problem(tmp_path: Path) -> None:
    template = tmp_path / "template.json"
    template.write_text(
        '{\n  "Resources": {\n    "Fn": {\n      "Type": "AWS::Lambda::Function",\n    }\n  }\n}\n'
    )
    result = read_descriptor(template, template.read_text())
    assert result.functions == []
    (problem,) = result.problems
    assert (problem.file, problem.line) == (template, 5)
    assert "JSON" in problem.message


def test_events_rule_targets_get_the_pattern_detail_types() -> None:
    stack = read(DATA / "events-stack.yaml")
    assert [
        (t.trigger, t.resource, t.detail_types) for t in stack["HousekeepingFunction"].triggers
    ] == [
        ("eventbridge", "InstanceStateRule", ("EC2 Instance State-change Notification",)),
        ("eventbridge", "BackupRule", ("Backup Job State Change", "Copy Job State Change")),
        ("schedule", "CleanupRule", ()),
    ]


def test_events_rule_without_detail_type_has_none(stack: dict[str, DeclaredFunction]) -> None:
    (paid,) = [t for t in stack["NotifyFunction"].triggers if t.resource == "PaidRule"]
    assert (paid.trigger, paid.detail_types) == ("eventbridge", ())


def test_event_source_mapping_batch_size(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties: {Handler: index.handler, Code: {ZipFile: 'x = 1'}}\n"
        "  Queue:\n"
        "    Type: AWS::SQS::Queue\n"
        "  Table:\n"
        "    Type: AWS::DynamoDB::Table\n"
        "  FromQueue:\n"
        "    Type: AWS::Lambda::EventSourceMapping\n"
        "    Properties:\n"
        "      FunctionName: !Ref Fn\n"
        "      EventSourceArn: !GetAtt Queue.Arn\n"
        "      BatchSize: 5\n"
        "  FromTable:\n"
        "    Type: AWS::Lambda::EventSourceMapping\n"
        "    Properties:\n"
        "      FunctionName: !Ref Fn\n"
        "      EventSourceArn: !GetAtt Table.StreamArn\n"
        "      BatchSize: !Ref Size\n"
    )
    (function,) = read(template).values()
    assert [(t.trigger, t.resource, t.batch_size) for t in function.triggers] == [
        ("sqs", "Queue", 5),
        ("dynamodb-stream", "Table", None),
    ]


def test_event_source_mapping_batch_size_in_json(tmp_path: Path) -> None:
    template = tmp_path / "template.json"
    template.write_text(
        '{"Resources": {\n'
        '  "Fn": {"Type": "AWS::Lambda::Function",\n'
        '         "Properties": {"Handler": "index.handler", "Code": {"ZipFile": "x"}}},\n'
        '  "Map": {"Type": "AWS::Lambda::EventSourceMapping",\n'
        '          "Properties": {"FunctionName": {"Ref": "Fn"}, "BatchSize": 10,\n'
        '            "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:orders"}}\n'
        "}}\n"
    )
    (function,) = read(template).values()
    assert [(t.trigger, t.batch_size) for t in function.triggers] == [("sqs", 10)]


def test_bedrock_binds_only_an_agent_action_group(tmp_path: Path) -> None:
    """`bedrock.amazonaws.com` invokes for agents, AgentCore gateways and flows alike: a
    permission for it alone says nothing; an agent's action group executor (or a
    permission whose source is an agent) does."""
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n"
        "  Tool:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties: {Handler: tool.handler, Code: {ZipFile: 'x = 1'}}\n"
        "  Gateway:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties: {Handler: gateway.handler, Code: {ZipFile: 'x = 1'}}\n"
        "  Permitted:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties: {Handler: permitted.handler, Code: {ZipFile: 'x = 1'}}\n"
        "  Agent:\n"
        "    Type: AWS::Bedrock::Agent\n"
        "    Properties:\n"
        "      AgentName: orders\n"
        "      ActionGroups:\n"
        "        - ActionGroupName: lookup\n"
        "          ActionGroupExecutor: {Lambda: !GetAtt Tool.Arn}\n"
        "  GatewayPermission:\n"
        "    Type: AWS::Lambda::Permission\n"
        "    Properties:\n"
        "      FunctionName: !Ref Gateway\n"
        "      Action: lambda:InvokeFunction\n"
        "      Principal: bedrock.amazonaws.com\n"
        "  AgentPermission:\n"
        "    Type: AWS::Lambda::Permission\n"
        "    Properties:\n"
        "      FunctionName: !Ref Permitted\n"
        "      Action: lambda:InvokeFunction\n"
        "      Principal: bedrock.amazonaws.com\n"
        "      SourceArn: !GetAtt Agent.AgentArn\n"
    )
    functions = read(template)
    assert [(t.trigger, t.resource) for t in functions["Tool"].triggers] == [
        ("bedrock-agent", "Agent")
    ]
    assert functions["Gateway"].triggers == ()
    assert [t.trigger for t in functions["Permitted"].triggers] == ["bedrock-agent"]


@pytest.mark.parametrize(("prefix", "unencoded"), [("inbox/", True), ("'my inbox/'", False)])
def test_a_bucket_ses_stores_mail_in_has_unencoded_keys(
    tmp_path: Path, prefix: str, unencoded: bool
) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n"
        "  Fn:\n    Type: AWS::Lambda::Function\n"
        "    Properties: {Handler: mail.handler, Code: {ZipFile: 'x = 1'}}\n"
        "  Mail:\n    Type: AWS::S3::Bucket\n    Properties:\n"
        "      NotificationConfiguration:\n        LambdaConfigurations:\n"
        "          - {Event: 's3:ObjectCreated:*', Function: !GetAtt Fn.Arn}\n"
        "  Receive:\n    Type: AWS::SES::ReceiptRule\n    Properties:\n"
        "      Rule:\n        Actions:\n"
        f"          - S3Action: {{BucketName: !Ref Mail, ObjectKeyPrefix: {prefix}}}\n"
    )
    (function,) = read(template).values()
    assert [(t.trigger, t.unencoded_keys) for t in function.triggers] == [("s3", unencoded)]


def test_custom_config_rules_give_their_trigger_and_frequency(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties: {Handler: index.handler, Code: {ZipFile: 'x = 1'}}\n"
        "  Invoke:\n"
        "    Type: AWS::Lambda::Permission\n"
        "    Properties: {FunctionName: !Ref Fn, Principal: config.amazonaws.com}\n"
        "  Hourly:\n"
        "    Type: AWS::Config::ConfigRule\n"
        "    Properties:\n"
        "      Source:\n"
        "        Owner: CUSTOM_LAMBDA\n"
        "        SourceIdentifier: !GetAtt Fn.Arn\n"
        "        SourceDetails:\n"
        "          - {MessageType: ScheduledNotification, MaximumExecutionFrequency: One_Hour}\n"
        "  Daily:\n"
        "    Type: AWS::Config::ConfigRule\n"
        "    Properties:\n"
        "      Source:\n"
        "        Owner: CUSTOM_LAMBDA\n"
        "        SourceIdentifier: !GetAtt Fn.Arn\n"
        "        SourceDetails: [{MessageType: ScheduledNotification}]\n"
        "  OnChange:\n"
        "    Type: AWS::Config::ConfigRule\n"
        "    Properties:\n"
        "      Source:\n"
        "        Owner: CUSTOM_LAMBDA\n"
        "        SourceIdentifier: !GetAtt Fn.Arn\n"
        "        SourceDetails: [{MessageType: ConfigurationItemChangeNotification}]\n"
        "  Managed:\n"
        "    Type: AWS::Config::ConfigRule\n"
        "    Properties:\n"
        "      Source: {Owner: AWS, SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED}\n"
    )
    (function,) = read(template).values()
    assert [(t.trigger, t.resource, t.schedule) for t in function.triggers] == [
        ("config-rule", "Hourly", "rate(1 hour)"),
        ("config-rule", "Daily", "rate(24 hours)"),
        ("config-rule", "OnChange", None),
    ]


@pytest.mark.parametrize(
    "expression",
    ['!Sub "cron(${Schedule})"', "!Ref Expression", "!Sub 'rate(${Hours} hours)'"],
)
def test_schedule_expressions_read_with_parameter_defaults(tmp_path: Path, expression: str) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Parameters:\n"
        "  Schedule: {Type: String, Default: '0 0/6 * * ? *'}\n"
        "  Expression: {Type: String, Default: 'cron(0 0/6 * * ? *)'}\n"
        "  Hours: {Type: Number, Default: 6}\n"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties: {Handler: index.handler, Code: {ZipFile: 'x = 1'}}\n"
        "  Every6Hours:\n"
        "    Type: AWS::Scheduler::Schedule\n"
        "    Properties:\n"
        f"      ScheduleExpression: {expression}\n"
        "      Target: {Arn: !GetAtt Fn.Arn}\n"
    )
    (function,) = read(template).values()
    (binding,) = function.triggers
    expected = "rate(6 hours)" if "Hours" in expression else "cron(0 0/6 * * ? *)"
    assert (binding.trigger, binding.schedule) == ("schedule", expected)


def test_schedule_from_a_parameter_without_default_is_unknown(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Parameters:\n"
        "  Schedule: {Type: String}\n"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties: {Handler: index.handler, Code: {ZipFile: 'x = 1'}}\n"
        "  Rule:\n"
        "    Type: AWS::Events::Rule\n"
        "    Properties:\n"
        "      ScheduleExpression: !Sub 'cron(${Schedule})'\n"
        "      Targets: [{Id: fn, Arn: !GetAtt Fn.Arn}]\n"
    )
    (function,) = read(template).values()
    assert [(t.trigger, t.schedule) for t in function.triggers] == [("schedule", None)]


RUNBOOKS = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties: {FunctionName: seed-table, Handler: index.handler, Code: {ZipFile: 'x = 1'}}
  ByRef:
    Type: AWS::SSM::Document
    Properties:
      DocumentType: Automation
      Content:
        mainSteps:
          - name: wait
            action: aws:sleep
            inputs: {Duration: PT1M}
          - name: seed
            action: aws:invokeLambdaFunction
            inputs: {FunctionName: !Ref Fn}
          - name: again
            action: 'aws:invokeLambdaFunction'
            inputs: {FunctionName: !GetAtt Fn.Arn, Payload: '{"table": "t"}'}
  BySub:
    Type: AWS::SSM::Document
    Properties:
      DocumentType: Automation
      Content:
        mainSteps:
          - {name: seed, action: aws:invokeLambdaFunction, inputs: {FunctionName: !Sub '${Fn}'}}
  AsText:
    Type: AWS::SSM::Document
    Properties:
      DocumentType: Automation
      DocumentFormat: JSON
      Content: '{"mainSteps": [{"name": "seed", "action": "aws:invokeLambdaFunction",
        "inputs": {"FunctionName": "seed-table"}}]}'
  NotText:
    Type: AWS::SSM::Document
    Properties: {DocumentType: Automation, Content: '{"mainSteps": ['}
  Command:
    Type: AWS::SSM::Document
    Properties:
      DocumentType: Command
      Content:
        mainSteps:
          - {name: seed, action: aws:invokeLambdaFunction, inputs: {FunctionName: !Ref Fn}}
"""


def test_automation_runbook_steps_invoke_the_function(tmp_path: Path) -> None:
    # only `aws:invokeLambdaFunction` steps of Automation documents invoke it; a Command
    # document cannot hold the action, and unreadable text content binds nothing
    template = tmp_path / "template.yaml"
    template.write_text(RUNBOOKS)
    (function,) = read(template).values()
    assert [(t.trigger, t.resource, t.source.line) for t in function.triggers] == [
        ("ssm-automation", "ByRef", line_with(template, "- name: seed")),
        ("ssm-automation", "ByRef", line_with(template, "- name: again")),
        ("ssm-automation", "BySub", line_with(template, "- {name: seed")),
        ("ssm-automation", "AsText", line_with(template, "Content:", after="AsText:")),
    ]
