"""Frameworks that serve requests from inside a handler: Chalice apps and blueprints,
Powertools resolvers and routers. Their request attribute (`app.current_request`,
`app.current_event`) holds the caller's request, and the functions they route to
receive its path captures."""

from __future__ import annotations

from pathlib import Path

from lambda_lint.model.project import ProjectModel
from lambda_lint.security.sinks import SinkTable


def routers(model: ProjectModel, table: SinkTable) -> dict[Path, dict[str, str]]:
    """Module-level framework objects that serve requests (`app = Chalice(...)`,
    `app = APIGatewayRestResolver()`), per file: name -> request attribute."""
    found: dict[Path, dict[str, str]] = {}
    for path, summary in model.modules.items():
        for name, instance in summary.instances.items():
            constructor = summary.import_target(instance.constructor) or ""
            attribute = table.request_attributes.get(constructor)
            if attribute is not None:
                found.setdefault(path, {})[name] = attribute
    return found


def framework_sources(routers: dict[Path, dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    """The request attributes of the framework objects (`app.current_request`)."""
    names = {f"{n}.{a}" for by_name in routers.values() for n, a in by_name.items()}
    reason = "the request a framework object serves"
    return {"sources": [{"name": n, "reason": reason} for n in sorted(names)]}
