"""SAM templates: handlers, code roots, Globals, events of every type, lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lambda_lint.cli import main
from lambda_lint.descriptors import DeclaredFunction, read_descriptor
from lambda_lint.rule import Example
from lambda_lint.rules.reuse_clients import ClientPerInvocation
from lambda_lint.testing import lint_example

TEMPLATE = Path(__file__).parent / "data" / "descriptors" / "sam" / "template.yaml"
FOLDER = TEMPLATE.parent


def line_with(needle: str, after: str = "") -> int:
    """The 1-based line of the first line holding `needle` (below the one holding `after`)."""
    lines = TEMPLATE.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and needle in line) + 1


@pytest.fixture(scope="module")
def functions() -> dict[str, DeclaredFunction]:
    result = read_descriptor(TEMPLATE, TEMPLATE.read_text())
    assert result.problems == []
    return {function.name: function for function in result.functions}


def test_reads_every_serverless_function(functions: dict[str, DeclaredFunction]) -> None:
    assert set(functions) == {
        "GetBookFunction",
        "SearchFunction",
        "LoansWorker",
        "ChangesFunction",
        "NoticesFunction",
        "AuthorizerFunction",
        "ThumbnailFunction",
        "HealthFunction",
        "ArtifactFunction",
        "OddFunction",
    }


def test_handler_code_root_and_globals(functions: dict[str, DeclaredFunction]) -> None:
    book = functions["GetBookFunction"]
    assert book.handler == "catalogue.get_book"
    assert book.source.kind == "sam"
    assert book.source.file == TEMPLATE
    assert book.source.line == line_with("Handler: catalogue.get_book")
    assert book.code_root == FOLDER / "backend"
    assert (book.runtime, book.timeout, book.snapstart) == ("python3.12", 10, True)
    search = functions["SearchFunction"]
    assert search.code_root == FOLDER / "search_service"
    assert search.runtime == "python3.11"
    assert functions["LoansWorker"].timeout == 90


def test_rest_api_events_carry_route_and_method(functions: dict[str, DeclaredFunction]) -> None:
    triggers = functions["GetBookFunction"].triggers
    assert [(t.trigger, t.route, t.method) for t in triggers] == [
        ("apigw-rest", "/books/{isbn}", "GET"),
        ("apigw-rest", "/books/{proxy+}", "ANY"),
    ]
    assert triggers[0].source.line == line_with("GetBook:", after="GetBookFunction:")


def test_http_api_payload_version_and_function_url(functions: dict[str, DeclaredFunction]) -> None:
    triggers = functions["SearchFunction"].triggers
    assert [(t.trigger, t.route, t.method) for t in triggers] == [
        ("apigw-http", "/search", "POST"),
        ("apigw-rest", "/legacy/search", "GET"),  # PayloadFormatVersion "1.0"
        ("function-url", None, None),
    ]
    assert triggers[2].source.line == line_with("FunctionUrlConfig:")


def test_sqs_event_with_partial_batch_failures(functions: dict[str, DeclaredFunction]) -> None:
    (binding,) = functions["LoansWorker"].triggers
    assert binding.trigger == "sqs"
    assert binding.report_batch_item_failures is True
    assert binding.resource == "LoansQueue"
    assert binding.source.line == line_with("Loans:", after="LoansWorker:")


def test_stream_and_bucket_events(functions: dict[str, DeclaredFunction]) -> None:
    triggers = functions["ChangesFunction"].triggers
    assert [(t.trigger, t.resource, t.report_batch_item_failures) for t in triggers] == [
        ("dynamodb-stream", "BooksTable", False),
        ("kinesis", "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks", False),
        ("s3", "CoversBucket", False),
    ]


def test_every_other_event_type_maps_to_its_trigger(
    functions: dict[str, DeclaredFunction],
) -> None:
    triggers = functions["NoticesFunction"].triggers
    assert [t.trigger for t in triggers] == [
        "schedule",
        "schedule",
        "eventbridge",
        "eventbridge",
        "sns",
        "cloudwatch-logs",
        "cognito-user-pool",
        "kafka",
        "kafka",
        "mq",
        "iot",
        "alexa",
        "documentdb",
    ]
    lines = [t.source.line for t in triggers]
    assert lines == sorted(lines) and len(set(lines)) == len(lines)
    assert triggers[0].resource == "daily-notices"
    assert triggers[6].resource == "ReadersPool"


def test_symbolic_handler_still_appears_with_its_trigger(
    functions: dict[str, DeclaredFunction],
) -> None:
    authorizer = functions["AuthorizerFunction"]
    assert authorizer.handler is None
    assert authorizer.code_root is None  # CodeUri is a Bucket/Key map
    assert authorizer.source.line == line_with("Handler: !Ref AuthHandler")
    (binding,) = authorizer.triggers
    assert (binding.trigger, binding.resource) == ("apigw-authorizer-token", "CatalogueApi")


def test_image_function_reads_command_and_docker_context(
    functions: dict[str, DeclaredFunction],
) -> None:
    thumbs = functions["ThumbnailFunction"]
    assert thumbs.package_type == "Image"
    assert thumbs.handler == "thumbs.app.handler"
    assert thumbs.source.line == line_with('Command: ["thumbs.app.handler"]')
    assert thumbs.code_root == FOLDER / "images" / "thumbs"
    assert [t.trigger for t in thumbs.triggers] == ["s3"]


def test_inline_code_and_remote_code(functions: dict[str, DeclaredFunction]) -> None:
    health = functions["HealthFunction"]
    assert health.handler == "index.handler"
    assert health.inline_code is not None
    assert health.inline_code.startswith("def handler(event, context):")
    assert health.code_root is None
    assert functions["ArtifactFunction"].code_root is None  # s3:// CodeUri


def test_symbolic_properties_do_not_stop_the_template(
    functions: dict[str, DeclaredFunction],
) -> None:
    odd = functions["OddFunction"]
    assert odd.handler is None
    assert odd.triggers == ()
    assert odd.source.line == line_with("OddFunction:")


def test_missing_code_uri_defaults_to_the_template_folder(tmp_path: Path) -> None:
    template = tmp_path / "template.yml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Handler: app.lambda_handler\n"
        "      Runtime: python3.13\n"
    )
    (function,) = read_descriptor(template, template.read_text()).functions
    assert function.code_root == tmp_path
    assert function.source.line == 6
    assert function.snapstart is False and function.timeout is None


def test_malformed_template_is_one_problem(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n   Properties: {\n"
    )
    result = read_descriptor(template, template.read_text())
    assert result.functions == []
    (problem,) = result.problems
    assert problem.file == template
    assert problem.line == 4
    assert "YAML" in problem.message


def test_eventbridge_rule_events_record_their_detail_types() -> None:
    path = FOLDER / "eventbridge.yaml"
    result = read_descriptor(path, path.read_text())
    assert result.problems == []
    (function,) = result.functions
    assert [(t.trigger, t.resource, t.detail_types) for t in function.triggers] == [
        # duplicates dropped; the !Sub item and the prefix filter are not literal names
        ("eventbridge", "order-events", ("Order Cancelled", "Order Placed")),
        ("eventbridge", None, ("Parcel Delivered",)),  # a plain string counts
        ("eventbridge", None, ()),  # the pattern has no detail-type
        ("schedule", None, ()),
    ]


def test_event_batch_size_is_read_from_literals_only(tmp_path: Path) -> None:
    template = tmp_path / "template.yml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Handler: app.handler\n"
        "      Events:\n"
        "        Queue:\n"
        "          Type: SQS\n"
        "          Properties: {Queue: !GetAtt Q.Arn, BatchSize: 1}\n"
        "        Stream:\n"
        "          Type: Kinesis\n"
        "          Properties: {Stream: !GetAtt S.Arn, BatchSize: '25'}\n"
        "        Table:\n"
        "          Type: DynamoDB\n"
        "          Properties: {Stream: !GetAtt T.StreamArn, BatchSize: !Ref Size}\n"
        "        Kafka:\n"
        "          Type: MSK\n"
        "          Properties: {Stream: !Ref Cluster, BatchSize: 100}\n"
        "        Broker:\n"
        "          Type: MQ\n"
        "          Properties: {Broker: !Ref B, BatchSize: 2.5}\n"
        "        Docs:\n"
        "          Type: DocumentDB\n"
        "          Properties: {Cluster: !Ref C, BatchSize: 7}\n"
        "        Topic:\n"
        "          Type: SNS\n"
        "          Properties: {Topic: !Ref Tp, BatchSize: 3}\n"
    )
    (function,) = read_descriptor(template, template.read_text()).functions
    assert [(t.trigger, t.batch_size) for t in function.triggers] == [
        ("sqs", 1),
        ("kinesis", 25),
        ("dynamodb-stream", None),
        ("kafka", 100),
        ("mq", None),
        ("documentdb", 7),
        ("sns", None),
    ]


RUNBOOK_TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Seed:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
{events}
  Runbook:
    Type: AWS::SSM::Document
    Properties:
      DocumentType: Automation
      Content:
        schemaVersion: '0.3'
        mainSteps:
          - name: seed
            action: aws:invokeLambdaFunction
            inputs:
              FunctionName: !Ref Seed
"""

API_EVENT = """\
      Events:
        Get:
          Type: Api
          Properties: {Path: /seed, Method: get}"""

SEED_CODE = """\
import boto3
def handler(event, context):
    table = boto3.resource("dynamodb").Table(event["table"])
    table.put_item(Item={"id": "seed"})
"""


@pytest.mark.parametrize(
    ("events", "shown", "reported"),
    [("", "ssm-automation ", 0), (API_EVENT, "apigw-rest, ssm-automation", 1)],
    ids=["runbook-only", "runbook-and-api"],
)
def test_function_run_by_a_runbook_step_is_rarely_invoked(
    tmp_path: Path, events: str, shown: str, reported: int
) -> None:
    # a runbook runs the step once per execution; an API beside it serves every request
    template = RUNBOOK_TEMPLATE.format(events=events)
    example = Example(SEED_CODE, files={"template.yaml": template})
    assert len(lint_example(ClientPerInvocation, example, tmp_path)) == reported
    output = CliRunner().invoke(main, ["handlers", str(tmp_path)]).output
    (row,) = [line for line in output.splitlines() if "app.py:2 handler" in line]
    assert f"handler  {shown}" in row
    # the step's payload is the runbook's own: no event shape to check keys against
    checked = CliRunner().invoke(main, ["check", "--no-cache", "--select", "LL4", str(tmp_path)])
    assert (checked.exit_code, checked.output.strip()) == (0, "All checks passed!")


def test_an_image_of_another_language_is_not_checked_for_python_handlers(tmp_path: Path) -> None:
    """A container image function names its handler in `ImageConfig.Command`; whether it
    is Python code comes from the Dockerfile of its `DockerContext`. A Node.js image's
    `index.handler` is no Python module that could be missing (LL103)."""
    template = tmp_path / "template.yaml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Transcriber:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      PackageType: Image\n"
        "      ImageConfig:\n"
        '        Command: ["index.handler"]\n'
        "    Metadata:\n"
        "      DockerContext: ./transcriber\n"
        "  Thumbs:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      PackageType: Image\n"
        "      ImageConfig:\n"
        '        Command: ["app.handler"]\n'
        "    Metadata:\n"
        "      DockerContext: ./thumbs\n"
        "      Dockerfile: Dockerfile.lambda\n"
    )
    (tmp_path / "transcriber").mkdir()
    (tmp_path / "transcriber" / "Dockerfile").write_text(
        "FROM public.ecr.aws/lambda/nodejs:18\nCOPY index.js ./\n"
    )
    (tmp_path / "transcriber" / "index.js").write_text("exports.handler = async () => 1;\n")
    (tmp_path / "thumbs").mkdir()
    (tmp_path / "thumbs" / "Dockerfile.lambda").write_text(
        'FROM public.ecr.aws/lambda/python:3.12\nCOPY app.py ./\nCMD ["app.handler"]\n'
    )
    found = {f.name: f for f in read_descriptor(template, template.read_text()).functions}
    assert found["Transcriber"].code_root is None
    assert found["Thumbs"].code_root == tmp_path / "thumbs"

    result = CliRunner().invoke(main, ["check", "--no-cache", "--select", "LL103", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "template.yaml:16" in result.output  # the Python image's missing app.py
    assert "index.handler" not in result.output
