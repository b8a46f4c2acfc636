"""AWS Config Rule Development Kit (RDK) rules: a `parameters.json` beside the rule code.

`rdk create` writes one folder per custom Config rule: `<RuleName>.py` with a
`lambda_handler`, and a `parameters.json` whose `Parameters` name the rule, its Lambda
runtime (`SourceRuntime`) and what triggers it: `SourceEvents` (resource types whose
configuration changes trigger an evaluation) and `SourcePeriodic` (a
`MaximumExecutionFrequency`). `rdk deploy` deploys the function with the handler
`<RuleName>.lambda_handler` (https://github.com/awslabs/aws-config-rdk, README
"Create Rules" and "Deploy Rules").
"""

from __future__ import annotations

from pathlib import Path

from lambda_lint.descriptors.draft import FREQUENCIES
from lambda_lint.descriptors.json_loader import load_json
from lambda_lint.descriptors.model import (
    DeclaredFunction,
    DescriptorProblem,
    DescriptorSet,
    SourceRef,
    TriggerBinding,
)
from lambda_lint.descriptors.runtimes import runtime_language
from lambda_lint.descriptors.values import LineMap, text
from lambda_lint.descriptors.yaml_loader import DescriptorSyntaxError


def read_rdk(path: Path, source: str) -> DescriptorSet:
    """The Lambda function of one RDK rule, with its change and periodic triggers."""
    try:
        document = load_json(source)
    except DescriptorSyntaxError as error:
        return DescriptorSet(problems=[DescriptorProblem(path, error.line, error.message)])
    params = document.get("Parameters") if isinstance(document, LineMap) else None
    if not isinstance(params, LineMap):
        return DescriptorSet()
    name, runtime = text(params.get("RuleName")), text(params.get("SourceRuntime"))
    if name is None or runtime is None:
        return DescriptorSet()
    ref = SourceRef("rdk", path, params.key_line("RuleName"))
    triggers: list[TriggerBinding] = []
    if text(params.get("SourceEvents")):
        triggers.append(TriggerBinding("config-rule", ref, resource=name))
    periodic = text(params.get("SourcePeriodic"))
    if periodic:
        schedule = FREQUENCIES.get(periodic)
        triggers.append(TriggerBinding("config-rule", ref, resource=name, schedule=schedule))
    function = DeclaredFunction(
        name=name,
        handler=f"{name}.lambda_handler",
        source=ref,
        code_root=path.parent,
        runtime=runtime,
        triggers=tuple(triggers),
        language=runtime_language(runtime),
    )
    return DescriptorSet(functions=[function])
