"""The `lambda-lint` command line. Exit status: 0 clean, 1 findings, 2 usage, config or
internal error (Ruff's convention)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import click

from lambda_lint import __version__
from lambda_lint.config import OUTPUT_FORMATS, ConfigError, Settings, resolve_settings
from lambda_lint.registry import RuleSet
from lambda_lint.session import ConfigurationError, configure

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _fail(message: str) -> None:
    click.echo(f"lambda-lint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _split(values: Sequence[str]) -> tuple[str, ...]:
    """`--select LL1,LL3 --select LL5` -> ("LL1", "LL3", "LL5")."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def load_run(paths: Sequence[Path], config: Path | None) -> tuple[Settings, RuleSet]:
    """Settings and rules for a run; exits with status 2 on a config or plugin error."""
    try:
        configuration = configure(resolve_settings(list(paths), config))
    except (ConfigError, ConfigurationError) as error:
        _fail(str(error))
    return configuration.settings, configuration.ruleset


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="lambda-lint")
def main() -> None:
    """A static linter for AWS Lambda functions written in Python."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--select", multiple=True, help="Rule codes or prefixes to enable (replaces the config's)."
)
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable.")
@click.option(
    "--extend-select", multiple=True, help="Rule codes or prefixes to enable in addition."
)
@click.option(
    "--output-format", type=click.Choice(OUTPUT_FORMATS), help="How findings are printed."
)
@click.option("--exit-zero", is_flag=True, help="Exit with status 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Show a count per rule instead of the findings.")
@click.option("--config", type=click.Path(path_type=Path), help="Use this configuration file.")
@click.option("--stdin-filename", help="Lint standard input, reported as this file.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: one per CPU)."
)
@click.option(
    "--force-exclude", is_flag=True, help="Apply `exclude` settings to files named explicitly too."
)
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary.")
@click.option("--fix", is_flag=True, help="Apply safe fixes.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that may change behaviour.")
@click.option("--diff", is_flag=True, help="Show the fixes as a diff; write nothing.")
@click.option("--show-fixes", is_flag=True, help="List the fixes that were applied.")
def check(
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    output_format: str | None,
    exit_zero: bool,
    statistics: bool,
    config: Path | None,
    stdin_filename: str | None,
    no_cache: bool,
    jobs: int | None,
    force_exclude: bool,
    quiet: bool,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    show_fixes: bool,
) -> None:
    """Lint PATHS (default: the current folder)."""
    from lambda_lint.api import Linter
    from lambda_lint.report import ReportInput, formats
    from lambda_lint.report.text import render_statistics

    overrides: dict[Path, str] = {}
    if stdin_filename:
        target = Path(stdin_filename)
        overrides[target] = sys.stdin.read()
        paths = (target,)
    paths = paths or (Path("."),)
    for path in paths:
        if not path.exists() and path not in overrides:
            _fail(f"{path}: no such file or folder")
    settings, ruleset = load_run(paths, config)
    cli_selectors = [*_split(select), *_split(ignore), *_split(extend_select)]
    unknown = ruleset.unknown_selectors(cli_selectors)
    if unknown:
        _fail(f"unknown rule code or prefix: {', '.join(unknown)}")
    enabled = ruleset.select(
        _split(select) or settings.select,
        (*settings.extend_select, *_split(extend_select)),
        (*settings.ignore, *_split(ignore)),
    )
    if force_exclude:
        from lambda_lint.discover import Excluder

        excluder = Excluder(settings)
        paths = tuple(p for p in paths if not excluder.excluded_path(p.resolve()))
        if not paths:
            sys.exit(EXIT_CLEAN)
    cache = None
    if not no_cache and not stdin_filename:
        from lambda_lint.cache import Cache, default_cache_dir

        cache = Cache(settings.cache_dir or default_cache_dir())
    linter = Linter(settings, ruleset, enabled, cache=cache, jobs=jobs)
    result = linter.lint(paths, overrides)

    fixed = 0
    report_to_stderr = False
    if fix or diff or unsafe_fixes:
        from lambda_lint.fix import apply_fixes

        outcome = apply_fixes(
            linter,
            paths,
            result,
            unsafe=unsafe_fixes,
            write=not diff and (fix or unsafe_fixes),
            overrides=overrides,
        )
        for problem in outcome.problems:
            click.echo(f"lambda-lint: warning: {problem}", err=True)
        if diff:
            click.echo(outcome.diff, nl=False)
            sys.exit(EXIT_FINDINGS if outcome.diff else EXIT_CLEAN)
        fixed = outcome.fixed
        if show_fixes and outcome.applied:
            for line in outcome.applied:
                click.echo(line, err=True)
        result = outcome.result
        if stdin_filename:
            # standard input fixed: the code goes to stdout, the findings to stderr (Ruff)
            target = Path(stdin_filename)
            click.echo(outcome.texts.get(target.resolve(), overrides[target]), nl=False)
            report_to_stderr = True

    fmt = output_format or settings.output_format or "full"
    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    run = ReportInput(result.findings, ruleset.rules, result.sources, Path.cwd(), color, fixed)
    if statistics:
        click.echo(render_statistics(run), nl=False, err=report_to_stderr)
    else:
        text = formats()[fmt](run)
        if quiet and fmt in ("full", "concise"):
            text = _without_summary(text)
        click.echo(text, nl=False, err=report_to_stderr)
    for error in result.internal_errors:
        click.echo(
            f"lambda-lint: internal error: rule {error.code} failed on {error.path}: {error.message}",
            err=True,
        )
    if result.internal_errors:
        sys.exit(EXIT_ERROR)
    if result.findings and not exit_zero:
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_CLEAN)


def _without_summary(text: str) -> str:
    lines = text.rstrip("\n").split("\n")
    while lines and (
        lines[-1].startswith(("Found ", "[*] ", "Fixed ", "All checks passed"))
        or "hidden fixes" in lines[-1]
    ):
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


@main.command()
@click.option("--output-format", type=click.Choice(["table", "json"]), default="table")
@click.option("--config", type=click.Path(path_type=Path), help="Use this configuration file.")
def rules(output_format: str, config: Path | None) -> None:
    """List every rule: built-in and from plugins."""
    _, ruleset = load_run([Path.cwd()], config)
    if output_format == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "code": rule.code,
                        "name": rule.name,
                        "summary": rule.summary,
                        "default_enabled": rule.default_enabled,
                        "fixable": rule.fixable,
                        "origin": rule.origin,
                        "url": rule.url(),
                    }
                    for rule in ruleset.rules.values()
                ],
                indent=2,
            )
        )
        return
    rows = [
        (r.code, r.name, "on" if r.default_enabled else "off", r.fixable, r.origin, r.summary)
        for r in ruleset.rules.values()
    ]
    header = ("code", "name", "default", "fix", "origin", "summary")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(5)]
    for row in [header, *rows]:
        cells = [str(cell).ljust(width) for cell, width in zip(row, widths)]
        click.echo("  ".join([*cells, row[5]]).rstrip())


@main.command()
@click.argument("code")
@click.option("--config", type=click.Path(path_type=Path), help="Use this configuration file.")
def rule(code: str, config: Path | None) -> None:
    """Show the documentation of one rule (by code or name)."""
    _, ruleset = load_run([Path.cwd()], config)
    found = ruleset.rules.get(code.upper()) or next(
        (r for r in ruleset.rules.values() if r.name == code), None
    )
    if found is None:
        _fail(f"unknown rule '{code}' (see `lambda-lint rules`)")
    default = "on by default" if found.default_enabled else "off by default: enable with --select"
    click.echo(f"# {found.code} ({found.name})\n")
    click.echo(f"{found.summary}\n")
    click.echo(f"Origin: {found.origin}. {default.capitalize()}. Fix: {found.fixable}.\n")
    click.echo(found.documentation())


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--output-format", type=click.Choice(["table", "json"]), default="table")
@click.option("--config", type=click.Path(path_type=Path), help="Use this configuration file.")
def handlers(paths: tuple[Path, ...], output_format: str, config: Path | None) -> None:
    """Show the handlers found in PATHS: where, why, and with which triggers."""
    from lambda_lint.api import Linter
    from lambda_lint.handlers_report import handler_rows, render_handler_table, unchecked_rows

    paths = paths or (Path("."),)
    settings, ruleset = load_run(paths, config)
    linter = Linter(replace(settings), ruleset, enabled=())
    result = linter.lint(paths)
    rows = [row for model in result.models for row in handler_rows(model, linter.display)]
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
    else:
        unchecked = [
            row for model in result.models for row in unchecked_rows(model, linter.display)
        ]
        click.echo(render_handler_table(rows, unchecked), nl=False)


@main.command()
@click.option(
    "--debounce-ms",
    type=click.IntRange(min=0),
    default=300,
    show_default=True,
    help="How long to wait after an edit before linting.",
)
def server(debounce_ms: int) -> None:
    """Run the language server (LSP) on standard input and output, for editors."""
    try:
        from lambda_lint.lsp import run_server
    except ImportError as error:
        if (error.name or "").split(".")[0] not in ("pygls", "lsprotocol"):
            raise
        _fail("the language server needs pygls: pip install 'lambda-lint[lsp]'")
    run_server(debounce_ms / 1000)


if __name__ == "__main__":  # pragma: no cover
    main()
