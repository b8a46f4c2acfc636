"""lambda-lint: a static linter for AWS Lambda functions written in Python.

What a plugin needs is importable from here: the rule base classes and their
examples and options, what a rule sees (the check and project contexts, the model's
handlers and phases, value-flow refs) and what it reports (findings, fixes, edits).
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lambda_lint.check_context import CheckContext
    from lambda_lint.finding import Edit, Finding, Fix, Position, RelatedLocation
    from lambda_lint.model.flow import Ref, Refs
    from lambda_lint.model.handlers import Handler
    from lambda_lint.model.project import Phase, ProjectModel
    from lambda_lint.project_context import ProjectContext
    from lambda_lint.rule import BaseRule, Example, Option, ProjectRule, Rule

#: where each public name is defined; imported on first use, so that a run answered from
#: the cache does not load the parser and the rules
_HOMES = {
    "CheckContext": "lambda_lint.check_context",
    "Edit": "lambda_lint.finding",
    "Finding": "lambda_lint.finding",
    "Fix": "lambda_lint.finding",
    "Position": "lambda_lint.finding",
    "RelatedLocation": "lambda_lint.finding",
    "Ref": "lambda_lint.model.flow",
    "Refs": "lambda_lint.model.flow",
    "Handler": "lambda_lint.model.handlers",
    "Phase": "lambda_lint.model.project",
    "ProjectModel": "lambda_lint.model.project",
    "ProjectContext": "lambda_lint.project_context",
    "BaseRule": "lambda_lint.rule",
    "Example": "lambda_lint.rule",
    "Option": "lambda_lint.rule",
    "ProjectRule": "lambda_lint.rule",
    "Rule": "lambda_lint.rule",
    "mentions": "lambda_lint.rule",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'lambda_lint' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "BaseRule",
    "CheckContext",
    "Edit",
    "Example",
    "Finding",
    "Fix",
    "Handler",
    "Option",
    "Phase",
    "Position",
    "ProjectContext",
    "ProjectModel",
    "ProjectRule",
    "Ref",
    "Refs",
    "RelatedLocation",
    "Rule",
    "__version__",
    "mentions",
]
