"""Serverless Framework services: path-style handlers, events, variables, resources."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambda_lint.descriptors import DeclaredFunction, read_descriptor
from lambda_lint.descriptors.serverless import logical_id

SERVICE = Path(__file__).parent / "data" / "descriptors" / "serverless" / "serverless.yml"
FOLDER = SERVICE.parent


def line_with(needle: str, after: str = "") -> int:
    lines = SERVICE.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and needle in line) + 1


@pytest.fixture(scope="module")
def functions() -> dict[str, DeclaredFunction]:
    result = read_descriptor(SERVICE, SERVICE.read_text())
    assert result.problems == []
    return {function.name: function for function in result.functions}


def routes(function: DeclaredFunction) -> list[tuple]:
    return [(t.trigger, t.route, t.method) for t in function.triggers]


def test_path_style_handler_relative_to_the_service(functions: dict[str, DeclaredFunction]) -> None:
    track = functions["trackParcel"]
    assert track.handler == "src/tracking/api.track"
    assert track.code_root == FOLDER
    assert track.source.kind == "serverless"
    assert track.source.line == line_with("handler: src/tracking/api.track")
    assert (track.runtime, track.timeout) == ("python3.11", 12)  # from the provider


def test_http_events_short_and_long_forms(functions: dict[str, DeclaredFunction]) -> None:
    assert routes(functions["trackParcel"]) == [
        ("apigw-rest", "/parcels/{parcelId}", "GET"),
        ("apigw-rest", "/parcels/{parcelId}/events", "POST"),
        ("apigw-rest", "/parcels", "ANY"),
    ]
    assert functions["trackParcel"].triggers[0].source.line == line_with(
        "- http: GET parcels/{parcelId}"
    )


def test_http_api_events_and_function_url(functions: dict[str, DeclaredFunction]) -> None:
    carriers = functions["listCarriers"]
    assert carriers.runtime == "python3.12"
    assert routes(carriers) == [
        ("apigw-http", "/carriers", "GET"),
        ("apigw-http", "/carriers/{carrierId}", "PUT"),
        ("apigw-http", None, None),  # the '*' catch-all
        ("function-url", None, None),
    ]


def test_module_of_individually_packaged_function(functions: dict[str, DeclaredFunction]) -> None:
    worker = functions["scanWorker"]
    assert worker.handler == "handler.process_scans"
    assert worker.code_root == FOLDER / "workers" / "scans"
    assert worker.timeout == 25  # merged from a YAML anchor
    assert [(t.trigger, t.resource, t.report_batch_item_failures) for t in worker.triggers] == [
        ("sqs", "ScanQueue", True),
        ("sqs", "arn:aws:sqs:eu-west-1:123456789012:legacy-scans", False),
    ]


def test_stream_type_from_type_attribute_or_arn(functions: dict[str, DeclaredFunction]) -> None:
    triggers = functions["streamReader"].triggers
    assert [(t.trigger, t.resource, t.report_batch_item_failures) for t in triggers] == [
        ("dynamodb-stream", None, True),
        ("dynamodb-stream", "ParcelsTable", False),
        ("kinesis", "arn:aws:kinesis:eu-west-1:123456789012:stream/gps-pings", False),
        ("kinesis", "GpsStream", False),
    ]


def test_variables_stay_symbolic(functions: dict[str, DeclaredFunction]) -> None:
    notifier = functions["notifier"]
    assert notifier.handler is None
    assert notifier.runtime is None
    assert notifier.source.line == line_with("handler: ${self:custom.notifierHandler}")
    assert [(t.trigger, t.resource) for t in notifier.triggers] == [
        ("sns", "parcel-delivered"),
        ("sns", "parcel-delays"),
        ("s3", "parcel-labels"),
        ("s3", "parcel-photos"),
    ]


def test_every_other_event_kind(functions: dict[str, DeclaredFunction]) -> None:
    assert [t.trigger for t in functions["housekeeping"].triggers] == [
        "schedule",
        "schedule",
        "eventbridge",
        "eventbridge",
        "cloudwatch-logs",
        "cognito-user-pool",
        "alb",
        "apigw-websocket",
        "kafka",
        "kafka",
        "alexa",
        "iot",
        "mq",
    ]


def test_authorizers_are_triggers_of_their_functions(
    functions: dict[str, DeclaredFunction],
) -> None:
    assert [t.trigger for t in functions["tokenAuthorizer"].triggers] == [
        "apigw-authorizer-token",
        "apigw-authorizer-token",
    ]
    (http,) = functions["partnerAuthorizer"].triggers
    assert http.trigger == "apigw-authorizer-http"
    assert http.source.line == line_with("partnerAuth:")


def test_prebuilt_artifact_and_image(functions: dict[str, DeclaredFunction]) -> None:
    assert functions["prebuilt"].code_root is None
    image = functions["labelRenderer"]
    assert image.package_type == "Image"
    assert image.handler == "render.handler"
    assert image.code_root == FOLDER / "images" / "renderer"
    assert image.source.line == line_with("- render.handler")


def test_resources_section_links_by_logical_id(functions: dict[str, DeclaredFunction]) -> None:
    (binding,) = functions["webhook"].triggers
    assert (binding.trigger, binding.resource) == ("eventbridge", "WebhookRule")
    assert binding.source.line == line_with("- Id: webhook")


def test_logical_id_naming() -> None:
    assert logical_id("webhook") == "WebhookLambdaFunction"
    assert logical_id("get-user_v2") == "GetDashuserUnderscorev2LambdaFunction"


def test_module_without_individual_packaging_is_ignored(tmp_path: Path) -> None:
    service = tmp_path / "serverless.yaml"
    service.write_text(
        "service: s\nprovider:\n  name: aws\nfunctions:\n"
        "  a:\n    handler: app.main\n    module: pkg\n"
    )
    (function,) = read_descriptor(service, service.read_text()).functions
    assert function.code_root == tmp_path
    assert function.runtime == "nodejs"  # the framework's default when none is given


def test_malformed_service_is_one_problem(tmp_path: Path) -> None:
    service = tmp_path / "serverless.yml"
    service.write_text(
        "service: s\nfunctions:\n  a:\n    handler: app.main\n    events:\n      - http: [\n"
    )
    result = read_descriptor(service, service.read_text())
    assert result.functions == []
    (problem,) = result.problems
    assert problem.file == service
    assert problem.line == 7


def test_event_bridge_patterns_record_their_detail_types() -> None:
    path = FOLDER / "eventbridge" / "serverless.yml"
    result = read_descriptor(path, path.read_text())
    assert result.problems == []
    (function,) = result.functions
    assert [(t.trigger, t.resource, t.detail_types) for t in function.triggers] == [
        ("eventbridge", "billing", ("Order Paid", "Order Refunded")),  # variable skipped
        ("schedule", None, ()),
        ("eventbridge", None, ("CodeBuild Build State Change",)),
        ("eventbridge", None, ()),
    ]


def test_batch_size_of_queue_stream_and_kafka_events(tmp_path: Path) -> None:
    service = tmp_path / "serverless.yml"
    service.write_text(
        "service: s\n"
        "provider:\n  name: aws\n"
        "functions:\n"
        "  worker:\n"
        "    handler: app.main\n"
        "    events:\n"
        "      - sqs: {arn: 'arn:aws:sqs:us-east-1:1:orders', batchSize: 1}\n"
        "      - sqs: 'arn:aws:sqs:us-east-1:1:other'\n"
        "      - stream: {type: kinesis, arn: 'arn:aws:kinesis:us-east-1:1:stream/s',"
        " batchSize: '50'}\n"
        "      - stream: {type: dynamodb, arn: x, batchSize: '${self:custom.size}'}\n"
        "      - kafka: {topic: t, bootstrapServers: [b], batchSize: 20}\n"
        "      - msk: {topic: t, arn: x, batchSize: 30}\n"
        "      - schedule: rate(1 hour)\n"
    )
    (function,) = read_descriptor(service, service.read_text()).functions
    assert [(t.trigger, t.batch_size) for t in function.triggers] == [
        ("sqs", 1),
        ("sqs", None),
        ("kinesis", 50),
        ("dynamodb-stream", None),
        ("kafka", 20),
        ("kafka", 30),
        ("schedule", None),
    ]
