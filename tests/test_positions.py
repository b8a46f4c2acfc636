"""Positions placed from the `ast` tree are libcst's own: every node of a module gets the
span `PositionProvider` gives it over the whole module."""

from __future__ import annotations

import sys

import libcst as cst
import pytest

from lambda_lint.finding import Position
from lambda_lint.positions import Positions, code_ranges
from lambda_lint.source import SourceFile, parse_source
from lambda_lint.walk import descendants

SOURCES = {
    "blocks": """\
# a header comment

import os; import json

@decorate  # why
# between decorators
@other(
    option=1,
)
async def handler(event, context):
    if event.get("a"):
        return 1
    elif event.get("b") == 2:  # an elif
        return {
            "nested": [
              event["c"],
            ],
        }
    else:
        pass
    for item in event.get("items", []):
        with open(item) as handle, open("x"):
            x = handle.read(); y = x + \\
                "more"
    while not os.environ.get("X"):
        break
    try:
        import missing
    except ImportError as error:
        print(error)
    finally:
        print("done")


class Model(Base, metaclass=Meta):
    field: int = 1

    def method(self):
        if self: print("one line"); return 2
""",
    "tabs and text": "def f():\n\tif x:\n\t\treturn 'é' + g(\n\t\t  'ü')\n\n\n# end\n",
    "carriage returns": "import os\r\ndef f():\r\n    return os.getcwd()\r\n",
    "no final newline": "def f():\n    return g(1)",
    "statement lines": (
        "import os;  # a trailing semicolon\n"
        "def f():\n"
        '    x = (1 ,\n         "é") ; y = 2 ;\n'
        "    if x:\n"
        '        z = {\n  "k": "ü",\n        }  # closing\n'
        "    del x \\\n        ; pass\n"
        "    return z\n"
    ),
}
# more lines asked for than `LINES_PER_STATEMENT` measured alone, before the whole
SOURCES["long function"] = "def f(x):\n" + "".join(f"    y{i} = g(x, f'{i}')\n" for i in range(80))
if sys.version_info >= (3, 10):
    SOURCES["match"] = (
        "class C:\n"
        "    def f(self, command):\n"
        "        match command.split():\n"
        "            case [action, obj] if obj.get('x'):\n"
        "                return action\n"
        "            case _:\n"
        "                return None\n"
    )


def _source(text: str) -> SourceFile:
    source = parse_source(text)
    assert isinstance(source, SourceFile)
    return source


@pytest.mark.parametrize("name", SOURCES)
def test_every_node_gets_libcsts_span(name: str) -> None:
    source = _source(SOURCES[name])
    module = source.cst
    assert isinstance(module, cst.Module)
    expected = code_ranges(module)
    positions = Positions(module, source)
    for node in descendants(module):
        where = expected[node]
        start = Position(where.start.line, where.start.column)
        end = Position(where.end.line, where.end.column)
        assert positions.span(node) == (start, end), (type(node).__name__, node)
        assert positions.start(node) == start, (type(node).__name__, node)


def test_without_the_ast_tree_positions_are_the_same() -> None:
    source = _source(SOURCES["blocks"])
    module = source.cst
    assert isinstance(module, cst.Module)
    with_tree = Positions(module, source)
    without = Positions(module)
    for node in descendants(module):
        assert without.span(node) == with_tree.span(node)
