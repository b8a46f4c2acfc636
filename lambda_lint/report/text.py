"""The human formats (`full`, `concise`) and the machine ones Ruff's users already parse
(`json`, `json-lines`)."""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

from lambda_lint.finding import Finding
from lambda_lint.report import ReportInput

BOLD, RED, CYAN, BLUE, RESET = "\033[1m", "\033[31m", "\033[36m", "\033[34m", "\033[0m"


def display_path(path: str, run: ReportInput) -> str:
    """The path as the user should see it: relative to the working directory if inside."""
    try:
        return os.path.relpath(path, run.cwd) if os.path.isabs(path) else path
    except ValueError:  # another drive on Windows
        return path


def _paint(text: str, style: str, run: ReportInput) -> str:
    return f"{style}{text}{RESET}" if run.color else text


def _header(finding: Finding, run: ReportInput) -> str:
    where = f"{display_path(finding.path, run)}:{finding.start.line}:{finding.start.column + 1}:"
    code = _paint(finding.code, BOLD + RED, run)
    marker = " [*]" if finding.fix and finding.fix.applicability == "safe" else ""
    return f"{_paint(where, BOLD, run)} {code}{marker} {finding.message}"


def _excerpt(finding: Finding, run: ReportInput) -> list[str]:
    text = run.sources.get(finding.path)
    if text is None:
        return []
    lines = text.splitlines()
    row = finding.start.line
    if not 1 <= row <= len(lines):
        return []
    first = max(1, row - 1)
    width = len(str(row))
    gutter = _paint(" " * width + " |", BLUE, run)
    out = [gutter]
    for number in range(first, row + 1):
        numbered = _paint(f"{number:>{width}} |", BLUE, run)
        out.append(f"{numbered} {lines[number - 1].expandtabs(1)}".rstrip())
    line = lines[row - 1]
    start = finding.start.column
    end = finding.end.column if finding.end.line == row else len(line)
    carets = "^" * max(1, end - start)
    out.append(f"{gutter} {' ' * start}{_paint(carets + ' ' + finding.code, RED, run)}")
    out.append(gutter)
    return out


def _summary(run: ReportInput) -> list[str]:
    count = len(run.findings)
    lines = []
    if run.fixed:
        lines.append(f"Fixed {run.fixed} error{'s' if run.fixed != 1 else ''}.")
    if count:
        lines.append(f"Found {count} error{'s' if count != 1 else ''}.")
        fixable = sum(1 for f in run.findings if f.fix and f.fix.applicability == "safe")
        unsafe = sum(1 for f in run.findings if f.fix and f.fix.applicability == "unsafe")
        if fixable:
            lines.append(f"[*] {fixable} fixable with the `--fix` option.")
        if unsafe:
            lines.append(f"{unsafe} hidden fixes can be enabled with the `--unsafe-fixes` option.")
    elif not run.fixed:
        lines.append("All checks passed!")
    return lines


def render_full(run: ReportInput) -> str:
    out: list[str] = []
    for finding in run.findings:
        out.append(_header(finding, run))
        out.extend(_excerpt(finding, run))
        for step in finding.related:
            where = f"{display_path(step.path, run)}:{step.start.line}:{step.start.column + 1}"
            out.append(f"  = note: {where}: {step.message}")
        out.append("")
    out.extend(_summary(run))
    return "\n".join(out) + "\n"


def render_concise(run: ReportInput) -> str:
    out = [_header(finding, run) for finding in run.findings]
    out.extend(_summary(run))
    return "\n".join(out) + "\n"


def finding_as_json(finding: Finding, run: ReportInput) -> dict[str, Any]:
    """One finding with Ruff's JSON keys (rows and columns 1-based)."""
    rule = run.rules.get(finding.code)
    fix = None
    if finding.fix is not None:
        fix = {
            "applicability": finding.fix.applicability,
            "message": finding.fix.message,
            "edits": [
                {
                    "content": edit.content,
                    "location": {"row": edit.start.line, "column": edit.start.column + 1},
                    "end_location": {"row": edit.end.line, "column": edit.end.column + 1},
                }
                for edit in finding.fix.edits
            ],
        }
    return {
        "code": finding.code,
        "message": finding.message,
        "filename": display_path(finding.path, run),
        "location": {"row": finding.start.line, "column": finding.start.column + 1},
        "end_location": {"row": finding.end.line, "column": finding.end.column + 1},
        "fix": fix,
        "url": rule.url() if rule else None,
        "noqa_row": finding.noqa_line,
        "related": [
            {
                "filename": display_path(step.path, run),
                "location": {"row": step.start.line, "column": step.start.column + 1},
                "message": step.message,
            }
            for step in finding.related
        ],
    }


def render_json(run: ReportInput) -> str:
    return json.dumps([finding_as_json(f, run) for f in run.findings], indent=2) + "\n"


def render_json_lines(run: ReportInput) -> str:
    return "".join(json.dumps(finding_as_json(f, run)) + "\n" for f in run.findings)


def render_statistics(run: ReportInput) -> str:
    """`--statistics`: one line per rule, most frequent first (Ruff's layout)."""
    counts = Counter(f.code for f in run.findings)
    lines = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = run.rules.get(code)
        name = rule.name if rule else ""
        lines.append(f"{count:>5}\t{code}\t{name}")
    return "\n".join(lines) + ("\n" if lines else "")
