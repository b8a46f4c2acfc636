"""The two front ends lower the same source to the same IR, and the IR keeps what the
engine and the rules need (keys, call numbering, bound names, the way back to syntax)."""

from __future__ import annotations

import ast
import sys
import warnings
from pathlib import Path

import libcst as cst
import pytest

from lambda_lint.flow import from_ast, from_cst, ir

ROOT = Path(__file__).resolve().parents[1]

CORPUS = [
    # assignments, targets, augmented assignment, annotations
    "a = b = c\nx, *y = z\n(p, q) = [r, s]\nd[k] = v\no.attr += 1\nn: int = 3\nm: str\n",
    # boolean operators: n-ary, nested, parenthesised, mixed
    "a and b and c\n(a and b) and c\na and (b and c)\na or b and c or d\nnot a or not (b and c)\n",
    # comparisons, chained; unary and binary operators
    "a < b <= c != d\nx is not None\nk not in d\n-1\n+x\n~y\na ** -b // c % d @ e << 1 >> 2 | 3 & 4 ^ 5\n",
    # strings: concatenation, bytes, f-strings with specs and conversions, escapes
    "'a' 'b'\nb'x' b'y'\nf'{a}' 'b' f'{c!r:>{w}}'\nr'\\d' '\\n'\n'''t\nu'''\nf'{x=}'\n",
    # subscripts and slices
    "x['k']\nx[0]\nx[-1]\nx[a:b]\nx[::2]\nx[a, b]\nx[a:b, c]\nx[(a, b)]\nx[a,]\n",
    # calls: positional, starred, keywords, double-starred, nested, generator argument
    "f(a, *b, c=1, **d)\ng(k=h(), *i())\nf(x for x in y)\no.m(1)(2)\n",
    # displays and comprehensions
    "[1, *a]\n(1,)\n{1, 2}\n{'a': 1, **b}\n[x for x in y if x if z for w in x]\n"
    "{k: v for k, v in d.items()}\n{s for s in t}\n(g async for g in h)\n",
    # control flow
    "if a:\n    pass\nelif b:\n    x = 1\nelse:\n    y = 2\n"
    "while c:\n    break\nelse:\n    continue_ = 1\n"
    "for i, j in enumerate(k):\n    continue\nelse:\n    pass\n",
    "try:\n    a()\nexcept (KeyError, x.Error) as e:\n    raise ValueError() from e\n"
    "except Exception:\n    raise\nexcept:\n    pass\nelse:\n    b()\nfinally:\n    c()\n",
    "with open(p) as f, lock:\n    pass\nassert x, 'message'\ndel a, b[0]\ndel (c, d)\n",
    "global g\nimport os.path, json as j\nfrom . import sibling\nfrom ..pkg.mod import name as alias, other\n"
    "from x import *\n",
    # nested definitions: opaque, their decorators and defaults belong to the parent
    "@decorate(a)\ndef inner(x, y=d1, *args, z=d2, **kw):\n    return x\n"
    "class C(Base, *bases, metaclass=M):\n    attr = 1\nl = lambda q=1: q\n",
    # expressions that bind or suspend
    "async def f():\n    await g()\n    yield\n    yield from h\n    return [y := 1, y]\n",
    "if (n := len(a)) > 10:\n    pass\nx = a if b else c\n...\nNone, True, False\n1.5, 2j, 0x1F, 1_000\n",
    # identifiers are NFKC-normalised (\u0132 is the ligature IJ, \ufb01 the ligature fi)
    "import a.\u0132 as \u0132\n\u0132 = x.\u0132(\ufb01=2)\ndef \ufb01(\u0133):\n    global \u0132\n",
]
MATCH = (
    "match command:\n"
    "    case {'action': 'go', 'to': where, **rest} if where:\n        go(where, rest)\n"
    "    case [first, *others] | (first, *others):\n        pass\n"
    "    case Point(x=0, y=py) as point:\n        pass\n"
    "    case _:\n        pass\n"
)


SCOPES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _ast_scopes(node: ast.AST) -> list[ast.AST]:
    """The module and every function and lambda in it."""
    found = [node] if isinstance(node, SCOPES) else []
    for child in ast.iter_child_nodes(node):
        found += _ast_scopes(child)
    return found


def _cst_scopes(node: cst.CSTNode) -> list[cst.CSTNode]:
    found = [node] if isinstance(node, (cst.Module, cst.FunctionDef, cst.Lambda)) else []
    for child in node.children:
        found += _cst_scopes(child)
    return found


def lowered_pair(source: str) -> tuple[list[object], list[object]]:
    """The IR of the module and of each function and lambda in it, by either front
    end (sorted: the parsers list nested definitions in different orders)."""
    by_ast = [
        ir.structure(from_ast.lower_function(n).function)  # type: ignore[arg-type]
        for n in _ast_scopes(ast.parse(source))
    ]
    by_cst = [
        ir.structure(from_cst.lower_function(n).function)  # type: ignore[arg-type]
        for n in _cst_scopes(cst.parse_module(source))
    ]
    return sorted(by_ast, key=repr), sorted(by_cst, key=repr)


@pytest.mark.parametrize("source", CORPUS)
def test_front_ends_agree_on_the_corpus(source: str) -> None:
    by_ast, by_cst = lowered_pair(source)
    assert by_ast == by_cst


@pytest.mark.skipif(sys.version_info < (3, 10), reason="match needs Python 3.10")
def test_front_ends_agree_on_match() -> None:
    by_ast, by_cst = lowered_pair(MATCH)
    assert by_ast == by_cst


def _real_sources() -> list[Path]:
    """This project's rules and model, and the fixtures' handlers."""
    folders = (ROOT / "lambda_lint" / "rules", ROOT / "lambda_lint" / "model", ROOT / "fixtures")
    files = [f for folder in folders for f in sorted(folder.rglob("*.py"))]
    return [f for f in files if "broken" not in f.parts[-2]]


def test_front_ends_agree_on_real_code() -> None:
    compared = 0
    for path in _real_sources():
        source = path.read_text(encoding="utf-8")
        try:
            by_ast, by_cst = lowered_pair(source)
        except (SyntaxError, cst.ParserSyntaxError):
            continue
        assert by_ast == by_cst, path
        compared += len(by_ast)
    assert compared > 500


def function_ir(source: str) -> ir.Function:
    tree = ast.parse(source)
    return from_ast.lower_function(tree.body[0]).function  # type: ignore[arg-type]


def test_a_function_knows_its_parameters_locals_and_calls() -> None:
    function = function_ir(
        "def handler(event, context, /, mode='x', *args, key, **extra):\n"
        "    global CACHE\n    body = parse(event['body'])\n    CACHE = store(body)\n"
        "    [item for item in body]\n    return respond(body)\n"
    )
    assert [(p.name, p.kind, p.has_default) for p in function.params] == [
        ("event", "posonly", False),
        ("context", "posonly", False),
        ("mode", "positional", True),
        ("args", "vararg", False),
        ("key", "kwonly", False),
        ("extra", "varkw", False),
    ]
    assert function.local == {"event", "context", "mode", "args", "key", "extra", "body"}
    assert function.declared_global == {"CACHE"}
    assert [c.name for c in function.calls] == ["parse", "store", "respond"]
    assert [c.index for c in function.calls] == [0, 1, 2]


def test_literal_keys_are_kept() -> None:
    function = function_ir("def f(x):\n    return x['a' 'b'], x[0], x[-2], x[k], x[1:]\n")
    returned = function.body[0].value  # type: ignore[attr-defined]
    assert [(s.key, s.slice) for s in returned.elements] == [
        ("ab", False),
        (0, False),
        (-2, False),
        (None, False),
        (None, True),
    ]


def test_cst_nodes_map_back_to_their_ir() -> None:
    module = cst.parse_module("def f(event):\n    g(event['a'], k=('x' 'y'))\n")
    function = module.body[0]
    assert isinstance(function, cst.FunctionDef)
    lowered = from_cst.lower_function(function)
    call = function.body.body[0].body[0].value  # type: ignore[attr-defined]
    first, keyword = call.args
    assert isinstance(lowered.ir_of(call), ir.Call)
    assert isinstance(lowered.ir_of(first), ir.Subscript)  # the Arg wrapper
    assert isinstance(lowered.ir_of(first.value.value), ir.Name)  # `event` in event['a']
    assert lowered.ir_of(keyword) is not None
    piece = keyword.value.left
    assert isinstance(lowered.ir_of(piece), ir.Const)  # a piece of "x" "y"
    assert lowered.ir_of(function.body) is None  # not an expression


def test_ast_nodes_map_back_to_their_ir() -> None:
    tree = ast.parse("def f(event):\n    return event['a']\n")
    lowered = from_ast.lower_function(tree.body[0])  # type: ignore[arg-type]
    subscript = tree.body[0].body[0].value  # type: ignore[attr-defined]
    assert isinstance(lowered.ir_of(subscript), ir.Subscript)
    assert lowered.ir_of(subscript).key == "a"  # type: ignore[union-attr]


def test_nested_functions_are_opaque() -> None:
    function = function_ir(
        "def outer(x):\n    @deco(x)\n    def inner(y=x['d']):\n        return y['secret']\n"
        "    return inner\n"
    )
    nested = function.body[0]
    assert isinstance(nested, ir.FunctionDef)
    assert len(nested.decorators) == 1 and len(nested.defaults) == 1
    assert not any(isinstance(n, ir.Subscript) and n.key == "secret" for n in ir.walk(function))


def test_lambdas_lower_to_a_return() -> None:
    tree = ast.parse("lambda event: event['a']")
    node = tree.body[0].value  # type: ignore[attr-defined]
    function = from_ast.lower_function(node).function
    assert isinstance(function.body[0], ir.Return)
    assert [p.name for p in function.params] == ["event"]


def test_front_ends_agree_on_generated_programs() -> None:
    """Programs generated from Python's grammar: whatever both parsers accept lowers to
    the same IR."""
    hypothesmith = pytest.importorskip("hypothesmith")
    from hypothesis import HealthCheck, given, settings

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(hypothesmith.from_grammar())
    def agree(source: str) -> None:
        try:
            ast.parse(source)
            cst.parse_module(source)
        except (SyntaxError, ValueError, cst.ParserSyntaxError):
            return
        by_ast, by_cst = lowered_pair(source)
        assert by_ast == by_cst, source

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        agree()
