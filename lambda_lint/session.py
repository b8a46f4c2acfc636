"""A run's configuration: settings and rules, loaded and validated together.

The CLI and the language server share this: a broken config, a plugin that does not
load or a rule code that does not exist is a `ConfigurationError` naming the file, key,
code or plugin. The CLI turns it into exit status 2, the server into a message.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from lambda_lint.config import ConfigError, Settings
from lambda_lint.registry import RegistryError, RuleSet, load_rules
from lambda_lint.rule import BaseRule


class ConfigurationError(Exception):
    """The configuration cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Configuration:
    settings: Settings
    ruleset: RuleSet
    #: the rules the settings enable (before command-line selection)
    enabled: frozenset[str]


@contextmanager
def local_plugin_path(settings: Settings) -> Iterator[None]:
    """Local plugins are imported relative to the config file's folder."""
    folder = str(settings.root) if settings.root and settings.plugins else None
    if folder:
        sys.path.insert(0, folder)
    try:
        yield
    finally:
        if folder and folder in sys.path:
            sys.path.remove(folder)


def configure(settings: Settings) -> Configuration:
    """Load the rules the settings ask for and check every code the settings name."""
    try:
        with local_plugin_path(settings):
            ruleset = load_rules(settings.plugins)
    except RegistryError as error:
        where = f" (configured in {settings.path})" if settings.plugins and settings.path else ""
        raise ConfigurationError(f"{error}{where}") from None
    selectors = [*(settings.select or ()), *settings.extend_select, *settings.ignore]
    unknown = ruleset.unknown_selectors(selectors)
    if unknown:
        raise ConfigurationError(
            f"{settings.path}: unknown rule code or prefix: {', '.join(unknown)}"
        )
    for pattern, codes in settings.per_file_ignores.items():
        bad = ruleset.unknown_selectors(codes)
        if bad:
            raise ConfigurationError(
                f"{settings.path}: unknown rule code in per-file-ignores '{pattern}': {', '.join(bad)}"
            )
    check_rule_options(settings, ruleset)
    enabled = ruleset.select(settings.select, settings.extend_select, settings.ignore)
    return Configuration(settings, ruleset, frozenset(enabled))


def check_rule_options(settings: Settings, ruleset: RuleSet) -> None:
    """Every other table of the configuration must be some rule's options table, with
    only options that rule declares, each with an acceptable value."""
    tables: dict[str, list[type[BaseRule]]] = {}
    for rule in ruleset.rules.values():
        if rule.options:
            tables.setdefault(rule.options_key(), []).append(rule)
    for key, table in settings.rule_options.items():
        owners = tables.get(key)
        if owners is None:
            raise ConfigurationError(f"{settings.path}: unknown key '{key}' in [tool.lambda-lint]")
        declared = {option.name for rule in owners for option in rule.options}
        for name in table:
            if name not in declared:
                raise ConfigurationError(
                    f"{settings.path}: unknown option '{name}' in [{key}]"
                    f" (options: {', '.join(sorted(declared))})"
                )
        for rule in owners:
            try:
                rule.option_values(settings.rule_options)
            except ValueError as error:
                raise ConfigurationError(f"{settings.path}: {error}") from None


__all__ = ["ConfigError", "Configuration", "ConfigurationError", "configure", "local_plugin_path"]
