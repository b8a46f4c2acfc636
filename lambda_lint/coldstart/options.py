"""The cold-start settings: `[tool.lambda-lint.cold-start]`, read as the options of the
LL2 rules (the rules declare them; the `coldstart` command and the language server read
the same table)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lambda_lint.rule import Option, number_option, numbers_by_name_option

TABLE = "cold-start"

BUDGET = Option(
    "budget-ms",
    1000.0,
    "LL203: the estimated INIT import cost of a handler, in milliseconds, above which it is reported",
    number_option,
)
HEAVY = Option(
    "heavy-ms",
    100.0,
    "LL202: the import cost, in milliseconds, from which a module counts as heavy",
    number_option,
)
COSTS = Option(
    "costs",
    {},
    "import costs in milliseconds by module (`{ mycompany_sdk = 120 }`): each adds a module to "
    "the shipped table or replaces its figure, dependencies included",
    numbers_by_name_option,
)


#: how far above its measured figure a combined estimate may run: the sum of the table's
#: self costs counts twice what two packages both load outside the table (botocore's
#: modules inside boto3's and the X-Ray SDK's own costs, say). Measured with `python -X
#: importtime` against the estimates of the same imports (Python 3.11, 7 interleaved
#: runs, medians): boto3 + aws_xray_sdk.core 22% high, boto3 + Powertools 25%, boto3 +
#: X-Ray + three Powertools utilities 26%; single packages within 7%.
ESTIMATE_MARGIN = 0.25


def budget_verdict(total_ms: float, budget_ms: float) -> str:
    """ "over" the budget (beyond the estimate's margin), "near" it (over, but within
    the margin) or "within" it."""
    if total_ms > budget_ms * (1 + ESTIMATE_MARGIN):
        return "over"
    return "near" if total_ms > budget_ms else "within"


@dataclass(frozen=True)
class ColdStartOptions:
    budget_ms: float = BUDGET.default
    heavy_ms: float = HEAVY.default
    costs: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_rule_options(cls, configured: Mapping[str, Mapping[str, Any]]) -> ColdStartOptions:
        """The options as configured (already validated when the run was configured)."""
        table = configured.get(TABLE, {})
        values = {
            option.name: option.parse(table[option.name])
            if option.name in table
            else option.default
            for option in (BUDGET, HEAVY, COSTS)
        }
        return cls(values["budget-ms"], values["heavy-ms"], values["costs"])
