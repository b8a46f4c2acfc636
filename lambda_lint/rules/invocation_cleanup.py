"""LL3, what an invocation leaves behind: files in `/tmp` (LL304), work still running
after the handler returns (LL305), log handlers added again and again (LL306)."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

import libcst as cst

from lambda_lint.model.names import dotted_name, keyword_argument
from lambda_lint.model.scope import (
    qualify,
)
from lambda_lint.rule import Example
from lambda_lint.walk import descendants

if TYPE_CHECKING:
    from lambda_lint.check_context import CheckContext

from lambda_lint.rules.reuse_base import (
    ReuseRule,
    call_argument,
    calls,
    uses,
)

# -- LL304 ---------------------------------------------------------------------------------

TMP = "/tmp"
OPENERS = {"builtins.open", "io.open", "codecs.open"}
COPIERS = {"shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree", "shutil.move"}
#: methods that write the file named by their first argument
SAVERS = {
    "to_csv", "to_parquet", "to_json", "to_excel", "to_pickle", "to_feather", "savefig", "save",
    "extractall",
}  # fmt: skip
PATH_CALLS = {"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "builtins.str", "os.fspath"}
JOINS = {"os.path.join", "posixpath.join"}
REMOVERS = {"os.remove", "os.unlink", "os.rmdir", "os.removedirs", "shutil.rmtree"}
EXISTS = {"os.path.exists", "os.path.isfile", "os.path.isdir", "os.path.lexists"}
PATH_CHECK_METHODS = {"unlink", "rmdir", "exists", "is_file", "is_dir"}


def _write_mode(node: cst.BaseExpression | None) -> bool:
    if not isinstance(node, cst.SimpleString):
        return False
    mode = node.evaluated_value
    return isinstance(mode, str) and any(flag in mode for flag in "wax+")


class TmpFileLeak(ReuseRule):
    """
    ## What it does
    Reports per-invocation code that writes a fixed path under `/tmp` — `open(...,
    "w"/"a"/"x")`, `Path(...).write_text()`/`write_bytes()`, `shutil.copy(...)`,
    `download_file(...)`, `urlretrieve(...)`, `to_csv(...)` and similar — when the
    module never removes that path (`os.remove`, `os.unlink`, `Path.unlink`,
    `shutil.rmtree` of it or of a folder holding it). The path is a string literal,
    an `os.path.join`/`Path` of literals, or a name bound to one.

    Not reported: `tempfile` files and folders; paths built at run time (f-strings,
    `%`-formatting, event data), which LL606 looks at; a path the module checks for
    first (`os.path.exists(path)`), the usual "download once per environment" cache.

    ## Why is this bad?
    `/tmp` belongs to the execution environment, not to the invocation: the file is
    still there for the next request (which may read stale or another caller's data
    if a write fails half-way), and files left behind fill the ephemeral storage
    (512 MB by default). Under Lambda Managed Instances several requests share one
    `/tmp` at the same time, so a fixed name also collides.

    ## Example
    ```python
    def handler(event, context):
        with open("/tmp/report.csv", "w") as out:
            out.write(render(event))
        upload("/tmp/report.csv")
    ```

    ## Use instead
    ```python
    import tempfile


    def handler(event, context):
        with tempfile.NamedTemporaryFile("w", suffix=".csv") as out:
            out.write(render(event))
            out.flush()
            upload(out.name)
    ```
    """

    code = "LL304"
    name = "tmp-file-leak"
    summary = "Fixed /tmp path written per invocation and never removed"
    VALID = [
        Example(
            "import tempfile\n\ndef handler(event, context):\n"
            "    with tempfile.NamedTemporaryFile('w') as out:\n        out.write('x')\n"
        ),
        Example(
            "import os\n\nPATH = '/tmp/report.csv'\n\ndef handler(event, context):\n"
            "    try:\n        with open(PATH, 'w') as out:\n            out.write('x')\n"
            "    finally:\n        os.remove(PATH)\n"
        ),
        Example(
            "def handler(event, context):\n"
            "    with open(f\"/tmp/{context.aws_request_id}.json\", 'w') as out:\n"
            "        out.write('x')\n"
        ),
        Example(
            "import os\nimport boto3\n\ns3 = boto3.client('s3')\nMODEL = '/tmp/model.bin'\n\n"
            "def handler(event, context):\n    if not os.path.exists(MODEL):\n"
            "        s3.download_file('models', 'model.bin', MODEL)\n    return MODEL\n"
        ),
        Example("def handler(event, context):\n    return open('/tmp/config.json').read()\n"),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    with open('/tmp/import.csv', 'w+b') as fh:\n"
            "        fh.write(b'x')\n",
            message="'/tmp/import.csv'",
        ),
        Example(
            "import os\nimport boto3\n\ns3 = boto3.client('s3')\n\n"
            "def fetch(record):\n    local = os.path.join('/tmp', 'input.json')\n"
            "    s3.download_file(record['s3']['bucket']['name'], 'input.json', local)\n"
            "    return local\n\n"
            "def handler(event, context):\n    return fetch(event['Records'][0])\n",
            trigger="s3",
            message="handler -> fetch",
        ),
        Example(
            "from pathlib import Path\nfrom helpers import render\n\n"
            "def handler(event, context):\n    render()\n",
            files={
                "helpers.py": "from pathlib import Path\n\n"
                "def render():\n    Path('/tmp/out.html').write_text('<p>')\n"
            },
        ),
        Example(
            "import shutil\n\ndef handler(event, context):\n"
            "    shutil.copy('/var/task/seed.db', '/tmp/seed.db')\n",
        ),
    ]

    def __init__(self, context: CheckContext) -> None:
        super().__init__(context)
        self._managed: set[str] | None = None
        self._reported: set[tuple[cst.FunctionDef | None, str]] = set()

    def visit_Call(self, node: cst.Call) -> None:
        path = None
        for candidate in self._written(node):
            path = self._tmp_path(candidate, self.context.function_node())
            if path is not None:
                break
        if path is None:
            return
        steps = self.per_invocation()
        if steps is None or self._is_managed(path):
            return
        key = (self.context.function_node(), path)
        if key in self._reported:
            return
        self._reported.add(key)
        self.report_here(
            node,
            f"writes the fixed path '{path}'{self.where(steps)} and the module never removes "
            "it: /tmp outlives the invocation, so the file is left for the next request and "
            "fills the disk; use tempfile, or remove it in a `finally:` block",
            steps,
        )

    def _written(self, call: cst.Call) -> list[cst.BaseExpression]:
        """The expressions a call may write to as a file path."""
        name = self.context.qualified_name(call.func)
        found: list[cst.BaseExpression | None] = []
        if name in OPENERS or name in ("zipfile.ZipFile", "tarfile.open"):
            if _write_mode(call_argument(call, 1, "mode")):
                found.append(call_argument(call, 0, "file" if name in OPENERS else None))
        elif name in COPIERS:
            found.append(call_argument(call, 1, "dst"))
        elif name == "urllib.request.urlretrieve":
            found.append(call_argument(call, 1, "filename"))
        elif isinstance(call.func, cst.Attribute):
            method = call.func.attr.value
            if method in ("write_text", "write_bytes", "touch") or (
                method == "open" and _write_mode(call_argument(call, 0, "mode"))
            ):
                found.append(call.func.value)
            elif method == "download_file":
                keyword = keyword_argument(call, "Filename")
                found.append(keyword.value if keyword else None)
                found.extend(a.value for a in call.args if a.keyword is None)
            elif method in SAVERS:
                found.append(call_argument(call, 0, "path"))
        return [f for f in found if f is not None]

    def _tmp_path(
        self, node: cst.BaseExpression, function: cst.FunctionDef | None, depth: int = 0
    ) -> str | None:
        """The constant path under /tmp an expression of `function` denotes, or None."""
        text = self._constant_path(node, function, depth)
        if text is None:
            return None
        normal = posixpath.normpath(text)
        return normal if normal.startswith(TMP + "/") else None

    def _constant_path(
        self, node: cst.BaseExpression, function: cst.FunctionDef | None, depth: int
    ) -> str | None:
        if depth > 4:
            return None
        if isinstance(node, cst.SimpleString):
            value = node.evaluated_value
            return value if isinstance(value, str) else None
        if isinstance(node, cst.FormattedString):
            parts = node.parts
            if all(isinstance(p, cst.FormattedStringText) for p in parts):
                return "".join(p.value for p in parts)  # type: ignore[union-attr]
            return None
        if isinstance(node, cst.ConcatenatedString):
            left = self._constant_path(node.left, function, depth + 1)
            right = self._constant_path(node.right, function, depth + 1)  # type: ignore[arg-type]
            return left + right if left is not None and right is not None else None
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            left = self._constant_path(node.left, function, depth + 1)
            right = self._constant_path(node.right, function, depth + 1)
            return posixpath.join(left, right) if left is not None and right is not None else None
        if isinstance(node, cst.Call):
            name = self.context.qualified_name(node.func)
            if name in JOINS or name in PATH_CALLS:
                parts = [self._constant_path(a.value, function, depth + 1) for a in node.args]
                if (
                    parts
                    and all(p is not None for p in parts)
                    and not any(a.keyword for a in node.args)
                ):
                    return posixpath.join(*parts)  # type: ignore[arg-type]
            return None
        if isinstance(node, cst.Name):
            values = self.values_in(function, node.value)
            scope = (
                function if function is not None and self._is_local(function, node.value) else None
            )
            found = {self._constant_path(v, scope, depth + 1) for v in values}
            if len(found) == 1:
                return found.pop()
        return None

    def _is_managed(self, path: str) -> bool:
        """Whether the function, or any code of the module, removes the path (or a
        folder holding it) or checks that it exists."""
        if self._managed is None:
            managed: set[str] = set()
            for call, function in calls(self.context.module):
                for target in self._cleaned(call):
                    found = self._tmp_path(target, function)
                    if found is not None:
                        managed.add(found)
            self._managed = managed
        return any(path == m or path.startswith(m + "/") for m in self._managed)

    def _cleaned(self, call: cst.Call) -> list[cst.BaseExpression]:
        name = self.context.qualified_name(call.func)
        if name in REMOVERS or name in EXISTS:
            argument = call_argument(call, 0, "path")
            return [argument] if argument is not None else []
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in PATH_CHECK_METHODS:
            return [call.func.value]
        return []


# -- LL305 ---------------------------------------------------------------------------------

THREADS = {"threading.Thread", "threading.Timer", "multiprocessing.Process"}
EXECUTORS = {
    "concurrent.futures.ThreadPoolExecutor",
    "concurrent.futures.ProcessPoolExecutor",
    "concurrent.futures.thread.ThreadPoolExecutor",
}
TASK_STARTERS = {"asyncio.create_task", "asyncio.ensure_future"}
LOOPS = {"asyncio.get_event_loop", "asyncio.get_running_loop", "asyncio.new_event_loop"}


class BackgroundWorkAfterReturn(ReuseRule):
    """
    ## What it does
    Reports work started in per-invocation code and left running when the function
    returns:
    - a `threading.Thread`/`Timer` (or `multiprocessing.Process`) that is started and
      never joined: `Thread(...).start()`, or `t.start()` with no other use of `t`;
    - `submit(...)`/`map(...)` on a `ThreadPoolExecutor` that is not a `with` block,
      not `shutdown()` in the function, and whose futures are thrown away;
    - `asyncio.create_task`/`ensure_future`/`loop.create_task`/`run_in_executor` whose
      task is thrown away.

    A handle that is kept and used (joined, awaited, passed to `gather`/`wait`, put in
    a list, returned) is taken as waited for.

    ## Why is this bad?
    When the handler returns, Lambda freezes the execution environment. Background work
    stops mid-way and only resumes if a later invocation thaws the same environment —
    maybe minutes later, maybe never (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
    Notifications go missing and writes land late; an asyncio task is simply cancelled
    when `asyncio.run()` closes the loop.

    ## Example
    ```python
    import threading


    def handler(event, context):
        threading.Thread(target=notify, args=(event["id"],)).start()
        return {"ok": True}
    ```

    ## Use instead
    ```python
    import threading


    def handler(event, context):
        worker = threading.Thread(target=notify, args=(event["id"],))
        worker.start()
        result = do_other_work(event)
        worker.join()
        return result
    ```
    """

    code = "LL305"
    name = "background-work-after-return"
    summary = "Thread, executor or asyncio task not waited for before returning"
    VALID = [
        Example(
            "import threading\n\ndef handler(event, context):\n"
            "    t = threading.Thread(target=print)\n    t.start()\n    t.join()\n"
        ),
        Example(
            "from concurrent.futures import ThreadPoolExecutor\n\n"
            "def handler(event, context):\n    with ThreadPoolExecutor(max_workers=4) as pool:\n"
            "        pool.submit(print, 1)\n        pool.map(print, [1, 2])\n"
        ),
        Example(
            "import asyncio\n\nasync def main(items):\n"
            "    tasks = [asyncio.create_task(asyncio.sleep(i)) for i in items]\n"
            "    await asyncio.gather(*tasks)\n\n"
            "def handler(event, context):\n    asyncio.run(main([1, 2]))\n"
        ),
        Example(
            "from concurrent.futures import ThreadPoolExecutor\n\nPOOL = ThreadPoolExecutor(4)\n\n"
            "def handler(event, context):\n    future = POOL.submit(sum, [1, 2])\n"
            "    return future.result()\n"
        ),
        Example(
            "import threading\n\ndef start_worker():\n    threading.Thread(target=print).start()\n"
        ),
    ]
    INVALID = [
        Example(
            "import threading\n\ndef handler(event, context):\n"
            "    threading.Thread(target=print, args=(1,)).start()\n    return {}\n",
            message="never joined",
        ),
        Example(
            "from threading import Thread\n\ndef notify(n):\n    print(n)\n\n"
            "def consume(event, context):\n    worker = Thread(target=notify, args=(1,))\n"
            "    worker.daemon = True\n    worker.start()\n",
            trigger="sqs",
            handler="consume",
        ),
        Example(
            "from concurrent.futures import ThreadPoolExecutor\n\nPOOL = ThreadPoolExecutor(4)\n\n"
            "def handler(event, context):\n    POOL.submit(print, event['id'])\n",
            message="executor",
        ),
        Example(
            "import asyncio\n\nasync def audit(x):\n    await asyncio.sleep(x)\n\n"
            "async def main(event):\n    asyncio.create_task(audit(1))\n    return event\n\n"
            "def handler(event, context):\n    return asyncio.run(main(event))\n",
            message="asyncio",
        ),
        Example(
            "from jobs import kick_off\n\ndef handler(event, context):\n    kick_off()\n",
            files={
                "jobs.py": "import threading\n\ndef kick_off():\n"
                "    threading.Timer(5, print).start()\n"
            },
            message="handler -> kick_off",
        ),
    ]

    THREAD_MESSAGE = (
        "a thread started here is never joined{where}: Lambda freezes the environment when "
        "the handler returns, and the work only resumes if a later invocation thaws it; "
        "join it before returning, or do the work inline"
    )
    EXECUTOR_MESSAGE = (
        "work submitted to this executor is never waited for{where}: Lambda freezes the "
        "environment when the handler returns; use `with ThreadPoolExecutor() as ...:` or "
        "wait for the futures (`.result()`, `concurrent.futures.wait`)"
    )
    TASK_MESSAGE = (
        "this asyncio task is never awaited{where}: asyncio.run() cancels it when the "
        "coroutine returns, and a frozen loop does not run it; await it or gather it"
    )

    def visit_Call(self, node: cst.Call) -> None:
        message = self._background(node)
        if message is None:
            return
        steps = self.per_invocation()
        if steps is None:
            return
        self.report_here(node, message.format(where=self.where(steps)), steps)

    def _background(self, node: cst.Call) -> str | None:
        name = self.context.qualified_name(node.func)
        if name in TASK_STARTERS:
            return None if self._result_kept(node) else self.TASK_MESSAGE
        func = node.func
        if not isinstance(func, cst.Attribute):
            return None
        method, receiver = func.attr.value, func.value
        if method == "start" and self._is_thread(receiver):
            harmless = {"start", "setDaemon", "setName"}
            if isinstance(receiver, cst.Name) and self.uses_elsewhere(
                receiver.value, receiver, harmless
            ):
                return None
            return self.THREAD_MESSAGE
        if method in ("submit", "map") and self.built_by(receiver, EXECUTORS):
            if isinstance(receiver, cst.Name) and self._executor_closed(receiver.value):
                return None
            return None if self._result_kept(node) else self.EXECUTOR_MESSAGE
        if method in ("create_task", "run_in_executor") and self.built_by(receiver, LOOPS):
            return None if self._result_kept(node) else self.TASK_MESSAGE
        return None

    def _is_thread(self, receiver: cst.BaseExpression) -> bool:
        if self.built_by(receiver, THREADS):
            return True
        call = receiver if isinstance(receiver, cst.Call) else None
        if isinstance(receiver, cst.Name):
            values = self.bound_values(receiver.value)
            call = next((v for v in values if isinstance(v, cst.Call)), None)
        constructor = dotted_name(call.func) if call is not None else None
        if constructor is None:
            return False
        owner = self.context.model.class_of(self.context.path, constructor)
        if owner is None:
            return False
        module = self.context.model.modules[owner[0]]
        return any(qualify(module, base) in THREADS for base in module.classes.get(owner[1], ()))

    def _executor_closed(self, name: str) -> bool:
        """`with ... as name` in the function, or `name.shutdown()` (waiting)."""
        function = self.context.function_node()
        if function is None:
            return False
        for found, parent, grand in uses(function.body, name):
            if isinstance(parent, cst.AsName) and isinstance(grand, cst.WithItem):
                return True
            if isinstance(parent, cst.WithItem) and parent.item is found:
                return True
            if (
                isinstance(parent, cst.Attribute)
                and parent.value is found
                and parent.attr.value == "shutdown"
                and isinstance(grand, cst.Call)
            ):
                wait = call_argument(grand, 0, "wait")
                if not (isinstance(wait, cst.Name) and wait.value == "False"):
                    return True
        return False

    def _result_kept(self, node: cst.Call) -> bool:
        """Whether the future/task a call returns is kept for later: not a bare
        statement, and not bound to a name nothing else reads."""
        parent = self.context.parent()
        if isinstance(parent, cst.Expr):
            return False
        if isinstance(parent, cst.Assign) and parent.value is node:
            names = [t.target for t in parent.targets if isinstance(t.target, cst.Name)]
            if len(names) == len(parent.targets):
                return any(self.uses_elsewhere(n.value, n, set()) for n in names)
        return True


# -- LL306 ---------------------------------------------------------------------------------

CONFIGURERS = {"logging.basicConfig", "logging.config.dictConfig", "logging.config.fileConfig"}
LOG_HANDLERS = {"logging.StreamHandler", "logging.FileHandler"}


class LoggingSetupPerInvocation(ReuseRule):
    """
    ## What it does
    Reports logging set-up in per-invocation code: `logging.basicConfig()`,
    `logging.config.dictConfig()`/`fileConfig()`, `<logger>.addHandler(...)`, and new
    handlers (`logging.StreamHandler()`, `logging.FileHandler(...)`,
    `logging.handlers.*Handler(...)`) created there. `logger.setLevel(...)` is fine.

    Not reported: set-up that only runs when `logger.handlers`/`hasHandlers()` says
    none is installed, or under a flag the function sets (`if not _configured:`),
    set-up in a `functools.cache`d function, and an `addHandler` undone by
    `removeHandler` in the same function.

    ## Why is this bad?
    The Python runtime installs a handler on the root logger before your module is
    imported. Each warm invocation then adds one more handler, so every log line is
    written once more per invocation served — and CloudWatch Logs bills each copy.
    `logging.basicConfig()` does nothing at all when the root logger already has a
    handler (so its `level=` is silently ignored); with `force=True` it tears down and
    rebuilds logging on every invocation.

    ## Example
    ```python
    import logging


    def handler(event, context):
        logger = logging.getLogger()
        logger.addHandler(logging.StreamHandler())
        logger.info("processing %s", event["id"])
    ```

    ## Use instead
    ```python
    import logging

    logger = logging.getLogger()
    logger.setLevel(logging.INFO)


    def handler(event, context):
        logger.info("processing %s", event["id"])
    ```
    """

    code = "LL306"
    name = "logging-setup-per-invocation"
    summary = "Logging configured or a log handler added on every invocation"
    VALID = [
        Example(
            "import logging\n\nlogger = logging.getLogger()\n"
            "logger.addHandler(logging.StreamHandler())\n\n"
            "def handler(event, context):\n    logger.setLevel(logging.INFO)\n"
            "    logger.info('hi')\n"
        ),
        Example(
            "import logging\n\nlogger = logging.getLogger('app')\n\n"
            "def handler(event, context):\n    if not logger.handlers:\n"
            "        logger.addHandler(logging.StreamHandler())\n    logger.info('hi')\n"
        ),
        Example(
            "import functools\nimport logging\n\n@functools.cache\ndef setup():\n"
            "    logging.basicConfig(level=logging.INFO, force=True)\n\n"
            "def handler(event, context):\n    setup()\n"
        ),
        Example(
            "import logging\n\n_configured = False\n\ndef handler(event, context):\n"
            "    global _configured\n    if not _configured:\n"
            "        logging.basicConfig(level=logging.INFO, force=True)\n"
            "        _configured = True\n"
        ),
    ]
    INVALID = [
        Example(
            "import logging\n\ndef handler(event, context):\n"
            "    logging.basicConfig(level=logging.INFO)\n",
            message="logging.basicConfig()",
        ),
        Example(
            "import logging\n\ndef handler(event, context):\n    log = logging.getLogger()\n"
            "    log.addHandler(logging.StreamHandler())\n",
            message="addHandler()",
        ),
        Example(
            "from log_setup import configure\n\ndef run(event, context):\n    configure()\n",
            files={
                "log_setup.py": "import logging\n"
                "from logging.handlers import WatchedFileHandler\n\n"
                "def configure():\n    handler = WatchedFileHandler('/tmp/app.log')\n"
                "    logging.getLogger().addHandler(handler)\n"
            },
            trigger="schedule",
            handler="run",
            message="run -> configure",
        ),
        Example(
            "import logging\n\ndef handler(event, context):\n"
            "    return logging.FileHandler('/tmp/trace.log')\n",
            message="logging.FileHandler()",
        ),
    ]

    def __init__(self, context: CheckContext) -> None:
        super().__init__(context)
        self._setup_functions: dict[cst.FunctionDef, bool] = {}

    def visit_Call(self, node: cst.Call) -> None:
        name = self.context.qualified_name(node.func)
        method = node.func.attr.value if isinstance(node.func, cst.Attribute) else None
        if name in CONFIGURERS:
            message = (
                f"{name}() runs on every invocation{{where}}: the runtime has already "
                "installed a root handler, so it does nothing (and its level is ignored) "
                "unless force=True, which rebuilds logging each time; configure logging "
                "once at module scope"
            )
        elif method == "addHandler":
            if self._removes_handler():
                return
            message = (
                "addHandler() runs on every invocation{where}: each warm invocation adds "
                "another handler and every log line is written once more; add handlers "
                "once at module scope"
            )
        elif self._is_handler_class(name) and not self._sets_up_logging():
            message = (
                f"{name}() creates a new log handler on every invocation{{where}}; create "
                "handlers once at module scope"
            )
        else:
            return
        steps = self.per_invocation()
        if steps is None or self.runs_once(_checks_handlers):
            return
        self.report_here(node, message.format(where=self.where(steps)), steps)

    @staticmethod
    def _is_handler_class(name: str | None) -> bool:
        if name is None:
            return False
        return name in LOG_HANDLERS or (
            name.startswith("logging.handlers.") and name.endswith("Handler")
        )

    def _function_calls(self) -> list[tuple[str | None, str | None]]:
        function = self.context.function_node()
        if function is None:
            return []
        return [
            (
                self.context.qualified_name(call.func),
                call.func.attr.value if isinstance(call.func, cst.Attribute) else None,
            )
            for call, _ in calls(function.body)
        ]

    def _sets_up_logging(self) -> bool:
        """The function also configures logging or adds a handler: that call reports."""
        function = self.context.function_node()
        if function is None:
            return False
        if function not in self._setup_functions:
            self._setup_functions[function] = any(
                name in CONFIGURERS or method == "addHandler"
                for name, method in self._function_calls()
            )
        return self._setup_functions[function]

    def _removes_handler(self) -> bool:
        return any(method == "removeHandler" for _, method in self._function_calls())


def _checks_handlers(node: cst.CSTNode) -> bool:
    """A test on a logger's handlers (`if not logger.handlers`, `hasHandlers()`)."""
    return any(
        isinstance(attribute, cst.Attribute) and attribute.attr.value in ("handlers", "hasHandlers")
        for attribute in (node, *descendants(node))
    )
