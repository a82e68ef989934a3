"""Rules of the SQS queue in front of a subscribing function (and its dead-letter queue)."""

from __future__ import annotations

from generator.concerns.queue import defaults
from generator.rules.base import SpecRule

LAMBDA_SQS = "https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html"
SQS_DLQ = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html"


def queues(spec):
    for fn_name, fn in spec.functions.items():
        if fn.queue is not None:
            yield fn_name, fn, fn.queue, ("functions", fn_name, "queue")


class QueueNeedsSubscription(SpecRule):
    id = "SVC1101"
    concern = "queue"
    summary = "`queue:` is only allowed on a function that subscribes to events"
    rationale = "a queue nobody delivers into is cost and an alarm that never means anything"
    source = LAMBDA_SQS

    def check(self, ctx):
        for fn_name, fn, _, path in queues(ctx.spec):
            if not fn.subscribe:
                yield self.error(ctx.doc, path, f"is only allowed on a function that subscribes to events, got a "
                                 f"queue on {fn_name!r}, which has no `subscribe`", "add `subscribe:` or remove `queue:`")


class DeadLetterQueueSameType(SpecRule):
    id = "SVC1102"
    concern = "queue"
    summary = "a queue's DLQ is of the same type (FIFO with FIFO, standard with standard)"
    rationale = "SQS refuses a redrive policy to a dead-letter queue of the other type"
    source = SQS_DLQ

    def check(self, ctx):
        for _, _, queue, path in queues(ctx.spec):
            if queue.dlq is not None and queue.dlq.fifo is not None and queue.dlq.fifo != queue.fifo:
                need = "a FIFO queue needs a FIFO DLQ" if queue.fifo else "a standard queue needs a standard DLQ"
                yield self.error(ctx.doc, path + ("dlq", "fifo"), f"{need}, got dlq.fifo: {str(queue.dlq.fifo).lower()}",
                                 "SQS requires the dead-letter queue to be of the same type; cfn-lint E3502")


class FifoBatchSize(SpecRule):
    id = "SVC1103"
    concern = "queue"
    summary = "a FIFO queue's batch size is at most 10"
    rationale = "Lambda reads at most 10 records per batch from a FIFO queue; a larger value fails the deploy"
    source = LAMBDA_SQS

    def check(self, ctx):
        for _, _, queue, path in queues(ctx.spec):
            if queue.fifo and queue.batch_size is not None and queue.batch_size > 10:
                yield self.error(ctx.doc, path + ("batch_size",), f"must be ≤ 10 for a FIFO queue, got {queue.batch_size}",
                                 "Lambda reads at most 10 records per batch from a FIFO queue")


class FifoBatchingWindow(SpecRule):
    id = "SVC1104"
    concern = "queue"
    summary = "a FIFO queue has no batching window"
    rationale = "Lambda does not support MaximumBatchingWindowInSeconds on FIFO queues; the deploy fails"
    source = LAMBDA_SQS

    def check(self, ctx):
        for _, _, queue, path in queues(ctx.spec):
            if queue.fifo and queue.batching_window:
                yield self.error(ctx.doc, path + ("batching_window",),
                                 f"must be 0 or absent for a FIFO queue, got {queue.batching_window}",
                                 "Lambda does not support a batching window on FIFO queues")


class MessageGroupOnlyOnFifo(SpecRule):
    id = "SVC1105"
    concern = "queue"
    summary = "`message_group` is only allowed on a FIFO queue"
    rationale = "a standard queue has no message groups: the setting would silently do nothing"
    source = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html"

    def check(self, ctx):
        for _, _, queue, path in queues(ctx.spec):
            if not queue.fifo and queue.message_group is not None:
                yield self.error(ctx.doc, path + ("message_group",),
                                 "is only allowed on a FIFO queue, got a standard queue",
                                 "set `fifo: true` on the queue, or remove `message_group`")


class LargeBatchNeedsWindow(SpecRule):
    id = "SVC1106"
    concern = "queue"
    summary = "a batch size above 10 needs a batching window of at least 1 second"
    rationale = "Lambda requires MaximumBatchingWindowInSeconds ≥ 1 when BatchSize > 10; the deploy fails otherwise"
    source = LAMBDA_SQS

    def check(self, ctx):
        for _, _, queue, path in queues(ctx.spec):
            if not queue.fifo and (queue.batch_size or 0) > 10 and not queue.batching_window:
                yield self.error(ctx.doc, path + ("batch_size",),
                                 f"a batch size above 10 needs batching_window ≥ 1, got batch_size {queue.batch_size} "
                                 "and no batching_window", "Lambda requires MaximumBatchingWindowInSeconds here")


class PollerWithinReservedConcurrency(SpecRule):
    id = "SVC1107"
    concern = "queue"
    summary = "queue.max_concurrency is at most the function's reserved_concurrency"
    rationale = ("a poller allowed more concurrency than the function has is throttled, and throttled messages "
                 "land in the DLQ as if they were poison")
    source = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html"

    def check(self, ctx):
        for _, fn, queue, path in queues(ctx.spec):
            if queue.max_concurrency is not None and fn.reserved_concurrency is not None \
                    and queue.max_concurrency > fn.reserved_concurrency:
                yield self.error(ctx.doc, path + ("max_concurrency",),
                                 f"must be ≤ reserved_concurrency ({fn.reserved_concurrency}), got {queue.max_concurrency}",
                                 "otherwise the poller is throttled and messages land in the DLQ as if poisoned")


class ReservedConsumerCapsPoller(SpecRule):
    id = "SVC1108"
    concern = "queue"
    severity = "warning"
    summary = "a queue consumer with reserved_concurrency also caps its poller (queue.max_concurrency)"
    rationale = ("reserved concurrency alone makes throttles look like poison messages: the poller keeps "
                 "receiving, Lambda throttles, and after max_receive_count the message is in the DLQ without "
                 "ever running")
    source = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html"

    def check(self, ctx):
        for fn_name, fn in ctx.spec.functions.items():
            if fn.subscribe and fn.reserved_concurrency is not None and (fn.queue is None or fn.queue.max_concurrency is None):
                yield self.error(ctx.doc, ("functions", fn_name, "reserved_concurrency"),
                                 "a queue consumer with reserved_concurrency should also cap its poller, "
                                 "got no queue.max_concurrency",
                                 f"add `queue: {{max_concurrency: {max(2, min(fn.reserved_concurrency, 1000))}}}`, "
                                 "at most reserved_concurrency")


class RetentionBelowDeadLetterQueue(SpecRule):
    id = "SVC1109"
    concern = "queue"
    summary = "a queue keeps messages for less time than its DLQ"
    rationale = "a message's age carries over to the DLQ: with a shorter DLQ retention it would expire there at once"
    source = SQS_DLQ

    def check(self, ctx):
        why = "a message's age carries over to the DLQ; it would expire there at once"
        for _, _, queue, path in queues(ctx.spec):
            kept = queue.retention_days or defaults.QUEUE_RETENTION_DAYS
            dlq_kept = (queue.dlq.retention_days if queue.dlq else None) or defaults.DLQ_RETENTION_DAYS
            if kept < dlq_kept:
                continue
            if queue.retention_days is not None:  # point at the value the user wrote
                yield self.error(ctx.doc, path + ("retention_days",),
                                 f"must be below the DLQ's retention ({dlq_kept} days), got {kept}", why)
            else:
                yield self.error(ctx.doc, path + ("dlq", "retention_days"),
                                 f"must be above the queue's retention ({kept} days, the default), got {dlq_kept}", why)


class StoreEventsNeedStandardQueue(SpecRule):
    id = "SVC1120"
    concern = "queue"
    summary = "a function that subscribes to store events (`store:`) has a standard queue, not a FIFO one"
    rationale = ("store events reach the queue through the event store's SNS topic, a standard topic, and SNS refuses "
                 "to subscribe a FIFO queue to a standard topic (\"Invalid parameter: Endpoint Reason: FIFO SQS Queues "
                 "can not be subscribed to standard SNS topics\"): the stack deploy fails. A queue is FIFO for all its "
                 "events or for none, so bus events beside the store events do not help")
    source = "https://docs.aws.amazon.com/sns/latest/dg/fifo-message-delivery.html"

    def check(self, ctx):
        for fn_name, fn, queue, path in queues(ctx.spec):
            if not queue.fifo:
                continue
            stored = [sub.store for sub in fn.subscribe if sub.store is not None and sub.event is None]
            if not stored:
                continue
            bus = [sub.event for sub in fn.subscribe if sub.event is not None and sub.store is None]
            events = ", ".join(dict.fromkeys(stored))
            if bus:
                yield self.error(
                    ctx.doc, path + ("fifo",),
                    f"a FIFO queue cannot receive store events, got fifo: true on {fn_name!r}, which subscribes to "
                    f"store events ({events}) beside bus events", "store events come through the store's standard "
                    "SNS topic, which delivers only to standard queues: move the `store:` entries to another function "
                    "with a standard queue, or make this queue standard")
            else:
                yield self.error(
                    ctx.doc, path + ("fifo",),
                    f"a FIFO queue cannot receive store events, got fifo: true on {fn_name!r}, which subscribes only to "
                    f"store events ({events})", "remove `fifo: true`: store events come through the store's standard "
                    "SNS topic, which delivers only to standard queues; order one aggregate's events by `revision`")
