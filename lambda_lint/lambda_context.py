"""The Lambda context object the Python runtime passes to a handler: its members, and
which of them stay the same for every invocation an execution environment serves.

Source: https://docs.aws.amazon.com/lambda/latest/dg/python-context.html, plus what the
runtime interface client sets (`log()`, `w3c()`, `tenant_id`).
"""

from __future__ import annotations

#: the same for every invocation of an execution environment
ENVIRONMENT_MEMBERS = frozenset(
    {
        "function_name",
        "function_version",
        "invoked_function_arn",
        "memory_limit_in_mb",
        "log_group_name",
        "log_stream_name",
    }
)

#: every member of the context object
MEMBERS = ENVIRONMENT_MEMBERS | {
    "aws_request_id",
    "identity",
    "client_context",
    "tenant_id",
    "get_remaining_time_in_millis",
    "log",
    "w3c",
}
