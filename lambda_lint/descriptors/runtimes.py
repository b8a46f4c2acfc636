"""Which language a declared function runs, and handlers that wrap or stand in for it.

Facts, with their sources:

- Runtime identifiers and their language: the Lambda runtimes table
  (docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html). `provided*` is an
  OS-only runtime whose `bootstrap` decides what the handler string means.
- Handler strings of other languages: Java `package.Class::method` and .NET
  `Assembly::Namespace.Class::Method` (docs.aws.amazon.com/lambda/latest/dg/java-handler.html,
  .../csharp-handler.html).
- The Lambda Web Adapter (github.com/awslabs/aws-lambda-web-adapter) runs a web server
  started by a script named as the handler (`run.sh`) when `AWS_LAMBDA_EXEC_WRAPPER` is
  `/opt/bootstrap`, usually with its `LambdaAdapterLayer*` layer.
- Wrapper handlers that load the function's own handler from an environment variable:
  Datadog (`datadog_lambda.handler.handler`, `DD_LAMBDA_HANDLER`; docs.datadoghq.com
  serverless/aws_lambda/installation/python), New Relic (`newrelic_lambda_wrapper.handler`,
  `NEW_RELIC_LAMBDA_HANDLER`; docs.newrelic.com serverless-function-monitoring), Lumigo
  (`lumigo_tracer._handler`, `LUMIGO_ORIGINAL_HANDLER`; docs.lumigo.io auto-instrumentation)
  and Sentry (`sentry_sdk.integrations.init_serverless_sdk.sentry_lambda_handler`,
  `SENTRY_INITIAL_HANDLER`; docs.sentry.io platforms/python/integrations/aws-lambda).
- Handlers that a Serverless Framework plugin writes into the package at deploy time:
  serverless-wsgi writes `wsgi_handler.py` (github.com/logandk/serverless-wsgi, README:
  `handler: wsgi_handler.handler`). serverless-python-requirements' `unzip_requirements`
  is a module the function imports, never a handler.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

#: runtime identifier prefixes and the language each one means (longest prefix first)
RUNTIME_LANGUAGES = (
    ("python", "python"),
    ("nodejs", "nodejs"),
    ("java", "java"),
    ("dotnetcore", "dotnet"),
    ("dotnet", "dotnet"),
    ("go", "go"),
    ("ruby", "ruby"),
    ("provided", "custom"),
)

#: `AWS_LAMBDA_EXEC_WRAPPER` value of the Lambda Web Adapter
WEB_ADAPTER_WRAPPER = "/opt/bootstrap"
#: the name of the Lambda Web Adapter's layer, inside its ARN
WEB_ADAPTER_LAYER = "LambdaAdapterLayer"

#: wrapper handlers and the environment variable naming the handler they load
WRAPPER_HANDLERS = {
    "datadog_lambda.handler.handler": "DD_LAMBDA_HANDLER",
    "newrelic_lambda_wrapper.handler": "NEW_RELIC_LAMBDA_HANDLER",
    "lumigo_tracer._handler": "LUMIGO_ORIGINAL_HANDLER",
    "sentry_sdk.integrations.init_serverless_sdk.sentry_lambda_handler": "SENTRY_INITIAL_HANDLER",
}

#: handler modules that a deploy-time plugin generates (never in the repository)
GENERATED_HANDLER_MODULES = frozenset({"wsgi_handler"})


def runtime_language(runtime: str | None) -> str | None:
    """The language of a runtime identifier (`python3.12` → `python`); a runtime no table
    names (a plugin's `rust`) is its own language; None without a runtime."""
    if not runtime or not runtime.strip():
        return None
    lowered = runtime.strip().lower()
    for prefix, language in RUNTIME_LANGUAGES:
        if lowered.startswith(prefix):
            return language
    return lowered


def language(
    runtime: str | None,
    handler: str | None,
    environment: Mapping[str, str],
    layers: Iterable[str],
) -> str | None:
    """The language a function runs: from the Web Adapter, the runtime, or a handler
    string only another language writes; None when nothing says."""
    wrapper = environment.get("AWS_LAMBDA_EXEC_WRAPPER")
    if wrapper == WEB_ADAPTER_WRAPPER or any(WEB_ADAPTER_LAYER in layer for layer in layers):
        return "web-adapter"
    found = runtime_language(runtime)
    if found is not None:
        return found
    if handler and "::" in handler:
        return "dotnet" if handler.count("::") >= 2 else "java"
    return None


def unwrapped_handler(handler: str | None, environment: Mapping[str, str]) -> str | None:
    """The function's own handler when `handler` is a known wrapper that names it in an
    environment variable; `handler` itself otherwise; None when a wrapper's variable is
    missing or not a literal."""
    variable = WRAPPER_HANDLERS.get(handler or "")
    if variable is None:
        return handler
    return environment.get(variable)


def generated_by_plugin(handler: str | None) -> bool:
    """A handler whose module a deploy-time plugin writes (`wsgi_handler.handler`)."""
    module = (handler or "").rpartition(".")[0]
    return module in GENERATED_HANDLER_MODULES
