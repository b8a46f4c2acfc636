from lambda_lint.cli import main

main()
