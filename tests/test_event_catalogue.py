"""The shipped event-shape catalogue: real sample events fit it, and its query API works."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lambda_lint.events import catalogue as cat
from lambda_lint.events.catalogue import (
    EventShape,
    KeyInfo,
    catalogue_triggers,
    shape_for,
    shape_from_json_schema,
)
from lambda_lint.triggers import TRIGGERS

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "tests" / "data" / "events"
CATALOGUE = ROOT / "lambda_lint" / "events" / "catalogue.json"
OVERLAY = ROOT / "tools" / "event_catalogue" / "overlay.json"
GENERATOR = ROOT / "tools" / "gen_event_catalogue.py"

# --------------------------------------------------------------------------- samples

#: sample folder -> the triggers its files are checked against
FOLDER_TRIGGERS: dict[str, tuple[str, ...]] = {
    "alb": ("alb",),
    "apigw-http": ("apigw-http",),
    "apigw-rest": ("apigw-rest",),
    "apigw-websocket": ("apigw-websocket",),
    "appsync": ("appsync",),
    "bedrock-agent": ("bedrock-agent",),
    "cloudformation-custom-resource": ("cloudformation-custom-resource",),
    "cloudfront": ("cloudfront",),
    "cloudwatch-logs": ("cloudwatch-logs",),
    "codepipeline": ("codepipeline",),
    "cognito-user-pool": ("cognito-user-pool",),
    "config-rule": ("config-rule",),
    "documentdb": ("documentdb",),
    "dynamodb-stream": ("dynamodb-stream",),
    "eventbridge": ("eventbridge",),
    "function-url": ("function-url",),
    "iot": ("iot",),
    "kafka": ("kafka",),
    "kinesis": ("kinesis",),
    "kinesis-firehose": ("firehose",),
    "lex": ("lex",),
    "lex-v2": ("lex-v2",),
    "mq": ("mq",),
    "s3": ("s3",),
    "s3-batch": ("s3-batch",),
    # S3 via EventBridge is also a plain EventBridge event
    "s3-eventbridge": ("s3-eventbridge", "eventbridge"),
    "s3-object-lambda": ("s3-object-lambda",),
    "secrets-manager": ("secrets-manager",),
    "ses": ("ses",),
    "sns": ("sns",),
    "sqs": ("sqs",),
    "step-functions": ("step-functions",),
    "vpc-lattice": ("vpc-lattice",),
}
#: files whose triggers differ from their folder's
FILE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "apigw-authorizer/request-v1.json": ("apigw-authorizer-request",),
    "apigw-authorizer/request-v2-http-api.json": ("apigw-authorizer-http",),
    "apigw-authorizer/token.json": ("apigw-authorizer-token",),
    "eventbridge/scheduled-event.json": ("eventbridge", "schedule"),
    "eventbridge/schedule-rs.json": ("eventbridge", "schedule"),
    # Scheduler's universal target sends detail as a string: a schedule, not a rule event
    "eventbridge/scheduler-detail-string.json": ("schedule",),
}

_AWSSDK = "the fixture spells callerContext.awsSdkVersion as awsSdk (Powertools typo)"
_BOOL_ATTR = "the fixture gives user attributes as JSON booleans; Cognito sends strings"
_WS_GO = (
    "aws-lambda-go's fixture was written from its REST-derived struct; WebSocket events do "
    "not carry REST method/resource keys"
)
#: (sample, trigger) -> the differences the validator must find, with the reason
KNOWN_DEFECTS: dict[tuple[str, str], dict[str, str]] = {
    ("apigw-authorizer/request-v1.json", "apigw-authorizer-request"): {
        "unknown key authorizationToken": "a TOKEN-authorizer key, not in the REQUEST input",
        "unknown key identitySource": "not in the REQUEST authorizer input (HTTP API 2.0 key)",
        "unknown key requestContext.identity.cognitoAmr": "not an API Gateway identity key",
    },
    ("apigw-rest/proxy-get-go.json", "apigw-rest"): {
        "missing key isBase64Encoded": "an old payload; API Gateway now always sends it",
    },
    ("apigw-rest/proxy-multi-value-params.json", "apigw-rest"): {
        "missing key isBase64Encoded": "an old payload; API Gateway now always sends it",
    },
    ("apigw-websocket/connect.json", "apigw-websocket"): {
        f"unknown key {key}": _WS_GO
        for key in (
            "httpMethod",
            "path",
            "pathParameters",
            "resource",
            "requestContext.accountId",
            "requestContext.error",
            "requestContext.httpMethod",
            "requestContext.integrationLatency",
            "requestContext.resourceId",
            "requestContext.resourcePath",
            "requestContext.status",
        )
    },
    ("cloudfront/response-modify-header.json", "cloudfront"): {
        "missing key Records.*.cf.request": "SAM CLI trims it; response events carry the request",
    },
    ("cognito-user-pool/custom-email-sender.json", "cognito-user-pool"): {
        "missing key callerContext.awsSdkVersion": _AWSSDK,
        "unknown key callerContext.awsSdk": _AWSSDK,
        "kind bool at request.userAttributes.email_verified": _BOOL_ATTR,
        "kind bool at request.userAttributes.phone_number_verified": _BOOL_ATTR,
    },
    ("cognito-user-pool/custom-message.json", "cognito-user-pool"): {
        "missing key callerContext.awsSdkVersion": _AWSSDK,
        "unknown key callerContext.awsSdk": _AWSSDK,
        "kind bool at request.userAttributes.email_verified": _BOOL_ATTR,
        "kind bool at request.userAttributes.phone_number_verified": _BOOL_ATTR,
    },
    ("cognito-user-pool/custom-sms-sender.json", "cognito-user-pool"): {
        "missing key callerContext.awsSdkVersion": _AWSSDK,
        "unknown key callerContext.awsSdk": _AWSSDK,
        "kind bool at request.userAttributes.email_verified": _BOOL_ATTR,
        "kind bool at request.userAttributes.phone_number_verified": _BOOL_ATTR,
    },
    ("cognito-user-pool/post-confirmation.json", "cognito-user-pool"): {
        "kind bool at request.userAttributes.email_verified": _BOOL_ATTR,
    },
    ("eventbridge/scheduled-event.json", "eventbridge"): {
        "missing key version": 'SAM CLI\'s template leaves out version; EventBridge sends "0"',
    },
    ("eventbridge/scheduled-event.json", "schedule"): {
        "missing key version": 'SAM CLI\'s template leaves out version; EventBridge sends "0"',
    },
    ("function-url/request-go.json", "function-url"): {
        f"missing key {key}": 'the Go fixture leaves out the "$default" route and stage'
        for key in ("routeKey", "requestContext.routeKey", "requestContext.stage")
    },
}

_KINDS_OF = {dict: "object", list: "list", str: "string", bool: "bool", int: "number"}


def _kind_of(value: Any) -> str:
    return "number" if isinstance(value, float) else _KINDS_OF[type(value)]


def event_problems(shape: EventShape, event: Any) -> set[str]:
    """How ``event`` departs from ``shape``: unknown keys, kinds, nulls, missing keys,
    values outside an enum, keys present in a kind of event that should not have them."""
    found: set[str] = set()

    def visit(value: Any, path: tuple[str, ...], where: tuple[str | int, ...]) -> None:
        dotted = ".".join(path)
        info = shape.lookup(path)
        if info is None:
            found.add(f"unknown key {dotted}")
            return
        if info.present_when is not None:
            condition, values = info.present_when
            if _value_at(event, condition, where) not in values:
                found.add(f"{dotted} present although {'.'.join(condition)} is not {values}")
        if value is None:
            if not info.nullable and info.kind != "any":
                found.add(f"null at {dotted}")
            return
        kind = _kind_of(value)
        if info.kind not in ("any", kind):
            found.add(f"kind {kind} at {dotted}")
            return
        if info.encoding in cat.VALUE_ENCODINGS:
            if not all(isinstance(v, dict) and len(v) == 1 for v in value.values()):
                found.add(f"untyped attribute value at {dotted}")
        elif info.encoding is not None and not isinstance(value, str):
            found.add(f"encoded value not a string at {dotted}")
        if info.enum is not None and value not in info.enum:
            found.add(f"value {value!r} outside the enum at {dotted}")
        if isinstance(value, dict):
            for key in shape.keys_at(path):
                sub = shape.lookup((*path, key))
                if sub is not None and not sub.absent and key not in value:
                    found.add(f"missing key {'.'.join((*path, key))}")
            for key, sub_value in value.items():
                visit(sub_value, (*path, key), (*where, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                visit(item, (*path, "*"), (*where, index))

    visit(event, (), ())
    return found


def _value_at(event: Any, path: tuple[str, ...], where: tuple[str | int, ...]) -> Any:
    """The value at `path` (with `*` for list items) in the record `where` points into:
    each `*` takes the index `where` has at that depth."""
    value = event
    for depth, step in enumerate(path):
        key = where[depth] if step == "*" and depth < len(where) else step
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _sample_cases() -> Iterator[tuple[str, str]]:
    for path in sorted(EVENTS.glob("*/*.json")):
        rel = f"{path.parent.name}/{path.name}"
        for trigger in FILE_TRIGGERS.get(rel, FOLDER_TRIGGERS.get(path.parent.name, ())):
            yield rel, trigger


SAMPLE_CASES = list(_sample_cases())


def test_every_sample_file_is_checked() -> None:
    files = {f"{p.parent.name}/{p.name}" for p in EVENTS.glob("*/*.json")}
    checked = {rel for rel, _ in SAMPLE_CASES}
    assert len(files) == 123
    assert files == checked


def test_every_catalogue_trigger_has_samples() -> None:
    assert {trigger for _, trigger in SAMPLE_CASES} == set(catalogue_triggers())


@pytest.mark.parametrize(("sample", "trigger"), SAMPLE_CASES, ids=lambda v: str(v))
def test_sample_event_fits_catalogue(sample: str, trigger: str) -> None:
    event = json.loads((EVENTS / sample).read_text(encoding="utf-8"))
    shape = shape_for(trigger)
    assert shape is not None
    # AppSync batch resolvers receive a list of single-resolver events
    events = event if isinstance(event, list) else [event]
    problems: set[str] = set()
    for one in events:
        problems |= event_problems(shape, one)
    assert problems == set(KNOWN_DEFECTS.get((sample, trigger), {}))


def test_known_defects_name_real_cases() -> None:
    assert set(KNOWN_DEFECTS) <= set(SAMPLE_CASES)
    assert all(reason for defects in KNOWN_DEFECTS.values() for reason in defects.values())


def test_validator_reports_each_kind_of_problem() -> None:
    shape = shape_for("sqs")
    assert shape is not None
    good = json.loads((EVENTS / "sqs" / "basic.json").read_text(encoding="utf-8"))
    assert event_problems(shape, good) == set()
    record = dict(good["Records"][0])
    record["Body"] = record.pop("body")
    record["messageId"] = None
    record["attributes"] = "not an object"
    assert event_problems(shape, {"Records": [record]}) == {
        "unknown key Records.*.Body",
        "missing key Records.*.body",
        "null at Records.*.messageId",
        "kind string at Records.*.attributes",
    }


# --------------------------------------------------------------------------- the catalogue file

REQUIRED_TRIGGERS = {
    "apigw-rest",
    "apigw-http",
    "function-url",
    "alb",
    "apigw-authorizer-token",
    "apigw-authorizer-request",
    "apigw-authorizer-http",
    "apigw-websocket",
    "sqs",
    "sns",
    "s3",
    "s3-eventbridge",
    "dynamodb-stream",
    "kinesis",
    "firehose",
    "eventbridge",
    "schedule",
    "cloudwatch-logs",
    "kafka",
    "mq",
    "cognito-user-pool",
    "cloudformation-custom-resource",
    "appsync",
    "iot",
    "config-rule",
    "codepipeline",
    "ses",
    "secrets-manager",
    "lex",
    "lex-v2",
    "bedrock-agent",
    "step-functions",
    "s3-batch",
    "s3-object-lambda",
    "cloudfront",
    "vpc-lattice",
    "documentdb",
}


def test_catalogue_covers_the_triggers() -> None:
    triggers = set(catalogue_triggers())
    assert triggers >= REQUIRED_TRIGGERS
    assert triggers <= set(TRIGGERS)
    assert list(catalogue_triggers()) == sorted(triggers)


def test_catalogue_file_is_compact_sorted_and_well_formed() -> None:
    text = CATALOGUE.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["format"] == 1
    assert data["sources"]["aws-lambda-powertools"] == "3.37.0"
    assert not any(line.startswith(" ") for line in text.splitlines())
    assert list(data["triggers"]) == sorted(data["triggers"])
    for trigger, entry in data["triggers"].items():
        assert entry["meta"]["doc"].startswith("https://docs.aws.amazon.com/"), trigger
        paths = list(entry["paths"])
        assert paths[0] == ""
        split = [tuple(p.split("/")) for p in paths[1:]]
        # depth first, siblings sorted: every path follows its parent, in sorted order
        for prev, cur in zip(split, split[1:]):
            common = 0
            while common < min(len(prev), len(cur)) and prev[common] == cur[common]:
                common += 1
            if common < len(cur) and common < len(prev):
                assert prev[common] < cur[common] or cur[common] == "*", (trigger, prev, cur)
        for attrs in entry["paths"].values():
            assert attrs["kind"] in cat.KINDS
            assert attrs.get("encoding") in (None, *cat.ENCODINGS)
            assert list(attrs) == sorted(attrs)


def test_overlay_entries_cite_aws_documentation() -> None:
    overlay = json.loads(OVERLAY.read_text(encoding="utf-8"))
    assert len(overlay["entries"]) > 50
    for entry in overlay["entries"]:
        assert entry["doc"].startswith("https://docs.aws.amazon.com/"), entry
        assert entry["why"].strip(), entry


# --------------------------------------------------------------------------- lookups


def _shape(trigger: str) -> EventShape:
    shape = shape_for(trigger)
    assert shape is not None, trigger
    return shape


def _info(trigger: str, *path: str | int) -> KeyInfo:
    info = _shape(trigger).lookup(path)
    assert info is not None, (trigger, path)
    return info


def test_shape_for_unknown_trigger_and_caching() -> None:
    assert shape_for("no-such-trigger") is None
    assert shape_for("alexa") is None  # a known trigger id without a catalogue shape
    assert shape_for("sqs") is shape_for("sqs")
    assert _shape("sqs").trigger_id == "sqs"
    assert _shape("sqs").doc == "https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html"
    assert "powertools-py:SqsModel" in _shape("sqs").sources


def test_rest_v1_nulls_versus_http_v2_absent_keys() -> None:
    for key in ("queryStringParameters", "multiValueQueryStringParameters", "pathParameters"):
        info = _info("apigw-rest", key)
        assert (info.absent, info.nullable, info.kind) == (False, True, "object"), key
    body = _info("apigw-rest", "body")
    assert (body.nullable, body.encoding) == (True, "json")
    for key in ("queryStringParameters", "body", "cookies"):
        info = _info("apigw-http", key)
        assert info.absent and not info.nullable, key
    assert _info("apigw-http", "requestContext", "authentication").absent
    assert _info("apigw-http", "requestContext", "authorizer").absent
    assert not _info("apigw-http", "requestContext", "http", "method").absent


def test_console_test_null_headers_and_alb_multi_value_mode() -> None:
    headers = _info("apigw-rest", "headers")
    assert headers.nullable and headers.open and "console" in (headers.note or "")
    assert _info("apigw-rest", "multiValueHeaders").nullable
    for key in (
        "headers",
        "multiValueHeaders",
        "queryStringParameters",
        "multiValueQueryStringParameters",
    ):
        assert _info("alb", key).absent, key
    assert _info("alb", "queryStringParameters", "q").encoding == "url"
    assert _shape("alb").lookup(("pathParameters",)) is None


def test_open_maps_and_undeclared_keys() -> None:
    header = _info("apigw-rest", "headers", "Content-Type")
    assert (header.kind, header.declared, header.absent) == ("string", False, True)
    assert _shape("apigw-rest").is_open(("headers",))
    assert _shape("apigw-rest").is_open(("requestContext", "authorizer"))
    assert not _shape("apigw-rest").is_open(("requestContext",))
    assert _shape("apigw-rest").lookup(("requestContext", "nope")) is None
    custom = _info("apigw-rest", "requestContext", "authorizer", "tenant")
    assert not custom.declared
    assert _shape("dynamodb-stream").is_open(("Records", "*", "dynamodb", "NewImage"))
    assert _shape("cloudformation-custom-resource").is_open(("ResourceProperties",))
    assert _shape("eventbridge").is_open(("detail",))
    assert _info("eventbridge", "detail").kind == "object"
    assert _info("schedule", "detail").kind == "any"
    assert _info("cognito-user-pool", "request", "userAttributes", "email").kind == "string"


def test_batches_and_encodings() -> None:
    assert _info("sqs", "Records").batch
    assert _info("kinesis", "Records").batch
    assert _info("dynamodb-stream", "Records").batch
    assert _info("firehose", "records").batch
    assert _info("kafka", "records").batch and _info("kafka", "records", "topic-0").batch
    assert _info("mq", "messages").batch
    assert _info("documentdb", "events").batch
    assert not _info("sns", "Records").batch
    assert not _info("s3", "Records").batch
    assert _info("sqs", "Records", 0, "body").encoding == "json"
    assert _info("sns", "Records", 0, "Sns", "Message").encoding == "json"
    assert _info("kinesis", "Records", "*", "kinesis", "data").encoding == "base64"
    assert _info("firehose", "records", "*", "data").encoding == "base64"
    assert _info("cloudwatch-logs", "awslogs", "data").encoding == "gzip-base64"
    assert _info("kafka", "records", "t-0", 0, "value").encoding == "base64"
    assert _info("s3", "Records", 0, "s3", "object", "key").encoding == "url"
    assert _info("s3-batch", "tasks", 0, "s3Key").encoding == "url"
    assert _info("config-rule", "invokingEvent").encoding == "json"
    assert _info("mq", "rmqMessagesByQueue", "q::/", 0, "data").encoding == "base64"


def test_nullable_and_absent_fields_of_the_rules_table() -> None:
    assert _info("sns", "Records", 0, "Sns", "Subject").nullable
    size = _info("s3", "Records", 0, "s3", "object", "size")
    assert size.absent and "ObjectRemoved" in (size.note or "")
    assert _info("s3", "Records", 0, "s3", "object", "versionId").absent
    assert _info("dynamodb-stream", "Records", 0, "dynamodb", "NewImage").absent
    assert _info("dynamodb-stream", "Records", 0, "dynamodb", "OldImage").absent
    assert not _info("dynamodb-stream", "Records", 0, "dynamodb", "Keys").absent
    assert _info("cloudformation-custom-resource", "OldResourceProperties").absent
    assert _info("lex-v2", "sessionState", "intent", "slots", "Room").nullable
    assert _info("appsync", "identity").nullable
    assert _info("sqs", "Records", 0, "attributes", "MessageGroupId").absent
    # a key below an open map keeps its own facts
    record_value = _info("kafka", "records", "t-0", 0, "value")
    assert record_value.declared and not record_value.absent


@pytest.mark.parametrize(
    ("trigger", "path", "cause"),
    [
        ("apigw-rest", ("queryStringParameters",), "request"),
        ("apigw-rest", ("body",), "request"),
        ("apigw-http", ("body",), "request"),
        ("sns", ("Records", 0, "Sns", "Subject"), "request"),
        ("apigw-rest", ("pathParameters",), "route"),
        ("apigw-http", ("pathParameters",), "route"),
        ("apigw-rest", ("requestContext", "authorizer"), "route"),
        ("apigw-rest", ("headers",), "test-invoke"),
        ("apigw-rest", ("stageVariables",), "setup"),
        ("alb", ("headers",), "setup"),
        ("sqs", ("Records", 0, "attributes", "MessageGroupId"), "setup"),
        ("cloudformation-custom-resource", ("ResponseURL",), "framework"),
        ("cloudformation-custom-resource", ("PhysicalResourceId",), "event-type"),
        ("dynamodb-stream", ("Records", 0, "dynamodb", "NewImage"), "event-type"),
        ("s3-object-lambda", ("headObjectContext",), "variant"),
        # required in every Cognito trigger that has it: missing only from the others
        ("cognito-user-pool", ("request", "userAttributes"), "variant"),
    ],
)
def test_why_a_value_is_missing(trigger: str, path: tuple[str | int, ...], cause: str) -> None:
    info = _info(trigger, *path)
    assert info.missing == cause
    assert info.absent or info.nullable


def test_keys_present_only_for_some_kinds_of_event() -> None:
    new = _info("dynamodb-stream", "Records", 0, "dynamodb", "NewImage")
    old = _info("dynamodb-stream", "Records", 0, "dynamodb", "OldImage")
    assert new.present_when == (("Records", "*", "eventName"), {"INSERT", "MODIFY"})
    assert old.present_when == (("Records", "*", "eventName"), {"MODIFY", "REMOVE"})
    assert _info("dynamodb-stream", "Records", 0, "eventName").enum == {
        "INSERT",
        "MODIFY",
        "REMOVE",
    }
    physical = _info("cloudformation-custom-resource", "PhysicalResourceId")
    assert physical.present_when == (("RequestType",), {"Update", "Delete"})
    assert _info("cloudformation-custom-resource", "RequestType").enum == {
        "Create",
        "Update",
        "Delete",
    }
    # only a cause of kind event-type names a value that tells the kinds apart
    assert _info("s3", "Records", 0, "s3", "object", "size").present_when is None


def test_dynamodb_images_hold_typed_values() -> None:
    for image in ("NewImage", "OldImage", "Keys"):
        assert _info("dynamodb-stream", "Records", 0, "dynamodb", image).encoding == "dynamodb"
    assert "dynamodb" in cat.VALUE_ENCODINGS


def test_websocket_query_strings_are_left_out_never_null() -> None:
    for key in ("queryStringParameters", "multiValueQueryStringParameters", "stageVariables"):
        info = _info("apigw-websocket", key)
        assert info.absent and not info.nullable, key
    assert _info("apigw-websocket", "queryStringParameters").missing == "request"


def test_values_only_optional_in_a_source_have_no_cause() -> None:
    # optional in the Powertools models, with no documented circumstance: no cause
    assert _info("apigw-rest", "requestContext", "identity", "apiKey").missing is None


def test_user_defined_payloads_are_open() -> None:
    for trigger in ("iot", "step-functions"):
        shape = _shape(trigger)
        assert _info(trigger).kind == "any"
        assert shape.is_open(())
        deep = _info(trigger, "anything", 0, "at_all")
        assert (deep.kind, deep.declared) == ("any", False)
        assert shape.keys_at(()) == ()


def test_lookup_edges() -> None:
    sqs = _shape("sqs")
    assert _info("sqs").kind == "object"
    assert _info("sqs", "Records", 3).path == ("Records", "*")
    assert sqs.lookup(("Records", "body")) is None  # a string key on a list
    assert sqs.lookup(("Records", 0, "body", "x")) is None  # inside a string
    assert sqs.lookup((0,)) is None  # an index on an object
    assert sqs.lookup(("Records", True)) is None
    assert sqs.keys_at(("Records",)) == ("*",)
    assert "body" in sqs.keys_at(("Records", 0))
    assert sqs.keys_at(("Records", 0, "body")) == ()
    assert sqs.keys_at(("nope",)) == ()
    assert not sqs.is_open(("nope",))
    assert _info("codepipeline", "CodePipeline.job", "data", "inputArtifacts", 0, "name")
    assert _shape("codepipeline").lookup(("CodePipeline",)) is None


def test_paths_walks_the_whole_shape() -> None:
    infos = list(_shape("secrets-manager").paths())
    assert [i.path for i in infos] == [
        (),
        ("ClientRequestToken",),
        ("RotationToken",),
        ("SecretId",),
        ("Step",),
    ]
    assert [i.absent for i in infos] == [False, False, True, False, False]
    headers = [i for i in _shape("apigw-http").paths() if i.path == ("headers", "*")]
    assert len(headers) == 1 and not headers[0].declared


# --------------------------------------------------------------------------- suggestions


@pytest.mark.parametrize(
    ("trigger", "path", "key", "expected"),
    [
        ("sqs", ("Records", 0), "Body", "did you mean 'body'?"),
        ("kinesis", ("Records", 0, "kinesis"), "Data", "did you mean 'data'?"),
        ("sns", ("Records", 0), "sns", "did you mean 'Sns'?"),
        ("eventbridge", (), "detailType", "did you mean 'detail-type'?"),
        ("eventbridge", (), "detail_type", "did you mean 'detail-type'?"),
        ("sqs", (), "Recrods", "did you mean 'Records'?"),
        ("sqs", ("Records", 0), "messageAtributes", "did you mean 'messageAttributes'?"),
        ("sqs", (), "body", "it is at Records.*.body"),
        ("s3", (), "key", "it is at Records.*.s3.object.key"),
    ],
)
def test_suggest_case_typos_and_other_levels(
    trigger: str, path: tuple[str | int, ...], key: str, expected: str
) -> None:
    hint = _shape(trigger).suggest(path, key)
    assert hint is not None and expected in hint, hint


@pytest.mark.parametrize(
    ("trigger", "path", "key", "expected"),
    [
        ("apigw-http", (), "httpMethod", "use requestContext.http.method"),
        ("function-url", (), "httpMethod", "use requestContext.http.method"),
        ("apigw-http", (), "path", "use rawPath"),
        (
            "apigw-http",
            (),
            "multiValueQueryStringParameters",
            "comma-joined in queryStringParameters",
        ),
        ("apigw-http", (), "multiValueHeaders", "comma-joined in headers"),
        ("apigw-http", ("requestContext",), "identity", "requestContext.http.sourceIp"),
        ("apigw-http", ("requestContext", "identity"), "sourceIp", "requestContext.http.sourceIp"),
        ("apigw-rest", (), "rawPath", "use path"),
        ("apigw-rest", (), "cookies", "Cookie header"),
        ("apigw-rest", ("requestContext",), "http", "http.method -> httpMethod"),
        ("apigw-rest", ("requestContext", "http"), "sourceIp", "requestContext.identity.sourceIp"),
        ("alb", (), "rawQueryString", "queryStringParameters"),
    ],
)
def test_suggest_payload_v1_v2_equivalents(
    trigger: str, path: tuple[str, ...], key: str, expected: str
) -> None:
    hint = _shape(trigger).suggest(path, key)
    assert hint is not None and expected in hint, hint
    assert "payload format" in hint


def test_suggest_only_offers_what_the_event_has() -> None:
    # ALB has no requestContext.identity, so only the method equivalent is offered
    hint = _shape("alb").suggest(("requestContext",), "http")
    assert hint is not None and "httpMethod" in hint and "identity" not in hint
    # no v1/v2 table outside the HTTP payload families
    assert _shape("sqs").suggest((), "httpMethod") is None


def test_suggest_returns_none_when_nothing_fits() -> None:
    assert _shape("sqs").suggest(("Records", 0), "body") is None  # a valid key
    assert _shape("sqs").suggest(("Records", 0), "zzzzzzzz") is None
    assert _shape("secrets-manager").suggest((), "Records") is None


def test_edit_distance() -> None:
    assert cat._distance("recrods", "records", 3) == 1  # a transposition
    assert cat._distance("body", "bdoy", 3) == 1
    assert cat._distance("abc", "abcdef", 2) == 3  # over the limit
    assert cat._distance("kitten", "sitting", 5) == 3


# --------------------------------------------------------------------------- JSON Schema


def test_json_schema_properties_required_null_and_open() -> None:
    shape = shape_from_json_schema(
        {
            "type": "object",
            "properties": {
                "orderId": {"type": "string"},
                "note": {"type": ["string", "null"]},
                "count": {"type": "integer"},
                "flags": {"type": "object", "additionalProperties": {"type": "boolean"}},
                "tags": {"type": "array", "items": {"type": "string"}},
                "payload": {"type": "string", "contentMediaType": "application/json"},
                "blob": {"type": "string", "contentEncoding": "base64"},
                "extra": {"type": "object", "additionalProperties": True},
            },
            "required": ["orderId", "note"],
        }
    )
    assert shape.trigger_id is None
    order = shape.lookup(("orderId",))
    assert order is not None and (order.kind, order.absent, order.nullable) == (
        "string",
        False,
        False,
    )
    note = shape.lookup(("note",))
    assert note is not None and (note.absent, note.nullable) == (False, True)
    assert (note.missing, order.missing) == ("schema", None)
    count = shape.lookup(("count",))
    assert count is not None and (count.kind, count.absent) == ("number", True)
    assert shape.is_open(("flags",))
    flag = shape.lookup(("flags", "x"))
    assert flag is not None and (flag.kind, flag.declared) == ("bool", False)
    assert shape.lookup(("tags", 0)) == KeyInfo(("tags", "*"), "string")
    assert shape.lookup(("payload",)).encoding == "json"  # type: ignore[union-attr]
    assert shape.lookup(("blob",)).encoding == "base64"  # type: ignore[union-attr]
    assert shape.is_open(("extra",))
    # properties without additionalProperties: closed
    assert not shape.is_open(())
    assert shape.lookup(("orderID",)) is None
    assert shape.suggest((), "orderID") == (
        "did you mean 'orderId'? (keys are case- and spelling-sensitive)"
    )


def test_json_schema_refs_and_combinators() -> None:
    schema = {
        "$defs": {
            "Item": {
                "type": "object",
                "properties": {"sku": {"type": "string"}, "children": {"$ref": "#/$defs/List"}},
                "required": ["sku"],
            },
            "List": {"type": "array", "items": {"$ref": "#/$defs/Item"}},
        },
        "definitions": {"Money": {"type": "number"}},
        "type": "object",
        "properties": {
            "items": {"$ref": "#/$defs/List"},
            "price": {"$ref": "#/definitions/Money"},
            "maybe": {"anyOf": [{"$ref": "#/definitions/Money"}, {"type": "null"}]},
            "either": {"oneOf": [{"type": "string"}, {"type": "number"}]},
            "shipping": {
                "allOf": [
                    {"type": "object", "properties": {"city": {"type": "string"}}},
                    {"required": ["city"]},
                ]
            },
            "mode": {"enum": ["fast", "slow", None]},
            "fixed": {"const": 3},
            "legacy": {"type": "string", "nullable": True},
            "byPattern": {"type": "object", "patternProperties": {"^x-": {"type": "string"}}},
        },
        "additionalProperties": False,
    }
    shape = shape_from_json_schema(schema)
    sku = shape.lookup(("items", 0, "sku"))
    assert sku is not None and (sku.kind, sku.absent) == ("string", False)
    # recursion through $ref
    deep = shape.lookup(("items", 0, "children", 1, "children", 0, "sku"))
    assert deep is not None and deep.kind == "string"
    assert shape.lookup(("price",)).kind == "number"  # type: ignore[union-attr]
    maybe = shape.lookup(("maybe",))
    assert maybe is not None and (maybe.kind, maybe.nullable) == ("number", True)
    assert shape.lookup(("either",)).kind == "any"  # type: ignore[union-attr]
    city = shape.lookup(("shipping", "city"))
    assert city is not None and (city.kind, city.absent) == ("string", False)
    mode = shape.lookup(("mode",))
    assert mode is not None and (mode.kind, mode.nullable) == ("string", True)
    assert shape.lookup(("fixed",)).kind == "number"  # type: ignore[union-attr]
    assert shape.lookup(("legacy",)).nullable  # type: ignore[union-attr]
    assert shape.is_open(("byPattern",))
    assert shape.lookup(("byPattern", "x-a")).kind == "string"  # type: ignore[union-attr]
    assert not shape.is_open(())
    assert shape.lookup(("other",)) is None
    # the recursive shape can still be walked: each cycle is entered once
    walked = {i.path for i in shape.paths()}
    assert {("items", "*", "sku"), ("items", "*", "children", "*")} <= walked
    assert ("items", "*", "children", "*", "sku") not in walked


def test_json_schema_root_ref_and_open_objects() -> None:
    tree = shape_from_json_schema(
        {
            "type": "object",
            "properties": {"name": {"type": "string"}, "kids": {"items": {"$ref": "#"}}},
        }
    )
    kid = tree.lookup(("kids", 0, "kids", 0, "name"))
    assert kid is not None and kid.kind == "string"
    anything = shape_from_json_schema({"type": "object"})
    assert anything.is_open(()) and anything.lookup(("x",)) is not None
    assert shape_from_json_schema(True).lookup(("x", 1)) is not None
    required_only = shape_from_json_schema({"required": ["id"]})
    ident = required_only.lookup(("id",))
    assert ident is not None and (ident.kind, ident.absent) == ("any", False)


@pytest.mark.parametrize("ref", ["other.json#/Thing", "#/$defs/Missing", "#Thing"])
def test_json_schema_bad_refs(ref: str) -> None:
    with pytest.raises(ValueError, match=r"\$ref"):
        shape_from_json_schema({"type": "object", "properties": {"a": {"$ref": ref}}})


def test_json_schema_for_an_eventbridge_detail() -> None:
    # a detail schema plugs into the same API the catalogue shapes use
    detail = shape_from_json_schema(
        {
            "type": "object",
            "properties": {"orderId": {"type": "string"}, "total": {"type": "number"}},
            "required": ["orderId"],
        }
    )
    assert detail.keys_at(()) == ("orderId", "total")
    assert detail.suggest((), "orderid") is not None
    assert detail.suggest((), "orderId") is None


# --------------------------------------------------------------------------- drift


def test_generator_reproduces_the_catalogue() -> None:
    if sys.version_info < (3, 10):
        pytest.skip(
            "the catalogue's pinned source (aws-lambda-powertools 3.37.0) needs Python 3.10+"
        )
    powertools = pytest.importorskip("aws_lambda_powertools")
    pytest.importorskip("pydantic")
    version = getattr(powertools, "__version__", None)
    if version is None:
        from aws_lambda_powertools.shared.version import VERSION as version
    if version != "3.37.0":
        pytest.skip(f"the catalogue is pinned to aws-lambda-powertools 3.37.0, not {version}")
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--stdout"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == CATALOGUE.read_bytes()
