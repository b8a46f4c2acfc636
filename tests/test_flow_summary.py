"""What a function's parameters are to the value flow, and a caller's values going
into a callee (with the step in their origin)."""

from __future__ import annotations

import ast

from lambda_lint.flow import from_ast
from lambda_lint.flow.engine import CallArgs
from lambda_lint.flow.refs import EMPTY, Ref, origin_text
from lambda_lint.flow.summary import arguments_to_parameters, passed, symbolic_seeds

EVENT = Ref("event", trigger="sqs", origin=((("app.py", 4, 12), "event"),))


def test_symbolic_seeds_stand_for_the_parameters_arguments_map_onto() -> None:
    tree = ast.parse("def f(a, /, b, *rest, c, **extra):\n    pass\n")
    function = from_ast.lower_function(tree.body[0])  # type: ignore[arg-type]
    seeds = symbolic_seeds(function)
    assert {name: [(r.root, r.index) for r in refs] for name, refs in seeds.items()} == {
        "a": [("param", 0)],
        "b": [("param", 1)],
        "c": [("param", 3)],
    }


def test_arguments_map_onto_parameters() -> None:
    a, b, c = (frozenset({EVENT.extend(k)}) for k in "abc")
    params = (("self", "positional"), ("x", "positional"), ("y", "positional"), ("z", "kwonly"))
    args = CallArgs((a, b), (False, False), (("z", c), ("other", c)))
    assert arguments_to_parameters(params, args, offset=1) == {1: a, 2: b, 3: c}
    starred = CallArgs((a, b), (True, False))
    assert arguments_to_parameters(params, starred) == {}
    assert arguments_to_parameters(params, CallArgs((EMPTY,), (False,))) == {}


def test_a_value_passed_on_shows_the_step_into_the_callee() -> None:
    (record,) = passed(frozenset({EVENT.extend("Records")}), ("app.py", 6, 12), "process", "r")
    assert record.path == ("Records",)
    assert origin_text(record) == "event -> passed to process() as `r`"
