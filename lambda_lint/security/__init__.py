"""Security: event data reaching dangerous sinks (LL6).

- `sinks.json` + `sinks`: which calls are sinks for which rule, with which arguments,
  and what makes a value safe there (each entry with its source);
- `code`: the project's functions lowered to the flow IR on demand;
- `flows`: the walk from every handler through the functions it calls, with the value
  flow engine (`lambda_lint.flow`), collecting each sink that event data reaches and
  the steps it took.

Rules ask `security_hits(model, additions, stored)`: computed once per project
(and per set of configured additions, `options`) and kept on the model; each handler's
and route's hits are kept between runs in `stored`, the cache's per-unit results.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lambda_lint.model.project import ProjectModel
from lambda_lint.project_context import StoredResults
from lambda_lint.security.code import ProjectCode
from lambda_lint.security.flows import FlowStep, Hit, find_hits


def security_hits(
    model: ProjectModel,
    additions: Mapping[str, Any],
    stored: StoredResults | None = None,
) -> list[Hit]:
    """Every sink event data reaches in the project (all LL6 flow rules), with the
    configured `additions` to the flow semantics (`options.flow_additions`); with
    `stored`, the hits of each handler and route are kept between runs."""
    name = f"security.flows:{sorted((k, repr(v)) for k, v in additions.items())}"
    return model.analysis(name, lambda m: find_hits(m, ProjectCode(m), additions, stored, name))


__all__ = ["FlowStep", "Hit", "security_hits"]
