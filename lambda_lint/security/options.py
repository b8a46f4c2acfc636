"""The security settings: `[tool.lambda-lint.security]`, read as the options of the LL6
flow rules. A team's own sanitisers (a validator that returns a checked id, a quoting
helper) join the shipped ones in `flow/semantics.json`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lambda_lint.rule import Option, strings_option

TABLE = "security"

SANITISERS = Option(
    "sanitisers",
    (),
    "qualified names of the project's own functions whose result is safe in every sink "
    '(`["orders.validation.order_id"]`): event data passed through one is no longer reported',
    strings_option,
)


def flow_additions(settings: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The configured options (as `option_values` gives them) in the shape of the flow
    semantics data file."""
    return {
        "sanitisers": [
            {"name": name, "cleans": ["all"], "reason": f"[tool.lambda-lint.{TABLE}] sanitisers"}
            for name in settings.get(SANITISERS.name, ())
        ]
    }
