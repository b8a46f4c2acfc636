"""Stage 2 for one file: its text read, parsed, and reduced to a `ModuleSummary`.

`index_file` is the unit of work of the index stage (`lambda_lint.api` runs it for every
Python file of a project). The parse checks the text as CPython does and the summary is
read off CPython's `ast` tree; no tree outlives the file's turn, so a run holds the
summaries of a project, not its syntax trees (the check stage parses each file it
checks with libcst, then lets the tree go).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lambda_lint.collector import collected_after
from lambda_lint.descriptors import read_cdk
from lambda_lint.descriptors.model import DescriptorSet
from lambda_lint.index import KeptFunctions, ModuleSummary, summarize
from lambda_lint.positions import Positions
from lambda_lint.source import ParseProblem, SourceFile, parse_source


@dataclass
class IndexedFile:
    """One Python file after the index stage: its summary, or why it has none."""

    path: Path
    text: str | None
    summary: ModuleSummary | None = None
    cdk: DescriptorSet | None = None
    problem: ParseProblem | None = None
    #: the parsed file, kept (when asked for) for a check in the same run
    source: SourceFile | None = None


def index_file(
    path: Path, text: str | ParseProblem, kept: KeptFunctions | None = None
) -> IndexedFile:
    """Parse and summarise one file (the unit of work of the index stage). A process
    that summarises the file again after an edit passes what it `kept` of its functions;
    the parsed file is then kept with the summary, for the check in the same run. Only
    a file that imports the CDK is parsed by libcst here too: its constructs are
    descriptors."""
    with collected_after():  # its syntax trees are never scanned by the collector
        return _index_file(path, text, kept)


def _index_file(path: Path, text: str | ParseProblem, kept: KeptFunctions | None) -> IndexedFile:
    if isinstance(text, ParseProblem):
        return IndexedFile(path, None, problem=text)
    source = parse_source(text)
    if isinstance(source, ParseProblem):
        return IndexedFile(path, text, problem=source)
    try:
        summary = summarize(str(path), source.ast, text, kept)
    except RecursionError:
        return IndexedFile(path, text, problem=ParseProblem("too deeply nested to analyse"))
    cdk = None
    if any(i.module.split(".")[0] == "aws_cdk" for i in summary.imports):
        module = source.cst
        if isinstance(module, ParseProblem):
            return IndexedFile(path, text, problem=module)
        cdk = read_cdk(path, module, line_of=Positions(module, source).line)
    return IndexedFile(path, text, summary, cdk, source=source if kept else None)
