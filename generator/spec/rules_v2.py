"""Rules for event stores, store subscriptions, workflows and HTTP routes within one spec."""

from __future__ import annotations

from generator.resolve_workflows import seconds
from generator.spec.workflow_model import CallStep, ChooseStep, PauseStep


def subscription_kind(doc, spec, platform):
    """Each subscription names exactly one of `event` (bus) or `store`; a bus event needs `from`."""
    for path, sub in subscriptions_of(spec):
        if (sub.event is None) == (sub.store is None):
            got = "both" if sub.event else "neither"
            yield doc.error(path, f"a subscription must have exactly one of `event` or `store`, got {got}",
                            "`event:` + `from:` for a milestone on the bus, `store:` for an event-store event")
        elif sub.event is not None and sub.from_ is None:
            yield doc.error(path, "a bus subscription must say which service publishes the event, got no `from`",
                            "add `from: <service>`")


def own_store_events_exist(doc, spec, platform):
    """`store: X` without `from` (or from this service) needs X in this service's event_store."""
    for path, sub in subscriptions_of(spec):
        if sub.store is None or (sub.from_ not in (None, spec.service)):
            continue
        if spec.event_store is None:
            yield doc.error(path + ("store",), f"subscribes to its own event store, got no `event_store` in {spec.service}",
                            "add `event_store: {events: [...]}` or name the owning service with `from:`")
        elif sub.store not in spec.event_store.events:
            yield doc.error(path + ("store",),
                            f"must be one of this service's stored events, got {sub.store!r}",
                            f"event_store.events: {', '.join(spec.event_store.events)}")


# Functions svcgen adds to a service itself; a spec function of the same name would collide.
RESERVED_FUNCTIONS = ("store-publisher",)


def reserved_function_names(doc, spec, platform):
    for name in spec.functions:
        if name in RESERVED_FUNCTIONS:
            yield doc.error(("functions", name), f"function names must not be one svcgen adds itself, got {name!r}",
                            "rename it")


def own_store_fans_out(doc, spec, platform):
    """Store subscriptions read the store's topic, which only exists with fan_out."""
    for path, sub in subscriptions_of(spec):
        if sub.store is not None and sub.from_ in (None, spec.service) and spec.event_store is not None \
                and not spec.event_store.fan_out:
            yield doc.error(path + ("store",), "subscribing to this service's store needs `event_store.fan_out: "
                            "true`, got fan_out: false", "turn fan_out on, or subscribe on the bus")


def workflows_start_on_bus_events(doc, spec, platform):
    for name, wf in spec.workflows.items():
        for i, sub in enumerate(wf.started_by):
            if sub.store is not None:
                yield doc.error(("workflows", name, "started_by", i, "store"),
                                "a workflow is started by milestones on the bus, got a store event",
                                "use `event:` + `from:`; or let a function subscribe to the store and `starts:` it")


def store_access_needs_store(doc, spec, platform):
    for name, fn in spec.functions.items():
        if fn.store_access and spec.event_store is None:
            yield doc.error(("functions", name, "store_access"),
                            "needs an event store in this service, got no `event_store`",
                            "add `event_store: {events: [...]}`")


def own_workflows_exist(doc, spec, platform):
    for name, fn in spec.functions.items():
        for i, ref in enumerate(fn.starts):
            if "." not in ref and ref not in spec.workflows:
                yield doc.error(("functions", name, "starts", i), f"must name a workflow of this service, got {ref!r}",
                                f"workflows: {', '.join(spec.workflows) or 'none'}; another service's as `service.name`")


def unique_routes(doc, spec, platform):
    seen: dict[str, str] = {}
    for name, fn in spec.functions.items():
        if fn.http is None:
            continue
        if fn.http in seen:
            yield doc.error(("functions", name, "http"), f"route {fn.http!r} is already served by {seen[fn.http]!r}",
                            "each route has one function")
        seen.setdefault(fn.http, name)


# API Gateway HTTP APIs give up on an integration after 30 s (API Gateway quotas); a longer
# function timeout would keep running after the caller already got a 503.
HTTP_INTEGRATION_TIMEOUT_SECONDS = 30


def http_timeout_fits_gateway(doc, spec, platform):
    for name, fn in spec.functions.items():
        if fn.http is not None and fn.timeout is not None and fn.timeout > HTTP_INTEGRATION_TIMEOUT_SECONDS:
            yield doc.error(("functions", name, "timeout"),
                            f"a function behind an HTTP route must time out within {HTTP_INTEGRATION_TIMEOUT_SECONDS} s, "
                            f"got {fn.timeout}", "API Gateway ends the request after 30 s; start a workflow for long work")


def workflow_steps_are_valid(doc, spec, platform):
    for wf_name, wf in spec.workflows.items():
        names: dict[str, tuple] = {}
        yield from _steps(doc, spec, ("workflows", wf_name, "steps"), wf.steps, names)


def _steps(doc, spec, path: tuple, steps, names: dict):
    for i, step in enumerate(steps):
        here = path + (i,)
        if isinstance(step, CallStep):
            for key in ("call", "compensate"):
                fn = getattr(step, key)
                if fn is not None and fn not in spec.functions:
                    yield doc.error(here + (key,), f"must name a function of this service, got {fn!r}",
                                    f"functions: {', '.join(spec.functions)}")
            if step.timeout is not None and step.call in spec.functions:
                limit = spec.functions[step.call].timeout
                if limit is not None and step.timeout < limit:
                    yield doc.error(here + ("timeout",),
                                    f"must be ≥ the function's own timeout ({limit} s), got {step.timeout}",
                                    "a shorter task timeout abandons invocations that are still running")
            continue
        step_name = step.pause if isinstance(step, PauseStep) else step.choose
        if step_name in names:
            yield doc.error(here, f"step names must be unique in a workflow, got {step_name!r} twice")
        names.setdefault(step_name, here)
        if isinstance(step, PauseStep) and step.heartbeat is not None \
                and seconds(step.heartbeat) >= seconds(step.timeout):
            yield doc.error(here + ("heartbeat",), f"must be shorter than the pause's timeout ({step.timeout}), "
                            f"got {step.heartbeat}", "Step Functions requires HeartbeatSeconds < TimeoutSeconds")
        if isinstance(step, PauseStep) and step.reviewer is not None and step.reviewer not in spec.functions:
            yield doc.error(here + ("reviewer",), f"must name a function of this service, got {step.reviewer!r}",
                            f"functions: {', '.join(spec.functions)}")
        if isinstance(step, ChooseStep):
            for value, branch in step.when.items():
                yield from _steps(doc, spec, here + ("when", value), branch, names)
            if step.otherwise:
                yield from _steps(doc, spec, here + ("otherwise",), step.otherwise, names)


def subscriptions_of(spec):
    """Every subscription of a spec with its key path: functions' `subscribe` and workflows'
    `started_by` (both deliver events into a queue)."""
    for name, fn in spec.functions.items():
        for i, sub in enumerate(fn.subscribe):
            yield ("functions", name, "subscribe", i), sub
    for name, wf in spec.workflows.items():
        for i, sub in enumerate(wf.started_by):
            yield ("workflows", name, "started_by", i), sub


V2_RULES = (subscription_kind, reserved_function_names, own_store_fans_out, workflows_start_on_bus_events,
            own_store_events_exist, store_access_needs_store, own_workflows_exist,
            unique_routes, http_timeout_fits_gateway, workflow_steps_are_valid)
