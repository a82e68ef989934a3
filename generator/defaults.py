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

# --- concurrency ----------------------------------------------------------------------------
# AWS keeps 100 of the account's concurrency unreserved (Lambda quotas): reserved concurrency
# across the fleet must leave it.
UNRESERVED_CONCURRENCY_MINIMUM = 100

# --- encryption -----------------------------------------------------------------------------
# Customer managed key with rotation: checkov CKV_AWS_26/27 + cdk-nag KMS5; a customer key (not
# alias/aws/sqs) is required because EventBridge and SNS must be allowed to use it in its policy.
KMS_PENDING_WINDOW_DAYS = 7
