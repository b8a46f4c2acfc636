"""LL6, files and the web: event data as a file path (LL606), as the URL of an outbound
request (LL607), and in HTML text (LL609). All three are opt-in."""

from __future__ import annotations

from lambda_lint.rule import Example
from lambda_lint.rules.security_base import FlowRule


class EventToPath(FlowRule):
    """
    ## What it does
    Reports event data used as a file path: `open`, `os.remove`/`unlink`/`rmdir`/
    `makedirs`/`listdir`, `shutil` copies, moves and `rmtree`, `os.rename`, `tarfile`/
    `zipfile`, a `pathlib.Path(...)` read, written or deleted right away, and the
    `Filename` of S3 `download_file`.

    Not reported: names through `os.path.basename`, `werkzeug.utils.secure_filename`,
    `pathlib.PurePath(...).name`, `uuid.UUID()`, or an allow-list check, and the S3
    bucket name of an event record, which holds no `/` and no `..`.

    Opt-in: S3-triggered functions commonly write the object's key below `/tmp`; the key
    is chosen by whoever can upload, which is often the function's own system.

    ## Why is this bad?
    `../` or an absolute path reaches files outside the intended directory: other
    invocations' data in `/tmp`, `/proc/self/environ` (the function's credentials),
    the deployment package.

    ## Example
    ```python
    def handler(event, context):
        with open(f"/tmp/{event['name']}", "w") as out:
            out.write(event["content"])
    ```

    ## Use instead
    ```python
    import os


    def handler(event, context):
        with open(f"/tmp/{os.path.basename(event['name'])}", "w") as out:
            out.write(event["content"])
    ```
    """

    code = "LL606"
    name = "event-to-path"
    summary = "Event data used as a file path"
    default_enabled = False
    reaches = "the path of"
    advice = "keep only the file name (os.path.basename) or check it against an allow-list"
    VALID = [
        Example(
            "import os\n\ndef handler(event, context):\n"
            "    os.remove(os.path.join('/tmp', os.path.basename(event['name'])))\n"
        ),
        Example(
            "def handler(event, context):\n    with open('/tmp/out.txt', 'w') as out:\n"
            "        out.write(event['body'])\n"
        ),
        Example(
            "import pathlib\n\ndef handler(event, context):\n"
            "    return pathlib.Path(event['path']).suffix\n"
        ),
        Example(
            "import boto3\n\ns3 = boto3.client('s3')\n\ndef handler(event, context):\n"
            "    bucket = event['Records'][0]['s3']['bucket']['name']\n"
            "    s3.download_file(bucket, 'config.json', f'/tmp/{bucket}-config.json')\n",
            trigger="s3",
        ),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    with open(f\"/tmp/{event['name']}\") as f:\n"
            "        return f.read()\n"
        ),
        Example(
            "import boto3\n\ns3 = boto3.client('s3')\n\ndef handler(event, context):\n"
            "    key = event['Records'][0]['s3']['object']['key']\n"
            "    s3.download_file('bucket', key, '/tmp/' + key)\n"
        ),
        Example(
            "import pathlib\n\ndef handler(event, context):\n"
            "    return pathlib.Path('/tmp', event['name']).read_text()\n"
        ),
    ]


class EventToUrl(FlowRule):
    """
    ## What it does
    Reports event data that starts the URL of an outbound request: `requests` and
    `httpx` (`get`, `post`, ..., `request`), `urllib.request.urlopen`/`Request`. The
    value is the whole URL, or the first piece of a URL built from pieces.

    Not reported: event data later in a URL whose scheme and host are fixed
    (`f"https://api.example.com/items/{item_id}"`), and the places of an event AWS
    writes itself: S3 Object Lambda's presigned `getObjectContext["inputS3Url"]`, which
    the function is meant to fetch, and a custom resource request's `ResponseURL`, the
    presigned URL CloudFormation waits for the response on.

    Opt-in: functions that fetch URLs on purpose (webhooks, link previews) are reported
    until they check the host against an allow-list.

    ## Why is this bad?
    Server-side request forgery: the caller picks the host, and the function's network
    reaches internal services and VPC endpoints, which trust it.

    ## Example
    ```python
    import requests


    def handler(event, context):
        return requests.get(event["queryStringParameters"]["url"], timeout=5).text
    ```

    ## Use instead
    ```python
    from urllib.parse import urlparse

    import requests

    ALLOWED_HOSTS = ("api.example.com",)


    def handler(event, context):
        url = event["queryStringParameters"]["url"]
        if urlparse(url).hostname not in ALLOWED_HOSTS:
            return {"statusCode": 400}
        return requests.get(url, timeout=5).text
    ```
    """

    code = "LL607"
    name = "event-to-url"
    summary = "Event data chooses the host of an outbound request"
    default_enabled = False
    reaches = "the URL of"
    advice = "check the host against an allow-list"
    VALID = [
        Example(
            "import requests\n\ndef handler(event, context):\n"
            "    return requests.get(f\"https://api.example.com/items/{event['id']}\", timeout=5)\n"
        ),
        Example(
            "import requests\n\nHOSTS = ('https://a.example.com', 'https://b.example.com')\n\n"
            "def handler(event, context):\n"
            "    base = event['base']\n"
            "    if base not in HOSTS:\n"
            "        return None\n"
            "    return requests.get(base, timeout=5)\n"
        ),
        Example(
            "import os\nimport requests\n\ndef handler(event, context):\n"
            "    return requests.post(os.environ['HOOK_URL'], json=event, timeout=5)\n"
        ),
        # S3 Object Lambda: S3 presigned the URL of the object asked for
        Example(
            "import urllib.request\n\ndef handler(event, context):\n"
            "    context_ = event['getObjectContext']\n"
            "    return urllib.request.urlopen(context_['inputS3Url']).read()\n"
        ),
        # a custom resource's provider answers CloudFormation on the URL it was given,
        # from a helper that does not show which event it serves
        Example(
            "import json\nimport urllib.request\n\ndef handler(event, context):\n"
            "    return respond(event, 'SUCCESS')\n\n"
            "def respond(request, status):\n"
            "    body = json.dumps({'Status': status}).encode()\n"
            "    answer = urllib.request.Request(request['ResponseURL'], data=body, method='PUT')\n"
            "    return urllib.request.urlopen(answer, timeout=5)\n"
        ),
    ]
    INVALID = [
        Example(
            "import requests\n\ndef handler(event, context):\n"
            "    return requests.get(event['url'], timeout=5).text\n"
        ),
        Example(
            "import json\nimport urllib.request\n\ndef handler(event, context):\n"
            "    body = json.loads(event['body'])\n"
            "    return urllib.request.urlopen(body['callback']).read()\n"
        ),
        Example(
            "import httpx\n\ndef handler(event, context):\n"
            "    return httpx.get(event['host'] + '/status')\n"
        ),
        # the S3 Object Lambda caller's own request is the caller's
        Example(
            "import urllib.request\n\ndef handler(event, context):\n"
            "    return urllib.request.urlopen(event['userRequest']['headers']['X-Url'])\n"
        ),
    ]


class EventToHtml(FlowRule):
    """
    ## What it does
    Reports event data placed in HTML text without escaping: an f-string, `+`, `%` or
    `.format()` whose literal text opens an HTML element (`<p>`, `<div>`, `<a`, ...),
    and `markupsafe.Markup(...)` of event data.

    Not reported: values through `html.escape` or `markupsafe.escape`, numbers.

    Opt-in: HTML built as text is also used for e-mails and reports whose readers are
    the function's own operators.

    ## Why is this bad?
    Cross-site scripting: a `<script>` in the event runs in the browser of whoever
    views the response, with their session.

    ## Example
    ```python
    def handler(event, context):
        name = event["queryStringParameters"]["name"]
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "text/html"},
            "body": f"<h1>Hello {name}</h1>",
        }
    ```

    ## Use instead
    ```python
    import html


    def handler(event, context):
        name = html.escape(event["queryStringParameters"]["name"])
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "text/html"},
            "body": f"<h1>Hello {name}</h1>",
        }
    ```
    """

    code = "LL609"
    name = "event-to-html"
    summary = "Event data in HTML without escaping"
    default_enabled = False
    reaches = "HTML text without escaping"
    advice = "escape it with html.escape() or use a template with autoescaping"
    VALID = [
        Example(
            "import html\n\ndef handler(event, context):\n"
            "    return {'body': '<p>' + html.escape(event['name']) + '</p>'}\n"
        ),
        Example("def handler(event, context):\n    return {'body': f\"Hello {event['name']}\"}\n"),
        Example(
            "def handler(event, context):\n"
            "    count = len(event['items'])\n"
            "    return {'body': f'<p>{count} items</p>'}\n"
        ),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    return {'body': '<p>' + event['name'] + '</p>'}\n",
            at="'<p>' + event['name'] + '</p>'",
        ),
        Example(
            "def handler(event, context):\n"
            "    return {'body': '<div>{}</div>'.format(event['name'])}\n"
        ),
        Example(
            "from markupsafe import Markup\n\ndef handler(event, context):\n"
            "    return Markup(event['comment'])\n"
        ),
    ]
