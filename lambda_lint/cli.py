"""The `lambda-lint` command line. Exit status: 0 clean, 1 findings, 2 usage, config or
internal error (Ruff's convention)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import click

from lambda_lint import __version__
from lambda_lint.check_run import EXIT_CLEAN, CheckRequest, fail, load_run, reads_stdin, run_check
from lambda_lint.coldstart.command import coldstart
from lambda_lint.collector import tune_thresholds
from lambda_lint.config import OUTPUT_FORMATS
from lambda_lint.session import ALLOW_LOCAL_PLUGINS_ENV


def allow_local_plugins_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--allow-local-plugins",
        is_flag=True,
        help=(
            "Let the project's configuration import its `plugins` and choose `cache-dir` "
            f"(also: {ALLOW_LOCAL_PLUGINS_ENV}=1). Off by default: checking a repository "
            "does not run its code."
        ),
    )(command)


def config_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--config", type=click.Path(path_type=Path), help="Use this configuration file."
    )(command)


class _Warnings(logging.Handler):
    """The library's warnings (a path skipped) on standard error, each once per run."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message not in self.seen:
            self.seen.add(message)
            click.echo(f"lambda-lint: warning: {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="lambda-lint")
def main() -> None:
    """A static linter for AWS Lambda functions written in Python."""
    tune_thresholds()
    library = logging.getLogger("lambda_lint")
    library.handlers = [h for h in library.handlers if not isinstance(h, _Warnings)]
    library.addHandler(_Warnings())
    library.propagate = False


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--fix", is_flag=True, help="Apply fixes to resolve findings (safe fixes only).")
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="Include fixes that may change behaviour: shown as available, applied with --fix.",
)
@click.option("--show-fixes", is_flag=True, help="List the fixes that were applied.")
@click.option(
    "--diff",
    is_flag=True,
    help="Print the fixes as a diff instead of writing them; exit 1 if there is a diff.",
)
@click.option(
    "-w", "--watch", is_flag=True, help="Lint again whenever a file of the project changes."
)
@click.option(
    "--output-format",
    type=click.Choice(OUTPUT_FORMATS),
    envvar="LAMBDA_LINT_OUTPUT_FORMAT",
    help="How findings are printed (default: full).",
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="LAMBDA_LINT_OUTPUT_FILE",
    help="Write the report to this file instead of standard output.",
)
@click.option("--statistics", is_flag=True, help="Show a count per rule instead of the findings.")
@click.option("--add-noqa", is_flag=True, help="Add `# noqa` comments to the lines with findings.")
@click.option("--show-files", is_flag=True, help="List the files that would be checked.")
@click.option(
    "--show-settings",
    is_flag=True,
    help="Show the project roots, descriptors, settings and rules a run would use.",
)
@click.option(
    "--select",
    multiple=True,
    metavar="RULE_CODE",
    help="Comma-separated rule codes or prefixes to enable (or ALL).",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="RULE_CODE",
    help="Comma-separated rule codes or prefixes to disable.",
)
@click.option(
    "--extend-select",
    multiple=True,
    metavar="RULE_CODE",
    help="Like --select, but adds to the rules already selected.",
)
@click.option(
    "--force-exclude", is_flag=True, help="Apply exclusions to paths named on the command line too."
)
@click.option(
    "-n",
    "--no-cache",
    is_flag=True,
    envvar="LAMBDA_LINT_NO_CACHE",
    help="Do not read or write the result cache.",
)
@click.option(
    "--stdin-filename",
    metavar="PATH",
    help="The name of the file when standard input is linted (path `-`).",
)
@click.option(
    "-e", "--exit-zero", is_flag=True, help="Exit with status 0, even when there are findings."
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    metavar="N",
    help="Worker processes (default: one per CPU).",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Show the project roots, descriptors, cache use and timings on standard error.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print findings, but nothing else.")
@config_option
@allow_local_plugins_option
def check(paths: tuple[Path, ...], watch: bool, **options: Any) -> None:
    """Lint PATHS: files or folders, `-` for standard input (default: the current folder)."""
    request = CheckRequest(paths=paths, **options)
    conflicts = [
        name
        for name, used in (("--fix", request.fix), ("--diff", request.diff), ("--watch", watch))
        if used and request.add_noqa
    ]
    if conflicts:
        fail(f"--add-noqa cannot be used with {', '.join(conflicts)}")
    stdin = reads_stdin(request)
    if watch:
        if stdin:
            fail("--watch cannot read standard input")
        sys.exit(watch_check(request))
    sys.exit(run_check(request, sys.stdin.read() if stdin else None))


def watch_check(request: CheckRequest) -> int:
    """`check --watch`: lint, then lint again on every change, until interrupted."""
    from lambda_lint.discover import discover
    from lambda_lint.terminal import use_color
    from lambda_lint.watch import Snapshot, watch

    paths = request.paths or (Path("."),)
    settings, _ = load_run(paths, request.config, request.allow_local_plugins)
    roots = [project.root for project in discover(paths, settings)]
    if settings.path is not None:
        roots.append(settings.path)
    snapshot = Snapshot(roots, settings)

    def lint() -> None:
        with contextlib.suppress(SystemExit):  # an error now; the next change may fix it
            run_check(request)
        click.echo("Watching for file changes.", err=True)

    def wait(seconds: float) -> bool:
        time.sleep(seconds)
        return False  # until interrupted

    def announce(changes: list[Path]) -> None:
        if use_color(sys.stdout):
            click.clear()
        click.echo(f"File change detected: {', '.join(map(str, changes[:3]))}", err=True)

    with contextlib.suppress(KeyboardInterrupt):
        watch(snapshot, lint, wait, announce)
    return EXIT_CLEAN


@main.command()
@click.option("--output-format", type=click.Choice(["table", "json"]), default="table")
@config_option
@allow_local_plugins_option
def rules(output_format: str, config: Path | None, allow_local_plugins: bool) -> None:
    """List every rule: built-in and from plugins."""
    _, ruleset = load_run([Path.cwd()], config, allow_local_plugins)
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
@config_option
@allow_local_plugins_option
def rule(code: str, config: Path | None, allow_local_plugins: bool) -> None:
    """Show the documentation of one rule (by code or name)."""
    _, ruleset = load_run([Path.cwd()], config, allow_local_plugins)
    found = ruleset.rules.get(code.upper()) or next(
        (r for r in ruleset.rules.values() if r.name == code), None
    )
    if found is None:
        fail(f"unknown rule '{code}' (see `lambda-lint rules`)")
    default = "on by default" if found.default_enabled else "off by default: enable with --select"
    click.echo(f"# {found.code} ({found.name})\n")
    click.echo(f"{found.summary}\n")
    click.echo(f"Origin: {found.origin}. {default.capitalize()}. Fix: {found.fixable}.\n")
    click.echo(found.documentation())


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--output-format", type=click.Choice(["table", "json"]), default="table")
@config_option
@allow_local_plugins_option
def handlers(
    paths: tuple[Path, ...], output_format: str, config: Path | None, allow_local_plugins: bool
) -> None:
    """Show the handlers found in PATHS: where, why, and with which triggers."""
    from lambda_lint.api import Linter
    from lambda_lint.handlers_report import handler_rows, render_handler_table, unchecked_rows

    paths = paths or (Path("."),)
    settings, ruleset = load_run(paths, config, allow_local_plugins)
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
@config_option
@allow_local_plugins_option
def clean(config: Path | None, allow_local_plugins: bool) -> None:
    """Remove the result cache: every entry, of every lambda-lint version."""
    from lambda_lint.cache import Cache, default_cache_dir

    settings, _ = load_run([Path.cwd()], config, allow_local_plugins)
    folder = settings.cache_dir or default_cache_dir()
    try:
        removed = Cache(folder).clear() if folder.is_dir() else 0
    except OSError as error:
        fail(f"{folder}: cannot remove the cache: {error.strerror or error}")
    click.echo(f"Removed {removed:,} cache file{'s' if removed != 1 else ''} from {folder}")


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
        fail("the language server needs pygls: pip install 'lambda-lint[lsp]'")
    run_server(debounce_ms / 1000)


main.add_command(coldstart)


def run() -> None:
    """The `lambda-lint` console command: `main`, then an exit that skips the
    interpreter's teardown. A run leaves millions of objects (summaries, the project
    model, decoded cache entries) that CPython would free one by one on the way out:
    after a one-file edit in a project of 400 files, that was 0.24 of the run's 1.39 s
    (the median of eleven runs). Nothing is lost: the report and the cache are written
    before `main` returns, and the worker pools are shut down by then. An exception
    propagates as usual, with its traceback."""
    try:
        main()
        status = 0
    except SystemExit as exit_:
        if not isinstance(exit_.code, (int, type(None))):
            raise  # a message to print: the interpreter's own exit says it
        status = exit_.code or 0
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe, a closed stream
            stream.flush()
    logging.shutdown()
    os._exit(status)


if __name__ == "__main__":  # pragma: no cover
    run()
