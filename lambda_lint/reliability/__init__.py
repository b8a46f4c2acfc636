"""Facts behind the LL7 reliability rules, kept with their sources in `facts.json`:
which AWS batch APIs report failed entries in a successful response (and in which
fields), which HTTP calls have no timeout unless given one, and what a polling loop
sleeps and reads the clock with."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BatchApi:
    """An AWS API that writes many entries and reports the failed ones in its response."""

    service: str
    method: str
    #: keyword arguments only this service's method takes (they name the call when the
    #: client cannot be traced)
    keywords: frozenset[str]
    #: response fields that tell which entries failed (reading one is a check)
    failure_fields: tuple[str, ...]


def _load() -> dict:
    return json.loads((Path(__file__).parent / "facts.json").read_text(encoding="utf-8"))


_FACTS = _load()

#: method name -> the batch API of that name
BATCH_APIS = {
    entry["method"]: BatchApi(
        entry["service"],
        entry["method"],
        frozenset(entry["keywords"]),
        tuple(entry["failure_fields"]),
    )
    for entry in _FACTS["batch_apis"]
}

_HTTP = _FACTS["http_calls"]
#: qualified name of an HTTP call without a default timeout -> its library
HTTP_CALLS: dict[str, str] = dict(_HTTP["functions"])
#: constructors of HTTP sessions that have no default timeout
HTTP_SESSIONS = frozenset(_HTTP["sessions"])
#: the methods of such a session that send a request
SESSION_METHODS = frozenset(_HTTP["session_methods"])
#: URL prefixes of servers inside the execution environment itself (extensions, sidecars)
LOCAL_PREFIXES = tuple(_HTTP["local_prefixes"])
#: library -> the position of `timeout` among the positional parameters (None: keyword only)
TIMEOUT_POSITION: dict[str, int | None] = dict(_HTTP["timeout_position"])

_POLLING = _FACTS["polling"]
#: calls that pause the function
SLEEPS = frozenset(_POLLING["sleeps"])
#: calls that read the clock (a loop testing one is bounded in time)
CLOCKS = frozenset(_POLLING["clocks"])


@dataclass(frozen=True)
class Write:
    """A boto3 call that writes to an S3 bucket, an SQS queue or an SNS topic, and where
    it names that bucket, queue or topic."""

    service: str
    method: str
    keyword: str | None
    position: int | None


_WRITES = _FACTS["writes"]
#: client method -> the write it makes
CLIENT_WRITES = {
    entry["method"]: Write(entry["service"], entry["method"], entry["keyword"], entry["position"])
    for entry in _WRITES["clients"]
}
#: (resource class, method) -> the service written to; the resource's first argument
#: names the bucket, queue or topic (`s3.Bucket(name).put_object(...)`)
RESOURCE_WRITES = {
    (entry["resource"], method): entry["service"]
    for entry in _WRITES["resources"]
    for method in entry["methods"]
}
