"""A handler's estimated INIT import cost, for the language server's code lens on the
handler's `def` line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambda_lint.api import Linter
from lambda_lint.cache import Cache, default_cache_dir
from lambda_lint.coldstart.estimate import cold_start_model
from lambda_lint.coldstart.options import ColdStartOptions, budget_verdict
from lambda_lint.coldstart.report import VERDICTS
from lambda_lint.session import Configuration


@dataclass(frozen=True)
class HandlerCost:
    #: the 1-based line of the handler's `def`
    line: int
    total_ms: float
    budget_ms: float

    @property
    def title(self) -> str:
        verdict = VERDICTS[budget_verdict(self.total_ms, self.budget_ms)]
        return (
            f"INIT imports ≈ {self.total_ms:,.0f} ms (estimated; "
            f"{verdict.format(budget=f'{self.budget_ms:,.0f} ms')})"
        )


class SummaryCache(Cache):
    """The cache for module summaries only: a cached whole result comes without the
    project model the estimate needs."""

    def get(self, kind: str, key: str, hint: Any) -> Any | None:
        return None if kind == "result" else super().get(kind, key, hint)

    def put(self, kind: str, key: str, value: Any, hint: Any) -> None:
        if kind != "result":
            super().put(kind, key, value, hint)


def handler_costs(
    configuration: Configuration, root: Path, path: Path, overrides: Mapping[Path, str]
) -> list[HandlerCost]:
    """The estimated INIT import cost of each handler defined in `path`."""
    settings = configuration.settings
    cache = SummaryCache(settings.cache_dir or default_cache_dir())
    linter = Linter(settings, configuration.ruleset, enabled=(), cwd=root, cache=cache, jobs=1)
    result = linter.lint([path], overrides)
    budget = ColdStartOptions.from_rule_options(settings.rule_options).budget_ms
    found = []
    for model in result.models:
        costs = cold_start_model(model)
        for handler in model.handlers.values():
            if handler.file == path:
                function = model.function(handler.key)
                line = function.line if function else handler.line
                found.append(HandlerCost(line, costs.total_ms(handler), budget))
    return sorted(found, key=lambda cost: cost.line)
