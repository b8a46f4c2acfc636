"""The rule API as a plugin author meets it: the documented example runs, project rules
report once per project, and a rule that raises does not stop the run."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import libcst as cst
import pytest

import lambda_lint.rule
from lambda_lint.api import Linter
from lambda_lint.config import load_config_file
from lambda_lint.registry import RuleSet, load_rules
from lambda_lint.rule import BaseRule, Example, Option, ProjectRule, Rule, number_option
from lambda_lint.session import ConfigurationError, check_rule_options
from lambda_lint.testing import ExampleCase, check_example, example_cases


def documented_rules() -> list[type[BaseRule]]:
    """The rule classes of the example in `lambda_lint.rule`'s docstring, executed."""
    doc = lambda_lint.rule.__doc__ or ""
    code = textwrap.dedent(doc[doc.index("    import libcst") :])
    namespace: dict[str, object] = {"__name__": "documented_example"}
    exec(compile(code, "lambda_lint.rule example", "exec"), namespace)
    return [v for v in namespace.values() if isinstance(v, type) and getattr(v, "code", "")]


@pytest.mark.parametrize("valid", [True, False])
def test_the_documented_example_rules_work(tmp_path: Path, valid: bool) -> None:
    rules = documented_rules()
    assert {rule.code for rule in rules} == {"ACME001", "ACME002"}
    for rule in rules:
        for index, example in enumerate(rule.VALID if valid else rule.INVALID):
            check_example(
                ExampleCase(rule, example, valid, index), tmp_path / f"{rule.code}{index}"
            )


class Raises(ProjectRule):
    """Fails on purpose."""

    code = "TST101"
    name = "raises"
    summary = "raises"

    def check_project(self) -> None:
        raise RuntimeError("boom")


class EveryHandler(ProjectRule):
    """Reports every handler, at its name."""

    code = "TST102"
    name = "every-handler"
    summary = "a handler"
    INVALID = [Example("def handler(event, context):\n    return 1\n")]

    def check_project(self) -> None:
        for handler in self.project.model.handlers.values():
            self.report_handler(handler, f"handler {handler.qualname}")


def run(folder: Path, files: dict[str, str], rules: list[type[BaseRule]]) -> Linter:
    for name, code in files.items():
        (folder / name).write_text(code, encoding="utf-8")
    (folder / "lambda-lint.toml").write_text("", encoding="utf-8")
    known = dict(load_rules().rules)
    known.update({rule.code: rule for rule in rules})
    settings = load_config_file(folder / "lambda-lint.toml")
    return Linter(settings, RuleSet(known), {rule.code for rule in rules}, cwd=folder)


def test_a_project_rule_reports_at_the_handler_name_and_honours_noqa(tmp_path: Path) -> None:
    code = "def handler(event, context):\n    return 1\n\n\ndef main(event, context):  # noqa: TST102\n    return 2\n"
    linter = run(
        tmp_path,
        {"app.py": code, "other.py": "def lambda_handler(e, c):\n    return 1\n"},
        [EveryHandler],
    )
    result = linter.lint([tmp_path])
    shown = sorted((f.path, f.start.line, f.start.column, f.end.column) for f in result.findings)
    assert shown == [("app.py", 1, 4, 11), ("other.py", 1, 4, 18)]


def test_a_project_rule_that_raises_is_an_internal_error_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    linter = run(
        tmp_path, {"app.py": "def handler(event, context):\n    return 1\n"}, [Raises, EveryHandler]
    )
    result = linter.lint([tmp_path])
    assert [f.code for f in result.findings] == ["TST102"]
    assert [(e.code, "boom" in e.message) for e in result.internal_errors] == [("TST101", True)]


class LongHandler(Rule):
    """Reports handlers longer than `max-lines` lines."""

    code = "TST103"
    name = "long-handler"
    summary = "a long handler"
    options = (Option("max-lines", 3, "longest handler allowed", number_option),)
    VALID = [Example("def handler(event, context):\n    return 1\n")]
    INVALID = [
        Example("def handler(event, context):\n    a = 1\n    b = 2\n    return a + b\n"),
        Example(
            "def handler(event, context):\n    return 1\n",
            config={"long-handler": {"max-lines": 1}},
        ),
    ]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.context.handler() is None:
            return
        lines = len(node.body.body)
        if lines > self.settings["max-lines"] - 1:
            self.report(node.name, f"{lines} statements")


@pytest.mark.parametrize("case", example_cases(LongHandler))
def test_a_rule_reads_its_options_from_its_table(case: ExampleCase, tmp_path: Path) -> None:
    check_example(case, tmp_path)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("[long-handler]\nmax-lines = -1\n", "'long-handler.max-lines' must be a finite"),
        ("[long-handler]\nmax-line = 4\n", "unknown option 'max-line' in [long-handler]"),
        ("[long-handlers]\nmax-lines = 4\n", "unknown key 'long-handlers'"),
    ],
)
def test_bad_rule_options_name_the_key(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "lambda-lint.toml").write_text(table, encoding="utf-8")
    known = dict(load_rules().rules)
    known[LongHandler.code] = LongHandler
    settings = load_config_file(tmp_path / "lambda-lint.toml")
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        check_rule_options(settings, RuleSet(known))
