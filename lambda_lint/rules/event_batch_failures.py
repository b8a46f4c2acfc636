"""LL406: a batch handler whose one failing record fails the whole batch."""

from __future__ import annotations

import libcst as cst

from lambda_lint.model.names import string_value
from lambda_lint.rule import Example
from lambda_lint.rules.event_reads import EventRule
from lambda_lint.triggers import TRIGGERS
from lambda_lint.walk import descendants

#: decoders a record's payload goes through
READERS = frozenset(
    {
        "json.loads",
        "json.dumps",
        "base64.b64decode",
        "base64.standard_b64decode",
        "base64.b64encode",
    }
)
#: methods of text, bytes, mappings and lists that only read, reshape or gather values
READING_METHODS = frozenset(
    {
        "decode",
        "encode",
        "get",
        "keys",
        "values",
        "items",
        "split",
        "strip",
        "lower",
        "upper",
        "format",
        "replace",
        "startswith",
        "endswith",
        "join",
        "append",
        "extend",
    }
)


class BatchWithoutPartialFailure(EventRule):
    """
    ## What it does
    Reports an SQS, Kinesis or DynamoDB Streams handler that loops over its records
    with no per-record error handling and no `batchItemFailures` in its answer (one
    record's exception fails the whole batch), and a handler that returns
    `batchItemFailures` while its event source mapping, as the descriptor declares it,
    lacks `ReportBatchItemFailures` (the list is ignored). Handlers using Powertools
    batch processing are fine, and so are loops that only decode, gather, print or log
    the records, or delete each message from the queue once handled.

    ## Why is this bad?
    Without partial batch responses one poison message makes Lambda retry the whole
    batch — records that succeeded are processed again, and the batch blocks the shard
    or queue until it expires. Returning failures without enabling the setting retries
    nothing selectively: the batch counts as a success.

    ## Example
    ```python
    def handler(event, context):
        for record in event["Records"]:
            process(record)
    ```

    ## Use instead
    ```python
    def handler(event, context):
        failures = []
        for record in event["Records"]:
            try:
                process(record)
            except Exception:
                failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}
    ```
    """

    code = "LL406"
    name = "batch-without-partial-failure"
    summary = "Batch handler without partial batch failure reporting"
    default_enabled = False
    VALID = [
        Example(
            "def handler(event, context):\n    failures = []\n    for r in event['Records']:\n"
            "        try:\n            work(r)\n        except Exception:\n"
            "            failures.append({'itemIdentifier': r['messageId']})\n"
            "    return {'batchItemFailures': failures}\n\ndef work(r):\n    return r\n",
            trigger="sqs",
        ),
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n        print(r)\n",
            trigger="sns",
        ),
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n        try:\n"
            "            work(r)\n        except ValueError:\n            continue\n\n"
            "def work(r):\n    return r\n",
            trigger="kinesis",
        ),
        # a loop that only decodes and prints has nothing a retry would redo
        Example(
            "import base64\n\ndef handler(event, context):\n    for r in event['Records']:\n"
            "        print(base64.b64decode(r['kinesis']['data']).decode())\n",
            trigger="kinesis",
        ),
        # the batch is gathered and handled as one unit after the loop
        Example(
            "import json\n\ndef handler(event, context):\n    rows = []\n"
            "    for r in event['Records']:\n        rows.append(json.loads(r['body']))\n"
            "    return save(rows)\n\ndef save(rows):\n    return rows\n",
            trigger="sqs",
        ),
        # each message is deleted once handled: a later failure does not retry it
        Example(
            "import boto3\n\nsqs = boto3.client('sqs')\n\ndef handler(event, context):\n"
            "    for r in event['Records']:\n        work(r)\n"
            "        sqs.delete_message(QueueUrl='q', ReceiptHandle=r['receiptHandle'])\n\n"
            "def work(r):\n    return r\n",
            trigger="sqs",
        ),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n        work(r)\n\n"
            "def work(r):\n    return r\n",
            trigger="sqs",
            message="whole batch",
        ),
        # a client made in the handler is no built-in
        Example(
            "import boto3\n\ndef handler(event, context):\n    sns = boto3.client('sns')\n"
            "    for r in event['Records']:\n        sns.publish(TopicArn='t', Message=r['body'])\n",
            trigger="sqs",
        ),
        Example(
            "def handler(event, context):\n    records = event['Records']\n"
            "    for r in records:\n        work(r)\n\ndef work(r):\n    return r\n",
            trigger="dynamodb-stream",
        ),
        Example(
            "def handler(event, context):\n    return {'batchItemFailures': []}\n",
            files={
                "template.yaml": "Transform: AWS::Serverless-2016-10-31\nResources:\n"
                "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                "      Handler: app.handler\n      CodeUri: .\n      Events:\n        Q:\n"
                "          Type: SQS\n          Properties:\n            Queue: arn:aws:sqs:x\n"
            },
            message="ReportBatchItemFailures",
        ),
    ]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        handler = self.context.handler()
        trigger = TRIGGERS.get(handler.trigger or "") if handler is not None else None
        if handler is None or trigger is None or not trigger.partial_batch_response:
            return
        returns_failures = _mentions(node, "batchItemFailures")
        if returns_failures:
            declared = [b for b in handler.bindings if b.source.kind != "config"]
            if declared and not any(b.report_batch_item_failures for b in declared):
                self.report(
                    node.name,
                    "the handler returns batchItemFailures but its event source mapping "
                    "does not enable ReportBatchItemFailures: the list is ignored",
                )
            return
        loop = self._unprotected_record_loop(node)
        if loop is not None and not _mentions(node, "process_partial_response"):
            self.report(
                node.name,
                "one failing record fails the whole batch (no try/except per record, no "
                "batchItemFailures): every record is retried",
            )

    def _unprotected_record_loop(self, function: cst.FunctionDef) -> cst.For | None:
        for node in descendants(function.body):
            if isinstance(node, cst.For):
                value = self.value(node.iter)
                info = value.info if value else None
                if (
                    info is not None
                    and info.batch
                    and not _has_try(node.body)
                    and self._acts(node.body)
                ):
                    return node
        return None

    def _acts(self, body: cst.BaseSuite) -> bool:
        """Whether the loop does work a retry would repeat: some call other than showing
        or decoding the record, and no `delete_message` (a record deleted from the
        queue once handled is not retried with the batch)."""
        calls = [node for node in descendants(body) if isinstance(node, cst.Call)]
        if any(_method(call) == "delete_message" for call in calls):
            return False
        return any(not self.shows(call) and not self._reads(call) for call in calls)

    def _reads(self, call: cst.Call) -> bool:
        """A built-in, a decoder or a method of text and mappings: reading the record."""
        name = self.context.qualified_name(call.func) or ""
        builtin = isinstance(call.func, cst.Name) and name.startswith("builtins.")
        return builtin or name in READERS or _method(call) in READING_METHODS


def _method(call: cst.Call) -> str | None:
    return call.func.attr.value if isinstance(call.func, cst.Attribute) else None


def _has_try(body: cst.BaseSuite) -> bool:
    return any(isinstance(node, cst.Try) for node in descendants(body))


def _mentions(function: cst.FunctionDef, text: str) -> bool:
    """Whether a string literal or name in the function is `text`."""
    for node in descendants(function.body):
        if isinstance(node, cst.SimpleString) and string_value(node) == text:
            return True
        if isinstance(node, cst.Name) and node.value == text:
            return True
    return False
