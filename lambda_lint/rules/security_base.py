"""The shared base of the LL6 flow rules: each reports the hits of its code, with the
way the event value took as the message and as related locations (which SARIF output
turns into a code flow)."""

from __future__ import annotations

from typing import ClassVar

from lambda_lint.finding import RelatedLocation
from lambda_lint.rule import ProjectRule
from lambda_lint.security import FlowStep, Hit, security_hits
from lambda_lint.security.options import OPTIONS, TABLE, flow_additions


class FlowRule(ProjectRule):
    """Reports where event data reaches this rule's sinks."""

    #: what the sink makes of the value: "the SQL text of", "the command of"
    reaches: ClassVar[str] = ""
    #: what to do instead, appended to the message
    advice: ClassVar[str] = ""

    options = OPTIONS
    options_table = TABLE

    def check_project(self) -> None:
        additions = flow_additions(self.settings)
        project = self.project
        hits = security_hits(project.model, additions, project.stored_results)
        for hit in hits:
            if hit.rule == self.code:
                self.report_at(
                    hit.path,
                    hit.start,
                    hit.end,
                    self.message(hit),
                    related=tuple(self.located(hit, s) for s in hit.steps),
                )

    def message(self, hit: Hit) -> str:
        sink = f" `{hit.sink}`" if hit.sink else ""
        if hit.steps:
            opening = f"event data reaches {self.reaches}{sink}: {self.way(hit)}"
        else:
            opening = f"the event reaches {self.reaches}{sink}"
        return f"{opening}; {self.advice}" if self.advice else opening

    def way(self, hit: Hit) -> str:
        """The steps, each place named once: `event['body']` (line 3) -> json.loads(...)
        -> f-string (helpers.py:12)."""
        texts = []
        for number, step in enumerate(hit.steps):
            following = hit.steps[number + 1] if number + 1 < len(hit.steps) else None
            same_place = following is not None and (following.path, following.start.line) == (
                step.path,
                step.start.line,
            )
            if same_place:
                texts.append(step.text)
            elif step.path == hit.path:
                texts.append(f"{step.text} (line {step.start.line})")
            else:
                texts.append(f"{step.text} ({self.project.display(step.path)}:{step.start.line})")
        return " -> ".join(texts)

    def located(self, hit: Hit, step: FlowStep) -> RelatedLocation:
        return RelatedLocation(self.project.display(step.path), step.start, step.text)
