"""`svcgen invoke` of a subscriber: an SQS batch of one record carrying an EventBridge envelope."""

from __future__ import annotations

import json

from generator.errors import InvokeError, UsageError, did_you_mean


def queue_request(fn, event, sample: str | None) -> tuple[dict, str]:
    """The child's request: `recipe` sqs (a sample from the contract, or the file's envelope),
    sqs-detail (the file's detail in the subscription's envelope) or None (the file's SQS event)."""
    subs = list(dict.fromkeys((s.source, s.event) for s in fn.subscriptions))
    group = (fn.queue.message_group or "local") if fn.queue and fn.queue.fifo else None
    base = {"event": event, "message_group": group}
    if isinstance(event, dict) and "Records" in event:
        return {**base, "recipe": None}, "SQS event from the file"
    if isinstance(event, dict) and "detail-type" in event:
        return {**base, "recipe": "sqs"}, f"SQS batch of 1: {event['detail-type']} from the file"
    if event is not None and not isinstance(event, dict):
        raise InvokeError(f"a queue consumer's event file must be a JSON object (an SQS event, an EventBridge "
                          f"envelope or its detail), got a {type(event).__name__}: {json.dumps(event)[:60]}")
    if sample is not None:
        matching = [s for s in subs if s[1] == sample]
        if not matching:
            names = ", ".join(dict.fromkeys(e for _, e in subs))
            raise UsageError(f"{fn.key} does not subscribe to {sample!r}{did_you_mean(sample, [e for _, e in subs])}; "
                             f"it subscribes to: {names}")
        subs = matching
    if event is not None and len(subs) > 1:
        names = ", ".join(f"{e} ({s})" for s, e in subs)
        raise UsageError(f"{fn.key} subscribes to {names}: give a whole EventBridge envelope (with "
                         f"\"detail-type\" and \"source\") rather than just a detail")
    source, detail_type = subs[0]
    recipe = "sqs" if event is None else "sqs-detail"
    origin = "sample from its contract" if event is None else "detail from the file"
    return ({**base, "recipe": recipe, "source": source, "detail_type": detail_type},
            f"SQS batch of 1: {detail_type} from {source}, {origin}")
