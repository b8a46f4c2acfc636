"""lambda-lint: a static linter for AWS Lambda functions written in Python.

What a plugin needs is importable from here: the rule base classes and their
examples and options, what a rule sees (the check and project contexts, the model's
handlers and phases, value-flow refs) and what it reports (findings, fixes, edits).
"""

__version__ = "0.1.0"

from lambda_lint.check_context import CheckContext
from lambda_lint.finding import Edit, Finding, Fix, Position, RelatedLocation
from lambda_lint.model.flow import Ref, Refs
from lambda_lint.model.handlers import Handler
from lambda_lint.model.project import Phase, ProjectModel
from lambda_lint.project_context import ProjectContext
from lambda_lint.rule import BaseRule, Example, Option, ProjectRule, Rule

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
]
