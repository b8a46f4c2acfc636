"""The `github` format: GitHub Actions workflow commands, one annotation per finding.

    ::error title=LL401 (unknown-event-key),file=app.py,line=3,col=5,endLine=3,endColumn=21::...

`::error` for rules of severity "error", `::warning` for "warning". Rows and columns are
the 1-based numbers the `json` format prints. Escaping follows GitHub's workflow command
rules: in the message, `%`, CR and LF become `%25`, `%0D`, `%0A`; in property values,
`:` and `,` also become `%3A` and `%2C`. When a finding spans several lines, `col` and
`endColumn` are left out: GitHub cannot draw a column range across lines and mis-renders
(or drops) such annotations.

GitHub caps the annotations it shows: 10 errors and 10 warnings per step, 50 per job.
The commands beyond the cap still appear in the log but not on the pull request, so a
workflow with many findings should also upload the `sarif` format to code scanning or
print the `full` format in another step.
"""

from __future__ import annotations

from lambda_lint.finding import Finding
from lambda_lint.report.input import ReportInput
from lambda_lint.report.sarif import report_path


def escape_data(text: str) -> str:
    """Escape the message part of a workflow command (after `::`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value of a workflow command (`title=...`, `file=...`)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(finding: Finding, run: ReportInput) -> str:
    """The workflow command that annotates one finding."""
    rule = run.rules.get(finding.code)
    kind = "warning" if rule is not None and rule.severity == "warning" else "error"
    title = f"{finding.code} ({rule.name})" if rule is not None and rule.name else finding.code
    properties = [
        ("title", title),
        ("file", report_path(finding.path, run)),
        ("line", str(finding.start.line)),
    ]
    single_line = finding.start.line == finding.end.line
    if single_line:
        properties.append(("col", str(finding.start.column + 1)))
    properties.append(("endLine", str(finding.end.line)))
    if single_line:
        properties.append(("endColumn", str(finding.end.column + 1)))
    joined = ",".join(f"{name}={escape_property(value)}" for name, value in properties)
    return f"::{kind} {joined}::{escape_data(finding.message)}"


def render(run: ReportInput) -> str:
    """The `github` format: one line per finding, nothing for a clean run."""
    return "".join(command(finding, run) + "\n" for finding in run.findings)
