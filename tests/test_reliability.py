"""The LL7 reliability rules on a whole SAM project and on the descriptor facts they read:
the planted project holds every LL7 mistake (tests/test_fixtures.py checks it line by
line, and its fixed twin), only LL703 is on by default, and the descriptors tell which
environment variable names which resource and which triggers fire only for some writes."""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest
from test_cli_workflow import check
from test_fixtures import labels

from lambda_lint.descriptors import read_descriptor
from lambda_lint.descriptors.model import DeclaredFunction

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def findings(project: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> set:
    result = check(project, monkeypatch, "--output-format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return {
        (os.path.relpath(f["filename"], project), f["location"]["row"], f["code"])
        for f in json.loads(result.stdout)
    }


def test_the_fixture_plants_each_reliability_mistake() -> None:
    # tests/test_fixtures.py checks that exactly these lines are reported, and that the
    # fixed twin is clean
    codes = {code for _, _, code in labels(FIXTURES / "reliability-app")}
    assert {"LL701", "LL702", "LL703", "LL704", "LL705"} <= codes


def test_only_missing_http_timeouts_are_reported_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "app"
    shutil.copytree(FIXTURES / "reliability-app", project)
    (project / "pyproject.toml").write_text('[project]\nname = "photo-orders"\n')
    found = findings(project, monkeypatch)
    assert {code for _, _, code in found if code.startswith("LL7")} == {"LL703"}


def test_a_loop_finding_shows_the_trigger(monkeypatch: pytest.MonkeyPatch) -> None:
    project = FIXTURES / "reliability-app"
    result = check(project, monkeypatch, "--output-format", "json")
    (finding,) = [f for f in json.loads(result.stdout) if f["code"] == "LL702"]
    assert "S3 bucket `Uploads`" in finding["message"]
    (trigger,) = finding["related"]
    line = (project / "template.yaml").read_text().splitlines()[trigger["location"]["row"] - 1]
    assert (Path(trigger["filename"]).name, line.strip()) == ("template.yaml", "Upload:")


def sam(tmp_path: Path, events: str, variables: str = "") -> DeclaredFunction:
    text = textwrap.dedent(
        """\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Inbox:
            Type: AWS::SQS::Queue
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              Environment:
                Variables:
                  LEVEL: debug
        """
    )
    text += textwrap.indent(textwrap.dedent(variables), " " * 10)
    text += "      Events:\n" + textwrap.indent(textwrap.dedent(events), " " * 8)
    (function,) = read_descriptor(tmp_path / "template.yaml", text).functions
    return function


def test_environment_names_literals_and_referenced_resources(tmp_path: Path) -> None:
    function = sam(
        tmp_path,
        "Job:\n  Type: SQS\n  Properties:\n    Queue: !GetAtt Inbox.Arn\n",
        "INBOX_URL: !Ref Inbox\nINBOX_ARN: !GetAtt Inbox.Arn\nREGION: !Ref AWS::Region\n",
    )
    assert dict(function.environment) == {
        "LEVEL": "debug",
        "INBOX_URL": "Inbox",
        "INBOX_ARN": "Inbox",
    }
    (binding,) = function.triggers
    assert (binding.resource, binding.filtered) == ("Inbox", False)


@pytest.mark.parametrize(
    "events",
    [
        "Job:\n  Type: SQS\n  Properties:\n    Queue: !GetAtt Inbox.Arn\n"
        '    FilterCriteria:\n      Filters:\n        - Pattern: \'{"body": {"kind": ["a"]}}\'\n',
        "Up:\n  Type: S3\n  Properties:\n    Bucket: !Ref B\n    Events: s3:ObjectRemoved:*\n",
        "Up:\n  Type: S3\n  Properties:\n    Bucket: !Ref B\n    Events: s3:ObjectCreated:*\n"
        "    Filter:\n      S3Key:\n        Rules:\n          - Name: suffix\n            Value: .jpg\n",
        "Note:\n  Type: SNS\n  Properties:\n    Topic: !Ref T\n"
        "    FilterPolicy:\n      kind: [order]\n",
    ],
)
def test_triggers_that_fire_for_some_writes_only_are_filtered(tmp_path: Path, events: str) -> None:
    (binding,) = sam(tmp_path, events).triggers
    assert binding.filtered


def test_serverless_filters(tmp_path: Path) -> None:
    text = textwrap.dedent(
        """\
        service: photos
        provider:
          name: aws
          runtime: python3.12
        functions:
          shrink:
            handler: app.handler
            events:
              - s3: photos
              - s3:
                  bucket: archive
                  event: s3:ObjectCreated:*
                  rules:
                    - prefix: incoming/
              - sqs:
                  arn: arn:aws:sqs:eu-west-1:123456789012:jobs
                  filterPatterns:
                    - body: {kind: [a]}
        """
    )
    (function,) = read_descriptor(tmp_path / "serverless.yml", text).functions
    assert [(b.resource, b.filtered) for b in function.triggers] == [
        ("photos", False),
        ("archive", True),
        (function.triggers[2].resource, True),
    ]
