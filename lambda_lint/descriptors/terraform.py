"""Terraform configurations: `aws_lambda_function` resources, the `terraform-aws-modules`
Lambda module, and the resources that wire event sources to them.

Arguments follow the AWS provider documentation (registry.terraform.io/providers/hashicorp
/aws): `handler` is relative to the deployment package, which for a
`data "archive_file"` package is its `source_dir` (or the folder of its `source_file`);
the Lambda module (registry.terraform.io/modules/terraform-aws-modules/lambda/aws) packages
`source_path`. References (`aws_sqs_queue.jobs.arn`) are followed across the `.tf` files of
one folder; variables and other expressions stay symbolic.

An `aws_apigatewayv2_integration` without `payload_format_version` uses payload format
1.0 (the provider's default), so an HTTP API route behind it gets the REST-style event.
A package whose source is one `.py` file (`source_file`, a module `source_path`) holds
that module alone. Terraform accepts spaces after a heredoc's closing marker, which
python-hcl2 does not: lines lose their trailing spaces before parsing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lambda_lint.descriptors.cloudformation import split_route_key, trigger_from_arn
from lambda_lint.descriptors.draft import (
    BEDROCK_PRINCIPAL,
    PRINCIPAL_TRIGGERS,
    FunctionDraft,
    join_path,
)
from lambda_lint.descriptors.hcl import Block, TextIndex, blocks, clean, locals_of, parse_hcl
from lambda_lint.descriptors.model import (
    DescriptorProblem,
    DescriptorSet,
    SourceRef,
    TriggerBinding,
)
from lambda_lint.descriptors.request_validation import (
    built_in_schema,
    rejects_missing_body,
    schema_of,
)
from lambda_lint.descriptors.values import (
    detail_types,
    function_name_from_arn,
    integer,
    truthy,
    whole_number,
)
from lambda_lint.descriptors.yaml_loader import DescriptorSyntaxError

KIND = "terraform"
LAMBDA_MODULE = re.compile(r"terraform-aws-modules/lambda/aws|terraform-aws-lambda")

#: resource types an event source mapping reads from, and the trigger each one means
SOURCE_TYPES = {
    "aws_sqs_queue": "sqs",
    "aws_kinesis_stream": "kinesis",
    "aws_dynamodb_table": "dynamodb-stream",
    "aws_msk_cluster": "kafka",
    "aws_msk_serverless_cluster": "kafka",
    "aws_mq_broker": "mq",
    "aws_docdb_cluster": "documentdb",
}

_REFERENCE = re.compile(
    r"(?<![\w.])(data\.[\w-]+|aws_[\w-]+|module)\.([\w-]+)(?:\[[^\]]*\])?(?:\.(\w+))?"
)
_PATH_PREFIX = re.compile(r"^\$\{path\.(?:module|root|cwd)\}/?")
#: `jsonencode(<HCL value>)` as python-hcl2 renders an expression
_JSONENCODE = re.compile(r"\$\{\s*jsonencode\((.*)\)\s*\}", re.DOTALL)
#: a heredoc left with its markers (`<<EOF` / `<<-EOF` ... `EOF`)
_HEREDOC = re.compile(r"<<-?\s*([A-Za-z_]\w*)[ \t]*\r?\n(.*?)\r?\n[ \t]*\1", re.DOTALL)
_TRAILING_SPACE = re.compile(r"[ \t]+(?=\r?$)", re.MULTILINE)
#: `payload_format_version` of an `aws_apigatewayv2_integration` that does not set it
#: (registry.terraform.io/providers/hashicorp/aws: "Default is `1.0`")
DEFAULT_V2_PAYLOAD = "1.0"


def read_terraform(path: Path, source: str) -> DescriptorSet:
    """Read one `.tf` file (references to other files of its folder stay unresolved)."""
    return read_terraform_dir(path.parent, {path: source})


def _may_declare_functions(source: str) -> bool:
    """Whether a file could declare a Lambda function, directly or through a module
    (an `aws_lambda_function`, a `module` block): one that declares none is not ours to
    call broken (a Terraform 0.11 file of a database, even with a role Lambda may
    assume, `lambda.amazonaws.com`)."""
    return _DECLARES_FUNCTIONS.search(source) is not None


#: what names a function a file declares: its resource type, or a module block
_DECLARES_FUNCTIONS = re.compile(r"\baws_lambda_function\b|^\s*module\s", re.MULTILINE)


def read_terraform_dir(folder: Path, files: dict[Path, str]) -> DescriptorSet:
    """Read the `.tf` files of one folder (one Terraform module) together."""
    result = DescriptorSet()
    config = _Config(folder)
    for path, source in sorted(files.items()):
        try:
            data = parse_hcl(_TRAILING_SPACE.sub("", source))
        except DescriptorSyntaxError as error:
            if _may_declare_functions(source):
                result.problems.append(DescriptorProblem(path, error.line, error.message))
            continue
        config.add(data, path, TextIndex(source))
    config.read_functions()
    config.link()
    result.functions.extend(draft.freeze() for draft in config.functions.values())
    return result


def references(value: Any) -> list[tuple[str, str, str | None]]:
    """`(type, name, attribute)` of every `type.name.attribute` reference in a value;
    `type` is `data.<type>` for data sources and `module` for module outputs."""
    found: list[tuple[str, str, str | None]] = []
    if isinstance(value, str) and "${" in value:
        for type_, name, attribute in _REFERENCE.findall(value):
            found.append((type_, name, attribute or None))
    elif isinstance(value, list):
        for item in value:
            found.extend(references(item))
    elif isinstance(value, dict):
        for item in value.values():
            found.extend(references(item))
    return found


def literal(value: Any) -> str | None:
    """A plain string argument; None for expressions and interpolations."""
    return value if isinstance(value, str) and "${" not in value else None


def _first(value: Any) -> dict[str, Any]:
    """The first (usually only) instance of a nested block."""
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, dict) else {}


def _schedule_expression(block: Block | None) -> str | None:
    """The literal `schedule_expression` of a rule or schedule block."""
    return literal(block.body.get("schedule_expression")) if block is not None else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


class _Config:
    """All blocks of one folder, the functions among them, and the links between them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.blocks: dict[tuple[str, str], Block] = {}
        self.modules: dict[str, Block] = {}
        self.locals: dict[str, Any] = {}
        self.functions: dict[tuple[str, str], FunctionDraft] = {}
        self._names: dict[str, tuple[str, str]] = {}

    def add(self, data: dict[str, Any], path: Path, index: TextIndex) -> None:
        for block in blocks(data, path, index):
            if block.kind == "module":
                self.modules[block.name] = block
            else:
                type_ = block.type if block.kind == "resource" else f"data.{block.type}"
                self.blocks[(type_, block.name)] = block
        self.locals.update(locals_of(data))

    def resolve(self, value: Any, depth: int = 0) -> Any:
        """Replace `local.x` by its value when the whole value is that reference."""
        if isinstance(value, str) and depth < 8:
            match = re.fullmatch(r"\$\{local\.([\w-]+)\}", value)
            if match and match.group(1) in self.locals:
                return self.resolve(self.locals[match.group(1)], depth + 1)
        return value

    def ref(self, block: Block, line: int | None = None) -> SourceRef:
        return SourceRef(KIND, block.file, line or block.line)

    def binding(self, trigger: str, block: Block, **extra: Any) -> TriggerBinding:
        return TriggerBinding(trigger, self.ref(block), **extra)

    # -- functions -------------------------------------------------------------------------

    def read_functions(self) -> None:
        for (type_, name), block in self.blocks.items():
            if type_ == "aws_lambda_function":
                self.functions[(type_, name)] = self._function(block)
        for name, block in self.modules.items():
            source = literal(block.body.get("source")) or ""
            if LAMBDA_MODULE.search(source):
                self.functions[("module", name)] = self._module_function(block)
        for key in self.functions:
            block = self.blocks.get(key) or self.modules[key[1]]
            function_name = literal(block.body.get("function_name"))
            if function_name:
                self._names[function_name] = key

    def _function(self, block: Block) -> FunctionDraft:
        body = block.body
        draft = self._draft(block)
        if literal(body.get("package_type")) == "Image" or "image_uri" in body:
            draft.package_type = "Image"
            command = _list(_first(body.get("image_config")).get("command"))
            draft.handler = literal(command[0]) if command else None
            if command:
                draft.source = self.ref(block, block.line_of("command"))
            return draft
        draft.code_root = self._package_root(body.get("filename"))
        draft.snapstart = literal(_first(body.get("snap_start")).get("apply_on")) == (
            "PublishedVersions"
        )
        return draft

    def _draft(self, block: Block) -> FunctionDraft:
        body = block.body
        handler = self.resolve(body.get("handler"))
        draft = FunctionDraft(block.name, literal(handler), self.ref(block), None)
        if "handler" in body:
            draft.source = self.ref(block, block.line_of("handler"))
        draft.runtime = literal(self.resolve(body.get("runtime")))
        draft.timeout = integer(self.resolve(body.get("timeout")))
        variables = self.resolve(body.get("environment_variables"))  # the Lambda module
        if variables is None:
            variables = self.resolve(_first(body.get("environment")).get("variables"))
        if isinstance(variables, dict):
            draft.environment = {str(k): v for k, v in variables.items() if literal(v) is not None}
        draft.layers = [
            layer for layer in _list(self.resolve(body.get("layers"))) if literal(layer)
        ]
        return draft

    def _package_root(self, filename: Any) -> Path | None:
        """The folder packaged into `filename` when it is an `archive_file` output."""
        for type_, name, attribute in references(self.resolve(filename)):
            archive = self.blocks.get((type_, name))
            if type_ != "data.archive_file" or attribute != "output_path" or archive is None:
                continue
            source_dir = self._local_path(archive.body.get("source_dir"))
            if source_dir is not None:
                return source_dir
            return self._local_path(archive.body.get("source_file"))
        literal_name = literal(self.resolve(filename))
        return self._local_path(literal_name) if literal_name else None

    def _local_path(self, value: Any) -> Path | None:
        value = self.resolve(value)
        if not isinstance(value, str):
            return None
        relative = _PATH_PREFIX.sub("", value)
        if "${" in relative:
            return None
        return join_path(self.folder, relative)

    def _module_function(self, block: Block) -> FunctionDraft:
        body = block.body
        draft = self._draft(block)
        if literal(body.get("package_type")) == "Image" or "image_uri" in body:
            draft.package_type = "Image"
            command = _list(body.get("image_config_command"))
            draft.handler = literal(command[0]) if command else None
        elif body.get("create_package") is None or truthy(body.get("create_package")):
            draft.code_root = self._module_source(body.get("source_path"))
        draft.snapstart = truthy(body.get("snap_start"))
        if truthy(body.get("create_lambda_function_url")):
            line = block.line_of("create_lambda_function_url")
            draft.add(TriggerBinding("function-url", self.ref(block, line)))
        mappings = body.get("event_source_mapping")
        line = block.line_of("event_source_mapping")
        for config in mappings.values() if isinstance(mappings, dict) else ():
            binding = self._mapping_binding(_first(config), block, line)
            if binding is not None:
                draft.add(binding)
        return draft

    def _module_source(self, value: Any) -> Path | None:
        value = self.resolve(value)
        first = _list(value)[0] if _list(value) else None
        if isinstance(first, dict):
            first = first.get("path")
        return self._local_path(first)

    # -- which function a value names ------------------------------------------------------

    def function(self, value: Any) -> FunctionDraft | None:
        value = self.resolve(value)
        for type_, name, _ in references(value):
            if type_ == "aws_lambda_alias":
                alias = self.blocks.get((type_, name))
                return self.function(alias.body.get("function_name")) if alias else None
            key = ("module", name) if type_ == "module" else (type_, name)
            if key in self.functions:
                return self.functions[key]
        text = literal(value)
        if not text:
            return None
        named = self._names.get(function_name_from_arn(text) or text)
        return self.functions.get(named) if named else None

    def target(self, value: Any) -> Block | None:
        """The resource block a value refers to first."""
        for type_, name, _ in references(self.resolve(value)):
            if (type_, name) in self.blocks:
                return self.blocks[(type_, name)]
        return None

    # -- event sources ---------------------------------------------------------------------

    def link(self) -> None:
        linkers = {
            "aws_lambda_event_source_mapping": self._event_source_mapping,
            "aws_lambda_permission": self._permission,
            "aws_lambda_function_url": self._function_url,
            "aws_s3_bucket_notification": self._bucket_notification,
            "aws_sns_topic_subscription": self._sns_subscription,
            "aws_cloudwatch_event_target": self._event_target,
            "aws_scheduler_schedule": self._schedule,
            "aws_api_gateway_integration": self._rest_integration,
            "aws_apigatewayv2_integration": self._v2_integration,
            "aws_apigatewayv2_api": self._v2_quick_create,
            "aws_api_gateway_authorizer": self._rest_authorizer,
            "aws_apigatewayv2_authorizer": self._v2_authorizer,
            "aws_cloudwatch_log_subscription_filter": self._log_subscription,
            "aws_cognito_user_pool": self._user_pool,
            "aws_lb_target_group_attachment": self._target_group_attachment,
            "aws_iot_topic_rule": self._iot_rule,
            "aws_secretsmanager_secret_rotation": self._rotation,
            "aws_bedrockagent_agent_action_group": self._action_group,
        }
        for (type_, _), block in self.blocks.items():
            linker = linkers.get(type_)
            if linker is not None:
                linker(block)
        for block in self.modules.values():
            self._module_permissions(block)

    def _event_source_mapping(self, block: Block) -> None:
        draft = self.function(block.body.get("function_name"))
        binding = self._mapping_binding(block.body, block)
        if draft is not None and binding is not None:
            draft.add(binding)

    def _mapping_binding(
        self, body: dict[str, Any], block: Block, line: int | None = None
    ) -> TriggerBinding | None:
        arn = self.resolve(body.get("event_source_arn"))
        source = self.target(arn)
        trigger = SOURCE_TYPES.get(source.type) if source else trigger_from_arn(literal(arn) or "")
        if trigger is None and "self_managed_event_source" in body:
            trigger = "kafka"
        if trigger is None:
            return None
        failures = "ReportBatchItemFailures" in _list(body.get("function_response_types"))
        return TriggerBinding(
            trigger,
            self.ref(block, line),
            report_batch_item_failures=failures,
            resource=source.name if source else literal(arn),
            batch_size=whole_number(self.resolve(body.get("batch_size")), strings=False),
            fifo=self._fifo(source, arn) if trigger == "sqs" else None,
        )

    def _fifo(self, queue: Block | None, arn: Any) -> bool | None:
        """Whether the queue is FIFO: `fifo_queue = true` or a `.fifo` name."""
        if queue is None:
            text = literal(arn)
            return text.endswith(".fifo") if text else None
        name = literal(self.resolve(queue.body.get("name"))) or ""
        return truthy(self.resolve(queue.body.get("fifo_queue"))) or name.endswith(".fifo")

    def _permission(self, block: Block) -> None:
        draft = self.function(block.body.get("function_name"))
        principal = literal(block.body.get("principal"))
        if draft is None or principal is None:
            return
        source = self.target(block.body.get("source_arn"))
        trigger = self._principal_trigger(principal, source)
        if trigger is not None:
            resource = source.name if source else None
            proxy = None if principal == "apigateway.amazonaws.com" else True
            schedule = _schedule_expression(source) if trigger == "schedule" else None
            binding = self.binding(
                trigger, block, resource=resource, proxy=proxy, schedule=schedule
            )
            draft.add_fallback(binding)

    def _principal_trigger(self, principal: str, source: Block | None) -> str | None:
        if principal == "apigateway.amazonaws.com":
            return self._api_trigger(source)
        if principal == BEDROCK_PRINCIPAL and source is not None:
            return "bedrock-agent" if source.type == "aws_bedrockagent_agent" else None
        trigger = PRINCIPAL_TRIGGERS.get(principal)
        scheduled = source is not None and source.body.get("schedule_expression") is not None
        return "schedule" if trigger == "eventbridge" and scheduled else trigger

    def _api_trigger(self, api: Block | None) -> str | None:
        if api is None:
            return None
        if api.type == "aws_api_gateway_rest_api":
            return "apigw-rest"
        if api.type == "aws_apigatewayv2_api":
            websocket = literal(api.body.get("protocol_type")) == "WEBSOCKET"
            return "apigw-websocket" if websocket else "apigw-http"
        return None

    def _module_permissions(self, block: Block) -> None:
        """`allowed_triggers` of the Lambda module: `{ Name = { service = "sns", ... } }`."""
        draft = self.functions.get(("module", block.name))
        triggers = block.body.get("allowed_triggers")
        if draft is None or not isinstance(triggers, dict):
            return
        for config in triggers.values():
            config = _first(config)
            principal = literal(config.get("principal"))
            service = literal(config.get("service"))
            if principal is None and service:
                principal = f"{service}.amazonaws.com"
            source = self.target(config.get("source_arn"))
            trigger = self._principal_trigger(principal or "", source)
            if trigger is not None:
                line = block.line_of("allowed_triggers")
                proxy = None if trigger.startswith("apigw-") else True
                draft.add_fallback(TriggerBinding(trigger, self.ref(block, line), proxy=proxy))

    def _function_url(self, block: Block) -> None:
        draft = self.function(block.body.get("function_name"))
        if draft is not None:
            draft.add(self.binding("function-url", block))

    def _action_group(self, block: Block) -> None:
        """The Lambda executor of a Bedrock agent's action group."""
        executor = _first(block.body.get("action_group_executor"))
        draft = self.function(executor.get("lambda"))
        if draft is not None:
            draft.add(self.binding("bedrock-agent", block))

    def _bucket_notification(self, block: Block) -> None:
        bucket = self.target(block.body.get("bucket"))
        for config in _list(block.body.get("lambda_function")):
            draft = self.function(_first(config).get("lambda_function_arn"))
            if draft is not None:
                line = block.line_of("lambda_function")
                resource = bucket.name if bucket else None
                filtered = _s3_filtered(_first(config))
                binding = TriggerBinding(
                    "s3", self.ref(block, line), resource=resource, filtered=filtered
                )
                draft.add(binding)

    def _sns_subscription(self, block: Block) -> None:
        if (literal(block.body.get("protocol")) or "").lower() != "lambda":
            return
        draft = self.function(block.body.get("endpoint"))
        if draft is not None:
            topic = self.target(block.body.get("topic_arn"))
            draft.add(self.binding("sns", block, resource=topic.name if topic else None))

    def _event_target(self, block: Block) -> None:
        draft = self.function(block.body.get("arn"))
        if draft is None:
            return
        rule = self.target(block.body.get("rule"))
        scheduled = rule is not None and rule.body.get("schedule_expression") is not None
        trigger = "schedule" if scheduled else "eventbridge"
        matched: tuple[str, ...] = ()
        if rule is not None and not scheduled:
            matched = detail_types(self._json_document(rule.body.get("event_pattern")), literal)
        binding = self.binding(
            trigger,
            block,
            resource=rule.name if rule else None,
            detail_types=matched,
            schedule=_schedule_expression(rule),
        )
        draft.add(binding)

    def _json_document(self, value: Any) -> Any:
        """A JSON attribute (an `event_pattern`, a model's `schema`) as a mapping (`jsonencode({...})`, a local) or as JSON text
        (a string or a heredoc); None when it is another expression."""
        value = self.resolve(value)
        if not isinstance(value, str):
            return value if isinstance(value, dict) else None
        stripped = value.strip()
        heredoc = _HEREDOC.fullmatch(stripped)
        if heredoc is not None:
            return heredoc.group(2)
        encoded = _JSONENCODE.fullmatch(stripped)
        if encoded is None:
            return stripped
        argument = encoded.group(1).strip()
        resolved = self.resolve("${" + argument + "}")  # `jsonencode(local.pattern)`
        if isinstance(resolved, dict):
            return resolved
        try:
            return clean(parse_hcl(f"pattern = {argument}\n")).get("pattern")
        except DescriptorSyntaxError:
            return None

    def _schedule(self, block: Block) -> None:
        draft = self.function(_first(block.body.get("target")).get("arn"))
        if draft is not None:
            schedule = _schedule_expression(block)
            draft.add(self.binding("schedule", block, resource=block.name, schedule=schedule))

    def _rest_integration(self, block: Block) -> None:
        body = block.body
        kind = (literal(body.get("type")) or "").upper()
        if kind not in ("AWS_PROXY", "AWS"):
            return
        draft = self.function(body.get("uri"))
        if draft is None:
            return
        method = literal(body.get("http_method"))
        method_block = self.target(body.get("http_method"))
        if method_block is not None and method_block.type != "aws_api_gateway_method":
            method_block = None
        if method is None and method_block is not None:
            method = literal(method_block.body.get("http_method"))
        route = self._rest_path(body.get("resource_id"), 0)
        binding = self.binding(
            "apigw-rest",
            block,
            route=route,
            method=method.upper() if method else None,
            proxy=kind == "AWS_PROXY",
            authorizer=self._authorization(method_block, "authorization"),
            rejects_missing_body=method_block is not None
            and self._rejects_missing_body(method_block),
        )
        draft.add(binding)

    def _rejects_missing_body(self, method: Block) -> bool:
        """Whether the method's request validator validates bodies against a model that
        a request without a body fails."""
        validator = self.target(method.body.get("request_validator_id"))
        if validator is None or validator.type != "aws_api_gateway_request_validator":
            return False
        models = self.resolve(method.body.get("request_models"))
        return rejects_missing_body(
            truthy(self.resolve(validator.body.get("validate_request_body"))),
            [(key, self._model_schema(value)) for key, value in models.items()]
            if isinstance(models, dict)
            else [],
        )

    def _model_schema(self, model: Any) -> Any:
        """The JSON schema of the `aws_api_gateway_model` a method names; a built-in
        model (`Empty`, `Error`) has none that requires fields."""
        block = self.target(model)
        if block is None or block.type != "aws_api_gateway_model":
            return built_in_schema(literal(model))
        return schema_of(self._json_document(block.body.get("schema")))

    def _authorization(self, block: Block | None, key: str) -> bool | None:
        """Whether a method (`authorization`) or route (`authorization_type`) is guarded;
        absent means `NONE`. None when the block or the value is unknown."""
        if block is None:
            return None
        value = self.resolve(block.body.get(key))
        if value is None:
            return block.body.get("authorizer_id") is not None or False
        kind = literal(value)
        return None if kind is None else kind.upper() != "NONE"

    def _rest_path(self, value: Any, depth: int) -> str | None:
        """The path of an `aws_api_gateway_resource`, following `parent_id` to the root."""
        for type_, name, attribute in references(self.resolve(value)):
            if attribute == "root_resource_id":
                return "/"
            resource = self.blocks.get((type_, name))
            if type_ != "aws_api_gateway_resource" or resource is None or depth > 30:
                return None
            part = literal(resource.body.get("path_part"))
            parent = self._rest_path(resource.body.get("parent_id"), depth + 1)
            if part is None or parent is None:
                return None
            return parent.rstrip("/") + "/" + part
        return None

    def _v2_integration(self, block: Block) -> None:
        draft = self.function(block.body.get("integration_uri"))
        if draft is None:
            return
        trigger = self._api_trigger(self.target(block.body.get("api_id"))) or "apigw-http"
        extra: dict[str, Any] = {}
        if trigger == "apigw-http":
            written = self.resolve(block.body.get("payload_format_version"))
            payload = literal(written) if written is not None else DEFAULT_V2_PAYLOAD
            extra = {"payload_version": payload, "proxy": payload in ("1.0", "2.0") or None}
            trigger = "apigw-rest" if payload == "1.0" else trigger
        routes = [
            route
            for route in self.blocks.values()
            if route.type == "aws_apigatewayv2_route"
            and ("aws_apigatewayv2_integration", block.name)
            in {(t, n) for t, n, _ in references(route.body.get("target"))}
        ]
        if trigger == "apigw-websocket" or not routes:
            draft.add(self.binding(trigger, block, **extra))
            return
        for route in routes:
            method, path = split_route_key(literal(route.body.get("route_key")) or "")
            authorizer = self._authorization(route, "authorization_type")
            binding = self.binding(
                trigger, route, route=path, method=method, authorizer=authorizer, **extra
            )
            draft.add(binding)

    def _v2_quick_create(self, block: Block) -> None:
        draft = self.function(block.body.get("target"))
        if draft is not None:
            route_key = literal(block.body.get("route_key")) or "$default"
            method, route = split_route_key(route_key)
            draft.add(self.binding("apigw-http", block, route=route, method=method))

    def _rest_authorizer(self, block: Block) -> None:
        draft = self.function(block.body.get("authorizer_uri"))
        kind = (literal(block.body.get("type")) or "TOKEN").upper()
        if draft is not None and kind in ("TOKEN", "REQUEST"):
            draft.add(self.binding(f"apigw-authorizer-{kind.lower()}", block))

    def _v2_authorizer(self, block: Block) -> None:
        draft = self.function(block.body.get("authorizer_uri"))
        if draft is None:
            return
        if self._api_trigger(self.target(block.body.get("api_id"))) == "apigw-websocket":
            draft.add(self.binding("apigw-authorizer-request", block))
            return
        simple = self.resolve(block.body.get("enable_simple_responses"))
        binding = self.binding(
            "apigw-authorizer-http",
            block,
            payload_version=literal(block.body.get("authorizer_payload_format_version")),
            simple_responses=truthy(simple) if simple is not None else False,
        )
        draft.add(binding)

    def _log_subscription(self, block: Block) -> None:
        draft = self.function(block.body.get("destination_arn"))
        if draft is not None:
            group = literal(block.body.get("log_group_name"))
            draft.add(self.binding("cloudwatch-logs", block, resource=group))

    def _user_pool(self, block: Block) -> None:
        config = _first(block.body.get("lambda_config"))
        for key, value in config.items():
            if isinstance(value, (list, dict)):
                value = _first(value).get("lambda_arn")
            draft = self.function(value)
            if draft is not None:
                line = block.line_of(key)
                binding = TriggerBinding(
                    "cognito-user-pool", self.ref(block, line), resource=block.name
                )
                draft.add(binding)

    def _target_group_attachment(self, block: Block) -> None:
        draft = self.function(block.body.get("target_id"))
        if draft is not None:
            group = self.target(block.body.get("target_group_arn"))
            draft.add(self.binding("alb", block, resource=group.name if group else None))

    def _iot_rule(self, block: Block) -> None:
        for action in _list(block.body.get("lambda")):
            draft = self.function(_first(action).get("function_arn"))
            if draft is not None:
                draft.add(self.binding("iot", block, resource=block.name))

    def _rotation(self, block: Block) -> None:
        draft = self.function(block.body.get("rotation_lambda_arn"))
        if draft is not None:
            draft.add(self.binding("secrets-manager", block))


def _s3_filtered(config: Any) -> bool:
    """Whether a bucket notification invokes the function for only some new objects: a
    key filter, or events other than object creation."""
    events = config.get("events") if isinstance(config, dict) else None
    created = isinstance(events, list) and all(
        str(literal(e) or "").startswith("s3:ObjectCreated:") for e in events
    )
    return not created or bool(config.get("filter_prefix") or config.get("filter_suffix"))
