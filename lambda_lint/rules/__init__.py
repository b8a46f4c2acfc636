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
    "event_access",
    "trigger_contracts",
    "cold_start",
)
