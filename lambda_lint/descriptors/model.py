"""What a deployment descriptor says about a function, as plain, serialisable data.

Every descriptor reader (SAM/CloudFormation, Serverless Framework, CDK, Terraform,
Dockerfile, the `handlers` config key) produces `DeclaredFunction` records; the project
model resolves them against the Python sources. Values the reader cannot know without
deploying (`!Ref`, `${self:...}`, a CDK variable from another scope) stay `None` or are
marked symbolic: they never become errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

#: a Python runtime identifier: `python3.12`
PYTHON_RUNTIME = re.compile(r"python(\d+)\.(\d+)")


@dataclass(frozen=True)
class SourceRef:
    """Where a fact was read: the kind of source, the file and the 1-based line."""

    #: "sam", "cloudformation", "serverless", "cdk", "terraform", "dockerfile", "rdk", "config"
    kind: str
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
    #: HTTP triggers: the function gets the proxy event (True), whatever a mapping
    #: template makes of the request (False: a non-proxy `lambda`/`AWS` integration), or
    #: the descriptor does not say (None: an invoke permission, an unreadable OpenAPI file)
    proxy: bool | None = True
    #: HTTP routes: a Lambda, Cognito, JWT or IAM authorizer guards the route (True), none
    #: does (False), or the descriptor does not say (None)
    authorizer: bool | None = None
    #: the payload format version ("1.0" or "2.0") of an HTTP API integration or of an
    #: HTTP API Lambda authorizer, when known
    payload_version: str | None = None
    #: an HTTP API Lambda authorizer that returns `{"isAuthorized": ...}` (True) rather
    #: than an IAM policy (False); None when unknown or not an HTTP API authorizer
    simple_responses: bool | None = None
    #: SQS: the queue is a FIFO queue (records carry `MessageGroupId`); None when unknown
    fifo: bool | None = None
    #: S3, SQS, SNS: only some writes to `resource` invoke the function (an S3 key filter
    #: or events other than object creation, an SNS filter policy, SQS filter criteria)
    filtered: bool = False
    #: S3: the bucket's objects are written by Amazon SES receipt rules, whose object
    #: keys are a message id after a prefix URL encoding leaves as it is
    #: (docs.aws.amazon.com/ses/latest/dg/receiving-email-action-s3.html)
    unencoded_keys: bool = False
    #: REST API routes: API Gateway answers 400 to a request without a body before the
    #: function runs (a request validator that validates bodies, and a model that requires
    #: fields; see `request_validation`)
    rejects_missing_body: bool = False
    #: scheduled triggers: the literal schedule expression (`rate(1 day)`,
    #: `cron(0 3 * * ? *)`); None when unknown
    schedule: str | None = None


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
    #: "python", another language ("nodejs", "java", "dotnet", "go", "ruby", "custom",
    #: "web-adapter", ...) or None when the descriptor does not tell
    language: str | None = None
    #: what each environment variable names, when the descriptor says: the resource it
    #: refers to (a logical id, as `TriggerBinding.resource` names it) or its literal value
    environment: tuple[tuple[str, str], ...] = ()

    @cached_property
    def facts(self) -> str:
        """Its repr, worked out once: a process that lints again and again keeps the
        readings of unchanged descriptors, and every run's slice keys hold the facts of
        every declared function (`lambda_lint.slices`)."""
        return repr(self)

    @property
    def may_be_python(self) -> bool:
        """A Python function, or one whose language the descriptor leaves open."""
        return self.language in (None, "python")

    @property
    def unchecked(self) -> str | None:
        """Why the handler cannot be checked against the project's sources, or None when
        it can: another language, a handler or code location known only at deploy time."""
        if not self.may_be_python:
            return f"a {self.language} function"
        if self.handler is None:
            return "the handler is not written literally"
        if self.inline_code is not None:
            return None
        if self.code_root is None:
            return "the code location is unknown (an archive, a bucket or a variable)"
        if not self.code_root.is_dir():
            return "the code folder is not in the repository (a build step makes it)"
        return None


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
    #: folders of services for another platform than Lambda (a Serverless Framework
    #: provider other than `aws`: kubeless, openwhisk, google...)
    foreign: list[Path] = field(default_factory=list)

    def extend(self, other: DescriptorSet) -> None:
        self.functions.extend(other.functions)
        self.problems.extend(other.problems)
        self.foreign.extend(other.foreign)

    def older_runtime(self, path: Path, version: tuple[int, int]) -> str | None:
        """The runtime of a function whose code holds `path`, when it is a Python older
        than `version` (`python3.12` for (3, 14)); None when no descriptor says so."""
        resolved = path.resolve()
        for function in self.functions:
            root, runtime = function.code_root, (function.runtime or "").strip().lower()
            match = PYTHON_RUNTIME.fullmatch(runtime)
            if root is None or match is None or not resolved.is_relative_to(root.resolve()):
                continue
            if (int(match[1]), int(match[2])) < version:
                return runtime
        return None

    def python2_folders(self) -> list[Path]:
        """Folders whose Python code may be Python 2, as the descriptors say: services
        for another platform, and the code of functions on a `python2.*` runtime."""
        python2 = [
            function.code_root
            for function in self.functions
            if function.code_root is not None
            and (function.runtime or "").strip().lower().startswith("python2")
        ]
        return [*self.foreign, *python2]
