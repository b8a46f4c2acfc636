"""The rule API: what a built-in or plugin rule is, and what it sees while checking.

A rule is one class. Its docstring is its documentation, its `VALID` and `INVALID`
examples are its tests (see `lambda_lint.testing`). A `Rule` implements libcst visitor
methods (`visit_Call`, `leave_FunctionDef`, ...): the engine walks each file once and
calls every enabled rule's methods for each node, so a rule never walks a tree itself.
A `ProjectRule` implements `check_project()` and runs once per project:

    import libcst as cst

    from lambda_lint import Example, ProjectRule, Rule


    class NoPrint(Rule):
        '''Reports `print()` in code that runs on every invocation.'''

        code = "ACME001"
        name = "no-print"
        summary = "print() in per-invocation code"
        reached_code_only = True
        VALID = [Example("def handler(event, context):\\n    return event\\n")]
        INVALID = [Example("def handler(event, context):\\n    print(event)\\n")]

        def visit_Call(self, node: cst.Call) -> None:
            name = self.context.qualified_name(node.func)
            if name == "builtins.print" and self.context.in_invoke_code():
                self.report(node, "print() in per-invocation code")


    class OneHandlerPerModule(ProjectRule):
        '''Reports each handler of a module that holds more than one.'''

        code = "ACME002"
        name = "one-handler-per-module"
        summary = "More than one handler in a module"
        VALID = [Example("def handler(event, context):\\n    return 1\\n")]
        INVALID = [
            Example(
                "def a(event, context):\\n    return 1\\n\\n\\ndef b(event, context):\\n    return 2\\n",
                count=2,
            )
        ]

        def check_project(self) -> None:
            by_file = {}
            for handler in self.project.model.handlers.values():
                by_file.setdefault(handler.file, []).append(handler)
            for handlers in by_file.values():
                if len(handlers) > 1:
                    for handler in handlers:
                        self.report_handler(handler, "one of several handlers")
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ClassVar

import libcst as cst

if TYPE_CHECKING:
    from pathlib import Path

    from lambda_lint.check_context import CheckContext
    from lambda_lint.descriptors.model import SourceRef
    from lambda_lint.finding import Fix, Position, RelatedLocation
    from lambda_lint.model.handlers import Handler
    from lambda_lint.project_context import ProjectContext

CODE_PATTERN = re.compile(r"^[A-Z]{1,4}[0-9]{3,4}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Option:
    """A setting a rule reads from its options table in the configuration
    (`[tool.lambda-lint.<table>]`, the table being the rule's `options_table`, by
    default its name). `parse` turns the configured value into what the rule uses and
    raises `ValueError` with a message when the value is not acceptable."""

    name: str
    default: Any
    help: str
    parse: Callable[[Any], Any] = field(default=lambda value: value, compare=False)


def number_option(value: Any) -> float:
    """A finite, non-negative number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be a number")
    if not math.isfinite(value) or value < 0:
        raise ValueError("must be a finite, non-negative number")
    return float(value)


def strings_option(value: Any) -> tuple[str, ...]:
    """A list of strings."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("must be a list of strings")
    return tuple(value)


def numbers_by_name_option(value: Any) -> dict[str, float]:
    """A table of names to finite, non-negative numbers."""
    if not isinstance(value, dict):
        raise ValueError("must be a table of names to numbers")
    return {str(name): number_option(number) for name, number in value.items()}


def mentions(text: str, qualified_names: Iterable[str]) -> bool:
    """Whether a file holding `text` may refer to one of `qualified_names` (`sys.exit`,
    `builtins.exit`) as `CheckContext.qualified_name` resolves names: through the file's
    own imports, so the first part of an imported name is written in the file (in its
    import), and so is its last part (in the import or at the use); a builtin's name is
    written as it is. For `Rule.may_report_in`."""
    for name in qualified_names:
        first, _, _ = name.partition(".")
        last = name.rpartition(".")[2]
        if (first == "builtins" or first in text) and last in text:
            return True
    return False


@dataclass(frozen=True)
class Example:
    """A code snippet a rule must accept (VALID) or report (INVALID).

    The snippet is linted as the module `app.py` of a one-file project, through the
    whole pipeline, exactly as a user would see it.

    - `trigger`: the trigger of the handler named `handler` in the snippet (as if a
      descriptor declared `app.<handler>` with that trigger).
    - `declared`: the handler is declared (as a descriptor would) even without a
      trigger; always true when `trigger` is given.
    - `files`: more modules of the same project (`{"helpers.py": "..."}`).
    - `config`: extra `[tool.lambda-lint]` settings, e.g. `{"handler-names": ["run"]}`.
    - `count`: for INVALID examples, how many findings of the rule are expected.
    - `message`: for INVALID examples, a text every finding's message must contain.
    - `at`: for INVALID examples, the source text every finding's range must cover
      exactly (`'event["Records"][0]'`), so the example pins where it is reported.
    - `fixed`: for INVALID examples, the module after applying the rule's fixes
      (unsafe ones included), so the example pins what the fix writes.
    """

    code: str
    trigger: str | None = None
    declared: bool = False
    handler: str = "handler"
    files: dict[str, str] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    count: int = 1
    message: str | None = None
    at: str | None = None
    fixed: str | None = None


class BaseRule:
    """What every lambda-lint rule declares: its code, name, documentation and examples.
    A rule subclasses `Rule` (it visits each file's tree) or `ProjectRule` (it judges
    the project once) and sets the class attributes below."""

    #: stable code, e.g. "LL101"; a plugin uses its own prefix
    code: ClassVar[str] = ""
    #: kebab-case name, e.g. "handler-signature"
    name: ClassVar[str] = ""
    #: one line, shown by `lambda-lint rules` and as the SARIF short description
    summary: ClassVar[str] = ""
    default_enabled: ClassVar[bool] = True
    #: "error" or "warning" (SARIF level)
    severity: ClassVar[str] = "error"
    #: "none", "safe", "unsafe" or "sometimes": what `--fix` can do for it
    fixable: ClassVar[str] = "none"
    since: ClassVar[str] = "0.1.0"
    VALID: ClassVar[list[Example]] = []
    INVALID: ClassVar[list[Example]] = []

    #: settings the rule reads from the configuration, and the table they live in
    #: (`[tool.lambda-lint.<options_table>]`; default: the rule's name); rules of a
    #: family may share one table
    options: ClassVar[tuple[Option, ...]] = ()
    options_table: ClassVar[str] = ""

    #: set by the engine when the rule is registered: "built-in" or the plugin's name
    origin: ClassVar[str] = "built-in"

    @classmethod
    def options_key(cls) -> str:
        return cls.options_table or cls.name

    @classmethod
    def option_values(cls, configured: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        """The rule's options: the configured values (parsed), else the defaults.
        Raises `ValueError` naming the option when a configured value is not
        acceptable."""
        table = configured.get(cls.options_key(), {})
        values = {}
        for option in cls.options:
            if option.name in table:
                try:
                    values[option.name] = option.parse(table[option.name])
                except ValueError as error:
                    raise ValueError(f"'{cls.options_key()}.{option.name}' {error}") from None
            else:
                values[option.name] = option.default
        return values

    @classmethod
    def documentation(cls) -> str:
        """The rule's documentation: its docstring, dedented."""
        return inspect.cleandoc(cls.__doc__ or "").strip()

    @classmethod
    def url(cls) -> str | None:
        """Where the rule's documentation lives on the web (built-in rules only)."""
        if cls.origin != "built-in":
            return None
        return f"{DOCS_BASE_URL}/{cls.code}.md"

    @classmethod
    def metadata_problems(cls) -> list[str]:
        """Why this class is not a usable rule (empty when it is)."""
        problems = []
        if not CODE_PATTERN.match(cls.code or ""):
            problems.append(f"code {cls.code!r} is not like 'ABC123'")
        if not NAME_PATTERN.match(cls.name or ""):
            problems.append(f"name {cls.name!r} is not kebab-case")
        if not cls.summary:
            problems.append("summary is empty")
        if cls.severity not in ("error", "warning"):
            problems.append(f"severity {cls.severity!r} is not 'error' or 'warning'")
        if cls.fixable not in ("none", "safe", "unsafe", "sometimes"):
            problems.append(f"fixable {cls.fixable!r} is not none/safe/unsafe/sometimes")
        return problems


class Rule(BaseRule):
    """A rule that visits the tree of every checked file, in the engine's single walk,
    through libcst visitor methods (`visit_Call`, `leave_FunctionDef`, ...), and asks the
    project model about what it sees through `self.context` (`CheckContext`)."""

    #: True when the rule reports only in code a handler reaches (module scope run at
    #: INIT, functions run at INIT or on invocation: `CheckContext.phase()` is not
    #: UNKNOWN there). A file no handler reaches is then not parsed for it at all, which
    #: in a real project is most of its files (tests, infrastructure code, tools).
    reached_code_only: ClassVar[bool] = False

    @classmethod
    def may_report_in(cls, path: Path, text: str) -> bool:
        """False when the rule cannot report in the file `path` holding `text`, whatever
        its syntax (a rule that looks for a literal, or for calls to certain functions,
        can tell from the text: see `mentions`). The rule is then not run on that file,
        and a file no enabled rule may report in is not parsed at all. For a file no
        handler reaches, not asked of `reached_code_only` rules (they are not run
        there)."""
        return True

    def __init__(self, context: CheckContext) -> None:
        self.context = context

    @property
    def settings(self) -> dict[str, Any]:
        """This rule's options (see `options`), as configured or by default."""
        return self.option_values(self.context.settings.rule_options)

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        *,
        fix: Fix | None = None,
        related: tuple[RelatedLocation, ...] = (),
    ) -> None:
        """Report a finding of this rule at `node`."""
        self.context.add_finding(self.code, node, message, fix=fix, related=related)


class ProjectRule(BaseRule):
    """A rule that judges the project as a whole, once per run: per handler (an INIT
    budget), per declaration (a handler a descriptor names that does not exist), per
    module. It implements `check_project()` and reports through `self.project`
    (`ProjectContext`): at a handler's name, at a descriptor line, or anywhere in a
    project file. Its findings are filtered like every other (`noqa` on the reported
    line, `per-file-ignores`) and shown only for the files the user asked about."""

    def __init__(self, project: ProjectContext) -> None:
        self.project = project

    @property
    def settings(self) -> dict[str, Any]:
        """This rule's options (see `options`), as configured or by default."""
        return self.option_values(self.project.settings.rule_options)

    def check_project(self) -> None:
        """Look at `self.project.model` and report."""
        raise NotImplementedError

    def report_handler(
        self, handler: Handler, message: str, *, related: tuple[RelatedLocation, ...] = ()
    ) -> None:
        """Report at the name of a handler's `def`."""
        self.project.report_handler(self.code, handler, message, related=related)

    def report_declaration(self, source: SourceRef, text: str, message: str) -> None:
        """Report at `text` on the line of a descriptor or of the configuration that
        `source` points at (a handler string, say)."""
        self.project.report_declaration(self.code, source, text, message)

    def report_at(
        self,
        path: Path,
        start: Position,
        end: Position,
        message: str,
        *,
        fix: Fix | None = None,
        related: tuple[RelatedLocation, ...] = (),
    ) -> None:
        """Report anywhere in a project file."""
        self.project.report_at(self.code, path, start, end, message, fix=fix, related=related)


DOCS_BASE_URL = "https://github.com/lambda-lint/lambda-lint/blob/main/docs/rules"
