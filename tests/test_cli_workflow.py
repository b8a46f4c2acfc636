"""`lambda-lint check` as Ruff's users expect it: fixes only with `--fix`, the summary's
wording, paths that hold nothing, standard input as `-`, and the workflow options
(`--add-noqa`, `--statistics`, `-o`, `--show-files`, `--show-settings`, `--verbose`,
`--watch`, colour)."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lambda_lint.cli import main
from lambda_lint.config import Settings
from lambda_lint.terminal import Progress, progress_wanted, use_color
from lambda_lint.watch import Snapshot, watch

ROOT = Path(__file__).resolve().parent.parent
SAM_SHOP = ROOT / "fixtures" / "sam-shop"

#: LL106 has an unsafe fix (a set returned -> sorted(...)); LL501 a safe one
UNSAFE_ONLY = "def handler(event, context):\n    return {1, 2}\n"
MIXED = (
    "def handler(event, context):\n"
    "    rid = context.request_id\n"
    "    return {rid}\n\n"
    "def other(event, context):\n"
    "    return {3}\n"
)


def project(folder: Path, files: dict[str, str], config: str = "") -> Path:
    (folder / "lambda-lint.toml").write_text(config, encoding="utf-8")
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content), encoding="utf-8")
    return folder


def check(
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> Result:
    monkeypatch.chdir(folder)
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    try:  # click < 8.2 (Python 3.9) mixes stderr into stdout unless told not to
        runner = CliRunner(mix_stderr=False, env=env)  # type: ignore[call-arg]
    except TypeError:
        runner = CliRunner(env=env)
    return runner.invoke(main, ["check", "--no-cache", *args], input=stdin)


def last_lines(result: Result, count: int) -> list[str]:
    return result.stdout.rstrip("\n").splitlines()[-count:]


# -- fixes and the summary ------------------------------------------------------------------


def test_unsafe_fixes_alone_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = project(tmp_path, {"app.py": UNSAFE_ONLY}) / "app.py"
    shown = check(tmp_path, monkeypatch, "--unsafe-fixes", "--output-format", "concise", "app.py")
    assert app.read_text() == UNSAFE_ONLY
    assert shown.exit_code == 1
    # the unsafe fix is now offered as available, as Ruff does
    assert "LL106 [*]" in shown.stdout
    assert last_lines(shown, 2) == ["Found 1 error.", "[*] 1 fixable with the `--fix` option."]
    fixed = check(tmp_path, monkeypatch, "--fix", "--unsafe-fixes", "app.py")
    assert fixed.exit_code == 0, fixed.output
    assert app.read_text() == UNSAFE_ONLY.replace("{1, 2}", "sorted({1, 2})")


def test_hidden_fix_hint_says_one_fix_or_several(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, {"one.py": UNSAFE_ONLY, "mixed.py": MIXED})
    one = check(tmp_path, monkeypatch, "--output-format", "concise", "one.py")
    assert last_lines(one, 2) == [
        "Found 1 error.",
        "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).",
    ]
    mixed = check(tmp_path, monkeypatch, "--output-format", "concise", "mixed.py")
    assert last_lines(mixed, 2) == [
        "Found 3 errors.",
        "[*] 1 fixable with the `--fix` option "
        "(2 hidden fixes can be enabled with the `--unsafe-fixes` option).",
    ]


def test_diff_ends_with_what_it_would_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, {"one.py": UNSAFE_ONLY, "mixed.py": MIXED})
    diff = check(tmp_path, monkeypatch, "--diff", "mixed.py")
    assert diff.exit_code == 1
    assert "+    rid = context.aws_request_id" in diff.stdout
    assert last_lines(diff, 1) == ["Would fix 1 error."]
    nothing = check(tmp_path, monkeypatch, "--diff", "one.py")
    assert nothing.exit_code == 0
    assert nothing.stdout == (
        "No errors would be fixed (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n"
    )


def test_ll402_offers_no_fix_that_leaves_the_bug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = (
        "def handler(event, context):\n"
        '    currency = event["queryStringParameters"]["currency"]\n'
        "    return {'statusCode': 200, 'body': currency}\n"
    )
    app = (
        project(
            tmp_path,
            {"app.py": code},
            'handlers = [{ target = "app.handler", trigger = "apigw-rest" }]\n',
        )
        / "app.py"
    )
    found = check(tmp_path, monkeypatch, "--output-format", "json", "app.py")
    [finding] = json.loads(found.stdout)
    assert finding["code"] == "LL402" and finding["fix"] is None
    check(tmp_path, monkeypatch, "--fix", "--unsafe-fixes", "app.py")
    assert app.read_text() == code


# -- what is checked -----------------------------------------------------------------------


def test_a_subfolder_run_reads_the_template_above(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = check(SAM_SHOP, monkeypatch, "--output-format", "json")
    inside = check(SAM_SHOP / "src", monkeypatch, "--output-format", "json", "-v", ".")
    expected = sorted(
        (f["filename"], f["code"])
        for f in json.loads(whole.stdout)
        if f["filename"].startswith(str(SAM_SHOP / "src"))
    )
    assert sorted((f["filename"], f["code"]) for f in json.loads(inside.stdout)) == expected
    assert ("LL402" in {code for _, code in expected}) and len(expected) == 9
    assert f"project root: {SAM_SHOP}" in inside.stderr
    assert f"descriptors: {SAM_SHOP / 'template.yaml'}" in inside.stderr
    settings = check(SAM_SHOP / "src", monkeypatch, "--show-settings", ".")
    assert f"Project root: {SAM_SHOP}" in settings.stdout
    assert str(SAM_SHOP / "template.yaml") in settings.stdout
    assert settings.exit_code == 0


def test_a_folder_without_python_files_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "empty").mkdir()
    result = check(tmp_path, monkeypatch, "empty")
    assert result.exit_code == 0
    assert "warning: No Python files found under the given path(s)" in result.stderr


def test_a_path_that_does_not_exist_is_reported_and_the_rest_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, {"app.py": UNSAFE_ONLY})
    result = check(tmp_path, monkeypatch, "--output-format", "concise", "nope.py", "app.py")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        "app.py:2:12: LL106 the handler returns a set, which the Lambda runtime cannot "
        "serialise (Runtime.MarshalError)",
        "nope.py:1:1: LL001 cannot read: No such file or directory",
    ]
    unselected = check(tmp_path, monkeypatch, "--select", "LL5", "nope.py")
    assert unselected.exit_code == 0
    assert "warning: Failed to lint nope.py: No such file or directory" in unselected.stderr


def test_show_files_lists_what_would_be_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    result = check(SAM_SHOP, monkeypatch, "--show-files")
    listed = result.stdout.splitlines()
    assert str(SAM_SHOP / "template.yaml") in listed
    assert str(SAM_SHOP / "src" / "carts.py") in listed
    assert listed == sorted(listed)


# -- standard input -------------------------------------------------------------------------


def test_dash_reads_standard_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, {})
    plain = check(tmp_path, monkeypatch, "--output-format", "json", "-", stdin=UNSAFE_ONLY)
    [finding] = json.loads(plain.stdout)
    assert finding["filename"] == "-" and finding["code"] == "LL106"
    named = check(
        tmp_path,
        monkeypatch,
        "--output-format",
        "concise",
        "--stdin-filename",
        "src/app.py",
        "-",
        stdin=UNSAFE_ONLY,
    )
    assert named.stdout.startswith("src/app.py:2:12: LL106")


def test_stdin_filename_wins_over_other_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, {"other.py": MIXED})
    result = check(
        tmp_path,
        monkeypatch,
        "--output-format",
        "concise",
        "--stdin-filename",
        "app.py",
        "other.py",
        stdin=UNSAFE_ONLY,
    )
    assert "warning: Ignoring file other.py in favor of standard input." in result.stderr
    assert [line.split(":")[0] for line in result.stdout.splitlines()[:-2]] == ["app.py"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--add-noqa", "--fix"), "--add-noqa cannot be used with --fix"),
        (("--watch", "-"), "--watch cannot read standard input"),
    ],
)
def test_options_that_do_not_go_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], message: str
) -> None:
    project(tmp_path, {"app.py": UNSAFE_ONLY})
    result = check(tmp_path, monkeypatch, *args, stdin="")
    assert result.exit_code == 2 and message in result.stderr
    assert (tmp_path / "app.py").read_text() == UNSAFE_ONLY


# -- the workflow options -------------------------------------------------------------------


def test_add_noqa_suppresses_every_finding_and_merges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = (
        "import sys\n\n"
        "def handler(event, context):\n"
        "    rid = context.request_id  # noqa: E501\n"
        "    sys.exit(rid)\n"
        "    return {1}\n"
    )
    template = textwrap.dedent(
        """\
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: app.missing
        """
    )
    project(tmp_path, {"app.py": code, "template.yaml": template})
    result = check(tmp_path, monkeypatch, "--add-noqa")
    assert result.exit_code == 0, result.output
    assert result.stderr.strip().endswith("Added 4 noqa directives.")
    assert (tmp_path / "app.py").read_text().splitlines()[3:6] == [
        "    rid = context.request_id  # noqa: E501, LL501",
        "    sys.exit(rid)  # noqa: LL107",
        "    return {1}  # noqa: LL106",
    ]
    assert "Handler: app.missing  # noqa: LL103" in (tmp_path / "template.yaml").read_text()
    again = check(tmp_path, monkeypatch)
    assert again.exit_code == 0 and "All checks passed!" in again.stdout


def test_add_noqa_leaves_json_templates_alone_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = json.dumps(
        {
            "Transform": "AWS::Serverless-2016-10-31",
            "Resources": {
                "Fn": {
                    "Type": "AWS::Serverless::Function",
                    "Properties": {"Runtime": "python3.12", "Handler": "app.missing"},
                }
            },
        },
        indent=2,
    )
    project(tmp_path, {"app.py": "X = 1\n", "template.json": template})
    result = check(tmp_path, monkeypatch, "--add-noqa")
    assert (tmp_path / "template.json").read_text() == template
    assert "template.json: 1 finding left unsuppressed" in result.stderr


@pytest.mark.parametrize(
    ("line", "fixed"),
    [
        ("    sys.exit(2)  # noqa: LL107, LL501", "    sys.exit(2)  # noqa: LL107"),
        ("    return 1  # noqa: LL501", "    return 1"),
        ("    return 1  # keep  # noqa: LL501", "    return 1  # keep"),
        ("    return 1  # noqa: E501,LL501", "    return 1  # noqa: E501"),
    ],
)
def test_ll002_fix_removes_the_unused_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str, fixed: str
) -> None:
    code = f"import sys\n\ndef handler(event, context):\n    sys.exit(1)  # noqa: LL107\n{line}\n"
    app = project(tmp_path, {"app.py": code}, 'extend-select = ["LL107", "LL501"]\n') / "app.py"
    found = check(tmp_path, monkeypatch, "--output-format", "concise", "app.py")
    assert "LL002 [*]" in found.stdout
    result = check(tmp_path, monkeypatch, "--fix", "app.py")
    assert result.exit_code == 0, result.output
    assert app.read_text().splitlines()[4] == fixed


def test_ll002_keeps_a_comment_with_a_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = "def handler(event, context):\n    return 1  # noqa: LL501 the runtime is patched\n"
    project(tmp_path, {"app.py": code}, 'extend-select = ["LL501"]\n')
    found = check(tmp_path, monkeypatch, "--output-format", "json", "app.py")
    [finding] = json.loads(found.stdout)
    assert finding["code"] == "LL002" and finding["fix"] is None


def test_statistics_as_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, {"app.py": MIXED})
    result = check(tmp_path, monkeypatch, "--statistics", "--output-format", "json")
    assert json.loads(result.stdout) == [
        {
            "code": "LL106",
            "name": "non-serializable-return",
            "count": 2,
            "fixable": False,
            "fixable_count": 0,
        },
        {
            "code": "LL501",
            "name": "unknown-context-attribute",
            "count": 1,
            "fixable": True,
            "fixable_count": 1,
        },
    ]
    text = check(tmp_path, monkeypatch, "--statistics")
    assert text.stdout.splitlines()[:2] == [
        "2\tLL106\t[ ] non-serializable-return",
        "1\tLL501\t[*] unknown-context-attribute",
    ]


def test_output_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, {"app.py": UNSAFE_ONLY})
    result = check(tmp_path, monkeypatch, "-o", "reports/lint.json", "--output-format", "json")
    assert result.exit_code == 1 and result.stdout == ""
    [finding] = json.loads((tmp_path / "reports" / "lint.json").read_text())
    assert finding["code"] == "LL106"


def test_json_filenames_are_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, {"src/app.py": UNSAFE_ONLY})
    result = check(tmp_path, monkeypatch, "--output-format", "json-lines")
    assert json.loads(result.stdout)["filename"] == str(tmp_path.resolve() / "src" / "app.py")


# -- terminal ------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("env", "tty", "expected"),
    [
        ({}, False, False),
        ({}, True, True),
        ({"FORCE_COLOR": "1"}, False, True),
        ({"NO_COLOR": "1"}, True, False),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, False),
        ({"NO_COLOR": "", "FORCE_COLOR": ""}, True, True),
    ],
)
def test_colour_follows_no_color_then_force_color(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], tty: bool, expected: bool
) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert use_color(Terminal() if tty else io.StringIO()) is expected


def test_force_color_colours_a_piped_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, {"app.py": UNSAFE_ONLY})
    coloured = check(tmp_path, monkeypatch, env={"FORCE_COLOR": "1"})
    assert "\033[" in coloured.stdout
    plain = check(tmp_path, monkeypatch, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\033[" not in plain.stdout


def test_progress_line_only_on_a_terminal_after_the_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    stream = Terminal()
    with Progress("Checking", True, stream, delay=0.05):
        time.sleep(0.3)
    drawn = stream.getvalue()
    assert "Checking" in drawn and drawn.endswith("\r\033[K")  # drawn, then erased
    quick = Terminal()
    with Progress("Checking", True, quick, delay=5):
        pass
    assert quick.getvalue() == ""
    monkeypatch.delenv("CI", raising=False)
    assert progress_wanted(Terminal()) and not progress_wanted(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not progress_wanted(Terminal())


def test_watch_lints_again_when_content_changes(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text("X = 1\n")
    (tmp_path / "notes.txt").write_text("not watched\n")
    snapshot = Snapshot([tmp_path], Settings())
    lints: list[int] = []
    announced: list[list[Path]] = []
    steps = iter(
        [
            lambda: app.write_text("X = 1\n"),  # saved unchanged: no new lint
            lambda: (tmp_path / "notes.txt").write_text("edited\n"),  # not a watched file
            lambda: app.write_text("X = 2\n"),
            lambda: (tmp_path / "new.py").write_text(""),
        ]
    )

    def wait(seconds: float) -> bool:
        step = next(steps, None)
        if step is None:
            return True
        step()
        return False

    watch(snapshot, lambda: lints.append(1), wait, announced.append)
    assert len(lints) == 3
    assert announced == [[app.resolve()], [(tmp_path / "new.py").resolve()]]
