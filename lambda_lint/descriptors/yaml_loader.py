"""Load YAML descriptors into line-aware trees, with CloudFormation tags as symbolic values.

The parser's events (libyaml's when PyYAML has it) are built into values directly: every
mapping becomes a `LineMap`, every sequence a `LineList`, plain scalars are resolved and
built as PyYAML's safe loader does (bools, numbers, dates, null), and any local tag
(`!Ref`, `!GetAtt`, `!Sub`, `!If`, ... and tags nobody registered) becomes a `Symbolic`.
Nothing is executed and no tag is an error. Building from events, without PyYAML's node
graph, is what makes a 10 MB template load in seconds.

An alias is the anchored value itself, shared, but whoever walks the tree meets it once
per alias: a few lines of nested aliases (an "alias bomb") expand to billions of values.
A document whose aliases add more than `MAX_ALIAS_EXPANSION` values when expanded, or
whose alias refers to a value containing it, is not read.
"""

from __future__ import annotations

from typing import Any

import yaml

from lambda_lint.descriptors.values import LineList, LineMap, Symbolic, intrinsic, make_symbolic

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: the most values aliases may add to a document when expanded (real templates and
#: serverless.yml files add a few hundred)
MAX_ALIAS_EXPANSION = 200_000
_STANDARD_PREFIX = "tag:yaml.org,2002:"
_MERGE_TAG = _STANDARD_PREFIX + "merge"
#: stands for the key `<<` of a merge
_MERGE = object()


class DescriptorSyntaxError(Exception):
    """A descriptor that does not parse: the message and the 1-based line."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def load_yaml(text: str) -> Any:
    """Load one YAML document into `LineMap` / `LineList` / scalars / `Symbolic`.

    Raises `DescriptorSyntaxError` (with the line) when the text is not YAML, or holds an
    alias bomb or a recursive alias.
    """
    loader = _Loader(text)
    try:
        return _Builder(loader).document()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = (error.problem or error.context or "syntax error").splitlines()[0]
        raise DescriptorSyntaxError(f"invalid YAML: {problem}", line) from error
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as error:
        raise DescriptorSyntaxError(f"invalid YAML: {error}", 1) from error
    finally:
        loader.dispose()


class _Open:
    """A mapping or sequence whose items are still arriving."""

    __slots__ = ("anchor", "container", "has_key", "key", "key_line", "merges", "size", "tag")

    def __init__(self, container: LineMap | LineList, tag: str | None, anchor: str | None) -> None:
        self.container = container
        self.tag = tag
        self.anchor = anchor
        self.size = 1
        #: for a mapping: the key waiting for its value, and the line of that key
        self.key: Any = None
        self.key_line = 0
        self.has_key = False
        self.merges: list[Any] = []


class _Builder:
    """Builds the values of one document from the parser's events, without recursion."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        resolvers = loader.yaml_implicit_resolvers
        #: first characters of plain scalars that may resolve to something else than a
        #: string (None: some resolver looks at every scalar)
        self.resolvable = None if None in resolvers else frozenset(resolvers)
        #: anchor -> (value, line, how many values it holds expanded)
        self.anchors: dict[str, tuple[Any, int, int]] = {}
        self.marks: dict[str, Any] = {}
        self.open_anchors: set[str] = set()
        self.added = 0

    def document(self) -> Any:
        loader = self.loader
        loader.get_event()  # stream start
        if loader.check_event(yaml.StreamEndEvent):
            return None
        start = loader.get_event()  # document start
        value = self._value()
        loader.get_event()  # document end
        if not loader.check_event(yaml.StreamEndEvent):
            raise yaml.composer.ComposerError(
                "expected a single document in the stream",
                start.start_mark,
                "but found another document",
                loader.get_event().start_mark,
            )
        return value

    def _value(self) -> Any:
        stack: list[_Open] = []
        get_event, resolvable = self.loader.get_event, self.resolvable
        while True:
            event = get_event()
            kind = type(event)
            line = event.start_mark.line + 1
            if kind is yaml.ScalarEvent:
                value = event.value
                if event.tag is None and (
                    not event.implicit[0]
                    or (resolvable is not None and value[:1] not in resolvable)
                ):
                    pass  # a string: by far the most common case
                else:
                    value = self._scalar(event)
                if event.anchor is not None:
                    self._check_new_anchor(event)
                    self.anchors[event.anchor] = (value, line, 1)
                size = 1
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                container = LineMap(line) if kind is yaml.MappingStartEvent else LineList(line)
                if event.anchor is not None:
                    self._check_new_anchor(event)
                    self.open_anchors.add(event.anchor)
                stack.append(_Open(container, event.tag, event.anchor))
                continue
            elif kind is yaml.AliasEvent:
                value, line, size = self._alias(event, line)
            else:  # the end of a mapping or a sequence
                frame = stack.pop()
                value, line, size = self._finish(frame), frame.container.line, frame.size
                if frame.anchor is not None:
                    self.open_anchors.discard(frame.anchor)
                    self.anchors[frame.anchor] = (value, line, size)
            if not stack:
                return value
            parent = stack[-1]
            parent.size += size
            container = parent.container
            if type(container) is LineList:
                container.put(value, line)
            elif not parent.has_key:
                if isinstance(value, (dict, list, Symbolic)):
                    value = str(value)
                parent.key, parent.key_line, parent.has_key = value, line, True
            else:
                if parent.key is _MERGE:
                    parent.merges.append(value)
                else:
                    container.put(parent.key, value, parent.key_line, line)
                parent.has_key = False

    def _finish(self, frame: _Open) -> Any:
        container = frame.container
        if isinstance(container, LineMap):
            for merged in frame.merges:  # `<<: *anchor`: keys written in the mapping win
                for source in merged if isinstance(merged, LineList) else [merged]:
                    if not isinstance(source, LineMap):
                        continue
                    for key, value in source.items():
                        if key not in container:
                            container.put(key, value, source.key_line(key), source.value_line(key))
            value: Any = intrinsic(container)
        else:
            value = container
        tag = frame.tag
        if tag is None or tag.startswith(_STANDARD_PREFIX) or tag == "!":
            return value
        return make_symbolic(tag[1:] if tag.startswith("!") else tag, value)

    def _scalar(self, event: yaml.ScalarEvent) -> Any:
        tag, value = event.tag, event.value
        if tag is None or tag == "!":
            plain = event.implicit[0]
            if not plain or (self.resolvable is not None and value[:1] not in self.resolvable):
                return value
            tag = self.loader.resolve(yaml.ScalarNode, value, event.implicit)
        if tag == _MERGE_TAG:
            return _MERGE
        if not tag.startswith(_STANDARD_PREFIX):
            return make_symbolic(tag[1:] if tag.startswith("!") else tag, value)
        constructors = self.loader.yaml_constructors
        construct = constructors.get(tag) or constructors[None]
        node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
        return construct(self.loader, node)

    def _alias(self, event: yaml.AliasEvent, line: int) -> tuple[Any, int, int]:
        anchor = event.anchor
        if anchor in self.open_anchors:
            raise DescriptorSyntaxError(
                "a YAML alias refers to a value that contains it; not read", line
            )
        known = self.anchors.get(anchor)
        if known is None:
            raise yaml.composer.ComposerError(
                None, None, f"found undefined alias {anchor!r}", event.start_mark
            )
        value, _, size = known
        self.added += size
        if self.added > MAX_ALIAS_EXPANSION:
            raise DescriptorSyntaxError(
                f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION:,} values; not read",
                line,
            )
        return value, line, size

    def _check_new_anchor(self, event: Any) -> None:
        if event.anchor in self.marks:
            raise yaml.composer.ComposerError(
                f"found duplicate anchor {event.anchor!r}; first occurrence",
                self.marks[event.anchor],
                "second occurrence",
                event.start_mark,
            )
        self.marks[event.anchor] = event.start_mark
