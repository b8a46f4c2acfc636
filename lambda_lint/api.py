"""The pipeline, end to end: discover -> index -> link -> check -> filter.

This module only orchestrates: each stage lives in its own module and hands plain data
to the next. `Linter.lint()` is what the CLI, the language server and the test harness
call. The index summarises every file from CPython's `ast` tree and keeps no tree; the
check parses each file it checks with libcst and lets the tree go; in a large project
both run in forked worker processes. The whole result of
a project is cached by the content of its files (see `lambda_lint.cache`), and so is
each file's, by its text and its model slice (see `lambda_lint.slices`): after an edit,
only the files whose slice changed are parsed and checked again.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path
from typing import NamedTuple, Optional

from lambda_lint import __version__
from lambda_lint.cache import (
    Cache,
    code_digest,
    digest,
    file_digest,
)
from lambda_lint.check_context import CheckContext
from lambda_lint.collector import collected_after
from lambda_lint.config import Settings
from lambda_lint.descriptors import read_descriptor, read_terraform_dir
from lambda_lint.descriptors.model import DescriptorProblem, DescriptorSet
from lambda_lint.discover import Project, discover, is_python
from lambda_lint.engine import InternalError, check_module, check_project, walks_file
from lambda_lint.finding import Finding, Position
from lambda_lint.index import ModuleSummary
from lambda_lint.index_files import IndexedFile, index_file
from lambda_lint.model.project import ProjectModel
from lambda_lint.path_order import sorted_paths
from lambda_lint.positions import Positions
from lambda_lint.project_context import ProjectContext
from lambda_lint.read_files import KEPT_FILES, KeptSources, read_source
from lambda_lint.reads import note_read, noting_reads
from lambda_lint.registry import RuleSet
from lambda_lint.rule import BaseRule
from lambda_lint.slices import Slices
from lambda_lint.source import ParseProblem, SourceFile
from lambda_lint.suppress import FindingFilter, skip_file

PARSE_ERROR = "LL001"
#: below this many files, worker processes cost more than they save
PARALLEL_THRESHOLD = 64
#: at most this many files checked (an edit to a few): the parameter seeds of each are
#: propagated through the files upstream of it alone, not through the whole project
FEW_CHECKED = 16
#: what CPython warns of a string literal with an escape it does not know (`"\\d"`)
INVALID_ESCAPE = r"invalid .*escape sequence"
#: what the cache holds for a file, and for a whole project
SummaryEntry = tuple[ModuleSummary, Optional[DescriptorSet]]
ResultEntry = tuple[list[Finding], dict[str, str], list[str]]


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    #: the text of every file with findings, by displayed path
    sources: dict[str, str] = field(default_factory=dict)
    internal_errors: list[InternalError] = field(default_factory=list)
    #: what the user should know that is not a finding (a file skipped, and why)
    warnings: list[str] = field(default_factory=list)
    models: list[ProjectModel] = field(default_factory=list)
    #: the projects the paths belong to: roots, the files read, the files reported on
    projects: list[Project] = field(default_factory=list)
    #: the files the run read beyond the projects' own (an OpenAPI document a template
    #: names)
    inputs: set[str] = field(default_factory=set)


class Display:
    """Paths as findings show them: relative to the working directory when inside it."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd.resolve()

    def __call__(self, path: Path) -> str:
        try:
            return path.relative_to(self.cwd).as_posix()
        except ValueError:
            return str(path)


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
        cache: Cache | None = None,
        jobs: int | None = None,
        sources: KeptSources | None = None,
    ) -> None:
        self.settings = settings
        self.ruleset = ruleset
        self.enabled = set(enabled)
        self.display = Display(cwd or Path.cwd())
        self.cache = cache
        self.jobs = jobs if jobs is not None else (os.cpu_count() or 1)
        #: reads the project's Python files (from memory, with `sources`, when unchanged)
        self.read = sources.read if sources is not None else read_source
        #: what such a process keeps of the files it summarises and checks again
        self.kept = sources
        self.rule_classes: list[type[BaseRule]] = [
            ruleset.rules[code] for code in sorted(self.enabled) if code in ruleset.rules
        ]
        self.filter = FindingFilter(settings, self.enabled, self.display)

    @cached_property
    def code_stamp(self) -> str:
        """lambda-lint's version, its installation and the Python running it, part of
        every cache key (an edited rule, model or index module makes the entries it
        could change a miss, and what one Python cannot parse another may); only asked
        of a linter with a cache."""
        assert self.cache is not None
        return digest(__version__, sys.version, self.cache.installation())

    # -- the run ----------------------------------------------------------------------------

    def lint(
        self,
        paths: Iterable[Path],
        overrides: Mapping[Path, str] | None = None,
        projects: list[Project] | None = None,
    ) -> LintResult:
        """Lint the paths. `overrides` maps files to text that replaces what is on disk
        (standard input, an editor's unsaved buffer); `projects`, when given, are the
        projects `discover` found for the paths with these settings (a caller that
        looked already)."""
        overrides = {p.resolve(): t for p, t in (overrides or {}).items()}
        result = LintResult()
        if projects is None:
            projects = discover(list(paths), self.settings)
        for project in projects:
            result.projects.append(project)
            for path in overrides:
                if (
                    path in project.requested
                    and is_python(path)
                    and path not in project.python_files
                ):
                    project.python_files.append(path)
            with warnings.catch_warnings():
                # CPython warns of invalid escapes in the project's strings when a rule
                # asks for their value: that is the project's to hear from CPython, not
                # lambda-lint's to print
                for category in (SyntaxWarning, DeprecationWarning):
                    warnings.filterwarnings("ignore", INVALID_ESCAPE, category)
                self._lint_project(project, overrides, result)
        result.findings = _deduplicate(result.findings)
        return result

    def _lint_project(
        self, project: Project, overrides: Mapping[Path, str], result: LintResult
    ) -> None:
        texts: dict[Path, str | ParseProblem] = {}
        contents: dict[Path, str] = {}
        for path in project.python_files:
            texts[path], contents[path] = self.read(path, overrides)
        descriptor_texts = {
            path: _descriptor_text(path, overrides) for path in project.descriptor_files
        }
        run_key = self._run_key(project, descriptor_texts)
        key = _project_key(run_key, project.requested, contents) if run_key else None
        cached = self._cached_result(key) if key else None
        if cached is not None:
            (findings, sources, skipped), inputs = cached
            result.inputs.update(inputs)
            result.findings.extend(findings)
            result.sources.update(sources)
            result.warnings.extend(skipped)
            return
        before = len(result.findings), dict(result.sources), len(result.warnings)
        with noting_reads() as extra_inputs:
            indexed = self._index(texts, contents)
            model = self._link(project, indexed, descriptor_texts, result, run_key)
            slices = None
            if run_key and self.cache is not None:
                inputs = sorted(f"{p}:{file_digest(p)}" for p in extra_inputs)
                slices = Slices(model, contents, digest(run_key, *inputs), self.cache)
            project_rules = partial(
                self._check_project, project, model, indexed, descriptor_texts, slices
            )
            self._check(project, indexed, model, project_rules, result, slices)
        inputs = sorted(str(p) for p in extra_inputs)
        result.inputs.update(inputs)
        if self.cache and key and not result.internal_errors:
            findings = result.findings[before[0] :]
            sources = {k: v for k, v in result.sources.items() if k not in before[1]}
            skipped = result.warnings[before[2] :]
            entry = (findings, sources, skipped)
            self.cache.put_with_inputs("result", key, entry, ResultEntry, inputs)

    def _cached_result(self, key: str) -> tuple[ResultEntry, list[str]] | None:
        """The result stored for `key` (findings, the texts they are shown with, and the
        warnings: files skipped as this Python cannot read them) and the files the run
        read beyond the discovered ones (recorded with it), if those are unchanged too."""
        assert self.cache is not None
        return self.cache.get_with_inputs("result", key, ResultEntry)  # type: ignore[no-any-return]

    def _run_key(
        self, project: Project, descriptor_texts: Mapping[Path, str | DescriptorProblem]
    ) -> str | None:
        """The digest of everything a project's result depends on besides the content
        of its Python files and which of them are reported on; None without a cache.
        It keys, through the model slices, what the run keeps file by file and
        handler by handler, which does not depend on the files reported on: a run over
        a few files (pre-commit, an editor) reuses what a run over the whole project
        kept, and the other way round."""
        if self.cache is None:
            return None
        rules = sorted(
            f"{code}:{rule.origin}:{rule.__module__}:{code_digest(rule)}"
            for code, rule in self.ruleset.rules.items()
        )
        parts: list[bytes | str] = [
            self.code_stamp,
            str(self.display.cwd),
            str(project.root),
            ",".join(rules),
            ",".join(sorted(self.enabled)),
            *(f"{p}:{file_digest(p)}" for p in self.settings.input_files()),
            *(f"{p}:{file_digest(p)}" for p in sorted_paths(project.examined)),
        ]
        for path in sorted_paths(descriptor_texts):
            text = descriptor_texts[path]
            parts += [str(path), text if isinstance(text, str) else text.message]
        return digest(*parts)

    # -- index ------------------------------------------------------------------------------

    def _index(
        self, texts: Mapping[Path, str | ParseProblem], contents: Mapping[Path, str]
    ) -> dict[Path, IndexedFile]:
        """Each file's summary: from the cache (keyed by the digest of its content), or
        computed."""
        indexed: dict[Path, IndexedFile] = {}
        pending: list[Path] = []
        keys: dict[Path, tuple[str, ...]] = {}
        for path, text in texts.items():
            cached = None
            if self.cache is not None:
                keys[path] = (self.code_stamp, str(path), contents[path])
                cached = self.cache.get("summary", keys[path], SummaryEntry)
            if cached is not None:
                summary, cdk = cached
                indexed[path] = IndexedFile(
                    path, text if isinstance(text, str) else None, summary, cdk
                )
            else:
                pending.append(path)
        if self._parallel(len(pending)):
            from lambda_lint.parallel import map_in_workers

            results = map_in_workers(
                lambda i: index_file(pending[i], texts[pending[i]]), len(pending), self.jobs
            )
        else:
            # a process that lints again and again summarises few files anew (the
            # edited ones), with what it kept of their functions, and checks them in the
            # same run: their `ast` trees are kept for it
            kept = self.kept if len(pending) <= KEPT_FILES else None
            functions = kept.functions if kept else None
            results = [index_file(p, texts[p], functions) for p in pending]
        for item in results:
            indexed[item.path] = item
            if self.cache is not None and item.summary is not None:
                self.cache.put("summary", keys[item.path], (item.summary, item.cdk), SummaryEntry)
        return indexed

    def _parallel(self, count: int) -> bool:
        if self.jobs <= 1 or count < PARALLEL_THRESHOLD:
            return False  # without importing multiprocessing (a hundredth of a second)
        from lambda_lint.parallel import available

        return available()

    # -- link -------------------------------------------------------------------------------

    def _link(
        self,
        project: Project,
        indexed: Mapping[Path, IndexedFile],
        descriptor_texts: Mapping[Path, str | DescriptorProblem],
        result: LintResult,
        run_key: str | None = None,
    ) -> ProjectModel:
        """The project model. A process that lints again and again keeps its handler
        table between runs (see `KeptHandlerTable`), under `run_key` and what the model
        reads of the modules."""
        descriptors = self._read_descriptors(descriptor_texts)
        for item in indexed.values():
            if item.cdk is not None:
                descriptors.extend(item.cdk)
        modules = {path: item.summary for path, item in indexed.items() if item.summary}
        unreadable = [path for path, item in indexed.items() if item.problem is not None]
        texts = {path: item.text for path, item in indexed.items() if item.text is not None}
        kept = self.kept.model if self.kept is not None and run_key is not None else None
        model = ProjectModel(
            project.root,
            modules,
            descriptors.functions,
            self.settings,
            unreadable,
            texts,
            kept,
            run_key or "",
        )
        result.models.append(model)
        for problem in descriptors.problems:
            if problem.file.resolve() in project.requested:
                display = self.display(problem.file)
                finding = _problem_finding(display, ParseProblem(problem.message, problem.line))
                result.findings.append(finding)
        python2 = descriptors.python2_folders()
        for path, item in indexed.items():
            problem = item.problem
            if problem is None or path not in project.requested:
                continue
            if problem.python2 and _inside(path, python2):
                continue  # Python 2 where the descriptor says so: not Lambda Python 3 code
            display = self.display(path)
            if problem.needs_python is not None:
                runtime = descriptors.older_runtime(path, problem.needs_python)
                if runtime is None:
                    # valid code that this interpreter cannot read: not a finding
                    result.warnings.append(
                        f"{display}:{problem.line}: {problem.skipped()}; skipped"
                    )
                    continue
                # valid only for a newer Python than the function's runtime: Lambda fails
                message = f"{problem.message} (before Python {problem.needs}; runtime {runtime})"
                problem = replace(problem, message=message)
            result.findings.append(_problem_finding(display, problem))
            if item.text is not None:
                result.sources[display] = item.text
        return model

    def _read_descriptors(self, texts: Mapping[Path, str | DescriptorProblem]) -> DescriptorSet:
        """Every descriptor; Terraform files are read per folder (they refer to each
        other). Each reading is cached by the text it read, and by the files it read
        beyond it (an OpenAPI document a template names)."""
        found = DescriptorSet()
        terraform: dict[Path, dict[Path, str]] = {}
        for path, text in sorted(texts.items()):
            if isinstance(text, DescriptorProblem):
                found.problems.append(text)
            elif path.suffix == ".tf":
                terraform.setdefault(path.parent, {})[path] = text
            else:
                found.extend(self._cached_read({path: text}, partial(read_descriptor, path, text)))
        for folder, files in terraform.items():
            found.extend(self._cached_read(files, partial(read_terraform_dir, folder, files)))
        return found

    def _cached_read(
        self, files: Mapping[Path, str], read: Callable[[], DescriptorSet]
    ) -> DescriptorSet:
        """`read()` of one descriptor or of one folder of Terraform files, whose texts
        `files` holds, from the cache when an earlier run read the same."""
        if self.cache is None:
            return read()
        key = digest(self.code_stamp, *(f"{p}:{digest(t)}" for p, t in sorted(files.items())))
        cached = self.cache.get_with_inputs("descriptor", key, DescriptorSet)
        if cached is not None:
            for path in cached[1]:
                note_read(Path(path))
            return cached[0]  # type: ignore[no-any-return]
        with noting_reads() as noted:
            value = read()
        for path in noted:
            note_read(path)
        inputs = sorted(str(p) for p in noted)
        self.cache.put_with_inputs("descriptor", key, value, DescriptorSet, inputs)
        return value

    # -- check ------------------------------------------------------------------------------

    def _check_project(
        self,
        project: Project,
        model: ProjectModel,
        indexed: Mapping[Path, IndexedFile],
        descriptor_texts: Mapping[Path, str | DescriptorProblem],
        slices: Slices | None = None,
    ) -> _ProjectFindings:
        """What the project rules find; those in files that are not Python
        (descriptors, the configuration) are filtered here. With `slices`, rules that
        judge each handler on its own reuse what they found for the handlers nothing
        changed for (`slices.store`)."""
        texts: dict[Path, str] = {
            p.resolve(): t for p, t in descriptor_texts.items() if isinstance(t, str)
        }
        texts.update(model.texts)
        if self.settings.path is not None and self.settings.path.resolve() not in texts:
            texts[self.settings.path.resolve()] = _file_text(self.settings.path)
        stored = slices.store if slices is not None else None
        context = ProjectContext(model, self.settings, self.display, texts, stored)
        found = _ProjectFindings({}, [], {}, [])
        found.errors.extend(check_project(context, self.rule_classes, self.display(project.root)))
        requested = set(project.requested)
        if self.settings.path is not None:
            requested.add(self.settings.path.resolve())
        for path, finding in context.findings:
            if path in requested:
                found.in_python.setdefault(path, []).append(finding)
        for path in [p for p in found.in_python if p not in indexed]:
            text = texts.get(path, "")
            kept = self.filter.apply_to_text_file(path, text, found.in_python.pop(path))
            if kept:
                found.shown.extend(kept)
                found.sources[self.display(path)] = text
        return found

    def _check(
        self,
        project: Project,
        indexed: Mapping[Path, IndexedFile],
        model: ProjectModel,
        project_rules: Callable[[], _ProjectFindings],
        result: LintResult,
        slices: Slices | None = None,
    ) -> None:
        """Check the requested files and run `project_rules`; each file's findings are
        shown with those the project rules found there, through one filter (`noqa`
        comments, ignores). With `slices`, a file whose text and model slice are
        unchanged since a run stored its findings is not checked again."""
        targets = [
            indexed[path]
            for path in sorted(project.requested)
            if path in indexed
            and indexed[path].summary is not None
            and not skip_file(indexed[path].text or "")
        ]
        # a file in which no enabled rule may report is not parsed (in a real project,
        # most files no handler reaches: tests, infrastructure code, tools)
        reached = model.reached_files
        parsed = [
            item
            for item in targets
            if walks_file(self.rule_classes, item.path, item.text or "", item.path in reached)
        ]
        keys = {
            item.path: key
            for item in parsed
            if slices is not None and (key := slices.key(item.path)) is not None
        }
        outcomes: dict[Path, _Checked] = {}
        for path, key in keys.items():
            assert self.cache is not None
            cached = self.cache.get("file-result", key, list[Finding])
            if cached is not None:
                outcomes[path] = _Checked(cached, [])
        pending = [item for item in parsed if item.path not in outcomes]
        if slices is not None and len(pending) <= FEW_CHECKED:
            model.upstream = slices.upstream
        rules_found, checked = self._check_files(pending, model, project_rules)
        for item, outcome in zip(pending, checked):
            outcomes[item.path] = outcome
            if self.cache is not None and item.path in keys and outcome.cacheable:
                self.cache.put("file-result", keys[item.path], outcome.findings, list[Finding])
        result.internal_errors.extend(rules_found.errors)
        result.findings.extend(rules_found.shown)
        result.sources.update(rules_found.sources)
        for item in targets:
            outcome = outcomes.get(item.path, _Checked([], []))
            result.internal_errors.extend(outcome.errors)
            if outcome.problem is not None:
                shown = [outcome.problem]
            else:
                failed = {error.code for error in outcome.errors}
                found = [*outcome.findings, *rules_found.in_python.get(item.path, ())]
                shown = self.filter.apply(item.path, item.text or "", found, failed)
            if shown:
                result.sources[self.display(item.path)] = item.text or ""
            result.findings.extend(shown)

    def _check_files(
        self,
        pending: list[IndexedFile],
        model: ProjectModel,
        project_rules: Callable[[], _ProjectFindings],
    ) -> tuple[_ProjectFindings, list[_Checked]]:
        """What `project_rules` find, and what the check of each pending file finds.
        With workers, the first file is checked here before they start, so that the
        project-wide analyses the rules read (seeds, imported names, cold-start loads)
        are computed once and inherited, instead of in each worker, which would also
        copy every page of the model they read (at 6,400 files: 868 -> 748 MiB); the
        project rules run here while the last workers run (they were forked before, so
        what the rules build, the LL6 flows' trees and IR, is in no worker)."""

        def check(item: IndexedFile) -> _Checked:
            with collected_after():  # its syntax trees are never scanned by the collector
                return self._check_file(item, model)

        if not self._parallel(len(pending)):
            return project_rules(), [check(item) for item in pending]
        from lambda_lint.parallel import map_in_workers_while

        first = check(pending[0])
        rest = pending[1:]
        checked, found = map_in_workers_while(
            lambda i: check(rest[i]), len(rest), self.jobs, project_rules
        )
        return found, [first, *checked]

    def _check_file(self, item: IndexedFile, model: ProjectModel) -> _Checked:
        """The rules' findings in one file, before `noqa` comments and ignores are
        applied, and the rules that failed on it."""
        # the index checked the text as CPython does; the trees are built as the rules ask
        source = item.source or SourceFile.checked(item.text or "")
        module = self.kept.trees.parse(item.path, source.text) if self.kept else source.cst
        if isinstance(module, ParseProblem):
            # CPython reads the file but libcst cannot: said as the index says its problems
            return _Checked([], [], _problem_finding(self.display(item.path), module))
        positions = Positions(module, source)
        context = CheckContext(
            item.path, self.display, module, positions, model, self.settings, item.text
        )
        errors = check_module(context, self.rule_classes)
        return _Checked(context.findings, errors)


class _ProjectFindings(NamedTuple):
    """What the project rules found."""

    #: in the requested Python files, by file, before `noqa` comments and ignores
    in_python: dict[Path, list[Finding]]
    #: in the other files (descriptors, the configuration), filtered
    shown: list[Finding]
    #: the texts of those other files, by displayed path
    sources: dict[str, str]
    #: the project rules that failed
    errors: list[InternalError]


class _Checked(NamedTuple):
    """What the check of one file found."""

    #: the rules' findings, before `noqa` comments and ignores are applied
    findings: list[Finding]
    #: the rules that failed on the file
    errors: list[InternalError]
    #: why libcst could not read the file: then this is all that is shown of it
    problem: Finding | None = None

    @property
    def cacheable(self) -> bool:
        return not self.errors and self.problem is None


def _file_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _descriptor_text(path: Path, overrides: Mapping[Path, str]) -> str | DescriptorProblem:
    if path in overrides:
        return overrides[path]
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return DescriptorProblem(path, 1, f"cannot read: {error}")


def _inside(path: Path, folders: list[Path]) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(folder.resolve()) for folder in folders)


def _project_key(run_key: str, requested: Iterable[Path], contents: Mapping[Path, str]) -> str:
    """The key of a project's whole result: `run_key`, the files reported on and the
    content of every file."""
    return digest(
        run_key,
        ",".join(sorted(str(path) for path in requested)),
        *(f"{path}:{contents[path]}" for path in sorted_paths(contents)),
    )


def _deduplicate(findings: list[Finding]) -> list[Finding]:
    seen = set()
    unique = []
    for finding in sorted(findings, key=Finding.sort_key):
        key = (finding.path, finding.start, finding.end, finding.code, finding.message)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique
