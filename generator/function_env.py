"""The environment svcgen gives a function, by name, in one place.

The components that set a variable take its name from here, the generated plumbing is written
against the same names, and rules SVC1002/SVC1020 refuse a spec `environment` entry that svcgen
would replace: `derived` says, for one function of a spec, every name svcgen sets on it and what
it holds, from the same conditions the components render it under (tests/unit/
test_function_publishes.py checks that the rendered environment is exactly this, plus the
spec's own entries and `OVERRIDABLE`).
"""

from __future__ import annotations

from generator.concerns.events.resolve import function_publishes
from generator.concerns.workflow.participants import workflow_roles
from generator.concerns.subscription.resolve import event_source

SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
STAGE = "SVCGEN_STAGE"
EVENT_BUS_NAME = "EVENT_BUS_NAME"
EVENT_SOURCE = "EVENT_SOURCE"
EVENT_STORE_TABLE = "EVENT_STORE_TABLE"
STORE_TOPIC_ARN = "STORE_TOPIC_ARN"
IDEMPOTENCY_TABLE = "IDEMPOTENCY_TABLE"

# Defaults svcgen sets on every function that a spec may override (README, Environment).
LOG_LEVEL = "POWERTOOLS_LOG_LEVEL"
TRACER_CAPTURE_RESPONSE = "POWERTOOLS_TRACER_CAPTURE_RESPONSE"
OVERRIDABLE = (LOG_LEVEL, TRACER_CAPTURE_RESPONSE)

# Names svcgen owns whatever a function does: a spec may not set them on any function (SVC1002),
# with what svcgen puts there.
RESERVED = {
    SERVICE_NAME: "the service's name",
    METRICS_NAMESPACE: "the platform's org, the metrics namespace",
    STAGE: "the stage's name",
    EVENT_BUS_NAME: "the platform bus's name, on a function that may publish",
    EVENT_SOURCE: "the service's event source, on a function that may publish",
    EVENT_STORE_TABLE: "the event store table's name, on a function with `store_access`",
    STORE_TOPIC_ARN: "the event store topic's ARN, on svcgen's store publisher",
    IDEMPOTENCY_TABLE: "the idempotency table's name, on a function with `idempotency`",
}


def upper_snake(name: str) -> str:
    """`onboard-customer` -> `ONBOARD_CUSTOMER`."""
    return name.upper().replace("-", "_")


def workflow_arn(workflow: str) -> str:
    """The ARN of a started workflow's state machine: named after the workflow alone (two
    started workflows of one name in different services are refused, SVC1409)."""
    return f"WORKFLOW_{upper_snake(workflow)}_ARN"


def review_queue_url(pause: str) -> str:
    """The URL of a pause's review queue, on its reviewer."""
    return f"{upper_snake(pause)}_QUEUE_URL"


def derived(spec, platform, key: str) -> dict[str, str]:
    """Every variable svcgen sets on function `key` of `spec` -> what it sets it to."""
    fn = spec.functions[key]
    env = {
        SERVICE_NAME: f"`{spec.service}`, the service's name",
        METRICS_NAMESPACE: f"`{platform.org}`, the platform's org (the metrics namespace)",
        STAGE: "the stage's name",
    }
    if function_publishes(spec, key):
        env[EVENT_BUS_NAME] = "the platform bus's name (the function may publish)"
        env[EVENT_SOURCE] = f"`{event_source(platform.org, spec.service)}`, the service's event source"
    if fn.store_access:
        env[EVENT_STORE_TABLE] = "the event store table's name (`store_access`)"
    if fn.idempotency is not None:
        env[IDEMPOTENCY_TABLE] = "the idempotency table's name (`idempotency`)"
    for ref in fn.starts:
        owner, _, workflow = ref.rpartition(".")
        env[workflow_arn(workflow)] = f"the ARN of workflow {owner or spec.service}.{workflow}'s state machine " \
                                      f"(`starts: [{ref}]`)"
    _, reviews = workflow_roles(spec)
    for pause in reviews.get(key, ()):
        env[review_queue_url(pause)] = f"the URL of pause {pause}'s review queue (this function is its reviewer)"
    return env
