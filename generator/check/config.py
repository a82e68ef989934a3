"""platform.yaml `rules:`: the platform team's own rules for every service, each with a severity
and its parameters. `svcgen check` runs them (generator/check/platform_rules.py); a rule whose
parameters are not set checks nothing, except those with a safe default (noted on each).

    rules:
      naming: {service: "^[a-z]+(-[a-z]+)*$", function: "^[a-z]+(-[a-z]+)*$"}
      tags: {required: [cost-center, data-classification], owners: [team-payments, team-ledger]}
      limits: {max_timeout: 300, max_memory: 3008}
      concurrency: {per_service: 200, fleet_budget: 600}
      unconsumed_events: {severity: warning}
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from generator.spec.base import Strict, TagKey

Severity = Literal["error", "warning", "off"]
SEVERITY = "error, warning, or off (the rule does not run)"


class RuleConfig(Strict):
    severity: Severity | None = Field(None, description=f"Overrides the rule's default severity: {SEVERITY}.")




class NamingConfig(RuleConfig):
    """SVC4001: names a service's and its functions' must match (whole name, Python `re`)."""

    service: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    function: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None

    @field_validator("service", "function")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:  # svcgen's own wording (validate.py prints a spec_problem as is)
                raise PydanticCustomError("spec_problem", "{message}", {
                    "message": f"must be a regular expression (Python `re`), got {value!r}: {exc}", "hint": "",
                    "key": ""}) from None
        return value


class TagsConfig(RuleConfig):
    """SVC4003: tags every service sets, and the owners (teams) the platform knows."""

    required: list[TagKey] = Field(default_factory=list)
    owners: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] | None = None


class LimitsConfig(RuleConfig):
    """SVC4004: the most a function may ask for (as rendered: defaults count)."""

    max_timeout: int | None = Field(None, ge=1, le=900, description="Seconds.")
    max_memory: int | None = Field(None, ge=128, le=10240, description="MB.")


class ConcurrencyConfig(RuleConfig):
    """SVC4005 (per_service) and SVC4006 (fleet_budget): reserved concurrency."""

    per_service: int | None = Field(None, ge=1, le=1_000_000, description="Most one service may reserve.")
    fleet_budget: int | None = Field(None, ge=1, le=1_000_000,
                                     description="Most the whole fleet may reserve in one account.")


class RulesSpec(Strict):
    """The platform team's rules, checked by `svcgen check` over the whole fleet."""

    naming: NamingConfig = Field(default_factory=NamingConfig)
    runtime_sunset: RuleConfig = Field(default_factory=RuleConfig, description="SVC4002: on by default.")
    tags: TagsConfig = Field(default_factory=TagsConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    concurrency: ConcurrencyConfig = Field(default_factory=ConcurrencyConfig)
    alarm_recipients: RuleConfig = Field(default_factory=RuleConfig, description="SVC4007: on by default.")
    fifo_reason: RuleConfig = Field(default_factory=RuleConfig, description="SVC4008: on by default.")
    unconsumed_events: RuleConfig = Field(default_factory=RuleConfig,
                                          description="SVC4009: on by default (a warning).")
    contract_versions: RuleConfig = Field(default_factory=RuleConfig,
                                          description="SVC4010: on by default, with --baseline.")
