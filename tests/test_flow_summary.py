"""Function summaries: what a function does with its parameters, as plain data, and a
caller's values going through it (across functions, with facts and origins)."""

from __future__ import annotations

import ast
import pickle
from dataclasses import fields, is_dataclass

from lambda_lint.flow import from_ast
from lambda_lint.flow.engine import CallArgs
from lambda_lint.flow.refs import DERIVED, EMPTY, ITEM, Ref, Refs, origin_text
from lambda_lint.flow.semantics import default_semantics
from lambda_lint.flow.summary import (
    CallFlow,
    FunctionFlowSummary,
    Instance,
    arguments_to_parameters,
    passed,
    summarise,
)

SOURCE = """\
import shlex


def handler(event, context):
    for record in event["Records"]:
        if record.get("body"):
            process(record, mode="fast")


def process(record, mode):
    body = record["body"]
    query = f"SELECT * FROM t WHERE id = {body}"
    cursor.execute(query)
    run(shlex.quote(body))
    item = load(body)
    return item["name"]


def load(key):
    return fetch(key)
"""


def summaries() -> dict[str, FunctionFlowSummary]:
    tree = ast.parse(SOURCE)
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            function = from_ast.lower_function(node).function
            found[node.name] = summarise(
                function,
                semantics=default_semantics(),
                qualify=lambda d: d,
                path="app.py",
            )
    return found


def call(summary: FunctionFlowSummary, target: str) -> CallFlow:
    return next(c for c in summary.calls if c.target == target)


def test_a_summary_says_which_parameter_paths_reach_each_call() -> None:
    process = summaries()["process"]
    assert process.params == (("record", "positional"), ("mode", "positional"))
    (query,) = call(process, "cursor.execute").args[0]
    assert (query.root, query.index, query.path) == ("param", 0, ("body", DERIVED))
    (quoted,) = call(process, "run").args[0]
    assert quoted.labels == ("shell",)
    (key,) = call(process, "load").args[0]
    assert key.path == ("body",)


def test_calls_whose_result_flows_on_are_call_refs() -> None:
    process = summaries()["process"]
    load = call(process, "load")
    (returned,) = process.returns
    assert (returned.root, returned.index, returned.path) == ("call", load.index, ("name",))


def test_facts_known_at_a_call_site_are_in_the_summary() -> None:
    handler = summaries()["handler"]
    (record,) = call(handler, "process").args[0]
    assert record.path == ("Records", ITEM)
    assert record.not_none("body")
    assert [k for k, _ in call(handler, "process").keywords] == ["mode"]


def _plain(value: object) -> bool:
    if isinstance(value, (str, int, type(None))):
        return True
    if isinstance(value, tuple):
        return all(_plain(v) for v in value)
    if is_dataclass(value):
        return all(_plain(getattr(value, f.name)) for f in fields(value))
    return False


def test_summaries_are_plain_data() -> None:
    for summary in summaries().values():
        assert _plain(summary), summary
        assert pickle.loads(pickle.dumps(summary)) == summary
    (record,) = call(summaries()["handler"], "process").args[0]
    assert record.origin[-1] == (("app.py", 5, 18), "event['Records']")


def _instantiate(name: str, seeds: dict[int, Refs]) -> Instance:
    """A summary applied to actual values, following calls into the other summaries."""
    known = summaries()

    def result_of(site: CallFlow, args: CallArgs) -> Refs | None:
        callee = known.get(site.target or "")
        if callee is None:
            return None
        received = arguments_to_parameters(callee.params, args)
        return Instance(callee, received, result_of).returns()

    return Instance(known[name], seeds, result_of)


EVENT = Ref("event", trigger="sqs", origin=((("app.py", 4, 12), "event"),))


def test_values_go_through_a_chain_of_functions_with_their_facts() -> None:
    known = summaries()
    handler = _instantiate("handler", {0: frozenset({EVENT})})
    site = call(known["handler"], "process")
    args = handler.args(site.index)
    received = arguments_to_parameters(known["process"].params, args)
    record = passed(received[0], ("app.py", site.line, site.column), "process", "record")
    process = _instantiate("process", {0: record})
    (query,) = process.args(call(known["process"], "cursor.execute").index).positional[0]
    assert query.root == "event" and query.trigger == "sqs"
    assert query.path == ("Records", ITEM, "body", DERIVED)
    assert origin_text(query) == (
        "event -> event['Records'] -> passed to process() as `record` -> record['body'] -> f-string"
    )
    (body,) = process.args(call(known["process"], "load").index).positional[0]
    assert body.not_none()  # the caller's check travelled into the callee


def test_call_results_compose_through_summaries_or_derive() -> None:
    known = summaries()
    process = _instantiate("process", {0: frozenset({EVENT.extend("detail")})})
    (returned,) = process.returns()
    # load() returns fetch(key): unknown, so derived from the key; then ["name"]
    assert returned.path == ("detail", "body", DERIVED)
    lone = Instance(known["process"], {0: frozenset({EVENT})})
    assert {r.path for r in lone.returns()} == {("body", DERIVED)}


def test_arguments_map_onto_parameters() -> None:
    a, b, c = (frozenset({EVENT.extend(k)}) for k in "abc")
    params = (("self", "positional"), ("x", "positional"), ("y", "positional"), ("z", "kwonly"))
    args = CallArgs((a, b), (False, False), (("z", c), ("other", c)))
    assert arguments_to_parameters(params, args, offset=1) == {1: a, 2: b, 3: c}
    starred = CallArgs((a, b), (True, False))
    assert arguments_to_parameters(params, starred) == {}
    assert arguments_to_parameters(params, CallArgs((EMPTY,), (False,))) == {}


def test_a_function_without_parameters_passes_nothing_on() -> None:
    """Nothing a caller gives can reach its calls or its result; its calls are listed."""
    tree = ast.parse("def tick():\n    return record(clock()['now'])\n")
    function = from_ast.lower_function(tree.body[0]).function  # type: ignore[arg-type]
    summary = summarise(function, semantics=default_semantics())
    assert summary.returns == ()
    assert [(c.target, c.args) for c in summary.calls] == [("clock", ()), ("record", ((),))]
