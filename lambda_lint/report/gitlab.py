"""The `gitlab` format: a GitLab Code Quality report (a subset of the Code Climate format).

    [{"description": "LL401: ...", "check_name": "LL401", "fingerprint": "...",
      "severity": "major", "location": {"path": "app.py", "lines": {"begin": 3, "end": 3}}}]

Severity "error" maps to `major`, "warning" to `minor`. `location.path` is relative to the
working directory (run from the repository root, as GitLab expects) with forward slashes.

GitLab tells issues apart, and compares a merge request with its target branch, by
`fingerprint`; two issues with one fingerprint show as one. The fingerprint is the first
32 hex digits of SHA-256 over the `sarif` format's `(digest, occurrence)` pair (see
`lambda_lint.report.sarif`): it depends on the rule, the path and the text of the flagged
line, not on its number, and the occurrence counter keeps it unique within a report.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from lambda_lint.report.input import ReportInput
from lambda_lint.report.sarif import fingerprint_parts, report_path
from lambda_lint.report.text import portable_path


def fingerprint(digest: str, occurrence: int) -> str:
    """A Code Quality fingerprint from the shared `(digest, occurrence)` pair."""
    return hashlib.sha256(f"{digest}:{occurrence}".encode("ascii")).hexdigest()[:32]


def issues(run: ReportInput) -> list[dict[str, Any]]:
    """The Code Quality issues of a run, in report order."""
    out = []
    for finding, (digest, occurrence) in zip(run.findings, fingerprint_parts(run)):
        rule = run.rules.get(finding.code)
        out.append(
            {
                "type": "issue",
                "description": f"{finding.code}: {finding.message}",
                "check_name": finding.code,
                "fingerprint": fingerprint(digest, occurrence),
                "severity": "minor" if rule is not None and rule.severity == "warning" else "major",
                "location": {
                    "path": portable_path(report_path(finding.path, run)),
                    "lines": {"begin": finding.start.line, "end": finding.end.line},
                },
            }
        )
    return out


def render(run: ReportInput) -> str:
    """The `gitlab` format."""
    return json.dumps(issues(run), indent=2) + "\n"
