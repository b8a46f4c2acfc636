"""`--fix`, `--unsafe-fixes`, `--diff`, `--show-fixes`, the fix helpers of
`CheckContext`, and the fixes of LL104, LL106, LL501 and LL502."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import libcst as cst
import pytest
from click.testing import CliRunner, Result

from lambda_lint.api import Linter
from lambda_lint.cli import main
from lambda_lint.config import load_config_file
from lambda_lint.finding import Fix
from lambda_lint.fix import FixOutcome, apply_fixes
from lambda_lint.registry import RuleSet, load_rules
from lambda_lint.rule import Rule

# -- helpers ---------------------------------------------------------------------------


def project(folder: Path, files: dict[str, str | bytes]) -> dict[str, Path]:
    """A project in `folder` (marked by an empty `lambda-lint.toml`)."""
    (folder / "lambda-lint.toml").write_text("", encoding="utf-8")
    written = {}
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
        written[name] = path
    return written


def run(
    folder: Path, monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str | None = None
) -> Result:
    monkeypatch.chdir(folder)
    try:  # click < 8.2 (Python 3.9) mixes stderr into stdout unless told not to
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        runner = CliRunner()
    return runner.invoke(main, ["check", "--no-cache", *args], input=stdin)


def fingerprint(path: Path) -> tuple[bytes, int, int]:
    info = path.stat()
    return path.read_bytes(), info.st_mtime_ns, info.st_ino


def codes(result: Result) -> list[str]:
    return [f["code"] for f in json.loads(result.stdout)]


# -- the rules' fixes through the CLI --------------------------------------------------------

CONTEXT_CODE = '''\
"""Orders."""


def handler(event, context):
    # keep this comment
    if context.get_remaining_time_in_millis < 1000:   # odd  spacing
        return None
    rid = context.request_id  # trailing
    arn = (context.function_arn)
    return {"rid": rid, "arn": arn}
'''
CONTEXT_FIXED = '''\
"""Orders."""


def handler(event, context):
    # keep this comment
    if context.get_remaining_time_in_millis() < 1000:   # odd  spacing
        return None
    rid = context.aws_request_id  # trailing
    arn = (context.invoked_function_arn)
    return {"rid": rid, "arn": arn}
'''


def test_fix_applies_safe_fixes_and_keeps_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = project(tmp_path, {"app.py": CONTEXT_CODE})
    result = run(tmp_path, monkeypatch, "--fix", "--output-format", "json", "app.py")
    assert files["app.py"].read_text(encoding="utf-8") == CONTEXT_FIXED
    assert result.exit_code == 0, result.output
    assert codes(result) == []
    again = run(tmp_path, monkeypatch, "--output-format", "json", "app.py")
    assert again.exit_code == 0 and codes(again) == []


def test_fix_reports_the_fixed_count_and_show_fixes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, {"app.py": CONTEXT_CODE})
    result = run(tmp_path, monkeypatch, "--fix", "--show-fixes", "app.py")
    assert "Fixed 3 errors." in result.stdout
    assert result.stderr.splitlines() == [
        "app.py: 1 \N{MULTIPLICATION SIGN} LL501 (Rename to `aws_request_id`)",
        "app.py: 1 \N{MULTIPLICATION SIGN} LL501 (Rename to `invoked_function_arn`)",
        "app.py: 1 \N{MULTIPLICATION SIGN} LL502 (Call `get_remaining_time_in_millis()`)",
    ]


def test_a_misspelled_method_read_as_a_value_gets_the_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = "def handler(event, context):\n    return context.remaining_time > 100\n"
    files = project(tmp_path, {"app.py": code})
    run(tmp_path, monkeypatch, "--fix", "app.py")
    assert files["app.py"].read_text(encoding="utf-8") == (
        "def handler(event, context):\n    return context.get_remaining_time_in_millis() > 100\n"
    )


def test_no_suggestion_no_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, {"app.py": "def handler(event, context):\n    return context.zzz\n"})
    result = run(tmp_path, monkeypatch, "--output-format", "json", "app.py")
    [finding] = json.loads(result.stdout)
    assert finding["code"] == "LL501" and finding["fix"] is None


def test_ll502_other_cases_have_no_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = (
        "def handler(event, context):\n"
        "    size = context.memory_limit_in_mb * 2\n"
        "    return context.client_context.custom\n"
    )
    project(tmp_path, {"app.py": code})
    result = run(tmp_path, monkeypatch, "--output-format", "json", "app.py")
    findings = json.loads(result.stdout)
    assert [f["code"] for f in findings] == ["LL502", "LL502"]
    assert all(f["fix"] is None for f in findings)


@pytest.mark.parametrize(
    ("code", "fixed"),
    [
        (
            "def lambda_handler(_context, _event):\n    return None\n",
            "def lambda_handler(_event, _context):\n    return None\n",
        ),
        (
            "def handler(\n    context,  # first\n    event,\n):\n    return 1\n",
            "def handler(\n    event,  # first\n    context,\n):\n    return 1\n",
        ),
        # the body uses a name: which one is meant is for the author to say
        ("def handler(context, event):\n    return event\n", None),
        ("def handler(context, event):\n    return locals()\n", None),
        ("def handler(context: dict, event):\n    return 1\n", None),
        ("def handler(context, event=None):\n    return 1\n", None),
        (
            "from aws_lambda_powertools import Tracer\n\ntracer = Tracer()\n\n\n"
            "@tracer.capture_lambda_handler\ndef handler(context, event):\n    return 1\n",
            None,
        ),
    ],
)
def test_ll104_swaps_unused_parameters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str, fixed: str | None
) -> None:
    files = project(tmp_path, {"app.py": code})
    before = fingerprint(files["app.py"])
    result = run(tmp_path, monkeypatch, "--select", "LL104", "--fix", "app.py")
    if fixed is None:
        assert fingerprint(files["app.py"]) == before
        assert result.exit_code == 1
    else:
        assert files["app.py"].read_text(encoding="utf-8") == fixed
        assert result.exit_code == 0, result.output


def test_ll106_is_fixed_only_with_unsafe_fixes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = (
        "from datetime import date, datetime\n\n"
        "def handler(event, context):\n"
        "    return {\n"
        "        # when\n"
        '        "at": datetime.now(),\n'
        '        "ids": {1, 2},\n'
        "    }\n\n"
        "def other(event, context):\n"
        "    seen = set()\n"
        "    return seen\n"
    )
    files = project(tmp_path, {"app.py": code})
    config = tmp_path / "lambda-lint.toml"
    config.write_text('handlers = ["app.handler", "app.other"]\n', encoding="utf-8")
    before = fingerprint(files["app.py"])
    safe = run(tmp_path, monkeypatch, "--fix", "--select", "LL106", "app.py")
    assert safe.exit_code == 1
    assert fingerprint(files["app.py"]) == before  # only unsafe fixes: nothing written
    assert (
        "No fixes available (2 hidden fixes can be enabled with the `--unsafe-fixes` option)."
        in safe.stdout
    )
    shown = run(tmp_path, monkeypatch, "--unsafe-fixes", "--select", "LL106", "app.py")
    assert shown.exit_code == 1 and fingerprint(files["app.py"]) == before  # shown, not applied
    result = run(tmp_path, monkeypatch, "--fix", "--unsafe-fixes", "--select", "LL106", "app.py")
    assert result.exit_code == 0, result.output
    assert files["app.py"].read_text(encoding="utf-8") == code.replace(
        "datetime.now(),", "datetime.now().isoformat(),"
    ).replace("{1, 2},", "sorted({1, 2}),").replace("return seen", "return sorted(seen)")


def test_ll106_other_kinds_have_no_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = "import uuid\n\ndef handler(event, context):\n    return {'id': uuid.uuid4()}\n"
    project(tmp_path, {"app.py": code})
    result = run(tmp_path, monkeypatch, "--output-format", "json", "--select", "LL106", "app.py")
    [finding] = json.loads(result.stdout)
    assert finding["fix"] is None


# -- --diff, files on disk -------------------------------------------------------------------


def test_diff_writes_nothing_and_prints_a_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = project(tmp_path, {"app.py": CONTEXT_CODE})
    before = fingerprint(files["app.py"])
    result = run(tmp_path, monkeypatch, "--diff", "app.py")
    assert fingerprint(files["app.py"]) == before
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:2] == ["--- a/app.py", "+++ b/app.py"]
    assert "-    rid = context.request_id  # trailing" in lines
    assert "+    rid = context.aws_request_id  # trailing" in lines
    assert not any(name.endswith(".tmp") for name in os.listdir(tmp_path))


def test_diff_is_empty_and_exit_zero_without_fixes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, {"app.py": "def handler(event, context):\n    return context.zzz\n"})
    result = run(tmp_path, monkeypatch, "--diff", "app.py")
    assert result.exit_code == 0 and result.stdout == ""


def test_diff_marks_a_missing_final_newline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, {"app.py": "def handler(event, context):\n    return context.request_id"})
    result = run(tmp_path, monkeypatch, "--diff", "app.py")
    assert result.stdout.endswith(
        "+    return context.aws_request_id\n\\ No newline at end of file\n\nWould fix 1 error.\n"
    )


def test_fix_keeps_permissions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = project(tmp_path, {"app.py": CONTEXT_CODE})
    files["app.py"].chmod(0o640)
    run(tmp_path, monkeypatch, "--fix", "app.py")
    assert files["app.py"].read_text(encoding="utf-8") == CONTEXT_FIXED
    assert stat.S_IMODE(files["app.py"].stat().st_mode) == 0o640


def test_files_without_fixes_are_never_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = project(
        tmp_path,
        {
            "app.py": CONTEXT_CODE,
            "clean.py": "def handler(event, context):\n    return context.aws_request_id\n",
            "unfixable.py": "def handler(event, context):\n    return context.zzz\n",
        },
    )
    before = {name: fingerprint(files[name]) for name in ("clean.py", "unfixable.py")}
    run(tmp_path, monkeypatch, "--fix", ".")
    assert files["app.py"].read_text(encoding="utf-8") == CONTEXT_FIXED
    assert {name: fingerprint(files[name]) for name in before} == before


def test_newlines_bom_and_coding_cookie_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crlf = CONTEXT_CODE.replace("\n", "\r\n").encode("utf-8")
    bom = b"\xef\xbb\xbf" + CONTEXT_CODE.encode("utf-8")
    latin = (
        "# -*- coding: latin-1 -*-\n"
        "def handler(event, context):\n"
        "    return {'caf\xe9': context.request_id}\n"
    ).encode("latin-1")
    files = project(tmp_path, {"crlf.py": crlf, "bom.py": bom, "latin.py": latin})
    result = run(tmp_path, monkeypatch, "--fix", ".")
    assert result.exit_code == 0, result.output
    assert files["crlf.py"].read_bytes() == CONTEXT_FIXED.replace("\n", "\r\n").encode("utf-8")
    assert files["bom.py"].read_bytes() == b"\xef\xbb\xbf" + CONTEXT_FIXED.encode("utf-8")
    assert files["latin.py"].read_bytes() == latin.replace(b"request_id", b"aws_request_id")


def test_stdin_fix_prints_the_fixed_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = project(tmp_path, {"app.py": "x = 1\n"})
    before = fingerprint(files["app.py"])
    result = run(tmp_path, monkeypatch, "--fix", "--stdin-filename", "app.py", stdin=CONTEXT_CODE)
    assert result.stdout == CONTEXT_FIXED
    assert "Fixed 3 errors." in result.stderr
    assert result.exit_code == 0
    assert fingerprint(files["app.py"]) == before


def test_json_output_carries_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, {"app.py": "def handler(event, context):\n    return context.request_id\n"})
    result = run(tmp_path, monkeypatch, "--output-format", "json", "app.py")
    [finding] = json.loads(result.stdout)
    assert finding["fix"] == {
        "applicability": "safe",
        "message": "Rename to `aws_request_id`",
        "edits": [
            {
                "content": "aws_request_id",
                "location": {"row": 2, "column": 20},
                "end_location": {"row": 2, "column": 30},
            }
        ],
    }
    project(tmp_path, {"app.py": "def handler(event, context):\n    return {1, 2}\n"})
    result = run(tmp_path, monkeypatch, "--output-format", "json", "app.py")
    [finding] = json.loads(result.stdout)
    assert finding["fix"]["applicability"] == "unsafe"
    assert [(e["content"], e["location"]) for e in finding["fix"]["edits"]] == [
        ("sorted(", {"row": 2, "column": 12}),
        (")", {"row": 2, "column": 18}),
    ]


# -- apply_fixes with test rules: overlaps, cycles, broken fixes, the helpers ----------------


class WrapF(Rule):
    """Reports `f(...)`; the fix rewrites it as `h(...)` (a replacement of the call)."""

    code = "TST001"
    name = "wrap-f"
    summary = "f() call"
    fixable = "safe"

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "f":
            new = node.with_changes(func=cst.Name("h"))
            self.report(node, "f()", fix=self.context.replacement(node, new, "Use h()"))


class AToB(Rule):
    """Reports `a`; the fix renames it `b`."""

    code = "TST002"
    name = "a-to-b"
    summary = "a"
    fixable = "safe"
    FROM, TO = "a", "b"

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.FROM:
            fix = self.context.replacement(node, self.TO, f"Rename to {self.TO}")
            self.report(node, self.FROM, fix=fix)


class BToA(AToB):
    code = "TST003"
    name = "b-to-a"
    FROM, TO = "b", "a"


class Breaks(Rule):
    """Reports `bad`; its fix writes invalid code. Reports `good`; its fix is fine."""

    code = "TST004"
    name = "breaks"
    summary = "bad"
    fixable = "safe"

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "bad":
            self.report(node, "bad", fix=self.context.replacement(node, "(", "Break"))
        elif node.value == "good":
            self.report(node, "good", fix=self.context.replacement(node, "fine", "Mend"))


class NeedsBoto3(Rule):
    """Reports `client(...)`; the fix calls `boto3.client` and imports boto3."""

    code = "TST005"
    name = "needs-boto3"
    summary = "client()"
    fixable = "safe"
    IMPORT: ClassVar[str] = "import boto3"

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "client":
            edits = [self.context.edit_replacing(node.func, "boto3.client")]
            insertion = self.context.insertion_at_top(self.IMPORT)
            if insertion is not None:
                edits.append(insertion)
            self.report(node, "client()", fix=Fix("safe", "Use boto3.client", tuple(edits)))


class Reindent(Rule):
    """Reports `return {...}` dicts; the fix replaces the dict with a copy of itself
    that gains a key, to show multi-line replacements keep their indentation."""

    code = "TST006"
    name = "reindent"
    summary = "dict"
    fixable = "safe"

    def visit_Dict(self, node: cst.Dict) -> None:
        names = [e.key.value for e in node.elements if isinstance(e, cst.DictElement)]
        if "'added'" in names:
            return
        element = cst.DictElement(cst.SimpleString("'added'"), cst.Integer("1"))
        last = node.elements[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        new = node.with_changes(elements=[*node.elements[:-1], last, element])
        self.report(node, "dict", fix=self.context.replacement(node, new, "Add a key"))


def fix_with(
    folder: Path, rules: list[type[Rule]], files: dict[str, str], *, write: bool = True
) -> tuple[dict[str, Path], FixOutcome]:
    written = project(folder, files)
    settings = load_config_file(folder / "lambda-lint.toml")
    known = dict(load_rules().rules)
    known.update({rule.code: rule for rule in rules})
    linter = Linter(settings, RuleSet(known), {rule.code for rule in rules}, cwd=folder)
    result = linter.lint([folder])
    return written, apply_fixes(linter, [folder], result, write=write)


def test_overlapping_fixes_converge(tmp_path: Path) -> None:
    files, outcome = fix_with(tmp_path, [WrapF], {"m.py": "x = f(f(1), f(2))  # note\n"})
    assert files["m.py"].read_text(encoding="utf-8") == "x = h(h(1), h(2))  # note\n"
    assert outcome.fixed == 3
    assert outcome.result.findings == []


def test_a_cycle_stops(tmp_path: Path) -> None:
    files, outcome = fix_with(tmp_path, [AToB, BToA], {"m.py": "a = 1\n"})
    assert files["m.py"].read_text(encoding="utf-8") in ("a = 1\n", "b = 1\n")
    assert any("converge" in p for p in outcome.problems)


def test_a_fix_that_breaks_the_syntax_is_not_applied(tmp_path: Path) -> None:
    files, outcome = fix_with(tmp_path, [Breaks], {"m.py": "bad = good\n"})
    assert files["m.py"].read_text(encoding="utf-8") == "bad = fine\n"
    assert [p for p in outcome.problems if "syntax error" in p]


def test_without_write_nothing_is_written(tmp_path: Path) -> None:
    files, outcome = fix_with(tmp_path, [WrapF], {"m.py": "x = f(1)\n"}, write=False)
    assert files["m.py"].read_text(encoding="utf-8") == "x = f(1)\n"
    assert outcome.texts == {files["m.py"].resolve(): "x = h(1)\n"}
    assert outcome.written == []


def test_replacement_keeps_the_indentation_of_multiline_code(tmp_path: Path) -> None:
    code = (
        "def handler(event, context):\n"
        "    if event:\n"
        "        return {\n"
        "            # first\n"
        "            'a': 1,\n"
        "        }\n"
    )
    files, _ = fix_with(tmp_path, [Reindent], {"m.py": code})
    assert files["m.py"].read_text(encoding="utf-8") == code.replace(
        "            'a': 1,\n", "            'a': 1, 'added': 1\n"
    )


@pytest.mark.parametrize(
    ("code", "fixed"),
    [
        ("c = client('s3')\n", "import boto3\nc = boto3.client('s3')\n"),
        (
            '"""Doc."""\nfrom __future__ import annotations\nimport os\n\n'
            '# why\nc = client("s3")\n',
            '"""Doc."""\nfrom __future__ import annotations\nimport os\nimport boto3\n\n'
            '# why\nc = boto3.client("s3")\n',
        ),
        (
            "#!/usr/bin/env python\n# licence\n\n# about c\nc = client('s3')\n",
            "#!/usr/bin/env python\n# licence\n\nimport boto3\n# about c\nc = boto3.client('s3')\n",
        ),
        (
            "import json\nimport boto3\n\nc = client('s3')\nd = client('sqs')\n",
            "import json\nimport boto3\n\nc = boto3.client('s3')\nd = boto3.client('sqs')\n",
        ),
        (
            "import os\r\n\r\nc = client('s3')\r\nd = client('sqs')\r\n",
            "import os\r\nimport boto3\r\n\r\n"
            "c = boto3.client('s3')\r\nd = boto3.client('sqs')\r\n",
        ),
    ],
)
def test_insertion_at_top(tmp_path: Path, code: str, fixed: str) -> None:
    files, outcome = fix_with(tmp_path, [NeedsBoto3], {"m.py": code})
    assert files["m.py"].read_bytes().decode("utf-8") == fixed
    assert outcome.result.findings == []


def test_insertion_at_top_rejects_what_is_not_an_import(tmp_path: Path) -> None:
    class NotAnImport(NeedsBoto3):
        code = "TST007"
        name = "not-an-import"
        IMPORT = "boto3 = None"

    _, outcome = fix_with(tmp_path, [NotAnImport], {"m.py": "c = client('s3')\n"})
    assert outcome.result.internal_errors


def test_unsafe_fix_hoists_a_constant_client_to_module_scope(tmp_path: Path) -> None:
    source = (
        '"""Orders."""\nimport json\n\nimport boto3\n\n\n'
        "def handler(event, context):\n"
        '    s3 = boto3.client("s3")\n'
        '    return json.loads(s3.get_object(Bucket="b", Key=event["key"])["Body"].read())\n'
    )
    (tmp_path / "app.py").write_text(source)
    safe_only = subprocess.run(
        [sys.executable, "-m", "lambda_lint", "check", "--fix", "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert safe_only.returncode == 1 and (tmp_path / "app.py").read_text() == source
    unsafe = subprocess.run(
        [sys.executable, "-m", "lambda_lint", "check", "--fix", "--unsafe-fixes", "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert unsafe.returncode == 0, unsafe.stdout
    fixed = (tmp_path / "app.py").read_text()
    assert 'import boto3\n\ns3 = boto3.client("s3")\n' in fixed
    assert '    s3 = boto3.client("s3")' not in fixed


def test_hoisting_keeps_multiline_statements_and_text_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = (
        '"""Commandes à traiter."""\n'
        "import boto3\n"
        "from json import (\n    dumps,\n    loads,\n)  # « é »\n\n\n"
        "def handler(event, context):\n"
        '    """Liste les « seaux »."""\n'
        "    s3 = boto3.client(\n"
        '        "s3",\n'
        '        region_name="eu-west-3",  # Paris\n'
        "    )\n"
        '    return dumps({"clé": len(s3.list_buckets()["Buckets"])}), loads\n'
    )
    files = project(tmp_path, {"app.py": source})
    result = run(tmp_path, monkeypatch, "--fix", "--unsafe-fixes", "app.py")
    assert result.exit_code == 0, result.output
    assert files["app.py"].read_text(encoding="utf-8") == (
        '"""Commandes à traiter."""\n'
        "import boto3\n"
        "from json import (\n    dumps,\n    loads,\n)  # « é »\n\n"
        "s3 = boto3.client(\n"
        '    "s3",\n'
        '    region_name="eu-west-3",  # Paris\n'
        ")\n\n\n"
        "def handler(event, context):\n"
        '    """Liste les « seaux »."""\n'
        '    return dumps({"clé": len(s3.list_buckets()["Buckets"])}), loads\n'
    )
