"""The semaphore behind `max_concurrent_executions`: a lock table, and a cleanup for executions
that end without releasing their slot.

Following AWS's "Controlling concurrency in distributed systems using AWS Step Functions": one
item per workflow (key: the state machine's ARN) counts the holders, and each holding execution
is an attribute of that item (name: its execution ARN), so taking and giving back a slot are
single conditional UpdateItems (the ASL is in workflow_asl_blocks.py). A slot is released on success,
on every caught failure, and — because an execution can also end where no Catch runs (timeout of
the whole execution, abort, a runtime error) — by a cleanup state machine that EventBridge starts
for every FAILED, TIMED_OUT or ABORTED execution of these workflows. The cleanup's release is
conditional on that execution still holding a slot, so running it after a normal release (or
twice: EXPRESS is at-least-once) changes nothing. Everything is declarative; no Lambda code.
"""

from __future__ import annotations

from troposphere import GetAtt, Ref, Sub
from troposphere.cloudwatch import MetricDimension
from troposphere.dynamodb import (AttributeDefinition, KeySchema, PointInTimeRecoverySpecification,
                                  SSESpecification, Table)
from troposphere.events import DeadLetterConfig, RetryPolicy, Rule, Target
from troposphere.stepfunctions import StateMachine, TracingConfiguration

from generator import iam
from generator.concerns.subscription import defaults as subscription_defaults
from generator.concerns.alarms import render as alarms
from generator.concerns.encryption import render as encryption
from generator.concerns.workflow import asl as workflow_asl
from generator.concerns.queue import render as queue_component
from generator.render_context import Grant, RenderContext, arn
from generator.concerns.workflow.roles import logging, observability_statements, service_role, state_machine_arn
from generator.concerns.workflow.resolve import ResolvedSemaphore

TABLE = "SemaphoreTable"
CLEANUP = "SemaphoreCleanupStateMachine"
CLEANUP_RULE = "SemaphoreCleanupRule"
CLEANUP_DLQ = "SemaphoreCleanupDlq"
ORIGIN = ("workflows",)
# Executions that ended without running their own release (Step Functions EventBridge events).
ENDED_BADLY = ["ABORTED", "FAILED", "TIMED_OUT"]


def render_table(ctx: RenderContext, sem: ResolvedSemaphore) -> None:
    ctx.add(Table(
        TABLE,
        TableName=sem.table_name,
        AttributeDefinitions=[AttributeDefinition(AttributeName=workflow_asl.LOCK_KEY, AttributeType="S")],
        KeySchema=[KeySchema(AttributeName=workflow_asl.LOCK_KEY, KeyType="HASH")],
        # A handful of writes per execution: on-demand, stated explicitly.
        BillingMode="PAY_PER_REQUEST",
        PointInTimeRecoverySpecification=PointInTimeRecoverySpecification(PointInTimeRecoveryEnabled=True),
        # The service's customer key, as for the event store; users get it only via DynamoDB.
        SSESpecification=SSESpecification(SSEEnabled=True, SSEType="KMS", KMSMasterKeyId=encryption.key_arn()),
    ), ORIGIN, stateful=True)


def dynamodb_statements() -> list[dict]:
    return [iam.statement(g) for g in (
        Grant(("dynamodb:UpdateItem",), (GetAtt(TABLE, "Arn"),), sid="Semaphore"),
        Grant(("kms:Decrypt", "kms:GenerateDataKey"), (encryption.key_arn(),),
              {"StringEquals": {"kms:ViaService": Sub("dynamodb.${AWS::Region}.amazonaws.com")}}, sid="TableKey"),
    )]


def render_cleanup(ctx: RenderContext, sem: ResolvedSemaphore, workflows: list) -> None:
    log_group = f"{CLEANUP}LogGroup"
    encryption.log_group(ctx, log_group, sem.cleanup_log_group_name, ORIGIN)
    ctx.add(service_role(f"{CLEANUP}Role", sem.cleanup_role_name, f"Runs {sem.cleanup_name}", "states.amazonaws.com",
                         state_machine_arn(sem.cleanup_name), dynamodb_statements() + observability_statements()),
            ORIGIN)
    ctx.add(StateMachine(
        CLEANUP,
        StateMachineName=sem.cleanup_name,
        # One conditional update per ended execution: EXPRESS is enough and costs per run, not per step.
        StateMachineType="EXPRESS",
        Definition=workflow_asl.cleanup_definition(),
        DefinitionSubstitutions={workflow_asl.TABLE: Ref(TABLE)},
        RoleArn=GetAtt(f"{CLEANUP}Role", "Arn"),
        LoggingConfiguration=logging(log_group),
        TracingConfiguration=TracingConfiguration(Enabled=True),
    ), ORIGIN)
    _rule(ctx, sem, workflows, state_machine_arn(sem.cleanup_name))
    if ctx.persistent:
        alarms.alarm(ctx, f"{CLEANUP}FailedAlarm", ("semaphore-cleanup", "failed"), "AWS/States", "ExecutionsFailed",
                     [MetricDimension(Name="StateMachineArn", Value=Ref(CLEANUP))], "Sum", 0,
                     "a semaphore slot of an ended execution could not be released", ORIGIN)
        alarms.alarm(ctx, f"{CLEANUP_DLQ}MessagesAlarm", ("semaphore-cleanup", "dlq"), "AWS/SQS",
                     "ApproximateNumberOfMessagesVisible",
                     [MetricDimension(Name="QueueName", Value=GetAtt(CLEANUP_DLQ, "QueueName"))], "Maximum", 0,
                     "ended executions whose slot cleanup could not be started", ORIGIN)
        alarms.alarm(ctx, f"{CLEANUP_RULE}FailedAlarm", ("semaphore-cleanup", "rule-failed"), "AWS/Events",
                     "FailedInvocations", [MetricDimension(Name="RuleName", Value=Ref(CLEANUP_RULE))], "Sum", 0,
                     f"{sem.rule_name} could not start the cleanup", ORIGIN)


def _rule(ctx: RenderContext, sem: ResolvedSemaphore, workflows: list, cleanup_arn) -> None:
    # EventBridge's DLQ for the cleanup rule, never another queue's.
    queue_component.standalone_dlq(ctx, CLEANUP_DLQ, sem.dlq_name,
                                   {"events.amazonaws.com": [GetAtt(CLEANUP_RULE, "Arn")]}, ORIGIN, deny_redrive=True)
    # Status-change events of Step Functions go to the account's default bus only.
    rule_arn = arn("events", f"rule/{sem.rule_name}")
    role = f"{CLEANUP_RULE}Role"
    ctx.add(service_role(role, sem.rule_role_name, f"Lets {sem.rule_name} start the semaphore cleanup",
                         "events.amazonaws.com", rule_arn,
                         [iam.statement(Grant(("states:StartExecution",), (cleanup_arn,), sid="StartCleanup"))]),
            ORIGIN)
    ctx.add(Rule(
        CLEANUP_RULE,
        Name=sem.rule_name,
        Description="Releases semaphore slots of executions that ended without releasing them",
        EventPattern={
            "source": ["aws.states"],
            "detail-type": ["Step Functions Execution Status Change"],
            "detail": {"status": ENDED_BADLY, "stateMachineArn": [Ref(wf.logical_id) for wf in workflows]},
        },
        State="ENABLED",
        Targets=[Target(
            Id="cleanup",
            Arn=Ref(CLEANUP),
            RoleArn=GetAtt(role, "Arn"),
            RetryPolicy=RetryPolicy(MaximumRetryAttempts=subscription_defaults.RULE_MAX_RETRY_ATTEMPTS,
                                    MaximumEventAgeInSeconds=subscription_defaults.RULE_MAX_EVENT_AGE_SECONDS),
            DeadLetterConfig=DeadLetterConfig(Arn=GetAtt(CLEANUP_DLQ, "Arn")),
        )],
    ), ORIGIN)
