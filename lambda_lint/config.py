"""Configuration: `[tool.lambda-lint]` in `pyproject.toml`, or a `lambda-lint.toml`.

The file is found by walking up from the checked paths (`--config` overrides). Every key
is validated: an unknown key, a value of the wrong type or a broken file is a
`ConfigError` naming the key and the file, never a silent default.
"""

from __future__ import annotations

import difflib
import json
import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambda_lint.triggers import TRIGGERS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

CONFIG_FILE = "lambda-lint.toml"
DEFAULT_HANDLER_NAMES = ("lambda_handler", "handler", "main")
#: the largest configuration file and event schema read (both are small by nature)
MAX_CONFIG_BYTES = 1024 * 1024
MAX_SCHEMA_BYTES = 8 * 1024 * 1024
OUTPUT_FORMATS = ("full", "concise", "json", "json-lines", "sarif", "github", "junit", "gitlab")


class ConfigError(Exception):
    """A configuration problem the user must fix; the message names the file and key."""


@dataclass(frozen=True)
class HandlerTarget:
    """A handler named in config: `target = "src/app.handler"`, optional `trigger`."""

    target: str
    trigger: str | None
    #: the folder the target path is relative to (the config file's folder)
    base: Path
    #: the line of the entry in the config file, for LL103
    line: int


@dataclass(frozen=True)
class Settings:
    """The resolved configuration of a run."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    output_format: str | None = None
    handler_names: tuple[str, ...] = DEFAULT_HANDLER_NAMES
    handlers: tuple[HandlerTarget, ...] = ()
    plugins: tuple[str, ...] = ()
    cache_dir: Path | None = None
    client_constructors: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()
    #: custom event shapes: handler target -> JSON Schema file (for an EventBridge or
    #: scheduled handler, the schema of `detail`; otherwise of the whole event)
    events: dict[str, Path] = field(default_factory=dict)
    #: other tables, by key: rules' options (`[tool.lambda-lint.<table>]`), checked
    #: against the options the loaded rules declare
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the file the settings came from (None: defaults)
    path: Path | None = None

    @property
    def root(self) -> Path | None:
        return self.path.parent if self.path else None

    def input_files(self) -> tuple[Path, ...]:
        """Every file the settings come from or name for the run to read (the config
        file, the event schemas): a cached result is valid only while they are unchanged."""
        own = (self.path,) if self.path else ()
        return (*own, *sorted(set(self.events.values())))


def _string_list(value: Any, key: str, where: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _string(value: Any, key: str, where: Path) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: '{key}' must be a string")
    return value


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; `OSError` (with a reason)
    for anything else: a FIFO or a device is never read, it may never end."""
    # opened without blocking: opening a FIFO for reading waits for a writer
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(f"{path}: not a regular file")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError(f"{path}: larger than {limit // 1024} KiB")
    return data


def _table(value: Any, key: str, where: Path) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: '{key}' must be a table")
    return value


def _unknown_key(key: str, known: tuple[str, ...], table: str, where: Path) -> ConfigError:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return ConfigError(f"{where}: unknown key '{key}' in {table}{hint}")


def _handlers(value: Any, where: Path, text: str) -> tuple[HandlerTarget, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: 'handlers' must be a list of tables or strings")
    result = []
    for index, entry in enumerate(value):
        key = f"handlers[{index}]"
        if isinstance(entry, str):
            entry = {"target": entry}
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: '{key}' must be a table or a string")
        for name in entry:
            if name not in ("target", "trigger"):
                raise _unknown_key(name, ("target", "trigger"), f"'{key}'", where)
        if "target" not in entry:
            raise ConfigError(f"{where}: '{key}' has no 'target'")
        target = _string(entry["target"], f"{key}.target", where)
        trigger = entry.get("trigger")
        if trigger is not None:
            trigger = _string(trigger, f"{key}.trigger", where)
            if trigger not in TRIGGERS:
                close = difflib.get_close_matches(trigger, list(TRIGGERS), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise ConfigError(f"{where}: '{key}.trigger' = '{trigger}' is unknown{hint}")
        result.append(HandlerTarget(target, trigger, where.parent, _line_of(text, target)))
    return tuple(result)


def _line_of(text: str, needle: str) -> int:
    """The 1-based line where a quoted string first appears (1 if not found)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if f'"{needle}"' in line or f"'{needle}'" in line:
            return number
    return 1


def _event_schemas(table: dict[str, Any], where: Path) -> dict[str, Path]:
    """`events = { "src/app.handler" = "schemas/order.json" }` (or a key
    `"detail-type:Order Placed"`): each file must be JSON."""
    schemas = {}
    for target, schema in table.items():
        path = where.parent / _string(schema, f"events.{target}", where)
        try:
            json.loads(read_limited(path, MAX_SCHEMA_BYTES).decode("utf-8"))
        except (OSError, ValueError, RecursionError) as error:
            if isinstance(error, RecursionError):
                error = ValueError("nested too deeply")
            raise ConfigError(
                f"{where}: 'events.{target}': cannot read the JSON Schema {path}: {error}"
            ) from None
        schemas[target] = path.resolve()
    return schemas


def settings_from_table(table: dict[str, Any], where: Path, text: str = "") -> Settings:
    """Validate a `[tool.lambda-lint]` table and turn it into `Settings`."""
    values: dict[str, Any] = {"path": where}
    for key, value in table.items():
        attr = key.replace("-", "_")
        if key in (
            "select",
            "ignore",
            "extend-select",
            "exclude",
            "extend-exclude",
            "plugins",
        ) or key in ("handler-names", "client-constructors", "templates"):
            values[attr] = _string_list(value, key, where)
        elif key == "per-file-ignores":
            values[attr] = {
                pattern: _string_list(codes, f"per-file-ignores.{pattern}", where)
                for pattern, codes in _table(value, key, where).items()
            }
        elif key == "output-format":
            fmt = _string(value, key, where)
            if fmt not in OUTPUT_FORMATS:
                raise ConfigError(
                    f"{where}: 'output-format' = '{fmt}' is not one of {', '.join(OUTPUT_FORMATS)}"
                )
            values[attr] = fmt
        elif key == "handlers":
            values[attr] = _handlers(value, where, text)
        elif key == "cache-dir":
            folder = _string(value, key, where)
            if not folder.strip():
                raise ConfigError(f"{where}: 'cache-dir' must name a folder (it is empty)")
            values[attr] = where.parent / folder
        elif key == "events":
            values[attr] = _event_schemas(_table(value, key, where), where)
        elif isinstance(value, dict):
            values.setdefault("rule_options", {})[key] = value
        else:
            raise _unknown_key(key, KNOWN_KEYS, "[tool.lambda-lint]", where)
    return Settings(**values)


KNOWN_KEYS = (
    "select",
    "ignore",
    "extend-select",
    "per-file-ignores",
    "exclude",
    "extend-exclude",
    "output-format",
    "handler-names",
    "handlers",
    "plugins",
    "cache-dir",
    "client-constructors",
    "templates",
    "events",
)


def load_config_file(path: Path) -> Settings:
    """Read settings from a `lambda-lint.toml` or a `pyproject.toml`."""
    try:
        text = read_limited(path, MAX_CONFIG_BYTES).decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read the configuration: {error}") from None
    document = _parse_toml(path, text)
    if path.name == "pyproject.toml":
        tool = document.get("tool")
        table = tool.get("lambda-lint") if isinstance(tool, dict) else None
        if table is None:
            return Settings(path=path)
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.lambda-lint] must be a table")
        return settings_from_table(table, path, text)
    return settings_from_table(document, path, text)


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None


def has_own_table(pyproject: Path) -> bool:
    """Whether a pyproject.toml configures lambda-lint: `[tool.lambda-lint]`, dotted
    keys (`lambda-lint.select = ...` under `[tool]`) and inline tables alike. A file
    that does not parse but names the table counts, so its error is reported."""
    try:
        text = read_limited(pyproject, MAX_CONFIG_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return False
    try:
        tool = _parse_toml(pyproject, text).get("tool")
    except ConfigError:
        return "lambda-lint" in text
    return isinstance(tool, dict) and "lambda-lint" in tool


def find_config_file(start: Path) -> Path | None:
    """The nearest `lambda-lint.toml`, or `pyproject.toml` with our table, at or above
    `start`."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        own = candidate / CONFIG_FILE
        if own.is_file():
            return own
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and has_own_table(pyproject):
            return pyproject
    return None


def resolve_settings(paths: list[Path], explicit: Path | None) -> Settings:
    """The settings for a run: `--config`, else the file found above the first path."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
        return load_config_file(explicit.resolve())
    start = (paths[0] if paths else Path.cwd()).resolve()
    found = find_config_file(start)
    return load_config_file(found) if found else Settings()
