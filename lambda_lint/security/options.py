"""The security settings: `[tool.lambda-lint.security]`, read as the options of the LL6
flow rules. What a team declares about its own code joins the shipped flow semantics
(`flow/semantics.json`): sanitisers (a validator that returns a checked id, a quoting
helper), sources (its own accessors of caller input), pass-throughs (helpers that hand
their argument back as the same data) and decoders (its own parsers of encoded text)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lambda_lint.rule import Option, strings_option

TABLE = "security"
#: what a configured decoder may decode, and the marker the flow path gains
DECODED = {"json": "<json>", "base64": "<base64>", "unquoted": "<unquoted>"}


def decoders_option(value: Any) -> dict[str, str]:
    """A table of qualified names to what each decodes (`json`, `base64`, `unquoted`)."""
    kinds = ", ".join(f'"{kind}"' for kind in DECODED)
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError(f"must be a table of qualified names to one of {kinds}")
    for name, kind in value.items():
        if kind not in DECODED:
            raise ValueError(f"names {name!r} as decoding {kind!r}; expected one of {kinds}")
    return {str(name): kind for name, kind in value.items()}


SANITISERS = Option(
    "sanitisers",
    (),
    "qualified names of the project's own functions whose result is safe in every sink "
    '(`["orders.validation.order_id"]`): event data passed through one is no longer reported',
    strings_option,
)
SOURCES = Option(
    "sources",
    (),
    "qualified names of the project's own calls or attributes whose value is caller input "
    '(`["webkit.request.body"]`): it is followed to the sinks as event data is',
    strings_option,
)
PASS_THROUGHS = Option(
    "pass-throughs",
    (),
    "qualified names of the project's own or a library's functions that return their only "
    'argument\'s data (`["textkit.normalise"]`): event data is followed through them',
    strings_option,
)
DECODERS = Option(
    "decoders",
    {},
    "qualified names of functions that decode their first argument, to what they decode "
    '(`{ "orders.codec.parse" = "json" }`, also `base64`, `unquoted`): the decoded data '
    "is followed as the shipped decoders' is",
    decoders_option,
)
OPTIONS = (SANITISERS, SOURCES, PASS_THROUGHS, DECODERS)


def flow_additions(settings: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The configured options (as `option_values` gives them) in the shape of the flow
    semantics data file."""

    def reason(option: Option) -> str:
        return f"[tool.lambda-lint.{TABLE}] {option.name}"

    return {
        "sanitisers": [
            {"name": name, "cleans": ["all"], "reason": reason(SANITISERS)}
            for name in settings.get(SANITISERS.name, ())
        ],
        "sources": [
            {"name": name, "reason": reason(SOURCES)} for name in settings.get(SOURCES.name, ())
        ],
        "pass_through": [
            {"name": name, "reason": reason(PASS_THROUGHS)}
            for name in settings.get(PASS_THROUGHS.name, ())
        ],
        "decoders": [
            {"name": name, "marker": DECODED[kind], "reason": reason(DECODERS)}
            for name, kind in settings.get(DECODERS.name, {}).items()
        ],
    }
