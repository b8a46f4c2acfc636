"""Import costs as the cold-start rules and `lambda-lint coldstart` compute them."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from lambda_lint.api import Linter
from lambda_lint.coldstart import costs as costs_module
from lambda_lint.coldstart.costs import CostTable, is_stdlib, stdlib_names
from lambda_lint.coldstart.estimate import cold_start_model
from lambda_lint.config import load_config_file
from lambda_lint.registry import load_rules
from lambda_lint.session import ConfigurationError, configure

TABLE = json.loads((Path(costs_module.__file__).parent / "import_costs.json").read_text())


def write(folder: Path, files: dict[str, str], config: str = "") -> None:
    for name, code in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(code), encoding="utf-8")
    (folder / "lambda-lint.toml").write_text(config, encoding="utf-8")


def project_costs(folder: Path):
    settings = load_config_file(folder / "lambda-lint.toml")
    linter = Linter(settings, load_rules(), enabled=(), cwd=folder)
    model = linter.lint([folder]).models[0]
    return model, cold_start_model(model)


def handler(model, name: str = "handler"):
    return next(h for h in model.handlers.values() if h.qualname == name)


# -- the table -------------------------------------------------------------------------------


def test_a_module_is_costed_by_its_longest_prefix_in_the_table() -> None:
    table = CostTable()
    assert table.entry("matplotlib.pyplot").name == "matplotlib.pyplot"
    assert table.entry("sklearn.linear_model").name == "sklearn"
    assert table.entry("pydantic.BaseModel").name == "pydantic"


def test_unknown_modules_cost_the_stated_defaults() -> None:
    table = CostTable()
    unknown = table.entry("acme_billing_sdk.client")
    assert (unknown.name, unknown.source, unknown.self_ms) == (
        "acme_billing_sdk",
        "default",
        TABLE["default_ms"],
    )
    assert table.entry("colorsys").source == "stdlib"
    assert table.entry("json").source == "loaded"  # imported by the runtime first
    assert table.cost(["os", "sys", "json"]) == 0


def test_a_shared_package_is_counted_once() -> None:
    table = CostTable()
    boto3, requests = table.cost(["boto3"]), table.cost(["requests"])
    together = table.cost(["boto3", "requests"])
    assert max(boto3, requests) < together < boto3 + requests
    shared = table.closure(["boto3"]) & table.closure(["requests"]) - table.loaded
    assert shared, "boto3 and requests share urllib3 at least"
    assert together == pytest.approx(boto3 + requests - sum(table.self_ms(name) for name in shared))


def test_configured_costs_replace_or_add_whole_figures() -> None:
    table = CostTable({"pandas": 900, "acme_billing_sdk": 120})
    assert table.cost(["pandas"]) == 900
    assert table.cost([table.entry("acme_billing_sdk.client").name]) == 120


def test_stdlib_classification() -> None:
    assert is_stdlib("email.mime.text") and is_stdlib("_thread")
    assert not is_stdlib("boto3")
    shipped = set(
        json.loads((Path(costs_module.__file__).parent / "stdlib_py39.json").read_text())["modules"]
    )
    # the 3.9 list knows what 3.9 had and later versions dropped
    assert {"formatter", "parser", "symbol", "asyncore", "distutils"} <= shipped
    assert "tomllib" not in shipped
    assert "json" in stdlib_names()


# -- per-handler estimates -------------------------------------------------------------------


def test_tree_total_is_the_cost_of_the_handler_s_whole_import_set(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app.py": """\
                import boto3
                import helpers

                def handler(event, context):
                    return helpers.total(event)
            """,
            "helpers.py": """\
                import requests
                import boto3.dynamodb

                def total(event):
                    return 1
            """,
        },
    )
    model, costs = project_costs(tmp_path)
    found = handler(model)
    tree = costs.tree(found)
    assert tree.total_ms == pytest.approx(costs.table.cost(["boto3", "requests"]))
    names = [node.name for node, _ in tree.walk()]
    assert names.count("boto3") == 1 and names.count("urllib3") == 1
    helpers = next(node for node, _ in tree.walk() if node.name == "helpers")
    assert helpers.kind == "project" and helpers.imported_at == (tmp_path / "app.py", 2)
    contributors = costs.contributors(tree)
    assert contributors[0].node.name == "boto3"
    assert contributors[0].chain_text == "app -> boto3"
    assert any(c.chain_text == "app -> helpers -> requests" for c in contributors)


def test_packages_that_load_each_other_are_drawn_side_by_side(tmp_path: Path) -> None:
    # Powertools' package runs its logging, metrics and tracing modules, each of which
    # loads the package: in the table each lists the others, none is the others' parent
    write(
        tmp_path,
        {
            "app.py": """\
                from aws_lambda_powertools import Logger

                def handler(event, context):
                    return Logger()
            """
        },
    )
    model, costs = project_costs(tmp_path)
    [powertools] = costs.tree(handler(model)).children
    below = {child.name: child for child in powertools.children}
    parts = ("logging", "metrics", "tracing")
    assert {f"aws_lambda_powertools.{part}" for part in parts} <= set(below)
    for part in parts:
        nested = [node.name for node, _ in below[f"aws_lambda_powertools.{part}"].walk()]
        assert not any(name.startswith("aws_lambda_powertools.") for name in nested[1:])


def test_saving_counts_only_what_no_other_import_loads(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app.py": """\
                import boto3
                import botocore
                import pandas

                def handler(event, context):
                    return boto3
            """
        },
    )
    model, costs = project_costs(tmp_path)
    found = handler(model)
    imports = {item.unit: item for item in costs.external_imports(tmp_path / "app.py")}
    assert costs.saving(found, [imports["botocore"]]) == 0  # boto3 loads it anyway
    assert costs.saving(found, [imports["pandas"]]) > 100


def test_imports_that_do_not_run_at_init_cost_nothing(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app.py": """\
                from typing import TYPE_CHECKING

                if TYPE_CHECKING:
                    import pandas

                def handler(event, context):
                    import sklearn
                    return 1
            """
        },
    )
    model, costs = project_costs(tmp_path)
    assert costs.total_ms(handler(model)) < 10


# -- configuration ---------------------------------------------------------------------------


def test_cold_start_table_is_checked_like_other_rule_options(tmp_path: Path) -> None:
    write(tmp_path, {}, '[cold-start]\nbudget-ms = "fast"\n')
    with pytest.raises(ConfigurationError, match="budget-ms"):
        configure(load_config_file(tmp_path / "lambda-lint.toml"))
    write(tmp_path, {}, "[cold-start]\nbudget = 500\n")
    with pytest.raises(ConfigurationError, match="unknown option 'budget'"):
        configure(load_config_file(tmp_path / "lambda-lint.toml"))
    write(tmp_path, {}, '[cold-start]\nbudget-ms = 500\nheavy-ms = 50\ncosts = { "acme" = 80 }\n')
    configure(load_config_file(tmp_path / "lambda-lint.toml"))


def test_configured_costs_reach_the_rules(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"app.py": "import acme_sdk\n\ndef handler(event, context):\n    return acme_sdk.go()\n"},
        '[cold-start]\nbudget-ms = 100\ncosts = { "acme_sdk" = 250 }\n',
    )
    settings = load_config_file(tmp_path / "lambda-lint.toml")
    result = Linter(settings, load_rules(), {"LL203"}, cwd=tmp_path).lint([tmp_path])
    assert [f.code for f in result.findings] == ["LL203"]
    assert "250 ms" in result.findings[0].message


def test_the_budget_message_names_only_contributors_that_matter(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app.py": """\
                import math
                from strands import Agent

                def handler(event, context):
                    return Agent().run(math.pi)
            """
        },
    )
    settings = load_config_file(tmp_path / "lambda-lint.toml")
    [finding] = Linter(settings, load_rules(), {"LL203"}, cwd=tmp_path).lint([tmp_path]).findings
    assert "heaviest: strands ≈ " in finding.message and "(app -> strands)" in finding.message
    assert "math" not in finding.message  # a few milliseconds of the standard library


def test_a_chalice_app_s_views_share_one_report_and_its_other_functions_have_their_own(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "app.py": """\
                import pandas
                import sklearn
                from chalice import Chalice

                app = Chalice(app_name="reports")

                @app.on_sqs_message(queue="reports")
                def refresh(event):
                    return None

                @app.route("/reports")
                def list_reports():
                    return []

                @app.route("/reports/{name}")
                def get_report(name):
                    return {}
            """
        },
    )
    settings = load_config_file(tmp_path / "lambda-lint.toml")
    findings = Linter(settings, load_rules(), {"LL203"}, cwd=tmp_path).lint([tmp_path]).findings
    messages = sorted(f.message.split(" cost ")[0] for f in findings)
    assert messages == [
        "INIT imports of `refresh`",
        "INIT imports of the Chalice app's views (`list_reports` and 1 more)",
    ]


def test_a_module_found_only_by_its_name_is_taken_for_a_layer(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "functions/orders/app.py": """\
                import shared_logging
                import common.db
                from aws_lambda_powertools import Tracer

                def handler(event, context):
                    return shared_logging.log(common.db.find(event))
            """,
            "layers/python/common/__init__.py": "",
            "layers/python/common/db.py": "from . import pool\n\ndef find(event):\n    return event\n",
            "layers/python/common/pool.py": "import requests\n",
            "layers/python/shared_logging.py": """\
                from aws_lambda_powertools import Logger

                def log(event):
                    return Logger().info(event)
            """,
        },
    )
    model, costs = project_costs(tmp_path)
    found = handler(model)
    tree = costs.tree(found)
    layer = next(node for node, _ in tree.walk() if node.name == "shared_logging")
    assert layer.kind == "project"
    assert [child.name for child in layer.children] == ["aws_lambda_powertools"]
    # named as imported, and what they import named after their packages
    names = [node.name for node, _ in tree.walk()]
    assert "common.db" in names and "common.pool" in names
    # the layer loads Powertools anyway: the unused Tracer import saves nothing
    [tracer] = costs.external_imports(tmp_path / "functions/orders/app.py")
    assert costs.saving(found, [tracer]) == 0


#: the layer's folder as a distribution its build installs (a `setup.py`), though the
#: folder itself holds an `__init__.py`
DISTRIBUTION = {
    "layers/shared/__init__.py": "",
    "layers/shared/setup.py": "from setuptools import setup\n\nsetup(packages=['common'])\n",
}


@pytest.mark.parametrize("extra", [{}, DISTRIBUTION], ids=["folder", "distribution"])
def test_from_a_layer_package_import_a_module_runs_the_module(
    tmp_path: Path, extra: dict[str, str]
) -> None:
    write(
        tmp_path,
        {
            **extra,
            "functions/orders/app.py": """\
                import requests
                from common import db

                def handler(event, context):
                    return db.find(event)
            """,
            # a layer folder the build copies into python/: found by the module's name
            "layers/shared/common/__init__.py": "",
            "layers/shared/common/db.py": "import requests\n\ndef find(event):\n    return event\n",
        },
    )
    model, costs = project_costs(tmp_path)
    found = handler(model)
    names = [node.name for node, _ in costs.tree(found).walk()]
    assert any(name.endswith("common.db") for name in names)
    # the layer's module loads requests anyway: the unused import saves nothing
    [unused] = [
        i
        for i in costs.external_imports(tmp_path / "functions/orders/app.py")
        if i.module == "requests"
    ]
    assert costs.saving(found, [unused]) == 0


def test_a_package_s_submodule_is_not_taken_for_a_library_of_its_name(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "layers/python/clients.py": "import openai\n\nCLIENT = openai.OpenAI()\n",
            "functions/chat/app.py": """\
                import clients

                def handler(event, context):
                    return clients.CLIENT
            """,
            # another function's package, with a module named like the library
            "functions/agent/adapters/openai/__init__.py": "import torch\n",
            "functions/agent/app.py": """\
                import adapters

                def handler(event, context):
                    return adapters
            """,
            "functions/agent/adapters/__init__.py": "from .openai import *\n",
            "functions/__init__.py": "",  # above the code root: not part of the name
            "functions/agent/__init__.py": "",
        },
    )
    model, costs = project_costs(tmp_path)
    chat = next(h for h in model.handlers.values() if h.file.parent.name == "chat")
    layer = next(node for node, _ in costs.tree(chat).walk() if node.name == "clients")
    [library] = layer.children
    assert (library.name, library.kind) == ("openai", "third-party")
    assert "torch" not in [node.name for node, _ in library.walk()]
    # and the agent's module is named as Python names it
    agent = next(h for h in model.handlers.values() if h.file.parent.name == "agent")
    [package] = costs.tree(agent).children
    assert [child.name for child in package.children] == ["adapters.openai"]


def test_no_saving_is_claimed_when_an_import_may_be_one_of_several_project_files(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "functions/orders/app.py": """\
                import utils
                import pandas

                def handler(event, context):
                    return utils.go(event)
            """,
            "layers/a/utils.py": "import pandas\n",
            "layers/b/utils.py": "import numpy\n",
        },
    )
    model, costs = project_costs(tmp_path)
    found = handler(model)
    imports = {
        item.unit: item for item in costs.external_imports(tmp_path / "functions/orders/app.py")
    }
    assert imports["utils"].maybe_project
    assert costs.saving(found, [imports["pandas"]]) == 0
