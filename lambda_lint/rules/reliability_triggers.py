"""LL7, invocation loops: a function that writes to the bucket, queue or topic that
invokes it (LL702)."""

from __future__ import annotations

import libcst as cst

from lambda_lint.descriptors.model import DeclaredFunction, TriggerBinding
from lambda_lint.finding import Position, RelatedLocation
from lambda_lint.model.names import string_value
from lambda_lint.reliability import CLIENT_WRITES, RESOURCE_WRITES
from lambda_lint.rule import Example
from lambda_lint.rules.reliability_base import ReliabilityRule
from lambda_lint.rules.reuse_base import call_argument
from lambda_lint.walk import descendants

#: where an S3 notification names the bucket, and the object, that invoked the function
EVENT_BUCKET = ("s3", "bucket", "name")
EVENT_KEY = ("s3", "object", "key")
#: descriptor kinds whose readers record trigger filters (`TriggerBinding.filtered`)
FILTERS_READ = frozenset({"sam", "cloudformation", "serverless", "terraform", "cdk"})
#: what the message calls each service's resource
KINDS = {"s3": "S3 bucket", "sqs": "SQS queue", "sns": "SNS topic"}

_TEMPLATE = (
    "Transform: AWS::Serverless-2016-10-31\nResources:\n"
    "  Uploads:\n    Type: AWS::S3::Bucket\n"
    "  Thumbnails:\n    Type: AWS::S3::Bucket\n"
    "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
    "      Handler: app.handler\n      Runtime: python3.12\n"
    "      Environment:\n        Variables:\n"
    "          UPLOADS: !Ref Uploads\n          THUMBNAILS: !Ref Thumbnails\n"
    "      Events:\n        Upload:\n          Type: S3\n          Properties:\n"
    "            Bucket: !Ref Uploads\n            Events: s3:ObjectCreated:*\n"
)
_QUEUE = (
    "Transform: AWS::Serverless-2016-10-31\nResources:\n"
    "  Jobs:\n    Type: AWS::SQS::Queue\n"
    "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
    "      Handler: app.handler\n      Runtime: python3.12\n"
    "      Environment:\n        Variables:\n          JOBS_URL: !Ref Jobs\n"
    "      Events:\n        Job:\n          Type: SQS\n          Properties:\n"
    "            Queue: !GetAtt Jobs.Arn\n"
)
#: a CDK app whose function `app.handler` is invoked by the bucket `Uploads`, through
#: the given event source arguments
_CDK_APP = (
    "from aws_cdk import Stack, aws_lambda as lambda_, aws_s3 as s3\n"
    "from aws_cdk.aws_lambda_event_sources import S3EventSource\n\n"
    "class Thumbs(Stack):\n    def __init__(self, scope, construct_id):\n"
    "        super().__init__(scope, construct_id)\n"
    "        uploads = s3.Bucket(self, 'Uploads')\n"
    "        fn = lambda_.Function(self, 'Fn', handler='app.handler',\n"
    "            code=lambda_.Code.from_asset('.'), runtime=lambda_.Runtime.PYTHON_3_12)\n"
    "        fn.add_event_source(S3EventSource(uploads, events=[s3.EventType.OBJECT_CREATED]{}))\n"
)
_WRITE_BACK = (
    "import boto3\n\ns3 = boto3.client('s3')\n\n"
    "def handler(event, context):\n    for record in event['Records']:\n"
    "        bucket = record['s3']['bucket']['name']\n"
    "        s3.upload_file('/tmp/thumb.png', bucket, 'thumb.png')\n"
)
_FILTERED = _TEMPLATE + (
    "            Filter:\n              S3Key:\n                Rules:\n"
    "                  - Name: prefix\n                    Value: incoming/\n"
)


def _unfiltered(bindings: tuple[TriggerBinding, ...], service: str) -> list[TriggerBinding]:
    """The triggers of `service` that fire for every write, as far as the descriptor
    tells."""
    return [
        b
        for b in bindings
        if b.trigger == service and not b.filtered and b.source.kind in FILTERS_READ
    ]


def _contains(path: tuple[str, ...], place: tuple[str, ...]) -> bool:
    size = len(place)
    return any(path[i : i + size] == place for i in range(len(path) - size + 1))


class RecursiveTrigger(ReliabilityRule):
    """
    ## What it does
    Reports a write, in code that runs on every invocation, to the S3 bucket, SQS
    queue or SNS topic that triggers the function, as its deployment descriptor wires
    it: `put_object`, `copy_object`, `upload_file`/`upload_fileobj` (also on
    `s3.Bucket(...)`/`s3.Object(...)`), `send_message`/`send_message_batch` (also on
    `sqs.Queue(...)`), `publish`/`publish_batch` (also on `sns.Topic(...)`). The
    target is recognised through an environment variable the descriptor sets to that
    bucket, queue or topic (`Environment: Variables: BUCKET: !Ref Uploads`, read with
    `os.environ[...]`, `os.environ.get`, `os.getenv`, directly or through a name), a
    literal equal to the name the trigger gives, or, for S3, the bucket the event
    names (`record["s3"]["bucket"]["name"]`) when the function never tests the object
    key. Silent when the target cannot be resolved, and when the trigger only fires for
    some writes: an S3 key filter or events other than object creation, an SNS filter
    policy, SQS filter criteria (in a CDK app: `filters=` of `S3EventSource` or
    `SqsEventSource`, the `NotificationKeyFilter`s given to `add_event_notification`,
    an SNS subscription's `filter_policy`).

    ## Why is this bad?
    Every write invokes the function again, which writes again: an invocation loop
    that runs up the bill until someone notices. Lambda stops some of these loops after
    about 16 rounds and drops the event
    (https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html). Write to
    another bucket, queue or topic, or filter the trigger so that the function's own
    output does not match.

    ## Example
    ```python
    import os

    import boto3

    s3 = boto3.client("s3")


    def handler(event, context):
        for record in event["Records"]:
            key = record["s3"]["object"]["key"]
            s3.put_object(Bucket=os.environ["UPLOADS"], Key=f"thumbs/{key}", Body=b"")
    ```

    ## Use instead
    ```python
    def handler(event, context):
        for record in event["Records"]:
            key = record["s3"]["object"]["key"]
            s3.put_object(Bucket=os.environ["THUMBNAILS"], Key=key, Body=b"")
    ```
    """

    code = "LL702"
    name = "recursive-trigger"
    summary = "The function writes to the bucket, queue or topic that triggers it"
    default_enabled = False
    VALID = [
        Example(
            "import boto3\n\ns3 = boto3.client('s3')\n\n"
            "def handler(event, context):\n    for record in event['Records']:\n"
            "        bucket = record['s3']['bucket']['name']\n"
            "        key = record['s3']['object']['key']\n"
            "        if key.startswith('thumbs/'):\n            continue\n"
            "        s3.upload_file('/tmp/t.png', bucket, 'thumbs/' + key)\n",
            files={"template.yaml": _TEMPLATE},
        ),
        Example(
            "import os\nimport boto3\n\ns3 = boto3.client('s3')\n\n"
            "def handler(event, context):\n"
            "    s3.put_object(Bucket=os.environ['THUMBNAILS'], Key='k', Body=b'')\n",
            files={"template.yaml": _TEMPLATE},
        ),
        Example(
            "import os\nimport boto3\n\ns3 = boto3.client('s3')\n\n"
            "def handler(event, context):\n"
            "    s3.put_object(Bucket=os.environ['UPLOADS'], Key='done/k', Body=b'')\n",
            files={"template.yaml": _FILTERED},
        ),
        Example(
            "import boto3\n\ns3 = boto3.client('s3')\n\n"
            "def handler(event, context):\n"
            "    s3.put_object(Bucket=event['bucket'], Key='k', Body=b'')\n",
            files={"template.yaml": _TEMPLATE},
        ),
        # the CDK app's key filter keeps the function's own writes out
        Example(
            _WRITE_BACK,
            files={
                "stack.py": _CDK_APP.format(
                    ", filters=[s3.NotificationKeyFilter(prefix='incoming/')]"
                )
            },
        ),
    ]
    INVALID = [
        Example(_WRITE_BACK, files={"template.yaml": _TEMPLATE}, message="S3 bucket `Uploads`"),
        Example(
            _WRITE_BACK, files={"stack.py": _CDK_APP.format("")}, message="S3 bucket `Uploads`"
        ),
        Example(
            "import os\nimport boto3\n\ns3 = boto3.client('s3')\n\n"
            "def handler(event, context):\n"
            "    s3.put_object(Bucket=os.environ['UPLOADS'], Key='k', Body=b'')\n",
            files={"template.yaml": _TEMPLATE},
            at="s3.put_object(Bucket=os.environ['UPLOADS'], Key='k', Body=b'')",
            message="Uploads",
        ),
        Example(
            "import os\nimport boto3\n\nBUCKET = os.getenv('UPLOADS')\n"
            "bucket = boto3.resource('s3').Bucket(BUCKET)\n\n"
            "def save(path):\n    bucket.upload_file(path, 'out/' + path)\n\n"
            "def handler(event, context):\n    save('/tmp/x')\n",
            files={"template.yaml": _TEMPLATE},
            message="handler -> save",
        ),
        Example(
            "import os\nimport boto3\n\nsqs = boto3.client('sqs')\nJOBS = os.environ['JOBS_URL']\n\n"
            "def handler(event, context):\n    for record in event['Records']:\n"
            "        sqs.send_message(QueueUrl=JOBS, MessageBody=record['body'])\n",
            files={"template.yaml": _QUEUE},
            message="SQS queue `Jobs`",
        ),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        written = self._written(node)
        if written is None or self.has_star_arguments(node):
            return
        service, target = written
        steps = self.per_invocation()
        if steps is None:
            return
        declared = list(self.declarations(steps))
        for function in declared:
            binding = self._trigger_written(function, service, target)
            if binding is not None:
                self._report(node, service, binding, steps)
                return
        if service == "s3" and self._reads_event(target, EVENT_BUCKET) and not self._tests_key():
            buckets = [b for f in declared for b in f.triggers if b.trigger == "s3"]
            unfiltered = [b for f in declared for b in _unfiltered(f.triggers, "s3")]
            if buckets and unfiltered == buckets:
                self._report(node, service, buckets[0], steps)

    def _reads_event(self, value: cst.CSTNode, place: tuple[str, ...]) -> bool:
        """Whether `value` holds the event's field at `place` (in any record)."""
        return any(
            ref.root == "event" and _contains(ref.path, place) for ref in self.context.refs(value)
        )

    def _tests_key(self) -> bool:
        """Whether the function tests the object key of the S3 event anywhere (`if
        key.startswith("thumbs/"): return`), which may stop the loop."""
        function = self.context.function_node()
        if function is None:
            return True
        for node in descendants(function, into_functions=False):
            if isinstance(node, (cst.If, cst.While, cst.IfExp)):
                tested = [node.test, *descendants(node.test)]
                if any(self._reads_event(n, EVENT_KEY) for n in tested):
                    return True
        return False

    def _written(self, node: cst.Call) -> tuple[str, cst.BaseExpression] | None:
        """(service, the expression naming the bucket, queue or topic) of a write."""
        func = node.func
        if not isinstance(func, cst.Attribute):
            return None
        method, receiver = func.attr.value, func.value
        for value in self._values(receiver):
            if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
                service = RESOURCE_WRITES.get((value.func.attr.value, method))
                target = call_argument(value, 0)
                known = self.service_of(value.func.value)
                if service is not None and target is not None and known in (None, service):
                    return service, target
        write = CLIENT_WRITES.get(method)
        if write is not None:
            target = call_argument(node, -1 if write.position is None else write.position)
            target = call_argument(node, -1, write.keyword) if target is None else target
            service = self.service_of(receiver)
            if target is not None and service in (None, write.service):
                return write.service, target
        return None

    def _values(self, receiver: cst.BaseExpression) -> tuple[cst.BaseExpression, ...]:
        if isinstance(receiver, cst.Name):
            return self.context.bound_values(receiver.value)
        return (receiver,)

    def _trigger_written(
        self, declared: DeclaredFunction, service: str, target: cst.BaseExpression
    ) -> TriggerBinding | None:
        """The unfiltered trigger of `service` whose resource `target` names."""
        environment = dict(declared.environment)
        variable = self.environment_variable(target)
        named = environment.get(variable) if variable is not None else string_value(target)
        if named is None:
            return None
        for binding in _unfiltered(declared.triggers, service):
            if binding.resource == named:
                return binding
        return None

    def _report(self, node: cst.Call, service: str, binding: TriggerBinding, steps: list) -> None:
        source = binding.source
        named = f"{KINDS[service]} `{binding.resource}`" if binding.resource else KINDS[service]
        trigger = RelatedLocation(
            self.context.display(source.file),
            Position(source.line, 0),
            f"the {named} triggers the function here",
        )
        self.report(
            node,
            f"writes to the {named} that triggers this function"
            f"{self.where(steps)}: every write invokes it again — an invocation loop; write "
            "elsewhere or filter the trigger",
            related=(*self.context.chain_locations(steps=steps), trigger),
        )
