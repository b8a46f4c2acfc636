"""Refs: places, facts about places, labels, origins, and composing summary refs."""

from __future__ import annotations

import pickle

from lambda_lint.flow.refs import (
    CAUGHT,
    DERIVED,
    EQ,
    HAS_KEY,
    ITEM,
    JSON,
    LABEL,
    MAX_ORIGIN,
    MAX_PATH,
    NE,
    NOT_NONE,
    ONE_OF,
    UNKNOWN_KEY,
    WRITTEN,
    Ref,
    merge,
    origin_text,
)

EVENT = Ref("event", trigger="sqs")


def test_extend_walks_down_and_stops_at_derived() -> None:
    body = EVENT.extend("Records", ITEM, "body")
    assert body.path == ("Records", ITEM, "body")
    assert body.trigger == "sqs"
    assert body.extend(DERIVED).extend("x").path == ("Records", ITEM, "body", DERIVED)
    deep = EVENT.extend(*[f"k{i}" for i in range(MAX_PATH + 3)])
    assert deep.path[-1] == DERIVED and len(deep.path) == MAX_PATH + 1


def test_exact_and_placed() -> None:
    assert EVENT.extend("body").exact
    decoded = EVENT.extend("body", JSON, "id")
    assert not decoded.exact and decoded.placed
    assert not EVENT.extend(UNKNOWN_KEY).placed
    assert not EVENT.extend("body", DERIVED).placed


def test_defaults_are_reset_by_a_further_step() -> None:
    read = EVENT.extend("queryStringParameters").defaulted("get")
    assert read.default == "get"
    assert read.extend("q").default == ""


def test_facts_are_about_places_and_survive_extension() -> None:
    event = EVENT.with_fact(("body",), NOT_NONE)
    assert event.not_none("body") and event.present("body")
    body = event.extend("body")
    assert body.not_none() and not body.not_none("x")
    # a sibling's fact stays visible further down (DynamoDB eventName checks)
    record = EVENT.extend("Records", ITEM).with_fact(("Records", ITEM, "eventName"), NE, "REMOVE")
    image = record.extend("dynamodb", "NewImage")
    domain = {"INSERT", "MODIFY", "REMOVE"}
    assert image.possible(domain, at=("Records", ITEM, "eventName")) == {"INSERT", "MODIFY"}


def test_presence_and_none() -> None:
    has = EVENT.with_fact(("headers",), HAS_KEY)
    assert has.present("headers") and not has.not_none("headers")
    checked_below = EVENT.with_fact(("pathParameters", "id"), HAS_KEY)
    assert checked_below.not_none("pathParameters")  # `"id" in x` raises on None
    assert not EVENT.present("body") and not EVENT.not_none("body")


def test_caught_errors_protect_keys_not_nulls() -> None:
    key_error = EVENT.with_fact((), CAUGHT, "KeyError")
    assert key_error.present("anything")
    assert not key_error.not_none("anything")
    broad = EVENT.with_fact((), CAUGHT, "Exception")
    assert broad.present("x") and broad.not_none("x")


def test_equality_facts_narrow_possible_values() -> None:
    name = EVENT.extend("eventName")
    domain = {"INSERT", "MODIFY", "REMOVE"}
    assert name.with_fact(("eventName",), EQ, "INSERT").possible(domain) == {"INSERT"}
    assert name.with_fact(("eventName",), ONE_OF, ("INSERT", "MODIFY")).possible(domain) == {
        "INSERT",
        "MODIFY",
    }
    assert name.possible(domain) == domain


def test_label_facts_become_labels_where_they_hold() -> None:
    allowed = EVENT.with_fact(("cmd",), LABEL, "all")
    assert "all" not in allowed.labels
    assert "all" in allowed.extend("cmd").labels
    assert "all" not in allowed.extend("other").labels
    written = EVENT.with_fact(("user",), WRITTEN)
    assert "written" in written.extend("user", "name").labels


def test_facts_can_be_forgotten_below_a_place() -> None:
    event = EVENT.with_fact(("a", "b"), NOT_NONE).with_fact(("c",), NOT_NONE)
    forgot = event.without_facts(below=("a",))
    assert not forgot.not_none("a", "b") and forgot.not_none("c")


def test_origin_is_not_part_of_identity() -> None:
    one = EVENT.extend("body").step((("app.py", 3, 4)), "event['body']")
    other = EVENT.extend("body")
    assert one == other and hash(one) == hash(other)
    assert {one, other} == {other}
    assert origin_text(one) == "event['body']"


def test_origin_is_bounded_and_keeps_where_it_started() -> None:
    ref = EVENT.step(("f", 1, 0), "event")
    for number in range(20):
        ref = ref.step(("f", number + 2, 0), f"step {number}")
    assert len(ref.origin) == MAX_ORIGIN
    assert ref.origin[0][1] == "event" and ref.origin[-1][1] == "step 19"


def test_derive_keeps_labels_and_drops_place_facts() -> None:
    quoted = EVENT.extend("cmd").with_fact(("cmd",), NOT_NONE).labelled("shell")
    derived = quoted.derive(("f", 1, 0), "f-string")
    assert derived.path == ("cmd", DERIVED)
    assert derived.labels == ("shell",) and not derived.facts
    assert origin_text(derived) == "f-string"


def test_refs_pickle_and_stay_equal() -> None:
    ref = EVENT.extend("body").with_fact(("body",), NOT_NONE).labelled("sql")
    assert pickle.loads(pickle.dumps(ref)) == ref


def test_merge_keeps_the_facts_every_path_has() -> None:
    both = EVENT.with_fact(("a",), NOT_NONE).with_fact(("b",), NOT_NONE)
    one = EVENT.with_fact(("a",), NOT_NONE).with_fact(("w",), WRITTEN)
    (merged,) = merge(frozenset({both, one}))
    assert merged.not_none("a") and not merged.not_none("b")
    assert merged.knows(WRITTEN, "w")  # written on some path: the key may be the code's
    different = frozenset({EVENT.extend("a"), EVENT.extend("b")})
    assert merge(different) == different
