"""`platform.yaml`: what the platform team decides once for every service.

Overrides of svcgen's built-in defaults sit under `defaults:`; anything not set there falls back
to each concern's `generator/concerns/<concern>/defaults.py`, where each default carries its reason and source.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import re
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from generator.check.config import RulesSpec
from generator.concerns.function.defaults import LOG_RETENTION_ALLOWED
from generator.spec.load import shown
from generator.spec.model import Strict

ORG = r"^[a-z][a-z0-9]{1,9}$"
STAGE = r"^[a-z][a-z0-9-]{0,19}$"
RUNTIME = r"^[a-z]+[0-9.]+(\.x)?$"
# The shape of a region name; whether AWS has it is `known_regions`' job (botocore's list).
REGION = r"^[a-z]{2}(-[a-z]+)+-\d$"
SENSITIVE_FIELD = r"^[A-Za-z][A-Za-z0-9_-]*$"
ISSUER = r"^https://\S+$"

Stage = Annotated[str, StringConstraints(pattern=STAGE)]
Runtime = Annotated[str, StringConstraints(pattern=RUNTIME)]


def problem(message: str, hint: str = "", key: str = "") -> PydanticCustomError:
    """A validator's complaint in svcgen's own words (`message`: what must hold, got what),
    about its field or, from a model validator, about the field `key`; validate.py prints it as is."""
    return PydanticCustomError("spec_problem", "{message}", {"message": message, "hint": hint, "key": key})


@functools.cache
def known_regions() -> tuple[str, ...]:
    """Every region of every AWS partition that has CloudFormation, from the endpoint data
    botocore ships (no network): the same list cfn-lint checks templates against."""
    from botocore.loaders import Loader  # ~0.15 s to import: only when a region is checked

    regions: set[str] = set()
    for partition in Loader().load_data("endpoints")["partitions"]:
        endpoints = partition.get("services", {}).get("cloudformation", {}).get("endpoints", {})
        regions.update(r for r in partition.get("regions", {}) if r in endpoints)
    # only those REGION can express (it refuses e.g. eusc-de-east-1): never suggest a refused one
    return tuple(sorted(r for r in regions if re.fullmatch(REGION, r)))


def region_problem(value: object) -> tuple[str, str]:
    """The message and hint for a region AWS does not have (or botocore does not know yet)."""
    regions = known_regions()
    typed = value.strip().lower() if isinstance(value, str) else ""  # `EU-West-1 ` is close to eu-west-1
    close = sorted(difflib.get_close_matches(typed, regions, n=3, cutoff=0.75)) if typed else []
    newer = "a region newer than the installed botocore needs an upgrade: `pip install -U boto3`"
    if close:
        names = [f"`{r}`" for r in close]
        fix = f"did you mean {', '.join(names[:-1]) + ' or ' if len(names) > 1 else ''}{names[-1]}? {newer}"
    else:
        fix = f"set it to one of the {len(regions)} regions botocore knows: {', '.join(regions)}; {newer}"
    return f"must be an AWS region that has CloudFormation, got {shown(repr(value))}", fix


class BusSpec(Strict):
    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,40}$")] = "milestones"
    archive_retention_days: int = Field(90, ge=1, le=3650, description="Days of events kept for replay.")


class RuntimesSpec(Strict):
    default: Runtime = "python3.12"
    allowed: list[Runtime] = Field(default_factory=lambda: ["python3.12", "python3.13"], min_length=1)
    deprecated: list[Runtime] = Field(default_factory=list, description="Still build, with a warning.")
    sunset: dict[Runtime, Annotated[datetime.date, Field(strict=False)]] = Field(
        default_factory=dict, description="The last day a deprecated runtime may be used, e.g. python3.11: 2026-10-31. "
        "`svcgen check` warns before it (SVC1902) and fails from the day after (SVC4002).")

    @model_validator(mode="after")
    def _default_is_allowed(self) -> "RuntimesSpec":
        if self.default not in self.allowed:
            allowed = shown(repr(self.allowed), 200)
            raise problem(f"must be one of runtimes.allowed {allowed}, got {shown(repr(self.default))}",
                          key="default")
        return self

    @model_validator(mode="after")
    def _sunset_is_of_a_deprecated_runtime(self) -> "RuntimesSpec":
        for runtime in self.sunset:
            if runtime not in self.deprecated:
                raise problem(f"must name a runtime of runtimes.deprecated {shown(repr(self.deprecated), 200)}, got "
                              f"{shown(repr(runtime))}", "a runtime gets a sunset once it is deprecated", key="sunset")
        return self

    def sunset_of(self, runtime: str) -> datetime.date | None:
        return self.sunset.get(runtime)


class LambdaSpec(Strict):
    account_concurrency_limit: int = Field(1000, ge=100, le=1_000_000)


class StagesSpec(Strict):
    persistent: list[Stage] = Field(default_factory=lambda: ["dev", "staging", "prod"], min_length=1)
    ephemeral_parent: Stage = Field(
        "dev", description="Persistent stage whose artifacts bucket ephemeral stages deploy code from.")
    bridge_from_parent: bool = Field(
        False, description="Forward the parent stage's milestones into each ephemeral stage's own bus, so a "
        "PR stage sees realistic traffic. One way: nothing an ephemeral stage publishes reaches its parent.")

    @model_validator(mode="after")
    def _parent_is_persistent(self) -> "StagesSpec":
        if self.ephemeral_parent not in self.persistent:
            raise problem(f"must be a persistent stage, got {shown(repr(self.ephemeral_parent))}",
                          key="ephemeral_parent")
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
            accepted = ", ".join(map(str, LOG_RETENTION_ALLOWED))
            raise problem(f"must be a retention CloudWatch Logs accepts ({accepted}), got {value}")
        return value


class AlarmDefaultsSpec(Strict):
    queue_age_seconds: int | None = Field(None, ge=60, le=1_209_600)


class DefaultsSpec(Strict):
    function: FunctionDefaultsSpec = Field(default_factory=FunctionDefaultsSpec)
    queue: QueueDefaultsSpec = Field(default_factory=QueueDefaultsSpec)
    logs: LogDefaultsSpec = Field(default_factory=LogDefaultsSpec)
    alarms: AlarmDefaultsSpec = Field(default_factory=AlarmDefaultsSpec)


class JwtSpec(Strict):
    issuer: Annotated[str, StringConstraints(pattern=ISSUER)]
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
            raise problem("is required when `auth` is jwt, got no `jwt` key",
                          "add `jwt:` with `issuer: https://...` and `audiences: [...]`, or use `auth: iam`", key="jwt")
        return self


class LoggingSpec(Strict):
    sensitive_fields: list[Annotated[str, StringConstraints(pattern=SENSITIVE_FIELD, max_length=64)]] | None = Field(
        None, description="Field names masked in every log line of every service (default: "
                          "generator/codegen/sensitive.py); contracts add the fields they mark sensitive.")


# The arguments `pip install` takes to install svcgen (and the svcgen-runtime it depends on), as
# one line: words separated by single spaces, `name @ URL` being one word. Anything else with a
# space would be split differently by pip and by the shell; braces would be read as template
# syntax when `svcgen new` renders the value into a workflow.
INSTALL_WORD = r"[^\s{}]+ @ [^\s{}]+|[^\s{}]+"
SVCGEN_INSTALL = re.compile(rf"(?:{INSTALL_WORD})(?: (?:{INSTALL_WORD}))*")
SVCGEN_INSTALL_RULE = ("must be what `pip install` takes to install svcgen: a requirement like svcgen==0.1.0, a URL "
                       "like git+https://git.example.com/platform/svcgen@v0.1.0, a path in the repository like "
                       "./tools/svcgen-0.1.0-py3-none-any.whl, or several, like `--find-links ./tools svcgen==0.1.0`")
SVCGEN_INSTALL_HINT = ("words separated by single spaces (`name @ URL` is one word; a requirement's version "
                       "without spaces: svcgen>=0.1), without braces")


def install_words(value: str) -> list[str]:
    """svcgen.install as pip's arguments."""
    return re.findall(INSTALL_WORD, value)


def svcgen_install_problem(value: str) -> str | None:
    """Why `value` cannot be svcgen.install (None when it can): shared by platform.yaml's model
    and the `--svcgen-source` / `--option svcgen_install` answers, so all three say the same."""
    # A word that starts with a version operator was split off its requirement (`svcgen >= 1`).
    if not SVCGEN_INSTALL.fullmatch(value) or len(value) > 500 or \
            any(re.match(r"[<>=!~;]", word) for word in install_words(value)):
        return f"{SVCGEN_INSTALL_RULE}, got {shown(repr(value))}"
    return None


class SvcgenSpec(Strict):
    """Where this organisation installs svcgen from: the CI workflows `svcgen init` and
    `svcgen new` write run `python -m pip install <install>`."""

    install: str = Field(..., description="What `pip install` takes to install svcgen (and svcgen-runtime) in CI: a "
                                          "requirement from your package index (svcgen==0.1.0), a URL "
                                          "(git+https://git.example.com/platform/svcgen@v0.1.0), a path from the "
                                          "repository root (./tools/svcgen-0.1.0-py3-none-any.whl), or several "
                                          "arguments (--find-links ./tools svcgen==0.1.0).")

    @field_validator("install")
    @classmethod
    def _pip_installs_it(cls, value: str) -> str:
        why = svcgen_install_problem(value)
        if why:
            raise problem(why, SVCGEN_INSTALL_HINT)
        return value


class PlatformSpec(Strict):
    org: Annotated[str, StringConstraints(pattern=ORG)]
    region: Annotated[str, StringConstraints(pattern=REGION)] = "eu-west-1"
    bus: BusSpec = Field(default_factory=BusSpec)
    runtimes: RuntimesSpec = Field(default_factory=RuntimesSpec)
    # `lambda` is a Python keyword, hence the alias.
    lambda_: LambdaSpec = Field(default_factory=LambdaSpec, alias="lambda")
    stages: StagesSpec = Field(default_factory=StagesSpec)
    defaults: DefaultsSpec = Field(default_factory=DefaultsSpec)
    http: HttpSpec = Field(default_factory=HttpSpec)
    logging: LoggingSpec = Field(default_factory=LoggingSpec)
    rules: RulesSpec = Field(default_factory=RulesSpec, description="The platform team's rules, checked by `svcgen "
                             "check` over the whole fleet (generator/check/config.py).")
    svcgen: SvcgenSpec | None = Field(None, description="Where this organisation installs svcgen from (recorded by "
                                                        "`svcgen init`; used by the CI workflows it and `svcgen new` "
                                                        "write).")

    @field_validator("region")
    @classmethod
    def _region_exists(cls, value: str) -> str:
        # A made-up region passes the pattern but fails cfn-lint (or the deploy) much later.
        if value not in known_regions():
            raise problem(*region_problem(value))
        return value
