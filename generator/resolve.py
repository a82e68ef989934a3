"""ServiceSpec + stage + platform -> ResolvedService: every default applied, every name computed.

After this step nothing downstream consults the spec, the platform or the defaults module: the
renderer reads only resolved values, so what a template contains is decided here, in one place.
Each concern decides its own fields (its resolve module, see generator/concerns/registry.py);
this module holds the resolved shapes and runs the concerns in registry order.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.concerns import registry as concerns
from generator.concerns.concern import FunctionGiven, ServiceGiven
from generator.naming import Names, PlatformNames
from generator.spec.model import ServiceSpec
from generator.spec.platform import PlatformSpec
from generator.stages import Stage

if TYPE_CHECKING:
    from generator.concerns.event_store.resolve import ResolvedEventStore
    from generator.concerns.http.resolve import ResolvedRoute
    from generator.concerns.queue.resolve import ResolvedQueue
    from generator.concerns.subscription.resolve import ResolvedSubscription
    from generator.concerns.workflow.resolve import ResolvedStart


@dataclass(frozen=True)
class ResolvedFunction:
    # concerns/function/resolve.py
    key: str
    logical_id: str
    name: str
    role_name: str
    log_group_name: str
    handler: str  # the developer's business function (module.function), called by the entry
    entry: str  # the Lambda Handler: generated plumbing (codegen) that wires the event to `handler`
    description: str
    runtime: str
    timeout: int
    memory: int
    environment: tuple[tuple[str, str], ...]
    reserved_concurrency: int | None
    subscriptions: tuple["ResolvedSubscription", ...]  # concerns/subscription/resolve.py
    queue: "ResolvedQueue | None"  # concerns/queue/resolve.py
    # Functions svcgen adds itself (the store publisher) have none of the following.
    store_access: tuple[str, ...] = ()  # concerns/event_store/resolve.py
    starts: tuple["ResolvedStart", ...] = ()  # concerns/workflow/resolve.py
    http: "ResolvedRoute | None" = None  # concerns/http/resolve.py
    idempotency_key: str | None = None  # concerns/idempotency/resolve.py
    # Events it may put on the bus (its IAM `events:detail-type`): concerns/events/resolve.py.
    publishes: tuple[str, ...] = ()
    # What plugin concerns resolved for it: (name, value), see `extension`.
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
    tags: tuple[tuple[str, str], ...]
    functions: tuple[ResolvedFunction, ...]
    source: str  # envelope `source` of its milestones: concerns/events/resolve.py
    publishes: tuple[str, ...]
    log_retention_days: int  # concerns/function/resolve.py
    alert_emails: tuple[str, ...]  # concerns/alarms/resolve.py
    queue_age_alarm_seconds: int
    event_store: "ResolvedEventStore | None"  # concerns/event_store/resolve.py
    idempotency_table: str | None  # concerns/idempotency/resolve.py, when any function is idempotent
    workflows: tuple[Any, ...]  # ResolvedWorkflow, concerns/workflow/resolve.py
    http_auth: Any  # platform HttpSpec, when any function has a route: concerns/http/resolve.py


def resolve_service(spec: ServiceSpec, platform: PlatformSpec, stage: Stage) -> ResolvedService:
    names = Names(platform.org, stage.name, spec.service)
    given = ServiceGiven(names, platform, stage, spec)
    modules = _resolve_modules()
    fields: dict[str, Any] = {}
    for _, module in modules:
        if hasattr(module, "service_fields"):
            fields.update(module.service_fields(given))
    return ResolvedService(
        service=spec.service,
        owner=spec.owner,
        description=spec.description,
        org=platform.org,
        region=platform.region,
        stage=stage,
        names=names,
        platform_names=PlatformNames(platform.org, stage.name, platform.bus.name, artifacts_stage=stage.platform_stage),
        tags=tuple(sorted(spec.tags.items())),
        functions=tuple(_function(modules, FunctionGiven(given, key, fn)) for key, fn in spec.functions.items()),
        **fields,
    )


def _function(modules, given: FunctionGiven) -> ResolvedFunction:
    fields: dict[str, Any] = {}
    extensions = []
    for concern, module in modules:
        if hasattr(module, "function_fields"):
            fields.update(module.function_fields(given, fields))
        if hasattr(module, "extension"):
            value = module.extension(given)
            if value is not None:
                extensions.append((concern.name, value))
    return ResolvedFunction(**fields, extensions=tuple(extensions))


def _resolve_modules() -> tuple:
    """(concern, resolve module) in registry order. Imported by name: the resolve modules depend
    on the spec model, which imports the registry (generator/concerns/registry.py)."""
    return tuple((c, importlib.import_module(c.resolve_module)) for c in concerns.CONCERNS if c.resolve_module)
