"""Small helpers to read names out of libcst nodes."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst


def dotted_name(node: cst.CSTNode | None) -> str | None:
    """`a.b.c` for a Name/Attribute chain; None for anything else."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def qualname(scopes: Sequence[tuple[str, bool]]) -> str:
    """The qualified name of the innermost of nested `(name, is_function)` scopes, as
    the project model keys functions: `Class.method`, `outer.<locals>.inner`."""
    parts: list[str] = []
    for position, (name, is_function) in enumerate(scopes):
        parts.append(name)
        if is_function and position < len(scopes) - 1:
            parts.append("<locals>")
    return ".".join(parts)


def call_name(node: cst.CSTNode) -> str | None:
    """The dotted name of the function a Call calls (`boto3.client`)."""
    return dotted_name(node.func) if isinstance(node, cst.Call) else None


def decorator_name(decorator: cst.Decorator) -> str | None:
    """`logger.inject_lambda_context` for `@logger.inject_lambda_context(...)` too."""
    expression = decorator.decorator
    if isinstance(expression, cst.Call):
        expression = expression.func
    return dotted_name(expression)


def keyword_argument(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def string_value(node: cst.CSTNode) -> str | None:
    """The text of a plain string literal (not bytes, not an f-string), else None.
    Literals without escapes are read directly: libcst evaluates them with
    `ast.literal_eval`, which is slow on hot paths."""
    if not isinstance(node, cst.SimpleString):
        return None
    prefix = node.prefix.lower()
    if "b" in prefix:
        return None
    if "\\" not in node.value and prefix in ("", "u", "r"):
        quote = node.quote
        return node.value[len(prefix) + len(quote) : -len(quote)]
    value = node.evaluated_value
    return value if isinstance(value, str) else None


def update_keys(call: cst.Call) -> list[str]:
    """The literal keys `x.update({...})` or `x.update(k=v)` sets."""
    keys = [a.keyword.value for a in call.args if a.keyword is not None]
    for arg in call.args:
        if arg.keyword is None and isinstance(arg.value, cst.Dict):
            for element in arg.value.elements:
                if isinstance(element, cst.DictElement):
                    key = string_value(element.key)
                    if key is not None:
                        keys.append(key)
    return keys
