"""API Gateway request validation: whether a REST method answers 400 to a request
without a body, before its integration (the function) runs.

It does when the method's request validator validates bodies and the method has a
model, for the content type a body-less request is taken as, that requires fields
(or whose body the descriptor marks required). The facts and their sources are in
`request_validation.json`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_FACTS = json.loads((Path(__file__).with_name("request_validation.json")).read_text("utf-8"))

#: content types whose model is checked against a request that sends no body
BODYLESS_CONTENT_TYPES = frozenset(_FACTS["bodyless_content_types"]["values"])

#: a model schema the descriptor does not show (a name, a reference to another file)
UNREAD = None
#: the models every REST API has: `Empty` and `Error`, neither requiring a field
BUILT_IN_MODELS = frozenset(("Empty", "Error"))


def built_in_schema(name: str | None) -> Any:
    """The schema of a model named but not declared: none for a built-in model."""
    return {} if name in BUILT_IN_MODELS else UNREAD


def schema_of(written: Any) -> Any:
    """A model's schema as the descriptor writes it: a mapping, or JSON text."""
    if isinstance(written, str):
        try:
            written = json.loads(written)
        except ValueError:
            return UNREAD
    return written if isinstance(written, dict) else UNREAD


def requires_fields(schema: Any) -> bool:
    """Whether a JSON schema rejects an empty body: it lists required properties. A
    schema the reader could not see counts as requiring them: the descriptor declares
    validation, and a linter that is unsure stays silent."""
    if schema is UNREAD:
        return True
    return isinstance(schema, dict) and bool(schema.get("required"))


def rejects_missing_body(validates_body: bool, models: Iterable[tuple[Any, Any]]) -> bool:
    """Whether a method answers 400 to a request without a body: its validator
    validates bodies (`validates_body`) and one of its `(content type, schema)` models
    applies to such a request and requires fields."""
    return validates_body and any(
        content_type in BODYLESS_CONTENT_TYPES and requires_fields(schema)
        for content_type, schema in models
    )
