"""One `lambda-lint check` run: what to lint, linting, fixing, reporting, exit status.

The command line parses the options into a `CheckRequest`; `run_check` does the rest
and returns the exit status (Ruff's: 0 clean, 1 findings, 2 an error). Messages that
are not findings (warnings, `--verbose` notes, fix summaries) go to standard error, so
standard output carries only the report.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import click

from lambda_lint.cache import Cache
from lambda_lint.config import ConfigError, HandlerTarget, resolve_settings
from lambda_lint.finding import Finding, Position
from lambda_lint.replay import Replay
from lambda_lint.replay import prepare as prepare_replay

if TYPE_CHECKING:
    from lambda_lint.api import Linter, LintResult
    from lambda_lint.config import Settings
    from lambda_lint.discover import Project
    from lambda_lint.fix import FixOutcome
    from lambda_lint.registry import RuleSet

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
PARSE_ERROR = "LL001"
#: how standard input is named on the command line and in reports
STDIN = "-"
#: the file standard input is linted as when no `--stdin-filename` names it; reported as `-`
STDIN_FILE = Path("-.py")
#: formats read by programs: no progress line while they are written
MACHINE_FORMATS = ("json", "json-lines", "sarif", "github", "junit", "gitlab")


@dataclass(frozen=True)
class CheckRequest:
    """The options of `lambda-lint check`, parsed."""

    paths: tuple[Path, ...]
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    output_format: str | None = None
    output_file: Path | None = None
    exit_zero: bool = False
    statistics: bool = False
    config: Path | None = None
    stdin_filename: str | None = None
    no_cache: bool = False
    jobs: int | None = None
    force_exclude: bool = False
    quiet: bool = False
    verbose: bool = False
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    show_fixes: bool = False
    add_noqa: bool = False
    show_files: bool = False
    show_settings: bool = False
    allow_local_plugins: bool = False


#: the warnings printed so far (a replayed run prints those its full run printed)
_warned: list[str] = []


def warn(message: str) -> None:
    _warned.append(message)
    click.echo(f"lambda-lint: warning: {message}", err=True)


def note(request: CheckRequest, message: str) -> None:
    """A `--verbose` line on standard error."""
    if request.verbose:
        click.echo(f"lambda-lint: {message}", err=True)


def fail(message: str) -> NoReturn:
    click.echo(f"lambda-lint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def load_run(
    paths: Sequence[Path], config: Path | None, allow_local_plugins: bool = False
) -> tuple[Settings, RuleSet]:
    """Settings and rules for a run; exits with status 2 on a config or plugin error.
    Settings left out for want of consent are named in warnings."""
    from lambda_lint.session import ConfigurationError, configure

    try:
        configuration = configure(resolve_settings(list(paths), config), allow_local_plugins)
    except (ConfigError, ConfigurationError) as error:
        fail(str(error))
    for message in configuration.warnings:
        warn(message)
    return configuration.settings, configuration.ruleset


def reads_stdin(request: CheckRequest) -> bool:
    """Whether the run lints standard input: a path `-`, or `--stdin-filename` (which,
    as in Ruff, wins over the other paths named)."""
    return request.stdin_filename is not None or STDIN in map(str, request.paths)


class Run:
    """The state of one run, built from a request and standard input."""

    def __init__(self, request: CheckRequest, stdin_text: str | None) -> None:
        self.request = request
        self.overrides: dict[Path, str] = {}
        self.stdin_path: Path | None = None
        paths = list(request.paths) or [Path(".")]
        if reads_stdin(request):
            for path in paths:
                if str(path) != STDIN:
                    warn(f"Ignoring file {path} in favor of standard input.")
            self.stdin_path = Path(request.stdin_filename) if request.stdin_filename else STDIN_FILE
            self.overrides[self.stdin_path] = stdin_text or ""
            paths = [self.stdin_path]
        self.missing = [p for p in paths if p not in self.overrides and not p.exists()]
        self.paths = tuple(p for p in paths if p not in self.missing)
        start = time.monotonic()
        self.settings, self.ruleset = load_run(
            self.paths or (Path("."),), request.config, request.allow_local_plugins
        )
        note(request, f"configuration: {self.settings.path or 'none found (defaults)'}")
        note(request, f"loaded {len(self.ruleset.rules)} rules in {time.monotonic() - start:.2f}s")
        self.enabled = self._enabled()
        if request.force_exclude:
            from lambda_lint.discover import Excluder

            excluder = Excluder(self.settings)
            self.paths = tuple(
                p
                for p in self.paths
                if p in self.overrides or not excluder.excluded_path(p.resolve())
            )

    def _enabled(self) -> set[str]:
        request, settings = self.request, self.settings
        select, ignore = _split(request.select), _split(request.ignore)
        extend = _split(request.extend_select)
        unknown = self.ruleset.unknown_selectors([*select, *ignore, *extend])
        if unknown:
            fail(f"unknown rule code or prefix: {', '.join(unknown)}")
        return self.ruleset.select(
            select or settings.select,
            (*settings.extend_select, *extend),
            (*settings.ignore, *ignore),
        )

    def linter(self) -> Linter:
        from lambda_lint.api import Linter

        cache = None
        if not self.request.no_cache and self.stdin_path is None:
            from lambda_lint.cache import default_cache_dir

            cache = CountingCache(self.settings.cache_dir or default_cache_dir())
        return Linter(
            self.settings, self.ruleset, self.enabled, cache=cache, jobs=self.request.jobs
        )

    def projects(self) -> list[Project]:
        from lambda_lint.discover import discover

        return discover(self.paths, self.settings) if self.paths else []


def _split(values: Sequence[str]) -> tuple[str, ...]:
    """`--select LL1,LL3 --select LL5` -> ("LL1", "LL3", "LL5")."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


class CountingCache(Cache):
    """The result cache, counting hits and misses for `--verbose`."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.hits = 0
        self.misses = 0

    def get(self, kind: str, key: str, hint: Any) -> Any | None:
        value = super().get(kind, key, hint)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value


# -- the run ------------------------------------------------------------------------------


def run_check(request: CheckRequest, stdin_text: str | None = None) -> int:
    """Run `check` once; the exit status. A plain run whose inputs are all as a run
    before found them prints the report stored then (see `lambda_lint.replay`)."""
    replay = _replay(request)
    stored = replay.stored() if replay is not None else None
    if replay is not None and stored is not None:
        for message in stored[2]:
            warn(message)
        if request.output_file is not None:
            _write_report(request.output_file, stored[0])
        else:
            click.echo(stored[0], nl=False, color=replay.color)
        replay.cache.prune()
        return stored[1]
    warned = len(_warned)
    run = Run(request, stdin_text)
    if request.show_settings:
        click.echo(show_settings(run), nl=False)
        return EXIT_CLEAN
    if request.show_files:
        for path in sorted({f for project in run.projects() for f in project.requested}):
            click.echo(str(path))
        return EXIT_CLEAN
    if not run.paths and not run.missing:
        return EXIT_CLEAN  # every path named was excluded (`--force-exclude`)
    linter = run.linter()
    start = time.monotonic()
    fmt = request.output_format or run.settings.output_format or "full"
    wanted = fmt not in MACHINE_FORMATS and not request.statistics
    from lambda_lint.terminal import Progress, progress_wanted

    with Progress("Checking", wanted and progress_wanted(sys.stderr)):
        projects = replay.projects if replay is not None else None
        result = linter.lint(run.paths, run.overrides, projects) if run.paths else _empty()
    _verbose_summary(run, linter, result, time.monotonic() - start)
    for message in result.warnings:
        warn(message)
    findings = _missing_paths(run, linter) + result.findings
    result.findings = sorted(findings, key=Finding.sort_key)
    if run.stdin_path == STDIN_FILE:
        _show_stdin_as_dash(result, linter.display(STDIN_FILE.resolve()))
    if not run.missing and not any(project.requested for project in result.projects):
        warn("No Python files found under the given path(s)")
    if request.add_noqa:
        return _add_noqa(run, linter, result)
    if request.diff:
        return _diff(run, linter, result)
    fixed, report_stream = 0, None
    if request.fix:
        fixed, result = _fix(run, linter, result)
        if run.stdin_path is not None:
            report_stream = sys.stderr
    status, text = _report(run, result, fmt, fixed, report_stream)
    if replay is not None and status != EXIT_ERROR:
        replay.store(text, status, _warned[warned:], sorted(result.inputs))
    if linter.cache is not None:
        linter.cache.prune()
    return status


def _replay(request: CheckRequest) -> Replay | None:
    """The replay of a plain run (see `lambda_lint.replay`): no fixing, no standard
    input, every path present. An output file gets the stored report (a report written
    into the project, `-o report.json`, is among the files the key covers when
    discovery reads it: the run after the one that first wrote it is the one stored)."""
    if (
        request.no_cache
        or request.fix
        or request.diff
        or request.add_noqa
        or request.show_files
        or request.show_settings
        or request.verbose
        or request.force_exclude
        or reads_stdin(request)
        or not all(path.exists() for path in request.paths)
    ):
        return None
    return prepare_replay(list(request.paths) or [Path(".")], request.config, repr(request))


def _empty() -> LintResult:
    from lambda_lint.api import LintResult

    return LintResult()


def _missing_paths(run: Run, linter: Linter) -> list[Finding]:
    """A path that does not exist is an LL001 finding (a warning when LL001 is off),
    as Ruff reports E902; the other paths are still linted."""
    findings = []
    for path in run.missing:
        reason = "No such file or directory"
        if PARSE_ERROR in run.enabled:
            start = Position(1, 0)
            shown = linter.display(path.resolve()) if path.is_absolute() else str(path)
            findings.append(Finding(PARSE_ERROR, f"cannot read: {reason}", shown, start, start))
        else:
            warn(f"Failed to lint {path}: {reason}")
    return findings


def _show_stdin_as_dash(result: LintResult, shown: str) -> None:
    """Standard input without `--stdin-filename` is reported as `-`, as Ruff does."""
    result.findings = [replace(f, path=STDIN) if f.path == shown else f for f in result.findings]
    if shown in result.sources:
        result.sources[STDIN] = result.sources.pop(shown)


def _verbose_summary(run: Run, linter: Linter, result: LintResult, seconds: float) -> None:
    request = run.request
    if not request.verbose:
        return
    for project in result.projects:
        shown = [linter.display(p) for p in project.descriptor_files]
        note(request, f"project root: {project.root}")
        note(request, f"  descriptors: {', '.join(shown) or 'none'}")
        note(
            request,
            f"  {len(project.python_files)} Python files read, {len(project.requested)} files reported on",
        )
    cache = linter.cache
    if isinstance(cache, CountingCache):
        note(request, f"cache {cache.folder}: {cache.hits} hits, {cache.misses} misses")
    else:
        note(request, "cache: off")
    note(request, f"checked in {seconds:.2f}s")


def _add_noqa(run: Run, linter: Linter, result: LintResult) -> int:
    from lambda_lint.add_noqa import add_noqa

    def resolve(shown: str) -> Path:
        path = Path(shown)
        return path if path.is_absolute() else linter.display.cwd / path

    outcome = add_noqa(result.findings, resolve)
    for problem in outcome.problems:
        warn(problem)
    if outcome.added and not run.request.quiet:
        count = outcome.added
        click.echo(f"Added {count} noqa directive{'s' if count != 1 else ''}.", err=True)
    return EXIT_CLEAN


def _apply(run: Run, linter: Linter, result: LintResult, write: bool) -> FixOutcome:
    from lambda_lint.fix import apply_fixes

    outcome = apply_fixes(
        linter,
        run.paths,
        result,
        unsafe=run.request.unsafe_fixes,
        write=write,
        overrides=run.overrides,
    )
    for problem in outcome.problems:
        warn(problem)
    return outcome


def _diff(run: Run, linter: Linter, result: LintResult) -> int:
    """`--diff`: print what `--fix` would change, write nothing; 1 when there is a diff."""
    from lambda_lint.report import ReportInput
    from lambda_lint.report.text import fix_hint

    outcome = _apply(run, linter, result, write=False)
    click.echo(outcome.diff, nl=False)
    if outcome.fixed:
        count = outcome.fixed
        click.echo(f"\nWould fix {count} error{'s' if count != 1 else ''}.")
    else:
        report = ReportInput(
            result.findings, run.ruleset.rules, unsafe_fixes=run.request.unsafe_fixes
        )
        hint = fix_hint(report) or ""
        if "(" in hint:  # fixes hidden behind --unsafe-fixes
            click.echo(f"No errors would be fixed {hint[hint.index('(') :]}")
    return EXIT_FINDINGS if outcome.diff else EXIT_CLEAN


def _fix(run: Run, linter: Linter, result: LintResult) -> tuple[int, LintResult]:
    """`--fix`: write the fixes; how many were applied, and the findings left."""
    outcome = _apply(run, linter, result, write=True)
    request = run.request
    if request.show_fixes:
        for line in outcome.applied:
            click.echo(line, err=True)
    if run.stdin_path is not None:
        # standard input fixed: the code goes to stdout, the findings to stderr (Ruff)
        target = run.stdin_path.resolve()
        click.echo(outcome.texts.get(target, run.overrides[run.stdin_path]), nl=False)
    return outcome.fixed, outcome.result


def _report(
    run: Run, result: LintResult, fmt: str, fixed: int, stream: TextIO | None
) -> tuple[int, str]:
    """Print the report; the exit status and the report's text."""
    from lambda_lint.report import ReportInput, formats
    from lambda_lint.report.text import render_statistics, render_statistics_json
    from lambda_lint.terminal import use_color

    request = run.request
    target = stream or sys.stdout
    color = request.output_file is None and use_color(target)
    report = ReportInput(
        result.findings,
        run.ruleset.rules,
        result.sources,
        Path.cwd(),
        color,
        fixed,
        unsafe_fixes=request.unsafe_fixes,
        summary=not request.quiet,
    )
    if request.statistics:
        text = (render_statistics_json if fmt == "json" else render_statistics)(report)
    else:
        text = formats()[fmt](report)
    if request.output_file is not None:
        _write_report(request.output_file, text)
    else:
        click.echo(text, nl=False, file=target, color=color)
    for error in result.internal_errors:
        click.echo(
            f"lambda-lint: internal error: rule {error.code} failed on {error.path}: {error.message}",
            err=True,
        )
    if result.internal_errors:
        return EXIT_ERROR, text
    if result.findings and not request.exit_zero:
        return EXIT_FINDINGS, text
    return EXIT_CLEAN, text


def _write_report(path: Path, text: str) -> None:
    try:
        if path.parent != Path():
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        fail(f"{path}: cannot write the report: {error.strerror or error}")


# -- show-settings ------------------------------------------------------------------------


def show_settings(run: Run) -> str:
    """`--show-settings`: the projects, configuration and rules a run would use."""
    settings: Settings = run.settings
    ruleset: RuleSet = run.ruleset
    lines = [f"Configuration file: {settings.path or 'none (defaults)'}"]
    for project in run.projects():
        lines.append(f"Project root: {project.root}")
        descriptors = [str(p) for p in project.descriptor_files]
        lines.append("  Descriptors:" + ("" if descriptors else " none"))
        lines.extend(f"    {path}" for path in descriptors)
        lines.append(f"  Python files: {len(project.python_files)}")
    lines.append("Settings:")
    for name in (
        "select",
        "extend_select",
        "ignore",
        "per_file_ignores",
        "exclude",
        "extend_exclude",
        "output_format",
        "handler_names",
        "handlers",
        "plugins",
        "cache_dir",
        "client_constructors",
        "templates",
        "events",
    ):
        lines.append(f"  {name.replace('_', '-')} = {_setting(getattr(settings, name))}")
    from lambda_lint.cache import default_cache_dir

    lines.append(f"Cache folder: {settings.cache_dir or default_cache_dir()}")
    lines.append(f"Enabled rules ({len(run.enabled)}):")
    lines.extend(
        f"  {code} {ruleset.rules[code].name} ({ruleset.rules[code].origin})"
        for code in sorted(run.enabled)
    )
    return "\n".join(lines) + "\n"


def _setting(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_setting(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_setting(v)}" for k, v in value.items()) + "}"
    if isinstance(value, HandlerTarget):
        return value.target + (f" ({value.trigger})" if value.trigger else "")
    return "none" if value is None else str(value)


__all__ = ["EXIT_CLEAN", "EXIT_ERROR", "EXIT_FINDINGS", "CheckRequest", "fail", "run_check"]
