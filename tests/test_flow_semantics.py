"""The table of what library calls do to tracked values: shipped data with sources,
and users' additions."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from lambda_lint.flow.semantics import SECTIONS, Semantics, default_semantics, plain


def shipped() -> dict:
    text = resources.files("lambda_lint.flow").joinpath("semantics.json").read_text("utf-8")
    return json.loads(text)


def test_every_shipped_entry_says_where_it_comes_from() -> None:
    data = shipped()
    assert set(data) == set(SECTIONS)
    for section, entries in data.items():
        for entry in entries:
            assert entry.get("source") or entry.get("reason"), (section, entry)


def test_the_shipped_table_knows_the_usual_library() -> None:
    semantics = default_semantics()
    assert semantics.decoders["json.loads"] == "<json>"
    assert semantics.decoders["urllib.parse.unquote_plus"] == "<unquoted>"
    assert semantics.sanitisers["shlex.quote"] == ("shell",)
    assert semantics.sanitisers["int"] == ("all",)
    assert semantics.sanitisers["html.escape"] == ("html",)
    assert "path" not in semantics.sanitisers["urllib.parse.quote"]
    assert semantics.attribute_sanitisers[("pathlib.Path", "name")] == ("path",)
    assert semantics.validators["jsonschema.validate"] == (0, "validated")
    assert "copy.deepcopy" in semantics.pass_through
    assert "strip" in semantics.same_data_methods
    assert not semantics.sources


def test_builtins_match_with_or_without_their_module() -> None:
    assert plain("builtins.int") == "int"
    assert plain("json.loads") == "json.loads"


def test_users_add_entries_of_their_own() -> None:
    semantics = Semantics.load(
        {
            "sanitisers": [
                {"name": "app.db.escape_sql", "cleans": ["sql"]},
                {"name": "shlex.quote", "cleans": ["sql"]},
            ],
            "sources": [{"name": "flask.request"}],
        }
    )
    assert semantics.sanitisers["app.db.escape_sql"] == ("sql",)
    assert semantics.sanitisers["shlex.quote"] == ("shell", "sql")
    assert semantics.sources == {"flask.request"}
    assert semantics.decoders == default_semantics().decoders


@pytest.mark.parametrize(
    ("addition", "message"),
    [
        ({"sanitizers": []}, "unknown flow semantics section 'sanitizers'"),
        ({"sanitisers": {"name": "x"}}, "must be a list of entries"),
        ({"sanitisers": [{"name": "x"}]}, "sanitisers[1] has no 'cleans'"),
        ({"sanitisers": [{"name": "x", "cleans": "sql"}]}, "'cleans' must be a list"),
        ({"decoders": [{"name": 3, "marker": "<json>"}]}, "'name' must be a dotted name"),
        ({"validators": [{"name": "v", "argument": "0", "label": "ok"}]}, "'argument'"),
        ({"attribute_sanitisers": [{"attribute": "name", "cleans": []}]}, "no 'constructors'"),
        (["sanitisers"], "must be a mapping"),
    ],
)
def test_bad_additions_are_named(addition: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Semantics.load(addition)  # type: ignore[arg-type]
