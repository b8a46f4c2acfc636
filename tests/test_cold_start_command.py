"""`lambda-lint coldstart` on the cold-start fixture: trees, totals, formats, --measure."""

from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from lambda_lint.cli import main

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "cold-start"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["coldstart", *args])
    return result.exit_code, result.output


@pytest.fixture
def in_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURE)


def total_of(output: str, handler: str) -> float:
    match = re.search(rf"^{re.escape(handler)} .*estimated: ([\d,.]+) ms", output, re.M)
    assert match, output
    return float(match.group(1).replace(",", ""))


@pytest.mark.usefixtures("in_fixture")
def test_tree_shows_each_handler_with_its_total_heaviest_branch_first() -> None:
    status, output = run(".")
    assert status == 0, output
    report = total_of(output, "report.handler")
    orders = total_of(output, "orders.handler")
    assert report > 1000 > orders > 0
    assert "over the 1,000 ms budget" in output and "within the 1,000 ms budget" in output
    section = output.split("report.handler", 1)[1].split("\n\n", 1)[0]
    children = re.findall(r"^\s*([\d,.]+) ms\s+\S*\s+├─ (\S+)", section, re.M)
    costs = [float(ms.replace(",", "")) for ms, _ in children]
    assert costs == sorted(costs, reverse=True)
    assert children[0][1] == "sklearn"
    assert "\033[" not in output  # not a terminal: no colour


@pytest.mark.usefixtures("in_fixture")
def test_handler_option_selects_one_handler_and_names_the_others_when_wrong() -> None:
    status, output = run(".", "--handler", "orders.handler")
    assert status == 0 and "orders.handler" in output and "report.handler" not in output
    status, output = run(".", "--handler", "src/report.py:handler", "--min-ms", "0")
    assert status == 0 and "report.handler" in output and "reporting.settings" in output
    status, output = run(".", "--handler", "nope")
    assert status == 2
    assert "no handler matches nope" in output and "orders.handler" in output


@pytest.mark.usefixtures("in_fixture")
def test_json_has_both_trees_with_totals_that_add_up() -> None:
    status, output = run(".", "--output-format", "json")
    assert status == 0
    data = json.loads(output)
    by_name = {item["handler"]: item for item in data["handlers"]}
    assert set(by_name) == {"orders.handler", "receipts.handler", "report.handler"}
    report = by_name["report.handler"]
    assert report["verdict"] == "over" and by_name["orders.handler"]["verdict"] == "within"
    assert report["file"] == "src/report.py" and report["source"] == "estimate"

    def check(node: dict) -> None:
        children_total = sum(child["total_ms"] for child in node["children"])
        assert node["total_ms"] == pytest.approx(node["self_ms"] + children_total, abs=0.5)
        for child in node["children"]:
            check(child)

    check(report["tree"])
    assert report["tree"]["total_ms"] == pytest.approx(report["total_ms"])
    children = {child["name"]: child for child in report["tree"]["children"]}
    assert next(iter(children)) == "sklearn"
    # the package runs first, and imports its module
    assert next(c["name"] for c in children["reporting"]["children"]) == "reporting.features"
    assert data["table"]["python"]


@pytest.mark.usefixtures("in_fixture")
def test_html_is_one_self_contained_page_with_the_report(tmp_path: Path) -> None:
    target = tmp_path / "coldstart.html"
    status, _ = run(".", "--output-format", "html", "--output", str(target))
    assert status == 0
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # nothing fetched
    embedded = re.search(r'<script id="report" type="application/json">(.*?)</script>', page, re.S)
    assert embedded
    data = json.loads(embedded.group(1))
    assert {item["handler"] for item in data["handlers"]} >= {"report.handler", "orders.handler"}


def test_measure_imports_the_handler_module_in_a_subprocess(tmp_path: Path) -> None:
    (tmp_path / "lambda-lint.toml").write_text("")
    (tmp_path / "app.py").write_text(
        textwrap.dedent(
            """\
            import helpers
            import email.mime.text

            def handler(event, context):
                return helpers.VALUE
            """
        )
    )
    (tmp_path / "helpers.py").write_text("import csv\n\nVALUE = 1\n")
    status, output = run(str(tmp_path), "--measure", "--output-format", "json")
    assert status == 0, output
    item = json.loads(output)["handlers"][0]
    assert item["source"] == "measured" and "problem" not in item
    tree = item["tree"]
    assert tree["name"] == "app" and tree["kind"] == "project"
    names = {child["name"]: child for child in tree["children"]}
    assert names["helpers"]["kind"] == "project"
    assert "email.mime.text" in names
    assert not list(tmp_path.rglob("__pycache__"))  # no bytecode written into the project
    assert "app" not in sys.modules  # never imported by lambda-lint itself


def test_measure_failure_is_reported_and_the_estimate_kept(tmp_path: Path) -> None:
    (tmp_path / "lambda-lint.toml").write_text("")
    (tmp_path / "app.py").write_text(
        "import os\n\nTABLE = os.environ['LAMBDA_LINT_TEST_UNSET']\n\n"
        "def handler(event, context):\n    return TABLE\n"
    )
    status, output = run(str(tmp_path), "--measure")
    assert status == 0
    assert "measuring failed: importing app failed: KeyError: 'LAMBDA_LINT_TEST_UNSET'" in output
    assert "estimated" in output


def test_a_handler_just_over_the_budget_is_near_it_not_over(tmp_path: Path) -> None:
    (tmp_path / "lambda-lint.toml").write_text("[cold-start]\nbudget-ms = 400\n")
    (tmp_path / "app.py").write_text("import boto3\n\ndef handler(event, context):\n    return 1\n")
    status, output = run(str(tmp_path))
    assert status == 0
    total = total_of(output, "app.handler")
    assert 400 < total < 500
    assert "near the 400 ms budget: over it, but within the estimate's margin" in output
    check = CliRunner().invoke(main, ["check", str(tmp_path), "--select", "LL203", "--no-cache"])
    assert check.exit_code == 0, check.output
