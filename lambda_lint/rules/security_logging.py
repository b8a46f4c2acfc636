"""LL604: the whole event written to the logs (opt-in)."""

from __future__ import annotations

from lambda_lint.rule import Example
from lambda_lint.rules.security_base import FlowRule
from lambda_lint.security import Hit


class LogWholeEvent(FlowRule):
    """
    ## What it does
    Reports the whole event printed or logged — by `print`, `logging` or a logger (a
    receiver named like `logger` or `log`), as is, in an f-string, `%`/`.format()` or
    through `json.dumps`/`str` — in the handler or in any function it passes the event
    to (unless a field was replaced first, as when a copy is redacted); and a handler
    decorated with Powertools' `@logger.inject_lambda_context(log_event=True)`, which
    logs every event.

    Opt-in: logging the event is common while developing and harmless for events that
    carry nothing personal (a schedule's tick).

    Reported only where the model knows the trigger (a descriptor or the code says
    it): what an event holds, and who wrote it, depends on it. Not reported either: the
    event of a trigger AWS or the deployment writes (a schedule, a custom resource, a
    Config rule, a rotation, a pipeline job), which no LL6 rule follows, and that of a
    CloudWatch Logs subscription, whose log lines are in the logs already. The context object is not
    reported: printed, it shows the request id,
    the function's name and ARN and its log group; its Cognito identity and client
    context are set only when the AWS Mobile SDK invokes the function ([the Python
    context object](https://docs.aws.amazon.com/lambda/latest/dg/python-context.html)),
    which nothing in a project shows.

    ## Why is this bad?
    Events carry whatever the caller sent: authorization headers, cookies, tokens,
    personal data in bodies. CloudWatch Logs keeps it for as long as the log group's
    retention, readable by everyone with access to the logs.

    ## Example
    ```python
    import logging

    logger = logging.getLogger()


    def handler(event, context):
        logger.info("event: %s", event)
        return {"ok": True}
    ```

    ## Use instead
    ```python
    import logging

    logger = logging.getLogger()


    def handler(event, context):
        logger.info("request %s", context.aws_request_id)
        return {"ok": True}
    ```
    """

    code = "LL604"
    name = "log-whole-event"
    summary = "The whole event written to the logs"
    default_enabled = False
    severity = "warning"
    reaches = "the logs through"
    advice = "log the fields you need, without personal data or secrets"

    def message(self, hit: Hit) -> str:
        way = f" ({self.way(hit)})" if hit.steps else ""
        return f"the whole event is written to the logs by `{hit.sink}`{way}; {self.advice}"

    VALID = [
        Example(
            "def handler(event, context):\n"
            "    shown = dict(event)\n"
            "    shown['headers'] = '<redacted>'\n"
            "    print(shown)\n"
        ),
        Example("def handler(event, context):\n    print('records:', len(event['Records']))\n"),
        Example(
            "import logging\n\nlogger = logging.getLogger()\n\n"
            "def handler(event, context):\n"
            "    logger.info('path %s', event['rawPath'])\n"
        ),
        Example("def handler(event, context):\n    print(context.aws_request_id)\n"),
        Example("def handler(event, context):\n    print(context)\n"),
        Example("def handler(event, context):\n    print(event)\n", trigger="cloudwatch-logs"),
        # which trigger's event it is, nothing says
        Example("def handler(event, context):\n    print(event)\n"),
        Example(
            "from aws_lambda_powertools import Logger\n\nlogger = Logger()\n\n"
            "@logger.inject_lambda_context(log_event=True)\n"
            "def handler(event, context):\n    return {'ok': True}\n",
            trigger="cloudwatch-logs",
        ),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    print(event)\n",
            at="print(event)",
            trigger="apigw-rest",
        ),
        Example("def handler(event, context):\n    print(event)\n", trigger="sqs"),
        Example(
            "import json\nimport logging\n\nlogger = logging.getLogger()\n\n"
            "def handler(event, context):\n"
            "    logger.info(f'received {json.dumps(event)}')\n",
            trigger="apigw-http",
        ),
        Example(
            "from audit import record\n\ndef handler(event, context):\n    record(event)\n",
            files={"audit.py": "def record(what):\n    print('audit', what)\n"},
            message="passed to record() as `what`",
            trigger="alb",
        ),
        Example(
            "from aws_lambda_powertools import Logger\n\nlogger = Logger()\n\n"
            "@logger.inject_lambda_context(log_event=True)\n"
            "def handler(event, context):\n    return {'ok': True}\n",
            at="logger.inject_lambda_context(log_event=True)",
            trigger="function-url",
        ),
    ]
