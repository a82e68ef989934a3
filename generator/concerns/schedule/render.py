"""A scheduled function's resources: the schedule, its execution role, its own DLQ (with an alarm)
and the function's asynchronous-invocation settings.

- `AWS::Scheduler::Schedule` in the `default` group, FlexibleTimeWindow OFF (a bank's 08:00 job
  runs at 08:00), Target = the function's ARN with a RetryPolicy and a DeadLetterConfig;
- an execution role only `scheduler.amazonaws.com` may assume, for this account and the
  schedule's group (Scheduler's confused-deputy guidance: the source ARN is the group's, never a
  schedule's), allowed `lambda:InvokeFunction` on exactly this function and `sqs:SendMessage` on
  exactly its DLQ (plus the service key, through SQS only: the DLQ is KMS-encrypted);
- the DLQ: a standard queue (Scheduler refuses FIFO), the service's standalone-DLQ shape, that no
  other queue may redrive into;
- `AWS::Lambda::EventInvokeConfig`: Scheduler invokes asynchronously, so an error the function
  raises is Lambda's to retry; its OnFailure destination is the same DLQ, and the function's role
  gets `sqs:SendMessage` on it. One queue, one alarm, for every run that did not happen.
"""

from __future__ import annotations

import json

from troposphere import GetAtt, Ref, Sub
from troposphere.awslambda import DestinationConfig, EventInvokeConfig, OnFailure
from troposphere.cloudwatch import MetricDimension
from troposphere.scheduler import DeadLetterConfig, FlexibleTimeWindow, RetryPolicy, Schedule, Target

from generator import iam
from generator.concerns.alarms import render as alarms
from generator.concerns.encryption import render as encryption
from generator.concerns.queue import render as queue_component
from generator.render_context import Grant, RenderContext, arn
from generator.concerns.workflow.roles import service_role
from generator.concerns.schedule import defaults
from generator.concerns.function import render as function
from generator.concerns.schedule.resolved import ResolvedSchedule

NAME = "schedule"
PRINCIPAL = "scheduler.amazonaws.com"
KEY_USE_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
# Context attributes Scheduler fills in on every run (Scheduler user guide, "context attributes").
CONTEXT = {"scheduled_time": "<aws.scheduler.scheduled-time>", "execution_id": "<aws.scheduler.execution-id>",
           "attempt_number": "<aws.scheduler.attempt-number>"}


def target_input(schedule: ResolvedSchedule) -> str:
    """What the function receives as its event: the spec's `input` object, and when and which run
    this is (the scheduled time is the same on every retry of a run: a natural idempotency key)."""
    return json.dumps({"input": json.loads(schedule.input_json), **CONTEXT}, separators=(",", ":"),
                      ensure_ascii=False)


def render(ctx: RenderContext) -> None:
    for fn in ctx.svc.functions:
        schedule = fn.extension(NAME)
        if schedule is not None:
            _render(ctx, fn, schedule)


def _render(ctx: RenderContext, fn, schedule: ResolvedSchedule) -> None:
    origin = ("functions", fn.key, "schedule")
    dlq_arn = GetAtt(schedule.dlq_logical_id, "Arn")
    # Only the scheduler role and the function's role send into it (IAM, same account): no sender
    # statement in its queue policy, and no other queue may redrive into it.
    queue_component.standalone_dlq(ctx, schedule.dlq_logical_id, schedule.dlq_name, {}, origin, deny_redrive=True)
    through_sqs = {"StringEquals": {"kms:ViaService": Sub("sqs.${AWS::Region}.amazonaws.com")}}
    statements = [
        iam.statement(Grant(("lambda:InvokeFunction",), (GetAtt(fn.logical_id, "Arn"),), sid="InvokeFunction")),
        iam.statement(Grant(("sqs:SendMessage",), (dlq_arn,), sid="DeadLetters")),
        iam.statement(Grant(KEY_USE_ACTIONS, (encryption.key_arn(),), through_sqs, sid="DeadLetterKey")),
    ]
    ctx.add(service_role(schedule.role_logical_id, schedule.role_name, f"Lets schedule {schedule.name} invoke its function",
                         PRINCIPAL, arn("scheduler", f"schedule-group/{schedule.group}"), statements), origin)
    ctx.add(Schedule(
        schedule.logical_id,
        Name=schedule.name,
        GroupName=schedule.group,
        Description=f"Invokes {fn.name}",
        ScheduleExpression=schedule.expression,
        ScheduleExpressionTimezone=schedule.timezone,
        FlexibleTimeWindow=FlexibleTimeWindow(Mode="OFF"),
        State="ENABLED" if schedule.enabled else "DISABLED",
        Target=Target(
            Arn=GetAtt(fn.logical_id, "Arn"),
            RoleArn=GetAtt(schedule.role_logical_id, "Arn"),
            Input=target_input(schedule),
            RetryPolicy=RetryPolicy(MaximumRetryAttempts=schedule.max_attempts,
                                    MaximumEventAgeInSeconds=schedule.max_event_age),
            DeadLetterConfig=DeadLetterConfig(Arn=dlq_arn),
        ),
    ), origin)
    # An error the function raises: Lambda retries, then records the run in the same DLQ.
    ctx.add(EventInvokeConfig(
        f"{fn.logical_id}AsyncConfig",
        FunctionName=Ref(fn.logical_id),
        Qualifier="$LATEST",
        MaximumRetryAttempts=defaults.ASYNC_MAX_RETRY_ATTEMPTS,
        MaximumEventAgeInSeconds=defaults.ASYNC_MAX_EVENT_AGE_SECONDS,
        DestinationConfig=DestinationConfig(OnFailure=OnFailure(Destination=dlq_arn)),
    ), origin)
    function.invoked(ctx, fn, defaults.CHECKOV_SCHEDULE_NO_DLQ)
    ctx.grant(fn.key, ["sqs:SendMessage"], [dlq_arn], sid="FailedRuns")
    ctx.grant(fn.key, list(KEY_USE_ACTIONS), [encryption.key_arn()], condition=through_sqs, sid="FailedRunsKey")
    if ctx.persistent:
        alarms.alarm(ctx, f"{schedule.dlq_logical_id}MessagesAlarm", (fn.key, "schedule-dlq"), "AWS/SQS",
                     "ApproximateNumberOfMessagesVisible",
                     [MetricDimension(Name="QueueName", Value=GetAtt(schedule.dlq_logical_id, "QueueName"))],
                     "Maximum", 0, f"runs of {schedule.name} that failed", origin)
