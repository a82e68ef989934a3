"""Every built-in default, one section per component, each with its reason and source.

`platform.yaml` may override some under `defaults:`; a spec may override per function or queue.
The order is always: spec value, then platform default, then the value here.
"""

from __future__ import annotations

# --- function -------------------------------------------------------------------------------
# Explicit Timeout/MemorySize: cfn-lint-serverless ES1005/ES1006 — AWS's 3 s / 128 MB defaults are
# rarely right and hide the decision.
FUNCTION_TIMEOUT = 10
FUNCTION_MEMORY = 256
# Powertools reads these; responses are not captured by the tracer because they may hold personal
# data (banking), and the service name tags every log line and metric.
POWERTOOLS_LOG_LEVEL = "INFO"
TRACER_CAPTURE_RESPONSE = "false"

# --- logs -----------------------------------------------------------------------------------
# Own log group with retention: cfn-lint-serverless WS1004 (never-expiring logs cost money and keep
# personal data forever). Ephemeral stages keep logs only briefly.
LOG_RETENTION_DAYS = 30
EPHEMERAL_LOG_RETENTION_DAYS = 3
# CloudWatch Logs accepts only these values for RetentionInDays (AWS::Logs::LogGroup docs).
LOG_RETENTION_ALLOWED = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                         1827, 2192, 2557, 2922, 3288, 3653)

# --- queue ----------------------------------------------------------------------------------
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

# --- subscription (EventBridge rule target) -------------------------------------------------
# Explicit retry policy (EventBridge default is 185 attempts / 24 h, stated so it is a decision)
# and a DLQ for events that could not be delivered (EventBridge docs; cfn-lint-serverless ES4000).
RULE_MAX_RETRY_ATTEMPTS = 185
RULE_MAX_EVENT_AGE_SECONDS = 86400

# --- alarms ---------------------------------------------------------------------------------
# Alarm on the age of the oldest message: a stuck consumer shows here before the DLQ fills.
QUEUE_AGE_ALARM_SECONDS = 300
ALARM_PERIOD_SECONDS = 60

# --- http api -------------------------------------------------------------------------------
# Per-route throttling (burst 100, 50 requests/s) is a platform setting, `http:` in platform.yaml
# (spec/platform.py HttpSpec): without it only the account-wide API Gateway quota applies, and one
# noisy caller can use up the account's Lambda concurrency (cfn-lint-serverless ES2003).
# Payload format 2.0: the HTTP API's current Lambda event (Powertools' APIGatewayHttpResolver).
HTTP_PAYLOAD_FORMAT_VERSION = "2.0"
# Per-route metrics (ApiId, Stage, Route dimensions): find the failing route, not just the API.
HTTP_DETAILED_METRICS = True
# Access log line, one JSON object per request (cfn-lint-serverless ES2000/WS2001). Never bodies
# or headers, and `routeKey` rather than `path`: a path carries ids (`/accounts/123/balance`), the
# route key only the template (`GET /accounts/{id}/balance`).
HTTP_ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "requestTime": "$context.requestTime",
    "ip": "$context.identity.sourceIp",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "latency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency",
    "integrationStatus": "$context.integrationStatus",
    "integrationErrorMessage": "$context.integrationErrorMessage",
    "errorMessage": "$context.error.message",
    "authorizerError": "$context.authorizer.error",
}

# --- concurrency ----------------------------------------------------------------------------
# AWS keeps 100 of the account's concurrency unreserved (Lambda quotas): reserved concurrency
# across the fleet must leave it.
UNRESERVED_CONCURRENCY_MINIMUM = 100

# --- encryption -----------------------------------------------------------------------------
# Customer managed key with rotation: checkov CKV_AWS_26/27 + cdk-nag KMS5; a customer key (not
# alias/aws/sqs) is required because EventBridge and SNS must be allowed to use it in its policy.
KMS_PENDING_WINDOW_DAYS = 7

# --- event store ----------------------------------------------------------------------------
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

# --- workflows ------------------------------------------------------------------------------
# Lambda's transient service errors, retried by every `call` (Step Functions best practices,
# "Handle Lambda service exceptions"). Errors the function itself raises are not retried: they
# are business failures and go to compensation.
WORKFLOW_LAMBDA_RETRY_ERRORS = ("Lambda.ServiceException", "Lambda.AWSLambdaException",
                                "Lambda.SdkClientException", "Lambda.TooManyRequestsException")
# 2, 4, 8, 16, 32 s (each capped at 60 s and fully jittered, so the retries of many executions
# throttled together do not return together): about a minute of throttling is ridden out.
WORKFLOW_RETRY_INTERVAL_SECONDS = 2
WORKFLOW_RETRY_MAX_ATTEMPTS = 6
WORKFLOW_RETRY_BACKOFF_RATE = 2.0
WORKFLOW_RETRY_MAX_DELAY_SECONDS = 60
# A call's TimeoutSeconds: the function's own timeout plus this margin, so Lambda's timeout error
# (with its message) arrives before Step Functions gives up on the invocation (cold start and
# invoke overhead count against the task, not the function).
WORKFLOW_TASK_TIMEOUT_MARGIN_SECONDS = 5
# DynamoDB and SQS calls of a workflow take milliseconds; 30 s means the service is in trouble.
WORKFLOW_SERVICE_TASK_TIMEOUT_SECONDS = 30
# A pause without `heartbeat`: the reviewer tooling must heartbeat daily, so a review lost by
# the tooling fails (and compensates) within a day instead of at the end of the pause.
WORKFLOW_PAUSE_HEARTBEAT_SECONDS = 86400
# Logs: errors only, never execution data (inputs, outputs, task tokens): banking data must not
# reach log groups (Step Functions LoggingConfiguration, IncludeExecutionData).
WORKFLOW_LOG_LEVEL = "ERROR"
# Waiting for a semaphore slot is a Retry on the acquire's ConditionalCheckFailed: 2 s doubling
# to 300 s, fully jittered. Retries cost 3 history events each, so a week of waiting stays far
# below Standard workflows' 25,000-event history limit; after 20 attempts the execution checks
# whether an earlier, seemingly failed acquire did take a slot, then waits again.
SEMAPHORE_RETRY_INTERVAL_SECONDS = 2
SEMAPHORE_RETRY_BACKOFF_RATE = 2.0
SEMAPHORE_RETRY_MAX_DELAY_SECONDS = 300
SEMAPHORE_RETRY_MAX_ATTEMPTS = 20
# Releasing must not give up early: a release that fails for good fails the execution, and the
# slot then waits for the cleanup state machine.
SEMAPHORE_RELEASE_MAX_ATTEMPTS = 10
# The cleanup is one conditional UpdateItem; an EXPRESS execution may run at most 5 minutes.
SEMAPHORE_CLEANUP_TIMEOUT_SECONDS = 120
