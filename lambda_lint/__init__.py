"""lambda-lint: a static linter for AWS Lambda functions written in Python."""

from lambda_lint.rule import BaseRule, Example, Option, ProjectRule, Rule

__version__ = "0.1.0"

__all__ = ["BaseRule", "Example", "Option", "ProjectRule", "Rule", "__version__"]
