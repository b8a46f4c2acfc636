"""The shipped import-cost table is well-formed, and its generator reads importtime output right."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "tools" / "measure_import_costs.py"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("measure_import_costs", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


@pytest.fixture(scope="module")
def table() -> dict[str, Any]:
    text = resources.files("lambda_lint.coldstart").joinpath("import_costs.json").read_text()
    return json.loads(text)


# --------------------------------------------------------------------------- the shipped table

ENTRY_FIELDS = {"total_ms", "self_ms", "packages", "stdlib", "distribution", "version", "statement"}


def test_metadata_says_how_the_figures_were_measured(table: dict[str, Any]) -> None:
    meta = table["metadata"]
    assert table["format"] == gen.FORMAT_VERSION
    assert meta["python"]["implementation"] == "CPython"
    assert meta["python"]["version"].count(".") == 2
    assert meta["platform"]["cpu"] and meta["platform"]["machine"] and meta["platform"]["cpus"] >= 1
    assert len(meta["date"]) == 10 and meta["date"][4] == "-"
    assert "importtime" in meta["method"]
    assert meta["runs"] >= 5
    assert meta["statistic"] == "median"
    assert 0 < meta["startup_import_ms"] < meta["startup_ms"]


def test_every_entry_has_sound_figures(table: dict[str, Any]) -> None:
    modules = table["modules"]
    for name, entry in modules.items():
        assert set(entry) == ENTRY_FIELDS, name
        for key in ("total_ms", "self_ms"):
            assert math.isfinite(entry[key]) and entry[key] >= 0, (name, key)
        assert entry["self_ms"] <= entry["total_ms"], name
        assert entry["packages"] == sorted(set(entry["packages"])), name
        assert name not in entry["packages"], name
        assert set(entry["packages"]) <= set(modules), (name, set(entry["packages"]) - set(modules))
        assert entry["statement"].startswith(("import ", "from ")), name
        if entry["stdlib"]:
            assert entry["distribution"] is None and entry["version"] is None, name
            # the standard library never loads a third-party package
            assert all(modules[p]["stdlib"] for p in entry["packages"]), name
        else:
            assert entry["distribution"] and entry["version"], name


def test_the_table_covers_what_lambda_code_imports(table: dict[str, Any]) -> None:
    modules = table["modules"]
    third_party = [name for name, entry in modules.items() if not entry["stdlib"]]
    assert len(third_party) >= 45
    for name in (
        "boto3",
        "botocore",
        "aws_lambda_powertools",
        "aws_lambda_powertools.utilities.parser",
        "requests",
        "pydantic",
        "sqlalchemy",
        "numpy",
        "pandas",
        "scipy",
        "sklearn",
        "torch",
        "matplotlib.pyplot",
    ):
        assert not modules[name]["stdlib"], name
    for name in ("asyncio", "json", "ssl", "email"):
        assert modules[name]["stdlib"], name


def test_packages_are_the_whole_closure(table: dict[str, Any]) -> None:
    # boto3 loads botocore, botocore loads urllib3 and dateutil, dateutil loads six
    modules = table["modules"]
    boto3 = set(modules["boto3"]["packages"])
    assert {"botocore", "s3transfer", "jmespath", "urllib3", "dateutil", "six"} <= boto3
    # standard-library modules many packages share are entries of their own
    assert {"json", "re"} <= boto3
    assert "re" in modules["json"]["packages"]


def test_a_closure_s_self_costs_add_up_to_about_its_total(table: dict[str, Any]) -> None:
    modules = table["modules"]
    for name in ("boto3", "requests", "pandas", "aws_lambda_powertools.utilities.parser"):
        entry = modules[name]
        combined = entry["self_ms"] + sum(modules[p]["self_ms"] for p in entry["packages"])
        assert 0.8 * entry["total_ms"] <= combined <= 1.5 * entry["total_ms"], name


def test_default_cost_is_a_measured_light_package_cost(table: dict[str, Any]) -> None:
    default = table["default_ms"]
    assert math.isfinite(default) and 0 < default < gen.HEAVY_MS
    assert default == gen.default_ms(table["modules"])
    assert table["default_ms_rule"]


def test_the_table_lists_exactly_the_modules_of_the_module_list(table: dict[str, Any]) -> None:
    listed = gen.load_module_list(gen.MODULES_PATH)
    assert {module.name for module in listed.modules} == set(table["modules"])
    for module in listed.modules:
        entry = table["modules"][module.name]
        assert entry["distribution"] == module.distribution
        assert entry["statement"] == module.statement


def test_the_table_is_written_in_its_own_format(table: dict[str, Any]) -> None:
    text = resources.files("lambda_lint.coldstart").joinpath("import_costs.json").read_text()
    assert gen.dumps(table) == text


# --------------------------------------------------------------------------- importtime parsing

# what `python -X importtime -c "..."` prints for `import pkg` (pkg imports json and dep.sub),
# after the start-up lines and the marker the generator writes
SAMPLE = f"""\
import time: self [us] | cumulative | imported package
import time:       120 |        120 |   _io
import time:       900 |       1020 | encodings
{gen.MARKER}
import time:        80 |         80 |       json.scanner
import time:       150 |        230 |     json.decoder
import time:       300 |        530 |   json
some warning a module printed on stderr
import time:        40 |         40 |       zlib
import time:       200 |        240 |     dep
import time:       500 |        500 |       dep.fast
import time:       100 |        600 |     dep.sub
import time:        60 |        900 |   pkg.core
import time:      1000 |       2430 | pkg
import time:        70 |         70 | pkg.lazy
"""


def _measured_forest() -> list[Any]:
    return gen.parse_importtime(gen.split_report(SAMPLE).measured)


def test_importtime_lines_become_a_tree_of_imports() -> None:
    roots = _measured_forest()
    assert [(root.module, root.self_us, root.cumulative_us) for root in roots] == [
        ("pkg", 1000, 2430),
        ("pkg.lazy", 70, 70),
    ]
    pkg = roots[0]
    assert [child.module for child in pkg.children] == ["json", "pkg.core"]
    json_node, core = pkg.children
    assert [child.module for child in json_node.children] == ["json.decoder"]
    assert [child.module for child in json_node.children[0].children] == ["json.scanner"]
    assert [child.module for child in core.children] == ["dep", "dep.sub"]
    assert [child.module for child in core.children[0].children] == ["zlib"]
    assert gen.total_us(roots) == 2500


def test_start_up_imports_stay_before_the_marker() -> None:
    report = gen.split_report(SAMPLE)
    assert [node.module for node in gen.parse_importtime(report.startup)] == ["encodings"]
    assert gen.total_us(gen.parse_importtime(report.startup)) == 1020
    assert "encodings" not in report.measured
    assert report.loaded is None
    with pytest.raises(ValueError, match="marker"):
        gen.split_report("import time:       900 |        900 | encodings\n")


def test_costs_are_charged_to_the_entry_each_module_belongs_to() -> None:
    sample = gen.split_costs(_measured_forest(), "pkg", ["dep", "other"])
    # dep and dep.sub by name, zlib because dep imported it
    assert sample.charges == {"dep": 200 + 40 + 500 + 100}
    assert sample.packages == frozenset({"dep"})
    # pkg, pkg.core, pkg.lazy, and json (stdlib, imported by pkg)
    assert sample.self_us == 1000 + 60 + 70 + 300 + 150 + 80
    assert sample.total_us == sample.self_us + sum(sample.charges.values())


def test_a_submodule_entry_takes_its_own_modules() -> None:
    sample = gen.split_costs(_measured_forest(), "pkg", ["dep", "dep.sub"])
    # dep.fast is dep's by name, but dep.sub loaded it: `import dep` alone does not
    assert sample.charges == {"dep": 200 + 40, "dep.sub": 100 + 500}


def test_package_modules_a_submodule_entry_loads_are_the_submodule_s_cost() -> None:
    # `import pkg.plot`: the parent package is imported first, then the submodule, which
    # loads more of the package (pkg.figure) than `import pkg` does
    report = f"""\
{gen.MARKER}
import time:        50 |         50 |   pkg.util
import time:       100 |        150 | pkg
import time:        70 |         70 |   pkg.figure
import time:        30 |         30 |   json
import time:       200 |        300 | pkg.plot
"""
    roots = gen.parse_importtime(gen.split_report(report).measured)
    sample = gen.split_costs(roots, "pkg.plot", ["pkg", "pkg.plot"])
    assert sample.charges == {"pkg": 150}
    assert sample.self_us == 200 + 70 + 30


def test_a_failed_optional_import_is_not_a_package() -> None:
    # requests tries `import simplejson`; importtime lists the attempt even when it fails
    report = gen.split_report(
        f"""\
{gen.MARKER}
import time:        90 |         90 |   simplejson
import time:       300 |        300 |   urllib3
import time:      1000 |       1390 | requests
{gen.LOADED_MARKER} sys builtins urllib3 requests
"""
    )
    assert report.loaded == {"sys", "builtins", "urllib3", "requests"}
    roots = gen.parse_importtime(report.measured)
    sample = gen.split_costs(roots, "requests", ["simplejson", "urllib3"], report.loaded)
    assert sample.charges == {"urllib3": 300}
    assert sample.self_us == 1000 + 90


def test_without_entries_everything_is_the_module_s_own() -> None:
    sample = gen.split_costs(_measured_forest(), "pkg", [])
    assert sample.charges == {}
    assert sample.self_us == sample.total_us == 2500


def test_the_most_specific_entry_owns_a_module() -> None:
    entries = ["aws_lambda_powertools", "aws_lambda_powertools.utilities.parser", "pydantic"]
    owner = gen.owning_entry
    assert owner("aws_lambda_powertools.utilities.parser.models", entries) == entries[1]
    assert owner("aws_lambda_powertools.utilities", entries) == entries[0]
    assert owner("pydantic_core", entries) is None  # a prefix of the name is not a parent
    assert owner("pydantic", entries) == "pydantic"


def test_what_an_import_loads_beyond_a_package_s_own_import_is_its_own_cost() -> None:
    # `import scipy` style: the user loads 30 ms of numpy where `import numpy` loads 20 ms
    samples = [gen.Sample(total_us=50_000, self_us=10_000, charges={"numpy": 30_000, "six": 1_000})]
    own = {"numpy": 20.0, "six": 2.0}
    assert gen.beyond_own_import_ms(samples, ["numpy", "six"], own) == 10.0


def test_medians_over_runs() -> None:
    samples = [
        gen.Sample(total_us=total, self_us=own, charges={"dep": total - own})
        for total, own in ((10_000, 4_000), (30_000, 9_000), (12_000, 5_000))
    ]
    assert gen.summarise("pkg", samples) == (12.0, 5.0, ["dep"])


def test_a_package_seen_in_a_minority_of_runs_is_left_out() -> None:
    samples = [
        gen.Sample(total_us=1000, self_us=1000, charges={}),
        gen.Sample(total_us=1000, self_us=900, charges={"dep": 100}),
        gen.Sample(total_us=1000, self_us=1000, charges={}),
    ]
    assert gen.summarise("pkg", samples)[2] == []
