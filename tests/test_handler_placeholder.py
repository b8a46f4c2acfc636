"""A function deployed with placeholder inline code whose real code is uploaded later:
the declaration binds to the project module its handler names."""

from __future__ import annotations

import textwrap
from pathlib import Path

from lambda_lint.rule import Example
from lambda_lint.rules.handler_contract import HandlerNotFound
from lambda_lint.rules.reuse_clients import ClientPerInvocation
from lambda_lint.testing import lint_example

TEMPLATE = """
Resources:
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: worker.handler.lambda_handler
      Code:
        ZipFile: |
          def lambda_handler(event, context):
              return None
"""
WORKER = """
import boto3
def lambda_handler(event, context):
    return boto3.client("s3").list_buckets()
"""
# a test calls the handler, so only the declaration makes it one
TEST = "from worker.handler import lambda_handler\n\ndef test_it():\n    lambda_handler({}, None)\n"


def example() -> Example:
    files = {
        "infrastructure/template.yaml": textwrap.dedent(TEMPLATE),
        "src/worker/handler.py": textwrap.dedent(WORKER),
        "tests/test_worker.py": TEST,
    }
    return Example("", files=files)


def test_the_uploaded_module_is_the_handler(tmp_path: Path) -> None:
    findings = lint_example(ClientPerInvocation, example(), tmp_path)
    assert [(f.path, f.start.line) for f in findings] == [("src/worker/handler.py", 4)]


def test_no_handler_not_found(tmp_path: Path) -> None:
    assert lint_example(HandlerNotFound, example(), tmp_path) == []
