"""Rules that relate several fields of one spec (shape and ranges are in the models).

Each rule is a small function `(doc, spec, platform) -> iterable of SpecError`, listed in
`SPEC_RULES`, so a rule can be read, tested and pointed at on its own.
"""

from __future__ import annotations

import dataclasses
import keyword
from collections.abc import Callable, Iterable
from typing import Any

from generator import defaults
from generator.errors import SpecError
from generator.spec.load import Document
from generator.spec.model import ServiceSpec
from generator.spec.platform import PlatformSpec

# Set by svcgen or reserved by Lambda itself: a spec must not override them.
RESERVED_ENV_PREFIXES = ("AWS_", "LAMBDA_", "_")
RESERVED_ENV = ("POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "SVCGEN_STAGE",
                "EVENT_BUS_NAME", "EVENT_SOURCE", "EVENT_STORE_TABLE", "STORE_TOPIC_ARN", "IDEMPOTENCY_TABLE")

Rule = Callable[[Document, ServiceSpec, PlatformSpec], Iterable[SpecError]]


def _queues(spec: ServiceSpec):
    for fn_name, fn in spec.functions.items():
        if fn.queue is not None:
            yield fn_name, fn, fn.queue, ("functions", fn_name, "queue")


def queue_needs_subscription(doc, spec, platform):
    for fn_name, fn, _, path in _queues(spec):
        if not fn.subscribe:
            yield doc.error(path, f"is only allowed on a function that subscribes to events, got a queue on "
                            f"{fn_name!r}, which has no `subscribe`", "add `subscribe:` or remove `queue:`")


def dlq_matches_queue_type(doc, spec, platform):
    for _, _, queue, path in _queues(spec):
        if queue.dlq is not None and queue.dlq.fifo is not None and queue.dlq.fifo != queue.fifo:
            need = "a FIFO queue needs a FIFO DLQ" if queue.fifo else "a standard queue needs a standard DLQ"
            yield doc.error(path + ("dlq", "fifo"), f"{need}, got dlq.fifo: {str(queue.dlq.fifo).lower()}",
                            "SQS requires the dead-letter queue to be of the same type; cfn-lint E3502")


def fifo_batching(doc, spec, platform):
    for _, _, queue, path in _queues(spec):
        if queue.fifo:
            if queue.batch_size is not None and queue.batch_size > 10:
                yield doc.error(path + ("batch_size",), f"must be ≤ 10 for a FIFO queue, got {queue.batch_size}",
                                "Lambda reads at most 10 records per batch from a FIFO queue")
            if queue.batching_window:
                yield doc.error(path + ("batching_window",),
                                f"must be 0 or absent for a FIFO queue, got {queue.batching_window}",
                                "Lambda does not support a batching window on FIFO queues")
        else:
            if queue.message_group is not None:
                yield doc.error(path + ("message_group",), "is only allowed on a FIFO queue, got a standard queue",
                                "set `fifo: true` on the queue, or remove `message_group`")
            if (queue.batch_size or 0) > 10 and not queue.batching_window:
                yield doc.error(path + ("batch_size",),
                                f"a batch size above 10 needs batching_window ≥ 1, got batch_size {queue.batch_size} "
                                "and no batching_window", "Lambda requires MaximumBatchingWindowInSeconds here")


def concurrency_fits_reserved(doc, spec, platform):
    for fn_name, fn, queue, path in _queues(spec):
        if queue.max_concurrency is not None and fn.reserved_concurrency is not None \
                and queue.max_concurrency > fn.reserved_concurrency:
            yield doc.error(path + ("max_concurrency",),
                            f"must be ≤ reserved_concurrency ({fn.reserved_concurrency}), got {queue.max_concurrency}",
                            "otherwise the poller is throttled and messages land in the DLQ as if poisoned")


def reserved_without_max_concurrency(doc, spec, platform):
    """Reserved concurrency alone on a queue consumer makes throttles look like poison messages:
    the poller keeps receiving, Lambda throttles, and after max_receive_count the message is in
    the DLQ without ever running (Lambda ScalingConfig docs). A warning: the build still works."""
    for fn_name, fn in spec.functions.items():
        if fn.subscribe and fn.reserved_concurrency is not None and (fn.queue is None or fn.queue.max_concurrency is None):
            err = doc.error(("functions", fn_name, "reserved_concurrency"),
                            "a queue consumer with reserved_concurrency should also cap its poller, "
                            "got no queue.max_concurrency",
                            f"add `queue: {{max_concurrency: {max(2, min(fn.reserved_concurrency, 1000))}}}`, "
                            "at most reserved_concurrency")
            yield dataclasses.replace(err, severity="warning")


def logical_ids_unique(doc, spec, platform):
    """Function names become CloudFormation logical IDs (`a-1b` and `a1b` both give `A1b`)."""
    from generator.naming import logical

    seen: dict[str, str] = {}
    for fn_name in spec.functions:
        base = logical(fn_name)
        if base in seen:
            yield doc.error(("functions", fn_name),
                            f"function names must differ in more than their dashes, got {fn_name!r} and "
                            f"{seen[base]!r}, which both become resource names starting {base!r}",
                            "rename one of them")
        seen.setdefault(base, fn_name)


def queue_retention_below_dlq(doc, spec, platform):
    why = "a message's age carries over to the DLQ; it would expire there at once"
    for _, _, queue, path in _queues(spec):
        kept = queue.retention_days or defaults.QUEUE_RETENTION_DAYS
        dlq_kept = (queue.dlq.retention_days if queue.dlq else None) or defaults.DLQ_RETENTION_DAYS
        if kept < dlq_kept:
            continue
        if queue.retention_days is not None:  # point at the value the user wrote
            yield doc.error(path + ("retention_days",),
                            f"must be below the DLQ's retention ({dlq_kept} days), got {kept}", why)
        else:
            yield doc.error(path + ("dlq", "retention_days"),
                            f"must be above the queue's retention ({kept} days, the default), got {dlq_kept}", why)


def runtime_allowed(doc, spec, platform):
    runtime = spec.runtime
    if runtime is None:
        return
    allowed, deprecated = platform.runtimes.allowed, platform.runtimes.deprecated
    if runtime not in allowed + deprecated:
        hint = f"allowed: {', '.join(allowed)}"  # no "did you mean": every version is a close match
        hint += f"; deprecated but accepted: {', '.join(deprecated)}" if deprecated else ""
        yield doc.error(("runtime",), f"must be one of the platform's runtimes, got {runtime!r}", hint)
    elif runtime in platform.runtimes.deprecated:
        err = doc.error(("runtime",), f"runtime {runtime!r} is deprecated by the platform",
                        f"move to one of: {', '.join(platform.runtimes.allowed)}")
        yield dataclasses.replace(err, severity="warning")


def environment_not_reserved(doc, spec, platform):
    for fn_name, fn in spec.functions.items():
        for key in fn.environment:
            prefix = next((p for p in RESERVED_ENV_PREFIXES if key.startswith(p)), None)
            if prefix is None and key not in RESERVED_ENV:
                continue
            why = f"names starting with {prefix} are reserved by Lambda" if prefix else f"svcgen sets {key} itself"
            yield doc.error(("functions", fn_name, "environment", key),
                            f"environment variable names must not be reserved, got {key!r}", f"{why}; rename it")


def unique_subscriptions(doc, spec, platform):
    for fn_name, fn in spec.functions.items():
        seen: dict[tuple[str, str], int] = {}
        for i, sub in enumerate(fn.subscribe):
            key = (sub.from_, sub.event, sub.store)
            if key in seen:
                what = sub.event or f"store event {sub.store}"
                yield doc.error(("functions", fn_name, "subscribe", i),
                                f"a function must subscribe to each event once, got {what} from {sub.from_} again",
                                f"already at subscribe[{seen[key]}]; merge the two into one entry")
            seen.setdefault(key, i)


def unique_publishes(doc, spec, platform):
    seen: dict[str, int] = {}
    for i, event in enumerate(spec.publishes):
        if event in seen:
            yield doc.error(("publishes", i), f"must list each event once, got {event} again",
                            f"already at publishes[{seen[event]}]; remove one")
        seen.setdefault(event, i)


def filters_are_patterns(doc, spec, platform):
    for fn_name, fn in spec.functions.items():
        for i, sub in enumerate(fn.subscribe):
            if sub.filter is not None:
                path = ("functions", fn_name, "subscribe", i, "filter")
                yield from _pattern_leaves(doc, path, sub.filter)


def _pattern_leaves(doc: Document, path: tuple, node: Any):
    """EventBridge patterns: every leaf is a list of values or matchers (EventBridge docs)."""
    if not node:
        yield doc.error(path, "a filter must name at least one field, got an empty mapping",
                        "remove `filter:` to receive every event, or add a field")
    for key, value in node.items():
        if isinstance(value, dict):
            yield from _pattern_leaves(doc, path + (key,), value)
        elif not isinstance(value, list):
            yield doc.error(path + (key,), f"a filter value must be a list of values or matchers, got {_yaml(value)}",
                            f"write `{key}: [{_yaml(value)}]`")
        elif not value:
            yield doc.error(path + (key,), "a filter value must be a non-empty list, got []",
                            "an empty list matches no event; list the values to match")


def python_names_not_keywords(doc, spec, platform):
    """Function names become module names (`plumbing/<function>.py`, `handlers/<function>.py`),
    handlers are imported, and event names become model classes: a Python keyword there
    (`class`, `import`, `None`) would generate code that does not even parse."""
    for fn_name, fn in spec.functions.items():
        if keyword.iskeyword(fn_name):  # kebab-case names with a `-` are never keywords
            yield doc.error(("functions", fn_name), f"function names must not be a Python keyword, got {fn_name!r}",
                            f"its code is the module plumbing/{fn_name}.py, which Python cannot import; rename it")
        bad = [part for part in (fn.handler or "").split(".") if keyword.iskeyword(part)]
        if bad:
            yield doc.error(("functions", fn_name, "handler"),
                            f"handlers must not contain a Python keyword, got {bad[0]!r} in {fn.handler!r}",
                            "Python cannot import it; rename the module or function")
    owned = [(("publishes", i), event) for i, event in enumerate(spec.publishes)]
    if spec.event_store is not None:
        owned += [(("event_store", "events", i), event) for i, event in enumerate(spec.event_store.events)]
    for path, event in owned:
        if keyword.iskeyword(event):
            yield doc.error(path, f"event names must not be a Python keyword, got {event!r}",
                            "it becomes a class in the generated models; rename it")


def _yaml(value: Any) -> str:
    """A scalar as it would be written in the spec."""
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "null"
    return repr(value) if isinstance(value, str) else str(value)


SPEC_RULES: tuple[Rule, ...] = (
    reserved_without_max_concurrency, logical_ids_unique,
    queue_needs_subscription, dlq_matches_queue_type, fifo_batching, concurrency_fits_reserved,
    queue_retention_below_dlq, runtime_allowed, environment_not_reserved, unique_subscriptions,
    unique_publishes, filters_are_patterns, python_names_not_keywords,
)


def check_spec(doc: Document, spec: ServiceSpec, platform: PlatformSpec) -> list[SpecError]:
    from generator.spec.rules_v2 import V2_RULES

    return [err for rule in SPEC_RULES + V2_RULES for err in rule(doc, spec, platform)]
