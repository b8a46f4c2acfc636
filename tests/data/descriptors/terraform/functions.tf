# Lambda functions of the shipping service.

data "archive_file" "api" {
  type        = "zip"
  source_dir  = "${path.module}/../services/api"
  output_path = "${path.module}/build/api.zip"
}

data "archive_file" "single" {
  type        = "zip"
  source_file = "${path.module}/scripts/cleanup.py"
  output_path = "${path.module}/build/cleanup.zip"
}

locals {
  api_package = data.archive_file.api.output_path
}

resource "aws_lambda_function" "api" {
  function_name    = "${var.prefix}-api"
  role             = aws_iam_role.lambda.arn
  handler          = "shipping.api.handler"
  runtime          = "python3.12"
  filename         = local.api_package
  source_code_hash = data.archive_file.api.output_base64sha256
  timeout          = 29

  snap_start {
    apply_on = "PublishedVersions"
  }
}

resource "aws_lambda_function" "cleanup" {
  function_name = "shipping-cleanup"
  role          = aws_iam_role.lambda.arn
  handler       = "cleanup.main"
  runtime       = "python3.11"
  filename      = data.archive_file.single.output_path
}

resource "aws_lambda_function" "worker" {
  function_name = "${var.prefix}-worker"
  role          = aws_iam_role.lambda.arn
  handler       = var.worker_handler
  runtime       = var.runtime
  s3_bucket     = "shipping-artifacts"
  s3_key        = "worker.zip"
}

resource "aws_lambda_function" "labels" {
  function_name = "${var.prefix}-labels"
  role          = aws_iam_role.lambda.arn
  package_type  = "Image"
  image_uri     = "${aws_ecr_repository.labels.repository_url}:latest"

  image_config {
    command = ["labels.render.handler"]
  }
}

module "tracker" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.0"

  function_name = "${var.prefix}-tracker"
  handler       = "tracker.handler"
  runtime       = "python3.12"
  timeout       = 60
  source_path   = "${path.module}/../services/tracker"

  create_lambda_function_url = true

  event_source_mapping = {
    sqs = {
      event_source_arn        = aws_sqs_queue.tracking.arn
      function_response_types = ["ReportBatchItemFailures"]
    }
  }

  allowed_triggers = {
    Hourly = {
      principal  = "events.amazonaws.com"
      source_arn = aws_cloudwatch_event_rule.hourly.arn
    }
  }
}
