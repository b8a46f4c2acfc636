"""`lambda-lint handlers`: what the project model found, as rows for a table or JSON."""

from __future__ import annotations

from typing import Any, Callable

from lambda_lint.descriptors.model import TriggerBinding
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
                "bindings": [_binding(binding) for binding in handler.bindings],
                "routes": list(handler.routes),
                "authorized": handler.authorized,
                "confidence": handler.confidence,
                "conflicts": handler.conflicts,
            }
        )
    return rows


def unchecked_rows(model: ProjectModel, display: Callable) -> list[dict[str, Any]]:
    """Declared functions whose handler is not checked against the sources, and why."""
    return [
        {
            "file": display(declared.source.file),
            "line": declared.source.line,
            "name": declared.name,
            "handler": declared.handler,
            "reason": declared.unchecked,
        }
        for declared in model.declared
        if declared.unchecked is not None
    ]


def _binding(binding: TriggerBinding) -> dict[str, Any]:
    return {
        "trigger": binding.trigger,
        "route": binding.route,
        "method": binding.method,
        "proxy": binding.proxy,
        "authorizer": binding.authorizer,
        "payload_version": binding.payload_version,
        "simple_responses": binding.simple_responses,
        "fifo": binding.fifo,
    }


def _qualifiers(binding: dict[str, Any]) -> list[str]:
    """What a table shows of a binding beyond its trigger id."""
    found = []
    if binding["proxy"] is False:
        found.append("proxy=no")
    elif binding["proxy"] is None:
        found.append("proxy=unknown")
    if binding["payload_version"]:
        found.append(f"payload {binding['payload_version']}")
    if binding["simple_responses"] is not None and binding["trigger"] == "apigw-authorizer-http":
        found.append("simple responses" if binding["simple_responses"] else "IAM policy")
    if binding["fifo"]:
        found.append("fifo")
    return found


def _triggers_text(row: dict[str, Any]) -> str:
    parts = []
    for trigger in row["triggers"]:
        qualifiers: list[str] = []
        for binding in row["bindings"]:
            if binding["trigger"] == trigger:
                qualifiers.extend(q for q in _qualifiers(binding) if q not in qualifiers)
        parts.append(f"{trigger} ({', '.join(qualifiers)})" if qualifiers else trigger)
    text = ", ".join(parts) or "unknown"
    if row["authorized"] is not None:
        text += (
            "; authorizer on every route" if row["authorized"] else "; a route without authorizer"
        )
    return text


def _source_text(source: dict[str, Any]) -> str:
    if source["kind"] == "convention":
        return "convention"
    if source["kind"] == "code":
        return f"code ({source['detail']})"
    return f"{source['kind']} {source['file']}:{source['line']}"


def render_handler_table(rows: list[dict[str, Any]], unchecked: list[dict[str, Any]] = ()) -> str:
    """The handlers as a table; then the declared functions that are not checked."""
    lines = _handler_lines(rows) if rows else ["No handlers found."]
    if unchecked:
        lines.append("")
        lines.append("Declared functions not checked:")
        for row in unchecked:
            handler = f" {row['handler']}" if row["handler"] else ""
            lines.append(f"  {row['file']}:{row['line']} {row['name']}{handler}: {row['reason']}")
    return "\n".join(lines) + "\n"


def _handler_lines(rows: list[dict[str, Any]]) -> list[str]:
    table = [("handler", "triggers", "source", "confidence")]
    for row in rows:
        sources = ", ".join(dict.fromkeys(_source_text(s) for s in row["sources"]))
        triggers = _triggers_text(row)
        if row["conflicts"]:
            triggers += f" (also suggested: {', '.join(row['conflicts'])})"
        table.append(
            (f"{row['file']}:{row['line']} {row['function']}", triggers, sources, row["confidence"])
        )
    widths = [max(len(r[i]) for r in table) for i in range(3)]
    return ["  ".join(cell.ljust(w) for cell, w in zip(r[:3], widths)) + "  " + r[3] for r in table]
