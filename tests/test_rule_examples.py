"""Every built-in rule's VALID and INVALID examples, through the whole pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambda_lint.registry import load_rules
from lambda_lint.testing import ExampleCase, check_example, example_cases

RULES = load_rules().rules


@pytest.mark.parametrize("case", example_cases(*RULES.values()))
def test_rule_example(case: ExampleCase, tmp_path: Path) -> None:
    check_example(case, tmp_path)


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_is_documented_and_exemplified(code: str) -> None:
    rule = RULES[code]
    assert not rule.metadata_problems()
    docs = rule.documentation()
    for section in ("## What it does", "## Why is this bad?", "## Example"):
        assert section in docs, f"{code} docs lack {section!r}"
    assert len(rule.VALID) >= 3, f"{code} has fewer than 3 VALID examples"
    assert len(rule.INVALID) >= 3, f"{code} has fewer than 3 INVALID examples"


def test_codes_and_names_are_unique() -> None:
    names = [rule.name for rule in RULES.values()]
    assert len(names) == len(set(names))


def test_common_reads_of_real_events_are_clean(tmp_path: Path) -> None:
    """Everyday, correct reads of each trigger's event raise nothing (precision)."""
    from lambda_lint.registry import RuleSet
    from lambda_lint.rule import Example
    from lambda_lint.testing import lint_example

    code = (FIXTURE_READS).read_text()
    handlers = [
        ("rest", "apigw-rest"),
        ("http", "apigw-http"),
        ("sqs", "sqs"),
        ("kinesis", "kinesis"),
        ("logs", "cloudwatch-logs"),
        ("eb", "eventbridge"),
        ("ddb", "dynamodb-stream"),
        ("s3", "s3"),
        ("sns", "sns"),
    ]
    config = {"handlers": [{"target": f"app.{name}", "trigger": t} for name, t in handlers]}
    event_rules = [r for code_, r in RULES.items() if code_.startswith("LL4") and r.default_enabled]
    assert RuleSet(RULES).matching("LL4")
    for index, rule in enumerate(event_rules):
        findings = lint_example(rule, Example(code, config=config), tmp_path / str(index))
        assert findings == [], [(f.start.line, f.message) for f in findings]


FIXTURE_READS = Path(__file__).parent / "data" / "everyday_event_reads.py"
