"""LL7, calls that wait or fail quietly: a synchronous Lambda invoke (LL701), an HTTP call
without a timeout (LL703), a batch write whose failed entries are never looked at
(LL704)."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from lambda_lint.model.event_access import holds_response_url
from lambda_lint.model.names import keyword_argument, string_value
from lambda_lint.reliability import (
    BATCH_APIS,
    HTTP_CALLS,
    HTTP_SESSIONS,
    LOCAL_PREFIXES,
    SESSION_METHODS,
    TIMEOUT_POSITION,
    BatchApi,
)
from lambda_lint.rule import Example, mentions
from lambda_lint.rules.reliability_base import MAX_DEPTH, ReliabilityRule
from lambda_lint.rules.reuse_base import call_argument

#: the fields of a synchronous invoke's response that carry the other function's answer
#: (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html)
ANSWER_FIELDS = ("Payload", "FunctionError")
#: invocation types that do not wait for the other function
NOT_WAITING = frozenset({"Event", "DryRun"})


def _method(call: cst.Call) -> tuple[str, cst.BaseExpression] | None:
    """(method name, receiver) of `receiver.method(...)`."""
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value, func.value
    return None


# -- LL701 ---------------------------------------------------------------------------------


class SyncLambdaInvoke(ReliabilityRule):
    """
    ## What it does
    Reports `invoke` on a boto3 Lambda client in code that runs on every invocation
    when `InvocationType` is left out or is `"RequestResponse"` and the answer is never
    read: the response is dropped, or kept in a name that is only logged or read for
    other fields than `Payload` and `FunctionError`. The call waits for the other
    function to finish, for nothing. The client is recognised when it can be traced to
    `boto3.client("lambda")` (directly, through a name, a session), or when the call
    passes `FunctionName=`. Not reported: `InvocationType="Event"` or `"DryRun"`, an
    invocation type that is not a literal, arguments passed as `**kwargs`, a response
    whose `Payload` is read, returned or handed to other code (the caller needs the
    answer; consider Step Functions there).

    ## Why is this bad?
    While the other function runs, this one waits and is billed for the wait; its
    timeout must cover the other's, errors and throttles of the other come back as
    this one's, and retries multiply. AWS calls functions that synchronously call other
    functions an anti-pattern: invoke asynchronously (`InvocationType="Event"`), or put
    a queue or a Step Functions state machine between them
    (https://docs.aws.amazon.com/lambda/latest/operatorguide/functions-calling-functions.html).

    ## Example
    ```python
    import json

    import boto3

    lambda_client = boto3.client("lambda")


    def handler(event, context):
        lambda_client.invoke(FunctionName="send-receipt", Payload=json.dumps(event))
    ```

    ## Use instead
    ```python
    def handler(event, context):
        lambda_client.invoke(
            FunctionName="send-receipt", InvocationType="Event", Payload=json.dumps(event)
        )
    ```
    """

    code = "LL701"
    name = "sync-lambda-invoke"
    summary = "Synchronous Lambda invoke from per-invocation code"
    severity = "warning"
    default_enabled = False
    VALID = [
        Example(
            "import boto3\n\nlam = boto3.client('lambda')\n\n"
            "def handler(event, context):\n"
            "    lam.invoke(FunctionName='worker', InvocationType='Event', Payload=b'{}')\n"
        ),
        Example(
            "import json\nimport boto3\n\nlam = boto3.client('lambda')\n\n"
            "def handler(event, context):\n"
            "    response = lam.invoke(FunctionName='pricing', Payload=b'{}')\n"
            "    return json.load(response['Payload'])\n"
        ),
        Example(
            "import boto3\n\nlam = boto3.client('lambda')\n\n"
            "def handler(event, context):\n    lam.invoke(**event['call'])\n"
        ),
        Example(
            "from langchain import chain\n\n"
            "def handler(event, context):\n    chain.invoke(event['question'])\n"
        ),
        Example(
            "import boto3\n\nlam = boto3.client('lambda')\n\n"
            "lam.invoke(FunctionName='warm-up')\n\n"
            "def handler(event, context):\n    return 1\n"
        ),
    ]
    INVALID = [
        Example(
            "import boto3\n\nlam = boto3.client('lambda')\n\n"
            "def handler(event, context):\n"
            "    lam.invoke(FunctionName='worker', Payload=b'{}')\n",
            at="lam.invoke(FunctionName='worker', Payload=b'{}')",
        ),
        Example(
            "import logging\nimport boto3\n\nlogger = logging.getLogger()\n\n"
            "def notify(payload):\n"
            "    client = boto3.session.Session().client('lambda')\n"
            "    response = client.invoke(FunctionName='mailer', "
            "InvocationType='RequestResponse', Payload=payload)\n"
            "    logger.info('mailer answered %s', response['StatusCode'])\n\n"
            "def handler(event, context):\n    notify(event['body'])\n",
            message="handler -> notify",
        ),
        Example(
            "def call(client, name):\n    client.invoke(FunctionName=name)\n\n"
            "def handler(event, context):\n    call(event['client'], 'worker')\n",
        ),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        method = _method(node)
        if method is None or method[0] != "invoke" or self.has_star_arguments(node):
            return
        service = self.service_of(method[1])
        if service != "lambda" and not (service is None and keyword_argument(node, "FunctionName")):
            return
        kind = keyword_argument(node, "InvocationType")
        if kind is not None and string_value(kind.value) != "RequestResponse":
            return
        if not self.result_unread(node, ANSWER_FIELDS):
            return
        steps = self.per_invocation()
        if steps is None:
            return
        self.report_here(
            node,
            f"synchronous Lambda invoke whose answer is never read{self.where(steps)}: "
            "this function waits, billed, for the other to finish and must outlast it — "
            "pass InvocationType='Event'",
            steps,
        )


# -- LL703 ---------------------------------------------------------------------------------


class HttpCallWithoutTimeout(ReliabilityRule):
    """
    ## What it does
    Reports an HTTP request made without a timeout in code that runs on every
    invocation: `requests.get/post/put/patch/delete/head/options/request`, the same
    methods of a `requests.Session` (mounted adapters and retries give it no timeout),
    and `urllib.request.urlopen`, whatever the import style. `timeout=None` counts as
    no timeout. Not reported: `httpx`, whose requests time out after 5 seconds by
    default; requests to a server inside the execution environment (a URL starting
    with `http://localhost`, `http://127.0.0.1`: a Lambda extension such as the
    Parameters and Secrets extension, a sidecar); a custom resource's answer to
    CloudFormation (a request to the event's `ResponseURL`, the presigned S3 URL
    CloudFormation waits on); calls passing `**kwargs`; sessions held in attributes or
    built elsewhere.

    ## Why is this bad?
    `requests` and `urlopen` wait forever for a server that accepted the connection
    and never answers (https://requests.readthedocs.io/en/latest/user/advanced/#timeouts:
    "requests do not time out unless a timeout value is set explicitly"). The function
    then hangs until Lambda kills it at its own timeout: billed for the whole wait,
    with no chance to log, retry or answer the caller.

    ## Example
    ```python
    import requests


    def handler(event, context):
        return requests.get("https://api.example.com/rates").json()
    ```

    ## Use instead
    ```python
    import requests


    def handler(event, context):
        return requests.get("https://api.example.com/rates", timeout=5).json()
    ```
    """

    code = "LL703"
    name = "http-call-without-timeout"
    summary = "HTTP request without a timeout in per-invocation code"
    severity = "warning"
    VALID = [
        Example(
            "import requests\n\n"
            "def handler(event, context):\n"
            "    return requests.get(event['url'], timeout=3).status_code\n"
        ),
        Example(
            "import httpx\n\n"
            "def handler(event, context):\n    return httpx.get(event['url']).status_code\n"
        ),
        Example(
            "from urllib.request import urlopen\n\n"
            "def handler(event, context):\n    return urlopen(event['url'], None, 5).read()\n"
        ),
        Example(
            "import requests\n\n"
            "def fetch(url, **options):\n    return requests.get(url, **options)\n\n"
            "def handler(event, context):\n    return fetch(event['url'], timeout=2)\n"
        ),
        Example("import requests\n\nCONFIG = requests.get('https://config.example.com').json()\n"),
        Example(
            "import requests\n\nSECRETS = 'http://localhost:2773/secretsmanager/get?secretId='\n\n"
            "def handler(event, context):\n"
            "    return requests.get(SECRETS + event['name'], headers={}).json()\n"
        ),
        Example(
            "from urllib import request\n\n"
            "URL = 'http://localhost:2772' '/applications/shop/environments/prod/configurations/flags'\n\n"
            "def handler(event, context):\n"
            "    return request.urlopen(request.Request(URL)).read()\n"
        ),
        # a custom resource's answer, to the presigned S3 URL CloudFormation waits on
        Example(
            "import json\nfrom urllib.request import Request, urlopen\n\n"
            "def handler(event, context):\n"
            "    body = json.dumps({'Status': 'SUCCESS', 'RequestId': event['RequestId']})\n"
            "    urlopen(Request(event['ResponseURL'], data=body.encode(), method='PUT'))\n"
        ),
    ]
    INVALID = [
        Example(
            "import requests\n\n"
            "def handler(event, context):\n"
            "    return requests.post('https://hooks.example.com', json=event).status_code\n",
            at="requests.post('https://hooks.example.com', json=event)",
            message="requests",
        ),
        Example(
            "import requests\nfrom requests.adapters import HTTPAdapter\n\n"
            "session = requests.Session()\nsession.mount('https://', HTTPAdapter(max_retries=3))\n\n"
            "def handler(event, context):\n    return session.get(event['url']).text\n",
        ),
        Example(
            "import urllib.request\n\n"
            "def handler(event, context):\n"
            "    return urllib.request.urlopen(event['url']).read()\n",
            message="urlopen",
        ),
        Example(
            "from requests import get\n\n"
            "def handler(event, context):\n    return get(event['url'], timeout=None).text\n",
        ),
    ]

    @classmethod
    def may_report_in(cls, path: Path, text: str) -> bool:
        """Only where an HTTP library the rule knows is imported."""
        return mentions(text, (*HTTP_CALLS, *HTTP_SESSIONS))

    def visit_Call(self, node: cst.Call) -> None:
        library = self._library(node)
        if library is None or self.has_star_arguments(node) or self._local(node):
            return
        if self._answers_cloudformation(node):
            return
        position = TIMEOUT_POSITION[library]
        timeout = call_argument(node, -1 if position is None else position, "timeout")
        if timeout is not None and not (isinstance(timeout, cst.Name) and timeout.value == "None"):
            return
        steps = self.per_invocation()
        if steps is None:
            return
        label = "urlopen()" if library == "urlopen" else "requests call"
        self.report_here(
            node,
            f"{label} without a timeout{self.where(steps)}: a server that never answers "
            "holds the function until Lambda kills it — pass timeout=",
            steps,
        )

    def _local(self, node: cst.Call) -> bool:
        """Whether the request goes to a server inside the execution environment (an
        extension on `http://localhost:2773`, a sidecar): its URL starts with a literal
        local prefix."""
        return any(self._leading_text(url).startswith(LOCAL_PREFIXES) for url in self._urls(node))

    def _answers_cloudformation(self, node: cst.Call) -> bool:
        """Whether the request is a custom resource's answer: its URL is the event's
        `ResponseURL`, the presigned S3 URL CloudFormation waits on (the function's last
        act, to S3)."""
        for url in self._urls(node):
            if isinstance(url, cst.Call) and self.context.qualified_name(url.func) == (
                "urllib.request.Request"
            ):
                url = call_argument(url, 0, "url") or url
            if holds_response_url(self.context.refs(url)):
                return True
        return False

    @staticmethod
    def _urls(node: cst.Call) -> list[cst.BaseExpression]:
        """The arguments that may be a call's URL: the first two positional ones (a
        method comes first in `request("PUT", url)`) and `url=`."""
        positional = [a.value for a in node.args if a.keyword is None]
        return [
            *positional[:2],
            *(a.value for a in node.args if a.keyword and a.keyword.value == "url"),
        ]

    def _leading_text(self, value: cst.BaseExpression, depth: int = 0) -> str:
        """The literal text a URL expression starts with: a string, an f-string's first
        part, the left end of a `+` concatenation, the URL of a `urllib.request.Request`,
        what a name is bound to ("" when not known)."""
        while (
            isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add)
        ) or isinstance(value, cst.ConcatenatedString):
            value = value.left
        if isinstance(value, cst.FormattedString):
            first = value.parts[0] if value.parts else None
            return first.value if isinstance(first, cst.FormattedStringText) else ""
        if isinstance(value, cst.Call) and depth < MAX_DEPTH:
            if self.context.qualified_name(value.func) != "urllib.request.Request":
                return ""
            url = call_argument(value, 0, "url")
            return self._leading_text(url, depth + 1) if url is not None else ""
        if isinstance(value, cst.Name) and depth < MAX_DEPTH:
            texts = {
                self._leading_text(v, depth + 1) for v in self.context.bound_values(value.value)
            }
            return texts.pop() if len(texts) == 1 else ""
        return string_value(value) or ""

    def _library(self, node: cst.Call) -> str | None:
        """The library of an HTTP call without a default timeout, or None."""
        library = HTTP_CALLS.get(self.context.qualified_name(node.func) or "")
        if library is not None:
            return library
        method = _method(node)
        if method is not None and method[0] in SESSION_METHODS:
            receiver = method[1]
            if isinstance(receiver, cst.Call):
                built = self.context.qualified_name(receiver.func)
            else:
                built = self.built_by(receiver, set(HTTP_SESSIONS))
            if built in HTTP_SESSIONS:
                return "requests"
        return None


# -- LL704 ---------------------------------------------------------------------------------


class UncheckedBatchApi(ReliabilityRule):
    """
    ## What it does
    Reports an AWS batch write whose response is never checked for failed entries:
    Kinesis `put_records` (`FailedRecordCount`), Firehose `put_record_batch`
    (`FailedPutCount`), SQS `send_message_batch` and SNS `publish_batch` (`Failed`),
    DynamoDB `batch_write_item` (`UnprocessedItems`), EventBridge `put_events`
    (`FailedEntryCount`). The call is recognised when its client can be traced to the
    service (`boto3.client("kinesis")`, ...) or when it passes a keyword only that
    service's method takes (`StreamName=`, `QueueUrl=`, `Entries=`, ...). Reported
    when the response is thrown away, or kept in a name that is only logged or read
    for other fields (`response["ResponseMetadata"]["HTTPStatusCode"]`). Not reported
    when the response is returned or handed to other code, which may check it.

    ## Why is this bad?
    These APIs succeed (HTTP 200) even when some entries failed: throttled records,
    unprocessed items, rejected events come back in the response, and nothing raises.
    Unless the code looks, those entries are silently lost. Retry the failed ones (or
    raise so the event is retried). Sources: the API references of each call, e.g.
    https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html.

    ## Example
    ```python
    import json

    import boto3

    kinesis = boto3.client("kinesis")


    def handler(event, context):
        kinesis.put_records(
            StreamName="clicks",
            Records=[{"Data": json.dumps(r), "PartitionKey": r["id"]} for r in event["items"]],
        )
    ```

    ## Use instead
    ```python
    def handler(event, context):
        response = kinesis.put_records(
            StreamName="clicks",
            Records=[{"Data": json.dumps(r), "PartitionKey": r["id"]} for r in event["items"]],
        )
        if response["FailedRecordCount"]:
            raise RuntimeError(f"{response['FailedRecordCount']} records not written")
    ```
    """

    code = "LL704"
    name = "unchecked-batch-api"
    summary = "Batch write whose failed entries are never checked"
    severity = "warning"
    default_enabled = False
    VALID = [
        Example(
            "import boto3\n\nsqs = boto3.client('sqs')\n\n"
            "def handler(event, context):\n"
            "    result = sqs.send_message_batch(QueueUrl='q', Entries=event['entries'])\n"
            "    if result.get('Failed'):\n        raise RuntimeError(result['Failed'])\n"
        ),
        Example(
            "import boto3\n\nddb = boto3.client('dynamodb')\n\n"
            "def handler(event, context):\n"
            "    return ddb.batch_write_item(RequestItems=event['items'])\n"
        ),
        Example(
            "import boto3\n\npersonalize = boto3.client('personalize-events')\n\n"
            "def handler(event, context):\n"
            "    personalize.put_events(trackingId='t', sessionId='s', eventList=[])\n"
        ),
        Example(
            "import boto3\n\nevents = boto3.client('events')\n\n"
            "def handler(event, context):\n"
            "    response = events.put_events(Entries=event['entries'])\n"
            "    retry_failed(response)\n\n"
            "def retry_failed(response):\n    return response\n"
        ),
    ]
    INVALID = [
        Example(
            "import boto3\n\nkinesis = boto3.client('kinesis')\n\n"
            "def handler(event, context):\n"
            "    kinesis.put_records(StreamName='s', Records=event['records'])\n",
            at="kinesis.put_records(StreamName='s', Records=event['records'])",
            message="FailedRecordCount",
        ),
        Example(
            "import logging\nimport boto3\n\nlogger = logging.getLogger()\n"
            "firehose = boto3.client('firehose')\n\n"
            "def handler(event, context):\n"
            "    response = firehose.put_record_batch(DeliveryStreamName='d', Records=[])\n"
            "    logger.info('sent %s', response)\n"
            "    return response['ResponseMetadata']['HTTPStatusCode'] == 200\n",
            message="FailedPutCount",
        ),
        Example(
            "def send(sqs, entries):\n"
            "    sqs.send_message_batch(QueueUrl='q', Entries=entries)\n\n"
            "def handler(event, context):\n    send(event['sqs'], event['entries'])\n",
            message="handler -> send",
        ),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        api = self._batch_api(node)
        if api is None or not self.result_unread(node, api.failure_fields):
            return
        steps = self.per_invocation()
        if steps is None:
            return
        fields = " / ".join(f"`{f}`" for f in api.failure_fields[:1])
        self.report_here(
            node,
            f"{api.method}() succeeds even when entries fail, and its response is never "
            f"checked{self.where(steps)}: read {fields} and retry or raise, or the failed "
            "entries are lost",
            steps,
        )

    def _batch_api(self, node: cst.Call) -> BatchApi | None:
        method = _method(node)
        api = BATCH_APIS.get(method[0]) if method is not None else None
        if api is None or method is None or self.has_star_arguments(node):
            return None
        service = self.service_of(method[1])
        if service == api.service:
            return api
        named = any(keyword_argument(node, k) is not None for k in api.keywords)
        return api if service is None and named else None
