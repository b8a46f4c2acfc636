"""Calls that build a reusable client: an AWS SDK client, resource or session, a
database connection or pool, an HTTP session. Building one costs a TLS handshake or a
login (tens to hundreds of milliseconds), so Lambda code should build it once per
execution environment (https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html,
"Take advantage of execution environment reuse").

Names are fully qualified (`boto3.client`, whatever the import style); callers resolve
them with `CheckContext.qualified_name`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Callable, Optional

import libcst as cst

#: synchronous clients, sessions and connections
CLIENT_CONSTRUCTORS = frozenset(
    {
        # AWS SDK
        "boto3.client",
        "boto3.resource",
        "boto3.Session",
        "boto3.session.Session",
        "botocore.session.get_session",
        "botocore.session.Session",
        # databases
        "pymysql.connect",
        "pymysql.Connect",
        "pymysql.connections.Connection",
        "psycopg.connect",
        "psycopg.Connection.connect",
        "psycopg_pool.ConnectionPool",
        "psycopg2.connect",
        "psycopg2.pool.SimpleConnectionPool",
        "psycopg2.pool.ThreadedConnectionPool",
        "mysql.connector.connect",
        "mysql.connector.pooling.MySQLConnectionPool",
        "pg8000.connect",
        "pg8000.native.Connection",
        "redshift_connector.connect",
        "snowflake.connector.connect",
        "pymongo.MongoClient",
        "redis.Redis",
        "redis.StrictRedis",
        "redis.from_url",
        "redis.Redis.from_url",
        "redis.StrictRedis.from_url",
        "redis.RedisCluster",
        "redis.cluster.RedisCluster",
        "sqlalchemy.create_engine",
        "elasticsearch.Elasticsearch",
        "opensearchpy.OpenSearch",
        # HTTP
        "requests.Session",
        "requests.session",
        "requests.sessions.Session",
        "httpx.Client",
        "urllib3.PoolManager",
    }
)

#: sessions whose `.client()`/`.resource()`/`.create_client()` builds a client
SESSION_CONSTRUCTORS = frozenset(
    {
        "boto3.Session",
        "boto3.session.Session",
        "botocore.session.get_session",
        "botocore.session.Session",
    }
)
CLIENT_METHODS = frozenset({"client", "resource", "create_client"})

#: asyncio clients: bound to the event loop they first run on
ASYNC_CLIENT_CONSTRUCTORS = frozenset(
    {
        "aiohttp.ClientSession",
        "httpx.AsyncClient",
        "motor.motor_asyncio.AsyncIOMotorClient",
        "redis.asyncio.Redis",
        "redis.asyncio.StrictRedis",
        "redis.asyncio.from_url",
        "redis.asyncio.Redis.from_url",
        "aioredis.Redis",
        "aioredis.from_url",
        "elasticsearch.AsyncElasticsearch",
        "opensearchpy.AsyncOpenSearch",
    }
)
#: async sessions whose clients are loop-bound (the session object itself is not)
ASYNC_SESSION_CONSTRUCTORS = frozenset({"aioboto3.Session", "aiobotocore.session.get_session"})

Qualify = Callable[[cst.CSTNode], Optional[str]]


def session_client(call: cst.Call, qualify: Qualify, sessions: Iterable[str]) -> str | None:
    """`boto3.Session().client` for `boto3.Session(...).client(...)`: a client built
    straight from a session constructor (one of `sessions`); None otherwise."""
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in CLIENT_METHODS:
        return None
    if not isinstance(func.value, cst.Call):
        return None
    session = qualify(func.value.func)
    if session in sessions:
        return f"{session}().{func.attr.value}"
    return None


def client_constructor(call: cst.Call, qualify: Qualify, extra: Iterable[str] = ()) -> str | None:
    """The qualified name of the synchronous client a call builds, or None.
    `extra` are project-specific constructor names (the `client-constructors` setting)."""
    chained = session_client(call, qualify, SESSION_CONSTRUCTORS)
    if chained is not None:
        return chained
    name = qualify(call.func)
    if name is not None and (name in CLIENT_CONSTRUCTORS or name in extra):
        return name
    return None


def async_client_constructor(call: cst.Call, qualify: Qualify) -> str | None:
    """The qualified name of the asyncio client a call builds, or None."""
    chained = session_client(call, qualify, ASYNC_SESSION_CONSTRUCTORS)
    if chained is not None:
        return chained
    name = qualify(call.func)
    return name if name in ASYNC_CLIENT_CONSTRUCTORS else None


def chain_calls(expression: cst.BaseExpression) -> list[cst.Call]:
    """The calls along an attribute/subscript/call chain, outermost first:
    `boto3.resource("dynamodb").Table(name)` gives the `.Table(...)` call, then the
    `boto3.resource(...)` call."""
    calls: list[cst.Call] = []
    node: cst.BaseExpression = expression
    while True:
        if isinstance(node, cst.Call):
            calls.append(node)
            node = node.func
        elif isinstance(node, (cst.Attribute, cst.Subscript)):
            node = node.value
        elif isinstance(node, cst.Await):
            node = node.expression
        else:
            return calls


def chain_root(expression: cst.BaseExpression) -> cst.Name | None:
    """The name an attribute/subscript/call chain starts from (`CACHE` in
    `CACHE.setdefault(k, []).append(x)`), or None."""
    node: cst.BaseExpression = expression
    while True:
        if isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, (cst.Attribute, cst.Subscript)):
            node = node.value
        elif isinstance(node, cst.Name):
            return node
        else:
            return None
