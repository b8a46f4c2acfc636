"""LL3, what an invocation leaves behind: files in `/tmp` (LL304), work still running
after the handler returns (LL305), log handlers added again and again (LL306)."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

import libcst as cst

from lambda_lint.model.locals import returns_of
from lambda_lint.model.names import dotted_name, keyword_argument
from lambda_lint.model.once import preceded_by
from lambda_lint.model.scope import function_scope, qualify
from lambda_lint.rule import Example
from lambda_lint.walk import descendants

if TYPE_CHECKING:
    from pathlib import Path

    from lambda_lint.check_context import CheckContext

from lambda_lint.rules.reuse_base import (
    EXECUTORS,
    THREADS,
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
TEMP_DIRS = {"tempfile.gettempdir"}
REMOVERS = {"os.remove", "os.unlink", "os.rmdir", "os.removedirs", "shutil.rmtree"}
EXISTS = {"os.path.exists", "os.path.isfile", "os.path.isdir", "os.path.lexists"}
PATH_CHECK_METHODS = {"unlink", "rmdir", "exists", "is_file", "is_dir"}
PATH_REMOVE_METHODS = {"unlink", "rmdir"}
#: calls that list a folder: a removal of what they list sweeps the folder
LISTINGS = {"os.listdir", "os.scandir", "os.walk", "glob.glob", "glob.iglob"}
LISTING_METHODS = {"iterdir", "glob", "rglob"}
#: calls that run a shell command given as their first argument (a string or a list)
SHELL_CALLS = {
    "os.system", "os.popen", "subprocess.run", "subprocess.call", "subprocess.check_call",
    "subprocess.check_output", "subprocess.Popen", "subprocess.getoutput",
    "subprocess.getstatusoutput",
}  # fmt: skip
#: a shell command that empties /tmp: `rm -rf /tmp/*`, `rm -r /tmp/`
EMPTIES_TMP = re.compile(r"(^|[;&|]\s*)rm\s+(-\w+\s+)*/tmp/?\*?(\s|$|[;&|])")
#: calls whose result differs on every call: a file named with one is a new file
UNIQUE_CALLS = {
    "uuid.uuid1", "uuid.uuid4", "time.time", "time.time_ns", "time.monotonic",
    "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.now", "datetime.utcnow",
    "random.random", "random.randint", "random.choice", "random.choices",
    "secrets.token_hex", "secrets.token_urlsafe",
}  # fmt: skip
#: `tempfile` calls that leave a file or folder behind until someone removes it
LEFT_BEHIND = {"tempfile.mkdtemp", "tempfile.mkstemp"}


def _mode(node: cst.BaseExpression | None) -> str | None:
    """`append` for an append mode, `write` for another writing mode, else None."""
    if not isinstance(node, cst.SimpleString):
        return None
    mode = node.evaluated_value
    if not isinstance(mode, str) or not any(flag in mode for flag in "wax+"):
        return None
    return "append" if "a" in mode else "write"


class TmpFileLeak(ReuseRule):
    """
    ## What it does
    Reports per-invocation code that leaves files behind in `/tmp`, where they pile up
    from one warm invocation to the next:
    - a new file on every invocation: a path under `/tmp` named with something unique
      (`uuid.uuid4()`, a timestamp, `context.aws_request_id`, event data such as an S3
      key), written (`open(..., "w")`, `download_file`, `Path.write_bytes`, `to_csv`,
      `shutil.copy`, ...) and never removed by the function;
    - a `tempfile.mkdtemp()`, `tempfile.mkstemp()` or `NamedTemporaryFile(delete=False)`
      that the function neither removes nor hands back to its caller;
    - a fixed path under `/tmp` opened for appending (`open("/tmp/app.log", "a")`) that
      the module never removes: it grows with every invocation.

    Not reported: a fixed path written whole (`open("/tmp/report.csv", "w")`, a
    `download_file` to a fixed name): each invocation replaces the file, so it neither
    accumulates nor carries more than the last request's data; paths the function
    removes (`os.remove`, `Path.unlink`, `shutil.rmtree` of it or of its folder, a
    project function that passes it to one of these, a sweep of what
    `os.listdir`/`glob` lists, a shell `rm -rf /tmp/*`) or that the module
    removes or checks for
    (`os.path.exists`, the usual "download once per environment" cache);
    `tempfile.TemporaryDirectory()`, `TemporaryFile()` and `NamedTemporaryFile()`, which
    remove themselves.

    Handlers invoked too rarely for an environment to be reused (custom resources,
    secret rotation, pipeline actions, Automation runbook steps, hourly or rarer
    schedules; see LL301) are not judged.

    ## Why is this bad?
    `/tmp` belongs to the execution environment, not to the invocation: what one request
    leaves there is still there for the next thousands of warm invocations
    (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
    New files fill the ephemeral storage (512 MB by default) until writes fail with "No
    space left on device" and the environment is recycled mid-request; an appended file
    also carries earlier requests' data.

    ## Example
    ```python
    import uuid

    import boto3

    s3 = boto3.client("s3")


    def handler(event, context):
        record = event["Records"][0]["s3"]
        local = f"/tmp/{uuid.uuid4()}.pdf"
        s3.download_file(record["bucket"]["name"], record["object"]["key"], local)
        return convert(local)
    ```

    ## Use instead
    ```python
    import os
    import uuid

    import boto3

    s3 = boto3.client("s3")


    def handler(event, context):
        record = event["Records"][0]["s3"]
        local = f"/tmp/{uuid.uuid4()}.pdf"
        s3.download_file(record["bucket"]["name"], record["object"]["key"], local)
        try:
            return convert(local)
        finally:
            os.remove(local)
    ```
    """

    code = "LL304"
    name = "tmp-file-leak"
    summary = "Files left in /tmp on every invocation"
    VALID = [
        # removed through the name its path was copied to
        Example(
            "import os\nimport tempfile\n\ndef handler(event, context):\n"
            "    with tempfile.NamedTemporaryFile(suffix='.pdf', delete=False) as tmp:\n"
            "        path = tmp.name\n    try:\n"
            "        with open(path, 'w') as out:\n            out.write(event['text'])\n"
            "    finally:\n        os.unlink(path)\n"
        ),
        Example(
            "import tempfile\n\ndef handler(event, context):\n"
            "    with tempfile.NamedTemporaryFile('w') as out:\n        out.write('x')\n"
        ),
        # removed by a helper of another module
        Example(
            "import cleanup\n\ndef handler(event, context):\n"
            '    path = f"/tmp/{context.aws_request_id}.json"\n'
            "    with open(path, 'w') as out:\n        out.write('x')\n"
            "    cleanup.remove_temp_file(path)\n",
            files={
                "cleanup.py": "import os\n\ndef remove_temp_file(path):\n"
                "    if os.path.exists(path):\n        os.remove(path)\n"
            },
        ),
        # ... given by keyword
        Example(
            "import cleanup\n\ndef handler(event, context):\n"
            '    path = f"/tmp/{context.aws_request_id}.json"\n'
            "    with open(path, 'w') as out:\n        out.write('x')\n"
            "    cleanup.remove_temp_file(missing_ok=True, path=path)\n",
            files={
                "cleanup.py": "import os\n\ndef remove_temp_file(path, missing_ok=False):\n"
                "    if missing_ok and not os.path.exists(path):\n        return\n"
                "    os.remove(path)\n"
            },
        ),
        Example(
            "def handler(event, context):\n    with open('/tmp/report.csv', 'w') as out:\n"
            "        out.write(event['body'])\n"
        ),
        Example(
            "import os\n\ndef handler(event, context):\n"
            '    path = f"/tmp/{context.aws_request_id}.json"\n'
            "    try:\n        with open(path, 'w') as out:\n            out.write('x')\n"
            "    finally:\n        os.remove(path)\n"
        ),
        Example(
            "import os\nimport boto3\n\ns3 = boto3.client('s3')\nMODEL = '/tmp/model.bin'\n\n"
            "def handler(event, context):\n    if not os.path.exists(MODEL):\n"
            "        s3.download_file('models', 'model.bin', MODEL)\n    return MODEL\n"
        ),
        Example(
            "import os\nimport boto3\n\ns3 = boto3.client('s3')\n\n"
            "def handler(event, context):\n    key = event['Records'][0]['s3']['object']['key']\n"
            "    local = os.path.join('/tmp', os.path.basename(key))\n"
            "    os.system('rm -rf /tmp/*')\n"
            "    s3.download_file('inbox', key, local)\n    return os.path.getsize(local)\n",
            trigger="s3",
        ),
        Example(
            "import tempfile\n\ndef scratch_dir():\n    return tempfile.mkdtemp()\n\n"
            "def handler(event, context):\n    return 1\n"
        ),
        Example(
            "import tempfile\n\ndef rotate(event, context):\n"
            "    workdir = tempfile.mkdtemp()\n    return len(workdir)\n",
            trigger="secrets-manager",
            handler="rotate",
        ),
    ]
    INVALID = [
        Example(
            "import uuid\n\ndef handler(event, context):\n"
            "    path = '/tmp/{}.csv'.format(uuid.uuid4())\n"
            "    with open(path, 'w') as out:\n        out.write(event['body'])\n",
            message="uuid.uuid4()",
        ),
        Example(
            "import os\nimport boto3\n\ns3 = boto3.client('s3')\n\n"
            "def fetch(record):\n    key = record['s3']['object']['key']\n"
            "    local = os.path.join('/tmp', os.path.basename(key))\n"
            "    s3.download_file(record['s3']['bucket']['name'], key, local)\n"
            "    return os.path.getsize(local)\n\n"
            "def handler(event, context):\n    return fetch(event['Records'][0])\n",
            trigger="s3",
            message="handler -> fetch",
        ),
        Example(
            "import tempfile\n\ndef handler(event, context):\n"
            "    folder = tempfile.mkdtemp()\n    return len(folder)\n",
            message="tempfile.mkdtemp()",
        ),
        Example(
            "def handler(event, context):\n    with open('/tmp/audit.log', 'a') as log:\n"
            "        log.write(event['id'])\n",
            message="appends to the fixed path '/tmp/audit.log'",
        ),
    ]

    NEW_FILE = (
        "writes a new file under /tmp on every invocation{where} (its name comes from "
        "{source}) and never removes it: /tmp outlives the invocation, and the files pile "
        "up until the disk is full; remove it in a `finally:` block, or use tempfile's "
        "self-removing files"
    )
    APPENDED = (
        "appends to the fixed path '{path}' on every invocation{where} and the module never "
        "removes it: /tmp outlives the invocation, so the file grows with every warm "
        "invocation and keeps earlier requests' data"
    )

    @classmethod
    def may_report_in(cls, path: Path, text: str) -> bool:
        """Only where `/tmp` (or a part of it) or `tempfile` is written."""
        return "tmp" in text or "tempfile" in text

    def __init__(self, context: CheckContext) -> None:
        super().__init__(context)
        self._managed: set[str] | None = None
        self._sweeps: bool | None = None
        self._reported: set[tuple[cst.FunctionDef | None, str]] = set()

    def visit_Call(self, node: cst.Call) -> None:
        message = self._left_temp(node) or self._leak(node)
        if message is None:
            return
        key = (self.context.function_node(), message)
        if key in self._reported:
            return
        steps = self.per_invocation()
        if steps is None:
            return
        self._reported.add(key)
        self.report_here(node, message.format(where=self.where(steps)), steps)

    def _leak(self, node: cst.Call) -> str | None:
        """The message for a call writing a new or appended file in /tmp."""
        function = self.context.function_node()
        for target, mode in self._written(node):
            source = self._unique_tmp(target, function)
            if source is not None and not self._removed(target):
                return self.NEW_FILE.format(where="{where}", source=source)
            path = self._tmp_path(target, function) if mode == "append" else None
            if path is not None and not self._is_managed(path):
                return self.APPENDED.format(where="{where}", path=path)
        return None

    def _left_temp(self, node: cst.Call) -> str | None:
        """The message for a `mkdtemp()`/`mkstemp()`/`NamedTemporaryFile(delete=False)`
        that the function neither removes nor returns."""
        name = self.context.qualified_name(node.func)
        kept = name == "tempfile.NamedTemporaryFile" and _is_false(call_argument(node, 7, "delete"))
        if name not in LEFT_BEHIND and not kept:
            return None
        holder = self._holder(node)
        if holder is None or self._removed(holder):
            return None
        return self.NEW_FILE.format(where="{where}", source=f"{name}()")

    def _holder(self, node: cst.Call) -> cst.BaseExpression | None:
        """What keeps the temporary file's name: the target of `x = ...`, `fd, x = ...`
        or `with ... as x`; None when the result is passed on or dropped."""
        parent = self.context.parent()
        if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
            target = parent.targets[0].target
            if isinstance(target, cst.Tuple) and target.elements:
                return target.elements[-1].value
            return target
        if isinstance(parent, cst.WithItem) and parent.asname is not None:
            return parent.asname.name  # type: ignore[return-value]
        return None

    # -- what is written where ---------------------------------------------------------

    def _written(self, call: cst.Call) -> list[tuple[cst.BaseExpression, str]]:
        """The paths a call writes, each with `append` or `write`."""
        name = self.context.qualified_name(call.func)
        found: list[tuple[cst.BaseExpression | None, str | None]] = []
        if name in OPENERS or name in ("zipfile.ZipFile", "tarfile.open"):
            mode = _mode(call_argument(call, 1, "mode"))
            found.append((call_argument(call, 0, "file" if name in OPENERS else None), mode))
        elif name in COPIERS:
            found.append((call_argument(call, 1, "dst"), "write"))
        elif name == "urllib.request.urlretrieve":
            found.append((call_argument(call, 1, "filename"), "write"))
        elif isinstance(call.func, cst.Attribute):
            method = call.func.attr.value
            if method in ("write_text", "write_bytes", "touch"):
                found.append((call.func.value, "write"))
            elif method == "open":
                found.append((call.func.value, _mode(call_argument(call, 0, "mode"))))
            elif method == "download_file":
                keyword = keyword_argument(call, "Filename")
                found.append((keyword.value if keyword else None, "write"))
                found.extend((a.value, "write") for a in call.args if a.keyword is None)
            elif method in SAVERS:
                found.append((call_argument(call, 0, "path"), "write"))
        return [(path, mode) for path, mode in found if path is not None and mode is not None]

    def _unique_tmp(
        self, node: cst.BaseExpression, function: cst.FunctionDef | None, depth: int = 0
    ) -> str | None:
        """What makes a path under /tmp new on every call (`uuid.uuid4()`, `event data`),
        when the expression is one: a /tmp prefix joined with a unique part."""
        if depth > 4:
            return None
        if isinstance(node, cst.Name):
            scope = (
                function
                if function is not None and self.context.is_local(function, node.value)
                else None
            )
            for value in self.context.values_in(function, node.value):
                found = self._unique_tmp(value, scope, depth + 1)
                if found is not None:
                    return found
            return None
        head, rest = self._split_path(node)
        if head is None or not rest:
            return None
        prefix = self._constant_path(head, function, depth + 1)
        if prefix is None or not posixpath.normpath(prefix + "/x").startswith(TMP + "/"):
            return None
        for part in rest:
            found = self._unique(part, function, depth + 1)
            if found is not None:
                return found
        return None

    def _split_path(
        self, node: cst.BaseExpression
    ) -> tuple[cst.BaseExpression | None, list[cst.BaseExpression]]:
        """A built path as its leading part and the parts joined to it: f-strings,
        `.format()`, `%`, `+`, `os.path.join()` and `Path / part`."""
        if isinstance(node, cst.FormattedString) and node.parts:
            first = node.parts[0]
            if isinstance(first, cst.FormattedStringText):
                head: cst.BaseExpression = cst.SimpleString(repr(first.value))
            elif isinstance(first, cst.FormattedStringExpression):
                head = first.expression
            else:
                return None, []
            rest = [
                p.expression for p in node.parts[1:] if isinstance(p, cst.FormattedStringExpression)
            ]
            return head, rest
        if isinstance(node, cst.BinaryOperation) and isinstance(
            node.operator, (cst.Add, cst.Divide, cst.Modulo)
        ):
            return node.left, [node.right]
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value == "format":
                return func.value, [a.value for a in node.args]
            if self.context.qualified_name(func) in JOINS and node.args:
                return node.args[0].value, [a.value for a in node.args[1:]]
        return None, []

    def _unique(
        self, node: cst.BaseExpression, function: cst.FunctionDef | None, depth: int
    ) -> str | None:
        """What makes a value of `function` different on every invocation: a unique call
        (`uuid.uuid4()`), the request id, or event data; None when not known to be."""
        if depth > 6 or function is None:
            return None
        for ref in self.context.refs(node):
            if ref.root == "event":
                return "event data"
            if ref.root == "context" and ref.path[:1] == ("aws_request_id",):
                return "context.aws_request_id"
        for inner in (node, *descendants(node)):
            if isinstance(inner, cst.Call):
                name = self.context.qualified_name(inner.func)
                if name in UNIQUE_CALLS:
                    return f"{name}()"
            elif isinstance(inner, cst.Name) and self.context.is_local(function, inner.value):
                for value in self.context.local_values(function, inner.value):
                    found = self._unique(value, function, depth + 1)
                    if found is not None:
                        return found
        return None

    def _constant_path(
        self, node: cst.BaseExpression, function: cst.FunctionDef | None, depth: int
    ) -> str | None:
        """The text of a path made of constants: literals, `os.path.join`/`Path` of
        them, `tempfile.gettempdir()`, names bound to one."""
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
            if name in TEMP_DIRS:
                return TMP
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
            values = self.context.values_in(function, node.value)
            scope = (
                function
                if function is not None and self.context.is_local(function, node.value)
                else None
            )
            found = {self._constant_path(v, scope, depth + 1) for v in values}
            if len(found) == 1:
                return found.pop()
        return None

    def _tmp_path(self, node: cst.BaseExpression, function: cst.FunctionDef | None) -> str | None:
        """The constant path under /tmp an expression of `function` denotes, or None."""
        text = self._constant_path(node, function, 0)
        if text is None:
            return None
        normal = posixpath.normpath(text)
        return normal if normal.startswith(TMP + "/") else None

    # -- what removes it ------------------------------------------------------------------

    def _removed(self, target: cst.BaseExpression) -> bool:
        """Whether the function removes what `target` names (a remover's argument shares
        a local name with it, or is the same code), or the module sweeps folders it
        lists."""
        function = self.context.function_node()
        if function is None or self._sweeps_folders():
            return True
        names = _local_names(target, function)
        code = cst.Module([]).code_for_node(target)
        for call, _ in calls(function.body):
            for argument in self._removed_by(call):
                if names & self._sources(_local_names(argument, function), function):
                    return True
                if cst.Module([]).code_for_node(argument) == code:
                    return True
        return bool(names) and self._returned(target)

    def _sources(self, names: set[str], function: cst.FunctionDef) -> set[str]:
        """`names` and the local names their values are made of, transitively
        (`path = tmp.name` removes what `tmp` names)."""
        found, pending = set(names), list(names)
        while pending and len(found) < 32:
            for value in self.context.local_values(function, pending.pop()):
                for name in _local_names(value, function) - found:
                    found.add(name)
                    pending.append(name)
        return found

    def _returned(self, target: cst.BaseExpression) -> bool:
        """The function hands the path back to its caller (which may remove it): it
        returns the name holding it, alone or in a tuple, list or dict."""
        function = self.context.function_node()
        if function is None:
            return False
        names = _local_names(target, function)
        for ret in returns_of(function):
            value = ret.value
            items: list[cst.BaseExpression] = [value] if value is not None else []
            if isinstance(value, (cst.Tuple, cst.List)):
                items = [e.value for e in value.elements]
            elif isinstance(value, cst.Dict):
                items = [e.value for e in value.elements if isinstance(e, cst.DictElement)]
            if any(isinstance(i, cst.Name) and i.value in names for i in items):
                return True
        return False

    def _removed_by(self, call: cst.Call) -> list[cst.BaseExpression]:
        """The paths a call removes."""
        if self.context.qualified_name(call.func) in REMOVERS:
            argument = call_argument(call, 0, "path")
            return [argument] if argument is not None else []
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in PATH_REMOVE_METHODS:
            return [call.func.value]
        return self._removed_by_helper(call)

    def _removed_by_helper(self, call: cst.Call) -> list[cst.BaseExpression]:
        """The arguments a project function removes: one whose body passes a parameter
        to a remover (`def remove_temp_file(path): os.remove(path)`)."""
        found = self.context.project_callee(call)
        if found is None:
            return []
        (path, _), callee = found
        module = self.context.model.modules.get(path)
        if module is None:
            return []
        removed = {
            index
            for site in callee.calls
            if site.args and qualify(module, site.target) in REMOVERS
            for index, steps in site.args[0]
            if not steps
        }
        arguments = self.context.arguments_by_parameter(callee, call)
        return [arguments[index] for index in sorted(removed) if index in arguments]

    def _sweeps_folders(self) -> bool:
        """The module removes what it lists in a folder (`for f in os.listdir("/tmp"):
        os.remove(...)`), or empties /tmp (`shutil.rmtree("/tmp")`, `os.system("rm -rf
        /tmp/*")`): a clean-up of everything left there."""
        if self._sweeps is None:
            self._sweeps = any(self._empties_tmp(call, f) for call, f in calls(self.context.module))
            for function in _functions(self.context.module):
                listed = {
                    name
                    for call, _ in calls(function.body)
                    if self._lists(call)
                    for name in _bound_by(call, function)
                }
                if listed and any(
                    listed & _local_names(argument, function)
                    for call, _ in calls(function.body)
                    for argument in self._removed_by(call)
                ):
                    self._sweeps = True
                    break
        return self._sweeps

    def _empties_tmp(self, call: cst.Call, function: cst.FunctionDef | None) -> bool:
        """`shutil.rmtree("/tmp")`, or a shell command that removes /tmp or all it holds."""
        name = self.context.qualified_name(call.func)
        argument = call_argument(call, 0)
        if argument is None or name not in SHELL_CALLS | {"shutil.rmtree"}:
            return False
        if name == "shutil.rmtree":
            path = self._constant_path(argument, function, 0)
            return path is not None and posixpath.normpath(path) == TMP
        words = (
            [element.value for element in argument.elements]
            if isinstance(argument, (cst.List, cst.Tuple))
            else [argument]
        )
        parts = [self._constant_path(word, function, 0) for word in words]
        command = " ".join(p for p in parts if p is not None)
        return None not in parts and EMPTIES_TMP.search(command) is not None

    def _lists(self, call: cst.Call) -> bool:
        if self.context.qualified_name(call.func) in LISTINGS:
            return True
        return isinstance(call.func, cst.Attribute) and call.func.attr.value in LISTING_METHODS

    def _is_managed(self, path: str) -> bool:
        """Whether any code of the module removes the path (or a folder holding it) or
        checks that it exists."""
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


def _is_false(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "False"


def _is_true(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"


def _local_names(node: cst.CSTNode, function: cst.FunctionDef) -> set[str]:
    """The names an expression reads that `function` binds itself."""
    scope = function_scope(function)
    found = [node, *descendants(node)]
    return {n.value for n in found if isinstance(n, cst.Name) and n.value in scope.local}


def _bound_by(call: cst.Call, function: cst.FunctionDef) -> set[str]:
    """The local names that a call's result is bound to, directly or as a loop target
    (`for name in os.listdir(folder)`, `names = glob.glob(...)`)."""
    found: set[str] = set()
    for node in descendants(function.body, into_functions=False):
        if isinstance(node, (cst.For, cst.CompFor)) and any(
            n is call for n in (node.iter, *descendants(node.iter))
        ):
            found |= _local_names(node.target, function)
        elif isinstance(node, cst.Assign) and any(
            n is call for n in (node.value, *descendants(node.value))
        ):
            for target in node.targets:
                found |= _local_names(target.target, function)
    return found


def _functions(module: cst.Module) -> list[cst.FunctionDef]:
    return [n for n in descendants(module) if isinstance(n, cst.FunctionDef)]


# -- LL305 ---------------------------------------------------------------------------------

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
    #: the work is frozen after the first return, whether or not the environment is reused
    needs_reuse = False
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
            values = self.context.bound_values(receiver.value)
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


class LoggingSetupPerInvocation(ReuseRule):
    """
    ## What it does
    Reports logging set-up in per-invocation code (the handler, or any function or
    method it calls) that goes wrong because it runs again and again in one execution
    environment:
    - `<logger>.addHandler(...)`: each call adds one more handler;
    - `logging.basicConfig(...)` with arguments and without `force=True`: it does
      nothing at all, so what the arguments ask for never happens.

    Not reported: set-up that only runs when `logger.handlers`/`hasHandlers()` says none
    is installed, or under a flag the function sets (`if not _configured:`); an
    `addHandler` after the logger's handlers are emptied (`logger.handlers.clear()`,
    `logger.handlers = []`) or undone by `removeHandler` in the same function; set-up
    in a `functools.cache`d function; `basicConfig()` without arguments, which asks for
    nothing the runtime's handler does not already do; `basicConfig(force=True)`,
    `logging.config.dictConfig()` and `fileConfig()`, which replace the handlers
    rather than add to them.

    Handlers invoked too rarely for an environment to be reused (custom resources,
    secret rotation, pipeline actions, Automation runbook steps, hourly or rarer
    schedules; see LL301) are not judged.

    ## Why is this bad?
    Loggers live in the module state, which outlives the invocation. Each warm
    invocation adds one more handler, so every log line is written once more per
    invocation served — and CloudWatch Logs bills each copy. `basicConfig()` does
    nothing when the root logger already has a handler, and the Lambda Python runtime
    installs one before importing the function: its `level=`, `format=` and `handlers=`
    are silently ignored, so the messages it was meant to enable never appear.

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
    summary = "Log handler added, or basicConfig() that does nothing, on every invocation"
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
            "import logging\n\ndef handler(event, context):\n"
            "    logging.basicConfig(level=logging.INFO, force=True)\n"
        ),
        # nothing asked for: the runtime's handler already does it
        Example("import logging\n\ndef handler(event, context):\n    logging.basicConfig()\n"),
        Example(
            "import logging\n\nlogger = logging.getLogger('app')\n\n"
            "def handler(event, context):\n    logger.handlers.clear()\n"
            "    logger.addHandler(logging.StreamHandler())\n"
        ),
    ]
    INVALID = [
        Example(
            "import logging\n\ndef handler(event, context):\n    log = logging.getLogger()\n"
            "    log.addHandler(logging.StreamHandler())\n",
            message="addHandler()",
        ),
        Example(
            "import logging\n\ndef handler(event, context):\n"
            "    logging.basicConfig(level=logging.INFO)\n"
            "    logging.getLogger(__name__).info('processing %s', event['id'])\n",
            message="does nothing",
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
    ]

    ADDED = (
        "addHandler() runs on every invocation{where}: each warm invocation adds another "
        "handler and every log line is written once more; add handlers once at module scope"
    )
    IGNORED = (
        "logging.basicConfig() runs on every invocation{where} and does nothing: the Lambda "
        "runtime has already put a handler on the root logger, so without force=True every "
        "argument (level=... included) is ignored; set the level once at module scope "
        "(logging.getLogger().setLevel(...))"
    )

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "addHandler":
            if self._removes_handler() or self._emptied_first(func.value):
                return
            message = self.ADDED
        elif self.context.qualified_name(func) == "logging.basicConfig":
            if not node.args or _is_true(call_argument(node, -1, "force")):
                return
            message = self.IGNORED
        else:
            return
        if self.runs_once(_checks_handlers) or self.never_runs():
            return
        steps = self.per_invocation()
        if steps is None:
            return
        self.report_here(node, message.format(where=self.where(steps)), steps)

    def _removes_handler(self) -> bool:
        function = self.context.function_node()
        return function is not None and any(
            isinstance(call.func, cst.Attribute) and call.func.attr.value == "removeHandler"
            for call, _ in calls(function.body)
        )

    def _emptied_first(self, logger: cst.BaseExpression) -> bool:
        """`logger.handlers.clear()` or `logger.handlers = []` earlier in the function."""
        handlers = f"{dotted_name(logger)}.handlers"

        def empties(statement: cst.CSTNode) -> bool:
            for small in getattr(statement, "body", ()):
                if isinstance(small, cst.Assign) and any(
                    dotted_name(t.target) == handlers for t in small.targets
                ):
                    return True
                if (
                    isinstance(small, cst.Expr)
                    and isinstance(small.value, cst.Call)
                    and dotted_name(small.value.func) == f"{handlers}.clear"
                ):
                    return True
            return False

        return dotted_name(logger) is not None and preceded_by(self.context.ancestors, empties)


def _checks_handlers(node: cst.CSTNode) -> bool:
    """A test on a logger's handlers (`if not logger.handlers`, `hasHandlers()`)."""
    return any(
        isinstance(attribute, cst.Attribute) and attribute.attr.value in ("handlers", "hasHandlers")
        for attribute in (node, *descendants(node))
    )
