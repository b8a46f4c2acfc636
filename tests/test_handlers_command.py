"""`lambda-lint handlers` finds every handler of each fixture with its trigger and source."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

EXPECTED = {
    "sam-shop": {
        ("src/carts.py", "handler"): (["apigw-rest"], "sam", "high"),
        ("src/checkout.py", "handler"): (["sqs"], "sam", "high"),
        ("src/cleanup.py", "handler"): (["schedule"], "sam", "high"),
        ("src/receipts.py", "handler"): (["s3"], "sam", "high"),
        ("src/exports.py", "export_cart_csv"): ([], "convention", "low"),
    },
    "serverless-app": {
        ("handlers/alerts.py", "forward"): (["sns"], "serverless", "high"),
        ("handlers/api.py", "get_item"): (["apigw-http"], "serverless", "high"),
        ("handlers/api.py", "put_item"): (["apigw-http"], "serverless", "high"),
        ("handlers/api.py", "list_items"): (["apigw-http"], "serverless", "high"),
        ("handlers/audit.py", "archive"): (["kinesis"], "serverless", "high"),
        ("handlers/jobs.py", "rollup"): (["schedule"], "serverless", "high"),
        ("handlers/stream.py", "ingest"): (["kinesis"], "serverless", "high"),
    },
    "cdk-app": {
        ("lambda/imports/index.py", "handler"): (["s3"], "cdk", "high"),
        ("lambda/orders/api.py", "handler"): (["apigw-rest"], "cdk", "high"),
        ("lambda/orders/index.py", "handler"): (["sqs"], "cdk", "high"),
        ("lambda/report/index.py", "handler"): (["schedule"], "cdk", "high"),
        ("lambda/stream/index.py", "handler"): (["dynamodb-stream"], "cdk", "high"),
    },
    "terraform-app": {
        ("src/indexer.py", "handler"): (["sqs"], "terraform", "high"),
        ("src/intake.py", "handler"): (["s3"], "terraform", "high"),
        ("src/purge_audit.py", "handler"): (["s3"], "terraform", "high"),
        ("src/search_api.py", "handler"): (["apigw-http"], "terraform", "high"),
    },
    "typed-handlers": {
        ("app/admin.py", "handler"): ([], "convention", "low"),
        ("app/http_api.py", "list_invoices"): (["apigw-http"], "code", "medium"),
        ("app/http_api.py", "create_credit_note"): (["apigw-http"], "code", "medium"),
        ("app/invoices_queue.py", "handler"): (["sqs"], "code", "medium"),
        ("app/ledger_stream.py", "handler"): (["dynamodb-stream"], "code", "medium"),
        ("app/refunds_batch.py", "handler"): (["sqs"], "code", "medium"),
        ("app/reports.py", "handler"): (["schedule"], "config", "high"),
    },
}


def handlers(project: Path) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "lambda_lint", "handlers", "--output-format", "json"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_handlers_with_triggers_and_sources(name: str) -> None:
    rows = handlers(FIXTURES / name)
    found = {(row["file"], row["function"]): row for row in rows}
    assert set(found) == set(EXPECTED[name])
    for key, (triggers, kind, confidence) in EXPECTED[name].items():
        row = found[key]
        assert row["triggers"] == triggers, key
        assert kind in {source["kind"] for source in row["sources"]}, key
        assert row["confidence"] == confidence, key
        for source in row["sources"]:
            assert set(source) >= {"kind", "file", "line"}


def test_descriptor_sources_point_at_the_handler_line() -> None:
    rows = handlers(FIXTURES / "sam-shop")
    template = (FIXTURES / "sam-shop" / "template.yaml").read_text().splitlines()
    for row in rows:
        for source in row["sources"]:
            if source["kind"] == "sam":
                line = template[source["line"] - 1]
                module = Path(row["file"]).stem
                assert f"Handler: {module}.{row['function']}" in line


def test_table_output(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lambda_lint", "handlers"],
        cwd=FIXTURES / "serverless-app",
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0
    assert "handlers/api.py:51 get_item" in result.stdout
    assert "serverless serverless.yml:40" in result.stdout


def test_malformed_descriptor_is_named_and_the_rest_is_checked(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: [unclosed\n"
    )
    (tmp_path / "serverless.yml").write_text(
        "service: s\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n"
        "  api:\n    handler: app.handler\n    events:\n      - httpApi: GET /x\n"
    )
    (tmp_path / "app.py").write_text(
        "def handler(event, context):\n    return event['httpMethod']\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "lambda_lint", "check", "--output-format", "json", "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)
    for finding in findings:  # absolute, as Ruff writes them
        finding["filename"] = os.path.relpath(finding["filename"], tmp_path)
    codes = {(f["filename"], f["code"]) for f in findings}
    assert ("template.yaml", "LL001") in codes
    assert ("app.py", "LL401") in codes
    problem = next(f for f in findings if f["filename"] == "template.yaml")
    assert "YAML" in problem["message"] and problem["location"]["row"] >= 4
    assert "Traceback" not in result.stderr
