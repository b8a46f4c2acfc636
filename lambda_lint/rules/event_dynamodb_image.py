"""LL407: a DynamoDB stream image attribute used as a plain value, not a typed one."""

from __future__ import annotations

import libcst as cst

from lambda_lint.model.flow import ITEM
from lambda_lint.model.names import dotted_name
from lambda_lint.rule import Example
from lambda_lint.rules.event_reads import EventRule

PLAIN_VALUE_CALLS = {"int", "float", "str", "bool", "Decimal", "decimal.Decimal", "len"}


class DynamoDbImageRaw(EventRule):
    """
    ## What it does
    Reports a DynamoDB stream image attribute (`NewImage`, `OldImage`, `Keys`) used as
    a plain value — in arithmetic, a comparison, a string method, an f-string or
    `int()`/`float()` — instead of through its typed form (`["S"]`, `["N"]`, ...) or a
    `TypeDeserializer`.

    ## Why is this bad?
    Stream images hold DynamoDB's wire format: `{"price": {"N": "9.5"}}`.
    `image["price"] * 2` raises `TypeError`; `image["status"] == "PAID"` is always false.

    ## Example
    ```python
    def handler(event, context):
        for record in event["Records"]:
            total = float(record["dynamodb"]["NewImage"]["total"])
    ```

    ## Use instead
    ```python
    def handler(event, context):
        for record in event["Records"]:
            total = float(record["dynamodb"]["NewImage"]["total"]["N"])
    ```
    """

    code = "LL407"
    name = "dynamodb-image-raw"
    summary = "DynamoDB stream image attribute used as a plain value"
    default_enabled = False
    VALID = [
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        print(float(r['dynamodb']['NewImage']['total']['N']))\n",
            trigger="dynamodb-stream",
        ),
        Example(
            "from boto3.dynamodb.types import TypeDeserializer\nd = TypeDeserializer()\n\n"
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        print(d.deserialize(r['dynamodb']['NewImage']['total']))\n",
            trigger="dynamodb-stream",
        ),
        Example("def handler(event, context):\n    return float(event['total'])\n", trigger="sqs"),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        print(float(r['dynamodb']['NewImage']['total']))\n",
            trigger="dynamodb-stream",
        ),
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        if r['dynamodb']['Keys']['pk'] == 'ORDER':\n            print(r)\n",
            trigger="dynamodb-stream",
        ),
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        image = r['dynamodb'].get('NewImage') or {}\n"
            "        print(image['name'].upper())\n",
            trigger="dynamodb-stream",
        ),
    ]

    def on_read(self, node: cst.Subscript | cst.Call) -> None:
        access = self.access(node)
        info = access.container.info if access is not None else None
        if access is None or info is None or info.encoding != "dynamodb" or access.key == ITEM:
            return
        path = access.path
        parent = self.context.parent()
        plain = isinstance(parent, (cst.BinaryOperation, cst.Comparison, cst.ComparisonTarget))
        plain |= isinstance(parent, cst.FormattedStringExpression)
        if isinstance(parent, cst.Attribute) and parent.value is node:
            plain = parent.attr.value not in ("get", "keys", "items", "values")
        if isinstance(parent, cst.Arg):
            call = self.context.parent(2)
            name = dotted_name(call.func) if isinstance(call, cst.Call) else None
            plain = name in PLAIN_VALUE_CALLS
        if plain:
            self.report_path(
                node,
                path,
                f'`{path[-2]}` attributes are typed DynamoDB values ({{"S": ...}}, '
                f"{{\"N\": ...}}): read `['{path[-1]}']['S']`/`['N']` or use a TypeDeserializer",
            )
