"""Generate a synthetic, realistic Lambda project for speed measurements.

    python benchmarks/generate.py OUT_DIR --functions 200

Each function gets a handler module (an SQS, API or DynamoDB handler with a few event
reads, a client, logging) and a helper module it imports; a SAM template names them all.
The code is deterministic: the same arguments give the same tree.
"""

from __future__ import annotations

import argparse
from pathlib import Path

HANDLERS = {
    "api": (
        "Api",
        "          Properties:\n            Path: /items{n}/{{itemId}}\n            Method: get\n",
        """
import json
import logging
import os

import boto3

from helpers_{n} import load_item, respond

logger = logging.getLogger()
TABLE = boto3.resource("dynamodb").Table(os.environ.get("TABLE", "t"))


def handler(event, context):
    item_id = event["pathParameters"]["itemId"]
    params = event.get("queryStringParameters") or {{}}
    fields = params.get("fields", "").split(",")
    logger.info("request %s for %s", context.aws_request_id, item_id)
    item = load_item(TABLE, item_id, fields)
    if item is None:
        return respond(404, {{"message": "not found"}})
    return respond(200, item)
""",
    ),
    "sqs": (
        "SQS",
        "          Properties:\n            Queue: !GetAtt Queue{n}.Arn\n",
        """
import json
import logging

from helpers_{n} import process_order

logger = logging.getLogger()


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            order = json.loads(record["body"])
            process_order(order, record["messageAttributes"])
        except Exception:
            logger.exception("record %s failed", record["messageId"])
            failures.append({{"itemIdentifier": record["messageId"]}})
    return {{"batchItemFailures": failures}}
""",
    ),
    "stream": (
        "DynamoDB",
        "          Properties:\n            Stream: !GetAtt Table{n}.StreamArn\n"
        "            StartingPosition: LATEST\n",
        """
import logging

from helpers_{n} import audit

logger = logging.getLogger()


def handler(event, context):
    for record in event["Records"]:
        if record["eventName"] == "REMOVE":
            audit(record["dynamodb"]["Keys"], None)
            continue
        audit(record["dynamodb"]["Keys"], record["dynamodb"]["NewImage"])
    return {{"count": len(event["Records"])}}
""",
    ),
}

HELPERS = """
import json
import os
from decimal import Decimal

import boto3

_client = None


def _sqs():
    global _client
    if _client is None:
        _client = boto3.client("sqs")
    return _client


def load_item(table, item_id, fields):
    found = table.get_item(Key={{"id": item_id}}).get("Item")
    if found and fields != [""]:
        found = {{k: v for k, v in found.items() if k in fields}}
    return found


def respond(status, payload):
    return {{"statusCode": status, "body": json.dumps(payload, default=str)}}


def process_order(order, attributes):
    kind = attributes.get("kind", {{}}).get("stringValue", "standard")
    total = sum(Decimal(str(line["price"])) * line["qty"] for line in order.get("lines", []))
    _sqs().send_message(QueueUrl=os.environ.get("OUT", "q"), MessageBody=json.dumps(
        {{"id": order.get("id"), "kind": kind, "total": str(total)}}
    ))


def audit(keys, image):
    return {{"keys": keys, "image": image, "n": {n}}}
"""


def generate(out: Path, functions: int) -> None:
    src = out / "src"
    src.mkdir(parents=True, exist_ok=True)
    kinds = list(HANDLERS)
    resources = []
    for n in range(functions):
        kind = kinds[n % len(kinds)]
        event_type, properties, code = HANDLERS[kind]
        (src / f"fn_{n}.py").write_text(code.format(n=n).lstrip(), encoding="utf-8")
        (src / f"helpers_{n}.py").write_text(HELPERS.format(n=n).lstrip(), encoding="utf-8")
        resources.append(
            f"  Function{n}:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            f"      Handler: fn_{n}.handler\n      Events:\n        Trigger:\n"
            f"          Type: {event_type}\n{properties.format(n=n)}"
        )
    template = (
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n"
        "Globals:\n  Function:\n    Runtime: python3.12\n    CodeUri: src/\n"
        "Resources:\n" + "".join(resources)
    )
    (out / "template.yaml").write_text(template, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--functions", type=int, default=200)
    args = parser.parse_args()
    generate(args.out, args.functions)
    print(f"wrote {args.functions * 2} Python files and template.yaml to {args.out}")


if __name__ == "__main__":
    main()
