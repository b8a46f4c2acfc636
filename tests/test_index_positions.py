"""The index reads CPython's `ast` tree; the positions it records must be libcst's, and
the check stage must find the libcst node of each call and function it records."""

from __future__ import annotations

import libcst as cst
import pytest

from lambda_lint.finding import Position
from lambda_lint.index import ModuleSummary, summarize
from lambda_lint.model.names import dotted_name
from lambda_lint.node_starts import NodeStarts
from lambda_lint.positions import code_ranges
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
    "continued imports and definitions": """\
from pkg import \\
    first, \\
    second as other
import a.b, \\
    c
async \\
def handler(event, context):
    return (other(event) if first(event) else {"k": c.d(event), "l": a.b.e()})
""",
}


def _source(name: str) -> SourceFile:
    source = parse_source(SOURCES[name])
    assert isinstance(source, SourceFile)
    return source


def _recorded(summary: ModuleSummary) -> dict[str, set[tuple[int, int, str]]]:
    calls = [*summary.init_calls, *(c for f in summary.functions.values() for c in f.calls)]
    return {
        "calls": {(c.line, c.column, c.target) for c in calls},
        "imports": {(i.line, i.column, i.alias) for i in summary.imports},
        "functions": {(f.line, f.column, f.name) for f in summary.functions.values()},
    }


def _libcsts(module: cst.Module) -> dict[str, set[tuple[int, int, str]]]:
    ranges = code_ranges(module)
    found: dict[str, set[tuple[int, int, str]]] = {"calls": set(), "imports": set()}
    found["functions"] = set()

    class Starts(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            name = dotted_name(node.func)
            if name is not None:
                found["calls"].add((*_start(node), name))

        def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
            bound = node.asname.name if node.asname is not None else node.name
            name = dotted_name(bound) or ""
            found["imports"].add((*_start(node), name if node.asname else name.split(".")[0]))

        def visit_ImportStar(self, node: cst.ImportStar) -> None:
            found["imports"].add((*_start(statement), "*"))

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            nonlocal statement
            statement = node

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            found["functions"].add((*_start(node.name), node.name.value))

    def _start(node: cst.CSTNode) -> tuple[int, int]:
        start = ranges[node].start
        return start.line, start.column

    statement: cst.CSTNode = module
    module.visit(Starts())
    return found


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_positions_read_off_ast_are_libcsts(name: str) -> None:
    source = _source(name)
    assert isinstance(source.cst, cst.Module)
    summary = summarize("app.py", source.ast, source.text)
    assert _recorded(summary) == _libcsts(source.cst)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_node_recorded_is_found_in_the_libcst_tree(name: str) -> None:
    source = _source(name)
    assert isinstance(source.cst, cst.Module)
    recorded = _recorded(summarize("app.py", source.ast, source.text))
    found = NodeStarts(source.cst, source.ast, source.text)
    for line, column, target in recorded["calls"]:
        node = found.at(line, column)
        assert isinstance(node, cst.Call) and dotted_name(node.func) == target
        assert found.start(node) == Position(line, column)
    for line, column, function in recorded["functions"]:
        node = found.at(line, column)
        assert isinstance(node, cst.Name) and node.value == function
    for line, column, _ in recorded["imports"]:
        assert isinstance(found.at(line, column), (cst.ImportAlias, cst.ImportFrom))


def test_flow_from_parameters_is_recorded_per_call_and_return() -> None:
    summary = summarize("app.py", _source("plain").ast, SOURCES["plain"])
    handler = summary.functions["handler"]
    loads = next(c for c in handler.calls if c.target == "json.loads")
    assert loads.args == (((0, ("Records", "*", "body")),),)
    process = next(c for c in handler.calls if c.target == "helpers.process")
    assert process.kwargs == (("client", ()),)
    save = summary.functions["Service.save"]
    put = next(c for c in save.calls if c.target == "self.table.put_item")
    assert put.kwargs == (("Item", ((1, ()),)),)


def test_a_call_the_libcst_tree_holds_differently_is_not_paired() -> None:
    source = parse_source("import json\njson.dumps(1)\njson.loads(2)\n")
    assert isinstance(source, SourceFile)
    other = cst.parse_module("import json\njson.loads(2)\njson.loads(3)\n")
    found = NodeStarts(other, source.ast, source.text)
    assert found.at(2, 0) is None and found.at(3, 0) is None
    assert isinstance(found.at(1, 7), cst.ImportAlias)  # the imports still pair up
