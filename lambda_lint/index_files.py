"""Stage 2 for one file: its text read, parsed, and reduced to a `ModuleSummary`.

`index_file` is the unit of work of the index stage (`lambda_lint.api` runs it for every
Python file of a project). The parse checks the text as CPython does and the summary is
read off CPython's `ast` tree; no tree outlives the file's turn, so a run holds the
summaries of a project, not its syntax trees (the check stage parses each file it
checks with libcst, then lets the tree go).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lambda_lint.descriptors import read_cdk
from lambda_lint.descriptors.model import DescriptorSet
from lambda_lint.index import ModuleSummary, summarize
from lambda_lint.positions import Positions
from lambda_lint.source import ParseProblem, decode, parse_source
from lambda_lint.stamps import Stamp, settled, stamp


@dataclass
class IndexedFile:
    """One Python file after the index stage: its summary, or why it has none."""

    path: Path
    text: str | None
    summary: ModuleSummary | None = None
    cdk: DescriptorSet | None = None
    problem: ParseProblem | None = None


def read_source(path: Path, overrides: Mapping[Path, str]) -> tuple[str | ParseProblem, bytes]:
    """The text of a Python file (or why it cannot be read) and the bytes it was read from."""
    if path in overrides:
        text = overrides[path]
        return text, text.encode("utf-8", "surrogatepass")
    try:
        data = path.read_bytes()
    except OSError as error:
        return ParseProblem(f"cannot read: {error.strerror or error}"), b""
    return decode(data), data


class KeptSources:
    """Files read by earlier runs, kept while each file's stamp is unchanged (see
    `lambda_lint.stamps`): a process that lints the same project again and again (the
    language server) reads only the files that changed."""

    def __init__(self) -> None:
        self._kept: dict[Path, tuple[Stamp, tuple[str | ParseProblem, bytes]]] = {}

    def read(self, path: Path, overrides: Mapping[Path, str]) -> tuple[str | ParseProblem, bytes]:
        """`read_source(path, overrides)`, from memory when the file is unchanged."""
        if path in overrides:
            return read_source(path, overrides)
        now = stamp(path)
        kept = self._kept.get(path)
        if now is not None and kept is not None and kept[0] == now:
            return kept[1]
        found = read_source(path, overrides)
        if now is not None and settled(now):
            self._kept[path] = (now, found)
        else:
            self._kept.pop(path, None)
        return found


def index_file(path: Path, text: str | ParseProblem) -> IndexedFile:
    """Parse and summarise one file (the unit of work of the index stage). Only a file
    that imports the CDK is parsed by libcst here too: its constructs are descriptors."""
    if isinstance(text, ParseProblem):
        return IndexedFile(path, None, problem=text)
    source = parse_source(text)
    if isinstance(source, ParseProblem):
        return IndexedFile(path, text, problem=source)
    try:
        summary = summarize(str(path), source.ast, text)
    except RecursionError:
        return IndexedFile(path, text, problem=ParseProblem("too deeply nested to analyse"))
    cdk = None
    if any(i.module.split(".")[0] == "aws_cdk" for i in summary.imports):
        module = source.cst
        if isinstance(module, ParseProblem):
            return IndexedFile(path, text, problem=module)
        cdk = read_cdk(path, module, line_of=Positions(module, text, source.ast).line)
    return IndexedFile(path, text, summary, cdk)
