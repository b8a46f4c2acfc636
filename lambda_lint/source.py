"""Reading and parsing one Python file; every way it can fail becomes a `ParseProblem`."""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass

import libcst as cst

BINARY_SNIFF = 8192


@dataclass(frozen=True)
class ParseProblem:
    """Why a file could not be linted (reported as LL001 at `line`/`column`)."""

    message: str
    line: int = 1
    column: int = 0


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


def _python_syntax_error(text: str) -> ParseProblem | None:
    """CPython's own account of a syntax error: its messages and positions are the
    ones users know (libcst sometimes notices an error a line later)."""
    try:
        ast.parse(text)
    except SyntaxError as error:
        line = error.lineno or 1
        column = max(0, (error.offset or 1) - 1)
        return ParseProblem(f"syntax error: {error.msg}", line, column)
    except (ValueError, RecursionError, MemoryError):
        return None
    return None


def parse(text: str) -> cst.Module | ParseProblem:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        return _python_syntax_error(text) or ParseProblem(
            f"syntax error: {str(error.message).strip().rstrip('.')}",
            error.raw_line,
            error.raw_column,
        )
    except (RecursionError, MemoryError):
        return ParseProblem("the file is too deeply nested to parse")
    except Exception as error:  # the native parser may raise on pathological input
        return ParseProblem(f"cannot parse: {type(error).__name__}: {error}")
