"""The value-flow engine on small handlers, through both front ends: what an expression
holds, what is known about it there, and where it came from.

Each snippet passes the values it wants to look at to `sink(...)`; the tests read the
refs of those arguments."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from typing import Callable

import pytest

from lambda_lint.flow import engine, from_ast, ir
from lambda_lint.flow.refs import (
    DERIVED,
    EMPTY,
    HAS_KEY,
    ITEM,
    JSON,
    UNKNOWN_KEY,
    Ref,
    Refs,
    origin_text,
)
from lambda_lint.flow.semantics import Semantics, default_semantics

EVENT = Ref("event", trigger="apigw-rest", origin=((None, "event"),))
CONTEXT = Ref("context")


def _qualifier(tree: ast.Module) -> Callable[[str], str]:
    """Resolve the snippet's own imports (the project model does this for real)."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                head = alias.name.split(".")[0]
                bound[alias.asname or head] = alias.name if alias.asname else head
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def qualify(dotted: str) -> str:
        head, _, rest = dotted.partition(".")
        return f"{bound[head]}.{rest}".rstrip(".") if head in bound else dotted

    return qualify


class Flow:
    """One snippet's first function, lowered and analysed."""

    def __init__(self, function: ir.Function, analysis: engine.Analysis) -> None:
        self.function = function
        self.analysis = analysis

    def calls(self, name: str) -> list[engine.CallRecord]:
        return [c for c in self.analysis.calls if c.call.name == name]

    def sink(self, number: int = 0, argument: int = 0) -> Refs:
        """The refs of an argument of the `number`th call to `sink`."""
        return self.calls("sink")[number].args.positional[argument]

    def only(self, number: int = 0) -> Ref:
        (ref,) = self.sink(number)
        return ref


def _lower(source: str) -> ir.Function:
    tree = ast.parse(source)
    node = next(n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))
    return from_ast.lower_function(node)


@pytest.fixture
def flow() -> Iterator[Callable[..., Flow]]:
    def analyse(
        source: str,
        *,
        semantics: Semantics | None = None,
        resolve_call: engine.CallResolver | None = None,
        module_env: Mapping[str, Refs] | None = None,
        constants: tuple[str, ...] = (),
        seeds: Mapping[str, Refs] | None = None,
    ) -> Flow:
        lowered = _lower(source)
        names = [p.name for p in lowered.params]
        default = {names[0]: frozenset({EVENT})} if names else {}
        if len(names) > 1:
            default[names[1]] = frozenset({CONTEXT})
        analysis = engine.analyse(
            lowered,
            seeds if seeds is not None else default,
            semantics=semantics or default_semantics(),
            qualify=_qualifier(ast.parse(source)),
            resolve_call=resolve_call,
            module_env=module_env,
            constants=constants,
        )
        return Flow(lowered, analysis)

    yield analyse


# -- what expressions hold ----------------------------------------------------------------


def test_reads_follow_keys_items_and_get(flow: Callable[..., Flow]) -> None:
    f = flow(
        "def handler(event, context):\n"
        "    for record in event['Records']:\n        sink(record['body'])\n"
        "    sink(event.get('q'), event.get('q', {}), event.get('q') or {})\n"
        "    sink(event[key], event['Records'][0], event['Records'][1:])\n"
        "    sink(context.aws_request_id)\n"
    )
    assert f.only().path == ("Records", ITEM, "body")
    assert {r.default for r in f.sink(1, 0)} == {"get"}
    assert {r.default for r in f.sink(1, 1)} == {"absent"}
    assert {r.default for r in f.sink(1, 2)} == {"null"}
    assert {r.path for r in f.sink(2, 0)} == {(UNKNOWN_KEY,)}
    assert {r.path for r in f.sink(2, 1)} == {("Records", ITEM)}
    assert {r.path for r in f.sink(2, 2)} == {("Records",)}
    assert {r.path for r in f.sink(3)} == {("aws_request_id",)}


def test_decoders_and_pass_throughs(flow: Callable[..., Flow]) -> None:
    f = flow(
        "import json, copy\nfrom base64 import b64decode\n"
        "def handler(event, context):\n"
        "    body = json.loads(event['body'])\n"
        "    sink(body['id'], copy.deepcopy(body), b64decode(event['data']).decode())\n"
        "    sink(event['body'].strip(), event['body'].upper())\n"
    )
    assert f.only().path == ("body", JSON, "id")
    assert {r.path for r in f.sink(0, 1)} == {("body", JSON)}
    assert {r.path for r in f.sink(0, 2)} == {("data", "<base64>")}
    assert {r.path for r in f.sink(1, 0)} == {("body",)}
    assert {r.path for r in f.sink(1, 1)} == {("body", DERIVED)}


def test_loop_targets_enumerate_zip_and_items(flow: Callable[..., Flow]) -> None:
    f = flow(
        "def handler(event, context):\n"
        "    for i, record in enumerate(event['Records']):\n        sink(i, record)\n"
        "    for name, value in event['headers'].items():\n        sink(value)\n"
        "    for a, b in zip(event['x'], event['y']):\n        sink(a, b)\n"
    )
    assert f.sink(0, 0) == EMPTY
    assert {r.path for r in f.sink(0, 1)} == {("Records", ITEM)}
    assert {r.path for r in f.sink(1)} == {("headers", UNKNOWN_KEY)}
    assert {r.path for r in f.sink(2, 0)} == {("x", ITEM)}
    assert {r.path for r in f.sink(2, 1)} == {("y", ITEM)}


def test_unpacking_pairs_up_a_display(flow: Callable[..., Flow]) -> None:
    f = flow(
        "def handler(event, context):\n"
        "    a, b = event['a'], 'constant'\n    c, d = event['pair']\n    sink(a, b, c)\n"
    )
    assert {r.path for r in f.sink(0, 0)} == {("a",)}
    assert f.sink(0, 1) == EMPTY
    assert {r.path for r in f.sink(0, 2)} == {("pair", DERIVED)}


def test_reassignment_replaces_what_a_name_held(flow: Callable[..., Flow]) -> None:
    f = flow(
        "import shlex\n"
        "def handler(event, context):\n"
        "    x = event['a']\n    x = 'fixed'\n    sink(x)\n"
        "    cmd = event['cmd']\n    cmd = shlex.quote(cmd)\n    sink(cmd)\n"
    )
    assert f.sink(0) == EMPTY
    assert f.only(1).labels == ("shell",)


def test_branches_join(flow: Callable[..., Flow]) -> None:
    f = flow(
        "def handler(event, context):\n"
        "    if event['flag']:\n        x = event['a']\n    else:\n        x = event['b']\n"
        "    sink(x)\n"
    )
    assert {r.path for r in f.sink(0)} == {("a",), ("b",)}


def test_comprehensions_have_their_own_scope(flow: Callable[..., Flow]) -> None:
    f = flow(
        "def handler(event, context):\n"
        "    record = 'outer'\n"
        "    bodies = [record['body'] for record in event['Records'] if record.get('body')]\n"
        "    sink(bodies, record)\n"
        "    sink([n for n in range(3)])\n"
    )
    assert {r.path for r in f.sink(0, 0)} == {("Records", ITEM, "body", DERIVED)}
    assert f.sink(0, 1) == EMPTY
    assert f.sink(1) == EMPTY


def test_module_level_names_read_the_module_environment(flow: Callable[..., Flow]) -> None:
    saved = frozenset({Ref("event", ("saved",), trigger="sqs")})
    f = flow(
        "def handler(event, context):\n    global LAST\n    sink(LAST, OTHER)\n    LAST = 1\n",
        module_env={"LAST": saved, "OTHER": saved},
    )
    assert f.sink(0, 0) == saved and f.sink(0, 1) == saved


# -- narrowing ------------------------------------------------------------------------------


def test_narrowing_in_both_branches(flow: Callable[..., Flow]) -> None:
    f = flow(
        "def handler(event, context):\n"
        "    params = event['queryStringParameters']\n"
        "    if params:\n        sink(params)\n    else:\n        sink(params)\n"
        "    if params is None:\n        sink(params)\n    else:\n        sink(params)\n"
        "    sink(params)\n"
    )
    assert f.only(0).not_none()
    assert not f.only(1).not_none()
    assert not f.only(2).not_none()
    assert f.only(3).not_none()
    assert not f.only(4).not_none()


def test_narrowing_after_an_early_exit(flow: Callable[..., Flow]) -> None:
    f = flow(
        "def handler(event, context):\n"
        "    if not event.get('body'):\n        return {'statusCode': 400}\n"
        "    sink(event['body'])\n"
        "    if event.get('pathParameters') is None:\n        raise ValueError()\n"
        "    sink(event['pathParameters'])\n"
    )
    assert f.only(0).not_none()
    assert f.only(1).not_none()


def test_narrowing_an_access_path_informs_every_name(flow: Callable[..., Flow]) -> None:
    f = flow(
        "def handler(event, context):\n"
        "    params = event.get('queryStringParameters')\n"
        "    if event.get('queryStringParameters'):\n        sink(params)\n"
    )
    assert f.only().not_none()


def test_and_or_not_and_walrus(flow: Callable[..., Flow]) -> None:
    f = flow(
        "def handler(event, context):\n"
        "    q = event.get('q')\n"
        "    if q and q['x']:\n        sink(q)\n"
        "    sink(q and q['y'])\n"
        "    if not q or q['z']:\n        sink(q)\n"
        "    if (p := event.get('p')) is not None and p['k']:\n        sink(p)\n"
        "    if q is None or not isinstance(q, dict):\n        return\n    sink(q)\n"
    )
    assert f.only(0).not_none()
    short_circuit = f.sink(1)
    assert {r.path for r in short_circuit} == {("q",), ("q", "y")}
    assert not f.only(2).not_none()
    assert f.only(3).not_none()
    assert f.only(4).not_none()


def test_membership_and_len_and_assert(flow: Callable[..., Flow]) -> None:
    f = flow(
        "def handler(event, context):\n"
        "    if 'Records' in event:\n        sink(event)\n"
        "    if 'x' not in event:\n        return\n    sink(event)\n"
        "    if len(event['items']) > 0:\n        sink(event['items'])\n"
        "    assert event['detail'] is not None\n    sink(event['detail'])\n"
    )
    assert f.only(0).knows(HAS_KEY, "Records") and f.only(0).present("Records")
    assert f.only(1).present("x") and not f.only(1).not_none("x")
    assert f.only(2).not_none()
    assert f.only(3).not_none()


def test_while_narrows_its_body(flow: Callable[..., Flow]) -> None:
    f = flow(
        "def handler(event, context):\n"
        "    token = event.get('next')\n"
        "    while token:\n        sink(token)\n        token = fetch(token)\n"
        "    sink(token)\n"
    )
    assert all(r.not_none() for r in f.sink(0) if r.root == "event")
    assert not any(r.not_none() for r in f.sink(1) if r.root == "event")


def test_try_except_key_error_protects_keys_not_nulls(flow: Callable[..., Flow]) -> None:
    f = flow(
        "def handler(event, context):\n"
        "    try:\n        sink(event)\n        value = event['a']\n"
        "    except KeyError:\n        value = None\n"
        "    sink(event, value)\n"
        "    try:\n        sink(event)\n    except (TypeError, KeyError):\n        pass\n"
    )
    inside = f.only(0)
    assert inside.present("a") and not inside.not_none("a")
    after = f.only(1)
    assert not after.present("a")
    assert not any(r.present() for r in f.sink(1, 1))
    assert f.only(2).not_none("a")


def test_loops_do_not_leak_facts_about_one_item(flow: Callable[..., Flow]) -> None:
    f = flow(
        "def handler(event, context):\n"
        "    for r in event['Records']:\n"
        "        if r['eventName'] == 'REMOVE':\n            continue\n"
        "        sink(r['dynamodb'])\n"
        "    sink(event)\n"
    )
    names = {"INSERT", "MODIFY", "REMOVE"}
    eventname = ("Records", ITEM, "eventName")
    assert f.only(0).possible(names, at=eventname) == {"INSERT", "MODIFY"}
    assert f.only(1).possible(names, at=eventname) == names


def test_equality_and_literal_membership_narrow_values(flow: Callable[..., Flow]) -> None:
    f = flow(
        "def handler(event, context):\n"
        "    for r in event['Records']:\n"
        "        if r['eventName'] in ('INSERT', 'MODIFY'):\n            sink(r)\n"
        "        if r['eventName'] != 'INSERT':\n            sink(r)\n"
    )
    names = {"INSERT", "MODIFY", "REMOVE"}
    eventname = ("Records", ITEM, "eventName")
    assert f.only(0).possible(names, at=eventname) == {"INSERT", "MODIFY"}
    assert f.only(1).possible(names, at=eventname) == {"MODIFY", "REMOVE"}


def test_dead_branches_are_not_analysed(flow: Callable[..., Flow]) -> None:
    f = flow("def handler(event, context):\n    if False:\n        sink(event)\n")
    assert f.sink(0) == EMPTY


# -- writes ---------------------------------------------------------------------------------


def test_writes_kill_facts_and_mark_the_key_written(flow: Callable[..., Flow]) -> None:
    f = flow(
        "def handler(event, context):\n"
        "    if event.get('q'):\n"
        "        event['q'] = compute()\n        sink(event, event['q'])\n"
        "    event.setdefault('s', {})\n    event.update({'u': 1}, v=2)\n"
        "    sink(event['s'], event['u'], event['v'], event['other'])\n"
    )
    assert not f.only(0).not_none("q")
    assert {r.labels for r in f.sink(0, 1)} == {("written",)}
    for argument in range(3):
        assert all("written" in r.labels for r in f.sink(1, argument))
    assert not any("written" in r.labels for r in f.sink(1, 3))


# -- taint: derived values, sanitisers, allow-lists, validators -----------------------------


def test_formatting_keeps_taint_with_its_origin(flow: Callable[..., Flow]) -> None:
    f = flow(
        "def handler(event, context):\n"
        "    name = event['name']\n"
        "    sink(f'SELECT {name}', 'SELECT %s' % name, 'SELECT {}'.format(name),\n"
        "         'SELECT ' + name, ','.join([name]))\n"
    )
    texts = [origin_text(next(iter(f.sink(0, a)))) for a in range(5)]
    assert texts == [
        "event -> event['name'] -> f-string",
        "event -> event['name'] -> %-formatting",
        "event -> event['name'] -> str.format(...)",
        "event -> event['name'] -> concatenation",
        "event -> event['name'] -> in a list -> str.join(...)",
    ]
    assert all(next(iter(f.sink(0, a))).path == ("name", DERIVED) for a in range(5))


def test_sanitisers_clean_only_their_kinds(flow: Callable[..., Flow]) -> None:
    f = flow(
        "import shlex, html, os\nfrom pathlib import Path\n"
        "def handler(event, context):\n"
        "    arg = shlex.quote(event['arg'])\n"
        "    sink(arg, f'ls {arg}', int(event['n']), html.escape(event['h']),\n"
        "         os.path.basename(event['p']), Path(event['f']).name)\n"
    )
    assert f.only().labels == ("shell",)
    assert next(iter(f.sink(0, 1))).labels == ("shell",)  # formatting keeps the label
    assert next(iter(f.sink(0, 2))).labels == ("all",)
    assert next(iter(f.sink(0, 3))).labels == ("html",)
    assert next(iter(f.sink(0, 4))).labels == ("path",)
    assert next(iter(f.sink(0, 5))).labels == ("path",)


def test_allow_list_membership_cleans_inside_the_check(flow: Callable[..., Flow]) -> None:
    f = flow(
        "ALLOWED = {'a', 'b'}\n"
        "def handler(event, context):\n"
        "    table = event['table']\n"
        "    if table in ('orders', 'users'):\n        sink(table, event['table'])\n"
        "    if table not in ALLOWED:\n        return\n    sink(table)\n"
        "    if event['other'] in choices():\n        sink(event['other'])\n",
        constants=("ALLOWED",),
    )
    assert {r.labels for r in f.sink(0, 0)} == {("all",)}
    assert {r.labels for r in f.sink(0, 1)} == {("all",)}
    assert {r.labels for r in f.sink(1)} == {("all",)}
    assert {r.labels for r in f.sink(2)} == {()}


def test_a_local_literal_allow_list(flow: Callable[..., Flow]) -> None:
    f = flow(
        "def handler(event, context):\n"
        "    allowed = ['a', 'b']\n    changing = ['a']\n    changing = load()\n"
        "    if event['x'] in allowed:\n        sink(event['x'])\n"
        "    if event['y'] in changing:\n        sink(event['y'])\n"
    )
    assert f.only(0).labels == ("all",)
    assert f.only(1).labels == ()


def test_validation_labels_the_validated_value(flow: Callable[..., Flow]) -> None:
    f = flow(
        "import json, jsonschema\n"
        "def handler(event, context):\n"
        "    body = json.loads(event['body'])\n"
        "    sink(body)\n    jsonschema.validate(body, SCHEMA)\n    sink(body, body['id'])\n"
    )
    assert f.only(0).labels == ()
    assert f.only(1).labels == ("validated",)
    assert next(iter(f.sink(1, 1))).labels == ("validated",)


def test_configured_sources_are_tracked() -> None:
    semantics = Semantics.load({"sources": [{"name": "flask.request.args"}]})
    tree = ast.parse("from flask import request\ndef view():\n    sink(request.args['q'])\n")
    lowered = from_ast.lower_function(tree.body[1])  # type: ignore[arg-type]
    analysis = engine.analyse(lowered, {}, semantics=semantics, qualify=_qualifier(tree))
    (record,) = [c for c in analysis.calls if c.call.name == "sink"]
    (ref,) = record.args.positional[0]
    assert ref.root == "source" and ref.trigger == "flask.request.args"
    assert ref.path == ("q",)


# -- calls into other functions -------------------------------------------------------------


def test_unknown_calls_derive_from_their_arguments_or_receiver(flow: Callable[..., Flow]) -> None:
    f = flow(
        "def handler(event, context):\n"
        "    sink(helper(event['a']), event['b'].split(','), client.get_item(Key=event['k']))\n"
    )
    assert {r.path for r in f.sink(0, 0)} == {("a", DERIVED)}
    assert {r.path for r in f.sink(0, 1)} == {("b", DERIVED)}
    assert {r.path for r in f.sink(0, 2)} == {("k", DERIVED)}


def test_resolve_call_answers_for_project_functions(flow: Callable[..., Flow]) -> None:
    seen: list[engine.CallArgs] = []

    def resolve(call: ir.Call, args: engine.CallArgs) -> Refs | None:
        if call.name != "parse":
            return None
        seen.append(args)
        return frozenset(r.extend("parsed") for r in args.positional[0])

    f = flow(
        "def handler(event, context):\n"
        "    if event.get('body'):\n        sink(parse(event['body'], strict=True))\n",
        resolve_call=resolve,
    )
    assert {r.path for r in f.sink(0)} == {("body", "parsed")}
    (args,) = seen
    assert all(r.not_none() for r in args.positional[0])  # facts reach the callee
    assert [k for k, _ in args.keywords] == ["strict"]


def test_facts_at_an_expression(flow: Callable[..., Flow]) -> None:
    f = flow("def handler(event, context):\n    if event.get('a'):\n        sink(event)\n")
    (record,) = f.calls("sink")
    facts = f.analysis.facts_at(record.call.args[0])
    assert (("a",), "not-none", None) in facts


def test_nothing_flows_without_seeds() -> None:
    tree = ast.parse("def f(x):\n    return x['a']\n")
    lowered = from_ast.lower_function(tree.body[0])  # type: ignore[arg-type]
    analysis = engine.analyse(lowered, {}, semantics=default_semantics())
    assert analysis.returns == EMPTY
    assert [c.args.positional for c in analysis.calls] == []
