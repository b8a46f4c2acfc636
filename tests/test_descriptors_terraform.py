"""Terraform: functions, archive_file code roots, event sources across files."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambda_lint.descriptors import DeclaredFunction, read_descriptor, read_terraform_dir

FOLDER = Path(__file__).parent / "data" / "descriptors" / "terraform"
FUNCTIONS_TF = FOLDER / "functions.tf"
EVENTS_TF = FOLDER / "events.tf"


def line_with(path: Path, needle: str, after: str = "") -> int:
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and needle in line) + 1


@pytest.fixture(scope="module")
def functions() -> dict[str, DeclaredFunction]:
    files = {path: path.read_text() for path in (FUNCTIONS_TF, EVENTS_TF)}
    result = read_terraform_dir(FOLDER, files)
    assert result.problems == []
    return {function.name: function for function in result.functions}


def summary(function: DeclaredFunction) -> list[tuple]:
    return [
        (t.trigger, t.route, t.method, t.resource, t.report_batch_item_failures)
        for t in function.triggers
    ]


def test_archive_source_dir_through_a_local(functions: dict[str, DeclaredFunction]) -> None:
    api = functions["api"]
    assert api.handler == "shipping.api.handler"
    assert api.source.kind == "terraform"
    assert api.source.file == FUNCTIONS_TF
    assert api.source.line == line_with(FUNCTIONS_TF, 'handler          = "shipping.api.handler"')
    assert api.code_root == FOLDER.parent / "services" / "api"
    assert (api.runtime, api.timeout, api.snapstart) == ("python3.12", 29, True)


def test_archive_source_file_gives_its_folder(functions: dict[str, DeclaredFunction]) -> None:
    assert functions["cleanup"].code_root == FOLDER / "scripts"


def test_api_gateway_v1_v2_and_url(functions: dict[str, DeclaredFunction]) -> None:
    assert summary(functions["api"]) == [
        ("apigw-rest", "/shipments/{shipmentId}", "GET", None, False),
        ("apigw-http", "/quotes", "POST", None, False),
        ("function-url", None, None, None, False),
    ]
    rest = functions["api"].triggers[0]
    assert rest.source.file == EVENTS_TF
    assert rest.source.line == line_with(EVENTS_TF, 'resource "aws_api_gateway_integration"')


def test_notifications_subscriptions_rules(functions: dict[str, DeclaredFunction]) -> None:
    assert summary(functions["cleanup"]) == [
        ("s3", None, None, "manifests", False),
        ("sns", None, None, "delays", False),
        ("schedule", None, None, "nightly", False),
        ("eventbridge", None, None, "delivered", False),
        ("cloudwatch-logs", None, None, None, False),
    ]
    assert functions["cleanup"].triggers[0].source.line == line_with(EVENTS_TF, "lambda_function {")


def test_event_source_mappings_and_symbolic_handler(
    functions: dict[str, DeclaredFunction],
) -> None:
    worker = functions["worker"]
    assert worker.handler is None  # var.worker_handler
    assert worker.runtime is None
    assert worker.code_root is None  # s3_key
    assert worker.source.line == line_with(FUNCTIONS_TF, "handler       = var.worker_handler")
    assert summary(worker) == [
        ("sqs", None, None, "orders", True),
        ("kinesis", None, None, "gps", False),
        ("dynamodb-stream", None, None, "shipments", False),  # through an alias
    ]


def test_image_function(functions: dict[str, DeclaredFunction]) -> None:
    labels = functions["labels"]
    assert labels.package_type == "Image"
    assert labels.handler == "labels.render.handler"
    assert labels.source.line == line_with(FUNCTIONS_TF, "command = [")


def test_lambda_module(functions: dict[str, DeclaredFunction]) -> None:
    tracker = functions["tracker"]
    assert tracker.handler == "tracker.handler"
    assert tracker.code_root == FOLDER.parent / "services" / "tracker"
    assert tracker.timeout == 60
    assert summary(tracker) == [
        ("function-url", None, None, None, False),
        ("sqs", None, None, "tracking", True),
        ("schedule", None, None, None, False),
    ]


def test_single_file_leaves_other_files_references_unresolved() -> None:
    result = read_descriptor(FUNCTIONS_TF, FUNCTIONS_TF.read_text())
    functions = {function.name: function for function in result.functions}
    assert functions["api"].handler == "shipping.api.handler"
    assert functions["api"].triggers == ()
    assert functions["cleanup"].triggers == ()


def test_malformed_file_is_one_problem_and_the_rest_is_read(tmp_path: Path) -> None:
    broken = tmp_path / "broken.tf"
    broken.write_text('resource "aws_lambda_function" "x" {\n  handler = \n}\n')
    good = tmp_path / "good.tf"
    good.write_text(
        'resource "aws_lambda_function" "ok" {\n  handler  = "app.handler"\n'
        '  filename = "build/app.zip"\n}\n'
    )
    result = read_terraform_dir(tmp_path, {broken: broken.read_text(), good: good.read_text()})
    (problem,) = result.problems
    assert (problem.file, problem.line) == (broken, 2)
    assert "HCL" in problem.message
    (function,) = result.functions
    assert (function.name, function.handler, function.code_root) == ("ok", "app.handler", None)
    assert function.source.line == 2


def test_a_broken_file_that_names_no_lambda_is_not_reported(tmp_path: Path) -> None:
    # Terraform 0.11 quoted a block type; HCL 2 does not read it
    table = tmp_path / "db.tf"
    table.write_text('resource "aws_dynamodb_table" "t" {\n  "attribute" {\n  }\n}\n')
    assert read_terraform_dir(tmp_path, {table: table.read_text()}).problems == []
    # a role Lambda may assume declares no function either
    role = tmp_path / "role.tf"
    role.write_text(
        'resource "aws_iam_role" "r" {\n  "assume" {\n    service = "lambda.amazonaws.com"\n'
        "  }\n}\n"
    )
    assert read_terraform_dir(tmp_path, {role: role.read_text()}).problems == []
    function = tmp_path / "function.tf"
    function.write_text('resource "aws_lambda_function" "f" {\n  "environment" {\n  }\n}\n')
    assert len(read_terraform_dir(tmp_path, {function: function.read_text()}).problems) == 1
    module = tmp_path / "fn.tf"
    module.write_text('module "fn" {\n  "attribute" {\n  }\n}\n')
    assert len(read_terraform_dir(tmp_path, {module: module.read_text()}).problems) == 1


def test_event_rule_patterns_give_their_targets_detail_types() -> None:
    folder = FOLDER / "eventbridge"
    files = {path: path.read_text() for path in sorted(folder.glob("*.tf"))}
    result = read_terraform_dir(folder, files)
    assert result.problems == []
    (tracker,) = result.functions
    assert [(t.trigger, t.resource, t.detail_types) for t in tracker.triggers] == [
        # jsonencode of an HCL object; the variable is skipped
        ("eventbridge", "dispatched", ("Shipment Dispatched", "Shipment Returned")),
        ("eventbridge", "customs", ("Customs Cleared", "Customs Held")),  # a heredoc
        ("eventbridge", "delayed", ("Shipment Delayed",)),  # jsonencode of a local
        ("eventbridge", "labels", ("Label Printed",)),  # a JSON string
        ("eventbridge", "external", ()),  # read from a file: not known statically
        ("schedule", "sweep", ()),
    ]


def test_event_source_mapping_batch_size(tmp_path: Path) -> None:
    main = tmp_path / "main.tf"
    main.write_text(
        "locals {\n  size = 25\n}\n"
        'resource "aws_lambda_function" "worker" {\n'
        '  handler  = "app.handler"\n  filename = "build/app.zip"\n}\n'
        'resource "aws_sqs_queue" "orders" {}\n'
        'resource "aws_kinesis_stream" "clicks" {}\n'
        'resource "aws_dynamodb_table" "items" {}\n'
        'resource "aws_lambda_event_source_mapping" "orders" {\n'
        "  event_source_arn = aws_sqs_queue.orders.arn\n"
        "  function_name    = aws_lambda_function.worker.arn\n"
        "  batch_size       = 1\n}\n"
        'resource "aws_lambda_event_source_mapping" "clicks" {\n'
        "  event_source_arn = aws_kinesis_stream.clicks.arn\n"
        "  function_name    = aws_lambda_function.worker.arn\n"
        "  batch_size       = local.size\n}\n"
        'resource "aws_lambda_event_source_mapping" "items" {\n'
        "  event_source_arn = aws_dynamodb_table.items.stream_arn\n"
        "  function_name    = aws_lambda_function.worker.arn\n"
        "  batch_size       = var.size\n}\n"
    )
    result = read_terraform_dir(tmp_path, {main: main.read_text()})
    assert result.problems == []
    (function,) = result.functions
    assert [(t.trigger, t.resource, t.batch_size) for t in function.triggers] == [
        ("sqs", "orders", 1),
        ("kinesis", "clicks", 25),
        ("dynamodb-stream", "items", None),
    ]


def test_module_event_source_mapping_batch_size(tmp_path: Path) -> None:
    main = tmp_path / "main.tf"
    main.write_text(
        'module "worker" {\n'
        '  source        = "terraform-aws-modules/lambda/aws"\n'
        '  function_name = "worker"\n'
        '  handler       = "app.handler"\n'
        '  source_path   = "src"\n'
        "  event_source_mapping = {\n"
        "    sqs = {\n"
        '      event_source_arn = "arn:aws:sqs:us-east-1:123456789012:orders"\n'
        "      batch_size       = 10\n"
        "    }\n"
        "  }\n"
        "}\n"
    )
    result = read_terraform_dir(tmp_path, {main: main.read_text()})
    (function,) = result.functions
    assert [(t.trigger, t.batch_size) for t in function.triggers] == [("sqs", 10)]


def test_bedrock_binds_only_an_agent_action_group(tmp_path: Path) -> None:
    main = tmp_path / "main.tf"
    main.write_text(
        'resource "aws_lambda_function" "tool" {\n'
        '  handler  = "tool.handler"\n  filename = "build/tool.zip"\n}\n'
        'resource "aws_lambda_function" "gateway" {\n'
        '  handler  = "gateway.handler"\n  filename = "build/gateway.zip"\n}\n'
        'resource "aws_bedrockagent_agent_action_group" "lookup" {\n'
        '  action_group_name = "lookup"\n'
        "  action_group_executor {\n"
        "    lambda = aws_lambda_function.tool.arn\n  }\n}\n"
        'resource "aws_lambda_permission" "gateway" {\n'
        '  action        = "lambda:InvokeFunction"\n'
        "  function_name = aws_lambda_function.gateway.function_name\n"
        '  principal     = "bedrock.amazonaws.com"\n}\n'
    )
    result = read_terraform_dir(tmp_path, {main: main.read_text()})
    functions = {function.name: function for function in result.functions}
    assert [t.trigger for t in functions["tool"].triggers] == ["bedrock-agent"]
    assert functions["gateway"].triggers == ()
