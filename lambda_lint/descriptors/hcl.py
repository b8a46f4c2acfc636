"""Parse Terraform files with python-hcl2, and find the lines its output does not carry.

python-hcl2 changed its output options across major versions: recent releases take a
`SerializationOptions` object (used here with `strip_string_quotes`, so literals come back
as plain text and expressions as `"${...}"`); older ones return that shape by default and
accept `with_meta=True` for `__start_line__` keys. Where no line is attached, blocks and
attributes are found by a text search of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2

from lambda_lint.descriptors.yaml_loader import DescriptorSyntaxError

START_LINE = "__start_line__"
_META_KEYS = (START_LINE, "__end_line__", "__is_block__", "__comments__", "__inline_comments__")
_LINE_IN_MESSAGE = re.compile(r"line (\d+)")


def parse_hcl(source: str) -> dict[str, Any]:
    """Parse HCL text into python-hcl2's dict form; `DescriptorSyntaxError` on bad input."""
    try:
        options = getattr(hcl2, "SerializationOptions", None)
        if options is not None:
            settings = options(
                with_meta=True,
                with_comments=False,
                explicit_blocks=False,
                strip_string_quotes=True,
            )
            data = hcl2.loads(source, serialization_options=settings)
        else:  # python-hcl2 < 7
            data = hcl2.loads(source, with_meta=True)
    except Exception as error:  # the parser raises lark errors and plain exceptions alike
        line = getattr(error, "line", None)
        if not isinstance(line, int) or line < 1:
            match = _LINE_IN_MESSAGE.search(str(error))
            line = int(match.group(1)) if match else 1
        summary = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DescriptorSyntaxError(f"invalid HCL: {summary}", line) from error
    return data if isinstance(data, dict) else {}


@dataclass
class Block:
    """A labelled top-level block: `resource "type" "name" { ... }`, `module "name"`."""

    kind: str
    type: str
    name: str
    body: dict[str, Any]
    file: Path
    line: int
    source: TextIndex

    def line_of(self, attribute: str) -> int:
        """The line of `attribute = ...` (at any depth) inside this block."""
        return self.source.attribute_line(self.line, attribute)


class TextIndex:
    """Finds block headers and attributes in one file's text."""

    def __init__(self, source: str) -> None:
        self.lines = source.splitlines()

    def block_line(self, kind: str, labels: tuple[str, ...]) -> int:
        pattern = r"^\s*" + re.escape(kind)
        for label in labels:
            pattern += r'\s+"?' + re.escape(label) + r'"?'
        header = re.compile(pattern + r"\s*\{")
        for number, line in enumerate(self.lines, start=1):
            if header.match(line):
                return number
        return 1

    def attribute_line(self, start: int, attribute: str) -> int:
        """The first `attribute =` or `attribute {` between line `start` and the end of
        the block opened there; `start` when not found."""
        assignment = re.compile(r"^\s*" + re.escape(attribute) + r"\s*(=|\{)")
        depth = 0
        for number in range(start, len(self.lines) + 1):
            line = self.lines[number - 1]
            if number > start and assignment.match(line):
                return number
            depth += line.count("{") - line.count("}")
            if number > start and depth <= 0:
                break
        return start


def blocks(data: dict[str, Any], file: Path, index: TextIndex) -> list[Block]:
    """The `resource`, `data` and `module` blocks of one parsed file."""
    found: list[Block] = []
    for kind in ("resource", "data"):
        for group in _as_list(data.get(kind)):
            for type_, named in _items(group):
                for name, body in _items(named):
                    found.append(_block(kind, type_, name, body, file, index, (type_, name)))
    for group in _as_list(data.get("module")):
        for name, body in _items(group):
            found.append(_block("module", "", name, body, file, index, (name,)))
    return found


def locals_of(data: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for group in _as_list(data.get("locals")):
        if isinstance(group, dict):
            merged.update(clean(group))
    return merged


def _block(
    kind: str,
    type_: str,
    name: str,
    body: Any,
    file: Path,
    index: TextIndex,
    labels: tuple[str, ...],
) -> Block:
    body = body[0] if isinstance(body, list) and body else body
    body = body if isinstance(body, dict) else {}
    line = body.get(START_LINE)
    if not isinstance(line, int):
        line = index.block_line(kind, labels)
    return Block(kind, type_, name, clean(body), file, line, index)


def clean(value: Any) -> Any:
    """Drop python-hcl2's metadata keys, recursively."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if k not in _META_KEYS}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _items(value: Any) -> list[tuple[str, Any]]:
    if not isinstance(value, dict):
        return []
    return [(_unquote(k), v) for k, v in value.items() if k not in _META_KEYS]


def _unquote(label: str) -> str:
    return label[1:-1] if len(label) >= 2 and label[0] == label[-1] == '"' else label
