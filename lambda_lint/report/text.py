"""The human formats (`full`, `concise`) and the machine ones Ruff's users already parse
(`json`, `json-lines`)."""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

from lambda_lint.finding import Finding
from lambda_lint.report.input import ReportInput

BOLD, RED, CYAN, BLUE, RESET = "\033[1m", "\033[31m", "\033[36m", "\033[34m", "\033[0m"


STDIN = "-"


def display_path(path: str, run: ReportInput) -> str:
    """The path as the user should see it: relative to the working directory if inside."""
    try:
        return os.path.relpath(path, run.cwd) if os.path.isabs(path) else path
    except ValueError:  # another drive on Windows
        return path


def absolute_path(path: str, run: ReportInput) -> str:
    """The path as Ruff's JSON writes it: absolute (standard input stays `-`)."""
    if path == STDIN:
        return path
    return os.path.normpath(os.path.join(run.cwd, path))


def _plural(count: int, word: str, suffix: str = "s") -> str:
    return f"{count} {word}{suffix if count != 1 else ''}"


def fix_available(finding: Finding, run: ReportInput) -> bool:
    """Whether `--fix` (with the run's `--unsafe-fixes`) would apply the finding's fix."""
    allowed = ("safe", "unsafe") if run.unsafe_fixes else ("safe",)
    return finding.fix is not None and finding.fix.applicability in allowed


def portable_path(path: str) -> str:
    """A path as text that any JSON reader accepts: bytes of the name that are not UTF-8
    (held by Python as lone surrogates) are written as `\\xNN`, as Python shows them."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return path


def _paint(text: str, style: str, run: ReportInput) -> str:
    return f"{style}{text}{RESET}" if run.color else text


def _header(finding: Finding, run: ReportInput) -> str:
    where = f"{display_path(finding.path, run)}:{finding.start.line}:{finding.start.column + 1}:"
    code = _paint(finding.code, BOLD + RED, run)
    marker = " [*]" if fix_available(finding, run) else ""
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


def fix_hint(run: ReportInput) -> str | None:
    """The line that says how many findings `--fix` would fix, and how many fixes
    `--unsafe-fixes` would add (Ruff's wording); None when no finding has a fix."""
    fixable = sum(1 for f in run.findings if fix_available(f, run))
    hidden = sum(1 for f in run.findings if f.fix is not None and not fix_available(f, run))
    more = f"{_plural(hidden, 'hidden fix', 'es')} can be enabled with the `--unsafe-fixes` option"
    if fixable and hidden:
        return f"[*] {fixable} fixable with the `--fix` option ({more})."
    if fixable:
        return f"[*] {fixable} fixable with the `--fix` option."
    if hidden:
        return f"No fixes available ({more})."
    return None


def summary_lines(run: ReportInput) -> list[str]:
    """What follows the findings: the counts found and fixed, and the fixes available."""
    if not run.summary:
        return []
    lines = []
    if run.fixed:
        lines.append(f"Fixed {_plural(run.fixed, 'error')}.")
    if run.findings:
        lines.append(f"Found {_plural(len(run.findings), 'error')}.")
        hint = fix_hint(run)
        if hint:
            lines.append(hint)
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
    out.extend(summary_lines(run))
    return "".join(line + "\n" for line in out)


def render_concise(run: ReportInput) -> str:
    out = [_header(finding, run) for finding in run.findings]
    out.extend(summary_lines(run))
    return "".join(line + "\n" for line in out)


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
        "filename": portable_path(absolute_path(finding.path, run)),
        "location": {"row": finding.start.line, "column": finding.start.column + 1},
        "end_location": {"row": finding.end.line, "column": finding.end.column + 1},
        "fix": fix,
        "url": rule.url() if rule else None,
        "noqa_row": finding.noqa_line,
        "related": [
            {
                "filename": portable_path(absolute_path(step.path, run)),
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


def statistics(run: ReportInput) -> list[dict[str, Any]]:
    """A count per rule, most frequent first, with how many `--fix` would fix."""
    counts = Counter(f.code for f in run.findings)
    fixable = Counter(f.code for f in run.findings if fix_available(f, run))
    rows = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = run.rules.get(code)
        rows.append(
            {
                "code": code,
                "name": rule.name if rule else "",
                "count": count,
                "fixable": fixable[code] > 0,
                "fixable_count": fixable[code],
            }
        )
    return rows


def render_statistics(run: ReportInput) -> str:
    """`--statistics`: one line per rule, most frequent first, then the summary
    (Ruff's layout; `[*]` marks rules with fixes `--fix` would apply)."""
    rows = statistics(run)
    if not rows:
        return "".join(line + "\n" for line in summary_lines(run))
    count_width = max(len(str(row["count"])) for row in rows)
    code_width = max(len(row["code"]) for row in rows)
    any_fixable = any(row["fixable"] for row in rows)
    lines = []
    for row in rows:
        marker = ("[*] " if row["fixable"] else "[ ] ") if any_fixable else ""
        lines.append(
            f"{row['count']:>{count_width}}\t{row['code']:<{code_width}}\t{marker}{row['name']}"
        )
    return "\n".join([*lines, *summary_lines(run)]) + "\n"


def render_statistics_json(run: ReportInput) -> str:
    """`--statistics --output-format json`: the counts as a JSON list (Ruff's keys)."""
    return json.dumps(statistics(run), indent=2) + "\n"
