"""LL3, clients: SDK clients, connections and sessions built per invocation (LL301),
and asyncio clients carried from one event loop to the next (LL307)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from lambda_lint.finding import Edit, Fix, Position
from lambda_lint.model.constructors import (
    ASYNC_CLIENT_CONSTRUCTORS,
    CLIENT_METHODS,
    CREDENTIAL_KEYWORDS,
    SESSION_CONSTRUCTORS,
    async_client_constructor,
    chain_calls,
    client_constructor,
)
from lambda_lint.model.locals import assigned_values
from lambda_lint.model.names import dotted_name
from lambda_lint.model.once import handles_errors, project_trees
from lambda_lint.model.project import FunctionKey, ProjectModel
from lambda_lint.model.scope import (
    qualify,
)
from lambda_lint.rule import Example

if TYPE_CHECKING:
    from lambda_lint.check_context import CheckContext

from lambda_lint.rules.reuse_base import (
    ReuseRule,
    is_constant,
)

# -- LL301 ---------------------------------------------------------------------------------


class ClientPerInvocation(ReuseRule):
    """
    ## What it does
    Reports an AWS SDK client, resource or session, a database connection or pool, or
    an HTTP session built in code that runs on every invocation: the handler, or any
    function or method it calls, in any module. Recognised constructors include
    `boto3.client`/`resource`/`Session` (also `Session().client(...)`), botocore
    sessions, `pymysql`/`psycopg`/`psycopg2`/`mysql.connector` `connect`, the Aurora
    DSQL connectors, `pymongo.MongoClient`, `redis.Redis`, `sqlalchemy.create_engine`,
    `requests.Session`, `httpx.Client` and `urllib3.PoolManager`, whatever the import
    style; the `client-constructors` setting adds more (dotted names).

    Not reported:
    - a client built only once per environment: stored into a global or a cache under
      a test that says it is missing (`if _client is None:`, `if key not in
      _clients:`), in the function itself or in a caller on the way
      (`if _client is None: _client = make_client()`), or in a factory decorated with
      `functools.cache`/`lru_cache` (and everything only it calls); or built only when
      a file is missing (`if not os.path.exists("/tmp/model.bin"):`, or a name set
      where such a check passed): a download into `/tmp` stays for the environment;
    - a client in a branch that never runs: `if ASSUME_ROLE:` with a module-level
      `ASSUME_ROLE = False`, in the function or around a call on the way, and a branch
      only a local emulator takes (`if "IS_OFFLINE" in os.environ:` for
      serverless-offline, `AWS_SAM_LOCAL` for `sam local`, `IS_LOCAL` for `serverless
      invoke local`: variables Lambda does not set);
    - a client built per request by design: from event or context data (per-tenant
      region or endpoint: keep a cache keyed by tenant; a Chalice view's parameters are
      the URL's path parameters), or from credentials that are
      not constants (`aws_session_token=creds["SessionToken"]`, `**credentials`,
      typically from `sts.assume_role`: they expire, whoever built the STS client);
    - a client built in an `except` block, or in an `if` branch that logs an error
      (`logger.error(...)`) and returns or raises, or only through calls made in one:
      it is built when something failed, not on every invocation;
    - asyncio clients (see LL307);
    - code that only handlers invoked rarely reach: CloudFormation custom resources
      (bound by a descriptor, or answering through `cfnresponse` or crhelper), Secrets
      Manager rotation (bound, or known by the rotation event's own keys it reads,
      `SecretId` and `ClientRequestToken`), CodePipeline actions (likewise,
      `CodePipeline.job`) and Systems Manager Automation runbook steps
      (`aws:invokeLambdaFunction`, bound by a descriptor) run once per stack operation,
      rotation, pipeline run or runbook execution; a schedule of `rate(1 hour)` or
      rarer (a `cron` with a fixed minute, a periodic AWS Config rule) fires too seldom
      to find its environment still warm. The same goes for a handler that reads two
      keys only a custom resource request has on every path (`event["RequestType"]`,
      `event["PhysicalResourceId"]`), for a branch taken only for such an event
      (`elif "RequestType" in event:`, `if kind == "Create":` after `kind =
      event["RequestType"]`), and for functions registered with crhelper
      (`@helper.create`), whoever calls them.

    The message shows the call chain from the handler.

    ## Why is this bad?
    Creating a client resolves credentials and configuration, and its first request
    opens a new TLS connection: tens to hundreds of milliseconds, paid on every
    invocation instead of once per execution environment. Database connections also
    pile up on the server. AWS best practices: "Initialize SDK clients and database
    connections outside of the function handler"
    (https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html).

    ## Example
    ```python
    import boto3


    def handler(event, context):
        s3 = boto3.client("s3")
        return s3.get_object(Bucket="reports", Key=event["key"])["ContentLength"]
    ```

    ## Use instead
    ```python
    import boto3

    s3 = boto3.client("s3")


    def handler(event, context):
        return s3.get_object(Bucket="reports", Key=event["key"])["ContentLength"]
    ```

    ## Fix safety
    Unsafe: a client built with constant arguments in a variable at the top of a
    module-level function moves to module scope after the imports; it is then built
    at import time and shared by every invocation.
    """

    code = "LL301"
    name = "client-per-invocation"
    fixable = "unsafe"
    summary = "SDK client, DB connection or HTTP session built on every invocation"
    VALID = [
        # the local database only serverless-offline's runs reach
        Example(
            "import os\nimport boto3\n\nDDB = boto3.resource('dynamodb')\n\n"
            "def handler(event, context):\n    ddb = DDB\n"
            "    if os.environ.get('IS_OFFLINE'):\n"
            "        ddb = boto3.resource('dynamodb', endpoint_url='http://localhost:8000')\n"
            "    return ddb.Table('t').get_item(Key={'id': event['id']})\n"
        ),
        Example(
            "import boto3\n\ns3 = boto3.client('s3')\n\n"
            "def handler(event, context):\n    return s3.list_buckets()\n"
        ),
        Example(
            "import boto3\n\n_table = None\n\ndef table():\n    global _table\n"
            "    if _table is None:\n        _table = boto3.resource('dynamodb').Table('t')\n"
            "    return _table\n\n"
            "def handler(event, context):\n    return table().get_item(Key={'id': event['id']})\n"
        ),
        Example(
            "import functools\nimport boto3\n\n@functools.lru_cache(maxsize=None)\n"
            "def client(service):\n    return boto3.client(service)\n\n"
            "def handler(event, context):\n    return client('sqs').list_queues()\n"
        ),
        Example(
            "import boto3\n\nsts = boto3.client('sts')\n\ndef handler(event, context):\n"
            "    creds = sts.assume_role(RoleArn=event['roleArn'], RoleSessionName='t')"
            "['Credentials']\n"
            "    s3 = boto3.client('s3', aws_access_key_id=creds['AccessKeyId'],\n"
            "                      aws_secret_access_key=creds['SecretAccessKey'],\n"
            "                      aws_session_token=creds['SessionToken'])\n"
            "    return s3.list_buckets()\n"
        ),
        Example(
            "import boto3\n\n_clients = {}\n\ndef handler(event, context):\n"
            "    region = event['region']\n    if region not in _clients:\n"
            "        _clients[region] = boto3.client('s3', region_name=region)\n"
            "    return _clients[region].list_buckets()\n"
        ),
        Example(
            "import boto3\nfrom chalice import Chalice\n\napp = Chalice(app_name='alarms')\n\n"
            "@app.route('/alarms/{region}')\ndef alarms(region):\n"
            "    cloudwatch = boto3.client('cloudwatch', region_name=region)\n"
            "    return cloudwatch.describe_alarms()['MetricAlarms']\n"
        ),
        Example(
            "import asyncio\nimport httpx\n\nasync def fetch(url):\n"
            "    async with httpx.AsyncClient() as http:\n"
            "        return (await http.get(url)).text\n\n"
            "def handler(event, context):\n    return asyncio.run(fetch(event['url']))\n"
        ),
        Example(
            "import boto3\n\ndef make_report():\n    return boto3.client('s3')\n\n"
            "if __name__ == '__main__':\n    make_report()\n"
        ),
        Example(
            "from clients import make_client\n\n_client = None\n\n"
            "def handler(event, context):\n    global _client\n    if _client is None:\n"
            "        _client = make_client()\n    return _client.list_buckets()\n",
            files={
                "clients.py": "import boto3\n\ndef make_client():\n    return boto3.client('s3')\n"
            },
        ),
        Example(
            "import os\nimport boto3\n\nsts = boto3.client('sts')\n\n"
            "def handler(event, context):\n"
            "    creds = sts.assume_role(RoleArn=os.environ['ROLE_ARN'], RoleSessionName='r')"
            "['Credentials']\n"
            "    session = boto3.Session(aws_access_key_id=creds['AccessKeyId'],\n"
            "                            aws_secret_access_key=creds['SecretAccessKey'],\n"
            "                            aws_session_token=creds['SessionToken'])\n"
            "    return session.client('s3').list_buckets()\n"
        ),
        Example(
            "import boto3\n\nASSUME_ROLE_MODE = False\n\ndef handler(event, context):\n"
            "    if ASSUME_ROLE_MODE:\n        return boto3.client('sts').get_caller_identity()\n"
            "    return None\n"
        ),
        Example(
            "import boto3\n\ndef on_stack_event(event, context):\n"
            "    s3 = boto3.client('s3')\n"
            "    s3.create_bucket(Bucket=event['ResourceProperties']['Bucket'])\n",
            trigger="cloudformation-custom-resource",
            handler="on_stack_event",
        ),
        Example(
            "import boto3\nimport cfnresponse\n\ndef handler(event, context):\n"
            "    ssm = boto3.client('ssm')\n"
            "    ssm.put_parameter(Name='seeded', Value='yes', Overwrite=True)\n"
            "    cfnresponse.send(event, context, cfnresponse.SUCCESS, {})\n"
        ),
        Example(
            "import os\nimport boto3\n\nMODEL = '/tmp/model.bin'\n\n"
            "def handler(event, context):\n    if not os.path.exists(MODEL):\n"
            "        boto3.client('s3').download_file('models', 'model.bin', MODEL)\n"
            "    return os.path.getsize(MODEL)\n"
        ),
        Example(
            "import os\nimport boto3\n\nPLACES = ['data.db', '/tmp/data.db']\n\n"
            "def handler(event, context):\n    found = None\n    for place in PLACES:\n"
            "        if os.path.exists(place):\n            found = place\n"
            "    if found is None:\n        s3 = boto3.client('s3')\n"
            "        s3.download_file('seed', 'data.db', '/tmp/data.db')\n"
            "        found = '/tmp/data.db'\n    return found\n"
        ),
        Example(
            "import logging\nimport boto3\n\nlogger = logging.getLogger()\n"
            "table = boto3.resource('dynamodb').Table('orders')\n\n"
            "def handler(event, context):\n    order = event.get('order')\n    if not order:\n"
            "        logger.error('no order in the event')\n"
            "        boto3.client('sns').publish(TopicArn='arn:t', Message='bad event')\n"
            "        return None\n    return table.put_item(Item=order)\n"
        ),
        Example(
            "import boto3\n\nqueue = boto3.client('sqs')\n\ndef provision(event):\n"
            "    boto3.client('ssm').put_parameter(Name='q', Value='x', Overwrite=True)\n\n"
            "def handler(event, context):\n    if 'Records' in event:\n"
            "        return queue.send_message(QueueUrl='q', MessageBody='x')\n"
            "    elif 'RequestType' in event:\n        provision(event)\n"
        ),
        Example(
            "import boto3\n\ndef on_create(event):\n    ec2 = boto3.client('ec2')\n"
            "    return ec2.create_vpc(CidrBlock=event['ResourceProperties']['Cidr'])\n\n"
            "def on_event(event, context):\n    kind = event['RequestType']\n"
            "    if kind == 'Create':\n        return on_create(event)\n",
            handler="on_event",
        ),
        Example(
            "import boto3\n\ndef is_complete(event, context):\n"
            "    vpc = event['PhysicalResourceId']\n    kind = event['RequestType']\n"
            "    state = boto3.client('ec2').describe_vpcs(VpcIds=[vpc])['Vpcs'][0]['State']\n"
            "    return {'IsComplete': kind == 'Delete' or state == 'available'}\n",
            handler="is_complete",
        ),
        Example(
            "import boto3\nfrom crhelper import CfnResource\n\nhelper = CfnResource()\n\n"
            "@helper.create\ndef create(event, context):\n"
            "    boto3.client('ssm').put_parameter(Name='p', Value='v', Overwrite=True)\n\n"
            "def lambda_handler(event, context):\n    helper(event, context)\n\n"
            "def terraform_handler(event, context):\n    create(event, context)\n"
        ),
    ]
    INVALID = [
        Example(
            "import boto3\n\ndef handler(event, context):\n    s3 = boto3.client('s3')\n"
            "    return s3.list_buckets()\n",
            message="boto3.client() is built on every invocation",
        ),
        Example(
            "from boto3 import resource as res\n\ndef process(event, context):\n"
            "    table = res('dynamodb').Table('orders')\n"
            "    return table.get_item(Key={'id': event['Records'][0]['body']})\n",
            trigger="sqs",
            handler="process",
            message="boto3.resource()",
        ),
        Example(
            "from orders import save_order\n\ndef handler(event, context):\n"
            "    save_order(event['detail'])\n",
            files={
                "orders.py": "import boto3\n\ndef _table():\n"
                "    return boto3.resource('dynamodb').Table('orders')\n\n"
                "def save_order(order):\n    _table().put_item(Item=order)\n"
            },
            message="(handler -> save_order -> _table)",
        ),
        Example(
            "import boto3.session\nimport pymysql\n\ndef handler(event, context):\n"
            "    s3 = boto3.session.Session().client('s3')\n"
            "    db = pymysql.connect(host='db', user='app')\n"
            "    return s3, db\n",
            count=2,
        ),
        Example(
            "import requests\n\nclass Api:\n    def __init__(self):\n"
            "        self.http = requests.Session()\n\n"
            "def handler(event, context):\n    return Api().http.get('https://example.com').text\n",
            message="handler -> Api.__init__",
        ),
        Example(
            "import acme\n\ndef handler(event, context):\n    return acme.connect('db').query()\n",
            config={"client-constructors": ["acme.connect"]},
        ),
        Example(
            "import logging\nimport boto3\n\nlogger = logging.getLogger()\n\n"
            "def handler(event, context):\n    if event.get('kind') != 'order':\n"
            "        logger.info('not an order, skipped')\n"
            "        boto3.client('sns').publish(TopicArn='arn:t', Message='skipped')\n"
            "        return None\n    return event['kind']\n",
            message="boto3.client()",
        ),
        Example(
            "import boto3\n\ndef provision(event):\n"
            "    boto3.client('ssm').put_parameter(Name='q', Value='x', Overwrite=True)\n\n"
            "def handler(event, context):\n    if 'RequestType' not in event:\n"
            "        provision(event)\n",
            message="(handler -> provision)",
        ),
        Example(
            "import os\nimport aurora_dsql_psycopg2 as dsql\n\ndef handler(event, context):\n"
            "    with dsql.connect(host=os.environ['CLUSTER'], user='admin') as conn:\n"
            "        return conn.cursor().execute('SELECT 1')\n",
            message="aurora_dsql_psycopg2.connect()",
        ),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        qualify = self.context.qualified_name
        label = client_constructor(node, qualify, self.context.settings.client_constructors)
        if label is None:
            label = self._module_session_client(node)
        if label is None or self._feeds_outer_client(node):
            return
        if self._per_tenant(node) or self._given_credentials(node):
            return
        if self.runs_once() or self.never_runs() or handles_errors(self.context.ancestors):
            return
        steps = self.per_invocation(project_trees(self.context.model).handles_errors)
        if steps is None:
            return
        self.report(
            node,
            f"{label}() is built on every invocation{self.where(steps)}; "
            "create it once at module scope (or in a cached factory) and reuse it",
            fix=self._hoist(node),
            related=self.context.chain_locations(steps=steps),
        )

    def _hoist(self, node: cst.Call) -> Fix | None:
        """`s3 = boto3.client("s3")` at the top of a module-level function, with constant
        arguments, moves to module scope after the imports (unsafe: the client is then
        shared by every invocation, and built at import)."""
        assign, line, block, function = (self.context.parent(i) for i in (1, 2, 3, 4))
        if not (
            isinstance(assign, cst.Assign)
            and isinstance(line, cst.SimpleStatementLine)
            and len(line.body) == 1
            and isinstance(block, cst.IndentedBlock)
            and isinstance(function, cst.FunctionDef)
            and len(self.context.functions) == 1
            and len(assign.targets) == 1
            and isinstance(assign.targets[0].target, cst.Name)
            and all(is_constant(arg.value) for arg in node.args)
        ):
            return None
        name = assign.targets[0].target.value
        summary = self.context.model.modules.get(self.context.path)
        head = (dotted_name(node.func) or "").split(".")[0]
        if summary is None or name in summary.top_level_names:
            return None
        if not any(i.alias == head and i.function is None for i in summary.imports):
            return None
        if len(assigned_values(function, name)) != 1 or name in {
            p.name.value for p in function.params.params
        }:
            return None
        imports = [
            statement
            for statement in self.context.module.body
            if isinstance(statement, cst.SimpleStatementLine)
            and any(isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body)
        ]
        if not imports:
            return None
        last_import = self.context.positions.span(imports[-1])[1].line
        start, end = self.context.positions.span(line)
        code = cst.Module([]).code_for_node(node)
        removal = Edit(Position(start.line, 0), Position(end.line + 1, 0), "")
        insertion = Edit(
            Position(last_import + 1, 0), Position(last_import + 1, 0), f"\n{name} = {code}\n"
        )
        return Fix("unsafe", f"Build `{name}` once at module scope", (insertion, removal))

    def _module_session_client(self, node: cst.Call) -> str | None:
        """`session.client(...)` on a module-level boto3/botocore session."""
        func = node.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
            return None
        if func.attr.value not in CLIENT_METHODS:
            return None
        binding = self.context.module_binding(func.value.value)
        if binding is None or binding.kind != "assign":
            return None
        for value in binding.values:
            if (
                isinstance(value, cst.Call)
                and self.context.qualified_name(value.func) in SESSION_CONSTRUCTORS
            ):
                return f"{func.value.value}.{func.attr.value}"
        return None

    def _feeds_outer_client(self, node: cst.Call) -> bool:
        """`boto3.Session()` in `boto3.Session().client(...)`: the outer call reports."""
        parent, grand = self.context.parent(), self.context.parent(2)
        if not (isinstance(parent, cst.Attribute) and isinstance(grand, cst.Call)):
            return False
        if grand.func is not parent:
            return False
        extra = self.context.settings.client_constructors
        return client_constructor(grand, self.context.qualified_name, extra) is not None

    def _per_tenant(self, node: cst.Call) -> bool:
        """Any argument (of the call or of the session it chains from) holds request data."""
        return any(self.context.refs(arg.value) for call in chain_calls(node) for arg in call.args)

    @staticmethod
    def _given_credentials(node: cst.Call) -> bool:
        """The call (or the session it chains from) gets credentials that are not
        constants (`aws_session_token=creds["SessionToken"]`, `**credentials`): they
        come from somewhere at run time, typically `sts.assume_role`, and expire, so a
        client per call (or per role) is by design."""
        return any(
            arg.star == "**"
            or (
                arg.keyword is not None
                and arg.keyword.value in CREDENTIAL_KEYWORDS
                and not is_constant(arg.value)
            )
            for call in chain_calls(node)
            for arg in call.args
        )


# -- LL307 ---------------------------------------------------------------------------------

#: calls that start a new event loop and close it when they are done (a bare
#: `asyncio.new_event_loop()` is left out: it is as often kept for every invocation)
LOOP_STARTERS = {"asyncio.run", "asyncio.Runner"}


def _on_new_loops(model: ProjectModel) -> set[FunctionKey]:
    """Functions that run under a loop some function of the project starts: everything
    reachable through resolved calls from a function that calls `asyncio.run()` (or
    runs a `with asyncio.Runner()`), excluding that function itself."""
    starts = []
    for key, function in model.functions():
        module = model.modules[key[0]]
        if any(qualify(module, call.target) in LOOP_STARTERS for call in function.calls):
            starts.extend(target for _, target in model.callees(key))
    return set(model.calls.reach(starts))


class AsyncClientAcrossLoops(ReuseRule):
    """
    ## What it does
    Reports a module-level asyncio client — `aiohttp.ClientSession()`,
    `httpx.AsyncClient()`, a client of an `aioboto3.Session()`,
    `motor.motor_asyncio.AsyncIOMotorClient()`, `redis.asyncio.Redis()` — used by a
    coroutine that the handler runs with `asyncio.run()` (or an `asyncio.Runner`), or
    passed into such a call. The finding points at the use: the first call on the
    client in each coroutine (or the argument of `asyncio.run(...)`), which is where
    the client should be created instead.

    ## Why is this bad?
    `asyncio.run()` creates a new event loop and closes it when the invocation's
    coroutine returns. The client binds its connections to the loop of its first use;
    on the next warm invocation, the new loop finds them attached to a closed loop and
    the request fails (`RuntimeError: Event loop is closed`, "attached to a different
    loop"). This is the exception to LL301's advice to build clients once.

    ## Example
    ```python
    import asyncio
    import httpx

    http = httpx.AsyncClient()


    async def fetch(url):
        return (await http.get(url)).text


    def handler(event, context):
        return asyncio.run(fetch(event["url"]))
    ```

    ## Use instead
    ```python
    import asyncio
    import httpx


    async def fetch(url):
        async with httpx.AsyncClient() as http:
            return (await http.get(url)).text


    def handler(event, context):
        return asyncio.run(fetch(event["url"]))
    ```
    """

    code = "LL307"
    name = "async-client-across-loops"
    summary = "Module-level asyncio client used from asyncio.run() in the handler"
    default_enabled = False
    VALID = [
        Example(
            "import asyncio\nimport httpx\n\nasync def fetch(url):\n"
            "    async with httpx.AsyncClient() as http:\n        return await http.get(url)\n\n"
            "def handler(event, context):\n    return asyncio.run(fetch(event['url']))\n"
        ),
        Example(
            "import asyncio\nimport aiohttp\n\nLOOP = asyncio.new_event_loop()\n"
            "session = aiohttp.ClientSession(loop=LOOP)\n\nasync def fetch(url):\n"
            "    return await session.get(url)\n\n"
            "def handler(event, context):\n"
            "    return LOOP.run_until_complete(fetch(event['url']))\n"
        ),
        Example(
            "import asyncio\nimport aioboto3\n\nsession = aioboto3.Session()\n\n"
            "async def main():\n    async with session.client('s3') as s3:\n"
            "        return await s3.list_buckets()\n\n"
            "def handler(event, context):\n    return asyncio.run(main())\n"
        ),
        Example(
            "import httpx\n\nhttp = httpx.AsyncClient()\n\nasync def fetch(url):\n"
            "    return await http.get(url)\n"
        ),
    ]
    INVALID = [
        Example(
            "import asyncio\nimport httpx\n\nhttp = httpx.AsyncClient()\n\n"
            "async def fetch(url):\n    return (await http.get(url)).text\n\n"
            "def handler(event, context):\n    return asyncio.run(fetch(event['url']))\n",
            message="httpx.AsyncClient()",
        ),
        Example(
            "import asyncio\nimport aiohttp\n\nsession = aiohttp.ClientSession()\n\n"
            "async def fetch(http, url):\n    return await http.get(url)\n\n"
            "def handler(event, context):\n    return asyncio.run(fetch(session, event['url']))\n",
            message="`session` (aiohttp.ClientSession() built at module scope)",
        ),
        Example(
            "import asyncio\nfrom redis import asyncio as aioredis\n\n"
            "cache = aioredis.Redis(host='cache')\n\n"
            "async def get(key):\n    await cache.ping()\n    return await cache.get(key)\n\n"
            "def consume(event, context):\n"
            "    return asyncio.run(get(event['Records'][0]['body']))\n",
            trigger="sqs",
            handler="consume",
            message="redis.asyncio.Redis()",
        ),
        Example(
            "import asyncio\nfrom clients import http\nfrom work import run\n\n"
            "def handler(event, context):\n    return asyncio.run(run(event))\n",
            files={
                "clients.py": "import httpx\n\nhttp = httpx.AsyncClient()\n",
                "work.py": "from clients import http\n\nasync def run(event):\n"
                "    return await http.post('https://example.com', json=event)\n",
            },
        ),
    ]

    def __init__(self, context: CheckContext) -> None:
        super().__init__(context)
        self._clients: dict[str, str] | None = None
        self._reported: set[tuple[cst.FunctionDef | None, str]] = set()

    def visit_Name(self, node: cst.Name) -> None:
        label = self._async_clients().get(node.value)
        if label is None or self.context.module_binding(node.value) is None:
            return
        parent, grand = self.context.parent(), self.context.parent(2)
        at: cst.CSTNode = node
        if isinstance(parent, cst.Attribute) and parent.value is node:
            if isinstance(grand, cst.Call) and grand.func is parent:
                at = grand
        elif not isinstance(parent, (cst.Arg, cst.WithItem)):
            return
        key = (self.context.function_node(), node.value)
        if key in self._reported or not self._on_new_loop():
            return
        self._reported.add(key)
        self.report(
            at,
            f"`{node.value}` ({label}() built at module scope) is used on the event loop of "
            "asyncio.run(), which is closed when the invocation ends: the next warm "
            "invocation finds the client bound to a closed loop ('Event loop is closed'); "
            "create the client inside the coroutine (`async with`), or run every "
            "invocation on one module-level loop",
        )

    def _async_clients(self) -> dict[str, str]:
        """Module-level names holding an asyncio client, with its constructor."""
        if self._clients is None:
            clients: dict[str, str] = {}
            for name, binding in self.context.module_names().items():
                for value in binding.values:
                    if isinstance(value, cst.Call):
                        label = async_client_constructor(value, self.context.qualified_name)
                        if label is not None:
                            clients[name] = label
                if binding.kind == "import":
                    label = self._imported_client(name)
                    if label is not None:
                        clients[name] = label
            self._clients = clients
        return self._clients

    def _imported_client(self, alias: str) -> str | None:
        """The constructor of an asyncio client another module of the project builds."""
        found = self.imported(alias)
        instance = found[0].instances.get(found[1]) if found and found[1] else None
        if found is None or instance is None:
            return None
        constructor = qualify(found[0], instance.constructor)
        return constructor if constructor in ASYNC_CLIENT_CONSTRUCTORS else None

    def _on_new_loop(self) -> bool:
        """The visited code runs on the loop of a per-invocation `asyncio.run()` (or
        `asyncio.Runner`): it is an argument of such a call, or a coroutine below a
        function that makes one."""
        if not self.context.in_invoke_code():
            return False
        for ancestor in reversed(self.context.ancestors):
            if isinstance(ancestor, cst.FunctionDef):
                break
            if (
                isinstance(ancestor, cst.Call)
                and self.context.qualified_name(ancestor.func) in LOOP_STARTERS
            ):
                return True
        function = self.context.function_node()
        key = self.context.function_key()
        if function is None or function.asynchronous is None or key is None:
            return False
        return key in self.context.model.analysis("ll307.on-new-loops", _on_new_loops)
