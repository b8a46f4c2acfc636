"""Generate a deterministic synthetic SAM monorepo for speed measurements.

    python benchmarks/generate.py OUT_DIR --files 1600
    python benchmarks/generate.py OUT_DIR --files 1500 --large-module   # for lsp_latency.py

The project has exactly `--files` Python files, laid out like a SAM monorepo:

    template.yaml                  every function (CodeUri per function) and its trigger:
                                   REST and HTTP APIs, SQS, DynamoDB streams, S3, schedules,
                                   EventBridge rules, with the queues, tables and buckets
    functions/<domain>/<action>/   a function's code root: app.py (the handler) and one to
                                   three helper modules (service, repository, models; now
                                   and then a legacy module nothing imports)
    shared/                        a library package the handlers and helpers import (the
                                   build copies it next to each function), growing with size
    tests/unit/<domain>/           tests, which no handler reaches
    scripts/                       operator scripts, which no handler reaches

Files are 30 to 300 lines of ordinary Lambda code: event reads, boto3 clients (a few made
per invocation, as real code has them), logging, loops, dataclasses, classes. The same
arguments always give the same bytes. `--large-module` makes one helper module reached
by a REST handler exactly 1,000 lines long (its path is printed).
"""

from __future__ import annotations

import argparse
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import code_templates as snippets

DOMAINS = [
    "orders", "users", "payments", "invoices", "inventory", "shipments",
    "notifications", "catalog", "reviews", "carts", "subscriptions", "reports",
]  # fmt: skip
ACTIONS = [
    "create", "get", "list", "update", "delete", "process",
    "sync", "export", "ingest", "notify", "reconcile", "archive",
]  # fmt: skip
TRIGGERS = ["api", "sqs", "http", "stream", "s3", "schedule", "eventbridge"]
TRIGGER_NAMES = {
    "api": "a REST API",
    "http": "an HTTP API",
    "sqs": "an SQS queue",
    "stream": "a DynamoDB stream",
    "s3": "S3 object uploads",
    "schedule": "a schedule",
    "eventbridge": "an EventBridge rule",
}
LARGE_MODULE_LINES = 1000
#: the line every handler has, which the edit scenarios change
EDIT_LINE = "MAX_ITEMS = 100"


def draw(*key: object) -> int:
    """A deterministic number from a key (the same on every Python and platform)."""
    return zlib.crc32(repr(key).encode("utf-8"))


def lines_between(low: int, high: int, *key: object) -> int:
    """A size in [low, high], skewed to the small end like real code (min of two draws)."""
    span = high - low + 1
    return low + min(draw(*key, 1) % span, draw(*key, 2) % span)


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def filler(key: object, index: int, names: dict[str, str]) -> str:
    """The `index`-th filler function of the module named by `key`."""
    template = snippets.FILLERS[draw(key, index) % len(snippets.FILLERS)]
    return template.substitute(names, n=str(index))


def pad(text: str, target: int, key: object, names: dict[str, str]) -> str:
    """`text` followed by filler functions until it is at least `target` lines long."""
    parts = [text]
    total = text.count("\n")
    index = 0
    while total < target:
        part = filler(key, index, names)
        parts.append("\n" + part)
        total += part.count("\n")
        index += 1
    return "".join(parts)


def library_module(doc: str, imports: list[str], body: str) -> str:
    header = snippets.LIBRARY_HEADER.substitute(
        doc=doc, imports="".join(f"{line}\n" for line in imports)
    )
    return header + body


@dataclass
class Function:
    """One deployed function: where its code lives and what triggers it."""

    index: int
    domain: str
    action: str
    trigger: str
    helpers: list[str]
    with_test: bool

    @property
    def root(self) -> str:
        rounds = self.index // (len(DOMAINS) * len(ACTIONS))
        suffix = f"_{rounds + 1}" if rounds else ""
        return f"functions/{self.domain}/{self.action}{suffix}"

    @property
    def names(self) -> dict[str, str]:
        entity = self.domain
        return {
            "entity": entity,
            "Entity": camel(entity),
            "action": self.action,
            "Action": camel(self.action),
        }


@dataclass
class Project:
    """What the generator writes: file paths to text, and the template's resources."""

    files: dict[str, str] = field(default_factory=dict)
    resources: list[str] = field(default_factory=list)


def plan_functions(budget: int) -> tuple[list[Function], int]:
    """Functions filling `budget` files; returns them and the files left over (0 or 1)."""
    functions: list[Function] = []
    index = 0
    while budget >= 2:
        helpers = 1 + draw("helpers", index) % 3
        with_test = index % 2 == 0
        need = 1 + helpers + int(with_test)
        if need > budget:
            helpers, with_test = budget - 1, False
        roles = ["service", "repository", "models"][:helpers]
        if helpers == 3 and draw("legacy", index) % 5 == 0:
            roles[2] = f"legacy_{ACTIONS[index % len(ACTIONS)]}"
        domain = DOMAINS[index % len(DOMAINS)]
        action = ACTIONS[(index // len(DOMAINS)) % len(ACTIONS)]
        trigger = TRIGGERS[draw("trigger", index) % len(TRIGGERS)]
        functions.append(Function(index, domain, action, trigger, roles, with_test))
        budget -= 1 + helpers + int(with_test)
        index += 1
    return functions, budget


def write_shared(project: Project, domain_modules: int) -> list[str]:
    """The shared package; returns the domain modules' names."""
    project.files["shared/__init__.py"] = '"""Code shared by every function."""\n'
    for name, body in snippets.SHARED_CORE.items():
        target = lines_between(80, 300, "shared", name)
        text = library_module(f"Shared {name.replace('_', ' ')}.", [], body)
        project.files[f"shared/{name}.py"] = pad(
            text, target, name, {"entity": "app", "Entity": "App"}
        )
    modules = []
    if domain_modules:
        project.files["shared/domain/__init__.py"] = '"""Domain rules shared by functions."""\n'
    for index in range(domain_modules):
        entity = DOMAINS[index % len(DOMAINS)]
        module = f"{entity}_{index // len(DOMAINS) + 1}"
        names = {"entity": entity, "Entity": camel(entity)}
        body = snippets.DOMAIN_MODULE.substitute(names)
        text = library_module(
            f"Rules for {entity}.", ["", "from shared.validation import require"], body
        )
        target = lines_between(80, 300, "domain", index)
        project.files[f"shared/domain/{module}.py"] = pad(text, target, module, names)
        modules.append(module)
    return modules


def write_function(project: Project, function: Function, domain_modules: list[str]) -> None:
    names = function.names
    roles = function.helpers
    key = function.root
    service_imports = [
        "",
        "from shared.events import publish",
        "from shared.validation import require",
    ]
    normalise = 'item.setdefault("status", "new")'
    if domain_modules:
        module = domain_modules[draw("domain", key) % len(domain_modules)]
        entity = module.rsplit("_", 1)[0]
        service_imports.append(f"from shared.domain.{module} import normalise_{entity}")
        normalise = f"item = normalise_{entity}(item)"
    if "repository" in roles:
        service_imports.append("from repository import save")
        table_line, save_line = "", "save(item)"
    else:
        table_line = f'_table = boto3.resource("dynamodb").Table(os.environ.get("TABLE_NAME", "{names["entity"]}"))\n'
        save_line = "_table.put_item(Item=item)"
    bodies = {
        "service": snippets.SERVICE.substitute(
            names, table_line=table_line, save_line=save_line, normalise_line=normalise
        ),
        "repository": snippets.REPOSITORY.substitute(names),
        "models": snippets.MODELS.substitute(names),
    }
    for role in roles:
        body = bodies.get(role, "")
        imports = service_imports if role == "service" else []
        text = library_module(f"{names['Entity']} {function.action}: {role}.", imports, body)
        target = lines_between(30, 300, key, role)
        project.files[f"{key}/{role}.py"] = pad(text, target, (key, role), names)
    project.files[f"{key}/app.py"] = handler_module(function)
    if function.with_test:
        project.files[f"tests/unit/{function.domain}/test_{key.rsplit('/', 1)[1]}.py"] = (
            test_module(function)
        )
    project.resources.append(template_resource(function))


def handler_module(function: Function) -> str:
    names = function.names
    key = function.root
    imports, extra = [], ""
    payload = '{"id": entry["Key"]}' if function.trigger == "schedule" else "payload"
    if "models" in function.helpers:
        imports.append(f"from models import {names['Entity']}")
        payload = f"{names['Entity']}.from_payload({payload}).as_dict()"
    # every third S3 or scheduled handler makes its client per invocation, as real code does
    client_line = 's3 = boto3.client("s3")'
    if function.trigger in ("s3", "schedule") and draw("client", key) % 3:
        client_line, extra = "s3 = S3", '\nS3 = boto3.client("s3")'
    header = snippets.HANDLER_HEADER.substitute(
        names,
        trigger=TRIGGER_NAMES[function.trigger],
        imports="".join(f"{line}\n" for line in imports),
        extra=extra,
    )
    # and about one in four reads its event the way that fails in production
    careless = draw("careless", key) % 4 == 0
    handler = snippets.HANDLERS[function.trigger].substitute(
        names,
        payload=payload,
        client_line=client_line,
        params_line='params = event["queryStringParameters"]'
        if careless
        else 'params = event.get("queryStringParameters") or {}',
        key_line='key = record["s3"]["object"]["key"]'
        if careless
        else 'key = unquote_plus(record["s3"]["object"]["key"])',
        header="Content-Type" if careless else "content-type",
    )
    target = lines_between(40, 150, key, "handler")
    return pad(header, target - handler.count("\n"), (key, "handler"), names) + handler


def test_module(function: Function) -> str:
    names = function.names
    text = snippets.TEST_MODULE.substitute(names, n="0")
    target = lines_between(30, 120, function.root, "test")
    index = 1
    while text.count("\n") < target:
        text += snippets.TEST_FILLER.substitute(names, n=str(index), k="0")
        index += 1
    return text


def template_resource(function: Function) -> str:
    """The function's resource (and the queue, table or bucket its trigger needs)."""
    name = f"{camel(function.domain)}{camel(function.action)}{function.index}"
    trigger = function.trigger
    events = {
        "api": f"Type: Api\nProperties:\n  Path: /{function.domain}/{{id}}/{function.action}{function.index}\n  Method: post",
        "http": f"Type: HttpApi\nProperties:\n  Path: /v2/{function.domain}/{{id}}/{function.action}{function.index}\n  Method: put",
        "sqs": f"Type: SQS\nProperties:\n  Queue: !GetAtt {name}Queue.Arn\n  BatchSize: 10\n  FunctionResponseTypes:\n    - ReportBatchItemFailures",
        "stream": f"Type: DynamoDB\nProperties:\n  Stream: !GetAtt {name}Table.StreamArn\n  StartingPosition: LATEST\n  BatchSize: 100",
        "s3": f"Type: S3\nProperties:\n  Bucket: !Ref {name}Bucket\n  Events: s3:ObjectCreated:*",
        "schedule": f"Type: Schedule\nProperties:\n  Schedule: rate({1 + function.index % 12} hours)",
        "eventbridge": f"Type: EventBridgeRule\nProperties:\n  Pattern:\n    source:\n      - app.{function.domain}\n    detail-type:\n      - {camel(function.domain)} {camel(function.action)}",
    }
    event = "\n".join("          " + line for line in events[trigger].split("\n"))
    text = (
        f"  {name}Function:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        f"      CodeUri: {function.root}/\n"
        "      Handler: app.lambda_handler\n"
        "      Environment:\n"
        "        Variables:\n"
        f"          TABLE_NAME: {function.domain}\n"
        "      Events:\n"
        "        Trigger:\n"
        f"{event}\n"
    )
    extras = {
        "sqs": f"  {name}Queue:\n    Type: AWS::SQS::Queue\n",
        "stream": (
            f"  {name}Table:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
            "      BillingMode: PAY_PER_REQUEST\n"
            "      AttributeDefinitions:\n        - AttributeName: pk\n          AttributeType: S\n"
            "      KeySchema:\n        - AttributeName: pk\n          KeyType: HASH\n"
            "      StreamSpecification:\n        StreamViewType: NEW_AND_OLD_IMAGES\n"
        ),
        "s3": f"  {name}Bucket:\n    Type: AWS::S3::Bucket\n",
    }
    return text + extras.get(trigger, "")


def large_module(function: Function) -> str:
    """A helper module of exactly LARGE_MODULE_LINES lines, imported by `function`."""
    names = function.names
    text = library_module(f"{names['Entity']} pricing rules.", [], "")
    index = 0
    while True:
        part = "\n" + filler(("large", function.root), index, names)
        if text.count("\n") + part.count("\n") > LARGE_MODULE_LINES - 10:
            break
        text += part
        index += 1
    text += "\n"
    index = 0
    while text.count("\n") < LARGE_MODULE_LINES:
        text += f"RULE_{index} = {index}\n"
        index += 1
    return text


def generate(out: Path, files: int, large: bool = False) -> str | None:
    """Write the project under `out`; returns the large module's path, if asked for one."""
    project = Project()
    domain_modules = write_shared(project, files // 64)
    scripts = max(2, files // 80)
    functions, left = plan_functions(files - len(project.files) - scripts - int(large))
    scripts += left
    for function in functions:
        write_function(project, function, domain_modules)
    for index in range(scripts):
        names = {"entity": DOMAINS[index % len(DOMAINS)], "action": ACTIONS[index % len(ACTIONS)]}
        project.files[f"scripts/{names['action']}_{names['entity']}_{index}.py"] = (
            snippets.SCRIPT.substitute(names)
        )
    large_path = None
    if large:
        target = next(f for f in functions if f.trigger == "api")
        large_path = f"{target.root}/pricing.py"
        project.files[large_path] = large_module(target)
        app = f"{target.root}/app.py"
        project.files[app] = project.files[app].replace(
            "from service import process\n",
            "from pricing import RULE_0\nfrom service import process\n",
        )
    template = (
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Transform: AWS::Serverless-2016-10-31\n"
        "Description: Synthetic monorepo for lambda-lint's benchmarks\n"
        "Globals:\n  Function:\n    Runtime: python3.12\n    Timeout: 30\n    MemorySize: 512\n"
        "Resources:\n" + "".join(project.resources)
    )
    project.files["template.yaml"] = template
    for relative, text in project.files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return large_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=400, help="Python files (default: 400)")
    parser.add_argument(
        "--large-module", action="store_true", help="make one handler-reached module 1,000 lines"
    )
    args = parser.parse_args()
    large = generate(args.out, args.files, args.large_module)
    python = sorted(args.out.rglob("*.py"))
    lines = sum(p.read_text(encoding="utf-8").count("\n") for p in python)
    print(json.dumps({"files": len(python), "lines": lines, "large_module": large}))


if __name__ == "__main__":
    main()
