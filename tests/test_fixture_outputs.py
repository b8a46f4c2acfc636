"""On the fixture projects: every CI format agrees with the JSON findings one for one,
and `--fix` applies the safe fixes, after which those rules are clean."""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lambda_lint.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"


def run(cwd: Path, cache: Path, *args: str) -> Result:
    """`lambda-lint check .` in `cwd`, in this process; runs sharing a `cache` folder reuse
    its results, as a user's runs do (the first run of a test lints, the others report)."""
    env = {"LAMBDA_LINT_CACHE_DIR": str(cache), "NO_COLOR": "1", "FORCE_COLOR": None}
    try:  # click < 8.2 (Python 3.9) mixes stderr into stdout unless told not to
        runner = CliRunner(mix_stderr=False, env=env)  # type: ignore[call-arg]
    except TypeError:
        runner = CliRunner(env=env)
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, ["check", ".", *args])
    finally:
        os.chdir(previous)


def keys_from_json(cwd: Path, cache: Path) -> list[tuple[str, int, int, str]]:
    result = run(cwd, cache, "--output-format", "json")
    assert result.exit_code == 1, result.stderr
    return sorted(
        (
            os.path.relpath(f["filename"], cwd),
            f["location"]["row"],
            f["location"]["column"],
            f["code"],
        )
        for f in json.loads(result.stdout)
    )


@pytest.mark.parametrize("name", ["sam-shop", "events-zoo"])
def test_ci_formats_agree_with_json(name: str, tmp_path: Path) -> None:
    import jsonschema

    project = FIXTURES / name
    expected = keys_from_json(project, tmp_path)

    sarif = run(project, tmp_path, "--output-format", "sarif")
    assert sarif.exit_code == 1
    log = json.loads(sarif.stdout)
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    results = log["runs"][0]["results"]
    from_sarif = sorted(
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
            r["ruleId"],
        )
        for r in results
    )
    assert from_sarif == expected
    rule_ids = [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]]
    assert sorted(rule_ids) == sorted({k[3] for k in expected})

    github = run(project, tmp_path, "--output-format", "github")
    assert github.exit_code == 1
    commands = [line for line in github.stdout.splitlines() if line.startswith("::")]
    assert len(commands) == len(expected)

    junit = run(project, tmp_path, "--output-format", "junit")
    assert junit.exit_code == 1
    root = ET.fromstring(junit.stdout)
    failures = root.findall(".//failure")
    assert len(failures) == len(expected)
    assert sorted(f.get("type") for f in failures) == sorted(k[3] for k in expected)

    gitlab = run(project, tmp_path, "--output-format", "gitlab")
    issues = json.loads(gitlab.stdout)
    assert sorted(
        (i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues
    ) == sorted((k[0], k[1]) for k in expected)


@pytest.mark.parametrize("name", ["sam-shop", "serverless-app", "events-zoo", "typed-handlers"])
def test_fix_applies_safe_fixes_and_recheck_is_clean(name: str, tmp_path: Path) -> None:
    project = tmp_path / name
    shutil.copytree(FIXTURES / name, project)
    cache = tmp_path / "cache"
    before = json.loads(run(project, cache, "--output-format", "json").stdout)
    safe = {
        (f["filename"], f["code"])
        for f in before
        if f["fix"] and f["fix"]["applicability"] == "safe"
    }
    if not safe:
        pytest.skip(f"{name} has no safely fixable finding")
    fixed = run(project, cache, "--fix", "--output-format", "json")
    after = json.loads(fixed.stdout)
    remaining_safe = [f for f in after if f["fix"] and f["fix"]["applicability"] == "safe"]
    assert remaining_safe == []
    fixed_codes = {code for _, code in safe}
    assert not any((f["filename"], f["code"]) in safe for f in after if f["code"] in fixed_codes)
    unfixable_before = sorted(
        (f["filename"], f["code"])
        for f in before
        if not (f["fix"] and f["fix"]["applicability"] == "safe")
    )
    unfixable_after = sorted((f["filename"], f["code"]) for f in after)
    assert unfixable_after == unfixable_before
