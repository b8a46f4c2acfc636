"""The rule API: what a built-in or plugin rule is, and what it sees while checking.

A rule is one class. Its docstring is its documentation, its `VALID` and `INVALID`
examples are its tests (see `lambda_lint.testing`), and it implements libcst visitor
methods (`visit_Call`, `leave_FunctionDef`, ...). The engine walks each file once and
calls every enabled rule's methods for each node, so a rule never walks a tree itself.

    class NoPrint(Rule):
        \"\"\"Reports `print` in handlers.\"\"\"

        code = "ACME001"
        name = "no-print"
        summary = "print() in a handler"
        VALID = [Example("def handler(event, context):\\n    log(event)\\n")]
        INVALID = [Example("def handler(event, context):\\n    print(event)\\n")]

        def visit_Call(self, node: cst.Call) -> None:
            if m.matches(node.func, m.Name("print")) and self.context.in_handler_code():
                self.report(node, "print() in a handler")
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import libcst as cst

if TYPE_CHECKING:
    from lambda_lint.check_context import CheckContext
    from lambda_lint.finding import Fix, RelatedLocation

CODE_PATTERN = re.compile(r"^[A-Z]{1,4}[0-9]{3,4}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


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
    """

    code: str
    trigger: str | None = None
    declared: bool = False
    handler: str = "handler"
    files: dict[str, str] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    count: int = 1
    message: str | None = None


class Rule:
    """Base class of every lambda-lint rule. Subclasses set the class attributes below."""

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

    #: set by the engine when the rule is registered: "built-in" or the plugin's name
    origin: ClassVar[str] = "built-in"

    def __init__(self, context: CheckContext) -> None:
        self.context = context

    # -- reporting ---------------------------------------------------------------

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

    # -- metadata ----------------------------------------------------------------

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


DOCS_BASE_URL = "https://github.com/lambda-lint/lambda-lint/blob/main/docs/rules"
