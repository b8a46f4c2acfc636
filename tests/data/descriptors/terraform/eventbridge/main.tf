locals {
  shipment_pattern = {
    source        = ["logistics.shipments"]
    "detail-type" = ["Shipment Delayed"]
  }
}

data "archive_file" "tracker" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/build/tracker.zip"
}

resource "aws_lambda_function" "tracker" {
  function_name = "shipment-tracker"
  role          = var.role_arn
  handler       = "tracker.app.handler"
  runtime       = "python3.12"
  filename      = data.archive_file.tracker.output_path
}

resource "aws_cloudwatch_event_rule" "dispatched" {
  name = "shipment-dispatched"
  event_pattern = jsonencode({
    source        = ["logistics.shipments"]
    "detail-type" = ["Shipment Dispatched", "Shipment Returned", var.extra_detail_type]
  })
}

resource "aws_cloudwatch_event_rule" "customs" {
  name          = "customs-cleared"
  event_pattern = <<EOF
{
  "source": ["logistics.customs"],
  "detail-type": ["Customs Cleared", "Customs Held"]
}
EOF
}

resource "aws_cloudwatch_event_rule" "delayed" {
  name          = "shipment-delayed"
  event_pattern = jsonencode(local.shipment_pattern)
}

resource "aws_cloudwatch_event_rule" "labels" {
  name          = "label-printed"
  event_pattern = "{\"source\": [\"logistics.labels\"], \"detail-type\": [\"Label Printed\"]}"
}

resource "aws_cloudwatch_event_rule" "external" {
  name          = "external"
  event_pattern = file("${path.module}/patterns/external.json")
}

resource "aws_cloudwatch_event_rule" "sweep" {
  name                = "tracker-sweep"
  schedule_expression = "rate(15 minutes)"
}

resource "aws_cloudwatch_event_target" "dispatched" {
  rule = aws_cloudwatch_event_rule.dispatched.name
  arn  = aws_lambda_function.tracker.arn
}

resource "aws_cloudwatch_event_target" "customs" {
  rule = aws_cloudwatch_event_rule.customs.name
  arn  = aws_lambda_function.tracker.arn
}

resource "aws_cloudwatch_event_target" "delayed" {
  rule = aws_cloudwatch_event_rule.delayed.name
  arn  = aws_lambda_function.tracker.arn
}

resource "aws_cloudwatch_event_target" "labels" {
  rule = aws_cloudwatch_event_rule.labels.name
  arn  = aws_lambda_function.tracker.arn
}

resource "aws_cloudwatch_event_target" "external" {
  rule = aws_cloudwatch_event_rule.external.name
  arn  = aws_lambda_function.tracker.arn
}

resource "aws_cloudwatch_event_target" "sweep" {
  rule = aws_cloudwatch_event_rule.sweep.name
  arn  = aws_lambda_function.tracker.arn
}
