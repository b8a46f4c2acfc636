"""Schedule expressions: read from every descriptor kind, judged rare or not, and the
reuse rules' silence on functions a schedule fires at most once an hour."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lambda_lint.descriptors import read_descriptor, read_terraform_dir
from lambda_lint.rule import Example
from lambda_lint.rules.reuse_clients import ClientPerInvocation
from lambda_lint.schedules import fires_rarely
from lambda_lint.testing import lint_example


@pytest.mark.parametrize(
    ("expression", "rare"),
    [
        ("rate(1 day)", True),
        ("rate(7 days)", True),
        ("rate(1 hour)", True),
        ("rate(60 minutes)", True),
        ("rate(59 minutes)", False),
        ("rate(5 minutes)", False),
        ("cron(0 3 * * ? *)", True),
        ("cron(15 */2 * * ? *)", True),
        ("cron(0/5 * * * ? *)", False),
        ("cron(* 8-17 ? * MON-FRI *)", False),
        ("cron(0,30 * * * ? *)", False),
        ("at(2026-11-20T13:00:00)", True),
        ("rate(soon)", False),
        ("${self:custom.schedule}", False),
        (None, False),
    ],
)
def test_fires_rarely(expression: str | None, rare: bool) -> None:
    assert fires_rarely(expression) is rare


def test_every_descriptor_kind_reads_the_expression(tmp_path: Path) -> None:
    sam = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Nightly:
        Type: AWS::Serverless::Function
        Properties:
          Handler: app.handler
          Events:
            Daily:
              Type: Schedule
              Properties:
                Schedule: rate(1 day)
      Rule:
        Type: AWS::Events::Rule
        Properties:
          ScheduleExpression: cron(0 3 * * ? *)
          Targets:
            - Arn: !GetAtt Nightly.Arn
              Id: nightly
    """
    (function,) = read_descriptor(tmp_path / "template.yaml", textwrap.dedent(sam)).functions
    assert [(t.trigger, t.schedule) for t in function.triggers] == [
        ("schedule", "rate(1 day)"),
        ("schedule", "cron(0 3 * * ? *)"),
    ]

    service = """
    service: reports
    provider:
      name: aws
    functions:
      nightly:
        handler: app.handler
        events:
          - schedule: rate(2 hours)
          - schedule:
              rate:
                - cron(0 4 * * ? *)
    """
    result = read_descriptor(tmp_path / "serverless.yml", textwrap.dedent(service))
    (function,) = result.functions
    assert [t.schedule for t in function.triggers] == ["rate(2 hours)", "cron(0 4 * * ? *)"]

    main = tmp_path / "main.tf"
    main.write_text(
        'resource "aws_lambda_function" "nightly" {\n'
        '  handler  = "app.handler"\n  filename = "build/app.zip"\n}\n'
        'resource "aws_cloudwatch_event_rule" "daily" {\n'
        '  schedule_expression = "rate(1 day)"\n}\n'
        'resource "aws_cloudwatch_event_target" "daily" {\n'
        "  rule = aws_cloudwatch_event_rule.daily.name\n"
        "  arn  = aws_lambda_function.nightly.arn\n}\n"
    )
    (function,) = read_terraform_dir(tmp_path, {main: main.read_text()}).functions
    assert [(t.trigger, t.schedule) for t in function.triggers] == [("schedule", "rate(1 day)")]


CODE = """
import boto3
def handler(event, context):
    s3 = boto3.client("s3")
    return s3.list_buckets()
"""


@pytest.mark.parametrize(("schedule", "reported"), [("rate(1 day)", 0), ("rate(1 minute)", 1)])
def test_client_per_invocation_on_a_schedule(schedule: str, reported: int, tmp_path: Path) -> None:
    template = f"""
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Cleaner:
        Type: AWS::Serverless::Function
        Properties:
          Handler: app.handler
          Runtime: python3.12
          Events:
            Tick:
              Type: Schedule
              Properties:
                Schedule: {schedule}
    """
    files = {"template.yaml": textwrap.dedent(template)}
    example = Example(textwrap.dedent(CODE), files=files)
    assert len(lint_example(ClientPerInvocation, example, tmp_path)) == reported
