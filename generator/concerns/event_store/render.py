"""A service's event store: a DynamoDB table of events, and its fan-out to the store topic.

The table holds one item per event: partition key `aggregate_id` (S), sort key `revision` (N),
plus `type` (S), `data` (M) and `recorded_at` (S, ISO). It is append-only: functions get exactly
the DynamoDB actions their `store_access` asks for, and appenders may write only that layout.

Fan-out (`fan_out: true`): the table's stream feeds a *publisher function* (the runtime
library's `svcgen_runtime.store_publisher`, runtime/ in this repository) that publishes each new
event to the service's SNS store topic in the EventBridge-style envelope, with plain-JSON
`detail`. A function rather than EventBridge Pipes, because Pipes can only template the
DynamoDB-typed image, and subscribers filter on the event's fields (`amount: [{numeric: [">=",
10000]}]`). Subscriptions to the topic are rendered by concerns/subscription/render.py; other
services import the topic by its export.

Every stream-source default (finite retries, record age, bisection, OnFailure DLQ, one batch
per shard) is in `generator/concerns/event_store/defaults.py` with its reason; AWS's retry-forever defaults are
never used (docs/design.md, defaults: stream sources).
"""

from __future__ import annotations

import json
from dataclasses import replace

from troposphere import GetAtt, Ref, Sub
from troposphere.awslambda import DestinationConfig, EventSourceMapping, Filter, FilterCriteria, OnFailure
from troposphere.cloudwatch import MetricDimension
from troposphere.dynamodb import (AttributeDefinition, KeySchema, PointInTimeRecoverySpecification,
                                  SSESpecification, StreamSpecification, Table)
from troposphere.sns import Topic, TopicPolicy

from generator import function_env, iam
from generator.concerns.event_store import defaults
from generator.concerns.alarms import render as alarms
from generator.concerns.encryption import render as encryption
from generator.concerns.function import render as function
from generator.concerns.queue import render as queue_component
from generator.render_context import RenderContext, deny_insecure_transport
from generator.concerns.subscription.render_store import STORE_TOPIC
from generator.naming import logical
from generator.concerns.event_store.resolve import ResolvedEventStore
from generator.resolve import ResolvedFunction

TABLE = "EventStore"
FAN_OUT_DLQ = "StoreFanOutDlq"
PUBLISHER_KEY = "store-publisher"
PUBLISHER = logical(PUBLISHER_KEY)  # StorePublisher
# The runtime library's (runtime/svcgen_runtime/store_publisher.py): every service's code package
# has it, installed from its requirements.txt.
PUBLISHER_HANDLER = "svcgen_runtime.store_publisher.handler"
ORIGIN = ("event_store",)
# The item layout; IAM lets appenders write exactly these attributes (keys included, as
# `dynamodb:Attributes` requires).
ITEM_ATTRIBUTES = ("aggregate_id", "data", "recorded_at", "revision", "type")
READ_ACTIONS = ["dynamodb:GetItem", "dynamodb:Query"]
APPEND_ACTIONS = ["dynamodb:PutItem"]
STREAM_READ_ACTIONS = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                       "dynamodb:ListStreams"]
KEY_USE_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"]


def render(ctx: RenderContext) -> None:
    store = ctx.svc.event_store
    if store is None:
        return
    _table(ctx, store)
    _access(ctx)
    ctx.export("event-store-table", Ref(TABLE), "Name of the service's event store table")
    if store.fan_out:
        _fan_out(ctx, store)


def _table(ctx: RenderContext, store: ResolvedEventStore) -> None:
    ctx.add(Table(
        TABLE,
        TableName=store.table_name,
        AttributeDefinitions=[AttributeDefinition(AttributeName="aggregate_id", AttributeType="S"),
                              AttributeDefinition(AttributeName="revision", AttributeType="N")],
        KeySchema=[KeySchema(AttributeName="aggregate_id", KeyType="HASH"),
                   KeySchema(AttributeName="revision", KeyType="RANGE")],
        # On-demand: event traffic is bursty and unknown up front; explicit (checkov CKV_AWS_28 family).
        BillingMode="PAY_PER_REQUEST",
        PointInTimeRecoverySpecification=PointInTimeRecoverySpecification(PointInTimeRecoveryEnabled=True),
        # The service's customer key: its key policy already delegates to IAM, and every user of
        # the table is granted the key below, only via DynamoDB (kms:ViaService).
        SSESpecification=SSESpecification(SSEEnabled=True, SSEType="KMS", KMSMasterKeyId=encryption.key_arn()),
        # NEW_IMAGE: the fan-out publishes new events only; old images of an append-only store are empty.
        StreamSpecification=StreamSpecification(StreamViewType="NEW_IMAGE"),
        # A persistent stage's events are the system of record; a PR stage's are disposable.
        DeletionProtectionEnabled=ctx.persistent,
    ), ORIGIN, stateful=True)


def _access(ctx: RenderContext) -> None:
    """Exactly the actions each function's `store_access` asks for, and the table's name."""
    table_arn = GetAtt(TABLE, "Arn")
    for fn in ctx.svc.functions:
        if not fn.store_access:
            continue
        if "read" in fn.store_access:
            ctx.grant(fn.key, READ_ACTIONS, [table_arn], sid="ReadEventStore")
        if "append" in fn.store_access:
            ctx.grant(fn.key, APPEND_ACTIONS, [table_arn], sid="AppendToEventStore", condition={
                # Only the store's item layout, nothing else written alongside (DynamoDB
                # fine-grained access control).
                "ForAllValues:StringEquals": {"dynamodb:Attributes": list(ITEM_ATTRIBUTES)},
                # An append never overwrites, so it never needs the old item back: ALL_OLD would
                # only let an append-only function read by overwriting.
                "StringEqualsIfExists": {"dynamodb:ReturnValues": ["NONE"]},
            })
        # DynamoDB uses the table's customer key on the caller's behalf.
        ctx.grant(fn.key, KEY_USE_ACTIONS, [encryption.key_arn()], sid="EventStoreKey", condition={
            "StringEquals": {"kms:ViaService": Sub("dynamodb.${AWS::Region}.amazonaws.com")}})
        function.add_environment(ctx, fn, {function_env.EVENT_STORE_TABLE: Ref(TABLE)})


def _fan_out(ctx: RenderContext, store: ResolvedEventStore) -> None:
    ctx.add(Topic(
        STORE_TOPIC,
        TopicName=store.topic_name,
        KmsMasterKeyId=Ref(encryption.KEY),
    ), ORIGIN)
    ctx.add(_topic_policy(), ORIGIN)
    ctx.export("store-topic-arn", Ref(STORE_TOPIC), "Topic every stored event is published to")
    # It receives Lambda's OnFailure records (through the publisher's role), never another queue's redrive.
    queue_component.standalone_dlq(ctx, FAN_OUT_DLQ, ctx.svc.names.physical("queue", "store-fan-out-dlq"), {},
                                   ORIGIN, deny_redrive=True)
    publisher = _publisher(ctx, store)
    _event_source(ctx, publisher)
    _render_role(ctx, publisher)
    if ctx.persistent:
        _alarms(ctx, publisher)


def _topic_policy() -> TopicPolicy:
    topic = Ref(STORE_TOPIC)
    return TopicPolicy(
        f"{STORE_TOPIC}Policy",
        Topics=[topic],
        PolicyDocument={
            "Version": "2012-10-17",
            "Statement": [
                {
                    # Other services' stacks (same account) subscribe their queues; only SQS,
                    # so stored events never leave by e-mail or HTTP.
                    "Sid": "AccountSubscribesQueues",
                    "Effect": "Allow",
                    "Principal": {"AWS": Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")},
                    "Action": "sns:Subscribe",
                    "Resource": topic,
                    "Condition": {"StringEquals": {"sns:Protocol": "sqs"}},
                },
                deny_insecure_transport(["sns:Publish", "sns:Subscribe"], topic),
            ],
        },
    )


def _publisher(ctx: RenderContext, store: ResolvedEventStore) -> ResolvedFunction:
    """The generated publisher, rendered by function.py like every function (log group, limits,
    tracing, JSON logs), with its own grants."""
    svc = ctx.svc
    publisher = ResolvedFunction(
        key=PUBLISHER_KEY,
        logical_id=PUBLISHER,
        name=svc.names.function(PUBLISHER_KEY),
        role_name=svc.names.role(PUBLISHER_KEY),
        log_group_name=svc.names.log_group(PUBLISHER_KEY),
        handler=PUBLISHER_HANDLER,
        entry=PUBLISHER_HANDLER,
        description=f"{svc.service}: publishes stored events to its store topic",
        runtime=svc.functions[0].runtime,  # one runtime per service (spec or platform default)
        timeout=defaults.STORE_PUBLISHER_TIMEOUT,
        memory=defaults.STORE_PUBLISHER_MEMORY,
        environment=((function_env.EVENT_SOURCE, store.source), (function_env.STORE_TOPIC_ARN, Ref(STORE_TOPIC))),
        reserved_concurrency=None,  # one batch per shard already bounds it
        subscriptions=(),
        queue=None,
    )
    function.render_function(ctx, publisher, {})
    key = publisher.key
    ctx.grant(key, STREAM_READ_ACTIONS, [GetAtt(TABLE, "StreamArn")], sid="ReadStoreStream")
    ctx.grant(key, ["sns:Publish"], [Ref(STORE_TOPIC)], sid="PublishToStoreTopic")
    # Lambda sends the OnFailure record with the function's role.
    ctx.grant(key, ["sqs:SendMessage"], [GetAtt(FAN_OUT_DLQ, "Arn")], sid="FanOutFailures")
    # The stream (table key), the topic and the DLQ are all encrypted with the service's key.
    ctx.grant(key, KEY_USE_ACTIONS, [encryption.key_arn()], sid="ServiceKey")
    return publisher


def _event_source(ctx: RenderContext, publisher: ResolvedFunction) -> None:
    mapping = EventSourceMapping(
        f"{PUBLISHER}EventSource",
        EventSourceArn=GetAtt(TABLE, "StreamArn"),
        FunctionName=Ref(publisher.logical_id),
        StartingPosition="TRIM_HORIZON",  # from the oldest record: no stored event is skipped
        BatchSize=defaults.STORE_STREAM_BATCH_SIZE,
        MaximumRetryAttempts=defaults.STORE_STREAM_MAX_RETRY_ATTEMPTS,
        MaximumRecordAgeInSeconds=defaults.STORE_STREAM_MAX_RECORD_AGE_SECONDS,
        BisectBatchOnFunctionError=True,
        ParallelizationFactor=defaults.STORE_STREAM_PARALLELIZATION_FACTOR,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        # Only new events; MODIFY/REMOVE never reach (or bill) the function.
        FilterCriteria=FilterCriteria(Filters=[Filter(Pattern=json.dumps({"eventName": ["INSERT"]}))]),
        DestinationConfig=DestinationConfig(OnFailure=OnFailure(Destination=GetAtt(FAN_OUT_DLQ, "Arn"))),
        Enabled=True,
    )
    ctx.add(mapping, ORIGIN + ("fan_out",))
    function.invoked(ctx, publisher, defaults.CHECKOV_STREAM_NO_DLQ)


def _render_role(ctx: RenderContext, publisher: ResolvedFunction) -> None:
    """The publisher's role, assembled by iam.py exactly like every function's.

    iam.render_roles builds roles for the spec's functions only; the publisher is generated, so
    it gets a context that shares this template but lists just the publisher."""
    scoped = RenderContext(replace(ctx.svc, functions=(publisher,)), template=ctx.template,
                           grants={publisher.key: ctx.grants[publisher.key]}, origins=ctx.origins)
    iam.render_roles(scoped)
    for title in (publisher.logical_id, f"{publisher.logical_id}LogGroup", f"{publisher.logical_id}Role"):
        ctx.origins[title] = ORIGIN + ("fan_out",)


def _alarms(ctx: RenderContext, publisher: ResolvedFunction) -> None:
    origin = ORIGIN + ("fan_out",)
    fn_dims = [MetricDimension(Name="FunctionName", Value=Ref(publisher.logical_id))]
    alarms.alarm(ctx, f"{FAN_OUT_DLQ}MessagesAlarm", ("store-fan-out-dlq",), "AWS/SQS",
                 "ApproximateNumberOfMessagesVisible",
                 [MetricDimension(Name="QueueName", Value=GetAtt(FAN_OUT_DLQ, "QueueName"))],
                 "Maximum", 0, "stored events the fan-out gave up on (re-read them from the stream)", origin)
    alarms.alarm(ctx, f"{publisher.logical_id}ErrorsAlarm", (publisher.key, "errors"), "AWS/Lambda", "Errors",
                 fn_dims, "Sum", 0, f"{publisher.name} raised errors", origin)
    alarms.alarm(ctx, f"{publisher.logical_id}IteratorAgeAlarm", (publisher.key, "iterator-age"), "AWS/Lambda",
                 "IteratorAge", fn_dims, "Maximum", defaults.STORE_ITERATOR_AGE_ALARM_MS,
                 "stored events wait in the stream: the fan-out is behind or stuck", origin)
