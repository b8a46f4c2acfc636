"""LL1, handler contract: handlers Lambda cannot call, or that end the runtime."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from lambda_lint.finding import Fix
from lambda_lint.index import Param
from lambda_lint.model.handlers import is_test_file, signature_preserving_decorators
from lambda_lint.model.names import decorator_name
from lambda_lint.model.project import Handler
from lambda_lint.rule import Example, ProjectRule, Rule, mentions
from lambda_lint.walk import descendants

EVENT_NAMES = {"event", "evt", "payload", "request"}

#: a function deployed with placeholder inline code, its real code uploaded later
PLACEHOLDER_TEMPLATE = (
    "Resources:\n  Worker:\n    Type: AWS::Lambda::Function\n    Properties:\n"
    "      Runtime: python3.12\n      Handler: {module}.lambda_handler\n"
    "      Code:\n        ZipFile: |\n          def lambda_handler(event, context):\n"
    "              return None\n"
)
CONTEXT_NAMES = {"context", "ctx", "lambda_context"}


def _is_known_decorator(decorator: cst.Decorator) -> bool:
    name = decorator_name(decorator)
    return name is not None and name.rsplit(".", 1)[-1] in signature_preserving_decorators()


def runtime_handler(rule: Rule) -> Handler | None:
    """The handler whose body is being visited, when the Lambda runtime calls it: what
    it returns is the invocation's result. A function a framework calls (a Chalice view
    or event handler) has the framework's contract instead."""
    handler = rule.context.handler()
    return handler if handler is not None and handler.framework is None else None


def checkable_handler(
    rule: Rule, node: cst.FunctionDef, declared_only: bool = False
) -> Handler | None:
    """The handler defined by `node` if its signature is what Lambda calls: not hidden
    behind a decorator that may adapt it, and not a `main()` that only shares a name
    with handlers by convention. With `declared_only`, only a handler the configuration
    or a descriptor names: a function found by its name alone is not judged."""
    handler = runtime_handler(rule)
    if handler is None or not all(_is_known_decorator(d) for d in node.decorators):
        return None
    if declared_only and not handler.is_declared:
        return None
    if handler.by_convention_only:
        function = rule.context.function_summary()
        names = {p.name.lstrip("_") for p in function.params} if function else set()
        if (
            function
            and function.name != "lambda_handler"
            and not names & (EVENT_NAMES | CONTEXT_NAMES)
        ):
            return None
    return handler


def _positional(params: tuple[Param, ...]) -> list[Param]:
    return [p for p in params if p.kind in ("posonly", "positional")]


class HandlerSignature(Rule):
    """
    ## What it does
    Reports a handler that cannot be called as `handler(event, context)`: fewer than two
    positional parameters (and no `*args`), a keyword-only `context`, or more parameters
    without defaults. Only handlers that a deployment descriptor or the `handlers`
    setting names are judged: a function that is only named like a handler may be a
    helper or a script's entry point.

    ## Why is this bad?
    The runtime calls the handler with exactly two positional arguments. Any other
    signature raises `TypeError` on every invocation, after a successful deployment.
    Parameter names do not matter; decorators known to keep the signature (Powertools
    `logger.inject_lambda_context`, `tracer.capture_lambda_handler`, `event_source`,
    `event_parser`, `batch_processor`, ...) are looked through. A handler behind any other
    decorator is not checked: the decorator may adapt the call.

    ## Example
    ```python
    def handler(event):
        return {"ok": True}
    ```

    ## Use instead
    ```python
    def handler(event, _context):
        return {"ok": True}
    ```
    """

    reached_code_only = True

    code = "LL101"
    name = "handler-signature"
    summary = "Handler cannot be called as handler(event, context)"
    VALID = [
        Example("def handler(event, context):\n    return event\n"),
        Example("def handler(event, _context, retries=3):\n    return event\n"),
        Example("def handler(*args):\n    return args[0]\n"),
        Example(
            "from aws_lambda_powertools import Logger\nlogger = Logger()\n\n"
            "@logger.inject_lambda_context\ndef handler(event, context):\n    return event\n"
        ),
        Example("def main():\n    print('a command-line entry point, not a handler')\n"),
        Example("def handler(event):\n    return event\n"),
        Example(
            "def handler(event, context, retries):\n    return retries\n\n\n"
            "def process(event):\n    return handler(event, None, 3)\n"
        ),
        Example(
            "from mangum import Mangum\nfrom api import app\n\nhandler = Mangum(app)\n",
            files={"api.py": "app = object()\n"},
        ),
    ]
    INVALID = [
        Example(
            "def handler(event):\n    return event\n",
            declared=True,
            message="1 positional parameter",
        ),
        Example(
            "def lambda_handler():\n    return 'pong'\n",
            declared=True,
            handler="lambda_handler",
            message="0 positional parameters",
        ),
        Example(
            "def handler(event, *, context):\n    return event\n",
            declared=True,
            message="keyword-only",
        ),
        Example(
            "def handler(event, context, table):\n    return table\n",
            trigger="sqs",
            message="'table' has no default",
        ),
        Example(
            "from aws_lambda_powertools import Tracer\ntracer = Tracer()\n\n"
            "@tracer.capture_lambda_handler\ndef handler(event):\n    return event\n",
            declared=True,
        ),
    ]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if checkable_handler(self, node, declared_only=True) is None:
            return
        function = self.context.function_summary()
        if function is None:
            return
        params = function.params
        positional = _positional(params)
        has_varargs = any(p.kind == "vararg" for p in params)
        required_kwonly = [p for p in params if p.kind == "kwonly" and not p.has_default]
        call = "Lambda calls handler(event, context)"
        if len(positional) < 2 and not has_varargs:
            context_kwonly = [p for p in required_kwonly if p.name.lstrip("_") in CONTEXT_NAMES]
            if context_kwonly:
                problem = f"'{context_kwonly[0].name}' is keyword-only"
            else:
                count = len(positional)
                problem = f"it takes {count} positional parameter{'s' if count != 1 else ''}"
            self.report(node.name, f"{call}, but {problem}")
            return
        extra = [p for p in positional[2:] if not p.has_default] + required_kwonly
        if extra:
            self.report(node.name, f"{call}, but '{extra[0].name}' has no default")


class AsyncHandler(Rule):
    """
    ## What it does
    Reports a handler defined with `async def`.

    ## Why is this bad?
    The managed Python runtime never awaits the handler: it gets a coroutine object back
    and fails to serialise it (`Runtime.MarshalError`), and the body never runs.

    ## Example
    ```python
    async def handler(event, context):
        return await fetch(event["id"])
    ```

    ## Use instead
    ```python
    import asyncio

    def handler(event, context):
        return asyncio.run(fetch(event["id"]))
    ```
    """

    reached_code_only = True

    code = "LL102"
    name = "async-handler"
    summary = "Async handler: the runtime never awaits it"
    VALID = [
        Example(
            "import asyncio\n\nasync def work(event):\n    return event\n\n"
            "def handler(event, context):\n    return asyncio.run(work(event))\n"
        ),
        Example("async def fetch(url):\n    return url\n"),
        Example(
            "from asgiref.sync import async_to_sync\n\n@async_to_sync\n"
            "async def handler(event, context):\n    return event\n"
        ),
    ]
    INVALID = [
        Example("async def handler(event, context):\n    return event\n"),
        Example("async def lambda_handler(event, context):\n    return {'statusCode': 200}\n"),
        Example(
            "async def process(event, context):\n    return event\n",
            trigger="sqs",
            handler="process",
        ),
    ]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.asynchronous is None or checkable_handler(self, node) is None:
            return
        self.report(
            node.name,
            "async handler: the Lambda runtime never awaits it; "
            "use a sync handler that calls asyncio.run()",
        )


class HandlerNotFound(ProjectRule):
    """
    ## What it does
    Reports a handler named by a deployment descriptor (SAM/CloudFormation, Serverless
    Framework, CDK, Terraform, a Dockerfile `CMD`) or by the `handlers` config key that
    does not resolve: no module file under the function's code root (`CodeUri`, the
    service folder, `Code.from_asset`, `archive_file.source_dir`), no top-level callable
    of that name in the module, no `.` in the handler string, a first module segment
    that is a built-in module (the runtime imports the built-in instead), or inline
    `ZipFile` code whose handler is not `index.*` (unless the project beside the
    descriptor holds the module the handler names: the inline code is then a placeholder
    that a later code upload replaces), or a handler written as a file name (`app.py`).
    A function whose code folder holds only deployment code (a CDK or Pulumi program
    beside a documentation snippet's template) is not judged: its code is elsewhere; nor
    one a descriptor in a tests folder declares (`tests/fixtures/template.yaml`): such a
    template is an input of the project's tests, not a deployment. It is reported on
    the descriptor line that holds the handler string.

    ## Why is this bad?
    The deployment succeeds and every invocation fails with
    `Runtime.ImportModuleError` or `Runtime.HandlerNotFound`.

    ## Example
    ```yaml
    # template.yaml, CodeUri: src/ holds orders.py with `def handle(event, context)`
    Handler: orders.handler
    ```

    ## Use instead
    ```yaml
    Handler: orders.handle
    ```
    """

    code = "LL103"
    name = "handler-not-found"
    summary = "Declared handler does not resolve to a callable"
    VALID = [
        Example("def handler(event, context):\n    return event\n", trigger="sqs"),
        Example(
            "def handler(event, context):\n    return event\n",
            config={"handlers": [{"target": "app.handler"}]},
        ),
        Example(
            "from impl import handler\n",
            files={"impl.py": "def handler(event, context):\n    return event\n"},
            config={"handlers": ["app.handler"]},
        ),
        Example(
            "def lambda_handler(event, context):\n    return event\n",
            files={"infrastructure/template.yaml": PLACEHOLDER_TEMPLATE.format(module="app")},
        ),
        Example(
            "def handler(event, context):\n    return event\n",
            files={
                "docs/install/template.yaml": (
                    "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
                    "    Type: AWS::Serverless::Function\n    Properties:\n"
                    "      Runtime: python3.12\n      Handler: app.lambda_handler\n"
                ),
                "docs/install/deploy.py": "def main():\n    print('cdk deploy')\n",
            },
        ),
        # a template the project's tests read, not one it deploys
        Example(
            "def handler(event, context):\n    return event\n",
            files={"tests/input/template.yaml": PLACEHOLDER_TEMPLATE.format(module="worker")},
        ),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    return event\n",
            config={"handlers": ["app.py"]},
            message="it names a file",
        ),
        Example(
            "def lambda_handler(event, context):\n    return event\n",
            files={"infrastructure/template.yaml": PLACEHOLDER_TEMPLATE.format(module="worker")},
            message="inline ZipFile code is always module 'index'",
        ),
        Example(
            "def handle(event, context):\n    return event\n",
            config={"handlers": ["app.handler"]},
            message="has no top-level 'handler'",
        ),
        Example(
            "def handler(event, context):\n    return event\n",
            config={"handlers": ["service.handler"]},
            message="no module 'service'",
        ),
        Example(
            "def handler(event, context):\n    return event\n",
            config={"handlers": ["app"]},
            message="no '.'",
        ),
    ]

    def check_project(self) -> None:
        root = self.project.model.root
        for unresolved in self.project.model.unresolved:
            source = unresolved.source
            if source.kind != "config" and is_test_file(source.file, root):
                continue  # a fixture of the project's tests, not a deployment
            self.report_declaration(
                unresolved.source,
                unresolved.handler,
                f"handler '{unresolved.handler}' cannot be loaded: {unresolved.reason}",
            )


class HandlerParamsSwapped(Rule):
    """
    ## What it does
    Reports a handler whose first two parameters are named `(context, event)`.

    ## Why is this bad?
    The runtime passes the event first. With the names swapped, `context["body"]` reads
    the event and `event.aws_request_id` fails: the names lie about the values.

    ## Example
    ```python
    def handler(context, event):
        return event.function_name
    ```

    ## Use instead
    ```python
    def handler(event, context):
        return context.function_name
    ```

    ## Fix safety
    Safe: the two names are swapped only when nothing in the function uses either name
    (nor `locals()`, `vars()`, `eval()` or `exec()`), the parameters have no annotation
    or default, and the handler has no decorator that might look at its parameters.
    Otherwise there is no fix: which name the body means is for the author to decide.
    """

    reached_code_only = True

    code = "LL104"
    name = "handler-params-swapped"
    summary = "Handler parameters named (context, event)"
    default_enabled = False
    fixable = "sometimes"
    VALID = [
        Example("def handler(event, context):\n    return event\n"),
        Example("def handler(_event, _context):\n    return None\n"),
        Example("def handler(request, ctx):\n    return request\n"),
    ]
    INVALID = [
        Example("def handler(context, event):\n    return event\n"),
        Example("def lambda_handler(_context, _event):\n    return None\n"),
        Example("def run(context, event):\n    return event\n", trigger="sqs", handler="run"),
    ]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if runtime_handler(self) is None:
            return
        function = self.context.function_summary()
        positional = _positional(function.params) if function else []
        if len(positional) >= 2 and [p.name.lstrip("_") for p in positional[:2]] == [
            "context",
            "event",
        ]:
            self.report(
                node.name,
                "parameters named (context, event): Lambda passes the event first",
                fix=self._swap(node),
            )

    def _swap(self, node: cst.FunctionDef) -> Fix | None:
        params = [*node.params.posonly_params, *node.params.params][:2]
        if node.decorators or len(params) < 2:
            return None
        if any(p.annotation is not None or p.default is not None for p in params):
            return None
        first, second = params[0].name, params[1].name
        names = {first.value, second.value}
        blocking = names | {"locals", "vars", "eval", "exec"}

        if any(
            isinstance(name, cst.Name)
            and name.value in blocking
            and name is not first
            and name is not second
            for name in descendants(node)
        ):
            return None
        edits = (
            self.context.edit_replacing(first, second.value),
            self.context.edit_replacing(second, first.value),
        )
        return Fix("safe", f"Rename to ({second.value}, {first.value})", edits)


class ExitInHandler(Rule):
    """
    ## What it does
    Reports `sys.exit()`, `exit()`, `quit()`, `os._exit()` and `raise SystemExit` in
    code that runs on every invocation: a handler, or anything it calls, across modules.

    ## Why is this bad?
    Exiting kills the runtime process: the invocation fails with `Runtime.ExitError`,
    and the next one pays a cold start. Raise an exception (or return an error response)
    instead.

    ## Example
    ```python
    import sys

    def handler(event, context):
        if "id" not in event:
            sys.exit(1)
    ```

    ## Use instead
    ```python
    def handler(event, context):
        if "id" not in event:
            raise ValueError("event has no id")
    ```
    """

    reached_code_only = True

    code = "LL107"
    name = "exit-in-handler"
    summary = "Process exit in per-invocation code"
    EXITS = {"sys.exit", "builtins.exit", "builtins.quit", "os._exit"}
    VALID = [
        Example("import sys\n\nif __name__ == '__main__':\n    sys.exit(main())\n"),
        Example("def handler(event, context):\n    raise ValueError('bad event')\n"),
        Example(
            "import sys\n\ndef cli():\n    sys.exit(2)\n\ndef handler(event, context):\n"
            "    return event\n"
        ),
        Example("def exit(code):\n    return code\n\ndef handler(event, context):\n    exit(1)\n"),
        Example(
            "import sys\n\ndef main():\n    sys.exit(run())\n\ndef run():\n    return 0\n",
        ),
    ]
    INVALID = [
        Example("import sys\n\ndef handler(event, context):\n    sys.exit(1)\n"),
        Example("def handler(event, context):\n    exit()\n"),
        Example(
            "from helpers import stop\n\ndef handler(event, context):\n    stop()\n",
            files={"helpers.py": "import os\n\ndef stop():\n    os._exit(1)\n"},
            message="handler -> stop",
        ),
        Example("def handler(event, context):\n    raise SystemExit(3)\n"),
        Example(
            "from sys import exit as bye\n\ndef handler(event, context):\n    bye(0)\n",
            message="bye",
        ),
    ]

    @classmethod
    def may_report_in(cls, path: Path, text: str) -> bool:
        """Only where an exit function or `SystemExit` is written."""
        return mentions(text, (*cls.EXITS, "builtins.SystemExit"))

    def visit_Call(self, node: cst.Call) -> None:
        name = self.context.qualified_name(node.func)
        if name in self.EXITS and self.context.in_invoke_code():
            self._report(node, node.func)

    def visit_Raise(self, node: cst.Raise) -> None:
        exc = node.exc.func if isinstance(node.exc, cst.Call) else node.exc
        if exc is None or self.context.qualified_name(exc) != "builtins.SystemExit":
            return
        if self.context.in_invoke_code():
            self._report(node, exc)

    def _report(self, node: cst.CSTNode, callee: cst.CSTNode) -> None:
        written = cst.Module(body=()).code_for_node(callee)
        chain = self.context.chain_text()
        where = f" (called per invocation: {chain})" if " -> " in chain else ""
        self.report(
            node,
            f"`{written}` ends the runtime process: the invocation fails with "
            f"Runtime.ExitError{where}; raise an exception instead",
            related=self.context.chain_locations(),
        )
