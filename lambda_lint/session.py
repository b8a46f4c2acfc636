"""A run's configuration: settings and rules, loaded and validated together.

The CLI and the language server share this: a broken config, a plugin that does not
load or a rule code that does not exist is a `ConfigurationError` naming the file, key,
code or plugin. The CLI turns it into exit status 2, the server into a message.

The configuration file belongs to the checked repository, which is not trusted: a pull
request from a fork, or a folder opened in an editor, must not run code in the linter.
So two settings take effect only when the person running lambda-lint allows it (the
`--allow-local-plugins` flag, `LAMBDA_LINT_ALLOW_LOCAL_PLUGINS=1`, or the language
server's `allowLocalPlugins` option): `plugins`, which imports modules from the project,
and `cache-dir`, whose pickled entries are loaded. Without consent they are left out
with a warning, and the run goes on with the built-in and installed rules.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from lambda_lint.config import ConfigError, Settings

if TYPE_CHECKING:  # the rules load when a run configures them, not on import
    from lambda_lint.registry import RuleSet
    from lambda_lint.rule import BaseRule

ALLOW_LOCAL_PLUGINS_ENV = "LAMBDA_LINT_ALLOW_LOCAL_PLUGINS"


class ConfigurationError(Exception):
    """The configuration cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Configuration:
    settings: Settings
    ruleset: RuleSet
    #: the rules the settings enable (before command-line selection)
    enabled: frozenset[str]
    #: settings left out for want of consent, in sentences for the user
    warnings: tuple[str, ...] = ()


def local_plugins_allowed(flag: bool = False) -> bool:
    """Whether the person running lambda-lint allows the project's configuration to
    load local plugins and choose the cache folder: the flag, or the environment."""
    value = os.environ.get(ALLOW_LOCAL_PLUGINS_ENV, "").strip().lower()
    return flag or value in ("1", "true", "yes", "on")


def _withhold_untrusted(settings: Settings) -> tuple[Settings, tuple[str, ...]]:
    """The settings without what needs consent, and a warning for each thing left out."""
    consent = f"--allow-local-plugins (or set {ALLOW_LOCAL_PLUGINS_ENV}=1)"
    warnings = []
    if settings.plugins:
        warnings.append(
            f"{settings.path}: local plugins {', '.join(settings.plugins)} not loaded: "
            f"a project's configuration runs code only when you allow it with {consent}"
        )
    if settings.cache_dir is not None:
        warnings.append(
            f"{settings.path}: `cache-dir` ignored: a project's configuration chooses the "
            f"cache folder only when you allow it with {consent}; "
            "LAMBDA_LINT_CACHE_DIR sets it for you"
        )
    return replace(settings, plugins=(), cache_dir=None), tuple(warnings)


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


def configure(settings: Settings, allow_local_plugins: bool = False) -> Configuration:
    """Load the rules the settings ask for and check every code the settings name.
    Without consent (see `local_plugins_allowed`), local plugins and `cache-dir` are
    left out; codes the config names that only those plugins could define are then
    not an error."""
    from lambda_lint.registry import RegistryError, load_rules

    warnings: tuple[str, ...] = ()
    withheld = False
    if not local_plugins_allowed(allow_local_plugins):
        withheld = bool(settings.plugins)
        settings, warnings = _withhold_untrusted(settings)
    try:
        with local_plugin_path(settings):
            ruleset = load_rules(settings.plugins)
    except RegistryError as error:
        where = f" (configured in {settings.path})" if settings.plugins and settings.path else ""
        raise ConfigurationError(f"{error}{where}") from None
    selectors = [*(settings.select or ()), *settings.extend_select, *settings.ignore]
    unknown = ruleset.unknown_selectors(selectors)
    if unknown and not withheld:
        raise ConfigurationError(
            f"{settings.path}: unknown rule code or prefix: {', '.join(unknown)}"
        )
    for pattern, codes in settings.per_file_ignores.items():
        bad = ruleset.unknown_selectors(codes)
        if bad and not withheld:
            raise ConfigurationError(
                f"{settings.path}: unknown rule code in per-file-ignores '{pattern}': {', '.join(bad)}"
            )
    check_rule_options(settings, ruleset, withheld)
    enabled = ruleset.select(settings.select, settings.extend_select, settings.ignore)
    return Configuration(settings, ruleset, frozenset(enabled), warnings)


def check_rule_options(settings: Settings, ruleset: RuleSet, withheld: bool = False) -> None:
    """Every other table of the configuration must be some rule's options table, with
    only options that rule declares, each with an acceptable value. With local plugins
    `withheld`, a table no loaded rule owns may be theirs, and is not an error."""
    tables: dict[str, list[type[BaseRule]]] = {}
    for rule in ruleset.rules.values():
        if rule.options:
            tables.setdefault(rule.options_key(), []).append(rule)
    for key, table in settings.rule_options.items():
        owners = tables.get(key)
        if owners is None and withheld:
            continue
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


__all__ = [
    "ALLOW_LOCAL_PLUGINS_ENV",
    "ConfigError",
    "Configuration",
    "ConfigurationError",
    "configure",
    "local_plugin_path",
    "local_plugins_allowed",
]
