"""The IR keeps what the engine and the rules need (keys, call numbering, bound names,
the way back to syntax), and the same when it keeps only where each node was."""

from __future__ import annotations

import ast
import sys
import warnings
from pathlib import Path

import pytest

from lambda_lint.flow import from_ast, ir

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


def lowered_both_ways(source: str) -> tuple[list[object], list[ir.Function]]:
    """The module and each function and lambda in it, lowered keeping their `ast` nodes
    (as structures) and keeping spans (as functions)."""
    scopes = _ast_scopes(ast.parse(source))
    keep = from_ast.spans(Path("m.py"))
    kept = [ir.structure(from_ast.lower_function(n)) for n in scopes]  # type: ignore[arg-type]
    spanned = [from_ast.lower_function(n, keep) for n in scopes]  # type: ignore[arg-type]
    return kept, spanned


def assert_spans_keep_the_ir(source: str) -> int:
    """Lowering with spans gives the same IR, holding no syntax node, each span where its
    node is; the number of functions compared."""
    kept, spanned = lowered_both_ways(source)
    assert kept == [ir.structure(f) for f in spanned]
    tree = ast.parse(source)
    where = {
        (n.lineno, n.col_offset, n.end_lineno, n.end_col_offset)  # type: ignore[attr-defined]
        for n in ast.walk(tree)
        if hasattr(n, "lineno")
    }
    for function in spanned:
        for node in ir.walk(function):
            span = node.syntax
            assert span is None or isinstance(span, from_ast.Span), node
            if span is not None:
                assert span.path == Path("m.py")
                assert (span.lineno, span.col_offset, span.end_lineno, span.end_col_offset) in where
    return len(spanned)


@pytest.mark.parametrize("source", CORPUS)
def test_spans_keep_the_ir_of_the_corpus(source: str) -> None:
    assert assert_spans_keep_the_ir(source) >= 1


@pytest.mark.skipif(sys.version_info < (3, 10), reason="match needs Python 3.10")
def test_spans_keep_the_ir_of_match() -> None:
    assert assert_spans_keep_the_ir(MATCH) == 1


def _real_sources() -> list[Path]:
    """This project's rules and model, and the fixtures' handlers."""
    folders = (ROOT / "lambda_lint" / "rules", ROOT / "lambda_lint" / "model", ROOT / "fixtures")
    files = [f for folder in folders for f in sorted(folder.rglob("*.py"))]
    return [f for f in files if "broken" not in f.parts[-2]]


def test_spans_keep_the_ir_of_real_code() -> None:
    compared = 0
    for path in _real_sources():
        source = path.read_text(encoding="utf-8")
        try:
            compared += assert_spans_keep_the_ir(source)
        except SyntaxError:
            continue
    assert compared > 500


def test_fstrings_keep_their_literal_text() -> None:
    (first, second) = function_ir(
        "def f(a, c, w, x):\n    s(f'{a}' 'b' f'{c!r:>{w}}')\n    s(f'x={x}!')\n"
    ).calls[:2]
    built = [call.args[0] for call in (first, second)]
    assert all(isinstance(b, ir.FString) for b in built)
    assert [(b.text, b.leads, len(b.parts)) for b in built] == [("b", True, 3), ("x=!", False, 1)]


def function_ir(source: str) -> ir.Function:
    tree = ast.parse(source)
    return from_ast.lower_function(tree.body[0])  # type: ignore[arg-type]


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
    function = from_ast.lower_function(node)
    assert isinstance(function.body[0], ir.Return)
    assert [p.name for p in function.params] == ["event"]


def test_spans_keep_the_ir_of_generated_programs() -> None:
    """Programs generated from Python's grammar: whatever CPython parses lowers to the
    same IR with spans as with its nodes."""
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
        except (SyntaxError, ValueError):
            return
        assert_spans_keep_the_ir(source)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        agree()
