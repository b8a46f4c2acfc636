"""The security sinks: which calls are dangerous with which arguments, read from
`sinks.json` (every entry names its source or reason).

A sink entry matches a call by qualified name (`calls`: `os.system`, `eval`), by method
name (`methods`: `cursor.execute`, `table.query`; `when_imported` limits a method to
projects that import one of the named libraries, `receiver` to receivers whose name
contains the text), or as a `pathlib.Path(...)` built inline and then used
(`path_methods`). `arguments` and `keywords` say which arguments carry the dangerous
input; `label` is the sanitiser kind that makes a value safe there. The other fields
narrow when the call is dangerous at all: `shell` (subprocess: `shell=True`, or a
command built as a string), `unsafe_loaders` (yaml.load), `leading` (a URL whose start
comes from the event), `formatted` (an expression string built by formatting), `mongo`
(a `$where` or a filter decoded from a formatted JSON string), `whole` (the whole event
or context written out), `text_pattern` (a query built in place reads as SQL).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Sink:
    rule: str
    label: str
    calls: frozenset[str] = frozenset()
    methods: frozenset[str] = frozenset()
    path_methods: frozenset[str] = frozenset()
    arguments: tuple[int, ...] = ()
    keywords: frozenset[str] = frozenset()
    when_imported: tuple[str, ...] = ()
    receiver: str = ""
    shell: bool = False
    unsafe_loaders: frozenset[str] = frozenset()
    leading: bool = False
    formatted: bool = False
    mongo: bool = False
    whole: bool = False
    #: text a query built in place must contain (case-insensitive)
    text_pattern: re.Pattern[str] | None = None


@dataclass(frozen=True)
class SinkTable:
    sinks: tuple[Sink, ...]
    #: extra flow semantics (sanitisers) in the shape of `flow/semantics.json`
    semantics: Mapping[str, Any]
    #: triggers whose event the deployment itself writes, and event keys that tell
    #: such a handler where no descriptor names its trigger
    trusted_triggers: frozenset[str]
    trusted_event_keys: frozenset[str]
    #: places in an event that AWS writes, not the caller (S3 Object Lambda's
    #: presigned `getObjectContext.inputS3Url`), as access paths
    aws_written: frozenset[tuple[str, ...]]
    #: literal text that opens an HTML element
    html: re.Pattern[str]
    #: origin steps that write a whole value out (LL604)
    whole_value_steps: tuple[str, ...]
    #: triggers whose whole event is in the logs already (LL604 leaves it alone)
    logged_already: frozenset[str]
    #: calls (qualified) and methods whose result keeps the caller's text
    keeps_data_calls: frozenset[str]
    keeps_data_methods: frozenset[str]
    #: decorators (by method name) that log the whole event when their keyword is True
    logging_decorators: frozenset[str]
    logging_keyword: str
    #: framework classes (qualified) -> the attribute holding the caller's request
    request_attributes: Mapping[str, str]
    #: decorator methods of a request router whose functions serve routes
    route_decorators: frozenset[str]
    #: `text.replace(separator, ...)`, `text.split(separator)[i]`: methods and first
    #: arguments that leave no directory separator in a path
    separator_methods: frozenset[str]
    separators: frozenset[str]
    #: places of an event that never hold a directory separator (an S3 bucket name), as
    #: the ends of access paths
    separator_free: frozenset[tuple[str, ...]]

    def by_call(self, name: str) -> list[Sink]:
        return [s for s in self.sinks if name in s.calls and not s.path_methods]

    def by_method(self, method: str) -> list[Sink]:
        return [s for s in self.sinks if method in s.methods]

    def by_path_method(self, method: str, constructor: str) -> list[Sink]:
        return [s for s in self.sinks if method in s.path_methods and constructor in s.calls]


def _sink(entry: Mapping[str, Any]) -> Sink:
    return Sink(
        rule=entry["rule"],
        label=entry["label"],
        calls=frozenset(entry.get("calls", ())),
        methods=frozenset(entry.get("methods", ())),
        path_methods=frozenset(entry.get("path_methods", ())),
        arguments=tuple(entry.get("arguments", ())),
        keywords=frozenset(entry.get("keywords", ())),
        when_imported=tuple(entry.get("when_imported", ())),
        receiver=entry.get("receiver", ""),
        shell=entry.get("shell", False),
        unsafe_loaders=frozenset(entry.get("unsafe_loaders", ())),
        leading=entry.get("leading", False),
        formatted=entry.get("formatted", False),
        mongo=entry.get("mongo", False),
        whole=entry.get("whole", False),
        text_pattern=re.compile(entry["text_pattern"], re.IGNORECASE)
        if "text_pattern" in entry
        else None,
    )


@lru_cache(maxsize=1)
def sink_table() -> SinkTable:
    """The shipped table."""
    text = resources.files(__package__).joinpath("sinks.json").read_text("utf-8")
    data = json.loads(text)
    return SinkTable(
        sinks=tuple(_sink(e) for e in data["sinks"]),
        semantics=data["semantics"],
        trusted_triggers=frozenset(data["trusted_triggers"]["triggers"]),
        trusted_event_keys=frozenset(data["trusted_triggers"]["event_keys"]),
        aws_written=frozenset(
            tuple(field.split(".")) for field in data["aws_written_fields"]["fields"]
        ),
        html=re.compile(data["html_markers"]["pattern"], re.IGNORECASE),
        whole_value_steps=tuple(data["whole_value_steps"]["prefixes"]),
        logged_already=frozenset(data["logged_already_triggers"]["triggers"]),
        keeps_data_calls=frozenset(data["keeps_data"]["calls"]),
        keeps_data_methods=frozenset(data["keeps_data"]["methods"]),
        logging_decorators=frozenset(data["logging_decorators"]["decorators"]),
        logging_keyword=data["logging_decorators"]["keyword"],
        request_attributes=data["frameworks"]["request_attributes"],
        route_decorators=frozenset(data["frameworks"]["route_decorators"]),
        separator_methods=frozenset(data["path_separator_removal"]["methods"]),
        separators=frozenset(data["path_separator_removal"]["separators"]),
        separator_free=frozenset(
            tuple(field.split(".")) for field in data["separator_free_fields"]["fields"]
        ),
    )
