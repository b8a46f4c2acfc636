"""What every output format renders: the findings of a run and what they refer to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lambda_lint.finding import Finding
from lambda_lint.rule import BaseRule


@dataclass(frozen=True)
class ReportInput:
    findings: Sequence[Finding]
    #: every rule that can appear, by code (built-in and plugin)
    rules: Mapping[str, type[BaseRule]]
    #: the text of each reported file, by `Finding.path`, for source excerpts and hashes
    sources: Mapping[str, str] = field(default_factory=dict)
    #: the folder paths in the report are relative to
    cwd: Path = field(default_factory=Path.cwd)
    color: bool = False
    #: fixes that `--fix` applied, to be mentioned in the summary
    fixed: int = 0
    #: `--unsafe-fixes`: unsafe fixes count as available (`[*]`), not as hidden
    unsafe_fixes: bool = False
    #: whether the human formats end with the summary (`--quiet` leaves it out)
    summary: bool = True
