"""An edited module parsed and summarised again only around the edit gives the tree and
the summary that parsing and summarising the whole text give (`lambda_lint.reparse`,
`lambda_lint.index.KeptFunctions`)."""

from __future__ import annotations

import ast
import random
import warnings
from pathlib import Path

import libcst as cst
import pytest

import lambda_lint
from lambda_lint.api import Linter
from lambda_lint.cache import Cache
from lambda_lint.config import Settings
from lambda_lint.index import KeptFunctions, summarize
from lambda_lint.read_files import KeptSources
from lambda_lint.registry import load_rules
from lambda_lint.reparse import KeptTrees, ParsedText, reparse
from lambda_lint.source import ParseProblem, libcst_tree

#: real modules of many shapes: lambda-lint's own
MODULES = sorted(Path(lambda_lint.__file__).parent.rglob("*.py"))[::12]


def _edits(text: str, seed: int) -> list[str]:
    """Texts one edit away from `text`: lines changed, inserted, duplicated and deleted,
    valid or not."""
    rng = random.Random(seed)
    snippets = [
        "x = 1",
        "# a comment",
        "",
        "def added():",
        "    return 2",
        "  odd = 3",
        "class Added:",
        "else:",
        "(",
        '"""',
        "\\",
        "\t",
    ]
    texts = []
    for _ in range(8):
        lines = text.splitlines(keepends=True)
        index = rng.randrange(len(lines))
        line = lines[index]
        indent = line[: len(line) - len(line.lstrip(" \t"))].rstrip("\r\n")
        kind = rng.randrange(6)
        if kind == 0:
            lines.insert(index, indent + "# a note\n")
        elif kind == 1:
            lines.insert(index, line)
        elif kind == 2:
            del lines[index]
        elif kind == 3:
            lines[index] = rng.choice(snippets) + "\n"
        elif kind == 4:
            column = rng.randrange(len(line) + 1)
            lines[index] = line[:column] + rng.choice(["z", " ", "(", ":"]) + line[column:]
        else:
            lines.insert(index, indent + "pass\n")
        texts.append("".join(lines))
    return texts


def _same(found: cst.Module | ParseProblem, expected: cst.Module | ParseProblem) -> bool:
    if isinstance(expected, ParseProblem):
        return found == expected
    return (
        isinstance(found, cst.Module)
        and found.deep_equals(expected)
        and found.code == expected.code
        and found.has_trailing_newline == expected.has_trailing_newline
    )


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_edits_of_real_modules_parse_as_the_whole_text_does(path: Path) -> None:
    trees = KeptTrees(4)
    text = path.read_text(encoding="utf-8")
    assert _same(trees.parse(path, text), libcst_tree(text))
    for edited in _edits(text, seed=len(text)):
        assert _same(trees.parse(path, edited), libcst_tree(edited)), edited


MODULE = '''"""A module."""

import json


def first(event):
    return event["a"]


def second(event):
    return event["b"]


def third(event):
    return event["c"]


LIMIT = 10
'''


def _parsed(text: str) -> ParsedText:
    module = libcst_tree(text)
    assert isinstance(module, cst.Module)
    return ParsedText(text, module)


def test_statements_away_from_the_edit_are_taken_over() -> None:
    before = _parsed(MODULE)
    after = reparse(before, MODULE.replace('event["c"]', 'event["d"]'))
    assert after is not None
    old, new = before.module.body, after.module.body
    assert new[0] is old[0] and new[1] is old[1] and new[2] is old[2]
    assert new[3] is not old[3]
    assert after.module.deep_equals(libcst_tree(after.text))


@pytest.mark.parametrize(
    "edited",
    [
        # the module's first indented block indented otherwise: every block's stored
        # indentation changes
        MODULE.replace("def first(event):\n    return", "def first(event):\n  return"),
        # a new first indented block, indented otherwise
        MODULE.replace("import json\n", "import json\nif json:\n  pass\n"),
        # the header (which may hold the encoding)
        MODULE.replace('"""A module."""', "# -*- coding: utf-8 -*-\n"),
        # the last line loses its line break
        MODULE.rstrip("\n"),
        # a comment at the end of the module, and one before a statement
        MODULE + "# the end\n",
        MODULE.replace("\n\ndef third", "\n# third\ndef third"),
        # a block's trailing comment, indented as the block
        MODULE.replace('event["b"]\n', 'event["b"]\n    # kept with second\n'),
        # a string left open: the rest of the module is in it
        MODULE.replace('event["b"]', '"""event["b"]'),
        # Windows line breaks after Unix ones
        MODULE.replace("LIMIT = 10\n", "LIMIT = 10\r\nMORE = 1\r\n"),
    ],
)
def test_edits_that_change_what_the_module_detects(edited: str) -> None:
    trees = KeptTrees(4)
    path = Path("module.py")
    trees.parse(path, MODULE)
    assert _same(trees.parse(path, edited), libcst_tree(edited))


def test_a_syntax_error_keeps_the_last_tree_for_the_edit_that_mends_it() -> None:
    trees = KeptTrees(4)
    path = Path("module.py")
    trees.parse(path, MODULE)
    broken = MODULE.replace('return event["b"]', 'return event["b"')
    assert isinstance(trees.parse(path, broken), ParseProblem)
    mended = MODULE.replace('event["b"]', 'event["e"]')
    assert _same(trees.parse(path, mended), libcst_tree(mended))


def test_a_linter_that_keeps_trees_finds_what_a_fresh_one_finds(tmp_path: Path) -> None:
    handler = tmp_path / "handler.py"
    original = (
        "import boto3\n\n\ndef helper(event):\n    return event['a']\n\n\n"
        "def handler(event, context):\n    client = boto3.client('s3')\n"
        "    return helper(event)\n"
    )
    handler.write_text(original)
    settings, ruleset = Settings(), load_rules()
    enabled = ruleset.select(("ALL",))
    kept = KeptSources()
    edits = [original, original.replace("'s3'", "'sqs'"), original.replace("    client", "    c")]
    for text in edits:
        keeping = Linter(settings, ruleset, enabled, tmp_path, jobs=1, sources=kept)
        fresh = Linter(settings, ruleset, enabled, tmp_path, jobs=1)
        found = keeping.lint([handler], {handler: text}).findings
        assert found == fresh.lint([handler], {handler: text}).findings
        assert found  # LL301 on the client made per invocation


def _lint_edits_in_turn(
    project: Path, edits: list[tuple[dict[str, str], set[tuple[str, str]]]]
) -> None:
    """Lint each edit of the project's files (texts by file name) with a linter that
    keeps its sources and a cache, as the language server does, and with a fresh one:
    both report the same, and that is the (file name, code) pairs the edit expects."""
    settings, ruleset = Settings(), load_rules()
    enabled = ruleset.select(("ALL",))
    kept = KeptSources()
    cache = Cache(project.parent / "cache")
    for files, expected in edits:
        texts = {project / name: text for name, text in files.items()}
        paths = sorted(texts)
        keeping = Linter(settings, ruleset, enabled, project, cache, jobs=1, sources=kept)
        fresh = Linter(settings, ruleset, enabled, project, jobs=1)
        found = keeping.lint(paths, texts).findings
        assert found == fresh.lint(paths, texts).findings
        assert {(Path(f.path).name, f.code) for f in found} == expected


def test_a_kept_handler_table_follows_edits_to_the_calls(tmp_path: Path) -> None:
    """The language server keeps the handler table between runs: an edit that only adds
    a call elsewhere (no import, no signature changed) can still unmake a handler."""
    project = tmp_path / "project"
    project.mkdir()
    handler = (
        "import boto3\n\n\ndef lambda_handler(event, context):\n"
        "    client = boto3.client('s3')\n    return client.list_buckets()\n"
    )
    caller = "import jobs\n\n\ndef main():\n    return 1\n"
    made = {("jobs.py", "LL301")}
    # each edit that can unmake the handler follows one the table is found for (the
    # step before it is not a text the linter has seen)
    _lint_edits_in_turn(
        project,
        [
            ({"jobs.py": handler, "runner.py": caller}, made),
            # nothing the table reads
            ({"jobs.py": handler.replace("'s3'", "'sqs'"), "runner.py": caller}, made),
            # a call to code outside the project
            ({"jobs.py": handler, "runner.py": caller.replace("1", "print(1)")}, made),
            # called by project code: not a handler
            (
                {
                    "jobs.py": handler,
                    "runner.py": caller.replace("1", "jobs.lambda_handler({}, 1)"),
                },
                set(),
            ),
            ({"jobs.py": handler, "runner.py": caller.replace("1", "2")}, made),
            # handed on to a call by name: a callback, not a handler
            (
                {"jobs.py": handler, "runner.py": caller.replace("1", "run(jobs.lambda_handler)")},
                set(),
            ),
            (
                {"jobs.py": handler.replace("(event, context)", "(event)"), "runner.py": caller},
                set(),
            ),
        ],
    )


def test_kept_name_resolution_follows_a_function_added_elsewhere(tmp_path: Path) -> None:
    """The language server keeps what names resolve to while every module's surface
    stays the same: a call that resolved to nothing resolves once the function exists."""
    project = tmp_path / "project"
    project.mkdir()
    handler = "import util\n\n\ndef lambda_handler(event, context):\n    return util.make()\n"
    util = "import boto3\n\nREGION = 'eu-west-1'\n"
    made = util + "\n\ndef make():\n    return boto3.client('s3', region_name=REGION)\n"
    _lint_edits_in_turn(
        project,
        [
            # boto3 imported at INIT for nothing
            ({"jobs.py": handler, "util.py": util}, {("util.py", "LL201")}),
            ({"jobs.py": handler, "util.py": util.replace("eu", "us")}, {("util.py", "LL201")}),
            ({"jobs.py": handler, "util.py": made}, {("util.py", "LL301")}),
        ],
    )


def test_a_kept_handler_table_follows_edits_to_what_decides_the_trigger(tmp_path: Path) -> None:
    """Edits inside function bodies that decide a handler's event: a call that parses it
    as a trigger's event (Powertools `parse`), a decorator that writes into it."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Orders:\n"
        "    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Handler: orders.lambda_handler\n      Runtime: python3.12\n"
        "      Events:\n        Queue:\n          Type: SQS\n          Properties:\n"
        "            Queue: arn:aws:sqs:eu-west-1:123456789012:orders\n"
    )
    middleware = (
        "import functools\n\n\ndef normalise(handler):\n"
        "    @functools.wraps(handler)\n    def wrapper(event, context):\n"
        '        event["Records"] = []\n        return handler(event, context)\n\n'
        "    return wrapper\n"
    )
    kept_event = middleware.replace('event["Records"] = []', "records = []")
    orders = (
        "from middleware import normalise\n\n\n@normalise\n"
        'def lambda_handler(event, context):\n    return event["Recordz"]\n'
    )
    parsed = (
        "from aws_lambda_powertools.utilities.parser import parse\n"
        "from aws_lambda_powertools.utilities.parser.models import SqsModel\n\n\n"
        'def lambda_handler(event, context):\n    records = event["Recordz"]\n'
        "    return records\n"
    )
    parsing = parsed.replace("    records", "    parse(event=event, model=SqsModel)\n    records")
    base = {"middleware.py": middleware, "orders.py": orders, "parsed.py": parsed}
    again = {**base, "parsed.py": parsed.replace("return records", "return records[0]")}
    _lint_edits_in_turn(
        project,
        [
            (base, set()),
            ({**base, "parsed.py": parsing}, {("parsed.py", "LL401")}),
            (again, set()),
            ({**again, "middleware.py": kept_event}, {("orders.py", "LL401")}),
        ],
    )


def _tree(text: str) -> ast.Module | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.parse(text)
        except SyntaxError:
            return None


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_edits_of_real_modules_summarise_as_the_whole_text_does(path: Path) -> None:
    kept = KeptFunctions(4)
    text = path.read_text(encoding="utf-8")
    for edited in [text, *_edits(text, seed=len(text))]:
        tree = _tree(edited)
        if tree is not None:
            assert summarize("m.py", tree, edited, kept) == summarize("m.py", tree, edited)


def test_functions_an_edit_left_alone_keep_their_summaries() -> None:
    kept = KeptFunctions(4)
    before = summarize("m.py", ast.parse(MODULE), MODULE, kept)
    edited = MODULE.replace('event["b"]', 'event.get("b")')
    after = summarize("m.py", ast.parse(edited), edited, kept)
    assert after.functions["first"] is before.functions["first"]
    assert after.functions["third"] is before.functions["third"]
    assert after.functions["second"] != before.functions["second"]
    # a line added above moves the functions below it: their positions are summarised
    moved = "import os\n" + edited
    again = summarize("m.py", ast.parse(moved), moved, kept)
    assert again.functions["third"].line == after.functions["third"].line + 1


def test_an_import_changed_summarises_the_functions_that_read_it_again() -> None:
    kept = KeptFunctions(4)
    module = 'import json\n\n\ndef decode(event):\n    return json.loads(event["body"])\n'
    before = summarize("m.py", ast.parse(module), module, kept)
    edited = module.replace("import json", "import pickle as json")
    after = summarize("m.py", ast.parse(edited), edited, kept)
    assert after == summarize("m.py", ast.parse(edited), edited)
    assert after.functions["decode"].returns != before.functions["decode"].returns
