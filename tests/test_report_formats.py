"""The CI output formats (`sarif`, `github`, `junit`, `gitlab`) against the `json` format."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin
from urllib.request import url2pathname

import jsonschema
import pytest

import lambda_lint
from lambda_lint.finding import Edit, Finding, Fix, Position, RelatedLocation
from lambda_lint.report import FORMAT_NAMES, ReportInput, formats, github, gitlab, junit, sarif
from lambda_lint.report.text import render_json
from lambda_lint.rule import Rule

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


# -- rules -----------------------------------------------------------------------------


class UnknownEventKey(Rule):
    """Reports a key the handler's trigger never puts in the event.

    ## Why
    `event["Records"][0]["s3"]["bucket"]["nme"]` raises `KeyError` on every invocation.

    ## Fix
    Use the key the event has (`name`).
    """

    code = "LL401"
    name = "unknown-event-key"
    summary = "Event key that the trigger never sends"


class ClientPerInvocation(Rule):
    """Reports an SDK client built on every invocation instead of once at INIT."""

    code = "LL301"
    name = "client-per-invocation"
    summary = "SDK client created per invocation"
    severity = "warning"
    fixable = "safe"


class AcmeNoPrint(Rule):
    """Reports `print` in handler code (a plugin rule)."""

    code = "ACME001"
    name = "no-print"
    summary = "print() in a handler"
    origin = "acme-lambda-rules"


RULES: dict[str, type[Rule]] = {
    rule.code: rule for rule in (UnknownEventKey, ClientPerInvocation, AcmeNoPrint)
}

APP = """\
import boto3


def handler(event, context):
    bucket = event["Records"][0]["s3"]["bucket"]["nme"]
    client = boto3.client("s3")
    return process(event)
"""

ORDERS = """\
def process(event):
    order = event["detail"]["ordr"]
    print(
        order,
    )
    return order


def audit(event):
    order = event["detail"]["ordr"]
    return order
"""

TEMPLATE_LINE = 12
TRICKY_MESSAGE = 'key "nme" is not in an S3 event, did you mean "name"?\n100% of records: 50%25'


def make_run(cwd: Path, shift: int = 0) -> ReportInput:
    """Findings in two files; `shift` blank lines are added at the top of `orders.py`."""
    app = "src/app.py"
    orders = str(cwd / "src" / "orders.py")  # absolute: shown relative to cwd

    def at(line: int, column: int) -> Position:
        return Position(line + shift, column)

    findings = [
        Finding(
            code="LL401",
            message=TRICKY_MESSAGE,
            path=app,
            start=Position(5, 13),
            end=Position(5, 55),
        ),
        Finding(
            code="LL301",
            message="boto3.client() runs on every invocation; create it at module scope",
            path=app,
            start=Position(6, 13),
            end=Position(6, 31),
            fix=Fix(
                applicability="safe",
                message="Move the client to module scope",
                edits=(
                    Edit(Position(6, 4), Position(7, 0), ""),
                    Edit(Position(2, 0), Position(2, 0), 'client = boto3.client("s3")\n'),
                ),
            ),
        ),
        Finding(
            code="LL401",
            message='key "ordr" is not in an EventBridge event detail',
            path=orders,
            start=at(2, 12),
            end=at(2, 35),
            related=(
                RelatedLocation(app, Position(7, 11), "handler `app.handler` calls `process`"),
                RelatedLocation(
                    "template.yaml", Position(TEMPLATE_LINE, 6), "EventBridge rule triggers it"
                ),
            ),
        ),
        Finding(
            code="ACME001",
            message="print() in a handler",
            path=orders,
            start=at(3, 4),
            end=at(5, 5),
        ),
        Finding(
            code="LL401",
            message='key "ordr" is not in an EventBridge event detail',
            path=orders,
            start=at(10, 12),
            end=at(10, 35),
        ),
    ]
    findings.sort(key=Finding.sort_key)
    sources = {app: APP, orders: "\n" * shift + ORDERS}
    return ReportInput(findings=findings, rules=RULES, sources=sources, cwd=cwd)


@pytest.fixture
def run(tmp_path: Path) -> ReportInput:
    return make_run(tmp_path)


def json_findings(run: ReportInput) -> list[dict[str, Any]]:
    return json.loads(render_json(run))


def json_spans(run: ReportInput) -> list[tuple[str, str, int, int, int, int]]:
    return [
        (
            item["code"],
            os.path.relpath(item["filename"], run.cwd),
            item["location"]["row"],
            item["location"]["column"],
            item["end_location"]["row"],
            item["end_location"]["column"],
        )
        for item in json_findings(run)
    ]


# -- sarif -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def schema_errors(validator: jsonschema.protocols.Validator, log: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]


def test_sarif_validates_against_the_oasis_schema(run, sarif_validator):
    log = json.loads(sarif.render(run))
    assert schema_errors(sarif_validator, log) == []
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    assert len(log["runs"]) == 1


def test_sarif_of_a_clean_run_validates(tmp_path, sarif_validator):
    log = json.loads(sarif.render(ReportInput(findings=[], rules=RULES, cwd=tmp_path)))
    assert schema_errors(sarif_validator, log) == []
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["tool"]["driver"]["rules"] == []


def test_the_schema_check_rejects_a_broken_log(run, sarif_validator):
    log = json.loads(sarif.render(run))
    broken = copy.deepcopy(log)
    del broken["runs"][0]["results"][0]["message"]
    assert schema_errors(sarif_validator, broken)
    broken = copy.deepcopy(log)
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"] = 0
    assert schema_errors(sarif_validator, broken)


def test_sarif_driver_and_rules(run):
    driver = json.loads(sarif.render(run))["runs"][0]["tool"]["driver"]
    assert driver["name"] == "lambda-lint"
    assert driver["version"] == lambda_lint.__version__
    assert driver["informationUri"].startswith("https://")
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == sorted(set(ids)) == ["ACME001", "LL301", "LL401"]
    by_id = {rule["id"]: rule for rule in driver["rules"]}

    ll401 = by_id["LL401"]
    assert ll401["name"] == "unknown-event-key"
    assert ll401["shortDescription"]["text"] == UnknownEventKey.summary
    assert ll401["fullDescription"]["text"] == UnknownEventKey.documentation()
    assert ll401["help"] == {
        "text": UnknownEventKey.documentation(),
        "markdown": UnknownEventKey.documentation(),
    }
    assert ll401["helpUri"] == UnknownEventKey.url()
    assert ll401["defaultConfiguration"]["level"] == "error"
    assert ll401["properties"]["name"] == "unknown-event-key"
    assert ll401["properties"]["origin"] == "built-in"

    assert by_id["LL301"]["helpUri"] == ClientPerInvocation.url()
    assert by_id["LL301"]["defaultConfiguration"]["level"] == "warning"
    assert by_id["LL301"]["properties"]["fixable"] == "safe"
    # a plugin rule has no documentation URL
    assert "helpUri" not in by_id["ACME001"]
    assert by_id["ACME001"]["properties"]["origin"] == "acme-lambda-rules"


def test_sarif_results_match_the_json_format_one_for_one(run):
    sarif_run = json.loads(sarif.render(run))["runs"][0]
    rules = sarif_run["tool"]["driver"]["rules"]
    spans = []
    for result in sarif_run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        region = location["region"]
        spans.append(
            (
                result["ruleId"],
                unquote(location["artifactLocation"]["uri"]),
                region["startLine"],
                region["startColumn"],
                region["endLine"],
                region["endColumn"],
            )
        )
    assert spans == json_spans(run)
    assert [r["message"]["text"] for r in sarif_run["results"]] == [
        f["message"] for f in json_findings(run)
    ]
    levels = {r["ruleId"]: r["level"] for r in sarif_run["results"]}
    assert levels == {"LL401": "error", "LL301": "warning", "ACME001": "error"}


def test_sarif_uris_resolve_against_srcroot(tmp_path):
    spaced = dataclasses.replace(
        make_run(tmp_path).findings[0], path=str(tmp_path / "my handlers" / "app v2.py")
    )
    run = ReportInput(findings=[spaced], rules=RULES, cwd=tmp_path)
    sarif_run = json.loads(sarif.render(run))["runs"][0]
    base = sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file://") and base.endswith("/")
    uri = sarif_run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20handlers/app%20v2.py"
    resolved = Path(url2pathname(urljoin(base, uri)[len("file://") :]))
    assert resolved == tmp_path / "my handlers" / "app v2.py"


def test_sarif_related_locations_and_code_flow(run):
    results = json.loads(sarif.render(run))["runs"][0]["results"]
    chained = next(r for r in results if r.get("relatedLocations"))
    related = chained["relatedLocations"]
    assert [step["id"] for step in related] == [0, 1]
    assert related[0]["message"]["text"] == "handler `app.handler` calls `process`"
    assert related[0]["physicalLocation"]["artifactLocation"]["uri"] == "src/app.py"
    assert related[0]["physicalLocation"]["region"] == {"startLine": 7, "startColumn": 12}
    assert related[1]["physicalLocation"]["artifactLocation"]["uri"] == "template.yaml"
    assert related[1]["physicalLocation"]["region"]["startLine"] == TEMPLATE_LINE

    (flow,) = chained["codeFlows"]
    (thread,) = flow["threadFlows"]
    steps = [
        (
            step["location"]["physicalLocation"]["artifactLocation"]["uri"],
            step["location"]["physicalLocation"]["region"]["startLine"],
        )
        for step in thread["locations"]
    ]
    # the Python call chain, then the finding; the descriptor line is not a code step
    assert steps == [("src/app.py", 7), ("src/orders.py", 2)]
    assert [step["executionOrder"] for step in thread["locations"]] == [1, 2]
    assert all("codeFlows" not in r for r in results if not r.get("relatedLocations"))


def test_sarif_fix_matches_the_json_edits(run):
    results = json.loads(sarif.render(run))["runs"][0]["results"]
    fixed = [r for r in results if "fixes" in r]
    assert len(fixed) == 1
    (fix,) = fixed[0]["fixes"]
    assert fix["description"]["text"] == "Move the client to module scope"
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "src/app.py", "uriBaseId": "%SRCROOT%"}
    json_edits = next(f for f in json_findings(run) if f["fix"])["fix"]["edits"]
    assert len(change["replacements"]) == len(json_edits)
    for replacement, edit in zip(change["replacements"], json_edits):
        region = replacement["deletedRegion"]
        assert (region["startLine"], region["startColumn"]) == (
            edit["location"]["row"],
            edit["location"]["column"],
        )
        assert (region["endLine"], region["endColumn"]) == (
            edit["end_location"]["row"],
            edit["end_location"]["column"],
        )
        assert replacement["insertedContent"]["text"] == edit["content"]


def _fingerprints_by_span(run: ReportInput, shift: int) -> dict[tuple[str, str, int], str]:
    results = json.loads(sarif.render(run))["runs"][0]["results"]
    out = {}
    for result in results:
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        line = location["region"]["startLine"] - (shift if uri == "src/orders.py" else 0)
        out[(result["ruleId"], uri, line)] = result["partialFingerprints"][
            "primaryLocationLineHash"
        ]
    return out


def test_sarif_fingerprints_survive_a_line_shift(tmp_path):
    before = _fingerprints_by_span(make_run(tmp_path), 0)
    after = _fingerprints_by_span(make_run(tmp_path, shift=3), 3)
    assert len(before) == 5
    assert before == after


def test_sarif_fingerprints_differ_on_identical_lines(run):
    prints = _fingerprints_by_span(run, 0)
    first = prints[("LL401", "src/orders.py", 2)]
    second = prints[("LL401", "src/orders.py", 10)]
    assert ORDERS.splitlines()[1] == ORDERS.splitlines()[9]
    assert first != second
    assert first.split(":")[0] == second.split(":")[0]  # same line text, same digest
    assert (first.split(":")[1], second.split(":")[1]) == ("1", "2")
    assert len(set(prints.values())) == len(prints)


def test_sarif_fingerprint_changes_with_the_flagged_code(run):
    edited = dict(run.sources)
    orders = next(path for path in edited if path.endswith("orders.py"))
    edited[orders] = edited[orders].replace('["ordr"]', '["ordr2"]', 1)
    before = sarif.fingerprints(run)
    after = sarif.fingerprints(dataclasses.replace(run, sources=edited))
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    assert len(changed) == 2  # the edited line's finding, and the twin that is now alone
    assert {run.findings[i].start.line for i in changed} == {2, 10}


# -- github ----------------------------------------------------------------------------

COMMAND = re.compile(r"^::(?P<kind>error|warning) (?P<props>[^:]*)::(?P<data>.*)$")


def unescape(text: str) -> str:
    for escaped, raw in (("%3A", ":"), ("%2C", ","), ("%0D", "\r"), ("%0A", "\n")):
        text = text.replace(escaped, raw)
    return text.replace("%25", "%")


def parse_github(output: str) -> list[dict[str, str]]:
    commands = []
    for line in output.splitlines():
        match = COMMAND.match(line)
        assert match, line
        parsed = {"kind": match["kind"], "message": unescape(match["data"])}
        for prop in match["props"].split(","):
            name, _, value = prop.partition("=")
            parsed[name] = unescape(value)
        commands.append(parsed)
    return commands


def test_github_commands_parse_back(run):
    output = github.render(run)
    commands = parse_github(output)
    assert len(output.splitlines()) == len(run.findings)
    assert [c["message"] for c in commands] == [f.message for f in run.findings]
    assert any(c["message"] == TRICKY_MESSAGE for c in commands)
    assert [c["kind"] for c in commands] == [
        "warning" if f.code == "LL301" else "error" for f in run.findings
    ]
    titles = {c["title"] for c in commands}
    assert titles == {
        "LL401 (unknown-event-key)",
        "LL301 (client-per-invocation)",
        "ACME001 (no-print)",
    }
    for command, span in zip(commands, json_spans(run)):
        code, filename, row, column, end_row, end_column = span
        assert command["title"].split()[0] == code
        assert command["file"] == filename
        assert (int(command["line"]), int(command["endLine"])) == (row, end_row)
        if row == end_row:
            assert (int(command["col"]), int(command["endColumn"])) == (column, end_column)
        else:
            assert "col" not in command and "endColumn" not in command


def test_github_omits_columns_on_a_multi_line_span(run):
    (line,) = [line for line in github.render(run).splitlines() if "ACME001" in line]
    assert line.startswith("::error title=ACME001 (no-print),file=src/orders.py,line=3,")
    assert "col=" not in line and "endColumn=" not in line
    assert "endLine=5" in line


def test_github_escaping():
    assert github.escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert github.escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    hostile = "x:y,z%0A\n::error::"
    assert unescape(github.escape_property(hostile)) == hostile
    assert "," not in github.escape_property(hostile)
    assert ":" not in github.escape_property(hostile)


def test_github_clean_run_is_empty(tmp_path):
    assert github.render(ReportInput(findings=[], rules=RULES, cwd=tmp_path)) == ""


# -- junit -----------------------------------------------------------------------------


def test_junit_parses_and_counts_match(run):
    root = ET.fromstring(junit.render(run))
    assert root.tag == "testsuites"
    assert root.get("name") == "lambda-lint"
    assert int(root.get("tests")) == int(root.get("failures")) == len(run.findings)
    assert root.get("errors") == "0"
    suites = root.findall("testsuite")
    files = list(dict.fromkeys(span[1] for span in json_spans(run)))
    assert sorted(files) == ["src/app.py", "src/orders.py"]
    assert [s.get("name") for s in suites] == files
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))
        assert all(case.get("classname") == suite.get("name") for case in cases)
    cases = root.findall("testsuite/testcase")
    expected = [
        f"{code}: {name}:{row}:{column}" for code, name, row, column, _, _ in json_spans(run)
    ]
    assert [case.get("name") for case in cases] == expected
    failures = [case.find("failure") for case in cases]
    assert [f.get("type") for f in failures] == [f.code for f in run.findings]
    assert [f.get("message") for f in failures] == [f.message for f in run.findings]
    chained = next(f for f in failures if "note:" in f.text)
    assert "src/app.py:7:12: handler `app.handler` calls `process`" in chained.text


def test_junit_clean_run_has_zero_failures(tmp_path):
    output = junit.render(ReportInput(findings=[], rules=RULES, cwd=tmp_path))
    assert output.startswith("<?xml")
    root = ET.fromstring(output)
    assert root.get("failures") == "0"
    assert root.findall(".//failure") == []
    assert int(root.get("tests")) == len(root.findall(".//testcase")) == 1


def test_junit_survives_control_characters(run):
    odd = dataclasses.replace(run.findings[0], message="bad \x00 byte \x1b[31m")
    root = ET.fromstring(junit.render(dataclasses.replace(run, findings=[odd])))
    assert root.find(".//failure").get("message") == "bad \ufffd byte \ufffd[31m"


# -- gitlab ----------------------------------------------------------------------------


def test_gitlab_issues(run):
    issues = json.loads(gitlab.render(run))
    assert len(issues) == len(run.findings)
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    assert all(re.fullmatch(r"[0-9a-f]{32}", fp) for fp in fingerprints)
    for issue, span in zip(issues, json_spans(run)):
        code, filename, row, _, end_row, _ = span
        assert issue["check_name"] == code
        assert issue["location"]["path"] == filename
        assert issue["location"]["lines"] == {"begin": row, "end": end_row}
        assert issue["severity"] == ("minor" if code == "LL301" else "major")
        assert code in issue["description"]


def test_gitlab_fingerprints_survive_a_line_shift(tmp_path):
    before = [i["fingerprint"] for i in json.loads(gitlab.render(make_run(tmp_path)))]
    after = [i["fingerprint"] for i in json.loads(gitlab.render(make_run(tmp_path, shift=2)))]
    assert before == after


# -- registry --------------------------------------------------------------------------


def test_formats_table_lists_every_ci_format():
    table = formats()
    assert set(table) == set(FORMAT_NAMES)
    assert table["sarif"] is sarif.render
    assert table["github"] is github.render
    assert table["junit"] is junit.render
    assert table["gitlab"] is gitlab.render
