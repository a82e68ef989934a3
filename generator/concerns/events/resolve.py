"""Publishing: the service's milestones, their envelope `source`, and what each function may put."""

from __future__ import annotations

from generator.concerns.subscription.resolve import event_source


def function_publishes(spec, key: str) -> tuple[str, ...]:
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


def function_fields(given, so_far: dict) -> dict:
    # Its IAM `events:detail-type`, in the service's `publishes` order.
    return {"publishes": function_publishes(given.spec, given.key)}


def service_fields(given) -> dict:
    return {"publishes": tuple(given.spec.publishes),
            "source": event_source(given.platform.org, given.spec.service)}
