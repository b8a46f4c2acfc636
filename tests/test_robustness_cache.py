"""The result cache holds data, never code, and follows every file a run reads."""

from __future__ import annotations

import dataclasses
import enum
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lambda_lint.api import ResultEntry, SummaryEntry
from lambda_lint.cache import Cache
from lambda_lint.descriptors import read_descriptor
from lambda_lint.finding import Edit, Finding, Fix, Position, RelatedLocation
from lambda_lint.index_files import index_file
from lambda_lint.typed_json import ShapeError, decode, encode, shape

HANDLER = "from helpers import stop\n\n\ndef handler(event, context):\n    stop()\n"
HELPER = "import sys\n\n\ndef stop():\n    sys.exit(1)\n"


def lint(folder: Path, cache: Path, *args: str) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, "-m", "lambda_lint", "check", "--output-format", "concise", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "LAMBDA_LINT_CACHE_DIR": str(cache)},
    )
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, result.stdout


class _RunsCode:
    """Unpickling this runs `open(marker, "w")`: what a planted entry would do."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.marker, "w"))


def test_a_planted_cache_entry_runs_no_code(tmp_path: Path) -> None:
    project, cache = tmp_path / "p", tmp_path / "cache"
    project.mkdir()
    (project / "app.py").write_text(HANDLER)
    (project / "helpers.py").write_text(HELPER)
    expected = lint(project, cache)
    marker = tmp_path / "code-ran"
    planted = pickle.dumps(_RunsCode(str(marker)))
    entries = [p for p in cache.rglob("*") if p.is_file() and p.name != "CACHEDIR.TAG"]
    assert entries
    for entry in entries:
        entry.write_bytes(planted)
    assert lint(project, cache) == expected
    assert not marker.exists()


def test_a_changed_event_schema_is_seen_by_a_cached_run(tmp_path: Path) -> None:
    project, cache = tmp_path / "p", tmp_path / "cache"
    project.mkdir()
    (project / "app.py").write_text("def direct(event, context):\n    return event['tenant']\n")
    (project / "lambda-lint.toml").write_text(
        'handlers = ["app.direct"]\nevents = { "app.direct" = "schema.json" }\n'
    )
    schema = {
        "type": "object",
        "required": ["tenant"],
        "properties": {"tenant": {"type": "string"}},
    }
    (project / "schema.json").write_text(json.dumps(schema))
    assert lint(project, cache)[0] == 0
    schema["properties"] = {"tenants": {"type": "string"}}
    schema["required"] = ["tenants"]
    (project / "schema.json").write_text(json.dumps(schema))
    uncached = lint(project, cache, "--no-cache")
    assert "LL401" in uncached[1]
    assert lint(project, cache) == uncached


# -- the codec --------------------------------------------------------------------------------

SAM = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      Timeout: 30
      Events:
        Queue:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
            BatchSize: 5
            FunctionResponseTypes: [ReportBatchItemFailures]
"""

MODULE = """\
import boto3
from functools import partial
try:
    import ujson as json
except ImportError:
    import json

TABLE = boto3.resource("dynamodb").Table("t")
alias = json.dumps
run = partial(print, "x")


class Repo(Base):
    def save(self, item: "Item", *rest, key=None, **extra) -> None:
        TABLE.put_item(Item=item)


async def handler(event, context, /, *, debug=False):
    repo = Repo()
    repo.save(event["body"], key=event.get("id"))
    def inner():
        return event
    return {"statusCode": 200, "body": event["body"]}
"""


def test_summaries_and_descriptors_survive_the_round_trip(tmp_path: Path) -> None:
    item = index_file(tmp_path / "app.py", MODULE)
    assert item.summary is not None and item.summary.functions
    declared = read_descriptor(tmp_path / "template.yaml", SAM)
    assert declared.functions[0].triggers
    for value in ((item.summary, None), (item.summary, declared)):
        stored = json.loads(json.dumps(encode(value, SummaryEntry)))
        assert decode(stored, SummaryEntry) == value


def test_findings_survive_the_round_trip() -> None:
    start, end = Position(3, 4), Position(3, 9)
    finding = Finding(
        "LL501",
        "message \udcff with a lone surrogate",
        "src/app.py",
        start,
        end,
        Fix("safe", "Rename", (Edit(start, end, "new"),)),
        (RelatedLocation("template.yaml", Position(7, 0), "declared here"),),
        noqa_line=3,
    )
    findings = [finding, dataclasses.replace(finding, fix=None, related=())]
    value = (findings, {"src/app.py": "x"}, ["src/new.py:2: uses f-string syntax; skipped"])
    stored = json.loads(json.dumps(encode(value, ResultEntry)))
    assert decode(stored, ResultEntry) == value


class Colour(enum.Enum):
    RED = "red"


@dataclasses.dataclass(frozen=True)
class Sample:
    name: str
    where: Path
    colour: Colour
    tags: frozenset[str]
    pairs: dict[int, tuple[str, ...]]
    either: int | str | None
    maybe: float | None = None


def test_the_codec_covers_the_standard_shapes() -> None:
    value = Sample("n", Path("a/b.py"), Colour.RED, frozenset({"b", "a"}), {1: ("x",)}, "s", 1.5)
    stored = encode(value, Sample)
    # a dataclass is the list of its fields' values, in order (`tags` is the fourth)
    assert stored[3] == ["a", "b"]
    assert decode(json.loads(json.dumps(stored)), Sample) == value
    assert decode(encode(dataclasses.replace(value, either=3), Sample), Sample).either == 3


#: a `Sample` as stored, field by field, which each case below spoils in one place
STORED = {
    "name": "n",
    "where": "a",
    "colour": "red",
    "tags": [],
    "pairs": [],
    "either": None,
    "maybe": None,
}


def spoiled(**changes: Any) -> list[Any]:
    return list({**STORED, **changes}.values())


@pytest.mark.parametrize(
    "stored",
    [
        None,
        [],
        "x",
        ["n"],
        STORED,  # by field name: not how a dataclass is stored
        spoiled(name=1),
        spoiled(colour="blue"),
        spoiled(pairs=[[1]]),
        spoiled(either=[7, 1]),
        [*spoiled(), 1],
        spoiled(tags={}),
        spoiled(pairs=[[1, ["x", 2]]]),
        spoiled(pairs=[[1, "xy"]]),
        spoiled(where=["a"]),
        spoiled(maybe="1.5"),
        spoiled(maybe=True),
    ],
)
def test_data_of_another_shape_is_refused(stored: Any) -> None:
    with pytest.raises(ShapeError):
        decode(stored, Sample)


def test_a_whole_number_stored_for_a_float_is_read_as_a_float() -> None:
    maybe = decode(spoiled(maybe=2), Sample).maybe
    assert maybe == 2.0 and type(maybe) is float


@pytest.mark.parametrize("stored", [["a", "b"], ["a"], ["a", 1, 2], ("a", 1), ["a", True]])
def test_a_tuple_of_fixed_length_is_checked_item_by_item(stored: Any) -> None:
    assert decode(["a", 1], tuple[str, int]) == ("a", 1)
    with pytest.raises(ShapeError):
        decode(stored, tuple[str, int])


@pytest.mark.skipif(sys.version_info < (3, 10), reason="keyword-only fields need Python 3.10")
def test_a_dataclass_with_keyword_only_fields_comes_back_whole() -> None:
    @dataclasses.dataclass(frozen=True, kw_only=True)  # type: ignore[call-overload]
    class Options:
        depth: int
        names: tuple[str, ...] = ()

    value = Options(depth=2, names=("a", "b"))
    assert decode(json.loads(json.dumps(encode(value, Options))), Options) == value


def test_a_value_of_another_type_is_not_stored() -> None:
    with pytest.raises(ShapeError):
        encode(Sample("n", "not a path", Colour.RED, frozenset(), {}, None), Sample)  # type: ignore[arg-type]


def test_the_shape_changes_with_the_fields() -> None:
    @dataclasses.dataclass
    class Before:
        a: int

    @dataclasses.dataclass
    class After:
        a: str

    assert shape(Before) != shape(After)
    assert shape(list[Sample]) == shape(list[Sample])


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"format": 1}',
        b'{"format": 1, "version": "0", "shape": "x", "value": null}',
    ],
)
def test_a_broken_entry_is_a_miss(tmp_path: Path, content: bytes) -> None:
    cache = Cache(tmp_path)
    value = ([], {"a.py": "text"}, [])
    cache.put("result", "ab12", value, ResultEntry)
    assert cache.get("result", "ab12", ResultEntry) == value
    (entry,) = [p for p in tmp_path.rglob("*.json")]
    entry.write_bytes(content)
    assert cache.get("result", "ab12", ResultEntry) is None


def test_an_entry_of_another_shape_is_a_miss(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put("result", "ab12", ([], {}, []), ResultEntry)
    assert cache.get("result", "ab12", tuple[list[str], dict[str, str]]) is None


PLUGIN = """\
import libcst as cst

from lambda_lint.rule import Rule


class NoName(Rule):
    code = "ACME001"
    name = "no-name"
    summary = "a name the house rules forbid"

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "FORBIDDEN":
            self.report(node, "forbidden name")
"""


def test_an_edited_local_plugin_is_seen_by_a_cached_run(tmp_path: Path) -> None:
    project, cache = tmp_path / "p", tmp_path / "cache"
    project.mkdir()
    (project / "app.py").write_text("def handler(event, context):\n    return stop\n")
    (project / "house_rules.py").write_text(PLUGIN.replace("FORBIDDEN", "go"))
    (project / "lambda-lint.toml").write_text(
        'plugins = ["house_rules"]\nextend-select = ["ACME001"]\n'
        'extend-exclude = ["house_rules.py"]\n'  # not linted, so not hashed with the sources
    )
    assert lint(project, cache, "--allow-local-plugins")[0] == 0
    (project / "house_rules.py").write_text(PLUGIN.replace("FORBIDDEN", "stop"))
    uncached = lint(project, cache, "--allow-local-plugins", "--no-cache")
    assert "ACME001" in uncached[1]
    assert lint(project, cache, "--allow-local-plugins") == uncached


def test_a_changed_openapi_document_is_seen_by_a_cached_run(tmp_path: Path) -> None:
    """An OpenAPI document a template names by path is no descriptor discovery lists;
    a cached run still notices its edit (here: the route stops being a proxy, so the
    handler need not return a proxy response, and LL105 goes)."""
    from test_descriptors_precision import OPENAPI, SAM_CODE, project, sam_api

    folder = project(
        tmp_path / "p",
        {"template.yaml": sam_api("DefinitionUri: openapi.yaml\n"), "openapi.yaml": OPENAPI},
    )
    project(folder, SAM_CODE)
    cache = tmp_path / "cache"
    assert "LL105" in lint(folder, cache)[1]
    (folder / "openapi.yaml").write_text(OPENAPI.replace("type: aws_proxy", "type: aws"))
    uncached = lint(folder, cache, "--no-cache")
    assert "LL105" not in uncached[1]
    assert lint(folder, cache) == uncached


def test_a_file_that_becomes_a_template_is_seen_by_a_cached_run(tmp_path: Path) -> None:
    project, cache = tmp_path / "p", tmp_path / "cache"
    project.mkdir()
    (project / "app.py").write_text("def handler(event, context):\n    return None\n")
    (project / "infra.yaml").write_text("notes: nothing to deploy yet\n")
    assert lint(project, cache)[0] == 0
    (project / "infra.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties: {Handler: missing.handler, Runtime: python3.12}\n"
    )
    uncached = lint(project, cache, "--no-cache")
    assert "LL103" in uncached[1]
    assert lint(project, cache) == uncached
