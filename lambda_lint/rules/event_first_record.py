"""LL403: a batch handler that handles only the first record."""

from __future__ import annotations

import libcst as cst

from lambda_lint.events.catalogue import EventShape
from lambda_lint.model.flow import ITEM
from lambda_lint.rule import Example
from lambda_lint.rules.event_reads import EventRule, dotted
from lambda_lint.triggers import TRIGGERS, Trigger
from lambda_lint.walk import descendants

_SQS_TEMPLATE = (
    "Transform: AWS::Serverless-2016-10-31\nResources:\n"
    "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
    "      Handler: app.handler\n      CodeUri: .\n      Events:\n        Q:\n"
    "          Type: SQS\n          Properties:\n            Queue: arn:aws:sqs:x\n"
    "            BatchSize: 1\n"
)


class FirstRecordOnly(EventRule):
    """
    ## What it does
    Reports a handler of a batch trigger (SQS, Kinesis, DynamoDB Streams, Kafka,
    Firehose, Amazon MQ) that handles only the first record: it reads
    `event["Records"][0]` and never iterates over the records, or its loop over the
    records returns after the first one. SNS and S3 deliver one record per event and
    are not reported, nor is a handler whose event sources all set `BatchSize: 1`.

    ## Why is this bad?
    The event source mapping delivers up to `BatchSize` records per invocation. Every
    record but the first is deleted from the queue (or skipped in the stream) as if it
    had been processed: silent data loss that grows with load.

    ## Example
    ```python
    def handler(event, context):
        message = json.loads(event["Records"][0]["body"])
        process(message)
    ```

    ## Use instead
    ```python
    def handler(event, context):
        for record in event["Records"]:
            process(json.loads(record["body"]))
    ```
    """

    code = "LL403"
    name = "first-record-only"
    summary = "Batch handler reads only the first record"
    VALID = [
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n        print(r['body'])\n",
            trigger="sqs",
        ),
        Example(
            "def handler(event, context):\n    return event['Records'][0]['Sns']['Message']\n",
            trigger="sns",
        ),
        Example(
            "def handler(event, context):\n    first = event['Records'][0]\n"
            "    return [r['body'] for r in event['Records']], first\n",
            trigger="sqs",
        ),
        Example(
            "def handler(event, context):\n    return event['Records'][0]['s3']['bucket']['name']\n",
            trigger="s3",
        ),
        Example(
            "def handler(event, context):\n    return event['Records'][0]['body']\n",
            files={"template.yaml": _SQS_TEMPLATE},
        ),
        # a return under a condition ends the loop for some records only
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        if not r['body']:\n            return {'ok': False}\n"
            "        print(r['body'])\n    return {'ok': True}\n",
            trigger="sqs",
        ),
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n        print(r)\n"
            "    return {'ok': True}\n",
            trigger="kinesis",
        ),
    ]
    INVALID = [
        Example(
            "import json\n\ndef handler(event, context):\n"
            "    return json.loads(event['Records'][0]['body'])\n",
            trigger="sqs",
        ),
        Example(
            "def handler(event, context):\n    record = event['Records'][0]\n"
            "    return record['kinesis']['data']\n",
            trigger="kinesis",
        ),
        Example(
            "def handler(event, context):\n    records = event['Records']\n"
            "    return records[0]['dynamodb']\n",
            trigger="dynamodb-stream",
        ),
        Example(
            "import json\n\ndef handler(event, context):\n    for record in event['Records']:\n"
            "        print(json.loads(record['body']))\n        return {'ok': True}\n",
            trigger="sqs",
            at="return {'ok': True}",
            message="returns",
        ),
    ]

    def visit_Subscript(self, node: cst.Subscript) -> None:
        access = self.access(node)
        if access is None or access.key != ITEM or access.by_get:
            return
        container = access.container
        trigger = self._batch_trigger(container.trigger, container.path, container.shape)
        if trigger is None or not _is_first_index(node):
            return
        function = self.context.function_node()
        if function is None or self._iterates(function, container.path):
            return
        self.report_path(
            node,
            container.path,
            f"only the first record of the {trigger.title} batch is read; the others are "
            f"dropped as if processed: loop over `{dotted(container.path)}`",
        )

    def visit_For(self, node: cst.For) -> None:
        value = self.value(node.iter)
        if value is None:
            return
        trigger = self._batch_trigger(value.trigger, value.path, value.shape)
        stop = _unconditional_return(node.body) if trigger is not None else None
        if trigger is None or stop is None:
            return
        self.report_path(
            stop,
            value.path,
            f"the loop over `{dotted(value.path)}` returns after the first record: the "
            f"other records of the {trigger.title} batch are dropped as if processed",
        )

    def _batch_trigger(
        self, trigger_id: str, path: tuple[str, ...], shape: EventShape
    ) -> Trigger | None:
        """The trigger, when `path` is its batch of records and more than one record can
        arrive."""
        trigger = TRIGGERS.get(trigger_id)
        info = shape.lookup(path)
        if trigger is None or not trigger.batch or info is None or not info.batch:
            return None
        return None if self._one_record_per_batch() else trigger

    def _one_record_per_batch(self) -> bool:
        """The descriptor sets `BatchSize: 1` on every event source of the handler."""
        sizes = [b.batch_size for b in self.bindings()]
        return bool(sizes) and all(size == 1 for size in sizes)

    def _iterates(self, function: cst.FunctionDef, path: tuple[str, ...]) -> bool:
        """Whether the function loops over the batch (or hands it whole to a call)."""
        for node in descendants(function.body):
            if isinstance(node, (cst.For, cst.CompFor)):
                candidates = [node.iter]
            elif isinstance(node, cst.Call):
                candidates = [arg.value for arg in node.args]
            else:
                continue
            for candidate in candidates:
                value = self.value(candidate)
                if value is not None and value.path == path:
                    return True
        return False


def _is_first_index(node: cst.Subscript) -> bool:
    element = node.slice[0].slice
    return (
        isinstance(element, cst.Index)
        and isinstance(element.value, cst.Integer)
        and (element.value.evaluated_value == 0)
    )


def _unconditional_return(body: cst.BaseSuite) -> cst.Return | None:
    """A `return` every pass through a loop body reaches: one of its own statements,
    or one in a `try` or `with` block among them (not under an `if`)."""
    if not isinstance(body, cst.IndentedBlock):
        return None
    for statement in body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            found = next((s for s in statement.body if isinstance(s, cst.Return)), None)
            if found is not None:
                return found
        elif isinstance(statement, (cst.Try, cst.With)):
            found = _unconditional_return(statement.body)
            if found is not None:
                return found
    return None
