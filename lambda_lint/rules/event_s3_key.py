"""LL405: an S3 object key from an event used without unquoting it."""

from __future__ import annotations

import re
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
#: text URL encoding leaves as it is: a test for it sees the same in a raw key
_UNENCODED = re.compile(r"[A-Za-z0-9._~-]*")
#: string methods whose result is the key's text in another case or trimmed
_SAME_TEXT_METHODS = ("lower", "upper", "casefold", "strip")
#: calls that split off a path's extension (`[1]` of the result)
_SPLIT_EXTENSION = ("os.path.splitext", "posixpath.splitext")
#: a placeholder standing as a word of a sentence: spaces (or quotes, brackets,
#: punctuation) on both sides, not a part of a path or URI (`s3://{bucket}/{key}`)
_WORD_BEFORE = re.compile(r"(^|[\s'\"(\[])$")
_WORD_AFTER = re.compile(r"^($|[\s'\")\]]|[,.;:!?](\s|$))")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


#: a bucket SES receipt rules store mail in, which invokes `app.handler`
_MAIL_TEMPLATE = (
    "Transform: AWS::Serverless-2016-10-31\nResources:\n"
    "  Mail:\n    Type: AWS::S3::Bucket\n"
    "  Receive:\n    Type: AWS::SES::ReceiptRule\n    Properties:\n"
    "      RuleSetName: inbound\n      Rule:\n        Enabled: true\n"
    "        Actions:\n          - S3Action: {BucketName: !Ref Mail, ObjectKeyPrefix: inbox/}\n"
    "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
    "      Handler: app.handler\n      CodeUri: .\n      Events:\n"
    "        Stored:\n          Type: S3\n          Properties:\n"
    "            Bucket: !Ref Mail\n            Events: s3:ObjectCreated:*\n"
)


class S3KeyNotUnquoted(EventRule):
    """
    ## What it does
    Reports an S3 object key read from an S3 event notification — delivered to the
    function, or through an SQS queue or an SNS topic (`json.loads(record["body"])`) —
    that is not passed through `urllib.parse.unquote_plus` (directly, or through the
    variable it is assigned to). A key is reported only when it reaches a use where
    its encoding matters (an SDK call, a path, a split, a comparison...): one that is
    only printed or logged, written into a sentence (`f"New file {key} arrived"`) or
    tested for its extension (`key.endswith(".csv")`, `"." in key`,
    `os.path.splitext(key)[1]`) is not. Nor is a key of a bucket that the descriptor
    shows an SES receipt rule storing mail in: those keys are message ids.

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
        # SES stores each message under its message id: nothing to unquote
        Example(
            "def handler(event, context):\n    key = event['Records'][0]['s3']['object']['key']\n"
            "    return s3.get_object(Bucket='mail', Key=key)\n",
            files={"template.yaml": _MAIL_TEMPLATE},
        ),
        # a sentence for people, and an extension test, read the same in the raw key
        Example(
            "import os\n\ndef handler(event, context):\n    key = event['Records'][0]['s3']['object']['key']\n"
            "    if not key.lower().endswith(('.csv', '.tsv')) or os.path.splitext(key)[1] == '.gz':\n"
            "        return\n    if '.' in key and key.split('.')[-1] in ('exe', 'bat'):\n"
            "        return\n    sns.publish(TopicArn=TOPIC, Message=f'New file {key} uploaded')\n",
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
        # a path built from the raw key names another file than the object
        Example(
            "def handler(event, context):\n    key = event['Records'][0]['s3']['object']['key']\n"
            "    if key.endswith('.csv'):\n        s3.download_file('b', 'k', f'/tmp/{key}')\n",
            trigger="s3",
            at="event['Records'][0]['s3']['object']['key']",
        ),
        # a sentence that carries an s3:// URI of the object
        Example(
            "def handler(event, context):\n    r = event['Records'][0]['s3']\n"
            "    key = r['object']['key']\n    bucket = r['bucket']['name']\n"
            "    agent.invoke(prompt=f'Describe this file: s3://{bucket}/{key}')\n",
            trigger="s3",
            at="r['object']['key']",
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
        if key is None or self._unquoted(node) or self._only_harmless(node):
            return
        if self._unencoded_keys():
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

    def _unencoded_keys(self) -> bool:
        """Whether every bucket that invokes the handler holds keys URL encoding leaves
        as they are: mail that SES receipt rules store under message ids."""
        buckets = [b for b in self.bindings() if b.trigger == "s3"]
        return bool(buckets) and all(b.unencoded_keys for b in buckets)

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

    def _only_harmless(self, node: cst.CSTNode) -> bool:
        """Whether the key read at `node` reaches only uses where its encoding does not
        matter: directly, or every use of the name it is assigned to."""
        parent = self.context.parent(1)
        if not isinstance(parent, cst.Assign):
            return self._harmless(self.context.ancestors)
        target = parent.targets[0].target if len(parent.targets) == 1 else None
        function = self.context.function_node()
        if not isinstance(target, cst.Name) or function is None:
            return False
        uses = [
            path
            for path in _paths_to_names(function.body, target.value)
            if not (isinstance(path[-2], cst.AssignTarget) and path[-2].target is path[-1])
        ]
        return bool(uses) and all(self._harmless(path) for path in uses)

    def _harmless(self, ancestors: Sequence[cst.CSTNode]) -> bool:
        """Whether the key at the end of `ancestors` is used where a raw key reads the
        same as an unquoted one: shown, written into a sentence, or its extension or a
        plain character tested."""
        if self._shown(ancestors):
            return True
        if len(ancestors) < 3:
            return False
        node, parent, grand = ancestors[-1], ancestors[-2], ancestors[-3]
        outer = ancestors[-4] if len(ancestors) > 3 else None
        if isinstance(parent, cst.FormattedStringExpression):
            return isinstance(grand, cst.FormattedString) and _in_sentence(grand, parent)
        if isinstance(parent, cst.ComparisonTarget):
            return (
                parent.comparator is node
                and isinstance(parent.operator, (cst.In, cst.NotIn))
                and isinstance(grand, cst.Comparison)
                and _unencoded(grand.left)
            )
        if (
            isinstance(parent, cst.Attribute)
            and parent.value is node
            and isinstance(grand, cst.Call)
        ):
            method = parent.attr.value
            if method in _SAME_TEXT_METHODS:
                return self._harmless(ancestors[:-2])
            if method in ("endswith", "startswith"):
                return bool(grand.args) and _unencoded(grand.args[0].value)
            dot = bool(grand.args) and literal_key(grand.args[0].value) == "."
            return method in ("split", "rsplit") and dot and _index(outer, grand) == -1
        if isinstance(parent, cst.Arg) and isinstance(grand, cst.Call):
            if self.context.qualified_name(grand.func) in _SPLIT_EXTENSION:
                return _index(outer, grand) in (1, -1)
            func = grand.func
            return (
                isinstance(func, cst.Attribute)
                and func.attr.value == "format"
                and isinstance(func.value, cst.SimpleString)
                and _sentence_template(func.value.evaluated_value)
            )
        return False

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


def _in_sentence(formatted: cst.FormattedString, value: cst.FormattedStringExpression) -> bool:
    """Whether `value` is a word of a sentence for people: the f-string's text has a
    space and the value stands apart from the text around it."""
    parts = list(formatted.parts)
    index = parts.index(value)
    texts = ["" if not isinstance(p, cst.FormattedStringText) else p.value for p in parts]
    before = texts[index - 1] if index > 0 else ""
    after = texts[index + 1] if index + 1 < len(parts) else ""
    adjacent = [parts[i] for i in (index - 1, index + 1) if 0 <= i < len(parts)]
    return (
        any(any(ch.isspace() for ch in text) for text in texts)
        and all(isinstance(p, cst.FormattedStringText) for p in adjacent)
        and _WORD_BEFORE.search(before) is not None
        and _WORD_AFTER.search(after) is not None
    )


def _sentence_template(template: object) -> bool:
    """Whether every placeholder of a `str.format` template is a word of a sentence."""
    if not isinstance(template, str) or not any(ch.isspace() for ch in template):
        return False
    return all(
        _WORD_BEFORE.search(template[: found.start()])
        and _WORD_AFTER.search(template[found.end() :])
        for found in _PLACEHOLDER.finditer(template)
    )


def _unencoded(node: cst.BaseExpression) -> bool:
    """A string literal (or a tuple of them) that URL encoding leaves as it is."""
    if isinstance(node, cst.Tuple):
        return bool(node.elements) and all(_unencoded(e.value) for e in node.elements)
    text = literal_key(node)
    return text is not None and _UNENCODED.fullmatch(text) is not None


def _index(subscript: cst.CSTNode | None, value: cst.CSTNode) -> int | None:
    """The constant index `subscript` takes of `value` (`value[1]`, `value[-1]`)."""
    if not isinstance(subscript, cst.Subscript) or subscript.value is not value:
        return None
    if len(subscript.slice) != 1 or not isinstance(subscript.slice[0].slice, cst.Index):
        return None
    index = subscript.slice[0].slice.value
    sign = 1
    if isinstance(index, cst.UnaryOperation) and isinstance(index.operator, cst.Minus):
        sign, index = -1, index.expression
    return sign * int(index.evaluated_value) if isinstance(index, cst.Integer) else None
