"""Parsing an edited module again: only the top-level statements around the edit.

The language server checks a buffer again on every edit, and libcst parses a module of
1,000 lines in about 50 ms. Its trees are immutable and hold no positions, so the
top-level statements an edit did not touch are taken over as they are from the tree of
the text before the edit: only a chunk of statements around the edit is parsed, and the
module is rebuilt around it. The result is the tree a parse of the whole new text gives
(`reparse` declines where it cannot be sure, and the tests compare the two over many
edits of real modules):

- The chunk runs from one statement before the first touched one to one after the last,
  so its edges lie in text the edit left alone: which of two neighbouring statements
  owns the comments and blank lines between them is decided by that text alone.
- The chunk parses on its own, so the tokenizer is back at module level where it ends,
  and the statements after it read the same tokens as before; its code is the chunk's
  text, so the offsets of the statements are known without generating the module's code.
- libcst stores a line break and a block indentation that are the module's defaults
  (its first line break, its first indented block) as "the default": the chunk must
  detect the defaults the module has, and keep the module's first indented block
  where it was or have one of its own. The chunk never starts in the module's first two
  lines, which may set its encoding, nor touches its header.
- The chunk's header (the comments before its first statement) is that statement's
  leading lines inside the module; a footer before the end of the module would be
  lines a statement owns, and the whole text is parsed instead.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from lambda_lint.recent import RecentlyUsed
from lambda_lint.source import ParseProblem, libcst_tree


@dataclass
class ParsedText:
    """A text and its libcst tree, with where each top-level statement starts."""

    text: str
    module: cst.Module
    #: the offset in `text` of each statement of `module.body` (its leading lines
    #: included), then where the footer starts; empty when the tree's code is not the
    #: text (libcst does not give back every text it reads: a last line of blanks
    #: without a line break, say). Computed on first use.
    _starts: list[int] | None = field(default=None, repr=False)

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            module = self.module
            header = _code(module, module.header)
            pieces = [module.code_for_node(statement) for statement in module.body]
            whole = [header, *pieces, _code(module, module.footer)]
            self._starts = _offsets(pieces, len(header)) if _gives(module, whole, self.text) else []
        return self._starts

    def first_indented(self) -> int | None:
        """The index of the first statement holding an indented block (its first line
        sets the module's default indentation), if one does."""
        for index, statement in enumerate(self.module.body):
            if _holds_indented_block(statement):
                return index
        return None


def reparse(before: ParsedText, text: str) -> ParsedText | None:
    """`text` parsed by re-using the statements of `before` that the edit from
    `before.text` left alone; None when that cannot be done safely (see the module's
    doc): the caller parses the whole text."""
    old = before.text
    if text == old:
        return before
    body, starts = before.module.body, before.starts
    prefix = _common_prefix(old, text)
    changed_from, changed_to = prefix, len(old) - _common_suffix(old, text, prefix)
    if not starts or changed_from < starts[0]:
        return None
    first = bisect_right(starts, changed_from) - 2
    last = min(bisect_right(starts, changed_to), len(body) - 1) + 1
    if first < 0 or starts[first] <= _end_of_second_line(old):
        return None
    to_end = last >= len(body)
    delta = len(text) - len(old)
    chunk_text = text[starts[first] : len(text) if to_end else starts[last] + delta]
    chunk = libcst_tree(chunk_text)
    if isinstance(chunk, ParseProblem) or not _fits(chunk, before, first, last):
        return None
    statements = _with_header(chunk)
    pieces = [chunk.code_for_node(statement) for statement in statements]
    if not _gives(chunk, [*pieces, _code(chunk, chunk.footer)], chunk_text):
        return None
    chunk_starts = _offsets(pieces, starts[first])
    if to_end:
        module = before.module.with_changes(
            body=(*body[:first], *statements),
            footer=chunk.footer,
            has_trailing_newline=chunk.has_trailing_newline,
        )
        return ParsedText(text, module, [*starts[:first], *chunk_starts])
    module = before.module.with_changes(body=(*body[:first], *statements, *body[last:]))
    kept_starts = (start + delta for start in starts[last:])
    return ParsedText(text, module, [*starts[:first], *chunk_starts[:-1], *kept_starts])


class KeptTrees:
    """The libcst trees of the files a process checked last (the language server's open
    buffers), by path: the next check of an edited file parses only around the edit."""

    def __init__(self, size: int) -> None:
        self._kept: RecentlyUsed[Path, ParsedText] = RecentlyUsed(size)

    def parse(self, path: Path, text: str) -> cst.Module | ParseProblem:
        """The libcst tree of `text`, the new content of `path`."""
        kept = self._kept.take(path)
        parsed = reparse(kept, text) if kept is not None else None
        if parsed is None:
            module = libcst_tree(text)
            if isinstance(module, ParseProblem):
                if kept is not None:  # the next edit may mend it: start from the last tree
                    self._kept.keep(path, kept)
                return module
            parsed = ParsedText(text, module)
        self._kept.keep(path, parsed)
        return parsed.module


def _fits(chunk: cst.Module, before: ParsedText, first: int, last: int) -> bool:
    """Whether the chunk's statements, the old module's `first` to `last` (exclusive)
    parsed anew, are what a parse of the whole new module makes of them (see the
    module's doc)."""
    module = before.module
    to_end = last >= len(module.body)
    if not chunk.body or (chunk.footer and not to_end):
        return False
    if chunk.default_newline != module.default_newline:
        return False
    if any(_holds_indented_block(statement) for statement in chunk.body):
        return chunk.default_indent == module.default_indent
    indented = before.first_indented()
    return indented is None or indented < first or (indented >= last and not to_end)


def _with_header(chunk: cst.Module) -> Sequence[cst.BaseStatement]:
    """The chunk's statements, the comments and blank lines before the first (the
    chunk's header) made its leading lines, as they are inside a module."""
    statements = list(chunk.body)
    if chunk.header:
        head = statements[0]
        statements[0] = head.with_changes(leading_lines=(*chunk.header, *head.leading_lines))
    return statements


def _gives(module: cst.Module, pieces: Sequence[str], text: str) -> bool:
    """Whether the code of `module`, given as `pieces` (generated one node at a time),
    is `text`: the module's own code drops a last line break the text did not have."""
    code = "".join(pieces)
    if module.has_trailing_newline:
        return code == text
    return code.startswith(text) and code[len(text) :] in ("\n", "\r\n", "\r")


def _code(module: cst.Module, lines: Sequence[cst.EmptyLine]) -> str:
    return "".join(module.code_for_node(line) for line in lines)


def _offsets(pieces: Sequence[str], start: int) -> list[int]:
    """Where each piece of code starts if the first starts at `start`, then where the
    last ends."""
    found = [start]
    for piece in pieces:
        found.append(found[-1] + len(piece))
    return found


#: the clauses of a compound statement that hold a suite of their own
_CLAUSES = (cst.Else, cst.Finally, cst.ExceptHandler, cst.ExceptStarHandler, cst.If, cst.MatchCase)


def _holds_indented_block(statement: cst.BaseStatement) -> bool:
    if not isinstance(statement, cst.BaseCompoundStatement):
        return False
    pending = list(statement.children)
    while pending:
        node = pending.pop()
        if isinstance(node, cst.IndentedBlock):
            return True
        if isinstance(node, _CLAUSES):
            pending.extend(node.children)
    return False


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix of `a` and `b` (halving, in C)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, prefix: int) -> int:
    """The length of the longest common suffix of `a` and `b` that does not reach into
    their common prefix of length `prefix`."""
    low, high = 0, min(len(a), len(b)) - prefix
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle : len(a) - low] == b[len(b) - middle : len(b) - low]:
            low = middle
        else:
            high = middle - 1
    return low


def _end_of_second_line(text: str) -> int:
    first = text.find("\n")
    second = text.find("\n", first + 1) if first >= 0 else -1
    return len(text) if second < 0 else second
