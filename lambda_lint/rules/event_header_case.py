"""LL408: a header looked up in mixed case where header names arrive lower-cased."""

from __future__ import annotations

import libcst as cst

from lambda_lint.finding import Fix
from lambda_lint.rule import Example
from lambda_lint.rules.event_reads import EventRule, key_literal
from lambda_lint.triggers import TRIGGERS


class HeaderCase(EventRule):
    """
    ## What it does
    Reports a header looked up with a name that is not all lower-case on an HTTP API
    (payload 2.0) or Lambda function URL event.

    ## Why is this bad?
    Those front doors deliver header names lower-cased: `event["headers"]["Content-Type"]`
    raises `KeyError` and `.get("Authorization")` is always `None` — authentication
    that never sees a token. (REST APIs and ALBs keep the client's case; they are not
    reported.)

    ## Example
    ```python
    def handler(event, context):  # HTTP API
        token = event["headers"].get("Authorization")
    ```

    ## Use instead
    ```python
    def handler(event, context):
        token = event["headers"].get("authorization")
    ```

    ## Fix safety
    Safe: lower-cases the literal.
    """

    code = "LL408"
    name = "header-case"
    summary = "Non-lowercase header lookup on an HTTP API v2 / function URL event"
    fixable = "safe"
    VALID = [
        Example(
            "def handler(event, context):\n    return event['headers'].get('authorization')\n",
            trigger="apigw-http",
        ),
        Example(
            "def handler(event, context):\n    return event['headers'].get('Authorization')\n",
            trigger="apigw-rest",
        ),
        Example(
            "def handler(event, context):\n    return event['headers']['content-type']\n",
            trigger="function-url",
        ),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    return event['headers'].get('Authorization')\n",
            trigger="apigw-http",
            message="'authorization'",
            at="event['headers'].get('Authorization')",
            fixed="def handler(event, context):\n    return event['headers'].get('authorization')\n",
        ),
        Example(
            "def handler(event, context):\n    return event['headers']['Content-Type']\n",
            trigger="function-url",
        ),
        Example(
            "def handler(event, context):\n    headers = event.get('headers') or {}\n"
            "    return headers.get('X-Api-Key')\n",
            trigger="apigw-http",
        ),
    ]

    def on_read(self, node: cst.Subscript | cst.Call) -> None:
        access = self.access(node)
        if access is None or access.container.path != ("headers",):
            return
        trigger = TRIGGERS.get(access.container.trigger)
        if trigger is None or trigger.http != "v2" or access.key == access.key.lower():
            return
        self.report_path(
            node,
            access.path,
            f"{access.container.title} events deliver header names in lower case: "
            f"'{access.key}' never matches; use '{access.key.lower()}'",
            fix=self._lowercase(node, access.key),
        )

    def _lowercase(self, node: cst.CSTNode, key: str) -> Fix | None:
        literal = key_literal(node)
        if literal is None:
            return None
        new = literal.with_changes(value=literal.value.replace(key, key.lower()))
        return self.context.replacement(literal, new, f"Look up '{key.lower()}'")
