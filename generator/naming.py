"""Every physical and logical name svcgen emits comes from here.

Physical names follow `{org}-{stage}-{service}-{resource}{kind}`. Each kind of name has an AWS
length limit. A name that would exceed it is cut in the middle: it keeps its `{org}-{stage}-`
start, the resource's own name (the function's, the queue's ...) and its kind suffix (`-role`,
`-dlq`, `.fifo`), and the service name gives way to a stable hash of the full name, e.g.
`acme-dev-card-tr-1a2b3c4d-settle-role`. So a cut name stays unique, the same on every build, and
still says what it names: a role and its function, or a queue and its DLQ, stay apart. Only when
even that does not fit is the own name's end cut too (never the start or the kind). Logical IDs
never contain the stage, so templates for two stages of one service diff cleanly.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

# AWS limits on physical names (service quotas / CloudFormation resource docs).
LIMITS = {
    "stack": 128,
    "function": 64,
    "role": 64,
    "queue": 80,  # including the `.fifo` suffix
    "rule": 64,
    "topic": 256,
    "alarm": 255,
    "export": 255,
    "bus": 256,
    "archive": 48,
    "kms_alias": 256,
    "log_group": 512,
    "bucket": 63,
    "table": 255,
    "state_machine": 80,
    "pipe": 64,
    "api": 128,
    "schedule": 64,
}
HASH_LENGTH = 8
MIN_PIECE = 3  # the shortest start of a cut service name worth keeping


def fit(name: str, kind: str, suffix: str = "") -> str:
    """`name + suffix` within the limit for `kind`; a longer one keeps its start and `suffix` and
    is cut at its end, with a hash of the full name (for names with no structure to keep; names
    of a service's resources are cut in the middle by `fit_parts`)."""
    return fit_parts(kind, "", name, "", suffix)


def fit_parts(kind: str, start: str, middle: str, own: str = "", suffix: str = "") -> str:
    """`start + middle + "-" + own + suffix` within the limit for `kind`.

    Too long, it keeps `start` (`{org}-{stage}-`), `own` (the resource's own name) and `suffix`
    (the kind: `-role`, `-dlq`, `.fifo`) and cuts `middle` (the service name) from its end, putting
    the hash of the full name where the cut is: `acme-dev-card-tr-1a2b3c4d-settle-role`. When even
    an empty middle leaves no room for all of `own`, `own` keeps its start."""
    limit = LIMITS[kind]
    full = start + "-".join(part for part in (middle, own) if part) + suffix
    if len(full) <= limit:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:HASH_LENGTH]
    tail = f"-{own}" if own else ""
    room = limit - len(start) - len(digest) - len(suffix)  # for `<middle piece>-` and the tail
    if room < 0:  # no structure survives (never for svcgen's names: start <= 32 characters)
        keep = limit - len(suffix) - HASH_LENGTH - 1
        return f"{full[:len(full) - len(suffix)][:keep].rstrip('-')}-{digest}{suffix}"
    if room >= len(tail):
        piece = middle[:max(0, room - len(tail) - 1)].rstrip("-")
        piece = piece if len(piece) >= MIN_PIECE else ""  # `acme-dev-n-1a2b...` says nothing
        return start + (f"{piece}-" if piece else "") + digest + tail + suffix
    return start + digest + tail[:room].rstrip("-") + suffix


def logical(*parts: str) -> str:
    """`("post-transaction", "queue")` -> `PostTransactionQueue` (CloudFormation: alphanumeric)."""
    words: list[str] = []
    for part in parts:
        words.extend(w for w in re.split(r"[^A-Za-z0-9]+", part) if w)
    return "".join(w[0].upper() + w[1:] for w in words)


@dataclass(frozen=True)
class Names:
    """Names for one service in one stage."""

    org: str
    stage: str
    service: str

    @property
    def prefix(self) -> str:
        return f"{self.org}-{self.stage}-{self.service}"

    @property
    def start(self) -> str:
        """What every name of the service keeps when it is cut: `{org}-{stage}-`."""
        return f"{self.org}-{self.stage}-"

    @property
    def stack(self) -> str:
        return fit_parts("stack", self.start, self.service)

    def physical(self, kind: str, *resource: str, suffix: str = "") -> str:
        return fit_parts(kind, self.start, self.service, "-".join(resource), suffix)

    def function(self, fn: str) -> str:
        return self.physical("function", fn)

    def role(self, fn: str) -> str:
        return self.physical("role", fn, suffix="-role")

    def log_group(self, fn: str) -> str:
        return f"/aws/lambda/{self.function(fn)}"

    def api_access_log_group(self) -> str:
        # API Gateway access logs are vended logs: turning them on adds the log group to the
        # account's CloudWatch Logs resource policy, which holds at most 5120 characters; groups
        # under /aws/vendedlogs/ share one wildcard entry instead (CloudWatch Logs "Enable logging
        # from AWS services"), so many services' APIs never exhaust it.
        return fit_parts("log_group", f"/aws/vendedlogs/apigateway/{self.start}", self.service, "api")

    def queue(self, fn: str, fifo: bool) -> str:
        return self.physical("queue", fn, suffix=".fifo" if fifo else "")

    def dlq(self, fn: str, fifo: bool) -> str:
        return self.physical("queue", fn, suffix="-dlq.fifo" if fifo else "-dlq")

    def rule(self, fn: str, publisher: str, event: str) -> str:
        return self.physical("rule", fn, publisher, event.lower())

    def alarm(self, *resource: str) -> str:
        return self.physical("alarm", *resource)

    def export(self, output: str) -> str:
        return self.physical("export", output)


def export_name(org: str, stage: str, stack: str, output: str) -> str:
    """Export names of any stack (service or platform), so importers compute the same string."""
    return Names(org, stage, stack).export(output)


@dataclass(frozen=True)
class PlatformNames:
    org: str
    stage: str
    bus_name: str
    # The stage whose platform stack holds the artifacts bucket (an ephemeral stage's parent).
    artifacts_stage: str = ""

    @property
    def stack(self) -> str:
        return fit_parts("stack", f"{self.org}-{self.stage}-", "platform")

    @property
    def bus(self) -> str:
        return fit_parts("bus", f"{self.org}-{self.stage}-", self.bus_name)

    @property
    def archive(self) -> str:
        return fit_parts("archive", f"{self.org}-{self.stage}-", self.bus_name)

    @property
    def artifacts_bucket_export(self) -> str:
        return export_name(self.org, self.artifacts_stage or self.stage, "platform", "artifacts-bucket")

    @property
    def bus_name_export(self) -> str:
        return export_name(self.org, self.stage, "platform", "bus-name")

    @property
    def bus_arn_export(self) -> str:
        return export_name(self.org, self.stage, "platform", "bus-arn")
