"""Module resolution the way the Lambda runtime does it: a dotted module name is looked
up under the function's code root (`LAMBDA_TASK_ROOT`), then under the folders that
hold the importing file, up to the project root."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from lambda_lint.index import Import


class ModuleResolver:
    """Finds the project file a module name or an import statement refers to."""

    def __init__(self, files: Iterable[Path], root: Path, code_roots: Iterable[Path]) -> None:
        self.files = set(files)
        self.root = root
        self.code_roots = sorted(set(code_roots), key=lambda p: len(p.parts), reverse=True)

    def file_for(self, module: str, base: Path) -> Path | None:
        """The file of `module` (dotted) under folder `base`, if the project has it."""
        if not module:
            return None
        relative = Path(*module.split("."))
        for candidate in (base / relative.with_suffix(".py"), base / relative / "__init__.py"):
            if candidate in self.files:
                return candidate
        return None

    def search_roots(self, importer: Path) -> list[Path]:
        """Where absolute imports of `importer` are looked up, most specific first."""
        roots = [r for r in self.code_roots if r in importer.parents]
        folder = importer.parent
        while True:
            if folder not in roots:
                roots.append(folder)
            if folder == self.root or folder == folder.parent or self.root not in folder.parents:
                break
            folder = folder.parent
        if self.root not in roots:
            roots.append(self.root)
        return roots

    def resolve_module(self, module: str, importer: Path, level: int = 0) -> Path | None:
        if level:
            base = importer.parent
            for _ in range(level - 1):
                base = base.parent
            if not module:
                init = base / "__init__.py"
                return init if init in self.files else None
            return self.file_for(module, base)
        for root in self.search_roots(importer):
            found = self.file_for(module, root)
            if found is not None:
                return found
        return None

    def resolve_import(self, item: Import, importer: Path) -> tuple[Path | None, str | None]:
        """For `from x import y`: the file of `x.y` if it is a module (and None), else the
        file of `x` and the name `y`. For `import x.y`: the file of `x.y`."""
        if item.name is None:
            return self.resolve_module(item.module, importer, item.level), None
        joined = f"{item.module}.{item.name}" if item.module else item.name
        submodule = self.resolve_module(joined, importer, item.level)
        if submodule is not None:
            return submodule, None
        return self.resolve_module(item.module, importer, item.level), item.name
