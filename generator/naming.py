"""Every physical and logical name svcgen emits comes from here.

Physical names follow `{org}-{stage}-{service}-{resource}`. Each kind of name has an AWS length
limit; a name that would exceed it is cut and given a stable hash suffix of the full name, so it
stays unique and the same on every build. Logical IDs never contain the stage, so templates for
two stages of one service diff cleanly.
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


def fit(name: str, kind: str, suffix: str = "") -> str:
    """`name + suffix` within the limit for `kind`, cut with a hash of the full name if needed."""
    limit = LIMITS[kind]
    if len(name) + len(suffix) <= limit:
        return name + suffix
    digest = hashlib.sha256((name + suffix).encode()).hexdigest()[:HASH_LENGTH]
    keep = limit - len(suffix) - HASH_LENGTH - 1
    return f"{name[:keep].rstrip('-')}-{digest}{suffix}"


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
    def stack(self) -> str:
        return fit(self.prefix, "stack")

    def physical(self, kind: str, *resource: str, suffix: str = "") -> str:
        return fit("-".join((self.prefix, *resource)), kind, suffix)

    def function(self, fn: str) -> str:
        return self.physical("function", fn)

    def role(self, fn: str) -> str:
        return self.physical("role", fn, "role")

    def log_group(self, fn: str) -> str:
        return f"/aws/lambda/{self.function(fn)}"

    def api_access_log_group(self) -> str:
        # API Gateway access logs are vended logs: turning them on adds the log group to the
        # account's CloudWatch Logs resource policy, which holds at most 5120 characters; groups
        # under /aws/vendedlogs/ share one wildcard entry instead (CloudWatch Logs "Enable logging
        # from AWS services"), so many services' APIs never exhaust it.
        return fit(f"/aws/vendedlogs/apigateway/{self.prefix}-api", "log_group")

    def queue(self, fn: str, fifo: bool) -> str:
        return self.physical("queue", fn, suffix=".fifo" if fifo else "")

    def dlq(self, fn: str, fifo: bool) -> str:
        return self.physical("queue", fn, "dlq", suffix=".fifo" if fifo else "")

    def rule(self, fn: str, publisher: str, event: str) -> str:
        return self.physical("rule", fn, publisher, event.lower())

    def alarm(self, *resource: str) -> str:
        return self.physical("alarm", *resource)

    def export(self, output: str) -> str:
        return fit(f"{self.prefix}-{output}", "export")


def export_name(org: str, stage: str, stack: str, output: str) -> str:
    """Export names of any stack (service or platform), so importers compute the same string."""
    return Names(org, stage, stack).export(output)


@dataclass(frozen=True)
class PlatformNames:
    org: str
    stage: str
    bus_name: str

    @property
    def stack(self) -> str:
        return fit(f"{self.org}-{self.stage}-platform", "stack")

    @property
    def bus(self) -> str:
        return fit(f"{self.org}-{self.stage}-{self.bus_name}", "bus")

    @property
    def archive(self) -> str:
        return fit(f"{self.org}-{self.stage}-{self.bus_name}", "archive")

    @property
    def artifacts_bucket_export(self) -> str:
        return export_name(self.org, self.stage, "platform", "artifacts-bucket")

    @property
    def bus_name_export(self) -> str:
        return export_name(self.org, self.stage, "platform", "bus-name")

    @property
    def bus_arn_export(self) -> str:
        return export_name(self.org, self.stage, "platform", "bus-arn")
