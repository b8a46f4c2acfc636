from lambda_lint.cli import run

run()
