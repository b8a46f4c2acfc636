"""LL605: AWS credentials written in the code."""

from __future__ import annotations

import re
from pathlib import Path

import libcst as cst

from lambda_lint.model.handlers import is_test_code
from lambda_lint.model.names import string_value
from lambda_lint.rule import Example, Rule

#: an access key id: AKIA (long-term) or ASIA (temporary) and 16 upper-case letters or
#: digits (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids)
ACCESS_KEY_ID = re.compile(r"(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
#: a secret access key: 40 characters of base64
SECRET_KEY = re.compile(r"^[A-Za-z0-9/+=]{40}$")
#: a session token: a long base64 text
SESSION_TOKEN = re.compile(r"^[A-Za-z0-9/+=]{100,}$")
#: keyword arguments of boto3/botocore that take a secret
SECRET_KEYWORDS = frozenset({"aws_secret_access_key", "aws_session_token"})
#: documentation placeholders (AKIAIOSFODNN7EXAMPLE, wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY)
PLACEHOLDER = re.compile(r"EXAMPLE|XXXX|FAKE|DUMMY|TEST", re.IGNORECASE)


class HardcodedAwsCredentials(Rule):
    """
    ## What it does
    Reports an AWS access key id (`AKIA...` or `ASIA...` and 16 more characters) in a
    string literal, and a string literal passed as `aws_secret_access_key=` or
    `aws_session_token=` (to `boto3.client`, `boto3.Session`, ...) that looks like a
    real secret. The placeholders of the AWS documentation (`AKIAIOSFODNN7EXAMPLE`) and
    test files (`test_*.py`, `*_test.py`, `conftest.py`, `tests/`) are not reported.

    ## Why is this bad?
    Keys in code end up in the deployment package, the repository and its history,
    readable by everyone who can read either; they do not expire and bypass the role
    Lambda gives the function. AWS: "Don't embed access keys directly into code"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html).

    ## Example
    ```python
    import boto3

    s3 = boto3.client(
        "s3",
        aws_access_key_id="AKIA2E0A8F3B244C9986",
        aws_secret_access_key="7CE556A3BC234CC1FF9E8A5C324C0BB70AA21B6D",
    )
    ```

    ## Use instead
    ```python
    import boto3

    s3 = boto3.client("s3")  # the function's execution role
    ```
    """

    code = "LL605"
    name = "hardcoded-aws-credentials"
    summary = "AWS credentials written in the code"
    VALID = [
        Example("import boto3\n\ns3 = boto3.client('s3')\n"),
        Example(
            "import boto3\n\ns3 = boto3.client('s3', aws_access_key_id='AKIAIOSFODNN7EXAMPLE',\n"
            "    aws_secret_access_key='wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')\n"
        ),
        Example(
            "import os\nimport boto3\n\n"
            "s3 = boto3.client('s3', aws_secret_access_key=os.environ['SECRET'])\n"
        ),
    ]
    INVALID = [
        Example("KEY_ID = 'AKIA2E0A8F3B244C9986'\n", at="'AKIA2E0A8F3B244C9986'"),
        Example(
            "import boto3\n\n"
            "s3 = boto3.client('s3', aws_secret_access_key='7CE556A3BC234CC1FF9E8A5C324C0BB70AA21B6D')\n",
            at="'7CE556A3BC234CC1FF9E8A5C324C0BB70AA21B6D'",
        ),
        Example(
            "import boto3\n\n"
            "session = boto3.Session(aws_access_key_id='ASIAQWERTYUIOPASDFGH',\n"
            "    aws_secret_access_key='tG5ydW+UuV2aW9uQ3Jl/ZGVudGlhbHNLZXkxMjM0')\n",
            count=2,
        ),
    ]

    @classmethod
    def may_report_in(cls, path: Path, text: str) -> bool:
        """Only where an access key id or a secret keyword is written (outside tests)."""
        if is_test_code(path):
            return False
        return ACCESS_KEY_ID.search(text) is not None or any(k in text for k in SECRET_KEYWORDS)

    def visit_Module(self, node: cst.Module) -> None:
        self.skipped = is_test_code(self.context.path)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = string_value(node)
        if self.skipped or value is None:
            return
        found = ACCESS_KEY_ID.search(value)
        if found is not None and not PLACEHOLDER.search(value):
            self.report(node, f"AWS access key id `{found.group(0)[:8]}...` in the code")

    def visit_Arg(self, node: cst.Arg) -> None:
        if self.skipped or node.keyword is None or node.keyword.value not in SECRET_KEYWORDS:
            return
        value = string_value(node.value) if isinstance(node.value, cst.SimpleString) else None
        if value is None or PLACEHOLDER.search(value) or ACCESS_KEY_ID.search(value):
            return
        shape = SECRET_KEY if node.keyword.value == "aws_secret_access_key" else SESSION_TOKEN
        if shape.match(value):
            self.report(node.value, f"`{node.keyword.value}` written in the code")
