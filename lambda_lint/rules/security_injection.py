"""LL6, injection: event data reaching SQL (LL601), a shell (LL602), code (LL603) and
NoSQL expressions (LL608)."""

from __future__ import annotations

from lambda_lint.rule import Example
from lambda_lint.rules.security_base import FlowRule


class EventToSql(FlowRule):
    """
    ## What it does
    Reports event data formatted or concatenated into SQL text that is executed: the
    query of a DB-API `execute`/`executemany`/`executescript` (sqlite3, PyMySQL,
    psycopg/psycopg2, MySQL Connector, pymssql and other drivers, when the project
    imports one), SQLAlchemy `text()`, and the `Sql`/`sql` of the Redshift Data API and
    RDS Data API `execute_statement`. The event is followed through assignments,
    containers, f-strings, `%`, `.format()`, `+`, `join`, `json.loads` and into
    functions of other modules; the message shows the way it took. Chalice views and
    event functions (and `app.current_request`) and Powertools resolver routes (and
    `app.current_event`) are followed like handlers. A value read back through another
    call (a database read, an SDK request) is no longer the caller's text and is not
    followed.

    Not reported: values passed as query parameters (`execute(sql, params)`,
    `parameters=[...]`), values through `int()`, `float()`, `uuid.UUID()` or checked
    against a literal allow-list (`if table not in TABLES: return`), values validated by
    `jsonschema.validate`, and events a schedule or the deployment writes (schedule,
    custom resource, AWS Config, Secrets Manager rotation, CodePipeline).

    ## Why is this bad?
    Whoever sends the event writes part of the query: SQL injection (OWASP A03) reads or
    changes any row the function's database user can reach.

    ## Example
    ```python
    import sqlite3

    db = sqlite3.connect("/tmp/app.db")


    def handler(event, context):
        name = event["queryStringParameters"]["name"]
        return db.execute(f"SELECT * FROM users WHERE name = '{name}'").fetchall()
    ```

    ## Use instead
    ```python
    import sqlite3

    db = sqlite3.connect("/tmp/app.db")


    def handler(event, context):
        name = event["queryStringParameters"]["name"]
        return db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchall()
    ```
    """

    code = "LL601"
    name = "event-to-sql"
    summary = "Event data formatted into executed SQL"
    reaches = "the SQL text of"
    advice = "pass values as query parameters"
    VALID = [
        Example(
            "import sqlite3\n\ndb = sqlite3.connect(':memory:')\n\n"
            "def handler(event, context):\n"
            "    return db.execute('SELECT * FROM t WHERE id = ?', (event['id'],)).fetchall()\n"
        ),
        Example(
            "import sqlite3\n\ndb = sqlite3.connect(':memory:')\n\n"
            "def handler(event, context):\n"
            "    limit = int(event['limit'])\n"
            "    return db.execute(f'SELECT * FROM t LIMIT {limit}').fetchall()\n"
        ),
        Example(
            "import sqlite3\n\ndb = sqlite3.connect(':memory:')\nTABLES = ('orders', 'users')\n\n"
            "def handler(event, context):\n"
            "    table = event['table']\n"
            "    if table not in TABLES:\n"
            "        return None\n"
            "    return db.execute(f'SELECT * FROM {table}').fetchall()\n"
        ),
        Example(
            "import os\nimport sqlite3\n\ndb = sqlite3.connect(':memory:')\n\n"
            "def handler(event, context):\n"
            "    return db.execute(f\"SELECT * FROM {os.environ['TABLE']}\").fetchall()\n"
        ),
        Example(
            "import sqlite3\n\ndb = sqlite3.connect(':memory:')\n\n"
            "def handler(event, context):\n"
            "    return db.execute(f\"DELETE FROM t WHERE day < '{event['time']}'\")\n",
            trigger="schedule",
        ),
        Example(
            "import pymysql\nfrom graph import session\n\n"
            "def handler(event, context):\n"
            "    return session.execute(f\"{{ user(id: {event['id']}) {{ name }} }}\")\n",
            files={"graph.py": "session = None\n"},
        ),
    ]
    INVALID = [
        Example(
            "import json\nimport sqlite3\n\ndb = sqlite3.connect(':memory:')\n\n"
            "def handler(event, context):\n"
            "    body = json.loads(event['body'])\n"
            "    sql = \"SELECT * FROM t WHERE name = '%s'\" % body['name']\n"
            "    return db.execute(sql).fetchall()\n",
            message="event['body'] -> json.loads(...) (line 7) -> body['name']",
            at="db.execute(sql)",
        ),
        Example(
            "import sqlalchemy\n\n"
            "def handler(event, context):\n"
            "    return sqlalchemy.text('SELECT * FROM t WHERE id = ' + event['id'])\n"
        ),
        Example(
            "import boto3\n\nclient = boto3.client('redshift-data')\n\n"
            "def handler(event, context):\n"
            "    return client.execute_statement(\n"
            "        WorkgroupName='w', Database='d',\n"
            "        Sql=\"SELECT * FROM t WHERE id = '{}'\".format(event['id']),\n"
            "    )\n"
        ),
        Example(
            "import pymysql\n\nfrom queries import run\n\n"
            "def handler(event, context):\n"
            "    return run(event['pathParameters']['id'])\n",
            files={
                "queries.py": "import pymysql\n\nconn = pymysql.connect()\n\n"
                "def run(order_id):\n"
                "    with conn.cursor() as cursor:\n"
                "        cursor.execute('SELECT * FROM orders WHERE id = ' + order_id)\n"
                "        return cursor.fetchall()\n"
            },
            message="event['pathParameters']['id'] -> passed to run() as `order_id` (app.py:6) -> concatenation (line 7)",
        ),
    ]


class EventToShell(FlowRule):
    """
    ## What it does
    Reports event data reaching a shell command: `os.system`, `os.popen`,
    `subprocess.getoutput`, `asyncio.create_subprocess_shell`, the `subprocess`
    functions (`run`, `call`, `check_output`, `Popen`, ...) with `shell=True` or with a
    command string built right there, and the program name of `os.exec*`, `os.spawn*`
    and `asyncio.create_subprocess_exec`.

    Not reported: a list of arguments without `shell=True` (no shell parses it), values
    through `shlex.quote`, `int()` or an allow-list check.

    ## Why is this bad?
    A shell treats `;`, `|`, `$(...)` and backticks in the value as commands: command
    injection runs anything with the function's role and reads its environment,
    credentials included.

    ## Example
    ```python
    import subprocess


    def handler(event, context):
        host = event["host"]
        return subprocess.check_output(f"ping -c 1 {host}", shell=True)
    ```

    ## Use instead
    ```python
    import subprocess


    def handler(event, context):
        host = event["host"]
        return subprocess.check_output(["ping", "-c", "1", host])
    ```
    """

    code = "LL602"
    name = "event-to-shell"
    summary = "Event data in a shell command"
    reaches = "the command of"
    advice = "pass a list of arguments without shell=True, or shlex.quote() the value"
    VALID = [
        Example(
            "import subprocess\n\ndef handler(event, context):\n"
            "    return subprocess.run(['ls', event['dir']], check=True)\n"
        ),
        Example(
            "import os\nimport shlex\n\ndef handler(event, context):\n"
            "    return os.system('ls ' + shlex.quote(event['dir']))\n"
        ),
        Example(
            "import os\n\ndef handler(event, context):\n"
            "    return os.system('ls ' + os.environ['DIR'])\n"
        ),
    ]
    INVALID = [
        Example(
            "import os\n\ndef handler(event, context):\n"
            "    return os.system('ls ' + event['dir'])\n",
            at="os.system('ls ' + event['dir'])",
        ),
        Example(
            "import subprocess\n\ndef handler(event, context):\n"
            "    cmd = 'convert %s out.png' % event['file']\n"
            "    return subprocess.run(cmd, shell=True)\n"
        ),
        Example(
            "import subprocess\n\ndef handler(event, context):\n"
            "    return subprocess.check_output(f\"grep {event['q']} /tmp/log\")\n"
        ),
    ]


class EventToCode(FlowRule):
    """
    ## What it does
    Reports event data reaching code that runs or rebuilds objects: `eval`, `exec`,
    `compile`, `pickle`/`dill`/`marshal` `loads`, `jsonpickle.decode`,
    `yaml.unsafe_load`, and `yaml.load` with `Loader`/`UnsafeLoader` (or with no loader,
    which was unsafe before PyYAML 5.1).

    ## Why is this bad?
    The caller's data becomes code: `eval("__import__('os').system(...)")` or a crafted
    pickle runs anything with the function's role.

    ## Example
    ```python
    import base64
    import pickle


    def handler(event, context):
        return pickle.loads(base64.b64decode(event["body"]))
    ```

    ## Use instead
    ```python
    import json


    def handler(event, context):
        return json.loads(event["body"])
    ```
    """

    code = "LL603"
    name = "event-to-code"
    summary = "Event data evaluated or deserialised as code"
    reaches = "the code or serialised objects of"
    advice = "parse data with json or yaml.safe_load instead"
    VALID = [
        Example(
            "import yaml\n\ndef handler(event, context):\n"
            "    return yaml.load(event['body'], Loader=yaml.SafeLoader)\n"
        ),
        Example(
            "import ast\n\ndef handler(event, context):\n    return ast.literal_eval(event['body'])\n"
        ),
        Example(
            "import pickle\n\nwith open('/opt/model.pkl', 'rb') as f:\n    MODEL = pickle.load(f)\n\n"
            "def handler(event, context):\n    return MODEL.predict(event['features'])\n"
        ),
    ]
    INVALID = [
        Example("def handler(event, context):\n    return eval(event['expression'])\n"),
        Example(
            "import base64\nimport pickle\n\ndef handler(event, context):\n"
            "    return pickle.loads(base64.b64decode(event['body']))\n",
            message="event['body'] -> base64.b64decode(...) (line 5)",
        ),
        Example(
            "import yaml\n\ndef handler(event, context):\n"
            "    return yaml.load(event['body'], Loader=yaml.Loader)\n"
        ),
    ]


class EventToNoSql(FlowRule):
    """
    ## What it does
    Reports event data formatted into a DynamoDB expression string
    (`FilterExpression`, `KeyConditionExpression`, `ConditionExpression`,
    `ProjectionExpression`, `UpdateExpression`) or a PartiQL `Statement`, instead of
    being passed in `ExpressionAttributeValues`/`Parameters`; and, with pymongo, event
    data as a `$where` or in a filter decoded from a formatted JSON string.

    Not reported: `boto3.dynamodb.conditions` (`Key("id").eq(value)`), which sends the
    values separately.

    ## Why is this bad?
    The caller writes part of the expression: `x OR attribute_exists(pk)` turns a
    filtered read into a full scan, a condition into one that always holds.

    ## Example
    ```python
    import boto3

    table = boto3.resource("dynamodb").Table("orders")


    def handler(event, context):
        status = event["status"]
        return table.scan(FilterExpression=f"order_status = {status}")["Items"]
    ```

    ## Use instead
    ```python
    import boto3

    table = boto3.resource("dynamodb").Table("orders")


    def handler(event, context):
        return table.scan(
            FilterExpression="order_status = :s",
            ExpressionAttributeValues={":s": event["status"]},
        )["Items"]
    ```
    """

    code = "LL608"
    name = "event-to-nosql"
    summary = "Event data formatted into a NoSQL query expression"
    reaches = "the query expression of"
    advice = "pass values in ExpressionAttributeValues (or Parameters)"
    VALID = [
        Example(
            "import boto3\nfrom boto3.dynamodb.conditions import Key\n\n"
            "table = boto3.resource('dynamodb').Table('t')\n\n"
            "def handler(event, context):\n"
            "    return table.query(KeyConditionExpression=Key('pk').eq(event['id']))\n"
        ),
        Example(
            "import boto3\n\ntable = boto3.resource('dynamodb').Table('t')\n\n"
            "def handler(event, context):\n"
            "    return table.query(\n"
            "        KeyConditionExpression='pk = :pk',\n"
            "        ExpressionAttributeValues={':pk': event['id']},\n"
            "    )\n"
        ),
        Example(
            "import boto3\n\ntable = boto3.resource('dynamodb').Table('t')\n"
            "FIELDS = ('name', 'price')\n\n"
            "def handler(event, context):\n"
            "    field = event['field']\n"
            "    if field in FIELDS:\n"
            "        return table.scan(ProjectionExpression=f'pk, {field}')\n"
            "    return None\n"
        ),
        Example(
            "import boto3\n\ntable = boto3.resource('dynamodb').Table('t')\n\n"
            "def save(attributes):\n"
            "    expression = ''\n"
            "    for name in attributes:\n"
            "        expression = expression + ', ' + name + ' = :' + name\n"
            "    table.update_item(\n"
            "        Key={'pk': 'settings'},\n"
            "        UpdateExpression='SET ' + expression[2:],\n"
            "        ExpressionAttributeValues={':' + k: v for k, v in attributes.items()},\n"
            "    )\n\n"
            "def handler(event, context):\n"
            "    save({'owner': event['owner']})\n"
        ),
    ]
    INVALID = [
        Example(
            "import boto3\n\ntable = boto3.resource('dynamodb').Table('t')\n\n"
            "def handler(event, context):\n"
            "    expr = 'pk = ' + event['id']\n"
            "    return table.query(KeyConditionExpression=expr)\n"
        ),
        Example(
            "import json\nimport pymongo\n\nusers = pymongo.MongoClient().db.users\n\n"
            "def handler(event, context):\n"
            "    return users.find_one({'$where': event['body']})\n"
        ),
        Example(
            "import boto3\n\nclient = boto3.client('dynamodb')\n\n"
            "def handler(event, context):\n"
            "    user = event['pathParameters']['user']\n"
            "    return client.execute_statement(Statement=f\"SELECT * FROM t WHERE u = '{user}'\")\n"
        ),
    ]
