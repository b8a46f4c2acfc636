"""Reading and parsing one Python file; every way it can fail becomes a `ParseProblem`.

Every file goes through CPython first: `compile` to an `ast` tree and then to code, which
rejects what CPython rejects (with its messages and positions, the ones users know) and
does it cheaply on input that would make libcst's native parser crash the process (about
1,300 nested brackets) or take minutes (libcst is superlinear in the depth of an
expression). A tree nested deeper than `MAX_DEPTH` is reported as too complex to analyse.
Only then is the libcst tree built, on first use.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
import warnings
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Callable

import libcst as cst

from lambda_lint.ast_nodes import child_nodes

BINARY_SNIFF = 8192
#: the deepest `ast` tree analysed. Real code stays far below (CPython itself allows 200
#: nested brackets and 100 indentation levels); libcst needs about 0.7 s for an
#: expression 300 levels deep, ten times that at 800, and the rules walk trees
#: recursively (see benchmarks/README.md).
MAX_DEPTH = 300
_EXCEPT_COMMA_MESSAGE = "multiple exception types must be parenthesized"
#: Python 2's `except Error, name:`, which CPython 3.9 calls only "invalid syntax"
_EXCEPT_COMMA = re.compile(r"\s*except\s+[^:()]+,\s*\w+\s*:")
#: what CPython 3 says of the Python 2 constructs it names: the `print` and `exec`
#: statements, `except Error, name`, octal literals without `0o`
_PYTHON2_ERRORS = tuple(
    f"syntax error: {message}"
    for message in (
        "Missing parentheses in call to 'print'",
        "Missing parentheses in call to 'exec'",
        _EXCEPT_COMMA_MESSAGE,
        "leading zeros in decimal integer literals are not permitted",
    )
)
_TOO_COMPLEX = "too complex to analyse (nested too deeply for Python's parser); the file is skipped"


@dataclass(frozen=True)
class ParseProblem:
    """Why a file could not be linted (reported as LL001 at `line`/`column`)."""

    message: str
    line: int = 1
    column: int = 0
    #: the text is valid for this newer Python than the one running (see `parse_source`)
    needs_python: tuple[int, int] | None = None
    #: what of that Python it uses ("f-string syntax")
    newer_syntax: str = ""

    @property
    def python2(self) -> bool:
        """Whether the error is a Python 2 construct that Python 3 removed."""
        return self.message.startswith(_PYTHON2_ERRORS)

    @property
    def needs(self) -> str:
        """The Python the text needs, as `3.14`."""
        return "{}.{}".format(*self.needs_python) if self.needs_python else ""

    def skipped(self) -> str:
        """Why the file is skipped, for a text of a newer Python (`needs_python`)."""
        running = f"{sys.version_info[0]}.{sys.version_info[1]}"
        cause = self.message.removeprefix("syntax error: ")
        return (
            f"uses {self.newer_syntax} of Python {self.needs} or later ({cause}), which the "
            f"Python {running} running lambda-lint cannot read; run lambda-lint under "
            f"Python {self.needs} or later to check it"
        )


def decode(data: bytes) -> str | ParseProblem:
    """The text of a Python source file, honouring a PEP 263 coding cookie and a BOM."""
    if b"\0" in data[:BINARY_SNIFF]:
        return ParseProblem("binary file: not Python source")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        return ParseProblem(f"cannot decode: {error}")
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        line = data[: getattr(error, "start", 0)].count(b"\n") + 1
        return ParseProblem(f"not valid {encoding} text (add a coding cookie or re-encode)", line)
    return text[1:] if text.startswith("\ufeff") else text


class SourceFile:
    """A file CPython compiles: its text, its `ast` tree, and its libcst tree."""

    def __init__(self, text: str, tree: ast.Module | None = None) -> None:
        self.text = text
        if tree is not None:
            self.__dict__["ast"] = tree

    @classmethod
    def checked(cls, text: str) -> SourceFile:
        """`text`, which `parse_source` accepted before (or which a caller that handles
        `SyntaxError` itself gives): its trees are built on first use, without the
        checks."""
        return cls(text)

    @cached_property
    def ast(self) -> ast.Module:
        """The `ast` tree, built on first use when `parse_source` did not build it."""
        with warnings.catch_warnings():  # SyntaxWarnings are not ours to print
            warnings.simplefilter("ignore")
            return ast.parse(self.text)

    @cached_property
    def cst(self) -> cst.Module | ParseProblem:
        """The libcst tree, built on first use (or why libcst could not build it)."""
        return libcst_tree(self.text)


def parse_source(text: str, path: str = "<unknown>") -> SourceFile | ParseProblem:
    """Check `text` as CPython does and return it with its `ast` tree, or the problem."""
    null = text.find("\0")
    if null >= 0:
        line, column = _position(text, null)
        return ParseProblem("source contains a null byte", line, column)
    with warnings.catch_warnings():  # SyntaxWarnings are not ours to print
        warnings.simplefilter("ignore")
        try:
            tree = compile(text, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        except SyntaxError as error:
            problem = _syntax_problem(error)
            newer = _newer_syntax(problem, text)
            if newer is not None:
                return replace(problem, needs_python=newer[1], newer_syntax=newer[0])
            return problem
        except (RecursionError, MemoryError):
            return ParseProblem(_TOO_COMPLEX, _busiest_line(text))
        problem = _complexity(tree)
        if problem is not None:
            return problem
        try:  # the compiler's checks: `return` outside a function, duplicate arguments...
            compile(tree, path, "exec", dont_inherit=True)
        except SyntaxError as error:
            return _syntax_problem(error)
        except (RecursionError, MemoryError):
            return ParseProblem(_TOO_COMPLEX, _busiest_line(text))
    return SourceFile(text, tree)


def parse(text: str) -> cst.Module | ParseProblem:
    """The libcst tree of `text`, or why there is none (see `parse_source`)."""
    source = parse_source(text)
    return source if isinstance(source, ParseProblem) else source.cst


def _position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and 0-based column of an offset (lines end at \\n, \\r\\n or \\r)."""
    before = text[:offset]
    lines = before.replace("\r\n", "\n").replace("\r", "\n")
    return lines.count("\n") + 1, len(lines) - lines.rfind("\n") - 1


def _syntax_problem(error: SyntaxError) -> ParseProblem:
    line = error.lineno or 1
    column = max(0, (error.offset or 1) - 1)
    message = error.msg
    if message == "invalid syntax" and _EXCEPT_COMMA.match(error.text or ""):
        message = _EXCEPT_COMMA_MESSAGE  # what CPython 3.10 and later say of it
    return ParseProblem(f"syntax error: {message}", line, column)


_EXCEPT_PROBLEM = f"syntax error: {_EXCEPT_COMMA_MESSAGE}"
#: syntax of a newer Python that libcst reads whatever Python runs it: what it is, the
#: Python that reads it, and whether a CPython error before that one is about it
_NEWER_SYNTAX: tuple[tuple[str, tuple[int, int], Callable[[str], bool]], ...] = (
    # PEP 701: the f-string's own quotes, backslashes and comments inside its braces
    ("f-string syntax", (3, 12), lambda message: message.startswith("syntax error: f-string")),
    # PEP 758: `except A, B:` catches both (before, the message CPython 3.10 gives)
    ("unparenthesized `except` types", (3, 14), lambda message: message == _EXCEPT_PROBLEM),
)


def _newer_syntax(problem: ParseProblem, text: str) -> tuple[str, tuple[int, int]] | None:
    """What newer Python's syntax `text` uses, when the running CPython rejected it for
    that (its `problem`) and libcst, which reads the newer grammar, settles that the
    text is valid there; None otherwise."""
    for syntax, version, about in _NEWER_SYNTAX:
        if sys.version_info < version and about(problem.message):
            return (syntax, version) if isinstance(libcst_tree(text), cst.Module) else None
    return None


def _busiest_line(text: str) -> int:
    """The line where the logical line with the most tokens starts: where an expression
    too deep for the parser is (found without recursion, only when parsing failed)."""
    best, best_line, count, start = 0, 1, 0, 1
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                if count > best:
                    best, best_line = count, start
                count, start = 0, token.end[0] + 1
            elif token.type not in (tokenize.NL, tokenize.COMMENT):
                if count == 0:
                    start = token.start[0]
                count += 1
    except (tokenize.TokenError, SyntaxError):
        pass
    return best_line


def _complexity(tree: ast.Module) -> ParseProblem | None:
    """A problem when the tree is nested deeper than `MAX_DEPTH` (found without recursion)."""
    if not _nested_deeper_than(tree, MAX_DEPTH):
        return None
    return _deepest_place(tree)


def _nested_deeper_than(tree: ast.AST, limit: int) -> bool:
    """Whether a node of `tree` lies more than `limit` levels deep, the root being the
    first: looked at a level at a time, with no Python work for the nodes that hold
    none (`Load`, `Add`, `Pass`) but on the level below the limit."""
    level, depth = [tree], 1
    while level:
        last = depth == limit
        below: list[ast.AST] = []
        for node in level:
            below += child_nodes(node, leaves=last)
        if last:
            return bool(below)
        level, depth = below, depth + 1
    return False


def _deepest_place(tree: ast.Module) -> ParseProblem | None:
    """The problem `_complexity` reports, at the line of the first node found too deep."""
    stack: list[tuple[ast.AST, int, int]] = [(tree, 1, 1)]
    push = stack.append
    while stack:
        node, depth, line = stack.pop()
        line = getattr(node, "lineno", line)
        if depth > MAX_DEPTH:
            return ParseProblem(
                f"too complex to analyse (nested more than {MAX_DEPTH} levels deep); "
                "the file is skipped",
                line,
            )
        below = depth + 1
        for child in ast.iter_child_nodes(node):
            # a node without fields (`Load`, `Add`, `Pass`) has nothing below it: it
            # matters only when it is too deep itself
            if child._fields or below > MAX_DEPTH:
                push((child, below, line))
    return None


def libcst_tree(text: str) -> cst.Module | ParseProblem:
    """The libcst tree of `text` (checked by `parse_source` first), or why libcst could
    not build it."""
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        return ParseProblem(
            f"syntax error: {str(error.message).strip().rstrip('.')}",
            error.raw_line,
            error.raw_column,
        )
    except (RecursionError, MemoryError):
        return ParseProblem("the file is too deeply nested to parse")
    except Exception as error:  # the native parser may raise on pathological input
        return ParseProblem(f"cannot parse: {type(error).__name__}: {error}")
