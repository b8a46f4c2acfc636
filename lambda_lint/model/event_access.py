"""Reads of the event, matched against the trigger's event shape.

An *access* is `container[key]`, `container.get(key)`, or a use of a value (a method
call on it, iteration): the rules of the LL4 family all start from one. The container's
refs (value flow) say which event path it holds and of which trigger; the catalogue
says what is at that path. When the container may hold paths of several triggers, or
of an unknown trigger, or a path the catalogue cannot follow (decoded payloads, derived
values), there is no access: the rules stay silent.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import libcst as cst

from lambda_lint.events.catalogue import EventShape, KeyInfo, shape_for, shape_from_json_schema
from lambda_lint.model.flow import JSON, Ref, Refs, literal_key, subscript_key
from lambda_lint.triggers import TRIGGERS

#: the custom resource request's field naming the presigned S3 URL CloudFormation waits
#: on for the answer
RESPONSE_URL = "ResponseURL"


def holds_response_url(refs: Refs) -> bool:
    """Whether a value holds a custom resource request's `ResponseURL`."""
    return any(r.root == "event" and r.path[:1] == (RESPONSE_URL,) for r in refs)


@dataclass(frozen=True)
class EventValue:
    """What an expression holds: one event path of one trigger."""

    #: the trigger id ("custom" for a direct invocation described by a user schema)
    trigger: str
    shape: EventShape
    path: tuple[str, ...]
    #: how the value was defaulted where it was read ("", "absent" or "null")
    default: str

    @property
    def info(self) -> KeyInfo | None:
        return self.shape.lookup(self.path)

    @property
    def title(self) -> str:
        known = TRIGGERS.get(self.trigger)
        return known.title if known else "schema-described"


#: triggers whose user schema describes `detail`, not the whole event
DETAIL_TRIGGERS = ("eventbridge", "schedule")


def _user_shape(schema: str) -> EventShape | None:
    try:
        stamp = os.stat(schema)
    except OSError:
        return None
    return _shape_of_file(schema, stamp.st_mtime_ns, stamp.st_size)


@lru_cache(maxsize=64)
def _shape_of_file(schema: str, mtime_ns: int, size: int) -> EventShape | None:
    """The shape of a schema file as of its stamp (an edited schema is read again)."""
    try:
        return shape_from_json_schema(json.loads(Path(schema).read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None


def shape_of(kind: str) -> tuple[str, EventShape] | None:
    """The trigger id and event shape for an event ref's tag (see `Handler.event_kind`)."""
    trigger, _, schema = kind.partition("|")
    if not schema:
        shape = shape_for(trigger)
        return (trigger, shape) if shape else None
    user = _user_shape(schema)
    if user is None:
        return None
    base = shape_for(trigger) if trigger in DETAIL_TRIGGERS else None
    return (trigger, base.with_value("detail", user) if base else user)


@dataclass(frozen=True)
class Access:
    """`container[key]` or `container.get(key)` on an event value."""

    node: cst.BaseExpression  # the Subscript or the Call
    container: EventValue
    key: str  # "*" for an integer index
    by_get: bool

    @property
    def path(self) -> tuple[str, ...]:
        return (*self.container.path, self.key)


RefsOf = Callable[[cst.CSTNode], Refs]


def event_value(refs_of: RefsOf, expression: cst.CSTNode) -> EventValue | None:
    """The single event path an expression holds, if the trigger is known and the path
    is one the catalogue can follow."""
    refs = refs_of(expression)
    events = {r for r in refs if r.root == "event"}
    if not events or len(events) != len(refs):
        return None
    paths = {r.path for r in events}
    triggers = {r.trigger for r in events}
    if len(paths) != 1 or len(triggers) != 1:
        return None
    ref: Ref = next(iter(events))
    if ref.trigger is None or not ref.exact:
        return None
    found = shape_of(ref.trigger)
    if found is None:
        return None
    defaults = {r.default for r in events}
    default = next((d for d in ("null", "absent", "get") if d in defaults), "")
    return EventValue(found[0], found[1], ref.path, default)


def carried_value(refs_of: RefsOf, expression: cst.CSTNode) -> EventValue | None:
    """The path an expression holds inside another trigger's event that arrived
    JSON-encoded in the event (an S3 notification decoded from an SQS message body), when
    the catalogue says which trigger's events that string carries and it is only one."""
    refs = refs_of(expression)
    if len(refs) != 1:
        return None
    ref = next(iter(refs))
    if ref.root != "event" or ref.trigger is None or JSON not in ref.path:
        return None
    split = ref.path.index(JSON)
    inner = ref.path[split + 1 :]
    outer = shape_of(ref.trigger)
    if outer is None or JSON in inner or not Ref("event", inner).exact:
        return None
    info = outer[1].lookup(ref.path[:split])
    carried = info.carries if info is not None else ()
    shape = shape_for(carried[0]) if len(carried) == 1 else None
    if shape is None:
        return None
    return EventValue(carried[0], shape, inner, ref.default)


def access_of(refs_of: RefsOf, node: cst.CSTNode) -> Access | None:
    """The event access `node` is, if it is one."""
    if type(node) is cst.Subscript:  # not isinstance: see `walk.node_types`
        key = subscript_key(node)
        if key is None:
            return None
        container = event_value(refs_of, node.value)
        return Access(node, container, key, False) if container else None
    if (
        type(node) is cst.Call
        and type(node.func) is cst.Attribute
        and node.func.attr.value == "get"
        and node.args
    ):
        key = literal_key(node.args[0].value)
        if key is None:
            return None
        container = event_value(refs_of, node.func.value)
        return Access(node, container, key, True) if container else None
    return None
