"""What `lambda-lint coldstart` shows: per handler, its INIT import tree with costs, as
plain data every output format renders (and `--output-format json` prints as is)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from lambda_lint.coldstart.estimate import ImportNode
from lambda_lint.coldstart.options import budget_verdict

#: how each budget verdict reads
VERDICTS = {
    "over": "over the {budget} budget",
    "near": "near the {budget} budget: over it, but within the estimate's margin",
    "within": "within the {budget} budget",
}


@dataclass
class HandlerTree:
    """One handler's INIT imports."""

    #: `module.function`, as the runtime's handler string names it
    name: str
    file: Path
    line: int
    tree: ImportNode
    #: "estimate" (the cost table) or "measured" (`python -X importtime`)
    source: str
    budget_ms: float
    #: why measuring failed, when it did (the tree is then the estimate)
    problem: str | None = None

    @property
    def total_ms(self) -> float:
        return self.tree.total_ms


def node_data(node: ImportNode, display: Callable[[Path], str]) -> dict[str, Any]:
    """A node and its subtree, heaviest child first."""
    data: dict[str, Any] = {
        "name": node.name,
        "kind": node.kind,
        "self_ms": round(node.self_ms, 1),
        "total_ms": round(node.total_ms, 1),
        "source": node.source,
    }
    if node.file is not None:
        data["file"] = display(node.file)
    if node.imported_at is not None:
        data["imported_at"] = {"file": display(node.imported_at[0]), "line": node.imported_at[1]}
    children = sorted(node.children, key=lambda child: -child.total_ms)
    data["children"] = [node_data(child, display) for child in children]
    return data


def report_data(
    handlers: list[HandlerTree], display: Callable[[Path], str], table: dict[str, Any]
) -> dict[str, Any]:
    """The whole report: the cost table's provenance and one entry per handler."""
    return {
        "version": 1,
        "table": table,
        "handlers": [
            {
                "handler": item.name,
                "file": display(item.file),
                "line": item.line,
                "source": item.source,
                "total_ms": round(item.total_ms, 1),
                "budget_ms": item.budget_ms,
                "verdict": budget_verdict(item.total_ms, item.budget_ms),
                **({"problem": item.problem} if item.problem else {}),
                "tree": node_data(item.tree, display),
            }
            for item in handlers
        ],
    }


def provenance_note(data: dict[str, Any]) -> str:
    """Where the figures of a report come from, in a sentence."""
    if data["handlers"] and all(item["source"] == "measured" for item in data["handlers"]):
        return (
            "Measured with `python -X importtime` in a fresh interpreter of your environment, "
            "after a warm-up import."
        )
    table = data["table"]
    return (
        f"Estimated from the import-cost table measured with Python {table.get('python') or '?'} "
        f"on {table.get('machine')}; a Lambda function has one vCPU at 1,769 MB and less below, "
        "so expect more there. `lambda-lint coldstart --measure` times the imports in your "
        "own environment."
    )
