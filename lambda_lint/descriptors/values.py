"""Plain values read from a descriptor: line-aware containers and symbolic placeholders.

The YAML and JSON loaders build `LineMap` / `LineList` trees that remember the 1-based
line of every key and value, so readers can point a finding at the exact line. Values
that only exist once deployed (CloudFormation intrinsic functions, `${...}` variables,
Terraform expressions) load as `Symbolic`, never as errors.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

#: a `${...}` placeholder inside a string (CloudFormation `Fn::Sub`, Serverless, Terraform)
PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
_FUNCTION_ARN = re.compile(r"arn:[^:]*:lambda:[^:]*:[^:]*:function:([A-Za-z0-9_-]+)")


class Symbolic:
    """A value known only at deploy time.

    `kind` names what it is: the intrinsic function without its `Fn::` prefix or `!`
    (`"Ref"`, `"GetAtt"`, `"Sub"`, `"If"`, ... or any unknown tag), `"var"` for a
    Serverless `${...}` variable, `"expr"` for a Terraform expression. `value` holds the
    arguments as loaded (for `GetAtt` always a `[resource, attribute]` list).
    """

    __slots__ = ("kind", "value")

    def __init__(self, kind: str, value: Any) -> None:
        self.kind = kind
        self.value = value

    def __repr__(self) -> str:
        return f"Symbolic({self.kind!r}, {self.value!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Symbolic) and other.kind == self.kind and other.value == self.value

    __hash__ = None  # type: ignore[assignment]


class LineMap(dict):
    """A mapping that remembers where it, each key and each value start (1-based lines)."""

    __slots__ = ("key_lines", "line", "value_lines")

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}
        self.value_lines: dict[Any, int] = {}

    def put(self, key: Any, value: Any, key_line: int, value_line: int) -> None:
        self[key] = value
        self.key_lines[key] = key_line
        self.value_lines[key] = value_line

    def key_line(self, key: Any, default: int = 0) -> int:
        return self.key_lines.get(key, default or self.line)

    def value_line(self, key: Any, default: int = 0) -> int:
        return self.value_lines.get(key, default or self.line)


class LineList(list):
    """A sequence that remembers where it and each item start (1-based lines)."""

    __slots__ = ("item_lines", "line")

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def put(self, value: Any, line: int) -> None:
        self.append(value)
        self.item_lines.append(line)

    def item_line(self, index: int) -> int:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


def line_of(container: Any, key: Any, default: int) -> int:
    """The line of `container[key]`'s value, or `default` when unknown."""
    if isinstance(container, LineMap):
        return container.value_lines.get(key, default)
    if isinstance(container, LineList) and isinstance(key, int):
        return container.item_line(key) or default
    return default


def intrinsic(mapping: LineMap) -> Any:
    """Turn a CloudFormation long-form intrinsic (`{"Fn::GetAtt": ...}`, `{"Ref": ...}`)
    into a `Symbolic`; return any other mapping unchanged."""
    if len(mapping) != 1:
        return mapping
    (key,) = mapping
    if key == "Ref":
        return Symbolic("Ref", mapping[key])
    if isinstance(key, str) and key.startswith("Fn::"):
        return make_symbolic(key[4:], mapping[key])
    return mapping


def make_symbolic(kind: str, value: Any) -> Symbolic:
    """A `Symbolic` for an intrinsic, normalising the `GetAtt` short form `A.B`."""
    if kind == "GetAtt" and isinstance(value, str):
        resource, _, attribute = value.partition(".")
        return Symbolic(kind, [resource, attribute])
    if kind == "GetAtt" and isinstance(value, list):
        return Symbolic(kind, [str(v) if not isinstance(v, Symbolic) else v for v in value])
    return Symbolic(kind, value)


def dig(mapping: Any, *keys: str) -> Any:
    """`mapping[k1][k2]...`, or None as soon as a level is missing or not a mapping."""
    for key in keys:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def function_name_from_arn(value: str) -> str | None:
    """The function name in a Lambda function ARN (`arn:aws:lambda:...:function:name`)."""
    match = _FUNCTION_ARN.search(value)
    return match.group(1) if match else None


def text(value: Any) -> str | None:
    """`value` as a plain string, or None when it is symbolic, missing or not a string.

    A `!Sub` without placeholders is plain text and comes back as its string.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, Symbolic) and value.kind == "Sub" and isinstance(value.value, str):
        return None if PLACEHOLDER.search(value.value) else value.value
    return None


def parameter_defaults(document: Any) -> dict[str, str]:
    """The `Default` of each template parameter that has a plain one (a string or a
    number), by parameter name."""
    parameters = document.get("Parameters") if isinstance(document, dict) else None
    defaults: dict[str, str] = {}
    for name, parameter in parameters.items() if isinstance(parameters, dict) else ():
        default = parameter.get("Default") if isinstance(parameter, dict) else None
        if isinstance(default, (str, int, float)) and not isinstance(default, bool):
            defaults[str(name)] = str(default)
    return defaults


def text_by_default(value: Any, defaults: dict[str, str]) -> str | None:
    """`text(value)`, or, for a `!Ref` of a parameter or a `!Sub` whose placeholders all
    name parameters, the text its parameters' `defaults` give: `!Sub "cron(${Schedule})"`
    as deployed when the stack keeps the default."""
    plain = text(value)
    if plain is not None or not isinstance(value, Symbolic):
        return plain
    if value.kind == "Ref" and isinstance(value.value, str):
        return defaults.get(value.value)
    if value.kind == "Sub" and isinstance(value.value, str):
        names = PLACEHOLDER.findall(value.value)
        if all(name in defaults for name in names):
            return PLACEHOLDER.sub(lambda match: defaults[match.group(1)], value.value)
    return None


def version(value: Any) -> str | None:
    """A payload format version as text: `"2.0"`, or YAML's unquoted `2.0` (a float)."""
    if isinstance(value, float):
        return str(value)
    return text(value)


def integer(value: Any) -> int | None:
    """`value` as an int (numbers and numeric strings), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def whole_number(value: Any, strings: bool = True) -> int | None:
    """An integer literal (with `strings`, also a string of digits such as YAML's `"10"`),
    else None: floats, booleans, symbolic values and expressions do not count."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if strings and isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def truthy(value: Any) -> bool:
    """A YAML/JSON/HCL boolean that is plainly true (`true`, `"true"`, `True`)."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() == "true"


#: the keys an event pattern's `detail-type` is written under (CDK dicts may use the
#: Python or the JSON spelling of the `EventPattern` property)
DETAIL_TYPE_KEYS = ("detail-type", "detail_type", "detailType")


def detail_types(pattern: Any, literal: Callable[[Any], str | None] = text) -> tuple[str, ...]:
    """The `detail-type` strings of an EventBridge event pattern, sorted and de-duplicated.

    `pattern` is a mapping or its JSON text; the value under `detail-type` may be a list or
    a single string. Items that `literal` does not turn into a string (intrinsics,
    variables, content filters such as `{"prefix": ...}`) are skipped.
    """
    if isinstance(pattern, str):
        try:
            pattern = json.loads(pattern)
        except ValueError:
            return ()
    if not isinstance(pattern, dict):
        return ()
    value = None
    for key, item in pattern.items():
        if isinstance(key, str) and key.strip("\"'") in DETAIL_TYPE_KEYS:
            value = item
            break
    items = value if isinstance(value, list) else [value]
    found = {literal(item) for item in items if item is not None}
    return tuple(sorted(name for name in found if name))
