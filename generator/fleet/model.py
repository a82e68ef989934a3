"""The fleet as plain data: what the platform team's views (graph, inventory, catalog) and the
manifests show of each service, read from its spec and its resolution for one stage.

Built from the spec and the same `resolve_service` the templates are rendered from, so a view
never disagrees with what is deployed (a function's memory is the default it gets when its spec
says nothing). Everything is sorted by name: the views are goldens and must be deterministic.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from generator.concerns import registry as concerns
from generator.rules.base import subscriptions_of


@dataclass(frozen=True)
class RuntimeStatus:
    runtime: str
    status: str  # "allowed" | "deprecated" | "not allowed"
    sunset: date | None = None  # a deprecated runtime's last day, when platform.yaml gives one


@dataclass(frozen=True)
class SubscriptionView:
    kind: str  # "bus" (a milestone on the bus) | "store" (an event store's fan-out)
    publisher: str  # the service that publishes or stores the event
    event: str
    filter: dict[str, Any] | None
    subscriber: str  # the function or workflow that receives it
    subscriber_kind: str  # "function" | "workflow"


@dataclass(frozen=True)
class FunctionView:
    name: str
    trigger: str  # the concern kind: "queue" | "http" | "schedule" | "task" (a workflow step) | "direct"
    triggers: tuple[str, ...]  # for people: "AccountOpened from accounts", "POST /accounts", "rate(1 hour)"
    runtime: RuntimeStatus
    memory: int
    timeout: int
    reserved_concurrency: int | None
    publishes: tuple[str, ...]  # the milestones it may put on the bus
    starts: tuple[str, ...]  # workflows it starts, `service.workflow`
    queue: dict[str, Any] | None  # {"fifo": bool, "max_receive_count": int} for a queue consumer
    is_async: bool  # invoked asynchronously (EventBridge Scheduler): a failure needs a destination


@dataclass(frozen=True)
class WorkflowView:
    name: str
    started_by: tuple[SubscriptionView, ...]
    calls: tuple[str, ...]  # functions its steps call, in step order


@dataclass(frozen=True)
class ServiceView:
    service: str
    owner: str
    description: str
    system: str  # the Backstage system: the `system` tag, else the platform's org
    tags: dict[str, str]
    spec_file: str
    alert_emails: tuple[str, ...]
    publishes: tuple[str, ...]  # milestones on the bus
    stores: tuple[str, ...]  # event store events (fanned out when `store_fan_out`)
    store_fan_out: bool
    contracts: dict[str, dict[str, Any]]  # event -> {"version", "description", "fields"}
    functions: tuple[FunctionView, ...]
    workflows: tuple[WorkflowView, ...]
    subscriptions: tuple[SubscriptionView, ...] = field(default=())  # every function's and workflow's

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (dates as ISO strings)."""
        return _plain(asdict(self))


def spec_location(spec_file: str) -> str:
    """The spec's path inside its repository (the nearest directory with `.git`), the same on every
    machine and from any working directory; a path outside any repository by its file name."""
    path = Path(spec_file)
    if not path.is_absolute():
        if not path.exists():  # e.g. as a manifest recorded it: already relative to its repository
            return path.as_posix()
        path = path.resolve()
    for parent in path.parents:
        if (parent / ".git").exists():
            return path.relative_to(parent).as_posix()
    return path.name


def runtime_status(runtime: str, platform) -> RuntimeStatus:
    runtimes = platform.runtimes
    if runtime in runtimes.deprecated:
        return RuntimeStatus(runtime, "deprecated", runtimes.sunset_of(runtime))
    return RuntimeStatus(runtime, "allowed" if runtime in runtimes.allowed else "not allowed")


def describe_service(item, platform, stage, svc=None) -> ServiceView:
    """One service's view, from its spec (a `ServiceInput`) resolved for `stage` (`svc`: the
    ResolvedService a build already made for it)."""
    from generator.resolve import resolve_service  # the heavy part: only views that describe pay

    spec = item.spec
    svc = svc or resolve_service(spec, platform, stage)
    received: dict[tuple[str, str], list[SubscriptionView]] = {}  # (owner kind, owner) -> its subscriptions
    for site in subscriptions_of(spec):
        received.setdefault((site.owner_kind, site.owner), []).append(SubscriptionView(
            "store" if site.is_store else "bus", site.publisher or spec.service, site.event, site.sub.filter,
            site.owner, site.owner_kind))
    subscriptions: list[SubscriptionView] = []
    functions = []
    for fn in sorted(svc.functions, key=lambda f: f.key):
        fn_spec = spec.functions[fn.key]
        subs = tuple(received.get(("function", fn.key), ()))
        subscriptions += subs
        kind = concerns.trigger_of(spec, fn.key).kind
        functions.append(FunctionView(
            fn.key, kind, _triggers(fn_spec, subs, kind), runtime_status(fn.runtime, platform), fn.memory,
            fn.timeout, fn.reserved_concurrency, tuple(fn.publishes), tuple(_start_ref(spec.service, s) for s in fn.starts),
            {"fifo": fn.queue.fifo, "max_receive_count": fn.queue.max_receive_count} if fn.queue else None,
            kind == "schedule"))
    workflows = []
    for name in sorted(spec.workflows):
        wf = spec.workflows[name]
        started = tuple(received.get(("workflow", name), ()))
        subscriptions += started
        calls = tuple(step.call for step in wf.steps if getattr(step, "call", None))
        workflows.append(WorkflowView(name, started, calls))
    store = spec.event_store
    return ServiceView(
        spec.service, spec.owner, spec.description, spec.tags.get("system", platform.org), dict(sorted(spec.tags.items())),
        item.doc.file, tuple(svc.alert_emails), tuple(sorted(spec.publishes)),
        tuple(sorted(store.events)) if store else (), bool(store and store.fan_out),
        {name: contract.model_dump(mode="json", exclude_none=True) for name, contract in sorted(spec.events.items())},
        tuple(functions), tuple(workflows), tuple(subscriptions))


def describe_fleet(services, platform, stage) -> list[ServiceView]:
    return [describe_service(item, platform, stage) for item in sorted(services, key=lambda s: s.spec.service)]


def _start_ref(service: str, start) -> str:
    return f"{start.service or service}.{start.workflow}"


def _triggers(fn_spec, subs: tuple[SubscriptionView, ...], kind: str) -> tuple[str, ...]:
    if kind == "queue":
        return tuple(f"{'store event ' if s.kind == 'store' else ''}{s.event} from {s.publisher}"
                     + (" (filtered)" if s.filter else "") for s in subs)
    if kind == "http":
        return (str(fn_spec.http),)
    if kind == "schedule":
        return (fn_spec.schedule.expression,)
    if kind == "task":
        return ("workflow step",)
    return ("invoked directly",)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
