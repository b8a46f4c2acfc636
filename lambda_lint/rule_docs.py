"""The rule reference, generated from the rules' own docstrings and metadata.

`docs/rules/<CODE>.md` (one page per rule) and the rule table in the README are
written by `tools/gen_rule_docs.py` and checked by the test suite to be in sync.
"""

from __future__ import annotations

from collections.abc import Iterable

from lambda_lint.rule import BaseRule

FIX_TEXT = {
    "none": "No automatic fix.",
    "safe": "A safe fix is available (`--fix`).",
    "unsafe": "A fix is available with `--unsafe-fixes` (it may change behaviour).",
    "sometimes": "A fix is available for some cases (`--fix`; see Fix safety).",
}
FAMILIES = {
    "LL0": "Meta",
    "LL1": "Handler contract and response",
    "LL2": "Cold start",
    "LL3": "Execution-environment reuse",
    "LL4": "Trigger events",
    "LL5": "Context and runtime",
    "LL6": "Security",
    "LL7": "Reliability",
}


def rule_page(rule: type[BaseRule]) -> str:
    """The Markdown page of one rule."""
    default = "on by default" if rule.default_enabled else "off by default (enable with `--select`)"
    lines = [
        f"# {rule.code}: {rule.name}",
        "",
        f"{rule.summary}.",
        "",
        f"- Family: {FAMILIES.get(rule.code[:3], 'Plugin')}",
        f"- Default: {default}",
        f"- Severity: {rule.severity}",
        f"- Fix: {FIX_TEXT[rule.fixable]}",
        f"- Since: {rule.since}",
        "",
        rule.documentation(),
        "",
    ]
    return "\n".join(lines)


def rules_table(rules: Iterable[type[BaseRule]]) -> str:
    """The Markdown table of rules for the README."""
    rows = ["| code | name | default | fix | what |", "|---|---|---|---|---|"]
    for rule in rules:
        star = "★" if rule.default_enabled else ""
        fix = "" if rule.fixable == "none" else rule.fixable
        rows.append(
            f"| [{rule.code}](docs/rules/{rule.code}.md) | {rule.name} | {star} | {fix} | {rule.summary} |"
        )
    return "\n".join(rows) + "\n"
