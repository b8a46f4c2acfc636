"""Schedule expressions of scheduled triggers, and whether they fire rarely.

EventBridge rules and EventBridge Scheduler take `rate(value unit)`, `cron(minutes
hours day-of-month month day-of-week year)` and, Scheduler only, a one-time `at(...)`
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html,
https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html).

Lambda keeps an idle execution environment "for some time" and does not say how long
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html); in
practice environments idle for tens of minutes are reclaimed. A function fired at most
once an hour by its schedule therefore almost always starts in a fresh environment, and
what builds up across warm invocations (clients, globals, `/tmp`) does not arise.
"""

from __future__ import annotations

import re

#: the shortest interval at which a schedule counts as rare
RARE_INTERVAL_SECONDS = 3600

_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|hour|day)s?\s*\)$", re.IGNORECASE)
_CRON = re.compile(r"^cron\((.*)\)$", re.IGNORECASE)
_AT = re.compile(r"^at\(.*\)$", re.IGNORECASE)


def fires_rarely(expression: str | None) -> bool:
    """Whether a schedule expression fires at most once per `RARE_INTERVAL_SECONDS`: a
    rate of an hour or more, a cron expression with a single fixed minute (so at most
    once an hour), or a one-time `at(...)`. False when unknown or unreadable."""
    if expression is None:
        return False
    expression = expression.strip()
    rate = _RATE.match(expression)
    if rate is not None:
        return int(rate.group(1)) * _UNITS[rate.group(2).lower()] >= RARE_INTERVAL_SECONDS
    cron = _CRON.match(expression)
    if cron is not None:
        fields = cron.group(1).split()
        return len(fields) == 6 and fields[0].isdigit()
    return _AT.match(expression) is not None
