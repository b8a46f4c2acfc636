"""Shared ground of the LL7 rules (reliability): which AWS service a boto3 client was
built for, which environment variable a value comes from, and who serves the code.

Every LL7 rule looks only at per-invocation code (the handlers and what they call,
across files) and stays silent when it cannot trace a value: a client held in an
attribute, a bucket name from a parameter, a timeout the descriptor does not give.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from lambda_lint.descriptors.model import DeclaredFunction
from lambda_lint.model.constructors import CLIENT_METHODS, chain_calls, chain_root
from lambda_lint.model.flow import environment_read, subscript_key
from lambda_lint.model.names import string_value
from lambda_lint.model.project import ChainStep
from lambda_lint.rules.reuse_base import ReuseRule, call_argument, uses

#: boto3 factories of clients and service resources; their first argument names the
#: service (`boto3.client("lambda")`)
SDK_FACTORIES = frozenset(
    {"boto3.client", "boto3.resource", "aioboto3.client", "aioboto3.resource"}
)
#: calls that only write a value somewhere for people to read
LOGGING_CALLS = frozenset(
    {"print", "debug", "info", "warning", "warn", "error", "exception", "critical", "log"}
)
#: how deep a value is followed through names bound to other names
MAX_DEPTH = 4


class ReliabilityRule(ReuseRule):
    """Shared by the LL7 rules (not a rule itself: it has no code)."""

    # a hung call or an endless poll costs as much in a nightly job as in a busy API
    needs_reuse = False

    def service_of(self, receiver: cst.BaseExpression, depth: int = 0) -> str | None:
        """The AWS service of the boto3 client or resource `receiver` is (or is reached
        from): built here (`boto3.client("lambda")`, `session.client("sqs")`,
        `boto3.resource("s3").Bucket(name)`) or bound to a name in this function or
        at module scope. None when it cannot be traced."""
        for call in chain_calls(receiver):
            service = self._built_for(call)
            if service is not None:
                return service
        root = chain_root(receiver)
        if root is None or depth >= MAX_DEPTH:
            return None
        found = {self.service_of(v, depth + 1) for v in self.context.bound_values(root.value)}
        return found.pop() if len(found) == 1 else None

    def _built_for(self, call: cst.Call) -> str | None:
        func = call.func
        factory = self.context.qualified_name(func) in SDK_FACTORIES
        method = isinstance(func, cst.Attribute) and func.attr.value in CLIENT_METHODS
        if not (factory or method):
            return None
        argument = call_argument(call, 0, "service_name")
        return string_value(argument) if argument is not None else None

    def environment_variable(self, value: cst.BaseExpression, depth: int = 0) -> str | None:
        """The environment variable `value` holds: `os.environ["X"]`,
        `os.environ.get("X")`, `os.getenv("X")`, or a name bound (only) to one."""
        if isinstance(value, cst.Name) and depth < MAX_DEPTH:
            found = {
                self.environment_variable(v, depth + 1)
                for v in self.context.bound_values(value.value)
            }
            return found.pop() if len(found) == 1 else None
        return environment_read(value, self.context.qualified_name)

    def declarations(self, steps: list[ChainStep]) -> Iterator[DeclaredFunction]:
        """What the descriptors declare about the handler that serves the code along
        `steps` (the chain from a handler; empty for the handler itself)."""
        key = steps[0].caller if steps else self.context.function_key()
        handler = self.context.model.handler_for(key) if key is not None else None
        for evidence in handler.evidence if handler is not None else ():
            if evidence.declared is not None:
                yield evidence.declared

    @staticmethod
    def has_star_arguments(call: cst.Call) -> bool:
        """Whether some arguments are passed as `*args`/`**kwargs` (unknown)."""
        return any(arg.star for arg in call.args)

    def result_unread(self, node: cst.Call, fields: tuple[str, ...]) -> bool:
        """Whether the visited call's response is dropped, or kept in a name that is only
        logged and read for other fields than `fields` (not returned, not handed on)."""
        parent = self.context.parent()
        if isinstance(parent, cst.Await):
            parent = self.context.parent(2)
        if isinstance(parent, cst.Expr):
            return True
        if not (
            isinstance(parent, cst.Assign)
            and len(parent.targets) == 1
            and isinstance(parent.targets[0].target, cst.Name)
        ):
            return False
        function = self.context.function_node()
        if function is None:
            return False
        name = parent.targets[0].target.value
        for found, above, grand in uses(function.body, name):
            if isinstance(above, cst.AssignTarget):
                continue
            if not self._not_a_read(found, above, grand, fields):
                return False
        return True

    @staticmethod
    def _not_a_read(
        found: cst.Name,
        above: cst.CSTNode | None,
        grand: cst.CSTNode | None,
        fields: tuple[str, ...],
    ) -> bool:
        """Whether this use of a response neither reads one of `fields` nor hands the
        response on: an argument of a logging call, or a read of another field."""
        if isinstance(above, cst.Arg) and isinstance(grand, cst.Call):
            func = grand.func
            called = func.attr.value if isinstance(func, cst.Attribute) else None
            if isinstance(func, cst.Name):
                called = func.value
            return called in LOGGING_CALLS
        if isinstance(above, cst.Subscript) and above.value is found:
            key = subscript_key(above)
            return key is not None and key not in fields
        if (
            isinstance(above, cst.Attribute)
            and above.value is found
            and above.attr.value == "get"
            and isinstance(grand, cst.Call)
            and grand.args
        ):
            key = string_value(grand.args[0].value)
            return key is not None and key not in fields
        return False
