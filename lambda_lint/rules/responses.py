"""LL1, responses: what a handler returns must be something the runtime (and, for HTTP
triggers, the front door) can use."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from lambda_lint.finding import Fix
from lambda_lint.model.flow import JSON, FunctionFlow, Ref
from lambda_lint.model.locals import assigned_values
from lambda_lint.model.names import dotted_name
from lambda_lint.rule import Example, Rule, mentions
from lambda_lint.rules.handler_contract import runtime_handler
from lambda_lint.walk import descendants

#: calls whose result the runtime's JSON marshaller rejects, with a name for messages
NON_SERIALIZABLE_CALLS = {
    "datetime.datetime": "a datetime",
    "datetime.datetime.now": "a datetime",
    "datetime.datetime.utcnow": "a datetime",
    "datetime.datetime.today": "a datetime",
    "datetime.datetime.fromtimestamp": "a datetime",
    "datetime.datetime.fromisoformat": "a datetime",
    "datetime.datetime.strptime": "a datetime",
    "datetime.date": "a date",
    "datetime.date.today": "a date",
    "datetime.date.fromisoformat": "a date",
    "datetime.time": "a time",
    "datetime.timedelta": "a timedelta",
    "builtins.set": "a set",
    "builtins.frozenset": "a frozenset",
    "builtins.complex": "a complex number",
    "uuid.uuid4": "a UUID",
    "uuid.UUID": "a UUID",
}
#: base classes whose instances serialise (or that describe plain data)
SERIALIZABLE_BASES = {
    "dict",
    "list",
    "tuple",
    "str",
    "int",
    "float",
    "NamedTuple",
    "TypedDict",
    "Decimal",
    "typing.NamedTuple",
    "typing.TypedDict",
    "UserDict",
    "collections.UserDict",
}


class NonSerializableReturn(Rule):
    """
    ## What it does
    Reports a handler that returns a value the runtime cannot serialise to JSON: a
    `datetime`/`date`, a `set`/`frozenset`, a `complex`, a `UUID`, or an instance of a
    class of the project (directly or inside a returned dict, list or tuple). `Decimal`
    and `bytes` are fine: the runtime's marshaller accepts them.

    ## Why is this bad?
    The handler's work is done, then the invocation fails with `Runtime.MarshalError`;
    synchronous callers get an error, asynchronous sources retry the whole event.

    ## Example
    ```python
    from datetime import datetime

    def handler(event, context):
        return {"processed_at": datetime.now(), "ids": {1, 2}}
    ```

    ## Use instead
    ```python
    from datetime import datetime

    def handler(event, context):
        return {"processed_at": datetime.now().isoformat(), "ids": sorted({1, 2})}
    ```

    ## Fix safety
    Unsafe: a `datetime`/`date` gets `.isoformat()` and a `set`/`frozenset` is wrapped in
    `sorted(...)`, which changes the type callers receive (and `sorted` raises on
    elements that cannot be compared). The other kinds have no fix.
    """

    reached_code_only = True

    code = "LL106"
    name = "non-serializable-return"
    summary = "Handler returns a value the runtime cannot serialise"
    fixable = "unsafe"
    VALID = [
        Example(
            "from decimal import Decimal\n\ndef handler(event, context):\n"
            "    return {'total': Decimal('9.99')}\n"
        ),
        Example("def handler(event, context):\n    return b'raw bytes'\n"),
        Example(
            "from datetime import datetime\n\ndef handler(event, context):\n"
            "    return {'at': datetime.now().isoformat()}\n"
        ),
        Example(
            "from datetime import datetime\n\ndef helper():\n    return datetime.now()\n\n"
            "def handler(event, context):\n    return {'ok': True}\n"
        ),
        Example(
            "class Reply(dict):\n    pass\n\ndef handler(event, context):\n    return Reply(ok=1)\n"
        ),
    ]
    INVALID = [
        Example(
            "from datetime import datetime\n\ndef handler(event, context):\n"
            "    return datetime.now()\n",
            message="a datetime",
        ),
        Example(
            "import datetime\n\ndef handler(event, context):\n"
            "    return {'day': datetime.date.today()}\n",
            message="a date",
        ),
        Example("def handler(event, context):\n    return {'tags': {'a', 'b'}}\n", message="a set"),
        Example(
            "class Order:\n    def __init__(self, oid):\n        self.oid = oid\n\n"
            "def handler(event, context):\n    return Order(event['id'])\n",
            message="Order",
        ),
        Example(
            "def handler(event, context):\n    seen = set()\n    seen.add(1)\n    return seen\n",
            message="a set",
        ),
    ]

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is None or runtime_handler(self) is None:
            return
        found = self._problem(node.value, depth=0)
        if found:
            what, where = found
            self.report(
                node.value,
                f"the handler returns {what}, which the Lambda runtime cannot serialise "
                "(Runtime.MarshalError)",
                fix=self._fix(what, where),
            )

    def _fix(self, what: str, value: cst.BaseExpression) -> Fix | None:
        if isinstance(value, cst.Name) and len(self._local_kinds(value.value)) != 1:
            return None  # assigned values of different kinds: no one conversion fits
        if what in ("a datetime", "a date"):
            if not isinstance(value, (cst.Call, cst.Name, cst.Attribute, cst.Subscript)):
                return None
            edits = self.context.edits_around(value, "", ".isoformat()")
            return Fix("unsafe", "Convert with `.isoformat()`", edits)
        if what in ("a set", "a frozenset"):
            edits = self.context.edits_around(value, "sorted(", ")")
            return Fix("unsafe", "Wrap in `sorted(...)`", edits)
        return None

    def _problem(
        self, value: cst.BaseExpression, depth: int
    ) -> tuple[str, cst.BaseExpression] | None:
        """What the runtime cannot serialise in `value`, and the expression holding it."""
        if depth > 4:
            return None
        if isinstance(value, (cst.Set, cst.SetComp)):
            return "a set", value
        if isinstance(value, cst.Imaginary):
            return "a complex number", value
        if isinstance(value, cst.Call):
            name = self.context.qualified_name(value.func)
            if name in NON_SERIALIZABLE_CALLS:
                return NON_SERIALIZABLE_CALLS[name], value
            instance = self._project_instance(value)
            return (instance, value) if instance else None
        if isinstance(value, cst.Dict):
            for element in value.elements:
                if isinstance(element, cst.DictElement):
                    found = self._problem(element.value, depth + 1)
                    if found:
                        return found
        if isinstance(value, (cst.List, cst.Tuple)):
            for item in value.elements:
                if isinstance(item, cst.Element):
                    found = self._problem(item.value, depth + 1)
                    if found:
                        return found
        if isinstance(value, cst.Name) and depth < 3:
            what = self._local_value(value.value, depth)
            return (what, value) if what else None
        return None

    def _project_instance(self, call: cst.Call) -> str | None:
        model = self.context.model
        dotted = dotted_name(call.func)
        if dotted is None:
            return None
        owner = model.class_of(self.context.path, dotted)
        if owner is None:
            return None
        bases = model.modules[owner[0]].classes.get(owner[1], ())
        if any(
            base.rsplit(".", 1)[-1] in SERIALIZABLE_BASES or base in SERIALIZABLE_BASES
            for base in bases
        ):
            return None
        if any(base.rsplit(".", 1)[-1] in ("Enum", "IntEnum", "StrEnum") for base in bases):
            return None
        return f"a `{owner[1]}` object"

    def _local_value(self, name: str, depth: int) -> str | None:
        """What a local variable holds, when every assignment to it agrees."""
        function = self.context.function_node()
        if function is None:
            return None
        values = assigned_values(function, name)
        if not values:
            return None
        problems = [self._problem(v, depth + 1) for v in values]
        first = problems[0]
        return first[0] if first and all(problems) else None

    def _local_kinds(self, name: str) -> set[str]:
        """The kinds of value the assignments to a local variable give it."""
        function = self.context.function_node()
        if function is None:
            return set()
        found = (self._problem(value, 1) for value in assigned_values(function, name))
        return {problem[0] for problem in found if problem}


#: reads whose result holds DynamoDB numbers as `Decimal`, through a boto3 `Table` (the
#: resource API) or a type deserializer
DYNAMODB_READS = {
    "get_item",
    "query",
    "scan",
    "batch_get_item",
    "transact_get_items",
    "deserialize",
}
TYPE_DESERIALIZER = "boto3.dynamodb.types.TypeDeserializer"
#: the examples' table
TABLE = "import json\nimport boto3\n\nTABLE = boto3.resource('dynamodb').Table('orders')\n\n"
#: the ref root of what is read through a `Table` or deserializer
READ = "dynamodb"
#: builtins whose result holds no `Decimal` whatever they are given
CONVERTING_BUILTINS = frozenset({"int", "str", "float", "bool", "len", "repr", "hash", "format"})


class DecimalJsonDumps(Rule):
    """
    ## What it does
    Reports `json.dumps` of data read from DynamoDB — results of a boto3 `Table`'s
    `get_item`/`query`/`scan`/`batch_get_item`, or of a `TypeDeserializer` — without
    `default=` or a custom encoder (`cls=`). The `Table` or deserializer must be built in
    the function or at the module's top level (`table = dynamodb.Table(...)`): a
    low-level client (`boto3.client("dynamodb")`) returns numbers as strings, and other
    libraries' `query` and `scan` (PynamoDB, FaunaDB) return their own values.
    What a library call or a converting builtin (`int`, `str`, `len`, ...) returns is
    other data, even when DynamoDB data went into it: a queue's messages received with a
    count read from the table hold no `Decimal`, nor does `json.loads` of a string
    attribute. Nor is a value dumped before the function's first read, outside a loop
    that reads.

    ## Why is this bad?
    The boto3 resource API and the deserializer return numbers as `Decimal`, which the
    standard `json` module cannot encode: `TypeError: Object of type Decimal is not JSON
    serializable` for the first item with a number — typically while building an API
    response body. (The Lambda runtime itself accepts `Decimal` in a returned value;
    `json.dumps` does not.)

    ## Example
    ```python
    table = boto3.resource("dynamodb").Table(os.environ["TABLE"])

    def handler(event, context):
        item = table.get_item(Key={"id": event["id"]})["Item"]
        return {"statusCode": 200, "body": json.dumps(item)}
    ```

    ## Use instead
    ```python
    table = boto3.resource("dynamodb").Table(os.environ["TABLE"])

    def handler(event, context):
        item = table.get_item(Key={"id": event["id"]})["Item"]
        return {"statusCode": 200, "body": json.dumps(item, default=str)}
    ```
    """

    code = "LL108"
    name = "decimal-json-dumps"
    summary = "json.dumps of DynamoDB data (Decimal) without default="
    default_enabled = False
    VALID = [
        Example(
            f"{TABLE}\ndef handler(event, context):\n"
            "    item = TABLE.get_item(Key={'id': 1})['Item']\n"
            "    return json.dumps(item, default=str)\n"
        ),
        # dumped before the function's only read: the list is still the literal
        Example(
            f"{TABLE}\ndef handler(event, context):\n"
            "    regions = ['eu-west-1', 'global']\n    print(json.dumps(regions))\n"
            "    regions = TABLE.get_item(Key={'id': 1})['Item']['regions']\n"
            "    return regions\n"
        ),
        Example(
            "import json\n\ndef handler(event, context):\n    return json.dumps({'ok': True})\n"
        ),
        Example(
            f"{TABLE}\nclass Enc(json.JSONEncoder):\n    pass\n\n"
            "def handler(event, context):\n"
            "    return json.dumps(TABLE.scan()['Items'], cls=Enc)\n"
        ),
        # a low-level client: numbers arrive as strings ({"N": "1"})
        Example(
            "import json\nimport boto3\n\nDDB = boto3.client('dynamodb')\n\n"
            "def handler(event, context):\n"
            "    return json.dumps(DDB.get_item(TableName='t', Key={})['Item'])\n"
        ),
        # another library's query: nothing says it is a boto3 Table
        Example(
            "import json\nfrom todos import client\n\ndef handler(event, context):\n"
            "    return json.dumps(client.query({'id': 1}))\n"
        ),
        # the messages are the queue's, whatever decided how many to take
        Example(
            f"{TABLE}SQS = boto3.client('sqs')\n\ndef handler(event, context):\n"
            "    limit = TABLE.get_item(Key={'id': 'limit'})['Item']['value']\n"
            "    got = SQS.receive_message(QueueUrl='q', MaxNumberOfMessages=limit)\n"
            "    for message in got['Messages']:\n"
            "        body = json.loads(message['Body'])\n"
            "        print(json.dumps(body))\n"
        ),
        # a JSON document kept in a string attribute: json.loads gives floats, not Decimal
        Example(
            f"{TABLE}def handler(event, context):\n"
            "    item = TABLE.get_item(Key={'id': 1})['Item']\n"
            "    settings = json.loads(item['settings'])\n"
            "    return json.dumps(settings)\n"
        ),
    ]
    INVALID = [
        Example(
            f"{TABLE}\ndef handler(event, context):\n"
            "    item = TABLE.get_item(Key={'id': 1})['Item']\n    return json.dumps(item)\n",
            message="Decimal",
        ),
        # read in the dumped expression itself
        Example(
            f"{TABLE}\ndef handler(event, context):\n    return json.dumps(TABLE.scan()['Items'])\n"
        ),
        # dumped above the read, but on the loop's next pass the item is DynamoDB's
        Example(
            f"{TABLE}\ndef handler(event, context):\n    item = {{}}\n"
            "    for key in event['keys']:\n        print(json.dumps(item))\n"
            "        item = TABLE.get_item(Key={'id': key})['Item']\n"
        ),
        Example(
            "import json\nimport boto3\n\ndef handler(event, context):\n"
            "    table = boto3.resource('dynamodb').Table(event['table'])\n"
            "    page = table.query()\n"
            "    body = {'items': page['Items']}\n    return json.dumps(body)\n"
        ),
        Example(
            "import json\nfrom boto3.dynamodb.types import TypeDeserializer\n"
            "d = TypeDeserializer()\n\ndef handler(event, context):\n"
            "    for r in event['Records']:\n"
            "        print(json.dumps(d.deserialize(r['dynamodb']['NewImage']['total'])))\n"
        ),
    ]

    @classmethod
    def may_report_in(cls, path: Path, text: str) -> bool:
        """Only where `json.dumps` is written: the error is one wherever the code runs."""
        return mentions(text, ["json.dumps"])

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        flow = FunctionFlow(node, {}, self._dynamodb_values)
        body = list(descendants(node.body, into_functions=False))
        reads = [n for n in body if isinstance(n, cst.Call) and self._reads(n)]
        loops = [n for n in body if isinstance(n, (cst.For, cst.While))]
        for call in body:
            if not isinstance(call, cst.Call) or not call.args:
                continue
            if self.context.qualified_name(call.func) != "json.dumps":
                continue
            if any(a.keyword and a.keyword.value in ("default", "cls") for a in call.args):
                continue
            if not self._read_before(call, reads, loops):
                continue  # the value is dumped before the function reads anything
            if any(r.root == READ and JSON not in r.path for r in flow.refs(call.args[0].value)):
                self.report(
                    call,
                    "json.dumps of DynamoDB data: numbers arrive as Decimal, which json "
                    "cannot encode; pass default= (e.g. default=str) or a custom encoder",
                )

    def _read_before(self, call: cst.Call, reads: list[cst.Call], loops: list[cst.CSTNode]) -> bool:
        """Whether one of the function's DynamoDB `reads` can run before `call` returns:
        one written above it or in its arguments, or one in a loop around it (read on a
        later pass)."""
        span = self.context.positions.span

        def within(inner: cst.CSTNode, outer: cst.CSTNode) -> bool:
            (start, end), (inner_start, inner_end) = span(outer), span(inner)
            return start <= inner_start and inner_end <= end

        end = span(call)[1]
        if any(span(read)[0] < end for read in reads):
            return True
        return any(within(call, loop) and any(within(r, loop) for r in reads) for loop in loops)

    def _reads(self, call: cst.Call) -> bool:
        """A `get_item`/`query`/`scan`/... through a `Table` or deserializer."""
        func = call.func
        reads = isinstance(func, cst.Attribute) and func.attr.value in DYNAMODB_READS
        return reads and self._is_reader(func.value)  # type: ignore[union-attr]

    def _dynamodb_values(self, call: cst.Call, flow: FunctionFlow) -> frozenset[Ref] | None:
        """What is read through a `Table` or deserializer; nothing of DynamoDB in what a
        library or a converting builtin returns (a call on DynamoDB data itself, as
        `item.get(...)`, never comes here); None for the rest (a project function may
        hand back what it is given)."""
        func = call.func
        if self._reads(call):
            return frozenset({Ref(READ)})
        if isinstance(func, cst.Name):
            return frozenset() if func.value in CONVERTING_BUILTINS else None
        root = dotted_name(func)
        module = root.split(".")[0] if root else None
        if module is not None and self._project_module(module):
            return None
        return frozenset()

    def _project_module(self, name: str) -> bool:
        """Whether `name` is a module of the project where the visited function is."""
        context = self.context
        target = context.qualified_name(cst.Name(name)) or name
        resolver = context.model.resolver
        return resolver.resolve_module(target.split(".")[0], context.path) is not None

    def _builds_reader(self, value: cst.BaseExpression) -> bool:
        """Whether `value` builds a `Table` (`dynamodb.Table(name)`) or deserializer."""
        if not isinstance(value, cst.Call):
            return False
        func = value.func
        if isinstance(func, cst.Attribute) and func.attr.value == "Table":
            return True
        return self.context.qualified_name(func) == TYPE_DESERIALIZER

    def _is_reader(self, receiver: cst.BaseExpression) -> bool:
        """Whether `receiver` is a `Table` or deserializer: built right there, or
        assigned one in the function or at the module's top level."""
        if isinstance(receiver, cst.Name):
            return any(self._builds_reader(v) for v in self.context.bound_values(receiver.value))
        return self._builds_reader(receiver)
