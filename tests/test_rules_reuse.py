"""LL3 (execution-environment reuse): edge cases and cross-file cases beyond the rules'
own VALID/INVALID examples, and the model helpers they rest on."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from lambda_lint.finding import Finding
from lambda_lint.model.once import mentions_any, runs_conditionally
from lambda_lint.model.scope import function_scope, module_bindings
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
        state.CURRENT = event["detail"]
        state.update(event)
    """
    state = """
    CURRENT = None
    def update(event):
        return event
    """
    findings = lint(RequestDataInGlobal, code, tmp_path, {"state.py": state})
    assert [f.start.line for f in findings] == [4]
    assert "`state.CURRENT`" in findings[0].message


def test_request_data_context_kept_in_a_global(tmp_path: Path) -> None:
    code = """
    _context = None
    def handler(event, context):
        global _context
        _context = context
    """
    [finding] = lint(RequestDataInGlobal, code, tmp_path)
    assert "the global `_context`" in finding.message


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
        # removed through a local name
        """
        import os
        def handler(event, context):
            path = "/tmp/out.json"
            with open(path, "w") as out:
                out.write("{}")
            os.unlink(path)
        """,
        # removed by another function of the module
        """
        import os
        OUT = "/tmp/out.json"
        def cleanup():
            os.remove(OUT)
        def handler(event, context):
            with open(OUT, "w") as out:
                out.write("{}")
            cleanup()
        """,
        # a folder removed as a whole
        """
        import shutil
        from pathlib import Path
        def handler(event, context):
            Path("/tmp/work/a.txt").write_text("a")
            shutil.rmtree("/tmp/work")
        """,
        # names made at run time
        """
        import uuid
        def handler(event, context):
            with open("/tmp/%s.csv" % uuid.uuid4(), "w") as out:
                out.write("a")
            with open(f"/tmp/{context.aws_request_id}.csv", "a") as out:
                out.write("b")
        """,
        # not under /tmp
        """
        def handler(event, context):
            with open("/mnt/efs/shared.log", "a") as out:
                out.write("a")
        """,
    ],
)
def test_tmp_file_leak_leaves_alone(code: str, tmp_path: Path) -> None:
    assert lint(TmpFileLeak, code, tmp_path) == []


def test_tmp_file_leak_once_per_path_and_function(tmp_path: Path) -> None:
    code = """
    from pathlib import Path
    OUT = Path("/tmp") / "report.csv"
    def handler(event, context):
        with OUT.open("w") as out:
            out.write("a")
        with open(OUT, "a") as out:
            out.write("b")
    """
    [finding] = lint(TmpFileLeak, code, tmp_path)
    assert finding.start.line == 5
    assert "'/tmp/report.csv'" in finding.message


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
        (
            """
            import logging
            def handler(event, context):
                handler = logging.StreamHandler()
                logging.basicConfig(handlers=[handler], force=True)
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
