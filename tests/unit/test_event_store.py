"""The event store: table, fan-out (stream -> publisher -> topic), access grants, exports, alarms,
and the runtime publisher as plain Python against moto's in-process SNS/SQS."""

from __future__ import annotations

import json
import os
from decimal import Decimal

import boto3
import pytest
from moto import mock_aws

from generator.concerns.event_store import defaults as event_store_defaults
from generator.concerns.subscription.resolve import store_topic_export
from svcgen_runtime import store_publisher
from tests.stream_events import record, stored_item, stream_event, typed
from tests.unit.helpers import of_type, rendered

STORE = """
service: ledger
owner: team-core
description: test
event_store:
  events: [TransactionRequested, TransactionPosted]
functions:
  post:
    store_access: [read, append]
    subscribe:
      - store: TransactionRequested
  project:
    store_access: [read]
    subscribe:
      - store: TransactionPosted
        filter: {amount: [{numeric: [">=", 10000]}]}
  writer: {store_access: [append]}
  report: {}
alerts: {email: [oncall@example.com]}
"""
NO_FAN_OUT = """
service: ledger
owner: team-core
description: test
event_store: {events: [TransactionPosted], fan_out: false}
functions:
  writer: {store_access: [read, append]}
"""
NO_STORE = """
service: ledger
owner: team-core
description: test
functions:
  report: {}
"""
TABLE_ARN = {"Fn::GetAtt": ["EventStore", "Arn"]}
KEY_ARN = {"Fn::GetAtt": ["EncryptionKey", "Arn"]}
ITEM_ATTRIBUTES = ["aggregate_id", "data", "recorded_at", "revision", "type"]
VIA_DYNAMODB = {"StringEquals": {"kms:ViaService": {"Fn::Sub": "dynamodb.${AWS::Region}.amazonaws.com"}}}


def _statements(template: dict, role: str) -> list[dict]:
    return template["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]


def _store_statements(template: dict, role: str) -> list[dict]:
    """The statements that mention the store table or are the store's key statement."""
    return [s for s in _statements(template, role)
            if any(a.startswith("dynamodb:") for a in s["Action"]) or s.get("Sid") == "EventStoreKey"]


# --- template ------------------------------------------------------------------------------

def test_table_is_keyed_by_aggregate_and_revision_encrypted_with_pitr_and_a_new_image_stream():
    table = rendered(STORE)["Resources"]["EventStore"]
    props = table["Properties"]
    assert table["Type"] == "AWS::DynamoDB::Table"
    assert props["TableName"] == "acme-dev-ledger-events"
    assert props["KeySchema"] == [{"AttributeName": "aggregate_id", "KeyType": "HASH"},
                                  {"AttributeName": "revision", "KeyType": "RANGE"}]
    assert props["AttributeDefinitions"] == [{"AttributeName": "aggregate_id", "AttributeType": "S"},
                                             {"AttributeName": "revision", "AttributeType": "N"}]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": KEY_ARN}
    assert props["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
    assert {"Key": "service", "Value": "ledger"} in props["Tags"]


@pytest.mark.parametrize(("stage", "policy", "protected"), [("dev", "Retain", True), ("pr-123", "Delete", False)])
def test_table_is_kept_and_protected_only_in_persistent_stages(stage, policy, protected):
    t = rendered(STORE, stage)
    for logical_id in ("EventStore", "StoreFanOutDlq", "StorePublisherLogGroup"):
        assert t["Resources"][logical_id]["DeletionPolicy"] == policy, logical_id
        assert t["Resources"][logical_id]["UpdateReplacePolicy"] == policy, logical_id
    assert t["Resources"]["EventStore"]["Properties"]["DeletionProtectionEnabled"] is protected


def test_no_event_store_renders_nothing_of_it():
    t = rendered(NO_STORE)
    assert not of_type(t, "AWS::DynamoDB::Table")
    assert not [k for k in t["Resources"] if k.startswith("Store")]
    assert not [k for k in t.get("Outputs", {}) if "Store" in k]


def test_without_fan_out_there_is_a_table_but_no_topic_publisher_or_stream_mapping():
    t = rendered(NO_FAN_OUT)
    assert "EventStore" in t["Resources"]
    assert not [k for k in t["Resources"] if k.startswith("Store")]
    assert not of_type(t, "AWS::Lambda::EventSourceMapping")
    assert "EventStoreTable" in t["Outputs"] and "StoreTopicArn" not in t["Outputs"]


def test_stream_mapping_retries_finitely_bisects_keeps_order_and_sends_failures_to_a_dlq():
    t = rendered(STORE)
    esm = t["Resources"]["StorePublisherEventSource"]["Properties"]
    assert esm["EventSourceArn"] == {"Fn::GetAtt": ["EventStore", "StreamArn"]}
    assert esm["FunctionName"] == {"Ref": "StorePublisher"}
    assert esm["StartingPosition"] == "TRIM_HORIZON"
    assert esm["BatchSize"] == event_store_defaults.STORE_STREAM_BATCH_SIZE
    assert 0 <= esm["MaximumRetryAttempts"] == event_store_defaults.STORE_STREAM_MAX_RETRY_ATTEMPTS  # never -1 (forever)
    assert 60 <= esm["MaximumRecordAgeInSeconds"] == event_store_defaults.STORE_STREAM_MAX_RECORD_AGE_SECONDS < 86400
    assert esm["BisectBatchOnFunctionError"] is True
    assert esm["ParallelizationFactor"] == 1
    assert esm["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert [json.loads(f["Pattern"]) for f in esm["FilterCriteria"]["Filters"]] == [{"eventName": ["INSERT"]}]
    assert esm["DestinationConfig"] == {"OnFailure": {"Destination": {"Fn::GetAtt": ["StoreFanOutDlq", "Arn"]}}}
    dlq = t["Resources"]["StoreFanOutDlq"]
    assert "FifoQueue" not in dlq["Properties"]  # Lambda's OnFailure needs a standard queue
    assert dlq["Properties"]["MessageRetentionPeriod"] == 14 * 86400
    assert dlq["Properties"]["KmsMasterKeyId"] == {"Ref": "EncryptionKey"}
    assert dlq["Metadata"]["cfn-lint"]["config"]["ignore_checks"] == ["ES6000"]
    assert dlq["Metadata"]["svcgen"]["accepted_findings"]["ES6000"]


def test_publisher_is_a_generated_function_like_every_other():
    t = rendered(STORE)
    fn = t["Resources"]["StorePublisher"]["Properties"]
    assert fn["Handler"] == "svcgen_runtime.store_publisher.handler"  # the runtime library's
    assert fn["FunctionName"] == "acme-dev-ledger-store-publisher"
    assert fn["Timeout"] == event_store_defaults.STORE_PUBLISHER_TIMEOUT and fn["MemorySize"] == event_store_defaults.STORE_PUBLISHER_MEMORY
    assert fn["TracingConfig"] == {"Mode": "Active"} and fn["LoggingConfig"]["LogFormat"] == "JSON"
    assert fn["LoggingConfig"]["LogGroup"] == {"Ref": "StorePublisherLogGroup"}
    assert fn["Role"] == {"Fn::GetAtt": ["StorePublisherRole", "Arn"]}
    env = fn["Environment"]["Variables"]
    assert env["EVENT_SOURCE"] == "acme.ledger.store"
    assert env["STORE_TOPIC_ARN"] == {"Ref": "StoreTopic"}
    assert "EVENT_BUS_NAME" not in env and "EVENT_STORE_TABLE" not in env
    assert t["Resources"]["StorePublisherRole"]["Properties"]["RoleName"] == "acme-dev-ledger-store-publisher-role"


def test_publisher_role_is_exactly_stream_topic_dlq_and_key():
    got = {s["Sid"]: (s["Action"], s["Resource"], s.get("Condition"))
           for s in _statements(rendered(STORE), "StorePublisherRole")}
    assert got == {
        "OwnLogGroup": (["logs:CreateLogStream", "logs:PutLogEvents"], [{"Fn::Sub": (
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"
            "/aws/lambda/acme-dev-ledger-store-publisher:*")}], None),
        "Tracing": (["xray:PutTelemetryRecords", "xray:PutTraceSegments"], ["*"], None),
        "ReadStoreStream": (["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                             "dynamodb:ListStreams"], [{"Fn::GetAtt": ["EventStore", "StreamArn"]}], None),
        "PublishToStoreTopic": (["sns:Publish"], [{"Ref": "StoreTopic"}], None),
        "FanOutFailures": (["sqs:SendMessage"], [{"Fn::GetAtt": ["StoreFanOutDlq", "Arn"]}], None),
        "ServiceKey": (["kms:Decrypt", "kms:GenerateDataKey"], [KEY_ARN], None),
    }


def test_store_access_grants_exactly_the_actions_asked_for():
    t = rendered(STORE)
    read = {"Sid": "ReadEventStore", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
            "Resource": [TABLE_ARN]}
    append = {"Sid": "AppendToEventStore", "Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": [TABLE_ARN],
              "Condition": {"ForAllValues:StringEquals": {"dynamodb:Attributes": ITEM_ATTRIBUTES},
                            "StringEqualsIfExists": {"dynamodb:ReturnValues": ["NONE"]}}}
    key = {"Sid": "EventStoreKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
           "Resource": [KEY_ARN], "Condition": VIA_DYNAMODB}
    assert _store_statements(t, "PostRole") == [read, append, key]
    assert _store_statements(t, "ProjectRole") == [read, key]
    assert _store_statements(t, "WriterRole") == [append, key]
    assert _store_statements(t, "ReportRole") == []


def test_only_functions_with_store_access_get_the_table_name():
    t = rendered(STORE)
    for logical_id, expected in (("Post", True), ("Project", True), ("Writer", True), ("Report", False)):
        env = t["Resources"][logical_id]["Properties"]["Environment"]["Variables"]
        assert (env.get("EVENT_STORE_TABLE") == {"Ref": "EventStore"}) is expected, logical_id
        assert list(env) == sorted(env)  # still canonical


def test_topic_is_encrypted_and_only_this_account_subscribes_queues_over_tls():
    t = rendered(STORE)
    topic = t["Resources"]["StoreTopic"]["Properties"]
    assert topic["TopicName"] == "acme-dev-ledger-events" and topic["KmsMasterKeyId"] == {"Ref": "EncryptionKey"}
    allow, deny = t["Resources"]["StoreTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert allow["Action"] == "sns:Subscribe" and allow["Effect"] == "Allow"
    assert allow["Principal"] == {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}
    assert allow["Condition"] == {"StringEquals": {"sns:Protocol": "sqs"}}
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_exports_are_the_names_importers_compute():
    outputs = rendered(STORE)["Outputs"]
    assert outputs["EventStoreTable"] == {"Description": "Name of the service's event store table",
                                          "Export": {"Name": "acme-dev-ledger-event-store-table"},
                                          "Value": {"Ref": "EventStore"}}
    assert outputs["StoreTopicArn"]["Export"] == {"Name": store_topic_export("acme", "dev", "ledger")}
    assert outputs["StoreTopicArn"]["Value"] == {"Ref": "StoreTopic"}


def test_store_subscriptions_filter_the_envelope_body_and_redrive_to_the_events_dlq():
    sub = rendered(STORE)["Resources"]["ProjectLedgerStoreSubscription"]["Properties"]
    assert sub["TopicArn"] == {"Ref": "StoreTopic"}
    assert sub["FilterPolicyScope"] == "MessageBody" and sub["RawMessageDelivery"] is True
    assert sub["FilterPolicy"] == {"detail-type": ["TransactionPosted"],
                                   "detail": {"amount": [{"numeric": [">=", 10000]}]}}
    assert sub["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": ["EventsDlq", "Arn"]}}


def test_fan_out_alarms_in_persistent_stages_only():
    dev = of_type(rendered(STORE), "AWS::CloudWatch::Alarm")
    by_metric = {(a["Properties"]["Namespace"], a["Properties"]["MetricName"]): a["Properties"]
                 for k, a in dev.items() if k.startswith("Store")}
    assert set(by_metric) == {("AWS/SQS", "ApproximateNumberOfMessagesVisible"), ("AWS/Lambda", "Errors"),
                              ("AWS/Lambda", "IteratorAge")}
    age = by_metric[("AWS/Lambda", "IteratorAge")]
    assert age["Statistic"] == "Maximum" and age["Threshold"] == 300_000  # ms: 5 minutes
    assert age["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": "StorePublisher"}}]
    assert by_metric[("AWS/SQS", "ApproximateNumberOfMessagesVisible")]["Threshold"] == 0
    # a store subscription has no rule, so no FailedInvocations alarm (EventsDlq's alarm covers it)
    assert not [k for k in dev if "Subscription" in k]
    assert not of_type(rendered(STORE, "pr-123"), "AWS::CloudWatch::Alarm")


# --- runtime publisher ---------------------------------------------------------------------

SOURCE = "acme.ledger.store"


@pytest.fixture
def aws_world(monkeypatch):
    """moto in-process: the store topic, and raw-delivery queues subscribed with the filter
    policies the template renders, plus an unfiltered `all` queue."""
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)  # e.g. the e2e harness's AWS_ENDPOINT_URL
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "eu-west-1"}.items():
        monkeypatch.setenv(name, value)
    template = rendered(STORE)
    with mock_aws():
        monkeypatch.setattr(store_publisher, "_sns", None)  # a client inside the mock
        sns, sqs = boto3.client("sns"), boto3.client("sqs")
        topic = sns.create_topic(Name="acme-dev-ledger-events")["TopicArn"]
        monkeypatch.setenv("STORE_TOPIC_ARN", topic)
        monkeypatch.setenv("EVENT_SOURCE", SOURCE)
        filters = {"post": template["Resources"]["PostLedgerStoreSubscription"]["Properties"],
                   "project": template["Resources"]["ProjectLedgerStoreSubscription"]["Properties"],
                   "all": {}}
        urls = {}
        for name, sub in filters.items():
            urls[name] = sqs.create_queue(QueueName=name)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=urls[name], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            attributes = {"RawMessageDelivery": "true"}
            if sub:
                attributes.update(FilterPolicyScope=sub["FilterPolicyScope"],
                                  FilterPolicy=json.dumps(sub["FilterPolicy"]))
            sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes=attributes)

        def received(name: str) -> list[dict]:
            messages = sqs.receive_message(QueueUrl=urls[name], MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                           MessageAttributeNames=["All"]).get("Messages", [])
            return [{"body": json.loads(m["Body"]), "attributes": m.get("MessageAttributes", {})}
                    for m in messages]
        yield received


def _posted(seq: str, amount: int, revision: int = 1, **extra) -> dict:
    return record(seq, stored_item("acc-1", revision, "TransactionPosted",
                                   {"transaction_id": f"t-{seq}", "amount": amount, **extra}))


def test_publisher_publishes_inserts_in_the_envelope_and_stops_at_the_first_failure(aws_world):
    modify = record("101", stored_item("acc-1", 1, "TransactionPosted", {"amount": 1}), event_name="MODIFY")
    bad = record("102", None, new_image=typed({"aggregate_id": "acc-1", "revision": 2, "data": {}}))  # no type
    event = stream_event(_posted("100", 25000), modify, bad, _posted("103", 7, revision=3))

    result = store_publisher.handler(event, None)

    # Lambda resumes from the reported record; 103 was not published now, so it is not twice.
    assert result == {"batchItemFailures": [{"itemIdentifier": "102"}]}
    (published,) = aws_world("all")
    assert published["body"] == {
        "version": "0",
        "id": "evt-100",
        "source": SOURCE,
        "detail-type": "TransactionPosted",
        "time": "2025-01-01T12:00:00Z",
        "detail": {"aggregate_id": "acc-1", "revision": 1, "transaction_id": "t-100", "amount": 25000},
    }
    assert published["attributes"] == {"detail-type": {"DataType": "String", "StringValue": "TransactionPosted"}}


def test_a_clean_batch_reports_no_failures(aws_world):
    assert store_publisher.handler(stream_event(_posted("1", 1), _posted("2", 2, revision=2)), None) == {
        "batchItemFailures": []}
    assert [m["body"]["detail"]["revision"] for m in aws_world("all")] == [1, 2]


def test_rendered_subscription_filters_select_on_the_published_envelope(aws_world):
    requested = record("3", stored_item("acc-1", 3, "TransactionRequested", {"transaction_id": "t-3", "amount": 25000}))
    store_publisher.handler(stream_event(_posted("1", 25000), _posted("2", 5, revision=2), requested), None)
    assert [m["body"]["detail"]["transaction_id"] for m in aws_world("project")] == ["t-1"]  # amount >= 10000
    assert [m["body"]["detail"]["transaction_id"] for m in aws_world("post")] == ["t-3"]  # TransactionRequested


def test_a_failed_publish_is_reported_with_its_sequence_number(monkeypatch):
    calls = []

    class FailingSecondTime:
        def publish(self, **kwargs):
            calls.append(json.loads(kwargs["Message"])["id"])
            if len(calls) == 2:
                raise RuntimeError("SNS throttled")

    monkeypatch.setattr(store_publisher, "_sns", FailingSecondTime())
    monkeypatch.setenv("STORE_TOPIC_ARN", "arn:aws:sns:eu-west-1:123456789012:t")
    monkeypatch.setenv("EVENT_SOURCE", SOURCE)
    result = store_publisher.handler(stream_event(_posted("7", 1), _posted("8", 2, 2), _posted("9", 3, 3)), None)
    assert result == {"batchItemFailures": [{"itemIdentifier": "8"}]}
    assert calls == ["evt-7", "evt-8"]


def test_envelope_detail_is_plain_json_with_the_identity_fields_winning():
    data = {"amount": Decimal("12.5"), "tags": {"a", "b"}, "blob": b"\x00\x01", "nested": {"n": 3, "l": [1, "x"]},
            "revision": 99, "flag": True, "none": None}
    item = stored_item("acc-9", 4, "TransactionPosted", data, recorded_at=None)
    envelope = store_publisher.to_envelope(record("5", item), SOURCE)
    assert envelope["detail"] == {"aggregate_id": "acc-9", "revision": 4, "amount": 12.5, "tags": ["a", "b"],
                                  "blob": "AAE=", "nested": {"n": 3, "l": [1, "x"]}, "flag": True, "none": None}
    assert envelope["time"] == "2025-01-01T12:00:00Z"  # from ApproximateCreationDateTime
    json.dumps(envelope)  # serialisable as is
