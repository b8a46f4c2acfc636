"""The rule registry: built-in rules and plugins, found the same way, checked loudly.

Rules come from the entry-point group `lambda_lint.rules` (lambda-lint registers its own
built-ins there too) and from `plugins = ["module.path"]` in config. An entry point's
value names a module, whose `Rule` subclasses are taken, or a single `Rule` class. A
plugin that fails to import, a class that is not a usable rule, or two rules with the
same code or name are a `RegistryError` naming the plugin.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import distributions
from types import ModuleType

from lambda_lint.rule import BaseRule

if sys.version_info >= (3, 10):
    from importlib.metadata import entry_points
else:  # pragma: no cover
    from importlib.metadata import entry_points as _entry_points

    def entry_points(group: str):  # type: ignore[no-untyped-def]
        return _entry_points().get(group, [])


GROUP = "lambda_lint.rules"
BUILTIN_MODULE = "lambda_lint.rules"


class RegistryError(Exception):
    """A plugin could not be loaded, or its rules clash with others."""


@dataclass(frozen=True)
class RuleSet:
    """Every known rule by code, in code order."""

    rules: dict[str, type[BaseRule]]

    def select(
        self,
        select: Iterable[str] | None,
        extend_select: Iterable[str] = (),
        ignore: Iterable[str] = (),
    ) -> set[str]:
        """The codes a run enables: Ruff's semantics (select replaces the defaults,
        extend-select adds, ignore removes; a selector is a code prefix or `ALL`)."""
        if select is None:
            chosen = {code for code, rule in self.rules.items() if rule.default_enabled}
        else:
            chosen = set()
            for selector in select:
                chosen |= self.matching(selector)
        for selector in extend_select:
            chosen |= self.matching(selector)
        for selector in ignore:
            chosen -= self.matching(selector)
        return chosen

    def matching(self, selector: str) -> set[str]:
        if selector == "ALL":
            return set(self.rules)
        return {code for code in self.rules if code.startswith(selector)}

    def unknown_selectors(self, selectors: Iterable[str]) -> list[str]:
        return [s for s in selectors if s != "ALL" and not self.matching(s)]


def rules_in_module(module: ModuleType) -> list[type[BaseRule]]:
    """The concrete `Rule` subclasses defined in a module, and in the submodules a
    package lists in `RULE_MODULES`. A class without a `code` is a shared base, not a
    rule."""
    found: list[type[BaseRule]] = []
    submodules = getattr(module, "RULE_MODULES", ())
    for name in submodules:
        found.extend(rules_in_module(importlib.import_module(f"{module.__name__}.{name}")))
    for _, value in inspect.getmembers(module, inspect.isclass):
        if issubclass(value, BaseRule) and value.code and value.__module__ == module.__name__:
            found.append(value)
    return found


def _load_target(target: str, origin: str) -> list[type[BaseRule]]:
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
        loaded = getattr(module, attr) if attr else module
    except Exception as error:  # a plugin may raise anything on import
        raise RegistryError(
            f"plugin '{origin}' failed to load ({target}): {type(error).__name__}: {error}"
        ) from None
    if inspect.isclass(loaded) and issubclass(loaded, BaseRule):
        return [loaded]
    if isinstance(loaded, ModuleType):
        return rules_in_module(loaded)
    raise RegistryError(f"plugin '{origin}' ({target}) is neither a module nor a Rule class")


def _origin_of(entry_point: object) -> str:
    """`name version` of the distribution declaring an entry point."""
    dist = getattr(entry_point, "dist", None)
    if dist is None:  # Python 3.9: entry points do not know their distribution
        dist = next(
            (
                candidate
                for candidate in distributions()
                if any(
                    e.group == GROUP and e.value == getattr(entry_point, "value", None)
                    for e in candidate.entry_points
                )
            ),
            None,
        )
    if dist is not None:
        return f"{dist.metadata['Name']} {dist.version}"
    return str(getattr(entry_point, "name", "?"))


def load_rules(local_plugins: Iterable[str] = ()) -> RuleSet:
    """Load built-in rules, installed plugins and local plugins, and check them."""
    sources: list[tuple[str, str]] = []
    builtin_seen = False
    for entry_point in entry_points(group=GROUP):
        if entry_point.value == BUILTIN_MODULE:
            builtin_seen = True
            sources.append(("built-in", BUILTIN_MODULE))
        else:
            sources.append((_origin_of(entry_point), entry_point.value))
    if not builtin_seen:  # running from a source tree that was never installed
        sources.insert(0, ("built-in", BUILTIN_MODULE))
    sources.extend((f"local plugin {name}", name) for name in local_plugins)

    rules: dict[str, type[BaseRule]] = {}
    names: dict[str, str] = {}
    for origin, target in sources:
        for rule in _load_target(target, origin):
            if origin != "built-in":
                rule.origin = origin
            problems = rule.metadata_problems()
            if problems:
                raise RegistryError(
                    f"plugin '{origin}': rule {rule.__qualname__} is not usable: "
                    + "; ".join(problems)
                )
            if rule.code in rules and rules[rule.code] is not rule:
                other = rules[rule.code]
                raise RegistryError(
                    f"rule code {rule.code} is defined twice: by {other.origin} "
                    f"({other.__qualname__}) and by {origin} ({rule.__qualname__})"
                )
            if rule.name in names and names[rule.name] != rule.code:
                raise RegistryError(
                    f"rule name '{rule.name}' is used twice: {names[rule.name]} and "
                    f"{rule.code} ({origin})"
                )
            rules[rule.code] = rule
            names[rule.name] = rule.code
    return RuleSet(dict(sorted(rules.items())))
