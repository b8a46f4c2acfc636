"""A team's own flow facts from `[tool.lambda-lint.security]`: sources, pass-throughs
and decoders change what the LL6 rules report; a bad value stops the run naming it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_cli_workflow import check

from lambda_lint.rule import Example
from lambda_lint.rules.security_injection import EventToShell
from lambda_lint.testing import lint_example

# the imported modules are libraries outside the project: the linter cannot see into them
SOURCE_APP = """\
import os

from webkit import request


def handler(event, context):
    os.system("convert " + request.body())
"""

PASS_THROUGH_APP = """\
import os

from textkit import normalise


def handler(event, context):
    os.system("grep " + normalise(event["queryStringParameters"]["q"]))
"""

DECODER_APP = """\
import os

from orderkit.codec import parse


def handler(event, context):
    order = parse(event["body"])
    os.system("print-label " + order["name"])
"""


def shell_findings(code: str, folder: Path, **security: Any) -> list[str]:
    config = {"security": security} if security else {}
    example = Example(code, trigger="apigw-rest", config=config)
    return [finding.message for finding in lint_example(EventToShell, example, folder)]


def test_a_configured_source_is_followed_as_event_data(tmp_path: Path) -> None:
    assert shell_findings(SOURCE_APP, tmp_path / "a") == []
    (message,) = shell_findings(SOURCE_APP, tmp_path / "b", sources=["webkit.request.body"])
    assert "request.body(...) -> concatenation" in message


def test_a_configured_pass_through_keeps_the_event_data(tmp_path: Path) -> None:
    assert shell_findings(PASS_THROUGH_APP, tmp_path / "a") == []
    (message,) = shell_findings(
        PASS_THROUGH_APP, tmp_path / "b", **{"pass-throughs": ["textkit.normalise"]}
    )
    assert "event['queryStringParameters']['q'] -> concatenation" in message


def test_a_configured_decoder_is_followed_into_what_it_decodes(tmp_path: Path) -> None:
    assert shell_findings(DECODER_APP, tmp_path / "a") == []
    (message,) = shell_findings(
        DECODER_APP, tmp_path / "b", decoders={"orderkit.codec.parse": "json"}
    )
    assert "event['body'] -> parse(...)" in message and "order['name']" in message


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ('sources = "webkit.request.body"', "'security.sources' must be a list of strings"),
        ("pass-throughs = [1]", "'security.pass-throughs' must be a list of strings"),
        ('decoders = ["orderkit.codec.parse"]', "'security.decoders' must be a table"),
        (
            'decoders = { "orderkit.codec.parse" = "yaml" }',
            "'security.decoders' names 'orderkit.codec.parse' as decoding 'yaml'",
        ),
    ],
)
def test_a_bad_setting_stops_the_run_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str, expected: str
) -> None:
    (tmp_path / "app.py").write_text(DECODER_APP)
    (tmp_path / "lambda-lint.toml").write_text(f"[security]\n{setting}\n")
    result = check(tmp_path, monkeypatch)
    assert result.exit_code == 2
    assert expected in result.stderr
