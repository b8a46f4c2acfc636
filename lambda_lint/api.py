"""The pipeline, end to end: discover -> index -> link -> check -> filter.

This module only orchestrates: each stage lives in its own module and hands plain data
to the next. `lint()` is what the CLI, the language server and the test harness call.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from lambda_lint.check_context import CheckContext
from lambda_lint.config import Settings
from lambda_lint.descriptors import read_cdk, read_descriptor
from lambda_lint.descriptors.model import DescriptorSet
from lambda_lint.discover import Project, discover
from lambda_lint.engine import InternalError, check_module
from lambda_lint.finding import Finding, Position
from lambda_lint.index import ModuleSummary, summarize
from lambda_lint.model.project import ProjectModel
from lambda_lint.positions import Positions
from lambda_lint.registry import RuleSet
from lambda_lint.rule import Rule
from lambda_lint.source import ParseProblem, decode, parse
from lambda_lint.suppress import Noqa, noqa_comments, skip_file, suppresses

PARSE_ERROR = "LL001"
UNUSED_NOQA = "LL002"
HANDLER_NOT_FOUND = "LL103"


@dataclass
class ParsedFile:
    path: Path
    text: str
    module: cst.Module
    positions: Positions
    summary: ModuleSummary


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    #: the text of every file with findings, by displayed path
    sources: dict[str, str] = field(default_factory=dict)
    internal_errors: list[InternalError] = field(default_factory=list)
    models: list[ProjectModel] = field(default_factory=list)


class Display:
    """Paths as findings show them: relative to the working directory when inside it."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd.resolve()

    def __call__(self, path: Path) -> str:
        try:
            return path.relative_to(self.cwd).as_posix()
        except ValueError:
            return str(path)


def _read(path: Path, overrides: Mapping[Path, str]) -> str | ParseProblem:
    if path in overrides:
        return overrides[path]
    try:
        data = path.read_bytes()
    except OSError as error:
        return ParseProblem(f"cannot read: {error.strerror or error}")
    return decode(data)


def _problem_finding(display: str, problem: ParseProblem) -> Finding:
    start = Position(problem.line, problem.column)
    return Finding(PARSE_ERROR, problem.message, display, start, start, noqa_line=None)


class Linter:
    """One configured run: settings, the enabled rules, and where paths are shown from."""

    def __init__(
        self,
        settings: Settings,
        ruleset: RuleSet,
        enabled: Iterable[str],
        cwd: Path | None = None,
    ) -> None:
        self.settings = settings
        self.ruleset = ruleset
        self.enabled = set(enabled)
        self.display = Display(cwd or Path.cwd())
        self.rule_classes: list[type[Rule]] = [
            ruleset.rules[code] for code in sorted(self.enabled) if code in ruleset.rules
        ]

    # -- stages ---------------------------------------------------------------------------

    def _index(
        self, project: Project, overrides: Mapping[Path, str], result: LintResult
    ) -> tuple[dict[Path, ParsedFile], dict[Path, str]]:
        parsed: dict[Path, ParsedFile] = {}
        texts: dict[Path, str] = {}
        for path in project.python_files:
            text = _read(path, overrides)
            if isinstance(text, str):
                texts[path] = text
                module = parse(text)
            else:
                module = text
            if isinstance(module, ParseProblem):
                if path in project.requested:
                    display = self.display(path)
                    result.findings.append(_problem_finding(display, module))
                    if isinstance(text, str):
                        result.sources[display] = text
                continue
            positions = Positions(module)
            parsed[path] = ParsedFile(path, text, module, positions, summarize(str(path), module, positions))  # type: ignore[arg-type]
        return parsed, texts

    def _descriptors(
        self, project: Project, parsed: Mapping[Path, ParsedFile], overrides: Mapping[Path, str]
    ) -> DescriptorSet:
        found = DescriptorSet()
        for path in project.descriptor_files:
            try:
                text = overrides.get(path) or path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                found.problems.append(_descriptor_problem(path, f"cannot read: {error}"))
                continue
            found.extend(read_descriptor(path, text))
        for path, item in parsed.items():
            if any(i.module.split(".")[0] == "aws_cdk" for i in item.summary.imports):
                found.extend(read_cdk(path, item.module))
        return found

    def _check(
        self, item: ParsedFile, model: ProjectModel, result: LintResult
    ) -> tuple[list[Finding], set[str]]:
        """The findings of the enabled rules on one file, and the codes of rules that
        failed on it."""
        context = CheckContext(
            item.path, self.display, item.module, item.positions, model, self.settings
        )
        errors = check_module(context, self.rule_classes)
        result.internal_errors.extend(errors)
        return context.findings, {error.code for error in errors}

    # -- the run ----------------------------------------------------------------------------

    def lint(
        self, paths: Iterable[Path], overrides: Mapping[Path, str] | None = None
    ) -> LintResult:
        """Lint the paths. `overrides` maps files to text that replaces what is on disk
        (standard input, an editor's unsaved buffer)."""
        overrides = {p.resolve(): t for p, t in (overrides or {}).items()}
        result = LintResult()
        for project in discover(list(paths), self.settings):
            for path in overrides:
                if path in project.requested and path not in project.python_files:
                    project.python_files.append(path)
            self._lint_project(project, overrides, result)
        result.findings = _deduplicate(result.findings)
        return result

    def _lint_project(
        self, project: Project, overrides: Mapping[Path, str], result: LintResult
    ) -> None:
        parsed, texts = self._index(project, overrides, result)
        descriptors = self._descriptors(project, parsed, overrides)
        modules = {path: item.summary for path, item in parsed.items()}
        model = ProjectModel(project.root, modules, descriptors.functions, self.settings)
        result.models.append(model)
        for problem in descriptors.problems:
            if problem.file.resolve() in project.requested:
                display = self.display(problem.file)
                result.findings.append(
                    _problem_finding(display, ParseProblem(problem.message, problem.line))
                )
        self._unresolved_handlers(model, project, result)
        for path in sorted(project.requested):
            item = parsed.get(path)
            if item is None or skip_file(item.text):
                continue
            findings, failed = self._check(item, model, result)
            findings = self._filter(path, item.text, findings, failed)
            if findings:
                result.sources[self.display(path)] = item.text
            result.findings.extend(findings)
        for path in project.requested:
            if path in texts and self.display(path) not in result.sources:
                if any(f.path == self.display(path) for f in result.findings):
                    result.sources[self.display(path)] = texts[path]

    def _unresolved_handlers(
        self, model: ProjectModel, project: Project, result: LintResult
    ) -> None:
        if HANDLER_NOT_FOUND not in self.enabled:
            return
        for unresolved in model.unresolved:
            source_file = unresolved.source.file.resolve()
            if source_file not in project.requested and source_file != model.settings.path:
                continue
            display = self.display(source_file)
            start = Position(unresolved.source.line, 0)
            text = _safe_text(source_file)
            line_text = text.splitlines()[start.line - 1] if text and start.line <= len(text.splitlines()) else ""
            column = max(0, line_text.find(unresolved.handler))
            start = Position(unresolved.source.line, column)
            end = Position(start.line, column + len(unresolved.handler))
            message = f"handler '{unresolved.handler}' cannot be loaded: {unresolved.reason}"
            finding = Finding(HANDLER_NOT_FOUND, message, display, start, end, noqa_line=start.line)
            if not _descriptor_line_suppresses(line_text, HANDLER_NOT_FOUND):
                result.findings.append(finding)
                if text is not None:
                    result.sources[display] = text

    def _filter(
        self, path: Path, text: str, findings: list[Finding], failed: set[str]
    ) -> list[Finding]:
        """Apply per-file-ignores and `# noqa`, and add LL002 for unused suppressions."""
        ignored = self._per_file_ignores(path)
        noqas = noqa_comments(text)
        kept = []
        for finding in findings:
            if any(finding.code.startswith(prefix) for prefix in ignored):
                continue
            if suppresses(noqas.get(finding.noqa_line or finding.start.line), finding.code):
                continue
            kept.append(finding)
        if UNUSED_NOQA in self.enabled and not any(UNUSED_NOQA.startswith(p) for p in ignored):
            kept.extend(self._unused_noqa(path, noqas.values(), failed))
        return kept

    def _unused_noqa(self, path: Path, noqas: Iterable[Noqa], failed: set[str]) -> list[Finding]:
        unused_findings = []
        for noqa in noqas:
            if noqa.codes is None:
                continue  # a bare noqa is shared with other linters: not ours to judge
            unused = [
                c for c in noqa.codes
                if c in self.enabled and c not in noqa.used and c != UNUSED_NOQA
                and c not in failed
            ]
            if unused:
                message = f"unused `noqa` directive for {', '.join(unused)}"
                unused_findings.append(
                    Finding(
                        UNUSED_NOQA,
                        message,
                        self.display(path),
                        Position(noqa.line, noqa.column),
                        Position(noqa.line, noqa.end_column),
                        noqa_line=None,
                    )
                )
        return unused_findings

    def _per_file_ignores(self, path: Path) -> list[str]:
        base = self.settings.root or self.display.cwd
        try:
            relative = path.relative_to(base).as_posix()
        except ValueError:
            relative = path.as_posix()
        codes: list[str] = []
        for pattern, selected in self.settings.per_file_ignores.items():
            if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(path.name, pattern):
                codes.extend(selected)
        return codes


def _descriptor_line_suppresses(line: str, code: str) -> bool:
    """Descriptors (YAML, TOML, HCL) carry `# noqa: LL103` comments too."""
    from lambda_lint.suppress import NOQA

    match = NOQA.search(line)
    if match is None:
        return False
    codes = match.group("codes")
    return codes is None or code in codes.upper()


def _safe_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _descriptor_problem(path: Path, message: str):  # noqa: ANN202
    from lambda_lint.descriptors.model import DescriptorProblem

    return DescriptorProblem(path, 1, message)


def _deduplicate(findings: list[Finding]) -> list[Finding]:
    seen = set()
    unique = []
    for finding in sorted(findings, key=Finding.sort_key):
        key = (finding.path, finding.start, finding.end, finding.code, finding.message)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique


def display_cwd() -> Path:
    return Path(os.getcwd())
