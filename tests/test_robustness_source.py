"""Whatever a Python file holds, it is linted or reported as LL001 (CPython's verdict,
at its real place): never a crash of the process, a hang, or a silent pass."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from lambda_lint.api import Linter
from lambda_lint.config import Settings
from lambda_lint.registry import load_rules
from lambda_lint.source import MAX_DEPTH, ParseProblem, SourceFile, parse_source

RULES = load_rules()


def lint_text(
    folder: Path, text: str | bytes, name: str = "app.py"
) -> list[tuple[str, int, int, str]]:
    (folder / "lambda-lint.toml").write_text("", encoding="utf-8")
    path = folder / name
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    linter = Linter(Settings(), RULES, RULES.select(None, (), ()), cwd=folder, jobs=1)
    result = linter.lint([path])
    assert result.internal_errors == []
    return [(f.code, f.start.line, f.start.column, f.message) for f in result.findings]


@pytest.mark.parametrize(
    ("code", "line", "message"),
    [
        (
            "try:\n    pass\nexcept A, B as error:\n    pass\n",
            3,
            # what CPython says of it (3.9: only "invalid syntax")
            "multiple exception types must be parenthesized"
            if sys.version_info >= (3, 10)
            else "invalid syntax",
        ),
        ("x = b'\u00e9'\n", 1, "bytes can only contain ASCII literal characters"),
        ("import os\nreturn os\n", 2, "'return' outside function"),
        ("def f(a, a):\n    pass\n", 1, "duplicate argument 'a' in function definition"),
        ("x = 1\nyield x\n", 2, "'yield' outside function"),
        ("for x in y:\n    pass\nbreak\n", 3, "'break' outside loop"),
        ("x = " + "(" * 201 + ")" * 201 + "\n", 1, "too many nested parentheses"),
        ("x = " + "[" * 1200 + "]" * 1200 + "\n", 1, "too many nested parentheses"),
    ],
)
def test_ll001_follows_cpython(tmp_path: Path, code: str, line: int, message: str) -> None:
    findings = lint_text(tmp_path, code)
    assert [(c, ln) for c, ln, _, _ in findings] == [("LL001", line)]
    assert message in findings[0][3]


def test_a_null_byte_past_the_binary_sniff_is_reported_where_it_is(tmp_path: Path) -> None:
    filler = "".join(f"x{i} = {i}\n" for i in range(2000))  # > 8 KB
    assert len(filler) > 8192
    findings = lint_text(tmp_path, filler + "y = 'a\0b'\n")
    assert findings == [("LL001", 2001, 6, "source contains a null byte")]


@pytest.mark.parametrize(
    "expression",
    [
        " + ".join(["event"] * 5000),  # libcst: about 40 s
        "event" + ".get()" * 3000,  # libcst: minutes
        "not " * 2000 + "event",
        "lambda: " * 1000 + "event",
    ],
)
def test_an_expression_too_complex_to_analyse_is_skipped_and_named(
    tmp_path: Path, expression: str
) -> None:
    (tmp_path / "other.py").write_text(
        "def handler(event, context):\n    return context.request_id\n", encoding="utf-8"
    )
    code = f"import os\n\n\ndef handler(event, context):\n    return {expression}\n"
    findings = lint_text(tmp_path, code)
    assert len(findings) == 1
    code_, line, _, message = findings[0]
    assert (code_, line) == ("LL001", 5)
    assert message.startswith("too complex to analyse")
    other = Linter(Settings(), RULES, RULES.select(None, (), ()), cwd=tmp_path, jobs=1)
    assert [f.code for f in other.lint([tmp_path]).findings] == ["LL001", "LL501"]


def test_deep_but_reasonable_code_is_linted(tmp_path: Path) -> None:
    terms = " + ".join(["event['a']"] * (MAX_DEPTH // 3))
    findings = lint_text(tmp_path, f"def handler(event, context):\n    return {terms}\n")
    assert not [f for f in findings if f[0] == "LL001"]


def test_the_parsed_source_carries_the_stdlib_tree() -> None:
    source = parse_source("def handler(event, context):\n    return 1\n", "app.py")
    assert isinstance(source, SourceFile)
    assert isinstance(source.ast, ast.Module)
    assert isinstance(source.ast.body[0], ast.FunctionDef)
    assert source.cst.code == source.text
    assert isinstance(parse_source("return 1\n"), ParseProblem)


def test_syntax_warnings_are_not_printed(capfd: pytest.CaptureFixture[str]) -> None:
    assert isinstance(parse_source("import re\nr = re.compile('\\d')\nx = 1 is 1\n"), SourceFile)
    assert capfd.readouterr().err == ""


def test_rules_that_read_a_string_with_an_invalid_escape_print_no_warning(
    tmp_path: Path,
) -> None:
    # the rules ask libcst for the values of these strings (a key, a secret), which
    # CPython evaluates, warning of `\d`: a warning about the user's code, not ours
    code = (
        "import re\n\nKEY = 'AKIA\\d'\n\n\ndef handler(event, context):\n"
        "    return re.match('\\d+', event['id\\d'])\n"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lint_text(tmp_path, code)
    assert [str(w.message) for w in caught] == []


def test_cr_line_endings_give_the_real_positions(tmp_path: Path) -> None:
    code = "import os\r\rdef handler(event, context):\r    return context.request_id\r"
    findings = lint_text(tmp_path, code)
    assert [(c, ln, col) for c, ln, col, _ in findings] == [("LL501", 4, 11)]


def test_fix_on_cr_line_endings(tmp_path: Path) -> None:
    (tmp_path / "lambda-lint.toml").write_text("")
    app = tmp_path / "app.py"
    app.write_bytes(b"import os\r\rdef handler(event, context):\r    return context.request_id\r")
    subprocess.run(
        [sys.executable, "-m", "lambda_lint", "check", "--no-cache", "--fix", "app.py"],
        cwd=tmp_path,
        capture_output=True,
    )
    assert app.read_bytes() == (
        b"import os\r\rdef handler(event, context):\r    return context.aws_request_id\r"
    )


def test_brackets_that_crash_libcst_do_not_crash_the_worker_processes(tmp_path: Path) -> None:
    """libcst's native parser overflows its stack on about 1,300 nested brackets: in a
    worker pool one such file used to lose every finding (BrokenProcessPool)."""
    (tmp_path / "lambda-lint.toml").write_text("")
    for index in range(70):  # enough files for the worker pool
        (tmp_path / f"m{index}.py").write_text(
            "def handler(event, context):\n    return context.request_id\n"
        )
    (tmp_path / "deep.py").write_text("x = " + "[" * 3000 + "]" * 3000 + "\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lambda_lint",
            "check",
            "--no-cache",
            "-j",
            "2",
            "--output-format",
            "json",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONFAULTHANDLER": ""},
    )
    assert result.returncode == 1, result.stderr
    codes = sorted(f["code"] for f in json.loads(result.stdout))
    assert codes == ["LL001"] + ["LL501"] * 70


PYTHON2_TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {{Handler: app.handler, CodeUri: src/, Runtime: {runtime}}}
"""


@pytest.mark.parametrize(
    ("runtime", "python2", "reported"),
    [
        ("python2.7", "    print 'event', event\n", False),
        (
            "python2.7",
            "    try:\n        pass\n    except ValueError, error:\n        pass\n",
            False,
        ),
        ("python3.12", "    print 'event', event\n", True),
        # Python 2 code is no excuse for a Python 3 error in a Python 2 function
        ("python2.7", "    return [1, 2\n", True),
    ],
)
def test_python2_code_is_reported_only_where_no_descriptor_runs_it_on_python2(
    tmp_path: Path, runtime: str, python2: str, reported: bool
) -> None:
    (tmp_path / "template.yaml").write_text(PYTHON2_TEMPLATE.format(runtime=runtime))
    (tmp_path / "src").mkdir()
    found = lint_text(tmp_path, "def handler(event, context):\n" + python2, "src/app.py")
    assert [code for code, *_ in found] == (["LL001"] if reported else [])


NEWER_F_STRING = 'def handler(event, context):\n    return f"{event["name"]}"\n'


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="Python 3.12 reads PEP 701 f-strings")
def test_an_f_string_of_python_3_12_is_skipped_with_a_warning_not_reported(
    tmp_path: Path,
) -> None:
    (tmp_path / "template.yaml").write_text(PYTHON2_TEMPLATE.format(runtime="python3.13"))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(NEWER_F_STRING)
    linter = Linter(Settings(), RULES, RULES.select(None, (), ()), cwd=tmp_path, jobs=1)
    result = linter.lint([tmp_path])
    # no LL001 (the code is valid Python 3.12) and no LL103 (the module is there)
    assert result.findings == []
    [warning] = result.warnings
    assert warning.startswith("src/app.py:2: uses f-string syntax of Python 3.12 or later")
    assert "run lambda-lint under Python 3.12 or later" in warning
    # an f-string error that Python 3.12 rejects too is still a syntax error
    (tmp_path / "src" / "app.py").write_text('x = f"{"\n')
    assert [f.code for f in linter.lint([tmp_path]).findings] == ["LL001"]
    # and the new syntax is one where the function runs on an older Python
    (tmp_path / "src" / "app.py").write_text(NEWER_F_STRING)
    (tmp_path / "template.yaml").write_text(PYTHON2_TEMPLATE.format(runtime="python3.11"))
    [finding] = linter.lint([tmp_path]).findings
    assert finding.code == "LL001"
    assert finding.message.endswith("(before Python 3.12; runtime python3.11)")


@pytest.mark.skipif(sys.version_info < (3, 12), reason="older Pythons cannot read PEP 701")
def test_an_f_string_of_python_3_12_is_linted_under_python_3_12(tmp_path: Path) -> None:
    assert lint_text(tmp_path, NEWER_F_STRING) == []


#: PEP 758: Python 3.14 reads `except A, B:` as `except (A, B):`
NEWER_EXCEPT = (
    "def handler(event, context):\n    try:\n        return int(event)\n"
    "    except ValueError, TypeError:\n        return 0\n"
)


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="Python 3.14 reads PEP 758")
@pytest.mark.parametrize(
    ("runtime", "codes"),
    [("python3.14", []), ("python3.12", ["LL001"]), ("nodejs22.x", [])],
)
def test_unparenthesized_except_types_are_an_error_only_on_a_runtime_before_python_3_14(
    tmp_path: Path, runtime: str, codes: list[str]
) -> None:
    (tmp_path / "template.yaml").write_text(PYTHON2_TEMPLATE.format(runtime=runtime))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(NEWER_EXCEPT)
    result = Linter(Settings(), RULES, RULES.select(None, (), ()), cwd=tmp_path, jobs=1).lint(
        [tmp_path]
    )
    assert [f.code for f in result.findings] == codes
    if codes:
        [finding] = result.findings
        assert (finding.start.line, finding.message) == (
            4,
            "syntax error: multiple exception types must be parenthesized "
            "(before Python 3.14; runtime python3.12)",
        )
        assert result.warnings == []
    else:
        [warning] = result.warnings
        assert warning.startswith(
            "src/app.py:4: uses unparenthesized `except` types of Python 3.14"
        )
        assert "run lambda-lint under Python 3.14 or later" in warning


def test_the_depth_limit_counts_every_node_down_to_the_last() -> None:
    """`x = a + ... + a` with n terms: the module, the assignment, n - 1 additions, the
    innermost `a` and its load context (a node holding no other) lie n + 3 deep."""

    def chain(terms: int) -> str:
        return "x = " + " + ".join(["a"] * terms) + "\n"

    assert isinstance(parse_source(chain(MAX_DEPTH - 3)), SourceFile)
    too_deep = parse_source(chain(MAX_DEPTH - 2))
    assert isinstance(too_deep, ParseProblem)
    assert (too_deep.message, too_deep.line) == (
        f"too complex to analyse (nested more than {MAX_DEPTH} levels deep); the file is skipped",
        1,
    )
