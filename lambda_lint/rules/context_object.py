"""LL5, the context object: attributes it does not have, and members used wrongly.

The context is found through value flow: the handler's second parameter, whatever its
name, and any helper parameter or variable it reaches.
"""

from __future__ import annotations

import difflib

import libcst as cst

from lambda_lint.finding import Fix
from lambda_lint.lambda_context import MEMBERS
from lambda_lint.model.flow import Ref
from lambda_lint.model.guards import is_guarded
from lambda_lint.rule import Example, Rule

#: misspellings seen in the wild, with what was meant
KNOWN_TYPOS = {
    "request_id": "aws_request_id",
    "requestId": "aws_request_id",
    "aws_request_ID": "aws_request_id",
    "awsRequestId": "aws_request_id",
    "function_arn": "invoked_function_arn",
    "arn": "invoked_function_arn",
    "invoked_arn": "invoked_function_arn",
    "invokedFunctionArn": "invoked_function_arn",
    "memory_limit": "memory_limit_in_mb",
    "memory_size": "memory_limit_in_mb",
    "memoryLimitInMB": "memory_limit_in_mb",
    "remaining_time": "get_remaining_time_in_millis",
    "get_remaining_time": "get_remaining_time_in_millis",
    "get_remaining_time_in_ms": "get_remaining_time_in_millis",
    "getRemainingTimeInMillis": "get_remaining_time_in_millis",
    "log_group": "log_group_name",
    "log_stream": "log_stream_name",
    "functionName": "function_name",
    "functionVersion": "function_version",
    "logGroupName": "log_group_name",
    "logStreamName": "log_stream_name",
    "deadline_ms": "get_remaining_time_in_millis",
}
DUNDER_OK = {"__class__", "__dict__", "__doc__"}


def is_context(refs: frozenset[Ref]) -> bool:
    """Whether a value is certainly the context object itself."""
    return bool(refs) and all(r.root == "context" and not r.path for r in refs)


def suggestion(attribute: str) -> str | None:
    if attribute in KNOWN_TYPOS:
        return KNOWN_TYPOS[attribute]
    close = difflib.get_close_matches(attribute, sorted(MEMBERS), n=1, cutoff=0.75)
    return close[0] if close else None


def _method_kept(node: cst.Attribute, parent: cst.CSTNode | None) -> bool:
    """Whether a method read as `node` is called, or kept or passed on as a callable."""
    if isinstance(parent, cst.Call) and parent.func is node:
        return True
    return isinstance(parent, (cst.Assign, cst.AnnAssign, cst.Arg))


class UnknownContextAttribute(Rule):
    """
    ## What it does
    Reports an attribute the Lambda context object does not have, such as
    `context.request_id` (the member is `aws_request_id`). The known members are
    `aws_request_id`, `function_name`, `function_version`, `invoked_function_arn`,
    `memory_limit_in_mb`, `log_group_name`, `log_stream_name`, `identity`,
    `client_context`, `tenant_id`, `get_remaining_time_in_millis()` and `log()`.
    The context is followed into helpers that receive it.

    The context is a handler's second parameter when the Lambda runtime passes it: not
    one behind a decorator lambda-lint does not know (which may pass something else), not
    one annotated with another type (a durable-execution `DurableContext`), and not in
    functions a framework calls (a Chalice view or event function; Chalice's
    `@app.lambda_function` does get the Lambda context).

    ## Why is this bad?
    The attribute raises `AttributeError` on every invocation — typically inside
    logging or error handling, where it hides the original problem.

    ## Example
    ```python
    def handler(event, context):
        logger.info("request %s", context.request_id)
    ```

    ## Use instead
    ```python
    def handler(event, context):
        logger.info("request %s", context.aws_request_id)
    ```

    ## Fix safety
    Safe when a single member is meant (the suggestion in the message): the attribute is
    renamed to it. A misspelled `get_remaining_time_in_millis` that is read, not called,
    also gets the call, as LL502 asks. No fix without a suggestion.
    """

    reached_code_only = True

    code = "LL501"
    name = "unknown-context-attribute"
    summary = "Attribute the Lambda context object does not have"
    fixable = "sometimes"
    VALID = [
        Example("def handler(event, context):\n    return context.aws_request_id\n"),
        Example("def handler(event, ctx):\n    return ctx.get_remaining_time_in_millis() > 1000\n"),
        Example(
            "def handler(event, context):\n    event.request_id = 1\n    return event.request_id\n"
        ),
        Example("def report(context):\n    return context.request_id\n"),
        Example(
            "from audit import record\n\ndef handler(event, context):\n    record(context)\n",
            files={"audit.py": "def record(ctx):\n    return ctx.invoked_function_arn\n"},
        ),
        Example(
            "from aws_durable_execution_sdk_python import DurableContext, durable_execution\n\n"
            "@durable_execution\ndef handler(event, context: DurableContext):\n"
            "    return context.step(lambda _: event['id'])\n",
            declared=True,
        ),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    return context.request_id\n",
            message="did you mean `aws_request_id`",
        ),
        Example("def handler(event, _context):\n    return _context.functionName\n"),
        Example(
            "from audit import record\n\ndef handler(event, context):\n    record(context)\n",
            files={"audit.py": "def record(ctx):\n    return ctx.function_arn\n"},
            message="invoked_function_arn",
        ),
        Example("def handler(event, context):\n    c = context\n    return c.memory_size\n"),
        Example(
            "from chalice import Chalice\n\napp = Chalice(app_name='exports')\n\n"
            "@app.lambda_function()\ndef export(event, context):\n"
            "    return {'request': context.requestId}\n",
            message="aws_request_id",
        ),
    ]

    def visit_Attribute(self, node: cst.Attribute) -> None:
        attribute = node.attr.value
        if attribute in MEMBERS or attribute in DUNDER_OK:
            return
        if not is_context(self.context.refs(node.value)):
            return
        parent = self.context.parent()
        if isinstance(parent, cst.AssignTarget) and parent.target is node:
            return  # setting an attribute: not a read of a missing one
        meant = suggestion(attribute)
        hint = f"; did you mean `{meant}`?" if meant else ""
        fix = self._fix(node, meant, parent) if meant else None
        self.report(node, f"the Lambda context has no attribute `{attribute}`{hint}", fix=fix)

    def _fix(self, node: cst.Attribute, meant: str, parent: cst.CSTNode | None) -> Fix:
        if meant == "get_remaining_time_in_millis" and not _method_kept(node, parent):
            return Fix(
                "safe",
                f"Replace with `{meant}()`",
                (
                    self.context.edit_replacing(node.attr, meant),
                    *self.context.edits_around(node, "", "()"),
                ),
            )
        return self.context.replacement(node.attr, meant, f"Rename to `{meant}`")


class ContextMemberMisuse(Rule):
    """
    ## What it does
    Reports three misuses of context members:
    - `context.get_remaining_time_in_millis` not called (a bound method, always truthy);
    - arithmetic or a numeric comparison on `context.memory_limit_in_mb`, which is a
      **string** at run time (the runtime reads it from an environment variable);
    - `context.client_context.<member>` without a `None` check: `client_context` is
      `None` unless a mobile SDK client sent one.

    The context is recognised as for LL501: a handler's second parameter when the Lambda
    runtime passes it, followed into helpers.

    ## Why is this bad?
    Each passes a quick test and fails in production: the time-left check never fires,
    `"1024" * 2` is `"10241024"` and `"1024" > 512` raises `TypeError`, and
    `client_context.custom` raises `AttributeError` on every ordinary invocation.

    ## Example
    ```python
    def handler(event, context):
        if context.get_remaining_time_in_millis < 5000:
            return
        workers = context.memory_limit_in_mb // 256
    ```

    ## Use instead
    ```python
    def handler(event, context):
        if context.get_remaining_time_in_millis() < 5000:
            return
        workers = int(context.memory_limit_in_mb) // 256
    ```

    ## Fix safety
    Safe for an uncalled `get_remaining_time_in_millis`: the call is added. The other
    two cases have no fix (the right conversion or `None` handling depends on intent).
    """

    reached_code_only = True

    code = "LL502"
    name = "context-member-misuse"
    summary = "Context member used wrongly (uncalled method, string memory, None client_context)"
    fixable = "sometimes"
    VALID = [
        Example(
            "def handler(event, context):\n    return context.get_remaining_time_in_millis() > 1\n"
        ),
        Example("def handler(event, context):\n    return int(context.memory_limit_in_mb) * 2\n"),
        Example(
            "def handler(event, context):\n    if context.client_context is None:\n"
            "        return {}\n    return context.client_context.custom\n"
        ),
        Example(
            "def handler(event, context):\n    cc = context.client_context\n"
            "    return cc.env if cc else None\n"
        ),
        Example(
            "def handler(event, context):\n    check = context.get_remaining_time_in_millis\n"
            "    return check()\n"
        ),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    if context.get_remaining_time_in_millis < 5000:\n"
            "        return None\n",
            message="not called",
        ),
        Example(
            "def handler(event, context):\n    return context.memory_limit_in_mb * 2\n",
            message="string",
        ),
        Example(
            "def handler(event, context):\n    return context.memory_limit_in_mb >= 512\n",
            message="string",
        ),
        Example(
            "def handler(event, context):\n    return context.client_context.custom['tenant']\n",
            message="None",
        ),
    ]

    ARITHMETIC = (
        cst.Add,
        cst.Subtract,
        cst.Multiply,
        cst.Divide,
        cst.FloorDivide,
        cst.Modulo,
        cst.Power,
    )
    ORDERING = (cst.LessThan, cst.LessThanEqual, cst.GreaterThan, cst.GreaterThanEqual)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        attribute = node.attr.value
        if attribute not in ("get_remaining_time_in_millis", "memory_limit_in_mb"):
            if isinstance(node.value, cst.Attribute) and node.value.attr.value == "client_context":
                self._client_context(node)
            return
        if not is_context(self.context.refs(node.value)):
            return
        parent = self.context.parent()
        if attribute == "get_remaining_time_in_millis":
            if _method_kept(node, parent):
                return
            self.report(
                node,
                "`get_remaining_time_in_millis` is a method and is not called here; "
                "use `get_remaining_time_in_millis()`",
                fix=Fix(
                    "safe",
                    "Call `get_remaining_time_in_millis()`",
                    self.context.edits_around(node, "", "()"),
                ),
            )
        elif self._numeric_use(parent):
            self.report(
                node,
                "`memory_limit_in_mb` is a string at run time; convert it with int() "
                "before arithmetic or numeric comparison",
            )

    def _numeric_use(self, parent: cst.CSTNode | None) -> bool:
        if isinstance(parent, cst.BinaryOperation):
            return isinstance(parent.operator, self.ARITHMETIC)
        if isinstance(parent, cst.Comparison):
            return any(isinstance(c.operator, self.ORDERING) for c in parent.comparisons) or any(
                isinstance(c.comparator, (cst.Integer, cst.Float)) for c in parent.comparisons
            )
        if isinstance(parent, cst.ComparisonTarget):
            grand = self.context.parent(2)
            return isinstance(parent.operator, self.ORDERING) or (
                isinstance(grand, cst.Comparison)
                and isinstance(grand.left, (cst.Integer, cst.Float))
            )
        return False

    def _client_context(self, node: cst.Attribute) -> None:
        client_context = node.value
        assert isinstance(client_context, cst.Attribute)
        if not is_context(self.context.refs(client_context.value)):
            return
        flow = self.context.flow()
        target = self.context.refs(client_context)

        def subject(expression: cst.BaseExpression) -> bool:
            if isinstance(expression, cst.Attribute) and expression.attr.value == "client_context":
                return is_context(self.context.refs(expression.value))
            return flow is not None and bool(target) and self.context.refs(expression) == target

        if is_guarded(self.context.ancestors, subject):
            return
        self.report(
            node,
            "`context.client_context` is None unless a mobile SDK client sent one; "
            "check it for None first",
        )
