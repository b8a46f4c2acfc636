"""The project model as rules and users see it: which functions are handlers, what runs
at INIT (with the import chain to each module), and analyses kept on the model."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lambda_lint.api import Linter
from lambda_lint.config import load_config_file
from lambda_lint.model import project as project_module
from lambda_lint.model.project import Phase, ProjectModel
from lambda_lint.registry import load_rules


def build(folder: Path, files: dict[str, str], config: str = "") -> ProjectModel:
    """Write a project and return its model, as `lambda-lint check` builds it."""
    for name, code in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(code), encoding="utf-8")
    (folder / "lambda-lint.toml").write_text(textwrap.dedent(config), encoding="utf-8")
    settings = load_config_file(folder / "lambda-lint.toml")
    linter = Linter(settings, load_rules(), set(), cwd=folder)
    (model,) = linter.lint([folder]).models
    return model


def handler_names(model: ProjectModel) -> set[str]:
    return {f"{key[0].name}:{key[1]}" for key in model.handlers}


# -- INIT ------------------------------------------------------------------------------


def test_importing_a_submodule_runs_its_package_init_at_init(tmp_path: Path) -> None:
    model = build(
        tmp_path,
        {
            "app.py": "import shared.db\n\ndef handler(event, context):\n    return shared.db.get()\n",
            "shared/__init__.py": "REGISTRY = {}\n",
            "shared/db.py": "def get():\n    return 1\n",
        },
    )
    root = tmp_path.resolve()
    assert model.phase(None, root / "shared" / "__init__.py") is Phase.INIT
    assert model.phase(None, root / "shared" / "db.py") is Phase.INIT


@pytest.mark.parametrize("bound", ["db", "shared"])
def test_a_submodule_imported_under_another_name_is_followed(tmp_path: Path, bound: str) -> None:
    # `import shared.db as shared` binds `shared` to the submodule, not to the package
    model = build(
        tmp_path,
        {
            "app.py": f"import shared.db as {bound}\n\ndef handler(event, context):\n"
            f"    return {bound}.get(event)\n",
            "shared/__init__.py": "def get(event):\n    return None\n",
            "shared/db.py": "def get(event):\n    return event['id']\n",
        },
    )
    root = tmp_path.resolve()
    assert model.phase((root / "shared" / "db.py", "get"), root / "shared" / "db.py") is (
        Phase.INVOKE
    )
    assert model.chain((root / "shared" / "db.py", "get"))[0].call.target == f"{bound}.get"
    assert model.phase((root / "shared" / "__init__.py", "get"), root) is Phase.UNKNOWN


def test_init_imports_follow_module_scope_imports_with_their_chain(tmp_path: Path) -> None:
    model = build(
        tmp_path,
        {
            "app.py": """\
                from __future__ import annotations
                from typing import TYPE_CHECKING
                import helpers
                try:
                    import ujson as json
                except ImportError:
                    import json
                if TYPE_CHECKING:
                    import mypy_boto3_s3

                def handler(event, context):
                    import pandas
                    return helpers.score(event)
            """,
            "helpers.py": "import numpy as np\nfrom sklearn.linear_model import Ridge\n\n"
            "def score(event):\n    return np.mean([1])\n",
        },
    )
    root = tmp_path.resolve()
    closure = model.init_imports((root / "app.py", "handler"))
    external = {m.name for m in closure.external()}
    assert {"numpy", "sklearn.linear_model", "ujson", "json", "typing"} <= external
    assert "pandas" not in external  # imported inside the handler: not INIT
    assert "mypy_boto3_s3" not in external  # never runs
    chain = closure.chain("numpy")
    assert [m.name for m in chain] == ["app", "helpers", "numpy"]
    assert chain[-1].via is not None and chain[-1].via.line == 1
    assert chain[-1].via.importer == root / "helpers.py"


def test_the_handler_modules_package_runs_before_it(tmp_path: Path) -> None:
    model = build(
        tmp_path,
        {
            "src/orders/__init__.py": "import boto3\n",
            "src/orders/api.py": "def handler(event, context):\n    return 1\n",
        },
        '[[handlers]]\ntarget = "src/orders/api.handler"\n',
    )
    root = tmp_path.resolve()
    closure = model.init_imports((root / "src" / "orders" / "api.py", "handler"))
    assert root / "src" / "orders" / "__init__.py" in closure.files()
    assert "boto3" in {m.name for m in closure.external()}


def test_analyses_are_computed_once_and_kept(tmp_path: Path) -> None:
    model = build(tmp_path, {"app.py": "def handler(event, context):\n    return 1\n"})
    calls = []

    def count(found: ProjectModel) -> int:
        calls.append(found)
        return len(found.handlers)

    assert model.analysis("test.count", count) == 1
    assert model.analysis("test.count", count) == 1
    assert calls == [model]


# -- what a handler is -------------------------------------------------------------------


def test_a_function_named_like_a_handler_but_called_by_project_code_is_a_helper(
    tmp_path: Path,
) -> None:
    model = build(
        tmp_path,
        {
            "app.py": "from util import handler\n\ndef lambda_handler(event, context):\n"
            "    return handler(event, context, 3)\n",
            "util.py": "def handler(event, context, retries):\n    return retries\n",
        },
    )
    assert handler_names(model) == {"app.py:lambda_handler"}


def test_a_function_another_module_hands_to_a_router_is_a_callback(tmp_path: Path) -> None:
    model = build(
        tmp_path,
        {
            "app.py": """\
                from auth import authenticate
                from router import router

                @router.attach("/ask", "post", authenticate)
                def ask(event, context):
                    return 1

                def lambda_handler(event, context):
                    return router.handle(event, context)
            """,
            "auth.py": "def authenticate(event, context):\n    return event['user']\n",
            "router.py": "class Router:\n    def attach(self, *args):\n        return lambda f: f\n\n"
            "router = Router()\n",
            # handed on in its own module only, as a wrapper takes it: still a handler
            "wrapped.py": "from wrap import wrap\n\ndef handler(event, context):\n    return 1\n\n"
            "lambda_handler = wrap(handler)\n",
            # handed on from test code, as a test harness takes it: still a handler
            "jobs.py": "def handler(event, context):\n    return 1\n",
            "tests/test_jobs.py": "from jobs import handler\n\ndef test_it(run):\n    run(handler)\n",
        },
    )
    assert handler_names(model) == {
        "app.py:lambda_handler",
        "wrapped.py:handler",
        "jobs.py:handler",
    }


def test_a_declared_handler_makes_its_module_siblings_plain_functions(tmp_path: Path) -> None:
    model = build(
        tmp_path,
        {
            "app.py": "def handler(event, context):\n    return 1\n\ndef main(event, context):\n    return 2\n"
        },
        '[[handlers]]\ntarget = "app.handler"\n',
    )
    assert handler_names(model) == {"app.py:handler"}


def test_test_code_and_registered_callbacks_are_not_handlers(tmp_path: Path) -> None:
    model = build(
        tmp_path,
        {
            "tests/test_app.py": "def handler(event, context):\n    return 1\n",
            "conftest.py": "def handler(event, context):\n    return 1\n",
            "custom.py": """\
                from crhelper import CfnResource
                helper = CfnResource()

                @helper.create
                def handler(event, context):
                    return 'id'
            """,
            "app.py": """\
                from aws_lambda_powertools import Logger
                logger = Logger()

                @logger.inject_lambda_context
                def handler(event, context):
                    return 1
            """,
        },
    )
    assert handler_names(model) == {"app.py:handler"}


def test_a_durable_context_is_not_the_lambda_context(tmp_path: Path) -> None:
    model = build(
        tmp_path,
        {
            "app.py": """\
                from aws_durable_execution_sdk_python import DurableContext, durable_execution

                def handler(event, context: DurableContext):
                    return 1

                def plain(event: dict, context: "LambdaContext"):
                    return 2
            """,
        },
        '[[handlers]]\ntarget = "app.handler"\n\n[[handlers]]\ntarget = "app.plain"\n',
    )
    root = tmp_path.resolve()
    durable = model.handlers[(root / "app.py", "handler")]
    plain = model.handlers[(root / "app.py", "plain")]
    assert (durable.event_param, durable.context_param) == ("event", None)
    assert (plain.event_param, plain.context_param) == ("event", "context")


def test_a_decorator_that_may_rewrite_the_event_hides_its_trigger_shape(tmp_path: Path) -> None:
    """Behind a decorator of the project that writes into the event, or one lambda-lint
    does not know, the handler does not see the trigger's event as it came: its event
    values carry no trigger (rules of event shapes stay silent). A decorator that
    passes the event on, and a known library's, keep it."""
    model = build(
        tmp_path,
        {
            "app.py": """\
                import json
                from aws_lambda_powertools import Logger
                from house_rules import authorised

                logger = Logger()

                def json_body(handler):
                    def wrapper(event, context):
                        event["body"] = json.loads(event["body"] or "{}")
                        return handler(event, context)
                    return wrapper

                def logged(handler):
                    def wrapper(event, context):
                        print(event)
                        return handler(event, context)
                    return wrapper

                @json_body
                def decoded(event, context):
                    return event["body"]["id"]

                @authorised
                def unknown(event, context):
                    return event["body"]

                @logged
                @logger.inject_lambda_context
                def passed_on(event, context):
                    return event["body"]
            """,
        },
        "".join(
            f'[[handlers]]\ntarget = "app.{name}"\ntrigger = "apigw-rest"\n\n'
            for name in ("decoded", "unknown", "passed_on")
        ),
    )
    app = tmp_path.resolve() / "app.py"
    kinds = {
        name: model.handlers[(app, name)].event_kind for name in ("decoded", "unknown", "passed_on")
    }
    assert kinds == {"decoded": None, "unknown": None, "passed_on": "apigw-rest"}
    assert {model.handlers[(app, name)].trigger for name in kinds} == {"apigw-rest"}


# -- Chalice ---------------------------------------------------------------------------


CHALICE_APP = """\
    from chalice import Chalice, Rate
    from chalicelib.albums import albums

    app = Chalice(app_name="photos")
    app.register_blueprint(albums)

    @app.route("/photos/{photo_id}")
    def get_photo(photo_id):
        return {"id": photo_id}

    @app.on_sqs_message(queue="thumbnails")
    def thumbnails(event):
        return [record.body for record in event]

    @app.schedule(Rate(1, unit=Rate.HOURS))
    def expire(event):
        return event.to_dict()

    @app.lambda_function(name="export")
    def export(event, context):
        return context.aws_request_id

    def helper(event, context):
        return event
"""


def test_functions_a_chalice_app_registers_are_handlers_with_their_triggers(
    tmp_path: Path,
) -> None:
    model = build(
        tmp_path,
        {
            "app.py": CHALICE_APP,
            "chalicelib/__init__.py": "",
            "chalicelib/albums.py": "from chalice import Blueprint\n\nalbums = Blueprint(__name__)\n\n"
            "@albums.route('/albums/{album_id}')\ndef get_album(album_id):\n    return {}\n",
        },
    )
    assert handler_names(model) == {
        "app.py:get_photo",
        "app.py:thumbnails",
        "app.py:expire",
        "app.py:export",
        "albums.py:get_album",
    }
    triggers = {key[1]: handler.triggers for key, handler in model.handlers.items()}
    assert triggers == {
        "get_photo": ("apigw-rest",),
        "thumbnails": ("sqs",),
        "expire": ("schedule",),
        "export": (),
        "get_album": ("apigw-rest",),
    }
    root = tmp_path.resolve()
    assert model.phase((root / "chalicelib" / "albums.py", "get_album"), root) is Phase.INVOKE


def test_chalice_passes_its_own_objects_except_to_a_pure_lambda_function(
    tmp_path: Path,
) -> None:
    model = build(tmp_path, {"app.py": CHALICE_APP, "chalicelib/albums.py": "albums = None\n"})
    root = tmp_path.resolve()
    received = {
        key[1]: (handler.event_param, handler.context_param, handler.framework)
        for key, handler in model.handlers.items()
    }
    assert received == {
        "get_photo": (None, None, "chalice"),
        "thumbnails": (None, None, "chalice"),
        "expire": (None, None, "chalice"),
        "export": ("event", "context", None),
    }
    assert model.parameter_seeds((root / "app.py", "thumbnails")) == {}


def test_route_decorators_of_other_frameworks_and_chalice_tests_are_not_handlers(
    tmp_path: Path,
) -> None:
    model = build(
        tmp_path,
        {
            "web.py": "from flask import Flask\n\napp = Flask(__name__)\n\n"
            "@app.route('/')\ndef index():\n    return 'hi'\n",
            "tests/test_app.py": "from chalice import Chalice\n\napp = Chalice('t')\n\n"
            "@app.route('/')\ndef index():\n    return {}\n",
        },
    )
    assert handler_names(model) == set()


# -- parameter seeds -------------------------------------------------------------------

SEEDED_PROJECT = {
    "app.py": """
        from helpers import first

        def handler(event, context):
            return first(event["Records"], context)
        """,
    "helpers.py": """
        from deep import second

        def first(records, ctx):
            return second(records[0], ctx)
        """,
    "deep.py": """
        def second(record, ctx):
            return record["body"]
        """,
    "other.py": """
        from deep import second

        def handler(event, context):
            return second(event, context)
        """,
    **{f"filler{i}.py": "X = 1\n" for i in range(9)},
}


def test_seeds_propagated_through_the_files_upstream_alone_are_the_whole_projects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = build(tmp_path / "whole", SEEDED_PROJECT)
    functions = [("app.py", "handler"), ("helpers.py", "first")]
    expected = [whole.parameter_seeds((whole.root / n, f)) for n, f in functions]
    apart = build(tmp_path / "apart", SEEDED_PROJECT)
    root = apart.root
    callers = {"app.py": {"app.py"}, "helpers.py": {"app.py", "helpers.py"}}
    apart.upstream = lambda path: {root / name for name in callers[path.name]}
    within = []
    propagate = project_module.propagate

    def spy(*args: object) -> object:
        within.append(args[3:])
        return propagate(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(project_module, "propagate", spy)
    assert [apart.parameter_seeds((root / n, f)) for n, f in functions] == expected
    assert all(expected)
    assert within == [({root / "app.py"},), ({root / "app.py", root / "helpers.py"},)]


def test_a_module_of_a_layer_in_the_project_is_followed(tmp_path: Path) -> None:
    """A layer's `python/` folder is on the import path (/opt/python): a handler's
    import of a module only a layer folder of the project has resolves there, and the
    handler's calls into it are followed. A name two layers both have stays unresolved,
    and so does a library a layer vendors."""
    model = build(
        tmp_path,
        {
            "functions/orders/app.py": """\
                from clients import table
                from shared import version

                def handler(event, context):
                    return table().get_item(Key={"id": event["id"]})
            """,
            "layers/common/python/clients.py": """\
                import boto3

                def table():
                    return boto3.resource("dynamodb").Table("orders")
            """,
            "layers/common/python/shared.py": "version = 1\n",
            "layers/other/python/shared.py": "version = 2\n",
            "layers/deps/python/requests/__init__.py": "def get(url):\n    return url\n",
        },
        '[[handlers]]\ntarget = "functions/orders/app.handler"\n',
    )
    root = tmp_path.resolve()
    app = root / "functions/orders/app.py"
    clients = root / "layers/common/python/clients.py"
    assert model.resolver.resolve_module("clients", app) == clients
    assert model.resolver.resolve_module("shared", app) is None
    assert model.resolver.resolve_module("requests", app) is None
    assert (clients, "table") in model.invoked


# -- values through calls ----------------------------------------------------------------


def test_what_a_method_returns_of_its_arguments_is_followed_static_or_bound(
    tmp_path: Path,
) -> None:
    """A call's arguments line up with the callee's parameters: past `self` for a bound
    method, from the first for a static one called through its class."""
    files = {
        "app.py": """\
            class Request:
                @staticmethod
                def params(event):
                    return event["queryStringParameters"]

                def multi(self, event):
                    return event["multiValueQueryStringParameters"]

            REQUEST = Request()

            def handler(event, context):
                params = Request.params(event)
                multi = REQUEST.multi(event)
                return {"statusCode": 200, "body": params["id"] + multi["x"][0]}
        """,
    }
    for name, code in files.items():
        (tmp_path / name).write_text(textwrap.dedent(code), encoding="utf-8")
    (tmp_path / "lambda-lint.toml").write_text(
        '[[handlers]]\ntarget = "app.handler"\ntrigger = "apigw-rest"\n', encoding="utf-8"
    )
    settings = load_config_file(tmp_path / "lambda-lint.toml")
    result = Linter(settings, load_rules(), {"LL402"}, cwd=tmp_path).lint([tmp_path])
    reported = {(f.code, f.message.split("`")[1]) for f in result.findings}
    assert reported == {
        ("LL402", "queryStringParameters"),
        ("LL402", "multiValueQueryStringParameters"),
    }
