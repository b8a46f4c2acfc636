"""LL5, the runtime environment: what the function must leave to Lambda."""

from __future__ import annotations

import libcst as cst

from lambda_lint.model.constructors import SERVICE_REGIONS, client_constructor
from lambda_lint.model.flow import subscript_key
from lambda_lint.model.names import keyword_argument, string_value, update_keys
from lambda_lint.rule import Example, Rule

#: environment variables Lambda reserves and sets itself ("Defined runtime environment
#: variables", https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html).
#: `TZ` is not among them: the page lists it with the unreserved variables a function
#: may set (since late 2022), and it changes no SDK client.
RESERVED_VARIABLES = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)
ENVIRON = ("os.environ",)
#: the handler the examples' modules hold (their module scope then runs at INIT)
HANDLER = "\n\ndef handler(event, context):\n    return None\n"


class ReservedEnvVarWrite(Rule):
    """
    ## What it does
    Reports code that assigns an environment variable Lambda reserves and sets itself:
    `_HANDLER`, `AWS_REGION`, `AWS_DEFAULT_REGION`, `AWS_LAMBDA_*`, `AWS_ACCESS_KEY_ID`,
    `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `LAMBDA_TASK_ROOT`,
    `LAMBDA_RUNTIME_DIR`, `_X_AMZN_TRACE_ID` and the others of the AWS list — by
    `os.environ[...] = ...`, `os.environ.update(...)` or `os.putenv(...)` — in code a
    handler reaches (its module scope, run at INIT, and what it calls). Tests, their
    fixtures and deployment scripts set these variables for themselves, and are left
    alone.

    ## Why is this bad?
    The values describe the execution environment and its credentials. Overwriting them
    redirects every SDK client built afterwards (another region, other or expired
    credentials) and the change outlives the invocation: the next one in the same
    environment inherits it. Lambda rejects these names in the function configuration
    for the same reason.

    ## Example
    ```python
    import os

    os.environ["AWS_REGION"] = "eu-west-1"
    ```

    ## Use instead
    ```python
    import boto3

    s3 = boto3.client("s3", region_name=os.environ.get("TARGET_REGION", "eu-west-1"))
    ```
    """

    code = "LL503"
    name = "reserved-env-var-write"
    summary = "Assignment to an environment variable Lambda reserves"
    default_enabled = False
    reached_code_only = True
    VALID = [
        Example(f"import os\n\nos.environ['TABLE_NAME'] = 'orders'\n{HANDLER}"),
        Example(f"import os\n\nREGION = os.environ['AWS_REGION']\n{HANDLER}"),
        Example(f"import os\n\nos.environ.setdefault('LOG_LEVEL', 'INFO')\n{HANDLER}"),
        # the time zone is the function's own to set
        Example(f"import os\n\nos.environ['TZ'] = 'Europe/Paris'\n{HANDLER}"),
        # a test fixture no handler reaches: the variable is the test's own
        Example(
            "import os\n\ndef aws_credentials():\n    os.environ['AWS_ACCESS_KEY_ID'] = 'testing'\n"
            f"{HANDLER}"
        ),
    ]
    INVALID = [
        Example(
            f"import os\n\nos.environ['AWS_REGION'] = 'eu-west-1'\n{HANDLER}", message="AWS_REGION"
        ),
        Example(
            "from os import environ\n\ndef handler(event, context):\n"
            "    environ.update({'AWS_ACCESS_KEY_ID': event['key']})\n"
        ),
        Example(
            f"import os\n\nos.putenv('AWS_DEFAULT_REGION', 'eu-west-3')\n{HANDLER}",
            message="AWS_DEFAULT_REGION",
        ),
    ]

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Subscript):
                self._check(target.target.value, subscript_key(target.target), target.target)

    def visit_Call(self, node: cst.Call) -> None:
        name = self.context.qualified_name(node.func) or ""
        if name == "os.putenv" and node.args:
            self._report(string_value(node.args[0].value), node)
        elif name == "os.environ.update":
            for key in update_keys(node):
                self._report(key, node)

    def _check(self, container: cst.BaseExpression, key: str | None, node: cst.CSTNode) -> None:
        if self.context.qualified_name(container) in ENVIRON:
            self._report(key, node)

    def _report(self, key: str | None, node: cst.CSTNode) -> None:
        if key in RESERVED_VARIABLES and self.context.in_reached_code():
            self.report(
                node,
                f"`{key}` is reserved and set by Lambda; overwriting it changes every later "
                "SDK client and outlives the invocation — use your own variable",
            )


class HardcodedRegion(Rule):
    """
    ## What it does
    Reports an AWS SDK client, resource or session built with a literal `region_name`
    in code a handler reaches (its module scope, run at INIT, and what it calls). Tests
    and deployment scripts, which run on a developer's machine or in CI, are left alone,
    and so are clients of a service whose API is served from that region alone, whatever
    region calls it (Cost Explorer, Organizations, Route 53 and others in us-east-1).

    ## Why is this bad?
    The function runs in the region it is deployed to, and `AWS_REGION` says which; a
    literal region sends calls across regions (latency, data-transfer cost, data
    residency) and breaks when the stack is deployed elsewhere. When another region is
    really meant, take it from configuration.

    ## Example
    ```python
    import boto3

    table = boto3.resource("dynamodb", region_name="us-east-1").Table("orders")
    ```

    ## Use instead
    ```python
    import boto3

    table = boto3.resource("dynamodb").Table("orders")
    ```
    """

    code = "LL504"
    name = "hardcoded-region"
    summary = "SDK client built with a literal region_name"
    default_enabled = False
    reached_code_only = True
    VALID = [
        Example(f"import boto3\n\ns3 = boto3.client('s3')\n{HANDLER}"),
        Example(
            "import os\nimport boto3\n\n"
            f"s3 = boto3.client('s3', region_name=os.environ['REPLICA'])\n{HANDLER}"
        ),
        Example(f"import requests\n\nsession = requests.Session()\n{HANDLER}"),
        # Cost Explorer answers in us-east-1 only
        Example(f"import boto3\n\nce = boto3.client('ce', region_name='us-east-1')\n{HANDLER}"),
        # a test fixture no handler reaches
        Example(
            "import boto3\n\ndef make_table():\n"
            f"    return boto3.resource('dynamodb', region_name='us-east-1')\n{HANDLER}"
        ),
    ]
    INVALID = [
        Example(
            f"import boto3\n\ns3 = boto3.client('s3', region_name='us-east-1')\n{HANDLER}",
            message="us-east-1",
        ),
        Example(
            "from boto3 import resource\n\n"
            f"ddb = resource('dynamodb', region_name='eu-west-1')\n{HANDLER}"
        ),
        Example(f"import boto3\n\nsession = boto3.Session(region_name='ap-south-1')\n{HANDLER}"),
        Example(
            f"import boto3\n\nce = boto3.client('ce', region_name='eu-west-1')\n{HANDLER}",
            message="eu-west-1",
        ),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        label = client_constructor(node, self.context.qualified_name)
        if label is None or not label.startswith(("boto3", "botocore", "aioboto3")):
            return
        region = keyword_argument(node, "region_name")
        value = string_value(region.value) if region is not None else None
        if not value or value in SERVICE_REGIONS.get(_service(node) or "", ()):
            return
        if self.context.in_reached_code():
            self.report(
                region,  # type: ignore[arg-type]
                f"{label}() is pinned to region '{value}'; the function's own region is in "
                "AWS_REGION — leave region_name out, or read it from configuration",
            )


def _service(call: cst.Call) -> str | None:
    """The service a `boto3.client("ce", ...)` call names, when it is a literal."""
    first = call.args[0] if call.args else None
    if first is None or first.keyword is not None or first.star:
        return None
    return string_value(first.value)
