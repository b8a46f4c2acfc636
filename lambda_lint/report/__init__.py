"""Output formats. Each renders a finished, sorted list of findings to text.

A reporter is a function `render(run: ReportInput) -> str`; `FORMATS` maps the
`--output-format` names to them.
"""

from __future__ import annotations

from typing import Callable

from lambda_lint.report.input import ReportInput

Renderer = Callable[[ReportInput], str]


def formats() -> dict[str, Renderer]:
    """The output formats by name (imported lazily: most runs use only one)."""
    from lambda_lint.report import github, gitlab, junit, sarif, text

    return {
        "full": text.render_full,
        "concise": text.render_concise,
        "json": text.render_json,
        "json-lines": text.render_json_lines,
        "sarif": sarif.render,
        "github": github.render,
        "junit": junit.render,
        "gitlab": gitlab.render,
    }


FORMAT_NAMES = ("full", "concise", "json", "json-lines", "sarif", "github", "junit", "gitlab")

__all__ = ["FORMAT_NAMES", "Renderer", "ReportInput", "formats"]
