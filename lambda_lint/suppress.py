"""Suppressions: `# noqa` comments, `per-file-ignores` and `# lambda-lint: skip-file`;
which findings they hide, and which suppress nothing (LL002)."""

from __future__ import annotations

import fnmatch
import io
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from lambda_lint.finding import Edit, Finding, Fix, Position

if TYPE_CHECKING:
    from lambda_lint.config import Settings

NOQA = re.compile(
    r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE
)
SKIP_FILE = re.compile(r"^\s*#\s*lambda-lint:\s*skip-file\s*$", re.MULTILINE)
#: descriptor formats whose comments start with `#` anywhere on a line (YAML, TOML,
#: HCL): a noqa comment can suppress LL103 there. JSON has no comments, and a
#: Dockerfile's `#` starts a comment only at the start of a line.
HASH_COMMENT_SUFFIXES = (".yaml", ".yml", ".toml", ".tf", ".hcl")


@dataclass
class Noqa:
    line: int
    column: int
    end_column: int
    #: None for a bare noqa comment (no codes), which suppresses everything on the line
    codes: tuple[str, ...] | None
    used: set[str] = field(default_factory=set)
    #: where the comment holding the directive starts
    comment_column: int = 0


def skip_file(text: str) -> bool:
    return SKIP_FILE.search(text) is not None


def _comments(text: str) -> list[tuple[int, int, str]]:
    """(line, column, text) of every comment; falls back to a line scan if the file
    cannot be tokenized (comments inside strings are then not told apart)."""
    try:
        return [
            (token.start[0], token.start[1], token.string)
            for token in tokenize.generate_tokens(io.StringIO(text).readline)
            if token.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        found = []
        for number, line in enumerate(text.splitlines(), start=1):
            index = line.find("#")
            if index >= 0:
                found.append((number, index, line[index:]))
        return found


def noqa_comments(text: str) -> dict[int, Noqa]:
    """The `# noqa` comments of a Python file, by line."""
    result: dict[int, Noqa] = {}
    if NOQA.search(text) is None:
        return result  # no comment can hold one: the file need not be tokenized
    for line, column, comment in _comments(text):
        match = NOQA.search(comment)
        if match is None:
            continue
        codes = None
        if match.group("codes"):
            codes = tuple(c.upper() for c in re.split(r"[,\s]+", match.group("codes")) if c)
        start = column + match.start()
        result[line] = Noqa(line, start, column + match.end(), codes, comment_column=column)
    return result


def _split_codes(codes: str) -> list[str]:
    return [code for code in re.split(r"[,\s]+", codes.upper()) if code]


def noqa_edit(path: Path, text: str, line: int, codes: Iterable[str]) -> Edit | None:
    """The edit that suppresses `codes` on a line with a `# noqa` comment: extend a
    `# noqa: ...` list already there, or append `  # noqa: CODE, ...`. None when the
    line needs no edit (a bare `# noqa`, or every code already listed), the file type
    takes no such comment, or the line cannot end with one."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return None
    content = lines[line - 1]
    if path.suffix == ".py":
        existing = noqa_comments(text).get(line)
        listed = None if existing is None else existing.codes
        end = None if existing is None else existing.end_column
        if existing is None and content.rstrip().endswith("\\"):
            return None  # a comment would end the continued line
    elif path.suffix in HASH_COMMENT_SUFFIXES:
        match = NOQA.search(content)
        listed = end = None
        if match is not None:
            codes_text = match.group("codes")
            listed, end = (_split_codes(codes_text) if codes_text else None), match.end()
    else:
        return None
    if end is not None:
        if listed is None:
            return None  # a bare noqa suppresses everything already
        missing = [code for code in dict.fromkeys(codes) if code not in listed]
        if not missing:
            return None
        at = Position(line, end)
        return Edit(at, at, "".join(f", {code}" for code in missing))
    stripped = content.rstrip()
    if not stripped:
        return None
    joined = ", ".join(dict.fromkeys(codes))
    return Edit(Position(line, len(stripped)), Position(line, len(content)), f"  # noqa: {joined}")


def unused_noqa_fix(text: str, noqa: Noqa, unused: list[str]) -> Fix | None:
    """The safe fix of an LL002 finding: drop the unused codes from the directive, or
    the whole comment when no code is left. None when the comment says more after the
    codes (a reason, another tool's directive): that is the author's to edit."""
    assert noqa.codes is not None
    lines = text.splitlines()
    content = lines[noqa.line - 1]
    kept = [code for code in noqa.codes if code not in unused]
    if content[noqa.end_column :].strip():
        return None
    start, end = Position(noqa.line, noqa.column), Position(noqa.line, len(content))
    if kept:
        edit = Edit(start, end, f"# noqa: {', '.join(kept)}")
        return Fix("safe", f"Remove unused codes from `noqa`: {', '.join(unused)}", (edit,))
    if noqa.column == noqa.comment_column and not content[: noqa.column].strip():
        # the comment is the whole line: the line goes
        if noqa.line < len(lines):
            edit = Edit(Position(noqa.line, 0), Position(noqa.line + 1, 0), "")
        else:
            edit = Edit(Position(noqa.line, 0), end, "")
    else:
        code_end = len(content[: noqa.column].rstrip())
        edit = Edit(Position(noqa.line, code_end), end, "")
    return Fix("safe", "Remove unused `noqa` directive", (edit,))


def suppresses(noqa: Noqa | None, code: str) -> bool:
    """Whether a finding of `code` on the noqa's line is suppressed (and remember it)."""
    if noqa is None:
        return False
    if noqa.codes is None or code in noqa.codes:
        noqa.used.add(code)
        return True
    return False


UNUSED_NOQA = "LL002"


class FindingFilter:
    """What the user asked not to see: `per-file-ignores` and `# noqa` comments; and
    the unused suppressions that LL002 reports."""

    def __init__(
        self, settings: Settings, enabled: set[str], display: Callable[[Path], str]
    ) -> None:
        self.settings = settings
        self.enabled = enabled
        self.display = display

    def apply(
        self, path: Path, text: str, findings: list[Finding], failed: set[str]
    ) -> list[Finding]:
        """The findings of one Python file that are shown, plus its LL002 findings.
        `failed` are rules that raised on the file: their suppressions are not judged."""
        ignored = self.ignored_codes(path)
        noqas = noqa_comments(text)
        kept = []
        for finding in findings:
            if any(finding.code.startswith(prefix) for prefix in ignored):
                continue
            if suppresses(noqas.get(finding.noqa_line or finding.start.line), finding.code):
                continue
            kept.append(finding)
        if UNUSED_NOQA in self.enabled and not any(UNUSED_NOQA.startswith(p) for p in ignored):
            kept.extend(self._unused(path, text, noqas.values(), failed))
        return kept

    def _unused(
        self, path: Path, text: str, noqas: Iterable[Noqa], failed: set[str]
    ) -> list[Finding]:
        found = []
        for noqa in noqas:
            if noqa.codes is None:
                continue  # a bare noqa is shared with other linters: not ours to judge
            unused = [
                code
                for code in noqa.codes
                if code in self.enabled
                and code not in noqa.used
                and code != UNUSED_NOQA
                and code not in failed
            ]
            if unused:
                found.append(
                    Finding(
                        UNUSED_NOQA,
                        f"unused `noqa` directive for {', '.join(unused)}",
                        self.display(path),
                        Position(noqa.line, noqa.column),
                        Position(noqa.line, noqa.end_column),
                        fix=unused_noqa_fix(text, noqa, unused),
                    )
                )
        return found

    def ignored_codes(self, path: Path) -> list[str]:
        """The code prefixes `per-file-ignores` switches off for `path`."""
        base = self.settings.root or Path.cwd()
        try:
            relative = path.relative_to(base).as_posix()
        except ValueError:
            relative = path.as_posix()
        codes: list[str] = []
        for pattern, selected in self.settings.per_file_ignores.items():
            if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(path.name, pattern):
                codes.extend(selected)
        return codes

    def apply_to_text_file(self, path: Path, text: str, findings: list[Finding]) -> list[Finding]:
        """The findings in a descriptor or configuration file that are shown: those
        `per-file-ignores` leaves and no `# noqa` comment on their line hides (YAML,
        TOML and HCL carry `#` comments too)."""
        ignored = self.ignored_codes(path)
        lines = text.splitlines()
        kept = []
        for finding in findings:
            line = lines[finding.start.line - 1] if 0 < finding.start.line <= len(lines) else ""
            if any(finding.code.startswith(p) for p in ignored) or _line_suppresses(
                line, finding.code
            ):
                continue
            kept.append(finding)
        return kept


def _line_suppresses(line: str, code: str) -> bool:
    """Descriptors (YAML, TOML, HCL) carry `# noqa: LL103` comments too."""
    match = NOQA.search(line)
    if match is None:
        return False
    codes = match.group("codes")
    return codes is None or code in _split_codes(codes)
