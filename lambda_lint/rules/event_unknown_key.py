"""LL401: a key that does not exist at that place in the trigger's event."""

from __future__ import annotations

import libcst as cst

from lambda_lint.model.flow import ITEM
from lambda_lint.model.guards import is_guarded
from lambda_lint.rule import Example
from lambda_lint.rules.event_reads import EventRule, dotted
from lambda_lint.triggers import TRIGGERS

#: an HTTP API whose Lambda authorizer is `app.handler`, taking the given payload version
_HTTP_AUTHORIZER = (
    "Transform: AWS::Serverless-2016-10-31\nResources:\n"
    "  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n"
    "      Auth:\n        Authorizers:\n          Lambda:\n"
    "            FunctionArn: !GetAtt Fn.Arn\n"
    "            AuthorizerPayloadFormatVersion: '{version}'\n"
    "  Fn:\n    Type: AWS::Serverless::Function\n"
    "    Properties:\n      Handler: app.handler\n      CodeUri: .\n"
)


def _spelling_slip(key: str, keys: tuple[str, ...]) -> bool:
    """`detailType` for `detail-type`, `Source` for `source`: the same key misspelt."""
    folded = "".join(ch for ch in key.casefold() if ch.isalnum())
    return any("".join(ch for ch in k.casefold() if ch.isalnum()) == folded for k in keys)


class UnknownEventKey(EventRule):
    """
    ## What it does
    Reports a key that does not exist at that place in the event of the handler's
    trigger: a typo, the wrong case, another trigger's field, or an API Gateway payload
    1.0 field on a 2.0 event (and the reverse). The message suggests the nearest valid
    key or the equivalent field of the other payload version. Open maps (headers,
    message attributes, images, path and query parameters) accept any key; their values
    are still checked (`messageAttributes["x"]["StringValue"]` → `stringValue`).

    ## Why is this bad?
    `event["Record"]` raises `KeyError` on every invocation; `.get("Record")` silently
    returns `None` and the handler does nothing. Tests with hand-written events do not
    catch it.

    ## Example
    ```python
    # HTTP API (payload 2.0)
    def handler(event, context):
        method = event["httpMethod"]
    ```

    ## Use instead
    ```python
    def handler(event, context):
        method = event["requestContext"]["http"]["method"]
    ```

    A key the code tests for first (`if "file" in event:`, `if event.get("file"):`,
    a `try` that catches the `KeyError`) is one it knows may be there: the function
    serves other callers too, and the read is not reported. A `try` catching any error
    (`except Exception:`) is no such test: the read fails on every event of the trigger,
    and the handler only hides it. An EventBridge or scheduled rule may replace the event with a
    constant `Input`, so at the top of those events only misspellings of real keys
    (`detailType` for `detail-type`) are reported.
    """

    code = "LL401"
    name = "unknown-event-key"
    summary = "Key that does not exist in the trigger's event"
    VALID = [
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        print(r['body'], r['messageAttributes']['kind']['stringValue'])\n",
            trigger="sqs",
        ),
        Example(
            "def handler(event, context):\n    return event['requestContext']['http']['method']\n",
            trigger="apigw-http",
        ),
        Example(
            "def handler(event, context):\n    return event['httpMethod']\n", trigger="apigw-rest"
        ),
        Example("def handler(event, context):\n    return event['anything']\n"),
        Example(
            "def handler(event, context):\n    return event.get('dry_run')\n", trigger="schedule"
        ),
        Example(
            "def handler(event, context):\n    event['tenant'] = 'acme'\n    return event['tenant']\n",
            trigger="apigw-rest",
        ),
        # the handler is invoked directly too, and checks which caller it has
        Example(
            "def handler(event, context):\n    if 'file' in event:\n"
            "        return event['file']\n    return event['Records'][0]['s3']\n",
            trigger="s3",
        ),
        Example(
            "def handler(event, context):\n    if not event.get('action'):\n"
            "        return None\n    return event['action']\n",
            trigger="sqs",
        ),
        # the KeyError is the test: invoked directly, the event has the key
        Example(
            "def handler(event, context):\n    try:\n        return event['file']\n"
            "    except KeyError:\n        return event['Records'][0]['s3']['object']['key']\n",
            trigger="s3",
        ),
        # an HTTP API authorizer taking payload 1.0 gets the REST-style event
        Example(
            "def handler(event, context):\n"
            "    return event['methodArn'], event['authorizationToken']\n",
            files={"template.yaml": _HTTP_AUTHORIZER.format(version="1.0")},
        ),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    return event['httpMethod']\n",
            trigger="apigw-http",
            message="requestContext.http.method",
        ),
        Example(
            "def handler(event, context):\n    for r in event['Record']:\n        print(r)\n",
            trigger="sqs",
            message="'Records'",
        ),
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        print(r['messageAttributes']['kind']['StringValue'])\n",
            trigger="sqs",
            message="'stringValue'",
        ),
        # catching every error hides the failure, it does not test for the key
        Example(
            "import logging\n\ndef handler(event, context):\n    for r in event['Records']:\n"
            "        try:\n            kind = r['messageAttributes']['kind']['StringValue']\n"
            "        except Exception:\n            logging.exception('bad message')\n"
            "            continue\n        print(kind)\n",
            trigger="sqs",
            message="'stringValue'",
        ),
        Example(
            "from work import process\n\ndef handler(event, context):\n"
            "    for record in event['Records']:\n        process(record)\n",
            files={"work.py": "def process(record):\n    return record['dynamodb']['newImage']\n"},
            trigger="dynamodb-stream",
            message="'NewImage'",
        ),
        Example(
            "def handler(event, context):\n    return event['methodArn']\n",
            files={"template.yaml": _HTTP_AUTHORIZER.format(version="2.0")},
            message="'methodArn'",
        ),
        # one finding per key and function: the second read fails the same way
        Example(
            "def handler(event, context):\n    print(event['path'])\n    return event['path']\n",
            trigger="apigw-http",
            count=1,
        ),
    ]

    def on_read(self, node: cst.Subscript | cst.Call) -> None:
        access = self.access(node)
        if access is None or access.key == ITEM:
            return
        container = access.container
        shape = container.shape
        if shape.is_open(container.path):
            return
        keys = shape.keys_at(container.path)
        if not keys or access.key in keys:
            return
        trigger = TRIGGERS.get(container.trigger)
        custom_input = not container.path and trigger is not None and trigger.replaceable_input
        if custom_input and not _spelling_slip(access.key, keys):
            return
        if access.by_get and self._probes():
            return  # `if event.get("file"):` asks whether the key is there
        if is_guarded(
            self.context.ancestors,
            self.denotes(access.path),
            self.holds(access.path),
            catch_all=False,
        ):
            return  # the code checks for the key first: it knows the key may be there
        if keys == (ITEM,):
            self.report_path(
                node,
                access.path,
                f"`{dotted(container.path)}` is a list in {container.title} events; "
                f"index it or loop over it before reading '{access.key}'",
            )
            return
        hint = shape.suggest(container.path, access.key)
        where = f"at `{dotted(container.path)}`" if container.path else "at the top"
        self.report_path(
            node,
            access.path,
            f"{container.title} events have no key '{access.key}' {where}"
            + (f"; {hint}" if hint else ""),
        )

    def _probes(self) -> bool:
        """Whether the `.get()` being visited only tests for the key: it is a condition
        (of an `if`, a `while`, a conditional expression, `not`, `and`/`or`) or
        compared with None."""
        level, child = 1, self.context.parent(0)
        parent = self.context.parent(level)
        while isinstance(parent, (cst.UnaryOperation, cst.BooleanOperation)):
            level, child = level + 1, parent
            parent = self.context.parent(level)
        if isinstance(parent, (cst.If, cst.While, cst.IfExp)):
            return parent.test is child
        if isinstance(parent, cst.ComparisonTarget):
            parent = self.context.parent(level + 1)
        if isinstance(parent, cst.Comparison) and len(parent.comparisons) == 1:
            comparison = parent.comparisons[0]
            none = (parent.left, comparison.comparator)
            return isinstance(comparison.operator, (cst.Is, cst.IsNot)) and any(
                isinstance(side, cst.Name) and side.value == "None" for side in none
            )
        return False
