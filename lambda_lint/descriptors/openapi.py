"""API definitions in OpenAPI (Swagger 2.0 or OpenAPI 3) with API Gateway extensions.

A SAM `AWS::Serverless::Api`/`HttpApi` (`DefinitionBody`, `DefinitionUri`) or a
CloudFormation `AWS::ApiGateway::RestApi`/`AWS::ApiGatewayV2::Api` (`Body`) may describe
its routes in OpenAPI; the body may be inline or included from a file of the repository
(`Fn::Transform: {Name: AWS::Include, Parameters: {Location: ...}}`).

Extensions, per the API Gateway developer guide ("API Gateway extensions to OpenAPI"):
`x-amazon-apigateway-integration` on an operation binds it to the function its `uri`
names (`arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function
arn>/invocations`); its `type` is `aws_proxy` (the proxy event) or `aws` (a mapping
template makes the event); HTTP APIs also give `payloadFormatVersion`.
`x-amazon-apigateway-any-method` is the `ANY` method. Security schemes carrying
`x-amazon-apigateway-authorizer` (`type` token, request or jwt; `authorizerUri`;
`authorizerPayloadFormatVersion`; `enableSimpleResponses`) or an
`x-amazon-apigateway-authtype` are authorizers; `security` on an operation, else on the
document, says which guard a route (an empty list: none).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from lambda_lint.descriptors.draft import FunctionDraft, join_path
from lambda_lint.descriptors.json_loader import load_json
from lambda_lint.descriptors.model import SourceRef, TriggerBinding
from lambda_lint.descriptors.request_validation import UNREAD, rejects_missing_body
from lambda_lint.descriptors.values import LineMap, Symbolic, dig, line_of, text, truthy, version
from lambda_lint.descriptors.yaml_loader import DescriptorSyntaxError, load_yaml
from lambda_lint.reads import note_read

INTEGRATION = "x-amazon-apigateway-integration"
AUTHORIZER = "x-amazon-apigateway-authorizer"
AUTH_TYPE = "x-amazon-apigateway-authtype"
ANY_METHOD = "x-amazon-apigateway-any-method"
VALIDATOR = "x-amazon-apigateway-request-validator"
VALIDATORS = "x-amazon-apigateway-request-validators"
#: the content type Swagger 2 bodies have when the document does not say (`consumes`)
JSON = "application/json"
HTTP_METHODS = frozenset(("get", "put", "post", "delete", "options", "head", "patch", "trace"))
#: the largest definition file read
_SIZE_LIMIT = 4 * 1024 * 1024


def load_document(path: Path, source: str) -> Any:
    """Load a YAML or JSON descriptor: JSON for `.json` files; other files that start
    with `{` are tried as JSON (which keeps JSON's error messages) and then as YAML."""
    if path.suffix.lower() == ".json":
        return load_json(source)
    if source.lstrip().startswith("{"):
        try:
            return load_json(source)
        except DescriptorSyntaxError:
            pass
    return load_yaml(source)


def include_location(value: Any) -> str | None:
    """The `Location` of an `Fn::Transform` `AWS::Include`, when literal."""
    if not isinstance(value, Symbolic) or value.kind != "Transform":
        return None
    if text(dig(value.value, "Name")) != "AWS::Include":
        return None
    return text(dig(value.value, "Parameters", "Location"))


def definition(value: Any, folder: Path, template: Path) -> tuple[LineMap, Path] | None:
    """The OpenAPI document a `DefinitionBody`/`Body` (inline or `AWS::Include`) or a
    `DefinitionUri` (a path) gives, with the file it is written in; None when it cannot be
    read here (a bucket, a variable, a missing or malformed file)."""
    if isinstance(value, LineMap):
        return value, template
    location = include_location(value) if isinstance(value, Symbolic) else text(value)
    if not location or location.startswith("s3://") or "${" in location:
        return None
    path = join_path(folder, location)
    note_read(path)
    try:
        if path.stat().st_size > _SIZE_LIMIT:
            return None
        document = load_document(path, path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, DescriptorSyntaxError, RecursionError):
        return None
    return (document, path) if isinstance(document, LineMap) else None


@dataclass(frozen=True)
class ApiStyle:
    """What kind of API the definition configures, and SAM's default authorizer."""

    http_api: bool
    #: SAM `Auth.DefaultAuthorizer` is set (and not `NONE`)
    default_authorizer: bool = False


class Definition:
    """Binds the routes and authorizers of one OpenAPI document to functions."""

    def __init__(
        self,
        document: LineMap,
        path: Path,
        kind: str,
        style: ApiStyle,
        function: Callable[[Any], FunctionDraft | None],
    ) -> None:
        self.document = document
        self.path = path
        self.kind = kind
        self.style = style
        self.function = function
        self.schemes = self._schemes()

    def ref(self, line: int) -> SourceRef:
        return SourceRef(self.kind, self.path, line)

    def bind(self) -> None:
        self._bind_authorizers()
        for route, method, operation, line in self._operations():
            integration = operation.get(INTEGRATION)
            draft = self.function(dig(integration, "uri"))
            if draft is None:
                continue
            binding = self._route_binding(integration, operation, route, method, line)
            if binding is not None:
                draft.add(binding)

    def _operations(self) -> Iterator[tuple[str, str, LineMap, int]]:
        paths = self.document.get("paths")
        for route, item in paths.items() if isinstance(paths, LineMap) else ():
            if not isinstance(item, LineMap) or not isinstance(route, str):
                continue
            for key, operation in item.items():
                name = str(key).lower()
                if isinstance(operation, LineMap) and (name in HTTP_METHODS or name == ANY_METHOD):
                    method = "ANY" if name == ANY_METHOD else name.upper()
                    yield route, method, operation, item.key_line(key)

    def _route_binding(
        self, integration: Any, operation: LineMap, route: str, method: str, line: int
    ) -> TriggerBinding | None:
        kind = (text(dig(integration, "type")) or "").lower()
        if kind not in ("aws_proxy", "aws"):
            return None
        payload = version(dig(integration, "payloadFormatVersion"))
        trigger = "apigw-rest"
        proxy: bool | None = kind == "aws_proxy"
        if self.style.http_api:
            if payload == "2.0":
                trigger = "apigw-http"
            elif payload != "1.0":
                proxy = None  # the payload format decides the event; not given here
        return TriggerBinding(
            trigger,
            self.ref(line),
            route=route,
            method=method,
            proxy=proxy,
            authorizer=self._authorized(operation),
            payload_version=payload if self.style.http_api else None,
            rejects_missing_body=not self.style.http_api and self._rejects_missing_body(operation),
        )

    # -- request validation ------------------------------------------------------------------

    def _rejects_missing_body(self, operation: LineMap) -> bool:
        """Whether the operation's request validator (its own, else the document's)
        validates bodies against a model that a request without a body fails."""
        name = text(operation.get(VALIDATOR)) or text(self.document.get(VALIDATOR))
        validator = dig(self.document.get(VALIDATORS), name) if name else None
        validates = truthy(dig(validator, "validateRequestBody"))
        return rejects_missing_body(validates, self._body_models(operation))

    def _body_models(self, operation: LineMap) -> Iterator[tuple[Any, Any]]:
        """`(content type, schema)` of the operation's body: OpenAPI 3 `requestBody`,
        Swagger 2 `in: body` parameters (for each content type it `consumes`)."""
        content = dig(self._resolved(operation.get("requestBody")), "content")
        for content_type, media in content.items() if isinstance(content, dict) else ():
            if dig(media, "schema") is not None:
                yield content_type, self._resolved(dig(media, "schema"))
        consumes = operation.get("consumes") or self.document.get("consumes") or [JSON]
        for parameter in operation.get("parameters") or ():
            parameter = self._resolved(parameter)
            if text(dig(parameter, "in")) == "body" and dig(parameter, "schema") is not None:
                schema = self._resolved(dig(parameter, "schema"))
                for content_type in consumes if isinstance(consumes, list) else ():
                    yield content_type, schema

    def _resolved(self, value: Any) -> Any:
        """`value`, or what its local `$ref` (`#/components/schemas/Order`) points at;
        `UNREAD` for a reference the document does not hold."""
        reference = text(dig(value, "$ref"))
        if reference is None:
            return value
        if not reference.startswith("#/"):
            return UNREAD
        target: Any = self.document
        for part in reference[2:].split("/"):
            target = dig(target, part)
        return target if isinstance(target, dict) else UNREAD

    # -- security ----------------------------------------------------------------------------

    def _schemes(self) -> dict[str, Any]:
        """Security schemes by name (Swagger 2 `securityDefinitions`, OpenAPI 3
        `components.securitySchemes`)."""
        found: dict[str, Any] = {}
        for schemes in (
            self.document.get("securityDefinitions"),
            dig(self.document, "components", "securitySchemes"),
        ):
            if isinstance(schemes, LineMap):
                found.update(schemes)
        return found

    def _is_authorizer(self, name: Any) -> bool | None:
        scheme = self.schemes.get(name)
        if not isinstance(scheme, dict):
            return None  # a scheme this document does not define (SAM adds its own)
        return AUTHORIZER in scheme or AUTH_TYPE in scheme

    def _authorized(self, operation: LineMap) -> bool | None:
        """Whether the operation's `security` (else the document's, else SAM's default
        authorizer) names an authorizer; None when it names a scheme not defined here."""
        requirements = operation.get("security")
        if requirements is None:
            requirements = self.document.get("security")
        if requirements is None:
            return self.style.default_authorizer
        if not isinstance(requirements, list):
            return None
        if not requirements:
            return False
        flags = [
            self._is_authorizer(name)
            for requirement in requirements
            if isinstance(requirement, dict)
            for name in requirement
        ]
        if True in flags:  # API Gateway applies the authorizer (and any API key) listed
            return True
        return None if None in flags else False

    def _bind_authorizers(self) -> None:
        schemes = self.schemes
        for name, scheme in schemes.items():
            config = dig(scheme, AUTHORIZER)
            draft = self.function(dig(config, "authorizerUri"))
            if draft is None:
                continue
            kind = (text(dig(config, "type")) or "").lower()
            line = line_of(config, "authorizerUri", 0) or self.document.line
            if self.style.http_api:
                simple = dig(config, "enableSimpleResponses")
                binding = TriggerBinding(
                    "apigw-authorizer-http",
                    self.ref(line),
                    resource=str(name),
                    payload_version=version(dig(config, "authorizerPayloadFormatVersion")),
                    simple_responses=truthy(simple) if simple is not None else False,
                )
            elif kind in ("token", "request"):
                binding = TriggerBinding(
                    f"apigw-authorizer-{kind}", self.ref(line), resource=str(name)
                )
            else:
                continue
            draft.add(binding)
