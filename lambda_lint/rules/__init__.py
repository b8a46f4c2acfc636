"""The built-in rules, one module per family. The registry walks `RULE_MODULES`."""

RULE_MODULES = (
    "meta",
    "handler_contract",
    "responses",
    "context_object",
    "runtime_environment",
    "reuse_clients",
    "module_state",
    "invocation_cleanup",
    "event_unknown_key",
    "event_nullable",
    "event_first_record",
    "event_encoded",
    "event_s3_key",
    "event_batch_failures",
    "event_dynamodb_image",
    "event_header_case",
    "trigger_contracts",
    "cold_start",
)
