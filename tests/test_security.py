"""The LL6 security rules as a user sees them: event data followed across functions and
modules into sinks, with the way it took in the message and in SARIF code flows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from collections import OrderedDict
from pathlib import Path

import jsonschema
import pytest
from test_cli_workflow import check

from lambda_lint.finding import Finding
from lambda_lint.report import ReportInput, sarif
from lambda_lint.rule import Example
from lambda_lint.rules.security_credentials import HardcodedAwsCredentials
from lambda_lint.rules.security_injection import EventToShell, EventToSql
from lambda_lint.rules.security_logging import LogWholeEvent
from lambda_lint.security import code
from lambda_lint.testing import lint_example

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"

APP = """\
import json

import store


def handler(event, context):
    body = json.loads(event["body"])
    return store.orders_of(body["customer"])
"""

STORE = """\
import sqlite3

db = sqlite3.connect("/tmp/orders.db")


def orders_of(customer):
    sql = "SELECT * FROM orders WHERE customer = '%s'" % customer
    return db.execute(sql).fetchall()
"""


def test_sql_injection_through_a_helper_module_names_each_step(tmp_path: Path) -> None:
    example = Example(APP, files={"store.py": STORE})
    (finding,) = lint_example(EventToSql, example, tmp_path)
    assert Path(finding.path).name == "store.py"
    assert (finding.start.line, finding.start.column) == (8, 11)
    assert finding.message.startswith("event data reaches the SQL text of `db.execute()`: ")
    assert "event['body'] -> json.loads(...) (app.py:7)" in finding.message
    assert "passed to store.orders_of() as `customer` (app.py:8)" in finding.message
    assert finding.message.endswith("%-formatting (line 7); pass values as query parameters")
    steps = [(Path(r.path).name, r.start.line, r.message) for r in finding.related]
    assert steps[0] == ("app.py", 7, "event['body']")
    assert steps[-1] == ("store.py", 7, "%-formatting")


def test_a_flow_is_the_same_when_the_walk_lets_every_parsed_tree_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    example = Example(APP, files={"store.py": STORE})
    kept = lint_example(EventToSql, example, tmp_path / "kept")
    monkeypatch.setattr(code, "_TREES_KEPT", 0)  # every function found by parsing again
    monkeypatch.setattr(code, "_syntax", {})
    monkeypatch.setattr(code, "_trees", OrderedDict())
    again = lint_example(EventToSql, example, tmp_path / "again")
    shown = [(Path(f.path).name, f.start, f.message.replace(str(tmp_path), "")) for f in kept]
    assert shown and shown == [
        (Path(f.path).name, f.start, f.message.replace(str(tmp_path), "")) for f in again
    ]


def test_the_flows_print_no_warning_of_the_code_they_read(tmp_path: Path) -> None:
    # `"\\d"` is an invalid escape: CPython warns of it while parsing; that is not ours
    code = 'import re, subprocess\n\n\ndef handler(event, context):\n    re.match("\\d", "1")\n'
    code += '    subprocess.run(event["cmd"], shell=True)\n'
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (finding,) = lint_example(EventToShell, Example(code), tmp_path)
    assert finding.start.line == 6
    assert [str(w.message) for w in caught] == []


def _sarif(finding: Finding, cwd: Path) -> dict:
    run = ReportInput(findings=[finding], rules={"LL601": EventToSql}, cwd=cwd)
    return json.loads(sarif.render(run))


def test_sarif_of_a_flow_has_a_code_flow_from_the_event_to_the_sink(tmp_path: Path) -> None:
    (finding,) = lint_example(EventToSql, Example(APP, files={"store.py": STORE}), tmp_path)
    log = _sarif(finding, tmp_path)
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert [e.message for e in validator.iter_errors(log)] == []
    (result,) = log["runs"][0]["results"]
    (flow,) = result["codeFlows"]
    (thread,) = flow["threadFlows"]
    places = [
        (
            step["location"]["physicalLocation"]["artifactLocation"]["uri"],
            step["location"]["physicalLocation"]["region"]["startLine"],
        )
        for step in thread["locations"]
    ]
    assert places[0] == ("app.py", 7)  # event["body"]: the source
    assert places[-1] == ("store.py", 8)  # db.execute(sql): the sink
    assert ("app.py", 8) in places  # the call into the helper
    assert thread["locations"][-1]["importance"] == "essential"


@pytest.mark.parametrize(
    ("trigger", "reported"),
    [("apigw-rest", 1), ("sqs", 1), ("schedule", 0), ("cloudformation-custom-resource", 0)],
)
def test_events_the_deployment_writes_are_not_followed(
    tmp_path: Path, trigger: str, reported: int
) -> None:
    code = "import os\n\ndef handler(event, context):\n    os.system('echo ' + event['name'])\n"
    found = lint_example(EventToShell, Example(code, trigger=trigger), tmp_path)
    assert len(found) == reported


def test_a_value_read_back_from_a_database_is_not_the_callers_text(tmp_path: Path) -> None:
    code = (
        "import os\nimport boto3\n\ntable = boto3.resource('dynamodb').Table('t')\n\n"
        "def handler(event, context):\n"
        "    item = table.get_item(Key={'id': event['id']})['Item']\n"
        "    os.system('echo ' + item['name'])\n"
    )
    assert lint_example(EventToShell, Example(code), tmp_path) == []


def test_recursive_helpers_end(tmp_path: Path) -> None:
    code = (
        "import os\n\ndef walk(path, depth):\n"
        "    if depth:\n        return walk(path + '/x', depth - 1)\n"
        "    return os.system('ls ' + path)\n\n"
        "def handler(event, context):\n    return walk(event['dir'], 3)\n"
    )
    (finding,) = lint_example(EventToShell, Example(code), tmp_path)
    assert "passed to walk() as `path`" in finding.message


def test_chalice_views_and_the_current_request_are_sources(tmp_path: Path) -> None:
    code = (
        "import os\nfrom chalice import Chalice\n\napp = Chalice(app_name='a')\n\n"
        "@app.route('/files/{name}')\ndef remove(name):\n    os.system('rm /tmp/' + name)\n\n"
        "@app.route('/run', methods=['POST'])\ndef run():\n"
        "    os.system(app.current_request.json_body['cmd'] + ' &')\n"
    )
    found = lint_example(EventToShell, Example(code), tmp_path)
    assert sorted(f.start.line for f in found) == [8, 12]


DEEP_AND_NEAR = """\
import os
from chalice import Chalice

app = Chalice(app_name="a")


def command():
    return app.current_request.json_body["cmd"]


def run():
    os.system(command() + " &")


def c5():
    return run()


def c4():
    return c5()


def c3():
    return c4()


def c2():
    return c3()


def c1():
    return c2()


@app.route("/deep")
def deep():
    return c1()


@app.route("/near")
def near():
    return run()
"""


def test_a_views_flows_do_not_depend_on_the_other_views(tmp_path: Path) -> None:
    """`deep` reaches `run` too many calls down to follow what `command()` returns
    there; `near` reaches it directly, and its flow is reported all the same."""
    (both,) = lint_example(EventToShell, Example(DEEP_AND_NEAR), tmp_path / "both")
    alone = DEEP_AND_NEAR.replace('@app.route("/deep")\n', "")
    assert lint_example(EventToShell, Example(alone), tmp_path / "alone") == [both]
    assert both.start.line == 12 and "app.current_request.json_body (line 8)" in both.message


def test_whole_event_logged_in_a_helper_is_reported_where_it_is_logged(tmp_path: Path) -> None:
    code = "import audit\n\ndef handler(event, context):\n    audit.log_request(event)\n"
    helper = "import json\n\ndef log_request(request):\n    print(json.dumps(request))\n"
    example = Example(code, files={"audit.py": helper}, trigger="apigw-rest")
    (finding,) = lint_example(LogWholeEvent, example, tmp_path)
    assert Path(finding.path).name == "audit.py"


def test_keys_in_test_files_are_not_reported(tmp_path: Path) -> None:
    key = "KEY = 'AKIA2E0A8F3B244C9986'\n"
    example = Example("import boto3\n", files={"tests/test_upload.py": key, "conftest.py": key})
    assert lint_example(HardcodedAwsCredentials, example, tmp_path) == []


def test_powertools_routes_and_the_current_event_are_sources(tmp_path: Path) -> None:
    code = (
        "import subprocess\n"
        "from aws_lambda_powertools.event_handler import APIGatewayRestResolver\n\n"
        "app = APIGatewayRestResolver()\n\n"
        "@app.get('/hosts/<host>')\ndef ping(host):\n"
        "    return subprocess.run(f'ping -c 1 {host}', shell=True)\n\n"
        "@app.post('/lookup')\ndef lookup():\n"
        "    name = app.current_event.json_body['name']\n"
        "    return subprocess.run('dig ' + name, shell=True)\n\n"
        "def handler(event, context):\n    return app.resolve(event, context)\n"
    )
    found = lint_example(EventToShell, Example(code), tmp_path)
    assert sorted(f.start.line for f in found) == [8, 13]


def test_a_route_parameter_is_one_value_not_the_whole_event(tmp_path: Path) -> None:
    code = (
        "import logging\n"
        "from aws_lambda_powertools.event_handler import APIGatewayRestResolver\n\n"
        "logger = logging.getLogger()\napp = APIGatewayRestResolver()\n\n"
        "@app.get('/tasks/<task_id>')\ndef get_task(task_id):\n"
        "    logger.info(f'task {task_id}')\n    return {}\n\n"
        "def handler(event, context):\n    return app.resolve(event, context)\n"
    )
    assert lint_example(LogWholeEvent, Example(code), tmp_path) == []


def test_a_handler_reading_custom_resource_keys_is_not_followed(tmp_path: Path) -> None:
    code = (
        "import os\n\ndef handler(event, context):\n"
        "    if event['RequestType'] == 'Create':\n"
        "        os.system('setup ' + event['ResourceProperties']['Name'])\n"
    )
    assert lint_example(EventToShell, Example(code), tmp_path) == []


VALIDATED_APP = """\
import sqlite3

from validation import customer_id

db = sqlite3.connect("/tmp/orders.db")


def handler(event, context):
    customer = customer_id(event["pathParameters"]["customer"])
    return db.execute(f"SELECT * FROM orders WHERE customer = '{customer}'").fetchall()
"""

# the team's own check: the linter cannot see that it only lets safe ids through
VALIDATION = """\
import re


def customer_id(text):
    if not re.fullmatch(r"[a-z0-9-]{1,40}", text):
        raise ValueError("not a customer id")
    return text
"""


def test_a_configured_sanitiser_cleans_what_passes_through_it(tmp_path: Path) -> None:
    files = {"validation.py": VALIDATION}
    (finding,) = lint_example(EventToSql, Example(VALIDATED_APP, files=files), tmp_path / "a")
    assert "passed to customer_id() as `text`" in finding.message
    configured = Example(
        VALIDATED_APP,
        files=files,
        config={"security": {"sanitisers": ["validation.customer_id"]}},
    )
    assert lint_example(EventToSql, configured, tmp_path / "b") == []


def test_a_badly_typed_sanitisers_setting_stops_the_run_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "app.py").write_text(VALIDATED_APP)
    (tmp_path / "validation.py").write_text(VALIDATION)
    (tmp_path / "lambda-lint.toml").write_text(
        '[security]\nsanitisers = "validation.customer_id"\n'
    )
    result = check(tmp_path, monkeypatch)
    assert result.exit_code == 2
    assert "sanitisers" in result.stderr and "must be a list of strings" in result.stderr


TWO_WAYS = """\
import sqlite3
from json import loads

from chalice import Chalice

app = Chalice(app_name="readings")
db = sqlite3.connect("/tmp/readings.db")


@app.on_sns_message(topic="readings")
def react(event):
    try:
        reading = loads(event.message)
        sensor = event.subject
        if "value" in reading:
            with db.cursor() as cur:
                cur.execute("INSERT INTO readings VALUES ('%s', %s)" % (sensor, reading["value"]))
    except Exception as error:
        return str(error)
"""


COMMAND = (sys.executable, "-m", "lambda_lint", "check", ".", "--no-cache")


def test_the_way_shown_to_a_sink_is_the_same_in_every_process(tmp_path: Path) -> None:
    # Two values of the event reach the sink as the same place of it (both derived from
    # the event object); which way the message shows must not follow the string hashes
    # of the process.
    (tmp_path / "app.py").write_text(TWO_WAYS)
    messages = set()
    for seed in ("1", "2", "3", "4", "5", "6"):
        run = subprocess.run(
            [*COMMAND, "--select", "LL601", "--output-format", "json"],
            cwd=tmp_path,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
        )
        found = json.loads(run.stdout)
        assert [f["code"] for f in found] == ["LL601"]
        messages.add(found[0]["message"])
    assert len(messages) == 1
    assert "event.subject (line 14)" in messages.pop()
