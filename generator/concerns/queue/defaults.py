"""Built-in defaults of subscribers' queues and their DLQs, each with its reason and source.

`platform.yaml` may override some under `defaults:`; a spec may override per function or queue.
The order is always: spec value, then platform default, then the value here.
"""

from __future__ import annotations

# maxReceiveCount 5, never 1: Lambda/SQS guide — with 1, a throttled (never processed) message goes
# straight to the DLQ.
QUEUE_MAX_RECEIVE_COUNT = 5
QUEUE_BATCH_SIZE = 10
QUEUE_BATCHING_WINDOW = 0
# Lambda's SQS poller: visibility timeout ≥ 6 × function timeout (+ batching window), so a retried
# batch is not redelivered while a throttled invocation is still pending (Lambda SQS docs; cfn-lint
# E3505 only checks 1×).
VISIBILITY_TIMEOUT_FACTOR = 6
# 4 days is SQS's own default retention, stated explicitly; the DLQ keeps messages longer.
QUEUE_RETENTION_DAYS = 4
# DLQ retention 14 days, the SQS maximum, so a failed message outlives its source queue's
# retention and there is time to redrive it (SQS DLQ docs).
DLQ_RETENTION_DAYS = 14

# Why a queue consumer has no function DLQ (checkov CKV_AWS_116, docs/security-scan.md).
CHECKOV_SQS_NO_DLQ = (
    "CKV_AWS_116",
    "No DLQ: its SQS event source mapping invokes it synchronously; messages that keep failing go to the "
    "queue's own DLQ (RedrivePolicy).")
