"""The package's entry points: recognising descriptors and reading them without raising."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from lambda_lint.descriptors import (
    DescriptorSet,
    descriptor_kind,
    read_cdk,
    read_descriptor,
    read_terraform_dir,
)
from lambda_lint.triggers import is_known

DATA = Path(__file__).parent / "data" / "descriptors"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("template.yaml", "template"),
        ("template.yml", "template"),
        ("template.json", "template"),
        ("serverless.yml", "serverless"),
        ("serverless.yaml", "serverless"),
        ("main.tf", "terraform"),
        ("Dockerfile", "dockerfile"),
        ("Dockerfile.lambda", "dockerfile"),
        ("worker.Dockerfile", "dockerfile"),
        ("app.py", None),
        ("README.md", None),
        ("main.tfvars", None),
        ("package.json", None),
        (".aws-sam/build/template.yaml", None),
        ("cdk.out/Stack.template.json", None),
    ],
)
def test_kind_by_name(tmp_path: Path, name: str, kind: str | None) -> None:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("AWSTemplateFormatVersion: '2010-09-09'\n")
    assert descriptor_kind(path) == kind


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n", "template"),
        ("Transform: AWS::Serverless-2016-10-31\n", "template"),
        ('{"Resources": {"F": {"Type": "AWS::Lambda::Function"}}}', "template"),
        ("name: CI\non: push\njobs: {}\n", None),
        ('{"compilerOptions": {}}', None),
    ],
)
def test_other_yaml_and_json_files_are_sniffed(tmp_path: Path, content: str, kind: str) -> None:
    suffix = ".json" if content.startswith("{") else ".yaml"
    path = tmp_path / f"stack{suffix}"
    path.write_text(content)
    assert descriptor_kind(path) == kind


def test_missing_file_is_not_a_descriptor(tmp_path: Path) -> None:
    assert descriptor_kind(tmp_path / "gone.yaml") is None


def test_read_descriptor_dispatches_sniffed_templates(tmp_path: Path) -> None:
    path = tmp_path / "infra.yml"
    text = (
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Fn:\n"
        "    Type: AWS::Lambda::Function\n    Properties:\n      Handler: app.run\n"
        "      Code: src\n"
    )
    (function,) = read_descriptor(path, text).functions
    assert function.handler == "app.run"
    assert function.code_root == tmp_path / "src"
    assert read_descriptor(tmp_path / "notes.yml", "a: 1\n") == DescriptorSet()


@pytest.mark.parametrize(
    "name",
    ["template.yaml", "template.json", "serverless.yml", "main.tf", "Dockerfile", "x.yaml"],
)
@pytest.mark.parametrize(
    "text",
    ["", "\x00\x01\x02", "[1, 2", "- a\n- b\n", "Resources: 5\n", '"just text"', "{{{{"],
)
def test_read_descriptor_never_raises(tmp_path: Path, name: str, text: str) -> None:
    result = read_descriptor(tmp_path / name, text)
    assert result.functions == []
    for problem in result.problems:
        assert problem.file == tmp_path / name
        assert problem.line >= 1


def test_reader_failure_becomes_a_problem(tmp_path: Path, monkeypatch) -> None:
    import lambda_lint.descriptors.serverless as serverless

    def explode(path: Path, text: str) -> DescriptorSet:
        raise RuntimeError("boom")

    monkeypatch.setattr(serverless, "read_serverless", explode)
    result = read_descriptor(tmp_path / "serverless.yml", "service: x\n")
    (problem,) = result.problems
    assert "RuntimeError: boom" in problem.message
    assert problem.file == tmp_path / "serverless.yml"


def test_read_cdk_and_terraform_dir_are_exported() -> None:
    app = DATA / "cdk" / "infra" / "stack.py"
    assert len(read_cdk(app, cst.parse_module(app.read_text())).functions) == 10
    folder = DATA / "terraform"
    files = {path: path.read_text() for path in sorted(folder.glob("*.tf"))}
    assert len(read_terraform_dir(folder, files).functions) == 5


def test_every_trigger_read_from_the_test_data_is_a_known_trigger() -> None:
    found = DescriptorSet()
    for path in sorted(DATA.rglob("*")):
        if path.is_file() and descriptor_kind(path) is not None:
            found.extend(read_descriptor(path, path.read_text()))
    app = DATA / "cdk" / "infra" / "stack.py"
    found.extend(read_cdk(app, cst.parse_module(app.read_text())))
    triggers = {binding.trigger for f in found.functions for binding in f.triggers}
    assert len(triggers) > 20
    assert all(is_known(trigger) for trigger in triggers)
    assert found.problems == []
