"""LL7, loops that outlive the function: polling with `sleep` and nothing that stops it
before Lambda's timeout does (LL705)."""

from __future__ import annotations

import re

import libcst as cst

from lambda_lint.model.names import dotted_name, string_value
from lambda_lint.reliability import CLOCKS, SLEEPS
from lambda_lint.rule import Example
from lambda_lint.rules.reliability_base import ReliabilityRule
from lambda_lint.rules.reuse_base import call_argument
from lambda_lint.walk import descendants

#: the context method that tells how long the invocation has left
REMAINING_TIME = "get_remaining_time_in_millis"
#: words that name what a polling loop waits for
STATE_WORDS = re.compile(
    r"status|state|ready|done|complete|finish|exist|available|running|pending|progress",
    re.IGNORECASE,
)
#: calls in a loop that do not wait on anything
NOT_POLLING = frozenset({"print", "range", "len", "str", "int", "float", "bool"})


def _number(node: cst.BaseExpression | None) -> float | None:
    if isinstance(node, cst.Integer):
        return float(node.evaluated_value)
    if isinstance(node, cst.Float):
        return float(node.evaluated_value)
    return None


def _loop_calls(loop: cst.CSTNode) -> list[cst.Call]:
    return [n for n in descendants(loop, into_functions=False) if isinstance(n, cst.Call)]


def _counters(loop: cst.CSTNode) -> set[str]:
    """Names the loop counts with (`attempts += 1`, `left = left - 1`)."""
    found = set()
    for node in descendants(loop, into_functions=False):
        if isinstance(node, cst.AugAssign) and isinstance(node.target, cst.Name):
            found.add(node.target.value)
        elif isinstance(node, cst.Assign) and isinstance(node.value, cst.BinaryOperation):
            operands = _names(node.value)
            for target in node.targets:
                if isinstance(target.target, cst.Name) and target.target.value in operands:
                    found.add(target.target.value)
    return found


def _compares_with_string(node: cst.Comparison) -> bool:
    """Whether a comparison compares a value with a string (`state != "DONE"`); a key
    looked for (`"NextToken" in page`) tests presence, not a value."""
    key_test = isinstance(node.left, _STRINGS) and all(
        isinstance(c.operator, (cst.In, cst.NotIn)) for c in node.comparisons
    )
    return not key_test and any(isinstance(n, _STRINGS) for n in descendants(node))


_STRINGS = (cst.SimpleString, cst.ConcatenatedString)


def _awaits_state(test: cst.BaseExpression) -> bool:
    """Whether a test looks at a status: compares with a string (`state == "DONE"`,
    `status in ("FAILED", "SUCCEEDED")`) or reads something named like one
    (`job["Status"]`, `is_ready()`, `stack_exists`)."""
    for node in [test, *descendants(test)]:
        if isinstance(node, cst.Comparison) and _compares_with_string(node):
            return True
        word = None
        if isinstance(node, cst.Name):
            word = node.value
        elif isinstance(node, cst.Attribute):
            word = node.attr.value
        elif isinstance(node, cst.SimpleString):
            word = string_value(node)
        if word is not None and STATE_WORDS.search(word):
            return True
    return False


def _varies(test: cst.BaseExpression, loop: cst.While) -> bool:
    """Whether what a test reads can change while the loop runs: it calls something
    (`job.status() == "DONE"`), or names something the loop assigns, calls a method of
    or hands to a call (`state = get(...)`, `job.refresh()`). A test of a value fixed
    before the loop (`api == "Analysis"`, choosing a call) waits on nothing."""
    if any(isinstance(node, cst.Call) for node in [test, *descendants(test)]):
        return True
    return bool(_names(test) & _touched(loop))


def _touched(loop: cst.While) -> set[str]:
    """Names the loop's body assigns, calls a method of, or passes to a call."""
    found = set()
    for node in descendants(loop.body, into_functions=False):
        if isinstance(node, _BINDS):
            found.update(_names(node.target))
        elif isinstance(node, cst.Call):
            receiver = node.func.value if isinstance(node.func, cst.Attribute) else None
            found.update(_names(receiver))
            for argument in node.args:
                found.update(_names(argument.value))
    return found


#: statements and expressions that bind their `target`
_BINDS = (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.NamedExpr, cst.For)


def _names(node: cst.CSTNode | None) -> set[str]:
    """The names written in `node`, itself included."""
    if node is None:
        return set()
    return {n.value for n in [node, *descendants(node)] if isinstance(n, cst.Name)}


def _tests(loop: cst.While) -> list[cst.BaseExpression]:
    """The loop's own test and the tests of the `if`s and `while`s inside it."""
    inner = [
        node.test
        for node in descendants(loop.body, into_functions=False)
        if isinstance(node, (cst.If, cst.While))
    ]
    return [loop.test, *inner]


class PollPastTimeout(ReliabilityRule):
    """
    ## What it does
    Reports a polling loop in code that runs on every invocation: a `while` loop that
    calls `time.sleep`/`asyncio.sleep` between other calls and waits on a status (a
    test of the loop compares with a string, `state == "SUCCEEDED"`, or reads something
    named like a status: `Status`, `state`, `is_ready()`, `exists`, ..., and what it
    tests can change while the loop runs: a key looked for in a page, `"NextToken" in
    page`, or a choice made before the loop, `api == "Analysis"`, is no status), and that
    has nothing that ends it in time — no counter it tests (`attempts += 1`), no clock
    it reads (`time.time()`, `time.monotonic()`, ...), and no
    `context.get_remaining_time_in_millis()` check in its function. A
    `for _ in range(n)` loop with a literal `sleep` is reported when `n` times the
    sleep reaches the function's `Timeout` as the descriptor gives it (silent when the
    descriptor does not).

    ## Why is this bad?
    If the awaited status never comes (a stuck job, a failed stack, a typo in the
    expected value), the loop runs until Lambda kills the function at its timeout: the
    invocation fails with `Task timed out`, with no chance to log what it waited for,
    to give up cleanly or to hand over to a retry, and it is billed for every second
    slept. Bound the loop under the timeout, check
    `context.get_remaining_time_in_millis()`, or use a boto3 waiter (bounded by
    `WaiterConfig`) or a Step Functions wait state
    (https://docs.aws.amazon.com/lambda/latest/dg/python-context.html).

    ## Example
    ```python
    import time

    import boto3

    athena = boto3.client("athena")


    def handler(event, context):
        run = athena.start_query_execution(QueryString=event["sql"])
        while True:
            state = athena.get_query_execution(QueryExecutionId=run["QueryExecutionId"])
            if state["QueryExecution"]["Status"]["State"] in ("SUCCEEDED", "FAILED"):
                return state
            time.sleep(1)
    ```

    ## Use instead
    ```python
    def handler(event, context):
        run = athena.start_query_execution(QueryString=event["sql"])
        while context.get_remaining_time_in_millis() > 5000:
            state = athena.get_query_execution(QueryExecutionId=run["QueryExecutionId"])
            if state["QueryExecution"]["Status"]["State"] in ("SUCCEEDED", "FAILED"):
                return state
            time.sleep(1)
        raise TimeoutError("query still running")
    ```
    """

    code = "LL705"
    name = "poll-past-timeout"
    summary = "Polling loop with no bound under the function's timeout"
    severity = "warning"
    default_enabled = False
    VALID = [
        Example(
            "import time\n\n"
            "def handler(event, context):\n    attempts = 0\n"
            "    while not ready(event['id']) and attempts < 5:\n"
            "        attempts += 1\n        time.sleep(1)\n\n"
            "def ready(job):\n    return job\n"
        ),
        Example(
            "import time\n\n"
            "def handler(event, context):\n"
            "    while context.get_remaining_time_in_millis() > 2000:\n"
            "        if done(event['id']):\n            return True\n        time.sleep(1)\n\n"
            "def done(job):\n    return job\n"
        ),
        Example(
            "import time\n\n"
            "def handler(event, context):\n    deadline = time.monotonic() + 10\n"
            "    while not done(event['id']):\n"
            "        if time.monotonic() > deadline:\n            raise TimeoutError\n"
            "        time.sleep(1)\n\n"
            "def done(job):\n    return job\n"
        ),
        Example(
            "import time\n\n"
            "def handler(event, context):\n    for _ in range(5):\n"
            "        if done(event['id']):\n            return True\n        time.sleep(1)\n\n"
            "def done(job):\n    return job\n",
            files={
                "template.yaml": "Transform: AWS::Serverless-2016-10-31\nResources:\n"
                "  Fn:\n    Type: AWS::Serverless::Function\n"
                "    Properties:\n      Handler: app.handler\n      Runtime: python3.12\n"
                "      Timeout: 30\n"
            },
        ),
        Example("import time\n\nwhile not open('/tmp/ready').read():\n    time.sleep(1)\n"),
        # pages of a finished job: the string the loop compares never changes in it
        Example(
            "import time\n\n"
            "def handler(event, context):\n    api, token = event['api'], event['token']\n"
            "    while token:\n        time.sleep(1)\n"
            "        if api == 'Analysis':\n            page = event['client'].analysis(token)\n"
            "        else:\n            page = event['client'].text(token)\n"
            "        token = None\n"
            "        if 'NextToken' in page:\n            token = page['NextToken']\n"
        ),
        Example(
            "import time\n\n"
            "def handler(event, context):\n    token, items = '', []\n    while True:\n"
            "        page = event['client'].list_items(NextToken=token)\n"
            "        items += page['Items']\n        token = page.get('NextToken')\n"
            "        if not token:\n            return items\n        time.sleep(0.2)\n"
        ),
    ]
    INVALID = [
        Example(
            "import time\nimport boto3\n\nglue = boto3.client('glue')\n\n"
            "def handler(event, context):\n"
            "    run = glue.start_job_run(JobName='etl')\n"
            "    while True:\n"
            "        state = glue.get_job_run(JobName='etl', RunId=run['JobRunId'])\n"
            "        if state['JobRun']['JobRunState'] == 'SUCCEEDED':\n            break\n"
            "        time.sleep(5)\n",
            at="time.sleep(5)",
        ),
        Example(
            "from time import sleep\n\n"
            "def handler(event, context):\n    for _ in range(10):\n"
            "        if done(event['id']):\n            return True\n        sleep(2)\n\n"
            "def done(job):\n    return job\n",
            files={
                "template.yaml": "Transform: AWS::Serverless-2016-10-31\nResources:\n"
                "  Fn:\n    Type: AWS::Serverless::Function\n"
                "    Properties:\n      Handler: app.handler\n      Runtime: python3.12\n"
                "      Timeout: 15\n"
            },
            message="20s",
        ),
        Example(
            "import asyncio\n\n"
            "async def wait(job):\n    status = 'PENDING'\n"
            "    while status != 'DONE':\n        status = await job.status()\n"
            "        await asyncio.sleep(2)\n\n"
            "def handler(event, context):\n    asyncio.run(wait(event['job']))\n",
            message="handler -> wait",
        ),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        if self.context.qualified_name(node.func) not in SLEEPS:
            return
        loop = self._loop()
        function = self.context.function_node()
        if loop is None or function is None or self._reads_remaining_time(function):
            return
        if isinstance(loop, cst.While):
            message = self._unbounded(loop, node)
        else:
            message = self._too_long(loop, node)
        if message is None:
            return
        steps = self.per_invocation()
        if steps is None:
            return
        self.report_here(
            node,
            f"{message}{self.where(steps)}: if the awaited state never comes, Lambda kills "
            "the function at its timeout — bound the loop, check "
            "context.get_remaining_time_in_millis(), or use a waiter",
            steps,
        )

    def _loop(self) -> cst.While | cst.For | None:
        """The innermost loop around the visited call, inside its function."""
        for node in reversed(self.context.ancestors):
            if isinstance(node, (cst.While, cst.For)):
                return node
            if isinstance(node, (cst.FunctionDef, cst.Lambda)):
                return None
        return None

    @staticmethod
    def _reads_remaining_time(function: cst.FunctionDef) -> bool:
        return any(
            isinstance(n, cst.Attribute) and n.attr.value == REMAINING_TIME
            for n in descendants(function, into_functions=False)
        )

    def _unbounded(self, loop: cst.While, sleep: cst.Call) -> str | None:
        """Why a `while` loop polls without bound, or None when something bounds it
        (or it does not wait on anything)."""
        calls = _loop_calls(loop)
        if any(self.context.qualified_name(c.func) in CLOCKS for c in calls):
            return None
        counters = _counters(loop)
        tests = _tests(loop)
        for test in tests:
            if _names(test) & counters:
                return None
        if not any(_awaits_state(test) and _varies(test, loop) for test in tests):
            return None
        waits_on = [
            c
            for c in calls
            if c is not sleep
            and self.context.qualified_name(c.func) not in SLEEPS
            and (dotted_name(c.func) or "").rpartition(".")[2] not in NOT_POLLING
        ]
        if not waits_on:
            return None
        return "polling loop with no bound"

    def _too_long(self, loop: cst.For, sleep: cst.Call) -> str | None:
        """Why a `for _ in range(n)` loop outlasts the function's timeout, or None."""
        seconds = _number(call_argument(sleep, 0, "delay") or call_argument(sleep, 0, "secs"))
        rounds = self._range_length(loop.iter)
        if seconds is None or rounds is None:
            return None
        timeouts = [d.timeout for d in self.declarations(self.per_invocation() or [])]
        if not timeouts or None in timeouts:
            return None
        timeout = min(t for t in timeouts if t is not None)
        total = seconds * rounds
        if total < timeout:
            return None
        return f"polling loop sleeps up to {total:g}s, the function's Timeout is {timeout}s"

    def _range_length(self, iterable: cst.BaseExpression) -> float | None:
        if not isinstance(iterable, cst.Call):
            return None
        if self.context.qualified_name(iterable.func) != "builtins.range":
            return None
        bounds = [_number(a.value) for a in iterable.args]
        if len(bounds) == 1 and bounds[0] is not None:
            return bounds[0]
        if len(bounds) == 2 and None not in bounds:
            return bounds[1] - bounds[0]  # type: ignore[operator]
        return None
