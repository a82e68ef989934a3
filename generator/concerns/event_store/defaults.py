"""Built-in defaults of event stores and their fan-out, each with its reason and source.

`platform.yaml` may override some under `defaults:`; a spec may override per function or queue.
The order is always: spec value, then platform default, then the value here.
"""

from __future__ import annotations

# The fan-out's stream event source (Lambda DynamoDB stream parameters). AWS's defaults are never
# used: -1 retries and -1 record age retry a failing batch until the record leaves the stream
# (24 h) while blocking its shard (docs/design.md, defaults: stream sources).
# 100 records per batch (the AWS default, stated): each publish is one SNS call of a few tens of
# ms, so a full batch fits well inside the publisher's timeout.
STORE_STREAM_BATCH_SIZE = 100
# Enough retries to ride out a short SNS/KMS throttle, and for bisection to isolate a bad record
# in a batch of 100 (log2(100) < 7 splits), before the record is given up to the OnFailure DLQ.
STORE_STREAM_MAX_RETRY_ATTEMPTS = 10
# Give up on a record after 1 h: the OnFailure message holds only shard id and sequence numbers,
# so whoever handles the DLQ must re-read the records from the stream, which keeps them 24 h.
STORE_STREAM_MAX_RECORD_AGE_SECONDS = 3600
# One batch per shard at a time: all revisions of an aggregate are on one shard, so they are
# published in revision order.
STORE_STREAM_PARALLELIZATION_FACTOR = 1
# The publisher only converts and publishes; 30 s covers a full batch with SNS retries.
STORE_PUBLISHER_TIMEOUT = 30
STORE_PUBLISHER_MEMORY = 256
# Stream IteratorAge (ms, Maximum) above 5 min: the fan-out is falling behind or stuck on a record,
# long before records expire from the stream (24 h) — page then, not when the DLQ fills.
STORE_ITERATOR_AGE_ALARM_MS = 300_000

# Why the store publisher has no function DLQ (checkov CKV_AWS_116, docs/security-scan.md).
CHECKOV_STREAM_NO_DLQ = (
    "CKV_AWS_116",
    "No DLQ: its DynamoDB stream event source mapping invokes it synchronously; batches that keep failing "
    "go to the mapping's OnFailure destination, the fan-out DLQ.")
