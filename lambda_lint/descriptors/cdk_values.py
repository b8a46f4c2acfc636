"""The values a CDK app's expressions evaluate to, statically.

Only what a Lambda descriptor needs is modelled: constants (strings, numbers, paths built
with `os.path` or `pathlib`), lists and dicts of them, references to imported names
(`_lambda.Runtime.PYTHON_3_12`), the constructs an app creates, and the functions among
them. Everything else is `UNKNOWN`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from lambda_lint.descriptors.draft import FunctionDraft


class _Unknown:
    """A value the reader cannot know statically."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


@dataclass
class Const:
    """A constant; `node` is the expression that wrote it (for its line)."""

    value: Any
    node: cst.CSTNode | None = None
    #: a path computed from `__file__`: already relative to the working folder
    anchored: bool = False
    #: a `pathlib.Path`, so `/` joins
    is_path: bool = False


@dataclass
class Qual:
    """An imported name or an attribute of one: `aws_lambda.Runtime.PYTHON_3_12`
    (`aws_cdk.` and the v1 `core.` prefixes dropped)."""

    name: str


@dataclass
class Seq:
    items: list[Any]


@dataclass
class Mapping:
    items: dict[Any, Any]


@dataclass
class Obj:
    """A construct or helper object the app created: `kind` is the constructor's name."""

    kind: str
    node: cst.CSTNode
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    #: what the object means for triggers (an API path, a bound function, ...)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def construct_id(self) -> str | None:
        if len(self.args) >= 2 and isinstance(self.args[1], Const):
            value = self.args[1].value
            return value if isinstance(value, str) else None
        return None


@dataclass
class Fn:
    """A Lambda function the app declares (also its versions and aliases)."""

    draft: FunctionDraft


@dataclass
class Wire:
    """A function handed to an event source (`targets.LambdaFunction(fn)`, an integration):
    bound where it is used, or where it was made if it is never used."""

    trigger: str
    fn: Fn
    node: cst.CSTNode
    used: bool = False
    route: str | None = None
    method: str | None = None
    #: more of the binding: `proxy`, `payload_version`
    extra: dict[str, Any] = field(default_factory=dict)


def text(value: Any) -> str | None:
    if isinstance(value, Const) and isinstance(value.value, str):
        return value.value
    return None


def whole_number(value: Any) -> int | None:
    """An integer constant (`batch_size=10`, or a name bound to one), else None."""
    if isinstance(value, Const) and isinstance(value.value, int):
        return None if isinstance(value.value, bool) else value.value
    return None


def runtime_name(value: Any) -> str | None:
    """`Runtime.PYTHON_3_12` → `python3.12`, `Runtime("python3.13")` → `python3.13`."""
    if isinstance(value, Const):
        return value.value if isinstance(value.value, str) else None
    if not isinstance(value, Qual) or ".Runtime." not in f".{value.name}":
        return None
    constant = value.name.rsplit(".", 1)[-1]
    match = re.fullmatch(r"([A-Z]+)_(\d+)(?:_(\d+))?(?:_X)?", constant)
    if match:
        family, major, minor = match.groups()
        family = family.lower()
        if minor is not None:
            return f"{family}{major}.{minor}"
        return f"{family}{major}.x" if constant.endswith("_X") else f"{family}{major}"
    if constant.startswith("PROVIDED"):
        return constant.lower().replace("_", ".")
    return constant.lower()


_DURATION_SECONDS = {"millis": 0.001, "seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def duration_seconds(unit: str, amount: Any) -> Const | None:
    """`Duration.minutes(5)` → 300 (whole seconds)."""
    factor = _DURATION_SECONDS.get(unit)
    if factor is None or not isinstance(amount, Const):
        return None
    if isinstance(amount.value, bool) or not isinstance(amount.value, (int, float)):
        return None
    return Const(int(amount.value * factor))
