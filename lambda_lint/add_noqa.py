"""`lambda-lint check --add-noqa`: suppress every current finding where it is reported,
so that a project can adopt lambda-lint now and fix its findings over time.

Each line with findings gets `# noqa: CODE, ...` (merged into a `# noqa:` list already
there). Python files and the descriptors whose comments start with `#` anywhere on a
line (YAML, TOML, Terraform) take the comment; a finding in a JSON template or a
Dockerfile cannot be suppressed on its line and is listed instead. LL001 (the file does
not parse) and LL002 (a suppression that suppresses nothing) are never suppressed this
way: the first needs a fix, the second would be a suppression of a suppression.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from lambda_lint.finding import Edit, Finding
from lambda_lint.fix import edit_file
from lambda_lint.suppress import noqa_edit

NOT_SUPPRESSIBLE = ("LL001", "LL002")


@dataclass
class NoqaOutcome:
    #: how many lines got a new or longer noqa comment
    added: int = 0
    #: files written
    written: list[Path] = field(default_factory=list)
    #: what could not be done, one sentence each
    problems: list[str] = field(default_factory=list)


def add_noqa(findings: Iterable[Finding], resolve: Callable[[str], Path]) -> NoqaOutcome:
    """Add noqa comments for `findings` (whose paths `resolve` turns into files)."""
    lines: dict[Path, dict[int, list[str]]] = {}
    shown: dict[Path, str] = {}
    for finding in findings:
        if finding.code in NOT_SUPPRESSIBLE or finding.noqa_line is None:
            continue
        path = resolve(finding.path)
        shown[path] = finding.path
        codes = lines.setdefault(path, {}).setdefault(finding.noqa_line, [])
        if finding.code not in codes:
            codes.append(finding.code)
    outcome = NoqaOutcome()
    for path, by_line in sorted(lines.items()):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            outcome.problems.append(f"{shown[path]}: cannot read: {error}")
            continue
        edits: list[Edit] = []
        left = 0
        for line, codes in sorted(by_line.items()):
            edit = noqa_edit(path, text, line, sorted(codes))
            if edit is not None:
                edits.append(edit)
            else:  # a JSON or Dockerfile line, or a line continued with a backslash
                left += len(codes)
        if left:
            outcome.problems.append(
                f"{shown[path]}: {left} finding{'s' if left != 1 else ''} left unsuppressed: "
                "this file cannot take a noqa comment on the reported line"
            )
        if not edits:
            continue
        problem = edit_file(path, shown[path], edits)
        if problem:
            outcome.problems.append(problem)
            continue
        outcome.written.append(path)
        outcome.added += len(edits)
    return outcome
