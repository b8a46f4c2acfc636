"""Where a module uses the names its module-scope imports bind.

One pass over a module's tree records every occurrence of a name in an expression (not
an attribute after a dot, not a keyword argument's name, not the name a `def` or an
import binds), with where it is: the function it is in, whether it is in an `except`
block, under `if __name__ == "__main__":`, or in an annotation (string annotations
included). Counting generously is deliberate: a name that might be a use is a use, so
an import is called unused only when nothing in the module can need it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import libcst as cst

from lambda_lint.model.names import dotted_name, qualname, string_value
from lambda_lint.walk import Visitor

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: calls that reach names by string, so no import of the module is provably unused
DYNAMIC = frozenset({"globals", "locals", "vars", "eval", "exec", "__import__"})


@dataclass(frozen=True)
class Use:
    #: qualname of the enclosing function (None: module scope or a class body)
    function: str | None
    #: the enclosing function is nested in another function
    nested: bool
    in_except: bool
    in_main_guard: bool
    in_annotation: bool


@dataclass
class ModuleUses:
    uses: dict[str, list[Use]]
    #: names listed in `__all__`
    exported: set[str]
    #: the module reaches names by string (`globals()`, `eval`, ...)
    dynamic: bool
    #: the import statements that run when the module is imported (not in a function,
    #: a class or a `__main__` block)
    imports: list[cst.Import | cst.ImportFrom] = field(default_factory=list)


def is_main_guard(node: cst.If) -> bool:
    test = node.test
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    sides = {dotted_name(test.left), *(string_value(c.comparator) for c in test.comparisons)}
    return {"__name__", "__main__"} <= sides


class _Collector(Visitor):
    def __init__(self) -> None:
        self.result = ModuleUses(defaultdict(list), set(), False)
        self.scopes: list[tuple[str, bool]] = []
        self.function_depth = 0
        self.except_depth = 0
        self.main_depth = 0
        self.annotation_depth = 0
        self.in_all = False

    def _use(self, name: str) -> None:
        function = None
        if self.function_depth:
            # the outermost function: what the call graph knows
            names = []
            for scope_name, is_function in self.scopes:
                names.append((scope_name, is_function))
                if is_function:
                    break
            function = qualname(names)
        self.result.uses[name].append(
            Use(
                function,
                self.function_depth > 1,
                self.except_depth > 0,
                self.main_depth > 0,
                self.annotation_depth > 0,
            )
        )

    # -- scopes ---------------------------------------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        # decorators, defaults and annotations run where the `def` is
        for decorator in node.decorators:
            self.walk(decorator)
        self.walk(node.params)
        if node.returns is not None:
            self.walk(node.returns)
        self.scopes.append((node.name.value, True))
        self.function_depth += 1
        self.walk(node.body)
        self.function_depth -= 1
        self.scopes.pop()
        return False

    def visit_Param(self, node: cst.Param) -> bool:
        if node.annotation is not None:
            self.walk(node.annotation)
        if node.default is not None:
            self.walk(node.default)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        for part in (*node.decorators, *node.bases, *node.keywords):
            self.walk(part)
        self.scopes.append((node.name.value, False))
        self.walk(node.body)
        self.scopes.pop()
        return False

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> bool:
        if node.type is not None:
            self.walk(node.type)  # matched whenever an exception passes: not a rare path
        self.except_depth += 1
        self.walk(node.body)
        self.except_depth -= 1
        return False

    def visit_If(self, node: cst.If) -> bool:
        if not self.scopes and is_main_guard(node):
            self.walk(node.test)
            self.main_depth += 1
            self.walk(node.body)
            self.main_depth -= 1
            if node.orelse is not None:
                self.walk(node.orelse)
            return False
        return True

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self.annotation_depth += 1

    def leave_Annotation(self, original_node: cst.Annotation) -> None:
        self.annotation_depth -= 1

    # -- names ----------------------------------------------------------------------------

    def visit_Name(self, node: cst.Name) -> None:
        self._use(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        self.walk(node.value)  # `.attr` is not a name of this module
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        self.walk(node.value)  # a keyword is not a name of this module
        return False

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value in DYNAMIC:
            self.result.dynamic = True

    def visit_Import(self, node: cst.Import) -> bool:
        self._import(node)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        self._import(node)
        return False

    def _import(self, node: cst.Import | cst.ImportFrom) -> None:
        if not self.scopes and not self.main_depth:
            self.result.imports.append(node)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if self.annotation_depth or self.in_all:
            text = string_value(node)
            if text is None:
                return
            if self.in_all:
                self.result.exported.add(text)
            else:
                for word in IDENTIFIER.findall(text):
                    self._use(word)

    def visit_Assign(self, node: cst.Assign) -> bool:
        targets = {dotted_name(t.target) for t in node.targets}
        if "__all__" in targets and not self.scopes:
            self.in_all = True
            self.walk(node.value)
            self.in_all = False
            return False
        return True

    def visit_AugAssign(self, node: cst.AugAssign) -> bool:
        if dotted_name(node.target) == "__all__" and not self.scopes:
            self.in_all = True
            self.walk(node.value)
            self.in_all = False
            return False
        return True


def module_uses(module: cst.Module) -> ModuleUses:
    collector = _Collector()
    collector.walk(module)
    return collector.result


def type_comment_names(code: str) -> set[str]:
    """Identifiers in `# type:` comments, which type checkers read as uses."""
    found: set[str] = set()
    for match in re.finditer(r"#\s*type:\s*([^#\n]*)", code):
        found.update(IDENTIFIER.findall(match.group(1)))
    return found
