"""Turn rules' `VALID`/`INVALID` examples into pytest cases.

Each example is written to a temporary one-module project (`app.py`, plus the example's
`files` and a `lambda-lint.toml` carrying its `trigger` and `config`) and linted through
the whole pipeline with only the rule under test enabled, exactly as a user would run
it. Plugin authors use it the same way as the built-in suite:

    from lambda_lint.testing import example_cases, check_example
    from my_plugin import rules

    @pytest.mark.parametrize("case", example_cases(rules.NoPrint, rules.NoSleep))
    def test_rule_examples(case, tmp_path):
        check_example(case, tmp_path)
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lambda_lint.config import load_config_file

if TYPE_CHECKING:
    from lambda_lint.api import Linter, LintResult
from lambda_lint.finding import Finding
from lambda_lint.registry import RuleSet
from lambda_lint.rule import BaseRule, Example


@dataclass(frozen=True)
class ExampleCase:
    rule: type[BaseRule]
    example: Example
    valid: bool
    index: int

    @property
    def id(self) -> str:
        return f"{self.rule.code}-{'valid' if self.valid else 'invalid'}-{self.index}"


def example_cases(*rules: type[BaseRule]) -> list[Any]:
    """One pytest parameter per example of each rule, with readable ids."""
    import pytest

    cases = []
    for rule in rules:
        for index, example in enumerate(rule.VALID):
            case = ExampleCase(rule, example, True, index)
            cases.append(pytest.param(case, id=case.id))
        for index, example in enumerate(rule.INVALID):
            case = ExampleCase(rule, example, False, index)
            cases.append(pytest.param(case, id=case.id))
    return cases


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f'"{k}" = {_toml_value(v)}' for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} as TOML")


def write_example_project(example: Example, folder: Path) -> Path:
    """Write the example's files and config into `folder`; returns the main module."""
    folder.mkdir(parents=True, exist_ok=True)
    main = folder / "app.py"
    main.write_text(textwrap.dedent(example.code), encoding="utf-8")
    for name, code in example.files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(code), encoding="utf-8")
    config = dict(example.config)
    if example.trigger is not None or example.declared:
        entry = {"target": f"app.{example.handler}"}
        if example.trigger is not None:
            entry["trigger"] = example.trigger
        config["handlers"] = [*config.get("handlers", []), entry]
    lines = [f'"{key}" = {_toml_value(value)}' for key, value in config.items()]
    (folder / "lambda-lint.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return main


def lint_example(rule: type[BaseRule], example: Example, folder: Path) -> list[Finding]:
    """The findings of `rule` (alone) on the example project."""
    _, result = _run(rule, example, folder)
    return [f for f in result.findings if f.code == rule.code]


def _run(rule: type[BaseRule], example: Example, folder: Path) -> tuple[Linter, LintResult]:
    from lambda_lint.api import Linter
    from lambda_lint.registry import load_rules

    write_example_project(example, folder)
    settings = load_config_file(folder / "lambda-lint.toml")
    rules = dict(load_rules().rules)
    rules[rule.code] = rule
    enabled = {rule.code, *settings.extend_select}
    linter = Linter(settings, RuleSet(rules), enabled, cwd=folder)
    result = linter.lint([folder])
    if result.internal_errors:
        raise AssertionError(f"rule raised: {result.internal_errors[0].message}")
    return linter, result


def _covered(text: str, finding: Finding) -> str:
    """The source text a finding's range covers."""
    lines = text.splitlines(keepends=True)
    start, end = finding.start, finding.end
    if start.line == end.line:
        return lines[start.line - 1][start.column : end.column]
    middle = "".join(lines[start.line : end.line - 1])
    return lines[start.line - 1][start.column :] + middle + lines[end.line - 1][: end.column]


def check_example(case: ExampleCase, folder: Path) -> None:
    """Assert that a VALID example is clean and an INVALID one reports as declared."""
    linter, result = _run(case.rule, case.example, folder)
    findings = [f for f in result.findings if f.code == case.rule.code]
    shown = "\n".join(
        f"  {f.path}:{f.start.line}:{f.start.column + 1}: {f.message}" for f in findings
    )
    source = textwrap.indent(textwrap.dedent(case.example.code), "    ")
    if case.valid:
        assert not findings, f"{case.id}: expected no finding, got:\n{shown}\nin:\n{source}"
        return
    expected = case.example.count
    assert len(findings) == expected, (
        f"{case.id}: expected {expected} finding(s), got {len(findings)}:\n{shown}\nin:\n{source}"
    )
    if case.example.message is not None:
        for finding in findings:
            assert case.example.message in finding.message, (
                f"{case.id}: message {finding.message!r} lacks {case.example.message!r}"
            )
    main = folder / "app.py"
    if case.example.at is not None:
        text = main.read_text(encoding="utf-8")
        for finding in findings:
            if finding.path == "app.py":
                covered = _covered(text, finding)
                assert covered == case.example.at, (
                    f"{case.id}: reported at {covered!r}, expected {case.example.at!r}"
                )
    if case.example.fixed is not None:
        from lambda_lint.fix import apply_fixes

        outcome = apply_fixes(linter, [folder], result, unsafe=True, write=False)
        fixed = outcome.texts.get(main.resolve(), main.read_text(encoding="utf-8"))
        expected = textwrap.dedent(case.example.fixed)
        assert fixed == expected, f"{case.id}: fixed to\n{fixed}\nexpected\n{expected}"
