"""Reads of the event, matched against the trigger's event shape.

An *access* is `container[key]`, `container.get(key)`, or a use of a value (a method
call on it, iteration): the rules of the LL4 family all start from one. The container's
refs (value flow) say which event path it holds and of which trigger; the catalogue
says what is at that path. When the container may hold paths of several triggers, or
of an unknown trigger, or a path the catalogue cannot follow (decoded payloads, derived
values), there is no access: the rules stay silent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import libcst as cst

from lambda_lint.events.catalogue import EventShape, KeyInfo, shape_for
from lambda_lint.model.flow import Ref, Refs, literal_key, subscript_key
from lambda_lint.triggers import TRIGGERS


@dataclass(frozen=True)
class EventValue:
    """What an expression holds: one event path of one trigger."""

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
        return TRIGGERS[self.trigger].title


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
    shape = shape_for(ref.trigger)
    if shape is None:
        return None
    defaults = {r.default for r in events}
    default = "null" if "null" in defaults else ("absent" if "absent" in defaults else "")
    return EventValue(ref.trigger, shape, ref.path, default)


def access_of(refs_of: RefsOf, node: cst.CSTNode) -> Access | None:
    """The event access `node` is, if it is one."""
    if isinstance(node, cst.Subscript):
        key = subscript_key(node)
        if key is None:
            return None
        container = event_value(refs_of, node.value)
        return Access(node, container, key, False) if container else None
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "get"
        and node.args
    ):
        key = literal_key(node.args[0].value)
        if key is None:
            return None
        container = event_value(refs_of, node.func.value)
        return Access(node, container, key, True) if container else None
    return None
