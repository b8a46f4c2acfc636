"""The `sarif` format: one SARIF 2.1.0 log, as GitHub code scanning and other viewers read it.

The log has one run. Its `tool.driver.rules` hold the metadata of every rule that has at
least one result (sorted by code; `ruleIndex` points into that list). Each result carries:

- `locations[0]`: the flagged span, with the path relative to the working directory
  (forward slashes, percent-encoded, `uriBaseId: "%SRCROOT%"`; `run.originalUriBaseIds`
  maps `%SRCROOT%` to the working directory as a `file:` URI). Rows and columns are
  1-based, the same numbers the `json` format prints. Columns count Unicode code points,
  as libcst does, so the run says `columnKind: "unicodeCodePoints"` (SARIF 2.1.0
  §3.14.17; the default would be UTF-16 code units).
- `relatedLocations`: every `Finding.related` step, numbered from 0 by `id`.
- `codeFlows`: when related steps lie in Python files, they are an interprocedural
  chain (handler -> helper -> ...). They become one thread flow, those steps in order and
  then the flagged span, so viewers can walk the chain. Steps in other files (a line of a
  deployment descriptor) are related locations only.
- `fixes`: the finding's fix as one artifact change whose replacements are its edits.
- `partialFingerprints.primaryLocationLineHash`: see below.

Fingerprints
------------
Code scanning matches a result with the alerts of earlier runs through its
`partialFingerprints`; a fingerprint that moves with the line number would close and
reopen an alert every time someone adds a line above it. lambda-lint therefore hashes the
*content* of the flagged line, never its number (scheme `v1`):

1. the context is the source line the finding starts on, with all whitespace removed
   (so re-indenting does not change it); when the source is unknown, the message;
2. `digest` = the first 16 hex digits of SHA-256 over
   `"v1" NUL code NUL path NUL context`, where `path` is the relative, forward-slash
   path shown in the report;
3. `occurrence` = 1 + the number of findings with the same code, path and context that
   start earlier in the file (by line, then column), so two findings on identical lines
   differ, and the pair keeps its numbers when both lines move;
4. the fingerprint is `f"{digest}:{occurrence}"`, the shape `github/codeql-action` uses
   for the same key.

The `gitlab` format derives its fingerprints from the same values.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lambda_lint import __version__
from lambda_lint.finding import Finding, Position, RelatedLocation
from lambda_lint.report.input import ReportInput
from lambda_lint.report.text import display_path
from lambda_lint.rule import BaseRule

#: the `$schema` the log names: the OASIS schema (its own `id`) for SARIF 2.1.0 Errata 01
SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_VERSION = "2.1.0"
TOOL_NAME = "lambda-lint"
INFORMATION_URI = "https://github.com/lambda-lint/lambda-lint"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "primaryLocationLineHash"
FINGERPRINT_VERSION = "v1"

#: files whose related steps form a code flow (a chain through Python code)
_PYTHON_SUFFIXES = (".py", ".pyi")
#: line breaks as Python (and libcst) count lines; `str.splitlines` knows more of them
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


# -- paths -----------------------------------------------------------------------------


def report_path(path: str, run: ReportInput) -> str:
    """The path as the report shows it (see `display_path`), with forward slashes."""
    shown = display_path(path, run)
    return shown.replace(os.sep, "/") if os.sep != "/" else shown


def artifact_location(path: str, run: ReportInput) -> dict[str, Any]:
    """A SARIF `artifactLocation` for `path`: relative to `%SRCROOT%` when possible."""
    shown = display_path(path, run)
    if os.path.isabs(shown):  # outside the working directory's drive: no relative form
        return {"uri": Path(shown).as_uri()}
    # the name's own bytes, percent-encoded: a name that is not UTF-8 is still a URI
    return {"uri": quote(os.fsencode(report_path(path, run)), safe="/"), "uriBaseId": SRCROOT}


def _srcroot_uri(run: ReportInput) -> str:
    # A base URI must end with "/", or resolving "app.py" against it drops its last
    # segment (RFC 3986 §5.2.3).
    uri = Path(os.path.abspath(run.cwd)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


# -- fingerprints ----------------------------------------------------------------------


def _source_line(run: ReportInput, path: str, line: int) -> str | None:
    text = run.sources.get(path)
    if text is None:
        return None
    lines = _LINE_BREAK.split(text)
    return lines[line - 1] if 1 <= line <= len(lines) else None


def _context(finding: Finding, run: ReportInput) -> str:
    line = _source_line(run, finding.path, finding.start.line)
    return "".join(line.split()) if line is not None else finding.message


def fingerprint_parts(run: ReportInput) -> list[tuple[str, int]]:
    """`(digest, occurrence)` of every finding, in `run.findings` order (scheme above)."""
    keyed: list[tuple[str, Finding]] = []
    for finding in run.findings:
        material = "\0".join(
            (
                FINGERPRINT_VERSION,
                finding.code,
                report_path(finding.path, run),
                _context(finding, run),
            )
        )
        digest = hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        keyed.append((digest, finding))
    order = sorted(range(len(keyed)), key=lambda i: keyed[i][1].sort_key())
    seen: dict[str, int] = defaultdict(int)
    occurrence = [0] * len(keyed)
    for index in order:
        digest = keyed[index][0]
        seen[digest] += 1
        occurrence[index] = seen[digest]
    return [(digest, occurrence[i]) for i, (digest, _) in enumerate(keyed)]


def fingerprints(run: ReportInput) -> list[str]:
    """The `primaryLocationLineHash` of every finding, in `run.findings` order."""
    return [f"{digest}:{occurrence}" for digest, occurrence in fingerprint_parts(run)]


# -- SARIF objects -----------------------------------------------------------------------


def level(severity: str) -> str:
    """The SARIF `level` of a rule severity ("error" or "warning")."""
    return "warning" if severity == "warning" else "error"


def _region(start: Position, end: Position | None = None) -> dict[str, int]:
    region = {"startLine": start.line, "startColumn": start.column + 1}
    if end is not None:
        region["endLine"] = end.line
        region["endColumn"] = end.column + 1
    return region


def _physical(
    path: str, run: ReportInput, start: Position, end: Position | None = None
) -> dict[str, Any]:
    return {"artifactLocation": artifact_location(path, run), "region": _region(start, end)}


def rule_descriptor(code: str, rule: type[BaseRule] | None) -> dict[str, Any]:
    """The `reportingDescriptor` of a rule (a bare one for a code no rule claims)."""
    if rule is None:
        return {"id": code, "shortDescription": {"text": code}}
    summary = rule.summary or rule.name or code
    documentation = rule.documentation() or summary
    descriptor: dict[str, Any] = {
        "id": code,
        "name": rule.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": documentation},
        "help": {"text": documentation, "markdown": documentation},
        "defaultConfiguration": {"level": level(rule.severity), "enabled": rule.default_enabled},
        "properties": {
            "name": rule.name,
            "origin": rule.origin,
            "fixable": rule.fixable,
            "tags": ["aws-lambda"],
        },
    }
    url = rule.url()
    if url is not None:
        descriptor["helpUri"] = url
    return descriptor


def _related(steps: tuple[RelatedLocation, ...], run: ReportInput) -> list[dict[str, Any]]:
    return [
        {
            "id": number,
            "physicalLocation": _physical(step.path, run, step.start),
            "message": {"text": step.message},
        }
        for number, step in enumerate(steps)
    ]


def _code_flow(finding: Finding, run: ReportInput) -> dict[str, Any] | None:
    steps = [step for step in finding.related if step.path.endswith(_PYTHON_SUFFIXES)]
    if not steps:
        return None
    locations = [
        {
            "location": {
                "physicalLocation": _physical(step.path, run, step.start),
                "message": {"text": step.message},
            },
            "nestingLevel": depth,
            "executionOrder": depth + 1,
        }
        for depth, step in enumerate(steps)
    ]
    locations.append(
        {
            "location": {
                "physicalLocation": _physical(finding.path, run, finding.start, finding.end),
                "message": {"text": finding.message},
            },
            "nestingLevel": len(steps),
            "executionOrder": len(steps) + 1,
            "importance": "essential",
        }
    )
    return {"threadFlows": [{"locations": locations}]}


def _fix(finding: Finding, run: ReportInput) -> dict[str, Any] | None:
    if finding.fix is None or not finding.fix.edits:
        return None
    return {
        "description": {"text": finding.fix.message},
        "artifactChanges": [
            {
                "artifactLocation": artifact_location(finding.path, run),
                "replacements": [
                    {
                        "deletedRegion": _region(edit.start, edit.end),
                        "insertedContent": {"text": edit.content},
                    }
                    for edit in finding.fix.edits
                ],
            }
        ],
        "properties": {"applicability": finding.fix.applicability},
    }


def sarif_log(run: ReportInput) -> dict[str, Any]:
    """The SARIF log of a run, as a JSON-ready dict."""
    codes = sorted({finding.code for finding in run.findings})
    rule_index = {code: index for index, code in enumerate(codes)}
    results = []
    for finding, fingerprint in zip(run.findings, fingerprints(run)):
        rule = run.rules.get(finding.code)
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "ruleIndex": rule_index[finding.code],
            "level": level(rule.severity if rule else "error"),
            "message": {"text": finding.message},
            "locations": [
                {"physicalLocation": _physical(finding.path, run, finding.start, finding.end)}
            ],
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        }
        if finding.related:
            result["relatedLocations"] = _related(finding.related, run)
            flow = _code_flow(finding, run)
            if flow is not None:
                result["codeFlows"] = [flow]
        fix = _fix(finding, run)
        if fix is not None:
            result["fixes"] = [fix]
        results.append(result)
    return {
        "$schema": SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [rule_descriptor(code, run.rules.get(code)) for code in codes],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": _srcroot_uri(run)}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def render(run: ReportInput) -> str:
    """The `sarif` format."""
    return json.dumps(sarif_log(run), indent=2) + "\n"
