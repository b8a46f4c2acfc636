"""The command line, end to end, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BUGGY_HANDLER = textwrap.dedent(
    """\
    import json


    def handler(event, context):
        body = json.loads(event.get("body") or "{}")
        return {"statusCode": 200, "body": json.dumps({"id": context.request_id, **body})}
    """
)


def run(
    *args: str, cwd: Path, stdin: str | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("NO_COLOR", None) if env is None or "NO_COLOR" not in env else None
    return subprocess.run(
        [sys.executable, "-m", "lambda_lint", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
    )


def write(folder: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_bad_files_are_reported_and_the_good_one_is_still_checked(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "broken_syntax.py": "def handler(event, context)\n    return 1\n",
            "latin1.py": b"NAME = '\xe9t\xe9'\n",
            "blob.py": b"\x00\x01\x02binary\x00",
            "empty.py": "",
            "app.py": BUGGY_HANDLER,
        },
    )
    before = snapshot(tmp_path)
    result = run("check", ".", "--output-format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    findings = json.loads(result.stdout)
    for finding in findings:  # absolute, as Ruff writes them
        finding["filename"] = os.path.relpath(finding["filename"], tmp_path)
    by_file = {(f["filename"], f["code"]) for f in findings}
    assert ("broken_syntax.py", "LL001") in by_file
    assert ("latin1.py", "LL001") in by_file
    assert ("blob.py", "LL001") in by_file
    assert ("app.py", "LL501") in by_file
    assert not any(f["filename"] == "empty.py" for f in findings)
    syntax = next(f for f in findings if f["filename"] == "broken_syntax.py")
    assert syntax["location"]["row"] == 1
    assert snapshot(tmp_path) == before


def test_json_output_uses_ruff_keys(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": BUGGY_HANDLER})
    result = run("check", "--output-format", "json", cwd=tmp_path)
    (finding,) = json.loads(result.stdout)
    assert set(finding) >= {
        "code",
        "message",
        "filename",
        "location",
        "end_location",
        "fix",
        "url",
        "noqa_row",
    }
    assert finding["code"] == "LL501"
    assert finding["filename"] == str(tmp_path / "app.py")  # absolute, as Ruff writes it
    assert finding["location"] == {"row": 6, "column": 58}
    assert finding["end_location"] == {"row": 6, "column": 76}
    assert finding["noqa_row"] == 6
    assert finding["url"].endswith("LL501.md")


def test_full_output_shows_source_and_caret_without_colour_when_piped(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": BUGGY_HANDLER})
    result = run("check", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("app.py:6:58: LL501 ")
    caret_line = next(line for line in lines if "^" in line)
    assert caret_line.index("^") == next(line for line in lines if "6 |" in line).index(
        "context.request_id"
    )
    assert "\x1b[" not in result.stdout
    assert "Found 1 error." in result.stdout


def test_exit_codes_and_flags(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": BUGGY_HANDLER})
    assert run("check", "--exit-zero", cwd=tmp_path).returncode == 0
    assert run("check", "--ignore", "LL5", cwd=tmp_path).returncode == 0
    clean = run("check", "--select", "LL1", cwd=tmp_path)
    assert clean.returncode == 0 and "All checks passed!" in clean.stdout
    stats = run("check", "--statistics", cwd=tmp_path)
    assert stats.stdout.splitlines() == [
        "1\tLL501\t[*] unknown-context-attribute",
        "Found 1 error.",
        "[*] 1 fixable with the `--fix` option.",
    ]
    quiet = run("check", "-q", "--output-format", "concise", cwd=tmp_path)
    assert quiet.stdout.strip().splitlines() == [
        "app.py:6:58: LL501 [*] the Lambda context has no attribute `request_id`; did you mean `aws_request_id`?"
    ]


def test_unknown_selector_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": BUGGY_HANDLER})
    result = run("check", "--select", "LL999", cwd=tmp_path)
    assert result.returncode == 2
    assert "LL999" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            "[tool.lambda-lint]\nselekt = ['LL1']\n",
            "unknown key 'selekt' in [tool.lambda-lint] (did you mean 'select'?)",
        ),
        ("[tool.lambda-lint]\nselect = 'LL1'\n", "'select' must be a list of strings"),
        ("[tool.lambda-lint]\nselect = ['LL9']\n", "unknown rule code or prefix: LL9"),
        ("[tool.lambda-lint\nselect = []\n", "invalid TOML"),
        (
            "[tool.lambda-lint]\nhandlers = [{ target = 'app.handler', trigger = 'sqss' }]\n",
            "(did you mean 'sqs'?)",
        ),
    ],
)
def test_config_errors_name_the_key_and_file(tmp_path: Path, config: str, expected: str) -> None:
    write(tmp_path, {"app.py": BUGGY_HANDLER, "pyproject.toml": config})
    result = run("check", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "pyproject.toml" in result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_config_is_found_above_the_checked_path(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "lambda-lint.toml": "ignore = ['LL501']\n",
            "src/app.py": BUGGY_HANDLER,
        },
    )
    assert run("check", "src", cwd=tmp_path).returncode == 0
    assert run("check", "src/app.py", cwd=tmp_path).returncode == 0


def test_per_file_ignores_and_excludes(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": "[tool.lambda-lint]\nper-file-ignores = { 'legacy/*' = ['LL501'] }\nextend-exclude = ['vendored']\n",
            "legacy/app.py": BUGGY_HANDLER,
            "vendored/app.py": BUGGY_HANDLER,
            ".venv/lib/app.py": BUGGY_HANDLER,
            ".gitignore": "generated/\n",
            "generated/app.py": BUGGY_HANDLER,
        },
    )
    result = run("check", "--output-format", "json", cwd=tmp_path)
    assert json.loads(result.stdout) == []


def test_noqa_and_skip_file(tmp_path: Path) -> None:
    suppressed = BUGGY_HANDLER.replace("**body})}", "**body})}  # noqa: LL501")
    write(
        tmp_path,
        {
            "a.py": suppressed,
            "b.py": "# lambda-lint: skip-file\n" + BUGGY_HANDLER,
            "c.py": BUGGY_HANDLER.replace("**body})}", "**body})}  # noqa"),
        },
    )
    assert run("check", "--output-format", "json", cwd=tmp_path).stdout.strip() == "[]"


def test_stdin_is_linted_as_the_named_file(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": "def handler(event, context):\n    return 1\n"})
    result = run(
        "check",
        "--stdin-filename",
        "app.py",
        "--output-format",
        "json",
        cwd=tmp_path,
        stdin=BUGGY_HANDLER,
    )
    (finding,) = json.loads(result.stdout)
    assert finding["filename"] == str(tmp_path / "app.py") and finding["code"] == "LL501"
    assert (tmp_path / "app.py").read_text() == "def handler(event, context):\n    return 1\n"


def test_rules_and_rule_commands(tmp_path: Path) -> None:
    listing = run("rules", "--output-format", "json", cwd=tmp_path)
    rules = {r["code"]: r for r in json.loads(listing.stdout)}
    assert rules["LL501"]["default_enabled"] is True
    assert rules["LL104"]["default_enabled"] is False
    assert rules["LL501"]["origin"] == "built-in"
    table = run("rules", cwd=tmp_path).stdout
    assert "LL101" in table and "handler-signature" in table
    doc = run("rule", "LL501", cwd=tmp_path)
    assert doc.returncode == 0 and "## Why is this bad?" in doc.stdout
    by_name = run("rule", "unknown-context-attribute", cwd=tmp_path)
    assert "LL501" in by_name.stdout
    assert run("rule", "LL999", cwd=tmp_path).returncode == 2


def test_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lambda_lint", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "lambda-lint, version" in result.stdout


def test_force_exclude_applies_excludes_to_named_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "lambda-lint.toml": "extend-exclude = ['generated']\n",
            "generated/app.py": BUGGY_HANDLER,
            ".gitignore": "build_out/\n",
            "build_out/app.py": BUGGY_HANDLER,
        },
    )
    assert run("check", "generated/app.py", cwd=tmp_path).returncode == 1
    assert run("check", "--force-exclude", "generated/app.py", cwd=tmp_path).returncode == 0
    assert run("check", "--force-exclude", "build_out/app.py", cwd=tmp_path).returncode == 0


def test_stdin_for_a_file_not_yet_on_disk(tmp_path: Path) -> None:
    result = run(
        "check",
        "--stdin-filename",
        "new/app.py",
        "--output-format",
        "json",
        cwd=tmp_path,
        stdin=BUGGY_HANDLER,
    )
    assert result.returncode == 1
    assert [(f["filename"], f["code"]) for f in json.loads(result.stdout)] == [
        (str(tmp_path / "new" / "app.py"), "LL501")
    ]
