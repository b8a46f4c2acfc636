"""AWS Config RDK rules: `parameters.json` declares the rule's function and triggers."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from lambda_lint.descriptors import descriptor_kind, read_descriptor
from lambda_lint.rule import Example
from lambda_lint.rules.reuse_clients import ClientPerInvocation
from lambda_lint.testing import lint_example


def parameters(**extra: str) -> str:
    params = {"RuleName": "S3_TAGGED", "SourceRuntime": "python3.12", **extra}
    return json.dumps({"Version": "1.0", "Parameters": params}, indent=2)


def test_a_periodic_and_change_triggered_rule(tmp_path: Path) -> None:
    path = tmp_path / "S3_TAGGED" / "parameters.json"
    path.parent.mkdir()
    path.write_text(parameters(SourceEvents="AWS::S3::Bucket", SourcePeriodic="Six_Hours"))
    assert descriptor_kind(path) == "rdk"
    (function,) = read_descriptor(path, path.read_text()).functions
    assert (function.handler, function.code_root, function.language) == (
        "S3_TAGGED.lambda_handler",
        path.parent,
        "python",
    )
    assert function.source.line == 4
    assert [(t.trigger, t.schedule) for t in function.triggers] == [
        ("config-rule", None),
        ("config-rule", "rate(6 hours)"),
    ]


def test_other_parameters_files_are_not_descriptors(tmp_path: Path) -> None:
    path = tmp_path / "parameters.json"
    path.write_text('{"Parameters": {"Stage": "dev"}}')
    assert descriptor_kind(path) is None


CODE = """
import boto3
def lambda_handler(event, context):
    config = boto3.client("config")
    config.put_evaluations(Evaluations=[], ResultToken=event["resultToken"])
"""


@pytest.mark.parametrize(
    ("triggers", "reported"),
    [
        ({"SourcePeriodic": "TwentyFour_Hours"}, 0),
        ({"SourceEvents": "AWS::EC2::Instance"}, 1),
        ({"SourceEvents": "AWS::EC2::Instance", "SourcePeriodic": "One_Hour"}, 1),
    ],
)
def test_client_per_invocation_in_a_config_rule(
    triggers: dict[str, str], reported: int, tmp_path: Path
) -> None:
    # the rule's code is `<RuleName>.py`; the example's own module stays a plain helper
    files = {
        "rule/S3_TAGGED.py": textwrap.dedent(CODE),
        "rule/parameters.json": parameters(**triggers),
    }
    example = Example("", files=files)
    assert len(lint_example(ClientPerInvocation, example, tmp_path)) == reported
