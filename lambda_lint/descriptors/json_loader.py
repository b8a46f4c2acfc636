"""Load JSON descriptors into the same line-aware trees as YAML.

A small recursive-descent decoder on top of the standard library's string and number
scanners: it records the line where every key and value starts, and turns CloudFormation
long-form intrinsics (`{"Fn::GetAtt": [...]}`) into `Symbolic` values.
"""

from __future__ import annotations

import bisect
import json
import re
from json.decoder import scanstring
from json.scanner import NUMBER_RE
from typing import Any

from lambda_lint.descriptors.values import LineList, LineMap, intrinsic
from lambda_lint.descriptors.yaml_loader import DescriptorSyntaxError

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_CONSTANTS = {"true": True, "false": False, "null": None}
_MAX_DEPTH = 500


def load_json(text: str) -> Any:
    """Decode one JSON document; raises `DescriptorSyntaxError` with the line on error."""
    decoder = _Decoder(text)
    try:
        value = decoder.value(decoder.skip(0), 0)
        end = decoder.skip(decoder.end)
        if end != len(text):
            decoder.fail("extra data after the document", end)
        return value
    except json.JSONDecodeError as error:
        raise DescriptorSyntaxError(f"invalid JSON: {error.msg}", error.lineno) from error


class _Decoder:
    def __init__(self, text: str) -> None:
        self.text = text
        self.end = 0
        self._newlines = [i for i, char in enumerate(text) if char == "\n"]

    def line(self, pos: int) -> int:
        return bisect.bisect_left(self._newlines, pos) + 1

    def skip(self, pos: int) -> int:
        return _WHITESPACE.match(self.text, pos).end()  # type: ignore[union-attr]

    def fail(self, message: str, pos: int) -> None:
        raise json.JSONDecodeError(message, self.text, min(pos, len(self.text)))

    def value(self, pos: int, depth: int) -> Any:
        """Decode the value at `pos` (no leading whitespace); sets `self.end`."""
        if depth > _MAX_DEPTH:
            self.fail("nested too deeply", pos)
        char = self.text[pos : pos + 1]
        if char == '"':
            value, self.end = scanstring(self.text, pos + 1, True)
            return value
        if char == "{":
            return self._object(pos, depth)
        if char == "[":
            return self._array(pos, depth)
        for word, constant in _CONSTANTS.items():
            if self.text.startswith(word, pos):
                self.end = pos + len(word)
                return constant
        match = NUMBER_RE.match(self.text, pos)
        if match is None:
            self.fail("expecting a value", pos)
        integer, fraction, exponent = match.groups()  # type: ignore[union-attr]
        self.end = match.end()  # type: ignore[union-attr]
        if fraction or exponent:
            return float(integer + (fraction or "") + (exponent or ""))
        return int(integer)

    def _object(self, start: int, depth: int) -> Any:
        mapping = LineMap(self.line(start))
        pos = self.skip(start + 1)
        if self.text[pos : pos + 1] == "}":
            self.end = pos + 1
            return mapping
        while True:
            if self.text[pos : pos + 1] != '"':
                self.fail("expecting a property name in double quotes", pos)
            key_line = self.line(pos)
            key, pos = scanstring(self.text, pos + 1, True)
            pos = self.skip(pos)
            if self.text[pos : pos + 1] != ":":
                self.fail("expecting ':' delimiter", pos)
            pos = self.skip(pos + 1)
            value_line = self.line(pos)
            value = self.value(pos, depth + 1)
            mapping.put(key, value, key_line, value_line)
            pos = self.skip(self.end)
            char = self.text[pos : pos + 1]
            if char == "}":
                self.end = pos + 1
                return intrinsic(mapping)
            if char != ",":
                self.fail("expecting ',' delimiter", pos)
            pos = self.skip(pos + 1)

    def _array(self, start: int, depth: int) -> LineList:
        sequence = LineList(self.line(start))
        pos = self.skip(start + 1)
        if self.text[pos : pos + 1] == "]":
            self.end = pos + 1
            return sequence
        while True:
            item_line = self.line(pos)
            sequence.put(self.value(pos, depth + 1), item_line)
            pos = self.skip(self.end)
            char = self.text[pos : pos + 1]
            if char == "]":
                self.end = pos + 1
                return sequence
            if char != ",":
                self.fail("expecting ',' delimiter", pos)
            pos = self.skip(pos + 1)
