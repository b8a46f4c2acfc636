"""The Python code the synthetic project is made of, as `string.Template` text.

Every template uses `${name}` placeholders: `${n}` keeps names unique within a file,
`${entity}`/`${Entity}` and `${action}` name the function's domain. `generate.py`
decides which templates go where; this module only holds the code.
"""

from __future__ import annotations

from string import Template

# -- module headers -------------------------------------------------------------------------

LIBRARY_HEADER = Template('''"""${doc}"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal

import boto3
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
${imports}
logger = logging.getLogger(__name__)
''')

# -- filler: the private functions and classes any module is padded with -------------------

FILLERS = [
    Template('''
def query_page_${n}(table, key, limit=25, start=None):
    """Read one page of items under `key`, newest first."""
    kwargs = {"KeyConditionExpression": Key("pk").eq(key), "Limit": limit, "ScanIndexForward": False}
    if start:
        kwargs["ExclusiveStartKey"] = start
    response = table.query(**kwargs)
    items = [clean_item_${n}(item) for item in response.get("Items", [])]
    return items, response.get("LastEvaluatedKey")


def clean_item_${n}(item):
    return {key: (int(value) if isinstance(value, Decimal) else value) for key, value in item.items()}
'''),
    Template('''
def with_retries_${n}(action, attempts=3, delay=0.2):
    """Call `action` until it succeeds, backing off between throttled attempts."""
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code not in ("ThrottlingException", "ProvisionedThroughputExceededException"):
                raise
            logger.warning("throttled (attempt %d of %d): %s", attempt, attempts, code)
            time.sleep(delay * 2**attempt)
    raise RuntimeError(f"gave up after {attempts} attempts")
'''),
    Template('''
class ${Entity}Cache${n}:
    """A small in-memory cache with expiry, kept across invocations."""

    def __init__(self, ttl_seconds=300):
        self.ttl_seconds = ttl_seconds
        self._entries = {}

    def get(self, key):
        entry = self._entries.get(key)
        if entry is None:
            return None
        value, stored_at = entry
        if time.time() - stored_at > self.ttl_seconds:
            del self._entries[key]
            return None
        return value

    def put(self, key, value):
        self._entries[key] = (value, time.time())

    def __len__(self):
        return len(self._entries)
'''),
    Template('''
def validate_${entity}_${n}(payload):
    """Check the fields a ${entity} record needs; return the problems found."""
    problems = []
    for name in ("id", "status", "created_at"):
        if not payload.get(name):
            problems.append(f"{name} is required")
    if "amount" in payload and Decimal(str(payload["amount"])) < 0:
        problems.append("amount must not be negative")
    status = payload.get("status")
    if status is not None and status not in ("new", "active", "closed"):
        problems.append(f"unknown status {status!r}")
    return problems
'''),
    Template('''
def export_${entity}_${n}(s3_client, bucket, items):
    """Write items to S3 as JSON lines under a dated key."""
    stamp = datetime.now(timezone.utc).strftime("%Y/%m/%d/%H%M%S")
    key = f"exports/${entity}/{stamp}.jsonl"
    body = "\\n".join(json.dumps(item, default=str) for item in items)
    s3_client.put_object(Bucket=bucket, Key=key, Body=body.encode("utf-8"))
    logger.info("exported %d ${entity} items to s3://%s/%s", len(items), bucket, key)
    return key
'''),
    Template('''
def summarise_${n}(records):
    """Totals per status and the grand total of the amounts."""
    totals = {}
    grand = Decimal("0")
    for record in records:
        status = record.get("status", "unknown")
        amount = Decimal(str(record.get("amount", 0)))
        totals[status] = totals.get(status, Decimal("0")) + amount
        grand += amount
    ranked = sorted(totals.items(), key=lambda pair: pair[1], reverse=True)
    return {"by_status": dict(ranked), "total": str(grand), "count": len(records)}
'''),
    Template('''
@dataclass
class ${Entity}Record${n}:
    """One ${entity} record as stored in the table."""

    id: str
    status: str = "new"
    amount: Decimal = Decimal("0")
    tags: list = field(default_factory=list)
    updated_at: str = ""

    @classmethod
    def from_item(cls, item):
        return cls(
            id=item["id"],
            status=item.get("status", "new"),
            amount=Decimal(str(item.get("amount", 0))),
            tags=list(item.get("tags", [])),
            updated_at=item.get("updated_at", ""),
        )

    def to_item(self):
        return {"id": self.id, "status": self.status, "amount": self.amount, "tags": self.tags}
'''),
    Template('''
def publish_changes_${n}(events_client, bus_name, changes):
    """Send one EventBridge entry per change, ten at a time."""
    entries = [
        {
            "Source": "app.${entity}",
            "DetailType": "${Entity} Changed",
            "Detail": json.dumps(change, default=str),
            "EventBusName": bus_name,
        }
        for change in changes
    ]
    failed = 0
    for start in range(0, len(entries), 10):
        response = events_client.put_events(Entries=entries[start : start + 10])
        failed += response.get("FailedEntryCount", 0)
    if failed:
        logger.error("%d of %d events were not delivered", failed, len(entries))
    return failed
'''),
    Template('''
def parse_timestamp_${n}(value):
    """A timezone-aware datetime from an ISO string or epoch seconds; None if unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float, Decimal)):
        return datetime.fromtimestamp(float(value), tz=timezone.utc)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        logger.debug("unreadable timestamp %r", value)
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
'''),
    Template('''
def save_all_${n}(table, items):
    """Write items in batches; returns how many were written."""
    written = 0
    with table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
        for item in items:
            if not item.get("pk"):
                logger.warning("skipping item without a key: %s", item)
                continue
            batch.put_item(Item=item)
            written += 1
    return written
'''),
    Template('''
def lookup_secret_${n}(name):
    """Read a secret's JSON value."""
    client = boto3.client("secretsmanager")
    value = client.get_secret_value(SecretId=name)["SecretString"]
    return json.loads(value)
'''),
    Template('''
def render_table_${n}(rows, columns):
    """A plain-text table of `rows` (dicts) for the given columns."""
    widths = {column: len(column) for column in columns}
    for row in rows:
        for column in columns:
            widths[column] = max(widths[column], len(str(row.get(column, ""))))
    header = "  ".join(column.ljust(widths[column]) for column in columns)
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append("  ".join(str(row.get(column, "")).ljust(widths[column]) for column in columns))
    return "\\n".join(lines)
'''),
    Template('''
class ${Entity}Error${n}(Exception):
    """A ${entity} request that cannot be served, with the HTTP status to answer."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status

    def as_response(self):
        return {"statusCode": self.status, "body": json.dumps({"message": str(self)})}


def guarded_${n}(function):
    """Turn a ${Entity}Error${n} raised by `function` into its response."""

    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except ${Entity}Error${n} as error:
            logger.info("refused: %s", error)
            return error.as_response()

    return wrapper
'''),
    Template('''
def environment_${n}():
    """The settings this module reads from the environment, with defaults."""
    return {
        "table": os.environ.get("TABLE_NAME", "${entity}"),
        "bucket": os.environ.get("BUCKET_NAME", "${entity}-exports"),
        "page_size": int(os.environ.get("PAGE_SIZE", "25")),
        "debug": os.environ.get("DEBUG", "false").lower() == "true",
    }
'''),
]

# -- the helper modules a function's handler imports ----------------------------------------

SERVICE = Template('''
${table_line}

def process(payload, request_id):
    """Apply `${action}` to one ${entity} and return the stored item."""
    require(payload, "id")
    item = {**payload, "updated_by": request_id, "updated_at": datetime.now(timezone.utc).isoformat()}
    ${normalise_line}
    ${save_line}
    publish("${Entity} ${Action}", {"id": item["id"]})
    logger.info("${action} %s", item["id"])
    return item
''')

REPOSITORY = Template('''
_table = boto3.resource("dynamodb").Table(os.environ.get("TABLE_NAME", "${entity}"))


def load(item_id):
    """The stored ${entity}, or None."""
    try:
        return _table.get_item(Key={"pk": item_id, "sk": "${entity}"}).get("Item")
    except ClientError:
        logger.exception("could not read %s", item_id)
        raise


def save(item):
    _table.put_item(Item={**item, "pk": item["id"], "sk": "${entity}"})
''')

MODELS = Template('''
@dataclass
class ${Entity}:
    """A ${entity} as the API sees it."""

    id: str
    status: str = "new"
    notes: list = field(default_factory=list)

    @classmethod
    def from_payload(cls, payload):
        return cls(id=str(payload["id"]), status=payload.get("status", "new"), notes=payload.get("notes", []))

    def as_dict(self):
        return {"id": self.id, "status": self.status, "notes": list(self.notes)}
''')

# -- handler modules, one per trigger -------------------------------------------------------

HANDLER_HEADER = Template('''"""${Entity}: ${action}, triggered by ${trigger}."""

import base64
import json
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from urllib.parse import unquote_plus

import boto3
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from service import process
from shared.logging_utils import get_logger
from shared.responses import error, ok
${imports}
logger = get_logger(__name__)${extra}
MAX_ITEMS = 100
''')

HANDLERS = {
    "api": Template("""

def lambda_handler(event, context):
    item_id = event["pathParameters"]["id"]
    ${params_line}
    limit = min(int(params.get("limit", MAX_ITEMS)), MAX_ITEMS)
    try:
        payload = json.loads(event.get("body") or "{}")
    except json.JSONDecodeError:
        return error(400, "body is not JSON")
    payload["id"] = item_id
    logger.info("request %s: ${action} %s (limit %d)", context.aws_request_id, item_id, limit)
    try:
        item = process(${payload}, context.aws_request_id)
    except ValueError as problem:
        return error(422, str(problem))
    return ok(item)
"""),
    "http": Template("""

def lambda_handler(event, context):
    method = event["requestContext"]["http"]["method"]
    if "json" not in event["headers"].get("${header}", "json"):
        return error(415, "send JSON")
    body = event.get("body") or "{}"
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8")
    payload = json.loads(body)
    payload.setdefault("id", (event.get("pathParameters") or {}).get("id", ""))
    logger.info("%s %s", method, event["rawPath"])
    item = process(${payload}, context.aws_request_id)
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(item, default=str),
    }
"""),
    "sqs": Template("""

def lambda_handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            payload = json.loads(record["body"])
            process(${payload}, record["messageId"])
        except Exception:
            logger.exception("message %s failed", record["messageId"])
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
"""),
    "stream": Template("""

def lambda_handler(event, context):
    changed = 0
    for record in event["Records"]:
        keys = record["dynamodb"]["Keys"]
        if record["eventName"] == "REMOVE":
            logger.info("removed %s", keys)
            continue
        image = record["dynamodb"].get("NewImage", {})
        payload = {name: next(iter(value.values())) for name, value in image.items()}
        process(${payload}, record["eventID"])
        changed += 1
    return {"changed": changed}
"""),
    "s3": Template("""

def lambda_handler(event, context):
    ${client_line}
    done = 0
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        ${key_line}
        if record["s3"]["object"].get("size", 0) > MAX_ITEMS * 1024:
            logger.warning("skipping large object s3://%s/%s", bucket, key)
            continue
        payload = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        process(${payload}, context.aws_request_id)
        done += 1
    return {"processed": done}
"""),
    "schedule": Template("""

def lambda_handler(event, context):
    logger.info("run at %s, %d ms left", event.get("time"), context.get_remaining_time_in_millis())
    ${client_line}
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=os.environ.get("BUCKET_NAME", "${entity}-inbox"), PaginationConfig={"MaxItems": MAX_ITEMS}
    )
    seen = 0
    for page in pages:
        for entry in page.get("Contents", []):
            process(${payload}, context.aws_request_id)
            seen += 1
    return {"seen": seen}
"""),
    "eventbridge": Template("""

def lambda_handler(event, context):
    detail = event["detail"]
    logger.info("%s from %s", event["detail-type"], event["source"])
    if not detail.get("id"):
        logger.warning("event %s has no id", event["id"])
        return {"skipped": True}
    payload = dict(detail)
    item = process(${payload}, context.aws_request_id)
    return ok(item)
"""),
}

# -- the shared library package -------------------------------------------------------------

SHARED_CORE = {
    "responses": '''
def json_response(status, body, headers=None):
    """An API Gateway proxy response with a JSON body."""
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", **(headers or {})},
        "body": json.dumps(body, default=str),
    }


def ok(body):
    return json_response(200, body)


def error(status, message):
    logger.info("answering %d: %s", status, message)
    return json_response(status, {"message": message})
''',
    "logging_utils": '''
LEVEL = os.environ.get("LOG_LEVEL", "INFO")


def get_logger(name):
    """A logger at the configured level."""
    named = logging.getLogger(name)
    named.setLevel(LEVEL)
    return named


def log_event(target, event):
    keys = sorted(event) if isinstance(event, dict) else []
    target.debug("event keys: %s", ", ".join(keys))
''',
    "validation": '''
class ValidationError(ValueError):
    """A payload that lacks what the operation needs."""


def require(payload, *names):
    """Raise ValidationError naming the first missing field."""
    for name in names:
        if payload.get(name) in (None, ""):
            raise ValidationError(f"{name} is required")
    return payload
''',
    "clients": '''
dynamodb = boto3.resource("dynamodb")
s3 = boto3.client("s3")
_sqs = None


def sqs():
    """The SQS client, made once per execution environment."""
    global _sqs
    if _sqs is None:
        _sqs = boto3.client("sqs")
    return _sqs


def table(name):
    return dynamodb.Table(name)
''',
    "events": '''
_events = boto3.client("events")
BUS = os.environ.get("EVENT_BUS", "default")


def publish(detail_type, detail):
    """Put one event on the application's bus."""
    entry = {"Source": "app", "DetailType": detail_type, "Detail": json.dumps(detail, default=str)}
    response = _events.put_events(Entries=[{**entry, "EventBusName": BUS}])
    if response.get("FailedEntryCount"):
        logger.error("event %s was not delivered", detail_type)
''',
    "config": '''
_cache = {}


def setting(name, default=None):
    """A setting from the environment, read once."""
    if name not in _cache:
        _cache[name] = os.environ.get(name, default)
    return _cache[name]
''',
}

DOMAIN_MODULE = Template('''

def normalise_${entity}(item):
    """A ${entity} item with its keys in lower case and a status."""
    require(item, "id")
    cleaned = {str(key).lower(): value for key, value in item.items()}
    cleaned.setdefault("status", "new")
    return cleaned
''')

# -- files no handler reaches ---------------------------------------------------------------

TEST_MODULE = Template('''"""Tests for ${entity} ${action}."""

import json
from unittest import mock

import pytest


def make_event_${n}(body=None, **overrides):
    event = {
        "pathParameters": {"id": "${entity}-1"},
        "queryStringParameters": None,
        "body": json.dumps(body or {"status": "new"}),
    }
    event.update(overrides)
    return event


@pytest.fixture
def context_${n}():
    context = mock.Mock()
    context.aws_request_id = "req-1"
    context.get_remaining_time_in_millis.return_value = 30000
    return context


def test_event_has_an_id_${n}():
    assert make_event_${n}()["pathParameters"]["id"] == "${entity}-1"


@pytest.mark.parametrize("status", ["new", "active", "closed"])
def test_body_round_trips_${n}(status):
    event = make_event_${n}({"status": status})
    assert json.loads(event["body"])["status"] == status
''')

TEST_FILLER = Template("""

def test_overrides_win_${n}():
    event = make_event_${k}(queryStringParameters={"limit": "${n}"})
    assert event["queryStringParameters"]["limit"] == "${n}"
    assert "body" in event


def test_context_time_${n}(context_${k}):
    assert context_${k}.get_remaining_time_in_millis() > ${n}
""")

SCRIPT = Template('''"""Operator script: ${action} every ${entity} item (run by hand, not deployed)."""

import argparse
import json
import logging
import sys

import boto3

logging.basicConfig(level=logging.INFO)
logger = logging.getLogger("${action}-${entity}")
dynamodb = boto3.resource("dynamodb")


def scan_all(table_name):
    table = dynamodb.Table(table_name)
    kwargs = {}
    while True:
        page = table.scan(**kwargs)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("table")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    count = 0
    for item in scan_all(args.table):
        if args.dry_run:
            print(json.dumps(item, default=str))
        count += 1
    logger.info("%d items", count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
''')
