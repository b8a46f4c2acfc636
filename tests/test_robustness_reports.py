"""Reports of files whose names are not UTF-8: every machine format stays valid."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BUGGY = b"def handler(event, context):\n    return context.request_id\n"


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*strings(k), *strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


@pytest.mark.skipif(sys.platform != "linux", reason="file names are bytes on Linux")
@pytest.mark.parametrize("fmt", ["json", "json-lines", "sarif", "gitlab"])
def test_a_non_utf8_file_name_gives_valid_output(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "lambda-lint.toml").write_text("")
    with open(os.path.join(os.fsencode(tmp_path), b"caf\xff.py"), "wb") as handle:
        handle.write(BUGGY)
    result = subprocess.run(
        [sys.executable, "-m", "lambda_lint", "check", "--no-cache", "--output-format", fmt],
        cwd=tmp_path,
        capture_output=True,
    )
    assert result.returncode == 1, result.stderr
    text = result.stdout.decode("utf-8")  # strictly UTF-8
    documents = (
        [json.loads(line) for line in text.splitlines()]
        if fmt == "json-lines"
        else [json.loads(text)]
    )
    every = [s for document in documents for s in strings(document)]
    for value in every:
        value.encode("utf-8")  # no lone surrogate anywhere
    expected = "caf%FF.py" if fmt == "sarif" else "caf\\xff.py"
    assert any(value.endswith(expected) for value in every)
