"""Hostile and odd deployment descriptors: each is read, or reported as LL001 on the
right line, quickly, and never stops the run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambda_lint.api import Linter
from lambda_lint.config import Settings
from lambda_lint.descriptors import read_descriptor, read_terraform_dir
from lambda_lint.descriptors.yaml_loader import MAX_ALIAS_EXPANSION, load_yaml
from lambda_lint.registry import load_rules

RULES = load_rules()
HANDLER = "def handler(event, context):\n    return context.request_id\n"


def bomb(indent: str, levels: int = 9) -> str:
    """Nested aliases: nine lines that expand to 9**9 values."""
    lines = [f"{indent}l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels):
        items = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"{indent}l{level}: &l{level} [{items}]")
    return "\n".join(lines) + "\n"


SAM_HEAD = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
"""

#: where readers follow references: each place gets a bomb
BOMBS = {
    "alias-function-name": SAM_HEAD
    + "  Live:\n    Type: AWS::Lambda::Alias\n    Properties:\n      FunctionName:\n"
    + bomb(" " * 8),
    "event-source-mapping": SAM_HEAD
    + "  Map:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: !Ref Fn\n      EventSourceArn:\n"
    + bomb(" " * 8),
    "sqs-queue": SAM_HEAD
    + "      Events:\n        Q:\n          Type: SQS\n          Properties:\n            Queue:\n"
    + bomb(" " * 14),
    "sub-variables": SAM_HEAD
    + "      Environment:\n        Variables:\n          X: !Sub\n            - '${a}'\n            - a:\n"
    + bomb(" " * 16),
    "events-rule": SAM_HEAD
    + "  Rule:\n    Type: AWS::Events::Rule\n    Properties:\n      EventPattern:\n"
    + bomb(" " * 8),
    "s3-notification": SAM_HEAD
    + "  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      NotificationConfiguration:\n"
    + bomb(" " * 8),
}
SERVERLESS_BOMB = (
    "service: s\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  fn:\n"
    "    handler: app.handler\n    events:\n      - sqs:\n          arn:\n" + bomb(" " * 12)
)


def lint(folder: Path, files: dict[str, str]) -> list[tuple[str, str, int, str]]:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    linter = Linter(Settings(), RULES, RULES.select(None, (), ()), cwd=folder, jobs=1)
    result = linter.lint([folder])
    assert result.internal_errors == []
    return [(f.path, f.code, f.start.line, f.message) for f in result.findings]


@pytest.mark.parametrize("place", sorted(BOMBS))
def test_an_alias_bomb_in_a_template_is_ll001_on_its_line(tmp_path: Path, place: str) -> None:
    findings = lint(tmp_path, {"template.yaml": BOMBS[place], "app.py": HANDLER})
    problems = [f for f in findings if f[1] == "LL001"]
    assert len(problems) == 1
    path, _, line, message = problems[0]
    assert path == "template.yaml"
    assert "YAML aliases expand to more than" in message
    assert BOMBS[place].splitlines()[line - 1].lstrip().startswith("l")


def test_an_alias_bomb_in_serverless_yml(tmp_path: Path) -> None:
    findings = lint(tmp_path, {"serverless.yml": SERVERLESS_BOMB, "app.py": HANDLER})
    assert [(p, c) for p, c, _, _ in findings if c == "LL001"] == [("serverless.yml", "LL001")]


BUILD_SOURCE = (
    "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Fn:\n"
    "    Type: AWS::Lambda::Function\n    Properties:\n"
    "      Code:\n        S3Bucket: !Sub %TEMPLATE_BUCKET_NAME%\n"
)


def test_a_template_source_with_build_placeholders_is_not_ll001(tmp_path: Path) -> None:
    """A template a build script writes (`sed` replaces `%VERSION%`) is no YAML until
    then; where it fails on another line, it is broken all the same."""
    findings = lint(tmp_path / "source", {"template.yaml": BUILD_SOURCE, "app.py": HANDLER})
    assert [c for _, c, _, _ in findings if c == "LL001"] == []
    broken = BUILD_SOURCE.replace("Resources:\n", "Resources:\n  'unclosed\n")
    findings = lint(tmp_path / "broken", {"template.yaml": broken, "app.py": HANDLER})
    assert [(p, c) for p, c, _, _ in findings if c == "LL001"] == [("template.yaml", "LL001")]


def test_a_recursive_alias_is_ll001(tmp_path: Path) -> None:
    template = SAM_HEAD + "      Tags: &t\n        self: *t\n"
    findings = lint(tmp_path, {"template.yaml": template, "app.py": HANDLER})
    assert ("template.yaml", "LL001", 10) in [(p, c, ln) for p, c, ln, _ in findings]


def test_aliases_and_merges_within_bounds_are_read() -> None:
    text = (
        "base: &b {Runtime: python3.12, Timeout: 3}\nfn:\n  <<: *b\n  Timeout: 9\nlist: [*b, *b]\n"
    )
    loaded = load_yaml(text)
    assert loaded["fn"] == {"Timeout": 9, "Runtime": "python3.12"}
    assert loaded["list"] == [loaded["base"], loaded["base"]]
    assert MAX_ALIAS_EXPANSION >= 100_000


INTRINSICS = """\
AWSTemplateFormatVersion: '2010-09-09'
Conditions:
  Prod: !Equals [!Ref Env, prod]
  Either: !Or [!Condition Prod, !Not [!Condition Prod], !And [!Condition Prod, !Condition Prod]]
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Handler: !If [Prod, app.handler, !Ref AWS::NoValue]
      Runtime: !FindInMap [Map, !Ref AWS::Region, runtime]
      Code: {ZipFile: !Join ['', [!Select [0, !Split [',', 'a,b']], !Base64 x, !GetAZs '']]}
      Role: !GetAtt [Role, Arn]
      Environment:
        Variables:
          A: !Sub '${AWS::StackName}-${Fn.Arn}'
          B: !ImportValue shared
          C: !Cidr [10.0.0.0/16, 4, 8]
          D: !Transform {Name: AWS::Include, Parameters: {Location: s3://x}}
          E: !GetAtt Fn.Arn
          F: !Unknown {odd: [1, 2]}
          G: !!str 12
      Timeout: !Ref Timeout
  Fn2:
    Type: AWS::Serverless::Function
    Properties:
      Handler: !Sub '${Module}.handler'
      CodeUri: !Ref Code
      Events: !If [Prod, {}, !Ref AWS::NoValue]
"""


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("template.yaml", INTRINSICS),
        ("template.yaml", "Resources: [\n"),
        ("template.yaml", "\t- tabs\n:::\n"),
        ("template.yaml", "AWSTemplateFormatVersion: x\n---\nsecond: doc\n"),
        ("template.yaml", "a: !!python/object/apply:os.system [echo hi]\n"),
        ("template.yaml", "Resources:\n  Fn: " + "[" * 5000 + "]" * 5000 + "\n"),
        ("template.json", '{"Resources": {"Fn": {"Type": "AWS::Lambda::Function",'),
        (
            "template.json",
            '{"AWSTemplateFormatVersion": "x", "Resources": ' + "[" * 5000 + "]" * 5000 + "}",
        ),
        (
            "template.json",
            '{"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Handler": {"Fn::Sub": "${X}.h"}}}}}',
        ),
        (
            "serverless.yml",
            "service: s\nprovider: {name: aws, runtime: '${opt:runtime, \"python3.12\"}'}\nfunctions:\n  f:\n    handler: ${self:custom.path}.handler\n    events: ${file(./events.yml)}\n  g: ${file(./g.yml)}\n  h:\n    handler: app.handler\n    events:\n      - http: ${self:custom.http}\n      - sqs: {arn: !GetAtt Q.Arn}\n",
        ),
        ("serverless.yml", "functions: [1, 2]\n"),
        ("serverless.yml", "- just\n- a list\n"),
        (
            "main.tf",
            'resource "aws_lambda_function" "f" {\n  count = 2\n  function_name = "f-${count.index}"\n  handler = "app.handler"\n  runtime = "python3.12"\n  dynamic "environment" {\n    for_each = var.envs\n    content { variables = environment.value }\n  }\n}\nresource "aws_lambda_function" "g" {\n  for_each = toset(["a", "b"])\n  handler = "${each.key}.handler"\n}\n',
        ),
        ("main.tf", 'resource "aws_lambda_function" {\n'),
        ("main.tf", "locals { x = " + "[" * 3000 + "]" * 3000 + " }\n"),
        ("Dockerfile", 'FROM public.ecr.aws/lambda/python:3.12\nCMD ["app.handler"\n'),
        ("Dockerfile", "FROM public.ecr.aws/lambda/python:3.12\nCMD app.handler extra words\n"),
        (
            "Dockerfile",
            'FROM public.ecr.aws/lambda/python:3.12 AS base\nFROM base\nENTRYPOINT []\nCMD ["${HANDLER}"]\n',
        ),
        ("Dockerfile", "CMD\nFROM\nARG\n\\\n"),
        (
            "cdk_app.py",
            "import aws_cdk.aws_lambda as _lambda\nname = 'app'\nfn = _lambda.Function(None, 'F', handler=f'{name}.handler', runtime=_lambda.Runtime.PYTHON_3_12, code=_lambda.Code.from_asset('src'))\nfn2 = _lambda.Function(None, 'G', handler=name + '.' + 'handler', **kwargs)\nfn3 = _lambda.Function(*args)\n",
        ),
    ],
)
def test_hostile_descriptors_are_linted_without_a_crash(
    tmp_path: Path, name: str, text: str
) -> None:
    findings = lint(tmp_path, {name: text, "app.py": HANDLER})
    assert ("app.py", "LL501") in [(p, c) for p, c, _, _ in findings]


def test_readers_never_raise(tmp_path: Path) -> None:
    for name in ("template.yaml", "template.json", "serverless.yml", "Dockerfile"):
        for text in ("", "\0\0", "{}", "[]", "null", "1", json.dumps({"Resources": None})):
            read_descriptor(tmp_path / name, text)
    read_terraform_dir(tmp_path, {tmp_path / "main.tf": "\0"})
