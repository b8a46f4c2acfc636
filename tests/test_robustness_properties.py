"""Properties that hold for any input: linting never raises and is deterministic; `--fix`
output parses, is stable under a second `--fix`, and keeps every line no fix touched.

Inputs come from Hypothesis: arbitrary text, programs generated from Python's grammar
(hypothesmith), and Lambda handlers assembled from fixable and unfixable statements with
random names, comments and line endings. Examples are few and the search is derandomized,
so the suite stays quick and repeatable; set LAMBDA_LINT_FUZZ=1 to explore at random.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambda_lint.api import Linter
from lambda_lint.config import Settings
from lambda_lint.fix import apply_fixes
from lambda_lint.registry import load_rules
from lambda_lint.source import SourceFile, parse_source

RULES = load_rules()
ALL = set(RULES.rules)
FUZZ = bool(os.environ.get("LAMBDA_LINT_FUZZ"))
PROPERTY = settings(
    max_examples=200 if FUZZ else 25,
    deadline=None,
    derandomize=not FUZZ,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("properties")
    (root / "lambda-lint.toml").write_text('handlers = ["app.handler"]\n')
    return root


def linter(folder: Path) -> Linter:
    return Linter(Settings(), RULES, ALL, cwd=folder, jobs=1)


def lint(folder: Path, text: str) -> list[tuple[object, ...]]:
    path = folder / "app.py"
    result = linter(folder).lint([path], {path: text})
    assert result.internal_errors == [], result.internal_errors
    return [(f.code, f.start, f.end, f.message, f.fix) for f in result.findings]


@PROPERTY
@given(st.text(max_size=300))
def test_any_text_is_linted_without_raising(folder: Path, text: str) -> None:
    lint(folder, text)


def _programs() -> st.SearchStrategy[str]:
    import hypothesmith  # builds its grammar's parser on import: when the test runs

    return hypothesmith.from_grammar(auto_target=False)


PROGRAMS = st.deferred(_programs)


@PROPERTY
@given(PROGRAMS.map(lambda code: code[:2000]))
def test_any_program_is_linted_deterministically(folder: Path, code: str) -> None:
    assert lint(folder, code) == lint(folder, code)


NAMES = st.sampled_from(["event", "context", "ctx", "item", "data", "value", "record"])
STATEMENTS = [
    "rid = context.request_id",
    "arn = (context.function_arn)",
    "left = context.get_remaining_time_in_millis",
    "if context.get_remaining_time_in_millis < 1000:\n        return None",
    "body = event['body']",
    "{name} = event.get('{name}')",
    "{name} = [x for x in event.get('Records', [])]",
    "print(context.request_id, {name})",
    "# note: context.request_id in a comment",
    "text = 'context.request_id'",
    "client = boto3.client('s3')",
    "return {{'id': context.request_id, 'n': {name}}}",
]


@st.composite
def handlers(draw: st.DrawFn) -> str:
    picked = draw(st.lists(st.sampled_from(STATEMENTS), min_size=1, max_size=6))
    name = draw(NAMES)
    indent = draw(st.sampled_from(["    ", "  ", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    params = draw(st.sampled_from(["event, context", "context, event", "_event, _context"]))
    lines = ["import boto3", "", f"def handler({params}):"]
    for statement in picked:
        for line in statement.format(name=name).split("\n"):
            nested = line.startswith("    ")  # the body of a statement's block
            lines.append(indent * (2 if nested else 1) + line.strip())
    lines.append(indent + "return None")
    lines += ["", "def helper(context):", indent + "return context.request_id", ""]
    return newline.join(lines)


def fixed_text(folder: Path, text: str, rounds: int = 10) -> str:
    path = folder / "app.py"
    engine = linter(folder)
    result = engine.lint([path], {path: text})
    outcome = apply_fixes(
        engine, [path], result, unsafe=True, overrides={path: text}, max_rounds=rounds
    )
    return outcome.texts.get(path.resolve(), text)


@PROPERTY
@given(handlers())
def test_fixed_code_parses_and_a_second_fix_changes_nothing(folder: Path, code: str) -> None:
    assert isinstance(parse_source(code), SourceFile)
    fixed = fixed_text(folder, code)
    assert isinstance(parse_source(fixed), SourceFile)
    assert fixed_text(folder, fixed) == fixed


@PROPERTY
@given(handlers())
def test_a_fix_keeps_every_line_it_does_not_edit(folder: Path, code: str) -> None:
    path = folder / "app.py"
    engine = linter(folder)
    result = engine.lint([path], {path: code})
    touched = {
        line
        for finding in result.findings
        if finding.fix is not None
        for edit in finding.fix.edits
        for line in range(edit.start.line, edit.end.line + 1)
    }
    fixed = fixed_text(folder, code, rounds=1)
    original_lines = code.splitlines()
    kept = [text for number, text in enumerate(original_lines, start=1) if number not in touched]
    remaining = iter(fixed.splitlines())
    assert all(any(line == other for other in remaining) for line in kept)
