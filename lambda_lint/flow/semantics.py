"""What library calls do to the values the engine tracks: the facts the engine needs
about code it does not analyse.

The shipped table is `semantics.json` beside this module; every entry names its source
or gives its reason. Its sections:

- `decoders`: calls that decode their first argument; the path gains a marker
  (`json.loads` -> `<json>`, base64 -> `<base64>`, unquote -> `<unquoted>`);
- `pass_through`: calls that return their only argument's data unchanged (`list`,
  `copy.deepcopy`, `sorted`);
- `same_data_methods`: methods whose result is the receiver's data (`.copy()`,
  `.decode()`, `.strip()`);
- `sanitisers`: calls whose result is clean for the listed sink kinds ("shell", "sql",
  "path", "url", "html"; "all" for every kind: `int`, `uuid.UUID`);
- `attribute_sanitisers`: an attribute of an object built by one of the constructors
  (`pathlib.Path(x).name`);
- `validators`: calls that raise unless an argument is valid; that argument's value is
  labelled after the call (`jsonschema.validate(x, schema)` -> "validated");
- `sources`: dotted names (calls or attributes) whose value is untrusted input of its
  own (`Ref("source", trigger=<name>)`); none are shipped.

Names are qualified (`json.loads`, not `loads` after `from json import loads`): the
engine asks its caller to qualify dotted names, it never resolves imports itself.
Builtins match with or without the `builtins.` prefix. Users add entries with the same
shape (the settings layer passes them as plain mappings to `Semantics.load`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

SECTIONS = (
    "decoders",
    "pass_through",
    "same_data_methods",
    "sanitisers",
    "attribute_sanitisers",
    "validators",
    "sources",
)
#: what each section's entries must have besides `name` (or `constructors`)
_REQUIRED = {
    "decoders": ("marker",),
    "sanitisers": ("cleans",),
    "attribute_sanitisers": ("attribute", "cleans"),
    "validators": ("argument", "label"),
}


def plain(name: str) -> str:
    """A qualified name without the `builtins.` prefix."""
    return name[9:] if name.startswith("builtins.") else name


@dataclass(frozen=True)
class Semantics:
    """The table the engine consults (build it with `Semantics.load`)."""

    decoders: Mapping[str, str] = field(default_factory=dict)
    pass_through: frozenset[str] = frozenset()
    same_data_methods: frozenset[str] = frozenset()
    sanitisers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: (constructor, attribute) -> kinds
    attribute_sanitisers: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    #: validator -> (argument index, label)
    validators: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    sources: frozenset[str] = frozenset()

    @classmethod
    def load(cls, *additions: Mapping[str, Any]) -> Semantics:
        """The shipped table plus the users' `additions` (same shape as the data file).
        Raises ValueError naming the bad entry."""
        tables = [_shipped(), *additions]
        for table in tables:
            _check(table)
        entries = {s: [e for t in tables for e in t.get(s, ())] for s in SECTIONS}
        return cls(
            decoders={plain(e["name"]): e["marker"] for e in entries["decoders"]},
            pass_through=frozenset(plain(e["name"]) for e in entries["pass_through"]),
            same_data_methods=frozenset(e["name"] for e in entries["same_data_methods"]),
            sanitisers=_merged_kinds(
                (plain(e["name"]), e["cleans"]) for e in entries["sanitisers"]
            ),
            attribute_sanitisers=_merged_kinds(
                ((plain(c), e["attribute"]), e["cleans"])
                for e in entries["attribute_sanitisers"]
                for c in e["constructors"]
            ),
            validators={
                plain(e["name"]): (e["argument"], e["label"]) for e in entries["validators"]
            },
            sources=frozenset(plain(e["name"]) for e in entries["sources"]),
        )


def _merged_kinds(pairs: Any) -> dict[Any, tuple[str, ...]]:
    merged: dict[Any, set[str]] = {}
    for key, kinds in pairs:
        merged.setdefault(key, set()).update(kinds)
    return {key: tuple(sorted(kinds)) for key, kinds in merged.items()}


@lru_cache(maxsize=1)
def _shipped() -> Mapping[str, Any]:
    text = resources.files(__package__).joinpath("semantics.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def default_semantics() -> Semantics:
    """The shipped table alone."""
    return Semantics.load()


def _check(table: Mapping[str, Any]) -> None:
    if not isinstance(table, Mapping):
        raise ValueError(f"flow semantics must be a mapping of sections, not {table!r}")
    for section, entries in table.items():
        if section not in SECTIONS:
            raise ValueError(
                f"unknown flow semantics section {section!r}; expected one of {', '.join(SECTIONS)}"
            )
        if not isinstance(entries, Sequence) or isinstance(entries, str):
            raise ValueError(f"flow semantics section {section!r} must be a list of entries")
        for number, entry in enumerate(entries, 1):
            _check_entry(section, number, entry)


def _check_entry(section: str, number: int, entry: Any) -> None:
    where = f"flow semantics {section}[{number}]"
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where} must be a mapping, not {entry!r}")
    key = "constructors" if section == "attribute_sanitisers" else "name"
    for required in (key, *_REQUIRED.get(section, ())):
        if required not in entry:
            raise ValueError(f"{where} has no {required!r}")
    if key == "constructors" and not _strings(entry[key]):
        raise ValueError(f"{where}: 'constructors' must be a list of dotted names")
    if key == "name" and not isinstance(entry["name"], str):
        raise ValueError(f"{where}: 'name' must be a dotted name")
    if "cleans" in entry and not _strings(entry["cleans"]):
        raise ValueError(f"{where}: 'cleans' must be a list of sink kinds")
    if section == "validators" and not isinstance(entry["argument"], int):
        raise ValueError(f"{where}: 'argument' must be a position (0 for the first)")


def _strings(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
