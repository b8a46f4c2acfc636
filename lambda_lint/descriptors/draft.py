"""A mutable function record that readers fill in, then freeze into `DeclaredFunction`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from lambda_lint.descriptors.model import DeclaredFunction, SourceRef, TriggerBinding
from lambda_lint.descriptors.runtimes import generated_by_plugin, language, unwrapped_handler

#: a Config rule's `MaximumExecutionFrequency` values as schedule expressions; a periodic
#: rule that gives none runs every 24 hours
#: (https://docs.aws.amazon.com/config/latest/APIReference/API_SourceDetail.html)
FREQUENCIES = {
    "One_Hour": "rate(1 hour)",
    "Three_Hours": "rate(3 hours)",
    "Six_Hours": "rate(6 hours)",
    "Twelve_Hours": "rate(12 hours)",
    "TwentyFour_Hours": "rate(24 hours)",
}
DEFAULT_FREQUENCY = "TwentyFour_Hours"

#: service principals of `Permission` resources and the trigger each one implies; Amazon
#: Bedrock's principal is not one of them: agents' action groups, AgentCore gateways and
#: flows all invoke under `bedrock.amazonaws.com`, with different events, so only the
#: descriptor's action group (or a permission whose source is an agent) says which
PRINCIPAL_TRIGGERS = {
    "s3.amazonaws.com": "s3",
    "sns.amazonaws.com": "sns",
    "events.amazonaws.com": "eventbridge",
    "scheduler.amazonaws.com": "schedule",
    "logs.amazonaws.com": "cloudwatch-logs",
    "cognito-idp.amazonaws.com": "cognito-user-pool",
    "iot.amazonaws.com": "iot",
    "alexa-appkit.amazon.com": "alexa",
    "alexa-connectedhome.amazon.com": "alexa",
    "elasticloadbalancing.amazonaws.com": "alb",
    "secretsmanager.amazonaws.com": "secrets-manager",
    "config.amazonaws.com": "config-rule",
    "ses.amazonaws.com": "ses",
    "codepipeline.amazonaws.com": "codepipeline",
    "s3-object-lambda.amazonaws.com": "s3-object-lambda",
    "batchoperations.s3.amazonaws.com": "s3-batch",
    "vpc-lattice.amazonaws.com": "vpc-lattice",
}

#: the principal every Amazon Bedrock feature invokes functions under
BEDROCK_PRINCIPAL = "bedrock.amazonaws.com"

#: triggers that one service principal stands for: an invoke permission for the service
#: adds nothing when a more specific binding of the same service exists (an API Gateway
#: permission next to an authorizer binding is the authorizer's, not a proxy route)
_SERVICES = {
    "apigw-rest": "apigateway",
    "apigw-http": "apigateway",
    "apigw-websocket": "apigateway",
    "apigw-authorizer-token": "apigateway",
    "apigw-authorizer-request": "apigateway",
    "apigw-authorizer-http": "apigateway",
    "eventbridge": "events",
    "schedule": "events",
}

#: the suffix of a code location that is one Python file
_PYTHON_FILE = ".py"
#: code locations that are built archives: their content is not in the repository
ARCHIVE_SUFFIXES = (".zip", ".jar", ".war")


@dataclass
class FunctionDraft:
    """Everything a reader learned about one function so far."""

    name: str
    handler: str | None
    source: SourceRef
    code_root: Path | None
    runtime: str | None = None
    package_type: str = "Zip"
    inline_code: str | None = None
    snapstart: bool = False
    timeout: int | None = None
    triggers: list[TriggerBinding] = field(default_factory=list)
    #: bindings known only from weaker evidence (an invoke permission)
    fallbacks: list[TriggerBinding] = field(default_factory=list)
    #: environment variables with literal values
    environment: dict[str, str] = field(default_factory=dict)
    #: environment variables that refer to a resource of the descriptor (its logical id)
    environment_resources: dict[str, str] = field(default_factory=dict)
    #: layer ARNs as written (`${...}` placeholders left in)
    layers: list[str] = field(default_factory=list)

    def add(self, binding: TriggerBinding) -> None:
        """Record a trigger, once."""
        if binding not in self.triggers:
            self.triggers.append(binding)

    def add_fallback(self, binding: TriggerBinding) -> None:
        """Record a trigger that is kept only if no other binding names the same trigger."""
        if binding not in self.fallbacks:
            self.fallbacks.append(binding)

    def freeze(self) -> DeclaredFunction:
        services = {_SERVICES.get(binding.trigger, binding.trigger) for binding in self.triggers}
        extra = [
            binding
            for binding in self.fallbacks
            if _SERVICES.get(binding.trigger, binding.trigger) not in services
        ]
        handler = unwrapped_handler(self.handler, self.environment)
        return DeclaredFunction(
            name=self.name,
            handler=handler,
            source=self.source,
            code_root=None if generated_by_plugin(handler) else _code_root(self.code_root, handler),
            runtime=self.runtime,
            package_type=self.package_type,
            inline_code=self.inline_code,
            triggers=tuple(self.triggers + extra),
            snapstart=self.snapstart,
            timeout=self.timeout,
            language=language(self.runtime, self.handler, self.environment, self.layers),
            environment=tuple({**self.environment, **self.environment_resources}.items()),
        )


def _code_root(location: Path | None, handler: str | None) -> Path | None:
    """The folder the handler module is resolved from, for a code location as written.
    A location that is one `.py` file is packaged alone: its folder, when the handler
    names that file's module, else unknown (None). An archive is unknown."""
    if location is None or location.suffix.lower() in ARCHIVE_SUFFIXES:
        return None
    if location.suffix != _PYTHON_FILE:
        return location
    module = (handler or "").rpartition(".")[0].replace("/", ".")
    return location.parent if module == location.stem else None


def join_path(base: Path, relative: str) -> Path:
    """`base / relative`, normalised lexically (`./`, `..`, trailing slashes)."""
    return Path(os.path.normpath(base / relative)) if relative else base
