resource "aws_sqs_queue" "orders" {
  name = "${var.prefix}-orders"
}

resource "aws_sqs_queue" "tracking" {
  name = "${var.prefix}-tracking"
}

resource "aws_kinesis_stream" "gps" {
  name        = "${var.prefix}-gps"
  shard_count = 1
}

resource "aws_dynamodb_table" "shipments" {
  name             = "${var.prefix}-shipments"
  hash_key         = "id"
  stream_enabled   = true
  stream_view_type = "NEW_IMAGE"

  attribute {
    name = "id"
    type = "S"
  }
}

resource "aws_lambda_event_source_mapping" "orders" {
  event_source_arn        = aws_sqs_queue.orders.arn
  function_name           = aws_lambda_function.worker.arn
  batch_size              = 10
  function_response_types = ["ReportBatchItemFailures"]
}

resource "aws_lambda_event_source_mapping" "gps" {
  event_source_arn  = aws_kinesis_stream.gps.arn
  function_name     = aws_lambda_function.worker.function_name
  starting_position = "LATEST"
}

resource "aws_lambda_event_source_mapping" "shipments" {
  event_source_arn  = aws_dynamodb_table.shipments.stream_arn
  function_name     = aws_lambda_alias.worker_live.arn
  starting_position = "LATEST"
}

resource "aws_lambda_alias" "worker_live" {
  name             = "live"
  function_name    = aws_lambda_function.worker.function_name
  function_version = "1"
}

resource "aws_s3_bucket" "manifests" {
  bucket = "${var.prefix}-manifests"
}

resource "aws_s3_bucket_notification" "manifests" {
  bucket = aws_s3_bucket.manifests.id

  lambda_function {
    lambda_function_arn = aws_lambda_function.cleanup.arn
    events              = ["s3:ObjectCreated:*"]
  }
}

resource "aws_sns_topic" "delays" {
  name = "${var.prefix}-delays"
}

resource "aws_sns_topic_subscription" "delays" {
  topic_arn = aws_sns_topic.delays.arn
  protocol  = "lambda"
  endpoint  = aws_lambda_function.cleanup.arn
}

resource "aws_cloudwatch_event_rule" "nightly" {
  name                = "${var.prefix}-nightly"
  schedule_expression = "cron(0 1 * * ? *)"
}

resource "aws_cloudwatch_event_rule" "hourly" {
  name                = "${var.prefix}-hourly"
  schedule_expression = "rate(1 hour)"
}

resource "aws_cloudwatch_event_rule" "delivered" {
  name          = "${var.prefix}-delivered"
  event_pattern = jsonencode({ source = ["shipping.carriers"] })
}

resource "aws_cloudwatch_event_target" "nightly" {
  rule = aws_cloudwatch_event_rule.nightly.name
  arn  = aws_lambda_function.cleanup.arn
}

resource "aws_cloudwatch_event_target" "delivered" {
  rule = aws_cloudwatch_event_rule.delivered.name
  arn  = aws_lambda_function.cleanup.arn
}

resource "aws_lambda_permission" "logs" {
  statement_id  = "AllowLogs"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.cleanup.function_name
  principal     = "logs.amazonaws.com"
}

resource "aws_api_gateway_rest_api" "shipping" {
  name = "${var.prefix}-api"
}

resource "aws_api_gateway_resource" "shipments" {
  rest_api_id = aws_api_gateway_rest_api.shipping.id
  parent_id   = aws_api_gateway_rest_api.shipping.root_resource_id
  path_part   = "shipments"
}

resource "aws_api_gateway_resource" "shipment" {
  rest_api_id = aws_api_gateway_rest_api.shipping.id
  parent_id   = aws_api_gateway_resource.shipments.id
  path_part   = "{shipmentId}"
}

resource "aws_api_gateway_method" "get_shipment" {
  rest_api_id   = aws_api_gateway_rest_api.shipping.id
  resource_id   = aws_api_gateway_resource.shipment.id
  http_method   = "GET"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "get_shipment" {
  rest_api_id             = aws_api_gateway_rest_api.shipping.id
  resource_id             = aws_api_gateway_resource.shipment.id
  http_method             = aws_api_gateway_method.get_shipment.http_method
  integration_http_method = "POST"
  type                    = "AWS_PROXY"
  uri                     = aws_lambda_function.api.invoke_arn
}

resource "aws_apigatewayv2_api" "public" {
  name          = "${var.prefix}-public"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "public" {
  api_id                 = aws_apigatewayv2_api.public.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.api.invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "quote" {
  api_id    = aws_apigatewayv2_api.public.id
  route_key = "POST /quotes"
  target    = "integrations/${aws_apigatewayv2_integration.public.id}"
}

resource "aws_lambda_function_url" "api" {
  function_name      = aws_lambda_function.api.function_name
  authorization_type = "NONE"
}
