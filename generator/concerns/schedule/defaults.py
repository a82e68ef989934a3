"""The schedule concern's defaults, each with its reason and source (README "Defaults and why").

Scheduler invokes Lambda asynchronously: its RetryPolicy retries only a *delivery* that failed
(throttling, a missing permission, a deleted function); once Lambda has accepted the event, an
error the function raises is retried by Lambda's asynchronous invocation and then sent to the
OnFailure destination. Both end in the schedule's own DLQ, which is alarmed.
"""

from __future__ import annotations

SCHEDULER_DOCS = "https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-retry-policy.html"
RETRY_RANGES_DOCS = "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html"
LAMBDA_ASYNC_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html"

# Scheduler's own default is 185 attempts over 24 h: a broken schedule (a missing permission, a
# deleted function) would stay hidden for a day before its DLQ, and the alarm on it, saw it. A
# delivery that fails for an hour is not transient, and a recurring job's next run comes anyway;
# 10 attempts with Scheduler's exponential back-off cover a throttling burst.
MAX_ATTEMPTS = 10
MAX_EVENT_AGE_SECONDS = 3600
# The limits of Scheduler's RetryPolicy (API reference).
MAX_ATTEMPTS_RANGE = (0, 185)
MAX_EVENT_AGE_RANGE = (60, 86400)

# Lambda's asynchronous retries of an error the function raised: Lambda's own defaults (2 retries,
# events kept 6 h), stated so they are a decision; failures then go to the schedule's DLQ.
ASYNC_MAX_RETRY_ATTEMPTS = 2
ASYNC_MAX_EVENT_AGE_SECONDS = 21600

# The time zone a cron or at() expression is read in, unless the spec names one. Scheduler's own
# default too, stated: a bank's 08:00 job must say which 08:00 it means (timezone: Europe/London).
TIMEZONE = "UTC"

# The input is configuration (which report, which portfolio), not data: it is written into the
# template and sent with every run. 8 KB keeps it that, far below Lambda's 256 KB asynchronous
# payload limit and the template's own size limits.
INPUT_MAX_BYTES = 8 * 1024

# Every schedule of svcgen is in the account's `default` group: a group is a tagging and
# permission boundary svcgen does not need, and the scheduler role's trust is scoped to it.
GROUP = "default"

# Ephemeral (PR) stages: schedules are created but DISABLED unless the spec says `enabled: true`.
# A PR stage's functions publish onto the parent stage's shared bus (it has none of its own), so a
# job firing every few minutes from every open pull request would put events into dev's bus and
# call partners on its own; the stack still deploys and the function can be invoked by hand
# (`svcgen invoke`). `enabled: true` is the explicit opt-in for a PR that must see it fire.
EPHEMERAL_ENABLED = False

# Why a scheduled function has no function DLQ (checkov CKV_AWS_116, docs/security-scan.md): it has
# the newer equivalent, which checkov does not look at.
CHECKOV_SCHEDULE_NO_DLQ = (
    "CKV_AWS_116",
    "No DeadLetterConfig: Scheduler invokes it asynchronously, and its EventInvokeConfig sends failed "
    "runs to an on-failure destination, the schedule's DLQ (SVC3012).")
