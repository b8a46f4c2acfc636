"""What a declared function is, when the descriptor knows it and when it does not.

Each case is a small project (descriptor + code) linted in-process: the model's handlers
and bindings, and LL103 (handler-not-found) / LL105 (api-response-shape), must follow
what the descriptor says and stay silent where it cannot tell.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
from click.testing import CliRunner

from lambda_lint.api import Linter, LintResult
from lambda_lint.cli import load_run, main
from lambda_lint.descriptors import read_cdk
from lambda_lint.model.project import Handler

RULES = ("LL103", "LL105")

#: a handler that returns no proxy response: LL105 on a proxy route, fine elsewhere
PLAIN_RESULT = "def handler(event, context):\n    return {'items': []}\n"


def project(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return folder


def lint(folder: Path) -> LintResult:
    settings, ruleset = load_run([folder], None)
    return Linter(settings, ruleset, RULES, cwd=folder, jobs=1).lint([folder])


def codes(result: LintResult) -> list[str]:
    return sorted(finding.code for finding in result.findings)


def handler(result: LintResult, qualname: str = "handler") -> Handler:
    (model,) = result.models
    (found,) = [h for h in model.handlers.values() if h.qualname == qualname]
    return found


# -- Serverless Framework ---------------------------------------------------------------------


def test_other_providers_declare_no_lambda_functions(tmp_path: Path) -> None:
    for provider in ("openwhisk", "azure", "google", "kubeless", "knative"):
        folder = project(
            tmp_path / provider,
            {
                "serverless.yml": f"""
                service: s
                provider:
                  name: {provider}
                  runtime: python3.12
                functions:
                  hello:
                    handler: handler.hello
                """,
            },
        )
        result = lint(folder)
        assert codes(result) == [], provider
        assert result.models[0].declared == [], provider


def test_function_without_runtime_runs_nodejs(tmp_path: Path) -> None:
    folder = project(
        tmp_path,
        {
            "serverless.yml": """
            service: s
            provider:
              name: aws
            functions:
              hello:
                handler: handler.hello
              typed:
                handler: missing.main
                Runtime: Python3.12
            """,
        },
    )
    result = lint(folder)
    declared = {d.name: d for d in result.models[0].declared}
    assert (declared["hello"].runtime, declared["hello"].language) == ("nodejs", "nodejs")
    assert declared["typed"].language == "python"  # any key and value case
    assert [f.message for f in result.findings] == [
        "handler 'missing.main' cannot be loaded: no module 'missing' under the project root"
    ]


def test_lambda_integration_is_not_a_proxy_event(tmp_path: Path) -> None:
    folder = project(
        tmp_path,
        {
            "serverless.yml": """
            service: s
            provider:
              name: aws
              runtime: python3.12
            functions:
              custom:
                handler: custom.handler
                events:
                  - http: {path: items, method: get, integration: lambda}
              proxy:
                handler: proxy.handler
                events:
                  - http: {path: things, method: get, integration: LAMBDA_PROXY}
            """,
            "custom.py": PLAIN_RESULT,
            "proxy.py": PLAIN_RESULT,
        },
    )
    result = lint(folder)
    by_file = {h.file.name: h for h in result.models[0].handlers.values()}
    assert [b.proxy for b in by_file["custom.py"].bindings] == [False]
    assert by_file["custom.py"].triggers == ("apigw-rest",)
    assert by_file["custom.py"].trigger is None  # the mapping template decides the event
    assert by_file["proxy.py"].trigger == "apigw-rest"
    assert [(f.code, Path(f.path).name) for f in result.findings] == [("LL105", "proxy.py")]


def test_handlers_that_plugins_and_layers_provide(tmp_path: Path) -> None:
    folder = project(
        tmp_path,
        {
            "serverless.yml": """
            service: s
            plugins: [serverless-wsgi, serverless-python-requirements]
            provider:
              name: aws
              runtime: python3.12
            custom:
              wsgi: {app: app.app}
            functions:
              web:
                handler: wsgi_handler.handler
              traced:
                handler: datadog_lambda.handler.handler
                environment:
                  DD_LAMBDA_HANDLER: jobs.run
            """,
            "app.py": "app = object()\n",
            "jobs.py": "def run(event, context):\n    return None\n",
        },
    )
    result = lint(folder)
    assert codes(result) == []
    # the wrapper loads the function's own handler, named in its environment
    assert handler(result, "run").triggers == ()
    assert handler(result, "run").evidence[0].kind == "serverless"


def test_authorizers_and_payload_of_serverless_events(tmp_path: Path) -> None:
    folder = project(
        tmp_path,
        {
            "serverless.yml": """
            service: s
            provider:
              name: aws
              runtime: python3.12
              httpApi:
                authorizers:
                  custom:
                    type: request
                    functionName: auth
            functions:
              auth:
                handler: auth.handler
              open:
                handler: api.handler
                events:
                  - httpApi: GET /open
                  - httpApi: {method: GET, path: /closed, authorizer: {name: custom}}
              queue:
                handler: worker.handler
                events:
                  - sqs: arn:aws:sqs:eu-west-1:123456789012:jobs.fifo
            """,
            "auth.py": "def handler(event, context):\n    return {'isAuthorized': False}\n",
            "api.py": "def handler(event, context):\n    return {'statusCode': 200}\n",
            "worker.py": "def handler(event, context):\n    return None\n",
        },
    )
    result = lint(folder)
    by_file = {h.file.name: h for h in result.models[0].handlers.values()}
    (auth,) = by_file["auth.py"].bindings
    assert (auth.trigger, auth.payload_version, auth.simple_responses) == (
        "apigw-authorizer-http",
        "2.0",
        False,
    )
    assert [b.authorizer for b in by_file["api.py"].bindings] == [False, True]
    assert by_file["api.py"].authorized is False
    assert [b.fifo for b in by_file["worker.py"].bindings] == [True]


# -- SAM / CloudFormation: OpenAPI definitions and authorizers --------------------------------

OPENAPI = """
swagger: "2.0"
info: {title: api, version: "1"}
securityDefinitions:
  TokenAuth:
    type: apiKey
    name: Authorization
    in: header
    x-amazon-apigateway-authtype: custom
    x-amazon-apigateway-authorizer:
      type: token
      authorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${AuthFunction.Arn}/invocations
paths:
  /orders:
    get:
      security: [{TokenAuth: []}]
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${OrdersFunction.Arn}/invocations
  /report:
    post:
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri:
          Fn::Sub: arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ReportFunction.Arn}/invocations
"""

SAM_FUNCTIONS = """
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties: {Handler: orders.handler, Runtime: python3.12}
  ReportFunction:
    Type: AWS::Serverless::Function
    Properties: {Handler: report.handler, Runtime: python3.12}
  AuthFunction:
    Type: AWS::Serverless::Function
    Properties: {Handler: auth.handler, Runtime: python3.12}
  AuthPermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref AuthFunction
      Principal: apigateway.amazonaws.com
"""

SAM_CODE = {
    "orders.py": PLAIN_RESULT,
    "report.py": PLAIN_RESULT,
    "auth.py": "def handler(event, context):\n    return {'principalId': 'x'}\n",
}


def sam_api(definition: str) -> str:
    return (
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n"
        + textwrap.indent(definition, "      ")
        + SAM_FUNCTIONS
    )


def assert_openapi_bindings(result: LintResult) -> None:
    by_file = {h.file.name: h for h in result.models[0].handlers.values()}
    (orders,) = by_file["orders.py"].bindings
    assert (orders.trigger, orders.route, orders.method, orders.proxy, orders.authorizer) == (
        "apigw-rest",
        "/orders",
        "GET",
        True,
        True,
    )
    (report,) = by_file["report.py"].bindings
    assert (report.route, report.proxy, report.authorizer) == ("/report", False, False)
    # the authorizer is bound as one; its invoke permission adds no proxy route
    assert by_file["auth.py"].triggers == ("apigw-authorizer-token",)
    # LL105 only where the route delivers the proxy event and expects its response
    assert [(f.code, Path(f.path).name) for f in result.findings] == [("LL105", "orders.py")]


def test_openapi_definition_body_inline(tmp_path: Path) -> None:
    body = "DefinitionBody:\n" + textwrap.indent(OPENAPI.strip() + "\n", "  ")
    folder = project(tmp_path, {"template.yaml": sam_api(body), **SAM_CODE})
    assert_openapi_bindings(lint(folder))


def test_openapi_included_file_and_definition_uri(tmp_path: Path) -> None:
    include = (
        "DefinitionBody:\n  Fn::Transform:\n    Name: AWS::Include\n"
        "    Parameters: {Location: api/openapi.yaml}\n"
    )
    folder = project(
        tmp_path / "include",
        {"template.yaml": sam_api(include), "api/openapi.yaml": OPENAPI, **SAM_CODE},
    )
    assert_openapi_bindings(lint(folder))
    folder = project(
        tmp_path / "uri",
        {"template.yaml": sam_api("DefinitionUri: openapi.yaml\n"), "openapi.yaml": OPENAPI},
    )
    project(folder, SAM_CODE)
    assert_openapi_bindings(lint(folder))


def test_unreadable_definition_is_unknown_never_proxy(tmp_path: Path) -> None:
    include = (
        "DefinitionBody:\n  Fn::Transform:\n    Name: AWS::Include\n"
        "    Parameters: {Location: s3://bucket/openapi.yaml}\n"
    )
    permission = """
  OrdersPermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref OrdersFunction
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*
"""
    folder = project(tmp_path, {"template.yaml": sam_api(include) + permission, **SAM_CODE})
    result = lint(folder)
    orders = next(h for h in result.models[0].handlers.values() if h.file.name == "orders.py")
    assert [(b.trigger, b.proxy) for b in orders.bindings] == [("apigw-rest", None)]
    assert orders.trigger is None
    assert codes(result) == []


def test_sam_default_authorizer_and_per_event_none(tmp_path: Path) -> None:
    template = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Api:
        Type: AWS::Serverless::Api
        Properties:
          StageName: prod
          Auth:
            DefaultAuthorizer: Token
            Authorizers:
              Token: {FunctionArn: !GetAtt AuthFunction.Arn}
      HttpApi:
        Type: AWS::Serverless::HttpApi
        Properties:
          Auth:
            Authorizers:
              Lambda:
                FunctionArn: !GetAtt HttpAuthFunction.Arn
                AuthorizerPayloadFormatVersion: 2.0  # YAML reads a float
                EnableSimpleResponses: true
      ApiFunction:
        Type: AWS::Serverless::Function
        Properties:
          Handler: api.handler
          Runtime: python3.12
          Events:
            Guarded: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /a, Method: get}}
            Open:
              Type: Api
              Properties: {RestApiId: !Ref Api, Path: /b, Method: get, Auth: {Authorizer: NONE}}
      AuthFunction:
        Type: AWS::Serverless::Function
        Properties: {Handler: auth.handler, Runtime: python3.12}
      HttpAuthFunction:
        Type: AWS::Serverless::Function
        Properties: {Handler: http_auth.handler, Runtime: python3.12}
    """
    folder = project(
        tmp_path,
        {
            "template.yaml": template,
            "api.py": "def handler(event, context):\n    return {'statusCode': 200}\n",
            "auth.py": SAM_CODE["auth.py"],
            "http_auth.py": "def handler(event, context):\n    return {'isAuthorized': True}\n",
        },
    )
    by_file = {h.file.name: h for h in lint(folder).models[0].handlers.values()}
    assert [(b.route, b.authorizer) for b in by_file["api.py"].bindings] == [
        ("/a", True),
        ("/b", False),
    ]
    assert by_file["auth.py"].triggers == ("apigw-authorizer-token",)
    (http_auth,) = by_file["http_auth.py"].bindings
    assert (http_auth.trigger, http_auth.payload_version, http_auth.simple_responses) == (
        "apigw-authorizer-http",
        "2.0",
        True,
    )


# -- code locations and languages -------------------------------------------------------------


def sam_function(name: str, properties: str) -> str:
    body = textwrap.indent(textwrap.dedent(properties).strip() + "\n", "      ")
    return f"  {name}:\n    Type: AWS::Serverless::Function\n    Properties:\n{body}"


def test_code_locations_the_repository_does_not_hold(tmp_path: Path) -> None:
    functions = [
        sam_function("File", "Handler: app.handler\nRuntime: python3.12\nCodeUri: src/app.py"),
        sam_function("Zip", "Handler: app.handler\nRuntime: python3.12\nCodeUri: dist/app.zip"),
        sam_function("Built", "Handler: app.handler\nRuntime: python3.12\nCodeUri: build/"),
        sam_function(
            "Adapter",
            """
            Handler: run.sh
            Runtime: python3.12
            CodeUri: src/
            Environment: {Variables: {AWS_LAMBDA_EXEC_WRAPPER: /opt/bootstrap}}
            """,
        ),
        sam_function(
            "AdapterLayer",
            """
            Handler: run.sh
            CodeUri: src/
            Layers:
              - !Sub arn:aws:lambda:${AWS::Region}:753240598075:layer:LambdaAdapterLayerX86:25
            """,
        ),
        sam_function("Java", "Handler: com.example.Orders::handleRequest\nCodeUri: src/"),
        sam_function("DotNet", "Handler: Orders::Orders.Function::Handle\nCodeUri: src/"),
        sam_function("Node", "Handler: index.handler\nRuntime: nodejs20.x\nCodeUri: src/"),
        sam_function("Wrong", "Handler: missing.handler\nRuntime: python3.12\nCodeUri: src/"),
    ]
    template = "Transform: AWS::Serverless-2016-10-31\nResources:\n" + "".join(functions)
    folder = project(tmp_path, {"template.yaml": template, "src/app.py": PLAIN_RESULT})
    result = lint(folder)
    # only the handler whose module is really missing from a folder of the repository
    assert [f.message for f in result.findings] == [
        "handler 'missing.handler' cannot be loaded: no module 'missing' under 'src/'"
    ]
    model = result.models[0]
    (app,) = model.handlers.values()
    assert [e.declared.name for e in app.evidence if e.declared] == ["File"]
    reasons = {d.name: d.unchecked for d in model.declared}
    assert "an archive" in (reasons["Zip"] or "")
    assert "a build step" in (reasons["Built"] or "")
    assert {reasons[n] for n in ("Adapter", "AdapterLayer")} == {"a web-adapter function"}
    assert (reasons["Java"], reasons["DotNet"], reasons["Node"]) == (
        "a java function",
        "a dotnet function",
        "a nodejs function",
    )


def test_handlers_command_shows_bindings_and_unchecked_functions(tmp_path: Path) -> None:
    body = "DefinitionBody:\n" + textwrap.indent(OPENAPI.strip() + "\n", "  ")
    extra = sam_function("Built", "Handler: app.handler\nRuntime: python3.12\nCodeUri: build/")
    folder = project(tmp_path, {"template.yaml": sam_api(body) + extra, **SAM_CODE})
    output = CliRunner().invoke(main, ["handlers", str(folder)]).output
    rows = {
        line.split()[0].rsplit("/", 1)[-1]: line for line in output.splitlines() if ".py:" in line
    }
    assert "apigw-rest; authorizer on every route" in rows["orders.py:1"]
    assert "apigw-rest (proxy=no); a route without authorizer" in rows["report.py:1"]
    assert "apigw-authorizer-token" in rows["auth.py:1"]
    assert "Declared functions not checked:" in output
    assert "Built app.handler: the code folder is not in the repository" in output


# -- Terraform --------------------------------------------------------------------------------

TERRAFORM = """
data "archive_file" "api" {
  type        = "zip"
  source_file = "${path.module}/src/api.py"
  output_path = "${path.module}/build/api.zip"
}

resource "aws_lambda_function" "api" {
  function_name = "api"
  handler       = "api.handler"
  runtime       = "python3.12"
  filename      = data.archive_file.api.output_path
  role          = "arn:aws:iam::123456789012:role/x"
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  handler       = "api.worker"
  runtime       = "python3.12"
  filename      = data.archive_file.api.output_path
  role          = "arn:aws:iam::123456789012:role/x"
}

resource "aws_apigatewayv2_api" "http" {
  name          = "http"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "api" {
  api_id           = aws_apigatewayv2_api.http.id
  integration_type = "AWS_PROXY"
  integration_uri  = aws_lambda_function.api.invoke_arn
}

resource "aws_apigatewayv2_route" "items" {
  api_id             = aws_apigatewayv2_api.http.id
  route_key          = "GET /items"
  target             = "integrations/${aws_apigatewayv2_integration.api.id}"
  authorization_type = "CUSTOM"
  authorizer_id      = "abc123"
}

resource "aws_sqs_queue" "jobs" {
  name       = "jobs.fifo"
  fifo_queue = true
  policy     = <<EOF
{"Version": "2012-10-17"}
EOF
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn = aws_sqs_queue.jobs.arn
  function_name    = aws_lambda_function.worker.arn
}
""".replace("\nEOF\n", "\nEOF   \n")  # Terraform accepts spaces after a heredoc's end


def test_terraform_payload_default_fifo_heredoc_and_single_file(tmp_path: Path) -> None:
    code = "def handler(event, context):\n    return {'statusCode': 200}\n\n"
    code += "def worker(event, context):\n    return None\n"
    folder = project(tmp_path, {"main.tf": TERRAFORM, "src/api.py": code})
    result = lint(folder)
    assert codes(result) == []  # the heredoc closed by `EOF   ` parses
    (api,) = handler(result).bindings
    # no payload_format_version: 1.0, the REST-style event
    assert (api.trigger, api.payload_version, api.route, api.authorizer) == (
        "apigw-rest",
        "1.0",
        "/items",
        True,
    )
    assert [(b.trigger, b.fifo) for b in handler(result, "worker").bindings] == [("sqs", True)]


# -- CDK --------------------------------------------------------------------------------------

CDK_APP = """
from aws_cdk import Stack, aws_apigateway as apigw, aws_lambda as lambda_, aws_sqs as sqs
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk.aws_apigatewayv2_authorizers import HttpLambdaAuthorizer, HttpLambdaResponseType
from aws_cdk.aws_apigatewayv2_integrations import HttpLambdaIntegration
from aws_cdk.aws_lambda_event_sources import SqsEventSource


class Api(Stack):
    def __init__(self, scope, construct_id):
        super().__init__(scope, construct_id)
        code = lambda_.Code.from_asset("lambda")
        runtime = lambda_.Runtime.PYTHON_3_12
        api_fn = lambda_.Function(self, "Api", handler="api.handler", code=code, runtime=runtime)
        auth_fn = lambda_.Function(self, "Auth", handler="auth.handler", code=code, runtime=runtime)
        simple_fn = lambda_.Function(
            self, "Simple", handler="auth.simple", code=code, runtime=runtime
        )
        rest = apigw.RestApi(self, "Rest")
        token = apigw.TokenAuthorizer(self, "Token", handler=auth_fn)
        items = rest.root.add_resource("items")
        items.add_method("GET", apigw.LambdaIntegration(api_fn), authorizer=token)
        items.add_method("POST", apigw.LambdaIntegration(api_fn))
        http = apigwv2.HttpApi(self, "Http")
        http.add_routes(
            path="/v1",
            integration=HttpLambdaIntegration("I", api_fn),
            authorizer=HttpLambdaAuthorizer("A", auth_fn),
        )
        HttpLambdaAuthorizer(
            "S", simple_fn, response_types=[HttpLambdaResponseType.SIMPLE]
        )
        queue = sqs.Queue(self, "Jobs", fifo=True)
        api_fn.add_event_source(SqsEventSource(queue))
        orders = sqs.Queue(self, "Orders", queue_name="orders.fifo")
        api_fn.add_event_source_mapping("Orders", event_source_arn=orders.queue_arn)
"""


def test_cdk_authorizers_payloads_fifo_and_asset_root(tmp_path: Path) -> None:
    auth = "def handler(event, context):\n    return {}\n\ndef simple(event, context):\n"
    folder = project(
        tmp_path,
        {
            "cdk.json": '{"app": "python3 infra/app.py"}',
            "infra/app.py": CDK_APP,
            "lambda/api.py": "def handler(event, context):\n    return {'statusCode': 200}\n",
            "lambda/auth.py": auth + "    return {'isAuthorized': True}\n",
        },
    )
    result = lint(folder)
    assert codes(result) == []  # assets are relative to the cdk.json folder
    found = {(h.file.name, h.qualname): h for h in result.models[0].handlers.values()}
    api = found[("api.py", "handler")].bindings
    assert [(b.trigger, b.route, b.method, b.authorizer) for b in api] == [
        ("apigw-rest", "/items", "GET", True),
        ("apigw-rest", "/items", "POST", False),
        ("apigw-http", "/v1", "ANY", True),
        ("sqs", None, None, None),
        ("sqs", None, None, None),
    ]
    assert (api[2].payload_version, api[3].fifo, api[4].fifo) == ("2.0", True, True)
    authorizers = [
        (b.trigger, b.payload_version, b.simple_responses)
        for name in ("handler", "simple")
        for b in found[("auth.py", name)].bindings
    ]
    # an HttpLambdaAuthorizer sends payload 1.0 and expects a policy, unless SIMPLE
    assert authorizers == [
        ("apigw-authorizer-token", None, None),
        ("apigw-authorizer-http", "1.0", False),
        ("apigw-authorizer-http", "2.0", True),
    ]


def test_cdk_v1_lambda_proxy_integration(tmp_path: Path) -> None:
    source = """
    from aws_cdk import core, aws_lambda as lambda_
    from aws_cdk.aws_apigatewayv2 import HttpApi, HttpMethod, PayloadFormatVersion
    from aws_cdk.aws_apigatewayv2_integrations import LambdaProxyIntegration

    class Api(core.Stack):
        def __init__(self, scope, construct_id):
            super().__init__(scope, construct_id)
            code = lambda_.Code.from_asset("lambda")
            fn = lambda_.Function(self, "Fn", handler="api.handler", code=code)
            old = lambda_.Function(self, "Old", handler="api.old", code=code)
            api = HttpApi(self, "Http")
            api.add_routes(
                path="/a", methods=[HttpMethod.GET], integration=LambdaProxyIntegration(handler=fn)
            )
            legacy = LambdaProxyIntegration(
                handler=old, payload_format_version=PayloadFormatVersion.VERSION_1_0
            )
            api.add_routes(path="/b", methods=[HttpMethod.GET], integration=legacy)
    """
    path = project(tmp_path, {"app.py": source}) / "app.py"
    found = {f.name: f for f in read_cdk(path, cst.parse_module(path.read_text())).functions}
    assert [(b.trigger, b.route, b.payload_version) for b in found["Fn"].triggers] == [
        ("apigw-http", "/a", "2.0")
    ]
    assert [(b.trigger, b.route, b.payload_version) for b in found["Old"].triggers] == [
        ("apigw-rest", "/b", "1.0")
    ]
