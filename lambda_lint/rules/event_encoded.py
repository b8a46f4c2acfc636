"""LL404: an encoded event field (JSON text, base64 data) used before it is decoded."""

from __future__ import annotations

import libcst as cst

from lambda_lint.rule import Example
from lambda_lint.rules.event_reads import EventRule, dotted


class EncodedFieldUsedRaw(EventRule):
    """
    ## What it does
    Reports a field that arrives encoded used as if it were decoded: a JSON string
    (API Gateway and Function URL `body`, SQS `body`, SNS `Message`) subscripted or
    `.get()` on, or base64 data (Kinesis and Firehose `data`, CloudWatch Logs
    `awslogs.data` — gzip too —, Kafka `value`) given to `json.loads` before
    `base64.b64decode`. A handler behind a decorator that may hand it another event
    is left alone: a decorator of the project that writes into the event
    (`event["body"] = json.loads(event["body"])`), or one lambda-lint does not know.

    ## Why is this bad?
    `event["body"]["id"]` raises `TypeError: string indices must be integers`;
    `json.loads` of base64 text raises `JSONDecodeError`. Local tests often pass dicts
    where Lambda passes strings.

    ## Example
    ```python
    def handler(event, context):
        for record in event["Records"]:
            order_id = record["body"]["orderId"]
    ```

    ## Use instead
    ```python
    def handler(event, context):
        for record in event["Records"]:
            order_id = json.loads(record["body"])["orderId"]
    ```
    """

    code = "LL404"
    name = "encoded-field-used-raw"
    summary = "Encoded event field used before decoding"
    VALID = [
        Example(
            "import json\n\ndef handler(event, context):\n"
            "    return json.loads(event['body'] or '{}')['id']\n",
            trigger="apigw-rest",
        ),
        Example(
            "import base64, json\n\ndef handler(event, context):\n"
            "    for r in event['Records']:\n"
            "        print(json.loads(base64.b64decode(r['kinesis']['data'])))\n",
            trigger="kinesis",
        ),
        Example(
            "import json\n\ndef handler(event, context):\n    for r in event['Records']:\n"
            "        body = json.loads(r['body'])\n        print(body['id'])\n",
            trigger="sqs",
        ),
        # the project's decorator decodes the body before the handler runs
        Example(
            "import functools, json\n\ndef json_body(handler):\n"
            "    @functools.wraps(handler)\n    def wrapper(event, context):\n"
            "        event['body'] = json.loads(event['body'] or '{}')\n"
            "        return handler(event, context)\n    return wrapper\n\n"
            "@json_body\ndef handler(event, context):\n    return event['body']['reason']\n",
            trigger="apigw-rest",
        ),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    return event['body']['reason']\n",
            trigger="apigw-rest",
            message="JSON",
        ),
        # a decorator of the project that passes the event on as it came
        Example(
            "def logged(handler):\n    def wrapper(event, context):\n        print(event)\n"
            "        return handler(event, context)\n    return wrapper\n\n"
            "@logged\ndef handler(event, context):\n    return event['body']['reason']\n",
            trigger="apigw-rest",
        ),
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        print(r['Sns']['Message'].get('id'))\n",
            trigger="sns",
        ),
        Example(
            "import json\n\ndef handler(event, context):\n    for r in event['Records']:\n"
            "        print(json.loads(r['kinesis']['data']))\n",
            trigger="kinesis",
            message="base64",
        ),
        Example(
            "import json\n\ndef handler(event, context):\n"
            "    return json.loads(event['awslogs']['data'])\n",
            trigger="cloudwatch-logs",
            message="gzip",
        ),
        # one finding per field and function: the later reads fail the same way
        Example(
            "def handler(event, context):\n"
            "    return event['body']['name'], event['body']['email']\n",
            trigger="apigw-http",
            count=1,
        ),
    ]

    def on_read(self, node: cst.Subscript | cst.Call) -> None:
        self._raw_use(node)
        if isinstance(node, cst.Call):
            self._base64_parsed_as_json(node)

    def _base64_parsed_as_json(self, node: cst.Call) -> None:
        name = self.context.qualified_name(node.func)
        if name not in ("json.loads", "json.load") or not node.args:
            return
        value = self.value(node.args[0].value)
        info = value.info if value else None
        if value is None or info is None or info.encoding not in ("base64", "gzip-base64"):
            return
        steps = "base64-decode and gunzip" if info.encoding == "gzip-base64" else "base64-decode"
        self.report_path(
            node,
            value.path,
            f"`{dotted(value.path)}` of {value.title} events is {info.encoding} data, "
            f"not JSON: {steps} it before json.loads",
        )

    def _raw_use(self, node: cst.CSTNode) -> None:
        access = self.access(node)
        if access is None:
            return
        info = access.container.info
        if info is None or info.kind != "string" or info.encoding is None:
            return
        encoding = {
            "json": "a JSON string",
            "base64": "base64 text",
            "gzip-base64": "gzip+base64 text",
            "url": "a URL-encoded string",
        }[info.encoding]
        decode = {
            "json": "json.loads",
            "base64": "base64.b64decode",
            "gzip-base64": "base64.b64decode + gzip.decompress",
            "url": "unquote_plus",
        }[info.encoding]
        self.report_path(
            node,
            access.container.path,
            f"`{dotted(access.container.path)}` of {access.container.title} events is "
            f"{encoding}; decode it with {decode}(...) before reading '{access.key}'",
        )
