"""CDK apps in Python, read statically: functions, asset folders, triggers, variables."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest
from click.testing import CliRunner

from lambda_lint.cli import main
from lambda_lint.descriptors import DeclaredFunction, read_cdk
from lambda_lint.rule import Example
from lambda_lint.rules.reuse_clients import ClientPerInvocation
from lambda_lint.testing import lint_example

DATA = Path(__file__).parent / "data" / "descriptors" / "cdk"
APP = DATA / "infra" / "stack.py"


def line_with(path: Path, needle: str, after: str = "") -> int:
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and needle in line) + 1


def read(path: Path, source: str | None = None) -> dict[str, DeclaredFunction]:
    module = cst.parse_module(path.read_text() if source is None else source)
    result = read_cdk(path, module)
    assert result.problems == []
    return {function.name: function for function in result.functions}


def read_snippet(tmp_path: Path, source: str) -> dict[str, DeclaredFunction]:
    path = tmp_path / "app.py"
    path.write_text(textwrap.dedent(source))
    return read(path)


def summary(function: DeclaredFunction) -> list[tuple]:
    return [
        (t.trigger, t.route, t.method, t.resource, t.report_batch_item_failures)
        for t in function.triggers
    ]


@pytest.fixture(scope="module")
def app() -> dict[str, DeclaredFunction]:
    return read(APP)


def test_function_with_constant_asset_folder(app: dict[str, DeclaredFunction]) -> None:
    api = app["RecipesApi"]
    assert api.handler == "recipes.api.handler"
    assert api.source.kind == "cdk"
    assert api.source.line == line_with(APP, 'handler="recipes.api.handler"')
    assert api.code_root == DATA / "services" / "api"  # relative to the cdk.json folder
    assert (api.runtime, api.timeout, api.snapstart) == ("python3.12", 15, True)


def test_rest_api_resources_and_methods(app: dict[str, DeclaredFunction]) -> None:
    assert summary(app["RecipesApi"]) == [
        ("apigw-rest", "/recipes/{recipeId}", "GET", None, False),
        ("apigw-rest", "/recipes", "POST", None, False),
    ]
    assert app["RecipesApi"].triggers[0].source.line == line_with(APP, 'recipe.add_method("GET"')


def test_http_api_routes_and_function_url(app: dict[str, DeclaredFunction]) -> None:
    search = app["Search"]
    assert search.code_root == DATA / "services" / "search"  # os.path.join of constants
    assert search.runtime == "python3.11"
    assert summary(search) == [
        ("apigw-http", "/search", "GET", None, False),
        ("apigw-http", "/search", "POST", None, False),
        ("function-url", None, None, None, False),
    ]


def test_event_sources_from_kwargs_and_add_event_source(app: dict[str, DeclaredFunction]) -> None:
    jobs = app["JobsWorker"]
    assert jobs.code_root == DATA / "services" / "jobs"  # f-string of a constant
    assert jobs.timeout == 120
    assert summary(jobs) == [
        ("sqs", None, None, "Jobs", True),
        ("sns", None, None, "Published", False),
    ]


def test_loop_over_constant_list_and_pathlib(app: dict[str, DeclaredFunction]) -> None:
    for construct_id, folder in (("Thumbnail", "thumbnail"), ("Indexer", "indexer")):
        worker = app[construct_id]
        assert worker.handler == f"{folder}.handler"
        assert worker.code_root == DATA / "services" / folder  # Path(__file__).parent / ".."
        assert summary(worker) == [("s3", None, None, "Uploads", False)]


def test_python_function_and_rules(app: dict[str, DeclaredFunction]) -> None:
    digest = app["Digest"]
    assert digest.handler == "weekly.main.handler"
    assert digest.code_root == DATA / "services" / "digest"
    assert digest.source.line == line_with(APP, 'index="weekly/main.py"')
    assert summary(digest) == [
        ("schedule", None, None, "WeeklyDigest", False),
        ("eventbridge", None, None, "OnPublish", False),
        ("sns", None, None, "Published", False),
    ]


def test_helper_method_is_evaluated_with_its_arguments(app: dict[str, DeclaredFunction]) -> None:
    seeder = app["Seeder"]
    assert seeder.handler == "seed.on_event"
    assert seeder.source.line == line_with(APP, '"Seeder", "seed.on_event"')
    assert summary(seeder) == [("cloudformation-custom-resource", None, None, None, False)]
    assert not any(name.startswith("aws_lambda.Function@") for name in app)


def test_unknown_values_stay_symbolic(app: dict[str, DeclaredFunction]) -> None:
    dynamic = app["Dynamic"]
    assert dynamic.handler is None
    assert dynamic.code_root is None
    assert dynamic.source.line == line_with(APP, "handler=os.environ")


def test_inline_and_image_code(app: dict[str, DeclaredFunction]) -> None:
    inline = app["Inline"]
    assert inline.inline_code == "def handler(event, context):\n    return event\n"
    assert inline.code_root is None
    renderer = app["Renderer"]
    assert renderer.package_type == "Image"
    assert renderer.handler == "render.app.handler"
    assert renderer.code_root == DATA / "services" / "renderer"


def test_module_without_aws_cdk_is_skipped(tmp_path: Path) -> None:
    source = "import boto3\n\ndef Function(scope, name, handler):\n    return handler\n"
    path = tmp_path / "handler.py"
    assert read_cdk(path, cst.parse_module(source)).functions == []


@pytest.mark.parametrize(
    ("imports", "constructor"),
    [
        ("import aws_cdk.aws_lambda as lam", "lam.Function"),
        ("from aws_cdk.aws_lambda import Function, Code", "Function"),
        ("import aws_cdk as cdk", "cdk.aws_lambda.Function"),
        ("from aws_cdk import aws_lambda as _lambda", "_lambda.Function"),
    ],
)
def test_import_styles(tmp_path: Path, imports: str, constructor: str) -> None:
    code = constructor.rsplit(".", 1)[0] + ".Code" if "." in constructor else "Code"
    functions = read_snippet(
        tmp_path,
        f"""
        {imports}

        def build(stack):
            {constructor}(stack, "Fn", handler="app.main", code={code}.from_asset("src"))
        """,
    )
    assert functions["Fn"].handler == "app.main"
    assert functions["Fn"].code_root == tmp_path / "src"  # no cdk.json: the app's folder


def test_imports_inside_module_level_try_and_if_blocks(tmp_path: Path) -> None:
    functions = read_snippet(
        tmp_path,
        """
        import sys

        try:
            import aws_cdk.aws_lambda as lam
        except ImportError:
            raise SystemExit("install aws-cdk-lib")
        if sys.version_info >= (3, 8):
            from aws_cdk.aws_lambda import Code

        def build(stack):
            lam.Function(stack, "Fn", handler="app.main", code=Code.from_asset("src"))
        """,
    )
    assert functions["Fn"].handler == "app.main"
    assert functions["Fn"].code_root == tmp_path / "src"


def test_file_relative_assets_module_helpers_and_dict_loops(tmp_path: Path) -> None:
    functions = read_snippet(
        tmp_path,
        """
        import os
        from aws_cdk import Duration, aws_lambda as lambda_
        from aws_cdk import aws_apigateway as apigw

        ROOT = os.path.join(os.path.dirname(__file__), "lambdas")
        FUNCTIONS = {"Orders": "orders", "Users": "users"}

        def make(scope, name, module, timeout=30):
            return lambda_.Function(
                scope,
                name,
                runtime=lambda_.Runtime.PYTHON_3_13,
                handler=module + ".handler",
                code=lambda_.Code.from_asset(os.path.join(ROOT, module)),
                timeout=Duration.seconds(timeout),
            )

        def stack(scope):
            for name, module in FUNCTIONS.items():
                fn = make(scope, name, module)
                apigw.LambdaRestApi(scope, name + "Api", handler=fn)
            legacy = make(scope, "Legacy", "legacy", timeout=5)
            legacy.add_event_source_mapping("Jobs", event_source_arn="arn:aws:sqs:eu-west-1:1:jobs")
        """,
    )
    assert set(functions) == {"Orders", "Users", "Legacy"}
    orders = functions["Orders"]
    assert orders.handler == "orders.handler"
    assert orders.code_root == tmp_path / "lambdas" / "orders"
    assert (orders.runtime, orders.timeout) == ("python3.13", 30)
    assert summary(orders) == [("apigw-rest", None, None, None, False)]
    assert functions["Legacy"].timeout == 5
    assert summary(functions["Legacy"]) == [("sqs", None, None, None, False)]


def test_rest_api_without_proxy_and_unused_integrations(tmp_path: Path) -> None:
    (tmp_path / "cdk.json").write_text("{}")
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    path = app_dir / "stacks.py"
    path.write_text(
        textwrap.dedent(
            """
            from aws_cdk import aws_apigateway as apigw, aws_lambda as lambda_
            from aws_cdk import aws_events as events, aws_events_targets as targets
            from aws_cdk import aws_sqs as sqs

            class Api:
                def __init__(self, scope):
                    self.fn = lambda_.Function(
                        scope, "Api", handler="api.handler", code=lambda_.Code.from_asset("api")
                    )
                    api = apigw.LambdaRestApi(scope, "Rest", handler=self.fn, proxy=False)
                    items = api.root.add_resource("items")
                    items.add_method("GET")
                    items.add_proxy()
                    self.wire()

                def wire(self):
                    queue = sqs.Queue(self, "Work")
                    self.fn.add_event_source_mapping("Map", event_source_arn=queue.queue_arn)
                    rule = events.Rule(self, "Any", event_pattern=events.EventPattern(source=["x"]))
                    rule.add_target(targets.LambdaFunction(self.fn))
                    apigw.LambdaIntegration(self.fn)
            """
        )
    )
    api = read(path)["Api"]
    assert api.code_root == tmp_path / "api"
    assert summary(api) == [
        ("apigw-rest", "/items", "GET", None, False),
        ("apigw-rest", "/items/{proxy+}", "ANY", None, False),
        ("sqs", None, None, "Work", False),
        ("eventbridge", None, None, "Any", False),
        ("apigw-rest", None, None, None, False),  # an integration never attached
    ]


def test_aliases_authorizers_and_other_integrations(tmp_path: Path) -> None:
    functions = read_snippet(
        tmp_path,
        """
        from aws_cdk import CustomResource, Stack
        from aws_cdk import aws_apigateway as apigw, aws_apigatewayv2 as apigwv2
        from aws_cdk import aws_cognito as cognito, aws_lambda as lambda_
        from aws_cdk import aws_stepfunctions_tasks as tasks
        from aws_cdk.aws_apigatewayv2_integrations import HttpLambdaIntegration
        from aws_cdk.aws_lambda_event_sources import KinesisEventSource

        class Services(Stack):
            def __init__(self, scope, construct_id):
                super().__init__(scope, construct_id)
                code = lambda_.Code.from_asset("src")
                main = lambda_.Function(self, "Main", handler="main.handler", code=code)
                live = lambda_.Alias(self, "Live", alias_name="live", version=main.current_version)
                live.add_event_source(KinesisEventSource(self.stream, starting_position=None))
                apigwv2.HttpApi(self, "Http", default_integration=HttpLambdaIntegration("I", live))
                mapped = lambda_.Function(self, "Mapped", handler="mapped.handler", code=code)
                apigw.LambdaIntegration(mapped, proxy=False)
                auth = lambda_.Function(self, "Auth", handler="auth.check", code=code)
                apigw.TokenAuthorizer(self, "Token", handler=auth)
                cognito.UserPool(
                    self, "Pool", lambda_triggers=cognito.UserPoolTriggers(pre_sign_up=auth)
                )
                CustomResource(self, "Seed", service_token=auth.function_arn)
                tasks.LambdaInvoke(self, "Step", lambda_function=mapped)
        """,
    )
    assert summary(functions["Main"]) == [
        ("kinesis", None, None, None, False),
        ("apigw-http", None, None, "Http", False),
    ]
    assert summary(functions["Mapped"]) == [
        ("step-functions", None, None, None, False),
        ("apigw-rest", None, None, None, False),
    ]
    # a non-proxy integration gets what its mapping template makes
    assert functions["Mapped"].triggers[1].proxy is False
    assert [t.trigger for t in functions["Auth"].triggers] == [
        "apigw-authorizer-token",
        "cognito-user-pool",
        "cloudformation-custom-resource",
    ]


def test_caller_positions_are_used_when_given(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    source = (
        "from aws_cdk import aws_lambda as lambda_\n"
        "lambda_.Function(None, 'Fn', handler='app.main', code=lambda_.Code.from_asset('src'))\n"
    )
    module = cst.parse_module(source)
    (function,) = read_cdk(path, module, lambda node: 41).functions
    assert function.source.line == 41
    (function,) = read_cdk(path, module).functions
    assert function.source.line == 2


def test_event_rules_record_the_detail_types_of_their_pattern(tmp_path: Path) -> None:
    functions = read_snippet(
        tmp_path,
        """
        from aws_cdk import Duration, Stack
        from aws_cdk import aws_events as events, aws_events_targets as targets
        from aws_cdk import aws_lambda as lambda_

        ORDER_PLACED = "Order Placed"
        CANCELLED = ["Order Cancelled", ORDER_PLACED]

        class Orders(Stack):
            def __init__(self, scope, construct_id, extra):
                super().__init__(scope, construct_id)
                fn = lambda_.Function(
                    self,
                    "Orders",
                    handler="orders.handler",
                    runtime=lambda_.Runtime.PYTHON_3_12,
                    code=lambda_.Code.from_asset("."),
                )
                events.Rule(
                    self,
                    "Placed",
                    event_pattern=events.EventPattern(
                        source=["shop.orders"], detail_type=[ORDER_PLACED, *CANCELLED, extra]
                    ),
                    targets=[targets.LambdaFunction(fn)],
                )
                shipped = events.Rule(
                    self, "Shipped", event_pattern={"detail-type": [f"{ORDER_PLACED} Shipped"]}
                )
                shipped.add_target(targets.LambdaFunction(fn))
                events.Rule(
                    self,
                    "Any",
                    event_pattern=events.EventPattern(source=["shop.orders"]),
                    targets=[targets.LambdaFunction(fn)],
                )
                events.Rule(
                    self,
                    "Sweep",
                    schedule=events.Schedule.rate(Duration.hours(1)),
                    targets=[targets.LambdaFunction(fn)],
                )
        """,
    )
    triggers = functions["Orders"].triggers
    assert [(t.trigger, t.resource, t.detail_types) for t in triggers] == [
        ("eventbridge", "Placed", ("Order Cancelled", "Order Placed")),  # `extra` is unknown
        ("eventbridge", "Shipped", ("Order Placed Shipped",)),
        ("eventbridge", "Any", ()),
        ("schedule", "Sweep", ()),
    ]


def test_event_source_batch_size(tmp_path: Path) -> None:
    functions = read_snippet(
        tmp_path,
        """
        from aws_cdk import Stack
        from aws_cdk import aws_lambda as lambda_
        from aws_cdk import aws_lambda_event_sources as sources

        BATCH = 5

        class AppStack(Stack):
            def __init__(self, scope, size):
                super().__init__(scope, "App")
                fn = lambda_.Function(
                    self,
                    "Worker",
                    runtime=lambda_.Runtime.PYTHON_3_12,
                    handler="app.handler",
                    code=lambda_.Code.from_asset("."),
                )
                fn.add_event_source(sources.SqsEventSource(queue, batch_size=1))
                fn.add_event_source(sources.DynamoEventSource(table, batch_size=BATCH))
                fn.add_event_source(sources.KinesisEventSource(stream, batch_size=size))
                fn.add_event_source(
                    sources.ManagedKafkaEventSource(cluster_arn="arn", topic="t", batch_size=100)
                )
                fn.add_event_source(sources.SnsEventSource(topic))
                fn.add_event_source_mapping(
                    "Map", event_source_arn="arn:aws:sqs:us-east-1:1:q", batch_size=7
                )
        """,
    )
    (function,) = functions.values()
    assert [(t.trigger, t.batch_size) for t in function.triggers] == [
        ("sqs", 1),
        ("dynamodb-stream", 5),
        ("kinesis", None),
        ("kafka", 100),
        ("sns", None),
        ("sqs", 7),
    ]


def test_bedrock_agent_action_group_executor(tmp_path: Path) -> None:
    functions = read_snippet(
        tmp_path,
        """
        from aws_cdk import Stack, aws_bedrock as bedrock, aws_iam as iam
        from aws_cdk import aws_lambda as lambda_

        class Agent(Stack):
            def __init__(self, scope, construct_id):
                super().__init__(scope, construct_id)
                code = lambda_.Code.from_asset("src")
                tool = lambda_.Function(self, "Tool", handler="tool.handler", code=code)
                gateway = lambda_.Function(self, "Gateway", handler="gateway.handler", code=code)
                gateway.add_permission("Invoke", principal=iam.ServicePrincipal("bedrock.amazonaws.com"))
                bedrock.CfnAgent(
                    self,
                    "Agent",
                    agent_name="orders",
                    action_groups=[
                        bedrock.CfnAgent.AgentActionGroupProperty(
                            action_group_name="lookup",
                            action_group_executor=bedrock.CfnAgent.ActionGroupExecutorProperty(
                                lambda_=tool.function_arn
                            ),
                        )
                    ],
                )
        """,
    )
    assert [t.trigger for t in functions["Tool"].triggers] == ["bedrock-agent"]
    assert functions["Gateway"].triggers == ()


def test_fixture_bucket_notification_with_key_filter_is_filtered() -> None:
    fixture = Path(__file__).parent.parent / "fixtures" / "cdk-app" / "app.py"
    functions = read(fixture)
    assert [(t.trigger, t.filtered) for t in functions["OrderImport"].triggers] == [("s3", True)]
    assert [(t.trigger, t.filtered) for t in functions["OrdersConsumer"].triggers] == [
        ("sqs", False)
    ]


def test_event_source_filters(tmp_path: Path) -> None:
    functions = read_snippet(
        tmp_path,
        """
        from aws_cdk import Stack, aws_lambda as lambda_, aws_s3 as s3
        from aws_cdk import aws_s3_notifications as s3n, aws_sns_subscriptions as subs
        from aws_cdk.aws_lambda_event_sources import S3EventSource, SqsEventSource

        class Pipeline(Stack):
            def __init__(self, scope, construct_id):
                super().__init__(scope, construct_id)
                code = lambda_.Code.from_asset("src")
                every = lambda_.Function(self, "Every", handler="a.handler", code=code)
                every.add_event_source(S3EventSource(self.raw, events=[s3.EventType.OBJECT_CREATED]))
                self.jobs_fn = lambda_.Function(self, "Jobs", handler="b.handler", code=code)
                self.jobs_fn.add_event_source(SqsEventSource(self.jobs))
                csv = lambda_.Function(self, "Csv", handler="c.handler", code=code)
                csv.add_event_source(
                    S3EventSource(
                        self.raw,
                        events=[s3.EventType.OBJECT_CREATED],
                        filters=[s3.NotificationKeyFilter(suffix=".csv")],
                    )
                )
                removed = lambda_.Function(self, "Removed", handler="d.handler", code=code)
                self.raw.add_object_removed_notification(s3n.LambdaDestination(removed))
                created = lambda_.Function(self, "Created", handler="e.handler", code=code)
                self.raw.add_event_notification(
                    s3.EventType.OBJECT_CREATED_PUT, s3n.LambdaDestination(created)
                )
                queued = lambda_.Function(self, "Queued", handler="f.handler", code=code)
                queued.add_event_source(
                    SqsEventSource(self.jobs, filters=[lambda_.FilterCriteria.filter({})])
                )
                orders = lambda_.Function(self, "Orders", handler="g.handler", code=code)
                self.topic.add_subscription(
                    subs.LambdaSubscription(orders, filter_policy={"kind": self.kind})
                )
        """,
    )
    filtered = {
        name: [(t.trigger, t.filtered) for t in f.triggers] for name, f in functions.items()
    }
    assert filtered == {
        "Every": [("s3", False)],
        "Jobs": [("sqs", False)],
        "Csv": [("s3", True)],
        "Removed": [("s3", True)],
        "Created": [("s3", False)],
        "Queued": [("sqs", True)],
        "Orders": [("sns", True)],
    }


SCHEDULED_ROTATION = """
from aws_cdk import CfnParameter, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler

class Rotation(Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        every = CfnParameter(self, "Schedule", default="{default}")
        fn = lambda_.Function(
            self,
            "Rotate",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="app.handler",
            code=lambda_.Code.from_asset("."),
        )
        self.schedule(every, fn)

    def schedule(self, every, fn):
        scheduler.CfnSchedule(
            self,
            "Every",
            flexible_time_window={{"mode": "OFF"}},
            schedule_expression=every.value_as_string,
            target=scheduler.CfnSchedule.TargetProperty(arn=fn.function_arn, role_arn="r"),
        )
        scheduler.CfnSchedule(
            self,
            "Daily",
            flexible_time_window={{"mode": "OFF"}},
            schedule_expression="rate(1 day)",
            target={{"arn": fn.function_arn, "role_arn": "r"}},
        )
"""

ROTATION_CODE = """\
import boto3
def handler(event, context):
    client = boto3.client("secretsmanager")
    client.rotate_secret(SecretId="app")
"""


def test_cfn_schedule_reads_its_expression_and_a_parameter_default(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    source = SCHEDULED_ROTATION.format(default="cron(0 0/1 * * ? *)")
    (function,) = read(path, source).values()
    assert [(t.trigger, t.resource, t.schedule) for t in function.triggers] == [
        ("schedule", "Every", "cron(0 0/1 * * ? *)"),
        ("schedule", "Daily", "rate(1 day)"),
    ]


@pytest.mark.parametrize(
    ("default", "reported"), [("cron(0 0/1 * * ? *)", 0), ("rate(1 minute)", 1)]
)
def test_client_per_invocation_on_a_cfn_schedule(
    tmp_path: Path, default: str, reported: int
) -> None:
    # the stack deploys the parameter's default; hourly or rarer leaves no warm environment
    files = {"cdk.json": "{}", "infra/app.py": SCHEDULED_ROTATION.format(default=default)}
    example = Example(ROTATION_CODE, files=files)
    findings = lint_example(ClientPerInvocation, example, tmp_path)
    assert len(findings) == reported
    output = CliRunner().invoke(main, ["handlers", str(tmp_path)]).output
    assert "app.py:2 handler  schedule " in output
