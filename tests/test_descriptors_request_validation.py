"""A REST method that API Gateway validates answers 400 to a request without a body:
the descriptors say so on the route's binding (`rejects_missing_body`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambda_lint.descriptors import read_descriptor, read_terraform_dir

FUNCTION = (
    "  Fn:\n    Type: AWS::Lambda::Function\n"
    "    Properties: {Handler: app.handler, Code: {ZipFile: 'x = 1'}}\n"
)


def cloudformation(tmp_path: Path, validate: str, model: str) -> bool:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n" + FUNCTION + "  Validator:\n    Type: AWS::ApiGateway::RequestValidator\n"
        f"    Properties: {{RestApiId: !Ref Api, ValidateRequestBody: {validate}}}\n"
        "  Order:\n    Type: AWS::ApiGateway::Model\n    Properties:\n"
        "      RestApiId: !Ref Api\n      ContentType: application/json\n"
        "      Schema: {type: object, required: [item]}\n"
        "  Post:\n    Type: AWS::ApiGateway::Method\n    Properties:\n"
        "      HttpMethod: POST\n      ResourceId: !GetAtt Api.RootResourceId\n"
        "      RequestValidatorId: !Ref Validator\n"
        f"      RequestModels: {{application/json: {model}}}\n"
        "      Integration:\n        Type: AWS_PROXY\n"
        "        Uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/functions/${Fn.Arn}/invocations\n"
    )
    result = read_descriptor(template, template.read_text())
    (binding,) = result.functions[0].triggers
    return binding.rejects_missing_body


@pytest.mark.parametrize(
    ("validate", "model", "rejects"),
    [
        ("true", "!Ref Order", True),
        ("false", "!Ref Order", False),  # the validator checks parameters only
        ("true", "Empty", False),  # the built-in model requires nothing
    ],
)
def test_cloudformation_validator_and_model(
    tmp_path: Path, validate: str, model: str, rejects: bool
) -> None:
    assert cloudformation(tmp_path, validate, model) is rejects


def test_terraform_validator_and_jsonencoded_model(tmp_path: Path) -> None:
    main = tmp_path / "main.tf"
    main.write_text(
        'resource "aws_lambda_function" "fn" {\n  handler = "app.handler"\n  filename = "a.zip"\n}\n'
        'resource "aws_api_gateway_request_validator" "body" {\n'
        "  validate_request_body = true\n}\n"
        'resource "aws_api_gateway_model" "order" {\n  content_type = "application/json"\n'
        '  schema = jsonencode({ type = "object", required = ["item"] })\n}\n'
        'resource "aws_api_gateway_method" "post" {\n  http_method = "POST"\n'
        "  request_validator_id = aws_api_gateway_request_validator.body.id\n"
        '  request_models = { "application/json" = aws_api_gateway_model.order.name }\n}\n'
        'resource "aws_api_gateway_method" "put" {\n  http_method = "PUT"\n}\n'
        'resource "aws_api_gateway_integration" "post" {\n'
        "  http_method = aws_api_gateway_method.post.http_method\n"
        '  type = "AWS_PROXY"\n  uri = aws_lambda_function.fn.invoke_arn\n}\n'
        'resource "aws_api_gateway_integration" "put" {\n'
        "  http_method = aws_api_gateway_method.put.http_method\n"
        '  type = "AWS_PROXY"\n  uri = aws_lambda_function.fn.invoke_arn\n}\n'
    )
    result = read_terraform_dir(tmp_path, {main: main.read_text()})
    (function,) = result.functions
    assert [(b.method, b.rejects_missing_body) for b in function.triggers] == [
        ("POST", True),
        ("PUT", False),
    ]


@pytest.mark.parametrize(
    ("operation", "rejects"),
    [
        # OpenAPI 3: a request body whose schema (by $ref) requires fields
        (
            "        requestBody:\n          content:\n            application/json:\n"
            "              schema: {$ref: '#/components/schemas/Order'}\n",
            True,
        ),
        # a model for another content type only: a body-less request is not checked
        (
            "        requestBody:\n          content:\n            text/plain:\n"
            "              schema: {$ref: '#/components/schemas/Order'}\n",
            False,
        ),
        # Swagger 2: a body parameter, for the default content type
        (
            "        parameters:\n          - {in: body, name: order, schema: {required: [item]}}\n",
            True,
        ),
    ],
)
def test_openapi_validator_and_body_schema(tmp_path: Path, operation: str, rejects: bool) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n" + FUNCTION + "  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n"
        "      Body:\n"
        "        x-amazon-apigateway-request-validators:\n"
        "          body: {validateRequestBody: true, validateRequestParameters: false}\n"
        "        x-amazon-apigateway-request-validator: body\n"
        "        components:\n          schemas:\n"
        "            Order: {type: object, required: [item]}\n"
        "        paths:\n          /orders:\n            post:\n"
        + "\n".join("      " + line for line in operation.splitlines())
        + "\n"
        "              x-amazon-apigateway-integration:\n"
        "                type: aws_proxy\n                httpMethod: POST\n"
        "                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/functions/${Fn.Arn}/invocations\n"
    )
    result = read_descriptor(template, template.read_text())
    assert result.problems == []
    (binding,) = result.functions[0].triggers
    assert binding.rejects_missing_body is rejects
