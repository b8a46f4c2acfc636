"""What a deployment descriptor says about a function, as plain, serialisable data.

Every descriptor reader (SAM/CloudFormation, Serverless Framework, CDK, Terraform,
Dockerfile, the `handlers` config key) produces `DeclaredFunction` records; the project
model resolves them against the Python sources. Values the reader cannot know without
deploying (`!Ref`, `${self:...}`, a CDK variable from another scope) stay `None` or are
marked symbolic: they never become errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class SourceRef:
    """Where a fact was read: the kind of source, the file and the 1-based line."""

    kind: str  # "sam", "cloudformation", "serverless", "cdk", "terraform", "dockerfile", "config"
    file: Path
    line: int


@dataclass(frozen=True)
class TriggerBinding:
    """One event source wired to a function."""

    trigger: str  # an id from lambda_lint.triggers.TRIGGERS
    source: SourceRef
    #: API route template, e.g. "/orders/{orderId}" (HTTP triggers only)
    route: str | None = None
    method: str | None = None
    #: the event source mapping declares ReportBatchItemFailures (batch triggers)
    report_batch_item_failures: bool = False
    #: a name for what triggers it (queue, bucket, topic, rule) when the descriptor says
    resource: str | None = None
    #: the `detail-type`s an EventBridge rule's pattern matches (literal values only)
    detail_types: tuple[str, ...] = ()
    #: the most records one invocation receives (event source mappings), when set
    batch_size: int | None = None


@dataclass(frozen=True)
class DeclaredFunction:
    """A Lambda function as one descriptor declares it."""

    #: logical id / function key / construct id / resource name
    name: str
    #: the handler string as written ("app.handler", "src/app.handler"); None when symbolic
    handler: str | None
    #: where the handler string is written (LL103 is reported here)
    source: SourceRef
    #: the folder the runtime resolves the handler module from; None when not resolvable
    code_root: Path | None
    runtime: str | None = None
    package_type: str = "Zip"  # or "Image"
    #: inline source (CloudFormation `ZipFile`), whose module is always `index`
    inline_code: str | None = None
    triggers: tuple[TriggerBinding, ...] = field(default=())
    snapstart: bool = False
    timeout: int | None = None


@dataclass(frozen=True)
class DescriptorProblem:
    """A descriptor that could not be read (or part of one): named, never fatal."""

    file: Path
    line: int
    message: str


@dataclass
class DescriptorSet:
    functions: list[DeclaredFunction] = field(default_factory=list)
    problems: list[DescriptorProblem] = field(default_factory=list)

    def extend(self, other: DescriptorSet) -> None:
        self.functions.extend(other.functions)
        self.problems.extend(other.problems)
