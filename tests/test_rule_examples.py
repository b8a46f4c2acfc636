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
