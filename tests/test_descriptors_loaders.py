"""The YAML and JSON loaders: intrinsic tags as symbolic values, lines, syntax errors."""

from __future__ import annotations

import pytest

from lambda_lint.descriptors.json_loader import load_json
from lambda_lint.descriptors.values import LineList, LineMap, Symbolic, integer, text, truthy
from lambda_lint.descriptors.yaml_loader import DescriptorSyntaxError, load_yaml

SHORT_TAGS = """\
Ref: !Ref Queue
GetAtt: !GetAtt Queue.Arn
GetAttList: !GetAtt [Table, StreamArn]
Sub: !Sub "${AWS::StackName}-jobs"
If: !If [IsProd, big, small]
Join: !Join ["-", [a, b]]
Select: !Select [0, !GetAZs ""]
FindInMap: !FindInMap [Sizes, !Ref Stage, Memory]
ImportValue: !ImportValue shared-queue
Base64: !Base64 "echo hi"
Equals: !Equals [!Ref Stage, prod]
Not: !Not [!Condition IsProd]
And: !And [!Condition A, !Condition B]
Or: !Or [!Condition A, !Condition B]
Condition: !Condition IsProd
Split: !Split [",", "a,b"]
GetAZs: !GetAZs eu-west-1
Cidr: !Cidr ["10.0.0.0/16", 4, 8]
Transform: !Transform {Name: "AWS::Include", Parameters: {Location: s3://b/k}}
Unknown: !Tags
  team: data
"""


def test_every_intrinsic_short_form_loads_as_symbolic() -> None:
    loaded = load_yaml(SHORT_TAGS)
    for key, value in loaded.items():
        kind = "Tags" if key == "Unknown" else key.replace("GetAttList", "GetAtt")
        assert isinstance(value, Symbolic), key
        assert value.kind == kind, key


def test_getatt_is_split_into_resource_and_attribute() -> None:
    loaded = load_yaml(SHORT_TAGS)
    assert loaded["GetAtt"].value == ["Queue", "Arn"]
    assert loaded["GetAttList"].value == ["Table", "StreamArn"]
    assert loaded["Transform"].value["Name"] == "AWS::Include"
    assert loaded["Unknown"].value == {"team": "data"}


def test_long_forms_load_like_short_forms() -> None:
    loaded = load_yaml(
        "A:\n  Fn::GetAtt: [Queue, Arn]\nB:\n  Ref: Queue\nC:\n  Fn::Sub: x-${Queue}\n"
        "D:\n  Ref: Queue\n  Other: 1\n"
    )
    assert loaded["A"] == Symbolic("GetAtt", ["Queue", "Arn"])
    assert loaded["B"] == Symbolic("Ref", "Queue")
    assert loaded["C"] == Symbolic("Sub", "x-${Queue}")
    assert isinstance(loaded["D"], LineMap)  # two keys: not an intrinsic


def test_yaml_keeps_lines_of_keys_values_and_items() -> None:
    loaded = load_yaml(
        "Resources:\n  Fn:\n    Handler:\n      app.handler\n    Events:\n      - a\n      - b\n"
    )
    fn = loaded["Resources"]["Fn"]
    assert fn.key_line("Handler") == 3
    assert fn.value_line("Handler") == 4
    assert isinstance(fn["Events"], LineList)
    assert fn["Events"].item_lines == [6, 7]


def test_yaml_merge_keys_keep_explicit_values() -> None:
    loaded = load_yaml("base: &b {timeout: 5, memory: 128}\nfn:\n  <<: *b\n  timeout: 9\n")
    assert loaded["fn"] == {"timeout": 9, "memory": 128}


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("Resources:\n  Fn:\n    Handler: [unclosed\n", 4),
        ("a: 1\nb: 2\n  c: 3\n", 3),
        ("Key: 'open\n", 2),
    ],
)
def test_yaml_syntax_error_names_the_line(source: str, line: int) -> None:
    with pytest.raises(DescriptorSyntaxError) as raised:
        load_yaml(source)
    assert raised.value.line == line
    assert raised.value.message.startswith("invalid YAML")


def test_json_records_lines_and_long_form_intrinsics() -> None:
    source = (
        '{\n  "Fn": {\n    "Handler": "app.handler",\n'
        '    "Role": {"Fn::GetAtt": ["Role", "Arn"]},\n'
        '    "List": [1,\n      2.5, true, null]\n  }\n}\n'
    )
    loaded = load_json(source)
    fn = loaded["Fn"]
    assert fn["Handler"] == "app.handler"
    assert fn.value_line("Handler") == 3
    assert fn["Role"] == Symbolic("GetAtt", ["Role", "Arn"])
    assert fn["List"] == [1, 2.5, True, None]
    assert fn["List"].item_lines == [5, 6, 6, 6]


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ('{\n  "a": 1,\n  "b": \n}\n', 4),
        ('{\n  "a": 1\n  "b": 2\n}\n', 3),
        ('{"a": 1}\n\n{"b": 2}\n', 3),
        ('{\n  "a": "unterminated\n}', 2),
    ],
)
def test_json_syntax_error_names_the_line(source: str, line: int) -> None:
    with pytest.raises(DescriptorSyntaxError) as raised:
        load_json(source)
    assert raised.value.line == line
    assert raised.value.message.startswith("invalid JSON")


def test_plain_value_helpers() -> None:
    assert text("app.handler") == "app.handler"
    assert text(Symbolic("Sub", "app.handler")) == "app.handler"
    assert text(Symbolic("Sub", "${Prefix}.handler")) is None
    assert text(Symbolic("Ref", "Handler")) is None
    assert integer("30") == 30
    assert integer(True) is None
    assert integer(Symbolic("Ref", "Timeout")) is None
    assert truthy("true") and truthy(True)
    assert not truthy("yes please") and not truthy(None)
