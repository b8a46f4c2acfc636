"""Dockerfiles that build Lambda container images: the `CMD` handler and its code folder.

An image is a Lambda function image when its final stage comes from an AWS Lambda Python
base image (`public.ecr.aws/lambda/python:<version>`, also published as
`amazon/aws-lambda-python`) or runs the runtime interface client (`awslambdaric`) as its
entry point. In the base images `LAMBDA_TASK_ROOT` is `/var/task`, also the default
working directory, and `CMD` names the handler (AWS Lambda developer guide, "Deploy
Python Lambda functions with container images"). Paths in `COPY` are taken relative to
the Dockerfile's folder, the usual build context.

A Lambda base image that copies nothing from the build context and whose `CMD` names no
`module.function` (`CMD bash`) is a build container, used to install packages for a
layer or an archive, not a function image: it declares nothing.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from lambda_lint.descriptors.draft import join_path
from lambda_lint.descriptors.model import DeclaredFunction, DescriptorSet, SourceRef
from lambda_lint.reads import note_read

KIND = "dockerfile"
TASK_ROOT = "/var/task"

_LAMBDA_IMAGES = re.compile(
    r"^(?:public\.ecr\.aws/lambda/python|(?:docker\.io/)?amazon/aws-lambda-python)(?::(\S+))?$"
)
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_DIRECTIVE = re.compile(r"^#\s*escape\s*=\s*(\S)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction: keyword, arguments, and its physical lines."""

    keyword: str
    arguments: str
    line: int
    lines: tuple[str, ...]


@dataclass
class _Stage:
    #: built from an AWS Lambda Python base image
    base_image: bool = False
    #: runs the runtime interface client, which loads handlers from the working folder
    client: bool = False
    runtime: str | None = None
    workdir: str = "/"
    env: dict[str, str] = field(default_factory=dict)
    cmd: tuple[str | None, int] | None = None
    #: (sources, absolute destination) of each `COPY`/`ADD` from the build context
    copies: list[tuple[tuple[str, ...], str]] = field(default_factory=list)

    def copy(self) -> _Stage:
        return replace(self, env=dict(self.env), copies=list(self.copies))


def instructions(source: str) -> list[Instruction]:
    """Split a Dockerfile into instructions, joining continued lines, dropping comments."""
    lines = source.splitlines()
    escape = "\\"
    for raw in lines[:5]:
        match = _DIRECTIVE.match(raw.strip())
        if match:
            escape = match.group(1)
        elif not raw.startswith("#"):
            break
    found: list[Instruction] = []
    parts: list[str] = []
    physical: list[str] = []
    start = 0
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if not parts and (not stripped or stripped.startswith("#")):
            continue
        if parts and stripped.startswith("#"):
            continue
        if not parts:
            start = number
        physical.append(raw)
        if stripped.endswith(escape):
            parts.append(stripped[: -len(escape)])
            continue
        parts.append(stripped)
        found.append(_instruction(" ".join(parts), start, physical))
        parts, physical = [], []
    if parts:
        found.append(_instruction(" ".join(parts), start, physical))
    return found


def _instruction(joined: str, line: int, physical: list[str]) -> Instruction:
    keyword, _, arguments = joined.strip().partition(" ")
    return Instruction(keyword.upper(), arguments.strip(), line, tuple(physical))


def read_dockerfile(path: Path, source: str) -> DescriptorSet:
    """The Lambda function a Dockerfile's final stage declares, if any."""
    stage = _final_stage(source)
    if stage is None or not (stage.base_image or stage.client) or stage.cmd is None:
        return DescriptorSet()
    handler, line = stage.cmd
    if not stage.copies and handler is not None and "." not in handler:
        return DescriptorSet()  # a build container (see the module's doc)
    folder = path.parent
    function = DeclaredFunction(
        name=f"{folder.name}/{path.name}" if folder.name else path.name,
        handler=handler,
        source=SourceRef(KIND, path, line),
        code_root=_code_root(stage, folder),
        runtime=stage.runtime,
        package_type="Image",
    )
    return DescriptorSet(functions=[function])


def builds_other_image(path: Path) -> bool:
    """Whether the Dockerfile at `path` is there and its final stage is no Python Lambda
    image (a Node.js base image, say); noted as read. False when it cannot be read."""
    note_read(path)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    stage = _final_stage(source)
    return stage is None or not (stage.base_image or stage.client)


def _final_stage(source: str) -> _Stage | None:
    stages: dict[str, _Stage] = {}
    stage: _Stage | None = None
    for instruction in instructions(source):
        keyword, arguments = instruction.keyword, instruction.arguments
        if keyword == "FROM":
            stage = _from(arguments, stages)
        elif stage is None:
            continue
        elif keyword == "CMD":
            stage.cmd = _command(instruction, stage.env)
        elif keyword == "ENTRYPOINT" and "awslambdaric" in arguments:
            stage.client = True
        elif keyword in ("ENV", "ARG"):
            stage.env.update(_assignments(arguments))
        elif keyword == "WORKDIR":
            stage.workdir = posixpath.join(stage.workdir, _expand(arguments, stage.env))
        elif keyword in ("COPY", "ADD"):
            copied = _copy(arguments, stage)
            if copied is not None:
                stage.copies.append(copied)
    return stage


def _from(arguments: str, stages: dict[str, _Stage]) -> _Stage:
    words = [word for word in arguments.split() if not word.startswith("--")]
    image = words[0] if words else ""
    alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
    if image in stages:
        stage = stages[image].copy()
    else:
        stage = _Stage()
        match = _LAMBDA_IMAGES.match(image)
        if match:
            stage.base_image = True
            stage.workdir = TASK_ROOT
            stage.env["LAMBDA_TASK_ROOT"] = TASK_ROOT
            version = re.match(r"\d+(?:\.\d+)?", match.group(1) or "")
            stage.runtime = f"python{version.group(0)}" if version else None
    if alias:
        stages[alias] = stage
    return stage


def _expand(value: str, env: dict[str, str]) -> str:
    return _VARIABLE.sub(lambda m: env.get(m.group(1) or m.group(2), m.group(0)), value)


def _assignments(arguments: str) -> dict[str, str]:
    """`ENV A=1 B=2`, `ENV A 1` and `ARG A=1` as a dict (an `ARG` without value is skipped)."""
    try:
        words = shlex.split(arguments)
    except ValueError:
        return {}
    if len(words) >= 2 and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    return dict(word.split("=", 1) for word in words if "=" in word)


def _command(instruction: Instruction, env: dict[str, str]) -> tuple[str | None, int]:
    """The handler `CMD` names, and the line where it is written."""
    arguments = instruction.arguments
    first: str | None = None
    if arguments.startswith("["):
        try:
            words = json.loads(arguments)
        except ValueError:
            words = None
        if isinstance(words, list) and words and isinstance(words[0], str):
            first = words[0]
    else:
        try:
            words = shlex.split(arguments)
        except ValueError:
            words = arguments.split()
        first = _expand(words[0], env) if words else None
    if not first or "$" in first:
        return None, instruction.line
    line = instruction.line
    for offset, physical in enumerate(instruction.lines):
        if first in physical:
            line = instruction.line + offset
            break
    return first, line


def _copy(arguments: str, stage: _Stage) -> tuple[tuple[str, ...], str] | None:
    if arguments.startswith("["):
        try:
            words = json.loads(arguments)
        except ValueError:
            return None
    else:
        words = arguments.split()
    if any(str(word).startswith("--from") for word in words):
        return None
    words = [str(word) for word in words if not str(word).startswith("--")]
    if len(words) < 2:
        return None
    destination = _expand(words[-1], stage.env)
    return tuple(words[:-1]), posixpath.normpath(posixpath.join(stage.workdir, destination))


def _code_root(stage: _Stage, folder: Path) -> Path:
    """The build-context folder copied into the task root (`/var/task` in the base
    images, the working folder for the runtime interface client), when one plain folder
    is."""
    root = TASK_ROOT if stage.base_image else stage.workdir
    candidates: set[str] = set()
    for sources, destination in stage.copies:
        if destination != root and not destination.startswith(root.rstrip("/") + "/"):
            continue
        below = PurePosixPath(destination).relative_to(root).parts
        for source in sources:
            candidate = _copied_root(source, below)
            if candidate is not None:
                candidates.add(candidate)
    if len(candidates) == 1:
        return join_path(folder, candidates.pop())
    return folder


def _copied_root(source: str, below: tuple[str, ...]) -> str | None:
    """The context folder that ends up as the task root when `source` is copied to
    `TASK_ROOT/below`; None for files that are not Python (requirements.txt, ...)."""
    name = PurePosixPath(source.rstrip("/") or ".")
    if name.suffix == ".py" or "*" in name.name:
        return str(name.parent) if not below else None
    if name.suffix:
        return None
    if not below:
        return str(name)
    if name.parts[-len(below) :] == below:
        root = name.parts[: -len(below)]
        return str(PurePosixPath(*root)) if root else "."
    return None
