"""Files no handler reaches are parsed only for rules that may report there."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

import lambda_lint.source
from lambda_lint.api import Linter
from lambda_lint.config import load_config_file
from lambda_lint.registry import RuleSet, load_rules
from lambda_lint.rule import BaseRule, Rule

HANDLER = "import helpers\n\n\ndef handler(event, context):\n    return helpers.work(event)\n"
HELPERS = "def work(event):\n    return print(event)\n"
#: a script in the project that no handler imports or calls
TOOL = "def main():\n    print('tool')\n\n\nmain()  # noqa: LL301\n"


class PrintAnywhere(Rule):
    """Reports every `print()` (a plugin rule: it says nothing of reach)."""

    code = "TST201"
    name = "print-anywhere"
    summary = "print()"

    def visit_Call(self, node: cst.Call) -> None:
        if self.context.qualified_name(node.func) == "builtins.print":
            self.report(node, "print()")


class PrintInReachedCode(PrintAnywhere):
    """Reports `print()` in code a handler reaches."""

    reached_code_only = True
    code = "TST202"
    name = "print-in-reached-code"

    def visit_Call(self, node: cst.Call) -> None:
        if self.context.phase().name != "UNKNOWN":
            super().visit_Call(node)


def _lint(
    folder: Path, rules: list[type[BaseRule]], enabled: set[str], parsed: list[str], monkeypatch
):  # type: ignore[no-untyped-def]
    for name, code in {"app.py": HANDLER, "helpers.py": HELPERS, "tool.py": TOOL}.items():
        (folder / name).write_text(code, encoding="utf-8")
    (folder / "template.yaml").write_text(
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      Handler: app.handler\n      Runtime: python3.12\n",
        encoding="utf-8",
    )
    known = dict(load_rules().rules)
    known.update({rule.code: rule for rule in rules})
    parse = lambda_lint.source.libcst_tree

    def counting(text: str):  # type: ignore[no-untyped-def]
        parsed.append(text)
        return parse(text)

    monkeypatch.setattr(lambda_lint.source, "libcst_tree", counting)
    (folder / "lambda-lint.toml").write_text("", encoding="utf-8")
    settings = load_config_file(folder / "lambda-lint.toml")
    return Linter(settings, RuleSet(known), enabled, cwd=folder, jobs=1).lint([folder])


def test_a_file_no_handler_reaches_is_not_parsed_for_rules_of_reached_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    result = _lint(
        tmp_path, [PrintInReachedCode], {"TST202", "LL301", "LL002"}, parsed, monkeypatch
    )
    assert sorted(parsed) == sorted([HANDLER, HELPERS])
    shown = sorted((f.path, f.code) for f in result.findings)
    # the unused suppression in the unparsed file is still judged, from its text
    assert shown == [("helpers.py", "TST202"), ("tool.py", "LL002")]


def test_a_rule_that_says_nothing_of_reach_still_sees_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    result = _lint(tmp_path, [PrintAnywhere], {"TST201"}, parsed, monkeypatch)
    assert TOOL in parsed
    assert sorted((f.path, f.start.line) for f in result.findings) == [
        ("helpers.py", 2),
        ("tool.py", 2),
    ]


def test_a_credential_in_a_file_no_handler_reaches_is_still_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    (tmp_path / "keys.py").write_text("KEY_ID = 'AKIA2E0A8F3B244C9986'\n", encoding="utf-8")
    result = _lint(tmp_path, [], {"LL605"}, parsed, monkeypatch)
    assert TOOL not in parsed  # no key written there: nothing for LL605 to see
    assert [(f.path, f.code) for f in result.findings] == [("keys.py", "LL605")]


def test_a_file_cpython_reads_but_libcst_cannot_is_reported_where_it_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parse = lambda_lint.source.libcst_tree

    def refusing_helpers(text: str):  # type: ignore[no-untyped-def]
        if text == HELPERS:
            return lambda_lint.source.ParseProblem("syntax error: unexpected token", 2, 4)
        return parse(text)

    parsed: list[str] = []
    result = _lint(tmp_path, [PrintInReachedCode], {"TST202", "LL001"}, parsed, monkeypatch)
    assert [(f.path, f.code) for f in result.findings] == [("helpers.py", "TST202")]
    monkeypatch.setattr(lambda_lint.source, "libcst_tree", refusing_helpers)
    result = _lint(tmp_path, [PrintInReachedCode], {"TST202", "LL001"}, [], monkeypatch)
    shown = [(f.path, f.code, f.start.line, f.start.column, f.message) for f in result.findings]
    assert shown == [("helpers.py", "LL001", 2, 4, "syntax error: unexpected token")]


class PrintWhereWritten(PrintInReachedCode):
    """Reports `print()` in reached code, and says from the text where it cannot."""

    code = "TST203"
    name = "print-where-written"

    @classmethod
    def may_report_in(cls, path: Path, text: str) -> bool:
        return "print(" in text


class BrokenGate(PrintInReachedCode):
    """A plugin whose `may_report_in` raises."""

    code = "TST204"
    name = "broken-gate"

    @classmethod
    def may_report_in(cls, path: Path, text: str) -> bool:
        raise RuntimeError("gate bug")


def test_a_reached_file_a_rule_says_it_cannot_report_in_is_not_checked_by_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    result = _lint(tmp_path, [PrintWhereWritten], {"TST203"}, parsed, monkeypatch)
    # the handler's module is reached, but no rule may report there: it is not parsed
    assert parsed == [HELPERS]
    assert [(f.path, f.code) for f in result.findings] == [("helpers.py", "TST203")]


def test_a_rule_whose_may_report_in_raises_is_an_internal_error_and_the_others_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _lint(tmp_path, [PrintWhereWritten, BrokenGate], {"TST203", "TST204"}, [], monkeypatch)
    assert [(f.path, f.code) for f in result.findings] == [("helpers.py", "TST203")]
    failures = sorted((e.code, e.path) for e in result.internal_errors)
    assert failures == [("TST204", "app.py"), ("TST204", "helpers.py")]
    assert all("gate bug" in e.message for e in result.internal_errors)


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        ("from sys import exit as bye\n\nbye(0)\n", ["sys.exit"], True),
        ("import sys as s\n\ns.exit(1)\n", ["sys.exit"], True),
        ("import sys\n\nsys.stdout.write('x')\n", ["sys.exit"], False),
        ("exit()\n", ["builtins.exit"], True),
        (
            "import urllib.request\n\nurllib.request.urlopen(url)\n",
            ["urllib.request.urlopen"],
            True,
        ),
        ("import json\n\njson.dumps({'get': 1})\n", ["requests.get", "httpx.get"], False),
    ],
)
def test_mentions_tells_from_the_text_whether_a_file_can_name_a_function(
    text: str, names: list[str], expected: bool
) -> None:
    from lambda_lint import mentions

    assert mentions(text, names) is expected
