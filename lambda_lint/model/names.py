"""Small helpers to read names out of libcst nodes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import libcst as cst

from lambda_lint.slots import SLOTS


def dotted_name(node: cst.CSTNode | None) -> str | None:
    """`a.b.c` for a Name/Attribute chain; None for anything else."""
    parts: list[str] = []
    while type(node) is cst.Attribute:  # not isinstance: see `walk.node_types`
        parts.append(node.attr.value)
        node = node.value
    if type(node) is cst.Name:
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


@dataclass(frozen=True, **SLOTS)
class ImportedName:
    """A name an import statement binds: `import a.b as c` is (module="a.b", name=None,
    alias="c", renamed=True); `from x import y` is (module="x", name="y", alias="y");
    `level` counts leading dots; `from x import *` has name and alias "*"; `renamed`
    says that `as` was written."""

    module: str
    name: str | None
    alias: str
    level: int
    renamed: bool

    @property
    def target(self) -> str:
        """The dotted name the alias stands for: `c` after `import a.b as c` is `a.b`
        (and so is `a` after `import a.b as a`), `a` after `import a.b` is `a`, `y` after
        `from .x import y` is `.x.y`."""
        if self.name is None:
            return self.module if self.renamed else self.alias
        prefix = "." * self.level + self.module
        return f"{prefix}.{self.name}" if prefix else self.name


def imported_names(
    node: cst.Import | cst.ImportFrom,
) -> Iterator[tuple[cst.ImportAlias | cst.ImportFrom, ImportedName]]:
    """The names an import statement binds, each with the node that binds it (its alias;
    the statement itself for `from x import *`)."""
    if isinstance(node, cst.Import):
        for alias in node.names:
            module = dotted_name(alias.name) or ""
            bound = _bound(alias)
            yield alias, ImportedName(module, None, bound or module.split(".")[0], 0, bool(bound))
        return
    module = dotted_name(node.module) or ""
    level = len(node.relative)
    if isinstance(node.names, cst.ImportStar):
        yield node, ImportedName(module, "*", "*", level, False)
        return
    for alias in node.names:
        name = dotted_name(alias.name) or ""
        bound = _bound(alias)
        yield alias, ImportedName(module, name, bound or name, level, bool(bound))


def _bound(alias: cst.ImportAlias) -> str | None:
    """The `as` name of an import alias, if it has one."""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
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
