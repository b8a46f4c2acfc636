"""Deployment descriptors: which Lambda functions a project declares, read statically.

Readers turn SAM/CloudFormation templates, `serverless.yml`, Terraform, Dockerfiles,
AWS Config RDK rules (`parameters.json`) and CDK apps (Python) into `DeclaredFunction`
records. Nothing is executed or imported, and
no reader raises: a descriptor that cannot be read becomes a `DescriptorProblem`.

    kind = descriptor_kind(path)          # "template", "serverless", "terraform",
    if kind is not None:                  # "dockerfile", "rdk" or None
        found = read_descriptor(path, path.read_text())
    found = read_cdk(path, libcst_module)  # for Python files
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from lambda_lint.descriptors.model import (
    DeclaredFunction,
    DescriptorProblem,
    DescriptorSet,
    SourceRef,
    TriggerBinding,
)

if TYPE_CHECKING:
    import libcst as cst

__all__ = [
    "DeclaredFunction",
    "DescriptorProblem",
    "DescriptorSet",
    "SourceRef",
    "TriggerBinding",
    "descriptor_kind",
    "kind_read_from_content",
    "read_cdk",
    "read_descriptor",
    "read_terraform_dir",
]

TEMPLATE_NAMES = frozenset({"template.yaml", "template.yml", "template.json"})
SERVERLESS_NAMES = frozenset({"serverless.yml", "serverless.yaml"})
_SNIFFED_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".template"})
#: build output and dependencies: copies of descriptors that would be read twice
_GENERATED_FOLDERS = frozenset({".aws-sam", "cdk.out", ".serverless", "node_modules", ".terraform"})
_NOT_TEMPLATES = frozenset(
    {"package.json", "package-lock.json", "tsconfig.json", "cdk.json", "cdk.context.json"}
)
_TEMPLATE_MARKERS = re.compile(r"AWSTemplateFormatVersion|AWS::Serverless|AWS::Lambda::Function")
_SNIFF_LIMIT = 4 * 1024 * 1024


def descriptor_kind(path: Path) -> str | None:
    """What descriptor `path` is: "template" (SAM/CloudFormation), "serverless",
    "terraform", "dockerfile", "rdk", or None. By name, except that other YAML/JSON
    files are sniffed for `AWSTemplateFormatVersion` / `AWS::Serverless` /
    `AWS::Lambda::Function`, and a `parameters.json` for an RDK rule's `SourceRuntime`."""
    kind = _kind_by_name(path)
    if kind != "sniff":
        return kind
    try:
        if path.stat().st_size > _SNIFF_LIMIT:
            return None
        source = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return _sniffed_kind(path, source)


def _sniffed_kind(path: Path, source: str) -> str | None:
    """The kind of a YAML/JSON file whose name does not tell, from its content (told
    here, not by the readers: listing a project loads none of them)."""
    if _is_rdk_parameters(path, source):
        return "rdk"
    return "template" if _TEMPLATE_MARKERS.search(source) else None


def _is_rdk_parameters(path: Path, source: str) -> bool:
    """Whether a file is an RDK rule's `parameters.json` (by name and content: its
    `SourceRuntime`; see `descriptors.rdk`)."""
    return path.name == "parameters.json" and '"SourceRuntime"' in source


def kind_read_from_content(path: Path) -> bool:
    """Whether `descriptor_kind` reads the file to tell (so an edit can change it)."""
    return _kind_by_name(path) == "sniff"


def _kind_by_name(path: Path) -> str | None:
    """The kind from the path alone; "sniff" when the content decides."""
    if _GENERATED_FOLDERS.intersection(path.parts):
        return None
    return _kind_by_file_name(path.name)


def named_like_descriptor(name: str) -> bool:
    """Whether a file of this name may be a descriptor, wherever it is (the project walk
    matches no other file against the exclusions)."""
    return _kind_by_file_name(name) is not None


def _kind_by_file_name(name: str) -> str | None:
    lower = name.lower()
    if lower in TEMPLATE_NAMES:
        return "template"
    if lower in SERVERLESS_NAMES:
        return "serverless"
    dot = name.rfind(".")
    suffix = name[dot:] if 0 < dot < len(name) - 1 else ""  # as `PurePath.suffix`
    if suffix == ".tf":
        return "terraform"
    if name == "Dockerfile" or name.startswith("Dockerfile.") or lower.endswith(".dockerfile"):
        return "dockerfile"
    if suffix.lower() in _SNIFFED_SUFFIXES and lower not in _NOT_TEMPLATES:
        return "sniff"
    return None


def _reader(kind: str) -> Callable[[Path, str], DescriptorSet] | None:
    """The reader of a kind of descriptor, imported on first use (a run answered from
    the cache reads none)."""
    if kind == "template":
        from lambda_lint.descriptors.sam import read_template

        return read_template
    if kind == "serverless":
        from lambda_lint.descriptors.serverless import read_serverless

        return read_serverless
    if kind == "terraform":
        from lambda_lint.descriptors.terraform import read_terraform

        return read_terraform
    if kind == "dockerfile":
        from lambda_lint.descriptors.dockerfile import read_dockerfile

        return read_dockerfile
    if kind == "rdk":
        from lambda_lint.descriptors.rdk import read_rdk

        return read_rdk
    return None


def read_descriptor(path: Path, text: str) -> DescriptorSet:
    """Read one descriptor file whose content is `text`. Never raises."""
    kind = _kind_by_name(path)
    if kind == "sniff":
        kind = _sniffed_kind(path, text)
    reader = _reader(kind or "")
    if reader is None:
        return DescriptorSet()
    return _guarded(path, lambda: reader(path, text))


def read_cdk(
    path: Path, module: cst.Module, line_of: Callable[[cst.CSTNode], int] | None = None
) -> DescriptorSet:
    """The functions a CDK app (a Python module already parsed with libcst) declares;
    empty at once when the module does not import `aws_cdk`. `line_of` (optional) maps a
    node to its 1-based line when the caller already has positions. Never raises."""
    from lambda_lint.descriptors import cdk

    return _guarded(path, lambda: cdk.read_cdk(path, module, line_of))


def read_terraform_dir(folder: Path, files: dict[Path, str]) -> DescriptorSet:
    """Read the `.tf` files of one folder together, so references across files resolve.
    `files` maps each path to its text. Never raises."""
    from lambda_lint.descriptors import terraform

    return _guarded(folder, lambda: terraform.read_terraform_dir(folder, files))


def _guarded(path: Path, read: Callable[[], DescriptorSet]) -> DescriptorSet:
    """Run a reader; a failure inside it is reported on the file, not raised."""
    try:
        return read()
    except RecursionError:
        message = "descriptor nested too deeply to read"
    except Exception as error:  # a reader bug must not stop the run
        message = f"could not read descriptor ({type(error).__name__}: {error})"
    return DescriptorSet(problems=[DescriptorProblem(path, 1, message)])
