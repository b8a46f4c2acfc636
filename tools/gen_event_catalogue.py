"""Generate ``lambda_lint/events/catalogue.json``, the shipped event-shape catalogue.

Development tool only: the ``lambda_lint`` package never imports it, and nothing here is a
runtime dependency. Three inputs are combined, in this order:

1. the pydantic parser models of Powertools for AWS Lambda (Python), pinned to
   ``aws-lambda-powertools==3.37.0`` (walked live: keys, value kinds, required or not);
2. ``tools/event_catalogue/powertools-ts-2.35.0-facts.json``, a committed snapshot of what the
   Powertools for AWS Lambda (TypeScript) 2.35.0 parser schemas say about each key: may it be
   absent, may it be ``null``, and its raw JSON kind (pydantic merges absent and ``null``);
3. ``tools/event_catalogue/overlay.json``, hand-written corrections and additions, each one
   citing the AWS documentation page it comes from.

Usage (from the repository root)::

    python tools/gen_event_catalogue.py            # rewrite the catalogue
    python tools/gen_event_catalogue.py --check    # exit 1 if the committed file differs
    python tools/gen_event_catalogue.py --stdout   # print instead of writing
    python tools/gen_event_catalogue.py --report   # list where the Python and TS kinds differ
    python tools/gen_event_catalogue.py --refresh-ts-facts EXPORT.json

``--refresh-ts-facts`` rebuilds the TypeScript snapshot from a JSON Schema export of the npm
package; see ``tools/event_catalogue/README.md``.
"""

from __future__ import annotations

import argparse
import copy
import datetime as _dt
import decimal
import enum
import ipaddress
import json
import sys
import types
import typing
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

from lambda_lint.events.catalogue import (
    ENCODINGS,
    KINDS,
    MISSING_CAUSES,
    VALUE_ENCODINGS,
    json_type,
)

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "tools" / "event_catalogue"
OVERLAY_PATH = DATA_DIR / "overlay.json"
TS_FACTS_PATH = DATA_DIR / "powertools-ts-2.35.0-facts.json"
OUTPUT_PATH = ROOT / "lambda_lint" / "events" / "catalogue.json"

POWERTOOLS_VERSION = "3.37.0"
TS_PARSER_VERSION = "2.35.0"
FORMAT_VERSION = 1

ANY_KEY = "*"
DOC_PREFIX = "https://docs.aws.amazon.com/"

#: where the TypeScript snapshot comes from (written into the snapshot itself)
TS_SOURCE = {
    "package": "@aws-lambda-powertools/parser",
    "version": TS_PARSER_VERSION,
    "registry": "https://www.npmjs.com/package/@aws-lambda-powertools/parser/v/2.35.0",
    "repository": "https://github.com/aws-powertools/powertools-lambda-typescript",
    "licence": "MIT-0",
    "exported_with": (
        "zod 4.6.7: z.toJSONSchema(schema, {io: 'input', unrepresentable: 'any'}) "
        "for every exported *Schema of the package"
    ),
    "kept": "per schema and key path: raw JSON kind, '?' = may be absent, '|null' = may be null",
}


@dataclass(frozen=True)
class Source:
    """Where one trigger's shape comes from."""

    doc: str
    py_models: tuple[str, ...] = ()
    ts_schemas: tuple[str, ...] = ()


def _src(doc: str, py: Sequence[str] = (), ts: Sequence[str] = ()) -> Source:
    return Source(doc, tuple(py), tuple(ts))


_COGNITO_PY = (
    "CognitoPreSignupTriggerModel",
    "CognitoPostConfirmationTriggerModel",
    "CognitoPreAuthenticationTriggerModel",
    "CognitoPostAuthenticationTriggerModel",
    "CognitoPreTokenGenerationTriggerModelV1",
    "CognitoPreTokenGenerationTriggerModelV2AndV3",
    "CognitoCustomMessageTriggerModel",
    "CognitoDefineAuthChallengeTriggerModel",
    "CognitoCreateAuthChallengeTriggerModel",
    "CognitoVerifyAuthChallengeTriggerModel",
    "CognitoMigrateUserTriggerModel",
    "CognitoCustomEmailSenderTriggerModel",
    "CognitoCustomSMSSenderTriggerModel",
)
_COGNITO_TS = (
    "PreSignupTriggerSchema",
    "PostConfirmationTriggerSchema",
    "PreAuthenticationTriggerSchema",
    "PostAuthenticationTriggerSchema",
    "PreTokenGenerationTriggerSchemaV1",
    "PreTokenGenerationTriggerSchemaV2AndV3",
    "CustomMessageTriggerSchema",
    "DefineAuthChallengeTriggerSchema",
    "CreateAuthChallengeTriggerSchema",
    "VerifyAuthChallengeTriggerSchema",
    "MigrateUserTriggerSchema",
    "CustomEmailSenderTriggerSchema",
    "CustomSMSSenderTriggerSchema",
)
_APIGW = "https://docs.aws.amazon.com/apigateway/latest/developerguide/"
_LAMBDA = "https://docs.aws.amazon.com/lambda/latest/dg/"

#: trigger id -> its sources. Several models or schemas mean "any one of these events"
#: (a union: a key is guaranteed only if every member guarantees it). A trigger with no
#: model is defined entirely by the overlay.
SOURCES: dict[str, Source] = {
    "apigw-rest": _src(
        _APIGW + "set-up-lambda-proxy-integrations.html",
        ["APIGatewayProxyEventModel"],
        ["APIGatewayProxyEventSchema"],
    ),
    "apigw-http": _src(
        _APIGW + "http-api-develop-integrations-lambda.html",
        ["APIGatewayProxyEventV2Model"],
        ["APIGatewayProxyEventV2Schema"],
    ),
    "apigw-websocket": _src(
        _APIGW + "apigateway-websocket-api-route-keys-connect-disconnect.html",
        [
            "APIGatewayWebSocketConnectEventModel",
            "APIGatewayWebSocketMessageEventModel",
            "APIGatewayWebSocketDisconnectEventModel",
        ],
        # The TypeScript APIGatewayProxyWebsocketEventSchema requires ``type`` and
        # ``methodArn`` (authorizer keys) on every event: not used.
    ),
    "apigw-authorizer-token": _src(
        _APIGW + "api-gateway-lambda-authorizer-input.html",
        ["ApiGatewayAuthorizerToken"],
        ["APIGatewayTokenAuthorizerEventSchema"],
    ),
    "apigw-authorizer-request": _src(
        _APIGW + "api-gateway-lambda-authorizer-input.html",
        ["ApiGatewayAuthorizerRequest"],
        ["APIGatewayRequestAuthorizerEventSchema"],
    ),
    "apigw-authorizer-http": _src(
        _APIGW + "http-api-lambda-authorizer.html",
        ["ApiGatewayAuthorizerRequestV2"],
        ["APIGatewayRequestAuthorizerEventV2Schema"],
    ),
    "function-url": _src(
        _LAMBDA + "urls-invocation.html", ["LambdaFunctionUrlModel"], ["LambdaFunctionUrlSchema"]
    ),
    "alb": _src(
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html",
        ["AlbModel"],
        ["AlbSchema", "AlbMultiValueHeadersSchema"],
    ),
    "sqs": _src(_LAMBDA + "with-sqs.html", ["SqsModel"], ["SqsSchema"]),
    "sns": _src(_LAMBDA + "with-sns.html", ["SnsModel"], ["SnsSchema"]),
    "s3": _src(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html",
        ["S3Model"],
        ["S3Schema"],
    ),
    "s3-eventbridge": _src(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html",
        ["S3EventNotificationEventBridgeModel"],
        ["S3EventNotificationEventBridgeSchema"],
    ),
    "s3-batch": _src(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-invoke-lambda.html",
        ["S3BatchOperationModel"],
    ),
    "s3-object-lambda": _src(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/olap-event-context.html",
        ["S3ObjectLambdaEvent"],
        ["S3ObjectLambdaEventSchema"],
    ),
    "dynamodb-stream": _src(
        _LAMBDA + "with-ddb.html", ["DynamoDBStreamModel"], ["DynamoDBStreamSchema"]
    ),
    "kinesis": _src(
        _LAMBDA + "with-kinesis.html", ["KinesisDataStreamModel"], ["KinesisDataStreamSchema"]
    ),
    "firehose": _src(
        "https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html",
        ["KinesisFirehoseModel"],
        ["KinesisFirehoseSchema"],
    ),
    "eventbridge": _src(
        "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html",
        ["EventBridgeModel"],
        ["EventBridgeSchema"],
    ),
    "schedule": _src(
        "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html",
        ["EventBridgeModel"],
        ["EventBridgeSchema"],
    ),
    "cloudwatch-logs": _src(
        _LAMBDA + "services-cloudwatchlogs.html", ["CloudWatchLogsModel"], ["CloudWatchLogsSchema"]
    ),
    "kafka": _src(
        _LAMBDA + "with-msk.html",
        ["KafkaMskEventModel", "KafkaSelfManagedEventModel"],
        ["KafkaMskEventSchema", "KafkaSelfManagedEventSchema"],
    ),
    "mq": _src(_LAMBDA + "with-mq.html"),
    "documentdb": _src(_LAMBDA + "with-documentdb.html"),
    "cognito-user-pool": _src(
        "https://docs.aws.amazon.com/cognito/latest/developerguide/"
        "cognito-user-pools-working-with-lambda-triggers.html",
        _COGNITO_PY,
        _COGNITO_TS,
    ),
    "cloudformation-custom-resource": _src(
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html",
        [
            "CloudFormationCustomResourceCreateModel",
            "CloudFormationCustomResourceUpdateModel",
            "CloudFormationCustomResourceDeleteModel",
        ],
        [
            "CloudFormationCustomResourceCreateSchema",
            "CloudFormationCustomResourceUpdateSchema",
            "CloudFormationCustomResourceDeleteSchema",
        ],
    ),
    "appsync": _src(
        "https://docs.aws.amazon.com/appsync/latest/devguide/resolver-context-reference-js.html",
        ["AppSyncResolverEventModel"],
        ["AppSyncResolverSchema"],
    ),
    "iot": _src("https://docs.aws.amazon.com/iot/latest/developerguide/lambda-rule-action.html"),
    "config-rule": _src(
        "https://docs.aws.amazon.com/config/latest/developerguide/"
        "evaluate-config_develop-rules_example-events.html"
    ),
    "codepipeline": _src(
        "https://docs.aws.amazon.com/codepipeline/latest/userguide/actions-invoke-lambda-function.html"
    ),
    "ses": _src(
        "https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-lambda-event.html",
        ["SesModel"],
        ["SesSchema"],
    ),
    "secrets-manager": _src(
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html"
    ),
    "lex": _src("https://docs.aws.amazon.com/lex/latest/dg/lambda-input-response-format.html"),
    "lex-v2": _src("https://docs.aws.amazon.com/lexv2/latest/dg/lambda-input-format.html"),
    "bedrock-agent": _src(
        "https://docs.aws.amazon.com/bedrock/latest/userguide/agents-lambda.html",
        ["BedrockAgentEventModel", "BedrockAgentFunctionEventModel"],
    ),
    "step-functions": _src(
        "https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html"
    ),
    "cloudfront": _src(
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/"
        "lambda-event-structure.html"
    ),
    "vpc-lattice": _src(
        "https://docs.aws.amazon.com/vpc-lattice/latest/ug/lambda-functions.html",
        ["VpcLatticeModel", "VpcLatticeV2Model"],
        ["VpcLatticeSchema", "VpcLatticeV2Schema"],
    ),
}


# --------------------------------------------------------------------------- node model


@dataclass
class Node:
    """One value in an event: its JSON kind and what may happen to it."""

    kind: str = "any"
    absent: bool = False
    nullable: bool = False
    encoding: str | None = None
    batch: bool = False
    open: bool = False
    note: str | None = None
    #: why the value may be absent or null (see ``MISSING_CAUSES``)
    missing: str | None = None
    #: (path from the event root, values): the key is there only when that value is one
    #: of these
    present_when: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    #: the literal values of a string, when the overlay lists them (the ``Literal`` types
    #: of the Python models are parsing constraints, sometimes narrower than real events)
    enum: tuple[str, ...] | None = None
    #: the triggers whose whole events may arrive JSON-encoded in this string (an S3
    #: notification in the body of an SQS message)
    carries: tuple[str, ...] = ()
    keys: dict[str, Node] = field(default_factory=dict)
    items: Node | None = None
    values: Node | None = None
    #: generator-only: the Python model rewrites or coerces this value, its raw kind is unsure
    raw_unsure: bool = False

    def attrs(self) -> dict[str, Any]:
        """The serialised attributes of this node alone (defaults left out)."""
        out: dict[str, Any] = {"kind": self.kind}
        for name in ("absent", "nullable", "batch", "open"):
            if getattr(self, name):
                out[name] = True
        if self.encoding:
            out["encoding"] = self.encoding
        if self.note:
            out["note"] = self.note
        if self.missing:
            out["missing"] = self.missing
        if self.present_when:
            path, values = self.present_when
            out["present_when"] = {"path": list(path), "in": list(values)}
        if self.enum:
            out["enum"] = list(self.enum)
        if self.carries:
            out["carries"] = list(self.carries)
        return out


def union(nodes: Sequence[Node]) -> Node:
    """Merge alternative shapes of one value: what any of them allows, the merge allows."""
    if not nodes:
        return Node()
    if len(nodes) == 1:
        return copy.deepcopy(nodes[0])
    kinds = {n.kind for n in nodes}
    out = Node(kind=kinds.pop() if len(kinds) == 1 else "any")
    out.absent = any(n.absent for n in nodes)
    out.nullable = any(n.nullable for n in nodes)
    encodings = {n.encoding for n in nodes}
    out.encoding = encodings.pop() if len(encodings) == 1 else None
    out.batch = any(n.batch for n in nodes)
    out.raw_unsure = any(n.raw_unsure for n in nodes)
    notes = [n.note for n in nodes if n.note]
    out.note = notes[0] if notes else None
    causes = [n.missing for n in nodes if n.missing]
    out.missing = causes[0] if causes else None
    conditions = {n.present_when for n in nodes}
    out.present_when = conditions.pop() if len(conditions) == 1 else None
    if all(n.enum for n in nodes):
        out.enum = tuple(sorted({v for n in nodes for v in n.enum or ()}))
    out.carries = tuple(sorted({t for n in nodes for t in n.carries}))
    if out.kind == "object":
        out.open = any(n.open for n in nodes)
        names: list[str] = []
        for n in nodes:
            names.extend(k for k in n.keys if k not in names)
        for name in names:
            present = [n.keys[name] for n in nodes if name in n.keys]
            child = union(present)
            if len(present) < len(nodes):
                child.absent = True
                if not any(p.absent for p in present):
                    # required wherever it exists: missing only from the other variants
                    child.missing = child.missing or "variant"
            out.keys[name] = child
        vals = [n.values for n in nodes if n.values is not None]
        out.values = union(vals) if vals else None
    elif out.kind == "list":
        items = [n.items for n in nodes if n.items is not None]
        out.items = union(items) if items else None
    elif out.kind == "any":
        out.open = True
    return out


def walk_paths(node: Node, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Node]]:
    """Yield every node with its path, depth first, children in sorted order."""
    yield path, node
    if node.kind == "object":
        for name in sorted(node.keys):
            yield from walk_paths(node.keys[name], (*path, name))
        if node.open and node.values is not None:
            yield from walk_paths(node.values, (*path, ANY_KEY))
    elif node.kind == "list" and node.items is not None:
        yield from walk_paths(node.items, (*path, ANY_KEY))


def path_text(path: Sequence[str]) -> str:
    """Encode a path as one string: JSON Pointer escaping, without the leading slash."""
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in path)


def parse_path_text(text: str) -> tuple[str, ...]:
    if text == "":
        return ()
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in text.split("/"))


# --------------------------------------------------------------------------- spec shorthand


def parse_spec(spec: Any, where: str, defs: Mapping[str, Any] | None = None) -> Node:
    """Build a node from an overlay or snapshot spec.

    A spec is either a string ``KIND``, ``KIND?`` (may be absent), ``KIND|null`` (may be
    ``null``), ``KIND?|null``, ``@NAME`` (a copy of the overlay's ``defs[NAME]``, with the
    same optional suffixes), or a dict with the node attributes plus ``keys`` (dict of
    specs), ``items`` and ``values`` (specs).
    """
    if isinstance(spec, str):
        text = spec
        absent = nullable = False
        if text.endswith("|null"):
            nullable = True
            text = text[: -len("|null")]
        if text.endswith("?"):
            absent = True
            text = text[:-1]
        if text.startswith("@"):
            if defs is None or text[1:] not in defs:
                raise SystemExit(f"{where}: no definition named {text[1:]!r}")
            node = parse_spec(defs[text[1:]], f"{where}({text})", defs)
        else:
            node = Node(kind=text)
            _check_node(node, where)
            node.open = node.kind == "any"
        node.absent = node.absent or absent
        node.nullable = node.nullable or nullable
        return node
    if not isinstance(spec, dict):
        raise SystemExit(f"{where}: a spec must be a string or an object, not {spec!r}")
    unknown = set(spec) - {
        "kind",
        "absent",
        "nullable",
        "encoding",
        "batch",
        "open",
        "note",
        "missing",
        "present_when",
        "enum",
        "carries",
        "keys",
        "items",
        "values",
    }
    if unknown:
        raise SystemExit(f"{where}: unknown spec attributes {sorted(unknown)}")
    node = Node(kind=spec.get("kind", "object" if "keys" in spec else "any"))
    node.absent = bool(spec.get("absent", False))
    node.nullable = bool(spec.get("nullable", False))
    node.encoding = spec.get("encoding")
    node.batch = bool(spec.get("batch", False))
    node.open = bool(spec.get("open", node.kind == "any"))
    node.note = spec.get("note")
    _set_condition(node, "missing", spec.get("missing"))
    _set_condition(node, "present_when", spec.get("present_when"))
    _set_condition(node, "enum", spec.get("enum"))
    node.carries = tuple(sorted(spec.get("carries", ())))
    for name, sub in spec.get("keys", {}).items():
        node.keys[name] = parse_spec(sub, f"{where}/{name}", defs)
    if "items" in spec:
        node.items = parse_spec(spec["items"], f"{where}/*", defs)
    if "values" in spec:
        node.values = parse_spec(spec["values"], f"{where}/*", defs)
        node.open = True
    _check_node(node, where)
    return node


def _set_condition(node: Node, name: str, value: Any) -> None:
    """Set `missing`, `present_when` or `enum` from their spec form."""
    if name == "present_when" and value is not None:
        value = (tuple(value["path"]), tuple(sorted(value["in"])))
    elif name == "enum" and value is not None:
        value = tuple(sorted(value))
    setattr(node, name, value)


def node_shorthand(node: Node) -> str:
    return node.kind + ("?" if node.absent else "") + ("|null" if node.nullable else "")


def _check_node(node: Node, where: str) -> None:
    if node.kind not in KINDS:
        raise SystemExit(f"{where}: unknown kind {node.kind!r}")
    if node.encoding is not None and node.encoding not in ENCODINGS:
        raise SystemExit(f"{where}: unknown encoding {node.encoding!r}")
    if node.encoding in VALUE_ENCODINGS and node.kind != "object":
        raise SystemExit(f"{where}: {node.encoding!r} encodes the values of an object")
    if node.encoding and node.encoding not in VALUE_ENCODINGS and node.kind != "string":
        raise SystemExit(f"{where}: only a string can be {node.encoding!r}-encoded")
    if node.missing is not None and node.missing not in MISSING_CAUSES:
        raise SystemExit(f"{where}: unknown cause {node.missing!r}; one of {MISSING_CAUSES}")
    if node.enum is not None and node.kind != "string":
        raise SystemExit(f"{where}: only a string has an enum")
    if node.carries and (node.encoding != "json" or set(node.carries) - set(SOURCES)):
        raise SystemExit(f"{where}: 'carries' names triggers whose events a JSON string holds")
    if node.batch and node.kind not in ("list", "object"):
        raise SystemExit(f"{where}: batch marks a list of records (or a map of such lists)")
    if node.keys and node.kind != "object":
        raise SystemExit(f"{where}: only an object has keys")
    if node.items is not None and node.kind != "list":
        raise SystemExit(f"{where}: only a list has items")
    if ANY_KEY in node.keys:
        raise SystemExit(f"{where}: {ANY_KEY!r} is reserved for list items and map values")


# --------------------------------------------------------------------------- Powertools-Python


def _is_model(tp: Any) -> bool:
    from pydantic import BaseModel

    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _literal_kind(values: Sequence[Any]) -> str:
    kinds = set()
    for value in values:
        if isinstance(value, enum.Enum):
            value = value.value
        if isinstance(value, bool):
            kinds.add("bool")
        elif isinstance(value, (int, float)):
            kinds.add("number")
        elif isinstance(value, str):
            kinds.add("string")
        else:
            kinds.add("any")
    return kinds.pop() if len(kinds) == 1 else "any"


def py_type_node(tp: Any, stack: tuple[type, ...]) -> Node:
    """Turn one pydantic field annotation into a node (raw JSON view where it can)."""
    from pydantic import BaseModel

    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        inner = py_type_node(args[0], stack)
        if any(_is_json_marker(meta) for meta in args[1:]):
            return Node(kind="string", encoding="json")
        return inner
    if origin is Union or (hasattr(types, "UnionType") and origin is types.UnionType):
        members = []
        nullable = False
        for arg in args:
            if arg is type(None):
                nullable = True
                continue
            # ``type[BaseModel]`` / ``BaseModel`` members are the slot a user model parses
            # a decoded payload into: not a raw JSON kind.
            if typing.get_origin(arg) is type or arg is BaseModel:
                continue
            members.append(py_type_node(arg, stack))
        node = union(members) if members else Node(kind="any", open=True)
        node.nullable = node.nullable or nullable
        return node
    if origin is typing.Literal:
        node = Node(kind=_literal_kind(args))
        node.nullable = any(a is None for a in args)
        return node
    if origin in (list, tuple, set, frozenset, Sequence) or origin is typing.Sequence:
        return Node(kind="list", items=py_type_node(args[0], stack) if args else None)
    if origin in (dict, Mapping) or origin is typing.Mapping:
        values = py_type_node(args[1], stack) if len(args) == 2 else None
        return Node(kind="object", open=True, values=values)
    if origin is type:
        return Node(kind="any", open=True)
    if tp is Any or tp is object:
        return Node(kind="any", open=True)
    if _is_model(tp):
        return py_model_node(tp, stack)
    if isinstance(tp, type):
        if issubclass(tp, bool):
            return Node(kind="bool")
        if issubclass(tp, enum.Enum):
            return Node(kind=_literal_kind([m.value for m in tp]))
        if issubclass(tp, str):
            return Node(kind="string")
        if issubclass(tp, (int, float, decimal.Decimal)):
            return Node(kind="number")
        if issubclass(tp, (bytes, bytearray)):
            # pydantic turns a JSON string into bytes; the raw value is a string
            return Node(kind="string", raw_unsure=True)
        if issubclass(tp, (_dt.datetime, _dt.date, _dt.time, _dt.timedelta)):
            # lax mode accepts an ISO string or an epoch number: the raw kind is unsure
            return Node(kind="any", raw_unsure=True)
        if issubclass(tp, dict):
            return Node(kind="object", open=True)
        if issubclass(tp, (list, tuple)):
            return Node(kind="list")
        if issubclass(
            tp,
            (
                uuid.UUID,
                ipaddress.IPv4Address,
                ipaddress.IPv6Address,
                ipaddress.IPv4Network,
                ipaddress.IPv6Network,
            ),
        ):
            return Node(kind="string")
    name = getattr(tp, "__name__", repr(tp))
    if name in ("HttpUrl", "AnyUrl", "IPvAnyAddress", "IPvAnyNetwork", "IPvAnyInterface"):
        return Node(kind="string")
    raise SystemExit(f"unsupported annotation {tp!r}: teach py_type_node about it")


def _is_json_marker(meta: Any) -> bool:
    """``pydantic.Json`` in field metadata: the raw value is a JSON-encoded string."""
    return getattr(meta, "__name__", None) == "Json" or type(meta).__name__ == "Json"


def _field_key(name: str, info: Any) -> str:
    alias = info.validation_alias if isinstance(info.validation_alias, str) else None
    return alias or info.alias or name


def _rewritten_fields(model: type) -> set[str]:
    """Fields a ``mode="before"``/``"plain"``/``"wrap"`` validator sees raw and rewrites."""
    out: set[str] = set()
    for deco in model.__pydantic_decorators__.field_validators.values():
        if deco.info.mode in ("before", "plain", "wrap"):
            out.update(deco.info.fields)
    return out


def py_model_node(model: type, stack: tuple[type, ...] = ()) -> Node:
    """Walk a pydantic model class into an object node."""
    if model in stack:
        return Node(kind="object", open=True)
    node = Node(kind="object")
    rewritten = _rewritten_fields(model)
    for name, info in model.model_fields.items():
        child = py_type_node(info.annotation, (*stack, model))
        if any(_is_json_marker(m) for m in info.metadata):
            child = Node(kind="string", encoding="json")
        child.absent = not info.is_required()
        if name in rewritten:
            child.raw_unsure = True
        node.keys[_field_key(name, info)] = child
    return node


def load_py_models() -> Any:
    """Import the pinned Powertools parser models (or stop with a clear message)."""
    try:
        import aws_lambda_powertools
        from aws_lambda_powertools.utilities.parser import models
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SystemExit(
            "the generator needs aws-lambda-powertools[parser]=="
            f"{POWERTOOLS_VERSION}: pip install 'aws-lambda-powertools[parser]=="
            f"{POWERTOOLS_VERSION}' ({exc})"
        ) from exc
    version = getattr(aws_lambda_powertools, "__version__", None)
    if version is None:
        from aws_lambda_powertools.shared.version import VERSION as version
    if version != POWERTOOLS_VERSION:
        raise SystemExit(
            f"aws-lambda-powertools {version} is installed; the catalogue is pinned to "
            f"{POWERTOOLS_VERSION}. Bump POWERTOOLS_VERSION on purpose, or install the pin."
        )
    return models


# --------------------------------------------------------------------------- Powertools-TS


def schema_node(schema: Any) -> Node:
    """Turn one (inlined, ``$ref``-free) JSON Schema into a node: kind, presence, null."""
    if schema is True or schema == {} or not isinstance(schema, dict):
        return Node(kind="any", open=True)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            alts = [s for s in schema[key] if not _is_null_schema(s)]
            node = union([schema_node(s) for s in alts]) if alts else Node(kind="any", open=True)
            node.nullable = node.nullable or len(alts) < len(schema[key])
            return node
    if "allOf" in schema:
        parts = [schema_node(s) for s in schema["allOf"]]
        node = parts[0]
        for part in parts[1:]:
            node.keys.update(part.keys)
        return node
    types_ = schema.get("type")
    if isinstance(types_, str):
        types_ = [types_]
    if types_ is None:
        if "properties" in schema or "additionalProperties" in schema:
            types_ = ["object"]
        elif "items" in schema:
            types_ = ["array"]
        elif "const" in schema:
            types_ = [json_type(schema["const"])]
        elif "enum" in schema:
            types_ = sorted({json_type(v) for v in schema["enum"]})
        else:
            types_ = []
    nullable = "null" in types_
    kinds = sorted({_KIND_OF_TYPE[t] for t in types_ if t != "null"})
    kind = kinds[0] if len(kinds) == 1 else "any"
    node = Node(kind=kind, nullable=nullable)
    if kind == "object":
        required = set(schema.get("required", ()))
        for name, sub in schema.get("properties", {}).items():
            child = schema_node(sub)
            child.absent = name not in required
            node.keys[name] = child
        extra = schema.get("additionalProperties")
        if extra not in (None, False):
            node.open = True
            node.values = schema_node(extra)
    elif kind == "list":
        if "items" in schema:
            node.items = schema_node(schema["items"])
    elif kind == "string" and schema.get("contentEncoding") == "base64":
        node.encoding = "base64"
    elif kind == "any":
        node.open = True
    return node


_KIND_OF_TYPE = {
    "object": "object",
    "array": "list",
    "string": "string",
    "number": "number",
    "integer": "number",
    "boolean": "bool",
}


def _is_null_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null" and len(schema) == 1


def refresh_ts_facts(export_path: Path) -> None:
    """Rebuild the TypeScript snapshot from a JSON Schema export of the npm parser."""
    export = json.loads(export_path.read_text(encoding="utf-8"))
    wanted = sorted({name for src in SOURCES.values() for name in src.ts_schemas})
    missing = [name for name in wanted if name not in export]
    if missing:
        raise SystemExit(f"{export_path}: no schema named {missing}")
    schemas = {}
    for name in wanted:
        node = schema_node(export[name])
        schemas[name] = {path_text(p): node_shorthand(n) for p, n in walk_paths(node)}
    snapshot = {"source": TS_SOURCE, "schemas": schemas}
    TS_FACTS_PATH.write_text(_dump_ts_facts(snapshot), encoding="utf-8")
    print(f"wrote {TS_FACTS_PATH.relative_to(ROOT)} ({len(schemas)} schemas)")


def _dump_ts_facts(snapshot: dict[str, Any]) -> str:
    lines = [
        "{",
        '"source": ' + json.dumps(snapshot["source"], sort_keys=True) + ",",
        '"schemas": {',
    ]
    names = sorted(snapshot["schemas"])
    for i, name in enumerate(names):
        entries = snapshot["schemas"][name]
        lines.append(json.dumps(name) + ": {")
        body = [json.dumps(p) + ": " + json.dumps(v) for p, v in entries.items()]
        lines.append(",\n".join(body))
        lines.append("}" + ("," if i < len(names) - 1 else ""))
    lines.append("}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def load_ts_facts() -> dict[str, Node]:
    """Read the committed TypeScript snapshot back into one node tree per schema."""
    data = json.loads(TS_FACTS_PATH.read_text(encoding="utf-8"))
    out: dict[str, Node] = {}
    for name, entries in data["schemas"].items():
        root: Node | None = None
        for text, short in entries.items():
            node = parse_spec(short, f"{TS_FACTS_PATH.name}:{name}:{text}")
            node.open = False
            path = parse_path_text(text)
            if not path:
                root = node
                continue
            assert root is not None
            parent = _resolve(root, path[:-1])
            if parent is None:
                raise SystemExit(f"{TS_FACTS_PATH.name}:{name}: {text} has no parent")
            _attach(parent, path[-1], node)
        assert root is not None
        out[name] = root
    return out


def _attach(parent: Node, key: str, node: Node) -> None:
    if key == ANY_KEY and parent.kind == "list":
        parent.items = node
    elif key == ANY_KEY:
        parent.open = True
        parent.values = node
    else:
        parent.keys[key] = node


def _resolve(root: Node, path: Sequence[str]) -> Node | None:
    node: Node | None = root
    for part in path:
        if node is None:
            return None
        if part == ANY_KEY:
            node = node.items if node.kind == "list" else node.values
        else:
            node = node.keys.get(part)
    return node


# --------------------------------------------------------------------------- merging


def apply_ts(py: Node, ts: Node, path: tuple[str, ...], log: list[str]) -> None:
    """Take presence, ``null`` and raw kinds from the TypeScript schema where it has the key.

    Keys only the TypeScript schema knows are added; keys only Python knows keep Python's
    view (pydantic's ``X | None = None``: may be absent, may be ``null``).
    """
    py.absent = ts.absent
    py.nullable = ts.nullable
    if ts.kind != py.kind:
        if ts.kind != "any":
            log.append(f"{path_text(path) or '(root)'}: kind {py.kind} -> {ts.kind} (TS raw)")
            py.kind = ts.kind
            py.raw_unsure = False
            if ts.kind != "object":
                py.keys = {}
                py.values = None
                py.open = False
            if ts.kind != "list":
                py.items = None
            if ts.kind != "string":
                py.encoding = None
                py.enum = None
        elif not py.raw_unsure:
            log.append(f"{path_text(path) or '(root)'}: TS says any, Python {py.kind}: kept")
    elif py.raw_unsure:
        py.raw_unsure = False
    if ts.encoding and py.kind == "string" and not py.encoding:
        py.encoding = ts.encoding
    if py.kind == "object":
        for name, sub in ts.keys.items():
            if name in py.keys:
                apply_ts(py.keys[name], sub, (*path, name), log)
            elif not py.open or py.keys:
                log.append(f"{path_text((*path, name))}: added from TS")
                py.keys[name] = _clean_copy(sub)
        if ts.values is not None and py.values is not None:
            apply_ts(py.values, ts.values, (*path, ANY_KEY), log)
        elif ts.open and not py.open and not py.keys:
            py.open = True
    elif py.kind == "list" and ts.items is not None:
        if py.items is None:
            py.items = _clean_copy(ts.items)
        else:
            apply_ts(py.items, ts.items, (*path, ANY_KEY), log)


def _clean_copy(node: Node) -> Node:
    out = copy.deepcopy(node)
    for _, sub in walk_paths(out):
        sub.raw_unsure = False
    return out


# --------------------------------------------------------------------------- overlay

_OPS = ("define", "set", "add", "remove")


def apply_overlay(shapes: dict[str, Node], overlay: dict[str, Any]) -> dict[str, list[str]]:
    """Apply every overlay entry in order; return the doc URLs used per trigger."""
    docs: dict[str, list[str]] = {}
    defs = overlay.get("defs", {})
    for index, entry in enumerate(overlay["entries"]):
        where = f"overlay entry {index}"
        doc = entry.get("doc")
        if not isinstance(doc, str) or not doc.startswith(DOC_PREFIX):
            raise SystemExit(f"{where}: needs a 'doc' URL under {DOC_PREFIX}")
        if not entry.get("why"):
            raise SystemExit(f"{where}: needs a 'why'")
        ops = [op for op in _OPS if op in entry]
        if len(ops) != 1:
            raise SystemExit(f"{where}: needs exactly one of {_OPS}")
        op = ops[0]
        triggers = entry["trigger"]
        if isinstance(triggers, str):
            triggers = [triggers]
        path = tuple(entry.get("path", ()))
        for trigger in triggers:
            if trigger not in SOURCES:
                raise SystemExit(f"{where}: unknown trigger {trigger!r}")
            label = f"{where} ({trigger} {path_text(path) or '(root)'})"
            _apply_one(shapes, trigger, op, path, entry[op], label, defs)
            urls = docs.setdefault(trigger, [])
            if doc not in urls:
                urls.append(doc)
    return docs


def _apply_one(
    shapes: dict[str, Node],
    trigger: str,
    op: str,
    path: tuple[str, ...],
    value: Any,
    where: str,
    defs: Mapping[str, Any],
) -> None:
    if op == "define" and not path:
        shapes[trigger] = parse_spec(value, where, defs)
        return
    root = shapes.get(trigger)
    if root is None:
        raise SystemExit(f"{where}: {trigger} has no shape yet; 'define' its root first")
    if op == "set":
        node = _resolve(root, path)
        if node is None:
            raise SystemExit(f"{where}: no such path to set")
        for name, attr in value.items():
            if name in ("items", "values"):
                setattr(node, name, parse_spec(attr, f"{where}/*", defs))
                if name == "values":
                    node.open = True
            elif name == "keys":
                raise SystemExit(f"{where}: use 'add' for new keys")
            elif name in ("kind", "absent", "nullable", "encoding", "batch", "open", "note"):
                setattr(node, name, attr)
                if name == "kind":
                    node.raw_unsure = False
            elif name in ("missing", "present_when", "enum"):
                _set_condition(node, name, attr)
            elif name == "carries":
                node.carries = tuple(sorted(attr))
            else:
                raise SystemExit(f"{where}: cannot set {name!r}")
        if node.kind != "object":
            node.keys = {}
            node.values = None
        if node.kind != "list":
            node.items = None
        _check_node(node, where)
        return
    parent = _resolve(root, path[:-1])
    if parent is None or not path:
        raise SystemExit(f"{where}: no parent for this path")
    key = path[-1]
    exists = _resolve(root, path) is not None
    if op == "add":
        if exists:
            raise SystemExit(f"{where}: already present upstream; drop or change this entry")
        if parent.kind != "object" and not (key == ANY_KEY and parent.kind == "list"):
            raise SystemExit(f"{where}: the parent is a {parent.kind}, not an object")
        _attach(parent, key, parse_spec(value, where, defs))
    elif op == "define":
        if key == ANY_KEY or parent.kind == "object":
            _attach(parent, key, parse_spec(value, where, defs))
        else:
            raise SystemExit(f"{where}: the parent is a {parent.kind}")
    elif op == "remove":
        if not exists or key == ANY_KEY:
            raise SystemExit(f"{where}: nothing to remove")
        del parent.keys[key]


def _check_cause(root: Node, node: Node, where: str) -> None:
    """A cause belongs to a value that may be missing; a `present_when` names a value of
    the same event whose enum (when known) has the values it lists."""
    if node.missing is not None and not (node.absent or node.nullable):
        if node.missing != "variant":
            raise SystemExit(f"{where}: 'missing' on a value that is never absent or null")
        node.missing = None  # a variant key another source says is always there
    if node.present_when is None:
        return
    path, values = node.present_when
    if node.missing != "event-type":
        raise SystemExit(f"{where}: 'present_when' belongs to an 'event-type' cause")
    target = _resolve(root, path)
    if target is None or target.kind != "string":
        raise SystemExit(f"{where}: present_when names {path_text(path)!r}, not a string")
    unknown = set(values) - set(target.enum or values)
    if unknown:
        raise SystemExit(f"{where}: {sorted(unknown)} are not values of {path_text(path)!r}")


# --------------------------------------------------------------------------- output


def build(report: list[str] | None = None) -> str:
    """Compute the catalogue text."""
    models = load_py_models()
    ts_facts = load_ts_facts()
    overlay = json.loads(OVERLAY_PATH.read_text(encoding="utf-8"))
    shapes: dict[str, Node] = {}
    origins: dict[str, list[str]] = {}
    for trigger, src in SOURCES.items():
        if not src.py_models:
            continue
        py = union([py_model_node(getattr(models, name)) for name in src.py_models])
        origin = [f"powertools-py:{name}" for name in src.py_models]
        if src.ts_schemas:
            ts = union([ts_facts[name] for name in src.ts_schemas])
            log: list[str] = []
            apply_ts(py, ts, (), log)
            origin += [f"powertools-ts:{name}" for name in src.ts_schemas]
            if report is not None:
                report.extend(f"{trigger}: {line}" for line in log)
        shapes[trigger] = py
        origins[trigger] = origin
    docs = apply_overlay(shapes, overlay)
    missing = sorted(set(SOURCES) - set(shapes))
    if missing and report is not None:
        report.append(f"no shape yet for {missing}")
    elif missing:
        raise SystemExit(f"no shape for {missing}: add a 'define' entry to the overlay")
    for trigger, root in shapes.items():
        for path, node in walk_paths(root):
            where = f"{trigger}:{path_text(path) or '(root)'}"
            _check_node(node, where)
            _check_cause(root, node, where)
            if node.raw_unsure and report is not None:
                report.append(f"{where}: raw kind unsure ({node.kind})")
            elif node.raw_unsure:
                raise SystemExit(
                    f"{where}: the Python model rewrites or coerces this value and no TS schema "
                    "gives its raw kind: set 'kind' in the overlay"
                )
        if trigger in docs:
            origins.setdefault(trigger, []).append("overlay")
    return _dump(shapes, origins)


def _dump(shapes: dict[str, Node], origins: dict[str, list[str]]) -> str:
    def enc(value: Any) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"))

    header = {
        "format": FORMAT_VERSION,
        "generated_by": "tools/gen_event_catalogue.py",
        "sources": {
            "aws-lambda-powertools": POWERTOOLS_VERSION,
            "@aws-lambda-powertools/parser": TS_PARSER_VERSION,
            "overlay": "tools/event_catalogue/overlay.json",
        },
    }
    lines = ["{"]
    for name in sorted(header):
        lines.append(f"{enc(name)}:{enc(header[name])},")
    lines.append('"triggers":{')
    names = sorted(shapes)
    for i, trigger in enumerate(names):
        meta = {"doc": SOURCES[trigger].doc, "from": origins.get(trigger, [])}
        lines.append(f"{enc(trigger)}:{{{enc('meta')}:{enc(meta)},{enc('paths')}:{{")
        entries = [f"{enc(path_text(p))}:{enc(n.attrs())}" for p, n in walk_paths(shapes[trigger])]
        lines.append(",\n".join(entries))
        lines.append("}}" + ("," if i < len(names) - 1 else ""))
    lines.append("}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help="compare with the committed file")
    group.add_argument("--stdout", action="store_true", help="print the catalogue")
    group.add_argument("--report", action="store_true", help="print merge notes")
    group.add_argument(
        "--refresh-ts-facts", metavar="EXPORT", type=Path, help="rebuild the TS snapshot"
    )
    args = parser.parse_args(argv)
    if args.refresh_ts_facts:
        refresh_ts_facts(args.refresh_ts_facts)
        return 0
    report: list[str] = []
    text = build(report if args.report else None)
    if args.report:
        print("\n".join(report))
        return 0
    if args.stdout:
        sys.stdout.write(text)
        return 0
    if args.check:
        current = OUTPUT_PATH.read_text(encoding="utf-8") if OUTPUT_PATH.exists() else ""
        if current != text:
            print(f"{OUTPUT_PATH.relative_to(ROOT)} is out of date: run {Path(__file__).name}")
            return 1
        return 0
    OUTPUT_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT_PATH.relative_to(ROOT)} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
