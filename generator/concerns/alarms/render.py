"""Alarms that page people, and the encrypted topic they notify. Persistent stages only: an
ephemeral (PR) stage pages nobody (docs/design.md, Stages).

DLQs alarm on ApproximateNumberOfMessagesVisible > 0, not NumberOfMessagesSent (which a redrive
into the DLQ does not increment: SQS DLQ docs). Missing data is not breaching: an idle queue or
function is healthy.
"""

from __future__ import annotations

from troposphere import AccountId, GetAtt, Ref
from troposphere.cloudwatch import Alarm, MetricDimension
from troposphere.sns import Subscription, Topic, TopicPolicy

from generator.concerns.alarms import defaults
from generator.concerns.encryption import render as encryption
from generator.render_context import RenderContext, deny_insecure_transport
from generator.concerns.subscription.render import EVENTS_DLQ

TOPIC = "AlertsTopic"


def render(ctx: RenderContext) -> None:
    svc = ctx.svc
    if not ctx.persistent:
        return
    ctx.add(Topic(
        TOPIC,
        TopicName=svc.names.physical("topic", "alerts"),
        KmsMasterKeyId=Ref(encryption.KEY),
        Subscription=[Subscription(Protocol="email", Endpoint=email) for email in svc.alert_emails],
    ), ("alerts",))
    ctx.add(_topic_policy(), ("alerts",))
    ctx.export("alerts-topic-arn", Ref(TOPIC), "Topic the service's alarms notify")
    for fn in svc.functions:
        origin = ("functions", fn.key)
        dims = [MetricDimension(Name="FunctionName", Value=Ref(fn.logical_id))]
        alarm(ctx, fn.logical_id + "ErrorsAlarm", (fn.key, "errors"), "AWS/Lambda", "Errors", dims,
              "Sum", 0, f"{fn.name} raised errors", origin)
        alarm(ctx, fn.logical_id + "ThrottlesAlarm", (fn.key, "throttles"), "AWS/Lambda", "Throttles", dims,
              "Sum", 0, f"{fn.name} was throttled", origin)
        if fn.queue:
            q = fn.queue
            alarm(ctx, q.dlq_logical_id + "MessagesAlarm", (fn.key, "dlq"), "AWS/SQS",
                  "ApproximateNumberOfMessagesVisible",
                  [MetricDimension(Name="QueueName", Value=GetAtt(q.dlq_logical_id, "QueueName"))],
                  "Maximum", 0, f"messages in {q.dlq_name}", origin + ("queue",))
            alarm(ctx, q.logical_id + "AgeAlarm", (fn.key, "queue-age"), "AWS/SQS",
                  "ApproximateAgeOfOldestMessage",
                  [MetricDimension(Name="QueueName", Value=GetAtt(q.logical_id, "QueueName"))],
                  "Maximum", svc.queue_age_alarm_seconds, f"{q.name} is falling behind", origin + ("queue",))
        for i, sub in enumerate(fn.subscriptions):
            if sub.kind != "bus":  # store subscriptions have no rule; undeliverable ones land in EventsDlq
                continue
            alarm(ctx, sub.logical_id + "FailedAlarm", (fn.key, sub.publisher, sub.event.lower(), "failed"),
                  "AWS/Events", "FailedInvocations",
                  [MetricDimension(Name="RuleName", Value=Ref(sub.logical_id))],
                  "Sum", 0, f"{sub.rule_name} could not deliver", origin + ("subscribe", i))
    if any(fn.subscriptions for fn in svc.functions):
        alarm(ctx, EVENTS_DLQ + "MessagesAlarm", ("events-dlq",), "AWS/SQS", "ApproximateNumberOfMessagesVisible",
              [MetricDimension(Name="QueueName", Value=GetAtt(EVENTS_DLQ, "QueueName"))],
              "Maximum", 0, "events the bus could not deliver", ())


def alarm(ctx: RenderContext, title: str, name: tuple, namespace: str, metric: str, dimensions: list,
          statistic: str, threshold: int, description: str, origin: tuple) -> None:
    """One alarm on `metric` > `threshold`, notifying the alerts topic; shared by every component
    that alarms (persistent stages only: callers check `ctx.persistent`)."""
    ctx.add(Alarm(
        title,
        AlarmName=ctx.svc.names.alarm(*name),
        AlarmDescription=description,
        Namespace=namespace,
        MetricName=metric,
        Dimensions=dimensions,
        Statistic=statistic,
        Period=defaults.ALARM_PERIOD_SECONDS,
        EvaluationPeriods=1,
        Threshold=threshold,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="notBreaching",
        AlarmActions=[Ref(TOPIC)],
        OKActions=[Ref(TOPIC)],
    ), origin)


def _topic_policy() -> TopicPolicy:
    return TopicPolicy(
        "AlertsTopicPolicy",
        Topics=[Ref(TOPIC)],
        PolicyDocument={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "CloudWatchAlarmsPublish",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": "sns:Publish",
                    "Resource": Ref(TOPIC),
                    "Condition": {"StringEquals": {"aws:SourceAccount": AccountId}},
                },
                deny_insecure_transport("sns:Publish", Ref(TOPIC)),
            ],
        },
    )
