"""`# noqa` comments: which findings they suppress, and which suppress nothing (LL002)."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field

NOQA = re.compile(
    r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE
)
SKIP_FILE = re.compile(r"^\s*#\s*lambda-lint:\s*skip-file\s*$", re.MULTILINE)


@dataclass
class Noqa:
    line: int
    column: int
    end_column: int
    #: None for a bare `# noqa`, which suppresses everything on the line
    codes: tuple[str, ...] | None
    used: set[str] = field(default_factory=set)


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
    for line, column, comment in _comments(text):
        match = NOQA.search(comment)
        if match is None:
            continue
        codes = None
        if match.group("codes"):
            codes = tuple(c.upper() for c in re.split(r"[,\s]+", match.group("codes")) if c)
        start = column + match.start()
        result[line] = Noqa(line, start, column + match.end(), codes)
    return result


def suppresses(noqa: Noqa | None, code: str) -> bool:
    """Whether a finding of `code` on the noqa's line is suppressed (and remember it)."""
    if noqa is None:
        return False
    if noqa.codes is None or code in noqa.codes:
        noqa.used.add(code)
        return True
    return False
