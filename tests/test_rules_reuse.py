"""LL3 (execution-environment reuse): edge cases and cross-file cases beyond the rules'
own VALID/INVALID examples, and the model helpers they rest on."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from lambda_lint.api import Linter
from lambda_lint.config import Settings
from lambda_lint.finding import Finding
from lambda_lint.key_reads import keys_read_always
from lambda_lint.model.once import mentions_any, runs_conditionally
from lambda_lint.model.scope import function_scope, module_bindings
from lambda_lint.registry import load_rules
from lambda_lint.rule import Example, Rule
from lambda_lint.rules.invocation_cleanup import (
    BackgroundWorkAfterReturn,
    LoggingSetupPerInvocation,
    TmpFileLeak,
)
from lambda_lint.rules.module_state import RequestDataInGlobal, UnboundedGlobalGrowth
from lambda_lint.rules.reuse_clients import AsyncClientAcrossLoops, ClientPerInvocation
from lambda_lint.testing import lint_example


def lint(
    rule: type[Rule], code: str, tmp_path: Path, files: dict[str, str] | None = None
) -> list[Finding]:
    files = {name: textwrap.dedent(text) for name, text in (files or {}).items()}
    for name, text in {"app.py": textwrap.dedent(code), **files}.items():
        compile(text, name, "exec")  # a case that does not parse would pass vacuously
    return lint_example(rule, Example(textwrap.dedent(code), files=files), tmp_path)


# -- LL301 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        # `or` as a lazy guard
        """
        import boto3
        _s3 = None
        def handler(event, context):
            global _s3
            _s3 = _s3 or boto3.client("s3")
            return _s3.list_buckets()
        """,
        # a cache filled in `except KeyError`
        """
        import boto3
        _clients = {}
        def client(name):
            try:
                return _clients[name]
            except KeyError:
                _clients[name] = boto3.client(name)
                return _clients[name]
        def handler(event, context):
            return client("s3").list_buckets()
        """,
        # an early return when already built
        """
        import boto3
        _table = None
        def table():
            global _table
            if _table is not None:
                return _table
            _table = boto3.resource("dynamodb").Table("t")
            return _table
        def handler(event, context):
            return table().scan()
        """,
        # a lazily built attribute of an object
        """
        import boto3
        class Repo:
            def __init__(self):
                self._table = None
            def table(self):
                if self._table is None:
                    self._table = boto3.resource("dynamodb").Table("t")
                return self._table
        repo = Repo()
        def handler(event, context):
            return repo.table().scan()
        """,
        # asyncio clients are LL307's business
        """
        import asyncio
        import aiohttp
        async def main():
            async with aiohttp.ClientSession() as http:
                return await http.get("https://example.com")
        def handler(event, context):
            return asyncio.run(main())
        """,
        # code no handler reaches, and module scope
        """
        import boto3
        s3 = boto3.client("s3")
        def backfill():
            return boto3.client("s3").list_buckets()
        """,
        # a region from the context
        """
        import boto3
        def handler(event, context):
            region = context.invoked_function_arn.split(":")[3]
            return boto3.client("s3", region_name=region).list_buckets()
        """,
    ],
)
def test_client_per_invocation_leaves_alone(code: str, tmp_path: Path) -> None:
    assert lint(ClientPerInvocation, code, tmp_path) == []


def test_client_built_only_below_a_cached_factory_in_another_module(tmp_path: Path) -> None:
    code = """
    from clients import table
    def handler(event, context):
        return table().get_item(Key={"id": event["id"]})
    """
    clients = """
    import functools
    import boto3
    def _build():
        return boto3.resource("dynamodb").Table("orders")
    @functools.cache
    def table():
        return _build()
    """
    assert lint(ClientPerInvocation, code, tmp_path, {"clients.py": clients}) == []


def test_client_reached_around_the_cache_is_reported(tmp_path: Path) -> None:
    code = """
    import functools
    import boto3
    def build():
        return boto3.client("sqs")
    @functools.lru_cache
    def cached():
        return build()
    def handler(event, context):
        cached()
        return build().list_queues()
    """
    [finding] = lint(ClientPerInvocation, code, tmp_path)
    assert "(handler -> build)" in finding.message
    assert [r.message for r in finding.related] == ["handler() calls build()"]


def test_an_unsaved_caller_is_read_from_its_buffer(tmp_path: Path) -> None:
    """Whether a helper's client is built per invocation depends on where its caller
    calls it; an editor's unsaved text of the caller is what counts, not the saved one."""
    helper = "import boto3\n\n\ndef sqs():\n    return boto3.client('sqs')\n"
    saved = "from helpers import sqs\n\n\ndef handler(event, context):\n    sqs().list_queues()\n"
    unsaved = (
        "from helpers import sqs\n\n\ndef handler(event, context):\n"
        "    try:\n        return 1\n    except ValueError:\n        sqs().list_queues()\n"
    )
    (tmp_path / "helpers.py").write_text(helper)
    (tmp_path / "app.py").write_text(saved)
    engine = Linter(Settings(), load_rules(), {"LL301"}, cwd=tmp_path, jobs=1)
    helpers = tmp_path / "helpers.py"

    def codes(overrides: dict[Path, str]) -> list[str]:
        return [f.code for f in engine.lint([helpers], overrides).findings]

    assert codes({}) == ["LL301"]
    # only in an `except` block of the unsaved handler: not on every invocation
    assert codes({tmp_path / "app.py": unsaved}) == []
    (tmp_path / "app.py").write_text(unsaved)
    assert codes({}) == []


def test_client_any_import_style(tmp_path: Path) -> None:
    code = """
    import boto3 as b
    from boto3 import client
    def handler(event, context):
        b.client("s3")
        client("sqs")
    """
    findings = lint(ClientPerInvocation, code, tmp_path)
    assert [f.message.split("()")[0] for f in findings] == ["boto3.client", "boto3.client"]


def test_client_from_a_module_level_session(tmp_path: Path) -> None:
    code = """
    import boto3
    session = boto3.Session()
    def handler(event, context):
        return session.client("s3").list_buckets()
    """
    [finding] = lint(ClientPerInvocation, code, tmp_path)
    assert finding.message.startswith("session.client() is built on every invocation")


def test_client_from_a_local_session_reported_once(tmp_path: Path) -> None:
    code = """
    import boto3
    def handler(event, context):
        session = boto3.Session(profile_name="ops")
        return session.client("s3").list_buckets()
    """
    [finding] = lint(ClientPerInvocation, code, tmp_path)
    assert finding.message.startswith("boto3.Session()")


def test_client_in_a_memoising_helper(tmp_path: Path) -> None:
    code = """
    import boto3
    _secrets = {}
    def secret(name):
        if name in _secrets:
            return _secrets[name]
        value = boto3.client("secretsmanager").get_secret_value(SecretId=name)
        _secrets[name] = value["SecretString"]
        return _secrets[name]
    def handler(event, context):
        return secret("db")
    """
    assert lint(ClientPerInvocation, code, tmp_path) == []


def test_client_in_a_script_main_is_not_per_invocation(tmp_path: Path) -> None:
    code = """
    import boto3
    def handler(event, context):
        return event
    """
    script = """
    import boto3
    def main():
        boto3.client("s3").list_buckets()
    if __name__ == "__main__":
        main()
    """
    assert lint(ClientPerInvocation, code, tmp_path, {"scripts/seed.py": script}) == []


def test_client_stored_in_a_global_without_a_guard(tmp_path: Path) -> None:
    code = """
    import boto3
    _s3 = None
    def handler(event, context):
        global _s3
        _s3 = boto3.client("s3")
        return _s3.list_buckets()
    """
    assert len(lint(ClientPerInvocation, code, tmp_path)) == 1


def test_client_guarded_in_one_handler_reported_through_the_other(tmp_path: Path) -> None:
    code = """
    from clients import make_client
    _client = None
    def handler(event, context):
        global _client
        if _client is None:
            _client = make_client()
        return _client.list_buckets()
    def report(event, context):
        return make_client().list_buckets()
    """
    clients = """
    import boto3
    def make_client():
        return boto3.client("s3")
    """
    config = {"handlers": [{"target": "app.handler"}, {"target": "app.report"}]}
    files = {"clients.py": textwrap.dedent(clients)}
    findings = lint_example(
        ClientPerInvocation, Example(textwrap.dedent(code), files=files, config=config), tmp_path
    )
    assert [(f.path, f.start.line) for f in findings] == [("clients.py", 4)]
    assert "(report -> make_client)" in findings[0].message


def test_client_shared_with_a_rarely_invoked_handler_is_reported_through_the_busy_one(
    tmp_path: Path,
) -> None:
    # the custom resource runs once per stack operation; the queue consumer runs all day
    code = """
    import boto3
    def table():
        return boto3.resource("dynamodb").Table("orders")
    def on_stack_event(event, context):
        table().put_item(Item={"id": "seed"})
    def consume(event, context):
        for record in event["Records"]:
            table().put_item(Item={"id": record["messageId"]})
    """
    busy = {"target": "app.consume", "trigger": "sqs"}
    rare = {"target": "app.on_stack_event", "trigger": "cloudformation-custom-resource"}
    both = Example(textwrap.dedent(code), config={"handlers": [rare, busy]})
    findings = lint_example(ClientPerInvocation, both, tmp_path / "both")
    assert [f.start.line for f in findings] == [4]
    assert "(consume -> table)" in findings[0].message
    rare_only = Example(textwrap.dedent(code), config={"handlers": [rare]})
    assert lint_example(ClientPerInvocation, rare_only, tmp_path / "rare") == []


def test_crhelper_custom_resource_is_not_judged_without_a_descriptor(tmp_path: Path) -> None:
    # the stack that deploys it is TypeScript CDK, which is not read: the code says it
    code = """
    import boto3
    from crhelper import CfnResource
    helper = CfnResource()
    @helper.create
    def create(event, context):
        helper.Data["region"] = boto3.client("ssm").meta.region_name
    def handler(event, context):
        boto3.client("logs").put_retention_policy(logGroupName="g", retentionInDays=7)
        helper(event, context)
    """
    assert lint(ClientPerInvocation, code, tmp_path) == []


def test_rotation_function_known_by_its_event_keys_is_not_judged(tmp_path: Path) -> None:
    # no descriptor: SecretId and ClientRequestToken are keys of the rotation event only
    code = """
    import boto3
    def create_secret(client, arn, token):
        client.put_secret_value(SecretId=arn, ClientRequestToken=token, SecretString="x")
    def lambda_handler(event, context):
        client = boto3.client("secretsmanager")
        if event["Step"] == "createSecret":
            create_secret(client, event["SecretId"], event["ClientRequestToken"])
    """
    assert lint(ClientPerInvocation, code, tmp_path / "rotation") == []
    # the same body reading keys of no single trigger is an ordinary handler
    other = code.replace('event["ClientRequestToken"]', 'event["token"]')
    assert len(lint(ClientPerInvocation, other, tmp_path / "other")) == 1


def test_pipeline_job_known_by_its_event_key_is_not_judged(tmp_path: Path) -> None:
    code = """
    import boto3
    def report(job_id):
        boto3.client("codepipeline").put_job_success_result(jobId=job_id)
    def lambda_handler(event, context):
        report(event["CodePipeline.job"]["id"])
    """
    assert lint(ClientPerInvocation, code, tmp_path) == []


def test_handler_delegating_to_crhelper_is_a_custom_resource(tmp_path: Path) -> None:
    code = """
    import boto3
    from crhelper import CfnResource
    helper = CfnResource()
    def orchestrator(event, context):
        if "RequestType" in event:
            helper(event, context)
    def lambda_handler(event, context):
        boto3.client("logs").put_retention_policy(logGroupName="g", retentionInDays=7)
        orchestrator(event, context)
    """
    assert lint(ClientPerInvocation, code, tmp_path / "whole") == []
    # handing on only a part of the event says nothing about the trigger
    partial = code.replace(
        "    orchestrator(event, context)", "    orchestrator(event['x'], context)"
    )
    assert partial != code
    assert len(lint(ClientPerInvocation, partial, tmp_path / "part")) == 1


def test_background_work_is_reported_in_a_rarely_invoked_handler(tmp_path: Path) -> None:
    # the thread is frozen at the first return whether or not the environment is reused
    code = """
    import threading
    def on_rotation(event, context):
        threading.Thread(target=print, args=(event["Step"],)).start()
    """
    example = Example(textwrap.dedent(code), trigger="secrets-manager", handler="on_rotation")
    assert len(lint_example(BackgroundWorkAfterReturn, example, tmp_path)) == 1


@pytest.mark.parametrize(
    ("code", "count"),
    [
        # a call under a constant-false flag in the caller
        (
            """
            import boto3
            ASSUME_ROLE = False
            def assumed():
                return boto3.client("sts")
            def handler(event, context):
                if ASSUME_ROLE and event:
                    assumed()
            """,
            0,
        ),
        # the `else` of a constant-true test
        (
            """
            import boto3
            USE_DEFAULT = True
            def handler(event, context):
                return None if USE_DEFAULT else boto3.client("s3")
            """,
            0,
        ),
        # after an early return under a constant-true test, in a helper on the way
        (
            """
            import boto3
            ASSUME_ROLE_MODE = False
            def credentials(arn):
                return boto3.client("sts").assume_role(RoleArn=arn, RoleSessionName="r")
            def get_client(service, event):
                if not ASSUME_ROLE_MODE:
                    return boto3.client(service)
                found = credentials(event["executionRoleArn"])["Credentials"]
                return boto3.client(service, aws_session_token=found["SessionToken"])
            def handler(event, context):
                return get_client("config", event)
            """,
            1,
        ),
        # built only when something failed, directly or through a call
        (
            """
            import boto3
            def notify(error):
                boto3.client("sns").publish(TopicArn="arn", Message=str(error))
            def handler(event, context):
                try:
                    return work(event)
                except ValueError:
                    boto3.client("logs").put_log_events()
                except Exception as error:
                    notify(error)
                    raise
            """,
            0,
        ),
        # `not` of a constant-false flag runs
        (
            """
            import boto3
            DRY_RUN = False
            def handler(event, context):
                if not DRY_RUN:
                    return boto3.client("s3").list_buckets()
            """,
            1,
        ),
        # a flag some function rebinds is not a constant
        (
            """
            import boto3
            ENABLED = False
            def enable():
                global ENABLED
                ENABLED = True
            def handler(event, context):
                if ENABLED:
                    return boto3.client("s3").list_buckets()
            """,
            1,
        ),
    ],
)
def test_client_under_constant_tests_and_in_error_paths(
    code: str, count: int, tmp_path: Path
) -> None:
    assert len(lint(ClientPerInvocation, code, tmp_path)) == count


@pytest.mark.parametrize(
    ("arguments", "count"),
    [
        ("aws_session_token=token", 0),
        ("**credentials", 0),
        ("aws_access_key_id='AKIAEXAMPLE', aws_secret_access_key='secret'", 1),
        ("region_name=region", 1),
    ],
)
def test_client_from_run_time_credentials(arguments: str, count: int, tmp_path: Path) -> None:
    code = f"""
    import os
    import boto3
    def handler(event, context):
        credentials = get_credentials()
        token, region = credentials["token"], os.environ["REGION"]
        return boto3.Session({arguments}).client("s3").list_buckets()
    """
    assert len(lint(ClientPerInvocation, code, tmp_path)) == count


# -- LL302 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        # a closure variable is not module state
        """
        def handler(event, context):
            seen = []
            def remember():
                seen.append(event["id"])
            remember()
            return seen
        """,
        # a local that shadows a module-level name
        """
        CACHE = {}
        def handler(event, context):
            CACHE = {}
            CACHE[event["id"]] = 1
            return CACHE
        """,
        # the process environment is LL503's concern, not module state
        """
        import os
        def handler(event, context):
            os.environ["TENANT"] = event["tenant"]
        """,
        # a method of an SDK object that happens to be called `update`
        """
        import boto3
        table = boto3.resource("dynamodb").Table("t")
        def handler(event, context):
            table.update(BillingMode=event["mode"])
        """,
        # reading module state is fine
        """
        PRICES = {"a": 1}
        def handler(event, context):
            return PRICES.get(event["sku"])
        """,
    ],
)
def test_request_data_in_global_leaves_alone(code: str, tmp_path: Path) -> None:
    assert lint(RequestDataInGlobal, code, tmp_path) == []


def test_request_data_in_an_imported_project_module(tmp_path: Path) -> None:
    code = """
    import state
    def handler(event, context):
        if "detail" in event:
            state.CURRENT = event["detail"]
        state.update(event)
    """
    state = """
    CURRENT = None
    def update(event):
        return event
    """
    findings = lint(RequestDataInGlobal, code, tmp_path, {"state.py": state})
    assert [f.start.line for f in findings] == [5]
    assert "`state.CURRENT`" in findings[0].message


@pytest.mark.parametrize(
    ("code", "lines"),
    [
        # set on every invocation: the global holds this request's data
        (
            """
            _context = None
            def handler(event, context):
                global _context
                _context = context
                return work()
            """,
            [],
        ),
        # after an early return, only some invocations set it
        (
            """
            _context = None
            def handler(event, context):
                global _context
                if not event:
                    return None
                _context = context
            """,
            [7],
        ),
        # set in a loop
        (
            """
            _last = None
            def handler(event, context):
                global _last
                for record in event["Records"]:
                    _last = record["messageId"]
            """,
            [6],
        ),
        # in a helper called on some invocations only
        (
            """
            class State:
                user = None
            def remember(user):
                State.user = user
            def handler(event, context):
                if event.get("user"):
                    remember(event["user"])
            """,
            [5],
        ),
        # every branch assigns it (or raises): set whichever way the tests go
        (
            """
            _kind = None
            def configure(source):
                global _kind
                if not source:
                    raise ValueError("no source")
                _kind = source["kind"]
            def handler(event, context):
                global _kind
                if "Records" in event:
                    configure(event["Records"][0])
                elif "detail" in event:
                    configure(event["detail"])
                else:
                    raise ValueError("unknown event")
            """,
            [],
        ),
        # an `elif` without `else` leaves invocations that do not set it
        (
            """
            _kind = None
            def handler(event, context):
                global _kind
                if "kind" in event:
                    _kind = event["kind"]
                elif event:
                    _kind = "other"
            """,
            [6],
        ),
        # replaced on every invocation, but read by a thread that may outlive it
        (
            """
            import threading
            _job = None
            def announce():
                print(_job["id"])
            def handler(event, context):
                global _job
                _job = event["detail"]
                threading.Thread(target=announce).start()
            """,
            [8],
        ),
        # in a helper called on every invocation
        (
            """
            class State:
                user = None
            def remember(user):
                State.user = user
            def handler(event, context):
                remember(event["user"])
                return State.user
            """,
            [],
        ),
    ],
)
def test_request_data_assigned_on_some_invocations(
    code: str, lines: list[int], tmp_path: Path
) -> None:
    assert [f.start.line for f in lint(RequestDataInGlobal, code, tmp_path)] == lines


@pytest.mark.parametrize(
    "code",
    [
        # a client from a project factory, held in a global
        """
        from clients import client_for
        _client = None
        def handler(event, context):
            global _client
            if event.get("region"):
                _client = client_for(event["region"])
        """,
        # a lazily initialised attribute
        """
        class Settings:
            tenant = None
        def handler(event, context):
            if Settings.tenant is None:
                Settings.tenant = event["tenant"]
        """,
        # the same for every invocation of the environment
        """
        _arn = None
        def handler(event, context):
            global _arn
            if event:
                _arn = context.invoked_function_arn.split(":")[4] + context.log_stream_name
        """,
        # emptied by the whole slice before the write
        """
        _ids = []
        def handler(event, context):
            _ids[:] = []
            for record in event["Records"]:
                _ids.append(record["messageId"])
        """,
        # crhelper's data, on an instance made in another module
        """
        from resource import helper
        @helper.update
        def update(event, context):
            helper.Data.update({"Arn": event["ResourceProperties"]["Arn"]})
        def handler(event, context):
            helper(event, context)
        """,
    ],
)
def test_request_data_in_global_not_kept(code: str, tmp_path: Path) -> None:
    files = {
        "clients.py": "import boto3\ndef client_for(region):\n"
        "    return boto3.client('s3', region_name=region)\n",
        "resource.py": "from crhelper import CfnResource\nhelper = CfnResource()\n",
    }
    assert lint(RequestDataInGlobal, code, tmp_path, files) == []


def test_request_data_emptied_in_one_handler_reported_through_the_other(tmp_path: Path) -> None:
    code = """
    RESULTS = {}
    def work(event):
        RESULTS[event["id"]] = 1
    def handler(event, context):
        RESULTS.clear()
        work(event)
    def replay(event, context):
        work(event)
    """
    config = {"handlers": [{"target": "app.handler"}, {"target": "app.replay"}]}
    example = Example(textwrap.dedent(code), config=config)
    [finding] = lint_example(RequestDataInGlobal, example, tmp_path)
    assert finding.start.line == 4
    assert "(replay -> work)" in finding.message


@pytest.mark.parametrize(
    ("code", "count"),
    [
        (
            """
            from aws_lambda_powertools import Logger
            logger = Logger()
            def handler(event, context):
                logger.append_keys(order_id=event.get("order_id"))
            """,
            0,
        ),
        (
            """
            from aws_lambda_powertools import Logger
            logger = Logger()
            def handler(event, context):
                for record in event["Records"]:
                    logger.append_keys(message_id=record["messageId"])
            """,
            1,
        ),
        (
            """
            from aws_lambda_powertools import Logger
            logger = Logger()
            def handler(event, context):
                if "order_id" in event:
                    logger.append_keys(order_id=event["order_id"])
                logger.info("done")
                logger.remove_keys(["order_id"])
            """,
            0,
        ),
        (
            """
            from aws_lambda_powertools.logging import Logger
            logger = Logger()
            @logger.inject_lambda_context(clear_state=True)
            def handler(event, context):
                if "order_id" in event:
                    logger.structure_logs(append=True, order_id=event["order_id"])
            """,
            0,
        ),
        (
            """
            import logging
            logger = logging.getLogger()
            def handler(event, context):
                if "order_id" in event:
                    logger.append_keys(order_id=event["order_id"])
            """,
            0,
        ),
    ],
)
def test_request_data_in_powertools_logger_keys(code: str, count: int, tmp_path: Path) -> None:
    assert len(lint(RequestDataInGlobal, code, tmp_path)) == count


CLASSIFY = """
import enum
class Kind(enum.Enum):
    S3 = "s3"
    SNS = "sns"
DEFAULT = Kind.S3
def kind_of(event):
    if "Sns" in event["Records"][0]:
        return Kind.SNS
    if not event["Records"]:
        raise ValueError("no records")
    return DEFAULT
def label_of(event):
    return "batch" if len(event["Records"]) > 1 else "single"
def records_of(event):
    for record in event["Records"]:
        yield "s3"
        yield record
def body_of(event):
    return event["Records"][0]["body"]
class Parsed:
    def __init__(self, event):
        self.event = event
"""


@pytest.mark.parametrize(
    ("value", "reported"),
    [
        ("kind_of(event)", False),  # an enum member or a module-level constant
        ("label_of(event)", False),  # one of two literals
        ("list(records_of(event))", True),  # a generator's items are not its returns
        ("body_of(event)", True),
        ("Parsed(event)", True),  # a class: the instance holds its arguments
    ],
)
def test_request_data_from_a_function_returning_constants(
    value: str, reported: bool, tmp_path: Path
) -> None:
    code = f"""
    from classify import body_of, kind_of, label_of, records_of, Parsed
    from telemetry import tag
    def handler(event, context):
        if event.get("retry"):
            return None
        tag(context, {value})
    """
    telemetry = """
    TAGS = []
    def tag(context, kind):
        global TAGS
        TAGS = [context.function_name, kind]
    """
    files = {"classify.py": CLASSIFY, "telemetry.py": telemetry}
    findings = lint(RequestDataInGlobal, code, tmp_path, files)
    assert [f.path for f in findings] == (["telemetry.py"] if reported else [])


def test_request_data_from_a_decorated_function_is_still_data(tmp_path: Path) -> None:
    code = """
    import functools
    KIND = None
    def traced(function):
        @functools.wraps(function)
        def wrapper(event):
            function(event)
            return event["kind"]
        return wrapper
    @traced
    def check(event):
        return None
    def handler(event, context):
        global KIND
        if event.get("kind"):
            KIND = check(event)
        return KIND
    """
    [finding] = lint(RequestDataInGlobal, code, tmp_path)
    assert finding.start.line == 16


def test_request_data_through_a_helper_in_another_module(tmp_path: Path) -> None:
    code = """
    from audit import remember
    def handler(event, context):
        remember(event["Records"][0]["body"])
    """
    audit = """
    RECENT = []
    def remember(body):
        RECENT.insert(0, body)
    """
    [finding] = lint(RequestDataInGlobal, code, tmp_path, {"audit.py": audit})
    assert finding.path == "audit.py"
    assert "(handler -> remember)" in finding.message


# -- LL303 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "lines"),
    [
        (
            """
            import time
            _runs = []
            def handler(event, context):
                global _runs
                _runs += [time.time()]
            """,
            [6],
        ),
        (
            """
            import time
            _runs = []
            def handler(event, context):
                global _runs
                _runs = _runs + [time.time()]
            """,
            [6],
        ),
        (
            """
            _ids = set()
            def handler(event, context):
                global _ids
                _ids -= {1}
            """,
            [],
        ),
        (
            """
            import time
            _runs = []
            def reset():
                global _runs
                _runs = []
            def handler(event, context):
                _runs.append(time.time())
            """,
            [],
        ),
        (
            """
            import time
            _runs = []
            def handler(event, context):
                if len(_runs) < 100:
                    _runs.append(time.time())
            """,
            [],
        ),
        (
            """
            _warned = set()
            def warn(message, *args):
                key = (message,) + args
                if key not in _warned:
                    _warned.add(key)
                    print(message % args)
            def handler(event, context):
                warn("slow %s", 1)
            """,
            [],
        ),
        (
            """
            import time
            _seen = {}
            def handler(event, context):
                for item in list_items():
                    if item not in _seen:
                        _seen[item] = time.time()
                del _seen["a"], _other["b"]
            """,
            [],
        ),
        (
            """
            _tags = {}
            def handler(event, context):
                _tags.update({"region": "eu"}, stage="prod")
            """,
            [],
        ),
        (
            """
            import time
            _stats = {"calls": 0}
            def handler(event, context):
                _stats["calls"] += 1
                _stats.update({"last": time.time()})
            """,
            [],
        ),
        # filled once: under a test on a constant key, or on emptiness
        (
            """
            _config = {}
            _names = []
            def handler(event, context):
                if "db" not in _config:
                    _config.update(load_config())
                if not _names:
                    _names.extend(load_names())
            """,
            [],
        ),
        # `x[k] += 1` only adds keys to a Counter or defaultdict; a plain dict raises
        (
            """
            import collections, time
            _plain = {}
            _counts = collections.Counter()
            def handler(event, context):
                _plain[time.strftime("%H")] += 1
                _counts[time.strftime("%H")] += 1
            """,
            [7],
        ),
    ],
)
def test_unbounded_growth_cases(code: str, lines: list[int], tmp_path: Path) -> None:
    assert [f.start.line for f in lint(UnboundedGlobalGrowth, code, tmp_path)] == lines


def test_unbounded_growth_of_a_container_from_another_module(tmp_path: Path) -> None:
    code = """
    import time
    from state import LOG, RECENT
    def handler(event, context):
        LOG.append(time.time())
        RECENT.append(time.time())
    """
    state = """
    import collections
    LOG = list()
    RECENT = collections.deque(maxlen=10)
    """
    findings = lint(UnboundedGlobalGrowth, code, tmp_path, {"state.py": state})
    assert [f.start.line for f in findings] == [5]


# -- LL304 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        # removed through the name that holds it
        """
        import os, uuid
        def handler(event, context):
            path = f"/tmp/{uuid.uuid4()}.json"
            with open(path, "w") as out:
                out.write("{}")
            os.unlink(path)
        """,
        # a folder removed as a whole by the module
        """
        import shutil
        from pathlib import Path
        def handler(event, context):
            Path("/tmp/work/log.txt").open("a").write("a")
            shutil.rmtree("/tmp/work")
        """,
        # a sweep of what the folder holds
        """
        import os
        def clean():
            for name in os.listdir("/tmp"):
                os.remove(os.path.join("/tmp", name))
        def handler(event, context):
            with open("/tmp/%s.csv" % event["id"], "w") as out:
                out.write("a")
        """,
        # handed back to the caller
        """
        import uuid
        def download(s3, key):
            local = f"/tmp/{uuid.uuid4()}"
            s3.download_file("bucket", key, local)
            return local
        def handler(event, context):
            return download(None, event["key"])
        """,
        # names that are not unique: a fixed name, a setting
        """
        import os
        def handler(event, context):
            name = os.environ["REPORT"]
            with open(f"/tmp/{name}.csv", "w") as out:
                out.write("a")
        """,
        # tempfile's self-removing kinds, and a folder outside /tmp
        """
        import tempfile, uuid
        def handler(event, context):
            with tempfile.TemporaryDirectory() as folder:
                open(f"{folder}/{uuid.uuid4()}", "w").write("a")
            with open(f"/mnt/efs/{uuid.uuid4()}", "w") as out:
                out.write("b")
        """,
    ],
)
def test_tmp_file_leak_leaves_alone(code: str, tmp_path: Path) -> None:
    assert lint(TmpFileLeak, code, tmp_path) == []


@pytest.mark.parametrize(
    ("code", "source"),
    [
        (
            """
            import time
            def handler(event, context):
                open("/tmp/" + str(time.time()), "wb").write(b"x")
            """,
            "time.time()",
        ),
        (
            """
            import os
            import tempfile
            def handler(event, context):
                path = os.path.join(tempfile.gettempdir(), context.aws_request_id)
                with open(path, "x") as out:
                    out.write("x")
            """,
            "context.aws_request_id",
        ),
        (
            """
            from pathlib import Path
            def handler(event, context):
                (Path("/tmp") / event["name"]).write_text("x")
            """,
            "event data",
        ),
        (
            """
            import tempfile
            def handler(event, context):
                with tempfile.NamedTemporaryFile("w", delete=False) as out:
                    out.write("x")
            """,
            "tempfile.NamedTemporaryFile()",
        ),
    ],
)
def test_tmp_file_leak_new_files(code: str, source: str, tmp_path: Path) -> None:
    [finding] = lint(TmpFileLeak, code, tmp_path)
    assert f"(its name comes from {source})" in finding.message


def test_tmp_file_leak_appended_once_per_path_and_function(tmp_path: Path) -> None:
    code = """
    from pathlib import Path
    OUT = Path("/tmp") / "audit.log"
    def handler(event, context):
        with OUT.open("w") as out:
            out.write("a")
        with OUT.open("a") as out:
            out.write("b")
        with open(OUT, "a") as out:
            out.write("c")
    """
    [finding] = lint(TmpFileLeak, code, tmp_path)
    assert finding.start.line == 7
    assert "appends to the fixed path '/tmp/audit.log'" in finding.message


# -- LL305 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        # threads kept in a list (joined elsewhere)
        """
        import threading
        def handler(event, context):
            threads = []
            for item in event["items"]:
                t = threading.Thread(target=print, args=(item,))
                t.start()
                threads.append(t)
            for t in threads:
                t.join()
        """,
        # the executor is shut down (waiting)
        """
        from concurrent.futures import ThreadPoolExecutor
        def handler(event, context):
            pool = ThreadPoolExecutor()
            pool.submit(print, 1)
            pool.shutdown()
        """,
        # an executor entered without `as`
        """
        from concurrent.futures import ThreadPoolExecutor
        def handler(event, context):
            pool = ThreadPoolExecutor()
            with pool:
                pool.submit(print, 1)
        """,
        # map results consumed
        """
        from concurrent.futures import ThreadPoolExecutor
        POOL = ThreadPoolExecutor(4)
        def handler(event, context):
            return list(POOL.map(str, [1, 2]))
        """,
        # a task group awaits its tasks
        """
        import asyncio
        async def main():
            async with asyncio.TaskGroup() as tg:
                tg.create_task(asyncio.sleep(0))
        def handler(event, context):
            asyncio.run(main())
        """,
        # a task kept and awaited
        """
        import asyncio
        async def main():
            task = asyncio.create_task(asyncio.sleep(0))
            await task
        def handler(event, context):
            asyncio.run(main())
        """,
    ],
)
def test_background_work_leaves_alone(code: str, tmp_path: Path) -> None:
    assert lint(BackgroundWorkAfterReturn, code, tmp_path) == []


@pytest.mark.parametrize(
    "code",
    [
        """
        from concurrent.futures import ThreadPoolExecutor
        def handler(event, context):
            pool = ThreadPoolExecutor()
            pool.submit(print, 1)
            pool.shutdown(wait=False)
        """,
        """
        import threading
        class Worker(threading.Thread):
            def run(self):
                print("working")
        def handler(event, context):
            Worker().start()
        """,
        """
        import asyncio
        async def main():
            loop = asyncio.get_running_loop()
            loop.run_in_executor(None, print, 1)
        def handler(event, context):
            asyncio.run(main())
        """,
        """
        import asyncio
        async def main():
            task = asyncio.ensure_future(asyncio.sleep(1))
        def handler(event, context):
            asyncio.run(main())
        """,
    ],
)
def test_background_work_reported(code: str, tmp_path: Path) -> None:
    assert len(lint(BackgroundWorkAfterReturn, code, tmp_path)) == 1


# -- LL306 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "count"),
    [
        (
            """
            import logging
            def handler(event, context):
                h = logging.StreamHandler()
                logging.getLogger().addHandler(h)
                try:
                    return 1
                finally:
                    logging.getLogger().removeHandler(h)
            """,
            0,
        ),
        (
            """
            import logging
            log = logging.getLogger("app")
            def handler(event, context):
                if not log.hasHandlers():
                    log.addHandler(logging.StreamHandler())
            """,
            0,
        ),
        # replacing the handlers does not duplicate them
        (
            """
            import logging, logging.config
            def handler(event, context):
                logging.basicConfig(handlers=[logging.StreamHandler()], force=True)
                logging.config.dictConfig({"version": 1})
            """,
            0,
        ),
        # without force, basicConfig does nothing: the runtime's handler is there
        (
            """
            import logging
            from logging import basicConfig
            def setup():
                basicConfig(format="%(message)s", force=False)
            def handler(event, context):
                setup()
            """,
            1,
        ),
        (
            """
            import logging
            log = logging.getLogger("app")
            def handler(event, context):
                log.handlers = []
                log.addHandler(logging.StreamHandler())
            """,
            0,
        ),
        (
            """
            import logging
            log = logging.getLogger("app")
            def handler(event, context):
                if event.get("debug"):
                    log.handlers = []
                log.addHandler(logging.StreamHandler())
            """,
            1,
        ),
        (
            """
            import logging
            logging.basicConfig(level=logging.INFO)
            def handler(event, context):
                logging.getLogger().setLevel("DEBUG")
            """,
            0,
        ),
    ],
)
def test_logging_setup_cases(code: str, count: int, tmp_path: Path) -> None:
    assert len(lint(LoggingSetupPerInvocation, code, tmp_path)) == count


# -- LL307 --------------------------------------------------------------------------------


def test_async_client_off_by_default() -> None:
    assert AsyncClientAcrossLoops.default_enabled is False


@pytest.mark.parametrize(
    "code",
    [
        # a local client of the same name
        """
        import asyncio
        import httpx
        http = httpx.AsyncClient()
        async def fetch(url):
            async with httpx.AsyncClient() as http:
                return await http.get(url)
        def handler(event, context):
            return asyncio.run(fetch(event["url"]))
        """,
        # used from sync code only
        """
        import httpx
        http = httpx.AsyncClient()
        def handler(event, context):
            return http.base_url
        """,
    ],
)
def test_async_client_leaves_alone(code: str, tmp_path: Path) -> None:
    assert lint(AsyncClientAcrossLoops, code, tmp_path) == []


def test_async_client_on_a_loop_kept_for_every_invocation(tmp_path: Path) -> None:
    code = """
    import asyncio
    import aiohttp
    http = aiohttp.ClientSession()
    _loop = None
    async def fetch(url):
        return await http.get(url)
    def handler(event, context):
        global _loop
        if _loop is None:
            _loop = asyncio.new_event_loop()
        return _loop.run_until_complete(fetch(event["url"]))
    """
    assert lint(AsyncClientAcrossLoops, code, tmp_path) == []


def test_async_client_reported_once_per_coroutine(tmp_path: Path) -> None:
    code = """
    import asyncio
    import httpx
    http = httpx.AsyncClient()
    async def one():
        await http.get("https://a")
        await http.get("https://b")
    async def two():
        await http.get("https://c")
    async def run_all():
        await one()
        await two()
    def handler(event, context):
        asyncio.run(run_all())
    """
    findings = lint(AsyncClientAcrossLoops, code, tmp_path)
    assert [f.start.line for f in findings] == [6, 9]


# -- model helpers ----------------------------------------------------------------------------


def test_module_bindings_kinds() -> None:
    module = cst.parse_module(
        "import os\nfrom a import b as c\nX = Y = []\nif os:\n    Z: dict = {}\n"
        "for i in range(3):\n    pass\ndef f():\n    inner = 1\nclass K:\n    attr = 2\n"
    )
    bindings = module_bindings(module)
    kinds = {name: binding.kind for name, binding in bindings.items()}
    assert kinds == {
        "os": "import",
        "c": "import",
        "X": "assign",
        "Y": "assign",
        "Z": "assign",
        "i": "assign",
        "f": "function",
        "K": "class",
    }
    assert isinstance(bindings["X"].values[0], cst.List)


def test_function_scope_locals_and_globals() -> None:
    module = cst.parse_module(
        "def f(a, *rest, b=1, **kw):\n    global G\n    G = 1\n    x = 2\n"
        "    for y in rest:\n        pass\n    with open(a) as fh:\n        pass\n"
        "    import json\n    def g():\n        z = 3\n"
    )
    function = module.body[0]
    assert isinstance(function, cst.FunctionDef)
    scope = function_scope(function)
    assert scope.declared_global == {"G"}
    assert scope.local == {"a", "rest", "b", "kw", "x", "y", "fh", "json", "g"}
    assert scope.params == {"a", "rest", "b", "kw"}


def test_runs_conditionally_forms() -> None:
    module = cst.parse_module(
        "def f():\n    if _c is None:\n        _c = make()\n    _d = _d or make()\n    make()\n"
    )
    function = module.body[0]
    assert isinstance(function, cst.FunctionDef)
    body = function.body
    guarded_if = body.body[0]
    assert isinstance(guarded_if, cst.If)
    inner = guarded_if.body.body[0]
    mentions = mentions_any({"_c", "_d"})
    assert runs_conditionally(
        [module, function, body, guarded_if, guarded_if.body, inner], mentions
    )
    line = body.body[1]
    assert isinstance(line, cst.SimpleStatementLine)
    assign = line.body[0]
    assert isinstance(assign, cst.Assign)
    operation = assign.value
    assert isinstance(operation, cst.BooleanOperation)
    chain = [module, function, body, line, assign, operation, operation.right]
    assert runs_conditionally(chain, mentions)
    plain = body.body[2]
    assert not runs_conditionally([module, function, body, plain], mentions)


@pytest.mark.parametrize(
    ("test", "reported"),
    [
        ('"RequestType" in event', False),
        ('event.get("RequestType") in ("Create", "Update")', False),
        ('event["RequestType"] == "Create" and event["ResourceProperties"]', False),
        ('kind == "Delete"', False),
        ('"RequestType" not in event', True),
        ('event.get("RequestType") != "Delete"', True),  # true for any other event too
        ('"RequestType" in event or "Records" in event', True),
        ('"Records" in event', True),
    ],
)
def test_branches_only_custom_resource_requests_take(
    tmp_path: Path, test: str, reported: bool
) -> None:
    code = f"""
    import boto3
    def handler(event, context):
        kind = event.get("RequestType")
        if {test}:
            boto3.client("ssm").put_parameter(Name="p", Value="v", Overwrite=True)
    """
    assert bool(lint(ClientPerInvocation, code, tmp_path)) == reported


@pytest.mark.parametrize(
    ("body", "keys"),
    [
        (
            'x = event["A"]\nevent["B"] += 1\nuse(context["C"])',
            {"event": ("A", "B"), "context": ("C",)},
        ),
        # in a branch, a loop, an `except`, a comprehension, a lambda, a nested function
        ('if x:\n    event["A"]\nelse:\n    event["B"]', {}),
        ('for r in event["A"]:\n    event["B"]', {"event": ("A",)}),
        (
            'try:\n    event["A"]\nexcept KeyError:\n    event["B"]\nfinally:\n    event["C"]',
            {"event": ("A", "C")},
        ),
        ('[event["A"] for _ in x]\n(lambda: event["B"])\ndef inner():\n    event["C"]', {}),
        (
            'x = event["A"] or event["B"]\ny = a if event["C"] else event["D"]',
            {"event": ("A", "C")},
        ),
        ('with open(event["A"]) as f:\n    f.write(event["B"])', {"event": ("A", "B")}),
        # after an early way out of the block, on one line or two
        ('event["A"]\nif x: return\nevent["B"]', {"event": ("A",)}),
        ('if x:\n    log()\n    return\nevent["B"]', {}),
        ('if x:\n    raise ValueError\nevent["B"]', {"event": ("B",)}),  # an exception
        ('event[key]\nevent[0]\nother["A"]', {}),
    ],
)
def test_keys_read_on_every_path(body: str, keys: dict[str, tuple[str, ...]]) -> None:
    source = "def handler(event, context):\n" + textwrap.indent(body, "    ")
    function = ast.parse(source).body[0]
    assert isinstance(function, ast.FunctionDef)
    assert dict(keys_read_always(function)) == keys


def test_the_else_of_a_custom_resource_test_runs_for_other_events(tmp_path: Path) -> None:
    code = """
    import boto3
    def setup(event):
        boto3.client("ssm").put_parameter(Name="p", Value="v", Overwrite=True)
    def handler(event, context):
        if "RequestType" in event:
            return setup(event)
        else:
            return boto3.client("sqs").list_queues()
    """
    (finding,) = lint(ClientPerInvocation, code, tmp_path)
    assert finding.message.startswith("boto3.client() is built on every invocation;")
    assert finding.start.line == 9


@pytest.mark.parametrize(
    ("branch", "reported"),
    [
        ('logger.error("no item")\n            boto3.client("sns").publish(Message="x")', False),
        (
            'logging.exception("no item")\n            boto3.client("sns").publish(Message="x")',
            False,
        ),
        # a log at info level is not a failure
        ('logger.info("no item")\n            boto3.client("sns").publish(Message="x")', True),
    ],
)
def test_a_branch_that_logs_an_error_and_leaves_is_a_failure_path(
    tmp_path: Path, branch: str, reported: bool
) -> None:
    code = f"""
    import logging
    import boto3
    logger = logging.getLogger()
    def handler(event, context):
        if not event.get("item"):
            {branch}
            return None
        return event["item"]
    """
    assert bool(lint(ClientPerInvocation, code, tmp_path)) == reported


def test_an_error_log_without_leaving_is_not_a_failure_path(tmp_path: Path) -> None:
    code = """
    import logging
    import boto3
    logger = logging.getLogger()
    def handler(event, context):
        if not event.get("item"):
            logger.error("no item, using the default")
            boto3.client("sns").publish(Message="x")
        return event.get("item")
    """
    assert len(lint(ClientPerInvocation, code, tmp_path)) == 1
