"""`platform.yaml`: what the platform team decides once for every service.

Overrides of svcgen's built-in defaults sit under `defaults:`; anything not set there falls back
to each concern's `generator/concerns/<concern>/defaults.py`, where each default carries its reason and source.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from generator.concerns.function.defaults import LOG_RETENTION_ALLOWED

from generator.spec.model import Strict

ORG = r"^[a-z][a-z0-9]{1,9}$"
STAGE = r"^[a-z][a-z0-9-]{0,19}$"
RUNTIME = r"^[a-z]+[0-9.]+(\.x)?$"

Stage = Annotated[str, StringConstraints(pattern=STAGE)]
Runtime = Annotated[str, StringConstraints(pattern=RUNTIME)]


class BusSpec(Strict):
    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,40}$")] = "milestones"
    archive_retention_days: int = Field(90, ge=1, le=3650, description="Days of events kept for replay.")


class RuntimesSpec(Strict):
    default: Runtime = "python3.12"
    allowed: list[Runtime] = Field(default_factory=lambda: ["python3.12", "python3.13"], min_length=1)
    deprecated: list[Runtime] = Field(default_factory=list, description="Still build, with a warning.")

    @model_validator(mode="after")
    def _default_is_allowed(self) -> "RuntimesSpec":
        if self.default not in self.allowed:
            raise ValueError(f"runtimes.default {self.default!r} must be one of runtimes.allowed {self.allowed}")
        return self


class LambdaSpec(Strict):
    account_concurrency_limit: int = Field(1000, ge=100, le=1_000_000)


class StagesSpec(Strict):
    persistent: list[Stage] = Field(default_factory=lambda: ["dev", "staging", "prod"], min_length=1)
    ephemeral_parent: Stage = Field("dev", description="Persistent stage whose bus ephemeral stages use.")

    @model_validator(mode="after")
    def _parent_is_persistent(self) -> "StagesSpec":
        if self.ephemeral_parent not in self.persistent:
            raise ValueError(f"stages.ephemeral_parent {self.ephemeral_parent!r} must be a persistent stage")
        return self


class FunctionDefaultsSpec(Strict):
    timeout: int | None = Field(None, ge=1, le=900)
    memory: int | None = Field(None, ge=128, le=10240)


class QueueDefaultsSpec(Strict):
    batch_size: int | None = Field(None, ge=1, le=10)
    max_receive_count: int | None = Field(None, ge=2, le=1000)


class LogDefaultsSpec(Strict):
    retention_days: int | None = None
    ephemeral_retention_days: int | None = None

    @field_validator("retention_days", "ephemeral_retention_days")
    @classmethod
    def _cloudwatch_accepts(cls, value: int | None) -> int | None:
        # CloudWatch Logs takes only these values for RetentionInDays; anything else fails the deploy.
        if value is not None and value not in LOG_RETENTION_ALLOWED:
            raise ValueError(f"must be a retention CloudWatch Logs accepts ({', '.join(map(str, LOG_RETENTION_ALLOWED))}), "
                             f"got {value}")
        return value


class AlarmDefaultsSpec(Strict):
    queue_age_seconds: int | None = Field(None, ge=60, le=1_209_600)


class DefaultsSpec(Strict):
    function: FunctionDefaultsSpec = Field(default_factory=FunctionDefaultsSpec)
    queue: QueueDefaultsSpec = Field(default_factory=QueueDefaultsSpec)
    logs: LogDefaultsSpec = Field(default_factory=LogDefaultsSpec)
    alarms: AlarmDefaultsSpec = Field(default_factory=AlarmDefaultsSpec)


class JwtSpec(Strict):
    issuer: Annotated[str, StringConstraints(pattern=r"^https://\S+$")]
    audiences: list[Annotated[str, StringConstraints(min_length=1)]] = Field(..., min_length=1)


class HttpSpec(Strict):
    """HTTP APIs: never open. `iam` signs requests with SigV4; `jwt` needs an issuer."""

    auth: Literal["iam", "jwt"] = "iam"
    jwt: JwtSpec | None = None
    throttling_burst: int = Field(100, ge=1, le=5000, description="Default route burst limit.")
    throttling_rate: int = Field(50, ge=1, le=10000, description="Default route requests per second.")

    @model_validator(mode="after")
    def _jwt_has_issuer(self) -> "HttpSpec":
        if self.auth == "jwt" and self.jwt is None:
            raise ValueError("http.auth jwt needs http.jwt with issuer and audiences")
        return self


class LoggingSpec(Strict):
    sensitive_fields: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", max_length=64)]] | None = Field(
        None, description="Field names masked in every log line of every service (default: "
                          "generator/codegen/sensitive.py); contracts add the fields they mark sensitive.")


class PlatformSpec(Strict):
    org: Annotated[str, StringConstraints(pattern=ORG)]
    region: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")] = "eu-west-1"
    bus: BusSpec = Field(default_factory=BusSpec)
    runtimes: RuntimesSpec = Field(default_factory=RuntimesSpec)
    # `lambda` is a Python keyword, hence the alias.
    lambda_: LambdaSpec = Field(default_factory=LambdaSpec, alias="lambda")
    stages: StagesSpec = Field(default_factory=StagesSpec)
    defaults: DefaultsSpec = Field(default_factory=DefaultsSpec)
    http: HttpSpec = Field(default_factory=HttpSpec)
    logging: LoggingSpec = Field(default_factory=LoggingSpec)
