"""A mutable function record that readers fill in, then freeze into `DeclaredFunction`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from lambda_lint.descriptors.model import DeclaredFunction, SourceRef, TriggerBinding

#: service principals of `Permission` resources and the trigger each one implies
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
    "bedrock.amazonaws.com": "bedrock-agent",
    "vpc-lattice.amazonaws.com": "vpc-lattice",
}


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

    def add(self, binding: TriggerBinding) -> None:
        """Record a trigger, once."""
        if binding not in self.triggers:
            self.triggers.append(binding)

    def add_fallback(self, binding: TriggerBinding) -> None:
        """Record a trigger that is kept only if no other binding names the same trigger."""
        if binding not in self.fallbacks:
            self.fallbacks.append(binding)

    def freeze(self) -> DeclaredFunction:
        known = {binding.trigger for binding in self.triggers}
        extra = [binding for binding in self.fallbacks if binding.trigger not in known]
        return DeclaredFunction(
            name=self.name,
            handler=self.handler,
            source=self.source,
            code_root=self.code_root,
            runtime=self.runtime,
            package_type=self.package_type,
            inline_code=self.inline_code,
            triggers=tuple(self.triggers + extra),
            snapstart=self.snapstart,
            timeout=self.timeout,
        )


def join_path(base: Path, relative: str) -> Path:
    """`base / relative`, normalised lexically (`./`, `..`, trailing slashes)."""
    return Path(os.path.normpath(base / relative)) if relative else base
