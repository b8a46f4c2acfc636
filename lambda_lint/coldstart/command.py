"""`lambda-lint coldstart`: each handler's INIT import tree with its cost."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from lambda_lint.coldstart.report import HandlerTree
    from lambda_lint.model.project import Handler, ProjectModel

FORMATS = ("tree", "json", "html")


def handler_name(handler: Handler, model: ProjectModel) -> str:
    """`module.function`, as a handler string names it."""
    root = next(iter(model.init_imports(handler.key)))
    return f"{root.name}.{handler.qualname}"


def _matches(wanted: str, handler: Handler, name: str, display: str) -> bool:
    return wanted in (handler.qualname, name, f"{display}:{handler.qualname}")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--handler",
    "wanted",
    multiple=True,
    help="Only this handler: `function`, `module.function` or `path.py:function` (repeatable).",
)
@click.option("--output-format", type=click.Choice(FORMATS), default="tree", show_default=True)
@click.option(
    "--output", "-o", type=click.Path(path_type=Path), help="Write to this file, not to stdout."
)
@click.option(
    "--min-ms",
    type=click.FloatRange(min=0),
    help="tree: fold modules cheaper than this (default: 1% of the handler's total).",
)
@click.option(
    "--measure",
    is_flag=True,
    help="Replace the estimates with `python -X importtime` figures: IMPORTS YOUR HANDLER "
    "MODULES AND THEIR DEPENDENCIES (running their module-level code) in a subprocess of "
    "your interpreter, from each handler's code root.",
)
@click.option(
    "--python",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The interpreter --measure runs (default: the one running lambda-lint).",
)
@click.option("--config", type=click.Path(path_type=Path), help="Use this configuration file.")
def coldstart(
    paths: tuple[Path, ...],
    wanted: tuple[str, ...],
    output_format: str,
    output: Path | None,
    min_ms: float | None,
    measure: bool,
    python: Path | None,
    config: Path | None,
) -> None:
    """Show each handler's INIT imports in PATHS as a tree, with estimated costs."""
    from lambda_lint.api import Linter
    from lambda_lint.check_run import fail, load_run
    from lambda_lint.coldstart.costs import table_metadata
    from lambda_lint.coldstart.estimate import cold_start_model
    from lambda_lint.coldstart.options import ColdStartOptions
    from lambda_lint.coldstart.report import HandlerTree, provenance_note, report_data

    paths = paths or (Path("."),)
    settings, ruleset = load_run(paths, config)
    options = ColdStartOptions.from_rule_options(settings.rule_options)
    linter = Linter(settings, ruleset, enabled=())
    result = linter.lint(paths)
    trees: list[HandlerTree] = []
    found: list[str] = []
    for model in result.models:
        costs = cold_start_model(model)
        for handler in sorted(model.handlers.values(), key=lambda h: (str(h.file), h.line)):
            name = handler_name(handler, model)
            found.append(name)
            if wanted and not any(
                _matches(w, handler, name, linter.display(handler.file)) for w in wanted
            ):
                continue
            line = getattr(model.function(handler.key), "line", handler.line)
            item = HandlerTree(
                name, handler.file, line, costs.tree(handler), "estimate", options.budget_ms
            )
            if measure:
                _measure(item, model, handler, python)
            trees.append(item)
    if wanted and not trees:
        listed = ", ".join(found) or "none"
        fail(f"no handler matches {', '.join(wanted)} (handlers found: {listed})")
    data = report_data(trees, linter.display, table_metadata())
    if output_format == "json":
        text = json.dumps(data, indent=2) + "\n"
    elif output_format == "html":
        from lambda_lint.coldstart.render_html import render_html

        text = render_html(data, options.heavy_ms, provenance_note(data))
    else:
        from lambda_lint.coldstart.render_text import TreeRenderer

        color = output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        text = TreeRenderer(color, options.heavy_ms, min_ms).render(data)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


def _measure(item: HandlerTree, model: ProjectModel, handler: Handler, python: Path | None) -> None:
    """Replace the estimate with a measurement, or record why it failed."""
    from lambda_lint.coldstart.costs import runtime_modules
    from lambda_lint.coldstart.measure import measure

    root = next(iter(model.init_imports(handler.key)))
    code_root = handler.file.parents[root.name.count(".")]

    def is_project(module: str) -> bool:
        return model.resolver.resolve_module(module, handler.file) is not None

    outcome = measure(
        str(python or sys.executable), root.name, code_root, runtime_modules(), is_project
    )
    if outcome.tree is None:
        item.problem = outcome.problem
    else:
        item.tree = outcome.tree
        item.source = "measured"
