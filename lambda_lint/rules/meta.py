"""LL0: the linter's own findings. The pipeline reports them (a rule cannot see a file
that does not parse); these classes carry their documentation and examples."""

from __future__ import annotations

from lambda_lint.rule import Example, Rule


class ParseError(Rule):
    """
    ## What it does
    Reports a file lambda-lint cannot read or parse: a syntax error, text that is not
    valid in its declared encoding, or a binary file with a `.py` name. Descriptors
    (SAM/CloudFormation, `serverless.yml`, Terraform) that do not load are reported the
    same way, at the line where loading failed; a Terraform file that names no Lambda
    function or module (an old file of a database table, say) is left alone, and so is
    a template that fails on a build script's placeholder (`%VERSION%`): it is the
    source of the template the build deploys.

    Python 2 code (a `print` or `exec` statement, `except Error, name`, an octal `0755`)
    is not reported where a descriptor says it is not Lambda Python 3 code: a
    `serverless.yml` for another platform (kubeless, openwhisk, google...) over it, or a
    function on a `python2.7` runtime whose code it is.

    Code that is valid for a newer Python than the one running lambda-lint is not a
    syntax error either, unless a descriptor runs it on an older Python runtime: under
    Python 3.11 or older, an f-string that uses its own quotes inside its braces
    (`f"{event["id"]}"`, Python 3.12's PEP 701), and under Python 3.13 or older,
    `except A, B:` without parentheses (Python 3.14's PEP 758, which catches both), are
    skipped with a warning that names the file and asks for that Python or later to
    check it. On a runtime before that Python, Lambda cannot import the module: LL001
    says so and names the runtime.

    ## Why is this bad?
    Lambda cannot import the module either: the function fails every invocation with
    `Runtime.UserCodeSyntaxError` or `Runtime.ImportModuleError`. Every other rule is
    blind to the file until it parses.

    ## Example
    ```python
    def handler(event, context)
        return {"ok": True}
    ```

    ## Use instead
    ```python
    def handler(event, context):
        return {"ok": True}
    ```
    """

    code = "LL001"
    name = "parse-error"
    summary = "File cannot be read or parsed"
    VALID = [
        Example("def handler(event, context):\n    return {}\n"),
        Example(""),
        Example("# -*- coding: latin-1 -*-\nNAME = 'caf\\xe9'\n"),
        # Python 2 for kubeless, which the descriptor says
        Example(
            "def handler(event, context):\n    print event\n",
            files={
                "serverless.yml": "service: clock\nprovider:\n  name: kubeless\n"
                "  runtime: python2.7\nfunctions:\n  clock:\n    handler: app.handler\n"
            },
        ),
    ]
    INVALID = [
        Example("def handler(event, context)\n    return {}\n", message="syntax error"),
        Example("def handler(event, context):\nreturn {}\n", message="syntax error"),
        Example("items = [1, 2\n", message="syntax error"),
        # Python 2 on a Python 3 runtime cannot load
        Example(
            "def handler(event, context):\n    print event\n",
            files={
                "serverless.yml": "service: clock\nprovider:\n  name: aws\n"
                "  runtime: python3.12\nfunctions:\n  clock:\n    handler: app.handler\n"
            },
            message="Missing parentheses in call to 'print'",
        ),
    ]


class UnusedSuppression(Rule):
    """
    ## What it does
    Reports a `# noqa: LLxxx` comment naming an enabled lambda-lint rule that reported
    nothing on that line.

    ## Why is this bad?
    Stale suppressions hide the next real finding on the line and tell readers about a
    problem that is gone. Bare `# noqa` comments and codes of other linters are left
    alone: they may be there for another tool.

    ## Example
    ```python
    def handler(event, context):
        return {"id": context.aws_request_id}  # noqa: LL501
    ```

    ## Use instead
    ```python
    def handler(event, context):
        return {"id": context.aws_request_id}
    ```

    ## Fix safety
    Safe: the fix removes the unused codes from the comment, or the whole comment when
    none is left, which changes neither the code nor what is reported. A comment that
    says more after its codes (a reason) is left for you to edit.
    """

    code = "LL002"
    name = "unused-suppression"
    summary = "A `noqa` comment suppresses nothing"
    fixable = "safe"
    VALID = [
        Example("def handler(event, context):\n    return 1  # noqa: E501\n"),
        Example("def handler(event, context):\n    return 1  # noqa\n"),
        Example(
            "def handler(event, context):\n    return context.request_id  # noqa: LL501\n",
            config={"extend-select": ["LL501"]},
        ),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    return context.aws_request_id  # noqa: LL501\n",
            config={"extend-select": ["LL501"]},
            message="LL501",
        ),
        Example(
            "def handler(event, context):\n    return 1  # noqa: LL107, LL501\n",
            config={"extend-select": ["LL107", "LL501"]},
            message="LL107, LL501",
        ),
        Example(
            "import sys\n\ndef handler(event, context):\n    sys.exit(1)  # noqa: LL107,LL501\n",
            config={"extend-select": ["LL107", "LL501"]},
            message="for LL501",
        ),
    ]
