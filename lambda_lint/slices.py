"""Model slices: the part of the project model the check of one file can read.

The findings of a file are cached under its text and its slice, so that after an edit
only the files whose slice changed are checked again. A slice is, on the safe side:

- the project-wide facts any check may consult: the handlers the model found (with
  their triggers and evidence), the declared and unresolved handlers, the set of
  project files, and every module's surface — its imports, function signatures,
  classes, module-level objects and aliases — from which rules derive project-wide
  tables (the frameworks in use, the modules imported anywhere);
- the full text of every module related to the file: each module that reaches it
  through imports and resolved calls (its callers decide the phase, the call chain and
  the values of its functions), and each module those reach in turn (what the callers'
  other callees return, what the file's own calls resolve to).

A body-only edit to a module therefore re-checks that module and the modules it is
related to; a new import or a changed signature re-checks everything.

The project-wide facts also key the model's analyses that read nothing else, or that
read besides only the text of the one file each value is about
(`ProjectModel.kept_analysis`, `kept_per_file`): `store` (a
`handler_results.StoredResults`, which also holds the project rules' per-unit results)
keeps them in the cache, so that a body-only edit computes again only what reads the
edited body (here, the modules the edited module's calls reach) and reads the rest back.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from lambda_lint.cache import Cache, digest
from lambda_lint.handler_results import StoredResults
from lambda_lint.model.project import ProjectModel
from lambda_lint.path_order import sorted_paths


class Slices:
    """The slice keys of a project's files, from its model and the digests of the
    files' contents (`contents`, by path; every module of the model has one). The
    model keeps its analyses in `cache` through `store` from here on, where the project
    rules keep their per-unit results too."""

    def __init__(
        self, model: ProjectModel, contents: Mapping[Path, str], base: str, cache: Cache
    ) -> None:
        self.model = model
        self.contents = contents
        self.paths = sorted_paths(model.modules)
        self._index = {path: i for i, path in enumerate(self.paths)}
        self.shared = digest(base, *self._project_facts())
        self.store = StoredResults(cache, self.shared, contents)
        model.store = self.store
        model.keep_calls()
        kept = model.kept_per_file(
            "slices.successors",
            self.paths,
            lambda path: sorted_paths(self._successors(path)),
            list[Path],
        )
        successors = [{self._index[p] for p in kept[path]} for path in self.paths]
        predecessors: list[set[int]] = [set() for _ in self.paths]
        for source, targets in enumerate(successors):
            for target in targets:
                predecessors[target].add(source)
        self._down = _closures(successors)
        self._up = _closures(predecessors)
        self._by_mask: dict[int, str] = {}

    def key(self, path: Path) -> str | None:
        """The digest of everything the check of `path` can read of the model; None for
        a file the model has no summary of."""
        index = self._index.get(path)
        if index is None:
            return None
        related = 0
        for upstream in _bits(self._up[index]):
            related |= self._down[upstream]
        found = self._by_mask.get(related)
        if found is None:
            found = self._by_mask[related] = digest(
                *(f"{self.paths[i]}:{self.contents[self.paths[i]]}" for i in _bits(related))
            )
        return digest(self.shared, str(path), found)

    def upstream(self, path: Path) -> set[Path] | None:
        """The files that reach `path` through imports and resolved calls, `path`
        included; None for a file the model has no summary of."""
        index = self._index.get(path)
        if index is None:
            return None
        return {self.paths[i] for i in _bits(self._up[index])}

    def _project_facts(self) -> Iterator[str]:
        model = self.model
        yield from (declared.facts for declared in model.declared)
        yield model.handler_table.facts
        yield repr(model.unresolved)
        yield repr(sorted(model.resolver.unreadable))
        for path in self.paths:
            yield f"{path}:{model.modules[path].surface}"

    def _successors(self, path: Path) -> set[Path]:
        """The modules `path` imports (with the packages the imports run) and the
        modules of the functions its calls resolve to: its body's calls read, and the
        surface of the others."""
        model, found = self.model, set()
        summary = model.modules[path]
        for item in summary.imports:
            target, _ = model.resolver.resolve_import(item, path)
            found.add(target)
            if item.name is not None:
                found.add(model.resolver.resolve_module(item.module, path, item.level))
            found.update(model.resolver.packages(item.module, path, item.level))
        for qualname in summary.functions:
            found.update(target[0] for _, target in model.callees((path, qualname)))
        for call in summary.init_calls:
            target = model.resolve_name(path, call.target)
            if target is not None:
                found.add(target[0])
        return {p for p in found if p in self._index and p != path}


def _closures(successors: list[set[int]]) -> list[int]:
    """Per node, the set (a bit mask) of the nodes it reaches, itself included."""
    reach = [1 << i for i in range(len(successors))]
    changed = True
    while changed:
        changed = False
        for node, targets in enumerate(successors):
            mask = reach[node]
            for target in targets:
                mask |= reach[target]
            if mask != reach[node]:
                reach[node] = mask
                changed = True
    return reach


def _bits(mask: int) -> Iterator[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low
