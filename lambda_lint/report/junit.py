"""The `junit` format: JUnit XML in the Ant/Jenkins shape that CI test reporters read.

    <testsuites name="lambda-lint" tests="2" failures="2" errors="0">
      <testsuite name="app.py" tests="2" failures="2" errors="0" skipped="0">
        <testcase name="LL401: app.py:3:5" classname="app.py" file="app.py" line="3">
          <failure message="..." type="LL401">app.py:3:5: LL401 ...</failure>
        </testcase>
        ...

One `<testsuite>` per file with findings (in report order), one failing `<testcase>` per
finding. A clean run is one passing test case, "No errors found", so a consumer that
insists on at least one test still accepts it. There is no formal JUnit schema; this
follows the attributes GitLab, Jenkins and the GitHub test-report actions read.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from lambda_lint.finding import Finding
from lambda_lint.report.input import ReportInput
from lambda_lint.report.sarif import TOOL_NAME, report_path

#: characters XML 1.0 cannot carry at all, not even as character references
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """`text` with characters XML 1.0 forbids replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _location(finding: Finding, run: ReportInput) -> str:
    return f"{report_path(finding.path, run)}:{finding.start.line}:{finding.start.column + 1}"


def _failure_text(finding: Finding, run: ReportInput) -> str:
    lines = [f"{_location(finding, run)}: {finding.code} {finding.message}"]
    for step in finding.related:
        where = f"{report_path(step.path, run)}:{step.start.line}:{step.start.column + 1}"
        lines.append(f"  = note: {where}: {step.message}")
    return _xml_text("\n".join(lines))


def _counts(element: ET.Element, tests: int, failures: int) -> None:
    element.set("tests", str(tests))
    element.set("failures", str(failures))
    element.set("errors", "0")


def junit_tree(run: ReportInput) -> ET.Element:
    """The `<testsuites>` element of a run."""
    root = ET.Element("testsuites", name=TOOL_NAME)
    _counts(root, max(1, len(run.findings)), len(run.findings))
    if not run.findings:
        suite = ET.SubElement(root, "testsuite", name=TOOL_NAME)
        _counts(suite, 1, 0)
        suite.set("skipped", "0")
        ET.SubElement(suite, "testcase", name="No errors found", classname=TOOL_NAME)
        return root
    by_file: dict[str, list[Finding]] = {}
    for finding in run.findings:
        by_file.setdefault(report_path(finding.path, run), []).append(finding)
    for path, findings in by_file.items():
        suite = ET.SubElement(root, "testsuite", name=_xml_text(path))
        _counts(suite, len(findings), len(findings))
        suite.set("skipped", "0")
        for finding in findings:
            case = ET.SubElement(
                suite,
                "testcase",
                name=_xml_text(f"{finding.code}: {_location(finding, run)}"),
                classname=_xml_text(path),
                file=_xml_text(path),
                line=str(finding.start.line),
            )
            failure = ET.SubElement(
                case, "failure", message=_xml_text(finding.message), type=finding.code
            )
            failure.text = _failure_text(finding, run)
    return root


def render(run: ReportInput) -> str:
    """The `junit` format."""
    root = junit_tree(run)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
