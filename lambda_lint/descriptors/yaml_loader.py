"""Load YAML descriptors into line-aware trees, with CloudFormation tags as symbolic values.

The text is composed into PyYAML nodes (which carry marks) and converted by hand: every
mapping becomes a `LineMap`, every sequence a `LineList`, standard scalars are built by
PyYAML's safe constructor, and any local tag (`!Ref`, `!GetAtt`, `!Sub`, `!If`, ... and
tags nobody registered) becomes a `Symbolic`. Nothing is executed and no tag is an error.
"""

from __future__ import annotations

from typing import Any

import yaml

from lambda_lint.descriptors.values import LineList, LineMap, Symbolic, intrinsic, make_symbolic

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STANDARD_PREFIX = "tag:yaml.org,2002:"
_MERGE_TAG = _STANDARD_PREFIX + "merge"


class DescriptorSyntaxError(Exception):
    """A descriptor that does not parse: the message and the 1-based line."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def load_yaml(text: str) -> Any:
    """Load one YAML document into `LineMap` / `LineList` / scalars / `Symbolic`.

    Raises `DescriptorSyntaxError` (with the line) when the text is not YAML.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _Converter(loader).convert(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = (error.problem or error.context or "syntax error").splitlines()[0]
        raise DescriptorSyntaxError(f"invalid YAML: {problem}", line) from error
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as error:
        raise DescriptorSyntaxError(f"invalid YAML: {error}", 1) from error
    finally:
        loader.dispose()


class _Converter:
    """Turns composed nodes into line-aware plain values."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader
        self._memo: dict[int, Any] = {}

    def convert(self, node: yaml.Node) -> Any:
        known = self._memo.get(id(node))
        if known is not None:
            return known
        tag = node.tag or ""
        if tag.startswith(_STANDARD_PREFIX) or tag == "?":
            return self._plain(node)
        kind = tag[1:] if tag.startswith("!") else tag
        if isinstance(node, yaml.ScalarNode):
            content: Any = node.value
        else:
            content = self._plain(node)
        return make_symbolic(kind, content)

    def _plain(self, node: yaml.Node) -> Any:
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            mapping = LineMap(line)
            self._memo[id(node)] = mapping
            merges: list[yaml.Node] = []
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE_TAG:
                    merges.append(value_node)
                    continue
                key = self.convert(key_node)
                if isinstance(key, (dict, list, Symbolic)):
                    key = str(key)
                mapping.put(
                    key,
                    self.convert(value_node),
                    key_node.start_mark.line + 1,
                    value_node.start_mark.line + 1,
                )
            for merged in merges:
                self._merge(mapping, merged)
            result = intrinsic(mapping)
            self._memo[id(node)] = result
            return result
        if isinstance(node, yaml.SequenceNode):
            sequence = LineList(line)
            self._memo[id(node)] = sequence
            for item in node.value:
                sequence.put(self.convert(item), item.start_mark.line + 1)
            return sequence
        return self._loader.construct_object(node, deep=True)

    def _merge(self, mapping: LineMap, node: yaml.Node) -> None:
        """Apply a `<<: *anchor` merge: keys written in the mapping win."""
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for source in sources:
            merged = self.convert(source)
            if not isinstance(merged, LineMap):
                continue
            for key, value in merged.items():
                if key not in mapping:
                    mapping.put(key, value, merged.key_line(key), merged.value_line(key))
