"""Workflows: Step Functions STANDARD state machines generated from the spec's steps.

Each workflow gets its state machine (ASL from workflow_asl.py), its own role that may invoke
exactly the functions it calls or compensates, its log group (errors only, no execution data:
banking data must not reach logs), X-Ray tracing, a review queue per `pause` (the task token
travels in its messages), and alarms on failed and timed-out executions. Event-started workflows
read their start queue (queue + rules: subscription.py) through an EventBridge Pipe. Functions
that `starts:` a workflow may StartExecution on it; a pause's `reviewer` may send its decision.
Workflows with `max_concurrent_executions` share the service's semaphore (workflow_semaphore.py).
"""

from __future__ import annotations

from troposphere import GetAtt, ImportValue, Ref, Sub
from troposphere.cloudwatch import MetricDimension
from troposphere.pipes import (Pipe, PipeSourceParameters, PipeSourceSqsQueueParameters, PipeTargetParameters,
                               PipeTargetStateMachineParameters)
from troposphere.stepfunctions import StateMachine, TracingConfiguration

from generator import function_env, iam
from generator.concerns.alarms import render as alarms
from generator.concerns.encryption import render as encryption
from generator.concerns.function import render as function
from generator.concerns.workflow import asl as workflow_asl, defaults
from generator.concerns.workflow import semaphore as workflow_semaphore
from generator.concerns.queue import render as queue_component
from generator.render_context import Grant, RenderContext, arn
from generator.concerns.subscription.render import EVENTS_DLQ
from generator.concerns.workflow.roles import logging, observability_statements, service_role, state_machine_arn
from generator.naming import logical
from generator.concerns.workflow.resolve import ResolvedWorkflow

DECIDE_ACTIONS = ["states:SendTaskFailure", "states:SendTaskHeartbeat", "states:SendTaskSuccess"]


def render(ctx: RenderContext) -> None:
    """All workflows of the service; call after the functions and alarms, before iam.render_roles."""
    svc = ctx.svc
    semaphore_workflows = [wf for wf in svc.workflows if wf.semaphore]
    if semaphore_workflows:
        workflow_semaphore.render_table(ctx, semaphore_workflows[0].semaphore)
    timeouts = {fn.key: fn.timeout for fn in svc.functions}
    for wf in svc.workflows:
        origin = ("workflows", wf.key)
        for pause in wf.pauses:
            _review_queue(ctx, wf, pause)
        _state_machine(ctx, wf, timeouts, origin)
        if wf.start_queue is not None:
            queue_component.render_queues(ctx, f"{wf.key}-start", wf.start_queue, origin + ("started_by",))
            _start_pipe(ctx, wf, origin + ("started_by",))
        if ctx.persistent:
            _alarms(ctx, wf, origin)
    if semaphore_workflows:
        workflow_semaphore.render_cleanup(ctx, semaphore_workflows[0].semaphore, semaphore_workflows)
    _starters(ctx)


def _state_machine(ctx: RenderContext, wf: ResolvedWorkflow, timeouts: dict[str, int], origin: tuple) -> None:
    log_group = f"{wf.logical_id}LogGroup"
    encryption.log_group(ctx, log_group, wf.log_group_name, origin)
    values = {"function": lambda key: GetAtt(_function(ctx, key).logical_id, "Arn"),
              "queue": lambda step: Ref(_pause_by_step(wf, step).queue.logical_id),
              "table": lambda _: Ref(workflow_semaphore.TABLE)}
    substitutions = {name: values[kind](key) for name, (kind, key) in workflow_asl.substitutions(wf).items()}
    role = f"{wf.logical_id}Role"
    ctx.add(service_role(role, wf.role_name, f"Runs workflow {wf.name}", "states.amazonaws.com",
                         state_machine_arn(wf.name), _statements(ctx, wf)), origin)
    ctx.add(StateMachine(
        wf.logical_id,
        StateMachineName=wf.name,
        StateMachineType="STANDARD",
        Definition=workflow_asl.definition(wf, timeouts),
        DefinitionSubstitutions=dict(sorted(substitutions.items())),
        RoleArn=GetAtt(role, "Arn"),
        LoggingConfiguration=logging(log_group),
        TracingConfiguration=TracingConfiguration(Enabled=True),
    ), origin)
    ctx.export(f"{wf.key}-state-machine-arn", Ref(wf.logical_id), f"ARN of workflow {wf.key}")
    for key in sorted(workflow_asl.functions_called(wf.steps)):
        function.invoked(ctx, _function(ctx, key), defaults.CHECKOV_TASK_NO_DLQ)


def _function(ctx: RenderContext, key: str):
    return next(fn for fn in ctx.svc.functions if fn.key == key)


def _statements(ctx: RenderContext, wf: ResolvedWorkflow) -> list[dict]:
    """Exactly what the definition does: invoke its functions, send to its review queues (with
    the key that encrypts them), use its semaphore; plus logs and tracing."""
    grants = [Grant(("lambda:InvokeFunction",),
                    tuple(GetAtt(_function(ctx, key).logical_id, "Arn")
                          for key in sorted(workflow_asl.functions_called(wf.steps))),
                    sid="InvokeOwnSteps")]
    if wf.pauses:
        grants.append(Grant(("sqs:SendMessage",), tuple(GetAtt(p.queue.logical_id, "Arn") for p in wf.pauses),
                            sid="SendReviews"))
        # The review queues are encrypted with the service's key: SQS uses it for the sender.
        grants.append(Grant(("kms:Decrypt", "kms:GenerateDataKey"), (encryption.key_arn(),),
                            {"StringEquals": {"kms:ViaService": Sub("sqs.${AWS::Region}.amazonaws.com")}},
                            sid="QueueKey"))
    statements = [iam.statement(g) for g in grants]
    if wf.semaphore:
        statements += workflow_semaphore.dynamodb_statements()
    return statements + observability_statements()


def _pause_by_step(wf: ResolvedWorkflow, step: str):
    return next(p for p in wf.pauses if p.step == step)


def _review_queue(ctx: RenderContext, wf: ResolvedWorkflow, pause) -> None:
    """The pause's queue: each message is one pending decision, with its task token. Only the
    state machine sends (its role), only the reviewer receives; nobody without TLS."""
    origin = ("workflows", wf.key) + pause.path
    queue_component.render_queues(ctx, pause.key, pause.queue, origin)
    ctx.add(queue_component.policy(f"{pause.queue.logical_id}Policy", pause.queue.logical_id, {}), origin)
    if pause.reviewer is None:
        return
    reviewer = pause.reviewer
    sid = logical(pause.key)
    # Task-token calls are authorized on the state machine that issued the token.
    ctx.grant(reviewer, DECIDE_ACTIONS, [state_machine_arn(wf.name)], sid=f"{sid}Decide")
    ctx.grant(reviewer, queue_component.CONSUMER_ACTIONS, [GetAtt(pause.queue.logical_id, "Arn")],
              sid=f"{sid}Receive")
    ctx.grant(reviewer, ["kms:Decrypt"], [encryption.key_arn()], sid=f"{sid}Decrypt")
    function.add_environment(ctx, _function(ctx, reviewer),
                             {function_env.review_queue_url(pause.step): Ref(pause.queue.logical_id)})


def _start_pipe(ctx: RenderContext, wf: ResolvedWorkflow, origin: tuple) -> None:
    """Start queue -> StartExecution, one message per execution, the message body (the
    EventBridge envelope) as input. STANDARD workflows start asynchronously (FIRE_AND_FORGET);
    a failed start leaves the message in the queue, and after max_receive_count, in its DLQ."""
    queue = wf.start_queue
    title = logical(wf.key, "start-pipe")
    pipe_arn = arn("pipes", f"pipe/{wf.start_pipe_name}")
    statements = [iam.statement(g) for g in (
        Grant(("sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"),
              (GetAtt(queue.logical_id, "Arn"),), sid="ReadStartQueue"),
        Grant(("kms:Decrypt",), (encryption.key_arn(),), sid="DecryptStartQueue"),
        Grant(("states:StartExecution",), (state_machine_arn(wf.name),), sid="StartWorkflow"),
    )]
    ctx.add(service_role(f"{title}Role", wf.start_pipe_role_name, f"Starts {wf.name} from its queue",
                         "pipes.amazonaws.com", pipe_arn, statements), origin)
    ctx.add(Pipe(
        title,
        Name=wf.start_pipe_name,
        Description=f"starts {wf.key} for each event in its start queue",
        DesiredState="RUNNING",
        RoleArn=GetAtt(f"{title}Role", "Arn"),
        Source=GetAtt(queue.logical_id, "Arn"),
        SourceParameters=PipeSourceParameters(SqsQueueParameters=PipeSourceSqsQueueParameters(BatchSize=1)),
        Target=Ref(wf.logical_id),
        TargetParameters=PipeTargetParameters(
            # Only the declared identifiers enter the execution (its input, history and every task
            # payload): never the rest of the event, which may hold personal data. Pipes parses a
            # JSON body, so the detail's fields are addressable.
            InputTemplate=start_input_template(wf.ids),
            StepFunctionStateMachineParameters=PipeTargetStateMachineParameters(InvocationType="FIRE_AND_FORGET"),
        ),
        Tags=ctx.tags(),  # Pipes takes a map, not CloudFormation's usual list
    ), origin)


def start_input_template(ids: tuple[str, ...]) -> str:
    """`{"ids": {"application_id": "<$.body.detail.application_id>"}}` (ids are string fields)."""
    fields = ", ".join(f'"{name}": "<$.body.detail.{name}>"' for name in ids)
    return f'{{"ids": {{{fields}}}}}'


def _starters(ctx: RenderContext) -> None:
    """`starts:` -> StartExecution on exactly that state machine, and its ARN in the environment."""
    own = {wf.key: wf for wf in ctx.svc.workflows}
    for fn in ctx.svc.functions:
        environment = {}
        for start in fn.starts:
            target = state_machine_arn(own[start.workflow].name) if start.export is None else ImportValue(start.export)
            ctx.grant(fn.key, ["states:StartExecution"], [target], sid=logical("start", start.service, start.workflow))
            environment[function_env.workflow_arn(start.workflow)] = target
        if environment:
            function.add_environment(ctx, fn, environment)


def _alarms(ctx: RenderContext, wf: ResolvedWorkflow, origin: tuple) -> None:
    dims = [MetricDimension(Name="StateMachineArn", Value=Ref(wf.logical_id))]
    alarms.alarm(ctx, f"{wf.logical_id}FailedAlarm", (wf.key, "failed"), "AWS/States", "ExecutionsFailed", dims,
                 "Sum", 0, f"executions of {wf.name} failed", origin)
    alarms.alarm(ctx, f"{wf.logical_id}TimedOutAlarm", (wf.key, "timed-out"), "AWS/States", "ExecutionsTimedOut",
                 dims, "Sum", 0, f"executions of {wf.name} timed out", origin)
    queues = [(p.key, p.queue, ("workflows", wf.key) + p.path) for p in wf.pauses]
    if wf.start_queue is not None:
        queues.append((f"{wf.key}-start", wf.start_queue, origin + ("started_by",)))
    for key, queue, where in queues:
        dlq_dims = [MetricDimension(Name="QueueName", Value=GetAtt(queue.dlq_logical_id, "QueueName"))]
        alarms.alarm(ctx, queue.dlq_logical_id + "MessagesAlarm", (key, "dlq"), "AWS/SQS",
                     "ApproximateNumberOfMessagesVisible", dlq_dims, "Maximum", 0, f"messages in {queue.dlq_name}",
                     where)
    if wf.start_queue is not None:
        q = wf.start_queue
        alarms.alarm(ctx, q.logical_id + "AgeAlarm", (f"{wf.key}-start", "queue-age"), "AWS/SQS",
                     "ApproximateAgeOfOldestMessage",
                     [MetricDimension(Name="QueueName", Value=GetAtt(q.logical_id, "QueueName"))],
                     "Maximum", ctx.svc.queue_age_alarm_seconds, f"{q.name} is falling behind", origin + ("started_by",))
        for i, sub in enumerate(wf.started_by):
            alarms.alarm(ctx, sub.logical_id + "FailedAlarm", (f"{wf.key}-start", sub.publisher, sub.event.lower(),
                                                                "failed"),
                         "AWS/Events", "FailedInvocations", [MetricDimension(Name="RuleName", Value=Ref(sub.logical_id))],
                         "Sum", 0, f"{sub.rule_name} could not deliver", origin + ("started_by", i))
        # alarms.py alarms on the delivery DLQ only when a function subscribes.
        if EVENTS_DLQ + "MessagesAlarm" not in ctx.template.resources:
            alarms.alarm(ctx, EVENTS_DLQ + "MessagesAlarm", ("events-dlq",), "AWS/SQS",
                         "ApproximateNumberOfMessagesVisible",
                         [MetricDimension(Name="QueueName", Value=GetAtt(EVENTS_DLQ, "QueueName"))],
                         "Maximum", 0, "events the bus could not deliver", ())

