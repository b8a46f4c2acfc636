"""Applying fixes: `--fix`, `--unsafe-fixes`, `--diff` and `--show-fixes`.

Fixes are applied in rounds. Each round takes the fixes of the current findings (safe
ones, plus unsafe ones when asked), keeps per file those whose edits do not overlap an
edit already chosen, applies them, and lints again with the fixed texts as overrides,
so that a fix sees the code the previous round produced. A fix left out for overlapping
comes back in the next round. Rounds stop when nothing applies, when the texts come
back to a state already seen (a cycle), or after `MAX_ROUNDS`.

A fix applies only to the text that was linted: a file that changed on disk since then
(an editor saved it during the run) is left alone, and the warning names it. Files are
written only at the end, only if a fix changed them, with their encoding (BOM, coding
cookie) and newlines kept. They are rewritten in place, as editors do: the same file keeps
its owner, permissions and hard links, and a read-only file is not written.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import stat
import tokenize
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lambda_lint.finding import Edit, Finding, Fix
from lambda_lint.source import ParseProblem, decode, parse

if TYPE_CHECKING:
    from lambda_lint.api import Linter, LintResult

MAX_ROUNDS = 10
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
TIMES = "\N{MULTIPLICATION SIGN}"


@dataclass
class FixOutcome:
    #: the findings of the fixed texts (the original result when nothing was fixed)
    result: LintResult
    #: how many fixes were applied
    fixed: int = 0
    #: `path: N TIMES CODE (fix message)` lines, for `--show-fixes`
    applied: list[str] = field(default_factory=list)
    #: a unified diff of every changed file (`--- a/path`, `+++ b/path`)
    diff: str = ""
    #: the fixed text of every changed file, by resolved path
    texts: dict[Path, str] = field(default_factory=dict)
    #: the files written to disk
    written: list[Path] = field(default_factory=list)
    #: what went wrong on the way (a fix that broke the syntax, a file not written)
    problems: list[str] = field(default_factory=list)


@dataclass
class _File:
    path: Path
    display: str
    original: str
    text: str
    #: the bytes read from disk; None for a file given as an override (stdin)
    raw: bytes | None
    encoding: str

    @property
    def newline(self) -> str:
        match = _LINE_BREAK.search(self.original)
        return match.group() if match else "\n"


def apply_fixes(
    linter: Linter,
    paths: Sequence[Path],
    result: LintResult,
    *,
    unsafe: bool = False,
    write: bool = False,
    overrides: Mapping[Path, str] | None = None,
    max_rounds: int = MAX_ROUNDS,
) -> FixOutcome:
    """Apply the fixes of `result` (found by `linter` on `paths`) until none is left;
    write the changed files when `write` is true (never the `overrides`)."""
    given = {path.resolve(): text for path, text in (overrides or {}).items()}
    allowed = {"safe", "unsafe"} if unsafe else {"safe"}
    outcome = FixOutcome(result)
    files: dict[Path, _File] = {}
    counts: dict[Path, Counter[tuple[str, str]]] = {}
    rejected: set[tuple[Path, str, Fix]] = set()
    seen = {_state(files)}
    current = result
    for _ in range(max_rounds):
        by_file = _fixes_by_file(linter, current.findings, allowed, rejected)
        linted = {_file_of(linter, shown): text for shown, text in current.sources.items()}
        changed = False
        for path, fixes in sorted(by_file.items()):
            item = files.get(path) or _load(path, linter.display(path), given, linted)
            if isinstance(item, str):
                outcome.problems.append(item)
                rejected.update((path, code, fix) for code, fix in fixes)
                continue
            files[path] = item
            text, chosen = _apply_round(item, fixes, rejected, outcome.problems)
            if text == item.text:
                continue
            item.text = text
            changed = True
            tally = counts.setdefault(path, Counter())
            tally.update((code, fix.message) for code, fix in chosen)
        if not changed:
            break
        state = _state(files)
        cycle = state in seen
        seen.add(state)
        texts = {path: item.text for path, item in files.items()}
        current = linter.lint(paths, {**given, **texts})
        if cycle:
            outcome.problems.append("fixes did not converge (a fix undid another); stopped")
            break
    outcome.result = current
    changed_files = [item for item in files.values() if item.text != item.original]
    unwritten = False
    for item in sorted(changed_files, key=lambda f: f.display):
        if write and item.raw is not None:
            problem = _write(item)
            if problem:
                outcome.problems.append(problem)
                unwritten = True
                continue
            outcome.written.append(item.path)
        outcome.texts[item.path] = item.text
        outcome.diff += _unified_diff(item)
        for (code, message), count in sorted(counts.get(item.path, Counter()).items()):
            outcome.applied.append(f"{item.display}: {count} {TIMES} {code} ({message})")
            outcome.fixed += count
    if unwritten:  # the findings of a file left as it was are those of what is on disk
        outcome.result = linter.lint(paths, given)
    return outcome


# -- choosing and applying ---------------------------------------------------------------


def _fixes_by_file(
    linter: Linter,
    findings: Iterable[Finding],
    allowed: set[str],
    rejected: set[tuple[Path, str, Fix]],
) -> dict[Path, list[tuple[str, Fix]]]:
    found: dict[Path, list[tuple[str, Fix]]] = {}
    for finding in findings:
        fix = finding.fix
        if fix is None or fix.applicability not in allowed or not fix.edits:
            continue
        path = _file_of(linter, finding.path)
        if (path, finding.code, fix) not in rejected:
            found.setdefault(path, []).append((finding.code, fix))
    return found


def _file_of(linter: Linter, display: str) -> Path:
    path = Path(display)
    return (path if path.is_absolute() else linter.display.cwd / path).resolve()


Span = tuple[int, int, str]


def _apply_round(
    item: _File,
    fixes: list[tuple[str, Fix]],
    rejected: set[tuple[Path, str, Fix]],
    problems: list[str],
) -> tuple[str, list[tuple[str, Fix]]]:
    """The text with the non-overlapping fixes applied, and the fixes applied.

    A fix that makes a parsable file unparsable is rejected for good. When each fix is
    fine alone but not together, only the first applies and the rest wait a round."""
    starts = _line_starts(item.text)
    prepared = []
    for code, fix in fixes:
        spans = _spans(fix.edits, starts, len(item.text), item.newline)
        if spans is None:
            problems.append(f"{item.display}: a {code} fix has an edit outside the file")
            rejected.add((item.path, code, fix))
        else:
            prepared.append((spans[0][0], spans[-1][1], code, fix, spans))
    prepared.sort(key=lambda entry: (entry[0], entry[1]))
    while True:
        chosen: list[tuple[str, Fix, list[Span]]] = []
        taken: list[Span] = []
        for _, _, code, fix, spans in prepared:
            if (item.path, code, fix) in rejected:
                continue
            if any(_conflict(span, other) for span in spans for other in taken):
                continue
            chosen.append((code, fix, spans))
            taken.extend(span for span in spans if span not in taken)
        if not chosen:
            return item.text, []
        text = _splice(item.text, taken)
        if not _breaks(item.text, text):
            return text, [(code, fix) for code, fix, _ in chosen]
        broken = [
            (code, fix)
            for code, fix, spans in chosen
            if _breaks(item.text, _splice(item.text, spans))
        ]
        if not broken:
            code, fix, spans = chosen[0]
            return _splice(item.text, spans), [(code, fix)]
        for code, fix in broken:
            rejected.add((item.path, code, fix))
            problems.append(
                f"{item.display}: the {code} fix ({fix.message}) would introduce a syntax "
                "error; not applied"
            )


def _breaks(before: str, after: str) -> bool:
    """Whether an edit turned parsable code into unparsable code."""
    return isinstance(parse(after), ParseProblem) and not isinstance(parse(before), ParseProblem)


def _line_starts(text: str) -> list[int]:
    """Offsets where each line begins (lines end at `\\r\\n`, `\\n` or `\\r`, as
    `Positions` counts)."""
    return [0, *(match.end() for match in _LINE_BREAK.finditer(text))]


def _spans(edits: Sequence[Edit], starts: list[int], size: int, newline: str) -> list[Span] | None:
    """The edits as sorted (start, end, content) offsets; None if one is out of the
    file or two edits of the fix overlap."""
    spans = []
    for edit in edits:
        start = _offset(edit.start.line, edit.start.column, starts, size)
        end = _offset(edit.end.line, edit.end.column, starts, size)
        if start is None or end is None or end < start:
            return None
        content = edit.content
        if newline != "\n":
            content = content.replace("\r\n", "\n").replace("\n", newline)
        spans.append((start, end, content))
    spans.sort(key=lambda span: (span[0], span[1]))
    for first, second in zip(spans, spans[1:]):
        if _conflict(first, second):
            return None
    return spans


def _offset(line: int, column: int, starts: list[int], size: int) -> int | None:
    if not 1 <= line <= len(starts) or column < 0:
        return None
    offset = starts[line - 1] + column
    limit = starts[line] if line < len(starts) else size
    return offset if offset <= limit else None


def _conflict(first: Span, second: Span) -> bool:
    """Whether two edits cannot both apply: they overlap, or both start at the same
    place (two insertions there have no order). The same edit twice is no conflict."""
    if first == second:
        return False
    if first[0] == second[0]:
        return True
    return first[0] < second[1] and second[0] < first[1]


def _splice(text: str, spans: Iterable[Span]) -> str:
    for start, end, content in sorted(spans, key=lambda s: (s[0], s[1]), reverse=True):
        text = text[:start] + content + text[end:]
    return text


def _state(files: Mapping[Path, _File]) -> frozenset[tuple[Path, str]]:
    """The changed texts: the same state twice means the fixes go round in a cycle."""
    return frozenset(
        (path, item.text) for path, item in files.items() if item.text != item.original
    )


# -- files ------------------------------------------------------------------------------


def edit_file(path: Path, display: str, edits: Sequence[Edit]) -> str | None:
    """Apply `edits` (which must not overlap) to the file on disk and write it, keeping
    its encoding, newlines and permissions; why not, if it was not written."""
    item = _load(path, display, {})
    if isinstance(item, str):
        return item
    spans = _spans(edits, _line_starts(item.text), len(item.text), item.newline)
    if spans is None:
        return f"{display}: the edits overlap or fall outside the file; not written"
    item.text = _splice(item.text, spans)
    return _write(item)


def _load(
    path: Path, display: str, given: Mapping[Path, str], linted: Mapping[Path, str] | None = None
) -> _File | str:
    """The file as the linter read it, or why it cannot be fixed: the edits of a fix
    are offsets into the linted text (`linted`, by path), so a file that changed since
    is not touched."""
    if path in given:
        return _File(path, display, given[path], given[path], None, "utf-8")
    try:
        raw = path.read_bytes()
    except OSError as error:
        return f"{display}: cannot read: {error.strerror or error}"
    text = decode(raw)
    if isinstance(text, ParseProblem):
        return f"{display}: {text.message}"
    if linted is not None and linted.get(path) != text:
        return f"{display}: changed on disk since it was linted; not fixed"
    encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    return _File(path, display, text, text, raw, encoding)


def _write(item: _File) -> str | None:
    """Rewrite the file in place with the fixed text; why not, if it was not.

    The new content is complete in memory before the file is opened, and the file is
    opened for writing as it is (no replacement by a new file), so its owner, mode and
    hard links stay. Just before writing, the file must still hold the bytes that were
    fixed."""
    try:
        data = item.text.encode(item.encoding)
    except UnicodeEncodeError:
        return f"{item.display}: the fixed text cannot be written as {item.encoding}; not written"
    try:
        info = os.stat(item.path)
        if not stat.S_ISREG(info.st_mode):
            return f"{item.display}: not a regular file; not written"
        if not info.st_mode & _WRITE_BITS or not os.access(item.path, os.W_OK):
            return f"{item.display}: read-only; not written"
        with open(item.path, "r+b") as stream:
            if stream.read() != item.raw:
                return f"{item.display}: changed on disk while fixing; not written"
            _overwrite(stream, data, item.raw or b"")
    except OSError as error:
        return f"{item.display}: cannot write: {error.strerror or error}"
    return None


_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def _overwrite(stream: io.BufferedRandom, data: bytes, original: bytes) -> None:
    """Replace the content of an open file; on a failed write (a full disk), try to put
    the original content back before raising."""
    try:
        stream.seek(0)
        stream.write(data)
        stream.truncate()
        stream.flush()
        os.fsync(stream.fileno())
    except OSError:
        try:
            stream.seek(0)
            stream.write(original)
            stream.truncate()
            stream.flush()
        except OSError:
            pass
        raise


def _lines(text: str) -> list[str]:
    """The lines of a text, each with its end (`\\n` ends a line, as for positions)."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _unified_diff(item: _File) -> str:
    old, new = _lines(item.original), _lines(item.text)
    lines = difflib.unified_diff(old, new, f"a/{item.display}", f"b/{item.display}")
    out = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)
