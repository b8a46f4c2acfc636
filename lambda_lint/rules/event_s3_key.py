"""LL405: an S3 object key from an event used without unquoting it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import libcst as cst

from lambda_lint.finding import Fix
from lambda_lint.model.event_access import EventValue, carried_value
from lambda_lint.model.flow import ITEM, literal_key, subscript_key
from lambda_lint.rule import Example
from lambda_lint.rules.event_reads import EventRule
from lambda_lint.walk import descendants

#: the events whose URL-encoded strings are S3 object keys
S3_KEY_TRIGGERS = ("s3", "s3-batch")
#: calls that hand their argument on as the same text (`unquote_plus(str(key))`)
TEXT_PASS_THROUGH = ("builtins.str",)


class S3KeyNotUnquoted(EventRule):
    """
    ## What it does
    Reports an S3 object key read from an S3 event notification — delivered to the
    function, or through an SQS queue or an SNS topic (`json.loads(record["body"])`) —
    that is not passed through `urllib.parse.unquote_plus` (directly, or through the
    variable it is assigned to). A key that is only printed or logged is not reported.

    ## Why is this bad?
    Object keys arrive URL-encoded: `reports/2024 Q1.csv` arrives as
    `reports/2024+Q1.csv`. `get_object` with the raw key fails with `NoSuchKey` for every
    key with a space or special character.

    ## Example
    ```python
    def handler(event, context):
        for record in event["Records"]:
            key = record["s3"]["object"]["key"]
            s3.get_object(Bucket=bucket, Key=key)
    ```

    ## Use instead
    ```python
    from urllib.parse import unquote_plus

    def handler(event, context):
        for record in event["Records"]:
            key = unquote_plus(record["s3"]["object"]["key"])
            s3.get_object(Bucket=bucket, Key=key)
    ```

    ## Fix safety
    Unsafe: wraps the read in `unquote_plus(...)` and adds the import.
    """

    code = "LL405"
    name = "s3-key-not-unquoted"
    summary = "S3 object key used without unquote_plus"
    fixable = "unsafe"
    VALID = [
        Example(
            "from urllib.parse import unquote_plus\n\ndef handler(event, context):\n"
            "    for r in event['Records']:\n        print(unquote_plus(r['s3']['object']['key']))\n",
            trigger="s3",
        ),
        Example(
            "import urllib.parse\n\ndef handler(event, context):\n    for r in event['Records']:\n"
            "        key = r['s3']['object']['key']\n        print(urllib.parse.unquote_plus(key))\n",
            trigger="s3",
        ),
        Example(
            "from urllib.parse import unquote_plus\n\ndef handler(event, context):\n"
            "    for r in event['Records']:\n"
            "        print(unquote_plus(str(r['s3']['object']['key'])))\n",
            trigger="s3",
        ),
        Example(
            "def handler(event, context):\n    return event['Records'][0]['s3']['bucket']['name']\n",
            trigger="s3",
        ),
        # the load balancer's URL-encoded query values are not S3 keys
        Example(
            "def handler(event, context):\n    return event['queryStringParameters']['q']\n",
            trigger="alb",
        ),
        # showing the key as it arrived breaks nothing
        Example(
            "import logging\n\nlog = logging.getLogger()\n\n"
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        key = r['s3']['object']['key']\n        print(key)\n"
            "        log.info('new object %s', key)\n",
            trigger="s3",
        ),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    for r in event['Records']:\n"
            "        key = r['s3']['object']['key']\n        print(key)\n"
            "        s3.get_object(Bucket='b', Key=key)\n",
            trigger="s3",
            at="r['s3']['object']['key']",
        ),
        Example(
            "def handler(event, context):\n    record = event['Records'][0]\n"
            "    key = record['s3']['object']['key']\n    return key.split('/')\n",
            trigger="s3",
        ),
        Example(
            "from store import fetch\n\ndef handler(event, context):\n"
            "    for r in event['Records']:\n        fetch(r)\n",
            files={
                "store.py": "def fetch(record):\n    return record['s3']['object'].get('key')\n"
            },
            trigger="s3",
        ),
        # an S3 notification delivered through a queue
        Example(
            "import json\n\ndef handler(event, context):\n    for r in event['Records']:\n"
            "        note = json.loads(r['body'])\n"
            "        s3.delete_object(Bucket='b', Key=note['Records'][0]['s3']['object']['key'])\n",
            trigger="sqs",
            at="note['Records'][0]['s3']['object']['key']",
        ),
    ]

    def on_read(self, node: cst.Subscript | cst.Call) -> None:
        key = self._key_read(node)
        if key is None or self._unquoted(node) or self._only_shown(node):
            return
        edits = [*self.context.edits_around(node, "unquote_plus(", ")")]
        imported = self.context.insertion_at_top("from urllib.parse import unquote_plus")
        if imported is not None:
            edits.append(imported)
        self.report_path(
            node,
            key.path,
            "S3 object keys arrive URL-encoded (a space is '+'); pass the key through "
            "urllib.parse.unquote_plus() before using it",
            fix=Fix("unsafe", "Wrap the key in unquote_plus()", tuple(edits)),
        )

    def _key_read(self, node: cst.Subscript | cst.Call) -> EventValue | None:
        """The S3 key `node` reads, from the event or from an S3 event the event
        carries; None for anything else."""
        access = self.access(node)
        if access is not None:
            if access.key == ITEM:
                return None
            container = access.container
            value = EventValue(container.trigger, container.shape, access.path, "")
        else:
            value = self._carried_read(node)
        info = value.info if value is not None else None
        if value is None or info is None or info.encoding != "url":
            return None
        return value if value.trigger in S3_KEY_TRIGGERS else None

    def _carried_read(self, node: cst.Subscript | cst.Call) -> EventValue | None:
        if isinstance(node, cst.Subscript):
            container, key = node.value, subscript_key(node)
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value == "get" and node.args:
            container, key = node.func.value, literal_key(node.args[0].value)
        else:
            return None
        found = carried_value(self.context.refs, container)
        if found is None or key is None or key == ITEM:
            return None
        return EventValue(found.trigger, found.shape, (*found.path, key), "")

    def _is_unquote(self, call: cst.CSTNode | None) -> bool:
        if not isinstance(call, cst.Call):
            return False
        name = self.context.qualified_name(call.func) or ""
        return name.endswith(("unquote_plus", "unquote"))

    def _unquoted(self, node: cst.CSTNode) -> bool:
        """Whether the key read at `node` goes through an unquote call: as its
        argument (maybe wrapped in `str()`), or through the name it is assigned to."""
        level = 1
        parent = self.context.parent(level)
        while isinstance(parent, cst.Arg):
            call = self.context.parent(level + 1)
            if self._is_unquote(call):
                return True
            if not self._passes_text(call):
                return False
            level += 2
            parent = self.context.parent(level)
        if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
            target = parent.targets[0].target
            if isinstance(target, cst.Name):
                return self._name_unquoted(target.value)
        return False

    def _only_shown(self, node: cst.CSTNode) -> bool:
        """Whether the key read at `node` is only printed or logged: directly, or every
        use of the name it is assigned to."""
        parent = self.context.parent(1)
        if not isinstance(parent, cst.Assign):
            return self._shown(self.context.ancestors)
        target = parent.targets[0].target if len(parent.targets) == 1 else None
        function = self.context.function_node()
        if not isinstance(target, cst.Name) or function is None:
            return False
        uses = [
            path
            for path in _paths_to_names(function.body, target.value)
            if not (isinstance(path[-2], cst.AssignTarget) and path[-2].target is path[-1])
        ]
        return bool(uses) and all(self._shown(path) for path in uses)

    def _shown(self, ancestors: Sequence[cst.CSTNode]) -> bool:
        """Whether the last of `ancestors` is (inside) an argument of `print()` or of a
        logger method."""
        for node in reversed(ancestors):
            if isinstance(node, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
                return False
            if isinstance(node, cst.Call) and self.shows(node):
                return True
        return False

    def _passes_text(self, call: cst.CSTNode | None) -> bool:
        return (
            isinstance(call, cst.Call)
            and len(call.args) == 1
            and self.context.qualified_name(call.func) in TEXT_PASS_THROUGH
        )

    def _name_unquoted(self, name: str) -> bool:
        function = self.context.function_node()
        if function is None:
            return False
        for node in descendants(function.body):
            if isinstance(node, cst.Call) and self._is_unquote(node):
                for arg in node.args:
                    inner = arg.value
                    while isinstance(inner, cst.Call) and self._passes_text(inner):
                        inner = inner.args[0].value
                    if isinstance(inner, cst.Name) and inner.value == name:
                        return True
        return False


def _paths_to_names(root: cst.CSTNode, name: str) -> Iterator[list[cst.CSTNode]]:
    """The node paths from `root` (exclusive) to each `Name` spelled `name` below it,
    not entering nested functions."""
    stack: list[tuple[cst.CSTNode, list[cst.CSTNode]]] = [(root, [])]
    while stack:
        node, path = stack.pop()
        for child in node.children:
            if isinstance(child, (cst.FunctionDef, cst.Lambda)):
                continue
            if isinstance(child, cst.Name) and child.value == name:
                yield [*path, child]
            stack.append((child, [*path, child]))
