"""Incremental runs: after each edit, a run that reuses the cached findings of the files
it did not have to check again reports exactly what a run without the cache reports."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lambda_lint.api import Linter
from lambda_lint.cache import Cache
from lambda_lint.cli import main
from lambda_lint.config import Settings
from lambda_lint.registry import load_rules
from lambda_lint.slices import Slices

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Stop:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
"""
APP = "from helpers import stop\n\n\ndef handler(event, context):\n    stop()\n"
HELPERS = "import sys\n\n\ndef stop():\n    sys.exit(1)\n"
OTHER = "import os\n\n\ndef handler(event, context):\n    os._exit(0)\n"


def lint(folder: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, ["check", "--output-format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def assert_incremental_matches_fresh(folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The cached run (which follows a run before the edit) and a fresh run agree to
    the byte, and so does a second cached run, answered from the cache alone."""
    cached = lint(folder, monkeypatch)
    fresh = lint(folder, monkeypatch, "--no-cache", "--jobs", "1")
    assert cached == fresh
    assert lint(folder, monkeypatch) == fresh
    return fresh


def edits_of_a_small_project(folder: Path) -> Iterator[str]:
    """Edits whose effect shows in another file than the one edited."""
    (folder / "template.yaml").write_text(TEMPLATE)
    (folder / "app.py").write_text(APP)
    (folder / "helpers.py").write_text(HELPERS)
    yield "the project"
    (folder / "app.py").write_text(APP.replace("    stop()\n", "    print('no stop')\n"))
    yield "a body-only edit: the handler no longer calls the helper"
    (folder / "app.py").write_text(APP.replace("stop()", "stop(1)"))
    (folder / "helpers.py").write_text(HELPERS.replace("stop()", "stop(code)"))
    yield "a signature change"
    (folder / "other.py").write_text(OTHER)
    (folder / "app.py").write_text("import other\n" + APP)
    yield "a new import"
    (folder / "template.yaml").write_text(TEMPLATE.replace("app.handler", "other.handler"))
    yield "a descriptor change"
    (folder / "helpers.py").unlink()
    yield "a file deleted"


def test_each_edit_gives_the_findings_of_a_fresh_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = [
        assert_incremental_matches_fresh(tmp_path, monkeypatch)
        for _ in edits_of_a_small_project(tmp_path)
    ]
    assert '"LL107"' in outputs[0], "the helper's exit is reported while the handler calls it"
    assert '"LL107"' not in outputs[1], "and no longer once it does not"
    assert len(set(outputs)) > 2, "the edits change what is reported"


RESOURCE = """\
import boto3


def handler(event, context):
    client = boto3.client("s3")
    return client.list_buckets()
"""
CUSTOM_RESOURCE_READS = (
    '    kind, resource = event["RequestType"], event["PhysicalResourceId"]\n'
    '    client = boto3.client("s3")\n'
)


def test_a_handler_becoming_a_custom_resource_is_judged_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a handler no trigger names is a custom resource (its keys read on every
    path) is kept per file between runs: an edit of its file is seen, an edit of
    another file leaves it alone."""
    (tmp_path / "lambda-lint.toml").write_text("")
    (tmp_path / "resource.py").write_text(RESOURCE)
    (tmp_path / "other.py").write_text(OTHER)
    before = assert_incremental_matches_fresh(tmp_path, monkeypatch)
    custom = RESOURCE.replace('    client = boto3.client("s3")\n', CUSTOM_RESOURCE_READS)
    (tmp_path / "resource.py").write_text(custom)
    after = assert_incremental_matches_fresh(tmp_path, monkeypatch)
    (tmp_path / "other.py").write_text(OTHER + "\n")
    unchanged = assert_incremental_matches_fresh(tmp_path, monkeypatch)
    (tmp_path / "resource.py").write_text(RESOURCE)
    again = assert_incremental_matches_fresh(tmp_path, monkeypatch)
    reported = [
        [f["code"] for f in json.loads(out) if "resource.py" in f["filename"]]
        for out in (before, after, unchanged, again)
    ]
    assert reported == [["LL301"], [], [], ["LL301"]]


def test_edits_to_a_fixture_project_give_the_findings_of_a_fresh_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "app"
    shutil.copytree(FIXTURES / "serverless-app", folder)
    assert_incremental_matches_fresh(folder, monkeypatch)
    store = folder / "lib" / "store.py"
    original = store.read_text()
    store.write_text(original + "\n\ndef purge(table):\n    table.delete()\n")
    assert_incremental_matches_fresh(folder, monkeypatch)
    store.write_text(
        "import time\n"
        + original.replace("    return written", "    time.sleep(1)\n    return written")
    )
    assert_incremental_matches_fresh(folder, monkeypatch)
    api = folder / "handlers" / "api.py"
    api.write_text(
        api.read_text().replace("from lib import store\n", "from lib import store\nimport lib\n")
    )
    assert_incremental_matches_fresh(folder, monkeypatch)
    (folder / "handlers" / "audit.py").unlink()
    assert_incremental_matches_fresh(folder, monkeypatch)


TWO_HANDLERS = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Predict:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: predict.handler
  Query:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: query.handler
      Events:
        Api:
          Type: Api
          Properties:
            Path: /orders
            Method: get
"""
PREDICT = "import model\n\n\ndef handler(event, context):\n    return model.predict(event)\n"
MODEL = "import torch\n\n\ndef predict(event):\n    return torch.tensor(1)\n"
QUERY = """\
import sqlite3

from sql import where

db = sqlite3.connect(":memory:")


def handler(event, context):
    return db.execute(where(event["queryStringParameters"]["name"])).fetchall()
"""
SQL = "def where(name):\n    return \"SELECT * FROM t WHERE name = '%s'\" % name\n"


def edits_to_handlers(folder: Path) -> Iterator[str]:
    """Edits that change what the project rules report for one handler (the INIT budget,
    a flow of event data to a sink), in a module the handler reaches."""
    (folder / "template.yaml").write_text(TWO_HANDLERS)
    (folder / "predict.py").write_text(PREDICT)
    (folder / "model.py").write_text(MODEL)
    (folder / "query.py").write_text(QUERY)
    (folder / "sql.py").write_text(SQL)
    yield "the project"
    (folder / "model.py").write_text('"""The model."""\n\n' + MODEL)
    yield "the heavy import moves down two lines"
    (folder / "model.py").write_text(MODEL.replace("import torch\n", ""))
    yield "the heavy import is gone"
    (folder / "sql.py").write_text(SQL.replace("% name", "% int(name)"))
    yield "the query takes a number"
    (folder / "model.py").write_text("import pandas\nimport sklearn\n" + MODEL)
    yield "heavier imports come back"
    (folder / "sql.py").write_text(SQL)
    yield "the query takes the text again"
    (folder / "template.yaml").write_text(TWO_HANDLERS.replace("predict.handler", "model.predict"))
    yield "the function runs the model's function as its handler"


def test_each_edit_to_a_handler_gives_the_project_findings_of_a_fresh_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = [
        assert_incremental_matches_fresh(tmp_path, monkeypatch) for _ in edits_to_handlers(tmp_path)
    ]
    budget = [output.count('"LL203"') for output in outputs]
    sql = [output.count('"LL601"') for output in outputs]
    assert budget[:5] == [1, 1, 0, 0, 1], "the INIT budget follows the imports of model.py"
    assert import_rows(outputs[0]) == [1] and import_rows(outputs[1]) == [3], "and their lines"
    assert sql[:6] == [1, 1, 1, 0, 0, 1], "the flow to the query follows sql.py"
    assert "INIT imports of `predict`" in outputs[6], "the new handler is judged"


def import_rows(output: str) -> list[int]:
    """The lines LL203 shows the heaviest imports at."""
    return [
        related["location"]["row"]
        for finding in json.loads(output)
        if finding["code"] == "LL203"
        for related in finding["related"]
    ]


class CountingCache(Cache):
    """A cache that counts, by kind, the entries it answers and those it misses."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.hits: Counter[str] = Counter()
        self.misses: Counter[str] = Counter()

    def get(self, kind: str, key: str, hint: Any) -> Any | None:
        found = super().get(kind, key, hint)
        (self.misses if found is None else self.hits)[kind] += 1
        return found


def test_a_handler_nothing_changed_for_is_not_judged_again(tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    next(edits_to_handlers(tmp_path / "project"))
    settings, ruleset = Settings(), load_rules()
    cache = CountingCache(tmp_path / "cache")

    def run() -> list[str]:
        linter = Linter(settings, ruleset, {"LL203"}, tmp_path, cache, jobs=1)
        return [f.path for f in linter.lint([tmp_path / "project"]).findings]

    assert run() == ["project/predict.py"] and cache.hits["unit-result"] == 0
    (tmp_path / "project" / "query.py").write_text(QUERY + "\n")
    assert run() == ["project/predict.py"]
    assert cache.hits["unit-result"] == 1, "the predict handler's result is reused, not the query's"


SHARED_MODULE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: orders.handler
  Refunds:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: refunds.handler
"""
ORDERS = "import common\n\n\ndef handler(event, context):\n    return common.render(event)\n"
REFUNDS = (
    "import common\n\n\ndef handler(event, context):\n    return common.render(event['refund'])\n"
)
COMMON = "import json\n\n\ndef render(event):\n    return json.dumps(event)\n"
RARE_PANDAS = """\
import json
import re

import pandas


def render(event):
    try:
        return json.dumps(event)
    except TypeError:
        return pandas.DataFrame(event).to_json()
"""


def edits_to_a_shared_module(folder: Path) -> Iterator[str]:
    """Edits to the INIT imports of a module two handlers load, and to bodies that
    decide how its imports are used."""
    (folder / "template.yaml").write_text(SHARED_MODULE)
    (folder / "orders.py").write_text(ORDERS)
    (folder / "refunds.py").write_text(REFUNDS)
    (folder / "common.py").write_text(COMMON)
    yield "the project"
    (folder / "common.py").write_text(RARE_PANDAS)
    yield "a heavy import, used only when rendering fails"
    (folder / "common.py").write_text(
        RARE_PANDAS.replace("json.dumps(event)", "pandas.io.json.dumps(event)")
    )
    yield "a body-only edit: the heavy module is used on the main path"
    (folder / "common.py").write_text(
        RARE_PANDAS.replace("pandas.DataFrame(event).to_json()", "None")
    )
    yield "a body-only edit: the heavy module is never used"
    (folder / "orders.py").write_text(
        ORDERS.replace("import common\n", "import json\n").replace("common.render", "json.dumps")
    )
    yield "one handler no longer loads the shared module"
    (folder / "orders.py").write_text(ORDERS)
    yield "it loads it again"
    (folder / "common.py").write_text(COMMON.replace("event)", "event, indent=2)"))
    yield "the heavy import is gone, with a body-only edit"


def test_each_edit_to_a_shared_module_gives_the_findings_of_a_fresh_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = [
        assert_incremental_matches_fresh(tmp_path, monkeypatch)
        for _ in edits_to_a_shared_module(tmp_path)
    ]
    rare = [output.count('"LL202"') for output in outputs]
    unused = [output.count('"LL201"') for output in outputs]
    both = ["and 1 other handler" in output for output in outputs]
    assert rare == [0, 1, 0, 0, 0, 0, 0], "the rare use follows the bodies of common.py"
    assert unused == [0, 0, 0, 1, 1, 1, 0], "and so does the unused import"
    assert both == [False, False, False, True, False, True, False], (
        "the saving counts the handlers that load common.py, after an edit elsewhere"
    )


def test_a_body_only_edit_computes_again_only_what_reads_the_body(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    edits = edits_to_a_shared_module(project)
    next(edits)
    next(edits)
    settings, ruleset = Settings(), load_rules()
    cache = CountingCache(tmp_path / "cache")
    looked_at: list[str] = []
    successors = Slices._successors

    def spy(slices: Slices, path: Path) -> set[Path]:
        looked_at.append(path.name)
        return successors(slices, path)

    monkeypatch.setattr(Slices, "_successors", spy)

    def run() -> list[str]:
        linter = Linter(settings, ruleset, ruleset.select(("ALL",)), tmp_path, cache, jobs=1)
        return [f.code for f in linter.lint([project]).findings]

    assert "LL202" in run()
    assert sorted(looked_at) == ["common.py", "orders.py", "refunds.py"]
    for reported in ([], ["LL201"]):  # body-only edits: pandas used on the main path, then unused
        looked_at.clear()
        cache.hits.clear()
        next(edits)
        assert [code for code in run() if code in ("LL201", "LL202")] == reported
        assert looked_at == ["common.py"], "only the calls of the edited module are looked at"
    assert cache.hits["analysis"] >= 3, (
        "the INIT modules, what each handler's INIT loads and the other modules' calls are read back"
    )


SHARED_HELPER = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: orders.handler
      Events:
        Api:
          Type: Api
          Properties:
            Path: /orders
            Method: get
  Refunds:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: refunds.handler
      Events:
        Api:
          Type: Api
          Properties:
            Path: /refunds
            Method: get
"""
LOOKUP = """\
import sqlite3

db = sqlite3.connect(":memory:")


def find(name):
    return db.execute("SELECT * FROM t WHERE name = '%s'" % name).fetchall()
"""
LOOKUP_ORDERS = """\
from lookup import find


def handler(event, context):
    return find(event["queryStringParameters"]["name"])
"""
LOOKUP_REFUNDS = (
    'from lookup import find\n\n\ndef handler(event, context):\n    return find("all")\n'
)


def edits_to_a_shared_helper(folder: Path) -> Iterator[str]:
    """Two handlers that call one helper with a sink; edits that change, or leave
    alone, which of them brings event data to it."""
    (folder / "template.yaml").write_text(SHARED_HELPER)
    (folder / "lookup.py").write_text(LOOKUP)
    (folder / "orders.py").write_text(LOOKUP_ORDERS)
    (folder / "refunds.py").write_text(LOOKUP_REFUNDS)
    yield "one handler brings the event to the helper"
    (folder / "refunds.py").write_text(LOOKUP_ORDERS.replace('["name"]', '["refund"]'))
    yield "both do"
    (folder / "orders.py").write_text(LOOKUP_ORDERS.replace('event["', 'int(event["') + ")\n")
    yield "only the other one does"
    (folder / "orders.py").write_text(LOOKUP_ORDERS + "\n# reviewed\n")
    yield "both again, one edited where the flow does not change"
    (folder / "lookup.py").write_text(LOOKUP.replace("% name", "% int(name)"))
    yield "the helper takes a number"
    (folder / "lookup.py").write_text('"""Lookups."""\n\n' + LOOKUP)
    yield "the helper takes the text again, two lines down"


def flow_starts(output: str) -> list[tuple[int, str]]:
    """Where each LL601 is reported and the file its flow starts in."""
    return [
        (finding["location"]["row"], Path(finding["related"][0]["filename"]).name)
        for finding in json.loads(output)
        if finding["code"] == "LL601"
    ]


def test_each_edit_to_handlers_sharing_a_helper_gives_the_flows_of_a_fresh_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = [
        assert_incremental_matches_fresh(tmp_path, monkeypatch)
        for _ in edits_to_a_shared_helper(tmp_path)
    ]
    starts = [flow_starts(output) for output in outputs]
    assert starts[0] == [(7, "orders.py")]
    assert starts[1] == [(7, "orders.py")], "one finding at the sink, the first handler's way"
    assert starts[2] == [(7, "refunds.py")], "the other handler's way once the first is safe"
    assert starts[3] == [(7, "orders.py")]
    assert starts[4] == [] and starts[5] == [(9, "orders.py")]


def test_the_flows_of_a_handler_nothing_changed_for_are_not_walked_again(
    tmp_path: Path,
) -> None:
    (tmp_path / "project").mkdir()
    next(edits_to_a_shared_helper(tmp_path / "project"))
    settings, ruleset = Settings(), load_rules()
    cache = CountingCache(tmp_path / "cache")

    def run() -> list[tuple[str, int]]:
        linter = Linter(settings, ruleset, {"LL601"}, tmp_path, cache, jobs=1)
        return [(f.path, f.start.line) for f in linter.lint([tmp_path / "project"]).findings]

    assert run() == [("project/lookup.py", 7)] and cache.hits["unit-result"] == 0
    (tmp_path / "project" / "refunds.py").write_text(LOOKUP_REFUNDS + "\n")
    assert run() == [("project/lookup.py", 7)]
    assert cache.hits["unit-result"] == 1, "the orders handler's flows are reused, not the refunds'"
    (tmp_path / "project" / "lookup.py").write_text(LOOKUP + "\n")
    assert run() == [("project/lookup.py", 7)]
    assert cache.hits["unit-result"] == 1, "an edit of the helper both reach walks both again"


PLOTTING = (
    "import matplotlib.pyplot as plt\n\nimport helper\n\n\n"
    "def handler(event, context):\n    return helper.run()\n\n\n"
    "def plot_debug(frame):\n    plt.plot(frame)\n"
)
HELPER = "import app\n\n\ndef run():\n    return 1\n"


def edits_deciding_what_a_handler_reaches(folder: Path) -> Iterator[str]:
    """Body-only edits of a module the handler calls: whether it calls on into the
    handler module's debug function decides LL202 there."""
    (folder / "template.yaml").write_text(TEMPLATE)
    (folder / "app.py").write_text(PLOTTING)
    (folder / "helper.py").write_text(HELPER)
    yield "the debug function is reached by no handler"
    (folder / "helper.py").write_text(HELPER.replace("return 1", "return app.plot_debug([1])"))
    yield "the helper calls it"
    (folder / "helper.py").write_text(HELPER.replace("return 1", "return 2"))
    yield "no longer"


def edits_deciding_what_runs_at_init(folder: Path) -> Iterator[str]:
    """Body-only edits of a module the handler module imports: whether its module scope
    calls the handler module's debug function decides whether that function runs (at
    INIT), and so LL202."""
    (folder / "template.yaml").write_text(TEMPLATE)
    (folder / "app.py").write_text(PLOTTING)
    (folder / "helper.py").write_text(HELPER)
    yield "the debug function is reached by no handler"
    (folder / "helper.py").write_text(HELPER + "\n\napp.plot_debug([0])\n")
    yield "the helper's module scope calls it"
    (folder / "helper.py").write_text(HELPER + "\n\nprint([0])\n")
    yield "no longer"


@pytest.mark.parametrize(
    "edits", [edits_deciding_what_a_handler_reaches, edits_deciding_what_runs_at_init]
)
def test_the_calls_kept_between_runs_follow_body_only_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edits: Callable[[Path], Iterator[str]]
) -> None:
    outputs = [assert_incremental_matches_fresh(tmp_path, monkeypatch) for _ in edits(tmp_path)]
    assert [output.count('"LL202"') for output in outputs] == [1, 0, 1]


def test_a_run_over_some_files_reuses_what_a_run_over_the_whole_project_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pre-commit passes the changed files, an editor its open buffers: their runs read
    back the summaries, analyses, handler results and file results a whole-project run
    kept (and report what a run without the cache reports)."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "sam-shop", project)
    monkeypatch.setenv("LAMBDA_LINT_CACHE_DIR", str(tmp_path / "cache"))
    lint(project, monkeypatch)
    monkeypatch.chdir(project)
    verbose = CliRunner().invoke(main, ["check", "--verbose", "src/carts.py"])
    [line] = [text for text in verbose.output.splitlines() if " hits, " in text]
    hits, misses = (int(n) for n in re.findall(r"(\d+) (?:hits|misses)", line))
    assert hits > 10 and misses <= 1, line
    assert lint(project, monkeypatch, "src/carts.py") == lint(
        project, monkeypatch, "src/carts.py", "--no-cache", "--jobs", "1"
    )
