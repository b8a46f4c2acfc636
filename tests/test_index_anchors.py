"""The index takes positions from the `ast` tree; they must be libcst's positions."""

from __future__ import annotations

import sys

import pytest

from lambda_lint.index import summarize
from lambda_lint.index_anchors import Anchors
from lambda_lint.positions import Positions
from lambda_lint.source import SourceFile, parse_source

SOURCES = {
    "plain": """\
import os
import boto3 as b, json
from . import helpers
from .models import *
from pkg.sub import (
    first,
    second as other,
)

CLIENT = b.client("s3")
TABLE: str = os.environ["TABLE"]
a = b_ = helpers.make()
x, y = 1, 2

@helpers.decorate(helpers.option)
def handler(event, context):
    items = [json.loads(r["body"]) for r in event["Records"]]
    return helpers.process(items, client=CLIENT)(event)

class Service(helpers.Base):
    def save(self, item):
        self.table.put_item(Item=item)

        def inner():
            return json.dumps(item)

        return inner()
""",
    "unicode before nodes": """\
import json
NAME = "héllo wörld"; VALUE = json.dumps(NAME)
def handler(event, context):
    greeting = "ünïcode"; json.loads(greeting)
    return {"körper": json.dumps(event)}
""",
    "f-strings and lambdas": """\
import json
LOG = lambda value: json.dumps(value)
def handler(event, context):
    print(f"{json.dumps(event)} and {str(len(event))!r}")
    return f'''{
        json.dumps(
            event
        )
    }'''
""",
    "awkward layout": "import json\r\n"
    "def \\\n    handler(event, context):\r\n"
    "\treturn json.dumps(event)\r\n"
    "async def other(event, context):\n"
    "    return (json.loads)(event)\n"
    "if True: VALUE = len([])\n"
    "try:\n    import ujson\nexcept ImportError:\n    ujson = None\n",
    "nested calls": """\
import helpers
def handler(event, context):
    return helpers.outer(helpers.inner(event))(helpers.third())
""",
}


def _summaries(text: str):  # type: ignore[no-untyped-def]
    source = parse_source(text)
    assert isinstance(source, SourceFile)
    module = source.cst
    fast = summarize("app.py", module, Positions(module), source)
    slow = summarize("app.py", module, Positions(module))
    return fast, slow


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_positions_from_ast_are_libcsts(name: str) -> None:
    fast, slow = _summaries(SOURCES[name])
    assert fast == slow


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_starts_handed_to_the_check_stage_are_libcsts(name: str) -> None:
    source = parse_source(SOURCES[name])
    assert isinstance(source, SourceFile)
    positions = Positions(source.cst)
    summarize("app.py", source.cst, positions, source)
    assert positions._starts
    fresh = Positions(source.cst)
    assert {n: fresh.start(n) for n in positions._starts} == positions._starts


def test_plain_module_needs_no_code_generation() -> None:
    text = SOURCES["plain"]
    source = parse_source(text)
    assert isinstance(source, SourceFile)

    class Refusing(Positions):
        def span(self, node):  # type: ignore[no-untyped-def]
            raise AssertionError(f"libcst positions asked for {type(node).__name__}")

    if sys.version_info < (3, 10):
        pytest.skip("import aliases have no position of their own before Python 3.10")
    summary = summarize("app.py", source.cst, Refusing(source.cst), source)
    assert summary.functions["Service.save.<locals>.inner"].line == 24
    assert [(i.alias, i.line, i.column) for i in summary.imports][-2:] == [
        ("first", 6, 4),
        ("other", 7, 4),
    ]


def test_a_mismatch_falls_back_for_the_rest_of_the_file() -> None:
    source = parse_source("import json\njson.dumps(1)\njson.loads(2)\n")
    assert isinstance(source, SourceFile)
    anchors = Anchors(source.ast, source.text, Positions(source.cst))
    assert anchors._calls.take("json.loads") is None  # the first call is json.dumps
    assert anchors._calls.take("json.loads") is None
    assert anchors._calls.broken
