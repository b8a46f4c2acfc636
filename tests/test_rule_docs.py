"""The rule reference in docs/rules/ and the README's rule table match the rules."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location(
        "gen_rule_docs", ROOT / "tools" / "gen_rule_docs.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_rule_docs_are_in_sync() -> None:
    for path, text in _generator().expected().items():
        assert path.exists(), f"{path} is missing: run python tools/gen_rule_docs.py"
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.relative_to(ROOT)} is out of date: run python tools/gen_rule_docs.py"
        )


def test_every_rule_url_points_at_its_page() -> None:
    from lambda_lint.registry import load_rules

    for code, rule in load_rules().rules.items():
        if rule.origin == "built-in":
            assert rule.url().endswith(f"docs/rules/{code}.md")
            assert (ROOT / "docs" / "rules" / f"{code}.md").exists()
