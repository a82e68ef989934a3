"""ServiceSpec + stage + platform -> ResolvedService: every default applied, every name computed.

After this step nothing downstream consults the spec, the platform or the defaults module: the
renderer reads only resolved values, so what a template contains is decided here, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.concerns.alarms import defaults as alarms_defaults
from generator.concerns.function import defaults as function_defaults
from generator.concerns import registry as concerns
from generator.naming import Names, PlatformNames, logical
from generator.concerns.queue.spec import QueueSpec
from generator.spec.model import FunctionSpec, ServiceSpec
from generator.spec.platform import PlatformSpec
from generator.concerns.queue.resolve import ResolvedQueue, resolve_queue
from generator.concerns.subscription.resolve import ResolvedSubscription, event_source, resolve_subscription, store_source
from generator.concerns.workflow.resolve import resolve_workflows
from generator.stages import Stage



@dataclass(frozen=True)
class ResolvedStart:
    """A workflow a function may start: this service's (`logical_id`) or another's (`export`)."""

    service: str
    workflow: str
    logical_id: str | None
    export: str | None


@dataclass(frozen=True)
class ResolvedRoute:
    method: str
    path: str
    logical_id: str


@dataclass(frozen=True)
class ResolvedEventStore:
    table_name: str
    events: tuple[str, ...]
    fan_out: bool
    topic_name: str
    pipe_name: str
    source: str  # `source` of the envelope the fan-out puts around each stored event


@dataclass(frozen=True)
class ResolvedFunction:
    key: str
    logical_id: str
    name: str
    role_name: str
    log_group_name: str
    handler: str  # the developer's business function (module.function), called by the entry
    description: str
    runtime: str
    timeout: int
    memory: int
    environment: tuple[tuple[str, str], ...]
    reserved_concurrency: int | None
    subscriptions: tuple[ResolvedSubscription, ...]
    queue: ResolvedQueue | None
    store_access: tuple[str, ...] = ()
    starts: tuple[ResolvedStart, ...] = ()
    http: ResolvedRoute | None = None
    # The Lambda Handler: generated plumbing (codegen) that wires the event to `handler`.
    entry: str = ""
    idempotency_key: str | None = None
    # Events it may put on the bus (its IAM `events:detail-type`), in the service's `publishes`
    # order: see `function_publishes`.
    publishes: tuple[str, ...] = ()
    # What registered concerns (generator/concerns/registry.py) resolved for it: (name, value).
    extensions: tuple[tuple[str, Any], ...] = ()

    def extension(self, name: str) -> Any:
        """The value concern `name` resolved for this function, or None."""
        return next((value for key, value in self.extensions if key == name), None)


@dataclass(frozen=True)
class ResolvedService:
    service: str
    owner: str
    description: str
    org: str
    region: str
    stage: Stage
    names: Names
    platform_names: PlatformNames
    source: str
    tags: tuple[tuple[str, str], ...]
    publishes: tuple[str, ...]
    functions: tuple[ResolvedFunction, ...]
    alert_emails: tuple[str, ...]
    log_retention_days: int
    queue_age_alarm_seconds: int
    event_store: ResolvedEventStore | None = None
    idempotency_table: str | None = None  # when any function is idempotent
    workflows: tuple[Any, ...] = ()  # ResolvedWorkflow, see concerns/workflow/resolve.py
    http_auth: Any = None  # platform HttpSpec, when any function has a route


def workflow_export(org: str, stage: str, service: str, workflow: str) -> str:
    return Names(org, stage, service).export(f"{workflow}-state-machine-arn")


def resolve_service(spec: ServiceSpec, platform: PlatformSpec, stage: Stage) -> ResolvedService:
    names = Names(platform.org, stage.name, spec.service)
    pd = platform.defaults
    if stage.persistent:
        retention = pd.logs.retention_days or function_defaults.LOG_RETENTION_DAYS
    else:
        retention = pd.logs.ephemeral_retention_days or function_defaults.EPHEMERAL_LOG_RETENTION_DAYS
    functions = tuple(
        _function(names, platform, stage, spec, key, fn) for key, fn in spec.functions.items()
    )

    store = spec.event_store
    return ResolvedService(
        service=spec.service,
        owner=spec.owner,
        description=spec.description,
        org=platform.org,
        region=platform.region,
        stage=stage,
        names=names,
        platform_names=PlatformNames(platform.org, stage.platform_stage, platform.bus.name),
        source=event_source(platform.org, spec.service),
        tags=tuple(sorted(spec.tags.items())),
        publishes=tuple(spec.publishes),
        functions=functions,
        alert_emails=tuple(spec.alerts.email),
        log_retention_days=retention,
        queue_age_alarm_seconds=pd.alarms.queue_age_seconds or alarms_defaults.QUEUE_AGE_ALARM_SECONDS,
        event_store=ResolvedEventStore(
            table_name=names.physical("table", "events"),
            events=tuple(store.events),
            fan_out=store.fan_out,
            topic_name=names.physical("topic", "events"),
            pipe_name=names.physical("pipe", "events"),
            source=store_source(platform.org, spec.service),
        ) if store else None,
        workflows=resolve_workflows(names, platform, stage, spec),
        idempotency_table=names.physical("table", "idempotency")
        if any(fn.idempotency for fn in spec.functions.values()) else None,
        http_auth=platform.http if any(fn.http for fn in spec.functions.values()) else None,
    )


def _function(names: Names, platform: PlatformSpec, stage: Stage, spec: ServiceSpec,
              key: str, fn: FunctionSpec) -> ResolvedFunction:
    timeout = fn.timeout or platform.defaults.function.timeout or function_defaults.FUNCTION_TIMEOUT
    base = logical(key)
    subscriptions = tuple(resolve_subscription(names, platform, stage, spec.service, key, sub)
                          for sub in fn.subscribe)
    queue = resolve_queue(names, platform, key, fn.queue or QueueSpec(), timeout) if fn.subscribe else None
    # Reserved concurrency would let ephemeral stages eat the account's shared pool (DESIGN).
    reserved = fn.reserved_concurrency if stage.persistent else None
    return ResolvedFunction(
        key=key,
        logical_id=base,
        name=names.function(key),
        role_name=names.role(key),
        log_group_name=names.log_group(key),
        handler=fn.handler or f"handlers.{key.replace('-', '_')}.handle",
        entry=f"plumbing.{key.replace('-', '_')}.handler",
        idempotency_key=fn.idempotency.key if fn.idempotency else None,
        description=fn.description or f"{spec.service} {key}",
        runtime=spec.runtime or platform.runtimes.default,
        timeout=timeout,
        memory=fn.memory or platform.defaults.function.memory or function_defaults.FUNCTION_MEMORY,
        environment=tuple(sorted(fn.environment.items())),
        reserved_concurrency=reserved,
        subscriptions=subscriptions,
        queue=queue,
        store_access=tuple(sorted(set(fn.store_access))),
        starts=tuple(_start(platform, stage, spec.service, ref) for ref in fn.starts),
        http=ResolvedRoute(*fn.http.split(" ", 1), logical_id=logical(key, "route")) if fn.http else None,
        publishes=function_publishes(spec, key),
        extensions=concerns.resolve_function(names, platform, stage, spec, key, fn),
    )


def function_publishes(spec: ServiceSpec, key: str) -> tuple[str, ...]:
    """The events function `key` may publish. While no function of the service declares
    `publishes`, each may publish all of the service's (svcgen's behaviour before functions could
    declare). Once one declares, exactly what each declares, and nothing for one that declares
    nothing: failing closed means a function added later, or one forgotten when a colleague
    narrowed another, cannot publish every milestone unnoticed — it fails at once, in its tests."""
    declared = {name: fn.publishes for name, fn in spec.functions.items() if fn.publishes is not None}
    if not declared:
        return tuple(spec.publishes)
    own = set(declared.get(key) or ())
    return tuple(e for e in spec.publishes if e in own)


def _start(platform: PlatformSpec, stage: Stage, service: str, ref: str) -> ResolvedStart:
    owner, _, workflow = ref.rpartition(".")
    owner = owner or service
    if owner == service:
        return ResolvedStart(owner, workflow, logical_id=logical(workflow, "state-machine"), export=None)
    return ResolvedStart(owner, workflow, logical_id=None,
                         export=workflow_export(platform.org, stage.name, owner, workflow))


