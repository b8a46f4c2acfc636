"""Users bind their own JSON Schemas to handlers (`events` setting)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ORDER_SCHEMA = {
    "type": "object",
    "required": ["orderId", "total"],
    "properties": {
        "orderId": {"type": "string"},
        "total": {"type": "number"},
        "note": {"type": ["string", "null"]},
    },
}
TENANT_SCHEMA = {
    "type": "object",
    "properties": {"tenant": {"type": "object", "properties": {"name": {"type": "string"}}}},
}


def lint(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lambda_lint", "check", "--output-format", "json", "--no-cache"],
        cwd=folder,
        capture_output=True,
        text=True,
    )


def project(folder: Path, config: str) -> None:
    (folder / "app.py").write_text(
        "def on_order(event, context):\n"
        "    order = event['detail']\n"
        "    return order['orderId'], order['totl'], order['note'].strip(), event['detail-type']\n\n\n"
        "def direct(event, context):\n"
        "    return event['tenant']['nme']\n"
    )
    (folder / "order.json").write_text(json.dumps(ORDER_SCHEMA))
    (folder / "tenant.json").write_text(json.dumps(TENANT_SCHEMA))
    (folder / "lambda-lint.toml").write_text(config)


def test_schema_describes_eventbridge_detail_and_direct_payloads(tmp_path: Path) -> None:
    project(
        tmp_path,
        'handlers = [{ target = "app.on_order", trigger = "eventbridge" }, "app.direct"]\n'
        'events = { "app.on_order" = "order.json", "app.direct" = "tenant.json" }\n',
    )
    result = lint(tmp_path)
    findings = {(f["location"]["row"], f["code"]): f["message"] for f in json.loads(result.stdout)}
    assert "did you mean 'total'" in findings[(3, "LL401")]
    assert "null" in findings[(3, "LL402")]
    assert "did you mean 'name'" in findings[(7, "LL401")]


def test_without_a_schema_the_payload_is_not_judged(tmp_path: Path) -> None:
    project(
        tmp_path,
        'handlers = [{ target = "app.on_order", trigger = "eventbridge" }, "app.direct"]\n',
    )
    findings = json.loads(lint(tmp_path).stdout)
    assert [f for f in findings if f["code"].startswith("LL4")] == []


def test_missing_schema_file_is_a_config_error(tmp_path: Path) -> None:
    project(tmp_path, 'events = { "app.direct" = "nope.json" }\n')
    result = lint(tmp_path)
    assert result.returncode == 2
    assert "events.app.direct" in result.stderr and "nope.json" in result.stderr


def test_schema_bound_to_an_unknown_function_is_reported(tmp_path: Path) -> None:
    project(tmp_path, 'events = { "app.missing" = "tenant.json" }\n')
    findings = json.loads(lint(tmp_path).stdout)
    assert any(f["code"] == "LL103" and "events" in f["message"] for f in findings)


def test_schema_bound_by_eventbridge_detail_type(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Paid:\n"
        "    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Handler: app.on_order\n      CodeUri: .\n      Runtime: python3.12\n"
        "      Events:\n        Rule:\n          Type: EventBridgeRule\n          Properties:\n"
        "            Pattern:\n              source: [shop.orders]\n"
        "              detail-type: [Order Placed]\n"
    )
    project(tmp_path, 'events = { "detail-type:Order Placed" = "order.json" }\n')
    findings = {(f["location"]["row"], f["code"]) for f in json.loads(lint(tmp_path).stdout)}
    assert (3, "LL401") in findings
