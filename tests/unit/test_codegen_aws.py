"""The generated AWS clients against moto, in-process: publishing, the event store, idempotent
consumers and workflow helpers."""

from __future__ import annotations

import importlib
import json
import sys
from datetime import datetime, timezone

import boto3
import pytest
from moto import mock_aws

from svcgen_runtime import clients, store_publisher, testing
from tests.unit.codegen_support import generate

REGION = "eu-west-1"


@pytest.fixture
def aws(monkeypatch):
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        clients.reset()  # the runtime caches its clients process-wide: each test's are made in its mock
        yield
    clients.reset()


@pytest.fixture
def generated(demo_workspace, tmp_path, monkeypatch):
    """Import a generated service's modules in this process; `plumbing`/`handlers` are
    top-level names every service uses, so they are dropped from sys.modules before and after."""

    def purge():
        for name in [m for m in sys.modules if m.split(".")[0] in ("plumbing", "handlers", "svcgen_support")]:
            del sys.modules[name]

    def load(service: str):
        purge()
        code = generate(demo_workspace, service, tmp_path)
        monkeypatch.syspath_prepend(str(code))
        monkeypatch.syspath_prepend(str(code / "tests"))
        for key, value in importlib.import_module("svcgen_support").ENVIRONMENT.items():
            if not key.startswith("POWERTOOLS_IDEMPOTENCY"):
                monkeypatch.setenv(key, value)
        return lambda module: importlib.import_module(f"plumbing.{module}")

    yield load
    purge()


def test_publisher_puts_typed_json_on_the_bus(aws, generated):
    mod = generated("ledger")
    events, sqs = boto3.client("events"), boto3.client("sqs")
    events.create_event_bus(Name="test-bus")
    queue_url = sqs.create_queue(QueueName="subscriber")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="all", EventBusName="test-bus", EventPattern=json.dumps({"source": ["acme.ledger"]}))
    events.put_targets(Rule="all", EventBusName="test-bus", Targets=[{"Id": "q", "Arn": queue_arn}])

    event_id = mod("publish").publish_transaction_posted(
        transaction_id="t-1", account_id="a-1", amount=12345, currency="EUR", kind="outgoing-payment",
        posted_at=datetime(2024, 5, 1, 12, 30, tzinfo=timezone.utc))

    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    envelope = json.loads(messages[0]["Body"])
    assert envelope["id"] == event_id
    assert envelope["source"] == "acme.ledger" and envelope["detail-type"] == "TransactionPosted"
    assert envelope["detail"] == {"transaction_id": "t-1", "account_id": "a-1", "amount": 12345, "currency": "EUR",
                                  "kind": "outgoing-payment", "posted_at": "2024-05-01T12:30:00Z",
                                  "schema_version": 1}  # the optional IBAN left out, the amount a number
    # What was published parses back into the subscriber's model.
    _, event = mod("models").parse_envelope(envelope, {("acme.ledger", "TransactionPosted"):
                                                       mod("models").TransactionPosted})
    assert event.amount == 12345


def test_publisher_refuses_values_outside_the_contract(aws, generated):
    mod = generated("ledger")
    with pytest.raises(Exception, match="timezone"):
        mod("publish").publish_balance_settled(account_id="a", final_balance=1, settled_at=datetime(2024, 1, 1))


def test_publisher_raises_when_eventbridge_rejects_the_entry(generated, monkeypatch):
    mod = generated("ledger")

    class Rejecting:
        def put_events(self, Entries):  # noqa: N803 - boto3's parameter name
            return {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "AccessDeniedException",
                                                        "ErrorMessage": "not authorized"}]}

    monkeypatch.setitem(importlib.import_module("svcgen_runtime.clients")._clients, "events", Rejecting())
    with pytest.raises(mod("publish").PublishError, match="AccessDeniedException: not authorized"):
        mod("publish").publish_balance_settled(account_id="a", final_balance=1,
                                               settled_at=datetime(2024, 1, 1, tzinfo=timezone.utc))


def test_publisher_passes_the_trace_header(generated, monkeypatch):
    mod = generated("ledger")
    sent = []

    class Recording:
        def put_events(self, Entries):  # noqa: N803
            sent.extend(Entries)
            return {"FailedEntryCount": 0, "Entries": [{"EventId": "e-1"}]}

    monkeypatch.setitem(importlib.import_module("svcgen_runtime.clients")._clients, "events", Recording())
    monkeypatch.setenv("_X_AMZN_TRACE_ID", "Root=1-abc;Parent=def;Sampled=1")
    mod("publish").publish_balance_settled(account_id="a", final_balance=-5,
                                           settled_at=datetime(2024, 1, 1, tzinfo=timezone.utc))
    assert sent[0]["TraceHeader"] == "Root=1-abc;Parent=def;Sampled=1"
    assert sent[0]["EventBusName"] == "test-bus" and sent[0]["Source"] == "acme.ledger"
    assert json.loads(sent[0]["Detail"])["final_balance"] == -5


def _store_table(name: str = "test-event-store") -> None:
    boto3.client("dynamodb").create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "aggregate_id", "AttributeType": "S"},
                              {"AttributeName": "revision", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "aggregate_id", "KeyType": "HASH"},
                   {"AttributeName": "revision", "KeyType": "RANGE"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})


def _requested(mod, n: int):
    return mod("models").TransactionRequested(transaction_id=f"t-{n}", account_id="a-1", amount=n * 100,
                                              currency="EUR", kind="deposit")


def test_store_appends_in_order_and_loads_typed_events(aws, generated):
    mod = generated("ledger")
    _store_table()
    store = mod("store")
    revision = 0
    for n in range(1, 13):  # past 9: revisions sort as numbers, not strings
        revision = store.append("a-1", revision, _requested(mod, n))
    store.append("a-2", 0, _requested(mod, 99))

    events = store.load("a-1")
    assert [e.revision for e in events] == list(range(1, 13)) and store.revision_of(events) == 12
    assert [e.event.amount for e in events] == [n * 100 for n in range(1, 13)]
    assert all(type(e.event).__name__ == "TransactionRequested" and e.type == "TransactionRequested" for e in events)
    assert events[0].recorded_at.endswith("Z")
    assert store.load("nobody") == [] and store.revision_of([]) == 0


def test_store_append_loses_a_race_with_a_clear_conflict(aws, generated):
    mod = generated("ledger")
    _store_table()
    store = mod("store")
    store.append("a-1", 0, _requested(mod, 1))
    with pytest.raises(store.ConcurrencyConflict, match="a-1: revision 1 was already written"):
        store.append("a-1", 0, _requested(mod, 2))  # a second writer that also loaded nothing
    assert [e.event.transaction_id for e in store.load("a-1")] == ["t-1"]
    with pytest.raises(TypeError, match="not an event of this store"):
        store.append("a-1", 1, mod("models").BalanceSettled(account_id="a", final_balance=1,
                                                            settled_at="2024-01-01T00:00:00Z"))


def test_stored_events_reach_subscribers_through_the_fan_out_as_typed_events(aws, generated):
    """append -> (DynamoDB stream) -> store_publisher.to_envelope -> the subscriber's parse:
    the item layout the store client writes is the one the fan-out reads."""
    mod = generated("ledger")
    _store_table()
    mod("store").append("a-1", 0, _requested(mod, 7))
    item = boto3.client("dynamodb").query(
        TableName="test-event-store", KeyConditionExpression="aggregate_id = :a",
        ExpressionAttributeValues={":a": {"S": "a-1"}})["Items"][0]
    record = {"eventID": "stream-1", "eventName": "INSERT",
              "dynamodb": {"NewImage": item, "ApproximateCreationDateTime": 1704067200, "SequenceNumber": "1"}}
    envelope = store_publisher.to_envelope(record, "acme.ledger.store")
    _, event = mod("models").parse(envelope)
    assert type(event).__name__ == "StoredTransactionRequested"
    assert (event.aggregate_id, event.revision, event.amount, event.schema_version) == ("a-1", 1, 700, 1)


def test_idempotent_consumer_handles_a_duplicate_event_once(aws, generated, monkeypatch):
    """Two deliveries of one event (new SQS message ids) run the user's function once; the key is
    the business id from the detail, not the message id."""
    generated("payments")
    monkeypatch.setenv("IDEMPOTENCY_TABLE", "idempotency")
    boto3.client("dynamodb").create_table(
        TableName="idempotency", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    consumer_module = importlib.import_module("svcgen_runtime.consumer")
    observability = importlib.import_module("plumbing.observability")
    samples = importlib.import_module("svcgen_support")
    models = importlib.import_module("plumbing.models")
    calls = []
    consumer = consumer_module.QueueConsumer(
        function="send-payment", events={("acme.ledger", "TransactionPosted"): models.TransactionPosted},
        handle=calls.append, logger=observability.logger, tracer=observability.tracer,
        metrics=observability.metrics, idempotency_key="transaction_id")
    envelope = samples.sample_envelope("acme.ledger", "TransactionPosted")
    other = samples.sample_envelope("acme.ledger", "TransactionPosted")
    other["detail"]["transaction_id"] = "another"

    for message_id in ("m-1", "m-2"):
        response = consumer.process(testing.sqs_event([testing.sqs_record(envelope, message_id)]),
                                    testing.lambda_context("send-payment"))
        assert response == {"batchItemFailures": []}
    consumer.process(testing.sqs_event([testing.sqs_record(other, "m-3")]), testing.lambda_context("send-payment"))

    assert [e.transaction_id for e in calls] == ["transaction_id-1", "another"]
    assert boto3.client("dynamodb").scan(TableName="idempotency")["Count"] == 2  # one record per business id
    observability.metrics.clear_metrics()


def test_workflow_start_and_decisions(aws, generated, monkeypatch):
    onboarding = generated("onboarding")
    sfn = boto3.client("stepfunctions")
    role = "arn:aws:iam::123456789012:role/sfn"
    arn = sfn.create_state_machine(name="onboard", roleArn=role, definition=json.dumps(
        {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}))["stateMachineArn"]
    monkeypatch.setenv("WORKFLOW_ONBOARD_CUSTOMER_ARN", arn)
    execution = onboarding("workflow").start_onboard_customer({"application_id": "app-1"}, name="app-1")
    described = sfn.describe_execution(executionArn=execution)
    assert described["name"] == "app-1" and json.loads(described["input"]) == {"ids": {"application_id": "app-1"}}

    accounts = generated("accounts")
    sent = []

    class Recording:
        def send_task_success(self, **kwargs):
            sent.append(("success", kwargs))

        def send_task_failure(self, **kwargs):
            sent.append(("failure", kwargs))

    monkeypatch.setitem(importlib.import_module("svcgen_runtime.clients")._clients, "stepfunctions", Recording())
    workflow = accounts("workflow")
    workflow.approve("token-1", reviewer="alice")
    workflow.reject("token-2", "documents unreadable")
    workflow.fail("token-3", "ReviewImpossible", "the applicant withdrew")
    assert [(kind, args["taskToken"]) for kind, args in sent] == [("success", "token-1"), ("success", "token-2"),
                                                                  ("failure", "token-3")]
    assert json.loads(sent[0][1]["output"]) == {"decision": "approved", "reviewer": "alice"}
    assert json.loads(sent[1][1]["output"]) == {"decision": "rejected", "reason": "documents unreadable"}
    assert sent[2][1] == {"taskToken": "token-3", "error": "ReviewImpossible", "cause": "the applicant withdrew"}
    with pytest.raises(TypeError, match="the decision is given by approve"):
        workflow.approve("token-4", decision="rejected")

