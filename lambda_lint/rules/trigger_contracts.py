"""LL1, what a trigger expects back: API Gateway proxy responses, Cognito user-pool
triggers, CloudFormation custom resources. These rules need the handler's trigger and
stay silent without it."""

from __future__ import annotations

import builtins

import libcst as cst

from lambda_lint.model.event_access import RESPONSE_URL, holds_response_url
from lambda_lint.model.locals import assigned_values, returns_of
from lambda_lint.model.names import dotted_name, string_value
from lambda_lint.model.project import FunctionKey, Handler
from lambda_lint.rule import Example, Rule
from lambda_lint.rules.handler_contract import runtime_handler
from lambda_lint.triggers import TRIGGERS
from lambda_lint.walk import descendants

NON_STRING_CALLS = {"dict", "list", "set", "tuple", "int", "float"}


def _literal_keys(value: cst.Dict) -> set[str] | None:
    """The string keys of a dict literal; None if it has a `**spread` or computed key."""
    keys = set()
    for element in value.elements:
        if not isinstance(element, cst.DictElement):
            return None
        key = string_value(element.key)
        if key is None:
            return None
        keys.add(key)
    return keys


def _item(value: cst.Dict, key: str) -> cst.BaseExpression | None:
    """The value of a dict literal's entry with the literal key `key`."""
    for element in value.elements:
        if isinstance(element, cst.DictElement) and string_value(element.key) == key:
            return element.value
    return None


class ApiResponseShape(Rule):
    """
    ## What it does
    Reports a handler behind API Gateway or an ALB whose returned dict is not a valid
    proxy response. REST APIs (payload 1.0) and ALBs: the dict lacks `statusCode`, or its
    `body` is not a string (a dict, list or number returned without `json.dumps`). HTTP
    APIs (payload 2.0) and function URLs accept a bare dict (it is serialised for you),
    but once `statusCode` is there, `body` must be a string too.

    Only handlers that a deployment descriptor or the `handlers` setting binds to a proxy
    integration are judged: a non-proxy integration (`integration: lambda`, an OpenAPI
    `type: aws` integration) maps the response with its own templates, a handler found
    by its name alone may serve something else, and a framework such as Chalice builds
    the proxy response from what its views return.

    ## Why is this bad?
    API Gateway answers `502 Bad Gateway` ("Malformed Lambda proxy response") and the
    handler's logs show success.

    ## Example
    ```python
    def handler(event, context):  # REST API
        return {"statusCode": 200, "body": {"id": 42}}
    ```

    ## Use instead
    ```python
    import json

    def handler(event, context):
        return {"statusCode": 200, "body": json.dumps({"id": 42})}
    ```
    """

    reached_code_only = True

    code = "LL105"
    name = "api-response-shape"
    summary = "Malformed API Gateway / ALB proxy response"
    VALID = [
        Example(
            "import json\n\ndef handler(event, context):\n"
            "    return {'statusCode': 200, 'body': json.dumps({'ok': True})}\n",
            trigger="apigw-rest",
        ),
        Example("def handler(event, context):\n    return {'id': 42}\n", trigger="apigw-http"),
        Example("def handler(event, context):\n    return {'id': 42}\n", trigger="sqs"),
        Example(
            "def handler(event, context):\n    response = {'statusCode': 204, 'body': ''}\n"
            "    return response\n",
            trigger="alb",
        ),
        Example(
            "def handler(event, context):\n    return {'items': []}\n",
            files={
                "serverless.yml": "service: shop\nprovider:\n  name: aws\n  runtime: python3.12\n"
                "functions:\n  list:\n    handler: app.handler\n    events:\n      - http:\n"
                "          path: items\n          method: get\n          integration: lambda\n"
            },
        ),
        Example(
            "from chalice import Chalice\n\napp = Chalice(app_name='shop')\n\n"
            "@app.route('/items')\ndef list_items():\n    return {'items': []}\n"
        ),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    return {'statusCode': 200, 'body': {'id': 42}}\n",
            trigger="apigw-rest",
            message="body",
        ),
        Example(
            "def handler(event, context):\n    return {'items': []}\n",
            trigger="apigw-rest",
            message="statusCode",
        ),
        Example(
            "def handler(event, context):\n    return {'statusCode': 201, 'body': [1, 2]}\n",
            trigger="apigw-http",
        ),
        Example(
            "def handler(event, context):\n    payload = {'id': 1}\n"
            "    return {'statusCode': 200, 'body': payload}\n",
            trigger="function-url",
        ),
    ]

    def visit_Return(self, node: cst.Return) -> None:
        handler = runtime_handler(self)
        if handler is None or node.value is None or handler.trigger is None:
            return
        if not handler.is_declared:
            return
        payload = TRIGGERS[handler.trigger].http
        if payload is None:
            return
        response = self._dict_value(node.value)
        if response is None:
            return
        keys = _literal_keys(response)
        if keys is None:
            return
        problems = []
        title = TRIGGERS[handler.trigger].title
        if payload == "v1" and "statusCode" not in keys:
            problems.append("has no 'statusCode'")
        body = _item(response, "body")
        if (
            body is not None
            and (payload == "v1" or "statusCode" in keys)
            and self._not_string(body)
        ):
            problems.append("has a 'body' that is not a string (use json.dumps)")
        if problems:
            self.report(
                node.value,
                f"the {title} response {' and '.join(problems)}: the caller gets "
                "502 Bad Gateway (malformed Lambda proxy response)",
            )

    def _dict_value(self, value: cst.BaseExpression) -> cst.Dict | None:
        if isinstance(value, cst.Dict):
            return value
        function = self.context.function_node()
        if isinstance(value, cst.Name) and function is not None:
            values = assigned_values(function, value.value)
            if len(values) == 1 and isinstance(values[0], cst.Dict):
                return values[0]
        return None

    def _not_string(self, value: cst.BaseExpression) -> bool:
        if isinstance(value, (cst.Dict, cst.List, cst.Tuple, cst.Set, cst.Integer, cst.Float)):
            return True
        if isinstance(value, (cst.DictComp, cst.ListComp, cst.SetComp)):
            return True
        if isinstance(value, cst.Call):
            return self.context.qualified_name(value.func) in {
                f"builtins.{n}" for n in NON_STRING_CALLS
            }
        function = self.context.function_node()
        if isinstance(value, cst.Name) and function is not None:
            values = assigned_values(function, value.value)
            return bool(values) and all(
                self._not_string(v) for v in values if not isinstance(v, cst.Name)
            )
        return False


class CognitoTriggerReturn(Rule):
    """
    ## What it does
    Reports a Cognito user pool trigger handler that does not return the event it was
    given (with its `response` filled in): a `return` of anything else, a bare
    `return`, or no `return` at all.

    ## Why is this bad?
    Cognito reads the trigger's answer from the returned event. Anything else fails the
    sign-up or sign-in with `InvalidLambdaResponseException`, for every user.

    ## Example
    ```python
    def handler(event, context):
        event["response"]["autoConfirmUser"] = True
        return {"ok": True}
    ```

    ## Use instead
    ```python
    def handler(event, context):
        event["response"]["autoConfirmUser"] = True
        return event
    ```
    """

    reached_code_only = True

    code = "LL109"
    name = "cognito-trigger-return"
    summary = "Cognito user pool trigger does not return the event"
    default_enabled = False
    VALID = [
        Example(
            "def handler(event, context):\n    event['response']['autoConfirmUser'] = True\n"
            "    return event\n",
            trigger="cognito-user-pool",
        ),
        Example(
            "def handler(event, context):\n    if event['triggerSource'] == 'X':\n"
            "        raise Exception('not allowed')\n    return event\n",
            trigger="cognito-user-pool",
        ),
        Example("def handler(event, context):\n    return {'ok': True}\n", trigger="sqs"),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    return {'ok': True}\n",
            trigger="cognito-user-pool",
        ),
        Example(
            "def handler(event, context):\n    event['response']['autoConfirmUser'] = True\n",
            trigger="cognito-user-pool",
            message="never returns",
        ),
        Example(
            "def handler(event, context):\n    if not event['request']:\n        return\n"
            "    return event\n",
            trigger="cognito-user-pool",
        ),
    ]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        handler = runtime_handler(self)
        if handler is None or handler.trigger != "cognito-user-pool":
            return
        returns = returns_of(node)
        if not returns:
            self.report(
                node.name,
                "the Cognito trigger never returns the event: Cognito fails the request "
                "(InvalidLambdaResponseException); end with `return event`",
            )
            return
        for statement in returns:
            if statement.value is None or not self._is_event(statement.value):
                self.report(
                    statement.value or statement,
                    "a Cognito trigger must return the event it was given (with its "
                    "`response` filled in); anything else fails the request",
                )

    def _is_event(self, value: cst.BaseExpression) -> bool:
        refs = self.context.refs(value)
        return bool(refs) and all(r.root == "event" and not r.path for r in refs)


def _broad(handler: cst.ExceptHandler) -> bool:
    return handler.type is None or dotted_name(handler.type) in ("Exception", "BaseException")


def _reraises(handler: cst.ExceptHandler) -> bool:
    return any(isinstance(node, cst.Raise) for node in descendants(handler.body))


class CustomResourceNoResponse(Rule):
    """
    ## What it does
    Reports a CloudFormation custom resource handler that sends its response itself
    (`cfnresponse.send`, or a request to the event's `ResponseURL`) but has a path that
    never sends it: an early `return` before the response, or work that can raise
    outside a `try` whose `except`/`finally` sends a FAILED response. Handlers that
    never send (the CDK provider framework, crhelper) are not reported.

    ## Why is this bad?
    CloudFormation waits for the response: the stack hangs for an hour, then fails, and
    rollbacks hang the same way.

    ## Example
    ```python
    def handler(event, context):
        name = event["ResourceProperties"]["Name"]
        create_record(name)
        cfnresponse.send(event, context, cfnresponse.SUCCESS, {})
    ```

    ## Use instead
    ```python
    def handler(event, context):
        try:
            create_record(event["ResourceProperties"]["Name"])
        except Exception:
            cfnresponse.send(event, context, cfnresponse.FAILED, {})
            raise
        cfnresponse.send(event, context, cfnresponse.SUCCESS, {})
    ```
    """

    reached_code_only = True

    code = "LL110"
    name = "custom-resource-no-response"
    summary = "Custom resource handler can end without sending the response"
    default_enabled = False
    SENDERS = ("cfnresponse.send", "send_response", "send_cfn_response")
    VALID = [
        Example(
            "import cfnresponse\n\ndef handler(event, context):\n    try:\n        work(event)\n"
            "    except Exception:\n        cfnresponse.send(event, context, cfnresponse.FAILED, {})\n"
            "        return\n    cfnresponse.send(event, context, cfnresponse.SUCCESS, {})\n\n"
            "def work(event):\n    return event\n",
            trigger="cloudformation-custom-resource",
        ),
        Example(
            "def handler(event, context):\n    return {'PhysicalResourceId': 'x'}\n",
            trigger="cloudformation-custom-resource",
        ),
        Example(
            "import cfnresponse\n\ndef handler(event, context):\n    status = cfnresponse.SUCCESS\n"
            "    try:\n        work(event)\n    except Exception:\n        status = cfnresponse.FAILED\n"
            "    finally:\n        cfnresponse.send(event, context, status, {})\n\n"
            "def work(event):\n    return event\n",
            trigger="cloudformation-custom-resource",
        ),
    ]
    INVALID = [
        Example(
            "import cfnresponse\n\ndef handler(event, context):\n    work(event)\n"
            "    cfnresponse.send(event, context, cfnresponse.SUCCESS, {})\n\n"
            "def work(event):\n    return event\n",
            trigger="cloudformation-custom-resource",
            message="exception",
        ),
        Example(
            "import cfnresponse\n\ndef handler(event, context):\n    try:\n"
            "        if event['RequestType'] == 'Delete':\n            return\n"
            "        cfnresponse.send(event, context, cfnresponse.SUCCESS, {})\n"
            "    except Exception:\n        cfnresponse.send(event, context, cfnresponse.FAILED, {})\n",
            trigger="cloudformation-custom-resource",
            message="returns",
        ),
        Example(
            "import json, urllib.request\n\ndef handler(event, context):\n"
            "    value = int(event['ResourceProperties']['Size'])\n"
            "    body = json.dumps({'Status': 'SUCCESS', 'Data': {'Size': value}}).encode()\n"
            "    urllib.request.urlopen(urllib.request.Request(event['ResponseURL'], data=body,"
            " method='PUT'))\n",
            trigger="cloudformation-custom-resource",
        ),
    ]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        handler: Handler | None = runtime_handler(self)
        if handler is None or handler.trigger != "cloudformation-custom-resource":
            return
        sends = self._send_calls(node.body)
        if not sends:
            return
        first_send = min(self.context.positions.line(call) for call in sends)
        protected = self._protected(node, sends)
        problems = []
        for statement in returns_of(node):
            if self.context.positions.line(statement) < first_send and not self._in_except_block(
                node, statement
            ):
                problems.append(
                    f"returns at line {self.context.positions.line(statement)} before sending it"
                )
                break
        if not protected:
            problems.append(
                "an exception before the send leaves it unsent (no try/except sends FAILED)"
            )
        if problems:
            self.report(
                node.name,
                "the custom resource response may never be sent — "
                + "; ".join(problems)
                + ": CloudFormation then waits an hour for it",
            )

    def _is_send(self, call: cst.Call) -> bool:
        name = self.context.qualified_name(call.func) or ""
        if name.endswith(self.SENDERS):
            return True
        for arg in call.args:
            if holds_response_url(self.context.refs(arg.value)):
                return True
            if isinstance(arg.value, cst.Call) and self._is_send(arg.value):
                return True
        return self._helper_sends(call)

    def _helper_sends(self, call: cst.Call) -> bool:
        found = self.context.project_callee(call)
        return found is not None and self._function_sends(found[0], 0)

    def _function_sends(self, key: FunctionKey, depth: int) -> bool:
        function = self.context.model.function(key)
        if function is None or depth > 3:
            return False
        for call in function.calls:
            if call.target.endswith(self.SENDERS):
                return True
            if any(path[:1] == (RESPONSE_URL,) for arg in call.args for _, path in arg):
                return True
            callee = self.context.model.resolve_call(key, call)
            if callee is not None and callee != key and self._function_sends(callee, depth + 1):
                return True
        return False

    def _send_calls(self, body: cst.CSTNode) -> list[cst.Call]:
        """The calls in `body` (not in nested functions) that send the response."""
        found: list[cst.Call] = []
        for node in descendants(body, into_functions=False):
            if isinstance(node, cst.Call) and self._is_send(node):
                found.append(node)
        return found

    def _protected(self, function: cst.FunctionDef, sends: list[cst.Call]) -> bool:
        """A `try` in the handler whose `except` or `finally` sends the response, or
        that swallows every exception before a send that follows it."""
        positions = self.context.positions
        last_send = max(positions.line(call) for call in sends)
        for node in descendants(function.body, into_functions=False):
            if not isinstance(node, cst.Try):
                continue
            blocks: list[cst.CSTNode] = [h.body for h in node.handlers]
            if node.finalbody is not None:
                blocks.append(node.finalbody.body)
            if any(self._send_calls(block) for block in blocks):
                return True
            swallows = any(_broad(h) and not _reraises(h) for h in node.handlers)
            if swallows and positions.span(node)[1].line < last_send:
                return True
        return False

    @staticmethod
    def _in_except_block(function: cst.FunctionDef, statement: cst.Return) -> bool:
        """Whether a `return` sits in an `except` block (after its send)."""
        return any(
            isinstance(node, cst.ExceptHandler)
            and any(inner is statement for inner in descendants(node.body))
            for node in descendants(function.body, into_functions=False)
        )


def _builtin_exception(name: str) -> bool:
    value = getattr(builtins, name, None)
    return isinstance(value, type) and issubclass(value, BaseException)


class AsyncTriggerErrorReturn(Rule):
    """
    ## What it does
    Reports a handler of an asynchronous trigger (S3, SNS, EventBridge, scheduled
    events, CloudWatch Logs, IoT, Config) that returns an error-shaped value — a dict
    with a `statusCode` of 400 or more, or an `error`/`errorMessage` key — instead of
    raising.

    ## Why is this bad?
    Asynchronous invocations ignore the returned value: the invocation counts as a
    success, so Lambda neither retries it nor sends it to the on-failure destination or
    dead-letter queue. The failure is silently dropped.

    ## Example
    ```python
    def handler(event, context):
        if not valid(event):
            return {"statusCode": 400, "error": "invalid object"}
    ```

    ## Use instead
    ```python
    def handler(event, context):
        if not valid(event):
            raise ValueError("invalid object")
    ```
    """

    reached_code_only = True

    code = "LL111"
    name = "async-trigger-error-return"
    summary = "Asynchronous trigger handler returns an error instead of raising"
    default_enabled = False
    ERROR_KEYS = ("error", "errorMessage", "errors")
    VALID = [
        Example("def handler(event, context):\n    raise ValueError('bad object')\n", trigger="s3"),
        Example(
            "def handler(event, context):\n    return {'statusCode': 400, 'body': 'bad'}\n",
            trigger="apigw-rest",
        ),
        Example("def handler(event, context):\n    return {'processed': 3}\n", trigger="sns"),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    return {'statusCode': 500, 'body': 'failed'}\n",
            trigger="s3",
            message="retry",
        ),
        Example(
            "def handler(event, context):\n    return {'error': 'no such customer'}\n",
            trigger="eventbridge",
        ),
        Example(
            "def handler(event, context):\n    if not event['detail']:\n"
            "        return {'statusCode': 422}\n    return {'statusCode': 200}\n",
            trigger="schedule",
        ),
    ]

    def visit_Return(self, node: cst.Return) -> None:
        handler = runtime_handler(self)
        if handler is None or handler.trigger is None or node.value is None:
            return
        trigger = TRIGGERS[handler.trigger]
        if not trigger.asynchronous or not isinstance(node.value, cst.Dict):
            return
        keys = _literal_keys(node.value) or set()
        status = _item(node.value, "statusCode")
        failing = isinstance(status, cst.Integer) and int(status.value) >= 400
        if failing or keys & set(self.ERROR_KEYS):
            self.report(
                node.value,
                f"{trigger.title} invokes the function asynchronously and ignores what it "
                "returns: this error counts as success (no retry, no DLQ); raise instead",
            )


class AuthorizerDenial(Rule):
    """
    ## What it does
    Reports an API Gateway Lambda authorizer that denies by raising anything other than
    `Exception("Unauthorized")`, or that returns a policy without `principalId` or
    `policyDocument`.

    ## Why is this bad?
    API Gateway answers 401 only for the exact message `Unauthorized`; any other
    exception becomes a 500 (and the client retries a request it should not). A policy
    response without `principalId` and `policyDocument` is rejected with a 500 too.

    ## Example
    ```python
    def handler(event, context):
        if not valid(event["authorizationToken"]):
            raise PermissionError("bad token")
    ```

    ## Use instead
    ```python
    def handler(event, context):
        if not valid(event["authorizationToken"]):
            raise Exception("Unauthorized")
    ```
    """

    reached_code_only = True

    code = "LL112"
    name = "authorizer-denial"
    summary = "Authorizer denies with the wrong exception or an incomplete policy"
    default_enabled = False
    AUTHORIZERS = ("apigw-authorizer-token", "apigw-authorizer-request")
    VALID = [
        Example(
            "def handler(event, context):\n    if not event['authorizationToken']:\n"
            "        raise Exception('Unauthorized')\n"
            "    return {'principalId': 'u', 'policyDocument': {}}\n",
            trigger="apigw-authorizer-token",
        ),
        Example("def handler(event, context):\n    raise PermissionError('nope')\n", trigger="sqs"),
        Example(
            "def handler(event, context):\n    policy = build(event)\n    return policy\n\n"
            "def build(event):\n    return {}\n",
            trigger="apigw-authorizer-request",
        ),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    raise PermissionError('bad token')\n",
            trigger="apigw-authorizer-token",
            message="Unauthorized",
        ),
        Example(
            "def handler(event, context):\n    raise Exception('unauthorized')\n",
            trigger="apigw-authorizer-token",
        ),
        Example(
            "def handler(event, context):\n    return {'policyDocument': {'Statement': []}}\n",
            trigger="apigw-authorizer-request",
            message="principalId",
        ),
    ]

    def _serves_authorizer(self) -> bool:
        handler = runtime_handler(self)
        return handler is not None and handler.trigger in self.AUTHORIZERS

    def visit_Raise(self, node: cst.Raise) -> None:
        if not self._serves_authorizer() or node.exc is None:
            return
        exc = node.exc
        name = self.context.qualified_name(exc.func if isinstance(exc, cst.Call) else exc)
        message = None
        if isinstance(exc, cst.Call) and exc.args:
            message = string_value(exc.args[0].value)
        if name == "builtins.Exception" and message == "Unauthorized":
            return
        if isinstance(exc, cst.Name) and not _builtin_exception(exc.value):
            return  # re-raising a caught exception object: not a denial
        self.report(
            node,
            'an authorizer denies with `raise Exception("Unauthorized")` exactly; any '
            "other exception is a 500 for the client, not a 401",
        )

    def visit_Return(self, node: cst.Return) -> None:
        if not self._serves_authorizer() or not isinstance(node.value, cst.Dict):
            return
        keys = _literal_keys(node.value)
        if keys is None:
            return
        missing = [k for k in ("principalId", "policyDocument") if k not in keys]
        if missing:
            self.report(
                node.value,
                f"the authorizer's policy lacks {' and '.join(missing)}: API Gateway answers 500",
            )
