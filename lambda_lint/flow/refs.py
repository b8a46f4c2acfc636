"""`Ref`: one value the engine tracks, where it came from, and what is known about it.

A ref names a place — a *root* plus an access *path* — and carries:

- `root`: "event" (the invocation's event; `trigger` says of which trigger), "context"
  (the Lambda context), "param" (symbolically, parameter `index` of the function being
  summarised), "source" (a configured source of untrusted data; `trigger` names it), or another
  name a caller seeds (a rule may track its own roots);
- `path`: the steps from the root: dict keys, `*` (a list item), `?` (some key not
  known statically), `~` (derived: computed from the value, shape unknown; nothing
  follows it), and the decoders `<json>`, `<base64>`, `<unquoted>`;
- `default`: how the last step was read: "" by subscript, "get" by `.get(key)` (None
  when the key is missing), "absent" by `.get(key, default)` (a missing key is
  defaulted), "null" by `value or default` (a missing key or a None value defaulted);
- `facts`: what is known at this program point about places of the root — each a
  `(path, kind, value)` triple whose path is from the ROOT (not from the ref), so a
  record's `eventName` check stays visible from `record["dynamodb"]`: `NOT_NONE`,
  `HAS_KEY` (the key is present, maybe with None), `EQ`/`NE`/`ONE_OF` (the value is /
  is not / is one of literal values), `WRITTEN` (the function itself stored the key),
  `LABEL` (a label that holds for the place, e.g. after an allow-list check), and
  `CAUGHT` (path `()`: the value is used inside a `try` that catches the named
  exception);
- `labels`: what the value went through — sanitiser kinds ("shell", "sql", "path",
  "url", "html", "all"), "validated", and "written" (the value is one the function
  stored into the event itself);
- `origin`: the steps from where the value entered to here, each `(where, text)` with
  `where` a syntax node or a `(file, line, column)` triple. It is not part of equality
  or hashing (the first origin found for a value wins) and is bounded in length.

Refs are immutable and hashable; `Refs` is a frozenset of them: the values an
expression may hold (each ref is one possibility, so a fact holds for an expression
when it holds for all of its refs).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, Union

from lambda_lint.flow.ir import Expr, render

ITEM = "*"
DERIVED = "~"
UNKNOWN_KEY = "?"
JSON = "<json>"
BASE64 = "<base64>"
UNQUOTED = "<unquoted>"
DECODED = (JSON, BASE64, UNQUOTED)
#: paths longer than this end in DERIVED (a loop walking a linked structure)
MAX_PATH = 10
#: origin steps kept: the first (where the value entered) and the latest ones
MAX_ORIGIN = 8

NOT_NONE = "not-none"
HAS_KEY = "has-key"
EQ = "eq"
NE = "ne"
ONE_OF = "one-of"
WRITTEN = "written"
LABEL = "label"
CAUGHT = "caught"

#: exceptions whose handler makes a missing key harmless (`event["k"]` raises KeyError)
KEY_ERRORS = frozenset({"KeyError", "LookupError", "Exception", "BaseException"})
#: exceptions whose handler makes a None value harmless (TypeError on `None["k"]`,
#: AttributeError on `None.get`)
NONE_ERRORS = frozenset({"TypeError", "AttributeError", "Exception", "BaseException"})

Path = tuple[str, ...]
Fact = tuple[Path, str, Any]
Where = Any  # a syntax node, or (file, line, column)
#: what a step did: a text, or the IR expression that did it (rendered when shown)
Text = Union[str, Expr]
Step = tuple[Where, Text]


def _fact_order(fact: Fact) -> tuple[Path, str, str]:
    return (fact[0], fact[1], repr(fact[2]))


@dataclasses.dataclass(eq=False, init=False, repr=False)
class Ref:
    """A tracked value: a place (root + path) and what is known about it (see the
    module docstring).

    A ref is never changed once built (its hash is computed then). It is not a
    `frozen=True` dataclass because frozen construction costs three times as much, and
    the engine builds a ref for nearly every step of every tracked value."""

    __slots__ = (
        "_hash",
        "_key",
        "base",
        "default",
        "facts",
        "index",
        "labels",
        "origin",
        "path",
        "root",
        "trigger",
    )

    root: str
    path: Path
    trigger: str | None
    index: int
    default: str
    facts: tuple[Fact, ...]
    labels: tuple[str, ...]
    origin: tuple[Step, ...]

    def __init__(
        self,
        root: str,
        path: Path = (),
        trigger: str | None = None,
        index: int = -1,
        default: str = "",
        facts: tuple[Fact, ...] = (),
        labels: Iterable[str] = (),
        origin: tuple[Step, ...] = (),
    ) -> None:
        labels = labels if isinstance(labels, tuple) else tuple(sorted(set(labels)))
        self.root = root
        self.path = path
        self.trigger = trigger
        self.index = index
        self.default = default
        self.facts = facts
        self.labels = labels
        self.origin = origin
        #: what the ref is a place of: (root, index, trigger)
        self.base = (root, index, trigger)
        key = (root, path, trigger, index, default, labels)
        self._key = key
        self._hash = hash((key, facts))

    # -- identity ------------------------------------------------------------------

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Ref) or self._hash != other._hash:
            return False
        return self._key == other._key and self.facts == other.facts

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            Ref,
            (
                self.root,
                self.path,
                self.trigger,
                self.index,
                self.default,
                self.facts,
                self.labels,
                self.origin,
            ),
        )

    def __repr__(self) -> str:
        text = [repr(self.root)]
        if self.path:
            text.append(repr(self.path))
        for name, empty in (("trigger", None), ("index", -1), ("default", "")):
            if getattr(self, name) != empty:
                text.append(f"{name}={getattr(self, name)!r}")
        if self.facts:
            text.append(f"facts={self.facts!r}")
        if self.labels:
            text.append(f"labels={self.labels!r}")
        return f"Ref({', '.join(text)})"

    def _but(
        self,
        *,
        default: str | None = None,
        facts: tuple[Fact, ...] | None = None,
        labels: tuple[str, ...] | None = None,
        origin: tuple[Step, ...] | None = None,
    ) -> Ref:
        """A copy with some fields changed (None: unchanged)."""
        return Ref(
            self.root,
            self.path,
            self.trigger,
            self.index,
            self.default if default is None else default,
            self.facts if facts is None else facts,
            self.labels if labels is None else labels,
            self.origin if origin is None else origin,
        )

    # -- places ----------------------------------------------------------------------

    @property
    def exact(self) -> bool:
        """Whether the path names a place in the event (no derived step, no unknown
        key, no decoding)."""
        return not any(step in (DERIVED, UNKNOWN_KEY) or step in DECODED for step in self.path)

    @property
    def placed(self) -> bool:
        """Whether the path names one place of the root: no derived step and no unknown
        key (decoded steps are places: decoding the same data gives the same value)."""
        return DERIVED not in self.path and UNKNOWN_KEY not in self.path

    @property
    def derived(self) -> bool:
        return bool(self.path) and self.path[-1] == DERIVED

    def same_root(self, other: Ref) -> bool:
        """Whether both refs are places of the same root value."""
        return self.base == other.base

    def extend(self, *keys: str) -> Ref:
        """The ref one or more steps further down (a derived value stays derived)."""
        if not keys or self.derived:
            return self
        path = self.path + keys
        if DERIVED in keys:
            path = path[: path.index(DERIVED) + 1]
        if len(path) > MAX_PATH:
            path = (*path[:MAX_PATH], DERIVED)
        if path[-1] == DERIVED:
            return Ref(self.root, path, self.trigger, self.index, "", (), self.labels, self.origin)
        labels = self.labels
        if self.facts:
            labels = _reached_labels(self.facts, len(self.path), path, labels)
        return Ref(self.root, path, self.trigger, self.index, "", self.facts, labels, self.origin)

    def derive(self, where: Where, text: Text) -> Ref:
        """The value computed from this one (`f"{x}"`, `x + y`), with that step in its
        origin; labels stay, facts about places go."""
        path = self.path if self.derived else (*self.path[:MAX_PATH], DERIVED)
        origin = _stepped(self.origin, where, text)
        return Ref(self.root, path, self.trigger, self.index, "", (), self.labels, origin)

    def defaulted(self, how: str) -> Ref:
        return self if how == self.default else self._but(default=how)

    # -- facts -----------------------------------------------------------------------

    def with_fact(self, path: Path, kind: str, value: Any = None) -> Ref:
        """This ref knowing one more fact about the place `path` (from the root)."""
        fact = (path, kind, value)
        if fact in self.facts:
            return self
        facts = tuple(sorted((*self.facts, fact), key=_fact_order))
        labels = self.labels
        if kind in (LABEL, WRITTEN) and self.path[: len(path)] == path:
            labels = _add(labels, value if kind == LABEL else WRITTEN)
        return self._but(facts=facts, labels=labels)

    def with_facts(self, facts: Iterable[Fact]) -> Ref:
        ref = self
        for path, kind, value in facts:
            ref = ref.with_fact(path, kind, value)
        return ref

    def without_facts(self, below: Path | None = None, kind: str | None = None) -> Ref:
        """This ref forgetting the facts about `below` and the places under it (all
        places when None), or only those of one kind."""
        kept = tuple(
            f
            for f in self.facts
            if not (
                (below is None or f[0][: len(below)] == below) and (kind is None or f[1] == kind)
            )
        )
        return self if len(kept) == len(self.facts) else self._but(facts=kept)

    def knows(self, kind: str, *keys: str, value: Any = None) -> bool:
        """Whether the fact `kind` (with `value`) holds for the place `keys` below."""
        return (self.path + keys, kind, value) in self.facts

    def caught(self, names: frozenset[str]) -> bool:
        """Whether the value is used inside a `try` catching one of `names`."""
        return any(f[1] == CAUGHT and f[2] in names for f in self.facts)

    def present(self, *keys: str) -> bool:
        """Whether the key at `keys` below is known to be there (maybe None), or a
        KeyError reading it is caught."""
        place = self.path + keys
        if self.caught(KEY_ERRORS):
            return True
        return any(f[1] in (HAS_KEY, NOT_NONE) and f[0][: len(place)] == place for f in self.facts)

    def not_none(self, *keys: str) -> bool:
        """Whether the value at `keys` below is known not to be None (checked itself,
        or a key under it checked), or the error using a None is caught."""
        place = self.path + keys
        if self.caught(NONE_ERRORS):
            return True
        depth = len(place)
        return any(
            (f[1] == NOT_NONE and f[0][:depth] == place)
            or (f[1] == HAS_KEY and len(f[0]) > depth and f[0][:depth] == place)
            for f in self.facts
        )

    def possible(self, domain: Iterable[Any], *keys: str, at: Path | None = None) -> frozenset[Any]:
        """Which of `domain`'s values the place `keys` below (or the place `at`, a path
        from the root: a sibling's) may hold, after the equality tests the code made
        (`if r["eventName"] == "REMOVE": continue`)."""
        place = at if at is not None else self.path + keys
        left = set(domain)
        for path, kind, value in self.facts:
            if path != place:
                continue
            if kind == EQ:
                left &= {value}
            elif kind == ONE_OF:
                left &= set(value)
            elif kind == NE:
                left.discard(value)
        return frozenset(left)

    # -- labels and origin -----------------------------------------------------------

    def labelled(self, *labels: str) -> Ref:
        added = self.labels
        for label in labels:
            added = _add(added, label)
        return self if added is self.labels else self._but(labels=added)

    def step(self, where: Where, text: Text) -> Ref:
        """This ref with one more origin step (same identity: origins are not compared)."""
        return self._but(origin=_stepped(self.origin, where, text))


Refs = frozenset[Ref]
EMPTY: Refs = frozenset()


def _stepped(origin: tuple[Step, ...], where: Where, text: Text) -> tuple[Step, ...]:
    stepped = (*origin, (where, text))
    if len(stepped) > MAX_ORIGIN:
        stepped = (stepped[0], *stepped[-(MAX_ORIGIN - 1) :])
    return stepped


def _add(labels: tuple[str, ...], label: str) -> tuple[str, ...]:
    if label in labels:
        return labels
    return tuple(sorted((*labels, label)))


def _reached_labels(
    facts: tuple[Fact, ...], start: int, path: Path, labels: tuple[str, ...]
) -> tuple[str, ...]:
    """Labels of the places between a ref's old path (`start` steps) and its new one."""
    for place, kind, value in facts:
        reached = start < len(place) <= len(path) and path[: len(place)] == place
        if kind in (LABEL, WRITTEN) and reached:
            labels = _add(labels, value if kind == LABEL else WRITTEN)
    return labels


def collect(refs: Iterable[Ref]) -> Refs:
    """The set of `refs`. Of refs that are the same place (equal, their origins aside)
    the one whose origin comes first in a fixed order is kept, so that the way shown to
    a value does not depend on the order sets are walked in (which follows string
    hashes, and those differ from one process to the next)."""
    items = refs if isinstance(refs, (list, tuple)) else list(refs)
    found = frozenset(items)
    if len(found) == len(items):
        return found
    kept: dict[Ref, Ref] = {}
    for ref in items:
        other = kept.get(ref)
        if other is None or origin_order(ref) < origin_order(other):
            kept[ref] = ref
    return frozenset(kept.values())


def origin_order(ref: Ref) -> tuple[Any, ...]:
    """A key that orders origins the same way in every process: shorter first, then by
    where and what each step is."""
    return (len(ref.origin), tuple(_step_order(step) for step in ref.origin))


def _step_order(step: Step) -> tuple[str, int, int, str]:
    where = step[0]
    if isinstance(where, tuple):
        return (str(where[0]), where[1], where[2], step_text(step))
    line, column = getattr(where, "lineno", 0), getattr(where, "col_offset", 0)
    return (
        "",
        line if isinstance(line, int) else 0,
        column if isinstance(column, int) else 0,
        step_text(step),
    )


def merge(refs: Refs) -> Refs:
    """`refs` with the refs that differ only in facts merged into one: where paths
    join, a fact holds if it held on every path (WRITTEN: on some path)."""
    if len(refs) < 2:
        return refs
    groups: dict[tuple[Any, ...], Ref] = {}
    merged = False
    for ref in refs:
        other = groups.get(ref._key)
        if other is None:
            groups[ref._key] = ref
        else:
            groups[ref._key] = _common(other, ref)
            merged = True
    return frozenset(groups.values()) if merged else refs


def _common(first: Ref, second: Ref) -> Ref:
    if origin_order(second) < origin_order(first):
        first, second = second, first
    if first.facts == second.facts:
        return first
    theirs = set(second.facts)
    facts = [f for f in first.facts if f in theirs or f[1] == WRITTEN]
    facts += [f for f in second.facts if f[1] == WRITTEN and f not in facts]
    return first._but(facts=tuple(sorted(facts, key=_fact_order)))


def with_step(refs: Refs, where: Where, text: Text) -> Refs:
    """Every ref with one more origin step."""
    return collect([r.step(where, text) for r in refs])


def step_text(step: Step) -> str:
    text = step[1]
    return text if isinstance(text, str) else render(text)


def origin_text(ref: Ref) -> str:
    """The origin as one line: `event['body'] -> json.loads(...) -> f-string`."""
    return " -> ".join(step_text(step) for step in ref.origin)
