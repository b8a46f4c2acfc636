"""`lambda-lint handlers`: what the project model found, as rows for a table or JSON."""

from __future__ import annotations

from typing import Any, Callable

from lambda_lint.model.project import ProjectModel


def handler_rows(model: ProjectModel, display: Callable) -> list[dict[str, Any]]:
    rows = []
    for handler in sorted(model.handlers.values(), key=lambda h: (str(h.file), h.line)):
        rows.append(
            {
                "file": display(handler.file),
                "function": handler.qualname,
                "line": handler.line,
                "sources": [
                    {
                        "kind": evidence.kind,
                        "file": display(evidence.file),
                        "line": evidence.line,
                        "detail": evidence.detail,
                        "triggers": list(evidence.triggers),
                    }
                    for evidence in handler.evidence
                ],
                "triggers": list(handler.triggers),
                "routes": list(handler.routes),
                "confidence": handler.confidence,
                "conflicts": handler.conflicts,
            }
        )
    return rows


def _source_text(source: dict[str, Any]) -> str:
    if source["kind"] == "convention":
        return "convention"
    if source["kind"] == "code":
        return f"code ({source['detail']})"
    return f"{source['kind']} {source['file']}:{source['line']}"


def render_handler_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "No handlers found.\n"
    table = [("handler", "triggers", "source", "confidence")]
    for row in rows:
        sources = ", ".join(dict.fromkeys(_source_text(s) for s in row["sources"]))
        triggers = ", ".join(row["triggers"]) or "unknown"
        if row["conflicts"]:
            triggers += f" (also suggested: {', '.join(row['conflicts'])})"
        table.append(
            (f"{row['file']}:{row['line']} {row['function']}", triggers, sources, row["confidence"])
        )
    widths = [max(len(r[i]) for r in table) for i in range(3)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(r[:3], widths)) + "  " + r[3] for r in table
    ]
    return "\n".join(lines) + "\n"
