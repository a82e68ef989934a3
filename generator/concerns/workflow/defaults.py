"""Built-in defaults of workflows, their tasks and semaphores, each with its reason and source.

`platform.yaml` may override some under `defaults:`; a spec may override per function or queue.
The order is always: spec value, then platform default, then the value here.
"""

from __future__ import annotations

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

# Why a workflow's task function has no function DLQ (checkov CKV_AWS_116, docs/security-scan.md).
CHECKOV_TASK_NO_DLQ = (
    "CKV_AWS_116",
    "No DLQ: Step Functions invokes it synchronously as a workflow task; the workflow's Retry and Catch "
    "handle a failure.")
